//! `manifest.json` (AWS CDK's cloud-assembly schema) and `<Stack>.assets.json` (its
//! asset-manifest schema): the types synth writes and the CLI reads.
//!
//! Every field that berth leaves out when it has nothing to say is skipped when
//! serialized, so the derived `Serialize` writes what CDK writes; the derived
//! `Deserialize` reads what CDK writes too (unknown fields are ignored, unknown
//! artifact properties kept as JSON).

use crate::json::write::{self, Section};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io;

/// The cloud-assembly schema version berth writes (what aws-cdk-lib 2.276, with
/// `@aws-cdk/cloud-assembly-schema` 55, writes).
pub const MANIFEST_VERSION: &str = "55.0.0";

/// The manifest's file name.
pub const MANIFEST_FILE: &str = "manifest.json";

/// `cdk.out`: the assembly's schema version, as CDK writes it.
pub const CDK_OUT_FILE: &str = "cdk.out";

/// The bytes of [`CDK_OUT_FILE`].
pub const CDK_OUT: &[u8] = b"{\"version\":\"55.0.0\"}\n";

/// The artifact type of a CloudFormation stack.
pub const STACK_ARTIFACT: &str = "aws:cloudformation:stack";

/// The artifact type of an asset manifest.
pub const ASSET_MANIFEST_ARTIFACT: &str = "cdk:asset-manifest";

/// The artifact type of the construct tree (`tree.json`).
pub const TREE_ARTIFACT: &str = "cdk:tree";

/// The id of the tree artifact.
pub const TREE_ARTIFACT_ID: &str = "Tree";

/// The metadata type that records a construct's logical ID.
pub const LOGICAL_ID_METADATA: &str = "aws:cdk:logicalId";

/// The artifact id of a stack's asset manifest (`<Stack>.assets`), as CDK names it.
pub fn asset_manifest_artifact_id(stack: &str) -> String {
    format!("{stack}.assets")
}

/// The file name of a stack's asset manifest (`<Stack>.assets.json`).
pub fn asset_manifest_file_name(stack: &str) -> String {
    format!("{stack}.assets.json")
}

/// The directory of the assembly an asset's build context is copied to
/// (`asset.<fingerprint>`).
pub fn asset_directory_name(hash: &str) -> String {
    format!("asset.{hash}")
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest<'a> {
    /// The schema version, e.g. `55.0.0`.
    pub version: String,
    /// Artifacts by id, in order.
    #[serde(default)]
    pub artifacts: IndexMap<String, Artifact<'a>>,
}

/// One artifact of the manifest. `'a` is what its [`Metadata`] borrows when it is
/// written (read, it borrows nothing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Artifact<'a> {
    /// `aws:cloudformation:stack`, `cdk:tree`, `cdk:asset-manifest`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// `aws://account/region` (stacks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// Type-specific properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<ArtifactProperties>,
    /// Ids of artifacts this one depends on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    /// Metadata entries by construct path (`/Stack/Path`); berth writes each
    /// element's logical ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata<'a>>,
    /// A name for humans (berth: the stack's construct path).
    #[serde(
        default,
        rename = "displayName",
        skip_serializing_if = "Option::is_none"
    )]
    pub display_name: Option<String>,
}

impl Artifact<'_> {
    /// An artifact naming one file of the assembly (`cdk:tree`,
    /// `cdk:asset-manifest`).
    pub fn file(kind: &str, file: impl Into<String>) -> Self {
        Artifact {
            kind: kind.to_owned(),
            environment: None,
            properties: Some(ArtifactProperties::File(FileProperties {
                file: file.into(),
            })),
            dependencies: Vec::new(),
            metadata: None,
            display_name: None,
        }
    }

    /// The properties of a stack artifact.
    pub fn stack_properties(&self) -> Option<&StackProperties> {
        match &self.properties {
            Some(ArtifactProperties::Stack(p)) => Some(p),
            _ => None,
        }
    }

    /// The `file` property of a tree or asset-manifest artifact.
    pub fn file_property(&self) -> Option<&str> {
        match &self.properties {
            Some(ArtifactProperties::File(p)) => Some(&p.file),
            _ => None,
        }
    }
}

/// The properties of an artifact, by what they hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ArtifactProperties {
    /// A stack's.
    Stack(StackProperties),
    /// A tree's or an asset manifest's: the file.
    File(FileProperties),
    /// Any other artifact's, as written.
    Other(serde_json::Value),
}

/// The properties of an `aws:cloudformation:stack` artifact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StackProperties {
    /// The template file, relative to the assembly directory.
    pub template_file: String,
    /// The CloudFormation stack name (defaults to the artifact id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_name: Option<String>,
    /// Stack tags.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub tags: IndexMap<String, String>,
    /// Stack description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Parameter values given by the app.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub parameters: IndexMap<String, String>,
    /// Whether termination protection is on (berth writes it only when it is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_protection: Option<bool>,
}

/// The properties of a `cdk:tree` or `cdk:asset-manifest` artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileProperties {
    /// The file, relative to the assembly directory.
    pub file: String,
}

/// The metadata of an artifact: entries by construct path (`/Stack/Path`).
#[derive(Debug, Clone)]
pub enum Metadata<'a> {
    /// Any entries (what a manifest read holds).
    Entries(IndexMap<String, Vec<MetadataEntry>>),
    /// Construct path (without the leading `/`) → logical ID: what berth writes for a
    /// stack, one `aws:cdk:logicalId` entry per element, serialized without building
    /// the entries (a large app has tens of thousands).
    LogicalIds(&'a [(String, String)]),
}

impl Metadata<'_> {
    /// The entries.
    pub fn entries(&self) -> IndexMap<String, Vec<MetadataEntry>> {
        match self {
            Metadata::Entries(e) => e.clone(),
            Metadata::LogicalIds(ids) => ids
                .iter()
                .map(|(path, lid)| {
                    (
                        format!("/{path}"),
                        vec![MetadataEntry::logical_id(lid.clone())],
                    )
                })
                .collect(),
        }
    }
}

impl PartialEq for Metadata<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.entries() == other.entries()
    }
}

impl Serialize for Metadata<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let ids = match self {
            Metadata::Entries(e) => return e.serialize(s),
            Metadata::LogicalIds(ids) => ids,
        };
        /// `[{"type": "aws:cdk:logicalId", "data": id}]`.
        struct Entries<'a>(&'a str);
        impl Serialize for Entries<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeSeq;
                #[derive(Serialize)]
                struct Entry<'a> {
                    #[serde(rename = "type")]
                    kind: &'static str,
                    data: &'a str,
                }
                let mut seq = s.serialize_seq(Some(1))?;
                seq.serialize_element(&Entry {
                    kind: LOGICAL_ID_METADATA,
                    data: self.0,
                })?;
                seq.end()
            }
        }
        let mut m = s.serialize_map(Some(ids.len()))?;
        let mut key = String::new();
        for (path, lid) in *ids {
            key.clear();
            key.push('/');
            key.push_str(path);
            m.serialize_entry(&key, &Entries(lid))?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for Metadata<'_> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        IndexMap::deserialize(d).map(Metadata::Entries)
    }
}

/// One metadata entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetadataEntry {
    /// e.g. `aws:cdk:logicalId`.
    #[serde(rename = "type")]
    pub kind: Cow<'static, str>,
    /// The entry's data.
    #[serde(default)]
    pub data: serde_json::Value,
}

impl MetadataEntry {
    /// `{"type": "aws:cdk:logicalId", "data": logical_id}`.
    pub fn logical_id(logical_id: String) -> MetadataEntry {
        MetadataEntry {
            kind: Cow::Borrowed(LOGICAL_ID_METADATA),
            data: serde_json::Value::String(logical_id),
        }
    }
}

/// Writes a manifest to `w` artifact by artifact, the bytes [`crate::json::write::to_vec_pretty`]
/// gives for the whole [`Manifest`], so that the artifacts of a large app (their
/// logical-ID metadata is most of the manifest) can be serialized in parts and never
/// held all at once. [`ManifestWriter::artifacts`] per part, then
/// [`ManifestWriter::finish`].
pub struct ManifestWriter<W: io::Write> {
    w: W,
    first: bool,
}

impl<W: io::Write> ManifestWriter<W> {
    /// Starts the manifest of `version`.
    pub fn new(mut w: W, version: &str) -> io::Result<Self> {
        let mut head = b"{\n  \"version\": ".to_vec();
        write::write_str(&mut head, version);
        head.extend_from_slice(b",\n  \"artifacts\": {");
        w.write_all(&head)?;
        Ok(ManifestWriter { w, first: true })
    }

    /// Writes the artifacts of `part` ([`artifacts_part`]).
    pub fn artifacts(&mut self, part: &Section) -> io::Result<()> {
        if part.is_empty() {
            return Ok(());
        }
        part.write_entries(&mut self.w, self.first)?;
        self.first = false;
        Ok(())
    }

    /// Closes the manifest (with a final newline) and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.w
            .write_all(if self.first { b"}\n}\n" } else { b"\n  }\n}\n" })?;
        Ok(self.w)
    }
}

/// Serializes artifacts into a part of a manifest, for [`ManifestWriter::artifacts`].
pub fn artifacts_part<'a, 'm: 'a>(
    artifacts: impl IntoIterator<Item = (&'a str, &'a Artifact<'m>)>,
) -> Result<Section, write::Error> {
    let mut part = Section::default();
    for (id, artifact) in artifacts {
        part.entry_value(id, artifact)?;
    }
    Ok(part)
}

/// `<Stack>.assets.json` (the Docker image assets; berth writes no file assets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetManifest {
    /// The schema version.
    pub version: String,
    /// Docker images by asset id (their fingerprint).
    #[serde(default)]
    pub docker_images: IndexMap<String, DockerImage>,
}

/// A Docker image to build and push before the stack deploys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DockerImage {
    /// A name for humans (berth: the construct path of the image).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// How to build it.
    pub source: DockerImageSource,
    /// Where to push it, by destination id.
    pub destinations: IndexMap<String, DockerImageDestination>,
}

/// How an image is built.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DockerImageSource {
    /// The build context, relative to the assembly directory.
    pub directory: String,
    /// The Dockerfile, relative to the build context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker_file: Option<String>,
    /// `--build-arg` values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub docker_build_args: BTreeMap<String, String>,
    /// `--target` stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker_build_target: Option<String>,
    /// `--platform`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
}

/// Where an image is pushed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DockerImageDestination {
    /// The ECR repository (may hold `${AWS::AccountId}` and `${AWS::Region}`).
    pub repository_name: String,
    /// The tag.
    pub image_tag: String,
}

/// The destination id berth writes: the stack's own account and region.
pub const CURRENT_ACCOUNT_REGION: &str = "current_account-current_region";

#[cfg(test)]
mod tests;
