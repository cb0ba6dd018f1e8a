//! A CloudFormation template as the CLI needs it: resources with their construct
//! paths, outputs and parameters, read from JSON or YAML ([`berth_assembly::template`],
//! the reader `berth_assembly::read` and the assertions use too).

pub use berth_assembly::template::{minify, Capability, Resource, Template, PATH_METADATA};
