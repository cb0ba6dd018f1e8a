//! berth's synthesis core.
pub mod resource;
pub mod value;
