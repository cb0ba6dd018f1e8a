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

/// Builds the app with `n` services.
pub fn app_with(n: usize) -> Result<App, ConstructError> {
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
    Ok(app)
}

/// Builds the app with `$MANY_SERVICES` services.
pub fn app() -> Result<App, ConstructError> {
    app_with(service_count()?)
}
