use super::*;
use crate::asset::{fingerprint, DockerBuildOptions};
use crate::model::{
    AppSpec, DockerImageAssetSpec, ElementKind, ElementSpec, RemovalPolicy, ResourceSpec, StackSpec,
};
use crate::synthesize::{synthesize, SynthOptions};
use crate::value::{ElementId, Value};

fn stack(id: u32, name: &str, assets: Vec<DockerImageAssetSpec>) -> StackSpec {
    StackSpec {
        id: ElementId(id),
        path: name.into(),
        name: name.into(),
        elements: vec![ElementSpec {
            id: ElementId(id + 1),
            path: format!("{name}/Queue"),
            logical_id: None,
            kind: ElementKind::Resource(ResourceSpec {
                type_name: "AWS::SQS::Queue".into(),
                properties: Value::map::<&str>([]),
                ..Default::default()
            }),
        }],
        assets,
        ..Default::default()
    }
}

fn image_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM scratch\nCOPY index.html /\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("index.html"), "<h1>hi</h1>\n").unwrap();
    std::fs::write(dir.path().join(".dockerignore"), "*.md\n").unwrap();
    std::fs::write(dir.path().join("README.md"), "not in the image\n").unwrap();
    dir
}

fn asset(dir: &Path, options: DockerBuildOptions, name: &str) -> DockerImageAssetSpec {
    DockerImageAssetSpec {
        hash: fingerprint(dir, &options).unwrap(),
        directory: dir.to_path_buf(),
        options,
        display_name: name.into(),
    }
}

fn read_json(p: &Path) -> Json {
    serde_json::from_slice(&fs::read(p).unwrap()).unwrap()
}

fn validator(file: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas/cloud-assembly")
        .join(file);
    jsonschema::validator_for(&read_json(&path)).unwrap()
}

fn assert_valid(v: &jsonschema::Validator, doc: &Json) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}\n{doc:#}", errors.join("\n"));
}

#[test]
fn stacks_with_image_assets_get_an_asset_manifest_and_staged_contexts() {
    let img = image_dir();
    let plain = asset(
        img.path(),
        DockerBuildOptions::default(),
        "Web/TaskDef/web/AssetImage",
    );
    let tuned = asset(
        img.path(),
        DockerBuildOptions {
            build_args: [
                ("B".to_string(), "2".to_string()),
                ("A".to_string(), "1".to_string()),
            ]
            .into(),
            target: Some("runtime".into()),
            platform: Some("linux/arm64".into()),
            ..Default::default()
        },
        "Web/TaskDef/worker/AssetImage",
    );
    let app = AppSpec {
        stacks: vec![
            stack(0, "Base", vec![]),
            StackSpec {
                depends_on: vec![ElementId(0)],
                ..stack(10, "Web", vec![plain.clone(), tuned.clone()])
            },
        ],
        ..Default::default()
    };
    let out = synthesize(&app, &SynthOptions::default()).unwrap();
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("berth.out");
    write(&dir, &out, &app.tree, TemplateFormat::Json).unwrap();

    let manifest = read_json(&dir.join("manifest.json"));
    assert_valid(&validator("cloud-assembly.schema.json"), &manifest);
    let ids: Vec<&String> = manifest["artifacts"].as_object().unwrap().keys().collect();
    assert_eq!(ids, ["Tree", "Base", "Web.assets", "Web"]);
    assert_eq!(
        manifest["artifacts"]["Web.assets"],
        json!({"type": "cdk:asset-manifest", "properties": {"file": "Web.assets.json"}})
    );
    assert_eq!(
        manifest["artifacts"]["Web"]["dependencies"],
        json!(["Base", "Web.assets"])
    );
    assert!(manifest["artifacts"]["Base"].get("dependencies").is_none());

    let assets = read_json(&dir.join("Web.assets.json"));
    assert_valid(&validator("assets.schema.json"), &assets);
    let (h1, h2) = (&plain.hash, &tuned.hash);
    assert_eq!(
        assets,
        json!({
            "version": "55.0.0",
            "dockerImages": {
                h1.clone(): {
                    "displayName": "Web/TaskDef/web/AssetImage",
                    "source": {"directory": format!("asset.{h1}"), "dockerFile": "Dockerfile"},
                    "destinations": {"current_account-current_region": {
                        "repositoryName": "berth-assets-berthtoolkit", "imageTag": h1.clone()}}
                },
                h2.clone(): {
                    "displayName": "Web/TaskDef/worker/AssetImage",
                    "source": {"directory": format!("asset.{h2}"), "dockerFile": "Dockerfile",
                        "dockerBuildArgs": {"A": "1", "B": "2"}, "dockerBuildTarget": "runtime",
                        "platform": "linux/arm64"},
                    "destinations": {"current_account-current_region": {
                        "repositoryName": "berth-assets-berthtoolkit", "imageTag": h2.clone()}}
                }
            }
        })
    );
    // key order as documented
    let text = fs::read_to_string(dir.join("Web.assets.json")).unwrap();
    let pos = |k: &str| text.find(k).unwrap();
    assert!(
        pos("\"displayName\"") < pos("\"source\"") && pos("\"source\"") < pos("\"destinations\"")
    );
    assert!(pos("\"directory\"") < pos("\"dockerFile\""));
    assert!(text.ends_with("}\n"));

    for h in [h1, h2] {
        let staged = dir.join(format!("asset.{h}"));
        let mut files: Vec<String> = fs::read_dir(&staged)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(files, [".dockerignore", "Dockerfile", "index.html"]);
    }
    assert!(!dir.join("Base.assets.json").exists());
    // no staging directory is left next to the assembly
    let left: Vec<_> = fs::read_dir(parent.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["berth.out"]);
}

#[test]
fn stacks_without_assets_write_no_asset_files() {
    let app = AppSpec {
        stacks: vec![stack(0, "Plain", vec![])],
        ..Default::default()
    };
    let out = synthesize(&app, &SynthOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &out, &app.tree, TemplateFormat::Json).unwrap();
    let mut files: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "Plain.template.json",
            "cdk.out",
            "manifest.json",
            "tree.json"
        ]
    );
}

#[test]
fn the_same_image_in_two_stacks_is_staged_once() {
    let img = image_dir();
    let a = asset(img.path(), DockerBuildOptions::default(), "One/Image");
    let b = DockerImageAssetSpec {
        display_name: "Two/Image".into(),
        ..a.clone()
    };
    let app = AppSpec {
        stacks: vec![stack(0, "One", vec![a.clone()]), stack(10, "Two", vec![b])],
        ..Default::default()
    };
    let out = synthesize(&app, &SynthOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &out, &app.tree, TemplateFormat::Json).unwrap();
    let staged: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("asset."))
        .collect();
    assert_eq!(staged, [format!("asset.{}", a.hash)]);
    let two = read_json(&dir.path().join("Two.assets.json"));
    assert_eq!(two["dockerImages"][&a.hash]["displayName"], "Two/Image");
}

#[test]
fn a_changed_or_vanished_asset_writes_nothing() {
    let img = image_dir();
    let a = asset(img.path(), DockerBuildOptions::default(), "Web/Image");
    let app = AppSpec {
        stacks: vec![stack(0, "Web", vec![a])],
        ..Default::default()
    };
    let out = synthesize(&app, &SynthOptions::default()).unwrap();
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("berth.out");
    fs::write(img.path().join("index.html"), "<h1>changed</h1>\n").unwrap();
    let err = write(&dir, &out, &app.tree, TemplateFormat::Json).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "image asset Web/Image: the files in {} changed during synthesis; synthesize again",
            img.path().display()
        )
    );
    fs::remove_file(img.path().join("Dockerfile")).unwrap();
    let err = write(&dir, &out, &app.tree, TemplateFormat::Json).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "image asset Web/Image: there is no Dockerfile at {}; add one or name it with the `file` option",
            img.path().join("Dockerfile").display()
        )
    );
    assert_eq!(
        fs::read_dir(parent.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn asset_ids_must_be_fingerprints() {
    let bad = DockerImageAssetSpec {
        hash: "../../etc".into(),
        display_name: "Web/Image".into(),
        ..Default::default()
    };
    let app = AppSpec {
        stacks: vec![stack(0, "Web", vec![bad])],
        ..Default::default()
    };
    let err = synthesize(&app, &SynthOptions::default()).unwrap_err();
    assert_eq!(
        err.diagnostics()[0].to_string(),
        "error[BERTH-E0005] Web/Image: image asset id \"../../etc\" is not a fingerprint: expected 64 lower-case hex digits, from berth_synth::asset::fingerprint"
    );
}

fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn streaming_writes_the_bytes_write_writes() {
    let img = image_dir();
    let options = DockerBuildOptions::default();
    let asset = DockerImageAssetSpec {
        hash: fingerprint(img.path(), &options).unwrap(),
        directory: img.path().to_path_buf(),
        options,
        display_name: "Web/Image".into(),
    };
    let mut base = stack(0, "Base", vec![]);
    base.description = Some("the \"base\" stack é".into());
    base.tags = [
        ("team".to_owned(), "a \"b\"".to_owned()),
        ("env".to_owned(), "prod".to_owned()),
    ]
    .into_iter()
    .collect();
    base.termination_protection = true;
    base.elements.push(ElementSpec {
        id: ElementId(2),
        path: "Base/Env".into(),
        logical_id: None,
        kind: ElementKind::Parameter(
            [("Type".to_owned(), Value::from("String"))]
                .into_iter()
                .collect(),
        ),
    });
    let mut web = stack(10, "Web", vec![asset]);
    web.elements.push(ElementSpec {
        id: ElementId(12),
        path: "Web/Param".into(),
        logical_id: None,
        kind: ElementKind::Resource(ResourceSpec {
            type_name: "AWS::SSM::Parameter".into(),
            properties: Value::map([
                ("Type", Value::from("String")),
                ("Value", Value::get_att(ElementId(1), "Arn")),
                ("Description", Value::ref_to(ElementId(11))),
            ]),
            ..Default::default()
        }),
    });
    // Every member of a resource entry, and metadata with a `berth:path` set by hand
    // (replaced in its place).
    web.elements.push(ElementSpec {
        id: ElementId(13),
        path: "Web/Delayed".into(),
        logical_id: None,
        kind: ElementKind::Resource(ResourceSpec {
            type_name: "AWS::SQS::Queue".into(),
            properties: Value::map([("DelaySeconds", Value::from(5))]),
            depends_on: vec![ElementId(12)],
            deletion_policy: Some(RemovalPolicy::Retain),
            update_replace_policy: Some(RemovalPolicy::Snapshot),
            metadata: [
                (
                    "Note".to_owned(),
                    Value::map([("a", Value::List(vec![Value::from(1.5)]))]),
                ),
                ("berth:path".to_owned(), Value::from("set by hand")),
                ("Empty".to_owned(), Value::List(vec![])),
            ]
            .into_iter()
            .collect(),
            ..Default::default()
        }),
    });
    let app = AppSpec {
        stacks: vec![base, web],
        ..Default::default()
    };
    let opts = SynthOptions::default();
    for format in [TemplateFormat::Json, TemplateFormat::Yaml] {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        let out = synthesize(&app, &opts).unwrap();
        write(&a, &out, &app.tree, format).unwrap();
        let written = synthesize_to(&b, &app, &opts, format).unwrap();
        assert_eq!(files(&a), files(&b));
        if format == TemplateFormat::Json {
            let web: Json = read_json(&b.join("Web.template.json"));
            let delayed = &web["Resources"]["Delayed"];
            assert_eq!(delayed["DependsOn"], serde_json::json!(["Param"]));
            assert_eq!(delayed["UpdateReplacePolicy"], "Snapshot");
            assert_eq!(delayed["Metadata"]["berth:path"], "Web/Delayed");
        }
        assert_eq!(written.stacks, ["Base", "Web"]);
        assert_eq!(written.diagnostics, out.diagnostics);
        // The manifest, written stack by stack on parallel workers, is what serde
        // writes for the manifest view (dependencies, assets, description included).
        let mut expected = serde_json::to_vec_pretty(&manifest(&out, format)).unwrap();
        expected.push(b'\n');
        assert_eq!(
            String::from_utf8(manifest_bytes(&out, format)).unwrap(),
            String::from_utf8(expected).unwrap()
        );
        assert_eq!(
            fs::read(a.join("manifest.json")).unwrap(),
            manifest_bytes(&out, format)
        );
    }
}

#[test]
fn streaming_writes_nothing_when_synth_fails() {
    let app = AppSpec {
        stacks: vec![stack(0, "bad_name", vec![])],
        ..Default::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let err = synthesize_to(&out, &app, &SynthOptions::default(), TemplateFormat::Json);
    assert!(matches!(err, Err(SynthError::Invalid(_))));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn tree_json_is_compact_like_cdk_and_holds_the_tree() {
    let leaf = |id: &str, path: &str, cfn: Option<&str>| TreeNode {
        id: id.into(),
        path: path.into(),
        fqn: "berth.CfnResource".into(),
        cfn_type: cfn.map(Into::into),
        children: vec![],
    };
    let root = TreeNode {
        id: "App".into(),
        path: String::new(),
        fqn: "berth.App".into(),
        cfn_type: None,
        children: vec![
            TreeNode {
                id: "Stack".into(),
                path: "Stack".into(),
                fqn: "berth.Stack".into(),
                cfn_type: None,
                children: vec![
                    leaf("Bucket", "Stack/Bucket", Some("AWS::S3::Bucket")),
                    leaf("from \"a\\b\"\t:80 é", "Stack/from \"a\\b\"\t:80 é", None),
                ],
            },
            leaf("Empty", "Empty", None),
        ],
    };
    let mut written = Vec::new();
    write_tree(&mut written, &root).unwrap();
    let text = String::from_utf8(written).unwrap();
    // Compact, as CDK writes it, and what the view serializes to.
    assert_eq!(text, serde_json::to_string(&tree(&root)).unwrap());
    assert!(!text.contains('\n'));
    let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed["version"], "tree-0.1");
    assert_eq!(
        parsed["tree"]["children"]["Stack"]["children"]["Bucket"]["attributes"]
            ["aws:cdk:cloudformation:type"],
        "AWS::S3::Bucket"
    );
    assert_eq!(
        parsed["tree"]["children"]["Stack"]["children"]["from \"a\\b\"\t:80 é"]["path"],
        "Stack/from \"a\\b\"\t:80 é"
    );
}
