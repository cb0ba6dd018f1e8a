//! Amazon ECS Express Mode: [`ExpressService`] over `AWS::ECS::ExpressGatewayService`,
//! one resource for which ECS itself creates the load balancer, certificate, target
//! group, scaling policy, security groups and a URL (`Endpoint`). berth creates what the
//! resource needs around it with least privilege: the infrastructure role (ECS's
//! documented managed policy), the execution role (pull on exactly the image's
//! repository, write on exactly the log group, read on exactly the secrets), the log
//! group, and an output `Endpoint`.
//!
//! A team that outgrows Express Mode keeps its description: [`ExpressServiceProps::eject`]
//! builds the same container, size, health check, scaling and network as explicit berth
//! constructs (the [`crate::patterns::ApplicationLoadBalancedFargateService`]), and
//! [`ExpressServiceProps::to_alb_props`] gives the pattern's props to adjust first.

use super::cluster::Cluster;
use super::container::{
    build_container, precheck, ContainerDefinitionOptions, ContainerImage, ExecutionRoleOwner,
    Secret,
};
use super::log_driver::{AwsLogDriverProps, LogDriver};
use super::task_definition::FargateSize;
use crate::app::{App, Construct, NodeId, Output, OutputProps, Scope};
use crate::appscaling::{RequestCountScalingProps, UtilizationScalingProps};
use crate::ec2::{SecurityGroup, SubnetSelection, SubnetType};
use crate::elbv2::HealthCheck;
use crate::error::{ConstructError, Result};
use crate::iam::{
    value_expr, Grantable, ManagedPolicy, PolicyStatement, Principal, Role, RoleProps,
};
use crate::patterns::{
    AlbTaskImageOptions, ApplicationLoadBalancedFargateService,
    ApplicationLoadBalancedFargateServiceProps,
};
use berth_synth::cfn::ecs::{express_gateway_service as eg, CfnExpressGatewayService};
use berth_synth::resource::ResourceRef;
use berth_synth::{Expr, Token, Value};
use indexmap::IndexMap;
use std::any::Any;

/// The AWS managed policy ECS documents for the infrastructure role of Express Mode
/// (create and manage the load balancer, target groups, security groups, certificate
/// and scaling of Express services).
pub const EXPRESS_INFRASTRUCTURE_POLICY: &str =
    "service-role/AmazonECSInfrastructureRoleforExpressGatewayServices";

/// What an Express service scales on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ExpressScalingMetric {
    /// Average CPU utilization of the tasks, in percent.
    #[default]
    AverageCpu,
    /// Average memory utilization of the tasks, in percent.
    AverageMemory,
    /// Requests per task through the load balancer.
    RequestCountPerTarget,
}

props! {
    /// How an [`ExpressService`] scales: between `min_task_count` and `max_task_count`
    /// tasks, keeping `metric` at `target_value`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct ExpressScaling {
        /// The fewest tasks, at least 1. Required.
        pub min_task_count: u32,
        /// The most tasks, at least `min_task_count`. Required.
        pub max_task_count: u32,
        /// What to track. Default: [`ExpressScalingMetric::AverageCpu`].
        pub metric: ExpressScalingMetric,
        /// The value to keep: a percentage (1 to 100) for CPU and memory, requests per
        /// task (at least 1) for request counts. Default: 60.
        pub target_value: u32,
    }
}

impl ExpressScaling {
    /// Between `min` and `max` tasks at 60% average CPU.
    pub fn new(min: u32, max: u32) -> Self {
        ExpressScaling {
            min_task_count: min,
            max_task_count: max,
            metric: ExpressScalingMetric::AverageCpu,
            target_value: 60,
        }
    }

    fn check(&self, path: &str) -> Result<()> {
        let bad = |field: &str, msg: String| {
            ConstructError::invalid(path, format!("scaling.{field}"), msg)
        };
        if self.min_task_count == 0 {
            return Err(bad(
                "min_task_count",
                "an Express service runs at least 1 task, got 0".into(),
            ));
        }
        if self.max_task_count < self.min_task_count {
            return Err(bad(
                "max_task_count",
                format!(
                    "max_task_count ({}) is lower than min_task_count ({})",
                    self.max_task_count, self.min_task_count
                ),
            ));
        }
        match self.metric {
            ExpressScalingMetric::AverageCpu | ExpressScalingMetric::AverageMemory
                if !(1..=100).contains(&self.target_value) =>
            {
                Err(bad(
                    "target_value",
                    format!(
                        "a utilization target is a percentage from 1 to 100, got {}",
                        self.target_value
                    ),
                ))
            }
            ExpressScalingMetric::RequestCountPerTarget if self.target_value == 0 => Err(bad(
                "target_value",
                "a request count target is at least 1 request per task, got 0".into(),
            )),
            _ => Ok(()),
        }
    }
}

props! {
    /// Options of an [`ExpressService`]: its primary container, size, health check,
    /// scaling and network.
    #[derive(Clone, Debug, PartialEq)]
    pub struct ExpressServiceProps {
        /// The image: a registry name, an ECR repository tag (the execution role gets
        /// pull on that repository) or an image asset. Required.
        pub image: ContainerImage,
        /// The port the container listens on, where ECS sends the load balancer's
        /// traffic. Default: 80.
        pub container_port: u16,
        /// Environment variables (values may be tokens). Default: none.
        pub environment: IndexMap<String, Value>,
        /// Secrets as environment variables; the execution role gets read on exactly
        /// these. Default: none.
        pub secrets: IndexMap<String, Secret>,
        /// The command. Default: the image's.
        pub command: Vec<String>,
        /// Where the container's logs go (`awslogs`; the execution role gets write on
        /// exactly that log group). Default: a new log group `LogGroup` (one month)
        /// with the construct's id as the stream prefix.
        pub logging: Option<AwsLogDriverProps>,
        /// CPU and memory, checked like a Fargate task size ([`crate::fargate_size!`]).
        /// Default: 256 CPU units and 512 MiB.
        pub size: FargateSize,
        /// The path the load balancer checks (`/health`). Default: not rendered (ECS
        /// checks `/ping`).
        pub health_check_path: Option<String>,
        /// Scaling. Default: not rendered (one task).
        pub scaling: Option<ExpressScaling>,
        /// The cluster. Default: not rendered (the account's `default` cluster, in the
        /// default VPC).
        pub cluster: Option<Cluster>,
        /// The subnets of the cluster's VPC for the load balancer and the tasks (needs
        /// `cluster`). Default: with a cluster, its VPC's public subnets (an
        /// internet-facing URL); without, not rendered (the default VPC's).
        pub vpc_subnets: Option<SubnetSelection>,
        /// The tasks' security groups. Default: not rendered (ECS creates them).
        pub security_groups: Vec<SecurityGroup>,
        /// The service's name: 1 to 255 letters, digits, hyphens and underscores.
        /// Default: generated.
        pub service_name: Option<String>,
        /// The task role (what the code may do). Default: none until something is
        /// granted to the service (then `TaskRole`).
        pub task_role: Option<Role>,
        /// The execution role. Default: a new `ExecutionRole` with exactly the grants
        /// above.
        pub execution_role: Option<Role>,
        /// The infrastructure role ECS uses to create the load balancer and the rest.
        /// Default: a new `InfrastructureRole` trusting `ecs.amazonaws.com` with
        /// [`EXPRESS_INFRASTRUCTURE_POLICY`].
        pub infrastructure_role: Option<Role>,
    }
}

impl ExpressServiceProps {
    /// A service running `image` on port 80, every other field at its default.
    pub fn new(image: ContainerImage) -> Self {
        ExpressServiceProps {
            image,
            container_port: 80,
            environment: IndexMap::new(),
            secrets: IndexMap::new(),
            command: Vec::new(),
            logging: None,
            size: FargateSize::default(),
            health_check_path: None,
            scaling: None,
            cluster: None,
            vpc_subnets: None,
            security_groups: Vec::new(),
            service_name: None,
            task_role: None,
            execution_role: None,
            infrastructure_role: None,
        }
    }

    fn check(&self, path: &str) -> Result<()> {
        let bad = |field: &str, msg: String| ConstructError::invalid(path, field, msg);
        if self.container_port == 0 {
            return Err(bad(
                "container_port",
                "the container port must be 1 to 65535, got 0".into(),
            ));
        }
        if let Some(p) = &self.health_check_path {
            if !p.starts_with('/') || p.len() > 1024 || p.chars().any(char::is_whitespace) {
                return Err(bad(
                    "health_check_path",
                    format!("a health check path starts with / and has at most 1024 characters and no spaces, got \"{p}\""),
                ));
            }
        }
        if let Some(n) = &self.service_name {
            let ok = !n.is_empty()
                && n.len() <= 255
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !ok {
                return Err(bad(
                    "service_name",
                    format!("invalid service name \"{n}\": use 1 to 255 letters, digits, hyphens and underscores"),
                ));
            }
        }
        if let Some(s) = &self.scaling {
            s.check(path)?;
        }
        if self.cluster.is_none()
            && (self.vpc_subnets.is_some() || !self.security_groups.is_empty())
        {
            return Err(bad(
                if self.vpc_subnets.is_some() {
                    "vpc_subnets"
                } else {
                    "security_groups"
                },
                "subnets and security groups belong to the cluster's VPC: give the cluster too"
                    .into(),
            ));
        }
        Ok(())
    }

    fn container_options(&self, id: &str) -> ContainerDefinitionOptions {
        ContainerDefinitionOptions {
            environment: self.environment.clone(),
            secrets: self.secrets.clone(),
            command: self.command.clone(),
            logging: Some(LogDriver::AwsLogs(
                self.logging
                    .clone()
                    .unwrap_or_else(|| AwsLogDriverProps::new(id)),
            )),
            ..ContainerDefinitionOptions::new(self.image.clone())
        }
    }

    /// The same description as the props of the
    /// [`ApplicationLoadBalancedFargateService`] pattern: the container (`web`, same
    /// image, port, environment, secrets, command and logs), size, health check path,
    /// cluster, task subnets, security groups, service name and roles; the load
    /// balancer public on HTTP port 80 (Express's certificate and `*.on.aws` domain
    /// are ECS's: give the ejected service a certificate and domain in
    /// `load_balancer`). Scaling needs the built service: [`ExpressServiceProps::eject`]
    /// adds it.
    pub fn to_alb_props(&self, id: &str) -> ApplicationLoadBalancedFargateServiceProps {
        let o = self.container_options(id);
        let image = AlbTaskImageOptions {
            container_port: self.container_port,
            environment: o.environment,
            secrets: o.secrets,
            command: o.command,
            enable_logging: true,
            log_driver: o.logging,
            task_role: self.task_role,
            execution_role: self.execution_role,
            ..AlbTaskImageOptions::new(o.image)
        };
        let mut props = ApplicationLoadBalancedFargateServiceProps::new(self.image.clone());
        props.task_image_options = Some(image);
        props.cluster = self.cluster;
        props.size = self.size;
        props.service_name = self.service_name.clone();
        props.security_groups = self.security_groups.clone();
        props.task_subnets = self.vpc_subnets.clone();
        props.assign_public_ip = self
            .vpc_subnets
            .as_ref()
            .is_some_and(|s| s.subnet_type == Some(SubnetType::Public));
        if let Some(p) = &self.health_check_path {
            props.load_balancer.health_check = HealthCheck::path(p.as_str());
        }
        if let Some(s) = &self.scaling {
            props.desired_count = Some(s.min_task_count);
        }
        props
    }

    /// Builds the same service as explicit berth constructs under `scope/id`: the
    /// [`ApplicationLoadBalancedFargateService`] of [`ExpressServiceProps::to_alb_props`]
    /// and, with `scaling`, a scalable task count (`Service/TaskCount`) between the
    /// same bounds tracking the same metric (`CpuScaling`, `MemoryScaling` or
    /// `RequestScaling`). Checked like [`ExpressService::new`].
    ///
    /// ```
    /// use berth_constructs::ecs::*;
    /// use berth_constructs::{fargate_size, App, Stack, StackProps};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut app = App::new();
    /// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
    /// let props = ExpressServiceProps::new(ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest"))
    ///     .size(fargate_size!(512, 1024))
    ///     .health_check_path("/health")
    ///     .scaling(ExpressScaling::new(2, 8).metric(ExpressScalingMetric::RequestCountPerTarget).target_value(500));
    /// let web = props.eject(&mut app, stack, "Web")?;
    /// let out = app.synth()?;
    /// let res = out.stacks[0].template["Resources"].as_object().unwrap();
    /// let of = |t: &str| res.values().filter(|r| r["Type"] == t).collect::<Vec<_>>();
    /// assert!(of("AWS::ECS::ExpressGatewayService").is_empty());
    /// assert_eq!(of("AWS::ElasticLoadBalancingV2::TargetGroup")[0]["Properties"]["HealthCheckPath"], "/health");
    /// let target = &of("AWS::ApplicationAutoScaling::ScalableTarget")[0]["Properties"];
    /// assert_eq!((target["MinCapacity"].as_i64(), target["MaxCapacity"].as_i64()), (Some(2), Some(8)));
    /// let policy = &of("AWS::ApplicationAutoScaling::ScalingPolicy")[0]["Properties"];
    /// let tracking = &policy["TargetTrackingScalingPolicyConfiguration"];
    /// assert_eq!(tracking["TargetValue"], 500.0);
    /// assert_eq!(tracking["PredefinedMetricSpecification"]["PredefinedMetricType"], "ALBRequestCountPerTarget");
    /// # let _ = web;
    /// # Ok(()) }
    /// ```
    pub fn eject(
        self,
        app: &mut App,
        scope: impl Scope,
        id: &str,
    ) -> Result<ApplicationLoadBalancedFargateService> {
        let path = format!("{}/{id}", app.path(&scope));
        self.check(&path)?;
        let props = self.to_alb_props(id);
        let web = ApplicationLoadBalancedFargateService::new(app, scope, id, props)?;
        if let Some(s) = self.scaling {
            let count =
                web.service()
                    .auto_scale_task_count(app, s.min_task_count, s.max_task_count)?;
            let target = f64::from(s.target_value);
            match s.metric {
                ExpressScalingMetric::AverageCpu => {
                    count.scale_on_cpu_utilization(
                        app,
                        "CpuScaling",
                        UtilizationScalingProps::new(target),
                    )?;
                }
                ExpressScalingMetric::AverageMemory => {
                    count.scale_on_memory_utilization(
                        app,
                        "MemoryScaling",
                        UtilizationScalingProps::new(target),
                    )?;
                }
                ExpressScalingMetric::RequestCountPerTarget => {
                    count.scale_on_request_count(
                        app,
                        "RequestScaling",
                        RequestCountScalingProps::new(s.target_value, web.target_group()),
                    )?;
                }
            }
        }
        Ok(web)
    }
}

#[derive(Debug)]
struct ExpressState {
    execution_role: Option<Role>,
    task_role: Option<Role>,
    resource: Option<ResourceRef<CfnExpressGatewayService>>,
}

impl Construct for ExpressState {
    fn fqn(&self) -> &'static str {
        "berth.ecs.ExpressService"
    }
    fn prepare(&mut self, app: &mut App, _node: NodeId) -> Result<()> {
        // ECS starts tasks as soon as the service exists: their roles need their
        // permissions first.
        let Some(resource) = self.resource else {
            return Ok(());
        };
        for role in [self.execution_role, self.task_role].into_iter().flatten() {
            if let Some(policy) = role.default_policy(app) {
                app.add_dependency(resource, policy);
            }
        }
        Ok(())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// An ECS Express Mode service (`AWS::ECS::ExpressGatewayService`, child `Service`):
/// a container image becomes an HTTPS URL; ECS creates and owns the load balancer,
/// certificate, target group, scaling and security groups. Around it berth creates
/// `InfrastructureRole`, `ExecutionRole`, `LogGroup` (unless given) and the output
/// `Endpoint` (the URL's host, which `berth deploy` prints once the stack is up).
///
/// ```
/// use berth_constructs::ecs::*;
/// use berth_constructs::{fargate_size, App, Stack, StackProps};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
/// let image = ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
/// let web = ExpressService::new(&mut app, stack, "Web", ExpressServiceProps::new(image)
///     .size(fargate_size!(512, 1024))
///     .environment([("STAGE", "prod")])
///     .health_check_path("/")
///     .scaling(ExpressScaling::new(1, 4)))?;
/// let out = app.synth()?;
/// let t = &out.stacks[0].template;
/// let id = berth_synth::logical_id::make_unique_id(&["Web", "Service"]).unwrap();
/// let svc = &t["Resources"][&id]["Properties"];
/// assert_eq!((svc["Cpu"].as_str(), svc["Memory"].as_str()), (Some("512"), Some("1024")));
/// assert_eq!(svc["PrimaryContainer"]["ContainerPort"], 80);
/// assert_eq!(svc["ScalingTarget"]["AutoScalingMetric"], "AVERAGE_CPU");
/// assert!(svc["InfrastructureRoleArn"]["Fn::GetAtt"].is_array());
/// let endpoint = t["Outputs"].as_object().unwrap().iter()
///     .find(|(k, _)| k.starts_with("WebEndpoint")).unwrap().1;
/// assert_eq!(endpoint["Value"]["Fn::GetAtt"][1], "Endpoint");
/// # let _ = web;
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpressService {
    node: NodeId,
    resource: ResourceRef<CfnExpressGatewayService>,
    infrastructure_role: Role,
}

impl Scope for ExpressService {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl ExecutionRoleOwner for ExpressService {
    fn execution_role(&self, app: &mut App) -> Result<Role> {
        ExpressService::execution_role(self, app)
    }
}

impl Grantable for ExpressService {
    /// Grants go to the task role (created on first use).
    fn add_to_principal_policy(&self, app: &mut App, statement: PolicyStatement) -> Result<bool> {
        let role = self.task_role(app)?;
        role.add_to_policy(app, statement)
    }
}

impl ExpressService {
    /// Creates an Express service under `scope`. Checked here: the container port,
    /// health check path, service name, scaling bounds and target, the container
    /// (image, secrets, logs) as in a task definition, and that subnets and security
    /// groups come with a cluster.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        props: ExpressServiceProps,
    ) -> Result<ExpressService> {
        let path = format!("{}/{id}", app.path(&scope));
        props.check(&path)?;
        let options = props.container_options(id);
        let asset = precheck(&path, &options)?;
        let network = match props.cluster {
            None => None,
            Some(cluster) => {
                let selection = props
                    .vpc_subnets
                    .clone()
                    .unwrap_or_else(|| SubnetSelection::default().subnet_type(SubnetType::Public));
                let subnets = cluster.vpc().select_subnets(app, &selection)?;
                Some(eg::ExpressGatewayServiceNetworkConfiguration {
                    security_groups: (!props.security_groups.is_empty()).then(|| {
                        Expr::Lit(
                            props
                                .security_groups
                                .iter()
                                .map(|g| g.security_group_id().into())
                                .collect(),
                        )
                    }),
                    subnets: Some(Expr::Lit(
                        subnets.subnet_ids.into_iter().map(value_expr).collect(),
                    )),
                })
            }
        };
        let node = app.add_construct(
            scope,
            id,
            ExpressState {
                execution_role: props.execution_role,
                task_role: props.task_role,
                resource: None,
            },
        )?;
        let infrastructure_role = match props.infrastructure_role {
            Some(r) => r,
            None => Role::new(
                app,
                node,
                "InfrastructureRole",
                RoleProps::new(Principal::service("ecs.amazonaws.com"))
                    .managed_policies([ManagedPolicy::aws_managed(EXPRESS_INFRASTRUCTURE_POLICY)]),
            )?,
        };
        let resource = app.add_resource(
            node,
            "Service",
            CfnExpressGatewayService {
                cluster: props.cluster.map(|c| c.cluster_name().into()),
                cpu: Some(props.size.cpu().to_string().into()),
                memory: Some(props.size.memory_mib().to_string().into()),
                health_check_path: props.health_check_path.clone().map(Into::into),
                infrastructure_role_arn: Some(infrastructure_role.role_arn().into()),
                network_configuration: network.map(Into::into),
                scaling_target: props.scaling.map(|s| {
                    eg::ExpressGatewayScalingTarget {
                        auto_scaling_metric: Some(
                            match s.metric {
                                ExpressScalingMetric::AverageCpu => {
                                    eg::ExpressGatewayServiceScalingMetric::AverageCpu
                                }
                                ExpressScalingMetric::AverageMemory => {
                                    eg::ExpressGatewayServiceScalingMetric::AverageMemory
                                }
                                ExpressScalingMetric::RequestCountPerTarget => {
                                    eg::ExpressGatewayServiceScalingMetric::RequestCountPerTarget
                                }
                            }
                            .into(),
                        ),
                        auto_scaling_target_value: Some(i64::from(s.target_value).into()),
                        max_task_count: Some(i64::from(s.max_task_count).into()),
                        min_task_count: Some(i64::from(s.min_task_count).into()),
                    }
                    .into()
                }),
                service_name: props.service_name.clone().map(Into::into),
                ..Default::default()
            },
        )?;
        if let Some(s) = app.construct_mut::<ExpressState>(node) {
            s.resource = Some(resource);
        }
        let service = ExpressService {
            node,
            resource,
            infrastructure_role,
        };
        for (role, task) in [(props.execution_role, false), (props.task_role, true)] {
            if let Some(r) = role {
                service.set_role(app, r, task);
            }
        }
        // The primary container: rendered exactly as a task definition's container
        // (and granted the same), then moved into Express's shape.
        let rendered =
            build_container(app, &service, node, "Main".into(), options, asset)?.rendered;
        let kv = |name: Option<Expr<String>>, value: Option<Expr<String>>| eg::KeyValuePair {
            name,
            value,
        };
        let logs = rendered.log_configuration.and_then(|l| match l {
            Expr::Lit(l) => match l.options {
                Some(Expr::Lit(o)) => Some(eg::ExpressGatewayServiceAwsLogsConfiguration {
                    log_group: o.get("awslogs-group").cloned(),
                    log_stream_prefix: o.get("awslogs-stream-prefix").cloned(),
                }),
                _ => None,
            },
            Expr::Token(_) => None,
        });
        let container = eg::ExpressGatewayContainer {
            aws_logs_configuration: logs.map(Into::into),
            command: rendered.command,
            container_port: Some(i64::from(props.container_port).into()),
            environment: rendered.environment.map(|e| match e {
                Expr::Lit(list) => {
                    Expr::Lit(list.into_iter().map(|p| kv(p.name, p.value)).collect())
                }
                Expr::Token(t) => Expr::Token(t),
            }),
            image: rendered.image,
            repository_credentials: None,
            secrets: rendered.secrets.map(|e| match e {
                Expr::Lit(list) => Expr::Lit(
                    list.into_iter()
                        .map(|s| eg::Secret {
                            name: s.name,
                            value_from: s.value_from,
                        })
                        .collect(),
                ),
                Expr::Token(t) => Expr::Token(t),
            }),
        };
        app.resource_mut(resource).primary_container = Some(container.into());
        Output::new(
            app,
            node,
            "Endpoint",
            OutputProps::new(service.endpoint())
                .description(format!("The URL host of the Express service {path}")),
        )?;
        Ok(service)
    }

    fn state<'a>(&self, app: &'a App) -> &'a ExpressState {
        app.construct::<ExpressState>(self.node)
            .expect("an ExpressService handle points at an Express service")
    }

    fn set_role(&self, app: &mut App, role: Role, task: bool) {
        if let Some(s) = app.construct_mut::<ExpressState>(self.node) {
            if task {
                s.task_role = Some(role);
            } else {
                s.execution_role = Some(role);
            }
        }
        let arn = Some(role.role_arn().into());
        let cfn = app.resource_mut(self.resource);
        if task {
            cfn.task_role_arn = arn;
        } else {
            cfn.execution_role_arn = arn;
        }
    }

    fn role(&self, app: &mut App, task: bool) -> Result<Role> {
        let s = self.state(app);
        if let Some(r) = if task { s.task_role } else { s.execution_role } {
            return Ok(r);
        }
        let role = Role::new(
            app,
            self.node,
            if task { "TaskRole" } else { "ExecutionRole" },
            RoleProps::new(Principal::service("ecs-tasks.amazonaws.com")),
        )?;
        self.set_role(app, role, task);
        Ok(role)
    }

    /// The task role (what the container's code may do), created on first use.
    pub fn task_role(&self, app: &mut App) -> Result<Role> {
        self.role(app, true)
    }

    /// The execution role (image pull, logs, secrets), created on first use.
    pub fn execution_role(&self, app: &mut App) -> Result<Role> {
        self.role(app, false)
    }

    /// The infrastructure role ECS uses for the load balancer and the rest.
    pub fn infrastructure_role(&self) -> Role {
        self.infrastructure_role
    }

    /// The service's URL host (`Fn::GetAtt Endpoint`), e.g. for a DNS record.
    pub fn endpoint(&self) -> Token<String> {
        self.resource.attr_endpoint()
    }

    /// The ECS service's ARN (`Fn::GetAtt ServiceArn`).
    pub fn service_arn(&self) -> Token<String> {
        self.resource.attr_service_arn()
    }

    /// The L1 Express service, for escape hatches.
    pub fn cfn(&self) -> ResourceRef<CfnExpressGatewayService> {
        self.resource
    }
}
