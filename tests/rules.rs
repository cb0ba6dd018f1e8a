//! `berth synth --rules`, `--strict` and `berth check` through the CLI, with the app
//! synthesized in-process the way `berth::run` does it (the CLI hands the packs to the
//! app in BERTH_RULES / BERTH_STRICT_RULES).

use berth::cli::Session;
use berth::prelude::*;
use berth::synth::assembly::TemplateFormat;
use std::path::Path;

/// One stack: a raw ECS cluster without Container Insights, and a log group whose
/// missing KMS key is suppressed.
fn app() -> Result<App, ConstructError> {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Web", StackProps::default())?;
    app.add_resource(
        stack,
        "Cluster",
        RawProperties::new("AWS::ECS::Cluster", Value::map::<&str>([])),
    )?;
    let logs = berth::constructs::logs::LogGroup::new(&mut app, stack, "Logs", Default::default())?;
    app.add_suppression(
        logs,
        berth::constructs::Suppression::new("Berth-LOG2", "these logs hold no personal data"),
    )?;
    Ok(app)
}

fn berth_cli(cwd: &Path, args: &[&str]) -> (u8, String, String) {
    let (session, out, err) = Session::captured();
    let session = session.cwd(cwd).synth(|dir: &Path| {
        let mut app = app()?;
        berth::apply_rules_env(&mut app)?;
        app.write_assembly(dir, TemplateFormat::Json)?;
        Ok(())
    });
    let mut argv = vec!["berth"];
    argv.extend_from_slice(args);
    let code = session.run(argv);
    (code, out.contents(), err.contents())
}

// One test: the CLI sets process environment variables for the in-process app.
#[test]
fn synth_rules_strict_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("berth.out");

    // Without --rules: no report.
    let (code, _, err) = berth_cli(dir.path(), &["synth", "-q"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.join("policy-validation-report.json").exists());

    // --rules: warnings on stderr, the report in the assembly.
    let (code, _, err) = berth_cli(dir.path(), &["synth", "-q", "--rules", "aws-solutions"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("error AwsSolutions-ECS4 Web/Cluster (Cluster, ClusterSettings): The ECS cluster has CloudWatch Container Insights disabled.\n    fix: "),
        "{err}"
    );
    assert!(
        err.contains("1 finding (1 suppressed) from aws-solutions"),
        "{err}"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("policy-validation-report.json")).unwrap())
            .unwrap();
    assert_eq!(
        report["pluginReports"][0]["violations"][0]["ruleName"],
        "AwsSolutions-ECS4"
    );

    // --strict: exit 3, the previous assembly left as it was, nothing new written.
    let before = std::fs::read(out.join("Web.template.json")).unwrap();
    std::fs::remove_file(out.join("policy-validation-report.json")).unwrap();
    let (code, _, err) = berth_cli(
        dir.path(),
        &["synth", "--rules", "aws-solutions", "--strict"],
    );
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("error[AwsSolutions-ECS4] Web/Cluster: ClusterSettings"),
        "{err}"
    );
    assert!(
        !out.join("policy-validation-report.json").exists(),
        "nothing written"
    );
    assert_eq!(
        std::fs::read(out.join("Web.template.json")).unwrap(),
        before
    );

    // Not strict again: a strict run before does not stick.
    let (code, _, err) = berth_cli(dir.path(), &["synth", "-q", "--rules", "aws-solutions"]);
    assert_eq!(code, 0, "{err}");

    // berth check over the assembly directory: exit 1 with an open finding.
    let (code, text, _) = berth_cli(dir.path(), &["check", "--app", "berth.out"]);
    assert_eq!(code, 1);
    assert!(
        text.starts_with("error AwsSolutions-ECS4 Web/Cluster"),
        "{text}"
    );
    let (code, sarif, _) = berth_cli(
        dir.path(),
        &["check", "--app", "berth.out", "--format", "sarif"],
    );
    assert_eq!(code, 1);
    let log: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let schema: serde_json::Value = serde_json::from_str(include_str!(
        "../synth/schemas/sarif/sarif-schema-2.1.0.json"
    ))
    .unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "berth.out/Web.template.json"
    );
    let (code, json, _) = berth_cli(
        dir.path(),
        &["check", "--app", "berth.out", "--format", "json"],
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["pluginReports"][0]["suppressedViolations"][0]["ruleName"],
        "Berth-LOG2"
    );

    // An unknown pack is a usage error.
    let (code, _, err) = berth_cli(
        dir.path(),
        &["check", "--rules", "nope", "--app", "berth.out"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("there is no rule pack \"nope\"; packs: aws-solutions"),
        "{err}"
    );
}
