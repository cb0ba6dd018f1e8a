//! # queue-worker: an API that queues jobs, a worker on Fargate Spot with a shared file
//! system, and the alarms and dashboard a team watches them with
//!
//! One stack, `QueueWorker`, with no raw resource and no property override:
//! - a KMS key (`DataKey`, rotated, alias `alias/queue-worker/data`) that encrypts the
//!   queues and the file system;
//! - the `Jobs` queue (visibility 5 minutes) redriving into `JobsDlq` after 5 receives;
//! - an encrypted EFS file system (`Shared`, files unused for 30 days move to
//!   Infrequent Access) with an access point `/work` owned by 1000:1000;
//! - the `Api`: nginx behind a public load balancer; its task role may send to `Jobs`;
//! - the `Worker`: a Fargate service on `FARGATE_SPOT` (one task on `FARGATE` as a
//!   base) whose task mounts the access point at `/work` (IAM-authorized, encrypted in
//!   transit: the task role gets `ClientMount`/`ClientWrite`, the service reaches the
//!   file system on 2049 and waits for its mount targets), may consume `Jobs`, and
//!   scales from 1 to 10 tasks on the queue's depth;
//! - an SNS topic `Alarms` (email `oncall@example.com`, encrypted with the key: the
//!   alarms may use it) notified by five alarms: backlog, oldest message, anything in
//!   the dead-letter queue, worker CPU, API 5xx;
//! - a dashboard `queue-worker` with the queue, the worker and the API.
//!
//! ```sh
//! cargo run --example queue-worker                        # writes berth.out/ (or $BERTH_OUTDIR)
//! cargo run --example queue-worker -- synth QueueWorker   # prints the template
//! ```
use berth::constructs::appscaling::{ScalingInterval, StepScalingProps};
use berth::constructs::cloudwatch::{
    AlarmWidget, CreateAlarmOptions, Dashboard, DashboardProps, GraphWidget, SingleValueWidget,
    TreatMissingData,
};
use berth::constructs::ec2::{Vpc, VpcProps};
use berth::constructs::ecs::{
    AwsLogDriverProps, CapacityProviderStrategy, Cluster, ClusterProps, ContainerDefinitionOptions,
    ContainerImage, FargateService, FargateServiceProps, FargateTaskDefinition,
    FargateTaskDefinitionProps, MountPoint, Volume,
};
use berth::constructs::efs::{
    AccessPointOptions, Acl, FileSystem, FileSystemProps, LifecyclePolicy, PosixUser,
};
use berth::constructs::elbv2::{HealthCheck, HttpCodeElb, HttpCodeTarget};
use berth::constructs::kms::{Key, KeyProps};
use berth::constructs::patterns::{
    AlbTaskImageOptions, ApplicationLoadBalancedFargateService,
    ApplicationLoadBalancedFargateServiceProps,
};
use berth::constructs::sns::{Topic, TopicProps};
use berth::constructs::sqs::{DeadLetterQueue, Queue, QueueProps};
use berth::prelude::*;

/// Builds the app.
pub fn app() -> Result<App, ConstructError> {
    let mut app = App::new();
    let description = "queue-worker: an API, a queue, a worker on Spot with EFS, alarms";
    let stack = Stack::new(
        &mut app,
        "QueueWorker",
        StackProps::default().description(description),
    )?;
    let key_props = KeyProps::default().alias("queue-worker/data");
    let key = Key::new(&mut app, stack, "DataKey", key_props)?;

    // The queue and its dead-letter queue.
    let dlq_props = QueueProps::default()
        .retention_period_secs(14 * 24 * 3600)
        .encryption_master_key(key)
        .enforce_ssl(true);
    let dlq = Queue::new(&mut app, stack, "JobsDlq", dlq_props)?;
    let jobs_props = QueueProps::default()
        .visibility_timeout_secs(300)
        .dead_letter_queue(DeadLetterQueue::new(dlq, 5))
        .encryption_master_key(key)
        .enforce_ssl(true);
    let jobs = Queue::new(&mut app, stack, "Jobs", jobs_props)?;

    // The network, the cluster and the shared file system.
    let vpc_props = VpcProps::default().max_azs(2).nat_gateways(1);
    let vpc = Vpc::new(&mut app, stack, "Vpc", vpc_props)?;
    let cluster_props = ClusterProps::default()
        .vpc(vpc)
        .enable_fargate_capacity_providers(true);
    let cluster = Cluster::new(&mut app, stack, "Cluster", cluster_props)?;
    let fs_props = FileSystemProps::new(vpc)
        .kms_key(key)
        .lifecycle_policy(LifecyclePolicy::After30Days);
    let fs = FileSystem::new(&mut app, stack, "Shared", fs_props)?;
    let work = AccessPointOptions::default()
        .path("/work")
        .create_acl(Acl::new(1000, 1000, "750"))
        .posix_user(PosixUser::new(1000, 1000));
    let work = fs.add_access_point(&mut app, "Work", work)?;

    // The API that queues jobs.
    let image = ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
    let task_image = AlbTaskImageOptions::new(image).environment([("JOBS_URL", jobs.queue_url())]);
    let api_props = ApplicationLoadBalancedFargateServiceProps::default()
        .cluster(cluster)
        .task_image_options(task_image)
        .desired_count(2);
    let api = ApplicationLoadBalancedFargateService::new(&mut app, stack, "Api", api_props)?;
    let api_tg = api.target_group();
    api_tg.configure_health_check(&mut app, HealthCheck::path("/health"))?;
    let api_role = api.task_definition().task_role(&mut app)?;
    jobs.grant_send_messages(&mut app, &api_role)?;

    // The worker: Spot, the access point at /work, consuming the queue.
    let task_props = FargateTaskDefinitionProps::default().volumes([Volume::efs("work", work)]);
    let task = FargateTaskDefinition::new(&mut app, stack, "WorkerTask", task_props)?;
    let busybox = ContainerImage::from_registry("public.ecr.aws/docker/library/busybox:latest");
    let worker_options = ContainerDefinitionOptions::new(busybox)
        .command(["sh", "-c", "while true; do sleep 60; done"])
        .environment([("JOBS_URL", jobs.queue_url())])
        .logging(AwsLogDriverProps::new("worker"));
    let container = task.add_container(&mut app, "worker", worker_options)?;
    container.add_mount_points(&mut app, [MountPoint::new("work", "/work")])?;
    let task_role = task.task_role(&mut app)?;
    jobs.grant_consume_messages(&mut app, &task_role)?;
    let spot = [
        CapacityProviderStrategy::fargate(1).with_base(1),
        CapacityProviderStrategy::fargate_spot(4),
    ];
    let worker_props = FargateServiceProps::new(cluster, task).capacity_provider_strategies(spot);
    let worker = FargateService::new(&mut app, stack, "Worker", worker_props)?;
    let steps = vec![
        ScalingInterval {
            lower: None,
            upper: Some(0.0),
            change: -1,
        },
        ScalingInterval {
            lower: Some(100.0),
            upper: None,
            change: 2,
        },
    ];
    let depth = jobs.metric_approximate_number_of_messages_visible();
    worker
        .auto_scale_task_count(&mut app, 1, 10)?
        .scale_on_metric(
            &mut app,
            "QueueDepthScaling",
            StepScalingProps::new(depth.clone(), steps),
        )?;

    // Alarms, to an encrypted topic.
    let topic = Topic::new(
        &mut app,
        stack,
        "Alarms",
        TopicProps::default().master_key(key).enforce_ssl(true),
    )?;
    topic.add_email_subscription(&mut app, "oncall@example.com")?;
    let quiet = TreatMissingData::NotBreaching;
    let backlog = depth.clone().period_seconds(60).create_alarm(
        &mut app,
        stack,
        "BacklogAlarm",
        CreateAlarmOptions::new(100.0, 3).treat_missing_data(quiet),
    )?;
    let age = jobs
        .metric_approximate_age_of_oldest_message()
        .period_seconds(60);
    let stuck = age.create_alarm(
        &mut app,
        stack,
        "OldestJobAlarm",
        CreateAlarmOptions::new(900.0, 5).alarm_description("a job waits for 15 minutes"),
    )?;
    let dead = dlq
        .metric_approximate_number_of_messages_visible()
        .period_seconds(60);
    let dead_alarm = dead.create_alarm(
        &mut app,
        stack,
        "DeadLettersAlarm",
        CreateAlarmOptions::new(1.0, 1).treat_missing_data(quiet),
    )?;
    let cpu = worker.metric_cpu_utilization().create_alarm(
        &mut app,
        stack,
        "WorkerCpuAlarm",
        CreateAlarmOptions::new(90.0, 3),
    )?;
    let errors = api_tg.metric_http_code_target(&app, HttpCodeTarget::Target5xx)?;
    let api_5xx = errors.clone().period_seconds(60).create_alarm(
        &mut app,
        stack,
        "Api5xxAlarm",
        CreateAlarmOptions::new(10.0, 3).treat_missing_data(quiet),
    )?;
    for alarm in [backlog, stuck, dead_alarm, cpu, api_5xx] {
        alarm.add_alarm_action(&mut app, &topic)?;
        alarm.add_ok_action(&mut app, &topic)?;
    }

    // The dashboard.
    let board_props = DashboardProps::default().dashboard_name("queue-worker");
    let board = Dashboard::new(&mut app, stack, "Dashboard", board_props)?;
    let queue_graph = GraphWidget::new("Jobs")
        .left([depth])
        .right([jobs.metric_approximate_age_of_oldest_message()])
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
        .left([
            worker.metric_cpu_utilization(),
            worker.metric_memory_utilization(),
        ])
        .width(12);
    let lb_errors = api
        .load_balancer()
        .metric_http_code_elb(HttpCodeElb::Elb5xx);
    let api_graph = GraphWidget::new("API")
        .left([errors, lb_errors])
        .right([api_tg.metric_target_response_time(&app)?])
        .width(12);
    board.add_widgets(&mut app, [worker_graph.into(), api_graph.into()])?;

    let url = OutputProps::new(jobs.queue_url()).description("send jobs here");
    Output::new(&mut app, stack, "JobsUrl", url)?;

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
            "AwsSolutions-ELB2",
            "a demo load balancer: no access-log bucket to pay for",
        ),
        Suppression::new(
            "AwsSolutions-EC23",
            "the public load balancer answers the internet on its listener port",
        ),
        Suppression::new(
            "AwsSolutions-IAM5",
            "kms:GenerateDataKey* and kms:ReEncrypt* are the encrypt grant on the one queue key",
        )
        .applies_to(["Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*"]),
    ] {
        app.add_suppression(stack, suppression)?;
    }
    Ok(app)
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    berth::run_with(app)
}
