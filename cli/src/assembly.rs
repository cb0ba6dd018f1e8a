//! A typed reader for the cloud assembly (`manifest.json`, one template per stack, the
//! asset manifests), in the AWS CDK cloud-assembly format: [`berth_assembly::read`].

pub use berth_assembly::manifest::{ASSET_MANIFEST_ARTIFACT, STACK_ARTIFACT};
pub use berth_assembly::read::{glob_match, Assembly, AssemblyError, ImageAsset, StackArtifact};
