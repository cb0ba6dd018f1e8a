use super::*;
use crate::cloudwatch::{AlarmProps, Metric};
use crate::iam::{Principal, Role, RoleProps};
use crate::kms::KeyProps;
use crate::{Stack, StackProps};

fn stack(app: &mut App) -> Stack {
    Stack::new(app, "Ops", StackProps::default()).unwrap()
}

#[test]
fn subscriptions_are_children_named_after_the_endpoint() {
    let mut app = App::new();
    let s = stack(&mut app);
    let topic = Topic::new(&mut app, s, "Alarms", TopicProps::default()).unwrap();
    let sub = topic
        .add_email_subscription(&mut app, "oncall@example.com")
        .unwrap();
    assert_eq!(app.path(sub), "Ops/Alarms/oncall@example.com");
    let url = topic
        .add_subscription(
            &mut app,
            Subscription::Https("https://hooks.example.com/x".into()),
        )
        .unwrap();
    assert_eq!(app.path(url), "Ops/Alarms/https:----hooks.example.com--x");
    let err = topic
        .add_email_subscription(&mut app, "oncall@example.com")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Ops/Alarms: subscription: \"oncall@example.com\" is subscribed to this topic already"
    );
    let err = topic
        .add_email_subscription(&mut app, "oncall")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Ops/Alarms: subscription: \"oncall\" is not an email address"
    );
    let err = topic
        .add_subscription(&mut app, Subscription::Sms("555-0100".into()))
        .unwrap_err();
    assert!(err.to_string().contains("E.164"), "{err}");
}

#[test]
fn an_encrypted_topic_lets_cloudwatch_use_its_key_when_an_alarm_notifies_it() {
    let mut app = App::new();
    let s = stack(&mut app);
    let key = Key::new(&mut app, s, "Key", KeyProps::default()).unwrap();
    let topic = Topic::new(&mut app, s, "Alarms", TopicProps::default().master_key(key)).unwrap();
    let alarm = crate::cloudwatch::Alarm::new(
        &mut app,
        s,
        "Cpu",
        AlarmProps::new(Metric::new("AWS/ECS", "CPUUtilization"), 80.0, 3),
    )
    .unwrap();
    alarm.add_alarm_action(&mut app, &topic).unwrap();
    // A second alarm on the same topic adds no second key statement.
    let other = crate::cloudwatch::Alarm::new(
        &mut app,
        s,
        "Memory",
        AlarmProps::new(Metric::new("AWS/ECS", "MemoryUtilization"), 80.0, 3),
    )
    .unwrap();
    other.add_alarm_action(&mut app, &topic).unwrap();
    let role = Role::new(
        &mut app,
        s,
        "Publisher",
        RoleProps::new(Principal::service("ecs-tasks.amazonaws.com")),
    )
    .unwrap();
    let g = topic.grant_publish(&mut app, &role).unwrap();
    assert_eq!(
        g.actions(),
        ["sns:Publish", "kms:Decrypt", "kms:GenerateDataKey*"]
    );
    let out = app.synth().unwrap();
    let res = &out.stacks[0].template["Resources"];
    assert_eq!(
        res["Alarms04B5A0BF"]["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"],
        serde_json::json!(["Key961B73FD", "Arn"])
    );
    let statements = res["Key961B73FD"]["Properties"]["KeyPolicy"]["Statement"]
        .as_array()
        .unwrap();
    assert_eq!(statements.len(), 2);
    assert_eq!(
        statements[1]["Principal"]["Service"],
        "cloudwatch.amazonaws.com"
    );
    assert_eq!(
        statements[1]["Action"],
        serde_json::json!(["kms:Decrypt", "kms:GenerateDataKey*"])
    );
}

#[test]
fn enforce_ssl_makes_a_topic_policy_and_fifo_rules_are_checked() {
    let mut app = App::new();
    let s = stack(&mut app);
    Topic::new(
        &mut app,
        s,
        "Events",
        TopicProps::default().enforce_ssl(true),
    )
    .unwrap();
    let err = Topic::new(
        &mut app,
        s,
        "Fifo",
        TopicProps::default().fifo(true).topic_name("orders"),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Ops/Fifo: topic_name: the name of a FIFO topic must end in .fifo, got \"orders\""
    );
    let err = Topic::new(
        &mut app,
        s,
        "Dedup",
        TopicProps::default().content_based_deduplication(true),
    )
    .unwrap_err();
    assert!(err.to_string().contains("FIFO topics only"), "{err}");
    let out = app.synth().unwrap();
    let t = &out.stacks[0].template["Resources"];
    let policy = t
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::SNS::TopicPolicy")
        .unwrap();
    let st = &policy["Properties"]["PolicyDocument"]["Statement"][0];
    assert_eq!(st["Effect"], "Deny");
    assert_eq!(st["Condition"]["Bool"]["aws:SecureTransport"], "false");
}

#[test]
fn imported_topics_take_a_topic_arn() {
    let mut app = App::new();
    let s = stack(&mut app);
    let t = Topic::from_topic_arn(
        &mut app,
        s,
        "Shared",
        "arn:aws:sns:eu-west-1:123456789012:ops",
    )
    .unwrap();
    assert_eq!(
        app.resolve(t.topic_arn()),
        Value::from("arn:aws:sns:eu-west-1:123456789012:ops")
    );
    assert!(!t
        .add_to_resource_policy(&mut app, PolicyStatement::allow().action("sns:Publish"))
        .unwrap());
    let err = Topic::from_topic_arn(&mut app, s, "Bad", "ops").unwrap_err();
    assert!(err.to_string().contains("is not an SNS topic ARN"), "{err}");
}
