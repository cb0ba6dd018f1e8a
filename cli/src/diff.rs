//! Template differences: resources added, removed and modified (with property-level
//! changes and replacement), outputs, and the security-relevant changes (IAM
//! statements and security group rules), plus their rendering.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use crate::deploy::guard::GuardReport;
use crate::template::{Resource, Template};

/// How a resource or output changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// New in the app.
    Added,
    /// Gone from the app.
    Removed,
    /// In both, different.
    Modified,
}

/// One changed property of a modified resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PropertyChange {
    /// Dotted property path (`HealthCheckPath`, `Tags`, `LoadBalancers[0].ContainerPort`).
    pub path: String,
    /// The deployed value (`None`: absent).
    pub old: Option<Value>,
    /// The new value (`None`: removed).
    pub new: Option<Value>,
    /// The create-only property (schema path) whose change forces replacement.
    pub replaced_by: Option<String>,
}

/// One resource that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceChange {
    /// The logical id.
    pub logical_id: String,
    /// The resource type (the new one, when it changed).
    pub resource_type: String,
    /// The construct path, when the template records it.
    pub path: Option<String>,
    /// Added, removed or modified.
    pub kind: ChangeKind,
    /// Whether the modification replaces the resource.
    pub replacement: bool,
    /// The old type when the type itself changed (always a replacement).
    pub old_type: Option<String>,
    /// Property changes (modified resources only).
    pub properties: Vec<PropertyChange>,
    /// Other attributes that changed (`DependsOn`, `DeletionPolicy`, `Metadata`).
    pub attributes: Vec<String>,
    /// What the user should know before deploying this change (a replaced ECS service).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// A changed output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutputChange {
    /// The output name.
    pub name: String,
    /// How it changed.
    pub kind: ChangeKind,
}

/// One security-relevant line: an IAM statement or a security group rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SecurityItem {
    /// Where it lives (construct path or logical id).
    pub resource: String,
    /// Human-readable summary of the statement or rule.
    pub summary: String,
    /// Whether adding it broadens permissions (Allow statements, ingress/egress rules).
    pub broadening: bool,
}

/// The security section of a diff.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SecurityChanges {
    /// IAM statements added.
    pub iam_added: Vec<SecurityItem>,
    /// IAM statements removed.
    pub iam_removed: Vec<SecurityItem>,
    /// Security group rules added.
    pub rules_added: Vec<SecurityItem>,
    /// Security group rules removed.
    pub rules_removed: Vec<SecurityItem>,
}

impl SecurityChanges {
    /// Whether there is nothing in it.
    pub fn is_empty(&self) -> bool {
        self.iam_added.is_empty()
            && self.iam_removed.is_empty()
            && self.rules_added.is_empty()
            && self.rules_removed.is_empty()
    }

    /// Whether the changes grant more than before.
    pub fn is_broadening(&self) -> bool {
        self.iam_added.iter().any(|i| i.broadening) || self.rules_added.iter().any(|i| i.broadening)
    }
}

/// The differences between a deployed template and a new one.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TemplateDiff {
    /// Resource changes, in the new template's order, then removals.
    pub resources: Vec<ResourceChange>,
    /// Output changes.
    pub outputs: Vec<OutputChange>,
    /// Parameters added, removed or changed.
    pub parameters: Vec<OutputChange>,
    /// IAM and security group changes.
    pub security: SecurityChanges,
}

impl TemplateDiff {
    /// Whether the templates are equivalent.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
            && self.outputs.is_empty()
            && self.parameters.is_empty()
            && self.security.is_empty()
    }

    /// Number of resources that would be replaced.
    pub fn replacements(&self) -> usize {
        self.resources.iter().filter(|r| r.replacement).count()
    }
}

/// The create-only properties of a type, as schema paths (`A/B`).
pub type CreateOnlyLookup<'a> = &'a dyn Fn(&str) -> Vec<String>;

/// Create-only properties from berth's vendored schemas.
pub fn schema_create_only(type_name: &str) -> Vec<String> {
    berth_cfn::schema::schema(type_name)
        .map(|s| s.create_only.clone())
        .unwrap_or_default()
}

/// Compares `old` (deployed; `None` when the stack does not exist) with `new`.
pub fn diff_templates(
    old: Option<&Template>,
    new: &Template,
    create_only: CreateOnlyLookup<'_>,
) -> TemplateDiff {
    let empty = Template::default();
    let old = old.unwrap_or(&empty);
    let mut diff = TemplateDiff::default();
    for (id, new_res) in &new.resources {
        match old.resources.get(id) {
            None => diff.resources.push(ResourceChange {
                logical_id: id.clone(),
                resource_type: new_res.kind.clone(),
                path: new_res.construct_path().map(str::to_string),
                kind: ChangeKind::Added,
                replacement: false,
                old_type: None,
                properties: Vec::new(),
                attributes: Vec::new(),
                warnings: Vec::new(),
            }),
            Some(old_res) if old_res != new_res => {
                diff.resources
                    .push(modified(id, old_res, new_res, create_only));
            }
            Some(_) => {}
        }
    }
    for (id, old_res) in &old.resources {
        if !new.resources.contains_key(id) {
            diff.resources.push(ResourceChange {
                logical_id: id.clone(),
                resource_type: old_res.kind.clone(),
                path: old_res.construct_path().map(str::to_string),
                kind: ChangeKind::Removed,
                replacement: false,
                old_type: None,
                properties: Vec::new(),
                attributes: Vec::new(),
                warnings: Vec::new(),
            });
        }
    }
    diff.outputs = map_changes(&old.outputs, &new.outputs);
    diff.parameters = map_changes(&old.parameters, &new.parameters);
    diff.security = security_changes(old, new);
    diff
}

fn map_changes(
    old: &indexmap::IndexMap<String, Value>,
    new: &indexmap::IndexMap<String, Value>,
) -> Vec<OutputChange> {
    let mut out = Vec::new();
    for (k, v) in new {
        match old.get(k) {
            None => out.push(OutputChange {
                name: k.clone(),
                kind: ChangeKind::Added,
            }),
            Some(o) if o != v => out.push(OutputChange {
                name: k.clone(),
                kind: ChangeKind::Modified,
            }),
            _ => {}
        }
    }
    for k in old.keys() {
        if !new.contains_key(k) {
            out.push(OutputChange {
                name: k.clone(),
                kind: ChangeKind::Removed,
            });
        }
    }
    out
}

fn modified(
    id: &str,
    old: &Resource,
    new: &Resource,
    create_only: CreateOnlyLookup<'_>,
) -> ResourceChange {
    let mut change = ResourceChange {
        logical_id: id.to_string(),
        resource_type: new.kind.clone(),
        path: new
            .construct_path()
            .or(old.construct_path())
            .map(str::to_string),
        kind: ChangeKind::Modified,
        replacement: false,
        old_type: None,
        properties: Vec::new(),
        attributes: Vec::new(),
        warnings: Vec::new(),
    };
    if old.kind != new.kind {
        change.old_type = Some(old.kind.clone());
        change.replacement = true;
    }
    let create_only = create_only(&new.kind);
    let mut raw = Vec::new();
    diff_values(
        &mut Vec::new(),
        non_null(&old.properties),
        non_null(&new.properties),
        &mut raw,
    );
    for (segments, old_v, new_v) in raw {
        let schema_path: Vec<&str> = segments
            .iter()
            .filter_map(|s| match s {
                Seg::Key(k) => Some(k.as_str()),
                Seg::Index(_) => None,
            })
            .collect();
        let replaced_by = create_only
            .iter()
            .find(|c| {
                let c: Vec<&str> = c.split('/').collect();
                let n = c.len().min(schema_path.len());
                n > 0 && c[..n] == schema_path[..n]
            })
            .cloned();
        if replaced_by.is_some() {
            change.replacement = true;
        }
        change.properties.push(PropertyChange {
            path: render_path(&segments),
            old: old_v,
            new: new_v,
            replaced_by,
        });
    }
    if old.metadata != new.metadata {
        change.attributes.push("Metadata".into());
    }
    for key in new.rest.keys().chain(old.rest.keys()) {
        if new.rest.get(key) != old.rest.get(key) && !change.attributes.contains(key) {
            change.attributes.push(key.clone());
        }
    }
    if let Some(w) = service_replacement_warning(&change, new) {
        change.warnings.push(w);
    }
    change
}

/// The warning for an ECS service the change replaces: a replaced service is a new
/// service (ECS's deployment strategy does not apply to it, the old service's tasks
/// stop), and CloudFormation cannot replace a service that has a fixed name.
fn service_replacement_warning(change: &ResourceChange, new: &Resource) -> Option<String> {
    if !change.replacement || new.kind != "AWS::ECS::Service" {
        return None;
    }
    let who = change.path.as_deref().unwrap_or(&change.logical_id);
    let causes: Vec<&str> = change
        .properties
        .iter()
        .filter(|p| p.replaced_by.is_some())
        .map(|p| p.path.as_str())
        .collect();
    let cause = if causes.is_empty() {
        "its type changed".to_string()
    } else {
        format!("{} changed", causes.join(", "))
    };
    let mut w = format!(
        "⚠ the ECS service {who} ({}) would be replaced ({cause}): CloudFormation creates a new service and deletes the old one, so its deployment strategy does not apply and the old tasks stop",
        change.logical_id
    );
    // A new name makes room for the new service; the same name collides with the old one.
    let same_name = new
        .properties
        .get("ServiceName")
        .is_some_and(|v| !v.is_null())
        && !change.properties.iter().any(|p| p.path == "ServiceName");
    if same_name {
        w.push_str("; with a fixed ServiceName the replacement fails (the name is taken): change the name too, or leave service_name out");
    }
    Some(w)
}

fn non_null(v: &Value) -> Option<&Value> {
    (!v.is_null()).then_some(v)
}

#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

fn render_path(segments: &[Seg]) -> String {
    let mut s = String::new();
    for seg in segments {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => {
                let _ = write!(s, "[{i}]");
            }
        }
    }
    s
}

type RawChange = (Vec<Seg>, Option<Value>, Option<Value>);

/// Recurses into objects (not into intrinsics) and into arrays of equal length; reports
/// other differences at the deepest common path.
fn diff_values(
    path: &mut Vec<Seg>,
    old: Option<&Value>,
    new: Option<&Value>,
    out: &mut Vec<RawChange>,
) {
    if old == new {
        return;
    }
    match (old, new) {
        (Some(Value::Object(a)), Some(Value::Object(b)))
            if !is_intrinsic(a) && !is_intrinsic(b) =>
        {
            for (k, v) in b {
                path.push(Seg::Key(k.clone()));
                diff_values(path, a.get(k), Some(v), out);
                path.pop();
            }
            for (k, v) in a {
                if !b.contains_key(k) {
                    path.push(Seg::Key(k.clone()));
                    diff_values(path, Some(v), None, out);
                    path.pop();
                }
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b)))
            if a.len() == b.len() && !path.is_empty() =>
        {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                path.push(Seg::Index(i));
                diff_values(path, Some(x), Some(y), out);
                path.pop();
            }
        }
        _ if path.is_empty() => {
            // Whole `Properties` added or removed: report each top-level property.
            let a = old.and_then(Value::as_object);
            let b = new.and_then(Value::as_object);
            let keys: BTreeSet<&String> = a
                .into_iter()
                .flat_map(|m| m.keys())
                .chain(b.into_iter().flat_map(|m| m.keys()))
                .collect();
            for k in keys {
                let o = a.and_then(|m| m.get(k)).cloned();
                let n = b.and_then(|m| m.get(k)).cloned();
                if o != n {
                    out.push((vec![Seg::Key(k.clone())], o, n));
                }
            }
        }
        _ => out.push((path.clone(), old.cloned(), new.cloned())),
    }
}

fn is_intrinsic(map: &serde_json::Map<String, Value>) -> bool {
    map.len() == 1
        && map
            .keys()
            .next()
            .is_some_and(|k| k == "Ref" || k.starts_with("Fn::"))
}

// ---------------------------------------------------------------- security

fn security_changes(old: &Template, new: &Template) -> SecurityChanges {
    let (old_iam, old_rules) = security_items(old);
    let (new_iam, new_rules) = security_items(new);
    SecurityChanges {
        iam_added: new_iam.difference(&old_iam).cloned().collect(),
        iam_removed: old_iam.difference(&new_iam).cloned().collect(),
        rules_added: new_rules.difference(&old_rules).cloned().collect(),
        rules_removed: old_rules.difference(&new_rules).cloned().collect(),
    }
}

fn security_items(t: &Template) -> (BTreeSet<SecurityItem>, BTreeSet<SecurityItem>) {
    let mut iam = BTreeSet::new();
    let mut rules = BTreeSet::new();
    for (id, r) in &t.resources {
        let owner = r.construct_path().unwrap_or(id).to_string();
        let p = &r.properties;
        match r.kind.as_str() {
            "AWS::IAM::Role" => {
                statements(&owner, "trust", p.get("AssumeRolePolicyDocument"), &mut iam);
                for pol in p
                    .get("Policies")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    statements(&owner, "", pol.get("PolicyDocument"), &mut iam);
                }
                for arn in p
                    .get("ManagedPolicyArns")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    iam.insert(SecurityItem {
                        resource: owner.clone(),
                        summary: format!("managed policy {}", compact(arn)),
                        broadening: true,
                    });
                }
            }
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" | "AWS::IAM::RolePolicy" => {
                let target = p
                    .get("Roles")
                    .map(|r| format!(" (attached to {})", compact(r)))
                    .unwrap_or_default();
                let mut items = BTreeSet::new();
                statements(&owner, "", p.get("PolicyDocument"), &mut items);
                for mut i in items {
                    i.summary.push_str(&target);
                    iam.insert(i);
                }
            }
            "AWS::EC2::SecurityGroup" => {
                for (prop, dir) in [
                    ("SecurityGroupIngress", "ingress"),
                    ("SecurityGroupEgress", "egress"),
                ] {
                    for rule in p.get(prop).and_then(Value::as_array).into_iter().flatten() {
                        rules.insert(sg_rule(&owner, dir, None, rule));
                    }
                }
            }
            "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => {
                let dir = if r.kind.ends_with("Ingress") {
                    "ingress"
                } else {
                    "egress"
                };
                rules.insert(sg_rule(&owner, dir, p.get("GroupId"), p));
            }
            _ => {}
        }
    }
    (iam, rules)
}

fn statements(owner: &str, label: &str, doc: Option<&Value>, out: &mut BTreeSet<SecurityItem>) {
    let Some(doc) = doc else { return };
    let list: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(one) => vec![one],
        None => return,
    };
    for st in list {
        let effect = st.get("Effect").and_then(Value::as_str).unwrap_or("Allow");
        let actions = st
            .get("Action")
            .or(st.get("NotAction"))
            .map(compact)
            .unwrap_or_default();
        let mut summary = format!("[{effect}] {actions}");
        if let Some(res) = st.get("Resource").or(st.get("NotResource")) {
            let _ = write!(summary, " on {}", compact(res));
        }
        if let Some(pr) = st.get("Principal") {
            let _ = write!(summary, " for {}", compact(pr));
        }
        if let Some(c) = st.get("Condition") {
            let _ = write!(summary, " when {}", compact(c));
        }
        if !label.is_empty() {
            summary = format!("{label} {summary}");
        }
        out.insert(SecurityItem {
            resource: owner.to_string(),
            summary,
            broadening: effect == "Allow",
        });
    }
}

fn sg_rule(owner: &str, dir: &str, group: Option<&Value>, rule: &Value) -> SecurityItem {
    let proto = rule
        .get("IpProtocol")
        .map(compact)
        .unwrap_or_else(|| "-1".into());
    let proto = if proto == "-1" {
        "all".to_string()
    } else {
        proto
    };
    let from = rule.get("FromPort").map(compact);
    let to = rule.get("ToPort").map(compact);
    let ports = match (from, to) {
        (Some(f), Some(t)) if f == t => format!(" {f}"),
        (Some(f), Some(t)) => format!(" {f}-{t}"),
        (Some(f), None) => format!(" {f}"),
        _ => String::new(),
    };
    let peer_key = if dir == "ingress" { "from" } else { "to" };
    let peer = [
        "CidrIp",
        "CidrIpv6",
        "SourceSecurityGroupId",
        "DestinationSecurityGroupId",
        "SourcePrefixListId",
        "DestinationPrefixListId",
    ]
    .iter()
    .find_map(|k| rule.get(*k).map(compact))
    .unwrap_or_else(|| "?".into());
    let mut summary = format!("{dir} {proto}{ports} {peer_key} {peer}");
    if let Some(g) = group {
        let _ = write!(summary, " on {}", compact(g));
    }
    SecurityItem {
        resource: owner.to_string(),
        summary,
        broadening: true,
    }
}

/// A short one-line rendering: strings bare, intrinsics as `${Id.Attr}`, the rest as JSON.
pub fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(m) if m.len() == 1 => {
            let (k, inner) = m
                .iter()
                .next()
                .map(|(k, v)| (k.as_str(), v))
                .unwrap_or(("", v));
            match (k, inner) {
                ("Ref", Value::String(s)) => format!("${{{s}}}"),
                ("Fn::GetAtt", Value::Array(a)) => {
                    let parts: Vec<String> = a.iter().map(compact).collect();
                    format!("${{{}}}", parts.join("."))
                }
                ("Fn::GetAtt", Value::String(s)) => format!("${{{s}}}"),
                ("Fn::ImportValue", x) => format!("import({})", compact(x)),
                _ => v.to_string(),
            }
        }
        Value::Array(a) if a.len() == 1 => compact(&a[0]),
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().map(compact).collect();
            format!("[{}]", parts.join(", "))
        }
        _ => v.to_string(),
    }
}

// ---------------------------------------------------------------- rendering

/// Renders one stack's diff as text (no colors: styling is left to the terminal layer).
pub fn render(stack: &str, diff: &TemplateDiff, color: bool) -> String {
    render_guarded(stack, diff, None, color)
}

/// [`render`], marking in red the stateful resources the guard classified as replaced
/// or deleted, in the words `deploy` uses, and the resources that moved.
pub fn render_guarded(
    stack: &str,
    diff: &TemplateDiff,
    guard: Option<&GuardReport>,
    color: bool,
) -> String {
    let style = Style { color };
    let mut s = String::new();
    let _ = writeln!(s, "{}", style.bold(&format!("Stack {stack}")));
    if diff.is_empty() {
        let _ = writeln!(s, "There were no differences");
        return s;
    }
    if !diff.security.is_empty() {
        let sec = &diff.security;
        let _ = writeln!(s, "{}", style.yellow("Security changes"));
        if !sec.iam_added.is_empty() || !sec.iam_removed.is_empty() {
            let _ = writeln!(s, "  IAM statements");
            for i in &sec.iam_added {
                let _ = writeln!(
                    s,
                    "    {} {}  ({})",
                    style.green("+"),
                    i.summary,
                    i.resource
                );
            }
            for i in &sec.iam_removed {
                let _ = writeln!(s, "    {} {}  ({})", style.red("-"), i.summary, i.resource);
            }
        }
        if !sec.rules_added.is_empty() || !sec.rules_removed.is_empty() {
            let _ = writeln!(s, "  Security group rules");
            for i in &sec.rules_added {
                let _ = writeln!(
                    s,
                    "    {} {}  ({})",
                    style.green("+"),
                    i.summary,
                    i.resource
                );
            }
            for i in &sec.rules_removed {
                let _ = writeln!(s, "    {} {}  ({})", style.red("-"), i.summary, i.resource);
            }
        }
        if sec.is_broadening() {
            let _ = writeln!(s, "  (these changes broaden permissions or network access)");
        }
        s.push('\n');
    }
    if !diff.parameters.is_empty() {
        let _ = writeln!(s, "Parameters");
        for p in &diff.parameters {
            let _ = writeln!(s, "{} {}", marker(&style, p.kind), p.name);
        }
        s.push('\n');
    }
    if !diff.resources.is_empty() {
        let _ = writeln!(s, "Resources");
        for r in &diff.resources {
            let path = r
                .path
                .as_deref()
                .map(|p| format!(" {p}"))
                .unwrap_or_default();
            let mut line = format!(
                "{} {} {}{}",
                marker(&style, r.kind),
                r.resource_type,
                r.logical_id,
                path
            );
            if r.replacement {
                line.push(' ');
                line.push_str(&style.red("(replace)"));
            }
            let _ = writeln!(s, "{line}");
            if let Some(old_type) = &r.old_type {
                let _ = writeln!(
                    s,
                    " ├─ type {old_type} -> {} (requires replacement)",
                    r.resource_type
                );
            }
            let notes = guard
                .and_then(|g| g.get(&r.logical_id))
                .map(|c| c.notes())
                .unwrap_or_default();
            let n = r.properties.len() + r.attributes.len() + notes.len();
            let mut i = 0;
            for (note, alarming) in &notes {
                i += 1;
                let branch = if i == n { " └─" } else { " ├─" };
                let text = if *alarming {
                    style.red(note)
                } else {
                    note.clone()
                };
                let _ = writeln!(s, "{branch} {text}");
            }
            for p in &r.properties {
                i += 1;
                let last = i == n;
                let (branch, cont) = if last {
                    (" └─", "    ")
                } else {
                    (" ├─", " │  ")
                };
                let kind = match (&p.old, &p.new) {
                    (None, _) => ChangeKind::Added,
                    (_, None) => ChangeKind::Removed,
                    _ => ChangeKind::Modified,
                };
                let mut head = format!("{branch} {} {}", marker(&style, kind), p.path);
                if let Some(c) = &p.replaced_by {
                    let _ = write!(
                        head,
                        " {}",
                        style.red(&format!("(requires replacement: create-only property {c})"))
                    );
                }
                let _ = writeln!(s, "{head}");
                value_lines(&mut s, &style, cont, p.old.as_ref(), p.new.as_ref());
            }
            for a in &r.attributes {
                i += 1;
                let branch = if i == n { " └─" } else { " ├─" };
                let _ = writeln!(s, "{branch} {} {a}", marker(&style, ChangeKind::Modified));
            }
        }
        s.push('\n');
    }
    if !diff.outputs.is_empty() {
        let _ = writeln!(s, "Outputs");
        for o in &diff.outputs {
            let _ = writeln!(s, "{} {}", marker(&style, o.kind), o.name);
        }
        s.push('\n');
    }
    let added = diff
        .resources
        .iter()
        .filter(|r| r.kind == ChangeKind::Added)
        .count();
    let removed = diff
        .resources
        .iter()
        .filter(|r| r.kind == ChangeKind::Removed)
        .count();
    let modified = diff.resources.len() - added - removed;
    let _ = writeln!(
        s,
        "{added} to add, {modified} to modify ({} replaced), {removed} to remove",
        diff.replacements()
    );
    for w in diff.resources.iter().flat_map(|r| &r.warnings) {
        let _ = writeln!(s, "{}", style.yellow(w));
    }
    if let Some(g) = guard {
        let refused = g.refused().len();
        if refused > 0 {
            let _ = writeln!(
                s,
                "{}",
                style.red(&format!(
                    "deploy refuses this: {refused} stateful resource{} would be replaced or deleted (see ⚠ above)",
                    if refused == 1 { "" } else { "s" }
                ))
            );
        }
    }
    s
}

fn value_lines(
    s: &mut String,
    style: &Style,
    indent: &str,
    old: Option<&Value>,
    new: Option<&Value>,
) {
    let multiline =
        |v: &Value| matches!(v, Value::Array(_) | Value::Object(_)) && v.to_string().len() > 60;
    if let (Some(o), Some(n)) = (old, new) {
        if multiline(o) || multiline(n) {
            let a = serde_json::to_string_pretty(o).unwrap_or_default();
            let b = serde_json::to_string_pretty(n).unwrap_or_default();
            let diff = similar::TextDiff::from_lines(&a, &b);
            for change in diff.iter_all_changes() {
                let line = change.value().trim_end_matches('\n');
                let text = match change.tag() {
                    similar::ChangeTag::Delete => style.red(&format!("-{line}")),
                    similar::ChangeTag::Insert => style.green(&format!("+{line}")),
                    similar::ChangeTag::Equal => format!(" {line}"),
                };
                let _ = writeln!(s, "{indent}   {text}");
            }
            return;
        }
    }
    if let Some(o) = old {
        let _ = writeln!(s, "{indent}   {} {}", style.red("-"), o);
    }
    if let Some(n) = new {
        let _ = writeln!(s, "{indent}   {} {}", style.green("+"), n);
    }
}

fn marker(style: &Style, kind: ChangeKind) -> String {
    match kind {
        ChangeKind::Added => style.green("[+]"),
        ChangeKind::Removed => style.red("[-]"),
        ChangeKind::Modified => style.yellow("[~]"),
    }
}

struct Style {
    color: bool,
}

impl Style {
    fn paint(
        &self,
        s: &str,
        f: fn(console::StyledObject<&str>) -> console::StyledObject<&str>,
    ) -> String {
        if self.color {
            f(console::style(s)).force_styling(true).to_string()
        } else {
            s.to_string()
        }
    }
    fn green(&self, s: &str) -> String {
        self.paint(s, |x| x.green())
    }
    fn red(&self, s: &str) -> String {
        self.paint(s, |x| x.red())
    }
    fn yellow(&self, s: &str) -> String {
        self.paint(s, |x| x.yellow())
    }
    fn bold(&self, s: &str) -> String {
        self.paint(s, |x| x.bold())
    }
}

#[cfg(test)]
mod tests;
