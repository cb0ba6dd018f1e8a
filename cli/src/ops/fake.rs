//! A scripted [`OpsApi`] for what moto cannot serve: `ExecuteCommand`, deployments in
//! progress, load balancer target health, alarms, tasks that crash after logging.
//! Tasks have a list of states; every `DescribeTasks` of a task takes the next one and
//! the last repeats (like the container fake's services).

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use async_trait::async_trait;

use super::api::{
    Alarm, Drift, ExecSession, LiveTail, LogEvent, LogPage, LogQuery, OpsApi, RunTaskRequest,
    RunTaskResult, ServiceDetails, TargetHealth, TaskDefinitionInfo, TaskInfo,
};
use crate::deploy::api::ApiError;

#[derive(Debug, Default)]
struct TaskScript {
    states: VecDeque<TaskInfo>,
    last: Option<TaskInfo>,
    service: Option<String>,
    family: String,
}

#[derive(Debug, Default)]
struct State {
    services: BTreeMap<String, (VecDeque<ServiceDetails>, Option<ServiceDetails>)>,
    task_definitions: BTreeMap<String, TaskDefinitionInfo>,
    tasks: BTreeMap<String, TaskScript>,
    run_scripts: VecDeque<Vec<TaskInfo>>,
    run_failures: Vec<String>,
    targets: BTreeMap<String, Vec<TargetHealth>>,
    alarms: Vec<Alarm>,
    drift: BTreeMap<String, Drift>,
    exports: BTreeMap<String, String>,
    logs: Vec<LogEvent>,
    parameters: BTreeMap<String, String>,
    secrets: BTreeMap<String, String>,
    exec_error: Option<ApiError>,
    calls: Vec<String>,
}

/// The scripted fake.
#[derive(Debug, Default)]
pub struct FakeOps {
    state: Mutex<State>,
}

fn key(s: &str) -> String {
    s.rsplit('/').next().unwrap_or(s).to_string()
}

impl FakeOps {
    /// Nothing deployed.
    pub fn new() -> FakeOps {
        FakeOps::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The states `DescribeServices` returns for a service (by name), one per call.
    pub fn script_service(&self, service: &str, states: Vec<ServiceDetails>) {
        self.lock()
            .services
            .insert(key(service), (states.into(), None));
    }

    /// A task definition (by ARN).
    pub fn add_task_definition(&self, td: TaskDefinitionInfo) {
        self.lock().task_definitions.insert(td.arn.clone(), td);
    }

    /// A task of `service` (or of no service) with the states `DescribeTasks` returns.
    pub fn script_task(&self, service: Option<&str>, states: Vec<TaskInfo>) {
        let first = states.first().cloned().unwrap_or_default();
        let family = first
            .task_definition
            .rsplit('/')
            .next()
            .and_then(|f| f.split(':').next())
            .unwrap_or_default()
            .to_string();
        self.lock().tasks.insert(
            first.arn.clone(),
            TaskScript {
                states: states.into(),
                last: None,
                service: service.map(key),
                family,
            },
        );
    }

    /// The tasks the next `RunTask` starts: the states of each (see [`Self::script_task`]).
    pub fn script_run(&self, tasks: Vec<Vec<TaskInfo>>) {
        for states in tasks {
            let first = states.first().cloned().unwrap_or_default();
            self.lock().run_scripts.push_back(vec![first]);
            self.script_task(None, states);
        }
    }

    /// Placement failures the next `RunTask` reports.
    pub fn fail_run(&self, failures: &[&str]) {
        self.lock().run_failures = failures.iter().map(|s| s.to_string()).collect();
    }

    /// The targets of a target group.
    pub fn set_targets(&self, target_group: &str, targets: Vec<TargetHealth>) {
        self.lock().targets.insert(target_group.into(), targets);
    }

    /// An alarm.
    pub fn add_alarm(&self, name: &str, state: &str, reason: &str) {
        self.lock().alarms.push(Alarm {
            name: name.into(),
            state: state.into(),
            reason: Some(reason.into()),
        });
    }

    /// A stack's drift status.
    pub fn set_drift(&self, stack: &str, status: &str) {
        self.lock().drift.insert(
            stack.into(),
            Drift {
                status: status.into(),
                checked_at: None,
            },
        );
    }

    /// An export.
    pub fn add_export(&self, name: &str, value: &str) {
        self.lock().exports.insert(name.into(), value.into());
    }

    /// A log line.
    pub fn add_log(&self, group: &str, stream: &str, timestamp: i64, message: &str) {
        let mut st = self.lock();
        let id = format!("fake-{}", st.logs.len());
        st.logs.push(LogEvent {
            timestamp,
            message: message.into(),
            group: group.into(),
            stream: stream.into(),
            id: Some(id),
        });
    }

    /// An SSM parameter.
    pub fn add_parameter(&self, name: &str, value: &str) {
        self.lock().parameters.insert(name.into(), value.into());
    }

    /// A Secrets Manager secret (by ARN or name).
    pub fn add_secret(&self, id: &str, value: &str) {
        self.lock().secrets.insert(id.into(), value.into());
    }

    /// Makes `ExecuteCommand` fail.
    pub fn fail_exec(&self, error: ApiError) {
        self.lock().exec_error = Some(error);
    }

    /// The calls so far that start or change something, one line each.
    pub fn calls(&self) -> Vec<String> {
        self.lock().calls.clone()
    }
}

#[async_trait]
impl OpsApi for FakeOps {
    fn region(&self) -> String {
        "us-east-1".into()
    }

    async fn service_details(
        &self,
        _cluster: &str,
        service: &str,
    ) -> Result<Option<ServiceDetails>, ApiError> {
        let mut st = self.lock();
        let Some((states, last)) = st.services.get_mut(&key(service)) else {
            return Ok(None);
        };
        if let Some(next) = states.pop_front() {
            *last = Some(next);
        }
        Ok(last.clone())
    }

    async fn task_definition(&self, arn: &str) -> Result<TaskDefinitionInfo, ApiError> {
        self.lock()
            .task_definitions
            .get(arn)
            .cloned()
            .ok_or_else(|| {
                ApiError::service(
                    "ClientException",
                    &format!("Unable to describe task definition {arn}."),
                )
            })
    }

    async fn list_tasks(
        &self,
        _cluster: &str,
        service: Option<&str>,
        family: Option<&str>,
        stopped: bool,
    ) -> Result<Vec<String>, ApiError> {
        let st = self.lock();
        Ok(st
            .tasks
            .iter()
            .filter(|(_, t)| match service {
                Some(s) => t.service.as_deref() == Some(key(s).as_str()),
                None => family.is_none_or(|f| t.family == f),
            })
            .filter(|(_, t)| {
                let current = t.last.as_ref().or(t.states.front());
                current.is_some_and(|c| (c.desired_status == "STOPPED") == stopped)
            })
            .map(|(arn, _)| arn.clone())
            .collect())
    }

    async fn describe_tasks(
        &self,
        _cluster: &str,
        tasks: &[String],
    ) -> Result<Vec<TaskInfo>, ApiError> {
        let mut st = self.lock();
        let mut out = Vec::new();
        for arn in tasks {
            let found = st
                .tasks
                .iter_mut()
                .find(|(a, _)| *a == arn || key(a) == key(arn));
            if let Some((_, t)) = found {
                if let Some(next) = t.states.pop_front() {
                    t.last = Some(next);
                }
                if let Some(l) = &t.last {
                    out.push(l.clone());
                }
            }
        }
        Ok(out)
    }

    async fn run_task(&self, r: &RunTaskRequest) -> Result<RunTaskResult, ApiError> {
        let mut st = self.lock();
        let net = r
            .network
            .as_ref()
            .map(|n| {
                format!(
                    " subnets={} security_groups={} public_ip={}",
                    n.subnets.join(","),
                    n.security_groups.join(","),
                    n.assign_public_ip
                )
            })
            .unwrap_or_default();
        let overrides: Vec<String> = r
            .overrides
            .iter()
            .map(|o| {
                let mut s = o.name.clone();
                if let Some(c) = &o.command {
                    s.push_str(&format!(" command={c:?}"));
                }
                for (k, v) in &o.environment {
                    s.push_str(&format!(" {k}={v}"));
                }
                s
            })
            .collect();
        st.calls.push(format!(
            "RunTask cluster={} task_definition={} count={} launch_type={} capacity={:?}{net} overrides=[{}] started_by={}",
            r.cluster,
            r.task_definition,
            r.count,
            r.launch_type.as_deref().unwrap_or("-"),
            r.capacity_providers,
            overrides.join("; "),
            r.started_by
        ));
        let failures = std::mem::take(&mut st.run_failures);
        let mut tasks = Vec::new();
        for _ in 0..r.count {
            if let Some(t) = st.run_scripts.pop_front() {
                tasks.extend(t);
            }
        }
        Ok(RunTaskResult { tasks, failures })
    }

    async fn execute_command(
        &self,
        cluster: &str,
        task: &str,
        container: &str,
        command: &str,
    ) -> Result<ExecSession, ApiError> {
        let mut st = self.lock();
        st.calls.push(format!(
            "ExecuteCommand cluster={cluster} task={task} container={container} command={command:?} interactive=true"
        ));
        if let Some(e) = st.exec_error.take() {
            return Err(e);
        }
        Ok(ExecSession {
            session_id: "ecs-execute-command-0fake".into(),
            stream_url: "wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/ecs-execute-command-0fake?role=publish_subscribe".into(),
            token_value: "fake-token".into(),
        })
    }

    async fn target_health(&self, target_group: &str) -> Result<Vec<TargetHealth>, ApiError> {
        Ok(self
            .lock()
            .targets
            .get(target_group)
            .cloned()
            .unwrap_or_default())
    }

    async fn alarms(&self, names: &[String]) -> Result<Vec<Alarm>, ApiError> {
        Ok(self
            .lock()
            .alarms
            .iter()
            .filter(|a| names.contains(&a.name))
            .cloned()
            .collect())
    }

    async fn stack_drift(&self, stack: &str) -> Result<Option<Drift>, ApiError> {
        Ok(Some(self.lock().drift.get(stack).cloned().unwrap_or(
            Drift {
                status: "NOT_CHECKED".into(),
                checked_at: None,
            },
        )))
    }

    async fn exports(&self) -> Result<BTreeMap<String, String>, ApiError> {
        Ok(self.lock().exports.clone())
    }

    async fn filter_log_events(&self, q: &LogQuery) -> Result<LogPage, ApiError> {
        let st = self.lock();
        let mut events: Vec<LogEvent> = st
            .logs
            .iter()
            .filter(|e| e.group == q.group)
            .filter(|e| q.streams.is_empty() || q.streams.contains(&e.stream))
            .filter(|e| {
                q.stream_prefix
                    .as_ref()
                    .is_none_or(|p| e.stream.starts_with(p.as_str()))
            })
            .filter(|e| q.start.is_none_or(|s| e.timestamp >= s))
            .filter(|e| q.end.is_none_or(|s| e.timestamp <= s))
            .filter(|e| {
                q.pattern
                    .as_ref()
                    .is_none_or(|p| e.message.contains(p.trim_matches('"')))
            })
            .cloned()
            .collect();
        events.sort_by_key(|e| e.timestamp);
        Ok(LogPage {
            events,
            next_token: None,
        })
    }

    async fn last_log_events(
        &self,
        group: &str,
        stream: &str,
        limit: i32,
    ) -> Result<Vec<LogEvent>, ApiError> {
        let st = self.lock();
        let mut events: Vec<LogEvent> = st
            .logs
            .iter()
            .filter(|e| e.group == group && e.stream == stream)
            .cloned()
            .collect();
        events.sort_by_key(|e| e.timestamp);
        let skip = events.len().saturating_sub(limit.max(0) as usize);
        Ok(events.split_off(skip))
    }

    async fn live_tail(
        &self,
        _groups: &[String],
        _prefixes: &[String],
        _pattern: Option<&str>,
    ) -> Result<Box<dyn LiveTail>, ApiError> {
        Err(ApiError::service(
            "UnsupportedOperation",
            "the scripted fake has no live tail",
        ))
    }

    async fn parameter(&self, name: &str) -> Result<String, ApiError> {
        self.lock()
            .parameters
            .get(name)
            .cloned()
            .ok_or_else(|| ApiError::service("ParameterNotFound", name))
    }

    async fn secret(&self, id: &str) -> Result<String, ApiError> {
        self.lock().secrets.get(id).cloned().ok_or_else(|| {
            ApiError::service(
                "ResourceNotFoundException",
                "Secrets Manager can't find the specified secret.",
            )
        })
    }
}
