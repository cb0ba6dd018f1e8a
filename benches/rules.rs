//! Rule-pack benchmark: what the aws-solutions pack adds to synthesizing the `many`
//! example (`BENCH_SERVICES`, default 1000 ALB Fargate services, 25 per stack; its
//! suppressions are the same in both apps, so both templates are identical).
//!
//! `cargo bench --bench rules` alternates `App::write_assembly` of the app without and
//! with the pack, 10 runs each, and prints both medians and their difference (the
//! issue's target: at most 20 ms for N = 1000), then the median time of the pack alone
//! over the written templates (`rules::check_template`, as `berth check` runs it).
//! Under `cargo test` it runs once on 10 services.

use berth::synth::assembly::TemplateFormat;
use std::time::{Duration, Instant};

#[path = "../examples/many/app.rs"]
#[allow(dead_code)]
mod many;

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let services = if bench {
        std::env::var("BENCH_SERVICES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1000)
    } else {
        10
    };
    let runs = if bench { 10 } else { 1 };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("berth.out");
    let mut without: Vec<Duration> = Vec::new();
    let mut with: Vec<Duration> = Vec::new();
    let mut findings = 0;
    for _ in 0..runs {
        for rules in [false, true] {
            let mut app = many::app_with_rules(services, rules).expect("many builds");
            let start = Instant::now();
            let written = app
                .write_assembly(&out, TemplateFormat::Json)
                .expect("synth");
            let t = start.elapsed();
            if rules {
                let report = written.validation.expect("the pack ran");
                assert_eq!(report.unsuppressed().count(), 0, "many passes the pack");
                findings = report.findings.len();
                with.push(t);
            } else {
                assert!(written.validation.is_none());
                without.push(t);
            }
            std::mem::forget(app);
        }
    }
    // The rules alone, as `berth check` runs them over the written templates (JSON
    // parsed first, not timed; conversion to synth's JSON nodes included).
    let pack = berth::synth::rules::pack("aws-solutions").unwrap();
    let mut templates = Vec::new();
    for e in std::fs::read_dir(&out).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(stack) = name.strip_suffix(".template.json") {
            let t: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            templates.push((stack.to_owned(), name.clone(), t));
        }
    }
    let mut alone: Vec<Duration> = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let mut n = 0;
        for (stack, file, t) in &templates {
            n += berth::synth::rules::check_template(stack, file, t, &[pack])
                .findings
                .len();
        }
        alone.push(start.elapsed());
        assert_eq!(n, findings);
    }
    alone.sort();
    println!(
        "rules: the pack alone over the {} written templates: {:.1} ms (median of {runs})",
        templates.len(),
        alone[runs / 2].as_secs_f64() * 1e3
    );
    without.sort();
    with.sort();
    let (a, b) = (without[runs / 2], with[runs / 2]);
    println!(
        "rules: many with {services} services ({findings} findings, all suppressed): synth + write {:.1} ms without the pack, {:.1} ms with it (+{:.1} ms; medians of {runs})",
        a.as_secs_f64() * 1e3,
        b.as_secs_f64() * 1e3,
        (b.as_secs_f64() - a.as_secs_f64()) * 1e3
    );
}
