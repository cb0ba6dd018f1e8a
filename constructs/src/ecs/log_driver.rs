//! Log drivers: where a container's output goes ([`LogDriver`]), and the FireLens log
//! router that takes logs from the `awsfirelens` driver ([`FirelensLogRouterOptions`],
//! [`crate::ecs::TaskDefinition::add_firelens_log_router`]).
//!
//! Every driver ECS supports: `awslogs` (CloudWatch Logs, the common case), `awsfirelens`
//! (Fluent Bit or Fluentd in a sidecar, to CloudWatch, Firehose, S3, a partner...),
//! `splunk` (the token from a secret), and, on EC2, `json-file`, `fluentd`, `syslog`,
//! `gelf`, `journald` and `none`; any other by name ([`LogDriver::generic`]). Fargate
//! takes `awslogs`, `splunk` and `awsfirelens` only (checked). Log groups berth creates
//! keep events for a month unless told otherwise.

use super::container::Secret;
use crate::app::{App, NodeId};
use crate::error::Result;
use crate::iam::value_expr;
use crate::logs::{LogGroup, LogGroupProps, RetentionDays};
use berth_synth::cfn::ecs::task_definition as td;
use berth_synth::{Expr, Pseudo, Value};
use indexmap::IndexMap;
use std::time::Duration;

/// How the `awslogs` driver delivers logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AwsLogDriverMode {
    /// Block the container when the buffer is full (Docker's default).
    Blocking,
    /// Drop logs when the buffer is full.
    NonBlocking,
}

props! {
    /// Options of the `awslogs` log driver.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct AwsLogDriverProps {
        /// The prefix of the log streams (`<prefix>/<container>/<task id>`). Required.
        pub stream_prefix: String,
        /// The log group. Default: a new log group `LogGroup` under the container, with
        /// `retention`.
        pub log_group: Option<LogGroup>,
        /// The retention of the log group berth creates (not allowed with `log_group`).
        /// Default: [`RetentionDays::OneMonth`].
        pub retention: Option<RetentionDays>,
        /// The delivery mode. Default: not rendered (blocking).
        pub mode: Option<AwsLogDriverMode>,
    }
}

impl AwsLogDriverProps {
    /// Streams named `<stream_prefix>/<container>/<task id>`, into a new log group.
    pub fn new(stream_prefix: impl Into<String>) -> Self {
        AwsLogDriverProps {
            stream_prefix: stream_prefix.into(),
            ..Default::default()
        }
    }
}

props! {
    /// What most Docker log drivers share (CDK's `BaseLogDriverProps`).
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct BaseLogDriverProps {
        /// The tag of each message (Docker's `tag` template, e.g. `{{.Name}}`). Default:
        /// the driver's.
        pub tag: Option<String>,
        /// Container labels to include. Default: none.
        pub labels: Vec<String>,
        /// Environment variables to include. Default: none.
        pub env: Vec<String>,
        /// A regular expression of environment variables to include. Default: none.
        pub env_regex: Option<String>,
    }
}

impl BaseLogDriverProps {
    fn render(&self, options: &mut IndexMap<String, Expr<String>>) {
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                options.insert(k.to_owned(), v.into());
            }
        };
        put("tag", self.tag.clone());
        put(
            "labels",
            (!self.labels.is_empty()).then(|| self.labels.join(",")),
        );
        put("env", (!self.env.is_empty()).then(|| self.env.join(",")));
        put("env-regex", self.env_regex.clone());
    }
}

props! {
    /// Options of the `awsfirelens` driver: the Fluent Bit (or Fluentd) output the
    /// task's log router sends this container's logs to. A task needs a log router
    /// ([`crate::ecs::TaskDefinition::add_firelens_log_router`]); when it has none, the
    /// first container logging through `awsfirelens` gets CDK's default one,
    /// `log-router` (AWS for Fluent Bit, logging to CloudWatch itself).
    ///
    /// ```
    /// use berth_constructs::ecs::{FireLensLogDriverProps, LogDriver};
    /// // To CloudWatch Logs, into a log group berth makes (the task role may write it).
    /// let to_cloudwatch = LogDriver::firelens(FireLensLogDriverProps::cloudwatch_logs("web"));
    /// // Any Fluent Bit output, by its options.
    /// let to_firehose = LogDriver::firelens(FireLensLogDriverProps::default().options([
    ///     ("Name", "kinesis_firehose"), ("region", "eu-west-1"), ("delivery_stream", "web-logs")]));
    /// # let _ = (to_cloudwatch, to_firehose);
    /// ```
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct FireLensLogDriverProps {
        /// The output's options (`Name` picks the plugin: `cloudwatch_logs`,
        /// `kinesis_firehose`, `s3`, `datadog`, ...). Values may be tokens. Default:
        /// none.
        pub options: IndexMap<String, Value>,
        /// Options whose values come from secrets (e.g. an API key); the execution role
        /// may read them. Default: none.
        pub secret_options: IndexMap<String, Secret>,
        /// Send to CloudWatch Logs with Fluent Bit's `cloudwatch_logs` plugin: `Name`,
        /// `region`, `log_group_name` and `log_stream_prefix` are set, and the task role
        /// may write to the log group (the router sends with the task's role). Default:
        /// none.
        pub cloudwatch: Option<FireLensCloudWatchLogs>,
    }
}

props! {
    /// Where a FireLens output to CloudWatch Logs writes
    /// ([`FireLensLogDriverProps::cloudwatch_logs`]).
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct FireLensCloudWatchLogs {
        /// The prefix of the log streams. Required.
        pub stream_prefix: String,
        /// The log group. Default: a new log group `LogGroup` under the container, with
        /// `retention`.
        pub log_group: Option<LogGroup>,
        /// The retention of the log group berth creates (not with `log_group`).
        /// Default: [`RetentionDays::OneMonth`].
        pub retention: Option<RetentionDays>,
    }
}

impl FireLensLogDriverProps {
    /// To CloudWatch Logs through Fluent Bit's `cloudwatch_logs` plugin, into a new log
    /// group (a month's retention), streams named `<stream_prefix><tag>`. For a log
    /// group of your own (e.g. encrypted with a KMS key), give a
    /// [`FireLensCloudWatchLogs`] instead:
    /// `.logging(FireLensCloudWatchLogs::new("worker/").log_group(group))`.
    pub fn cloudwatch_logs(stream_prefix: impl Into<String>) -> FireLensLogDriverProps {
        FireLensCloudWatchLogs::new(stream_prefix).into()
    }
}

impl FireLensCloudWatchLogs {
    /// Streams named `<stream_prefix><tag>`, in a new log group unless one is set.
    pub fn new(stream_prefix: impl Into<String>) -> FireLensCloudWatchLogs {
        FireLensCloudWatchLogs {
            stream_prefix: stream_prefix.into(),
            ..Default::default()
        }
    }
}

impl From<FireLensCloudWatchLogs> for FireLensLogDriverProps {
    fn from(cloudwatch: FireLensCloudWatchLogs) -> Self {
        FireLensLogDriverProps {
            cloudwatch: Some(cloudwatch),
            ..Default::default()
        }
    }
}

impl From<FireLensCloudWatchLogs> for LogDriver {
    fn from(cloudwatch: FireLensCloudWatchLogs) -> Self {
        LogDriver::Firelens(cloudwatch.into())
    }
}

impl crate::props::IntoProp<Option<LogDriver>> for FireLensCloudWatchLogs {
    fn into_prop(self) -> Option<LogDriver> {
        Some(self.into())
    }
}

props! {
    /// Options of the `json-file` driver (EC2 only).
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct JsonFileLogDriverProps {
        /// The largest file before it is rotated (`10m`, `1g`). Default: unlimited.
        pub max_size: Option<String>,
        /// How many files to keep (with `max_size`). Default: 1.
        pub max_file: Option<u32>,
        /// Compress rotated files. Default: false.
        pub compress: Option<bool>,
        /// The options every driver shares.
        pub base: BaseLogDriverProps,
    }
}

props! {
    /// Options of the `fluentd` driver (EC2 only).
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct FluentdLogDriverProps {
        /// The daemon: `host:port` or `unix:///path`. Default: `localhost:24224`.
        pub address: Option<String>,
        /// Keep the container running while the daemon is unreachable. Default: false.
        pub async_connect: Option<bool>,
        /// Events buffered in memory. Default: the driver's (1048576).
        pub buffer_limit: Option<u32>,
        /// The wait between retries. Default: the driver's (1 s).
        pub retry_wait: Option<Duration>,
        /// Retries before giving up. Default: the driver's.
        pub max_retries: Option<u32>,
        /// Nanosecond timestamps. Default: false.
        pub sub_second_precision: Option<bool>,
        /// The options every driver shares.
        pub base: BaseLogDriverProps,
    }
}

/// The message format of the `splunk` driver.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SplunkLogFormat {
    /// `inline` (the default).
    Inline,
    /// `json`.
    Json,
    /// `raw`.
    Raw,
}

props! {
    /// Options of the `splunk` driver: the HTTP Event Collector token comes from a
    /// secret (never in the template), which the execution role may read.
    #[derive(Clone, Debug, PartialEq)]
    pub struct SplunkLogDriverProps {
        /// The HTTP Event Collector URL (`https://splunk.example.com:8088`). Required.
        pub url: String,
        /// The HEC token. Required.
        pub secret_token: Secret,
        /// The event source. Default: none.
        pub source: Option<String>,
        /// The event source type. Default: none.
        pub source_type: Option<String>,
        /// The index. Default: none.
        pub index: Option<String>,
        /// The path of the root certificate. Default: none.
        pub ca_path: Option<String>,
        /// The name to check the server's certificate against. Default: the URL's host.
        pub ca_name: Option<String>,
        /// Skip the server's certificate check. Default: false.
        pub insecure_skip_verify: Option<bool>,
        /// The message format. Default: inline.
        pub format: Option<SplunkLogFormat>,
        /// Check the connection on start. Default: true.
        pub verify_connection: Option<bool>,
        /// Gzip the events. Default: false.
        pub gzip: Option<bool>,
        /// The gzip level, -1 (default) to 9. Default: -1.
        pub gzip_level: Option<i32>,
        /// The options every driver shares.
        pub base: BaseLogDriverProps,
    }
}

impl SplunkLogDriverProps {
    /// Events to `url`, authenticated with the token in `secret_token`.
    pub fn new(url: impl Into<String>, secret_token: Secret) -> SplunkLogDriverProps {
        SplunkLogDriverProps {
            url: url.into(),
            secret_token,
            source: None,
            source_type: None,
            index: None,
            ca_path: None,
            ca_name: None,
            insecure_skip_verify: None,
            format: None,
            verify_connection: None,
            gzip: None,
            gzip_level: None,
            base: BaseLogDriverProps::default(),
        }
    }
}

props! {
    /// Options of the `syslog` driver (EC2 only).
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct SyslogLogDriverProps {
        /// The server: `udp://`, `tcp://`, `tcp+tls://host:port`, `unix://` or
        /// `unixgram:///path`. Default: the instance's syslog.
        pub address: Option<String>,
        /// The facility (`daemon`, `local0`, ...). Default: `daemon`.
        pub facility: Option<String>,
        /// The CA certificate's path (TLS). Default: none.
        pub tls_ca_cert: Option<String>,
        /// The client certificate's path (TLS). Default: none.
        pub tls_cert: Option<String>,
        /// The client key's path (TLS). Default: none.
        pub tls_key: Option<String>,
        /// Skip the server's certificate check (TLS). Default: false.
        pub tls_skip_verify: Option<bool>,
        /// `rfc5424`, `rfc5424micro` or `rfc3164`. Default: the driver's.
        pub format: Option<String>,
        /// The options every driver shares.
        pub base: BaseLogDriverProps,
    }
}

props! {
    /// Options of the `gelf` driver (Graylog; EC2 only).
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct GelfLogDriverProps {
        /// The server: `udp://host:12201` or `tcp://host:12201`. Required.
        pub address: String,
        /// `gzip`, `zlib` or `none` (UDP only). Default: `gzip`.
        pub compression_type: Option<String>,
        /// -1 to 9 (UDP only). Default: the driver's.
        pub compression_level: Option<i32>,
        /// Reconnections before giving up (TCP only). Default: 3.
        pub tcp_max_reconnect: Option<u32>,
        /// The wait between reconnections (TCP only). Default: 1 s.
        pub tcp_reconnect_delay: Option<Duration>,
        /// The options every driver shares.
        pub base: BaseLogDriverProps,
    }
}

impl GelfLogDriverProps {
    /// Messages to `address` (`udp://graylog.internal:12201`).
    pub fn new(address: impl Into<String>) -> GelfLogDriverProps {
        GelfLogDriverProps {
            address: address.into(),
            ..Default::default()
        }
    }
}

props! {
    /// Options of the `journald` driver (EC2 only).
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct JournaldLogDriverProps {
        /// The options every driver shares.
        pub base: BaseLogDriverProps,
    }
}

props! {
    /// Any log driver by name, with its options as Docker takes them.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct GenericLogDriverProps {
        /// The driver's name. Required.
        pub log_driver: String,
        /// Its options. Default: none.
        pub options: IndexMap<String, Value>,
        /// Options whose values come from secrets; the execution role may read them.
        /// Default: none.
        pub secret_options: IndexMap<String, Secret>,
    }
}

/// A container's log driver.
#[derive(Clone, Debug, PartialEq)]
pub enum LogDriver {
    /// CloudWatch Logs through `awslogs`; the execution role is granted
    /// `logs:CreateLogStream` and `logs:PutLogEvents` on exactly the log group.
    AwsLogs(AwsLogDriverProps),
    /// `awsfirelens`: to the task's FireLens log router.
    Firelens(FireLensLogDriverProps),
    /// `json-file` (EC2).
    JsonFile(JsonFileLogDriverProps),
    /// `fluentd` (EC2).
    Fluentd(FluentdLogDriverProps),
    /// `splunk`.
    Splunk(SplunkLogDriverProps),
    /// `syslog` (EC2).
    Syslog(SyslogLogDriverProps),
    /// `gelf` (EC2).
    Gelf(GelfLogDriverProps),
    /// `journald` (EC2).
    Journald(JournaldLogDriverProps),
    /// `none`: no logs (EC2).
    None,
    /// Any other driver, by name.
    Generic(GenericLogDriverProps),
}

impl LogDriver {
    /// The `awslogs` driver.
    pub fn aws_logs(props: AwsLogDriverProps) -> LogDriver {
        LogDriver::AwsLogs(props)
    }
    /// The `awsfirelens` driver.
    pub fn firelens(props: FireLensLogDriverProps) -> LogDriver {
        LogDriver::Firelens(props)
    }
    /// The `json-file` driver.
    pub fn json_file(props: JsonFileLogDriverProps) -> LogDriver {
        LogDriver::JsonFile(props)
    }
    /// The `fluentd` driver.
    pub fn fluentd(props: FluentdLogDriverProps) -> LogDriver {
        LogDriver::Fluentd(props)
    }
    /// The `splunk` driver.
    pub fn splunk(props: SplunkLogDriverProps) -> LogDriver {
        LogDriver::Splunk(props)
    }
    /// The `syslog` driver.
    pub fn syslog(props: SyslogLogDriverProps) -> LogDriver {
        LogDriver::Syslog(props)
    }
    /// The `gelf` driver.
    pub fn gelf(props: GelfLogDriverProps) -> LogDriver {
        LogDriver::Gelf(props)
    }
    /// The `journald` driver.
    pub fn journald(props: JournaldLogDriverProps) -> LogDriver {
        LogDriver::Journald(props)
    }
    /// The `none` driver: the container's output is dropped.
    pub fn none() -> LogDriver {
        LogDriver::None
    }
    /// Any driver by name.
    pub fn generic(props: GenericLogDriverProps) -> LogDriver {
        LogDriver::Generic(props)
    }

    /// The driver's name in ECS.
    pub fn name(&self) -> &str {
        match self {
            LogDriver::AwsLogs(_) => "awslogs",
            LogDriver::Firelens(_) => "awsfirelens",
            LogDriver::JsonFile(_) => "json-file",
            LogDriver::Fluentd(_) => "fluentd",
            LogDriver::Splunk(_) => "splunk",
            LogDriver::Syslog(_) => "syslog",
            LogDriver::Gelf(_) => "gelf",
            LogDriver::Journald(_) => "journald",
            LogDriver::None => "none",
            LogDriver::Generic(g) => &g.log_driver,
        }
    }

    /// Whether Fargate runs it (`awslogs`, `splunk`, `awsfirelens`).
    pub fn on_fargate(&self) -> bool {
        matches!(self.name(), "awslogs" | "splunk" | "awsfirelens")
    }
}

impl From<AwsLogDriverProps> for LogDriver {
    fn from(props: AwsLogDriverProps) -> Self {
        LogDriver::AwsLogs(props)
    }
}

impl From<FireLensLogDriverProps> for LogDriver {
    fn from(props: FireLensLogDriverProps) -> Self {
        LogDriver::Firelens(props)
    }
}

impl crate::props::IntoProp<Option<LogDriver>> for AwsLogDriverProps {
    fn into_prop(self) -> Option<LogDriver> {
        Some(LogDriver::AwsLogs(self))
    }
}

impl crate::props::IntoProp<Option<LogDriver>> for FireLensLogDriverProps {
    fn into_prop(self) -> Option<LogDriver> {
        Some(LogDriver::Firelens(self))
    }
}

type Check = std::result::Result<(), (&'static str, String)>;

/// Checks a log driver's options: `Err((field, message))`.
pub(crate) fn check_log_driver(driver: &LogDriver) -> Check {
    let empty = |v: &str| v.trim().is_empty();
    let no_secret = |field: &'static str, name: &str, s: &Secret| -> Check {
        if s.is_empty() {
            return Err((field, format!("the secret of {name} has no source: give an SSM parameter or a Secrets Manager secret")));
        }
        Ok(())
    };
    match driver {
        LogDriver::AwsLogs(p) => {
            if empty(&p.stream_prefix) {
                return Err((
                    "stream_prefix",
                    "the awslogs driver needs a stream prefix, e.g. \"web\"".into(),
                ));
            }
            if p.log_group.is_some() && p.retention.is_some() {
                return Err((
                    "retention",
                    "retention applies to the log group berth creates; it cannot be combined with log_group (set the retention on that log group)".into(),
                ));
            }
        }
        LogDriver::Firelens(p) => {
            if let Some(c) = &p.cloudwatch {
                if empty(&c.stream_prefix) {
                    return Err((
                        "cloudwatch.stream_prefix",
                        "a CloudWatch output needs a stream prefix, e.g. \"web/\"".into(),
                    ));
                }
                if c.log_group.is_some() && c.retention.is_some() {
                    return Err(("cloudwatch.retention", "retention applies to the log group berth creates; it cannot be combined with log_group".into()));
                }
                if p.options.contains_key("Name") {
                    return Err(("options", "the CloudWatch output sets Name (cloudwatch_logs); leave Name out of the options, or leave cloudwatch out".into()));
                }
            } else if !p.options.contains_key("Name") {
                return Err(("options", "a FireLens output needs a Name option (the Fluent Bit plugin: cloudwatch_logs, kinesis_firehose, s3, ...), or use FireLensLogDriverProps::cloudwatch_logs".into()));
            }
            for (k, s) in &p.secret_options {
                no_secret("secret_options", k, s)?;
            }
        }
        LogDriver::JsonFile(p) => {
            if let Some(s) = &p.max_size {
                let (n, unit) = s.split_at(s.trim_end_matches(['k', 'm', 'g']).len());
                if n.is_empty() || !n.chars().all(|c| c.is_ascii_digit()) || unit.len() > 1 {
                    return Err((
                        "max_size",
                        format!("\"{s}\" is not a size such as 10m, 512k or 1g"),
                    ));
                }
            }
            if p.max_file == Some(0) {
                return Err(("max_file", "keep at least 1 file".into()));
            }
            if p.max_file.is_some() && p.max_size.is_none() {
                return Err((
                    "max_file",
                    "max_file rotates files, which needs max_size".into(),
                ));
            }
        }
        LogDriver::Fluentd(p) => {
            if let Some(a) = &p.address {
                if empty(a) {
                    return Err((
                        "address",
                        "give host:port or unix:///path, or leave address out".into(),
                    ));
                }
            }
        }
        LogDriver::Splunk(p) => {
            if !(p.url.starts_with("https://") || p.url.starts_with("http://")) {
                return Err(("url", format!("\"{}\" is not an http(s) URL of a Splunk HTTP Event Collector, e.g. https://splunk.example.com:8088", p.url)));
            }
            no_secret("secret_token", "splunk-token", &p.secret_token)?;
            if let Some(l) = p.gzip_level {
                if !(-1..=9).contains(&l) {
                    return Err((
                        "gzip_level",
                        format!("{l} is out of range; allowed: -1 to 9"),
                    ));
                }
            }
        }
        LogDriver::Syslog(p) => {
            if let Some(a) = &p.address {
                let schemes = ["udp://", "tcp://", "tcp+tls://", "unix://", "unixgram://"];
                if !schemes.iter().any(|s| a.starts_with(s)) {
                    return Err(("address", format!("\"{a}\" needs a scheme: udp://, tcp://, tcp+tls://, unix:// or unixgram://")));
                }
            }
        }
        LogDriver::Gelf(p) => {
            if !(p.address.starts_with("udp://") || p.address.starts_with("tcp://")) {
                return Err(("address", format!("\"{}\" is not a GELF address such as udp://graylog.internal:12201 or tcp://...", p.address)));
            }
            if let Some(l) = p.compression_level {
                if !(-1..=9).contains(&l) {
                    return Err((
                        "compression_level",
                        format!("{l} is out of range; allowed: -1 to 9"),
                    ));
                }
            }
            if let Some(t) = &p.compression_type {
                if !matches!(t.as_str(), "gzip" | "zlib" | "none") {
                    return Err((
                        "compression_type",
                        format!("\"{t}\" is not one of gzip, zlib, none"),
                    ));
                }
            }
        }
        LogDriver::Journald(_) | LogDriver::None => {}
        LogDriver::Generic(g) => {
            if empty(&g.log_driver) {
                return Err(("log_driver", "a generic log driver needs its name".into()));
            }
            for (k, s) in &g.secret_options {
                no_secret("secret_options", k, s)?;
            }
        }
    }
    Ok(())
}

/// A rendered log driver: its name, options and secret options.
pub(crate) struct RenderedLogDriver {
    pub(crate) driver: String,
    pub(crate) options: IndexMap<String, Expr<String>>,
    /// `(name, valueFrom)`.
    pub(crate) secret_options: Vec<(String, Value)>,
}

impl RenderedLogDriver {
    /// The container's L1 log configuration.
    pub(crate) fn container_l1(self) -> td::LogConfiguration {
        td::LogConfiguration {
            log_driver: Some(self.driver.into()),
            options: (!self.options.is_empty()).then(|| Expr::Lit(self.options)),
            secret_options: (!self.secret_options.is_empty()).then(|| {
                Expr::Lit(
                    self.secret_options
                        .into_iter()
                        .map(|(name, value)| td::Secret {
                            name: Some(name.into()),
                            value_from: Some(value_expr(value)),
                        })
                        .collect(),
                )
            }),
        }
    }
}

/// A new log group `LogGroup` under `scope`, or the one given.
fn log_group(
    app: &mut App,
    scope: NodeId,
    given: Option<LogGroup>,
    retention: Option<RetentionDays>,
) -> Result<LogGroup> {
    match given {
        Some(g) => Ok(g),
        None => LogGroup::new(
            app,
            scope,
            "LogGroup",
            LogGroupProps {
                retention: retention.unwrap_or(RetentionDays::OneMonth),
                ..Default::default()
            },
        ),
    }
}

/// Renders a (checked) log driver: creates its log group `LogGroup` under `scope` when
/// one is needed and none is given, grants what the driver needs (the execution role:
/// write on an `awslogs` group, read on secret options; the task role: write on a
/// FireLens CloudWatch group), and returns the driver's name, options and secret
/// options (shared by containers and Service Connect).
pub(crate) fn render_log_driver(
    app: &mut App,
    task_def: &dyn super::container::ExecutionRoleOwner,
    scope: NodeId,
    driver: &LogDriver,
) -> Result<RenderedLogDriver> {
    let mut options: IndexMap<String, Expr<String>> = IndexMap::new();
    let mut secrets: Vec<(String, &Secret)> = Vec::new();
    let yes_no = |b: bool| if b { "true" } else { "false" }.to_owned();
    {
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                options.insert(k.to_owned(), v.into());
            }
        };
        match driver {
            LogDriver::AwsLogs(p) => {
                let group = log_group(app, scope, p.log_group, p.retention)?;
                let role = task_def.execution_role(app)?;
                group.grant_write(app, &role)?;
                options.insert("awslogs-group".into(), group.log_group_name().into());
                options.insert(
                    "awslogs-stream-prefix".into(),
                    p.stream_prefix.clone().into(),
                );
                options.insert("awslogs-region".into(), Pseudo::Region.token().into());
                if let Some(m) = p.mode {
                    let mode = match m {
                        AwsLogDriverMode::Blocking => "blocking",
                        AwsLogDriverMode::NonBlocking => "non-blocking",
                    };
                    options.insert("mode".into(), mode.into());
                }
            }
            LogDriver::Firelens(p) => {
                if let Some(c) = &p.cloudwatch {
                    let group = log_group(app, scope, c.log_group, c.retention)?;
                    // The router sends with the task's role.
                    group.grant_write(app, task_def)?;
                    options.insert("Name".into(), "cloudwatch_logs".into());
                    options.insert("region".into(), Pseudo::Region.token().into());
                    options.insert("log_group_name".into(), group.log_group_name().into());
                    options.insert("log_stream_prefix".into(), c.stream_prefix.clone().into());
                }
                for (k, v) in &p.options {
                    options.insert(k.clone(), value_expr(v.clone()));
                }
                secrets.extend(p.secret_options.iter().map(|(k, s)| (k.clone(), s)));
            }
            LogDriver::JsonFile(p) => {
                put("max-size", p.max_size.clone());
                put("max-file", p.max_file.map(|n| n.to_string()));
                put("compress", p.compress.map(yes_no));
                p.base.render(&mut options);
            }
            LogDriver::Fluentd(p) => {
                put("fluentd-address", p.address.clone());
                put("fluentd-async", p.async_connect.map(yes_no));
                put(
                    "fluentd-buffer-limit",
                    p.buffer_limit.map(|n| n.to_string()),
                );
                put(
                    "fluentd-retry-wait",
                    p.retry_wait.map(|d| format!("{}s", d.as_secs())),
                );
                put("fluentd-max-retries", p.max_retries.map(|n| n.to_string()));
                put(
                    "fluentd-sub-second-precision",
                    p.sub_second_precision.map(yes_no),
                );
                p.base.render(&mut options);
            }
            LogDriver::Splunk(p) => {
                put("splunk-url", Some(p.url.clone()));
                put("splunk-source", p.source.clone());
                put("splunk-sourcetype", p.source_type.clone());
                put("splunk-index", p.index.clone());
                put("splunk-capath", p.ca_path.clone());
                put("splunk-caname", p.ca_name.clone());
                put(
                    "splunk-insecureskipverify",
                    p.insecure_skip_verify.map(yes_no),
                );
                put(
                    "splunk-format",
                    p.format.map(|f| {
                        match f {
                            SplunkLogFormat::Inline => "inline",
                            SplunkLogFormat::Json => "json",
                            SplunkLogFormat::Raw => "raw",
                        }
                        .to_owned()
                    }),
                );
                put("splunk-verify-connection", p.verify_connection.map(yes_no));
                put("splunk-gzip", p.gzip.map(yes_no));
                put("splunk-gzip-level", p.gzip_level.map(|n| n.to_string()));
                p.base.render(&mut options);
                secrets.push(("splunk-token".into(), &p.secret_token));
            }
            LogDriver::Syslog(p) => {
                put("syslog-address", p.address.clone());
                put("syslog-facility", p.facility.clone());
                put("syslog-tls-ca-cert", p.tls_ca_cert.clone());
                put("syslog-tls-cert", p.tls_cert.clone());
                put("syslog-tls-key", p.tls_key.clone());
                put("syslog-tls-skip-verify", p.tls_skip_verify.map(yes_no));
                put("syslog-format", p.format.clone());
                p.base.render(&mut options);
            }
            LogDriver::Gelf(p) => {
                put("gelf-address", Some(p.address.clone()));
                put("gelf-compression-type", p.compression_type.clone());
                put(
                    "gelf-compression-level",
                    p.compression_level.map(|n| n.to_string()),
                );
                put(
                    "gelf-tcp-max-reconnect",
                    p.tcp_max_reconnect.map(|n| n.to_string()),
                );
                put(
                    "gelf-tcp-reconnect-delay",
                    p.tcp_reconnect_delay.map(|d| d.as_secs().to_string()),
                );
                p.base.render(&mut options);
            }
            LogDriver::Journald(p) => p.base.render(&mut options),
            LogDriver::None => {}
            LogDriver::Generic(g) => {
                for (k, v) in &g.options {
                    options.insert(k.clone(), value_expr(v.clone()));
                }
                secrets.extend(g.secret_options.iter().map(|(k, s)| (k.clone(), s)));
            }
        }
    }
    let mut secret_options = Vec::new();
    if !secrets.is_empty() {
        let role = task_def.execution_role(app)?;
        for (name, secret) in secrets {
            secret.grant_read(app, &role)?;
            secret_options.push((name, secret.value_from()));
        }
    }
    Ok(RenderedLogDriver {
        driver: driver.name().to_owned(),
        options,
        secret_options,
    })
}

/// The log router's type.
pub use td::FirelensConfigurationType as FirelensLogRouterType;

/// The SSM parameter naming the regional AWS for Fluent Bit image: the `stable` tag,
/// which AWS recommends for production (CDK uses `latest`).
pub const AWS_FOR_FLUENT_BIT_PARAMETER: &str = "/aws/service/aws-for-fluent-bit/stable";

/// A custom configuration file for the log router.
#[derive(Clone, Debug, PartialEq)]
pub enum FirelensConfigFile {
    /// A file in the router's image (e.g. `/fluent-bit/configs/parse-json.conf`, which
    /// AWS for Fluent Bit ships). The only kind Fargate takes.
    File(String),
    /// An object in S3 (EC2 only): the execution role may read it (`s3:GetObject` on
    /// the object, `s3:GetBucketLocation` on the bucket).
    S3 {
        /// The bucket's ARN.
        bucket_arn: Value,
        /// The object's key.
        key: String,
    },
}

impl FirelensConfigFile {
    /// An object of a bucket of the app.
    pub fn s3(bucket: &crate::s3::Bucket, key: impl Into<String>) -> FirelensConfigFile {
        FirelensConfigFile::S3 {
            bucket_arn: bucket.bucket_arn().into(),
            key: key.into(),
        }
    }
}

props! {
    /// A FireLens log router ([`crate::ecs::TaskDefinition::add_firelens_log_router`],
    /// CDK's `FirelensLogRouterDefinitionOptions`): AWS for Fluent Bit by default, with
    /// its own logs to CloudWatch (`awslogs`, stream prefix `firelens`, a new log group
    /// with a month's retention) and 50 MiB reserved, as CDK's default router.
    #[derive(Clone, Debug, PartialEq)]
    pub struct FirelensLogRouterOptions {
        /// Fluent Bit or Fluentd. Default: Fluent Bit.
        pub router_type: FirelensLogRouterType,
        /// Add ECS metadata (cluster, task, container) to each record. Default: not
        /// rendered (true).
        pub enable_ecs_log_metadata: Option<bool>,
        /// A custom configuration file. Default: none.
        pub config_file: Option<FirelensConfigFile>,
        /// The router container. Its image defaults to the regional AWS for Fluent Bit
        /// image ([`AWS_FOR_FLUENT_BIT_PARAMETER`], resolved at deploy; the execution
        /// role may pull it), its logging to `awslogs` as above, its memory reservation
        /// to 50 MiB. Default: those defaults, essential.
        pub container: super::ContainerDefinitionOptions,
    }
}

impl Default for FirelensLogRouterOptions {
    fn default() -> Self {
        FirelensLogRouterOptions {
            router_type: FirelensLogRouterType::Fluentbit,
            enable_ecs_log_metadata: None,
            config_file: None,
            container: super::ContainerDefinitionOptions::default(),
        }
    }
}
