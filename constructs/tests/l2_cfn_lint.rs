//! Every template the foundation L2 constructs synthesize passes cfn-lint with zero
//! errors and warnings (and the schema validation that `App::synth` runs).
//!
//! cfn-lint is looked up at `$BERTH_CFN_LINT`, then `<workspace>/.venv/bin/cfn-lint`
//! (`support::cfn_lint`); the test fails when neither exists.

mod support;
use support::lint as check;

use berth_constructs::ec2::{
    Connectable, Port, SecurityGroup, SecurityGroupProps, SubnetConfiguration, SubnetType, Vpc,
    VpcProps,
};
use berth_constructs::ecr::{LifecycleRule, Repository, RepositoryProps, TagStatus};
use berth_constructs::iam::{ManagedPolicy, PolicyStatement, Principal, Role, RoleProps};
use berth_constructs::logs::{LogGroup, LogGroupProps, RetentionDays};
use berth_constructs::{App, Stack, StackProps};

#[test]
fn default_vpc_with_one_nat_gateway() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Net", StackProps::default()).unwrap();
    Vpc::new(
        &mut app,
        s,
        "Vpc",
        VpcProps {
            nat_gateways: Some(1),
            ..Default::default()
        },
    )
    .unwrap();
    check(app);
}

#[test]
fn three_group_vpc_with_explicit_azs() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Net", StackProps::default()).unwrap();
    Vpc::new(
        &mut app,
        s,
        "Vpc",
        VpcProps {
            cidr: Some("172.16.0.0/20".into()),
            availability_zones: vec![
                "us-east-1a".into(),
                "us-east-1b".into(),
                "us-east-1c".into(),
            ],
            subnet_configuration: vec![
                SubnetConfiguration::new("Ingress", SubnetType::Public).with_cidr_mask(24),
                SubnetConfiguration::new("App", SubnetType::PrivateWithEgress),
                SubnetConfiguration::new("Db", SubnetType::PrivateIsolated).with_cidr_mask(28),
            ],
            nat_gateways: Some(2),
            ..Default::default()
        },
    )
    .unwrap();
    check(app);
}

#[test]
fn security_groups_roles_logs_and_repositories_across_two_stacks() {
    let mut app = App::new();
    let net = Stack::new(&mut app, "Net", StackProps::default()).unwrap();
    let web = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let vpc = Vpc::new(
        &mut app,
        net,
        "Vpc",
        VpcProps {
            nat_gateways: Some(1),
            ..Default::default()
        },
    )
    .unwrap();
    let lb =
        SecurityGroup::new(&mut app, net, "LbSg", &vpc, SecurityGroupProps::default()).unwrap();
    let svc = SecurityGroup::new(
        &mut app,
        web,
        "ServiceSg",
        &vpc,
        SecurityGroupProps {
            allow_all_outbound: false,
            ..Default::default()
        },
    )
    .unwrap();
    lb.connections(&app)
        .allow_from_any_ipv4(&mut app, Port::tcp(443), "https")
        .unwrap();
    svc.connections(&app)
        .allow_from(&mut app, &lb, Port::tcp(8080), "from the load balancer")
        .unwrap();
    svc.connections(&app)
        .allow_to_any_ipv4(&mut app, Port::tcp(443), "https out")
        .unwrap();
    svc.connections(&app)
        .allow_internally(&mut app, Port::udp(8125), "statsd")
        .unwrap();

    let repo = Repository::new(
        &mut app,
        web,
        "Repo",
        RepositoryProps {
            lifecycle_rules: vec![
                LifecycleRule {
                    tag_status: TagStatus::Untagged,
                    max_image_age_days: Some(7),
                    ..Default::default()
                },
                LifecycleRule {
                    max_image_count: Some(50),
                    ..Default::default()
                },
            ],
            ..Default::default()
        },
    )
    .unwrap();
    let logs = LogGroup::new(
        &mut app,
        web,
        "Logs",
        LogGroupProps {
            retention: RetentionDays::OneMonth,
            ..Default::default()
        },
    )
    .unwrap();
    let exec = Role::new(
        &mut app,
        web,
        "ExecutionRole",
        RoleProps {
            managed_policies: vec![ManagedPolicy::aws_managed(
                "service-role/AmazonECSTaskExecutionRolePolicy",
            )],
            ..RoleProps::new(Principal::service("ecs-tasks.amazonaws.com"))
        },
    )
    .unwrap();
    repo.grant_pull(&mut app, &exec).unwrap();
    logs.grant_write(&mut app, &exec).unwrap();
    let task = Role::new(
        &mut app,
        web,
        "TaskRole",
        RoleProps::new(Principal::service("ecs-tasks.amazonaws.com")),
    )
    .unwrap();
    task.add_to_policy(
        &mut app,
        PolicyStatement::allow()
            .actions([
                "ssmmessages:CreateControlChannel",
                "ssmmessages:OpenDataChannel",
            ])
            .resource("*"),
    )
    .unwrap();
    check(app);
}
