//! Patterns that open up: every pattern hands out its task definition, main container
//! and service (and its load balancer parts), and the queue and scheduled patterns
//! take the service options the load-balanced ones do — a worker on Fargate Spot with
//! ECS Exec needs no override. Each template passes cfn-lint.

use berth_constructs::ec2::{SecurityGroup, SecurityGroupProps, Vpc, VpcProps};
use berth_constructs::ecs::{
    CapacityProviderStrategy, Cluster, ClusterProps, ContainerDefinitionOptions, ContainerImage,
    FargatePlatformVersion, FargateTaskDefinition, FargateTaskDefinitionProps, MountPoint, Volume,
    VolumeSource,
};
use berth_constructs::patterns::*;
use berth_constructs::servicediscovery::{PrivateDnsNamespace, PrivateDnsNamespaceProps};
use berth_constructs::{App, Stack, StackProps};
use berth_synth::logical_id::make_unique_id;
use serde_json::json;

#[path = "support/mod.rs"]
mod support;

const BUSYBOX: &str = "public.ecr.aws/docker/library/busybox:latest";

fn id(path: &[&str]) -> String {
    make_unique_id(path).unwrap()
}

fn spot_cluster(app: &mut App, stack: Stack) -> Cluster {
    Cluster::new(
        app,
        stack,
        "Cluster",
        ClusterProps::default().enable_fargate_capacity_providers(true),
    )
    .unwrap()
}

#[test]
fn a_queue_worker_on_spot_with_exec_and_its_own_task_definition() {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Work", StackProps::default()).unwrap();
    let cluster = spot_cluster(&mut app, stack);
    let task = FargateTaskDefinition::new(
        &mut app,
        stack,
        "WorkerTask",
        FargateTaskDefinitionProps::default(),
    )
    .unwrap();
    let main = task
        .add_container(
            &mut app,
            "worker",
            ContainerDefinitionOptions::new(ContainerImage::from_registry(BUSYBOX)),
        )
        .unwrap();
    let sg = SecurityGroup::new(
        &mut app,
        stack,
        "WorkerSg",
        &cluster.vpc(),
        SecurityGroupProps::default(),
    )
    .unwrap();
    let worker = QueueProcessingFargateService::new(
        &mut app,
        stack,
        "Worker",
        QueueProcessingFargateServiceProps::with_task_definition(cluster, task)
            .capacity_provider_strategies([
                CapacityProviderStrategy::fargate_spot(4),
                CapacityProviderStrategy::fargate(1).with_base(1),
            ])
            .enable_execute_command(true)
            .platform_version(FargatePlatformVersion::Version("1.4.0".into()))
            .security_groups([sg]),
    )
    .unwrap();
    assert_eq!(worker.container(), main);
    assert_eq!(worker.task_definition(), task);
    let out = app.synth().unwrap();
    let res = &out.stacks[0].template["Resources"];
    let svc = &res[id(&["Worker", "QueueProcessingFargateService", "Service"])]["Properties"];
    assert!(svc.get("LaunchType").is_none());
    assert_eq!(
        svc["CapacityProviderStrategy"],
        json!([{"CapacityProvider": "FARGATE_SPOT", "Weight": 4}, {"Base": 1, "CapacityProvider": "FARGATE", "Weight": 1}])
    );
    assert_eq!(svc["EnableExecuteCommand"], true);
    assert_eq!(svc["PlatformVersion"], "1.4.0");
    assert_eq!(
        svc["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"],
        json!([{"Fn::GetAtt": [id(&["WorkerSg", "Resource"]), "GroupId"]}])
    );
    // The given container learns the queue's name.
    let env = &res[id(&["WorkerTask", "Resource"])]["Properties"]["ContainerDefinitions"][0]
        ["Environment"];
    assert_eq!(env[0]["Name"], "QUEUE_NAME");
    support::lint(app);
}

#[test]
fn a_queue_worker_mounts_its_volumes() {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Work", StackProps::default()).unwrap();
    let cluster = spot_cluster(&mut app, stack);
    let worker = QueueProcessingFargateService::new(
        &mut app,
        stack,
        "Worker",
        QueueProcessingFargateServiceProps::new(cluster, ContainerImage::from_registry(BUSYBOX))
            .volumes([Volume {
                name: "scratch".into(),
                source: VolumeSource::Host { source_path: None },
            }])
            .mount_points([MountPoint {
                source_volume: "scratch".into(),
                container_path: "/scratch".into(),
                read_only: false,
            }]),
    )
    .unwrap();
    assert_eq!(
        worker.container().container_name(&app),
        "QueueProcessingContainer"
    );
    let out = app.synth().unwrap();
    let td = &out.stacks[0].template["Resources"]
        [id(&["Worker", "QueueProcessingTaskDef", "Resource"])]["Properties"];
    assert_eq!(td["Volumes"], json!([{"Name": "scratch"}]));
    assert_eq!(
        td["ContainerDefinitions"][0]["MountPoints"][0]["ContainerPath"],
        "/scratch"
    );
}

#[test]
fn a_queue_worker_takes_an_image_or_a_task_definition() {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Work", StackProps::default()).unwrap();
    let cluster = spot_cluster(&mut app, stack);
    let task =
        FargateTaskDefinition::new(&mut app, stack, "T", FargateTaskDefinitionProps::default())
            .unwrap();
    let mut props = QueueProcessingFargateServiceProps::with_task_definition(cluster, task);
    props.image = ContainerImage::from_registry(BUSYBOX);
    let err = QueueProcessingFargateService::new(&mut app, stack, "Worker", props).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Work/Worker: task_definition: give an image or a task definition, not both"
    );
    let err = QueueProcessingFargateService::new(
        &mut app,
        stack,
        "Worker2",
        QueueProcessingFargateServiceProps::with_task_definition(cluster, task),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Work/Worker2: task_definition: the task definition has no essential container to run"
    );
}

#[test]
fn a_scheduled_task_runs_a_given_task_definition_in_given_security_groups() {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Jobs", StackProps::default()).unwrap();
    let cluster = spot_cluster(&mut app, stack);
    let task = FargateTaskDefinition::new(
        &mut app,
        stack,
        "Report",
        FargateTaskDefinitionProps::default(),
    )
    .unwrap();
    let main = task
        .add_container(
            &mut app,
            "report",
            ContainerDefinitionOptions::new(ContainerImage::from_registry(BUSYBOX)),
        )
        .unwrap();
    let sg = SecurityGroup::new(
        &mut app,
        stack,
        "JobSg",
        &cluster.vpc(),
        SecurityGroupProps::default(),
    )
    .unwrap();
    let job = ScheduledFargateTask::new(
        &mut app,
        stack,
        "Nightly",
        ScheduledFargateTaskProps::with_task_definition(cluster, "cron(0 4 ? * MON-FRI *)", task)
            .security_groups([sg])
            .capacity_provider_strategies([CapacityProviderStrategy::fargate_spot(1)])
            .enable_execute_command(true)
            .platform_version(FargatePlatformVersion::Latest)
            .propagate_tags(true),
    )
    .unwrap();
    assert_eq!(job.container(), main);
    assert_eq!(job.security_group(), None);
    assert_eq!(app.path(job.rule()), "Jobs/Nightly/ScheduledEventRule");
    assert_eq!(app.path(job.events_role()), "Jobs/Report/EventsRole");
    let out = app.synth().unwrap();
    let res = &out.stacks[0].template["Resources"];
    let ecs = &res[id(&["Nightly", "ScheduledEventRule", "Resource"])]["Properties"]["Targets"][0]
        ["EcsParameters"];
    assert_eq!(ecs["EnableExecuteCommand"], true);
    assert_eq!(ecs["PlatformVersion"], "LATEST");
    assert_eq!(ecs["PropagateTags"], "TASK_DEFINITION");
    assert_eq!(
        ecs["NetworkConfiguration"]["AwsVpcConfiguration"]["SecurityGroups"],
        json!([{"Fn::GetAtt": [id(&["JobSg", "Resource"]), "GroupId"]}])
    );
    support::lint(app);
}

#[test]
fn load_balanced_and_backend_patterns_hand_out_their_container() {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default()).unwrap();
    let cluster =
        Cluster::new(&mut app, stack, "Cluster", ClusterProps::default().vpc(vpc)).unwrap();
    let web = ApplicationLoadBalancedFargateService::new(
        &mut app,
        stack,
        "Web",
        ApplicationLoadBalancedFargateServiceProps::new(ContainerImage::from_registry(BUSYBOX))
            .cluster(cluster),
    )
    .unwrap();
    assert_eq!(web.container().container_name(&app), "web");
    assert_eq!(web.container().port_mappings(&app)[0].container_port, 80);
    let tcp = NetworkLoadBalancedFargateService::new(
        &mut app,
        stack,
        "Tcp",
        NetworkLoadBalancedFargateServiceProps::new(
            cluster,
            ContainerImage::from_registry(BUSYBOX),
        ),
    )
    .unwrap();
    assert_eq!(app.path(tcp.container()), "Web/Tcp/TaskDef/web");
    let ns = PrivateDnsNamespace::new(
        &mut app,
        stack,
        "Ns",
        &vpc,
        PrivateDnsNamespaceProps::new("svc.local"),
    )
    .unwrap();
    let users = BackendFargateService::new(
        &mut app,
        stack,
        "Users",
        BackendFargateServiceProps::new(
            cluster,
            ContainerImage::from_registry(BUSYBOX),
            &ns,
            "users",
        ),
    )
    .unwrap();
    assert_eq!(app.path(users.container()), "Web/Users/TaskDef/web");
    // What the accessors give can be changed after the fact, without overrides.
    web.container()
        .add_environment(&mut app, "MODE", "production");
    let out = app.synth().unwrap();
    let td =
        &out.stacks[0].template["Resources"][id(&["Web", "TaskDef", "Resource"])]["Properties"];
    assert_eq!(
        td["ContainerDefinitions"][0]["Environment"],
        json!([{"Name": "MODE", "Value": "production"}])
    );
}
