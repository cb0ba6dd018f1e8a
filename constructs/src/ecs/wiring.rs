//! Service-side wiring (CDK's `BaseService` methods): load balancer targets
//! ([`BaseService::load_balancer_target`], [`BaseService::register_load_balancer_targets`]),
//! Cloud Map ([`BaseService::enable_cloud_map`]) and auto scaling
//! ([`BaseService::auto_scale_task_count`]). [`super::FargateService`] and
//! [`super::Ec2Service`] dereference to [`BaseService`], so these work on both.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use berth_constructs::ec2::{Vpc, VpcProps};
//! use berth_constructs::ecs::*;
//! use berth_constructs::elbv2::{ApplicationLoadBalancer, ApplicationLoadBalancerProps, ListenerProps};
//! use berth_constructs::servicediscovery::{PrivateDnsNamespace, PrivateDnsNamespaceProps};
//! use berth_constructs::appscaling::UtilizationScalingProps;
//! use berth_constructs::{App, Stack, StackProps};
//!
//! let mut app = App::new();
//! let stack = Stack::new(&mut app, "Web", StackProps::default())?;
//! let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default())?;
//! let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps { vpc: Some(vpc), ..Default::default() })?;
//! let task = FargateTaskDefinition::new(&mut app, stack, "TaskDef", FargateTaskDefinitionProps::default())?;
//! task.add_container(&mut app, "web", ContainerDefinitionOptions {
//!     port_mappings: vec![PortMapping::tcp(8080)],
//!     ..ContainerDefinitionOptions::new(ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest"))
//! })?;
//! let service = FargateService::new(&mut app, stack, "Service", FargateServiceProps::new(cluster, task))?;
//! let lb = ApplicationLoadBalancer::new(&mut app, stack, "LB", &vpc,
//!     ApplicationLoadBalancerProps { internet_facing: true, ..Default::default() })?;
//! let listener = lb.add_listener(&mut app, "Http", ListenerProps::default())?;
//! let groups = service.register_load_balancer_targets(&mut app, vec![
//!     EcsTarget::new("web", 8080, "ECS", listener),
//! ])?;
//! assert_eq!(groups.len(), 1);
//! let ns = PrivateDnsNamespace::new(&mut app, stack, "Ns", &vpc, PrivateDnsNamespaceProps::new("svc.local"))?;
//! service.enable_cloud_map(&mut app, CloudMapOptions::new(&ns, "web"))?;
//! let count = service.auto_scale_task_count(&mut app, 2, 10)?;
//! count.scale_on_cpu_utilization(&mut app, "Cpu", UtilizationScalingProps {
//!     target_utilization_percent: 60.0, ..Default::default()
//! })?;
//! let out = app.synth()?;
//! let svc = &out.stacks[0].template["Resources"]["ServiceD69D759B"]["Properties"];
//! assert_eq!(svc["LoadBalancers"][0]["ContainerPort"], 8080);
//! assert_eq!(svc["ServiceRegistries"].as_array().ok_or("not an array")?.len(), 1);
//! # Ok(())
//! # }
//! ```

use super::service::BaseService;
use super::task_definition::NetworkMode;
use crate::app::App;
use crate::appscaling::{ScalableTaskCount, ScalableTaskCountProps};
use crate::elbv2::{
    AddTargetsProps, EcsServiceTarget, HealthCheck, Listener, ListenerCondition, Protocol,
    TargetGroup,
};
use crate::error::{ConstructError, Result};
use crate::servicediscovery::{self, DnsRecordType, PrivateDnsNamespace, ServiceProps};

props! {
    /// One registration for [`BaseService::register_load_balancer_targets`] (CDK's
    /// `EcsTarget`): a container port of the service, put behind `listener` through a new
    /// target group `<new_target_group_id>Group` under the listener.
    #[derive(Clone, Debug, PartialEq)]
    pub struct EcsTarget {
        /// The container receiving the traffic.
        pub container_name: String,
        /// Its container port (one of its port mappings).
        pub container_port: u16,
        /// The id of the forward (`<id>Group` is the target group's id).
        pub new_target_group_id: String,
        /// The listener to add the target group to.
        pub listener: Listener,
        /// The target group's protocol. Default: HTTP on an ALB, the listener's protocol
        /// on an NLB.
        pub protocol: Option<Protocol>,
        /// The health check. Default: AWS defaults on the traffic port.
        pub health_check: HealthCheck,
        /// Put the forward in a rule with this priority. Default: the default action.
        pub priority: Option<u32>,
        /// The rule's conditions (with a priority). Default: none.
        pub conditions: Vec<ListenerCondition>,
        /// Seconds to drain a deregistered task. Default: not set (300).
        pub deregistration_delay_seconds: Option<u32>,
    }
}

impl EcsTarget {
    /// `container_name:container_port` behind `listener`, in a new target group
    /// `<new_target_group_id>Group`, with the defaults.
    pub fn new(
        container_name: impl Into<String>,
        container_port: u16,
        new_target_group_id: impl Into<String>,
        listener: Listener,
    ) -> EcsTarget {
        EcsTarget {
            container_name: container_name.into(),
            container_port,
            new_target_group_id: new_target_group_id.into(),
            listener,
            protocol: None,
            health_check: HealthCheck::default(),
            priority: None,
            conditions: Vec::new(),
            deregistration_delay_seconds: None,
        }
    }
}

props! {
    /// Options of [`BaseService::enable_cloud_map`] (CDK's `CloudMapOptions`).
    #[derive(Clone, Debug, PartialEq)]
    pub struct CloudMapOptions {
        /// The namespace (required: berth's cluster default namespace is only an ARN).
        pub namespace: PrivateDnsNamespace,
        /// The Cloud Map service name: tasks are found at `<name>.<namespace>`.
        pub name: String,
        /// The records. Default: A in `awsvpc` mode, SRV otherwise (as CDK).
        pub dns_record_type: Option<DnsRecordType>,
        /// The records' TTL. Default: 60 seconds.
        pub dns_ttl_seconds: u32,
        /// Failed ECS health checks before a task is deregistered. Default: 1 (as CDK).
        pub failure_threshold: u32,
        /// The container and port of SRV records. Default: the default container and its
        /// first port mapping.
        pub container: Option<(String, u16)>,
    }
}

impl CloudMapOptions {
    /// Registers as `name` in `namespace`, with the defaults.
    pub fn new(namespace: &PrivateDnsNamespace, name: impl Into<String>) -> CloudMapOptions {
        CloudMapOptions {
            namespace: *namespace,
            name: name.into(),
            dns_record_type: None,
            dns_ttl_seconds: 60,
            failure_threshold: 1,
            container: None,
        }
    }
}

impl BaseService {
    /// The target of a load balancer for `container_name:container_port` of this
    /// service (an [`EcsServiceTarget`], for `listener.add_targets`).
    pub fn load_balancer_target(
        &self,
        container_name: impl Into<String>,
        container_port: u16,
    ) -> EcsServiceTarget {
        EcsServiceTarget::new(*self, container_name, container_port)
    }

    /// Puts container ports of this service behind listeners: one new target group
    /// each (through `listener.add_targets`, which opens exactly that port from the
    /// load balancer's security group). Returns the target groups, in order.
    pub fn register_load_balancer_targets(
        &self,
        app: &mut App,
        targets: Vec<EcsTarget>,
    ) -> Result<Vec<TargetGroup>> {
        let mut groups = Vec::with_capacity(targets.len());
        for t in targets {
            let target = self.load_balancer_target(t.container_name, t.container_port);
            let tg = t.listener.add_targets(
                app,
                &t.new_target_group_id,
                AddTargetsProps {
                    targets: vec![&target],
                    protocol: t.protocol,
                    health_check: t.health_check,
                    priority: t.priority,
                    conditions: t.conditions,
                    deregistration_delay_seconds: t.deregistration_delay_seconds,
                    ..Default::default()
                },
            )?;
            groups.push(tg);
        }
        Ok(groups)
    }

    /// Registers the service's tasks in Cloud Map: a Cloud Map service
    /// `CloudmapService` under the service (CDK's id) with a custom health check,
    /// added to the service's `ServiceRegistries`. SRV records carry the container
    /// and port (default: the default container's first port mapping).
    pub fn enable_cloud_map(
        &self,
        app: &mut App,
        options: CloudMapOptions,
    ) -> Result<servicediscovery::Service> {
        let task = self.task_definition();
        let awsvpc = task.network_mode(app) == NetworkMode::AwsVpc;
        let record_type = options.dns_record_type.unwrap_or(if awsvpc {
            DnsRecordType::A
        } else {
            DnsRecordType::Srv
        });
        let container = if record_type == DnsRecordType::Srv {
            match options.container {
                Some(c) => Some(c),
                None => {
                    let c = task.default_container(app).ok_or_else(|| {
                        ConstructError::invalid(
                            app.path(*self),
                            "container",
                            "SRV records need a container port, and the task has no essential container",
                        )
                    })?;
                    let port = c.port_mappings(app).first().map(|p| p.container_port).ok_or_else(|| {
                        ConstructError::invalid(
                            app.path(*self),
                            "container",
                            format!("SRV records need a container port, and container {} maps none; give CloudMapOptions::container", c.container_name(app)),
                        )
                    })?;
                    Some((c.container_name(app), port))
                }
            }
        } else {
            options.container
        };
        let cloud_map = servicediscovery::Service::new(
            app,
            *self,
            "CloudmapService",
            &options.namespace,
            ServiceProps {
                dns_record_type: record_type,
                dns_ttl_seconds: options.dns_ttl_seconds,
                custom_health_check_failure_threshold: Some(options.failure_threshold),
                ..ServiceProps::new(options.name)
            },
        )?;
        let registry =
            cloud_map.registry(app, container.as_ref().map(|(n, p)| (n.as_str(), *p)))?;
        self.add_service_registry(app, registry.into())?;
        Ok(cloud_map)
    }

    /// The service's desired count as a scalable target between `min_capacity` and
    /// `max_capacity` (checked): a [`ScalableTaskCount`] `TaskCount` under the
    /// service (CDK's id), to add scaling policies to.
    pub fn auto_scale_task_count(
        &self,
        app: &mut App,
        min_capacity: u32,
        max_capacity: u32,
    ) -> Result<ScalableTaskCount> {
        let props = ScalableTaskCountProps {
            cluster_name: self.cluster_name().into(),
            service_name: self.service_name().into(),
            min_capacity,
            max_capacity,
            role_arn: None,
        };
        ScalableTaskCount::new(app, *self, "TaskCount", props)
    }
}
