//! # microservices: a web front end, two backends over Cloud Map, a worker, a cron job
//!
//! One stack, `Microservices`, built from the patterns: a VPC over two AZs (one NAT
//! gateway), a cluster, and a private Cloud Map namespace `svc.local`, then
//!
//! - `Web`: an `ApplicationLoadBalancedFargateService` (nginx, public ALB on port 80,
//!   health check `/health`, two tasks, CPU target tracking 2..6 at 60 %), told where
//!   the backends are through `USERS_URL` and `ORDERS_URL`;
//! - `Users` and `Orders`: `BackendFargateService`s registered as `users.svc.local`
//!   (port 8080) and `orders.svc.local` (port 8081); `Web` may reach both, `Orders`
//!   may reach `Users`, nothing else may;
//! - `Worker`: a `QueueProcessingFargateService` on an SQS queue with a dead-letter
//!   queue, scaled on the queue's depth (1..5);
//! - `Nightly`: a `ScheduledFargateTask` at 03:00 UTC, whose EventBridge role may run
//!   only that task definition and pass only its roles.
//!
//! ```sh
//! cargo run --example microservices                           # writes berth.out/
//! cargo run --example microservices -- synth Microservices    # prints the template
//! ```
use berth::constructs::appscaling::UtilizationScalingProps;
use berth::constructs::ec2::{Vpc, VpcProps};
use berth::constructs::ecs::{Cluster, ClusterProps, ContainerImage, DeploymentCircuitBreaker};
use berth::constructs::elbv2::HealthCheck;
use berth::constructs::patterns::{
    AlbTaskImageOptions, ApplicationLoadBalancedFargateService,
    ApplicationLoadBalancedFargateServiceProps, BackendFargateService, BackendFargateServiceProps,
    LoadBalancerOptions, QueueProcessingFargateService, QueueProcessingFargateServiceProps,
    ScheduledFargateTask, ScheduledFargateTaskProps,
};
use berth::constructs::servicediscovery::{PrivateDnsNamespace, PrivateDnsNamespaceProps};
use berth::prelude::*;

const NGINX: &str = "public.ecr.aws/nginx/nginx:latest";
const BUSYBOX: &str = "public.ecr.aws/docker/library/busybox:latest";

fn backend(
    app: &mut App,
    stack: Stack,
    id: &str,
    cluster: Cluster,
    namespace: &PrivateDnsNamespace,
    name: &str,
    port: u16,
) -> Result<BackendFargateService, ConstructError> {
    let mut props = BackendFargateServiceProps::new(
        cluster,
        ContainerImage::from_registry(NGINX),
        namespace,
        name,
    );
    props.task_image_options.container_port = port;
    props.desired_count = Some(2);
    props.circuit_breaker = Some(DeploymentCircuitBreaker { rollback: true });
    BackendFargateService::new(app, stack, id, props)
}

/// Builds the app.
pub fn app() -> Result<App, ConstructError> {
    let mut app = App::new();
    let stack = Stack::new(
        &mut app,
        "Microservices",
        StackProps {
            description: Some(
                "microservices: web, two Cloud Map backends, a queue worker and a nightly task"
                    .into(),
            ),
            ..Default::default()
        },
    )?;
    let vpc = Vpc::new(
        &mut app,
        stack,
        "Vpc",
        VpcProps {
            max_azs: Some(2),
            nat_gateways: Some(1),
            ..Default::default()
        },
    )?;
    let cluster = Cluster::new(
        &mut app,
        stack,
        "Cluster",
        ClusterProps {
            vpc: Some(vpc),
            ..Default::default()
        },
    )?;
    let namespace = PrivateDnsNamespace::new(
        &mut app,
        stack,
        "Namespace",
        &vpc,
        PrivateDnsNamespaceProps::new("svc.local"),
    )?;

    let users = backend(&mut app, stack, "Users", cluster, &namespace, "users", 8080)?;
    let orders = backend(
        &mut app, stack, "Orders", cluster, &namespace, "orders", 8081,
    )?;

    let mut image = AlbTaskImageOptions::new(ContainerImage::from_registry(NGINX));
    image.environment = [
        (
            "USERS_URL".to_string(),
            Value::from("http://users.svc.local:8080"),
        ),
        (
            "ORDERS_URL".to_string(),
            Value::from("http://orders.svc.local:8081"),
        ),
    ]
    .into();
    let web = ApplicationLoadBalancedFargateService::new(
        &mut app,
        stack,
        "Web",
        ApplicationLoadBalancedFargateServiceProps {
            cluster: Some(cluster),
            task_image_options: Some(image),
            desired_count: Some(2),
            circuit_breaker: Some(DeploymentCircuitBreaker { rollback: true }),
            load_balancer: LoadBalancerOptions {
                health_check: HealthCheck {
                    path: Some("/health".into()),
                    ..Default::default()
                },
                ..Default::default()
            },
            ..Default::default()
        },
    )?;
    web.service()
        .auto_scale_task_count(&mut app, 2, 6)?
        .scale_on_cpu_utilization(
            &mut app,
            "CpuScaling",
            UtilizationScalingProps {
                target_utilization_percent: 60.0,
                ..Default::default()
            },
        )?;
    users.allow_from(&mut app, &web.service())?;
    orders.allow_from(&mut app, &web.service())?;
    users.allow_from(&mut app, &orders.service())?;

    let mut worker =
        QueueProcessingFargateServiceProps::new(cluster, ContainerImage::from_registry(BUSYBOX));
    worker.command = vec![
        "sh".into(),
        "-c".into(),
        "echo working on $QUEUE_NAME; sleep 3600".into(),
    ];
    worker.max_scaling_capacity = 5;
    QueueProcessingFargateService::new(&mut app, stack, "Worker", worker)?;

    let mut nightly = ScheduledFargateTaskProps::new(
        cluster,
        "cron(0 3 * * ? *)",
        ContainerImage::from_registry(BUSYBOX),
    );
    if let Some(o) = nightly.image_options.as_mut() {
        o.command = vec!["echo".into(), "nightly report".into()];
    }
    nightly.rule_description = Some("the nightly report, at 03:00 UTC".into());
    ScheduledFargateTask::new(&mut app, stack, "Nightly", nightly)?;

    // What the aws-solutions rule pack would report and this demo keeps on purpose,
    // with the reason (each is written into the template as cdk-nag reads it).
    app.add_rule_pack(ROOT, "aws-solutions")?;
    app.add_suppression(
        stack,
        Suppression::new(
            "AwsSolutions-VPC7",
            "a demo VPC: flow logs, billed per GB, are left to production apps",
        ),
    )?;
    app.add_suppression(
        stack,
        Suppression::new(
            "AwsSolutions-ECS2",
            "the environment holds plain configuration (names, ports, modes), no secret",
        ),
    )?;
    app.add_suppression(
        stack,
        Suppression::new(
            "Berth-ECS2",
            "the sample images write to their root file system (caches, pid files)",
        ),
    )?;
    app.add_suppression(
        stack,
        Suppression::new(
            "Berth-ECS3",
            "the sample images start as root, as their publishers ship them",
        ),
    )?;
    app.add_suppression(
        stack,
        Suppression::new(
            "Berth-LOG2",
            "demo logs hold no personal data; CloudWatch Logs encrypts them with its own key",
        ),
    )?;
    app.add_suppression(
        stack,
        Suppression::new(
            "AwsSolutions-ELB2",
            "a demo load balancer: no access-log bucket to pay for",
        ),
    )?;
    app.add_suppression(
        stack,
        Suppression::new(
            "AwsSolutions-EC23",
            "the public load balancer answers the internet on its listener port",
        ),
    )?;
    app.add_suppression(
        stack,
        Suppression::new(
            "AwsSolutions-SQS4",
            "the pattern's queues are reached only through the AWS SDK, which always uses TLS",
        ),
    )?;
    app.add_suppression(stack, Suppression::new("AwsSolutions-IAM5", "a schedule runs the latest revision of its own task definition").applies_to_regex("/^Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task-definition\\/.*:\\*$/"))?;
    Ok(app)
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    match app() {
        Ok(app) => berth::run(app),
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::FAILURE
        }
    }
}
