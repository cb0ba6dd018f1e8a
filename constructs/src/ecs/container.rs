//! Container definitions: images, port mappings, secrets, logging, health checks.

use super::log_driver::{check_log_driver, render_log_driver, LogDriver};
use crate::app::{App, Construct, NodeId, Scope};
use crate::ecr::Repository;
use crate::error::{ConstructError, Result};
use crate::iam::{join, value_expr, Grant, PolicyStatement};
use berth_synth::asset::{DockerBuildOptions, DEFAULT_ASSET_REPOSITORY};
use berth_synth::cfn::ecs::task_definition as td;
use berth_synth::model::DockerImageAssetSpec;
use berth_synth::{Expr, Value};
use indexmap::IndexMap;
use std::any::Any;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where a container's image comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum ContainerImage {
    /// An image by name from a public or private registry
    /// (`public.ecr.aws/nginx/nginx:latest`, `amazon/amazon-ecs-sample`).
    Registry(String),
    /// An image tag in an ECR repository; the task's execution role is granted pull
    /// on exactly that repository.
    Ecr {
        /// The repository.
        repository: Repository,
        /// The tag.
        tag: String,
    },
    /// An image reference known at deploy time (a token: a template parameter, such as
    /// [`crate::ssm::value_for_string_parameter`] of a public image parameter, or an
    /// import). Nothing is granted for it.
    Uri(Value),
    /// An image built from a directory with a Dockerfile (an image asset): see
    /// [`ContainerImage::from_asset`].
    Asset {
        /// The directory: the build context, with the Dockerfile.
        directory: PathBuf,
        /// How to build it.
        options: AssetImageOptions,
    },
}

impl Default for ContainerImage {
    /// An empty registry name: [`crate::ecs::TaskDefinition::add_container`] rejects it.
    fn default() -> Self {
        ContainerImage::Registry(String::new())
    }
}

impl ContainerImage {
    /// An image by name from a registry.
    pub fn from_registry(name: impl Into<String>) -> Self {
        ContainerImage::Registry(name.into())
    }

    /// An image reference known at deploy time (see [`ContainerImage::Uri`]).
    pub fn from_uri(uri: impl Into<Value>) -> Self {
        ContainerImage::Uri(uri.into())
    }

    /// A tag of an ECR repository.
    pub fn from_ecr_repository(repository: &Repository, tag: impl Into<String>) -> Self {
        ContainerImage::Ecr {
            repository: *repository,
            tag: tag.into(),
        }
    }

    /// An image built from `directory` with its `Dockerfile` (an image asset).
    ///
    /// When the container is added, berth fingerprints the directory (a SHA-256 of the
    /// files `.dockerignore` does not exclude and of the build options, see
    /// [`berth_synth::asset`]), adds a construct `AssetImage` under the container and
    /// registers the asset on the container's stack. The template names the image
    /// `<account>.dkr.ecr.<region>.<url suffix>/berth-assets-berthtoolkit:<fingerprint>`,
    /// in the repository `berth bootstrap` creates
    /// ([`berth_synth::asset::DEFAULT_ASSET_REPOSITORY`]), and the task's execution role
    /// may pull from that repository. Synth writes the stack's asset manifest
    /// (`<Stack>.assets.json`) and a copy of the build context into the cloud assembly;
    /// `berth deploy` builds and pushes the image before deploying the stack. A relative
    /// directory is relative to the working directory of the program: build it from
    /// `env!("CARGO_MANIFEST_DIR")` to be independent of it.
    pub fn from_asset(directory: impl Into<PathBuf>) -> Self {
        ContainerImage::from_asset_with(directory, AssetImageOptions::default())
    }

    /// An image built from `directory` with build options (Dockerfile name, build
    /// arguments, target stage, platform); see [`ContainerImage::from_asset`] and
    /// [`AssetImageOptions`].
    pub fn from_asset_with(directory: impl Into<PathBuf>, options: AssetImageOptions) -> Self {
        ContainerImage::Asset {
            directory: directory.into(),
            options,
        }
    }
}

/// The platform an image asset is built for (`docker build --platform`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Platform {
    /// `linux/amd64` (x86-64).
    LinuxAmd64,
    /// `linux/arm64` (Graviton).
    LinuxArm64,
}

impl Platform {
    /// The value Docker takes: `linux/amd64` or `linux/arm64`.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::LinuxAmd64 => "linux/amd64",
            Platform::LinuxArm64 => "linux/arm64",
        }
    }
}

props! {
    /// How an image asset is built ([`ContainerImage::from_asset_with`]). Every option is
    /// part of the asset's fingerprint, so changing one makes a new image.
    ///
    /// ```
    /// use berth_constructs::ecs::{AssetImageOptions, ContainerImage, Platform};
    ///
    /// let image = ContainerImage::from_asset_with(
    ///     "image",
    ///     AssetImageOptions {
    ///         file: Some("Dockerfile.prod".into()),
    ///         build_args: [("RUST_VERSION".to_string(), "1.85".to_string())].into(),
    ///         target: Some("runtime".into()),
    ///         platform: Some(Platform::LinuxArm64),
    ///     },
    /// );
    /// assert!(matches!(image, ContainerImage::Asset { .. }));
    /// ```
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct AssetImageOptions {
        /// The Dockerfile, relative to the directory (it must be inside it). Default:
        /// `Dockerfile`.
        pub file: Option<String>,
        /// Build arguments (`--build-arg KEY=VALUE`). Default: none.
        pub build_args: BTreeMap<String, String>,
        /// The stage of a multi-stage Dockerfile to build (`--target`). Default: the last.
        pub target: Option<String>,
        /// The platform to build for (`--platform`). Default: the builder's. Match the task
        /// definition's runtime platform (Fargate runs `linux/amd64` unless told otherwise).
        pub platform: Option<Platform>,
    }
}

impl AssetImageOptions {
    /// The options as synth takes them.
    pub fn build_options(&self) -> DockerBuildOptions {
        DockerBuildOptions {
            file: self
                .file
                .clone()
                .unwrap_or_else(|| berth_synth::asset::DEFAULT_DOCKERFILE.to_owned()),
            build_args: self.build_args.clone(),
            target: self.target.clone(),
            platform: self.platform.map(|p| p.as_str().to_owned()),
        }
    }
}

/// The state of an image asset's construct (`<container>/AssetImage`).
#[derive(Debug)]
pub(crate) struct AssetImageState {
    pub(crate) hash: String,
}

impl Construct for AssetImageState {
    fn fqn(&self) -> &'static str {
        "berth.ecr_assets.DockerImageAsset"
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// An image asset whose directory was fingerprinted by [`precheck`].
#[derive(Debug)]
pub(crate) struct CheckedAsset {
    directory: PathBuf,
    options: DockerBuildOptions,
    hash: String,
}

/// The protocol of a port mapping.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PortProtocol {
    /// TCP (the default).
    #[default]
    Tcp,
    /// UDP.
    Udp,
}

impl PortProtocol {
    fn as_str(self) -> &'static str {
        match self {
            PortProtocol::Tcp => "tcp",
            PortProtocol::Udp => "udp",
        }
    }
}

/// The application protocol of a named port mapping (for Service Connect).
pub use td::AppProtocol;

props! {
    /// A port the container listens on.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct PortMapping {
        /// The port in the container. Required.
        pub container_port: u16,
        /// The port on the host. In `awsvpc` and `host` mode it must be left out or equal
        /// the container port; in `bridge` mode leaving it out means a dynamic host port
        /// (rendered as 0, as CDK does). Default: see above.
        pub host_port: Option<u16>,
        /// The protocol. Default: TCP.
        pub protocol: PortProtocol,
        /// A name (needed for Service Connect). Default: none.
        pub name: Option<String>,
        /// The application protocol. Default: none.
        pub app_protocol: Option<AppProtocol>,
    }
}

impl PortMapping {
    /// A TCP port.
    pub fn tcp(container_port: u16) -> Self {
        PortMapping {
            container_port,
            ..Default::default()
        }
    }

    /// A UDP port.
    pub fn udp(container_port: u16) -> Self {
        PortMapping {
            container_port,
            protocol: PortProtocol::Udp,
            ..Default::default()
        }
    }

    /// The same mapping with a name.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

/// A secret passed to the container as an environment variable; the execution role is
/// granted read on exactly this secret: `ssm:GetParameters` on a parameter,
/// `secretsmanager:GetSecretValue` on a secret (and `kms:Decrypt` on its key, when it
/// has a customer managed one).
#[derive(Clone, Debug, PartialEq)]
pub enum Secret {
    /// An SSM parameter by name (`/prod/db/password` or `prod-db-password`), in the
    /// stack's account and region, or by full ARN (`arn:...:parameter/...`). (A
    /// `SecureString` under a customer managed KMS key also needs `kms:Decrypt`, which
    /// is not granted here.)
    SsmParameter(String),
    /// An SSM parameter by ARN (a token, e.g. [`crate::ssm::StringParameter::parameter_arn`]).
    SsmParameterArn(Value),
    /// A Secrets Manager secret by ARN, with an optional JSON key.
    SecretsManager {
        /// The secret's ARN.
        arn: Value,
        /// A JSON key in the secret. Default: the whole secret.
        field: Option<String>,
        /// The ARN of the customer managed KMS key the secret is encrypted with, which
        /// the execution role may then decrypt with. Default: none (the AWS managed
        /// key).
        encryption_key: Option<Value>,
    },
}

impl Secret {
    /// An SSM parameter by name.
    pub fn from_ssm_parameter_name(name: impl Into<String>) -> Secret {
        Secret::SsmParameter(name.into())
    }

    /// An SSM parameter of the app (CDK's `Secret.fromSsmParameter`).
    pub fn from_ssm_parameter(parameter: &crate::ssm::StringParameter) -> Secret {
        Secret::SsmParameterArn(parameter.parameter_arn().into())
    }

    /// A Secrets Manager secret of the app, whole (CDK's `Secret.fromSecretsManager`).
    pub fn from_secrets_manager(secret: &crate::secretsmanager::Secret) -> Secret {
        Secret::SecretsManager {
            arn: secret.secret_arn().into(),
            field: None,
            encryption_key: secret.encryption_key_arn(),
        }
    }

    /// One JSON key of a Secrets Manager secret of the app (`password` of a generated
    /// `{"username": .., "password": ..}`).
    pub fn from_secrets_manager_json_field(
        secret: &crate::secretsmanager::Secret,
        field: impl Into<String>,
    ) -> Secret {
        Secret::SecretsManager {
            arn: secret.secret_arn().into(),
            field: Some(field.into()),
            encryption_key: secret.encryption_key_arn(),
        }
    }

    /// A Secrets Manager secret by ARN (a literal or a token).
    pub fn from_secrets_manager_arn(arn: impl Into<Value>) -> Secret {
        Secret::SecretsManager {
            arn: arn.into(),
            field: None,
            encryption_key: None,
        }
    }

    /// One JSON key of a Secrets Manager secret, by ARN.
    pub fn from_secrets_manager_field(arn: impl Into<Value>, field: impl Into<String>) -> Secret {
        Secret::SecretsManager {
            arn: arn.into(),
            field: Some(field.into()),
            encryption_key: None,
        }
    }

    /// The ARN the execution role is granted read on.
    pub fn arn(&self) -> Value {
        match self {
            Secret::SsmParameter(name) if name.starts_with("arn:") => Value::from(name.as_str()),
            Secret::SsmParameter(name) => crate::ssm::parameter_arn(Value::from(name.as_str())),
            Secret::SsmParameterArn(arn) => arn.clone(),
            Secret::SecretsManager { arn, .. } => arn.clone(),
        }
    }

    pub(crate) fn value_from(&self) -> Value {
        match self {
            Secret::SecretsManager {
                arn,
                field: Some(f),
                ..
            } => join([arn.clone(), Value::from(format!(":{f}::"))]),
            _ => self.arn(),
        }
    }

    /// Grants `role` exactly what ECS needs to read the secret.
    pub(crate) fn grant_read(&self, app: &mut App, role: &crate::iam::Role) -> Result<()> {
        let action = match self {
            Secret::SsmParameter(_) | Secret::SsmParameterArn(_) => "ssm:GetParameters",
            Secret::SecretsManager { .. } => "secretsmanager:GetSecretValue",
        };
        Grant::add_to_principal(app, role, [action], [self.arn()])?;
        if let Secret::SecretsManager {
            encryption_key: Some(key),
            ..
        } = self
        {
            role.add_to_policy(
                app,
                crate::secretsmanager::kms_via_secrets_manager(key.clone(), &["kms:Decrypt"]),
            )?;
        }
        Ok(())
    }

    pub(crate) fn is_empty(&self) -> bool {
        let blank =
            |v: &Value| matches!(v, Value::Null) || v.as_str().is_some_and(|s| s.trim().is_empty());
        match self {
            Secret::SsmParameter(n) => n.trim().is_empty(),
            Secret::SsmParameterArn(arn) | Secret::SecretsManager { arn, .. } => blank(arn),
        }
    }
}

props! {
    /// A container health check (Docker's `HEALTHCHECK`).
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct HealthCheck {
        /// The command. A command that does not start with `CMD` or `CMD-SHELL` is run
        /// with `CMD-SHELL` (as CDK does). Required.
        pub command: Vec<String>,
        /// Seconds between checks, 5 to 300. Default: 30.
        pub interval_secs: Option<u32>,
        /// Seconds before a check fails, 2 to 120. Default: 5.
        pub timeout_secs: Option<u32>,
        /// Failures before the container is unhealthy, 1 to 10. Default: 3.
        pub retries: Option<u32>,
        /// Seconds of grace after start, 0 to 300. Default: not rendered (0).
        pub start_period_secs: Option<u32>,
    }
}

impl HealthCheck {
    /// A check that runs `command` in the container's shell (`CMD-SHELL`), e.g.
    /// `HealthCheck::shell("curl -f http://localhost/health || exit 1")`.
    pub fn shell(command: impl Into<String>) -> HealthCheck {
        HealthCheck {
            command: vec!["CMD-SHELL".into(), command.into()],
            ..Default::default()
        }
    }
}

/// The resource of a ulimit.
pub use td::Name as UlimitName;

props! {
    /// A Linux resource limit.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Ulimit {
        /// The resource. Required.
        pub name: UlimitName,
        /// The soft limit. Required.
        pub soft_limit: u32,
        /// The hard limit (at least the soft limit). Required.
        pub hard_limit: u32,
    }
}

props! {
    /// A volume of the task mounted into the container.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct MountPoint {
        /// The name of a volume of the task (from the props or
        /// [`crate::ecs::TaskDefinition::add_volume`]). Required.
        pub source_volume: String,
        /// Where it appears in the container. Required.
        pub container_path: String,
        /// Mount it read-only. Default: false.
        pub read_only: bool,
    }
}

impl MountPoint {
    /// Mounts the volume `source_volume` at `container_path`, read-write; chain
    /// `.read_only(true)` for read-only.
    pub fn new(source_volume: impl Into<String>, container_path: impl Into<String>) -> Self {
        MountPoint {
            source_volume: source_volume.into(),
            container_path: container_path.into(),
            read_only: false,
        }
    }
}

props! {
    /// Options of [`crate::ecs::TaskDefinition::add_container`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct ContainerDefinitionOptions {
        /// The image. Required (the default, an empty name, is rejected).
        pub image: ContainerImage,
        /// The container's name. Default: the construct id.
        pub container_name: Option<String>,
        /// Whether the task stops when this container stops. Default: true.
        pub essential: bool,
        /// The command. Default: the image's.
        pub command: Vec<String>,
        /// The entry point. Default: the image's.
        pub entry_point: Vec<String>,
        /// The working directory. Default: the image's.
        pub working_directory: Option<String>,
        /// The user (`name`, `uid`, `uid:gid`, ...). Default: the image's.
        pub user: Option<String>,
        /// Mount the root file system read-only. Default: false (not rendered).
        pub readonly_root_filesystem: bool,
        /// CPU units reserved for the container. Default: none.
        pub cpu: Option<u32>,
        /// Hard memory limit in MiB. Default: none.
        pub memory_limit_mib: Option<u32>,
        /// Soft memory limit (reservation) in MiB, at most the hard limit. Default: none.
        pub memory_reservation_mib: Option<u32>,
        /// Ports the container listens on. Default: none.
        pub port_mappings: Vec<PortMapping>,
        /// Environment variables (values may be tokens). Default: none.
        pub environment: IndexMap<String, Value>,
        /// Secrets as environment variables. Default: none.
        pub secrets: IndexMap<String, Secret>,
        /// A health check. Default: none (the image's, if any).
        pub health_check: Option<HealthCheck>,
        /// The log driver. Default: none (no logs are shipped).
        pub logging: Option<LogDriver>,
        /// Resource limits. Default: none.
        pub ulimits: Vec<Ulimit>,
        /// Volumes mounted into the container. Default: none.
        pub mount_points: Vec<MountPoint>,
        /// Seconds to wait before the container is killed when it does not stop on its
        /// own, 2 to 120. Default: not rendered (30).
        pub stop_timeout_secs: Option<u32>,
    }
}

impl Default for ContainerDefinitionOptions {
    fn default() -> Self {
        ContainerDefinitionOptions {
            image: ContainerImage::default(),
            container_name: None,
            essential: true,
            command: Vec::new(),
            entry_point: Vec::new(),
            working_directory: None,
            user: None,
            readonly_root_filesystem: false,
            cpu: None,
            memory_limit_mib: None,
            memory_reservation_mib: None,
            port_mappings: Vec::new(),
            environment: IndexMap::new(),
            secrets: IndexMap::new(),
            health_check: None,
            logging: None,
            ulimits: Vec::new(),
            mount_points: Vec::new(),
            stop_timeout_secs: None,
        }
    }
}

impl ContainerDefinitionOptions {
    /// Options with this image and every other field at its default.
    pub fn new(image: ContainerImage) -> Self {
        ContainerDefinitionOptions::default().image(image)
    }
}

/// When a dependent container may start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ContainerDependencyCondition {
    /// Once the dependency has started.
    Start,
    /// Once the dependency has run to completion.
    Complete,
    /// Once the dependency has exited with status 0.
    Success,
    /// Once the dependency's health check passes (it needs one): the default, as in
    /// CDK.
    #[default]
    Healthy,
}

impl ContainerDependencyCondition {
    fn l1(self) -> td::Condition {
        match self {
            ContainerDependencyCondition::Start => td::Condition::Start,
            ContainerDependencyCondition::Complete => td::Condition::Complete,
            ContainerDependencyCondition::Success => td::Condition::Success,
            ContainerDependencyCondition::Healthy => td::Condition::Healthy,
        }
    }
}

props! {
    /// A start-order dependency on another container of the same task.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct ContainerDependency {
        /// The container to wait for. Required.
        pub container: ContainerDefinition,
        /// What to wait for. Default: [`ContainerDependencyCondition::Healthy`].
        pub condition: ContainerDependencyCondition,
    }
}

impl ContainerDependency {
    /// Wait for `container` to reach `condition`.
    pub fn new(container: ContainerDefinition, condition: ContainerDependencyCondition) -> Self {
        ContainerDependency {
            container,
            condition,
        }
    }

    /// Wait for `container` to be healthy (it needs a health check).
    pub fn healthy(container: ContainerDefinition) -> Self {
        Self::new(container, ContainerDependencyCondition::Healthy)
    }
}

/// The state of a container, kept in the tree.
#[derive(Debug)]
pub(crate) struct ContainerState {
    pub(crate) name: String,
    pub(crate) essential: bool,
    pub(crate) port_mappings: Vec<PortMapping>,
    pub(crate) has_health_check: bool,
    pub(crate) has_memory: bool,
    /// (cpu, memory limit, memory reservation) of the container.
    pub(crate) sizes: (Option<u32>, Option<u32>, Option<u32>),
    pub(crate) mount_points: Vec<MountPoint>,
    pub(crate) dependencies: Vec<(NodeId, ContainerDependencyCondition)>,
    pub(crate) rendered: td::ContainerDefinition,
}

impl Construct for ContainerState {
    fn fqn(&self) -> &'static str {
        "berth.ecs.ContainerDefinition"
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// A container of a task definition, made by
/// [`crate::ecs::TaskDefinition::add_container`]. It is a construct at
/// `<TaskDef>/<id>` (the default log group sits under it) with no resource of its own:
/// it renders into the task definition's `ContainerDefinitions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContainerDefinition {
    pub(crate) node: NodeId,
    pub(crate) task_definition: NodeId,
}

impl Scope for ContainerDefinition {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl ContainerDefinition {
    /// The container's name.
    pub fn container_name(&self, app: &App) -> String {
        app.construct::<ContainerState>(self.node)
            .map(|s| s.name.clone())
            .unwrap_or_default()
    }

    /// The container's port mappings.
    pub fn port_mappings(&self, app: &App) -> Vec<PortMapping> {
        app.construct::<ContainerState>(self.node)
            .map(|s| s.port_mappings.clone())
            .unwrap_or_default()
    }

    /// The fingerprint of the container's image asset (its image tag), when the image
    /// is built from a directory ([`ContainerImage::from_asset`]).
    pub fn image_asset_hash(&self, app: &App) -> Option<String> {
        let node = app.child(self.node, "AssetImage")?;
        app.construct::<AssetImageState>(node)
            .map(|s| s.hash.clone())
    }

    /// The volumes mounted into the container.
    pub fn mount_points(&self, app: &App) -> Vec<MountPoint> {
        app.construct::<ContainerState>(self.node)
            .map(|s| s.mount_points.clone())
            .unwrap_or_default()
    }

    /// Mounts volumes of the task into the container (CDK's `addMountPoints`). Checked
    /// here: a volume name, an absolute container path, each path mounted once; a
    /// volume the task does not have is reported at synth (volumes may be added later).
    ///
    /// ```
    /// use berth_constructs::ecs::{ContainerDefinitionOptions, ContainerImage, FargateTaskDefinition,
    ///     FargateTaskDefinitionProps, MountPoint, Volume};
    /// use berth_constructs::{App, Stack, StackProps};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut app = App::new();
    /// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
    /// let task = FargateTaskDefinition::new(&mut app, stack, "TaskDef", FargateTaskDefinitionProps::default())?;
    /// task.add_volume(&mut app, Volume::scratch("cache"))?;
    /// let web = task.add_container(&mut app, "web", ContainerDefinitionOptions::new(
    ///     ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest")))?;
    /// web.add_mount_points(&mut app, [MountPoint::new("cache", "/var/cache/nginx")])?;
    /// let out = app.synth()?;
    /// let def = &out.stacks[0].template["Resources"]["TaskDef54694570"]["Properties"]["ContainerDefinitions"][0];
    /// assert_eq!(def["MountPoints"][0]["ContainerPath"], "/var/cache/nginx");
    /// assert_eq!(def["MountPoints"][0]["SourceVolume"], "cache");
    /// # Ok(()) }
    /// ```
    pub fn add_mount_points(
        &self,
        app: &mut App,
        mount_points: impl IntoIterator<Item = MountPoint>,
    ) -> Result<()> {
        let path = app.path(self.node);
        let mut all = self.mount_points(app);
        let first_new = all.len();
        all.extend(mount_points);
        check_mount_points(&path, &all, first_new)?;
        if let Some(s) = app.construct_mut::<ContainerState>(self.node) {
            s.rendered.mount_points = render_mount_points(&all);
            s.mount_points = all;
        }
        Ok(())
    }

    /// Whether the container is essential.
    pub fn essential(&self, app: &App) -> bool {
        app.construct::<ContainerState>(self.node)
            .is_some_and(|s| s.essential)
    }

    /// Makes this container start after others of the same task. A cycle is reported
    /// at synth, naming the containers.
    pub fn add_container_dependencies(
        &self,
        app: &mut App,
        dependencies: &[ContainerDependency],
    ) -> Result<()> {
        let path = app.path(self.node);
        for (i, d) in dependencies.iter().enumerate() {
            if d.container.task_definition != self.task_definition {
                return Err(ConstructError::invalid(
                    path,
                    format!("dependencies[{i}]"),
                    format!(
                        "container {} belongs to another task definition; a container can only depend on containers of its own task",
                        app.path(d.container.node)
                    ),
                ));
            }
        }
        if let Some(s) = app.construct_mut::<ContainerState>(self.node) {
            for d in dependencies {
                let entry = (d.container.node, d.condition);
                if !s.dependencies.contains(&entry) {
                    s.dependencies.push(entry);
                }
            }
        }
        Ok(())
    }
}

/// The `MountPoints` of a container definition (`None` without any).
pub(crate) fn render_mount_points(mounts: &[MountPoint]) -> Option<Expr<Vec<td::MountPoint>>> {
    (!mounts.is_empty()).then(|| {
        Expr::Lit(
            mounts
                .iter()
                .map(|m| td::MountPoint {
                    container_path: Some(m.container_path.clone().into()),
                    read_only: Some(m.read_only.into()),
                    source_volume: Some(m.source_volume.clone().into()),
                })
                .collect(),
        )
    })
}

/// Checks mount points `all[first_new..]`: a volume name, an absolute container path,
/// each path mounted once in the container.
pub(crate) fn check_mount_points(path: &str, all: &[MountPoint], first_new: usize) -> Result<()> {
    for (i, m) in all.iter().enumerate().skip(first_new) {
        let bad = |field: &str, msg: String| {
            ConstructError::invalid(path, format!("mount_points[{i}]{field}"), msg)
        };
        if m.source_volume.trim().is_empty() {
            return Err(bad(
                ".source_volume",
                "a mount point needs the name of a volume of the task".into(),
            ));
        }
        if !m.container_path.starts_with('/') {
            return Err(bad(
                ".container_path",
                format!(
                    "the container path must be absolute (start with /), got \"{}\"",
                    m.container_path
                ),
            ));
        }
        if let Some(j) = all[..i]
            .iter()
            .position(|o| o.container_path == m.container_path)
        {
            return Err(bad(
                ".container_path",
                format!(
                    "{} is mounted already by mount_points[{j}]; mount each path once",
                    m.container_path
                ),
            ));
        }
    }
    Ok(())
}

/// Checks a container's options before anything is added to the tree; fingerprints an
/// asset image.
pub(crate) fn precheck(
    path: &str,
    opts: &ContainerDefinitionOptions,
) -> Result<Option<CheckedAsset>> {
    check_mount_points(path, &opts.mount_points, 0)?;
    let bad = |prop: &str, msg: String| ConstructError::invalid(path, prop, msg);
    let mut asset = None;
    match &opts.image {
        ContainerImage::Registry(n) if n.trim().is_empty() => {
            return Err(bad(
                "image",
                "a container needs an image, e.g. ContainerImage::from_registry(\"public.ecr.aws/nginx/nginx:latest\")".into(),
            ))
        }
        ContainerImage::Ecr { tag, .. } if tag.trim().is_empty() => {
            return Err(bad("image", "an ECR image needs a tag, got an empty one".into()));
        }
        ContainerImage::Asset { directory, options } => {
            let options = options.build_options();
            let hash = berth_synth::asset::fingerprint(directory, &options)
                .map_err(|e| bad("image", e.to_string()))?;
            asset = Some(CheckedAsset {
                directory: directory.clone(),
                options,
                hash,
            });
        }
        _ => {}
    }
    if let (Some(limit), Some(res)) = (opts.memory_limit_mib, opts.memory_reservation_mib) {
        if res > limit {
            return Err(bad(
                "memory_reservation_mib",
                format!("the memory reservation ({res} MiB) must not exceed the memory limit ({limit} MiB)"),
            ));
        }
    }
    if let Some(h) = &opts.health_check {
        check_health(h).map_err(|(p, m)| bad(&format!("health_check.{p}"), m))?;
    }
    if let Some(t) = opts.stop_timeout_secs {
        if !(2..=120).contains(&t) {
            return Err(bad(
                "stop_timeout_secs",
                format!("the stop timeout must be between 2 and 120 seconds, got {t}"),
            ));
        }
    }
    for (i, u) in opts.ulimits.iter().enumerate() {
        if u.soft_limit > u.hard_limit {
            return Err(bad(
                &format!("ulimits[{i}]"),
                format!(
                    "the soft limit ({}) must not exceed the hard limit ({})",
                    u.soft_limit, u.hard_limit
                ),
            ));
        }
    }
    for (key, secret) in &opts.secrets {
        if secret.is_empty() {
            return Err(bad(
                &format!("secrets.{key}"),
                format!("the secret {key} has no source: give an SSM parameter name or a Secrets Manager ARN"),
            ));
        }
    }
    if let Some(d) = &opts.logging {
        if let Err((field, msg)) = check_log_driver(d) {
            return Err(bad(&format!("logging.{field}"), msg));
        }
    }
    Ok(asset)
}

/// What the grants of a container go to: the execution role of its task definition
/// (a [`crate::ecs::TaskDefinition`] or a [`crate::ecs::DaemonTaskDefinition`]).
pub(crate) trait ExecutionRoleOwner: crate::iam::Grantable {
    /// The execution role, created on first use.
    fn execution_role(&self, app: &mut App) -> Result<crate::iam::Role>;
}

impl ExecutionRoleOwner for crate::ecs::TaskDefinition {
    fn execution_role(&self, app: &mut App) -> Result<crate::iam::Role> {
        crate::ecs::TaskDefinition::execution_role(self, app)
    }
}

/// Renders a container's options (checked with [`precheck`], which fingerprinted an
/// asset image); creates its log group and grants the execution role what the container
/// needs. Returns the container's state.
pub(crate) fn build_container(
    app: &mut App,
    task_def: &dyn ExecutionRoleOwner,
    node: NodeId,
    name: String,
    opts: ContainerDefinitionOptions,
    asset: Option<CheckedAsset>,
) -> Result<ContainerState> {
    let image = match (&opts.image, asset) {
        (ContainerImage::Ecr { repository, tag }, _) => {
            let uri = repository.repository_uri_for_tag(tag).into();
            let role = task_def.execution_role(app)?;
            repository.grant_pull(app, &role)?;
            uri
        }
        (ContainerImage::Registry(n), _) => Value::from(n.as_str()),
        (ContainerImage::Uri(v), _) => v.clone(),
        (ContainerImage::Asset { .. }, Some(asset)) => add_asset_image(app, task_def, node, asset)?,
        (ContainerImage::Asset { directory, .. }, None) => {
            return Err(ConstructError::invalid(
                app.path(node),
                "image",
                format!(
                    "the image asset {} was not fingerprinted",
                    directory.display()
                ),
            ))
        }
    };
    // Secrets: every one needs a source; the execution role reads exactly those.
    let mut secrets = Vec::new();
    for (key, secret) in &opts.secrets {
        secrets.push(td::Secret {
            name: Some(key.clone().into()),
            value_from: Some(value_expr(secret.value_from())),
        });
    }
    if !opts.secrets.is_empty() {
        let role = task_def.execution_role(app)?;
        for secret in opts.secrets.values() {
            secret.grant_read(app, &role)?;
        }
    }
    // Logging.
    let log_configuration = match &opts.logging {
        None => None,
        Some(d) => Some(render_log_driver(app, task_def, node, d)?.container_l1()),
    };
    let strings = |v: &[String]| -> Option<Expr<Vec<Expr<String>>>> {
        (!v.is_empty()).then(|| Expr::Lit(v.iter().map(|s| s.clone().into()).collect()))
    };
    let rendered = td::ContainerDefinition {
        command: strings(&opts.command),
        cpu: opts.cpu.map(Into::into),
        entry_point: strings(&opts.entry_point),
        environment: (!opts.environment.is_empty()).then(|| {
            Expr::Lit(
                opts.environment
                    .iter()
                    .map(|(k, v)| td::KeyValuePair {
                        name: Some(k.clone().into()),
                        value: Some(value_expr(v.clone())),
                    })
                    .collect(),
            )
        }),
        essential: Some(opts.essential.into()),
        health_check: opts.health_check.as_ref().map(|h| render_health(h).into()),
        image: Some(value_expr(image)),
        log_configuration: log_configuration.map(Into::into),
        memory: opts.memory_limit_mib.map(Into::into),
        memory_reservation: opts.memory_reservation_mib.map(Into::into),
        mount_points: render_mount_points(&opts.mount_points),
        name: Some(name.clone().into()),
        readonly_root_filesystem: opts.readonly_root_filesystem.then(|| true.into()),
        secrets: (!secrets.is_empty()).then(|| Expr::Lit(secrets)),
        stop_timeout: opts.stop_timeout_secs.map(Into::into),
        ulimits: (!opts.ulimits.is_empty()).then(|| {
            Expr::Lit(
                opts.ulimits
                    .iter()
                    .map(|u| td::Ulimit {
                        hard_limit: Some(u.hard_limit.into()),
                        name: Some(u.name.into()),
                        soft_limit: Some(u.soft_limit.into()),
                    })
                    .collect(),
            )
        }),
        user: opts.user.clone().map(Into::into),
        working_directory: opts.working_directory.clone().map(Into::into),
        ..Default::default()
    };
    Ok(ContainerState {
        name,
        essential: opts.essential,
        port_mappings: opts.port_mappings,
        has_health_check: opts.health_check.is_some(),
        has_memory: opts.memory_limit_mib.is_some() || opts.memory_reservation_mib.is_some(),
        sizes: (opts.cpu, opts.memory_limit_mib, opts.memory_reservation_mib),
        mount_points: opts.mount_points,
        dependencies: Vec::new(),
        rendered,
    })
}

/// Adds `<container>/AssetImage` (with the imported asset repository under it),
/// registers the asset on the stack, grants the execution role pull on the repository
/// and returns the image URI.
pub(crate) fn add_asset_image(
    app: &mut App,
    task_def: &dyn ExecutionRoleOwner,
    container: NodeId,
    asset: CheckedAsset,
) -> Result<Value> {
    let node = app.add_construct(
        container,
        "AssetImage",
        AssetImageState {
            hash: asset.hash.clone(),
        },
    )?;
    let stack = crate::app::Stack::of(app, node).ok_or_else(|| {
        ConstructError::invalid(
            app.path(container),
            "image",
            "an image asset must be inside a stack",
        )
    })?;
    let uri = Value::sub(
        format!(
            "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{DEFAULT_ASSET_REPOSITORY}:{}",
            asset.hash
        ),
        [],
    );
    let display_name = app.path(node);
    stack.add_docker_image_asset(
        app,
        DockerImageAssetSpec {
            hash: asset.hash,
            directory: asset.directory,
            options: asset.options,
            display_name,
        },
    );
    let repository =
        Repository::from_repository_name(app, node, "Repository", DEFAULT_ASSET_REPOSITORY)?;
    let role = task_def.execution_role(app)?;
    repository.grant_pull(app, &role)?;
    Ok(uri)
}

fn check_health(h: &HealthCheck) -> std::result::Result<(), (&'static str, String)> {
    if h.command.is_empty() || h.command.iter().all(|c| c == "CMD" || c == "CMD-SHELL") {
        return Err((
            "command",
            "a health check needs a command, e.g. [\"curl -f http://localhost/ || exit 1\"]".into(),
        ));
    }
    let range = |field: &'static str, v: Option<u32>, lo: u32, hi: u32| match v {
        Some(v) if !(lo..=hi).contains(&v) => {
            Err((field, format!("must be between {lo} and {hi}, got {v}")))
        }
        _ => Ok(()),
    };
    range("interval_secs", h.interval_secs, 5, 300)?;
    range("timeout_secs", h.timeout_secs, 2, 120)?;
    range("retries", h.retries, 1, 10)?;
    range("start_period_secs", h.start_period_secs, 0, 300)?;
    let (interval, timeout) = (h.interval_secs.unwrap_or(30), h.timeout_secs.unwrap_or(5));
    if timeout >= interval {
        return Err((
            "timeout_secs",
            format!("the timeout ({timeout} s) must be shorter than the interval ({interval} s)"),
        ));
    }
    Ok(())
}

fn render_health(h: &HealthCheck) -> td::HealthCheck {
    let mut command: Vec<Expr<String>> = Vec::new();
    if h.command[0] != "CMD" && h.command[0] != "CMD-SHELL" {
        command.push("CMD-SHELL".into());
    }
    command.extend(h.command.iter().map(|c| Expr::Lit(c.clone())));
    td::HealthCheck {
        command: Some(Expr::Lit(command)),
        interval: Some(h.interval_secs.unwrap_or(30).into()),
        retries: Some(h.retries.unwrap_or(3).into()),
        start_period: h.start_period_secs.map(Into::into),
        timeout: Some(h.timeout_secs.unwrap_or(5).into()),
    }
}

/// Renders the port mappings of a container for a network mode.
pub(crate) fn render_ports(
    ports: &[PortMapping],
    bridge: bool,
) -> Option<Expr<Vec<td::PortMapping>>> {
    (!ports.is_empty()).then(|| {
        Expr::Lit(
            ports
                .iter()
                .map(|p| td::PortMapping {
                    app_protocol: p.app_protocol.map(Into::into),
                    container_port: Some(i64::from(p.container_port).into()),
                    host_port: match (p.host_port, bridge) {
                        (Some(h), _) => Some(i64::from(h).into()),
                        (None, true) => Some(0u32.into()),
                        (None, false) => None,
                    },
                    name: p.name.clone().map(Into::into),
                    protocol: Some(
                        match p.protocol {
                            PortProtocol::Tcp => td::Protocol::Tcp,
                            PortProtocol::Udp => td::Protocol::Udp,
                        }
                        .into(),
                    ),
                    container_port_range: None,
                })
                .collect(),
        )
    })
}

/// Describes a port for messages: `8080/tcp`.
pub(crate) fn port_label(p: &PortMapping) -> String {
    format!("{}/{}", p.container_port, p.protocol.as_str())
}

pub(crate) fn dependency_l1(
    name: String,
    condition: ContainerDependencyCondition,
) -> td::ContainerDependency {
    td::ContainerDependency {
        condition: Some(condition.l1().into()),
        container_name: Some(name.into()),
    }
}

/// Statements the ECS Exec agent needs in the task role.
pub(crate) fn exec_statement() -> PolicyStatement {
    PolicyStatement::allow()
        .actions([
            "ssmmessages:CreateControlChannel",
            "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel",
            "ssmmessages:OpenDataChannel",
        ])
        .resource("*")
}
