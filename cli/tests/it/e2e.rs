//! End to end against moto: the real commands and the real AWS SDK client, pointed at
//! a moto server on loopback by `AWS_ENDPOINT_URL` (the test script starts it).
//!
//! Tests run in parallel against one shared server, so every test uses its own name
//! prefix (stacks, clusters, repositories, exports) and none resets the server.
//! SDK retries are off: moto answers some bad requests with HTTP 500.

use std::future::Future;
use std::path::Path;

use berth_cli::exit;

use crate::common::{materialize, run_local, unique_prefix, Run};

/// The moto server's URL. Panics unless the environment can only reach this machine
/// ([`berth_cli::local::loopback_endpoint`]): these tests must never send traffic
/// anywhere else.
pub(crate) fn require_local_endpoint() -> String {
    berth_cli::local::loopback_endpoint().unwrap_or_else(|e| panic!("{e}"))
}

pub(crate) fn block<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

/// An SDK configuration for the tests' own calls: the endpoint set in code.
pub(crate) fn sdk() -> aws_config::SdkConfig {
    let endpoint = require_local_endpoint();
    block(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .retry_config(aws_config::retry::RetryConfig::disabled())
            .load(),
    )
}

fn berth(cwd: &Path, args: &[&str]) -> Run {
    run_local(cwd, args, |s| s)
}

pub(crate) fn ok(r: &Run) {
    assert_eq!(r.code, exit::OK, "stdout:\n{}\nstderr:\n{}", r.out, r.err);
}

#[test]
fn change_set_create_no_change_diff_update_and_destroy() {
    let config = sdk();
    let p = unique_prefix("cs");
    let dir = materialize(&["single", "single-v2"], &p);
    let stack = format!("{p}-Service");
    let deploy = ["deploy", "--app", "single", "--require-approval", "never"];

    // Create through a change set.
    let r = berth(dir.path(), &deploy);
    ok(&r);
    assert!(
        r.out
            .contains(&format!("✔ {stack} deployed (CREATE_COMPLETE)")),
        "{}",
        r.out
    );
    let ecs = aws_sdk_ecs::Client::new(&config);
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    let ecr = aws_sdk_ecr::Client::new(&config);
    block(async {
        let clusters = ecs
            .describe_clusters()
            .clusters(format!("{p}-svc-cluster"))
            .send()
            .await
            .unwrap();
        assert_eq!(clusters.clusters()[0].status(), Some("ACTIVE"));
        let repos = ecr
            .describe_repositories()
            .repository_names(format!("{p}-svc-repo"))
            .send()
            .await
            .unwrap();
        assert_eq!(repos.repositories().len(), 1);
        let groups = logs
            .describe_log_groups()
            .log_group_name_prefix(format!("/berth/{p}/service"))
            .send()
            .await
            .unwrap();
        assert_eq!(groups.log_groups()[0].retention_in_days(), Some(7));
    });

    // Same template again: no changes, success.
    let r = berth(dir.path(), &deploy);
    ok(&r);
    assert!(
        r.out.contains(&format!("✔ {stack}: no changes")),
        "{}",
        r.out
    );

    // Diff the next version against what moto stores (GetTemplate).
    let r = berth(dir.path(), &["diff", "--app", "single-v2", "--fail"]);
    assert_eq!(r.code, exit::DIFFERENCES, "{}{}", r.out, r.err);
    assert!(
        r.out
            .contains("[~] AWS::Logs::LogGroup LogGroupF5B46931 Service/LogGroup/Resource"),
        "{}",
        r.out
    );
    assert!(
        r.out
            .contains("ClusterName (requires replacement: create-only property ClusterName)"),
        "{}",
        r.out
    );
    assert!(
        r.out.contains("+ ingress tcp 8080 from 10.0.0.0/16"),
        "{}",
        r.out
    );

    // Update (moto applies the new cluster name; it does not update a log group's
    // retention, so that is not asserted here).
    let r = berth(
        dir.path(),
        &[
            "deploy",
            "--app",
            "single-v2",
            "--require-approval",
            "never",
        ],
    );
    ok(&r);
    assert!(r.out.contains("UPDATE_COMPLETE"), "{}", r.out);
    block(async {
        let clusters = ecs
            .describe_clusters()
            .clusters(format!("{p}-svc-cluster2"))
            .send()
            .await
            .unwrap();
        assert_eq!(clusters.clusters()[0].status(), Some("ACTIVE"));
    });
    let r = berth(dir.path(), &["diff", "--app", "single-v2", "--fail"]);
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);

    // Destroy.
    let r = berth(dir.path(), &["destroy", "--app", "single-v2", "--force"]);
    ok(&r);
    assert!(r.out.contains(&format!("✔ {stack} destroyed")), "{}", r.out);
    let cfn = aws_sdk_cloudformation::Client::new(&config);
    let gone = block(cfn.describe_stacks().stack_name(&stack).send());
    assert!(gone.is_err(), "{stack} still exists: {gone:?}");
    let r = berth(dir.path(), &["destroy", "--app", "single-v2", "--force"]);
    ok(&r);
    assert!(r.out.contains("did not exist"), "{}", r.out);
}

#[test]
fn direct_cross_stack_deploy_in_order_with_outputs_file() {
    let config = sdk();
    let p = unique_prefix("x");
    let dir = materialize(&["app"], &p);
    let r = berth(
        dir.path(),
        &[
            "deploy",
            "--all",
            "--app",
            "app",
            "--method",
            "direct",
            "--require-approval",
            "never",
            "--outputs-file",
            "outputs.json",
            "--parameters",
            "Web:ImageTag=1.28",
        ],
    );
    ok(&r);
    let network_done = r
        .out
        .find(&format!("{p}-Network: CREATE_COMPLETE"))
        .expect("network done");
    let web_start = r
        .out
        .find(&format!("{p}-Web: creating"))
        .expect("web started");
    assert!(network_done < web_start, "{}", r.out);

    let outputs: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("outputs.json")).unwrap())
            .unwrap();
    let web = &outputs[format!("{p}-Web")];
    assert_eq!(web["ClusterName"], format!("{p}-cluster"));
    assert_eq!(
        web["RepositoryUri"],
        format!("123456789012.dkr.ecr.us-east-1.amazonaws.com/{p}-repo")
    );
    let vpc = outputs[format!("{p}-Network")]["VpcId"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(vpc.starts_with("vpc-"), "{outputs}");

    let ecs = aws_sdk_ecs::Client::new(&config);
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config);
    let ecr = aws_sdk_ecr::Client::new(&config);
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    block(async {
        let cluster = format!("{p}-cluster");
        let services = ecs
            .describe_services()
            .cluster(&cluster)
            .services(format!("{p}-web"))
            .send()
            .await
            .unwrap();
        let service = &services.services()[0];
        assert_eq!(service.service_name(), Some(format!("{p}-web").as_str()));
        assert_eq!(service.desired_count(), 2);
        let td = ecs
            .describe_task_definition()
            .task_definition(service.task_definition().unwrap())
            .send()
            .await
            .unwrap();
        let container = &td.task_definition().unwrap().container_definitions()[0];
        // The parameter given on the command line reached the template.
        assert_eq!(container.image(), Some("public.ecr.aws/nginx/nginx:1.28"));

        let tgs = elb
            .describe_target_groups()
            .names(format!("{p}-tg"))
            .send()
            .await
            .unwrap();
        let tg = &tgs.target_groups()[0];
        assert_eq!(tg.health_check_path(), Some("/health"));
        assert_eq!(tg.health_check_interval_seconds(), Some(15));
        assert_eq!(tg.target_type().map(|t| t.as_str()), Some("ip"));
        assert_eq!(
            tg.vpc_id(),
            Some(vpc.as_str()),
            "imported from the Network stack"
        );
        let lbs = elb
            .describe_load_balancers()
            .names(format!("{p}-alb"))
            .send()
            .await
            .unwrap();
        let listeners = elb
            .describe_listeners()
            .load_balancer_arn(lbs.load_balancers()[0].load_balancer_arn().unwrap())
            .send()
            .await
            .unwrap();
        let listener = &listeners.listeners()[0];
        assert_eq!(listener.port(), Some(80));
        assert_eq!(
            listener.default_actions()[0].target_group_arn(),
            tg.target_group_arn()
        );
        let repos = ecr
            .describe_repositories()
            .repository_names(format!("{p}-repo"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            repos.repositories()[0]
                .image_tag_mutability()
                .map(|m| m.as_str()),
            Some("IMMUTABLE")
        );
        let groups = logs
            .describe_log_groups()
            .log_group_name_prefix(format!("/berth/{p}/web"))
            .send()
            .await
            .unwrap();
        assert_eq!(groups.log_groups()[0].retention_in_days(), Some(7));
    });

    // A re-run with the same inputs changes nothing.
    let r = berth(
        dir.path(),
        &[
            "deploy",
            "--all",
            "--app",
            "app",
            "--method",
            "direct",
            "--require-approval",
            "never",
            "--parameters",
            "Web:ImageTag=1.28",
        ],
    );
    ok(&r);
    assert!(
        r.out.contains(&format!("✔ {p}-Network: no changes")),
        "{}",
        r.out
    );
}

#[test]
fn a_failing_deploy_is_reported_with_the_error() {
    let _ = sdk();
    let p = unique_prefix("f");
    let dir = materialize(&["failing"], &p);
    for method in ["direct", "change-set"] {
        let dir2 = materialize(&["failing"], &format!("{p}{}", &method[..1]));
        let r = berth(
            dir2.path(),
            &[
                "deploy",
                "--app",
                "failing",
                "--method",
                method,
                "--require-approval",
                "never",
            ],
        );
        assert_eq!(r.code, exit::FAILED, "{method}: {}{}", r.out, r.err);
        assert!(r.out.contains("failed to deploy"), "{}", r.out);
        assert!(r.out.contains("ClusterNotFoundException"), "{}", r.out);
    }
    drop(dir);
}

#[test]
fn bootstrap_then_a_large_template_is_deployed_by_url() {
    let config = sdk();
    let p = unique_prefix("b");
    let dir = materialize(&["single"], &p);
    let toolkit = format!("{p}Toolkit");
    let path = dir.path().join("single/Service.template.json");
    let mut t: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    t["Resources"]["ClusterEB0386A7"]["Metadata"]["padding"] = "x".repeat(60_000).into();
    let body = t.to_string();
    assert!(body.len() > 51_200);
    std::fs::write(&path, &body).unwrap();
    let deploy = [
        "deploy",
        "--app",
        "single",
        "--require-approval",
        "never",
        "--toolkit-stack-name",
        toolkit.as_str(),
    ];

    let r = berth(dir.path(), &deploy);
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    assert!(
        r.out.contains("run `berth bootstrap --toolkit-stack-name"),
        "{}",
        r.out
    );

    let r = berth(dir.path(), &["bootstrap", "--toolkit-stack-name", &toolkit]);
    ok(&r);
    let ecr = aws_sdk_ecr::Client::new(&config);
    let repo = format!("berth-assets-{}", toolkit.to_lowercase());
    let repos = block(ecr.describe_repositories().repository_names(&repo).send()).unwrap();
    assert_eq!(
        repos.repositories()[0].repository_name(),
        Some(repo.as_str())
    );

    let r = berth(dir.path(), &deploy);
    ok(&r);
    assert!(r.out.contains("uploading to s3://"), "{}", r.out);
    let cfn = aws_sdk_cloudformation::Client::new(&config);
    let stacks = block(cfn.describe_stacks().stack_name(&toolkit).send()).unwrap();
    let bucket = stacks.stacks()[0]
        .outputs()
        .iter()
        .find(|o| o.output_key() == Some("BucketName"))
        .and_then(|o| o.output_value())
        .unwrap()
        .to_string();
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    let objects = block(
        s3.list_objects_v2()
            .bucket(&bucket)
            .prefix(format!("templates/{p}-Service-"))
            .send(),
    )
    .unwrap();
    assert_eq!(objects.contents().len(), 1);
    let stored = block(cfn.get_template().stack_name(format!("{p}-Service")).send()).unwrap();
    assert!(stored
        .template_body()
        .unwrap()
        .contains(&"x".repeat(60_000)));
    let clusters = block(
        aws_sdk_ecs::Client::new(&config)
            .describe_clusters()
            .clusters(format!("{p}-svc-cluster"))
            .send(),
    )
    .unwrap();
    assert_eq!(clusters.clusters()[0].status(), Some("ACTIVE"));
}

#[test]
fn a_rerun_waits_for_a_stack_in_progress_and_ctrl_c_leaves_it_to_cloudformation() {
    let _ = sdk();
    let p = unique_prefix("i");
    let dir = materialize(&["failing"], &p);
    // moto leaves a stack whose creation failed in CREATE_IN_PROGRESS for ever.
    let args = [
        "deploy",
        "--app",
        "failing",
        "--method",
        "direct",
        "--require-approval",
        "never",
    ];
    let r = berth(dir.path(), &args);
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);

    // The real binary, so that Ctrl-C (SIGINT) reaches it as it would from a terminal;
    // the endpoint is given on its command line too, not only by the environment.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_berth"))
        .args(args)
        .args(["--endpoint-url", &require_local_endpoint()])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start berth");
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(status.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().expect("wait").is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "berth did not stop on SIGINT"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let out = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(i32::from(exit::INTERRUPTED)),
        "{stdout}{stderr}"
    );
    assert!(
        stdout.contains("waiting for the operation in progress to finish (CREATE_IN_PROGRESS)"),
        "{stdout}"
    );
    assert!(stderr.contains("CloudFormation carries on"), "{stderr}");
    assert!(stderr.contains("describe-stack-events"), "{stderr}");
}
