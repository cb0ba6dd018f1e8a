//! Elastic Load Balancing v2: [`ApplicationLoadBalancer`], [`NetworkLoadBalancer`],
//! their [`Listener`]s and [`ListenerRule`]s, [`TargetGroup`]s, and the
//! [`LoadBalancerTarget`] trait through which anything (an ECS service, an IP address)
//! registers in a target group.
//!
//! One [`Listener`] type and one [`TargetGroup`] type serve both kinds of load
//! balancer (CDK's `ApplicationListener`/`NetworkListener` and
//! `ApplicationTargetGroup`/`NetworkTargetGroup`): the [`Protocol`] says which, and
//! a protocol the load balancer does not speak is an error.
//!
//! `listener.add_targets(..)` creates a target group (`<id>Group`, as CDK), forwards
//! to it (from the default action, or from a rule `<id>Rule` when a priority is
//! given), registers the targets, and opens exactly the targets' port from the load
//! balancer's security group to the targets' security groups.
//!
//! Diagnostics found at synth: `BERTH-E0400` two rules of a listener with one
//! priority, `BERTH-E0401` a health check on a port the targets do not listen on,
//! `BERTH-E0402` a listener without a default action, `BERTH-E0403` a target group
//! without a port.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use berth_constructs::ec2::{Vpc, VpcProps};
//! use berth_constructs::elbv2::{
//!     AddTargetsProps, ApplicationLoadBalancer, ApplicationLoadBalancerProps, IpTarget,
//!     ListenerProps,
//! };
//! use berth_constructs::{App, Stack, StackProps};
//!
//! let mut app = App::new();
//! let stack = Stack::new(&mut app, "Web", StackProps::default())?;
//! let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default())?;
//! let lb = ApplicationLoadBalancer::new(&mut app, stack, "LB", &vpc,
//!     ApplicationLoadBalancerProps { internet_facing: true, ..Default::default() })?;
//! let http = lb.add_listener(&mut app, "Http", ListenerProps::default())?;
//! let target = IpTarget::new("10.0.128.10", 8080);
//! http.add_targets(&mut app, "Web", AddTargetsProps {
//!     targets: vec![&target],
//!     ..Default::default()
//! })?;
//! let out = app.synth()?;
//! let res = out.stacks[0].template["Resources"].as_object().ok_or("not an object")?;
//! let tg = res.values().find(|r| r["Type"] == "AWS::ElasticLoadBalancingV2::TargetGroup").ok_or("not found")?;
//! assert_eq!(tg["Properties"]["Port"], 8080);
//! assert_eq!(tg["Properties"]["TargetType"], "ip");
//! # Ok(())
//! # }
//! ```

mod ecs_target;
mod listener;
mod load_balancer;
mod metrics;
mod target_group;

pub use ecs_target::EcsServiceTarget;
pub use listener::{
    AddActionProps, AddTargetsProps, Listener, ListenerAction, ListenerCertificate,
    ListenerCondition, ListenerProps, ListenerRule, RedirectOptions, RedirectProps,
};
pub use load_balancer::{
    ApplicationLoadBalancer, ApplicationLoadBalancerProps, NetworkLoadBalancer,
    NetworkLoadBalancerProps,
};
pub use metrics::{HttpCodeElb, HttpCodeTarget};
pub use target_group::{
    HealthCheck, IpTarget, LoadBalancerTarget, TargetAttachment, TargetGroup, TargetGroupInfo,
    TargetGroupProps, TargetRegistration,
};

#[cfg(test)]
mod tests;

use berth_synth::cfn::elbv2::{listener as l1_listener, target_group as l1_tg};

/// Which kind of load balancer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoadBalancerKind {
    /// An application load balancer (HTTP, HTTPS).
    Application,
    /// A network load balancer (TCP, TLS, UDP, TCP_UDP).
    Network,
}

impl LoadBalancerKind {
    fn noun(self) -> &'static str {
        match self {
            LoadBalancerKind::Application => "an application load balancer",
            LoadBalancerKind::Network => "a network load balancer",
        }
    }
    fn allowed(self) -> &'static str {
        match self {
            LoadBalancerKind::Application => "HTTP, HTTPS",
            LoadBalancerKind::Network => "TCP, TLS, UDP, TCP_UDP",
        }
    }
}

/// The protocol of a listener or a target group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// HTTP (application load balancers).
    Http,
    /// HTTPS (application load balancers).
    Https,
    /// TCP (network load balancers).
    Tcp,
    /// TLS (network load balancers).
    Tls,
    /// UDP (network load balancers).
    Udp,
    /// TCP and UDP on one port (network load balancers).
    TcpUdp,
}

impl Protocol {
    /// The value CloudFormation expects (`HTTP`, `TCP_UDP`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Http => "HTTP",
            Protocol::Https => "HTTPS",
            Protocol::Tcp => "TCP",
            Protocol::Tls => "TLS",
            Protocol::Udp => "UDP",
            Protocol::TcpUdp => "TCP_UDP",
        }
    }

    /// The kind of load balancer that speaks this protocol.
    pub fn kind(self) -> LoadBalancerKind {
        match self {
            Protocol::Http | Protocol::Https => LoadBalancerKind::Application,
            _ => LoadBalancerKind::Network,
        }
    }

    /// Whether the protocol carries TLS (a listener needs a certificate).
    pub fn is_secure(self) -> bool {
        matches!(self, Protocol::Https | Protocol::Tls)
    }

    fn listener(self) -> l1_listener::Protocol {
        match self {
            Protocol::Http => l1_listener::Protocol::Http,
            Protocol::Https => l1_listener::Protocol::Https,
            Protocol::Tcp => l1_listener::Protocol::Tcp,
            Protocol::Tls => l1_listener::Protocol::Tls,
            Protocol::Udp => l1_listener::Protocol::Udp,
            Protocol::TcpUdp => l1_listener::Protocol::TcpUdp,
        }
    }

    fn target_group(self) -> l1_tg::Protocol {
        match self {
            Protocol::Http => l1_tg::Protocol::Http,
            Protocol::Https => l1_tg::Protocol::Https,
            Protocol::Tcp => l1_tg::Protocol::Tcp,
            Protocol::Tls => l1_tg::Protocol::Tls,
            Protocol::Udp => l1_tg::Protocol::Udp,
            Protocol::TcpUdp => l1_tg::Protocol::TcpUdp,
        }
    }

    fn health_check(self) -> l1_tg::HealthCheckProtocol {
        match self {
            Protocol::Http => l1_tg::HealthCheckProtocol::Http,
            Protocol::Https => l1_tg::HealthCheckProtocol::Https,
            Protocol::Tls => l1_tg::HealthCheckProtocol::Tls,
            Protocol::Tcp | Protocol::Udp | Protocol::TcpUdp => l1_tg::HealthCheckProtocol::Tcp,
        }
    }

    fn check(self, kind: LoadBalancerKind, path: &str, property: &str) -> crate::error::Result<()> {
        if self.kind() == kind {
            Ok(())
        } else {
            Err(crate::ConstructError::invalid(
                path,
                property,
                format!(
                    "protocol {} is not allowed on {}; use one of: {}",
                    self.as_str(),
                    kind.noun(),
                    kind.allowed()
                ),
            ))
        }
    }
}

/// How targets are addressed in a target group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetType {
    /// By IP address: tasks in `awsvpc` network mode (Fargate), IP targets.
    Ip,
    /// By instance id and port: tasks in `bridge` or `host` network mode on EC2.
    Instance,
}

impl TargetType {
    fn l1(self) -> l1_tg::TargetType {
        match self {
            TargetType::Ip => l1_tg::TargetType::Ip,
            TargetType::Instance => l1_tg::TargetType::Instance,
        }
    }
    fn as_str(self) -> &'static str {
        match self {
            TargetType::Ip => "ip",
            TargetType::Instance => "instance",
        }
    }
}
