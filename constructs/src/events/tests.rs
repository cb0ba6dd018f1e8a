use super::*;
use crate::ec2::{SubnetSelection, SubnetType};
use crate::ecs::{
    CapacityProviderStrategy, Cluster, ClusterProps, ContainerDefinitionOptions, ContainerImage,
    Ec2TaskDefinition, Ec2TaskDefinitionProps, FargateTaskDefinition, FargateTaskDefinitionProps,
    Secret,
};
use crate::{Stack, StackProps};
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
        "Report",
        FargateTaskDefinitionProps::default(),
    )
    .unwrap();
    task.add_container(
        &mut app,
        "report",
        ContainerDefinitionOptions::new(ContainerImage::from_registry(
            "public.ecr.aws/docker/library/busybox:latest",
        )),
    )
    .unwrap();
    (app, stack, cluster, task)
}

fn resources(app: &mut App) -> serde_json::Value {
    app.synth().unwrap().stacks[0].template["Resources"].clone()
}

fn id(path: &[&str]) -> String {
    berth_synth::logical_id::make_unique_id(path).unwrap()
}

#[test]
fn a_scheduled_rule_runs_the_task_with_cdk_ids_and_exact_grants() {
    let (mut app, stack, cluster, task) = fixture();
    let rule = Rule::new(
        &mut app,
        stack,
        "Nightly",
        RuleProps::default()
            .schedule(CronOptions::default().minute(0).hour(2))
            .description("the nightly report"),
    )
    .unwrap();
    rule.add_target(
        &mut app,
        EcsTask::new(cluster, task)
            .capacity_provider_strategies([CapacityProviderStrategy::fargate_spot(1)])
            .propagate_tags(true),
    )
    .unwrap();
    // A secret added after the rule: its execution role is still passed.
    task.default_container(&app)
        .unwrap()
        .add_secret(
            &mut app,
            "TOKEN",
            Secret::from_ssm_parameter_name("/jobs/token"),
        )
        .unwrap();
    let res = resources(&mut app);
    let p = &res[id(&["Nightly", "Resource"])]["Properties"];
    assert_eq!(p["ScheduleExpression"], "cron(0 2 * * ? *)");
    assert_eq!(p["State"], "ENABLED");
    let ecs = &p["Targets"][0]["EcsParameters"];
    assert!(
        ecs.get("LaunchType").is_none(),
        "a strategy replaces the launch type"
    );
    assert_eq!(
        ecs["CapacityProviderStrategy"],
        json!([{"CapacityProvider": "FARGATE_SPOT", "Weight": 1}])
    );
    assert_eq!(ecs["PropagateTags"], "TASK_DEFINITION");
    assert_eq!(ecs["TaskCount"], 1);
    let vpc = &ecs["NetworkConfiguration"]["AwsVpcConfiguration"];
    assert_eq!(vpc["AssignPublicIp"], "DISABLED");
    assert_eq!(
        vpc["SecurityGroups"][0]["Fn::GetAtt"][0],
        id(&["Report", "SecurityGroup", "Resource"])
    );
    // CDK's ids: the role and the security group under the task definition.
    let role = id(&["Report", "EventsRole", "Resource"]);
    assert_eq!(p["Targets"][0]["RoleArn"]["Fn::GetAtt"][0], role);
    assert_eq!(
        res[&role]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
        json!({"Service": "events.amazonaws.com"})
    );
    let statements = &res[id(&["Report", "EventsRole", "DefaultPolicy", "Resource"])]["Properties"]
        ["PolicyDocument"]["Statement"];
    assert_eq!(statements[0]["Action"], "ecs:RunTask");
    assert_eq!(
        statements[0]["Condition"]["ArnEquals"]["ecs:cluster"]["Fn::GetAtt"][0],
        id(&["Cluster", "Resource"])
    );
    let family_arn = statements[0]["Resource"]["Fn::Join"][1].as_array().unwrap();
    assert_eq!(
        family_arn.last().unwrap(),
        &json!(format!(":task-definition/{}:*", id(&["Jobs", "Report"])))
    );
    assert_eq!(statements[1]["Action"], "ecs:TagResource");
    assert_eq!(statements[2]["Action"], "iam:PassRole");
    assert_eq!(
        statements[2]["Condition"],
        json!({"StringLike": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}})
    );
    assert_eq!(
        statements[2]["Resource"]["Fn::GetAtt"][0],
        id(&["Report", "ExecutionRole", "Resource"])
    );
    assert_eq!(statements.as_array().unwrap().len(), 3);
}

#[test]
fn two_targets_of_one_task_share_the_role_and_security_group() {
    let (mut app, stack, cluster, task) = fixture();
    for (i, s) in ["rate(1 hour)", "rate(1 day)"].into_iter().enumerate() {
        let rule = Rule::new(
            &mut app,
            stack,
            &format!("R{i}"),
            RuleProps::default().schedule(s),
        )
        .unwrap();
        rule.add_target(&mut app, EcsTask::new(cluster, task))
            .unwrap();
    }
    let res = resources(&mut app);
    let roles = res
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::IAM::Role")
        .count();
    // A public image and no logs: the task has no roles, so nothing is passed.
    assert_eq!(roles, 1, "the events role only");
    let policy = &res[id(&["Report", "EventsRole", "DefaultPolicy", "Resource"])]["Properties"]
        ["PolicyDocument"];
    assert_eq!(policy["Statement"].as_array().unwrap().len(), 1);
    let groups = res
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::EC2::SecurityGroup")
        .count();
    assert_eq!(groups, 1);
    assert_eq!(
        res[id(&["R1", "Resource"])]["Properties"]["ScheduleExpression"],
        "rate(1 day)"
    );
}

#[test]
fn bad_targets_are_errors_naming_the_rule_and_the_target() {
    let (mut app, stack, cluster, task) = fixture();
    let rule = Rule::new(
        &mut app,
        stack,
        "R",
        RuleProps::default().schedule("rate(1 hour)"),
    )
    .unwrap();
    let err = rule
        .add_target(&mut app, EcsTask::new(cluster, task).task_count(11))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Jobs/R: targets[0].task_count: 11 tasks cannot be started at once; allowed: 1 to 10"
    );
    let err = rule
        .add_target(
            &mut app,
            EcsTask::new(cluster, task)
                .assign_public_ip(true)
                .subnet_selection(SubnetSelection::of_type(SubnetType::PrivateWithEgress)),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Jobs/R: targets[0].assign_public_ip: a public IP needs public subnets; select public subnets or leave assign_public_ip out"
    );
    let ec2 =
        Ec2TaskDefinition::new(&mut app, stack, "Ec2", Ec2TaskDefinitionProps::default()).unwrap();
    let err = rule
        .add_target(
            &mut app,
            EcsTask::new(cluster, ec2).subnet_selection(SubnetSelection::default()),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Jobs/R: targets[0].security_groups: security groups, subnets and public IPs are for tasks in awsvpc mode; this task definition uses bridge mode"
    );
    for i in 0..MAX_TARGETS_PER_RULE {
        rule.add_target(&mut app, EcsTask::new(cluster, task))
            .unwrap_or_else(|e| panic!("{i}: {e}"));
    }
    let err = rule
        .add_target(&mut app, EcsTask::new(cluster, task))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Jobs/R: targets[5]: a rule takes at most 5 targets; make another rule"
    );
}

#[test]
fn rules_check_their_schedule_and_need_one() {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Jobs", StackProps::default()).unwrap();
    let err = Rule::new(&mut app, stack, "R", RuleProps::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Jobs/R: schedule: a rule needs a schedule or an event pattern"
    );
    let err = Rule::new(
        &mut app,
        stack,
        "R",
        RuleProps::default().schedule("cron(0 2 * * *)"),
    )
    .unwrap_err();
    assert_eq!(err.property.as_deref(), Some("schedule"));
    assert!(
        err.to_string().contains("a cron expression has six fields"),
        "{err}"
    );
    let err = Rule::new(
        &mut app,
        stack,
        "R",
        RuleProps::default()
            .schedule("rate(1 day)")
            .rule_name("no spaces"),
    )
    .unwrap_err();
    assert_eq!(err.property.as_deref(), Some("rule_name"));
    // An event pattern alone is fine; a disabled rule says so.
    Rule::new(
        &mut app,
        stack,
        "OnPush",
        RuleProps::default()
            .event_pattern(Value::from_json(&json!({"source": ["aws.ecr"]})))
            .enabled(false),
    )
    .unwrap();
    let res = resources(&mut app);
    let p = &res[id(&["OnPush", "Resource"])]["Properties"];
    assert_eq!(p["EventPattern"], json!({"source": ["aws.ecr"]}));
    assert_eq!(p["State"], "DISABLED");
}

#[test]
fn a_cron_without_minute_warns_and_unassociated_providers_fail() {
    let (mut app, stack, cluster, task) = fixture();
    let rule = Rule::new(
        &mut app,
        stack,
        "Hourly",
        RuleProps::default().schedule(CronOptions::default().hour("8-17")),
    )
    .unwrap();
    rule.add_target(&mut app, EcsTask::new(cluster, task))
        .unwrap();
    let out = app.synth().unwrap();
    let w: Vec<_> = out
        .diagnostics
        .iter()
        .filter(|d| d.code == "BERTH-W0340")
        .collect();
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].path, "Jobs/Hourly");

    let mut app = App::new();
    let stack = Stack::new(&mut app, "Jobs", StackProps::default()).unwrap();
    let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps::default()).unwrap();
    let task =
        FargateTaskDefinition::new(&mut app, stack, "T", FargateTaskDefinitionProps::default())
            .unwrap();
    task.add_container(
        &mut app,
        "t",
        ContainerDefinitionOptions::new(ContainerImage::from_registry("busybox")),
    )
    .unwrap();
    let rule = Rule::new(
        &mut app,
        stack,
        "R",
        RuleProps::default().schedule("rate(1 hour)"),
    )
    .unwrap();
    rule.add_target(
        &mut app,
        EcsTask::new(cluster, task)
            .capacity_provider_strategies([CapacityProviderStrategy::fargate_spot(1)]),
    )
    .unwrap();
    let err = app.synth().unwrap_err().to_string();
    assert!(
        err.contains(
            "capacity provider FARGATE_SPOT is not associated with the cluster Jobs/Cluster"
        ),
        "{err}"
    );
    assert!(
        err.contains("targets[0].capacity_provider_strategies[0]"),
        "{err}"
    );
}

#[test]
fn schedule_setters_take_expressions_cron_fields_and_rates() {
    use std::time::Duration;
    let (mut app, stack, cluster, task) = fixture();
    let a = crate::patterns::ScheduledFargateTaskProps::with_task_definition(
        cluster,
        "rate(1 day)",
        task,
    )
    .schedule(CronOptions::default().minute(15));
    assert_eq!(
        a.schedule.expression_string().unwrap(),
        "cron(15 * * * ? *)"
    );
    let b = RuleProps::default().schedule(Duration::from_secs(7200));
    assert_eq!(
        b.schedule.unwrap().expression_string().unwrap(),
        "rate(2 hours)"
    );
    let c = crate::scheduler::ScheduleProps::new("rate(1 hour)", EcsTask::new(cluster, task))
        .schedule(String::from("cron(0 1 * * ? *)"));
    crate::scheduler::Schedule::new(&mut app, stack, "S", c).unwrap();
}
