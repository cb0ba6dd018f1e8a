//! # alb-fargate: CDK's `ApplicationLoadBalancedFargateService`, in berth
//!
//! The app a CDK user writes with `ecs_patterns.ApplicationLoadBalancedFargateService`,
//! so the two can be compared. One stack, `AlbFargate`: a new VPC over two AZs (one
//! NAT gateway), a private Cloud Map namespace `svc.local` that is the cluster's
//! default (and Service Connect) namespace, an ECR repository, and the pattern: nginx
//! on Fargate (256 CPU units, 512 MiB, two tasks, container port 80, `APP_ENV=bench`,
//! logs through `awslogs`) behind a public application load balancer on port 80,
//! health-checked on `/health`, with a deployment circuit breaker that rolls back.
//! The task count scales between 2 and 10 to keep CPU at 60 %, and the task role may
//! pull from the repository. Outputs: `LoadBalancerDNS`, `ServiceURL` (from the
//! pattern) and the repository URI.
//!
//! ```sh
//! cargo run --example alb-fargate                        # writes berth.out/ (or $BERTH_OUTDIR)
//! cargo run --example alb-fargate -- synth AlbFargate    # prints the template
//! ```
use berth::constructs::appscaling::UtilizationScalingProps;
use berth::constructs::ec2::VpcProps;
use berth::constructs::ecr::{Repository, RepositoryProps};
use berth::constructs::ecs::{
    CloudMapNamespaceOptions, Cluster, ClusterProps, ContainerImage, DeploymentCircuitBreaker,
};
use berth::constructs::elbv2::HealthCheck;
use berth::constructs::patterns::{
    AlbTaskImageOptions, ApplicationLoadBalancedFargateService,
    ApplicationLoadBalancedFargateServiceProps,
};
use berth::constructs::{ec2::Vpc, fargate_size};
use berth::prelude::*;

/// Builds the app.
pub fn app() -> Result<App, ConstructError> {
    let mut app = App::new();
    let description = "alb-fargate: an application-load-balanced Fargate service";
    let stack = Stack::new(
        &mut app,
        "AlbFargate",
        StackProps::default().description(description),
    )?;
    let vpc = Vpc::new(
        &mut app,
        stack,
        "Vpc",
        VpcProps::default().max_azs(2).nat_gateways(1),
    )?;
    let namespace = CloudMapNamespaceOptions::new("svc.local").use_for_service_connect(true);
    let cluster_props = ClusterProps::default()
        .vpc(vpc)
        .default_cloud_map_namespace(namespace);
    let cluster = Cluster::new(&mut app, stack, "Cluster", cluster_props)?;
    let repo = Repository::new(&mut app, stack, "Repository", RepositoryProps::default())?;

    let image = ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
    let props = ApplicationLoadBalancedFargateServiceProps::default()
        .cluster(cluster)
        .task_image_options(AlbTaskImageOptions::new(image).environment([("APP_ENV", "bench")]))
        .size(fargate_size!(256, 512))
        .desired_count(2)
        .circuit_breaker(DeploymentCircuitBreaker { rollback: true });
    let web = ApplicationLoadBalancedFargateService::new(&mut app, stack, "Web", props)?;
    web.target_group()
        .configure_health_check(&mut app, HealthCheck::path("/health"))?;
    web.service()
        .auto_scale_task_count(&mut app, 2, 10)?
        .scale_on_cpu_utilization(&mut app, "CpuScaling", UtilizationScalingProps::new(60.0))?;
    let task_role = web.task_definition().task_role(&mut app)?;
    repo.grant_pull(&mut app, &task_role)?;

    let uri = OutputProps::new(repo.repository_uri()).description("push the app image here");
    Output::new(&mut app, stack, "RepositoryUri", uri)?;

    // What the aws-solutions rule pack would report and this demo keeps on purpose,
    // with the reason (each is written into the template as cdk-nag reads it).
    app.add_rule_pack(ROOT, "aws-solutions")?;
    for suppression in [
        Suppression::new(
            "AwsSolutions-ELB2",
            "a demo load balancer: no access-log bucket to pay for",
        ),
        Suppression::new(
            "AwsSolutions-EC23",
            "the public load balancer answers the internet on its listener port",
        ),
    ] {
        app.add_suppression(web.load_balancer(), suppression)?;
    }
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
            "AwsSolutions-IAM5",
            "ecr:GetAuthorizationToken and ECS Exec's ssmmessages actions take no resource ARN",
        )
        .applies_to(["Resource::*"]),
    ] {
        app.add_suppression(stack, suppression)?;
    }
    Ok(app)
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    berth::run_with(app)
}
