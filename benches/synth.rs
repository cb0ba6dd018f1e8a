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

#[path = "../examples/many/app.rs"]
#[allow(dead_code)]
mod many;

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

fn status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn peak_rss_mb() -> Option<f64> {
    status_mb("VmHWM:")
}

/// Time, resident and peak memory after each phase of one synthesis, the way
/// `berth::run` does it (`App::write_assembly`), pieces timed apart: freezing the app
/// (preparing the constructs), lowering it to stacks of elements, and synthesizing and
/// writing the assembly (which lowers it again).
fn phases(mut app: App, dir: &std::path::Path, built: Duration) {
    use berth::synth::model::Source;
    let mem = || {
        format!(
            "rss {:.0} MB, peak {:.0} MB",
            status_mb("VmRSS:").unwrap_or(f64::NAN),
            peak_rss_mb().unwrap_or(f64::NAN)
        )
    };
    println!("phases: build {built:?} ({})", mem());
    let t0 = Instant::now();
    let frozen = app.freeze().unwrap();
    println!("phases: freeze {:?} ({})", t0.elapsed(), mem());
    let t1 = Instant::now();
    let stacks = frozen.stacks();
    println!("phases: lower {:?} ({})", t1.elapsed(), mem());
    drop(stacks);
    let t2 = Instant::now();
    let sink = berth::synth::assembly::DirSink::create(dir).unwrap();
    berth::synth::synthesize::synthesize(&frozen, &Default::default(), &sink).unwrap();
    sink.commit().unwrap();
    println!("phases: synthesize + write {:?} ({})", t2.elapsed(), mem());
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
    // BENCH_APP=many: the `many` example with BENCH_SERVICES services (default 1000).
    let many_services =
        (std::env::var("BENCH_APP").as_deref() == Ok("many")).then(|| env("BENCH_SERVICES", 1000));
    let make = || match many_services {
        Some(n) => many::app_with(n).expect("many builds"),
        None => build(stacks, per_stack),
    };
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("berth.out");
    if std::env::var_os("BENCH_PHASES").is_some() {
        let start = Instant::now();
        let app = make();
        phases(app, &out_dir, start.elapsed());
    }
    let mut times: Vec<Duration> = Vec::new();
    let mut synth_only = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let mut app = make();
        app.set_validate_schemas(std::env::var_os("BENCH_NO_VALIDATE").is_none());
        let built = Instant::now();
        app.write_assembly(&out_dir, TemplateFormat::Json)
            .expect("synth");
        times.push(start.elapsed());
        synth_only.push(built.elapsed());
    }
    let peak = peak_rss_mb().unwrap_or(f64::NAN);
    let mut resources = 0;
    for e in std::fs::read_dir(&out_dir).unwrap() {
        let path = e.unwrap().path();
        if path.to_string_lossy().ends_with(".template.json") {
            let t: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            resources += t["Resources"].as_object().map_or(0, |r| r.len());
        }
    }
    let stacks = std::fs::read_dir(&out_dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().to_string_lossy().ends_with(".template.json"))
        })
        .count();
    times.sort();
    synth_only.sort();
    let median = times[times.len() / 2];
    println!(
        "synth: {stacks} stacks, {resources} resources: build + synth + validate + write {:.1} ms (median of {runs}; synth + write alone {:.1} ms), peak memory {:.0} MB",
        median.as_secs_f64() * 1e3,
        synth_only[synth_only.len() / 2].as_secs_f64() * 1e3,
        peak
    );
    assert!(resources > 0);
}
