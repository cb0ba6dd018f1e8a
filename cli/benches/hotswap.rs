//! Hotswap of an image change against moto, end to end: `berth deploy --hotswap-only`
//! in-process through the real AWS SDK (GetTemplate, ListStackResources,
//! DescribeTaskDefinition, RegisterTaskDefinition, UpdateService, the rollout poll).
//! Target (issue 8): under 1 s. Run with `scripts/bench-hotswap`, which starts moto.

use std::path::Path;
use std::time::{Duration, Instant};

use berth_cli::Session;
use serde_json::json;

fn write_app(dir: &Path, stack: &str, prefix: &str, image: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let manifest = json!({"version": "55.0.0", "artifacts": {"Web": {
        "type": "aws:cloudformation:stack",
        "environment": "aws://unknown-account/unknown-region",
        "properties": {"templateFile": "Web.template.json", "stackName": stack}}}});
    let template = json!({"Resources": {
        "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": format!("{prefix}-cluster")}},
        "TaskDef": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
            "Family": format!("{prefix}-web"), "Cpu": "256", "Memory": "512", "NetworkMode": "awsvpc",
            "RequiresCompatibilities": ["FARGATE"],
            "ContainerDefinitions": [{"Name": "web", "Image": image, "Essential": true,
                "Environment": [{"Name": "APP_ENV", "Value": "bench"}],
                "PortMappings": [{"ContainerPort": 80}]}]}},
        "Service": {"Type": "AWS::ECS::Service", "Properties": {
            "Cluster": {"Ref": "Cluster"}, "TaskDefinition": {"Ref": "TaskDef"}, "DesiredCount": 2,
            "LaunchType": "FARGATE"}}
    }});
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
    std::fs::write(dir.join("Web.template.json"), template.to_string()).unwrap();
}

fn berth(cwd: &Path, args: &[&str]) -> (u8, String) {
    let (session, out, err) = Session::captured();
    let mut argv = vec!["berth"];
    argv.extend_from_slice(args);
    let endpoint = berth_cli::local::loopback_endpoint().expect("checked in main");
    let code = session
        .cwd(cwd)
        .endpoint(endpoint)
        .sdk_retries(false)
        .run(argv);
    (code, format!("{}{}", out.contents(), err.contents()))
}

fn main() {
    if let Err(e) = berth_cli::local::loopback_endpoint() {
        eprintln!("hotswap bench: {e}; run scripts/bench-hotswap");
        std::process::exit(2);
    }
    let dir = tempfile::tempdir().unwrap();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let prefix = format!("bench{:x}", nanos % 0xfffff);
    let stack = format!("{prefix}-Web");
    let app = dir.path().join("app");
    write_app(&app, &stack, &prefix, "public.ecr.aws/nginx/nginx:1.27");
    let deploy = [
        "deploy",
        "--app",
        "app",
        "--method",
        "direct",
        "--require-approval",
        "never",
    ];
    let (code, out) = berth(dir.path(), &deploy);
    assert_eq!(code, 0, "initial deploy failed:\n{out}");

    // `cargo test --all-targets` runs benches without `--bench`: one round as a smoke test.
    let runs = if std::env::args().any(|a| a == "--bench") {
        10
    } else {
        1
    };
    let mut times: Vec<Duration> = Vec::new();
    for i in 0..runs {
        write_app(
            &app,
            &stack,
            &prefix,
            &format!("public.ecr.aws/nginx/nginx:1.{i}"),
        );
        let mut args = deploy.to_vec();
        args.push("--hotswap-only");
        let t = Instant::now();
        let (code, out) = berth(dir.path(), &args);
        times.push(t.elapsed());
        assert_eq!(code, 0, "hotswap failed:\n{out}");
        assert!(out.contains("hotswapped"), "{out}");
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "hotswap of an image change against moto ({runs} runs): median {:.0} ms, min {:.0} ms, max {:.0} ms (target: < 1000 ms)",
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3
    );
}
