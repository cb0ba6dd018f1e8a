use super::*;
use crate::ecs::{
    AwsLogDriverProps, CapacityProviderStrategy, Cluster, ClusterProps, ContainerDefinitionOptions,
    ContainerImage, FargateTaskDefinition, FargateTaskDefinitionProps,
};
use crate::StackProps;
use serde_json::json;

fn fixture() -> (App, Stack, Cluster, FargateTaskDefinition) {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Jobs", StackProps::default()).unwrap();
    let cluster = Cluster::new(
        &mut app,
        stack,
        "Cluster",
        ClusterProps::default().enable_fargate_capacity_providers(true),
    )
    .unwrap();
    let task = FargateTaskDefinition::new(
        &mut app,
        stack,
        "Backup",
        FargateTaskDefinitionProps::default(),
    )
    .unwrap();
    task.add_container(
        &mut app,
        "backup",
        ContainerDefinitionOptions::new(ContainerImage::from_registry("busybox"))
            .logging(AwsLogDriverProps::new("backup")),
    )
    .unwrap();
    (app, stack, cluster, task)
}

fn id(path: &[&str]) -> String {
    berth_synth::logical_id::make_unique_id(path).unwrap()
}

/// CDK's role id for a cluster `Cluster` at the stack's root.
fn cdk_role_id() -> String {
    use md5::{Digest, Md5};
    let arn = format!(
        "{{\"Fn::GetAtt\":[\"{}\",\"Arn\"]}}",
        id(&["Cluster", "Resource"])
    );
    let d = Md5::digest(arn.as_bytes());
    format!(
        "SchedulerRoleForTarget-{:02x}{:02x}{:02x}",
        d[0], d[1], d[2]
    )
}

#[test]
fn a_schedule_runs_the_task_with_cdks_defaults_and_role() {
    let (mut app, stack, cluster, task) = fixture();
    let s = Schedule::new(
        &mut app,
        stack,
        "Nightly",
        ScheduleProps::new(
            ScheduleExpression::cron(CronOptions::default().minute(0).hour(3)),
            EcsRunTask::new(cluster, task)
                .capacity_provider_strategies([
                    CapacityProviderStrategy::fargate_spot(2).with_base(1)
                ])
                .tags([("job", "backup")]),
        ),
    )
    .unwrap();
    assert_eq!(app.path(s.role()), format!("Jobs/{}", cdk_role_id()));
    let out = app.synth().unwrap();
    let res = &out.stacks[0].template["Resources"];
    let p = &res[id(&["Nightly", "Resource"])]["Properties"];
    assert_eq!(p["ScheduleExpression"], "cron(0 3 * * ? *)");
    assert_eq!(p["ScheduleExpressionTimezone"], "Etc/UTC");
    assert_eq!(p["FlexibleTimeWindow"], json!({"Mode": "OFF"}));
    assert_eq!(p["State"], "ENABLED");
    let t = &p["Target"];
    assert_eq!(t["Arn"]["Fn::GetAtt"][0], id(&["Cluster", "Resource"]));
    // Numbers of the Scheduler schema are floats (rendered 185.0, as appscaling's 60.0).
    assert_eq!(
        t["RetryPolicy"],
        json!({"MaximumEventAgeInSeconds": 86400.0, "MaximumRetryAttempts": 185.0})
    );
    let ecs = &t["EcsParameters"];
    assert!(ecs.get("LaunchType").is_none());
    assert_eq!(
        ecs["CapacityProviderStrategy"],
        json!([{"Base": 1.0, "CapacityProvider": "FARGATE_SPOT", "Weight": 2.0}])
    );
    assert_eq!(ecs["Tags"], json!([{"job": "backup"}]));
    assert_eq!(
        ecs["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"][0]["Fn::GetAtt"][0],
        id(&["Backup", "SecurityGroup", "Resource"])
    );
    let role_id = id(&[&cdk_role_id(), "Resource"]);
    let trust = &res[&role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(
        trust["Principal"],
        json!({"Service": "scheduler.amazonaws.com"})
    );
    assert_eq!(
        trust["Condition"]["StringEquals"]["aws:SourceAccount"],
        json!({"Ref": "AWS::AccountId"})
    );
    let source = trust["Condition"]["StringEquals"]["aws:SourceArn"]["Fn::Join"][1]
        .as_array()
        .unwrap();
    assert_eq!(source.last().unwrap(), ":schedule-group/default");
    let policy = &res[id(&[&cdk_role_id(), "DefaultPolicy", "Resource"])]["Properties"]
        ["PolicyDocument"]["Statement"];
    let actions: Vec<&serde_json::Value> = policy
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["Action"])
        .collect();
    assert_eq!(
        actions,
        [
            &json!("ecs:RunTask"),
            &json!("ecs:TagResource"),
            &json!("iam:PassRole")
        ]
    );
    assert_eq!(
        policy[2]["Resource"]["Fn::GetAtt"][0],
        id(&["Backup", "ExecutionRole", "Resource"])
    );
}

#[test]
fn schedules_of_one_cluster_share_their_role() {
    let (mut app, stack, cluster, task) = fixture();
    let a = Schedule::new(
        &mut app,
        stack,
        "A",
        ScheduleProps::new("rate(1 hour)", EcsRunTask::new(cluster, task)),
    )
    .unwrap();
    let b = Schedule::new(
        &mut app,
        stack,
        "B",
        ScheduleProps::new("cron(0 4 * * ? *)", EcsRunTask::new(cluster, task))
            .group_name("nightly"),
    )
    .unwrap();
    assert_eq!(a.role(), b.role());
    let out = app.synth().unwrap();
    let res = &out.stacks[0].template["Resources"];
    // A rate has no time zone.
    assert!(res[id(&["A", "Resource"])]["Properties"]
        .get("ScheduleExpressionTimezone")
        .is_none());
    // The second group is trusted too.
    let trust = &res[id(&[&cdk_role_id(), "Resource"])]["Properties"]["AssumeRolePolicyDocument"]
        ["Statement"];
    assert_eq!(trust.as_array().unwrap().len(), 2);
    assert_eq!(
        trust[1]["Condition"]["StringEquals"]["aws:SourceArn"]["Fn::Join"][1]
            .as_array()
            .unwrap()
            .last()
            .unwrap(),
        ":schedule-group/nightly"
    );
}

#[test]
fn bad_options_name_the_schedule_and_the_property() {
    let (mut app, stack, cluster, task) = fixture();
    let t = || EcsRunTask::new(cluster, task);
    let cases: Vec<(ScheduleProps, &str)> = vec![
        (ScheduleProps::new("cron(0 2 * * *)", t()), "Jobs/S: schedule: invalid schedule \"cron(0 2 * * *)\": a cron expression has six fields (minutes hours day-of-month month day-of-week year), got 5; e.g. cron(0 2 * * ? *) for 02:00 every day"),
        (ScheduleProps::new("rate(1 hour)", t()).time_zone("Europe/Paris"), "Jobs/S: time_zone: a rate schedule has no time zone; give a cron or at() expression, or leave time_zone out"),
        (ScheduleProps::new("cron(0 2 * * ? *)", t()).time_zone("Paris time"), "Jobs/S: time_zone: \"Paris time\" is not an IANA time zone name such as Europe/Paris, America/New_York or Etc/UTC"),
        (ScheduleProps::new("cron(0 2 * * ? *)", t()).time_window(TimeWindow::flexible(Duration::from_secs(1441 * 60))), "Jobs/S: time_window: a flexible time window is 1 to 1440 whole minutes, got 86460s"),
        (ScheduleProps::new("cron(0 2 * * ? *)", t()).retry_attempts(186), "Jobs/S: retry_attempts: 186 retries are too many; allowed: 0 to 185"),
        (ScheduleProps::new("cron(0 2 * * ? *)", t()).max_event_age(Duration::from_secs(30)), "Jobs/S: max_event_age: the maximum event age is 1 minute to 24 hours in whole seconds, got 30s"),
        (ScheduleProps::new("cron(0 2 * * ? *)", t()).start_date("2027-01-01"), "Jobs/S: start_date: \"2027-01-01\" is not a UTC time in ISO 8601, e.g. 2027-01-01T00:00:00Z"),
        (ScheduleProps::new("cron(0 2 * * ? *)", t()).start_date("2027-02-01T00:00:00Z").end_date("2027-01-01T00:00:00Z"), "Jobs/S: end_date: the end (2027-01-01T00:00:00Z) must come after the start (2027-02-01T00:00:00Z)"),
        (ScheduleProps::new("cron(0 2 * * ? *)", t()).schedule_name("a b"), "Jobs/S: schedule_name: invalid name \"a b\": use 1 to 64 letters, digits, '-', '_' and '.'"),
        (ScheduleProps::new("cron(0 2 * * ? *)", t().task_count(0)), "Jobs/S: target.task_count: 0 tasks cannot be started at once; allowed: 1 to 10"),
    ];
    for (props, want) in cases {
        let err = Schedule::new(&mut app, stack, "S", props).unwrap_err();
        assert_eq!(err.to_string(), want);
    }
}

#[test]
fn a_one_time_schedule_with_a_window_a_key_and_a_dead_letter_queue() {
    let (mut app, stack, cluster, task) = fixture();
    Schedule::new(
        &mut app,
        stack,
        "Once",
        ScheduleProps::new(
            "at(2027-01-01T09:00:00)",
            EcsRunTask::new(cluster, task).enable_execute_command(true),
        )
        .time_zone("America/New_York")
        .time_window(TimeWindow::flexible(Duration::from_secs(3600)))
        .kms_key_arn("arn:aws:kms:us-east-1:111122223333:key/1234")
        .dead_letter_queue_arn("arn:aws:sqs:us-east-1:111122223333:failed")
        .retry_attempts(3)
        .enabled(false),
    )
    .unwrap();
    let out = app.synth().unwrap();
    let res = &out.stacks[0].template["Resources"];
    let p = &res[id(&["Once", "Resource"])]["Properties"];
    assert_eq!(p["ScheduleExpression"], "at(2027-01-01T09:00:00)");
    assert_eq!(p["ScheduleExpressionTimezone"], "America/New_York");
    assert_eq!(
        p["FlexibleTimeWindow"],
        json!({"MaximumWindowInMinutes": 60.0, "Mode": "FLEXIBLE"})
    );
    assert_eq!(p["State"], "DISABLED");
    assert_eq!(
        p["KmsKeyArn"],
        "arn:aws:kms:us-east-1:111122223333:key/1234"
    );
    assert_eq!(
        p["Target"]["DeadLetterConfig"]["Arn"],
        "arn:aws:sqs:us-east-1:111122223333:failed"
    );
    assert_eq!(p["Target"]["RetryPolicy"]["MaximumRetryAttempts"], 3.0);
    assert_eq!(p["Target"]["EcsParameters"]["EnableExecuteCommand"], true);
    let policy = &res[id(&[&cdk_role_id(), "DefaultPolicy", "Resource"])]["Properties"]
        ["PolicyDocument"]["Statement"];
    let actions: Vec<&serde_json::Value> = policy
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["Action"])
        .collect();
    assert_eq!(
        actions,
        [
            &json!("ecs:RunTask"),
            &json!("kms:Decrypt"),
            &json!("sqs:SendMessage"),
            &json!("iam:PassRole")
        ]
    );
    // ECS Exec: the task role gets the ssmmessages permissions, and is passed.
    assert_eq!(policy[3]["Resource"].as_array().unwrap().len(), 2);
    let task_policy = &res[id(&["Backup", "TaskRole", "DefaultPolicy", "Resource"])]["Properties"]
        ["PolicyDocument"];
    assert_eq!(
        task_policy["Statement"][0]["Action"][0],
        "ssmmessages:CreateControlChannel"
    );
}

#[test]
fn a_scheduled_task_that_mounts_a_file_system_may_reach_it_on_2049() {
    use crate::ecs::{MountPoint, Volume};
    use crate::efs::{FileSystem, FileSystemProps};
    let mut app = App::new();
    let data = Stack::new(&mut app, "Data", StackProps::default()).unwrap();
    let jobs = Stack::new(&mut app, "Jobs", StackProps::default()).unwrap();
    let vpc = crate::ec2::Vpc::new(&mut app, data, "Vpc", Default::default()).unwrap();
    let fs = FileSystem::new(&mut app, data, "Shared", FileSystemProps::new(vpc)).unwrap();
    let cluster =
        Cluster::new(&mut app, jobs, "Cluster", ClusterProps::default().vpc(vpc)).unwrap();
    let task_props = FargateTaskDefinitionProps::default().volumes([Volume::efs("data", fs)]);
    let task = FargateTaskDefinition::new(&mut app, jobs, "Compact", task_props).unwrap();
    let c = task
        .add_container(
            &mut app,
            "compact",
            ContainerDefinitionOptions::new(ContainerImage::from_registry("busybox"))
                .logging(AwsLogDriverProps::new("compact")),
        )
        .unwrap();
    c.add_mount_points(&mut app, [MountPoint::new("data", "/data")])
        .unwrap();
    let nightly = crate::events::Schedule::expression("cron(0 2 * * ? *)");
    Schedule::new(
        &mut app,
        jobs,
        "Nightly",
        ScheduleProps::new(nightly, EcsRunTask::new(cluster, task)),
    )
    .unwrap();
    let out = app.synth().unwrap();
    let t = &out
        .stacks
        .iter()
        .find(|s| s.name == "Jobs")
        .unwrap()
        .template;
    let task_sg = id(&["Compact", "SecurityGroup", "Resource"]);
    let rules: Vec<&serde_json::Value> = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::EC2::SecurityGroupIngress")
        .collect();
    // From the tasks' side, in the schedule's stack: the file system's group lets the
    // task's group in on NFS.
    assert_eq!(rules.len(), 1, "{rules:#?}");
    let p = &rules[0]["Properties"];
    assert_eq!(p["FromPort"], 2049);
    assert_eq!(p["ToPort"], 2049);
    assert_eq!(
        p["SourceSecurityGroupId"]["Fn::GetAtt"][0],
        task_sg.as_str()
    );
    assert!(
        p["GroupId"]["Fn::ImportValue"]
            .as_str()
            .is_some_and(|s| s.contains("SharedEfsSecurityGroup")),
        "{p:#}"
    );
}
