//! The deploy engine against the scripted fake: event streams, rollback reports,
//! approval, waiting for stacks in progress, parallel deployment, destroy failures.

use std::sync::Arc;

use berth_cli::deploy::api::ApiError;
use berth_cli::deploy::fake::{FakeCloudFormation, Script, Step};
use berth_cli::exit;
use berth_cli::prompt::ScriptedPrompter;

use crate::common::{materialize, run, run_with};

const CLUSTER: &str = "AWS::ECS::Cluster";
const REPO: &str = "AWS::ECR::Repository";
const LOGS: &str = "AWS::Logs::LogGroup";

fn fake() -> Arc<FakeCloudFormation> {
    Arc::new(FakeCloudFormation::new())
}

fn rollback_script() -> Script {
    Script::new(vec![
        Step::new("CREATE_IN_PROGRESS")
            .event("ClusterEB0386A7", CLUSTER, "CREATE_IN_PROGRESS")
            .event("RepoAB2E9F4C", REPO, "CREATE_IN_PROGRESS"),
        Step::new("CREATE_IN_PROGRESS")
            .event("ClusterEB0386A7", CLUSTER, "CREATE_COMPLETE")
            .event_with_reason(
                "RepoAB2E9F4C",
                REPO,
                "CREATE_FAILED",
                "Resource handler returned message: \"Repository demo-svc-repo already exists\" (HandlerErrorCode: AlreadyExists)",
            )
            .event_with_reason(
                "LogGroupF5B46931",
                LOGS,
                "CREATE_FAILED",
                "Resource creation cancelled",
            ),
        Step::new("ROLLBACK_IN_PROGRESS")
            .event_with_reason(
                "demo-Service",
                "AWS::CloudFormation::Stack",
                "ROLLBACK_IN_PROGRESS",
                "The following resource(s) failed to create: [RepoAB2E9F4C, LogGroupF5B46931]. Rollback requested by user.",
            )
            .event("ClusterEB0386A7", CLUSTER, "DELETE_IN_PROGRESS"),
        Step::new("ROLLBACK_COMPLETE").event("ClusterEB0386A7", CLUSTER, "DELETE_COMPLETE"),
    ])
}

#[test]
fn events_stream_and_a_rollback_is_reported_with_construct_paths() {
    let dir = materialize(&["single"], "demo");
    let api = fake();
    api.script("demo-Service", rollback_script());
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["deploy", "--app", "single", "--require-approval", "never"],
    );
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    assert_eq!(
        api.status("demo-Service").as_deref(),
        Some("ROLLBACK_COMPLETE")
    );
    assert!(
        r.out.contains("final status ROLLBACK_COMPLETE"),
        "{}",
        r.out
    );
    assert!(
        r.out.contains("Service/Repo/Resource  RepoAB2E9F4C"),
        "{}",
        r.out
    );
    insta::assert_snapshot!("deploy_rollback", r.out);
}

#[test]
fn no_rollback_is_passed_on_and_explained() {
    let dir = materialize(&["single"], "demo");
    let api = fake();
    api.script(
        "demo-Service",
        Script::new(vec![Step::new("CREATE_FAILED").event_with_reason(
            "RepoAB2E9F4C",
            REPO,
            "CREATE_FAILED",
            "already exists",
        )]),
    );
    let r = run(
        dir.path(),
        Some(api.clone()),
        &[
            "deploy",
            "--app",
            "single",
            "--require-approval",
            "never",
            "--no-rollback",
            "--method",
            "direct",
        ],
    );
    assert_eq!(r.code, exit::FAILED);
    let calls = api.calls();
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with("CreateStack demo-Service")
                && c.ends_with("disable_rollback=true")),
        "{calls:?}"
    );
    assert!(r.out.contains("rollback is disabled"), "{}", r.out);
    assert!(r.out.contains("final status CREATE_FAILED"), "{}", r.out);
}

#[test]
fn change_set_create_then_no_changes_then_update() {
    let dir = materialize(&["single", "single-v2"], "demo");
    let api = fake();
    let args = ["deploy", "--app", "single", "--require-approval", "never"];
    let r = run(dir.path(), Some(api.clone()), &args);
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    insta::assert_snapshot!("deploy_events", r.out);
    // The template has an IAM role without a name: CAPABILITY_IAM, and the stack's tags.
    let calls = api.calls();
    let create = calls
        .iter()
        .find(|c| c.starts_with("CreateChangeSet"))
        .expect("a change set");
    assert!(
        create.contains("capabilities=[\"CAPABILITY_IAM\"]"),
        "{create}"
    );
    assert!(create.contains("tags={\"team\": \"platform\"}"), "{create}");
    assert!(create.ends_with("kind=Create"), "{create}");

    // Same template, parameters and tags: skipped without a change set.
    let r = run(dir.path(), Some(api.clone()), &args);
    assert_eq!(r.code, exit::OK);
    assert!(r.out.contains("✔ demo-Service: no changes"), "{}", r.out);
    assert!(r.out.contains("unchanged"), "{}", r.out);
    let calls = api.calls();
    assert_eq!(
        calls
            .iter()
            .filter(|c| c.starts_with("CreateChangeSet"))
            .count(),
        1
    );

    // --force: CloudFormation is asked, finds nothing to change, and the empty change
    // set is deleted instead of executed.
    let mut forced = args.to_vec();
    forced.push("--force");
    let r = run(dir.path(), Some(api.clone()), &forced);
    assert_eq!(r.code, exit::OK);
    assert!(r.out.contains("✔ demo-Service: no changes"), "{}", r.out);
    let calls = api.calls();
    assert_eq!(
        calls
            .iter()
            .filter(|c| c.starts_with("CreateChangeSet"))
            .count(),
        2
    );
    assert_eq!(
        calls
            .iter()
            .filter(|c| c.starts_with("ExecuteChangeSet"))
            .count(),
        1
    );
    assert!(
        calls
            .last()
            .is_some_and(|c| c.starts_with("DeleteChangeSet")),
        "{calls:?}"
    );

    let r = run(
        dir.path(),
        Some(api.clone()),
        &[
            "deploy",
            "--app",
            "single-v2",
            "--require-approval",
            "never",
        ],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    assert!(r.out.contains("UPDATE_COMPLETE"), "{}", r.out);
    assert!(api
        .template("demo-Service")
        .unwrap()
        .contains("demo-svc-cluster2"));
}

#[test]
fn broadening_changes_without_a_terminal_fail_before_touching_anything() {
    let dir = materialize(&["single"], "demo");
    let api = fake();
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["deploy", "--app", "single"],
    );
    assert_eq!(r.code, exit::NOT_APPROVED);
    assert!(r.err.contains("needs approval"), "{}", r.err);
    assert!(r.err.contains("no terminal"), "{}", r.err);
    assert!(r.out.contains("Security changes"), "{}", r.out);
    assert!(
        !api.calls().iter().any(|c| c.starts_with("Create")),
        "{:?}",
        api.calls()
    );
}

#[test]
fn approval_questions_are_asked_and_answers_obeyed() {
    let dir = materialize(&["single", "single-v2"], "demo");
    let api = fake();
    // Refused: nothing deployed.
    let prompter = Arc::new(ScriptedPrompter::new(&[false]));
    let p = prompter.clone();
    let r = run_with(
        dir.path(),
        Some(api.clone()),
        &["deploy", "--app", "single"],
        |s| s.prompter(p),
    );
    assert_eq!(r.code, exit::NOT_APPROVED);
    assert_eq!(prompter.asked.lock().unwrap().len(), 1);
    assert!(api.status("demo-Service").is_none());
    // Approved: deployed.
    let prompter = Arc::new(ScriptedPrompter::new(&[true]));
    let p = prompter.clone();
    let r = run_with(
        dir.path(),
        Some(api.clone()),
        &["deploy", "--app", "single"],
        |s| s.prompter(p),
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    assert!(prompter.asked.lock().unwrap()[0].contains("broadens"));
    // any-change asks for a change that broadens nothing; broadening does not.
    let v3 = dir.path().join("single-v3");
    std::fs::create_dir_all(&v3).unwrap();
    std::fs::copy(
        dir.path().join("single/manifest.json"),
        v3.join("manifest.json"),
    )
    .unwrap();
    let t = std::fs::read_to_string(dir.path().join("single/Service.template.json")).unwrap();
    std::fs::write(
        v3.join("Service.template.json"),
        t.replace("\"RetentionInDays\": 7", "\"RetentionInDays\": 30"),
    )
    .unwrap();
    let prompter = Arc::new(ScriptedPrompter::new(&[]));
    let p = prompter.clone();
    let r = run_with(
        dir.path(),
        Some(api.clone()),
        &["deploy", "--app", "single-v3"],
        |s| s.prompter(p),
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    assert!(prompter.asked.lock().unwrap().is_empty());
    let prompter = Arc::new(ScriptedPrompter::new(&[false]));
    let p = prompter.clone();
    let r = run_with(
        dir.path(),
        Some(api.clone()),
        &[
            "deploy",
            "--app",
            "single",
            "--require-approval",
            "any-change",
        ],
        |s| s.prompter(p),
    );
    assert_eq!(r.code, exit::NOT_APPROVED);
    assert!(prompter.asked.lock().unwrap()[0].contains("changes resources"));
}

#[test]
fn a_rerun_waits_for_the_stack_in_progress() {
    let dir = materialize(&["single"], "demo");
    let api = fake();
    let body = std::fs::read_to_string(dir.path().join("single/Service.template.json")).unwrap();
    api.put_stack(
        "demo-Service",
        &body.replace("\"RetentionInDays\": 7", "\"RetentionInDays\": 1"),
        "UPDATE_IN_PROGRESS",
        Script::new(vec![
            Step::new("UPDATE_IN_PROGRESS"),
            Step::new("UPDATE_IN_PROGRESS"),
            Step::new("UPDATE_COMPLETE"),
        ]),
    );
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["deploy", "--app", "single", "--require-approval", "never"],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    let wait = r
        .out
        .find("waiting for the operation in progress to finish (UPDATE_IN_PROGRESS)");
    let update = r.out.find("demo-Service: updating");
    assert!(wait.is_some() && wait < update, "{}", r.out);
}

#[test]
fn a_stack_left_in_rollback_complete_is_deleted_and_recreated() {
    let dir = materialize(&["single"], "demo");
    let api = fake();
    api.put_stack("demo-Service", "{}", "ROLLBACK_COMPLETE", Script::default());
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["deploy", "--app", "single", "--require-approval", "never"],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    let calls = api.calls();
    let del = calls.iter().position(|c| c.starts_with("DeleteStack"));
    let create = calls
        .iter()
        .position(|c| c.starts_with("CreateChangeSet") && c.ends_with("kind=Create"));
    assert!(del.is_some() && del < create, "{calls:?}");
    assert_eq!(
        api.status("demo-Service").as_deref(),
        Some("CREATE_COMPLETE")
    );
}

#[test]
fn dependencies_go_first_and_a_failed_one_skips_its_dependents() {
    let dir = materialize(&["app"], "demo");
    let api = fake();
    let r = run(
        dir.path(),
        Some(api.clone()),
        &[
            "deploy",
            "Web",
            "--app",
            "app",
            "--require-approval",
            "never",
            "--method",
            "direct",
            "--parameters",
            "Web:ImageTag=1.28",
            "--parameters",
            "Team=a",
        ],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    let calls = api.calls();
    let creates: Vec<&String> = calls
        .iter()
        .filter(|c| c.starts_with("CreateStack"))
        .collect();
    assert!(
        creates[0].starts_with("CreateStack demo-Network"),
        "{calls:?}"
    );
    assert!(creates[1].starts_with("CreateStack demo-Web"), "{calls:?}");
    assert!(
        creates[1].contains("parameters={\"ImageTag\": \"1.28\", \"Team\": \"a\"}"),
        "{calls:?}"
    );
    assert!(
        creates[0].contains("parameters={\"Team\": \"a\"}"),
        "{calls:?}"
    );
    // Network has no IAM resources: no capabilities.
    assert!(creates[0].contains("capabilities=[]"), "{calls:?}");

    let dir = materialize(&["app"], "demo2");
    let api = fake();
    api.fail_next(
        "CreateStack",
        "demo2-Network",
        ApiError::service("ValidationError", "Template format error"),
    );
    let r = run(
        dir.path(),
        Some(api.clone()),
        &[
            "deploy",
            "--all",
            "--app",
            "app",
            "--require-approval",
            "never",
            "--method",
            "direct",
        ],
    );
    assert_eq!(r.code, exit::FAILED);
    assert!(
        r.out
            .contains("error: ValidationError: Template format error"),
        "{}",
        r.out
    );
    assert!(
        r.err.contains("demo2-Web: skipped because Network failed"),
        "{}",
        r.err
    );
    assert!(!api
        .calls()
        .iter()
        .any(|c| c.starts_with("CreateStack demo2-Web")));
}

#[test]
fn independent_stacks_deploy_in_parallel_up_to_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    let mut artifacts = serde_json::Map::new();
    for name in ["A", "B", "C"] {
        artifacts.insert(
            name.into(),
            serde_json::json!({"type": "aws:cloudformation:stack",
                "properties": {"templateFile": format!("{name}.template.json")}}),
        );
        std::fs::write(
            app.join(format!("{name}.template.json")),
            r#"{"Resources": {"Log": {"Type": "AWS::Logs::LogGroup"}}}"#,
        )
        .unwrap();
    }
    std::fs::write(
        app.join("manifest.json"),
        serde_json::json!({"version": "55.0.0", "artifacts": artifacts}).to_string(),
    )
    .unwrap();
    let slow = || {
        Script::new(
            (0..6)
                .map(|_| Step::new("CREATE_IN_PROGRESS"))
                .chain([Step::new("CREATE_COMPLETE")])
                .collect(),
        )
    };
    for (limit, expected) in [("1", 1), ("2", 2)] {
        let api = fake();
        for name in ["A", "B", "C"] {
            api.script(name, slow());
        }
        let r = run(
            dir.path(),
            Some(api.clone()),
            &[
                "deploy",
                "--all",
                "--app",
                "app",
                "--concurrency",
                limit,
                "--method",
                "direct",
            ],
        );
        assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
        assert_eq!(api.max_in_progress(), expected, "--concurrency {limit}");
    }
}

#[test]
fn outputs_are_printed_and_written() {
    let dir = materialize(&["single"], "demo");
    let api = fake();
    api.script(
        "demo-Service",
        Script::new(vec![Step::new("CREATE_COMPLETE")]).output("ClusterName", "demo-svc-cluster"),
    );
    let r = run(
        dir.path(),
        Some(api.clone()),
        &[
            "deploy",
            "--app",
            "single",
            "--require-approval",
            "never",
            "--outputs-file",
            "o.json",
        ],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    assert!(
        r.out
            .contains("demo-Service.ClusterName = demo-svc-cluster"),
        "{}",
        r.out
    );
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("o.json")).unwrap()).unwrap();
    assert_eq!(written["demo-Service"]["ClusterName"], "demo-svc-cluster");
}

#[test]
fn large_templates_need_the_bootstrap_bucket() {
    let dir = materialize(&["single"], "demo");
    let path = dir.path().join("single/Service.template.json");
    let mut t: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    t["Resources"]["ClusterEB0386A7"]["Metadata"]["padding"] = "x".repeat(60_000).into();
    std::fs::write(&path, t.to_string()).unwrap();
    let api = fake();
    let args = ["deploy", "--app", "single", "--require-approval", "never"];
    let r = run(dir.path(), Some(api.clone()), &args);
    assert_eq!(r.code, exit::FAILED);
    assert!(r.out.contains("run `berth bootstrap`"), "{}", r.out);

    let r = run(dir.path(), Some(api.clone()), &["bootstrap"]);
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    // The fake has no S3: give the toolkit stack its bucket output by hand.
    api.put_stack(
        "BerthToolkit",
        "{}",
        "CREATE_COMPLETE",
        Script::new(vec![Step::new("CREATE_COMPLETE")]).output("BucketName", "staging-bucket"),
    );
    // put_stack keeps the script pending: one describe runs it and sets the output.
    let r = run(dir.path(), Some(api.clone()), &args);
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    let uploads = api.uploads();
    let (key, body) = uploads.iter().next().expect("an upload");
    assert!(
        key.starts_with("staging-bucket/templates/demo-Service-"),
        "{key}"
    );
    assert!(body.len() > 51_200);
    assert!(api.calls().iter().any(|c| c.contains(
        "template=url(https://s3.us-east-1.amazonaws.com/staging-bucket/templates/demo-Service-"
    )));
}

#[test]
fn destroy_goes_in_reverse_order_and_reports_failures() {
    let dir = materialize(&["app"], "demo");
    let api = fake();
    let r = run(
        dir.path(),
        Some(api.clone()),
        &[
            "deploy",
            "--all",
            "--app",
            "app",
            "--require-approval",
            "never",
            "--method",
            "direct",
        ],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    // No terminal, no --force: refused.
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["destroy", "--all", "--app", "app"],
    );
    assert_eq!(r.code, exit::USAGE);
    assert!(r.err.contains("pass --force"), "{}", r.err);

    api.script(
        "demo-Network",
        Script::new(vec![
            Step::new("DELETE_IN_PROGRESS").event(
                "Vpc8378EB38",
                "AWS::EC2::VPC",
                "DELETE_IN_PROGRESS",
            ),
            Step::new("DELETE_FAILED").event_with_reason(
                "Vpc8378EB38",
                "AWS::EC2::VPC",
                "DELETE_FAILED",
                "The vpc 'vpc-1' has dependencies and cannot be deleted.",
            ),
        ]),
    );
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["destroy", "--all", "--force", "--app", "app"],
    );
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    let deletes: Vec<String> = api
        .calls()
        .into_iter()
        .filter(|c| c.starts_with("DeleteStack"))
        .collect();
    assert!(deletes[0].contains("demo-Web"), "{deletes:?}");
    assert!(deletes[1].contains("demo-Network"), "{deletes:?}");
    assert!(r.out.contains("✔ demo-Web destroyed"), "{}", r.out);
    insta::assert_snapshot!("destroy_failure", r.out);
}

#[test]
fn verbose_prints_every_api_call() {
    let dir = materialize(&["single"], "demo");
    let api = fake();
    let r = run(
        dir.path(),
        Some(api.clone()),
        &[
            "deploy",
            "-v",
            "--app",
            "single",
            "--require-approval",
            "never",
            "--method",
            "direct",
        ],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    assert!(
        r.err
            .contains("api: DescribeStacks demo-Service -> not found"),
        "{}",
        r.err
    );
    assert!(
        r.err.contains("api: CreateStack demo-Service (body of "),
        "{}",
        r.err
    );
    assert!(
        r.err
            .contains("api: DescribeStacks demo-Service -> CREATE_COMPLETE"),
        "{}",
        r.err
    );
}

#[test]
fn json_output_is_a_summary_with_events_on_stderr() {
    let dir = materialize(&["single"], "demo");
    let api = fake();
    api.script("demo-Service", rollback_script());
    let r = run(
        dir.path(),
        Some(api.clone()),
        &[
            "deploy",
            "--json",
            "--app",
            "single",
            "--require-approval",
            "never",
        ],
    );
    assert_eq!(r.code, exit::FAILED);
    let v: serde_json::Value = serde_json::from_str(&r.out).expect("stdout is JSON");
    assert_eq!(v[0]["stack"], "demo-Service");
    assert_eq!(v[0]["result"], "failed");
    assert_eq!(v[0]["failure"]["status"], "ROLLBACK_COMPLETE");
    assert_eq!(
        v[0]["failure"]["resources"][0]["path"],
        "Service/Repo/Resource"
    );
    assert!(r.err.contains("CREATE_FAILED"), "{}", r.err);
}

#[test]
fn a_failed_update_reports_update_rollback_complete() {
    let dir = materialize(&["single", "single-v2"], "demo");
    let api = fake();
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["deploy", "--app", "single", "--require-approval", "never"],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    api.script(
        "demo-Service",
        Script::new(vec![
            Step::new("UPDATE_IN_PROGRESS").event("ClusterEB0386A7", CLUSTER, "UPDATE_IN_PROGRESS"),
            Step::new("UPDATE_ROLLBACK_IN_PROGRESS").event_with_reason(
                "ClusterEB0386A7",
                CLUSTER,
                "UPDATE_FAILED",
                "Resource handler returned message: \"cluster name already in use\"",
            ),
            Step::new("UPDATE_ROLLBACK_COMPLETE"),
        ]),
    );
    let r = run(
        dir.path(),
        Some(api.clone()),
        &[
            "deploy",
            "--app",
            "single-v2",
            "--require-approval",
            "never",
        ],
    );
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    assert!(
        r.out
            .contains("failed to deploy (final status UPDATE_ROLLBACK_COMPLETE)"),
        "{}",
        r.out
    );
    assert!(
        r.out
            .contains("Service/Cluster/Resource  ClusterEB0386A7 AWS::ECS::Cluster  UPDATE_FAILED"),
        "{}",
        r.out
    );
    assert!(r.out.contains("cluster name already in use"), "{}", r.out);
}

#[test]
fn destroy_asks_first_and_obeys_the_answer() {
    let dir = materialize(&["single"], "demo");
    let api = fake();
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["deploy", "--app", "single", "--require-approval", "never"],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    let prompter = Arc::new(ScriptedPrompter::new(&[false, true]));
    let p = prompter.clone();
    let r = run_with(
        dir.path(),
        Some(api.clone()),
        &["destroy", "--app", "single"],
        |s| s.prompter(p),
    );
    assert_eq!(r.code, exit::NOT_APPROVED);
    assert_eq!(
        api.status("demo-Service").as_deref(),
        Some("CREATE_COMPLETE")
    );
    let p = prompter.clone();
    let r = run_with(
        dir.path(),
        Some(api.clone()),
        &["destroy", "--app", "single"],
        |s| s.prompter(p),
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    assert_eq!(api.status("demo-Service"), None);
    let asked = prompter.asked.lock().unwrap();
    assert_eq!(asked.len(), 2);
    assert!(
        asked[0].contains("Delete the stacks demo-Service"),
        "{asked:?}"
    );
}

#[test]
fn deploy_reports_the_url_of_a_created_express_service() {
    // moto has no AWS::ECS::ExpressGatewayService: the fake plays CloudFormation and
    // returns the service's Endpoint output, as CloudFormation does once it is created.
    let dir = materialize(&["express"], "demo");
    let api = fake();
    api.script(
        "demo-Express",
        Script::new(vec![
            Step::new("CREATE_IN_PROGRESS").event(
                "WebServiceDF29B54C",
                "AWS::ECS::ExpressGatewayService",
                "CREATE_IN_PROGRESS",
            ),
            Step::new("CREATE_COMPLETE").event(
                "WebServiceDF29B54C",
                "AWS::ECS::ExpressGatewayService",
                "CREATE_COMPLETE",
            ),
        ])
        .output("WebEndpoint199463CD", "web-8f3a.ecs.us-east-1.on.aws"),
    );
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["deploy", "--app", "express", "--require-approval", "never"],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    assert!(
        r.out
            .contains("demo-Express.WebEndpoint199463CD = web-8f3a.ecs.us-east-1.on.aws"),
        "{}",
        r.out
    );
    assert!(
        r.out
            .contains("Express service Express/Web: https://web-8f3a.ecs.us-east-1.on.aws"),
        "{}",
        r.out
    );
}

#[test]
fn a_stack_operation_that_never_finishes_is_given_up_with_its_status() {
    let dir = materialize(&["single"], "demo");
    let api = fake();
    // The create starts and never reaches a terminal status.
    api.script(
        "demo-Service",
        Script::new(vec![Step::new("CREATE_IN_PROGRESS").event(
            "ClusterEB0386A7",
            CLUSTER,
            "CREATE_IN_PROGRESS",
        )]),
    );
    let r = run_with(
        dir.path(),
        Some(api.clone()),
        &["deploy", "--app", "single", "--require-approval", "never"],
        |s| {
            s.poll(berth_cli::deploy::PollConfig {
                give_up_after: Some(std::time::Duration::from_millis(300)),
                ..crate::common::fast_poll()
            })
        },
    );
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    let all = format!("{}{}", r.out, r.err);
    assert!(
        all.contains(
            "demo-Service is still CREATE_IN_PROGRESS after 300 ms: berth stopped waiting"
        ),
        "{all}"
    );
    // berth only stopped waiting: the operation is left to CloudFormation.
    assert_eq!(
        api.status("demo-Service").as_deref(),
        Some("CREATE_IN_PROGRESS")
    );
}
