//! berth's own examples, synthesized as `cargo run --example NAME` does, deployed end to
//! end against moto (started by `scripts/test`; the real CLI and the real AWS SDK on
//! loopback only): every example moto can serve. Then `diff --fail` finds nothing to
//! change, and where moto can delete the stacks, `destroy` removes them. `blue-green`
//! is also updated to another strategy (an in-place change in `diff`).
//!
//! Examples moto cannot deploy (see the README's "Trying deploy locally against moto"):
//! `fargate-web` and `many` (a repository without `RepositoryName`: moto makes up a name
//! ECR then rejects), `alb-fargate` (a `Fn::GetAtt` to a Cloud Map namespace, which
//! moto does not create), `microservices` (a `Fn::GetAtt` to a Cloud Map service, which
//! moto does not create either), `logs-and-jobs` (the public SSM parameter of the AWS for
//! Fluent Bit image, which moto does not have; its CloudFormation also knows no
//! `AWS::SecretsManager::Secret` or `AWS::S3::BucketPolicy`), `queue-worker` and
//! `production` (a `Fn::GetAtt` to an EFS file system, which moto answers with HTTP
//! 500). Each is checked below to fail for exactly that reason, so this list stays true.

mod common;

use std::path::Path;

use berth::cli::{exit, Session};

fn require_local_endpoint() -> String {
    berth::cli::local::loopback_endpoint().unwrap_or_else(|e| panic!("{e}"))
}

/// Synthesizes the example `name` into `dir/name` (through `App::write_assembly`, what
/// `berth::run` uses). Its stacks get a suffix unique to this run in the manifest's
/// `stackName` (the templates are the example's, byte for byte), so that other tests
/// deploying the same example (`asset_loop`) or an earlier run against the same server
/// cannot turn a create into an update.
fn synth(name: &str, dir: &Path) -> std::path::PathBuf {
    let (_, mut app) = common::examples()
        .into_iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no example {name}"));
    let out = dir.join(name);
    app.write_assembly(&out, berth::synth::assembly::TemplateFormat::Json)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let path = out.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for artifact in manifest["artifacts"].as_object_mut().unwrap().values_mut() {
        if let Some(stack_name) = artifact["properties"]["stackName"].as_str() {
            let unique = format!("{stack_name}-{}", suffix());
            artifact["properties"]["stackName"] = unique.into();
        }
    }
    std::fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    out
}

/// A suffix unique to this test process.
fn suffix() -> &'static str {
    static SUFFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SUFFIX.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        format!("t{:x}", (nanos ^ std::process::id()) % 0xfffff)
    })
}

/// Runs `berth ARGS` against the local moto only; returns the exit code and stdout +
/// stderr.
fn berth(cwd: &Path, args: &[&str]) -> (u8, String) {
    let (session, out, err) = Session::captured();
    let mut argv = vec!["berth"];
    argv.extend_from_slice(args);
    let code = session
        .cwd(cwd)
        .endpoint(require_local_endpoint())
        .sdk_retries(false)
        .docker("/bin/false")
        .run(argv);
    (code, format!("{}{}", out.contents(), err.contents()))
}

fn deploy(cwd: &Path, name: &str, extra: &[&str]) -> (u8, String) {
    let mut args = vec![
        "deploy",
        "--app",
        name,
        "--all",
        "--require-approval",
        "never",
        "--rollout-timeout",
        "60",
    ];
    args.extend_from_slice(extra);
    berth(cwd, &args)
}

/// Deploys `name`, checks that a second `diff --fail` finds nothing, and returns the
/// deploy's output.
fn deploy_and_diff(name: &str, extra: &[&str]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    synth(name, dir.path());
    let (code, out) = deploy(dir.path(), name, extra);
    assert_eq!(code, exit::OK, "{name}: {out}");
    let (code, diff) = berth(dir.path(), &["diff", "--fail", "--app", name]);
    assert_eq!(code, exit::OK, "{name}: diff found differences:\n{diff}");
    (dir, out)
}

#[test]
fn hello_deploys_both_stacks_in_order_and_destroys_them() {
    // Cross-stack exports: moto computes none after a change set, so `direct`.
    let (dir, out) = deploy_and_diff("hello", &["--method", "direct"]);
    let s = suffix();
    let network = out.find(&format!("✔ HelloNetwork-{s} deployed (CREATE_COMPLETE)"));
    let app = out.find(&format!("✔ HelloApp-{s} deployed (CREATE_COMPLETE)"));
    assert!(network.is_some() && network < app, "{out}");
    assert!(
        out.contains(&format!("HelloApp-{s}.QueueUrl = https://")),
        "{out}"
    );
    let (code, out) = berth(
        dir.path(),
        &["destroy", "--app", "hello", "--all", "--force"],
    );
    assert_eq!(code, exit::OK, "{out}");
    let app = out.find(&format!("✔ HelloApp-{s} destroyed"));
    let network = out.find(&format!("✔ HelloNetwork-{s} destroyed"));
    assert!(app.is_some() && app < network, "{out}");
}

#[test]
fn ec2_cluster_deploys_through_a_change_set() {
    // (moto returns no outputs after a change set, so none are printed here.)
    let (_dir, out) = deploy_and_diff("ec2-cluster", &[]);
    assert!(
        out.contains(&format!(
            "✔ Ec2Cluster-{} deployed (CREATE_COMPLETE)",
            suffix()
        )),
        "{out}"
    );
}

#[test]
fn web_asset_deploys_with_its_image_published_elsewhere() {
    // `--no-publish`: the image is not built here (there is no Docker engine; the
    // `asset_loop` test publishes it with a stand-in); moto does not pull images.
    let (_dir, out) = deploy_and_diff("web-asset", &["--no-publish"]);
    assert!(
        out.contains(&format!(
            "✔ WebAsset-{} deployed (CREATE_COMPLETE)",
            suffix()
        )),
        "{out}"
    );
}

#[test]
fn the_examples_moto_cannot_serve_fail_for_the_reason_the_readme_gives() {
    for (name, reason) in [
        ("fargate-web", "Invalid parameter at 'repositoryName'"),
        ("many", "Invalid parameter at 'repositoryName'"),
        (
            "alb-fargate",
            "Template error: instance of Fn::GetAtt references undefined resource ClusterDefaultServiceDiscoveryNamespace",
        ),
        (
            "microservices",
            "Template error: instance of Fn::GetAtt references undefined resource UsersServiceCloudmapService",
        ),
        // moto fails (HTTP 500) resolving the public SSM parameter of the AWS for Fluent
        // Bit image, which it does not have.
        ("logs-and-jobs", "500 Internal Server Error"),
        // moto fails CreateStack with HTTP 500 on the `Fn::GetAtt` to the EFS file
        // system's `Arn` (its log: `'FileSystem' object has no attribute
        // 'get_cfn_attribute'`).
        ("queue-worker", "500 Internal Server Error"),
        // The same `Fn::GetAtt` to the EFS file system's `Arn`, in ProductionData.
        ("production", "500 Internal Server Error"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        synth(name, dir.path());
        // microservices' template is over the inline limit: it goes through the
        // bootstrap bucket (a no-op when the toolkit stack exists).
        let (code, out) = berth(dir.path(), &["bootstrap"]);
        assert_eq!(code, exit::OK, "{out}");
        let (code, out) = deploy(dir.path(), name, &["--method", "direct"]);
        assert_eq!(code, exit::FAILED, "{name}: {out}");
        assert!(
            out.contains(reason),
            "{name}: expected {reason:?} in:\n{out}"
        );
    }
}

#[test]
fn blue_green_deploys_its_canary_service_and_then_a_strategy_change_in_place() {
    let (dir, out) = deploy_and_diff("blue-green", &[]);
    let stack = format!("BlueGreen-{}", suffix());
    assert!(
        out.contains(&format!("✔ {stack} deployed (CREATE_COMPLETE)")),
        "{out}"
    );
    // What moto stores, as `berth status` reads it back: the service, without a service
    // deployment (moto has none, and keeps none of the deployment configuration
    // CloudFormation passed, as it drops Fargate fields); `diff --fail` above found the
    // deployed template equal to the synthesized one, strategy, hooks and alarms included.
    let (code, status) = berth(
        dir.path(),
        &["status", "Web", "--app", "blue-green", "--json"],
    );
    assert_eq!(code, exit::OK, "{status}");
    let service = |status: &str| -> serde_json::Value {
        let v: serde_json::Value = serde_json::from_str(status).expect("status --json");
        v[0]["services"][0].clone()
    };
    let web = service(&status);
    assert_eq!(web["service"], "BlueGreen/Web/Service", "{status}");
    assert_eq!(web["status"], "ACTIVE", "{status}");
    assert_eq!(web["desired"], 2, "{status}");
    let deployments = web["deployments"].as_array().expect("deployments");
    assert_eq!(deployments.len(), 1, "{status}");
    assert_eq!(deployments[0]["status"], "PRIMARY", "{status}");
    // Without a service deployment (moto has none), `berth deployment` says so.
    let (code, out) = berth(
        dir.path(),
        &["deployment", "continue", "Web", "--app", "blue-green"],
    );
    assert_ne!(code, exit::OK, "{out}");
    assert!(
        out.contains("error: BlueGreen/Web/Service has no service deployment to continue"),
        "{out}"
    );

    // The same app deploying linearly: the service's template changes in place (the
    // template is edited as a new synth with `DeploymentStrategy::linear(25, 2)` writes it).
    let template = dir.path().join("blue-green/BlueGreen.template.json");
    let mut t: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&template).unwrap()).unwrap();
    let dc = &mut t["Resources"]["WebServiceD04B5F3E"]["Properties"]["DeploymentConfiguration"];
    let dc = dc
        .as_object_mut()
        .expect("the service's DeploymentConfiguration");
    dc.remove("CanaryConfiguration");
    dc.insert("Strategy".into(), "LINEAR".into());
    dc.insert(
        "LinearConfiguration".into(),
        serde_json::json!({"StepBakeTimeInMinutes": 2, "StepPercent": 25.0}),
    );
    std::fs::write(&template, serde_json::to_string_pretty(&t).unwrap()).unwrap();
    let (code, diff) = berth(dir.path(), &["diff", "--app", "blue-green"]);
    assert_eq!(code, exit::OK, "{diff}");
    for line in [
        "[~] AWS::ECS::Service WebServiceD04B5F3E BlueGreen/Web/Service/Service\n",
        " ├─ [~] DeploymentConfiguration.Strategy\n │     - \"CANARY\"\n │     + \"LINEAR\"\n",
        "[-] DeploymentConfiguration.CanaryConfiguration",
        "[+] DeploymentConfiguration.LinearConfiguration",
        "0 to add, 1 to modify (0 replaced), 0 to remove\n",
    ] {
        assert!(diff.contains(line), "{line:?} in:\n{diff}");
    }
    assert!(!diff.contains("would be replaced"), "{diff}");
    let (code, out) = deploy(dir.path(), "blue-green", &[]);
    assert_eq!(code, exit::OK, "{out}");
    assert!(
        out.contains(&format!("✔ {stack} deployed (UPDATE_COMPLETE)")),
        "{out}"
    );
    let (code, diff) = berth(dir.path(), &["diff", "--fail", "--app", "blue-green"]);
    assert_eq!(code, exit::OK, "diff found differences:\n{diff}");
    let (code, status) = berth(
        dir.path(),
        &["status", "Web", "--app", "blue-green", "--json"],
    );
    assert_eq!(code, exit::OK, "{status}");
    // (moto's CloudFormation creates the cluster and the service anew on this update,
    // where CloudFormation updates the service in place.)
    let v: serde_json::Value = serde_json::from_str(&status).expect("status --json");
    assert_eq!(v[0]["status"], "UPDATE_COMPLETE", "{status}");
    let web = service(&status);
    assert_eq!(web["status"], "ACTIVE", "{status}");
    assert_eq!(web["desired"], 2, "{status}");
}
