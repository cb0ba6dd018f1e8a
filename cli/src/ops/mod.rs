//! Operating deployed services: `berth status`, `logs`, `run` (one-off tasks), `exec`
//! and `run --local`, and the failure diagnosis (log tails of crashed containers) that
//! deploy, hotswap, watch and run show.
//!
//! The AWS side sits behind [`api::OpsApi`] ([`aws::AwsOps`] over the SDK, the scripted
//! [`fake::FakeOps`] for what moto cannot serve). Services and task definitions are named
//! as `berth list --long` shows them: by construct path (`Web/Api/Service`) or any unique
//! `/`-separated suffix of it (`Api/Service`, `Service`), or by logical id.

pub mod api;
pub mod aws;
pub mod fake;
pub mod local;
pub mod logs;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::assembly::{Assembly, StackArtifact};
use crate::deploy::api::{ApiError, CloudFormationApi, StackInfo};
use crate::deploy::hotswap::Evaluator;
use crate::exit;
use crate::template::Resource;

/// `AWS::ECS::Service`.
pub const SERVICE: &str = "AWS::ECS::Service";
/// `AWS::ECS::TaskDefinition`.
pub const TASK_DEFINITION: &str = "AWS::ECS::TaskDefinition";

/// Why a day-two command cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// Nothing in the app matches the name.
    #[error("no {kind} matches {query:?}; the app has: {}", if .available.is_empty() { "none".to_string() } else { .available.join(", ") })]
    NoMatch {
        /// `service` or `service or task definition`.
        kind: &'static str,
        /// What the user asked for.
        query: String,
        /// What exists.
        available: Vec<String>,
    },
    /// Several match.
    #[error("{query:?} matches several {kind}s: {}; name one by a longer part of its construct path", .matches.join(", "))]
    Ambiguous {
        /// `service`, `task definition`.
        kind: &'static str,
        /// What the user asked for.
        query: String,
        /// The matches.
        matches: Vec<String>,
    },
    /// No name given and there is not exactly one candidate.
    #[error("the app has {} {kind}s ({}): name one", .available.len(), .available.join(", "))]
    NeedName {
        /// `service`, `task definition`.
        kind: &'static str,
        /// What exists.
        available: Vec<String>,
    },
    /// The stack or resource is not deployed.
    #[error("{what} is not deployed: run `berth deploy {stack}` first")]
    NotDeployed {
        /// The construct path (or the stack).
        what: String,
        /// The stack.
        stack: String,
    },
    /// A service's containers do not log to CloudWatch Logs.
    #[error("{path} does not log to CloudWatch Logs: {}; berth reads logs from CloudWatch Logs only: give the container a `LogDriver::aws_logs(...)` (or FireLens to CloudWatch) in the app", .drivers.join(", "))]
    NoCloudWatchLogs {
        /// The construct path.
        path: String,
        /// `container web uses the json-file log driver`, ...
        drivers: Vec<String>,
    },
    /// No container of that name.
    #[error("{path} has no container named {name:?}; its containers: {}", .available.join(", "))]
    NoContainer {
        /// The task definition's construct path.
        path: String,
        /// The name given.
        name: String,
        /// Its containers.
        available: Vec<String>,
    },
    /// A value the command needs cannot be worked out.
    #[error("{0}")]
    Unresolved(String),
    /// ECS Exec cannot work for this service; the text says what to change.
    #[error("{0}")]
    Exec(String),
    /// The Session Manager plugin is missing.
    #[error("the Session Manager plugin `{program}` was not found: install it (see https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html), or point {} at it", crate::ops::PLUGIN_ENV)]
    PluginMissing {
        /// The program looked for.
        program: String,
    },
    /// A command line value is malformed.
    #[error("{0}")]
    BadArgument(String),
    /// A local run failed (docker).
    #[error("{0}")]
    Local(String),
    /// An AWS call failed.
    #[error("AWS: {0}")]
    Api(#[from] ApiError),
}

impl OpsError {
    /// The exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            OpsError::BadArgument(_) => exit::USAGE,
            OpsError::Api(_) => exit::AWS,
            OpsError::Local(_) => exit::FAILED,
            _ => exit::APP,
        }
    }
}

/// The environment variable naming the Session Manager plugin.
pub const PLUGIN_ENV: &str = "BERTH_SESSION_MANAGER_PLUGIN";

/// What kind of workload a name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// An `AWS::ECS::Service`.
    Service,
    /// An `AWS::ECS::TaskDefinition`.
    TaskDefinition,
}

/// A service or task definition of the app.
#[derive(Debug, Clone)]
pub struct Workload<'a> {
    /// The stack it is in.
    pub stack: &'a StackArtifact,
    /// Its logical id.
    pub logical_id: String,
    /// Its display path (the construct path without the L1 child `Resource`/`Service`).
    pub path: String,
    /// Service or task definition.
    pub kind: Kind,
}

impl<'a> Workload<'a> {
    /// "not deployed" for this resource.
    pub fn not_deployed(&self) -> OpsError {
        OpsError::NotDeployed {
            what: self.path.clone(),
            stack: self.stack.stack_name.clone(),
        }
    }

    /// "not deployed" for its stack.
    pub fn stack_not_deployed(&self) -> OpsError {
        OpsError::NotDeployed {
            what: format!("stack {}", self.stack.stack_name),
            stack: self.stack.stack_name.clone(),
        }
    }

    /// A task definition as is; for a service, the task definition it runs.
    pub fn task_definition(&self) -> Result<Workload<'a>, OpsError> {
        if self.kind == Kind::TaskDefinition {
            return Ok(self.clone());
        }
        let id = self
            .task_definition_id()
            .filter(|id| self.stack.template.resources.contains_key(id))
            .ok_or_else(|| {
                OpsError::Unresolved(format!(
                    "{}: its TaskDefinition is not a task definition of the stack",
                    self.path
                ))
            })?;
        let r = &self.stack.template.resources[&id];
        Ok(Workload {
            stack: self.stack,
            logical_id: id.clone(),
            path: display_path(&id, r),
            kind: Kind::TaskDefinition,
        })
    }

    /// The template resource.
    pub fn resource(&self) -> &Resource {
        &self.stack.template.resources[&self.logical_id]
    }

    /// The `Properties` value at `key`.
    pub fn property(&self, key: &str) -> Option<&Value> {
        self.resource().properties.get(key)
    }

    /// For a service: the logical id of its task definition (a `Ref` in the template).
    pub fn task_definition_id(&self) -> Option<String> {
        match self.kind {
            Kind::TaskDefinition => Some(self.logical_id.clone()),
            Kind::Service => self
                .property("TaskDefinition")
                .and_then(|v| v.get("Ref"))
                .and_then(Value::as_str)
                .map(str::to_string),
        }
    }
}

/// The display path of a resource: its construct path without the trailing L1 child id.
pub fn display_path(logical_id: &str, r: &Resource) -> String {
    match r.construct_path() {
        Some(p) => {
            let trimmed = p
                .strip_suffix("/Resource")
                .or_else(|| {
                    (r.kind == SERVICE)
                        .then(|| p.strip_suffix("/Service"))
                        .flatten()
                })
                .unwrap_or(p);
            trimmed.to_string()
        }
        None => logical_id.to_string(),
    }
}

/// Every service and task definition of the app, in stack order.
pub fn workloads(assembly: &Assembly) -> Vec<Workload<'_>> {
    let mut out = Vec::new();
    for stack in &assembly.stacks {
        for (id, r) in &stack.template.resources {
            let kind = match r.kind.as_str() {
                SERVICE => Kind::Service,
                TASK_DEFINITION => Kind::TaskDefinition,
                _ => continue,
            };
            out.push(Workload {
                stack,
                logical_id: id.clone(),
                path: display_path(id, r),
                kind,
            });
        }
    }
    out
}

fn matches(w: &Workload<'_>, query: &str) -> bool {
    let q = query.trim_matches('/');
    let full = w.resource().construct_path().unwrap_or("");
    // A service L2 named `Service` inside a pattern (`Web/Api/Service`) is also named by
    // the pattern (`Api`).
    let owner = match w.kind {
        Kind::Service => w.path.strip_suffix("/Service"),
        Kind::TaskDefinition => w.path.strip_suffix("/TaskDef"),
    };
    let suffix = format!("/{q}");
    w.path == q
        || full == q
        || w.path.ends_with(&suffix)
        || owner.is_some_and(|o| o == q || o.ends_with(&suffix))
        || w.logical_id == q
        || (w.stack.stack_name == w.path && w.stack.stack_name == q)
}

/// Finds the one workload `query` names among `kinds` (a service wins over a task
/// definition when a name fits both); with no query, the only one.
pub fn resolve<'a>(
    assembly: &'a Assembly,
    query: Option<&str>,
    kinds: &[Kind],
) -> Result<Workload<'a>, OpsError> {
    let label: &'static str = match kinds {
        [Kind::Service] => "service",
        [Kind::TaskDefinition] => "task definition",
        [Kind::TaskDefinition, ..] => "task definition or service",
        _ => "service or task definition",
    };
    let all: Vec<Workload<'a>> = workloads(assembly)
        .into_iter()
        .filter(|w| kinds.contains(&w.kind))
        .collect();
    let names = |ws: &[Workload<'_>]| ws.iter().map(|w| w.path.clone()).collect::<Vec<_>>();
    let Some(query) = query else {
        let first_kind: Vec<Workload<'a>> =
            all.iter().filter(|w| w.kind == kinds[0]).cloned().collect();
        return match first_kind.len() {
            1 => Ok(first_kind.into_iter().next().expect("one")),
            _ => Err(OpsError::NeedName {
                kind: label,
                available: names(&all),
            }),
        };
    };
    for kind in kinds {
        let found: Vec<Workload<'a>> = all
            .iter()
            .filter(|w| w.kind == *kind && matches(w, query))
            .cloned()
            .collect();
        match found.len() {
            0 => continue,
            1 => return Ok(found.into_iter().next().expect("one")),
            _ => {
                // An exact path beats suffixes.
                if let Some(w) = found.iter().find(|w| w.path == query.trim_matches('/')) {
                    return Ok(w.clone());
                }
                return Err(OpsError::Ambiguous {
                    kind: if *kind == Kind::Service {
                        "service"
                    } else {
                        "task definition"
                    },
                    query: query.into(),
                    matches: names(&found),
                });
            }
        }
    }
    Err(OpsError::NoMatch {
        kind: label,
        query: query.into(),
        available: names(&all),
    })
}

/// A deployed stack: its state, physical ids and an evaluator for the template's
/// intrinsics.
#[derive(Debug, Clone)]
pub struct Deployed {
    /// `DescribeStacks`.
    pub info: StackInfo,
    /// Resolves `Ref`/`Fn::GetAtt`/`Fn::Sub`/`Fn::ImportValue` against the stack.
    pub eval: Evaluator,
}

impl Deployed {
    /// The physical id of a logical id.
    pub fn physical(&self, logical_id: &str) -> Option<&str> {
        self.eval
            .resources
            .get(logical_id)
            .map(|(p, _)| p.as_str())
            .filter(|p| !p.is_empty())
    }

    /// The physical id of a workload, or "not deployed".
    pub fn physical_of(&self, w: &Workload<'_>) -> Result<String, OpsError> {
        self.physical(&w.logical_id)
            .map(str::to_string)
            .ok_or_else(|| w.not_deployed())
    }

    /// Evaluates a template value to a string.
    pub fn string(&self, v: &Value) -> Result<String, String> {
        match self.eval.eval(v)? {
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            other => Err(format!("expected a string, got {other}")),
        }
    }

    /// Evaluates a template value to a list of strings.
    pub fn strings(&self, v: &Value) -> Result<Vec<String>, String> {
        match self.eval.eval(v)? {
            Value::Array(a) => a
                .into_iter()
                .map(|x| match x {
                    Value::String(s) => Ok(s),
                    other => Err(format!("expected a string, got {other}")),
                })
                .collect(),
            Value::String(s) => Ok(vec![s]),
            other => Err(format!("expected a list, got {other}")),
        }
    }
}

/// Reads the deployed state of `stack`; `None` when it is not deployed. `exports`
/// resolves `Fn::ImportValue` (pass an empty map to leave them unresolved).
pub async fn deployed(
    api: &dyn CloudFormationApi,
    stack: &StackArtifact,
    exports: BTreeMap<String, String>,
) -> Result<Option<Deployed>, ApiError> {
    let Some(info) = api.describe_stack(&stack.stack_name).await? else {
        return Ok(None);
    };
    if info.status == "REVIEW_IN_PROGRESS" {
        return Ok(None);
    }
    let mut eval = Evaluator::for_stack(&info.stack_id, &stack.stack_name);
    eval.parameters = info.parameters.clone();
    for (k, decl) in &stack.template.parameters {
        if !eval.parameters.contains_key(k) {
            if let Some(d) = decl.get("Default") {
                eval.parameters.insert(
                    k.clone(),
                    match d {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    },
                );
            }
        }
    }
    for r in api.stack_resources(&stack.stack_name).await? {
        if let Some(p) = r.physical_id {
            eval.resources.insert(r.logical_id, (p, r.resource_type));
        }
    }
    eval.exports = exports;
    Ok(Some(Deployed { info, eval }))
}

/// Whether `value` (a template value) mentions `Fn::ImportValue`.
pub fn uses_imports(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.contains_key("Fn::ImportValue") || m.values().any(uses_imports),
        Value::Array(a) => a.iter().any(uses_imports),
        _ => false,
    }
}

/// The cluster (name or ARN) of a deployed service.
pub fn service_cluster(w: &Workload<'_>, d: &Deployed, service_arn: &str) -> String {
    if let Some(c) = w.property("Cluster") {
        if let Ok(s) = d.string(c) {
            return s;
        }
    }
    crate::deploy::rollout::cluster_of_service_arn(service_arn)
        .unwrap_or("default")
        .to_string()
}

/// The container commands apply to by default: the first essential one (else the first).
pub fn default_container(td: &api::TaskDefinitionInfo) -> String {
    td.containers
        .iter()
        .find(|c| c.essential)
        .or(td.containers.first())
        .map(|c| c.name.clone())
        .unwrap_or_default()
}

/// The first 8 characters of a task id (as Copilot and the console show them).
pub fn short_task(id: &str) -> &str {
    let id = id.rsplit('/').next().unwrap_or(id);
    &id[..id.len().min(8)]
}

/// A task id from an id or a task ARN.
pub fn task_id(s: &str) -> String {
    s.rsplit('/').next().unwrap_or(s).to_string()
}

/// Formats milliseconds since the epoch as RFC 3339 (UTC).
pub fn rfc3339_ms(ms: i64) -> String {
    aws_smithy_types::DateTime::from_millis(ms)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_else(|_| ms.to_string())
}

/// Formats a time as RFC 3339 (UTC), to the second.
pub fn rfc3339(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    aws_smithy_types::DateTime::from_secs(secs)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_else(|_| secs.to_string())
}

/// Parses `10m`, `90s`, `2h`, `1d` into seconds.
pub fn parse_duration(s: &str) -> Result<u64, OpsError> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num.parse().map_err(|_| {
        OpsError::BadArgument(format!(
            "invalid duration {s:?}: expected a number and a unit, e.g. 90s, 10m, 2h, 1d"
        ))
    })?;
    let factor = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(OpsError::BadArgument(format!(
                "invalid duration {s:?}: the unit must be s, m, h or d"
            )))
        }
    };
    Ok(n * factor)
}

/// Parses an RFC 3339 time (`2026-12-07T10:00:00Z`) into milliseconds since the epoch.
pub fn parse_time(s: &str) -> Result<i64, OpsError> {
    aws_smithy_types::DateTime::from_str(s, aws_smithy_types::date_time::Format::DateTime)
        .map_err(|e| {
            OpsError::BadArgument(format!(
                "invalid time {s:?} ({e}): expected RFC 3339, e.g. 2026-12-07T10:00:00Z"
            ))
        })
        .and_then(|d| {
            d.to_millis()
                .map_err(|e| OpsError::BadArgument(format!("invalid time {s:?}: {e}")))
        })
}

/// Parses `K=V`.
pub fn parse_env(v: &str, flag: &str) -> Result<(String, String), OpsError> {
    match v.split_once('=') {
        Some((k, val)) if !k.is_empty() => Ok((k.to_string(), val.to_string())),
        _ => Err(OpsError::BadArgument(format!(
            "invalid {flag} value {v:?}: expected NAME=VALUE"
        ))),
    }
}

/// `NAME=VALUE` pairs.
pub type EnvVars = Vec<(String, String)>;

/// The `--env NAME=VALUE` values and the `--command` (split like a shell would) of
/// `berth run`.
pub fn env_and_command(
    env: &[String],
    command: Option<&str>,
) -> Result<(EnvVars, Option<Vec<String>>), OpsError> {
    let env = env
        .iter()
        .map(|e| parse_env(e, "--env"))
        .collect::<Result<_, _>>()?;
    let command = command
        .map(|c| {
            shell_words::split(c)
                .map_err(|e| OpsError::BadArgument(format!("invalid --command {c:?}: {e}")))
        })
        .transpose()?;
    Ok((env, command))
}

/// Milliseconds since the epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_times_parse() {
        assert_eq!(parse_duration("10m").unwrap(), 600);
        assert_eq!(parse_duration("90").unwrap(), 90);
        assert_eq!(parse_duration("2h").unwrap(), 7200);
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("3w").is_err());
        assert_eq!(parse_time("1970-01-01T00:00:01Z").unwrap(), 1000);
        assert_eq!(rfc3339_ms(1500), "1970-01-01T00:00:01.5Z");
        assert!(parse_time("yesterday").is_err());
    }

    #[test]
    fn short_task_ids() {
        assert_eq!(
            short_task("arn:aws:ecs:us-east-1:1:task/c/0123456789abcdef"),
            "01234567"
        );
        assert_eq!(short_task("abc"), "abc");
    }
}
