//! Task definitions: [`FargateTaskDefinition`], [`Ec2TaskDefinition`] and what they
//! share ([`TaskDefinition`]).

use super::container::{
    build_container, dependency_l1, port_label, precheck, render_ports, ContainerDefinition,
    ContainerDefinitionOptions, ContainerState, PortMapping, Secret,
};
use crate::app::{App, Construct, NodeId, Scope};
use crate::error::{ConstructError, Result};
use crate::iam::{value_expr, Grant, Grantable, PolicyStatement, Principal, Role, RoleProps};
use berth_synth::cfn::ecs::{task_definition as td, CfnTaskDefinition};
use berth_synth::resource::ResourceRef;
use berth_synth::{Diagnostic, Expr, Token, Value};
use std::any::Any;
use std::fmt;
use std::ops::Deref;

/// How the containers of a task are networked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum NetworkMode {
    /// Each task gets its own network interface (the only mode on Fargate).
    AwsVpc,
    /// Docker's bridge network on the instance (the default for EC2).
    #[default]
    Bridge,
    /// The instance's network directly.
    Host,
    /// No external networking.
    None,
}

impl NetworkMode {
    fn l1(self) -> td::NetworkMode {
        match self {
            NetworkMode::AwsVpc => td::NetworkMode::Awsvpc,
            NetworkMode::Bridge => td::NetworkMode::Bridge,
            NetworkMode::Host => td::NetworkMode::Host,
            NetworkMode::None => td::NetworkMode::None,
        }
    }

    /// The mode's name in ECS: `awsvpc`, `bridge`, `host`, `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            NetworkMode::AwsVpc => "awsvpc",
            NetworkMode::Bridge => "bridge",
            NetworkMode::Host => "host",
            NetworkMode::None => "none",
        }
    }
}

/// Where a task definition can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Compatibility {
    /// AWS Fargate.
    Fargate,
    /// EC2 container instances.
    Ec2,
}

/// A task-size pair (CPU units, memory in MiB) that Fargate accepts. Build it with
/// [`fargate_size!`](crate::fargate_size) (an invalid pair does not compile) or with
/// [`FargateSize::new`] (an invalid pair is an error listing the valid ones).
///
/// The valid pairs: CPU 256 with 512, 1024 or 2048 MiB; 512 with 1024–4096 (steps of
/// 1024); 1024 with 2048–8192 (1024); 2048 with 4096–16384 (1024); 4096 with
/// 8192–30720 (1024); 8192 with 16384–61440 (4096); 16384 with 32768–122880 (8192).
///
/// ```
/// use berth_constructs::ecs::FargateSize;
/// use berth_constructs::fargate_size;
/// const SMALL: FargateSize = fargate_size!(512, 2048);
/// assert_eq!((SMALL.cpu(), SMALL.memory_mib()), (512, 2048));
/// let err = FargateSize::new(256, 4096).unwrap_err();
/// assert!(err.to_string().starts_with("cpu 256 cannot have 4096 MiB of memory on Fargate; with cpu 256 the memory can be 512, 1024, 2048 MiB"));
/// ```
///
/// ```compile_fail
/// use berth_constructs::fargate_size;
/// let size = fargate_size!(256, 4096); // not a Fargate size: does not compile
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FargateSize {
    cpu: u32,
    memory_mib: u32,
}

/// A cpu/memory pair that Fargate does not accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidFargateSize {
    /// The CPU units given.
    pub cpu: u32,
    /// The memory given, in MiB.
    pub memory_mib: u32,
}

const FARGATE_CPUS: [u32; 7] = [256, 512, 1024, 2048, 4096, 8192, 16384];

/// (first, last, step) of the memory values of a CPU size; 256 is special.
const fn memory_range(cpu: u32) -> Option<(u32, u32, u32)> {
    match cpu {
        512 => Some((1024, 4096, 1024)),
        1024 => Some((2048, 8192, 1024)),
        2048 => Some((4096, 16384, 1024)),
        4096 => Some((8192, 30720, 1024)),
        8192 => Some((16384, 61440, 4096)),
        16384 => Some((32768, 122880, 8192)),
        _ => None,
    }
}

fn memory_values(cpu: u32) -> Vec<u32> {
    if cpu == 256 {
        return vec![512, 1024, 2048];
    }
    match memory_range(cpu) {
        Some((lo, hi, step)) => (lo..=hi).step_by(step as usize).collect(),
        None => Vec::new(),
    }
}

impl fmt::Display for InvalidFargateSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |cpu: u32| {
            memory_values(cpu)
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        if FARGATE_CPUS.contains(&self.cpu) {
            write!(
                f,
                "cpu {} cannot have {} MiB of memory on Fargate; with cpu {} the memory can be {} MiB",
                self.cpu,
                self.memory_mib,
                self.cpu,
                list(self.cpu)
            )
        } else {
            write!(
                f,
                "cpu {} is not a Fargate task size; valid pairs (cpu: memory MiB): {}",
                self.cpu,
                FARGATE_CPUS
                    .iter()
                    .map(|c| format!("{c}: {}", list(*c)))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        }
    }
}

impl std::error::Error for InvalidFargateSize {}

impl FargateSize {
    /// A Fargate size, if Fargate accepts the pair (usable in `const`).
    pub const fn new(
        cpu: u32,
        memory_mib: u32,
    ) -> std::result::Result<FargateSize, InvalidFargateSize> {
        let ok = if cpu == 256 {
            memory_mib == 512 || memory_mib == 1024 || memory_mib == 2048
        } else {
            match memory_range(cpu) {
                Some((lo, hi, step)) => {
                    memory_mib >= lo && memory_mib <= hi && (memory_mib - lo) % step == 0
                }
                None => false,
            }
        };
        if ok {
            Ok(FargateSize { cpu, memory_mib })
        } else {
            Err(InvalidFargateSize { cpu, memory_mib })
        }
    }

    /// For [`fargate_size!`](crate::fargate_size): the size, or a compile-time error in
    /// a `const` context that lists the memory values the cpu takes.
    #[doc(hidden)]
    pub const fn must(cpu: u32, memory_mib: u32) -> FargateSize {
        match FargateSize::new(cpu, memory_mib) {
            Ok(s) => s,
            Err(_) => panic!("{}", invalid_size_message(cpu)),
        }
    }

    /// CPU units (1024 = 1 vCPU).
    pub const fn cpu(&self) -> u32 {
        self.cpu
    }

    /// Memory in MiB.
    pub const fn memory_mib(&self) -> u32 {
        self.memory_mib
    }
}

/// What [`fargate_size!`](crate::fargate_size) says for a pair with this cpu that
/// Fargate does not accept: the memory values the cpu takes (a constant string, as a
/// compile-time error cannot format numbers).
#[doc(hidden)]
pub const fn invalid_size_message(cpu: u32) -> &'static str {
    match cpu {
        256 => "not a Fargate size: with cpu 256 the memory can be 512, 1024, 2048 MiB",
        512 => "not a Fargate size: with cpu 512 the memory can be 1024, 2048, 3072, 4096 MiB",
        1024 => "not a Fargate size: with cpu 1024 the memory can be 2048, 3072, 4096, 5120, 6144, 7168, 8192 MiB",
        2048 => "not a Fargate size: with cpu 2048 the memory can be 4096, 5120, 6144, 7168, 8192, 9216, 10240, 11264, 12288, 13312, 14336, 15360, 16384 MiB",
        4096 => "not a Fargate size: with cpu 4096 the memory can be 8192, 9216, 10240, 11264, 12288, 13312, 14336, 15360, 16384, 17408, 18432, 19456, 20480, 21504, 22528, 23552, 24576, 25600, 26624, 27648, 28672, 29696, 30720 MiB",
        8192 => "not a Fargate size: with cpu 8192 the memory can be 16384, 20480, 24576, 28672, 32768, 36864, 40960, 45056, 49152, 53248, 57344, 61440 MiB",
        16384 => "not a Fargate size: with cpu 16384 the memory can be 32768, 40960, 49152, 57344, 65536, 73728, 81920, 90112, 98304, 106496, 114688, 122880 MiB",
        _ => "not a Fargate size: the cpu can be 256, 512, 1024, 2048, 4096, 8192 or 16384",
    }
}

impl Default for FargateSize {
    /// 256 CPU units (0.25 vCPU) and 512 MiB, CDK's default.
    fn default() -> Self {
        FargateSize {
            cpu: 256,
            memory_mib: 512,
        }
    }
}

/// A [`FargateSize`](crate::ecs::FargateSize) checked at compile time:
/// `fargate_size!(1024, 2048)`. An invalid pair does not compile.
#[macro_export]
macro_rules! fargate_size {
    ($cpu:expr, $memory:expr) => {{
        // A const item, not an inline `const { }`: it is evaluated by `cargo check` too.
        const SIZE: $crate::ecs::FargateSize = $crate::ecs::FargateSize::must($cpu, $memory);
        SIZE
    }};
}

/// The CPU architecture of a Fargate task.
pub use td::CpuArchitecture;
/// The operating system of a Fargate task.
pub use td::OperatingSystemFamily;

props! {
    /// The platform a Fargate task runs on.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct RuntimePlatform {
        /// `X86_64` or `ARM64`. Required.
        pub cpu_architecture: CpuArchitecture,
        /// The operating system (berth's Fargate defaults are for `LINUX`). Required.
        pub operating_system_family: OperatingSystemFamily,
    }
}

impl RuntimePlatform {
    /// Linux on ARM64 (Graviton).
    pub fn linux_arm64() -> Self {
        RuntimePlatform {
            cpu_architecture: CpuArchitecture::Arm64,
            operating_system_family: OperatingSystemFamily::Linux,
        }
    }

    /// Linux on X86_64.
    pub fn linux_x86_64() -> Self {
        RuntimePlatform {
            cpu_architecture: CpuArchitecture::X86_64,
            operating_system_family: OperatingSystemFamily::Linux,
        }
    }
}

/// What backs a volume.
#[derive(Clone, Debug, PartialEq)]
pub enum VolumeSource {
    /// A bind mount: a host path (EC2 only), or, without one, a scratch volume that
    /// lives as long as the task (EC2 and Fargate).
    Host {
        /// The path on the host. Default: none (a task-scoped scratch volume).
        source_path: Option<String>,
    },
    /// An Amazon EFS file system by id. (IAM authorization through the task role is
    /// not granted here.)
    Efs {
        /// The file system id (`fs-...`, or a token).
        file_system_id: Value,
        /// The directory of the file system to mount. Default: `/`.
        root_directory: Option<String>,
        /// Encrypt traffic to EFS in transit. Default: false (not rendered).
        transit_encryption: bool,
        /// An EFS access point id. Default: none.
        access_point_id: Option<Value>,
    },
}

props! {
    /// A volume of a task, mounted into containers with a [`super::MountPoint`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct Volume {
        /// The volume's name, unique in the task. Required.
        pub name: String,
        /// What backs it. Required.
        pub source: VolumeSource,
    }
}

props! {
    /// A placement constraint of an EC2 task definition (`memberOf` with a cluster query
    /// expression, e.g. `attribute:ecs.instance-type =~ t3.*`).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct TaskPlacementConstraint {
        /// The cluster query language expression. Required.
        pub expression: String,
    }
}

#[derive(Debug)]
pub(crate) struct TaskDefState {
    fqn: &'static str,
    pub(crate) compatibility: Compatibility,
    pub(crate) network_mode: NetworkMode,
    pub(crate) containers: Vec<ContainerDefinition>,
    task_role: Option<Role>,
    execution_role: Option<Role>,
    volumes: Vec<Volume>,
    has_task_memory: bool,
    /// Task-level CPU units and memory (MiB), if set.
    task_size: (Option<u32>, Option<u32>),
    resource: Option<ResourceRef<CfnTaskDefinition>>,
}

impl TaskDefState {
    fn container<'a>(&self, app: &'a App, c: &ContainerDefinition) -> Option<&'a ContainerState> {
        app.construct::<ContainerState>(c.node)
    }
}

impl Construct for TaskDefState {
    fn fqn(&self) -> &'static str {
        self.fqn
    }

    fn prepare(&mut self, app: &mut App, _node: NodeId) -> Result<()> {
        let bridge = self.network_mode == NetworkMode::Bridge;
        let mut rendered = Vec::new();
        for c in &self.containers {
            let Some(s) = self.container(app, c) else {
                continue;
            };
            let port_mappings = render_ports(&s.port_mappings, bridge);
            let deps: Vec<td::ContainerDependency> = s
                .dependencies
                .iter()
                .filter_map(|(n, cond)| {
                    app.construct::<ContainerState>(*n)
                        .map(|d| dependency_l1(d.name.clone(), *cond))
                })
                .collect();
            // The container keeps its definition: the L1 gets a copy.
            let mut def = s.rendered.clone();
            def.port_mappings = port_mappings;
            def.depends_on = (!deps.is_empty()).then(|| Expr::Lit(deps));
            rendered.push(def);
        }
        let volumes: Vec<td::Volume> = self.volumes.iter().map(render_volume).collect();
        let Some(resource) = self.resource else {
            return Ok(());
        };
        let cfn = app.resource_mut(resource);
        cfn.container_definitions = Some(Expr::Lit(rendered));
        cfn.volumes = (!volumes.is_empty()).then(|| Expr::Lit(volumes));
        Ok(())
    }

    fn validate(&self, app: &App, node: NodeId) -> Vec<Diagnostic> {
        // The path only for a problem: validation runs for every task definition.
        let err = |m: String| Diagnostic::error("BERTH-E0310", app.path(node), m);
        let mut out = Vec::new();
        let states: Vec<(&ContainerDefinition, &ContainerState)> = self
            .containers
            .iter()
            .filter_map(|c| self.container(app, c).map(|s| (c, s)))
            .collect();
        if states.is_empty() {
            out.push(err(
                "a task definition needs at least one container; add one with add_container".into(),
            ));
            return out;
        }
        if !states.iter().any(|(_, s)| s.essential) {
            let names: Vec<&str> = states.iter().map(|(_, s)| s.name.as_str()).collect();
            out.push(err(format!(
                "a task definition needs at least one essential container, but every container has essential = false ({}); make the main container essential",
                names.join(", ")
            )));
        }
        // Start-order cycles, reported once each, naming the containers.
        let index = |n: NodeId| states.iter().position(|(c, _)| c.node == n);
        let mut reported: Vec<Vec<usize>> = Vec::new();
        for start in 0..states.len() {
            let mut stack = vec![(start, vec![start])];
            while let Some((at, trail)) = stack.pop() {
                for (dep, _) in &states[at].1.dependencies {
                    let Some(j) = index(*dep) else { continue };
                    if j == start {
                        let mut key = trail.clone();
                        key.sort_unstable();
                        if !reported.contains(&key) {
                            reported.push(key);
                            let mut names: Vec<&str> =
                                trail.iter().map(|&k| states[k].1.name.as_str()).collect();
                            names.push(states[start].1.name.as_str());
                            out.push(err(format!(
                                "the container start-order dependencies form a cycle: {}; remove one of these dependencies",
                                names.join(" -> ")
                            )));
                        }
                    } else if !trail.contains(&j) {
                        let mut t = trail.clone();
                        t.push(j);
                        stack.push((j, t));
                    }
                }
            }
        }
        // Containers must fit in the task's size.
        let (task_cpu, task_memory) = self.task_size;
        if let Some(mem) = task_memory {
            for (_, s) in &states {
                if let Some(limit) = s.sizes.1.filter(|l| *l > mem) {
                    out.push(err(format!(
                        "container {} has a memory limit of {limit} MiB, more than the task's {mem} MiB",
                        s.name
                    )));
                }
            }
            let reserved: u32 = states
                .iter()
                .map(|(_, s)| s.sizes.2.or(s.sizes.1).unwrap_or(0))
                .sum();
            if reserved > mem {
                out.push(err(format!(
                    "the containers reserve {reserved} MiB of memory in total, more than the task's {mem} MiB; lower their reservations or choose a larger task size"
                )));
            }
        }
        if let Some(cpu) = task_cpu {
            let used: u32 = states.iter().map(|(_, s)| s.sizes.0.unwrap_or(0)).sum();
            if used > cpu {
                out.push(err(format!(
                    "the containers reserve {used} CPU units in total, more than the task's {cpu}; lower their cpu or choose a larger task size"
                )));
            }
        }
        for (_, s) in &states {
            for (dep, cond) in &s.dependencies {
                if *cond == super::ContainerDependencyCondition::Healthy {
                    if let Some(d) = app.construct::<ContainerState>(*dep) {
                        if !d.has_health_check {
                            out.push(err(format!(
                                "container {} waits for container {} to be HEALTHY, but {} has no health check; add one or wait for START",
                                s.name, d.name, d.name
                            )));
                        }
                    }
                }
            }
            for m in &s.mount_points {
                if !self.volumes.iter().any(|v| v.name == m.source_volume) {
                    let names: Vec<&str> = self.volumes.iter().map(|v| v.name.as_str()).collect();
                    out.push(err(format!(
                        "container {} mounts volume \"{}\", which the task does not have; volumes: {}",
                        s.name,
                        m.source_volume,
                        if names.is_empty() { "none".into() } else { names.join(", ") }
                    )));
                }
            }
            if self.compatibility == Compatibility::Ec2 && !self.has_task_memory && !s.has_memory {
                out.push(err(format!(
                    "container {} needs memory_limit_mib or memory_reservation_mib: the task definition sets no task-level memory",
                    s.name
                )));
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

fn render_volume(v: &Volume) -> td::Volume {
    let mut out = td::Volume {
        name: Some(v.name.clone().into()),
        ..Default::default()
    };
    match &v.source {
        VolumeSource::Host { source_path } => {
            out.host = source_path.clone().map(|p| {
                td::HostVolumeProperties {
                    source_path: Some(p.into()),
                }
                .into()
            });
        }
        VolumeSource::Efs {
            file_system_id,
            root_directory,
            transit_encryption,
            access_point_id,
        } => {
            out.efs_volume_configuration = Some(
                td::EfsVolumeConfiguration {
                    authorization_config: access_point_id.clone().map(|a| {
                        td::AuthorizationConfig {
                            access_point_id: Some(value_expr(a)),
                            iam: None,
                        }
                        .into()
                    }),
                    filesystem_id: Some(value_expr(file_system_id.clone())),
                    root_directory: root_directory.clone().map(Into::into),
                    transit_encryption: transit_encryption
                        .then(|| td::TransitEncryption::Enabled.into()),
                    transit_encryption_port: None,
                }
                .into(),
            );
        }
    }
    out
}

/// What Fargate and EC2 task definitions share: containers, roles, volumes. Its L1
/// child is `Resource` (`AWS::ECS::TaskDefinition`); the task role (`TaskRole`) and the
/// execution role (`ExecutionRole`), both trusting `ecs-tasks.amazonaws.com`, are
/// created on first use, so a task that needs neither has neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskDefinition {
    node: NodeId,
    resource: ResourceRef<CfnTaskDefinition>,
}

impl Scope for TaskDefinition {
    fn node(&self) -> NodeId {
        self.node
    }
}

struct Common {
    compatibility: Compatibility,
    network_mode: NetworkMode,
    family: Option<String>,
    cpu: Option<u32>,
    memory: Option<u32>,
    task_role: Option<Role>,
    execution_role: Option<Role>,
    volumes: Vec<Volume>,
}

impl TaskDefinition {
    fn create(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        c: Common,
        fqn: &'static str,
    ) -> Result<TaskDefinition> {
        let path = format!("{}/{id}", app.path(&scope));
        check_volumes(&path, &c.volumes, c.compatibility)?;
        let family = c.family.clone().unwrap_or_else(|| {
            let parts: Vec<&str> = path.split('/').collect();
            berth_synth::logical_id::make_unique_id(&parts).unwrap_or_else(|| id.to_owned())
        });
        let cfn = CfnTaskDefinition {
            cpu: c.cpu.map(|v| v.to_string().into()),
            family: Some(family.into()),
            memory: c.memory.map(|v| v.to_string().into()),
            network_mode: Some(c.network_mode.l1().into()),
            requires_compatibilities: Some(Expr::Lit(vec![match c.compatibility {
                Compatibility::Fargate => td::RequiresCompatibility::Fargate,
                Compatibility::Ec2 => td::RequiresCompatibility::Ec2,
            }
            .into()])),
            ..Default::default()
        };
        let state = TaskDefState {
            fqn,
            compatibility: c.compatibility,
            network_mode: c.network_mode,
            containers: Vec::new(),
            task_role: None,
            execution_role: None,
            volumes: c.volumes,
            has_task_memory: c.memory.is_some(),
            task_size: (c.cpu, c.memory),
            resource: None,
        };
        let node = app.add_construct(scope, id, state)?;
        let resource = app.add_resource(node, "Resource", cfn)?;
        if let Some(s) = app.construct_mut::<TaskDefState>(node) {
            s.resource = Some(resource);
        }
        let t = TaskDefinition { node, resource };
        if let Some(r) = c.task_role {
            t.set_role(app, r, true);
        }
        if let Some(r) = c.execution_role {
            t.set_role(app, r, false);
        }
        Ok(t)
    }

    fn state<'a>(&self, app: &'a App) -> &'a TaskDefState {
        app.construct::<TaskDefState>(self.node)
            .expect("a TaskDefinition handle points at a task definition")
    }

    fn set_role(&self, app: &mut App, role: Role, task: bool) {
        let arn = role.role_arn().into();
        if let Some(s) = app.construct_mut::<TaskDefState>(self.node) {
            if task {
                s.task_role = Some(role);
            } else {
                s.execution_role = Some(role);
            }
        }
        let cfn = app.resource_mut(self.resource);
        if task {
            cfn.task_role_arn = Some(arn);
        } else {
            cfn.execution_role_arn = Some(arn);
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

    /// The task role (what the containers' code may do), created on first use.
    pub fn task_role(&self, app: &mut App) -> Result<Role> {
        self.role(app, true)
    }

    /// The execution role (what ECS may do to start the task: pull images, write
    /// logs, read secrets), created on first use.
    pub fn execution_role(&self, app: &mut App) -> Result<Role> {
        self.role(app, false)
    }

    /// The task role if it exists.
    pub fn existing_task_role(&self, app: &App) -> Option<Role> {
        self.state(app).task_role
    }

    /// The execution role if it exists.
    pub fn existing_execution_role(&self, app: &App) -> Option<Role> {
        self.state(app).execution_role
    }

    /// Adds a statement to the task role's policy.
    pub fn add_to_task_role_policy(
        &self,
        app: &mut App,
        statement: PolicyStatement,
    ) -> Result<bool> {
        let role = self.task_role(app)?;
        role.add_to_policy(app, statement)
    }

    /// The task definition's ARN (`Ref`).
    pub fn task_definition_arn(&self) -> Token<String> {
        self.resource.ref_()
    }

    /// The network mode.
    pub fn network_mode(&self, app: &App) -> NetworkMode {
        self.state(app).network_mode
    }

    /// Where the task can run.
    pub fn compatibility(&self, app: &App) -> Compatibility {
        self.state(app).compatibility
    }

    /// The containers, in the order they were added.
    pub fn containers(&self, app: &App) -> Vec<ContainerDefinition> {
        self.state(app).containers.clone()
    }

    /// The container named `name` (CDK's `findContainer`); without one, an error at
    /// the task definition's path that lists the containers it has.
    pub fn find_container(&self, app: &App, name: &str) -> Result<ContainerDefinition> {
        let containers = &self.state(app).containers;
        if let Some(c) = containers.iter().find(|c| c.container_name(app) == name) {
            return Ok(*c);
        }
        let names: Vec<String> = containers
            .iter()
            .map(|c| format!("\"{}\"", c.container_name(app)))
            .collect();
        Err(ConstructError::invalid(
            app.path(self.node),
            "container_name",
            format!(
                "there is no container \"{name}\" in this task definition; containers: {}",
                if names.is_empty() {
                    "none".into()
                } else {
                    names.join(", ")
                }
            ),
        ))
    }

    /// The container and port mapping named `name` ([`super::PortMapping::named`]; CDK's
    /// `findPortMappingByName`); without one, an error at the task definition's path
    /// that lists the named port mappings it has.
    pub fn find_port_mapping_by_name(
        &self,
        app: &App,
        name: &str,
    ) -> Result<(ContainerDefinition, super::PortMapping)> {
        let containers = &self.state(app).containers;
        let found = containers.iter().find_map(|c| {
            c.port_mappings(app)
                .into_iter()
                .find(|p| p.name.as_deref() == Some(name))
                .map(|p| (*c, p))
        });
        if let Some(found) = found {
            return Ok(found);
        }
        let names: Vec<String> = containers
            .iter()
            .flat_map(|c| c.port_mappings(app))
            .filter_map(|p| p.name.map(|n| format!("\"{n}\"")))
            .collect();
        Err(ConstructError::invalid(
            app.path(self.node),
            "port_mapping_name",
            format!(
                "no container of this task definition maps a port named \"{name}\"; named port mappings: {}",
                if names.is_empty() { "none".into() } else { names.join(", ") }
            ),
        ))
    }

    /// The first essential container, if any (the one a load balancer usually targets).
    pub fn default_container(&self, app: &App) -> Option<ContainerDefinition> {
        self.state(app)
            .containers
            .iter()
            .find(|c| c.essential(app))
            .copied()
    }

    /// The L1 task definition, for escape hatches.
    pub fn cfn(&self) -> ResourceRef<CfnTaskDefinition> {
        self.resource
    }

    /// Adds a volume (checked: unique name; host paths are EC2 only).
    pub fn add_volume(&self, app: &mut App, volume: Volume) -> Result<()> {
        let path = app.path(self.node);
        let s = self.state(app);
        let mut all = s.volumes.clone();
        all.push(volume);
        check_volumes(&path, &all, s.compatibility)?;
        if let Some(s) = app.construct_mut::<TaskDefState>(self.node) {
            s.volumes = all;
        }
        Ok(())
    }

    /// Adds a container under `<TaskDef>/<id>` (named `id` unless `container_name` is
    /// set). Checked here, with errors naming the container's path: the image (an
    /// asset image's directory is fingerprinted here, so a missing directory or
    /// Dockerfile is reported at once), port mappings (host port rules of the network
    /// mode; a container port and protocol mapped twice in the task, or twice in a
    /// container in `bridge` mode, or the same fixed host port twice), memory, health
    /// check, secrets. The execution role is granted exactly what the container uses:
    /// pull on its ECR repository (for an asset image, the asset repository), write on
    /// its log group, read on its secrets.
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
        let bad = |prop: String, msg: String| ConstructError::invalid(path.clone(), prop, msg);
        if name.is_empty()
            || name.len() > 255
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(bad(
                "container_name".into(),
                format!("invalid container name \"{name}\": use 1 to 255 letters, digits, hyphens and underscores"),
            ));
        }
        let s = self.state(app);
        let mode = s.network_mode;
        let others: Vec<ContainerDefinition> = s.containers.clone();
        if let Some(c) = others.iter().find(|c| c.container_name(app) == name) {
            return Err(bad(
                "container_name".into(),
                format!("the task already has a container named \"{name}\" ({}); container names must be unique in a task", app.path(c.node)),
            ));
        }
        check_ports(app, mode, &path, &options.port_mappings, 0, &others)?;
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
        if let Some(s) = app.construct_mut::<TaskDefState>(self.node) {
            s.containers.push(c);
        }
        Ok(c)
    }
}

/// Checks the port mappings `all[first_new..]` of a container: the host port rules of
/// the network mode, a port mapped twice in the container, collisions with the other
/// containers of the task, and unique names.
fn check_ports(
    app: &App,
    mode: NetworkMode,
    path: &str,
    all: &[PortMapping],
    first_new: usize,
    others: &[ContainerDefinition],
) -> Result<()> {
    let bad = |prop: String, msg: String| ConstructError::invalid(path, prop, msg);
    for (i, p) in all.iter().enumerate().skip(first_new) {
        if p.container_port == 0 {
            return Err(bad(
                format!("port_mappings[{i}]"),
                "the container port must be between 1 and 65535, got 0".into(),
            ));
        }
        if matches!(mode, NetworkMode::AwsVpc | NetworkMode::Host) {
            if let Some(h) = p.host_port {
                if h != p.container_port {
                    return Err(bad(
                        format!("port_mappings[{i}].host_port"),
                        format!(
                            "in {} mode the host port must be left out or equal the container port ({}), got {h}",
                            mode.as_str(),
                            p.container_port
                        ),
                    ));
                }
            }
        }
        if let Some(j) = all[..i]
            .iter()
            .position(|q| q.container_port == p.container_port && q.protocol == p.protocol)
        {
            return Err(bad(
                format!("port_mappings[{i}]"),
                format!("container port {} is already mapped by port_mappings[{j}]; map each container port and protocol once", port_label(p)),
            ));
        }
        for o in others {
            for (j, q) in o.port_mappings(app).iter().enumerate() {
                let shared_ns = matches!(mode, NetworkMode::AwsVpc | NetworkMode::Host);
                let same_container_port =
                    q.container_port == p.container_port && q.protocol == p.protocol;
                let same_host_port = p.protocol == q.protocol
                    && p.host_port.is_some_and(|h| h != 0)
                    && p.host_port == q.host_port;
                if (shared_ns && same_container_port) || same_host_port {
                    return Err(bad(
                        format!("port_mappings[{i}]"),
                        if shared_ns {
                            format!(
                                "container port {} is already mapped by container {} (port_mappings[{j}]); in {} mode the containers of a task share one network namespace, so each port can be mapped once",
                                port_label(p),
                                o.container_name(app),
                                mode.as_str()
                            )
                        } else {
                            format!(
                                "host port {} is already used by container {} (port_mappings[{j}]); leave host_port out for a dynamic port",
                                p.host_port.unwrap_or(0),
                                o.container_name(app)
                            )
                        },
                    ));
                }
            }
        }
        if let Some(n) = &p.name {
            let dup = others.iter().any(|o| {
                o.port_mappings(app)
                    .iter()
                    .any(|q| q.name.as_ref() == Some(n))
            }) || all[..i].iter().any(|q| q.name.as_ref() == Some(n));
            if dup {
                return Err(bad(
                    format!("port_mappings[{i}].name"),
                    format!("the port mapping name \"{n}\" is used twice in the task; names must be unique"),
                ));
            }
        }
    }
    Ok(())
}

impl ContainerDefinition {
    fn task(&self, app: &App) -> Option<(TaskDefinition, NetworkMode, Vec<ContainerDefinition>)> {
        let s = app.construct::<TaskDefState>(self.task_definition)?;
        let others = s
            .containers
            .iter()
            .filter(|c| c.node != self.node)
            .copied()
            .collect();
        Some((
            TaskDefinition {
                node: self.task_definition,
                resource: s.resource?,
            },
            s.network_mode,
            others,
        ))
    }

    /// Adds port mappings, checked like those given to
    /// [`TaskDefinition::add_container`].
    pub fn add_port_mappings(&self, app: &mut App, mappings: &[PortMapping]) -> Result<()> {
        let path = app.path(self.node);
        let Some((_, mode, others)) = self.task(app) else {
            return Ok(());
        };
        let mut all = self.port_mappings(app);
        let first_new = all.len();
        all.extend(mappings.iter().cloned());
        check_ports(app, mode, &path, &all, first_new, &others)?;
        if let Some(s) = app.construct_mut::<ContainerState>(self.node) {
            s.port_mappings = all;
        }
        Ok(())
    }

    /// Adds an environment variable (the value may be a token).
    pub fn add_environment(&self, app: &mut App, name: &str, value: impl Into<Value>) {
        if let Some(s) = app.construct_mut::<ContainerState>(self.node) {
            let mut list = match s.rendered.environment.take() {
                Some(Expr::Lit(l)) => l,
                _ => Vec::new(),
            };
            list.push(td::KeyValuePair {
                name: Some(name.into()),
                value: Some(value_expr(value.into())),
            });
            s.rendered.environment = Some(Expr::Lit(list));
        }
    }

    /// Adds a secret as an environment variable; the execution role is granted read on
    /// exactly this secret.
    pub fn add_secret(&self, app: &mut App, name: &str, secret: Secret) -> Result<()> {
        let path = app.path(self.node);
        if secret.is_empty() {
            return Err(ConstructError::invalid(
                path,
                format!("secrets.{name}"),
                format!("the secret {name} has no source: give an SSM parameter name or a Secrets Manager ARN"),
            ));
        }
        let Some((task, _, _)) = self.task(app) else {
            return Ok(());
        };
        let role = task.execution_role(app)?;
        Grant::add_to_principal(app, &role, [secret.action()], [secret.arn()])?;
        if let Some(s) = app.construct_mut::<ContainerState>(self.node) {
            let mut list = match s.rendered.secrets.take() {
                Some(Expr::Lit(l)) => l,
                _ => Vec::new(),
            };
            list.push(td::Secret {
                name: Some(name.into()),
                value_from: Some(value_expr(secret.value_from())),
            });
            s.rendered.secrets = Some(Expr::Lit(list));
        }
        Ok(())
    }
}

fn check_volumes(path: &str, volumes: &[Volume], compat: Compatibility) -> Result<()> {
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
        if compat == Compatibility::Fargate {
            if let VolumeSource::Host {
                source_path: Some(p),
            } = &v.source
            {
                return Err(ConstructError::invalid(
                    path,
                    prop,
                    format!("Fargate tasks cannot mount host paths (\"{p}\"); leave source_path out for a task-scoped volume, or use EFS"),
                ));
            }
        }
    }
    Ok(())
}

impl Grantable for TaskDefinition {
    /// Grants go to the task role (created on first use), as in CDK.
    fn add_to_principal_policy(&self, app: &mut App, statement: PolicyStatement) -> Result<bool> {
        self.add_to_task_role_policy(app, statement)
    }
}

props! {
    /// Options of a [`FargateTaskDefinition`].
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct FargateTaskDefinitionProps {
        /// CPU and memory of the task. Default: 256 CPU units and 512 MiB.
        pub size: FargateSize,
        /// The CPU architecture and OS. Default: not rendered (Linux on X86_64).
        pub runtime_platform: Option<RuntimePlatform>,
        /// Ephemeral storage in GiB, 21 to 200. Default: not rendered (20 GiB).
        pub ephemeral_storage_gib: Option<u32>,
        /// The family name. Default: a unique id derived from the construct path.
        pub family: Option<String>,
        /// A task role to use. Default: one is created on first use.
        pub task_role: Option<Role>,
        /// An execution role to use. Default: one is created on first use.
        pub execution_role: Option<Role>,
        /// Volumes. Default: none.
        pub volumes: Vec<Volume>,
    }
}

/// A task definition for Fargate: `awsvpc` networking, `FARGATE` compatibility, and a
/// task size that Fargate accepts (see [`FargateSize`]).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::ecs::{ContainerDefinitionOptions, ContainerImage, FargateTaskDefinition,
///     FargateTaskDefinitionProps, PortMapping, RuntimePlatform};
/// use berth_constructs::{fargate_size, App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
/// let task = FargateTaskDefinition::new(&mut app, stack, "TaskDef", FargateTaskDefinitionProps {
///     size: fargate_size!(512, 1024),
///     runtime_platform: Some(RuntimePlatform::linux_arm64()),
///     ..Default::default()
/// })?;
/// task.add_container(&mut app, "web", ContainerDefinitionOptions {
///     port_mappings: vec![PortMapping::tcp(80)],
///     ..ContainerDefinitionOptions::new(ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest"))
/// })?;
/// let out = app.synth()?;
/// let props = &out.stacks[0].template["Resources"]["TaskDef54694570"]["Properties"];
/// assert_eq!(props["NetworkMode"], "awsvpc");
/// assert_eq!(props["RequiresCompatibilities"][0], "FARGATE");
/// assert_eq!((props["Cpu"].as_str(), props["Memory"].as_str()), (Some("512"), Some("1024")));
/// assert_eq!(props["ContainerDefinitions"][0]["PortMappings"][0]["ContainerPort"], 80);
/// // A public image and no logs: no execution role.
/// assert!(props.get("ExecutionRoleArn").is_none());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FargateTaskDefinition(TaskDefinition);

impl Deref for FargateTaskDefinition {
    type Target = TaskDefinition;
    fn deref(&self) -> &TaskDefinition {
        &self.0
    }
}

impl Scope for FargateTaskDefinition {
    fn node(&self) -> NodeId {
        self.0.node
    }
}

impl FargateTaskDefinition {
    /// Creates a Fargate task definition under `scope`.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        props: FargateTaskDefinitionProps,
    ) -> Result<FargateTaskDefinition> {
        if let Some(g) = props.ephemeral_storage_gib {
            if !(21..=200).contains(&g) {
                return Err(ConstructError::invalid(
                    format!("{}/{id}", app.path(&scope)),
                    "ephemeral_storage_gib",
                    format!("Fargate ephemeral storage must be between 21 and 200 GiB, got {g}"),
                ));
            }
        }
        let t = TaskDefinition::create(
            app,
            scope,
            id,
            Common {
                compatibility: Compatibility::Fargate,
                network_mode: NetworkMode::AwsVpc,
                family: props.family,
                cpu: Some(props.size.cpu()),
                memory: Some(props.size.memory_mib()),
                task_role: props.task_role,
                execution_role: props.execution_role,
                volumes: props.volumes,
            },
            "berth.ecs.FargateTaskDefinition",
        )?;
        let cfn = app.resource_mut(t.resource);
        cfn.ephemeral_storage = props.ephemeral_storage_gib.map(|g| {
            td::EphemeralStorage {
                size_in_gib: Some(g.into()),
            }
            .into()
        });
        cfn.runtime_platform = props.runtime_platform.map(|p| {
            td::RuntimePlatform {
                cpu_architecture: Some(p.cpu_architecture.into()),
                operating_system_family: Some(p.operating_system_family.into()),
            }
            .into()
        });
        Ok(FargateTaskDefinition(t))
    }

    /// The shared task definition handle.
    pub fn task_definition(&self) -> TaskDefinition {
        self.0
    }
}

props! {
    /// Options of an [`Ec2TaskDefinition`].
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct Ec2TaskDefinitionProps {
        /// The network mode. Default: [`NetworkMode::Bridge`].
        pub network_mode: NetworkMode,
        /// Placement constraints (`memberOf` expressions). Default: none.
        pub placement_constraints: Vec<TaskPlacementConstraint>,
        /// Task-level CPU units. Default: none (containers reserve their own).
        pub cpu: Option<u32>,
        /// Task-level memory in MiB. Default: none; every container then needs a memory
        /// limit or reservation (checked at synth).
        pub memory_mib: Option<u32>,
        /// The family name. Default: a unique id derived from the construct path.
        pub family: Option<String>,
        /// A task role to use. Default: one is created on first use.
        pub task_role: Option<Role>,
        /// An execution role to use. Default: one is created on first use.
        pub execution_role: Option<Role>,
        /// Volumes. Default: none.
        pub volumes: Vec<Volume>,
    }
}

/// A task definition for EC2 container instances.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::ecs::{ContainerDefinitionOptions, ContainerImage, Ec2TaskDefinition,
///     Ec2TaskDefinitionProps, PortMapping, TaskPlacementConstraint};
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Hosts", StackProps::default())?;
/// let task = Ec2TaskDefinition::new(&mut app, stack, "TaskDef", Ec2TaskDefinitionProps {
///     placement_constraints: vec![TaskPlacementConstraint { expression: "attribute:ecs.instance-type =~ t3.*".into() }],
///     ..Default::default()
/// })?;
/// task.add_container(&mut app, "web", ContainerDefinitionOptions {
///     memory_limit_mib: Some(256),
///     port_mappings: vec![PortMapping::tcp(80)],
///     ..ContainerDefinitionOptions::new(ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest"))
/// })?;
/// let out = app.synth()?;
/// let props = &out.stacks[0].template["Resources"]["TaskDef54694570"]["Properties"];
/// assert_eq!(props["NetworkMode"], "bridge");
/// // Bridge mode without a host port: a dynamic host port.
/// assert_eq!(props["ContainerDefinitions"][0]["PortMappings"][0]["HostPort"], 0);
/// assert_eq!(props["PlacementConstraints"][0]["Type"], "memberOf");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ec2TaskDefinition(TaskDefinition);

impl Deref for Ec2TaskDefinition {
    type Target = TaskDefinition;
    fn deref(&self) -> &TaskDefinition {
        &self.0
    }
}

impl Scope for Ec2TaskDefinition {
    fn node(&self) -> NodeId {
        self.0.node
    }
}

impl Ec2TaskDefinition {
    /// Creates an EC2 task definition under `scope`.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        props: Ec2TaskDefinitionProps,
    ) -> Result<Ec2TaskDefinition> {
        let path = format!("{}/{id}", app.path(&scope));
        for (i, c) in props.placement_constraints.iter().enumerate() {
            if c.expression.trim().is_empty() {
                return Err(ConstructError::invalid(
                    path,
                    format!("placement_constraints[{i}]"),
                    "a memberOf placement constraint needs an expression",
                ));
            }
        }
        let t = TaskDefinition::create(
            app,
            scope,
            id,
            Common {
                compatibility: Compatibility::Ec2,
                network_mode: props.network_mode,
                family: props.family,
                cpu: props.cpu,
                memory: props.memory_mib,
                task_role: props.task_role,
                execution_role: props.execution_role,
                volumes: props.volumes,
            },
            "berth.ecs.Ec2TaskDefinition",
        )?;
        let cfn = app.resource_mut(t.resource);
        cfn.placement_constraints = (!props.placement_constraints.is_empty()).then(|| {
            Expr::Lit(
                props
                    .placement_constraints
                    .iter()
                    .map(|c| td::TaskDefinitionPlacementConstraint {
                        expression: Some(c.expression.clone().into()),
                        type_: Some(td::TaskDefinitionPlacementConstraintType::MemberOf.into()),
                    })
                    .collect(),
            )
        });
        Ok(Ec2TaskDefinition(t))
    }

    /// The shared task definition handle.
    pub fn task_definition(&self) -> TaskDefinition {
        self.0
    }
}
