//! The JSON tree templates are rendered into: what schema validation reads and
//! [`mod@write`] writes.
//!
//! A [`Node`] is `serde_json::Value` without the hash index: an object is its members in
//! order, and the property names of generated L1s are `&'static str`, never allocated.
//! A large app renders hundreds of thousands of small objects (every `{"Ref": ..}` is
//! one) that are looked up a few times at most, so hashing their keys cost more than
//! every lookup it sped up. [`Node::to_serde`] gives the `serde_json::Value`.

use serde_json::{Map, Number, Value};
use std::borrow::Cow;

mod ser;
pub mod write;

/// An object member's name: static for generated property names, owned otherwise.
pub type Key = Cow<'static, str>;

/// A JSON value whose objects keep their members in order, in a `Vec`.
///
/// ```
/// use berth_assembly::json::Node;
/// let n = Node::member("Ref", Node::String("Bucket".into()));
/// assert_eq!(n.get("Ref").and_then(Node::as_str), Some("Bucket"));
/// assert_eq!(n.to_serde(), serde_json::json!({"Ref": "Bucket"}));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Node {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object: its members in order, each name once.
    Object(Vec<(Key, Node)>),
}

impl Node {
    /// An object of one member (an intrinsic function, mostly).
    pub fn member(key: &'static str, value: Node) -> Node {
        Node::Object(vec![(Cow::Borrowed(key), value)])
    }

    /// A float: a number, or `null` for NaN and infinities (as serde_json does).
    pub fn float(f: f64) -> Node {
        Number::from_f64(f).map_or(Node::Null, Node::Number)
    }

    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_object()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// The members of an object.
    pub fn as_object(&self) -> Option<&[(Key, Node)]> {
        match self {
            Node::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The items of an array.
    pub fn as_array(&self) -> Option<&[Node]> {
        match self {
            Node::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The text of a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s),
            _ => None,
        }
    }

    /// `{"Ref": ..}`, `{"Condition": ..}` or `{"Fn::..": ..}`: an object of exactly one
    /// member with such a name.
    pub fn is_intrinsic(&self) -> bool {
        matches!(self.as_object(), Some([(k, _)]) if is_intrinsic_name(k))
    }

    /// The same value as a `serde_json::Value`.
    pub fn to_serde(&self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Number(n) => Value::Number(n.clone()),
            Node::String(s) => Value::String(s.clone()),
            Node::Array(a) => Value::Array(a.iter().map(Node::to_serde).collect()),
            Node::Object(m) => {
                let mut out = Map::with_capacity(m.len());
                for (k, v) in m {
                    out.insert(k.as_ref().to_owned(), v.to_serde());
                }
                Value::Object(out)
            }
        }
    }
}

/// Serializes as the [`Node::to_serde`] value does (the same bytes from any serializer).
impl serde::Serialize for Node {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            Node::Null => s.serialize_unit(),
            Node::Bool(b) => s.serialize_bool(*b),
            Node::Number(n) => n.serialize(s),
            Node::String(t) => s.serialize_str(t),
            Node::Array(a) => a.serialize(s),
            Node::Object(m) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m {
                    map.serialize_entry(k.as_ref(), v)?;
                }
                map.end()
            }
        }
    }
}

impl From<&Value> for Node {
    fn from(v: &Value) -> Node {
        match v {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Number(n.clone()),
            Value::String(s) => Node::String(s.clone()),
            Value::Array(a) => Node::Array(a.iter().map(Node::from).collect()),
            Value::Object(m) => Node::Object(
                m.iter()
                    .map(|(k, v)| (Cow::Owned(k.clone()), Node::from(v)))
                    .collect(),
            ),
        }
    }
}

/// `Ref`, `Condition` or `Fn::..`: the name of an intrinsic function's one member.
pub fn is_intrinsic_name(k: &str) -> bool {
    k == "Ref" || k == "Condition" || k.starts_with("Fn::")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn converts_both_ways_keeping_member_order() {
        let v = json!({"b": [1, 2.5, null, true, "x"], "a": {"Ref": "R"}, "c": {}});
        let n = Node::from(&v);
        assert_eq!(n.to_serde(), v);
        let keys: Vec<&str> = n.as_object().unwrap().iter().map(|(k, _)| &**k).collect();
        assert_eq!(keys, ["b", "a", "c"]);
        assert!(n.get("a").unwrap().is_intrinsic());
        assert!(!n.is_intrinsic());
        assert!(Node::member("Fn::GetAtt", Node::Null).is_intrinsic());
        assert!(!Node::member("Refs", Node::Null).is_intrinsic());
        assert_eq!(Node::float(f64::NAN), Node::Null);
        assert_eq!(serde_json::to_value(&n).unwrap(), v);
        assert_eq!(
            serde_json::to_string_pretty(&n).unwrap(),
            serde_json::to_string_pretty(&v).unwrap()
        );
    }
}
