//! Rule packs and suppressions on the construct tree (cdk-nag's `NagSuppressions`).
//!
//! [`App::add_rule_pack`] enables a pack ([`berth_synth::rules`]) on the app or on
//! one stack; synth runs it over the stacks' templates, reports what it finds as
//! warnings (errors with [`App::set_strict_rules`]) and writes
//! `policy-validation-report.json` into the cloud assembly.
//!
//! [`App::add_suppression`] records a [`Suppression`] on any construct; it applies to
//! every resource below it and is written into each one's template metadata under
//! `cdk_nag.rules_to_suppress`, cdk-nag's format, so CDK tooling reads it too.

use super::{App, NodeKind, Scope, ROOT};
use crate::error::{ConstructError, ErrorKind, Result};
use berth_synth::rules::MIN_REASON_CHARS;
use berth_synth::Value;
use indexmap::IndexMap;

/// A rule suppression: a rule id, why the finding is acceptable here, and optionally
/// which findings of a granular rule it covers.
///
/// ```
/// use berth_constructs::Suppression;
/// let s = Suppression::new("AwsSolutions-IAM5", "the task reads every object of its own bucket")
///     .applies_to(["Resource::<AssetsBucket.Arn>/*"]);
/// assert_eq!(s.id, "AwsSolutions-IAM5");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// The rule id (`AwsSolutions-ELB2`, `Berth-ECS3`).
    pub id: String,
    /// Why: at least ten characters (cdk-nag's rule), written into the template.
    pub reason: String,
    /// The findings it covers (`Action::s3:*`, or a regex written `/^Action::s3:.*$/`).
    /// Empty: every finding of the rule.
    pub applies_to: Vec<AppliesTo>,
}

/// One `applies_to` entry of a [`Suppression`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppliesTo {
    /// This finding exactly (`Action::s3:*`).
    Finding(String),
    /// Findings matching a regex, as cdk-nag writes it (`/^Resource::.*$/g`).
    Regex(String),
}

impl From<&str> for AppliesTo {
    fn from(s: &str) -> Self {
        AppliesTo::Finding(s.to_owned())
    }
}

impl From<String> for AppliesTo {
    fn from(s: String) -> Self {
        AppliesTo::Finding(s)
    }
}

impl Suppression {
    /// Suppresses every finding of rule `id`, for `reason`.
    pub fn new(id: impl Into<String>, reason: impl Into<String>) -> Self {
        Suppression {
            id: id.into(),
            reason: reason.into(),
            applies_to: Vec::new(),
        }
    }

    /// Only these findings (sets the list).
    pub fn applies_to<A: Into<AppliesTo>>(mut self, findings: impl IntoIterator<Item = A>) -> Self {
        self.applies_to = findings.into_iter().map(Into::into).collect();
        self
    }

    /// Also findings that match `regex` (cdk-nag's `{regex: '/../'}`).
    pub fn applies_to_regex(mut self, regex: impl Into<String>) -> Self {
        self.applies_to.push(AppliesTo::Regex(regex.into()));
        self
    }

    /// The metadata entry (`{"id", "reason", "applies_to"}`).
    fn to_value(&self) -> Value {
        let mut m: Vec<(&str, Value)> = vec![
            ("id", Value::from(self.id.as_str())),
            ("reason", Value::from(self.reason.as_str())),
        ];
        if !self.applies_to.is_empty() {
            m.push((
                "applies_to",
                Value::List(
                    self.applies_to
                        .iter()
                        .map(|a| match a {
                            AppliesTo::Finding(f) => Value::from(f.as_str()),
                            AppliesTo::Regex(r) => Value::map([("regex", Value::from(r.as_str()))]),
                        })
                        .collect(),
                ),
            ));
        }
        Value::map(m)
    }
}

impl App {
    /// Runs the rule pack `name` (`"aws-solutions"`; see
    /// [`berth_synth::rules::packs`]) over every stack below `scope`: the app root
    /// ([`ROOT`]) or a stack. Findings are warnings at synth (errors with
    /// [`App::set_strict_rules`]) and go into `policy-validation-report.json`.
    ///
    /// ```
    /// use berth_constructs::*;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut app = App::new();
    /// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
    /// app.add_rule_pack(ROOT, "aws-solutions")?;
    /// let cluster = ecs::Cluster::new(&mut app, stack, "Cluster", ecs::ClusterProps::default())?;
    /// let out = app.synth()?;
    /// let report = out.validation.expect("the pack ran");
    /// assert!(report.findings.iter().all(|f| f.rule_id != "AwsSolutions-ECS4"));
    /// # let _ = cluster; Ok(()) }
    /// ```
    pub fn add_rule_pack(&mut self, scope: impl Scope, name: &str) -> Result<()> {
        let n = scope.node();
        self.check_node(n)?;
        let path = self.path(n);
        if self.locked {
            return Err(ConstructError::new(path, ErrorKind::Locked));
        }
        if !(n == ROOT || matches!(self.node(n).kind, NodeKind::Stack(_))) {
            return Err(ConstructError::invalid(
                path,
                "rule_pack",
                "a rule pack applies to the app or a stack; this is neither (add it to its stack)",
            ));
        }
        if berth_synth::rules::pack(name).is_none() {
            return Err(ConstructError::invalid(
                path,
                "rule_pack",
                format!(
                    "there is no rule pack \"{name}\"; packs: {}",
                    berth_synth::rules::pack_names().join(", ")
                ),
            ));
        }
        let packs = &mut self.node_mut(n).extra_mut().rule_packs;
        if !packs.iter().any(|p| p == name) {
            packs.push(name.to_owned());
        }
        Ok(())
    }

    /// Whether unsuppressed rule findings fail synthesis (nothing is written) instead of
    /// being warnings (`berth synth --strict`). Default: off.
    pub fn set_strict_rules(&mut self, strict: bool) {
        self.options.strict_rules = strict;
    }

    /// Suppresses a rule's findings on every resource below `scope` (any construct, a
    /// stack, the app), written under `cdk_nag.rules_to_suppress` into the metadata of
    /// each resource below a construct, or into the template's own metadata for a
    /// stack or the app (cdk-nag's stack suppressions). The reason must have at least ten characters; a
    /// suppression that suppresses nothing is reported at synth.
    ///
    /// ```
    /// use berth_constructs::*;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut app = App::new();
    /// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
    /// let logs = logs::LogGroup::new(&mut app, stack, "Logs", logs::LogGroupProps::default())?;
    /// app.add_suppression(logs, Suppression::new("Berth-LOG2", "the logs hold no personal data"))?;
    /// assert!(app.add_suppression(logs, Suppression::new("Berth-LOG2", "ok")).is_err());
    /// # Ok(()) }
    /// ```
    pub fn add_suppression(&mut self, scope: impl Scope, suppression: Suppression) -> Result<()> {
        let n = scope.node();
        self.check_node(n)?;
        let path = self.path(n);
        if self.locked {
            return Err(ConstructError::new(path, ErrorKind::Locked));
        }
        if suppression.id.trim().is_empty() {
            return Err(ConstructError::invalid(
                path,
                "suppression.id",
                "the rule id is empty",
            ));
        }
        let chars = suppression.reason.trim().chars().count();
        if chars < MIN_REASON_CHARS {
            return Err(ConstructError::invalid(
                path,
                "suppression.reason",
                format!(
                    "the reason for suppressing {} is \"{}\" ({chars} characters); say why in at least {MIN_REASON_CHARS}",
                    suppression.id, suppression.reason
                ),
            ));
        }
        for a in &suppression.applies_to {
            if let AppliesTo::Regex(r) = a {
                if let Err(e) = berth_synth::rules::check_regex(r) {
                    return Err(ConstructError::invalid(
                        path,
                        "suppression.applies_to",
                        format!("the regex {r} does not parse: {e}"),
                    ));
                }
            }
        }
        self.node_mut(n).extra_mut().suppressions.push(suppression);
        Ok(())
    }

    /// The packs for a stack: the app's, then the stack's own.
    pub(super) fn rule_packs_of(&self, stack: super::NodeId) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for n in [ROOT, stack] {
            if let Some(e) = &self.node(n).extra {
                for p in &e.rule_packs {
                    if !out.contains(p) {
                        out.push(p.clone());
                    }
                }
            }
        }
        out
    }

    /// Adds the suppressions of `n` and every construct above it below its stack to
    /// a resource's metadata (`cdk_nag.rules_to_suppress`, after any it already has).
    /// Those of the stack and the app go into the template's own metadata
    /// ([`App::stack_suppressions`]), as cdk-nag writes stack suppressions.
    pub(super) fn add_suppressions_to(
        &self,
        n: super::NodeId,
        metadata: &mut IndexMap<String, Value>,
    ) {
        let mut found: Vec<Value> = Vec::new();
        let mut cur = Some(n);
        while let Some(c) = cur {
            let node = self.node(c);
            if matches!(node.kind, NodeKind::Stack(_) | NodeKind::App) {
                break;
            }
            if let Some(e) = &node.extra {
                found.extend(e.suppressions.iter().map(Suppression::to_value));
            }
            cur = node.parent;
        }
        merge_into(metadata, found);
    }

    /// The template metadata of a stack: the suppressions made on it and on the app.
    pub(super) fn stack_suppressions(&self, stack: super::NodeId) -> IndexMap<String, Value> {
        let mut m = IndexMap::new();
        let found = [stack, ROOT]
            .iter()
            .filter_map(|&n| self.node(n).extra.as_ref())
            .flat_map(|e| e.suppressions.iter().map(Suppression::to_value))
            .collect();
        merge_into(&mut m, found);
        m
    }
}

/// Appends suppressions to `cdk_nag.rules_to_suppress` (each once).
fn merge_into(metadata: &mut IndexMap<String, Value>, found: Vec<Value>) {
    if found.is_empty() {
        return;
    }
    let entry = metadata
        .entry("cdk_nag".to_owned())
        .or_insert_with(|| Value::map::<&str>([]));
    if let Value::Map(m) = entry {
        let list = m
            .entry("rules_to_suppress".to_owned())
            .or_insert_with(|| Value::List(Vec::new()));
        if let Value::List(l) = list {
            for v in found {
                if !l.contains(&v) {
                    l.push(v);
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
