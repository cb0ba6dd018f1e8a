//! [`Node`] as an instance representation of the `jsonschema` crate.
//!
//! An intrinsic function (`{"Ref": ..}`, `{"Fn::..": ..}`) reads as the string
//! [`TOKEN`] to the validator when it is the node being checked (its
//! type, text, length, equality and an error's value agree): CloudFormation resolves it
//! at deploy time and synth drops every error at or below one, and most tokens stand
//! where a string is wanted, where the string raises no error at all. As an object it
//! failed the type of every string property it filled, and each such error built its
//! instance. An array or object holding tokens compares and converts with the tokens as
//! written (`equals_value`, `to_value`, `is_unique`); the crate's element-wise `const`
//! comparison of arrays would see them as strings, harmless since no vendored schema
//! has an array `const`.

use berth_assembly::json::{Key, Node};
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equality_is_json_equality() {
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
                <&[Node] as Array<'_, Format>>::is_unique(&items),
                expected,
                "{v}"
            );
        }
    }
}
