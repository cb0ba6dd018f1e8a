//! The `many` app: what `main.rs` runs, and what the benchmark and the tests build.

use berth::constructs::appscaling::UtilizationScalingProps;
use berth::constructs::ec2::{Vpc, VpcProps};
use berth::constructs::ecr::{Repository, RepositoryProps};
use berth::constructs::ecs::{Cluster, ClusterProps, ContainerImage, DeploymentCircuitBreaker};
use berth::constructs::elbv2::HealthCheck;
use berth::constructs::fargate_size;
use berth::constructs::patterns::{
    AlbTaskImageOptions, ApplicationLoadBalancedFargateService,
    ApplicationLoadBalancedFargateServiceProps,
};
use berth::prelude::*;

/// Services per service stack.
pub const SERVICES_PER_STACK: usize = 25;

/// The number of services: `$MANY_SERVICES`, default 10.
pub fn service_count() -> Result<usize, ConstructError> {
    match std::env::var("MANY_SERVICES") {
        Err(_) => Ok(10),
        Ok(v) => v.trim().parse().map_err(|_| {
            ConstructError::invalid(
                "many",
                "MANY_SERVICES",
                format!("\"{v}\" is not a number of services; give e.g. MANY_SERVICES=100"),
            )
        }),
    }
}

/// One service like alb-fargate's, with id `id` in `stack`.
fn web_service(
    app: &mut App,
    stack: Stack,
    id: &str,
    cluster: Cluster,
    repo: &Repository,
) -> Result<(), ConstructError> {
    let image = ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
    let props = ApplicationLoadBalancedFargateServiceProps::default()
        .cluster(cluster)
        .task_image_options(AlbTaskImageOptions::new(image).environment([("APP_ENV", "bench")]))
        .size(fargate_size!(256, 512))
        .desired_count(2)
        .circuit_breaker(DeploymentCircuitBreaker { rollback: true });
    let web = ApplicationLoadBalancedFargateService::new(app, stack, id, props)?;
    web.target_group()
        .configure_health_check(app, HealthCheck::path("/health"))?;
    web.service()
        .auto_scale_task_count(app, 2, 10)?
        .scale_on_cpu_utilization(app, "CpuScaling", UtilizationScalingProps::new(60.0))?;
    let task_role = web.task_definition().task_role(app)?;
    repo.grant_pull(app, &task_role)?;
    Ok(())
}

/// Builds the app with `n` services. The rule pack stays off here, so that
/// `scripts/bench-many` times synthesis alone; `cargo bench --bench rules` and the
/// examples' rule test turn it on (`app_with_rules`).
pub fn app_with(n: usize) -> Result<App, ConstructError> {
    app_with_rules(n, false)
}

/// Builds the app with `n` services, with or without the aws-solutions rule pack
/// (the rules benchmark compares the two).
pub fn app_with_rules(n: usize, rules: bool) -> Result<App, ConstructError> {
    let mut app = App::new();
    let description = "many: the VPC, cluster and repository the services share";
    let base = Stack::new(
        &mut app,
        "ManyBase",
        StackProps::default().description(description),
    )?;
    let vpc = Vpc::new(
        &mut app,
        base,
        "Vpc",
        VpcProps::default().max_azs(2).nat_gateways(1),
    )?;
    let cluster = Cluster::new(&mut app, base, "Cluster", ClusterProps::default().vpc(vpc))?;
    let repo = Repository::new(&mut app, base, "Repository", RepositoryProps::default())?;
    for (s, chunk) in (1..=n)
        .collect::<Vec<_>>()
        .chunks(SERVICES_PER_STACK)
        .enumerate()
    {
        let description = format!("many: services {} to {}", chunk[0], chunk[chunk.len() - 1]);
        let props = StackProps::default().description(description);
        let stack = Stack::new(&mut app, &format!("ManyServices{}", s + 1), props)?;
        for i in chunk {
            web_service(&mut app, stack, &format!("Web{i}"), cluster, &repo)?;
        }
    }
    // What the aws-solutions rule pack would report and this load test keeps on
    // purpose, with the reason (written into every template, as cdk-nag reads it, also
    // when the pack does not run).
    if rules {
        app.add_rule_pack(ROOT, "aws-solutions")?;
    }
    for (rule, reason) in [
        (
            "AwsSolutions-VPC7",
            "a load-test VPC: flow logs, billed per GB, are left to production apps",
        ),
        (
            "AwsSolutions-ECS2",
            "the environment holds plain configuration (names, ports, modes), no secret",
        ),
        (
            "AwsSolutions-ELB2",
            "load-test load balancers: no access-log bucket to pay for",
        ),
        (
            "AwsSolutions-EC23",
            "the public load balancers answer the internet on their listener port",
        ),
        (
            "Berth-ECS2",
            "the sample image writes to its root file system (caches, pid files)",
        ),
        (
            "Berth-ECS3",
            "the sample image starts as root, as its publisher ships it",
        ),
        (
            "Berth-LOG2",
            "load-test logs hold no personal data; CloudWatch Logs encrypts them with its own key",
        ),
    ] {
        app.add_suppression(ROOT, Suppression::new(rule, reason))?;
    }
    let token = "ecr:GetAuthorizationToken takes no resource ARN";
    app.add_suppression(
        ROOT,
        Suppression::new("AwsSolutions-IAM5", token).applies_to(["Resource::*"]),
    )?;
    Ok(app)
}

/// Builds the app with `$MANY_SERVICES` services.
pub fn app() -> Result<App, ConstructError> {
    app_with(service_count()?)
}
