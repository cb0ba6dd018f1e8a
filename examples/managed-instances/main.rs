//! # managed-instances: an API on ECS Managed Instances, a log agent on every instance
//!
//! One stack, `ManagedInstances`: a VPC (two AZs, one NAT gateway), an ECS cluster with
//! an ECS Managed Instances capacity provider (AWS Graviton instances of 2 to 8 vCPUs
//! and 4 to 32 GiB, `t*` excluded, 50 GiB of storage, detailed monitoring, tags
//! propagated; ECS launches, patches and replaces them with the infrastructure role
//! berth creates, `AmazonECSInfrastructureRolePolicyForManagedInstances` plus
//! `iam:PassRole` on exactly the instance role), an API in a `ManagedInstancesService`
//! (two `awsvpc` tasks on arm64, ECS Exec on), and a managed daemon: Fluent Bit on
//! every instance, reading the host's `/var/log`.
//!
//! ```sh
//! cargo run --example managed-instances                            # writes berth.out/ (or $BERTH_OUTDIR)
//! cargo run --example managed-instances -- synth ManagedInstances  # prints the template
//! ```
//!
//! Deploying: moto (the test's AWS stand-in) has no ECS Managed Instances and no
//! `AWS::ECS::Daemon`/`AWS::ECS::DaemonTaskDefinition` in CloudFormation, so this
//! example is tested by synthesis, snapshot and cfn-lint (`tests/examples.rs`,
//! `tests/cfn_lint.rs`), not deployed in the tests.
use berth::constructs::ec2::{Vpc, VpcProps};
use berth::constructs::ecs::{
    AwsLogDriverProps, CapacityOption, Cluster, ClusterProps, ContainerDefinitionOptions,
    ContainerImage, CpuArchitecture, Daemon, DaemonProps, DaemonTaskDefinition,
    DaemonTaskDefinitionProps, InstanceMonitoring, InstanceRequirements,
    ManagedInstancesCapacityProviderProps, ManagedInstancesService, ManagedInstancesServiceProps,
    ManagedInstancesTaskDefinition, ManagedInstancesTaskDefinitionProps, MountPoint, PortMapping,
    RuntimePlatform, Volume,
};
use berth::prelude::*;

/// Builds the app.
pub fn app() -> Result<App, ConstructError> {
    let mut app = App::new();
    let stack = Stack::new(
        &mut app,
        "ManagedInstances",
        StackProps::default().description(
            "managed-instances: an API on ECS Managed Instances with a log agent on every instance",
        ),
    )?;
    let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default().nat_gateways(1))?;
    let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps::default().vpc(vpc))?;

    // The capacity: Graviton instances that ECS launches, patches and replaces.
    let requirements = InstanceRequirements::new(2, 4096)
        .vcpu_max(8)
        .memory_max_mib(32768)
        .cpu_architectures([CpuArchitecture::Arm64])
        .excluded_instance_types(["t4g.*"]);
    let capacity = cluster.add_managed_instances_capacity_provider(
        &mut app,
        "ManagedInstances",
        ManagedInstancesCapacityProviderProps::default()
            .instance_requirements(requirements)
            .capacity_option(CapacityOption::OnDemand)
            .storage_gib(50)
            .monitoring(InstanceMonitoring::Detailed)
            .propagate_tags(true),
    )?;

    // The API: two tasks on that capacity.
    let task = ManagedInstancesTaskDefinition::new(
        &mut app,
        stack,
        "ApiTask",
        ManagedInstancesTaskDefinitionProps::default()
            .cpu(1024)
            .memory_mib(2048)
            .runtime_platform(RuntimePlatform::linux_arm64()),
    )?;
    task.add_container(
        &mut app,
        "api",
        ContainerDefinitionOptions::new(ContainerImage::from_registry(
            "public.ecr.aws/nginx/nginx:latest",
        ))
        .port_mappings([PortMapping::tcp(80)])
        .logging(AwsLogDriverProps::new("api")),
    )?;
    let api = ManagedInstancesService::new(
        &mut app,
        stack,
        "Api",
        ManagedInstancesServiceProps::new(cluster, task)
            .desired_count(2)
            .enable_execute_command(true),
    )?;

    // The log agent: one Fluent Bit task on every instance of the capacity.
    let agent_task = DaemonTaskDefinition::new(
        &mut app,
        stack,
        "LogAgentTask",
        DaemonTaskDefinitionProps::default()
            .memory_mib(256)
            .volumes([Volume::host("host-logs", "/var/log")]),
    )?;
    let agent = agent_task.add_container(
        &mut app,
        "fluent-bit",
        ContainerDefinitionOptions::new(ContainerImage::from_registry(
            "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable",
        ))
        .logging(AwsLogDriverProps::new("log-agent")),
    )?;
    agent.add_mount_points(
        &mut app,
        [MountPoint::new("host-logs", "/host/var/log").read_only(true)],
    )?;
    Daemon::new(
        &mut app,
        stack,
        "LogAgent",
        DaemonProps::new(cluster, agent_task)
            .capacity_providers([capacity])
            .drain_percent(25.0),
    )?;

    let service_name = api.service_name();
    Output::new(
        &mut app,
        stack,
        "ServiceName",
        OutputProps::new(service_name).description("the API on Managed Instances"),
    )?;

    // What the aws-solutions rule pack would report and this demo keeps on purpose,
    // with the reason (each is written into the template as cdk-nag reads it).
    app.add_rule_pack(ROOT, "aws-solutions")?;
    let kept = [
        ("AwsSolutions-VPC7", "a demo VPC: flow logs, billed per GB, are left to production apps"),
        ("AwsSolutions-IAM4", "ECS documents these managed policies for the Managed Instances infrastructure and instance roles"),
        ("Berth-ECS2", "the sample images write to their root file system (caches, pid files)"),
        ("Berth-ECS3", "the sample images start as root, as their publishers ship them"),
        ("Berth-LOG2", "demo logs hold no personal data; CloudWatch Logs encrypts them with its own key"),
        ("AwsSolutions-IAM5", "ecr:GetAuthorizationToken and ECS Exec's ssmmessages actions take no resource ARN"),
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
