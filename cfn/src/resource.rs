//! What every L1 resource type implements, the typed handle to a resource in an app,
//! and property overrides.
//!
//! The generated L1 structs (`cfn::ecs::CfnService`, ...) implement [`CfnProperties`];
//! [`RawProperties`] is the escape hatch for types berth does not generate;
//! [`render_with_overrides`] applies CDK-style property overrides to what an L1
//! renders.
//! `ResourceRef<P>` is the `Copy` handle that the construct tree returns when it adds
//! a resource; generated code adds `attr_*` getters on `ResourceRef<CfnXxx>` for
//! exactly the attributes in the schema's `readOnlyProperties`, so asking for an
//! attribute that does not exist does not compile.

use crate::value::{ElementId, Intrinsic, Leaf, Render, Token, Value};
use berth_assembly::json::{Key, Node};
use std::any::Any;
use std::fmt;
use std::marker::PhantomData;

/// The properties of one CloudFormation resource type: they render into the
/// template's `Properties` ([`Render`]).
pub trait CfnProperties: Render + Any + fmt::Debug + Send + Sync {
    /// The CloudFormation type name, e.g. `AWS::ECS::Cluster`.
    fn type_name(&self) -> &str;
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

impl Render for RawProperties {
    fn render(&self, leaf: &mut Leaf<'_>) -> Node {
        leaf(&self.properties)
    }
}

impl CfnProperties for RawProperties {
    fn type_name(&self) -> &str {
        &self.type_name
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

/// A property override: a dotted path into `Properties` (`ContainerDefinitions.0.Cpu`;
/// numeric components index into lists) and the value to set there, or `None` to
/// remove what is there.
#[derive(Clone, Debug, PartialEq)]
pub struct PropertyOverride {
    /// The path's components.
    pub path: Vec<String>,
    /// The value, or `None` for a deletion.
    pub value: Option<Value>,
}

impl PropertyOverride {
    /// Sets `path` (dotted) to `value`.
    pub fn set(path: &str, value: Value) -> Self {
        PropertyOverride {
            path: path.split('.').map(str::to_owned).collect(),
            value: Some(value),
        }
    }

    /// Removes `path` (dotted).
    pub fn delete(path: &str) -> Self {
        PropertyOverride {
            path: path.split('.').map(str::to_owned).collect(),
            value: None,
        }
    }
}

/// The key of a token held back while overrides apply: no template has it.
const HELD: &str = "\u{0}berth:held-token";

/// Renders `props` with `overrides` applied in order, as CDK's `addPropertyOverride`
/// does: on the properties as written, before their tokens are resolved. So a token
/// that an override replaces or removes is never resolved (it adds no reference, no
/// export, no dependency), and the tokens that stay go to `leaf` in the order they
/// stand in the result.
///
/// ```
/// use berth_cfn::resource::{render_with_overrides, PropertyOverride, RawProperties};
/// use berth_cfn::value::{ElementId, Value};
/// use berth_assembly::json::Node;
/// let props = RawProperties::new("AWS::SQS::Queue", Value::map([
///     ("QueueName", Value::ref_to(ElementId(1))),
///     ("DelaySeconds", Value::Int(5)),
/// ]));
/// let mut resolved = 0;
/// let node = render_with_overrides(
///     &props,
///     &[PropertyOverride::set("QueueName", "fixed".into()), PropertyOverride::delete("DelaySeconds")],
///     &mut |v: &Value| { resolved += 1; v.to_node(&mut |_| Node::Null) },
/// );
/// assert_eq!(node.to_serde(), serde_json::json!({"QueueName": "fixed"}));
/// assert_eq!(resolved, 0);
/// ```
pub fn render_with_overrides(
    props: &dyn CfnProperties,
    overrides: &[PropertyOverride],
    leaf: &mut Leaf<'_>,
) -> Node {
    let mut held: Vec<Intrinsic> = Vec::new();
    let mut hold = |v: &Value| {
        v.to_node(&mut |i: &Intrinsic| {
            held.push(i.clone());
            Node::member(HELD, Node::Number((held.len() - 1).into()))
        })
    };
    let mut node = props.render(&mut hold);
    for o in overrides {
        let value = o.value.as_ref().map(&mut hold);
        apply_override(&mut node, &o.path, value);
    }
    resolve_held(&mut node, &held, leaf);
    node
}

/// The index of a held token, if `node` is one.
fn held_index(node: &Node) -> Option<usize> {
    match node.as_object() {
        Some([(k, Node::Number(n))]) if k == HELD => n.as_u64().map(|n| n as usize),
        _ => None,
    }
}

/// Replaces each held token by what `leaf` renders for it, in document order.
fn resolve_held(node: &mut Node, held: &[Intrinsic], leaf: &mut Leaf<'_>) {
    if let Some(i) = held_index(node) {
        *node = leaf(&Value::Fn(Box::new(held[i].clone())));
        return;
    }
    match node {
        Node::Array(items) => items.iter_mut().for_each(|n| resolve_held(n, held, leaf)),
        Node::Object(members) => members
            .iter_mut()
            .for_each(|(_, n)| resolve_held(n, held, leaf)),
        _ => {}
    }
}

/// The members of `node` if it is an object that is not a held token.
fn members(node: &mut Node) -> Option<&mut Vec<(Key, Node)>> {
    if held_index(node).is_some() {
        return None;
    }
    match node {
        Node::Object(m) => Some(m),
        _ => None,
    }
}

/// The member `key` of `members`, made an empty object if missing.
fn member<'n>(members: &'n mut Vec<(Key, Node)>, key: &str) -> &'n mut Node {
    let i = match members.iter().position(|(k, _)| k == key) {
        Some(i) => i,
        None => {
            members.push((Key::Owned(key.to_owned()), Node::Object(Vec::new())));
            members.len() - 1
        }
    };
    &mut members[i].1
}

/// Sets (or, with `None`, removes) the value at `path` in `target`: objects on the
/// way are made where missing, and anything else on the way (a scalar, a token) is
/// replaced by one; numeric components index into arrays (one past the end appends),
/// and an index out of range changes nothing.
fn apply_override(target: &mut Node, path: &[String], value: Option<Node>) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut cur = target;
    for part in parents {
        cur = match cur {
            Node::Array(items) => match part.parse::<usize>() {
                Ok(i) if i < items.len() => &mut items[i],
                _ => return,
            },
            other => {
                if members(other).is_none() {
                    *other = Node::Object(Vec::new());
                }
                member(members(other).expect("an object"), part)
            }
        };
    }
    if let Node::Array(items) = cur {
        if let Ok(i) = last.parse::<usize>() {
            match value {
                Some(v) if i < items.len() => items[i] = v,
                Some(v) if i == items.len() => items.push(v),
                None if i < items.len() => {
                    items.remove(i);
                }
                _ => {}
            }
        }
        return;
    }
    match (members(cur), value) {
        (Some(m), Some(v)) => *member(m, last) = v,
        (Some(m), None) => m.retain(|(k, _)| k != last),
        (None, Some(v)) => *cur = Node::Object(vec![(Key::Owned(last.clone()), v)]),
        (None, None) => {}
    }
}
