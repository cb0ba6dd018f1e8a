use crate::asset::{fingerprint, DockerBuildOptions};
use crate::model::{
    AppSpec, DockerImageAssetSpec, ElementKind, ElementSpec, RemovalPolicy, ResourceSpec,
    StackSpec, TreeNode,
};
use crate::synthesize::{synthesize, SynthOptions, Synthesis};
use crate::value::{ElementId, Value};
use crate::SynthError;
use berth_assembly::manifest::Manifest;
use berth_assembly::tree::TreeWriter;
use berth_assembly::{DirSink, MemorySink, TemplateFormat};
use serde_json::{json, Value as Json};
use std::fs;
use std::path::{Path, PathBuf};

/// Synthesizes `app` into the assembly directory `dir`.
fn write(app: &AppSpec, dir: &Path, format: TemplateFormat) -> crate::error::Result<Synthesis> {
    let sink = DirSink::create(dir)?;
    let options = SynthOptions {
        format,
        ..Default::default()
    };
    let done = synthesize(app, &options, &sink)?;
    sink.commit()?;
    Ok(done)
}

/// Synthesizes `app` in memory.
fn in_memory(app: &AppSpec) -> crate::error::Result<Synthesis> {
    synthesize(app, &SynthOptions::default(), &MemorySink::new())
}

fn stack(id: u32, name: &str, assets: Vec<DockerImageAssetSpec>) -> StackSpec {
    StackSpec {
        id: ElementId(id),
        path: name.into(),
        name: name.into(),
        elements: vec![ElementSpec {
            id: ElementId(id + 1),
            path: format!("{name}/Queue"),
            logical_id: None,
            kind: ElementKind::Resource(ResourceSpec::of_type("AWS::SQS::Queue")),
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
        .join("../assembly/schemas/cloud-assembly")
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
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("berth.out");
    write(&app, &dir, TemplateFormat::Json).unwrap();

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
    let dir = tempfile::tempdir().unwrap();
    write(&app, dir.path(), TemplateFormat::Json).unwrap();
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
    let dir = tempfile::tempdir().unwrap();
    write(&app, dir.path(), TemplateFormat::Json).unwrap();
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
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("berth.out");
    // The files change after the app fingerprinted them.
    fs::write(img.path().join("index.html"), "<h1>changed</h1>\n").unwrap();
    let err = write(&app, &dir, TemplateFormat::Json).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "image asset Web/Image: the files in {} changed during synthesis; synthesize again",
            img.path().display()
        )
    );
    fs::remove_file(img.path().join("Dockerfile")).unwrap();
    let err = write(&app, &dir, TemplateFormat::Json).unwrap_err();
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
    let err = in_memory(&app).unwrap_err();
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

/// The oracle for a JSON file of the assembly: what serde_json writes for what it
/// holds (pretty, with the final newline; `tree.json` and `cdk.out` compact).
fn assert_written_as_serde_json_writes(name: &str, bytes: &[u8]) {
    let v: Json = serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    let expected = if name == "tree.json" {
        serde_json::to_string(&v).unwrap()
    } else if name == "cdk.out" {
        format!("{}\n", serde_json::to_string(&v).unwrap())
    } else {
        format!("{}\n", serde_json::to_string_pretty(&v).unwrap())
    };
    assert_eq!(String::from_utf8_lossy(bytes), expected, "{name}");
}

#[test]
fn every_sink_gets_the_bytes_serde_json_writes() {
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
    web.elements.push(ElementSpec::resource(
        ElementId(12),
        "Web/Param",
        ResourceSpec::of_type("AWS::SSM::Parameter"),
    ));
    // Every member of a resource entry, and metadata with a `berth:path` set by hand
    // (replaced in its place).
    web.elements.push(ElementSpec::resource(
        ElementId(13),
        "Web/Delayed",
        ResourceSpec {
            type_name: "AWS::SQS::Queue".into(),
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
        },
    ));
    let mut app = AppSpec {
        stacks: vec![base, web],
        ..Default::default()
    };
    app.properties.insert(
        ElementId(12),
        Value::map([
            ("Type", Value::from("String")),
            ("Value", Value::get_att(ElementId(1), "Arn")),
            ("Description", Value::ref_to(ElementId(11))),
        ]),
    );
    app.properties.insert(
        ElementId(13),
        Value::map([("DelaySeconds", Value::from(5))]),
    );
    app.tree = TreeNode {
        id: "App".into(),
        fqn: "berth.App".into(),
        ..Default::default()
    };
    for format in [TemplateFormat::Json, TemplateFormat::Yaml] {
        let dir = tempfile::tempdir().unwrap();
        let done = write(&app, dir.path(), format).unwrap();
        let memory = MemorySink::new();
        let options = SynthOptions {
            format,
            ..Default::default()
        };
        let in_memory = synthesize(&app, &options, &memory).unwrap();
        assert_eq!(
            in_memory.stacks.iter().map(|s| &s.name).collect::<Vec<_>>(),
            ["Base", "Web"]
        );
        assert_eq!(done.diagnostics, in_memory.diagnostics);
        // The memory sink has the directory's files, but the staged build context.
        let memory = memory.into_files();
        let on_disk: Vec<(PathBuf, Vec<u8>)> = files(dir.path())
            .into_iter()
            .filter(|(p, _)| !p.starts_with(format!("asset.{}", app.stacks[1].assets[0].hash)))
            .collect();
        let kept: Vec<(PathBuf, Vec<u8>)> = memory
            .iter()
            .map(|(k, v)| (PathBuf::from(k), v.clone()))
            .collect();
        assert_eq!(on_disk, kept);
        for (name, bytes) in &memory {
            if !name.ends_with(".yaml") {
                assert_written_as_serde_json_writes(name, bytes);
            }
        }
        let template_file = format.file_name("Web");
        let web: Json =
            berth_assembly::template::parse_value(&memory[&template_file], format).unwrap();
        let delayed = &web["Resources"]["Delayed"];
        assert_eq!(delayed["DependsOn"], json!(["Param"]));
        assert_eq!(delayed["UpdateReplacePolicy"], "Snapshot");
        assert_eq!(
            delayed["Metadata"],
            json!({"Note": {"a": [1.5]}, "berth:path": "Web/Delayed", "Empty": []})
        );
        // The manifest reads back into the types it was written from.
        let manifest: Manifest = serde_json::from_slice(&memory["manifest.json"]).unwrap();
        let ids: Vec<&String> = manifest.artifacts.keys().collect();
        assert_eq!(ids, ["Tree", "Base", "Web.assets", "Web"]);
        let base = manifest.artifacts["Base"].stack_properties().unwrap();
        assert_eq!(base.template_file, format.file_name("Base"));
        assert_eq!(base.description.as_deref(), Some("the \"base\" stack é"));
        assert_eq!(base.termination_protection, Some(true));
        assert_eq!(
            base.tags.keys().collect::<Vec<_>>(),
            ["team", "env"],
            "tags in the order set"
        );
        assert_eq!(
            manifest.artifacts["Web"].dependencies,
            ["Base", "Web.assets"]
        );
        let metadata = manifest.artifacts["Web"]
            .metadata
            .as_ref()
            .unwrap()
            .entries();
        assert_eq!(metadata["/Web/Delayed"][0].data, "Delayed");
    }
}

#[test]
fn a_failed_synthesis_writes_nothing() {
    let app = AppSpec {
        stacks: vec![stack(0, "bad_name", vec![])],
        ..Default::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let err = write(&app, &out, TemplateFormat::Json);
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
    let mut tree = TreeWriter::new(&mut written);
    root.write(&mut tree).unwrap();
    tree.finish().unwrap();
    assert_written_as_serde_json_writes("tree.json", &written);
    let parsed: Json = serde_json::from_slice(&written).unwrap();
    let info = |fqn: &str| json!({"fqn": fqn, "version": env!("CARGO_PKG_VERSION")});
    assert_eq!(
        parsed,
        json!({"version": "tree-0.1", "tree": {
            "id": "App", "path": "", "children": {
                "Stack": {"id": "Stack", "path": "Stack", "children": {
                    "Bucket": {"id": "Bucket", "path": "Stack/Bucket",
                        "attributes": {"aws:cdk:cloudformation:type": "AWS::S3::Bucket"},
                        "constructInfo": info("berth.CfnResource")},
                    "from \"a\\b\"\t:80 é": {"id": "from \"a\\b\"\t:80 é",
                        "path": "Stack/from \"a\\b\"\t:80 é", "constructInfo": info("berth.CfnResource")}
                }, "constructInfo": info("berth.Stack")},
                "Empty": {"id": "Empty", "path": "Empty", "constructInfo": info("berth.CfnResource")}
            }, "constructInfo": info("berth.App")
        }})
    );
}

/// One stack app whose stacks are named `names`.
fn app_of(names: &[&str]) -> AppSpec {
    AppSpec {
        stacks: names
            .iter()
            .enumerate()
            .map(|(i, n)| stack(10 * i as u32, n, vec![]))
            .collect(),
        ..Default::default()
    }
}

fn synth_into(dir: &Path, names: &[&str]) -> crate::error::Result<Synthesis> {
    write(&app_of(names), dir, TemplateFormat::Json)
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn synth_refuses_a_directory_of_user_files_and_touches_nothing() {
    let root = tempfile::tempdir().unwrap();
    let project = root.path().join("project");
    fs::create_dir_all(project.join("src")).unwrap();
    fs::write(project.join("src/main.rs"), "fn main() {}\n").unwrap();
    fs::write(project.join("NOTES.md"), "mine\n").unwrap();
    fs::write(project.join("Cargo.toml"), "[package]\n").unwrap();
    let before = files(&project);
    for dir in [project.clone(), project.join(".")] {
        let err = synth_into(&dir, &["App"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "refusing to write the cloud assembly to {}: it is not empty and holds no cloud \
                 assembly (no manifest.json); it holds Cargo.toml, NOTES.md, src. berth writes \
                 only into an empty or new directory, or over an assembly it or CDK wrote: \
                 choose another output directory (e.g. berth.out)",
                dir.display()
            )
        );
        assert_eq!(
            files(&project),
            before,
            "nothing changed in {}",
            dir.display()
        );
        assert_eq!(
            names_in(root.path()),
            ["project"],
            "nothing written beside it"
        );
    }
    // Its subdirectory with files is refused the same way.
    let err = synth_into(&project.join("src"), &["App"]).unwrap_err();
    assert!(err.to_string().contains("it holds main.rs"), "{err}");
    assert_eq!(files(&project), before);
}

#[test]
fn synth_names_at_most_five_entries_and_counts_the_rest() {
    let root = tempfile::tempdir().unwrap();
    for i in 0..8 {
        fs::write(root.path().join(format!("f{i}.txt")), "x").unwrap();
    }
    let err = synth_into(root.path(), &["App"]).unwrap_err();
    assert!(
        err.to_string()
            .contains("it holds f0.txt, f1.txt, f2.txt, f3.txt, f4.txt and 3 more."),
        "{err}"
    );
}

#[test]
fn synth_refuses_a_symlink_and_a_file() {
    let root = tempfile::tempdir().unwrap();
    let elsewhere = root.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    fs::write(elsewhere.join("keep.txt"), "mine").unwrap();
    let link = root.path().join("out");
    std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
    let err = synth_into(&link, &["App"]).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "refusing to write the cloud assembly to {}: it is a symbolic link (to {}); give the directory itself",
            link.display(),
            elsewhere.display()
        )
    );
    assert_eq!(names_in(&elsewhere), ["keep.txt"]);
    // A link to an empty directory is refused too: the link is not replaced.
    fs::remove_file(elsewhere.join("keep.txt")).unwrap();
    assert!(synth_into(&link, &["App"]).is_err());
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(names_in(&elsewhere).is_empty());

    let file = root.path().join("file");
    fs::write(&file, "mine").unwrap();
    let err = synth_into(&file, &["App"]).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("it exists and is not a directory"),
        "{err}"
    );
    assert_eq!(fs::read(&file).unwrap(), b"mine");
}

#[test]
fn synth_writes_into_an_empty_directory_in_place() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("out");
    fs::create_dir(&dir).unwrap();
    synth_into(&dir, &["App"]).unwrap();
    assert_eq!(
        names_in(&dir),
        ["App.template.json", "cdk.out", "manifest.json", "tree.json"]
    );
    assert_eq!(names_in(root.path()), ["out"], "no staging left beside it");
    // `dir/.` (as `-o .` inside it) is the same directory.
    synth_into(&dir.join("."), &["App"]).unwrap();
    assert_eq!(
        names_in(&dir),
        ["App.template.json", "cdk.out", "manifest.json", "tree.json"]
    );
}

#[test]
fn replacing_a_previous_assembly_removes_only_what_it_holds() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("berth.out");
    synth_into(&dir, &["Old", "Kept"]).unwrap();
    fs::write(dir.join("keep.txt"), "mine").unwrap();
    fs::create_dir(dir.join("notes")).unwrap();
    fs::write(dir.join("notes/a.md"), "mine").unwrap();
    // A leftover of a killed synth goes too.
    fs::create_dir(dir.join(".berth-staging-1")).unwrap();
    synth_into(&dir, &["Kept", "New"]).unwrap();
    assert_eq!(
        names_in(&dir),
        [
            "Kept.template.json",
            "New.template.json",
            "cdk.out",
            "keep.txt",
            "manifest.json",
            "notes",
            "tree.json"
        ]
    );
    assert_eq!(fs::read(dir.join("keep.txt")).unwrap(), b"mine");
    assert_eq!(fs::read(dir.join("notes/a.md")).unwrap(), b"mine");
    let manifest = read_json(&dir.join("manifest.json"));
    assert!(manifest["artifacts"].get("Old").is_none());
    assert!(manifest["artifacts"].get("New").is_some());
}

#[test]
fn a_previous_assembly_cannot_make_synth_remove_files_outside_it() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("berth.out");
    synth_into(&dir, &["App"]).unwrap();
    fs::write(root.path().join("precious.txt"), "mine").unwrap();
    let manifest = json!({
        "version": "55.0.0",
        "artifacts": {"App": {"type": "aws:cloudformation:stack",
            "properties": {"templateFile": "../precious.txt"}}}
    });
    fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
    let before = files(root.path());
    let err = synth_into(&dir, &["App"]).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "refusing to write the cloud assembly to {}: the previous assembly's manifest names \
             `../precious.txt`, which berth will not remove: `..` is not allowed",
            dir.display()
        )
    );
    assert_eq!(files(root.path()), before);
}

#[test]
fn a_manifest_that_is_not_an_assembly_is_refused() {
    let root = tempfile::tempdir().unwrap();
    fs::write(
        root.path().join("manifest.json"),
        r#"{"name": "my-web-app"}"#,
    )
    .unwrap();
    fs::write(root.path().join("index.js"), "").unwrap();
    let err = synth_into(root.path(), &["App"]).unwrap_err();
    assert!(
        err.to_string().contains(
            "its manifest.json is not a cloud assembly manifest (it has no `version` string and `artifacts` object)"
        ),
        "{err}"
    );
    assert_eq!(names_in(root.path()), ["index.js", "manifest.json"]);
}

#[test]
fn a_new_entry_never_replaces_a_file_the_previous_assembly_did_not_write() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("berth.out");
    synth_into(&dir, &["App"]).unwrap();
    fs::write(dir.join("Other.template.json"), "mine").unwrap();
    let err = synth_into(&dir, &["App", "Other"]).unwrap_err();
    assert!(
        err.to_string().contains(
            "the new assembly would replace Other.template.json, which the previous assembly's manifest does not name"
        ),
        "{err}"
    );
    assert_eq!(fs::read(dir.join("Other.template.json")).unwrap(), b"mine");
    assert_eq!(
        names_in(&dir),
        [
            "App.template.json",
            "Other.template.json",
            "cdk.out",
            "manifest.json",
            "tree.json"
        ]
    );
}

#[test]
fn an_assembly_written_by_cdk_is_replaced_with_its_asset_directories() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("cdk.out");
    fs::create_dir_all(dir.join("asset.1234")).unwrap();
    fs::create_dir_all(dir.join("asset.abcd")).unwrap();
    fs::write(dir.join("asset.abcd/Dockerfile"), "FROM scratch").unwrap();
    fs::write(dir.join("asset.1234/index.js"), "").unwrap();
    fs::write(dir.join("cdk.out"), r#"{"version":"48.0.0"}"#).unwrap();
    fs::write(dir.join("Web.template.json"), "{}").unwrap();
    fs::write(dir.join("tree.json"), "{}").unwrap();
    fs::write(
        dir.join("Web.assets.json"),
        json!({"version": "48.0.0",
            "files": {"1234": {"source": {"path": "asset.1234", "packaging": "zip"}}},
            "dockerImages": {"abcd": {"source": {"directory": "asset.abcd"}}}})
        .to_string(),
    )
    .unwrap();
    fs::write(
        dir.join("manifest.json"),
        json!({"version": "48.0.0", "artifacts": {
            "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}},
            "Web.assets": {"type": "cdk:asset-manifest", "properties": {"file": "Web.assets.json"}},
            "Web": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "Web.template.json"}}
        }})
        .to_string(),
    )
    .unwrap();
    fs::write(dir.join("README.md"), "mine").unwrap();
    synth_into(&dir, &["App"]).unwrap();
    assert_eq!(
        names_in(&dir),
        [
            "App.template.json",
            "README.md",
            "cdk.out",
            "manifest.json",
            "tree.json"
        ]
    );
}
