//! Corrupted or hostile cloud assemblies: every path that `manifest.json` or an asset
//! manifest names must stay inside the assembly directory and be what it claims to be;
//! asset ids, tags and repository names must be what berth and CDK write; stack names
//! must be unique. Each refusal is an app error (exit 3) naming the file, the artifact
//! and the path, and nothing is read, built or deployed.

use std::path::Path;

use berth_cli::exit;
use serde_json::{json, Value};

use crate::common::{run, run_with, Run};

const ASSET: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// An assembly in `root/app` with one stack `Web` (and its template), plus an asset
/// manifest when `assets` is given; `edit` changes the manifest before it is written.
fn assembly(root: &Path, assets: Option<Value>, edit: impl FnOnce(&mut Value)) {
    let dir = root.join("app");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("Web.template.json"),
        r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}"#,
    )
    .unwrap();
    let mut manifest = json!({
        "version": "55.0.0",
        "artifacts": {
            "Web": {
                "type": "aws:cloudformation:stack",
                "environment": "aws://unknown-account/unknown-region",
                "properties": {"templateFile": "Web.template.json"}
            }
        }
    });
    if let Some(assets) = assets {
        std::fs::write(dir.join("Web.assets.json"), assets.to_string()).unwrap();
        manifest["artifacts"]["Web.assets"] =
            json!({"type": "cdk:asset-manifest", "properties": {"file": "Web.assets.json"}});
        manifest["artifacts"]["Web"]["dependencies"] = json!(["Web.assets"]);
        std::fs::create_dir_all(dir.join(format!("asset.{ASSET}"))).unwrap();
        std::fs::write(
            dir.join(format!("asset.{ASSET}/Dockerfile")),
            "FROM scratch\n",
        )
        .unwrap();
    }
    edit(&mut manifest);
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
}

fn image(id: &str, directory: &str, dockerfile: &str) -> Value {
    json!({
        "version": "55.0.0",
        "dockerImages": {id: {
            "displayName": "Web/Image",
            "source": {"directory": directory, "dockerFile": dockerfile},
            "destinations": {"current_account-current_region": {
                "repositoryName": "berth-assets-berthtoolkit", "imageTag": id}}
        }}
    })
}

fn list(root: &Path) -> Run {
    run(root, None, &["list", "--app", "app"])
}

fn refused(r: &Run, expected: &str) {
    assert_eq!(r.code, exit::APP, "stdout:\n{}\nstderr:\n{}", r.out, r.err);
    assert!(
        r.err.contains(expected),
        "expected {expected:?} in:\n{}",
        r.err
    );
    assert_eq!(r.out, "", "nothing listed");
}

#[test]
fn a_sound_assembly_with_an_image_asset_is_read() {
    let root = tempfile::tempdir().unwrap();
    assembly(
        root.path(),
        Some(image(ASSET, &format!("asset.{ASSET}"), "Dockerfile")),
        |_| {},
    );
    let r = list(root.path());
    assert_eq!(r.code, exit::OK, "{}", r.err);
    assert_eq!(r.out, "Web\n");
}

#[test]
fn a_template_outside_the_assembly_is_refused() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(
        root.path().join("outside.template.json"),
        r#"{"Resources": {}}"#,
    )
    .unwrap();
    assembly(root.path(), None, |m| {
        m["artifacts"]["Web"]["properties"]["templateFile"] = json!("../outside.template.json");
    });
    let app = root.path().join("app");
    refused(
        &list(root.path()),
        &format!(
            "manifest.json: templateFile `../outside.template.json` of artifact Web is refused: `..` is not allowed (every path an assembly names must be a regular file inside {})",
            app.display()
        ),
    );
}

#[test]
fn absolute_paths_and_devices_are_refused() {
    for path in ["/etc/passwd", "/dev/zero"] {
        let root = tempfile::tempdir().unwrap();
        assembly(root.path(), None, |m| {
            m["artifacts"]["Web"]["properties"]["templateFile"] = json!(path);
        });
        refused(
            &list(root.path()),
            &format!(
                "templateFile `{path}` of artifact Web is refused: absolute paths are not allowed"
            ),
        );
    }
}

#[test]
fn links_leaving_the_assembly_and_special_files_are_refused() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("secret.json"), r#"{"Resources": {}}"#).unwrap();
    assembly(root.path(), None, |m| {
        m["artifacts"]["Web"]["properties"]["templateFile"] = json!("link.template.json");
    });
    let app = root.path().join("app");
    std::os::unix::fs::symlink(
        root.path().join("secret.json"),
        app.join("link.template.json"),
    )
    .unwrap();
    refused(
        &list(root.path()),
        "templateFile `link.template.json` of artifact Web is refused: it leads outside, to ",
    );

    // A link inside the assembly to a device, and a directory, are not regular files.
    std::fs::remove_file(app.join("link.template.json")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", app.join("link.template.json")).unwrap();
    refused(&list(root.path()), "it leads outside, to /dev/zero");
    std::fs::remove_file(app.join("link.template.json")).unwrap();
    std::fs::create_dir(app.join("link.template.json")).unwrap();
    refused(
        &list(root.path()),
        "templateFile `link.template.json` of artifact Web is refused: it is not a regular file",
    );
}

#[test]
fn an_asset_manifest_outside_the_assembly_is_refused() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(
        root.path().join("evil.assets.json"),
        image(ASSET, "/etc", "Dockerfile").to_string(),
    )
    .unwrap();
    assembly(
        root.path(),
        Some(image(ASSET, &format!("asset.{ASSET}"), "Dockerfile")),
        |m| m["artifacts"]["Web.assets"]["properties"]["file"] = json!("../evil.assets.json"),
    );
    refused(
        &list(root.path()),
        "manifest.json: file `../evil.assets.json` of artifact Web.assets is refused: `..` is not allowed",
    );
}

#[test]
fn a_build_context_outside_the_assembly_is_refused_before_docker_runs() {
    let root = tempfile::tempdir().unwrap();
    assembly(
        root.path(),
        Some(image(ASSET, "/etc", "Dockerfile")),
        |_| {},
    );
    let expected = format!(
        "Web.assets.json: source.directory `/etc` of image asset {ASSET} is refused: absolute paths are not allowed"
    );
    refused(&list(root.path()), &expected);
    // `publish` reads the same assembly: it refuses before it runs docker.
    let tools = tempfile::tempdir().unwrap();
    let docker = tools.path().join("docker");
    std::fs::write(
        &docker,
        format!("#!/bin/sh\ntouch {}/ran\n", tools.path().display()),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let program = docker.display().to_string();
    let r = run_with(root.path(), None, &["publish", "--app", "app"], move |s| {
        s.docker(&program)
    });
    assert_eq!(r.code, exit::APP, "{}", r.err);
    assert!(r.err.contains(&expected), "{}", r.err);
    assert!(!tools.path().join("ran").exists(), "docker ran");
}

#[test]
fn a_dockerfile_outside_its_context_is_refused() {
    let root = tempfile::tempdir().unwrap();
    assembly(
        root.path(),
        Some(image(
            ASSET,
            &format!("asset.{ASSET}"),
            "../Web.template.json",
        )),
        |_| {},
    );
    refused(
        &list(root.path()),
        &format!(
            "Web.assets.json: source.dockerFile `../Web.template.json` of image asset {ASSET} is refused: `..` is not allowed"
        ),
    );
}

#[test]
fn asset_ids_tags_and_repositories_must_be_what_berth_writes() {
    // Not 64 hex digits (multi-byte characters once made `short_id` panic).
    let root = tempfile::tempdir().unwrap();
    assembly(
        root.path(),
        Some(image("aéééééé", &format!("asset.{ASSET}"), "Dockerfile")),
        |_| {},
    );
    refused(
        &list(root.path()),
        "Web.assets.json: image asset `aéééééé` is refused: an asset id must be 64 lowercase hexadecimal digits",
    );

    let mut bad_tag = image(ASSET, &format!("asset.{ASSET}"), "Dockerfile");
    bad_tag["dockerImages"][ASSET]["destinations"]["current_account-current_region"]["imageTag"] =
        json!("--privileged");
    let root = tempfile::tempdir().unwrap();
    assembly(root.path(), Some(bad_tag), |_| {});
    refused(
        &list(root.path()),
        "imageTag \"--privileged\" is not a Docker tag",
    );

    let mut bad_repo = image(ASSET, &format!("asset.{ASSET}"), "Dockerfile");
    bad_repo["dockerImages"][ASSET]["destinations"]["current_account-current_region"]
        ["repositoryName"] = json!("Evil/../repo");
    let root = tempfile::tempdir().unwrap();
    assembly(root.path(), Some(bad_repo), |_| {});
    refused(
        &list(root.path()),
        "repositoryName \"Evil/../repo\" is not an ECR repository name",
    );

    // CDK's placeholders are fine.
    let mut cdk = image(ASSET, &format!("asset.{ASSET}"), "Dockerfile");
    cdk["dockerImages"][ASSET]["destinations"]["current_account-current_region"]
        ["repositoryName"] =
        json!("cdk-hnb659fds-container-assets-${AWS::AccountId}-${AWS::Region}");
    let root = tempfile::tempdir().unwrap();
    assembly(root.path(), Some(cdk), |_| {});
    assert_eq!(list(root.path()).code, exit::OK);
}

#[test]
fn two_artifacts_with_the_same_stack_name_are_refused() {
    let root = tempfile::tempdir().unwrap();
    assembly(root.path(), None, |m| {
        m["artifacts"]["Web"]["properties"]["stackName"] = json!("shop");
        m["artifacts"]["Api"] = json!({
            "type": "aws:cloudformation:stack",
            "properties": {"templateFile": "Web.template.json", "stackName": "shop"}
        });
    });
    refused(
        &list(root.path()),
        "artifacts Web and Api both deploy the stack named shop: stack names must be unique in an assembly",
    );
    // The name of one and the id of another clash too.
    let root = tempfile::tempdir().unwrap();
    assembly(root.path(), None, |m| {
        m["artifacts"]["Api"] = json!({
            "type": "aws:cloudformation:stack",
            "properties": {"templateFile": "Web.template.json", "stackName": "Web"}
        });
    });
    refused(
        &list(root.path()),
        "artifacts Web and Api both deploy the stack named Web",
    );
}

#[test]
fn a_manifest_that_is_a_link_out_of_the_assembly_is_refused() {
    let root = tempfile::tempdir().unwrap();
    assembly(root.path(), None, |_| {});
    let app = root.path().join("app");
    std::fs::rename(app.join("manifest.json"), root.path().join("real.json")).unwrap();
    std::os::unix::fs::symlink(root.path().join("real.json"), app.join("manifest.json")).unwrap();
    refused(
        &list(root.path()),
        "manifest `manifest.json` of the assembly is refused: it leads outside",
    );
}

/// An in-process app of one stack, as `berth::run` hands it to the CLI.
fn one_stack_app(dir: &Path) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    use berth_synth::assembly::DirSink;
    use berth_synth::model::{AppSpec, ElementSpec, ResourceSpec, StackSpec};
    use berth_synth::ElementId;
    let app = AppSpec {
        stacks: vec![StackSpec {
            id: ElementId(0),
            path: "Hello".into(),
            name: "Hello".into(),
            elements: vec![ElementSpec::resource(
                ElementId(1),
                "Hello/Queue",
                ResourceSpec::of_type("AWS::SQS::Queue"),
            )],
            ..Default::default()
        }],
        ..Default::default()
    };
    let sink = DirSink::create(dir)?;
    berth_synth::synthesize::synthesize(&app, &Default::default(), &sink)?;
    sink.commit()?;
    Ok(())
}

#[test]
fn synth_into_a_directory_of_user_files_is_refused_and_keeps_them() {
    // `cargo run --example hello -- synth -o p2` once deleted p2/keep.txt.
    let root = tempfile::tempdir().unwrap();
    let p2 = root.path().join("p2");
    std::fs::create_dir(&p2).unwrap();
    std::fs::write(p2.join("keep.txt"), "mine").unwrap();
    let r = run_with(root.path(), None, &["synth", "-o", "p2"], |s| {
        s.synth(one_stack_app)
    });
    assert_eq!(r.code, exit::APP, "{}{}", r.out, r.err);
    assert!(
        r.err.contains(&format!(
            "refusing to write the cloud assembly to {}: it is not empty and holds no cloud assembly (no manifest.json); it holds keep.txt",
            p2.display()
        )),
        "{}",
        r.err
    );
    assert_eq!(std::fs::read(p2.join("keep.txt")).unwrap(), b"mine");
    assert_eq!(std::fs::read_dir(&p2).unwrap().count(), 1);
    // The project directory itself (`-o .`) is refused the same way.
    std::fs::write(root.path().join("Cargo.toml"), "[package]\n").unwrap();
    let r = run_with(root.path(), None, &["synth", "-o", "."], |s| {
        s.synth(one_stack_app)
    });
    assert_eq!(r.code, exit::APP, "{}{}", r.out, r.err);
    assert!(r.err.contains("it holds Cargo.toml, p2"), "{}", r.err);
    // An empty or new directory is fine, and so is synthesizing over it again.
    for _ in 0..2 {
        let r = run_with(root.path(), None, &["synth", "-q", "-o", "fresh"], |s| {
            s.synth(one_stack_app)
        });
        assert_eq!(r.code, exit::OK, "{}", r.err);
    }
    assert!(root.path().join("fresh/Hello.template.json").is_file());
}
