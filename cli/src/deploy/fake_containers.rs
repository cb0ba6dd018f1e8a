//! A scripted [`ContainerApi`] for the sequences moto cannot produce: a service whose
//! rollout moves `IN_PROGRESS → COMPLETED` or `FAILED`, tasks that keep stopping.
//! Every poll of a service takes its next scripted state; the last one repeats.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Mutex;
use std::time::SystemTime;

use async_trait::async_trait;

use super::api::ApiError;
use super::containers::{
    ContainerApi, DeploymentState, RegistryLogin, ServiceState, ServiceUpdate, StoppedTask,
    TaskDefinitionPatch,
};

#[derive(Debug, Default)]
struct ServiceScript {
    states: VecDeque<ServiceState>,
    last: Option<ServiceState>,
    stopped: VecDeque<Vec<StoppedTask>>,
    stopped_last: Vec<StoppedTask>,
}

#[derive(Debug, Default)]
struct State {
    repositories: BTreeMap<String, String>,
    images: BTreeSet<(String, String)>,
    services: BTreeMap<String, ServiceScript>,
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
        Ok(s.last.clone())
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
