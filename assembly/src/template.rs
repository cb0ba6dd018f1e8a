//! A template of the assembly, as readers need it: its sections, resources with their
//! construct paths, outputs and parameters, read from JSON or YAML; the shape every
//! CloudFormation template has ([`check`]); and the format synth writes
//! ([`TemplateFormat`]).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;

/// The format of the template files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TemplateFormat {
    /// `<Stack>.template.json`, pretty JSON with two spaces.
    #[default]
    Json,
    /// `<Stack>.template.yaml`.
    Yaml,
}

impl TemplateFormat {
    /// The template file name of a stack.
    pub fn file_name(self, stack: &str) -> String {
        match self {
            TemplateFormat::Json => format!("{stack}.template.json"),
            TemplateFormat::Yaml => format!("{stack}.template.yaml"),
        }
    }

    /// The format of a template file, by its name (`.yaml` or `.yml`: YAML).
    pub fn of_file(path: &Path) -> TemplateFormat {
        let yaml = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
        if yaml {
            TemplateFormat::Yaml
        } else {
            TemplateFormat::Json
        }
    }
}

/// A template's text that is not valid JSON or YAML.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// Not valid JSON.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// Not valid YAML.
    #[error(transparent)]
    Yaml(#[from] serde_yaml_ng::Error),
}

/// Converts a JSON template's text to YAML (long-form intrinsics: `Ref: X`).
pub fn json_to_yaml(json: &[u8]) -> Result<Vec<u8>, ParseError> {
    let value: Value = serde_json::from_slice(json)?;
    Ok(serde_yaml_ng::to_string(&value)?.into_bytes())
}

/// Parses a template's text in `format` into JSON (YAML: long-form intrinsics only).
pub fn parse_value(text: &[u8], format: TemplateFormat) -> Result<Value, ParseError> {
    Ok(match format {
        TemplateFormat::Json => serde_json::from_slice(text)?,
        TemplateFormat::Yaml => serde_yaml_ng::from_slice(text)?,
    })
}

/// Largest template CloudFormation accepts (from S3), in bytes as sent (berth sends
/// templates minified).
pub const MAX_TEMPLATE_BYTES: usize = 1_000_000;

/// Largest template CloudFormation accepts inline; larger ones go through S3.
pub const MAX_INLINE_TEMPLATE_BYTES: usize = 51_200;

/// A JSON template without the whitespace outside strings: the body berth sends, and
/// what CloudFormation's size limits count. Text that is not JSON is kept as is.
///
/// ```
/// use berth_assembly::template::{minified_len, minify};
/// let pretty = "{\n  \"A\": \" a b \"\n}";
/// assert_eq!(minify(pretty), r#"{"A":" a b "}"#);
/// assert_eq!(minified_len(pretty.as_bytes()), minify(pretty).len());
/// assert_eq!(minify("A: 1\n"), "A: 1\n");
/// ```
pub fn minify(text: &str) -> String {
    if !text.trim_start().starts_with('{') {
        return text.to_string();
    }
    let mut kept = Vec::with_capacity(text.len());
    let mut scan = Minified::default();
    for &b in text.as_bytes() {
        if scan.keeps(b) {
            kept.push(b);
        }
    }
    // Only ASCII white space outside strings was dropped.
    String::from_utf8(kept).expect("UTF-8 in, UTF-8 out")
}

/// The length of JSON text without the whitespace outside strings: what
/// CloudFormation counts of a template berth sends minified.
pub fn minified_len(json: &[u8]) -> usize {
    let mut c = MinifiedCounter::default();
    c.count(json);
    c.n
}

/// Which bytes of JSON text a minified copy keeps: everything but the white space
/// outside strings.
#[derive(Debug, Default, Clone, Copy)]
struct Minified {
    in_string: bool,
    escaped: bool,
}

impl Minified {
    fn keeps(&mut self, b: u8) -> bool {
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'"' {
                self.in_string = false;
            }
            true
        } else if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
            false
        } else {
            self.in_string = b == b'"';
            true
        }
    }
}

/// A writer that counts the bytes written that a minified copy keeps (a template's
/// size as CloudFormation counts it, while the pretty text goes elsewhere).
#[derive(Debug, Default)]
pub struct MinifiedCounter {
    /// The bytes counted so far.
    pub n: usize,
    scan: Minified,
}

impl MinifiedCounter {
    /// Counts `bytes`.
    pub fn count(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.scan.keeps(b) {
                self.n += 1;
            }
        }
    }
}

impl std::io::Write for MinifiedCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.count(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The text of the `BERTH-I0122` notice for these stacks and their template sizes
/// (minified bytes), `None` for none: shared by synth and the CLI, which prints it
/// once per command.
pub fn inline_limit_notice(stacks: &[(&str, usize)]) -> Option<String> {
    if stacks.is_empty() {
        return None;
    }
    let list: Vec<String> = stacks
        .iter()
        .map(|(s, n)| format!("{s} ({n} bytes)"))
        .collect();
    let (what, verb) = if stacks.len() == 1 {
        (format!("the template of stack {}", list[0]), "is")
    } else {
        (
            format!(
                "the templates of {} stacks, {},",
                stacks.len(),
                list.join(", ")
            ),
            "are",
        )
    };
    Some(format!(
        "{what} {verb} over the {MAX_INLINE_TEMPLATE_BYTES} bytes CloudFormation takes inline (counted minified, as berth sends them): deploy uploads {} to the bootstrap bucket (run `berth bootstrap` once per account and region)",
        if stacks.len() == 1 { "it" } else { "them" }
    ))
}

/// The top-level sections of a CloudFormation template.
pub const SECTIONS: &[&str] = &[
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
    "Hooks",
];

/// Why a JSON value is not a CloudFormation template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateProblem {
    /// The top level is not an object.
    #[error("the top level is a {found}, expected an object with sections such as \"Resources\"")]
    NotAnObject {
        /// The JSON type found.
        found: &'static str,
    },
    /// A top-level key that CloudFormation does not know.
    #[error("unknown top-level section {name:?}; allowed: {}", SECTIONS.join(", "))]
    UnknownSection {
        /// The key.
        name: String,
    },
    /// A section (`Resources`, `Outputs`, ...) that is not an object.
    #[error("section {section:?} is a {found}, expected an object")]
    SectionNotAnObject {
        /// The section.
        section: String,
        /// The JSON type found.
        found: &'static str,
    },
    /// A resource that is not an object with a string `Type`.
    #[error("resource {logical_id:?} has no string \"Type\"")]
    ResourceWithoutType {
        /// The resource's logical id.
        logical_id: String,
    },
}

/// The name of a JSON value's type, for messages (`object`, `string`, ...).
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Checks that `json` is shaped like a CloudFormation template: an object with only
/// known sections, each an object (but the version, the description and the
/// transform), and every resource with a string `Type`.
///
/// ```
/// use berth_assembly::template::{check, TemplateProblem};
/// use serde_json::json;
/// assert!(check(&json!({"Resources": {"B": {"Type": "AWS::S3::Bucket"}}})).is_ok());
/// assert_eq!(
///     check(&json!({"Type": "AWS::S3::Bucket"})),
///     Err(TemplateProblem::UnknownSection { name: "Type".into() })
/// );
/// ```
pub fn check(json: &Value) -> Result<(), TemplateProblem> {
    let Value::Object(top) = json else {
        return Err(TemplateProblem::NotAnObject {
            found: json_type(json),
        });
    };
    for (name, value) in top {
        if !SECTIONS.contains(&name.as_str()) {
            return Err(TemplateProblem::UnknownSection { name: name.clone() });
        }
        let must_be_object = !matches!(
            name.as_str(),
            "AWSTemplateFormatVersion" | "Description" | "Transform"
        );
        if must_be_object && !value.is_object() {
            return Err(TemplateProblem::SectionNotAnObject {
                section: name.clone(),
                found: json_type(value),
            });
        }
    }
    if let Some(Value::Object(resources)) = top.get("Resources") {
        for (id, resource) in resources {
            if !resource.get("Type").is_some_and(Value::is_string) {
                return Err(TemplateProblem::ResourceWithoutType {
                    logical_id: id.clone(),
                });
            }
        }
    }
    Ok(())
}

/// A parsed template. Unknown sections are kept in `rest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Template {
    /// `Resources` by logical id.
    #[serde(rename = "Resources", default)]
    pub resources: IndexMap<String, Resource>,
    /// `Outputs` by name.
    #[serde(
        rename = "Outputs",
        default,
        skip_serializing_if = "IndexMap::is_empty"
    )]
    pub outputs: IndexMap<String, Value>,
    /// `Parameters` by name.
    #[serde(
        rename = "Parameters",
        default,
        skip_serializing_if = "IndexMap::is_empty"
    )]
    pub parameters: IndexMap<String, Value>,
    /// Every other section.
    #[serde(flatten)]
    pub rest: IndexMap<String, Value>,
}

/// One resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    /// `AWS::ECS::Service`, ...
    #[serde(rename = "Type")]
    pub kind: String,
    /// `Properties` (null when absent).
    #[serde(rename = "Properties", default, skip_serializing_if = "Value::is_null")]
    pub properties: Value,
    /// `Metadata` (null when absent).
    #[serde(rename = "Metadata", default, skip_serializing_if = "Value::is_null")]
    pub metadata: Value,
    /// Every other attribute (`DependsOn`, `DeletionPolicy`, ...).
    #[serde(flatten)]
    pub rest: IndexMap<String, Value>,
}

/// The metadata key that carries a resource's construct path.
pub const PATH_METADATA: &str = "berth:path";

impl Resource {
    /// The construct path from `Metadata["berth:path"]` (or CDK's `aws:cdk:path`).
    pub fn construct_path(&self) -> Option<&str> {
        self.metadata
            .get(PATH_METADATA)
            .or_else(|| self.metadata.get("aws:cdk:path"))
            .and_then(Value::as_str)
    }
}

/// Which IAM capability a template needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// `CAPABILITY_IAM`.
    Iam,
    /// `CAPABILITY_NAMED_IAM`.
    NamedIam,
}

impl Capability {
    /// The CloudFormation name.
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Iam => "CAPABILITY_IAM",
            Capability::NamedIam => "CAPABILITY_NAMED_IAM",
        }
    }
}

/// IAM types and the property that names them (which makes `CAPABILITY_NAMED_IAM` needed).
const IAM_TYPES: &[(&str, Option<&str>)] = &[
    ("AWS::IAM::Role", Some("RoleName")),
    ("AWS::IAM::User", Some("UserName")),
    ("AWS::IAM::Group", Some("GroupName")),
    ("AWS::IAM::ManagedPolicy", Some("ManagedPolicyName")),
    ("AWS::IAM::InstanceProfile", Some("InstanceProfileName")),
    ("AWS::IAM::Policy", None),
    ("AWS::IAM::AccessKey", None),
    ("AWS::IAM::UserToGroupAddition", None),
    ("AWS::IAM::RolePolicy", None),
    ("AWS::IAM::UserPolicy", None),
    ("AWS::IAM::GroupPolicy", None),
];

impl Template {
    /// Parses JSON.
    pub fn parse_json(text: &str) -> Result<Template, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Parses a template body as CloudFormation returns it: JSON, or YAML without
    /// short-form tags.
    pub fn parse_any(text: &str) -> Result<Template, String> {
        match serde_json::from_str(text) {
            Ok(t) => Ok(t),
            Err(json_err) => {
                let value: Value = serde_yaml_ng::from_str(text)
                    .map_err(|e| format!("neither JSON ({json_err}) nor YAML ({e})"))?;
                serde_json::from_value(value).map_err(|e| e.to_string())
            }
        }
    }

    /// The capabilities CloudFormation will demand for this template.
    pub fn capabilities(&self) -> Option<Capability> {
        let mut needed = None;
        for r in self.resources.values() {
            if let Some((_, name_prop)) = IAM_TYPES.iter().find(|(t, _)| *t == r.kind) {
                let named = name_prop
                    .map(|p| r.properties.get(p).is_some())
                    .unwrap_or(false);
                if named {
                    return Some(Capability::NamedIam);
                }
                needed = Some(Capability::Iam);
            }
        }
        needed
    }

    /// The construct path of a logical id, if the template records it.
    pub fn construct_path(&self, logical_id: &str) -> Option<&str> {
        self.resources
            .get(logical_id)
            .and_then(|r| r.construct_path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_follow_iam_resources_and_names() {
        let t = |json: &str| Template::parse_json(json).unwrap().capabilities();
        assert_eq!(
            t(r#"{"Resources":{"A":{"Type":"AWS::ECS::Cluster"}}}"#),
            None
        );
        assert_eq!(
            t(r#"{"Resources":{"A":{"Type":"AWS::IAM::Role","Properties":{}}}}"#),
            Some(Capability::Iam)
        );
        assert_eq!(
            t(r#"{"Resources":{"A":{"Type":"AWS::IAM::Role","Properties":{"RoleName":"x"}}}}"#),
            Some(Capability::NamedIam)
        );
    }

    #[test]
    fn minify_keeps_strings_and_drops_the_rest_of_the_whitespace() {
        let pretty =
            "{\n  \"A\": {\n    \"Type\": \"AWS::X::Y\",\n    \"V\": \" a \\\" b \\\\\"\n  }\n}";
        let min = minify(pretty);
        assert_eq!(min, r#"{"A":{"Type":"AWS::X::Y","V":" a \" b \\"}}"#);
        let a: serde_json::Value = serde_json::from_str(pretty).unwrap();
        let b: serde_json::Value = serde_json::from_str(&min).unwrap();
        assert_eq!(a, b);
        assert_eq!(min.len(), minified_len(pretty.as_bytes()));
        assert_eq!(minify("A: 1\n"), "A: 1\n");
    }

    #[test]
    fn yaml_bodies_parse() {
        let t = Template::parse_any("Resources:\n  A:\n    Type: AWS::ECS::Cluster\n").unwrap();
        assert_eq!(t.resources["A"].kind, "AWS::ECS::Cluster");
    }
}
