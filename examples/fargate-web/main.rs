//! # fargate-web: a web service on Fargate with a sidecar, a secret and logs
//!
//! One stack, `FargateWeb`: a VPC (two AZs, one NAT gateway), an ECS cluster with
//! Container Insights and the Fargate capacity providers, an ECR repository for the
//! app's image, and a Fargate service (two tasks, circuit breaker with rollback) whose
//! task runs two containers: `app` (the repository's `v1` image, port 8080, a database
//! password from SSM Parameter Store, a health check) and `proxy` (nginx from a public
//! registry, port 80, starting once `app` is healthy). Both log to CloudWatch through
//! `awslogs`, into log groups the containers create. The execution role can pull from
//! that one repository, read that one parameter and write those two log groups, and
//! nothing else; the service's security group is open on port 80 inside the VPC only.
//!
//! ```sh
//! cargo run --example fargate-web                        # writes berth.out/ (or $BERTH_OUTDIR)
//! cargo run --example fargate-web -- synth FargateWeb    # prints the template
//! ```
use berth::constructs::ec2::{Peer, Port, Vpc, VpcProps};
use berth::constructs::ecr::{LifecycleRule, Repository, RepositoryProps, TagStatus};
use berth::constructs::ecs::{
    AwsLogDriverProps, CapacityProviderStrategy, Cluster, ClusterProps, ContainerDefinitionOptions,
    ContainerDependency, ContainerImage, ContainerInsights, FargateService, FargateServiceProps,
    FargateTaskDefinition, FargateTaskDefinitionProps, HealthCheck, PortMapping, Secret,
};
use berth::constructs::fargate_size;
use berth::constructs::logs::RetentionDays;
use berth::prelude::*;

/// Builds the app.
pub fn app() -> Result<App, ConstructError> {
    let mut app = App::new();
    let description = "fargate-web: a Fargate service with a sidecar, a secret and logs";
    let stack = Stack::new(
        &mut app,
        "FargateWeb",
        StackProps::default().description(description),
    )?;
    let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default().nat_gateways(1))?;
    let cluster_props = ClusterProps::default()
        .vpc(vpc)
        .container_insights(ContainerInsights::Enabled)
        .enable_fargate_capacity_providers(true)
        .default_capacity_provider_strategy([CapacityProviderStrategy::fargate(1)]);
    let cluster = Cluster::new(&mut app, stack, "Cluster", cluster_props)?;
    let untagged = LifecycleRule::default()
        .tag_status(TagStatus::Untagged)
        .max_image_age_days(14);
    let repo_props = RepositoryProps::default().lifecycle_rules([untagged]);
    let repo = Repository::new(&mut app, stack, "AppRepository", repo_props)?;

    let size = FargateTaskDefinitionProps::default().size(fargate_size!(512, 1024));
    let task = FargateTaskDefinition::new(&mut app, stack, "TaskDef", size)?;
    let logs = |prefix: &str| AwsLogDriverProps::new(prefix).retention(RetentionDays::TwoWeeks);
    let password = Secret::from_ssm_parameter_name("/fargate-web/database-password");
    let web = ContainerDefinitionOptions::new(ContainerImage::from_ecr_repository(&repo, "v1"))
        .port_mappings([PortMapping::tcp(8080).named("http")])
        .environment([("PORT", "8080")])
        .secrets([("DATABASE_PASSWORD", password)])
        .health_check(HealthCheck::shell(
            "curl -f http://localhost:8080/health || exit 1",
        ))
        .memory_reservation_mib(512)
        .readonly_root_filesystem(true)
        .logging(logs("app"));
    let app_container = task.add_container(&mut app, "app", web)?;
    let nginx = ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
    let proxy = ContainerDefinitionOptions::new(nginx)
        .port_mappings([PortMapping::tcp(80)])
        .memory_reservation_mib(128)
        .logging(logs("proxy"));
    let proxy = task.add_container(&mut app, "proxy", proxy)?;
    proxy.add_container_dependencies(&mut app, &[ContainerDependency::healthy(app_container)])?;

    let props = FargateServiceProps::new(cluster, task)
        .desired_count(2)
        .min_healthy_percent(50);
    let service = FargateService::new(&mut app, stack, "Service", props)?;
    let vpc_cidr = Peer::ipv4("10.0.0.0/16");
    service.allow_from(
        &mut app,
        &vpc_cidr,
        Port::tcp(80),
        "http from inside the VPC",
    )?;
    let name = OutputProps::new(service.service_name()).description("the web service");
    Output::new(&mut app, stack, "ServiceName", name)?;
    let uri =
        OutputProps::new(repo.repository_uri()).description("push the app image here, tagged v1");
    Output::new(&mut app, stack, "RepositoryUri", uri)?;

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
