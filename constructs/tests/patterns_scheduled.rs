//! `ScheduledFargateTask`: the rule runs exactly the pattern's task definition, and
//! its role may run only that task definition family on that cluster and pass only
//! the task's two roles. The template passes cfn-lint.

use berth_assertions::{pattern, Capture, Template};
use berth_constructs::ecs::{Cluster, ClusterProps, ContainerImage};
use berth_constructs::patterns::{ScheduledFargateTask, ScheduledFargateTaskProps};
use berth_constructs::{App, Stack, StackProps};
use berth_synth::logical_id::make_unique_id;
use serde_json::json;

fn app() -> (App, ScheduledFargateTask) {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Jobs", StackProps::default()).unwrap();
    let cluster = Cluster::new(&mut app, s, "Cluster", ClusterProps::default()).unwrap();
    let mut props = ScheduledFargateTaskProps::new(
        cluster,
        "cron(0 3 * * ? *)",
        ContainerImage::from_registry("public.ecr.aws/docker/library/busybox:latest"),
    );
    props.image_options.as_mut().unwrap().command = vec!["echo".into(), "nightly".into()];
    props.task_count = 2;
    let task = ScheduledFargateTask::new(&mut app, s, "Nightly", props).unwrap();
    (app, task)
}

fn id(path: &[&str]) -> String {
    make_unique_id(path).unwrap()
}

#[test]
fn the_rule_runs_the_task_definition_on_the_cluster() {
    let (mut app, _) = app();
    let out = app.synth().unwrap();
    let t = Template::from_json(out.stacks[0].template.clone()).unwrap();
    let task_def = id(&["Nightly", "ScheduledTaskDef", "Resource"]);
    let role = id(&["Nightly", "ScheduledTaskDef", "EventsRole", "Resource"]);
    let cluster = Capture::new();
    t.has_resource_properties(
        "AWS::Events::Rule",
        pattern!({
            "ScheduleExpression": "cron(0 3 * * ? *)",
            "State": "ENABLED",
            "Targets": [{
                "Arn": {"Fn::GetAtt": [cluster, "Arn"]},
                "RoleArn": {"Fn::GetAtt": [role.clone(), "Arn"]},
                "EcsParameters": {
                    "TaskDefinitionArn": {"Ref": task_def.clone()},
                    "TaskCount": 2,
                    "LaunchType": "FARGATE",
                    "NetworkConfiguration": {"AwsVpcConfiguration": {"AssignPublicIp": "DISABLED"}},
                },
            }],
        }),
    );
    assert_eq!(
        t.resource(&cluster.as_string()).unwrap()["Type"],
        "AWS::ECS::Cluster"
    );
    t.has_resource_properties(
        "AWS::IAM::Role",
        pattern!({"AssumeRolePolicyDocument": {"Statement": [{"Principal": {"Service": "events.amazonaws.com"}}]}}),
    );
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        pattern!({"ContainerDefinitions": [{"Name": "ScheduledContainer", "Command": ["echo", "nightly"]}]}),
    );
}

#[test]
fn the_events_role_can_run_exactly_that_family_and_pass_exactly_its_roles() {
    let (mut app, _) = app();
    let out = app.synth().unwrap();
    let t = Template::from_json(out.stacks[0].template.clone()).unwrap();
    let res = &out.stacks[0].template["Resources"];
    let task_def = id(&["Nightly", "ScheduledTaskDef", "Resource"]);
    let family = res[&task_def]["Properties"]["Family"]
        .as_str()
        .unwrap()
        .to_owned();
    let role = id(&["Nightly", "ScheduledTaskDef", "EventsRole", "Resource"]);
    let policies = t.find_resources(
        "AWS::IAM::Policy",
        json!({"Properties": {"Roles": [{"Ref": role}]}}),
    );
    assert_eq!(policies.len(), 1);
    let statements =
        policies.values().next().unwrap()["Properties"]["PolicyDocument"]["Statement"].clone();
    let exec = id(&["Nightly", "ScheduledTaskDef", "ExecutionRole", "Resource"]);
    let cluster = res
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, r)| r["Type"] == "AWS::ECS::Cluster")
        .unwrap()
        .0
        .clone();
    assert_eq!(
        statements,
        json!([
            {
                "Action": "ecs:RunTask",
                "Condition": {"ArnEquals": {"ecs:cluster": {"Fn::GetAtt": [cluster, "Arn"]}}},
                "Effect": "Allow",
                "Resource": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":ecs:", {"Ref": "AWS::Region"}, ":",
                    {"Ref": "AWS::AccountId"}, format!(":task-definition/{family}:*")]]},
            },
            {
                "Action": "iam:PassRole",
                "Condition": {"StringLike": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
                "Effect": "Allow",
                "Resource": {"Fn::GetAtt": [exec, "Arn"]},
            },
        ])
    );
    // the task definition runs with exactly that role, and has no task role (nothing
    // asked for one), so none is passed
    assert_eq!(
        res[&task_def]["Properties"]["ExecutionRoleArn"],
        json!({"Fn::GetAtt": [exec, "Arn"]})
    );
    assert!(res[&task_def]["Properties"].get("TaskRoleArn").is_none());
}

#[test]
fn a_bad_schedule_is_refused() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Jobs", StackProps::default()).unwrap();
    let cluster = Cluster::new(&mut app, s, "Cluster", ClusterProps::default()).unwrap();
    let err = ScheduledFargateTask::new(
        &mut app,
        s,
        "Nightly",
        ScheduledFargateTaskProps::new(
            cluster,
            "every night",
            ContainerImage::from_registry("busybox"),
        ),
    )
    .unwrap_err();
    assert!(err.to_string().contains("invalid schedule"), "{err}");
}

#[path = "support/mod.rs"]
mod support;

#[test]
fn the_scheduled_task_passes_cfn_lint() {
    let (app, _) = app();
    support::lint(app);
}

/// A public-subnet VPC (no NAT gateway): tasks get a public IP by default, as CDK's
/// ECS task target does, unless told otherwise.
fn public_app(assign_public_ip: Option<bool>) -> serde_json::Value {
    use berth_constructs::ec2::{SubnetConfiguration, SubnetSelection, SubnetType, VpcProps};
    let mut app = App::new();
    let s = Stack::new(&mut app, "Jobs", StackProps::default()).unwrap();
    let cluster = support::cluster_in_new_vpc(
        &mut app,
        s,
        VpcProps {
            max_azs: Some(2),
            nat_gateways: Some(0),
            subnet_configuration: vec![SubnetConfiguration::new("Public", SubnetType::Public)],
            ..Default::default()
        },
    );
    let mut props = ScheduledFargateTaskProps::new(
        cluster,
        "rate(1 hour)",
        ContainerImage::from_registry("public.ecr.aws/docker/library/busybox:latest"),
    );
    props.subnet_selection = Some(SubnetSelection::of_type(SubnetType::Public));
    props.assign_public_ip = assign_public_ip;
    ScheduledFargateTask::new(&mut app, s, "Hourly", props).unwrap();
    let out = app.synth().unwrap();
    let t = &out.stacks[0].template;
    let rule = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::Events::Rule")
        .unwrap();
    rule["Properties"]["Targets"][0]["EcsParameters"]["NetworkConfiguration"]["AwsVpcConfiguration"]
        .clone()
}

#[test]
fn tasks_in_public_subnets_get_a_public_ip_unless_told_otherwise() {
    let by_default = public_app(None);
    assert_eq!(by_default["AssignPublicIp"], "ENABLED");
    assert_eq!(by_default["Subnets"].as_array().unwrap().len(), 2);
    assert_eq!(public_app(Some(false))["AssignPublicIp"], "DISABLED");
    assert_eq!(public_app(Some(true))["AssignPublicIp"], "ENABLED");
}
