//! The examples are lean: `cargo run --example NAME` compiles the facade, its
//! dependencies and the root package's dev-dependencies, and none of them is the AWS
//! SDK or the CLI (an example run with arguments hands them to the installed `berth`).

use std::process::Command;

#[test]
fn the_examples_build_without_the_aws_sdk() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "tree",
            "--quiet",
            "--package",
            "berth",
            "--edges",
            "normal,dev",
            "--prefix",
            "none",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo tree");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(tree.contains("berth-synth"), "{tree}");
    let heavy: Vec<&str> = tree
        .lines()
        .filter(|l| l.starts_with("aws-") || l.starts_with("berth-cli") || l.starts_with("tokio"))
        .collect();
    assert!(
        heavy.is_empty(),
        "the examples would compile {heavy:?}: move what needs them to berth-cli's tests"
    );
}
