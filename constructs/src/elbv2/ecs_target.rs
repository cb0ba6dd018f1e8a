//! An ECS service's container as a load balancer target. It only uses the public API
//! of [`crate::ecs`] (`add_load_balancer`, the task definition's containers and
//! network mode, the service's connections), so it can move next to the services.

use super::target_group::{LoadBalancerTarget, TargetAttachment, TargetGroupInfo};
use super::TargetType;
use crate::app::App;
use crate::ec2::{Connectable, Port};
use crate::ecs::{AlternateTarget, BaseService, LoadBalancerAttachment, NetworkMode, PortProtocol};
use crate::error::{ConstructError, Result};

/// A container port of an ECS service, to register in a target group (CDK's
/// `service.loadBalancerTarget({ containerName, containerPort })`).
///
/// Attaching it adds the group to the service's `LoadBalancers`, makes the service
/// depend on the listeners and rules that forward to the group when it attaches
/// (`Listener::add_targets` forwards first, then attaches), and answers:
/// target type `ip` in `awsvpc` mode (`instance` otherwise); the container port (the
/// host port in `host` mode; in `bridge` mode with a dynamic host port, the ingress
/// opened is the ephemeral range 32768-65535); the container's mapped ports as the
/// allowed health-check ports; the service's connections.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::ec2::{Vpc, VpcProps};
/// use berth_constructs::ecs::*;
/// use berth_constructs::elbv2::{
///     AddTargetsProps, ApplicationLoadBalancer, ApplicationLoadBalancerProps, EcsServiceTarget,
///     ListenerProps,
/// };
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
/// let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default())?;
/// let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps { vpc: Some(vpc), ..Default::default() })?;
/// let task = FargateTaskDefinition::new(&mut app, stack, "TaskDef", FargateTaskDefinitionProps::default())?;
/// task.add_container(&mut app, "web", ContainerDefinitionOptions {
///     port_mappings: vec![PortMapping::tcp(8080)],
///     ..ContainerDefinitionOptions::new(ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest"))
/// })?;
/// let service = FargateService::new(&mut app, stack, "Service", FargateServiceProps::new(cluster, task))?;
/// let lb = ApplicationLoadBalancer::new(&mut app, stack, "LB", &vpc,
///     ApplicationLoadBalancerProps { internet_facing: true, ..Default::default() })?;
/// let http = lb.add_listener(&mut app, "Http", ListenerProps::default())?;
/// let target = EcsServiceTarget::new(service.base(), "web", 8080);
/// http.add_targets(&mut app, "ECS", AddTargetsProps { targets: vec![&target], ..Default::default() })?;
/// let out = app.synth()?;
/// let res = &out.stacks[0].template["Resources"];
/// let svc = res.as_object().ok_or("not an object")?.values().find(|r| r["Type"] == "AWS::ECS::Service").ok_or("not found")?;
/// assert_eq!(svc["Properties"]["LoadBalancers"][0]["ContainerPort"], 8080);
/// assert_eq!(svc["DependsOn"][0], berth_synth::logical_id::make_unique_id(&["LB", "Http", "Resource"]).ok_or("an invalid construct id")?);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct EcsServiceTarget {
    /// The service.
    pub service: BaseService,
    /// The container that receives the traffic.
    pub container_name: String,
    /// Its container port (one of its port mappings).
    pub container_port: u16,
    /// Where blue/green, linear and canary deployments put the new revision.
    /// Default: none.
    pub alternate_target: Option<AlternateTarget>,
}

impl EcsServiceTarget {
    /// The container `container_name` of `service`, on `container_port`.
    pub fn new(
        service: BaseService,
        container_name: impl Into<String>,
        container_port: u16,
    ) -> EcsServiceTarget {
        EcsServiceTarget {
            service,
            container_name: container_name.into(),
            container_port,
            alternate_target: None,
        }
    }

    /// The same target with an alternate target group for blue/green, linear and
    /// canary deployments (CDK's `loadBalancerTarget({alternateTarget})`).
    pub fn with_alternate_target(mut self, alternate: AlternateTarget) -> EcsServiceTarget {
        self.alternate_target = Some(alternate);
        self
    }
}

impl LoadBalancerTarget for EcsServiceTarget {
    fn attach_to_target_group(
        &self,
        app: &mut App,
        target_group: &TargetGroupInfo,
    ) -> Result<TargetAttachment> {
        let path = app.path(self.service);
        let task = self.service.task_definition();
        let container = task
            .find_container(app, &self.container_name)
            .map_err(|_| {
                let names: Vec<String> = task
                    .containers(app)
                    .iter()
                    .map(|c| c.container_name(app))
                    .collect();
                ConstructError::invalid(
                    path.clone(),
                    "container_name",
                    format!(
                        "the task definition has no container \"{}\"; containers: {}",
                        self.container_name,
                        names.join(", ")
                    ),
                )
            })?;
        let mappings = container.port_mappings(app);
        let Some(mapping) = mappings
            .iter()
            .find(|m| m.container_port == self.container_port)
        else {
            let ports: Vec<String> = mappings
                .iter()
                .map(|m| m.container_port.to_string())
                .collect();
            return Err(ConstructError::invalid(
                path,
                "container_port",
                format!(
                    "container \"{}\" does not map port {}; mapped ports: {}",
                    self.container_name,
                    self.container_port,
                    if ports.is_empty() {
                        "none".to_owned()
                    } else {
                        ports.join(", ")
                    }
                ),
            ));
        };
        let udp = mapping.protocol == PortProtocol::Udp;
        let tcp_or_udp = |p: u16| if udp { Port::udp(p) } else { Port::tcp(p) };
        let mut dynamic = false;
        let (target_type, port, ingress) = match task.network_mode(app) {
            NetworkMode::AwsVpc => (
                TargetType::Ip,
                self.container_port,
                tcp_or_udp(self.container_port),
            ),
            NetworkMode::Host => {
                let p = mapping.host_port.unwrap_or(self.container_port);
                (TargetType::Instance, p, tcp_or_udp(p))
            }
            NetworkMode::Bridge => match mapping.host_port {
                Some(p) if p != 0 => (TargetType::Instance, p, tcp_or_udp(p)),
                _ => {
                    dynamic = true;
                    (
                    TargetType::Instance,
                    self.container_port,
                    if udp {
                        Port::udp_range(32768, 65535)
                    } else {
                        Port::tcp_range(32768, 65535)
                    },
                )
                }
            },
            NetworkMode::None => {
                return Err(ConstructError::invalid(
                    path,
                    "network_mode",
                    "a task definition with network mode none cannot receive traffic from a load balancer",
                ))
            }
        };
        self.service.add_load_balancer(
            app,
            LoadBalancerAttachment {
                target_group_arn: target_group.target_group_arn.clone(),
                container_name: self.container_name.clone(),
                container_port: self.container_port,
                alternate_target: self.alternate_target.clone(),
            },
        )?;
        // As CDK: the service waits until the group is attached to a load balancer.
        for dep in &target_group.dependencies {
            app.add_dependency(self.service.cfn(), *dep);
        }
        let health_check_ports = if target_type == TargetType::Ip {
            mappings.iter().map(|m| m.container_port).collect()
        } else {
            vec![port]
        };
        Ok(TargetAttachment {
            target_type,
            port,
            health_check_ports,
            connections: Some(self.service.connections(app)),
            ingress_port: Some(ingress),
            registrations: Vec::new(),
            dynamic_host_ports: dynamic,
        })
    }
}
