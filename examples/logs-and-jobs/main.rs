//! # logs-and-jobs: log routing, access logs, secrets and schedules
//!
//! What a team adds around its web service once it runs in production, without raw
//! resources or property overrides. One stack, `LogsAndJobs`, in `us-east-1` (the
//! access logs' bucket policy names that region's Elastic Load Balancing account):
//!
//! - `AccessLogs`: an S3 bucket for the load balancer's access logs (public access
//!   blocked, SSE-S3, TLS only, objects expire after 90 days, kept when the stack goes).
//! - `DbCredentials`: a Secrets Manager secret generated as
//!   `{"username": "app", "password": ...}`; `FeatureFlags`: an SSM parameter.
//! - `Web`: nginx behind a public application load balancer whose access logs go to
//!   the bucket. Its task definition (`WebTask`) has a FireLens log router (AWS for
//!   Fluent Bit, parsing JSON with the configuration the image ships) that sends the
//!   container's logs to CloudWatch Logs; the database password and the flags are
//!   container secrets (the execution role may read exactly those two).
//! - `Worker`: a queue worker on Fargate Spot (four Spot tasks to one on-demand, one
//!   on-demand task always), with ECS Exec.
//! - `Report`: a scheduled task (an EventBridge rule) at 02:00 UTC, Monday to Friday.
//! - `Backup`: an EventBridge Scheduler schedule at 03:30 Paris time, within a
//!   15-minute window, running the `BackupTask` task definition on Fargate Spot.
//!
//! ```sh
//! cargo run --example logs-and-jobs                          # writes berth.out/
//! cargo run --example logs-and-jobs -- synth LogsAndJobs     # prints the template
//! ```
use berth::constructs::ecs::{
    AwsLogDriverProps, CapacityProviderStrategy, Cluster, ClusterProps, ContainerDefinitionOptions,
    ContainerImage, FargateTaskDefinition, FargateTaskDefinitionProps, FireLensLogDriverProps,
    FirelensConfigFile, FirelensLogRouterOptions, PortMapping, Secret,
};
use berth::constructs::elbv2::HealthCheck;
use berth::constructs::events::{CronOptions, Schedule};
use berth::constructs::patterns::{
    ApplicationLoadBalancedFargateService, ApplicationLoadBalancedFargateServiceProps,
    QueueProcessingFargateService, QueueProcessingFargateServiceProps, ScheduledFargateTask,
    ScheduledFargateTaskProps, ScheduledTaskImageOptions,
};
use berth::constructs::s3::{Bucket, BucketProps, LifecycleRule};
use berth::constructs::scheduler::{self, EcsRunTask, ScheduleProps, TimeWindow};
use berth::constructs::secretsmanager::{self, SecretProps, SecretStringGenerator};
use berth::constructs::ssm::{StringParameter, StringParameterProps};
use berth::prelude::*;
use std::time::Duration;

const NGINX: &str = "public.ecr.aws/nginx/nginx:latest";
const BUSYBOX: &str = "public.ecr.aws/docker/library/busybox:latest";

/// Builds the app.
pub fn app() -> Result<App, ConstructError> {
    let mut app = App::new();
    let env = Environment {
        account: None,
        region: Some("us-east-1".into()),
    };
    let stack = Stack::new(
        &mut app,
        "LogsAndJobs",
        StackProps::default()
            .env(env)
            .description("logs-and-jobs: log routing, access logs, secrets and schedules"),
    )?;
    let cluster_props = ClusterProps::default().enable_fargate_capacity_providers(true);
    let cluster = Cluster::new(&mut app, stack, "Cluster", cluster_props)?;
    let spot = [
        CapacityProviderStrategy::fargate_spot(4),
        CapacityProviderStrategy::fargate(1).with_base(1),
    ];

    let access_logs = Bucket::new(
        &mut app,
        stack,
        "AccessLogs",
        BucketProps::default().lifecycle_rules([LifecycleRule::expire_after_days(90)]),
    )?;
    let credentials =
        SecretStringGenerator::json(r#"{"username":"app"}"#, "password").exclude_punctuation(true);
    let db = secretsmanager::Secret::new(
        &mut app,
        stack,
        "DbCredentials",
        SecretProps::default().generate_secret_string(credentials),
    )?;
    let flags = StringParameter::new(
        &mut app,
        stack,
        "FeatureFlags",
        StringParameterProps::new("checkout=on").parameter_name("/logs-and-jobs/flags"),
    )?;

    // The web service: logs through FireLens, access logs in the bucket.
    let web_task = FargateTaskDefinition::new(
        &mut app,
        stack,
        "WebTask",
        FargateTaskDefinitionProps::default(),
    )?;
    let parse_json = FirelensConfigFile::File("/fluent-bit/configs/parse-json.conf".into());
    let router = FirelensLogRouterOptions::default().config_file(parse_json);
    web_task.add_firelens_log_router(&mut app, "log_router", router)?;
    let web_container = ContainerDefinitionOptions::new(ContainerImage::from_registry(NGINX))
        .port_mappings([PortMapping::tcp(80)])
        .secrets([
            (
                "DB_PASSWORD",
                Secret::from_secrets_manager_json_field(&db, "password"),
            ),
            ("FEATURE_FLAGS", Secret::from_ssm_parameter(&flags)),
        ])
        .logging(FireLensLogDriverProps::cloudwatch_logs("web/"));
    web_task.add_container(&mut app, "web", web_container)?;
    let web_props = ApplicationLoadBalancedFargateServiceProps::default()
        .cluster(cluster)
        .task_definition(web_task)
        .desired_count(2);
    let web = ApplicationLoadBalancedFargateService::new(&mut app, stack, "Web", web_props)?;
    web.target_group()
        .configure_health_check(&mut app, HealthCheck::path("/"))?;
    web.load_balancer()
        .log_access_logs(&mut app, &access_logs, "web")?;

    // A queue worker on Fargate Spot, reachable with ECS Exec.
    let worker =
        QueueProcessingFargateServiceProps::new(cluster, ContainerImage::from_registry(BUSYBOX))
            .command(["sh", "-c", "echo working on $QUEUE_NAME; sleep 3600"])
            .capacity_provider_strategies(spot.clone())
            .enable_execute_command(true);
    QueueProcessingFargateService::new(&mut app, stack, "Worker", worker)?;

    // Weekday reports at 02:00 UTC (an EventBridge rule); the schedule is checked here.
    let weekdays = Schedule::cron(CronOptions::default().minute(0).hour(2).week_day("MON-FRI"));
    let report = ScheduledTaskImageOptions::new(ContainerImage::from_registry(BUSYBOX))
        .command(["echo", "weekday report"]);
    let report = ScheduledFargateTaskProps::new(cluster, weekdays, report)
        .rule_description("weekday reports, at 02:00 UTC");
    ScheduledFargateTask::new(&mut app, stack, "Report", report)?;

    // The nightly backup with EventBridge Scheduler: Paris time, a 15-minute window, Spot.
    let backup_task = FargateTaskDefinition::new(
        &mut app,
        stack,
        "BackupTask",
        FargateTaskDefinitionProps::default(),
    )?;
    let backup = ContainerDefinitionOptions::new(ContainerImage::from_registry(BUSYBOX))
        .command(["echo", "backing up"])
        .secrets([(
            "DB_PASSWORD",
            Secret::from_secrets_manager_json_field(&db, "password"),
        )])
        .logging(AwsLogDriverProps::new("backup"));
    backup_task.add_container(&mut app, "backup", backup)?;
    let nightly = Schedule::cron(CronOptions::default().minute(30).hour(3));
    let target = EcsRunTask::new(cluster, backup_task).capacity_provider_strategies(spot);
    let schedule = ScheduleProps::new(nightly, target)
        .time_zone("Europe/Paris")
        .time_window(TimeWindow::flexible(Duration::from_secs(15 * 60)))
        .description("the nightly backup, 03:30 Paris time");
    scheduler::Schedule::new(&mut app, stack, "Backup", schedule)?;

    // What the aws-solutions rule pack would report and this demo keeps on purpose,
    // with the reason (each is written into the template as cdk-nag reads it).
    app.add_rule_pack(ROOT, "aws-solutions")?;
    for suppression in [
        Suppression::new(
            "AwsSolutions-VPC7",
            "a demo VPC: flow logs, billed per GB, are left to production apps",
        ),
        Suppression::new(
            "AwsSolutions-ECS2",
            "the environment holds plain configuration (names, ports, modes), no secret",
        ),
        Suppression::new(
            "Berth-ECS2",
            "the sample images write to their root file system (caches, pid files)",
        ),
        Suppression::new(
            "Berth-ECS3",
            "the sample images start as root, as their publishers ship them",
        ),
        Suppression::new(
            "Berth-LOG2",
            "demo logs hold no personal data; CloudWatch Logs encrypts them with its own key",
        ),
        Suppression::new(
            "AwsSolutions-EC23",
            "the public load balancer answers the internet on its listener port",
        ),
        Suppression::new(
            "AwsSolutions-SQS4",
            "the pattern's queues are reached only through the AWS SDK, which always uses TLS",
        ),
        Suppression::new(
            "AwsSolutions-IAM5",
            "ecr:GetAuthorizationToken and ECS Exec's ssmmessages actions take no resource ARN",
        )
        .applies_to(["Resource::*"]),
        Suppression::new("AwsSolutions-IAM5", "a schedule runs the latest revision of its own task definition").applies_to_regex("/^Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task-definition\\/.*:\\*$/"),
        Suppression::new(
            "AwsSolutions-IAM5",
            "AWS publishes the Fluent Bit image from one account per region",
        )
        .applies_to([
            "Resource::arn:<AWS::Partition>:ecr:<AWS::Region>:*:repository/aws-for-fluent-bit",
        ]),
    ] {
        app.add_suppression(stack, suppression)?;
    }
    app.add_suppression(
        access_logs,
        Suppression::new(
            "AwsSolutions-S1",
            "this bucket receives the load balancer's access logs; logging it would loop",
        ),
    )?;
    app.add_suppression(
        db,
        Suppression::new(
            "AwsSolutions-SMG4",
            "a generated demo secret: rotation needs a rotation function this demo does not deploy",
        ),
    )?;
    Ok(app)
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    berth::run_with(app)
}
