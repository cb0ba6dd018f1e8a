//! EC2 networking: [`Vpc`] (subnet groups, gateways, routes, laid out like CDK's),
//! subnet selection, [`SecurityGroup`], [`Port`], [`Peer`], and the connections model
//! ([`Connections`], [`Connectable`]).
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use berth_constructs::ec2::{Vpc, VpcProps};
//! use berth_constructs::{App, Stack, StackProps};
//!
//! let mut app = App::new();
//! let stack = Stack::new(&mut app, "Net", StackProps::default())?;
//! Vpc::new(&mut app, stack, "Vpc", VpcProps::default())?;
//! let out = app.synth()?;
//! let res = out.stacks[0].template["Resources"].as_object().ok_or("not an object")?;
//! // Two AZs by default: two NAT gateways, one per AZ.
//! assert_eq!(res.values().filter(|r| r["Type"] == "AWS::EC2::NatGateway").count(), 2);
//! # Ok(())
//! # }
//! ```

mod security_group;
mod vpc;

pub use security_group::{
    Connectable, Connections, Peer, Port, Protocol, SecurityGroup, SecurityGroupProps,
};
pub use vpc::{
    SelectedSubnets, SubnetConfiguration, SubnetSelection, SubnetType, Vpc, VpcAttributes, VpcProps,
};

#[cfg(test)]
mod tests;
