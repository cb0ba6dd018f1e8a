//! What every L1 resource type implements, and the typed handle to a resource in an
//! app.
//!
//! The generated L1 structs (`cfn::ecs::CfnService`, ...) implement [`CfnProperties`];
//! [`RawProperties`] is the escape hatch for types berth does not generate.
//! `ResourceRef<P>` is the `Copy` handle that the construct tree returns when it adds
//! a resource; generated code adds `attr_*` getters on `ResourceRef<CfnXxx>` for
//! exactly the attributes in the schema's `readOnlyProperties`, so asking for an
//! attribute that does not exist does not compile.

use crate::value::{ElementId, Leaf, Token, Value};
use std::any::Any;
use std::fmt;
use std::marker::PhantomData;

/// The properties of one CloudFormation resource type.
pub trait CfnProperties: Any + fmt::Debug + Send + Sync {
    /// The CloudFormation type name, e.g. `AWS::ECS::Cluster`.
    fn type_name(&self) -> &str;
    /// The `Properties` object (a [`Value::Map`]), with tokens unresolved.
    fn to_properties(&self) -> Value;
    /// The `Properties` object when it is kept as a [`Value`] already (untyped
    /// properties), so that synth can render it without a copy. `None` (the default)
    /// means "call [`CfnProperties::to_properties`]".
    fn as_value(&self) -> Option<&Value> {
        None
    }
    /// The `Properties` object as JSON, every [`Value`] in it rendered by `leaf`:
    /// the same as `leaf(&self.to_properties())` (what the default does, without a
    /// copy for [`CfnProperties::as_value`]). Generated L1 structs build it directly
    /// ([`ToValue::render_json`](crate::value::ToValue::render_json)), which spares
    /// synth the intermediate [`Value`].
    fn render_properties(&self, leaf: &mut Leaf<'_>) -> crate::json::Node {
        match self.as_value() {
            Some(v) => leaf(v),
            None => leaf(&self.to_properties()),
        }
    }
    /// Upcast for downcasting to the concrete type.
    fn as_any(&self) -> &dyn Any;
    /// Upcast for downcasting to the concrete type.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// Properties of a resource given as an untyped value: the escape hatch for types
/// berth has no generated struct for. Synth still validates them when the type's
/// schema is vendored, and checks `Fn::GetAtt` against its attributes.
#[derive(Clone, Debug, PartialEq)]
pub struct RawProperties {
    /// The CloudFormation type name.
    pub type_name: String,
    /// The `Properties` object.
    pub properties: Value,
}

impl RawProperties {
    /// Raw properties of a type.
    pub fn new(type_name: impl Into<String>, properties: Value) -> Self {
        RawProperties {
            type_name: type_name.into(),
            properties,
        }
    }
}

impl CfnProperties for RawProperties {
    fn type_name(&self) -> &str {
        &self.type_name
    }
    fn to_properties(&self) -> Value {
        self.properties.clone()
    }
    fn as_value(&self) -> Option<&Value> {
        Some(&self.properties)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// A typed handle to a resource of the app whose properties are a `P`.
pub struct ResourceRef<P> {
    id: ElementId,
    _props: PhantomData<fn() -> P>,
}

impl<P> ResourceRef<P> {
    /// A handle to the element `id`. Normally made by the construct tree.
    pub fn new(id: ElementId) -> Self {
        ResourceRef {
            id,
            _props: PhantomData,
        }
    }

    /// The element's id.
    pub fn id(&self) -> ElementId {
        self.id
    }

    /// `Ref` to this resource (what it returns depends on the type: a name, an id, an
    /// ARN).
    pub fn ref_(&self) -> Token<String> {
        Token::ref_to(self.id)
    }
}

impl ResourceRef<RawProperties> {
    /// `Fn::GetAtt` of any attribute, checked against the schema at synth.
    pub fn get_att(&self, attribute: &str) -> Token<String> {
        Token::get_att(self.id, attribute)
    }
}

impl<P> Clone for ResourceRef<P> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<P> Copy for ResourceRef<P> {}
impl<P> fmt::Debug for ResourceRef<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResourceRef({})", self.id)
    }
}
impl<P> PartialEq for ResourceRef<P> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}
impl<P> Eq for ResourceRef<P> {}
impl<P> From<ResourceRef<P>> for ElementId {
    fn from(r: ResourceRef<P>) -> ElementId {
        r.id
    }
}
