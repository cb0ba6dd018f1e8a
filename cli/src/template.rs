//! A CloudFormation template as the CLI needs it: resources with their construct
//! paths, outputs and parameters, read from JSON or YAML.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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

/// A JSON template without the whitespace outside strings: the body berth sends, and
/// what CloudFormation's size limits count. Text that is not JSON is kept as is.
pub fn minify(text: &str) -> String {
    if !text.trim_start().starts_with('{') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !matches!(c, ' ' | '\n' | '\r' | '\t') {
            out.push(c);
            in_string = c == '"';
        }
    }
    out
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
        assert_eq!(
            min.len(),
            berth_synth::synthesize::minified_len(pretty.as_bytes())
        );
        assert_eq!(minify("A: 1\n"), "A: 1\n");
    }

    #[test]
    fn yaml_bodies_parse() {
        let t = Template::parse_any("Resources:\n  A:\n    Type: AWS::ECS::Cluster\n").unwrap();
        assert_eq!(t.resources["A"].kind, "AWS::ECS::Cluster");
    }
}
