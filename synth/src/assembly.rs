//! Writing the cloud assembly: `manifest.json` (AWS CDK cloud-assembly schema),
//! `tree.json` and one template per stack.
//!
//! This is the only module of the crate that does I/O. The assembly is written to a
//! temporary sibling directory first and renamed into place, so a failed write never
//! leaves a half-written assembly behind.

use crate::error::{Result, SynthError};
use crate::model::TreeNode;
use crate::synthesize::SynthOutput;
use serde_json::{json, Value as Json};
use std::fs;
use std::path::{Path, PathBuf};

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

impl serde::Serialize for Artifacts<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.stacks.len() + 1))?;
        m.serialize_entry(
            "Tree",
            &json!({"type": "cdk:tree", "properties": {"file": "tree.json"}}),
        )?;
        for st in &self.0.stacks {
            m.serialize_entry(
                &st.name,
                &StackArtifactView {
                    kind: "aws:cloudformation:stack",
                    environment: st.env.uri(),
                    properties: StackProperties {
                        template_file: self.1.file_name(&st.name),
                        stack_name: &st.name,
                        tags: &st.tags,
                        description: st.description.as_deref(),
                        termination_protection: st.termination_protection,
                    },
                    dependencies: &st.dependencies,
                    metadata: LogicalIdMetadata(&st.logical_ids),
                    display_name: &st.path,
                },
            )?;
        }
        m.end()
    }
}

#[derive(serde::Serialize)]
struct StackArtifactView<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    environment: String,
    properties: StackProperties<'a>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    dependencies: &'a [String],
    metadata: LogicalIdMetadata<'a>,
    #[serde(rename = "displayName")]
    display_name: &'a str,
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
            m.serialize_entry("version", env!("CARGO_PKG_VERSION"))?;
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
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SynthError::Io { path, source }
    };
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(io(&parent))?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "berth.out".into());
    let staging = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(io(&staging))?;
    }
    fs::create_dir_all(&staging).map_err(io(&staging))?;
    let write_file = |file: &str, bytes: &[u8]| -> Result<()> {
        let p = staging.join(file);
        fs::write(&p, bytes).map_err(io(&p))
    };
    // The manifest and tree are built while the templates are written.
    let (meta, written) = std::thread::scope(|scope| {
        let meta = scope.spawn(|| {
            let mut manifest = serde_json::to_vec_pretty(&manifest(output, format)).expect("json");
            manifest.push(b'\n');
            let mut tree = serde_json::to_vec_pretty(&tree(root)).expect("json");
            tree.push(b'\n');
            (manifest, tree)
        });
        let written: Result<()> = output.stacks.iter().try_for_each(|s| {
            let bytes = template_bytes(&s.template_text, &s.template, format)?;
            write_file(&format.file_name(&s.name), &bytes)
        });
        (meta.join().expect("manifest worker panicked"), written)
    });
    written?;
    let (manifest, tree) = meta;
    write_file("manifest.json", &manifest)?;
    write_file("tree.json", &tree)?;
    write_file("cdk.out", b"{\"version\":\"55.0.0\"}\n")?;

    if dir.exists() {
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        fs::rename(dir, &old).map_err(io(dir))?;
        fs::rename(&staging, dir).map_err(io(dir))?;
        fs::remove_dir_all(&old).map_err(io(&old))?;
    } else {
        fs::rename(&staging, dir).map_err(io(dir))?;
    }
    Ok(())
}
