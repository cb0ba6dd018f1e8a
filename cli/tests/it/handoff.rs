//! A lean app (the `berth` facade without its `cli` feature) run with arguments writes
//! its assembly and hands the command line to the `berth` binary named by `BERTH_CLI`
//! (here: this package's own, `CARGO_BIN_EXE_berth`): same output, same exit code;
//! `watch` gets the command that rebuilds and re-runs the app; without a CLI the app
//! says how to install one and exits with 2.
//!
//! Each test generates a small app (one stack, one queue) into a temp dir, with berth as
//! a path dependency on this workspace, and builds it into the target directory the
//! `init` tests use (`$CARGO_TARGET_DIR/berth-init-projects`), so berth compiles once.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use berth_cli::exit;

use crate::common::unique_prefix;
use crate::e2e::{block, require_local_endpoint, sdk};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The target directory the generated projects share.
fn shared_target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
        .join("berth-init-projects")
}

fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// The app's `main`: stack `$HANDOFF_STACK` (default `Handoff`) with one queue whose
/// visibility timeout is `TIMEOUT`; with `HANDOFF_FAIL` set, a property of the wrong
/// type makes synthesis fail.
const MAIN: &str = r#"use berth::prelude::*;

fn main() -> std::process::ExitCode {
    let name = std::env::var("HANDOFF_STACK").unwrap_or_else(|_| "Handoff".into());
    let timeout = if std::env::var_os("HANDOFF_FAIL").is_some() {
        Value::from("soon")
    } else {
        Value::Int(TIMEOUT)
    };
    let mut app = App::new();
    let stack = Stack::new(&mut app, &name, StackProps::default()).unwrap();
    app.add_resource(
        stack,
        "Queue",
        RawProperties::new("AWS::SQS::Queue", Value::map([("VisibilityTimeout", timeout)])),
    )
    .unwrap();
    berth::run(app)
}
"#;

fn main_rs(timeout: u32) -> String {
    MAIN.replace("TIMEOUT", &timeout.to_string())
}

/// A generated lean app, built.
struct LeanApp {
    dir: tempfile::TempDir,
    name: String,
}

impl LeanApp {
    /// Generates and builds the app `handoff-<tag>` (a name of its own, so tests running
    /// in parallel never overwrite each other's binary).
    fn build(tag: &str) -> LeanApp {
        let dir = tempfile::tempdir().unwrap();
        let name = format!("handoff-{tag}");
        let root = workspace_root();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            format!(
                "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
                 [dependencies]\nberth = {{ path = {:?} }}\n\n\
                 [profile.dev]\ndebug = \"line-tables-only\"\n\n[profile.dev.package.\"*\"]\ndebug = false\n",
                root.display().to_string()
            ),
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/main.rs"), main_rs(30)).unwrap();
        std::fs::copy(root.join("Cargo.lock"), dir.path().join("Cargo.lock")).unwrap();
        let app = LeanApp { dir, name };
        let out = app
            .cargo(&["build", "--quiet"])
            .output()
            .expect("run cargo build");
        assert!(
            out.status.success(),
            "cargo build failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        app
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `cargo ARGS` in the project, with the shared target directory.
    fn cargo(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(cargo());
        cmd.args(args)
            .current_dir(self.path())
            .env("CARGO_TARGET_DIR", shared_target())
            .env_remove("CARGO_MANIFEST_DIR")
            .env_remove("RUSTFLAGS");
        cmd
    }

    fn binary(&self) -> PathBuf {
        shared_target().join("debug").join(&self.name)
    }

    /// The built app, run directly (as from a shell: no Cargo variables), in `cwd`,
    /// with `BERTH_CLI=cli` (none when `None`).
    fn run(&self, cwd: &Path, cli: Option<&Path>, args: &[&str]) -> Command {
        let mut cmd = Command::new(self.binary());
        cmd.args(args).current_dir(cwd);
        for var in [
            "CARGO",
            "CARGO_PKG_NAME",
            "CARGO_MANIFEST_DIR",
            "CARGO_MANIFEST_PATH",
            "BERTH_OUTDIR",
            "BERTH_CLI",
        ] {
            cmd.env_remove(var);
        }
        if let Some(cli) = cli {
            cmd.env("BERTH_CLI", cli);
        }
        cmd
    }
}

fn berth() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_berth"))
}

/// `berth ARGS` run directly in `cwd`.
fn berth_direct(cwd: &Path, args: &[&str]) -> Output {
    Command::new(berth())
        .args(args)
        .current_dir(cwd)
        .env_remove("BERTH_OUTDIR")
        .output()
        .expect("run berth")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_app_hands_its_command_line_to_the_cli_with_the_assembly_it_wrote() {
    let app = LeanApp::build("pass");
    let work = tempfile::tempdir().unwrap();
    let cwd = work.path();

    // `list --long`: the assembly lands in $BERTH_OUTDIR; the output is the CLI's own.
    let handed = app
        .run(cwd, Some(berth()), &["list", "--long"])
        .env("BERTH_OUTDIR", cwd.join("out"))
        .output()
        .unwrap();
    assert!(cwd.join("out/manifest.json").is_file());
    let direct = berth_direct(cwd, &["list", "--long", "--app", "out"]);
    assert_eq!(handed.status.code(), Some(0), "{}", text(&handed.stderr));
    assert_eq!(text(&handed.stdout), text(&direct.stdout));
    assert_eq!(text(&handed.stderr), text(&direct.stderr));
    assert!(
        text(&handed.stdout).starts_with("Handoff"),
        "{}",
        text(&handed.stdout)
    );

    // An error of the CLI: its message and exit code (3: unknown stack) pass through.
    let handed = app
        .run(cwd, Some(berth()), &["synth", "Nope"])
        .env("BERTH_OUTDIR", cwd.join("out"))
        .output()
        .unwrap();
    let direct = berth_direct(cwd, &["synth", "Nope", "--app", "out"]);
    assert_eq!(handed.status.code(), Some(i32::from(exit::APP)));
    assert_eq!(handed.status.code(), direct.status.code());
    assert_eq!(text(&handed.stderr), text(&direct.stderr));
    assert!(
        text(&handed.stderr).contains("Nope"),
        "{}",
        text(&handed.stderr)
    );

    // `--output DIR` (or `-o`) moves the assembly, as it does for the CLI; the default
    // is berth.out.
    let handed = app
        .run(cwd, Some(berth()), &["synth", "-o", "elsewhere"])
        .output()
        .unwrap();
    assert_eq!(handed.status.code(), Some(0), "{}", text(&handed.stderr));
    assert!(cwd.join("elsewhere/Handoff.template.json").is_file());
    let yaml = text(&handed.stdout);
    assert!(yaml.contains("VisibilityTimeout: 30"), "{yaml}");
    let handed = app.run(cwd, Some(berth()), &["ls"]).output().unwrap();
    assert_eq!(text(&handed.stdout), "Handoff\n");
    assert!(cwd.join("berth.out/manifest.json").is_file());
}

#[test]
fn a_failed_synthesis_stops_before_the_cli_with_the_clis_exit_code() {
    let app = LeanApp::build("fail");
    let work = tempfile::tempdir().unwrap();
    let handed = app
        .run(work.path(), Some(berth()), &["deploy"])
        .env("HANDOFF_FAIL", "1")
        .output()
        .unwrap();
    let err = text(&handed.stderr);
    assert_eq!(handed.status.code(), Some(i32::from(exit::APP)), "{err}");
    assert!(
        err.starts_with("error: the app failed to synthesize: ")
            && err.contains("VisibilityTimeout"),
        "{err}"
    );
    assert!(!work.path().join("berth.out/manifest.json").exists());
}

/// Installs a stand-in CLI in `dir` that records its arguments and exits with 7.
fn recording_cli(dir: &Path) -> PathBuf {
    let path = dir.join("berth-stand-in");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > {:?}\necho stand-in out\necho stand-in err >&2\nexit 7\n",
            dir.join("args").display().to_string()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path
}

#[test]
fn arguments_output_and_exit_code_pass_through_unchanged() {
    let app = LeanApp::build("args");
    let work = tempfile::tempdir().unwrap();
    let tools = tempfile::tempdir().unwrap();
    let cli = recording_cli(tools.path());
    let cwd = work.path();
    let recorded = || -> Vec<String> {
        std::fs::read_to_string(tools.path().join("args"))
            .unwrap()
            .lines()
            .map(String::from)
            .collect()
    };
    let handed = |args: &[&str]| -> Output {
        let out = app.run(cwd, Some(&cli), args).output().unwrap();
        assert_eq!(out.status.code(), Some(7), "{args:?}");
        assert_eq!(text(&out.stdout), "stand-in out\n");
        assert_eq!(text(&out.stderr), "stand-in err\n");
        out
    };

    handed(&["deploy", "--all", "--require-approval", "never"]);
    assert_eq!(
        recorded(),
        [
            "--app=berth.out",
            "deploy",
            "--all",
            "--require-approval",
            "never"
        ]
    );
    assert!(cwd.join("berth.out/manifest.json").is_file());

    // watch re-runs the app: run directly (not by cargo), it gets the program itself.
    std::fs::remove_dir_all(cwd.join("berth.out")).unwrap();
    handed(&["-v", "watch", "--cycles", "1"]);
    assert_eq!(
        recorded(),
        [
            format!("--app={}", app.binary().display()),
            "-v".into(),
            "watch".into(),
            "--cycles".into(),
            "1".into()
        ]
    );
    assert!(!cwd.join("berth.out").exists(), "watch synthesizes itself");

    // Under `cargo run`, watch gets the `cargo run` that rebuilds the app first.
    let out = app
        .cargo(&["run", "--quiet", "--", "watch"])
        .env("BERTH_CLI", &cli)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", text(&out.stderr));
    let args = recorded();
    let command = args[0].strip_prefix("--app=").expect("--app first");
    assert!(
        command.contains(" run --quiet --manifest-path ")
            && command.contains(&format!(" --package {0} --bin {0} ", app.name))
            && command.contains(" --target-dir "),
        "{command}"
    );
    // That command synthesizes into $BERTH_OUTDIR.
    let synth = Command::new("sh")
        .args(["-c", command])
        .current_dir(cwd)
        .env("BERTH_OUTDIR", cwd.join("rerun"))
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap();
    assert!(synth.status.success(), "{}", text(&synth.stderr));
    assert!(cwd.join("rerun/Handoff.template.json").is_file());

    // The user's own --app, and commands that read no app, go as they are.
    for args in [
        &["deploy", "--app", "other"][..],
        &["--version"],
        &["deploy", "--help"],
        &["init", "x"],
        &["bootstrap"],
    ] {
        handed(args);
        assert_eq!(recorded(), args, "{args:?}");
    }
}

#[test]
fn without_a_cli_the_app_says_how_to_install_it_and_exits_with_2() {
    let app = LeanApp::build("missing");
    let work = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let install = format!(
        "cargo install --locked --path {}",
        workspace_root().join("cli").display()
    );

    let out = app
        .run(work.path(), None, &["deploy", "--all"])
        .env("PATH", empty.path())
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with(
            "error: this app hands `berth deploy --all` to the berth CLI, and there is none: \
             no `berth` on PATH and BERTH_CLI is not set."
        ),
        "{err}"
    );
    assert!(err.contains(&format!("\n    {install}\n")), "{err}");
    assert!(err.contains("`cli` feature"), "{err}");
    assert_eq!(text(&out.stdout), "");
    assert!(!work.path().join("berth.out").exists(), "nothing written");

    let gone = empty.path().join("berth");
    let out = app
        .run(work.path(), Some(&gone), &["list"])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "BERTH_CLI={} is not an executable file",
            gone.display()
        )),
        "{err}"
    );
    assert!(err.contains(&install), "{err}");

    // A `berth` on PATH is found without BERTH_CLI.
    let bin = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(berth(), bin.path().join("berth")).unwrap();
    let out = app
        .run(work.path(), None, &["ls"])
        .env("PATH", bin.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "Handoff\n");
}

/// `cargo run -- watch` against moto: the CLI re-runs the app through `cargo run`, so
/// an edit to the app's Rust code is rebuilt, synthesized and deployed by the next
/// cycle; then `-- destroy` removes the stack.
#[test]
fn watch_through_the_handoff_rebuilds_and_deploys_edits_to_the_app() {
    require_local_endpoint();
    let app = LeanApp::build("watch");
    let stack = unique_prefix("ho");
    let mut child = app
        .cargo(
            &"run --quiet -- watch --fallback --cycles 2 --debounce-ms 200 --rollout-timeout 60"
                .split(' ')
                .collect::<Vec<_>>(),
        )
        .env("BERTH_CLI", berth())
        .env("HANDOFF_STACK", &stack)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let errors = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut s).unwrap();
        s
    });
    let mut lines = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if line.contains(" cycle 1: ") {
            // As editors do: write beside, then rename.
            let tmp = app.path().join("main.rs.tmp");
            std::fs::write(&tmp, main_rs(45)).unwrap();
            std::fs::rename(&tmp, app.path().join("src/main.rs")).unwrap();
        }
        lines.push(line);
    }
    let status = child.wait().unwrap();
    let out = format!("{}\n{}", lines.join("\n"), errors.join().unwrap());
    assert!(status.success(), "{out}");
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with(&format!("✔ cycle 1: {stack} deployed")),
        "{out}"
    );
    assert!(
        lines[1].starts_with(&format!("✔ cycle 2: {stack} deployed")),
        "{out}"
    );
    let cfn = aws_sdk_cloudformation::Client::new(&sdk());
    let template = block(async {
        cfn.get_template()
            .stack_name(&stack)
            .send()
            .await
            .unwrap()
            .template_body()
            .unwrap_or_default()
            .to_string()
    });
    let template: serde_json::Value = serde_json::from_str(&template).unwrap();
    let queue = &template["Resources"]["Queue"]["Properties"];
    assert_eq!(queue["VisibilityTimeout"], 45, "the edit is deployed");

    let out = app
        .run(app.path(), Some(berth()), &["destroy", "--all", "--force"])
        .env("HANDOFF_STACK", &stack)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}
