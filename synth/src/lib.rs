//! berth's synthesis: from an app to the files of a cloud assembly.
//!
//! Synthesis reads the app through one trait, [`model::Source`] (its stacks and
//! elements with their construct paths and element ids, a call that renders one
//! resource's properties, its construct tree), and writes through another,
//! [`assembly::Sink`] (a directory, or memory). [`synthesize::synthesize`] is the one
//! entry point: it assigns logical IDs, resolves tokens ([`value::Intrinsic`], by
//! element id) into `Ref`/`Fn::GetAtt` within a stack and into exports and
//! `Fn::ImportValue` across stacks, checks the graphs, validates every resource against
//! its CloudFormation schema, checks CloudFormation's limits, and writes the templates,
//! `manifest.json`, `tree.json` and the image assets. This crate knows nothing of
//! constructs; the format of what it writes is [`berth_assembly`]'s, the value model and
//! the typed resources are [`berth_cfn`]'s (re-exported here as [`value`], [`cfn`],
//! [`resource`], [`schema`]).
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use berth_synth::assembly::MemorySink;
//! use berth_synth::model::*;
//! use berth_synth::output::SynthOutput;
//! use berth_synth::synthesize::{synthesize, SynthOptions};
//! use berth_synth::value::{ElementId, Value};
//!
//! let bucket = ElementId(1);
//! let mut app = AppSpec::default();
//! app.stacks.push(StackSpec {
//!     id: ElementId(0),
//!     path: "Storage".into(),
//!     name: "Storage".into(),
//!     elements: vec![
//!         ElementSpec::resource(bucket, "Storage/Bucket", ResourceSpec::of_type("AWS::S3::Bucket")),
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
//! });
//! app.properties.insert(bucket, Value::map([("BucketName", Value::from("assets"))]));
//! let sink = MemorySink::new();
//! let done = synthesize(&app, &SynthOptions::default(), &sink)?;
//! let out = SynthOutput::from_files(done, &sink.into_files())?;
//! let t = &out.stacks[0].template;
//! assert_eq!(t["Outputs"]["BucketArn"]["Value"], serde_json::json!({"Fn::GetAtt": ["Bucket", "Arn"]}));
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

pub mod asset;
pub mod emit;
pub mod error;
pub mod logical_id;
pub mod model;
pub mod output;
pub mod par;
pub mod synthesize;

pub use berth_assembly as assembly;
pub use berth_assembly::json;
pub use berth_cfn as cfn;
pub use berth_cfn::{resource, schema, value};
pub use error::{Diagnostic, Severity, SynthError};

/// A hash map for synth's own keys (element ids, stack names, exports): looked up on
/// hot paths and never keyed by outside input, so hashed with foldhash rather than
/// SipHash.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;
pub use value::{ElementId, Expr, Intrinsic, Pseudo, Render, Target, ToValue, Token, Value};
