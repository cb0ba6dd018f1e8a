//! The JSON tree synth renders resources' `Properties` into: what schema validation
//! reads and the template writer writes.
//!
//! A [`Node`] is `serde_json::Value` without the hash index: an object is its members in
//! order, and the property names of generated L1s are `&'static str`, never allocated.
//! A large app renders hundreds of thousands of small objects (every `{"Ref": ..}` is
//! one) that are looked up a few times at most, so hashing their keys cost more than
//! every lookup it sped up. [`Node::to_serde`] gives the `serde_json::Value`.

use serde_json::{Map, Number, Value};
use std::borrow::Cow;

/// An object member's name: static for generated property names, owned otherwise.
pub type Key = Cow<'static, str>;

/// A JSON value whose objects keep their members in order, in a `Vec`.
///
/// ```
/// use berth_synth::json::Node;
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
pub(crate) fn is_intrinsic_name(k: &str) -> bool {
    k == "Ref" || k == "Condition" || k.starts_with("Fn::")
}

/// [`Node`] as an instance representation of the `jsonschema` crate.
///
/// An intrinsic function (`{"Ref": ..}`, `{"Fn::..": ..}`) reads as the string
/// [`TOKEN`](schema::TOKEN) to the validator when it is the node being checked (its
/// type, text, length, equality and an error's value agree): CloudFormation resolves it
/// at deploy time and synth drops every error at or below one, and most tokens stand
/// where a string is wanted, where the string raises no error at all. As an object it
/// failed the type of every string property it filled, and each such error built its
/// instance. An array or object holding tokens compares and converts with the tokens as
/// written (`equals_value`, `to_value`, `is_unique`); the crate's element-wise `const`
/// comparison of arrays would see them as strings, harmless since no vendored schema
/// has an array `const`.
pub(crate) mod schema {
    use super::{Key, Node};
    use jsonschema::json::{self, Array, NodeIdentity, Object};
    use jsonschema::JsonType;
    use serde_json::Value;
    use std::borrow::Cow;

    /// The representation (validators are built for it with `jsonschema::options_for`).
    pub(crate) struct Format;

    /// What an intrinsic function reads as.
    pub(crate) const TOKEN: &str = "token";

    /// The node as the validator sees it: an intrinsic is the string [`TOKEN`].
    fn seen(node: &Node) -> &Node {
        static TOKEN_NODE: std::sync::LazyLock<Node> =
            std::sync::LazyLock::new(|| Node::String(TOKEN.to_owned()));
        if node.is_intrinsic() {
            &TOKEN_NODE
        } else {
            node
        }
    }

    impl json::Json for Format {
        type Node<'a> = &'a Node;
        type PreparedKey = String;
        type StringBuffer = ();

        // `get` scans the members too, so one pass over them always beats a `get` per
        // required name (the crate multiplies this by at most 16: no overflow).
        const KEYS_PER_LOOKUP: usize = 1 << 20;
        const ACYCLIC: bool = true;

        fn prepare_key(key: &str) -> String {
            key.to_owned()
        }

        fn with_string_node<T>((): &mut (), string: &str, f: impl FnOnce(&Node) -> T) -> T {
            f(&Node::String(string.to_owned()))
        }
    }

    /// An object's members.
    #[derive(Clone, Copy)]
    pub(crate) struct Members<'a>(&'a [(Key, Node)]);

    /// An object's members, in order.
    pub(crate) struct MembersIter<'a>(std::slice::Iter<'a, (Key, Node)>);

    impl<'a> Iterator for MembersIter<'a> {
        type Item = (&'a str, &'a Node);

        fn next(&mut self) -> Option<Self::Item> {
            self.0.next().map(|(k, v)| (k.as_ref(), v))
        }
    }

    impl<'a> json::Node<'a, Format> for &'a Node {
        type Object = Members<'a>;
        type Array = &'a [Node];
        type Number = &'a serde_json::Number;

        fn as_object(&self) -> Option<Members<'a>> {
            match self {
                Node::Object(m) if !self.is_intrinsic() => Some(Members(m)),
                _ => None,
            }
        }

        fn as_array(&self) -> Option<&'a [Node]> {
            match self {
                Node::Array(a) => Some(a),
                _ => None,
            }
        }

        fn as_string(&self) -> Option<Cow<'a, str>> {
            match self {
                Node::String(s) => Some(Cow::Borrowed(s)),
                _ if self.is_intrinsic() => Some(Cow::Borrowed(TOKEN)),
                _ => None,
            }
        }

        fn as_number(&self) -> Option<&'a serde_json::Number> {
            match self {
                Node::Number(n) => Some(n),
                _ => None,
            }
        }

        fn as_boolean(&self) -> Option<bool> {
            match self {
                Node::Bool(b) => Some(*b),
                _ => None,
            }
        }

        fn is_null(&self) -> bool {
            matches!(self, Node::Null)
        }

        fn json_type(&self) -> JsonType {
            match seen(self) {
                Node::Null => JsonType::Null,
                Node::Bool(_) => JsonType::Boolean,
                Node::Number(_) => JsonType::Number,
                Node::String(_) => JsonType::String,
                Node::Array(_) => JsonType::Array,
                Node::Object(_) => JsonType::Object,
            }
        }

        fn equals_value(&self, expected: &Value) -> bool {
            match (seen(self), expected) {
                (Node::String(a), Value::String(b)) => a == b,
                (Node::String(_), _) | (_, Value::String(_)) => false,
                (Node::Bool(a), Value::Bool(b)) => a == b,
                (Node::Null, Value::Null) => true,
                (Node::Number(n), _) => json::cmp::equal(&Value::Number(n.clone()), expected),
                (node, _) => json::cmp::equal(&node.to_serde(), expected),
            }
        }

        fn to_value(&self) -> Cow<'a, Value> {
            Cow::Owned(seen(self).to_serde())
        }

        fn identity(&self) -> Option<NodeIdentity> {
            Some(NodeIdentity::new(std::ptr::from_ref::<Node>(self) as usize))
        }
    }

    impl<'a> Object<'a, Format> for Members<'a> {
        type Node = &'a Node;
        type MemberName = &'a str;
        type MembersIter = MembersIter<'a>;

        fn len(&self) -> usize {
            self.0.len()
        }

        fn get(&self, key: &String) -> Option<&'a Node> {
            self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
        }

        fn members(&self) -> MembersIter<'a> {
            MembersIter(self.0.iter())
        }
    }

    impl<'a> Array<'a, Format> for &'a [Node] {
        type Node = &'a Node;
        type ElementsIter = std::slice::Iter<'a, Node>;

        fn len(&self) -> usize {
            <[Node]>::len(self)
        }

        fn elements(&self) -> std::slice::Iter<'a, Node> {
            (*self).iter()
        }

        /// Compares the real nodes pairwise. Needed, not only faster: the crate's default
        /// compares the elements' `to_value`s, where every token reads as the same
        /// string, so `[{"Ref": "A"}, {"Ref": "B"}]` would fail `uniqueItems` at the
        /// array itself, an error no filter drops.
        fn is_unique(&self) -> bool {
            let items = *self;
            if items.len() > 64 {
                let values: Vec<Cow<'a, Value>> =
                    items.iter().map(|n| Cow::Owned(n.to_serde())).collect();
                return json::unique::is_unique(&values);
            }
            (1..items.len()).all(|i| items[..i].iter().all(|earlier| !equal(earlier, &items[i])))
        }
    }

    /// JSON equality: numbers compare by value (`1` equals `1.0`), object members in
    /// any order.
    pub(crate) fn equal(a: &Node, b: &Node) -> bool {
        match (a, b) {
            (Node::Null, Node::Null) => true,
            (Node::Bool(x), Node::Bool(y)) => x == y,
            (Node::String(x), Node::String(y)) => x == y,
            (Node::Number(x), Node::Number(y)) => {
                json::cmp::equal(&Value::Number(x.clone()), &Value::Number(y.clone()))
            }
            (Node::Array(x), Node::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(x, y)| equal(x, y))
            }
            (Node::Object(x), Node::Object(y)) => {
                x.len() == y.len()
                    && x.iter().all(|(k, v)| {
                        y.iter()
                            .find(|(name, _)| name == k)
                            .is_some_and(|(_, w)| equal(v, w))
                    })
            }
            _ => false,
        }
    }
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

    #[test]
    fn equality_is_json_equality() {
        use super::schema::equal;
        let n = |v: serde_json::Value| Node::from(&v);
        assert!(equal(&n(json!(1)), &n(json!(1.0))));
        assert!(!equal(&n(json!(1)), &n(json!(2))));
        assert!(!equal(&n(json!("1")), &n(json!(1))));
        assert!(equal(
            &n(json!({"a": 1, "b": [true]})),
            &n(json!({"b": [true], "a": 1.0}))
        ));
        assert!(!equal(&n(json!({"a": 1})), &n(json!({"b": 1}))));
        assert!(!equal(&n(json!([1, 2])), &n(json!([2, 1]))));
    }

    #[test]
    fn unique_items_are_checked_as_the_crate_checks_them() {
        use jsonschema::json::Array;
        let cases = [
            json!(["a", "b", "c"]),
            json!(["a", "b", "a"]),
            json!([1, 1.0]),
            json!([{"Ref": "A"}, {"Ref": "B"}]),
            json!([{"Ref": "A"}, {"Ref": "A"}]),
            json!([]),
            serde_json::Value::Array((0..70).map(|i| json!(i % 69)).collect()),
        ];
        for v in cases {
            let node = Node::from(&v);
            let items = node.as_array().unwrap();
            let expected = jsonschema::json::unique::is_unique(v.as_array().unwrap());
            assert_eq!(
                <&[Node] as Array<'_, super::schema::Format>>::is_unique(&items),
                expected,
                "{v}"
            );
        }
    }
}
