use super::*;
use crate::{Stack, StackProps};

fn setup() -> (App, Stack) {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    (app, s)
}

fn count(app: &mut App, s: Stack, min: u32, max: u32) -> Result<ScalableTaskCount> {
    ScalableTaskCount::new(
        app,
        s,
        "TaskCount",
        ScalableTaskCountProps {
            cluster_name: "main".into(),
            service_name: "web".into(),
            min_capacity: min,
            max_capacity: max,
            role_arn: None,
        },
    )
}

#[test]
fn min_above_max_is_an_error() {
    let (mut app, s) = setup();
    let err = count(&mut app, s, 5, 2).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/TaskCount: min_capacity: min_capacity (5) must be less than or equal to max_capacity (2)"
    );
    // min == max is fine.
    count(&mut app, s, 3, 3).unwrap();
}

#[test]
fn a_scheduled_action_with_min_above_max_is_an_error() {
    let (mut app, s) = setup();
    let c = count(&mut app, s, 1, 4).unwrap();
    let err = c
        .scale_on_schedule(
            &mut app,
            "Bad",
            ScalingSchedule {
                min_capacity: Some(6),
                max_capacity: Some(5),
                ..ScalingSchedule::new(Schedule::at("2026-12-24T18:00:00"))
            },
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/TaskCount/Target: min_capacity: min_capacity (6) must be less than or equal to max_capacity (5)"
    );
    let err = c
        .scale_on_schedule(
            &mut app,
            "Empty",
            ScalingSchedule::new(Schedule::at("2026-12-24T18:00:00")),
        )
        .unwrap_err();
    assert!(err.to_string().contains("changes nothing"));
}

#[test]
fn schedules_render_as_application_auto_scaling_expects() {
    let p = "X";
    assert_eq!(
        Schedule::rate(Duration::from_secs(300)).render(p).unwrap(),
        "rate(5 minutes)"
    );
    assert_eq!(
        Schedule::rate(Duration::from_secs(60)).render(p).unwrap(),
        "rate(1 minute)"
    );
    assert_eq!(
        Schedule::rate(Duration::from_secs(2 * 86400))
            .render(p)
            .unwrap(),
        "rate(2 days)"
    );
    assert_eq!(
        Schedule::rate(Duration::from_secs(90))
            .render(p)
            .unwrap_err()
            .to_string(),
        "X: schedule: a rate of 90 s is not allowed; use whole minutes, at least one"
    );
    assert_eq!(
        Schedule::at("2026-12-24T18:00:00").render(p).unwrap(),
        "at(2026-12-24T18:00:00)"
    );
    assert!(Schedule::at("tomorrow").render(p).is_err());
    assert_eq!(
        Schedule::cron(CronOptions::default()).render(p).unwrap(),
        "cron(* * * * ? *)"
    );
    assert_eq!(
        Schedule::cron(CronOptions {
            minute: Some("30".into()),
            hour: Some("6".into()),
            day: Some("1".into()),
            ..Default::default()
        })
        .render(p)
        .unwrap(),
        "cron(30 6 1 * ? *)"
    );
}

#[test]
fn request_count_scaling_needs_an_alb_target_group() {
    use crate::ec2::{Vpc, VpcProps};
    use crate::elbv2::{TargetGroup, TargetGroupProps};
    let (mut app, s) = setup();
    let vpc = Vpc::new(&mut app, s, "Vpc", VpcProps::default()).unwrap();
    let tg = TargetGroup::new(
        &mut app,
        s,
        "Tg",
        &vpc,
        TargetGroupProps {
            port: Some(80),
            ..Default::default()
        },
    )
    .unwrap();
    let c = count(&mut app, s, 1, 4).unwrap();
    let err = c
        .scale_on_request_count(
            &mut app,
            "Requests",
            RequestCountScalingProps {
                requests_per_target: 100,
                target_group: tg,
                scale_in_cooldown_seconds: None,
                scale_out_cooldown_seconds: None,
                disable_scale_in: false,
                policy_name: None,
            },
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/TaskCount/Target/Requests: target_group: the target group Web/Tg is not attached to an application load balancer; forward to it from an ALB listener first"
    );
}

#[test]
fn step_scaling_rejects_gaps_and_lone_steps() {
    let (mut app, s) = setup();
    let c = count(&mut app, s, 1, 4).unwrap();
    let metric = Metric::new("AWS/SQS", "ApproximateNumberOfMessagesVisible");
    let err = c
        .scale_on_metric(
            &mut app,
            "One",
            StepScalingProps::new(
                metric.clone(),
                vec![ScalingInterval {
                    lower: Some(10.0),
                    upper: None,
                    change: 1,
                }],
            ),
        )
        .unwrap_err();
    assert!(err.to_string().ends_with("give at least two scaling steps"));
    let err = c
        .scale_on_metric(
            &mut app,
            "Gap",
            StepScalingProps::new(
                metric,
                vec![
                    ScalingInterval {
                        lower: Some(10.0),
                        upper: Some(20.0),
                        change: 1,
                    },
                    ScalingInterval {
                        lower: Some(30.0),
                        upper: None,
                        change: 2,
                    },
                ],
            ),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/TaskCount/Target/Gap: scaling_steps: the scale-out steps must meet: a step ends at 20 but the next starts at 30"
    );
}

#[test]
fn policy_names_default_to_the_unique_id() {
    let (mut app, s) = setup();
    let c = count(&mut app, s, 1, 4).unwrap();
    let p = c
        .scale_on_cpu_utilization(
            &mut app,
            "CpuScaling",
            UtilizationScalingProps {
                target_utilization_percent: 50.0,
                ..Default::default()
            },
        )
        .unwrap();
    let expected =
        berth_synth::logical_id::make_unique_id(&["Web", "TaskCount", "Target", "CpuScaling"])
            .unwrap();
    assert_eq!(app.resource(p.cfn()).policy_name, Some(Expr::Lit(expected)));
    let err = c
        .scale_on_cpu_utilization(&mut app, "Zero", UtilizationScalingProps::default())
        .unwrap_err();
    assert!(err.to_string().contains("target value 0 is not allowed"));
}
