//! Services: [`FargateService`], [`Ec2Service`] and what they share ([`BaseService`]).

use super::cluster::{CapacityProviderStrategy, Cluster};
use super::container::exec_statement;
use super::deployment::{
    AlarmBehavior, AlternateTarget, DeploymentAlarms, DeploymentController, DeploymentStrategy,
    LifecycleHook,
};
use super::service_connect::{ServiceConnectProps, ServiceConnectState};
use super::task_definition::{
    Ec2TaskDefinition, FargateTaskDefinition, NetworkMode, TaskDefinition,
};
use crate::app::{App, Construct, NodeId, Scope};
use crate::ec2::{
    Connectable, Connections, Port, SecurityGroup, SecurityGroupProps, SubnetSelection, SubnetType,
};
use crate::elbv2::TargetGroup;
use crate::error::{ConstructError, Result};
use crate::iam::value_expr;
use berth_synth::cfn::ecs::{service as sv, CfnService};
use berth_synth::resource::ResourceRef;
use berth_synth::{Diagnostic, Expr, Intrinsic, Token, Value};
use std::any::Any;
use std::ops::Deref;

/// The scalable dimension of a service's task count, for Application Auto Scaling.
pub const SCALABLE_DIMENSION_DESIRED_COUNT: &str = "ecs:service:DesiredCount";

props! {
    /// The deployment circuit breaker: stop a deployment whose tasks keep failing.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct DeploymentCircuitBreaker {
        /// Also roll back to the last deployment that completed. Required.
        pub rollback: bool,
    }
}

/// Which tags a service copies to its tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropagateTags {
    /// The service's tags.
    Service,
    /// The task definition's tags.
    TaskDefinition,
}

/// A Fargate platform version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FargatePlatformVersion {
    /// `LATEST`.
    Latest,
    /// A fixed version, e.g. `1.4.0`.
    Version(String),
}

/// A placement strategy of an EC2 service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlacementStrategy {
    /// Spread tasks evenly over a field (`instanceId`, `attribute:ecs.availability-zone`).
    SpreadAcross(String),
    /// Pack tasks onto as few instances as possible by `cpu` or `memory`.
    PackedBy(String),
    /// Place tasks randomly.
    Random,
}

impl PlacementStrategy {
    /// Spread across instances.
    pub fn spread_across_instances() -> Self {
        PlacementStrategy::SpreadAcross("instanceId".into())
    }
    /// Spread across availability zones.
    pub fn spread_across_zones() -> Self {
        PlacementStrategy::SpreadAcross("attribute:ecs.availability-zone".into())
    }
    /// Pack by memory.
    pub fn packed_by_memory() -> Self {
        PlacementStrategy::PackedBy("memory".into())
    }
    /// Pack by CPU.
    pub fn packed_by_cpu() -> Self {
        PlacementStrategy::PackedBy("cpu".into())
    }

    fn l1(&self) -> sv::PlacementStrategy {
        let (t, field) = match self {
            PlacementStrategy::SpreadAcross(f) => (sv::PlacementStrategyType::Spread, Some(f)),
            PlacementStrategy::PackedBy(f) => (sv::PlacementStrategyType::Binpack, Some(f)),
            PlacementStrategy::Random => (sv::PlacementStrategyType::Random, None),
        };
        sv::PlacementStrategy {
            field: field.map(|f| f.clone().into()),
            type_: Some(t.into()),
        }
    }
}

/// A placement constraint of an EC2 service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlacementConstraint {
    /// Each task on a different instance.
    DistinctInstances,
    /// Only instances matching a cluster query expression.
    MemberOf(String),
}

impl PlacementConstraint {
    fn l1(&self) -> sv::PlacementConstraint {
        match self {
            PlacementConstraint::DistinctInstances => sv::PlacementConstraint {
                expression: None,
                type_: Some(sv::PlacementConstraintType::DistinctInstance.into()),
            },
            PlacementConstraint::MemberOf(e) => sv::PlacementConstraint {
                expression: Some(e.clone().into()),
                type_: Some(sv::PlacementConstraintType::MemberOf.into()),
            },
        }
    }
}

props! {
    /// A target group to register the service's tasks with (the load balancer constructs
    /// call [`BaseService::add_load_balancer`] with this).
    #[derive(Clone, Debug, PartialEq)]
    pub struct LoadBalancerAttachment {
        /// The target group's ARN. Required.
        pub target_group_arn: Value,
        /// The container that receives the traffic (checked at synth). Required.
        pub container_name: String,
        /// Its port (checked at synth against the container's port mappings). Required.
        pub container_port: u16,
        /// Where blue/green, linear and canary deployments put the new revision
        /// (`AdvancedConfiguration`). Default: none.
        pub alternate_target: Option<AlternateTarget>,
    }
}

props! {
    /// A Cloud Map service to register the service's tasks with (the service discovery
    /// constructs call [`BaseService::add_service_registry`] with this).
    #[derive(Clone, Debug, PartialEq)]
    pub struct ServiceRegistryAttachment {
        /// The Cloud Map service's ARN. Required.
        pub registry_arn: Value,
        /// The container to register (for SRV records in `bridge`/`host` mode). Default:
        /// none.
        pub container_name: Option<String>,
        /// Its port (for SRV records in `bridge`/`host` mode). Default: none.
        pub container_port: Option<u16>,
        /// The port (for SRV records in `awsvpc` mode). Default: none.
        pub port: Option<u16>,
    }
}

/// What every service kind accepts.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Common {
    pub(super) cluster: Cluster,
    pub(super) task_definition: TaskDefinition,
    pub(super) service_name: Option<String>,
    pub(super) desired_count: Option<u32>,
    pub(super) min_healthy_percent: Option<u32>,
    pub(super) max_healthy_percent: Option<u32>,
    pub(super) circuit_breaker: Option<DeploymentCircuitBreaker>,
    pub(super) health_check_grace_period_secs: Option<u32>,
    pub(super) enable_execute_command: bool,
    pub(super) propagate_tags: Option<PropagateTags>,
    pub(super) enable_ecs_managed_tags: bool,
    pub(super) capacity_provider_strategies: Vec<CapacityProviderStrategy>,
    pub(super) vpc_subnets: Option<SubnetSelection>,
    pub(super) security_groups: Vec<SecurityGroup>,
    pub(super) assign_public_ip: bool,
    pub(super) deployment: Deployment,
}

/// How a service deploys: what both service kinds and every pattern take.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Deployment {
    pub(crate) strategy: DeploymentStrategy,
    pub(crate) controller: Option<DeploymentController>,
    pub(crate) alarms: Option<DeploymentAlarms>,
    pub(crate) hooks: Vec<LifecycleHook>,
}

props! {
    /// Options of a [`FargateService`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct FargateServiceProps {
        /// The cluster. Required.
        pub cluster: Cluster,
        /// The task definition. Required.
        pub task_definition: FargateTaskDefinition,
        /// The service's name. Default: generated by CloudFormation.
        pub service_name: Option<String>,
        /// How many tasks to run. Default: not rendered (CloudFormation starts 1).
        pub desired_count: Option<u32>,
        /// The lower limit of running tasks during a rolling deployment, in percent of
        /// the desired count. Default: 100 (ECS's; 0 for a daemon), rendered.
        pub min_healthy_percent: Option<u32>,
        /// The upper limit of running tasks during a rolling deployment. Default: 200
        /// (ECS's; 100 for a daemon), rendered.
        pub max_healthy_percent: Option<u32>,
        /// The deployment circuit breaker; `None` turns it off. Default: on, with
        /// rollback.
        pub circuit_breaker: Option<DeploymentCircuitBreaker>,
        /// Seconds to ignore load balancer health checks after a task starts. Default: 60
        /// once a load balancer is attached, else not rendered.
        pub health_check_grace_period_secs: Option<u32>,
        /// ECS Exec: adds the `ssmmessages` permissions to the task role. Default: false.
        pub enable_execute_command: bool,
        /// Which tags to copy to tasks. Default: none.
        pub propagate_tags: Option<PropagateTags>,
        /// ECS managed tags on tasks (`aws:ecs:clusterName`, `aws:ecs:serviceName`).
        /// Default: false (rendered, as CDK does).
        pub enable_ecs_managed_tags: bool,
        /// Give tasks a public IP (they then need public subnets). Default: false.
        pub assign_public_ip: bool,
        /// Where tasks run. Default: public subnets with `assign_public_ip`, else the VPC's
        /// default selection (private with egress, falling back to isolated, then public).
        pub vpc_subnets: Option<SubnetSelection>,
        /// The tasks' security groups. Default: a new one (`SecurityGroup`).
        pub security_groups: Vec<SecurityGroup>,
        /// A capacity provider strategy (e.g. Fargate Spot); replaces the launch type.
        /// Default: none (launch type `FARGATE`).
        pub capacity_provider_strategies: Vec<CapacityProviderStrategy>,
        /// How new revisions deploy: rolling, blue/green, linear or canary (see
        /// [`DeploymentStrategy`]). Default: rolling.
        pub deployment_strategy: DeploymentStrategy,
        /// The deployment controller. Default: not rendered (ECS), or `ECS` with a
        /// circuit breaker (as CDK).
        pub deployment_controller: Option<DeploymentController>,
        /// CloudWatch alarms that fail (and by default roll back) a deployment; more
        /// with [`BaseService::enable_deployment_alarms`]. Default: none.
        pub deployment_alarms: Option<DeploymentAlarms>,
        /// Lifecycle hooks of blue/green, linear and canary deployments; more with
        /// [`BaseService::add_lifecycle_hook`]. Default: none.
        pub lifecycle_hooks: Vec<LifecycleHook>,
        /// The platform version. Default: not rendered (`LATEST`).
        pub platform_version: Option<FargatePlatformVersion>,
        /// Service Connect (CDK's `serviceConnectConfiguration`), as
        /// [`BaseService::enable_service_connect`]. Default: off.
        pub service_connect: Option<ServiceConnectProps>,
    }
}

impl FargateServiceProps {
    /// Props for this cluster and task definition, every other field at its default.
    pub fn new(cluster: Cluster, task_definition: FargateTaskDefinition) -> Self {
        FargateServiceProps {
            cluster,
            task_definition,
            service_name: None,
            desired_count: None,
            min_healthy_percent: None,
            max_healthy_percent: None,
            circuit_breaker: Some(DeploymentCircuitBreaker { rollback: true }),
            health_check_grace_period_secs: None,
            enable_execute_command: false,
            propagate_tags: None,
            enable_ecs_managed_tags: false,
            assign_public_ip: false,
            vpc_subnets: None,
            security_groups: Vec::new(),
            capacity_provider_strategies: Vec::new(),
            platform_version: None,
            service_connect: None,
            deployment_strategy: DeploymentStrategy::rolling(),
            deployment_controller: None,
            deployment_alarms: None,
            lifecycle_hooks: Vec::new(),
        }
    }
}

props! {
    /// Options of an [`Ec2Service`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct Ec2ServiceProps {
        /// The cluster (it needs EC2 capacity, or give a capacity provider strategy).
        /// Required.
        pub cluster: Cluster,
        /// The task definition. Required.
        pub task_definition: Ec2TaskDefinition,
        /// The service's name. Default: generated by CloudFormation.
        pub service_name: Option<String>,
        /// How many tasks to run. Default: not rendered (CloudFormation starts 1).
        pub desired_count: Option<u32>,
        /// See [`FargateServiceProps::min_healthy_percent`]. Default: 100 (0 for a
        /// daemon), rendered.
        pub min_healthy_percent: Option<u32>,
        /// See [`FargateServiceProps::max_healthy_percent`]. Default: 200 (100 for a
        /// daemon), rendered.
        pub max_healthy_percent: Option<u32>,
        /// The deployment circuit breaker; `None` turns it off. Default: on, with rollback.
        pub circuit_breaker: Option<DeploymentCircuitBreaker>,
        /// Seconds to ignore load balancer health checks after a task starts. Default: 60
        /// once a load balancer is attached, else not rendered.
        pub health_check_grace_period_secs: Option<u32>,
        /// ECS Exec: adds the `ssmmessages` permissions to the task role. Default: false.
        pub enable_execute_command: bool,
        /// Which tags to copy to tasks. Default: none.
        pub propagate_tags: Option<PropagateTags>,
        /// ECS managed tags on tasks (`aws:ecs:clusterName`, `aws:ecs:serviceName`).
        /// Default: false (rendered, as CDK does).
        pub enable_ecs_managed_tags: bool,
        /// Where tasks run (`awsvpc` mode only). Default: the VPC's default selection.
        pub vpc_subnets: Option<SubnetSelection>,
        /// The tasks' security groups (`awsvpc` mode only). Default: a new one
        /// (`SecurityGroup`) in `awsvpc` mode; in `bridge`/`host` mode tasks use the
        /// instances' groups.
        pub security_groups: Vec<SecurityGroup>,
        /// A capacity provider strategy (e.g. the cluster's EC2 capacity provider);
        /// replaces the launch type. Default: none (launch type `EC2`).
        pub capacity_provider_strategies: Vec<CapacityProviderStrategy>,
        /// Placement strategies. Default: none.
        pub placement_strategies: Vec<PlacementStrategy>,
        /// Placement constraints. Default: none.
        pub placement_constraints: Vec<PlacementConstraint>,
        /// How new revisions deploy: rolling, blue/green, linear or canary (see
        /// [`DeploymentStrategy`]). Default: rolling.
        pub deployment_strategy: DeploymentStrategy,
        /// The deployment controller. Default: not rendered (ECS), or `ECS` with a
        /// circuit breaker (as CDK).
        pub deployment_controller: Option<DeploymentController>,
        /// CloudWatch alarms that fail (and by default roll back) a deployment; more
        /// with [`BaseService::enable_deployment_alarms`]. Default: none.
        pub deployment_alarms: Option<DeploymentAlarms>,
        /// Lifecycle hooks of blue/green, linear and canary deployments; more with
        /// [`BaseService::add_lifecycle_hook`]. Default: none.
        pub lifecycle_hooks: Vec<LifecycleHook>,
        /// Run one task on every instance (`DAEMON` scheduling): no desired count, no
        /// placement strategies, no capacity provider strategy; the healthy percents
        /// default to 0 and 100 (and the maximum must be 100). Default: false (`REPLICA`).
        pub daemon: bool,
        /// Service Connect (CDK's `serviceConnectConfiguration`), as
        /// [`BaseService::enable_service_connect`]. Default: off.
        pub service_connect: Option<ServiceConnectProps>,
    }
}

impl Ec2ServiceProps {
    /// Props for this cluster and task definition, every other field at its default.
    pub fn new(cluster: Cluster, task_definition: Ec2TaskDefinition) -> Self {
        Ec2ServiceProps {
            cluster,
            task_definition,
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
            capacity_provider_strategies: Vec::new(),
            placement_strategies: Vec::new(),
            placement_constraints: Vec::new(),
            daemon: false,
            service_connect: None,
            deployment_strategy: DeploymentStrategy::rolling(),
            deployment_controller: None,
            deployment_alarms: None,
            lifecycle_hooks: Vec::new(),
        }
    }
}

#[derive(Debug)]
pub(crate) struct ServiceState {
    fqn: &'static str,
    cluster: Cluster,
    task_definition: TaskDefinition,
    security_groups: Vec<SecurityGroup>,
    uses_capacity_providers: bool,
    strategies: Vec<CapacityProviderStrategy>,
    ec2: bool,
    /// A Managed Instances service, and the CPU architecture of its task (if fixed).
    managed_instances: Option<Option<super::CpuArchitecture>>,
    load_balancers: Vec<LoadBalancerAttachment>,
    registries: Vec<ServiceRegistryAttachment>,
    explicit_grace_period: bool,
    resource: Option<ResourceRef<CfnService>>,
    pub(crate) service_connect: Option<ServiceConnectState>,
    strategy: DeploymentStrategy,
    controller: DeploymentController,
    alarm_behavior: Option<AlarmBehavior>,
}

impl Construct for ServiceState {
    fn fqn(&self) -> &'static str {
        self.fqn
    }

    fn prepare(&mut self, app: &mut App, node: NodeId) -> Result<()> {
        // A service on capacity providers waits for their association with the cluster.
        if self.uses_capacity_providers {
            if let Some(a) = self.cluster.capacity_provider_associations(app) {
                if let Some(r) = self.resource {
                    app.add_dependency(r, a);
                }
            }
        }
        let _ = node;
        // Service Connect, rendered now so that port mappings added late count.
        if let (Some(sc), Some(r)) = (&self.service_connect, self.resource) {
            let cfg = sc.render(app, self.task_definition);
            app.resource_mut(r).service_connect_configuration = Some(cfg.into());
        }
        // EFS volumes of berth file systems: the tasks may reach the file system on
        // its port, and the service waits for the mount targets (tasks that start
        // before them fail to mount).
        if let Some(r) = self.resource {
            let file_systems = self.task_definition.efs_file_systems(app);
            if !file_systems.is_empty() {
                let tasks = if self.security_groups.is_empty() {
                    self.cluster.connections(app)
                } else {
                    Connections::new(self.security_groups.clone())
                };
                for fs in file_systems {
                    // From the tasks' side: with the file system in another stack, the
                    // ingress rule lives in the service's stack (no cycle).
                    tasks.allow_to(app, &fs, Port::tcp(crate::efs::DEFAULT_PORT), "")?;
                    for target in fs.mount_targets(app) {
                        app.add_dependency(r, target);
                    }
                }
            }
        }
        // Tasks start only once their roles have their permissions (as CDK does for
        // the task role): the service waits for the roles' default policies.
        if let Some(r) = self.resource {
            let td = self.task_definition;
            for role in [td.existing_task_role(app), td.existing_execution_role(app)]
                .into_iter()
                .flatten()
            {
                if let Some(policy) = role.default_policy(app) {
                    app.add_dependency(r, policy);
                }
            }
        }
        Ok(())
    }

    fn validate(&self, app: &App, node: NodeId) -> Vec<Diagnostic> {
        // The path only for a problem: validation runs for every service.
        let err = |m: String| Diagnostic::error("BERTH-E0311", app.path(node), m);
        let mut out = Vec::new();
        let td = self.task_definition;
        let containers = td.containers(app);
        if !containers.iter().any(|c| c.essential(app)) {
            out.push(err(format!(
                "the task definition {} has no essential container, so the service cannot run it; add a container with essential = true (the default)",
                app.path(td)
            )));
        }
        for (i, lb) in self.load_balancers.iter().enumerate() {
            match td.find_container(app, &lb.container_name).ok() {
                None => out.push(
                    err(format!(
                        "the load balancer targets container \"{}\", which the task definition {} does not have; containers: {}",
                        lb.container_name,
                        app.path(td),
                        names(app, &containers)
                    ))
                    .with_property(format!("LoadBalancers[{i}]")),
                ),
                Some(c) => {
                    if !c.port_mappings(app).iter().any(|p| p.container_port == lb.container_port) {
                        out.push(
                            err(format!(
                                "the load balancer targets port {} of container \"{}\", which maps no such port; add a port mapping for it",
                                lb.container_port, lb.container_name
                            ))
                            .with_property(format!("LoadBalancers[{i}]")),
                        );
                    }
                }
            }
        }
        for (i, r) in self.registries.iter().enumerate() {
            if let Some(n) = &r.container_name {
                if td.find_container(app, n).is_err() {
                    out.push(
                        err(format!(
                            "the service registry names container \"{n}\", which the task definition {} does not have; containers: {}",
                            app.path(td),
                            names(app, &containers)
                        ))
                        .with_property(format!("ServiceRegistries[{i}]")),
                    );
                }
            }
        }
        if let Some(sc) = &self.service_connect {
            out.extend(sc.validate(app, td, &app.path(self.cluster), &err));
        }
        if let Some(r) = self.resource {
            out.extend(super::ebs::check_configured(app, r, td, &err));
        }
        let managed: Vec<Value> = self
            .cluster
            .managed_instances_capacity_providers(app)
            .iter()
            .map(|p| p.capacity_provider_name().into())
            .collect();
        if let Some(architecture) = self.managed_instances {
            out.extend(super::managed_instances::check_strategies(
                app,
                self.cluster,
                &self.strategies,
                architecture,
                &err,
            ));
        } else {
            for (i, m) in self.cluster.unassociated(app, &self.strategies) {
                let m = if managed.contains(&self.strategies[i].capacity_provider) {
                    format!(
                        "this is a Managed Instances capacity provider of the cluster {}; its tasks run in a ManagedInstancesService with a ManagedInstancesTaskDefinition, not in a {}",
                        app.path(self.cluster),
                        if self.ec2 { "Ec2Service" } else { "FargateService" }
                    )
                } else {
                    m
                };
                out.push(err(m).with_property(format!("capacity_provider_strategies[{i}]")));
            }
        }
        out.extend(self.validate_deployment(app, node));
        if self.ec2 && !self.uses_capacity_providers && !self.cluster.has_ec2_capacity(app) {
            out.push(err(format!(
                "the cluster {} has no EC2 capacity to run an Ec2Service; add some with cluster.add_capacity, or give a capacity provider strategy",
                app.path(self.cluster)
            )));
        }
        out
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// The construction-time checks of a service's deployment settings.
fn check_deployment(c: &Common, daemon: bool, path: &str) -> Result<()> {
    let bad = |prop: &str, msg: String| Err(ConstructError::invalid(path, prop, msg));
    let d = &c.deployment;
    d.strategy.check(path)?;
    let controller = d.controller.unwrap_or_default();
    if controller != DeploymentController::Ecs {
        let name = controller.name();
        if d.strategy.is_blue_green() || d.strategy.bake_time().is_some() {
            return bad(
                "deployment_strategy",
                format!("the {} strategy and bake times are ECS's own deployments; the {name} deployment controller deploys otherwise: use the ECS controller (the default) or leave deployment_strategy at rolling", d.strategy.name()),
            );
        }
        if !d.hooks.is_empty() {
            return bad(
                "lifecycle_hooks",
                format!("lifecycle hooks need the ECS deployment controller, not {name}"),
            );
        }
        if d.alarms.is_some() {
            return bad(
                "deployment_alarms",
                format!("deployment alarms need the ECS deployment controller, not {name}"),
            );
        }
        if c.circuit_breaker.is_some() {
            return bad(
                "circuit_breaker",
                format!("the deployment circuit breaker needs the ECS deployment controller, not {name}; set circuit_breaker to None"),
            );
        }
    }
    if daemon && d.strategy.is_blue_green() {
        return bad(
            "deployment_strategy",
            format!(
                "a daemon service deploys with rolling updates only, not {}",
                d.strategy.name()
            ),
        );
    }
    if !d.hooks.is_empty() && !d.strategy.is_blue_green() {
        return bad(
            "lifecycle_hooks",
            "lifecycle hooks run in blue/green, linear and canary deployments; set deployment_strategy (e.g. DeploymentStrategy::blue_green())".into(),
        );
    }
    for (i, h) in d.hooks.iter().enumerate() {
        h.check(path, &format!("lifecycle_hooks[{i}]"))?;
    }
    if let Some(a) = &d.alarms {
        if a.alarm_names.is_empty() {
            return bad(
                "deployment_alarms.alarm_names",
                "deployment alarms need at least one alarm name".into(),
            );
        }
    }
    Ok(())
}

impl ServiceState {
    /// Whole-tree checks of the deployment strategy (`BERTH-E0313`).
    fn validate_deployment(&self, app: &App, node: NodeId) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        if !self.strategy.is_blue_green() {
            return out;
        }
        let err = |m: String| Diagnostic::error("BERTH-E0313", app.path(node), m);
        let name = self.strategy.name();
        for (i, lb) in self.load_balancers.iter().enumerate() {
            if lb.alternate_target.is_none() {
                out.push(
                    err(format!(
                        "a {name} deployment moves traffic between two target groups, and the load balancer attachment of container \"{}\" port {} has none for the new revision; give it an alternate target (EcsServiceTarget::with_alternate_target), or use a load-balanced pattern, which creates one",
                        lb.container_name, lb.container_port
                    ))
                    .with_property(format!("LoadBalancers[{i}]")),
                );
            }
        }
        if self.strategy.shifts_traffic_gradually()
            && self.load_balancers.is_empty()
            && self.service_connect.is_none()
        {
            out.push(
                err(format!(
                    "a {name} deployment shifts production traffic step by step, so the service needs a load balancer (with an alternate target) or Service Connect; without either, deploy rolling or blue/green"
                ))
                .with_property("deployment_strategy"),
            );
        }
        out
    }
}

fn names(app: &App, containers: &[super::ContainerDefinition]) -> String {
    if containers.is_empty() {
        return "none".into();
    }
    containers
        .iter()
        .map(|c| c.container_name(app))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What Fargate and EC2 services share. Its L1 child is `Service` (`AWS::ECS::Service`,
/// CDK's id); a security group it creates is `SecurityGroup`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BaseService {
    node: NodeId,
    resource: ResourceRef<CfnService>,
    cluster: Cluster,
    task_definition: TaskDefinition,
}

impl Scope for BaseService {
    fn node(&self) -> NodeId {
        self.node
    }
}

pub(super) enum Launch {
    Fargate(Option<FargatePlatformVersion>),
    Ec2 {
        strategies: Vec<PlacementStrategy>,
        constraints: Vec<PlacementConstraint>,
        daemon: bool,
    },
    /// On Managed Instances: always through a capacity provider strategy (the schema's
    /// launch types have no `MANAGED_INSTANCES`).
    ManagedInstances {
        strategies: Vec<PlacementStrategy>,
        constraints: Vec<PlacementConstraint>,
        architecture: Option<super::CpuArchitecture>,
    },
}

impl BaseService {
    pub(super) fn create(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        c: Common,
        launch: Launch,
    ) -> Result<BaseService> {
        let path = format!("{}/{id}", app.path(&scope));
        let bad = |prop: &str, msg: String| ConstructError::invalid(path.clone(), prop, msg);
        if let (Some(min), Some(max)) = (c.min_healthy_percent, c.max_healthy_percent) {
            if min >= max {
                return Err(bad(
                    "min_healthy_percent",
                    format!("min_healthy_percent ({min}) must be lower than max_healthy_percent ({max})"),
                ));
            }
        }
        if let Some(max) = c.max_healthy_percent {
            if max < 100 {
                return Err(bad(
                    "max_healthy_percent",
                    format!("max_healthy_percent must be at least 100, got {max}"),
                ));
            }
        }
        if let Some(min) = c.min_healthy_percent {
            if min > 100 {
                return Err(bad(
                    "min_healthy_percent",
                    format!("min_healthy_percent must be between 0 and 100, got {min}"),
                ));
            }
        }
        let ec2 = matches!(launch, Launch::Ec2 { .. });
        let managed_instances = match &launch {
            Launch::ManagedInstances { architecture, .. } => Some(*architecture),
            _ => None,
        };
        let daemon = matches!(launch, Launch::Ec2 { daemon: true, .. });
        check_deployment(&c, daemon, &path)?;
        let mut c = c;
        if let Launch::Ec2 {
            daemon: true,
            strategies,
            ..
        } = &launch
        {
            let conflict = if c.desired_count.is_some() {
                Some("desired_count")
            } else if !strategies.is_empty() {
                Some("placement_strategies")
            } else if !c.capacity_provider_strategies.is_empty() {
                Some("capacity_provider_strategies")
            } else {
                None
            };
            if let Some(field) = conflict {
                return Err(bad(
                    field,
                    format!("a daemon service runs one task per instance; {field} cannot be combined with daemon = true"),
                ));
            }
            if let Some(max) = c.max_healthy_percent.filter(|m| *m != 100) {
                return Err(bad(
                    "max_healthy_percent",
                    format!("a daemon service needs max_healthy_percent 100, got {max}"),
                ));
            }
            c.min_healthy_percent = c.min_healthy_percent.or(Some(0));
            c.max_healthy_percent = Some(100);
        }
        let mode = c.task_definition.network_mode(app);
        let awsvpc = mode == NetworkMode::AwsVpc;
        if !awsvpc && (!c.security_groups.is_empty() || c.vpc_subnets.is_some()) {
            return Err(bad(
                if c.security_groups.is_empty() { "vpc_subnets" } else { "security_groups" },
                format!("security groups and subnets apply to awsvpc tasks only; this task definition uses {} mode (its tasks use the instances' network)", mode.as_str()),
            ));
        }
        let cluster = c.cluster;
        let node = app.add_construct(
            scope,
            id,
            ServiceState {
                fqn: if managed_instances.is_some() {
                    "berth.ecs.ManagedInstancesService"
                } else if ec2 {
                    "berth.ecs.Ec2Service"
                } else {
                    "berth.ecs.FargateService"
                },
                cluster,
                task_definition: c.task_definition,
                security_groups: Vec::new(),
                uses_capacity_providers: !c.capacity_provider_strategies.is_empty(),
                strategies: c.capacity_provider_strategies.clone(),
                ec2,
                managed_instances,
                load_balancers: Vec::new(),
                registries: Vec::new(),
                explicit_grace_period: c.health_check_grace_period_secs.is_some(),
                resource: None,
                service_connect: None,
                strategy: c.deployment.strategy,
                controller: c.deployment.controller.unwrap_or_default(),
                alarm_behavior: None,
            },
        )?;
        // Networking (awsvpc).
        let mut groups = c.security_groups.clone();
        let network_configuration = if awsvpc {
            let vpc = cluster.vpc();
            if groups.is_empty() {
                groups.push(SecurityGroup::new(
                    app,
                    node,
                    "SecurityGroup",
                    &vpc,
                    SecurityGroupProps::default(),
                )?);
            }
            let selection = c.vpc_subnets.clone().unwrap_or_else(|| {
                if c.assign_public_ip {
                    SubnetSelection::of_type(SubnetType::Public)
                } else {
                    SubnetSelection::default()
                }
            });
            let subnets = vpc.select_subnets(app, &selection)?;
            let group_ids: Vec<Expr<String>> = groups
                .iter()
                .map(|g| g.security_group_id().into())
                .collect();
            Some(
                sv::NetworkConfiguration {
                    awsvpc_configuration: Some(
                        sv::AwsVpcConfiguration {
                            assign_public_ip: Some(
                                if c.assign_public_ip {
                                    sv::AssignPublicIp::Enabled
                                } else {
                                    sv::AssignPublicIp::Disabled
                                }
                                .into(),
                            ),
                            security_groups: Some(Expr::Lit(group_ids)),
                            subnets: Some(Expr::Lit(
                                subnets.subnet_ids.into_iter().map(value_expr).collect(),
                            )),
                        }
                        .into(),
                    ),
                }
                .into(),
            )
        } else {
            None
        };
        let controller = c.deployment.controller.unwrap_or_default();
        let ecs_controller = controller == DeploymentController::Ecs;
        // ECS's rolling limits, written out (as CDK writes its own); CodeDeploy and
        // external controllers take no custom values on EC2, so only given ones.
        let (min_default, max_default) = if ecs_controller {
            (Some(100), Some(200))
        } else {
            (None, None)
        };
        let mut deployment_configuration = sv::DeploymentConfiguration {
            deployment_circuit_breaker: c.circuit_breaker.map(|b| {
                sv::DeploymentCircuitBreaker {
                    enable: Some(true.into()),
                    rollback: Some(b.rollback.into()),
                    ..Default::default()
                }
                .into()
            }),
            maximum_percent: c.max_healthy_percent.or(max_default).map(Into::into),
            minimum_healthy_percent: c.min_healthy_percent.or(min_default).map(Into::into),
            alarms: c.deployment.alarms.as_ref().map(|a| a.render().into()),
            ..Default::default()
        };
        if ecs_controller {
            c.deployment.strategy.render(&mut deployment_configuration);
        }
        let strategies = c.capacity_provider_strategies.clone();
        let mut cfn = CfnService {
            capacity_provider_strategy: (!strategies.is_empty()).then(|| {
                Expr::Lit(
                    strategies
                        .iter()
                        .map(|s| sv::CapacityProviderStrategyItem {
                            base: s.base.map(Into::into),
                            capacity_provider: Some(value_expr(s.capacity_provider.clone())),
                            weight: s.weight.map(Into::into),
                        })
                        .collect(),
                )
            }),
            cluster: Some(cluster.cluster_name().into()),
            deployment_configuration: Some(deployment_configuration.into()),
            deployment_controller: c
                .deployment
                .controller
                .or(c.circuit_breaker.map(|_| DeploymentController::Ecs))
                .map(|t| {
                    sv::DeploymentController {
                        type_: Some(t.l1().into()),
                    }
                    .into()
                }),
            desired_count: c.desired_count.map(Into::into),
            enable_ecs_managed_tags: Some(c.enable_ecs_managed_tags.into()),
            enable_execute_command: c.enable_execute_command.then(|| true.into()),
            health_check_grace_period_seconds: c.health_check_grace_period_secs.map(Into::into),
            launch_type: strategies.is_empty().then(|| {
                if ec2 {
                    sv::LaunchType::Ec2
                } else {
                    sv::LaunchType::Fargate
                }
                .into()
            }),
            network_configuration,
            propagate_tags: c.propagate_tags.map(|p| {
                match p {
                    PropagateTags::Service => sv::PropagateTags::Service,
                    PropagateTags::TaskDefinition => sv::PropagateTags::TaskDefinition,
                }
                .into()
            }),
            service_name: c.service_name.clone().map(Into::into),
            task_definition: Some(c.task_definition.task_definition_arn().into()),
            ..Default::default()
        };
        match launch {
            Launch::Fargate(v) => {
                cfn.platform_version = v.map(|v| match v {
                    FargatePlatformVersion::Latest => "LATEST".into(),
                    FargatePlatformVersion::Version(s) => s.into(),
                });
            }
            Launch::Ec2 {
                strategies,
                constraints,
                daemon,
            } => {
                if daemon {
                    cfn.scheduling_strategy = Some(sv::SchedulingStrategy::Daemon.into());
                }
                cfn.placement_strategies = (!strategies.is_empty())
                    .then(|| Expr::Lit(strategies.iter().map(PlacementStrategy::l1).collect()));
                cfn.placement_constraints = (!constraints.is_empty())
                    .then(|| Expr::Lit(constraints.iter().map(PlacementConstraint::l1).collect()));
            }
            Launch::ManagedInstances {
                strategies,
                constraints,
                ..
            } => {
                cfn.placement_strategies = (!strategies.is_empty())
                    .then(|| Expr::Lit(strategies.iter().map(PlacementStrategy::l1).collect()));
                cfn.placement_constraints = (!constraints.is_empty())
                    .then(|| Expr::Lit(constraints.iter().map(PlacementConstraint::l1).collect()));
            }
        }
        let resource = app.add_resource(node, "Service", cfn)?;
        if let Some(s) = app.construct_mut::<ServiceState>(node) {
            s.resource = Some(resource);
            s.security_groups = groups;
            s.alarm_behavior = c.deployment.alarms.as_ref().map(|a| a.behavior);
        }
        let service = BaseService {
            node,
            resource,
            cluster,
            task_definition: c.task_definition,
        };
        for hook in &c.deployment.hooks {
            service.render_hook(app, hook)?;
        }
        if c.enable_execute_command {
            c.task_definition
                .add_to_task_role_policy(app, exec_statement())?;
        }
        Ok(service)
    }

    fn state<'a>(&self, app: &'a App) -> &'a ServiceState {
        app.construct::<ServiceState>(self.node)
            .expect("a service handle points at a service")
    }

    /// The service's name (`Fn::GetAtt Name`).
    pub fn service_name(&self) -> Token<String> {
        self.resource.attr_name()
    }

    /// The service's ARN (`Ref`).
    pub fn service_arn(&self) -> Token<String> {
        self.resource.ref_()
    }

    /// The name of the service's cluster.
    pub fn cluster_name(&self) -> Token<String> {
        self.cluster.cluster_name()
    }

    /// The service's cluster.
    pub fn cluster(&self) -> Cluster {
        self.cluster
    }

    /// A metric of this service (`AWS/ECS`, dimensions `ClusterName` and
    /// `ServiceName`), averaged over 5 minutes.
    pub fn metric(&self, name: &str) -> crate::cloudwatch::Metric {
        crate::cloudwatch::Metric::new("AWS/ECS", name)
            .with_dimension("ClusterName", self.cluster_name())
            .with_dimension("ServiceName", self.service_name())
    }

    /// The CPU the service's tasks use, in percent of what they reserve
    /// (`CPUUtilization`, average over 5 minutes, as CDK).
    pub fn metric_cpu_utilization(&self) -> crate::cloudwatch::Metric {
        self.metric("CPUUtilization")
    }

    /// The memory the service's tasks use, in percent of what they reserve
    /// (`MemoryUtilization`, average over 5 minutes, as CDK).
    pub fn metric_memory_utilization(&self) -> crate::cloudwatch::Metric {
        self.metric("MemoryUtilization")
    }

    /// The service's task definition.
    pub fn task_definition(&self) -> TaskDefinition {
        self.task_definition
    }

    /// The resource id of the service's task count for Application Auto Scaling
    /// (`service/<cluster name>/<service name>`); the dimension is
    /// [`SCALABLE_DIMENSION_DESIRED_COUNT`].
    pub fn scalable_target_resource_id(&self) -> Token<String> {
        Token::from_intrinsic(Intrinsic::Join(
            String::new(),
            vec![
                Value::from("service/"),
                self.cluster_name().into(),
                Value::from("/"),
                self.service_name().into(),
            ],
        ))
    }

    /// The security groups of the service's tasks (empty in `bridge`/`host` mode).
    pub fn security_groups(&self, app: &App) -> Vec<SecurityGroup> {
        self.state(app).security_groups.clone()
    }

    /// The L1 service, for escape hatches.
    pub fn cfn(&self) -> ResourceRef<CfnService> {
        self.resource
    }

    /// Registers the service's tasks with a target group: appends to `LoadBalancers`
    /// (the container and port are checked at synth). Sets the health check grace
    /// period to 60 s unless one was given.
    pub fn add_load_balancer(
        &self,
        app: &mut App,
        attachment: LoadBalancerAttachment,
    ) -> Result<()> {
        let explicit = self.state(app).explicit_grace_period;
        let advanced = match &attachment.alternate_target {
            Some(alt) => {
                Some(self.advanced_configuration(app, &attachment.target_group_arn, alt)?)
            }
            None => None,
        };
        let lb = sv::LoadBalancer {
            advanced_configuration: advanced,
            container_name: Some(attachment.container_name.clone().into()),
            container_port: Some(i64::from(attachment.container_port).into()),
            target_group_arn: Some(value_expr(attachment.target_group_arn.clone())),
            ..Default::default()
        };
        if let Some(s) = app.construct_mut::<ServiceState>(self.node) {
            s.load_balancers.push(attachment);
        }
        let cfn = app.resource_mut(self.resource);
        let mut list = match cfn.load_balancers.take() {
            Some(Expr::Lit(l)) => l,
            _ => Vec::new(),
        };
        list.push(lb);
        cfn.load_balancers = Some(Expr::Lit(list));
        if !explicit {
            cfn.health_check_grace_period_seconds = Some(60.into());
        }
        Ok(())
    }

    /// Renders an alternate target for the attachment to `target_group_arn`.
    fn advanced_configuration(
        &self,
        app: &mut App,
        target_group_arn: &Value,
        alt: &AlternateTarget,
    ) -> Result<Expr<sv::AdvancedConfiguration>> {
        let path = app.path(self.node);
        if self.state(app).controller != DeploymentController::Ecs {
            return Err(ConstructError::invalid(
                path,
                "alternate_target",
                "an alternate target group is for ECS blue/green, linear and canary deployments, which need the ECS deployment controller",
            ));
        }
        if &Value::from(alt.alternate_target_group.target_group_arn()) == target_group_arn {
            return Err(ConstructError::invalid(
                path,
                "alternate_target.alternate_target_group",
                "the alternate target group must differ from the production one",
            ));
        }
        let cfg = alt.render(app, self.node)?;
        // The green group and the listener rules exist before the service.
        app.add_dependency(self.resource, alt.production_listener.node());
        if let Some(t) = alt.test_listener {
            app.add_dependency(self.resource, t.node());
        }
        for dep in alt.alternate_target_group.info(app).dependencies {
            app.add_dependency(self.resource, dep);
        }
        Ok(cfg.into())
    }

    /// Gives the service's attachment to `target_group` an alternate target (for
    /// blue/green, linear and canary deployments), after it was registered
    /// (`listener.add_targets`). The load-balanced patterns do this.
    pub fn add_alternate_target(
        &self,
        app: &mut App,
        target_group: TargetGroup,
        alternate: AlternateTarget,
    ) -> Result<()> {
        let arn = Value::from(target_group.target_group_arn());
        let path = app.path(self.node);
        let Some(index) = self
            .state(app)
            .load_balancers
            .iter()
            .position(|l| l.target_group_arn == arn)
        else {
            return Err(ConstructError::invalid(
                path,
                "alternate_target",
                format!(
                    "the service is not registered with the target group {}; register it first (listener.add_targets)",
                    app.path(target_group)
                ),
            ));
        };
        if self.state(app).load_balancers[index]
            .alternate_target
            .is_some()
        {
            return Err(ConstructError::invalid(
                path,
                "alternate_target",
                format!("LoadBalancers[{index}] has an alternate target already"),
            ));
        }
        let cfg = self.advanced_configuration(app, &arn, &alternate)?;
        if let Some(s) = app.construct_mut::<ServiceState>(self.node) {
            s.load_balancers[index].alternate_target = Some(alternate);
        }
        if let Some(Expr::Lit(list)) = &mut app.resource_mut(self.resource).load_balancers {
            if let Some(lb) = list.get_mut(index) {
                lb.advanced_configuration = Some(cfg);
            }
        }
        Ok(())
    }

    /// The service's deployment strategy.
    pub fn deployment_strategy(&self, app: &App) -> DeploymentStrategy {
        self.state(app).strategy
    }

    /// Adds a lifecycle hook (CDK's `addLifecycleHook`): the service must deploy
    /// blue/green, linear or canary. A Lambda hook without a role gets `<id>Role`
    /// under the service, allowed to invoke exactly that function.
    pub fn add_lifecycle_hook(&self, app: &mut App, hook: LifecycleHook) -> Result<()> {
        let path = app.path(self.node);
        let s = self.state(app);
        if s.controller != DeploymentController::Ecs {
            return Err(ConstructError::invalid(
                path,
                "lifecycle_hooks",
                format!(
                    "lifecycle hooks need the ECS deployment controller, not {}",
                    s.controller.name()
                ),
            ));
        }
        if !s.strategy.is_blue_green() {
            return Err(ConstructError::invalid(
                path,
                "lifecycle_hooks",
                "lifecycle hooks run in blue/green, linear and canary deployments; set deployment_strategy (e.g. DeploymentStrategy::blue_green())",
            ));
        }
        let index = match &app.resource_mut(self.resource).deployment_configuration {
            Some(Expr::Lit(dc)) => match &dc.lifecycle_hooks {
                Some(Expr::Lit(l)) => l.len(),
                _ => 0,
            },
            _ => 0,
        };
        hook.check(&path, &format!("lifecycle_hooks[{index}]"))?;
        self.render_hook(app, &hook)
    }

    fn render_hook(&self, app: &mut App, hook: &LifecycleHook) -> Result<()> {
        let l1 = hook.render(app, self.node)?;
        let cfn = app.resource_mut(self.resource);
        if let Some(Expr::Lit(dc)) = &mut cfn.deployment_configuration {
            let mut list = match dc.lifecycle_hooks.take() {
                Some(Expr::Lit(l)) => l,
                _ => Vec::new(),
            };
            list.push(l1);
            dc.lifecycle_hooks = Some(Expr::Lit(list));
        }
        Ok(())
    }

    /// Adds CloudWatch alarms ECS watches during deployments (CDK's
    /// `enableDeploymentAlarms`): appended to those given before; every call must use
    /// the same [`AlarmBehavior`].
    pub fn enable_deployment_alarms(&self, app: &mut App, alarms: DeploymentAlarms) -> Result<()> {
        let path = app.path(self.node);
        let s = self.state(app);
        if s.controller != DeploymentController::Ecs {
            return Err(ConstructError::invalid(
                path,
                "deployment_alarms",
                format!(
                    "deployment alarms need the ECS deployment controller, not {}",
                    s.controller.name()
                ),
            ));
        }
        if alarms.alarm_names.is_empty() {
            return Err(ConstructError::invalid(
                path,
                "deployment_alarms.alarm_names",
                "deployment alarms need at least one alarm name",
            ));
        }
        if let Some(b) = s.alarm_behavior.filter(|b| *b != alarms.behavior) {
            return Err(ConstructError::invalid(
                path,
                "deployment_alarms.behavior",
                format!("every deployment alarm of a service has the same behavior: these ask for {:?}, the alarms enabled before for {b:?}", alarms.behavior),
            ));
        }
        if let Some(st) = app.construct_mut::<ServiceState>(self.node) {
            st.alarm_behavior = Some(alarms.behavior);
        }
        let cfn = app.resource_mut(self.resource);
        if let Some(Expr::Lit(dc)) = &mut cfn.deployment_configuration {
            let mut names = match dc.alarms.take() {
                Some(Expr::Lit(a)) => match a.alarm_names {
                    Some(Expr::Lit(n)) => n,
                    _ => Vec::new(),
                },
                _ => Vec::new(),
            };
            names.extend(alarms.alarm_names.iter().cloned().map(value_expr));
            let mut rendered = alarms.render();
            rendered.alarm_names = Some(Expr::Lit(names));
            dc.alarms = Some(rendered.into());
        }
        Ok(())
    }

    /// Registers the service's tasks with a Cloud Map service: appends to
    /// `ServiceRegistries` (a named container is checked at synth).
    pub fn add_service_registry(
        &self,
        app: &mut App,
        attachment: ServiceRegistryAttachment,
    ) -> Result<()> {
        let r = sv::ServiceRegistry {
            container_name: attachment.container_name.clone().map(Into::into),
            container_port: attachment.container_port.map(|p| i64::from(p).into()),
            port: attachment.port.map(|p| i64::from(p).into()),
            registry_arn: Some(value_expr(attachment.registry_arn.clone())),
        };
        if let Some(s) = app.construct_mut::<ServiceState>(self.node) {
            s.registries.push(attachment);
        }
        let cfn = app.resource_mut(self.resource);
        let mut list = match cfn.service_registries.take() {
            Some(Expr::Lit(l)) => l,
            _ => Vec::new(),
        };
        list.push(r);
        cfn.service_registries = Some(Expr::Lit(list));
        Ok(())
    }
}

impl Connectable for BaseService {
    /// The tasks' security groups; in `bridge`/`host` mode, the cluster's instance
    /// security groups (the tasks share the instances' network).
    fn connections(&self, app: &App) -> Connections {
        let s = self.state(app);
        if s.security_groups.is_empty() {
            s.cluster.connections(app)
        } else {
            Connections::new(s.security_groups.clone())
        }
    }
}

/// A service running a [`FargateTaskDefinition`] on Fargate (or Fargate Spot through a
/// capacity provider strategy), in `awsvpc` mode with its own security group.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::ec2::{Connectable, Peer, Port};
/// use berth_constructs::ecs::{Cluster, ClusterProps, ContainerDefinitionOptions, ContainerImage,
///     FargateService, FargateServiceProps, FargateTaskDefinition, FargateTaskDefinitionProps, PortMapping};
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
/// let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps::default())?;
/// let task = FargateTaskDefinition::new(&mut app, stack, "TaskDef", FargateTaskDefinitionProps::default())?;
/// task.add_container(&mut app, "web", ContainerDefinitionOptions {
///     port_mappings: vec![PortMapping::tcp(80)],
///     ..ContainerDefinitionOptions::new(ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest"))
/// })?;
/// let service = FargateService::new(&mut app, stack, "Service", FargateServiceProps {
///     desired_count: Some(2),
///     ..FargateServiceProps::new(cluster, task)
/// })?;
/// service.connections(&app).allow_from(&mut app, &Peer::ipv4("10.0.0.0/16"), Port::tcp(80), "from the VPC")?;
/// let out = app.synth()?;
/// let props = &out.stacks[0].template["Resources"]["ServiceD69D759B"]["Properties"];
/// assert_eq!(props["LaunchType"], "FARGATE");
/// assert_eq!(props["DeploymentConfiguration"]["DeploymentCircuitBreaker"],
///     serde_json::json!({"Enable": true, "Rollback": true}));
/// assert_eq!(props["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"], "DISABLED");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FargateService(BaseService);

impl Deref for FargateService {
    type Target = BaseService;
    fn deref(&self) -> &BaseService {
        &self.0
    }
}

impl Scope for FargateService {
    fn node(&self) -> NodeId {
        self.0.node
    }
}

impl Connectable for FargateService {
    fn connections(&self, app: &App) -> Connections {
        self.0.connections(app)
    }
}

impl FargateService {
    /// Creates a Fargate service under `scope`.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        props: FargateServiceProps,
    ) -> Result<FargateService> {
        let common = Common {
            cluster: props.cluster,
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
            capacity_provider_strategies: props.capacity_provider_strategies,
            vpc_subnets: props.vpc_subnets,
            security_groups: props.security_groups,
            assign_public_ip: props.assign_public_ip,
            deployment: Deployment {
                strategy: props.deployment_strategy,
                controller: props.deployment_controller,
                alarms: props.deployment_alarms,
                hooks: props.lifecycle_hooks,
            },
        };
        let service = BaseService::create(
            app,
            scope,
            id,
            common,
            Launch::Fargate(props.platform_version),
        )?;
        if let Some(sc) = props.service_connect {
            service.enable_service_connect(app, sc)?;
        }
        Ok(FargateService(service))
    }

    /// The shared service handle.
    pub fn base(&self) -> BaseService {
        self.0
    }
}

/// A service running an [`Ec2TaskDefinition`] on the cluster's EC2 capacity.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::ecs::{AddCapacityOptions, Cluster, ClusterProps, ContainerDefinitionOptions,
///     ContainerImage, Ec2Service, Ec2ServiceProps, Ec2TaskDefinition, Ec2TaskDefinitionProps,
///     PlacementStrategy, PortMapping};
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Hosts", StackProps::default())?;
/// let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps::default())?;
/// let capacity = cluster.add_capacity(&mut app, "Capacity", AddCapacityOptions::new("t3.small"))?;
/// let task = Ec2TaskDefinition::new(&mut app, stack, "TaskDef", Ec2TaskDefinitionProps::default())?;
/// task.add_container(&mut app, "web", ContainerDefinitionOptions {
///     memory_reservation_mib: Some(128),
///     port_mappings: vec![PortMapping::tcp(80)],
///     ..ContainerDefinitionOptions::new(ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest"))
/// })?;
/// Ec2Service::new(&mut app, stack, "Service", Ec2ServiceProps {
///     capacity_provider_strategies: vec![capacity.strategy(1)],
///     placement_strategies: vec![PlacementStrategy::spread_across_zones()],
///     ..Ec2ServiceProps::new(cluster, task)
/// })?;
/// let out = app.synth()?;
/// let svc = &out.stacks[0].template["Resources"]["ServiceD69D759B"];
/// assert!(svc["Properties"].get("LaunchType").is_none());
/// assert_eq!(svc["DependsOn"][0], "Cluster3DA9CCBA");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ec2Service(BaseService);

impl Deref for Ec2Service {
    type Target = BaseService;
    fn deref(&self) -> &BaseService {
        &self.0
    }
}

impl Scope for Ec2Service {
    fn node(&self) -> NodeId {
        self.0.node
    }
}

impl Connectable for Ec2Service {
    fn connections(&self, app: &App) -> Connections {
        self.0.connections(app)
    }
}

impl Ec2Service {
    /// Creates an EC2 service under `scope`.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        props: Ec2ServiceProps,
    ) -> Result<Ec2Service> {
        let common = Common {
            cluster: props.cluster,
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
            capacity_provider_strategies: props.capacity_provider_strategies,
            vpc_subnets: props.vpc_subnets,
            security_groups: props.security_groups,
            assign_public_ip: false,
            deployment: Deployment {
                strategy: props.deployment_strategy,
                controller: props.deployment_controller,
                alarms: props.deployment_alarms,
                hooks: props.lifecycle_hooks,
            },
        };
        let service = BaseService::create(
            app,
            scope,
            id,
            common,
            Launch::Ec2 {
                strategies: props.placement_strategies,
                constraints: props.placement_constraints,
                daemon: props.daemon,
            },
        )?;
        if let Some(sc) = props.service_connect {
            service.enable_service_connect(app, sc)?;
        }
        Ok(Ec2Service(service))
    }

    /// The shared service handle.
    pub fn base(&self) -> BaseService {
        self.0
    }
}
