//! Reading a cloud assembly directory (`manifest.json`, one template per stack, the
//! asset manifests) into its stacks in deployment order: what the CLI deploys. Every
//! path the manifest or an asset manifest names must stay inside the assembly
//! ([`crate::paths`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::manifest::{
    Artifact, ArtifactProperties, AssetManifest, Manifest, StackProperties,
    ASSET_MANIFEST_ARTIFACT, MANIFEST_FILE, STACK_ARTIFACT,
};
use crate::paths::{resolve_inside, Entry, PathProblem};
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
    /// A path named by the manifest or an asset manifest does not stay inside the
    /// assembly directory, or is not what it must be.
    #[error(transparent)]
    UnsafePath(Box<UnsafePath>),
    /// An asset manifest entry berth will not hand to docker.
    #[error("{file}: image asset `{id}` is refused: {reason}")]
    BadAsset {
        /// The asset manifest file.
        file: String,
        /// The asset id as written.
        id: String,
        /// What is wrong.
        reason: String,
    },
    /// Two artifacts deploy to the same CloudFormation stack.
    #[error("artifacts {first} and {second} both deploy the stack named {name}: stack names must be unique in an assembly")]
    DuplicateStackName {
        /// The stack name.
        name: String,
        /// The first artifact.
        first: String,
        /// The second artifact.
        second: String,
    },
    /// Several stacks and no selection.
    #[error("the app has {} stacks ({}): name the stacks to use, or pass --all", .0.len(), .0.join(", "))]
    Ambiguous(Vec<String>),
}

/// A path named by the manifest or an asset manifest that does not stay inside the
/// assembly directory, or is not what it must be.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {what} `{path}` of {artifact} is refused: {problem} (every path an assembly names must be a {kind} inside {})", .dir.display())]
pub struct UnsafePath {
    /// The file that names the path (`manifest.json`, `Web.assets.json`).
    pub file: String,
    /// The artifact (or asset) that names it.
    pub artifact: String,
    /// Which field: `templateFile`, `file`, `source.directory`, `source.dockerFile`.
    pub what: &'static str,
    /// The path as written.
    pub path: String,
    /// Why it is refused.
    pub problem: PathProblem,
    /// `regular file` or `directory`.
    pub kind: &'static str,
    /// The assembly directory.
    pub dir: PathBuf,
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
    /// The stack's construct path (the manifest's `displayName`: its construct id for
    /// a stack at the top of the app), by which it can be selected too.
    pub display_name: Option<String>,
    /// Termination protection as the app sets it (`None`: the app does not say).
    pub termination_protection: Option<bool>,
}

impl StackArtifact {
    /// The stack name, with its construct path when that differs (`prod-web (Web)`).
    pub fn label(&self) -> String {
        match self.display_name.as_deref() {
            Some(d) if d != self.stack_name => format!("{} ({d})", self.stack_name),
            _ => self.stack_name.clone(),
        }
    }
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
        match self.id.char_indices().nth(12) {
            Some((end, _)) => &self.id[..end],
            None => &self.id,
        }
    }
}

/// Whether `id` is an asset id as berth and CDK write them: 64 lowercase hex digits
/// (a SHA-256).
fn is_asset_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether `tag` is a Docker image tag (`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`).
fn is_image_tag(tag: &str) -> bool {
    let mut bytes = tag.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphanumeric() || b == b'_')
        && tag.len() <= 128
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// Whether `name` is an ECR repository name once CDK's `${AWS::AccountId}` and
/// `${AWS::Region}` placeholders are filled in (`[a-z0-9]+([._-][a-z0-9]+)*` parts
/// joined by `/`).
fn is_repository_name(name: &str) -> bool {
    let name = name
        .replace("${AWS::AccountId}", "123456789012")
        .replace("${AWS::Region}", "us-east-1");
    !name.is_empty()
        && name.len() <= 256
        && name.split('/').all(|part| {
            !part.is_empty()
                && part.split(['.', '_', '-']).all(|w| {
                    !w.is_empty()
                        && w.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                })
        })
}

fn read_text(path: &Path) -> Result<String, AssemblyError> {
    std::fs::read_to_string(path).map_err(|source| AssemblyError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads a JSON file of the assembly into `T` (`what` it is, for the error).
fn read_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &'static str,
) -> Result<T, AssemblyError> {
    serde_json::from_str(&read_text(path)?).map_err(|source| AssemblyError::Parse {
        path: path.to_path_buf(),
        what,
        source,
    })
}

/// Checks that `path`, named by `file` for `artifact`, stays inside `dir` and is an
/// `entry` (see [`resolve_inside`]); returns it joined to `dir`.
fn inside(
    dir: &Path,
    file: &str,
    artifact: &str,
    what: &'static str,
    path: &str,
    entry: Entry,
) -> Result<PathBuf, AssemblyError> {
    match resolve_inside(dir, path, entry) {
        Ok(_) => Ok(dir.join(path)),
        Err(PathProblem::Missing(source)) => Err(AssemblyError::Read {
            path: dir.join(path),
            source,
        }),
        Err(problem) => Err(AssemblyError::UnsafePath(Box::new(UnsafePath {
            file: file.to_owned(),
            artifact: artifact.to_owned(),
            what,
            path: path.to_owned(),
            problem,
            kind: match entry {
                Entry::File => "regular file",
                Entry::Directory => "directory",
            },
            dir: dir.to_path_buf(),
        }))),
    }
}

/// Reads the image assets of one asset manifest artifact (`id`). Every path it names
/// must stay inside the assembly, and the Dockerfile inside its build context.
fn read_asset_manifest(
    dir: &Path,
    id: &str,
    artifact: &Artifact<'_>,
) -> Result<Vec<ImageAsset>, AssemblyError> {
    let file = artifact.file_property().unwrap_or_default();
    let path = inside(
        dir,
        MANIFEST_FILE,
        &format!("artifact {id}"),
        "file",
        file,
        Entry::File,
    )?;
    let parsed: AssetManifest = read_json(&path, "asset manifest")?;
    let bad = |asset: &str, reason: String| AssemblyError::BadAsset {
        file: file.to_owned(),
        id: asset.to_owned(),
        reason,
    };
    let mut out = Vec::new();
    for (asset, entry) in parsed.docker_images {
        if !is_asset_id(&asset) {
            return Err(bad(
                &asset,
                "an asset id must be 64 lowercase hexadecimal digits (its SHA-256 fingerprint)"
                    .into(),
            ));
        }
        let label = format!("image asset {asset}");
        let context = inside(
            dir,
            file,
            &label,
            "source.directory",
            &entry.source.directory,
            Entry::Directory,
        )?;
        let dockerfile = entry
            .source
            .docker_file
            .clone()
            .unwrap_or_else(|| "Dockerfile".into());
        inside(
            &context,
            file,
            &label,
            "source.dockerFile",
            &dockerfile,
            Entry::File,
        )?;
        for destination in entry.destinations.values() {
            if !is_image_tag(&destination.image_tag) {
                return Err(bad(
                    &asset,
                    format!(
                        "imageTag {:?} is not a Docker tag (letters, digits, `_`, `.` and `-`, not starting with `.` or `-`, at most 128)",
                        destination.image_tag
                    ),
                ));
            }
            if !is_repository_name(&destination.repository_name) {
                return Err(bad(
                    &asset,
                    format!(
                        "repositoryName {:?} is not an ECR repository name",
                        destination.repository_name
                    ),
                ));
            }
            out.push(ImageAsset {
                id: asset.clone(),
                display_name: entry.display_name.clone().unwrap_or_else(|| asset.clone()),
                directory: context.clone(),
                dockerfile: dockerfile.clone(),
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

impl Assembly {
    /// Reads `dir/manifest.json` and the templates of its stacks.
    pub fn read(dir: &Path) -> Result<Assembly, AssemblyError> {
        let manifest_path = inside(
            dir,
            MANIFEST_FILE,
            "the assembly",
            "manifest",
            MANIFEST_FILE,
            Entry::File,
        )?;
        let manifest: Manifest = read_json(&manifest_path, "cloud assembly manifest")?;
        let mut stacks = Vec::new();
        for (id, artifact) in &manifest.artifacts {
            if artifact.kind != STACK_ARTIFACT {
                continue;
            }
            let props: StackProperties = match &artifact.properties {
                Some(ArtifactProperties::Stack(p)) => p.clone(),
                // Not a stack's properties: say why, as the stack's.
                Some(other) => {
                    let json = serde_json::to_value(other).unwrap_or_default();
                    serde_json::from_value(json).map_err(|source| AssemblyError::Parse {
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
            let template_file = inside(
                dir,
                MANIFEST_FILE,
                &format!("artifact {id}"),
                "templateFile",
                &props.template_file,
                Entry::File,
            )?;
            let body = read_text(&template_file)?;
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
                tags: props.tags.into_iter().collect(),
                parameters: props.parameters.into_iter().collect(),
                assets: Vec::new(),
                display_name: artifact.display_name.clone(),
                termination_protection: props.termination_protection,
            });
        }
        for (i, a) in stacks.iter().enumerate() {
            if let Some(b) = stacks[..i].iter().find(|b| b.stack_name == a.stack_name) {
                return Err(AssemblyError::DuplicateStackName {
                    name: a.stack_name.clone(),
                    first: b.id.clone(),
                    second: a.id.clone(),
                });
            }
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
                        .extend(read_asset_manifest(dir, dep, artifact)?);
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

    /// The stack with this artifact id, stack name or construct path.
    pub fn stack(&self, name: &str) -> Option<&StackArtifact> {
        self.stacks
            .iter()
            .find(|s| s.id == name || s.stack_name == name)
            .or_else(|| {
                self.stacks
                    .iter()
                    .find(|s| s.display_name.as_deref() == Some(name))
            })
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
                if glob_match(pattern, &s.id)
                    || glob_match(pattern, &s.stack_name)
                    || s.display_name
                        .as_deref()
                        .is_some_and(|d| glob_match(pattern, d))
                {
                    chosen[i] = true;
                    any = true;
                }
            }
            if !any {
                return Err(AssemblyError::NoSuchStack {
                    pattern: pattern.clone(),
                    available: self.stacks.iter().map(StackArtifact::label).collect(),
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
    use super::{glob_match, is_asset_id, is_image_tag, is_repository_name, ImageAsset};

    fn asset(id: &str) -> ImageAsset {
        ImageAsset {
            id: id.into(),
            display_name: String::new(),
            directory: Default::default(),
            dockerfile: "Dockerfile".into(),
            build_args: Default::default(),
            target: None,
            platform: None,
            repository_name: String::new(),
            image_tag: String::new(),
        }
    }

    #[test]
    fn short_ids_cut_at_characters_not_bytes() {
        assert_eq!(asset("aéééééééééééééé").short_id(), "aééééééééééé");
        assert_eq!(asset("aéé").short_id(), "aéé");
        assert_eq!(asset(&"f".repeat(64)).short_id(), "ffffffffffff");
    }

    #[test]
    fn asset_ids_tags_and_repository_names() {
        assert!(is_asset_id(&"0a".repeat(32)));
        assert!(!is_asset_id(&"0A".repeat(32)));
        assert!(!is_asset_id("abc"));
        assert!(
            is_image_tag("latest") && is_image_tag("v1.2-rc_3") && is_image_tag(&"a".repeat(128))
        );
        assert!(
            !is_image_tag("-x") && !is_image_tag(".x") && !is_image_tag("a b") && !is_image_tag("")
        );
        assert!(!is_image_tag(&"a".repeat(129)));
        assert!(is_repository_name("berth-assets-berthtoolkit"));
        assert!(is_repository_name("team/web.app_1"));
        assert!(is_repository_name(
            "cdk-hnb659fds-container-assets-${AWS::AccountId}-${AWS::Region}"
        ));
        assert!(
            !is_repository_name("Team/web")
                && !is_repository_name("a//b")
                && !is_repository_name("a/../b")
        );
        assert!(!is_repository_name("-a") && !is_repository_name(""));
    }

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
