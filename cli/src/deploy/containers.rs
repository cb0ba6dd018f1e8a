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
}
