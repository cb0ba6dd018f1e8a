//! The deploy engine: creates, updates and deletes stacks through a
//! [`CloudFormationApi`], follows their events, and reports failures with construct paths.
//!
//! [`aws::AwsCloudFormation`] talks to AWS; [`fake::FakeCloudFormation`] is a scripted
//! stand-in for tests of event streams, rollbacks and approval.

pub mod api;
pub mod aws;
pub mod aws_containers;
pub mod containers;
pub mod fake;
pub mod fake_containers;
pub mod guard;
pub mod hotswap;
pub mod logging;
pub mod progress;
pub mod retry;
pub mod rollout;
pub mod service_deployment;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::assembly::StackArtifact;
use crate::diff::{diff_templates, schema_create_only, TemplateDiff};
use crate::prompt::Prompter;
use crate::refactor::{self, Detected, StackTemplates};
use crate::template::Template;
use api::{
    ApiError, ChangeSetType, CloudFormationApi, StackEvent, StackInfo, StackRequest, TemplateSource,
};
use containers::ContainerApi;
use guard::{Action, GuardInput, GuardReport};
use progress::Progress;
use rollout::{cluster_of_service_arn, RolloutFailure, RolloutOptions, RolloutTracker};

/// CloudFormation's limit for an inline `TemplateBody`.
pub const MAX_INLINE_TEMPLATE: usize = 51_200;

/// The default name of the bootstrap (staging) stack.
pub const DEFAULT_TOOLKIT_STACK: &str = "BerthToolkit";

/// How stacks are created and updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Through a change set (CreateChangeSet + ExecuteChangeSet).
    ChangeSet,
    /// Directly (CreateStack / UpdateStack).
    Direct,
}

/// Whether `deploy` tries a hotswap first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HotswapMode {
    /// Always through CloudFormation.
    #[default]
    Off,
    /// Hotswap when every change allows it, otherwise deploy through CloudFormation.
    Fallback,
    /// Hotswap, or fail saying which change prevents it.
    Only,
}

/// Which changes need a human's approval before deploying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    /// Never ask.
    Never,
    /// Ask for any change.
    AnyChange,
    /// Ask when IAM statements or security group rules are added.
    Broadening,
}

/// Whether a diff needs approval at `level`.
pub fn needs_approval(level: Approval, diff: &TemplateDiff) -> bool {
    match level {
        Approval::Never => false,
        Approval::AnyChange => !diff.is_empty(),
        Approval::Broadening => diff.security.is_broadening(),
    }
}

/// Polling intervals: start fast, back off to a ceiling, start fast again when events arrive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PollConfig {
    /// First wait.
    pub initial: Duration,
    /// Longest wait.
    pub max: Duration,
    /// Growth per quiet poll.
    pub factor: f64,
    /// How long berth waits for one stack operation before it gives up with
    /// [`ApiError::StillInProgress`] (the operation itself goes on in CloudFormation).
    /// `None`, the default, waits as long as CloudFormation takes, as CDK does.
    pub give_up_after: Option<Duration>,
}

impl Default for PollConfig {
    fn default() -> Self {
        PollConfig {
            initial: Duration::from_millis(250),
            max: Duration::from_secs(5),
            factor: 1.5,
            give_up_after: None,
        }
    }
}

/// The delay sequence of a [`PollConfig`].
#[derive(Debug, Clone)]
pub struct Backoff {
    config: PollConfig,
    next: Duration,
}

impl Backoff {
    /// Starts at `config.initial`.
    pub fn new(config: PollConfig) -> Backoff {
        Backoff {
            config,
            next: config.initial,
        }
    }

    /// The next wait; each call grows the one after, up to `max`.
    pub fn next_delay(&mut self) -> Duration {
        let d = self.next;
        self.next = self.next.mul_f64(self.config.factor).min(self.config.max);
        d
    }

    /// Back to the first, short wait (something happened).
    pub fn reset(&mut self) {
        self.next = self.config.initial;
    }
}

/// Options of a deployment.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    /// Change set or direct.
    pub method: Method,
    /// Which changes need approval.
    pub approval: Approval,
    /// Parameter overrides: stack id → key → value (`"*"` applies to every stack).
    pub parameters: BTreeMap<String, BTreeMap<String, String>>,
    /// Keep failed resources instead of rolling back.
    pub disable_rollback: bool,
    /// Stacks deployed at once.
    pub concurrency: usize,
    /// The bootstrap stack's name.
    pub toolkit_stack: String,
    /// Polling.
    pub poll: PollConfig,
    /// Deploy even when the template, parameters and tags equal what is deployed.
    pub force: bool,
    /// Try a hotswap first.
    pub hotswap: HotswapMode,
    /// Following ECS service rollouts.
    pub rollout: RolloutOptions,
    /// `--allow-replacement` patterns: stateful resources that may be replaced or
    /// deleted (construct paths, constructs above them, `*` patterns, logical ids).
    pub allow_replacement: Vec<String>,
    /// Every stack of the app by name with its template, to see resources that move
    /// from one stack to another.
    pub app_templates: Vec<(String, Template)>,
    /// The resources that moved, as [`Engine::deploy_all`] found them across the app
    /// (`None`: each stack's deploy looks for itself).
    pub moves: Option<Arc<Detected>>,
}

impl Default for DeployOptions {
    fn default() -> Self {
        DeployOptions {
            method: Method::ChangeSet,
            approval: Approval::Broadening,
            parameters: BTreeMap::new(),
            disable_rollback: false,
            concurrency: 1,
            toolkit_stack: DEFAULT_TOOLKIT_STACK.into(),
            poll: PollConfig::default(),
            force: false,
            hotswap: HotswapMode::Off,
            rollout: RolloutOptions::default(),
            allow_replacement: Vec::new(),
            app_templates: Vec::new(),
            moves: None,
        }
    }
}

/// A resource that failed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FailedResource {
    /// Logical id.
    pub logical_id: String,
    /// Type.
    pub resource_type: String,
    /// Construct path, when the template records it.
    pub path: Option<String>,
    /// `CREATE_FAILED`, ...
    pub status: String,
    /// CloudFormation's reason.
    pub reason: Option<String>,
}

/// Why a stack operation failed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FailureReport {
    /// The stack.
    pub stack: String,
    /// `deploy` or `destroy`.
    pub operation: String,
    /// The stack's final status, when known (`ROLLBACK_COMPLETE`, ...).
    pub status: Option<String>,
    /// The stack's status reason.
    pub status_reason: Option<String>,
    /// Resources that failed, in event order.
    pub resources: Vec<FailedResource>,
    /// The API error, when a call itself failed.
    pub error: Option<String>,
    /// What to do next.
    pub hint: Option<String>,
}

impl FailureReport {
    /// Renders the report.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let status = self
            .status
            .as_deref()
            .map(|st| format!(" (final status {st})"))
            .unwrap_or_default();
        let _ = writeln!(s, "✘ {} failed to {}{status}", self.stack, self.operation);
        if let Some(e) = &self.error {
            let _ = writeln!(s, "  error: {e}");
        }
        if let Some(r) = &self.status_reason {
            let _ = writeln!(s, "  reason: {r}");
        }
        if !self.resources.is_empty() {
            let _ = writeln!(s, "  failed resources:");
            for r in &self.resources {
                let path = r.path.as_deref().unwrap_or("(no construct path)");
                let _ = writeln!(
                    s,
                    "    {path}  {} {}  {}",
                    r.logical_id, r.resource_type, r.status
                );
                if let Some(reason) = &r.reason {
                    let _ = writeln!(s, "      {reason}");
                }
            }
        }
        if let Some(h) = &self.hint {
            let _ = writeln!(s, "  {h}");
        }
        s
    }
}

/// What happened to one stack.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Created or updated.
    Deployed {
        /// Final status.
        status: String,
        /// Stack outputs.
        outputs: BTreeMap<String, String>,
    },
    /// Updated through the ECS API (hotswap), not CloudFormation.
    Hotswapped {
        /// What changed, one line each.
        changes: Vec<String>,
        /// Stack outputs (as last deployed).
        outputs: BTreeMap<String, String>,
    },
    /// Nothing to change.
    NoChanges {
        /// Stack outputs.
        outputs: BTreeMap<String, String>,
    },
    /// Deleted.
    Deleted,
    /// Did not exist.
    NotFound,
    /// Failed.
    Failed(Box<FailureReport>),
    /// Needed approval and did not get it.
    NotApproved(String),
    /// Not attempted (a dependency failed).
    Skipped(String),
    /// Refused by the stateful-resource guard: nothing was changed.
    Refused(Box<GuardReport>),
    /// Not deleted: termination protection is on (the message says how to lift it).
    Protected(String),
}

impl Outcome {
    /// Whether this counts as success.
    pub fn is_ok(&self) -> bool {
        matches!(
            self,
            Outcome::Deployed { .. }
                | Outcome::Hotswapped { .. }
                | Outcome::NoChanges { .. }
                | Outcome::Deleted
                | Outcome::NotFound
        )
    }
}

/// Runs stack operations.
pub struct Engine {
    /// CloudFormation.
    pub api: Arc<dyn CloudFormationApi>,
    /// ECR and ECS (hotswap, rollout feedback); `None` turns both off.
    pub containers: Option<Arc<dyn ContainerApi>>,
    /// Where events go.
    pub progress: Arc<dyn Progress>,
    /// Who approves.
    pub prompter: Arc<dyn Prompter>,
    /// Options.
    pub options: DeployOptions,
    /// Writes diffs shown before approval questions.
    pub out: crate::output::Out,
}

fn is_terminal_status(status: &str) -> bool {
    !status.ends_with("_IN_PROGRESS")
}

fn is_success(status: &str) -> bool {
    matches!(
        status,
        "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "IMPORT_COMPLETE"
    )
}

/// A stack left by a failed create: it can only be deleted.
fn is_failed_create(status: &str) -> bool {
    matches!(
        status,
        "ROLLBACK_COMPLETE" | "ROLLBACK_FAILED" | "CREATE_FAILED"
    )
}

impl Engine {
    /// Waits while another operation runs on the stack; `None` if it does not exist.
    pub async fn wait_stable(&self, stack: &str) -> Result<Option<StackInfo>, ApiError> {
        let mut backoff = Backoff::new(self.options.poll);
        let mut announced = false;
        loop {
            match self.api.describe_stack(stack).await? {
                Some(s)
                    if s.status.ends_with("_IN_PROGRESS") && s.status != "REVIEW_IN_PROGRESS" =>
                {
                    if !announced {
                        self.progress.message(
                            stack,
                            &format!(
                                "waiting for the operation in progress to finish ({})",
                                s.status
                            ),
                        );
                        announced = true;
                    }
                    tokio::time::sleep(backoff.next_delay()).await;
                }
                other => return Ok(other),
            }
        }
    }

    async fn seen_events(&self, stack: &str) -> Result<BTreeSet<String>, ApiError> {
        Ok(self
            .api
            .stack_events(stack)
            .await?
            .into_iter()
            .map(|e| e.event_id)
            .collect())
    }

    /// Polls until the stack reaches a terminal status, reporting each new event.
    /// Returns the final state (`None`: the stack is gone) and the events seen.
    async fn monitor(
        &self,
        stack: &str,
        template: &Template,
        seen: &mut BTreeSet<String>,
    ) -> Result<(Option<StackInfo>, Vec<StackEvent>), ApiError> {
        let (info, events, _) = self.monitor_deploy(stack, template, seen, None).await?;
        Ok((info, events))
    }

    /// [`Engine::monitor`] that also follows the rollout of every ECS service the
    /// operation creates or updates (`update`: whether it is an update, which can be
    /// cancelled). When a rollout fails, an update is cancelled (and followed to its
    /// rollback); a create is no longer waited for. The third value says why.
    async fn monitor_deploy(
        &self,
        stack: &str,
        template: &Template,
        seen: &mut BTreeSet<String>,
        update: Option<bool>,
    ) -> Result<(Option<StackInfo>, Vec<StackEvent>, Option<RolloutFailure>), ApiError> {
        let mut backoff = Backoff::new(self.options.poll);
        let mut events_seen = Vec::new();
        let follow = self
            .containers
            .clone()
            .filter(|_| update.is_some() && self.options.rollout.enabled);
        let mut trackers: Vec<RolloutTracker> = Vec::new();
        let mut rollout_failure: Option<RolloutFailure> = None;
        let started = std::time::Instant::now();
        loop {
            let info = self.api.describe_stack(stack).await?;
            let events = self.api.stack_events(stack).await?;
            let mut fresh = false;
            for e in events.into_iter().rev() {
                if seen.insert(e.event_id.clone()) {
                    fresh = true;
                    self.progress
                        .event(&e, template.construct_path(&e.logical_id));
                    if follow.is_some() && rollout_failure.is_none() {
                        self.track_service(stack, template, &e, &mut trackers);
                    }
                    events_seen.push(e);
                }
            }
            if fresh {
                backoff.reset();
            }
            match &info {
                None => return Ok((None, events_seen, rollout_failure)),
                Some(i) if is_terminal_status(&i.status) => {
                    return Ok((info, events_seen, rollout_failure))
                }
                Some(i) => {
                    if let Some(limit) = self.options.poll.give_up_after {
                        if started.elapsed() >= limit {
                            return Err(ApiError::StillInProgress {
                                stack: stack.to_string(),
                                status: i.status.clone(),
                                waited: limit,
                            });
                        }
                    }
                }
            }
            if let Some(containers) = &follow {
                let failed = rollout::poll_all(
                    &mut trackers,
                    containers.as_ref(),
                    self.progress.as_ref(),
                    self.prompter.as_ref(),
                    true,
                )
                .await?;
                if let Some(failure) = failed {
                    trackers.clear();
                    if update != Some(true) {
                        return Ok((info, events_seen, Some(failure)));
                    }
                    if failure.rolled_back {
                        // ECS rolled the service back; CloudFormation fails the
                        // update and rolls the stack back by itself.
                        self.progress.message(
                            stack,
                            "the service deployment was rolled back: CloudFormation rolls the stack back",
                        );
                    } else {
                        self.progress.message(
                            stack,
                            "the service rollout failed: cancelling the update (CloudFormation rolls it back)",
                        );
                        if let Err(e) = self.api.cancel_update_stack(stack).await {
                            self.progress
                                .message(stack, &format!("CancelUpdateStack failed: {e}"));
                        }
                    }
                    rollout_failure = Some(failure);
                }
            }
            tokio::time::sleep(backoff.next_delay()).await;
        }
    }

    /// Starts following an ECS service when an event says CloudFormation creates or
    /// updates it.
    fn track_service(
        &self,
        stack: &str,
        template: &Template,
        e: &StackEvent,
        trackers: &mut Vec<RolloutTracker>,
    ) {
        if e.resource_type != "AWS::ECS::Service"
            || !matches!(
                e.status.as_str(),
                "CREATE_IN_PROGRESS" | "UPDATE_IN_PROGRESS"
            )
        {
            return;
        }
        let Some(arn) = e.physical_id.as_deref().filter(|p| !p.is_empty()) else {
            return;
        };
        let Some(cluster) = cluster_of_service_arn(arn) else {
            return;
        };
        if trackers.iter().any(|t| t.service == arn) {
            return;
        }
        let label = template
            .construct_path(&e.logical_id)
            .map(str::to_string)
            .unwrap_or_else(|| e.logical_id.clone());
        trackers.push(RolloutTracker::new(
            stack,
            cluster,
            arn,
            &label,
            self.options.rollout,
        ));
    }

    fn failure(
        &self,
        stack: &str,
        operation: &str,
        template: &Template,
        info: Option<&StackInfo>,
        events: &[StackEvent],
        error: Option<String>,
    ) -> Outcome {
        let resources = events
            .iter()
            .filter(|e| {
                e.status.ends_with("_FAILED") && e.resource_type != "AWS::CloudFormation::Stack"
            })
            .map(|e| FailedResource {
                logical_id: e.logical_id.clone(),
                resource_type: e.resource_type.clone(),
                path: template.construct_path(&e.logical_id).map(str::to_string),
                status: e.status.clone(),
                reason: e.reason.clone(),
            })
            .collect();
        let status = info.map(|i| i.status.clone());
        let hint = match status.as_deref() {
            Some("CREATE_FAILED") | Some("UPDATE_FAILED") if self.options.disable_rollback => Some(format!(
                "rollback is disabled: the failed resources were kept; fix the app and deploy again, or roll back with `aws cloudformation rollback-stack --stack-name {stack}`"
            )),
            Some("ROLLBACK_COMPLETE") => Some(
                "the stack was rolled back and can only be deleted; the next deploy deletes and re-creates it".to_string(),
            ),
            Some("UPDATE_ROLLBACK_FAILED") => Some(format!(
                "fix the cause, then `aws cloudformation continue-update-rollback --stack-name {stack}`"
            )),
            _ => None,
        };
        Outcome::Failed(Box::new(FailureReport {
            stack: stack.to_string(),
            operation: operation.to_string(),
            status,
            status_reason: info.and_then(|i| i.status_reason.clone()),
            resources,
            error,
            hint,
        }))
    }

    fn parameters_for(&self, stack: &StackArtifact) -> BTreeMap<String, String> {
        let mut p = stack.parameters.clone();
        for key in ["*", stack.id.as_str(), stack.stack_name.as_str()] {
            if let Some(over) = self.options.parameters.get(key) {
                p.extend(over.clone());
            }
        }
        p
    }

    /// The template as berth sends it: the body minified (what CloudFormation's
    /// limits count), inline when it fits, otherwise uploaded to the bootstrap bucket.
    async fn template_source(&self, stack: &StackArtifact) -> Result<TemplateSource, Outcome> {
        let body = crate::template::minify(&stack.template_body);
        self.template_source_for(&stack.stack_name, "deploy", body)
            .await
    }

    /// [`Engine::template_source`] for a body: inline up to
    /// [`MAX_INLINE_TEMPLATE`] bytes, otherwise uploaded (a failure is the outcome of
    /// `operation` on `stack`).
    pub async fn template_source_for(
        &self,
        stack: &str,
        operation: &str,
        body: String,
    ) -> Result<TemplateSource, Outcome> {
        if body.len() <= MAX_INLINE_TEMPLATE {
            return Ok(TemplateSource::Body(body));
        }
        let toolkit = &self.options.toolkit_stack;
        let fail = |error: String, hint: Option<String>| {
            Outcome::Failed(Box::new(FailureReport {
                stack: stack.to_string(),
                operation: operation.into(),
                status: None,
                status_reason: None,
                resources: Vec::new(),
                error: Some(error),
                hint,
            }))
        };
        let info = match self.api.describe_stack(toolkit).await {
            Ok(i) => i,
            Err(e) => return Err(fail(e.to_string(), None)),
        };
        let bucket = info
            .as_ref()
            .filter(|i| is_success(&i.status) || i.status == "UPDATE_ROLLBACK_COMPLETE")
            .and_then(|i| i.outputs.get("BucketName").cloned());
        let Some(bucket) = bucket else {
            return Err(fail(
                format!(
                    "the template is {} bytes (minified), over CloudFormation's {MAX_INLINE_TEMPLATE}-byte inline limit, so it must be uploaded to the bootstrap bucket, but the bootstrap stack {toolkit} {}",
                    body.len(),
                    if info.is_some() { "has no BucketName output" } else { "does not exist in this account and region" }
                ),
                Some(format!("run `berth bootstrap{}` once for this account and region, then deploy again",
                    if toolkit == DEFAULT_TOOLKIT_STACK { String::new() } else { format!(" --toolkit-stack-name {toolkit}") })),
            ));
        };
        let hash = Sha256::digest(body.as_bytes());
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        let key = format!("templates/{stack}-{}.json", &hex[..16]);
        self.progress.message(
            stack,
            &format!(
                "template is {} bytes (minified): uploading to s3://{bucket}/{key}",
                body.len()
            ),
        );
        match self.api.upload_template(&bucket, &key, &body).await {
            Ok(url) => Ok(TemplateSource::Url(url)),
            Err(e) => Err(fail(format!("uploading the template failed: {e}"), None)),
        }
    }

    /// Deploys one stack.
    pub async fn deploy_stack(&self, stack: &StackArtifact) -> Outcome {
        match self.deploy_stack_inner(stack).await {
            Ok(o) => o,
            Err(e) => {
                let info = self
                    .api
                    .describe_stack(&stack.stack_name)
                    .await
                    .ok()
                    .flatten();
                self.failure(
                    &stack.stack_name,
                    "deploy",
                    &stack.template,
                    info.as_ref(),
                    &[],
                    Some(e.with_hint()),
                )
            }
        }
    }

    /// Deploys one stack in four steps: [`Engine::plan`] (what is there, the guard,
    /// approval, nothing to do, hotswap), [`Engine::upload`] (the template, and the
    /// request), [`Engine::submit`] (a change set, checked by the guard again, or a
    /// direct create or update) and [`Engine::wait`] (events and service rollouts until
    /// the stack settles).
    async fn deploy_stack_inner(&self, stack: &StackArtifact) -> Result<Outcome, ApiError> {
        let plan = match self.plan(stack).await? {
            Planned::Deploy(plan) => plan,
            Planned::Done(outcome) => return Ok(*outcome),
        };
        let request = match self.upload(stack, &plan).await {
            Ok(request) => request,
            Err(outcome) => return Ok(outcome),
        };
        let name = &stack.stack_name;
        let mut seen = if plan.existing.is_some() {
            self.seen_events(name).await?
        } else {
            BTreeSet::new()
        };
        let operation = if plan.exists { "updating" } else { "creating" };
        self.progress
            .started(name, operation, stack.template.resources.len());
        if let Some(outcome) = self.submit(stack, &request, &plan).await? {
            return Ok(outcome);
        }
        self.wait(stack, &plan, &mut seen).await
    }

    /// What deploying `stack` starts from: waits for an operation in progress, deletes
    /// what a failed create left, runs the guard on the template difference, asks for
    /// approval, and stops when nothing changed or a hotswap did the work.
    async fn plan(&self, stack: &StackArtifact) -> Result<Planned, ApiError> {
        let done = |outcome| Ok(Planned::Done(Box::new(outcome)));
        let name = &stack.stack_name;
        let mut existing = self.wait_stable(name).await?;
        if let Some(s) = existing.as_ref().filter(|s| is_failed_create(&s.status)) {
            self.progress.message(
                name,
                &format!(
                    "{} after a failed create: deleting it before creating it again",
                    s.status
                ),
            );
            let id = s.stack_id.clone();
            let mut seen = self.seen_events(&id).await?;
            self.api.delete_stack(&id).await?;
            let (info, events) = self.monitor(&id, &stack.template, &mut seen).await?;
            if let Some(i) = info.filter(|i| i.status != "DELETE_COMPLETE") {
                return done(self.failure(
                    name,
                    "delete the failed stack",
                    &stack.template,
                    Some(&i),
                    &events,
                    None,
                ));
            }
            existing = None;
        }
        let review = existing
            .as_ref()
            .is_some_and(|s| s.status == "REVIEW_IN_PROGRESS");
        if review && self.options.method == Method::Direct {
            self.api.delete_stack(name).await?;
            existing = None;
        }
        let exists = existing.is_some() && !review;

        // The deployed template: for the guard, the approval diff and "unchanged".
        let deployed = if exists {
            self.api
                .get_template(name)
                .await?
                .and_then(|b| Template::parse_any(&b).ok())
        } else {
            None
        };
        let diff = diff_templates(deployed.as_ref(), &stack.template, &schema_create_only);
        let moves = self.moves(stack, deployed.as_ref(), &diff).await;
        // The guard, from the templates: refuse before anything is asked or changed.
        let guard = self.guard(stack, deployed.as_ref(), &diff, None, &moves);
        if !guard.refused().is_empty() {
            self.progress.finished(name, false, "refused");
            return done(Outcome::Refused(Box::new(guard)));
        }
        self.note_moves(name, &guard);
        if let Some(outcome) = self.approve(name, &diff, &guard) {
            return done(outcome);
        }

        let parameters = self.parameters_for(stack);
        if exists && !self.options.force {
            if let Some(current) = existing.as_ref().filter(|s| is_success(&s.status)) {
                if self.unchanged(stack, deployed.as_ref(), current, &parameters) {
                    self.progress
                        .message(name, "template, parameters and tags are unchanged");
                    if let Some(failed) = self.sync_protection(stack, current).await {
                        return done(failed);
                    }
                    return done(Outcome::NoChanges {
                        outputs: current.outputs.clone(),
                    });
                }
            }
        }

        if self.options.hotswap != HotswapMode::Off {
            if let Some(outcome) = self.try_hotswap(stack, existing.as_ref()).await? {
                return done(outcome);
            }
        }
        Ok(Planned::Deploy(Box::new(Plan {
            existing,
            exists,
            parameters,
            deployed,
            diff,
            moves,
        })))
    }

    /// Asks for approval when the template difference needs it (before anything
    /// changes); the outcome when it is not given.
    fn approve(&self, name: &str, diff: &TemplateDiff, guard: &GuardReport) -> Option<Outcome> {
        if self.options.approval == Approval::Never || !needs_approval(self.options.approval, diff)
        {
            return None;
        }
        let what = if diff.security.is_broadening() {
            "broadens permissions or network access"
        } else {
            "changes resources"
        };
        let question = format!("{name}: this deployment {what}. Deploy it?");
        let mut answer = None;
        self.progress.suspend(&mut || {
            self.out.write(&crate::diff::render_guarded(
                name,
                diff,
                Some(guard),
                self.out.is_tty,
            ));
            answer = self.prompter.confirm(&question);
        });
        match answer {
            Some(true) => None,
            Some(false) => Some(Outcome::NotApproved(format!("{name}: not approved, nothing deployed"))),
            None => Some(Outcome::NotApproved(format!(
                "{name}: this deployment {what} and needs approval (--require-approval {}), but there is no terminal to ask on; review it with `berth diff {name}`, then deploy from a terminal or pass --require-approval never",
                match self.options.approval { Approval::AnyChange => "any-change", _ => "broadening" }
            ))),
        }
    }

    /// The create or update request: the template inline, or uploaded to the bootstrap
    /// bucket when it is too large (the failure's outcome when it cannot be).
    async fn upload(&self, stack: &StackArtifact, plan: &Plan) -> Result<StackRequest, Outcome> {
        let template = self.template_source(stack).await?;
        Ok(StackRequest {
            stack_name: stack.stack_name.clone(),
            template,
            parameters: plan.parameters.clone(),
            capabilities: stack
                .template
                .capabilities()
                .map(|c| vec![c.as_str().to_string()])
                .unwrap_or_default(),
            tags: stack.tags.clone(),
            disable_rollback: self.options.disable_rollback,
            termination_protection: stack.termination_protection == Some(true),
        })
    }

    /// Starts the create or update: through a change set (created, waited for, checked
    /// by the guard with CloudFormation's own plan, executed) or directly. An outcome
    /// when it ends there (nothing to change, a refused or failed change set, a request
    /// CloudFormation refuses).
    async fn submit(
        &self,
        stack: &StackArtifact,
        request: &StackRequest,
        plan: &Plan,
    ) -> Result<Option<Outcome>, ApiError> {
        let name = &stack.stack_name;
        let exists = plan.exists;
        let call = match self.options.method {
            Method::Direct => {
                if exists {
                    self.api.update_stack(request).await.map(|_| ())
                } else {
                    self.api.create_stack(request).await.map(|_| ())
                }
            }
            Method::ChangeSet => {
                let cs_name = format!(
                    "berth-deploy-{}",
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_millis())
                        .unwrap_or(0)
                );
                let kind = if exists {
                    ChangeSetType::Update
                } else {
                    ChangeSetType::Create
                };
                match self.change_set(request, &cs_name, kind).await {
                    Ok(Some(planned)) => {
                        // The guard again, with CloudFormation's own plan.
                        let guard = self.guard(
                            stack,
                            plan.deployed.as_ref(),
                            &plan.diff,
                            Some(&planned.resource_changes),
                            &plan.moves,
                        );
                        if !guard.refused().is_empty() {
                            let _ = self.api.delete_change_set(name, &cs_name).await;
                            self.progress.finished(name, false, "refused");
                            return Ok(Some(Outcome::Refused(Box::new(guard))));
                        }
                        self.api
                            .execute_change_set(name, &cs_name, self.options.disable_rollback)
                            .await
                    }
                    Ok(None) => Err(ApiError::service(
                        "ValidationError",
                        "No updates are to be performed.",
                    )),
                    Err(ChangeSetFailure::Api(e)) => {
                        // Leave nothing behind: the change set, if the request went
                        // through after all, and the empty stack a CREATE change set
                        // makes.
                        self.discard_change_set(name, &cs_name, kind).await;
                        Err(e)
                    }
                    Err(ChangeSetFailure::Failed(reason)) => {
                        self.discard_change_set(name, &cs_name, kind).await;
                        let outcome = self.failure(
                            name,
                            "deploy",
                            &stack.template,
                            None,
                            &[],
                            Some(format!("change set failed: {reason}")),
                        );
                        self.progress.finished(name, false, "change set failed");
                        return Ok(Some(outcome));
                    }
                }
            }
        };
        let Err(e) = call else {
            return Ok(None);
        };
        if e.is_no_updates() {
            self.progress.finished(name, true, "no changes");
            if let Some(current) = plan.existing.as_ref() {
                if let Some(failed) = self.sync_protection(stack, current).await {
                    return Ok(Some(failed));
                }
            }
            let outputs = plan
                .existing
                .as_ref()
                .map(|s| s.outputs.clone())
                .unwrap_or_default();
            return Ok(Some(Outcome::NoChanges { outputs }));
        }
        // moto (and AWS for some validation errors) fail synchronously.
        let info = self.api.describe_stack(name).await.ok().flatten();
        self.progress.finished(name, false, "failed");
        let mut outcome = self.failure(
            name,
            "deploy",
            &stack.template,
            info.as_ref(),
            &[],
            Some(if e.may_have_succeeded() {
                e.to_string()
            } else {
                e.with_hint()
            }),
        );
        if e.may_have_succeeded() {
            if let Outcome::Failed(report) = &mut outcome {
                report.hint = Some(format!(
                    "the first request may have been carried out although its answer was lost (the retry found its work done); run the same deploy again: it starts from the state {name} is in now"
                ));
            }
        }
        Ok(Some(outcome))
    }

    /// Follows the operation (events, and the rollouts of the services it changes)
    /// until the stack settles, and says how it ended.
    async fn wait(
        &self,
        stack: &StackArtifact,
        plan: &Plan,
        seen: &mut BTreeSet<String>,
    ) -> Result<Outcome, ApiError> {
        let name = &stack.stack_name;
        let (info, events, rollout_failure) = self
            .monitor_deploy(name, &stack.template, seen, Some(plan.exists))
            .await?;
        if let Some(failure) = rollout_failure {
            let reason = failure.reason;
            let still = info
                .as_ref()
                .is_some_and(|i| !is_terminal_status(&i.status));
            self.progress
                .finished(name, false, "service rollout failed");
            let mut outcome = self.failure(
                name,
                "deploy",
                &stack.template,
                info.as_ref(),
                &events,
                Some(reason),
            );
            if let Outcome::Failed(report) = &mut outcome {
                report.hint = Some(if still {
                    format!("CloudFormation is still creating {name} and waits for the service to stabilize; fix the image or its settings and deploy again, or delete the stack with `berth destroy {name}`")
                } else if failure.rolled_back {
                    "ECS rolled the service back to its previous revision and CloudFormation rolled the stack back".to_string()
                } else {
                    "the update was cancelled and rolled back; the service runs its previous task definition".to_string()
                });
            }
            return Ok(outcome);
        }
        match info {
            Some(i) if is_success(&i.status) => {
                self.progress.finished(name, true, &i.status);
                if let Some(failed) = self.sync_protection(stack, &i).await {
                    return Ok(failed);
                }
                Ok(Outcome::Deployed {
                    status: i.status,
                    outputs: i.outputs,
                })
            }
            other => {
                self.progress.finished(
                    name,
                    false,
                    other.as_ref().map(|i| i.status.as_str()).unwrap_or("gone"),
                );
                Ok(self.failure(
                    name,
                    "deploy",
                    &stack.template,
                    other.as_ref(),
                    &events,
                    None,
                ))
            }
        }
    }

    /// Classifies the deployment's changes (see [`guard`]).
    fn guard(
        &self,
        stack: &StackArtifact,
        deployed: Option<&Template>,
        diff: &TemplateDiff,
        planned: Option<&[api::PlannedChange]>,
        moves: &Detected,
    ) -> GuardReport {
        guard::classify(GuardInput {
            stack: &stack.stack_name,
            deployed,
            new: &stack.template,
            diff,
            planned,
            allow: &self.options.allow_replacement,
            moves,
        })
    }

    /// The resources that moved: within the stack from its own templates; across
    /// stacks (only when a stateful resource is deleted here) with the other stacks of
    /// the app as deployed and as synthesized.
    async fn moves(
        &self,
        stack: &StackArtifact,
        deployed: Option<&Template>,
        diff: &TemplateDiff,
    ) -> Detected {
        if let Some(m) = &self.options.moves {
            return (**m).clone();
        }
        let this = StackTemplates {
            name: &stack.stack_name,
            deployed,
            new: &stack.template,
        };
        // Only a stateful resource gone or new here can have moved to or from another
        // stack in a way that matters (then the others' deployed templates are read).
        let stateful_moved = diff.resources.iter().any(|r| {
            matches!(
                r.kind,
                crate::diff::ChangeKind::Removed | crate::diff::ChangeKind::Added
            ) && guard::stateful_loss(&r.resource_type).is_some()
        });
        if !stateful_moved || self.options.app_templates.len() < 2 {
            return refactor::detect(&[this]);
        }
        let mut others: Vec<(String, Option<Template>, &Template)> = Vec::new();
        for (other, template) in &self.options.app_templates {
            if other == &stack.stack_name {
                continue;
            }
            let deployed = match self.api.get_template(other).await {
                Ok(b) => b.and_then(|b| Template::parse_any(&b).ok()),
                Err(_) => None,
            };
            others.push((other.clone(), deployed, template));
        }
        let mut all = vec![this];
        all.extend(others.iter().map(|(n, d, t)| StackTemplates {
            name: n,
            deployed: d.as_ref(),
            new: t,
        }));
        refactor::detect(&all)
    }

    /// Says which allowed stateful resources move by deletion and re-creation.
    fn note_moves(&self, stack: &str, guard: &GuardReport) {
        for c in &guard.changes {
            if let (Some(m), Action::Delete, Some(_)) = (&c.moved, c.action, c.loses) {
                self.progress.message(
                    stack,
                    &format!(
                        "{} moved to {}: CloudFormation creates a new one and deletes the old one ({}); `berth refactor` keeps it instead",
                        m.from.describe(),
                        m.to.describe(),
                        c.warning().unwrap_or_default()
                    ),
                );
            }
        }
    }

    /// Removes what a change set that was not executed left: the change set, and the
    /// empty `REVIEW_IN_PROGRESS` stack a `CREATE` change set makes.
    async fn discard_change_set(&self, name: &str, cs: &str, kind: ChangeSetType) {
        let _ = self.api.delete_change_set(name, cs).await;
        if kind == ChangeSetType::Create {
            if let Ok(Some(s)) = self.api.describe_stack(name).await {
                if s.status == "REVIEW_IN_PROGRESS" {
                    let _ = self.api.delete_stack(&s.stack_id).await;
                }
            }
        }
    }

    /// Turns termination protection on or off when the app says so and the stack
    /// differs; a failure is the deployment's outcome.
    async fn sync_protection(&self, stack: &StackArtifact, info: &StackInfo) -> Option<Outcome> {
        let want = stack.termination_protection?;
        if want == info.termination_protection {
            return None;
        }
        let name = &stack.stack_name;
        match self.api.update_termination_protection(name, want).await {
            Ok(()) => {
                self.progress.message(
                    name,
                    &format!(
                        "termination protection turned {}",
                        if want { "on" } else { "off" }
                    ),
                );
                None
            }
            Err(e) => Some(self.failure(
                name,
                "set termination protection on",
                &stack.template,
                Some(info),
                &[],
                Some(e.with_hint()),
            )),
        }
    }

    /// Whether the deployed stack already has this template, these parameters and tags.
    fn unchanged(
        &self,
        stack: &StackArtifact,
        deployed: Option<&Template>,
        current: &StackInfo,
        parameters: &BTreeMap<String, String>,
    ) -> bool {
        let Some(deployed) = deployed else {
            return false;
        };
        if *deployed != stack.template {
            return false;
        }
        for (key, decl) in &stack.template.parameters {
            let default = decl.get("Default").map(|d| match d {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            });
            let wanted = parameters.get(key).cloned().or(default.clone());
            let have = current.parameters.get(key).cloned().or(default);
            if wanted != have {
                return false;
            }
        }
        stack
            .tags
            .iter()
            .all(|(k, v)| current.tags.get(k) == Some(v))
            && current
                .tags
                .keys()
                .all(|k| k.starts_with("aws:") || stack.tags.contains_key(k))
    }

    /// Creates a change set and waits for it: `Ok(Some(plan))` to execute, `Ok(None)`
    /// when it holds no changes (it is deleted).
    async fn change_set(
        &self,
        req: &StackRequest,
        cs: &str,
        kind: ChangeSetType,
    ) -> Result<Option<api::ChangeSetInfo>, ChangeSetFailure> {
        let name = &req.stack_name;
        if let Err(e) = self.api.create_change_set(req, cs, kind).await {
            // The change set's name is this deployment's own: a retry that finds it
            // already there means the first request went through.
            if !(e.may_have_succeeded()
                && e.request()
                    .and_then(|r| r.retries.last())
                    .is_some_and(ApiError::is_already_exists))
            {
                return Err(ChangeSetFailure::Api(e));
            }
            self.progress.message(
                name,
                &format!("the change set was created although the answer was lost ({e}); going on"),
            );
        }
        let mut backoff = Backoff::new(self.options.poll);
        loop {
            let info = self
                .api
                .describe_change_set(name, cs)
                .await
                .map_err(ChangeSetFailure::Api)?;
            if info.is_empty_change_set() {
                let _ = self.api.delete_change_set(name, cs).await;
                if kind == ChangeSetType::Create {
                    // A REVIEW_IN_PROGRESS stack with nothing in it: remove it again.
                    let _ = self.api.delete_stack(name).await;
                }
                return Ok(None);
            }
            match info.status.as_str() {
                "CREATE_COMPLETE" => return Ok(Some(info)),
                "FAILED" => {
                    return Err(ChangeSetFailure::Failed(
                        info.status_reason.unwrap_or_default(),
                    ))
                }
                _ => tokio::time::sleep(backoff.next_delay()).await,
            }
        }
    }

    /// Deploys stacks in dependency order, independent ones in parallel up to
    /// `options.concurrency`. A stack whose dependency failed is skipped.
    ///
    /// First the guard looks at every stack (and, for stateful resources that moved,
    /// at the app's other stacks): when it refuses one, nothing is deployed, so that a
    /// resource moving from one stack to another is not created in its new stack while
    /// the old one is kept back.
    pub async fn deploy_all(self: Arc<Self>, stacks: Vec<StackArtifact>) -> Vec<(String, Outcome)> {
        let this = match self.guard_all(&stacks).await {
            Ok(GuardPlan::Refused(outcomes)) => return outcomes,
            Ok(GuardPlan::Go(moves)) => Arc::new(Engine {
                api: Arc::clone(&self.api),
                containers: self.containers.clone(),
                progress: Arc::clone(&self.progress),
                prompter: Arc::clone(&self.prompter),
                options: DeployOptions {
                    moves: Some(Arc::new(moves)),
                    ..self.options.clone()
                },
                out: self.out.clone(),
            }),
            // Each stack's deploy meets the error again and reports it.
            Err(_) => self,
        };
        this.deploy_each(stacks).await
    }

    /// The guard over all the stacks of a deployment, before any is deployed.
    async fn guard_all(&self, stacks: &[StackArtifact]) -> Result<GuardPlan, ApiError> {
        let mut deployed: BTreeMap<String, Option<Template>> = BTreeMap::new();
        let mut diffs: Vec<TemplateDiff> = Vec::new();
        for s in stacks {
            let t = self
                .api
                .get_template(&s.stack_name)
                .await?
                .and_then(|b| Template::parse_any(&b).ok());
            diffs.push(diff_templates(t.as_ref(), &s.template, &schema_create_only));
            deployed.insert(s.stack_name.clone(), t);
        }
        let stateful_moved = diffs.iter().flat_map(|d| &d.resources).any(|r| {
            matches!(
                r.kind,
                crate::diff::ChangeKind::Removed | crate::diff::ChangeKind::Added
            ) && guard::stateful_loss(&r.resource_type).is_some()
        });
        let mut all: Vec<(String, &Template)> = stacks
            .iter()
            .map(|s| (s.stack_name.clone(), &s.template))
            .collect();
        if stateful_moved {
            for (name, template) in &self.options.app_templates {
                if !deployed.contains_key(name) {
                    let t = self
                        .api
                        .get_template(name)
                        .await?
                        .and_then(|b| Template::parse_any(&b).ok());
                    deployed.insert(name.clone(), t);
                    all.push((name.clone(), template));
                }
            }
        }
        let moves = refactor::detect(
            &all.iter()
                .map(|(name, new)| StackTemplates {
                    name,
                    deployed: deployed.get(name).and_then(Option::as_ref),
                    new,
                })
                .collect::<Vec<_>>(),
        );
        let mut refused: Vec<(String, GuardReport)> = Vec::new();
        for (s, diff) in stacks.iter().zip(&diffs) {
            let report = self.guard(
                s,
                deployed.get(&s.stack_name).and_then(Option::as_ref),
                diff,
                None,
                &moves,
            );
            if !report.refused().is_empty() {
                refused.push((s.id.clone(), report));
            }
        }
        if refused.is_empty() {
            return Ok(GuardPlan::Go(moves));
        }
        let names: Vec<&str> = refused.iter().map(|(_, r)| r.stack.as_str()).collect();
        let mut outcomes = Vec::new();
        for s in stacks {
            match refused.iter().position(|(id, _)| id == &s.id) {
                Some(i) => {
                    self.progress.finished(&s.stack_name, false, "refused");
                    outcomes.push((
                        s.id.clone(),
                        Outcome::Refused(Box::new(refused[i].1.clone())),
                    ));
                }
                None => outcomes.push((
                    s.id.clone(),
                    Outcome::Skipped(format!(
                        "{}: not deployed, because the guard refused the deploy of {}",
                        s.stack_name,
                        names.join(", ")
                    )),
                )),
            }
        }
        Ok(GuardPlan::Refused(outcomes))
    }

    async fn deploy_each(self: Arc<Self>, stacks: Vec<StackArtifact>) -> Vec<(String, Outcome)> {
        let ids: BTreeSet<String> = stacks.iter().map(|s| s.id.clone()).collect();
        let mut pending: Vec<StackArtifact> = stacks;
        let mut results: HashMap<String, Outcome> = HashMap::new();
        let mut order: Vec<String> = pending.iter().map(|s| s.id.clone()).collect();
        let mut running = tokio::task::JoinSet::new();
        let limit = self.options.concurrency.max(1);
        loop {
            // Skip stacks whose dependencies failed.
            let mut i = 0;
            while i < pending.len() {
                let failed_dep = pending[i]
                    .dependencies
                    .iter()
                    .find(|d| results.get(*d).is_some_and(|o| !o.is_ok()))
                    .cloned();
                if let Some(dep) = failed_dep {
                    let s = pending.remove(i);
                    results.insert(
                        s.id.clone(),
                        Outcome::Skipped(format!("{}: skipped because {dep} failed", s.stack_name)),
                    );
                } else {
                    i += 1;
                }
            }
            // Start what is ready.
            let mut i = 0;
            while i < pending.len() && running.len() < limit {
                let ready = pending[i]
                    .dependencies
                    .iter()
                    .all(|d| !ids.contains(d) || results.get(d).is_some_and(Outcome::is_ok));
                if ready {
                    let s = pending.remove(i);
                    let engine = Arc::clone(&self);
                    running.spawn(async move {
                        let outcome = engine.deploy_stack(&s).await;
                        (s.id, outcome)
                    });
                } else {
                    i += 1;
                }
            }
            match running.join_next().await {
                Some(Ok((id, outcome))) => {
                    results.insert(id, outcome);
                }
                Some(Err(e)) => {
                    // A panicked task: report it against no particular stack.
                    order.push("(internal)".into());
                    results.insert(
                        "(internal)".into(),
                        Outcome::Skipped(format!("internal error: {e}")),
                    );
                }
                None => break,
            }
        }
        for s in pending {
            results.insert(
                s.id.clone(),
                Outcome::Skipped(format!("{}: not deployed", s.stack_name)),
            );
        }
        order
            .into_iter()
            .filter_map(|id| results.remove(&id).map(|o| (id, o)))
            .collect()
    }

    /// Deletes one stack and waits for it to be gone.
    pub async fn destroy_stack(&self, stack: &StackArtifact) -> Outcome {
        let name = &stack.stack_name;
        let result: Result<Outcome, ApiError> = async {
            let Some(info) = self.wait_stable(name).await? else {
                self.progress.message(name, "does not exist");
                return Ok(Outcome::NotFound);
            };
            if info.termination_protection || stack.termination_protection == Some(true) {
                return Ok(Outcome::Protected(protection_message(
                    name,
                    info.termination_protection,
                    stack.termination_protection == Some(true),
                )));
            }
            let id = info.stack_id.clone();
            let mut seen = self.seen_events(&id).await?;
            self.progress
                .started(name, "destroying", stack.template.resources.len());
            if let Err(e) = self.api.delete_stack(&id).await {
                self.progress.finished(name, false, "failed");
                let now = self.api.describe_stack(&id).await.ok().flatten();
                return Ok(self.failure(
                    name,
                    "destroy",
                    &stack.template,
                    now.as_ref(),
                    &[],
                    Some(e.with_hint()),
                ));
            }
            let (info, events) = self.monitor(&id, &stack.template, &mut seen).await?;
            match info {
                None => {}
                Some(i) if i.status == "DELETE_COMPLETE" => {}
                Some(i) => {
                    self.progress.finished(name, false, &i.status);
                    return Ok(self.failure(
                        name,
                        "destroy",
                        &stack.template,
                        Some(&i),
                        &events,
                        None,
                    ));
                }
            }
            self.progress.finished(name, true, "DELETE_COMPLETE");
            Ok(Outcome::Deleted)
        }
        .await;
        result.unwrap_or_else(|e| {
            self.failure(
                name,
                "destroy",
                &stack.template,
                None,
                &[],
                Some(e.with_hint()),
            )
        })
    }
}

/// Why a stack with termination protection is not deleted, and how to lift it.
pub fn protection_message(stack: &str, deployed: bool, in_app: bool) -> String {
    let app_fix = "set `termination_protection: false` in the stack's StackProps and deploy";
    let cli_fix = format!(
        "`aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name {stack}`"
    );
    let (what, how) = match (deployed, in_app) {
        (true, true) => (
            "has termination protection (set in the app)",
            format!("{app_fix} (or run {cli_fix}, but the next deploy turns it on again)"),
        ),
        (true, false) => (
            "has termination protection (turned on outside the app)",
            format!("run {cli_fix}"),
        ),
        _ => (
            "has termination protection (set in the app)",
            app_fix.to_string(),
        ),
    };
    format!("{stack} {what}: berth does not delete it. To delete it, {how}, then run destroy again")
}

enum GuardPlan {
    /// Deploy, knowing these moves.
    Go(Detected),
    /// Refused: these outcomes, one per stack.
    Refused(Vec<(String, Outcome)>),
}

/// Where [`Engine::plan`] leaves a deployment.
enum Planned {
    /// It is over (refused, not approved, nothing changed, hotswapped, a failed stack
    /// that could not be deleted).
    Done(Box<Outcome>),
    /// It goes through CloudFormation.
    Deploy(Box<Plan>),
}

/// What a deployment through CloudFormation starts from.
struct Plan {
    /// The stack as it is (`None`: it does not exist).
    existing: Option<StackInfo>,
    /// Whether it exists as a stack to update (not one under review only).
    exists: bool,
    /// The parameter values to deploy with.
    parameters: BTreeMap<String, String>,
    /// The deployed template, if there is one.
    deployed: Option<Template>,
    /// What changes, from the templates.
    diff: TemplateDiff,
    /// Resources moved between stacks or paths, for the guard.
    moves: Detected,
}

enum ChangeSetFailure {
    Api(ApiError),
    Failed(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_starts_fast_grows_and_resets() {
        let mut b = Backoff::new(PollConfig {
            initial: Duration::from_millis(100),
            max: Duration::from_millis(400),
            factor: 2.0,
            give_up_after: None,
        });
        let seq: Vec<u128> = (0..5).map(|_| b.next_delay().as_millis()).collect();
        assert_eq!(seq, vec![100, 200, 400, 400, 400]);
        b.reset();
        assert_eq!(b.next_delay().as_millis(), 100);
    }

    #[test]
    fn default_polling_never_waits_long() {
        let mut b = Backoff::new(PollConfig::default());
        let first = b.next_delay();
        let later: Vec<Duration> = (0..50).map(|_| b.next_delay()).collect();
        assert!(first <= Duration::from_millis(500));
        assert!(later.iter().all(|d| *d <= Duration::from_secs(5)));
        assert_eq!(*later.last().unwrap(), Duration::from_secs(5));
    }
}
