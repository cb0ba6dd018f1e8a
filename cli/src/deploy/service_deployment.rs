//! Following one ECS service deployment (`DescribeServiceDeployments`): the strategy,
//! the lifecycle stage, the traffic split between the blue and green revisions, the
//! bake time left, alarms in ALARM, paused lifecycle hooks (answered from the terminal,
//! by `--on-pause`, or left for `berth deployment continue`), and how it ended: with
//! the trigger of a rollback (an alarm, the circuit breaker, a hook, a pause that
//! timed out, an answer).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::SystemTime;

use super::api::ApiError;
use super::containers::{ContainerApi, HookAnswer, HookState, ServiceDeploymentState};
use super::progress::Progress;
use crate::prompt::Prompter;

/// What a rollout does when a `PAUSE` lifecycle hook waits for an answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnPause {
    /// Ask on the terminal (continue, roll back or wait); wait without a terminal.
    #[default]
    Ask,
    /// Answer `CONTINUE`.
    Continue,
    /// Answer `ROLLBACK`.
    Rollback,
    /// Leave it: print the hook and the command that answers it, and keep following.
    Wait,
}

/// How a followed service deployment stands after a poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeploymentOutcome {
    /// Still going.
    InProgress,
    /// `SUCCESSFUL`.
    Succeeded,
    /// Rolled back or stopped; the text says how and why.
    Failed(String),
}

/// The stages where tasks of the new revision are still starting: only time spent
/// there counts against `--rollout-timeout` (traffic shifts, bake times and pauses
/// take as long as the deployment says).
fn starting(stage: Option<&str>) -> bool {
    matches!(
        stage,
        None | Some("RECONCILE_SERVICE" | "PRE_SCALE_UP" | "SCALE_UP" | "POST_SCALE_UP")
    )
}

/// A percentage as ECS gives it: `10%`, `2.5%`.
pub fn percent(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}%", v.round() as i64)
    } else {
        format!("{v:.1}%")
    }
}

/// The state of following one service deployment.
#[derive(Debug, Clone)]
pub struct DeploymentFollower {
    /// The deployment's ARN.
    pub arn: String,
    last_line: String,
    last_alarms: Vec<String>,
    bake_started: Option<SystemTime>,
    hook_status: BTreeMap<String, String>,
    answered: BTreeMap<String, (HookAnswer, String)>,
    last_poll: SystemTime,
    /// Time spent while the new revision's tasks were starting.
    pub active: std::time::Duration,
}

impl DeploymentFollower {
    /// Starts following `arn`.
    pub fn new(arn: &str) -> DeploymentFollower {
        DeploymentFollower {
            arn: arn.into(),
            last_line: String::new(),
            last_alarms: Vec::new(),
            bake_started: None,
            hook_status: BTreeMap::new(),
            answered: BTreeMap::new(),
            last_poll: SystemTime::now(),
            active: std::time::Duration::ZERO,
        }
    }

    /// The one-line summary of a deployment.
    fn line(&mut self, d: &ServiceDeploymentState) -> String {
        let mut s = format!(
            "{} deployment {} {}",
            d.strategy.as_deref().unwrap_or("ECS"),
            d.short_id(),
            d.status
        );
        if let Some(stage) = &d.stage {
            let _ = write!(s, ", stage {stage}");
        }
        let blue: f64 = d.sources.iter().filter_map(|r| r.production_weight).sum();
        if let Some(green) = d.target.as_ref().and_then(|t| t.production_weight) {
            let _ = write!(
                s,
                ", production traffic blue {} / green {}",
                percent(blue),
                percent(green)
            );
        }
        if let Some(test) = d.target.as_ref().and_then(|t| t.test_weight) {
            if test > 0.0 {
                let _ = write!(s, ", test traffic green {}", percent(test));
            }
        }
        if d.stage.as_deref() == Some("BAKE_TIME") {
            let started = *self.bake_started.get_or_insert_with(SystemTime::now);
            if let Some(bake) = d.bake_time_minutes {
                let gone = started.elapsed().unwrap_or_default().as_secs() / 60;
                let left = (bake as u64).saturating_sub(gone);
                let _ = write!(s, ", bake time {bake} min (about {left} min left)");
            }
        }
        if let Some(r) = d.status_reason.as_deref().filter(|r| !r.is_empty()) {
            let _ = write!(s, ": {r}");
        }
        s
    }

    /// What set off a rollback, as far as the deployment tells.
    fn rollback_trigger(&self, d: &ServiceDeploymentState) -> String {
        if let Some((hook, (HookAnswer::Rollback, how))) = self
            .answered
            .iter()
            .find(|(_, (a, _))| *a == HookAnswer::Rollback)
        {
            return format!("the answer rollback to the paused hook {hook} ({how})");
        }
        if let Some(a) = &d.alarms {
            if !a.triggered.is_empty() {
                let s = if a.triggered.len() == 1 { "" } else { "s" };
                return format!("the alarm{s} {} (in ALARM)", a.triggered.join(", "));
            }
            if a.status == "TRIGGERED" {
                return "a deployment alarm went into ALARM".into();
            }
        }
        if let Some(c) = d
            .circuit_breaker
            .as_ref()
            .filter(|c| c.status == "TRIGGERED")
        {
            return format!(
                "the deployment circuit breaker ({} failed tasks, threshold {})",
                c.failure_count, c.threshold
            );
        }
        if let Some(h) = d.hooks.iter().find(|h| h.status == "TIMED_OUT") {
            return format!(
                "the {} hook {}, which timed out (timeout action {})",
                h.target_type,
                h.hook_id,
                h.timeout_action.as_deref().unwrap_or("ROLLBACK")
            );
        }
        if let Some(h) = d.hooks.iter().find(|h| h.status == "FAILED") {
            let target = h
                .target_arn
                .as_deref()
                .map(|a| format!(" ({a})"))
                .unwrap_or_default();
            return if h.target_type == "PAUSE" {
                format!("the answer rollback to the paused hook {}", h.hook_id)
            } else {
                format!(
                    "the {} hook {}{target}, which failed",
                    h.target_type, h.hook_id
                )
            };
        }
        if let Some(r) = &d.rollback_reason {
            return r.clone();
        }
        "not given by ECS (see the service's deployments in the ECS console)".into()
    }

    /// One poll of the deployment: reports what changed, answers a pause, and says
    /// where the deployment stands.
    #[allow(clippy::too_many_arguments)]
    pub async fn poll(
        &mut self,
        d: &ServiceDeploymentState,
        api: &dyn ContainerApi,
        progress: &dyn Progress,
        prompter: &dyn Prompter,
        on_pause: OnPause,
        stack: &str,
        label: &str,
        name: &str,
    ) -> Result<DeploymentOutcome, ApiError> {
        let now = SystemTime::now();
        if starting(d.stage.as_deref()) && d.awaiting_pause().is_none() {
            self.active += now.duration_since(self.last_poll).unwrap_or_default();
        }
        self.last_poll = now;
        // What happened to hooks that were waiting comes before the new state.
        let mut new_pauses = Vec::new();
        for h in &d.hooks {
            let before = self.hook_status.insert(h.hook_id.clone(), h.status.clone());
            if before.as_deref() == Some(h.status.as_str()) {
                continue;
            }
            match (before.as_deref(), h.status.as_str()) {
                (_, "AWAITING_ACTION") if h.target_type == "PAUSE" => new_pauses.push(h),
                (Some("AWAITING_ACTION"), status) => {
                    let what = match status {
                        "SUCCEEDED" => "answered: the deployment continues".to_string(),
                        "FAILED" => "answered: the deployment rolls back".to_string(),
                        "TIMED_OUT" => format!(
                            "timed out: ECS takes the timeout action {}",
                            h.timeout_action.as_deref().unwrap_or("ROLLBACK")
                        ),
                        other => format!("is {other}"),
                    };
                    progress.message(
                        stack,
                        &format!("service {label}: hook {} {what}", h.hook_id),
                    );
                }
                (_, "FAILED" | "TIMED_OUT") => progress.message(
                    stack,
                    &format!(
                        "service {label}: {} hook {} {}",
                        h.target_type,
                        h.hook_id,
                        h.status.to_ascii_lowercase().replace('_', " ")
                    ),
                ),
                _ => {}
            }
        }
        let line = self.line(d);
        if line != self.last_line {
            progress.message(stack, &format!("service {label}: {line}"));
            self.last_line = line;
        }
        let alarms: Vec<String> = d
            .alarms
            .as_ref()
            .map(|a| a.triggered.clone())
            .unwrap_or_default();
        if alarms != self.last_alarms {
            if !alarms.is_empty() {
                progress.message(
                    stack,
                    &format!("service {label}: alarms in ALARM: {}", alarms.join(", ")),
                );
            }
            self.last_alarms = alarms;
        }
        for h in new_pauses {
            self.pause(d, h, api, progress, prompter, on_pause, stack, label, name)
                .await?;
        }
        Ok(match d.status.as_str() {
            "SUCCESSFUL" => DeploymentOutcome::Succeeded,
            "ROLLBACK_SUCCESSFUL" | "ROLLBACK_FAILED" => {
                let mut s = format!(
                    "the {} deployment {} was rolled back ({})",
                    d.strategy.as_deref().unwrap_or("ECS"),
                    d.short_id(),
                    d.status
                );
                if let Some(r) = d.status_reason.as_deref().filter(|r| !r.is_empty()) {
                    let _ = write!(s, ": {r}");
                }
                let _ = write!(s, "\n  rollback triggered by {}", self.rollback_trigger(d));
                DeploymentOutcome::Failed(s)
            }
            "STOPPED" => {
                let mut s = format!("the deployment {} was stopped", d.short_id());
                if let Some(r) = d.status_reason.as_deref().filter(|r| !r.is_empty()) {
                    let _ = write!(s, ": {r}");
                }
                DeploymentOutcome::Failed(s)
            }
            _ => DeploymentOutcome::InProgress,
        })
    }

    /// A pause hook waits: says so, then answers it as `on_pause` says.
    #[allow(clippy::too_many_arguments)]
    async fn pause(
        &mut self,
        d: &ServiceDeploymentState,
        h: &HookState,
        api: &dyn ContainerApi,
        progress: &dyn Progress,
        prompter: &dyn Prompter,
        on_pause: OnPause,
        stack: &str,
        label: &str,
        name: &str,
    ) -> Result<(), ApiError> {
        let stage = d.stage.as_deref().unwrap_or("a lifecycle stage");
        let expiry = h
            .expires_at
            .map(crate::ops::rfc3339)
            .unwrap_or_else(|| "an unknown time".into());
        let action = h.timeout_action.as_deref().unwrap_or("ROLLBACK");
        progress.message(
            stack,
            &format!(
                "service {label}: paused at {stage} by hook {}; it times out at {expiry}, then ECS will {action}",
                h.hook_id
            ),
        );
        let answer = match on_pause {
            OnPause::Continue => Some((HookAnswer::Continue, "--on-pause continue".to_string())),
            OnPause::Rollback => Some((HookAnswer::Rollback, "--on-pause rollback".to_string())),
            OnPause::Wait => None,
            OnPause::Ask => {
                let question = format!(
                    "{stack}: service {label} is paused at {stage} (hook {}, times out at {expiry}, then {action}). Continue the deployment, roll it back, or wait?",
                    h.hook_id
                );
                let mut choice = None;
                progress.suspend(&mut || {
                    choice = prompter.choose(&question, &["continue", "rollback", "wait"]);
                });
                match choice {
                    Some(0) => Some((HookAnswer::Continue, "answered on the terminal".to_string())),
                    Some(1) => Some((HookAnswer::Rollback, "answered on the terminal".to_string())),
                    _ => None,
                }
            }
        };
        match answer {
            Some((a, how)) => {
                api.continue_service_deployment(&d.arn, &h.hook_id, a)
                    .await?;
                progress.message(
                    stack,
                    &format!(
                        "service {label}: answered {} to hook {} ({how})",
                        a.as_str().to_ascii_lowercase(),
                        h.hook_id
                    ),
                );
                self.answered.insert(h.hook_id.clone(), (a, how));
            }
            None => progress.message(
                stack,
                &format!(
                    "service {label}: waiting for an answer: `berth deployment continue {name}` or `berth deployment rollback {name}` (hook {})",
                    h.hook_id
                ),
            ),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn percents_print_as_ecs_gives_them() {
        assert_eq!(percent(10.0), "10%");
        assert_eq!(percent(2.5), "2.5%");
        assert_eq!(percent(0.0), "0%");
    }
}
