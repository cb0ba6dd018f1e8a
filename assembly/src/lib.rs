//! The cloud assembly: the directory of files that `berth synth` writes and `berth
//! deploy` reads, in AWS CDK's format.
//!
//! - [`json`]: the JSON tree templates are rendered into ([`json::Node`]) and the one
//!   writer every JSON file goes through ([`json::write`]), byte for byte what
//!   `serde_json` writes.
//! - [`manifest`]: `manifest.json` and `<Stack>.assets.json`, `Serialize` and
//!   `Deserialize`.
//! - [`template`]: a template as readers see it, the shape every template has, JSON
//!   and YAML.
//! - [`tree`]: `tree.json`, written as a source walks its construct tree.
//! - [`sink`]: where synthesis writes: a directory ([`DirSink`], put in place only
//!   when complete) or memory ([`MemorySink`]).
//! - [`read`]: a directory read back into its stacks in deployment order
//!   ([`read::Assembly`]); [`paths`]: the check every path an assembly names passes
//!   (it stays inside the assembly), and what a previous assembly in a directory holds
//!   (what a directory sink may replace).
//!
//! This crate knows nothing of constructs, resources' types or synthesis: it is the
//! format, below them.
//!
//! ```
//! use berth_assembly::{MemorySink, Sink};
//! use berth_assembly::manifest::{Artifact, Manifest, MANIFEST_VERSION, TREE_ARTIFACT};
//! use berth_assembly::json::write::to_vec_pretty;
//!
//! let manifest = Manifest {
//!     version: MANIFEST_VERSION.into(),
//!     artifacts: [("Tree".to_string(), Artifact::file(TREE_ARTIFACT, "tree.json"))].into(),
//! };
//! let sink = MemorySink::new();
//! sink.write_bytes("manifest.json", &to_vec_pretty(&manifest).unwrap()).unwrap();
//! let files = sink.into_files();
//! let back: Manifest = serde_json::from_slice(&files["manifest.json"]).unwrap();
//! assert_eq!(back, manifest);
//! ```
#![warn(missing_docs)]

pub mod json;
pub mod manifest;
pub mod paths;
pub mod read;
pub mod sink;
pub mod template;
pub mod tree;

pub use sink::{DirSink, MemorySink, Sink, SinkError};
pub use template::TemplateFormat;
