//! # blue-green: a canary rollout with a test listener, a manual gate and alarms
//!
//! One stack, `BlueGreen`: a VPC (two AZs, one NAT gateway), a cluster, and the
//! application-load-balanced Fargate pattern running nginx (two tasks, health-checked
//! on `/`) that deploys every new revision as an ECS canary:
//!
//! 1. the new (green) revision starts beside the running (blue) one, in the alternate
//!    target group;
//! 2. the test listener on port 9000 sends test traffic to green (`TestURL` output);
//! 3. the deployment **pauses** after the test traffic shift until someone answers
//!    (`berth deploy` asks on a terminal; elsewhere `berth deployment continue Web`
//!    or `berth deployment rollback Web`); unanswered for an hour, it rolls back;
//! 4. 10 % of production traffic goes to green for 5 minutes, then the rest;
//! 5. both run for the bake time (10 minutes), then blue stops.
//!
//! Alarms on the target 5xx answers and unhealthy targets of both target groups
//! (`default_alarms`) roll the deployment back at any point.
//!
//! ```sh
//! cargo run --example blue-green                        # writes berth.out/ (or $BERTH_OUTDIR)
//! cargo run --example blue-green -- synth BlueGreen     # prints the template
//! ```
use berth::constructs::ec2::{Vpc, VpcProps};
use berth::constructs::ecs::{
    Cluster, ClusterProps, ContainerImage, DeploymentStrategy, HookTimeoutAction, LifecycleHook,
    LifecycleStage,
};
use berth::constructs::patterns::{
    ApplicationLoadBalancedFargateService, ApplicationLoadBalancedFargateServiceProps,
    DefaultAlarmsProps,
};
use berth::prelude::*;

/// Builds the app.
pub fn app() -> Result<App, ConstructError> {
    let mut app = App::new();
    let description = "blue-green: a canary rollout behind an application load balancer";
    let stack = Stack::new(
        &mut app,
        "BlueGreen",
        StackProps::default().description(description),
    )?;
    let vpc = Vpc::new(
        &mut app,
        stack,
        "Vpc",
        VpcProps::default().max_azs(2).nat_gateways(1),
    )?;
    let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps::default().vpc(vpc))?;

    let gate = LifecycleHook::pause([LifecycleStage::PostTestTrafficShift])
        .timeout_minutes(60)
        .on_timeout(HookTimeoutAction::Rollback);
    let image = ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
    let props = ApplicationLoadBalancedFargateServiceProps::new(image)
        .cluster(cluster)
        .desired_count(2)
        .deployment_strategy(DeploymentStrategy::canary(10, 5).bake_time_minutes(10))
        .test_port(9000)
        .lifecycle_hooks([gate]);
    let web = ApplicationLoadBalancedFargateService::new(&mut app, stack, "Web", props)?;
    web.default_alarms(&mut app, DefaultAlarmsProps::default())?;

    // What the aws-solutions rule pack would report and this demo keeps on purpose,
    // with the reason (each is written into the template as cdk-nag reads it).
    app.add_rule_pack(ROOT, "aws-solutions")?;
    let kept = [
        (
            "AwsSolutions-VPC7",
            "a demo VPC: flow logs, billed per GB, are left to production apps",
        ),
        (
            "Berth-ECS2",
            "the sample images write to their root file system (caches, pid files)",
        ),
        (
            "Berth-ECS3",
            "the sample images start as root, as their publishers ship them",
        ),
        (
            "Berth-LOG2",
            "demo logs hold no personal data; CloudWatch Logs encrypts them with its own key",
        ),
        (
            "AwsSolutions-IAM4",
            "ECS documents this managed policy for the role that shifts load balancer traffic",
        ),
        (
            "AwsSolutions-EC23",
            "the public load balancer answers the internet on its listener and test ports",
        ),
        (
            "AwsSolutions-ELB2",
            "a demo load balancer: no access-log bucket to pay for",
        ),
    ];
    for (id, reason) in kept {
        app.add_suppression(stack, Suppression::new(id, reason))?;
    }
    Ok(app)
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    berth::run_with(app)
}
