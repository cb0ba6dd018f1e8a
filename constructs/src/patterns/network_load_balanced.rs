//! `NetworkLoadBalancedFargateService` (CDK's `ecs_patterns`) and
//! `BackendFargateService` (a service without load balancer, found through Cloud Map).

use crate::app::{App, NodeId, Output, OutputProps, Scope};
use crate::ec2::{Connectable, Peer, Port};
use crate::ecs::{
    AlternateTarget, CloudMapOptions, Cluster, ContainerDefinition, DeploymentAlarms,
    DeploymentCircuitBreaker, DeploymentStrategy, FargateService, FargateServiceProps, FargateSize,
    FargateTaskDefinition, FargateTaskDefinitionProps, LifecycleHook, ListenerRuleConfiguration,
};
use crate::elbv2::{
    AddTargetsProps, HealthCheck, Listener, ListenerAction, ListenerProps, NetworkLoadBalancer,
    NetworkLoadBalancerProps, Protocol, TargetGroup,
};
use crate::error::{ConstructError, Result};
use crate::patterns::alarms::{self, DefaultAlarmsProps};
use crate::patterns::application_load_balanced::add_image_container;
use crate::patterns::application_load_balanced::check_test_port;
use crate::patterns::AlbTaskImageOptions;
use crate::servicediscovery::{self, DnsRecordType, PrivateDnsNamespace};
use berth_synth::cfn::cloudwatch::CfnAlarm;
use berth_synth::resource::ResourceRef;
use berth_synth::Value;

props! {
    /// Options of a [`NetworkLoadBalancedFargateService`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct NetworkLoadBalancedFargateServiceProps {
        /// The cluster (required).
        pub cluster: Cluster,
        /// The container (required; `container_port` is the target port).
        pub task_image_options: AlbTaskImageOptions,
        /// The task size. Default: 256 CPU units, 512 MiB.
        pub size: FargateSize,
        /// The number of tasks. Default: not set (1).
        pub desired_count: Option<u32>,
        /// Internet-facing rather than internal. Default: true.
        pub public_load_balancer: bool,
        /// The TCP listener's port. Default: 80.
        pub listener_port: u16,
        /// The target group's health check. Default: AWS defaults (TCP on the traffic port).
        pub health_check: HealthCheck,
        /// Roll back a failing deployment. Default: none.
        pub circuit_breaker: Option<DeploymentCircuitBreaker>,
        /// The address range allowed into the tasks on the container port (a network
        /// load balancer has no security group; with IP targets the traffic comes from
        /// its addresses in the VPC). Default: the VPC's CIDR block.
        pub allowed_cidr: Option<String>,
        /// How new revisions deploy: rolling, blue/green, linear or canary. The
        /// blue/green family adds an alternate target group
        /// (`LB/PublicListener/ECSAlternateGroup`, taking the settings of `ECSGroup`)
        /// and the infrastructure role `Service/LBAlternateOptionsRole`; ECS moves the
        /// listener (`PublicListener`) between the groups. Default: rolling.
        pub deployment_strategy: DeploymentStrategy,
        /// The port of a TCP test listener `TestListener` for the new revision of a
        /// blue/green, linear or canary deployment. Default: none.
        pub test_port: Option<u16>,
        /// Lifecycle hooks (blue/green, linear and canary). Default: none.
        pub lifecycle_hooks: Vec<LifecycleHook>,
        /// CloudWatch alarms that roll a deployment back; see also
        /// `default_alarms`. Default: none.
        pub deployment_alarms: Option<DeploymentAlarms>,
    }
}

impl NetworkLoadBalancedFargateServiceProps {
    /// `image` (container `web`, port 80) behind a public NLB on TCP port 80.
    pub fn new(cluster: Cluster, image: impl Into<AlbTaskImageOptions>) -> Self {
        NetworkLoadBalancedFargateServiceProps {
            cluster,
            task_image_options: image.into(),
            size: FargateSize::default(),
            desired_count: None,
            public_load_balancer: true,
            listener_port: 80,
            health_check: HealthCheck::default(),
            circuit_breaker: None,
            allowed_cidr: None,
            deployment_strategy: DeploymentStrategy::rolling(),
            test_port: None,
            lifecycle_hooks: Vec::new(),
            deployment_alarms: None,
        }
    }
}

/// A Fargate service behind a network load balancer (CDK's
/// `NetworkLoadBalancedFargateService`, same ids): under the pattern's id, `LB`,
/// its TCP listener `PublicListener` forwarding to `PublicListener/ECSGroup` (TCP on
/// the container port, IP targets), `TaskDef`, `Service` (its security group open on
/// the container port to the VPC's range only) and the output `LoadBalancerDNS`.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::ecs::{Cluster, ClusterProps, ContainerImage};
/// use berth_constructs::patterns::*;
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Tcp", StackProps::default())?;
/// let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps::default())?;
/// let image = AlbTaskImageOptions::new(ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest"))
///     .container_port(8080);
/// let props = NetworkLoadBalancedFargateServiceProps::new(cluster, image);
/// let svc = NetworkLoadBalancedFargateService::new(&mut app, stack, "Api", props)?;
/// let out = app.synth()?;
/// let tg = berth_synth::logical_id::make_unique_id(&["Api", "LB", "PublicListener", "ECSGroup", "Resource"]).ok_or("an invalid construct id")?;
/// let p = &out.stacks[0].template["Resources"][&tg]["Properties"];
/// assert_eq!((p["Port"].as_u64(), p["Protocol"].as_str()), (Some(8080), Some("TCP")));
/// # let _ = svc.listener();
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetworkLoadBalancedFargateService {
    node: NodeId,
    task_definition: FargateTaskDefinition,
    container: ContainerDefinition,
    service: FargateService,
    load_balancer: NetworkLoadBalancer,
    listener: Listener,
    target_group: TargetGroup,
    alternate_target_group: Option<TargetGroup>,
    test_listener: Option<Listener>,
}

impl Scope for NetworkLoadBalancedFargateService {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl NetworkLoadBalancedFargateService {
    /// Creates the pattern under `scope`.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        props: NetworkLoadBalancedFargateServiceProps,
    ) -> Result<NetworkLoadBalancedFargateService> {
        let node = app.add_group(scope, id)?;
        let cluster = props.cluster;
        let vpc = cluster.vpc();
        let cidr = match (props.allowed_cidr, app.resolve(vpc.vpc_cidr_block())) {
            (Some(c), _) => c,
            (None, Value::String(c)) => c,
            (None, _) => return Err(ConstructError::invalid(
                app.path(node),
                "allowed_cidr",
                "the VPC's CIDR block is not known at synth (an imported VPC): give allowed_cidr",
            )),
        };
        let task_definition = FargateTaskDefinition::new(
            app,
            node,
            "TaskDef",
            FargateTaskDefinitionProps {
                size: props.size,
                task_role: props.task_image_options.task_role,
                execution_role: props.task_image_options.execution_role,
                ..Default::default()
            },
        )?;
        let (container, port) = add_image_container(
            app,
            task_definition.task_definition(),
            props.task_image_options,
            id,
            None,
        )?;
        let container = task_definition.find_container(app, &container)?;
        let service = FargateService::new(
            app,
            node,
            "Service",
            FargateServiceProps {
                desired_count: props.desired_count,
                circuit_breaker: props.circuit_breaker,
                health_check_grace_period_secs: Some(60),
                deployment_strategy: props.deployment_strategy,
                lifecycle_hooks: props.lifecycle_hooks,
                deployment_alarms: props.deployment_alarms,
                ..FargateServiceProps::new(cluster, task_definition)
            },
        )?;
        check_test_port(
            app,
            node,
            &props.deployment_strategy,
            props.test_port,
            props.listener_port,
        )?;
        let load_balancer = NetworkLoadBalancer::new(
            app,
            node,
            "LB",
            &vpc,
            NetworkLoadBalancerProps::default().internet_facing(props.public_load_balancer),
        )?;
        let listener = load_balancer.add_listener(
            app,
            "PublicListener",
            ListenerProps {
                port: Some(props.listener_port),
                protocol: Some(Protocol::Tcp),
                ..Default::default()
            },
        )?;
        let target = service.load_balancer_target(container.container_name(app), port);
        let target_group = listener.add_targets(
            app,
            "ECS",
            AddTargetsProps {
                targets: vec![&target],
                health_check: props.health_check,
                ..Default::default()
            },
        )?;
        service.connections(app).allow_from(
            app,
            &Peer::ipv4(cidr),
            Port::tcp(port),
            "from the network load balancer (inside the VPC)",
        )?;
        let (mut alternate_target_group, mut test_listener) = (None, None);
        if props.deployment_strategy.is_blue_green() {
            let green =
                TargetGroup::alternate_of(app, listener, "ECSAlternateGroup", &vpc, target_group)?;
            let test = match props.test_port {
                Some(p) => Some(load_balancer.add_listener(
                    app,
                    "TestListener",
                    ListenerProps {
                        port: Some(p),
                        protocol: Some(Protocol::Tcp),
                        default_action: Some(ListenerAction::forward(target_group)),
                        ..Default::default()
                    },
                )?),
                None => None,
            };
            let alternate =
                AlternateTarget::new(green, ListenerRuleConfiguration::NetworkListener(listener))
                    .test_listener(test.map(ListenerRuleConfiguration::NetworkListener));
            service.add_alternate_target(app, target_group, alternate)?;
            alternate_target_group = Some(green);
            test_listener = test;
        }
        let dns = load_balancer.dns_name();
        Output::new(app, node, "LoadBalancerDNS", OutputProps::new(dns))?;
        Ok(NetworkLoadBalancedFargateService {
            node,
            task_definition,
            container,
            service,
            load_balancer,
            listener,
            target_group,
            alternate_target_group,
            test_listener,
        })
    }

    /// The alternate (green) target group of a blue/green, linear or canary
    /// deployment (`LB/PublicListener/ECSAlternateGroup`).
    pub fn alternate_target_group(&self) -> Option<TargetGroup> {
        self.alternate_target_group
    }
    /// The test listener (`TestListener`, on `test_port`).
    pub fn test_listener(&self) -> Option<Listener> {
        self.test_listener
    }
    /// Creates an `UnhealthyHostsAlarm` on the service's target group (and
    /// `AlternateUnhealthyHostsAlarm` on the alternate one) and makes them deployment
    /// alarms (a network load balancer has no HTTP codes, so no 5xx alarm).
    pub fn default_alarms(
        &self,
        app: &mut App,
        props: DefaultAlarmsProps,
    ) -> Result<Vec<ResourceRef<CfnAlarm>>> {
        alarms::default_alarms(
            app,
            self.node,
            self.service.base(),
            self.target_group,
            self.alternate_target_group,
            props,
        )
    }

    /// The task definition (`TaskDef`).
    pub fn task_definition(&self) -> FargateTaskDefinition {
        self.task_definition
    }
    /// The service's container (named by the image options; `web` by default).
    pub fn container(&self) -> ContainerDefinition {
        self.container
    }
    /// The service.
    pub fn service(&self) -> FargateService {
        self.service
    }
    /// The network load balancer.
    pub fn load_balancer(&self) -> NetworkLoadBalancer {
        self.load_balancer
    }
    /// The TCP listener (`PublicListener`).
    pub fn listener(&self) -> Listener {
        self.listener
    }
    /// The target group.
    pub fn target_group(&self) -> TargetGroup {
        self.target_group
    }
}

props! {
    /// Options of a [`BackendFargateService`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct BackendFargateServiceProps {
        /// The cluster (required).
        pub cluster: Cluster,
        /// The container (required; `container_port` is where other services reach it).
        pub task_image_options: AlbTaskImageOptions,
        /// The namespace to register in (required).
        pub namespace: PrivateDnsNamespace,
        /// The Cloud Map name: the service is found at `<name>.<namespace>` (required).
        pub name: String,
        /// The task size. Default: 256 CPU units, 512 MiB.
        pub size: FargateSize,
        /// The number of tasks. Default: not set (1).
        pub desired_count: Option<u32>,
        /// Roll back a failing deployment. Default: none.
        pub circuit_breaker: Option<DeploymentCircuitBreaker>,
        /// How new revisions deploy: rolling or blue/green (without a load balancer,
        /// blue/green moves no traffic step by step, so linear and canary are refused
        /// at synth). Default: rolling.
        pub deployment_strategy: DeploymentStrategy,
        /// Lifecycle hooks (blue/green). Default: none.
        pub lifecycle_hooks: Vec<LifecycleHook>,
        /// CloudWatch alarms that roll a deployment back. Default: none.
        pub deployment_alarms: Option<DeploymentAlarms>,
    }
}

impl BackendFargateServiceProps {
    /// `image` (an image: container `web`, port 80; or [`AlbTaskImageOptions`])
    /// registered as `name` in `namespace`.
    pub fn new(
        cluster: Cluster,
        image: impl Into<AlbTaskImageOptions>,
        namespace: &PrivateDnsNamespace,
        name: impl Into<String>,
    ) -> Self {
        BackendFargateServiceProps {
            cluster,
            task_image_options: image.into(),
            namespace: *namespace,
            name: name.into(),
            size: FargateSize::default(),
            desired_count: None,
            circuit_breaker: None,
            deployment_strategy: DeploymentStrategy::rolling(),
            lifecycle_hooks: Vec::new(),
            deployment_alarms: None,
        }
    }
}

/// A service with no load balancer, found by other services through Cloud Map
/// (Copilot's "backend service"): `TaskDef`, `Service` and its Cloud Map service
/// `Service/CloudmapService` (A records). Nothing may reach it until allowed:
/// [`BackendFargateService::allow_from`] opens its container port to another
/// service's security group.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::ec2::{Vpc, VpcProps};
/// use berth_constructs::ecs::{Cluster, ClusterProps, ContainerImage};
/// use berth_constructs::patterns::*;
/// use berth_constructs::servicediscovery::{PrivateDnsNamespace, PrivateDnsNamespaceProps};
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Svc", StackProps::default())?;
/// let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default())?;
/// let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps { vpc: Some(vpc), ..Default::default() })?;
/// let ns = PrivateDnsNamespace::new(&mut app, stack, "Ns", &vpc, PrivateDnsNamespaceProps::new("svc.local"))?;
/// let image = || ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
/// let users = BackendFargateService::new(&mut app, stack, "Users",
///     BackendFargateServiceProps::new(cluster, image(), &ns, "users"))?;
/// let orders = BackendFargateService::new(&mut app, stack, "Orders",
///     BackendFargateServiceProps::new(cluster, image(), &ns, "orders"))?;
/// users.allow_from(&mut app, &orders.service())?;
/// let out = app.synth()?;
/// let n = out.stacks[0].template["Resources"].as_object().ok_or("not an object")?.values()
///     .filter(|r| r["Type"] == "AWS::ServiceDiscovery::Service").count();
/// assert_eq!(n, 2);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendFargateService {
    node: NodeId,
    task_definition: FargateTaskDefinition,
    container: ContainerDefinition,
    service: FargateService,
    cloud_map_service: servicediscovery::Service,
    port: u16,
}

impl Scope for BackendFargateService {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl BackendFargateService {
    /// Creates the pattern under `scope`.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        props: BackendFargateServiceProps,
    ) -> Result<BackendFargateService> {
        let node = app.add_group(scope, id)?;
        let task_definition = FargateTaskDefinition::new(
            app,
            node,
            "TaskDef",
            FargateTaskDefinitionProps {
                size: props.size,
                task_role: props.task_image_options.task_role,
                execution_role: props.task_image_options.execution_role,
                ..Default::default()
            },
        )?;
        let (name, port) = add_image_container(
            app,
            task_definition.task_definition(),
            props.task_image_options,
            id,
            None,
        )?;
        let container = task_definition.find_container(app, &name)?;
        let service = FargateService::new(
            app,
            node,
            "Service",
            FargateServiceProps {
                desired_count: props.desired_count,
                circuit_breaker: props.circuit_breaker,
                deployment_strategy: props.deployment_strategy,
                lifecycle_hooks: props.lifecycle_hooks,
                deployment_alarms: props.deployment_alarms,
                ..FargateServiceProps::new(props.cluster, task_definition)
            },
        )?;
        let cloud_map_service = service.enable_cloud_map(
            app,
            CloudMapOptions {
                dns_record_type: Some(DnsRecordType::A),
                ..CloudMapOptions::new(&props.namespace, props.name)
            },
        )?;
        Ok(BackendFargateService {
            node,
            task_definition,
            container,
            service,
            cloud_map_service,
            port,
        })
    }

    /// Opens the container port to `other` (e.g. another service).
    pub fn allow_from(&self, app: &mut App, other: &(impl Connectable + ?Sized)) -> Result<()> {
        let port = self.port;
        self.service.connections(app).allow_from(
            app,
            other,
            Port::tcp(port),
            &format!("to the backend on {port}"),
        )
    }

    /// The task definition (`TaskDef`).
    pub fn task_definition(&self) -> FargateTaskDefinition {
        self.task_definition
    }
    /// The service's container (named by the image options; `web` by default).
    pub fn container(&self) -> ContainerDefinition {
        self.container
    }
    /// The service.
    pub fn service(&self) -> FargateService {
        self.service
    }
    /// The Cloud Map service.
    pub fn cloud_map_service(&self) -> servicediscovery::Service {
        self.cloud_map_service
    }
    /// The port other services connect to.
    pub fn port(&self) -> u16 {
        self.port
    }
}
