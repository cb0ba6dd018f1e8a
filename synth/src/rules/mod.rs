//! Policy rules checked at synth: rule packs run over the synthesized templates.
//!
//! A rule looks at one resource of a stack's template (its type, its rendered
//! `Properties`, and the other resources of the stack for the rules that need them:
//! flow logs of a VPC, the policy of a queue) and reports where it breaks a practice:
//! the property, the reason and the one-line fix. Rules never look at constructs, so
//! they see raw L1 resources and resources of any construct alike, and run on a
//! template read back from a file (`berth check`) just as during synthesis.
//!
//! Rule ids follow cdk-nag's `AwsSolutions` pack where cdk-nag has the rule
//! (`AwsSolutions-ECS4`), so a CDK team's suppressions carry over; berth's own rules
//! are named `Berth-…`. Suppressions are cdk-nag's resource metadata:
//!
//! ```json
//! "Metadata": { "cdk_nag": { "rules_to_suppress": [
//!   { "id": "AwsSolutions-IAM5", "reason": "the app reads every object of its bucket",
//!     "applies_to": ["Resource::<AssetsBucket.Arn>/*"] } ] } }
//! ```
//!
//! berth writes them there from `App::add_suppression` (inherited by every resource
//! below the construct) and honours them where a raw resource or an imported template
//! already carries them. A suppression that suppresses nothing is reported.
//!
//! ```
//! use berth_synth::json::Node;
//! use berth_synth::rules::{self, ResourceView, StackView};
//!
//! let props = Node::from(&serde_json::json!({"ClusterSettings": []}));
//! let cluster = ResourceView::new("Cluster", "Web/Cluster/Resource", "AWS::ECS::Cluster", &props, None);
//! let stack = StackView::new("Web", "Web.template.json", vec![cluster]);
//! let report = rules::check(&stack, &[rules::pack("aws-solutions").unwrap()]);
//! assert_eq!(report.findings[0].rule_id, "AwsSolutions-ECS4");
//! assert_eq!(report.findings[0].property.as_deref(), Some("ClusterSettings"));
//! ```

mod aws_solutions;
mod output;
#[cfg(test)]
mod tests;

pub use output::{report_json, sarif, text, ValidationReport, REPORT_FILE};

use crate::error::{Diagnostic, Severity};
use crate::json::Node;
use crate::FastMap;
use std::sync::Arc;

/// How serious a rule's finding is (cdk-nag's levels; only reported: berth turns
/// unsuppressed findings into warnings, or errors with `--strict`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// A practice a compliant app follows.
    Error,
    /// A recommendation.
    Warning,
}

impl Level {
    /// `error` or `warning` (as the validation report writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

/// Where a rule found a problem in one resource.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hit {
    /// The property (`ContainerDefinitions[0].LogConfiguration`), or `None` for the
    /// resource as a whole.
    pub property: Option<String>,
    /// For rules with several findings per resource, which one
    /// (`Action::s3:*`): what `applies_to` of a suppression names.
    pub finding: Option<String>,
}

impl Hit {
    /// A hit at a property.
    pub fn at(property: impl Into<String>) -> Hit {
        Hit {
            property: Some(property.into()).filter(|p: &String| !p.is_empty()),
            finding: None,
        }
    }

    /// The same, naming one finding of a granular rule.
    pub fn finding(mut self, finding: impl Into<String>) -> Hit {
        self.finding = Some(finding.into());
        self
    }
}

/// One rule.
pub struct Rule {
    /// Its id: `AwsSolutions-ECS4` (cdk-nag's) or `Berth-LOG1` (berth's own).
    pub id: &'static str,
    /// Its level.
    pub level: Level,
    /// Why a finding matters, in one line.
    pub reason: &'static str,
    /// How to fix it, in one line (berth's API where one exists).
    pub fix: &'static str,
    /// The resource types it looks at.
    pub resource_types: &'static [&'static str],
    check: fn(&StackView<'_>, &ResourceView<'_>, &mut Vec<Hit>),
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule").field("id", &self.id).finish()
    }
}

impl Rule {
    /// The hits of this rule on `resource` (none when it does not apply).
    pub fn check(&self, stack: &StackView<'_>, resource: &ResourceView<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        if self.resource_types.contains(&resource.type_name) {
            (self.check)(stack, resource, &mut hits);
        }
        hits
    }
}

/// A named set of rules.
#[derive(Debug)]
pub struct RulePack {
    /// The name users enable it by (`aws-solutions`).
    pub name: &'static str,
    /// What it checks.
    pub description: &'static str,
    /// Its rules.
    pub rules: &'static [Rule],
}

/// Every rule pack berth has.
pub fn packs() -> &'static [&'static RulePack] {
    static PACKS: [&RulePack; 1] = [&aws_solutions::PACK];
    &PACKS
}

/// The pack named `name`.
pub fn pack(name: &str) -> Option<&'static RulePack> {
    packs().iter().copied().find(|p| p.name == name)
}

/// The names of every pack, for messages (`aws-solutions`).
pub fn pack_names() -> Vec<&'static str> {
    packs().iter().map(|p| p.name).collect()
}

/// One resource of a template, as the rules see it.
#[derive(Clone, Debug)]
pub struct ResourceView<'a> {
    /// Its logical ID.
    pub logical_id: &'a str,
    /// Its construct path (`berth:path` or `aws:cdk:path` metadata; the logical ID if
    /// there is none).
    pub path: &'a str,
    /// Its CloudFormation type.
    pub type_name: &'a str,
    /// Its `Properties` (`Null` when it has none).
    pub properties: &'a Node,
    /// Its `Metadata.cdk_nag`, if any.
    pub cdk_nag: Option<&'a Node>,
}

impl<'a> ResourceView<'a> {
    /// A view of a resource.
    pub fn new(
        logical_id: &'a str,
        path: &'a str,
        type_name: &'a str,
        properties: &'a Node,
        cdk_nag: Option<&'a Node>,
    ) -> Self {
        ResourceView {
            logical_id,
            path,
            type_name,
            properties,
            cdk_nag,
        }
    }

    /// The property at `path` (`A.B.C`), if present.
    pub fn prop(&self, path: &str) -> Option<&'a Node> {
        get_path(self.properties, path)
    }
}

/// One stack's resources, as the rules see them.
#[derive(Debug)]
pub struct StackView<'a> {
    /// The stack name.
    pub name: &'a str,
    /// The template file, relative to the assembly (`Web.template.json`).
    pub template_file: String,
    /// Its resources, in template order.
    pub resources: Vec<ResourceView<'a>>,
    /// The template's `Metadata.cdk_nag`: suppressions for every resource.
    pub cdk_nag: Option<&'a Node>,
    by_id: FastMap<&'a str, usize>,
}

impl<'a> StackView<'a> {
    /// A view of a stack.
    pub fn new(
        name: &'a str,
        template_file: impl Into<String>,
        resources: Vec<ResourceView<'a>>,
    ) -> Self {
        let by_id = resources
            .iter()
            .enumerate()
            .map(|(i, r)| (r.logical_id, i))
            .collect();
        StackView {
            name,
            template_file: template_file.into(),
            resources,
            cdk_nag: None,
            by_id,
        }
    }

    /// With the template's own `Metadata.cdk_nag` (cdk-nag's stack suppressions).
    pub fn with_suppressions(mut self, cdk_nag: Option<&'a Node>) -> Self {
        self.cdk_nag = cdk_nag;
        self
    }

    /// The resource with this logical ID.
    pub fn resource(&self, logical_id: &str) -> Option<&ResourceView<'a>> {
        self.by_id.get(logical_id).map(|&i| &self.resources[i])
    }

    /// The resources of a type.
    pub fn of_type<'s>(
        &'s self,
        type_name: &'s str,
    ) -> impl Iterator<Item = &'s ResourceView<'a>> + 's {
        self.resources
            .iter()
            .filter(move |r| r.type_name == type_name)
    }
}

/// A finding of a rule on a resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule's id.
    pub rule_id: &'static str,
    /// The rule's level.
    pub level: Level,
    /// The stack name (shared by the stack's findings).
    pub stack: Arc<str>,
    /// The template file, relative to the assembly (shared by the stack's findings).
    pub template_file: Arc<str>,
    /// The construct path of the resource.
    pub path: String,
    /// Its logical ID.
    pub logical_id: String,
    /// Its type (one of the rule's [`Rule::resource_types`]).
    pub resource_type: &'static str,
    /// The property, if the finding is about one.
    pub property: Option<String>,
    /// The finding of a granular rule (`Action::s3:*`).
    pub finding: Option<String>,
    /// Why it matters.
    pub reason: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    /// The reason of the suppression that covers it, if one does.
    pub suppressed_by: Option<String>,
}

impl Finding {
    /// The id as cdk-nag prints it: `AwsSolutions-IAM5[Action::s3:*]` for a granular
    /// finding, the rule id otherwise.
    pub fn display_id(&self) -> String {
        match &self.finding {
            Some(f) => format!("{}[{f}]", self.rule_id),
            None => self.rule_id.to_owned(),
        }
    }
}

/// A suppression no finding used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnusedSuppression {
    /// The stack name.
    pub stack: String,
    /// The construct path it was found at (the innermost construct above every
    /// resource carrying it).
    pub path: String,
    /// The rule id it names.
    pub rule_id: String,
    /// Its `applies_to` entries.
    pub applies_to: Vec<String>,
    /// Its reason.
    pub reason: String,
}

/// A suppression in a template's metadata that berth cannot honour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidSuppression {
    /// The stack name.
    pub stack: String,
    /// The resource's construct path.
    pub path: String,
    /// The resource's logical ID.
    pub logical_id: String,
    /// What is wrong.
    pub message: String,
}

/// What the rule packs found in some stacks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The packs that ran, by name.
    pub packs: Vec<&'static str>,
    /// Every finding, suppressed ones included, in stack and template order.
    pub findings: Vec<Finding>,
    /// Suppressions that suppressed nothing.
    pub unused_suppressions: Vec<UnusedSuppression>,
    /// Suppressions that were ignored.
    pub invalid_suppressions: Vec<InvalidSuppression>,
    /// Suppressions (rule id, reason, applies_to) that covered a finding: one made on
    /// the app is written into every stack and counts as used if any stack used it.
    used: Vec<(String, String, Vec<String>)>,
}

impl Report {
    /// An empty report of these packs.
    pub fn new(packs: &[&'static RulePack]) -> Report {
        Report {
            packs: packs.iter().map(|p| p.name).collect(),
            ..Report::default()
        }
    }

    /// The findings no suppression covers.
    pub fn unsuppressed(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppressed_by.is_none())
    }

    /// Adds another stack's report.
    pub fn merge(&mut self, other: Report) {
        for p in other.packs {
            if !self.packs.contains(&p) {
                self.packs.push(p);
            }
        }
        self.findings.extend(other.findings);
        self.invalid_suppressions.extend(other.invalid_suppressions);
        for k in other.used {
            if !self.used.contains(&k) {
                self.used.push(k);
            }
        }
        for u in other.unused_suppressions {
            let same = self.unused_suppressions.iter_mut().find(|v| {
                (&v.rule_id, &v.reason, &v.applies_to) == (&u.rule_id, &u.reason, &u.applies_to)
            });
            match same {
                Some(v) => v.path = common_path(&v.path, &u.path),
                None => self.unused_suppressions.push(u),
            }
        }
        let used = &self.used;
        self.unused_suppressions.retain(|u| {
            !used.contains(&(u.rule_id.clone(), u.reason.clone(), u.applies_to.clone()))
        });
    }

    /// The report as synth diagnostics: every unsuppressed finding (an error when
    /// `strict`, a warning otherwise; its code is the rule id), every unused or
    /// ignored suppression (a warning).
    pub fn diagnostics(&self, strict: bool) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for f in self.unsuppressed() {
            let message = match &f.finding {
                Some(x) => format!("[{x}] {} Fix: {}", f.reason, f.fix),
                None => format!("{} Fix: {}", f.reason, f.fix),
            };
            let mut d = Diagnostic::warning(f.rule_id, &f.path, message)
                .with_resource(&f.logical_id, Some(f.resource_type));
            if let Some(p) = &f.property {
                d = d.with_property(p.clone());
            }
            if strict {
                d.severity = Severity::Error;
            }
            out.push(d);
        }
        for u in &self.unused_suppressions {
            let applies = if u.applies_to.is_empty() {
                String::new()
            } else {
                format!(" (applies_to {})", u.applies_to.join(", "))
            };
            out.push(Diagnostic::warning(
                "BERTH-W0901",
                &u.path,
                format!(
                    "the suppression of {}{applies} suppresses nothing: no resource below has that finding; remove it (its reason: \"{}\")",
                    u.rule_id, u.reason
                ),
            ));
        }
        for i in &self.invalid_suppressions {
            out.push(
                Diagnostic::warning("BERTH-W0902", &i.path, i.message.clone())
                    .with_resource(&i.logical_id, None),
            );
        }
        out
    }
}

/// The environment variable that enables rule packs in an app run by the CLI
/// (`berth synth --rules aws-solutions` sets it to `aws-solutions`; comma-separated).
pub const RULES_ENV: &str = "BERTH_RULES";

/// The environment variable that makes rule findings fail synth (`--strict`: `1`).
pub const STRICT_ENV: &str = "BERTH_STRICT_RULES";

/// The shortest reason a suppression may give (cdk-nag's rule).
pub const MIN_REASON_CHARS: usize = 10;

/// One entry of `cdk_nag.rules_to_suppress`.
#[derive(Clone, Debug)]
struct Suppression {
    id: String,
    reason: String,
    applies_to: Vec<AppliesTo>,
}

#[derive(Clone, Debug)]
enum AppliesTo {
    Exact(String),
    Regex(regex::Regex, String),
}

impl AppliesTo {
    fn matches(&self, finding: &str) -> bool {
        match self {
            AppliesTo::Exact(s) => s == finding,
            AppliesTo::Regex(r, _) => r.is_match(finding),
        }
    }
    fn source(&self) -> &str {
        match self {
            AppliesTo::Exact(s) | AppliesTo::Regex(_, s) => s,
        }
    }
}

/// A JavaScript regex literal as cdk-nag takes it (`/^Action::s3:.*$/g`): the pattern
/// between the slashes (flags other than `i` are irrelevant to a single match).
fn js_regex(literal: &str) -> Result<regex::Regex, String> {
    let (pattern, flags) = match literal.strip_prefix('/').and_then(|r| r.rsplit_once('/')) {
        Some((p, f)) => (p, f),
        None => (literal, ""),
    };
    let pattern = if flags.contains('i') {
        format!("(?i){pattern}")
    } else {
        pattern.to_owned()
    };
    regex::Regex::new(&pattern).map_err(|e| e.to_string())
}

/// Checks an `applies_to` regex as cdk-nag writes it (`/^Action::s3:.*$/g`).
pub fn check_regex(literal: &str) -> Result<(), String> {
    js_regex(literal).map(|_| ())
}

/// Reads `cdk_nag.rules_to_suppress`; ignored entries go to `invalid`.
fn suppressions_of(cdk_nag: Option<&Node>, invalid: &mut Vec<String>) -> Vec<Suppression> {
    let Some(list) = cdk_nag.and_then(|n| n.get("rules_to_suppress")) else {
        return Vec::new();
    };
    let Some(items) = list.as_array() else {
        invalid.push("cdk_nag.rules_to_suppress is not a list; it is ignored".into());
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let id = item.get("id").and_then(Node::as_str);
        let reason = item.get("reason").and_then(Node::as_str).unwrap_or("");
        let Some(id) = id else {
            invalid.push(format!(
                "cdk_nag.rules_to_suppress[{i}] has no id; it is ignored"
            ));
            continue;
        };
        if reason.chars().count() < MIN_REASON_CHARS {
            invalid.push(format!(
                "the suppression of {id} gives the reason \"{reason}\"; a reason needs at least {MIN_REASON_CHARS} characters, so it is ignored"
            ));
            continue;
        }
        let mut applies_to = Vec::new();
        // cdk-nag also accepts the finding in the id: `AwsSolutions-IAM5[Action::s3:*]`.
        let id = match id.strip_suffix(']').and_then(|s| s.split_once('[')) {
            Some((rule, finding)) => {
                applies_to.push(AppliesTo::Exact(finding.to_owned()));
                rule
            }
            None => id,
        };
        let mut bad = false;
        for a in item
            .get("applies_to")
            .and_then(Node::as_array)
            .unwrap_or(&[])
        {
            match (a.as_str(), a.get("regex").and_then(Node::as_str)) {
                (Some(s), _) => applies_to.push(AppliesTo::Exact(s.to_owned())),
                (None, Some(re)) => match js_regex(re) {
                    Ok(r) => applies_to.push(AppliesTo::Regex(r, re.to_owned())),
                    Err(e) => {
                        invalid.push(format!(
                            "the suppression of {id} has the applies_to regex {re}, which does not parse ({e}); it is ignored"
                        ));
                        bad = true;
                    }
                },
                _ => {
                    invalid.push(format!(
                        "the suppression of {id} has an applies_to entry that is neither a string nor {{\"regex\": ..}}; it is ignored"
                    ));
                    bad = true;
                }
            }
        }
        if !bad {
            out.push(Suppression {
                id: id.to_owned(),
                reason: reason.to_owned(),
                applies_to,
            });
        }
    }
    out
}

impl Suppression {
    fn covers(&self, rule: &str, hit: &Hit) -> bool {
        if self.id != rule {
            return false;
        }
        match (&hit.finding, self.applies_to.is_empty()) {
            (_, true) | (None, false) => true,
            (Some(f), false) => self.applies_to.iter().any(|a| a.matches(f)),
        }
    }
    fn key(&self) -> (String, String, Vec<String>) {
        (
            self.id.clone(),
            self.reason.clone(),
            self.applies_to
                .iter()
                .map(|a| a.source().to_owned())
                .collect(),
        )
    }
}

/// The innermost construct path above both paths.
fn common_path(a: &str, b: &str) -> String {
    let mut out = Vec::new();
    for (x, y) in a.split('/').zip(b.split('/')) {
        if x != y {
            break;
        }
        out.push(x);
    }
    out.join("/")
}

/// Runs `packs` over a stack.
pub fn check(stack: &StackView<'_>, packs: &[&'static RulePack]) -> Report {
    let mut report = Report {
        packs: packs.iter().map(|p| p.name).collect(),
        ..Report::default()
    };
    // Suppressions by (id, reason, applies_to): whether one was used, and where.
    let mut groups: indexmap::IndexMap<(String, String, Vec<String>), (bool, String)> =
        indexmap::IndexMap::new();
    let mut invalid = Vec::new();
    let stack_sups = suppressions_of(stack.cdk_nag, &mut invalid);
    for message in invalid {
        report.invalid_suppressions.push(InvalidSuppression {
            stack: stack.name.to_owned(),
            path: stack.name.to_owned(),
            logical_id: String::new(),
            message,
        });
    }
    let mut stack_used = vec![false; stack_sups.len()];
    // The rules by resource type, in pack order: one lookup per resource.
    let mut by_type: FastMap<&'static str, Vec<&Rule>> = FastMap::default();
    for pack in packs {
        for rule in pack.rules {
            for t in rule.resource_types {
                by_type.entry(t).or_default().push(rule);
            }
        }
    }
    let stack_name: Arc<str> = Arc::from(stack.name);
    let template_file: Arc<str> = Arc::from(stack.template_file.as_str());
    for r in &stack.resources {
        let mut invalid = Vec::new();
        let sups = suppressions_of(r.cdk_nag, &mut invalid);
        for message in invalid {
            report.invalid_suppressions.push(InvalidSuppression {
                stack: stack.name.to_owned(),
                path: r.path.to_owned(),
                logical_id: r.logical_id.to_owned(),
                message,
            });
        }
        let mut used = vec![false; sups.len()];
        // The map's key is the rules' own `&'static str` type name.
        let (resource_type, rules) = match by_type.get_key_value(r.type_name) {
            Some((t, rules)) => (*t, &rules[..]),
            None => ("", &[][..]),
        };
        for rule in rules {
            let mut hits = Vec::new();
            (rule.check)(stack, r, &mut hits);
            for hit in hits {
                // The resource's own suppressions first, then the stack's.
                let by = match sups.iter().position(|s| s.covers(rule.id, &hit)) {
                    Some(i) => {
                        used[i] = true;
                        Some(sups[i].reason.clone())
                    }
                    None => stack_sups
                        .iter()
                        .position(|s| s.covers(rule.id, &hit))
                        .map(|i| {
                            stack_used[i] = true;
                            stack_sups[i].reason.clone()
                        }),
                };
                report.findings.push(Finding {
                    rule_id: rule.id,
                    level: rule.level,
                    stack: stack_name.clone(),
                    template_file: template_file.clone(),
                    path: r.path.to_owned(),
                    logical_id: r.logical_id.to_owned(),
                    resource_type,
                    property: hit.property,
                    finding: hit.finding,
                    reason: rule.reason,
                    fix: rule.fix,
                    suppressed_by: by,
                });
            }
        }
        for (s, used) in sups.iter().zip(used) {
            let e = groups
                .entry(s.key())
                .or_insert_with(|| (false, r.path.to_owned()));
            e.0 |= used;
            e.1 = common_path(&e.1, r.path);
        }
    }
    for (s, used) in stack_sups.iter().zip(stack_used) {
        let e = groups
            .entry(s.key())
            .or_insert_with(|| (false, stack.name.to_owned()));
        e.0 |= used;
        e.1 = common_path(&e.1, stack.name);
    }
    // Suppressions of rules outside the packs that ran are not judged.
    let known = |id: &str| packs.iter().any(|p| p.rules.iter().any(|r| r.id == id));
    for ((id, reason, applies_to), (used, path)) in groups {
        if used {
            report
                .used
                .push((id.clone(), reason.clone(), applies_to.clone()));
        } else if known(&id) {
            report.unused_suppressions.push(UnusedSuppression {
                stack: stack.name.to_owned(),
                path,
                rule_id: id,
                applies_to,
                reason,
            });
        }
    }
    report
}

/// Runs `packs` over a template read from a file (`berth check`): resources' paths
/// come from their `berth:path` (or CDK's `aws:cdk:path`) metadata.
pub fn check_template(
    stack: &str,
    template_file: &str,
    template: &serde_json::Value,
    packs: &[&'static RulePack],
) -> Report {
    let empty = serde_json::Map::new();
    let resources = template
        .get("Resources")
        .and_then(|r| r.as_object())
        .unwrap_or(&empty);
    let owned: Vec<(&str, &str, &str, Node, Option<Node>)> = resources
        .iter()
        .map(|(lid, r)| {
            let meta = r.get("Metadata");
            let path = meta
                .and_then(|m| m.get("berth:path").or_else(|| m.get("aws:cdk:path")))
                .and_then(|p| p.as_str())
                .unwrap_or(lid);
            let type_name = r.get("Type").and_then(|t| t.as_str()).unwrap_or("");
            let props = r.get("Properties").map(Node::from).unwrap_or_default();
            let nag = meta.and_then(|m| m.get("cdk_nag")).map(Node::from);
            (lid.as_str(), path, type_name, props, nag)
        })
        .collect();
    let views = owned
        .iter()
        .map(|(lid, path, t, p, n)| ResourceView::new(lid, path, t, p, n.as_ref()))
        .collect();
    let stack_nag = template
        .get("Metadata")
        .and_then(|m| m.get("cdk_nag"))
        .map(Node::from);
    let view = StackView::new(stack, template_file, views).with_suppressions(stack_nag.as_ref());
    check(&view, packs)
}

// ---- helpers for rules ----

/// The node at `A.B.C` below `node`.
pub(crate) fn get_path<'a>(node: &'a Node, path: &str) -> Option<&'a Node> {
    path.split('.').try_fold(node, |n, k| n.get(k))
}

/// Whether a node is `true` (or the string `"true"`, as CloudFormation accepts).
pub(crate) fn is_true(n: Option<&Node>) -> bool {
    match n {
        Some(Node::Bool(b)) => *b,
        Some(Node::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// Whether a node is `false` (or `"false"`).
pub(crate) fn is_false(n: Option<&Node>) -> bool {
    match n {
        Some(Node::Bool(b)) => !*b,
        Some(Node::String(s)) => s.eq_ignore_ascii_case("false"),
        _ => false,
    }
}

/// A node as a list: an array's items, or the node itself.
pub(crate) fn items(n: Option<&Node>) -> &[Node] {
    match n {
        Some(Node::Array(a)) => a,
        Some(n) => std::slice::from_ref(n),
        None => &[],
    }
}

/// The logical ID a `{"Ref": id}` or `{"Fn::GetAtt": [id, ..]}` names.
pub(crate) fn referenced_id(n: &Node) -> Option<&str> {
    if let Some(id) = n.get("Ref").and_then(Node::as_str) {
        return Some(id);
    }
    let att = n.get("Fn::GetAtt")?;
    match att {
        Node::Array(a) => a.first().and_then(Node::as_str),
        Node::String(s) => s.split('.').next(),
        _ => None,
    }
}

/// cdk-nag's flattening of a value into the text findings name: `{"Ref": "X"}` →
/// `<X>`, `{"Fn::GetAtt": ["X", "Arn"]}` → `<X.Arn>`, `Fn::Join` joined, `Fn::Sub`'s
/// `${X}` → `<X>`.
pub(crate) fn flatten(n: &Node) -> String {
    match n {
        Node::String(s) => s.replace("${", "<").replace('}', ">"),
        _ => {
            if let Some(Node::Array(a)) = n.get("Fn::Join") {
                if let (Some(d), Some(Node::Array(parts))) =
                    (a.first().and_then(Node::as_str), a.get(1))
                {
                    return parts.iter().map(flatten).collect::<Vec<_>>().join(d);
                }
            }
            if let Some(s) = n.get("Fn::Sub") {
                return match s {
                    Node::Array(a) => a.first().map(flatten).unwrap_or_default(),
                    other => flatten(other),
                };
            }
            if let Some(Node::Array(a)) = n.get("Fn::GetAtt") {
                let part = |i: usize| a.get(i).map(flatten).unwrap_or_default();
                return format!("<{}.{}>", part(0), part(1));
            }
            if let Some(v) = n.get("Fn::ImportValue") {
                return flatten(v);
            }
            if let Some(r) = n.get("Ref") {
                return format!("<{}>", flatten(r));
            }
            serde_json::to_string(n).unwrap_or_default()
        }
    }
}
