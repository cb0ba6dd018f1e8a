//! Commands that need no AWS: list, synth, diff --template, app discovery.

use crate::common::{materialize, run};
use berth_cli::exit;

#[test]
fn list_shows_deploy_order_and_dependencies() {
    let dir = materialize(&["app"], "demo");
    let r = run(dir.path(), None, &["list", "--app", "app"]);
    assert_eq!(r.code, exit::OK, "{}", r.err);
    insta::assert_snapshot!("list", r.out);
    let r = run(dir.path(), None, &["list", "--long", "--app", "app"]);
    insta::assert_snapshot!("list_long", r.out);
    let r = run(dir.path(), None, &["list", "--json", "--app", "app"]);
    let v: serde_json::Value = serde_json::from_str(&r.out).expect("json");
    assert_eq!(v[0]["id"], "Network");
    assert_eq!(v[1]["dependencies"][0], "Network");
    assert_eq!(v[1]["resources"], 10);
}

#[test]
fn synth_prints_one_stack_as_yaml_or_json() {
    let dir = materialize(&["app"], "demo");
    let r = run(dir.path(), None, &["synth", "Network", "--app", "app"]);
    assert_eq!(r.code, exit::OK, "{}", r.err);
    insta::assert_snapshot!("synth_network_yaml", r.out);
    let r = run(
        dir.path(),
        None,
        &["synth", "Web", "--json", "--app", "app"],
    );
    let v: serde_json::Value = serde_json::from_str(&r.out).expect("json");
    assert_eq!(
        v["Resources"]["ClusterEB0386A7"]["Type"],
        "AWS::ECS::Cluster"
    );
    // Several stacks: nothing on stdout, a summary on stderr.
    let r = run(dir.path(), None, &["synth", "--app", "app"]);
    assert_eq!(r.code, exit::OK);
    assert_eq!(r.out, "");
    assert!(r.err.contains("Synthesized 2 stacks"), "{}", r.err);
    let r = run(dir.path(), None, &["synth", "-q", "--app", "app"]);
    assert_eq!((r.code, r.out.as_str()), (exit::OK, ""));
}

#[test]
fn unknown_stack_is_an_app_error() {
    let dir = materialize(&["app"], "demo");
    let r = run(dir.path(), None, &["synth", "Nope", "--app", "app"]);
    assert_eq!(r.code, exit::APP);
    assert!(r.err.contains("no stack matches \"Nope\""), "{}", r.err);
}

#[test]
fn diff_against_a_template_file_marks_replacement_and_security() {
    let dir = materialize(&["single", "single-v2"], "demo");
    let r = run(
        dir.path(),
        None,
        &[
            "diff",
            "--app",
            "single-v2",
            "--template",
            "single/Service.template.json",
        ],
    );
    assert_eq!(r.code, exit::OK, "{}", r.err);
    // AWS::ECS::Cluster's create-only ClusterName comes from berth-cfn's vendored schemas.
    assert!(
        r.out
            .contains("(requires replacement: create-only property ClusterName)"),
        "{}",
        r.out
    );
    insta::assert_snapshot!("diff_template_file", r.out);
    let r = run(
        dir.path(),
        None,
        &[
            "diff",
            "--fail",
            "--app",
            "single-v2",
            "--template",
            "single/Service.template.json",
        ],
    );
    assert_eq!(r.code, exit::DIFFERENCES);
    let r = run(
        dir.path(),
        None,
        &[
            "diff",
            "--fail",
            "--app",
            "single",
            "--template",
            "single/Service.template.json",
        ],
    );
    assert_eq!(r.code, exit::OK);
    assert!(r.out.contains("There were no differences"), "{}", r.out);
}

#[test]
fn berth_toml_runs_the_app_command_with_berth_outdir() {
    let dir = materialize(&["single"], "demo");
    // The "app" copies the fixture into $BERTH_OUTDIR, as a real app would synthesize.
    std::fs::write(
        dir.path().join("berth.toml"),
        "app = \"cp single/* \\\"$BERTH_OUTDIR\\\"/\"\noutput = \"out\"\n",
    )
    .unwrap();
    let r = run(dir.path(), None, &["list"]);
    assert_eq!(r.code, exit::OK, "{}", r.err);
    assert_eq!(r.out, "Service (demo-Service)\n");
    assert!(dir.path().join("out/manifest.json").is_file());
}

#[test]
fn a_failing_app_command_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(
        dir.path(),
        None,
        &["list", "--app", "echo boom >&2; exit 3"],
    );
    assert_eq!(r.code, exit::APP);
    assert!(r.err.contains("boom"), "{}", r.err);
    let r = run(dir.path(), None, &["list"]);
    assert_eq!(r.code, exit::APP);
    assert!(r.err.contains("no app to run"), "{}", r.err);
}

#[test]
fn an_in_process_app_is_called_with_the_output_dir() {
    let dir = materialize(&["single"], "demo");
    let src = dir.path().join("single");
    let (session, out, err) = berth_cli::Session::captured();
    let code = session
        .cwd(dir.path())
        .synth(move |outdir: &std::path::Path| {
            for f in ["manifest.json", "Service.template.json"] {
                std::fs::copy(src.join(f), outdir.join(f))?;
            }
            Ok(())
        })
        .run(["berth", "list"]);
    assert_eq!(code, exit::OK, "{}", err.contents());
    assert_eq!(out.contents(), "Service (demo-Service)\n");
    assert!(dir.path().join("berth.out/manifest.json").is_file());
}

/// Runs the real binary with an empty environment (no AWS variables, an empty HOME),
/// so no request can leave the machine.
fn berth_without_aws(args: &[&str], extra_env: &[(&str, &str)]) -> (i32, String) {
    let dir = materialize(&["single"], "noaws");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_berth"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("AWS_CONFIG_FILE", home.join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("none"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .current_dir(dir.path())
        .args(args);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run berth");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn missing_region_or_credentials_give_a_one_line_hint() {
    let (code, err) = berth_without_aws(&["diff", "--app", "single"], &[]);
    assert_eq!(code, i32::from(exit::AWS), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("no AWS region configured: set AWS_REGION"),
        "{err}"
    );

    let (code, err) = berth_without_aws(
        &["deploy", "--app", "single", "--require-approval", "never"],
        &[("AWS_REGION", "us-east-1")],
    );
    assert_eq!(code, i32::from(exit::AWS), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no AWS credentials found"), "{err}");
    assert!(err.contains("aws configure"), "{err}");
}

#[test]
fn diff_json_lists_changes_per_stack() {
    let dir = materialize(&["single", "single-v2"], "demo");
    let r = run(
        dir.path(),
        None,
        &[
            "diff",
            "--json",
            "--app",
            "single-v2",
            "--template",
            "single/Service.template.json",
        ],
    );
    assert_eq!(r.code, exit::OK, "{}", r.err);
    let v: serde_json::Value = serde_json::from_str(&r.out).expect("json");
    let d = &v["demo-Service"];
    assert_eq!(d["resources"][0]["logical_id"], "ClusterEB0386A7");
    assert_eq!(d["resources"][0]["replacement"], true);
    assert_eq!(
        d["resources"][0]["properties"][0]["replaced_by"],
        "ClusterName"
    );
    assert_eq!(
        d["security"]["rules_added"][0]["summary"],
        "ingress tcp 8080 from 10.0.0.0/16"
    );
}

#[test]
fn diff_renders_list_changes_line_by_line_and_nested_replacements() {
    let dir = crate::common::fixture("arrays");
    let r = run(
        &dir,
        None,
        &["diff", "--app", "app", "--template", "old.template.json"],
    );
    assert_eq!(r.code, exit::OK, "{}", r.err);
    assert!(
        r.out.contains("+ ingress tcp 443 from 0.0.0.0/0"),
        "{}",
        r.out
    );
    insta::assert_snapshot!("diff_lists_and_nested", r.out);
}

#[test]
fn diff_shows_a_strategy_change_in_place_and_warns_when_the_service_is_replaced() {
    let dir = crate::common::fixture("strategy");
    let diff = |old: &str| {
        let r = run(&dir, None, &["diff", "--app", "app", "--template", old]);
        assert_eq!(r.code, exit::OK, "{}", r.err);
        r.out
    };
    let out = diff("rolling.template.json");
    assert!(!out.contains("(replace)"), "{out}");
    insta::assert_snapshot!("diff_strategy_in_place", out);

    let out = diff("other-cluster.template.json");
    assert!(out.contains("would be replaced (Cluster changed)"), "{out}");
    insta::assert_snapshot!("diff_service_replaced", out);
}

/// An app command run again into the same output directory finds its previous
/// assembly in place (the app's synth replaces it; berth no longer deletes the
/// manifest first, which made berth's own synth refuse the directory), and an app
/// that writes nothing new is still caught although an old manifest is there.
#[test]
fn an_app_command_writes_over_its_previous_assembly() {
    let dir = materialize(&["app"], "demo");
    // The app: refuses, as berth's synth does, a directory that holds files but no
    // manifest, then copies the fixture assembly into $BERTH_OUTDIR as new files (each
    // renamed into place, as berth's directory sink commits).
    let app = r#"[ -z "$(ls -A "$BERTH_OUTDIR")" ] || [ -f "$BERTH_OUTDIR/manifest.json" ] || { echo "refusing: files but no manifest" >&2; exit 1; }; for f in app/*; do cp "$f" "$BERTH_OUTDIR/.new" && mv "$BERTH_OUTDIR/.new" "$BERTH_OUTDIR/${f#app/}"; done"#;
    for round in 1..=2 {
        let r = run(dir.path(), None, &["list", "--app", app, "--output", "out"]);
        assert_eq!(r.code, exit::OK, "round {round}: {}", r.err);
        assert!(r.out.contains("Network"), "round {round}: {}", r.out);
    }
    assert!(dir.path().join("out/manifest.json").is_file());
    let r = run(
        dir.path(),
        None,
        &["list", "--app", "true", "--output", "out"],
    );
    assert_eq!(r.code, exit::APP, "{}", r.err);
    assert!(
        r.err.contains("the app finished without writing"),
        "{}",
        r.err
    );
    assert!(
        dir.path().join("out/manifest.json").is_file(),
        "nothing deleted"
    );
}
