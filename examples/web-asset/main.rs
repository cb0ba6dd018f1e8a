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
use berth::constructs::ec2::{
    Connectable, Peer, Port, SubnetConfiguration, SubnetType, Vpc, VpcProps,
};
use berth::constructs::ecs::{
    AwsLogDriverProps, Cluster, ClusterProps, ContainerDefinitionOptions, ContainerImage,
    DeploymentCircuitBreaker, FargateService, FargateServiceProps, FargateTaskDefinition,
    FargateTaskDefinitionProps, LogDriver, PortMapping,
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
    let stack = Stack::new(
        &mut app,
        "WebAsset",
        StackProps {
            description: Some(
                "web-asset: a Fargate service running an image built from a directory".into(),
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
            nat_gateways: Some(0),
            subnet_configuration: vec![SubnetConfiguration::new("Public", SubnetType::Public)],
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
    let task = FargateTaskDefinition::new(
        &mut app,
        stack,
        "TaskDef",
        FargateTaskDefinitionProps::default(),
    )?;
    task.add_container(
        &mut app,
        "web",
        ContainerDefinitionOptions {
            port_mappings: vec![PortMapping::tcp(80)],
            logging: Some(LogDriver::aws_logs(AwsLogDriverProps {
                stream_prefix: "web".into(),
                retention: Some(RetentionDays::OneWeek),
                ..Default::default()
            })),
            ..ContainerDefinitionOptions::new(ContainerImage::from_asset(dir))
        },
    )?;
    let service = FargateService::new(
        &mut app,
        stack,
        "Service",
        FargateServiceProps {
            desired_count: Some(1),
            circuit_breaker: Some(DeploymentCircuitBreaker { rollback: true }),
            assign_public_ip: true,
            ..FargateServiceProps::new(cluster, task)
        },
    )?;
    service.connections(&app).allow_from(
        &mut app,
        &Peer::any_ipv4(),
        Port::tcp(80),
        "http from anywhere",
    )?;
    let service_name = service.service_name(&app);
    Output::new(
        &mut app,
        stack,
        "ServiceName",
        OutputProps {
            value: service_name,
            description: Some("the web service".into()),
            ..Default::default()
        },
    )?;
    Ok(app)
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    // Built inside `run_with`: `cargo run --example web-asset -- watch` re-runs the
    // program (or, with the `cli` feature, this function) on every change, so the image
    // directory is fingerprinted again each cycle.
    berth::run_with(app)
}
