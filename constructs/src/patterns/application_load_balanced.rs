//! `ApplicationLoadBalanced{Fargate,Ec2}Service` (CDK's `ecs_patterns`).

use crate::app::{App, NodeId, Output, OutputProps, Scope};
use crate::certificatemanager::{Certificate, CertificateProps};
use crate::ec2::{SecurityGroup, SubnetSelection, Vpc};
use crate::ecs::{
    AlternateTarget, AwsLogDriverProps, BaseService, CapacityProviderStrategy, Cluster,
    ClusterProps, ContainerDefinition, ContainerDefinitionOptions, ContainerImage,
    DeploymentAlarms, DeploymentCircuitBreaker, DeploymentStrategy, Ec2Service, Ec2ServiceProps,
    Ec2TaskDefinition, Ec2TaskDefinitionProps, FargatePlatformVersion, FargateService,
    FargateServiceProps, FargateSize, FargateTaskDefinition, FargateTaskDefinitionProps,
    LifecycleHook, LogDriver, NetworkMode, PlacementStrategy, PortMapping, Secret, TaskDefinition,
};
use crate::elbv2::{
    AddTargetsProps, ApplicationLoadBalancer, ApplicationLoadBalancerProps, HealthCheck, Listener,
    ListenerAction, ListenerCertificate, ListenerCondition, ListenerProps, ListenerRule, Protocol,
    RedirectOptions, TargetGroup,
};
use crate::error::{ConstructError, Result};
use crate::iam::Role;
use crate::patterns::alarms::{self, DefaultAlarmsProps};
use crate::route53::{ARecord, ARecordProps, HostedZone, RecordTarget};
use berth_synth::cfn::cloudwatch::CfnAlarm;
use berth_synth::resource::ResourceRef;
use berth_synth::Value;
use indexmap::IndexMap;

props! {
    /// The container a pattern creates when no task definition is given (CDK's
    /// `ApplicationLoadBalancedTaskImageOptions`).
    #[derive(Clone, Debug, PartialEq)]
    pub struct AlbTaskImageOptions {
        /// The image (required).
        pub image: ContainerImage,
        /// The container's name. Default: `web`.
        pub container_name: String,
        /// The port the container listens on, the target group's port. Default: 80.
        pub container_port: u16,
        /// Environment variables. Default: none.
        pub environment: IndexMap<String, Value>,
        /// Secrets as environment variables (the execution role gets read on them).
        /// Default: none.
        pub secrets: IndexMap<String, Secret>,
        /// Ship logs (to `log_driver`, or else to `awslogs` with the pattern's id as the
        /// stream prefix, into a new log group). Default: true.
        pub enable_logging: bool,
        /// The log driver. Default: `awslogs`, as above.
        pub log_driver: Option<LogDriver>,
        /// The command. Default: the image's.
        pub command: Vec<String>,
        /// The task role. Default: created on first use (`TaskDef/TaskRole`).
        pub task_role: Option<Role>,
        /// The execution role. Default: created on first use
        /// (`TaskDef/ExecutionRole`).
        pub execution_role: Option<Role>,
    }
}

impl AlbTaskImageOptions {
    /// A container `web` on port 80 running `image`, logging to CloudWatch.
    pub fn new(image: ContainerImage) -> AlbTaskImageOptions {
        AlbTaskImageOptions {
            image,
            container_name: "web".into(),
            container_port: 80,
            environment: IndexMap::new(),
            secrets: IndexMap::new(),
            enable_logging: true,
            log_driver: None,
            command: Vec::new(),
            task_role: None,
            execution_role: None,
        }
    }
}

/// An image alone: a container `web` on port 80 running it.
impl From<ContainerImage> for AlbTaskImageOptions {
    fn from(image: ContainerImage) -> Self {
        AlbTaskImageOptions::new(image)
    }
}

props! {
    /// The load balancer side of an application-load-balanced pattern.
    #[derive(Clone, Debug, PartialEq)]
    pub struct LoadBalancerOptions {
        /// Internet-facing (in the public subnets) rather than internal. Default: true.
        pub public_load_balancer: bool,
        /// The listener's protocol, HTTP or HTTPS. HTTPS without a `certificate` creates
        /// one (`Certificate`) for `domain_name`, validated through DNS in `domain_zone`
        /// (both required then). Default: HTTPS with a certificate, else HTTP.
        pub protocol: Option<Protocol>,
        /// The listener's port. Default: 443 for HTTPS, else 80.
        pub listener_port: Option<u16>,
        /// Listen on HTTPS with this certificate (an ARN or a
        /// [`crate::certificatemanager::Certificate`]). Default: none (HTTP, unless
        /// `protocol` asks for HTTPS).
        pub certificate: Option<ListenerCertificate>,
        /// The HTTPS listener's security policy. Default: not set (the AWS default).
        pub ssl_policy: Option<String>,
        /// With a certificate, also listen on HTTP port 80 and redirect to the HTTPS
        /// listener (`PublicRedirectListener`). Default: false (as CDK).
        pub redirect_http: bool,
        /// The service's domain name (relative to `domain_zone` or fully qualified): an
        /// alias A record `DNS` in `domain_zone` points it at the load balancer, and the
        /// `ServiceURL` output uses it. Needs `domain_zone` (as CDK). Default: none (the
        /// load balancer's DNS name).
        pub domain_name: Option<String>,
        /// The Route 53 hosted zone of `domain_name` (e.g.
        /// [`HostedZone::from_attributes`]); also validates a certificate the pattern
        /// creates. Default: none.
        pub domain_zone: Option<HostedZone>,
        /// The target group's health check. Default: AWS defaults on the traffic port.
        pub health_check: HealthCheck,
        /// Allow any address on the listener port. Default: true.
        pub open_listener: bool,
        /// The load balancer's idle timeout. Default: not set (60 seconds).
        pub idle_timeout_seconds: Option<u32>,
        /// The load balancer's name. Default: generated.
        pub load_balancer_name: Option<String>,
        /// Seconds to drain a deregistered task. Default: not set (300).
        pub deregistration_delay_seconds: Option<u32>,
    }
}

impl Default for LoadBalancerOptions {
    fn default() -> Self {
        LoadBalancerOptions {
            public_load_balancer: true,
            protocol: None,
            listener_port: None,
            certificate: None,
            ssl_policy: None,
            redirect_http: false,
            domain_name: None,
            domain_zone: None,
            health_check: HealthCheck::default(),
            open_listener: true,
            idle_timeout_seconds: None,
            load_balancer_name: None,
            deregistration_delay_seconds: None,
        }
    }
}

/// What the load balancer part of a pattern created.
struct AlbParts {
    load_balancer: ApplicationLoadBalancer,
    listener: Listener,
    redirect_listener: Option<Listener>,
    target_group: TargetGroup,
    certificate: Option<Certificate>,
    dns_record: Option<ARecord>,
    blue_green: Option<BlueGreenParts>,
}

/// What a blue/green, linear or canary pattern adds: the alternate target group
/// `<listener>/ECSAlternateGroup`, the production rule `<listener>/ProductionRule`
/// and, with a test port, `TestListener` and its `TestListener/TestRule`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BlueGreenParts {
    pub(crate) alternate_target_group: TargetGroup,
    pub(crate) production_rule: Option<ListenerRule>,
    pub(crate) test_listener: Option<Listener>,
    pub(crate) test_rule: Option<ListenerRule>,
}

/// The priority of the rules ECS moves traffic on: the last one, so that rules users
/// add come first and the rule acts as the listener's default.
pub const BLUE_GREEN_RULE_PRIORITY: u32 = 50000;

/// The production (and test) traffic rule of an application listener: every path,
/// all to `blue`, none to `green` (ECS moves the weights).
fn traffic_rule(
    app: &mut App,
    listener: Listener,
    id: &str,
    blue: TargetGroup,
    green: TargetGroup,
) -> Result<ListenerRule> {
    listener.add_rule(
        app,
        id,
        BLUE_GREEN_RULE_PRIORITY,
        vec![ListenerCondition::path_patterns(["/*"])],
        ListenerAction::weighted_forward([(blue, 100), (green, 0)]),
    )
}

/// Refuses a test port without a blue/green strategy.
pub(crate) fn check_test_port(
    app: &App,
    node: NodeId,
    strategy: &DeploymentStrategy,
    test_port: Option<u16>,
    listener_port: u16,
) -> Result<()> {
    match test_port {
        Some(p) if !strategy.is_blue_green() => Err(ConstructError::invalid(
            app.path(node),
            "test_port",
            format!("a test listener (port {p}) carries test traffic to the new revision of blue/green, linear and canary deployments; set deployment_strategy, or leave test_port out"),
        )),
        Some(0) => Err(ConstructError::invalid(
            app.path(node),
            "test_port",
            "port 0 is not allowed; use 1 to 65535",
        )),
        Some(p) if p == listener_port => Err(ConstructError::invalid(
            app.path(node),
            "test_port",
            format!("the test listener needs its own port; {p} is the production listener's"),
        )),
        _ => Ok(()),
    }
}

fn cluster_for(
    app: &mut App,
    node: NodeId,
    cluster: Option<Cluster>,
    vpc: Option<Vpc>,
) -> Result<Cluster> {
    match (cluster, vpc) {
        (Some(_), Some(_)) => Err(ConstructError::invalid(
            app.path(node),
            "vpc",
            "give a cluster or a VPC, not both (the cluster brings its VPC)",
        )),
        (Some(c), None) => Ok(c),
        (None, vpc) => Cluster::new(app, node, "Cluster", ClusterProps::default().vpc(vpc)),
    }
}

/// Adds the image options' container to `task` (awslogs with `prefix` by default).
pub(crate) fn add_image_container(
    app: &mut App,
    task: TaskDefinition,
    o: AlbTaskImageOptions,
    prefix: &str,
    memory_limit_mib: Option<u32>,
) -> Result<(String, u16)> {
    let logging = match (o.enable_logging, o.log_driver) {
        (false, _) => None,
        (true, Some(d)) => Some(d),
        (true, None) => Some(LogDriver::aws_logs(
            AwsLogDriverProps::default().stream_prefix(prefix.to_owned()),
        )),
    };
    task.add_container(
        app,
        &o.container_name,
        ContainerDefinitionOptions {
            port_mappings: vec![PortMapping::tcp(o.container_port)],
            environment: o.environment,
            secrets: o.secrets,
            logging,
            command: o.command,
            memory_limit_mib,
            ..ContainerDefinitionOptions::new(o.image)
        },
    )?;
    Ok((o.container_name, o.container_port))
}

/// The container the load balancer targets when the caller brought the task
/// definition: its default container and that container's first port.
fn default_target(app: &App, node: NodeId, task: TaskDefinition) -> Result<(String, u16)> {
    let c = task.default_container(app).ok_or_else(|| {
        ConstructError::invalid(
            app.path(node),
            "task_definition",
            "the task definition has no essential container to put behind the load balancer",
        )
    })?;
    let port = c
        .port_mappings(app)
        .first()
        .map(|p| p.container_port)
        .ok_or_else(|| {
            ConstructError::invalid(
                app.path(node),
                "task_definition",
                format!(
                    "container {} maps no port for the load balancer to target",
                    c.container_name(app)
                ),
            )
        })?;
    Ok((c.container_name(app), port))
}

fn image_or_task<T>(
    app: &App,
    node: NodeId,
    image: &Option<AlbTaskImageOptions>,
    task: &Option<T>,
) -> Result<()> {
    match (image, task) {
        (Some(_), Some(_)) => Err(ConstructError::invalid(
            app.path(node),
            "task_image_options",
            "give task image options or a task definition, not both",
        )),
        (None, None) => Err(ConstructError::invalid(
            app.path(node),
            "task_image_options",
            "give task image options (an image) or a task definition",
        )),
        _ => Ok(()),
    }
}

/// The load balancer `LB`, its listener `PublicListener` (and `PublicRedirectListener`
/// with HTTPS redirect), the target group `PublicListener/ECSGroup` with the service
/// registered on `container:port`, a `Certificate` for HTTPS without one, the alias
/// record `DNS` for a domain name, and the outputs `LoadBalancerDNS` and `ServiceURL`.
fn load_balance(
    app: &mut App,
    node: NodeId,
    vpc: &Vpc,
    service: BaseService,
    (container, port): (&str, u16),
    o: LoadBalancerOptions,
    test_port: Option<u16>,
) -> Result<AlbParts> {
    let bad =
        |app: &App, prop: &str, msg: String| ConstructError::invalid(app.path(node), prop, msg);
    match (o.protocol, &o.certificate) {
        (Some(p), _) if p != Protocol::Http && p != Protocol::Https => {
            return Err(bad(
                app,
                "protocol",
                format!(
                    "an application load balancer listens on HTTP or HTTPS, not {}",
                    p.as_str()
                ),
            ))
        }
        (Some(Protocol::Http), Some(_)) => {
            return Err(bad(
                app,
                "protocol",
                "a certificate needs the HTTPS protocol; leave protocol out or set it to HTTPS"
                    .into(),
            ))
        }
        _ => {}
    }
    let protocol = o.protocol.unwrap_or(if o.certificate.is_some() {
        Protocol::Https
    } else {
        Protocol::Http
    });
    if o.redirect_http && protocol != Protocol::Https {
        return Err(bad(
            app,
            "redirect_http",
            "an HTTP redirect needs an HTTPS listener: give a certificate".into(),
        ));
    }
    // The domain's fully qualified name, without the trailing dot.
    let domain = match (&o.domain_name, &o.domain_zone) {
        (Some(d), _) if d.trim().is_empty() || d.chars().any(char::is_whitespace) => {
            return Err(bad(
                app,
                "domain_name",
                format!("invalid domain name \"{d}\": give a name without spaces, e.g. api.example.com"),
            ))
        }
        (Some(d), Some(zone)) => Some((
            zone.fully_qualified_name(d).trim_end_matches('.').to_owned(),
            zone.clone(),
        )),
        (Some(d), None) => {
            return Err(bad(
                app,
                "domain_zone",
                format!("a Route 53 hosted zone is required to configure the domain name {d}: give domain_zone (e.g. route53::HostedZone::from_attributes)"),
            ))
        }
        (None, _) => None,
    };
    if protocol == Protocol::Https && o.certificate.is_none() && domain.is_none() {
        return Err(bad(
            app,
            "protocol",
            "HTTPS without a certificate needs domain_name and domain_zone, to create a certificate validated through DNS in that zone; or give a certificate".into(),
        ));
    }
    let listener_port =
        o.listener_port
            .unwrap_or(if protocol == Protocol::Https { 443 } else { 80 });
    let load_balancer = ApplicationLoadBalancer::new(
        app,
        node,
        "LB",
        vpc,
        ApplicationLoadBalancerProps {
            internet_facing: o.public_load_balancer,
            idle_timeout_seconds: o.idle_timeout_seconds,
            load_balancer_name: o.load_balancer_name,
            ..Default::default()
        },
    )?;
    let certificate = match (&o.certificate, &domain) {
        (None, Some((name, zone))) if protocol == Protocol::Https => Some(Certificate::new(
            app,
            node,
            "Certificate",
            CertificateProps {
                hosted_zone_id: Some(zone.hosted_zone_id().clone()),
                ..CertificateProps::new(name.clone())
            },
        )?),
        _ => None,
    };
    let strategy = service.deployment_strategy(app);
    check_test_port(app, node, &strategy, test_port, listener_port)?;
    let listener_certificate = o
        .certificate
        .or_else(|| certificate.map(ListenerCertificate::from));
    let listener = load_balancer.add_listener(
        app,
        "PublicListener",
        ListenerProps {
            port: Some(listener_port),
            protocol: Some(protocol),
            certificates: listener_certificate.clone().into_iter().collect(),
            ssl_policy: o.ssl_policy.clone(),
            open: o.open_listener,
            ..Default::default()
        },
    )?;
    let target = service.load_balancer_target(container, port);
    let target_group = listener.add_targets(
        app,
        "ECS",
        AddTargetsProps {
            targets: vec![&target],
            protocol: Some(Protocol::Http),
            health_check: o.health_check,
            deregistration_delay_seconds: o.deregistration_delay_seconds,
            ..Default::default()
        },
    )?;
    let blue_green = if strategy.is_blue_green() {
        let green =
            TargetGroup::alternate_of(app, listener, "ECSAlternateGroup", vpc, target_group)?;
        let production = traffic_rule(app, listener, "ProductionRule", target_group, green)?;
        let test = match test_port {
            Some(p) => {
                let test_listener = load_balancer.add_listener(
                    app,
                    "TestListener",
                    ListenerProps {
                        port: Some(p),
                        protocol: Some(protocol),
                        certificates: listener_certificate.into_iter().collect(),
                        ssl_policy: o.ssl_policy.clone(),
                        open: o.open_listener,
                        default_action: Some(ListenerAction::forward(target_group)),
                    },
                )?;
                let rule = traffic_rule(app, test_listener, "TestRule", target_group, green)?;
                Some((test_listener, rule))
            }
            None => None,
        };
        let alternate =
            AlternateTarget::new(green, production).test_listener(test.map(|(_, r)| r.into()));
        service.add_alternate_target(app, target_group, alternate)?;
        Some(BlueGreenParts {
            alternate_target_group: green,
            production_rule: Some(production),
            test_listener: test.map(|(l, _)| l),
            test_rule: test.map(|(_, r)| r),
        })
    } else {
        None
    };
    let redirect_listener = if o.redirect_http {
        Some(load_balancer.add_listener(
            app,
            "PublicRedirectListener",
            ListenerProps {
                port: Some(80),
                protocol: Some(Protocol::Http),
                open: o.open_listener,
                default_action: Some(ListenerAction::redirect(RedirectOptions {
                    port: Some(listener_port.to_string()),
                    protocol: Some("HTTPS".into()),
                    permanent: true,
                    ..Default::default()
                })),
                ..Default::default()
            },
        )?)
    } else {
        None
    };
    let dns_record = match &domain {
        Some((name, zone)) => Some(ARecord::new(
            app,
            node,
            "DNS",
            ARecordProps::new(zone, RecordTarget::load_balancer(&load_balancer))
                .with_record_name(format!("{name}.")),
        )?),
        None => None,
    };
    let dns = load_balancer.dns_name();
    Output::new(app, node, "LoadBalancerDNS", OutputProps::new(dns.clone()))?;
    let scheme = if protocol == Protocol::Https {
        "https://"
    } else {
        "http://"
    };
    let host = match domain {
        Some((name, _)) => Value::from(name),
        None => dns.into(),
    };
    if let Some(p) = test_port {
        Output::new(
            app,
            node,
            "TestURL",
            OutputProps::new(crate::iam::join([
                Value::from(scheme),
                host.clone(),
                Value::from(format!(":{p}")),
            ]))
            .description("the new revision during a blue/green, linear or canary deployment"),
        )?;
    }
    Output::new(
        app,
        node,
        "ServiceURL",
        OutputProps::new(crate::iam::join([Value::from(scheme), host])),
    )?;
    Ok(AlbParts {
        load_balancer,
        listener,
        redirect_listener,
        target_group,
        certificate,
        dns_record,
        blue_green,
    })
}

props! {
    /// Options of an [`ApplicationLoadBalancedFargateService`].
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct ApplicationLoadBalancedFargateServiceProps {
        /// The cluster. Default: a new cluster `Cluster` under the pattern, in `vpc`.
        pub cluster: Option<Cluster>,
        /// The VPC of the new cluster (not with `cluster`). Default: the cluster's new VPC.
        pub vpc: Option<Vpc>,
        /// The container to create (this or `task_definition` is required).
        pub task_image_options: Option<AlbTaskImageOptions>,
        /// A task definition to run instead; the load balancer targets its default
        /// container's first port.
        pub task_definition: Option<FargateTaskDefinition>,
        /// The task size of a new task definition. Default: 256 CPU units, 512 MiB.
        pub size: FargateSize,
        /// The number of tasks. Default: not set (1).
        pub desired_count: Option<u32>,
        /// The load balancer. Default: public, HTTP on port 80.
        pub load_balancer: LoadBalancerOptions,
        /// Roll back a failing deployment. Default: none.
        pub circuit_breaker: Option<DeploymentCircuitBreaker>,
        /// Seconds the load balancer health checks are ignored after a task starts.
        /// Default: 60.
        pub health_check_grace_period_secs: Option<u32>,
        /// The lower limit of running tasks during a rolling deployment, in percent.
        /// Default: 100 (ECS's).
        pub min_healthy_percent: Option<u32>,
        /// The upper limit of running tasks during a rolling deployment. Default: 200
        /// (ECS's).
        pub max_healthy_percent: Option<u32>,
        /// The service's name. Default: generated.
        pub service_name: Option<String>,
        /// Give the tasks public IPs. Default: false.
        pub assign_public_ip: bool,
        /// The tasks' subnets. Default: private subnets.
        pub task_subnets: Option<SubnetSelection>,
        /// The tasks' security groups. Default: a new one.
        pub security_groups: Vec<SecurityGroup>,
        /// ECS Exec. Default: false.
        pub enable_execute_command: bool,
        /// Capacity provider strategies. Default: none (launch type FARGATE).
        pub capacity_provider_strategies: Vec<CapacityProviderStrategy>,
        /// The Fargate platform version. Default: not set (latest).
        pub platform_version: Option<FargatePlatformVersion>,
        /// How new revisions deploy: rolling, blue/green, linear or canary. The
        /// blue/green family adds an alternate target group
        /// (`LB/PublicListener/ECSAlternateGroup`, taking the settings of `ECSGroup`),
        /// the production rule `LB/PublicListener/ProductionRule` (every path, priority
        /// 50000, all traffic to `ECSGroup`; ECS moves the weights) and the
        /// infrastructure role `Service/LBAlternateOptionsRole`. Default: rolling.
        pub deployment_strategy: DeploymentStrategy,
        /// The port of a test listener `TestListener` (with `TestListener/TestRule`) that
        /// sends test traffic to the new revision of a blue/green, linear or canary
        /// deployment, and the output `TestURL`. Default: none.
        pub test_port: Option<u16>,
        /// Lifecycle hooks (blue/green, linear and canary). Default: none.
        pub lifecycle_hooks: Vec<LifecycleHook>,
        /// CloudWatch alarms that roll a deployment back; see also
        /// `default_alarms`. Default: none.
        pub deployment_alarms: Option<DeploymentAlarms>,
    }
}

impl ApplicationLoadBalancedFargateServiceProps {
    /// A service running `image` (container `web` on port 80), everything else at
    /// the defaults.
    pub fn new(image: impl Into<AlbTaskImageOptions>) -> Self {
        ApplicationLoadBalancedFargateServiceProps::default().task_image_options(Some(image.into()))
    }
}

/// A Fargate service behind an application load balancer (CDK's
/// `ApplicationLoadBalancedFargateService`, same construct ids): under the pattern's
/// id, `LB` (with `LB/SecurityGroup`), `LB/PublicListener` forwarding to
/// `LB/PublicListener/ECSGroup`, `TaskDef` with the container, `Service` (its
/// security group open to the load balancer's on the container port only), and the
/// outputs `LoadBalancerDNS` and `ServiceURL`. With a domain name and zone, `DNS`
/// (`AWS::Route53::RecordSet`, an alias A record to the load balancer, as CDK's
/// `ARecord` with a `LoadBalancerTarget`) and, for HTTPS without a certificate,
/// `Certificate` (validated through DNS in the zone).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::ecs::{ContainerImage, DeploymentCircuitBreaker};
/// use berth_constructs::elbv2::HealthCheck;
/// use berth_constructs::patterns::*;
/// use berth_constructs::{fargate_size, App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
/// let image = ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
/// let props = ApplicationLoadBalancedFargateServiceProps::new(image)
///     .size(fargate_size!(512, 1024))
///     .desired_count(2)
///     .circuit_breaker(DeploymentCircuitBreaker { rollback: true });
/// let web = ApplicationLoadBalancedFargateService::new(&mut app, stack, "Web", props)?;
/// web.target_group().configure_health_check(&mut app, HealthCheck::path("/health"))?;
/// web.service().auto_scale_task_count(&mut app, 2, 10)?;
/// let out = app.synth()?;
/// let t = &out.stacks[0].template;
/// let tg = berth_synth::logical_id::make_unique_id(&["Web", "LB", "PublicListener", "ECSGroup", "Resource"]).ok_or("an invalid construct id")?;
/// assert_eq!(t["Resources"][&tg]["Properties"]["Port"], 80);
/// assert_eq!(t["Resources"][&tg]["Properties"]["HealthCheckPath"], "/health");
/// let outputs = t["Outputs"].as_object().ok_or("not an object")?;
/// assert!(outputs.keys().any(|k| k.starts_with("WebLoadBalancerDNS")));
/// assert!(outputs.keys().any(|k| k.starts_with("WebServiceURL")));
/// # Ok(())
/// # }
/// ```
///
/// HTTPS on a domain of a hosted zone: the pattern creates the certificate (validated
/// in the zone) and the alias record.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::ecs::ContainerImage;
/// use berth_constructs::elbv2::Protocol;
/// use berth_constructs::patterns::*;
/// use berth_constructs::route53::HostedZone;
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
/// let https = LoadBalancerOptions::default()
///     .protocol(Protocol::Https)
///     .redirect_http(true)
///     .domain_name("api")
///     .domain_zone(HostedZone::from_attributes("Z0123456789ABCDEFGHIJ", "example.com"));
/// let image = ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
/// let props = ApplicationLoadBalancedFargateServiceProps::new(image).load_balancer(https);
/// let web = ApplicationLoadBalancedFargateService::new(&mut app, stack, "Api", props)?;
/// assert_eq!(web.dns_record().ok_or("no DNS record")?.fully_qualified_name(&app), "api.example.com.");
/// let out = app.synth()?;
/// let t = &out.stacks[0].template;
/// let id = |p: &[&str]| berth_synth::logical_id::make_unique_id(p).unwrap_or_default();
/// let record = &t["Resources"][id(&["Api", "DNS", "Resource"])];
/// assert_eq!(record["Type"], "AWS::Route53::RecordSet");
/// assert_eq!(record["Properties"]["Name"], "api.example.com.");
/// let cert = &t["Resources"][id(&["Api", "Certificate", "Resource"])]["Properties"];
/// assert_eq!(cert["DomainName"], "api.example.com");
/// assert_eq!(cert["DomainValidationOptions"][0]["HostedZoneId"], "Z0123456789ABCDEFGHIJ");
/// let url = t["Outputs"].as_object().ok_or("not an object")?.iter()
///     .find(|(k, _)| k.starts_with("ApiServiceURL")).ok_or("not found")?.1;
/// assert_eq!(url["Value"], "https://api.example.com");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApplicationLoadBalancedFargateService {
    node: NodeId,
    cluster: Cluster,
    task_definition: FargateTaskDefinition,
    container: ContainerDefinition,
    service: FargateService,
    load_balancer: ApplicationLoadBalancer,
    listener: Listener,
    redirect_listener: Option<Listener>,
    target_group: TargetGroup,
    certificate: Option<Certificate>,
    dns_record: Option<ARecord>,
    blue_green: Option<BlueGreenParts>,
}

impl Scope for ApplicationLoadBalancedFargateService {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl ApplicationLoadBalancedFargateService {
    /// Creates the pattern under `scope`.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        props: ApplicationLoadBalancedFargateServiceProps,
    ) -> Result<ApplicationLoadBalancedFargateService> {
        let node = app.add_group(scope, id)?;
        image_or_task(app, node, &props.task_image_options, &props.task_definition)?;
        let cluster = cluster_for(app, node, props.cluster, props.vpc)?;
        let (task_definition, target) = match props.task_definition {
            Some(t) => {
                let target = default_target(app, node, t.task_definition())?;
                (t, target)
            }
            None => {
                let t = FargateTaskDefinition::new(
                    app,
                    node,
                    "TaskDef",
                    FargateTaskDefinitionProps {
                        size: props.size,
                        task_role: props.task_image_options.as_ref().and_then(|o| o.task_role),
                        execution_role: props
                            .task_image_options
                            .as_ref()
                            .and_then(|o| o.execution_role),
                        ..Default::default()
                    },
                )?;
                let o = props.task_image_options.expect("checked above");
                let target = add_image_container(app, t.task_definition(), o, id, None)?;
                (t, target)
            }
        };
        let container = task_definition.find_container(app, &target.0)?;
        let service = FargateService::new(
            app,
            node,
            "Service",
            FargateServiceProps {
                desired_count: props.desired_count,
                circuit_breaker: props.circuit_breaker,
                health_check_grace_period_secs: Some(
                    props.health_check_grace_period_secs.unwrap_or(60),
                ),
                min_healthy_percent: props.min_healthy_percent,
                max_healthy_percent: props.max_healthy_percent,
                service_name: props.service_name,
                assign_public_ip: props.assign_public_ip,
                vpc_subnets: props.task_subnets,
                security_groups: props.security_groups,
                enable_execute_command: props.enable_execute_command,
                capacity_provider_strategies: props.capacity_provider_strategies,
                platform_version: props.platform_version,
                deployment_strategy: props.deployment_strategy,
                lifecycle_hooks: props.lifecycle_hooks,
                deployment_alarms: props.deployment_alarms,
                ..FargateServiceProps::new(cluster, task_definition)
            },
        )?;
        let vpc = cluster.vpc();
        let parts = load_balance(
            app,
            node,
            &vpc,
            service.base(),
            (&target.0, target.1),
            props.load_balancer,
            props.test_port,
        )?;
        Ok(ApplicationLoadBalancedFargateService {
            node,
            cluster,
            task_definition,
            container,
            service,
            load_balancer: parts.load_balancer,
            listener: parts.listener,
            redirect_listener: parts.redirect_listener,
            target_group: parts.target_group,
            certificate: parts.certificate,
            dns_record: parts.dns_record,
            blue_green: parts.blue_green,
        })
    }

    /// The cluster.
    pub fn cluster(&self) -> Cluster {
        self.cluster
    }
    /// The task definition (`TaskDef`, or the one given).
    pub fn task_definition(&self) -> FargateTaskDefinition {
        self.task_definition
    }
    /// The container behind the load balancer (the one the pattern made from the
    /// image options, or the given task definition's first essential container).
    pub fn container(&self) -> ContainerDefinition {
        self.container
    }
    /// The Fargate service.
    pub fn service(&self) -> FargateService {
        self.service
    }
    /// The application load balancer.
    pub fn load_balancer(&self) -> ApplicationLoadBalancer {
        self.load_balancer
    }
    /// The listener (`PublicListener`).
    pub fn listener(&self) -> Listener {
        self.listener
    }
    /// The HTTP→HTTPS redirect listener, if any.
    pub fn redirect_listener(&self) -> Option<Listener> {
        self.redirect_listener
    }
    /// The target group of the service.
    pub fn target_group(&self) -> TargetGroup {
        self.target_group
    }
    /// The certificate the pattern created (HTTPS without a given certificate).
    pub fn certificate(&self) -> Option<Certificate> {
        self.certificate
    }
    /// The alias record `DNS` of the domain name, if one was given.
    pub fn dns_record(&self) -> Option<ARecord> {
        self.dns_record
    }
    /// The alternate (green) target group of a blue/green, linear or canary
    /// deployment (`LB/PublicListener/ECSAlternateGroup`).
    pub fn alternate_target_group(&self) -> Option<TargetGroup> {
        self.blue_green.map(|b| b.alternate_target_group)
    }
    /// The rule ECS moves production traffic on (`LB/PublicListener/ProductionRule`).
    pub fn production_listener_rule(&self) -> Option<ListenerRule> {
        self.blue_green.and_then(|b| b.production_rule)
    }
    /// The test listener (`TestListener`, on `test_port`).
    pub fn test_listener(&self) -> Option<Listener> {
        self.blue_green.and_then(|b| b.test_listener)
    }
    /// The rule ECS moves test traffic on (`TestListener/TestRule`).
    pub fn test_listener_rule(&self) -> Option<ListenerRule> {
        self.blue_green.and_then(|b| b.test_rule)
    }
    /// Creates CloudWatch alarms on the service's target groups (both, in a
    /// blue/green, linear or canary deployment: the new revision is in either) and
    /// makes them deployment alarms: `Target5xxAlarm` (the targets' HTTP 5xx answers
    /// per minute) and `UnhealthyHostsAlarm` (unhealthy targets), with
    /// `AlternateTarget5xxAlarm` and `AlternateUnhealthyHostsAlarm` for the alternate
    /// group. Returns the L1 alarms (`berth_synth::cfn::cloudwatch::CfnAlarm`).
    pub fn default_alarms(
        &self,
        app: &mut App,
        props: DefaultAlarmsProps,
    ) -> Result<Vec<ResourceRef<CfnAlarm>>> {
        alarms::default_alarms(
            app,
            self.node,
            self.service.base(),
            self.target_group,
            self.alternate_target_group(),
            props,
        )
    }
}

props! {
    /// Options of an [`ApplicationLoadBalancedEc2Service`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct ApplicationLoadBalancedEc2ServiceProps {
        /// The cluster, with EC2 capacity (required).
        pub cluster: Cluster,
        /// The container to create (this or `task_definition` is required).
        pub task_image_options: Option<AlbTaskImageOptions>,
        /// A task definition to run instead; the load balancer targets its default
        /// container's first port.
        pub task_definition: Option<Ec2TaskDefinition>,
        /// The network mode of a new task definition. Default: bridge (as CDK).
        pub network_mode: NetworkMode,
        /// The hard memory limit of the new container. Default: 512 MiB (EC2 containers
        /// need one).
        pub memory_limit_mib: u32,
        /// The number of tasks. Default: not set (1).
        pub desired_count: Option<u32>,
        /// The load balancer. Default: public, HTTP on port 80.
        pub load_balancer: LoadBalancerOptions,
        /// Roll back a failing deployment. Default: none.
        pub circuit_breaker: Option<DeploymentCircuitBreaker>,
        /// Seconds the load balancer health checks are ignored after a task starts.
        /// Default: 60.
        pub health_check_grace_period_secs: Option<u32>,
        /// The service's name. Default: generated.
        pub service_name: Option<String>,
        /// Capacity provider strategies. Default: none (launch type EC2).
        pub capacity_provider_strategies: Vec<CapacityProviderStrategy>,
        /// Task placement strategies. Default: none.
        pub placement_strategies: Vec<PlacementStrategy>,
        /// How new revisions deploy: rolling, blue/green, linear or canary. The
        /// blue/green family adds an alternate target group
        /// (`LB/PublicListener/ECSAlternateGroup`, taking the settings of `ECSGroup`),
        /// the production rule `LB/PublicListener/ProductionRule` (every path, priority
        /// 50000, all traffic to `ECSGroup`; ECS moves the weights) and the
        /// infrastructure role `Service/LBAlternateOptionsRole`. Default: rolling.
        pub deployment_strategy: DeploymentStrategy,
        /// The port of a test listener `TestListener` (with `TestListener/TestRule`) that
        /// sends test traffic to the new revision of a blue/green, linear or canary
        /// deployment, and the output `TestURL`. Default: none.
        pub test_port: Option<u16>,
        /// Lifecycle hooks (blue/green, linear and canary). Default: none.
        pub lifecycle_hooks: Vec<LifecycleHook>,
        /// CloudWatch alarms that roll a deployment back; see also
        /// `default_alarms`. Default: none.
        pub deployment_alarms: Option<DeploymentAlarms>,
    }
}

impl ApplicationLoadBalancedEc2ServiceProps {
    /// A service on `cluster` running `image` (container `web` on port 80, 512 MiB).
    pub fn new(cluster: Cluster, image: impl Into<AlbTaskImageOptions>) -> Self {
        ApplicationLoadBalancedEc2ServiceProps {
            cluster,
            task_image_options: Some(image.into()),
            task_definition: None,
            network_mode: NetworkMode::Bridge,
            memory_limit_mib: 512,
            desired_count: None,
            load_balancer: LoadBalancerOptions::default(),
            circuit_breaker: None,
            health_check_grace_period_secs: None,
            service_name: None,
            capacity_provider_strategies: Vec::new(),
            placement_strategies: Vec::new(),
            deployment_strategy: DeploymentStrategy::rolling(),
            test_port: None,
            lifecycle_hooks: Vec::new(),
            deployment_alarms: None,
        }
    }
}

/// An EC2 service behind an application load balancer (CDK's
/// `ApplicationLoadBalancedEc2Service`, same construct ids as the Fargate pattern).
/// In bridge mode the target group has instance targets on dynamic host ports, and
/// the instances' security group is opened to the load balancer.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::ecs::{AddCapacityOptions, Cluster, ClusterProps, ContainerImage};
/// use berth_constructs::patterns::*;
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
/// let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps::default())?;
/// let capacity = cluster.add_capacity(&mut app, "Capacity", AddCapacityOptions::new("t3.small"))?;
/// let image = ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest");
/// let props = ApplicationLoadBalancedEc2ServiceProps::new(cluster, image)
///     .capacity_provider_strategies([capacity.strategy(1)]);
/// let web = ApplicationLoadBalancedEc2Service::new(&mut app, stack, "Web", props)?;
/// let out = app.synth()?;
/// let tg = berth_synth::logical_id::make_unique_id(&["Web", "LB", "PublicListener", "ECSGroup", "Resource"]).ok_or("an invalid construct id")?;
/// assert_eq!(out.stacks[0].template["Resources"][&tg]["Properties"]["TargetType"], "instance");
/// # let _ = web.target_group();
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApplicationLoadBalancedEc2Service {
    node: NodeId,
    cluster: Cluster,
    task_definition: Ec2TaskDefinition,
    container: ContainerDefinition,
    service: Ec2Service,
    load_balancer: ApplicationLoadBalancer,
    listener: Listener,
    redirect_listener: Option<Listener>,
    target_group: TargetGroup,
    certificate: Option<Certificate>,
    dns_record: Option<ARecord>,
    blue_green: Option<BlueGreenParts>,
}

impl Scope for ApplicationLoadBalancedEc2Service {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl ApplicationLoadBalancedEc2Service {
    /// Creates the pattern under `scope`.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        props: ApplicationLoadBalancedEc2ServiceProps,
    ) -> Result<ApplicationLoadBalancedEc2Service> {
        let node = app.add_group(scope, id)?;
        image_or_task(app, node, &props.task_image_options, &props.task_definition)?;
        let cluster = props.cluster;
        let (task_definition, target) = match props.task_definition {
            Some(t) => {
                let target = default_target(app, node, t.task_definition())?;
                (t, target)
            }
            None => {
                let t = Ec2TaskDefinition::new(
                    app,
                    node,
                    "TaskDef",
                    Ec2TaskDefinitionProps {
                        network_mode: props.network_mode,
                        task_role: props.task_image_options.as_ref().and_then(|o| o.task_role),
                        execution_role: props
                            .task_image_options
                            .as_ref()
                            .and_then(|o| o.execution_role),
                        ..Default::default()
                    },
                )?;
                let o = props.task_image_options.expect("checked above");
                let target = add_image_container(
                    app,
                    t.task_definition(),
                    o,
                    id,
                    Some(props.memory_limit_mib),
                )?;
                (t, target)
            }
        };
        let container = task_definition.find_container(app, &target.0)?;
        let service = Ec2Service::new(
            app,
            node,
            "Service",
            Ec2ServiceProps {
                desired_count: props.desired_count,
                circuit_breaker: props.circuit_breaker,
                health_check_grace_period_secs: Some(
                    props.health_check_grace_period_secs.unwrap_or(60),
                ),
                service_name: props.service_name,
                capacity_provider_strategies: props.capacity_provider_strategies,
                placement_strategies: props.placement_strategies,
                deployment_strategy: props.deployment_strategy,
                lifecycle_hooks: props.lifecycle_hooks,
                deployment_alarms: props.deployment_alarms,
                ..Ec2ServiceProps::new(cluster, task_definition)
            },
        )?;
        let vpc = cluster.vpc();
        let parts = load_balance(
            app,
            node,
            &vpc,
            service.base(),
            (&target.0, target.1),
            props.load_balancer,
            props.test_port,
        )?;
        Ok(ApplicationLoadBalancedEc2Service {
            node,
            cluster,
            task_definition,
            container,
            service,
            load_balancer: parts.load_balancer,
            listener: parts.listener,
            redirect_listener: parts.redirect_listener,
            target_group: parts.target_group,
            certificate: parts.certificate,
            dns_record: parts.dns_record,
            blue_green: parts.blue_green,
        })
    }

    /// The cluster.
    pub fn cluster(&self) -> Cluster {
        self.cluster
    }
    /// The task definition (`TaskDef`, or the one given).
    pub fn task_definition(&self) -> Ec2TaskDefinition {
        self.task_definition
    }
    /// The container behind the load balancer (the one the pattern made from the
    /// image options, or the given task definition's first essential container).
    pub fn container(&self) -> ContainerDefinition {
        self.container
    }
    /// The EC2 service.
    pub fn service(&self) -> Ec2Service {
        self.service
    }
    /// The application load balancer.
    pub fn load_balancer(&self) -> ApplicationLoadBalancer {
        self.load_balancer
    }
    /// The listener (`PublicListener`).
    pub fn listener(&self) -> Listener {
        self.listener
    }
    /// The HTTP→HTTPS redirect listener, if any.
    pub fn redirect_listener(&self) -> Option<Listener> {
        self.redirect_listener
    }
    /// The target group of the service.
    pub fn target_group(&self) -> TargetGroup {
        self.target_group
    }
    /// The certificate the pattern created (HTTPS without a given certificate).
    pub fn certificate(&self) -> Option<Certificate> {
        self.certificate
    }
    /// The alias record `DNS` of the domain name, if one was given.
    pub fn dns_record(&self) -> Option<ARecord> {
        self.dns_record
    }
    /// The alternate (green) target group of a blue/green, linear or canary
    /// deployment (`LB/PublicListener/ECSAlternateGroup`).
    pub fn alternate_target_group(&self) -> Option<TargetGroup> {
        self.blue_green.map(|b| b.alternate_target_group)
    }
    /// The rule ECS moves production traffic on (`LB/PublicListener/ProductionRule`).
    pub fn production_listener_rule(&self) -> Option<ListenerRule> {
        self.blue_green.and_then(|b| b.production_rule)
    }
    /// The test listener (`TestListener`, on `test_port`).
    pub fn test_listener(&self) -> Option<Listener> {
        self.blue_green.and_then(|b| b.test_listener)
    }
    /// The rule ECS moves test traffic on (`TestListener/TestRule`).
    pub fn test_listener_rule(&self) -> Option<ListenerRule> {
        self.blue_green.and_then(|b| b.test_rule)
    }
    /// Creates CloudWatch alarms on the service's target groups (both, in a
    /// blue/green, linear or canary deployment: the new revision is in either) and
    /// makes them deployment alarms: `Target5xxAlarm` (the targets' HTTP 5xx answers
    /// per minute) and `UnhealthyHostsAlarm` (unhealthy targets), with
    /// `AlternateTarget5xxAlarm` and `AlternateUnhealthyHostsAlarm` for the alternate
    /// group. Returns the L1 alarms (`berth_synth::cfn::cloudwatch::CfnAlarm`).
    pub fn default_alarms(
        &self,
        app: &mut App,
        props: DefaultAlarmsProps,
    ) -> Result<Vec<ResourceRef<CfnAlarm>>> {
        alarms::default_alarms(
            app,
            self.node,
            self.service.base(),
            self.target_group,
            self.alternate_target_group(),
            props,
        )
    }
}
