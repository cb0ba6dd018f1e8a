use super::*;
use crate::ec2::{SubnetSelection, SubnetType, Vpc, VpcProps};
use crate::{App, Stack, StackProps};

fn setup() -> (App, Stack, Vpc) {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let vpc = Vpc::new(&mut app, s, "Vpc", VpcProps::default()).unwrap();
    (app, s, vpc)
}

fn alb(app: &mut App, s: Stack, vpc: &Vpc) -> ApplicationLoadBalancer {
    ApplicationLoadBalancer::new(app, s, "LB", vpc, ApplicationLoadBalancerProps::default())
        .unwrap()
}

fn synth_error(app: &mut App) -> String {
    app.synth().unwrap_err().to_string()
}

#[test]
fn duplicate_rule_priorities_name_the_listener_and_both_rules() {
    let (mut app, s, vpc) = setup();
    let lb = alb(&mut app, s, &vpc);
    let http = lb
        .add_listener(
            &mut app,
            "Http",
            ListenerProps {
                default_action: Some(ListenerAction::fixed_response(404, None, None)),
                ..Default::default()
            },
        )
        .unwrap();
    for (id, path) in [
        ("Api", "/api/*"),
        ("Admin", "/admin/*"),
        ("Docs", "/docs/*"),
    ] {
        http.add_action(
            &mut app,
            id,
            AddActionProps {
                action: ListenerAction::fixed_response(200, None, None),
                priority: Some(if id == "Docs" { 20 } else { 10 }),
                conditions: vec![ListenerCondition::path_patterns([path])],
            },
        )
        .unwrap();
    }
    assert_eq!(
        synth_error(&mut app),
        "synthesis failed with 1 error:\n  error[BERTH-E0400] Web/LB/Http: Priority: priority 10 is used by two rules, Web/LB/Http/ApiRule and Web/LB/Http/AdminRule; give each rule of a listener its own priority"
    );
}

#[test]
fn the_same_priority_on_two_listeners_is_fine() {
    let (mut app, s, vpc) = setup();
    let lb = alb(&mut app, s, &vpc);
    for (id, port) in [("A", 80), ("B", 8080)] {
        let l = lb
            .add_listener(
                &mut app,
                id,
                ListenerProps {
                    port: Some(port),
                    default_action: Some(ListenerAction::fixed_response(404, None, None)),
                    ..Default::default()
                },
            )
            .unwrap();
        l.add_rule(
            &mut app,
            "Rule",
            5,
            vec![ListenerCondition::host_headers(["a.example.com"])],
            ListenerAction::fixed_response(200, None, None),
        )
        .unwrap();
    }
    let out = app.synth().unwrap();
    let res = out.stacks[0].template["Resources"].as_object().unwrap();
    let rules = res
        .values()
        .filter(|r| r["Type"] == "AWS::ElasticLoadBalancingV2::ListenerRule")
        .count();
    assert_eq!(rules, 2);
}

#[test]
fn a_listener_without_a_default_action_fails_synth() {
    let (mut app, s, vpc) = setup();
    let lb = alb(&mut app, s, &vpc);
    lb.add_listener(&mut app, "Http", ListenerProps::default())
        .unwrap();
    assert_eq!(
        synth_error(&mut app),
        "synthesis failed with 2 errors:\n  error[BERTH-E0402] Web/LB/Http: the listener has no default action; give ListenerProps::default_action, or call add_targets or add_action without a priority\n  error[BERTH-E0200] Web/LB/Http/Resource: missing required property \"DefaultActions\" (LBHttp4F52EE23, AWS::ElasticLoadBalancingV2::Listener)"
    );
}

#[test]
fn protocols_must_match_the_load_balancer() {
    let (mut app, s, vpc) = setup();
    let lb = alb(&mut app, s, &vpc);
    let err = lb
        .add_listener(
            &mut app,
            "Tcp",
            ListenerProps {
                port: Some(5432),
                protocol: Some(Protocol::Tcp),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/LB/Tcp: protocol: protocol TCP is not allowed on an application load balancer; use one of: HTTP, HTTPS"
    );
    let nlb = NetworkLoadBalancer::new(&mut app, s, "Nlb", &vpc, Default::default()).unwrap();
    let err = nlb
        .add_listener(&mut app, "NoPort", ListenerProps::default())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/Nlb/NoPort: port: a TCP listener needs a port"
    );
    let tcp = nlb
        .add_listener(
            &mut app,
            "Tcp",
            ListenerProps {
                port: Some(80),
                ..Default::default()
            },
        )
        .unwrap();
    let http_tg =
        TargetGroup::new(&mut app, s, "HttpTg", &vpc, TargetGroupProps::default()).unwrap();
    let err = tcp
        .set_default_action(&mut app, ListenerAction::forward(http_tg))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/Nlb/Tcp: target_group.protocol: protocol HTTP is not allowed on a network load balancer; use one of: TCP, TLS, UDP, TCP_UDP"
    );
}

#[test]
fn https_needs_a_certificate_and_http_takes_none() {
    let (mut app, s, vpc) = setup();
    let lb = alb(&mut app, s, &vpc);
    let err = lb
        .add_listener(
            &mut app,
            "Https",
            ListenerProps {
                protocol: Some(Protocol::Https),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/LB/Https: certificates: a HTTPS listener needs at least one certificate; give a certificate ARN or a Certificate"
    );
    let err = lb
        .add_listener(
            &mut app,
            "Http",
            ListenerProps {
                protocol: Some(Protocol::Http),
                ssl_policy: Some("ELBSecurityPolicy-TLS13-1-2-2021-06".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(err
        .to_string()
        .contains("a HTTP listener takes no certificates or SSL policy"));
}

#[test]
fn internet_facing_needs_public_subnets() {
    let (mut app, s, vpc) = setup();
    let err = ApplicationLoadBalancer::new(
        &mut app,
        s,
        "LB",
        &vpc,
        ApplicationLoadBalancerProps {
            internet_facing: true,
            vpc_subnets: Some(SubnetSelection::of_type(SubnetType::PrivateWithEgress)),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/LB: vpc_subnets: an internet-facing load balancer needs public subnets; select public subnets or set internet_facing to false"
    );
}

#[test]
fn an_internal_alb_sits_in_private_subnets_and_opens_nothing_when_closed() {
    let (mut app, s, vpc) = setup();
    let lb = alb(&mut app, s, &vpc);
    lb.add_listener(
        &mut app,
        "Http",
        ListenerProps {
            open: false,
            default_action: Some(ListenerAction::fixed_response(200, None, None)),
            ..Default::default()
        },
    )
    .unwrap();
    let out = app.synth().unwrap();
    let res = &out.stacks[0].template["Resources"];
    let lb_props = &res["LB8A12904C"]["Properties"];
    assert_eq!(lb_props["Scheme"], "internal");
    assert!(lb_props["Subnets"][0]["Ref"]
        .as_str()
        .unwrap()
        .starts_with("VpcPrivateSubnet1"));
    let sg = res
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| k.starts_with("LBSecurityGroup"))
        .unwrap()
        .1;
    assert!(sg["Properties"]["SecurityGroupIngress"].is_null());
}

#[test]
fn target_types_cannot_mix_in_one_group() {
    struct Instance;
    impl LoadBalancerTarget for Instance {
        fn attach_to_target_group(
            &self,
            _app: &mut App,
            _tg: &TargetGroupInfo,
        ) -> crate::error::Result<TargetAttachment> {
            Ok(TargetAttachment::new(TargetType::Instance, 80))
        }
    }
    let (mut app, s, vpc) = setup();
    let tg = TargetGroup::new(&mut app, s, "Tg", &vpc, TargetGroupProps::default()).unwrap();
    tg.add_target(&mut app, &IpTarget::new("10.0.0.1", 80))
        .unwrap();
    let err = tg.add_target(&mut app, &Instance).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/Tg: target_type: a target of type instance cannot join a target group of type ip; register targets of one type per group"
    );
}

#[test]
fn a_target_group_without_port_or_targets_fails_synth() {
    let (mut app, s, vpc) = setup();
    TargetGroup::new(&mut app, s, "Tg", &vpc, TargetGroupProps::default()).unwrap();
    assert_eq!(
        synth_error(&mut app),
        "synthesis failed with 1 error:\n  error[BERTH-E0403] Web/Tg: Port: the target group has no port; give TargetGroupProps::port or register a target"
    );
}

#[test]
fn health_check_timeout_must_be_shorter_than_interval() {
    let (mut app, s, vpc) = setup();
    let err = TargetGroup::new(
        &mut app,
        s,
        "Tg",
        &vpc,
        TargetGroupProps {
            port: Some(80),
            health_check: HealthCheck {
                interval_seconds: Some(10),
                timeout_seconds: Some(10),
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/Tg: health_check.timeout_seconds: the health check timeout (10 s) must be shorter than its interval (10 s)"
    );
}

#[test]
fn targets_added_before_the_listener_are_opened_when_it_forwards() {
    use crate::ec2::{Connections, SecurityGroup, SecurityGroupProps};
    struct Svc(SecurityGroup);
    impl LoadBalancerTarget for Svc {
        fn attach_to_target_group(
            &self,
            _app: &mut App,
            _tg: &TargetGroupInfo,
        ) -> crate::error::Result<TargetAttachment> {
            Ok(TargetAttachment {
                connections: Some(Connections::new(vec![self.0])),
                ..TargetAttachment::new(TargetType::Ip, 3000)
            })
        }
    }
    let (mut app, s, vpc) = setup();
    let sg = SecurityGroup::new(&mut app, s, "Sg", &vpc, SecurityGroupProps::default()).unwrap();
    let tg = TargetGroup::new(&mut app, s, "Tg", &vpc, TargetGroupProps::default()).unwrap();
    tg.add_target(&mut app, &Svc(sg)).unwrap();
    let lb = alb(&mut app, s, &vpc);
    lb.add_listener(
        &mut app,
        "Http",
        ListenerProps {
            default_action: Some(ListenerAction::forward(tg)),
            ..Default::default()
        },
    )
    .unwrap();
    let out = app.synth().unwrap();
    let res = out.stacks[0].template["Resources"].as_object().unwrap();
    let ingress: Vec<_> = res
        .values()
        .filter(|r| r["Type"] == "AWS::EC2::SecurityGroupIngress")
        .collect();
    assert_eq!(ingress.len(), 1);
    assert_eq!(ingress[0]["Properties"]["FromPort"], 3000);
    assert_eq!(ingress[0]["Properties"]["ToPort"], 3000);
}

#[test]
fn dynamic_host_ports_force_the_traffic_port() {
    struct Bridge;
    impl LoadBalancerTarget for Bridge {
        fn attach_to_target_group(
            &self,
            _app: &mut App,
            _tg: &TargetGroupInfo,
        ) -> crate::error::Result<TargetAttachment> {
            Ok(TargetAttachment {
                dynamic_host_ports: true,
                ..TargetAttachment::new(TargetType::Instance, 80)
            })
        }
    }
    let (mut app, s, vpc) = setup();
    let tg = TargetGroup::new(&mut app, s, "Tg", &vpc, TargetGroupProps::default()).unwrap();
    tg.add_target(&mut app, &Bridge).unwrap();
    assert_eq!(
        app.resource(tg.cfn()).health_check_port,
        Some(berth_synth::Expr::Lit("traffic-port".to_string()))
    );
    let fixed = TargetGroup::new(
        &mut app,
        s,
        "Fixed",
        &vpc,
        TargetGroupProps {
            health_check: HealthCheck {
                port: Some(80),
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .unwrap();
    fixed.add_target(&mut app, &Bridge).unwrap();
    assert_eq!(
        synth_error(&mut app),
        "synthesis failed with 1 error:\n  error[BERTH-E0401] Web/Fixed: HealthCheckPort: health check port 80 cannot be used: the targets listen on dynamic host ports; leave the port unset (traffic port)"
    );
}

#[test]
fn forwarding_to_two_groups_uses_a_forward_config() {
    let (mut app, s, vpc) = setup();
    let lb = alb(&mut app, s, &vpc);
    let blue = TargetGroup::new(
        &mut app,
        s,
        "Blue",
        &vpc,
        TargetGroupProps {
            port: Some(80),
            ..Default::default()
        },
    )
    .unwrap();
    let green = TargetGroup::new(
        &mut app,
        s,
        "Green",
        &vpc,
        TargetGroupProps {
            port: Some(80),
            ..Default::default()
        },
    )
    .unwrap();
    lb.add_listener(
        &mut app,
        "Http",
        ListenerProps {
            default_action: Some(ListenerAction::Forward(vec![blue, green])),
            ..Default::default()
        },
    )
    .unwrap();
    let out = app.synth().unwrap();
    let res = &out.stacks[0].template["Resources"];
    let listener = berth_synth::logical_id::make_unique_id(&["LB", "Http", "Resource"]).unwrap();
    let action = &res[&listener]["Properties"]["DefaultActions"][0];
    assert_eq!(action["Type"], "forward");
    let groups = action["ForwardConfig"]["TargetGroups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0]["Weight"], 1);
    let blue_id = berth_synth::logical_id::make_unique_id(&["Blue", "Resource"]).unwrap();
    assert_eq!(groups[0]["TargetGroupArn"]["Ref"], blue_id);
}

#[test]
fn network_listeners_only_forward() {
    let (mut app, s, vpc) = setup();
    let nlb = NetworkLoadBalancer::new(&mut app, s, "Nlb", &vpc, Default::default()).unwrap();
    let err = nlb
        .add_listener(
            &mut app,
            "Tcp",
            ListenerProps {
                port: Some(80),
                default_action: Some(ListenerAction::fixed_response(200, None, None)),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/Nlb/Tcp: action: a network listener can only forward; fixed responses and redirects need an application load balancer"
    );
}

#[test]
fn deletion_protection_idle_timeout_and_names() {
    let (mut app, s, vpc) = setup();
    let lb = ApplicationLoadBalancer::new(
        &mut app,
        s,
        "LB",
        &vpc,
        ApplicationLoadBalancerProps {
            deletion_protection: true,
            idle_timeout_seconds: Some(300),
            drop_invalid_header_fields: false,
            load_balancer_name: Some("web-lb".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let p = app.resource(lb.cfn());
    let Some(berth_synth::Expr::Lit(attrs)) = &p.load_balancer_attributes else {
        panic!("no attributes")
    };
    let pairs: Vec<(String, String)> = attrs
        .iter()
        .map(|a| match (&a.key, &a.value) {
            (Some(berth_synth::Expr::Lit(k)), Some(berth_synth::Expr::Lit(v))) => {
                (k.clone(), v.clone())
            }
            _ => panic!("attribute not literal"),
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("deletion_protection.enabled".into(), "true".into()),
            (
                "routing.http.drop_invalid_header_fields.enabled".into(),
                "false".into()
            ),
            ("idle_timeout.timeout_seconds".into(), "300".into()),
        ]
    );
    let err = ApplicationLoadBalancer::new(
        &mut app,
        s,
        "Bad",
        &vpc,
        ApplicationLoadBalancerProps {
            idle_timeout_seconds: Some(0),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/Bad: idle_timeout_seconds: idle timeout 0 is out of range; allowed: 1 to 4000 seconds"
    );
    let err = NetworkLoadBalancer::new(
        &mut app,
        s,
        "Nlb",
        &vpc,
        NetworkLoadBalancerProps {
            load_balancer_name: Some("internal-db".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(err
        .to_string()
        .starts_with("Web/Nlb: load_balancer_name: invalid load balancer name \"internal-db\""));
}
