//! # express: a web app on ECS Express Mode
//!
//! One stack, `Express`: a VPC (two AZs, one NAT gateway), an ECS cluster, and an
//! `ExpressService` (`AWS::ECS::ExpressGatewayService`): one resource for which ECS
//! creates the load balancer, the certificate, the target group, the security groups,
//! the scaling policy and an HTTPS URL. berth adds what it needs, least privilege: the
//! infrastructure role (`AmazonECSInfrastructureRoleforExpressGatewayServices`), the
//! execution role (write on exactly the log group, read on exactly the database
//! password's SSM parameter), the log group (one week), a task role with read on one
//! S3 prefix, and the output `Endpoint` (the URL's host; `berth deploy` prints it).
//!
//! Growing out of Express Mode: the same `ExpressServiceProps` given to
//! `ExpressServiceProps::eject` build the ALB Fargate pattern (same container, size,
//! health check and scaling) as explicit constructs.
//!
//! ```sh
//! cargo run --example express                   # writes berth.out/ (or $BERTH_OUTDIR)
//! cargo run --example express -- synth Express  # prints the template
//! ```
//!
//! Deploying: moto (the test's AWS stand-in) has no `AWS::ECS::ExpressGatewayService`;
//! the deploy plumbing that reports the URL (stack outputs after a deploy) is tested
//! against moto with an ordinary output and against the scripted fake with this
//! resource type (`cli/tests/it`).
use berth::constructs::ec2::{Vpc, VpcProps};
use berth::constructs::ecs::{
    AwsLogDriverProps, Cluster, ClusterProps, ContainerImage, ExpressScaling, ExpressScalingMetric,
    ExpressService, ExpressServiceProps, Secret,
};
use berth::constructs::fargate_size;
use berth::constructs::iam::{Grantable, PolicyStatement};
use berth::constructs::logs::RetentionDays;
use berth::prelude::*;

/// The description of the service: what `ExpressService::new` and, the day the team
/// needs more, `ExpressServiceProps::eject` take.
pub fn web_props(cluster: Cluster) -> ExpressServiceProps {
    ExpressServiceProps::new(ContainerImage::from_registry(
        "public.ecr.aws/nginx/nginx:latest",
    ))
    .cluster(cluster)
    .container_port(8080)
    .size(fargate_size!(512, 1024))
    .environment([("STAGE", "prod"), ("PORT", "8080")])
    .secrets([(
        "DB_PASSWORD",
        Secret::from_ssm_parameter_name("/shop/prod/db-password"),
    )])
    .logging(AwsLogDriverProps::new("web").retention(RetentionDays::OneWeek))
    .health_check_path("/health")
    .scaling(
        ExpressScaling::new(2, 10)
            .metric(ExpressScalingMetric::RequestCountPerTarget)
            .target_value(200),
    )
}

/// Builds the app.
pub fn app() -> Result<App, ConstructError> {
    let mut app = App::new();
    let stack = Stack::new(
        &mut app,
        "Express",
        StackProps::default().description("express: a web app on ECS Express Mode"),
    )?;
    let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default().nat_gateways(1))?;
    let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps::default().vpc(vpc))?;
    let web = ExpressService::new(&mut app, stack, "Web", web_props(cluster))?;
    // What the code may do: read the shop's assets under one prefix.
    web.add_to_principal_policy(
        &mut app,
        PolicyStatement::allow()
            .action("s3:GetObject")
            .resource("arn:aws:s3:::shop-assets/web/*"),
    )?;

    // What the aws-solutions rule pack would report and this demo keeps on purpose,
    // with the reason (each is written into the template as cdk-nag reads it).
    app.add_rule_pack(ROOT, "aws-solutions")?;
    let kept = [
        (
            "AwsSolutions-VPC7",
            "a demo VPC: flow logs, billed per GB, are left to production apps",
        ),
        (
            "AwsSolutions-IAM4",
            "ECS documents this managed policy for Express Mode's infrastructure role",
        ),
        (
            "Berth-LOG2",
            "demo logs hold no personal data; CloudWatch Logs encrypts them with its own key",
        ),
        (
            "AwsSolutions-IAM5",
            "the web tier reads every object under its own prefix of the assets bucket",
        ),
    ];
    for (id, reason) in kept {
        app.add_suppression(stack, Suppression::new(id, reason))?;
    }
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
