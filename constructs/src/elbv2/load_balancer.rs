//! The load balancers.

use super::listener::{Listener, ListenerAction, ListenerProps, RedirectOptions, RedirectProps};
use super::{LoadBalancerKind, Protocol};
use crate::app::{App, Group, NodeId, Scope};
use crate::ec2::{
    Connectable, Connections, SecurityGroup, SecurityGroupProps, SubnetSelection, SubnetType, Vpc,
};
use crate::error::{ConstructError, Result};
use crate::iam::value_expr;
use berth_synth::cfn::elbv2::{load_balancer, CfnLoadBalancer};
use berth_synth::resource::ResourceRef;
use berth_synth::{Expr, Token, Value};

/// What a listener or target group knows of its load balancer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LbInfo {
    pub(crate) node: NodeId,
    pub(crate) kind: LoadBalancerKind,
    pub(crate) resource: ResourceRef<CfnLoadBalancer>,
    pub(crate) security_group: Option<SecurityGroup>,
    pub(crate) vpc: Vpc,
}

impl LbInfo {
    pub(crate) fn arn(&self) -> Value {
        self.resource.ref_().into()
    }
    pub(crate) fn full_name(&self) -> Value {
        self.resource.attr_load_balancer_full_name().into()
    }
}

struct Common {
    internet_facing: bool,
    vpc_subnets: Option<SubnetSelection>,
    deletion_protection: bool,
    name: Option<String>,
    attributes: Vec<(&'static str, String)>,
}

fn create(
    app: &mut App,
    scope: impl Scope,
    id: &str,
    vpc: &Vpc,
    kind: LoadBalancerKind,
    common: Common,
    security_group: Option<SecurityGroupChoice>,
) -> Result<LbInfo> {
    let path = format!("{}/{id}", app.path(&scope));
    let selection = common
        .vpc_subnets
        .clone()
        .unwrap_or(if common.internet_facing {
            SubnetSelection::of_type(SubnetType::Public)
        } else {
            SubnetSelection::default()
        });
    let subnets = vpc.select_subnets(app, &selection)?;
    if common.internet_facing && !subnets.has_public {
        return Err(ConstructError::invalid(
            path,
            "vpc_subnets",
            "an internet-facing load balancer needs public subnets; select public subnets or set internet_facing to false",
        ));
    }
    let node = app.add_construct(scope, id, Group)?;
    let security_group = match security_group {
        None => None,
        Some(SecurityGroupChoice::Given(sg)) => Some(sg),
        Some(SecurityGroupChoice::Create) => {
            let ids = app.path_ids(node);
            let unique =
                berth_synth::logical_id::make_unique_id(&ids).unwrap_or_else(|| ids.concat());
            Some(SecurityGroup::new(
                app,
                node,
                "SecurityGroup",
                vpc,
                SecurityGroupProps {
                    description: Some(format!(
                        "Automatically created Security Group for ELB {unique}"
                    )),
                    allow_all_outbound: false,
                    ..Default::default()
                },
            )?)
        }
    };
    let mut attributes = vec![(
        "deletion_protection.enabled",
        common.deletion_protection.to_string(),
    )];
    attributes.extend(common.attributes);
    let resource = app.add_resource(
        node,
        "Resource",
        CfnLoadBalancer {
            load_balancer_attributes: Some(Expr::Lit(
                attributes
                    .into_iter()
                    .map(|(k, v)| load_balancer::LoadBalancerAttribute {
                        key: Some(k.into()),
                        value: Some(v.into()),
                    })
                    .collect(),
            )),
            name: common.name.map(Into::into),
            scheme: Some(
                if common.internet_facing {
                    load_balancer::Scheme::InternetFacing
                } else {
                    load_balancer::Scheme::Internal
                }
                .into(),
            ),
            security_groups: security_group
                .map(|sg| Expr::Lit(vec![sg.security_group_id().into()])),
            subnets: Some(Expr::Lit(
                subnets.subnet_ids.iter().cloned().map(value_expr).collect(),
            )),
            type_: Some(
                match kind {
                    LoadBalancerKind::Application => load_balancer::Type::Application,
                    LoadBalancerKind::Network => load_balancer::Type::Network,
                }
                .into(),
            ),
            ..Default::default()
        },
    )?;
    if common.internet_facing {
        // As CDK: the load balancer waits for the public subnets' routes to the
        // internet gateway.
        for dep in subnets.internet_dependencies {
            app.add_dependency(resource, dep);
        }
    }
    Ok(LbInfo {
        node,
        kind,
        resource,
        security_group,
        vpc: *vpc,
    })
}

enum SecurityGroupChoice {
    Create,
    Given(SecurityGroup),
}

props! {
    /// Options of an [`ApplicationLoadBalancer`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct ApplicationLoadBalancerProps {
        /// Reachable from the internet (`internet-facing`) rather than `internal`.
        /// Default: false (as CDK).
        pub internet_facing: bool,
        /// The subnets. Default: the public subnets when internet-facing, else the VPC's
        /// default selection (private subnets first).
        pub vpc_subnets: Option<SubnetSelection>,
        /// The security group. Default: a new group `SecurityGroup` with no outbound
        /// traffic allowed until targets are added (as CDK).
        pub security_group: Option<SecurityGroup>,
        /// Protect the load balancer from deletion. Default: false.
        pub deletion_protection: bool,
        /// Seconds a connection may stay idle (`idle_timeout.timeout_seconds`, 1 to
        /// 4000). Default: not set (60 seconds, the AWS default).
        pub idle_timeout_seconds: Option<u32>,
        /// Drop HTTP headers with invalid names
        /// (`routing.http.drop_invalid_header_fields.enabled`). Default: true.
        pub drop_invalid_header_fields: bool,
        /// The load balancer's name (at most 32 characters). Default: generated by
        /// CloudFormation.
        pub load_balancer_name: Option<String>,
    }
}

impl Default for ApplicationLoadBalancerProps {
    fn default() -> Self {
        ApplicationLoadBalancerProps {
            internet_facing: false,
            vpc_subnets: None,
            security_group: None,
            deletion_protection: false,
            idle_timeout_seconds: None,
            drop_invalid_header_fields: true,
            load_balancer_name: None,
        }
    }
}

fn check_name(path: &str, name: &Option<String>) -> Result<()> {
    if let Some(n) = name {
        let ok = !n.is_empty()
            && n.len() <= 32
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !n.starts_with('-')
            && !n.ends_with('-')
            && !n.starts_with("internal-");
        if !ok {
            return Err(ConstructError::invalid(
                path,
                "load_balancer_name",
                format!("invalid load balancer name \"{n}\": use 1 to 32 letters, digits and hyphens, not starting or ending with a hyphen nor starting with \"internal-\""),
            ));
        }
    }
    Ok(())
}

/// An application load balancer (HTTP/HTTPS). Its L1 child is `Resource`
/// (`AWS::ElasticLoadBalancingV2::LoadBalancer`) and its security group
/// `SecurityGroup`, as CDK.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::ec2::{Vpc, VpcProps};
/// use berth_constructs::elbv2::{ApplicationLoadBalancer, ApplicationLoadBalancerProps};
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
/// let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default())?;
/// let lb = ApplicationLoadBalancer::new(&mut app, stack, "LB", &vpc,
///     ApplicationLoadBalancerProps {
///         internet_facing: true,
///         idle_timeout_seconds: Some(120),
///         ..Default::default()
///     })?;
/// assert!(lb.dns_name().as_value().is_token());
/// let out = app.synth()?;
/// let p = &out.stacks[0].template["Resources"]["LB8A12904C"]["Properties"];
/// assert_eq!(p["Scheme"], "internet-facing");
/// assert_eq!(p["LoadBalancerAttributes"][1]["Key"], "routing.http.drop_invalid_header_fields.enabled");
/// assert_eq!(p["LoadBalancerAttributes"][1]["Value"], "true");
/// assert_eq!(p["LoadBalancerAttributes"][2]["Value"], "120");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApplicationLoadBalancer {
    info: LbInfo,
}

impl Scope for ApplicationLoadBalancer {
    fn node(&self) -> NodeId {
        self.info.node
    }
}

impl ApplicationLoadBalancer {
    /// Creates an application load balancer in `vpc`, under `scope`.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        vpc: &Vpc,
        props: ApplicationLoadBalancerProps,
    ) -> Result<ApplicationLoadBalancer> {
        let path = format!("{}/{id}", app.path(&scope));
        check_name(&path, &props.load_balancer_name)?;
        let mut attributes = vec![(
            "routing.http.drop_invalid_header_fields.enabled",
            props.drop_invalid_header_fields.to_string(),
        )];
        if let Some(t) = props.idle_timeout_seconds {
            if !(1..=4000).contains(&t) {
                return Err(ConstructError::invalid(
                    path,
                    "idle_timeout_seconds",
                    format!("idle timeout {t} is out of range; allowed: 1 to 4000 seconds"),
                ));
            }
            attributes.push(("idle_timeout.timeout_seconds", t.to_string()));
        }
        let info = create(
            app,
            scope,
            id,
            vpc,
            LoadBalancerKind::Application,
            Common {
                internet_facing: props.internet_facing,
                vpc_subnets: props.vpc_subnets,
                deletion_protection: props.deletion_protection,
                name: props.load_balancer_name,
                attributes,
            },
            Some(match props.security_group {
                Some(sg) => SecurityGroupChoice::Given(sg),
                None => SecurityGroupChoice::Create,
            }),
        )?;
        Ok(ApplicationLoadBalancer { info })
    }

    /// Adds a listener (`HTTP` by default, `HTTPS` when certificates are given).
    pub fn add_listener(&self, app: &mut App, id: &str, props: ListenerProps) -> Result<Listener> {
        Listener::new(app, self.info, id, props)
    }

    /// Adds a listener that redirects every request, by default HTTP on 80 to HTTPS
    /// on 443 (`Redirect80To443`, as CDK's `addRedirect`).
    pub fn add_redirect(&self, app: &mut App, props: RedirectProps) -> Result<Listener> {
        let id = format!("Redirect{}To{}", props.source_port, props.target_port);
        self.add_listener(
            app,
            &id,
            ListenerProps {
                port: Some(props.source_port),
                protocol: Some(props.source_protocol),
                open: props.open,
                default_action: Some(ListenerAction::Redirect(RedirectOptions {
                    port: Some(props.target_port.to_string()),
                    protocol: Some(props.target_protocol.as_str().to_owned()),
                    permanent: true,
                    ..Default::default()
                })),
                ..Default::default()
            },
        )
    }

    /// The DNS name (`Fn::GetAtt DNSName`).
    pub fn dns_name(&self) -> Token<String> {
        self.info.resource.attr_dns_name()
    }

    /// The ARN (`Ref`).
    pub fn load_balancer_arn(&self) -> Token<String> {
        self.info.resource.ref_()
    }

    /// The full name, `app/<name>/<id>` (`Fn::GetAtt LoadBalancerFullName`), as
    /// CloudWatch dimensions want it.
    pub fn load_balancer_full_name(&self) -> Token<String> {
        self.info.resource.attr_load_balancer_full_name()
    }

    /// The Route 53 zone of the DNS name, for alias records.
    pub fn canonical_hosted_zone_id(&self) -> Token<String> {
        self.info.resource.attr_canonical_hosted_zone_id()
    }

    /// The security group.
    pub fn security_group(&self) -> SecurityGroup {
        self.info
            .security_group
            .expect("an application load balancer always has a security group")
    }

    /// The L1 load balancer, for escape hatches.
    pub fn cfn(&self) -> ResourceRef<CfnLoadBalancer> {
        self.info.resource
    }
}

impl Connectable for ApplicationLoadBalancer {
    fn connections(&self, _app: &App) -> Connections {
        Connections::new(vec![self.security_group()])
    }
}

props! {
    /// Options of a [`NetworkLoadBalancer`].
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct NetworkLoadBalancerProps {
        /// Reachable from the internet (`internet-facing`) rather than `internal`.
        /// Default: false (as CDK).
        pub internet_facing: bool,
        /// The subnets. Default: the public subnets when internet-facing, else the VPC's
        /// default selection (private subnets first).
        pub vpc_subnets: Option<SubnetSelection>,
        /// Protect the load balancer from deletion. Default: false.
        pub deletion_protection: bool,
        /// Balance across the targets of every AZ (`load_balancing.cross_zone.enabled`).
        /// Default: false (the AWS default, not written).
        pub cross_zone_enabled: bool,
        /// The load balancer's name (at most 32 characters). Default: generated by
        /// CloudFormation.
        pub load_balancer_name: Option<String>,
    }
}

/// A network load balancer (TCP/TLS/UDP). Its L1 child is `Resource`. As in CDK it
/// has no security group: targets see the clients' addresses, so open the targets'
/// port to the clients (or the VPC) yourself.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::ec2::{Vpc, VpcProps};
/// use berth_constructs::elbv2::{
///     AddTargetsProps, IpTarget, ListenerProps, NetworkLoadBalancer,
///     NetworkLoadBalancerProps, Protocol,
/// };
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Db", StackProps::default())?;
/// let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default())?;
/// let nlb = NetworkLoadBalancer::new(&mut app, stack, "LB", &vpc,
///     NetworkLoadBalancerProps::default())?;
/// let tcp = nlb.add_listener(&mut app, "Tcp", ListenerProps {
///     port: Some(5432),
///     ..Default::default()
/// })?;
/// let target = IpTarget::new("10.0.128.20", 5432);
/// tcp.add_targets(&mut app, "Db", AddTargetsProps { targets: vec![&target], ..Default::default() })?;
/// let out = app.synth()?;
/// let p = &out.stacks[0].template["Resources"]["LB8A12904C"]["Properties"];
/// assert_eq!(p["Type"], "network");
/// assert_eq!(p["Scheme"], "internal");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetworkLoadBalancer {
    info: LbInfo,
}

impl Scope for NetworkLoadBalancer {
    fn node(&self) -> NodeId {
        self.info.node
    }
}

impl NetworkLoadBalancer {
    /// Creates a network load balancer in `vpc`, under `scope`.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        vpc: &Vpc,
        props: NetworkLoadBalancerProps,
    ) -> Result<NetworkLoadBalancer> {
        let path = format!("{}/{id}", app.path(&scope));
        check_name(&path, &props.load_balancer_name)?;
        let mut attributes = Vec::new();
        if props.cross_zone_enabled {
            attributes.push(("load_balancing.cross_zone.enabled", "true".to_owned()));
        }
        let info = create(
            app,
            scope,
            id,
            vpc,
            LoadBalancerKind::Network,
            Common {
                internet_facing: props.internet_facing,
                vpc_subnets: props.vpc_subnets,
                deletion_protection: props.deletion_protection,
                name: props.load_balancer_name,
                attributes,
            },
            None,
        )?;
        Ok(NetworkLoadBalancer { info })
    }

    /// Adds a listener (`TCP` by default, `TLS` when certificates are given; the
    /// port is required).
    pub fn add_listener(&self, app: &mut App, id: &str, props: ListenerProps) -> Result<Listener> {
        Listener::new(app, self.info, id, props)
    }

    /// The DNS name (`Fn::GetAtt DNSName`).
    pub fn dns_name(&self) -> Token<String> {
        self.info.resource.attr_dns_name()
    }

    /// The ARN (`Ref`).
    pub fn load_balancer_arn(&self) -> Token<String> {
        self.info.resource.ref_()
    }

    /// The Route 53 zone of the DNS name, for alias records.
    pub fn canonical_hosted_zone_id(&self) -> Token<String> {
        self.info.resource.attr_canonical_hosted_zone_id()
    }

    /// The full name, `net/<name>/<id>` (`Fn::GetAtt LoadBalancerFullName`).
    pub fn load_balancer_full_name(&self) -> Token<String> {
        self.info.resource.attr_load_balancer_full_name()
    }

    /// The L1 load balancer, for escape hatches.
    pub fn cfn(&self) -> ResourceRef<CfnLoadBalancer> {
        self.info.resource
    }
}

pub(crate) fn default_protocol(kind: LoadBalancerKind, secure: bool) -> Protocol {
    match (kind, secure) {
        (LoadBalancerKind::Application, false) => Protocol::Http,
        (LoadBalancerKind::Application, true) => Protocol::Https,
        (LoadBalancerKind::Network, false) => Protocol::Tcp,
        (LoadBalancerKind::Network, true) => Protocol::Tls,
    }
}
