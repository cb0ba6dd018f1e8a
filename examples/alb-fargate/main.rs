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
use berth::constructs::ec2::{Vpc, VpcProps};
use berth::constructs::ecr::{Repository, RepositoryProps};
use berth::constructs::ecs::{
    Cluster, ClusterProps, ContainerImage, DefaultCloudMapNamespace, DeploymentCircuitBreaker,
};
use berth::constructs::elbv2::HealthCheck;
use berth::constructs::fargate_size;
use berth::constructs::patterns::{
    AlbTaskImageOptions, ApplicationLoadBalancedFargateService,
    ApplicationLoadBalancedFargateServiceProps, LoadBalancerOptions,
};
use berth::constructs::servicediscovery::{PrivateDnsNamespace, PrivateDnsNamespaceProps};
use berth::prelude::*;

/// Builds the app.
pub fn app() -> Result<App, ConstructError> {
    let mut app = App::new();
    let stack = Stack::new(
        &mut app,
        "AlbFargate",
        StackProps {
            description: Some("alb-fargate: an application-load-balanced Fargate service".into()),
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
    let namespace = PrivateDnsNamespace::new(
        &mut app,
        stack,
        "Namespace",
        &vpc,
        PrivateDnsNamespaceProps::new("svc.local"),
    )?;
    let (namespace_arn, namespace_id) =
        (namespace.namespace_arn(&app), namespace.namespace_id(&app));
    let cluster = Cluster::new(
        &mut app,
        stack,
        "Cluster",
        ClusterProps {
            vpc: Some(vpc),
            default_cloud_map_namespace: Some(DefaultCloudMapNamespace {
                namespace_arn,
                namespace_id,
                use_for_service_connect: true,
            }),
            ..Default::default()
        },
    )?;
    let repo = Repository::new(&mut app, stack, "Repository", RepositoryProps::default())?;

    let mut image = AlbTaskImageOptions::new(ContainerImage::from_registry(
        "public.ecr.aws/nginx/nginx:latest",
    ));
    image.container_port = 80;
    image.environment = [("APP_ENV".to_string(), Value::from("bench"))].into();
    let web = ApplicationLoadBalancedFargateService::new(
        &mut app,
        stack,
        "Web",
        ApplicationLoadBalancedFargateServiceProps {
            cluster: Some(cluster),
            task_image_options: Some(image),
            size: fargate_size!(256, 512),
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
    let count = web.service().auto_scale_task_count(&mut app, 2, 10)?;
    count.scale_on_cpu_utilization(
        &mut app,
        "CpuScaling",
        UtilizationScalingProps {
            target_utilization_percent: 60.0,
            ..Default::default()
        },
    )?;
    let task_role = web.task_definition().task_role(&mut app)?;
    repo.grant_pull(&mut app, &task_role)?;

    let repository_uri = repo.repository_uri(&app);
    Output::new(
        &mut app,
        stack,
        "RepositoryUri",
        OutputProps {
            value: repository_uri,
            description: Some("push the app image here".into()),
            ..Default::default()
        },
    )?;
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
