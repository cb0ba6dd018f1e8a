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

/// A scheduled Fargate task `Bad/Nightly` on `schedule`.
fn scheduled(schedule: impl Into<events::Schedule>) -> Result<App, ConstructError> {
    let mut app = App::new();
    let s = stack(&mut app)?;
    let cluster = ecs::Cluster::new(&mut app, s, "Cluster", ecs::ClusterProps::default())?;
    patterns::ScheduledFargateTask::new(
        &mut app,
        s,
        "Nightly",
        patterns::ScheduledFargateTaskProps::new(
            cluster,
            schedule,
            ecs::ContainerImage::from_registry("busybox"),
        ),
    )?;
    Ok(app)
}

/// A cluster and a task definition with one container, for schedules.
fn job_task() -> Result<(App, Stack, ecs::Cluster, ecs::FargateTaskDefinition), ConstructError> {
    let mut app = App::new();
    let s = stack(&mut app)?;
    let cluster = ecs::Cluster::new(&mut app, s, "Cluster", ecs::ClusterProps::default())?;
    let task = ecs::FargateTaskDefinition::new(
        &mut app,
        s,
        "Job",
        ecs::FargateTaskDefinitionProps::default(),
    )?;
    task.add_container(
        &mut app,
        "job",
        ecs::ContainerDefinitionOptions::new(ecs::ContainerImage::from_registry("busybox")),
    )?;
    Ok((app, s, cluster, task))
}

/// An application load balancer `Bad/LB` in a new VPC.
fn alb() -> Result<(App, elbv2::ApplicationLoadBalancer), ConstructError> {
    let mut app = App::new();
    let s = stack(&mut app)?;
    let vpc = ec2::Vpc::new(&mut app, s, "Vpc", ec2::VpcProps::default())?;
    let lb = elbv2::ApplicationLoadBalancer::new(
        &mut app,
        s,
        "LB",
        &vpc,
        elbv2::ApplicationLoadBalancerProps::default(),
    )?;
    Ok((app, lb))
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

/// A Managed Instances task definition `Bad/Task` with one nginx container.
fn managed_instances_task(
    app: &mut App,
    s: Stack,
    platform: Option<ecs::RuntimePlatform>,
) -> Result<ecs::ManagedInstancesTaskDefinition, ConstructError> {
    let props = ecs::ManagedInstancesTaskDefinitionProps::default().runtime_platform(platform);
    let task = ecs::ManagedInstancesTaskDefinition::new(app, s, "Task", props)?;
    let image = ecs::ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
    task.add_container(app, "api", ecs::ContainerDefinitionOptions::new(image))?;
    Ok(task)
}

/// A Fargate service `Bad/Db` whose task has the volume `data` configured at launch,
/// mounted by its container; `configure` then configures (or not) the service.
fn ebs_service(
    configure: impl FnOnce(&mut App, ecs::FargateService) -> Result<(), ConstructError>,
) -> Result<(App, ecs::FargateService), ConstructError> {
    let mut app = App::new();
    let s = stack(&mut app)?;
    let cluster = ecs::Cluster::new(&mut app, s, "Cluster", ecs::ClusterProps::default())?;
    let props = ecs::FargateTaskDefinitionProps::default()
        .volumes([ecs::Volume::configured_at_launch("data")]);
    let task = ecs::FargateTaskDefinition::new(&mut app, s, "DbTask", props)?;
    let image = ecs::ContainerImage::from_registry("public.ecr.aws/docker/library/postgres:17");
    let db = task.add_container(&mut app, "db", ecs::ContainerDefinitionOptions::new(image))?;
    db.add_mount_points(
        &mut app,
        [ecs::MountPoint::new("data", "/var/lib/postgresql/data")],
    )?;
    let service = ecs::FargateService::new(
        &mut app,
        s,
        "Db",
        ecs::FargateServiceProps::new(cluster, task),
    )?;
    configure(&mut app, service)?;
    Ok((app, service))
}

/// A daemon task definition `Bad/AgentTask` with a CloudWatch agent container.
fn daemon_task(app: &mut App, s: Stack) -> Result<ecs::DaemonTaskDefinition, ConstructError> {
    let props = ecs::DaemonTaskDefinitionProps::default().memory_mib(256);
    let task = ecs::DaemonTaskDefinition::new(app, s, "AgentTask", props)?;
    let image = ecs::ContainerImage::from_registry(
        "public.ecr.aws/cloudwatch-agent/cloudwatch-agent:latest",
    );
    task.add_container(app, "agent", ecs::ContainerDefinitionOptions::new(image))?;
    Ok(task)
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
    // --- schedules, log routing, storage, secrets, load balancer checks (issue 20, part B)
    ("schedule_cron_with_five_fields", || {
        scheduled("cron(0 2 * * *)")
    }),
    ("schedule_cron_hour_25", || scheduled("cron(0 25 * * ? *)")),
    ("schedule_cron_day_of_month_and_day_of_week", || {
        scheduled("cron(0 2 1 * MON *)")
    }),
    ("schedule_rate_one_with_plural_unit", || {
        scheduled("rate(1 minutes)")
    }),
    ("schedule_rate_below_a_minute", || {
        scheduled(events::Schedule::rate(std::time::Duration::from_secs(30)))
    }),
    ("scheduler_time_zone_on_a_rate", || {
        let (mut app, s, cluster, task) = job_task()?;
        scheduler::Schedule::new(
            &mut app,
            s,
            "Hourly",
            scheduler::ScheduleProps::new(
                "rate(1 hour)",
                scheduler::EcsRunTask::new(cluster, task),
            )
            .time_zone("Europe/Paris"),
        )?;
        Ok(app)
    }),
    ("scheduled_task_on_spot_without_fargate_providers", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let cluster = ecs::Cluster::new(&mut app, s, "Cluster", ecs::ClusterProps::default())?;
        patterns::ScheduledFargateTask::new(
            &mut app,
            s,
            "Nightly",
            patterns::ScheduledFargateTaskProps::new(
                cluster,
                "cron(0 2 * * ? *)",
                ecs::ContainerImage::from_registry("busybox"),
            )
            .capacity_provider_strategies([ecs::CapacityProviderStrategy::fargate_spot(1)]),
        )?;
        Ok(app)
    }),
    ("health_check_path_without_slash", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let vpc = ec2::Vpc::new(&mut app, s, "Vpc", ec2::VpcProps::default())?;
        elbv2::TargetGroup::new(
            &mut app,
            s,
            "Tg",
            &vpc,
            elbv2::TargetGroupProps::default().health_check(elbv2::HealthCheck::path("healthz")),
        )?;
        Ok(app)
    }),
    ("health_check_http_code_out_of_range", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let vpc = ec2::Vpc::new(&mut app, s, "Vpc", ec2::VpcProps::default())?;
        elbv2::TargetGroup::new(
            &mut app,
            s,
            "Tg",
            &vpc,
            elbv2::TargetGroupProps::default()
                .health_check(elbv2::HealthCheck::path("/health").healthy_http_codes("200-600")),
        )?;
        Ok(app)
    }),
    ("alb_http_listener_on_443", || {
        let (mut app, lb) = alb()?;
        lb.add_listener(&mut app, "Web", elbv2::ListenerProps::default().port(443))?;
        Ok(app)
    }),
    ("alb_https_listener_on_80", || {
        let (mut app, lb) = alb()?;
        let cert = elbv2::ListenerCertificate::from_arn(
            "arn:aws:acm:us-east-1:123456789012:certificate/abc",
        );
        lb.add_listener(
            &mut app,
            "Web",
            elbv2::ListenerProps::default()
                .port(80)
                .certificates([cert]),
        )?;
        Ok(app)
    }),
    ("nlb_health_check_http_code_out_of_range", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let vpc = ec2::Vpc::new(&mut app, s, "Vpc", ec2::VpcProps::default())?;
        let check = elbv2::HealthCheck::path("/health").healthy_http_codes("200-600");
        elbv2::TargetGroup::new(
            &mut app,
            s,
            "Tg",
            &vpc,
            elbv2::TargetGroupProps::default()
                .protocol(elbv2::Protocol::Tcp)
                .health_check(check),
        )?;
        Ok(app)
    }),
    ("alb_two_listeners_on_one_port", || {
        let (mut app, lb) = alb()?;
        lb.add_listener(&mut app, "Web", elbv2::ListenerProps::default())?;
        lb.add_listener(&mut app, "Admin", elbv2::ListenerProps::default().port(80))?;
        Ok(app)
    }),
    ("fargate_container_with_an_ec2_log_driver", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let task = ecs::FargateTaskDefinition::new(
            &mut app,
            s,
            "Task",
            ecs::FargateTaskDefinitionProps::default(),
        )?;
        task.add_container(
            &mut app,
            "web",
            ecs::ContainerDefinitionOptions::new(ecs::ContainerImage::from_registry("nginx"))
                .logging(ecs::LogDriver::syslog(ecs::SyslogLogDriverProps::default())),
        )?;
        Ok(app)
    }),
    ("firelens_router_after_the_default_one", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let task = ecs::FargateTaskDefinition::new(
            &mut app,
            s,
            "Task",
            ecs::FargateTaskDefinitionProps::default(),
        )?;
        task.add_container(
            &mut app,
            "web",
            ecs::ContainerDefinitionOptions::new(ecs::ContainerImage::from_registry("nginx"))
                .logging(ecs::FireLensLogDriverProps::cloudwatch_logs("web/")),
        )?;
        task.add_firelens_log_router(
            &mut app,
            "log_router",
            ecs::FirelensLogRouterOptions::default(),
        )?;
        Ok(app)
    }),
    ("access_logs_in_an_environment_agnostic_stack", || {
        let (mut app, lb) = alb()?;
        let s = Stack::of(&app, lb).expect("in a stack");
        let logs = s3::Bucket::new(&mut app, s, "Logs", s3::BucketProps::default())?;
        lb.log_access_logs(&mut app, &logs, "web")?;
        Ok(app)
    }),
    ("access_logs_to_a_kms_bucket", || {
        let mut app = App::new();
        let env = Environment {
            account: None,
            region: Some("us-east-1".into()),
        };
        let s = Stack::new(&mut app, "Bad", StackProps::default().env(env))?;
        let vpc = ec2::Vpc::new(&mut app, s, "Vpc", ec2::VpcProps::default())?;
        let lb = elbv2::ApplicationLoadBalancer::new(
            &mut app,
            s,
            "LB",
            &vpc,
            elbv2::ApplicationLoadBalancerProps::default(),
        )?;
        let logs = s3::Bucket::new(
            &mut app,
            s,
            "Logs",
            s3::BucketProps::default().encryption(s3::BucketEncryption::KmsManaged),
        )?;
        lb.log_access_logs(&mut app, &logs, "web")?;
        Ok(app)
    }),
    ("bucket_name_with_upper_case", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        s3::Bucket::new(
            &mut app,
            s,
            "Files",
            s3::BucketProps::default().bucket_name("Team-Files"),
        )?;
        Ok(app)
    }),
    ("bucket_policy_statement_without_a_principal", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let b = s3::Bucket::new(&mut app, s, "Files", s3::BucketProps::default())?;
        b.add_to_resource_policy(
            &mut app,
            iam::PolicyStatement::allow()
                .action("s3:GetObject")
                .resource(b.arn_for_objects("*")),
        )?;
        Ok(app)
    }),
    ("ssm_parameter_name_reserved_prefix", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        ssm::StringParameter::new(
            &mut app,
            s,
            "Flags",
            ssm::StringParameterProps::new("on").parameter_name("/aws/flags"),
        )?;
        Ok(app)
    }),
    ("secret_template_not_json", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        secretsmanager::Secret::new(
            &mut app,
            s,
            "Db",
            secretsmanager::SecretProps::default().generate_secret_string(
                secretsmanager::SecretStringGenerator::json("username=app", "password"),
            ),
        )?;
        Ok(app)
    }),
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
    // --- storage, queues, keys, metrics and alarms, notifications (issue 20)
    ("kms_alias_reserved_for_aws", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        kms::Key::new(&mut app, s, "Key", kms::KeyProps::default().alias("aws/s3"))?;
        Ok(app)
    }),
    ("kms_rotation_period_out_of_range", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let props = kms::KeyProps::default().rotation_period_days(3000);
        kms::Key::new(&mut app, s, "Key", props)?;
        Ok(app)
    }),
    ("kms_key_policy_statement_without_principal", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let key = kms::Key::new(&mut app, s, "Key", kms::KeyProps::default())?;
        let st = iam::PolicyStatement::allow()
            .action("kms:Decrypt")
            .resource("*");
        key.add_to_resource_policy(&mut app, st)?;
        Ok(app)
    }),
    ("sqs_fifo_name_without_suffix", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let props = sqs::QueueProps::default().fifo(true).queue_name("orders");
        sqs::Queue::new(&mut app, s, "Orders", props)?;
        Ok(app)
    }),
    ("sqs_visibility_timeout_out_of_range", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let props = sqs::QueueProps::default().visibility_timeout_secs(86_400);
        sqs::Queue::new(&mut app, s, "Jobs", props)?;
        Ok(app)
    }),
    ("sqs_dead_letter_queue_of_another_kind", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let dlq = sqs::Queue::new(&mut app, s, "Dlq", sqs::QueueProps::default())?;
        let props = sqs::QueueProps::default()
            .queue_name("jobs.fifo")
            .dead_letter_queue(sqs::DeadLetterQueue::new(dlq, 3));
        sqs::Queue::new(&mut app, s, "Jobs", props)?;
        Ok(app)
    }),
    ("sqs_max_receive_count_zero", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let dlq = sqs::Queue::new(&mut app, s, "Dlq", sqs::QueueProps::default())?;
        let props = sqs::QueueProps::default().dead_letter_queue(sqs::DeadLetterQueue::new(dlq, 0));
        sqs::Queue::new(&mut app, s, "Jobs", props)?;
        Ok(app)
    }),
    ("sns_email_subscription_not_an_address", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let topic = sns::Topic::new(&mut app, s, "Alarms", sns::TopicProps::default())?;
        topic.add_email_subscription(&mut app, "oncall at example.com")?;
        Ok(app)
    }),
    ("cloudwatch_alarm_datapoints_over_periods", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let m = cloudwatch::Metric::new("AWS/ECS", "CPUUtilization");
        let o = cloudwatch::CreateAlarmOptions::new(80.0, 2).datapoints_to_alarm(5);
        m.create_alarm(&mut app, s, "Cpu", o)?;
        Ok(app)
    }),
    ("cloudwatch_metric_period_not_allowed", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let m = cloudwatch::Metric::new("AWS/ECS", "CPUUtilization").period_seconds(45);
        m.create_alarm(
            &mut app,
            s,
            "Cpu",
            cloudwatch::CreateAlarmOptions::new(80.0, 1),
        )?;
        Ok(app)
    }),
    ("cloudwatch_widget_wider_than_the_grid", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let d = cloudwatch::Dashboard::new(&mut app, s, "Board", Default::default())?;
        let w = cloudwatch::GraphWidget::new("CPU").width(25);
        d.add_widgets(&mut app, [w.into()])?;
        Ok(app)
    }),
    ("efs_provisioned_without_throughput", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let vpc = ec2::Vpc::new(&mut app, s, "Vpc", ec2::VpcProps::default())?;
        let props =
            efs::FileSystemProps::new(vpc).throughput_mode(efs::ThroughputMode::Provisioned);
        efs::FileSystem::new(&mut app, s, "Shared", props)?;
        Ok(app)
    }),
    ("efs_access_point_relative_path", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let vpc = ec2::Vpc::new(&mut app, s, "Vpc", ec2::VpcProps::default())?;
        let fs = efs::FileSystem::new(&mut app, s, "Shared", efs::FileSystemProps::new(vpc))?;
        fs.add_access_point(
            &mut app,
            "Uploads",
            efs::AccessPointOptions::default().path("uploads"),
        )?;
        Ok(app)
    }),
    ("efs_volume_iam_without_transit_encryption", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let task = ecs::FargateTaskDefinition::new(&mut app, s, "Task", Default::default())?;
        let config = ecs::EfsVolumeConfiguration::new("fs-0123456789abcdef0").iam(true);
        task.add_volume(&mut app, ecs::Volume::efs("data", config))?;
        Ok(app)
    }),
    (
        "efs_volume_without_iam_on_a_file_system_that_denies_anonymous_access",
        || {
            let mut app = App::new();
            let s = stack(&mut app)?;
            let vpc = ec2::Vpc::new(&mut app, s, "Vpc", ec2::VpcProps::default())?;
            let fs = efs::FileSystem::new(&mut app, s, "Shared", efs::FileSystemProps::new(vpc))?;
            let task = ecs::FargateTaskDefinition::new(&mut app, s, "Task", Default::default())?;
            let config = ecs::EfsVolumeConfiguration::from(fs).iam(false);
            task.add_volume(&mut app, ecs::Volume::efs("data", config))?;
            Ok(app)
        },
    ),
    ("ecs_mount_point_relative_container_path", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let task = ecs::FargateTaskDefinition::new(&mut app, s, "Task", Default::default())?;
        let image = ecs::ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
        let c = task.add_container(&mut app, "web", ecs::ContainerDefinitionOptions::new(image))?;
        c.add_mount_points(&mut app, [ecs::MountPoint::new("cache", "var/cache")])?;
        Ok(app)
    }),
    ("elbv2_target_group_metric_without_load_balancer", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let vpc = ec2::Vpc::new(&mut app, s, "Vpc", ec2::VpcProps::default())?;
        let props = elbv2::TargetGroupProps::default().port(80);
        let tg = elbv2::TargetGroup::new(&mut app, s, "Tg", &vpc, props)?;
        tg.metric_target_response_time(&app)?;
        Ok(app)
    }),
    // --- ECS capacity and service kinds of 2025-2026 (issue 24)
    ("managed_instances_task_in_bridge_mode", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let props = ecs::ManagedInstancesTaskDefinitionProps::default()
            .network_mode(ecs::NetworkMode::Bridge);
        ecs::ManagedInstancesTaskDefinition::new(&mut app, s, "Task", props)?;
        Ok(app)
    }),
    ("managed_instances_vcpu_max_below_min", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let cluster = ecs::Cluster::new(&mut app, s, "Cluster", ecs::ClusterProps::default())?;
        let req = ecs::InstanceRequirements::new(4, 8192).vcpu_max(2);
        let props =
            ecs::ManagedInstancesCapacityProviderProps::default().instance_requirements(req);
        cluster.add_managed_instances_capacity_provider(&mut app, "Capacity", props)?;
        Ok(app)
    }),
    ("managed_instances_allowed_and_excluded_types", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let cluster = ecs::Cluster::new(&mut app, s, "Cluster", ecs::ClusterProps::default())?;
        let req = ecs::InstanceRequirements::new(2, 4096)
            .allowed_instance_types(["m7g.*"])
            .excluded_instance_types(["t4g.*"]);
        let props =
            ecs::ManagedInstancesCapacityProviderProps::default().instance_requirements(req);
        cluster.add_managed_instances_capacity_provider(&mut app, "Capacity", props)?;
        Ok(app)
    }),
    ("managed_instances_provider_name_reserved", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let cluster = ecs::Cluster::new(&mut app, s, "Cluster", ecs::ClusterProps::default())?;
        let props = ecs::ManagedInstancesCapacityProviderProps::default()
            .capacity_provider_name("ecs-hosts");
        cluster.add_managed_instances_capacity_provider(&mut app, "Capacity", props)?;
        Ok(app)
    }),
    ("managed_instances_service_without_provider", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let cluster = ecs::Cluster::new(&mut app, s, "Cluster", ecs::ClusterProps::default())?;
        let task = managed_instances_task(&mut app, s, None)?;
        ecs::ManagedInstancesService::new(
            &mut app,
            s,
            "Api",
            ecs::ManagedInstancesServiceProps::new(cluster, task),
        )?;
        Ok(app)
    }),
    ("managed_instances_provider_in_a_fargate_service", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let cluster = ecs::Cluster::new(&mut app, s, "Cluster", ecs::ClusterProps::default())?;
        let capacity = cluster.add_managed_instances_capacity_provider(
            &mut app,
            "Capacity",
            ecs::ManagedInstancesCapacityProviderProps::default(),
        )?;
        let task = ecs::FargateTaskDefinition::new(
            &mut app,
            s,
            "Task",
            ecs::FargateTaskDefinitionProps::default(),
        )?;
        let image = ecs::ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
        task.add_container(&mut app, "web", ecs::ContainerDefinitionOptions::new(image))?;
        let props = ecs::FargateServiceProps::new(cluster, task)
            .capacity_provider_strategies([capacity.strategy(1)]);
        ecs::FargateService::new(&mut app, s, "Web", props)?;
        Ok(app)
    }),
    ("managed_instances_provider_in_the_default_strategy", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let cluster = ecs::Cluster::new(&mut app, s, "Cluster", ecs::ClusterProps::default())?;
        let capacity = cluster.add_managed_instances_capacity_provider(
            &mut app,
            "Capacity",
            ecs::ManagedInstancesCapacityProviderProps::default(),
        )?;
        cluster.set_default_capacity_provider_strategy(&mut app, vec![capacity.strategy(1)])?;
        Ok(app)
    }),
    ("managed_instances_arm64_task_on_x86_instances", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let cluster = ecs::Cluster::new(&mut app, s, "Cluster", ecs::ClusterProps::default())?;
        let req = ecs::InstanceRequirements::new(2, 4096)
            .cpu_architectures([ecs::CpuArchitecture::X86_64]);
        cluster.add_managed_instances_capacity_provider(
            &mut app,
            "Capacity",
            ecs::ManagedInstancesCapacityProviderProps::default().instance_requirements(req),
        )?;
        let task = managed_instances_task(&mut app, s, Some(ecs::RuntimePlatform::linux_arm64()))?;
        ecs::ManagedInstancesService::new(
            &mut app,
            s,
            "Api",
            ecs::ManagedInstancesServiceProps::new(cluster, task),
        )?;
        Ok(app)
    }),
    ("ebs_volume_configured_at_launch_not_configured", || {
        let (app, _) = ebs_service(|_, _| Ok(()))?;
        Ok(app)
    }),
    ("ebs_volume_iops_out_of_range", || {
        let (app, _) = ebs_service(|app, service| {
            service.add_volume(
                app,
                ecs::ServiceManagedEbsVolume::new("data")
                    .size_gib(100)
                    .iops(90_000),
            )
        })?;
        Ok(app)
    }),
    ("ebs_volume_throughput_on_io2", || {
        let (app, _) = ebs_service(|app, service| {
            service.add_volume(
                app,
                ecs::ServiceManagedEbsVolume::new("data")
                    .size_gib(100)
                    .volume_type(ecs::EbsVolumeType::Io2)
                    .iops(4000)
                    .throughput_mibps(500),
            )
        })?;
        Ok(app)
    }),
    ("ebs_volume_size_out_of_range_for_st1", || {
        let (app, _) = ebs_service(|app, service| {
            service.add_volume(
                app,
                ecs::ServiceManagedEbsVolume::new("data")
                    .size_gib(20)
                    .volume_type(ecs::EbsVolumeType::St1),
            )
        })?;
        Ok(app)
    }),
    ("ebs_volume_without_size_or_snapshot", || {
        let (app, _) = ebs_service(|app, service| {
            service.add_volume(app, ecs::ServiceManagedEbsVolume::new("data"))
        })?;
        Ok(app)
    }),
    ("ebs_volume_of_another_name", || {
        let (app, _) = ebs_service(|app, service| {
            service.add_volume(
                app,
                ecs::ServiceManagedEbsVolume::new("scratch").size_gib(10),
            )
        })?;
        Ok(app)
    }),
    ("two_volumes_configured_at_launch", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let props = ecs::FargateTaskDefinitionProps::default().volumes([
            ecs::Volume::configured_at_launch("data"),
            ecs::Volume::configured_at_launch("logs"),
        ]);
        ecs::FargateTaskDefinition::new(&mut app, s, "Task", props)?;
        Ok(app)
    }),
    ("express_health_check_path_without_slash", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let image = ecs::ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
        let props = ecs::ExpressServiceProps::new(image).health_check_path("health");
        ecs::ExpressService::new(&mut app, s, "Web", props)?;
        Ok(app)
    }),
    ("express_scaling_max_below_min", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let image = ecs::ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
        let props = ecs::ExpressServiceProps::new(image).scaling(ecs::ExpressScaling::new(4, 2));
        ecs::ExpressService::new(&mut app, s, "Web", props)?;
        Ok(app)
    }),
    ("express_cpu_target_over_100_percent", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let image = ecs::ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
        let props = ecs::ExpressServiceProps::new(image)
            .scaling(ecs::ExpressScaling::new(1, 4).target_value(150));
        ecs::ExpressService::new(&mut app, s, "Web", props)?;
        Ok(app)
    }),
    ("express_subnets_without_cluster", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let image = ecs::ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
        let props = ecs::ExpressServiceProps::new(image).vpc_subnets(
            ec2::SubnetSelection::default().subnet_type(ec2::SubnetType::PrivateWithEgress),
        );
        ecs::ExpressService::new(&mut app, s, "Web", props)?;
        Ok(app)
    }),
    ("express_eject_checks_like_new", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let image = ecs::ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
        let props = ecs::ExpressServiceProps::new(image).container_port(0);
        props.eject(&mut app, s, "Web")?;
        Ok(app)
    }),
    ("daemon_without_managed_instances", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let cluster = ecs::Cluster::new(&mut app, s, "Cluster", ecs::ClusterProps::default())?;
        let task = daemon_task(&mut app, s)?;
        ecs::Daemon::new(&mut app, s, "Agent", ecs::DaemonProps::new(cluster, task))?;
        Ok(app)
    }),
    ("daemon_container_with_ports", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let task = ecs::DaemonTaskDefinition::new(
            &mut app,
            s,
            "AgentTask",
            ecs::DaemonTaskDefinitionProps::default().memory_mib(256),
        )?;
        let image = ecs::ContainerImage::from_registry(
            "public.ecr.aws/cloudwatch-agent/cloudwatch-agent:latest",
        );
        task.add_container(
            &mut app,
            "agent",
            ecs::ContainerDefinitionOptions::new(image)
                .port_mappings([ecs::PortMapping::tcp(25888)]),
        )?;
        Ok(app)
    }),
    ("daemon_efs_volume", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let props = ecs::DaemonTaskDefinitionProps::default().volumes([ecs::Volume::efs(
            "shared",
            ecs::EfsVolumeConfiguration::new("fs-0123456789abcdef0"),
        )]);
        ecs::DaemonTaskDefinition::new(&mut app, s, "AgentTask", props)?;
        Ok(app)
    }),
    ("daemon_container_without_memory", || {
        let mut app = App::new();
        let s = stack(&mut app)?;
        let cluster = ecs::Cluster::new(&mut app, s, "Cluster", ecs::ClusterProps::default())?;
        cluster.add_managed_instances_capacity_provider(
            &mut app,
            "Capacity",
            ecs::ManagedInstancesCapacityProviderProps::default(),
        )?;
        let task = ecs::DaemonTaskDefinition::new(
            &mut app,
            s,
            "AgentTask",
            ecs::DaemonTaskDefinitionProps::default(),
        )?;
        let image = ecs::ContainerImage::from_registry(
            "public.ecr.aws/cloudwatch-agent/cloudwatch-agent:latest",
        );
        task.add_container(
            &mut app,
            "agent",
            ecs::ContainerDefinitionOptions::new(image),
        )?;
        ecs::Daemon::new(&mut app, s, "Agent", ecs::DaemonProps::new(cluster, task))?;
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

/// Programs that synthesize, with a warning each (warnings do not fail synth).
const WARNING_CASES: &[(&str, Case)] = &[("efs_volume_mounted_by_no_container", || {
    let mut app = App::new();
    let s = stack(&mut app)?;
    let vpc = ec2::Vpc::new(&mut app, s, "Vpc", ec2::VpcProps::default())?;
    let fs = efs::FileSystem::new(&mut app, s, "Shared", efs::FileSystemProps::new(vpc))?;
    let props = ecs::FargateTaskDefinitionProps::default().volumes([ecs::Volume::efs("data", fs)]);
    let task = ecs::FargateTaskDefinition::new(&mut app, s, "Task", props)?;
    let image = ecs::ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
    task.add_container(&mut app, "web", ecs::ContainerDefinitionOptions::new(image))?;
    Ok(app)
})];

#[test]
fn every_warning_program_gives_its_snapshotted_warning() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (name, case) in WARNING_CASES {
            let mut app = case().unwrap_or_else(|e| panic!("case {name}: {e}"));
            let out = app
                .synth()
                .unwrap_or_else(|e| panic!("case {name}: a warning must not fail synth: {e}"));
            let warnings: Vec<String> = out.diagnostics.iter().map(|d| d.to_string()).collect();
            assert!(!warnings.is_empty(), "case {name}: no warning");
            insta::assert_snapshot!(format!("bad_input__warning_{name}"), warnings.join("\n"));
        }
    });
}

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
