//! A scripted [`ContainerApi`] for the sequences moto cannot produce: a service whose
//! rollout moves `IN_PROGRESS → COMPLETED` or `FAILED`, tasks that keep stopping, and
//! service deployments (blue/green, linear, canary) moving through their lifecycle
//! stages, pausing at hooks until `ContinueServiceDeployment` answers (or the pause
//! times out). Every poll of a service takes its next scripted state; the last one
//! repeats; a [`DeploymentStep::Pause`] repeats until it is answered.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Mutex;
use std::time::SystemTime;

use async_trait::async_trait;

use super::api::ApiError;
use super::containers::{
    ContainerApi, DeploymentState, HookAnswer, HookState, RegistryLogin, RevisionState,
    ServiceDeploymentState, ServiceState, ServiceUpdate, StopKind, StoppedTask,
    TaskDefinitionPatch,
};

#[derive(Debug, Default)]
struct ServiceScript {
    states: VecDeque<ServiceState>,
    last: Option<ServiceState>,
    stopped: VecDeque<Vec<StoppedTask>>,
    stopped_last: Vec<StoppedTask>,
}

/// One step of a scripted service deployment.
#[derive(Debug, Clone)]
pub enum DeploymentStep {
    /// The deployment looks like this for one poll (the last step repeats).
    State(ServiceDeploymentState),
    /// A `PAUSE` hook awaits an answer: `state` repeats until
    /// `ContinueServiceDeployment` answers `hook_id` (the deployment then plays
    /// `on_continue` or `on_rollback`), or, after `expires_after` polls, plays
    /// `on_timeout`.
    Pause {
        /// The paused state (its hook `AWAITING_ACTION`).
        state: ServiceDeploymentState,
        /// The hook's id.
        hook_id: String,
        /// What follows a `CONTINUE`.
        on_continue: Vec<DeploymentStep>,
        /// What follows a `ROLLBACK` (or a `StopServiceDeployment` with rollback).
        on_rollback: Vec<DeploymentStep>,
        /// Polls before the pause times out, and what follows then.
        expires_after: Option<(usize, Vec<DeploymentStep>)>,
    },
}

#[derive(Debug, Default)]
struct DeploymentScript {
    arn: String,
    steps: VecDeque<DeploymentStep>,
    current: Option<ServiceDeploymentState>,
    /// The pause being played, and how often it was shown.
    pause: Option<(DeploymentStep, usize)>,
    /// An answer given to the pause, played at the next poll.
    answer: Option<HookAnswer>,
}

impl DeploymentScript {
    fn advance(&mut self) -> Option<ServiceDeploymentState> {
        if let Some((
            DeploymentStep::Pause {
                state,
                on_continue,
                on_rollback,
                expires_after,
                ..
            },
            shown,
        )) = &mut self.pause
        {
            let branch = match self.answer.take() {
                Some(HookAnswer::Continue) => Some(on_continue.clone()),
                Some(HookAnswer::Rollback) => Some(on_rollback.clone()),
                None => match expires_after {
                    Some((n, then)) if *shown >= *n => Some(then.clone()),
                    _ => None,
                },
            };
            match branch {
                Some(steps) => {
                    self.pause = None;
                    self.steps = steps.into();
                }
                None => {
                    *shown += 1;
                    self.current = Some(state.clone());
                    return self.current.clone();
                }
            }
        }
        match self.steps.pop_front() {
            Some(DeploymentStep::State(st)) => self.current = Some(st),
            Some(p @ DeploymentStep::Pause { .. }) => {
                if let DeploymentStep::Pause { state, .. } = &p {
                    self.current = Some(state.clone());
                }
                self.pause = Some((p, 1));
            }
            None => {}
        }
        self.current.clone()
    }

    fn paused_hook(&self) -> Option<&str> {
        match &self.pause {
            Some((DeploymentStep::Pause { hook_id, .. }, _)) => Some(hook_id),
            _ => None,
        }
    }
}

#[derive(Debug, Default)]
struct State {
    repositories: BTreeMap<String, String>,
    images: BTreeSet<(String, String)>,
    services: BTreeMap<String, ServiceScript>,
    deployments: BTreeMap<String, DeploymentScript>,
    logs: BTreeMap<(String, String), Vec<String>>,
    calls: Vec<String>,
}

/// The scripted fake.
#[derive(Debug, Default)]
pub struct FakeContainers {
    state: Mutex<State>,
}

/// A service state with one deployment: handy for scripts.
pub fn service_state(
    name: &str,
    task_definition: &str,
    desired: i32,
    running: i32,
    rollout: &str,
    reason: Option<&str>,
) -> ServiceState {
    ServiceState {
        arn: format!("arn:aws:ecs:us-east-1:123456789012:service/cluster/{name}"),
        name: name.into(),
        status: "ACTIVE".into(),
        task_definition: task_definition.into(),
        desired,
        running,
        deployments: vec![DeploymentState {
            id: format!("ecs-svc/{name}"),
            status: "PRIMARY".into(),
            task_definition: task_definition.into(),
            desired,
            pending: (desired - running).max(0),
            running,
            failed: 0,
            rollout_state: Some(rollout.into()),
            rollout_reason: reason.map(str::to_string),
        }],
        current_service_deployment: None,
    }
}

/// The ARN of a fake service deployment of `service`.
pub fn deployment_arn(service: &str, id: &str) -> String {
    format!("arn:aws:ecs:us-east-1:123456789012:service-deployment/cluster/{service}/{id}")
}

/// A service deployment of `strategy` in `status` at `stage`, moving production
/// traffic `blue`/`green` percent (the rest at ECS's defaults): handy for scripts.
pub fn deployment_state(
    arn: &str,
    strategy: &str,
    status: &str,
    stage: Option<&str>,
    (blue, green): (f64, f64),
) -> ServiceDeploymentState {
    let revision = |n: &str, weight: f64| RevisionState {
        arn: format!("arn:aws:ecs:us-east-1:123456789012:service-revision/cluster/web/{n}"),
        requested: 2,
        running: 2,
        pending: 0,
        production_weight: Some(weight),
        test_weight: None,
    };
    ServiceDeploymentState {
        arn: arn.into(),
        status: status.into(),
        status_reason: None,
        strategy: Some(strategy.into()),
        stage: stage.map(str::to_string),
        bake_time_minutes: None,
        target: Some(revision("2", green)),
        sources: vec![revision("1", blue)],
        hooks: Vec::new(),
        alarms: None,
        circuit_breaker: None,
        rollback_reason: None,
    }
}

/// A `PAUSE` hook in `status`, expiring at `expires_at` (seconds since the epoch).
pub fn pause_hook(hook_id: &str, status: &str, expires_at: u64, timeout_action: &str) -> HookState {
    HookState {
        hook_id: hook_id.into(),
        target_type: "PAUSE".into(),
        target_arn: None,
        status: status.into(),
        expires_at: Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(expires_at)),
        timeout_action: Some(timeout_action.into()),
    }
}

/// A stopped task of `task_definition` with a container's exit code and reason.
pub fn stopped_task(
    id: &str,
    task_definition: &str,
    container: &str,
    exit_code: Option<i32>,
    reason: &str,
) -> StoppedTask {
    StoppedTask {
        arn: format!("arn:aws:ecs:us-east-1:123456789012:task/cluster/{id}"),
        task_definition: task_definition.into(),
        stop_code: Some("EssentialContainerExited".into()),
        stopped_reason: Some("Essential container in task exited".into()),
        containers: vec![(container.into(), exit_code, Some(reason.into()))],
        stopped_at: Some(SystemTime::now() + std::time::Duration::from_secs(3600)),
    }
}

impl FakeContainers {
    /// No repositories, images or services.
    pub fn new() -> FakeContainers {
        FakeContainers::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a repository with this URI.
    pub fn add_repository(&self, name: &str, uri: &str) {
        self.lock().repositories.insert(name.into(), uri.into());
    }

    /// Adds an image tag to a repository.
    pub fn add_image(&self, repository: &str, tag: &str) {
        self.lock().images.insert((repository.into(), tag.into()));
    }

    /// The states `DescribeServices` returns for `service` (by name), one per call.
    pub fn script_service(&self, service: &str, states: Vec<ServiceState>) {
        let mut st = self.lock();
        let s = st.services.entry(service.into()).or_default();
        s.states = states.into();
    }

    /// The service deployment `arn` of `service` (its `currentServiceDeployment`) and
    /// the steps `DescribeServiceDeployments` plays, one per call.
    pub fn script_service_deployment(&self, service: &str, arn: &str, steps: Vec<DeploymentStep>) {
        let mut st = self.lock();
        st.deployments.insert(
            service.into(),
            DeploymentScript {
                arn: arn.into(),
                steps: steps.into(),
                ..Default::default()
            },
        );
    }

    /// The hook a scripted deployment of `service` is paused at, once it has been shown.
    pub fn paused_hook(&self, service: &str) -> Option<String> {
        self.lock()
            .deployments
            .get(service)
            .and_then(|d| d.paused_hook().map(str::to_string))
    }

    /// The stopped tasks each `ListTasks` call returns for `service`; the last repeats.
    pub fn script_stopped_tasks(&self, service: &str, steps: Vec<Vec<StoppedTask>>) {
        let mut st = self.lock();
        let s = st.services.entry(service.into()).or_default();
        s.stopped = steps.into();
    }

    /// The lines a container of a task (by task id) logged, for failure diagnosis.
    pub fn script_logs(&self, task_id: &str, container: &str, lines: &[&str]) {
        self.lock().logs.insert(
            (task_id.into(), container.into()),
            lines.iter().map(|l| l.to_string()).collect(),
        );
    }

    /// Every mutating call so far, one line each.
    pub fn calls(&self) -> Vec<String> {
        self.lock().calls.clone()
    }
}

fn service_key(service: &str) -> String {
    service.rsplit('/').next().unwrap_or(service).to_string()
}

fn next_revision(arn: &str) -> String {
    match arn.rsplit_once(':') {
        Some((base, rev)) if rev.parse::<u32>().is_ok() => {
            format!("{base}:{}", rev.parse::<u32>().unwrap_or(0) + 1)
        }
        _ => format!("{arn}:2"),
    }
}

#[async_trait]
impl ContainerApi for FakeContainers {
    async fn repository_uri(&self, repository: &str) -> Result<Option<String>, ApiError> {
        Ok(self.lock().repositories.get(repository).cloned())
    }

    async fn image_exists(&self, repository: &str, tag: &str) -> Result<bool, ApiError> {
        Ok(self
            .lock()
            .images
            .contains(&(repository.to_string(), tag.to_string())))
    }

    async fn registry_login(&self) -> Result<RegistryLogin, ApiError> {
        Ok(RegistryLogin {
            username: "AWS".into(),
            password: "fake-password".into(),
            endpoint: "https://123456789012.dkr.ecr.us-east-1.amazonaws.com".into(),
        })
    }

    async fn register_revision(
        &self,
        current: &str,
        patch: &TaskDefinitionPatch,
    ) -> Result<String, ApiError> {
        let new = next_revision(current);
        let images: Vec<String> = patch
            .containers
            .iter()
            .filter_map(|(n, c)| c.image.as_ref().map(|i| format!("{n}={i}")))
            .collect();
        self.lock().calls.push(format!(
            "RegisterTaskDefinition from {current} images [{}] -> {new}",
            images.join(", ")
        ));
        Ok(new)
    }

    async fn update_service(&self, update: &ServiceUpdate) -> Result<(), ApiError> {
        self.lock().calls.push(format!(
            "UpdateService {} {} task_definition={} desired_count={}",
            update.cluster,
            update.service,
            update.task_definition.as_deref().unwrap_or("-"),
            update
                .desired_count
                .map(|c| c.to_string())
                .unwrap_or_else(|| "-".into())
        ));
        Ok(())
    }

    async fn describe_service(
        &self,
        _cluster: &str,
        service: &str,
    ) -> Result<Option<ServiceState>, ApiError> {
        let mut st = self.lock();
        let Some(s) = st.services.get_mut(&service_key(service)) else {
            return Ok(None);
        };
        if let Some(next) = s.states.pop_front() {
            s.last = Some(next);
        }
        let mut state = s.last.clone();
        if let (Some(state), Some(d)) = (&mut state, st.deployments.get(&service_key(service))) {
            state.current_service_deployment = Some(d.arn.clone());
        }
        Ok(state)
    }

    async fn describe_service_deployment(
        &self,
        arn: &str,
    ) -> Result<Option<ServiceDeploymentState>, ApiError> {
        let mut st = self.lock();
        Ok(st
            .deployments
            .values_mut()
            .find(|d| d.arn == arn)
            .and_then(DeploymentScript::advance))
    }

    async fn continue_service_deployment(
        &self,
        arn: &str,
        hook_id: &str,
        answer: HookAnswer,
    ) -> Result<(), ApiError> {
        let mut st = self.lock();
        st.calls.push(format!(
            "ContinueServiceDeployment {arn} hook={hook_id} action={}",
            answer.as_str()
        ));
        let Some(d) = st.deployments.values_mut().find(|d| d.arn == arn) else {
            return Err(ApiError::service(
                "ServiceDeploymentNotFoundException",
                &format!("service deployment {arn} not found"),
            ));
        };
        if d.paused_hook() != Some(hook_id) || d.answer.is_some() {
            return Err(ApiError::service(
                "InvalidParameterException",
                &format!("the lifecycle hook {hook_id} is not awaiting action"),
            ));
        }
        d.answer = Some(answer);
        Ok(())
    }

    async fn stop_service_deployment(&self, arn: &str, kind: StopKind) -> Result<(), ApiError> {
        let mut st = self.lock();
        st.calls.push(format!(
            "StopServiceDeployment {arn} stop_type={}",
            kind.as_str()
        ));
        let Some(d) = st.deployments.values_mut().find(|d| d.arn == arn) else {
            return Err(ApiError::service(
                "ServiceDeploymentNotFoundException",
                &format!("service deployment {arn} not found"),
            ));
        };
        if d.paused_hook().is_some() {
            d.answer = Some(HookAnswer::Rollback);
        }
        Ok(())
    }

    async fn container_log_tail(
        &self,
        task: &StoppedTask,
        container: &str,
        lines: i32,
    ) -> Result<Option<Vec<String>>, ApiError> {
        let st = self.lock();
        Ok(st
            .logs
            .get(&(task.short_id().to_string(), container.to_string()))
            .map(|l| {
                let skip = l.len().saturating_sub(lines.max(0) as usize);
                l[skip..].to_vec()
            }))
    }

    async fn stopped_tasks(
        &self,
        _cluster: &str,
        service: &str,
    ) -> Result<Vec<StoppedTask>, ApiError> {
        let mut st = self.lock();
        let Some(s) = st.services.get_mut(&service_key(service)) else {
            return Ok(Vec::new());
        };
        if let Some(next) = s.stopped.pop_front() {
            s.stopped_last = next;
        }
        Ok(s.stopped_last.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::next_revision;

    #[test]
    fn revisions_count_up() {
        assert_eq!(
            next_revision("arn:aws:ecs:us-east-1:1:task-definition/web:3"),
            "arn:aws:ecs:us-east-1:1:task-definition/web:4"
        );
    }
}
