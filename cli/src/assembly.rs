//! A typed reader for the cloud assembly (`manifest.json` plus one template per stack),
//! in the AWS CDK cloud-assembly format.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

use crate::template::Template;

/// An error reading a cloud assembly.
#[derive(Debug, thiserror::Error)]
pub enum AssemblyError {
    /// The manifest or a template could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The manifest or a template is not valid JSON of the expected shape.
    #[error("{path} is not a valid {what}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// `cloud assembly manifest` or `template`.
        what: &'static str,
        /// The parse error.
        source: serde_json::Error,
    },
    /// A stack depends on an artifact that is not in the assembly.
    #[error("stack {stack} depends on {dependency}, which is not in the assembly")]
    UnknownDependency {
        /// The stack.
        stack: String,
        /// The missing dependency.
        dependency: String,
    },
    /// The stacks depend on each other in a cycle.
    #[error("stacks depend on each other in a cycle: {}", .0.join(" -> "))]
    Cycle(Vec<String>),
    /// A requested stack does not exist.
    #[error("no stack matches {pattern:?}; the assembly has: {}", .available.join(", "))]
    NoSuchStack {
        /// What the user asked for.
        pattern: String,
        /// The stacks that exist.
        available: Vec<String>,
    },
    /// Several stacks and no selection.
    #[error("the app has {} stacks ({}): name the stacks to use, or pass --all", .0.len(), .0.join(", "))]
    Ambiguous(Vec<String>),
}

/// `manifest.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    /// The schema version, e.g. `55.0.0`.
    pub version: String,
    /// Artifacts by id.
    #[serde(default)]
    pub artifacts: IndexMap<String, Artifact>,
}

/// One artifact of the manifest.
#[derive(Debug, Clone, Deserialize)]
pub struct Artifact {
    /// `aws:cloudformation:stack`, `cdk:tree`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// `aws://account/region`.
    #[serde(default)]
    pub environment: Option<String>,
    /// Type-specific properties.
    #[serde(default)]
    pub properties: Option<Value>,
    /// Ids of artifacts this one depends on.
    #[serde(default)]
    pub dependencies: Vec<String>,
    /// A display name.
    #[serde(default, rename = "displayName")]
    pub display_name: Option<String>,
    /// Metadata entries by construct path.
    #[serde(default)]
    pub metadata: IndexMap<String, Vec<MetadataEntry>>,
}

/// One metadata entry.
#[derive(Debug, Clone, Deserialize)]
pub struct MetadataEntry {
    /// e.g. `aws:cdk:logicalId`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The entry's data.
    #[serde(default)]
    pub data: Value,
}

/// The properties of an `aws:cloudformation:stack` artifact.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StackProperties {
    /// The template file, relative to the assembly directory.
    pub template_file: String,
    /// The CloudFormation stack name (defaults to the artifact id).
    #[serde(default)]
    pub stack_name: Option<String>,
    /// Stack tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Stack description.
    #[serde(default)]
    pub description: Option<String>,
    /// Parameter values given by the app.
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
    /// Whether termination protection is on.
    #[serde(default)]
    pub termination_protection: Option<bool>,
}

/// A stack of the assembly, with its template loaded.
#[derive(Debug, Clone)]
pub struct StackArtifact {
    /// The artifact id.
    pub id: String,
    /// The CloudFormation stack name.
    pub stack_name: String,
    /// `aws://account/region`.
    pub environment: String,
    /// Ids of the stacks it depends on.
    pub dependencies: Vec<String>,
    /// The template file.
    pub template_file: PathBuf,
    /// The template.
    pub template: Template,
    /// The template text as written by the app.
    pub template_body: String,
    /// Stack tags.
    pub tags: BTreeMap<String, String>,
    /// Parameter values given by the app.
    pub parameters: BTreeMap<String, String>,
    /// The container images the stack's templates refer to, from the asset manifests it
    /// depends on (`<Stack>.assets.json`).
    pub assets: Vec<ImageAsset>,
}

/// A container image built from a directory, as an asset manifest describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageAsset {
    /// The asset id (the fingerprint of the build inputs).
    pub id: String,
    /// A readable name: the construct path of the image.
    pub display_name: String,
    /// The build context, inside the assembly.
    pub directory: PathBuf,
    /// The Dockerfile, relative to the build context.
    pub dockerfile: String,
    /// `--build-arg` values.
    pub build_args: BTreeMap<String, String>,
    /// `--target` stage.
    pub target: Option<String>,
    /// `--platform`.
    pub platform: Option<String>,
    /// Where it is pushed: the ECR repository (may hold `${AWS::AccountId}` and
    /// `${AWS::Region}` placeholders)...
    pub repository_name: String,
    /// ... and the tag.
    pub image_tag: String,
}

impl ImageAsset {
    /// The first 12 characters of the asset id, for messages.
    pub fn short_id(&self) -> &str {
        &self.id[..self.id.len().min(12)]
    }
}

/// The artifact type of an asset manifest.
pub const ASSET_MANIFEST_ARTIFACT: &str = "cdk:asset-manifest";

/// `<Stack>.assets.json` (the parts berth reads).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AssetManifest {
    #[serde(default)]
    docker_images: IndexMap<String, DockerImageEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DockerImageEntry {
    #[serde(default)]
    display_name: Option<String>,
    source: DockerImageSource,
    destinations: IndexMap<String, DockerImageDestination>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DockerImageSource {
    directory: String,
    #[serde(default)]
    docker_file: Option<String>,
    #[serde(default)]
    docker_build_args: BTreeMap<String, String>,
    #[serde(default)]
    docker_build_target: Option<String>,
    #[serde(default)]
    platform: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DockerImageDestination {
    repository_name: String,
    image_tag: String,
}

/// Reads the image assets of one asset manifest artifact.
fn read_asset_manifest(
    dir: &Path,
    manifest_path: &Path,
    artifact: &Artifact,
) -> Result<Vec<ImageAsset>, AssemblyError> {
    let file = artifact
        .properties
        .as_ref()
        .and_then(|p| p.get("file"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let path = dir.join(file);
    if file.is_empty() {
        return Err(AssemblyError::Read {
            path: manifest_path.to_path_buf(),
            source: std::io::Error::other("an asset manifest artifact has no `file` property"),
        });
    }
    let text = std::fs::read_to_string(&path).map_err(|source| AssemblyError::Read {
        path: path.clone(),
        source,
    })?;
    let parsed: AssetManifest =
        serde_json::from_str(&text).map_err(|source| AssemblyError::Parse {
            path: path.clone(),
            what: "asset manifest",
            source,
        })?;
    let mut out = Vec::new();
    for (id, entry) in parsed.docker_images {
        for destination in entry.destinations.values() {
            out.push(ImageAsset {
                id: id.clone(),
                display_name: entry.display_name.clone().unwrap_or_else(|| id.clone()),
                directory: dir.join(&entry.source.directory),
                dockerfile: entry
                    .source
                    .docker_file
                    .clone()
                    .unwrap_or_else(|| "Dockerfile".into()),
                build_args: entry.source.docker_build_args.clone(),
                target: entry.source.docker_build_target.clone(),
                platform: entry.source.platform.clone(),
                repository_name: destination.repository_name.clone(),
                image_tag: destination.image_tag.clone(),
            });
        }
    }
    Ok(out)
}

/// A cloud assembly: its stacks in deployment order.
#[derive(Debug, Clone)]
pub struct Assembly {
    /// The directory.
    pub dir: PathBuf,
    /// The manifest's version.
    pub version: String,
    /// The stacks, dependencies first (ties keep manifest order).
    pub stacks: Vec<StackArtifact>,
}

/// The artifact type of a CloudFormation stack.
pub const STACK_ARTIFACT: &str = "aws:cloudformation:stack";

impl Assembly {
    /// Reads `dir/manifest.json` and the templates of its stacks.
    pub fn read(dir: &Path) -> Result<Assembly, AssemblyError> {
        let manifest_path = dir.join("manifest.json");
        let text =
            std::fs::read_to_string(&manifest_path).map_err(|source| AssemblyError::Read {
                path: manifest_path.clone(),
                source,
            })?;
        let manifest: Manifest =
            serde_json::from_str(&text).map_err(|source| AssemblyError::Parse {
                path: manifest_path.clone(),
                what: "cloud assembly manifest",
                source,
            })?;
        let mut stacks = Vec::new();
        for (id, artifact) in &manifest.artifacts {
            if artifact.kind != STACK_ARTIFACT {
                continue;
            }
            let props: StackProperties = match &artifact.properties {
                Some(p) => {
                    serde_json::from_value(p.clone()).map_err(|source| AssemblyError::Parse {
                        path: manifest_path.clone(),
                        what: "cloud assembly manifest",
                        source,
                    })?
                }
                None => StackProperties {
                    template_file: format!("{id}.template.json"),
                    ..Default::default()
                },
            };
            let template_file = dir.join(&props.template_file);
            let body =
                std::fs::read_to_string(&template_file).map_err(|source| AssemblyError::Read {
                    path: template_file.clone(),
                    source,
                })?;
            let template = Template::parse_json(&body).map_err(|source| AssemblyError::Parse {
                path: template_file.clone(),
                what: "template",
                source,
            })?;
            stacks.push(StackArtifact {
                id: id.clone(),
                stack_name: props.stack_name.clone().unwrap_or_else(|| id.clone()),
                environment: artifact
                    .environment
                    .clone()
                    .unwrap_or_else(|| "aws://unknown-account/unknown-region".into()),
                dependencies: artifact.dependencies.clone(),
                template_file,
                template,
                template_body: body,
                tags: props.tags,
                parameters: props.parameters,
                assets: Vec::new(),
            });
        }
        // Dependencies on non-stack artifacts (assets, trees) do not order stacks.
        let stack_ids: Vec<String> = stacks.iter().map(|s| s.id.clone()).collect();
        for stack in &mut stacks {
            let mut deps = Vec::new();
            for dep in &stack.dependencies {
                if stack_ids.contains(dep) {
                    deps.push(dep.clone());
                } else if let Some(artifact) = manifest
                    .artifacts
                    .get(dep)
                    .filter(|a| a.kind == ASSET_MANIFEST_ARTIFACT)
                {
                    stack
                        .assets
                        .extend(read_asset_manifest(dir, &manifest_path, artifact)?);
                } else if !manifest.artifacts.contains_key(dep) {
                    return Err(AssemblyError::UnknownDependency {
                        stack: stack.id.clone(),
                        dependency: dep.clone(),
                    });
                }
            }
            stack.dependencies = deps;
        }
        let stacks = topo_sort(stacks)?;
        Ok(Assembly {
            dir: dir.to_path_buf(),
            version: manifest.version,
            stacks,
        })
    }

    /// The stack with this artifact id or stack name.
    pub fn stack(&self, name: &str) -> Option<&StackArtifact> {
        self.stacks
            .iter()
            .find(|s| s.id == name || s.stack_name == name)
    }

    /// Selects stacks by name patterns (`*` matches any run of characters), in deploy order.
    ///
    /// With no patterns: all stacks when `all` is set or there is just one, otherwise an
    /// error. With `with_dependencies`, the stacks the selected ones depend on are added.
    pub fn select(
        &self,
        patterns: &[String],
        all: bool,
        with_dependencies: bool,
    ) -> Result<Vec<&StackArtifact>, AssemblyError> {
        let mut chosen: Vec<bool> = vec![false; self.stacks.len()];
        if patterns.is_empty() {
            if all || self.stacks.len() <= 1 {
                return Ok(self.stacks.iter().collect());
            }
            return Err(AssemblyError::Ambiguous(
                self.stacks.iter().map(|s| s.id.clone()).collect(),
            ));
        }
        for pattern in patterns {
            let mut any = false;
            for (i, s) in self.stacks.iter().enumerate() {
                if glob_match(pattern, &s.id) || glob_match(pattern, &s.stack_name) {
                    chosen[i] = true;
                    any = true;
                }
            }
            if !any {
                return Err(AssemblyError::NoSuchStack {
                    pattern: pattern.clone(),
                    available: self.stacks.iter().map(|s| s.id.clone()).collect(),
                });
            }
        }
        if with_dependencies {
            // Stacks are in dependency order, so one backwards sweep closes the set.
            for i in (0..self.stacks.len()).rev() {
                if chosen[i] {
                    for dep in &self.stacks[i].dependencies {
                        if let Some(j) = self.stacks.iter().position(|s| &s.id == dep) {
                            chosen[j] = true;
                        }
                    }
                }
            }
        }
        Ok(self
            .stacks
            .iter()
            .zip(chosen)
            .filter_map(|(s, c)| c.then_some(s))
            .collect())
    }
}

/// Orders stacks so that each comes after its dependencies; ties keep input order.
fn topo_sort(mut stacks: Vec<StackArtifact>) -> Result<Vec<StackArtifact>, AssemblyError> {
    let mut out: Vec<StackArtifact> = Vec::with_capacity(stacks.len());
    while !stacks.is_empty() {
        let ready = stacks.iter().position(|s| {
            s.dependencies
                .iter()
                .all(|d| out.iter().any(|done| &done.id == d))
        });
        match ready {
            Some(i) => out.push(stacks.remove(i)),
            None => {
                return Err(AssemblyError::Cycle(find_cycle(&stacks)));
            }
        }
    }
    Ok(out)
}

fn find_cycle(stacks: &[StackArtifact]) -> Vec<String> {
    // Every remaining stack has an unfinished dependency: walk until a repeat.
    let mut path: Vec<String> = vec![stacks[0].id.clone()];
    loop {
        let current = path.last().cloned().unwrap_or_default();
        let Some(stack) = stacks.iter().find(|s| s.id == current) else {
            return path;
        };
        let Some(next) = stack
            .dependencies
            .iter()
            .find(|d| stacks.iter().any(|s| &s.id == *d))
        else {
            return path;
        };
        if let Some(pos) = path.iter().position(|p| p == next) {
            let mut cycle = path[pos..].to_vec();
            cycle.push(next.clone());
            return cycle;
        }
        path.push(next.clone());
    }
}

/// `*` matches any run of characters; everything else is literal.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(pos) => rest = &rest[pos + part.len()..],
                None => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("Web", "Web"));
        assert!(!glob_match("Web", "Web2"));
        assert!(glob_match("W*", "Web"));
        assert!(glob_match("*b", "Web"));
        assert!(glob_match("*", "Network"));
        assert!(glob_match("N*k", "Network"));
        assert!(!glob_match("N*x", "Network"));
    }
}
