//! # hello: two stacks of raw resources and a cross-stack reference
//!
//! The smallest berth app. `HelloNetwork` has a VPC; `HelloApp` has a security
//! group in that VPC (a reference across stacks: berth adds an export to
//! `HelloNetwork`, an `Fn::ImportValue` to `HelloApp`, and deploys `HelloNetwork`
//! first), a queue with a dead-letter queue, and a log group; the stack's tags reach
//! every taggable resource, and the queue's URL is a stack output.
//!
//! ```sh
//! cargo run --example hello                     # writes berth.out/ (or $BERTH_OUTDIR)
//! cargo run --example hello -- synth HelloApp   # prints the HelloApp template
//! cargo run --example hello -- deploy --all      # deploys both, HelloNetwork first
//! ```
use berth::prelude::*;

/// Builds the app.
pub fn app() -> Result<App, ConstructError> {
    let mut app = App::new();
    let network_props = StackProps::default().description("hello: the network");
    let network = Stack::new(&mut app, "HelloNetwork", network_props)?;
    let vpc = app.add_resource(
        network,
        "Vpc",
        RawProperties::new(
            "AWS::EC2::VPC",
            Value::map([
                ("CidrBlock", Value::from("10.0.0.0/16")),
                ("EnableDnsHostnames", Value::from(true)),
                ("EnableDnsSupport", Value::from(true)),
            ]),
        ),
    )?;

    let props = StackProps::default()
        .description("hello: a queue, its log group and a security group")
        .tags([("project", "hello")]);
    let stack = Stack::new(&mut app, "HelloApp", props)?;
    app.add_resource(
        stack,
        "WebSecurityGroup",
        RawProperties::new(
            "AWS::EC2::SecurityGroup",
            Value::map([
                ("GroupDescription", Value::from("hello web")),
                ("VpcId", vpc.ref_().into()),
            ]),
        ),
    )?;
    let dlq = app.add_resource(
        stack,
        "DeadLetters",
        RawProperties::new(
            "AWS::SQS::Queue",
            Value::map([("MessageRetentionPeriod", Value::Int(1_209_600))]),
        ),
    )?;
    let queue = app.add_resource(
        stack,
        "Jobs",
        RawProperties::new(
            "AWS::SQS::Queue",
            Value::map([
                ("VisibilityTimeout", Value::Int(60)),
                (
                    "RedrivePolicy",
                    Value::map([
                        ("deadLetterTargetArn", dlq.get_att("Arn").into()),
                        ("maxReceiveCount", Value::Int(5)),
                    ]),
                ),
            ]),
        ),
    )?;
    app.add_resource(
        stack,
        "Logs",
        RawProperties::new(
            "AWS::Logs::LogGroup",
            Value::map([("RetentionInDays", Value::Int(14))]),
        ),
    )?;
    let url = OutputProps::new(queue.ref_()).description("the jobs queue");
    Output::new(&mut app, stack, "QueueUrl", url)?;

    // What the aws-solutions rule pack would report and this demo keeps on purpose,
    // with the reason (each is written into the template as cdk-nag reads it).
    app.add_rule_pack(ROOT, "aws-solutions")?;
    for suppression in [
        Suppression::new(
            "AwsSolutions-VPC7",
            "a demo VPC: flow logs, billed per GB, are left to production apps",
        ),
        Suppression::new(
            "Berth-LOG2",
            "demo logs hold no personal data; CloudWatch Logs encrypts them with its own key",
        ),
        Suppression::new(
            "AwsSolutions-SQS4",
            "hello's raw queues show L1s; queue-worker shows TLS-only queues",
        ),
    ] {
        app.add_suppression(ROOT, suppression)?;
    }
    Ok(app)
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    berth::run_with(app)
}
