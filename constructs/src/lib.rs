//! The construct tree of berth, and the typed constructs for containers on AWS.
//!
//! An [`App`] owns every construct of a program in one arena. Constructs are small
//! `Copy` handles into it ([`Stack`], `ResourceRef<P>` for L1 resources, the L2
//! handles); methods that change the tree take `&mut App`. Each construct sits at a
//! path (`Web/Service/TaskDef`) under a scope with an id; its logical ID is derived
//! from that path with CDK's rule, so the same program gives the same IDs everywhere.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use berth_constructs::{App, Output, OutputProps, Stack, StackProps};
//! use berth_synth::resource::RawProperties;
//! use berth_synth::Value;
//!
//! let mut app = App::new();
//! let network = Stack::new(&mut app, "Network", StackProps::default())?;
//! let web = Stack::new(&mut app, "Web", StackProps::default())?;
//! let vpc = app
//!     .add_resource(network, "Vpc", RawProperties::new("AWS::EC2::VPC",
//!         Value::map([("CidrBlock", Value::from("10.0.0.0/16"))])))?;
//! // A reference from Web to Network becomes an export and an Fn::ImportValue.
//! Output::new(&mut app, web, "VpcId", OutputProps::new(vpc.ref_()))?;
//! let out = app.synth()?;
//! assert_eq!(out.stack("Web").ok_or("no stack Web")?.dependencies, vec!["Network".to_string()]);
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

// First, so that `props!` is in scope in every module below.
#[macro_use]
pub mod props;

mod app;
pub mod appscaling;
pub mod certificatemanager;
pub mod cloudwatch;
pub mod ec2;
pub mod ecr;
pub mod ecs;
pub mod efs;
pub mod elbv2;
pub mod error;
pub mod iam;
pub mod kms;
pub mod logs;
pub mod patterns;
pub mod route53;
pub mod servicediscovery;
pub mod sns;
pub mod sqs;

pub use app::{
    App, Condition, Construct, Group, Mapping, NodeId, Output, OutputProps, Parameter,
    ParameterProps, Scope, Stack, StackProps, TagProps, Tags, ROOT,
};
pub use berth_synth::model::{Environment, RemovalPolicy};
pub use error::{ConstructError, ErrorKind};
