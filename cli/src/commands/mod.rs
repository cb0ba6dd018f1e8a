//! One module per subcommand. Each takes a [`Ctx`] (writers, working directory, the
//! app, the CloudFormation client) and returns an exit code.

pub mod bootstrap;
pub mod check;
pub mod deploy;
pub mod deployment;
pub mod destroy;
pub mod diff;
pub mod exec;
pub mod init;
pub mod list;
pub mod lock;
pub mod logs;
pub mod publish;
pub mod refactor;
pub mod run;
pub mod status;
pub mod synth;
pub mod watch;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::assembly::Assembly;
use crate::cli::{Cli, Commands, GlobalArgs};
use crate::config::{self, AppSource, Config};
use crate::deploy::api::CloudFormationApi;
use crate::deploy::containers::ContainerApi;
use crate::deploy::progress::{LiveProgress, PlainProgress, Progress};
use crate::deploy::PollConfig;
use crate::error::CliError;
use crate::output::Out;
use crate::prompt::Prompter;
use crate::{Session, SynthFn};

/// What a command runs with.
pub struct Ctx<'a> {
    /// Standard output.
    pub out: Out,
    /// Standard error.
    pub err: Out,
    /// Global options.
    pub global: GlobalArgs,
    /// Working directory.
    pub cwd: PathBuf,
    /// Injected CloudFormation client (tests), or `None` for the AWS SDK.
    pub api: Option<Arc<dyn CloudFormationApi>>,
    /// Injected ECR/ECS client (tests), or `None` for the AWS SDK.
    pub containers: Option<Arc<dyn ContainerApi>>,
    /// The docker program.
    pub docker: crate::publish::Docker,
    /// Who answers questions.
    pub prompter: Arc<dyn Prompter>,
    /// Whether to draw live progress.
    pub live: bool,
    /// Polling intervals.
    pub poll: PollConfig,
    /// Whether the SDK retries.
    pub sdk_retries: bool,
    /// An endpoint every AWS call goes to, set in code (tests).
    pub endpoint: Option<String>,
    /// How berth retries CloudFormation calls (`None`: from `sdk_retries`).
    pub retry: Option<crate::deploy::retry::RetryPolicy>,
    /// Whether Ctrl-C is caught.
    pub handle_ctrl_c: bool,
    /// Injected day-two client (status, logs, run, exec; tests), or `None` for the AWS SDK.
    pub ops: Option<Arc<dyn crate::ops::api::OpsApi>>,
    /// The Session Manager plugin program (`berth exec`).
    pub plugin: String,
    /// Text fed to interactive child programs instead of the terminal (tests).
    pub child_stdin: Option<String>,
    /// Whether [`Ctx::assembly`] checks `berth.lock` (not for `berth lock` itself).
    pub lock_check: bool,
    synth: Option<Box<SynthFn<'a>>>,
    /// Environment variables for the app (`BERTH_RULES`, `BERTH_STRICT_RULES`).
    pub app_env: Vec<(&'static str, String)>,
}

impl std::fmt::Debug for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx").field("cwd", &self.cwd).finish()
    }
}

impl Ctx<'_> {
    /// Synthesizes the app (or reads the given directory) and reads the assembly;
    /// with a `berth.lock`, checks that the stateful resources keep their logical IDs.
    pub fn assembly(&mut self) -> Result<Assembly, CliError> {
        let assembly = self.read_assembly()?;
        if self.lock_check {
            if let Some(lock) = crate::lock::Lock::read(&self.cwd).map_err(CliError::Lock)? {
                let drift = lock.drift(&assembly);
                if !drift.is_empty() {
                    return Err(CliError::Locked(
                        drift.iter().map(|d| d.to_string()).collect(),
                    ));
                }
            }
        }
        Ok(assembly)
    }

    fn read_assembly(&mut self) -> Result<Assembly, CliError> {
        let config = Config::load(&self.cwd)?;
        if self.global.app.is_none() {
            if let Some(synth) = self.synth.as_mut() {
                let outdir =
                    config::in_process_outdir(&self.cwd, self.global.output.as_deref(), &config);
                std::fs::create_dir_all(&outdir).map_err(|source| CliError::Write {
                    path: outdir.clone(),
                    source,
                })?;
                // The in-process app reads them as a separate app would (a strict run
                // before must not make this one strict).
                let rules = berth_synth::rules::RULES_ENV;
                let strict = berth_synth::rules::STRICT_ENV;
                if self.app_env.iter().any(|(k, _)| *k == rules)
                    && !self.app_env.iter().any(|(k, _)| *k == strict)
                {
                    std::env::remove_var(strict);
                }
                for (k, v) in &self.app_env {
                    std::env::set_var(k, v);
                }
                synth(&outdir).map_err(CliError::Synth)?;
                return Ok(Assembly::read(&outdir)?);
            }
        }
        let assembly = match config::resolve(
            &self.cwd,
            self.global.app.as_deref(),
            self.global.output.as_deref(),
            &config,
        )? {
            AppSource::Directory(dir) => Assembly::read(&dir)?,
            AppSource::Command { command, outdir } => {
                if self.global.verbose > 0 {
                    self.err.line(&format!(
                        "running `{command}` with BERTH_OUTDIR={}",
                        outdir.display()
                    ));
                }
                let output = config::run_app_with_env(&self.cwd, &command, &outdir, &self.app_env)?;
                if self.global.verbose > 0 && !output.is_empty() {
                    self.err.write(&output);
                }
                Assembly::read(&outdir)?
            }
        };
        // An in-process app printed synth's notices itself; here berth prints the one
        // that matters for deploying, once, for every stack it concerns.
        self.size_notice(&assembly);
        Ok(assembly)
    }

    /// `info[BERTH-I0122] …`: the stacks whose templates, as berth sends them
    /// (minified), are over CloudFormation's inline limit.
    fn size_notice(&self, assembly: &Assembly) {
        use berth_assembly::template::{inline_limit_notice, minified_len, MAX_TEMPLATE_BYTES};
        let over: Vec<(&str, usize)> = assembly
            .stacks
            .iter()
            // A pretty body within the limit is within it minified too.
            .filter(|s| s.template_body.len() > crate::deploy::MAX_INLINE_TEMPLATE)
            .map(|s| {
                (
                    s.stack_name.as_str(),
                    minified_len(s.template_body.as_bytes()),
                )
            })
            .filter(|(_, n)| *n > crate::deploy::MAX_INLINE_TEMPLATE && *n <= MAX_TEMPLATE_BYTES)
            .collect();
        if let Some(text) = inline_limit_notice(&over) {
            self.err.line(&format!("info[BERTH-I0122] {text}"));
        }
    }

    /// The CloudFormation client: the injected one, or the AWS SDK (checking region
    /// and credentials first).
    pub async fn api(&self) -> Result<Arc<dyn CloudFormationApi>, CliError> {
        let api: Arc<dyn CloudFormationApi> = match &self.api {
            Some(api) => Arc::clone(api),
            None => {
                use crate::deploy::retry::RetryPolicy;
                let config = self.sdk_config().await?;
                let policy = self.retry.unwrap_or(if self.sdk_retries {
                    RetryPolicy::standard()
                } else {
                    RetryPolicy::none()
                });
                Arc::new(crate::deploy::aws::AwsCloudFormation::with_retries(
                    &config,
                    policy,
                    self.global
                        .endpoint_url
                        .as_deref()
                        .map(|u| (u, "the address --endpoint-url names"))
                        .or(self
                            .endpoint
                            .as_deref()
                            .map(|u| (u, "the endpoint berth was given in code"))),
                ))
            }
        };
        if self.global.verbose > 0 {
            return Ok(Arc::new(crate::deploy::logging::LoggingApi::new(
                api,
                self.err.clone(),
            )));
        }
        Ok(api)
    }

    /// The ECR/ECS client: the injected one, or the AWS SDK. With an injected
    /// CloudFormation client and no injected ECR/ECS client (tests of CloudFormation
    /// alone), there is none.
    pub async fn containers(&self) -> Result<Option<Arc<dyn ContainerApi>>, CliError> {
        if let Some(c) = &self.containers {
            return Ok(Some(Arc::clone(c)));
        }
        if self.api.is_some() {
            return Ok(None);
        }
        let config = self.sdk_config().await?;
        Ok(Some(Arc::new(
            crate::deploy::aws_containers::AwsContainers::new(&config),
        )))
    }

    /// The day-two client: the injected one, or the AWS SDK.
    pub async fn ops(&self) -> Result<Arc<dyn crate::ops::api::OpsApi>, CliError> {
        if let Some(o) = &self.ops {
            return Ok(Arc::clone(o));
        }
        let config = self.sdk_config().await?;
        Ok(Arc::new(crate::ops::aws::AwsOps::new(&config)))
    }

    /// Loads the AWS configuration and checks that a region and credentials exist.
    pub async fn sdk_config(&self) -> Result<aws_config::SdkConfig, CliError> {
        use aws_credential_types::provider::ProvideCredentials;
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
        if let Some(p) = &self.global.profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = &self.global.region {
            loader = loader.region(aws_config::Region::new(r.clone()));
        }
        if let Some(url) = &self.endpoint {
            loader = loader.endpoint_url(url);
        }
        if let Some(u) = &self.global.endpoint_url {
            loader = loader.endpoint_url(u);
        }
        loader = if self.sdk_retries {
            loader.retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(5))
        } else {
            loader.retry_config(aws_config::retry::RetryConfig::disabled())
        };
        let config = loader.load().await;
        if config.region().is_none() {
            return Err(CliError::NoRegion);
        }
        let Some(provider) = config.credentials_provider() else {
            return Err(CliError::NoCredentials("no credential provider".into()));
        };
        if let Err(e) = provider.provide_credentials().await {
            return Err(CliError::NoCredentials(first_line(&e.to_string())));
        }
        Ok(config)
    }

    /// The event display for this output.
    pub fn progress(&self) -> Arc<dyn Progress> {
        if self.live && !self.global.json {
            Arc::new(LiveProgress::new())
        } else if self.global.json {
            Arc::new(PlainProgress::new(self.err.clone()))
        } else {
            Arc::new(PlainProgress::new(self.out.clone()))
        }
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_string()
}

/// Parses `--parameters` values into stack → key → value (`*` for every stack).
pub fn parse_parameters(
    values: &[String],
) -> Result<BTreeMap<String, BTreeMap<String, String>>, CliError> {
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for v in values {
        let (stack, kv) = match v.split_once('=') {
            Some((left, _)) if left.contains(':') => {
                let (s, rest) = v
                    .split_once(':')
                    .ok_or_else(|| CliError::BadParameter(v.clone()))?;
                (s.to_string(), rest)
            }
            _ => ("*".to_string(), v.as_str()),
        };
        let (k, val) = kv
            .split_once('=')
            .ok_or_else(|| CliError::BadParameter(v.clone()))?;
        if k.is_empty() || stack.is_empty() {
            return Err(CliError::BadParameter(v.clone()));
        }
        out.entry(stack)
            .or_default()
            .insert(k.to_string(), val.to_string());
    }
    Ok(out)
}

/// Runs a parsed command line.
pub fn run(session: Session<'_>, cli: Cli) -> u8 {
    let mut ctx = Ctx {
        out: session.out,
        err: session.err,
        global: cli.global,
        cwd: session.cwd,
        api: session.api,
        containers: session.containers,
        docker: session.docker,
        prompter: session.prompter,
        live: session.live,
        poll: session.poll,
        sdk_retries: session.sdk_retries,
        endpoint: session.endpoint,
        retry: session.retry,
        handle_ctrl_c: session.handle_ctrl_c,
        ops: session.ops,
        plugin: session.plugin,
        child_stdin: session.child_stdin,
        // `lock` acknowledges changes; `refactor` keeps the moved resources and then
        // writes the lock itself.
        lock_check: !matches!(cli.command, Commands::Lock(_) | Commands::Refactor(_)),
        synth: session.synth,
        app_env: Vec::new(),
    };
    let result = match cli.command {
        Commands::Synth(a) => synth::run(&mut ctx, &a),
        Commands::List(a) => list::run(&mut ctx, &a),
        Commands::Check(a) => check::run(&mut ctx, &a),
        Commands::Diff(a) => diff::run(&mut ctx, &a),
        Commands::Deploy(a) => deploy::run(&mut ctx, &a),
        Commands::Publish(a) => publish::run(&mut ctx, &a),
        Commands::Watch(a) => watch::run(&mut ctx, &a),
        Commands::Destroy(a) => destroy::run(&mut ctx, &a),
        Commands::Bootstrap(a) => bootstrap::run(&mut ctx, &a),
        Commands::Init(a) => init::run(&mut ctx, &a),
        Commands::Status(a) => status::run(&mut ctx, &a),
        Commands::Logs(a) => logs::run(&mut ctx, &a),
        Commands::Run(a) => run::run(&mut ctx, &a),
        Commands::Exec(a) => exec::run(&mut ctx, &a),
        Commands::Deployment(a) => deployment::run(&mut ctx, &a),
        Commands::Refactor(a) => refactor::run(&mut ctx, &a),
        Commands::Lock(a) => lock::run(&mut ctx, &a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            ctx.err.line(&format!("error: {e}"));
            e.exit_code()
        }
    }
}

/// A tokio runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|source| CliError::Write {
            path: PathBuf::from("<tokio runtime>"),
            source,
        })
}

/// Runs `fut`; with Ctrl-C handling on, an interrupt becomes [`CliError::Interrupted`]
/// carrying `on_interrupt` (exit code 130).
pub fn block_on<F, T>(ctx: &Ctx<'_>, fut: F, on_interrupt: &str) -> Result<T, CliError>
where
    F: std::future::Future<Output = Result<T, CliError>>,
{
    let rt = runtime()?;
    if !ctx.handle_ctrl_c {
        return rt.block_on(fut);
    }
    rt.block_on(async {
        tokio::select! {
            r = fut => r,
            _ = tokio::signal::ctrl_c() => Err(CliError::Interrupted(on_interrupt.to_string())),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::parse_parameters;

    #[test]
    fn parameters_parse_per_stack_and_global() {
        let p = parse_parameters(&[
            "Web:DesiredCount=3".into(),
            "Env=prod".into(),
            "Web:Url=http://x:1/a=b".into(),
        ])
        .unwrap();
        assert_eq!(p["Web"]["DesiredCount"], "3");
        assert_eq!(p["Web"]["Url"], "http://x:1/a=b");
        assert_eq!(p["*"]["Env"], "prod");
        assert!(parse_parameters(&["nothing".into()]).is_err());
    }
}
