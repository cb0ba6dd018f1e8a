//! `berth init`: the generated projects build, synthesize and pass their own tests.

use std::path::{Path, PathBuf};
use std::process::Command;

use berth_cli::exit;

use crate::common::run;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

#[test]
fn init_refuses_a_non_empty_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.txt"), "x").unwrap();
    let r = run(dir.path(), None, &["init"]);
    assert_eq!(r.code, exit::USAGE);
    assert!(r.err.contains("is not empty"), "{}", r.err);
    assert!(!dir.path().join("Cargo.toml").exists());
}

/// The generated apps are built from the L2 constructs and patterns, not raw resources,
/// and their `main` builds the app inside `berth::run_with`.
#[test]
fn templates_use_the_constructs() {
    use berth_cli::cli::InitTemplate;
    use berth_cli::commands::init::render;
    for (kind, uses) in [
        (
            InitTemplate::Web,
            "ApplicationLoadBalancedFargateService::new(",
        ),
        (InitTemplate::Worker, "FargateService::new("),
        (InitTemplate::Scheduled, "ScheduledFargateTask::new("),
    ] {
        let files = render(kind, "my-app", "{ path = \"/x\" }", "cargo install X").unwrap();
        let file = |name: &str| {
            files
                .iter()
                .find(|(p, _)| p == Path::new(name))
                .map(|(_, text)| text.as_str())
                .unwrap_or_else(|| panic!("{kind:?}: no {name}"))
        };
        let lib = file("src/lib.rs");
        for raw in ["RawProperties", "add_resource", "Value::map", "serde_json"] {
            assert!(
                !lib.contains(raw),
                "{kind:?}: src/lib.rs uses {raw}:\n{lib}"
            );
        }
        assert!(
            lib.contains("Vpc::new(") && lib.contains("Cluster::new("),
            "{kind:?}"
        );
        assert!(
            lib.contains(uses),
            "{kind:?}: src/lib.rs does not use {uses}:\n{lib}"
        );
        assert!(
            file("src/main.rs").contains("berth::run_with(my_app::app)"),
            "{kind:?}"
        );
    }
}

/// Generates each template into a temp dir (berth as a path dependency on this
/// workspace, this workspace's Cargo.lock so versions match) and runs its tests with
/// `cargo test`: the projects are lean by default (their dependency tree has no AWS
/// SDK; their `cli` feature would add it). The generated projects share one target
/// directory under this workspace's.
#[test]
fn generated_projects_build_synthesize_and_pass_their_tests() {
    let root = workspace_root();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("berth-init-projects");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let parent = tempfile::tempdir().unwrap();
    for template in ["web", "worker", "scheduled"] {
        let name = format!("my-{template}-app");
        let r = run(
            parent.path(),
            None,
            &[
                "init",
                "--template",
                template,
                &name,
                "--berth-path",
                root.to_str().unwrap(),
            ],
        );
        assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
        let project = parent.path().join(&name);
        for f in [
            "Cargo.toml",
            "berth.toml",
            ".gitignore",
            "src/main.rs",
            "src/lib.rs",
            "tests/stack.rs",
            "README.md",
            ".cargo/config.toml",
        ] {
            assert!(project.join(f).is_file(), "{template}: {f} missing");
        }
        if root.join("Cargo.lock").is_file() {
            std::fs::copy(root.join("Cargo.lock"), project.join("Cargo.lock")).unwrap();
        }
        let readme = std::fs::read_to_string(project.join("README.md")).unwrap();
        let install = format!(
            "cargo install --locked --path {}\ncargo run\n",
            root.join("cli").display()
        );
        assert!(readme.contains(&install), "{template}: {readme}");
        // Lean: nothing of the AWS SDK among the dependencies of the default build.
        let tree = Command::new(&cargo)
            .args(["tree", "--quiet", "-e", "normal,dev", "--prefix", "none"])
            .current_dir(&project)
            .env_remove("CARGO_MANIFEST_DIR")
            .output()
            .expect("run cargo tree in the generated project");
        let tree = String::from_utf8_lossy(&tree.stdout);
        assert!(tree.contains("berth-synth"), "{template}: {tree}");
        assert!(
            !tree
                .lines()
                .any(|l| l.starts_with("aws-") || l.starts_with("berth-cli")),
            "{template}: the default build has the SDK:\n{tree}"
        );
        // Twice: the first run records the snapshot (the project's .cargo/config.toml
        // sets INSTA_UPDATE=unseen), the second compares against it.
        for round in ["first", "second"] {
            let output = Command::new(&cargo)
                .args(["test", "--quiet"])
                .current_dir(&project)
                .env("CARGO_TARGET_DIR", &target)
                .env_remove("CARGO_MANIFEST_DIR")
                .env_remove("RUSTFLAGS")
                .env_remove("INSTA_UPDATE")
                .output()
                .expect("run cargo test in the generated project");
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            assert!(
                output.status.success(),
                "{template}: {round} cargo test failed:\n{text}"
            );
            assert!(text.contains("test result: ok"), "{template}:\n{text}");
        }
        let snap_dir = project.join("tests/snapshots");
        let snapshots: Vec<_> = std::fs::read_dir(&snap_dir)
            .expect("the snapshot test wrote tests/snapshots")
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            !snapshots.iter().any(|f| f.ends_with(".snap.new")),
            "{template}: {snapshots:?}"
        );
        let recorded: Vec<&String> = snapshots.iter().filter(|f| f.ends_with(".snap")).collect();
        assert_eq!(recorded.len(), 1, "{template}: {snapshots:?}");
        let snap = snap_dir.join(recorded[0]);
        let content = std::fs::read_to_string(&snap).unwrap();
        // What the project recorded on its first run is what it must record: the
        // template of the generated app (the snapshot's header names the test file).
        let body = content
            .split_once("\n---\n")
            .map(|(_, body)| body)
            .unwrap_or_else(|| panic!("{template}: no insta header in {content}"));
        insta::assert_snapshot!(format!("init_{template}_recorded_template"), body);
        // And the project's snapshot test fails when the template no longer matches.
        let changed = body.replacen("\"Type\": \"AWS::", "\"Type\": \"AWS::Changed", 1);
        assert_ne!(changed, body, "{template}: nothing to change in {body}");
        std::fs::write(&snap, content.replace(body, &changed)).unwrap();
        let output = Command::new(&cargo)
            .args(["test", "--quiet", "--no-default-features"])
            .current_dir(&project)
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("CARGO_MANIFEST_DIR")
            .env_remove("RUSTFLAGS")
            .env_remove("INSTA_UPDATE")
            .output()
            .expect("run cargo test in the generated project");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            !output.status.success() && text.contains("Snapshot"),
            "{template}: a changed snapshot did not fail the project's tests:\n{text}"
        );
        std::fs::write(&snap, &content).unwrap();
        for f in std::fs::read_dir(&snap_dir).unwrap() {
            let f = f.unwrap().path();
            if f.to_string_lossy().ends_with(".snap.new") {
                std::fs::remove_file(f).unwrap();
            }
        }

        // The binary synthesizes into $BERTH_OUTDIR, which the CLI then reads as an app.
        let r = run(
            &project,
            None,
            &[
                "list",
                "--app",
                &format!("{}/debug/{name}", target.display()),
            ],
        );
        assert_eq!(r.code, exit::OK, "{template}: {}{}", r.out, r.err);
        let stack = berth_cli::commands::init::stack_name(&name);
        assert_eq!(r.out, format!("{stack}\n"), "{template}");
    }
}
