use super::*;
use crate::{Stack, StackProps};

fn stack(app: &mut App) -> Stack {
    Stack::new(app, "Ops", StackProps::default()).unwrap()
}

#[test]
fn percentiles_are_extended_statistics() {
    let mut app = App::new();
    let s = stack(&mut app);
    let latency = Metric::new("AWS/ApplicationELB", "TargetResponseTime")
        .statistic(Statistic::p(99.9))
        .period_seconds(60);
    latency
        .create_alarm(
            &mut app,
            s,
            "Slow",
            CreateAlarmOptions::new(0.5, 5).datapoints_to_alarm(3),
        )
        .unwrap();
    let out = app.synth().unwrap();
    let a = &out.stacks[0].template["Resources"]["SlowACAFBC61"]["Properties"];
    assert_eq!(a["ExtendedStatistic"], "p99.9");
    assert!(a.get("Statistic").is_none());
    assert_eq!(a["DatapointsToAlarm"], 3);
    assert_eq!(a["EvaluationPeriods"], 5);
}

#[test]
fn bad_alarms_are_errors_naming_the_property() {
    let mut app = App::new();
    let s = stack(&mut app);
    let m = Metric::new("AWS/ECS", "CPUUtilization");
    let cases = [
        (
            AlarmProps::new(m.clone(), 80.0, 0),
            "Ops/A: evaluation_periods: an alarm evaluates at least 1 period, got 0",
        ),
        (
            AlarmProps::new(m.clone(), 80.0, 2).datapoints_to_alarm(3),
            "Ops/A: datapoints_to_alarm: datapoints_to_alarm must be between 1 and evaluation_periods (2), got 3",
        ),
        (
            AlarmProps::new(m.clone().period_seconds(90), 80.0, 1),
            "Ops/A: metric.period_seconds: a metric period must be 10, 20, 30 or a multiple of 60 seconds, got 90",
        ),
        (
            AlarmProps::new(m.clone().statistic(Statistic::p(101.0)), 80.0, 1),
            "Ops/A: metric.statistic: a percentile must be between 0 and 100, got 101",
        ),
        (
            AlarmProps::new(m.clone(), f64::NAN, 1),
            "Ops/A: threshold: the threshold must be a finite number, got NaN",
        ),
    ];
    for (props, message) in cases {
        assert_eq!(
            Alarm::new(&mut app, s, "A", props).unwrap_err().to_string(),
            message
        );
    }
}

#[test]
fn widgets_are_laid_out_in_rows_and_wrap_at_24() {
    let mut app = App::new();
    let s = stack(&mut app);
    let d = Dashboard::new(&mut app, s, "D", DashboardProps::default().start("-PT8H")).unwrap();
    let m = Metric::new("AWS/ECS", "CPUUtilization");
    d.add_widgets(
        &mut app,
        [
            GraphWidget::new("a").left([m.clone()]).width(12).into(),
            GraphWidget::new("b").right([m.clone()]).width(12).into(),
            SingleValueWidget::new("c", [m.clone()]).into(),
        ],
    )
    .unwrap();
    d.add_widgets(&mut app, [TextWidget::new("# Runbook").width(24).into()])
        .unwrap();
    let state = app.construct::<DashboardState>(d.node).unwrap();
    let body = literal_parts(&state.body());
    let positions: Vec<(u32, u32)> = body
        .match_indices("\"x\":")
        .map(|(i, _)| {
            let rest = &body[i + 4..];
            let x: u32 = rest[..rest.find(',').unwrap()].parse().unwrap();
            let y_at = rest.find("\"y\":").unwrap() + 4;
            let rest = &rest[y_at..];
            let y: u32 = rest[..rest.find(',').unwrap()].parse().unwrap();
            (x, y)
        })
        .collect();
    // Row 1: 12 + 12, then the single value wraps to y = 6; row 2 starts below (6 + 3).
    assert_eq!(positions, vec![(0, 0), (12, 0), (0, 6), (0, 9)]);
    assert!(
        body.starts_with("{\"start\":\"-PT8H\",\"widgets\":["),
        "{body}"
    );
    assert!(body.contains("\"yAxis\":\"right\""), "{body}");
    assert!(body.contains("{\"type\":\"text\",\"width\":24,\"height\":2,\"x\":0,\"y\":9,\"properties\":{\"markdown\":\"# Runbook\"}}"), "{body}");
}

/// The literal parts of a joined JSON string, with `<token>` for each token.
fn literal_parts(v: &Value) -> String {
    match v {
        Value::Fn(i) => match i.as_ref() {
            berth_synth::Intrinsic::Join(_, parts) => parts
                .iter()
                .map(|p| match p {
                    Value::String(s) => s.clone(),
                    _ => "<token>".into(),
                })
                .collect(),
            _ => "<token>".into(),
        },
        Value::String(s) => s.clone(),
        _ => String::new(),
    }
}

#[test]
fn bad_widgets_and_dashboards_are_errors() {
    let mut app = App::new();
    let s = stack(&mut app);
    let d = Dashboard::new(&mut app, s, "D", DashboardProps::default()).unwrap();
    let err = d
        .add_widgets(&mut app, [GraphWidget::new("wide").width(30).into()])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Ops/D: widgets[0][0].width: a widget is 1 to 24 units wide, got 30"
    );
    let err = d
        .add_widgets(
            &mut app,
            [SingleValueWidget::new("none", Vec::<Metric>::new()).into()],
        )
        .unwrap_err();
    assert!(err.to_string().contains("at least one metric"), "{err}");
    let err = Dashboard::new(
        &mut app,
        s,
        "E",
        DashboardProps::default().dashboard_name("my dash"),
    )
    .unwrap_err();
    assert!(err.to_string().contains("invalid dashboard name"), "{err}");
    let err = Dashboard::new(
        &mut app,
        s,
        "F",
        DashboardProps::default().end("2026-01-01T00:00:00Z"),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Ops/F: end: a dashboard's end needs a start"
    );
}

#[test]
fn alarm_annotations_and_widgets() {
    let mut app = App::new();
    let s = stack(&mut app);
    let m = Metric::new("AWS/SQS", "ApproximateNumberOfMessagesVisible").period_seconds(60);
    let alarm = m
        .create_alarm(&mut app, s, "Backlog", CreateAlarmOptions::new(100.0, 5))
        .unwrap();
    let a = alarm.to_annotation(&app);
    assert_eq!(
        a.label.as_deref(),
        Some("ApproximateNumberOfMessagesVisible >= 100 for 5 datapoints within 5 minutes")
    );
    let d = Dashboard::new(&mut app, s, "D", DashboardProps::default()).unwrap();
    d.add_widgets(
        &mut app,
        [
            AlarmWidget::new("backlog", alarm).into(),
            GraphWidget::new("depth")
                .left([m])
                .left_annotations([a])
                .into(),
        ],
    )
    .unwrap();
    let out = app.synth().unwrap();
    let body = &out.stacks[0].template["Resources"]["DCB28BBFE"]["Properties"]["DashboardBody"];
    let parts = body["Fn::Join"][1].as_array().unwrap();
    assert!(parts
        .iter()
        .any(|p| p["Fn::GetAtt"] == serde_json::json!(["Backlog7AD37F26", "Arn"])));
    let text: String = parts.iter().filter_map(|p| p.as_str()).collect();
    assert!(text.contains("\"annotations\":{\"horizontal\":[{\"value\":100,\"label\":\"ApproximateNumberOfMessagesVisible >= 100 for 5 datapoints within 5 minutes\",\"yAxis\":\"left\"}]}"), "{text}");
}
