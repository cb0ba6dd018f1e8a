//! Reading container logs from CloudWatch Logs: where a task definition's containers
//! log (the `awslogs` driver's group and stream prefix, or FireLens to CloudWatch),
//! fetching and interleaving streams in time order, following them (live tail, or
//! polling when live tail is not available), and the last lines of a crashed container.

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::time::Duration;

use super::api::{ContainerDef, LogEvent, LogQuery, OpsApi, TaskDefinitionInfo};
use super::{short_task, OpsError};
use crate::deploy::api::ApiError;

/// Where one container's logs go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSource {
    /// The container name.
    pub container: String,
    /// The log group.
    pub group: String,
    /// The group's region, when the driver names one.
    pub region: Option<String>,
    /// How a task's stream is named: `{prefix}/{container}/{task}` (awslogs) or
    /// `{prefix}{container}-firelens-{task}` (FireLens).
    pub layout: StreamLayout,
}

/// How stream names are built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamLayout {
    /// `awslogs` with `awslogs-stream-prefix`.
    AwsLogs {
        /// The prefix.
        prefix: String,
    },
    /// `awslogs` without a prefix: streams are named by container id.
    AwsLogsNoPrefix,
    /// FireLens' CloudWatch output (`log_stream_prefix`).
    FireLens {
        /// The prefix.
        prefix: String,
    },
}

impl LogSource {
    /// The stream name prefix that holds every task of this container.
    pub fn container_prefix(&self) -> Option<String> {
        match &self.layout {
            StreamLayout::AwsLogs { prefix } => Some(format!("{prefix}/{}/", self.container)),
            StreamLayout::AwsLogsNoPrefix => None,
            StreamLayout::FireLens { prefix } => {
                Some(format!("{prefix}{}-firelens-", self.container))
            }
        }
    }

    /// The stream of one task.
    pub fn stream_of(&self, task_id: &str) -> Option<String> {
        self.container_prefix().map(|p| format!("{p}{task_id}"))
    }

    /// The task id of a stream of this source.
    pub fn task_of<'s>(&self, stream: &'s str) -> Option<&'s str> {
        self.container_prefix()
            .and_then(|p| stream.strip_prefix(p.as_str()))
    }
}

fn source_of(c: &ContainerDef) -> Result<LogSource, String> {
    let Some(log) = &c.log else {
        return Err(format!(
            "container {} has no log configuration (docker's default json-file driver)",
            c.name
        ));
    };
    let opt = |k: &str| log.options.get(k).cloned();
    match log.driver.as_str() {
        "awslogs" => {
            let group = opt("awslogs-group")
                .ok_or_else(|| format!("container {} has awslogs without a group", c.name))?;
            Ok(LogSource {
                container: c.name.clone(),
                group,
                region: opt("awslogs-region"),
                layout: match opt("awslogs-stream-prefix") {
                    Some(prefix) => StreamLayout::AwsLogs { prefix },
                    None => StreamLayout::AwsLogsNoPrefix,
                },
            })
        }
        "awsfirelens" => {
            let cloudwatch = matches!(
                opt("Name").as_deref(),
                Some("cloudwatch") | Some("cloudwatch_logs")
            );
            match (cloudwatch, opt("log_group_name")) {
                (true, Some(group)) => Ok(LogSource {
                    container: c.name.clone(),
                    group,
                    region: opt("region"),
                    layout: StreamLayout::FireLens {
                        prefix: opt("log_stream_prefix").unwrap_or_default(),
                    },
                }),
                _ => Err(format!(
                    "container {} routes its logs through FireLens to {}",
                    c.name,
                    opt("Name").unwrap_or_else(|| "an output berth cannot read".into())
                )),
            }
        }
        other => Err(format!("container {} uses the {other} log driver", c.name)),
    }
}

/// The log sources of a task definition's containers (all, or the one named). The
/// containers that do not log to CloudWatch are returned as notes; when none does, or
/// the named one does not, it is an error.
pub fn sources(
    td: &TaskDefinitionInfo,
    container: Option<&str>,
    path: &str,
) -> Result<(Vec<LogSource>, Vec<String>), OpsError> {
    let chosen: Vec<&ContainerDef> = match container {
        Some(name) => {
            let c = td
                .containers
                .iter()
                .find(|c| c.name == name)
                .ok_or_else(|| OpsError::NoContainer {
                    path: path.into(),
                    name: name.into(),
                    available: td.containers.iter().map(|c| c.name.clone()).collect(),
                })?;
            vec![c]
        }
        None => td.containers.iter().collect(),
    };
    let mut ok = Vec::new();
    let mut notes = Vec::new();
    for c in chosen {
        match source_of(c) {
            Ok(s) => ok.push(s),
            Err(why) => notes.push(why),
        }
    }
    if ok.is_empty() {
        return Err(OpsError::NoCloudWatchLogs {
            path: path.into(),
            drivers: notes,
        });
    }
    Ok((ok, notes))
}

/// Which streams to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Only these task ids (empty: every task).
    pub tasks: Vec<String>,
    /// From (ms since the epoch).
    pub start: Option<i64>,
    /// To (ms since the epoch).
    pub end: Option<i64>,
    /// A CloudWatch Logs filter pattern.
    pub pattern: Option<String>,
}

/// A log line with its readable origin.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Line {
    /// The event.
    #[serde(flatten)]
    pub event: LogEvent,
    /// The container.
    pub container: String,
    /// The task id, when the stream name tells it.
    pub task: Option<String>,
}

impl Line {
    /// `task/container`, as the prefix of printed lines.
    pub fn label(&self) -> String {
        match &self.task {
            Some(t) => format!("{}/{}", short_task(t), self.container),
            None => format!("{}/{}", self.event.stream, self.container),
        }
    }
}

fn label_event(sources: &[LogSource], e: LogEvent) -> Line {
    for s in sources {
        if s.group != e.group {
            continue;
        }
        if let Some(task) = s.task_of(&e.stream) {
            return Line {
                container: s.container.clone(),
                task: Some(task.to_string()),
                event: e,
            };
        }
    }
    let container = sources
        .iter()
        .find(|s| s.group == e.group && s.layout == StreamLayout::AwsLogsNoPrefix)
        .map(|s| s.container.clone())
        .unwrap_or_else(|| "?".into());
    Line {
        container,
        task: None,
        event: e,
    }
}

/// The queries that cover `sources` and `selection`.
fn queries(sources: &[LogSource], sel: &Selection) -> Vec<LogQuery> {
    let mut out: Vec<LogQuery> = Vec::new();
    for s in sources {
        let base = LogQuery {
            group: s.group.clone(),
            start: sel.start,
            end: sel.end,
            pattern: sel.pattern.clone(),
            ..Default::default()
        };
        if sel.tasks.is_empty() {
            out.push(LogQuery {
                stream_prefix: s.container_prefix(),
                ..base
            });
        } else {
            let streams: Vec<String> = sel.tasks.iter().filter_map(|t| s.stream_of(t)).collect();
            for chunk in streams.chunks(100) {
                out.push(LogQuery {
                    streams: chunk.to_vec(),
                    ..base.clone()
                });
            }
        }
    }
    out.dedup();
    out
}

/// The most pages one query reads (a bound on time and calls).
const MAX_PAGES: usize = 200;

/// Reads the selected lines, oldest first; with `limit`, only the newest `limit`.
pub async fn fetch(
    api: &dyn OpsApi,
    sources: &[LogSource],
    sel: &Selection,
    limit: Option<usize>,
) -> Result<Vec<Line>, ApiError> {
    let mut events: Vec<LogEvent> = Vec::new();
    for mut q in queries(sources, sel) {
        for _ in 0..MAX_PAGES {
            let page = match api.filter_log_events(&q).await {
                Ok(p) => p,
                // A group that does not exist yet has no lines.
                Err(ApiError::Service { code, .. }) if code == "ResourceNotFoundException" => break,
                Err(e) => return Err(e),
            };
            // Keep only what the query asked for (moto ignores `logStreamNamePrefix`).
            events.extend(page.events.into_iter().filter(|e| {
                (q.streams.is_empty() || q.streams.contains(&e.stream))
                    && q.stream_prefix
                        .as_ref()
                        .is_none_or(|p| e.stream.starts_with(p.as_str()))
            }));
            if let Some(l) = limit {
                // Keep memory bounded: only the newest `limit` of each query matter.
                if events.len() > 4 * l + 10_000 {
                    events.sort_by_key(|e| e.timestamp);
                    let cut = events.len() - l;
                    events.drain(..cut);
                }
            }
            match page.next_token {
                Some(t) if Some(&t) != q.next_token.as_ref() => q.next_token = Some(t),
                _ => break,
            }
        }
    }
    events.sort_by(|a, b| (a.timestamp, &a.stream).cmp(&(b.timestamp, &b.stream)));
    if let Some(l) = limit {
        let cut = events.len().saturating_sub(l);
        events.drain(..cut);
    }
    Ok(events
        .into_iter()
        .map(|e| label_event(sources, e))
        .collect())
}

/// The colors of stream prefixes, by order of first appearance.
const COLORS: [console::Color; 6] = [
    console::Color::Cyan,
    console::Color::Magenta,
    console::Color::Yellow,
    console::Color::Green,
    console::Color::Blue,
    console::Color::Red,
];

/// Prints lines: `task/container message`, the prefix colored per stream on a terminal;
/// or one JSON object per line.
#[derive(Debug, Default)]
pub struct Printer {
    /// Colors on.
    pub color: bool,
    /// JSON lines.
    pub json: bool,
    streams: Vec<String>,
}

impl Printer {
    /// A printer for a terminal (`color`) or not, text or JSON.
    pub fn new(color: bool, json: bool) -> Printer {
        Printer {
            color,
            json,
            streams: Vec::new(),
        }
    }

    /// The rendering of one line.
    pub fn render(&mut self, line: &Line) -> String {
        if self.json {
            let v = serde_json::json!({
                "time": super::rfc3339_ms(line.event.timestamp),
                "timestamp": line.event.timestamp,
                "task": line.task,
                "container": line.container,
                "group": line.event.group,
                "stream": line.event.stream,
                "message": line.event.message,
            });
            return v.to_string();
        }
        let label = line.label();
        let message = line.event.message.trim_end_matches(['\n', '\r']);
        if !self.color {
            return format!("{label} {message}");
        }
        let key = format!("{}/{}", line.event.group, line.event.stream);
        let i = match self.streams.iter().position(|s| *s == key) {
            Some(i) => i,
            None => {
                self.streams.push(key);
                self.streams.len() - 1
            }
        };
        let styled = console::style(label)
            .fg(COLORS[i % COLORS.len()])
            .force_styling(true);
        format!("{styled} {message}")
    }
}

/// Remembers which events were printed while following (polls overlap). Events are
/// known by content (group, stream, time, message) and by how often that content came
/// in one batch, so that identical lines at the same millisecond are all kept, and event
/// ids (which not every endpoint keeps stable) are not relied on.
#[derive(Debug, Default)]
pub struct Seen {
    set: HashSet<String>,
    order: VecDeque<String>,
    batch: std::collections::HashMap<String, usize>,
}

impl Seen {
    /// Starts a new batch (one fetch of overlapping results).
    pub fn new_batch(&mut self) {
        self.batch.clear();
    }

    /// Whether `e` is new (and remembers it).
    pub fn first_time(&mut self, e: &LogEvent) -> bool {
        let content = format!(
            "{}\u{0}{}\u{0}{}\u{0}{}",
            e.group, e.stream, e.timestamp, e.message
        );
        let n = self.batch.entry(content.clone()).or_insert(0);
        *n += 1;
        let key = format!("{content}\u{0}{n}");
        if !self.set.insert(key.clone()) {
            return false;
        }
        self.order.push_back(key);
        if self.order.len() > 50_000 {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
        true
    }
}

/// How following works.
#[derive(Debug, Clone, Copy)]
pub struct FollowOptions {
    /// Time between polls when live tail is not available.
    pub poll: Duration,
    /// How long polls look back (CloudWatch takes a moment to make new events visible).
    pub overlap_ms: i64,
}

impl Default for FollowOptions {
    fn default() -> Self {
        FollowOptions {
            poll: Duration::from_secs(2),
            overlap_ms: 30_000,
        }
    }
}

/// The log group ARNs of `sources` (for live tail), from the task definition's ARN.
pub fn group_arns(td_arn: &str, sources: &[LogSource]) -> Vec<String> {
    let parts: Vec<&str> = td_arn.split(':').collect();
    let partition = parts.get(1).copied().unwrap_or("aws");
    let region = parts.get(3).copied().unwrap_or("us-east-1");
    let account = parts.get(4).copied().unwrap_or("");
    let groups: BTreeSet<(String, String)> = sources
        .iter()
        .map(|s| {
            (
                s.group.clone(),
                s.region.clone().unwrap_or_else(|| region.to_string()),
            )
        })
        .collect();
    groups
        .into_iter()
        .map(|(g, r)| format!("arn:{partition}:logs:{r}:{account}:log-group:{g}"))
        .collect()
}

/// Where [`follow`] sends what it finds.
pub struct Callbacks<'a> {
    /// Each batch of new lines, in time order.
    pub emit: &'a mut (dyn FnMut(Vec<Line>) + Send),
    /// Notes (live tail not available, ...).
    pub note: &'a mut (dyn FnMut(String) + Send),
}

/// Follows the selected streams, calling `emit` with each batch of new lines (in time
/// order), until `stop` resolves. Tries live tail first; when it is not available, says
/// so through `note` and polls.
pub async fn follow(
    api: &dyn OpsApi,
    td_arn: &str,
    sources: &[LogSource],
    sel: &Selection,
    options: FollowOptions,
    seen: &mut Seen,
    to: Callbacks<'_>,
) -> Result<(), ApiError> {
    let Callbacks { emit, note } = to;
    // Live tail: one group with stream prefixes, or several groups (filtered here).
    let groups = group_arns(td_arn, sources);
    let prefixes: Vec<String> = if groups.len() == 1 {
        if sel.tasks.is_empty() {
            sources
                .iter()
                .filter_map(LogSource::container_prefix)
                .collect()
        } else {
            sources
                .iter()
                .flat_map(|s| sel.tasks.iter().filter_map(|t| s.stream_of(t)))
                .collect()
        }
    } else {
        Vec::new()
    };
    let wanted =
        |l: &Line| sel.tasks.is_empty() || l.task.as_ref().is_some_and(|t| sel.tasks.contains(t));
    let live = tokio::time::timeout(
        Duration::from_secs(10),
        api.live_tail(&groups, &prefixes, sel.pattern.as_deref()),
    )
    .await;
    match live {
        Ok(Ok(mut tail)) => {
            loop {
                match tokio::time::timeout(Duration::from_secs(3 * 3600), tail.next()).await {
                    Ok(Ok(Some(events))) => {
                        // Live tail sends each event once.
                        seen.new_batch();
                        let mut lines: Vec<Line> = events
                            .into_iter()
                            .filter(|e| seen.first_time(e))
                            .map(|e| label_event(sources, e))
                            .filter(|l| l.container != "?" && wanted(l))
                            .collect();
                        lines.sort_by_key(|l| l.event.timestamp);
                        if !lines.is_empty() {
                            emit(lines);
                        }
                    }
                    Ok(Ok(None)) | Err(_) => {
                        note(
                            "the live tail session ended (they last at most 3 hours): polling"
                                .into(),
                        );
                        break;
                    }
                    Ok(Err(e)) => {
                        note(format!("live tail stopped ({e}): polling"));
                        break;
                    }
                }
            }
        }
        Ok(Err(e)) => note(format!(
            "live tail is not available ({e}); polling every {} s",
            options.poll.as_secs_f64()
        )),
        Err(_) => note(format!(
            "live tail did not answer; polling every {} s",
            options.poll.as_secs_f64()
        )),
    }
    let mut since = sel.start.unwrap_or_else(super::now_ms);
    loop {
        let q = Selection {
            start: Some(since - options.overlap_ms),
            ..sel.clone()
        };
        seen.new_batch();
        let lines: Vec<Line> = fetch(api, sources, &q, None)
            .await?
            .into_iter()
            .filter(|l| seen.first_time(&l.event))
            .collect();
        if let Some(last) = lines.iter().map(|l| l.event.timestamp).max() {
            since = since.max(last);
        }
        if !lines.is_empty() {
            emit(lines);
        }
        tokio::time::sleep(options.poll).await;
    }
}

/// The last `n` lines of one container of a task, when it logs to CloudWatch Logs.
pub async fn tail_of(
    api: &dyn OpsApi,
    td: &TaskDefinitionInfo,
    container: &str,
    task_id: &str,
    n: i32,
) -> Result<Option<Vec<String>>, ApiError> {
    let Some(c) = td.containers.iter().find(|c| c.name == container) else {
        return Ok(None);
    };
    let Ok(source) = source_of(c) else {
        return Ok(None);
    };
    let Some(stream) = source.stream_of(task_id) else {
        return Ok(None);
    };
    match api.last_log_events(&source.group, &stream, n).await {
        Ok(events) => Ok(Some(events.into_iter().map(|e| e.message).collect())),
        Err(ApiError::Service { code, .. }) if code == "ResourceNotFoundException" => {
            Ok(Some(Vec::new()))
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::api::LogConfig;

    fn td(driver: &str, options: &[(&str, &str)]) -> TaskDefinitionInfo {
        TaskDefinitionInfo {
            arn: "arn:aws:ecs:eu-west-1:111122223333:task-definition/web:3".into(),
            family: "web".into(),
            revision: 3,
            network_mode: Some("awsvpc".into()),
            task_role_arn: None,
            containers: vec![ContainerDef {
                name: "web".into(),
                image: "nginx".into(),
                essential: true,
                log: Some(LogConfig {
                    driver: driver.into(),
                    options: options
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                }),
            }],
        }
    }

    #[test]
    fn awslogs_streams_are_prefix_container_task() {
        let (s, notes) = sources(
            &td(
                "awslogs",
                &[("awslogs-group", "/app"), ("awslogs-stream-prefix", "web")],
            ),
            None,
            "Web/TaskDef",
        )
        .unwrap();
        assert!(notes.is_empty());
        assert_eq!(s[0].stream_of("abc").as_deref(), Some("web/web/abc"));
        assert_eq!(s[0].task_of("web/web/abc"), Some("abc"));
        assert_eq!(
            group_arns(
                "arn:aws:ecs:eu-west-1:111122223333:task-definition/web:3",
                &s
            ),
            vec!["arn:aws:logs:eu-west-1:111122223333:log-group:/app"]
        );
    }

    #[test]
    fn firelens_to_cloudwatch_is_read_and_other_drivers_are_named() {
        let (s, _) = sources(
            &td(
                "awsfirelens",
                &[
                    ("Name", "cloudwatch_logs"),
                    ("log_group_name", "/fl"),
                    ("log_stream_prefix", "app-"),
                ],
            ),
            None,
            "Web/TaskDef",
        )
        .unwrap();
        assert_eq!(s[0].stream_of("t1").as_deref(), Some("app-web-firelens-t1"));
        let e = sources(&td("splunk", &[]), None, "Web/TaskDef").unwrap_err();
        assert_eq!(
            e.to_string(),
            "Web/TaskDef does not log to CloudWatch Logs: container web uses the splunk log driver; berth reads logs from CloudWatch Logs only: give the container a `LogDriver::aws_logs(...)` (or FireLens to CloudWatch) in the app"
        );
        let e = sources(
            &td("awslogs", &[("awslogs-group", "/a")]),
            Some("db"),
            "Web/TaskDef",
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("has no container named \"db\""),
            "{e}"
        );
    }
}
