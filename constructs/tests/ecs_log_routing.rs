//! Log routing: FireLens (a log router sidecar, by default AWS for Fluent Bit) and the
//! other log drivers ECS supports, with exactly the grants each needs; load balancer
//! access logs in an S3 bucket. Every template passes cfn-lint.

use berth_constructs::ec2::{Vpc, VpcProps};
use berth_constructs::ecs::*;
use berth_constructs::elbv2::{
    ApplicationLoadBalancer, ApplicationLoadBalancerProps, NetworkLoadBalancer,
    NetworkLoadBalancerProps,
};
use berth_constructs::logs::RetentionDays;
use berth_constructs::s3::{Bucket, BucketEncryption, BucketProps};
use berth_constructs::secretsmanager;
use berth_constructs::{App, Environment, Stack, StackProps};
use berth_synth::logical_id::make_unique_id;
use serde_json::{json, Value};

#[path = "support/mod.rs"]
mod support;

const NGINX: &str = "public.ecr.aws/nginx/nginx:latest";

fn id(path: &[&str]) -> String {
    make_unique_id(path).unwrap()
}

fn fargate(app: &mut App, stack: Stack, id: &str) -> FargateTaskDefinition {
    FargateTaskDefinition::new(app, stack, id, FargateTaskDefinitionProps::default()).unwrap()
}

fn statements(res: &Value, path: &[&str]) -> Vec<Value> {
    res[id(path)]["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn a_firelens_container_gets_cdks_default_router_and_exact_grants() {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let task = fargate(&mut app, stack, "Task");
    task.add_container(
        &mut app,
        "web",
        ContainerDefinitionOptions::new(ContainerImage::from_registry(NGINX)).logging(
            FireLensLogDriverProps::cloudwatch_logs("web/")
                .options([("log_format", "json/emf")])
                .cloudwatch(
                    FireLensCloudWatchLogs::default()
                        .stream_prefix("web/")
                        .retention(RetentionDays::TwoWeeks),
                ),
        ),
    )
    .unwrap();
    let router = task.log_router(&app).expect("the default router");
    assert_eq!(app.path(router), "Web/Task/log-router");
    let out = app.synth().unwrap();
    let t = &out.stacks[0].template;
    let res = &t["Resources"];
    let defs = &res[id(&["Task", "Resource"])]["Properties"]["ContainerDefinitions"];
    let web = &defs[0];
    assert_eq!(web["LogConfiguration"]["LogDriver"], "awsfirelens");
    let o = &web["LogConfiguration"]["Options"];
    assert_eq!(o["Name"], "cloudwatch_logs");
    assert_eq!(o["region"], json!({"Ref": "AWS::Region"}));
    assert_eq!(
        o["log_group_name"],
        json!({"Ref": id(&["Task", "web", "LogGroup", "Resource"])})
    );
    assert_eq!(o["log_stream_prefix"], "web/");
    assert_eq!(o["log_format"], "json/emf");
    assert_eq!(
        res[id(&["Task", "web", "LogGroup", "Resource"])]["Properties"]["RetentionInDays"],
        14
    );
    let r = &defs[1];
    assert_eq!(r["Name"], "log-router");
    assert_eq!(r["Essential"], true);
    assert_eq!(r["MemoryReservation"], 50);
    assert_eq!(r["FirelensConfiguration"], json!({"Type": "fluentbit"}));
    let param =
        "SsmParameterValueawsserviceawsforfluentbitstableC96584B6F00A464EAD1953AFF4B05118Parameter";
    assert_eq!(r["Image"], json!({"Ref": param}));
    assert_eq!(
        t["Parameters"][param]["Type"],
        "AWS::SSM::Parameter::Value<String>"
    );
    assert_eq!(
        r["LogConfiguration"]["Options"]["awslogs-stream-prefix"],
        "firelens"
    );
    // The router sends with the task role: write on exactly the app's log group.
    let task_role = statements(res, &["Task", "TaskRole", "DefaultPolicy", "Resource"]);
    assert_eq!(task_role.len(), 1);
    assert_eq!(
        task_role[0]["Action"],
        json!(["logs:CreateLogStream", "logs:PutLogEvents"])
    );
    assert_eq!(
        task_role[0]["Resource"]["Fn::GetAtt"][0],
        id(&["Task", "web", "LogGroup", "Resource"])
    );
    // The execution role pulls the router's image and writes the router's own logs.
    let exec = statements(res, &["Task", "ExecutionRole", "DefaultPolicy", "Resource"]);
    let actions: Vec<&Value> = exec.iter().map(|s| &s["Action"]).collect();
    assert_eq!(
        actions,
        [
            &json!(["logs:CreateLogStream", "logs:PutLogEvents"]),
            &json!([
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchGetImage"
            ]),
            &json!("ecr:GetAuthorizationToken"),
        ]
    );
    let repo = exec[1]["Resource"]["Fn::Join"][1].as_array().unwrap();
    assert_eq!(repo.last().unwrap(), ":*:repository/aws-for-fluent-bit");
    support::lint(app);
}

#[test]
fn one_router_per_task_and_it_comes_first() {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let task = fargate(&mut app, stack, "Task");
    task.add_container(
        &mut app,
        "web",
        ContainerDefinitionOptions::new(ContainerImage::from_registry(NGINX))
            .logging(FireLensLogDriverProps::cloudwatch_logs("web/")),
    )
    .unwrap();
    let err = task
        .add_firelens_log_router(&mut app, "log_router", FirelensLogRouterOptions::default())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/Task/log_router: log_router: the task has a FireLens log router already: log-router, added for container web, which logs through awsfirelens; add your log router with add_firelens_log_router before the containers that log through it"
    );
    let task2 = fargate(&mut app, stack, "Task2");
    task2
        .add_firelens_log_router(&mut app, "log_router", FirelensLogRouterOptions::default())
        .unwrap();
    let err = task2
        .add_firelens_log_router(&mut app, "again", FirelensLogRouterOptions::default())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/Task2/again: log_router: the task has a FireLens log router already (log_router); a task has one"
    );
    let err = task2
        .add_container(
            &mut app,
            "web",
            ContainerDefinitionOptions::new(ContainerImage::from_registry(NGINX))
                .logging(LogDriver::firelens(FireLensLogDriverProps::default())),
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("Web/Task2/web: logging.options: a FireLens output needs a Name option"),
        "{err}"
    );
    let task3 = fargate(&mut app, stack, "Task3");
    let err = task3
        .add_firelens_log_router(
            &mut app,
            "log_router",
            FirelensLogRouterOptions::default().config_file(FirelensConfigFile::S3 {
                bucket_arn: "arn:aws:s3:::configs".into(),
                key: "fluent-bit.conf".into(),
            }),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/Task3/log_router: config_file: Fargate takes a FireLens configuration file from the image only (FirelensConfigFile::File); S3 is for EC2 tasks"
    );
}

#[test]
fn an_ec2_router_reads_its_configuration_from_s3() {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Hosts", StackProps::default()).unwrap();
    let configs = Bucket::new(&mut app, stack, "Configs", BucketProps::default()).unwrap();
    let task =
        Ec2TaskDefinition::new(&mut app, stack, "Task", Ec2TaskDefinitionProps::default()).unwrap();
    task.add_firelens_log_router(
        &mut app,
        "log_router",
        FirelensLogRouterOptions::default()
            .router_type(FirelensLogRouterType::Fluentd)
            .enable_ecs_log_metadata(false)
            .config_file(FirelensConfigFile::s3(&configs, "fluentd.conf"))
            .container(ContainerDefinitionOptions::new(
                ContainerImage::from_registry("fluent/fluentd:v1.16-1"),
            )),
    )
    .unwrap();
    task.add_container(
        &mut app,
        "web",
        ContainerDefinitionOptions::new(ContainerImage::from_registry(NGINX))
            .memory_limit_mib(256)
            .logging(
                FireLensLogDriverProps::default()
                    .options([("Name", "forward"), ("Host", "logs.internal")]),
            ),
    )
    .unwrap();
    let out = app.synth().unwrap();
    let res = &out.stacks[0].template["Resources"];
    let router = &res[id(&["Task", "Resource"])]["Properties"]["ContainerDefinitions"][0];
    assert_eq!(router["Image"], "fluent/fluentd:v1.16-1");
    assert_eq!(router["FirelensConfiguration"]["Type"], "fluentd");
    assert_eq!(
        router["FirelensConfiguration"]["Options"]["enable-ecs-log-metadata"],
        "false"
    );
    assert_eq!(
        router["FirelensConfiguration"]["Options"]["config-file-type"],
        "s3"
    );
    let exec = statements(res, &["Task", "ExecutionRole", "DefaultPolicy", "Resource"]);
    let actions: Vec<&Value> = exec.iter().map(|s| &s["Action"]).collect();
    // No ECR grants for an image from a public registry.
    assert_eq!(
        actions,
        [
            &json!(["logs:CreateLogStream", "logs:PutLogEvents"]),
            &json!("s3:GetObject"),
            &json!("s3:GetBucketLocation")
        ]
    );
    assert!(statements_absent(
        res,
        &["Task", "TaskRole", "DefaultPolicy", "Resource"]
    ));
    support::lint(app);
}

fn statements_absent(res: &Value, path: &[&str]) -> bool {
    res.get(id(path)).is_none()
}

#[test]
fn every_docker_driver_renders_its_options_on_ec2() {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Hosts", StackProps::default()).unwrap();
    let token = secretsmanager::Secret::new(
        &mut app,
        stack,
        "HecToken",
        secretsmanager::SecretProps::default(),
    )
    .unwrap();
    let task =
        Ec2TaskDefinition::new(&mut app, stack, "Task", Ec2TaskDefinitionProps::default()).unwrap();
    let base = BaseLogDriverProps::default()
        .tag("{{.Name}}")
        .labels(["team", "tier"]);
    let drivers = [
        (
            "jsonfile",
            LogDriver::json_file(
                JsonFileLogDriverProps::default()
                    .max_size("10m")
                    .max_file(3)
                    .compress(true)
                    .base(base.clone()),
            ),
        ),
        (
            "fluentd",
            LogDriver::fluentd(
                FluentdLogDriverProps::default()
                    .address("localhost:24224")
                    .async_connect(true)
                    .retry_wait(std::time::Duration::from_secs(2)),
            ),
        ),
        (
            "splunk",
            LogDriver::splunk(
                SplunkLogDriverProps::new(
                    "https://splunk.example.com:8088",
                    Secret::from_secrets_manager(&token),
                )
                .index("main")
                .format(SplunkLogFormat::Json)
                .gzip(true)
                .gzip_level(5),
            ),
        ),
        (
            "syslog",
            LogDriver::syslog(
                SyslogLogDriverProps::default()
                    .address("tcp+tls://syslog.internal:6514")
                    .facility("local0"),
            ),
        ),
        (
            "gelf",
            LogDriver::gelf(
                GelfLogDriverProps::new("udp://graylog.internal:12201").compression_type("gzip"),
            ),
        ),
        (
            "journald",
            LogDriver::journald(JournaldLogDriverProps::default().base(base.clone())),
        ),
        ("none", LogDriver::none()),
        (
            "generic",
            LogDriver::generic(GenericLogDriverProps {
                log_driver: "local".into(),
                options: [("max-size".to_string(), "20m".into())].into(),
                ..Default::default()
            }),
        ),
    ];
    for (name, d) in drivers {
        task.add_container(
            &mut app,
            name,
            ContainerDefinitionOptions::new(ContainerImage::from_registry(NGINX))
                .memory_limit_mib(128)
                .logging(d),
        )
        .unwrap();
    }
    let out = app.synth().unwrap();
    let res = &out.stacks[0].template["Resources"];
    let defs = res[id(&["Task", "Resource"])]["Properties"]["ContainerDefinitions"]
        .as_array()
        .unwrap()
        .clone();
    let log = |i: usize| defs[i]["LogConfiguration"].clone();
    assert_eq!(
        log(0),
        json!({"LogDriver": "json-file", "Options": {"max-size": "10m", "max-file": "3", "compress": "true", "tag": "{{.Name}}", "labels": "team,tier"}})
    );
    assert_eq!(
        log(1),
        json!({"LogDriver": "fluentd", "Options": {"fluentd-address": "localhost:24224", "fluentd-async": "true", "fluentd-retry-wait": "2s"}})
    );
    assert_eq!(log(2)["LogDriver"], "splunk");
    assert_eq!(
        log(2)["Options"],
        json!({"splunk-url": "https://splunk.example.com:8088", "splunk-index": "main", "splunk-format": "json", "splunk-gzip": "true", "splunk-gzip-level": "5"})
    );
    assert_eq!(
        log(2)["SecretOptions"],
        json!([{"Name": "splunk-token", "ValueFrom": {"Ref": id(&["HecToken", "Resource"])}}])
    );
    assert_eq!(
        log(3),
        json!({"LogDriver": "syslog", "Options": {"syslog-address": "tcp+tls://syslog.internal:6514", "syslog-facility": "local0"}})
    );
    assert_eq!(
        log(4),
        json!({"LogDriver": "gelf", "Options": {"gelf-address": "udp://graylog.internal:12201", "gelf-compression-type": "gzip"}})
    );
    assert_eq!(
        log(5),
        json!({"LogDriver": "journald", "Options": {"tag": "{{.Name}}", "labels": "team,tier"}})
    );
    assert_eq!(log(6), json!({"LogDriver": "none"}));
    assert_eq!(
        log(7),
        json!({"LogDriver": "local", "Options": {"max-size": "20m"}})
    );
    // The splunk token: the execution role reads exactly that secret.
    let exec = statements(res, &["Task", "ExecutionRole", "DefaultPolicy", "Resource"]);
    assert_eq!(
        exec,
        vec![
            json!({"Action": "secretsmanager:GetSecretValue", "Effect": "Allow", "Resource": {"Ref": id(&["HecToken", "Resource"])}})
        ]
    );
    support::lint(app);
}

#[test]
fn fargate_refuses_ec2_only_drivers_and_bad_options_name_the_field() {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let task = fargate(&mut app, stack, "Task");
    let add = |app: &mut App, d: LogDriver| {
        task.add_container(
            app,
            "web",
            ContainerDefinitionOptions::new(ContainerImage::from_registry(NGINX)).logging(d),
        )
        .unwrap_err()
        .to_string()
    };
    assert_eq!(
        add(&mut app, LogDriver::json_file(JsonFileLogDriverProps::default())),
        "Web/Task/web: logging: Fargate tasks log through awslogs, splunk or awsfirelens, not json-file; that driver is for EC2 tasks"
    );
    assert_eq!(
        add(&mut app, LogDriver::splunk(SplunkLogDriverProps::new("splunk.example.com", Secret::from_ssm_parameter_name("/hec")))),
        "Web/Task/web: logging.url: \"splunk.example.com\" is not an http(s) URL of a Splunk HTTP Event Collector, e.g. https://splunk.example.com:8088"
    );
    let ec2 =
        Ec2TaskDefinition::new(&mut app, stack, "Ec2", Ec2TaskDefinitionProps::default()).unwrap();
    let add2 = |app: &mut App, d: LogDriver| {
        ec2.add_container(
            app,
            "web",
            ContainerDefinitionOptions::new(ContainerImage::from_registry(NGINX))
                .memory_limit_mib(64)
                .logging(d),
        )
        .unwrap_err()
        .to_string()
    };
    assert_eq!(
        add2(&mut app, LogDriver::gelf(GelfLogDriverProps::new("graylog:12201"))),
        "Web/Ec2/web: logging.address: \"graylog:12201\" is not a GELF address such as udp://graylog.internal:12201 or tcp://..."
    );
    assert_eq!(
        add2(
            &mut app,
            LogDriver::json_file(JsonFileLogDriverProps::default().max_size("ten megs"))
        ),
        "Web/Ec2/web: logging.max_size: \"ten megs\" is not a size such as 10m, 512k or 1g"
    );
    assert_eq!(
        add2(&mut app, LogDriver::syslog(SyslogLogDriverProps::default().address("syslog.internal:514"))),
        "Web/Ec2/web: logging.address: \"syslog.internal:514\" needs a scheme: udp://, tcp://, tcp+tls://, unix:// or unixgram://"
    );
}

fn access_log_app(
    region: Option<&str>,
    encryption: BucketEncryption,
) -> Result<App, berth_constructs::ConstructError> {
    let mut app = App::new();
    let env = Environment {
        account: None,
        region: region.map(Into::into),
    };
    let stack = Stack::new(&mut app, "Web", StackProps::default().env(env))?;
    let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default())?;
    let logs = Bucket::new(
        &mut app,
        stack,
        "AccessLogs",
        BucketProps::default().encryption(encryption),
    )?;
    let alb = ApplicationLoadBalancer::new(
        &mut app,
        stack,
        "Alb",
        &vpc,
        ApplicationLoadBalancerProps::default(),
    )?;
    alb.log_access_logs(&mut app, &logs, "alb")?;
    let nlb = NetworkLoadBalancer::new(
        &mut app,
        stack,
        "Nlb",
        &vpc,
        NetworkLoadBalancerProps::default(),
    )?;
    nlb.log_access_logs(&mut app, &logs, "nlb")?;
    Ok(app)
}

#[test]
fn access_logs_use_the_regional_account_or_the_delivery_service() {
    let mut app = access_log_app(Some("us-east-1"), BucketEncryption::S3Managed).unwrap();
    let out = app.synth().unwrap();
    let res = &out.stacks[0].template["Resources"];
    let policy = statements(res, &["AccessLogs", "Policy", "Resource"]);
    assert_eq!(
        policy.len(),
        4,
        "TLS only, the ALB's writer, the NLB's writer and ACL check"
    );
    assert_eq!(
        policy[1]["Principal"]["AWS"]["Fn::Join"][1][2],
        ":iam::127311923021:root"
    );
    let key = policy[1]["Resource"]["Fn::Join"][1]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(key[1], "/alb/AWSLogs/");
    assert_eq!(key[2], json!({"Ref": "AWS::AccountId"}));
    assert_eq!(
        policy[2]["Principal"],
        json!({"Service": "delivery.logs.amazonaws.com"})
    );
    assert_eq!(
        policy[2]["Condition"],
        json!({"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}})
    );
    assert_eq!(policy[3]["Action"], "s3:GetBucketAcl");
    let alb = &res[id(&["Alb", "Resource"])];
    assert_eq!(
        alb["DependsOn"],
        json!([id(&["AccessLogs", "Policy", "Resource"])])
    );
    let attrs = alb["Properties"]["LoadBalancerAttributes"]
        .as_array()
        .unwrap();
    let get = |k: &str| {
        attrs
            .iter()
            .find(|a| a["Key"] == k)
            .map(|a| a["Value"].clone())
    };
    assert_eq!(get("access_logs.s3.enabled"), Some(json!("true")));
    assert_eq!(
        get("access_logs.s3.bucket"),
        Some(json!({"Ref": id(&["AccessLogs", "Resource"])}))
    );
    assert_eq!(get("access_logs.s3.prefix"), Some(json!("alb")));
    support::lint(app);

    // A region opened since August 2022: the log delivery service principal.
    let mut app = access_log_app(Some("ap-southeast-5"), BucketEncryption::S3Managed).unwrap();
    let out = app.synth().unwrap();
    let policy = statements(
        &out.stacks[0].template["Resources"],
        &["AccessLogs", "Policy", "Resource"],
    );
    assert_eq!(
        policy[1]["Principal"],
        json!({"Service": "logdelivery.elasticloadbalancing.amazonaws.com"})
    );
}

#[test]
fn access_logs_need_a_region_and_sse_s3() {
    let err = access_log_app(None, BucketEncryption::S3Managed)
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "Web/Alb: access_logs: the stack's region must be known to write access logs: the bucket policy names that region's Elastic Load Balancing account (give the stack an env with a region)"
    );
    let err = access_log_app(Some("us-east-1"), BucketEncryption::KmsManaged)
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "Web/Alb: access_logs: the bucket Web/AccessLogs is encrypted with KMS; load balancer access logs take S3-managed keys (BucketEncryption::S3Managed) only"
    );
}

#[test]
fn firelens_and_the_router_write_to_a_given_encrypted_log_group() {
    use berth_constructs::kms::{Key, KeyProps};
    use berth_constructs::logs::{LogGroup, LogGroupProps};
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let key = Key::new(&mut app, stack, "Key", KeyProps::default()).unwrap();
    let group_props = LogGroupProps::default().encryption_key(key);
    let group = LogGroup::new(&mut app, stack, "Logs", group_props).unwrap();
    let task = fargate(&mut app, stack, "Task");
    let router_logs = AwsLogDriverProps::new("firelens").log_group(group);
    let router = FirelensLogRouterOptions::default()
        .container(ContainerDefinitionOptions::default().logging(router_logs));
    task.add_firelens_log_router(&mut app, "log_router", router)
        .unwrap();
    task.add_container(
        &mut app,
        "web",
        ContainerDefinitionOptions::new(ContainerImage::from_registry(NGINX))
            .logging(FireLensCloudWatchLogs::new("web/").log_group(group)),
    )
    .unwrap();
    let out = app.synth().unwrap();
    let t = &out.stacks[0].template;
    let res = &t["Resources"];
    // One log group, the given one: no group made under either container.
    let groups: Vec<&String> = res
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Logs::LogGroup")
        .map(|(k, _)| k)
        .collect();
    assert_eq!(groups, [&id(&["Logs", "Resource"])]);
    let group_ref = json!({"Ref": id(&["Logs", "Resource"])});
    let defs = &res[id(&["Task", "Resource"])]["Properties"]["ContainerDefinitions"];
    assert_eq!(defs[0]["Name"], "log_router");
    assert_eq!(
        defs[0]["LogConfiguration"]["Options"]["awslogs-group"],
        group_ref
    );
    assert_eq!(defs[1]["LogConfiguration"]["LogDriver"], "awsfirelens");
    assert_eq!(
        defs[1]["LogConfiguration"]["Options"]["log_group_name"],
        group_ref
    );
    assert_eq!(
        res[id(&["Logs", "Resource"])]["Properties"]["KmsKeyId"]["Fn::GetAtt"][0],
        id(&["Key", "Resource"])
    );
    support::lint(app);
}
