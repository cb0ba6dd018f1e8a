//! Load balancing, service discovery and auto scaling L2s, as the ECS services will
//! use them: an internet-facing ALB with an HTTP→HTTPS redirect, an HTTPS listener
//! with a DNS-validated certificate, rules, a service-like target registered through
//! `LoadBalancerTarget`, an NLB with IP targets, Cloud Map services with A and SRV
//! records, and a scalable task count with every kind of policy. Checked with
//! `berth-assertions`; every template also passes the schema validation of
//! `App::synth` and cfn-lint with zero errors and warnings.
//!
//! cfn-lint is looked up at `$BERTH_CFN_LINT`, then `<workspace>/.venv/bin/cfn-lint`
//! (`support::cfn_lint`); the test fails when neither exists.

mod support;
use support::lint;

use berth_assertions::{pattern, Capture, Match, Template};
use berth_constructs::appscaling::{
    CronOptions, Metric, RequestCountScalingProps, ScalableTaskCount, ScalableTaskCountProps,
    ScalingInterval, ScalingSchedule, Schedule, StepScalingProps, UtilizationScalingProps,
};
use berth_constructs::certificatemanager::{Certificate, CertificateProps};
use berth_constructs::ec2::{Connections, SecurityGroup, SecurityGroupProps, Vpc, VpcProps};
use berth_constructs::elbv2::{
    AddActionProps, AddTargetsProps, ApplicationLoadBalancer, ApplicationLoadBalancerProps,
    HealthCheck, IpTarget, ListenerAction, ListenerCertificate, ListenerCondition, ListenerProps,
    LoadBalancerTarget, NetworkLoadBalancer, NetworkLoadBalancerProps, Protocol, RedirectProps,
    TargetAttachment, TargetGroup, TargetGroupInfo, TargetType,
};
use berth_constructs::servicediscovery::{
    DnsRecordType, PrivateDnsNamespace, PrivateDnsNamespaceProps, ServiceProps,
};
use berth_constructs::{App, ConstructError, Stack, StackProps};
use serde_json::json;
use std::time::Duration;

/// A stand-in for an ECS service in awsvpc mode: a security group, a container port
/// and the mapped ports, attached the way the ECS service will be.
struct FakeService {
    security_group: SecurityGroup,
    container_port: u16,
    mapped_ports: Vec<u16>,
}

impl LoadBalancerTarget for FakeService {
    fn attach_to_target_group(
        &self,
        _app: &mut App,
        target_group: &TargetGroupInfo,
    ) -> Result<TargetAttachment, ConstructError> {
        // The real service records (container, port, target_group_arn) in its
        // LoadBalancers and depends on target_group.dependencies.
        assert!(!target_group.dependencies.is_empty());
        Ok(TargetAttachment {
            health_check_ports: self.mapped_ports.clone(),
            connections: Some(Connections::new(vec![self.security_group])),
            ..TargetAttachment::new(TargetType::Ip, self.container_port)
        })
    }
}

fn vpc(app: &mut App, s: Stack) -> Vpc {
    Vpc::new(
        app,
        s,
        "Vpc",
        VpcProps {
            nat_gateways: Some(1),
            availability_zones: vec!["us-east-1a".into(), "us-east-1b".into()],
            ..Default::default()
        },
    )
    .unwrap()
}

struct Web {
    app: App,
    target_group: TargetGroup,
}

fn web_app() -> Web {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let vpc = vpc(&mut app, s);
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
    let cert = Certificate::new(
        &mut app,
        s,
        "Certificate",
        CertificateProps {
            hosted_zone_id: Some("Z0123456789ABCDEFGHIJ".into()),
            ..CertificateProps::new("app.example.com")
        },
    )
    .unwrap();
    lb.add_redirect(&mut app, RedirectProps::default()).unwrap();
    let https = lb
        .add_listener(
            &mut app,
            "PublicListener",
            ListenerProps {
                certificates: vec![ListenerCertificate::from(cert)],
                ssl_policy: Some("ELBSecurityPolicy-TLS13-1-2-2021-06".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let sg = SecurityGroup::new(
        &mut app,
        s,
        "ServiceSecurityGroup",
        &vpc,
        SecurityGroupProps::default(),
    )
    .unwrap();
    let service = FakeService {
        security_group: sg,
        container_port: 8080,
        mapped_ports: vec![8080, 9090],
    };
    let tg = https
        .add_targets(
            &mut app,
            "ECS",
            AddTargetsProps {
                targets: vec![&service],
                health_check: HealthCheck {
                    path: Some("/health".into()),
                    healthy_http_codes: Some("200-299".into()),
                    interval_seconds: Some(10),
                    timeout_seconds: Some(5),
                    ..Default::default()
                },
                deregistration_delay_seconds: Some(30),
                ..Default::default()
            },
        )
        .unwrap();
    https
        .add_action(
            &mut app,
            "Api",
            AddActionProps {
                action: ListenerAction::fixed_response(
                    503,
                    Some("application/json"),
                    Some("{\"error\":\"maintenance\"}"),
                ),
                priority: Some(10),
                conditions: vec![
                    ListenerCondition::path_patterns(["/api/*"]),
                    ListenerCondition::host_headers(["app.example.com"]),
                ],
            },
        )
        .unwrap();

    let count = ScalableTaskCount::new(
        &mut app,
        s,
        "TaskCount",
        ScalableTaskCountProps {
            cluster_name: "main".into(),
            service_name: "web".into(),
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
                scale_in_cooldown_seconds: Some(120),
                ..Default::default()
            },
        )
        .unwrap();
    count
        .scale_on_memory_utilization(
            &mut app,
            "MemoryScaling",
            UtilizationScalingProps {
                target_utilization_percent: 75.0,
                ..Default::default()
            },
        )
        .unwrap();
    count
        .scale_on_request_count(
            &mut app,
            "RequestScaling",
            RequestCountScalingProps {
                requests_per_target: 1000,
                target_group: tg,
                scale_in_cooldown_seconds: None,
                scale_out_cooldown_seconds: Some(60),
                disable_scale_in: false,
                policy_name: None,
            },
        )
        .unwrap();
    count
        .scale_on_schedule(
            &mut app,
            "BusinessHours",
            ScalingSchedule {
                min_capacity: Some(4),
                max_capacity: Some(10),
                time_zone: Some("Europe/Paris".into()),
                ..ScalingSchedule::new(Schedule::cron(CronOptions {
                    minute: Some("0".into()),
                    hour: Some("8".into()),
                    week_day: Some("MON-FRI".into()),
                    ..Default::default()
                }))
            },
        )
        .unwrap();
    count
        .scale_on_schedule(
            &mut app,
            "Hourly",
            ScalingSchedule {
                min_capacity: Some(2),
                ..ScalingSchedule::new(Schedule::rate(Duration::from_secs(3600)))
            },
        )
        .unwrap();
    count
        .scale_on_metric(
            &mut app,
            "QueueScaling",
            StepScalingProps {
                cooldown_seconds: Some(60),
                ..StepScalingProps::new(
                    Metric::new("AWS/SQS", "ApproximateNumberOfMessagesVisible")
                        .with_dimension("QueueName", "jobs"),
                    vec![
                        ScalingInterval {
                            lower: None,
                            upper: Some(0.0),
                            change: -1,
                        },
                        ScalingInterval {
                            lower: Some(100.0),
                            upper: Some(500.0),
                            change: 1,
                        },
                        ScalingInterval {
                            lower: Some(500.0),
                            upper: None,
                            change: 3,
                        },
                    ],
                )
            },
        )
        .unwrap();
    Web {
        app,
        target_group: tg,
    }
}

fn template(app: &mut App, stack: &str) -> Template {
    let out = app.synth().unwrap_or_else(|e| panic!("synth failed: {e}"));
    let s = out.stack(stack).unwrap();
    Template::from_json(s.template.clone()).unwrap()
}

#[test]
fn the_listener_forwards_to_the_target_group_on_the_targets_port() {
    let Web {
        mut app,
        target_group,
    } = web_app();
    assert_eq!(app.path(target_group), "Web/LB/PublicListener/ECSGroup");
    let t = template(&mut app, "Web");
    let tg = Capture::new();
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        pattern!({
            "Port": 443, "Protocol": "HTTPS",
            "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": tg}}],
            "Certificates": [{"CertificateArn": {"Ref": (Match::string_like_regexp("^Certificate[0-9A-F]{8}$"))}}],
        }),
    );
    let tg = t.resource(&tg.as_string()).unwrap();
    assert_eq!(tg["Type"], "AWS::ElasticLoadBalancingV2::TargetGroup");
    let p = &tg["Properties"];
    assert_eq!(p["Port"], 8080);
    assert_eq!(p["Protocol"], "HTTP");
    assert_eq!(p["TargetType"], "ip");
    assert_eq!(p["HealthCheckPath"], "/health");
    assert_eq!(p["Matcher"], json!({"HttpCode": "200-299"}));
    assert_eq!(
        p["TargetGroupAttributes"],
        json!([
            {"Key": "deregistration_delay.timeout_seconds", "Value": "30"},
            {"Key": "stickiness.enabled", "Value": "false"},
        ])
    );
}

#[test]
fn only_the_load_balancer_reaches_the_target_and_only_on_its_port() {
    let Web { mut app, .. } = web_app();
    let t = template(&mut app, "Web");
    // One ingress resource in the whole stack: LB group → service group on 8080.
    t.resource_count_is("AWS::EC2::SecurityGroupIngress", 1);
    let source = Capture::new();
    let target = Capture::new();
    t.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        pattern!({
            "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
            "Description": "Load balancer to target",
            "GroupId": {"Fn::GetAtt": [target, "GroupId"]},
            "SourceSecurityGroupId": {"Fn::GetAtt": [source, "GroupId"]},
        }),
    );
    assert!(source.as_string().starts_with("LBSecurityGroup"));
    assert!(target.as_string().starts_with("ServiceSecurityGroup"));
    // The service group has no inline ingress.
    t.has_resource_properties(
        "AWS::EC2::SecurityGroup",
        pattern!({"GroupDescription": "Web/ServiceSecurityGroup", "SecurityGroupIngress": (Match::absent())}),
    );
    // The load balancer may send to the service on 8080 only (its group allows no
    // other outbound traffic).
    t.resource_count_is("AWS::EC2::SecurityGroupEgress", 1);
    t.has_resource_properties(
        "AWS::EC2::SecurityGroupEgress",
        pattern!({
            "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
            "GroupId": {"Fn::GetAtt": [(source.as_string()), "GroupId"]},
            "DestinationSecurityGroupId": {"Fn::GetAtt": [(target.as_string()), "GroupId"]},
        }),
    );
}

#[test]
fn an_internet_facing_alb_is_open_on_its_listener_ports_only() {
    let Web { mut app, .. } = web_app();
    let t = template(&mut app, "Web");
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        pattern!({
            "Scheme": "internet-facing",
            "Type": "application",
            "LoadBalancerAttributes": (Match::exact(json!([
                {"Key": "deletion_protection.enabled", "Value": "false"},
                {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
            ]))),
            "Subnets": [{"Ref": (Match::string_like_regexp("^VpcPublicSubnet1Subnet"))},
                        {"Ref": (Match::string_like_regexp("^VpcPublicSubnet2Subnet"))}],
        }),
    );
    // As CDK: the load balancer waits for the public subnets' internet routes.
    let lbs = t.find_resources("AWS::ElasticLoadBalancingV2::LoadBalancer", json!({}));
    let deps: Vec<&str> = lbs.values().next().unwrap()["DependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(deps.len(), 2, "{deps:?}");
    assert!(
        deps[0].starts_with("VpcPublicSubnet1DefaultRoute"),
        "{deps:?}"
    );
    assert!(
        deps[1].starts_with("VpcPublicSubnet2DefaultRoute"),
        "{deps:?}"
    );
    t.has_resource_properties(
        "AWS::EC2::SecurityGroup",
        pattern!({
            "GroupDescription": (Match::string_like_regexp("^Automatically created Security Group for ELB WebLB")),
            "SecurityGroupIngress": (Match::exact(json!([
                {"CidrIp": "0.0.0.0/0", "Description": "Allow from anyone on port 80",
                 "FromPort": 80, "IpProtocol": "tcp", "ToPort": 80},
                {"CidrIp": "0.0.0.0/0", "Description": "Allow from anyone on port 443",
                 "FromPort": 443, "IpProtocol": "tcp", "ToPort": 443},
            ]))),
            "SecurityGroupEgress": (Match::exact(json!([
                {"CidrIp": "255.255.255.255/32", "Description": "Disallow all traffic",
                 "FromPort": 252, "IpProtocol": "icmp", "ToPort": 86},
            ]))),
        }),
    );
}

#[test]
fn http_redirects_to_https() {
    let Web { mut app, .. } = web_app();
    let t = template(&mut app, "Web");
    t.resource_count_is("AWS::ElasticLoadBalancingV2::Listener", 2);
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        pattern!({
            "Port": 80, "Protocol": "HTTP",
            "DefaultActions": (Match::exact(json!([{
                "Type": "redirect",
                "RedirectConfig": {"Port": "443", "Protocol": "HTTPS", "StatusCode": "HTTP_301"},
            }]))),
        }),
    );
    let redirects = t.find_resources(
        "AWS::ElasticLoadBalancingV2::Listener",
        json!({"Properties": {"Port": 80}}),
    );
    assert_eq!(redirects.len(), 1);
    assert!(redirects
        .keys()
        .all(|id| id.starts_with("LBRedirect80To443")));
}

#[test]
fn rules_carry_priority_and_path_and_host_conditions() {
    let Web { mut app, .. } = web_app();
    let t = template(&mut app, "Web");
    let listener = Capture::new();
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        pattern!({
            "Priority": 10,
            "ListenerArn": {"Ref": listener},
            "Conditions": (Match::exact(json!([
                {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}},
                {"Field": "host-header", "HostHeaderConfig": {"Values": ["app.example.com"]}},
            ]))),
            "Actions": [{"Type": "fixed-response", "FixedResponseConfig": {
                "StatusCode": "503", "ContentType": "application/json"}}],
        }),
    );
    assert_eq!(
        t.resource(&listener.as_string()).unwrap()["Properties"]["Port"],
        443
    );
}

#[test]
fn every_scaling_policy_refers_to_the_scalable_target() {
    let Web { mut app, .. } = web_app();
    let t = template(&mut app, "Web");
    t.resource_count_is("AWS::ApplicationAutoScaling::ScalableTarget", 1);
    let targets = t.find_resources("AWS::ApplicationAutoScaling::ScalableTarget", json!({}));
    let target_id = targets.keys().next().unwrap().clone();
    assert!(target_id.starts_with("TaskCountTarget"));
    t.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget",
        pattern!({
            "MinCapacity": 2, "MaxCapacity": 10,
            "ResourceId": "service/main/web",
            "ScalableDimension": "ecs:service:DesiredCount",
            "ServiceNamespace": "ecs",
            "RoleARN": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"},
                ":role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService"]]},
            "ScheduledActions": (Match::exact(json!([
                {"ScheduledActionName": "BusinessHours", "Schedule": "cron(0 8 ? * MON-FRI *)",
                 "ScalableTargetAction": {"MinCapacity": 4, "MaxCapacity": 10}, "Timezone": "Europe/Paris"},
                {"ScheduledActionName": "Hourly", "Schedule": "rate(1 hour)",
                 "ScalableTargetAction": {"MinCapacity": 2}},
            ]))),
        }),
    );
    // Three target tracking policies and two step policies, all by Ref to the target.
    let policies = t.find_resources("AWS::ApplicationAutoScaling::ScalingPolicy", json!({}));
    assert_eq!(policies.len(), 5);
    t.all_resources_properties(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        pattern!({"ScalingTargetId": (Match::exact(json!({"Ref": target_id})))}),
    );
    for (metric, value) in [
        ("ECSServiceAverageCPUUtilization", 60.0),
        ("ECSServiceAverageMemoryUtilization", 75.0),
    ] {
        t.has_resource_properties(
            "AWS::ApplicationAutoScaling::ScalingPolicy",
            pattern!({
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": {
                    "PredefinedMetricSpecification": (Match::exact(json!({"PredefinedMetricType": metric}))),
                    "TargetValue": value,
                },
            }),
        );
    }
    let lb = Capture::new();
    let tg = Capture::new();
    t.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        pattern!({
            "TargetTrackingScalingPolicyConfiguration": {
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "ALBRequestCountPerTarget",
                    "ResourceLabel": {"Fn::Join": ["", [
                        {"Fn::GetAtt": [lb, "LoadBalancerFullName"]}, "/",
                        {"Fn::GetAtt": [tg, "TargetGroupFullName"]}]]},
                },
                "TargetValue": 1000, "ScaleOutCooldown": 60,
            },
        }),
    );
    assert_eq!(
        t.resource(&lb.as_string()).unwrap()["Type"],
        "AWS::ElasticLoadBalancingV2::LoadBalancer"
    );
    assert!(tg.as_string().starts_with("LBPublicListenerECSGroup"));
}

#[test]
fn step_scaling_alarms_trigger_their_policies() {
    let Web { mut app, .. } = web_app();
    let t = template(&mut app, "Web");
    t.resource_count_is("AWS::CloudWatch::Alarm", 2);
    let lower = Capture::new();
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        pattern!({
            "ComparisonOperator": "LessThanOrEqualToThreshold", "Threshold": 0,
            "MetricName": "ApproximateNumberOfMessagesVisible", "Namespace": "AWS/SQS",
            "Dimensions": [{"Name": "QueueName", "Value": "jobs"}],
            "AlarmActions": [{"Ref": lower}],
        }),
    );
    let upper = Capture::new();
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        pattern!({"ComparisonOperator": "GreaterThanOrEqualToThreshold", "Threshold": 100,
                  "AlarmActions": [{"Ref": upper}]}),
    );
    let lower = t.resource(&lower.as_string()).unwrap();
    assert_eq!(
        lower["Properties"]["StepScalingPolicyConfiguration"]["StepAdjustments"],
        json!([{"MetricIntervalUpperBound": 0.0, "ScalingAdjustment": -1}])
    );
    let upper = t.resource(&upper.as_string()).unwrap();
    assert_eq!(
        upper["Properties"]["StepScalingPolicyConfiguration"]["StepAdjustments"],
        json!([
            {"MetricIntervalLowerBound": 0.0, "MetricIntervalUpperBound": 400.0, "ScalingAdjustment": 1},
            {"MetricIntervalLowerBound": 400.0, "ScalingAdjustment": 3},
        ])
    );
    assert_eq!(upper["Properties"]["PolicyType"], "StepScaling");
}

fn discovery_app() -> App {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Discovery", StackProps::default()).unwrap();
    let vpc = vpc(&mut app, s);
    let ns = PrivateDnsNamespace::new(
        &mut app,
        s,
        "Namespace",
        &vpc,
        PrivateDnsNamespaceProps::new("svc.local"),
    )
    .unwrap();
    let api = ns
        .create_service(
            &mut app,
            "Api",
            ServiceProps {
                custom_health_check_failure_threshold: Some(1),
                ..ServiceProps::new("api")
            },
        )
        .unwrap();
    let worker = ns
        .create_service(
            &mut app,
            "Worker",
            ServiceProps {
                dns_record_type: DnsRecordType::Srv,
                dns_ttl_seconds: 10,
                ..ServiceProps::new("worker")
            },
        )
        .unwrap();
    assert!(api.registry(&app, None).unwrap().container_port.is_none());
    assert_eq!(
        worker
            .registry(&app, Some(("app", 8080)))
            .unwrap()
            .container_name
            .as_deref(),
        Some("app")
    );
    app
}

#[test]
fn cloud_map_services_have_a_or_srv_records() {
    let mut app = discovery_app();
    let t = template(&mut app, "Discovery");
    let ns = Capture::new();
    t.has_resource_properties(
        "AWS::ServiceDiscovery::Service",
        pattern!({
            "Name": "api",
            "NamespaceId": {"Fn::GetAtt": [ns, "Id"]},
            "DnsConfig": (Match::exact(pattern!({
                "DnsRecords": [{"TTL": 60, "Type": "A"}],
                "NamespaceId": {"Fn::GetAtt": [(Match::any_value()), "Id"]},
                "RoutingPolicy": "MULTIVALUE",
            }))),
            "HealthCheckCustomConfig": {"FailureThreshold": 1},
        }),
    );
    t.has_resource_properties(
        "AWS::ServiceDiscovery::Service",
        pattern!({
            "Name": "worker",
            "DnsConfig": {"DnsRecords": (Match::exact(json!([{"TTL": 10, "Type": "SRV"}])))},
            "HealthCheckCustomConfig": (Match::absent()),
        }),
    );
    let namespace = t.resource(&ns.as_string()).unwrap();
    assert_eq!(
        namespace["Type"],
        "AWS::ServiceDiscovery::PrivateDnsNamespace"
    );
    assert_eq!(namespace["Properties"]["Name"], "svc.local");
}

fn nlb_app() -> App {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Tcp", StackProps::default()).unwrap();
    let vpc = vpc(&mut app, s);
    let nlb = NetworkLoadBalancer::new(
        &mut app,
        s,
        "LB",
        &vpc,
        NetworkLoadBalancerProps {
            internet_facing: true,
            cross_zone_enabled: true,
            ..Default::default()
        },
    )
    .unwrap();
    let tls = nlb
        .add_listener(
            &mut app,
            "Tls",
            ListenerProps {
                port: Some(443),
                certificates: vec![
                    ListenerCertificate::from_arn(
                        "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555",
                    ),
                    ListenerCertificate::from_arn(
                        "arn:aws:acm:us-east-1:123456789012:certificate/66666666-7777-8888-9999-000000000000",
                    ),
                ],
                ..Default::default()
            },
        )
        .unwrap();
    let a = IpTarget::new("10.0.128.10", 6000);
    let b = IpTarget::new("10.0.192.10", 6000);
    tls.add_targets(
        &mut app,
        "Backend",
        AddTargetsProps {
            targets: vec![&a, &b],
            protocol: Some(Protocol::Tcp),
            stickiness_seconds: Some(60),
            health_check: HealthCheck {
                protocol: Some(Protocol::Http),
                path: Some("/ready".into()),
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .unwrap();
    app
}

#[test]
fn an_nlb_forwards_tls_to_registered_ip_targets() {
    let mut app = nlb_app();
    let t = template(&mut app, "Tcp");
    t.resource_count_is("AWS::EC2::SecurityGroup", 0);
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        pattern!({"Type": "network", "SecurityGroups": (Match::absent()),
                  "LoadBalancerAttributes": [{"Key": "deletion_protection.enabled"},
                                             {"Key": "load_balancing.cross_zone.enabled", "Value": "true"}]}),
    );
    let tg = Capture::new();
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        pattern!({"Protocol": "TLS", "Port": 443,
                  "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": tg}}]}),
    );
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::ListenerCertificate",
        pattern!({"Certificates": [{"CertificateArn": (Match::string_like_regexp("66666666"))}]}),
    );
    let tg = t.resource(&tg.as_string()).unwrap();
    assert_eq!(
        tg["Properties"]["Targets"],
        json!([
            {"Id": "10.0.128.10", "Port": 6000},
            {"Id": "10.0.192.10", "Port": 6000},
        ])
    );
    assert_eq!(tg["Properties"]["Protocol"], "TCP");
    assert_eq!(
        tg["Properties"]["TargetGroupAttributes"],
        json!([
            {"Key": "stickiness.enabled", "Value": "true"},
            {"Key": "stickiness.type", "Value": "source_ip"},
        ])
    );
    assert_eq!(tg["Properties"]["HealthCheckProtocol"], "HTTP");
}

#[test]
fn a_health_check_off_the_mapped_ports_is_a_synth_error() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let vpc = vpc(&mut app, s);
    let lb = ApplicationLoadBalancer::new(&mut app, s, "LB", &vpc, Default::default()).unwrap();
    let http = lb
        .add_listener(&mut app, "Http", ListenerProps::default())
        .unwrap();
    let sg = SecurityGroup::new(&mut app, s, "Sg", &vpc, SecurityGroupProps::default()).unwrap();
    let service = FakeService {
        security_group: sg,
        container_port: 8080,
        mapped_ports: vec![8080, 9090],
    };
    http.add_targets(
        &mut app,
        "Web",
        AddTargetsProps {
            targets: vec![&service],
            health_check: HealthCheck {
                port: Some(8081),
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .unwrap();
    let err = app.synth().unwrap_err();
    assert_eq!(
        err.to_string(),
        "synthesis failed with 1 error:\n  error[BERTH-E0401] Web/LB/Http/WebGroup: HealthCheckPort: health check port 8081 is not a port the targets listen on; leave the port unset (traffic port) or use one of: 8080, 9090"
    );
}

#[test]
fn a_health_check_on_another_mapped_port_is_fine() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let vpc = vpc(&mut app, s);
    let lb = ApplicationLoadBalancer::new(&mut app, s, "LB", &vpc, Default::default()).unwrap();
    let http = lb
        .add_listener(&mut app, "Http", ListenerProps::default())
        .unwrap();
    let sg = SecurityGroup::new(&mut app, s, "Sg", &vpc, SecurityGroupProps::default()).unwrap();
    let service = FakeService {
        security_group: sg,
        container_port: 8080,
        mapped_ports: vec![8080, 9090],
    };
    http.add_targets(
        &mut app,
        "Web",
        AddTargetsProps {
            targets: vec![&service],
            health_check: HealthCheck {
                port: Some(9090),
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .unwrap();
    let t = template(&mut app, "Web");
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        json!({"HealthCheckPort": "9090", "Port": 8080}),
    );
    // Health checks come from the load balancer too, but only the traffic port is
    // opened: the health-check port is the service's business.
    t.resource_count_is("AWS::EC2::SecurityGroupIngress", 1);
}

// ---- cfn-lint ----

#[test]
fn cfn_lint_web_app() {
    lint(web_app().app);
}

#[test]
fn cfn_lint_discovery_app() {
    lint(discovery_app());
}

#[test]
fn cfn_lint_nlb_app() {
    lint(nlb_app());
}
