//! # ec2-cluster: an ECS cluster on EC2 capacity running a service in bridge mode
//!
//! One stack, `Ec2Cluster`: a VPC (two AZs, one NAT gateway) and an ECS cluster with
//! EC2 capacity: an Auto Scaling group of `t3.small` instances (1 to 3) from a launch
//! template that uses the ECS-optimized Amazon Linux 2023 AMI (resolved at deploy time
//! from the public SSM parameter, through a template parameter), user data that joins
//! the cluster, an instance role and profile, a security group, and an ECS capacity
//! provider with managed scaling, associated with the cluster. An `Ec2Service` runs two
//! nginx tasks on that capacity provider in `bridge` network mode (dynamic host ports),
//! spread across AZs; the instances accept the dynamic port range from inside the VPC
//! only.
//!
//! ```sh
//! cargo run --example ec2-cluster                        # writes berth.out/ (or $BERTH_OUTDIR)
//! cargo run --example ec2-cluster -- synth Ec2Cluster    # prints the template
//! ```
use berth::constructs::ec2::{Connectable, Peer, Port, Vpc, VpcProps};
use berth::constructs::ecs::{
    AddCapacityOptions, AwsLogDriverProps, Cluster, ClusterProps, ContainerDefinitionOptions,
    ContainerImage, Ec2Service, Ec2ServiceProps, Ec2TaskDefinition, Ec2TaskDefinitionProps,
    LogDriver, NetworkMode, PlacementStrategy, PortMapping,
};
use berth::constructs::logs::RetentionDays;
use berth::prelude::*;

/// Builds the app.
pub fn app() -> Result<App, ConstructError> {
    let mut app = App::new();
    let stack = Stack::new(
        &mut app,
        "Ec2Cluster",
        StackProps {
            description: Some(
                "ec2-cluster: an ECS cluster on EC2 capacity with a bridge-mode service".into(),
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
            ..Default::default()
        },
    )?;
    let capacity = cluster.add_capacity(
        &mut app,
        "DefaultAutoScalingGroup",
        AddCapacityOptions {
            min_capacity: 1,
            max_capacity: Some(3),
            ..AddCapacityOptions::new("t3.small")
        },
    )?;
    // Tasks in bridge mode listen on dynamic host ports of the instances.
    capacity.connections(&app).allow_from(
        &mut app,
        &Peer::ipv4("10.0.0.0/16"),
        Port::tcp_range(32768, 65535),
        "dynamic host ports from inside the VPC",
    )?;

    let task = Ec2TaskDefinition::new(
        &mut app,
        stack,
        "TaskDef",
        Ec2TaskDefinitionProps {
            network_mode: NetworkMode::Bridge,
            ..Default::default()
        },
    )?;
    task.add_container(
        &mut app,
        "web",
        ContainerDefinitionOptions {
            memory_limit_mib: Some(256),
            cpu: Some(256),
            port_mappings: vec![PortMapping::tcp(80)],
            logging: Some(LogDriver::aws_logs(AwsLogDriverProps {
                stream_prefix: "web".into(),
                retention: Some(RetentionDays::OneWeek),
                ..Default::default()
            })),
            ..ContainerDefinitionOptions::new(ContainerImage::from_registry(
                "public.ecr.aws/nginx/nginx:latest",
            ))
        },
    )?;
    let service = Ec2Service::new(
        &mut app,
        stack,
        "Service",
        Ec2ServiceProps {
            desired_count: Some(2),
            capacity_provider_strategies: vec![capacity.strategy(1)],
            placement_strategies: vec![
                PlacementStrategy::spread_across_zones(),
                PlacementStrategy::packed_by_memory(),
            ],
            ..Ec2ServiceProps::new(cluster, task)
        },
    )?;
    let service_name = service.service_name();
    Output::new(
        &mut app,
        stack,
        "ServiceName",
        OutputProps {
            value: service_name.into(),
            description: Some("the bridge-mode service".into()),
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
    app.add_suppression(stack, Suppression::new("AwsSolutions-IAM4", "the ECS agent's own managed policy on the instance role, as CDK attaches it").applies_to(["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"]))?;
    app.add_suppression(
        stack,
        Suppression::new(
            "AwsSolutions-AS3",
            "a demo capacity group: nobody subscribes to scaling notifications",
        ),
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
