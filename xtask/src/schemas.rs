//! `cargo xtask schemas`: vendors the CloudFormation resource provider schemas that berth
//! uses from the pinned cfn-lint release on PyPI.
//!
//! The schemas are the official registry schemas (MIT-0) that cfn-lint ships as data:
//! `cfnlint/data/schemas/providers/us-east-1.json` maps each type name to a file
//! `cfnlint/data/schemas/resources/<hash>.json`.

use crate::types::{schema_file_name, TYPES};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The pinned cfn-lint release the schemas come from.
pub const CFN_LINT_VERSION: &str = "1.58.0";

/// A fix-up of an upstream schema: the string at `pointer` (a JSON pointer into the
/// schema file) must be exactly `from`, and becomes `to`. Vendoring fails if `from` is no
/// longer there, so a fixed upstream schema makes us drop the patch.
pub struct Patch {
    /// The resource type.
    pub type_name: &'static str,
    /// JSON pointer to the string to replace.
    pub pointer: &'static str,
    /// The upstream value.
    pub from: &'static str,
    /// The patched value.
    pub to: &'static str,
    /// Why.
    pub reason: &'static str,
}

/// Every patch, one per problem. Keep `cfn/schemas/README.md` in sync.
pub const PATCHES: &[Patch] = &[
    Patch {
        type_name: "AWS::Logs::LogGroup",
        pointer: "/properties/LogGroupName/pattern",
        from: r"^[.\-_/#A-Za-z0-9]{1,512}\Z",
        to: r"^[.\-_/#A-Za-z0-9]{1,512}$",
        reason: r"`\Z` (Python/Java end of input) is not supported by the Rust regex engines; `$` without the multi-line flag means the same",
    },
    Patch {
        type_name: "AWS::Logs::LogGroup",
        pointer: "/properties/KmsKeyId/pattern",
        from: r"^arn:[a-z0-9-]+:kms:[a-z0-9-]+:\d{12}:(key|alias)/.+\Z",
        to: r"^arn:[a-z0-9-]+:kms:[a-z0-9-]+:\d{12}:(key|alias)/.+$",
        reason: r"`\Z` (Python/Java end of input) is not supported by the Rust regex engines; `$` without the multi-line flag means the same",
    },
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

/// The directory the vendored schemas go to.
pub fn resources_dir() -> PathBuf {
    repo_root().join("cfn/schemas/resources")
}

/// Applies the patches for `type_name` to `schema`; fails if one does not apply.
pub fn apply_patches(type_name: &str, schema: &mut serde_json::Value) -> Result<()> {
    for p in PATCHES.iter().filter(|p| p.type_name == type_name) {
        let slot = schema.pointer_mut(p.pointer).with_context(|| {
            format!(
                "patch for {} no longer applies: {} is missing from the schema",
                p.type_name, p.pointer
            )
        })?;
        if slot.as_str() != Some(p.from) {
            bail!(
                "patch for {} no longer applies: {} is {} (expected {:?}); drop or update the patch in xtask/src/schemas.rs",
                p.type_name,
                p.pointer,
                slot,
                p.from
            );
        }
        *slot = serde_json::Value::String(p.to.to_owned());
        eprintln!("patched {} {}: {}", p.type_name, p.pointer, p.reason);
    }
    Ok(())
}

/// Runs `cargo xtask schemas`.
pub fn run() -> Result<()> {
    let tmp = std::env::temp_dir().join(format!("berth-schemas-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    let result = vendor(&tmp);
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

fn check(cmd: &mut Command) -> Result<std::process::Output> {
    let out = cmd
        .output()
        .with_context(|| format!("failed to run {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{cmd:?} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(out)
}

fn vendor(tmp: &Path) -> Result<()> {
    let venv = tmp.join("venv");
    eprintln!("creating a venv in {}", venv.display());
    check(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    let python = venv.join("bin/python");
    eprintln!("installing cfn-lint=={CFN_LINT_VERSION}");
    check(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .arg(format!("cfn-lint=={CFN_LINT_VERSION}")),
    )?;
    let out = check(Command::new(&python).args([
        "-c",
        "import cfnlint, os; print(os.path.dirname(cfnlint.__file__))",
    ]))?;
    let pkg = PathBuf::from(String::from_utf8(out.stdout)?.trim());
    let data = pkg.join("data/schemas");
    copy_schemas(&data, &resources_dir())
}

/// Copies (and patches) the schemas of [`TYPES`] from cfn-lint's `data/schemas` into `dest`.
pub fn copy_schemas(data: &Path, dest: &Path) -> Result<()> {
    let providers_path = data.join("providers/us-east-1.json");
    let providers: serde_json::Map<String, serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(&providers_path)
            .with_context(|| format!("reading {}", providers_path.display()))?,
    )?;
    std::fs::create_dir_all(dest)?;
    let mut wanted = std::collections::BTreeSet::new();
    for (type_name, _) in TYPES {
        let hash = providers
            .get(*type_name)
            .and_then(|v| v.as_str())
            .with_context(|| format!("{type_name} is not in {}", providers_path.display()))?;
        let src = data.join(format!("resources/{hash}.json"));
        let mut schema: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&src).with_context(|| format!("reading {}", src.display()))?,
        )
        .with_context(|| format!("parsing {}", src.display()))?;
        if schema.get("typeName").and_then(|v| v.as_str()) != Some(type_name) {
            bail!("{} does not describe {type_name}", src.display());
        }
        apply_patches(type_name, &mut schema)?;
        let file = schema_file_name(type_name);
        let mut text = serde_json::to_string_pretty(&schema)?;
        text.push('\n');
        std::fs::write(dest.join(&file), text)?;
        wanted.insert(file);
    }
    // Remove schemas of types that are no longer vendored.
    for entry in std::fs::read_dir(dest)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") && !wanted.contains(&name) {
            std::fs::remove_file(entry.path())?;
        }
    }
    eprintln!("vendored {} schemas into {}", wanted.len(), dest.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_apply_to_the_upstream_text() {
        let mut schema = serde_json::json!({"properties": {
            "LogGroupName": {"pattern": r"^[.\-_/#A-Za-z0-9]{1,512}\Z"},
            "KmsKeyId": {"pattern": r"^arn:[a-z0-9-]+:kms:[a-z0-9-]+:\d{12}:(key|alias)/.+\Z"}
        }});
        apply_patches("AWS::Logs::LogGroup", &mut schema).expect("patches apply");
        assert_eq!(
            schema["properties"]["LogGroupName"]["pattern"],
            r"^[.\-_/#A-Za-z0-9]{1,512}$"
        );
    }

    #[test]
    fn a_patch_that_no_longer_applies_fails() {
        // Upstream fixed the pattern: the patch must be dropped, not silently skipped.
        let mut fixed = serde_json::json!({"properties": {
            "LogGroupName": {"pattern": r"^[.\-_/#A-Za-z0-9]{1,512}$"},
            "KmsKeyId": {"pattern": "x"}
        }});
        let err = apply_patches("AWS::Logs::LogGroup", &mut fixed).unwrap_err();
        assert!(err.to_string().contains("no longer applies"), "{err}");
        // The property is gone.
        let mut gone = serde_json::json!({"properties": {}});
        let err = apply_patches("AWS::Logs::LogGroup", &mut gone).unwrap_err();
        assert!(err.to_string().contains("is missing"), "{err}");
    }

    #[test]
    fn vendored_files_carry_the_patches() {
        let text = std::fs::read_to_string(resources_dir().join("AWS_Logs_LogGroup.json"))
            .expect("vendored");
        let schema: serde_json::Value = serde_json::from_str(&text).expect("json");
        for p in PATCHES {
            let file = resources_dir().join(schema_file_name(p.type_name));
            let schema_of_type: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(file).expect("vendored"))
                    .expect("json");
            assert_eq!(
                schema_of_type.pointer(p.pointer).and_then(|v| v.as_str()),
                Some(p.to)
            );
        }
        assert!(!text.contains(r"\\Z"), "{}", schema["typeName"]);
    }
}
