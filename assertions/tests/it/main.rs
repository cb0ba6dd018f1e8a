//! Integration tests for berth-assertions: one binary, one module per area.
//!
//! Failure messages are insta snapshots in `tests/snapshots/`; review changes with
//! `cargo insta review`.

mod capture;
mod loading;
mod matchers;
mod messages;
mod queries;
mod snapshots;

use berth_assertions::Template;

/// The realistic fixture: a Fargate service behind an ALB (listener → target group → service).
pub fn fixture() -> Template {
    Template::from_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/ecs_service.json"
    ))
    .expect("the fixture is a valid template")
}

/// Snapshots the uncolored text of a failure (an `Err` of a `try_` method, or mismatches) in
/// `tests/snapshots/`.
#[macro_export]
macro_rules! assert_message {
    ($name:literal, $text:expr) => {{
        let text: String = $text;
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!($name, text);
        });
    }};
}

/// The message of a failed `try_` assertion.
pub fn failure(result: Result<(), berth_assertions::AssertionError>) -> String {
    match result {
        Ok(()) => panic!("expected the assertion to fail, but it passed"),
        Err(err) => err.to_string(),
    }
}

/// The mismatches of a matcher against a value, one per line.
pub fn mismatches(matcher: &berth_assertions::Matcher, actual: &serde_json::Value) -> String {
    let found = matcher.test(actual);
    assert!(
        !found.is_empty(),
        "expected {matcher} not to match {actual}"
    );
    found
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
