//! Failure diagnosis: when a rollout keeps stopping tasks, the last log lines of each
//! container that exited non-zero are shown under the stopped task, while it happens
//! (before CloudFormation rolls back), and repeated in the failure report. Against the
//! scripted fakes (moto cannot crash a task).

use std::path::Path;
use std::sync::Arc;

use berth_cli::deploy::containers::StoppedTask;
use berth_cli::deploy::fake::{FakeCloudFormation, Script, Step};
use berth_cli::deploy::fake_containers::{service_state, stopped_task, FakeContainers};
use berth_cli::exit;
use serde_json::json;

use crate::common::run_with;

const STACK: &str = "diag-Web";
const TD1: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1";
const TD2: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2";
const SERVICE: &str = "arn:aws:ecs:us-east-1:123456789012:service/diag-cluster/web";

fn template(image: &str, port: Option<u16>) -> String {
    let mut c = json!({"Name": "web", "Image": image, "Essential": true});
    if let Some(p) = port {
        c["PortMappings"] = json!([{"ContainerPort": p}]);
    }
    json!({"Resources": {
        "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": "diag-cluster"}},
        "TaskDef": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"ContainerDefinitions": [c]},
            "Metadata": {"berth:path": "Web/TaskDef/Resource"}},
        "Service": {"Type": "AWS::ECS::Service", "Properties": {
            "Cluster": {"Ref": "Cluster"}, "TaskDefinition": {"Ref": "TaskDef"}, "DesiredCount": 2},
            "Metadata": {"berth:path": "Web/Service/Service"}}
    }})
    .to_string()
}

fn write_app(dir: &Path, template: &str) {
    let app = dir.join("app");
    std::fs::create_dir_all(&app).unwrap();
    let manifest = json!({"version": "55.0.0", "artifacts": {"Web": {
        "type": "aws:cloudformation:stack",
        "properties": {"templateFile": "Web.template.json", "stackName": STACK}}}});
    std::fs::write(app.join("manifest.json"), manifest.to_string()).unwrap();
    std::fs::write(app.join("Web.template.json"), template).unwrap();
}

fn crash(id: &str) -> StoppedTask {
    stopped_task(id, TD2, "web", Some(1), "exited")
}

fn fakes() -> (Arc<FakeCloudFormation>, Arc<FakeContainers>) {
    let cfn = Arc::new(FakeCloudFormation::new());
    cfn.put_stack(
        STACK,
        &template("app:1", None),
        "UPDATE_COMPLETE",
        Script::default(),
    );
    cfn.set_physical_id(STACK, "Cluster", "diag-cluster");
    cfn.set_physical_id(STACK, "TaskDef", TD1);
    cfn.set_physical_id(STACK, "Service", SERVICE);
    let ecs = Arc::new(FakeContainers::new());
    ecs.script_service(
        "web",
        vec![service_state("web", TD2, 2, 0, "IN_PROGRESS", None)],
    );
    ecs.script_stopped_tasks(
        "web",
        vec![vec![crash("t1")], vec![crash("t1"), crash("t2")]],
    );
    for t in ["t1", "t2"] {
        ecs.script_logs(
            t,
            "web",
            &[
                "listening on :8080",
                "thread 'main' panicked at src/main.rs:12:5:",
                "DATABASE_URL is not set",
            ],
        );
    }
    (cfn, ecs)
}

#[test]
fn a_hotswap_whose_tasks_crash_shows_their_last_log_lines() {
    let dir = tempfile::tempdir().unwrap();
    write_app(dir.path(), &template("app:2", None));
    let (cfn, ecs) = fakes();
    let e = Arc::clone(&ecs);
    let r = run_with(
        dir.path(),
        Some(cfn),
        &[
            "deploy",
            "--app",
            "app",
            "--require-approval",
            "never",
            "--hotswap-only",
            "--max-stopped-tasks",
            "2",
        ],
        move |s| s.containers(e),
    );
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    let lines: Vec<&str> = r
        .out
        .lines()
        .filter(|l| !l.trim_start().starts_with("STATUS") && !l.trim_start().starts_with("PRIMARY"))
        .collect();
    insta::assert_snapshot!("diagnosis_hotswap", lines.join("\n"));
}

#[test]
fn a_cloudformation_update_shows_the_crash_before_it_is_rolled_back() {
    let dir = tempfile::tempdir().unwrap();
    // A port mapping change is not hotswappable: CloudFormation updates the stack.
    write_app(dir.path(), &template("app:2", Some(8080)));
    let (cfn, ecs) = fakes();
    let mut steps = vec![Step::new("UPDATE_IN_PROGRESS").event(
        "Service",
        "AWS::ECS::Service",
        "UPDATE_IN_PROGRESS",
    )];
    steps.extend((0..50).map(|_| Step::new("UPDATE_IN_PROGRESS")));
    steps.push(Step::new("UPDATE_COMPLETE"));
    cfn.script(STACK, Script::new(steps));
    let e = Arc::clone(&ecs);
    let r = run_with(
        dir.path(),
        Some(Arc::clone(&cfn) as _),
        &[
            "deploy",
            "--app",
            "app",
            "--require-approval",
            "never",
            "--method",
            "direct",
            "--max-stopped-tasks",
            "2",
        ],
        move |s| s.containers(e),
    );
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    let tail = r
        .out
        .find("| DATABASE_URL is not set")
        .expect("the log tail is shown");
    let cancel = r
        .out
        .find("cancelling the update")
        .expect("the update is cancelled");
    let rolled_back = r.out.find("UPDATE_ROLLBACK_COMPLETE").expect("rolled back");
    assert!(
        tail < cancel && cancel < rolled_back,
        "the crash is shown before the rollback:\n{}",
        r.out
    );
    assert!(
        r.out.contains("  last 3 log lines of web in task t1 (exit code 1):\n    | listening on :8080\n    | thread 'main' panicked at src/main.rs:12:5:\n    | DATABASE_URL is not set"),
        "{}",
        r.out
    );
}
