//! The options of `deploy` and `destroy` end to end against moto (the real SDK on
//! loopback): what the scripted fake tests for events and rollbacks, checked here
//! against what moto really stores and answers. Every test uses its own name prefix.

use std::path::Path;
use std::sync::Arc;

use berth_cli::exit;
use berth_cli::prompt::ScriptedPrompter;
use serde_json::json;

use crate::common::{materialize, moto_requests, run_local, unique_prefix, Run};
use crate::e2e::{block, ok, sdk};

fn berth(cwd: &Path, args: &[&str]) -> Run {
    run_local(cwd, args, |s| s)
}

/// The stack's status in moto, or `None` when it does not exist.
fn status(cfn: &aws_sdk_cloudformation::Client, stack: &str) -> Option<String> {
    block(async {
        match cfn.describe_stacks().stack_name(stack).send().await {
            Ok(out) => out
                .stacks()
                .first()
                .and_then(|s| s.stack_status())
                .map(|s| s.as_str().to_string()),
            Err(_) => None,
        }
    })
}

#[test]
fn no_rollback_reaches_cloudformation_with_either_method() {
    let cfn = aws_sdk_cloudformation::Client::new(&sdk());
    for method in ["direct", "change-set"] {
        let p = unique_prefix("nr");
        let dir = materialize(&["single"], &p);
        let stack = format!("{p}-Service");
        let r = berth(
            dir.path(),
            &[
                "deploy",
                "--app",
                "single",
                "--require-approval",
                "never",
                "--no-rollback",
                "--method",
                method,
            ],
        );
        ok(&r);
        assert_eq!(status(&cfn, &stack).as_deref(), Some("CREATE_COMPLETE"));
        // The request that creates the stack carries DisableRollback (moto does not keep
        // it on the stack, so the test reads the request moto received).
        let action = if method == "direct" {
            "CreateStack"
        } else {
            "ExecuteChangeSet"
        };
        let sent = moto_requests(action, &stack);
        assert_eq!(sent.len(), 1, "{method}: {sent:?}");
        assert_eq!(
            sent[0].get("DisableRollback").map(String::as_str),
            Some("true"),
            "{method}: {:?}",
            sent[0]
        );
        let p2 = unique_prefix("rb");
        let dir = materialize(&["single"], &p2);
        ok(&berth(
            dir.path(),
            &[
                "deploy",
                "--app",
                "single",
                "--require-approval",
                "never",
                "--method",
                method,
            ],
        ));
        let action = if method == "direct" {
            "CreateStack"
        } else {
            "ExecuteChangeSet"
        };
        let sent = moto_requests(action, &format!("{p2}-Service"));
        assert_eq!(sent.len(), 1, "{method}: {sent:?}");
        assert_ne!(
            sent[0].get("DisableRollback").map(String::as_str),
            Some("true"),
            "{method}"
        );
    }
}

#[test]
fn verbose_prints_every_call_and_json_prints_a_summary() {
    let p = unique_prefix("vj");
    let dir = materialize(&["single"], &p);
    let stack = format!("{p}-Service");
    let r = berth(
        dir.path(),
        &[
            "deploy",
            "-v",
            "--app",
            "single",
            "--require-approval",
            "never",
        ],
    );
    ok(&r);
    for line in [
        format!("api: DescribeStacks {stack} -> not found"),
        format!(" Create {stack} (body of "),
        format!("api: ExecuteChangeSet {stack}"),
        format!("api: DescribeStacks {stack} -> CREATE_COMPLETE"),
    ] {
        assert!(r.err.contains(&line), "no {line:?} in:\n{}", r.err);
    }
    // The same stack again, as JSON: the summary on stdout, nothing else there.
    let r = berth(
        dir.path(),
        &[
            "deploy",
            "--json",
            "--app",
            "single",
            "--require-approval",
            "never",
        ],
    );
    ok(&r);
    let v: serde_json::Value = serde_json::from_str(&r.out).expect("stdout is JSON");
    assert_eq!(v[0]["stack"], stack, "{v:#}");
    assert_eq!(v[0]["result"], "no-changes", "{v:#}");
    // A new stack as JSON: deployed, with its final status; progress only on stderr.
    let p = unique_prefix("vk");
    let dir = materialize(&["single"], &p);
    let r = berth(
        dir.path(),
        &[
            "deploy",
            "--json",
            "--app",
            "single",
            "--require-approval",
            "never",
        ],
    );
    ok(&r);
    let v: serde_json::Value = serde_json::from_str(&r.out).expect("stdout is JSON");
    assert_eq!(v[0]["stack"], format!("{p}-Service"), "{v:#}");
    assert_eq!(v[0]["result"], "deployed", "{v:#}");
    assert_eq!(v[0]["status"], "CREATE_COMPLETE", "{v:#}");
    assert!(r.err.contains("CREATE_COMPLETE"), "{}", r.err);
}

/// One assembly with two independent stacks, each the `single` fixture's template.
fn two_stacks(root: &Path, a: &str, b: &str) {
    let template = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/single/Service.template.json"),
    )
    .unwrap();
    let app = root.join("two");
    std::fs::create_dir_all(&app).unwrap();
    let mut artifacts = serde_json::Map::new();
    for (id, prefix) in [("A", a), ("B", b)] {
        std::fs::write(
            app.join(format!("{id}.template.json")),
            template.replace("__PREFIX__", prefix),
        )
        .unwrap();
        artifacts.insert(
            id.into(),
            json!({"type": "aws:cloudformation:stack",
                "properties": {"templateFile": format!("{id}.template.json"), "stackName": format!("{prefix}-Service")}}),
        );
    }
    std::fs::write(
        app.join("manifest.json"),
        json!({"version": "55.0.0", "artifacts": artifacts}).to_string(),
    )
    .unwrap();
}

#[test]
fn independent_stacks_deploy_with_a_concurrency_limit() {
    let cfn = aws_sdk_cloudformation::Client::new(&sdk());
    let (a, b) = (unique_prefix("ca"), unique_prefix("cb"));
    let root = tempfile::tempdir().unwrap();
    two_stacks(root.path(), &a, &b);
    for concurrency in ["2", "1"] {
        let r = berth(
            root.path(),
            &[
                "deploy",
                "--all",
                "--app",
                "two",
                "--require-approval",
                "never",
                "--concurrency",
                concurrency,
            ],
        );
        ok(&r);
        for p in [&a, &b] {
            assert_eq!(
                status(&cfn, &format!("{p}-Service")).as_deref(),
                Some("CREATE_COMPLETE"),
                "{concurrency}: {}",
                r.out
            );
        }
    }
    let r = berth(
        root.path(),
        &["deploy", "--all", "--app", "two", "--concurrency", "0"],
    );
    assert_eq!(r.code, exit::USAGE, "{}", r.err);
}

#[test]
fn approval_is_asked_and_a_refusal_creates_nothing() {
    let cfn = aws_sdk_cloudformation::Client::new(&sdk());
    let p = unique_prefix("ap");
    let dir = materialize(&["single"], &p);
    let stack = format!("{p}-Service");
    let prompter = Arc::new(ScriptedPrompter::new(&[false]));
    let asked = prompter.clone();
    let r = run_local(dir.path(), &["deploy", "--app", "single"], move |s| {
        s.prompter(asked)
    });
    assert_eq!(r.code, exit::NOT_APPROVED, "{}{}", r.out, r.err);
    assert!(
        prompter.asked.lock().unwrap()[0].contains("broadens"),
        "{:?}",
        prompter.asked.lock().unwrap()
    );
    assert!(r.out.contains("Security changes"), "{}", r.out);
    assert_eq!(status(&cfn, &stack), None, "nothing was created");
    // Without a terminal and without an answer, nothing happens either.
    let r = berth(dir.path(), &["deploy", "--app", "single"]);
    assert_eq!(r.code, exit::NOT_APPROVED);
    assert!(r.err.contains("no terminal"), "{}", r.err);
    assert_eq!(status(&cfn, &stack), None);

    let prompter = Arc::new(ScriptedPrompter::new(&[true]));
    let asked = prompter.clone();
    let r = run_local(dir.path(), &["deploy", "--app", "single"], move |s| {
        s.prompter(asked)
    });
    ok(&r);
    assert_eq!(status(&cfn, &stack).as_deref(), Some("CREATE_COMPLETE"));
}

#[test]
fn destroy_asks_first_and_a_refusal_keeps_the_stack() {
    let cfn = aws_sdk_cloudformation::Client::new(&sdk());
    let p = unique_prefix("dc");
    let dir = materialize(&["single"], &p);
    let stack = format!("{p}-Service");
    ok(&berth(
        dir.path(),
        &["deploy", "--app", "single", "--require-approval", "never"],
    ));
    let prompter = Arc::new(ScriptedPrompter::new(&[false, true]));
    let asked = prompter.clone();
    let r = run_local(dir.path(), &["destroy", "--app", "single"], move |s| {
        s.prompter(asked)
    });
    assert_eq!(r.code, exit::NOT_APPROVED, "{}{}", r.out, r.err);
    assert_eq!(status(&cfn, &stack).as_deref(), Some("CREATE_COMPLETE"));
    let r = berth(dir.path(), &["destroy", "--app", "single"]);
    assert_eq!(r.code, exit::USAGE, "no terminal: {}", r.err);
    assert!(
        r.err
            .contains("there is no terminal to ask on: pass --force"),
        "{}",
        r.err
    );
    assert_eq!(status(&cfn, &stack).as_deref(), Some("CREATE_COMPLETE"));
    let asked = prompter.clone();
    let r = run_local(dir.path(), &["destroy", "--app", "single"], move |s| {
        s.prompter(asked)
    });
    ok(&r);
    assert_eq!(status(&cfn, &stack), None, "destroyed");
    let questions = prompter.asked.lock().unwrap();
    assert_eq!(questions.len(), 2);
    assert!(
        questions[0].contains(&format!("Delete the stacks {stack}")),
        "{questions:?}"
    );
}

/// The `failing` fixture's stack (a service on a cluster that does not exist, which
/// moto refuses) and a stack `After` that depends on it.
fn failing_then_dependent(root: &Path, p: &str) {
    let dir = root.join("chain");
    std::fs::create_dir_all(&dir).unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::write(
        dir.join("Broken.template.json"),
        std::fs::read_to_string(fixtures.join("failing/Broken.template.json"))
            .unwrap()
            .replace("__PREFIX__", p),
    )
    .unwrap();
    std::fs::write(
        dir.join("After.template.json"),
        json!({"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": format!("/berth/{p}/after"), "RetentionInDays": 7}}}})
        .to_string(),
    )
    .unwrap();
    std::fs::write(
        dir.join("manifest.json"),
        json!({"version": "55.0.0", "artifacts": {
            "Broken": {"type": "aws:cloudformation:stack",
                "properties": {"templateFile": "Broken.template.json", "stackName": format!("{p}-Broken")}},
            "After": {"type": "aws:cloudformation:stack", "dependencies": ["Broken"],
                "properties": {"templateFile": "After.template.json", "stackName": format!("{p}-After")}}
        }})
        .to_string(),
    )
    .unwrap();
}

#[test]
fn a_failed_stack_skips_its_dependents() {
    let cfn = aws_sdk_cloudformation::Client::new(&sdk());
    let p = unique_prefix("sk");
    let root = tempfile::tempdir().unwrap();
    failing_then_dependent(root.path(), &p);
    let r = berth(
        root.path(),
        &[
            "deploy",
            "--all",
            "--app",
            "chain",
            "--require-approval",
            "never",
            "--method",
            "direct",
        ],
    );
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    assert!(
        r.out.contains(&format!("✘ {p}-Broken failed to deploy")),
        "{}",
        r.out
    );
    assert!(
        r.err
            .contains(&format!("{p}-After: skipped because Broken failed")),
        "{}",
        r.err
    );
    assert_eq!(status(&cfn, &format!("{p}-After")), None, "never created");
}

#[test]
fn exclusively_deploys_only_the_named_stack() {
    let cfn = aws_sdk_cloudformation::Client::new(&sdk());
    let p = unique_prefix("ex");
    let dir = materialize(&["app"], &p);
    let deploy = |extra: &[&str]| {
        let mut args = vec![
            "deploy",
            "Web",
            "--app",
            "app",
            "--require-approval",
            "never",
            "--method",
            "direct",
        ];
        args.extend_from_slice(extra);
        berth(dir.path(), &args)
    };
    // Web alone: Network is neither deployed nor asked about, and Web's import of
    // Network's export fails in moto.
    let r = deploy(&["--exclusively"]);
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    assert_eq!(status(&cfn, &format!("{p}-Network")), None, "{}", r.out);
    assert!(!r.out.contains(&format!("{p}-Network")), "{}", r.out);
    // Without it, Network goes first.
    let p2 = unique_prefix("ey");
    let dir = materialize(&["app"], &p2);
    let r = berth(
        dir.path(),
        &[
            "deploy",
            "Web",
            "--app",
            "app",
            "--require-approval",
            "never",
            "--method",
            "direct",
        ],
    );
    ok(&r);
    let network = r.out.find(&format!("✔ {p2}-Network deployed"));
    let web = r.out.find(&format!("✔ {p2}-Web deployed"));
    assert!(
        network.is_some() && web.is_some() && network < web,
        "{}",
        r.out
    );
}
