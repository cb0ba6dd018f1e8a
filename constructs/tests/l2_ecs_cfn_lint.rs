//! The ECS constructs in the variants the examples do not cover synthesize templates
//! that pass cfn-lint with zero errors and warnings (and the schema validation that
//! `App::synth` runs): Fargate on ARM64 with ephemeral storage, an EFS volume, ECS
//! Exec, Fargate Spot, public IPs, a Secrets Manager secret; EC2 in `awsvpc` mode with
//! placement constraints, on arm64 capacity, with the `EC2` launch type.
//!
//! cfn-lint is looked up at `$BERTH_CFN_LINT`, then `<workspace>/.venv/bin/cfn-lint`
//! (`support::cfn_lint`); the test fails when neither exists.

mod support;
use support::lint as check;

use berth_constructs::ec2::{Connectable, Port, SubnetSelection, SubnetType, VpcProps};
use berth_constructs::ecs::*;
use berth_constructs::logs::{LogGroup, LogGroupProps, RetentionDays};
use berth_constructs::{fargate_size, App, Stack, StackProps};

fn nginx() -> ContainerImage {
    ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest")
}

#[test]
fn fargate_variants() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Fargate", StackProps::default()).unwrap();
    let cluster = Cluster::new(
        &mut app,
        s,
        "Cluster",
        ClusterProps {
            container_insights: Some(ContainerInsights::Enhanced),
            enable_fargate_capacity_providers: true,
            ..Default::default()
        },
    )
    .unwrap();
    let logs = LogGroup::new(
        &mut app,
        s,
        "Logs",
        LogGroupProps {
            retention: RetentionDays::OneWeek,
            ..Default::default()
        },
    )
    .unwrap();
    let task = FargateTaskDefinition::new(
        &mut app,
        s,
        "TaskDef",
        FargateTaskDefinitionProps {
            size: fargate_size!(1024, 4096),
            runtime_platform: Some(RuntimePlatform::linux_arm64()),
            ephemeral_storage_gib: Some(50),
            volumes: vec![Volume {
                name: "shared".into(),
                source: VolumeSource::Efs(
                    EfsVolumeConfiguration::new("fs-0123456789abcdef0")
                        .root_directory("/web")
                        .transit_encryption(true),
                ),
            }],
            ..Default::default()
        },
    )
    .unwrap();
    task.add_container(
        &mut app,
        "web",
        ContainerDefinitionOptions {
            port_mappings: vec![PortMapping::tcp(8080).named("http")],
            secrets: [(
                "API_KEY".to_string(),
                Secret::from_secrets_manager_arn(
                    "arn:aws:secretsmanager:us-east-1:111111111111:secret:api-key-AbCdEf",
                ),
            )]
            .into(),
            mount_points: vec![MountPoint {
                source_volume: "shared".into(),
                container_path: "/srv/shared".into(),
                read_only: false,
            }],
            ulimits: vec![Ulimit {
                name: UlimitName::Nofile,
                soft_limit: 65536,
                hard_limit: 65536,
            }],
            user: Some("1000:1000".into()),
            working_directory: Some("/srv".into()),
            entry_point: vec!["/srv/web".into()],
            stop_timeout_secs: Some(20),
            logging: Some(LogDriver::aws_logs(AwsLogDriverProps {
                stream_prefix: "web".into(),
                log_group: Some(logs),
                mode: Some(AwsLogDriverMode::NonBlocking),
                ..Default::default()
            })),
            ..ContainerDefinitionOptions::new(nginx())
        },
    )
    .unwrap();
    let service = FargateService::new(
        &mut app,
        s,
        "Service",
        FargateServiceProps {
            desired_count: Some(3),
            min_healthy_percent: Some(100),
            max_healthy_percent: Some(150),
            enable_execute_command: true,
            propagate_tags: Some(PropagateTags::Service),
            assign_public_ip: true,
            capacity_provider_strategies: vec![
                CapacityProviderStrategy::fargate(1).with_base(1),
                CapacityProviderStrategy::fargate_spot(2),
            ],
            platform_version: Some(FargatePlatformVersion::Version("1.4.0".into())),
            health_check_grace_period_secs: Some(30),
            ..FargateServiceProps::new(cluster, task)
        },
    )
    .unwrap();
    service
        .connections(&app)
        .allow_from_any_ipv4(&mut app, Port::tcp(8080), "http")
        .unwrap();
    check(app);
}

#[test]
fn ec2_awsvpc_on_arm64_capacity_with_the_ec2_launch_type() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Ec2", StackProps::default()).unwrap();
    let cluster = support::cluster_in_new_vpc(
        &mut app,
        s,
        VpcProps {
            nat_gateways: Some(1),
            ..Default::default()
        },
    );
    cluster
        .add_capacity(
            &mut app,
            "Graviton",
            AddCapacityOptions {
                machine_image: MachineImage::EcsOptimizedArm64,
                min_capacity: 2,
                max_capacity: Some(4),
                desired_capacity: Some(2),
                vpc_subnets: Some(SubnetSelection::of_type(SubnetType::PrivateWithEgress)),
                capacity_provider: AsgCapacityProviderOptions {
                    target_capacity_percent: 80,
                    enable_managed_termination_protection: true,
                    maximum_scaling_step_size: Some(2),
                    ..Default::default()
                },
                ..AddCapacityOptions::new("t4g.small")
            },
        )
        .unwrap();
    let task = Ec2TaskDefinition::new(
        &mut app,
        s,
        "TaskDef",
        Ec2TaskDefinitionProps {
            network_mode: NetworkMode::AwsVpc,
            cpu: Some(512),
            memory_mib: Some(512),
            placement_constraints: vec![TaskPlacementConstraint {
                expression: "attribute:ecs.cpu-architecture == arm64".into(),
            }],
            volumes: vec![Volume {
                name: "scratch".into(),
                source: VolumeSource::Host { source_path: None },
            }],
            ..Default::default()
        },
    )
    .unwrap();
    task.add_container(
        &mut app,
        "web",
        ContainerDefinitionOptions {
            port_mappings: vec![PortMapping {
                host_port: Some(80),
                ..PortMapping::tcp(80)
            }],
            mount_points: vec![MountPoint {
                source_volume: "scratch".into(),
                container_path: "/tmp/scratch".into(),
                read_only: false,
            }],
            health_check: Some(HealthCheck {
                command: vec![
                    "CMD".into(),
                    "curl".into(),
                    "-f".into(),
                    "http://localhost/".into(),
                ],
                interval_secs: Some(10),
                timeout_secs: Some(3),
                retries: Some(2),
                start_period_secs: Some(15),
            }),
            ..ContainerDefinitionOptions::new(nginx())
        },
    )
    .unwrap();
    let service = Ec2Service::new(
        &mut app,
        s,
        "Service",
        Ec2ServiceProps {
            placement_constraints: vec![PlacementConstraint::DistinctInstances],
            placement_strategies: vec![PlacementStrategy::spread_across_instances()],
            circuit_breaker: None,
            ..Ec2ServiceProps::new(cluster, task)
        },
    )
    .unwrap();
    let sg = service.security_groups(&app);
    assert_eq!(sg.len(), 1);
    service
        .connections(&app)
        .allow_internally(&mut app, Port::tcp(80), "between tasks")
        .unwrap();
    check(app);
}
