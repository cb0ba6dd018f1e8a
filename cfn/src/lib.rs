//! CloudFormation as Rust types: what berth's constructs build and synthesis renders.
//!
//! - [`value`]: the value language of templates. A property is a [`Value`]: a literal
//!   or an intrinsic function ([`Intrinsic`]) that refers to other elements of the app
//!   by [`ElementId`] (synthesis turns those into logical IDs, or into exports and
//!   imports across stacks). Typed code holds [`Expr<T>`] and [`Token<T>`]; everything
//!   renders into the template's JSON tree through [`Render`].
//! - One module per AWS service (`ecs`, `ec2`, `elbv2`, ...): the L1 resources,
//!   **generated** by `cargo xtask codegen` from the vendored registry schemas
//!   (`cfn/schemas/resources/`, from cfn-lint, MIT-0): one `CfnXxx` struct per type,
//!   its property types and enums in a submodule, `attr_*` getters on
//!   [`ResourceRef<CfnXxx>`](resource::ResourceRef) for exactly the schema's
//!   attributes.
//! - [`resource`]: what every L1 implements ([`resource::CfnProperties`]), the untyped
//!   escape hatch ([`resource::RawProperties`]) and property overrides.
//! - [`schema`]: the schema table (attributes, create-only properties, tag format) and
//!   validation of rendered properties against the vendored schemas.
//!
//! It does no I/O and knows nothing of constructs or of synthesis.
//!
//! ```
//! use berth_cfn::ecs::CfnCluster;
//! use berth_cfn::value::{Leaf, Render, Value};
//! let cluster = CfnCluster { cluster_name: Some("web".into()), ..Default::default() };
//! let json = cluster.render(&mut |v: &Value| v.to_node(&mut |_| unreachable!()));
//! assert_eq!(json.to_serde(), serde_json::json!({"ClusterName": "web"}));
//! ```
#![warn(missing_docs)]

mod l1;
pub mod resource;
pub mod schema;
pub mod value;

pub use l1::*;
pub use value::{ElementId, Expr, Intrinsic, Pseudo, Render, Target, ToValue, Token, Value};

/// A hash map for keys that are never outside input (type names), looked up on hot
/// paths: hashed with foldhash rather than SipHash.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;
