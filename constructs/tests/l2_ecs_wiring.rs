//! The service-side wiring methods (`register_load_balancer_targets`,
//! `load_balancer_target`, `enable_cloud_map`, `auto_scale_task_count`) on a
//! `FargateService` and on an `Ec2Service` in bridge mode.

use berth_assertions::{pattern, Capture, Match, Template};
use berth_constructs::appscaling::UtilizationScalingProps;
use berth_constructs::ec2::{Vpc, VpcProps};
use berth_constructs::ecs::{
    AddCapacityOptions, CloudMapOptions, Cluster, ClusterProps, ContainerDefinitionOptions,
    ContainerImage, Ec2Service, Ec2ServiceProps, Ec2TaskDefinition, Ec2TaskDefinitionProps,
    EcsTarget, FargateService, FargateServiceProps, FargateTaskDefinition,
    FargateTaskDefinitionProps, NetworkMode, PortMapping,
};
use berth_constructs::elbv2::{
    AddTargetsProps, ApplicationLoadBalancer, ApplicationLoadBalancerProps, ListenerProps,
};
use berth_constructs::servicediscovery::{
    DnsRecordType, PrivateDnsNamespace, PrivateDnsNamespaceProps,
};
use berth_constructs::{App, Stack, StackProps};
use serde_json::json;

struct Fixture {
    app: App,
    stack: Stack,
    vpc: Vpc,
    cluster: Cluster,
}

fn fixture() -> Fixture {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
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
    let cluster = Cluster::new(
        &mut app,
        stack,
        "Cluster",
        ClusterProps {
            vpc: Some(vpc),
            ..Default::default()
        },
    )
    .unwrap();
    Fixture {
        app,
        stack,
        vpc,
        cluster,
    }
}

fn fargate(f: &mut Fixture) -> FargateService {
    let task = FargateTaskDefinition::new(
        &mut f.app,
        f.stack,
        "TaskDef",
        FargateTaskDefinitionProps::default(),
    )
    .unwrap();
    task.add_container(
        &mut f.app,
        "web",
        ContainerDefinitionOptions {
            port_mappings: vec![PortMapping::tcp(8080), PortMapping::tcp(9090)],
            ..ContainerDefinitionOptions::new(ContainerImage::from_registry(
                "public.ecr.aws/nginx/nginx:latest",
            ))
        },
    )
    .unwrap();
    FargateService::new(
        &mut f.app,
        f.stack,
        "Service",
        FargateServiceProps::new(f.cluster, task),
    )
    .unwrap()
}

fn template(mut app: App) -> Template {
    let out = app.synth().unwrap_or_else(|e| panic!("synth failed: {e}"));
    Template::from_json(out.stacks[0].template.clone()).unwrap()
}

#[test]
fn register_load_balancer_targets_forwards_to_the_container_port_and_opens_only_it() {
    let mut f = fixture();
    let service = fargate(&mut f);
    let lb = ApplicationLoadBalancer::new(
        &mut f.app,
        f.stack,
        "LB",
        &f.vpc,
        ApplicationLoadBalancerProps {
            internet_facing: true,
            ..Default::default()
        },
    )
    .unwrap();
    let listener = lb
        .add_listener(&mut f.app, "Http", ListenerProps::default())
        .unwrap();
    let groups = service
        .register_load_balancer_targets(
            &mut f.app,
            vec![EcsTarget::new("web", 9090, "Web", listener)],
        )
        .unwrap();
    assert_eq!(groups.len(), 1);
    let t = template(f.app);
    let tg = Capture::new();
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        pattern!({"DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": tg}}]}),
    );
    let tg_id = tg.as_string();
    assert!(tg_id.starts_with("LBHttpWebGroup"), "{tg_id}");
    assert_eq!(t.resource(&tg_id).unwrap()["Properties"]["Port"], 9090);
    t.has_resource_properties(
        "AWS::ECS::Service",
        pattern!({"LoadBalancers": (Match::exact(json!([
            {"ContainerName": "web", "ContainerPort": 9090, "TargetGroupArn": {"Ref": tg_id}},
        ])))}),
    );
    t.resource_count_is("AWS::EC2::SecurityGroupIngress", 1);
    let (source, target) = (Capture::new(), Capture::new());
    t.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        pattern!({
            "IpProtocol": "tcp", "FromPort": 9090, "ToPort": 9090,
            "GroupId": {"Fn::GetAtt": [target, "GroupId"]},
            "SourceSecurityGroupId": {"Fn::GetAtt": [source, "GroupId"]},
        }),
    );
    assert!(source.as_string().starts_with("LBSecurityGroup"));
    assert!(target.as_string().starts_with("ServiceSecurityGroup"));
}

#[test]
fn load_balancer_target_is_the_service_container_port() {
    let mut f = fixture();
    let service = fargate(&mut f);
    let target = service.load_balancer_target("web", 8080);
    assert_eq!(target.service, service.base());
    assert_eq!(
        (target.container_name.as_str(), target.container_port),
        ("web", 8080)
    );
    let lb = ApplicationLoadBalancer::new(
        &mut f.app,
        f.stack,
        "LB",
        &f.vpc,
        ApplicationLoadBalancerProps::default(),
    )
    .unwrap();
    let listener = lb
        .add_listener(&mut f.app, "Http", ListenerProps::default())
        .unwrap();
    listener
        .add_targets(
            &mut f.app,
            "ECS",
            AddTargetsProps {
                targets: vec![&target],
                ..Default::default()
            },
        )
        .unwrap();
    let t = template(f.app);
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        pattern!({"Port": 8080, "TargetType": "ip"}),
    );
}

#[test]
fn an_unknown_container_port_is_refused() {
    let mut f = fixture();
    let service = fargate(&mut f);
    let lb = ApplicationLoadBalancer::new(
        &mut f.app,
        f.stack,
        "LB",
        &f.vpc,
        ApplicationLoadBalancerProps::default(),
    )
    .unwrap();
    let listener = lb
        .add_listener(&mut f.app, "Http", ListenerProps::default())
        .unwrap();
    let r = service.register_load_balancer_targets(
        &mut f.app,
        vec![EcsTarget::new("web", 7070, "Web", listener)],
    );
    let failed = r.is_err() || f.app.synth().is_err();
    assert!(failed, "port 7070 is not mapped, yet wiring succeeded");
}

#[test]
fn enable_cloud_map_on_fargate_registers_a_records() {
    let mut f = fixture();
    let service = fargate(&mut f);
    let ns = PrivateDnsNamespace::new(
        &mut f.app,
        f.stack,
        "Namespace",
        &f.vpc,
        PrivateDnsNamespaceProps::new("svc.local"),
    )
    .unwrap();
    let cm = service
        .enable_cloud_map(&mut f.app, CloudMapOptions::new(&ns, "web"))
        .unwrap();
    assert_eq!(cm.dns_record_type(), DnsRecordType::A);
    let t = template(f.app);
    let id = Capture::new();
    t.has_resource_properties(
        "AWS::ECS::Service",
        pattern!({"ServiceRegistries": [{"RegistryArn": {"Fn::GetAtt": [id, "Arn"]}}]}),
    );
    let id = id.as_string();
    assert!(id.starts_with("ServiceCloudmapService"), "{id}");
    t.resource_count_is("AWS::ServiceDiscovery::Service", 1);
    let cm = &t.resource(&id).unwrap()["Properties"];
    assert_eq!(cm["Name"], "web");
    assert_eq!(cm["DnsConfig"]["DnsRecords"][0]["Type"], "A");
    assert_eq!(cm["HealthCheckCustomConfig"]["FailureThreshold"], 1.0);
}

#[test]
fn enable_cloud_map_on_a_bridge_ec2_service_uses_srv_with_the_default_container() {
    let mut f = fixture();
    let capacity = f
        .cluster
        .add_capacity(
            &mut f.app,
            "DefaultAutoScalingGroup",
            AddCapacityOptions {
                min_capacity: 1,
                max_capacity: Some(2),
                ..AddCapacityOptions::new("t3.small")
            },
        )
        .unwrap();
    let task = Ec2TaskDefinition::new(
        &mut f.app,
        f.stack,
        "TaskDef",
        Ec2TaskDefinitionProps {
            network_mode: NetworkMode::Bridge,
            ..Default::default()
        },
    )
    .unwrap();
    task.add_container(
        &mut f.app,
        "api",
        ContainerDefinitionOptions {
            memory_limit_mib: Some(256),
            port_mappings: vec![PortMapping::tcp(3000)],
            ..ContainerDefinitionOptions::new(ContainerImage::from_registry(
                "public.ecr.aws/nginx/nginx:latest",
            ))
        },
    )
    .unwrap();
    let service = Ec2Service::new(
        &mut f.app,
        f.stack,
        "Service",
        Ec2ServiceProps {
            capacity_provider_strategies: vec![capacity.strategy(1)],
            ..Ec2ServiceProps::new(f.cluster, task)
        },
    )
    .unwrap();
    let ns = PrivateDnsNamespace::new(
        &mut f.app,
        f.stack,
        "Namespace",
        &f.vpc,
        PrivateDnsNamespaceProps::new("svc.local"),
    )
    .unwrap();
    service
        .enable_cloud_map(&mut f.app, CloudMapOptions::new(&ns, "api"))
        .unwrap();
    service.auto_scale_task_count(&mut f.app, 1, 4).unwrap();
    let t = template(f.app);
    t.has_resource_properties(
        "AWS::ECS::Service",
        pattern!({"ServiceRegistries": [{"ContainerName": "api", "ContainerPort": 3000}]}),
    );
    t.has_resource_properties(
        "AWS::ServiceDiscovery::Service",
        pattern!({"DnsConfig": {"DnsRecords": [{"Type": "SRV"}]}}),
    );
    t.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget",
        pattern!({"MinCapacity": 1, "MaxCapacity": 4}),
    );
}

#[test]
fn auto_scale_task_count_targets_this_service_and_checks_min_max() {
    let mut f = fixture();
    let service = fargate(&mut f);
    assert!(service.auto_scale_task_count(&mut f.app, 5, 2).is_err());
    let count = service.auto_scale_task_count(&mut f.app, 2, 10).unwrap();
    count
        .scale_on_cpu_utilization(
            &mut f.app,
            "Cpu",
            UtilizationScalingProps {
                target_utilization_percent: 60.0,
                ..Default::default()
            },
        )
        .unwrap();
    let t = template(f.app);
    let svc = Capture::new();
    t.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget",
        pattern!({
            "ResourceId": {"Fn::Join": ["", ["service/", {"Ref": (Match::string_like_regexp("^Cluster"))}, "/",
                {"Fn::GetAtt": [svc, "Name"]}]]},
            "MinCapacity": 2, "MaxCapacity": 10,
            "ScalableDimension": "ecs:service:DesiredCount",
        }),
    );
    assert_eq!(
        t.resource(&svc.as_string()).unwrap()["Type"],
        "AWS::ECS::Service"
    );
    let target = t
        .find_resources("AWS::ApplicationAutoScaling::ScalableTarget", json!({}))
        .keys()
        .next()
        .unwrap()
        .clone();
    assert!(target.starts_with("ServiceTaskCountTarget"), "{target}");
    t.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        pattern!({"ScalingTargetId": {"Ref": target}}),
    );
}
