//! Listeners, their actions and rules.

use super::load_balancer::{default_protocol, LbInfo};
use super::target_group::{HealthCheck, LoadBalancerTarget, TargetGroup, TargetGroupProps};
use super::{LoadBalancerKind, Protocol};
use crate::app::{App, Construct, NodeId, Scope};
use crate::certificatemanager::Certificate;
use crate::ec2::{Connectable, Port};
use crate::error::{ConstructError, Result};
use crate::iam::value_expr;
use berth_synth::cfn::elbv2::{
    listener, listener_certificate, listener_rule, CfnListener, CfnListenerCertificate,
    CfnListenerRule,
};
use berth_synth::resource::ResourceRef;
use berth_synth::{Diagnostic, Expr, Token, Value};
use std::any::Any;

/// A certificate for an HTTPS or TLS listener.
#[derive(Clone, Debug, PartialEq)]
pub struct ListenerCertificate {
    arn: Value,
}

impl ListenerCertificate {
    /// A certificate by ARN.
    pub fn from_arn(arn: impl Into<Value>) -> ListenerCertificate {
        ListenerCertificate { arn: arn.into() }
    }
    /// The certificate's ARN.
    pub fn arn(&self) -> &Value {
        &self.arn
    }
}

impl From<Certificate> for ListenerCertificate {
    fn from(c: Certificate) -> Self {
        ListenerCertificate::from_arn(c.certificate_arn())
    }
}

impl From<&Certificate> for ListenerCertificate {
    fn from(c: &Certificate) -> Self {
        ListenerCertificate::from_arn(c.certificate_arn())
    }
}

/// The security policy of HTTPS and TLS listeners that name none: TLS 1.3 and 1.2.
pub const DEFAULT_SSL_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

props! {
    /// Where a redirect goes; the parts not given keep the request's (`#{host}`,
    /// `#{path}`, ...).
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct RedirectOptions {
        /// `HTTP`, `HTTPS` or `#{protocol}`. Default: the request's.
        pub protocol: Option<String>,
        /// The host name. Default: the request's.
        pub host: Option<String>,
        /// The port, 1 to 65535 or `#{port}`. Default: the request's.
        pub port: Option<String>,
        /// The path, starting with `/`. Default: the request's.
        pub path: Option<String>,
        /// The query, without the leading `?`. Default: the request's.
        pub query: Option<String>,
        /// `HTTP_301` (permanent) rather than `HTTP_302`. Default: false.
        pub permanent: bool,
    }
}

/// What a listener (or one of its rules) does with a request.
#[derive(Clone, Debug, PartialEq)]
pub enum ListenerAction {
    /// Forward to target groups (weighted equally).
    Forward(Vec<TargetGroup>),
    /// Forward to target groups by weight (0 to 999 each; CDK's `weightedForward`),
    /// e.g. blue 1 and green 0 for ECS blue/green deployments, which then move the
    /// weights.
    WeightedForward(Vec<(TargetGroup, u32)>),
    /// Answer directly.
    FixedResponse {
        /// The HTTP status code, 200 to 599.
        status_code: u16,
        /// `text/plain`, `text/css`, `text/html`, `application/javascript` or
        /// `application/json`. Default: none.
        content_type: Option<String>,
        /// The body (at most 1024 characters). Default: none.
        message_body: Option<String>,
    },
    /// Redirect.
    Redirect(RedirectOptions),
}

impl ListenerAction {
    /// Forwards to one target group.
    pub fn forward(target_group: TargetGroup) -> ListenerAction {
        ListenerAction::Forward(vec![target_group])
    }

    /// Forwards to target groups by weight.
    pub fn weighted_forward(
        groups: impl IntoIterator<Item = (TargetGroup, u32)>,
    ) -> ListenerAction {
        ListenerAction::WeightedForward(groups.into_iter().collect())
    }

    /// The target groups it forwards to.
    fn target_groups(&self) -> Vec<TargetGroup> {
        match self {
            ListenerAction::Forward(tgs) => tgs.clone(),
            ListenerAction::WeightedForward(w) => w.iter().map(|(tg, _)| *tg).collect(),
            _ => Vec::new(),
        }
    }

    /// A fixed response with a status code and, optionally, a content type and body.
    pub fn fixed_response(
        status_code: u16,
        content_type: Option<&str>,
        message_body: Option<&str>,
    ) -> ListenerAction {
        ListenerAction::FixedResponse {
            status_code,
            content_type: content_type.map(str::to_owned),
            message_body: message_body.map(str::to_owned),
        }
    }

    /// A redirect.
    pub fn redirect(options: RedirectOptions) -> ListenerAction {
        ListenerAction::Redirect(options)
    }

    fn check(&self, kind: LoadBalancerKind, path: &str) -> Result<()> {
        let bad = |m: String| Err(ConstructError::invalid(path, "action", m));
        match self {
            ListenerAction::Forward(tgs) if tgs.is_empty() => {
                bad("a forward action needs at least one target group".into())
            }
            ListenerAction::Forward(tgs) if kind == LoadBalancerKind::Network && tgs.len() > 1 => {
                bad("a network listener forwards to exactly one target group".into())
            }
            ListenerAction::WeightedForward(w) if w.is_empty() => {
                bad("a weighted forward needs at least one target group".into())
            }
            ListenerAction::WeightedForward(w) if kind == LoadBalancerKind::Network && w.len() > 1 => {
                bad("a network listener forwards to exactly one target group".into())
            }
            ListenerAction::WeightedForward(w) if w.iter().any(|(_, x)| *x > 999) => {
                bad("target group weights are 0 to 999".into())
            }
            ListenerAction::FixedResponse { .. } | ListenerAction::Redirect(_)
                if kind == LoadBalancerKind::Network =>
            {
                bad("a network listener can only forward; fixed responses and redirects need an application load balancer".into())
            }
            ListenerAction::FixedResponse { status_code, .. }
                if !(200..=599).contains(status_code) =>
            {
                bad(format!(
                    "status code {status_code} is not allowed in a fixed response; use 200 to 599"
                ))
            }
            _ => Ok(()),
        }
    }
}

macro_rules! render_action {
    ($m:ident, $action:expr) => {{
        match $action {
            ListenerAction::Forward(tgs) if tgs.len() == 1 => $m::Action {
                target_group_arn: Some(value_expr(tgs[0].target_group_arn())),
                type_: Some($m::Type::Forward.into()),
                ..Default::default()
            },
            ListenerAction::Forward(tgs) => $m::Action {
                forward_config: Some(Expr::Lit($m::ForwardConfig {
                    target_groups: Some(Expr::Lit(
                        tgs.iter()
                            .map(|tg| $m::TargetGroupTuple {
                                target_group_arn: Some(tg.target_group_arn().into()),
                                weight: Some(1.into()),
                            })
                            .collect(),
                    )),
                    ..Default::default()
                })),
                type_: Some($m::Type::Forward.into()),
                ..Default::default()
            },
            ListenerAction::WeightedForward(w) => $m::Action {
                forward_config: Some(Expr::Lit($m::ForwardConfig {
                    target_groups: Some(Expr::Lit(
                        w.iter()
                            .map(|(tg, weight)| $m::TargetGroupTuple {
                                target_group_arn: Some(tg.target_group_arn().into()),
                                weight: Some(i64::from(*weight).into()),
                            })
                            .collect(),
                    )),
                    ..Default::default()
                })),
                type_: Some($m::Type::Forward.into()),
                ..Default::default()
            },
            ListenerAction::FixedResponse {
                status_code,
                content_type,
                message_body,
            } => $m::Action {
                fixed_response_config: Some(Expr::Lit($m::FixedResponseConfig {
                    content_type: content_type.clone().map(Into::into),
                    message_body: message_body.clone().map(Into::into),
                    status_code: Some(status_code.to_string().into()),
                })),
                type_: Some($m::Type::FixedResponse.into()),
                ..Default::default()
            },
            ListenerAction::Redirect(r) => $m::Action {
                redirect_config: Some(Expr::Lit($m::RedirectConfig {
                    host: r.host.clone().map(Into::into),
                    path: r.path.clone().map(Into::into),
                    port: r.port.clone().map(Into::into),
                    protocol: r.protocol.clone().map(Into::into),
                    query: r.query.clone().map(Into::into),
                    status_code: Some(
                        if r.permanent {
                            $m::StatusCode::Http301
                        } else {
                            $m::StatusCode::Http302
                        }
                        .into(),
                    ),
                })),
                type_: Some($m::Type::Redirect.into()),
                ..Default::default()
            },
        }
    }};
}

/// A condition of a [`ListenerRule`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListenerCondition {
    /// The request path matches one of these patterns (`/api/*`; at most 5).
    PathPatterns(Vec<String>),
    /// The `Host` header matches one of these names (`api.example.com`, `*.example.com`).
    HostHeaders(Vec<String>),
}

impl ListenerCondition {
    /// A path-pattern condition.
    pub fn path_patterns<S: Into<String>>(values: impl IntoIterator<Item = S>) -> Self {
        ListenerCondition::PathPatterns(values.into_iter().map(Into::into).collect())
    }
    /// A host-header condition.
    pub fn host_headers<S: Into<String>>(values: impl IntoIterator<Item = S>) -> Self {
        ListenerCondition::HostHeaders(values.into_iter().map(Into::into).collect())
    }

    fn render(&self) -> listener_rule::RuleCondition {
        let list = |v: &Vec<String>| Some(Expr::Lit(v.iter().map(Expr::from).collect()));
        match self {
            ListenerCondition::PathPatterns(v) => listener_rule::RuleCondition {
                field: Some("path-pattern".into()),
                path_pattern_config: Some(Expr::Lit(listener_rule::PathPatternConfig {
                    values: list(v),
                    ..Default::default()
                })),
                ..Default::default()
            },
            ListenerCondition::HostHeaders(v) => listener_rule::RuleCondition {
                field: Some("host-header".into()),
                host_header_config: Some(Expr::Lit(listener_rule::HostHeaderConfig {
                    values: list(v),
                    ..Default::default()
                })),
                ..Default::default()
            },
        }
    }
}

props! {
    /// Options of a listener.
    #[derive(Clone, Debug, PartialEq)]
    pub struct ListenerProps {
        /// The port. Default: 80 for HTTP, 443 for HTTPS; required on a network load
        /// balancer.
        pub port: Option<u16>,
        /// The protocol: HTTP/HTTPS on an application load balancer, TCP/TLS/UDP/TCP_UDP
        /// on a network one. Default: HTTPS (ALB) or TLS (NLB) when certificates are
        /// given, else HTTP (ALB) or TCP (NLB).
        pub protocol: Option<Protocol>,
        /// Certificates (HTTPS/TLS only; at least one is required there). The first is
        /// the default certificate; more go into a `ListenerCertificate` resource
        /// (`DefaultCertificates`, as CDK). Default: none.
        pub certificates: Vec<ListenerCertificate>,
        /// The security policy name of an HTTPS/TLS listener. Default:
        /// [`DEFAULT_SSL_POLICY`] (TLS 1.3 and 1.2 only; berth's secure default, where
        /// AWS's own default still allows TLS 1.0). Opt out by naming another policy.
        pub ssl_policy: Option<String>,
        /// The default action. Default: none; then `add_targets` (without a priority) or
        /// `add_action` (without a priority) must give one before synth.
        pub default_action: Option<ListenerAction>,
        /// Allow traffic from anywhere (`0.0.0.0/0`) on the listener port, through the
        /// load balancer's security group (application load balancers). Default: true.
        pub open: bool,
    }
}

impl Default for ListenerProps {
    fn default() -> Self {
        ListenerProps {
            port: None,
            protocol: None,
            certificates: Vec::new(),
            ssl_policy: None,
            default_action: None,
            open: true,
        }
    }
}

props! {
    /// Options of [`crate::elbv2::ApplicationLoadBalancer::add_redirect`].
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct RedirectProps {
        /// The port listened on. Default: 80.
        pub source_port: u16,
        /// The protocol listened on. Default: HTTP.
        pub source_protocol: Protocol,
        /// The port redirected to. Default: 443.
        pub target_port: u16,
        /// The protocol redirected to. Default: HTTPS.
        pub target_protocol: Protocol,
        /// Allow traffic from anywhere on the source port. Default: true.
        pub open: bool,
    }
}

impl Default for RedirectProps {
    fn default() -> Self {
        RedirectProps {
            source_port: 80,
            source_protocol: Protocol::Http,
            target_port: 443,
            target_protocol: Protocol::Https,
            open: true,
        }
    }
}

props! {
    /// Options of [`Listener::add_action`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct AddActionProps {
        /// The action.
        pub action: ListenerAction,
        /// The rule's priority (1 to 50000, lower first; unique within the listener).
        /// Default: none, which makes `action` the listener's default action.
        pub priority: Option<u32>,
        /// The rule's conditions (required with a priority). Default: none.
        pub conditions: Vec<ListenerCondition>,
    }
}

props! {
    /// Options of [`Listener::add_targets`].
    #[derive(Default)]
    pub struct AddTargetsProps<'a> {
        /// The targets to register.
        pub targets: Vec<&'a dyn LoadBalancerTarget>,
        /// The target group's port. Default: the port of the first target.
        pub port: Option<u16>,
        /// The target group's protocol. Default: HTTP on an application load balancer,
        /// the listener's protocol on a network one.
        pub protocol: Option<Protocol>,
        /// The health check. Default: the target group's defaults (traffic port).
        pub health_check: HealthCheck,
        /// Put the forward in a rule with this priority instead of the default action.
        /// Default: none.
        pub priority: Option<u32>,
        /// The rule's conditions (required with a priority). Default: none.
        pub conditions: Vec<ListenerCondition>,
        /// Seconds to drain a deregistered target. Default: not set (300, AWS default).
        pub deregistration_delay_seconds: Option<u32>,
        /// Sticky sessions for this many seconds (load balancer cookie on ALB, source IP
        /// on NLB). Default: none.
        pub stickiness_seconds: Option<u32>,
        /// The target group's name. Default: generated by CloudFormation.
        pub target_group_name: Option<String>,
    }
}

#[derive(Debug)]
struct ListenerState {
    lb: LbInfo,
    port: u16,
    protocol: Protocol,
    rules: Vec<(u32, NodeId)>,
    has_default: bool,
}

impl Construct for ListenerState {
    fn fqn(&self) -> &'static str {
        "berth.elbv2.Listener"
    }
    fn validate(&self, app: &App, node: NodeId) -> Vec<Diagnostic> {
        // The path only for a problem: validation runs for every listener.
        let path = || app.path(node);
        let mut out = Vec::new();
        for (i, (p, rule)) in self.rules.iter().enumerate() {
            if let Some((_, first)) = self.rules[..i].iter().find(|(q, _)| q == p) {
                out.push(
                    Diagnostic::error(
                        "BERTH-E0400",
                        path(),
                        format!(
                            "priority {p} is used by two rules, {} and {}; give each rule of a listener its own priority",
                            app.path(*first),
                            app.path(*rule)
                        ),
                    )
                    .with_property("Priority"),
                );
            }
        }
        if !self.has_default {
            out.push(Diagnostic::error(
                "BERTH-E0402",
                path(),
                "the listener has no default action; give ListenerProps::default_action, or call add_targets or add_action without a priority",
            ));
        }
        out
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// A listener of an application or network load balancer. Its L1 child is
/// `Resource` (`AWS::ElasticLoadBalancingV2::Listener`).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::ec2::{Vpc, VpcProps};
/// use berth_constructs::elbv2::{
///     AddActionProps, ApplicationLoadBalancer, ApplicationLoadBalancerProps, ListenerAction,
///     ListenerCondition, ListenerProps,
/// };
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
/// let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default())?;
/// let lb = ApplicationLoadBalancer::new(&mut app, stack, "LB", &vpc,
///     ApplicationLoadBalancerProps::default())?;
/// let http = lb.add_listener(&mut app, "Http", ListenerProps {
///     default_action: Some(ListenerAction::fixed_response(404, Some("text/plain"), Some("not found"))),
///     ..Default::default()
/// })?;
/// http.add_action(&mut app, "Health", AddActionProps {
///     action: ListenerAction::fixed_response(200, None, None),
///     priority: Some(10),
///     conditions: vec![ListenerCondition::path_patterns(["/ping"])],
/// })?;
/// let out = app.synth()?;
/// let res = &out.stacks[0].template["Resources"];
/// let id = |p: &[&str]| berth_synth::logical_id::make_unique_id(p).unwrap_or_default();
/// let listener = &res[&id(&["LB", "Http", "Resource"])]["Properties"];
/// assert_eq!(listener["DefaultActions"][0]["FixedResponseConfig"]["StatusCode"], "404");
/// assert_eq!(res[&id(&["LB", "Http", "HealthRule", "Resource"])]["Properties"]["Priority"], 10);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Listener {
    node: NodeId,
    resource: ResourceRef<CfnListener>,
}

impl Scope for Listener {
    fn node(&self) -> NodeId {
        self.node
    }
}

/// A rule of a listener. Its L1 child is `Resource`
/// (`AWS::ElasticLoadBalancingV2::ListenerRule`).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::ec2::{Vpc, VpcProps};
/// use berth_constructs::elbv2::{
///     ApplicationLoadBalancer, ListenerAction, ListenerCondition, ListenerProps, RedirectOptions,
/// };
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
/// let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default())?;
/// let lb = ApplicationLoadBalancer::new(&mut app, stack, "LB", &vpc, Default::default())?;
/// let http = lb.add_listener(&mut app, "Http", ListenerProps {
///     default_action: Some(ListenerAction::fixed_response(404, None, None)),
///     ..Default::default()
/// })?;
/// let rule = http.add_rule(&mut app, "OldDocs", 5,
///     vec![ListenerCondition::host_headers(["docs.example.com"])],
///     ListenerAction::redirect(RedirectOptions {
///         host: Some("example.com".into()),
///         path: Some("/docs".into()),
///         permanent: true,
///         ..Default::default()
///     }))?;
/// assert_eq!(app.path(rule), "Web/LB/Http/OldDocs");
/// let out = app.synth()?;
/// let id = berth_synth::logical_id::make_unique_id(&["LB", "Http", "OldDocs", "Resource"]).ok_or("an invalid construct id")?;
/// let p = &out.stacks[0].template["Resources"][&id]["Properties"];
/// assert_eq!(p["Actions"][0]["RedirectConfig"]["StatusCode"], "HTTP_301");
/// assert_eq!(p["Conditions"][0]["Field"], "host-header");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListenerRule {
    node: NodeId,
    resource: ResourceRef<CfnListenerRule>,
}

impl Scope for ListenerRule {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl ListenerRule {
    /// The rule's ARN (`Ref`).
    pub fn listener_rule_arn(&self) -> Token<String> {
        self.resource.ref_()
    }

    /// The L1 rule, for escape hatches.
    pub fn cfn(&self) -> ResourceRef<CfnListenerRule> {
        self.resource
    }
}

impl Listener {
    pub(crate) fn new(
        app: &mut App,
        lb: LbInfo,
        id: &str,
        props: ListenerProps,
    ) -> Result<Listener> {
        let path = format!("{}/{id}", app.path(lb.node));
        let protocol = props
            .protocol
            .unwrap_or_else(|| default_protocol(lb.kind, !props.certificates.is_empty()));
        protocol.check(lb.kind, &path, "protocol")?;
        let port = match (props.port, protocol) {
            (Some(p), _) => p,
            (None, Protocol::Http) => 80,
            (None, Protocol::Https) => 443,
            (None, p) => {
                return Err(ConstructError::invalid(
                    path,
                    "port",
                    format!("a {} listener needs a port", p.as_str()),
                ))
            }
        };
        if port == 0 {
            return Err(ConstructError::invalid(
                path,
                "port",
                "port 0 is not allowed; use 1 to 65535",
            ));
        }
        // The web's two well-known ports speak one protocol each: plain HTTP on 443 or
        // HTTPS on 80 is a mix-up that clients fail on.
        match (protocol, port) {
            (Protocol::Http, 443) => {
                return Err(ConstructError::invalid(
                    path,
                    "port",
                    "an HTTP listener on port 443 would answer plain text where clients expect TLS; use HTTPS (with a certificate) on 443, or HTTP on another port such as 80",
                ))
            }
            (Protocol::Https, 80) => {
                return Err(ConstructError::invalid(
                    path,
                    "port",
                    "an HTTPS listener on port 80 would expect TLS where clients send plain HTTP; use HTTPS on 443 (and an HTTP listener on 80 that redirects to it)",
                ))
            }
            _ => {}
        }
        // One listener per port on a load balancer (ELB rejects a second one at deploy).
        let taken = app.children(lb.node).find_map(|(cid, c)| {
            app.construct::<ListenerState>(c)
                .filter(|l| l.port == port)
                .map(|l| (cid.to_owned(), l.protocol))
        });
        if let Some((other, other_protocol)) = taken {
            return Err(ConstructError::invalid(
                path,
                "port",
                format!(
                    "the load balancer has a listener on port {port} already ({other}, {}); a load balancer has one listener per port{}",
                    other_protocol.as_str(),
                    if lb.kind == LoadBalancerKind::Network {
                        " (for TCP and UDP on one port, use one TCP_UDP listener)"
                    } else {
                        ""
                    }
                ),
            ));
        }
        if protocol.is_secure() && props.certificates.is_empty() {
            return Err(ConstructError::invalid(
                path,
                "certificates",
                format!(
                    "a {} listener needs at least one certificate; give a certificate ARN or a Certificate",
                    protocol.as_str()
                ),
            ));
        }
        if !protocol.is_secure() && (!props.certificates.is_empty() || props.ssl_policy.is_some()) {
            return Err(ConstructError::invalid(
                path,
                "certificates",
                format!(
                    "a {} listener takes no certificates or SSL policy; use HTTPS or TLS",
                    protocol.as_str()
                ),
            ));
        }
        if let Some(a) = &props.default_action {
            a.check(lb.kind, &path)?;
        }
        let node = app.add_construct(
            lb.node,
            id,
            ListenerState {
                lb,
                port,
                protocol,
                rules: Vec::new(),
                has_default: false,
            },
        )?;
        let mut certs = props.certificates.iter();
        let first = certs.next().map(|c| {
            Expr::Lit(vec![listener::Certificate {
                certificate_arn: Some(value_expr(c.arn.clone())),
            }])
        });
        let resource = app.add_resource(
            node,
            "Resource",
            CfnListener {
                certificates: first,
                load_balancer_arn: Some(value_expr(lb.arn())),
                port: Some((port as i64).into()),
                protocol: Some(protocol.listener().into()),
                ssl_policy: props
                    .ssl_policy
                    .or_else(|| protocol.is_secure().then(|| DEFAULT_SSL_POLICY.to_owned()))
                    .map(Into::into),
                ..Default::default()
            },
        )?;
        let rest: Vec<_> = certs
            .map(|c| listener_certificate::Certificate {
                certificate_arn: Some(value_expr(c.arn.clone())),
            })
            .collect();
        if !rest.is_empty() {
            let group = app.add_group(node, "DefaultCertificates")?;
            app.add_resource(
                group,
                "Resource",
                CfnListenerCertificate {
                    certificates: Some(Expr::Lit(rest)),
                    listener_arn: Some(value_expr(resource.ref_())),
                },
            )?;
        }
        let listener = Listener { node, resource };
        if props.open {
            if let Some(sg) = lb.security_group {
                sg.connections(app).allow_from_any_ipv4(
                    app,
                    Port::tcp(port),
                    &format!("Allow from anyone on port {port}"),
                )?;
            }
        }
        if let Some(a) = props.default_action {
            listener.set_default_action(app, a)?;
        }
        Ok(listener)
    }

    fn state<'a>(&self, app: &'a App) -> &'a ListenerState {
        app.construct::<ListenerState>(self.node)
            .expect("a Listener handle points at a listener")
    }

    /// The listener's ARN (`Ref`).
    pub fn listener_arn(&self) -> Token<String> {
        self.resource.ref_()
    }

    /// The port.
    pub fn port(&self, app: &App) -> u16 {
        self.state(app).port
    }

    /// The protocol.
    pub fn protocol(&self, app: &App) -> Protocol {
        self.state(app).protocol
    }

    /// The L1 listener, for escape hatches.
    pub fn cfn(&self) -> ResourceRef<CfnListener> {
        self.resource
    }

    fn forwarded(&self, app: &mut App, action: &ListenerAction, dependency: NodeId) -> Result<()> {
        let lb = self.state(app).lb;
        for tg in action.target_groups() {
            tg.attach_to_load_balancer(app, lb, dependency)?;
        }
        Ok(())
    }

    fn check_forward(&self, app: &App, action: &ListenerAction, path: &str) -> Result<()> {
        let kind = self.state(app).lb.kind;
        for tg in action.target_groups() {
            tg.protocol(app)
                .check(kind, path, "target_group.protocol")?;
        }
        Ok(())
    }

    /// Replaces the default action.
    pub fn set_default_action(&self, app: &mut App, action: ListenerAction) -> Result<()> {
        let lb = self.state(app).lb;
        let path = app.path(self.node);
        action.check(lb.kind, &path)?;
        self.check_forward(app, &action, &path)?;
        let rendered = render_action!(listener, &action);
        app.resource_mut(self.resource).default_actions = Some(Expr::Lit(vec![rendered]));
        if let Some(s) = app.construct_mut::<ListenerState>(self.node) {
            s.has_default = true;
        }
        self.forwarded(app, &action, self.resource.id())
    }

    /// Adds an action: in a rule `<id>Rule` when a priority is given (returned), else
    /// as the default action (as CDK's `addAction`).
    pub fn add_action(
        &self,
        app: &mut App,
        id: &str,
        props: AddActionProps,
    ) -> Result<Option<ListenerRule>> {
        match props.priority {
            None => {
                if !props.conditions.is_empty() {
                    return Err(ConstructError::invalid(
                        app.path(self.node),
                        "conditions",
                        "conditions need a priority; give a priority or leave out the conditions to set the default action",
                    ));
                }
                self.set_default_action(app, props.action)?;
                Ok(None)
            }
            Some(priority) => self
                .add_rule(
                    app,
                    &format!("{id}Rule"),
                    priority,
                    props.conditions,
                    props.action,
                )
                .map(Some),
        }
    }

    /// Adds a rule with `id`, `priority` and `conditions`. Two rules of one listener
    /// with the same priority are an error at synth (`BERTH-E0400`).
    pub fn add_rule(
        &self,
        app: &mut App,
        id: &str,
        priority: u32,
        conditions: Vec<ListenerCondition>,
        action: ListenerAction,
    ) -> Result<ListenerRule> {
        let path = format!("{}/{id}", app.path(self.node));
        let lb = self.state(app).lb;
        if lb.kind == LoadBalancerKind::Network {
            return Err(ConstructError::invalid(
                path,
                "priority",
                "network listeners have no rules; use the default action",
            ));
        }
        if !(1..=50000).contains(&priority) {
            return Err(ConstructError::invalid(
                path,
                "priority",
                format!("priority {priority} is out of range; allowed: 1 to 50000"),
            ));
        }
        if conditions.is_empty() {
            return Err(ConstructError::invalid(
                path,
                "conditions",
                "a rule needs at least one condition (a path pattern or a host header)",
            ));
        }
        action.check(lb.kind, &path)?;
        self.check_forward(app, &action, &path)?;
        let node = app.add_group(self.node, id)?;
        let rendered = render_action!(listener_rule, &action);
        let resource = app.add_resource(
            node,
            "Resource",
            CfnListenerRule {
                actions: Some(Expr::Lit(vec![rendered])),
                conditions: Some(Expr::Lit(
                    conditions.iter().map(ListenerCondition::render).collect(),
                )),
                listener_arn: Some(value_expr(self.resource.ref_())),
                priority: Some((priority as i64).into()),
                ..Default::default()
            },
        )?;
        if let Some(s) = app.construct_mut::<ListenerState>(self.node) {
            s.rules.push((priority, node));
        }
        self.forwarded(app, &action, resource.id())?;
        Ok(ListenerRule { node, resource })
    }

    /// Creates a target group `<id>Group` under the listener, forwards to it (in a
    /// rule `<id>Rule` when a priority is given, else as the default action),
    /// registers the targets, and opens exactly the targets' port from the load
    /// balancer's security group to each target's security groups.
    pub fn add_targets(
        &self,
        app: &mut App,
        id: &str,
        props: AddTargetsProps<'_>,
    ) -> Result<TargetGroup> {
        let state = self.state(app);
        let (lb, listener_protocol) = (state.lb, state.protocol);
        let protocol = props.protocol.unwrap_or(match lb.kind {
            LoadBalancerKind::Application => Protocol::Http,
            LoadBalancerKind::Network => listener_protocol,
        });
        if props.priority.is_none() && !props.conditions.is_empty() {
            return Err(ConstructError::invalid(
                app.path(self.node),
                "conditions",
                "conditions need a priority; give a priority or leave out the conditions to set the default action",
            ));
        }
        let tg = TargetGroup::new(
            app,
            self.node,
            &format!("{id}Group"),
            &lb.vpc,
            TargetGroupProps {
                protocol,
                port: props.port,
                target_type: None,
                health_check: props.health_check,
                deregistration_delay_seconds: props.deregistration_delay_seconds,
                stickiness_seconds: props.stickiness_seconds,
                target_group_name: props.target_group_name,
            },
        )?;
        self.add_action(
            app,
            id,
            AddActionProps {
                action: ListenerAction::forward(tg),
                priority: props.priority,
                conditions: props.conditions,
            },
        )?;
        for t in props.targets {
            tg.add_target(app, t)?;
        }
        Ok(tg)
    }
}
