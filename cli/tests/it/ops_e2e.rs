//! `logs`, `run`, `status` and `run --local`'s secrets end to end against moto: the real
//! commands and the real AWS SDK. CloudWatch Logs streams are written by the test and
//! read back by `berth logs`; `RunTask` + `DescribeTasks` report exit codes as moto does
//! (moto moves a task to STOPPED over a few DescribeTasks calls, exit code 0).

use std::path::{Path, PathBuf};

use berth_cli::exit;
use serde_json::{json, Value};

use crate::common::{materialize, run_local, unique_prefix, Run};
use crate::e2e::{block, ok, require_local_endpoint, sdk};

fn berth(cwd: &Path, args: &[&str]) -> Run {
    run_local(cwd, args, |s| s)
}

/// Deploys the `ops` fixture (a service and a one-off task definition) as `PREFIX-Ops`.
fn deploy_ops(p: &str) -> tempfile::TempDir {
    let dir = materialize(&["ops"], p);
    let r = berth(
        dir.path(),
        &[
            "deploy",
            "--app",
            "ops",
            "--method",
            "direct",
            "--require-approval",
            "never",
        ],
    );
    ok(&r);
    dir
}

/// A deployed `ops` fixture, a CloudWatch Logs client and the fixture's log group.
fn deployed_with_logs(tag: &str) -> (tempfile::TempDir, aws_sdk_cloudwatchlogs::Client, String) {
    let config = sdk();
    let p = unique_prefix(tag);
    let dir = deploy_ops(&p);
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    let group = format!("/berth/{p}/ops");
    (dir, logs, group)
}

fn put(logs: &aws_sdk_cloudwatchlogs::Client, group: &str, stream: &str, events: &[(i64, &str)]) {
    block(async {
        let _ = logs
            .create_log_stream()
            .log_group_name(group)
            .log_stream_name(stream)
            .send()
            .await;
        let mut call = logs
            .put_log_events()
            .log_group_name(group)
            .log_stream_name(stream);
        for (t, m) in events {
            call = call.log_events(
                aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                    .timestamp(*t)
                    .message(*m)
                    .build()
                    .unwrap(),
            );
        }
        call.send().await.unwrap();
    });
}

fn now() -> i64 {
    berth_cli::ops::now_ms()
}

#[test]
fn logs_interleave_streams_in_time_order_and_filter_by_container_task_time_and_pattern() {
    let (dir, logs, group) = deployed_with_logs("lg");
    let t0 = now() - 50_000;
    put(
        &logs,
        &group,
        "web/web/aaaa1111task",
        &[
            (t0 - 1_200_000, "an old line"),
            (t0, "GET / 200"),
            (t0 + 4, "GET /login 302"),
        ],
    );
    put(
        &logs,
        &group,
        "web/web/bbbb2222task",
        &[
            (t0 + 1, "GET /health 200"),
            (t0 + 3, "ERROR upstream timed out"),
        ],
    );
    put(
        &logs,
        &group,
        "web/sidecar/aaaa1111task",
        &[(t0 + 2, "sidecar ready")],
    );

    let r = berth(dir.path(), &["logs", "Web", "--app", "ops"]);
    ok(&r);
    insta::assert_snapshot!("logs_moto_interleaved", r.out);

    let lines = |args: &[&str]| {
        let mut a = vec!["logs", "--app", "ops"];
        a.extend_from_slice(args);
        let r = berth(dir.path(), &a);
        ok(&r);
        r.out.lines().map(str::to_string).collect::<Vec<_>>()
    };
    assert_eq!(
        lines(&["Web", "--filter", "ERROR"]),
        ["bbbb2222/web ERROR upstream timed out"]
    );
    assert_eq!(
        lines(&["Web", "--container", "sidecar"]),
        ["aaaa1111/sidecar sidecar ready"]
    );
    assert_eq!(
        lines(&["Web", "--task", "bbbb2222task"]),
        [
            "bbbb2222/web GET /health 200",
            "bbbb2222/web ERROR upstream timed out"
        ]
    );
    assert_eq!(
        lines(&["Web", "--since", "2m", "--limit", "2"]),
        [
            "bbbb2222/web ERROR upstream timed out",
            "aaaa1111/web GET /login 302"
        ]
    );
    assert_eq!(
        lines(&["Web", "--since", "1h"]).len(),
        6,
        "the old line is in the last hour"
    );
    // By the task definition, and as JSON lines.
    let json_lines = lines(&["Ops/WebTask", "--json", "--since", "2m"]);
    let first: Value = serde_json::from_str(&json_lines[0]).unwrap();
    assert_eq!(first["task"], "aaaa1111task");
    assert_eq!(first["container"], "web");
    assert_eq!(first["message"], "GET / 200");
    assert_eq!(first["group"], group.as_str());
    assert_eq!(first["timestamp"], t0);
}

#[test]
fn logs_follow_prints_new_lines_until_it_is_stopped() {
    let (dir, logs, group) = deployed_with_logs("lf");
    put(
        &logs,
        &group,
        "web/web/cccc3333task",
        &[(now() - 1000, "before follow")],
    );
    let writer = {
        let logs = logs.clone();
        let group = group.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(1500));
            put(
                &logs,
                &group,
                "web/web/cccc3333task",
                &[(now(), "while following")],
            );
        })
    };
    let started = std::time::Instant::now();
    let r = berth(
        dir.path(),
        &[
            "logs",
            "Web",
            "--app",
            "ops",
            "--follow",
            "--follow-for",
            "4s",
        ],
    );
    writer.join().unwrap();
    ok(&r);
    assert!(started.elapsed() >= std::time::Duration::from_secs(4));
    assert_eq!(
        r.out, "cccc3333/web before follow\ncccc3333/web while following\n",
        "{}",
        r.err
    );
    // moto answers StartLiveTail with plain JSON, not an event stream: berth polls.
    assert!(r.err.contains("polling"), "{}", r.err);
}

#[test]
fn run_starts_a_task_with_the_services_network_and_exits_with_its_code() {
    let config = sdk();
    let p = unique_prefix("rt");
    let dir = deploy_ops(&p);
    let r = berth(
        dir.path(),
        &[
            "run",
            "Migrate",
            "--app",
            "ops",
            "--service",
            "Web",
            "--command",
            "echo hi there",
            "--env",
            "STEP=1",
            "--wait",
        ],
    );
    ok(&r);
    assert!(r.out.contains(&format!("started 1 task of Ops/Migrate (placement from service Ops/Web) ({p}-migrate:1) in cluster {p}-ops: ")), "{}", r.out);
    assert!(r.out.contains("exited with code 0"), "{}", r.out);
    assert!(r.err.contains(": STOPPED"), "{}", r.err);
    let ecs = aws_sdk_ecs::Client::new(&config);
    block(async {
        let cluster = format!("{p}-ops");
        let arns = ecs
            .list_tasks()
            .cluster(&cluster)
            .started_by("berth")
            .send()
            .await
            .unwrap();
        assert_eq!(arns.task_arns().len(), 1);
        let t = ecs
            .describe_tasks()
            .cluster(&cluster)
            .set_tasks(Some(arns.task_arns().to_vec()))
            .send()
            .await
            .unwrap();
        let task = &t.tasks()[0];
        assert!(task
            .task_definition_arn()
            .unwrap()
            .ends_with(&format!("{p}-migrate:1")));
        let o = &task.overrides().unwrap().container_overrides()[0];
        assert_eq!(o.name(), Some("migrate"));
        assert_eq!(o.command(), ["echo", "hi", "there"]);
        assert_eq!(o.environment()[0].name(), Some("STEP"));
    });
    // Without --wait: the task ids and how to follow them.
    let r = berth(
        dir.path(),
        &[
            "run",
            "Migrate",
            "--app",
            "ops",
            "--service",
            "Web",
            "--json",
        ],
    );
    ok(&r);
    let v: Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(v["tasks"].as_array().unwrap().len(), 1);
}

#[test]
fn status_of_a_service_moto_runs() {
    sdk();
    let p = unique_prefix("st");
    let dir = deploy_ops(&p);
    let r = berth(dir.path(), &["status", "--app", "ops"]);
    ok(&r);
    for expected in [
        format!("Stack {p}-Ops  CREATE_COMPLETE  (last updated "),
        format!("  endpoint: http://{p}-ops.example.test  (WebServiceURL)"),
        format!("Service Ops/Web ({p}-web, cluster {p}-ops)  ACTIVE"),
        format!("  task definition {p}-web:1"),
        "    web              public.ecr.aws/nginx/nginx:latest".to_string(),
        "    sidecar          public.ecr.aws/docker/library/busybox:stable  (not essential)"
            .to_string(),
    ] {
        assert!(
            r.out.contains(&expected),
            "missing {expected:?} in:\n{}",
            r.out
        );
    }
    let r = berth(dir.path(), &["status", "Web", "--app", "ops", "--json"]);
    ok(&r);
    let v: Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(v[0]["services"][0]["desired"], 2);
    assert_eq!(v[0]["services"][0]["name"], format!("{p}-web"));
}

/// The local-run docker stand-in, installed in `dir`.
pub(crate) fn local_docker(dir: &Path, script: &Value) -> PathBuf {
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/local-docker.py"),
    )
    .unwrap();
    let path = dir.join("docker");
    std::fs::write(&path, format!("#!/usr/bin/env python3\n{source}")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::write(dir.join("script.json"), script.to_string()).unwrap();
    path
}

/// The stand-in's recorded calls: arguments and the variables handed through.
pub(crate) fn docker_calls(dir: &Path) -> Vec<(Vec<String>, Value)> {
    std::fs::read_to_string(dir.join("docker.log"))
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let args = v["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect();
            (args, v["env"].clone())
        })
        .collect()
}

#[test]
fn run_local_resolves_secrets_from_ssm_and_secrets_manager() {
    let config = sdk();
    let p = unique_prefix("ls");
    let ssm = aws_sdk_ssm::Client::new(&config);
    let sm = aws_sdk_secretsmanager::Client::new(&config);
    let secret_arn = block(async {
        ssm.put_parameter()
            .name(format!("/{p}/db-password"))
            .value("s3cret pass")
            .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
            .send()
            .await
            .unwrap();
        sm.create_secret()
            .name(format!("{p}-api"))
            .secret_string(r#"{"key":"abc123","other":"x"}"#)
            .send()
            .await
            .unwrap()
            .arn()
            .unwrap()
            .to_string()
    });
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("manifest.json"), json!({"version": "55.0.0", "artifacts": {"Local": {
        "type": "aws:cloudformation:stack", "properties": {"templateFile": "Local.template.json", "stackName": format!("{p}-Local")}}}}).to_string()).unwrap();
    std::fs::write(app.join("Local.template.json"), json!({"Resources": {"TaskDef": {
        "Type": "AWS::ECS::TaskDefinition", "Metadata": {"berth:path": "Local/Api/Resource"},
        "Properties": {"NetworkMode": "awsvpc", "ContainerDefinitions": [{
            "Name": "api", "Image": "app:1", "Essential": true,
            "Environment": [{"Name": "MODE", "Value": "local"}],
            "Secrets": [
                {"Name": "DB_PASSWORD", "ValueFrom": format!("arn:aws:ssm:us-east-1:123456789012:parameter/{p}/db-password")},
                {"Name": "API_KEY", "ValueFrom": format!("{secret_arn}:key::")}]}]}}}}).to_string()).unwrap();
    let docker = local_docker(
        dir.path(),
        &json!({"api": {"exit": 0, "after": 0.1, "logs": ["up"]}}),
    );
    let d = docker.display().to_string();
    require_local_endpoint();
    let r = run_local(
        dir.path(),
        &["run", "--local", "Api", "--app", "app"],
        move |s| s.docker(&d),
    );
    ok(&r);
    let calls = docker_calls(dir.path());
    let (args, env) = calls
        .iter()
        .find(|(a, _)| a[0] == "run" && a.iter().any(|x| x.ends_with("-api")))
        .expect("api started");
    assert_eq!(
        env,
        &json!({"DB_PASSWORD": "s3cret pass", "API_KEY": "abc123"})
    );
    let joined = args.join(" ");
    assert!(
        joined.contains("--env MODE=local --env DB_PASSWORD --env API_KEY app:1"),
        "{joined}"
    );
    assert!(
        !joined.contains("s3cret") && !joined.contains("abc123"),
        "secrets stay out of the argument list: {joined}"
    );

    // --no-secrets: no AWS call is needed, the container starts without them.
    std::fs::remove_file(dir.path().join("docker.log")).unwrap();
    let d = docker.display().to_string();
    let r = run_local(
        dir.path(),
        &["run", "--local", "Api", "--app", "app", "--no-secrets"],
        move |s| s.docker(&d),
    );
    ok(&r);
    let calls = docker_calls(dir.path());
    let (args, env) = calls
        .iter()
        .find(|(a, _)| a[0] == "run" && a.iter().any(|x| x.ends_with("-api")))
        .unwrap();
    assert_eq!(env, &json!({}));
    assert!(!args.join(" ").contains("DB_PASSWORD"));
    assert_eq!(r.code, exit::OK);
}

#[test]
fn logs_follow_ends_on_ctrl_c() {
    let (dir, logs, group) = deployed_with_logs("lc");
    put(
        &logs,
        &group,
        "web/web/dddd4444task",
        &[(now() - 1000, "ready")],
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_berth"))
        .args(["logs", "Web", "--app", "ops", "--follow"])
        .args(["--endpoint-url", &require_local_endpoint()])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once following has started (the note says it polls), interrupt it.
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert!(child.try_wait().unwrap().is_none(), "still following");
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "Ctrl-C ends following normally: {stderr}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "dddd4444/web ready\n");
    assert!(stderr.contains("polling"), "{stderr}");
}
