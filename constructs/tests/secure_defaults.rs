//! berth's secure defaults (issue 23), each with its one-line opt-out: Container
//! Insights (enhanced) on new clusters, immutable ECR tags (with exclusions for teams
//! that push `latest`), a TLS 1.2+ policy on HTTPS listeners, invalid header fields
//! dropped by ALBs, a retention on log groups, KMS keys in one line.

use berth_constructs::certificatemanager::{Certificate, CertificateProps};
use berth_constructs::ec2::{Vpc, VpcProps};
use berth_constructs::ecr::{Repository, RepositoryProps, TagMutability};
use berth_constructs::ecs::{Cluster, ClusterProps, ContainerInsights};
use berth_constructs::elbv2::{
    ApplicationLoadBalancer, ApplicationLoadBalancerProps, ListenerAction, ListenerCertificate,
    ListenerProps, DEFAULT_SSL_POLICY,
};
use berth_constructs::{App, Stack, StackProps};
use serde_json::{json, Value};

fn resources_of(app: &mut App, ty: &str) -> Vec<Value> {
    let out = app.synth().unwrap();
    out.stacks[0].template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == ty)
        .map(|r| r["Properties"].clone())
        .collect()
}

#[test]
fn clusters_have_enhanced_container_insights_unless_turned_off(
) -> Result<(), Box<dyn std::error::Error>> {
    let mut app = App::new();
    let s = Stack::new(&mut app, "S", StackProps::default())?;
    Cluster::new(&mut app, s, "On", ClusterProps::default())?;
    Cluster::new(
        &mut app,
        s,
        "Off",
        ClusterProps::default().container_insights(ContainerInsights::Disabled),
    )?;
    let settings: Vec<Value> = resources_of(&mut app, "AWS::ECS::Cluster")
        .into_iter()
        .map(|p| p["ClusterSettings"].clone())
        .collect();
    assert_eq!(
        settings,
        [
            json!([{"Name": "containerInsights", "Value": "enhanced"}]),
            json!([{"Name": "containerInsights", "Value": "disabled"}])
        ]
    );
    Ok(())
}

#[test]
fn repositories_have_immutable_tags_with_exclusions_on_request(
) -> Result<(), Box<dyn std::error::Error>> {
    let mut app = App::new();
    let s = Stack::new(&mut app, "S", StackProps::default())?;
    Repository::new(&mut app, s, "Default", RepositoryProps::default())?;
    Repository::new(
        &mut app,
        s,
        "Mutable",
        RepositoryProps::default().image_tag_mutability(TagMutability::Mutable),
    )?;
    Repository::new(
        &mut app,
        s,
        "Latest",
        RepositoryProps::default()
            .image_tag_mutability(TagMutability::ImmutableWithExclusion)
            .tag_mutability_exclusions(["latest"]),
    )?;
    let props = resources_of(&mut app, "AWS::ECR::Repository");
    assert_eq!(props[0]["ImageTagMutability"], "IMMUTABLE");
    assert_eq!(
        props[0]["ImageScanningConfiguration"],
        json!({"ScanOnPush": true})
    );
    assert_eq!(props[1]["ImageTagMutability"], "MUTABLE");
    assert_eq!(props[2]["ImageTagMutability"], "IMMUTABLE_WITH_EXCLUSION");
    assert_eq!(
        props[2]["ImageTagMutabilityExclusionFilters"],
        json!([{"ImageTagMutabilityExclusionFilterType": "WILDCARD", "ImageTagMutabilityExclusionFilterValue": "latest"}])
    );
    Ok(())
}

#[test]
fn exclusions_need_immutable_with_exclusion_and_the_other_way_round(
) -> Result<(), Box<dyn std::error::Error>> {
    let mut app = App::new();
    let s = Stack::new(&mut app, "S", StackProps::default())?;
    let err = Repository::new(
        &mut app,
        s,
        "A",
        RepositoryProps::default().image_tag_mutability(TagMutability::ImmutableWithExclusion),
    )
    .unwrap_err();
    assert_eq!(
        (err.path.as_str(), err.property.as_deref()),
        ("S/A", Some("tag_mutability_exclusions"))
    );
    let err = Repository::new(
        &mut app,
        s,
        "B",
        RepositoryProps::default().tag_mutability_exclusions(["latest"]),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("apply only with image_tag_mutability ImmutableWithExclusion"),
        "{err}"
    );
    Ok(())
}

#[test]
fn https_listeners_default_to_tls_1_2_or_newer_and_albs_drop_invalid_headers(
) -> Result<(), Box<dyn std::error::Error>> {
    let mut app = App::new();
    let s = Stack::new(&mut app, "S", StackProps::default())?;
    let vpc = Vpc::new(&mut app, s, "Vpc", VpcProps::default())?;
    let lb = ApplicationLoadBalancer::new(
        &mut app,
        s,
        "Lb",
        &vpc,
        ApplicationLoadBalancerProps::default().internet_facing(true),
    )?;
    let cert = Certificate::new(
        &mut app,
        s,
        "Cert",
        CertificateProps::new("app.example.com"),
    )?;
    let fixed = || ListenerAction::fixed_response(200, None, None);
    lb.add_listener(
        &mut app,
        "Https",
        ListenerProps::default()
            .certificates([ListenerCertificate::from(cert)])
            .default_action(fixed()),
    )?;
    lb.add_listener(
        &mut app,
        "Legacy",
        ListenerProps::default()
            .port(8443)
            .certificates([ListenerCertificate::from(cert)])
            .ssl_policy("ELBSecurityPolicy-TLS13-1-3-2021-06")
            .default_action(fixed()),
    )?;
    lb.add_listener(
        &mut app,
        "Http",
        ListenerProps::default().port(80).default_action(fixed()),
    )?;
    let out = app.synth()?;
    let res = out.stacks[0].template["Resources"].as_object().unwrap();
    let listeners: Vec<&Value> = res
        .values()
        .filter(|r| r["Type"] == "AWS::ElasticLoadBalancingV2::Listener")
        .collect();
    assert_eq!(listeners[0]["Properties"]["SslPolicy"], DEFAULT_SSL_POLICY);
    assert_eq!(DEFAULT_SSL_POLICY, "ELBSecurityPolicy-TLS13-1-2-2021-06");
    assert_eq!(
        listeners[1]["Properties"]["SslPolicy"],
        "ELBSecurityPolicy-TLS13-1-3-2021-06"
    );
    assert!(
        listeners[2]["Properties"].get("SslPolicy").is_none(),
        "HTTP has no policy"
    );
    let lb = res
        .values()
        .find(|r| r["Type"] == "AWS::ElasticLoadBalancingV2::LoadBalancer")
        .unwrap();
    let attrs = lb["Properties"]["LoadBalancerAttributes"]
        .as_array()
        .unwrap();
    assert!(attrs.contains(
        &json!({"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"})
    ));
    Ok(())
}
