//! The bad-input corpus: invalid programs and the exact errors they give, each
//! snapshot-tested (`constructs/tests/snapshots/bad_input__*.snap`), so any change to
//! a message shows up in review. Synth must never panic on any of them.

use berth_constructs::*;
use berth_synth::cfn::ecr::CfnRepository;
use berth_synth::cfn::ecs::{task_definition, CfnCluster, CfnTaskDefinition};
use berth_synth::cfn::iam::CfnRole;
use berth_synth::cfn::logs::CfnLogGroup;
use berth_synth::cfn::sqs::CfnQueue;
use berth_synth::resource::RawProperties;
use berth_synth::{Expr, Intrinsic, Value};
use serde_json::json;

type Case = fn() -> Result<App, ConstructError>;

fn raw(t: &str, props: serde_json::Value) -> RawProperties {
    RawProperties::new(t, Value::from_json(&props))
}

fn one(t: &str, props: serde_json::Value) -> Result<App, ConstructError> {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Bad", StackProps::default())?;
    app.add_resource(s, "Thing", raw(t, props))?;
    Ok(app)
}

fn stack(app: &mut App) -> Result<Stack, ConstructError> {
    Stack::new(app, "Bad", StackProps::default())
}

/// A Fargate service `Bad/Api` whose container maps `ports`, in a cluster with (when
/// `default_namespace`) a default Cloud Map namespace, with Service Connect `props`.
fn service_connect(
    ports: Vec<ecs::PortMapping>,
    default_namespace: bool,
    props: ecs::ServiceConnectProps,
) -> Result<App, ConstructError> {
    service_connect_service(ports, default_namespace, props).map(|(app, _)| app)
}

fn service_connect_service(
    ports: Vec<ecs::PortMapping>,
    default_namespace: bool,
    props: ecs::ServiceConnectProps,
) -> Result<(App, ecs::FargateService), ConstructError> {
    let mut app = App::new();
    let s = stack(&mut app)?;
    let vpc = ec2::Vpc::new(&mut app, s, "Vpc", ec2::VpcProps::default())?;
    let ns = servicediscovery::PrivateDnsNamespace::new(
        &mut app,
        s,
        "Namespace",
        &vpc,
        servicediscovery::PrivateDnsNamespaceProps::new("shop.local"),
    )?;
    let default_cloud_map_namespace = default_namespace
        .then(|| ecs::CloudMapNamespaceOptions::from(ns).use_for_service_connect(true));
    let cluster = ecs::Cluster::new(
        &mut app,
        s,
        "Cluster",
        ecs::ClusterProps {
            vpc: Some(vpc),
            default_cloud_map_namespace,
            ..Default::default()
        },
    )?;
    let task = ecs::FargateTaskDefinition::new(
        &mut app,
        s,
        "ApiTask",
        ecs::FargateTaskDefinitionProps::default(),
    )?;
    task.add_container(
        &mut app,
        "api",
        ecs::ContainerDefinitionOptions {
            port_mappings: ports,
            ..ecs::ContainerDefinitionOptions::new(ecs::ContainerImage::from_registry(
                "public.ecr.aws/nginx/nginx:latest",
            ))
        },
    )?;
    let service = ecs::FargateService::new(
        &mut app,
        s,
        "Api",
        ecs::FargateServiceProps {
            service_connect: Some(props),
            ..ecs::FargateServiceProps::new(cluster, task)
        },
    )?;
    Ok((app, service))
}

/// A Fargate service `Bad/Service` (no load balancer) whose props `configure` changes.
fn deploying_service(
    configure: impl FnOnce(ecs::FargateServiceProps) -> ecs::FargateServiceProps,
) -> Result<App, ConstructError> {
    service_in_vpc(Vec::new(), configure).map(|(app, ..)| app)
}

/// [`deploying_service`] with the container `web` mapping `ports`; also returns the
/// stack, the VPC and the service.
fn service_in_vpc(
    ports: Vec<ecs::PortMapping>,
    configure: impl FnOnce(ecs::FargateServiceProps) -> ecs::FargateServiceProps,
) -> Result<(App, Stack, ec2::Vpc, ecs::BaseService), ConstructError> {
    let mut app = App::new();
    let s = stack(&mut app)?;
    let vpc = ec2::Vpc::new(&mut app, s, "Vpc", ec2::VpcProps::default())?;
    let cluster = ecs::Cluster::new(
        &mut app,
        s,
        "Cluster",
        ecs::ClusterProps::default().vpc(vpc),
    )?;
    let task = ecs::FargateTaskDefinition::new(
        &mut app,
        s,
        "Task",
        ecs::FargateTaskDefinitionProps::default(),
    )?;
    task.add_container(
        &mut app,
        "web",
        ecs::ContainerDefinitionOptions::new(ecs::ContainerImage::from_registry(
            "public.ecr.aws/nginx/nginx:latest",
        ))
        .port_mappings(ports),
    )?;
    let service = ecs::FargateService::new(
        &mut app,
        s,
        "Service",
        configure(ecs::FargateServiceProps::new(cluster, task)),
    )?
    .base();
    Ok((app, s, vpc, service))
}

/// The ALB Fargate pattern `Bad/Web` whose props `configure` changes.
fn deploying_alb_pattern(
    configure: impl FnOnce(
        patterns::ApplicationLoadBalancedFargateServiceProps,
    ) -> patterns::ApplicationLoadBalancedFargateServiceProps,
) -> Result<App, ConstructError> {
    let mut app = App::new();
    let s = stack(&mut app)?;
    let props = patterns::ApplicationLoadBalancedFargateServiceProps::new(
        ecs::ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest"),
    );
    patterns::ApplicationLoadBalancedFargateService::new(&mut app, s, "Web", configure(props))?;
    Ok(app)
}

const CASES: &[(&str, Case)] = &[
    // --- schema validation: enums, patterns, required, types, ranges, unknown properties
    ("enum_launch_type", || {
        one("AWS::ECS::Service", json!({"LaunchType": "FARGATEX"}))
    }),
    ("pattern_repository_name", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        app.add_resource(
            s,
            "Repo",
            CfnRepository {
                repository_name: Some("Bad Name!".into()),
                ..Default::default()
            },
        )?;
        Ok(app)
    }),
    ("pattern_log_group_name", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        app.add_resource(
            s,
            "Logs",
            CfnLogGroup {
                log_group_name: Some("bad name!".into()),
                ..Default::default()
            },
        )?;
        Ok(app)
    }),
    ("required_route_table", || {
        one(
            "AWS::EC2::Route",
            json!({"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1"}),
        )
    }),
    ("required_role_trust_policy", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        app.add_resource(
            s,
            "Role",
            CfnRole {
                description: Some("no trust".into()),
                ..Default::default()
            },
        )?;
        Ok(app)
    }),
    ("wrong_type_desired_count", || {
        one("AWS::ECS::Service", json!({"DesiredCount": "two"}))
    }),
    ("wrong_type_object_for_string", || {
        one("AWS::SQS::Queue", json!({"QueueName": {"name": "jobs"}}))
    }),
    ("range_visibility_timeout", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        app.add_resource(
            s,
            "Queue",
            CfnQueue {
                visibility_timeout: Some(50_000.into()),
                ..Default::default()
            },
        )?;
        Ok(app)
    }),
    ("range_message_retention", || {
        one("AWS::SQS::Queue", json!({"MessageRetentionPeriod": 10}))
    }),
    ("unknown_property", || {
        one("AWS::ECS::Cluster", json!({"ClusterNmae": "web"}))
    }),
    ("read_only_property", || {
        one(
            "AWS::SQS::Queue",
            json!({"Arn": "arn:aws:sqs:us-east-1:1:q"}),
        )
    }),
    ("enum_network_mode", || {
        one(
            "AWS::ECS::TaskDefinition",
            json!({"NetworkMode": "bridged"}),
        )
    }),
    ("nested_enum_port_protocol", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let td = app.add_resource(
            s,
            "TaskDef",
            CfnTaskDefinition {
                container_definitions: Some(
                    vec![task_definition::ContainerDefinition {
                        name: Some("web".into()),
                        image: Some("nginx".into()),
                        ..Default::default()
                    }]
                    .into(),
                ),
                ..Default::default()
            },
        )?;
        app.add_property_override(
            td,
            "ContainerDefinitions.0.PortMappings",
            Value::from_json(&json!([{"ContainerPort": 80, "Protocol": "sctp"}])),
        )?;
        Ok(app)
    }),
    ("nested_required_image", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        app.add_resource(
            s,
            "TaskDef",
            CfnTaskDefinition {
                container_definitions: Some(
                    vec![task_definition::ContainerDefinition {
                        name: Some("web".into()),
                        ..Default::default()
                    }]
                    .into(),
                ),
                ..Default::default()
            },
        )?;
        Ok(app)
    }),
    ("empty_list_min_items", || {
        one(
            "AWS::ECR::Repository",
            json!({"ImageTagMutability": "IMMUTABLE_WITH_EXCLUSION", "ImageTagMutabilityExclusionFilters": []}),
        )
    }),
    ("nested_unknown_property", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let c = app.add_resource(s, "Cluster", CfnCluster::default())?;
        app.add_property_override(
            c,
            "ClusterSettings",
            Value::from_json(&json!([{"Nmae": "containerInsights", "Value": "enabled"}])),
        )?;
        Ok(app)
    }),
    ("many_problems_all_listed", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        app.add_resource(
            s,
            "A",
            raw(
                "AWS::ECS::Service",
                json!({"LaunchType": "X", "DesiredCount": "two"}),
            ),
        )?;
        app.add_resource(s, "B", raw("AWS::SQS::Queue", json!({"DelaySeconds": 901})))?;
        Ok(app)
    }),
    // --- references
    ("getatt_unknown_attribute", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let q = app.add_resource(s, "Queue", raw("AWS::SQS::Queue", json!({})))?;
        app.add_resource(
            s,
            "Param",
            RawProperties::new(
                "AWS::SSM::Parameter",
                Value::map([
                    ("Type", Value::from("String")),
                    ("Value", q.get_att("Url").into()),
                ]),
            ),
        )?;
        Ok(app)
    }),
    ("ref_to_an_output", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let q = app.add_resource(s, "Queue", raw("AWS::SQS::Queue", json!({})))?;
        Output::new(
            &mut app,
            s,
            "Url",
            OutputProps {
                value: q.ref_().into(),
                ..Default::default()
            },
        )?;
        let out = app.find("Bad/Url").expect("output");
        app.add_property_override(q, "QueueName", Value::ref_to(out))?;
        Ok(app)
    }),
    ("if_on_a_non_condition", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let p = Parameter::new(&mut app, s, "Env", ParameterProps::default())?;
        app.add_resource(
            s,
            "Queue",
            RawProperties::new(
                "AWS::SQS::Queue",
                Value::map([(
                    "DelaySeconds",
                    Intrinsic::If(
                        berth_synth::Target::Element(p.node()),
                        Value::Int(1),
                        Value::Int(0),
                    )
                    .into_value(),
                )]),
            ),
        )?;
        Ok(app)
    }),
    ("condition_from_another_stack", || {
        let mut app = App::new();
        let a = Stack::new(&mut app, "A", StackProps::default())?;
        let b = Stack::new(&mut app, "B", StackProps::default())?;
        let c = Condition::new(
            &mut app,
            a,
            "IsProd",
            Intrinsic::Equals(Value::from("a"), Value::from("b")).into_value(),
        )?;
        app.add_resource(
            b,
            "Queue",
            RawProperties::new(
                "AWS::SQS::Queue",
                Value::map([("DelaySeconds", c.if_else(Value::Int(1), Value::Int(0)))]),
            ),
        )?;
        Ok(app)
    }),
    ("reference_across_environments", || {
        let mut app = App::new();
        let env = |r: &str| StackProps {
            env: Environment {
                account: Some("111111111111".into()),
                region: Some(r.into()),
            },
            ..Default::default()
        };
        let a = Stack::new(&mut app, "East", env("us-east-1"))?;
        let b = Stack::new(&mut app, "West", env("us-west-2"))?;
        let q = app.add_resource(a, "Queue", raw("AWS::SQS::Queue", json!({})))?;
        app.add_resource(
            b,
            "Param",
            RawProperties::new(
                "AWS::SSM::Parameter",
                Value::map([("Type", Value::from("String")), ("Value", q.ref_().into())]),
            ),
        )?;
        Ok(app)
    }),
    ("depends_on_an_output", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let q = app.add_resource(s, "Queue", raw("AWS::SQS::Queue", json!({})))?;
        Output::new(
            &mut app,
            s,
            "Url",
            OutputProps {
                value: q.ref_().into(),
                ..Default::default()
            },
        )?;
        let out = app.find("Bad/Url").expect("output");
        app.add_dependency(q, out);
        Ok(app)
    }),
    // --- graph
    ("cycle_between_resources", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let a = app.add_resource(s, "A", raw("AWS::SQS::Queue", json!({})))?;
        let b = app.add_resource(s, "B", raw("AWS::SQS::Queue", json!({})))?;
        app.add_property_override(a, "QueueName", b.get_att("QueueName"))?;
        app.add_property_override(b, "QueueName", a.get_att("QueueName"))?;
        Ok(app)
    }),
    ("cycle_through_depends_on", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let g = app.add_group(s, "Workers")?;
        let a = app.add_resource(g, "A", raw("AWS::SQS::Queue", json!({})))?;
        let b = app.add_resource(s, "B", raw("AWS::SQS::Queue", json!({})))?;
        app.add_property_override(b, "QueueName", a.get_att("QueueName"))?;
        app.add_dependency(g, b);
        Ok(app)
    }),
    ("resource_refers_to_itself", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let a = app.add_resource(s, "A", raw("AWS::SQS::Queue", json!({})))?;
        app.add_property_override(a, "QueueName", a.ref_())?;
        Ok(app)
    }),
    ("cycle_between_stacks", || {
        let mut app = App::new();
        let a = Stack::new(&mut app, "Front", StackProps::default())?;
        let b = Stack::new(&mut app, "Back", StackProps::default())?;
        let qa = app.add_resource(a, "Qa", raw("AWS::SQS::Queue", json!({})))?;
        let qb = app.add_resource(b, "Qb", raw("AWS::SQS::Queue", json!({})))?;
        app.add_property_override(qa, "QueueName", qb.get_att("QueueName"))?;
        app.add_property_override(qb, "QueueName", qa.get_att("QueueName"))?;
        Ok(app)
    }),
    // --- the tree
    ("duplicate_construct_id", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        app.add_resource(s, "Queue", raw("AWS::SQS::Queue", json!({})))?;
        app.add_resource(s, "Queue", raw("AWS::SQS::Queue", json!({})))?;
        Ok(app)
    }),
    ("empty_construct_id", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        app.add_group(s, "")?;
        Ok(app)
    }),
    ("slash_in_construct_id", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        app.add_group(s, "web/api")?;
        Ok(app)
    }),
    ("resource_outside_a_stack", || {
        let mut app = App::new();
        app.add_resource(ROOT, "Queue", raw("AWS::SQS::Queue", json!({})))?;
        Ok(app)
    }),
    ("invalid_stack_name", || {
        let mut app = App::new();
        Stack::new(&mut app, "web_stack", StackProps::default())?;
        Ok(app)
    }),
    ("duplicate_stack_name", || {
        let mut app = App::new();
        Stack::new(
            &mut app,
            "A",
            StackProps {
                stack_name: Some("web".into()),
                ..Default::default()
            },
        )?;
        Stack::new(
            &mut app,
            "B",
            StackProps {
                stack_name: Some("web".into()),
                ..Default::default()
            },
        )?;
        Ok(app)
    }),
    ("invalid_logical_id_override", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let q = app.add_resource(s, "Queue", raw("AWS::SQS::Queue", json!({})))?;
        app.override_logical_id(q, "jobs_queue")?;
        Ok(app)
    }),
    ("duplicate_logical_ids", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let g = app.add_group(s, "Web")?;
        app.add_resource(g, "Queue", raw("AWS::SQS::Queue", json!({})))?;
        let q = app.add_resource(s, "Other", raw("AWS::SQS::Queue", json!({})))?;
        let id = berth_synth::logical_id::make_unique_id(&["Web", "Queue"]).expect("id");
        app.override_logical_id(q, &id)?;
        Ok(app)
    }),
    // --- limits
    ("too_many_resources", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        for i in 0..501 {
            app.add_resource(s, &format!("Q{i}"), raw("AWS::SQS::Queue", json!({})))?;
        }
        Ok(app)
    }),
    ("too_many_outputs_and_parameters", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let q = app.add_resource(s, "Q", raw("AWS::SQS::Queue", json!({})))?;
        for i in 0..201 {
            Output::new(
                &mut app,
                s,
                &format!("O{i}"),
                OutputProps {
                    value: q.ref_().into(),
                    ..Default::default()
                },
            )?;
            Parameter::new(&mut app, s, &format!("P{i}"), ParameterProps::default())?;
        }
        Ok(app)
    }),
    ("template_over_one_megabyte", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let big = "x".repeat(4000);
        for i in 0..260 {
            app.add_resource(
                s,
                &format!("P{i}"),
                raw(
                    "AWS::SSM::Parameter",
                    json!({"Type": "String", "Value": big}),
                ),
            )?;
        }
        Ok(app)
    }),
    (
        "string_expr_in_a_token_is_fine_but_bad_sibling_is_not",
        || {
            let mut app = App::new();
            let s = stack(&mut app)?;
            let q = app.add_resource(s, "Queue", raw("AWS::SQS::Queue", json!({})))?;
            app.add_resource(
                s,
                "Repo",
                CfnRepository {
                    repository_name: Some(Expr::Token(q.get_att("QueueName").into())),
                    image_tag_mutability: None,
                    ..Default::default()
                },
            )?;
            app.add_property_override(app.find("Bad/Repo").expect("repo"), "EmptyOnDelete", "yes")?;
            Ok(app)
        },
    ),
    // --- Service Connect
    ("service_connect_unknown_port_mapping", || {
        service_connect(
            vec![
                ecs::PortMapping::tcp(8080).named("web"),
                ecs::PortMapping::tcp(9090),
            ],
            true,
            ecs::ServiceConnectProps {
                services: vec![ecs::ServiceConnectService::new("http")],
                ..Default::default()
            },
        )
    }),
    ("service_connect_without_a_namespace", || {
        service_connect(
            vec![ecs::PortMapping::tcp(8080).named("http")],
            false,
            ecs::ServiceConnectProps {
                services: vec![ecs::ServiceConnectService::new("http")],
                ..Default::default()
            },
        )
    }),
    ("service_connect_duplicate_discovery_names", || {
        service_connect(
            vec![
                ecs::PortMapping::tcp(8080).named("http"),
                ecs::PortMapping::tcp(9090).named("api"),
            ],
            true,
            ecs::ServiceConnectProps {
                services: vec![
                    ecs::ServiceConnectService::new("api"),
                    ecs::ServiceConnectService {
                        discovery_name: Some("api".into()),
                        ..ecs::ServiceConnectService::new("http")
                    },
                ],
                ..Default::default()
            },
        )
    }),
    ("service_connect_client_alias_port_zero", || {
        service_connect(
            vec![ecs::PortMapping::tcp(8080).named("http")],
            true,
            ecs::ServiceConnectProps {
                services: vec![ecs::ServiceConnectService {
                    client_alias: Some(ecs::ServiceConnectClientAlias {
                        port: 0,
                        dns_name: None,
                    }),
                    ..ecs::ServiceConnectService::new("http")
                }],
                ..Default::default()
            },
        )
    }),
    ("service_connect_enabled_twice", || {
        let (mut app, service) = service_connect_service(
            vec![ecs::PortMapping::tcp(8080).named("http")],
            true,
            ecs::ServiceConnectProps::default(),
        )?;
        service.enable_service_connect(&mut app, ecs::ServiceConnectProps::default())?;
        Ok(app)
    }),
    // --- patterns
    ("alb_pattern_domain_name_without_a_zone", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let mut props = patterns::ApplicationLoadBalancedFargateServiceProps::new(
            ecs::ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest"),
        );
        props.load_balancer.domain_name = Some("api.example.com".into());
        patterns::ApplicationLoadBalancedFargateService::new(&mut app, s, "Api", props)?;
        Ok(app)
    }),
    // --- deployment strategies, lifecycle hooks, alarms
    ("pause_hook_at_test_traffic_shift", || {
        deploying_alb_pattern(|p| {
            p.deployment_strategy(ecs::DeploymentStrategy::canary(10, 5))
                .lifecycle_hooks([ecs::LifecycleHook::pause([
                    ecs::LifecycleStage::TestTrafficShift,
                ])])
        })
    }),
    ("pause_hook_at_production_traffic_shift", || {
        deploying_alb_pattern(|p| {
            p.deployment_strategy(ecs::DeploymentStrategy::blue_green())
                .lifecycle_hooks([
                    ecs::LifecycleHook::pause([ecs::LifecycleStage::PostScaleUp]),
                    ecs::LifecycleHook::pause([
                        ecs::LifecycleStage::PreScaleUp,
                        ecs::LifecycleStage::ProductionTrafficShift,
                    ]),
                ])
        })
    }),
    ("canary_percent_out_of_range", || {
        deploying_alb_pattern(|p| p.deployment_strategy(ecs::DeploymentStrategy::canary(150, 5)))
    }),
    ("canary_percent_finer_than_a_tenth", || {
        deploying_alb_pattern(|p| p.deployment_strategy(ecs::DeploymentStrategy::canary(2.55, 5)))
    }),
    ("linear_step_percent_out_of_range", || {
        deploying_alb_pattern(|p| p.deployment_strategy(ecs::DeploymentStrategy::linear(2, 5)))
    }),
    ("linear_deployment_longer_than_cloudformation_waits", || {
        deploying_alb_pattern(|p| p.deployment_strategy(ecs::DeploymentStrategy::linear(3, 120)))
    }),
    ("bake_time_out_of_range", || {
        deploying_service(|p| {
            p.deployment_strategy(ecs::DeploymentStrategy::blue_green().bake_time_minutes(1441))
        })
    }),
    ("canary_bake_time_out_of_range", || {
        deploying_alb_pattern(|p| p.deployment_strategy(ecs::DeploymentStrategy::canary(10, 2000)))
    }),
    ("strategy_with_an_external_controller", || {
        deploying_service(|p| {
            p.deployment_strategy(ecs::DeploymentStrategy::canary(10, 5))
                .deployment_controller(ecs::DeploymentController::External)
                .circuit_breaker(None)
        })
    }),
    ("canary_without_a_load_balancer", || {
        deploying_service(|p| p.deployment_strategy(ecs::DeploymentStrategy::canary(10, 5)))
    }),
    (
        "blue_green_load_balancer_without_an_alternate_target",
        || {
            let (mut app, s, vpc, service) =
                service_in_vpc(vec![ecs::PortMapping::tcp(80)], |p| {
                    p.deployment_strategy(ecs::DeploymentStrategy::blue_green())
                })?;
            let lb = elbv2::ApplicationLoadBalancer::new(
                &mut app,
                s,
                "LB",
                &vpc,
                elbv2::ApplicationLoadBalancerProps::default(),
            )?;
            let listener =
                lb.add_listener(&mut app, "Listener", elbv2::ListenerProps::default())?;
            let target = elbv2::EcsServiceTarget::new(service, "web", 80);
            listener.add_targets(
                &mut app,
                "ECS",
                elbv2::AddTargetsProps {
                    targets: vec![&target],
                    ..Default::default()
                },
            )?;
            Ok(app)
        },
    ),
    ("lifecycle_hook_with_a_rolling_strategy", || {
        deploying_service(|p| {
            p.lifecycle_hooks([ecs::LifecycleHook::pause([ecs::LifecycleStage::PreScaleUp])])
        })
    }),
    ("lifecycle_hook_timeout_out_of_range", || {
        deploying_service(|p| {
            p.deployment_strategy(ecs::DeploymentStrategy::blue_green())
                .lifecycle_hooks([
                    ecs::LifecycleHook::pause([ecs::LifecycleStage::PreScaleUp]).timeout_minutes(0)
                ])
        })
    }),
    ("lifecycle_hook_without_stages", || {
        deploying_service(|p| {
            p.deployment_strategy(ecs::DeploymentStrategy::blue_green())
                .lifecycle_hooks([ecs::LifecycleHook::lambda(
                    "Check",
                    "arn:aws:lambda:us-east-1:123456789012:function:check",
                    [],
                )])
        })
    }),
    ("deployment_alarms_without_names", || {
        deploying_service(|p| p.deployment_alarms(ecs::DeploymentAlarms::new(Vec::<String>::new())))
    }),
    ("test_port_without_a_blue_green_strategy", || {
        deploying_alb_pattern(|p| p.test_port(9000))
    }),
    ("test_port_equal_to_the_listener_port", || {
        deploying_alb_pattern(|p| {
            p.deployment_strategy(ecs::DeploymentStrategy::blue_green())
                .test_port(80)
        })
    }),
];

#[test]
fn every_bad_program_gives_its_snapshotted_error() {
    assert!(CASES.len() >= 30, "the corpus has {} cases", CASES.len());
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let mut names = std::collections::HashSet::new();
    settings.bind(|| {
        for (name, case) in CASES {
            assert!(names.insert(*name), "duplicate case name {name}");
            let result = std::panic::catch_unwind(|| match case() {
                Err(e) => Some(e.to_string()),
                Ok(mut app) => app.synth().err().map(|e| e.to_string()),
            });
            let message = match result {
                Ok(Some(m)) => m,
                Ok(None) => panic!("case {name}: the program synthesized without error"),
                Err(_) => panic!("case {name}: synth panicked"),
            };
            insta::assert_snapshot!(format!("bad_input__{name}"), message);
        }
    });
}
