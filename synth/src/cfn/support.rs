//! Helpers shared by the generated L1 code (hand-written).

use crate::json::Node;
use crate::value::{Leaf, ToValue, Value};
use indexmap::IndexMap;

/// Inserts `key` into `map` when the property is set.
#[inline]
pub(crate) fn put<T: ToValue>(map: &mut IndexMap<String, Value>, key: &str, value: &Option<T>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), v.to_value());
    }
}

/// Appends `key` to the JSON object's `members` when the property is set, rendering
/// it with `leaf` (the [`ToValue::render_json`] counterpart of [`put`]).
#[inline]
pub(crate) fn put_json<T: ToValue>(
    members: &mut Vec<(crate::json::Key, Node)>,
    key: &'static str,
    value: &Option<T>,
    leaf: &mut Leaf<'_>,
) {
    if let Some(v) = value {
        members.push((std::borrow::Cow::Borrowed(key), v.render_json(leaf)));
    }
}
