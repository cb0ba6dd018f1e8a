//! `NetworkLoadBalancedFargateService` and `BackendFargateService`: target group
//! port = container port, ingress only where allowed, Cloud Map registration; the
//! templates pass cfn-lint.

use berth_assertions::{pattern, Capture, Template};
use berth_constructs::ec2::{Vpc, VpcProps};
use berth_constructs::ecs::{Cluster, ClusterProps, ContainerImage};
use berth_constructs::patterns::{
    BackendFargateService, BackendFargateServiceProps, NetworkLoadBalancedFargateService,
    NetworkLoadBalancedFargateServiceProps,
};
use berth_constructs::servicediscovery::{PrivateDnsNamespace, PrivateDnsNamespaceProps};
use berth_constructs::{App, Stack, StackProps};
use berth_synth::logical_id::make_unique_id;
use serde_json::json;

#[path = "support/mod.rs"]
mod support;

fn nginx() -> ContainerImage {
    ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest")
}

fn id(path: &[&str]) -> String {
    make_unique_id(path).unwrap()
}

fn nlb_app() -> App {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Tcp", StackProps::default()).unwrap();
    let cluster = Cluster::new(&mut app, s, "Cluster", ClusterProps::default()).unwrap();
    let mut props = NetworkLoadBalancedFargateServiceProps::new(cluster, nginx());
    props.task_image_options.container_port = 8080;
    props.desired_count = Some(2);
    NetworkLoadBalancedFargateService::new(&mut app, s, "Api", props).unwrap();
    app
}

#[test]
fn nlb_forwards_tcp_to_the_container_port_and_the_vpc_alone_reaches_it() {
    let mut app = nlb_app();
    let out = app.synth().unwrap();
    let t = Template::from_json(out.stacks[0].template.clone()).unwrap();
    let tg = Capture::new();
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        pattern!({"Port": 80, "Protocol": "TCP", "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": tg}}]}),
    );
    let tg = t.resource(&tg.as_string()).unwrap();
    assert_eq!(tg["Properties"]["Port"], 8080);
    assert_eq!(tg["Properties"]["Protocol"], "TCP");
    assert_eq!(tg["Properties"]["TargetType"], "ip");
    let sg = t
        .resource(&id(&["Api", "Service", "SecurityGroup", "Resource"]))
        .unwrap();
    assert_eq!(
        sg["Properties"]["SecurityGroupIngress"],
        json!([{"CidrIp": "10.0.0.0/16", "Description": "from the network load balancer (inside the VPC)",
            "FromPort": 8080, "IpProtocol": "tcp", "ToPort": 8080}])
    );
    t.resource_count_is("AWS::EC2::SecurityGroupIngress", 0);
    assert!(t
        .find_outputs("*", json!({}))
        .keys()
        .any(|k| k.starts_with("ApiLoadBalancerDNS")));
}

fn backend_app() -> App {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Svc", StackProps::default()).unwrap();
    let vpc = Vpc::new(&mut app, s, "Vpc", VpcProps::default()).unwrap();
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
    let ns = PrivateDnsNamespace::new(
        &mut app,
        s,
        "Ns",
        &vpc,
        PrivateDnsNamespaceProps::new("svc.local"),
    )
    .unwrap();
    let mut users = BackendFargateServiceProps::new(cluster, nginx(), &ns, "users");
    users.task_image_options.container_port = 3000;
    let users = BackendFargateService::new(&mut app, s, "Users", users).unwrap();
    let orders = BackendFargateService::new(
        &mut app,
        s,
        "Orders",
        BackendFargateServiceProps::new(cluster, nginx(), &ns, "orders"),
    )
    .unwrap();
    users.allow_from(&mut app, &orders.service()).unwrap();
    app
}

#[test]
fn backend_registers_in_cloud_map_and_opens_only_to_whom_it_is_told() {
    let mut app = backend_app();
    let out = app.synth().unwrap();
    let t = Template::from_json(out.stacks[0].template.clone()).unwrap();
    t.resource_count_is("AWS::ElasticLoadBalancingV2::LoadBalancer", 0);
    let users_cm = id(&["Users", "Service", "CloudmapService", "Resource"]);
    let cm = t.resource(&users_cm).unwrap();
    assert_eq!(cm["Properties"]["Name"], "users");
    assert_eq!(cm["Properties"]["DnsConfig"]["DnsRecords"][0]["Type"], "A");
    t.has_resource_properties(
        "AWS::ECS::Service",
        pattern!({"ServiceRegistries": [{"RegistryArn": {"Fn::GetAtt": [users_cm, "Arn"]}}]}),
    );
    t.resource_count_is("AWS::EC2::SecurityGroupIngress", 1);
    t.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        pattern!({"FromPort": 3000, "ToPort": 3000, "IpProtocol": "tcp",
            "GroupId": {"Fn::GetAtt": [id(&["Users", "Service", "SecurityGroup", "Resource"]), "GroupId"]},
            "SourceSecurityGroupId": {"Fn::GetAtt": [id(&["Orders", "Service", "SecurityGroup", "Resource"]), "GroupId"]}}),
    );
}

#[test]
fn nlb_and_backend_pass_cfn_lint() {
    support::lint(nlb_app());
    support::lint(backend_app());
}
