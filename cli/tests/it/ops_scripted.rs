//! `status`, `logs --previous`, `run`, `exec` and the failure diagnosis against the
//! scripted fakes: the states moto cannot produce (deployments in progress, target
//! health, alarms, a task that crashes after logging, ECS Exec), and recording
//! stand-ins for the Session Manager plugin.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use berth_cli::deploy::containers::{DeploymentState, ServiceState};
use berth_cli::deploy::fake::{FakeCloudFormation, Script};
use berth_cli::exit;
use berth_cli::ops::api::{
    ContainerDef, LogConfig, ServiceDetails, TargetHealth, TaskContainer, TaskDefinitionInfo,
    TaskInfo,
};
use berth_cli::ops::fake::FakeOps;
use serde_json::{json, Value};

use crate::common::{run_with, Run};

pub(crate) const STACK: &str = "demo-Web";
const CLUSTER: &str = "demo-cluster";
const TD1: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1";
const TD2: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2";
const MIGRATE: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/migrate:4";
const SERVICE: &str = "arn:aws:ecs:us-east-1:123456789012:service/demo-cluster/web";
const TG: &str =
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/0123456789abcdef";

fn awslogs(prefix: &str) -> Value {
    json!({"LogDriver": "awslogs", "Options": {
        "awslogs-group": {"Ref": "LogGroup"}, "awslogs-stream-prefix": prefix, "awslogs-region": {"Ref": "AWS::Region"}}})
}

/// The app: a load-balanced service `Web/Api` with ECS Exec, a task role with the
/// ssmmessages actions, an alarm, and a `Web/Migrate` task definition.
pub(crate) fn template(exec: bool, exec_actions: bool) -> Value {
    let actions: Vec<&str> = if exec_actions {
        vec![
            "ssmmessages:CreateControlChannel",
            "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel",
            "ssmmessages:OpenDataChannel",
        ]
    } else {
        vec!["s3:GetObject"]
    };
    json!({"Resources": {
        "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": CLUSTER},
            "Metadata": {"berth:path": "Web/Cluster/Resource"}},
        "LogGroup": {"Type": "AWS::Logs::LogGroup", "Metadata": {"berth:path": "Web/Logs/Resource"}},
        "Subnet1": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"}},
        "Subnet2": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": "vpc-1", "CidrBlock": "10.0.2.0/24"}},
        "ApiSg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "api"}},
        "TaskRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}},
            "Metadata": {"berth:path": "Web/Api/TaskDef/TaskRole/Resource"}},
        "TaskRolePolicy": {"Type": "AWS::IAM::Policy", "Properties": {
            "PolicyName": "p", "Roles": [{"Ref": "TaskRole"}],
            "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}}},
        "ApiTaskDef": {"Type": "AWS::ECS::TaskDefinition", "Metadata": {"berth:path": "Web/Api/TaskDef/Resource"},
            "Properties": {"NetworkMode": "awsvpc", "RequiresCompatibilities": ["FARGATE"], "Cpu": "256", "Memory": "512",
                "TaskRoleArn": {"Fn::GetAtt": ["TaskRole", "Arn"]},
                "ContainerDefinitions": [
                    {"Name": "web", "Image": "nginx:2", "Essential": true, "LogConfiguration": awslogs("api")},
                    {"Name": "envoy", "Image": "envoy:1", "Essential": false, "LogConfiguration": awslogs("api")}]}},
        "ApiService": {"Type": "AWS::ECS::Service", "Metadata": {"berth:path": "Web/Api/Service/Service"},
            "Properties": {"Cluster": {"Ref": "Cluster"}, "TaskDefinition": {"Ref": "ApiTaskDef"}, "DesiredCount": 2,
                "LaunchType": "FARGATE", "EnableExecuteCommand": exec,
                "LoadBalancers": [{"ContainerName": "web", "ContainerPort": 80, "TargetGroupArn": {"Ref": "ApiTg"}}],
                "NetworkConfiguration": {"AwsvpcConfiguration": {"AssignPublicIp": "DISABLED",
                    "SecurityGroups": [{"Fn::GetAtt": ["ApiSg", "GroupId"]}],
                    "Subnets": [{"Ref": "Subnet1"}, {"Ref": "Subnet2"}]}}}},
        "ApiTg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Port": 80}},
        "ApiCpuAlarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Threshold": 90}},
        "MigrateTaskDef": {"Type": "AWS::ECS::TaskDefinition", "Metadata": {"berth:path": "Web/Migrate/Resource"},
            "Properties": {"NetworkMode": "awsvpc", "RequiresCompatibilities": ["FARGATE"],
                "ContainerDefinitions": [{"Name": "migrate", "Image": "app:7", "Essential": true, "LogConfiguration": awslogs("migrate")}]}}
    }})
}

/// Writes the one-stack assembly into `dir/app`.
pub(crate) fn write_app(dir: &Path, template: &Value) -> PathBuf {
    let app = dir.join("app");
    std::fs::create_dir_all(&app).unwrap();
    let manifest = json!({"version": "55.0.0", "artifacts": {"Web": {
        "type": "aws:cloudformation:stack",
        "environment": "aws://unknown-account/unknown-region",
        "properties": {"templateFile": "Web.template.json", "stackName": STACK}}}});
    std::fs::write(app.join("manifest.json"), manifest.to_string()).unwrap();
    std::fs::write(
        app.join("Web.template.json"),
        serde_json::to_string_pretty(template).unwrap(),
    )
    .unwrap();
    app
}

fn td_info(arn: &str, containers: &[(&str, &str, bool, &str)]) -> TaskDefinitionInfo {
    let name = arn.rsplit('/').next().unwrap();
    let (family, rev) = name.split_once(':').unwrap();
    TaskDefinitionInfo {
        arn: arn.into(),
        family: family.into(),
        revision: rev.parse().unwrap(),
        network_mode: Some("awsvpc".into()),
        task_role_arn: Some("arn:aws:iam::123456789012:role/task".into()),
        containers: containers
            .iter()
            .map(|(n, image, essential, prefix)| ContainerDef {
                name: n.to_string(),
                image: image.to_string(),
                essential: *essential,
                log: Some(LogConfig {
                    driver: "awslogs".into(),
                    options: [
                        ("awslogs-group".to_string(), "/demo/web".to_string()),
                        ("awslogs-stream-prefix".to_string(), prefix.to_string()),
                    ]
                    .into_iter()
                    .collect(),
                }),
            })
            .collect(),
    }
}

fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_000_000 + secs)
}

fn deployment(
    id: &str,
    status: &str,
    td: &str,
    desired: i32,
    running: i32,
    rollout: &str,
    reason: Option<&str>,
) -> DeploymentState {
    DeploymentState {
        id: id.into(),
        status: status.into(),
        task_definition: td.into(),
        desired,
        pending: (desired - running).max(0),
        running,
        failed: 0,
        rollout_state: Some(rollout.into()),
        rollout_reason: reason.map(str::to_string),
    }
}

fn details(deployments: Vec<DeploymentState>, running: i32, exec: bool) -> ServiceDetails {
    ServiceDetails {
        state: ServiceState {
            arn: SERVICE.into(),
            name: "web".into(),
            status: "ACTIVE".into(),
            task_definition: deployments[0].task_definition.clone(),
            desired: 2,
            running,
            deployments,
            current_service_deployment: None,
        },
        cluster_arn: format!("arn:aws:ecs:us-east-1:123456789012:cluster/{CLUSTER}"),
        launch_type: Some("FARGATE".into()),
        capacity_providers: Vec::new(),
        network: None,
        enable_execute_command: exec,
        target_groups: Vec::new(),
        events: vec![
            (
                at(120),
                "(service web) has started 1 tasks: (task 22222222aaaa).".into(),
            ),
            (
                at(60),
                "(service web) registered 1 targets in (target-group web-tg)".into(),
            ),
        ],
    }
}

pub(crate) fn task(id: &str, td: &str, last: &str, containers: Vec<TaskContainer>) -> TaskInfo {
    TaskInfo {
        arn: format!("arn:aws:ecs:us-east-1:123456789012:task/{CLUSTER}/{id}"),
        task_definition: td.into(),
        last_status: last.into(),
        desired_status: if last == "STOPPED" {
            "STOPPED"
        } else {
            "RUNNING"
        }
        .into(),
        started_at: Some(at(100)),
        enable_execute_command: true,
        containers,
        ..Default::default()
    }
}

pub(crate) fn container(name: &str, exit_code: Option<i32>) -> TaskContainer {
    TaskContainer {
        name: name.into(),
        runtime_id: Some(format!("{name}-runtime-0123")),
        last_status: Some(
            if exit_code.is_some() {
                "STOPPED"
            } else {
                "RUNNING"
            }
            .into(),
        ),
        exit_code,
        exec_agent: Some("RUNNING".into()),
        ..Default::default()
    }
}

/// The service runs its desired count of `TD2`.
fn steady(ops: &FakeOps) {
    ops.script_service(
        "web",
        vec![details(
            vec![deployment(
                "ecs-svc/2",
                "PRIMARY",
                TD2,
                2,
                2,
                "COMPLETED",
                None,
            )],
            2,
            true,
        )],
    );
}

/// A deployed `demo-Web` and a day-two fake that knows its services.
fn deployed(template: &Value) -> (Arc<FakeCloudFormation>, Arc<FakeOps>) {
    let cfn = Arc::new(FakeCloudFormation::new());
    cfn.put_stack(
        STACK,
        &template.to_string(),
        "UPDATE_COMPLETE",
        Script::default(),
    );
    for (logical, physical) in [
        ("Cluster", CLUSTER),
        ("LogGroup", "/demo/web"),
        ("Subnet1", "subnet-aaa"),
        ("Subnet2", "subnet-bbb"),
        ("ApiSg", "sg-api"),
        ("TaskRole", "demo-task-role"),
        ("ApiTaskDef", TD2),
        ("ApiService", SERVICE),
        ("ApiTg", TG),
        ("ApiCpuAlarm", "demo-Web-ApiCpuHigh"),
        ("MigrateTaskDef", MIGRATE),
    ] {
        cfn.set_physical_id(STACK, logical, physical);
    }
    let ops = Arc::new(FakeOps::new());
    ops.add_task_definition(td_info(
        TD1,
        &[
            ("web", "nginx:1", true, "api"),
            ("envoy", "envoy:1", false, "api"),
        ],
    ));
    ops.add_task_definition(td_info(
        TD2,
        &[
            ("web", "nginx:2", true, "api"),
            ("envoy", "envoy:1", false, "api"),
        ],
    ));
    ops.add_task_definition(td_info(MIGRATE, &[("migrate", "app:7", true, "migrate")]));
    (cfn, ops)
}

/// The app with this template, deployed.
fn setup(t: Value) -> (tempfile::TempDir, Arc<FakeCloudFormation>, Arc<FakeOps>) {
    let dir = tempfile::tempdir().unwrap();
    write_app(dir.path(), &t);
    let (cfn, ops) = deployed(&t);
    (dir, cfn, ops)
}

fn berth(dir: &Path, cfn: &Arc<FakeCloudFormation>, ops: &Arc<FakeOps>, args: &[&str]) -> Run {
    let mut argv = args.to_vec();
    argv.extend_from_slice(&["--app", "app"]);
    let (cfn, ops) = (Arc::clone(cfn), Arc::clone(ops));
    run_with(dir, Some(cfn), &argv, move |s| s.ops(ops))
}

#[test]
fn status_shows_deployments_images_targets_alarms_and_events() {
    let (dir, cfn, ops) = setup(template(true, true));
    ops.script_service(
        "web",
        vec![
            details(
                vec![
                    deployment(
                        "ecs-svc/2",
                        "PRIMARY",
                        TD2,
                        2,
                        1,
                        "IN_PROGRESS",
                        Some("ECS deployment ecs-svc/2 in progress."),
                    ),
                    deployment("ecs-svc/1", "ACTIVE", TD1, 2, 2, "COMPLETED", None),
                ],
                3,
                true,
            ),
            details(
                vec![deployment(
                    "ecs-svc/2",
                    "PRIMARY",
                    TD2,
                    2,
                    2,
                    "COMPLETED",
                    Some("ECS deployment ecs-svc/2 completed."),
                )],
                2,
                true,
            ),
        ],
    );
    ops.set_targets(
        TG,
        vec![
            TargetHealth {
                target: "10.0.1.17:80".into(),
                state: "healthy".into(),
                reason: None,
                description: None,
            },
            TargetHealth {
                target: "10.0.2.9:80".into(),
                state: "unhealthy".into(),
                reason: Some("Target.ResponseCodeMismatch".into()),
                description: Some("Health checks failed with these codes: [502]".into()),
            },
        ],
    );
    ops.add_alarm(
        "demo-Web-ApiCpuHigh",
        "ALARM",
        "Threshold Crossed: 1 datapoint [97.0] was greater than the threshold (90.0).",
    );
    ops.set_drift(STACK, "IN_SYNC");

    let r = berth(
        dir.path(),
        &cfn,
        &ops,
        &["status", "--watch", "--refreshes", "2"],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    // The stack's last update is the newest event's time, which the fake stamps now.
    let out = regex_free_time(&r.out);
    insta::assert_snapshot!("status_watch", out);

    // JSON, one service by a suffix of its path.
    let r = berth(dir.path(), &cfn, &ops, &["status", "Api", "--json"]);
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    let v: Value = serde_json::from_str(&r.out).unwrap();
    let s = &v[0]["services"][0];
    assert_eq!(s["service"], "Web/Api/Service");
    assert_eq!(s["deployments"][0]["rollout_state"], "COMPLETED");
    assert_eq!(s["target_groups"][0]["targets"][1]["state"], "unhealthy");
    assert_eq!(s["containers"][0]["image"], "nginx:2");
    assert_eq!(v[0]["alarms_in_alarm"][0]["name"], "demo-Web-ApiCpuHigh");
    assert_eq!(v[0]["drift"]["status"], "IN_SYNC");
}

/// Replaces RFC 3339 times of "now" (the fake's event clock) with a placeholder.
fn regex_free_time(s: &str) -> String {
    s.lines()
        .map(|l| match l.find("(last updated ") {
            Some(i) => format!("{}(last updated <time>)", &l[..i]),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn status_names_what_does_not_exist() {
    let (dir, cfn, ops) = setup(template(true, true));
    let r = berth(dir.path(), &cfn, &ops, &["status", "Nope"]);
    assert_eq!(r.code, exit::APP);
    assert_eq!(
        r.err.trim(),
        "error: no stack or service matches \"Nope\"; stacks: Web; services: Web/Api/Service"
    );
    let r = berth(
        dir.path(),
        &Arc::new(FakeCloudFormation::new()),
        &ops,
        &["status"],
    );
    assert_eq!(r.code, exit::OK, "{}", r.err);
    assert_eq!(r.out, "Stack demo-Web: not deployed\n");
}

#[test]
fn logs_previous_reads_the_tasks_of_the_deployment_before() {
    let (dir, cfn, ops) = setup(template(true, true));
    steady(&ops);
    ops.script_task(
        Some("web"),
        vec![task(
            "1111111111aa",
            TD1,
            "STOPPED",
            vec![container("web", Some(0))],
        )],
    );
    ops.script_task(
        Some("web"),
        vec![task(
            "2222222222bb",
            TD2,
            "RUNNING",
            vec![container("web", None)],
        )],
    );
    let now = berth_cli::ops::now_ms();
    ops.add_log(
        "/demo/web",
        "api/web/1111111111aa",
        now - 5000,
        "old version: shutting down",
    );
    ops.add_log(
        "/demo/web",
        "api/envoy/1111111111aa",
        now - 4000,
        "envoy: draining",
    );
    ops.add_log(
        "/demo/web",
        "api/web/2222222222bb",
        now - 3000,
        "new version: listening on :80",
    );

    let r = berth(dir.path(), &cfn, &ops, &["logs", "Api", "--previous"]);
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    insta::assert_snapshot!("logs_previous", r.out);

    let r = berth(
        dir.path(),
        &cfn,
        &ops,
        &["logs", "Api", "--container", "db"],
    );
    assert_eq!(r.code, exit::APP);
    assert_eq!(
        r.err.trim(),
        "error: Web/Api/TaskDef has no container named \"db\"; its containers: web, envoy"
    );
}

#[test]
fn logs_of_a_service_without_cloudwatch_logs_name_the_driver() {
    let (dir, cfn, ops) = setup(template(true, true));
    let mut td = td_info(TD2, &[("web", "nginx:2", true, "api")]);
    td.containers[0].log = Some(LogConfig {
        driver: "splunk".into(),
        options: Default::default(),
    });
    ops.add_task_definition(td);
    steady(&ops);
    let r = berth(dir.path(), &cfn, &ops, &["logs", "Web/Api"]);
    assert_eq!(r.code, exit::APP);
    assert_eq!(
        r.err.trim(),
        "error: Web/Api/TaskDef does not log to CloudWatch Logs: container web uses the splunk log driver; berth reads logs from CloudWatch Logs only: give the container a `LogDriver::aws_logs(...)` (or FireLens to CloudWatch) in the app"
    );
}

#[test]
fn run_takes_the_services_network_and_exits_with_the_crashed_containers_code() {
    let (dir, cfn, ops) = setup(template(true, true));
    let id = "9999999999cc";
    ops.script_run(vec![vec![
        task(
            id,
            MIGRATE,
            "PROVISIONING",
            vec![container("migrate", None)],
        ),
        task(id, MIGRATE, "RUNNING", vec![container("migrate", None)]),
        TaskInfo {
            stop_code: Some("EssentialContainerExited".into()),
            stopped_reason: Some("Essential container in task exited".into()),
            ..task(id, MIGRATE, "STOPPED", vec![container("migrate", Some(3))])
        },
    ]]);
    for (i, line) in [
        "migrating 0007_users",
        "ERROR: relation \"users\" already exists",
        "rolling back",
    ]
    .iter()
    .enumerate()
    {
        ops.add_log(
            "/demo/web",
            &format!("migrate/migrate/{id}"),
            berth_cli::ops::now_ms() + i as i64,
            line,
        );
    }
    let r = berth(
        dir.path(),
        &cfn,
        &ops,
        &[
            "run",
            "Migrate",
            "--service",
            "Api",
            "--command",
            "./migrate up --dry-run",
            "--env",
            "LOG=debug",
            "--wait",
        ],
    );
    assert_eq!(r.code, 3, "{}{}", r.out, r.err);
    assert_eq!(
        ops.calls(),
        [format!(
            "RunTask cluster={CLUSTER} task_definition={MIGRATE} count=1 launch_type=FARGATE capacity=[] subnets=subnet-aaa,subnet-bbb security_groups=sg-api public_ip=false overrides=[migrate command=[\"./migrate\", \"up\", \"--dry-run\"] LOG=debug] started_by=berth"
        )]
    );
    insta::assert_snapshot!(
        "run_crash",
        format!("stdout:\n{}\nstderr:\n{}", r.out, r.err)
    );
}

#[test]
fn run_of_a_task_that_never_started_exits_4_with_the_reason() {
    let (dir, cfn, ops) = setup(template(true, true));
    let id = "8888888888dd";
    let mut c = container("migrate", None);
    c.reason = Some("CannotPullContainerError: pull image manifest has been retried 5 time(s): app:7: not found".into());
    ops.script_run(vec![vec![TaskInfo {
        stop_code: Some("TaskFailedToStart".into()),
        stopped_reason: Some(
            "CannotPullContainerError: pull image manifest has been retried 5 time(s)".into(),
        ),
        ..task(id, MIGRATE, "STOPPED", vec![c])
    }]]);
    let r = berth(
        dir.path(),
        &cfn,
        &ops,
        &["run", "Web/Migrate", "--service", "Api", "--follow"],
    );
    assert_eq!(r.code, exit::FAILED, "{}{}", r.out, r.err);
    insta::assert_snapshot!("run_never_started", r.out);
}

#[test]
fn run_without_a_placement_says_what_to_pass() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = template(true, true);
    // No service uses the task definition that remains.
    t["Resources"].as_object_mut().unwrap().remove("ApiService");
    write_app(dir.path(), &t);
    let (cfn, ops) = deployed(&t);
    let r = berth(dir.path(), &cfn, &ops, &["run", "Migrate"]);
    assert_eq!(r.code, exit::APP);
    assert_eq!(
        r.err.trim(),
        "error: cannot tell which subnets and security groups Web/Migrate runs in (awsvpc network mode): no service or schedule in stack demo-Web uses it; pass --service NAME, or --subnets and --security-groups"
    );
    ops.script_run(vec![vec![task(
        "7777777777ee",
        MIGRATE,
        "PROVISIONING",
        vec![container("migrate", None)],
    )]]);
    let r = berth(
        dir.path(),
        &cfn,
        &ops,
        &[
            "run",
            "Migrate",
            "--subnets",
            "subnet-x",
            "--security-groups",
            "sg-x",
        ],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    assert!(
        ops.calls()[0].contains("subnets=subnet-x security_groups=sg-x"),
        "{:?}",
        ops.calls()
    );
}

/// Installs a recording stand-in for the Session Manager plugin; returns its path.
fn fake_plugin(dir: &Path) -> PathBuf {
    let path = dir.join("session-manager-plugin");
    std::fs::write(
        &path,
        format!(
            "#!/usr/bin/env python3\nimport json, os, sys\nstdin = sys.stdin.read()\nenv = {{k: v for k, v in os.environ.items() if k.startswith('AWS_')}}\nopen({:?}, 'w').write(json.dumps({{'args': sys.argv[1:], 'stdin': stdin, 'env': env}}))\nsys.exit(7)\n",
            dir.join("plugin.json").display().to_string()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path
}

fn exec_ready(ops: &FakeOps) {
    steady(ops);
    ops.script_task(
        Some("web"),
        vec![task(
            "2222222222bb",
            TD2,
            "RUNNING",
            vec![container("web", None), container("envoy", None)],
        )],
    );
}

#[test]
fn exec_hands_the_session_to_the_plugin() {
    let (dir, cfn, ops) = setup(template(true, true));
    exec_ready(&ops);
    let plugin = fake_plugin(dir.path());
    let (c, o) = (Arc::clone(&cfn), Arc::clone(&ops));
    let p = plugin.display().to_string();
    let r = run_with(
        dir.path(),
        Some(c),
        &["exec", "Api", "--command", "/bin/bash -l", "--app", "app"],
        move |s| {
            s.ops(o)
                .session_manager_plugin(&p)
                .child_stdin("echo hi\nexit\n")
        },
    );
    assert_eq!(r.code, 7, "the plugin's exit code: {}{}", r.out, r.err);
    assert_eq!(
        ops.calls(),
        [format!("ExecuteCommand cluster={CLUSTER} task=arn:aws:ecs:us-east-1:123456789012:task/{CLUSTER}/2222222222bb container=web command=\"/bin/bash -l\" interactive=true")]
    );
    let rec: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("plugin.json")).unwrap())
            .unwrap();
    let profile = std::env::var("AWS_PROFILE").unwrap_or_default();
    assert_eq!(
        rec["args"],
        json!([
            "{\"SessionId\":\"ecs-execute-command-0fake\",\"StreamUrl\":\"wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/ecs-execute-command-0fake?role=publish_subscribe\",\"TokenValue\":\"fake-token\"}",
            "us-east-1",
            "StartSession",
            profile,
            format!("{{\"Target\":\"ecs:{CLUSTER}_2222222222bb_web-runtime-0123\"}}"),
            "https://ssm.us-east-1.amazonaws.com"
        ])
    );
    assert_eq!(rec["stdin"], "echo hi\nexit\n");
    // The plugin gets berth's environment (credentials, region) unchanged.
    let expected: serde_json::Map<String, Value> = std::env::vars()
        .filter(|(k, _)| k.starts_with("AWS_"))
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    assert_eq!(rec["env"], Value::Object(expected));
    assert_eq!(
        r.err,
        "starting `/bin/bash -l` in container web of task 2222222222bb (Web/Api/Service)\n"
    );
}

#[test]
fn exec_says_which_construct_option_to_change() {
    let dir = tempfile::tempdir().unwrap();
    let plugin = fake_plugin(dir.path()).display().to_string();
    let exec = |t: &Value, plugin: &str| {
        write_app(dir.path(), t);
        let (cfn, ops) = deployed(t);
        exec_ready(&ops);
        let p = plugin.to_string();
        let o = Arc::clone(&ops);
        let r = run_with(
            dir.path(),
            Some(cfn),
            &["exec", "Api", "--app", "app"],
            move |s| s.ops(o).session_manager_plugin(&p),
        );
        (r, ops)
    };
    let (r, ops) = exec(&template(false, true), &plugin);
    assert_eq!(r.code, exit::APP);
    assert_eq!(r.err.trim(), "error: ECS Exec is off for Web/Api/Service: set `enable_execute_command: true` in its props (FargateServiceProps, Ec2ServiceProps or ApplicationLoadBalancedFargateServiceProps), run `berth deploy`, and exec into a task started after that");
    assert!(ops.calls().is_empty(), "no session was opened");

    let (r, _) = exec(&template(true, false), &plugin);
    assert_eq!(r.code, exit::APP);
    assert_eq!(r.err.trim(), "error: the task role Web/Api/TaskDef/TaskRole of Web/Api/TaskDef lacks ssmmessages:CreateControlChannel, ssmmessages:CreateDataChannel, ssmmessages:OpenControlChannel, ssmmessages:OpenDataChannel: the ECS Exec agent needs them. berth grants them when the service has `enable_execute_command: true` and the task role is the task definition's own; with your own `task_role`, add a statement allowing them (resource \"*\") and deploy");

    let missing = dir.path().join("no-such-plugin").display().to_string();
    let (r, ops) = exec(&template(true, true), &missing);
    assert_eq!(r.code, exit::APP);
    assert_eq!(
        r.err.trim(),
        format!("error: the Session Manager plugin `{missing}` was not found: install it (see https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html), or point BERTH_SESSION_MANAGER_PLUGIN at it")
    );
    assert!(ops.calls().is_empty(), "no session was opened");
}

#[test]
fn run_follow_streams_the_tasks_lines_while_it_runs() {
    let (dir, cfn, ops) = setup(template(true, true));
    let id = "6666666666ff";
    ops.script_run(vec![vec![
        task(id, MIGRATE, "RUNNING", vec![container("migrate", None)]),
        task(id, MIGRATE, "RUNNING", vec![container("migrate", None)]),
        task(id, MIGRATE, "STOPPED", vec![container("migrate", Some(0))]),
    ]]);
    let now = berth_cli::ops::now_ms();
    ops.add_log(
        "/demo/web",
        &format!("migrate/migrate/{id}"),
        now,
        "applying 0008_orders",
    );
    ops.add_log(
        "/demo/web",
        &format!("migrate/migrate/{id}"),
        now + 1,
        "done",
    );
    let r = berth(
        dir.path(),
        &cfn,
        &ops,
        &["run", "Migrate", "--service", "Api", "--follow"],
    );
    assert_eq!(r.code, exit::OK, "{}{}", r.out, r.err);
    assert_eq!(
        r.out,
        format!("started 1 task of Web/Migrate (placement from service Web/Api/Service) (migrate:4) in cluster demo-cluster: {id}\n66666666/migrate applying 0008_orders\n66666666/migrate done\n✔ task {id} exited with code 0\n")
    );
}
