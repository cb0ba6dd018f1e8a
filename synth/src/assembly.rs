//! Writing the cloud assembly: `manifest.json` (AWS CDK cloud-assembly schema),
//! `tree.json` and one template per stack.
//!
//! This is the only module of the crate that does I/O. The assembly is written to a
//! temporary sibling directory first and renamed into place, so a failed write never
//! leaves a half-written assembly behind.

use crate::error::{Result, SynthError};
use crate::model::TreeNode;
use crate::synthesize::SynthOutput;
use serde_json::{json, Map, Value as Json};
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

/// The `manifest.json` of an assembly.
pub fn manifest(output: &SynthOutput, format: TemplateFormat) -> Json {
    let mut artifacts = Map::new();
    artifacts.insert(
        "Tree".into(),
        json!({"type": "cdk:tree", "properties": {"file": "tree.json"}}),
    );
    for s in &output.stacks {
        let mut props = Map::new();
        props.insert("templateFile".into(), json!(format.file_name(&s.name)));
        props.insert("stackName".into(), json!(s.name));
        if !s.tags.is_empty() {
            props.insert("tags".into(), json!(s.tags));
        }
        if let Some(d) = &s.description {
            props.insert("description".into(), json!(d));
        }
        if s.termination_protection {
            props.insert("terminationProtection".into(), json!(true));
        }
        let mut metadata = Map::new();
        for (path, lid) in &s.logical_ids {
            metadata.insert(
                format!("/{path}"),
                json!([{"type": "aws:cdk:logicalId", "data": lid}]),
            );
        }
        let mut a = Map::new();
        a.insert("type".into(), json!("aws:cloudformation:stack"));
        a.insert("environment".into(), json!(s.env.uri()));
        a.insert("properties".into(), Json::Object(props));
        if !s.dependencies.is_empty() {
            a.insert("dependencies".into(), json!(s.dependencies));
        }
        a.insert("metadata".into(), Json::Object(metadata));
        a.insert("displayName".into(), json!(s.path));
        artifacts.insert(s.name.clone(), Json::Object(a));
    }
    json!({"version": MANIFEST_VERSION, "artifacts": artifacts})
}

/// The `tree.json` of an assembly.
pub fn tree(root: &TreeNode) -> Json {
    fn node(n: &TreeNode) -> Json {
        let mut m = Map::new();
        m.insert("id".into(), json!(n.id));
        m.insert("path".into(), json!(n.path));
        if !n.children.is_empty() {
            let mut c = Map::new();
            for child in &n.children {
                c.insert(child.id.clone(), node(child));
            }
            m.insert("children".into(), Json::Object(c));
        }
        if let Some(t) = &n.cfn_type {
            m.insert(
                "attributes".into(),
                json!({"aws:cdk:cloudformation:type": t}),
            );
        }
        m.insert(
            "constructInfo".into(),
            json!({"fqn": n.fqn, "version": env!("CARGO_PKG_VERSION")}),
        );
        Json::Object(m)
    }
    json!({"version": "tree-0.1", "tree": node(root)})
}

/// The bytes of a stack's template in the chosen format.
pub fn template_bytes(text_json: &str, template: &Json, format: TemplateFormat) -> Result<Vec<u8>> {
    match format {
        TemplateFormat::Json => {
            let mut v = text_json.as_bytes().to_vec();
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
    for s in &output.stacks {
        let bytes = template_bytes(&s.template_text, &s.template, format)?;
        write_file(&format.file_name(&s.name), &bytes)?;
    }
    let mut manifest = serde_json::to_vec_pretty(&manifest(output, format)).expect("json");
    manifest.push(b'\n');
    write_file("manifest.json", &manifest)?;
    let mut tree = serde_json::to_vec_pretty(&tree(root)).expect("json");
    tree.push(b'\n');
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
