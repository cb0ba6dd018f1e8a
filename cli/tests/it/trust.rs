//! Deploys a team can trust, against the scripted fake: the stateful-resource guard
//! (refused, allowed by policy, by flag, in code; CloudFormation's own plan; moved
//! constructs), `diff` marking the same, termination protection, stack selection by
//! construct path, and an answer lost after the work was done. The moto side is in
//! `trust_e2e`.

use std::path::Path;
use std::sync::Arc;

use berth_cli::deploy::api::{ApiError, PlannedChange, RequestInfo};
use berth_cli::deploy::fake::FakeCloudFormation;
use berth_cli::exit;
use serde_json::{json, Value};

use crate::common::{materialize, run, Run};

pub(crate) fn fake() -> Arc<FakeCloudFormation> {
    Arc::new(FakeCloudFormation::new())
}

/// Edits `dir/rel` (a JSON file) in place.
pub(crate) fn edit(dir: &Path, rel: &str, f: impl FnOnce(&mut Value)) {
    let path = dir.join(rel);
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    f(&mut v);
    std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

/// Writes an assembly `dir/name` with these stacks, shaped as berth's synth writes
/// them (the artifact id is the stack name, `displayName` the construct path):
/// (construct id, stack name, template, termination protection).
pub(crate) fn write_assembly(dir: &Path, name: &str, stacks: &[(&str, &str, Value, Option<bool>)]) {
    let out = dir.join(name);
    std::fs::create_dir_all(&out).unwrap();
    let mut artifacts = serde_json::Map::new();
    for (id, stack_name, template, protection) in stacks {
        let mut props =
            json!({"templateFile": format!("{stack_name}.template.json"), "stackName": stack_name});
        if let Some(p) = protection {
            props["terminationProtection"] = (*p).into();
        }
        artifacts.insert(
            (*stack_name).to_string(),
            json!({"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/unknown-region",
                   "properties": props, "displayName": id}),
        );
        std::fs::write(
            out.join(format!("{stack_name}.template.json")),
            serde_json::to_string_pretty(template).unwrap(),
        )
        .unwrap();
    }
    std::fs::write(
        out.join("manifest.json"),
        serde_json::to_string_pretty(&json!({"version": "55.0.0", "artifacts": artifacts}))
            .unwrap(),
    )
    .unwrap();
}

const TEMPLATE: &str = "single/Service.template.json";
const STACK: &str = "demo-Service";

fn deploy(dir: &Path, api: &Arc<FakeCloudFormation>, extra: &[&str]) -> Run {
    let mut args = vec!["deploy", "--app", "single", "--require-approval", "never"];
    args.extend_from_slice(extra);
    run(dir, Some(api.clone()), &args)
}

/// The `single` fixture deployed to a fake, the call log cleared of that first deploy.
fn deployed() -> (tempfile::TempDir, Arc<FakeCloudFormation>, usize) {
    let dir = materialize(&["single"], "demo");
    let api = fake();
    let r = deploy(dir.path(), &api, &[]);
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    let n = api.calls().len();
    (dir, api, n)
}

fn calls_since(api: &FakeCloudFormation, n: usize) -> Vec<String> {
    api.calls()[n..]
        .iter()
        .map(|c| c.split(' ').next().unwrap_or("").to_string())
        .collect()
}

fn rename_log_group(dir: &Path) {
    edit(dir, TEMPLATE, |t| {
        t["Resources"]["LogGroupF5B46931"]["Properties"]["LogGroupName"] =
            "/berth/demo/service2".into();
    });
}

#[test]
fn replacing_a_log_group_is_refused_before_anything_changes() {
    let (dir, api, n) = deployed();
    rename_log_group(dir.path());
    let r = deploy(dir.path(), &api, &[]);
    assert_eq!(r.code, exit::REFUSED, "{}{}", r.out, r.err);
    insta::assert_snapshot!("guard_refused_replacement", r.out);
    // Nothing was asked of CloudFormation but to read.
    assert_eq!(calls_since(&api, n), ["GetTemplate"]);
    assert!(api
        .template(STACK)
        .unwrap()
        .contains("/berth/demo/service\""));

    // --method direct is guarded the same way.
    let r = deploy(dir.path(), &api, &["--method", "direct"]);
    assert_eq!(r.code, exit::REFUSED, "{}{}", r.out, r.err);
    assert!(!api.calls().iter().any(|c| c.starts_with("UpdateStack")));
}

#[test]
fn a_flag_the_app_or_a_keeping_policy_lets_it_go_ahead() {
    for (how, extra) in [
        (
            "flag on the construct",
            vec!["--allow-replacement", "Service/LogGroup"],
        ),
        (
            "flag on the resource",
            vec!["--allow-replacement", "Service/LogGroup/Resource"],
        ),
        (
            "flag with a pattern",
            vec!["--allow-replacement", "Service/*"],
        ),
        (
            "flag with the logical id",
            vec!["--allow-replacement", "LogGroupF5B46931"],
        ),
        ("in code", vec![]),
        ("by policy", vec![]),
    ] {
        let (dir, api, n) = deployed();
        rename_log_group(dir.path());
        edit(dir.path(), TEMPLATE, |t| match how {
            "in code" => {
                t["Resources"]["LogGroupF5B46931"]["Metadata"]["berth:allow-replacement"] =
                    "logs are exported".into();
            }
            "by policy" => {
                t["Resources"]["LogGroupF5B46931"]["UpdateReplacePolicy"] = "Retain".into();
            }
            _ => {}
        });
        let r = deploy(dir.path(), &api, &extra);
        assert_eq!(r.code, exit::OK, "{how}: {}{}", r.out, r.err);
        let calls = calls_since(&api, n);
        assert!(
            calls.contains(&"ExecuteChangeSet".to_string()),
            "{how}: {calls:?}"
        );
        assert!(
            api.template(STACK)
                .unwrap()
                .contains("/berth/demo/service2"),
            "{how}"
        );
    }
}

#[test]
fn stateless_replacements_and_retained_deletions_pass_while_a_repository_deletion_is_refused() {
    let (dir, api, _) = deployed();
    // The cluster is replaced (a new name): not stateful.
    edit(dir.path(), TEMPLATE, |t| {
        t["Resources"]["ClusterEB0386A7"]["Properties"]["ClusterName"] = "demo-svc-cluster2".into();
    });
    let r = deploy(dir.path(), &api, &[]);
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);

    // The repository leaves the app: refused.
    let repo = {
        let t: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join(TEMPLATE)).unwrap())
                .unwrap();
        t["Resources"]["RepoAB2E9F4C"].clone()
    };
    edit(dir.path(), TEMPLATE, |t| {
        t["Resources"]
            .as_object_mut()
            .unwrap()
            .remove("RepoAB2E9F4C");
    });
    let r = deploy(dir.path(), &api, &[]);
    assert_eq!(r.code, exit::REFUSED, "{}{}", r.out, r.err);
    insta::assert_snapshot!("guard_refused_deletion", r.out);

    // Deployed with DeletionPolicy Retain first, it may go: CloudFormation keeps it.
    edit(dir.path(), TEMPLATE, |t| {
        t["Resources"]["RepoAB2E9F4C"] = repo.clone();
        t["Resources"]["RepoAB2E9F4C"]["DeletionPolicy"] = "Retain".into();
    });
    let r = deploy(dir.path(), &api, &[]);
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    edit(dir.path(), TEMPLATE, |t| {
        t["Resources"]
            .as_object_mut()
            .unwrap()
            .remove("RepoAB2E9F4C");
    });
    let r = deploy(dir.path(), &api, &[]);
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    assert!(!api.template(STACK).unwrap().contains("RepoAB2E9F4C"));
}

#[test]
fn a_replacement_only_cloudformation_plans_is_refused_and_its_change_set_deleted() {
    let (dir, api, n) = deployed();
    // berth sees an in-place change; CloudFormation plans a replacement (as it would
    // for a parameter-driven create-only property).
    edit(dir.path(), TEMPLATE, |t| {
        t["Resources"]["LogGroupF5B46931"]["Properties"]["RetentionInDays"] = 30.into();
    });
    api.script_change_set(
        STACK,
        vec![PlannedChange {
            action: "Modify".into(),
            logical_id: "LogGroupF5B46931".into(),
            resource_type: "AWS::Logs::LogGroup".into(),
            replacement: Some("True".into()),
            causes: vec!["Properties.LogGroupName (requires recreation: Always)".into()],
        }],
    );
    let r = deploy(dir.path(), &api, &[]);
    assert_eq!(r.code, exit::REFUSED, "{}{}", r.out, r.err);
    assert!(
        r.out.contains("cause: CloudFormation plans to replace it: Properties.LogGroupName (requires recreation: Always)"),
        "{}",
        r.out
    );
    assert_eq!(
        calls_since(&api, n),
        // The guard over the deployment, then the stack's deploy reads it again.
        [
            "GetTemplate",
            "GetTemplate",
            "CreateChangeSet",
            "DeleteChangeSet"
        ],
        "the change set is made, read, and deleted: never executed"
    );
}

#[test]
fn a_moved_construct_is_named_with_its_override_line_and_diff_marks_it() {
    let (dir, api, n) = deployed();
    edit(dir.path(), TEMPLATE, |t| {
        let r = t["Resources"]["LogGroupF5B46931"].take();
        t["Resources"]
            .as_object_mut()
            .unwrap()
            .remove("LogGroupF5B46931");
        t["Resources"]["LogsLogGroup1D2C3B4A"] = r;
        t["Resources"]["LogsLogGroup1D2C3B4A"]["Metadata"]["berth:path"] =
            "Service/Logs/LogGroup/Resource".into();
    });
    let r = deploy(dir.path(), &api, &[]);
    assert_eq!(r.code, exit::REFUSED, "{}{}", r.out, r.err);
    assert!(
        r.out.contains(r#"in the app: app.override_logical_id(app.find("Service/Logs/LogGroup/Resource").unwrap(), "LogGroupF5B46931")?;"#),
        "{}",
        r.out
    );
    insta::assert_snapshot!("guard_refused_move", r.out);
    assert_eq!(calls_since(&api, n), ["GetTemplate"]);

    let r = run(
        dir.path(),
        Some(api.clone()),
        &["diff", "--app", "single", "--fail"],
    );
    assert_eq!(r.code, exit::DIFFERENCES, "{}{}", r.out, r.err);
    insta::assert_snapshot!("diff_marks_a_moved_stateful_resource", r.out);

    let r = run(
        dir.path(),
        Some(api.clone()),
        &["--json", "diff", "--app", "single"],
    );
    let v: Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(v[STACK]["refused"][0]["logical_id"], "LogGroupF5B46931");
    assert_eq!(v[STACK]["refused"][0]["action"], "delete");
}

#[test]
fn diff_marks_a_replaced_log_group_in_the_words_deploy_uses() {
    let (dir, api, _) = deployed();
    rename_log_group(dir.path());
    let r = run(dir.path(), Some(api.clone()), &["diff", "--app", "single"]);
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    assert!(
        r.out
            .contains("⚠ stateful: replacing it loses its log events: deploy refuses it"),
        "{}",
        r.out
    );
    assert!(
        r.out
            .contains("deploy refuses this: 1 stateful resource would be replaced or deleted"),
        "{}",
        r.out
    );
    let r = run(
        dir.path(),
        Some(api.clone()),
        &[
            "diff",
            "--app",
            "single",
            "--allow-replacement",
            "Service/LogGroup",
        ],
    );
    assert!(
        r.out.contains("⚠ stateful: replacing it loses its log events (allowed by --allow-replacement Service/LogGroup)"),
        "{}",
        r.out
    );
    assert!(!r.out.contains("deploy refuses"), "{}", r.out);
}

#[test]
fn a_change_set_whose_answer_was_lost_is_found_and_executed() {
    let dir = materialize(&["single"], "demo");
    let api = fake();
    // The change set is made, but the answer is lost; berth's retry met AlreadyExists.
    let lost = ApiError::Network {
        cause: "connection closed before message completed".into(),
        request: Box::new(RequestInfo {
            operation: "CreateChangeSet".into(),
            retries: vec![ApiError::service(
                "AlreadyExistsException",
                "ChangeSet berth-deploy-1 already exists",
            )],
            ..RequestInfo::default()
        }),
    };
    api.fail_after_next("CreateChangeSet", STACK, lost);
    let r = deploy(dir.path(), &api, &[]);
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    assert!(
        r.out
            .contains("the change set was created although the answer was lost"),
        "{}",
        r.out
    );
    assert_eq!(api.status(STACK).as_deref(), Some("CREATE_COMPLETE"));
}

#[test]
fn a_failed_change_set_leaves_no_empty_stack_behind() {
    let dir = materialize(&["single"], "demo");
    let api = fake();
    api.fail_after_next(
        "CreateChangeSet",
        STACK,
        ApiError::service("ValidationError", "Template format error: something"),
    );
    let r = deploy(dir.path(), &api, &[]);
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    let calls: Vec<String> = api.calls();
    assert!(
        calls.iter().any(|c| c.starts_with("DeleteChangeSet")),
        "{calls:?}"
    );
    assert!(
        calls.iter().any(|c| c.starts_with("DeleteStack")),
        "{calls:?}"
    );
    assert!(api.status(STACK).is_none() || api.status(STACK).as_deref() == Some("DELETE_COMPLETE"));
}

#[test]
fn termination_protection_is_set_as_the_app_says_and_destroy_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let template = json!({"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {},
        "Metadata": {"berth:path": "Web/Q/Resource"}}}});
    write_assembly(
        dir.path(),
        "on",
        &[("Web", "prod-web", template.clone(), Some(true))],
    );
    write_assembly(
        dir.path(),
        "off",
        &[("Web", "prod-web", template.clone(), None)],
    );
    let api = fake();
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["deploy", "--app", "on", "--require-approval", "never"],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    assert!(
        api.calls()
            .iter()
            .any(|c| c == "UpdateTerminationProtection prod-web enable=true"),
        "{:?}",
        api.calls()
    );
    assert!(
        r.out.contains("termination protection turned on"),
        "{}",
        r.out
    );

    // The app says so: refused before anything is asked.
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["destroy", "--app", "on", "--force"],
    );
    assert_eq!(r.code, exit::REFUSED, "{}{}", r.out, r.err);
    insta::assert_snapshot!("destroy_refuses_protection_in_the_app", r.err);
    // The stack has it though the app no longer says so: refused, with the command.
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["destroy", "--app", "off", "--force"],
    );
    assert_eq!(r.code, exit::REFUSED, "{}{}", r.out, r.err);
    insta::assert_snapshot!("destroy_refuses_protection_deployed", r.err);
    assert!(!api.calls().iter().any(|c| c.starts_with("DeleteStack")));
    assert_eq!(api.status("prod-web").as_deref(), Some("CREATE_COMPLETE"));

    // Lifted in the app and deployed: destroy goes ahead. The construct id (Web)
    // selects the stack as well as its name (prod-web).
    write_assembly(
        dir.path(),
        "lifted",
        &[("Web", "prod-web", template, Some(false))],
    );
    let r = run(
        dir.path(),
        Some(api.clone()),
        &[
            "deploy",
            "Web",
            "--app",
            "lifted",
            "--require-approval",
            "never",
        ],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    assert!(api
        .calls()
        .iter()
        .any(|c| c == "UpdateTerminationProtection prod-web enable=false"));
    let r = run(
        dir.path(),
        Some(api.clone()),
        &["destroy", "Web", "--app", "lifted", "--force"],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    assert!(r.out.contains("✔ prod-web destroyed"), "{}", r.out);
}

#[test]
fn stacks_are_selected_by_construct_path_as_well_as_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let t = |q: &str| json!({"Resources": {q: {"Type": "AWS::SQS::Queue", "Properties": {}}}});
    write_assembly(
        dir.path(),
        "app",
        &[
            ("Web", "prod-web", t("A"), None),
            ("Jobs", "prod-jobs", t("B"), None),
        ],
    );
    for pattern in ["Web", "prod-web", "W*"] {
        let r = run(
            dir.path(),
            None,
            &["synth", pattern, "--app", "app", "--json"],
        );
        assert_eq!(r.code, exit::OK, "{pattern}: {}{}", r.out, r.err);
        assert!(r.out.contains("\"A\""), "{pattern}: {}", r.out);
        assert!(!r.out.contains("\"B\""), "{pattern}: {}", r.out);
    }
    let r = run(dir.path(), None, &["synth", "Nope", "--app", "app"]);
    assert_eq!(r.code, exit::APP);
    assert!(
        r.err
            .contains("the assembly has: prod-web (Web), prod-jobs (Jobs)"),
        "{}",
        r.err
    );
}

/// A template with `n` queues whose tags make it `pad`-heavy: pretty JSON puts every
/// tag on its own indented lines, which CloudFormation does not count.
fn airy_template(n: usize, value_len: usize) -> Value {
    let mut resources = serde_json::Map::new();
    for i in 0..n {
        let tags: Vec<Value> = (0..40)
            .map(|k| json!({"Key": format!("k{k}"), "Value": "v".repeat(value_len)}))
            .collect();
        resources.insert(
            format!("Q{i}"),
            json!({"Type": "AWS::SQS::Queue", "Properties": {"Tags": tags}}),
        );
    }
    json!({"Resources": resources})
}

#[test]
fn templates_are_measured_and_sent_minified_and_the_notice_comes_once() {
    let dir = tempfile::tempdir().unwrap();
    // Airy: over 51,200 bytes pretty, well under minified. Big1/Big2: over either way.
    let airy = airy_template(20, 1);
    let big = airy_template(20, 60);
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap().len();
    let minified = |v: &Value| serde_json::to_string(v).unwrap().len();
    assert!(pretty(&airy) > 51_200 && minified(&airy) < 51_200);
    assert!(minified(&big) > 51_200);
    write_assembly(
        dir.path(),
        "app",
        &[
            ("Airy", "Airy", airy.clone(), None),
            ("Big1", "Big1", big.clone(), None),
            ("Big2", "Big2", big.clone(), None),
        ],
    );
    let r = run(dir.path(), None, &["list", "--app", "app"]);
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    let notes: Vec<&str> = r
        .err
        .lines()
        .filter(|l| l.contains("BERTH-I0122"))
        .collect();
    assert_eq!(notes.len(), 1, "{}", r.err);
    insta::assert_snapshot!("size_notice_once", notes[0]);
    assert!(!notes[0].contains("Airy"), "{}", notes[0]);

    // Deployed, the airy template goes inline, minified; a big one needs the bucket.
    let api = fake();
    let r = run(
        dir.path(),
        Some(api.clone()),
        &[
            "deploy",
            "Airy",
            "--app",
            "app",
            "--require-approval",
            "never",
        ],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    let create = api
        .calls()
        .into_iter()
        .find(|c| c.starts_with("CreateChangeSet Airy"))
        .unwrap();
    assert!(
        create.contains(&format!("template=body({} bytes)", minified(&airy))),
        "{create}"
    );
    assert!(!api.calls().iter().any(|c| c.starts_with("PutObject")));
    let r = run(
        dir.path(),
        Some(api.clone()),
        &[
            "deploy",
            "Big1",
            "--app",
            "app",
            "--require-approval",
            "never",
        ],
    );
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    assert!(
        r.out.contains(&format!(
            "the template is {} bytes (minified)",
            minified(&big)
        )),
        "{}",
        r.out
    );
}

#[test]
fn berth_lock_makes_a_changed_logical_id_an_error_until_acknowledged() {
    let dir = materialize(&["single"], "demo");
    let r = run(dir.path(), None, &["lock", "--app", "single"]);
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    let text = std::fs::read_to_string(dir.path().join("berth.lock")).unwrap();
    insta::assert_snapshot!("lock_file", text);
    let r = run(dir.path(), None, &["lock", "--app", "single", "--check"]);
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);

    // The log group moves under a new construct: every command that synthesizes stops,
    // before any AWS call.
    edit(dir.path(), TEMPLATE, |t| {
        let r = t["Resources"]["LogGroupF5B46931"].take();
        t["Resources"]
            .as_object_mut()
            .unwrap()
            .remove("LogGroupF5B46931");
        t["Resources"]["AppLogs7C1D2E3F"] = r;
        t["Resources"]["AppLogs7C1D2E3F"]["Metadata"]["berth:path"] =
            "Service/App/Logs/Resource".into();
    });
    let r = run(dir.path(), None, &["synth", "--app", "single", "-q"]);
    assert_eq!(r.code, exit::APP, "{}{}", r.out, r.err);
    insta::assert_snapshot!("lock_drift_gone", r.err);
    let api = fake();
    let r = deploy(dir.path(), &api, &[]);
    assert_eq!(r.code, exit::APP, "{}{}", r.out, r.err);
    assert!(api.calls().is_empty(), "{:?}", api.calls());
    let r = run(dir.path(), None, &["lock", "--app", "single", "--check"]);
    assert_eq!(r.code, exit::DIFFERENCES, "{}{}", r.out, r.err);

    // The same path with another logical ID: named, with the line that keeps it.
    edit(dir.path(), TEMPLATE, |t| {
        t["Resources"]["AppLogs7C1D2E3F"]["Metadata"]["berth:path"] =
            "Service/LogGroup/Resource".into();
    });
    let r = run(dir.path(), None, &["synth", "--app", "single", "-q"]);
    assert_eq!(r.code, exit::APP, "{}{}", r.out, r.err);
    assert!(
        r.err.contains(r#"the logical ID of Service/LogGroup/Resource (AWS::Logs::LogGroup) changes from LogGroupF5B46931 to AppLogs7C1D2E3F"#),
        "{}",
        r.err
    );
    assert!(
        r.err.contains(r#"app.override_logical_id(app.find("Service/LogGroup/Resource").unwrap(), "LogGroupF5B46931")?;"#),
        "{}",
        r.err
    );

    // Acknowledged: the lock takes the new ID, and commands run again.
    let r = run(dir.path(), None, &["lock", "--app", "single"]);
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    assert!(
        r.err
            .contains("acknowledged: demo-Service: the logical ID of Service/LogGroup/Resource"),
        "{}",
        r.err
    );
    let r = run(dir.path(), None, &["synth", "--app", "single", "-q"]);
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    assert!(std::fs::read_to_string(dir.path().join("berth.lock"))
        .unwrap()
        .contains("AppLogs7C1D2E3F"));
}

#[test]
fn a_retained_resource_that_reappears_in_another_stack_is_not_refused() {
    // A service removed from one stack and an identical one added to another: their log
    // groups look like a move. The old one is retained, so nothing is lost.
    let dir = tempfile::tempdir().unwrap();
    let logs = |path: &str| {
        json!({"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7},
               "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain", "Metadata": {"berth:path": path}})
    };
    let q = json!({"Type": "AWS::SQS::Queue", "Properties": {}});
    write_assembly(
        dir.path(),
        "v1",
        &[(
            "A",
            "A",
            json!({"Resources": {"Logs1": logs("A/Logs/Resource"), "Q": q}}),
            None,
        )],
    );
    write_assembly(
        dir.path(),
        "v2",
        &[
            ("A", "A", json!({"Resources": {"Q": q}}), None),
            (
                "B",
                "B",
                json!({"Resources": {"Logs2": logs("B/Logs/Resource")}}),
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
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    let r = run(dir.path(), Some(api.clone()), &["diff", "--app", "v2"]);
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    insta::assert_snapshot!("diff_retained_reappears_elsewhere", r.out);
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
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
}
