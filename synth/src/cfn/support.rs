//! Helpers shared by the generated L1 code (hand-written).

use crate::value::{ToValue, Value};
use indexmap::IndexMap;

/// Inserts `key` into `map` when the property is set.
#[inline]
pub(crate) fn put<T: ToValue>(map: &mut IndexMap<String, Value>, key: &str, value: &Option<T>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), v.to_value());
    }
}
