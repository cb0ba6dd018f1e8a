//! The ECR and ECS operations of publishing, hotswap and rollout feedback, behind a trait
//! so that the same code runs against AWS (the SDK, [`super::aws_containers`]) and a
//! scripted fake ([`super::fake_containers`]) for the rollout sequences moto cannot play.

use std::collections::BTreeMap;
use std::time::SystemTime;

use async_trait::async_trait;

use super::api::ApiError;

/// Credentials for `docker login` to the account's registry.
#[derive(Clone, PartialEq, Eq)]
pub struct RegistryLogin {
    /// The user name (`AWS`).
    pub username: String,
    /// The password (a 12-hour token).
    pub password: String,
    /// The registry, e.g. `https://123456789012.dkr.ecr.us-east-1.amazonaws.com`.
    pub endpoint: String,
}

impl std::fmt::Debug for RegistryLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryLogin")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("endpoint", &self.endpoint)
            .finish()
    }
}

/// What changes in one container of a new task definition revision. `None` keeps the
/// current value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerPatch {
    /// The image.
    pub image: Option<String>,
    /// The whole environment (name, value), replacing the current one.
    pub environment: Option<Vec<(String, String)>>,
    /// The command; an empty list removes it.
    pub command: Option<Vec<String>>,
    /// CPU units of the container; `Some(None)` removes them.
    pub cpu: Option<Option<i32>>,
    /// Hard memory limit (MiB) of the container; `Some(None)` removes it.
    pub memory: Option<Option<i32>>,
}

/// What changes in a new task definition revision; everything else is copied from the
/// current one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskDefinitionPatch {
    /// Task CPU (`256`, `1 vCPU`).
    pub cpu: Option<String>,
    /// Task memory (`512`, `1 GB`).
    pub memory: Option<String>,
    /// Changes by container name.
    pub containers: BTreeMap<String, ContainerPatch>,
}

impl TaskDefinitionPatch {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.cpu.is_none() && self.memory.is_none() && self.containers.is_empty()
    }
}

/// An `UpdateService` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceUpdate {
    /// The cluster (name or ARN).
    pub cluster: String,
    /// The service (name or ARN).
    pub service: String,
    /// A new task definition (ARN), or keep the current one.
    pub task_definition: Option<String>,
    /// A new desired count, or keep the current one.
    pub desired_count: Option<i32>,
}

/// One deployment of a service, as `DescribeServices` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentState {
    /// The deployment id (`ecs-svc/123...`).
    pub id: String,
    /// `PRIMARY` (the newest), `ACTIVE` (being replaced) or `INACTIVE`.
    pub status: String,
    /// The task definition ARN.
    pub task_definition: String,
    /// Desired tasks.
    pub desired: i32,
    /// Pending tasks.
    pub pending: i32,
    /// Running tasks.
    pub running: i32,
    /// Tasks that failed to start.
    pub failed: i32,
    /// `IN_PROGRESS`, `COMPLETED` or `FAILED` (absent for services without the rolling
    /// update deployment controller).
    pub rollout_state: Option<String>,
    /// Why it is in that state (e.g. the circuit breaker's message).
    pub rollout_reason: Option<String>,
}

/// A service, as `DescribeServices` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceState {
    /// The service ARN.
    pub arn: String,
    /// The service name.
    pub name: String,
    /// `ACTIVE`, `DRAINING` or `INACTIVE`.
    pub status: String,
    /// The service's task definition (of its primary deployment).
    pub task_definition: String,
    /// Desired tasks.
    pub desired: i32,
    /// Running tasks.
    pub running: i32,
    /// Its deployments, newest first.
    pub deployments: Vec<DeploymentState>,
    /// The ARN of its current service deployment (`currentServiceDeployment`), which
    /// [`ContainerApi::describe_service_deployment`] tells more about.
    pub current_service_deployment: Option<String>,
}

impl ServiceState {
    /// The newest deployment.
    pub fn primary(&self) -> Option<&DeploymentState> {
        self.deployments
            .iter()
            .find(|d| d.status == "PRIMARY")
            .or_else(|| self.deployments.first())
    }
}

/// A stopped task of a service, with ECS's reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoppedTask {
    /// The task ARN.
    pub arn: String,
    /// Its task definition ARN.
    pub task_definition: String,
    /// `TaskFailedToStart`, `EssentialContainerExited`, ...
    pub stop_code: Option<String>,
    /// ECS's reason (`Essential container in task exited`).
    pub stopped_reason: Option<String>,
    /// Per container: name, exit code and reason (`CannotPullContainerError: ...`).
    pub containers: Vec<(String, Option<i32>, Option<String>)>,
    /// When it stopped.
    pub stopped_at: Option<SystemTime>,
}

impl StoppedTask {
    /// The task id (the last part of its ARN).
    pub fn short_id(&self) -> &str {
        self.arn.rsplit('/').next().unwrap_or(&self.arn)
    }

    /// One line: the task's reason and each container's.
    pub fn reason_line(&self) -> String {
        let mut s = self
            .stopped_reason
            .clone()
            .or_else(|| self.stop_code.clone())
            .unwrap_or_else(|| "stopped".into());
        for (name, exit, reason) in &self.containers {
            if exit.is_none() && reason.is_none() {
                continue;
            }
            s.push_str(&format!(" ({name}"));
            if let Some(code) = exit {
                s.push_str(&format!(": exit code {code}"));
            }
            if let Some(r) = reason {
                s.push_str(&format!(": {r}"));
            }
            s.push(')');
        }
        s
    }
}

/// One revision of a service deployment (`ServiceRevisionSummary`).
#[derive(Debug, Clone, PartialEq)]
pub struct RevisionState {
    /// The service revision's ARN.
    pub arn: String,
    /// Tasks asked for.
    pub requested: i32,
    /// Tasks running.
    pub running: i32,
    /// Tasks pending.
    pub pending: i32,
    /// Percent of the production traffic it is asked to get.
    pub production_weight: Option<f64>,
    /// Percent of the test traffic it is asked to get.
    pub test_weight: Option<f64>,
}

/// A lifecycle hook of a service deployment (`DeploymentLifecycleHookDetail`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookState {
    /// The hook id (`ecs-pause-...`), what `ContinueServiceDeployment` answers.
    pub hook_id: String,
    /// `PAUSE` or `AWS_LAMBDA`.
    pub target_type: String,
    /// The Lambda function of an `AWS_LAMBDA` hook.
    pub target_arn: Option<String>,
    /// `IN_PROGRESS`, `AWAITING_ACTION`, `SUCCEEDED`, `FAILED` or `TIMED_OUT`.
    pub status: String,
    /// When it times out.
    pub expires_at: Option<SystemTime>,
    /// What ECS does then (`ROLLBACK`, `CONTINUE`).
    pub timeout_action: Option<String>,
}

/// The deployment alarms or circuit breaker of a service deployment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MonitorState {
    /// `DISABLED`, `MONITORING`, `MONITORING_COMPLETE` or `TRIGGERED`.
    pub status: String,
    /// The alarms watched (alarms only).
    pub alarm_names: Vec<String>,
    /// The alarms that went into ALARM (alarms only).
    pub triggered: Vec<String>,
    /// Failed tasks (circuit breaker only).
    pub failure_count: i32,
    /// The failures that trip it (circuit breaker only).
    pub threshold: i32,
}

/// A service deployment, as `DescribeServiceDeployments` shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceDeploymentState {
    /// Its ARN.
    pub arn: String,
    /// `PENDING`, `IN_PROGRESS`, `SUCCESSFUL`, `STOPPED`, `STOP_REQUESTED`,
    /// `ROLLBACK_REQUESTED`, `ROLLBACK_IN_PROGRESS`, `ROLLBACK_SUCCESSFUL` or
    /// `ROLLBACK_FAILED`.
    pub status: String,
    /// Why it is in that status.
    pub status_reason: Option<String>,
    /// `ROLLING`, `BLUE_GREEN`, `LINEAR` or `CANARY`.
    pub strategy: Option<String>,
    /// The lifecycle stage (`PRE_SCALE_UP` … `POST_PRODUCTION_TRAFFIC_SHIFT`,
    /// `BAKE_TIME`, `CLEAN_UP`).
    pub stage: Option<String>,
    /// The bake time, in minutes.
    pub bake_time_minutes: Option<i32>,
    /// The new (green) revision.
    pub target: Option<RevisionState>,
    /// The revisions being replaced (blue).
    pub sources: Vec<RevisionState>,
    /// Its lifecycle hooks.
    pub hooks: Vec<HookState>,
    /// Its deployment alarms.
    pub alarms: Option<MonitorState>,
    /// Its circuit breaker.
    pub circuit_breaker: Option<MonitorState>,
    /// Why it rolled back, when it did.
    pub rollback_reason: Option<String>,
}

impl ServiceDeploymentState {
    /// The deployment's id (the last part of its ARN).
    pub fn short_id(&self) -> &str {
        self.arn.rsplit('/').next().unwrap_or(&self.arn)
    }

    /// Whether it has ended (successfully or not).
    pub fn is_finished(&self) -> bool {
        matches!(
            self.status.as_str(),
            "SUCCESSFUL" | "STOPPED" | "ROLLBACK_SUCCESSFUL" | "ROLLBACK_FAILED"
        )
    }

    /// A `PAUSE` hook waiting for an answer.
    pub fn awaiting_pause(&self) -> Option<&HookState> {
        self.hooks
            .iter()
            .find(|h| h.target_type == "PAUSE" && h.status == "AWAITING_ACTION")
    }
}

/// An answer to a paused lifecycle hook (`ContinueServiceDeployment`'s action).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookAnswer {
    /// Go on to the next stage (`CONTINUE`).
    Continue,
    /// Roll the deployment back (`ROLLBACK`).
    Rollback,
}

impl HookAnswer {
    /// ECS's name.
    pub fn as_str(self) -> &'static str {
        match self {
            HookAnswer::Continue => "CONTINUE",
            HookAnswer::Rollback => "ROLLBACK",
        }
    }
}

/// How `StopServiceDeployment` stops a deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopKind {
    /// Roll back to the previous revision (`ROLLBACK`, ECS's default).
    Rollback,
    /// Stop where it is (`ABORT`).
    Abort,
}

impl StopKind {
    /// ECS's name.
    pub fn as_str(self) -> &'static str {
        match self {
            StopKind::Rollback => "ROLLBACK",
            StopKind::Abort => "ABORT",
        }
    }
}

/// The ECR and ECS operations berth uses besides CloudFormation.
#[async_trait]
pub trait ContainerApi: Send + Sync {
    /// `DescribeRepositories`: the repository's URI, `None` when it does not exist.
    async fn repository_uri(&self, repository: &str) -> Result<Option<String>, ApiError>;
    /// `DescribeImages`: whether `repository:tag` exists.
    async fn image_exists(&self, repository: &str, tag: &str) -> Result<bool, ApiError>;
    /// `GetAuthorizationToken`, decoded.
    async fn registry_login(&self) -> Result<RegistryLogin, ApiError>;
    /// `DescribeTaskDefinition` of `current`, then `RegisterTaskDefinition` of a copy
    /// with `patch` applied (same family, tags kept). Returns the new revision's ARN.
    async fn register_revision(
        &self,
        current: &str,
        patch: &TaskDefinitionPatch,
    ) -> Result<String, ApiError>;
    /// `UpdateService`.
    async fn update_service(&self, update: &ServiceUpdate) -> Result<(), ApiError>;
    /// `DescribeServices` for one service; `None` when it does not exist.
    async fn describe_service(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Option<ServiceState>, ApiError>;
    /// `ListTasks` (stopped) and `DescribeTasks`: the service's recently stopped tasks.
    async fn stopped_tasks(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Vec<StoppedTask>, ApiError>;
    /// The last `lines` lines `container` of the stopped `task` logged to CloudWatch
    /// Logs, oldest first (failure diagnosis); `None` when it does not log there. The
    /// default knows no logs.
    async fn container_log_tail(
        &self,
        task: &StoppedTask,
        container: &str,
        lines: i32,
    ) -> Result<Option<Vec<String>>, ApiError> {
        let _ = (task, container, lines);
        Ok(None)
    }
    /// `DescribeServiceDeployments` of one deployment; `None` when it does not exist.
    async fn describe_service_deployment(
        &self,
        arn: &str,
    ) -> Result<Option<ServiceDeploymentState>, ApiError>;
    /// `ContinueServiceDeployment`: answers the paused hook `hook_id`.
    async fn continue_service_deployment(
        &self,
        arn: &str,
        hook_id: &str,
        answer: HookAnswer,
    ) -> Result<(), ApiError>;
    /// `StopServiceDeployment`.
    async fn stop_service_deployment(&self, arn: &str, kind: StopKind) -> Result<(), ApiError>;
}
