//! The domain name of `ApplicationLoadBalanced{Fargate,Ec2}Service`: the alias record
//! `DNS` in the hosted zone (CDK's `ARecord` with a `LoadBalancerTarget`), the
//! `ServiceURL` output on the domain, the certificate the pattern creates for HTTPS
//! (validated through DNS in the zone), misuse, and cfn-lint on the result. The error
//! texts are also in `bad_input.rs`.

mod support;

use berth_assertions::{pattern, Match, Template};
use berth_constructs::ecs::{AddCapacityOptions, Cluster, ClusterProps, ContainerImage};
use berth_constructs::elbv2::{ListenerCertificate, Protocol};
use berth_constructs::patterns::{
    ApplicationLoadBalancedEc2Service, ApplicationLoadBalancedEc2ServiceProps,
    ApplicationLoadBalancedFargateService, ApplicationLoadBalancedFargateServiceProps,
    LoadBalancerOptions,
};
use berth_constructs::route53::HostedZone;
use berth_constructs::{App, Stack, StackProps};
use berth_synth::logical_id::make_unique_id;
use serde_json::json;

const ZONE_ID: &str = "Z0123456789ABCDEFGHIJ";
const CERT: &str =
    "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555";

fn nginx() -> ContainerImage {
    ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest")
}

fn zone() -> HostedZone {
    HostedZone::from_attributes(ZONE_ID, "example.com")
}

fn id(path: &[&str]) -> String {
    make_unique_id(path).unwrap()
}

fn template(app: &mut App) -> Template {
    let out = app.synth().unwrap_or_else(|e| panic!("synth failed: {e}"));
    Template::from_json(out.stacks[0].template.clone()).unwrap()
}

fn service_url(t: &Template) -> serde_json::Value {
    t.find_outputs("*", json!({}))
        .into_iter()
        .find(|(k, _)| k.starts_with("ApiServiceURL"))
        .expect("a ServiceURL output")
        .1["Value"]
        .clone()
}

fn fargate(
    app: &mut App,
    load_balancer: LoadBalancerOptions,
) -> ApplicationLoadBalancedFargateService {
    let s = Stack::new(app, "Web", StackProps::default()).unwrap();
    ApplicationLoadBalancedFargateService::new(
        app,
        s,
        "Api",
        ApplicationLoadBalancedFargateServiceProps {
            load_balancer,
            ..ApplicationLoadBalancedFargateServiceProps::new(nginx())
        },
    )
    .unwrap()
}

#[test]
fn the_alias_record_points_at_the_load_balancer() {
    let mut app = App::new();
    let web = fargate(
        &mut app,
        LoadBalancerOptions {
            domain_name: Some("api.example.com".into()),
            domain_zone: Some(zone()),
            ..Default::default()
        },
    );
    let record = web.dns_record().expect("a DNS record");
    assert_eq!(app.path(record.cfn()), "Web/Api/DNS/Resource");
    assert!(web.certificate().is_none(), "HTTP needs no certificate");
    let t = template(&mut app);
    let lb = id(&["Api", "LB", "Resource"]);
    t.resource_count_is("AWS::Route53::RecordSet", 1);
    let dns = t.resource(&id(&["Api", "DNS", "Resource"])).unwrap();
    assert_eq!(dns["Type"], "AWS::Route53::RecordSet");
    assert_eq!(
        dns["Properties"],
        json!({
            "AliasTarget": {
                "DNSName": {"Fn::Join": ["", ["dualstack.", {"Fn::GetAtt": [lb, "DNSName"]}]]},
                "HostedZoneId": {"Fn::GetAtt": [lb, "CanonicalHostedZoneID"]},
            },
            "HostedZoneId": ZONE_ID,
            "Name": "api.example.com.",
            "Type": "A",
        })
    );
    assert_eq!(service_url(&t), "http://api.example.com");
    support::lint(app);
}

#[test]
fn a_relative_name_is_qualified_with_the_zone() {
    let mut app = App::new();
    fargate(
        &mut app,
        LoadBalancerOptions {
            domain_name: Some("api".into()),
            domain_zone: Some(zone()),
            certificate: Some(ListenerCertificate::from_arn(CERT)),
            ..Default::default()
        },
    );
    let t = template(&mut app);
    t.has_resource_properties(
        "AWS::Route53::RecordSet",
        pattern!({"Name": "api.example.com.", "HostedZoneId": ZONE_ID}),
    );
    // A given certificate is used as is: no certificate is created.
    t.resource_count_is("AWS::CertificateManager::Certificate", 0);
    assert_eq!(service_url(&t), "https://api.example.com");
}

#[test]
fn https_without_a_certificate_creates_one_validated_in_the_zone() {
    let mut app = App::new();
    let web = fargate(
        &mut app,
        LoadBalancerOptions {
            protocol: Some(Protocol::Https),
            redirect_http: true,
            domain_name: Some("api.example.com".into()),
            domain_zone: Some(zone()),
            ..Default::default()
        },
    );
    let cert = web.certificate().expect("a certificate");
    assert_eq!(app.path(cert.cfn()), "Web/Api/Certificate/Resource");
    let t = template(&mut app);
    let cert_id = id(&["Api", "Certificate", "Resource"]);
    assert_eq!(
        t.resource(&cert_id).unwrap()["Properties"],
        json!({
            "DomainName": "api.example.com",
            "DomainValidationOptions": [{"DomainName": "api.example.com", "HostedZoneId": ZONE_ID}],
            "ValidationMethod": "DNS",
        })
    );
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        pattern!({"Port": 443, "Protocol": "HTTPS", "Certificates": [{"CertificateArn": {"Ref": cert_id}}]}),
    );
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        pattern!({"Port": 80, "Protocol": "HTTP", "DefaultActions": [{"Type": "redirect"}]}),
    );
    t.resource_count_is("AWS::Route53::RecordSet", 1);
    assert_eq!(service_url(&t), "https://api.example.com");
    support::lint(app);
}

#[test]
fn the_ec2_pattern_gets_the_record_too() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let cluster = Cluster::new(&mut app, s, "Cluster", ClusterProps::default()).unwrap();
    let capacity = cluster
        .add_capacity(&mut app, "Capacity", AddCapacityOptions::new("t3.small"))
        .unwrap();
    let mut props = ApplicationLoadBalancedEc2ServiceProps::new(cluster, nginx());
    props.capacity_provider_strategies = vec![capacity.strategy(1)];
    props.load_balancer.domain_name = Some("www".into());
    props.load_balancer.domain_zone = Some(zone());
    props.load_balancer.public_load_balancer = false;
    let web = ApplicationLoadBalancedEc2Service::new(&mut app, s, "Api", props).unwrap();
    assert_eq!(
        web.dns_record().unwrap().fully_qualified_name(&app),
        "www.example.com."
    );
    let t = template(&mut app);
    t.has_resource_properties(
        "AWS::Route53::RecordSet",
        pattern!({
            "Name": "www.example.com.",
            "AliasTarget": {"HostedZoneId": {"Fn::GetAtt": [id(&["Api", "LB", "Resource"]), "CanonicalHostedZoneID"]},
                "EvaluateTargetHealth": Match::absent()},
        }),
    );
    assert_eq!(service_url(&t), "http://www.example.com");
    support::lint(app);
}

#[test]
fn without_a_domain_nothing_changes() {
    let mut app = App::new();
    let web = fargate(
        &mut app,
        LoadBalancerOptions {
            // A zone alone creates nothing (as CDK).
            domain_zone: Some(zone()),
            ..Default::default()
        },
    );
    assert!(web.dns_record().is_none());
    let t = template(&mut app);
    t.resource_count_is("AWS::Route53::RecordSet", 0);
    t.resource_count_is("AWS::CertificateManager::Certificate", 0);
    assert_eq!(
        service_url(&t),
        json!({"Fn::Join": ["", ["http://", {"Fn::GetAtt": [id(&["Api", "LB", "Resource"]), "DNSName"]}]]})
    );
}

#[test]
fn misuse_is_refused() {
    let err = |o: LoadBalancerOptions| {
        let mut app = App::new();
        let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
        ApplicationLoadBalancedFargateService::new(
            &mut app,
            s,
            "Api",
            ApplicationLoadBalancedFargateServiceProps {
                load_balancer: o,
                ..ApplicationLoadBalancedFargateServiceProps::new(nginx())
            },
        )
        .unwrap_err()
        .to_string()
    };
    assert_eq!(
        err(LoadBalancerOptions {
            domain_name: Some("api.example.com".into()),
            ..Default::default()
        }),
        "Web/Api: domain_zone: a Route 53 hosted zone is required to configure the domain name api.example.com: give domain_zone (e.g. route53::HostedZone::from_attributes)"
    );
    assert_eq!(
        err(LoadBalancerOptions {
            protocol: Some(Protocol::Https),
            ..Default::default()
        }),
        "Web/Api: protocol: HTTPS without a certificate needs domain_name and domain_zone, to create a certificate validated through DNS in that zone; or give a certificate"
    );
    assert_eq!(
        err(LoadBalancerOptions {
            protocol: Some(Protocol::Http),
            certificate: Some(ListenerCertificate::from_arn(CERT)),
            ..Default::default()
        }),
        "Web/Api: protocol: a certificate needs the HTTPS protocol; leave protocol out or set it to HTTPS"
    );
    assert_eq!(
        err(LoadBalancerOptions {
            protocol: Some(Protocol::Tcp),
            ..Default::default()
        }),
        "Web/Api: protocol: an application load balancer listens on HTTP or HTTPS, not TCP"
    );
    assert!(err(LoadBalancerOptions {
        domain_name: Some("my api".into()),
        domain_zone: Some(zone()),
        ..Default::default()
    })
    .contains("invalid domain name \"my api\""));
}
