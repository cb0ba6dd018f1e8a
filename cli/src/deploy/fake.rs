//! A scripted, in-process CloudFormation for tests: stacks move through status
//! sequences you write (`CREATE_IN_PROGRESS → CREATE_FAILED → ROLLBACK_COMPLETE`), one
//! step per `DescribeStacks`, emitting the per-resource events you give. Without a
//! script an operation completes at once with one pair of events per resource.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;

use super::api::{
    ApiError, ChangeSetInfo, ChangeSetType, CloudFormationApi, PlannedChange, RefactorInfo,
    ResourceMove, StackDefinition, StackEvent, StackInfo, StackRequest, StackResource,
    TemplateSource,
};
use crate::diff::{diff_templates, schema_create_only, ChangeKind};
use crate::template::Template;

/// One step of a script: the stack's status after it and the events it emits.
#[derive(Debug, Clone, Default)]
pub struct Step {
    /// The stack status after this step.
    pub status: String,
    /// `(logical id, type, status, reason)`.
    pub events: Vec<(String, String, String, Option<String>)>,
}

impl Step {
    /// A step that leaves the stack in `status`.
    pub fn new(status: &str) -> Step {
        Step {
            status: status.into(),
            events: Vec::new(),
        }
    }

    /// Adds a resource event.
    pub fn event(mut self, logical_id: &str, resource_type: &str, status: &str) -> Step {
        self.events
            .push((logical_id.into(), resource_type.into(), status.into(), None));
        self
    }

    /// Adds a resource event with a status reason.
    pub fn event_with_reason(
        mut self,
        logical_id: &str,
        resource_type: &str,
        status: &str,
        reason: &str,
    ) -> Step {
        self.events.push((
            logical_id.into(),
            resource_type.into(),
            status.into(),
            Some(reason.into()),
        ));
        self
    }
}

/// What the next operation on a stack does.
#[derive(Debug, Clone, Default)]
pub struct Script {
    /// Steps, one per `DescribeStacks` after the operation starts.
    pub steps: Vec<Step>,
    /// Outputs the stack has once the script ends (in addition to literal template outputs).
    pub outputs: BTreeMap<String, String>,
}

impl Script {
    /// A script of these steps.
    pub fn new(steps: Vec<Step>) -> Script {
        Script {
            steps,
            outputs: BTreeMap::new(),
        }
    }

    /// Adds an output.
    pub fn output(mut self, key: &str, value: &str) -> Script {
        self.outputs.insert(key.into(), value.into());
        self
    }
}

#[derive(Debug, Clone)]
struct FakeStack {
    id: String,
    status: String,
    reason: Option<String>,
    template: String,
    parameters: BTreeMap<String, String>,
    tags: BTreeMap<String, String>,
    outputs: BTreeMap<String, String>,
    pending: VecDeque<Step>,
    pending_outputs: BTreeMap<String, String>,
    termination_protection: bool,
}

#[derive(Debug, Clone)]
struct ChangeSet {
    request: StackRequest,
    kind: ChangeSetType,
    changes: Vec<PlannedChange>,
}

/// How a scripted stack refactor goes: the statuses `DescribeStackRefactor` shows
/// while it is created, then while it executes (one per call; the last one stays).
#[derive(Debug, Clone)]
pub struct RefactorScript {
    /// `(status, reason)` after `CreateStackRefactor`.
    pub create: Vec<(String, Option<String>)>,
    /// `(execution status, reason)` after `ExecuteStackRefactor`.
    pub execute: Vec<(String, Option<String>)>,
}

impl Default for RefactorScript {
    /// In progress once, then complete, for both phases.
    fn default() -> Self {
        RefactorScript {
            create: vec![
                ("CREATE_IN_PROGRESS".into(), None),
                ("CREATE_COMPLETE".into(), None),
            ],
            execute: vec![
                ("EXECUTE_IN_PROGRESS".into(), None),
                ("EXECUTE_COMPLETE".into(), None),
            ],
        }
    }
}

#[derive(Debug, Clone)]
struct FakeRefactor {
    stacks: Vec<StackDefinition>,
    moves: Vec<ResourceMove>,
    create_stacks: bool,
    script: RefactorScript,
    info: RefactorInfo,
    executing: bool,
}

#[derive(Debug, Default)]
struct State {
    stacks: BTreeMap<String, FakeStack>,
    scripts: BTreeMap<String, VecDeque<Script>>,
    failures: BTreeMap<(String, String), VecDeque<ApiError>>,
    /// Errors returned after the operation was carried out (a lost answer).
    failures_after: BTreeMap<(String, String), VecDeque<ApiError>>,
    change_sets: BTreeMap<(String, String), ChangeSet>,
    events: BTreeMap<String, Vec<StackEvent>>,
    uploads: BTreeMap<String, String>,
    /// Stack ids of deleted stacks, to their names (events stay readable by id).
    deleted: BTreeMap<String, String>,
    calls: Vec<String>,
    /// Physical ids by (stack, logical id), for events and `ListStackResources`.
    physical: BTreeMap<(String, String), String>,
    max_in_progress: usize,
    clock: u64,
    next_id: u64,
    /// Resource changes to report for the next change set on a stack, instead of the
    /// ones computed from the templates.
    change_set_scripts: BTreeMap<String, VecDeque<Vec<PlannedChange>>>,
    refactor_scripts: VecDeque<RefactorScript>,
    refactors: BTreeMap<String, FakeRefactor>,
}

/// The scripted fake. Cheap to share behind an `Arc`.
#[derive(Debug, Default)]
pub struct FakeCloudFormation {
    state: Mutex<State>,
}

impl FakeCloudFormation {
    /// An empty account.
    pub fn new() -> FakeCloudFormation {
        FakeCloudFormation::default()
    }

    /// Queues a script for the next operation on `stack` (scripts are used in order).
    pub fn script(&self, stack: &str, script: Script) {
        self.lock()
            .scripts
            .entry(stack.into())
            .or_default()
            .push_back(script);
    }

    /// Makes the next `operation` (`CreateStack`, `UpdateStack`, `CreateChangeSet`,
    /// `ExecuteChangeSet`, `DeleteStack`, `DescribeStacks`, ...) on `stack` fail.
    pub fn fail_next(&self, operation: &str, stack: &str, error: ApiError) {
        self.lock()
            .failures
            .entry((operation.into(), stack.into()))
            .or_default()
            .push_back(error);
    }

    /// Makes the next `operation` (`CreateStack`, `CreateChangeSet`, `ExecuteChangeSet`)
    /// on `stack` take effect and then fail with `error`: an answer lost after the
    /// work was done (`error` carries what berth's retries would have met).
    pub fn fail_after_next(&self, operation: &str, stack: &str, error: ApiError) {
        self.lock()
            .failures_after
            .entry((operation.into(), stack.into()))
            .or_default()
            .push_back(error);
    }

    /// Puts an existing stack in place, in `status`, with `script` still to run (for a
    /// stack that another deployment left in progress).
    pub fn put_stack(&self, stack: &str, template: &str, status: &str, script: Script) {
        let mut st = self.lock();
        let id = format!("arn:aws:cloudformation:us-east-1:123456789012:stack/{stack}/fake");
        st.stacks.insert(
            stack.into(),
            FakeStack {
                id,
                status: status.into(),
                reason: None,
                template: template.into(),
                parameters: BTreeMap::new(),
                tags: BTreeMap::new(),
                outputs: BTreeMap::new(),
                pending: script.steps.into(),
                pending_outputs: script.outputs,
                termination_protection: false,
            },
        );
    }

    /// Turns a stack's termination protection on or off (as `UpdateTerminationProtection`).
    pub fn set_termination_protection(&self, stack: &str, on: bool) {
        if let Some(s) = self.lock().stacks.get_mut(stack) {
            s.termination_protection = on;
        }
    }

    /// Makes the next change set on `stack` report these resource changes (as AWS
    /// would, e.g. a replacement caused by a parameter) instead of the ones the fake
    /// computes from the templates (create-only properties of the schemas).
    pub fn script_change_set(&self, stack: &str, changes: Vec<PlannedChange>) {
        self.lock()
            .change_set_scripts
            .entry(stack.into())
            .or_default()
            .push_back(changes);
    }

    /// Queues how the next stack refactor goes.
    pub fn script_refactor(&self, script: RefactorScript) {
        self.lock().refactor_scripts.push_back(script);
    }

    /// The physical id of a resource, as `ListStackResources` reports it.
    pub fn physical_id(&self, stack: &str, logical_id: &str) -> String {
        let st = self.lock();
        st.physical
            .get(&(stack.to_string(), logical_id.to_string()))
            .cloned()
            .unwrap_or_else(|| format!("{stack}-{logical_id}"))
    }

    /// Gives a resource a physical id (shown in its events and by `ListStackResources`;
    /// default `<stack>-<logical id>`).
    pub fn set_physical_id(&self, stack: &str, logical_id: &str, physical_id: &str) {
        self.lock()
            .physical
            .insert((stack.into(), logical_id.into()), physical_id.into());
    }

    /// Every call so far, one line each (`CreateStack Web capabilities=[...]`).
    pub fn calls(&self) -> Vec<String> {
        self.lock().calls.clone()
    }

    /// The largest number of stacks that had an operation in progress at once.
    pub fn max_in_progress(&self) -> usize {
        self.lock().max_in_progress
    }

    /// The current status of a stack, if it exists.
    pub fn status(&self, stack: &str) -> Option<String> {
        self.lock().stacks.get(stack).map(|s| s.status.clone())
    }

    /// The template body last deployed to a stack.
    pub fn template(&self, stack: &str) -> Option<String> {
        self.lock().stacks.get(stack).map(|s| s.template.clone())
    }

    /// Uploaded objects by `bucket/key`.
    pub fn uploads(&self) -> BTreeMap<String, String> {
        self.lock().uploads.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl State {
    fn call(&mut self, line: String) {
        self.calls.push(line);
    }

    /// The next scripted error of `op` on `stack`, before (`after`: false) or after the
    /// operation took effect.
    fn scripted_error(&mut self, after: bool, op: &str, stack: &str) -> Result<(), ApiError> {
        let queues = if after {
            &mut self.failures_after
        } else {
            &mut self.failures
        };
        match queues
            .get_mut(&(op.to_string(), stack.to_string()))
            .and_then(VecDeque::pop_front)
        {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn failure_after(&mut self, op: &str, stack: &str) -> Result<(), ApiError> {
        self.scripted_error(true, op, stack)
    }

    fn failure(&mut self, op: &str, stack: &str) -> Result<(), ApiError> {
        self.scripted_error(false, op, stack)
    }

    fn push_event(
        &mut self,
        stack: &str,
        logical_id: &str,
        resource_type: &str,
        status: &str,
        reason: Option<String>,
    ) {
        self.clock += 1;
        self.next_id += 1;
        let ev = StackEvent {
            event_id: format!("ev-{}", self.next_id),
            stack_name: stack.into(),
            logical_id: logical_id.into(),
            physical_id: self
                .physical
                .get(&(stack.to_string(), logical_id.to_string()))
                .cloned(),
            resource_type: resource_type.into(),
            status: status.into(),
            reason,
            timestamp: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + self.clock),
        };
        self.events.entry(stack.into()).or_default().push(ev);
    }

    /// Starts an operation: loads the next script or a default one, and emits the
    /// stack's own "User Initiated" event.
    fn start(&mut self, stack: &str, verb: &str, template: &str) {
        let script = self
            .scripts
            .get_mut(stack)
            .and_then(VecDeque::pop_front)
            .unwrap_or_else(|| default_script(verb, template));
        let in_progress = format!("{verb}_IN_PROGRESS");
        self.push_event(
            stack,
            stack,
            "AWS::CloudFormation::Stack",
            &in_progress,
            Some("User Initiated".into()),
        );
        if let Some(s) = self.stacks.get_mut(stack) {
            s.status = in_progress;
            s.reason = None;
            s.pending = script.steps.into();
            s.pending_outputs = script.outputs;
        }
        let busy = self
            .stacks
            .values()
            .filter(|s| s.status.ends_with("_IN_PROGRESS") && s.status != "REVIEW_IN_PROGRESS")
            .count();
        self.max_in_progress = self.max_in_progress.max(busy);
    }

    /// Runs one step of a stack's script.
    fn advance(&mut self, stack: &str) {
        let Some(step) = self
            .stacks
            .get_mut(stack)
            .and_then(|s| s.pending.pop_front())
        else {
            return;
        };
        for (id, ty, status, reason) in &step.events {
            self.push_event(stack, id, ty, status, reason.clone());
        }
        let done = self.stacks.get(stack).is_some_and(|s| s.pending.is_empty());
        if let Some(s) = self.stacks.get_mut(stack) {
            s.status = step.status.clone();
            if done {
                let outs = std::mem::take(&mut s.pending_outputs);
                s.outputs.extend(outs);
            }
        }
        if done {
            self.push_event(
                stack,
                stack,
                "AWS::CloudFormation::Stack",
                &step.status,
                None,
            );
            if step.status == "DELETE_COMPLETE" {
                if let Some(gone) = self.stacks.remove(stack) {
                    self.deleted.insert(gone.id, stack.to_string());
                }
            }
        }
    }

    fn apply(&mut self, req: &StackRequest, verb: &str) {
        let body = match &req.template {
            TemplateSource::Body(b) => b.clone(),
            TemplateSource::Url(u) => self
                .uploads
                .iter()
                .find(|(k, _)| u.ends_with(k.as_str()))
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
        };
        let id = format!(
            "arn:aws:cloudformation:us-east-1:123456789012:stack/{}/fake",
            req.stack_name
        );
        let entry = self
            .stacks
            .entry(req.stack_name.clone())
            .or_insert_with(|| FakeStack {
                id,
                status: String::new(),
                reason: None,
                template: String::new(),
                parameters: BTreeMap::new(),
                tags: BTreeMap::new(),
                outputs: BTreeMap::new(),
                pending: VecDeque::new(),
                pending_outputs: BTreeMap::new(),
                termination_protection: false,
            });
        entry.template = body.clone();
        entry.parameters = req.parameters.clone();
        entry.tags = req.tags.clone();
        entry.outputs = literal_outputs(&body);
        self.start(&req.stack_name, verb, &body);
    }
}

fn literal_outputs(body: &str) -> BTreeMap<String, String> {
    let Ok(t) = Template::parse_any(body) else {
        return BTreeMap::new();
    };
    t.outputs
        .iter()
        .filter_map(|(k, v)| {
            v.get("Value")
                .and_then(|v| v.as_str())
                .map(|s| (k.clone(), s.to_string()))
        })
        .collect()
}

/// The resource changes AWS would plan, from the templates: replacement from the
/// schemas' create-only properties and type changes.
fn planned_changes(old: Option<&Template>, new: &Template) -> Vec<PlannedChange> {
    diff_templates(old, new, &schema_create_only)
        .resources
        .into_iter()
        .map(|r| PlannedChange {
            action: match r.kind {
                ChangeKind::Added => "Add",
                ChangeKind::Removed => "Remove",
                ChangeKind::Modified => "Modify",
            }
            .into(),
            replacement: (r.kind == ChangeKind::Modified)
                .then(|| if r.replacement { "True" } else { "False" }.into()),
            causes: r
                .properties
                .iter()
                .map(|p| match &p.replaced_by {
                    Some(_) => format!("Properties.{} (requires recreation: Always)", p.path),
                    None => format!("Properties.{}", p.path),
                })
                .collect(),
            logical_id: r.logical_id,
            resource_type: r.resource_type,
        })
        .collect()
}

fn default_script(verb: &str, template: &str) -> Script {
    let resources: Vec<(String, String)> = Template::parse_any(template)
        .map(|t| {
            t.resources
                .iter()
                .map(|(k, r)| (k.clone(), r.kind.clone()))
                .collect()
        })
        .unwrap_or_default();
    let mut step = Step::new(&format!("{verb}_COMPLETE"));
    for (id, ty) in &resources {
        step = step.event(id, ty, &format!("{verb}_IN_PROGRESS")).event(
            id,
            ty,
            &format!("{verb}_COMPLETE"),
        );
    }
    Script::new(vec![step])
}

fn describe(s: &FakeStack, name: &str) -> StackInfo {
    StackInfo {
        stack_id: s.id.clone(),
        stack_name: name.into(),
        status: s.status.clone(),
        status_reason: s.reason.clone(),
        outputs: s.outputs.clone(),
        parameters: s.parameters.clone(),
        tags: s.tags.clone(),
        termination_protection: s.termination_protection,
    }
}

fn request_line(op: &str, req: &StackRequest) -> String {
    let template = match &req.template {
        TemplateSource::Body(b) => format!("body({} bytes)", b.len()),
        TemplateSource::Url(u) => format!("url({u})"),
    };
    format!(
        "{op} {} template={template} capabilities={:?} parameters={:?} tags={:?} disable_rollback={}",
        req.stack_name, req.capabilities, req.parameters, req.tags, req.disable_rollback
    )
}

/// Name lookups accept the stack id too.
fn resolve(st: &State, stack: &str) -> Option<String> {
    if st.stacks.contains_key(stack) {
        return Some(stack.into());
    }
    st.stacks
        .iter()
        .find(|(_, s)| s.id == stack)
        .map(|(k, _)| k.clone())
}

#[async_trait]
impl CloudFormationApi for FakeCloudFormation {
    async fn describe_stack(&self, stack: &str) -> Result<Option<StackInfo>, ApiError> {
        let mut st = self.lock();
        st.failure("DescribeStacks", stack)?;
        let Some(name) = resolve(&st, stack) else {
            return Ok(None);
        };
        let before = st.stacks.get(&name).map(|s| describe(s, &name));
        st.advance(&name);
        Ok(st
            .stacks
            .get(&name)
            .map(|s| describe(s, &name))
            .or_else(|| {
                before.map(|mut b| {
                    b.status = "DELETE_COMPLETE".into();
                    b
                })
            })
            .filter(|s| s.status != "DELETE_COMPLETE" || stack.starts_with("arn:")))
    }

    async fn get_template(&self, stack: &str) -> Result<Option<String>, ApiError> {
        let mut st = self.lock();
        st.call(format!("GetTemplate {stack}"));
        st.failure("GetTemplate", stack)?;
        Ok(resolve(&st, stack).and_then(|n| st.stacks.get(&n).map(|s| s.template.clone())))
    }

    async fn create_stack(&self, req: &StackRequest) -> Result<String, ApiError> {
        let mut st = self.lock();
        st.call(request_line("CreateStack", req));
        st.failure("CreateStack", &req.stack_name)?;
        if st.stacks.contains_key(&req.stack_name) {
            return Err(ApiError::service(
                "AlreadyExistsException",
                &format!("Stack [{}] already exists", req.stack_name),
            ));
        }
        st.apply(req, "CREATE");
        // Only CreateStack takes termination protection (change sets cannot).
        if let Some(s) = st.stacks.get_mut(&req.stack_name) {
            s.termination_protection = req.termination_protection;
        }
        st.failure_after("CreateStack", &req.stack_name)?;
        Ok(st.stacks[&req.stack_name].id.clone())
    }

    async fn update_stack(&self, req: &StackRequest) -> Result<(), ApiError> {
        let mut st = self.lock();
        st.call(request_line("UpdateStack", req));
        st.failure("UpdateStack", &req.stack_name)?;
        let Some(s) = st.stacks.get(&req.stack_name) else {
            return Err(ApiError::service(
                "ValidationError",
                &format!("Stack [{}] does not exist", req.stack_name),
            ));
        };
        if let TemplateSource::Body(b) = &req.template {
            if *b == s.template && req.parameters == s.parameters {
                return Err(ApiError::service(
                    "ValidationError",
                    "No updates are to be performed.",
                ));
            }
        }
        st.apply(req, "UPDATE");
        Ok(())
    }

    async fn create_change_set(
        &self,
        req: &StackRequest,
        name: &str,
        kind: ChangeSetType,
    ) -> Result<String, ApiError> {
        let mut st = self.lock();
        st.call(format!(
            "{} kind={kind:?}",
            request_line("CreateChangeSet", req)
        ));
        st.failure("CreateChangeSet", &req.stack_name)?;
        let body = match &req.template {
            TemplateSource::Body(b) => b.clone(),
            TemplateSource::Url(u) => st
                .uploads
                .iter()
                .find(|(k, _)| u.ends_with(k.as_str()))
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
        };
        let new = Template::parse_any(&body).unwrap_or_default();
        let (old, same_params) = match st.stacks.get(&req.stack_name) {
            Some(s) if kind == ChangeSetType::Update => (
                Template::parse_any(&s.template).ok(),
                s.parameters == req.parameters,
            ),
            _ => (None, false),
        };
        let scripted = st
            .change_set_scripts
            .get_mut(&req.stack_name)
            .and_then(VecDeque::pop_front);
        let mut changes = scripted.unwrap_or_else(|| planned_changes(old.as_ref(), &new));
        if changes.is_empty() && !same_params {
            // A parameter changed: AWS lists the resources using it; one stands for them.
            changes.push(PlannedChange {
                action: "Modify".into(),
                logical_id: "(parameters)".into(),
                resource_type: String::new(),
                replacement: Some("False".into()),
                causes: vec!["Parameters".into()],
            });
        }
        if kind == ChangeSetType::Create && !st.stacks.contains_key(&req.stack_name) {
            let id = format!(
                "arn:aws:cloudformation:us-east-1:123456789012:stack/{}/fake",
                req.stack_name
            );
            st.stacks.insert(
                req.stack_name.clone(),
                FakeStack {
                    id,
                    status: "REVIEW_IN_PROGRESS".into(),
                    reason: None,
                    template: String::new(),
                    parameters: BTreeMap::new(),
                    tags: BTreeMap::new(),
                    outputs: BTreeMap::new(),
                    pending: VecDeque::new(),
                    pending_outputs: BTreeMap::new(),
                    termination_protection: false,
                },
            );
        }
        let key = (req.stack_name.clone(), name.to_string());
        if st.change_sets.contains_key(&key) {
            return Err(ApiError::service(
                "AlreadyExistsException",
                &format!("ChangeSet {name} already exists"),
            ));
        }
        st.change_sets.insert(
            key,
            ChangeSet {
                request: req.clone(),
                kind,
                changes,
            },
        );
        st.failure_after("CreateChangeSet", &req.stack_name)?;
        Ok(format!("changeset/{name}"))
    }

    async fn describe_change_set(
        &self,
        stack: &str,
        name: &str,
    ) -> Result<ChangeSetInfo, ApiError> {
        let mut st = self.lock();
        st.failure("DescribeChangeSet", stack)?;
        match st.change_sets.get(&(stack.to_string(), name.to_string())) {
            Some(cs) if cs.changes.is_empty() => Ok(ChangeSetInfo {
                status: "FAILED".into(),
                status_reason: Some(
                    "The submitted information didn't contain changes. Submit different information to create a change set.".into(),
                ),
                changes: 0,
                resource_changes: Vec::new(),
            }),
            Some(cs) => Ok(ChangeSetInfo {
                status: "CREATE_COMPLETE".into(),
                status_reason: None,
                changes: cs.changes.len(),
                resource_changes: cs.changes.clone(),
            }),
            None => Err(ApiError::service(
                "ChangeSetNotFound",
                &format!("ChangeSet [{name}] does not exist"),
            )),
        }
    }

    async fn execute_change_set(
        &self,
        stack: &str,
        name: &str,
        disable_rollback: bool,
    ) -> Result<(), ApiError> {
        let mut st = self.lock();
        st.call(format!(
            "ExecuteChangeSet {stack} {name} disable_rollback={disable_rollback}"
        ));
        st.failure("ExecuteChangeSet", stack)?;
        let Some(cs) = st
            .change_sets
            .remove(&(stack.to_string(), name.to_string()))
        else {
            return Err(ApiError::service(
                "ChangeSetNotFound",
                &format!("ChangeSet [{name}] does not exist"),
            ));
        };
        let verb = match cs.kind {
            ChangeSetType::Create => "CREATE",
            ChangeSetType::Update => "UPDATE",
        };
        st.apply(&cs.request, verb);
        st.failure_after("ExecuteChangeSet", stack)?;
        Ok(())
    }

    async fn delete_change_set(&self, stack: &str, name: &str) -> Result<(), ApiError> {
        let mut st = self.lock();
        st.call(format!("DeleteChangeSet {stack} {name}"));
        st.change_sets
            .remove(&(stack.to_string(), name.to_string()));
        Ok(())
    }

    async fn delete_stack(&self, stack: &str) -> Result<(), ApiError> {
        let mut st = self.lock();
        st.call(format!("DeleteStack {stack}"));
        st.failure("DeleteStack", stack)?;
        let Some(name) = resolve(&st, stack) else {
            return Ok(());
        };
        if st.stacks[&name].termination_protection {
            return Err(ApiError::service(
                "ValidationError",
                &format!("Stack [{name}] cannot be deleted while TerminationProtection is enabled"),
            ));
        }
        let template = st.stacks[&name].template.clone();
        st.start(&name, "DELETE", &template);
        Ok(())
    }

    async fn stack_events(&self, stack: &str) -> Result<Vec<StackEvent>, ApiError> {
        let st = self.lock();
        let name = resolve(&st, stack)
            .or_else(|| st.deleted.get(stack).cloned())
            .unwrap_or_else(|| stack.to_string());
        let mut events = st.events.get(&name).cloned().unwrap_or_default();
        events.reverse();
        Ok(events)
    }

    async fn stack_resources(&self, stack: &str) -> Result<Vec<StackResource>, ApiError> {
        let mut st = self.lock();
        st.call(format!("ListStackResources {stack}"));
        st.failure("ListStackResources", stack)?;
        let Some(name) = resolve(&st, stack) else {
            return Err(ApiError::service(
                "ValidationError",
                &format!("Stack with id {stack} does not exist"),
            ));
        };
        let template = Template::parse_any(&st.stacks[&name].template).unwrap_or_default();
        Ok(template
            .resources
            .iter()
            .map(|(id, r)| StackResource {
                logical_id: id.clone(),
                physical_id: Some(
                    st.physical
                        .get(&(name.clone(), id.clone()))
                        .cloned()
                        .unwrap_or_else(|| format!("{name}-{id}")),
                ),
                resource_type: r.kind.clone(),
                status: "CREATE_COMPLETE".into(),
            })
            .collect())
    }

    async fn cancel_update_stack(&self, stack: &str) -> Result<(), ApiError> {
        let mut st = self.lock();
        st.call(format!("CancelUpdateStack {stack}"));
        st.failure("CancelUpdateStack", stack)?;
        let Some(name) = resolve(&st, stack) else {
            return Err(ApiError::service(
                "ValidationError",
                &format!("Stack [{stack}] does not exist"),
            ));
        };
        let s = st.stacks.get_mut(&name).expect("resolved");
        if s.status != "UPDATE_IN_PROGRESS" {
            return Err(ApiError::service(
                "ValidationError",
                &format!(
                    "CancelUpdateStack cannot be called from current stack status {}",
                    s.status
                ),
            ));
        }
        s.pending = VecDeque::from(vec![
            Step::new("UPDATE_ROLLBACK_IN_PROGRESS"),
            Step::new("UPDATE_ROLLBACK_COMPLETE"),
        ]);
        s.pending_outputs.clear();
        Ok(())
    }

    async fn upload_template(
        &self,
        bucket: &str,
        key: &str,
        body: &str,
    ) -> Result<String, ApiError> {
        let mut st = self.lock();
        st.call(format!("PutObject {bucket}/{key} ({} bytes)", body.len()));
        st.uploads.insert(format!("{bucket}/{key}"), body.into());
        Ok(format!("https://s3.us-east-1.amazonaws.com/{bucket}/{key}"))
    }

    async fn update_termination_protection(
        &self,
        stack: &str,
        enable: bool,
    ) -> Result<(), ApiError> {
        let mut st = self.lock();
        st.call(format!(
            "UpdateTerminationProtection {stack} enable={enable}"
        ));
        st.failure("UpdateTerminationProtection", stack)?;
        let Some(name) = resolve(&st, stack) else {
            return Err(ApiError::service(
                "ValidationError",
                &format!("Stack [{stack}] does not exist"),
            ));
        };
        if let Some(s) = st.stacks.get_mut(&name) {
            s.termination_protection = enable;
        }
        Ok(())
    }

    async fn create_stack_refactor(
        &self,
        stacks: &[StackDefinition],
        moves: &[ResourceMove],
        create_stacks: bool,
        description: &str,
    ) -> Result<String, ApiError> {
        let mut st = self.lock();
        let names: Vec<&str> = stacks.iter().map(|s| s.stack_name.as_str()).collect();
        let mut moved: Vec<String> = moves
            .iter()
            .map(|m| {
                format!(
                    "{}.{}->{}.{}",
                    m.source_stack, m.source_id, m.destination_stack, m.destination_id
                )
            })
            .collect();
        moved.sort();
        st.call(format!(
            "CreateStackRefactor stacks={names:?} moves={moved:?} create_stacks={create_stacks} description={description:?}"
        ));
        st.failure("CreateStackRefactor", "")?;
        // What CloudFormation checks first: the sources exist, the destinations are in
        // the new templates, and new stacks are allowed.
        for m in moves {
            let exists = st.stacks.get(&m.source_stack).is_some_and(|s| {
                Template::parse_any(&s.template)
                    .is_ok_and(|t| t.resources.contains_key(&m.source_id))
            });
            if !exists {
                return Err(ApiError::service(
                    "ValidationError",
                    &format!(
                        "Resource {} does not exist in stack {}",
                        m.source_id, m.source_stack
                    ),
                ));
            }
            let in_definition = stacks.iter().any(|d| {
                d.stack_name == m.destination_stack
                    && matches!(&d.template, TemplateSource::Body(b) if Template::parse_any(b)
                        .is_ok_and(|t| t.resources.contains_key(&m.destination_id)))
            });
            if !in_definition {
                return Err(ApiError::service(
                    "ValidationError",
                    &format!(
                        "Resource {} is not in the template given for stack {}",
                        m.destination_id, m.destination_stack
                    ),
                ));
            }
            if !create_stacks && !st.stacks.contains_key(&m.destination_stack) {
                return Err(ApiError::service(
                    "ValidationError",
                    &format!(
                        "Stack {} does not exist; set EnableStackCreation to create it",
                        m.destination_stack
                    ),
                ));
            }
        }
        st.next_id += 1;
        let id = format!(
            "arn:aws:cloudformation:us-east-1:123456789012:stack-refactor/fake-{}",
            st.next_id
        );
        let script = st.refactor_scripts.pop_front().unwrap_or_default();
        st.refactors.insert(
            id.clone(),
            FakeRefactor {
                stacks: stacks.to_vec(),
                moves: moves.to_vec(),
                create_stacks,
                script,
                info: RefactorInfo {
                    status: "CREATE_IN_PROGRESS".into(),
                    status_reason: None,
                    execution_status: "UNAVAILABLE".into(),
                    execution_status_reason: None,
                },
                executing: false,
            },
        );
        Ok(id)
    }

    async fn describe_stack_refactor(&self, id: &str) -> Result<RefactorInfo, ApiError> {
        let mut st = self.lock();
        st.call(format!("DescribeStackRefactor {id}"));
        st.failure("DescribeStackRefactor", "")?;
        let Some(r) = st.refactors.get_mut(id) else {
            return Err(ApiError::service(
                "StackRefactorNotFoundException",
                &format!("Stack refactor {id} does not exist"),
            ));
        };
        let mut finished = false;
        if r.executing {
            if !r.script.execute.is_empty() {
                let (status, reason) = r.script.execute.remove(0);
                finished = r.script.execute.is_empty() && status == "EXECUTE_COMPLETE";
                r.info.execution_status = status;
                r.info.execution_status_reason = reason;
            }
        } else if !r.script.create.is_empty() {
            let (status, reason) = r.script.create.remove(0);
            if status == "CREATE_COMPLETE" {
                r.info.execution_status = "AVAILABLE".into();
            }
            r.info.status = status;
            r.info.status_reason = reason;
        }
        let info = r.info.clone();
        if finished {
            let r = r.clone();
            // The refactor is done: the stacks hold the new templates, and the moved
            // resources keep their physical ids under their new names.
            for m in &r.moves {
                let physical = st
                    .physical
                    .remove(&(m.source_stack.clone(), m.source_id.clone()))
                    .unwrap_or_else(|| format!("{}-{}", m.source_stack, m.source_id));
                st.physical.insert(
                    (m.destination_stack.clone(), m.destination_id.clone()),
                    physical,
                );
            }
            for d in &r.stacks {
                let TemplateSource::Body(body) = &d.template else {
                    continue;
                };
                if let Some(s) = st.stacks.get_mut(&d.stack_name) {
                    s.template.clone_from(body);
                    s.status = "UPDATE_COMPLETE".into();
                } else if r.create_stacks {
                    let id = format!(
                        "arn:aws:cloudformation:us-east-1:123456789012:stack/{}/fake",
                        d.stack_name
                    );
                    st.stacks.insert(
                        d.stack_name.clone(),
                        FakeStack {
                            id,
                            status: "CREATE_COMPLETE".into(),
                            reason: None,
                            template: body.clone(),
                            parameters: BTreeMap::new(),
                            tags: BTreeMap::new(),
                            outputs: BTreeMap::new(),
                            pending: VecDeque::new(),
                            pending_outputs: BTreeMap::new(),
                            termination_protection: false,
                        },
                    );
                }
            }
            if let Some(done) = st.refactors.get_mut(id) {
                done.executing = false;
                done.script.execute.clear();
            }
        }
        Ok(info)
    }

    async fn execute_stack_refactor(&self, id: &str) -> Result<(), ApiError> {
        let mut st = self.lock();
        st.call(format!("ExecuteStackRefactor {id}"));
        st.failure("ExecuteStackRefactor", "")?;
        let Some(r) = st.refactors.get_mut(id) else {
            return Err(ApiError::service(
                "StackRefactorNotFoundException",
                &format!("Stack refactor {id} does not exist"),
            ));
        };
        if r.info.execution_status != "AVAILABLE" {
            return Err(ApiError::service(
                "InvalidStackRefactorStatus",
                &format!(
                    "Stack refactor {id} cannot be executed in status {}",
                    r.info.execution_status
                ),
            ));
        }
        r.executing = true;
        r.info.execution_status = "EXECUTE_IN_PROGRESS".into();
        Ok(())
    }
}
