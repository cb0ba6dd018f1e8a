//! Helpers shared by the generated L1 code (hand-written).

use crate::value::{Leaf, Render};
use berth_assembly::json::{Key, Node};

/// Appends `key` to the JSON object's `members` when the property is set, rendering
/// it with `leaf`.
#[inline]
pub(crate) fn put<T: Render>(
    members: &mut Vec<(Key, Node)>,
    key: &'static str,
    value: &Option<T>,
    leaf: &mut Leaf<'_>,
) {
    if let Some(v) = value {
        members.push((Key::Borrowed(key), v.render(leaf)));
    }
}
