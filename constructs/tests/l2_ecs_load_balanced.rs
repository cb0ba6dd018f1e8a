//! The load balancing, discovery and scaling L2s wired to a real ECS Fargate service:
//! an internet-facing ALB redirecting HTTP to HTTPS, the service registered through
//! `EcsServiceTarget` (container port 8080), Cloud Map A records, and the service's
//! task count scaled on CPU and requests. Checked with `berth-assertions`; the
//! template passes `App::synth`'s schema validation and cfn-lint (zero errors and
//! warnings; `$BERTH_CFN_LINT` or `<workspace>/.venv/bin/cfn-lint`, see `support`).

mod support;
use support::lint;

use berth_assertions::{pattern, Capture, Match, Template};
use berth_constructs::appscaling::{
    RequestCountScalingProps, ScalableTaskCount, ScalableTaskCountProps, UtilizationScalingProps,
};
use berth_constructs::ec2::{Vpc, VpcProps};
use berth_constructs::ecs::{
    AddCapacityOptions, Cluster, ClusterProps, ContainerDefinitionOptions, ContainerImage,
    Ec2Service, Ec2ServiceProps, Ec2TaskDefinition, Ec2TaskDefinitionProps, FargateService,
    FargateServiceProps, FargateTaskDefinition, FargateTaskDefinitionProps, NetworkMode,
    PortMapping,
};
use berth_constructs::elbv2::{
    AddTargetsProps, ApplicationLoadBalancer, ApplicationLoadBalancerProps, EcsServiceTarget,
    HealthCheck, ListenerCertificate, ListenerProps, RedirectProps,
};
use berth_constructs::servicediscovery::{
    DnsRecordType, PrivateDnsNamespace, PrivateDnsNamespaceProps, ServiceProps,
};
use berth_constructs::{App, Stack, StackProps};
use serde_json::json;

fn app(health_check_port: Option<u16>) -> App {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let vpc = Vpc::new(
        &mut app,
        s,
        "Vpc",
        VpcProps {
            nat_gateways: Some(1),
            availability_zones: vec!["us-east-1a".into(), "us-east-1b".into()],
            ..Default::default()
        },
    )
    .unwrap();
    let cluster = Cluster::new(
        &mut app,
        s,
        "Cluster",
        ClusterProps {
            vpc: Some(vpc),
            ..Default::default()
        },
    )
    .unwrap();
    let task = FargateTaskDefinition::new(
        &mut app,
        s,
        "TaskDef",
        FargateTaskDefinitionProps::default(),
    )
    .unwrap();
    task.add_container(
        &mut app,
        "web",
        ContainerDefinitionOptions {
            port_mappings: vec![PortMapping::tcp(8080), PortMapping::tcp(9090)],
            ..ContainerDefinitionOptions::new(ContainerImage::from_registry(
                "public.ecr.aws/nginx/nginx:latest",
            ))
        },
    )
    .unwrap();
    let service = FargateService::new(
        &mut app,
        s,
        "Service",
        FargateServiceProps {
            desired_count: Some(2),
            ..FargateServiceProps::new(cluster, task)
        },
    )
    .unwrap()
    .base();

    let lb = ApplicationLoadBalancer::new(
        &mut app,
        s,
        "LB",
        &vpc,
        ApplicationLoadBalancerProps {
            internet_facing: true,
            ..Default::default()
        },
    )
    .unwrap();
    lb.add_redirect(&mut app, RedirectProps::default()).unwrap();
    let https = lb
        .add_listener(
            &mut app,
            "PublicListener",
            ListenerProps {
                certificates: vec![ListenerCertificate::from_arn(
                    "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555",
                )],
                ..Default::default()
            },
        )
        .unwrap();
    let target = EcsServiceTarget::new(service, "web", 8080);
    let tg = https
        .add_targets(
            &mut app,
            "ECS",
            AddTargetsProps {
                targets: vec![&target],
                health_check: HealthCheck {
                    path: Some("/health".into()),
                    port: health_check_port,
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .unwrap();

    let ns = PrivateDnsNamespace::new(
        &mut app,
        s,
        "Namespace",
        &vpc,
        PrivateDnsNamespaceProps::new("svc.local"),
    )
    .unwrap();
    let cloud_map = ns
        .create_service(
            &mut app,
            "Web",
            ServiceProps {
                custom_health_check_failure_threshold: Some(1),
                ..ServiceProps::new("web")
            },
        )
        .unwrap();
    let registry = cloud_map.registry(&app, None).unwrap();
    service
        .add_service_registry(&mut app, registry.into())
        .unwrap();

    let (cluster_name, service_name) = (service.cluster_name(), service.service_name());
    let count = ScalableTaskCount::new(
        &mut app,
        service,
        "TaskCount",
        ScalableTaskCountProps {
            cluster_name: cluster_name.into(),
            service_name: service_name.into(),
            min_capacity: 2,
            max_capacity: 10,
            role_arn: None,
        },
    )
    .unwrap();
    count
        .scale_on_cpu_utilization(
            &mut app,
            "CpuScaling",
            UtilizationScalingProps {
                target_utilization_percent: 60.0,
                ..Default::default()
            },
        )
        .unwrap();
    count
        .scale_on_request_count(
            &mut app,
            "RequestScaling",
            RequestCountScalingProps {
                requests_per_target: 500,
                target_group: tg,
                scale_in_cooldown_seconds: None,
                scale_out_cooldown_seconds: None,
                disable_scale_in: false,
                policy_name: None,
            },
        )
        .unwrap();
    app
}

fn template(mut app: App) -> Template {
    let out = app.synth().unwrap_or_else(|e| panic!("synth failed: {e}"));
    Template::from_json(out.stacks[0].template.clone()).unwrap()
}

#[test]
fn the_service_is_registered_on_its_container_port_and_waits_for_the_listener() {
    let t = template(app(None));
    let tg = Capture::new();
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        pattern!({"Port": 443, "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": tg}}]}),
    );
    let tg_id = tg.as_string();
    t.has_resource_properties(
        "AWS::ECS::Service",
        pattern!({
            "LoadBalancers": (Match::exact(json!([
                {"ContainerName": "web", "ContainerPort": 8080, "TargetGroupArn": {"Ref": tg_id}},
            ]))),
            "HealthCheckGracePeriodSeconds": 60,
            "ServiceRegistries": [{"RegistryArn": {"Fn::GetAtt": [(Match::string_like_regexp("^NamespaceWeb")), "Arn"]}}],
        }),
    );
    let services = t.find_resources("AWS::ECS::Service", json!({}));
    let service = services.values().next().unwrap();
    let listener_ids: Vec<String> = t
        .find_resources(
            "AWS::ElasticLoadBalancingV2::Listener",
            json!({"Properties": {"Port": 443}}),
        )
        .keys()
        .cloned()
        .collect();
    assert_eq!(service["DependsOn"], json!(listener_ids));
    let tg = t.resource(&tg_id).unwrap();
    assert_eq!(tg["Properties"]["Port"], 8080);
    assert_eq!(tg["Properties"]["TargetType"], "ip");
}

#[test]
fn the_tasks_are_open_to_the_load_balancer_on_8080_only() {
    let t = template(app(None));
    t.resource_count_is("AWS::EC2::SecurityGroupIngress", 1);
    let source = Capture::new();
    let target = Capture::new();
    t.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        pattern!({
            "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
            "GroupId": {"Fn::GetAtt": [target, "GroupId"]},
            "SourceSecurityGroupId": {"Fn::GetAtt": [source, "GroupId"]},
        }),
    );
    assert!(source.as_string().starts_with("LBSecurityGroup"));
    assert!(target.as_string().starts_with("ServiceSecurityGroup"));
}

#[test]
fn the_task_count_scales_the_service() {
    let t = template(app(None));
    t.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget",
        pattern!({
            "ResourceId": {"Fn::Join": ["", ["service/", {"Ref": (Match::string_like_regexp("^Cluster"))}, "/",
                {"Fn::GetAtt": [(Match::string_like_regexp("^Service")), "Name"]}]]},
            "MinCapacity": 2, "MaxCapacity": 10,
        }),
    );
    let target = t
        .find_resources("AWS::ApplicationAutoScaling::ScalableTarget", json!({}))
        .keys()
        .next()
        .unwrap()
        .clone();
    assert!(target.starts_with("ServiceTaskCountTarget"), "{target}");
    t.all_resources_properties(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        pattern!({"ScalingTargetId": {"Ref": target}}),
    );
    t.resource_count_is("AWS::ApplicationAutoScaling::ScalingPolicy", 2);
}

#[test]
fn a_health_check_on_another_mapped_port_passes_and_on_an_unmapped_one_fails() {
    let t = template(app(Some(9090)));
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        json!({"HealthCheckPort": "9090"}),
    );
    let err = app(Some(8081)).synth().unwrap_err();
    assert_eq!(
        err.to_string(),
        "synthesis failed with 1 error:\n  error[BERTH-E0401] Web/LB/PublicListener/ECSGroup: HealthCheckPort: health check port 8081 is not a port the targets listen on; leave the port unset (traffic port) or use one of: 8080, 9090"
    );
}

/// An `Ec2Service` in `bridge` mode with dynamic host ports, behind an ALB, found
/// through SRV records.
fn bridge_app() -> App {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Bridge", StackProps::default()).unwrap();
    let vpc = Vpc::new(
        &mut app,
        s,
        "Vpc",
        VpcProps {
            nat_gateways: Some(1),
            availability_zones: vec!["us-east-1a".into(), "us-east-1b".into()],
            ..Default::default()
        },
    )
    .unwrap();
    let cluster = Cluster::new(
        &mut app,
        s,
        "Cluster",
        ClusterProps {
            vpc: Some(vpc),
            ..Default::default()
        },
    )
    .unwrap();
    let capacity = cluster
        .add_capacity(
            &mut app,
            "DefaultAutoScalingGroup",
            AddCapacityOptions {
                min_capacity: 1,
                max_capacity: Some(3),
                ..AddCapacityOptions::new("t3.small")
            },
        )
        .unwrap();
    let task = Ec2TaskDefinition::new(
        &mut app,
        s,
        "TaskDef",
        Ec2TaskDefinitionProps {
            network_mode: NetworkMode::Bridge,
            ..Default::default()
        },
    )
    .unwrap();
    task.add_container(
        &mut app,
        "web",
        ContainerDefinitionOptions {
            memory_limit_mib: Some(256),
            port_mappings: vec![PortMapping::tcp(80)],
            ..ContainerDefinitionOptions::new(ContainerImage::from_registry(
                "public.ecr.aws/nginx/nginx:latest",
            ))
        },
    )
    .unwrap();
    let service = Ec2Service::new(
        &mut app,
        s,
        "Service",
        Ec2ServiceProps {
            capacity_provider_strategies: vec![capacity.strategy(1)],
            ..Ec2ServiceProps::new(cluster, task)
        },
    )
    .unwrap()
    .base();
    let lb = ApplicationLoadBalancer::new(
        &mut app,
        s,
        "LB",
        &vpc,
        ApplicationLoadBalancerProps {
            internet_facing: true,
            ..Default::default()
        },
    )
    .unwrap();
    let http = lb
        .add_listener(&mut app, "PublicListener", ListenerProps::default())
        .unwrap();
    let target = EcsServiceTarget::new(service, "web", 80);
    http.add_targets(
        &mut app,
        "ECS",
        AddTargetsProps {
            targets: vec![&target],
            ..Default::default()
        },
    )
    .unwrap();
    let ns = PrivateDnsNamespace::new(
        &mut app,
        s,
        "Namespace",
        &vpc,
        PrivateDnsNamespaceProps::new("svc.local"),
    )
    .unwrap();
    let srv = ns
        .create_service(
            &mut app,
            "Web",
            ServiceProps {
                dns_record_type: DnsRecordType::Srv,
                ..ServiceProps::new("web")
            },
        )
        .unwrap();
    let registry = srv.registry(&app, Some(("web", 80))).unwrap();
    service
        .add_service_registry(&mut app, registry.into())
        .unwrap();
    app
}

#[test]
fn bridge_tasks_get_instance_targets_and_the_dynamic_port_range() {
    let t = template(bridge_app());
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        json!({"TargetType": "instance", "Port": 80, "Protocol": "HTTP", "HealthCheckPort": "traffic-port"}),
    );
    t.resource_count_is("AWS::EC2::SecurityGroupIngress", 1);
    let source = Capture::new();
    t.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        pattern!({
            "IpProtocol": "tcp", "FromPort": 32768, "ToPort": 65535,
            "Description": "Load balancer to target",
            "SourceSecurityGroupId": {"Fn::GetAtt": [source, "GroupId"]},
        }),
    );
    assert!(source.as_string().starts_with("LBSecurityGroup"));
    t.has_resource_properties(
        "AWS::ECS::Service",
        pattern!({
            "LoadBalancers": [{"ContainerName": "web", "ContainerPort": 80}],
            "ServiceRegistries": (Match::exact(pattern!([{
                "ContainerName": "web", "ContainerPort": 80,
                "RegistryArn": {"Fn::GetAtt": [(Match::string_like_regexp("^NamespaceWeb")), "Arn"]},
            }]))),
        }),
    );
    t.has_resource_properties(
        "AWS::ServiceDiscovery::Service",
        json!({"DnsConfig": {"DnsRecords": [{"Type": "SRV"}]}}),
    );
}

#[test]
fn cfn_lint_passes() {
    lint(app(None));
    lint(bridge_app());
}
