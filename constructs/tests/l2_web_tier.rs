//! The foundation L2 constructs together, as the ECS constructs will use them: a VPC,
//! a load balancer group open to the internet on 443 only, a service group open to the
//! load balancer on 8080 only, an execution role that can pull one repository and
//! write one log group, and nothing more. Checked with `berth-assertions`.

use berth_assertions::{pattern, Capture, Match, Template};
use berth_constructs::ec2::{
    Connectable, Connections, Port, SecurityGroup, SecurityGroupProps, SubnetSelection, Vpc,
    VpcProps,
};
use berth_constructs::ecr::{Repository, RepositoryProps};
use berth_constructs::iam::{Principal, Role, RoleProps};
use berth_constructs::logs::{LogGroup, LogGroupProps};
use berth_constructs::{App, Stack, StackProps};
use serde_json::json;

fn web_tier() -> Template {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let vpc = Vpc::new(
        &mut app,
        s,
        "Vpc",
        VpcProps {
            nat_gateways: Some(1),
            ..Default::default()
        },
    )
    .unwrap();
    let lb = SecurityGroup::new(
        &mut app,
        s,
        "LbSecurityGroup",
        &vpc,
        SecurityGroupProps::default(),
    )
    .unwrap();
    let svc = SecurityGroup::new(
        &mut app,
        s,
        "ServiceSecurityGroup",
        &vpc,
        SecurityGroupProps::default(),
    )
    .unwrap();
    lb.connections(&app)
        .allow_from_any_ipv4(&mut app, Port::tcp(443), "https from the internet")
        .unwrap();
    let service = Connections::new(vec![svc]).with_default_port(Port::tcp(8080));
    service
        .allow_default_port_from(&mut app, &lb, "load balancer to service")
        .unwrap();
    // A service would run in the private subnets.
    let subnets = vpc
        .select_subnets(&app, &SubnetSelection::default())
        .unwrap();
    assert_eq!(subnets.subnet_ids.len(), 2);
    assert!(!subnets.has_public);

    let repo = Repository::new(&mut app, s, "Repo", RepositoryProps::default()).unwrap();
    let logs = LogGroup::new(&mut app, s, "Logs", LogGroupProps::default()).unwrap();
    let exec = Role::new(
        &mut app,
        s,
        "ExecutionRole",
        RoleProps::new(Principal::service("ecs-tasks.amazonaws.com")),
    )
    .unwrap();
    repo.grant_pull(&mut app, &exec).unwrap();
    logs.grant_write(&mut app, &exec).unwrap();
    let out = app.synth().unwrap();
    Template::from_json(out.stacks[0].template.clone()).unwrap()
}

#[test]
fn only_the_ports_asked_for_are_open() {
    let t = web_tier();
    t.resource_count_is("AWS::EC2::SecurityGroup", 2);
    // The load balancer: 443 from anywhere, inline, and nothing else.
    t.has_resource_properties(
        "AWS::EC2::SecurityGroup",
        pattern!({
            "GroupDescription": "Web/LbSecurityGroup",
            "SecurityGroupIngress": (Match::exact(json!([{
                "CidrIp": "0.0.0.0/0", "Description": "https from the internet",
                "FromPort": 443, "IpProtocol": "tcp", "ToPort": 443
            }]))),
        }),
    );
    // The service: no inline ingress; one separate rule from the load balancer on 8080.
    t.has_resource_properties(
        "AWS::EC2::SecurityGroup",
        pattern!({
            "GroupDescription": "Web/ServiceSecurityGroup",
            "SecurityGroupIngress": (Match::absent()),
        }),
    );
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
    assert!(source.as_string().starts_with("LbSecurityGroup"));
    assert!(target.as_string().starts_with("ServiceSecurityGroup"));
    // Both groups allow all outbound traffic, so no egress rule resources.
    t.resource_count_is("AWS::EC2::SecurityGroupEgress", 0);
}

#[test]
fn the_execution_role_gets_exactly_pull_and_write() {
    let t = web_tier();
    t.resource_count_is("AWS::IAM::Policy", 1);
    let repo = Capture::new();
    let logs = Capture::new();
    t.has_resource_properties("AWS::IAM::Policy", pattern!({
        "PolicyDocument": {"Statement": (Match::exact(pattern!([
            {"Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
             "Effect": "Allow", "Resource": {"Fn::GetAtt": [repo, "Arn"]}},
            {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"},
            {"Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
             "Effect": "Allow", "Resource": {"Fn::GetAtt": [logs, "Arn"]}},
        ])))},
        "Roles": [{"Ref": (Match::string_like_regexp("^ExecutionRole[0-9A-F]{8}$"))}],
    }));
    assert_eq!(
        t.resource(&repo.as_string()).unwrap()["Type"],
        "AWS::ECR::Repository"
    );
    assert_eq!(
        t.resource(&logs.as_string()).unwrap()["Type"],
        "AWS::Logs::LogGroup"
    );
}
