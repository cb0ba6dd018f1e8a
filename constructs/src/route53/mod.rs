//! Route 53: an existing [`HostedZone`] (by id and name, no lookup) and [`ARecord`],
//! an A record in it, e.g. an alias to a load balancer ([`RecordTarget::load_balancer`],
//! CDK's `LoadBalancerTarget`).
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use berth_constructs::ec2::{Vpc, VpcProps};
//! use berth_constructs::elbv2::{ApplicationLoadBalancer, ApplicationLoadBalancerProps};
//! use berth_constructs::route53::{ARecord, ARecordProps, HostedZone, RecordTarget};
//! use berth_constructs::{App, Stack, StackProps};
//!
//! let mut app = App::new();
//! let stack = Stack::new(&mut app, "Web", StackProps::default())?;
//! let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default())?;
//! let lb = ApplicationLoadBalancer::new(&mut app, stack, "LB", &vpc,
//!     ApplicationLoadBalancerProps { internet_facing: true, ..Default::default() })?;
//! let zone = HostedZone::from_attributes("Z0123456789ABCDEFGHIJ", "example.com");
//! let target = RecordTarget::load_balancer(&lb);
//! ARecord::new(&mut app, stack, "Www", ARecordProps::new(&zone, target).with_record_name("www"))?;
//! let out = app.synth()?;
//! let id = |p: &[&str]| berth_synth::logical_id::make_unique_id(p).unwrap_or_default();
//! let p = &out.stacks[0].template["Resources"][id(&["Www", "Resource"])]["Properties"];
//! assert_eq!(p["Name"], "www.example.com.");
//! assert_eq!(p["HostedZoneId"], "Z0123456789ABCDEFGHIJ");
//! let lb_id = id(&["LB", "Resource"]);
//! assert_eq!(p["AliasTarget"], serde_json::json!({
//!     "DNSName": {"Fn::Join": ["", ["dualstack.", {"Fn::GetAtt": [&lb_id, "DNSName"]}]]},
//!     "HostedZoneId": {"Fn::GetAtt": [&lb_id, "CanonicalHostedZoneID"]},
//! }));
//! # Ok(())
//! # }
//! ```

use crate::app::{App, NodeId, Scope};
use crate::elbv2::{ApplicationLoadBalancer, NetworkLoadBalancer};
use crate::error::{ConstructError, Result};
use crate::iam::{join, value_expr};
use berth_synth::cfn::route53::{record_set, CfnRecordSet};
use berth_synth::resource::ResourceRef;
use berth_synth::{Expr, Value};

#[cfg(test)]
mod tests;

/// A Route 53 hosted zone that exists already (CDK's
/// `HostedZone.fromHostedZoneAttributes`): its id and its domain name. berth does not
/// look zones up; nothing is checked against AWS.
#[derive(Clone, Debug, PartialEq)]
pub struct HostedZone {
    hosted_zone_id: Value,
    zone_name: String,
}

impl HostedZone {
    /// The zone with this id (`Z0123456789ABCDEFGHIJ`, or a token) and domain name
    /// (`example.com`; a trailing dot is dropped).
    pub fn from_attributes(hosted_zone_id: impl Into<Value>, zone_name: impl Into<String>) -> Self {
        let zone_name: String = zone_name.into();
        HostedZone {
            hosted_zone_id: hosted_zone_id.into(),
            zone_name: zone_name.trim_end_matches('.').to_owned(),
        }
    }

    /// The zone's id.
    pub fn hosted_zone_id(&self) -> &Value {
        &self.hosted_zone_id
    }

    /// The zone's domain name, without a trailing dot.
    pub fn zone_name(&self) -> &str {
        &self.zone_name
    }

    /// The fully qualified name of `record_name` in this zone, with a trailing dot, as
    /// CDK writes it: a name ending in `.` is kept, a name in the zone (or the zone's
    /// own name) gets the dot, any other name is taken as relative to the zone
    /// (`www` → `www.example.com.`).
    pub fn fully_qualified_name(&self, record_name: &str) -> String {
        if record_name.ends_with('.') {
            return record_name.to_owned();
        }
        let suffix = format!(".{}", self.zone_name);
        if record_name == self.zone_name || record_name.ends_with(&suffix) {
            format!("{record_name}.")
        } else {
            format!("{record_name}{suffix}.")
        }
    }
}

props! {
    /// An alias: the DNS name and hosted zone of an AWS resource (CDK's
    /// `AliasRecordTargetConfig`).
    #[derive(Clone, Debug, PartialEq)]
    pub struct AliasRecordTarget {
        /// The resource's DNS name. Required.
        pub dns_name: Value,
        /// The resource's hosted zone (not the record's). Required.
        pub hosted_zone_id: Value,
        /// Answer only while the resource is healthy. Default: not rendered (false).
        pub evaluate_target_health: Option<bool>,
    }
}

/// What an [`ARecord`] answers with.
#[derive(Clone, Debug, PartialEq)]
pub enum RecordTarget {
    /// Fixed IPv4 addresses.
    Addresses(Vec<String>),
    /// An alias to an AWS resource (no TTL: Route 53 uses the resource's).
    Alias(AliasRecordTarget),
}

impl RecordTarget {
    /// IPv4 addresses.
    pub fn from_ip_addresses<S: Into<String>>(addresses: impl IntoIterator<Item = S>) -> Self {
        RecordTarget::Addresses(addresses.into_iter().map(Into::into).collect())
    }

    /// An alias to an application load balancer, as CDK's `LoadBalancerTarget`:
    /// `dualstack.<DNSName>` in the load balancer's `CanonicalHostedZoneID`.
    pub fn load_balancer(load_balancer: &ApplicationLoadBalancer) -> Self {
        Self::elb(
            load_balancer.dns_name().into(),
            load_balancer.canonical_hosted_zone_id().into(),
        )
    }

    /// An alias to a network load balancer (as [`RecordTarget::load_balancer`]).
    pub fn network_load_balancer(load_balancer: &NetworkLoadBalancer) -> Self {
        Self::elb(
            load_balancer.dns_name().into(),
            load_balancer.canonical_hosted_zone_id().into(),
        )
    }

    fn elb(dns_name: Value, hosted_zone_id: Value) -> Self {
        RecordTarget::Alias(AliasRecordTarget {
            dns_name: join([Value::from("dualstack."), dns_name]),
            hosted_zone_id,
            evaluate_target_health: None,
        })
    }
}

props! {
    /// Options of an [`ARecord`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct ARecordProps {
        /// The zone to add the record to. Required.
        pub zone: HostedZone,
        /// The name, relative to the zone or fully qualified (see
        /// [`HostedZone::fully_qualified_name`]). Default: the zone's own name.
        pub record_name: Option<String>,
        /// What the record answers with. Required.
        pub target: RecordTarget,
        /// The TTL in seconds of a record with addresses (not allowed on an alias).
        /// Default: 1800 for addresses (as CDK).
        pub ttl_seconds: Option<u32>,
        /// A comment. Default: none.
        pub comment: Option<String>,
    }
}

impl ARecordProps {
    /// A record for the zone's own name answering with `target`.
    pub fn new(zone: &HostedZone, target: RecordTarget) -> Self {
        ARecordProps {
            zone: zone.clone(),
            record_name: None,
            target,
            ttl_seconds: None,
            comment: None,
        }
    }

    /// The same props with a record name.
    pub fn with_record_name(mut self, record_name: impl Into<String>) -> Self {
        self.record_name = Some(record_name.into());
        self
    }
}

/// An A record (CDK's `ARecord`). Its L1 child is `Resource` (`AWS::Route53::RecordSet`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ARecord {
    node: NodeId,
    resource: ResourceRef<CfnRecordSet>,
}

impl Scope for ARecord {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl ARecord {
    /// Creates the record under `scope`. Checked: a name without spaces, at least one
    /// address, no TTL on an alias.
    pub fn new(app: &mut App, scope: impl Scope, id: &str, props: ARecordProps) -> Result<ARecord> {
        let path = format!("{}/{id}", app.path(&scope));
        let bad = |prop: &str, msg: String| ConstructError::invalid(path.clone(), prop, msg);
        if let Some(n) = &props.record_name {
            if n.trim().is_empty() || n.chars().any(char::is_whitespace) {
                return Err(bad(
                    "record_name",
                    format!("invalid record name \"{n}\": give a domain name without spaces, e.g. www or www.example.com"),
                ));
            }
        }
        let name = props.zone.fully_qualified_name(
            props
                .record_name
                .as_deref()
                .unwrap_or(props.zone.zone_name()),
        );
        let (alias_target, resource_records, ttl) = match props.target {
            RecordTarget::Addresses(a) => {
                if a.is_empty() {
                    return Err(bad(
                        "target",
                        "an A record needs at least one IPv4 address".into(),
                    ));
                }
                let ttl = props.ttl_seconds.unwrap_or(1800);
                (
                    None,
                    Some(Expr::Lit(a.into_iter().map(Expr::from).collect())),
                    Some(ttl.to_string().into()),
                )
            }
            RecordTarget::Alias(t) => {
                if let Some(ttl) = props.ttl_seconds {
                    return Err(bad(
                        "ttl_seconds",
                        format!("an alias record has no TTL of its own (Route 53 uses the target's), so ttl_seconds ({ttl}) cannot be given"),
                    ));
                }
                (
                    Some(Expr::Lit(record_set::AliasTarget {
                        dns_name: Some(value_expr(t.dns_name)),
                        evaluate_target_health: t.evaluate_target_health.map(Into::into),
                        hosted_zone_id: Some(value_expr(t.hosted_zone_id)),
                    })),
                    None,
                    None,
                )
            }
        };
        let node = app.add_group(scope, id)?;
        let resource = app.add_resource(
            node,
            "Resource",
            CfnRecordSet {
                alias_target,
                comment: props.comment.map(Into::into),
                hosted_zone_id: Some(value_expr(props.zone.hosted_zone_id.clone())),
                name: Some(name.into()),
                resource_records,
                ttl,
                type_: Some("A".into()),
                ..Default::default()
            },
        )?;
        Ok(ARecord { node, resource })
    }

    /// The record's domain name (`Ref`, as CDK's `domainName`).
    pub fn domain_name(&self) -> Value {
        self.resource.ref_().into()
    }

    /// The fully qualified name rendered, with its trailing dot (`www.example.com.`).
    pub fn fully_qualified_name(&self, app: &App) -> String {
        match &app.resource(self.resource).name {
            Some(Expr::Lit(n)) => n.clone(),
            _ => String::new(),
        }
    }

    /// The L1 record set, for escape hatches.
    pub fn cfn(&self) -> ResourceRef<CfnRecordSet> {
        self.resource
    }
}
