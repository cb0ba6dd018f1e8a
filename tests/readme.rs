//! The README's code excerpts are the examples' code: each line of the Managed
//! Instances excerpt appears in `examples/managed-instances/main.rs` (which the example
//! tests synthesize, snapshot and cfn-lint), so the README cannot show code that does
//! not build.

#[test]
fn the_managed_instances_excerpt_is_the_example_code() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let example =
        std::fs::read_to_string(format!("{root}/examples/managed-instances/main.rs")).unwrap();
    let section = readme
        .split("### ECS capacity and service kinds")
        .nth(1)
        .expect("the README has the section");
    let block = section
        .split("```rust\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the section has a rust block");
    let lines: Vec<&str> = block
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert!(lines.len() >= 10, "{block}");
    let code: Vec<&str> = example.lines().map(str::trim).collect();
    // The excerpt is a contiguous run of the example's lines.
    let found = code.windows(lines.len()).any(|w| w == lines.as_slice());
    assert!(
        found,
        "the README excerpt is not a contiguous part of the example:\n{block}"
    );
}
