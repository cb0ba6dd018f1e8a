//! The capacity and service kinds of issue 24 in the variants the examples do not
//! cover, each synthesized and linted with cfn-lint (zero errors, warnings and
//! informational findings; `support::lint`), with the wiring a real app needs asserted:
//! a database on Fargate with an encrypted io2 EBS volume per task under a customer
//! managed key; Managed Instances with given roles, Spot and allowed instance types and
//! an explicit strategy; an Express service on the default cluster from an ECR image,
//! and the same description ejected to the ALB pattern.

mod support;
use support::lint as check;

use berth_constructs::ecr::{Repository, RepositoryProps};
use berth_constructs::ecs::*;
use berth_constructs::iam::{Principal, Role, RoleProps};
use berth_constructs::kms::{Key, KeyProps};
use berth_constructs::{App, Stack, StackProps};
use serde_json::{json, Value};

fn of_type<'a>(t: &'a Value, ty: &str) -> Vec<(&'a String, &'a Value)> {
    t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == ty)
        .collect()
}

fn policy_of<'a>(t: &'a Value, role_id: &str) -> &'a Value {
    of_type(t, "AWS::IAM::Policy")
        .into_iter()
        .find(|(_, p)| p["Properties"]["Roles"][0]["Ref"] == role_id)
        .map(|(_, p)| &p["Properties"]["PolicyDocument"]["Statement"])
        .unwrap_or_else(|| panic!("no policy on {role_id}"))
}

/// The first stack's template of `app`.
fn template(mut app: App) -> Value {
    let out = app.synth().unwrap_or_else(|e| panic!("synth failed: {e}"));
    out.stacks[0].template.clone()
}

fn database_app() -> App {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Data", StackProps::default()).unwrap();
    let cluster = support::cluster_in_new_vpc(&mut app, s, Default::default());
    let key = Key::new(&mut app, s, "VolumeKey", KeyProps::default()).unwrap();
    let task = FargateTaskDefinition::new(
        &mut app,
        s,
        "DbTask",
        FargateTaskDefinitionProps::default().volumes([Volume::configured_at_launch("data")]),
    )
    .unwrap();
    let db = task
        .add_container(
            &mut app,
            "db",
            ContainerDefinitionOptions::new(ContainerImage::from_registry(
                "public.ecr.aws/docker/library/postgres:17",
            ))
            .port_mappings([PortMapping::tcp(5432)])
            .logging(AwsLogDriverProps::new("db")),
        )
        .unwrap();
    db.add_mount_points(
        &mut app,
        [MountPoint::new("data", "/var/lib/postgresql/data")],
    )
    .unwrap();
    let service =
        FargateService::new(&mut app, s, "Db", FargateServiceProps::new(cluster, task)).unwrap();
    service
        .add_volume(
            &mut app,
            ServiceManagedEbsVolume::new("data")
                .size_gib(200)
                .volume_type(EbsVolumeType::Io2)
                .iops(8000)
                .kms_key(key)
                .file_system_type(FileSystemType::Xfs)
                .tags([("backup", "daily")])
                .propagate_tags(EbsTagSource::Service),
        )
        .unwrap();
    app
}

#[test]
fn a_database_on_fargate_with_an_encrypted_io2_volume_per_task() {
    let t = &template(database_app());
    let (_, svc) = of_type(t, "AWS::ECS::Service")[0];
    let ebs = &svc["Properties"]["VolumeConfigurations"][0]["ManagedEBSVolume"];
    assert_eq!(ebs["VolumeType"], "io2");
    assert_eq!(ebs["Iops"], 8000);
    assert_eq!(ebs["Encrypted"], true);
    assert_eq!(ebs["KmsKeyId"]["Fn::GetAtt"][1], "Arn");
    assert_eq!(
        ebs["TagSpecifications"][0],
        json!({"PropagateTags": "SERVICE", "ResourceType": "volume", "Tags": [{"Key": "backup", "Value": "daily"}]})
    );
    let role_id = ebs["RoleArn"]["Fn::GetAtt"][0].as_str().unwrap();
    let statements = policy_of(t, role_id);
    assert!(statements.as_array().unwrap().iter().any(|st| st["Action"]
        .as_array()
        .is_some_and(|a| a.contains(&json!("kms:CreateGrant")))));
    // The service waits for the role's key grants before ECS creates the first volume.
    let depends: Vec<&str> = svc["DependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        depends
            .iter()
            .any(|d| d.starts_with("DbEBSRoleDefaultPolicy")),
        "{depends:?}"
    );
    check(database_app());
}

fn managed_instances_app() -> App {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Hosts", StackProps::default()).unwrap();
    let cluster = support::cluster_in_new_vpc(&mut app, s, Default::default());
    let infrastructure = Role::new(
        &mut app,
        s,
        "MyInfrastructureRole",
        RoleProps::new(Principal::service("ecs.amazonaws.com")).managed_policies([
            berth_constructs::iam::ManagedPolicy::aws_managed(
                MANAGED_INSTANCES_INFRASTRUCTURE_POLICY,
            ),
        ]),
    )
    .unwrap();
    let spot = cluster
        .add_managed_instances_capacity_provider(
            &mut app,
            "Spot",
            ManagedInstancesCapacityProviderProps::default()
                .infrastructure_role(infrastructure)
                .capacity_option(CapacityOption::Spot)
                .instance_requirements(
                    InstanceRequirements::new(4, 8192)
                        .allowed_instance_types(["c7i.*", "m7i.*"])
                        .cpu_architectures([CpuArchitecture::X86_64]),
                ),
        )
        .unwrap();
    let on_demand = cluster
        .add_managed_instances_capacity_provider(
            &mut app,
            "OnDemand",
            ManagedInstancesCapacityProviderProps::default()
                .capacity_provider_name("shop-on-demand"),
        )
        .unwrap();
    let task = ManagedInstancesTaskDefinition::new(
        &mut app,
        s,
        "WorkerTask",
        ManagedInstancesTaskDefinitionProps::default()
            .network_mode(NetworkMode::Host)
            .cpu(2048)
            .memory_mib(4096),
    )
    .unwrap();
    task.add_container(
        &mut app,
        "worker",
        ContainerDefinitionOptions::new(ContainerImage::from_registry(
            "public.ecr.aws/docker/library/busybox:stable",
        ))
        .command(["sh", "-c", "while true; do sleep 60; done"]),
    )
    .unwrap();
    let mut base = on_demand.strategy(1);
    base.base = Some(1);
    ManagedInstancesService::new(
        &mut app,
        s,
        "Worker",
        ManagedInstancesServiceProps::new(cluster, task)
            .desired_count(4)
            .capacity_provider_strategies([base, spot.strategy(3)]),
    )
    .unwrap();
    app
}

#[test]
fn managed_instances_with_given_roles_spot_and_an_explicit_strategy() {
    let t = &template(managed_instances_app());
    let providers = of_type(t, "AWS::ECS::CapacityProvider");
    assert_eq!(providers.len(), 2);
    // The given infrastructure role is used, and granted pass-role on the instance role.
    let spot = providers
        .iter()
        .find(|(id, _)| id.starts_with("ClusterSpot"))
        .unwrap()
        .1;
    let mi = &spot["Properties"]["ManagedInstancesProvider"];
    assert!(mi["InfrastructureRoleArn"]["Fn::GetAtt"][0]
        .as_str()
        .unwrap()
        .starts_with("MyInfrastructureRole"));
    assert_eq!(mi["InstanceLaunchTemplate"]["CapacityOptionType"], "SPOT");
    assert_eq!(
        mi["InstanceLaunchTemplate"]["InstanceRequirements"]["AllowedInstanceTypes"],
        json!(["c7i.*", "m7i.*"])
    );
    assert_eq!(
        mi["InstanceLaunchTemplate"]["InstanceRequirements"]["CpuManufacturers"],
        json!(["intel", "amd"])
    );
    let role_id = mi["InfrastructureRoleArn"]["Fn::GetAtt"][0]
        .as_str()
        .unwrap();
    let pass = &policy_of(t, role_id)[0];
    assert_eq!(pass["Action"], "iam:PassRole");
    assert_eq!(pass["Resource"]["Fn::GetAtt"][1], "Arn");
    assert!(of_type(t, "AWS::ECS::ClusterCapacityProviderAssociations").is_empty());
    let (_, svc) = of_type(t, "AWS::ECS::Service")[0];
    let strategy = svc["Properties"]["CapacityProviderStrategy"]
        .as_array()
        .unwrap();
    assert_eq!(strategy.len(), 2);
    assert_eq!(strategy[0]["Base"], 1);
    assert_eq!(strategy[1]["Weight"], 3);
    assert!(
        svc["Properties"].get("NetworkConfiguration").is_none(),
        "host mode has no awsvpc configuration"
    );
    check(managed_instances_app());
}

fn express_app(eject: bool) -> App {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let repo = Repository::new(&mut app, s, "Repo", RepositoryProps::default()).unwrap();
    let props = ExpressServiceProps::new(ContainerImage::from_ecr_repository(&repo, "v1"))
        .container_port(3000)
        .health_check_path("/healthz")
        .scaling(
            ExpressScaling::new(1, 3)
                .metric(ExpressScalingMetric::AverageMemory)
                .target_value(70),
        );
    if eject {
        props.eject(&mut app, s, "Api").unwrap();
    } else {
        ExpressService::new(&mut app, s, "Api", props).unwrap();
    }
    app
}

#[test]
fn an_express_service_from_an_ecr_image_on_the_default_cluster_and_ejected() {
    let t = &template(express_app(false));
    let (_, svc) = of_type(t, "AWS::ECS::ExpressGatewayService")[0];
    let p = &svc["Properties"];
    assert!(p.get("Cluster").is_none() && p.get("NetworkConfiguration").is_none());
    assert_eq!(p["PrimaryContainer"]["ContainerPort"], 3000);
    assert_eq!(p["ScalingTarget"]["AutoScalingMetric"], "AVERAGE_MEMORY");
    assert_eq!(p["ScalingTarget"]["AutoScalingTargetValue"], 70);
    // The execution role pulls from exactly the repository and writes exactly the log group.
    let role_id = p["ExecutionRoleArn"]["Fn::GetAtt"][0].as_str().unwrap();
    let statements = policy_of(t, role_id).as_array().unwrap();
    let pull = statements
        .iter()
        .find(|st| {
            st["Action"]
                .as_array()
                .is_some_and(|a| a.contains(&json!("ecr:BatchGetImage")))
        })
        .expect("a pull statement");
    assert_eq!(pull["Resource"]["Fn::GetAtt"][1], "Arn");
    assert!(statements
        .iter()
        .all(|st| st["Resource"] != "*" || st["Action"] == "ecr:GetAuthorizationToken"));
    check(express_app(false));

    let t = &template(express_app(true));
    assert!(of_type(t, "AWS::ECS::ExpressGatewayService").is_empty());
    let (_, task) = of_type(t, "AWS::ECS::TaskDefinition")[0];
    assert_eq!(
        task["Properties"]["ContainerDefinitions"][0]["PortMappings"][0]["ContainerPort"],
        3000
    );
    let (_, policy) = of_type(t, "AWS::ApplicationAutoScaling::ScalingPolicy")[0];
    let tracking = &policy["Properties"]["TargetTrackingScalingPolicyConfiguration"];
    assert_eq!(
        tracking["PredefinedMetricSpecification"]["PredefinedMetricType"],
        "ECSServiceAverageMemoryUtilization"
    );
    assert_eq!(tracking["TargetValue"], 70.0);
    check(express_app(true));
}
