//! Errors that tell the truth, against moto behind the fault-injecting proxy
//! ([`crate::proxy`]): retryable faults (HTML 500s, throttling, dropped connections)
//! are retried and the deploy goes through; when they persist, the report names the
//! first cause with what the retries answered; an answer lost after moto did the work
//! is reported as such, nothing is left half-made, and a re-run converges. Every
//! message is a snapshot (ports, request ids and name prefixes redacted).
//!
//! Each fault is set for exactly the attempts it should meet (berth makes 4 here).

use std::time::Duration;

use berth_cli::deploy::retry::RetryPolicy;
use berth_cli::exit;

use crate::common::{materialize, run_with, unique_prefix, Run};
use crate::e2e::{block, ok, require_local_endpoint, sdk};
use crate::proxy::{Fault, FaultProxy};

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        attempts: 4,
        initial: Duration::from_millis(10),
        max: Duration::from_millis(40),
    }
}

fn proxy() -> FaultProxy {
    FaultProxy::start(&require_local_endpoint())
}

/// `berth ARGS` sent to the proxy (set on the SDK configuration in code), with
/// berth's retries on (fast).
fn via(proxy: &FaultProxy, dir: &std::path::Path, args: &[&str]) -> Run {
    let url = proxy.url();
    run_with(dir, None, args, move |s| {
        s.endpoint(url).retry_policy(fast_retries())
    })
}

/// Ports, request ids and the test's name prefix made stable for snapshots.
pub(crate) fn redact(text: &str, prefix: &str) -> String {
    let mut text = text.replace(prefix, "PREFIX");
    let marker = "request id ";
    let mut from = 0;
    while let Some(i) = text[from..].find(marker) {
        let start = from + i + marker.len();
        let len = text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .count();
        text.replace_range(start..start + len, "ID");
        from = start + 2;
    }
    let mut out = String::new();
    let mut rest = text.as_str();
    loop {
        let next = ["127.0.0.1:"]
            .iter()
            .filter_map(|m| rest.find(m).map(|i| (i, *m)))
            .min();
        let Some((i, marker)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..i + marker.len()]);
        rest = &rest[i + marker.len()..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 {
            out.push_str("PORT");
            rest = &rest[digits..];
        }
    }
}

fn deploy_args(method: &str) -> Vec<&str> {
    vec![
        "deploy",
        "--app",
        "single",
        "--require-approval",
        "never",
        "--method",
        method,
    ]
}

#[test]
fn transient_faults_are_retried_and_the_deploy_goes_through() {
    let proxy = proxy();
    let p = unique_prefix("ft");
    let dir = materialize(&["single"], &p);
    proxy.fail("DescribeStacks", Fault::Throttle, 2);
    proxy.fail("CreateChangeSet", Fault::Html500, 1);
    proxy.fail("ExecuteChangeSet", Fault::Drop, 1);
    let r = via(&proxy, dir.path(), &deploy_args("change-set"));
    ok(&r);
    assert!(r.out.contains("deployed (CREATE_COMPLETE)"), "{}", r.out);
    assert_eq!(
        proxy.faulted(),
        [
            "DescribeStacks Throttle",
            "DescribeStacks Throttle",
            "CreateChangeSet Html500",
            "ExecuteChangeSet Drop"
        ]
    );
    assert_eq!(proxy.count("CreateChangeSet"), 2);
    assert_eq!(proxy.count("ExecuteChangeSet"), 2);
    // moto has the stack, once.
    let cfn = aws_sdk_cloudformation::Client::new(&sdk());
    let stacks = block(
        cfn.describe_stacks()
            .stack_name(format!("{p}-Service"))
            .send(),
    )
    .unwrap();
    assert_eq!(
        stacks.stacks()[0].stack_status().map(|s| s.as_str()),
        Some("CREATE_COMPLETE")
    );
}

// A change set whose creation answer was lost is found and executed: moto cannot
// serve that (a second CreateChangeSet of the same name makes a second stack of the same
// name), so it is tested against the scripted fake (`guard::a_change_set_whose_answer_was_lost_*`).

#[test]
fn a_create_whose_answer_was_lost_reports_the_first_cause_and_a_rerun_converges() {
    let proxy = proxy();
    let p = unique_prefix("fc");
    let dir = materialize(&["single"], &p);
    proxy.fail("CreateStack", Fault::ForwardThenDrop, 1);
    let r = via(&proxy, dir.path(), &deploy_args("direct"));
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    // The cause is the lost answer, not the AlreadyExists the retry met.
    let report = redact(&r.out[r.out.find('✘').expect("a report")..], &p);
    insta::assert_snapshot!("fault_lost_create_answer", report);
    assert_eq!(proxy.count("CreateStack"), 2);

    // Nothing half-made: moto has the stack, complete; the same deploy again finds it
    // up to date.
    let r = via(&proxy, dir.path(), &deploy_args("direct"));
    ok(&r);
    assert!(
        r.out.contains(&format!("✔ {p}-Service: no changes")),
        "{}",
        r.out
    );
}

#[test]
fn a_server_error_that_persists_is_reported_once_with_its_retries_and_leaves_nothing() {
    let proxy = proxy();
    let p = unique_prefix("fp");
    let dir = materialize(&["single"], &p);
    // Every attempt (4) fails.
    proxy.fail("CreateChangeSet", Fault::Html500, 4);
    let r = via(&proxy, dir.path(), &deploy_args("change-set"));
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    assert_eq!(proxy.count("CreateChangeSet"), 4, "{:?}", proxy.seen());
    let report = redact(&r.out[r.out.find('✘').expect("a report")..], &p);
    insta::assert_snapshot!("fault_persistent_500", report);
    // No REVIEW_IN_PROGRESS stack or change set is left behind.
    let cfn = aws_sdk_cloudformation::Client::new(&sdk());
    let gone = block(
        cfn.describe_stacks()
            .stack_name(format!("{p}-Service"))
            .send(),
    );
    assert!(gone.is_err(), "{gone:?}");

    // The raw SDK error only with -v, for the first attempt and each retry.
    proxy.fail("CreateChangeSet", Fault::Html500, 4);
    let mut verbose = deploy_args("change-set");
    verbose.push("-v");
    let r = via(&proxy, dir.path(), &verbose);
    assert_eq!(r.code, exit::FAILED);
    assert!(
        r.err
            .contains("api:   the first attempt, as the SDK reports it: "),
        "{}",
        r.err
    );
    assert!(
        r.err.contains("api:   retry 3, as the SDK reports it: "),
        "{}",
        r.err
    );
    assert!(!r.out.contains("as the SDK reports it"), "{}", r.out);

    // Once the server behaves, the same deploy converges.
    let r = via(&proxy, dir.path(), &deploy_args("change-set"));
    ok(&r);
}

#[test]
fn throttling_that_persists_says_so() {
    let proxy = proxy();
    let p = unique_prefix("fh");
    let dir = materialize(&["single"], &p);
    proxy.fail("DescribeStacks", Fault::Throttle, 4);
    let r = via(&proxy, dir.path(), &deploy_args("change-set"));
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    let report = redact(&r.out[r.out.find('✘').expect("a report")..], &p);
    insta::assert_snapshot!("fault_persistent_throttling", report);
}

#[test]
fn dropped_connections_and_an_unreachable_endpoint_are_named() {
    let proxy = proxy();
    let p = unique_prefix("fd");
    let dir = materialize(&["single"], &p);
    proxy.fail("GetTemplate", Fault::Drop, 4);
    let r = via(&proxy, dir.path(), &["diff", "--app", "single"]);
    assert_eq!(r.code, exit::AWS, "{}{}", r.out, r.err);
    insta::assert_snapshot!("fault_dropped_connection", redact(&r.err, &p));

    // Nothing listens on this port (bound, then closed).
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    // --endpoint-url wins over the endpoint set in code (moto's).
    let moto = require_local_endpoint();
    let r = run_with(
        dir.path(),
        None,
        &["diff", "--app", "single", "--endpoint-url", &url],
        move |s| s.endpoint(moto).retry_policy(fast_retries()),
    );
    assert_eq!(r.code, exit::AWS, "{}{}", r.out, r.err);
    insta::assert_snapshot!("fault_unreachable_flag", redact(&r.err, &p));

    // The real binary with AWS_ENDPOINT_URL itself pointing nowhere.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_berth"))
        .args(["diff", "--app", "single"])
        .current_dir(dir.path())
        .env("AWS_ENDPOINT_URL", &url)
        .output()
        .expect("berth");
    assert_eq!(out.status.code(), Some(i32::from(exit::AWS)));
    let err = String::from_utf8_lossy(&out.stderr);
    insta::assert_snapshot!("fault_unreachable_env", redact(&err, &p));
}
