//! # production: a team's app as it runs in production, in two stacks
//!
//! An API that queues jobs, a worker that runs them on Fargate Spot against a shared
//! file system, a nightly job on the same files, and what the team watches it all
//! with. No raw resource and no property override: every piece is a construct.
//! Both stacks are in `us-east-1` (the access logs' bucket policy names that region's
//! Elastic Load Balancing account).
//!
//! `ProductionData`, what outlives a deployment (keys, buckets and file systems are
//! retained when the stack goes):
//! - `DataKey`: a KMS key (rotated, alias `alias/production/data`) that encrypts the
//!   log groups, the queues, the file system and the alarm topic;
//! - `Vpc`: two AZs, one NAT gateway;
//! - `AccessLogs`: an S3 bucket for the load balancer's access logs (public access
//!   blocked, SSE-S3, TLS only, objects expire after 90 days);
//! - `Jobs` (visibility 5 minutes) redriving into `JobsDlq` after 5 receives;
//! - `Shared`: an encrypted EFS file system (files unused for 30 days move to
//!   Infrequent Access) with the access point `/jobs` owned by 1000:1000;
//! - `Alarms`: an SNS topic (encrypted) with the on-call email subscription.
//!
//! `ProductionApp`, what a deployment changes:
//! - `Cluster` with Fargate and Fargate Spot capacity providers and Container Insights;
//! - `WebLogs`, `WorkerLogs`, `JobLogs`: log groups encrypted with `DataKey` (a month's
//!   retention; `DataKey`'s policy lets CloudWatch Logs use it);
//! - `Web`: nginx behind a public load balancer (health check `/health`, circuit
//!   breaker), access logs to `AccessLogs` under `web/`; its task role may send to `Jobs`;
//! - `Worker`: a queue-processing service on Fargate Spot (one on-demand task as a
//!   base) with ECS Exec, working through `Jobs`, scaled 1..10 on queue depth; its task
//!   (`WorkerTask`) mounts the access point at `/jobs` (IAM-authorized, encrypted in
//!   transit) and routes its logs through a FireLens log router (AWS for Fluent Bit)
//!   to `WorkerLogs`;
//! - `Compact`: an EventBridge Scheduler schedule at 02:30 Berlin time (a 30-minute
//!   window) running `CompactTask` on Fargate Spot against the same files;
//! - alarms to `Alarms`: queue backlog, a dead letter, an old job, web 5xx, worker CPU;
//! - `Dashboard`: the queue, the worker and the web tier.
//!
//! ```sh
//! cargo run --example production                           # writes berth.out/ (or $BERTH_OUTDIR)
//! cargo run --example production -- synth ProductionApp    # prints the app stack's template
//! ```
use berth::constructs::cloudwatch::{
    AlarmWidget, CreateAlarmOptions, Dashboard, DashboardProps, GraphWidget, SingleValueWidget,
    TreatMissingData,
};
use berth::constructs::ec2::{Vpc, VpcProps};
use berth::constructs::ecs::{
    AwsLogDriverProps, CapacityProviderStrategy, Cluster, ClusterProps, ContainerDefinitionOptions,
    ContainerImage, ContainerInsights, DeploymentCircuitBreaker, FargateTaskDefinition,
    FargateTaskDefinitionProps, FireLensCloudWatchLogs, FirelensConfigFile,
    FirelensLogRouterOptions, MountPoint, PortMapping, Volume,
};
use berth::constructs::efs::{
    AccessPointOptions, Acl, FileSystem, FileSystemProps, LifecyclePolicy, PosixUser,
};
use berth::constructs::elbv2::{HealthCheck, HttpCodeElb, HttpCodeTarget};
use berth::constructs::events::{CronOptions, Schedule};
use berth::constructs::kms::{Key, KeyProps};
use berth::constructs::logs::{LogGroup, LogGroupProps, RetentionDays};
use berth::constructs::patterns::{
    ApplicationLoadBalancedFargateService, ApplicationLoadBalancedFargateServiceProps,
    QueueProcessingFargateService, QueueProcessingFargateServiceProps,
};
use berth::constructs::s3::{Bucket, BucketProps, LifecycleRule};
use berth::constructs::scheduler::{self, EcsRunTask, ScheduleProps, TimeWindow};
use berth::constructs::sns::{Topic, TopicProps};
use berth::constructs::sqs::{DeadLetterQueue, Queue, QueueProps};
use berth::prelude::*;
use std::time::Duration;

const NGINX: &str = "public.ecr.aws/nginx/nginx:latest";
const WORKER: &str = "public.ecr.aws/docker/library/busybox:latest";

/// Builds the app.
pub fn app() -> Result<App, ConstructError> {
    let mut app = App::new();
    let env = Environment {
        account: None,
        region: Some("us-east-1".into()),
    };

    // ---- ProductionData: keys, network, buckets, queues, files, the alarm topic.
    let data_props = StackProps::default()
        .env(env.clone())
        .description("production: data that outlives deployments");
    let data = Stack::new(&mut app, "ProductionData", data_props)?;
    let key = Key::new(
        &mut app,
        data,
        "DataKey",
        KeyProps::default().alias("production/data"),
    )?;
    let vpc_props = VpcProps::default().max_azs(2).nat_gateways(1);
    let vpc = Vpc::new(&mut app, data, "Vpc", vpc_props)?;
    let expire = LifecycleRule::expire_after_days(90);
    let access_logs_props = BucketProps::default().lifecycle_rules([expire]);
    let access_logs = Bucket::new(&mut app, data, "AccessLogs", access_logs_props)?;

    let dlq_props = QueueProps::default()
        .retention_period_secs(14 * 24 * 3600)
        .encryption_master_key(key)
        .enforce_ssl(true);
    let dlq = Queue::new(&mut app, data, "JobsDlq", dlq_props)?;
    let jobs_props = QueueProps::default()
        .visibility_timeout_secs(300)
        .dead_letter_queue(DeadLetterQueue::new(dlq, 5))
        .encryption_master_key(key)
        .enforce_ssl(true);
    let jobs = Queue::new(&mut app, data, "Jobs", jobs_props)?;

    let fs_props = FileSystemProps::new(vpc)
        .kms_key(key)
        .lifecycle_policy(LifecyclePolicy::After30Days);
    let shared = FileSystem::new(&mut app, data, "Shared", fs_props)?;
    let jobs_dir = AccessPointOptions::default()
        .path("/jobs")
        .create_acl(Acl::new(1000, 1000, "750"))
        .posix_user(PosixUser::new(1000, 1000));
    let jobs_dir = shared.add_access_point(&mut app, "Jobs", jobs_dir)?;

    let topic = Topic::new(
        &mut app,
        data,
        "Alarms",
        TopicProps::default().master_key(key).enforce_ssl(true),
    )?;
    topic.add_email_subscription(&mut app, "oncall@example.com")?;

    // ---- ProductionApp: the cluster, the services, the nightly job, alarms, dashboard.
    let app_props = StackProps::default()
        .env(env)
        .description("production: the web tier, the worker, the nightly job");
    let stack = Stack::new(&mut app, "ProductionApp", app_props)?;
    let cluster_props = ClusterProps::default()
        .vpc(vpc)
        .enable_fargate_capacity_providers(true)
        .container_insights(ContainerInsights::Enabled);
    let cluster = Cluster::new(&mut app, stack, "Cluster", cluster_props)?;
    let logs = LogGroupProps::default()
        .retention(RetentionDays::OneMonth)
        .encryption_key(key);
    let web_logs = LogGroup::new(&mut app, stack, "WebLogs", logs.clone())?;
    let worker_logs = LogGroup::new(&mut app, stack, "WorkerLogs", logs.clone())?;
    let job_logs = LogGroup::new(&mut app, stack, "JobLogs", logs)?;
    let spot = [
        CapacityProviderStrategy::fargate(1).with_base(1),
        CapacityProviderStrategy::fargate_spot(4),
    ];

    // The web tier: its access logs in the bucket; it queues jobs.
    let web_task = FargateTaskDefinition::new(
        &mut app,
        stack,
        "WebTask",
        FargateTaskDefinitionProps::default(),
    )?;
    let web_container = ContainerDefinitionOptions::new(ContainerImage::from_registry(NGINX))
        .port_mappings([PortMapping::tcp(80)])
        .environment([("JOBS_URL", jobs.queue_url())])
        .logging(AwsLogDriverProps::new("web").log_group(web_logs));
    web_task.add_container(&mut app, "web", web_container)?;
    let web_role = web_task.task_role(&mut app)?;
    jobs.grant_send_messages(&mut app, &web_role)?;
    let web_props = ApplicationLoadBalancedFargateServiceProps::default()
        .cluster(cluster)
        .task_definition(web_task)
        .desired_count(2)
        .circuit_breaker(DeploymentCircuitBreaker { rollback: true });
    let web = ApplicationLoadBalancedFargateService::new(&mut app, stack, "Web", web_props)?;
    let web_tg = web.target_group();
    web_tg.configure_health_check(&mut app, HealthCheck::path("/health"))?;
    web.load_balancer()
        .log_access_logs(&mut app, &access_logs, "web")?;

    // The worker: Spot, the shared files at /jobs, logs through FireLens.
    let worker_task_props =
        FargateTaskDefinitionProps::default().volumes([Volume::efs("jobs", jobs_dir)]);
    let worker_task = FargateTaskDefinition::new(&mut app, stack, "WorkerTask", worker_task_props)?;
    let parse_json = FirelensConfigFile::File("/fluent-bit/configs/parse-json.conf".into());
    let router_logs = AwsLogDriverProps::new("firelens").log_group(worker_logs);
    let router_container = ContainerDefinitionOptions::default().logging(router_logs);
    let router = FirelensLogRouterOptions::default()
        .config_file(parse_json)
        .container(router_container);
    worker_task.add_firelens_log_router(&mut app, "log_router", router)?;
    let worker_container = ContainerDefinitionOptions::new(ContainerImage::from_registry(WORKER))
        .command(["sh", "-c", "echo working on $QUEUE_NAME; sleep 3600"])
        .logging(FireLensCloudWatchLogs::new("worker/").log_group(worker_logs));
    let container = worker_task.add_container(&mut app, "worker", worker_container)?;
    container.add_mount_points(&mut app, [MountPoint::new("jobs", "/jobs")])?;
    let worker_props =
        QueueProcessingFargateServiceProps::with_task_definition(cluster, worker_task)
            .queue(jobs)
            .max_scaling_capacity(10)
            .capacity_provider_strategies(spot.clone())
            .enable_execute_command(true);
    let worker = QueueProcessingFargateService::new(&mut app, stack, "Worker", worker_props)?;

    // The nightly compaction of the shared files, with EventBridge Scheduler.
    let compact_task_props =
        FargateTaskDefinitionProps::default().volumes([Volume::efs("jobs", jobs_dir)]);
    let compact_task =
        FargateTaskDefinition::new(&mut app, stack, "CompactTask", compact_task_props)?;
    let compact = ContainerDefinitionOptions::new(ContainerImage::from_registry(WORKER))
        .command(["sh", "-c", "find /jobs -mtime +7 -delete"])
        .logging(AwsLogDriverProps::new("compact").log_group(job_logs));
    let compact = compact_task.add_container(&mut app, "compact", compact)?;
    compact.add_mount_points(&mut app, [MountPoint::new("jobs", "/jobs")])?;
    let nightly = Schedule::cron(CronOptions::default().minute(30).hour(2));
    let target = EcsRunTask::new(cluster, compact_task).capacity_provider_strategies(spot);
    let schedule = ScheduleProps::new(nightly, target)
        .time_zone("Europe/Berlin")
        .time_window(TimeWindow::flexible(Duration::from_secs(30 * 60)))
        .description("nightly compaction of the shared files, 02:30 Berlin time");
    scheduler::Schedule::new(&mut app, stack, "Compact", schedule)?;

    // Alarms, to the on-call topic.
    let quiet = TreatMissingData::NotBreaching;
    let depth = jobs
        .metric_approximate_number_of_messages_visible()
        .period_seconds(60);
    let backlog = depth.clone().create_alarm(
        &mut app,
        stack,
        "BacklogAlarm",
        CreateAlarmOptions::new(500.0, 5)
            .alarm_description("more than 500 jobs wait for 5 minutes")
            .treat_missing_data(quiet),
    )?;
    let dead = dlq
        .metric_approximate_number_of_messages_visible()
        .period_seconds(60);
    let dead_letters = dead.clone().create_alarm(
        &mut app,
        stack,
        "DeadLettersAlarm",
        CreateAlarmOptions::new(1.0, 1)
            .alarm_description("a job failed 5 times")
            .treat_missing_data(quiet),
    )?;
    let age = jobs
        .metric_approximate_age_of_oldest_message()
        .period_seconds(60);
    let old_job = age.clone().create_alarm(
        &mut app,
        stack,
        "OldestJobAlarm",
        CreateAlarmOptions::new(1800.0, 5).alarm_description("a job waits for 30 minutes"),
    )?;
    let errors = web_tg
        .metric_http_code_target(&app, HttpCodeTarget::Target5xx)?
        .period_seconds(60);
    let web_5xx = errors.clone().create_alarm(
        &mut app,
        stack,
        "Web5xxAlarm",
        CreateAlarmOptions::new(10.0, 3).treat_missing_data(quiet),
    )?;
    let worker_cpu = worker.service().metric_cpu_utilization();
    let busy = worker_cpu.clone().create_alarm(
        &mut app,
        stack,
        "WorkerCpuAlarm",
        CreateAlarmOptions::new(90.0, 3),
    )?;
    for alarm in [backlog, dead_letters, old_job, web_5xx, busy] {
        alarm.add_alarm_action(&mut app, &topic)?;
        alarm.add_ok_action(&mut app, &topic)?;
    }

    // The dashboard.
    let board_props = DashboardProps::default().dashboard_name("production");
    let board = Dashboard::new(&mut app, stack, "Dashboard", board_props)?;
    let queue_graph = GraphWidget::new("Jobs")
        .left([depth])
        .right([age])
        .width(12);
    let dead_value = SingleValueWidget::new("Dead letters", [dead]);
    board.add_widgets(
        &mut app,
        [
            queue_graph.into(),
            dead_value.into(),
            AlarmWidget::new("Backlog", backlog).into(),
        ],
    )?;
    let worker_graph = GraphWidget::new("Worker")
        .left([worker_cpu, worker.service().metric_memory_utilization()])
        .width(12);
    let lb_errors = web
        .load_balancer()
        .metric_http_code_elb(HttpCodeElb::Elb5xx);
    let web_graph = GraphWidget::new("Web")
        .left([errors, lb_errors])
        .right([web_tg.metric_target_response_time(&app)?])
        .width(12);
    board.add_widgets(&mut app, [worker_graph.into(), web_graph.into()])?;

    // What the aws-solutions rule pack reports and this app keeps on purpose, with the
    // reason (each is written into the templates as cdk-nag reads it).
    app.add_rule_pack(ROOT, "aws-solutions")?;
    let kept = [
        (data, "AwsSolutions-VPC7", "flow logs are the network team's, delivered by the organization's VPC settings"),
        (data, "AwsSolutions-S1", "the bucket holds the load balancer's access logs; logging it would log the logs"),
        (stack, "AwsSolutions-ECS2", "the environment holds plain configuration (names, URLs, modes), no secret"),
        (stack, "Berth-ECS2", "the images write to their root file system (caches, Fluent Bit's state)"),
        (stack, "Berth-ECS3", "the images start as root, as their publishers ship them"),
        (stack, "AwsSolutions-IAM5", "KMS grants' action wildcards, ecr:GetAuthorizationToken and ssmmessages (no ARN), the task definition's revisions, the Fluent Bit image's regional account"),
        (stack, "AwsSolutions-EC23", "the public load balancer answers the internet on its listener port"),
    ];
    for (scope, id, reason) in kept {
        app.add_suppression(scope, Suppression::new(id, reason))?;
    }
    Ok(app)
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    berth::run_with(app)
}
