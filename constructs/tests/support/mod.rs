//! Helpers shared by the integration tests.
#![allow(dead_code)]

use berth_constructs::App;
use std::path::PathBuf;
use std::process::Command;

/// cfn-lint: `$BERTH_CFN_LINT` (set by `scripts/test`), else `<workspace>/.venv/bin/cfn-lint`.
///
/// # Panics
/// When neither exists: the lint tests never pass without running cfn-lint.
pub fn cfn_lint() -> PathBuf {
    if let Some(p) = std::env::var_os("BERTH_CFN_LINT") {
        return PathBuf::from(p);
    }
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/cfn-lint");
    assert!(
        p.exists(),
        "cfn-lint not found: run the tests with scripts/test (it installs cfn-lint into .venv), or set BERTH_CFN_LINT"
    );
    p
}

/// Synthesizes `app` into a temporary assembly and runs cfn-lint on each template:
/// any error, warning or informational finding fails the test.
pub fn lint(mut app: App) {
    let dir = tempfile::tempdir().unwrap();
    let out = app
        .synth_to(dir.path(), berth_synth::assembly::TemplateFormat::Json)
        .unwrap_or_else(|e| panic!("synth failed: {e}"));
    for s in &out.stacks {
        lint_file(&s.name, &dir.path().join(&s.template_file));
    }
}

/// [`lint`] for one template already synthesized (e.g. after other assertions on it).
pub fn lint_template(template: &serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Stack.template.json");
    std::fs::write(&path, serde_json::to_string_pretty(template).unwrap()).unwrap();
    lint_file("Stack", &path);
}

fn lint_file(name: &str, path: &std::path::Path) {
    let run = Command::new(cfn_lint())
        .args(["--format", "parseable", "--regions", "us-east-1", "--"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "cfn-lint found problems in {name}:\n{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}

/// A VPC (`Vpc`) with `vpc_props` and an ECS cluster in it (`Cluster`), in `scope`:
/// the set-up most service tests start from.
pub fn cluster_in_new_vpc(
    app: &mut App,
    scope: berth_constructs::Stack,
    vpc_props: berth_constructs::ec2::VpcProps,
) -> berth_constructs::ecs::Cluster {
    use berth_constructs::ec2::Vpc;
    use berth_constructs::ecs::{Cluster, ClusterProps};
    let vpc = Vpc::new(app, scope, "Vpc", vpc_props).unwrap();
    Cluster::new(
        app,
        scope,
        "Cluster",
        ClusterProps {
            vpc: Some(vpc),
            ..Default::default()
        },
    )
    .unwrap()
}
