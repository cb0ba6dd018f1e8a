//! Helpers shared by the generated L1 code (hand-written).

use crate::value::{Leaf, ToValue, Value};
use indexmap::IndexMap;

/// Inserts `key` into `map` when the property is set.
#[inline]
pub(crate) fn put<T: ToValue>(map: &mut IndexMap<String, Value>, key: &str, value: &Option<T>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), v.to_value());
    }
}

/// Inserts `key` into the JSON `map` when the property is set, rendering it with
/// `leaf` (the [`ToValue::render_json`] counterpart of [`put`]).
#[inline]
pub(crate) fn put_json<T: ToValue>(
    map: &mut serde_json::Map<String, serde_json::Value>,
    key: &str,
    value: &Option<T>,
    leaf: &mut Leaf<'_>,
) {
    if let Some(v) = value {
        map.insert(key.to_owned(), v.render_json(leaf));
    }
}
