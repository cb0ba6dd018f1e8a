//! The [`Vpc`] construct and subnet selection.

use crate::app::{App, Construct, NodeId, Scope};
use crate::error::{ConstructError, Result};
use berth_synth::cfn::ec2::{
    self as cfn, CfnEip, CfnInternetGateway, CfnNatGateway, CfnRoute, CfnRouteTable, CfnSubnet,
    CfnSubnetRouteTableAssociation, CfnVpc, CfnVpcGatewayAttachment,
};
use berth_synth::resource::ResourceRef;
use berth_synth::{Expr, Intrinsic, Token, Value};
use std::any::Any;

/// The kind of a subnet group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubnetType {
    /// Routes to an internet gateway; instances may get public IPs.
    Public,
    /// Routes outbound traffic through a NAT gateway in a public subnet.
    PrivateWithEgress,
    /// No route out of the VPC.
    PrivateIsolated,
}

impl SubnetType {
    /// The value of CDK's `aws-cdk:subnet-type` tag: `Public`, `Private`, `Isolated`.
    pub fn tag_value(self) -> &'static str {
        match self {
            SubnetType::Public => "Public",
            SubnetType::PrivateWithEgress => "Private",
            SubnetType::PrivateIsolated => "Isolated",
        }
    }
}

props! {
    /// One subnet group: a subnet of this type in every AZ of the VPC.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct SubnetConfiguration {
        /// The group's name (`Public`); subnets are `<name>Subnet<n>` in the tree.
        pub name: String,
        /// The kind of subnets.
        pub subnet_type: SubnetType,
        /// The netmask of each subnet, 16 to 28. Default: the space left after the groups
        /// with a mask, divided evenly (CDK's allocation).
        pub cidr_mask: Option<u8>,
    }
}

impl SubnetConfiguration {
    /// A group with this name and type, and an even share of the address space.
    pub fn new(name: impl Into<String>, subnet_type: SubnetType) -> Self {
        SubnetConfiguration {
            name: name.into(),
            subnet_type,
            cidr_mask: None,
        }
    }

    /// The same group with a fixed netmask.
    pub fn with_cidr_mask(mut self, mask: u8) -> Self {
        self.cidr_mask = Some(mask);
        self
    }
}

props! {
    /// Options of a [`Vpc`].
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct VpcProps {
        /// The VPC's IPv4 range, `/16` to `/28`. Default: `10.0.0.0/16`.
        pub cidr: Option<String>,
        /// The most AZs to use (at least 1). Default: 3, but at most 2 when the AZs come
        /// from `Fn::GetAZs` (CDK's rule for environment-agnostic stacks: berth cannot know
        /// how many AZs the region has). Set it explicitly to use more.
        pub max_azs: Option<u32>,
        /// The AZs to use, e.g. `["eu-west-1a", "eu-west-1b"]`; the subnets then carry
        /// cfn-lint metadata that silences W3010 (hard-coded AZs), since they were asked
        /// for. Default: the first AZs of the region, as `Fn::Select` over `Fn::GetAZs`.
        pub availability_zones: Vec<String>,
        /// The subnet groups. Default: `Public` (public) and `Private` (private with
        /// egress), as in CDK.
        pub subnet_configuration: Vec<SubnetConfiguration>,
        /// The number of NAT gateways (at most one per AZ), placed in the first public
        /// subnets. Default: one per AZ if there are private-with-egress subnets, else 0.
        /// 0 with private-with-egress subnets is an error, as in CDK (make them isolated).
        pub nat_gateways: Option<u32>,
        /// DNS hostnames for instances. Default: true.
        pub enable_dns_hostnames: bool,
        /// DNS resolution. Default: true.
        pub enable_dns_support: bool,
        /// The `Name` tag of the VPC's resources. Default: the VPC's construct path.
        pub vpc_name: Option<String>,
    }
}

impl Default for VpcProps {
    fn default() -> Self {
        VpcProps {
            cidr: None,
            max_azs: None,
            availability_zones: Vec::new(),
            subnet_configuration: Vec::new(),
            nat_gateways: None,
            enable_dns_hostnames: true,
            enable_dns_support: true,
            vpc_name: None,
        }
    }
}

props! {
    /// Which subnets to use. The default selects the private-with-egress subnets if
    /// there are any, else the isolated ones, else the public ones (CDK's default).
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct SubnetSelection {
        /// Every subnet of this type. Default: see above.
        pub subnet_type: Option<SubnetType>,
        /// The subnets of the group with this name (not with `subnet_type`). Default: none.
        pub subnet_group_name: Option<String>,
        /// At most one subnet per AZ. Default: false.
        pub one_per_az: bool,
    }
}

impl SubnetSelection {
    /// Every subnet of a type.
    pub fn of_type(subnet_type: SubnetType) -> Self {
        SubnetSelection {
            subnet_type: Some(subnet_type),
            ..Default::default()
        }
    }

    /// The subnets of a named group.
    pub fn group(name: impl Into<String>) -> Self {
        SubnetSelection {
            subnet_group_name: Some(name.into()),
            ..Default::default()
        }
    }
}

/// What [`Vpc::select_subnets`] returns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SelectedSubnets {
    /// The subnet ids.
    pub subnet_ids: Vec<Value>,
    /// The AZ of each subnet (same order).
    pub availability_zones: Vec<Value>,
    /// The construct id of each subnet (same order), as CDK names them:
    /// `<group>Subnet<n>` (`PrivateSubnet1`). Constructs that make one resource per
    /// subnet (EFS mount targets) name them after it.
    pub subnet_names: Vec<String>,
    /// Whether the subnets are public.
    pub has_public: bool,
    /// The routes that give these subnets their internet connectivity (depend on them
    /// to be sure the network works before a resource starts).
    pub internet_dependencies: Vec<NodeId>,
}

#[derive(Clone, Debug)]
struct SubnetInfo {
    subnet_id: Value,
    az: Value,
    az_index: usize,
    route: Option<NodeId>,
}

#[derive(Clone, Debug)]
struct SubnetGroup {
    name: String,
    subnet_type: SubnetType,
    subnets: Vec<SubnetInfo>,
}

#[derive(Debug)]
pub(crate) struct VpcState {
    fqn: &'static str,
    pub(crate) vpc_id: Value,
    cidr: Value,
    azs: Vec<Value>,
    groups: Vec<SubnetGroup>,
}

impl Construct for VpcState {
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

props! {
    /// Attributes of an existing VPC, for [`Vpc::from_attributes`].
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct VpcAttributes {
        /// The VPC id.
        pub vpc_id: Value,
        /// Its AZs. Required when subnet ids are given; subnet lists are per AZ, in order.
        pub availability_zones: Vec<Value>,
        /// Public subnet ids (a multiple of the number of AZs). Default: none.
        pub public_subnet_ids: Vec<Value>,
        /// Private-with-egress subnet ids. Default: none.
        pub private_subnet_ids: Vec<Value>,
        /// Isolated subnet ids. Default: none.
        pub isolated_subnet_ids: Vec<Value>,
        /// The VPC's CIDR block. Default: unknown (`Null`).
        pub vpc_cidr_block: Option<Value>,
    }
}

/// A VPC with subnet groups across AZs, an internet gateway (when there are public
/// subnets), NAT gateways, route tables and default routes, laid out like CDK's `Vpc`
/// with CDK's construct ids, so logical IDs match: `Resource`, `PublicSubnet1/Subnet`,
/// `PublicSubnet1/RouteTable`, `PublicSubnet1/RouteTableAssociation`,
/// `PublicSubnet1/DefaultRoute`, `PublicSubnet1/EIP`, `PublicSubnet1/NATGateway`, `IGW`,
/// `VPCGW`. (CDK's custom resource that empties the default security group is not
/// created.)
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::ec2::{SubnetSelection, SubnetType, Vpc, VpcProps};
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Net", StackProps::default())?;
/// let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default().nat_gateways(1))?;
/// let public = vpc.select_subnets(&app, &SubnetSelection::of_type(SubnetType::Public))?;
/// assert_eq!(public.subnet_ids.len(), 2);
/// let out = app.synth()?;
/// let res = &out.stacks[0].template["Resources"];
/// assert_eq!(res["VpcPublicSubnet1Subnet5C2D37C4"]["Properties"]["CidrBlock"], "10.0.0.0/18");
/// assert_eq!(res["VpcPrivateSubnet2Subnet3788AAA1"]["Properties"]["CidrBlock"], "10.0.192.0/18");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Vpc {
    node: NodeId,
    resource: Option<ResourceRef<CfnVpc>>,
}

impl Scope for Vpc {
    fn node(&self) -> NodeId {
        self.node
    }
}

fn parse_cidr(s: &str) -> Option<(u32, u8)> {
    let (ip, mask) = s.split_once('/')?;
    let mask: u8 = mask.parse().ok()?;
    let parts: Vec<u8> = ip
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    if parts.len() != 4 || mask > 32 {
        return None;
    }
    let ip = u32::from_be_bytes([parts[0], parts[1], parts[2], parts[3]]);
    Some((ip, mask))
}

fn render_cidr(ip: u32, mask: u8) -> String {
    let b = ip.to_be_bytes();
    format!("{}.{}.{}.{}/{}", b[0], b[1], b[2], b[3], mask)
}

/// CDK's `NetworkBuilder`: subnets are carved in order, each aligned to its size.
struct NetworkBuilder {
    next: u64,
    end: u64, // one past the last address
    cidr: String,
}

impl NetworkBuilder {
    fn add_subnet(&mut self, mask: u8) -> std::result::Result<String, String> {
        if !(16..=28).contains(&mask) {
            return Err(format!(
                "subnets of /{mask} are not allowed; the mask must be between 16 and 28"
            ));
        }
        let size = 1u64 << (32 - mask);
        let start = self.next.div_ceil(size) * size;
        if start + size > self.end {
            return Err(format!(
                "a /{mask} subnet does not fit in the space left in {}; use a larger VPC CIDR, smaller subnets or fewer AZs",
                self.cidr
            ));
        }
        self.next = start + size;
        Ok(render_cidr(start as u32, mask))
    }

    fn mask_for_remaining(&self, count: usize) -> u8 {
        let remaining = self.end.saturating_sub(self.next);
        let per = remaining / count as u64;
        if per == 0 {
            return 33;
        }
        (32 - per.ilog2()) as u8
    }
}

impl Vpc {
    /// Creates a VPC under `scope`. Errors name the VPC's path and the property: a
    /// `max_azs` of 0, an invalid CIDR or mask, subnets that do not fit, duplicate
    /// group names, NAT gateways without public subnets or private-with-egress subnets
    /// without NAT gateways.
    pub fn new(app: &mut App, scope: impl Scope, id: &str, props: VpcProps) -> Result<Vpc> {
        let path = format!("{}/{id}", app.path(&scope));
        let bad = |prop: &str, msg: String| ConstructError::invalid(path.clone(), prop, msg);
        if props.max_azs == Some(0) {
            return Err(bad("max_azs", "max_azs must be at least 1, got 0".into()));
        }
        let cidr_text = props.cidr.clone().unwrap_or_else(|| "10.0.0.0/16".into());
        let (ip, mask) = parse_cidr(&cidr_text)
            .filter(|(_, m)| (16..=28).contains(m))
            .ok_or_else(|| {
                bad(
                    "cidr",
                    format!("invalid VPC CIDR \"{cidr_text}\": expected a.b.c.d/n with n between 16 and 28"),
                )
            })?;
        let size = 1u64 << (32 - mask);
        let base = (ip as u64 / size) * size;
        let configs = if props.subnet_configuration.is_empty() {
            vec![
                SubnetConfiguration::new("Public", SubnetType::Public),
                SubnetConfiguration::new("Private", SubnetType::PrivateWithEgress),
            ]
        } else {
            props.subnet_configuration.clone()
        };
        for (i, c) in configs.iter().enumerate() {
            if c.name.is_empty() || !c.name.chars().all(|ch| ch.is_ascii_alphanumeric()) {
                return Err(bad(
                    &format!("subnet_configuration[{i}].name"),
                    format!(
                        "invalid subnet group name \"{}\": use letters and digits only",
                        c.name
                    ),
                ));
            }
            if let Some(j) = configs[..i].iter().position(|o| o.name == c.name) {
                return Err(bad(
                    &format!("subnet_configuration[{i}].name"),
                    format!("duplicate subnet group name \"{}\": subnet_configuration[{j}] has it already", c.name),
                ));
            }
        }
        // AZs.
        let azs: Vec<Value> = if props.availability_zones.is_empty() {
            let n = props.max_azs.unwrap_or(2);
            (0..n)
                .map(|i| {
                    Intrinsic::Select(
                        Value::Int(i as i64),
                        Intrinsic::GetAzs(Value::from("")).into_value(),
                    )
                    .into_value()
                })
                .collect()
        } else {
            let n = props.max_azs.unwrap_or(3) as usize;
            props
                .availability_zones
                .iter()
                .take(n)
                .map(|a| Value::from(a.as_str()))
                .collect()
        };
        let has_public = configs.iter().any(|c| c.subnet_type == SubnetType::Public);
        let has_private = configs
            .iter()
            .any(|c| c.subnet_type == SubnetType::PrivateWithEgress);
        let nat_count = match props.nat_gateways {
            Some(n) => (n as usize).min(azs.len()),
            None if has_private => azs.len(),
            None => 0,
        };
        if nat_count == 0 && has_private {
            return Err(bad(
                "nat_gateways",
                "with nat_gateways = 0 there is no route out for private-with-egress subnets; make them PrivateIsolated or Public in subnet_configuration, or add NAT gateways".into(),
            ));
        }
        if nat_count > 0 && !has_public {
            return Err(bad(
                "nat_gateways",
                format!("{nat_count} NAT gateway(s) need a public subnet group to live in; add a Public group to subnet_configuration or set nat_gateways to 0"),
            ));
        }
        // CIDR allocation, CDK's way: groups with a mask first, then the rest evenly.
        let mut builder = NetworkBuilder {
            next: base,
            end: base + size,
            cidr: render_cidr(base as u32, mask),
        };
        let requested: Vec<(usize, usize)> = (0..configs.len())
            .flat_map(|c| (0..azs.len()).map(move |a| (c, a)))
            .collect();
        let mut cidrs: Vec<Option<String>> = vec![None; requested.len()];
        for (k, (c, _)) in requested.iter().enumerate() {
            if let Some(m) = configs[*c].cidr_mask {
                cidrs[k] = Some(
                    builder
                        .add_subnet(m)
                        .map_err(|e| bad(&format!("subnet_configuration[{c}].cidr_mask"), e))?,
                );
            }
        }
        let unmasked: Vec<usize> = (0..requested.len())
            .filter(|k| cidrs[*k].is_none())
            .collect();
        if !unmasked.is_empty() {
            let m = builder.mask_for_remaining(unmasked.len());
            for k in unmasked {
                let c = requested[k].0;
                cidrs[k] = Some(builder.add_subnet(m.min(28)).map_err(|e| {
                    bad(
                        &format!("subnet_configuration[{c}]"),
                        format!(
                            "cannot fit {} subnets in {}: {e}",
                            requested.len(),
                            builder.cidr
                        ),
                    )
                })?);
            }
        }

        // The tree.
        let node = app.add_construct(
            scope,
            id,
            VpcState {
                fqn: "berth.ec2.Vpc",
                vpc_id: Value::Null,
                cidr: Value::Null,
                azs: azs.clone(),
                groups: Vec::new(),
            },
        )?;
        let name_tag = props.vpc_name.clone().unwrap_or_else(|| path.clone());
        app.add_tag(node, "Name", &name_tag);
        let vpc = app.add_resource(
            node,
            "Resource",
            CfnVpc {
                cidr_block: Some(render_cidr(base as u32, mask).into()),
                enable_dns_hostnames: Some(props.enable_dns_hostnames.into()),
                enable_dns_support: Some(props.enable_dns_support.into()),
                instance_tenancy: Some(cfn::vpc::InstanceTenancy::Default.into()),
                ..CfnVpc::default()
            },
        )?;
        let vpc_id: Expr<String> = vpc.ref_().into();

        struct Made {
            group: usize,
            az: usize,
            node: NodeId,
            subnet: ResourceRef<CfnSubnet>,
            table: ResourceRef<CfnRouteTable>,
        }
        let mut made: Vec<Made> = Vec::new();
        let mut groups: Vec<SubnetGroup> = Vec::new();
        for (k, (c, a)) in requested.iter().enumerate() {
            let conf = &configs[*c];
            let sid = format!("{}Subnet{}", conf.name, a + 1);
            let snode = app.add_group(node, &sid)?;
            app.add_tag(snode, "Name", &format!("{path}/{sid}"));
            let subnet = app.add_resource(
                snode,
                "Subnet",
                CfnSubnet {
                    availability_zone: Some(azs[*a].clone().into_expr()),
                    cidr_block: cidrs[k].clone().map(Into::into),
                    map_public_ip_on_launch: Some((conf.subnet_type == SubnetType::Public).into()),
                    tags: Some(Expr::Lit(vec![
                        cfn::subnet::Tag {
                            key: Some("aws-cdk:subnet-name".into()),
                            value: Some(conf.name.clone().into()),
                        },
                        cfn::subnet::Tag {
                            key: Some("aws-cdk:subnet-type".into()),
                            value: Some(conf.subnet_type.tag_value().into()),
                        },
                    ])),
                    vpc_id: Some(vpc_id.clone()),
                    ..CfnSubnet::default()
                },
            )?;
            if !props.availability_zones.is_empty() {
                // The AZs were asked for by name: tell cfn-lint that is deliberate.
                app.add_metadata(
                    subnet,
                    "cfn-lint",
                    Value::map([(
                        "config",
                        Value::map([("ignore_checks", Value::List(vec![Value::from("W3010")]))]),
                    )]),
                )?;
            }
            let table = app.add_resource(
                snode,
                "RouteTable",
                CfnRouteTable {
                    vpc_id: Some(vpc_id.clone()),
                    ..CfnRouteTable::default()
                },
            )?;
            app.add_resource(
                snode,
                "RouteTableAssociation",
                CfnSubnetRouteTableAssociation {
                    route_table_id: Some(table.ref_().into()),
                    subnet_id: Some(subnet.ref_().into()),
                },
            )?;
            if groups.len() <= *c {
                groups.push(SubnetGroup {
                    name: conf.name.clone(),
                    subnet_type: conf.subnet_type,
                    subnets: Vec::new(),
                });
            }
            groups[*c].subnets.push(SubnetInfo {
                subnet_id: subnet.ref_().into(),
                az: azs[*a].clone(),
                az_index: *a,
                route: None,
            });
            made.push(Made {
                group: *c,
                az: *a,
                node: snode,
                subnet,
                table,
            });
        }

        if has_public {
            let igw = app.add_resource(node, "IGW", CfnInternetGateway::default())?;
            let att = app.add_resource(
                node,
                "VPCGW",
                CfnVpcGatewayAttachment {
                    internet_gateway_id: Some(igw.ref_().into()),
                    vpc_id: Some(vpc_id.clone()),
                    vpn_gateway_id: None,
                },
            )?;
            for m in made
                .iter()
                .filter(|m| configs[m.group].subnet_type == SubnetType::Public)
            {
                let route = app.add_resource(
                    m.node,
                    "DefaultRoute",
                    CfnRoute {
                        destination_cidr_block: Some("0.0.0.0/0".into()),
                        gateway_id: Some(igw.ref_().into()),
                        route_table_id: Some(m.table.ref_().into()),
                        ..CfnRoute::default()
                    },
                )?;
                app.add_dependency(route, att);
                set_route(&mut groups, m.group, m.az, route.id());
            }
        }
        // NAT gateways in the first public subnets, one per AZ.
        let mut nats: Vec<(usize, ResourceRef<CfnNatGateway>)> = Vec::new();
        for m in made
            .iter()
            .filter(|m| configs[m.group].subnet_type == SubnetType::Public)
            .take(nat_count)
        {
            let eip = app.add_resource(
                m.node,
                "EIP",
                CfnEip {
                    domain: Some("vpc".into()),
                    ..CfnEip::default()
                },
            )?;
            let nat = app.add_resource(
                m.node,
                "NATGateway",
                CfnNatGateway {
                    allocation_id: Some(eip.attr_allocation_id().into()),
                    subnet_id: Some(m.subnet.ref_().into()),
                    ..CfnNatGateway::default()
                },
            )?;
            // CDK: the NAT gateway waits for the subnet's route to the internet.
            if let Some(route) = app.child(m.node, "DefaultRoute") {
                app.add_dependency(nat, route);
            }
            if let Some(assoc) = app.child(m.node, "RouteTableAssociation") {
                app.add_dependency(nat, assoc);
            }
            nats.push((m.az, nat));
        }
        for m in made
            .iter()
            .filter(|m| configs[m.group].subnet_type == SubnetType::PrivateWithEgress)
        {
            // The NAT gateway in the same AZ, else round-robin (CDK's PrefSet).
            let nat = nats
                .iter()
                .find(|(az, _)| *az == m.az)
                .or_else(|| nats.get(m.az % nats.len().max(1)))
                .map(|(_, n)| *n);
            if let Some(nat) = nat {
                let route = app.add_resource(
                    m.node,
                    "DefaultRoute",
                    CfnRoute {
                        destination_cidr_block: Some("0.0.0.0/0".into()),
                        nat_gateway_id: Some(nat.ref_().into()),
                        route_table_id: Some(m.table.ref_().into()),
                        ..CfnRoute::default()
                    },
                )?;
                set_route(&mut groups, m.group, m.az, route.id());
            }
        }
        if let Some(s) = app.construct_mut::<VpcState>(node) {
            s.vpc_id = vpc.ref_().into();
            s.cidr = Value::from(render_cidr(base as u32, mask));
            s.groups = groups;
        }
        app.set_attribute(node, "CidrBlock", render_cidr(base as u32, mask));
        Ok(Vpc {
            node,
            resource: Some(vpc),
        })
    }

    /// An existing VPC by ids. Subnet ids are given per type, as many per AZ in
    /// `availability_zones` order (`[a-1, b-1, a-2, b-2]` for two groups in AZs a, b);
    /// they are grouped as `Public`, `Private` and `Isolated`.
    pub fn from_attributes(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        attrs: VpcAttributes,
    ) -> Result<Vpc> {
        let path = format!("{}/{id}", app.path(&scope));
        let mut groups = Vec::new();
        for (name, t, ids, prop) in [
            (
                "Public",
                SubnetType::Public,
                &attrs.public_subnet_ids,
                "public_subnet_ids",
            ),
            (
                "Private",
                SubnetType::PrivateWithEgress,
                &attrs.private_subnet_ids,
                "private_subnet_ids",
            ),
            (
                "Isolated",
                SubnetType::PrivateIsolated,
                &attrs.isolated_subnet_ids,
                "isolated_subnet_ids",
            ),
        ] {
            if ids.is_empty() {
                continue;
            }
            let n = attrs.availability_zones.len();
            if n == 0 || ids.len() % n != 0 {
                return Err(ConstructError::invalid(
                    path,
                    prop,
                    format!(
                        "{} subnet ids are not a multiple of the {n} availability zones given; give one subnet per AZ per group, in AZ order",
                        ids.len()
                    ),
                ));
            }
            groups.push(SubnetGroup {
                name: name.into(),
                subnet_type: t,
                subnets: ids
                    .iter()
                    .enumerate()
                    .map(|(i, sid)| SubnetInfo {
                        subnet_id: sid.clone(),
                        az: attrs.availability_zones[i % n].clone(),
                        az_index: i % n,
                        route: None,
                    })
                    .collect(),
            });
        }
        let node = app.add_construct(
            scope,
            id,
            VpcState {
                fqn: "berth.ec2.ImportedVpc",
                vpc_id: attrs.vpc_id,
                cidr: attrs.vpc_cidr_block.unwrap_or_default(),
                azs: attrs.availability_zones,
                groups,
            },
        )?;
        if let Some(s) = app.construct::<VpcState>(node) {
            let (id, cidr) = (s.vpc_id.clone(), s.cidr.clone());
            app.set_attribute(node, "VpcId", id);
            app.set_attribute(node, "CidrBlock", cidr);
        }
        Ok(Vpc {
            node,
            resource: None,
        })
    }

    /// The VPC id.
    pub fn vpc_id(&self) -> Token<String> {
        match self.resource {
            Some(r) => r.ref_(),
            None => Token::get_att(self.node, "VpcId"),
        }
    }

    /// The VPC's CIDR block (as given to [`Vpc::new`], or to
    /// [`Vpc::from_attributes`]: `Null` if it was not).
    pub fn vpc_cidr_block(&self) -> Token<String> {
        Token::get_att(self.node, "CidrBlock")
    }

    /// The AZs of the VPC.
    pub fn availability_zones(&self, app: &App) -> Vec<Value> {
        app.construct::<VpcState>(self.node)
            .map(|s| s.azs.clone())
            .unwrap_or_default()
    }

    /// The L1 VPC, for escape hatches (`None` when imported).
    pub fn cfn(&self) -> Option<ResourceRef<CfnVpc>> {
        self.resource
    }

    /// The subnets a selection picks. A selection that matches nothing is an error
    /// naming the VPC's path and what was asked.
    pub fn select_subnets(
        &self,
        app: &App,
        selection: &SubnetSelection,
    ) -> Result<SelectedSubnets> {
        let empty = Vec::new();
        let groups = app
            .construct::<VpcState>(self.node)
            .map(|s| &s.groups)
            .unwrap_or(&empty);
        let err =
            |msg: String| ConstructError::invalid(app.path(self.node), "subnet_selection", msg);
        let chosen: Vec<&SubnetGroup> = match (&selection.subnet_type, &selection.subnet_group_name)
        {
            (Some(_), Some(_)) => {
                return Err(err(
                    "give only one of subnet_type and subnet_group_name".into()
                ))
            }
            (_, Some(name)) => {
                let g: Vec<_> = groups.iter().filter(|g| &g.name == name).collect();
                if g.is_empty() {
                    let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
                    return Err(err(format!(
                        "there is no subnet group named \"{name}\" in this VPC; available names: {}",
                        list_or_none(&names)
                    )));
                }
                g
            }
            (t, None) => {
                let t = match t {
                    Some(t) => *t,
                    None => [
                        SubnetType::PrivateWithEgress,
                        SubnetType::PrivateIsolated,
                        SubnetType::Public,
                    ]
                    .into_iter()
                    .find(|t| groups.iter().any(|g| g.subnet_type == *t))
                    .ok_or_else(|| err("this VPC has no subnets to select from".into()))?,
                };
                let g: Vec<_> = groups.iter().filter(|g| g.subnet_type == t).collect();
                if g.is_empty() {
                    let mut types: Vec<String> = Vec::new();
                    for g in groups {
                        let s = format!("{:?}", g.subnet_type);
                        if !types.contains(&s) {
                            types.push(s);
                        }
                    }
                    let types: Vec<&str> = types.iter().map(String::as_str).collect();
                    return Err(err(format!(
                        "there are no {t:?} subnets in this VPC; available types: {}",
                        list_or_none(&types)
                    )));
                }
                g
            }
        };
        let mut out = SelectedSubnets {
            has_public: chosen.iter().any(|g| g.subnet_type == SubnetType::Public),
            ..Default::default()
        };
        let mut seen_az = Vec::new();
        for (group, s) in chosen
            .iter()
            .flat_map(|g| g.subnets.iter().map(move |s| (&g.name, s)))
        {
            if selection.one_per_az {
                if seen_az.contains(&s.az_index) {
                    continue;
                }
                seen_az.push(s.az_index);
            }
            out.subnet_names
                .push(format!("{group}Subnet{}", s.az_index + 1));
            out.subnet_ids.push(s.subnet_id.clone());
            out.availability_zones.push(s.az.clone());
            out.internet_dependencies.extend(s.route);
        }
        Ok(out)
    }
}

fn list_or_none(items: &[&str]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

fn set_route(groups: &mut [SubnetGroup], group: usize, az: usize, route: NodeId) {
    if let Some(s) = groups
        .get_mut(group)
        .and_then(|g| g.subnets.iter_mut().find(|s| s.az_index == az))
    {
        s.route = Some(route);
    }
}

trait IntoExpr {
    fn into_expr(self) -> Expr<String>;
}

impl IntoExpr for Value {
    fn into_expr(self) -> Expr<String> {
        crate::iam::value_expr(self)
    }
}
