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
use berth::constructs::ec2::{Peer, Port, Vpc, VpcProps};
use berth::constructs::ecs::{
    AddCapacityOptions, AwsLogDriverProps, Cluster, ClusterProps, ContainerDefinitionOptions,
    ContainerImage, Ec2Service, Ec2ServiceProps, Ec2TaskDefinition, Ec2TaskDefinitionProps,
    NetworkMode, PlacementStrategy, PortMapping,
};
use berth::constructs::logs::RetentionDays;
use berth::prelude::*;

/// Builds the app.
pub fn app() -> Result<App, ConstructError> {
    let mut app = App::new();
    let description = "ec2-cluster: an ECS cluster on EC2 capacity with a bridge-mode service";
    let stack = Stack::new(
        &mut app,
        "Ec2Cluster",
        StackProps::default().description(description),
    )?;
    let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default().nat_gateways(1))?;
    let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps::default().vpc(vpc))?;
    let hosts = AddCapacityOptions::new("t3.small")
        .min_capacity(1)
        .max_capacity(3);
    let capacity = cluster.add_capacity(&mut app, "DefaultAutoScalingGroup", hosts)?;
    // Tasks in bridge mode listen on dynamic host ports of the instances.
    capacity.allow_from(
        &mut app,
        &Peer::ipv4("10.0.0.0/16"),
        Port::tcp_range(32768, 65535),
        "dynamic host ports from inside the VPC",
    )?;

    let bridge = Ec2TaskDefinitionProps::default().network_mode(NetworkMode::Bridge);
    let task = Ec2TaskDefinition::new(&mut app, stack, "TaskDef", bridge)?;
    let nginx = ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
    let logs = AwsLogDriverProps::new("web").retention(RetentionDays::OneWeek);
    let web = ContainerDefinitionOptions::new(nginx)
        .memory_limit_mib(256)
        .cpu(256)
        .port_mappings([PortMapping::tcp(80)])
        .logging(logs);
    task.add_container(&mut app, "web", web)?;
    let props = Ec2ServiceProps::new(cluster, task)
        .desired_count(2)
        .capacity_provider_strategies([capacity.strategy(1)])
        .placement_strategies([
            PlacementStrategy::spread_across_zones(),
            PlacementStrategy::packed_by_memory(),
        ]);
    let service = Ec2Service::new(&mut app, stack, "Service", props)?;
    let name = OutputProps::new(service.service_name()).description("the bridge-mode service");
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
        Suppression::new("AwsSolutions-IAM4", "the ECS agent's own managed policy on the instance role, as CDK attaches it").applies_to(["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"]),
        Suppression::new(
            "AwsSolutions-AS3",
            "a demo capacity group: nobody subscribes to scaling notifications",
        ),
    ] {
        app.add_suppression(stack, suppression)?;
    }
    Ok(app)
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    berth::run_with(app)
}
