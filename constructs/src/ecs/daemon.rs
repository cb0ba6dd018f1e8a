//! ECS Managed Daemons: a [`DaemonTaskDefinition`] (`AWS::ECS::DaemonTaskDefinition`)
//! and a [`Daemon`] (`AWS::ECS::Daemon`) that runs one task of it on every instance
//! of the cluster's Managed Instances capacity providers (a log or metrics agent).
//!
//! ECS runs managed daemons on Managed Instances capacity providers only (the
//! `CreateDaemon` API says so), which is what [`DaemonProps::capacity_providers`]
//! takes. On EC2 capacity of an Auto Scaling group, one task per instance is an
//! [`super::Ec2Service`] with [`super::Ec2ServiceProps::daemon`].

use super::cluster::Cluster;
use super::container::{
    build_container, dependency_l1, precheck, ContainerDefinition, ContainerDefinitionOptions,
    ContainerState, ExecutionRoleOwner,
};
use super::managed_instances::ManagedInstancesCapacityProvider;
use super::task_definition::{Volume, VolumeSource};
use crate::app::{App, Construct, NodeId, Scope};
use crate::cloudwatch::Alarm;
use crate::error::{ConstructError, Result};
use crate::iam::{join, Grantable, PolicyStatement, Principal, Role, RoleProps};
use berth_synth::cfn::ecs::{
    daemon as dm, daemon_task_definition as dtd, task_definition as td, CfnDaemon,
    CfnDaemonTaskDefinition,
};
use berth_synth::resource::ResourceRef;
use berth_synth::{Diagnostic, Expr, Pseudo, Token, Value};
use std::any::Any;

/// `f` over a literal, a token unchanged.
fn map_expr<A, B>(e: Expr<A>, f: impl FnOnce(A) -> B) -> Expr<B> {
    match e {
        Expr::Lit(a) => Expr::Lit(f(a)),
        Expr::Token(v) => Expr::Token(v),
    }
}

/// `f` over every element of a literal list, a token unchanged.
fn map_list<A, B>(e: Option<Expr<Vec<A>>>, f: impl Fn(A) -> B) -> Option<Expr<Vec<B>>> {
    e.map(|e| map_expr(e, |v| v.into_iter().map(&f).collect()))
}

/// A task definition's container definition (rendered and checked by the container
/// code) in the daemon task definition's shape: the same fields, other Rust types.
fn daemon_container(d: td::ContainerDefinition) -> dtd::DaemonContainerDefinition {
    dtd::DaemonContainerDefinition {
        command: d.command,
        cpu: d.cpu,
        depends_on: map_list(d.depends_on, |c| dtd::ContainerDependency {
            condition: c.condition.map(|c| {
                map_expr(c, |c| match c {
                    td::Condition::Complete => dtd::Condition::Complete,
                    td::Condition::Healthy => dtd::Condition::Healthy,
                    td::Condition::Start => dtd::Condition::Start,
                    td::Condition::Success => dtd::Condition::Success,
                })
            }),
            container_name: c.container_name,
        }),
        entry_point: d.entry_point,
        environment: map_list(d.environment, |p| dtd::KeyValuePair {
            name: p.name,
            value: p.value,
        }),
        essential: d.essential,
        health_check: d.health_check.map(|h| {
            map_expr(h, |h| dtd::HealthCheck {
                command: h.command,
                interval: h.interval,
                retries: h.retries,
                start_period: h.start_period,
                timeout: h.timeout,
            })
        }),
        image: d.image,
        log_configuration: d.log_configuration.map(|l| {
            map_expr(l, |l| dtd::LogConfiguration {
                log_driver: l.log_driver,
                options: l.options,
                secret_options: map_list(l.secret_options, |s| dtd::Secret {
                    name: s.name,
                    value_from: s.value_from,
                }),
            })
        }),
        memory: d.memory,
        memory_reservation: d.memory_reservation,
        mount_points: map_list(d.mount_points, |m| dtd::MountPoint {
            container_path: m.container_path,
            read_only: m.read_only,
            source_volume: m.source_volume,
        }),
        name: d.name,
        readonly_root_filesystem: d.readonly_root_filesystem,
        secrets: map_list(d.secrets, |s| dtd::Secret {
            name: s.name,
            value_from: s.value_from,
        }),
        stop_timeout: d.stop_timeout,
        ulimits: map_list(d.ulimits, |u| dtd::Ulimit {
            hard_limit: u.hard_limit,
            name: u.name.map(|n| map_expr(n, ulimit_name)),
            soft_limit: u.soft_limit,
        }),
        user: d.user,
        working_directory: d.working_directory,
        ..Default::default()
    }
}

fn ulimit_name(n: td::Name) -> dtd::Name {
    match n {
        td::Name::Core => dtd::Name::Core,
        td::Name::Cpu => dtd::Name::Cpu,
        td::Name::Data => dtd::Name::Data,
        td::Name::Fsize => dtd::Name::Fsize,
        td::Name::Locks => dtd::Name::Locks,
        td::Name::Memlock => dtd::Name::Memlock,
        td::Name::Msgqueue => dtd::Name::Msgqueue,
        td::Name::Nice => dtd::Name::Nice,
        td::Name::Nofile => dtd::Name::Nofile,
        td::Name::Nproc => dtd::Name::Nproc,
        td::Name::Rss => dtd::Name::Rss,
        td::Name::Rtprio => dtd::Name::Rtprio,
        td::Name::Rttime => dtd::Name::Rttime,
        td::Name::Sigpending => dtd::Name::Sigpending,
        td::Name::Stack => dtd::Name::Stack,
    }
}

props! {
    /// Options of a [`DaemonTaskDefinition`].
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct DaemonTaskDefinitionProps {
        /// The family name. Default: a unique id derived from the construct path.
        pub family: Option<String>,
        /// Task-level CPU units. Default: none (containers reserve their own).
        pub cpu: Option<u32>,
        /// Task-level memory in MiB. Default: none; every container then needs a
        /// memory limit or reservation (checked at synth).
        pub memory_mib: Option<u32>,
        /// A task role to use. Default: one is created on first use.
        pub task_role: Option<Role>,
        /// An execution role to use. Default: one is created on first use.
        pub execution_role: Option<Role>,
        /// Volumes: host paths ([`Volume::host`]) or task-scoped scratch volumes
        /// ([`Volume::scratch`]); daemon tasks take no other kind. Default: none.
        pub volumes: Vec<Volume>,
    }
}

#[derive(Debug)]
pub(crate) struct DaemonTaskDefState {
    containers: Vec<ContainerDefinition>,
    task_role: Option<Role>,
    execution_role: Option<Role>,
    volumes: Vec<Volume>,
    has_task_memory: bool,
    resource: Option<ResourceRef<CfnDaemonTaskDefinition>>,
}

impl Construct for DaemonTaskDefState {
    fn fqn(&self) -> &'static str {
        "berth.ecs.DaemonTaskDefinition"
    }

    fn prepare(&mut self, app: &mut App, _node: NodeId) -> Result<()> {
        let mut rendered = Vec::new();
        for c in &self.containers {
            let deps: Vec<_> = match app.construct::<ContainerState>(c.node) {
                Some(s) => s
                    .dependencies
                    .iter()
                    .filter_map(|(n, cond)| {
                        app.construct::<ContainerState>(*n)
                            .map(|d| dependency_l1(d.name.clone(), *cond))
                    })
                    .collect(),
                None => continue,
            };
            let Some(s) = app.construct::<ContainerState>(c.node) else {
                continue;
            };
            // A daemon container is a task definition container without port
            // mappings (checked): the same shape; the container keeps its definition.
            let mut def = s.rendered.clone();
            def.mount_points = super::container::render_mount_points(&s.mount_points);
            def.depends_on = (!deps.is_empty()).then(|| Expr::Lit(deps));
            def.port_mappings = None;
            rendered.push(daemon_container(def));
        }
        let volumes: Vec<dtd::Volume> = self
            .volumes
            .iter()
            .map(|v| dtd::Volume {
                host: match &v.source {
                    VolumeSource::Host {
                        source_path: Some(p),
                    } => Some(
                        dtd::HostVolumeProperties {
                            source_path: Some(p.clone().into()),
                        }
                        .into(),
                    ),
                    _ => None,
                },
                name: Some(v.name.clone().into()),
            })
            .collect();
        let Some(r) = self.resource else {
            return Ok(());
        };
        let cfn = app.resource_mut(r);
        cfn.container_definitions = Some(Expr::Lit(rendered));
        cfn.volumes = (!volumes.is_empty()).then(|| Expr::Lit(volumes));
        Ok(())
    }

    fn validate(&self, app: &App, node: NodeId) -> Vec<Diagnostic> {
        let err = |m: String| Diagnostic::error("BERTH-E0313", app.path(node), m);
        let mut out = Vec::new();
        let states: Vec<&ContainerState> = self
            .containers
            .iter()
            .filter_map(|c| app.construct::<ContainerState>(c.node))
            .collect();
        if states.is_empty() {
            out.push(err(
                "a daemon task definition needs at least one container; add one with add_container"
                    .into(),
            ));
            return out;
        }
        if !states.iter().any(|s| s.essential) {
            out.push(err(
                "a daemon task definition needs at least one essential container; make the agent's container essential".into(),
            ));
        }
        for s in &states {
            if !s.port_mappings.is_empty() {
                out.push(err(format!(
                    "container {} maps ports, which daemon tasks do not take (they run on the instance's network); remove the port mappings",
                    s.name
                )));
            }
            if !self.has_task_memory && !s.has_memory {
                out.push(err(format!(
                    "container {} needs memory_limit_mib or memory_reservation_mib: the daemon task definition sets no task-level memory",
                    s.name
                )));
            }
            for m in &s.mount_points {
                if !self.volumes.iter().any(|v| v.name == m.source_volume) {
                    let names: Vec<&str> = self.volumes.iter().map(|v| v.name.as_str()).collect();
                    out.push(err(format!(
                        "container {} mounts volume \"{}\", which the daemon task does not have; volumes: {}",
                        s.name,
                        m.source_volume,
                        if names.is_empty() { "none".into() } else { names.join(", ") }
                    )));
                }
            }
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

/// A daemon task definition: the containers a [`Daemon`] runs on every instance. Its
/// L1 child is `Resource` (`AWS::ECS::DaemonTaskDefinition`); the task role
/// (`TaskRole`) and execution role (`ExecutionRole`) are created on first use, and
/// containers get what they use exactly as in a task definition (image pull, log
/// group write, secret read). Containers are [`ContainerDefinitionOptions`] without
/// port mappings.
///
/// ```
/// use berth_constructs::ecs::*;
/// use berth_constructs::{App, Stack, StackProps};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Hosts", StackProps::default())?;
/// let task = DaemonTaskDefinition::new(&mut app, stack, "AgentTask",
///     DaemonTaskDefinitionProps::default().volumes([Volume::host("logs", "/var/log")]))?;
/// let image = ContainerImage::from_registry("public.ecr.aws/aws-observability/aws-for-fluent-bit:stable");
/// let agent = task.add_container(&mut app, "agent", ContainerDefinitionOptions::new(image)
///     .memory_reservation_mib(128)
///     .logging(AwsLogDriverProps::new("agent")))?;
/// agent.add_mount_points(&mut app, [MountPoint::new("logs", "/host/var/log").read_only(true)])?;
/// let out = app.synth()?;
/// let res = out.stacks[0].template["Resources"].as_object().unwrap();
/// let task = res.values().find(|r| r["Type"] == "AWS::ECS::DaemonTaskDefinition").unwrap();
/// let props = &task["Properties"];
/// assert_eq!(props["ContainerDefinitions"][0]["MountPoints"][0]["SourceVolume"], "logs");
/// assert_eq!(props["Volumes"][0]["Host"]["SourcePath"], "/var/log");
/// assert!(props["ExecutionRoleArn"].is_object());
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DaemonTaskDefinition {
    node: NodeId,
    resource: ResourceRef<CfnDaemonTaskDefinition>,
}

impl Scope for DaemonTaskDefinition {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl ExecutionRoleOwner for DaemonTaskDefinition {
    fn execution_role(&self, app: &mut App) -> Result<Role> {
        DaemonTaskDefinition::execution_role(self, app)
    }
}

impl Grantable for DaemonTaskDefinition {
    /// Grants go to the task role (created on first use).
    fn add_to_principal_policy(&self, app: &mut App, statement: PolicyStatement) -> Result<bool> {
        let role = self.task_role(app)?;
        role.add_to_policy(app, statement)
    }
}

fn check_daemon_volumes(path: &str, volumes: &[Volume]) -> Result<()> {
    for (i, v) in volumes.iter().enumerate() {
        let prop = format!("volumes[{i}]");
        if v.name.is_empty() {
            return Err(ConstructError::invalid(path, prop, "a volume needs a name"));
        }
        if let Some(j) = volumes[..i].iter().position(|o| o.name == v.name) {
            return Err(ConstructError::invalid(
                path,
                prop,
                format!(
                    "duplicate volume name \"{}\": volumes[{j}] has it already",
                    v.name
                ),
            ));
        }
        if !matches!(v.source, VolumeSource::Host { .. }) {
            return Err(ConstructError::invalid(
                path,
                prop,
                format!(
                    "daemon tasks take host volumes only (Volume::host or Volume::scratch); \"{}\" is not one",
                    v.name
                ),
            ));
        }
    }
    Ok(())
}

impl DaemonTaskDefinition {
    /// Creates a daemon task definition under `scope`.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        props: DaemonTaskDefinitionProps,
    ) -> Result<DaemonTaskDefinition> {
        let path = format!("{}/{id}", app.path(&scope));
        check_daemon_volumes(&path, &props.volumes)?;
        let family = props.family.clone().unwrap_or_else(|| {
            let parts: Vec<&str> = path.split('/').collect();
            berth_synth::logical_id::make_unique_id(&parts).unwrap_or_else(|| id.to_owned())
        });
        let node = app.add_construct(
            scope,
            id,
            DaemonTaskDefState {
                containers: Vec::new(),
                task_role: None,
                execution_role: None,
                volumes: props.volumes,
                has_task_memory: props.memory_mib.is_some(),
                resource: None,
            },
        )?;
        let resource = app.add_resource(
            node,
            "Resource",
            CfnDaemonTaskDefinition {
                cpu: props.cpu.map(|c| c.to_string().into()),
                family: Some(family.into()),
                memory: props.memory_mib.map(|m| m.to_string().into()),
                ..Default::default()
            },
        )?;
        if let Some(s) = app.construct_mut::<DaemonTaskDefState>(node) {
            s.resource = Some(resource);
        }
        let t = DaemonTaskDefinition { node, resource };
        if let Some(r) = props.task_role {
            t.set_role(app, r, true);
        }
        if let Some(r) = props.execution_role {
            t.set_role(app, r, false);
        }
        Ok(t)
    }

    fn state<'a>(&self, app: &'a App) -> &'a DaemonTaskDefState {
        app.construct::<DaemonTaskDefState>(self.node)
            .expect("a DaemonTaskDefinition handle points at a daemon task definition")
    }

    fn set_role(&self, app: &mut App, role: Role, task: bool) {
        if let Some(s) = app.construct_mut::<DaemonTaskDefState>(self.node) {
            if task {
                s.task_role = Some(role);
            } else {
                s.execution_role = Some(role);
            }
        }
        let arn = Some(role.role_arn().into());
        let cfn = app.resource_mut(self.resource);
        if task {
            cfn.task_role_arn = arn;
        } else {
            cfn.execution_role_arn = arn;
        }
    }

    fn role(&self, app: &mut App, task: bool) -> Result<Role> {
        let s = self.state(app);
        if let Some(r) = if task { s.task_role } else { s.execution_role } {
            return Ok(r);
        }
        let id = if task { "TaskRole" } else { "ExecutionRole" };
        let role = Role::new(
            app,
            self.node,
            id,
            RoleProps::new(Principal::service("ecs-tasks.amazonaws.com")),
        )?;
        self.set_role(app, role, task);
        Ok(role)
    }

    /// The task role (what the agent's code may do), created on first use.
    pub fn task_role(&self, app: &mut App) -> Result<Role> {
        self.role(app, true)
    }

    /// The execution role (what ECS may do to start the task), created on first use.
    pub fn execution_role(&self, app: &mut App) -> Result<Role> {
        self.role(app, false)
    }

    /// The roles that exist (task, execution).
    fn existing_roles(&self, app: &App) -> [Option<Role>; 2] {
        let s = self.state(app);
        [s.task_role, s.execution_role]
    }

    /// The daemon task definition's ARN (`Fn::GetAtt DaemonTaskDefinitionArn`).
    pub fn daemon_task_definition_arn(&self) -> Token<String> {
        self.resource.attr_daemon_task_definition_arn()
    }

    /// The containers, in the order they were added.
    pub fn containers(&self, app: &App) -> Vec<ContainerDefinition> {
        self.state(app).containers.clone()
    }

    /// The L1 daemon task definition, for escape hatches.
    pub fn cfn(&self) -> ResourceRef<CfnDaemonTaskDefinition> {
        self.resource
    }

    /// Adds a host or scratch volume (checked: unique name, host volumes only).
    pub fn add_volume(&self, app: &mut App, volume: Volume) -> Result<()> {
        let path = app.path(self.node);
        let mut all = self.state(app).volumes.clone();
        all.push(volume);
        check_daemon_volumes(&path, &all)?;
        if let Some(s) = app.construct_mut::<DaemonTaskDefState>(self.node) {
            s.volumes = all;
        }
        Ok(())
    }

    /// Adds a container under `<DaemonTaskDef>/<id>`, checked like a task
    /// definition's container ([`super::TaskDefinition::add_container`]); daemon
    /// containers map no ports (an error here).
    pub fn add_container(
        &self,
        app: &mut App,
        id: &str,
        options: ContainerDefinitionOptions,
    ) -> Result<ContainerDefinition> {
        let path = format!("{}/{id}", app.path(self.node));
        let name = options
            .container_name
            .clone()
            .unwrap_or_else(|| id.to_owned());
        let bad = |prop: &str, msg: String| ConstructError::invalid(path.clone(), prop, msg);
        if name.is_empty()
            || name.len() > 255
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(bad(
                "container_name",
                format!("invalid container name \"{name}\": use 1 to 255 letters, digits, hyphens and underscores"),
            ));
        }
        if !options.port_mappings.is_empty() {
            return Err(bad(
                "port_mappings",
                "daemon containers map no ports (they run on the instance's network); remove port_mappings".into(),
            ));
        }
        if let Some(c) = self
            .state(app)
            .containers
            .iter()
            .find(|c| c.container_name(app) == name)
        {
            return Err(bad(
                "container_name",
                format!("the daemon task already has a container named \"{name}\" ({}); container names must be unique in a task", app.path(c.node)),
            ));
        }
        let asset = precheck(&path, &options)?;
        let node = app.add_construct(
            self.node,
            id,
            ContainerState {
                name: name.clone(),
                essential: options.essential,
                port_mappings: Vec::new(),
                has_health_check: false,
                has_memory: false,
                sizes: (None, None, None),
                mount_points: Vec::new(),
                dependencies: Vec::new(),
                rendered: Default::default(),
            },
        )?;
        let state = build_container(app, self, node, name, options, asset)?;
        if let Some(s) = app.construct_mut::<ContainerState>(node) {
            *s = state;
        }
        let c = ContainerDefinition {
            node,
            task_definition: self.node,
        };
        if let Some(s) = app.construct_mut::<DaemonTaskDefState>(self.node) {
            s.containers.push(c);
        }
        Ok(c)
    }
}

/// The execution role of the daemon task definition at `node` (for a container's
/// `add_secret`), if it is one.
pub(super) fn execution_role_of(app: &mut App, node: NodeId) -> Option<Result<Role>> {
    let s = app.construct::<DaemonTaskDefState>(node)?;
    let resource = s.resource?;
    Some(DaemonTaskDefinition { node, resource }.execution_role(app))
}

props! {
    /// Options of a [`Daemon`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct DaemonProps {
        /// The cluster. Required.
        pub cluster: Cluster,
        /// What to run on every instance. Required.
        pub task_definition: DaemonTaskDefinition,
        /// The Managed Instances capacity providers of the cluster whose instances run
        /// the daemon. Default: every one the cluster has (at least one is needed).
        pub capacity_providers: Vec<ManagedInstancesCapacityProvider>,
        /// The daemon's name. Default: generated by CloudFormation.
        pub daemon_name: Option<String>,
        /// The share of instances drained at once during a deployment, 0 to 100
        /// percent. Default: not rendered (ECS's 25).
        pub drain_percent: Option<f64>,
        /// Minutes to wait after each deployment step, 0 to 1440. Default: not
        /// rendered (0).
        pub bake_time_minutes: Option<u32>,
        /// Alarms that fail (and roll back) a deployment. Default: none.
        pub alarms: Vec<Alarm>,
        /// ECS Exec into the daemon tasks: adds the `ssmmessages` permissions to the
        /// task role. Default: false.
        pub enable_execute_command: bool,
        /// Copy the daemon's tags to its tasks (`DAEMON`). Default: false (not
        /// rendered).
        pub propagate_tags: bool,
        /// ECS managed tags on the tasks. Default: false (not rendered).
        pub enable_ecs_managed_tags: bool,
    }
}

impl DaemonProps {
    /// Props for this cluster and daemon task definition, every other field at its
    /// default.
    pub fn new(cluster: Cluster, task_definition: DaemonTaskDefinition) -> Self {
        DaemonProps {
            cluster,
            task_definition,
            capacity_providers: Vec::new(),
            daemon_name: None,
            drain_percent: None,
            bake_time_minutes: None,
            alarms: Vec::new(),
            enable_execute_command: false,
            propagate_tags: false,
            enable_ecs_managed_tags: false,
        }
    }
}

#[derive(Debug)]
struct DaemonState {
    task_definition: DaemonTaskDefinition,
    resource: Option<ResourceRef<CfnDaemon>>,
}

impl Construct for DaemonState {
    fn fqn(&self) -> &'static str {
        "berth.ecs.Daemon"
    }
    fn prepare(&mut self, app: &mut App, _node: NodeId) -> Result<()> {
        // Daemon tasks start once their roles have their permissions.
        let Some(resource) = self.resource else {
            return Ok(());
        };
        for role in self
            .task_definition
            .existing_roles(app)
            .into_iter()
            .flatten()
        {
            if let Some(policy) = role.default_policy(app) {
                app.add_dependency(resource, policy);
            }
        }
        Ok(())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// An ECS managed daemon (`AWS::ECS::Daemon`, child `Resource`): one task of a
/// [`DaemonTaskDefinition`] on every instance of the given Managed Instances capacity
/// providers, started before other tasks; ECS drains and replaces an instance whose
/// daemon task stops.
///
/// ```
/// use berth_constructs::ecs::*;
/// use berth_constructs::{App, Stack, StackProps};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Hosts", StackProps::default())?;
/// let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps::default())?;
/// cluster.add_managed_instances_capacity_provider(&mut app, "ManagedInstances",
///     ManagedInstancesCapacityProviderProps::default())?;
/// let task = DaemonTaskDefinition::new(&mut app, stack, "AgentTask",
///     DaemonTaskDefinitionProps::default().memory_mib(256))?;
/// let image = ContainerImage::from_registry("public.ecr.aws/cloudwatch-agent/cloudwatch-agent:latest");
/// task.add_container(&mut app, "agent", ContainerDefinitionOptions::new(image))?;
/// Daemon::new(&mut app, stack, "Agent", DaemonProps::new(cluster, task).drain_percent(10.0))?;
/// let out = app.synth()?;
/// let res = out.stacks[0].template["Resources"].as_object().unwrap();
/// let daemon = res.values().find(|r| r["Type"] == "AWS::ECS::Daemon").unwrap();
/// let props = &daemon["Properties"];
/// assert_eq!(props["DeploymentConfiguration"]["DrainPercent"], 10.0);
/// assert_eq!(props["CapacityProviderArns"].as_array().unwrap().len(), 1);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Daemon {
    node: NodeId,
    resource: ResourceRef<CfnDaemon>,
}

impl Scope for Daemon {
    fn node(&self) -> NodeId {
        self.node
    }
}

/// The ARN of a capacity provider named `name` (ECS's format; the resource has no
/// `Arn` attribute).
fn capacity_provider_arn(name: Token<String>) -> Value {
    join([
        Value::from("arn:"),
        Pseudo::Partition.token().into(),
        Value::from(":ecs:"),
        Pseudo::Region.token().into(),
        Value::from(":"),
        Pseudo::AccountId.token().into(),
        Value::from(":capacity-provider/"),
        name.into(),
    ])
}

impl Daemon {
    /// Creates a daemon under `scope`.
    pub fn new(app: &mut App, scope: impl Scope, id: &str, props: DaemonProps) -> Result<Daemon> {
        let path = format!("{}/{id}", app.path(&scope));
        let bad = |prop: &str, msg: String| ConstructError::invalid(path.clone(), prop, msg);
        let cluster = props.cluster;
        let mut providers = props.capacity_providers.clone();
        if providers.is_empty() {
            providers = cluster.managed_instances_capacity_providers(app);
        }
        if providers.is_empty() {
            return Err(bad(
                "capacity_providers",
                format!(
                    "the cluster {} has no Managed Instances capacity provider, and ECS runs managed daemons on those only; add one with cluster.add_managed_instances_capacity_provider (on Auto Scaling group capacity, use an Ec2Service with daemon = true)",
                    app.path(cluster)
                ),
            ));
        }
        for (i, p) in providers.iter().enumerate() {
            if p.cluster_node() != cluster.node() {
                return Err(bad(
                    &format!("capacity_providers[{i}]"),
                    format!(
                        "the capacity provider {} belongs to another cluster than {}",
                        app.path(*p),
                        app.path(cluster)
                    ),
                ));
            }
        }
        if let Some(d) = props.drain_percent {
            if !(0.0..=100.0).contains(&d) {
                return Err(bad(
                    "drain_percent",
                    format!("the drain percentage must be between 0 and 100, got {d}"),
                ));
            }
        }
        if let Some(b) = props.bake_time_minutes.filter(|b| *b > 1440) {
            return Err(bad(
                "bake_time_minutes",
                format!("the bake time must be between 0 and 1440 minutes, got {b}"),
            ));
        }
        let task = props.task_definition;
        if props.enable_execute_command {
            let role = task.task_role(app)?;
            role.add_to_policy(app, super::container::exec_statement())?;
        }
        let deployment = (props.drain_percent.is_some()
            || props.bake_time_minutes.is_some()
            || !props.alarms.is_empty())
        .then(|| {
            dm::DaemonDeploymentConfiguration {
                alarms: (!props.alarms.is_empty()).then(|| {
                    dm::DaemonAlarmConfiguration {
                        alarm_names: Some(Expr::Lit(
                            props.alarms.iter().map(|a| a.alarm_name().into()).collect(),
                        )),
                        enable: Some(true.into()),
                    }
                    .into()
                }),
                bake_time_in_minutes: props.bake_time_minutes.map(Into::into),
                drain_percent: props.drain_percent.map(Into::into),
            }
            .into()
        });
        let node = app.add_construct(
            scope,
            id,
            DaemonState {
                task_definition: task,
                resource: None,
            },
        )?;
        let resource = app.add_resource(
            node,
            "Resource",
            CfnDaemon {
                capacity_provider_arns: Some(Expr::Lit(
                    providers
                        .iter()
                        .map(|p| {
                            crate::iam::value_expr(capacity_provider_arn(
                                p.capacity_provider_name(),
                            ))
                        })
                        .collect(),
                )),
                cluster_arn: Some(cluster.cluster_arn().into()),
                daemon_name: props.daemon_name.clone().map(Into::into),
                daemon_task_definition_arn: Some(task.daemon_task_definition_arn().into()),
                deployment_configuration: deployment,
                enable_ecs_managed_tags: props.enable_ecs_managed_tags.then(|| true.into()),
                enable_execute_command: props.enable_execute_command.then(|| true.into()),
                propagate_tags: props
                    .propagate_tags
                    .then(|| dm::PropagateTags::Daemon.into()),
                ..Default::default()
            },
        )?;
        // The providers' ARNs are built from their names (a `Ref`): wait for them.
        for p in &providers {
            app.add_dependency(resource, p.cfn());
        }
        if let Some(s) = app.construct_mut::<DaemonState>(node) {
            s.resource = Some(resource);
        }
        Ok(Daemon { node, resource })
    }

    /// The daemon's ARN (`Fn::GetAtt DaemonArn`).
    pub fn daemon_arn(&self) -> Token<String> {
        self.resource.attr_daemon_arn()
    }

    /// The L1 daemon, for escape hatches.
    pub fn cfn(&self) -> ResourceRef<CfnDaemon> {
        self.resource
    }
}
