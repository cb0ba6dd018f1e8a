//! Hotswap and rollout feedback against the scripted fakes: the sequences moto cannot
//! play (its rollout state is fixed at creation): a rollout that completes after a few
//! polls, tasks that keep stopping, the circuit breaker, and a CloudFormation update
//! whose service never stabilizes.

use std::path::Path;
use std::sync::Arc;

use berth_cli::deploy::containers::StoppedTask;
use berth_cli::deploy::fake::{FakeCloudFormation, Script, Step};
use berth_cli::deploy::fake_containers::{service_state, stopped_task, FakeContainers};
use berth_cli::exit;
use serde_json::json;

use crate::common::{run_with, Run};

const STACK: &str = "demo-Web";
const TD1: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1";
const TD2: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2";
const SERVICE: &str = "arn:aws:ecs:us-east-1:123456789012:service/demo-cluster/web";

fn template(image: &str, desired: u32) -> String {
    serde_json::to_string_pretty(&json!({"Resources": {
        "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": "demo-cluster"}},
        "TaskDef": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
            "Cpu": "256", "Memory": "512",
            "ContainerDefinitions": [{"Name": "web", "Image": image, "Essential": true}]},
            "Metadata": {"berth:path": "Web/TaskDef/Resource"}},
        "Service": {"Type": "AWS::ECS::Service", "Properties": {
            "Cluster": {"Ref": "Cluster"}, "TaskDefinition": {"Ref": "TaskDef"}, "DesiredCount": desired},
            "Metadata": {"berth:path": "Web/Service/Service"}}
    }}))
    .unwrap()
}

/// Writes `manifest.json` (one stack, `Web`) and its template into `dir`.
fn write_stack(dir: &Path, template: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let manifest = json!({"version": "55.0.0", "artifacts": {"Web": {
        "type": "aws:cloudformation:stack",
        "environment": "aws://unknown-account/unknown-region",
        "properties": {"templateFile": "Web.template.json", "stackName": STACK}}}});
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
    std::fs::write(dir.join("Web.template.json"), template).unwrap();
}

/// An assembly with the template in `dir/app`.
fn write_assembly(dir: &Path, template: &str) {
    write_stack(&dir.join("app"), template);
}

/// A deployed stack (image `nginx:1`) and fakes that know its physical ids.
fn deployed(script: Script) -> (Arc<FakeCloudFormation>, Arc<FakeContainers>) {
    let cfn = Arc::new(FakeCloudFormation::new());
    cfn.put_stack(STACK, &template("nginx:1", 2), "UPDATE_COMPLETE", script);
    cfn.set_physical_id(STACK, "Cluster", "demo-cluster");
    cfn.set_physical_id(STACK, "TaskDef", TD1);
    cfn.set_physical_id(STACK, "Service", SERVICE);
    (cfn, Arc::new(FakeContainers::new()))
}

fn deploy(
    dir: &Path,
    cfn: &Arc<FakeCloudFormation>,
    ecs: &Arc<FakeContainers>,
    extra: &[&str],
) -> Run {
    let mut args = vec!["deploy", "--app", "app", "--require-approval", "never"];
    args.extend_from_slice(extra);
    let (cfn, ecs) = (Arc::clone(cfn), Arc::clone(ecs));
    run_with(dir, Some(cfn), &args, move |s| s.containers(ecs))
}

fn pull_failure(id: &str) -> StoppedTask {
    stopped_task(
        id,
        TD2,
        "web",
        None,
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): nginx:2: not found",
    )
}

#[test]
fn a_hotswap_registers_a_revision_updates_the_service_and_follows_the_rollout() {
    let dir = tempfile::tempdir().unwrap();
    write_assembly(dir.path(), &template("nginx:2", 2));
    let (cfn, ecs) = deployed(Script::default());
    ecs.script_service(
        "web",
        vec![
            service_state("web", TD2, 2, 0, "IN_PROGRESS", None),
            service_state("web", TD2, 2, 1, "IN_PROGRESS", None),
            service_state("web", TD2, 2, 2, "COMPLETED", None),
        ],
    );
    let r = deploy(dir.path(), &cfn, &ecs, &["--hotswap"]);
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    assert_eq!(
        ecs.calls(),
        [
            format!("RegisterTaskDefinition from {TD1} images [web=nginx:2] -> {TD2}"),
            format!("UpdateService demo-cluster {SERVICE} task_definition={TD2} desired_count=-"),
        ]
    );
    // No CloudFormation update.
    assert!(
        !cfn.calls()
            .iter()
            .any(|c| c.starts_with("UpdateStack") || c.starts_with("CreateChangeSet")),
        "{:?}",
        cfn.calls()
    );
    for expected in [
        "demo-Web: task definition Web/TaskDef/Resource: registered web:2",
        "demo-Web: service Web/Service/Service: updated (task definition web:2)",
        "  STATUS   TASK DEFINITION              DESIRED PENDING RUNNING FAILED  ROLLOUT",
        "  PRIMARY  web:2                              2       1       1      0  IN_PROGRESS",
        "  PRIMARY  web:2                              2       0       2      0  COMPLETED",
        "demo-Web: service Web/Service/Service: rollout complete",
        "✔ demo-Web hotswapped (2 changes)",
        "⚠ demo-Web has drifted from its template until the next full deploy",
    ] {
        assert!(
            r.out.contains(expected),
            "missing {expected:?} in:\n{}",
            r.out
        );
    }
}

#[test]
fn tasks_that_keep_stopping_fail_the_hotswap_with_their_reasons() {
    let dir = tempfile::tempdir().unwrap();
    write_assembly(dir.path(), &template("nginx:2", 2));
    let (cfn, ecs) = deployed(Script::default());
    ecs.script_service(
        "web",
        vec![service_state("web", TD2, 2, 0, "IN_PROGRESS", None)],
    );
    ecs.script_stopped_tasks(
        "web",
        vec![
            vec![pull_failure("t1")],
            vec![pull_failure("t1"), pull_failure("t2")],
            vec![pull_failure("t1"), pull_failure("t2"), pull_failure("t3")],
        ],
    );
    let r = deploy(
        dir.path(),
        &cfn,
        &ecs,
        &["--hotswap", "--max-stopped-tasks", "3"],
    );
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    for expected in [
        "demo-Web: service Web/Service/Service: task t1 stopped: Essential container in task exited (web: CannotPullContainerError",
        "✘ demo-Web failed to hotswap",
        "error: service Web/Service/Service: 3 tasks of the new deployment stopped (limit 3, --max-stopped-tasks)",
        "  stopped task: Essential container in task exited (web: CannotPullContainerError: pull image manifest has been retried 5 time(s): nginx:2: not found)",
        "ECS keeps the previous tasks running",
    ] {
        assert!(r.out.contains(expected), "missing {expected:?} in:\n{}", r.out);
    }
}

#[test]
fn a_tripped_circuit_breaker_fails_at_once_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    write_assembly(dir.path(), &template("nginx:2", 2));
    let (cfn, ecs) = deployed(Script::default());
    ecs.script_service(
        "web",
        vec![
            service_state("web", TD2, 2, 0, "IN_PROGRESS", None),
            service_state(
                "web",
                TD2,
                2,
                0,
                "FAILED",
                Some("ECS deployment circuit breaker: tasks failed to start."),
            ),
        ],
    );
    let r = deploy(dir.path(), &cfn, &ecs, &["--hotswap-only"]);
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    assert!(
        r.out.contains(
            "error: service Web/Service/Service: ECS deployment circuit breaker: tasks failed to start."
        ),
        "{}",
        r.out
    );
}

#[test]
fn a_cloudformation_update_whose_tasks_keep_stopping_is_cancelled_and_rolled_back() {
    let dir = tempfile::tempdir().unwrap();
    // Port mappings change: not hotswappable, so CloudFormation updates the stack.
    let mut t: serde_json::Value = serde_json::from_str(&template("nginx:2", 2)).unwrap();
    t["Resources"]["TaskDef"]["Properties"]["ContainerDefinitions"][0]["PortMappings"] =
        json!([{"ContainerPort": 8080}]);
    write_assembly(dir.path(), &t.to_string());
    let (cfn, ecs) = deployed(Script::default());
    let mut steps = vec![Step::new("UPDATE_IN_PROGRESS").event(
        "Service",
        "AWS::ECS::Service",
        "UPDATE_IN_PROGRESS",
    )];
    // CloudFormation would wait for hours for a service that never stabilizes.
    steps.extend((0..50).map(|_| Step::new("UPDATE_IN_PROGRESS")));
    steps.push(Step::new("UPDATE_COMPLETE"));
    cfn.script(STACK, Script::new(steps));
    ecs.script_service(
        "web",
        vec![service_state("web", TD2, 2, 0, "IN_PROGRESS", None)],
    );
    ecs.script_stopped_tasks(
        "web",
        vec![
            vec![pull_failure("t1")],
            vec![pull_failure("t1"), pull_failure("t2")],
        ],
    );
    let r = deploy(
        dir.path(),
        &cfn,
        &ecs,
        &[
            "--hotswap",
            "--method",
            "direct",
            "--max-stopped-tasks",
            "2",
        ],
    );
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    assert!(
        cfn.calls().contains(&format!("CancelUpdateStack {STACK}")),
        "{:?}",
        cfn.calls()
    );
    for expected in [
        "hotswap not possible, deploying through CloudFormation:\n    - Web/TaskDef/Resource (TaskDef, AWS::ECS::TaskDefinition): container web: PortMappings changed",
        "demo-Web: service Web/Service/Service: task t2 stopped",
        "demo-Web: the service rollout failed: cancelling the update (CloudFormation rolls it back)",
        "✘ demo-Web failed to deploy (final status UPDATE_ROLLBACK_COMPLETE)",
        "error: service Web/Service/Service: 2 tasks of the new deployment stopped (limit 2, --max-stopped-tasks)",
        "the update was cancelled and rolled back",
    ] {
        assert!(r.out.contains(expected), "missing {expected:?} in:\n{}", r.out);
    }
}

#[test]
fn watch_resynthesizes_on_a_change_and_hotswaps_printing_one_line_per_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    // The "app": a command that copies the sources into the assembly directory.
    let src = root.join("src");
    write_stack(&src, &template("nginx:1", 2));
    let (cfn, ecs) = deployed(Script::default());
    ecs.script_service(
        "web",
        vec![service_state("web", TD2, 2, 2, "COMPLETED", None)],
    );

    let editor = {
        let src = src.clone();
        let cfn = Arc::clone(&cfn);
        std::thread::spawn(move || {
            // Once the first cycle has looked at the deployed stack, edit the app.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
            while !cfn.calls().iter().any(|c| c.starts_with("GetTemplate")) {
                assert!(
                    std::time::Instant::now() < deadline,
                    "first cycle never ran"
                );
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            std::thread::sleep(std::time::Duration::from_millis(300));
            // As editors do: write beside, then rename (a cycle never sees half a file).
            let tmp = src.join(".Web.template.json.tmp");
            std::fs::write(&tmp, template("nginx:2", 3)).unwrap();
            std::fs::rename(&tmp, src.join("Web.template.json")).unwrap();
        })
    };
    let (cfn2, ecs2) = (Arc::clone(&cfn), Arc::clone(&ecs));
    let r = run_with(
        &root,
        Some(cfn2),
        &[
            "watch",
            "--app",
            "mkdir -p \"$BERTH_OUTDIR\" && cp src/* \"$BERTH_OUTDIR\"/",
            "--debounce-ms",
            "100",
            "--cycles",
            "2",
        ],
        move |s| s.containers(ecs2),
    );
    editor.join().unwrap();
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    let lines: Vec<&str> = r.out.lines().collect();
    assert_eq!(lines.len(), 2, "one line per cycle:\n{}", r.out);
    assert!(
        lines[0].starts_with("✔ cycle 1: demo-Web unchanged ("),
        "{}",
        r.out
    );
    assert!(
        lines[1].starts_with("✔ cycle 2: demo-Web hotswapped (2 changes) ("),
        "{}",
        r.out
    );
    assert_eq!(
        ecs.calls(),
        [
            format!("RegisterTaskDefinition from {TD1} images [web=nginx:2] -> {TD2}"),
            format!("UpdateService demo-cluster {SERVICE} task_definition={TD2} desired_count=3"),
        ]
    );
    assert!(r.err.contains("watching"), "{}", r.err);
}
