//! Writing the cloud assembly: `manifest.json` (AWS CDK cloud-assembly schema),
//! `tree.json`, one template per stack and, for a stack with Docker image assets, its
//! asset manifest `<Stack>.assets.json` (CDK's asset-manifest schema) and a copy of each
//! build context in `asset.<fingerprint>/`.
//!
//! With [`crate::asset`], this is the only module of the crate that does I/O. The
//! assembly is written to a temporary sibling directory first and renamed into place,
//! so a failed write never leaves a half-written assembly behind.

use crate::asset::{self, DEFAULT_ASSET_REPOSITORY};
use crate::error::{Result, SynthError};
use crate::model::{AppSpec, DockerImageAssetSpec, StackSpec, TreeNode};
use crate::par::par_map;
use crate::pretty::{self, Section};
use crate::synthesize::{
    synthesize_with, PropertySource, StackArtifact, SynthOptions, SynthOutput, TemplateHead,
    TemplateStart,
};
use serde_json::{json, Value as Json};
use std::fs;
use std::path::{Path, PathBuf};

pub mod paths;

/// The cloud-assembly schema version written to `manifest.json` (what aws-cdk-lib
/// 2.276, with `@aws-cdk/cloud-assembly-schema` 55, writes).
pub const MANIFEST_VERSION: &str = "55.0.0";

/// The format of the template files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TemplateFormat {
    /// `<Stack>.template.json`, pretty JSON with two spaces.
    #[default]
    Json,
    /// `<Stack>.template.yaml`.
    Yaml,
}

impl TemplateFormat {
    /// The template file name of a stack.
    pub fn file_name(self, stack: &str) -> String {
        match self {
            TemplateFormat::Json => format!("{stack}.template.json"),
            TemplateFormat::Yaml => format!("{stack}.template.yaml"),
        }
    }
}

/// The `manifest.json` of an assembly (AWS CDK cloud-assembly schema), as a
/// serializable view of the synthesized stacks.
pub fn manifest(output: &SynthOutput, format: TemplateFormat) -> impl serde::Serialize + '_ {
    ManifestView {
        version: MANIFEST_VERSION,
        artifacts: Artifacts(output, format),
    }
}

#[derive(serde::Serialize)]
struct ManifestView<'a> {
    version: &'static str,
    artifacts: Artifacts<'a>,
}

struct Artifacts<'a>(&'a SynthOutput, TemplateFormat);

/// The artifact id of a stack's asset manifest (`<Stack>.assets`), as CDK names it.
pub fn asset_manifest_artifact_id(stack: &str) -> String {
    format!("{stack}.assets")
}

/// Appends `s` as a JSON string to `out` (quoted, escaped as serde_json escapes it;
/// copied whole when nothing needs escaping). For writers of assembly files that
/// build JSON text themselves (`tree.json`).
///
/// ```
/// let mut out = Vec::new();
/// berth_synth::assembly::write_json_string(&mut out, "web");
/// berth_synth::assembly::write_json_string(&mut out, "a \"b\"\n");
/// assert_eq!(out, br#""web""a \"b\"\n""#);
/// ```
pub fn write_json_string(out: &mut Vec<u8>, s: &str) {
    pretty::write_str(out, s);
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

impl serde::Serialize for Artifacts<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let with_assets = self
            .0
            .stacks
            .iter()
            .filter(|st| !st.assets.is_empty())
            .count();
        let mut m = s.serialize_map(Some(self.0.stacks.len() + with_assets + 1))?;
        m.serialize_entry("Tree", &tree_artifact())?;
        for st in &self.0.stacks {
            for_each_artifact(st, self.1, |id, entry| match entry {
                ArtifactEntry::Assets(v) => m.serialize_entry(id, &v),
                ArtifactEntry::Stack(v) => m.serialize_entry(id, &v),
            })?;
        }
        m.end()
    }
}

/// The `Tree` artifact: `tree.json`.
fn tree_artifact() -> Json {
    json!({"type": "cdk:tree", "properties": {"file": "tree.json"}})
}

/// A manifest artifact of a stack.
enum ArtifactEntry<'a> {
    Assets(Json),
    Stack(StackArtifactView<'a>),
}

/// Hands `each` the artifacts of stack `st`, in manifest order: its asset manifest
/// (if it has image assets), then the stack.
fn for_each_artifact<'a, E>(
    st: &'a StackArtifact,
    format: TemplateFormat,
    mut each: impl FnMut(&str, ArtifactEntry<'a>) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let assets_id = (!st.assets.is_empty()).then(|| asset_manifest_artifact_id(&st.name));
    if let Some(id) = &assets_id {
        each(
            id,
            ArtifactEntry::Assets(json!({
                "type": "cdk:asset-manifest",
                "properties": {"file": asset_manifest_file_name(&st.name)}
            })),
        )?;
    }
    each(
        &st.name,
        ArtifactEntry::Stack(StackArtifactView {
            kind: "aws:cloudformation:stack",
            environment: st.env.uri(),
            properties: StackProperties {
                template_file: format.file_name(&st.name),
                stack_name: &st.name,
                tags: &st.tags,
                description: st.description.as_deref(),
                termination_protection: st.termination_protection,
            },
            dependencies: Dependencies(&st.dependencies, assets_id),
            metadata: LogicalIdMetadata(&st.logical_ids),
            display_name: &st.path,
        }),
    )
}

/// `manifest.json`'s bytes (pretty, final newline): what `serde_json::to_vec_pretty`
/// gives for [`manifest`], with the stacks' artifacts (their logical-ID metadata is
/// most of a large manifest) serialized on parallel workers.
#[cfg(test)]
fn manifest_bytes(output: &SynthOutput, format: TemplateFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_manifest(&mut bytes, output, format).expect("writing to memory");
    bytes
}

/// Writes [`manifest_bytes`] to `w`, each stack's part as it is joined.
fn write_manifest(
    w: &mut impl std::io::Write,
    output: &SynthOutput,
    format: TemplateFormat,
) -> std::io::Result<()> {
    let mut tree = Section::default();
    tree.entry("Tree", &tree_artifact());
    w.write_all(b"{\n  \"version\": ")?;
    serde_json::to_writer(&mut *w, MANIFEST_VERSION)?;
    w.write_all(b",\n  \"artifacts\": {")?;
    // The `Tree` entry comes first: the stacks' entries follow it with their commas.
    tree.write_entries(w, true)?;
    // Stacks' entries (their logical-ID metadata makes them large) are made on parallel
    // workers a few stacks at a time and written in order, never all held at once.
    let batch = 4 * std::thread::available_parallelism().map_or(1, |n| n.get());
    for stacks in output.stacks.chunks(batch) {
        let parts = par_map(stacks.iter().collect(), |st| {
            let mut part = Section::default();
            for_each_artifact(st, format, |id, entry| {
                match entry {
                    ArtifactEntry::Assets(v) => part.entry(id, &v),
                    ArtifactEntry::Stack(v) => {
                        part.entry_with(id, |out, depth| v.write(out, depth))
                    }
                }
                Ok::<(), std::convert::Infallible>(())
            })
            .unwrap_or_else(|never| match never {});
            part
        });
        for part in &parts {
            part.write_entries(w, false)?;
        }
    }
    w.write_all(b"\n  }\n}\n")
}

/// Writes `staging/file` through a buffer, with `write` (`tree.json` and
/// `manifest.json` of a large app are megabytes: never held whole in memory).
fn write_buffered(
    staging: &Path,
    file: &str,
    write: impl FnOnce(&mut std::io::BufWriter<fs::File>) -> std::io::Result<()>,
) -> Result<()> {
    use std::io::Write;
    let p = staging.join(file);
    let f = fs::File::create(&p).map_err(io_error(&p))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
    write(&mut w).and_then(|()| w.flush()).map_err(io_error(&p))
}

fn write_manifest_file(staging: &Path, output: &SynthOutput, format: TemplateFormat) -> Result<()> {
    write_buffered(staging, "manifest.json", |w| {
        write_manifest(w, output, format)
    })
}

#[derive(serde::Serialize)]
struct StackArtifactView<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    environment: String,
    properties: StackProperties<'a>,
    #[serde(skip_serializing_if = "Dependencies::is_empty")]
    dependencies: Dependencies<'a>,
    metadata: LogicalIdMetadata<'a>,
    #[serde(rename = "displayName")]
    display_name: &'a str,
}

impl StackArtifactView<'_> {
    /// Writes the artifact pretty at `depth`: the bytes its `Serialize` gives, faster
    /// (its logical-ID metadata is most of a large app's manifest).
    fn write(&self, out: &mut Vec<u8>, depth: usize) {
        let inner = depth + 1;
        let mut m = pretty::Nested::object(out, depth);
        pretty::write_str(m.key("type"), self.kind);
        pretty::write_str(m.key("environment"), &self.environment);
        let p = &self.properties;
        let mut props = pretty::Nested::object(m.key("properties"), inner);
        pretty::write_str(props.key("templateFile"), &p.template_file);
        pretty::write_str(props.key("stackName"), p.stack_name);
        if !p.tags.is_empty() {
            let mut tags = pretty::Nested::object(props.key("tags"), inner + 1);
            for (k, v) in p.tags {
                pretty::write_str(tags.key(k), v);
            }
            tags.end();
        }
        if let Some(d) = p.description {
            pretty::write_str(props.key("description"), d);
        }
        if p.termination_protection {
            props
                .key("terminationProtection")
                .extend_from_slice(b"true");
        }
        props.end();
        let Dependencies(stacks, assets) = &self.dependencies;
        if !self.dependencies.is_empty() {
            let all = stacks.iter().chain(assets.iter());
            pretty::write_strs(m.key("dependencies"), inner, all);
        }
        let mut metadata = pretty::Nested::object(m.key("metadata"), inner);
        let mut key = String::new();
        for (path, lid) in self.metadata.0 {
            key.clear();
            key.push('/');
            key.push_str(path);
            let mut list = pretty::Nested::array(metadata.key(&key), inner + 1);
            let mut entry = pretty::Nested::object(list.item(), inner + 2);
            pretty::write_str(entry.key("type"), "aws:cdk:logicalId");
            pretty::write_str(entry.key("data"), lid);
            entry.end();
            list.end();
        }
        metadata.end();
        pretty::write_str(m.key("displayName"), self.display_name);
        m.end();
    }
}

/// A stack's dependencies: the stacks, then its asset manifest (as CDK writes them).
struct Dependencies<'a>(&'a [String], Option<String>);

impl Dependencies<'_> {
    fn is_empty(&self) -> bool {
        self.0.is_empty() && self.1.is_none()
    }
}

impl serde::Serialize for Dependencies<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(String::as_str).chain(self.1.as_deref()))
    }
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct StackProperties<'a> {
    template_file: String,
    stack_name: &'a str,
    #[serde(skip_serializing_if = "indexmap::IndexMap::is_empty")]
    tags: &'a indexmap::IndexMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    termination_protection: bool,
}

/// `{"/Stack/Path": [{"type": "aws:cdk:logicalId", "data": "LogicalId"}], ...}`,
/// serialized without building a value per entry.
struct LogicalIdMetadata<'a>(&'a [(String, String)]);

impl serde::Serialize for LogicalIdMetadata<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Entry<'a>(&'a str);
        impl serde::Serialize for Entry<'_> {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                use serde::ser::SerializeSeq;
                struct Item<'a>(&'a str);
                impl serde::Serialize for Item<'_> {
                    fn serialize<S: serde::Serializer>(
                        &self,
                        s: S,
                    ) -> std::result::Result<S::Ok, S::Error> {
                        let mut m = s.serialize_map(Some(2))?;
                        m.serialize_entry("type", "aws:cdk:logicalId")?;
                        m.serialize_entry("data", self.0)?;
                        m.end()
                    }
                }
                let mut seq = s.serialize_seq(Some(1))?;
                seq.serialize_element(&Item(self.0))?;
                seq.end()
            }
        }
        let mut m = s.serialize_map(Some(self.0.len()))?;
        let mut key = String::new();
        for (path, lid) in self.0 {
            key.clear();
            key.push('/');
            key.push_str(path);
            m.serialize_entry(&key, &Entry(lid))?;
        }
        m.end()
    }
}

/// The `tree.json` of an assembly, as a serializable view of the tree (rendered
/// straight to bytes, without an intermediate JSON value).
pub fn tree(root: &TreeNode) -> impl serde::Serialize + '_ {
    use serde::ser::{SerializeMap, Serializer};

    struct Node<'a>(&'a TreeNode);
    struct Children<'a>(&'a [TreeNode]);
    struct Attributes<'a>(&'a str);
    struct Info<'a>(&'a str);
    struct Tree<'a>(&'a TreeNode);

    impl serde::Serialize for Node<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            let n = self.0;
            let mut m = s.serialize_map(None)?;
            m.serialize_entry("id", &n.id)?;
            m.serialize_entry("path", &n.path)?;
            if !n.children.is_empty() {
                m.serialize_entry("children", &Children(&n.children))?;
            }
            if let Some(t) = &n.cfn_type {
                m.serialize_entry("attributes", &Attributes(t))?;
            }
            m.serialize_entry("constructInfo", &Info(&n.fqn))?;
            m.end()
        }
    }
    impl serde::Serialize for Children<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(self.0.len()))?;
            for c in self.0 {
                m.serialize_entry(&c.id, &Node(c))?;
            }
            m.end()
        }
    }
    impl serde::Serialize for Attributes<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(1))?;
            m.serialize_entry("aws:cdk:cloudformation:type", self.0)?;
            m.end()
        }
    }
    impl serde::Serialize for Info<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(2))?;
            m.serialize_entry("fqn", self.0)?;
            m.serialize_entry("version", CONSTRUCT_INFO_VERSION)?;
            m.end()
        }
    }
    impl serde::Serialize for Tree<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(2))?;
            m.serialize_entry("version", "tree-0.1")?;
            m.serialize_entry("tree", &Node(self.0))?;
            m.end()
        }
    }
    Tree(root)
}

/// Writes `tree.json`: the [`tree`] view as compact JSON, as CDK writes it
/// (`JSON.stringify(tree)`: the tree of a large app is tens of megabytes, half of it
/// indentation when pretty).
fn write_tree(w: &mut impl std::io::Write, root: &TreeNode) -> std::io::Result<()> {
    serde_json::to_writer(w, &tree(root)).map_err(std::io::Error::from)
}

fn write_tree_file(staging: &Path, root: &TreeNode) -> Result<()> {
    write_buffered(staging, "tree.json", |w| write_tree(w, root))
}

/// The asset manifest of a stack (`<Stack>.assets.json`, CDK's asset-manifest schema):
/// for each image asset, where its build context is in the assembly, how to build it,
/// and that it is pushed to [`DEFAULT_ASSET_REPOSITORY`] in the stack's account and
/// region, tagged with its fingerprint. `None` for a stack without assets.
///
/// ```json
/// {
///   "version": "55.0.0",
///   "dockerImages": {
///     "<hash>": {
///       "displayName": "Web/TaskDef/web/AssetImage",
///       "source": {"directory": "asset.<hash>", "dockerFile": "Dockerfile"},
///       "destinations": {
///         "current_account-current_region": {
///           "repositoryName": "berth-assets-berthtoolkit",
///           "imageTag": "<hash>"
///         }
///       }
///     }
///   }
/// }
/// ```
///
/// `source` also has `dockerBuildArgs`, `dockerBuildTarget` and `platform` when they
/// are set.
pub fn asset_manifest(stack: &StackArtifact) -> Option<Json> {
    if stack.assets.is_empty() {
        return None;
    }
    let mut images = serde_json::Map::new();
    for a in &stack.assets {
        if images.contains_key(&a.hash) {
            continue;
        }
        images.insert(a.hash.clone(), docker_image_entry(a));
    }
    Some(json!({"version": MANIFEST_VERSION, "dockerImages": images}))
}

fn docker_image_entry(a: &DockerImageAssetSpec) -> Json {
    let mut source = serde_json::Map::new();
    source.insert("directory".into(), json!(asset_directory_name(&a.hash)));
    source.insert(
        "dockerFile".into(),
        json!(asset::dockerfile_name(&a.options)),
    );
    if !a.options.build_args.is_empty() {
        source.insert("dockerBuildArgs".into(), json!(a.options.build_args));
    }
    if let Some(t) = &a.options.target {
        source.insert("dockerBuildTarget".into(), json!(t));
    }
    if let Some(p) = &a.options.platform {
        source.insert("platform".into(), json!(p));
    }
    json!({
        "displayName": a.display_name,
        "source": source,
        "destinations": {
            "current_account-current_region": {
                "repositoryName": DEFAULT_ASSET_REPOSITORY,
                "imageTag": a.hash,
            }
        }
    })
}

/// Copies the build context of every asset into `asset.<hash>/` of `staging` (once per
/// hash), checking that the files still have the fingerprint the templates use.
fn stage_assets(staging: &Path, output: &SynthOutput) -> Result<()> {
    let mut staged = std::collections::HashSet::new();
    for a in output.stacks.iter().flat_map(|s| &s.assets) {
        if !staged.insert(a.hash.as_str()) {
            continue;
        }
        let dest = staging.join(asset_directory_name(&a.hash));
        let hash =
            asset::stage(&a.directory, &a.options, &dest).map_err(|source| SynthError::Asset {
                asset: a.display_name.clone(),
                source,
            })?;
        if hash != a.hash {
            return Err(SynthError::AssetChanged {
                asset: a.display_name.clone(),
                directory: a.directory.clone(),
            });
        }
    }
    Ok(())
}

/// The bytes of a stack's template in the chosen format.
pub fn template_bytes(text_json: &str, template: &Json, format: TemplateFormat) -> Result<Vec<u8>> {
    match format {
        TemplateFormat::Json => {
            let mut v = Vec::with_capacity(text_json.len() + 1);
            v.extend_from_slice(text_json.as_bytes());
            v.push(b'\n');
            Ok(v)
        }
        TemplateFormat::Yaml => serde_yaml_ng::to_string(template)
            .map(String::into_bytes)
            .map_err(|e| SynthError::Render {
                stack: String::new(),
                message: e.to_string(),
            }),
    }
}

/// Writes the assembly to `dir`, replacing what was there.
pub fn write(
    dir: &Path,
    output: &SynthOutput,
    root: &TreeNode,
    format: TemplateFormat,
) -> Result<()> {
    staged(dir, |staging| {
        // The manifest and tree are built while the templates are written.
        let (meta, written) = std::thread::scope(|scope| {
            let meta = scope.spawn(|| {
                write_manifest_file(staging, output, format)?;
                write_tree_file(staging, root)
            });
            let written: Result<()> = output.stacks.iter().try_for_each(|s| {
                let bytes = template_bytes(&s.template_text, &s.template, format)?;
                write_stack_files(staging, s, &bytes, format)
            });
            (meta.join().expect("manifest worker panicked"), written)
        });
        written?;
        meta?;
        stage_assets(staging, output)?;
        write_validation_report(staging, output.validation.as_ref())?;
        write_file(staging, "cdk.out", CDK_OUT)
    })
}

/// What [`synthesize_to`] wrote.
#[derive(Clone, Debug)]
pub struct Written {
    /// The stack names, in deployment order (dependencies first).
    pub stacks: Vec<String>,
    /// Warnings and notes of synthesis.
    pub diagnostics: Vec<crate::Diagnostic>,
    /// What the rule packs found, if any ran (also written as
    /// [`crate::rules::REPORT_FILE`]).
    pub validation: Option<crate::rules::Report>,
}

/// Synthesizes `app` and writes its cloud assembly to `dir` (replacing what was there)
/// as [`synthesize`](crate::synthesize::synthesize) and [`write`](fn@write) do, but streaming:
/// each stack's template is written as soon as it is rendered and then dropped, so
/// the templates are never all in memory at once. The same bytes as
/// `write(dir, &synthesize(app, options)?, &app.tree, format)`; nothing is written if
/// synthesis fails.
pub fn synthesize_to(
    dir: &Path,
    app: &AppSpec,
    options: &SynthOptions,
    format: TemplateFormat,
) -> Result<Written> {
    stream(dir, app, None, None, options, format)
}

/// [`synthesize_to`], taking resources' properties from `source` (see
/// [`PropertySource`]) and, if given, writing `tree.json` with `tree` instead of from
/// [`AppSpec::tree`] (see [`TreeSource`]): what `App::write_assembly` uses, so that no
/// copy of the app's properties or of its construct tree is made.
pub fn synthesize_to_from(
    dir: &Path,
    app: &AppSpec,
    source: &PropertySource<'_>,
    tree: Option<&TreeSource<'_>>,
    options: &SynthOptions,
    format: TemplateFormat,
) -> Result<Written> {
    stream(dir, app, Some(source), tree, options, format)
}

/// Writes `tree.json` for an [`AppSpec`] whose [`AppSpec::tree`] was left empty: the
/// bytes [`tree`] serializes to (compact) for the app's construct tree, written from
/// the tree itself so that no [`TreeNode`] copy of it is made. Called on a thread of
/// its own while the stacks render.
pub type TreeSource<'s> = dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()> + Sync + 's;

/// The `constructInfo.version` of every `tree.json` node: berth's version.
pub const CONSTRUCT_INFO_VERSION: &str = env!("CARGO_PKG_VERSION");

fn stream(
    dir: &Path,
    app: &AppSpec,
    source: Option<&PropertySource<'_>>,
    tree_source: Option<&TreeSource<'_>>,
    options: &SynthOptions,
    format: TemplateFormat,
) -> Result<Written> {
    staged(dir, |staging| {
        let (tree, output) = std::thread::scope(|scope| {
            let tree = scope.spawn(|| match tree_source {
                Some(write) => write_buffered(staging, "tree.json", |w| write(w)),
                None => write_tree_file(staging, &app.tree),
            });
            // JSON templates are written in two steps: everything before `Outputs`
            // as soon as a stack is rendered, the rest (exports included) at the end.
            let start = |s: &StackSpec, head: &TemplateHead<'_>| -> Result<usize> {
                let mut written = 0;
                write_buffered(staging, &format.file_name(&s.name), |w| {
                    written = head.write_to(w)?;
                    Ok(())
                })?;
                Ok(written)
            };
            let sink = |s: &StackArtifact, text: String| -> Result<()> {
                let bytes = match format {
                    TemplateFormat::Json => {
                        let p = staging.join(format.file_name(&s.name));
                        let mut tail = text.into_bytes();
                        tail.push(b'\n');
                        append_file(&p, &tail)?;
                        return write_asset_manifest(staging, s);
                    }
                    TemplateFormat::Yaml => {
                        let template: Json =
                            serde_json::from_str(&text).map_err(|e| SynthError::Render {
                                stack: s.name.clone(),
                                message: e.to_string(),
                            })?;
                        template_bytes(&text, &template, format)?
                    }
                };
                write_stack_files(staging, s, &bytes, format)
            };
            let start = (format == TemplateFormat::Json).then_some(&start as &TemplateStart<'_>);
            let output = synthesize_with(app, options, source, start, Some(&sink));
            (tree.join().expect("tree worker panicked"), output)
        });
        let output = output?;
        stage_assets(staging, &output)?;
        tree?;
        write_manifest_file(staging, &output, format)?;
        write_validation_report(staging, output.validation.as_ref())?;
        write_file(staging, "cdk.out", CDK_OUT)?;
        Ok(Written {
            stacks: output.stacks.into_iter().map(|s| s.name).collect(),
            diagnostics: output.diagnostics,
            validation: output.validation,
        })
    })
}

/// `policy-validation-report.json` (CDK's format), when rule packs ran.
fn write_validation_report(staging: &Path, report: Option<&crate::rules::Report>) -> Result<()> {
    let Some(report) = report else {
        return Ok(());
    };
    let mut bytes = serde_json::to_vec_pretty(&crate::rules::report_json(report))
        .expect("a JSON value serializes");
    bytes.push(b'\n');
    write_file(staging, crate::rules::REPORT_FILE, &bytes)
}

/// `cdk.out`: the assembly's schema version, as CDK writes it.
const CDK_OUT: &[u8] = b"{\"version\":\"55.0.0\"}\n";

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> SynthError {
    let path = path.to_path_buf();
    move |source| SynthError::Io { path, source }
}

fn write_file(staging: &Path, file: &str, bytes: &[u8]) -> Result<()> {
    let p = staging.join(file);
    fs::write(&p, bytes).map_err(io_error(&p))
}

/// A stack's template (`bytes`, in `format`) and its asset manifest, if any.
fn write_stack_files(
    staging: &Path,
    s: &StackArtifact,
    bytes: &[u8],
    format: TemplateFormat,
) -> Result<()> {
    write_file(staging, &format.file_name(&s.name), bytes)?;
    write_asset_manifest(staging, s)
}

fn append_file(p: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    fs::OpenOptions::new()
        .append(true)
        .open(p)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(io_error(p))
}

/// `<Stack>.assets.json`, when the stack has image assets.
fn write_asset_manifest(staging: &Path, s: &StackArtifact) -> Result<()> {
    if let Some(assets) = asset_manifest(s) {
        let mut bytes = serde_json::to_vec_pretty(&assets).expect("json");
        bytes.push(b'\n');
        write_file(staging, &asset_manifest_file_name(&s.name), &bytes)?;
    }
    Ok(())
}

/// Runs `fill` on a fresh staging directory, then moves what it wrote into `dir`;
/// removes the staging directory if `fill` fails, so a failed write leaves `dir` as it
/// was.
///
/// `dir` must be absent, empty, or hold a previous cloud assembly (see
/// [`paths::inspect_output`]); anything else is refused before anything is touched.
/// When `dir` is absent, the staging directory is its sibling and is renamed into
/// place. When it exists, the staging directory is made inside it (same file system,
/// nothing written beside it), the entries the previous assembly holds are removed, and
/// the new ones moved in, `manifest.json` last; entries the previous assembly does not
/// account for (a user's own files) are left alone, and a new entry that would replace
/// one of them is refused.
fn staged<T>(dir: &Path, fill: impl FnOnce(&Path) -> Result<T>) -> Result<T> {
    let refused = |problem| SynthError::OutputDirectory {
        path: dir.to_path_buf(),
        problem,
    };
    let previous = paths::inspect_output(dir).map_err(refused)?;
    let exists = dir.exists();
    let staging = if exists {
        dir.join(format!("{STAGING_PREFIX}{}", std::process::id()))
    } else {
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(io_error(&parent))?;
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "berth.out".into());
        parent.join(format!(".{name}.tmp-{}", std::process::id()))
    };
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(io_error(&staging))?;
    }
    fs::create_dir_all(&staging).map_err(io_error(&staging))?;
    let value = fill(&staging).and_then(|value| {
        if exists {
            move_into(dir, &staging, &previous.unwrap_or_default())?;
        } else {
            fs::rename(&staging, dir).map_err(io_error(dir))?;
        }
        Ok(value)
    });
    if value.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    value
}

/// The name prefix of the staging directory synth makes inside an existing output
/// directory (a leftover of a killed synth is removed by the next one).
const STAGING_PREFIX: &str = ".berth-staging-";

/// Replaces the entries of `dir` that `previous` holds with the entries of `staging`,
/// `manifest.json` last, then removes `staging`.
fn move_into(dir: &Path, staging: &Path, previous: &paths::PreviousAssembly) -> Result<()> {
    let staging_name = staging
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let owned = |name: &str| {
        previous.entries.iter().any(|e| e == name)
            || (name.starts_with(STAGING_PREFIX) && Some(name) != staging_name.as_deref())
    };
    let mut new: Vec<String> = fs::read_dir(staging)
        .and_then(|it| {
            it.map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
                .collect()
        })
        .map_err(io_error(staging))?;
    new.sort();
    // Refuse before changing anything: a new entry must not replace a file of the user's.
    let clashes: Vec<&str> = new
        .iter()
        .map(String::as_str)
        .filter(|n| !owned(n) && fs::symlink_metadata(dir.join(n)).is_ok())
        .collect();
    if !clashes.is_empty() {
        return Err(SynthError::OutputDirectory {
            path: dir.to_path_buf(),
            problem: paths::OutputProblem::WouldReplace(
                clashes.into_iter().map(str::to_owned).collect(),
            ),
        });
    }
    let leftovers = fs::read_dir(dir)
        .map_err(io_error(dir))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(STAGING_PREFIX) && Some(n.as_str()) != staging_name.as_deref());
    let old: Vec<String> = previous
        .entries
        .iter()
        .filter(|n| n.as_str() != "manifest.json")
        .cloned()
        .chain(leftovers)
        .collect();
    for name in &old {
        remove_entry(&dir.join(name))?;
    }
    for name in new.iter().filter(|n| n.as_str() != "manifest.json") {
        let to = dir.join(name);
        fs::rename(staging.join(name), &to).map_err(io_error(&to))?;
    }
    let manifest = dir.join("manifest.json");
    if new.iter().any(|n| n == "manifest.json") {
        fs::rename(staging.join("manifest.json"), &manifest).map_err(io_error(&manifest))?;
    }
    fs::remove_dir(staging).map_err(io_error(staging))
}

/// Removes a file, a symbolic link (never what it points to) or a directory tree.
fn remove_entry(path: &Path) -> Result<()> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error(path)(e)),
    };
    if meta.is_dir() {
        fs::remove_dir_all(path).map_err(io_error(path))
    } else {
        fs::remove_file(path).map_err(io_error(path))
    }
}

#[cfg(test)]
mod tests;
