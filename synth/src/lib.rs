//! berth's synthesis core: the value model, typed L1 resources, schema validation,
//! logical IDs, the dependency graph, and the cloud assembly.
//!
//! This crate knows nothing of constructs. Its input is an [`model::AppSpec`]: stacks,
//! each with elements (resources, parameters, outputs, conditions, mappings) that carry
//! their construct path and an [`value::ElementId`]. References between elements are
//! tokens ([`value::Intrinsic`]) holding element ids; [`synthesize::synthesize`] turns
//! them into `Ref`/`Fn::GetAtt` within a stack and into exports and `Fn::ImportValue`
//! across stacks, checks the graph, validates every resource against its
//! CloudFormation schema, and renders the templates. [`assembly::write`] writes the
//! cloud assembly and [`asset`] fingerprints Docker image asset directories: the only
//! I/O in this crate.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use berth_synth::model::*;
//! use berth_synth::value::{ElementId, Value};
//! use berth_synth::synthesize::{synthesize, SynthOptions};
//!
//! let bucket = ElementId(1);
//! let stack = StackSpec {
//!     id: ElementId(0),
//!     path: "Storage".into(),
//!     name: "Storage".into(),
//!     elements: vec![
//!         ElementSpec {
//!             id: bucket,
//!             path: "Storage/Bucket".into(),
//!             logical_id: None,
//!             kind: ElementKind::Resource(ResourceSpec {
//!                 type_name: "AWS::S3::Bucket".into(),
//!                 properties: Value::map([("BucketName", Value::from("assets"))]),
//!                 ..Default::default()
//!             }),
//!         },
//!         ElementSpec {
//!             id: ElementId(2),
//!             path: "Storage/BucketArn".into(),
//!             logical_id: None,
//!             kind: ElementKind::Output(OutputSpec {
//!                 value: Value::get_att(bucket, "Arn"),
//!                 ..Default::default()
//!             }),
//!         },
//!     ],
//!     ..Default::default()
//! };
//! let app = AppSpec { stacks: vec![stack], ..Default::default() };
//! let out = synthesize(&app, &SynthOptions::default())?;
//! let t = &out.stacks[0].template;
//! assert_eq!(t["Outputs"]["BucketArn"]["Value"], serde_json::json!({"Fn::GetAtt": ["Bucket", "Arn"]}));
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

pub mod assembly;
pub mod asset;
pub mod cfn;
pub mod error;
pub mod json;
pub mod logical_id;
pub mod model;
pub mod par;
mod pretty;
pub mod resource;
pub mod schema;
pub mod synthesize;
pub mod value;

pub use error::{Diagnostic, Severity, SynthError};

/// A hash map for synth's own keys (type names, element ids, stack names, exports):
/// looked up on hot paths and never keyed by outside input, so hashed with foldhash
/// rather than SipHash.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;
pub use value::{ElementId, Expr, Intrinsic, Pseudo, Target, ToValue, Token, Value};
