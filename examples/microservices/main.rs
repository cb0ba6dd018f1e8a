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
    QueueProcessingFargateService, QueueProcessingFargateServiceProps, ScheduledFargateTask,
    ScheduledFargateTaskProps, ScheduledTaskImageOptions,
};
use berth::constructs::servicediscovery::{PrivateDnsNamespace, PrivateDnsNamespaceProps};
use berth::prelude::*;

const NGINX: &str = "public.ecr.aws/nginx/nginx:latest";
const BUSYBOX: &str = "public.ecr.aws/docker/library/busybox:latest";
const ROLLBACK: DeploymentCircuitBreaker = DeploymentCircuitBreaker { rollback: true };

/// Builds the app.
pub fn app() -> Result<App, ConstructError> {
    let mut app = App::new();
    let description =
        "microservices: web, two Cloud Map backends, a queue worker and a nightly task";
    let stack = Stack::new(
        &mut app,
        "Microservices",
        StackProps::default().description(description),
    )?;
    let vpc = Vpc::new(
        &mut app,
        stack,
        "Vpc",
        VpcProps::default().max_azs(2).nat_gateways(1),
    )?;
    let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps::default().vpc(vpc))?;
    let dns = PrivateDnsNamespaceProps::new("svc.local");
    let namespace = PrivateDnsNamespace::new(&mut app, stack, "Namespace", &vpc, dns)?;

    let mut backend = |id: &str, name: &str, port: u16| {
        let image =
            AlbTaskImageOptions::new(ContainerImage::from_registry(NGINX)).container_port(port);
        let props = BackendFargateServiceProps::new(cluster, image, &namespace, name);
        BackendFargateService::new(
            &mut app,
            stack,
            id,
            props.desired_count(2).circuit_breaker(ROLLBACK),
        )
    };
    let users = backend("Users", "users", 8080)?;
    let orders = backend("Orders", "orders", 8081)?;

    let image = AlbTaskImageOptions::new(ContainerImage::from_registry(NGINX)).environment([
        ("USERS_URL", "http://users.svc.local:8080"),
        ("ORDERS_URL", "http://orders.svc.local:8081"),
    ]);
    let props = ApplicationLoadBalancedFargateServiceProps::new(image)
        .cluster(cluster)
        .desired_count(2)
        .circuit_breaker(ROLLBACK);
    let web = ApplicationLoadBalancedFargateService::new(&mut app, stack, "Web", props)?;
    web.target_group()
        .configure_health_check(&mut app, HealthCheck::path("/health"))?;
    web.service()
        .auto_scale_task_count(&mut app, 2, 6)?
        .scale_on_cpu_utilization(&mut app, "CpuScaling", UtilizationScalingProps::new(60.0))?;
    users.allow_from(&mut app, &web.service())?;
    orders.allow_from(&mut app, &web.service())?;
    users.allow_from(&mut app, &orders.service())?;

    let worker =
        QueueProcessingFargateServiceProps::new(cluster, ContainerImage::from_registry(BUSYBOX))
            .command(["sh", "-c", "echo working on $QUEUE_NAME; sleep 3600"])
            .max_scaling_capacity(5);
    QueueProcessingFargateService::new(&mut app, stack, "Worker", worker)?;

    let report = ScheduledTaskImageOptions::new(ContainerImage::from_registry(BUSYBOX))
        .command(["echo", "nightly report"]);
    let nightly = ScheduledFargateTaskProps::new(cluster, "cron(0 3 * * ? *)", report)
        .rule_description("the nightly report, at 03:00 UTC");
    ScheduledFargateTask::new(&mut app, stack, "Nightly", nightly)?;

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
            "AwsSolutions-SQS4",
            "the pattern's queues are reached only through the AWS SDK, which always uses TLS",
        ),
        Suppression::new("AwsSolutions-IAM5", "a schedule runs the latest revision of its own task definition").applies_to_regex("/^Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task-definition\\/.*:\\*$/"),
    ] {
        app.add_suppression(stack, suppression)?;
    }
    Ok(app)
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    berth::run_with(app)
}
