use super::*;
use crate::iam::{Role, RoleProps};
use crate::{Stack, StackProps};

fn stack(app: &mut App) -> Stack {
    Stack::new(app, "Jobs", StackProps::default()).unwrap()
}

fn props_of(app: &mut App, logical_id: &str) -> serde_json::Value {
    let out = app.synth().unwrap();
    out.stacks[0].template["Resources"][logical_id].clone()
}

#[test]
fn sse_is_on_by_default_and_queues_are_deleted_with_the_stack() {
    let mut app = App::new();
    let s = stack(&mut app);
    Queue::new(&mut app, s, "Q", QueueProps::default()).unwrap();
    let q = props_of(&mut app, "Q63C6E3AB");
    assert_eq!(
        q["Properties"],
        serde_json::json!({"SqsManagedSseEnabled": true})
    );
    assert_eq!(q["DeletionPolicy"], "Delete");
}

#[test]
fn fifo_queues_with_content_based_deduplication() {
    let mut app = App::new();
    let s = stack(&mut app);
    let q = Queue::new(
        &mut app,
        s,
        "Orders",
        QueueProps::default()
            .queue_name("orders.fifo")
            .content_based_deduplication(true),
    )
    .unwrap();
    assert!(q.is_fifo(&app));
    // A FIFO queue's dead-letter queue must be FIFO too.
    let std_dlq = Queue::new(&mut app, s, "StdDlq", QueueProps::default()).unwrap();
    let err = Queue::new(
        &mut app,
        s,
        "Jobs",
        QueueProps::default()
            .fifo(true)
            .dead_letter_queue(DeadLetterQueue::new(std_dlq, 3)),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Jobs/Jobs: dead_letter_queue: the dead-letter queue Jobs/StdDlq is a standard queue, this queue is a FIFO queue; a queue and its dead-letter queue must both be FIFO or both standard"
    );
    let out = app.synth().unwrap();
    let props = &out.stacks[0].template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Properties"]["QueueName"] == "orders.fifo")
        .unwrap()["Properties"];
    assert_eq!(props["FifoQueue"], true);
    assert_eq!(props["ContentBasedDeduplication"], true);
}

#[test]
fn out_of_range_values_and_fifo_mistakes_are_errors() {
    let mut app = App::new();
    let s = stack(&mut app);
    let cases: Vec<(QueueProps, &str)> = vec![
        (
            QueueProps::default().visibility_timeout_secs(50_000),
            "Jobs/Q: visibility_timeout_secs: the visibility timeout (seconds) must be between 0 and 43200, got 50000",
        ),
        (
            QueueProps::default().retention_period_secs(10),
            "Jobs/Q: retention_period_secs: the retention period (seconds) must be between 60 and 1209600, got 10",
        ),
        (
            QueueProps::default().queue_name("jobs").fifo(true),
            "Jobs/Q: queue_name: the name of a FIFO queue must end in .fifo, got \"jobs\"",
        ),
        (
            QueueProps::default().queue_name("jobs.fifo").fifo(false),
            "Jobs/Q: queue_name: \"jobs.fifo\" ends in .fifo, but fifo is false; a standard queue's name cannot end in .fifo",
        ),
        (
            QueueProps::default().fifo(false).content_based_deduplication(true),
            "Jobs/Q: content_based_deduplication: content-based deduplication is for FIFO queues only; set fifo = true",
        ),
        (
            QueueProps::default().data_key_reuse_secs(300),
            "Jobs/Q: data_key_reuse_secs: a data key reuse period applies to KMS encryption only",
        ),
    ];
    for (props, message) in cases {
        let err = Queue::new(&mut app, s, "Q", props).unwrap_err();
        assert_eq!(err.to_string(), message);
    }
    let dlq = Queue::new(&mut app, s, "Dlq", QueueProps::default()).unwrap();
    let err = Queue::new(
        &mut app,
        s,
        "Q",
        QueueProps::default().dead_letter_queue(DeadLetterQueue::new(dlq, 0)),
    )
    .unwrap_err();
    assert!(
        err.to_string().ends_with("between 1 and 1000, got 0"),
        "{err}"
    );
}

#[test]
fn a_kms_queue_makes_its_key_and_grants_use_it() {
    let mut app = App::new();
    let s = stack(&mut app);
    let q = Queue::new(
        &mut app,
        s,
        "Q",
        QueueProps::default().encryption(QueueEncryption::Kms),
    )
    .unwrap();
    let key = q.encryption_master_key(&app).unwrap();
    assert_eq!(app.path(key), "Jobs/Q/Key");
    let role = Role::new(
        &mut app,
        s,
        "Worker",
        RoleProps::new(crate::iam::Principal::service("ecs-tasks.amazonaws.com")),
    )
    .unwrap();
    let consume = q.grant_consume_messages(&mut app, &role).unwrap();
    assert_eq!(
        consume.actions(),
        [
            "sqs:ReceiveMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:GetQueueUrl",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "kms:Decrypt"
        ]
    );
    let send = q.grant_send_messages(&mut app, &role).unwrap();
    assert_eq!(send.actions()[..3], SEND_ACTIONS);
    assert_eq!(send.actions().len(), 7);
    let out = app.synth().unwrap();
    let res = &out.stacks[0].template["Resources"];
    let props = &res["Q63C6E3AB"]["Properties"];
    assert!(props.get("SqsManagedSseEnabled").is_none());
    assert_eq!(props["KmsMasterKeyId"]["Fn::GetAtt"][1], "Arn", "{props}");
    // A KMS managed key is named by its alias; a key with it is a mistake.
    let err = Queue::new(
        &mut app,
        s,
        "Q2",
        QueueProps::default()
            .encryption(QueueEncryption::Unencrypted)
            .encryption_master_key(key),
    );
    assert!(err.is_err());
}

#[test]
fn metrics_name_the_queue_and_use_cdks_statistics() {
    let mut app = App::new();
    let s = stack(&mut app);
    let q = Queue::new(&mut app, s, "Q", QueueProps::default()).unwrap();
    let m = q.metric_approximate_age_of_oldest_message();
    assert_eq!(
        (m.namespace.as_str(), m.statistic),
        ("AWS/SQS", Statistic::Maximum)
    );
    assert_eq!(m.dimensions[0].0, "QueueName");
    assert_eq!(m.dimensions[0].1, Value::from(q.queue_name()));
    assert_eq!(q.metric_number_of_messages_sent().statistic, Statistic::Sum);
}

#[test]
fn imported_queues_build_their_url_from_the_arn() {
    let mut app = App::new();
    let s = stack(&mut app);
    let q = Queue::from_queue_arn(
        &mut app,
        s,
        "Shared",
        "arn:aws:sqs:eu-west-1:123456789012:jobs.fifo",
    )
    .unwrap();
    assert!(q.is_fifo(&app));
    assert_eq!(app.resolve(q.queue_name()), Value::from("jobs.fifo"));
    assert!(!q
        .add_to_resource_policy(&mut app, PolicyStatement::allow().action("sqs:*"))
        .unwrap());
    let err = Queue::from_queue_arn(&mut app, s, "Bad", "jobs").unwrap_err();
    assert_eq!(
        err.to_string(),
        "Jobs/Bad: queue_arn: \"jobs\" is not an SQS queue ARN; expected arn:<partition>:sqs:<region>:<account>:<name>"
    );
}

#[test]
fn enforce_ssl_adds_a_queue_policy() {
    let mut app = App::new();
    let s = stack(&mut app);
    Queue::new(&mut app, s, "Q", QueueProps::default().enforce_ssl(true)).unwrap();
    let out = app.synth().unwrap();
    let res = &out.stacks[0].template["Resources"];
    let policy = &res["QPolicy70C80277"]["Properties"];
    assert_eq!(policy["Queues"][0]["Ref"], "Q63C6E3AB");
    assert_eq!(policy["PolicyDocument"]["Statement"][0]["Action"], "sqs:*");
    assert_eq!(policy["PolicyDocument"]["Statement"][0]["Effect"], "Deny");
}
