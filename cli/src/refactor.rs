//! Moved and renamed resources: a resource gone from one place (a stack and logical id)
//! and a resource of the same type with the same properties new in another, which
//! CloudFormation would delete and create again (data gone) unless it is told that
//! they are one resource.
//!
//! [`detect`] pairs them up the way `cdk refactor` does: by a digest of the type and
//! the properties with references left out (a moved resource's references to other
//! moved resources change their logical ids, not their meaning). A digest shared by
//! several removed or several added resources is an [`Ambiguity`], never guessed.
//!
//! [`refactored_templates`] applies the moves to the *deployed* templates, so a stack
//! refactor moves resources and changes nothing else; the next deploy brings the rest.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::template::{Resource, Template};

/// One stack's templates: as deployed (`None`: not deployed yet) and as the app has it.
#[derive(Debug, Clone, Copy)]
pub struct StackTemplates<'a> {
    /// The stack name.
    pub name: &'a str,
    /// The deployed template.
    pub deployed: Option<&'a Template>,
    /// The app's template.
    pub new: &'a Template,
}

/// A resource at a place: stack, logical id and construct path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    /// The stack name.
    pub stack: String,
    /// The logical id.
    pub logical_id: String,
    /// The construct path, when the template records it.
    pub path: Option<String>,
}

impl Location {
    /// `Web/Logs/Resource (LogsA1B2 in stack Web)`, or `LogsA1B2 in stack Web`.
    pub fn describe(&self) -> String {
        match &self.path {
            Some(p) => format!("{p} ({} in stack {})", self.logical_id, self.stack),
            None => format!("{} in stack {}", self.logical_id, self.stack),
        }
    }
}

/// A resource that moved: deployed at `from`, in the app at `to`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Move {
    /// The resource type.
    pub resource_type: String,
    /// Where it is deployed.
    pub from: Location,
    /// Where the app has it.
    pub to: Location,
    /// The deployed resource's `DeletionPolicy`, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_deletion_policy: Option<String>,
}

impl Move {
    /// Whether it stays in its stack (only its logical id changes).
    pub fn within_stack(&self) -> bool {
        self.from.stack == self.to.stack
    }

    /// The line that keeps the deployed logical id, for a move within a stack:
    /// `app.override_logical_id(app.find("Web/NewLogs/Resource").unwrap(), "LogsA1B2C3D4")?;`.
    pub fn override_line(&self) -> Option<String> {
        if !self.within_stack() {
            return None;
        }
        let path = self.to.path.as_deref()?;
        Some(format!(
            "app.override_logical_id(app.find({path:?}).unwrap(), {:?})?;",
            self.from.logical_id
        ))
    }
}

/// Several removed or added resources with the same type and properties: which went
/// where cannot be told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ambiguity {
    /// The resource type.
    pub resource_type: String,
    /// The deployed resources that are gone.
    pub from: Vec<Location>,
    /// The new resources.
    pub to: Vec<Location>,
}

/// The moves and ambiguities among `stacks`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Detected {
    /// Resources paired up.
    pub moves: Vec<Move>,
    /// Resources that could have moved, but not one to one.
    pub ambiguities: Vec<Ambiguity>,
}

impl Detected {
    /// The move that takes the deployed resource `stack`/`logical_id` away, if any.
    pub fn move_from(&self, stack: &str, logical_id: &str) -> Option<&Move> {
        self.moves
            .iter()
            .find(|m| m.from.stack == stack && m.from.logical_id == logical_id)
    }

    /// The move that brings the app's resource `stack`/`logical_id`, if any.
    pub fn move_to(&self, stack: &str, logical_id: &str) -> Option<&Move> {
        self.moves
            .iter()
            .find(|m| m.to.stack == stack && m.to.logical_id == logical_id)
    }
}

/// Types never moved (CDK's metadata resource is rewritten on every synth).
const NEVER_MOVED: &[&str] = &["AWS::CDK::Metadata"];

/// Pairs the resources gone from the deployed templates with the new ones of the same
/// type and properties, within a stack and across the stacks given.
pub fn detect(stacks: &[StackTemplates<'_>]) -> Detected {
    // digest → (removed, added)
    let mut groups: BTreeMap<String, (String, Vec<Location>, Vec<Location>)> = BTreeMap::new();
    let mut policies: BTreeMap<(String, String), String> = BTreeMap::new();
    for s in stacks {
        let empty = Template::default();
        let deployed = s.deployed.unwrap_or(&empty);
        for (id, r) in &deployed.resources {
            if !s.new.resources.contains_key(id) && !NEVER_MOVED.contains(&r.kind.as_str()) {
                if let Some(p) = r.rest.get("DeletionPolicy").and_then(Value::as_str) {
                    policies.insert((s.name.to_string(), id.clone()), p.to_string());
                }
                groups
                    .entry(digest(r))
                    .or_insert_with(|| (r.kind.clone(), Vec::new(), Vec::new()))
                    .1
                    .push(location(s.name, id, r));
            }
        }
        for (id, r) in &s.new.resources {
            if !deployed.resources.contains_key(id) && !NEVER_MOVED.contains(&r.kind.as_str()) {
                groups
                    .entry(digest(r))
                    .or_insert_with(|| (r.kind.clone(), Vec::new(), Vec::new()))
                    .2
                    .push(location(s.name, id, r));
            }
        }
    }
    let mut out = Detected::default();
    for (_, (resource_type, from, to)) in groups {
        match (from.len(), to.len()) {
            (0, _) | (_, 0) => {}
            (1, 1) => {
                let from = from.into_iter().next().expect("one");
                out.moves.push(Move {
                    resource_type,
                    from_deletion_policy: policies
                        .get(&(from.stack.clone(), from.logical_id.clone()))
                        .cloned(),
                    from,
                    to: to.into_iter().next().expect("one"),
                })
            }
            _ => out.ambiguities.push(Ambiguity {
                resource_type,
                from,
                to,
            }),
        }
    }
    out.moves.sort();
    out
}

fn location(stack: &str, id: &str, r: &Resource) -> Location {
    Location {
        stack: stack.to_string(),
        logical_id: id.to_string(),
        path: r.construct_path().map(str::to_string),
    }
}

/// The type and the properties with references (`Ref`, `Fn::GetAtt`, `Fn::ImportValue`,
/// the names in `Fn::Sub`) blanked, hashed.
fn digest(r: &Resource) -> String {
    let mut text = r.kind.clone();
    text.push('\n');
    canonical(&strip_references(&r.properties), &mut text);
    let hash = Sha256::digest(text.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

fn strip_references(v: &Value) -> Value {
    match v {
        Value::Object(m) if m.len() == 1 => {
            let (k, inner) = m.iter().next().expect("one entry");
            match k.as_str() {
                "Ref" | "Fn::GetAtt" | "Fn::ImportValue" => Value::String("<reference>".into()),
                "Fn::Sub" => {
                    let text = match inner {
                        Value::String(s) => s.as_str(),
                        Value::Array(a) => a.first().and_then(Value::as_str).unwrap_or(""),
                        _ => "",
                    };
                    Value::String(format!("<sub>{}", blank_sub_names(text)))
                }
                _ => Value::Object(
                    m.iter()
                        .map(|(k, v)| (k.clone(), strip_references(v)))
                        .collect(),
                ),
            }
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), strip_references(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_references).collect()),
        other => other.clone(),
    }
}

/// `arn:${AWS::Partition}:s3:::${Bucket}/*` → `arn:${AWS::Partition}:s3:::${}/*`: the
/// names of resources blanked, pseudo parameters kept.
fn blank_sub_names(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                if name.starts_with("AWS::") || name.starts_with('!') {
                    let _ = write!(out, "${{{name}}}");
                } else {
                    out.push_str("${}");
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// JSON with object keys sorted, so equal values give equal text.
fn canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let keys: BTreeSet<&String> = m.keys().collect();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                canonical(&m[k], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

// ---------------------------------------------------------------- refactored templates

/// Why the moves cannot be carried out by a stack refactor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefactorError {
    /// After the moves, something refers to a resource that is no longer in its stack.
    #[error("{} in stack {stack} would refer to {target}, which is no longer in that stack after the move: a stack refactor cannot leave references across stacks behind; move what refers to it in the same step, or change the reference in a deploy first", .owner)]
    DanglingReference {
        /// The stack.
        stack: String,
        /// The resource or output that refers (`Logs` or `output ClusterName`).
        owner: String,
        /// The logical id it refers to.
        target: String,
    },
    /// A stack would be left without resources (CloudFormation requires one).
    #[error("stack {0} would have no resources left after the move; CloudFormation keeps at least one resource in a stack: destroy it after deploying instead")]
    EmptyStack(String),
}

/// The deployed templates of the stacks the moves touch, with the moves applied:
/// resources taken out of their source stack and put, under their new logical id,
/// into their destination (a stack that is not deployed starts empty), and every
/// reference to a renamed resource within a stack rewritten. Nothing else changes.
pub fn refactored_templates(
    deployed: &BTreeMap<String, Template>,
    moves: &[Move],
) -> Result<BTreeMap<String, Template>, RefactorError> {
    let mut out: BTreeMap<String, Template> = BTreeMap::new();
    for m in moves {
        for stack in [&m.from.stack, &m.to.stack] {
            out.entry(stack.clone())
                .or_insert_with(|| deployed.get(stack).cloned().unwrap_or_default());
        }
    }
    // Take the resources out first (a swap of two ids within a stack must not clash).
    let mut taken: Vec<(&Move, Resource)> = Vec::new();
    for m in moves {
        let source = out.get_mut(&m.from.stack).expect("entry made above");
        if let Some(r) = source.resources.shift_remove(&m.from.logical_id) {
            taken.push((m, r));
        }
    }
    for (m, r) in taken {
        out.get_mut(&m.to.stack)
            .expect("entry made above")
            .resources
            .insert(m.to.logical_id.clone(), r);
    }
    // Same-stack renames: rewrite every reference in that stack.
    for (stack, template) in out.iter_mut() {
        let renames: BTreeMap<&str, &str> = moves
            .iter()
            .filter(|m| m.within_stack() && &m.from.stack == stack)
            .map(|m| (m.from.logical_id.as_str(), m.to.logical_id.as_str()))
            .collect();
        if renames.is_empty() {
            continue;
        }
        for r in template.resources.values_mut() {
            rename_refs(&mut r.properties, &renames);
            for (key, v) in r.rest.iter_mut() {
                if key == "DependsOn" {
                    rename_depends_on(v, &renames);
                }
            }
        }
        for v in template.outputs.values_mut() {
            rename_refs(v, &renames);
        }
    }
    for (stack, template) in &out {
        if template.resources.is_empty() {
            return Err(RefactorError::EmptyStack(stack.clone()));
        }
        check_references(stack, template)?;
    }
    Ok(out)
}

fn rename_depends_on(v: &mut Value, renames: &BTreeMap<&str, &str>) {
    match v {
        Value::String(s) => {
            if let Some(n) = renames.get(s.as_str()) {
                *s = (*n).to_string();
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rename_depends_on(x, renames)),
        _ => {}
    }
}

fn rename_refs(v: &mut Value, renames: &BTreeMap<&str, &str>) {
    match v {
        Value::Object(m) if m.len() == 1 => {
            let key = m.keys().next().cloned().unwrap_or_default();
            let inner = m.get_mut(&key).expect("the key");
            match (key.as_str(), inner) {
                ("Ref", Value::String(s)) => {
                    if let Some(n) = renames.get(s.as_str()) {
                        *s = (*n).to_string();
                    }
                }
                ("Fn::GetAtt", Value::Array(a)) => {
                    if let Some(Value::String(s)) = a.first_mut() {
                        if let Some(n) = renames.get(s.as_str()) {
                            *s = (*n).to_string();
                        }
                    }
                }
                ("Fn::GetAtt", Value::String(s)) => {
                    let (id, attr) = s.split_once('.').unwrap_or((s.as_str(), ""));
                    if let Some(n) = renames.get(id) {
                        *s = format!("{n}.{attr}");
                    }
                }
                ("Fn::Sub", inner) => match inner {
                    Value::String(s) => *s = rename_sub(s, renames),
                    Value::Array(a) => {
                        if let Some(Value::String(s)) = a.first_mut() {
                            *s = rename_sub(s, renames);
                        }
                        for x in a.iter_mut().skip(1) {
                            rename_refs(x, renames);
                        }
                    }
                    _ => {}
                },
                (_, inner) => rename_refs(inner, renames),
            }
        }
        Value::Object(m) => m.values_mut().for_each(|x| rename_refs(x, renames)),
        Value::Array(a) => a.iter_mut().for_each(|x| rename_refs(x, renames)),
        _ => {}
    }
}

fn rename_sub(text: &str, renames: &BTreeMap<&str, &str>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let name = &after[..end];
        let (id, attr) = match name.split_once('.') {
            Some((i, a)) => (i, Some(a)),
            None => (name, None),
        };
        match renames.get(id) {
            Some(n) => match attr {
                Some(a) => {
                    let _ = write!(out, "${{{n}.{a}}}");
                }
                None => {
                    let _ = write!(out, "${{{n}}}");
                }
            },
            None => {
                let _ = write!(out, "${{{name}}}");
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Every `Ref`, `Fn::GetAtt` and `DependsOn` of the template names something in it.
fn check_references(stack: &str, t: &Template) -> Result<(), RefactorError> {
    let known = |id: &str| {
        id.starts_with("AWS::") || t.resources.contains_key(id) || t.parameters.contains_key(id)
    };
    let dangling = |owner: String, target: String| RefactorError::DanglingReference {
        stack: stack.to_string(),
        owner,
        target,
    };
    for (id, r) in &t.resources {
        let mut targets = Vec::new();
        collect_refs(&r.properties, &mut targets);
        if let Some(d) = r.rest.get("DependsOn") {
            match d {
                Value::String(s) => targets.push(s.clone()),
                Value::Array(a) => {
                    targets.extend(a.iter().filter_map(|x| x.as_str().map(str::to_string)))
                }
                _ => {}
            }
        }
        if let Some(target) = targets.into_iter().find(|x| !known(x)) {
            return Err(dangling(id.clone(), target));
        }
    }
    for (name, v) in &t.outputs {
        let mut targets = Vec::new();
        collect_refs(v, &mut targets);
        if let Some(target) = targets.into_iter().find(|x| !known(x)) {
            return Err(dangling(format!("output {name}"), target));
        }
    }
    Ok(())
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) if m.len() == 1 => {
            let (k, inner) = m.iter().next().expect("one entry");
            match (k.as_str(), inner) {
                ("Ref", Value::String(s)) => out.push(s.clone()),
                ("Fn::GetAtt", Value::Array(a)) => {
                    if let Some(s) = a.first().and_then(Value::as_str) {
                        out.push(s.to_string());
                    }
                }
                ("Fn::GetAtt", Value::String(s)) => {
                    out.push(s.split('.').next().unwrap_or("").to_string());
                }
                ("Fn::Sub", inner) => {
                    let (text, vars) = match inner {
                        Value::String(s) => (s.as_str(), None),
                        Value::Array(a) => (
                            a.first().and_then(Value::as_str).unwrap_or(""),
                            a.get(1).and_then(Value::as_object),
                        ),
                        _ => ("", None),
                    };
                    let mut rest = text;
                    while let Some(start) = rest.find("${") {
                        let after = &rest[start + 2..];
                        let Some(end) = after.find('}') else { break };
                        let name = after[..end].split('.').next().unwrap_or("");
                        if !name.starts_with('!') && !vars.is_some_and(|v| v.contains_key(name)) {
                            out.push(name.to_string());
                        }
                        rest = &after[end + 1..];
                    }
                    if let Some(vars) = vars {
                        vars.values().for_each(|x| collect_refs(x, out));
                    }
                }
                (_, inner) => collect_refs(inner, out),
            }
        }
        Value::Object(m) => m.values().for_each(|x| collect_refs(x, out)),
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
