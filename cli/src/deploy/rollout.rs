//! Rollout feedback: while an ECS service deploys, show its deployments (desired,
//! pending, running, rollout state) and the reasons of stopped tasks, and give up with
//! those reasons when the rollout fails, the circuit breaker trips or tasks keep
//! stopping, instead of waiting for hours. A service with a current service deployment
//! (`DescribeServiceDeployments`) is followed through it
//! ([`super::service_deployment`]): strategy, stage, traffic, bake time, alarms,
//! pauses, and its end.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use super::api::ApiError;
use super::containers::{ContainerApi, ServiceState, StoppedTask};
use super::progress::Progress;
use super::service_deployment::{DeploymentFollower, DeploymentOutcome, OnPause};
use crate::prompt::Prompter;

/// How rollouts are followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RolloutOptions {
    /// Follow service rollouts at all.
    pub enabled: bool,
    /// Give up once this many tasks of the new deployment have stopped.
    pub max_stopped_tasks: usize,
    /// Give up when a rollout takes longer than this (for blue/green, linear and
    /// canary deployments: the time their new tasks take to start; traffic shifts,
    /// bake times and pauses do not count).
    pub timeout: Duration,
    /// What to do when a `PAUSE` lifecycle hook waits for an answer.
    pub on_pause: OnPause,
}

impl Default for RolloutOptions {
    fn default() -> Self {
        RolloutOptions {
            enabled: true,
            max_stopped_tasks: 3,
            timeout: Duration::from_secs(30 * 60),
            on_pause: OnPause::Ask,
        }
    }
}

/// Where a rollout stands after a poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RolloutStatus {
    /// Still going.
    InProgress,
    /// Done: the new deployment runs its desired count.
    Completed,
    /// Failed; the text says why (rollout reason, stopped tasks' reasons).
    Failed(String),
    /// ECS rolled the service back (or stopped its deployment) by itself; the text
    /// says how and why.
    RolledBack(String),
}

/// Why a rollout failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloutFailure {
    /// The text of the failure report.
    pub reason: String,
    /// ECS rolled the service back by itself (nothing to cancel; CloudFormation
    /// fails the update and rolls the stack back).
    pub rolled_back: bool,
}

/// Follows one service's rollout, poll by poll.
#[derive(Debug, Clone)]
pub struct RolloutTracker {
    /// The stack the service belongs to (for messages).
    pub stack: String,
    /// The cluster name or ARN.
    pub cluster: String,
    /// The service name or ARN.
    pub service: String,
    /// How the service is named in messages (its construct path, when known).
    pub label: String,
    /// How `berth deployment` names it (the construct path without the L1 child).
    pub name: String,
    started: SystemTime,
    max_stopped: usize,
    timeout: Duration,
    on_pause: OnPause,
    polls: usize,
    /// A service deployment that had ended before the tracker started.
    stale_deployment: Option<String>,
    /// `DescribeServiceDeployments` failed once: follow the deployments only.
    no_service_deployments: bool,
    deployment: Option<DeploymentFollower>,
    seen_tasks: BTreeSet<String>,
    stopped: Vec<StoppedTask>,
    /// The log tails of crashed containers: (task id, container, exit code, lines).
    tails: Vec<(String, String, i32, Vec<String>)>,
    last_table: String,
}

/// How many log lines the failure diagnosis shows of each container that exited
/// non-zero.
pub const DIAGNOSIS_LINES: i32 = 20;

impl RolloutTracker {
    /// Starts following `service` of `cluster`; tasks stopped before now are ignored.
    pub fn new(
        stack: &str,
        cluster: &str,
        service: &str,
        label: &str,
        options: RolloutOptions,
    ) -> RolloutTracker {
        RolloutTracker {
            stack: stack.into(),
            cluster: cluster.into(),
            service: service.into(),
            label: label.into(),
            name: label.strip_suffix("/Service").unwrap_or(label).into(),
            started: SystemTime::now(),
            max_stopped: options.max_stopped_tasks.max(1),
            timeout: options.timeout,
            on_pause: options.on_pause,
            polls: 0,
            stale_deployment: None,
            no_service_deployments: false,
            deployment: None,
            seen_tasks: BTreeSet::new(),
            stopped: Vec::new(),
            tails: Vec::new(),
            last_table: String::new(),
        }
    }

    /// The stopped tasks seen so far.
    pub fn stopped(&self) -> &[StoppedTask] {
        &self.stopped
    }

    /// One poll: shows what changed and says where the rollout stands.
    pub async fn poll(
        &mut self,
        api: &dyn ContainerApi,
        progress: &dyn Progress,
        prompter: &dyn Prompter,
    ) -> Result<RolloutStatus, ApiError> {
        self.polls += 1;
        let Some(state) = api.describe_service(&self.cluster, &self.service).await? else {
            return Ok(RolloutStatus::Failed(format!(
                "service {} was not found in cluster {}",
                self.service, self.cluster
            )));
        };
        let table = render_table(&state);
        if table != self.last_table {
            progress.message(
                &self.stack,
                &format!("service {}:\n{}", self.label, table.trim_end()),
            );
            self.last_table = table;
        }
        let primary = state.primary().cloned();
        let new_td = primary
            .as_ref()
            .map(|p| p.task_definition.clone())
            .unwrap_or_default();
        for task in api.stopped_tasks(&self.cluster, &self.service).await? {
            if !self.seen_tasks.insert(task.arn.clone()) {
                continue;
            }
            let recent = task.stopped_at.is_none_or(|t| t >= self.started);
            if !recent || (!new_td.is_empty() && task.task_definition != new_td) {
                continue;
            }
            progress.message(
                &self.stack,
                &format!(
                    "service {}: task {} stopped: {}",
                    self.label,
                    task.short_id(),
                    task.reason_line()
                ),
            );
            self.diagnose(api, progress, &task).await;
            self.stopped.push(task);
        }
        match self
            .follow_deployment(&state, api, progress, prompter)
            .await?
        {
            Some(DeploymentOutcome::Succeeded) => return Ok(RolloutStatus::Completed),
            Some(DeploymentOutcome::Failed(why)) => {
                return Ok(RolloutStatus::RolledBack(self.failure_text(why)))
            }
            Some(DeploymentOutcome::InProgress) | None => {}
        }
        if let Some(p) = &primary {
            if p.rollout_state.as_deref() == Some("FAILED") {
                return Ok(RolloutStatus::Failed(
                    self.failure_text(
                        p.rollout_reason
                            .clone()
                            .unwrap_or_else(|| "the deployment failed".into()),
                    ),
                ));
            }
        }
        if self.stopped.len() >= self.max_stopped {
            return Ok(RolloutStatus::Failed(self.failure_text(format!(
                "{} tasks of the new deployment stopped (limit {}, --max-stopped-tasks)",
                self.stopped.len(),
                self.max_stopped
            ))));
        }
        // A followed service deployment decides when the rollout is done.
        let done = self.deployment.is_none()
            && match &primary {
                Some(p) => match p.rollout_state.as_deref() {
                    Some("COMPLETED") => true,
                    Some(_) => false,
                    None => state.deployments.len() == 1 && p.running >= p.desired,
                },
                None => state.running >= state.desired,
            };
        if done {
            return Ok(RolloutStatus::Completed);
        }
        let elapsed = match &self.deployment {
            Some(f) => f.active,
            None => self.started.elapsed().unwrap_or_default(),
        };
        if elapsed > self.timeout {
            return Ok(RolloutStatus::Failed(self.failure_text(format!(
                "the rollout did not finish within {} s (--rollout-timeout)",
                self.timeout.as_secs()
            ))));
        }
        Ok(RolloutStatus::InProgress)
    }

    /// Follows the service's current service deployment, if it has one berth can
    /// read and it is not one that ended before this rollout.
    async fn follow_deployment(
        &mut self,
        state: &ServiceState,
        api: &dyn ContainerApi,
        progress: &dyn Progress,
        prompter: &dyn Prompter,
    ) -> Result<Option<DeploymentOutcome>, ApiError> {
        if self.no_service_deployments {
            return Ok(None);
        }
        let Some(arn) = state.current_service_deployment.as_deref() else {
            return Ok(None);
        };
        if self.stale_deployment.as_deref() == Some(arn) {
            return Ok(None);
        }
        let d = match api.describe_service_deployment(arn).await {
            Ok(Some(d)) => d,
            Ok(None) => return Ok(None),
            Err(e) => {
                progress.message(
                    &self.stack,
                    &format!(
                        "service {}: its service deployment cannot be read ({e}); following its deployments only",
                        self.label
                    ),
                );
                self.no_service_deployments = true;
                return Ok(None);
            }
        };
        if self.deployment.is_none() && self.polls == 1 && d.is_finished() {
            // It ended before this rollout: the new one has not started yet.
            self.stale_deployment = Some(arn.to_string());
            return Ok(None);
        }
        if self.deployment.as_ref().is_some_and(|f| f.arn != arn) {
            progress.message(
                &self.stack,
                &format!(
                    "service {}: a newer service deployment {} replaced the one followed",
                    self.label,
                    d.short_id()
                ),
            );
            self.deployment = None;
        }
        let follower = self
            .deployment
            .get_or_insert_with(|| DeploymentFollower::new(arn));
        follower
            .poll(
                &d,
                api,
                progress,
                prompter,
                self.on_pause,
                &self.stack,
                &self.label,
                &self.name,
            )
            .await
            .map(Some)
    }

    /// Shows the last log lines of each container of `task` that exited non-zero.
    async fn diagnose(
        &mut self,
        api: &dyn ContainerApi,
        progress: &dyn Progress,
        task: &StoppedTask,
    ) {
        for (name, exit, _) in &task.containers {
            let Some(code) = exit.filter(|c| *c != 0) else {
                continue;
            };
            let text = match api.container_log_tail(task, name, DIAGNOSIS_LINES).await {
                Ok(Some(lines)) if !lines.is_empty() => {
                    let mut t = format!(
                        "service {}: task {}: {name} exited with code {code}; its last {} log lines:",
                        self.label,
                        task.short_id(),
                        lines.len()
                    );
                    for l in &lines {
                        let _ = write!(t, "\n    | {}", l.trim_end());
                    }
                    self.tails
                        .push((task.short_id().to_string(), name.clone(), code, lines));
                    t
                }
                Ok(Some(_)) => format!(
                    "service {}: task {}: {name} exited with code {code} and logged nothing",
                    self.label,
                    task.short_id()
                ),
                Ok(None) => continue,
                Err(e) => format!(
                    "service {}: task {}: the logs of {name} could not be read: {e}",
                    self.label,
                    task.short_id()
                ),
            };
            progress.message(&self.stack, &text);
        }
    }

    fn failure_text(&self, headline: String) -> String {
        let mut s = format!("service {}: {headline}", self.label);
        let mut reasons: Vec<String> = Vec::new();
        for t in &self.stopped {
            let line = t.reason_line();
            if !reasons.contains(&line) {
                reasons.push(line);
            }
        }
        for r in reasons {
            let _ = write!(s, "\n  stopped task: {r}");
        }
        // The first crashed container's last lines (usually the cause; later tasks repeat it).
        if let Some((task, name, code, lines)) = self.tails.first() {
            let _ = write!(
                s,
                "\n  last {} log lines of {name} in task {task} (exit code {code}):",
                lines.len()
            );
            for l in lines {
                let _ = write!(s, "\n    | {}", l.trim_end());
            }
        }
        s
    }
}

/// Polls every tracker once. Finished rollouts are reported and dropped; the first
/// failure is returned. With `tolerate_errors` (feedback beside CloudFormation,
/// which still decides the outcome) a tracker whose API call fails is dropped with a note
/// instead of failing the poll.
pub async fn poll_all(
    trackers: &mut Vec<RolloutTracker>,
    api: &dyn ContainerApi,
    progress: &dyn Progress,
    prompter: &dyn Prompter,
    tolerate_errors: bool,
) -> Result<Option<RolloutFailure>, ApiError> {
    let mut i = 0;
    while i < trackers.len() {
        let t = &mut trackers[i];
        match t.poll(api, progress, prompter).await {
            Ok(RolloutStatus::InProgress) => i += 1,
            Ok(RolloutStatus::Completed) => {
                progress.message(&t.stack, &format!("service {}: rollout complete", t.label));
                trackers.remove(i);
            }
            Ok(RolloutStatus::Failed(reason)) => {
                return Ok(Some(RolloutFailure {
                    reason,
                    rolled_back: false,
                }))
            }
            Ok(RolloutStatus::RolledBack(reason)) => {
                return Ok(Some(RolloutFailure {
                    reason,
                    rolled_back: true,
                }))
            }
            Err(e) if tolerate_errors => {
                progress.message(
                    &t.stack,
                    &format!("service {}: cannot follow the rollout: {e}", t.label),
                );
                trackers.remove(i);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

/// The deployments of a service as a small table.
pub fn render_table(state: &ServiceState) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "  {:<8} {:<28} {:>7} {:>7} {:>7} {:>6}  ROLLOUT",
        "STATUS", "TASK DEFINITION", "DESIRED", "PENDING", "RUNNING", "FAILED"
    );
    for d in &state.deployments {
        let td = d.task_definition.rsplit('/').next().unwrap_or("");
        let mut rollout = d.rollout_state.clone().unwrap_or_else(|| "-".into());
        if let Some(r) = d.rollout_reason.as_deref().filter(|r| !r.is_empty()) {
            rollout.push_str(": ");
            rollout.push_str(r);
        }
        let _ = writeln!(
            s,
            "  {:<8} {:<28} {:>7} {:>7} {:>7} {:>6}  {rollout}",
            d.status, td, d.desired, d.pending, d.running, d.failed
        );
    }
    s
}

/// The cluster name of a service ARN in the long format
/// (`arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME`).
pub fn cluster_of_service_arn(arn: &str) -> Option<&str> {
    let resource = arn.strip_prefix("arn:")?.splitn(5, ':').nth(4)?;
    let mut parts = resource.split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("service"), Some(cluster), Some(_)) => Some(cluster),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_names_come_from_long_service_arns() {
        assert_eq!(
            cluster_of_service_arn("arn:aws:ecs:us-east-1:123456789012:service/app/web"),
            Some("app")
        );
        assert_eq!(
            cluster_of_service_arn("arn:aws:ecs:us-east-1:123456789012:service/web"),
            None
        );
        assert_eq!(cluster_of_service_arn("web"), None);
    }
}
