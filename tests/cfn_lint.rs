//! Every example's templates pass cfn-lint (the pinned PyPI release) with no errors
//! and no warnings. The test command (`scripts/test`) installs cfn-lint into `.venv`
//! and points `BERTH_CFN_LINT` at it.

mod common;

use std::path::PathBuf;
use std::process::Command;

fn cfn_lint() -> PathBuf {
    if let Some(p) = std::env::var_os("BERTH_CFN_LINT") {
        return p.into();
    }
    let local = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/cfn-lint");
    assert!(
        local.exists(),
        "cfn-lint not found: run the tests with scripts/test (it installs cfn-lint into .venv), or set BERTH_CFN_LINT"
    );
    local
}

#[test]
fn example_templates_pass_cfn_lint() {
    let lint = cfn_lint();
    for (name, app) in common::examples() {
        let dir = tempfile::tempdir().unwrap();
        let out = common::synth_to(app, dir.path());
        let files: Vec<PathBuf> = out
            .stacks
            .iter()
            .map(|s| dir.path().join(format!("{}.template.json", s.name)))
            .collect();
        let result = Command::new(&lint)
            .arg("--format")
            .arg("parseable")
            .args(&files)
            .output()
            .expect("cfn-lint runs");
        let code = result.status.code().unwrap_or(-1);
        let report = String::from_utf8_lossy(&result.stdout);
        // exit code bits: 2 errors, 4 warnings, 8 informational
        assert!(
            code >= 0 && code & (1 | 2 | 4) == 0,
            "example {name}: cfn-lint exit {code}:\n{report}{}",
            String::from_utf8_lossy(&result.stderr)
        );
    }
}
