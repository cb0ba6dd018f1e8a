//! Validation of a resource's `Properties` with the `jsonschema` crate.
//!
//! Each type's schema is wrapped (only the keywords that describe `Properties` are kept,
//! so `#/definitions/...` references still resolve and `$schema`, `handlers` and external
//! references are dropped) and compiled once per process, on first use: Draft 2020-12
//! (Draft 7 ignores `dependentRequired`), the fancy-regex engine (lookarounds, `\p{..}`),
//! formats off (cfn-lint's custom formats are unknown to the crate).
//!
//! Errors are then filtered: an error whose value, or any value above it on its path, is
//! an intrinsic function (`{"Ref": ..}`, `{"Fn::..": ..}`, `{"Condition": ..}`) is
//! dropped, because CloudFormation resolves it at deploy time; so are the scalar
//! coercions CloudFormation performs (`"80"` for an integer, `3` for a string).

use super::{table, Violation};
use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{Draft, JsonType, PatternOptions, ValidationError, Validator};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A vendored schema that does not compile (a bug in berth or in a schema patch).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the vendored schema of {type_name} does not compile: {message}")]
pub struct SchemaError {
    /// The resource type.
    pub type_name: String,
    /// The compiler's message.
    pub message: String,
}

/// The keywords of a resource schema that constrain its `Properties` object.
const KEPT: &[&str] = &[
    "properties",
    "definitions",
    "required",
    "additionalProperties",
    "patternProperties",
    "dependentRequired",
    "dependencies",
    "anyOf",
    "oneOf",
    "allOf",
];

struct Compiled {
    validator: Validator,
    wrapper: Value,
    /// JSON pointers (into `Properties`) of the read-only properties.
    read_only: Vec<String>,
}

fn compile(type_name: &str, text: &str) -> Result<Compiled, SchemaError> {
    let err = |message: String| SchemaError {
        type_name: type_name.to_owned(),
        message,
    };
    let mut schema: serde_json::Map<String, Value> =
        serde_json::from_str(text).map_err(|e| err(e.to_string()))?;
    let mut wrapper = serde_json::Map::new();
    wrapper.insert("type".into(), Value::String("object".into()));
    for k in KEPT {
        if let Some(v) = schema.remove(*k) {
            wrapper.insert((*k).to_owned(), v);
        }
    }
    let wrapper = Value::Object(wrapper);
    let validator = jsonschema::options()
        .with_draft(Draft::Draft202012)
        .with_pattern_options(PatternOptions::fancy_regex())
        .should_validate_formats(false)
        .build(&wrapper)
        .map_err(|e| err(e.to_string()))?;
    let read_only = schema
        .get("readOnlyProperties")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter_map(|p| p.strip_prefix("/properties"))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Ok(Compiled {
        validator,
        wrapper,
        read_only,
    })
}

type Slot = OnceLock<Result<Compiled, SchemaError>>;

fn slots() -> &'static (HashMap<&'static str, usize>, Vec<Slot>) {
    static SLOTS: OnceLock<(HashMap<&'static str, usize>, Vec<Slot>)> = OnceLock::new();
    SLOTS.get_or_init(|| {
        let index = table::ENTRIES
            .iter()
            .enumerate()
            .map(|(i, e)| (e.type_name, i))
            .collect();
        let slots = table::ENTRIES.iter().map(|_| OnceLock::new()).collect();
        (index, slots)
    })
}

fn compiled(type_name: &str) -> Option<&'static Result<Compiled, SchemaError>> {
    let (index, slots) = slots();
    let i = *index.get(type_name)?;
    let entry = &table::ENTRIES[i];
    Some(slots[i].get_or_init(|| compile(entry.type_name, entry.schema)))
}

/// Compiles every vendored schema afresh (not cached) and returns how many compiled, or
/// the first failure. Used by tests and benchmarks; [`super::validate`] compiles lazily.
pub fn compile_all_fresh() -> Result<usize, SchemaError> {
    for e in table::ENTRIES {
        compile(e.type_name, e.schema)?;
    }
    Ok(table::ENTRIES.len())
}

pub(super) fn validate(type_name: &str, properties: &Value) -> Vec<Violation> {
    let Some(compiled) = compiled(type_name) else {
        return Vec::new();
    };
    let c = match compiled {
        Ok(c) => c,
        Err(e) => {
            return vec![Violation {
                pointer: String::new(),
                keyword: "schema".into(),
                message: e.to_string(),
            }]
        }
    };
    let empty = Value::Object(serde_json::Map::new());
    let root = if properties.is_null() {
        &empty
    } else {
        properties
    };
    let mut out = Vec::new();
    if is_intrinsic(root) {
        return out;
    }
    // No `is_valid` pass first: nearly every resource holds a token, and tokens fail the
    // strict schema (objects where it wants strings, numbers, lists), so a first pass
    // only adds work (measured on the benchmark's ECS resources).
    for e in c.validator.iter_errors(root) {
        if is_real(&e, root) {
            report(&e, root, &c.wrapper, &mut out);
        }
    }
    for ptr in &c.read_only {
        if exists(root, ptr) && !under_intrinsic(root, ptr) {
            let name = ptr.trim_start_matches('/').replace('/', ".");
            out.push(Violation {
                pointer: ptr.clone(),
                keyword: "readOnly".into(),
                message: format!(
                    "property \"{name}\" is read-only: CloudFormation sets it; remove it (read it as the attribute \"{name}\" instead)"
                ),
            });
        }
    }
    out.sort_by(|a, b| a.pointer.cmp(&b.pointer));
    out
}

/// `{"Ref": ..}`, `{"Condition": ..}` or `{"Fn::..": ..}`: exactly one key.
fn is_intrinsic(v: &Value) -> bool {
    match v.as_object() {
        Some(m) if m.len() == 1 => m
            .keys()
            .next()
            .is_some_and(|k| k == "Ref" || k == "Condition" || k.starts_with("Fn::")),
        _ => false,
    }
}

/// True if there is a value at the (unescaped, read-only property) pointer.
fn exists(root: &Value, pointer: &str) -> bool {
    let mut cur = root;
    for seg in pointer.trim_start_matches('/').split('/') {
        match cur.as_object().and_then(|m| m.get(seg)) {
            Some(n) => cur = n,
            None => return false,
        }
    }
    true
}

fn unescape(seg: &str) -> String {
    seg.replace("~1", "/").replace("~0", "~")
}

/// True if the value at `pointer`, or any value above it, is an intrinsic.
fn under_intrinsic(root: &Value, pointer: &str) -> bool {
    let mut cur = root;
    if is_intrinsic(cur) {
        return true;
    }
    if pointer.is_empty() {
        return false;
    }
    for seg in pointer.trim_start_matches('/').split('/') {
        let next = match cur {
            Value::Object(m) => {
                if seg.contains('~') {
                    m.get(&unescape(seg))
                } else {
                    m.get(seg)
                }
            }
            Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
        match next {
            Some(n) => {
                if is_intrinsic(n) {
                    return true;
                }
                cur = n;
            }
            None => return false,
        }
    }
    false
}

/// A scalar CloudFormation converts to the wanted type.
fn coercible(instance: &Value, kind: &TypeKind) -> bool {
    let fits = |t: JsonType| match (t, instance) {
        (JsonType::Integer, Value::String(s)) => s.trim().parse::<i64>().is_ok(),
        (JsonType::Number, Value::String(s)) => {
            s.trim().parse::<f64>().is_ok_and(|f| f.is_finite())
        }
        (JsonType::String, Value::Number(_) | Value::Bool(_)) => true,
        (JsonType::Boolean, Value::String(s)) => {
            s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")
        }
        _ => false,
    };
    match kind {
        TypeKind::Single(t) => fits(*t),
        TypeKind::Multiple(set) => set.iter().any(fits),
    }
}

/// False for errors about tokens or CloudFormation's scalar coercions, and for
/// `anyOf`/`oneOf` errors that one branch would pass but for those.
fn is_real(e: &ValidationError<'_>, root: &Value) -> bool {
    // Most errors are about the intrinsic itself: check it before walking the path.
    if is_intrinsic(e.instance()) || under_intrinsic(root, e.instance_path().as_str()) {
        return false;
    }
    match e.kind() {
        ValidationErrorKind::Type { kind } => !coercible(e.instance(), kind),
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            !context
                .iter()
                .any(|branch| branch.iter().all(|b| !is_real(b, root)))
        }
        _ => true,
    }
}

const MAX_SHOWN: usize = 80;

/// A value as compact JSON, truncated.
fn show(v: &Value) -> String {
    let s = v.to_string();
    truncate(&s, MAX_SHOWN)
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let cut: String = s.chars().take(max).collect();
    format!("{cut}…")
}

fn type_name(t: JsonType) -> &'static str {
    match t {
        JsonType::Null => "null",
        JsonType::Boolean => "a boolean",
        JsonType::Integer => "an integer",
        JsonType::Number => "a number",
        JsonType::String => "a string",
        JsonType::Array => "a list",
        JsonType::Object => "an object",
    }
}

fn quote_list(values: impl IntoIterator<Item = String>) -> String {
    values.into_iter().collect::<Vec<_>>().join(", ")
}

fn plural(n: u64, one: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {one}s")
    }
}

fn count(v: &Value) -> usize {
    match v {
        Value::Array(a) => a.len(),
        Value::Object(m) => m.len(),
        Value::String(s) => s.chars().count(),
        _ => 0,
    }
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The property names allowed where an `additionalProperties` error was raised.
fn known_properties<'w>(wrapper: &'w Value, schema_path: &str) -> Vec<&'w str> {
    let parent = schema_path
        .rsplit_once('/')
        .map(|(p, _)| p)
        .unwrap_or_default();
    wrapper
        .pointer(parent)
        .and_then(|n| n.get("properties"))
        .and_then(Value::as_object)
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

fn escape(seg: &str) -> String {
    seg.replace('~', "~0").replace('/', "~1")
}

fn report(e: &ValidationError<'_>, root: &Value, wrapper: &Value, out: &mut Vec<Violation>) {
    let pointer = e.instance_path().as_str().to_owned();
    let inst = e.instance().as_ref();
    let kind = e.kind();
    let keyword = kind.keyword().to_owned();
    let message = match kind {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let known = known_properties(wrapper, e.schema_path().as_str());
            for name in unexpected {
                let mut message = format!("unknown property \"{name}\"");
                if let Some(best) = known
                    .iter()
                    .map(|k| (levenshtein(name, k), *k))
                    .filter(|(d, k)| *d <= 2.max(k.len() / 4))
                    .min()
                {
                    message.push_str(&format!("; did you mean \"{}\"?", best.1));
                }
                out.push(Violation {
                    pointer: format!("{pointer}/{}", escape(name)),
                    keyword: keyword.clone(),
                    message,
                });
            }
            return;
        }
        ValidationErrorKind::Required { property } => match property.as_str() {
            Some(p) => format!("missing required property \"{p}\""),
            None => format!("missing required property {}", show(property)),
        },
        ValidationErrorKind::Enum { options } => {
            let allowed = match options.as_ref() {
                Value::Array(a) => quote_list(a.iter().map(show)),
                other => show(other),
            };
            format!("{} is not one of {allowed}", show(inst))
        }
        ValidationErrorKind::Constant { expected_value } => {
            format!("{} is not {}", show(inst), show(expected_value))
        }
        ValidationErrorKind::Type { kind } => {
            let wanted = match kind {
                TypeKind::Single(t) => type_name(*t).to_owned(),
                TypeKind::Multiple(set) => {
                    set.iter().map(type_name).collect::<Vec<_>>().join(" or ")
                }
            };
            format!("{} is not {wanted}", show(inst))
        }
        ValidationErrorKind::Pattern { pattern } => format!(
            "{} does not match the pattern {}",
            show(inst),
            truncate(&format!("\"{pattern}\""), 200)
        ),
        ValidationErrorKind::Minimum { limit } => {
            format!("{} is less than the minimum {limit}", show(inst))
        }
        ValidationErrorKind::Maximum { limit } => {
            format!("{} is greater than the maximum {limit}", show(inst))
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            format!("{} must be greater than {limit}", show(inst))
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            format!("{} must be less than {limit}", show(inst))
        }
        ValidationErrorKind::MultipleOf { .. } => truncate(&e.to_string(), MAX_SHOWN * 2),
        ValidationErrorKind::MinLength { limit } => format!(
            "{} is too short: at least {} required, {} given",
            show(inst),
            plural(*limit, "character"),
            count(inst)
        ),
        ValidationErrorKind::MaxLength { limit } => format!(
            "{} is too long: at most {} allowed, {} given",
            show(inst),
            plural(*limit, "character"),
            count(inst)
        ),
        ValidationErrorKind::MinItems { limit } => format!(
            "list has {}, at least {} required",
            plural(count(inst) as u64, "item"),
            limit
        ),
        ValidationErrorKind::MaxItems { limit } => format!(
            "list has {}, at most {} allowed",
            plural(count(inst) as u64, "item"),
            limit
        ),
        ValidationErrorKind::UniqueItems => {
            format!(
                "{} has duplicate items; every item must be unique",
                show(inst)
            )
        }
        ValidationErrorKind::MinProperties { limit } => format!(
            "{} has {}, at least {} required",
            show(inst),
            plural(count(inst) as u64, "entry"),
            limit
        ),
        ValidationErrorKind::MaxProperties { limit } => format!(
            "{} has {}, at most {} allowed",
            show(inst),
            plural(count(inst) as u64, "entry"),
            limit
        ),
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            let how = if matches!(kind, ValidationErrorKind::AnyOf { .. }) {
                "at least one"
            } else {
                "exactly one"
            };
            match required_alternatives(context, root) {
                Some(names) => format!(
                    "requires {how} of {}",
                    quote_list(names.into_iter().map(|n| format!("\"{n}\"")))
                ),
                None => format!(
                    "{} does not match any of the allowed forms ({how} must match)",
                    show(inst)
                ),
            }
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => format!(
            "{} matches more than one of the allowed forms (exactly one must match)",
            show(inst)
        ),
        _ => truncate(&e.to_string(), MAX_SHOWN * 2),
    };
    out.push(Violation {
        pointer,
        keyword,
        message,
    });
}

/// When every branch of an `anyOf`/`oneOf` fails only for missing properties: the
/// properties each branch asks for.
fn required_alternatives(
    context: &[Vec<ValidationError<'static>>],
    root: &Value,
) -> Option<Vec<String>> {
    let mut names = Vec::new();
    for branch in context {
        let real: Vec<_> = branch.iter().filter(|b| is_real(b, root)).collect();
        if real.is_empty() {
            return None;
        }
        for b in real {
            match b.kind() {
                ValidationErrorKind::Required { property } => {
                    let n = property.as_str()?.to_owned();
                    if !names.contains(&n) {
                        names.push(n);
                    }
                }
                _ => return None,
            }
        }
    }
    Some(names)
}
