//! Synthesis benchmark: builds an app of N stacks × M resources (queues with
//! dead-letter queues, parameters, log groups; every stack referencing the first),
//! synthesizes it with schema validation and writes the cloud assembly.
//!
//! `cargo bench --bench synth` prints the median time of 10 runs and the peak memory
//! (VmHWM) of the process. Sizes: `BENCH_STACKS` (default 40), `BENCH_RESOURCES`
//! (per stack, default 400). Under `cargo test` it runs once on a small app.

use berth::prelude::*;
use berth::synth::assembly::TemplateFormat;
use std::time::{Duration, Instant};

fn build(stacks: usize, per_stack: usize) -> App {
    let mut app = App::new();
    let base = Stack::new(&mut app, "Base", StackProps::default()).unwrap();
    let shared = app
        .add_resource(
            base,
            "SharedLogs",
            RawProperties::new(
                "AWS::Logs::LogGroup",
                Value::map([("RetentionInDays", Value::Int(7))]),
            ),
        )
        .unwrap();
    for s in 0..stacks {
        let stack = if s == 0 {
            base
        } else {
            Stack::new(&mut app, &format!("Service{s}"), StackProps::default()).unwrap()
        };
        let group = app.add_group(stack, "Workers").unwrap();
        let mut i = if s == 0 { 1 } else { 0 };
        while i + 4 <= per_stack {
            let w = app.add_group(group, &format!("Worker{i}")).unwrap();
            let dlq = app
                .add_resource(
                    w,
                    "Dlq",
                    RawProperties::new(
                        "AWS::SQS::Queue",
                        Value::map([("MessageRetentionPeriod", Value::Int(1_209_600))]),
                    ),
                )
                .unwrap();
            let q = app
                .add_resource(
                    w,
                    "Queue",
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
                )
                .unwrap();
            app.add_resource(
                w,
                "Url",
                RawProperties::new(
                    "AWS::SSM::Parameter",
                    Value::map([
                        ("Type", Value::from("String")),
                        ("Value", q.ref_().into()),
                        ("Description", shared.ref_().into()),
                    ]),
                ),
            )
            .unwrap();
            app.add_resource(
                w,
                "Logs",
                RawProperties::new(
                    "AWS::Logs::LogGroup",
                    Value::map([("RetentionInDays", Value::Int(14))]),
                ),
            )
            .unwrap();
            i += 4;
        }
    }
    app
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let env = |k: &str, d: usize| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let (stacks, per_stack, runs) = if bench {
        (env("BENCH_STACKS", 40), env("BENCH_RESOURCES", 400), 10)
    } else {
        (3, 40, 1)
    };
    let dir = tempfile::tempdir().unwrap();
    let mut times: Vec<Duration> = Vec::new();
    let mut resources = 0;
    let mut synth_only = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let mut app = build(stacks, per_stack);
        app.set_validate_schemas(std::env::var_os("BENCH_NO_VALIDATE").is_none());
        let built = Instant::now();
        let out = app
            .synth_to(dir.path().join("berth.out"), TemplateFormat::Json)
            .expect("synth");
        times.push(start.elapsed());
        synth_only.push(built.elapsed());
        resources = out
            .stacks
            .iter()
            .map(|s| s.template["Resources"].as_object().map_or(0, |r| r.len()))
            .sum();
    }
    if std::env::var_os("BENCH_PHASES").is_some() {
        let mut app = build(stacks, per_stack);
        let t0 = Instant::now();
        let (spec, _) = app.spec().unwrap();
        let t1 = Instant::now();
        let out = berth::synth::synthesize::synthesize(&spec, &Default::default()).unwrap();
        let t2 = Instant::now();
        berth::synth::assembly::write(
            &dir.path().join("p.out"),
            &out,
            &spec.tree,
            TemplateFormat::Json,
        )
        .unwrap();
        let t3 = Instant::now();
        println!(
            "phases: spec {:?}, synthesize {:?}, write {:?}",
            t1 - t0,
            t2 - t1,
            t3 - t2
        );
    }
    times.sort();
    synth_only.sort();
    let median = times[times.len() / 2];
    println!(
        "synth: {stacks} stacks, {resources} resources: build + synth + validate + write {:.1} ms (median of {runs}; synth + write alone {:.1} ms), peak memory {:.0} MB",
        median.as_secs_f64() * 1e3,
        synth_only[synth_only.len() / 2].as_secs_f64() * 1e3,
        peak_rss_mb().unwrap_or(f64::NAN)
    );
    assert!(resources > 0);
}
