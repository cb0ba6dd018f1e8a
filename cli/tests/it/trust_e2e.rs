//! The guard, termination protection and `berth refactor` against moto: a real
//! replacement of a log group refused (and carried out once allowed), a protected
//! stack kept, and the stack refactoring calls moto does not implement reported as
//! they are.

use berth_cli::exit;
use serde_json::json;

use crate::common::{materialize, run_local, unique_prefix, Run};
use crate::e2e::{block, ok, sdk};
use crate::faults::redact;
use crate::trust::{edit, write_assembly};

fn berth(dir: &std::path::Path, args: &[&str]) -> Run {
    run_local(dir, args, |s| s)
}

fn log_groups(prefix: &str) -> Vec<String> {
    let logs = aws_sdk_cloudwatchlogs::Client::new(&sdk());
    let out = block(
        logs.describe_log_groups()
            .log_group_name_prefix(format!("/berth/{prefix}/"))
            .send(),
    )
    .unwrap();
    out.log_groups()
        .iter()
        .filter_map(|g| g.log_group_name().map(str::to_string))
        .collect()
}

#[test]
fn a_real_replacement_of_a_log_group_is_refused_until_allowed() {
    let _ = sdk();
    let p = unique_prefix("gl");
    let dir = materialize(&["single"], &p);
    let deploy = ["deploy", "--app", "single", "--require-approval", "never"];
    ok(&berth(dir.path(), &deploy));
    assert_eq!(log_groups(&p), [format!("/berth/{p}/service")]);

    edit(dir.path(), "single/Service.template.json", |t| {
        t["Resources"]["LogGroupF5B46931"]["Properties"]["LogGroupName"] =
            format!("/berth/{p}/service-v2").into();
    });
    let r = berth(dir.path(), &deploy);
    assert_eq!(r.code, exit::REFUSED, "{}{}", r.out, r.err);
    insta::assert_snapshot!("moto_log_group_replacement_refused", redact(&r.out, &p));
    // Nothing changed in moto: the old group is there, no new one.
    assert_eq!(log_groups(&p), [format!("/berth/{p}/service")]);
    let cfn = aws_sdk_cloudformation::Client::new(&sdk());
    let sets = block(
        cfn.list_change_sets()
            .stack_name(format!("{p}-Service"))
            .send(),
    )
    .unwrap();
    let pending: Vec<_> = sets
        .summaries()
        .iter()
        .filter(|c| {
            c.stack_name() == Some(format!("{p}-Service").as_str())
                && c.execution_status().map(|s| s.as_str()) != Some("EXECUTE_COMPLETE")
        })
        .collect();
    assert!(pending.is_empty(), "{pending:?}");

    let mut allowed = deploy.to_vec();
    allowed.extend(["--allow-replacement", "Service/LogGroup"]);
    let r = berth(dir.path(), &allowed);
    ok(&r);
    assert!(r.out.contains("UPDATE_COMPLETE"), "{}", r.out);
    // moto takes the update but does not recreate a log group whose name changed (it
    // has no update for log groups), so only the template it stores is checked.
    let t = block(cfn.get_template().stack_name(format!("{p}-Service")).send()).unwrap();
    assert!(
        t.template_body()
            .unwrap()
            .contains(&format!("/berth/{p}/service-v2")),
        "{t:?}"
    );
}

#[test]
fn a_termination_protected_stack_is_not_destroyed() {
    let config = sdk();
    let p = unique_prefix("tp");
    let dir = tempfile::tempdir().unwrap();
    let template = json!({"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup",
        "Properties": {"LogGroupName": format!("/berth/{p}/tp"), "RetentionInDays": 1},
        "Metadata": {"berth:path": "Web/Logs/Resource"}}}});
    let name = format!("{p}-web");
    write_assembly(dir.path(), "app", &[("Web", &name, template, Some(true))]);
    // CreateStack takes the protection (moto has no UpdateTerminationProtection).
    let r = berth(
        dir.path(),
        &[
            "deploy",
            "--app",
            "app",
            "--method",
            "direct",
            "--require-approval",
            "never",
        ],
    );
    ok(&r);
    let cfn = aws_sdk_cloudformation::Client::new(&config);
    let stack = block(cfn.describe_stacks().stack_name(&name).send()).unwrap();
    assert_eq!(
        stack.stacks()[0].enable_termination_protection(),
        Some(true)
    );

    let r = berth(dir.path(), &["destroy", "Web", "--app", "app", "--force"]);
    assert_eq!(r.code, exit::REFUSED, "{}{}", r.out, r.err);
    assert!(
        r.err.contains(&format!(
            "{name} has termination protection (set in the app)"
        )),
        "{}",
        r.err
    );
    // Without the app's word, the deployed stack's own protection refuses it.
    let plain = tempfile::tempdir().unwrap();
    write_assembly(
        plain.path(),
        "app",
        &[(
            "Web",
            &name,
            json!({"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {}}}}),
            None,
        )],
    );
    let r = berth(plain.path(), &["destroy", "Web", "--app", "app", "--force"]);
    assert_eq!(r.code, exit::REFUSED, "{}{}", r.out, r.err);
    assert!(
        r.err
            .contains("update-termination-protection --no-enable-termination-protection"),
        "{}",
        r.err
    );
    let still = block(cfn.describe_stacks().stack_name(&name).send()).unwrap();
    assert_eq!(
        still.stacks()[0].stack_status().map(|s| s.as_str()),
        Some("CREATE_COMPLETE")
    );
}

#[test]
fn refactor_reads_moto_and_reports_that_moto_has_no_stack_refactoring() {
    let _ = sdk();
    let p = unique_prefix("rf");
    let dir = materialize(&["single"], &p);
    ok(&berth(
        dir.path(),
        &["deploy", "--app", "single", "--require-approval", "never"],
    ));
    // Nothing moved: the deployed templates are read and compared.
    let r = berth(dir.path(), &["refactor", "--app", "single", "--force"]);
    ok(&r);
    assert!(r.out.contains("nothing to refactor"), "{}", r.out);

    // The log group moves under a new construct.
    edit(dir.path(), "single/Service.template.json", |t| {
        let r = t["Resources"]["LogGroupF5B46931"].take();
        t["Resources"]
            .as_object_mut()
            .unwrap()
            .remove("LogGroupF5B46931");
        t["Resources"]["AppLogs7C1D2E3F"] = r;
        t["Resources"]["AppLogs7C1D2E3F"]["Metadata"]["berth:path"] =
            "Service/App/Logs/Resource".into();
    });
    let r = berth(dir.path(), &["refactor", "--app", "single", "--dry-run"]);
    ok(&r);
    assert!(
        r.out
            .contains("to   Service/App/Logs/Resource (AppLogs7C1D2E3F in stack"),
        "{}",
        r.out
    );
    let r = berth(dir.path(), &["refactor", "--app", "single", "--force"]);
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    insta::assert_snapshot!("moto_refactor_not_implemented", redact(&r.out, &p));
    // Nothing moved: the deployed template still has the old id.
    let cfn = aws_sdk_cloudformation::Client::new(&sdk());
    let t = block(cfn.get_template().stack_name(format!("{p}-Service")).send()).unwrap();
    assert!(t.template_body().unwrap().contains("LogGroupF5B46931"));
}
