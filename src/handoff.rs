//! An app run with arguments hands them to the installed `berth` CLI.
//!
//! `cargo run -- deploy` synthesizes the app into its assembly directory and then
//! replaces the process with `berth --app=DIR deploy` (an `exec` on Unix), so what the
//! user sees (output, prompts, progress, exit code) is the CLI's own. `watch` re-runs
//! the app on every cycle, so it gets the command that rebuilds and runs this program
//! instead of a directory. The CLI is `$BERTH_CLI`, else `berth` on `PATH`; without one
//! the app says how to install it and exits with 2.
//!
//! This is the lean default: the app links only the synthesis crates, never the AWS
//! SDK. The `cli` feature embeds the CLI in the app instead (`berth_cli::main_with_app`).

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use berth_constructs::{App, ConstructError};
use berth_synth::assembly::TemplateFormat;

use crate::CLI_ENV;

/// Exit code when the command line cannot be handed over (no CLI): the CLI's "usage".
const EXIT_NO_CLI: u8 = 2;
/// Exit code when synthesis fails before the hand-off: the CLI's "app is broken".
const EXIT_APP: u8 = 3;

/// Subcommands that read no app: handed over as they are.
const NO_APP: &[&str] = &["init", "bootstrap", "help"];
/// Subcommands that run the app themselves, again and again: handed the app's command.
const RERUN: &[&str] = &["watch"];
/// Global options of the CLI that take a value (`--app` and `--output` are read too).
const VALUE_OPTIONS: &[&str] = &["--profile", "--region"];

/// What the hand-off gives the CLI as `--app`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Synthesize into this directory, then hand `--app=DIR`.
    Assembly(PathBuf),
    /// Hand the command that rebuilds and runs this program (`watch`).
    Rerun,
    /// Hand the arguments as they are: they name the app (`--app`), or the command
    /// reads none (`init`, `bootstrap`, `help`, `--help`, `--version`).
    AsIs,
}

/// Decides what to hand over for `args` (without the program name). The assembly goes
/// to `--output DIR` when the arguments say so, else to `default_outdir`.
pub(crate) fn plan(args: &[OsString], default_outdir: PathBuf) -> Plan {
    let mut command: Option<&str> = None;
    let mut output: Option<PathBuf> = None;
    let mut i = 0;
    while i < args.len() {
        // A non-UTF-8 argument is a value (a path); the options are all ASCII.
        let Some(arg) = args[i].to_str() else {
            i += 1;
            continue;
        };
        i += 1;
        match arg {
            "--" => break,
            "--help" | "-h" | "--version" | "-V" => return Plan::AsIs,
            "--app" => return Plan::AsIs,
            _ if arg.starts_with("--app=") => return Plan::AsIs,
            "--output" | "-o" => {
                output = args.get(i).map(PathBuf::from);
                i += 1;
            }
            _ if arg.starts_with("--output=") => output = Some(arg["--output=".len()..].into()),
            _ if arg.starts_with("-o") && arg.len() > 2 => {
                let value = &arg[2..];
                output = Some(value.strip_prefix('=').unwrap_or(value).into());
            }
            // Before the command, a global option's value is not the command.
            _ if VALUE_OPTIONS.contains(&arg) && command.is_none() => i += 1,
            _ if !arg.starts_with('-') && command.is_none() => command = Some(arg),
            _ => {}
        }
    }
    match command {
        None => Plan::AsIs,
        Some(c) if NO_APP.contains(&c) => Plan::AsIs,
        Some(c) if RERUN.contains(&c) => Plan::Rerun,
        Some(_) => Plan::Assembly(output.unwrap_or(default_outdir)),
    }
}

/// Quotes `s` for `sh -c` (the CLI runs an app command through the shell).
fn sh_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./=:,+@%".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The command that runs this program again without arguments (it then synthesizes
/// into `$BERTH_OUTDIR`). Started by `cargo run` (`env` has `CARGO`,
/// `CARGO_MANIFEST_PATH` and `CARGO_PKG_NAME`, and `exe` sits in a Cargo target
/// directory), it is the `cargo run` that rebuilds the program first, so `watch` sees
/// edits to the app's Rust code: same package, same example or binary, same profile,
/// target and target directory (features are not known to the program: pass
/// `--app CMD` for those). Otherwise it is the program itself.
pub(crate) fn rerun_command(exe: &Path, env: impl Fn(&str) -> Option<OsString>) -> String {
    let itself = sh_quote(&exe.to_string_lossy());
    let (Some(cargo), Some(package)) = (env("CARGO"), env("CARGO_PKG_NAME")) else {
        return itself;
    };
    let Some(manifest) = env("CARGO_MANIFEST_PATH")
        .map(PathBuf::from)
        .or_else(|| env("CARGO_MANIFEST_DIR").map(|d| Path::new(&d).join("Cargo.toml")))
    else {
        return itself;
    };
    let Some(name) = exe.file_stem().and_then(OsStr::to_str) else {
        return itself;
    };
    let Some(parent) = exe.parent() else {
        return itself;
    };
    let (selection, profile_dir) = if parent.file_name() == Some(OsStr::new("examples")) {
        ("--example", parent.parent())
    } else {
        ("--bin", Some(parent))
    };
    let Some((profile_dir, profile)) =
        profile_dir.and_then(|d| Some((d, d.file_name()?.to_str()?)))
    else {
        return itself;
    };
    // A Cargo target directory has CACHEDIR.TAG: `<target>/<profile>` or
    // `<target>/<triple>/<profile>`.
    let is_target = |d: &Path| d.join("CACHEDIR.TAG").is_file();
    let Some((target_dir, triple)) = profile_dir.parent().and_then(|up| {
        if is_target(up) {
            Some((up, None))
        } else {
            let top = up.parent()?;
            is_target(top).then(|| (top, up.file_name().and_then(OsStr::to_str)))
        }
    }) else {
        return itself;
    };
    let mut words = vec![
        sh_quote(&cargo.to_string_lossy()),
        "run".into(),
        "--quiet".into(),
        "--manifest-path".into(),
        sh_quote(&manifest.to_string_lossy()),
        "--package".into(),
        sh_quote(&package.to_string_lossy()),
        selection.into(),
        sh_quote(name),
    ];
    match profile {
        "debug" => {}
        "release" => words.push("--release".into()),
        other => words.extend(["--profile".into(), sh_quote(other)]),
    }
    if let Some(triple) = triple {
        words.extend(["--target".into(), sh_quote(triple)]);
    }
    words.extend([
        "--target-dir".into(),
        sh_quote(&target_dir.to_string_lossy()),
    ]);
    words.join(" ")
}

/// Why there is no CLI to hand over to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Missing {
    /// No `berth` on `PATH` and no `BERTH_CLI`.
    NotOnPath,
    /// `BERTH_CLI` names nothing runnable.
    Setting(OsString),
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = path.metadata() else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

fn on_path(name: &OsStr, path: Option<&OsStr>) -> Option<PathBuf> {
    let exe = {
        let mut n = name.to_os_string();
        n.push(std::env::consts::EXE_SUFFIX);
        n
    };
    std::env::split_paths(path?)
        .filter(|dir| !dir.as_os_str().is_empty())
        .flat_map(|dir| [dir.join(name), dir.join(&exe)])
        .find(|p| is_executable(p))
}

/// The CLI program: `$BERTH_CLI` (a path, or a name looked up on `PATH`), else
/// `berth` on `PATH`.
pub(crate) fn find_cli(
    setting: Option<OsString>,
    path: Option<&OsStr>,
) -> Result<PathBuf, Missing> {
    match setting.filter(|s| !s.is_empty()) {
        Some(s) => {
            let p = Path::new(&s);
            let found = if p.components().count() > 1 || p.is_absolute() {
                is_executable(p).then(|| p.to_path_buf())
            } else {
                on_path(&s, path)
            };
            found.ok_or(Missing::Setting(s))
        }
        None => on_path(OsStr::new("berth"), path).ok_or(Missing::NotOnPath),
    }
}

/// How to install the CLI that matches this facade: from the checkout it comes from
/// (a path or git dependency has `cli/` beside it), else from the registry.
pub(crate) fn install_command(facade_dir: &Path) -> String {
    let cli = facade_dir.join("cli");
    if cli.join("Cargo.toml").is_file() {
        format!(
            "cargo install --locked --path {}",
            sh_quote(&cli.to_string_lossy())
        )
    } else {
        format!(
            "cargo install --locked berth-cli --version {}",
            env!("CARGO_PKG_VERSION")
        )
    }
}

/// The message for a missing CLI.
pub(crate) fn missing_message(missing: &Missing, args: &[OsString], install: &str) -> String {
    let line = std::iter::once("berth".to_string())
        .chain(args.iter().map(|a| a.to_string_lossy().into_owned()))
        .collect::<Vec<_>>()
        .join(" ");
    let why = match missing {
        Missing::NotOnPath => format!(
            "this app hands `{line}` to the berth CLI, and there is none: no `berth` on PATH \
             and {CLI_ENV} is not set."
        ),
        Missing::Setting(s) => format!(
            "this app hands `{line}` to the berth CLI, and {CLI_ENV}={} is not an executable \
             file (or a program on PATH).",
            s.to_string_lossy()
        ),
    };
    format!(
        "error: {why}\n\
         Install the CLI once:\n    {install}\n\
         or set {CLI_ENV} to a berth binary (`cargo build --release -p berth-cli` puts one at \
         target/release/berth),\n\
         or build the CLI into this app with berth's `cli` feature (it brings the AWS SDK).\n"
    )
}

/// Runs `program` with `args` in place of this process; returns only when it cannot.
fn exec(program: &Path, args: Vec<OsString>) -> ExitCode {
    let mut cmd = Command::new(program);
    cmd.args(args);
    #[cfg(unix)]
    let failed = {
        use std::os::unix::process::CommandExt;
        // As if the user had typed `berth ...`: the CLI names itself after argv[0].
        cmd.arg0("berth");
        cmd.exec()
    };
    #[cfg(not(unix))]
    let failed = match cmd.status() {
        Ok(status) => {
            let code = status.code().unwrap_or(1);
            return ExitCode::from(u8::try_from(code).unwrap_or(1));
        }
        Err(e) => e,
    };
    eprintln!("error: cannot run {}: {failed}", program.display());
    ExitCode::from(EXIT_NO_CLI)
}

/// The hand-off: `build` runs (once) only when the command needs the assembly.
pub(crate) fn main<F>(build: F) -> ExitCode
where
    F: FnOnce() -> Result<App, ConstructError>,
{
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let path = std::env::var_os("PATH");
    let program = match find_cli(std::env::var_os(CLI_ENV), path.as_deref()) {
        Ok(p) => p,
        Err(missing) => {
            let install = install_command(Path::new(env!("CARGO_MANIFEST_DIR")));
            eprint!("{}", missing_message(&missing, &args, &install));
            return ExitCode::from(EXIT_NO_CLI);
        }
    };
    let mut app_arg = OsString::from("--app=");
    let handed = match plan(&args, crate::outdir()) {
        Plan::AsIs => args,
        Plan::Rerun => {
            let exe = std::env::current_exe()
                .unwrap_or_else(|_| std::env::args_os().next().unwrap_or_default().into());
            app_arg.push(rerun_command(&exe, |k| std::env::var_os(k)));
            std::iter::once(app_arg).chain(args).collect()
        }
        Plan::Assembly(dir) => {
            let written = build().map_err(|e| e.to_string()).and_then(|mut app| {
                let out = app
                    .write_assembly(&dir, TemplateFormat::Json)
                    .map_err(|e| e.to_string());
                // The process becomes the CLI next: no need to free the tree.
                std::mem::forget(app);
                out
            });
            match written {
                Ok(out) => crate::print_diagnostics(&out.diagnostics),
                Err(e) => {
                    eprintln!("error: the app failed to synthesize: {e}");
                    return ExitCode::from(EXIT_APP);
                }
            }
            app_arg.push(&dir);
            std::iter::once(app_arg).chain(args).collect()
        }
    };
    exec(&program, handed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<OsString> {
        line.split_whitespace().map(OsString::from).collect()
    }

    fn plan_of(line: &str) -> Plan {
        plan(&args(line), PathBuf::from("berth.out"))
    }

    #[test]
    fn commands_that_read_the_app_get_the_assembly() {
        for line in [
            "deploy --all",
            "diff Web",
            "synth HelloApp",
            "ls",
            "-v list --long",
        ] {
            assert_eq!(plan_of(line), Plan::Assembly("berth.out".into()), "{line}");
        }
        assert_eq!(
            plan_of("--profile dev --region eu-west-1 deploy"),
            Plan::Assembly("berth.out".into())
        );
    }

    #[test]
    fn the_output_option_moves_the_assembly() {
        for line in [
            "synth --output out",
            "synth --output=out",
            "-o out synth",
            "synth -oout",
            "synth -o=out",
        ] {
            assert_eq!(plan_of(line), Plan::Assembly("out".into()), "{line}");
        }
        // After `--`, nothing is an option.
        assert_eq!(
            plan_of("synth -- --output x"),
            Plan::Assembly("berth.out".into())
        );
    }

    #[test]
    fn watch_reruns_and_the_rest_goes_as_is() {
        assert_eq!(plan_of("watch"), Plan::Rerun);
        assert_eq!(plan_of("-v watch --cycles 2"), Plan::Rerun);
        for line in [
            "--help",
            "deploy --help",
            "-V",
            "--version",
            "-v",
            "help deploy",
            "init --template web x",
            "bootstrap",
            "deploy --app berth.out",
            "--app=cmd watch",
        ] {
            assert_eq!(plan_of(line), Plan::AsIs, "{line}");
        }
        // A value of a global option is not the command.
        assert_eq!(
            plan_of("--profile watch list"),
            Plan::Assembly("berth.out".into())
        );
    }

    #[test]
    fn quoting_for_the_shell() {
        assert_eq!(sh_quote("target/debug/app"), "target/debug/app");
        assert_eq!(sh_quote("/a b/it's"), r"'/a b/it'\''s'");
        assert_eq!(sh_quote(""), "''");
    }

    fn target_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("CACHEDIR.TAG"),
            "Signature: 8a477f597d28d172789f06886806bc55",
        )
        .unwrap();
        dir
    }

    fn cargo_env(k: &str) -> Option<OsString> {
        match k {
            "CARGO" => Some("/opt/cargo bin/cargo".into()),
            "CARGO_MANIFEST_PATH" => Some("/src/app/Cargo.toml".into()),
            "CARGO_PKG_NAME" => Some("my-app".into()),
            _ => None,
        }
    }

    #[test]
    fn rerun_under_cargo_is_the_same_cargo_run() {
        let t = target_dir();
        let td = sh_quote(&t.path().to_string_lossy());
        let cmd = |rel: &str| rerun_command(&t.path().join(rel), cargo_env);
        let base = "'/opt/cargo bin/cargo' run --quiet --manifest-path /src/app/Cargo.toml --package my-app";
        assert_eq!(
            cmd("debug/examples/hello"),
            format!("{base} --example hello --target-dir {td}")
        );
        assert_eq!(
            cmd("release/my-app"),
            format!("{base} --bin my-app --release --target-dir {td}")
        );
        assert_eq!(
            cmd("x86_64-unknown-linux-musl/fast/my-app"),
            format!(
                "{base} --bin my-app --profile fast --target x86_64-unknown-linux-musl --target-dir {td}"
            )
        );
    }

    #[test]
    fn rerun_outside_cargo_is_the_program() {
        let t = target_dir();
        let exe = t.path().join("debug/my app");
        let quoted = sh_quote(&exe.to_string_lossy());
        // Not started by cargo.
        assert_eq!(rerun_command(&exe, |_| None), quoted);
        // Started by cargo, but not from a target directory.
        let elsewhere = Path::new("/usr/local/bin/my-app");
        assert_eq!(rerun_command(elsewhere, cargo_env), "/usr/local/bin/my-app");
    }

    #[test]
    fn finding_the_cli() {
        let bin = tempfile::tempdir().unwrap();
        let berth = bin.path().join("berth");
        std::fs::write(&berth, "#!/bin/sh\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&berth, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let empty = tempfile::tempdir().unwrap();
        let path = std::env::join_paths([empty.path(), bin.path()]).unwrap();
        assert_eq!(find_cli(None, Some(&path)), Ok(berth.clone()));
        assert_eq!(
            find_cli(Some("".into()), Some(&path)),
            Ok(berth.clone()),
            "an empty setting is no setting"
        );
        assert_eq!(
            find_cli(Some(berth.clone().into()), None),
            Ok(berth.clone())
        );
        assert_eq!(
            find_cli(Some("berth".into()), Some(&path)),
            Ok(berth.clone())
        );
        assert_eq!(
            find_cli(None, Some(empty.path().as_os_str())),
            Err(Missing::NotOnPath)
        );
        assert_eq!(find_cli(None, None), Err(Missing::NotOnPath));
        let gone = bin.path().join("nope");
        assert_eq!(
            find_cli(Some(gone.clone().into()), Some(&path)),
            Err(Missing::Setting(gone.into()))
        );
        // A directory, or a file that cannot be executed, is not a CLI.
        assert!(find_cli(Some(bin.path().into()), None).is_err());
        #[cfg(unix)]
        {
            let plain = bin.path().join("plain");
            std::fs::write(&plain, "").unwrap();
            assert!(find_cli(Some(plain.into()), None).is_err());
        }
    }

    #[test]
    fn the_install_hint_names_the_checkout_or_the_registry() {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert_eq!(
            install_command(here),
            format!(
                "cargo install --locked --path {}",
                sh_quote(&here.join("cli").to_string_lossy())
            )
        );
        let nowhere = tempfile::tempdir().unwrap();
        assert_eq!(
            install_command(nowhere.path()),
            format!(
                "cargo install --locked berth-cli --version {}",
                env!("CARGO_PKG_VERSION")
            )
        );
        let message = missing_message(
            &Missing::NotOnPath,
            &args("deploy --all"),
            "cargo install X",
        );
        assert!(
            message.starts_with("error: this app hands `berth deploy --all` to the berth CLI"),
            "{message}"
        );
        assert!(message.contains("\n    cargo install X\n"), "{message}");
    }
}
