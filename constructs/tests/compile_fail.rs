//! What must not compile: `fargate_size!` with a pair Fargate does not offer (the
//! message lists the memory values for the cpu given, or the cpu values).

#[test]
fn compile_fail_ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
