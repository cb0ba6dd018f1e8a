//! AWS Certificate Manager: [`Certificate`], a public certificate validated through DNS.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use berth_constructs::certificatemanager::{Certificate, CertificateProps};
//! use berth_constructs::{App, Stack, StackProps};
//!
//! let mut app = App::new();
//! let stack = Stack::new(&mut app, "Web", StackProps::default())?;
//! Certificate::new(&mut app, stack, "Cert", CertificateProps::new("example.com"))?;
//! let out = app.synth()?;
//! let cert = &out.stacks[0].template["Resources"]["Cert5C9FAEC1"];
//! assert_eq!(cert["Properties"]["ValidationMethod"], "DNS");
//! # Ok(())
//! # }
//! ```

use crate::app::{App, NodeId, Scope};
use crate::error::{ConstructError, Result};
use crate::iam::value_expr;
use berth_synth::cfn::certificatemanager::{certificate, CfnCertificate};
use berth_synth::resource::ResourceRef;
use berth_synth::{Expr, Token, Value};

#[cfg(test)]
mod tests;

props! {
    /// Options of a [`Certificate`].
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct CertificateProps {
        /// The fully qualified domain name, e.g. `www.example.com` or `*.example.com`.
        /// Required (there is no default).
        pub domain_name: String,
        /// More names the certificate covers. Default: none.
        pub subject_alternative_names: Vec<String>,
        /// The Route 53 hosted zone that holds every name, so that ACM writes the
        /// validation records itself (`DomainValidationOptions`). Without it, the CNAME
        /// records ACM asks for must be created by hand while the stack deploys.
        /// Default: none.
        pub hosted_zone_id: Option<Value>,
    }
}

impl CertificateProps {
    /// A certificate for one name, validated through DNS.
    pub fn new(domain_name: impl Into<String>) -> Self {
        CertificateProps::default().domain_name(domain_name.into())
    }
}

/// A public ACM certificate with DNS validation. Its L1 child is `Resource`
/// (`AWS::CertificateManager::Certificate`), as in CDK.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::certificatemanager::{Certificate, CertificateProps};
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
/// let cert = Certificate::new(&mut app, stack, "Cert", CertificateProps {
///     domain_name: "example.com".into(),
///     subject_alternative_names: vec!["www.example.com".into()],
///     hosted_zone_id: Some("Z0123456789ABCDEFGHIJ".into()),
/// })?;
/// assert!(cert.certificate_arn().as_value().is_token());
/// let out = app.synth()?;
/// let p = &out.stacks[0].template["Resources"]["Cert5C9FAEC1"]["Properties"];
/// assert_eq!(p["SubjectAlternativeNames"][0], "www.example.com");
/// assert_eq!(p["DomainValidationOptions"][1]["DomainName"], "www.example.com");
/// assert_eq!(p["DomainValidationOptions"][1]["HostedZoneId"], "Z0123456789ABCDEFGHIJ");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Certificate {
    node: NodeId,
    resource: ResourceRef<CfnCertificate>,
}

impl Scope for Certificate {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl Certificate {
    /// Creates a certificate under `scope`. An empty domain name is an error.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        props: CertificateProps,
    ) -> Result<Certificate> {
        let path = format!("{}/{id}", app.path(&scope));
        let all: Vec<&String> = std::iter::once(&props.domain_name)
            .chain(&props.subject_alternative_names)
            .collect();
        if let Some(bad) = all.iter().find(|d| d.is_empty() || d.len() > 253) {
            return Err(ConstructError::invalid(
                path,
                "domain_name",
                format!("invalid domain name \"{bad}\": give a name of 1 to 253 characters, e.g. www.example.com"),
            ));
        }
        let node = app.add_group(scope, id)?;
        let validation = props.hosted_zone_id.map(|zone| {
            all.iter()
                .map(|d| certificate::DomainValidationOption {
                    domain_name: Some((*d).into()),
                    hosted_zone_id: Some(value_expr(zone.clone())),
                    ..Default::default()
                })
                .collect::<Vec<_>>()
        });
        let sans = (!props.subject_alternative_names.is_empty()).then(|| {
            Expr::Lit(
                props
                    .subject_alternative_names
                    .iter()
                    .map(Expr::from)
                    .collect(),
            )
        });
        let resource = app.add_resource(
            node,
            "Resource",
            CfnCertificate {
                domain_name: Some(props.domain_name.clone().into()),
                domain_validation_options: validation.map(Expr::Lit),
                subject_alternative_names: sans,
                validation_method: Some("DNS".into()),
                ..Default::default()
            },
        )?;
        Ok(Certificate { node, resource })
    }

    /// The certificate's ARN (`Ref`).
    pub fn certificate_arn(&self) -> Token<String> {
        self.resource.ref_()
    }

    /// The L1 certificate, for escape hatches.
    pub fn cfn(&self) -> ResourceRef<CfnCertificate> {
        self.resource
    }
}
