//! [`Cluster`], its capacity providers, and EC2 capacity ([`Ec2Capacity`]).

use crate::app::{App, Construct, NodeId, Scope};
use crate::ec2::{
    Connectable, Connections, SecurityGroup, SecurityGroupProps, SubnetSelection, Vpc, VpcProps,
};
use crate::error::{ConstructError, Result};
use crate::iam::{join, value_expr, ManagedPolicy, Principal, Role, RoleProps};
use crate::servicediscovery::{PrivateDnsNamespace, PrivateDnsNamespaceProps};
use berth_synth::cfn::autoscaling::{auto_scaling_group as asg, CfnAutoScalingGroup};
use berth_synth::cfn::ec2::{launch_template as lt, CfnLaunchTemplate};
use berth_synth::cfn::ecs::{
    capacity_provider as cp, cluster as cfn_cluster,
    cluster_capacity_provider_associations as assoc, CfnCapacityProvider, CfnCluster,
    CfnClusterCapacityProviderAssociations,
};
use berth_synth::cfn::iam::CfnInstanceProfile;
use berth_synth::resource::ResourceRef;
use berth_synth::{Diagnostic, Expr, Intrinsic, Token, Value};
use std::any::Any;

/// The SSM parameter of the ECS-optimized Amazon Linux 2023 AMI (x86_64).
pub const ECS_AL2023_AMI_PARAMETER: &str =
    "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id";
/// The SSM parameter of the ECS-optimized Amazon Linux 2023 AMI (arm64).
pub const ECS_AL2023_ARM64_AMI_PARAMETER: &str =
    "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id";

/// CloudWatch Container Insights for a cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContainerInsights {
    /// `enabled`.
    Enabled,
    /// `disabled`.
    Disabled,
    /// `enhanced` (Container Insights with enhanced observability).
    Enhanced,
}

impl ContainerInsights {
    /// The value of the `containerInsights` cluster setting.
    pub fn as_str(self) -> &'static str {
        match self {
            ContainerInsights::Enabled => "enabled",
            ContainerInsights::Disabled => "disabled",
            ContainerInsights::Enhanced => "enhanced",
        }
    }
}

props! {
    /// One entry of a capacity provider strategy: which capacity provider, its base (tasks
    /// placed there first) and its weight (share of the rest).
    #[derive(Clone, Debug, PartialEq)]
    pub struct CapacityProviderStrategy {
        /// The capacity provider's name: `FARGATE`, `FARGATE_SPOT`, or the name of an
        /// EC2 capacity provider (see [`Ec2Capacity::capacity_provider_name`]). Required.
        pub capacity_provider: Value,
        /// Tasks to run on this provider before the weights apply. Default: not rendered (0).
        pub base: Option<u32>,
        /// The relative share of tasks. Default: not rendered (0).
        pub weight: Option<u32>,
    }
}

impl CapacityProviderStrategy {
    /// `FARGATE` with a weight.
    pub fn fargate(weight: u32) -> Self {
        CapacityProviderStrategy {
            capacity_provider: Value::from("FARGATE"),
            base: None,
            weight: Some(weight),
        }
    }

    /// `FARGATE_SPOT` with a weight.
    pub fn fargate_spot(weight: u32) -> Self {
        CapacityProviderStrategy {
            capacity_provider: Value::from("FARGATE_SPOT"),
            base: None,
            weight: Some(weight),
        }
    }

    /// The same entry with a base.
    pub fn with_base(mut self, base: u32) -> Self {
        self.base = Some(base);
        self
    }

    fn is_fargate(&self) -> bool {
        matches!(&self.capacity_provider, Value::String(s) if s == "FARGATE" || s == "FARGATE_SPOT")
    }

    fn describe(&self) -> String {
        match &self.capacity_provider {
            Value::String(s) => s.clone(),
            _ => "an EC2 capacity provider".into(),
        }
    }
}

props! {
    /// The cluster's default Cloud Map namespace (CDK's `CloudMapNamespaceOptions`):
    /// services register in it (`enable_cloud_map`) and join it through Service Connect
    /// unless told otherwise. `"svc.local".into()` is a new private DNS namespace of that
    /// name.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct CloudMapNamespaceOptions {
        /// The domain of a new private DNS namespace in the cluster's VPC, e.g.
        /// `svc.local`, created as `DefaultServiceDiscoveryNamespace` under the cluster
        /// (CDK's id). Required unless `namespace` is given.
        pub name: String,
        /// A namespace created elsewhere to use instead (then `name` is not used).
        /// Default: none.
        pub namespace: Option<PrivateDnsNamespace>,
        /// Also make it the Service Connect default of the cluster
        /// (`ServiceConnectDefaults.Namespace`). Default: false.
        pub use_for_service_connect: bool,
    }
}

impl CloudMapNamespaceOptions {
    /// A new private DNS namespace named `name` (e.g. `svc.local`).
    pub fn new(name: impl Into<String>) -> Self {
        CloudMapNamespaceOptions::default().name(name.into())
    }
}

impl From<&str> for CloudMapNamespaceOptions {
    fn from(name: &str) -> Self {
        CloudMapNamespaceOptions::new(name)
    }
}

impl From<PrivateDnsNamespace> for CloudMapNamespaceOptions {
    fn from(namespace: PrivateDnsNamespace) -> Self {
        CloudMapNamespaceOptions::default().namespace(Some(namespace))
    }
}

impl crate::props::IntoProp<Option<CloudMapNamespaceOptions>> for &str {
    fn into_prop(self) -> Option<CloudMapNamespaceOptions> {
        Some(self.into())
    }
}

props! {
    /// Attributes of an existing cluster, for [`Cluster::from_attributes`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct ClusterAttributes {
    /// The cluster's name. Required.
    pub cluster_name: Value,
    /// The VPC its tasks run in. Required.
    pub vpc: Vpc,
    /// The cluster's ARN. Default: built from the name, in the stack's account and
    /// region.
    pub cluster_arn: Option<Value>,
}
}

props! {
    /// Options of a [`Cluster`].
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct ClusterProps {
        /// The VPC the cluster's tasks and instances run in. Default: a new [`Vpc`] with
        /// id `Vpc` under the cluster (CDK's default: two AZs, public and private subnets,
        /// a NAT gateway per AZ).
        pub vpc: Option<Vpc>,
        /// The cluster's name. Default: generated by CloudFormation.
        pub cluster_name: Option<String>,
        /// Container Insights. Default: [`ContainerInsights::Enhanced`] (berth's secure
        /// default; CDK leaves it to the account setting). Opt out with
        /// `.container_insights(ContainerInsights::Disabled)`.
        pub container_insights: Option<ContainerInsights>,
        /// Associate the `FARGATE` and `FARGATE_SPOT` capacity providers. Default: false.
        pub enable_fargate_capacity_providers: bool,
        /// The default capacity provider strategy of the cluster; every provider in it must
        /// be associated (Fargate enabled, or EC2 capacity added) by synth. Default: none.
        pub default_capacity_provider_strategy: Vec<CapacityProviderStrategy>,
        /// The default Cloud Map namespace: `"svc.local"` creates a private DNS namespace
        /// of that name in the cluster's VPC (see [`CloudMapNamespaceOptions`]). Default:
        /// none.
        pub default_cloud_map_namespace: Option<CloudMapNamespaceOptions>,
    }
}

#[derive(Debug)]
pub(crate) struct ClusterState {
    pub(crate) vpc: Option<Vpc>,
    providers: Vec<Value>,
    default_strategy: Vec<CapacityProviderStrategy>,
    pub(crate) association: Option<ResourceRef<CfnClusterCapacityProviderAssociations>>,
    pub(crate) capacities: Vec<Ec2Capacity>,
    /// Managed Instances capacity providers: cluster-scoped (`ClusterName` on the
    /// provider), never in the associations.
    pub(crate) managed_instances: Vec<super::ManagedInstancesCapacityProvider>,
    namespace: Option<PrivateDnsNamespace>,
    id: String,
    imported: bool,
}

impl Construct for ClusterState {
    fn fqn(&self) -> &'static str {
        if self.imported {
            "berth.ecs.ImportedCluster"
        } else {
            "berth.ecs.Cluster"
        }
    }
    fn validate(&self, app: &App, node: NodeId) -> Vec<Diagnostic> {
        let path = app.path(node);
        let mut out = Vec::new();
        let s = &self.default_strategy;
        let err = |m: String| {
            Diagnostic::error("BERTH-E0312", path.clone(), m)
                .with_property("default_capacity_provider_strategy")
        };
        if s.iter().any(|d| d.is_fargate()) && s.iter().any(|d| !d.is_fargate()) {
            out.push(err("a capacity provider strategy cannot mix Fargate providers with EC2 (Auto Scaling group) providers; use one kind or the other".into()));
        }
        let managed: Vec<Value> = self
            .managed_instances
            .iter()
            .map(|m| m.capacity_provider_name().into())
            .collect();
        for d in s {
            if managed.contains(&d.capacity_provider) {
                out.push(err("a Managed Instances capacity provider cannot be in the cluster's default capacity provider strategy (ECS associates it with its cluster itself and PutClusterCapacityProviders refuses it); give it in the service's capacity_provider_strategies (ManagedInstancesService does by default)".into()));
            } else if !self.providers.contains(&d.capacity_provider) {
                out.push(err(format!(
                    "capacity provider {} is not associated with this cluster; set enable_fargate_capacity_providers or add the capacity with add_capacity first",
                    d.describe()
                )));
            }
        }
        if s.iter().filter(|d| d.base.unwrap_or(0) > 0).count() > 1 {
            out.push(err(
                "only one capacity provider in a strategy can have a non-zero base".into(),
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

/// An ECS cluster. Its L1 child is `Resource` (`AWS::ECS::Cluster`); capacity
/// providers are associated through an `AWS::ECS::ClusterCapacityProviderAssociations`
/// child that carries the cluster's own id (as in CDK), created once there is a
/// provider or a default strategy.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::ecs::{CapacityProviderStrategy, Cluster, ClusterProps, ContainerInsights};
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
/// let props = ClusterProps::default()
///     .container_insights(ContainerInsights::Enabled)
///     .enable_fargate_capacity_providers(true)
///     .default_capacity_provider_strategy([
///         CapacityProviderStrategy::fargate(1).with_base(1),
///         CapacityProviderStrategy::fargate_spot(3),
///     ]);
/// let cluster = Cluster::new(&mut app, stack, "Cluster", props)?;
/// assert_eq!(app.path(cluster.vpc()), "Web/Cluster/Vpc");
/// let out = app.synth()?;
/// let res = &out.stacks[0].template["Resources"];
/// assert_eq!(res["ClusterEB0386A7"]["Properties"]["ClusterSettings"][0]["Value"], "enabled");
/// let assoc = &res["Cluster3DA9CCBA"]["Properties"];
/// assert_eq!(assoc["CapacityProviders"], serde_json::json!(["FARGATE", "FARGATE_SPOT"]));
/// assert_eq!(assoc["DefaultCapacityProviderStrategy"][1]["Weight"], 3);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cluster {
    node: NodeId,
    resource: Option<ResourceRef<CfnCluster>>,
    vpc: Vpc,
}

impl Scope for Cluster {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl Cluster {
    /// Creates a cluster under `scope`.
    pub fn new(app: &mut App, scope: impl Scope, id: &str, props: ClusterProps) -> Result<Cluster> {
        let cfn = CfnCluster {
            cluster_name: props.cluster_name.clone().map(Into::into),
            cluster_settings: Some(
                props
                    .container_insights
                    .unwrap_or(ContainerInsights::Enhanced),
            )
            .map(|c| {
                Expr::Lit(vec![cfn_cluster::ClusterSettings {
                    name: Some("containerInsights".into()),
                    value: Some(c.as_str().into()),
                }])
            }),
            ..CfnCluster::default()
        };
        let node = app.add_construct(
            scope,
            id,
            ClusterState {
                vpc: props.vpc,
                providers: Vec::new(),
                default_strategy: props.default_capacity_provider_strategy.clone(),
                association: None,
                capacities: Vec::new(),
                managed_instances: Vec::new(),
                namespace: None,
                id: id.to_owned(),
                imported: false,
            },
        )?;
        let resource = app.add_resource(node, "Resource", cfn)?;
        let vpc = match props.vpc {
            Some(v) => v,
            None => Vpc::new(app, node, "Vpc", VpcProps::default())?,
        };
        if let Some(s) = app.construct_mut::<ClusterState>(node) {
            s.vpc = Some(vpc);
        }
        let cluster = Cluster {
            node,
            resource: Some(resource),
            vpc,
        };
        if let Some(options) = props.default_cloud_map_namespace {
            cluster.add_default_cloud_map_namespace(app, options)?;
        }
        if props.enable_fargate_capacity_providers {
            cluster.enable_fargate_capacity_providers(app)?;
        }
        cluster.sync_associations(app)?;
        Ok(cluster)
    }

    /// Sets the cluster's default Cloud Map namespace (CDK's
    /// `addDefaultCloudMapNamespace`): creates a private DNS namespace
    /// `DefaultServiceDiscoveryNamespace` in the cluster's VPC (or takes the one given)
    /// and, with `use_for_service_connect`, makes it the cluster's Service Connect
    /// default. A second default namespace is an error.
    pub fn add_default_cloud_map_namespace(
        &self,
        app: &mut App,
        options: impl Into<CloudMapNamespaceOptions>,
    ) -> Result<PrivateDnsNamespace> {
        let options = options.into();
        self.check_owned(app, "default_cloud_map_namespace")?;
        if self.state(app).namespace.is_some() {
            return Err(ConstructError::invalid(
                app.path(self.node),
                "default_cloud_map_namespace",
                "the cluster has a default Cloud Map namespace already; a cluster has one",
            ));
        }
        let namespace = match options.namespace {
            Some(ns) => ns,
            None => PrivateDnsNamespace::new(
                app,
                self.node,
                "DefaultServiceDiscoveryNamespace",
                &self.vpc,
                PrivateDnsNamespaceProps::new(options.name),
            )?,
        };
        if let Some(s) = app.construct_mut::<ClusterState>(self.node) {
            s.namespace = Some(namespace);
        }
        if let (true, Some(r)) = (options.use_for_service_connect, self.resource) {
            app.resource_mut(r).service_connect_defaults = Some(
                cfn_cluster::ServiceConnectDefaults {
                    namespace: Some(namespace.namespace_arn().into()),
                }
                .into(),
            );
        }
        Ok(namespace)
    }

    fn state<'a>(&self, app: &'a App) -> &'a ClusterState {
        app.construct::<ClusterState>(self.node)
            .expect("a Cluster handle points at a cluster")
    }

    /// The cluster's name (`Ref`, or the name given to [`Cluster::from_attributes`]).
    pub fn cluster_name(&self) -> Token<String> {
        match self.resource {
            Some(r) => r.ref_(),
            None => Token::get_att(self.node, "ClusterName"),
        }
    }

    /// The cluster's ARN.
    pub fn cluster_arn(&self) -> Token<String> {
        match self.resource {
            Some(r) => r.attr_arn(),
            None => Token::get_att(self.node, "Arn"),
        }
    }

    /// An existing cluster, by name, in a VPC. berth never changes it: its capacity
    /// providers cannot be changed here ([`Cluster::add_capacity`] and
    /// [`Cluster::enable_fargate_capacity_providers`] return an error), but services
    /// can run in it.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use berth_constructs::ec2::{Vpc, VpcAttributes};
    /// use berth_constructs::ecs::{Cluster, ClusterAttributes};
    /// use berth_constructs::{App, Stack, StackProps};
    ///
    /// let mut app = App::new();
    /// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
    /// let vpc_attrs = VpcAttributes::default()
    ///     .vpc_id("vpc-0123")
    ///     .availability_zones(["us-east-1a"])
    ///     .private_subnet_ids(["subnet-0123"]);
    /// let vpc = Vpc::from_attributes(&mut app, stack, "Vpc", vpc_attrs)?;
    /// let cluster = Cluster::from_attributes(&mut app, stack, "Cluster", ClusterAttributes {
    ///     cluster_name: "prod".into(),
    ///     vpc,
    ///     cluster_arn: None,
    /// })?;
    /// // Its attributes are tokens like an owned cluster's; they resolve to what was given
    /// // (the ARN: built from the name, in the stack's partition, region and account).
    /// assert!(app.resolve(cluster.cluster_arn()).is_token());
    /// assert_eq!(app.resolve(cluster.cluster_name()), "prod".into());
    /// assert!(cluster.cfn().is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_attributes(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        attrs: ClusterAttributes,
    ) -> Result<Cluster> {
        let arn = attrs.cluster_arn.unwrap_or_else(|| {
            join([
                Value::from("arn:"),
                berth_synth::Pseudo::Partition.token().into(),
                Value::from(":ecs:"),
                berth_synth::Pseudo::Region.token().into(),
                Value::from(":"),
                berth_synth::Pseudo::AccountId.token().into(),
                Value::from(":cluster/"),
                attrs.cluster_name.clone(),
            ])
        });
        let node = app.add_construct(
            scope,
            id,
            ClusterState {
                vpc: Some(attrs.vpc),
                providers: Vec::new(),
                default_strategy: Vec::new(),
                association: None,
                capacities: Vec::new(),
                managed_instances: Vec::new(),
                namespace: None,
                id: id.to_owned(),
                imported: true,
            },
        )?;
        app.set_attribute(node, "ClusterName", attrs.cluster_name);
        app.set_attribute(node, "Arn", arn);
        Ok(Cluster {
            node,
            resource: None,
            vpc: attrs.vpc,
        })
    }

    pub(super) fn check_owned(&self, app: &App, what: &str) -> Result<()> {
        if self.resource.is_none() {
            return Err(ConstructError::invalid(
                app.path(self.node),
                what,
                "cannot change the capacity of an imported cluster: berth does not change it (its existing capacity providers would be replaced)",
            ));
        }
        Ok(())
    }

    /// The VPC of the cluster.
    pub fn vpc(&self) -> Vpc {
        self.vpc
    }

    /// The L1 cluster, for escape hatches (`None` when imported).
    pub fn cfn(&self) -> Option<ResourceRef<CfnCluster>> {
        self.resource
    }

    /// Whether EC2 capacity was added with [`Cluster::add_capacity`].
    pub fn has_ec2_capacity(&self, app: &App) -> bool {
        !self.state(app).capacities.is_empty()
    }

    /// The EC2 capacity added to the cluster.
    pub fn capacities(&self, app: &App) -> Vec<Ec2Capacity> {
        self.state(app).capacities.clone()
    }

    /// The Managed Instances capacity providers added with
    /// [`Cluster::add_managed_instances_capacity_provider`], in the order they were
    /// added.
    pub fn managed_instances_capacity_providers(
        &self,
        app: &App,
    ) -> Vec<super::ManagedInstancesCapacityProvider> {
        self.state(app).managed_instances.clone()
    }

    /// The default Cloud Map namespace, if there is one.
    pub fn default_cloud_map_namespace(&self, app: &App) -> Option<PrivateDnsNamespace> {
        self.state(app).namespace
    }

    /// The `ClusterCapacityProviderAssociations` resource, once there is one.
    pub fn capacity_provider_associations(
        &self,
        app: &App,
    ) -> Option<ResourceRef<CfnClusterCapacityProviderAssociations>> {
        self.state(app).association
    }

    /// The capacity providers associated with the cluster (`FARGATE`, `FARGATE_SPOT`,
    /// and the names of EC2 capacity providers), in the order they were added.
    pub fn capacity_provider_names(&self, app: &App) -> Vec<Value> {
        self.state(app).providers.clone()
    }

    /// The problems of a capacity provider strategy used on this cluster: for each entry
    /// naming a provider the cluster does not have, its index and what to do.
    pub(crate) fn unassociated(
        &self,
        app: &App,
        strategies: &[CapacityProviderStrategy],
    ) -> Vec<(usize, String)> {
        let associated = self.capacity_provider_names(app);
        strategies
            .iter()
            .enumerate()
            .filter(|(_, st)| !associated.contains(&st.capacity_provider))
            .map(|(i, st)| {
                (
                    i,
                    format!(
                        "capacity provider {} is not associated with the cluster {}; set enable_fargate_capacity_providers on the cluster, or add the capacity with add_capacity",
                        st.describe(),
                        app.path(self.node)
                    ),
                )
            })
            .collect()
    }

    /// Associates `FARGATE` and `FARGATE_SPOT` with the cluster.
    pub fn enable_fargate_capacity_providers(&self, app: &mut App) -> Result<()> {
        self.check_owned(app, "enable_fargate_capacity_providers")?;
        for p in ["FARGATE", "FARGATE_SPOT"] {
            self.add_provider(app, Value::from(p));
        }
        self.sync_associations(app)
    }

    /// Sets the default capacity provider strategy (checked at synth: no mix of Fargate
    /// and EC2 providers, every provider associated, at most one base).
    pub fn set_default_capacity_provider_strategy(
        &self,
        app: &mut App,
        strategy: Vec<CapacityProviderStrategy>,
    ) -> Result<()> {
        self.check_owned(app, "default_capacity_provider_strategy")?;
        if let Some(s) = app.construct_mut::<ClusterState>(self.node) {
            s.default_strategy = strategy;
        }
        self.sync_associations(app)
    }

    fn add_provider(&self, app: &mut App, name: Value) {
        if let Some(s) = app.construct_mut::<ClusterState>(self.node) {
            if !s.providers.contains(&name) {
                s.providers.push(name);
            }
        }
    }

    fn sync_associations(&self, app: &mut App) -> Result<()> {
        let Some(cluster_resource) = self.resource else {
            return Ok(());
        };
        let s = self.state(app);
        if s.providers.is_empty() && s.default_strategy.is_empty() {
            return Ok(());
        }
        let providers: Vec<Expr<String>> = s.providers.iter().cloned().map(value_expr).collect();
        let strategy: Vec<assoc::CapacityProviderStrategy> = s
            .default_strategy
            .iter()
            .map(|d| assoc::CapacityProviderStrategy {
                base: d.base.map(Into::into),
                capacity_provider: Some(value_expr(d.capacity_provider.clone())),
                weight: d.weight.map(Into::into),
            })
            .collect();
        let (existing, id) = (s.association, s.id.clone());
        let r = match existing {
            Some(r) => r,
            None => {
                let r = app.add_resource(
                    self.node,
                    &id,
                    CfnClusterCapacityProviderAssociations {
                        cluster: Some(cluster_resource.ref_().into()),
                        ..Default::default()
                    },
                )?;
                if let Some(s) = app.construct_mut::<ClusterState>(self.node) {
                    s.association = Some(r);
                }
                r
            }
        };
        let cfn = app.resource_mut(r);
        cfn.capacity_providers = (!providers.is_empty()).then(|| Expr::Lit(providers));
        cfn.default_capacity_provider_strategy = Some(Expr::Lit(strategy));
        Ok(())
    }

    /// Adds EC2 capacity under `Cluster/<id>`: an instance security group
    /// (`InstanceSecurityGroup`), an instance role (`InstanceRole`, with the
    /// `AmazonEC2ContainerServiceforEC2Role` managed policy) and profile
    /// (`InstanceProfile`), a launch template (`LaunchTemplate`) whose user data joins
    /// the cluster, an Auto Scaling group (`ASG`), and an ECS capacity provider with
    /// managed scaling (`CapacityProvider`), associated with the cluster.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use berth_constructs::ecs::{AddCapacityOptions, Cluster, ClusterProps};
    /// use berth_constructs::{App, Stack, StackProps};
    ///
    /// let mut app = App::new();
    /// let stack = Stack::new(&mut app, "Hosts", StackProps::default())?;
    /// let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps::default())?;
    /// let options = AddCapacityOptions::new("t3.medium").max_capacity(4);
    /// let capacity = cluster.add_capacity(&mut app, "DefaultAutoScalingGroup", options)?;
    /// assert!(cluster.has_ec2_capacity(&app));
    /// let out = app.synth()?;
    /// let t = &out.stacks[0].template;
    /// let ami = &t["Parameters"]["SsmParameterValueawsserviceecsoptimizedamiamazonlinux2023recommendedimageidC96584B6F00A464EAD1953AFF4B05118Parameter"];
    /// assert_eq!(ami["Type"], "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>");
    /// let asg = t["Resources"].as_object().ok_or("not an object")?.values()
    ///     .find(|r| r["Type"] == "AWS::AutoScaling::AutoScalingGroup").ok_or("not found")?;
    /// assert_eq!(asg["Properties"]["MaxSize"], "4");
    /// # Ok(())
    /// # }
    /// ```
    pub fn add_capacity(
        &self,
        app: &mut App,
        id: &str,
        options: AddCapacityOptions,
    ) -> Result<Ec2Capacity> {
        self.check_owned(app, "capacity")?;
        let path = format!("{}/{id}", app.path(self.node));
        let bad = |prop: &str, msg: String| ConstructError::invalid(path.clone(), prop, msg);
        if options.instance_type.trim().is_empty() {
            return Err(bad(
                "instance_type",
                "an instance type is required, e.g. AddCapacityOptions::new(\"t3.medium\")".into(),
            ));
        }
        let max = options.max_capacity.unwrap_or(
            options
                .desired_capacity
                .unwrap_or(options.min_capacity)
                .max(options.min_capacity),
        );
        if max == 0 {
            return Err(bad(
                "max_capacity",
                "max_capacity must be at least 1, got 0".into(),
            ));
        }
        if options.min_capacity > max {
            return Err(bad(
                "min_capacity",
                format!(
                    "min_capacity ({}) is greater than max_capacity ({max})",
                    options.min_capacity
                ),
            ));
        }
        if let Some(d) = options.desired_capacity {
            if d < options.min_capacity || d > max {
                return Err(bad(
                    "desired_capacity",
                    format!(
                        "desired_capacity ({d}) must be between min_capacity ({}) and max_capacity ({max})",
                        options.min_capacity
                    ),
                ));
            }
        }
        let target = options.capacity_provider.target_capacity_percent;
        if !(1..=100).contains(&target) {
            return Err(bad(
                "capacity_provider.target_capacity_percent",
                format!("the target capacity must be between 1 and 100 percent, got {target}"),
            ));
        }
        let vpc = self.vpc;
        let subnets = vpc.select_subnets(app, &options.vpc_subnets.clone().unwrap_or_default())?;
        let image_id: Value = match &options.machine_image {
            MachineImage::EcsOptimized => {
                ssm_ami_parameter(app, self.node, ECS_AL2023_AMI_PARAMETER)?
            }
            MachineImage::EcsOptimizedArm64 => {
                ssm_ami_parameter(app, self.node, ECS_AL2023_ARM64_AMI_PARAMETER)?
            }
            MachineImage::FromSsmParameter(p) => ssm_ami_parameter(app, self.node, p)?,
            MachineImage::Id(v) => v.clone(),
        };

        let node = app.add_group(self.node, id)?;
        let sg = SecurityGroup::new(
            app,
            node,
            "InstanceSecurityGroup",
            &vpc,
            SecurityGroupProps::default(),
        )?;
        app.add_tag(node, "Name", &path);
        let role = Role::new(
            app,
            node,
            "InstanceRole",
            RoleProps {
                managed_policies: vec![ManagedPolicy::aws_managed(
                    "service-role/AmazonEC2ContainerServiceforEC2Role",
                )],
                ..RoleProps::new(Principal::service("ec2.amazonaws.com"))
            },
        )?;
        let profile = app.add_resource(
            node,
            "InstanceProfile",
            CfnInstanceProfile {
                roles: Some(Expr::Lit(vec![role.role_name().into()])),
                ..Default::default()
            },
        )?;
        let user_data = Intrinsic::Base64(join([
            Value::from("#!/bin/bash\necho ECS_CLUSTER="),
            self.cluster_name().into(),
            Value::from(" >> /etc/ecs/ecs.config"),
        ]))
        .into_value();
        let template = app.add_resource(
            node,
            "LaunchTemplate",
            CfnLaunchTemplate {
                launch_template_data: Some(
                    lt::LaunchTemplateData {
                        iam_instance_profile: Some(
                            lt::IamInstanceProfile {
                                arn: Some(profile.attr_arn().into()),
                                name: None,
                            }
                            .into(),
                        ),
                        image_id: Some(value_expr(image_id)),
                        instance_type: Some(options.instance_type.clone().into()),
                        key_name: options.key_name.clone().map(Into::into),
                        metadata_options: options.require_imdsv2.then(|| {
                            lt::MetadataOptions {
                                http_tokens: Some(lt::HttpTokens::Required.into()),
                                ..Default::default()
                            }
                            .into()
                        }),
                        security_group_ids: Some(Expr::Lit(vec![value_expr(
                            sg.security_group_id(),
                        )])),
                        user_data: Some(Expr::Token(user_data)),
                        ..Default::default()
                    }
                    .into(),
                ),
                ..Default::default()
            },
        )?;
        // The instances need their role's permissions before they start.
        app.add_dependency(template, role);
        let group = app.add_resource(
            node,
            "ASG",
            CfnAutoScalingGroup {
                desired_capacity: options.desired_capacity.map(|d| d.to_string().into()),
                launch_template: Some(
                    asg::LaunchTemplateSpecification {
                        launch_template_id: Some(template.ref_().into()),
                        launch_template_name: None,
                        version: Some(template.attr_latest_version_number().into()),
                    }
                    .into(),
                ),
                max_size: Some(max.to_string().into()),
                min_size: Some(options.min_capacity.to_string().into()),
                new_instances_protected_from_scale_in: options
                    .capacity_provider
                    .enable_managed_termination_protection
                    .then(|| true.into()),
                vpc_zone_identifier: Some(Expr::Lit(
                    subnets.subnet_ids.iter().cloned().map(value_expr).collect(),
                )),
                ..Default::default()
            },
        )?;
        for d in &subnets.internet_dependencies {
            app.add_dependency(group, *d);
        }
        let o = &options.capacity_provider;
        let enabled = |b: bool| {
            if b {
                cp::Status::Enabled
            } else {
                cp::Status::Disabled
            }
        };
        let provider = app.add_resource(
            node,
            "CapacityProvider",
            CfnCapacityProvider {
                auto_scaling_group_provider: Some(
                    cp::AutoScalingGroupProvider {
                        auto_scaling_group_arn: Some(group.ref_().into()),
                        managed_draining: Some(
                            if o.enable_managed_draining {
                                cp::ManagedDraining::Enabled
                            } else {
                                cp::ManagedDraining::Disabled
                            }
                            .into(),
                        ),
                        managed_scaling: Some(
                            cp::ManagedScaling {
                                maximum_scaling_step_size: o
                                    .maximum_scaling_step_size
                                    .map(Into::into),
                                minimum_scaling_step_size: o
                                    .minimum_scaling_step_size
                                    .map(Into::into),
                                status: Some(enabled(true).into()),
                                target_capacity: Some(target.into()),
                                instance_warmup_period: None,
                            }
                            .into(),
                        ),
                        managed_termination_protection: Some(
                            if o.enable_managed_termination_protection {
                                cp::ManagedTerminationProtection::Enabled
                            } else {
                                cp::ManagedTerminationProtection::Disabled
                            }
                            .into(),
                        ),
                    }
                    .into(),
                ),
                name: o.capacity_provider_name.clone().map(Into::into),
                ..Default::default()
            },
        )?;
        let capacity = Ec2Capacity {
            node,
            asg: group,
            provider,
            security_group: sg,
            role,
        };
        if let Some(s) = app.construct_mut::<ClusterState>(self.node) {
            s.capacities.push(capacity);
        }
        self.add_provider(app, provider.ref_().into());
        self.sync_associations(app)?;
        Ok(capacity)
    }
}

impl Connectable for Cluster {
    /// The security groups of the cluster's EC2 capacity.
    fn connections(&self, app: &App) -> Connections {
        Connections::new(
            self.state(app)
                .capacities
                .iter()
                .map(|c| c.security_group)
                .collect(),
        )
    }
}

/// A template parameter (at stack level, shared) resolving an AMI id from a public
/// SSM parameter, named as CDK names it.
fn ssm_ami_parameter(app: &mut App, scope: NodeId, name: &str) -> Result<Value> {
    crate::ssm::value_for_typed_parameter(
        app,
        scope,
        name,
        "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
        "machine_image",
    )
    .map(Into::into)
}

/// The AMI of EC2 capacity.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum MachineImage {
    /// The ECS-optimized Amazon Linux 2023 AMI for x86_64, resolved at deploy time
    /// from the public SSM parameter [`ECS_AL2023_AMI_PARAMETER`] through a template
    /// parameter of type `AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>`.
    #[default]
    EcsOptimized,
    /// The same for arm64 (Graviton) instances ([`ECS_AL2023_ARM64_AMI_PARAMETER`]).
    EcsOptimizedArm64,
    /// An AMI id from another SSM parameter (by name).
    FromSsmParameter(String),
    /// A fixed AMI id (or a token).
    Id(Value),
}

props! {
    /// Options of the ECS capacity provider that [`Cluster::add_capacity`] creates.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct AsgCapacityProviderOptions {
        /// The capacity provider's name (must not start with `aws`, `ecs` or `fargate`).
        /// Default: generated by CloudFormation.
        pub capacity_provider_name: Option<String>,
        /// The utilisation managed scaling aims at, 1 to 100. Default: 100.
        pub target_capacity_percent: u32,
        /// The most instances managed scaling adds or removes at once. Default: not
        /// rendered (ECS's 10000).
        pub maximum_scaling_step_size: Option<u32>,
        /// The fewest instances managed scaling adds or removes at once. Default: not
        /// rendered (ECS's 1).
        pub minimum_scaling_step_size: Option<u32>,
        /// Keep ECS from terminating instances that run tasks; also protects new instances
        /// from scale-in in the Auto Scaling group. Default: false (CDK enables it; berth
        /// leaves it off so that stacks delete without manual steps).
        pub enable_managed_termination_protection: bool,
        /// Drain tasks from instances before they are terminated. Default: true.
        pub enable_managed_draining: bool,
    }
}

impl Default for AsgCapacityProviderOptions {
    fn default() -> Self {
        AsgCapacityProviderOptions {
            capacity_provider_name: None,
            target_capacity_percent: 100,
            maximum_scaling_step_size: None,
            minimum_scaling_step_size: None,
            enable_managed_termination_protection: false,
            enable_managed_draining: true,
        }
    }
}

props! {
    /// Options of [`Cluster::add_capacity`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct AddCapacityOptions {
        /// The instance type, e.g. `t3.medium`. Required.
        pub instance_type: String,
        /// The fewest instances. Default: 1.
        pub min_capacity: u32,
        /// The most instances. Default: the desired capacity, else the minimum.
        pub max_capacity: Option<u32>,
        /// The initial number of instances. Default: not rendered (the Auto Scaling group
        /// starts at the minimum and managed scaling adjusts it).
        pub desired_capacity: Option<u32>,
        /// The AMI. Default: [`MachineImage::EcsOptimized`] (Amazon Linux 2023, x86_64).
        pub machine_image: MachineImage,
        /// Where the instances run. Default: the VPC's default selection (private subnets
        /// with egress, falling back to isolated, then public).
        pub vpc_subnets: Option<SubnetSelection>,
        /// An EC2 key pair for SSH. Default: none.
        pub key_name: Option<String>,
        /// Require IMDSv2 on the instances. Default: true.
        pub require_imdsv2: bool,
        /// The capacity provider. Default: see [`AsgCapacityProviderOptions`].
        pub capacity_provider: AsgCapacityProviderOptions,
    }
}

impl Default for AddCapacityOptions {
    fn default() -> Self {
        AddCapacityOptions {
            instance_type: String::new(),
            min_capacity: 1,
            max_capacity: None,
            desired_capacity: None,
            machine_image: MachineImage::default(),
            vpc_subnets: None,
            key_name: None,
            require_imdsv2: true,
            capacity_provider: AsgCapacityProviderOptions::default(),
        }
    }
}

impl AddCapacityOptions {
    /// Options with this instance type and every other field at its default.
    pub fn new(instance_type: impl Into<String>) -> Self {
        AddCapacityOptions::default().instance_type(instance_type.into())
    }
}

/// EC2 capacity of a cluster: the Auto Scaling group and its capacity provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ec2Capacity {
    node: NodeId,
    asg: ResourceRef<CfnAutoScalingGroup>,
    provider: ResourceRef<CfnCapacityProvider>,
    security_group: SecurityGroup,
    role: Role,
}

impl Scope for Ec2Capacity {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl Ec2Capacity {
    /// The capacity provider's name (`Ref`), for capacity provider strategies.
    pub fn capacity_provider_name(&self) -> Token<String> {
        self.provider.ref_()
    }

    /// A strategy entry for this capacity provider with a weight.
    pub fn strategy(&self, weight: u32) -> CapacityProviderStrategy {
        CapacityProviderStrategy {
            capacity_provider: self.capacity_provider_name().into(),
            base: None,
            weight: Some(weight),
        }
    }

    /// The Auto Scaling group's name (`Ref`).
    pub fn auto_scaling_group_name(&self) -> Token<String> {
        self.asg.ref_()
    }

    /// The L1 Auto Scaling group.
    pub fn cfn_auto_scaling_group(&self) -> ResourceRef<CfnAutoScalingGroup> {
        self.asg
    }

    /// The L1 capacity provider.
    pub fn cfn_capacity_provider(&self) -> ResourceRef<CfnCapacityProvider> {
        self.provider
    }

    /// The instances' security group.
    pub fn security_group(&self) -> SecurityGroup {
        self.security_group
    }

    /// The instances' role.
    pub fn role(&self) -> Role {
        self.role
    }
}

impl Connectable for Ec2Capacity {
    fn connections(&self, _app: &App) -> Connections {
        Connections::new(vec![self.security_group])
    }
}
