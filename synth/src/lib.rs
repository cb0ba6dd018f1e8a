//! berth's synthesis core.
pub mod cfn;
pub mod resource;
pub mod schema;
pub mod value;
