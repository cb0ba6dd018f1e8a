//! Every example passes the aws-solutions rule pack: no unsuppressed finding and no
//! unused suppression. What an example keeps on purpose (HTTP on port 80 in a demo,
//! no access logs, AWS-managed encryption) is suppressed in its code, with a reason.

mod common;

#[test]
fn every_example_passes_the_aws_solutions_pack() {
    let mut problems = Vec::new();
    for (name, mut app) in common::examples() {
        app.add_rule_pack(berth::constructs::ROOT, "aws-solutions")
            .unwrap();
        let out = app.synth().unwrap_or_else(|e| panic!("{name}: {e}"));
        let report = out.validation.expect("the pack ran");
        for f in report.unsuppressed() {
            problems.push(format!(
                "{name}: {} {} ({}) {}",
                f.display_id(),
                f.path,
                f.property.as_deref().unwrap_or("-"),
                f.reason
            ));
        }
        for u in &report.unused_suppressions {
            problems.push(format!(
                "{name}: unused suppression {} at {}",
                u.rule_id, u.path
            ));
        }
        for i in &report.invalid_suppressions {
            problems.push(format!(
                "{name}: ignored suppression at {}: {}",
                i.path, i.message
            ));
        }
        assert!(
            report
                .findings
                .iter()
                .all(|f| f.suppressed_by.as_ref().is_none_or(|r| r.len() >= 10)),
            "{name}"
        );
    }
    assert!(
        problems.is_empty(),
        "{}\n{} problems",
        problems.join("\n"),
        problems.len()
    );
}
