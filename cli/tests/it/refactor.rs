//! `berth refactor` against the scripted fake (moto has no stack refactoring; the moto
//! side, in `trust_e2e`, checks the plumbing and that moto's answer is reported as it
//! is): the calls and their order, the templates sent, the moved resource keeping its
//! physical id, the deploy that follows replacing nothing, and the refusals.

use std::sync::Arc;

use berth_cli::deploy::fake::{FakeCloudFormation, RefactorScript};
use berth_cli::exit;
use berth_cli::prompt::ScriptedPrompter;
use serde_json::{json, Value};

use crate::common::{run, run_with};
use crate::trust::{fake, write_assembly};

fn log_group(path: &str) -> Value {
    json!({"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/app/web", "RetentionInDays": 7},
           "Metadata": {"berth:path": path}})
}

fn role(path: &str) -> Value {
    json!({"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": []}},
           "Metadata": {"berth:path": path}})
}

/// `Web` deployed with its log group at `Web/Logs`; the app now has it at
/// `Web/App/Logs` (a new logical id), everything else equal.
fn renamed() -> (tempfile::TempDir, Arc<FakeCloudFormation>) {
    let dir = tempfile::tempdir().unwrap();
    let old = json!({"Resources": {"LogsA1": log_group("Web/Logs/Resource"), "Role1": role("Web/Role/Resource")},
                     "Outputs": {"Logs": {"Value": {"Ref": "LogsA1"}}}});
    let new = json!({"Resources": {"AppLogsB2": log_group("Web/App/Logs/Resource"), "Role1": role("Web/Role/Resource")},
                     "Outputs": {"Logs": {"Value": {"Ref": "AppLogsB2"}}}});
    write_assembly(dir.path(), "v1", &[("Web", "Web", old, None)]);
    write_assembly(dir.path(), "v2", &[("Web", "Web", new, None)]);
    let api = fake();
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["deploy", "--app", "v1", "--require-approval", "never"],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    api.set_physical_id("Web", "LogsA1", "/app/web");
    (dir, api)
}

fn kinds(calls: &[String]) -> Vec<&str> {
    calls
        .iter()
        .map(|c| c.split(' ').next().unwrap_or(""))
        .collect()
}

#[test]
fn a_renamed_resource_is_moved_by_a_stack_refactor_and_the_deploy_replaces_nothing() {
    let (dir, api) = renamed();
    let before = api.calls().len();
    let r = run(
        dir.path(),
        Some(api.clone()),
        &[
            "refactor",
            "--app",
            "v2",
            "--force",
            "--require-approval",
            "never",
        ],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    let calls = api.calls()[before..].to_vec();
    let refactor: Vec<&str> = kinds(&calls)
        .into_iter()
        .filter(|k| k.contains("Refactor"))
        .collect();
    assert_eq!(
        refactor,
        [
            "CreateStackRefactor",
            "DescribeStackRefactor",
            "DescribeStackRefactor",
            "ExecuteStackRefactor",
            "DescribeStackRefactor",
            "DescribeStackRefactor",
        ]
    );
    let create = calls
        .iter()
        .find(|c| c.starts_with("CreateStackRefactor"))
        .unwrap();
    assert_eq!(
        create,
        r#"CreateStackRefactor stacks=["Web"] moves=["Web.LogsA1->Web.AppLogsB2"] create_stacks=false description="berth refactor: 1 resource moved""#
    );
    // The refactor comes first, then the deploy: a change set that replaces nothing.
    let k = kinds(&calls);
    let executed = k.iter().position(|c| *c == "ExecuteStackRefactor").unwrap();
    let change_set = k.iter().position(|c| *c == "CreateChangeSet").unwrap();
    assert!(executed < change_set, "{calls:?}");
    assert!(k.contains(&"ExecuteChangeSet"), "{calls:?}");
    assert!(!r.out.contains("refusing"), "{}", r.out);
    // The log group is the same one under its new logical id.
    assert_eq!(api.physical_id("Web", "AppLogsB2"), "/app/web");
    let deployed: Value = serde_json::from_str(&api.template("Web").unwrap()).unwrap();
    assert_eq!(
        deployed["Resources"]["AppLogsB2"]["Metadata"]["berth:path"],
        "Web/App/Logs/Resource"
    );
    assert_eq!(
        deployed["Outputs"]["Logs"]["Value"],
        json!({"Ref": "AppLogsB2"})
    );
    insta::assert_snapshot!("refactor_rename", r.out);

    // Done: nothing is left to move.
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["refactor", "--app", "v2", "--force"],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    assert!(r.out.contains("nothing to refactor"), "{}", r.out);
}

#[test]
fn the_template_sent_is_the_deployed_one_with_only_the_move() {
    let (dir, api) = renamed();
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["refactor", "--app", "v2", "--force", "--no-deploy"],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    assert!(r.out.contains("next: berth deploy Web"), "{}", r.out);
    assert!(!api
        .calls()
        .iter()
        .any(|c| c.starts_with("CreateChangeSet") && c.contains("kind=Update")));
    let t: Value = serde_json::from_str(&api.template("Web").unwrap()).unwrap();
    // The deployed definition (its old path) under the new id, the reference renamed.
    assert_eq!(
        t["Resources"]["AppLogsB2"]["Metadata"]["berth:path"],
        "Web/Logs/Resource"
    );
    assert!(t["Resources"].get("LogsA1").is_none());
    assert_eq!(t["Outputs"]["Logs"]["Value"], json!({"Ref": "AppLogsB2"}));
}

#[test]
fn a_resource_moved_to_a_new_stack_is_moved_there() {
    let dir = tempfile::tempdir().unwrap();
    let old = json!({"Resources": {"LogsA1": log_group("Web/Logs/Resource"), "Role1": role("Web/Role/Resource")}});
    write_assembly(dir.path(), "v1", &[("Web", "Web", old, None)]);
    let web = json!({"Resources": {"Role1": role("Web/Role/Resource")}});
    let data = json!({"Resources": {"Logs9": log_group("Data/Logs/Resource")}});
    write_assembly(
        dir.path(),
        "v2",
        &[("Web", "Web", web, None), ("Data", "Data", data, None)],
    );
    let api = fake();
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["deploy", "--app", "v1", "--require-approval", "never"],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    api.set_physical_id("Web", "LogsA1", "/app/web");

    // A plain deploy refuses: the log group would go with its data.
    let r = run(
        dir.path(),
        Some(api.clone()),
        &[
            "deploy",
            "--all",
            "--app",
            "v2",
            "--require-approval",
            "never",
        ],
    );
    assert_eq!(r.code, exit::REFUSED, "{}{}", r.out, r.err);
    assert!(
        r.out
            .contains("it moves to stack Data as Data/Logs/Resource (Logs9 in stack Data)"),
        "{}",
        r.out
    );
    assert!(
        r.out.contains("only `berth refactor` keeps it"),
        "{}",
        r.out
    );

    let r = run(
        dir.path(),
        Some(api.clone()),
        &[
            "refactor",
            "--app",
            "v2",
            "--force",
            "--require-approval",
            "never",
        ],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    let create = api
        .calls()
        .into_iter()
        .find(|c| c.starts_with("CreateStackRefactor"))
        .unwrap();
    assert_eq!(
        create,
        r#"CreateStackRefactor stacks=["Data", "Web"] moves=["Web.LogsA1->Data.Logs9"] create_stacks=true description="berth refactor: 1 resource moved""#
    );
    assert_eq!(api.physical_id("Data", "Logs9"), "/app/web");
    let web: Value = serde_json::from_str(&api.template("Web").unwrap()).unwrap();
    assert!(web["Resources"].get("LogsA1").is_none());
}

#[test]
fn dry_run_shows_and_changes_nothing_and_a_question_is_asked_first() {
    let (dir, api) = renamed();
    let before = api.calls().len();
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["refactor", "--app", "v2", "--dry-run"],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    insta::assert_snapshot!("refactor_dry_run", r.out);
    assert_eq!(kinds(&api.calls()[before..]), ["GetTemplate"]);

    // No terminal, no --force: a usage error, nothing done.
    let r = run(dir.path(), Some(api.clone()), &["refactor", "--app", "v2"]);
    assert_eq!(r.code, exit::USAGE, "{}{}", r.out, r.err);
    assert!(
        r.err.contains("pass --force to move 1 resource"),
        "{}",
        r.err
    );
    // Asked and declined.
    let prompter = Arc::new(ScriptedPrompter::new(&[false]));
    let p = prompter.clone();
    let r = run_with(
        dir.path(),
        Some(api.clone()),
        &["refactor", "--app", "v2"],
        |s| s.prompter(p),
    );
    assert_eq!(r.code, exit::NOT_APPROVED, "{}{}", r.out, r.err);
    assert_eq!(
        prompter.asked.lock().unwrap().as_slice(),
        ["Move 1 deployed resource to its new logical ID as shown?"]
    );
    assert!(!api
        .calls()
        .iter()
        .any(|c| c.starts_with("CreateStackRefactor")));
}

#[test]
fn identical_twins_are_ambiguous_and_refused() {
    let dir = tempfile::tempdir().unwrap();
    let twins = |a: &str, b: &str| {
        json!({"Resources": {a: {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 5}},
                             b: {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 5}}}})
    };
    write_assembly(dir.path(), "v1", &[("Q", "Q", twins("A", "B"), None)]);
    write_assembly(dir.path(), "v2", &[("Q", "Q", twins("C", "D"), None)]);
    let api = fake();
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["deploy", "--app", "v1", "--require-approval", "never"],
    );
    assert_eq!(r.code, exit::OK);
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["refactor", "--app", "v2", "--force"],
    );
    assert_eq!(r.code, exit::REFUSED, "{}{}", r.out, r.err);
    insta::assert_snapshot!("refactor_ambiguous", format!("{}{}", r.out, r.err));
    assert!(!api
        .calls()
        .iter()
        .any(|c| c.starts_with("CreateStackRefactor")));
}

#[test]
fn a_move_that_would_leave_a_reference_behind_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let user = json!({"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p",
        "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": {"Fn::GetAtt": ["LogsA1", "Arn"]}}]}}});
    let old = json!({"Resources": {"LogsA1": log_group("Web/Logs/Resource"), "P": user}});
    write_assembly(dir.path(), "v1", &[("Web", "Web", old, None)]);
    let user2 = json!({"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p",
        "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": {"Fn::ImportValue": "logs-arn"}}]}}});
    write_assembly(
        dir.path(),
        "v2",
        &[
            ("Web", "Web", json!({"Resources": {"P": user2}}), None),
            (
                "Data",
                "Data",
                json!({"Resources": {"Logs9": log_group("Data/Logs/Resource")}}),
                None,
            ),
        ],
    );
    let api = fake();
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["deploy", "--app", "v1", "--require-approval", "never"],
    );
    assert_eq!(r.code, exit::OK);
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["refactor", "--app", "v2", "--force"],
    );
    assert_eq!(r.code, exit::REFUSED, "{}{}", r.out, r.err);
    assert!(
        r.err.contains(
            "P in stack Web would refer to LogsA1, which is no longer in that stack after the move"
        ),
        "{}",
        r.err
    );
    assert!(!api
        .calls()
        .iter()
        .any(|c| c.starts_with("CreateStackRefactor")));
}

#[test]
fn a_refactor_cloudformation_rejects_is_reported_and_not_executed() {
    let (dir, api) = renamed();
    api.script_refactor(RefactorScript {
        create: vec![(
            "CREATE_FAILED".into(),
            Some("Resource LogsA1 of type AWS::Logs::LogGroup cannot be moved: its properties differ".into()),
        )],
        execute: vec![],
    });
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["refactor", "--app", "v2", "--force"],
    );
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    assert!(
        r.out.contains("✘ the stack refactor failed: CloudFormation did not accept it (CREATE_FAILED): Resource LogsA1 of type AWS::Logs::LogGroup cannot be moved: its properties differ"),
        "{}",
        r.out
    );
    assert!(!api
        .calls()
        .iter()
        .any(|c| c.starts_with("ExecuteStackRefactor")));

    let (dir, api) = renamed();
    api.script_refactor(RefactorScript {
        execute: vec![
            ("EXECUTE_IN_PROGRESS".into(), None),
            (
                "ROLLBACK_COMPLETE".into(),
                Some("Stack Web is in UPDATE_IN_PROGRESS state".into()),
            ),
        ],
        ..RefactorScript::default()
    });
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["refactor", "--app", "v2", "--force"],
    );
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    assert!(
        r.out.contains(
            "executing it ended in ROLLBACK_COMPLETE: Stack Web is in UPDATE_IN_PROGRESS state"
        ),
        "{}",
        r.out
    );
    // Nothing moved, nothing deployed.
    assert!(api.template("Web").unwrap().contains("LogsA1"));
    assert!(!api
        .calls()
        .iter()
        .any(|c| c.starts_with("CreateChangeSet") && c.contains("kind=Update")));
}
