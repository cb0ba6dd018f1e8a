//! The value model: every CloudFormation property is a [`Value`], which is either a
//! literal or an intrinsic function ([`Intrinsic`]) that CloudFormation evaluates at
//! deploy time.
//!
//! References to other elements of the app (resources, parameters, conditions,
//! outputs) are recorded by [`ElementId`], never by logical ID: logical IDs are only
//! known at synth, and a reference may cross stacks (then synth turns it into an
//! export and an `Fn::ImportValue`).
//!
//! Typed code uses [`Expr<T>`] (a literal `T` or a token) and [`Token<T>`] (a typed
//! intrinsic, e.g. what `cluster.attr_arn()` returns). Both convert into [`Value`]
//! through [`ToValue`]. Everything a generated L1 struct holds renders into the
//! template's JSON tree ([`Node`]) through [`Render`], the one codec of typed
//! properties: each [`Value`] on the way goes to the [`Leaf`] synthesis passes, which
//! resolves its tokens.

use berth_assembly::json::{Key, Node};
use indexmap::IndexMap;
use std::fmt;
use std::marker::PhantomData;

/// Identity of an element of the app (resource, parameter, condition, output,
/// mapping). The construct tree hands these out; synth maps them to logical IDs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ElementId(pub u32);

impl fmt::Display for ElementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A CloudFormation value: a literal, or an intrinsic function.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    /// JSON `null` (rarely useful; prefer leaving a property out).
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating point number.
    Float(f64),
    /// A string.
    String(String),
    /// A list.
    List(Vec<Value>),
    /// An object, in insertion order. Boxed: a map is three words of table and hasher
    /// state, and keeping it out of line makes every `Value` (and every optional
    /// property of a generated struct) less than half the size.
    Map(Box<IndexMap<String, Value>>),
    /// An intrinsic function (a token).
    Fn(Box<Intrinsic>),
}

/// What a `Ref` (and the condition of `Fn::If`) points at.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// An element of the app, resolved to its logical ID at synth (or imported from
    /// another stack).
    Element(ElementId),
    /// A pseudo parameter such as `AWS::Region`.
    Pseudo(Pseudo),
    /// A logical ID written by hand (escape hatch; not checked, not tracked).
    Logical(String),
}

/// CloudFormation pseudo parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pseudo {
    /// `AWS::Region`
    Region,
    /// `AWS::AccountId`
    AccountId,
    /// `AWS::StackName`
    StackName,
    /// `AWS::StackId`
    StackId,
    /// `AWS::Partition`
    Partition,
    /// `AWS::URLSuffix`
    UrlSuffix,
    /// `AWS::NotificationARNs`
    NotificationArns,
    /// `AWS::NoValue`: removes the property it is the value of.
    NoValue,
}

impl Pseudo {
    /// The name CloudFormation uses, e.g. `AWS::Region`.
    pub fn name(self) -> &'static str {
        match self {
            Pseudo::Region => "AWS::Region",
            Pseudo::AccountId => "AWS::AccountId",
            Pseudo::StackName => "AWS::StackName",
            Pseudo::StackId => "AWS::StackId",
            Pseudo::Partition => "AWS::Partition",
            Pseudo::UrlSuffix => "AWS::URLSuffix",
            Pseudo::NotificationArns => "AWS::NotificationARNs",
            Pseudo::NoValue => "AWS::NoValue",
        }
    }

    /// The token for this pseudo parameter.
    pub fn token(self) -> Token<String> {
        Token::from_intrinsic(Intrinsic::Ref(Target::Pseudo(self)))
    }
}

/// An intrinsic function. Each variant renders as the CloudFormation function of the
/// same name.
#[derive(Clone, Debug, PartialEq)]
pub enum Intrinsic {
    /// `Ref`
    Ref(Target),
    /// `Fn::GetAtt` of an element's attribute (e.g. `Arn`, `DNSName`).
    GetAtt(ElementId, String),
    /// `Fn::GetAtt` written by logical ID (escape hatch; not checked, not tracked).
    GetAttLogical(String, String),
    /// `Fn::Sub`: a template string and its variables.
    Sub(String, IndexMap<String, Value>),
    /// `Fn::Join`
    Join(String, Vec<Value>),
    /// `Fn::Select`
    Select(Value, Value),
    /// `Fn::Split`
    Split(String, Value),
    /// `Fn::GetAZs` (an empty string means the stack's region)
    GetAzs(Value),
    /// `Fn::ImportValue`
    ImportValue(Value),
    /// `Fn::If`: the condition, then the value if true and if false.
    If(Target, Value, Value),
    /// `Fn::FindInMap`: map (an element or a name), top level key, second level key.
    FindInMap(Target, Value, Value),
    /// `Fn::Base64`
    Base64(Value),
    /// `Fn::Cidr`: ip block, count, cidr bits.
    Cidr(Value, Value, Value),
    /// `Fn::Equals` (conditions only)
    Equals(Value, Value),
    /// `Fn::And` (conditions only)
    And(Vec<Value>),
    /// `Fn::Or` (conditions only)
    Or(Vec<Value>),
    /// `Fn::Not` (conditions only)
    Not(Value),
    /// `Condition` (conditions only): another condition.
    Condition(Target),
}

impl Intrinsic {
    /// Wraps this intrinsic in a [`Value`].
    pub fn into_value(self) -> Value {
        Value::Fn(Box::new(self))
    }
}

impl Value {
    /// Returns true if this value is an intrinsic (a token).
    pub fn is_token(&self) -> bool {
        matches!(self, Value::Fn(_))
    }

    /// A `Ref` to an element.
    pub fn ref_to(id: ElementId) -> Value {
        Intrinsic::Ref(Target::Element(id)).into_value()
    }

    /// `Fn::GetAtt` of an element's attribute.
    pub fn get_att(id: ElementId, attribute: impl Into<String>) -> Value {
        Intrinsic::GetAtt(id, attribute.into()).into_value()
    }

    /// `Fn::Join` with a separator.
    pub fn join(separator: impl Into<String>, parts: impl IntoIterator<Item = Value>) -> Value {
        Intrinsic::Join(separator.into(), parts.into_iter().collect()).into_value()
    }

    /// `Fn::Sub` with variables.
    pub fn sub(
        template: impl Into<String>,
        variables: impl IntoIterator<Item = (String, Value)>,
    ) -> Value {
        Intrinsic::Sub(template.into(), variables.into_iter().collect()).into_value()
    }

    /// Builds a map value from pairs, dropping nothing.
    pub fn map<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(Box::new(
            pairs.into_iter().map(|(k, v)| (k.into(), v)).collect(),
        ))
    }

    /// The object's entries, if this is a map.
    pub fn as_map(&self) -> Option<&IndexMap<String, Value>> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The object's entries, mutably, if this is a map.
    pub fn as_map_mut(&mut self) -> Option<&mut IndexMap<String, Value>> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The string, if this is a literal string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Visits every intrinsic in this value, depth first (including intrinsics nested
    /// inside other intrinsics).
    pub fn for_each_intrinsic<'a>(&'a self, f: &mut impl FnMut(&'a Intrinsic)) {
        match self {
            Value::List(items) => items.iter().for_each(|v| v.for_each_intrinsic(f)),
            Value::Map(m) => m.values().for_each(|v| v.for_each_intrinsic(f)),
            Value::Fn(i) => {
                f(i);
                i.for_each_operand(|v| v.for_each_intrinsic(f));
            }
            _ => {}
        }
    }

    /// Converts plain JSON into a value. JSON objects that look like intrinsics
    /// (`{"Ref": "X"}`) stay plain maps: they render the same, but synth does not
    /// track them as references.
    pub fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or_default()),
            },
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(a) => Value::List(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::Map(Box::new(
                o.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            )),
        }
    }
}

impl Intrinsic {
    /// Calls `f` on every operand that is a value (not on targets or names).
    pub fn for_each_operand<'a>(&'a self, mut f: impl FnMut(&'a Value)) {
        match self {
            Intrinsic::Ref(_)
            | Intrinsic::GetAtt(..)
            | Intrinsic::GetAttLogical(..)
            | Intrinsic::Condition(_) => {}
            Intrinsic::Sub(_, vars) => vars.values().for_each(f),
            Intrinsic::Join(_, parts) | Intrinsic::And(parts) | Intrinsic::Or(parts) => {
                parts.iter().for_each(f)
            }
            Intrinsic::Select(a, b) | Intrinsic::Equals(a, b) => {
                f(a);
                f(b)
            }
            Intrinsic::If(_, a, b) | Intrinsic::FindInMap(_, a, b) => {
                f(a);
                f(b)
            }
            Intrinsic::Split(_, v)
            | Intrinsic::GetAzs(v)
            | Intrinsic::ImportValue(v)
            | Intrinsic::Base64(v)
            | Intrinsic::Not(v) => f(v),
            Intrinsic::Cidr(a, b, c) => {
                f(a);
                f(b);
                f(c)
            }
        }
    }

    /// The elements this intrinsic refers to directly (not through operands).
    pub fn referenced_element(&self) -> Option<ElementId> {
        match self {
            Intrinsic::Ref(Target::Element(id))
            | Intrinsic::GetAtt(id, _)
            | Intrinsic::If(Target::Element(id), ..)
            | Intrinsic::FindInMap(Target::Element(id), ..)
            | Intrinsic::Condition(Target::Element(id)) => Some(*id),
            _ => None,
        }
    }
}

/// Renders a [`Value`] held by a typed value as JSON: synthesis passes its renderer,
/// which resolves the tokens (see [`Render`]).
pub type Leaf<'r> = dyn FnMut(&Value) -> Node + 'r;

/// Converts a value of the value model (literals, tokens, lists and maps of them) into
/// a [`Value`].
pub trait ToValue {
    /// The value, with tokens kept as intrinsics.
    fn to_value(&self) -> Value;
}

/// Renders a typed property value as JSON: literals directly, every [`Value`] it holds
/// through `leaf` (which resolves tokens). Generated L1 structs implement it: it is
/// how their properties reach the template.
pub trait Render {
    /// The value as JSON.
    fn render(&self, leaf: &mut Leaf<'_>) -> Node;
}

impl Value {
    /// The value as JSON, `token` rendering each intrinsic in it (in document order):
    /// how synthesis renders values once it knows the logical IDs.
    ///
    /// ```
    /// use berth_cfn::value::{ElementId, Value};
    /// use berth_assembly::json::Node;
    /// let v = Value::map([("A", Value::Int(1)), ("B", Value::ref_to(ElementId(3)))]);
    /// let node = v.to_node(&mut |_| Node::String("resolved".into()));
    /// assert_eq!(node.to_serde(), serde_json::json!({"A": 1, "B": "resolved"}));
    /// ```
    pub fn to_node<F: FnMut(&Intrinsic) -> Node>(&self, token: &mut F) -> Node {
        match self {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Int(i) => Node::Number((*i).into()),
            Value::Float(f) => Node::float(*f),
            Value::String(s) => Node::String(s.clone()),
            Value::List(items) => Node::Array(items.iter().map(|i| i.to_node(token)).collect()),
            Value::Map(m) => Node::Object(
                m.iter()
                    .map(|(k, v)| (Key::Owned(k.clone()), v.to_node(token)))
                    .collect(),
            ),
            Value::Fn(i) => token(i),
        }
    }
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}
impl Render for Value {
    fn render(&self, leaf: &mut Leaf<'_>) -> Node {
        leaf(self)
    }
}
impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::String(self.clone())
    }
}
impl Render for String {
    fn render(&self, _: &mut Leaf<'_>) -> Node {
        Node::String(self.clone())
    }
}
impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::String(self.to_owned())
    }
}
impl Render for str {
    fn render(&self, _: &mut Leaf<'_>) -> Node {
        Node::String(self.to_owned())
    }
}
impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}
impl Render for bool {
    fn render(&self, _: &mut Leaf<'_>) -> Node {
        Node::Bool(*self)
    }
}
impl ToValue for f64 {
    fn to_value(&self) -> Value {
        Value::Float(*self)
    }
}
impl Render for f64 {
    fn render(&self, _: &mut Leaf<'_>) -> Node {
        Node::float(*self)
    }
}
macro_rules! int_to_value {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::Int(*self as i64)
            }
        }
        impl Render for $t {
            fn render(&self, _: &mut Leaf<'_>) -> Node {
                Node::Number((*self as i64).into())
            }
        }
        impl From<$t> for Value {
            fn from(v: $t) -> Value {
                Value::Int(v as i64)
            }
        }
    )*};
}
int_to_value!(i64, i32, u32, u16, u8, usize);

impl<T: ToValue> ToValue for Vec<T> {
    fn to_value(&self) -> Value {
        Value::List(self.iter().map(ToValue::to_value).collect())
    }
}
impl<T: Render> Render for Vec<T> {
    fn render(&self, leaf: &mut Leaf<'_>) -> Node {
        Node::Array(self.iter().map(|v| v.render(leaf)).collect())
    }
}
impl<T: ToValue> ToValue for IndexMap<String, T> {
    fn to_value(&self) -> Value {
        Value::Map(Box::new(
            self.iter()
                .map(|(k, v)| (k.clone(), v.to_value()))
                .collect(),
        ))
    }
}
impl<T: Render> Render for IndexMap<String, T> {
    fn render(&self, leaf: &mut Leaf<'_>) -> Node {
        Node::Object(
            self.iter()
                .map(|(k, v)| (Key::Owned(k.clone()), v.render(leaf)))
                .collect(),
        )
    }
}
impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}
impl<T: Render + ?Sized> Render for &T {
    fn render(&self, leaf: &mut Leaf<'_>) -> Node {
        (**self).render(leaf)
    }
}
impl<T: ToValue> ToValue for Box<T> {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}
impl<T: Render> Render for Box<T> {
    fn render(&self, leaf: &mut Leaf<'_>) -> Node {
        (**self).render(leaf)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}
impl From<Intrinsic> for Value {
    fn from(i: Intrinsic) -> Value {
        i.into_value()
    }
}
impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Value {
        Value::List(v.into_iter().map(Into::into).collect())
    }
}

/// A typed token: an intrinsic whose resolved value is a `T` (a string, a number, a
/// list of strings). Attribute getters such as `cluster.attr_arn()` return these.
pub struct Token<T> {
    value: Value,
    _type: PhantomData<fn() -> T>,
}

impl<T> Clone for Token<T> {
    fn clone(&self) -> Self {
        Token {
            value: self.value.clone(),
            _type: PhantomData,
        }
    }
}
impl<T> fmt::Debug for Token<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Token").field(&self.value).finish()
    }
}
impl<T> PartialEq for Token<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T> Token<T> {
    /// A token from an intrinsic. The caller vouches that it resolves to a `T`.
    pub fn from_intrinsic(intrinsic: Intrinsic) -> Self {
        Token {
            value: intrinsic.into_value(),
            _type: PhantomData,
        }
    }

    /// A `Ref` to an element.
    pub fn ref_to(id: ElementId) -> Self {
        Self::from_intrinsic(Intrinsic::Ref(Target::Element(id)))
    }

    /// `Fn::GetAtt` of an element's attribute.
    pub fn get_att(id: ElementId, attribute: &str) -> Self {
        Self::from_intrinsic(Intrinsic::GetAtt(id, attribute.to_owned()))
    }

    /// The underlying value (always an intrinsic).
    pub fn as_value(&self) -> &Value {
        &self.value
    }

    /// The underlying value.
    pub fn into_value(self) -> Value {
        self.value
    }
}

impl<T> ToValue for Token<T> {
    fn to_value(&self) -> Value {
        self.value.clone()
    }
}
impl<T> Render for Token<T> {
    fn render(&self, leaf: &mut Leaf<'_>) -> Node {
        leaf(&self.value)
    }
}
impl<T> From<Token<T>> for Value {
    fn from(t: Token<T>) -> Value {
        t.value
    }
}

/// A property value of type `T`: either a literal or a token.
///
/// ```
/// use berth_cfn::value::{Expr, ElementId, Token, ToValue, Value};
/// let a: Expr<String> = "web".into();
/// let b: Expr<i64> = 2.into();
/// let c: Expr<String> = Token::<String>::get_att(ElementId(7), "Arn").into();
/// assert_eq!(a.to_value(), Value::String("web".into()));
/// assert_eq!(b.to_value(), Value::Int(2));
/// assert!(c.to_value().is_token());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Expr<T> {
    /// A literal value.
    Lit(T),
    /// A token (an intrinsic function), resolved by CloudFormation.
    Token(Value),
}

impl<T: ToValue> ToValue for Expr<T> {
    fn to_value(&self) -> Value {
        match self {
            Expr::Lit(t) => t.to_value(),
            Expr::Token(v) => v.clone(),
        }
    }
}
impl<T: Render> Render for Expr<T> {
    fn render(&self, leaf: &mut Leaf<'_>) -> Node {
        match self {
            Expr::Lit(t) => t.render(leaf),
            Expr::Token(v) => leaf(v),
        }
    }
}

impl<T> From<Token<T>> for Expr<T> {
    fn from(t: Token<T>) -> Self {
        Expr::Token(t.value)
    }
}
impl<T> From<&Token<T>> for Expr<T> {
    fn from(t: &Token<T>) -> Self {
        Expr::Token(t.value.clone())
    }
}
impl From<&str> for Expr<String> {
    fn from(s: &str) -> Self {
        Expr::Lit(s.to_owned())
    }
}
impl From<String> for Expr<String> {
    fn from(s: String) -> Self {
        Expr::Lit(s)
    }
}
impl From<&String> for Expr<String> {
    fn from(s: &String) -> Self {
        Expr::Lit(s.clone())
    }
}
impl From<bool> for Expr<bool> {
    fn from(b: bool) -> Self {
        Expr::Lit(b)
    }
}
impl From<f64> for Expr<f64> {
    fn from(f: f64) -> Self {
        Expr::Lit(f)
    }
}
impl From<i64> for Expr<i64> {
    fn from(i: i64) -> Self {
        Expr::Lit(i)
    }
}
impl From<i32> for Expr<i64> {
    fn from(i: i32) -> Self {
        Expr::Lit(i as i64)
    }
}
impl From<u32> for Expr<i64> {
    fn from(i: u32) -> Self {
        Expr::Lit(i as i64)
    }
}
impl<T> From<Vec<T>> for Expr<Vec<T>> {
    fn from(v: Vec<T>) -> Self {
        Expr::Lit(v)
    }
}
impl<T> From<Intrinsic> for Expr<T> {
    fn from(i: Intrinsic) -> Self {
        Expr::Token(i.into_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn for_each_intrinsic_visits_nested_tokens() {
        let v = Value::map([(
            "A",
            Value::join(
                "-",
                [
                    Value::ref_to(ElementId(1)),
                    Value::get_att(ElementId(2), "Arn"),
                ],
            ),
        )]);
        let mut seen = vec![];
        v.for_each_intrinsic(&mut |i| {
            if let Some(id) = i.referenced_element() {
                seen.push(id)
            }
        });
        assert_eq!(seen, vec![ElementId(1), ElementId(2)]);
    }
}
