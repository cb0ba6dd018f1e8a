//! The command line, as clap derive types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::deploy::{Approval, Method};

macro_rules! exit_codes {
    () => {
        "\
Exit codes:
  0    success
  1    diff --fail found differences; check found unsuppressed rule findings
  2    bad command line (or destroy without --force and no terminal)
  3    the app or its cloud assembly is broken (synth failed, no app configured, unknown stack)
  4    a stack operation failed (deploy rolled back, destroy failed)
  5    a change needed approval and did not get it
  6    AWS could not be used (no credentials or region, API error)
  7    refused: a deploy would replace or delete a stateful resource, or destroy met
       a stack with termination protection (nothing was changed)
  130  interrupted"
    };
}

const MAIN_AFTER: &str = concat!(
    "\
Examples:
  berth synth                      synthesize; print the template when there is one stack
  berth list --long                stacks in deploy order with their dependencies
  berth diff Web                   compare Web with what is deployed
  berth deploy --all               deploy every stack, dependencies first
  berth destroy Web --force        delete Web without asking
  berth refactor --dry-run         deployed resources whose constructs moved or were renamed

The app comes from --app (a command, or a directory with manifest.json) or from berth.toml:
  app = \"cargo run --quiet --example fargate-web\"
  output = \"berth.out\"
The command runs with BERTH_OUTDIR set to the output directory.

",
    exit_codes!()
);

/// berth: infrastructure as code in Rust for containers on AWS.
#[derive(Debug, Parser)]
#[command(
    name = "berth",
    version,
    about = "Synthesize, diff and deploy berth apps (CloudFormation stacks for containers on AWS)",
    after_help = MAIN_AFTER,
    propagate_version = true,
    term_width = 100
)]
pub struct Cli {
    /// The subcommand.
    #[command(subcommand)]
    pub command: Commands,
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Options shared by all commands (listed after each command's own: a fixed display
/// order keeps them there however many subcommands there are).
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// The app: a command that writes the cloud assembly to $BERTH_OUTDIR, or a directory
    /// that already holds one (default: `app` in berth.toml).
    #[arg(display_order = 100, long, global = true, value_name = "CMD|DIR")]
    pub app: Option<String>,
    /// Where the app writes the cloud assembly (default: `output` in berth.toml, else berth.out).
    #[arg(
        display_order = 101,
        long,
        short = 'o',
        global = true,
        value_name = "DIR"
    )]
    pub output: Option<PathBuf>,
    /// Print more (the app's own output, every API step).
    #[arg(display_order = 102, long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Print data as JSON instead of text.
    #[arg(display_order = 103, long, global = true)]
    pub json: bool,
    /// The AWS profile to use (default: AWS_PROFILE or `default`).
    #[arg(display_order = 104, long, global = true)]
    pub profile: Option<String>,
    /// The AWS region to use (default: AWS_REGION or the profile's region).
    #[arg(display_order = 105, long, global = true)]
    pub region: Option<String>,
    /// Send AWS requests to this URL instead (default: AWS_ENDPOINT_URL, else AWS),
    /// e.g. a local moto server.
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Synthesize the app; print a single stack's template.
    #[command(after_help = SYNTH_AFTER)]
    Synth(SynthArgs),
    /// List the stacks in deploy order, with their dependencies.
    #[command(visible_alias = "ls", after_help = LIST_AFTER)]
    List(ListArgs),
    /// Check the templates against a rule pack (cdk-nag's AwsSolutions ids); report as text, JSON or SARIF.
    #[command(after_help = CHECK_AFTER)]
    Check(CheckArgs),
    /// Compare stacks with what is deployed (or with a template file).
    #[command(after_help = DIFF_AFTER)]
    Diff(DiffArgs),
    /// Deploy stacks through CloudFormation, dependencies first.
    #[command(after_help = DEPLOY_AFTER)]
    Deploy(DeployArgs),
    /// Build the app's image assets and push them to ECR (deploy does this first).
    #[command(after_help = PUBLISH_AFTER)]
    Publish(PublishArgs),
    /// Re-synthesize, publish and hotswap on every change to the sources or assets.
    #[command(after_help = WATCH_AFTER)]
    Watch(WatchArgs),
    /// Delete stacks, dependents first.
    #[command(after_help = DESTROY_AFTER)]
    Destroy(DestroyArgs),
    /// Create or update the staging stack (template bucket and image repository).
    #[command(after_help = BOOTSTRAP_AFTER)]
    Bootstrap(BootstrapArgs),
    /// Create a new berth project.
    #[command(after_help = INIT_AFTER)]
    Init(InitArgs),
    /// Show deployed stacks and services: tasks, deployments, targets, alarms, events.
    #[command(after_help = STATUS_AFTER)]
    Status(StatusArgs),
    /// Show (or follow) a service's or task definition's container logs.
    #[command(after_help = LOGS_AFTER)]
    Logs(LogsArgs),
    /// Run a one-off task of a task definition in ECS, or locally with docker.
    #[command(after_help = RUN_AFTER)]
    Run(RunArgs),
    /// Open a shell (or run a command) in a running container of a service (ECS Exec).
    #[command(after_help = EXEC_AFTER)]
    Exec(ExecArgs),
    /// Answer or stop a service's deployment in progress (blue/green, linear, canary).
    #[command(after_help = DEPLOYMENT_AFTER)]
    Deployment(DeploymentArgs),
    /// Keep deployed resources whose constructs moved or were renamed (CloudFormation
    /// stack refactoring), then deploy.
    #[command(after_help = REFACTOR_AFTER)]
    Refactor(RefactorArgs),
    /// Write berth.lock: the logical IDs of the app's stateful resources (commit it).
    #[command(after_help = LOCK_AFTER)]
    Lock(LockArgs),
}

const LOCK_AFTER: &str = concat!(
    "\
Examples:
  berth lock            write berth.lock (next to berth.toml) from the app
  berth lock --check    exit 1 when berth.lock is not up to date (for CI)

With a berth.lock, every command that synthesizes the app fails (exit 3) when a stateful
resource in it (log group, repository, file system, bucket, queue, ...) has another
logical ID or is gone, naming it and the override_logical_id line that keeps it, until
`berth lock` acknowledges the change.",
    "\n\n",
    exit_codes!()
);

/// `berth lock`.
#[derive(Debug, Args)]
pub struct LockArgs {
    /// Only check that berth.lock matches the app (exit 1 when it does not).
    #[arg(long)]
    pub check: bool,
}

const REFACTOR_AFTER: &str = concat!(
    "\
Examples:
  berth refactor --dry-run          show which deployed resources moved or were renamed
  berth refactor                    move them (after asking), then deploy
  berth refactor Web --force --no-deploy

A resource is taken to have moved when one is gone from a stack and a new one of the
same type with the same properties (references aside) appears, in the same stack under
another logical ID or in another stack. CloudFormation then moves the deployed resource
instead of deleting it and creating a new one: nothing is replaced, no data is lost.
Identical resources moved together are ambiguous and refused (exit 7): keep their logical
IDs with override_logical_id. The templates sent carry only the moves; the deploy that
follows brings every other change. moto has no stack refactoring: this command needs AWS.",
    "\n\n",
    exit_codes!()
);

/// `berth refactor`.
#[derive(Debug, Args)]
pub struct RefactorArgs {
    /// Stacks to refactor (default: all; a stack a resource moves to or from is
    /// included).
    pub stacks: Vec<String>,
    /// Only show what moved.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation.
    #[arg(long, short = 'f')]
    pub force: bool,
    /// Stop after the refactor (deploy later).
    #[arg(long)]
    pub no_deploy: bool,
    /// Which changes of the deploy that follows need approval.
    #[arg(long, value_enum, default_value = "broadening")]
    pub require_approval: Approval,
    /// The bootstrap stack holding the template bucket (large templates).
    #[arg(long, default_value = crate::deploy::DEFAULT_TOOLKIT_STACK)]
    pub toolkit_stack_name: String,
}

const DEPLOYMENT_AFTER: &str = concat!(
    "\
Examples:
  berth deployment continue Web      continue Web's deployment paused at a PAUSE hook
  berth deployment rollback Web      roll it back instead
  berth deployment stop Web          stop the deployment in progress and roll it back
  berth deployment stop Web --abort  stop it where it is
  berth deployment continue arn:aws:ecs:us-east-1:123456789012:service/prod/web

SERVICE is named as `berth status` names it (its construct path or a unique end of it), or
by its ARN (no app needed). The answered hook is the one awaiting action, or --hook ID.
`berth deploy` shows the hook id and this command when a deployment pauses.",
    "\n\n",
    exit_codes!()
);

const SYNTH_AFTER: &str = concat!(
    "\
Examples:
  berth synth                 write berth.out/; print the template if the app has one stack
  berth synth Web             print Web's template as YAML
  berth synth Web --json      ... as JSON
  berth synth -q              only write the assembly
  berth synth --rules aws-solutions --strict
                              fail (exit 3, nothing written) on an unsuppressed rule finding",
    "\n\n",
    exit_codes!()
);

const CHECK_AFTER: &str = concat!(
    "\
Examples:
  berth check                          findings of the aws-solutions pack, one per line
  berth check --format sarif > berth.sarif
                                       SARIF 2.1.0 for a code-scanning upload
  berth check --app berth.out --format json
                                       CDK's policy validation report of an existing assembly

Suppress a finding in the app: app.add_suppression(scope, Suppression::new(\"AwsSolutions-ELB2\",
\"a demo without access logs\")); it applies to every resource below scope. berth check exits 1
when a finding is not suppressed.",
    "\n\n",
    exit_codes!()
);

const PUBLISH_AFTER: &str = concat!(
    "\
Examples:
  berth publish                       the app's only stack
  berth publish --all
  BERTH_DOCKER=podman berth publish   build and push with podman

Each image is built from its staged directory in the cloud assembly, tagged with its asset
hash and pushed to the bootstrap repository (`berth bootstrap`). Images whose tag is already
in the repository are not rebuilt. A failing build shows the docker output.",
    "\n\n",
    exit_codes!()
);

const WATCH_AFTER: &str = concat!(
    "\
Examples:
  berth watch                 keep the app's only stack in step with the sources
  berth watch Web --fallback  deploy through CloudFormation when a hotswap is not possible

The first cycle deploys whatever changed (through CloudFormation when a hotswap is not
possible); each later cycle re-synthesizes, publishes changed images and hotswaps, and prints
one line. Changes that cannot be hotswapped are reported, unless --fallback.
Changes under target/, .git/ and the output directory are ignored. Ctrl-C stops.",
    "\n\n",
    exit_codes!()
);

const LIST_AFTER: &str = concat!(
    "\
Examples:
  berth list
  berth list --long
  berth list --json",
    "\n\n",
    exit_codes!()
);

const DIFF_AFTER: &str = concat!(
    "\
Examples:
  berth diff                          every stack against what is deployed
  berth diff Web --template old.json  offline, against a template file
  berth diff --fail                   exit 1 when anything differs (for CI)

Modified resources list their changed properties; a change to a create-only property is
marked (replace) with the property named. IAM statements and security group rules are
listed separately under \"Security changes\". A stateful resource (log group, repository,
file system, bucket, queue, ...) that would be replaced or deleted is marked ⚠ in red,
in the words deploy refuses it with; a moved or renamed construct is shown with the
override_logical_id line that keeps it.",
    "\n\n",
    exit_codes!()
);

const DEPLOY_AFTER: &str = concat!(
    "\
Examples:
  berth deploy                               the app's only stack
  berth deploy Web                           Web and the stacks it depends on
  berth deploy --all --concurrency 4         everything, independent stacks in parallel
  berth deploy Web --parameters Web:DesiredCount=3
  berth deploy --all --require-approval never --outputs-file outputs.json
  berth deploy Web --method direct --no-rollback

Image assets (ContainerImage::from_asset) are built and pushed to the bootstrap repository
first, unless their tag is already there; the docker program is BERTH_DOCKER (default docker).
--hotswap updates ECS services directly when only task definitions (image, environment,
command, cpu, memory) or desired counts changed: seconds instead of minutes, but the stack
drifts from its template until the next full deploy. Service rollouts are shown as they
happen and fail early when tasks keep stopping (--max-stopped-tasks). Blue/green, linear and
canary deployments are followed stage by stage (traffic split, bake time, alarms in ALARM,
how they ended and what triggered a rollback); a deployment paused at a PAUSE hook is
answered on the terminal, by --on-pause, or with `berth deployment continue|rollback`.
Templates over 51,200 bytes (as sent: minified) are uploaded to the bootstrap bucket
(`berth bootstrap`).
A deploy that would replace or delete a stateful resource (log group, ECR repository, EFS,
S3 bucket, SQS queue, KMS key, secret, database, ...) whose DeletionPolicy/UpdateReplacePolicy
is not Retain or Snapshot is refused before anything changes (exit 7), naming each one and
its cause, unless --allow-replacement PATH or app.allow_replacement(..) allows it. A moved or
renamed construct is recognized: keep its logical ID with the override_logical_id line shown,
or run `berth refactor`.
Without a terminal, changes that need approval fail (exit 5); pass --require-approval never
in CI. Ctrl-C stops watching; CloudFormation carries on with the operation.",
    "\n\n",
    exit_codes!()
);

const DESTROY_AFTER: &str = concat!(
    "\
Examples:
  berth destroy Web
  berth destroy --all --force

A stack with termination protection (set in the app, or on the deployed stack) is not
deleted (exit 7); berth says how to lift it.",
    "\n\n",
    exit_codes!()
);

const BOOTSTRAP_AFTER: &str = concat!(
    "\
Examples:
  berth bootstrap
  berth bootstrap --region eu-west-1 --profile prod

Creates (or updates) the stack BerthToolkit with an S3 bucket for large templates and assets
and an ECR repository for image assets. Run it once per account and region.",
    "\n\n",
    exit_codes!()
);

const INIT_AFTER: &str = concat!(
    "\
Examples:
  berth init my-app                      an ALB + Fargate web service
  berth init --template worker my-worker a queue-less background worker
  berth init --template scheduled jobs   a task on a schedule",
    "\n\n",
    exit_codes!()
);

/// `berth synth`.
#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Stacks to print (by name; `*` matches any characters).
    pub stacks: Vec<String>,
    /// Print nothing.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Check the templates with these rule packs (comma-separated; `aws-solutions`);
    /// findings are warnings, listed on stderr and in policy-validation-report.json.
    #[arg(long, value_name = "PACKS", value_delimiter = ',')]
    pub rules: Vec<String>,
    /// With --rules: unsuppressed findings fail synth (exit 3, nothing written).
    #[arg(long, requires = "rules")]
    pub strict: bool,
}

/// `berth check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Only these stacks (by name; `*` matches any characters).
    pub stacks: Vec<String>,
    /// The rule packs (comma-separated).
    #[arg(
        long,
        value_name = "PACKS",
        value_delimiter = ',',
        default_value = "aws-solutions"
    )]
    pub rules: Vec<String>,
    /// The report's format: text, json (CDK's policy validation report) or sarif (SARIF 2.1.0,
    /// for code-scanning uploads).
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
}

/// The formats of `berth check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// One line per finding, for terminals.
    Text,
    /// CDK's policy-validation-report.json.
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

/// `berth list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only these stacks.
    pub stacks: Vec<String>,
    /// Also show environment, resource and output counts.
    #[arg(long, short = 'l')]
    pub long: bool,
}

/// `berth diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Stacks to compare (default: all).
    pub stacks: Vec<String>,
    /// Compare with this template file (JSON or YAML) instead of the deployed stack; works offline.
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// Exit with 1 when there are differences.
    #[arg(long)]
    pub fail: bool,
    /// Count this stateful resource as allowed to be replaced or deleted, as `deploy
    /// --allow-replacement` does (repeatable).
    #[arg(long = "allow-replacement", value_name = "PATH")]
    pub allow_replacement: Vec<String>,
}

/// `berth deploy`.
#[derive(Debug, Args)]
pub struct DeployArgs {
    /// Stacks to deploy (their dependencies are deployed first unless --exclusively).
    pub stacks: Vec<String>,
    /// Deploy every stack.
    #[arg(long)]
    pub all: bool,
    /// Deploy only the named stacks, not their dependencies.
    #[arg(long, short = 'e')]
    pub exclusively: bool,
    /// How to create and update stacks.
    #[arg(long, value_enum, default_value = "change-set")]
    pub method: Method,
    /// Parameter values: Stack:Key=Value, or Key=Value for every stack (repeatable).
    #[arg(long = "parameters", value_name = "STACK:KEY=VALUE")]
    pub parameters: Vec<String>,
    /// Which changes need approval.
    #[arg(long, value_enum, default_value = "broadening")]
    pub require_approval: Approval,
    /// Keep failed resources instead of rolling back (for debugging).
    #[arg(long)]
    pub no_rollback: bool,
    /// Write the stacks' outputs to this JSON file.
    #[arg(long, value_name = "FILE")]
    pub outputs_file: Option<PathBuf>,
    /// How many independent stacks to deploy at once.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
    /// The bootstrap stack holding the template bucket.
    #[arg(long, default_value = crate::deploy::DEFAULT_TOOLKIT_STACK)]
    pub toolkit_stack_name: String,
    /// Deploy even when the template, parameters and tags equal the deployed ones.
    #[arg(long)]
    pub force: bool,
    /// When the only changes are ECS task definitions (image, environment, command,
    /// cpu, memory) and desired counts, update the services through the ECS API instead
    /// of CloudFormation; otherwise deploy through CloudFormation.
    #[arg(long, conflicts_with = "hotswap_only")]
    pub hotswap: bool,
    /// Like --hotswap, but fail instead of deploying through CloudFormation.
    #[arg(long)]
    pub hotswap_only: bool,
    /// Fail a service rollout once this many tasks of the new deployment have stopped.
    #[arg(long, default_value_t = 3, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_stopped_tasks: u32,
    /// Fail a service rollout that takes longer than this.
    #[arg(long, default_value_t = 1800, value_name = "SECONDS")]
    pub rollout_timeout: u64,
    /// Do not build and push image assets (they must already be in ECR).
    #[arg(long)]
    pub no_publish: bool,
    /// Let the deploy replace or delete this stateful resource (log group, repository,
    /// file system, bucket, queue, ...) and lose its data: a construct path
    /// (`Web/Logs` covers `Web/Logs/Resource`), a `*` pattern or a logical id. Repeatable.
    #[arg(long = "allow-replacement", value_name = "PATH")]
    pub allow_replacement: Vec<String>,
    /// Answer a paused lifecycle hook (blue/green, linear, canary) with continue,
    /// rollback or wait, instead of asking on the terminal (default: ask; without a
    /// terminal, wait, printing the hook and the `berth deployment` command).
    #[arg(long, value_enum, value_name = "ANSWER", hide_possible_values = true)]
    pub on_pause: Option<PauseAnswer>,
}

/// An answer to a paused deployment (`--on-pause`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PauseAnswer {
    /// Continue the deployment.
    Continue,
    /// Roll the deployment back.
    Rollback,
    /// Leave it paused for `berth deployment continue|rollback` (or its timeout).
    Wait,
}

impl PauseAnswer {
    /// What the rollout does.
    pub fn on_pause(answer: Option<PauseAnswer>) -> crate::deploy::service_deployment::OnPause {
        use crate::deploy::service_deployment::OnPause;
        match answer {
            None => OnPause::Ask,
            Some(PauseAnswer::Continue) => OnPause::Continue,
            Some(PauseAnswer::Rollback) => OnPause::Rollback,
            Some(PauseAnswer::Wait) => OnPause::Wait,
        }
    }
}

/// `berth publish`.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// Stacks whose image assets to publish (with their dependencies).
    pub stacks: Vec<String>,
    /// Every stack.
    #[arg(long)]
    pub all: bool,
}

/// `berth watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Stacks to keep deployed.
    pub stacks: Vec<String>,
    /// Every stack.
    #[arg(long)]
    pub all: bool,
    /// Deploy through CloudFormation when a change cannot be hotswapped (default: only
    /// report it).
    #[arg(long)]
    pub fallback: bool,
    /// Wait this long after the last change before a cycle starts.
    #[arg(long, default_value = "300", value_name = "MS")]
    pub debounce_ms: u64,
    /// Paths to watch: the app's sources and its asset directories (default: the current
    /// directory; target/, .git/ and the output directory are always left out).
    #[arg(long = "include", value_name = "PATH")]
    pub include: Vec<PathBuf>,
    /// Stop after this many cycles (for scripts and tests).
    #[arg(long, value_name = "N", hide = true)]
    pub cycles: Option<u32>,
    /// Fail a service rollout that takes longer than this.
    #[arg(long, default_value_t = 1800, value_name = "SECONDS")]
    pub rollout_timeout: u64,
    /// Fail a service rollout once this many tasks of the new deployment have stopped.
    #[arg(long, default_value_t = 3, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_stopped_tasks: u32,
    /// Answer a paused lifecycle hook with continue, rollback or wait, instead of
    /// asking on the terminal (see `berth deploy --help`).
    #[arg(long, value_enum, value_name = "ANSWER", hide_possible_values = true)]
    pub on_pause: Option<PauseAnswer>,
}

/// `berth deployment`.
#[derive(Debug, Args)]
pub struct DeploymentArgs {
    /// What to do.
    #[arg(value_enum)]
    pub action: DeploymentAction,
    /// The service (construct path or a unique end of it, or its ARN).
    #[arg(value_name = "SERVICE")]
    pub service: Option<String>,
    /// The paused hook to answer (default: the one awaiting action).
    #[arg(long, value_name = "ID")]
    pub hook: Option<String>,
    /// With `stop`: stop the deployment where it is instead of rolling it back.
    #[arg(long)]
    pub abort: bool,
}

/// What `berth deployment` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DeploymentAction {
    /// Answer the paused hook: continue.
    Continue,
    /// Answer the paused hook: roll back.
    Rollback,
    /// Stop the deployment in progress (StopServiceDeployment).
    Stop,
}

/// `berth destroy`.
#[derive(Debug, Args)]
pub struct DestroyArgs {
    /// Stacks to delete.
    pub stacks: Vec<String>,
    /// Delete every stack.
    #[arg(long)]
    pub all: bool,
    /// Do not ask for confirmation.
    #[arg(long, short = 'f')]
    pub force: bool,
}

/// `berth bootstrap`.
#[derive(Debug, Args)]
pub struct BootstrapArgs {
    /// The staging stack's name.
    #[arg(long, default_value = crate::deploy::DEFAULT_TOOLKIT_STACK)]
    pub toolkit_stack_name: String,
}

/// Project templates for `berth init`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InitTemplate {
    /// A load-balanced Fargate web service.
    Web,
    /// A Fargate worker without a load balancer.
    Worker,
    /// A Fargate task on a schedule.
    Scheduled,
}

/// `berth init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Which project to create.
    #[arg(long, value_enum, default_value = "web")]
    pub template: InitTemplate,
    /// The directory (default: the current one, which must be empty).
    pub dir: Option<PathBuf>,
    /// Point the berth dependency at this path instead of crates.io.
    #[arg(long, value_name = "PATH", hide = true)]
    pub berth_path: Option<PathBuf>,
}

const STATUS_AFTER: &str = concat!(
    "\
Examples:
  berth status                    every stack and service of the app
  berth status Web                one stack
  berth status Api/Service        one service (construct path, or a unique end of it)
  berth status --watch            refresh every 5 s (Ctrl-C stops)
  berth status --json

Per stack: status, last update, drift (when detected), endpoints from the outputs, alarms in
ALARM. Per service: desired/running/pending tasks, deployments with their rollout state,
the task definition revision and each container's image, load balancer target health and
the latest service events. Services are named as `berth list --long` shows them.",
    "\n\n",
    exit_codes!()
);

const LOGS_AFTER: &str = concat!(
    "\
Examples:
  berth logs Api/Service                     the last hour (at most 200 lines)
  berth logs Api/Service --follow            and keep following (Ctrl-C stops)
  berth logs Api --container web --since 10m
  berth logs Api --filter ERROR --start 2026-12-07T10:00:00Z --end 2026-12-07T11:00:00Z
  berth logs Api --task 0123abcd --limit 50
  berth logs Api --previous                  the tasks of the deployment before this one
  berth logs Migrate                         a task definition's tasks (berth run, schedules)

Lines of all tasks and containers are interleaved in time order, each prefixed with
task/container (colored on a terminal). The log group and stream prefix come from the deployed
task definition's awslogs options (or FireLens to CloudWatch Logs). --follow uses CloudWatch
Logs live tail where it is available and polls otherwise. --json prints one object per line.",
    "\n\n",
    exit_codes!()
);

const RUN_AFTER: &str = concat!(
    "\
Examples:
  berth run Migrate --command \"./migrate up\" --follow   run it, stream its logs, exit with its code
  berth run Migrate --env DRY_RUN=1 --wait
  berth run Worker/TaskDef --service Worker/Service --count 3
  berth run --local Api                           run the task definition with docker
  berth run --local Api --env-file .env --override web.env.DEBUG=1 --no-secrets

In ECS: RunTask with the cluster, launch type or capacity providers, subnets, security groups
and public IP of the service (or schedule) that runs the task definition in the deployed
stack (--service names another). With --wait or --follow, berth exits with the essential
container's exit code (4 when the task never started, with ECS's reason) and shows the last
log lines of containers that exited non-zero.

--local runs the containers with docker (BERTH_DOCKER, default docker): asset images are
built first, secrets are read from SSM Parameter Store and Secrets Manager (unless
--no-secrets), ports are published on 127.0.0.1, containers start in dependency order with
their conditions, awsvpc tasks share one network namespace (a pause container), volumes
become bind mounts (EFS: .berth/volumes/NAME) or docker volumes. The run ends when an essential
container exits (with its exit code) or on Ctrl-C; either way everything it started is
stopped and removed.",
    "\n\n",
    exit_codes!()
);

const EXEC_AFTER: &str = concat!(
    "\
Examples:
  berth exec Api                                  /bin/sh in the newest running task
  berth exec Api --container web --command \"rails console\"
  berth exec Api --task 0123abcd
  BERTH_SESSION_MANAGER_PLUGIN=/opt/ssm/session-manager-plugin berth exec Api

Needs ECS Exec on the service (`enable_execute_command: true` in its props, deployed) and the
Session Manager plugin (BERTH_SESSION_MANAGER_PLUGIN, default session-manager-plugin). berth
checks both, and the task role's ssmmessages permissions, before opening the session.",
    "\n\n",
    exit_codes!()
);

/// `berth status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// A stack (name or pattern) or a service (construct path or a unique end of it);
    /// default: everything.
    #[arg(value_name = "STACK|SERVICE")]
    pub target: Option<String>,
    /// Refresh in place until Ctrl-C.
    #[arg(long, short = 'w')]
    pub watch: bool,
    /// Seconds between refreshes with --watch.
    #[arg(long, default_value_t = 5, value_name = "SECONDS")]
    pub interval: u64,
    /// Stop after this many refreshes (for scripts and tests).
    #[arg(long, value_name = "N", hide = true)]
    pub refreshes: Option<u32>,
}

/// `berth logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The service or task definition (construct path or a unique end of it).
    #[arg(value_name = "SERVICE|TASKDEF")]
    pub target: Option<String>,
    /// Only this container.
    #[arg(long, short = 'c', value_name = "NAME")]
    pub container: Option<String>,
    /// Keep printing new lines (Ctrl-C stops).
    #[arg(long, short = 'f')]
    pub follow: bool,
    /// Stop following after this long (e.g. 30s, 10m).
    #[arg(long, value_name = "DURATION", requires = "follow")]
    pub follow_for: Option<String>,
    /// Lines newer than this (e.g. 90s, 10m, 2h, 1d).
    #[arg(long, value_name = "DURATION", conflicts_with = "start")]
    pub since: Option<String>,
    /// Lines from this time (RFC 3339, e.g. 2026-12-07T10:00:00Z).
    #[arg(long, value_name = "TIME")]
    pub start: Option<String>,
    /// Lines until this time (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub end: Option<String>,
    /// Only lines matching this CloudWatch Logs filter pattern.
    #[arg(long, value_name = "PATTERN")]
    pub filter: Option<String>,
    /// Only this task (id or ARN; repeatable).
    #[arg(long, value_name = "ID")]
    pub task: Vec<String>,
    /// The tasks of the service's previous deployment.
    #[arg(long, conflicts_with = "task")]
    pub previous: bool,
    /// At most this many lines (the newest).
    #[arg(long, short = 'n', value_name = "N")]
    pub limit: Option<usize>,
}

/// `berth run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The task definition (or a service, for its task definition and placement).
    #[arg(value_name = "TASKDEF")]
    pub taskdef: Option<String>,
    /// Take the cluster, network and launch settings from this service.
    #[arg(long, value_name = "SERVICE")]
    pub service: Option<String>,
    /// The command, instead of the container's (split like a shell would).
    #[arg(long, value_name = "COMMAND", allow_hyphen_values = true)]
    pub command: Option<String>,
    /// An environment variable for the container (repeatable).
    #[arg(long, short = 'e', value_name = "NAME=VALUE")]
    pub env: Vec<String>,
    /// The container --command and --env apply to (default: the first essential one).
    #[arg(long, value_name = "NAME")]
    pub container: Option<String>,
    /// How many tasks.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=10))]
    pub count: u16,
    /// Wait for the tasks to stop; exit with the essential container's exit code.
    #[arg(long)]
    pub wait: bool,
    /// Stream the tasks' logs while they run (implies --wait).
    #[arg(long, short = 'f')]
    pub follow: bool,
    /// Subnets (instead of the service's).
    #[arg(long, value_delimiter = ',', value_name = "ID,..")]
    pub subnets: Vec<String>,
    /// Security groups (instead of the service's).
    #[arg(long, value_delimiter = ',', value_name = "ID,..")]
    pub security_groups: Vec<String>,
    /// Give the tasks a public IP.
    #[arg(long)]
    pub public_ip: bool,
    /// Run the containers on this machine with docker instead.
    #[arg(long, conflicts_with_all = ["count", "wait", "follow", "subnets", "security_groups", "public_ip", "service"])]
    pub local: bool,
    /// With --local: do not resolve secrets (the containers start without them).
    #[arg(long, requires = "local")]
    pub no_secrets: bool,
    /// With --local: NAME=VALUE lines for every container.
    #[arg(long, value_name = "FILE", requires = "local")]
    pub env_file: Option<PathBuf>,
    /// With --local: CONTAINER.env.NAME=VALUE or CONTAINER.image=IMAGE (repeatable).
    #[arg(
        long = "override",
        value_name = "CONTAINER.env.NAME=VALUE",
        requires = "local"
    )]
    pub overrides: Vec<String>,
}

/// `berth exec`.
#[derive(Debug, Args)]
pub struct ExecArgs {
    /// The service (construct path or a unique end of it).
    #[arg(value_name = "SERVICE")]
    pub service: Option<String>,
    /// The container (default: the first essential one).
    #[arg(long, short = 'c', value_name = "NAME")]
    pub container: Option<String>,
    /// The task (id or ARN; default: the newest running one).
    #[arg(long, value_name = "ID")]
    pub task: Option<String>,
    /// The command to run.
    #[arg(long, default_value = "/bin/sh", value_name = "COMMAND")]
    pub command: String,
}

// The deploy engine's choices as command-line values: the engine (`deploy/`) knows no
// clap, so their names and help live here.

impl clap::ValueEnum for Method {
    fn value_variants<'a>() -> &'a [Self] {
        &[Method::ChangeSet, Method::Direct]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        use clap::builder::PossibleValue;
        Some(match self {
            Method::ChangeSet => PossibleValue::new("change-set")
                .help("Through a change set (CreateChangeSet + ExecuteChangeSet)"),
            Method::Direct => {
                PossibleValue::new("direct").help("Directly (CreateStack / UpdateStack)")
            }
        })
    }
}

impl clap::ValueEnum for Approval {
    fn value_variants<'a>() -> &'a [Self] {
        &[Approval::Never, Approval::AnyChange, Approval::Broadening]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        use clap::builder::PossibleValue;
        Some(match self {
            Approval::Never => PossibleValue::new("never").help("Never ask"),
            Approval::AnyChange => PossibleValue::new("any-change").help("Ask for any change"),
            Approval::Broadening => PossibleValue::new("broadening")
                .help("Ask when IAM statements or security group rules are added"),
        })
    }
}
