//! Service Connect (CDK's `serviceConnectConfiguration`): a service joins a Cloud Map
//! namespace through the ECS-managed proxy, and may publish named port mappings of its
//! task as endpoints other services in the namespace connect to by short name.
//! [`BaseService::enable_service_connect`] (or `service_connect` in the service props)
//! turns it on; the configuration is rendered at synth, so containers and port mappings
//! added later count, and checked there (`BERTH-E0311`).
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use berth_constructs::ec2::{Vpc, VpcProps};
//! use berth_constructs::ecs::*;
//! use berth_constructs::servicediscovery::{PrivateDnsNamespace, PrivateDnsNamespaceProps};
//! use berth_constructs::{App, Stack, StackProps};
//!
//! let mut app = App::new();
//! let stack = Stack::new(&mut app, "Shop", StackProps::default())?;
//! let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default())?;
//! let ns = PrivateDnsNamespace::new(&mut app, stack, "Namespace", &vpc,
//!     PrivateDnsNamespaceProps::new("shop.local"))?;
//! let default_namespace = CloudMapNamespaceOptions::from(ns).use_for_service_connect(true);
//! let cluster_props = ClusterProps::default().vpc(vpc).default_cloud_map_namespace(default_namespace);
//! let cluster = Cluster::new(&mut app, stack, "Cluster", cluster_props)?;
//! let task = FargateTaskDefinition::new(&mut app, stack, "ApiTask", FargateTaskDefinitionProps::default())?;
//! let nginx = ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
//! let api = ContainerDefinitionOptions::new(nginx).port_mappings([PortMapping::tcp(8080).named("http")]);
//! task.add_container(&mut app, "api", api)?;
//! // The API is reachable in the namespace as api:80 (the proxy forwards to 8080).
//! let http = ServiceConnectService::new("http")
//!     .discovery_name("api")
//!     .client_alias(ServiceConnectClientAlias { port: 80, dns_name: Some("api".into()) });
//! let props = FargateServiceProps::new(cluster, task)
//!     .service_connect(ServiceConnectProps::default().services([http]));
//! FargateService::new(&mut app, stack, "Api", props)?;
//! let out = app.synth()?;
//! let id = |path: &[&str]| berth_synth::logical_id::make_unique_id(path).unwrap_or_default();
//! let service = &out.stacks[0].template["Resources"][id(&["Api", "Service"])];
//! let sc = &service["Properties"]["ServiceConnectConfiguration"];
//! assert_eq!(sc["Enabled"], true);
//! // Referenced by ARN, so CloudFormation creates the namespace first.
//! assert_eq!(sc["Namespace"], serde_json::json!({"Fn::GetAtt": [id(&["Namespace", "Resource"]), "Arn"]}));
//! assert_eq!(sc["Services"][0], serde_json::json!({
//!     "ClientAliases": [{"DnsName": "api", "Port": 80}],
//!     "DiscoveryName": "api",
//!     "PortName": "http",
//! }));
//! # Ok(())
//! # }
//! ```

use super::container::{check_log_driver, port_label, render_log_driver, LogDriver};
use super::service::{BaseService, ServiceState};
use super::task_definition::TaskDefinition;
use crate::app::{App, Scope};
use crate::error::{ConstructError, Result};
use crate::iam::value_expr;
use crate::servicediscovery::PrivateDnsNamespace;
use berth_synth::cfn::ecs::service as sv;
use berth_synth::{Diagnostic, Expr, Value};

/// The Cloud Map namespace of a service's Service Connect configuration.
#[derive(Clone, Debug, PartialEq)]
pub enum ServiceConnectNamespace {
    /// A namespace of this app: rendered as its ARN (`Fn::GetAtt`), so CloudFormation
    /// creates the namespace before the service.
    Namespace(PrivateDnsNamespace),
    /// A namespace by name or ARN (a literal or a token). A namespace created by this
    /// app should be given as [`ServiceConnectNamespace::Namespace`] or by its ARN
    /// token: a literal name carries no dependency.
    NameOrArn(Value),
}

impl From<&PrivateDnsNamespace> for ServiceConnectNamespace {
    fn from(ns: &PrivateDnsNamespace) -> Self {
        ServiceConnectNamespace::Namespace(*ns)
    }
}

impl From<PrivateDnsNamespace> for ServiceConnectNamespace {
    fn from(ns: PrivateDnsNamespace) -> Self {
        ServiceConnectNamespace::Namespace(ns)
    }
}

impl From<&str> for ServiceConnectNamespace {
    fn from(name_or_arn: &str) -> Self {
        ServiceConnectNamespace::NameOrArn(name_or_arn.into())
    }
}

impl From<String> for ServiceConnectNamespace {
    fn from(name_or_arn: String) -> Self {
        ServiceConnectNamespace::NameOrArn(name_or_arn.into())
    }
}

impl From<Value> for ServiceConnectNamespace {
    fn from(name_or_arn: Value) -> Self {
        ServiceConnectNamespace::NameOrArn(name_or_arn)
    }
}

props! {
    /// The endpoint clients in the namespace use to reach a Service Connect service
    /// (`ClientAliases[0]`).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct ServiceConnectClientAlias {
        /// The port clients connect to (the proxy forwards it to the container port).
        /// Required, 1 to 65535.
        pub port: u16,
        /// The name clients connect to. Default: not rendered (ECS uses
        /// `<discovery name>.<namespace>`).
        pub dns_name: Option<String>,
    }
}

props! {
    /// One endpoint a service publishes through Service Connect: a named port mapping of
    /// its task (CDK's `ServiceConnectService`).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct ServiceConnectService {
        /// The name of a port mapping of the task definition ([`super::PortMapping::named`];
        /// checked at synth). Required.
        pub port_mapping_name: String,
        /// The Cloud Map service name; unique within the service (checked at synth).
        /// Default: the port mapping name.
        pub discovery_name: Option<String>,
        /// The endpoint clients use. Default: the mapping's container port, with ECS's
        /// default name (as CDK).
        pub client_alias: Option<ServiceConnectClientAlias>,
        /// The port the proxy listens on for traffic into the task, 1 to 65535. Default:
        /// not rendered (ECS picks it).
        pub ingress_port_override: Option<u16>,
        /// Seconds an idle connection stays open (0 turns the timeout off). Default: not
        /// rendered (ECS: 5 minutes for HTTP, 1 hour for TCP).
        pub idle_timeout_secs: Option<u32>,
        /// Seconds to wait for each complete response (0 turns it off; HTTP, HTTP/2 and
        /// gRPC only). Default: not rendered.
        pub per_request_timeout_secs: Option<u32>,
    }
}

impl ServiceConnectService {
    /// Publishes the port mapping `port_mapping_name` under its own name, on its
    /// container port.
    pub fn new(port_mapping_name: impl Into<String>) -> Self {
        ServiceConnectService {
            port_mapping_name: port_mapping_name.into(),
            discovery_name: None,
            client_alias: None,
            ingress_port_override: None,
            idle_timeout_secs: None,
            per_request_timeout_secs: None,
        }
    }

    fn effective_discovery_name(&self) -> &str {
        self.discovery_name
            .as_deref()
            .unwrap_or(&self.port_mapping_name)
    }
}

props! {
    /// Options of [`BaseService::enable_service_connect`] (CDK's `ServiceConnectProps`).
    /// The default is a client-only service in the cluster's default namespace.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct ServiceConnectProps {
        /// The namespace. Default: the cluster's default Cloud Map namespace
        /// ([`super::ClusterProps::default_cloud_map_namespace`], by ARN); without one,
        /// synth fails.
        pub namespace: Option<ServiceConnectNamespace>,
        /// The endpoints the service publishes. Default: none (a client service, which
        /// only connects to others).
        pub services: Vec<ServiceConnectService>,
        /// Where the Service Connect proxy logs go (e.g. `awslogs`: a log group
        /// `LogGroup` under the service unless one is given; the task's execution role may
        /// write to it). Default: none.
        pub log_driver: Option<LogDriver>,
    }
}

/// What a service keeps of its Service Connect configuration until synth.
#[derive(Debug)]
pub(crate) struct ServiceConnectState {
    /// The namespace's name or ARN; `None` when neither the props nor the cluster
    /// give one (an error at synth).
    namespace: Option<Value>,
    services: Vec<ServiceConnectService>,
    log_configuration: Option<sv::LogConfiguration>,
}

impl ServiceConnectState {
    /// The L1 configuration; default client aliases take the container port of their
    /// port mapping (a mapping that is missing is reported by [`Self::validate`]).
    pub(crate) fn render(
        &self,
        app: &App,
        task: TaskDefinition,
    ) -> sv::ServiceConnectConfiguration {
        let services = self
            .services
            .iter()
            .map(|s| {
                let alias = match &s.client_alias {
                    Some(a) => Some((a.port, a.dns_name.clone())),
                    None => task
                        .find_port_mapping_by_name(app, &s.port_mapping_name)
                        .ok()
                        .map(|(_, p)| (p.container_port, None)),
                };
                let timeout = (s.idle_timeout_secs.is_some()
                    || s.per_request_timeout_secs.is_some())
                .then(|| {
                    sv::TimeoutConfiguration {
                        idle_timeout_seconds: s.idle_timeout_secs.map(|t| i64::from(t).into()),
                        per_request_timeout_seconds: s
                            .per_request_timeout_secs
                            .map(|t| i64::from(t).into()),
                    }
                    .into()
                });
                sv::ServiceConnectService {
                    client_aliases: alias.map(|(port, dns_name)| {
                        Expr::Lit(vec![sv::ServiceConnectClientAlias {
                            dns_name: dns_name.map(Into::into),
                            port: Some(i64::from(port).into()),
                            ..Default::default()
                        }])
                    }),
                    discovery_name: s.discovery_name.clone().map(Into::into),
                    ingress_port_override: s.ingress_port_override.map(|p| i64::from(p).into()),
                    port_name: Some(s.port_mapping_name.clone().into()),
                    timeout,
                    ..Default::default()
                }
            })
            .collect::<Vec<_>>();
        sv::ServiceConnectConfiguration {
            enabled: Some(true.into()),
            log_configuration: self.log_configuration.clone().map(Into::into),
            namespace: self.namespace.clone().map(value_expr),
            services: (!services.is_empty()).then(|| Expr::Lit(services)),
            ..Default::default()
        }
    }

    /// The checks that need the whole tree: a namespace, port mappings that exist,
    /// discovery names used once.
    pub(crate) fn validate(
        &self,
        app: &App,
        task: TaskDefinition,
        cluster_path: &str,
        err: &dyn Fn(String) -> Diagnostic,
    ) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        if self.namespace.is_none() {
            out.push(
                err(format!(
                    "Service Connect needs a Cloud Map namespace, and neither ServiceConnectProps::namespace nor the cluster {cluster_path} gives one; set the namespace, or a default_cloud_map_namespace on the cluster"
                ))
                .with_property("ServiceConnectConfiguration.Namespace"),
            );
        }
        let named: Vec<String> = task
            .containers(app)
            .iter()
            .flat_map(|c| {
                let name = c.container_name(app);
                c.port_mappings(app).into_iter().filter_map(move |p| {
                    p.name
                        .clone()
                        .map(|n| format!("{n} ({name}:{})", port_label(&p)))
                })
            })
            .collect();
        for (i, s) in self.services.iter().enumerate() {
            if task
                .find_port_mapping_by_name(app, &s.port_mapping_name)
                .is_err()
            {
                out.push(
                    err(format!(
                        "Service Connect service {i} names port mapping \"{}\", which no container of the task definition {} has; named port mappings: {}; name a port mapping with PortMapping::named",
                        s.port_mapping_name,
                        app.path(task),
                        if named.is_empty() { "none".to_string() } else { named.join(", ") }
                    ))
                    .with_property(format!("ServiceConnectConfiguration.Services[{i}].PortName")),
                );
            }
            let name = s.effective_discovery_name();
            if let Some(first) = self.services[..i]
                .iter()
                .position(|o| o.effective_discovery_name() == name)
            {
                out.push(
                    err(format!(
                        "Service Connect services {first} and {i} both use the discovery name \"{name}\"; give each its own discovery_name (default: the port mapping name)"
                    ))
                    .with_property(format!("ServiceConnectConfiguration.Services[{i}].DiscoveryName")),
                );
            }
        }
        out
    }
}

impl BaseService {
    /// Turns Service Connect on (CDK's `enableServiceConnect`): the service joins the
    /// namespace (default: the cluster's default namespace) and publishes
    /// `props.services`; with no services it is a client only. Once per service.
    /// Checked here: ports (1 to 65535), empty discovery names, the log driver; at
    /// synth: a namespace exists, each port mapping name is a port mapping of the
    /// task definition, discovery names are unique.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use berth_constructs::ecs::*;
    /// use berth_constructs::{App, Stack, StackProps};
    ///
    /// let mut app = App::new();
    /// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
    /// let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps::default())?;
    /// let task = FargateTaskDefinition::new(&mut app, stack, "TaskDef", FargateTaskDefinitionProps::default())?;
    /// task.add_container(&mut app, "web", ContainerDefinitionOptions::new(
    ///     ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest")))?;
    /// let web = FargateService::new(&mut app, stack, "Web", FargateServiceProps::new(cluster, task))?;
    /// // A client of services in an existing namespace, by name.
    /// web.enable_service_connect(&mut app, ServiceConnectProps {
    ///     namespace: Some("shop.local".into()),
    ///     ..Default::default()
    /// })?;
    /// assert!(web.enable_service_connect(&mut app, ServiceConnectProps::default()).is_err());
    /// let out = app.synth()?;
    /// let id = berth_synth::logical_id::make_unique_id(&["Web", "Service"]).ok_or("an invalid construct id")?;
    /// let p = &out.stacks[0].template["Resources"][&id]["Properties"];
    /// assert_eq!(p["ServiceConnectConfiguration"],
    ///     serde_json::json!({"Enabled": true, "Namespace": "shop.local"}));
    /// # Ok(())
    /// # }
    /// ```
    pub fn enable_service_connect(&self, app: &mut App, props: ServiceConnectProps) -> Result<()> {
        let path = app.path(*self);
        let bad = |prop: String, msg: String| ConstructError::invalid(path.clone(), &prop, msg);
        if app
            .construct::<ServiceState>(self.node())
            .is_some_and(|s| s.service_connect.is_some())
        {
            return Err(bad(
                "service_connect".into(),
                "Service Connect is already enabled on this service; enable it once, with every endpoint in ServiceConnectProps::services".into(),
            ));
        }
        for (i, s) in props.services.iter().enumerate() {
            if s.discovery_name
                .as_deref()
                .is_some_and(|d| d.trim().is_empty())
            {
                return Err(bad(
                    format!("services[{i}].discovery_name"),
                    "the discovery name is empty; leave it out to use the port mapping name".into(),
                ));
            }
            if s.ingress_port_override == Some(0) {
                return Err(bad(
                    format!("services[{i}].ingress_port_override"),
                    "port 0 is not valid; allowed: 1 to 65535".into(),
                ));
            }
            if let Some(a) = &s.client_alias {
                if a.port == 0 {
                    return Err(bad(
                        format!("services[{i}].client_alias.port"),
                        "port 0 is not valid; allowed: 1 to 65535".into(),
                    ));
                }
            }
        }
        if let Some(d) = &props.log_driver {
            check_log_driver(d).map_err(|(field, msg)| bad(format!("log_driver.{field}"), msg))?;
        }
        let namespace = match props.namespace {
            Some(ServiceConnectNamespace::Namespace(ns)) => Some(ns.namespace_arn().into()),
            Some(ServiceConnectNamespace::NameOrArn(v)) => Some(v),
            None => self
                .cluster()
                .default_cloud_map_namespace(app)
                .map(|d| d.namespace_arn().into()),
        };
        let log_configuration = match &props.log_driver {
            None => None,
            Some(d) => {
                let task = self.task_definition();
                let (driver, options) = render_log_driver(app, &task, self.node(), d)?;
                Some(sv::LogConfiguration {
                    log_driver: Some(driver.into()),
                    options: Some(Expr::Lit(options)),
                    secret_options: None,
                })
            }
        };
        if let Some(s) = app.construct_mut::<ServiceState>(self.node()) {
            s.service_connect = Some(ServiceConnectState {
                namespace,
                services: props.services,
                log_configuration,
            });
        }
        Ok(())
    }
}
