//! EFS, SQS, KMS, SNS and CloudWatch with ECS: what a service mounting a file system and
//! working through a queue gets (grants, security group rules, dependencies), the checks
//! at construction and synth, and templates that pass cfn-lint with zero errors and
//! warnings, across two stacks and on EC2 capacity.

mod support;

use berth_assertions::{pattern, Template};
use berth_constructs::cloudwatch::{CreateAlarmOptions, Dashboard, DashboardProps, GraphWidget};
use berth_constructs::ec2::{Vpc, VpcProps};
use berth_constructs::ecs::*;
use berth_constructs::efs::{AccessPointOptions, FileSystem, FileSystemProps};
use berth_constructs::elbv2::{
    ApplicationLoadBalancer, ApplicationLoadBalancerProps, HttpCodeTarget, ListenerAction,
    ListenerProps, TargetGroup, TargetGroupProps,
};
use berth_constructs::kms::{Key, KeyProps};
use berth_constructs::patterns::{
    QueueProcessingFargateService, QueueProcessingFargateServiceProps,
};
use berth_constructs::sns::{Topic, TopicProps};
use berth_constructs::sqs::{Queue, QueueProps};
use berth_constructs::{App, ConstructError, Stack, StackProps};
use berth_synth::logical_id::make_unique_id;
use berth_synth::Severity;

fn busybox() -> ContainerImage {
    ContainerImage::from_registry("public.ecr.aws/docker/library/busybox:latest")
}

fn id(path: &[&str]) -> String {
    make_unique_id(path).unwrap()
}

struct World {
    app: App,
    stack: Stack,
    vpc: Vpc,
    cluster: Cluster,
    fs: FileSystem,
}

fn world() -> Result<World, ConstructError> {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Work", StackProps::default())?;
    let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default().nat_gateways(1))?;
    let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps::default().vpc(vpc))?;
    let fs = FileSystem::new(&mut app, stack, "Shared", FileSystemProps::new(vpc))?;
    Ok(World {
        app,
        stack,
        vpc,
        cluster,
        fs,
    })
}

#[test]
fn a_service_mounting_a_file_system_may_reach_it_and_waits_for_its_mount_targets(
) -> Result<(), ConstructError> {
    let World {
        mut app,
        stack,
        cluster,
        fs,
        ..
    } = world()?;
    let task = FargateTaskDefinition::new(&mut app, stack, "Task", Default::default())?;
    let c = task.add_container(&mut app, "app", ContainerDefinitionOptions::new(busybox()))?;
    FargateService::new(
        &mut app,
        stack,
        "Svc",
        FargateServiceProps::new(cluster, task),
    )?;
    // The volume comes after the service: the wiring still happens (at synth).
    task.add_volume(
        &mut app,
        Volume::efs("data", EfsVolumeConfiguration::from(fs).read_only(true)),
    )?;
    c.add_mount_points(&mut app, [MountPoint::new("data", "/data").read_only(true)])?;
    let out = app.synth().unwrap_or_else(|e| panic!("{e}"));
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    let t = Template::from_json(out.stacks[0].template.clone()).unwrap();
    let svc_sg = id(&["Svc", "SecurityGroup", "Resource"]);
    t.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        pattern!({"FromPort": 2049, "ToPort": 2049, "IpProtocol": "tcp",
            "SourceSecurityGroupId": {"Fn::GetAtt": [svc_sg, "GroupId"]},
            "GroupId": {"Fn::GetAtt": [id(&["Shared", "EfsSecurityGroup", "Resource"]), "GroupId"]}}),
    );
    let service = t.resource(&id(&["Svc", "Service"])).unwrap();
    let depends: Vec<&str> = service["DependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    for subnet in ["PrivateSubnet1", "PrivateSubnet2"] {
        let target = id(&["Shared", &format!("EfsMountTarget-{subnet}")]);
        assert!(depends.contains(&target.as_str()), "{depends:?}");
    }
    // Read-only: ClientMount, without ClientWrite.
    t.has_resource_properties(
        "AWS::IAM::Policy",
        pattern!({"PolicyDocument": {"Statement": [{"Action": "elasticfilesystem:ClientMount",
            "Resource": {"Fn::GetAtt": [id(&["Shared", "Resource"]), "Arn"]}}]}}),
    );
    Ok(())
}

#[test]
fn efs_volume_mistakes_are_errors_at_once() -> Result<(), ConstructError> {
    let World {
        mut app, stack, fs, ..
    } = world()?;
    let task = FargateTaskDefinition::new(&mut app, stack, "Task", Default::default())?;
    let err = task
        .add_volume(
            &mut app,
            Volume::efs(
                "d",
                EfsVolumeConfiguration::from(fs).transit_encryption(false),
            ),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Work/Task: volumes[0].transit_encryption: IAM authorization needs transit encryption; set transit_encryption = true"
    );
    let err = task
        .add_volume(
            &mut app,
            Volume::efs("d", EfsVolumeConfiguration::from(fs).iam(false)),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Work/Task: volumes[0].iam: the file system Work/Shared only lets IAM-authenticated clients mount it (allow_anonymous_access is false): set iam = true on the volume (Volume::efs does), or allow anonymous access on the file system"
    );
    let ap = fs.add_access_point(&mut app, "Ap", AccessPointOptions::default().path("/x"))?;
    let err = task
        .add_volume(
            &mut app,
            Volume::efs("d", EfsVolumeConfiguration::from(ap).root_directory("/y")),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("leave root_directory out"),
        "{err}"
    );
    // Nothing was added or granted by the failed calls.
    assert!(task.volumes(&app).is_empty());
    assert!(task.existing_task_role(&app).is_none());
    let c = task.add_container(&mut app, "app", ContainerDefinitionOptions::new(busybox()))?;
    let err = c
        .add_mount_points(&mut app, [MountPoint::new("d", "data")])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Work/Task/app: mount_points[0].container_path: the container path must be absolute (start with /), got \"data\""
    );
    c.add_mount_points(&mut app, [MountPoint::new("d", "/data")])?;
    let err = c
        .add_mount_points(&mut app, [MountPoint::new("e", "/data")])
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("/data is mounted already by mount_points[0]"),
        "{err}"
    );
    Ok(())
}

#[test]
fn an_efs_volume_no_container_mounts_is_a_warning() -> Result<(), ConstructError> {
    let World {
        mut app, stack, fs, ..
    } = world()?;
    let task = FargateTaskDefinition::new(
        &mut app,
        stack,
        "Task",
        FargateTaskDefinitionProps::default()
            .volumes([Volume::efs("data", fs), Volume::scratch("tmp")]),
    )?;
    task.add_container(&mut app, "app", ContainerDefinitionOptions::new(busybox()))?;
    let out = app.synth().unwrap_or_else(|e| panic!("{e}"));
    let warnings: Vec<String> = out
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| d.to_string())
        .collect();
    assert_eq!(
        warnings,
        ["warning[BERTH-W0310] Work/Task: volumes[0]: the EFS volume \"data\" is mounted by no container; mount it with container.add_mount_points, or remove it"]
    );
    Ok(())
}

#[test]
fn the_queue_pattern_works_through_a_given_queue() -> Result<(), ConstructError> {
    let World {
        mut app,
        stack,
        cluster,
        ..
    } = world()?;
    let key = Key::new(&mut app, stack, "Key", KeyProps::default())?;
    let jobs = Queue::new(
        &mut app,
        stack,
        "Jobs",
        QueueProps::default().encryption_master_key(key),
    )?;
    let worker = QueueProcessingFargateService::new(
        &mut app,
        stack,
        "Worker",
        QueueProcessingFargateServiceProps::new(cluster, busybox()).queue(jobs),
    )?;
    assert_eq!(worker.queue(), jobs);
    assert!(worker.dead_letter_queue().is_none());
    let out = app.synth().unwrap_or_else(|e| panic!("{e}"));
    let t = Template::from_json(out.stacks[0].template.clone()).unwrap();
    t.resource_count_is("AWS::SQS::Queue", 1);
    // The task role consumes the given queue and may decrypt with its key.
    t.has_resource_properties(
        "AWS::IAM::Policy",
        pattern!({"PolicyDocument": {"Statement": [
            {"Action": ["sqs:ReceiveMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueUrl", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
             "Resource": {"Fn::GetAtt": [id(&["Jobs", "Resource"]), "Arn"]}},
            {"Action": "kms:Decrypt", "Resource": {"Fn::GetAtt": [id(&["Key", "Resource"]), "Arn"]}}]}}),
    );
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        pattern!({"MetricName": "ApproximateNumberOfMessagesVisible", "Statistic": "Maximum",
            "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [id(&["Jobs", "Resource"]), "QueueName"]}}]}),
    );
    Ok(())
}

#[test]
fn target_group_metrics_need_a_load_balancer() -> Result<(), ConstructError> {
    let World {
        mut app,
        stack,
        vpc,
        ..
    } = world()?;
    let tg = TargetGroup::new(
        &mut app,
        stack,
        "Tg",
        &vpc,
        TargetGroupProps::default().port(80),
    )?;
    let err = tg
        .metric_http_code_target(&app, HttpCodeTarget::Target5xx)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Work/Tg: metric: the target group's HTTPCode_Target_5XX_Count metric needs a load balancer forwarding to it; add it to a listener first"
    );
    let lb = ApplicationLoadBalancer::new(
        &mut app,
        stack,
        "Lb",
        &vpc,
        ApplicationLoadBalancerProps::default().internet_facing(true),
    )?;
    lb.add_listener(
        &mut app,
        "Http",
        ListenerProps::default()
            .port(80)
            .default_action(ListenerAction::forward(tg)),
    )?;
    let m = tg.metric_http_code_target(&app, HttpCodeTarget::Target5xx)?;
    assert_eq!(m.namespace, "AWS/ApplicationELB");
    assert_eq!(
        m.dimensions
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>(),
        ["LoadBalancer", "TargetGroup"]
    );
    Ok(())
}

/// Two stacks: storage, queue, key and topic in `Data`; the services, alarms and a
/// dashboard in `Compute`, one of them an `Ec2Service` in bridge mode (the file system
/// is opened to the instances' security group). cfn-lint: no errors, no warnings.
#[test]
fn two_stacks_with_storage_queues_and_alarms_pass_cfn_lint() -> Result<(), ConstructError> {
    let mut app = App::new();
    let data = Stack::new(&mut app, "Data", StackProps::default())?;
    let compute = Stack::new(&mut app, "Compute", StackProps::default())?;
    let vpc = Vpc::new(
        &mut app,
        data,
        "Vpc",
        VpcProps::default().max_azs(2).nat_gateways(1),
    )?;
    let key = Key::new(&mut app, data, "Key", KeyProps::default().alias("work"))?;
    let fs = FileSystem::new(
        &mut app,
        data,
        "Shared",
        FileSystemProps::new(vpc).kms_key(key),
    )?;
    let ap = fs.add_access_point(&mut app, "Ap", AccessPointOptions::default().path("/srv"))?;
    let jobs = Queue::new(
        &mut app,
        data,
        "Jobs.fifo",
        QueueProps::default()
            .queue_name("jobs.fifo")
            .content_based_deduplication(true)
            .enforce_ssl(true),
    )?;
    let topic = Topic::new(
        &mut app,
        data,
        "Alarms",
        TopicProps::default().master_key(key).enforce_ssl(true),
    )?;
    topic.add_email_subscription(&mut app, "ops@example.com")?;

    let cluster = Cluster::new(
        &mut app,
        compute,
        "Cluster",
        ClusterProps::default().vpc(vpc),
    )?;
    cluster.add_capacity(&mut app, "Capacity", AddCapacityOptions::new("t3.small"))?;
    let task = Ec2TaskDefinition::new(
        &mut app,
        compute,
        "Ec2Task",
        Ec2TaskDefinitionProps::default(),
    )?;
    task.add_volume(&mut app, Volume::efs("srv", ap))?;
    let c = task.add_container(
        &mut app,
        "app",
        ContainerDefinitionOptions::new(busybox()).memory_limit_mib(256),
    )?;
    c.add_mount_points(&mut app, [MountPoint::new("srv", "/srv")])?;
    jobs.grant_consume_messages(&mut app, &task.task_definition())?;
    let svc = Ec2Service::new(
        &mut app,
        compute,
        "Ec2Svc",
        Ec2ServiceProps::new(cluster, task),
    )?;

    let cpu = svc.metric_cpu_utilization();
    let alarm = cpu.create_alarm(
        &mut app,
        compute,
        "CpuAlarm",
        CreateAlarmOptions::new(80.0, 3),
    )?;
    alarm.add_alarm_action(&mut app, &topic)?;
    let board = Dashboard::new(&mut app, compute, "Board", DashboardProps::default())?;
    board.add_widgets(&mut app, [GraphWidget::new("CPU").left([cpu]).into()])?;
    let depth = jobs.metric_approximate_number_of_messages_visible();
    depth.create_alarm(
        &mut app,
        compute,
        "Backlog",
        CreateAlarmOptions::new(10.0, 1),
    )?;

    // The file system (in Data) is open to the instances' group (in Compute) on 2049;
    // the rule lives in the instances' stack, so Data does not depend on Compute.
    let out = app.synth().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.stack("Compute").unwrap().dependencies, ["Data"]);
    let d = Template::from_json(out.stack("Compute").unwrap().template.clone()).unwrap();
    d.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        pattern!({"FromPort": 2049, "ToPort": 2049}),
    );
    support::lint(app);
    Ok(())
}
