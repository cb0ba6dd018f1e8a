//! The vendored CloudFormation resource provider schemas: what each resource type
//! accepts, its `Fn::GetAtt` attributes, its create-only properties, and validation of
//! a resource's `Properties` against its schema.
//!
//! (Interface fixed; the registry is filled in by the schema work, issue 3.)

/// How a resource type carries tags, from the schema's `tagging` section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagFormat {
    /// `Tags: [{"Key": k, "Value": v}, ...]`
    List,
    /// `Tags: {k: v, ...}`
    Map,
}

/// What berth knows of one resource type.
#[derive(Clone, Debug)]
pub struct ResourceSchema {
    /// The type name, e.g. `AWS::ECS::Service`.
    pub type_name: String,
    /// `Fn::GetAtt` attribute names (from `readOnlyProperties`; nested ones dotted,
    /// e.g. `Endpoint.Address`).
    pub attributes: Vec<String>,
    /// Create-only properties as property paths (`ClusterName`, `A/B` for nested).
    /// Changing one replaces the resource.
    pub create_only: Vec<String>,
    /// The tag property's shape, if the type is taggable with a `Tags` property.
    pub tags: Option<TagFormat>,
}

/// One problem found by validating a resource's properties against its schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    /// JSON pointer into `Properties` (`""` is the whole object),
    /// e.g. `/ContainerDefinitions/0/Memory`.
    pub pointer: String,
    /// The schema keyword that failed (`required`, `enum`, `pattern`, `type`, ...).
    pub keyword: String,
    /// What is wrong, the value given and what is allowed, ready for a user.
    pub message: String,
}

/// The schema of a vendored type, or `None`.
pub fn schema(type_name: &str) -> Option<&'static ResourceSchema> {
    let _ = type_name;
    None
}

/// Validates a resource's resolved `Properties` against its type's schema. Values
/// that are intrinsics (and everything below them) are never reported. Returns no
/// violations for types that are not vendored.
pub fn validate(type_name: &str, properties: &serde_json::Value) -> Vec<Violation> {
    let _ = (type_name, properties);
    Vec::new()
}
