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
use berth::constructs::ec2::{Connectable, Peer, Port, Vpc, VpcProps};
use berth::constructs::ecr::{LifecycleRule, Repository, RepositoryProps, TagStatus};
use berth::constructs::ecs::{
    AwsLogDriverProps, CapacityProviderStrategy, Cluster, ClusterProps, ContainerDefinitionOptions,
    ContainerDependency, ContainerDependencyCondition, ContainerImage, ContainerInsights,
    FargateService, FargateServiceProps, FargateTaskDefinition, FargateTaskDefinitionProps,
    HealthCheck, LogDriver, PortMapping, Secret,
};
use berth::constructs::fargate_size;
use berth::constructs::logs::RetentionDays;
use berth::prelude::*;

/// Builds the app.
pub fn app() -> Result<App, ConstructError> {
    let mut app = App::new();
    let stack = Stack::new(
        &mut app,
        "FargateWeb",
        StackProps {
            description: Some(
                "fargate-web: a Fargate service with a sidecar, a secret and logs".into(),
            ),
            ..Default::default()
        },
    )?;
    let vpc = Vpc::new(
        &mut app,
        stack,
        "Vpc",
        VpcProps {
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
            container_insights: Some(ContainerInsights::Enabled),
            enable_fargate_capacity_providers: true,
            default_capacity_provider_strategy: vec![CapacityProviderStrategy::fargate(1)],
            ..Default::default()
        },
    )?;
    let repo = Repository::new(
        &mut app,
        stack,
        "AppRepository",
        RepositoryProps {
            lifecycle_rules: vec![LifecycleRule {
                tag_status: TagStatus::Untagged,
                max_image_age_days: Some(14),
                ..Default::default()
            }],
            ..Default::default()
        },
    )?;

    let task = FargateTaskDefinition::new(
        &mut app,
        stack,
        "TaskDef",
        FargateTaskDefinitionProps {
            size: fargate_size!(512, 1024),
            ..Default::default()
        },
    )?;
    let logs = |prefix: &str| {
        Some(LogDriver::aws_logs(AwsLogDriverProps {
            stream_prefix: prefix.into(),
            retention: Some(RetentionDays::TwoWeeks),
            ..Default::default()
        }))
    };
    let app_container = task.add_container(
        &mut app,
        "app",
        ContainerDefinitionOptions {
            port_mappings: vec![PortMapping::tcp(8080).named("http")],
            environment: [("PORT".to_string(), Value::from("8080"))].into(),
            secrets: [(
                "DATABASE_PASSWORD".to_string(),
                Secret::from_ssm_parameter_name("/fargate-web/database-password"),
            )]
            .into(),
            health_check: Some(HealthCheck {
                command: vec!["curl -f http://localhost:8080/health || exit 1".into()],
                ..Default::default()
            }),
            memory_reservation_mib: Some(512),
            readonly_root_filesystem: true,
            logging: logs("app"),
            ..ContainerDefinitionOptions::new(ContainerImage::from_ecr_repository(&repo, "v1"))
        },
    )?;
    let proxy = task.add_container(
        &mut app,
        "proxy",
        ContainerDefinitionOptions {
            port_mappings: vec![PortMapping::tcp(80)],
            memory_reservation_mib: Some(128),
            logging: logs("proxy"),
            ..ContainerDefinitionOptions::new(ContainerImage::from_registry(
                "public.ecr.aws/nginx/nginx:latest",
            ))
        },
    )?;
    proxy.add_container_dependencies(
        &mut app,
        &[ContainerDependency {
            container: app_container,
            condition: ContainerDependencyCondition::Healthy,
        }],
    )?;

    let service = FargateService::new(
        &mut app,
        stack,
        "Service",
        FargateServiceProps {
            desired_count: Some(2),
            min_healthy_percent: Some(50),
            ..FargateServiceProps::new(cluster, task)
        },
    )?;
    service.connections(&app).allow_from(
        &mut app,
        &Peer::ipv4("10.0.0.0/16"),
        Port::tcp(80),
        "http from inside the VPC",
    )?;
    let service_name = service.service_name();
    Output::new(
        &mut app,
        stack,
        "ServiceName",
        OutputProps {
            value: service_name.into(),
            description: Some("the web service".into()),
            ..Default::default()
        },
    )?;
    let repository_uri = repo.repository_uri();
    Output::new(
        &mut app,
        stack,
        "RepositoryUri",
        OutputProps {
            value: repository_uri.into(),
            description: Some("push the app image here, tagged v1".into()),
            ..Default::default()
        },
    )?;

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
            "AwsSolutions-IAM5",
            "ecr:GetAuthorizationToken and ECS Exec's ssmmessages actions take no resource ARN",
        )
        .applies_to(["Resource::*"]),
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
