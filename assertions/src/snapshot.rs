//! Snapshot helpers: a template as stable, sorted JSON or YAML text for insta.
//!
//! The macros [`assert_template_snapshot!`](crate::assert_template_snapshot),
//! [`assert_template_yaml_snapshot!`](crate::assert_template_yaml_snapshot) and
//! [`assert_templates_snapshot!`](crate::assert_templates_snapshot) use these functions; call them
//! directly to snapshot with your own insta settings.

use serde_json::{Map, Value};

use crate::Template;

/// Something that can be snapshotted as a template: a [`Template`], a `serde_json::Value`, or a
/// reference to one. Other crates implement it for their stack types.
///
/// ```
/// use berth_assertions::snapshot::ToTemplateJson;
/// use serde_json::json;
///
/// assert_eq!(json!({"Resources": {}}).to_template_json(), json!({"Resources": {}}));
/// ```
pub trait ToTemplateJson {
    /// The template's JSON.
    fn to_template_json(&self) -> Value;
}

impl ToTemplateJson for Template {
    fn to_template_json(&self) -> Value {
        self.to_json()
    }
}

impl ToTemplateJson for Value {
    fn to_template_json(&self) -> Value {
        self.clone()
    }
}

impl<T: ToTemplateJson + ?Sized> ToTemplateJson for &T {
    fn to_template_json(&self) -> Value {
        (**self).to_template_json()
    }
}

/// A copy of `value` with the keys of every object sorted, so a snapshot does not change when
/// only the order in which resources or properties were added changes. Array order is kept
/// (it is meaningful in CloudFormation).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_assertions::snapshot::sorted;
/// use serde_json::json;
///
/// let v = sorted(&json!({"b": 1, "a": {"d": [2, 1], "c": 3}}));
/// assert_eq!(serde_json::to_string(&v)?, r#"{"a":{"c":3,"d":[2,1]},"b":1}"#);
/// # Ok(())
/// # }
/// ```
pub fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for key in keys {
                out.insert(key.clone(), sorted(&map[key]));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// The template as pretty JSON (two-space indent) with sorted keys.
///
/// ```
/// use berth_assertions::snapshot::to_stable_json;
/// use serde_json::json;
///
/// let text = to_stable_json(&json!({"Resources": {"B": {"Type": "T"}, "A": {"Type": "T"}}}));
/// assert_eq!(text, "{\n  \"Resources\": {\n    \"A\": {\n      \"Type\": \"T\"\n    },\n    \"B\": {\n      \"Type\": \"T\"\n    }\n  }\n}");
/// ```
pub fn to_stable_json(template: &impl ToTemplateJson) -> String {
    serde_json::to_string_pretty(&sorted(&template.to_template_json()))
        .expect("a serde_json::Value always serializes")
}

/// The template as YAML with sorted keys (long-form intrinsics, e.g. `Ref: Cluster`).
///
/// ```
/// use berth_assertions::snapshot::to_stable_yaml;
/// use serde_json::json;
///
/// let text = to_stable_yaml(&json!({"Resources": {"C": {"Type": "AWS::ECS::Cluster"}}}));
/// assert_eq!(text, "Resources:\n  C:\n    Type: AWS::ECS::Cluster\n");
/// ```
pub fn to_stable_yaml(template: &impl ToTemplateJson) -> String {
    serde_yaml_ng::to_string(&sorted(&template.to_template_json()))
        .expect("a serde_json::Value always serializes to YAML")
}
