//! Security groups, ports, peers and the connections model.

use super::vpc::Vpc;
use crate::app::{App, Construct, NodeId, Scope};
use crate::error::{ConstructError, Result};
use crate::iam::value_expr;
use berth_synth::cfn::ec2::{
    security_group, CfnSecurityGroup, CfnSecurityGroupEgress, CfnSecurityGroupIngress,
};
use berth_synth::resource::ResourceRef;
use berth_synth::{Expr, Token, Value};
use std::any::Any;
use std::fmt;

/// An IP protocol of a [`Port`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// Every protocol (`-1`).
    All,
}

/// A port or port range of a protocol, as a security group rule opens it.
///
/// ```
/// use berth_constructs::ec2::Port;
/// assert_eq!(Port::tcp(80).to_string(), "80");
/// assert_eq!(Port::tcp_range(8000, 8080).to_string(), "8000-8080");
/// assert_eq!(Port::udp(53).to_string(), "UDP 53");
/// assert_eq!(Port::all_traffic().to_string(), "ALL TRAFFIC");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Port {
    protocol: Protocol,
    from: u16,
    to: u16,
}

impl Port {
    /// One TCP port.
    pub fn tcp(port: u16) -> Port {
        Port {
            protocol: Protocol::Tcp,
            from: port,
            to: port,
        }
    }
    /// A TCP port range (inclusive).
    pub fn tcp_range(from: u16, to: u16) -> Port {
        Port {
            protocol: Protocol::Tcp,
            from,
            to,
        }
    }
    /// Every TCP port.
    pub fn all_tcp() -> Port {
        Port::tcp_range(0, 65535)
    }
    /// One UDP port.
    pub fn udp(port: u16) -> Port {
        Port {
            protocol: Protocol::Udp,
            from: port,
            to: port,
        }
    }
    /// A UDP port range (inclusive).
    pub fn udp_range(from: u16, to: u16) -> Port {
        Port {
            protocol: Protocol::Udp,
            from,
            to,
        }
    }
    /// Every UDP port.
    pub fn all_udp() -> Port {
        Port::udp_range(0, 65535)
    }
    /// Every protocol and port.
    pub fn all_traffic() -> Port {
        Port {
            protocol: Protocol::All,
            from: 0,
            to: 65535,
        }
    }
    /// The protocol.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }
    /// The first and last port.
    pub fn range(&self) -> (u16, u16) {
        (self.from, self.to)
    }

    fn check(&self) -> std::result::Result<(), String> {
        if self.from > self.to {
            return Err(format!(
                "invalid port range {}-{}: the first port must not be greater than the last",
                self.from, self.to
            ));
        }
        Ok(())
    }

    /// `IpProtocol`, `FromPort`, `ToPort` as CloudFormation wants them.
    fn rule(&self) -> (String, Option<i64>, Option<i64>) {
        match self.protocol {
            Protocol::All => ("-1".into(), None, None),
            Protocol::Tcp => ("tcp".into(), Some(self.from as i64), Some(self.to as i64)),
            Protocol::Udp => ("udp".into(), Some(self.from as i64), Some(self.to as i64)),
        }
    }
}

impl fmt::Display for Port {
    /// CDK's rendering, used in rule ids and default descriptions.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let all = self.from == 0 && self.to == 65535;
        match self.protocol {
            Protocol::All => write!(f, "ALL TRAFFIC"),
            Protocol::Tcp if all => write!(f, "ALL PORTS"),
            Protocol::Udp if all => write!(f, "UDP ALL PORTS"),
            Protocol::Tcp if self.from == self.to => write!(f, "{}", self.from),
            Protocol::Tcp => write!(f, "{}-{}", self.from, self.to),
            Protocol::Udp if self.from == self.to => write!(f, "UDP {}", self.from),
            Protocol::Udp => write!(f, "UDP {}-{}", self.from, self.to),
        }
    }
}

/// The other side of a security group rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Peer {
    /// An IPv4 CIDR block (`10.0.0.0/16`).
    Ipv4(String),
    /// An IPv6 CIDR block.
    Ipv6(String),
    /// Another security group.
    SecurityGroup(SecurityGroup),
}

impl Peer {
    /// An IPv4 CIDR block.
    pub fn ipv4(cidr: impl Into<String>) -> Peer {
        Peer::Ipv4(cidr.into())
    }
    /// Any IPv4 address (`0.0.0.0/0`).
    pub fn any_ipv4() -> Peer {
        Peer::Ipv4("0.0.0.0/0".into())
    }
    /// An IPv6 CIDR block.
    pub fn ipv6(cidr: impl Into<String>) -> Peer {
        Peer::Ipv6(cidr.into())
    }
    /// Any IPv6 address (`::/0`).
    pub fn any_ipv6() -> Peer {
        Peer::Ipv6("::/0".into())
    }
    /// A security group.
    pub fn security_group(sg: SecurityGroup) -> Peer {
        Peer::SecurityGroup(sg)
    }

    fn unique_id(&self, app: &App) -> String {
        match self {
            Peer::Ipv4(c) | Peer::Ipv6(c) => c.clone(),
            Peer::SecurityGroup(sg) => sg.unique_id(app),
        }
    }

    fn check(&self) -> std::result::Result<(), String> {
        match self {
            Peer::Ipv4(c) => {
                let ok = c.split_once('/').is_some_and(|(ip, m)| {
                    m.parse::<u8>().is_ok_and(|m| m <= 32)
                        && ip.split('.').count() == 4
                        && ip.split('.').all(|p| p.parse::<u8>().is_ok())
                });
                if ok {
                    Ok(())
                } else {
                    Err(format!(
                        "invalid IPv4 CIDR \"{c}\": expected a.b.c.d/n, e.g. 10.0.0.0/16"
                    ))
                }
            }
            Peer::Ipv6(c) => {
                if c.contains(':')
                    && c.split_once('/')
                        .is_some_and(|(_, m)| m.parse::<u8>().is_ok_and(|m| m <= 128))
                {
                    Ok(())
                } else {
                    Err(format!("invalid IPv6 CIDR \"{c}\": expected an address and a prefix length, e.g. ::/0"))
                }
            }
            Peer::SecurityGroup(_) => Ok(()),
        }
    }
}

props! {
    /// Options of a [`SecurityGroup`].
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct SecurityGroupProps {
        /// The description. Default: the construct path (as CDK).
        pub description: Option<String>,
        /// The group's name. Default: generated by CloudFormation.
        pub security_group_name: Option<String>,
        /// Allow all outbound traffic. When false, only the egress rules added are
        /// allowed (a placeholder rule keeps CloudFormation from adding its allow-all
        /// rule, as CDK does). Default: true.
        pub allow_all_outbound: bool,
    }
}

impl Default for SecurityGroupProps {
    fn default() -> Self {
        SecurityGroupProps {
            description: None,
            security_group_name: None,
            allow_all_outbound: true,
        }
    }
}

#[derive(Debug)]
struct SgState {
    fqn: &'static str,
    allow_all_outbound: bool,
    ingress: Vec<security_group::Ingress>,
    egress: Vec<security_group::Egress>,
}

impl Construct for SgState {
    fn fqn(&self) -> &'static str {
        self.fqn
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

fn allow_all_egress() -> security_group::Egress {
    security_group::Egress {
        cidr_ip: Some("0.0.0.0/0".into()),
        description: Some("Allow all outbound traffic by default".into()),
        ip_protocol: Some("-1".into()),
        ..Default::default()
    }
}

/// CDK's placeholder: an egress rule that matches no traffic, so that CloudFormation
/// does not add its default allow-all rule.
fn disallow_all_egress() -> security_group::Egress {
    security_group::Egress {
        cidr_ip: Some("255.255.255.255/32".into()),
        description: Some("Disallow all traffic".into()),
        from_port: Some(252.into()),
        ip_protocol: Some("icmp".into()),
        to_port: Some(86.into()),
        ..Default::default()
    }
}

/// A security group. Its L1 child is `Resource` (`AWS::EC2::SecurityGroup`). Rules to
/// CIDR peers are written inline; rules between two groups are separate
/// `AWS::EC2::SecurityGroupIngress`/`Egress` resources (ids `from <peer>:<port>` and
/// `to <peer>:<port>`, as CDK), so that two groups referring to each other make no
/// cycle.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::ec2::{Connectable, Port, SecurityGroup, SecurityGroupProps, Vpc, VpcProps};
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Net", StackProps::default())?;
/// let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default())?;
/// let lb = SecurityGroup::new(&mut app, stack, "LbSg", &vpc, SecurityGroupProps::default())?;
/// let web = SecurityGroup::new(&mut app, stack, "WebSg", &vpc, SecurityGroupProps::default())?;
/// lb.connections(&app).allow_from_any_ipv4(&mut app, Port::tcp(443), "https from anywhere")?;
/// web.connections(&app).allow_from(&mut app, &lb, Port::tcp(8080), "from the load balancer")?;
/// let out = app.synth()?;
/// let res = out.stacks[0].template["Resources"].as_object().ok_or("not an object")?;
/// let lb_id = berth_synth::logical_id::make_unique_id(&["LbSg", "Resource"]).ok_or("an invalid construct id")?;
/// let lb_props = &res[&lb_id]["Properties"];
/// assert_eq!(lb_props["SecurityGroupIngress"][0]["FromPort"], 443);
/// let rules: Vec<_> = res.values().filter(|r| r["Type"] == "AWS::EC2::SecurityGroupIngress").collect();
/// assert_eq!(rules.len(), 1);
/// assert_eq!(rules[0]["Properties"]["FromPort"], 8080);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SecurityGroup {
    node: NodeId,
    resource: Option<ResourceRef<CfnSecurityGroup>>,
}

impl Scope for SecurityGroup {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl SecurityGroup {
    /// Creates a security group in `vpc`, under `scope`.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        vpc: &Vpc,
        props: SecurityGroupProps,
    ) -> Result<SecurityGroup> {
        let path = format!("{}/{id}", app.path(&scope));
        let vpc_id = vpc.vpc_id();
        let egress = if props.allow_all_outbound {
            allow_all_egress()
        } else {
            disallow_all_egress()
        };
        let node = app.add_construct(
            scope,
            id,
            SgState {
                fqn: "berth.ec2.SecurityGroup",
                allow_all_outbound: props.allow_all_outbound,
                ingress: Vec::new(),
                egress: Vec::new(),
            },
        )?;
        let resource = app.add_resource(
            node,
            "Resource",
            CfnSecurityGroup {
                group_description: Some(props.description.unwrap_or(path).into()),
                group_name: props.security_group_name.map(Into::into),
                security_group_egress: Some(Expr::Lit(vec![egress])),
                vpc_id: Some(value_expr(vpc_id)),
                ..CfnSecurityGroup::default()
            },
        )?;
        Ok(SecurityGroup {
            node,
            resource: Some(resource),
        })
    }

    /// An existing security group by id. Rules added to it are separate resources
    /// under this construct; egress rules are dropped when `allow_all_outbound` (as
    /// CDK).
    pub fn from_security_group_id(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        security_group_id: impl Into<Value>,
        allow_all_outbound: bool,
    ) -> Result<SecurityGroup> {
        let node = app.add_construct(
            scope,
            id,
            SgState {
                fqn: "berth.ec2.ImportedSecurityGroup",
                allow_all_outbound,
                ingress: Vec::new(),
                egress: Vec::new(),
            },
        )?;
        app.set_attribute(node, "GroupId", security_group_id);
        Ok(SecurityGroup {
            node,
            resource: None,
        })
    }

    /// The group's id.
    pub fn security_group_id(&self) -> Token<String> {
        match self.resource {
            Some(r) => r.attr_group_id(),
            None => Token::get_att(self.node, "GroupId"),
        }
    }

    /// The L1 group, for escape hatches (`None` when imported).
    pub fn cfn(&self) -> Option<ResourceRef<CfnSecurityGroup>> {
        self.resource
    }

    /// Whether all outbound traffic is allowed.
    pub fn allows_all_outbound(&self, app: &App) -> bool {
        app.construct::<SgState>(self.node)
            .is_some_and(|s| s.allow_all_outbound)
    }

    /// CDK's `Names.nodeUniqueId`: the full path made into an id.
    fn unique_id(&self, app: &App) -> String {
        let ids = app.path_ids(self.node);
        berth_synth::logical_id::make_unique_id(&ids).unwrap_or_else(|| ids.concat())
    }

    fn check(&self, app: &App, peer: &Peer, port: &Port) -> Result<()> {
        // The path only for an error: rules are added often.
        port.check()
            .map_err(|m| ConstructError::invalid(app.path(self.node), "port", m))?;
        peer.check()
            .map_err(|m| ConstructError::invalid(app.path(self.node), "peer", m))
    }

    /// Allows inbound traffic from `peer` on `port`. An empty description becomes
    /// `from <peer>:<port>`.
    pub fn add_ingress_rule(
        &self,
        app: &mut App,
        peer: &Peer,
        port: Port,
        description: &str,
    ) -> Result<()> {
        self.add_rule(app, peer, port, description, true, false)
    }

    /// Allows outbound traffic to `peer` on `port` (nothing to do when the group allows
    /// all outbound traffic).
    pub fn add_egress_rule(
        &self,
        app: &mut App,
        peer: &Peer,
        port: Port,
        description: &str,
    ) -> Result<()> {
        self.add_rule(app, peer, port, description, false, false)
    }

    fn add_rule(
        &self,
        app: &mut App,
        peer: &Peer,
        port: Port,
        description: &str,
        ingress: bool,
        remote: bool,
    ) -> Result<()> {
        self.check(app, peer, &port)?;
        if !ingress && self.allows_all_outbound(app) {
            return Ok(());
        }
        let from_to = if ingress { "from" } else { "to" };
        let peer_id = peer.unique_id(app);
        let description = if description.is_empty() {
            format!("{from_to} {peer_id}:{port}")
        } else {
            description.to_owned()
        };
        let (proto, from, to) = port.rule();
        let (cidr_ip, cidr_ipv6) = match peer {
            Peer::Ipv4(c) => (Some(c.clone()), None),
            Peer::Ipv6(c) => (None, Some(c.clone())),
            Peer::SecurityGroup(_) => (None, None),
        };
        let inline = self.resource.is_some() && !matches!(peer, Peer::SecurityGroup(_));
        if inline {
            let Some(resource) = self.resource else {
                return Ok(());
            };
            let Some(state) = app.construct_mut::<SgState>(self.node) else {
                return Ok(());
            };
            if ingress {
                let rule = security_group::Ingress {
                    cidr_ip: cidr_ip.map(Into::into),
                    cidr_ipv6: cidr_ipv6.map(Into::into),
                    description: Some(description.into()),
                    from_port: from.map(Into::into),
                    ip_protocol: Some(proto.into()),
                    to_port: to.map(Into::into),
                    ..Default::default()
                };
                if state.ingress.contains(&rule) {
                    return Ok(());
                }
                state.ingress.push(rule);
                let list = state.ingress.clone();
                app.resource_mut(resource).security_group_ingress = Some(Expr::Lit(list));
            } else {
                let rule = security_group::Egress {
                    cidr_ip: cidr_ip.map(Into::into),
                    cidr_ipv6: cidr_ipv6.map(Into::into),
                    description: Some(description.into()),
                    from_port: from.map(Into::into),
                    ip_protocol: Some(proto.into()),
                    to_port: to.map(Into::into),
                    ..Default::default()
                };
                if state.egress.contains(&rule) {
                    return Ok(());
                }
                state.egress.push(rule);
                let list = state.egress.clone();
                app.resource_mut(resource).security_group_egress = Some(Expr::Lit(list));
            }
            return Ok(());
        }
        // A separate resource: under this group, or, for the remote side of a rule
        // between groups in different stacks, under the peer (CDK's
        // `determineRuleScope`), so both rules live in one stack.
        let (scope, id) = match peer {
            Peer::SecurityGroup(other)
                if remote
                    && crate::Stack::of(app, other.node) != crate::Stack::of(app, self.node) =>
            {
                let reversed = if ingress { "to" } else { "from" };
                (
                    other.node,
                    format!("{}:{port} {reversed}", self.unique_id(app)),
                )
            }
            _ => (
                self.node,
                format!("{from_to} {peer_id}:{port}").replace('/', "_"),
            ),
        };
        if app.child(scope, &id).is_some() {
            return Ok(());
        }
        let group_id: Expr<String> = self.security_group_id().into();
        let peer_group = match peer {
            Peer::SecurityGroup(other) => Some(other.security_group_id().into()),
            _ => None,
        };
        if ingress {
            app.add_resource(
                scope,
                &id,
                CfnSecurityGroupIngress {
                    cidr_ip: cidr_ip.map(Into::into),
                    cidr_ipv6: cidr_ipv6.map(Into::into),
                    description: Some(description.into()),
                    from_port: from.map(Into::into),
                    group_id: Some(group_id),
                    ip_protocol: Some(proto.into()),
                    source_security_group_id: peer_group,
                    to_port: to.map(Into::into),
                    ..Default::default()
                },
            )?;
        } else {
            app.add_resource(
                scope,
                &id,
                CfnSecurityGroupEgress {
                    cidr_ip: cidr_ip.map(Into::into),
                    cidr_ipv6: cidr_ipv6.map(Into::into),
                    description: Some(description.into()),
                    destination_security_group_id: peer_group,
                    from_port: from.map(Into::into),
                    group_id: Some(group_id),
                    ip_protocol: Some(proto.into()),
                    to_port: to.map(Into::into),
                    ..Default::default()
                },
            )?;
        }
        Ok(())
    }
}

/// The security groups of a construct, and the verbs that open traffic between
/// constructs: `a.connections(&app).allow_from(&mut app, &b, Port::tcp(80), "...")`
/// adds an ingress rule on each of `a`'s groups from each of `b`'s, and the matching
/// egress rule on `b`'s groups (a no-op for groups that allow all outbound traffic).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Connections {
    security_groups: Vec<SecurityGroup>,
    peers: Vec<Peer>,
    default_port: Option<Port>,
}

impl Connections {
    /// The connections of these security groups.
    pub fn new(security_groups: Vec<SecurityGroup>) -> Connections {
        Connections {
            peers: security_groups
                .iter()
                .map(|s| Peer::SecurityGroup(*s))
                .collect(),
            security_groups,
            default_port: None,
        }
    }

    /// The connections of a peer that has no security groups (a CIDR block).
    pub fn of_peer(peer: Peer) -> Connections {
        match peer {
            Peer::SecurityGroup(sg) => Connections::new(vec![sg]),
            p => Connections {
                security_groups: Vec::new(),
                peers: vec![p],
                default_port: None,
            },
        }
    }

    /// The same connections with a default port (the port a service listens on).
    pub fn with_default_port(mut self, port: Port) -> Connections {
        self.default_port = Some(port);
        self
    }

    /// The default port, if any.
    pub fn default_port(&self) -> Option<Port> {
        self.default_port
    }

    /// The security groups.
    pub fn security_groups(&self) -> &[SecurityGroup] {
        &self.security_groups
    }

    /// Adds a security group.
    pub fn add_security_group(&mut self, sg: SecurityGroup) {
        if !self.security_groups.contains(&sg) {
            self.security_groups.push(sg);
            self.peers.push(Peer::SecurityGroup(sg));
        }
    }

    /// Allows traffic from `other` on `port`: ingress on these groups, egress on
    /// `other`'s.
    pub fn allow_from(
        &self,
        app: &mut App,
        other: &(impl Connectable + ?Sized),
        port: Port,
        description: &str,
    ) -> Result<()> {
        let other = other.connections(app);
        for sg in &self.security_groups {
            for peer in &other.peers {
                sg.add_rule(app, peer, port, description, true, false)?;
            }
        }
        for sg in &other.security_groups {
            for peer in &self.peers {
                sg.add_rule(app, peer, port, description, false, true)?;
            }
        }
        Ok(())
    }

    /// Allows traffic to `other` on `port`: egress on these groups, ingress on
    /// `other`'s.
    pub fn allow_to(
        &self,
        app: &mut App,
        other: &(impl Connectable + ?Sized),
        port: Port,
        description: &str,
    ) -> Result<()> {
        let other = other.connections(app);
        for sg in &self.security_groups {
            for peer in &other.peers {
                sg.add_rule(app, peer, port, description, false, false)?;
            }
        }
        for sg in &other.security_groups {
            for peer in &self.peers {
                sg.add_rule(app, peer, port, description, true, true)?;
            }
        }
        Ok(())
    }

    /// Allows traffic from any IPv4 address on `port` (explicit, never implied).
    pub fn allow_from_any_ipv4(&self, app: &mut App, port: Port, description: &str) -> Result<()> {
        self.allow_from(app, &Peer::any_ipv4(), port, description)
    }

    /// Allows traffic to any IPv4 address on `port`.
    pub fn allow_to_any_ipv4(&self, app: &mut App, port: Port, description: &str) -> Result<()> {
        self.allow_to(app, &Peer::any_ipv4(), port, description)
    }

    /// Allows traffic between the members of these groups on `port`.
    pub fn allow_internally(&self, app: &mut App, port: Port, description: &str) -> Result<()> {
        self.allow_from(app, self, port, description)
    }

    /// Allows traffic from `other` on this side's default port; an error if there is
    /// none.
    pub fn allow_default_port_from(
        &self,
        app: &mut App,
        other: &(impl Connectable + ?Sized),
        description: &str,
    ) -> Result<()> {
        let port = self.default_port.ok_or_else(|| {
            ConstructError::invalid(
                self.security_groups
                    .first()
                    .map(|s| app.path(s.node))
                    .unwrap_or_default(),
                "default_port",
                "these connections have no default port; use allow_from with a port",
            )
        })?;
        self.allow_from(app, other, port, description)
    }
}

/// Anything with security groups (or a CIDR peer) that traffic can be allowed to or
/// from.
///
/// The verbs take the app once: `service.allow_from(&mut app, &lb, Port::tcp(80),
/// "from the load balancer")?` (CDK's `service.connections.allowFrom(lb, ...)`).
pub trait Connectable {
    /// The connections (security groups and default port).
    fn connections(&self, app: &App) -> Connections;

    /// Allows traffic from `other` on `port` ([`Connections::allow_from`]).
    fn allow_from(
        &self,
        app: &mut App,
        other: &(impl Connectable + ?Sized),
        port: Port,
        description: &str,
    ) -> Result<()>
    where
        Self: Sized,
    {
        self.connections(app)
            .allow_from(app, other, port, description)
    }

    /// Allows traffic to `other` on `port` ([`Connections::allow_to`]).
    fn allow_to(
        &self,
        app: &mut App,
        other: &(impl Connectable + ?Sized),
        port: Port,
        description: &str,
    ) -> Result<()>
    where
        Self: Sized,
    {
        self.connections(app)
            .allow_to(app, other, port, description)
    }

    /// Allows traffic from any IPv4 address on `port`
    /// ([`Connections::allow_from_any_ipv4`]).
    fn allow_from_any_ipv4(&self, app: &mut App, port: Port, description: &str) -> Result<()>
    where
        Self: Sized,
    {
        self.connections(app)
            .allow_from_any_ipv4(app, port, description)
    }

    /// Allows traffic from `other` on this side's default port
    /// ([`Connections::allow_default_port_from`]).
    fn allow_default_port_from(
        &self,
        app: &mut App,
        other: &(impl Connectable + ?Sized),
        description: &str,
    ) -> Result<()>
    where
        Self: Sized,
    {
        self.connections(app)
            .allow_default_port_from(app, other, description)
    }
}

impl Connectable for Connections {
    fn connections(&self, _app: &App) -> Connections {
        self.clone()
    }
}

impl Connectable for SecurityGroup {
    fn connections(&self, _app: &App) -> Connections {
        Connections::new(vec![*self])
    }
}

impl Connectable for Peer {
    fn connections(&self, _app: &App) -> Connections {
        Connections::of_peer(self.clone())
    }
}

impl<T: Connectable + ?Sized> Connectable for &T {
    fn connections(&self, app: &App) -> Connections {
        (**self).connections(app)
    }
}
