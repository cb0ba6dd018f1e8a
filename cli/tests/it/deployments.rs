//! Blue/green, linear and canary service deployments against the scripted fakes:
//! moto has no `DescribeServiceDeployments`, `ContinueServiceDeployment` or
//! `StopServiceDeployment` (see `deployments_e2e` for what moto does store), so the
//! deployment state machine plays here: stages advancing, traffic shifting, bake time,
//! an alarm rollback, a pause answered on the (injected) terminal, `--on-pause
//! rollback`, a pause left to time out, `berth deployment continue` from a second
//! invocation, and a CloudFormation update rolled back by ECS. Every test snapshots
//! the lines the user sees.

use std::path::Path;
use std::sync::Arc;

use berth_cli::deploy::containers::{MonitorState, ServiceDeploymentState};
use berth_cli::deploy::fake::{FakeCloudFormation, Script, Step};
use berth_cli::deploy::fake_containers::{
    deployment_arn, deployment_state, pause_hook, service_state, DeploymentStep, FakeContainers,
};
use berth_cli::exit;
use berth_cli::prompt::ScriptedPrompter;
use serde_json::json;

use crate::common::{run_with, Run};

const STACK: &str = "demo-Web";
const TD1: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1";
const TD2: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2";
const SERVICE: &str = "arn:aws:ecs:us-east-1:123456789012:service/demo-cluster/web";
const HOOK: &str = "ecs-pause-e7tK9G_WRJqNF";
/// 2026-01-01T00:00:00Z.
const EXPIRES: u64 = 1_767_225_600;

fn template(image: &str) -> String {
    serde_json::to_string_pretty(&json!({"Resources": {
        "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": "demo-cluster"}},
        "TaskDef": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
            "Cpu": "256", "Memory": "512",
            "ContainerDefinitions": [{"Name": "web", "Image": image, "Essential": true,
                                      "PortMappings": [{"ContainerPort": 80}]}]},
            "Metadata": {"berth:path": "Web/TaskDef/Resource"}},
        "Service": {"Type": "AWS::ECS::Service", "Properties": {
            "Cluster": {"Ref": "Cluster"}, "TaskDefinition": {"Ref": "TaskDef"}, "DesiredCount": 2,
            "DeploymentConfiguration": {"Strategy": "CANARY", "BakeTimeInMinutes": 10,
                "CanaryConfiguration": {"CanaryPercent": 10.0, "CanaryBakeTimeInMinutes": 5},
                "LifecycleHooks": [{"TargetType": "PAUSE", "LifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"]}]}},
            "Metadata": {"berth:path": "Web/Service/Service"}}
    }}))
    .unwrap()
}

fn write_app(dir: &Path, template: &str) {
    let app = dir.join("app");
    std::fs::create_dir_all(&app).unwrap();
    let manifest = json!({"version": "55.0.0", "artifacts": {"Web": {
        "type": "aws:cloudformation:stack",
        "environment": "aws://unknown-account/unknown-region",
        "properties": {"templateFile": "Web.template.json", "stackName": STACK}}}});
    std::fs::write(app.join("manifest.json"), manifest.to_string()).unwrap();
    std::fs::write(app.join("Web.template.json"), template).unwrap();
}

/// A deployed stack (image `nginx:1`), the app with image `nginx:2` (a hotswap), and
/// the service's rollout done as far as `DescribeServices` tells.
fn setup(dir: &Path) -> (Arc<FakeCloudFormation>, Arc<FakeContainers>) {
    write_app(dir, &template("nginx:2"));
    let cfn = Arc::new(FakeCloudFormation::new());
    cfn.put_stack(
        STACK,
        &template("nginx:1"),
        "UPDATE_COMPLETE",
        Script::default(),
    );
    cfn.set_physical_id(STACK, "Cluster", "demo-cluster");
    cfn.set_physical_id(STACK, "TaskDef", TD1);
    cfn.set_physical_id(STACK, "Service", SERVICE);
    let ecs = Arc::new(FakeContainers::new());
    ecs.script_service(
        "web",
        vec![service_state("web", TD2, 2, 2, "COMPLETED", None)],
    );
    (cfn, ecs)
}

fn run(
    dir: &Path,
    cfn: &Arc<FakeCloudFormation>,
    ecs: &Arc<FakeContainers>,
    args: &[&str],
    prompter: Option<Arc<ScriptedPrompter>>,
) -> Run {
    let mut argv: Vec<&str> = args.to_vec();
    argv.extend(["--app", "app"]);
    let (cfn, ecs) = (Arc::clone(cfn), Arc::clone(ecs));
    run_with(dir, Some(cfn), &argv, move |s| {
        let s = s.containers(ecs);
        match prompter {
            Some(p) => s.prompter(p),
            None => s,
        }
    })
}

fn hotswap(
    dir: &Path,
    cfn: &Arc<FakeCloudFormation>,
    ecs: &Arc<FakeContainers>,
    extra: &[&str],
    prompter: Option<Arc<ScriptedPrompter>>,
) -> Run {
    let mut args = vec!["deploy", "--hotswap-only", "--require-approval", "never"];
    args.extend_from_slice(extra);
    run(dir, cfn, ecs, &args, prompter)
}

fn arn() -> String {
    deployment_arn("web", "4b5c6d7e")
}

fn at(status: &str, stage: Option<&str>, traffic: (f64, f64)) -> ServiceDeploymentState {
    let mut d = deployment_state(&arn(), "CANARY", status, stage, traffic);
    d.bake_time_minutes = Some(10);
    d
}

fn step(status: &str, stage: Option<&str>, traffic: (f64, f64)) -> DeploymentStep {
    DeploymentStep::State(at(status, stage, traffic))
}

/// The stages up to the pause after the test traffic shift.
fn up_to_the_test_traffic() -> Vec<DeploymentStep> {
    let mut test = at("IN_PROGRESS", Some("TEST_TRAFFIC_SHIFT"), (100.0, 0.0));
    if let Some(t) = test.target.as_mut() {
        t.test_weight = Some(100.0);
    }
    vec![
        step("PENDING", None, (100.0, 0.0)),
        step("IN_PROGRESS", Some("SCALE_UP"), (100.0, 0.0)),
        DeploymentStep::State(test),
    ]
}

fn paused(status_of_hook: &str) -> ServiceDeploymentState {
    let mut d = at("IN_PROGRESS", Some("POST_TEST_TRAFFIC_SHIFT"), (100.0, 0.0));
    d.hooks = vec![pause_hook(HOOK, status_of_hook, EXPIRES, "ROLLBACK")];
    d
}

/// Continued: the canary, the rest, the bake time, done.
fn after_continue() -> Vec<DeploymentStep> {
    let hook_done = |mut d: ServiceDeploymentState| {
        d.hooks = vec![pause_hook(HOOK, "SUCCEEDED", EXPIRES, "ROLLBACK")];
        DeploymentStep::State(d)
    };
    vec![
        hook_done(at(
            "IN_PROGRESS",
            Some("PRODUCTION_TRAFFIC_SHIFT"),
            (90.0, 10.0),
        )),
        hook_done(at(
            "IN_PROGRESS",
            Some("PRODUCTION_TRAFFIC_SHIFT"),
            (0.0, 100.0),
        )),
        hook_done(at("IN_PROGRESS", Some("BAKE_TIME"), (0.0, 100.0))),
        hook_done(at("SUCCESSFUL", Some("CLEAN_UP"), (0.0, 100.0))),
    ]
}

/// Rolled back after a rollback answer (the hook fails).
fn after_rollback() -> Vec<DeploymentStep> {
    let hook_failed = |mut d: ServiceDeploymentState| {
        d.hooks = vec![pause_hook(HOOK, "FAILED", EXPIRES, "ROLLBACK")];
        DeploymentStep::State(d)
    };
    vec![
        hook_failed(at(
            "ROLLBACK_IN_PROGRESS",
            Some("POST_TEST_TRAFFIC_SHIFT"),
            (100.0, 0.0),
        )),
        hook_failed(at("ROLLBACK_SUCCESSFUL", None, (100.0, 0.0))),
    ]
}

fn gated(expires_after: Option<(usize, Vec<DeploymentStep>)>) -> Vec<DeploymentStep> {
    let mut steps = up_to_the_test_traffic();
    steps.push(DeploymentStep::Pause {
        state: paused("AWAITING_ACTION"),
        hook_id: HOOK.into(),
        on_continue: after_continue(),
        on_rollback: after_rollback(),
        expires_after,
    });
    steps
}

fn snapshot(name: &str, r: &Run) {
    insta::assert_snapshot!(
        name,
        format!(
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            r.code, r.out, r.err
        )
    );
}

#[test]
fn a_canary_hotswap_shows_its_stages_traffic_and_bake_time_until_it_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let (cfn, ecs) = setup(dir.path());
    let mut steps = up_to_the_test_traffic();
    steps.extend([
        step("IN_PROGRESS", Some("POST_TEST_TRAFFIC_SHIFT"), (100.0, 0.0)),
        step(
            "IN_PROGRESS",
            Some("PRODUCTION_TRAFFIC_SHIFT"),
            (90.0, 10.0),
        ),
        step(
            "IN_PROGRESS",
            Some("PRODUCTION_TRAFFIC_SHIFT"),
            (0.0, 100.0),
        ),
        step("IN_PROGRESS", Some("BAKE_TIME"), (0.0, 100.0)),
        step("SUCCESSFUL", Some("CLEAN_UP"), (0.0, 100.0)),
    ]);
    ecs.script_service_deployment("web", &arn(), steps);
    let r = hotswap(dir.path(), &cfn, &ecs, &[], None);
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    snapshot("canary_hotswap_succeeds", &r);
}

#[test]
fn an_alarm_in_alarm_rolls_the_canary_back_and_is_named_as_the_trigger() {
    let dir = tempfile::tempdir().unwrap();
    let (cfn, ecs) = setup(dir.path());
    let alarmed = |status: &str, stage: Option<&str>, traffic| {
        let mut d = at(status, stage, traffic);
        d.alarms = Some(MonitorState {
            status: "TRIGGERED".into(),
            alarm_names: vec!["Web-Target5xx".into(), "Web-UnhealthyHosts".into()],
            triggered: vec!["Web-Target5xx".into()],
            ..Default::default()
        });
        d.status_reason =
            Some("Service deployment rolled back because alarm(s) were triggered.".into());
        DeploymentStep::State(d)
    };
    let mut steps = up_to_the_test_traffic();
    steps.extend([
        step(
            "IN_PROGRESS",
            Some("PRODUCTION_TRAFFIC_SHIFT"),
            (90.0, 10.0),
        ),
        alarmed(
            "ROLLBACK_IN_PROGRESS",
            Some("PRODUCTION_TRAFFIC_SHIFT"),
            (100.0, 0.0),
        ),
        alarmed("ROLLBACK_SUCCESSFUL", None, (100.0, 0.0)),
    ]);
    ecs.script_service_deployment("web", &arn(), steps);
    let r = hotswap(dir.path(), &cfn, &ecs, &[], None);
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    snapshot("canary_alarm_rollback", &r);
}

#[test]
fn a_pause_is_answered_continue_on_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let (cfn, ecs) = setup(dir.path());
    ecs.script_service_deployment("web", &arn(), gated(None));
    let prompter = Arc::new(ScriptedPrompter::choosing(&["continue"]));
    let r = hotswap(dir.path(), &cfn, &ecs, &[], Some(Arc::clone(&prompter)));
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    assert_eq!(
        *prompter.asked.lock().unwrap(),
        [format!("demo-Web: service Web/Service/Service is paused at POST_TEST_TRAFFIC_SHIFT (hook {HOOK}, times out at 2026-01-01T00:00:00Z, then ROLLBACK). Continue the deployment, roll it back, or wait? (continue/rollback/wait)")]
    );
    assert!(
        ecs.calls().contains(&format!(
            "ContinueServiceDeployment {} hook={HOOK} action=CONTINUE",
            arn()
        )),
        "{:?}",
        ecs.calls()
    );
    snapshot("pause_answered_on_the_terminal", &r);
}

#[test]
fn on_pause_rollback_answers_without_asking_and_reports_the_answer_as_the_trigger() {
    let dir = tempfile::tempdir().unwrap();
    let (cfn, ecs) = setup(dir.path());
    ecs.script_service_deployment("web", &arn(), gated(None));
    // Even with a terminal: the flag decides.
    let prompter = Arc::new(ScriptedPrompter::choosing(&["continue"]));
    let r = hotswap(
        dir.path(),
        &cfn,
        &ecs,
        &["--on-pause", "rollback"],
        Some(Arc::clone(&prompter)),
    );
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    assert!(prompter.asked.lock().unwrap().is_empty());
    assert!(
        ecs.calls().contains(&format!(
            "ContinueServiceDeployment {} hook={HOOK} action=ROLLBACK",
            arn()
        )),
        "{:?}",
        ecs.calls()
    );
    snapshot("on_pause_rollback", &r);
}

#[test]
fn a_pause_left_unanswered_times_out_and_ecs_rolls_back() {
    let dir = tempfile::tempdir().unwrap();
    let (cfn, ecs) = setup(dir.path());
    let timed_out = |status: &str| {
        let mut d = at(status, None, (100.0, 0.0));
        d.hooks = vec![pause_hook(HOOK, "TIMED_OUT", EXPIRES, "ROLLBACK")];
        DeploymentStep::State(d)
    };
    let timeout = vec![
        timed_out("ROLLBACK_IN_PROGRESS"),
        timed_out("ROLLBACK_SUCCESSFUL"),
    ];
    ecs.script_service_deployment("web", &arn(), gated(Some((5, timeout))));
    // No terminal: wait (the default), saying how to answer.
    let r = hotswap(dir.path(), &cfn, &ecs, &[], None);
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    assert!(
        !ecs.calls()
            .iter()
            .any(|c| c.starts_with("ContinueServiceDeployment")),
        "{:?}",
        ecs.calls()
    );
    snapshot("pause_times_out", &r);
}

#[test]
fn deployment_continue_from_a_second_invocation_answers_the_waiting_deploy() {
    let dir = tempfile::tempdir().unwrap();
    let (cfn, ecs) = setup(dir.path());
    ecs.script_service_deployment("web", &arn(), gated(None));
    let deploy = {
        let (dir, cfn, ecs) = (dir.path().to_path_buf(), Arc::clone(&cfn), Arc::clone(&ecs));
        std::thread::spawn(move || hotswap(&dir, &cfn, &ecs, &["--on-pause", "wait"], None))
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while ecs.paused_hook("web").is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the deployment never paused"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let answer = run(
        dir.path(),
        &cfn,
        &ecs,
        &["deployment", "continue", "Web/Service"],
        None,
    );
    assert_eq!(answer.code, exit::OK, "{}{}", answer.out, answer.err);
    let r = deploy.join().unwrap();
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    snapshot("second_invocation_answer", &answer);
    snapshot("second_invocation_deploy", &r);
}

#[test]
fn deployment_commands_say_what_there_is_to_answer_or_stop() {
    let dir = tempfile::tempdir().unwrap();
    let (cfn, ecs) = setup(dir.path());
    // Not paused (yet): nothing to answer.
    ecs.script_service_deployment("web", &arn(), up_to_the_test_traffic());
    let r = run(
        dir.path(),
        &cfn,
        &ecs,
        &["deployment", "continue", "Web"],
        None,
    );
    assert_eq!(r.code, exit::APP, "{}{}", r.out, r.err);
    snapshot("deployment_continue_nothing_paused", &r);
    // Stop (by ARN: no app needed), rolling back.
    let r = run_with(
        dir.path(),
        Some(cfn.clone()),
        &["deployment", "stop", SERVICE],
        {
            let ecs = Arc::clone(&ecs);
            move |s| s.containers(ecs)
        },
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    assert!(ecs.calls().contains(&format!(
        "StopServiceDeployment {} stop_type=ROLLBACK",
        arn()
    )));
    snapshot("deployment_stop", &r);
    // Ended: nothing to stop.
    ecs.script_service_deployment(
        "web",
        &arn(),
        vec![step("SUCCESSFUL", Some("CLEAN_UP"), (0.0, 100.0))],
    );
    let r = run(
        dir.path(),
        &cfn,
        &ecs,
        &["deployment", "stop", "Web", "--abort"],
        None,
    );
    assert_eq!(r.code, exit::APP, "{}{}", r.out, r.err);
    snapshot("deployment_stop_ended", &r);
}

#[test]
fn a_cloudformation_update_rolled_back_by_ecs_is_not_cancelled_and_names_the_trigger() {
    let dir = tempfile::tempdir().unwrap();
    // The strategy changes: not hotswappable, so CloudFormation updates the service.
    let mut t: serde_json::Value = serde_json::from_str(&template("nginx:2")).unwrap();
    t["Resources"]["Service"]["Properties"]["DeploymentConfiguration"]["BakeTimeInMinutes"] =
        json!(20);
    let (cfn, ecs) = setup(dir.path());
    write_app(dir.path(), &t.to_string());
    let mut steps = vec![Step::new("UPDATE_IN_PROGRESS").event(
        "Service",
        "AWS::ECS::Service",
        "UPDATE_IN_PROGRESS",
    )];
    steps.extend((0..30).map(|_| Step::new("UPDATE_IN_PROGRESS")));
    steps.push(Step::new("UPDATE_ROLLBACK_COMPLETE").event(
        "Service",
        "AWS::ECS::Service",
        "UPDATE_FAILED",
    ));
    cfn.script(STACK, Script::new(steps));
    let breaker = |status: &str| {
        let mut d = at(status, None, (100.0, 0.0));
        d.circuit_breaker = Some(MonitorState {
            status: "TRIGGERED".into(),
            failure_count: 3,
            threshold: 3,
            ..Default::default()
        });
        DeploymentStep::State(d)
    };
    ecs.script_service_deployment(
        "web",
        &arn(),
        vec![
            step("IN_PROGRESS", Some("SCALE_UP"), (100.0, 0.0)),
            breaker("ROLLBACK_IN_PROGRESS"),
            breaker("ROLLBACK_SUCCESSFUL"),
        ],
    );
    let r = run(
        dir.path(),
        &cfn,
        &ecs,
        &[
            "deploy",
            "--method",
            "direct",
            "--require-approval",
            "never",
        ],
        None,
    );
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    assert!(
        !cfn.calls()
            .iter()
            .any(|c| c.starts_with("CancelUpdateStack")),
        "{:?}",
        cfn.calls()
    );
    snapshot("cloudformation_update_rolled_back_by_ecs", &r);
}
