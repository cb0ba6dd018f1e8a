//! Every command's `--help`, snapshotted.

use crate::common::run;

#[test]
fn help_texts() {
    let dir = std::env::temp_dir();
    for cmd in [
        "",
        "synth",
        "list",
        "check",
        "diff",
        "deploy",
        "publish",
        "watch",
        "destroy",
        "bootstrap",
        "init",
        "status",
        "logs",
        "run",
        "exec",
        "deployment",
        "refactor",
        "lock",
    ] {
        let args: Vec<&str> = if cmd.is_empty() {
            vec!["--help"]
        } else {
            vec![cmd, "--help"]
        };
        let r = run(&dir, None, &args);
        assert_eq!(r.code, berth_cli::exit::OK, "{cmd} --help: {}", r.err);
        assert!(
            r.out.contains("Exit codes:"),
            "{cmd} --help lists exit codes"
        );
        let name = if cmd.is_empty() {
            "help_berth".to_string()
        } else {
            format!("help_{cmd}")
        };
        insta::assert_snapshot!(name, r.out);
    }
}

#[test]
fn usage_errors_exit_2() {
    let dir = std::env::temp_dir();
    let r = run(&dir, None, &["deploy", "--method", "sideways"]);
    assert_eq!(r.code, berth_cli::exit::USAGE);
    assert!(r.err.contains("sideways"), "{}", r.err);
}
