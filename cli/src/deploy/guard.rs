//! The stateful-resource guard: every planned change of a deployment is classified
//! (add, in-place, replace, delete), and a deployment that would replace or delete a
//! resource holding data is refused before anything changes, unless that resource's
//! policy keeps the data (`Retain`, `Snapshot`) or the user allowed it, on the command
//! line (`--allow-replacement PATH`) or in code (`App::allow_replacement`, which writes
//! the [`ALLOW_METADATA`] entry into the resource's template metadata).
//!
//! The classification joins two sources: berth's template diff (create-only properties
//! of the resource schemas, type changes, logical ids gone) and CloudFormation's own
//! plan (the change set's `Replacement`, which also knows replacements caused by
//! parameters). The more destructive of the two wins.

use std::fmt::Write as _;

use serde::Serialize;

use super::api::PlannedChange;
use crate::diff::{compact, ChangeKind, TemplateDiff};
use crate::refactor::{Detected, Move};
use crate::template::{Resource, Template};

/// The metadata entry that allows replacing or deleting a stateful resource; its value
/// says why (written by `App::allow_replacement`).
pub const ALLOW_METADATA: &str = "berth:allow-replacement";

/// Resource types that hold data, and what is lost when CloudFormation deletes one
/// (after a replacement, the old one is deleted too).
pub const STATEFUL_TYPES: &[(&str, &str)] = &[
    ("AWS::Logs::LogGroup", "its log events"),
    ("AWS::ECR::Repository", "its images"),
    ("AWS::EFS::FileSystem", "its files"),
    ("AWS::FSx::FileSystem", "its files"),
    ("AWS::S3::Bucket", "its objects"),
    ("AWS::SQS::Queue", "the messages waiting in it"),
    (
        "AWS::SNS::Topic",
        "its subscriptions (and the ARN publishers use)",
    ),
    (
        "AWS::KMS::Key",
        "the key itself: data encrypted with it can no longer be decrypted",
    ),
    (
        "AWS::SecretsManager::Secret",
        "its secret value and versions",
    ),
    ("AWS::DynamoDB::Table", "its items"),
    ("AWS::DynamoDB::GlobalTable", "its items in every region"),
    ("AWS::RDS::DBInstance", "its databases"),
    ("AWS::RDS::DBCluster", "its databases"),
    ("AWS::DocDB::DBCluster", "its databases"),
    ("AWS::Neptune::DBCluster", "its graph data"),
    ("AWS::Redshift::Cluster", "its warehouse data"),
    (
        "AWS::ElastiCache::ReplicationGroup",
        "its cached and persisted data",
    ),
    ("AWS::MemoryDB::Cluster", "its data"),
    ("AWS::OpenSearchService::Domain", "its indices"),
    ("AWS::Elasticsearch::Domain", "its indices"),
    ("AWS::Kinesis::Stream", "the records in the stream"),
    ("AWS::Cognito::UserPool", "its users"),
    ("AWS::Backup::BackupVault", "its recovery points"),
    ("AWS::EC2::Volume", "its data"),
    (
        "AWS::Route53::HostedZone",
        "its records and name servers (delegations point at them)",
    ),
    ("AWS::Timestream::Table", "its time series"),
];

/// What is lost when a resource of this type is deleted, for stateful types.
pub fn stateful_loss(resource_type: &str) -> Option<&'static str> {
    STATEFUL_TYPES
        .iter()
        .find(|(t, _)| *t == resource_type)
        .map(|(_, loss)| *loss)
}

/// What a deployment does to one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Created.
    Add,
    /// Updated in place.
    InPlace,
    /// Replaced: a new one is created and the old one deleted.
    Replace,
    /// Deleted.
    Delete,
}

impl Action {
    /// `add`, `in-place`, `replace`, `delete`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Add => "add",
            Action::InPlace => "in-place",
            Action::Replace => "replace",
            Action::Delete => "delete",
        }
    }
}

/// Why a destructive change to a stateful resource may go ahead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "by", content = "detail")]
pub enum Allowed {
    /// Its `DeletionPolicy` / `UpdateReplacePolicy` keeps the old resource (`Retain`),
    /// or a snapshot of it.
    Policy(String),
    /// `--allow-replacement` with this pattern.
    Flag(String),
    /// The app allows it (`App::allow_replacement`), for this reason.
    Code(String),
}

/// One planned change, classified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Classified {
    /// The logical id.
    pub logical_id: String,
    /// The resource type.
    pub resource_type: String,
    /// The construct path, when a template records it.
    pub path: Option<String>,
    /// What happens to it.
    pub action: Action,
    /// Why it is replaced or deleted (the property, the type or the logical id that
    /// changes, or CloudFormation's reason).
    pub causes: Vec<String>,
    /// For stateful types: what is lost.
    pub loses: Option<&'static str>,
    /// Why it may go ahead anyway.
    pub allowed: Option<Allowed>,
    /// The move that explains a delete (or an add): the resource moved to (from)
    /// another logical id or stack.
    pub moved: Option<Move>,
}

impl Classified {
    /// Whether the guard refuses it: a stateful resource replaced or deleted with
    /// nothing keeping its data and nobody allowing it.
    pub fn refused(&self) -> bool {
        self.loses.is_some()
            && self.allowed.is_none()
            && (matches!(self.action, Action::Replace | Action::Delete) || self.moved_in())
    }

    /// Whether this is a stateful resource created here that is still deployed in
    /// another stack: a second one, the data left in the first.
    pub fn moved_in(&self) -> bool {
        self.action == Action::Add && self.moved.as_ref().is_some_and(|m| !m.within_stack())
    }

    /// The resource as the messages name it: `Web/Logs/Resource LogsA1B2 (AWS::Logs::LogGroup)`.
    pub fn label(&self) -> String {
        match &self.path {
            Some(p) => format!("{p} {} ({})", self.logical_id, self.resource_type),
            None => format!("{} ({})", self.logical_id, self.resource_type),
        }
    }

    /// The warning shared by `diff` and `deploy`: `replacing it loses its log events`.
    pub fn warning(&self) -> Option<String> {
        let loses = self.loses?;
        if self.moved_in() {
            let from = self
                .moved
                .as_ref()
                .map(|m| m.from.stack.as_str())
                .unwrap_or("");
            return Some(match &self.allowed {
                None => format!("stateful: it is still deployed in stack {from}; created here it is a new, empty one"),
                Some(a) => format!("stateful: created anew here, {loses} stay in stack {from} ({})", allowed_words(a)),
            });
        }
        if !matches!(self.action, Action::Replace | Action::Delete) {
            return None;
        }
        let verb = match self.action {
            Action::Replace => "replacing",
            _ => "deleting",
        };
        Some(match &self.allowed {
            None => format!("stateful: {verb} it loses {loses}"),
            Some(Allowed::Policy(p)) => format!("stateful, kept by {p}"),
            Some(Allowed::Flag(f)) => {
                format!("stateful: {verb} it loses {loses} (allowed by --allow-replacement {f})")
            }
            Some(Allowed::Code(why)) => {
                format!("stateful: {verb} it loses {loses} (allowed in the app: {why})")
            }
        })
    }
}

impl Classified {
    /// The lines `diff` adds under the resource: the stateful warning (alarming unless
    /// something keeps or allows it) and where it moved.
    pub fn notes(&self) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        if let Some(w) = self.warning() {
            let mut line = format!("⚠ {w}");
            if self.refused() {
                line.push_str(": deploy refuses it");
            }
            out.push((line, self.refused()));
            if self.refused() {
                for c in &self.causes {
                    out.push((format!("  cause: {c}"), true));
                }
            }
        }
        if let Some(m) = &self.moved {
            match self.action {
                Action::Delete => {
                    out.push((format!("moved to {}", m.to.describe()), false));
                    let or = match m.override_line() {
                        Some(line) => {
                            out.push((format!("keep it in place: {line}"), false));
                            "or "
                        }
                        None => "",
                    };
                    out.push((
                        format!("{or}move it without replacement: berth refactor"),
                        false,
                    ));
                }
                Action::Add => out.push((format!("moved from {}", m.from.describe()), false)),
                _ => {}
            }
        }
        out
    }
}

fn allowed_words(a: &Allowed) -> String {
    match a {
        Allowed::Policy(p) => format!("kept by {p}"),
        Allowed::Flag(f) => format!("allowed by --allow-replacement {f}"),
        Allowed::Code(why) => format!("allowed in the app: {why}"),
    }
}

/// Every planned change of one stack's deployment, classified.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GuardReport {
    /// The stack.
    pub stack: String,
    /// The changes, in plan order.
    pub changes: Vec<Classified>,
}

impl GuardReport {
    /// The changes the guard refuses.
    pub fn refused(&self) -> Vec<&Classified> {
        self.changes.iter().filter(|c| c.refused()).collect()
    }

    /// The classification of one logical id.
    pub fn get(&self, logical_id: &str) -> Option<&Classified> {
        self.changes.iter().find(|c| c.logical_id == logical_id)
    }

    /// The refusal, rendered: what would be lost, why, and the ways out.
    pub fn render_refusal(&self) -> String {
        let refused = self.refused();
        let mut s = String::new();
        let _ = writeln!(
            s,
            "✘ {}: refusing to deploy: it would {} {} stateful resource{} and the data in {}",
            self.stack,
            verbs(&refused),
            refused.len(),
            if refused.len() == 1 { "" } else { "s" },
            if refused.len() == 1 { "it" } else { "them" }
        );
        for c in &refused {
            let action = if c.moved_in() {
                "add"
            } else {
                c.action.as_str()
            };
            let _ = writeln!(s, "  {action:<8} {}", c.label());
            for cause in &c.causes {
                let _ = writeln!(s, "           cause: {cause}");
            }
            if let Some(l) = c.loses {
                let _ = writeln!(s, "           loses: {l}");
            }
        }
        let moved: Vec<&Move> = refused.iter().filter_map(|c| c.moved.as_ref()).collect();
        if !moved.is_empty() {
            let _ = writeln!(
                s,
                "  {} moved rather than changed; keep {} without replacing:",
                plural(moved.len(), "resource was", "resources were"),
                if moved.len() == 1 { "it" } else { "them" }
            );
            for m in &moved {
                match m.override_line() {
                    Some(line) => {
                        let _ = writeln!(s, "    in the app: {line}");
                    }
                    None => {
                        let _ = writeln!(
                            s,
                            "    {} moves to stack {}: only `berth refactor` keeps it",
                            m.from.describe(),
                            m.to.stack
                        );
                    }
                }
            }
            let _ = writeln!(
                s,
                "    or run `berth refactor`: CloudFormation moves the deployed resources to their new logical ids and stacks, then berth deploys"
            );
        }
        let paths: Vec<String> = refused
            .iter()
            .map(|c| c.path.clone().unwrap_or_else(|| c.logical_id.clone()))
            .collect();
        let flags: Vec<String> = paths
            .iter()
            .map(|p| format!("--allow-replacement {p}"))
            .collect();
        let _ = writeln!(
            s,
            "  to keep the data: give the resource a removal policy of Retain (or Snapshot) and deploy that first"
        );
        let _ = writeln!(
            s,
            "  to lose it on purpose: deploy with {}, or call app.allow_replacement(..) on the construct",
            flags.join(" ")
        );
        let _ = writeln!(s, "  nothing was changed");
        s
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn verbs(refused: &[&Classified]) -> &'static str {
    let replace = refused.iter().any(|c| c.action == Action::Replace);
    let delete = refused.iter().any(|c| c.action == Action::Delete);
    match (replace, delete) {
        (true, true) => "replace or delete",
        (true, false) => "replace",
        (false, true) => "delete",
        (false, false) => "make a second copy of",
    }
}

/// What the guard is given about one stack's deployment.
#[derive(Debug, Clone, Copy)]
pub struct GuardInput<'a> {
    /// The stack name.
    pub stack: &'a str,
    /// The deployed template (`None`: the stack is new).
    pub deployed: Option<&'a Template>,
    /// The template being deployed.
    pub new: &'a Template,
    /// berth's diff of the two.
    pub diff: &'a TemplateDiff,
    /// CloudFormation's plan (the change set's resource changes), when there is one.
    pub planned: Option<&'a [PlannedChange]>,
    /// `--allow-replacement` patterns.
    pub allow: &'a [String],
    /// Resources that moved (within this stack or to and from others).
    pub moves: &'a Detected,
}

/// Classifies every planned change of a deployment.
pub fn classify(input: GuardInput<'_>) -> GuardReport {
    let empty = Template::default();
    let deployed = input.deployed.unwrap_or(&empty);
    let mut changes: Vec<Classified> = Vec::new();
    for r in &input.diff.resources {
        let (action, causes) = match r.kind {
            ChangeKind::Added => (Action::Add, Vec::new()),
            ChangeKind::Removed => (
                Action::Delete,
                vec!["it is no longer in the app".to_string()],
            ),
            ChangeKind::Modified if r.replacement => {
                let mut causes = Vec::new();
                if let Some(old) = &r.old_type {
                    causes.push(format!(
                        "its type changes from {old} to {}",
                        r.resource_type
                    ));
                }
                for p in &r.properties {
                    if let Some(c) = &p.replaced_by {
                        causes.push(format!(
                            "create-only property {c} changes ({} -> {})",
                            p.old
                                .as_ref()
                                .map(compact)
                                .unwrap_or_else(|| "unset".into()),
                            p.new
                                .as_ref()
                                .map(compact)
                                .unwrap_or_else(|| "unset".into())
                        ));
                    }
                }
                (Action::Replace, causes)
            }
            ChangeKind::Modified => (Action::InPlace, Vec::new()),
        };
        changes.push(Classified {
            logical_id: r.logical_id.clone(),
            resource_type: r.resource_type.clone(),
            path: r.path.clone(),
            action,
            causes,
            loses: None,
            allowed: None,
            moved: None,
        });
    }
    // CloudFormation's plan: it knows replacements berth cannot see (parameters,
    // properties whose update behaviour depends on the value).
    for p in input.planned.unwrap_or_default() {
        let action = match (p.action.as_str(), p.replacement.as_deref()) {
            ("Add", _) | ("Import", _) => Action::Add,
            ("Remove", _) => Action::Delete,
            (_, Some("True")) | (_, Some("Conditional")) => Action::Replace,
            _ => Action::InPlace,
        };
        let cf_cause = || {
            let why = if p.causes.is_empty() {
                String::new()
            } else {
                format!(": {}", p.causes.join(", "))
            };
            match p.replacement.as_deref() {
                Some("Conditional") => format!("CloudFormation may replace it{why}"),
                _ => format!("CloudFormation plans to replace it{why}"),
            }
        };
        match changes.iter_mut().find(|c| c.logical_id == p.logical_id) {
            Some(c) => {
                if action > c.action {
                    c.action = action;
                }
                if action == Action::Replace
                    && !c.causes.iter().any(|x| x.starts_with("create-only"))
                {
                    c.causes.push(cf_cause());
                }
            }
            None if p.logical_id != "(parameters)" => {
                let path = input
                    .new
                    .construct_path(&p.logical_id)
                    .or_else(|| deployed.construct_path(&p.logical_id))
                    .map(str::to_string);
                changes.push(Classified {
                    logical_id: p.logical_id.clone(),
                    resource_type: p.resource_type.clone(),
                    path,
                    action,
                    causes: match action {
                        Action::Replace => vec![cf_cause()],
                        Action::Delete => vec!["it is no longer in the app".into()],
                        _ => Vec::new(),
                    },
                    loses: None,
                    allowed: None,
                    moved: None,
                });
            }
            None => {}
        }
    }
    for c in &mut changes {
        c.loses = stateful_loss(&c.resource_type);
        if c.action == Action::Delete {
            if let Some(m) = input.moves.move_from(input.stack, &c.logical_id) {
                c.causes = vec![if m.within_stack() {
                    format!(
                        "its logical ID changes to {}{}",
                        m.to.logical_id,
                        m.to.path
                            .as_deref()
                            .map(|p| format!(" (the construct is now {p})"))
                            .unwrap_or_default()
                    )
                } else {
                    format!("it moves to stack {} as {}", m.to.stack, m.to.describe())
                }];
                c.moved = Some(m.clone());
            }
        }
        if c.action == Action::Add {
            c.moved = input.moves.move_to(input.stack, &c.logical_id).cloned();
            if c.moved_in() {
                let m = c.moved.as_ref().expect("moved in");
                c.causes = vec![format!(
                    "it moves here from stack {} ({}), where it is still deployed",
                    m.from.stack,
                    m.from.describe()
                )];
            }
        }
        if c.loses.is_none()
            || !(matches!(c.action, Action::Replace | Action::Delete) || c.moved_in())
        {
            continue;
        }
        c.allowed = allowed(
            c,
            deployed.resources.get(&c.logical_id),
            input.new.resources.get(&c.logical_id),
            input.allow,
        );
    }
    GuardReport {
        stack: input.stack.to_string(),
        changes,
    }
}

const KEEPING_POLICIES: &[&str] = &["Retain", "Snapshot", "RetainExceptOnCreate"];

fn allowed(
    c: &Classified,
    old: Option<&Resource>,
    new: Option<&Resource>,
    patterns: &[String],
) -> Option<Allowed> {
    // A replaced resource's old instance follows the new template's
    // UpdateReplacePolicy; a deleted one its deployed DeletionPolicy.
    // A stateful resource created here while still deployed in another stack: the
    // old one keeps its data when its own DeletionPolicy keeps it.
    if c.action == Action::Add {
        if let Some(p) = c
            .moved
            .as_ref()
            .and_then(|m| m.from_deletion_policy.as_deref())
            .filter(|p| KEEPING_POLICIES.contains(p))
        {
            let from = c
                .moved
                .as_ref()
                .map(|m| m.from.stack.as_str())
                .unwrap_or("");
            return Some(Allowed::Policy(format!(
                "DeletionPolicy {p} in stack {from}"
            )));
        }
    }
    let (policy_name, resource) = match c.action {
        Action::Replace => ("UpdateReplacePolicy", new),
        // A new resource: no policy of its own keeps the old one's data.
        Action::Add => ("", None),
        _ => ("DeletionPolicy", old),
    };
    if let Some(p) = resource
        .and_then(|r| r.rest.get(policy_name))
        .and_then(|v| v.as_str())
        .filter(|p| KEEPING_POLICIES.contains(p))
    {
        return Some(Allowed::Policy(format!("{policy_name} {p}")));
    }
    for p in patterns {
        if matches_pattern(p, c) {
            return Some(Allowed::Flag(p.clone()));
        }
    }
    let marked = |r: Option<&Resource>| {
        r.and_then(|r| r.metadata.get(ALLOW_METADATA))
            .map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
    };
    marked(new).or_else(|| marked(old)).map(Allowed::Code)
}

/// Whether an `--allow-replacement` value names this resource: its construct path, a
/// construct above it (`Web/Logs` for `Web/Logs/Resource`), a `*` pattern of either,
/// or its logical id.
pub fn matches_pattern(pattern: &str, c: &Classified) -> bool {
    let pattern = pattern.trim_end_matches('/');
    if pattern == c.logical_id {
        return true;
    }
    let Some(path) = c.path.as_deref() else {
        return false;
    };
    path == pattern
        || path
            .strip_prefix(pattern)
            .is_some_and(|rest| rest.starts_with('/'))
        || crate::assembly::glob_match(pattern, path)
        || (pattern.contains('*') && crate::assembly::glob_match(&format!("{pattern}/*"), path))
}

#[cfg(test)]
mod tests;
