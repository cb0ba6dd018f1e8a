//! The operations of the day-two commands (`status`, `logs`, `run`, `exec`,
//! `run --local`) behind one trait, so that the commands run the same against AWS (the
//! SDK, [`super::aws::AwsOps`]) and a scripted fake ([`super::fake::FakeOps`]) for what
//! moto cannot serve (ExecuteCommand, deployment states, target health, crashing tasks).

use std::collections::BTreeMap;
use std::time::SystemTime;

use async_trait::async_trait;
use serde::Serialize;

use crate::deploy::api::ApiError;
use crate::deploy::containers::ServiceState;

/// A container's log configuration, as the deployed task definition has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogConfig {
    /// `awslogs`, `awsfirelens`, `json-file`, ...
    pub driver: String,
    /// The driver's options (`awslogs-group`, `awslogs-stream-prefix`, ...).
    pub options: BTreeMap<String, String>,
}

/// One container of a deployed task definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerDef {
    /// The container name.
    pub name: String,
    /// The image.
    pub image: String,
    /// Whether the task stops when it exits.
    pub essential: bool,
    /// How it logs, if configured.
    pub log: Option<LogConfig>,
}

/// A deployed task definition (`DescribeTaskDefinition`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskDefinitionInfo {
    /// Its ARN (with the revision).
    pub arn: String,
    /// The family.
    pub family: String,
    /// The revision.
    pub revision: i32,
    /// `awsvpc`, `bridge`, ...
    pub network_mode: Option<String>,
    /// The task role.
    pub task_role_arn: Option<String>,
    /// The containers.
    pub containers: Vec<ContainerDef>,
}

/// A service with what `berth status` shows about it (`DescribeServices`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceDetails {
    /// Counts and deployments.
    pub state: ServiceState,
    /// The cluster's ARN.
    pub cluster_arn: String,
    /// `FARGATE`, `EC2`, or none with a capacity provider strategy.
    pub launch_type: Option<String>,
    /// Capacity provider strategy: provider, weight, base.
    pub capacity_providers: Vec<(String, i32, i32)>,
    /// The awsvpc network configuration, when the service has one.
    pub network: Option<NetworkConfig>,
    /// Whether ECS Exec is turned on.
    pub enable_execute_command: bool,
    /// The target groups it registers with.
    pub target_groups: Vec<String>,
    /// The latest service events, newest first: when, message.
    pub events: Vec<(SystemTime, String)>,
}

/// awsvpc network settings of a task.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NetworkConfig {
    /// Subnet ids.
    pub subnets: Vec<String>,
    /// Security group ids.
    pub security_groups: Vec<String>,
    /// Whether tasks get a public IP.
    pub assign_public_ip: bool,
}

/// One container of a task (`DescribeTasks`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TaskContainer {
    /// The container name.
    pub name: String,
    /// Its id on the host (needed by ECS Exec).
    pub runtime_id: Option<String>,
    /// `PENDING`, `RUNNING`, `STOPPED`.
    pub last_status: Option<String>,
    /// Its exit code, once stopped.
    pub exit_code: Option<i32>,
    /// Why it stopped (`CannotPullContainerError: ...`).
    pub reason: Option<String>,
    /// The ECS Exec agent's status (`RUNNING`), when the task has one.
    pub exec_agent: Option<String>,
}

/// A task (`DescribeTasks`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TaskInfo {
    /// The task ARN.
    pub arn: String,
    /// Its task definition ARN.
    pub task_definition: String,
    /// `PROVISIONING`, `PENDING`, `RUNNING`, ..., `STOPPED`.
    pub last_status: String,
    /// `RUNNING` or `STOPPED`.
    pub desired_status: String,
    /// `TaskFailedToStart`, `EssentialContainerExited`, ...
    pub stop_code: Option<String>,
    /// ECS's reason.
    pub stopped_reason: Option<String>,
    /// When it started running.
    pub started_at: Option<SystemTime>,
    /// When it stopped.
    pub stopped_at: Option<SystemTime>,
    /// Whether ECS Exec was on when it started.
    pub enable_execute_command: bool,
    /// Its containers.
    pub containers: Vec<TaskContainer>,
}

impl TaskInfo {
    /// The task id (the last part of its ARN).
    pub fn id(&self) -> &str {
        self.arn.rsplit('/').next().unwrap_or(&self.arn)
    }
}

/// Changes to one container of a task started by `run`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerOverride {
    /// The container.
    pub name: String,
    /// A new command.
    pub command: Option<Vec<String>>,
    /// Extra environment variables.
    pub environment: Vec<(String, String)>,
}

/// A `RunTask` call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunTaskRequest {
    /// The cluster (name or ARN).
    pub cluster: String,
    /// The task definition ARN.
    pub task_definition: String,
    /// How many tasks.
    pub count: i32,
    /// `FARGATE`, `EC2`; `None` with a capacity provider strategy.
    pub launch_type: Option<String>,
    /// provider, weight, base.
    pub capacity_providers: Vec<(String, i32, i32)>,
    /// awsvpc settings (only for the awsvpc network mode).
    pub network: Option<NetworkConfig>,
    /// Container overrides.
    pub overrides: Vec<ContainerOverride>,
    /// `startedBy`.
    pub started_by: String,
    /// Turn on ECS Exec for these tasks.
    pub enable_execute_command: bool,
}

/// What `RunTask` answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunTaskResult {
    /// The started tasks.
    pub tasks: Vec<TaskInfo>,
    /// Why tasks could not be placed (`arn: reason`).
    pub failures: Vec<String>,
}

/// The session `ExecuteCommand` opened, handed to the Session Manager plugin.
#[derive(Clone, PartialEq, Eq)]
pub struct ExecSession {
    /// The session id.
    pub session_id: String,
    /// The websocket URL.
    pub stream_url: String,
    /// The token (secret).
    pub token_value: String,
}

impl std::fmt::Debug for ExecSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecSession")
            .field("session_id", &self.session_id)
            .field("stream_url", &self.stream_url)
            .field("token_value", &"<redacted>")
            .finish()
    }
}

/// The health of one load balancer target (`DescribeTargetHealth`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetHealth {
    /// `10.0.1.5:80`.
    pub target: String,
    /// `healthy`, `unhealthy`, `initial`, `draining`, ...
    pub state: String,
    /// `Target.ResponseCodeMismatch`, ...
    pub reason: Option<String>,
    /// The load balancer's explanation.
    pub description: Option<String>,
}

/// A CloudWatch alarm (`DescribeAlarms`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alarm {
    /// The alarm name.
    pub name: String,
    /// `OK`, `ALARM`, `INSUFFICIENT_DATA`.
    pub state: String,
    /// Why it is in that state.
    pub reason: Option<String>,
}

/// A stack's drift detection result (`DescribeStacks`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// `IN_SYNC`, `DRIFTED`, `NOT_CHECKED`, `UNKNOWN`.
    pub status: String,
    /// When drift was last checked.
    pub checked_at: Option<SystemTime>,
}

/// One log event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogEvent {
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    /// The line.
    pub message: String,
    /// The log group.
    pub group: String,
    /// The log stream.
    pub stream: String,
    /// The event id, when CloudWatch gives one (for de-duplication while following).
    #[serde(skip)]
    pub id: Option<String>,
}

/// A `FilterLogEvents` query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogQuery {
    /// The log group.
    pub group: String,
    /// Only these streams (at most 100), or...
    pub streams: Vec<String>,
    /// ... the streams starting with this.
    pub stream_prefix: Option<String>,
    /// From (ms since the epoch).
    pub start: Option<i64>,
    /// To (ms since the epoch).
    pub end: Option<i64>,
    /// A CloudWatch Logs filter pattern.
    pub pattern: Option<String>,
    /// The page token.
    pub next_token: Option<String>,
}

/// One page of `FilterLogEvents`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogPage {
    /// The events, oldest first.
    pub events: Vec<LogEvent>,
    /// The next page, if any.
    pub next_token: Option<String>,
}

/// A live tail session (`StartLiveTail`).
#[async_trait]
pub trait LiveTail: Send {
    /// The next batch of events; `None` when the session ended.
    async fn next(&mut self) -> Result<Option<Vec<LogEvent>>, ApiError>;
}

/// The AWS operations of the day-two commands.
#[async_trait]
pub trait OpsApi: Send + Sync {
    /// The region requests go to (handed to the Session Manager plugin).
    fn region(&self) -> String;
    /// `DescribeServices` with everything `status` shows; `None` when it does not exist.
    async fn service_details(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Option<ServiceDetails>, ApiError>;
    /// `DescribeTaskDefinition`.
    async fn task_definition(&self, task_definition: &str) -> Result<TaskDefinitionInfo, ApiError>;
    /// `ListTasks` of a service or a task definition family, running or stopped.
    async fn list_tasks(
        &self,
        cluster: &str,
        service: Option<&str>,
        family: Option<&str>,
        stopped: bool,
    ) -> Result<Vec<String>, ApiError>;
    /// `DescribeTasks`.
    async fn describe_tasks(
        &self,
        cluster: &str,
        tasks: &[String],
    ) -> Result<Vec<TaskInfo>, ApiError>;
    /// `RunTask`.
    async fn run_task(&self, request: &RunTaskRequest) -> Result<RunTaskResult, ApiError>;
    /// `ExecuteCommand` (interactive).
    async fn execute_command(
        &self,
        cluster: &str,
        task: &str,
        container: &str,
        command: &str,
    ) -> Result<ExecSession, ApiError>;
    /// `DescribeTargetHealth`.
    async fn target_health(&self, target_group: &str) -> Result<Vec<TargetHealth>, ApiError>;
    /// `DescribeAlarms` of these alarm names.
    async fn alarms(&self, names: &[String]) -> Result<Vec<Alarm>, ApiError>;
    /// The stack's drift status; `None` when the stack does not exist.
    async fn stack_drift(&self, stack: &str) -> Result<Option<Drift>, ApiError>;
    /// `ListExports`: export name → value.
    async fn exports(&self) -> Result<BTreeMap<String, String>, ApiError>;
    /// `FilterLogEvents`, one page.
    async fn filter_log_events(&self, query: &LogQuery) -> Result<LogPage, ApiError>;
    /// `GetLogEvents` from the end: the last `limit` events of a stream, oldest first.
    async fn last_log_events(
        &self,
        group: &str,
        stream: &str,
        limit: i32,
    ) -> Result<Vec<LogEvent>, ApiError>;
    /// `StartLiveTail` of log groups (ARNs), optionally limited to stream name prefixes
    /// (one group only) and a filter pattern.
    async fn live_tail(
        &self,
        groups: &[String],
        prefixes: &[String],
        pattern: Option<&str>,
    ) -> Result<Box<dyn LiveTail>, ApiError>;
    /// `GetParameter` (decrypted): an SSM parameter's value, by name or ARN.
    async fn parameter(&self, name: &str) -> Result<String, ApiError>;
    /// `GetSecretValue`: a Secrets Manager secret's string, by name or ARN.
    async fn secret(&self, id: &str) -> Result<String, ApiError>;
}
