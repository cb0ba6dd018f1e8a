//! The `berth` command line: `synth`, `list`, `diff`, `deploy`, `publish`, `watch`,
//! `destroy`, `bootstrap` and `init`, and its deploy engine; and the day-two commands
//! `status`, `logs`, `run` (in ECS or `--local` with docker) and `exec` ([`ops`]).
//!
//! The CLI reads a cloud assembly (the AWS CDK format: `manifest.json` plus one
//! `<Stack>.template.json` per stack) that an app writes to `$BERTH_OUTDIR`, and drives
//! CloudFormation through the [`deploy::api::CloudFormationApi`] trait: the AWS SDK for
//! Rust in the binary, a scripted fake in tests.
//!
//! Every command writes to an injected [`output::Out`], so tests run the real commands
//! in-process:
//!
//! ```
//! let (session, out, _err) = berth_cli::Session::captured();
//! let code = session.run(["berth", "--help"]);
//! assert_eq!(code, berth_cli::exit::OK);
//! assert!(out.contents().contains("deploy"));
//! ```
//!
//! A user's own binary can embed the CLI with [`main_with_app`], so `cargo run -- deploy`
//! synthesizes in-process instead of running a separate app command.

pub mod assembly;
pub mod cli;
pub mod commands;
pub mod config;
pub mod deploy;
pub mod diff;
pub mod error;
pub mod local;
pub mod lock;
pub mod ops;
pub mod output;
pub mod prompt;
pub mod publish;
pub mod refactor;
pub mod template;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use error::CliError;

use deploy::api::CloudFormationApi;
use deploy::containers::ContainerApi;
use deploy::PollConfig;
use output::{Buffer, Out};
use prompt::Prompter;

/// Named exit codes (also listed in `berth --help`).
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// `diff --fail` found differences.
    pub const DIFFERENCES: u8 = 1;
    /// Bad command line.
    pub const USAGE: u8 = 2;
    /// The app or its cloud assembly is broken (synth failed, no app configured, unreadable
    /// manifest or template, unknown stack).
    pub const APP: u8 = 3;
    /// A stack operation failed (deploy rolled back, destroy failed, change set failed).
    pub const FAILED: u8 = 4;
    /// A change needed approval and did not get it.
    pub const NOT_APPROVED: u8 = 5;
    /// AWS could not be used: no credentials or region, or an API call failed.
    pub const AWS: u8 = 6;
    /// berth refused a destructive operation: a deploy would replace or delete a
    /// stateful resource (see `--allow-replacement`), or destroy met a stack with
    /// termination protection. Nothing was changed.
    pub const REFUSED: u8 = 7;
    /// Interrupted (Ctrl-C); CloudFormation carries on with operations already started.
    pub const INTERRUPTED: u8 = 130;
}

/// The signature of an in-process app: writes the cloud assembly into the directory.
/// `berth watch` calls it again on every change, so an app that builds itself inside
/// the function (see `berth::run_with`) picks up changed asset directories.
pub type SynthFn<'a> =
    dyn FnMut(&Path) -> Result<(), Box<dyn std::error::Error + Send + Sync>> + 'a;

/// Everything a command needs from its surroundings: writers, working directory, the
/// CloudFormation client, the prompter. The binary uses [`Session::stdio`]; tests use
/// [`Session::captured`] and inject a fake client.
pub struct Session<'a> {
    pub(crate) out: Out,
    pub(crate) err: Out,
    pub(crate) cwd: PathBuf,
    pub(crate) api: Option<Arc<dyn CloudFormationApi>>,
    pub(crate) containers: Option<Arc<dyn ContainerApi>>,
    pub(crate) docker: publish::Docker,
    pub(crate) prompter: Arc<dyn Prompter>,
    pub(crate) live: bool,
    pub(crate) poll: PollConfig,
    pub(crate) sdk_retries: bool,
    pub(crate) endpoint: Option<String>,
    pub(crate) retry: Option<deploy::retry::RetryPolicy>,
    pub(crate) synth: Option<Box<SynthFn<'a>>>,
    pub(crate) handle_ctrl_c: bool,
    pub(crate) ops: Option<Arc<dyn ops::api::OpsApi>>,
    pub(crate) plugin: String,
    pub(crate) child_stdin: Option<String>,
}

impl std::fmt::Debug for Session<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("cwd", &self.cwd).finish()
    }
}

impl<'a> Session<'a> {
    /// Stdout, stderr and the terminal; the AWS SDK client.
    pub fn stdio() -> Session<'a> {
        use std::io::IsTerminal;
        let tty = std::io::stdout().is_terminal();
        let color = tty && std::env::var_os("NO_COLOR").is_none();
        Session {
            out: Out::new(Box::new(std::io::stdout()), color),
            err: Out::new(Box::new(std::io::stderr()), std::io::stderr().is_terminal()),
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            api: None,
            containers: None,
            docker: publish::Docker::default(),
            prompter: Arc::new(prompt::TerminalPrompter),
            live: tty,
            poll: PollConfig::default(),
            sdk_retries: true,
            endpoint: None,
            retry: None,
            synth: None,
            handle_ctrl_c: true,
            ops: None,
            plugin: default_plugin(),
            child_stdin: None,
        }
    }

    /// In-memory stdout and stderr (returned), no terminal, the current directory.
    pub fn captured() -> (Session<'a>, Buffer, Buffer) {
        let (out, out_buf) = Out::buffer();
        let (err, err_buf) = Out::buffer();
        let session = Session {
            out,
            err,
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            api: None,
            containers: None,
            docker: publish::Docker::default(),
            prompter: Arc::new(prompt::NoTerminal),
            live: false,
            poll: PollConfig::default(),
            sdk_retries: true,
            endpoint: None,
            retry: None,
            synth: None,
            handle_ctrl_c: false,
            ops: None,
            plugin: default_plugin(),
            child_stdin: None,
        };
        (session, out_buf, err_buf)
    }

    /// Runs in `dir` (where `berth.toml` and relative paths are looked up).
    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Session<'a> {
        self.cwd = dir.into();
        self
    }

    /// Uses this CloudFormation client instead of the AWS SDK.
    pub fn api(mut self, api: Arc<dyn CloudFormationApi>) -> Session<'a> {
        self.api = Some(api);
        self
    }

    /// Uses this ECR/ECS client instead of the AWS SDK (publishing, hotswap, rollouts).
    pub fn containers(mut self, api: Arc<dyn ContainerApi>) -> Session<'a> {
        self.containers = Some(api);
        self
    }

    /// Builds and pushes images with this docker program (default: `$BERTH_DOCKER`, else
    /// `docker`), e.g. `podman` or a test stand-in.
    pub fn docker(mut self, program: &str) -> Session<'a> {
        self.docker = publish::Docker::from_setting(Some(program));
        self
    }

    /// Uses this client for `status`, `logs`, `run` and `exec` instead of the AWS SDK.
    pub fn ops(mut self, api: Arc<dyn ops::api::OpsApi>) -> Session<'a> {
        self.ops = Some(api);
        self
    }

    /// Hands `berth exec` sessions to this program instead of
    /// `$BERTH_SESSION_MANAGER_PLUGIN` (default `session-manager-plugin`).
    pub fn session_manager_plugin(mut self, program: &str) -> Session<'a> {
        self.plugin = program.to_string();
        self
    }

    /// Feeds this text to interactive child programs (the Session Manager plugin)
    /// instead of the terminal (tests).
    pub fn child_stdin(mut self, text: &str) -> Session<'a> {
        self.child_stdin = Some(text.to_string());
        self
    }

    /// Answers approval and confirmation questions.
    pub fn prompter(mut self, prompter: Arc<dyn Prompter>) -> Session<'a> {
        self.prompter = prompter;
        self
    }

    /// Polling intervals for stack and change-set status.
    pub fn poll(mut self, poll: PollConfig) -> Session<'a> {
        self.poll = poll;
        self
    }

    /// Turns the SDK's retries off (tests against moto, whose 500s are not transient).
    pub fn sdk_retries(mut self, on: bool) -> Session<'a> {
        self.sdk_retries = on;
        self
    }

    /// Sends every AWS call to `url`, set on the SDK configuration in code, which no
    /// environment variable or config file can override (berth's tests: a moto server
    /// on loopback, see [`local`]).
    pub fn endpoint(mut self, url: impl Into<String>) -> Session<'a> {
        self.endpoint = Some(url.into());
        self
    }

    /// Retries CloudFormation calls with this policy (default: the standard policy,
    /// or none when [`Session::sdk_retries`] turned retries off).
    pub fn retry_policy(mut self, policy: deploy::retry::RetryPolicy) -> Session<'a> {
        self.retry = Some(policy);
        self
    }

    /// Synthesizes in-process with this function instead of running an app command.
    pub fn synth<F>(mut self, synth: F) -> Session<'a>
    where
        F: FnMut(&Path) -> Result<(), Box<dyn std::error::Error + Send + Sync>> + 'a,
    {
        self.synth = Some(Box::new(synth));
        self
    }

    /// Parses `args` (the first is the program name) and runs the command. Returns the
    /// exit code ([`exit`]).
    pub fn run<I, T>(self, args: I) -> u8
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        use clap::Parser;
        let parsed = match cli::Cli::try_parse_from(args) {
            Ok(c) => c,
            Err(e) => {
                let text = if self.out.is_tty {
                    e.render().ansi().to_string()
                } else {
                    e.render().to_string()
                };
                return match e.kind() {
                    clap::error::ErrorKind::DisplayHelp
                    | clap::error::ErrorKind::DisplayVersion
                    | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                        self.out.write(&text);
                        if e.kind()
                            == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
                        {
                            exit::USAGE
                        } else {
                            exit::OK
                        }
                    }
                    _ => {
                        self.err.write(&text);
                        exit::USAGE
                    }
                };
            }
        };
        commands::run(self, parsed)
    }
}

/// The Session Manager plugin program: `$BERTH_SESSION_MANAGER_PLUGIN`, else
/// `session-manager-plugin`.
fn default_plugin() -> String {
    std::env::var(ops::PLUGIN_ENV)
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "session-manager-plugin".into())
}

/// The binary's entry point: runs the CLI on the process arguments.
pub fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(Session::stdio().run(std::env::args_os()))
}

/// An entry point for a user's own binary: commands that need the app call `synth(outdir)`
/// instead of running an app command, so `cargo run -- deploy` works.
///
/// ```no_run
/// fn main() -> std::process::ExitCode {
///     berth_cli::main_with_app(|outdir| {
///         // build the app and write the cloud assembly to `outdir`
///         let _ = outdir;
///         Ok(())
///     })
/// }
/// ```
pub fn main_with_app<F>(synth: F) -> std::process::ExitCode
where
    F: FnMut(&std::path::Path) -> Result<(), Box<dyn std::error::Error + Send + Sync>>,
{
    std::process::ExitCode::from(Session::stdio().synth(synth).run(std::env::args_os()))
}
