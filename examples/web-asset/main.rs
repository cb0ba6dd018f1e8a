//! # web-asset: a Fargate service running an image built from a directory
//!
//! One stack, `WebAsset`: a VPC over two AZs with public subnets only (no NAT gateway,
//! so it stays cheap), an ECS cluster, and a Fargate service (one task, deployment
//! circuit breaker with rollback, a public IP) whose container runs the image built
//! from `examples/web-asset/image/` (nginx serving `index.html`, port 80, logs through
//! `awslogs`). The service's security group is open on port 80.
//!
//! The image is an *asset*: synth fingerprints the directory (the files that
//! `image/.dockerignore` does not exclude, and the build options), names the image
//! `…/berth-assets-berthtoolkit:<fingerprint>` in the template, lets the task's
//! execution role pull from that repository, and writes `WebAsset.assets.json` and a
//! copy of the build context (`asset.<fingerprint>/`) into the cloud assembly. Editing
//! `image/index.html` makes a new image; editing `image/README.md` or `image/notes/` does
//! not. `berth bootstrap` creates the repository; `berth deploy` publishes the image.
//!
//! ```sh
//! cargo run --example web-asset                      # writes berth.out/ (or $BERTH_OUTDIR)
//! cargo run --example web-asset -- synth WebAsset    # prints the template
//! ```
use berth::constructs::ec2::{Peer, Port, SubnetConfiguration, SubnetType, Vpc, VpcProps};
use berth::constructs::ecs::{
    AwsLogDriverProps, Cluster, ClusterProps, ContainerDefinitionOptions, ContainerImage,
    DeploymentCircuitBreaker, FargateService, FargateServiceProps, FargateTaskDefinition,
    FargateTaskDefinitionProps, PortMapping,
};
use berth::constructs::logs::RetentionDays;
use berth::prelude::*;
use std::path::Path;

/// Builds the app with the image in `examples/web-asset/image`.
pub fn app() -> Result<App, ConstructError> {
    app_with_image_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/web-asset/image"))
}

/// Builds the app with the image built from `dir` (a directory with a Dockerfile).
pub fn app_with_image_dir(dir: &Path) -> Result<App, ConstructError> {
    let mut app = App::new();
    let description = "web-asset: a Fargate service running an image built from a directory";
    let stack = Stack::new(
        &mut app,
        "WebAsset",
        StackProps::default().description(description),
    )?;
    let public_only = VpcProps::default()
        .max_azs(2)
        .nat_gateways(0)
        .subnet_configuration([SubnetConfiguration::new("Public", SubnetType::Public)]);
    let vpc = Vpc::new(&mut app, stack, "Vpc", public_only)?;
    let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps::default().vpc(vpc))?;
    let task_props = FargateTaskDefinitionProps::default();
    let task = FargateTaskDefinition::new(&mut app, stack, "TaskDef", task_props)?;
    let web = ContainerDefinitionOptions::new(ContainerImage::from_asset(dir))
        .port_mappings([PortMapping::tcp(80)])
        .logging(AwsLogDriverProps::new("web").retention(RetentionDays::OneWeek));
    task.add_container(&mut app, "web", web)?;
    let props = FargateServiceProps::new(cluster, task)
        .desired_count(1)
        .circuit_breaker(DeploymentCircuitBreaker { rollback: true })
        .assign_public_ip(true);
    let service = FargateService::new(&mut app, stack, "Service", props)?;
    service.allow_from(
        &mut app,
        &Peer::any_ipv4(),
        Port::tcp(80),
        "http from anywhere",
    )?;
    let name = OutputProps::new(service.service_name()).description("the web service");
    Output::new(&mut app, stack, "ServiceName", name)?;

    // What the aws-solutions rule pack would report and this demo keeps on purpose,
    // with the reason (each is written into the template as cdk-nag reads it).
    app.add_rule_pack(ROOT, "aws-solutions")?;
    for suppression in [
        Suppression::new(
            "AwsSolutions-VPC7",
            "a demo VPC: flow logs, billed per GB, are left to production apps",
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
            "AwsSolutions-EC23",
            "the demo service takes public traffic directly, without a load balancer",
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
    // Built inside `run_with`: `cargo run --example web-asset -- watch` re-runs the
    // program (or, with the `cli` feature, this function) on every change, so the image
    // directory is fingerprinted again each cycle.
    berth::run_with(app)
}
