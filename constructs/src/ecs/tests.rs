use super::*;
use crate::ec2::{Connectable, Port, SecurityGroup, SecurityGroupProps, Vpc, VpcProps};
use crate::ecr::{Repository, RepositoryProps};
use crate::iam::{ManagedPolicy, Principal, Role, RoleProps};
use crate::logs::{LogGroup, LogGroupProps};
use crate::{fargate_size, App, Stack, StackProps};
use berth_assertions::{pattern, Capture, Match, Template};
use berth_synth::SynthError;
use serde_json::json;

fn nginx() -> ContainerImage {
    ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest")
}

struct World {
    app: App,
    stack: Stack,
    cluster: Cluster,
}

fn world() -> World {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let vpc = Vpc::new(
        &mut app,
        stack,
        "Vpc",
        VpcProps {
            nat_gateways: Some(1),
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
    World {
        app,
        stack,
        cluster,
    }
}

fn template(app: &mut App) -> Template {
    let out = app.synth().unwrap_or_else(|e| panic!("synth failed: {e}"));
    Template::from_json(out.stacks[0].template.clone()).unwrap()
}

fn synth_errors(app: &mut App) -> Vec<String> {
    match app.synth() {
        Err(SynthError::Invalid(d)) => d.iter().map(ToString::to_string).collect(),
        Err(e) => panic!("unexpected error: {e}"),
        Ok(_) => panic!("synth succeeded"),
    }
}

fn fargate_task(w: &mut World) -> FargateTaskDefinition {
    FargateTaskDefinition::new(
        &mut w.app,
        w.stack,
        "TaskDef",
        FargateTaskDefinitionProps::default(),
    )
    .unwrap()
}

#[test]
fn the_execution_role_gets_exactly_what_the_containers_use() {
    let mut w = world();
    let repo = Repository::new(&mut w.app, w.stack, "Repo", RepositoryProps::default()).unwrap();
    // Another repository and log group exist, but no container uses them.
    Repository::new(&mut w.app, w.stack, "Unused", RepositoryProps::default()).unwrap();
    LogGroup::new(&mut w.app, w.stack, "OtherLogs", LogGroupProps::default()).unwrap();
    let task = fargate_task(&mut w);
    task.add_container(
        &mut w.app,
        "app",
        ContainerDefinitionOptions {
            secrets: [
                (
                    "DB_PASSWORD".to_string(),
                    Secret::from_ssm_parameter_name("/web/db-password"),
                ),
                (
                    "API_KEY".to_string(),
                    Secret::from_secrets_manager_field(
                        "arn:aws:secretsmanager:us-east-1:111111111111:secret:api-AbCdEf",
                        "key",
                    ),
                ),
            ]
            .into(),
            logging: Some(LogDriver::aws_logs(AwsLogDriverProps {
                stream_prefix: "app".into(),
                ..Default::default()
            })),
            ..ContainerDefinitionOptions::new(ContainerImage::from_ecr_repository(&repo, "v1"))
        },
    )
    .unwrap();
    let t = template(&mut w.app);
    t.resource_count_is("AWS::IAM::Role", 1);
    t.resource_count_is("AWS::IAM::Policy", 1);
    let repo_id = Capture::new();
    let logs_id = Capture::new();
    t.has_resource_properties(
        "AWS::IAM::Policy",
        pattern!({"PolicyDocument": {"Statement": (Match::exact(pattern!([
            {"Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
             "Effect": "Allow", "Resource": {"Fn::GetAtt": [repo_id, "Arn"]}},
            {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"},
            {"Action": "ssm:GetParameters", "Effect": "Allow", "Resource": {"Fn::Join": ["", [
                "arn:", {"Ref": "AWS::Partition"}, ":ssm:", {"Ref": "AWS::Region"}, ":",
                {"Ref": "AWS::AccountId"}, ":parameter/web/db-password"]]}},
            {"Action": "secretsmanager:GetSecretValue", "Effect": "Allow",
             "Resource": "arn:aws:secretsmanager:us-east-1:111111111111:secret:api-AbCdEf"},
            {"Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Effect": "Allow",
             "Resource": {"Fn::GetAtt": [logs_id, "Arn"]}},
        ])))}}),
    );
    assert!(
        repo_id.as_string().starts_with("Repo"),
        "{}",
        repo_id.as_string()
    );
    assert!(
        logs_id.as_string().starts_with("TaskDefappLogGroup"),
        "{}",
        logs_id.as_string()
    );
    // The log group berth made has a retention; the container uses it and the secrets.
    t.has_resource_properties("AWS::Logs::LogGroup", pattern!({"RetentionInDays": 30}));
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        pattern!({"ContainerDefinitions": [{
            "LogConfiguration": {"LogDriver": "awslogs", "Options": {
                "awslogs-group": {"Ref": (logs_id.as_string())},
                "awslogs-stream-prefix": "app", "awslogs-region": {"Ref": "AWS::Region"}}},
            "Secrets": [
                {"Name": "DB_PASSWORD", "ValueFrom": (Match::any_value())},
                {"Name": "API_KEY",
                 "ValueFrom": "arn:aws:secretsmanager:us-east-1:111111111111:secret:api-AbCdEf:key::"},
            ],
        }]}),
    );
    // No task role: nothing asked for one.
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        pattern!({"TaskRoleArn": (Match::absent()), "ExecutionRoleArn": (Match::any_value())}),
    );
}

#[test]
fn a_public_image_without_logs_needs_no_execution_role() {
    let mut w = world();
    let task = fargate_task(&mut w);
    task.add_container(&mut w.app, "web", ContainerDefinitionOptions::new(nginx()))
        .unwrap();
    let t = template(&mut w.app);
    t.resource_count_is("AWS::IAM::Role", 0);
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        pattern!({"ExecutionRoleArn": (Match::absent()), "TaskRoleArn": (Match::absent())}),
    );
}

fn service_with_exec(exec: bool) -> Template {
    let mut w = world();
    let task = fargate_task(&mut w);
    task.add_container(&mut w.app, "web", ContainerDefinitionOptions::new(nginx()))
        .unwrap();
    FargateService::new(
        &mut w.app,
        w.stack,
        "Service",
        FargateServiceProps {
            enable_execute_command: exec,
            ..FargateServiceProps::new(w.cluster, task)
        },
    )
    .unwrap();
    template(&mut w.app)
}

#[test]
fn ecs_exec_adds_exactly_the_ssm_messages_permissions_to_the_task_role() {
    let t = service_with_exec(true);
    t.resource_count_is("AWS::IAM::Policy", 1);
    let role = Capture::new();
    t.has_resource_properties(
        "AWS::IAM::Policy",
        pattern!({
            "PolicyDocument": {"Statement": (Match::exact(json!([{
                "Action": ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                           "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
                "Effect": "Allow", "Resource": "*"}])))},
            "Roles": [{"Ref": role}],
        }),
    );
    assert!(role.as_string().starts_with("TaskDefTaskRole"));
    t.has_resource_properties(
        "AWS::ECS::Service",
        pattern!({"EnableExecuteCommand": true}),
    );
    t.has_resource_properties(
        "AWS::IAM::Role",
        pattern!({"AssumeRolePolicyDocument": {"Statement": [{"Principal": {"Service": "ecs-tasks.amazonaws.com"}}]}}),
    );
    let without = service_with_exec(false);
    without.resource_count_is("AWS::IAM::Role", 0);
    without.resource_count_is("AWS::IAM::Policy", 0);
    without.has_resource_properties(
        "AWS::ECS::Service",
        pattern!({"EnableExecuteCommand": (Match::absent())}),
    );
}

#[test]
fn fargate_defaults() {
    let t = service_with_exec(false);
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        pattern!({"NetworkMode": "awsvpc", "RequiresCompatibilities": ["FARGATE"],
                  "Cpu": "256", "Memory": "512"}),
    );
    t.has_resource_properties(
        "AWS::ECS::Service",
        pattern!({
            "LaunchType": "FARGATE",
            "DeploymentConfiguration": (Match::exact(json!({
                "DeploymentCircuitBreaker": {"Enable": true, "Rollback": true},
                "MaximumPercent": 200, "MinimumHealthyPercent": 100, "Strategy": "ROLLING"}))),
            "EnableECSManagedTags": false,
            "DeploymentController": {"Type": "ECS"},
            "DesiredCount": (Match::absent()),
            "NetworkConfiguration": {"AwsvpcConfiguration": {
                "AssignPublicIp": "DISABLED",
                "Subnets": [{"Ref": (Match::string_like_regexp("^VpcPrivateSubnet1"))},
                            {"Ref": (Match::string_like_regexp("^VpcPrivateSubnet2"))}]}},
        }),
    );
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        pattern!({"ContainerDefinitions": [{"Essential": true, "Name": "web"}]}),
    );
}

#[test]
fn the_service_security_group_opens_only_the_ports_asked_for() {
    let mut w = world();
    let vpc = w.cluster.vpc();
    let lb = SecurityGroup::new(
        &mut w.app,
        w.stack,
        "LbSg",
        &vpc,
        SecurityGroupProps::default(),
    )
    .unwrap();
    let task = fargate_task(&mut w);
    task.add_container(
        &mut w.app,
        "web",
        ContainerDefinitionOptions {
            port_mappings: vec![
                PortMapping::tcp(8080),
                PortMapping::tcp(9090).named("admin"),
            ],
            ..ContainerDefinitionOptions::new(nginx())
        },
    )
    .unwrap();
    let service = FargateService::new(
        &mut w.app,
        w.stack,
        "Service",
        FargateServiceProps::new(w.cluster, task),
    )
    .unwrap();
    service
        .connections(&w.app)
        .allow_from(&mut w.app, &lb, Port::tcp(8080), "from the load balancer")
        .unwrap();
    let t = template(&mut w.app);
    t.has_resource_properties(
        "AWS::EC2::SecurityGroup",
        pattern!({"GroupDescription": "Web/Service/SecurityGroup", "SecurityGroupIngress": (Match::absent())}),
    );
    t.resource_count_is("AWS::EC2::SecurityGroupIngress", 1);
    let (src, dst) = (Capture::new(), Capture::new());
    t.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        pattern!({"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
                  "GroupId": {"Fn::GetAtt": [dst, "GroupId"]},
                  "SourceSecurityGroupId": {"Fn::GetAtt": [src, "GroupId"]}}),
    );
    assert!(dst.as_string().starts_with("ServiceSecurityGroup"));
    assert!(src.as_string().starts_with("LbSg"));
    // The service uses its group.
    t.has_resource_properties(
        "AWS::ECS::Service",
        pattern!({"NetworkConfiguration": {"AwsvpcConfiguration": {"SecurityGroups": [
            {"Fn::GetAtt": [(dst.as_string()), "GroupId"]}]}}}),
    );
}

#[test]
fn ec2_capacity_resources() {
    let mut w = world();
    let cap = w
        .cluster
        .add_capacity(
            &mut w.app,
            "Capacity",
            AddCapacityOptions {
                min_capacity: 1,
                max_capacity: Some(3),
                capacity_provider: AsgCapacityProviderOptions {
                    target_capacity_percent: 90,
                    ..Default::default()
                },
                ..AddCapacityOptions::new("t3.small")
            },
        )
        .unwrap();
    assert_eq!(w.app.path(cap), "Web/Cluster/Capacity");
    let t = template(&mut w.app);
    let cluster = Capture::new();
    t.has_resource_properties(
        "AWS::EC2::LaunchTemplate",
        pattern!({"LaunchTemplateData": {
            "InstanceType": "t3.small",
            "ImageId": {"Ref": "SsmParameterValueawsserviceecsoptimizedamiamazonlinux2023recommendedimageidC96584B6F00A464EAD1953AFF4B05118Parameter"},
            "MetadataOptions": {"HttpTokens": "required"},
            "UserData": {"Fn::Base64": {"Fn::Join": ["", [
                "#!/bin/bash\necho ECS_CLUSTER=", {"Ref": cluster}, " >> /etc/ecs/ecs.config"]]}},
        }}),
    );
    assert_eq!(
        t.resource(&cluster.as_string()).unwrap()["Type"],
        "AWS::ECS::Cluster"
    );
    t.has_parameter(
        "SsmParameterValueawsserviceecsoptimizedamiamazonlinux2023recommendedimageidC96584B6F00A464EAD1953AFF4B05118Parameter",
        json!({"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
               "Default": "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"}),
    );
    t.has_resource_properties(
        "AWS::IAM::Role",
        pattern!({
            "AssumeRolePolicyDocument": {"Statement": [{"Principal": {"Service": "ec2.amazonaws.com"}}]},
            "ManagedPolicyArns": [{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
                ":iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"]]}],
        }),
    );
    t.resource_count_is("AWS::IAM::InstanceProfile", 1);
    let asg = Capture::new();
    t.has_resource_properties(
        "AWS::ECS::CapacityProvider",
        pattern!({"AutoScalingGroupProvider": {
            "AutoScalingGroupArn": {"Ref": asg},
            "ManagedScaling": {"Status": "ENABLED", "TargetCapacity": 90},
            "ManagedTerminationProtection": "DISABLED",
            "ManagedDraining": "ENABLED",
        }}),
    );
    let asg_res = t.resource(&asg.as_string()).unwrap();
    assert_eq!(asg_res["Properties"]["MinSize"], "1");
    assert_eq!(asg_res["Properties"]["MaxSize"], "3");
    // The ASG waits for the private subnets' routes out.
    assert_eq!(asg_res["DependsOn"].as_array().unwrap().len(), 2);
    let provider = Capture::new();
    t.has_resource_properties(
        "AWS::ECS::ClusterCapacityProviderAssociations",
        pattern!({"CapacityProviders": [{"Ref": provider}], "Cluster": {"Ref": (cluster.as_string())},
                  "DefaultCapacityProviderStrategy": []}),
    );
    assert_eq!(
        t.resource(&provider.as_string()).unwrap()["Type"],
        "AWS::ECS::CapacityProvider"
    );
    // The instances' group is the cluster's connections.
    assert_eq!(
        w.cluster.connections(&w.app).security_groups(),
        [cap.security_group()]
    );
}

#[test]
fn ec2_service_in_bridge_mode_uses_dynamic_host_ports_and_the_capacity_provider() {
    let mut w = world();
    let cap = w
        .cluster
        .add_capacity(&mut w.app, "Capacity", AddCapacityOptions::new("t3.small"))
        .unwrap();
    let task = Ec2TaskDefinition::new(
        &mut w.app,
        w.stack,
        "TaskDef",
        Ec2TaskDefinitionProps::default(),
    )
    .unwrap();
    task.add_container(
        &mut w.app,
        "web",
        ContainerDefinitionOptions {
            memory_limit_mib: Some(256),
            port_mappings: vec![PortMapping::tcp(80)],
            ..ContainerDefinitionOptions::new(nginx())
        },
    )
    .unwrap();
    // In bridge mode two containers may use the same container port.
    task.add_container(
        &mut w.app,
        "web2",
        ContainerDefinitionOptions {
            memory_limit_mib: Some(256),
            port_mappings: vec![PortMapping::tcp(80)],
            ..ContainerDefinitionOptions::new(nginx())
        },
    )
    .unwrap();
    let service = Ec2Service::new(
        &mut w.app,
        w.stack,
        "Service",
        Ec2ServiceProps {
            capacity_provider_strategies: vec![cap.strategy(1)],
            placement_strategies: vec![
                PlacementStrategy::spread_across_zones(),
                PlacementStrategy::packed_by_memory(),
            ],
            ..Ec2ServiceProps::new(w.cluster, task)
        },
    )
    .unwrap();
    // Bridge mode: the service's connections are the instances' group.
    assert_eq!(
        service.connections(&w.app).security_groups(),
        [cap.security_group()]
    );
    let t = template(&mut w.app);
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        pattern!({"NetworkMode": "bridge", "RequiresCompatibilities": ["EC2"],
                  "ContainerDefinitions": [
                      {"PortMappings": [{"ContainerPort": 80, "HostPort": 0, "Protocol": "tcp"}]},
                      {"PortMappings": [{"ContainerPort": 80, "HostPort": 0, "Protocol": "tcp"}]}]}),
    );
    t.has_resource_properties(
        "AWS::ECS::Service",
        pattern!({
            "LaunchType": (Match::absent()),
            "NetworkConfiguration": (Match::absent()),
            "CapacityProviderStrategy": [{"CapacityProvider": {"Ref": (Match::string_like_regexp("^ClusterCapacityCapacityProvider"))}, "Weight": 1}],
            "PlacementStrategies": [{"Type": "spread", "Field": "attribute:ecs.availability-zone"},
                                    {"Type": "binpack", "Field": "memory"}],
        }),
    );
    t.has_resource(
        "AWS::ECS::Service",
        pattern!({"DependsOn": [(Match::string_like_regexp("^Cluster[0-9A-F]{8}$"))]}),
    );
}

#[test]
fn load_balancers_registries_and_scaling_ids() {
    let mut w = world();
    let task = fargate_task(&mut w);
    task.add_container(
        &mut w.app,
        "web",
        ContainerDefinitionOptions {
            port_mappings: vec![PortMapping::tcp(8080)],
            ..ContainerDefinitionOptions::new(nginx())
        },
    )
    .unwrap();
    let service = FargateService::new(
        &mut w.app,
        w.stack,
        "Service",
        FargateServiceProps::new(w.cluster, task),
    )
    .unwrap();
    service
        .add_load_balancer(
            &mut w.app,
            LoadBalancerAttachment {
                target_group_arn: "arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/web/abc".into(),
                container_name: "web".into(),
                container_port: 8080,
                alternate_target: None,
            },
        )
        .unwrap();
    service
        .add_service_registry(
            &mut w.app,
            ServiceRegistryAttachment {
                registry_arn: "arn:aws:servicediscovery:us-east-1:111111111111:service/srv-1"
                    .into(),
                container_name: None,
                container_port: None,
                port: None,
            },
        )
        .unwrap();
    let id = berth_synth::Value::join(
        "",
        [
            "service/".into(),
            w.cluster.cluster_name().into(),
            "/".into(),
            service.service_name().into(),
        ],
    );
    assert_eq!(service.scalable_target_resource_id().into_value(), id);
    assert_eq!(SCALABLE_DIMENSION_DESIRED_COUNT, "ecs:service:DesiredCount");
    let t = template(&mut w.app);
    t.has_resource_properties(
        "AWS::ECS::Service",
        pattern!({
            "HealthCheckGracePeriodSeconds": 60,
            "LoadBalancers": [{"ContainerName": "web", "ContainerPort": 8080,
                "TargetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/web/abc"}],
            "ServiceRegistries": [{"RegistryArn": "arn:aws:servicediscovery:us-east-1:111111111111:service/srv-1"}],
        }),
    );
}

#[test]
fn a_load_balancer_on_an_unknown_container_or_port_is_a_synth_error() {
    let mut w = world();
    let task = fargate_task(&mut w);
    task.add_container(
        &mut w.app,
        "web",
        ContainerDefinitionOptions {
            port_mappings: vec![PortMapping::tcp(8080)],
            ..ContainerDefinitionOptions::new(nginx())
        },
    )
    .unwrap();
    let service = FargateService::new(
        &mut w.app,
        w.stack,
        "Service",
        FargateServiceProps::new(w.cluster, task),
    )
    .unwrap();
    for (name, port) in [("api", 8080), ("web", 80)] {
        service
            .add_load_balancer(
                &mut w.app,
                LoadBalancerAttachment {
                    target_group_arn: "arn:tg".into(),
                    container_name: name.into(),
                    container_port: port,
                    alternate_target: None,
                },
            )
            .unwrap();
    }
    assert_eq!(
        synth_errors(&mut w.app),
        [
            "error[BERTH-E0311] Web/Service: LoadBalancers[0]: the load balancer targets container \"api\", which the task definition Web/TaskDef does not have; containers: web",
            "error[BERTH-E0311] Web/Service: LoadBalancers[1]: the load balancer targets port 80 of container \"web\", which maps no such port; add a port mapping for it",
        ]
    );
}

// ---- bad input: exact messages naming the construct path ----

#[test]
fn an_invalid_fargate_size_lists_the_valid_memory() {
    assert_eq!(
        FargateSize::new(256, 4096).unwrap_err().to_string(),
        "cpu 256 cannot have 4096 MiB of memory on Fargate; with cpu 256 the memory can be 512, 1024, 2048 MiB"
    );
    assert_eq!(
        FargateSize::new(1024, 2500).unwrap_err().to_string(),
        "cpu 1024 cannot have 2500 MiB of memory on Fargate; with cpu 1024 the memory can be 2048, 3072, 4096, 5120, 6144, 7168, 8192 MiB"
    );
    let err = FargateSize::new(300, 512).unwrap_err().to_string();
    assert!(err.starts_with("cpu 300 is not a Fargate task size; valid pairs (cpu: memory MiB): 256: 512, 1024, 2048; 512: 1024, 2048, 3072, 4096; "), "{err}");
    assert!(err.ends_with("16384: 32768, 40960, 49152, 57344, 65536, 73728, 81920, 90112, 98304, 106496, 114688, 122880"), "{err}");
    // Every valid pair is accepted, and the sizes are exactly the documented ones.
    assert_eq!(FargateSize::new(8192, 61440).unwrap().memory_mib(), 61440);
    assert!(FargateSize::new(8192, 18432).is_err());
    const S: FargateSize = fargate_size!(4096, 30720);
    assert_eq!((S.cpu(), S.memory_mib()), (4096, 30720));
}

#[test]
fn the_compile_time_message_lists_the_memory_values_fargate_takes() {
    use super::task_definition::invalid_size_message;
    for cpu in [256, 512, 1024, 2048, 4096, 8192, 16384] {
        // The values `FargateSize::new` accepts for this cpu, in the runtime message.
        let runtime = FargateSize::new(cpu, 1).unwrap_err().to_string();
        let values = runtime.split("the memory can be ").nth(1).unwrap();
        let values = values.trim_end_matches(" MiB").replace(", ", " ");
        let compile_time = invalid_size_message(cpu);
        let listed = compile_time
            .split("the memory can be ")
            .nth(1)
            .unwrap()
            .trim_end_matches(" MiB")
            .replace(", ", " ");
        assert_eq!(listed, values, "cpu {cpu}: {compile_time}");
        for m in listed.split(' ') {
            assert!(
                FargateSize::new(cpu, m.parse().unwrap()).is_ok(),
                "{cpu}/{m}"
            );
        }
    }
    assert!(invalid_size_message(300).contains("256, 512, 1024, 2048, 4096, 8192 or 16384"));
}

#[test]
fn container_port_collisions_are_errors() {
    let mut w = world();
    let task = fargate_task(&mut w);
    task.add_container(
        &mut w.app,
        "web",
        ContainerDefinitionOptions {
            port_mappings: vec![PortMapping::tcp(8080)],
            ..ContainerDefinitionOptions::new(nginx())
        },
    )
    .unwrap();
    let err = task
        .add_container(
            &mut w.app,
            "sidecar",
            ContainerDefinitionOptions {
                port_mappings: vec![PortMapping::udp(8080), PortMapping::tcp(8080)],
                ..ContainerDefinitionOptions::new(nginx())
            },
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/TaskDef/sidecar: port_mappings[1]: container port 8080/tcp is already mapped by container web (port_mappings[0]); in awsvpc mode the containers of a task share one network namespace, so each port can be mapped once"
    );
    let err = task
        .add_container(
            &mut w.app,
            "twice",
            ContainerDefinitionOptions {
                port_mappings: vec![PortMapping::tcp(9000), PortMapping::tcp(9000)],
                ..ContainerDefinitionOptions::new(nginx())
            },
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/TaskDef/twice: port_mappings[1]: container port 9000/tcp is already mapped by port_mappings[0]; map each container port and protocol once"
    );
    let err = task
        .add_container(
            &mut w.app,
            "host",
            ContainerDefinitionOptions {
                port_mappings: vec![PortMapping {
                    host_port: Some(80),
                    ..PortMapping::tcp(8081)
                }],
                ..ContainerDefinitionOptions::new(nginx())
            },
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/TaskDef/host: port_mappings[0].host_port: in awsvpc mode the host port must be left out or equal the container port (8081), got 80"
    );
}

#[test]
fn fixed_host_ports_collide_in_bridge_mode() {
    let mut w = world();
    let task = Ec2TaskDefinition::new(
        &mut w.app,
        w.stack,
        "TaskDef",
        Ec2TaskDefinitionProps::default(),
    )
    .unwrap();
    let fixed = |c: u16| PortMapping {
        host_port: Some(80),
        ..PortMapping::tcp(c)
    };
    task.add_container(
        &mut w.app,
        "a",
        ContainerDefinitionOptions {
            memory_limit_mib: Some(128),
            port_mappings: vec![fixed(8080)],
            ..ContainerDefinitionOptions::new(nginx())
        },
    )
    .unwrap();
    let err = task
        .add_container(
            &mut w.app,
            "b",
            ContainerDefinitionOptions {
                memory_limit_mib: Some(128),
                port_mappings: vec![fixed(9090)],
                ..ContainerDefinitionOptions::new(nginx())
            },
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/TaskDef/b: port_mappings[0]: host port 80 is already used by container a (port_mappings[0]); leave host_port out for a dynamic port"
    );
}

#[test]
fn a_service_whose_task_has_no_essential_container_is_a_synth_error() {
    let mut w = world();
    let task = fargate_task(&mut w);
    for id in ["init", "helper"] {
        task.add_container(
            &mut w.app,
            id,
            ContainerDefinitionOptions {
                essential: false,
                ..ContainerDefinitionOptions::new(nginx())
            },
        )
        .unwrap();
    }
    FargateService::new(
        &mut w.app,
        w.stack,
        "Service",
        FargateServiceProps::new(w.cluster, task),
    )
    .unwrap();
    assert_eq!(
        synth_errors(&mut w.app),
        [
            "error[BERTH-E0311] Web/Service: the task definition Web/TaskDef has no essential container, so the service cannot run it; add a container with essential = true (the default)",
            "error[BERTH-E0310] Web/TaskDef: a task definition needs at least one essential container, but every container has essential = false (init, helper); make the main container essential",
        ]
    );
}

#[test]
fn a_task_definition_without_containers_is_a_synth_error() {
    let mut w = world();
    fargate_task(&mut w);
    assert_eq!(
        synth_errors(&mut w.app),
        ["error[BERTH-E0310] Web/TaskDef: a task definition needs at least one container; add one with add_container"]
    );
}

#[test]
fn a_secret_without_a_source_is_an_error() {
    let mut w = world();
    let task = fargate_task(&mut w);
    let err = task
        .add_container(
            &mut w.app,
            "web",
            ContainerDefinitionOptions {
                secrets: [(
                    "DB_PASSWORD".to_string(),
                    Secret::from_ssm_parameter_name(""),
                )]
                .into(),
                ..ContainerDefinitionOptions::new(nginx())
            },
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/TaskDef/web: secrets.DB_PASSWORD: the secret DB_PASSWORD has no source: give an SSM parameter name or a Secrets Manager ARN"
    );
}

#[test]
fn a_container_dependency_cycle_is_a_synth_error_naming_the_containers() {
    let mut w = world();
    let task = fargate_task(&mut w);
    let mut made = Vec::new();
    for id in ["web", "proxy", "init"] {
        made.push(
            task.add_container(
                &mut w.app,
                id,
                ContainerDefinitionOptions {
                    health_check: Some(HealthCheck {
                        command: vec!["true".into()],
                        ..Default::default()
                    }),
                    ..ContainerDefinitionOptions::new(nginx())
                },
            )
            .unwrap(),
        );
    }
    let dep = |c: ContainerDefinition| ContainerDependency {
        container: c,
        condition: ContainerDependencyCondition::Start,
    };
    made[0]
        .add_container_dependencies(&mut w.app, &[dep(made[1])])
        .unwrap();
    made[1]
        .add_container_dependencies(&mut w.app, &[dep(made[0])])
        .unwrap();
    // init is not part of the cycle.
    made[1]
        .add_container_dependencies(&mut w.app, &[dep(made[2])])
        .unwrap();
    assert_eq!(
        synth_errors(&mut w.app),
        ["error[BERTH-E0310] Web/TaskDef: the container start-order dependencies form a cycle: web -> proxy -> web; remove one of these dependencies"]
    );
}

#[test]
fn dependencies_render_in_start_order_with_their_conditions() {
    let mut w = world();
    let task = fargate_task(&mut w);
    let web = task
        .add_container(&mut w.app, "web", ContainerDefinitionOptions::new(nginx()))
        .unwrap();
    let init = task
        .add_container(
            &mut w.app,
            "init",
            ContainerDefinitionOptions {
                essential: false,
                command: vec!["migrate".into()],
                ..ContainerDefinitionOptions::new(nginx())
            },
        )
        .unwrap();
    web.add_container_dependencies(
        &mut w.app,
        &[ContainerDependency {
            container: init,
            condition: ContainerDependencyCondition::Success,
        }],
    )
    .unwrap();
    let t = template(&mut w.app);
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        pattern!({"ContainerDefinitions": [
            {"Name": "web", "DependsOn": [{"ContainerName": "init", "Condition": "SUCCESS"}]},
            {"Name": "init", "Essential": false, "Command": ["migrate"], "DependsOn": (Match::absent())},
        ]}),
    );
}

#[test]
fn more_bad_input() {
    let mut w = world();
    let err = FargateTaskDefinition::new(
        &mut w.app,
        w.stack,
        "Big",
        FargateTaskDefinitionProps {
            ephemeral_storage_gib: Some(201),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/Big: ephemeral_storage_gib: Fargate ephemeral storage must be between 21 and 200 GiB, got 201"
    );
    let task = fargate_task(&mut w);
    let err = task
        .add_container(
            &mut w.app,
            "web",
            ContainerDefinitionOptions::new(ContainerImage::from_asset("./no-such-app")),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/TaskDef/web: image: the image asset directory ./no-such-app does not exist"
    );
    let err = task
        .add_container(&mut w.app, "web", ContainerDefinitionOptions::default())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/TaskDef/web: image: a container needs an image, e.g. ContainerImage::from_registry(\"public.ecr.aws/nginx/nginx:latest\")"
    );
    let err = task
        .add_container(
            &mut w.app,
            "web",
            ContainerDefinitionOptions {
                health_check: Some(HealthCheck {
                    command: vec!["curl -f http://localhost/".into()],
                    interval_secs: Some(10),
                    timeout_secs: Some(10),
                    ..Default::default()
                }),
                ..ContainerDefinitionOptions::new(nginx())
            },
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/TaskDef/web: health_check.timeout_secs: the timeout (10 s) must be shorter than the interval (10 s)"
    );
    let err = FargateService::new(
        &mut w.app,
        w.stack,
        "Service",
        FargateServiceProps {
            min_healthy_percent: Some(100),
            max_healthy_percent: Some(100),
            ..FargateServiceProps::new(w.cluster, task)
        },
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/Service: min_healthy_percent: min_healthy_percent (100) must be lower than max_healthy_percent (100)"
    );
    let err = w
        .cluster
        .add_capacity(&mut w.app, "Capacity", AddCapacityOptions::default())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/Cluster/Capacity: instance_type: an instance type is required, e.g. AddCapacityOptions::new(\"t3.medium\")"
    );
}

#[test]
fn ec2_tasks_need_memory_and_ec2_services_need_capacity() {
    let mut w = world();
    let task = Ec2TaskDefinition::new(
        &mut w.app,
        w.stack,
        "TaskDef",
        Ec2TaskDefinitionProps::default(),
    )
    .unwrap();
    task.add_container(&mut w.app, "web", ContainerDefinitionOptions::new(nginx()))
        .unwrap();
    Ec2Service::new(
        &mut w.app,
        w.stack,
        "Service",
        Ec2ServiceProps::new(w.cluster, task),
    )
    .unwrap();
    assert_eq!(
        synth_errors(&mut w.app),
        [
            "error[BERTH-E0311] Web/Service: the cluster Web/Cluster has no EC2 capacity to run an Ec2Service; add some with cluster.add_capacity, or give a capacity provider strategy",
            "error[BERTH-E0310] Web/TaskDef: container web needs memory_limit_mib or memory_reservation_mib: the task definition sets no task-level memory",
        ]
    );
}

#[test]
fn default_capacity_provider_strategy_is_checked() {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    Cluster::new(
        &mut app,
        stack,
        "Cluster",
        ClusterProps {
            default_capacity_provider_strategy: vec![CapacityProviderStrategy::fargate_spot(1)],
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        synth_errors(&mut app),
        ["error[BERTH-E0312] Web/Cluster: default_capacity_provider_strategy: capacity provider FARGATE_SPOT is not associated with this cluster; set enable_fargate_capacity_providers or add the capacity with add_capacity first"]
    );
}

#[test]
fn given_roles_are_used_and_volumes_render() {
    let mut w = world();
    let role = Role::new(
        &mut w.app,
        w.stack,
        "AppRole",
        RoleProps {
            managed_policies: vec![ManagedPolicy::aws_managed("ReadOnlyAccess")],
            ..RoleProps::new(Principal::service("ecs-tasks.amazonaws.com"))
        },
    )
    .unwrap();
    let task = FargateTaskDefinition::new(
        &mut w.app,
        w.stack,
        "TaskDef",
        FargateTaskDefinitionProps {
            task_role: Some(role),
            volumes: vec![
                Volume {
                    name: "scratch".into(),
                    source: VolumeSource::Host { source_path: None },
                },
                Volume {
                    name: "shared".into(),
                    source: VolumeSource::Efs(
                        EfsVolumeConfiguration::new("fs-12345678").transit_encryption(true),
                    ),
                },
            ],
            ..Default::default()
        },
    )
    .unwrap();
    task.add_container(
        &mut w.app,
        "web",
        ContainerDefinitionOptions {
            mount_points: vec![MountPoint {
                source_volume: "shared".into(),
                container_path: "/data".into(),
                read_only: true,
            }],
            ..ContainerDefinitionOptions::new(nginx())
        },
    )
    .unwrap();
    let err = task
        .add_volume(
            &mut w.app,
            Volume {
                name: "host".into(),
                source: VolumeSource::Host {
                    source_path: Some("/var/run/docker.sock".into()),
                },
            },
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/TaskDef: volumes[2]: Fargate tasks cannot mount host paths (\"/var/run/docker.sock\"); leave source_path out for a task-scoped volume, or use EFS"
    );
    let t = template(&mut w.app);
    t.resource_count_is("AWS::IAM::Role", 1);
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        pattern!({
            "TaskRoleArn": {"Fn::GetAtt": [(Match::string_like_regexp("^AppRole")), "Arn"]},
            "Volumes": [{"Name": "scratch"},
                        {"Name": "shared", "EFSVolumeConfiguration": {"FilesystemId": "fs-12345678", "TransitEncryption": "ENABLED"}}],
            "ContainerDefinitions": [{"MountPoints": [{"SourceVolume": "shared", "ContainerPath": "/data", "ReadOnly": true}]}],
        }),
    );
}

#[test]
fn a_service_strategy_needs_the_providers_associated_with_the_cluster() {
    let mut w = world();
    let task = fargate_task(&mut w);
    task.add_container(&mut w.app, "web", ContainerDefinitionOptions::new(nginx()))
        .unwrap();
    FargateService::new(
        &mut w.app,
        w.stack,
        "Service",
        FargateServiceProps {
            capacity_provider_strategies: vec![CapacityProviderStrategy::fargate_spot(1)],
            ..FargateServiceProps::new(w.cluster, task)
        },
    )
    .unwrap();
    assert_eq!(
        synth_errors(&mut w.app),
        ["error[BERTH-E0311] Web/Service: capacity_provider_strategies[0]: capacity provider FARGATE_SPOT is not associated with the cluster Web/Cluster; set enable_fargate_capacity_providers on the cluster, or add the capacity with add_capacity"]
    );
}

#[test]
fn services_run_in_an_imported_cluster_whose_capacity_is_left_alone() {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let vpc = Vpc::from_attributes(
        &mut app,
        stack,
        "Vpc",
        crate::ec2::VpcAttributes {
            vpc_id: "vpc-0123".into(),
            availability_zones: vec!["us-east-1a".into(), "us-east-1b".into()],
            private_subnet_ids: vec!["subnet-a".into(), "subnet-b".into()],
            ..Default::default()
        },
    )
    .unwrap();
    let cluster = Cluster::from_attributes(
        &mut app,
        stack,
        "Cluster",
        ClusterAttributes {
            cluster_name: "prod".into(),
            vpc,
            cluster_arn: None,
        },
    )
    .unwrap();
    let err = cluster
        .add_capacity(&mut app, "Capacity", AddCapacityOptions::new("t3.small"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/Cluster: capacity: cannot change the capacity of an imported cluster: berth does not change it (its existing capacity providers would be replaced)"
    );
    let task = FargateTaskDefinition::new(
        &mut app,
        stack,
        "TaskDef",
        FargateTaskDefinitionProps::default(),
    )
    .unwrap();
    task.add_container(&mut app, "web", ContainerDefinitionOptions::new(nginx()))
        .unwrap();
    FargateService::new(
        &mut app,
        stack,
        "Service",
        FargateServiceProps::new(cluster, task),
    )
    .unwrap();
    let t = template(&mut app);
    t.resource_count_is("AWS::ECS::Cluster", 0);
    t.resource_count_is("AWS::ECS::ClusterCapacityProviderAssociations", 0);
    t.has_resource_properties(
        "AWS::ECS::Service",
        pattern!({"Cluster": "prod", "NetworkConfiguration": {"AwsvpcConfiguration": {"Subnets": ["subnet-a", "subnet-b"]}}}),
    );
}

#[test]
fn containers_must_fit_in_the_task_size() {
    let mut w = world();
    let task = fargate_task(&mut w);
    task.add_container(
        &mut w.app,
        "web",
        ContainerDefinitionOptions {
            cpu: Some(256),
            memory_limit_mib: Some(1024),
            memory_reservation_mib: Some(256),
            ..ContainerDefinitionOptions::new(nginx())
        },
    )
    .unwrap();
    task.add_container(
        &mut w.app,
        "sidecar",
        ContainerDefinitionOptions {
            cpu: Some(128),
            memory_limit_mib: Some(384),
            ..ContainerDefinitionOptions::new(nginx())
        },
    )
    .unwrap();
    assert_eq!(
        synth_errors(&mut w.app),
        [
            "error[BERTH-E0310] Web/TaskDef: container web has a memory limit of 1024 MiB, more than the task's 512 MiB",
            "error[BERTH-E0310] Web/TaskDef: the containers reserve 640 MiB of memory in total, more than the task's 512 MiB; lower their reservations or choose a larger task size",
            "error[BERTH-E0310] Web/TaskDef: the containers reserve 384 CPU units in total, more than the task's 256; lower their cpu or choose a larger task size",
        ]
    );
}

#[test]
fn an_ssm_parameter_given_by_arn_is_used_as_is() {
    let arn = "arn:aws:ssm:eu-west-1:111111111111:parameter/shared/token";
    assert_eq!(
        Secret::from_ssm_parameter_name(arn).arn(),
        berth_synth::Value::from(arn)
    );
    let by_name = Secret::from_ssm_parameter_name("token").arn();
    assert!(by_name.is_token());
}

#[test]
fn ports_environment_and_secrets_added_later() {
    let mut w = world();
    let task = fargate_task(&mut w);
    let web = task
        .add_container(
            &mut w.app,
            "web",
            ContainerDefinitionOptions {
                port_mappings: vec![PortMapping::tcp(80)],
                ..ContainerDefinitionOptions::new(nginx())
            },
        )
        .unwrap();
    let sidecar = task
        .add_container(
            &mut w.app,
            "sidecar",
            ContainerDefinitionOptions::new(nginx()),
        )
        .unwrap();
    web.add_port_mappings(&mut w.app, &[PortMapping::tcp(443)])
        .unwrap();
    let err = sidecar
        .add_port_mappings(&mut w.app, &[PortMapping::udp(53), PortMapping::tcp(443)])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/TaskDef/sidecar: port_mappings[1]: container port 443/tcp is already mapped by container web (port_mappings[1]); in awsvpc mode the containers of a task share one network namespace, so each port can be mapped once"
    );
    // Nothing of a rejected call is kept.
    assert!(sidecar.port_mappings(&w.app).is_empty());
    web.add_environment(&mut w.app, "STAGE", "prod");
    web.add_secret(
        &mut w.app,
        "TOKEN",
        Secret::from_ssm_parameter_name("token"),
    )
    .unwrap();
    let t = template(&mut w.app);
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        pattern!({"ContainerDefinitions": [{
            "Name": "web",
            "PortMappings": [{"ContainerPort": 80}, {"ContainerPort": 443}],
            "Environment": [{"Name": "STAGE", "Value": "prod"}],
            "Secrets": [{"Name": "TOKEN"}],
        }, {"Name": "sidecar", "PortMappings": (Match::absent())}]}),
    );
    t.has_resource_properties(
        "AWS::IAM::Policy",
        pattern!({"PolicyDocument": {"Statement": (Match::exact(pattern!([
            {"Action": "ssm:GetParameters", "Effect": "Allow", "Resource": (Match::any_value())}
        ])))}}),
    );
}

#[test]
fn daemon_services() {
    let mut w = world();
    w.cluster
        .add_capacity(&mut w.app, "Capacity", AddCapacityOptions::new("t3.small"))
        .unwrap();
    let task = Ec2TaskDefinition::new(
        &mut w.app,
        w.stack,
        "TaskDef",
        Ec2TaskDefinitionProps::default(),
    )
    .unwrap();
    task.add_container(
        &mut w.app,
        "agent",
        ContainerDefinitionOptions {
            memory_reservation_mib: Some(64),
            ..ContainerDefinitionOptions::new(nginx())
        },
    )
    .unwrap();
    let err = Ec2Service::new(
        &mut w.app,
        w.stack,
        "Bad",
        Ec2ServiceProps {
            daemon: true,
            desired_count: Some(2),
            ..Ec2ServiceProps::new(w.cluster, task)
        },
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/Bad: desired_count: a daemon service runs one task per instance; desired_count cannot be combined with daemon = true"
    );
    Ec2Service::new(
        &mut w.app,
        w.stack,
        "Agent",
        Ec2ServiceProps {
            daemon: true,
            ..Ec2ServiceProps::new(w.cluster, task)
        },
    )
    .unwrap();
    let t = template(&mut w.app);
    t.has_resource_properties(
        "AWS::ECS::Service",
        pattern!({"SchedulingStrategy": "DAEMON", "LaunchType": "EC2", "DesiredCount": (Match::absent()),
                  "DeploymentConfiguration": {"MaximumPercent": 100, "MinimumHealthyPercent": 0}}),
    );
}
