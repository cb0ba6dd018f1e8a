//! Schema validation cost: validating ~16,000 resources (1,000 copies of a realistic ECS
//! service stack built with the generated L1 types), and building every validator.
//!
//! Run with `cargo bench -p berth-cfn --bench validate`. Figures go in
//! `cfn/schemas/README.md`; nothing here asserts a time.

use berth_cfn::resource::{CfnProperties, ResourceRef};
use berth_cfn::schema;
use berth_cfn::value::{ElementId, Expr, Intrinsic, Pseudo, Target, Token, Value};
use berth_cfn::{
    applicationautoscaling as aas, cloudwatch, ec2, ecr, ecs, elbv2, iam, logs,
    servicediscovery as sd,
};

fn main() {
    divan::main();
}

/// Typed properties rendered as template JSON (see [`to_json`]).
fn rendered(p: &dyn CfnProperties) -> serde_json::Value {
    p.render(&mut |v: &Value| berth_assembly::json::Node::from(&to_json(v)))
        .to_serde()
}

/// Renders a value as template JSON, `E<n>` being the logical ID of element `n`.
fn to_json(v: &Value) -> serde_json::Value {
    use serde_json::json;
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => json!(i),
        Value::Float(f) => json!(f),
        Value::String(s) => json!(s),
        Value::List(l) => serde_json::Value::Array(l.iter().map(to_json).collect()),
        Value::Map(m) => {
            serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
        Value::Fn(i) => match i.as_ref() {
            Intrinsic::Ref(Target::Element(id)) => json!({"Ref": format!("E{}", id.0)}),
            Intrinsic::Ref(Target::Pseudo(p)) => json!({"Ref": p.name()}),
            Intrinsic::GetAtt(id, a) => json!({"Fn::GetAtt": [format!("E{}", id.0), a]}),
            Intrinsic::Join(sep, parts) => {
                json!({"Fn::Join": [sep, parts.iter().map(to_json).collect::<Vec<_>>()]})
            }
            other => json!({"Fn::Unsupported": format!("{other:?}")}),
        },
    }
}

fn s(v: &str) -> Option<Expr<String>> {
    Some(v.into())
}

fn policy(statements: serde_json::Value) -> Option<Expr<Value>> {
    Some(Expr::Lit(Value::from_json(&serde_json::json!({
        "Version": "2012-10-17",
        "Statement": statements
    }))))
}

/// One ECS service with what CDK creates around it: 16 resources.
fn service_stack(i: u32) -> Vec<Box<dyn CfnProperties>> {
    let base = 100 + i * 100;
    let id = |n: u32| ElementId(base + n);
    let vpc = ResourceRef::<ec2::CfnVpc>::new(ElementId(1));
    let cluster = ResourceRef::<ecs::CfnCluster>::new(ElementId(2));
    let listener = ResourceRef::<elbv2::CfnListener>::new(ElementId(3));
    let alb_sg = ResourceRef::<ec2::CfnSecurityGroup>::new(ElementId(4));
    let namespace = ResourceRef::<sd::CfnPrivateDnsNamespace>::new(ElementId(5));
    let subnets = || {
        Some(
            vec![
                Token::<String>::ref_to(ElementId(6)).into(),
                Token::<String>::ref_to(ElementId(7)).into(),
            ]
            .into(),
        )
    };
    let task_role = ResourceRef::<iam::CfnRole>::new(id(1));
    let exec_role = ResourceRef::<iam::CfnRole>::new(id(2));
    let log_group = ResourceRef::<logs::CfnLogGroup>::new(id(3));
    let task_def = ResourceRef::<ecs::CfnTaskDefinition>::new(id(4));
    let sg = ResourceRef::<ec2::CfnSecurityGroup>::new(id(5));
    let tg = ResourceRef::<elbv2::CfnTargetGroup>::new(id(6));
    let service = ResourceRef::<ecs::CfnService>::new(id(7));
    let target = ResourceRef::<aas::CfnScalableTarget>::new(id(8));
    let registry = ResourceRef::<sd::CfnService>::new(id(9));
    let repo = ResourceRef::<ecr::CfnRepository>::new(id(10));
    let name = format!("svc{i}");
    let assume = |service: &str| {
        policy(
            serde_json::json!([{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]),
        )
    };
    let tags = || {
        Some(
            vec![ecs::task_definition::Tag {
                key: s("app"),
                value: Some(name.clone().into()),
            }]
            .into(),
        )
    };
    use ecs::task_definition as td;
    vec![
        Box::new(iam::CfnRole { assume_role_policy_document: assume("ecs-tasks.amazonaws.com"), ..Default::default() }),
        Box::new(iam::CfnRole { assume_role_policy_document: assume("ecs-tasks.amazonaws.com"), ..Default::default() }),
        Box::new(logs::CfnLogGroup { retention_in_days: Some(30.into()), log_group_name: Some(format!("/ecs/{name}").into()), ..Default::default() }),
        Box::new(ecs::CfnTaskDefinition {
            container_definitions: Some(vec![td::ContainerDefinition {
                name: s("web"),
                image: Some(Expr::Token(Value::join("", [Value::from("123456789012.dkr.ecr.eu-west-1."), Pseudo::UrlSuffix.token().into(), Value::from("/web:latest")]))),
                essential: Some(true.into()),
                cpu: Some(256.into()),
                memory: Some(512.into()),
                port_mappings: Some(vec![td::PortMapping { container_port: Some(8080.into()), protocol: Some(td::Protocol::Tcp.into()), ..Default::default() }].into()),
                environment: Some(vec![
                    td::KeyValuePair { name: s("PORT"), value: s("8080") },
                    td::KeyValuePair { name: s("SERVICE"), value: Some(name.clone().into()) },
                ].into()),
                secrets: Some(vec![td::Secret { name: s("DB_PASSWORD"), value_from: Some(Token::<String>::ref_to(ElementId(8)).into()) }].into()),
                log_configuration: Some(td::LogConfiguration {
                    log_driver: s("awslogs"),
                    options: Some(Expr::Lit([
                        ("awslogs-group".to_owned(), log_group.ref_().into()),
                        ("awslogs-stream-prefix".to_owned(), Expr::from("web")),
                        ("awslogs-region".to_owned(), Pseudo::Region.token().into()),
                    ].into_iter().collect())),
                    ..Default::default()
                }.into()),
                health_check: Some(td::HealthCheck {
                    command: Some(vec![Expr::from("CMD-SHELL"), Expr::from("curl -f http://localhost:8080/ || exit 1")].into()),
                    interval: Some(30.into()),
                    retries: Some(3.into()),
                    ..Default::default()
                }.into()),
                ..Default::default()
            }].into()),
            cpu: s("512"),
            memory: s("1024"),
            family: Some(name.clone().into()),
            network_mode: Some(td::NetworkMode::Awsvpc.into()),
            requires_compatibilities: Some(vec![td::RequiresCompatibility::Fargate.into()].into()),
            execution_role_arn: Some(exec_role.attr_arn().into()),
            task_role_arn: Some(task_role.attr_arn().into()),
            tags: tags(),
            ..Default::default()
        }),
        Box::new(ec2::CfnSecurityGroup {
            group_description: s("service security group"),
            vpc_id: Some(vpc.ref_().into()),
            security_group_egress: Some(vec![ec2::security_group::Egress { cidr_ip: s("0.0.0.0/0"), ip_protocol: s("-1"), description: s("all outbound"), ..Default::default() }].into()),
            ..Default::default()
        }),
        Box::new(elbv2::CfnTargetGroup {
            port: Some(8080.into()),
            protocol: Some(elbv2::target_group::Protocol::Http.into()),
            target_type: Some(elbv2::target_group::TargetType::Ip.into()),
            vpc_id: Some(vpc.ref_().into()),
            health_check_path: s("/health"),
            health_check_interval_seconds: Some(15.into()),
            healthy_threshold_count: Some(2.into()),
            target_group_attributes: Some(vec![elbv2::target_group::TargetGroupAttribute { key: s("deregistration_delay.timeout_seconds"), value: s("30") }].into()),
            ..Default::default()
        }),
        Box::new(ecs::CfnService {
            cluster: Some(cluster.ref_().into()),
            task_definition: Some(task_def.ref_().into()),
            desired_count: Some(2.into()),
            launch_type: Some(ecs::service::LaunchType::Fargate.into()),
            health_check_grace_period_seconds: Some(60.into()),
            deployment_configuration: Some(ecs::service::DeploymentConfiguration {
                maximum_percent: Some(200.into()),
                minimum_healthy_percent: Some(50.into()),
                deployment_circuit_breaker: Some(ecs::service::DeploymentCircuitBreaker { enable: Some(true.into()), rollback: Some(true.into()), ..Default::default() }.into()),
                ..Default::default()
            }.into()),
            network_configuration: Some(ecs::service::NetworkConfiguration {
                awsvpc_configuration: Some(ecs::service::AwsVpcConfiguration {
                    assign_public_ip: Some(ecs::service::AssignPublicIp::Disabled.into()),
                    security_groups: Some(vec![sg.attr_group_id().into()].into()),
                    subnets: subnets(),
                }.into()),
            }.into()),
            load_balancers: Some(vec![ecs::service::LoadBalancer { container_name: s("web"), container_port: Some(8080.into()), target_group_arn: Some(tg.ref_().into()), ..Default::default() }].into()),
            service_registries: Some(vec![ecs::service::ServiceRegistry { registry_arn: Some(registry.attr_arn().into()), ..Default::default() }].into()),
            ..Default::default()
        }),
        Box::new(aas::CfnScalableTarget {
            max_capacity: Some(10.into()),
            min_capacity: Some(2.into()),
            resource_id: Some(Expr::Token(Value::join("/", [Value::from("service"), cluster.ref_().into(), service.attr_name().into()]))),
            scalable_dimension: Some(aas::scalable_target::ScalableDimension::EcsServiceDesiredCount.into()),
            service_namespace: Some(aas::scalable_target::ServiceNamespace::Ecs.into()),
            ..Default::default()
        }),
        Box::new(sd::CfnService {
            name: Some(name.clone().into()),
            namespace_id: Some(namespace.attr_id().into()),
            dns_config: Some(sd::service::DnsConfig {
                dns_records: Some(vec![sd::service::DnsRecord { ttl: Some(60.0.into()), type_: Some(sd::service::Type::A.into()) }].into()),
                routing_policy: Some(sd::service::RoutingPolicy::Multivalue.into()),
                ..Default::default()
            }.into()),
            health_check_custom_config: Some(sd::service::HealthCheckCustomConfig { failure_threshold: Some(1.0.into()) }.into()),
            ..Default::default()
        }),
        Box::new(ecr::CfnRepository {
            repository_name: Some(format!("apps/{name}").into()),
            image_scanning_configuration: Some(ecr::repository::ImageScanningConfiguration { scan_on_push: Some(true.into()) }.into()),
            ..Default::default()
        }),
        Box::new(iam::CfnPolicy {
            policy_name: s("ExecutionRoleDefaultPolicy"),
            roles: Some(vec![exec_role.ref_().into()].into()),
            policy_document: policy(serde_json::json!([
                {"Effect": "Allow", "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], "Resource": {"Fn::GetAtt": [format!("E{}", repo.id().0), "Arn"]}},
                {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
                {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": {"Fn::GetAtt": [format!("E{}", log_group.id().0), "Arn"]}}
            ])),
            ..Default::default()
        }),
        Box::new(iam::CfnPolicy {
            policy_name: s("TaskRoleDefaultPolicy"),
            roles: Some(vec![task_role.ref_().into()].into()),
            policy_document: policy(serde_json::json!([{"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": "*"}])),
            ..Default::default()
        }),
        Box::new(ec2::CfnSecurityGroupIngress {
            group_id: Some(sg.attr_group_id().into()),
            ip_protocol: s("tcp"),
            from_port: Some(8080.into()),
            to_port: Some(8080.into()),
            source_security_group_id: Some(alb_sg.attr_group_id().into()),
            description: s("from the load balancer"),
            ..Default::default()
        }),
        Box::new(elbv2::CfnListenerRule {
            listener_arn: Some(listener.ref_().into()),
            priority: Some(i64::from(i % 50_000 + 1).into()),
            actions: Some(vec![elbv2::listener_rule::Action { type_: Some(elbv2::listener_rule::Type::Forward.into()), target_group_arn: Some(tg.ref_().into()), ..Default::default() }].into()),
            conditions: Some(vec![elbv2::listener_rule::RuleCondition { field: s("path-pattern"), values: Some(vec![Expr::from(format!("/{name}/*"))].into()), ..Default::default() }].into()),
            ..Default::default()
        }),
        Box::new(aas::CfnScalingPolicy {
            policy_name: Some(format!("{name}-cpu").into()),
            policy_type: Some(aas::scaling_policy::PolicyType::TargetTrackingScaling.into()),
            scaling_target_id: Some(target.ref_().into()),
            target_tracking_scaling_policy_configuration: Some(aas::scaling_policy::TargetTrackingScalingPolicyConfiguration {
                target_value: Some(50.0.into()),
                predefined_metric_specification: Some(aas::scaling_policy::PredefinedMetricSpecification {
                    predefined_metric_type: Some(aas::scaling_policy::PredefinedMetricSpecificationPredefinedMetricType::EcsServiceAverageCpuUtilization.into()),
                    ..Default::default()
                }.into()),
                scale_in_cooldown: Some(60.into()),
                scale_out_cooldown: Some(60.into()),
                ..Default::default()
            }.into()),
            ..Default::default()
        }),
        Box::new(cloudwatch::CfnAlarm {
            alarm_description: Some(format!("{name} has no healthy targets").into()),
            namespace: s("AWS/ApplicationELB"),
            metric_name: s("HealthyHostCount"),
            dimensions: Some(vec![cloudwatch::alarm::Dimension { name: s("TargetGroup"), value: Some(tg.attr_target_group_full_name().into()) }].into()),
            statistic: Some(cloudwatch::alarm::Statistic::Minimum.into()),
            period: Some(60.into()),
            evaluation_periods: Some(3.into()),
            threshold: Some(1.0.into()),
            comparison_operator: Some(cloudwatch::alarm::ComparisonOperator::LessThanThreshold.into()),
            ..Default::default()
        }),
    ]
}

const SERVICES: u32 = 1000;

/// `(type, Properties)` of every resource, as synth hands them to validation.
fn resources() -> Vec<(String, serde_json::Value)> {
    let out: Vec<(String, serde_json::Value)> = (0..SERVICES)
        .flat_map(service_stack)
        .map(|r| (r.type_name().to_owned(), rendered(r.as_ref())))
        .collect();
    // Sanity (not timing): the app is valid, so every resource is really validated in full.
    for (t, p) in &out {
        let v = schema::validate(t, p);
        assert!(v.is_empty(), "{t}: {v:?}");
    }
    out
}

/// Validates every resource of the 16,000 (validators already built).
#[divan::bench(sample_count = 20)]
fn validate_16k_resources(bencher: divan::Bencher) {
    let resources = resources();
    bencher
        .counter(divan::counter::ItemsCount::new(resources.len()))
        .bench(|| {
            resources
                .iter()
                .map(|(t, p)| schema::validate(t, p).len())
                .sum::<usize>()
        });
}

/// Builds the validators of every vendored type (parse, wrap, compile), afresh.
#[divan::bench(sample_count = 20)]
fn build_all_validators() -> usize {
    schema::compile_all_fresh().unwrap_or(0)
}
