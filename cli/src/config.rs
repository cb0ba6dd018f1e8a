//! `berth.toml` and finding the app: a command to run with `BERTH_OUTDIR` set, an
//! existing assembly directory, or an in-process synth function.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use crate::error::CliError;

/// The name of the project file.
pub const CONFIG_FILE: &str = "berth.toml";

/// The default output directory.
pub const DEFAULT_OUTPUT: &str = "berth.out";

/// `berth.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The command that synthesizes the app (run with `BERTH_OUTDIR` set).
    pub app: Option<String>,
    /// Where the cloud assembly goes (default `berth.out`).
    pub output: Option<PathBuf>,
}

impl Config {
    /// Reads `dir/berth.toml`; an absent file is an empty config.
    pub fn load(dir: &Path) -> Result<Config, CliError> {
        let path = dir.join(CONFIG_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                toml::from_str(&text).map_err(|source| CliError::ConfigParse { path, source })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(source) => Err(CliError::ConfigRead { path, source }),
        }
    }
}

/// Where the assembly comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum AppSource {
    /// An existing directory with a `manifest.json`, used as is.
    Directory(PathBuf),
    /// A shell command writing to the output directory.
    Command {
        /// The command line.
        command: String,
        /// The output directory.
        outdir: PathBuf,
    },
}

/// Decides the source from `--app` (wins) and the config.
pub fn resolve(
    cwd: &Path,
    app: Option<&str>,
    output: Option<&Path>,
    config: &Config,
) -> Result<AppSource, CliError> {
    let outdir = cwd.join(
        output
            .map(Path::to_path_buf)
            .or_else(|| config.output.clone())
            .unwrap_or_else(|| PathBuf::from(DEFAULT_OUTPUT)),
    );
    if let Some(app) = app {
        let dir = cwd.join(app);
        if dir.join("manifest.json").is_file() {
            return Ok(AppSource::Directory(dir));
        }
        return Ok(AppSource::Command {
            command: app.to_string(),
            outdir,
        });
    }
    match &config.app {
        Some(command) => Ok(AppSource::Command {
            command: command.clone(),
            outdir,
        }),
        None => Err(CliError::NoApp),
    }
}

/// The output directory when synthesizing in-process.
pub fn in_process_outdir(cwd: &Path, output: Option<&Path>, config: &Config) -> PathBuf {
    cwd.join(
        output
            .map(Path::to_path_buf)
            .or_else(|| config.output.clone())
            .unwrap_or_else(|| PathBuf::from(DEFAULT_OUTPUT)),
    )
}

/// Runs the app command in `cwd` with `BERTH_OUTDIR=outdir`. Returns its combined output.
pub fn run_app(cwd: &Path, command: &str, outdir: &Path) -> Result<String, CliError> {
    std::fs::create_dir_all(outdir).map_err(|source| CliError::Write {
        path: outdir.to_path_buf(),
        source,
    })?;
    // The previous assembly stays in place (the app's synth replaces only what its own
    // manifest names, and refuses a directory that holds files but no manifest); the
    // app must write a new manifest, which a changed file identity shows.
    let manifest = outdir.join("manifest.json");
    let before = file_identity(&manifest);
    let output = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(cwd)
        .env("BERTH_OUTDIR", outdir)
        .output()
        .map_err(|source| CliError::AppSpawn {
            command: command.to_string(),
            source,
        })?;
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    if !output.status.success() {
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(30)..].join("\n");
        return Err(CliError::AppFailed {
            command: command.to_string(),
            status: output.status.to_string(),
            output: tail,
        });
    }
    if !manifest.is_file() || file_identity(&manifest) == before {
        return Err(CliError::NoManifest(outdir.to_path_buf()));
    }
    Ok(text)
}

/// What tells one version of a file from another: its inode (a file renamed into place
/// is a new one), length and modification time. `None` when there is no file.
fn file_identity(path: &Path) -> Option<(u64, u64, Option<std::time::SystemTime>)> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some((inode, meta.len(), meta.modified().ok()))
}
