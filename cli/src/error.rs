//! The CLI's errors and their exit codes.

use std::path::PathBuf;

use crate::assembly::AssemblyError;
use crate::deploy::api::ApiError;
use crate::exit;

/// Everything that can stop a command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The cloud assembly is unreadable or a stack selection is wrong.
    #[error(transparent)]
    Assembly(#[from] AssemblyError),
    /// Neither `--app` nor `berth.toml` names an app.
    #[error("no app to run: create berth.toml with `app = \"cargo run --quiet\"` (see `berth init`), or pass --app COMMAND|DIR")]
    NoApp,
    /// `berth.toml` could not be read.
    #[error("cannot read {path}: {source}")]
    ConfigRead {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// `berth.toml` is not valid.
    #[error("{path} is not valid: {source}")]
    ConfigParse {
        /// The file.
        path: PathBuf,
        /// The TOML error.
        source: toml::de::Error,
    },
    /// The app command could not be started.
    #[error("cannot run the app `{command}`: {source}")]
    AppSpawn {
        /// The command.
        command: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The app command failed.
    #[error("the app `{command}` failed ({status}){}", if .output.is_empty() { String::new() } else { format!(":\n{}", .output) })]
    AppFailed {
        /// The command.
        command: String,
        /// Its exit status.
        status: String,
        /// The end of its output.
        output: String,
    },
    /// The in-process app returned an error.
    #[error("the app failed to synthesize: {0}")]
    Synth(Box<dyn std::error::Error + Send + Sync>),
    /// The app ran but wrote no manifest.
    #[error("the app finished without writing {}", .0.join("manifest.json").display())]
    NoManifest(PathBuf),
    /// No region configured.
    #[error("no AWS region configured: set AWS_REGION, pass --region, or set a region in your AWS profile")]
    NoRegion,
    /// No credentials found.
    #[error("no AWS credentials found ({0}); run `aws configure`, set AWS_PROFILE, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")]
    NoCredentials(String),
    /// An AWS call failed.
    #[error("AWS: {}", .0.with_hint())]
    Aws(#[from] ApiError),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A `--template` file could not be read or parsed.
    #[error("cannot use template {path}: {reason}")]
    TemplateFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A `--parameters` value has the wrong shape.
    #[error("invalid --parameters value {0:?}: expected Stack:Key=Value (one stack) or Key=Value (every stack)")]
    BadParameter(String),
    /// `destroy` without a terminal and without `--force`.
    #[error(
        "destroy needs confirmation and there is no terminal to ask on: pass --force to delete {0}"
    )]
    NeedsForce(String),
    /// `berth.lock` cannot be read.
    #[error("{0}")]
    Lock(String),
    /// The app changed the logical IDs of stateful resources that `berth.lock` holds.
    #[error("the app no longer matches berth.lock:\n{}\nkeep the logical IDs, or acknowledge the change with `berth lock`", .0.iter().map(|d| format!("  {d}")).collect::<Vec<_>>().join("\n"))]
    Locked(Vec<String>),
    /// A command that asks first, without a terminal and without `--force`.
    #[error(
        "{command} needs confirmation and there is no terminal to ask on: pass --force to {what}"
    )]
    NeedsYes {
        /// The command.
        command: String,
        /// What it would do.
        what: String,
    },
    /// `init` target is not empty.
    #[error("{0} is not empty: init only writes into a new or empty directory")]
    InitNotEmpty(PathBuf),
    /// A handlebars template failed to render.
    #[error("cannot render {file}: {source}")]
    Render {
        /// Which file.
        file: String,
        /// The handlebars error.
        source: Box<handlebars::RenderError>,
    },
    /// An image asset could not be built or pushed.
    #[error("publishing {asset} failed: {source}")]
    Publish {
        /// The asset (its construct path and short hash).
        asset: String,
        /// Why.
        source: crate::publish::PublishError,
    },
    /// `watch` could not watch the files.
    #[error("cannot watch files: {0}")]
    Watch(String),
    /// Ctrl-C.
    #[error("interrupted: {0}")]
    Interrupted(String),
    /// A day-two command (status, logs, run, exec) cannot go on.
    #[error(transparent)]
    Ops(#[from] crate::ops::OpsError),
    /// Output could not be serialized.
    #[error("cannot serialize output: {0}")]
    Serialize(String),
}

impl CliError {
    /// The exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::NoRegion | CliError::NoCredentials(_) | CliError::Aws(_) => exit::AWS,
            CliError::BadParameter(_)
            | CliError::NeedsForce(_)
            | CliError::NeedsYes { .. }
            | CliError::InitNotEmpty(_) => exit::USAGE,
            CliError::Interrupted(_) => exit::INTERRUPTED,
            CliError::Publish { .. } => exit::FAILED,
            CliError::Ops(e) => e.exit_code(),
            _ => exit::APP,
        }
    }
}
