//! # berth
//!
//! Infrastructure as code in Rust for containers on AWS. A Rust program composes
//! typed constructs into a tree; berth synthesizes it into CloudFormation templates
//! in a cloud assembly directory, and the `berth` CLI deploys them.
//!
//! This facade crate is the one dependency an app needs: it re-exports the construct
//! tree ([`constructs`]), the synthesis core ([`synth`]) and the test assertions
//! ([`assertions`]). It does not link the AWS SDK: an app run with arguments hands
//! them to the installed `berth` CLI (see [`run`]). The optional `cli` feature embeds
//! the command line (`berth::cli`) in the app instead, for a one-binary setup.
//!
//! ```
//! // The app of the README: a load-balanced Fargate service, tagged app-wide.
//! use berth::constructs::ecs::{Cluster, ClusterProps, ContainerImage, DeploymentCircuitBreaker};
//! use berth::constructs::elbv2::HealthCheck;
//! use berth::constructs::patterns::{
//!     ApplicationLoadBalancedFargateService, ApplicationLoadBalancedFargateServiceProps,
//! };
//! use berth::constructs::{ec2::Vpc, ec2::VpcProps, fargate_size};
//! use berth::prelude::*;
//!
//! pub fn app() -> Result<App, ConstructError> {
//!     let mut app = App::new();
//!     let stack = Stack::new(&mut app, "Shop", StackProps::default().description("the shop"))?;
//!     let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default().max_azs(2).nat_gateways(1))?;
//!     let cluster_props = ClusterProps::default().vpc(vpc).default_cloud_map_namespace("shop.local");
//!     let cluster = Cluster::new(&mut app, stack, "Cluster", cluster_props)?;
//!     let image = ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
//!     let web = ApplicationLoadBalancedFargateServiceProps::new(image)
//!         .cluster(cluster)
//!         .size(fargate_size!(512, 1024)) // a pair Fargate does not offer does not compile
//!         .desired_count(2)
//!         .circuit_breaker(DeploymentCircuitBreaker { rollback: true });
//!     let web = ApplicationLoadBalancedFargateService::new(&mut app, stack, "Web", web)?;
//!     web.target_group().configure_health_check(&mut app, HealthCheck::path("/health"))?;
//!     Tags::of(ROOT).add(&mut app, "team", "shop"); // every taggable resource and stack
//!     Output::new(&mut app, stack, "ClusterArn", OutputProps::new(cluster.cluster_arn()))?;
//!     Ok(app)
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let out = app()?.synth()?;
//! let t = berth::assertions::Template::from_json(out.stacks[0].template.clone())?;
//! t.has_resource_properties("AWS::ElasticLoadBalancingV2::TargetGroup",
//!     serde_json::json!({"HealthCheckPath": "/health"}));
//! t.has_resource_properties("AWS::ECS::Service",
//!     serde_json::json!({"Tags": [{"Key": "team", "Value": "shop"}]}));
//! assert_eq!(out.stacks[0].tags["team"], "shop");
//! # Ok(())
//! # }
//! ```
//!
//! A program's `main` hands its app to [`run`], which writes the cloud assembly to
//! `$BERTH_OUTDIR` (default `berth.out`), the contract the `berth` CLI relies on.
#![warn(missing_docs)]

pub use berth_assertions as assertions;
#[cfg(feature = "cli")]
pub use berth_cli as cli;
pub use berth_constructs as constructs;
pub use berth_synth as synth;

use berth_synth::assembly::TemplateFormat;
use std::process::ExitCode;

#[cfg(not(feature = "cli"))]
mod handoff;
pub mod testing;

/// The names most apps use.
pub mod prelude {
    pub use crate::testing::TemplateExt;
    pub use berth_constructs::ec2::Connectable;
    pub use berth_constructs::{
        App, Condition, Construct, ConstructError, Environment, Mapping, NodeId, Output,
        OutputProps, Parameter, ParameterProps, RemovalPolicy, Scope, Stack, StackProps, TagProps,
        Tags, ROOT,
    };
    pub use berth_synth::resource::{CfnProperties, RawProperties, ResourceRef};
    pub use berth_synth::{Expr, Intrinsic, Pseudo, Render, Target, ToValue, Token, Value};
}

/// The environment variable naming the cloud assembly directory an app writes to.
pub const OUTDIR_ENV: &str = "BERTH_OUTDIR";

/// The environment variable naming the `berth` CLI an app run with arguments hands
/// them to (a path, or a program name looked up on `PATH`; default `berth`).
pub const CLI_ENV: &str = "BERTH_CLI";

/// The assembly directory: `$BERTH_OUTDIR`, or `berth.out`.
pub fn outdir() -> std::path::PathBuf {
    std::env::var_os(OUTDIR_ENV)
        .filter(|v| !v.is_empty())
        .map(Into::into)
        .unwrap_or_else(|| "berth.out".into())
}

/// The `main` of a berth app: synthesizes `app` into the cloud assembly at
/// [`outdir`], prints warnings and a summary to stderr, and returns the exit code
/// (1 when synthesis fails, with every problem listed).
///
/// With arguments, the program hands them to the `berth` CLI for this app:
/// `cargo run --example hello -- synth HelloApp` prints a template, `-- deploy`
/// deploys. It writes the assembly (to `--output DIR` when the arguments name one),
/// then runs `berth --app=DIR ARGS` in its place, so output, prompts and exit code are
/// the CLI's. `-- watch` is handed the command that rebuilds and re-runs this program
/// (`cargo run ...` with the same package, example or binary, profile and target
/// directory) so each cycle sees edits; arguments with `--app` are handed as they are.
/// The CLI is [`CLI_ENV`] (`$BERTH_CLI`), else `berth` on `PATH`; when there is none,
/// the program prints how to install it (`cargo install --locked --path .../cli`) and
/// exits with 2. A failed synthesis exits with 3, like the CLI's.
///
/// With the `cli` feature, the program is the CLI itself instead (synthesizing
/// in-process; it links the AWS SDK).
pub fn run(app: berth_constructs::App) -> ExitCode {
    #[cfg(feature = "cli")]
    if std::env::args_os().len() > 1 {
        let mut app = app;
        return berth_cli::main_with_app(move |dir: &std::path::Path| {
            app.write_assembly(dir, TemplateFormat::Json)
                .map(|out| print_diagnostics(&out.diagnostics))
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
        });
    }
    #[cfg(not(feature = "cli"))]
    if std::env::args_os().len() > 1 {
        return handoff::main(move || Ok(app));
    }
    synth_main(app)
}

/// Like [`run`], but builds the app itself: `build` runs once per synthesis (not at
/// all for `-- watch`, which re-runs the whole program on every cycle, or for commands
/// that read no app). With the `cli` feature, `berth watch` runs in-process and
/// calls `build` on every cycle, so it sees changed asset directories; changes to the
/// program's own code then need a restart, or `--app "cargo run --quiet --example NAME"`.
///
/// ```no_run
/// use berth::prelude::*;
///
/// fn app() -> Result<App, ConstructError> {
///     let mut app = App::new();
///     Stack::new(&mut app, "Web", StackProps::default())?;
///     Ok(app)
/// }
///
/// fn main() -> std::process::ExitCode {
///     berth::run_with(app)
/// }
/// ```
pub fn run_with<F>(mut build: F) -> ExitCode
where
    F: FnMut() -> Result<berth_constructs::App, berth_constructs::ConstructError>,
{
    #[cfg(feature = "cli")]
    if std::env::args_os().len() > 1 {
        return berth_cli::main_with_app(move |dir: &std::path::Path| {
            let mut app = build()?;
            app.write_assembly(dir, TemplateFormat::Json)
                .map(|out| print_diagnostics(&out.diagnostics))
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
        });
    }
    #[cfg(not(feature = "cli"))]
    if std::env::args_os().len() > 1 {
        return handoff::main(build);
    }
    match build() {
        Ok(app) => synth_main(app),
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn print_diagnostics(diagnostics: &[berth_synth::Diagnostic]) {
    for d in diagnostics {
        eprintln!("{d}");
    }
}

fn synth_main(mut app: berth_constructs::App) -> ExitCode {
    let dir = outdir();
    let written = app.write_assembly(&dir, TemplateFormat::Json);
    // The app is done with: freeing a large tree takes milliseconds, so it is freed on
    // another thread while the summary is printed (the process may exit first).
    let _ = std::thread::Builder::new()
        .name("berth-free-app".into())
        .spawn(move || drop(app));
    match written {
        Ok(out) => {
            print_diagnostics(&out.diagnostics);
            let names: Vec<&str> = out.stacks.iter().map(|s| s.name.as_str()).collect();
            eprintln!(
                "synthesized {} stack{} ({}) to {}",
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                names.join(", "),
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
