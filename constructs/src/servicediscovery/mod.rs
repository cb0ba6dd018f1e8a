//! AWS Cloud Map: [`PrivateDnsNamespace`] (a private Route 53 zone in a VPC) and
//! [`Service`] (DNS records for the tasks of a container service), with
//! [`Service::registry`], which returns what an ECS service's `ServiceRegistries`
//! entry needs.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use berth_constructs::ec2::{Vpc, VpcProps};
//! use berth_constructs::servicediscovery::{DnsRecordType, PrivateDnsNamespace, PrivateDnsNamespaceProps, ServiceProps};
//! use berth_constructs::{App, Stack, StackProps};
//!
//! let mut app = App::new();
//! let stack = Stack::new(&mut app, "Net", StackProps::default())?;
//! let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default())?;
//! let ns = PrivateDnsNamespace::new(&mut app, stack, "Namespace", &vpc,
//!     PrivateDnsNamespaceProps::new("svc.local"))?;
//! let api = ns.create_service(&mut app, "Api", ServiceProps::new("api"))?;
//! let registry = api.registry(&app, None)?;
//! assert!(registry.container_name.is_none());
//! let out = app.synth()?;
//! let res = &out.stacks[0].template["Resources"];
//! let api_id = berth_synth::logical_id::make_unique_id(&["Namespace", "Api", "Resource"]).ok_or("an invalid construct id")?;
//! assert_eq!(res[&api_id]["Properties"]["DnsConfig"]["DnsRecords"][0]["Type"], "A");
//! # Ok(())
//! # }
//! ```

use crate::app::{App, Group, NodeId, Scope};
use crate::ec2::Vpc;
use crate::error::{ConstructError, Result};
use berth_synth::cfn::servicediscovery::{service, CfnPrivateDnsNamespace, CfnService};
use berth_synth::resource::ResourceRef;
use berth_synth::{Expr, Token, Value};

#[cfg(test)]
mod tests;

fn check_name(path: &str, property: &str, name: &str) -> Result<()> {
    if name.is_empty() || name.len() > 253 || name.chars().any(char::is_whitespace) {
        return Err(ConstructError::invalid(
            path,
            property,
            format!(
                "invalid name \"{name}\": give 1 to 253 characters without spaces, e.g. svc.local"
            ),
        ));
    }
    Ok(())
}

props! {
    /// Options of a [`PrivateDnsNamespace`].
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct PrivateDnsNamespaceProps {
        /// The domain, e.g. `svc.local` (required).
        pub name: String,
        /// A description. Default: none.
        pub description: Option<String>,
    }
}

impl PrivateDnsNamespaceProps {
    /// A namespace named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        PrivateDnsNamespaceProps {
            name: name.into(),
            description: None,
        }
    }
}

/// A private DNS namespace, visible in one VPC. Its L1 child is `Resource`
/// (`AWS::ServiceDiscovery::PrivateDnsNamespace`).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::ec2::{Vpc, VpcProps};
/// use berth_constructs::servicediscovery::{PrivateDnsNamespace, PrivateDnsNamespaceProps};
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Net", StackProps::default())?;
/// let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default())?;
/// let ns = PrivateDnsNamespace::new(&mut app, stack, "Namespace", &vpc,
///     PrivateDnsNamespaceProps::new("svc.local"))?;
/// assert_eq!(app.resolve(ns.namespace_name()), "svc.local".into());
/// let out = app.synth()?;
/// let p = &out.stacks[0].template["Resources"]["Namespace9B63B8C8"]["Properties"];
/// assert_eq!(p["Name"], "svc.local");
/// assert_eq!(p["Vpc"]["Ref"], "Vpc8378EB38");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrivateDnsNamespace {
    node: NodeId,
    resource: ResourceRef<CfnPrivateDnsNamespace>,
}

impl Scope for PrivateDnsNamespace {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl PrivateDnsNamespace {
    /// Creates a namespace in `vpc`, under `scope`.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        vpc: &Vpc,
        props: PrivateDnsNamespaceProps,
    ) -> Result<PrivateDnsNamespace> {
        let path = format!("{}/{id}", app.path(&scope));
        check_name(&path, "name", &props.name)?;
        let node = app.add_construct(scope, id, Group)?;
        let resource = app.add_resource(
            node,
            "Resource",
            CfnPrivateDnsNamespace {
                description: props.description.map(Into::into),
                name: Some(props.name.clone().into()),
                vpc: Some(vpc.vpc_id().into()),
                ..Default::default()
            },
        )?;
        app.set_attribute(node, "Name", props.name);
        Ok(PrivateDnsNamespace { node, resource })
    }

    /// The namespace id (`Fn::GetAtt Id`).
    pub fn namespace_id(&self) -> Token<String> {
        self.resource.attr_id()
    }

    /// The namespace ARN (`Fn::GetAtt Arn`).
    pub fn namespace_arn(&self) -> Token<String> {
        self.resource.attr_arn()
    }

    /// The domain name (resolves to the name given).
    pub fn namespace_name(&self) -> Token<String> {
        Token::get_att(self.node, "Name")
    }

    /// The Route 53 hosted zone (`Fn::GetAtt HostedZoneId`).
    pub fn hosted_zone_id(&self) -> Token<String> {
        self.resource.attr_hosted_zone_id()
    }

    /// The L1 namespace, for escape hatches.
    pub fn cfn(&self) -> ResourceRef<CfnPrivateDnsNamespace> {
        self.resource
    }

    /// Creates a service `id` in this namespace, under the namespace (as CDK's
    /// `createService`).
    pub fn create_service(&self, app: &mut App, id: &str, props: ServiceProps) -> Result<Service> {
        Service::new(app, self.node, id, self, props)
    }
}

/// The DNS records of a Cloud Map service.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DnsRecordType {
    /// An A record per task: tasks in `awsvpc` mode (Fargate) have their own IP.
    #[default]
    A,
    /// An AAAA record per task.
    Aaaa,
    /// A and AAAA records.
    AAndAaaa,
    /// An SRV record per task, with its port: tasks in `bridge`/`host` mode. The ECS
    /// service must name a container and port ([`Service::registry`]).
    Srv,
}

/// How Route 53 answers when there are several records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum RoutingPolicy {
    /// Up to eight healthy records, at random.
    #[default]
    Multivalue,
    /// One record, at random (weighted equally).
    Weighted,
}

props! {
    /// Options of a [`Service`].
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct ServiceProps {
        /// The service's name: tasks are found at `<name>.<namespace>` (required).
        pub name: String,
        /// The records. Default: A.
        pub dns_record_type: DnsRecordType,
        /// The records' TTL in seconds. Default: 60 (as CDK).
        pub dns_ttl_seconds: u32,
        /// The routing policy. Default: multivalue.
        pub routing_policy: RoutingPolicy,
        /// Let the registering service (ECS) report health, and deregister a task after
        /// this many failed checks (`HealthCheckCustomConfig.FailureThreshold`; CDK's ECS
        /// services use 1). Default: none (no custom health check).
        pub custom_health_check_failure_threshold: Option<u32>,
        /// A description. Default: none.
        pub description: Option<String>,
    }
}

impl ServiceProps {
    /// A service named `name` with A records, TTL 60 and multivalue routing.
    pub fn new(name: impl Into<String>) -> Self {
        ServiceProps {
            name: name.into(),
            dns_record_type: DnsRecordType::A,
            dns_ttl_seconds: 60,
            routing_policy: RoutingPolicy::Multivalue,
            custom_health_check_failure_threshold: None,
            description: None,
        }
    }
}

/// What an ECS service's `ServiceRegistries` entry needs.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceRegistry {
    /// The Cloud Map service's ARN (`RegistryArn`).
    pub registry_arn: Value,
    /// The container whose port the SRV records carry (`ContainerName`).
    pub container_name: Option<String>,
    /// That port (`ContainerPort`).
    pub container_port: Option<u16>,
}

/// A Cloud Map service with DNS records. Its L1 child is `Resource`
/// (`AWS::ServiceDiscovery::Service`).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::ec2::{Vpc, VpcProps};
/// use berth_constructs::servicediscovery::{
///     DnsRecordType, PrivateDnsNamespace, PrivateDnsNamespaceProps, Service, ServiceProps,
/// };
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Net", StackProps::default())?;
/// let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default())?;
/// let ns = PrivateDnsNamespace::new(&mut app, stack, "Namespace", &vpc,
///     PrivateDnsNamespaceProps::new("svc.local"))?;
/// let worker = Service::new(&mut app, stack, "Worker", &ns, ServiceProps {
///     dns_record_type: DnsRecordType::Srv,
///     custom_health_check_failure_threshold: Some(1),
///     ..ServiceProps::new("worker")
/// })?;
/// let r = worker.registry(&app, Some(("app", 8080)))?;
/// assert_eq!(r.container_port, Some(8080));
/// let out = app.synth()?;
/// let id = berth_synth::logical_id::make_unique_id(&["Worker", "Resource"]).ok_or("an invalid construct id")?;
/// let p = &out.stacks[0].template["Resources"][&id]["Properties"];
/// assert_eq!(p["DnsConfig"]["DnsRecords"][0]["Type"], "SRV");
/// assert_eq!(p["HealthCheckCustomConfig"]["FailureThreshold"], 1.0);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Service {
    node: NodeId,
    resource: ResourceRef<CfnService>,
    record_type: DnsRecordType,
}

impl Scope for Service {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl Service {
    /// Creates a service in `namespace`, under `scope`.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        namespace: &PrivateDnsNamespace,
        props: ServiceProps,
    ) -> Result<Service> {
        let path = format!("{}/{id}", app.path(&scope));
        check_name(&path, "name", &props.name)?;
        if props.dns_ttl_seconds > 2_147_483_647 {
            return Err(ConstructError::invalid(
                path,
                "dns_ttl_seconds",
                "the TTL is out of range; allowed: 0 to 2147483647 seconds",
            ));
        }
        if let Some(t) = props.custom_health_check_failure_threshold {
            if !(1..=10).contains(&t) {
                return Err(ConstructError::invalid(
                    path,
                    "custom_health_check_failure_threshold",
                    format!("failure threshold {t} is out of range; allowed: 1 to 10"),
                ));
            }
        }
        let ttl = props.dns_ttl_seconds as f64;
        let record = |t: service::Type| service::DnsRecord {
            ttl: Some(ttl.into()),
            type_: Some(t.into()),
        };
        let records = match props.dns_record_type {
            DnsRecordType::A => vec![record(service::Type::A)],
            DnsRecordType::Aaaa => vec![record(service::Type::Aaaa)],
            DnsRecordType::AAndAaaa => {
                vec![record(service::Type::A), record(service::Type::Aaaa)]
            }
            DnsRecordType::Srv => vec![record(service::Type::Srv)],
        };
        let namespace_id: Expr<String> = namespace.namespace_id().into();
        let node = app.add_construct(scope, id, Group)?;
        let resource = app.add_resource(
            node,
            "Resource",
            CfnService {
                description: props.description.map(Into::into),
                dns_config: Some(Expr::Lit(service::DnsConfig {
                    dns_records: Some(Expr::Lit(records)),
                    namespace_id: Some(namespace_id.clone()),
                    routing_policy: Some(
                        match props.routing_policy {
                            RoutingPolicy::Multivalue => service::RoutingPolicy::Multivalue,
                            RoutingPolicy::Weighted => service::RoutingPolicy::Weighted,
                        }
                        .into(),
                    ),
                })),
                health_check_custom_config: props.custom_health_check_failure_threshold.map(|t| {
                    Expr::Lit(service::HealthCheckCustomConfig {
                        failure_threshold: Some((t as f64).into()),
                    })
                }),
                name: Some(props.name.clone().into()),
                namespace_id: Some(namespace_id),
                ..Default::default()
            },
        )?;
        app.set_attribute(node, "Name", props.name);
        Ok(Service {
            node,
            resource,
            record_type: props.dns_record_type,
        })
    }

    /// The service's ARN (`Fn::GetAtt Arn`).
    pub fn service_arn(&self) -> Token<String> {
        self.resource.attr_arn()
    }

    /// The service's id (`Fn::GetAtt Id`).
    pub fn service_id(&self) -> Token<String> {
        self.resource.attr_id()
    }

    /// The service's name (resolves to the name given).
    pub fn service_name(&self) -> Token<String> {
        Token::get_att(self.node, "Name")
    }

    /// The record type.
    pub fn dns_record_type(&self) -> DnsRecordType {
        self.record_type
    }

    /// The L1 service, for escape hatches.
    pub fn cfn(&self) -> ResourceRef<CfnService> {
        self.resource
    }

    /// What a container service registers with: the ARN, plus, for SRV records, the
    /// container name and port (required then, and refused for A/AAAA records, which
    /// carry no port).
    pub fn registry(&self, app: &App, container: Option<(&str, u16)>) -> Result<ServiceRegistry> {
        let arn = Value::from(self.service_arn());
        match (self.record_type, container) {
            (DnsRecordType::Srv, Some((name, port))) => Ok(ServiceRegistry {
                registry_arn: arn,
                container_name: Some(name.to_owned()),
                container_port: Some(port),
            }),
            (DnsRecordType::Srv, None) => Err(ConstructError::invalid(
                app.path(self.node),
                "container",
                "SRV records carry a port: give the container name and port to register",
            )),
            (_, Some((name, port))) => Err(ConstructError::invalid(
                app.path(self.node),
                "container",
                format!("A and AAAA records carry no port, so container {name}:{port} cannot be given; use SRV records, or leave the container out"),
            )),
            (_, None) => Ok(ServiceRegistry {
                registry_arn: arn,
                container_name: None,
                container_port: None,
            }),
        }
    }
}

/// The entry an ECS service's `ServiceRegistries` takes:
/// `service.add_service_registry(&mut app, cloud_map.registry(&app, None)?.into())`.
impl From<ServiceRegistry> for crate::ecs::ServiceRegistryAttachment {
    fn from(r: ServiceRegistry) -> Self {
        crate::ecs::ServiceRegistryAttachment {
            registry_arn: r.registry_arn,
            container_name: r.container_name,
            container_port: r.container_port,
            port: None,
        }
    }
}
