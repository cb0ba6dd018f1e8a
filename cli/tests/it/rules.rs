//! `berth synth --rules` with an app command: the packs reach the app through
//! BERTH_RULES / BERTH_STRICT_RULES, and the CLI lists what the packs find in the
//! assembly the app wrote (here a fixture the command copies, which does not read them).

use crate::common::{materialize, run};
use berth_cli::exit;

#[test]
fn synth_rules_reach_an_app_command_and_its_findings_are_listed() {
    let dir = materialize(&["app"], "demo");
    let copy = r#"cp app/* "$BERTH_OUTDIR"/"#;
    let cmd = format!(
        r#"test "$BERTH_RULES" = aws-solutions && test -z "$BERTH_STRICT_RULES" && {copy}"#
    );
    let r = run(
        dir.path(),
        None,
        &[
            "synth",
            "-q",
            "--rules",
            "aws-solutions",
            "--app",
            &cmd,
            "--output",
            "out",
        ],
    );
    assert_eq!(r.code, exit::OK, "{}", r.err);
    assert!(
        r.err
            .contains("AwsSolutions-ECS4 Web/Cluster/Resource (ClusterEB0386A7, ClusterSettings)"),
        "{}",
        r.err
    );
    assert!(r.err.contains("from aws-solutions\n"), "{}", r.err);

    let strict = format!(r#"test "$BERTH_STRICT_RULES" = 1 && {copy}"#);
    let r = run(
        dir.path(),
        None,
        &[
            "synth",
            "-q",
            "--rules",
            "aws-solutions",
            "--strict",
            "--app",
            &strict,
            "--output",
            "out",
        ],
    );
    assert_eq!(r.code, exit::APP, "{}", r.err);
    assert!(
        r.err.contains("--strict:") && r.err.contains("unsuppressed rule finding"),
        "{}",
        r.err
    );

    // Without --rules nothing is checked or passed on.
    let plain = format!(r#"test -z "$BERTH_RULES" && {copy}"#);
    let r = run(
        dir.path(),
        None,
        &["synth", "-q", "--app", &plain, "--output", "out"],
    );
    assert_eq!((r.code, r.err.as_str()), (exit::OK, ""));
}
