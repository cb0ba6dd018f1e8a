//! Service Connect on ECS services (`enable_service_connect`, `service_connect` in the
//! props): the rendered `ServiceConnectConfiguration`, the namespace (the cluster's
//! default or a given one, referenced so the service is created after it), default
//! client aliases from named port mappings, client-only services, proxy logs, EC2
//! services, and cfn-lint on the result. Misuse is in `bad_input.rs`.

mod support;
use support::lint;

use berth_assertions::{pattern, Match, Template};
use berth_constructs::ec2::{Vpc, VpcProps};
use berth_constructs::ecs::*;
use berth_constructs::logs::RetentionDays;
use berth_constructs::servicediscovery::{PrivateDnsNamespace, PrivateDnsNamespaceProps};
use berth_constructs::{App, Stack, StackProps};
use berth_synth::logical_id::make_unique_id;
use serde_json::json;

struct Fixture {
    app: App,
    stack: Stack,
    namespace: PrivateDnsNamespace,
    cluster: Cluster,
}

fn id(path: &[&str]) -> String {
    make_unique_id(path).unwrap()
}

fn nginx() -> ContainerImage {
    ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest")
}

/// A VPC, a namespace `shop.local` and a cluster; the namespace is the cluster's
/// default when `default_namespace`.
fn fixture(default_namespace: bool) -> Fixture {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Shop", StackProps::default()).unwrap();
    let vpc = Vpc::new(
        &mut app,
        stack,
        "Vpc",
        VpcProps {
            nat_gateways: Some(1),
            availability_zones: vec!["us-east-1a".into(), "us-east-1b".into()],
            ..Default::default()
        },
    )
    .unwrap();
    let namespace = PrivateDnsNamespace::new(
        &mut app,
        stack,
        "Namespace",
        &vpc,
        PrivateDnsNamespaceProps::new("shop.local"),
    )
    .unwrap();
    let default_cloud_map_namespace = default_namespace
        .then(|| CloudMapNamespaceOptions::from(namespace).use_for_service_connect(true));
    let cluster = Cluster::new(
        &mut app,
        stack,
        "Cluster",
        ClusterProps {
            vpc: Some(vpc),
            default_cloud_map_namespace,
            ..Default::default()
        },
    )
    .unwrap();
    Fixture {
        app,
        stack,
        namespace,
        cluster,
    }
}

/// A Fargate task `<id>Task` with a container `app` mapping 8080 as `http` and 9090
/// as `admin`.
fn task(f: &mut Fixture, id: &str) -> FargateTaskDefinition {
    let task = FargateTaskDefinition::new(
        &mut f.app,
        f.stack,
        &format!("{id}Task"),
        FargateTaskDefinitionProps::default(),
    )
    .unwrap();
    task.add_container(
        &mut f.app,
        "app",
        ContainerDefinitionOptions {
            port_mappings: vec![
                PortMapping::tcp(8080).named("http"),
                PortMapping::tcp(9090).named("admin"),
            ],
            ..ContainerDefinitionOptions::new(nginx())
        },
    )
    .unwrap();
    task
}

fn template(app: &mut App) -> Template {
    let out = app.synth().unwrap_or_else(|e| panic!("synth failed: {e}"));
    Template::from_json(out.stacks[0].template.clone()).unwrap()
}

fn service_connect(t: &Template, service: &str) -> serde_json::Value {
    t.resource(&id(&[service, "Service"]))
        .unwrap_or_else(|| panic!("no service {service}"))["Properties"]
        ["ServiceConnectConfiguration"]
        .clone()
}

#[test]
fn a_named_port_is_published_in_the_clusters_default_namespace_on_its_container_port() {
    let mut f = fixture(true);
    let task = task(&mut f, "Api");
    FargateService::new(
        &mut f.app,
        f.stack,
        "Api",
        FargateServiceProps {
            service_connect: Some(ServiceConnectProps {
                services: vec![ServiceConnectService::new("http")],
                ..Default::default()
            }),
            ..FargateServiceProps::new(f.cluster, task)
        },
    )
    .unwrap();
    let t = template(&mut f.app);
    let ns = id(&["Namespace", "Resource"]);
    // The namespace is referenced by ARN: CloudFormation creates it first.
    assert_eq!(
        service_connect(&t, "Api"),
        json!({
            "Enabled": true,
            "Namespace": {"Fn::GetAtt": [ns, "Arn"]},
            "Services": [{"ClientAliases": [{"Port": 8080}], "PortName": "http"}],
        })
    );
    // The cluster's Service Connect default is the same namespace.
    t.has_resource_properties(
        "AWS::ECS::Cluster",
        pattern!({"ServiceConnectDefaults": {"Namespace": {"Fn::GetAtt": [ns, "Arn"]}}}),
    );
    lint(f.app);
}

#[test]
fn a_given_namespace_with_aliases_ingress_port_and_timeouts() {
    let mut f = fixture(false);
    let task = task(&mut f, "Api");
    let api = FargateService::new(
        &mut f.app,
        f.stack,
        "Api",
        FargateServiceProps::new(f.cluster, task),
    )
    .unwrap();
    let ns = f.namespace;
    api.enable_service_connect(
        &mut f.app,
        ServiceConnectProps {
            namespace: Some((&ns).into()),
            services: vec![
                ServiceConnectService {
                    discovery_name: Some("api".into()),
                    client_alias: Some(ServiceConnectClientAlias {
                        port: 80,
                        dns_name: Some("api.shop.local".into()),
                    }),
                    ingress_port_override: Some(15000),
                    idle_timeout_secs: Some(120),
                    per_request_timeout_secs: Some(30),
                    ..ServiceConnectService::new("http")
                },
                ServiceConnectService::new("admin"),
            ],
            log_driver: None,
        },
    )
    .unwrap();
    let t = template(&mut f.app);
    assert_eq!(
        service_connect(&t, "Api"),
        json!({
            "Enabled": true,
            "Namespace": {"Fn::GetAtt": [id(&["Namespace", "Resource"]), "Arn"]},
            "Services": [
                {
                    "ClientAliases": [{"DnsName": "api.shop.local", "Port": 80}],
                    "DiscoveryName": "api",
                    "IngressPortOverride": 15000,
                    "PortName": "http",
                    "Timeout": {"IdleTimeoutSeconds": 120, "PerRequestTimeoutSeconds": 30},
                },
                {"ClientAliases": [{"Port": 9090}], "PortName": "admin"},
            ],
        })
    );
    // No cluster default was set, so the cluster has no Service Connect defaults.
    t.has_resource_properties(
        "AWS::ECS::Cluster",
        pattern!({"ServiceConnectDefaults": Match::absent()}),
    );
    lint(f.app);
}

#[test]
fn a_client_service_joins_the_namespace_without_endpoints() {
    let mut f = fixture(true);
    let api_task = task(&mut f, "Api");
    let web_task = task(&mut f, "Web");
    FargateService::new(
        &mut f.app,
        f.stack,
        "Api",
        FargateServiceProps {
            service_connect: Some(ServiceConnectProps {
                services: vec![ServiceConnectService::new("http")],
                ..Default::default()
            }),
            ..FargateServiceProps::new(f.cluster, api_task)
        },
    )
    .unwrap();
    let web = FargateService::new(
        &mut f.app,
        f.stack,
        "Web",
        FargateServiceProps::new(f.cluster, web_task),
    )
    .unwrap();
    web.enable_service_connect(&mut f.app, ServiceConnectProps::default())
        .unwrap();
    let t = template(&mut f.app);
    assert_eq!(
        service_connect(&t, "Web"),
        json!({
            "Enabled": true,
            "Namespace": {"Fn::GetAtt": [id(&["Namespace", "Resource"]), "Arn"]},
        })
    );
    lint(f.app);
}

#[test]
fn a_namespace_by_name_is_rendered_as_given() {
    let mut f = fixture(true);
    let task = task(&mut f, "Api");
    FargateService::new(
        &mut f.app,
        f.stack,
        "Api",
        FargateServiceProps {
            service_connect: Some(ServiceConnectProps {
                namespace: Some("existing.local".into()),
                ..Default::default()
            }),
            ..FargateServiceProps::new(f.cluster, task)
        },
    )
    .unwrap();
    let t = template(&mut f.app);
    assert_eq!(service_connect(&t, "Api")["Namespace"], "existing.local");
}

#[test]
fn proxy_logs_go_to_a_log_group_under_the_service_that_the_execution_role_may_write() {
    let mut f = fixture(true);
    let task = task(&mut f, "Api");
    FargateService::new(
        &mut f.app,
        f.stack,
        "Api",
        FargateServiceProps {
            service_connect: Some(ServiceConnectProps {
                services: vec![ServiceConnectService::new("http")],
                log_driver: Some(LogDriver::aws_logs(AwsLogDriverProps {
                    stream_prefix: "sc".into(),
                    retention: Some(RetentionDays::OneWeek),
                    ..Default::default()
                })),
                ..Default::default()
            }),
            ..FargateServiceProps::new(f.cluster, task)
        },
    )
    .unwrap();
    let t = template(&mut f.app);
    let group = id(&["Api", "LogGroup", "Resource"]);
    t.has_resource_properties("AWS::Logs::LogGroup", pattern!({"RetentionInDays": 7}));
    assert!(t.resource(&group).is_some(), "a log group Api/LogGroup");
    assert_eq!(
        service_connect(&t, "Api")["LogConfiguration"],
        json!({
            "LogDriver": "awslogs",
            "Options": {
                "awslogs-group": {"Ref": group},
                "awslogs-stream-prefix": "sc",
                "awslogs-region": {"Ref": "AWS::Region"},
            },
        })
    );
    let policy = t
        .resource(&id(&[
            "ApiTask",
            "ExecutionRole",
            "DefaultPolicy",
            "Resource",
        ]))
        .expect("an execution role policy");
    assert_eq!(
        policy["Properties"]["PolicyDocument"]["Statement"],
        json!([{
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [group, "Arn"]},
        }])
    );
    // The service waits for that policy, as for any execution role permission.
    let svc = t.resource(&id(&["Api", "Service"])).unwrap();
    assert_eq!(
        svc["DependsOn"],
        json!([id(&[
            "ApiTask",
            "ExecutionRole",
            "DefaultPolicy",
            "Resource"
        ])])
    );
    lint(f.app);
}

#[test]
fn port_mappings_added_after_service_connect_is_enabled_count() {
    let mut f = fixture(true);
    let task = FargateTaskDefinition::new(
        &mut f.app,
        f.stack,
        "LateTask",
        FargateTaskDefinitionProps::default(),
    )
    .unwrap();
    task.add_container(&mut f.app, "app", ContainerDefinitionOptions::new(nginx()))
        .unwrap();
    let late = FargateService::new(
        &mut f.app,
        f.stack,
        "Late",
        FargateServiceProps::new(f.cluster, task),
    )
    .unwrap();
    late.enable_service_connect(
        &mut f.app,
        ServiceConnectProps {
            services: vec![ServiceConnectService::new("grpc")],
            ..Default::default()
        },
    )
    .unwrap();
    let app_container = task.find_container(&f.app, "app").unwrap();
    app_container
        .add_port_mappings(
            &mut f.app,
            &[PortMapping {
                app_protocol: Some(AppProtocol::Grpc),
                ..PortMapping::tcp(50051).named("grpc")
            }],
        )
        .unwrap();
    let t = template(&mut f.app);
    assert_eq!(
        service_connect(&t, "Late")["Services"],
        json!([{"ClientAliases": [{"Port": 50051}], "PortName": "grpc"}])
    );
}

#[test]
fn an_ec2_service_in_bridge_mode() {
    let mut f = fixture(true);
    f.cluster
        .add_capacity(&mut f.app, "Capacity", AddCapacityOptions::new("t3.small"))
        .unwrap();
    let task = Ec2TaskDefinition::new(
        &mut f.app,
        f.stack,
        "WorkerTask",
        Ec2TaskDefinitionProps::default(),
    )
    .unwrap();
    task.add_container(
        &mut f.app,
        "worker",
        ContainerDefinitionOptions {
            memory_limit_mib: Some(256),
            port_mappings: vec![PortMapping::tcp(7000).named("jobs")],
            ..ContainerDefinitionOptions::new(nginx())
        },
    )
    .unwrap();
    assert_eq!(task.network_mode(&f.app), NetworkMode::Bridge);
    Ec2Service::new(
        &mut f.app,
        f.stack,
        "Worker",
        Ec2ServiceProps {
            service_connect: Some(ServiceConnectProps {
                services: vec![ServiceConnectService {
                    discovery_name: Some("jobs-api".into()),
                    ..ServiceConnectService::new("jobs")
                }],
                ..Default::default()
            }),
            ..Ec2ServiceProps::new(f.cluster, task)
        },
    )
    .unwrap();
    let t = template(&mut f.app);
    assert_eq!(
        service_connect(&t, "Worker")["Services"],
        json!([{"ClientAliases": [{"Port": 7000}], "DiscoveryName": "jobs-api", "PortName": "jobs"}])
    );
    lint(f.app);
}

#[test]
fn a_namespace_in_another_stack_is_imported_and_the_stacks_are_ordered() {
    let mut f = fixture(false);
    let other = Stack::new(&mut f.app, "Orders", StackProps::default()).unwrap();
    let task = FargateTaskDefinition::new(
        &mut f.app,
        other,
        "OrdersTask",
        FargateTaskDefinitionProps::default(),
    )
    .unwrap();
    task.add_container(
        &mut f.app,
        "app",
        ContainerDefinitionOptions {
            port_mappings: vec![PortMapping::tcp(8080).named("http")],
            ..ContainerDefinitionOptions::new(nginx())
        },
    )
    .unwrap();
    let ns = f.namespace;
    FargateService::new(
        &mut f.app,
        other,
        "Orders",
        FargateServiceProps {
            service_connect: Some(ServiceConnectProps {
                namespace: Some(ns.into()),
                services: vec![ServiceConnectService::new("http")],
                ..Default::default()
            }),
            ..FargateServiceProps::new(f.cluster, task)
        },
    )
    .unwrap();
    let out = f
        .app
        .synth()
        .unwrap_or_else(|e| panic!("synth failed: {e}"));
    let orders = out.stacks.iter().find(|s| s.name == "Orders").unwrap();
    let sc = &orders.template["Resources"][id(&["Orders", "Service"])]["Properties"]
        ["ServiceConnectConfiguration"];
    assert!(
        sc["Namespace"].get("Fn::ImportValue").is_some(),
        "the namespace ARN is imported: {sc}"
    );
    assert!(
        orders.dependencies.iter().any(|d| d == "Shop"),
        "Orders deploys after Shop: {:?}",
        orders.dependencies
    );
}
