//! `ApplicationLoadBalancedFargateService` and `ApplicationLoadBalancedEc2Service`:
//! CDK's construct ids, the wiring (target group port = container port, ingress
//! from the load balancer only), HTTPS with redirect, outputs, and misuse.

use berth_assertions::{pattern, Capture, Match, Template};
use berth_constructs::ec2::VpcProps;
use berth_constructs::ecs::{
    AddCapacityOptions, Cluster, ClusterProps, ContainerDefinitionOptions, ContainerImage,
    DeploymentCircuitBreaker, FargateTaskDefinition, FargateTaskDefinitionProps, PortMapping,
};
use berth_constructs::elbv2::{HealthCheck, ListenerCertificate};
use berth_constructs::patterns::{
    AlbTaskImageOptions, ApplicationLoadBalancedEc2Service, ApplicationLoadBalancedEc2ServiceProps,
    ApplicationLoadBalancedFargateService, ApplicationLoadBalancedFargateServiceProps,
    LoadBalancerOptions,
};
use berth_constructs::route53::HostedZone;
use berth_constructs::{App, Stack, StackProps};
use berth_synth::logical_id::make_unique_id;
use serde_json::json;

const CERT: &str =
    "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555";

fn nginx() -> ContainerImage {
    ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest")
}

fn template(mut app: App) -> Template {
    let out = app.synth().unwrap_or_else(|e| panic!("synth failed: {e}"));
    Template::from_json(out.stacks[0].template.clone()).unwrap()
}

fn id(path: &[&str]) -> String {
    make_unique_id(path).unwrap()
}

fn http_app() -> App {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let mut image = AlbTaskImageOptions::new(nginx());
    image.container_port = 8080;
    image.environment = [("APP_ENV".to_string(), "test".into())].into();
    let web = ApplicationLoadBalancedFargateService::new(
        &mut app,
        s,
        "Api",
        ApplicationLoadBalancedFargateServiceProps {
            task_image_options: Some(image),
            desired_count: Some(2),
            circuit_breaker: Some(DeploymentCircuitBreaker { rollback: true }),
            load_balancer: LoadBalancerOptions {
                health_check: HealthCheck {
                    path: Some("/health".into()),
                    ..Default::default()
                },
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(web.redirect_listener(), None);
    app
}

#[test]
fn cdk_construct_ids() {
    let t = template(http_app());
    for (path, ty) in [
        (
            &["Api", "LB", "Resource"][..],
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
        ),
        (
            &["Api", "LB", "SecurityGroup", "Resource"],
            "AWS::EC2::SecurityGroup",
        ),
        (
            &["Api", "LB", "PublicListener", "Resource"],
            "AWS::ElasticLoadBalancingV2::Listener",
        ),
        (
            &["Api", "LB", "PublicListener", "ECSGroup", "Resource"],
            "AWS::ElasticLoadBalancingV2::TargetGroup",
        ),
        (&["Api", "TaskDef", "Resource"], "AWS::ECS::TaskDefinition"),
        (&["Api", "Service", "Service"], "AWS::ECS::Service"),
        (
            &["Api", "Service", "SecurityGroup", "Resource"],
            "AWS::EC2::SecurityGroup",
        ),
    ] {
        let r = t
            .resource(&id(path))
            .unwrap_or_else(|| panic!("no {path:?}"));
        assert_eq!(r["Type"], ty, "{path:?}");
    }
}

#[test]
fn the_target_group_port_is_the_container_port_and_only_the_lb_reaches_it() {
    let t = template(http_app());
    let tg = Capture::new();
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        pattern!({"Port": 80, "Protocol": "HTTP", "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": tg}}]}),
    );
    let tg = t.resource(&tg.as_string()).unwrap()["Properties"].clone();
    assert_eq!(tg["Port"], 8080);
    assert_eq!(tg["HealthCheckPath"], "/health");
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        pattern!({"Cpu": "256", "Memory": "512", "ContainerDefinitions": [{
            "Name": "web",
            "PortMappings": [{"ContainerPort": 8080}],
            "Environment": [{"Name": "APP_ENV", "Value": "test"}],
            "LogConfiguration": {"LogDriver": "awslogs", "Options": {"awslogs-stream-prefix": "Api"}},
        }]}),
    );
    t.resource_count_is("AWS::EC2::SecurityGroupIngress", 1);
    let (source, target) = (Capture::new(), Capture::new());
    t.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        pattern!({
            "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
            "GroupId": {"Fn::GetAtt": [target, "GroupId"]},
            "SourceSecurityGroupId": {"Fn::GetAtt": [source, "GroupId"]},
        }),
    );
    assert_eq!(
        source.as_string(),
        id(&["Api", "LB", "SecurityGroup", "Resource"])
    );
    assert_eq!(
        target.as_string(),
        id(&["Api", "Service", "SecurityGroup", "Resource"])
    );
    t.has_resource_properties(
        "AWS::ECS::Service",
        pattern!({
            "DesiredCount": 2,
            "HealthCheckGracePeriodSeconds": 60,
            "DeploymentConfiguration": {"DeploymentCircuitBreaker": {"Enable": true, "Rollback": true}},
        }),
    );
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        pattern!({"Scheme": "internet-facing"}),
    );
}

#[test]
fn outputs_load_balancer_dns_and_service_url() {
    let t = template(http_app());
    let lb = id(&["Api", "LB", "Resource"]);
    let outputs = t.find_outputs("*", json!({}));
    let dns = outputs
        .iter()
        .find(|(k, _)| k.starts_with("ApiLoadBalancerDNS"))
        .expect("a LoadBalancerDNS output");
    assert_eq!(dns.1["Value"], json!({"Fn::GetAtt": [lb, "DNSName"]}));
    let url = outputs
        .iter()
        .find(|(k, _)| k.starts_with("ApiServiceURL"))
        .expect("a ServiceURL output");
    assert_eq!(
        url.1["Value"],
        json!({"Fn::Join": ["", ["http://", {"Fn::GetAtt": [lb, "DNSName"]}]]})
    );
}

#[test]
fn https_with_redirect_and_a_domain_name() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let web = ApplicationLoadBalancedFargateService::new(
        &mut app,
        s,
        "Api",
        ApplicationLoadBalancedFargateServiceProps {
            load_balancer: LoadBalancerOptions {
                certificate: Some(ListenerCertificate::from_arn(CERT)),
                redirect_http: true,
                public_load_balancer: false,
                domain_name: Some("api.example.com".into()),
                domain_zone: Some(HostedZone::from_attributes(
                    "Z0123456789ABCDEFGHIJ",
                    "example.com",
                )),
                ..Default::default()
            },
            ..ApplicationLoadBalancedFargateServiceProps::new(nginx())
        },
    )
    .unwrap();
    assert!(web.redirect_listener().is_some());
    let t = template(app);
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        pattern!({"Port": 443, "Protocol": "HTTPS", "Certificates": [{"CertificateArn": CERT}]}),
    );
    let redirect = t
        .resource(&id(&["Api", "LB", "PublicRedirectListener", "Resource"]))
        .unwrap();
    assert_eq!(
        redirect["Properties"]["DefaultActions"][0]["RedirectConfig"],
        json!({"Port": "443", "Protocol": "HTTPS", "StatusCode": "HTTP_301"})
    );
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        pattern!({"Scheme": "internal"}),
    );
    let outputs = t.find_outputs("*", json!({}));
    let url = outputs
        .iter()
        .find(|(k, _)| k.starts_with("ApiServiceURL"))
        .unwrap();
    assert_eq!(url.1["Value"], "https://api.example.com");
}

#[test]
fn a_given_task_definition_is_targeted_on_its_default_container_port() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let cluster = support::cluster_in_new_vpc(&mut app, s, VpcProps::default());
    let task =
        FargateTaskDefinition::new(&mut app, s, "Task", FargateTaskDefinitionProps::default())
            .unwrap();
    task.add_container(
        &mut app,
        "app",
        ContainerDefinitionOptions {
            port_mappings: vec![PortMapping::tcp(3000)],
            ..ContainerDefinitionOptions::new(nginx())
        },
    )
    .unwrap();
    let web = ApplicationLoadBalancedFargateService::new(
        &mut app,
        s,
        "Api",
        ApplicationLoadBalancedFargateServiceProps {
            cluster: Some(cluster),
            task_definition: Some(task),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(web.task_definition(), task);
    assert_eq!(web.cluster(), cluster);
    let t = template(app);
    t.has_resource_properties(
        "AWS::ECS::Service",
        pattern!({"LoadBalancers": [{"ContainerName": "app", "ContainerPort": 3000}]}),
    );
    t.resource_count_is("AWS::ECS::Cluster", 1);
    t.resource_count_is("AWS::EC2::VPC", 1);
}

#[test]
fn misuse_is_refused() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let none = ApplicationLoadBalancedFargateService::new(
        &mut app,
        s,
        "A",
        ApplicationLoadBalancedFargateServiceProps::default(),
    );
    assert!(none.unwrap_err().to_string().contains("task image options"));
    let redirect = ApplicationLoadBalancedFargateService::new(
        &mut app,
        s,
        "B",
        ApplicationLoadBalancedFargateServiceProps {
            load_balancer: LoadBalancerOptions {
                redirect_http: true,
                ..Default::default()
            },
            ..ApplicationLoadBalancedFargateServiceProps::new(nginx())
        },
    );
    assert!(redirect.unwrap_err().to_string().contains("certificate"));
}

#[test]
fn ec2_pattern_in_bridge_mode_targets_instances() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let cluster = Cluster::new(&mut app, s, "Cluster", ClusterProps::default()).unwrap();
    let capacity = cluster
        .add_capacity(&mut app, "Capacity", AddCapacityOptions::new("t3.small"))
        .unwrap();
    let mut props = ApplicationLoadBalancedEc2ServiceProps::new(cluster, nginx());
    props.capacity_provider_strategies = vec![capacity.strategy(1)];
    props.desired_count = Some(2);
    let web = ApplicationLoadBalancedEc2Service::new(&mut app, s, "Api", props).unwrap();
    assert_eq!(web.service().cluster(), cluster);
    let t = template(app);
    let tg = t
        .resource(&id(&[
            "Api",
            "LB",
            "PublicListener",
            "ECSGroup",
            "Resource",
        ]))
        .unwrap();
    assert_eq!(tg["Properties"]["TargetType"], "instance");
    assert_eq!(tg["Properties"]["Port"], 80);
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        pattern!({"NetworkMode": "bridge", "ContainerDefinitions": [{"Name": "web", "Memory": 512,
            "PortMappings": [{"ContainerPort": 80, "HostPort": 0}]}]}),
    );
    t.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        pattern!({"SourceSecurityGroupId": {"Fn::GetAtt": [id(&["Api", "LB", "SecurityGroup", "Resource"]), "GroupId"]},
            "GroupId": (Match::any_value())}),
    );
}

#[path = "support/mod.rs"]
mod support;

#[test]
fn the_patterns_pass_cfn_lint() {
    support::lint(http_app());
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    ApplicationLoadBalancedFargateService::new(
        &mut app,
        s,
        "Api",
        ApplicationLoadBalancedFargateServiceProps {
            load_balancer: LoadBalancerOptions {
                certificate: Some(ListenerCertificate::from_arn(CERT)),
                redirect_http: true,
                ..Default::default()
            },
            ..ApplicationLoadBalancedFargateServiceProps::new(nginx())
        },
    )
    .unwrap();
    support::lint(app);
}
