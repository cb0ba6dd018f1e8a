//! `QueueProcessingFargateService`: the queue redrives into its dead-letter queue,
//! the task knows the queue's name, the task role may consume exactly that queue,
//! and the task count scales on that queue's depth. The template passes cfn-lint.

use berth_assertions::{pattern, Capture, Template};
use berth_constructs::ecs::{Cluster, ClusterProps, ContainerImage};
use berth_constructs::patterns::{
    QueueProcessingFargateService, QueueProcessingFargateServiceProps, SQS_CONSUME_ACTIONS,
};
use berth_constructs::{App, Stack, StackProps};
use berth_synth::logical_id::make_unique_id;
use serde_json::json;

#[path = "support/mod.rs"]
mod support;

fn app() -> App {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Jobs", StackProps::default()).unwrap();
    let cluster = Cluster::new(&mut app, s, "Cluster", ClusterProps::default()).unwrap();
    let mut props = QueueProcessingFargateServiceProps::new(
        cluster,
        ContainerImage::from_registry("public.ecr.aws/docker/library/busybox:latest"),
    );
    props.max_scaling_capacity = 10;
    QueueProcessingFargateService::new(&mut app, s, "Worker", props).unwrap();
    app
}

fn id(path: &[&str]) -> String {
    make_unique_id(path).unwrap()
}

#[test]
fn the_worker_consumes_its_queue_and_scales_on_its_depth() {
    let mut app = app();
    let out = app.synth().unwrap();
    let t = Template::from_json(out.stacks[0].template.clone()).unwrap();
    let queue = id(&["Worker", "EcsProcessingQueue", "Resource"]);
    let dlq = id(&["Worker", "EcsProcessingDeadLetterQueue", "Resource"]);
    t.resource_count_is("AWS::SQS::Queue", 2);
    t.has_resource_properties(
        "AWS::SQS::Queue",
        pattern!({"RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": [dlq.clone(), "Arn"]}, "maxReceiveCount": 3}}),
    );
    assert_eq!(
        t.resource(&dlq).unwrap()["Properties"]["MessageRetentionPeriod"],
        1209600
    );
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        pattern!({"ContainerDefinitions": [{"Name": "QueueProcessingContainer",
            "Environment": [{"Name": "QUEUE_NAME", "Value": {"Fn::GetAtt": [queue.clone(), "QueueName"]}}]}]}),
    );
    let task_role = id(&["Worker", "QueueProcessingTaskDef", "TaskRole", "Resource"]);
    let policies = t.find_resources(
        "AWS::IAM::Policy",
        json!({"Properties": {"Roles": [{"Ref": task_role}]}}),
    );
    assert_eq!(policies.len(), 1);
    assert_eq!(
        policies.values().next().unwrap()["Properties"]["PolicyDocument"]["Statement"],
        json!([{"Action": SQS_CONSUME_ACTIONS, "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [queue.clone(), "Arn"]}}])
    );
    // scaling: the target is this service's task count; the step policies' alarms
    // watch this queue
    let target = id(&[
        "Worker",
        "QueueProcessingFargateService",
        "TaskCount",
        "Target",
        "Resource",
    ]);
    let svc = id(&["Worker", "QueueProcessingFargateService", "Service"]);
    let st = t.resource(&target).unwrap();
    assert_eq!(st["Properties"]["MinCapacity"], 1);
    assert_eq!(st["Properties"]["MaxCapacity"], 10);
    assert_eq!(
        st["Properties"]["ResourceId"]["Fn::Join"][1][3],
        json!({"Fn::GetAtt": [svc, "Name"]})
    );
    t.all_resources_properties(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        pattern!({"ScalingTargetId": {"Ref": target}}),
    );
    t.resource_count_is("AWS::ApplicationAutoScaling::ScalingPolicy", 3);
    let alarm_policy = Capture::new();
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        pattern!({"MetricName": "ApproximateNumberOfMessagesVisible", "Namespace": "AWS/SQS",
            "Threshold": 100,
            "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue.clone(), "QueueName"]}}],
            "AlarmActions": [{"Ref": alarm_policy}]}),
    );
    assert_eq!(
        t.resource(&alarm_policy.as_string()).unwrap()["Properties"]["PolicyType"],
        "StepScaling"
    );
    let outputs = t.find_outputs("*", json!({}));
    for name in ["WorkerSQSQueue", "WorkerSQSQueueArn", "WorkerSQSQueueUrl"] {
        assert!(
            outputs.keys().any(|k| k.starts_with(name)),
            "no output {name}: {:?}",
            outputs.keys()
        );
    }
}

#[test]
fn the_queue_worker_passes_cfn_lint() {
    support::lint(app());
}

#[test]
fn a_given_queue_of_another_stack_is_not_output_again() {
    use berth_constructs::sqs::{Queue, QueueProps};
    let mut app = App::new();
    let data = Stack::new(&mut app, "Data", StackProps::default()).unwrap();
    let jobs = Stack::new(&mut app, "Jobs", StackProps::default()).unwrap();
    let queue = Queue::new(&mut app, data, "Work", QueueProps::default()).unwrap();
    let here = Queue::new(&mut app, jobs, "Local", QueueProps::default()).unwrap();
    let cluster = Cluster::new(&mut app, jobs, "Cluster", ClusterProps::default()).unwrap();
    let image = || ContainerImage::from_registry("public.ecr.aws/docker/library/busybox:latest");
    let there = QueueProcessingFargateServiceProps::new(cluster, image()).queue(queue);
    QueueProcessingFargateService::new(&mut app, jobs, "Remote", there).unwrap();
    let local = QueueProcessingFargateServiceProps::new(cluster, image()).queue(here);
    QueueProcessingFargateService::new(&mut app, jobs, "Near", local).unwrap();
    let out = app.synth().unwrap();
    let t = &out
        .stacks
        .iter()
        .find(|s| s.name == "Jobs")
        .unwrap()
        .template;
    let outputs: Vec<&String> = t["Outputs"].as_object().unwrap().keys().collect();
    // Only the pattern whose queue is in its own stack outputs it; the other would
    // re-export an import (cfn-lint W6001).
    assert_eq!(outputs.len(), 3, "{outputs:?}");
    assert!(outputs.iter().all(|k| k.starts_with("Near")), "{outputs:?}");
    support::lint(app);
}
