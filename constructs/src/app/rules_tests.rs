//! Rule packs and suppressions through the construct tree: inheritance, metadata,
//! strict synth, the report file.

use crate::{logs, App, ConstructError, Stack, StackProps, Suppression, ROOT};
use berth_synth::resource::RawProperties;
use berth_synth::Value;
use serde_json::json;

/// A stack `Web` with a raw cluster (no Container Insights) and a group `Logs`
/// holding two log groups (no KMS key).
fn app() -> Result<(App, Stack, crate::NodeId), ConstructError> {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Web", StackProps::default())?;
    app.add_resource(
        stack,
        "Cluster",
        RawProperties::new("AWS::ECS::Cluster", Value::map::<&str>([])),
    )?;
    let group = app.add_group(stack, "Logs")?;
    logs::LogGroup::new(&mut app, group, "A", logs::LogGroupProps::default())?;
    logs::LogGroup::new(&mut app, group, "B", logs::LogGroupProps::default())?;
    Ok((app, stack, group))
}

fn open(report: &berth_synth::rules::Report) -> Vec<(String, String)> {
    report
        .unsuppressed()
        .map(|f| (f.rule_id.to_owned(), f.path.clone()))
        .collect()
}

#[test]
fn a_pack_on_the_app_checks_every_resource_raw_ones_too() -> Result<(), Box<dyn std::error::Error>>
{
    let (mut app, _, _) = app()?;
    app.add_rule_pack(ROOT, "aws-solutions")?;
    let out = app.synth()?;
    let report = out.validation.expect("the pack ran");
    assert_eq!(
        open(&report),
        [
            ("AwsSolutions-ECS4".to_owned(), "Web/Cluster".to_owned()),
            ("Berth-LOG2".to_owned(), "Web/Logs/A/Resource".to_owned()),
            ("Berth-LOG2".to_owned(), "Web/Logs/B/Resource".to_owned()),
        ]
    );
    // Findings are warnings, with the rule id as code.
    let codes: Vec<&str> = out.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["AwsSolutions-ECS4", "Berth-LOG2", "Berth-LOG2"]);
    assert!(out.diagnostics.iter().all(|d| !d.is_error()));
    Ok(())
}

#[test]
fn no_pack_no_report() -> Result<(), Box<dyn std::error::Error>> {
    let (mut app, _, _) = app()?;
    let out = app.synth()?;
    assert!(out.validation.is_none());
    assert!(out.diagnostics.is_empty());
    Ok(())
}

#[test]
fn a_suppression_is_inherited_and_written_in_cdk_nags_format(
) -> Result<(), Box<dyn std::error::Error>> {
    let (mut app, _, group) = app()?;
    app.add_rule_pack(ROOT, "aws-solutions")?;
    app.add_suppression(
        group,
        Suppression::new("Berth-LOG2", "application logs hold no customer data"),
    )?;
    let out = app.synth()?;
    let report = out.validation.as_ref().unwrap();
    assert_eq!(
        open(report),
        [("AwsSolutions-ECS4".to_owned(), "Web/Cluster".to_owned())]
    );
    let t = &out.stacks[0].template;
    let metas: Vec<&serde_json::Value> = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::Logs::LogGroup")
        .map(|r| &r["Metadata"]["cdk_nag"])
        .collect();
    assert_eq!(metas.len(), 2);
    for m in metas {
        assert_eq!(
            *m,
            json!({"rules_to_suppress": [{"id": "Berth-LOG2", "reason": "application logs hold no customer data"}]})
        );
    }
    // The cluster outside the group carries nothing.
    assert!(t["Resources"]["Cluster"]["Metadata"]
        .get("cdk_nag")
        .is_none());
    Ok(())
}

#[test]
fn applies_to_is_written_and_regexes_are_checked() -> Result<(), Box<dyn std::error::Error>> {
    let (mut app, stack, _) = app()?;
    app.add_suppression(
        stack,
        Suppression::new("AwsSolutions-IAM5", "the task reads its own bucket only")
            .applies_to(["Action::s3:GetObject*"])
            .applies_to_regex("/^Resource::.*$/g"),
    )?;
    let err = app
        .add_suppression(
            stack,
            Suppression::new("AwsSolutions-IAM5", "a broken regular expression")
                .applies_to_regex("/(/"),
        )
        .unwrap_err();
    assert_eq!(err.property.as_deref(), Some("suppression.applies_to"));
    let out = app.synth()?;
    // A stack's suppressions go into the template's own metadata (cdk-nag's stack
    // suppressions), not into every resource.
    let t = &out.stacks[0].template;
    assert_eq!(
        t["Metadata"]["cdk_nag"]["rules_to_suppress"][0]["applies_to"],
        json!(["Action::s3:GetObject*", {"regex": "/^Resource::.*$/g"}])
    );
    assert!(t["Resources"]["Cluster"]
        .get("Metadata")
        .is_some_and(|m| m.get("cdk_nag").is_none()));
    Ok(())
}

#[test]
fn a_short_reason_is_refused_naming_the_construct() -> Result<(), Box<dyn std::error::Error>> {
    let (mut app, _, group) = app()?;
    let err = app
        .add_suppression(group, Suppression::new("Berth-LOG2", "fine"))
        .unwrap_err();
    assert_eq!(err.path, "Web/Logs");
    assert_eq!(err.property.as_deref(), Some("suppression.reason"));
    assert!(err.to_string().contains("at least 10"), "{err}");
    let err = app
        .add_suppression(group, Suppression::new(" ", "a good long reason"))
        .unwrap_err();
    assert_eq!(err.property.as_deref(), Some("suppression.id"));
    Ok(())
}

#[test]
fn an_unused_suppression_is_reported_at_its_construct() -> Result<(), Box<dyn std::error::Error>> {
    let (mut app, _, group) = app()?;
    app.add_rule_pack(ROOT, "aws-solutions")?;
    app.add_suppression(
        group,
        Suppression::new("AwsSolutions-ECS4", "no cluster lives in this group"),
    )?;
    let out = app.synth()?;
    let unused: Vec<&berth_synth::Diagnostic> = out
        .diagnostics
        .iter()
        .filter(|d| d.code == "BERTH-W0901")
        .collect();
    assert_eq!(unused.len(), 1, "{:?}", out.diagnostics);
    assert_eq!(unused[0].path, "Web/Logs");
    assert!(unused[0].message.contains("AwsSolutions-ECS4"));
    Ok(())
}

#[test]
fn existing_cdk_nag_metadata_on_an_l1_is_honoured_and_kept(
) -> Result<(), Box<dyn std::error::Error>> {
    let (mut app, stack, _) = app()?;
    app.add_rule_pack(stack, "aws-solutions")?;
    let cluster = app.find("Web/Cluster")?;
    app.add_metadata(
        cluster,
        "cdk_nag",
        Value::map([(
            "rules_to_suppress",
            Value::List(vec![Value::map([
                ("id", Value::from("AwsSolutions-ECS4")),
                (
                    "reason",
                    Value::from("insights are on at the account level"),
                ),
            ])]),
        )]),
    )?;
    app.add_suppression(
        ROOT,
        Suppression::new("Berth-LOG2", "a demo: no personal data anywhere"),
    )?;
    let out = app.synth()?;
    let report = out.validation.as_ref().unwrap();
    assert_eq!(open(report), Vec::<(String, String)>::new());
    let f = report
        .findings
        .iter()
        .find(|f| f.rule_id == "AwsSolutions-ECS4")
        .unwrap();
    assert_eq!(
        f.suppressed_by.as_deref(),
        Some("insights are on at the account level")
    );
    // The resource keeps its own; the app's suppression is in the template's metadata
    // and applies to the log group.
    let t = &out.stacks[0].template;
    let list = &t["Resources"]["Cluster"]["Metadata"]["cdk_nag"]["rules_to_suppress"];
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(
        t["Metadata"]["cdk_nag"]["rules_to_suppress"][0]["id"],
        "Berth-LOG2"
    );
    let log2 = report
        .findings
        .iter()
        .find(|f| f.rule_id == "Berth-LOG2")
        .unwrap();
    assert_eq!(
        log2.suppressed_by.as_deref(),
        Some("a demo: no personal data anywhere")
    );
    Ok(())
}

#[test]
fn an_unused_stack_suppression_is_reported_at_the_stack() -> Result<(), Box<dyn std::error::Error>>
{
    let (mut app, stack, _) = app()?;
    app.add_rule_pack(ROOT, "aws-solutions")?;
    app.add_suppression(
        stack,
        Suppression::new("AwsSolutions-SQS4", "no queue in this stack at all"),
    )?;
    let out = app.synth()?;
    let unused: Vec<&berth_synth::Diagnostic> = out
        .diagnostics
        .iter()
        .filter(|d| d.code == "BERTH-W0901")
        .collect();
    assert_eq!(unused.len(), 1);
    assert_eq!(unused[0].path, "Web");
    Ok(())
}

#[test]
fn a_pack_on_one_stack_checks_only_it() -> Result<(), Box<dyn std::error::Error>> {
    let (mut app, _, _) = app()?;
    let other = Stack::new(&mut app, "Other", StackProps::default())?;
    app.add_resource(
        other,
        "Cluster",
        RawProperties::new("AWS::ECS::Cluster", Value::map::<&str>([])),
    )?;
    app.add_rule_pack(other, "aws-solutions")?;
    let out = app.synth()?;
    let report = out.validation.unwrap();
    assert_eq!(
        open(&report),
        [("AwsSolutions-ECS4".to_owned(), "Other/Cluster".to_owned())]
    );
    Ok(())
}

#[test]
fn packs_go_on_the_app_or_a_stack_and_must_exist() -> Result<(), Box<dyn std::error::Error>> {
    let (mut app, _, group) = app()?;
    let err = app.add_rule_pack(group, "aws-solutions").unwrap_err();
    assert_eq!(
        (err.path.as_str(), err.property.as_deref()),
        ("Web/Logs", Some("rule_pack"))
    );
    let err = app.add_rule_pack(ROOT, "hipaa").unwrap_err();
    assert!(
        err.to_string()
            .contains("there is no rule pack \"hipaa\"; packs: aws-solutions"),
        "{err}"
    );
    Ok(())
}

#[test]
fn strict_fails_synth_and_writes_nothing() -> Result<(), Box<dyn std::error::Error>> {
    let (mut app, _, _) = app()?;
    app.add_rule_pack(ROOT, "aws-solutions")?;
    app.set_strict_rules(true);
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("out");
    let err = app
        .write_assembly(&out, berth_synth::assembly::TemplateFormat::Json)
        .unwrap_err();
    let berth_synth::SynthError::Invalid(diags) = err else {
        panic!("not a validation error: {err}")
    };
    assert!(diags
        .iter()
        .any(|d| d.code == "AwsSolutions-ECS4" && d.is_error() && d.path == "Web/Cluster"));
    assert!(
        !out.exists() || std::fs::read_dir(&out)?.next().is_none(),
        "nothing written"
    );
    Ok(())
}

#[test]
fn the_assembly_gets_the_validation_report() -> Result<(), Box<dyn std::error::Error>> {
    let (mut app, _, group) = app()?;
    app.add_rule_pack(ROOT, "aws-solutions")?;
    app.add_suppression(
        group,
        Suppression::new("Berth-LOG2", "application logs hold no customer data"),
    )?;
    let dir = tempfile::tempdir()?;
    let written = app.write_assembly(dir.path(), berth_synth::assembly::TemplateFormat::Json)?;
    assert_eq!(
        written.validation.as_ref().unwrap().unsuppressed().count(),
        1
    );
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(
        dir.path().join("policy-validation-report.json"),
    )?)?;
    let plugin = &report["pluginReports"][0];
    assert_eq!(plugin["conclusion"], "failure");
    assert_eq!(plugin["violations"][0]["ruleName"], "AwsSolutions-ECS4");
    assert_eq!(
        plugin["violations"][0]["violatingConstructs"][0]["cloudFormationResource"]["templatePath"],
        "Web.template.json"
    );
    assert_eq!(
        plugin["suppressedViolations"][0]["violatingConstructs"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // A second synth over the assembly replaces the report (it is the assembly's own file).
    let (mut again, _, _) = self::app()?;
    again.write_assembly(dir.path(), berth_synth::assembly::TemplateFormat::Json)?;
    assert!(!dir.path().join("policy-validation-report.json").exists());
    Ok(())
}
