//! Amazon ECS Managed Instances: the capacity provider
//! ([`ManagedInstancesCapacityProvider`], added with
//! [`Cluster::add_managed_instances_capacity_provider`]), the task definition
//! ([`ManagedInstancesTaskDefinition`], `MANAGED_INSTANCES`) and the service kind
//! ([`ManagedInstancesService`]).
//!
//! What berth does differently from CDK's provider (aws/aws-cdk#35699, #35742, #36098):
//! a Managed Instances provider is scoped to its cluster by its own `ClusterName` and is
//! never put in the cluster's `ClusterCapacityProviderAssociations` (ECS refuses it
//! there, and an association with nothing in it is not created); its tasks run in a
//! [`ManagedInstancesService`], whose capacity provider strategy names the cluster's
//! Managed Instances providers (an `Ec2Service` or `FargateService` naming one is an
//! error at synth that says which kind to use); and the instance role needs no
//! `ecsInstanceRole` name: the infrastructure role is granted `iam:PassRole` on exactly
//! that role.

use super::cluster::{CapacityProviderStrategy, Cluster};
use super::service::{BaseService, Common, DeploymentCircuitBreaker, Launch, PlacementConstraint};
use super::service::{PlacementStrategy, PropagateTags};
use super::service_connect::ServiceConnectProps;
use super::task_definition::{
    self, Compatibility, NetworkMode, RuntimePlatform, TaskDefinition, Volume,
};
use crate::app::{App, Construct, NodeId, Scope};
use crate::ec2::{Connectable, Connections, SecurityGroup, SecurityGroupProps, SubnetSelection};
use crate::error::{ConstructError, Result};
use crate::iam::{value_expr, ManagedPolicy, PolicyStatement, Principal, Role, RoleProps};
use berth_synth::cfn::ecs::{capacity_provider as cp, task_definition as td, CfnCapacityProvider};
use berth_synth::cfn::iam::CfnInstanceProfile;
use berth_synth::resource::ResourceRef;
use berth_synth::{Expr, Token, Value};
use std::any::Any;
use std::ops::Deref;

/// The AWS managed policy ECS documents for the infrastructure role of Managed
/// Instances (launch, replace and terminate instances, pass the instance role).
pub const MANAGED_INSTANCES_INFRASTRUCTURE_POLICY: &str =
    "AmazonECSInfrastructureRolePolicyForManagedInstances";
/// The AWS managed policy ECS documents for the instance role of Managed Instances
/// (the ECS agent registering with the cluster and reporting task state).
pub const MANAGED_INSTANCES_INSTANCE_POLICY: &str =
    "AmazonECSInstanceRolePolicyForManagedInstances";

/// How often CloudWatch gets the instances' metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InstanceMonitoring {
    /// Every 5 minutes (free).
    Basic,
    /// Every minute (charged).
    Detailed,
}

/// Whether instances are On-Demand or Spot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CapacityOption {
    /// On-Demand instances.
    OnDemand,
    /// Spot instances (EC2 may reclaim them; ECS drains and replaces them).
    Spot,
}

props! {
    /// Which EC2 instance types ECS may launch (attribute-based instance type
    /// selection). `InstanceRequirements::new(2, 4096)`: at least 2 vCPUs and 4 GiB.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct InstanceRequirements {
        /// The fewest vCPUs, at least 1. Required.
        pub vcpu_min: u32,
        /// The most vCPUs. Default: no limit.
        pub vcpu_max: Option<u32>,
        /// The least memory in MiB, at least 1. Required.
        pub memory_min_mib: u32,
        /// The most memory in MiB. Default: no limit.
        pub memory_max_mib: Option<u32>,
        /// The CPU architectures allowed: [`task_definition::CpuArchitecture::Arm64`]
        /// selects AWS Graviton (`amazon-web-services`), `X86_64` Intel and AMD.
        /// Default: any.
        pub cpu_architectures: Vec<task_definition::CpuArchitecture>,
        /// Only these instance types (wildcards allowed: `m7g.*`); not with
        /// `excluded_instance_types`. Default: any.
        pub allowed_instance_types: Vec<String>,
        /// Never these instance types (wildcards allowed: `t2.*`). Default: none.
        pub excluded_instance_types: Vec<String>,
        /// Burstable (`t*`) instances: `Some(true)` only them, `Some(false)` none of
        /// them. Default: not rendered (EC2 excludes them).
        pub burstable_performance: Option<bool>,
    }
}

impl InstanceRequirements {
    /// At least `vcpu_min` vCPUs and `memory_min_mib` MiB of memory; everything else
    /// open.
    pub fn new(vcpu_min: u32, memory_min_mib: u32) -> Self {
        InstanceRequirements {
            vcpu_min,
            memory_min_mib,
            ..Default::default()
        }
    }

    fn check(&self, path: &str) -> Result<()> {
        let bad = |field: &str, msg: String| {
            ConstructError::invalid(path, format!("instance_requirements.{field}"), msg)
        };
        if self.vcpu_min == 0 {
            return Err(bad("vcpu_min", "at least 1 vCPU is required, got 0".into()));
        }
        if let Some(max) = self.vcpu_max.filter(|m| *m < self.vcpu_min) {
            return Err(bad(
                "vcpu_max",
                format!(
                    "vcpu_max ({max}) is lower than vcpu_min ({})",
                    self.vcpu_min
                ),
            ));
        }
        if self.memory_min_mib == 0 {
            return Err(bad(
                "memory_min_mib",
                "at least 1 MiB of memory is required, got 0".into(),
            ));
        }
        if let Some(max) = self.memory_max_mib.filter(|m| *m < self.memory_min_mib) {
            return Err(bad(
                "memory_max_mib",
                format!(
                    "memory_max_mib ({max}) is lower than memory_min_mib ({})",
                    self.memory_min_mib
                ),
            ));
        }
        if !self.allowed_instance_types.is_empty() && !self.excluded_instance_types.is_empty() {
            return Err(bad(
                "excluded_instance_types",
                "give allowed_instance_types or excluded_instance_types, not both (EC2 takes one)"
                    .into(),
            ));
        }
        for (field, list) in [
            ("allowed_instance_types", &self.allowed_instance_types),
            ("excluded_instance_types", &self.excluded_instance_types),
        ] {
            if list.len() > 400 {
                return Err(bad(
                    field,
                    format!("at most 400 instance types, got {}", list.len()),
                ));
            }
            for (i, t) in list.iter().enumerate() {
                let ok = !t.is_empty()
                    && t.len() <= 30
                    && t.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '*');
                if !ok {
                    return Err(bad(
                        &format!("{field}[{i}]"),
                        format!("invalid instance type \"{t}\": use 1 to 30 letters, digits, dots and * (e.g. m7g.large, c7i.*)"),
                    ));
                }
            }
        }
        Ok(())
    }

    fn l1(&self) -> cp::InstanceRequirementsRequest {
        let mut manufacturers: Vec<Expr<cp::CpuManufacturer>> = Vec::new();
        for a in &self.cpu_architectures {
            let add: &[cp::CpuManufacturer] = match a {
                td::CpuArchitecture::Arm64 => &[cp::CpuManufacturer::AmazonWebServices],
                td::CpuArchitecture::X86_64 => {
                    &[cp::CpuManufacturer::Intel, cp::CpuManufacturer::Amd]
                }
            };
            for m in add {
                if !manufacturers.contains(&Expr::Lit(*m)) {
                    manufacturers.push(Expr::Lit(*m));
                }
            }
        }
        let strings = |v: &[String]| -> Option<Expr<Vec<Expr<String>>>> {
            (!v.is_empty()).then(|| Expr::Lit(v.iter().map(|s| s.clone().into()).collect()))
        };
        cp::InstanceRequirementsRequest {
            allowed_instance_types: strings(&self.allowed_instance_types),
            burstable_performance: self.burstable_performance.map(|b| {
                if b {
                    cp::BurstablePerformance::Required
                } else {
                    cp::BurstablePerformance::Excluded
                }
                .into()
            }),
            cpu_manufacturers: (!manufacturers.is_empty()).then(|| Expr::Lit(manufacturers)),
            excluded_instance_types: strings(&self.excluded_instance_types),
            memory_mib: Some(
                cp::MemoryMibRequest {
                    max: self.memory_max_mib.map(Into::into),
                    min: Some(self.memory_min_mib.into()),
                }
                .into(),
            ),
            v_cpu_count: Some(
                cp::VCpuCountRangeRequest {
                    max: self.vcpu_max.map(Into::into),
                    min: Some(self.vcpu_min.into()),
                }
                .into(),
            ),
            ..Default::default()
        }
    }
}

props! {
    /// Options of [`Cluster::add_managed_instances_capacity_provider`].
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct ManagedInstancesCapacityProviderProps {
        /// The capacity provider's name: up to 255 letters, digits, `-` and `_`, not
        /// starting with `aws`, `ecs` or `fargate`. Default: generated by
        /// CloudFormation.
        pub capacity_provider_name: Option<String>,
        /// The role ECS assumes to launch and manage the instances. Default: a new
        /// role `InfrastructureRole` trusting `ecs.amazonaws.com` with
        /// [`MANAGED_INSTANCES_INFRASTRUCTURE_POLICY`].
        pub infrastructure_role: Option<Role>,
        /// The role of the instances (for the ECS agent; tasks have their own roles).
        /// Default: a new role `InstanceRole` trusting `ec2.amazonaws.com` with
        /// [`MANAGED_INSTANCES_INSTANCE_POLICY`]. Either way berth makes its instance
        /// profile (`InstanceProfile`) and grants the infrastructure role
        /// `iam:PassRole` on it (so it needs no `ecsInstanceRole` name).
        pub instance_role: Option<Role>,
        /// The subnets of the cluster's VPC the instances run in. Default: the VPC's
        /// default selection (private subnets with egress, falling back to isolated,
        /// then public).
        pub vpc_subnets: Option<SubnetSelection>,
        /// The instances' security groups. Default: a new one (`SecurityGroup`), with
        /// all outbound traffic allowed and no inbound rule.
        pub security_groups: Vec<SecurityGroup>,
        /// Which instance types ECS may launch. Default: not rendered (ECS chooses).
        pub instance_requirements: Option<InstanceRequirements>,
        /// The size of each instance's data volume (images, container storage) in GiB,
        /// at least 1. Default: not rendered (ECS's default).
        pub storage_gib: Option<u32>,
        /// CloudWatch monitoring of the instances. Default: not rendered (basic).
        pub monitoring: Option<InstanceMonitoring>,
        /// On-Demand or Spot. Default: not rendered (On-Demand).
        pub capacity_option: Option<CapacityOption>,
        /// Copy the capacity provider's tags to the instances it launches
        /// (`CAPACITY_PROVIDER`). Default: false (not rendered).
        pub propagate_tags: bool,
    }
}

/// An ECS Managed Instances capacity provider (`AWS::ECS::CapacityProvider` with a
/// `ManagedInstancesProvider`, child `Resource`), scoped to its cluster. Made by
/// [`Cluster::add_managed_instances_capacity_provider`]; its tasks run in a
/// [`ManagedInstancesService`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ManagedInstancesCapacityProvider {
    node: NodeId,
    resource: ResourceRef<CfnCapacityProvider>,
    infrastructure_role: Role,
    instance_role: Role,
    instance_profile: ResourceRef<CfnInstanceProfile>,
    security_group: Option<SecurityGroup>,
    cluster: NodeId,
}

impl Scope for ManagedInstancesCapacityProvider {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl ManagedInstancesCapacityProvider {
    /// The capacity provider's name (`Ref`), for capacity provider strategies.
    pub fn capacity_provider_name(&self) -> Token<String> {
        self.resource.ref_()
    }

    /// A strategy entry for this capacity provider with a weight.
    pub fn strategy(&self, weight: u32) -> CapacityProviderStrategy {
        CapacityProviderStrategy {
            capacity_provider: self.capacity_provider_name().into(),
            base: None,
            weight: Some(weight),
        }
    }

    /// The role ECS assumes to manage the instances.
    pub fn infrastructure_role(&self) -> Role {
        self.infrastructure_role
    }

    /// The instances' role.
    pub fn instance_role(&self) -> Role {
        self.instance_role
    }

    /// The instance profile's ARN.
    pub fn instance_profile_arn(&self) -> Token<String> {
        self.instance_profile.attr_arn()
    }

    /// The security group berth created for the instances (`None` when groups were
    /// given).
    pub fn security_group(&self) -> Option<SecurityGroup> {
        self.security_group
    }

    /// The L1 capacity provider, for escape hatches.
    pub fn cfn(&self) -> ResourceRef<CfnCapacityProvider> {
        self.resource
    }

    pub(crate) fn cluster_node(&self) -> NodeId {
        self.cluster
    }

    fn groups(&self, app: &App) -> Vec<SecurityGroup> {
        app.construct::<GroupsState>(self.node)
            .map(|g| g.0.clone())
            .unwrap_or_default()
    }
}

#[derive(Debug)]
struct GroupsState(Vec<SecurityGroup>);

impl Construct for GroupsState {
    fn fqn(&self) -> &'static str {
        "berth.ecs.ManagedInstancesCapacityProvider"
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

impl Connectable for ManagedInstancesCapacityProvider {
    /// The instances' security groups (what `host`-mode tasks use).
    fn connections(&self, app: &App) -> Connections {
        Connections::new(self.groups(app))
    }
}

fn check_provider_name(path: &str, name: &str) -> Result<()> {
    let lower = name.to_ascii_lowercase();
    let ok = !name.is_empty()
        && name.len() <= 255
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        return Err(ConstructError::invalid(
            path,
            "capacity_provider_name",
            format!("invalid capacity provider name \"{name}\": use 1 to 255 letters, digits, hyphens and underscores"),
        ));
    }
    if let Some(p) = ["aws", "ecs", "fargate"]
        .iter()
        .find(|p| lower.starts_with(*p))
    {
        return Err(ConstructError::invalid(
            path,
            "capacity_provider_name",
            format!("a capacity provider name cannot start with \"{p}\" (ECS reserves aws, ecs and fargate), got \"{name}\""),
        ));
    }
    Ok(())
}

impl Cluster {
    /// Adds an ECS Managed Instances capacity provider under `Cluster/<id>`: the
    /// infrastructure role (`InfrastructureRole`, [`MANAGED_INSTANCES_INFRASTRUCTURE_POLICY`],
    /// plus `iam:PassRole` on the instance role), the instance role (`InstanceRole`,
    /// [`MANAGED_INSTANCES_INSTANCE_POLICY`]) and its profile (`InstanceProfile`), a
    /// security group (`SecurityGroup`) and the capacity provider (`Resource`) with
    /// the cluster's `ClusterName`, the VPC's subnets and the instance requirements.
    /// It is not put in the cluster's capacity provider associations (ECS refuses
    /// Managed Instances providers there).
    ///
    /// ```
    /// use berth_constructs::ecs::{CapacityOption, Cluster, ClusterProps, CpuArchitecture,
    ///     InstanceRequirements, ManagedInstancesCapacityProviderProps};
    /// use berth_constructs::{App, Stack, StackProps};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut app = App::new();
    /// let stack = Stack::new(&mut app, "Hosts", StackProps::default())?;
    /// let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps::default())?;
    /// let requirements = InstanceRequirements::new(2, 4096)
    ///     .vcpu_max(8)
    ///     .cpu_architectures([CpuArchitecture::Arm64]);
    /// let props = ManagedInstancesCapacityProviderProps::default()
    ///     .instance_requirements(requirements)
    ///     .capacity_option(CapacityOption::Spot)
    ///     .storage_gib(50);
    /// let provider = cluster.add_managed_instances_capacity_provider(&mut app, "ManagedInstances", props)?;
    /// assert_eq!(cluster.managed_instances_capacity_providers(&app), [provider]);
    /// let out = app.synth()?;
    /// let res = &out.stacks[0].template["Resources"];
    /// let cp = res.as_object().unwrap().values()
    ///     .find(|r| r["Type"] == "AWS::ECS::CapacityProvider").unwrap();
    /// let lt = &cp["Properties"]["ManagedInstancesProvider"]["InstanceLaunchTemplate"];
    /// assert_eq!(lt["CapacityOptionType"], "SPOT");
    /// assert_eq!(lt["InstanceRequirements"]["CpuManufacturers"], serde_json::json!(["amazon-web-services"]));
    /// assert_eq!(cp["Properties"]["ClusterName"], serde_json::json!({"Ref": "ClusterEB0386A7"}));
    /// // No capacity provider association: ECS refuses Managed Instances providers there.
    /// assert!(!res.as_object().unwrap().values()
    ///     .any(|r| r["Type"] == "AWS::ECS::ClusterCapacityProviderAssociations"));
    /// # Ok(()) }
    /// ```
    pub fn add_managed_instances_capacity_provider(
        &self,
        app: &mut App,
        id: &str,
        props: ManagedInstancesCapacityProviderProps,
    ) -> Result<ManagedInstancesCapacityProvider> {
        self.check_owned(app, "managed_instances_capacity_provider")?;
        let path = format!("{}/{id}", app.path(self.node()));
        if let Some(n) = &props.capacity_provider_name {
            check_provider_name(&path, n)?;
        }
        if let Some(r) = &props.instance_requirements {
            r.check(&path)?;
        }
        if props.storage_gib == Some(0) {
            return Err(ConstructError::invalid(
                path,
                "storage_gib",
                "the instances' storage must be at least 1 GiB, got 0",
            ));
        }
        let vpc = self.vpc();
        let subnets = vpc.select_subnets(app, &props.vpc_subnets.clone().unwrap_or_default())?;
        let node = app.add_construct(self.node(), id, GroupsState(Vec::new()))?;
        let infrastructure_role = match props.infrastructure_role {
            Some(r) => r,
            None => Role::new(
                app,
                node,
                "InfrastructureRole",
                RoleProps::new(Principal::service("ecs.amazonaws.com")).managed_policies([
                    ManagedPolicy::aws_managed(MANAGED_INSTANCES_INFRASTRUCTURE_POLICY),
                ]),
            )?,
        };
        let instance_role = match props.instance_role {
            Some(r) => r,
            None => Role::new(
                app,
                node,
                "InstanceRole",
                RoleProps::new(Principal::service("ec2.amazonaws.com")).managed_policies([
                    ManagedPolicy::aws_managed(MANAGED_INSTANCES_INSTANCE_POLICY),
                ]),
            )?,
        };
        let instance_profile = app.add_resource(
            node,
            "InstanceProfile",
            CfnInstanceProfile {
                roles: Some(Expr::Lit(vec![instance_role.role_name().into()])),
                ..Default::default()
            },
        )?;
        // The managed policy passes only roles named `ecsInstanceRole*`: pass this one.
        infrastructure_role.add_to_policy(
            app,
            PolicyStatement::allow()
                .action("iam:PassRole")
                .resource(instance_role.role_arn())
                .condition("StringLike", "iam:PassedToService", "ec2.*"),
        )?;
        let (groups, created) = if props.security_groups.is_empty() {
            let g = SecurityGroup::new(
                app,
                node,
                "SecurityGroup",
                &vpc,
                SecurityGroupProps::default(),
            )?;
            (vec![g], Some(g))
        } else {
            (props.security_groups.clone(), None)
        };
        if let Some(s) = app.construct_mut::<GroupsState>(node) {
            s.0 = groups.clone();
        }
        let launch_template = cp::InstanceLaunchTemplate {
            capacity_option_type: props.capacity_option.map(|c| {
                match c {
                    CapacityOption::OnDemand => cp::CapacityOptionType::OnDemand,
                    CapacityOption::Spot => cp::CapacityOptionType::Spot,
                }
                .into()
            }),
            ec2_instance_profile_arn: Some(instance_profile.attr_arn().into()),
            instance_requirements: props.instance_requirements.as_ref().map(|r| r.l1().into()),
            monitoring: props.monitoring.map(|m| {
                match m {
                    InstanceMonitoring::Basic => cp::ManagedInstancesMonitoringOptions::Basic,
                    InstanceMonitoring::Detailed => cp::ManagedInstancesMonitoringOptions::Detailed,
                }
                .into()
            }),
            network_configuration: Some(
                cp::ManagedInstancesNetworkConfiguration {
                    security_groups: Some(Expr::Lit(
                        groups
                            .iter()
                            .map(|g| g.security_group_id().into())
                            .collect(),
                    )),
                    subnets: Some(Expr::Lit(
                        subnets.subnet_ids.iter().cloned().map(value_expr).collect(),
                    )),
                }
                .into(),
            ),
            storage_configuration: props.storage_gib.map(|g| {
                cp::ManagedInstancesStorageConfiguration {
                    storage_size_gib: Some(g.into()),
                }
                .into()
            }),
            ..Default::default()
        };
        let resource = app.add_resource(
            node,
            "Resource",
            CfnCapacityProvider {
                cluster_name: Some(self.cluster_name().into()),
                managed_instances_provider: Some(
                    cp::ManagedInstancesProvider {
                        infrastructure_role_arn: Some(infrastructure_role.role_arn().into()),
                        instance_launch_template: Some(launch_template.into()),
                        propagate_tags: props
                            .propagate_tags
                            .then(|| cp::PropagateTags::CapacityProvider.into()),
                        ..Default::default()
                    }
                    .into(),
                ),
                name: props.capacity_provider_name.clone().map(Into::into),
                ..Default::default()
            },
        )?;
        // ECS launches instances as soon as the provider exists: its roles need their
        // permissions (the pass-role grant) and the subnets their routes to the
        // internet (to reach ECS).
        if let Some(policy) = infrastructure_role.default_policy(app) {
            app.add_dependency(resource, policy);
        }
        for d in &subnets.internet_dependencies {
            app.add_dependency(resource, *d);
        }
        let provider = ManagedInstancesCapacityProvider {
            node,
            resource,
            infrastructure_role,
            instance_role,
            instance_profile,
            security_group: created,
            cluster: self.node(),
        };
        if let Some(s) = app.construct_mut::<super::cluster::ClusterState>(self.node()) {
            s.managed_instances.push(provider);
        }
        Ok(provider)
    }
}

props! {
    /// Options of a [`ManagedInstancesTaskDefinition`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct ManagedInstancesTaskDefinitionProps {
        /// The network mode: `awsvpc`, `host` or `none` (ECS Managed Instances do not
        /// run `bridge` tasks). Default: [`NetworkMode::AwsVpc`].
        pub network_mode: NetworkMode,
        /// Task-level CPU units, 128 to 196608. Default: 256 (as CDK).
        pub cpu: Option<u32>,
        /// Task-level memory in MiB. Default: 512 (as CDK).
        pub memory_mib: Option<u32>,
        /// The CPU architecture and OS; an architecture the cluster's instance
        /// requirements exclude is an error at synth. Default: not rendered (Linux on
        /// X86_64).
        pub runtime_platform: Option<RuntimePlatform>,
        /// The family name. Default: a unique id derived from the construct path.
        pub family: Option<String>,
        /// A task role to use. Default: one is created on first use.
        pub task_role: Option<Role>,
        /// An execution role to use. Default: one is created on first use.
        pub execution_role: Option<Role>,
        /// Volumes. Default: none.
        pub volumes: Vec<Volume>,
    }
}

impl Default for ManagedInstancesTaskDefinitionProps {
    fn default() -> Self {
        ManagedInstancesTaskDefinitionProps {
            network_mode: NetworkMode::AwsVpc,
            cpu: None,
            memory_mib: None,
            runtime_platform: None,
            family: None,
            task_role: None,
            execution_role: None,
            volumes: Vec::new(),
        }
    }
}

/// A task definition for ECS Managed Instances (`RequiresCompatibilities:
/// MANAGED_INSTANCES`), run by a [`ManagedInstancesService`].
///
/// ```
/// use berth_constructs::ecs::{ContainerDefinitionOptions, ContainerImage,
///     ManagedInstancesTaskDefinition, ManagedInstancesTaskDefinitionProps, PortMapping};
/// use berth_constructs::{App, Stack, StackProps};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Hosts", StackProps::default())?;
/// let props = ManagedInstancesTaskDefinitionProps::default().cpu(1024).memory_mib(2048);
/// let task = ManagedInstancesTaskDefinition::new(&mut app, stack, "TaskDef", props)?;
/// let image = ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
/// task.add_container(&mut app, "web", ContainerDefinitionOptions::new(image).port_mappings([PortMapping::tcp(80)]))?;
/// let out = app.synth()?;
/// let props = &out.stacks[0].template["Resources"]["TaskDef54694570"]["Properties"];
/// assert_eq!(props["RequiresCompatibilities"], serde_json::json!(["MANAGED_INSTANCES"]));
/// assert_eq!(props["NetworkMode"], "awsvpc");
/// assert_eq!((props["Cpu"].as_str(), props["Memory"].as_str()), (Some("1024"), Some("2048")));
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ManagedInstancesTaskDefinition(TaskDefinition);

impl Deref for ManagedInstancesTaskDefinition {
    type Target = TaskDefinition;
    fn deref(&self) -> &TaskDefinition {
        &self.0
    }
}

impl Scope for ManagedInstancesTaskDefinition {
    fn node(&self) -> NodeId {
        self.0.node()
    }
}

impl ManagedInstancesTaskDefinition {
    /// Creates a Managed Instances task definition under `scope`.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        props: ManagedInstancesTaskDefinitionProps,
    ) -> Result<ManagedInstancesTaskDefinition> {
        let path = format!("{}/{id}", app.path(&scope));
        if props.network_mode == NetworkMode::Bridge {
            return Err(ConstructError::invalid(
                path,
                "network_mode",
                "ECS Managed Instances run tasks in awsvpc, host or none mode, not bridge",
            ));
        }
        let cpu = props.cpu.unwrap_or(256);
        if !(128..=196_608).contains(&cpu) {
            return Err(ConstructError::invalid(
                path,
                "cpu",
                format!("the task's CPU must be between 128 and 196608 units, got {cpu}"),
            ));
        }
        let memory = props.memory_mib.unwrap_or(512);
        if memory == 0 {
            return Err(ConstructError::invalid(
                path,
                "memory_mib",
                "the task's memory must be at least 1 MiB, got 0",
            ));
        }
        let t = TaskDefinition::create(
            app,
            scope,
            id,
            task_definition::Common {
                compatibility: Compatibility::ManagedInstances,
                network_mode: props.network_mode,
                family: props.family,
                cpu: Some(cpu),
                memory: Some(memory),
                task_role: props.task_role,
                execution_role: props.execution_role,
                volumes: props.volumes,
            },
            "berth.ecs.ManagedInstancesTaskDefinition",
        )?;
        app.resource_mut(t.cfn()).runtime_platform = props.runtime_platform.map(|p| {
            td::RuntimePlatform {
                cpu_architecture: Some(p.cpu_architecture.into()),
                operating_system_family: Some(p.operating_system_family.into()),
            }
            .into()
        });
        Ok(ManagedInstancesTaskDefinition(t))
    }

    /// The shared task definition handle.
    pub fn task_definition(&self) -> TaskDefinition {
        self.0
    }

    fn architecture(&self, app: &App) -> Option<task_definition::CpuArchitecture> {
        app.resource(self.0.cfn())
            .runtime_platform
            .as_ref()
            .and_then(|p| match p {
                Expr::Lit(p) => match &p.cpu_architecture {
                    Some(Expr::Lit(a)) => Some(*a),
                    _ => None,
                },
                Expr::Token(_) => None,
            })
    }
}

props! {
    /// Options of a [`ManagedInstancesService`]. It has no launch type, platform
    /// version, public IP or daemon scheduling: those are not Managed Instances
    /// settings (a setter for them does not exist, so such code does not compile).
    #[derive(Clone, Debug, PartialEq)]
    pub struct ManagedInstancesServiceProps {
        /// The cluster (with a Managed Instances capacity provider). Required.
        pub cluster: Cluster,
        /// The task definition. Required.
        pub task_definition: ManagedInstancesTaskDefinition,
        /// Which of the cluster's Managed Instances capacity providers run the tasks
        /// ([`ManagedInstancesCapacityProvider::strategy`]); anything else (Fargate,
        /// an Auto Scaling group provider) is an error at synth. Default: every
        /// Managed Instances provider of the cluster, weight 1.
        pub capacity_provider_strategies: Vec<CapacityProviderStrategy>,
        /// The service's name. Default: generated by CloudFormation.
        pub service_name: Option<String>,
        /// How many tasks to run. Default: not rendered (CloudFormation starts 1).
        pub desired_count: Option<u32>,
        /// The lower limit of running tasks during a deployment, in percent. Default:
        /// not rendered (100).
        pub min_healthy_percent: Option<u32>,
        /// The upper limit of running tasks during a deployment. Default: not rendered
        /// (200).
        pub max_healthy_percent: Option<u32>,
        /// The deployment circuit breaker; `None` turns it off. Default: on, with
        /// rollback.
        pub circuit_breaker: Option<DeploymentCircuitBreaker>,
        /// Seconds to ignore load balancer health checks after a task starts. Default:
        /// 60 once a load balancer is attached, else not rendered.
        pub health_check_grace_period_secs: Option<u32>,
        /// ECS Exec: adds the `ssmmessages` permissions to the task role. Default: false.
        pub enable_execute_command: bool,
        /// Which tags to copy to tasks. Default: none.
        pub propagate_tags: Option<PropagateTags>,
        /// ECS managed tags on tasks. Default: false (not rendered).
        pub enable_ecs_managed_tags: bool,
        /// Where tasks run (`awsvpc` mode only). Default: the VPC's default selection.
        pub vpc_subnets: Option<SubnetSelection>,
        /// The tasks' security groups (`awsvpc` mode only). Default: a new one
        /// (`SecurityGroup`) in `awsvpc` mode; in `host` mode tasks use the instances'
        /// groups.
        pub security_groups: Vec<SecurityGroup>,
        /// Placement strategies. Default: none.
        pub placement_strategies: Vec<PlacementStrategy>,
        /// Placement constraints. Default: none.
        pub placement_constraints: Vec<PlacementConstraint>,
        /// Service Connect, as [`BaseService::enable_service_connect`]. Default: off.
        pub service_connect: Option<ServiceConnectProps>,
    }
}

impl ManagedInstancesServiceProps {
    /// Props for this cluster and task definition, every other field at its default.
    pub fn new(cluster: Cluster, task_definition: ManagedInstancesTaskDefinition) -> Self {
        ManagedInstancesServiceProps {
            cluster,
            task_definition,
            capacity_provider_strategies: Vec::new(),
            service_name: None,
            desired_count: None,
            min_healthy_percent: None,
            max_healthy_percent: None,
            circuit_breaker: Some(DeploymentCircuitBreaker { rollback: true }),
            health_check_grace_period_secs: None,
            enable_execute_command: false,
            propagate_tags: None,
            enable_ecs_managed_tags: false,
            vpc_subnets: None,
            security_groups: Vec::new(),
            placement_strategies: Vec::new(),
            placement_constraints: Vec::new(),
            service_connect: None,
        }
    }
}

/// A service running a [`ManagedInstancesTaskDefinition`] on the cluster's Managed
/// Instances capacity (CDK's `ManagedInstancesService`; L1 child `Service`). Its
/// capacity provider strategy names Managed Instances providers of its cluster only
/// (checked at synth, `BERTH-E0311`), and it depends on them (through `Ref`).
///
/// ```
/// use berth_constructs::ecs::*;
/// use berth_constructs::{App, Stack, StackProps};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Hosts", StackProps::default())?;
/// let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps::default())?;
/// let provider = cluster.add_managed_instances_capacity_provider(&mut app, "ManagedInstances",
///     ManagedInstancesCapacityProviderProps::default().instance_requirements(InstanceRequirements::new(2, 4096)))?;
/// let task = ManagedInstancesTaskDefinition::new(&mut app, stack, "TaskDef",
///     ManagedInstancesTaskDefinitionProps::default())?;
/// let image = ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
/// task.add_container(&mut app, "web", ContainerDefinitionOptions::new(image).port_mappings([PortMapping::tcp(80)]))?;
/// ManagedInstancesService::new(&mut app, stack, "Service",
///     ManagedInstancesServiceProps::new(cluster, task).desired_count(2))?;
/// let out = app.synth()?;
/// let svc = &out.stacks[0].template["Resources"]["ServiceD69D759B"]["Properties"];
/// assert!(svc.get("LaunchType").is_none());
/// let provider_id = berth_synth::logical_id::make_unique_id(&["Cluster", "ManagedInstances", "Resource"]).unwrap();
/// assert_eq!(svc["CapacityProviderStrategy"], serde_json::json!([{"CapacityProvider": {"Ref": provider_id}, "Weight": 1}]));
/// # let _ = provider;
/// # Ok(()) }
/// ```
///
/// The kind does not take what Managed Instances do not have:
///
/// ```compile_fail
/// # use berth_constructs::ecs::*;
/// # fn f(cluster: Cluster, task: ManagedInstancesTaskDefinition) {
/// let props = ManagedInstancesServiceProps::new(cluster, task).platform_version(FargatePlatformVersion::Latest);
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ManagedInstancesService(BaseService);

impl Deref for ManagedInstancesService {
    type Target = BaseService;
    fn deref(&self) -> &BaseService {
        &self.0
    }
}

impl Scope for ManagedInstancesService {
    fn node(&self) -> NodeId {
        self.0.node()
    }
}

impl Connectable for ManagedInstancesService {
    fn connections(&self, app: &App) -> Connections {
        self.0.connections(app)
    }
}

impl ManagedInstancesService {
    /// Creates a Managed Instances service under `scope`. Without
    /// `capacity_provider_strategies`, the cluster needs a Managed Instances capacity
    /// provider already (an error otherwise).
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        props: ManagedInstancesServiceProps,
    ) -> Result<ManagedInstancesService> {
        let cluster = props.cluster;
        let mut strategies = props.capacity_provider_strategies;
        if strategies.is_empty() {
            strategies = cluster
                .managed_instances_capacity_providers(app)
                .iter()
                .map(|p| p.strategy(1))
                .collect();
            if strategies.is_empty() {
                return Err(ConstructError::invalid(
                    format!("{}/{id}", app.path(&scope)),
                    "capacity_provider_strategies",
                    format!(
                        "the cluster {} has no Managed Instances capacity provider; add one with cluster.add_managed_instances_capacity_provider first, or give capacity_provider_strategies",
                        app.path(cluster)
                    ),
                ));
            }
        }
        let architecture = props.task_definition.architecture(app);
        let common = Common {
            cluster,
            task_definition: props.task_definition.task_definition(),
            service_name: props.service_name,
            desired_count: props.desired_count,
            min_healthy_percent: props.min_healthy_percent,
            max_healthy_percent: props.max_healthy_percent,
            circuit_breaker: props.circuit_breaker,
            health_check_grace_period_secs: props.health_check_grace_period_secs,
            enable_execute_command: props.enable_execute_command,
            propagate_tags: props.propagate_tags,
            enable_ecs_managed_tags: props.enable_ecs_managed_tags,
            capacity_provider_strategies: strategies,
            vpc_subnets: props.vpc_subnets,
            security_groups: props.security_groups,
            assign_public_ip: false,
            // Rolling, with the circuit breaker as given (strategies and hooks for
            // Managed Instances services are not in their props yet).
            deployment: super::service::Deployment::default(),
        };
        let service = BaseService::create(
            app,
            scope,
            id,
            common,
            Launch::ManagedInstances {
                strategies: props.placement_strategies,
                constraints: props.placement_constraints,
                architecture,
            },
        )?;
        if let Some(sc) = props.service_connect {
            service.enable_service_connect(app, sc)?;
        }
        Ok(ManagedInstancesService(service))
    }

    /// The shared service handle.
    pub fn base(&self) -> BaseService {
        self.0
    }
}

/// The check of a Managed Instances service's strategy (`BERTH-E0311`): every entry a
/// Managed Instances provider of the cluster, whose instance requirements allow the
/// task's architecture.
pub(super) fn check_strategies(
    app: &App,
    cluster: Cluster,
    strategies: &[CapacityProviderStrategy],
    architecture: Option<task_definition::CpuArchitecture>,
    err: &dyn Fn(String) -> berth_synth::Diagnostic,
) -> Vec<berth_synth::Diagnostic> {
    let providers = cluster.managed_instances_capacity_providers(app);
    let mut out = Vec::new();
    for (i, st) in strategies.iter().enumerate() {
        let found = providers
            .iter()
            .find(|p| Value::from(p.capacity_provider_name()) == st.capacity_provider);
        match found {
            None => out.push(
                err(format!(
                    "{} is not a Managed Instances capacity provider of the cluster {}; a ManagedInstancesService runs on those only (Fargate tasks run in a FargateService, Auto Scaling group capacity in an Ec2Service)",
                    match &st.capacity_provider {
                        Value::String(s) => format!("capacity provider {s}"),
                        _ => "this capacity provider".into(),
                    },
                    app.path(cluster)
                ))
                .with_property(format!("capacity_provider_strategies[{i}]")),
            ),
            Some(p) => {
                let (Some(arch), Some(allowed)) = (architecture, provider_architectures(app, p))
                else {
                    continue;
                };
                if !allowed.contains(&arch) {
                    out.push(
                        err(format!(
                            "the task definition runs on {} but the capacity provider {} launches only {} instances (instance_requirements.cpu_architectures)",
                            arch.as_str(),
                            app.path(*p),
                            allowed.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", ")
                        ))
                        .with_property(format!("capacity_provider_strategies[{i}]")),
                    );
                }
            }
        }
    }
    out
}

/// The architectures a provider's instance requirements allow (`None`: any).
fn provider_architectures(
    app: &App,
    p: &ManagedInstancesCapacityProvider,
) -> Option<Vec<task_definition::CpuArchitecture>> {
    let Some(Expr::Lit(mi)) = &app.resource(p.resource).managed_instances_provider else {
        return None;
    };
    let Some(Expr::Lit(lt)) = &mi.instance_launch_template else {
        return None;
    };
    let Some(Expr::Lit(req)) = &lt.instance_requirements else {
        return None;
    };
    let Some(Expr::Lit(list)) = &req.cpu_manufacturers else {
        return None;
    };
    let mut out = Vec::new();
    for m in list {
        let a = match m {
            Expr::Lit(cp::CpuManufacturer::AmazonWebServices) => td::CpuArchitecture::Arm64,
            Expr::Lit(_) => td::CpuArchitecture::X86_64,
            Expr::Token(_) => return None,
        };
        if !out.contains(&a) {
            out.push(a);
        }
    }
    Some(out)
}
