//! EFS: [`FileSystem`] (encrypted by default, lifecycle and archive transitions,
//! performance and throughput modes, a mount target in each selected subnet, its
//! security group as [`Connectable`] on port 2049, retained when it leaves the stack)
//! and [`AccessPoint`] (a POSIX user and a root directory created with an owner and
//! permissions).
//!
//! ECS tasks mount a file system through a volume: `Volume::efs("data", fs)` turns on
//! transit encryption and IAM authorization, grants the task role
//! `elasticfilesystem:ClientMount` (and `ClientWrite` unless the volume is read-only) on
//! the file system, and every service running the task may reach the file system on
//! 2049 and waits for its mount targets (see [`crate::ecs::EfsVolumeConfiguration`]).
//!
//! ```
//! use berth_constructs::ec2::{Vpc, VpcProps};
//! use berth_constructs::efs::{AccessPointOptions, Acl, FileSystem, FileSystemProps, LifecyclePolicy, PosixUser};
//! use berth_constructs::{App, Stack, StackProps};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut app = App::new();
//! let stack = Stack::new(&mut app, "Storage", StackProps::default())?;
//! let vpc = Vpc::new(&mut app, stack, "Vpc", VpcProps::default())?;
//! let fs = FileSystem::new(&mut app, stack, "Shared", FileSystemProps::new(vpc)
//!     .lifecycle_policy(LifecyclePolicy::After30Days))?;
//! fs.add_access_point(&mut app, "Uploads", AccessPointOptions::default()
//!     .path("/uploads")
//!     .create_acl(Acl::new(1000, 1000, "755"))
//!     .posix_user(PosixUser::new(1000, 1000)))?;
//! let out = app.synth()?;
//! let res = &out.stacks[0].template["Resources"];
//! let props = &res["SharedDACC02AA"]["Properties"];
//! assert_eq!(props["Encrypted"], true);
//! assert_eq!(props["LifecyclePolicies"][0]["TransitionToIA"], "AFTER_30_DAYS");
//! assert_eq!(res["SharedDACC02AA"]["DeletionPolicy"], "Retain");
//! let targets = res.as_object().unwrap().values()
//!     .filter(|r| r["Type"] == "AWS::EFS::MountTarget").count();
//! assert_eq!(targets, 2); // one per AZ, in the private subnets
//! # Ok(()) }
//! ```

use crate::app::{App, Construct, NodeId, Scope};
use crate::ec2::{
    Connectable, Connections, Port, SecurityGroup, SecurityGroupProps, SubnetSelection, Vpc,
};
use crate::error::{ConstructError, Result};
use crate::iam::{Grant, Grantable, PolicyDocument, PolicyStatement, Principal};
use crate::kms::Key;
use crate::RemovalPolicy;
use berth_synth::cfn::efs::{
    access_point as ap, file_system as cfs, CfnAccessPoint, CfnFileSystem, CfnMountTarget,
};
use berth_synth::resource::ResourceRef;
use berth_synth::{Diagnostic, Expr, Token, Value};
use std::any::Any;

#[cfg(test)]
mod tests;

/// The NFS port a file system listens on.
pub const DEFAULT_PORT: u16 = 2049;

/// After how many days without access a file moves to another storage class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LifecyclePolicy {
    /// 1 day.
    After1Day,
    /// 7 days.
    After7Days,
    /// 14 days.
    After14Days,
    /// 30 days.
    After30Days,
    /// 60 days.
    After60Days,
    /// 90 days.
    After90Days,
    /// 180 days.
    After180Days,
    /// 270 days.
    After270Days,
    /// 365 days.
    After365Days,
}

impl LifecyclePolicy {
    fn ia(self) -> cfs::TransitionToIa {
        use cfs::TransitionToIa as T;
        match self {
            Self::After1Day => T::After1Day,
            Self::After7Days => T::After7Days,
            Self::After14Days => T::After14Days,
            Self::After30Days => T::After30Days,
            Self::After60Days => T::After60Days,
            Self::After90Days => T::After90Days,
            Self::After180Days => T::After180Days,
            Self::After270Days => T::After270Days,
            Self::After365Days => T::After365Days,
        }
    }

    fn archive(self) -> cfs::TransitionToArchive {
        use cfs::TransitionToArchive as T;
        match self {
            Self::After1Day => T::After1Day,
            Self::After7Days => T::After7Days,
            Self::After14Days => T::After14Days,
            Self::After30Days => T::After30Days,
            Self::After60Days => T::After60Days,
            Self::After90Days => T::After90Days,
            Self::After180Days => T::After180Days,
            Self::After270Days => T::After270Days,
            Self::After365Days => T::After365Days,
        }
    }
}

/// When a file moves back from infrequent access to the primary storage class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutOfInfrequentAccessPolicy {
    /// On its first access.
    After1Access,
}

/// The performance mode (fixed at creation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PerformanceMode {
    /// General purpose: the lowest latency (EFS's default).
    GeneralPurpose,
    /// Max I/O: higher aggregate throughput, higher latency.
    MaxIo,
}

/// How throughput is provided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ThroughputMode {
    /// Scales with the amount stored (EFS's default).
    Bursting,
    /// A fixed throughput: give `provisioned_throughput_mibps`.
    Provisioned,
    /// Scales with the workload.
    Elastic,
}

props! {
    /// Options of a [`FileSystem`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct FileSystemProps {
        /// The VPC whose subnets get mount targets. Required.
        pub vpc: Vpc,
        /// Which subnets get a mount target. Default: the VPC's default selection (its
        /// private subnets), one per AZ.
        pub vpc_subnets: Option<SubnetSelection>,
        /// The security group of the mount targets. Default: a new one,
        /// `EfsSecurityGroup`, that allows all outbound traffic.
        pub security_group: Option<SecurityGroup>,
        /// Encrypt the data at rest. Default: true.
        pub encrypted: bool,
        /// The key that encrypts it. Default: the AWS managed key for EFS.
        pub kms_key: Option<Key>,
        /// The `Name` tag. Default: the construct path.
        pub file_system_name: Option<String>,
        /// Move files not accessed for this long to Infrequent Access. Default: none.
        pub lifecycle_policy: Option<LifecyclePolicy>,
        /// Move files back from Infrequent Access. Default: none.
        pub out_of_infrequent_access_policy: Option<OutOfInfrequentAccessPolicy>,
        /// Move files not accessed for this long to Archive. Default: none.
        pub transition_to_archive_policy: Option<LifecyclePolicy>,
        /// The performance mode (replaces the file system when changed). Default: not
        /// rendered (general purpose).
        pub performance_mode: Option<PerformanceMode>,
        /// The throughput mode. Default: not rendered (bursting).
        pub throughput_mode: Option<ThroughputMode>,
        /// MiB/s for [`ThroughputMode::Provisioned`] (at least 1). Default: none.
        pub provisioned_throughput_mibps: Option<f64>,
        /// Daily backups with AWS Backup. Default: false.
        pub enable_automatic_backups: bool,
        /// Let clients that do not authenticate with IAM mount and write. Default: false
        /// (a file system policy allows IAM-authenticated access through the mount
        /// targets only, as CDK's `denyAnonymousAccess`).
        pub allow_anonymous_access: bool,
        /// What happens to the file system when it leaves the stack. Default:
        /// [`RemovalPolicy::Retain`] (its data outlives the stack).
        pub removal_policy: Option<RemovalPolicy>,
    }
}

impl FileSystemProps {
    /// A file system in `vpc` with the defaults.
    pub fn new(vpc: Vpc) -> Self {
        FileSystemProps {
            vpc,
            vpc_subnets: None,
            security_group: None,
            encrypted: true,
            kms_key: None,
            file_system_name: None,
            lifecycle_policy: None,
            out_of_infrequent_access_policy: None,
            transition_to_archive_policy: None,
            performance_mode: None,
            throughput_mode: None,
            provisioned_throughput_mibps: None,
            enable_automatic_backups: false,
            allow_anonymous_access: false,
            removal_policy: None,
        }
    }
}

props! {
    /// Attributes of an existing file system, for [`FileSystem::from_attributes`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct FileSystemAttributes {
        /// The file system id (`fs-...`). Required.
        pub file_system_id: Value,
        /// The security group of its mount targets. Required.
        pub security_group: SecurityGroup,
        /// Its ARN. Default: built from the id, in the stack's account and region.
        pub file_system_arn: Option<Value>,
    }
}

const CLIENT_MOUNT: &str = "elasticfilesystem:ClientMount";
const CLIENT_WRITE: &str = "elasticfilesystem:ClientWrite";
const CLIENT_ROOT_ACCESS: &str = "elasticfilesystem:ClientRootAccess";

#[derive(Debug)]
struct FileSystemState {
    fqn: &'static str,
    resource: Option<ResourceRef<CfnFileSystem>>,
    mount_targets: Vec<ResourceRef<CfnMountTarget>>,
    document: PolicyDocument,
    allow_anonymous_access: bool,
}

impl Construct for FileSystemState {
    fn fqn(&self) -> &'static str {
        self.fqn
    }
    fn prepare(&mut self, app: &mut App, _node: NodeId) -> Result<()> {
        let Some(r) = self.resource else {
            return Ok(());
        };
        let mut doc = self.document.clone();
        if !self.allow_anonymous_access {
            doc.add_statement(
                PolicyStatement::allow()
                    .actions([CLIENT_WRITE, CLIENT_ROOT_ACCESS])
                    .condition("Bool", "elasticfilesystem:AccessedViaMountTarget", "true")
                    .principal(Principal::any()),
            );
        }
        if !doc.is_empty() {
            app.resource_mut(r).file_system_policy = Some(Expr::Lit(doc.to_value()));
        }
        Ok(())
    }
    fn validate(&self, app: &App, node: NodeId) -> Vec<Diagnostic> {
        crate::iam::resource_policy_problems(app, node, "FileSystemPolicy", &self.document)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// An EFS file system. Its L1 child is `Resource` (`AWS::EFS::FileSystem`), with
/// `EfsSecurityGroup` and one `EfsMountTarget-<subnet>` (`AWS::EFS::MountTarget`) per
/// subnet, as CDK names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileSystem {
    node: NodeId,
    resource: Option<ResourceRef<CfnFileSystem>>,
    security_group: SecurityGroup,
}

impl Scope for FileSystem {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl FileSystem {
    /// Creates a file system under `scope`, with its mount targets. Checked here: the
    /// throughput settings (provisioned needs a throughput, and only it takes one;
    /// elastic does not go with max I/O), a key only with encryption.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        props: FileSystemProps,
    ) -> Result<FileSystem> {
        let path = format!("{}/{id}", app.path(&scope));
        let bad = |p: &str, m: &str| ConstructError::invalid(path.clone(), p, m);
        match (props.throughput_mode, props.provisioned_throughput_mibps) {
            (Some(ThroughputMode::Provisioned), None) => {
                return Err(bad(
                    "provisioned_throughput_mibps",
                    "provisioned throughput mode needs provisioned_throughput_mibps",
                ))
            }
            (Some(ThroughputMode::Provisioned), Some(t)) if t.is_nan() || t < 1.0 => {
                return Err(ConstructError::invalid(
                    path,
                    "provisioned_throughput_mibps",
                    format!("the provisioned throughput must be at least 1 MiB/s, got {t}"),
                ))
            }
            (Some(ThroughputMode::Provisioned), Some(_)) => {}
            (_, Some(_)) => {
                return Err(bad(
                    "provisioned_throughput_mibps",
                    "a provisioned throughput needs throughput_mode Provisioned",
                ))
            }
            _ => {}
        }
        if props.throughput_mode == Some(ThroughputMode::Elastic)
            && props.performance_mode == Some(PerformanceMode::MaxIo)
        {
            return Err(bad(
                "throughput_mode",
                "elastic throughput does not work with the max I/O performance mode; use general purpose",
            ));
        }
        if props.kms_key.is_some() && !props.encrypted {
            return Err(bad("kms_key", "a KMS key needs encrypted = true"));
        }
        let mut lifecycle = Vec::new();
        if let Some(p) = props.lifecycle_policy {
            lifecycle.push(cfs::LifecyclePolicy {
                transition_to_ia: Some(p.ia().into()),
                ..Default::default()
            });
        }
        if let Some(OutOfInfrequentAccessPolicy::After1Access) =
            props.out_of_infrequent_access_policy
        {
            lifecycle.push(cfs::LifecyclePolicy {
                transition_to_primary_storage_class: Some(
                    cfs::TransitionToPrimaryStorageClass::After1Access.into(),
                ),
                ..Default::default()
            });
        }
        if let Some(p) = props.transition_to_archive_policy {
            lifecycle.push(cfs::LifecyclePolicy {
                transition_to_archive: Some(p.archive().into()),
                ..Default::default()
            });
        }
        let cfn = CfnFileSystem {
            backup_policy: props.enable_automatic_backups.then(|| {
                cfs::BackupPolicy {
                    status: Some(cfs::Status::Enabled.into()),
                }
                .into()
            }),
            encrypted: Some(props.encrypted.into()),
            kms_key_id: props.kms_key.map(|k| k.key_arn().into()),
            lifecycle_policies: (!lifecycle.is_empty()).then(|| Expr::Lit(lifecycle)),
            performance_mode: props.performance_mode.map(|m| {
                match m {
                    PerformanceMode::GeneralPurpose => cfs::PerformanceMode::GeneralPurpose,
                    PerformanceMode::MaxIo => cfs::PerformanceMode::MaxIo,
                }
                .into()
            }),
            provisioned_throughput_in_mibps: props.provisioned_throughput_mibps.map(Into::into),
            throughput_mode: props.throughput_mode.map(|m| {
                match m {
                    ThroughputMode::Bursting => cfs::ThroughputMode::Bursting,
                    ThroughputMode::Provisioned => cfs::ThroughputMode::Provisioned,
                    ThroughputMode::Elastic => cfs::ThroughputMode::Elastic,
                }
                .into()
            }),
            ..Default::default()
        };
        let selection = props
            .vpc_subnets
            .clone()
            .unwrap_or_else(|| SubnetSelection::default().one_per_az(true));
        let subnets = props.vpc.select_subnets(app, &selection)?;
        let node = app.add_construct(
            scope,
            id,
            FileSystemState {
                fqn: "berth.efs.FileSystem",
                resource: None,
                mount_targets: Vec::new(),
                document: PolicyDocument::default(),
                allow_anonymous_access: props.allow_anonymous_access,
            },
        )?;
        let resource = app.add_resource(node, "Resource", cfn)?;
        app.apply_removal_policy(
            resource,
            props.removal_policy.unwrap_or(RemovalPolicy::Retain),
        )?;
        let name = props
            .file_system_name
            .clone()
            .unwrap_or_else(|| app.path(node));
        app.add_tag(node, "Name", &name);
        let security_group = match props.security_group {
            Some(sg) => sg,
            None => SecurityGroup::new(
                app,
                node,
                "EfsSecurityGroup",
                &props.vpc,
                SecurityGroupProps::default(),
            )?,
        };
        let mut mount_targets = Vec::new();
        for (subnet_id, subnet) in subnets.subnet_ids.iter().zip(&subnets.subnet_names) {
            mount_targets.push(app.add_resource(
                node,
                &format!("EfsMountTarget-{subnet}"),
                CfnMountTarget {
                    file_system_id: Some(resource.ref_().into()),
                    security_groups: Some(Expr::Lit(vec![
                        security_group.security_group_id().into(),
                    ])),
                    subnet_id: Some(crate::iam::value_expr(subnet_id.clone())),
                    ..Default::default()
                },
            )?);
        }
        if let Some(s) = app.construct_mut::<FileSystemState>(node) {
            s.resource = Some(resource);
            s.mount_targets = mount_targets;
        }
        Ok(FileSystem {
            node,
            resource: Some(resource),
            security_group,
        })
    }

    /// An existing file system. berth never changes it: grants go to the grantee's
    /// identity policy, and its mount targets are assumed to exist.
    pub fn from_attributes(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        attrs: FileSystemAttributes,
    ) -> Result<FileSystem> {
        let arn = attrs.file_system_arn.unwrap_or_else(|| {
            crate::iam::join([
                Value::from("arn:"),
                berth_synth::Pseudo::Partition.token().into(),
                Value::from(":elasticfilesystem:"),
                berth_synth::Pseudo::Region.token().into(),
                Value::from(":"),
                berth_synth::Pseudo::AccountId.token().into(),
                Value::from(":file-system/"),
                attrs.file_system_id.clone(),
            ])
        });
        let node = app.add_construct(
            scope,
            id,
            FileSystemState {
                fqn: "berth.efs.ImportedFileSystem",
                resource: None,
                mount_targets: Vec::new(),
                document: PolicyDocument::default(),
                allow_anonymous_access: true,
            },
        )?;
        app.set_attribute(node, "FileSystemId", attrs.file_system_id);
        app.set_attribute(node, "Arn", arn);
        Ok(FileSystem {
            node,
            resource: None,
            security_group: attrs.security_group,
        })
    }

    fn state<'a>(&self, app: &'a App) -> &'a FileSystemState {
        app.construct::<FileSystemState>(self.node)
            .expect("a FileSystem handle points at a file system")
    }

    /// The file system's id (`Ref`, `fs-...`).
    pub fn file_system_id(&self) -> Token<String> {
        match self.resource {
            Some(r) => r.ref_(),
            None => Token::get_att(self.node, "FileSystemId"),
        }
    }

    /// The file system's ARN.
    pub fn file_system_arn(&self) -> Token<String> {
        match self.resource {
            Some(r) => r.attr_arn(),
            None => Token::get_att(self.node, "Arn"),
        }
    }

    /// The security group of the mount targets.
    pub fn security_group(&self) -> SecurityGroup {
        self.security_group
    }

    /// The mount targets (none for an imported file system): what a client waits for
    /// before it mounts.
    pub fn mount_targets(&self, app: &App) -> Vec<ResourceRef<CfnMountTarget>> {
        self.state(app).mount_targets.clone()
    }

    /// Whether clients must authenticate with IAM (the file system policy allows
    /// nothing to anonymous clients): true for a file system berth owns unless
    /// `allow_anonymous_access` is set.
    pub fn denies_anonymous_access(&self, app: &App) -> bool {
        self.resource.is_some() && !self.state(app).allow_anonymous_access
    }

    /// The L1 file system, for escape hatches (`None` when imported).
    pub fn cfn(&self) -> Option<ResourceRef<CfnFileSystem>> {
        self.resource
    }

    /// Changes what happens to the file system when it leaves the stack (`false` when
    /// imported).
    pub fn apply_removal_policy(&self, app: &mut App, policy: RemovalPolicy) -> Result<bool> {
        match self.resource {
            Some(r) => app.apply_removal_policy(r, policy).map(|_| true),
            None => Ok(false),
        }
    }

    /// Adds a statement to the file system policy (checked at synth: it needs an action
    /// and a principal). `false` for an imported file system.
    pub fn add_to_resource_policy(
        &self,
        app: &mut App,
        statement: PolicyStatement,
    ) -> Result<bool> {
        if self.resource.is_none() {
            return Ok(false);
        }
        if app.is_prepared() {
            return Err(ConstructError::invalid(
                app.path(self.node),
                "file_system_policy",
                "the file system policy is rendered at synth; add statements before",
            ));
        }
        match app.construct_mut::<FileSystemState>(self.node) {
            Some(s) => {
                s.document.add_statement(statement);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Creates an access point under the file system.
    pub fn add_access_point(
        &self,
        app: &mut App,
        id: &str,
        options: AccessPointOptions,
    ) -> Result<AccessPoint> {
        AccessPoint::new(app, self.node, id, AccessPointProps::new(*self, options))
    }

    /// Grants `actions` on the file system to `grantee` (no condition).
    pub fn grant<A: Into<String>>(
        &self,
        app: &mut App,
        grantee: &(impl Grantable + ?Sized),
        actions: impl IntoIterator<Item = A>,
    ) -> Result<Grant> {
        Grant::add_to_principal(app, grantee, actions, [self.file_system_arn()])
    }

    fn grant_client(
        &self,
        app: &mut App,
        grantee: &(impl Grantable + ?Sized),
        actions: &[&str],
    ) -> Result<Grant> {
        Grant::add_statement_to_principal(
            app,
            grantee,
            PolicyStatement::allow()
                .actions(actions.iter().copied())
                .condition("Bool", "elasticfilesystem:AccessedViaMountTarget", "true")
                .resource(self.file_system_arn()),
        )
    }

    /// Lets `grantee` mount the file system read-only: `elasticfilesystem:ClientMount`
    /// through a mount target.
    pub fn grant_read(&self, app: &mut App, grantee: &(impl Grantable + ?Sized)) -> Result<Grant> {
        self.grant_client(app, grantee, &[CLIENT_MOUNT])
    }

    /// Lets `grantee` mount and write: `ClientMount` and `ClientWrite` through a mount
    /// target.
    pub fn grant_read_write(
        &self,
        app: &mut App,
        grantee: &(impl Grantable + ?Sized),
    ) -> Result<Grant> {
        self.grant_client(app, grantee, &[CLIENT_MOUNT, CLIENT_WRITE])
    }

    /// Lets `grantee` mount and write as root: `ClientMount`, `ClientWrite` and
    /// `ClientRootAccess` through a mount target.
    pub fn grant_root_access(
        &self,
        app: &mut App,
        grantee: &(impl Grantable + ?Sized),
    ) -> Result<Grant> {
        self.grant_client(
            app,
            grantee,
            &[CLIENT_MOUNT, CLIENT_WRITE, CLIENT_ROOT_ACCESS],
        )
    }
}

impl Connectable for FileSystem {
    /// The mount targets' security group, default port 2049.
    fn connections(&self, _app: &App) -> Connections {
        Connections::new(vec![self.security_group]).with_default_port(Port::tcp(DEFAULT_PORT))
    }
}

props! {
    /// The owner and permissions EFS gives an access point's root directory when it
    /// creates it.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Acl {
        /// The owner's POSIX user id. Required.
        pub owner_uid: u32,
        /// The owner's POSIX group id. Required.
        pub owner_gid: u32,
        /// The permissions as an octal mode, e.g. `755`. Required.
        pub permissions: String,
    }
}

impl Acl {
    /// Owner `uid:gid` with octal `permissions` (`"755"`).
    pub fn new(owner_uid: u32, owner_gid: u32, permissions: impl Into<String>) -> Self {
        Acl {
            owner_uid,
            owner_gid,
            permissions: permissions.into(),
        }
    }
}

props! {
    /// The POSIX identity every operation through an access point uses.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct PosixUser {
        /// The user id. Required.
        pub uid: u32,
        /// The group id. Required.
        pub gid: u32,
        /// More group ids. Default: none.
        pub secondary_gids: Vec<u32>,
    }
}

impl PosixUser {
    /// The identity `uid:gid`.
    pub fn new(uid: u32, gid: u32) -> Self {
        PosixUser {
            uid,
            gid,
            secondary_gids: Vec::new(),
        }
    }
}

props! {
    /// Options of an [`AccessPoint`] made by [`FileSystem::add_access_point`].
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct AccessPointOptions {
        /// The directory clients see as `/`. Default: not rendered (`/`).
        pub path: Option<String>,
        /// Create the directory with this owner and permissions when it does not exist.
        /// Default: none (the directory must exist).
        pub create_acl: Option<Acl>,
        /// Enforce this POSIX identity. Default: none (the client's).
        pub posix_user: Option<PosixUser>,
    }
}

props! {
    /// Options of an [`AccessPoint`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct AccessPointProps {
        /// The file system. Required.
        pub file_system: FileSystem,
        /// The directory clients see as `/`. Default: not rendered (`/`).
        pub path: Option<String>,
        /// Create the directory with this owner and permissions. Default: none.
        pub create_acl: Option<Acl>,
        /// Enforce this POSIX identity. Default: none.
        pub posix_user: Option<PosixUser>,
    }
}

impl AccessPointProps {
    /// An access point of `file_system` with `options`.
    pub fn new(file_system: FileSystem, options: AccessPointOptions) -> Self {
        AccessPointProps {
            file_system,
            path: options.path,
            create_acl: options.create_acl,
            posix_user: options.posix_user,
        }
    }
}

/// An EFS access point. Its L1 child is `Resource` (`AWS::EFS::AccessPoint`); it is
/// tagged `Name` with its path, as in CDK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccessPoint {
    node: NodeId,
    resource: ResourceRef<CfnAccessPoint>,
    file_system: FileSystem,
}

impl Scope for AccessPoint {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl AccessPoint {
    /// Creates an access point under `scope`. Checked here: the path (absolute, at most
    /// 4 directories and 100 characters, none starting with a dot), the octal permissions, at most 16 secondary groups.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        props: AccessPointProps,
    ) -> Result<AccessPoint> {
        let path = format!("{}/{id}", app.path(&scope));
        let bad = |p: &str, m: String| ConstructError::invalid(path.clone(), p, m);
        if let Some(p) = &props.path {
            let parts: Vec<&str> = p.split('/').skip(1).filter(|c| !c.is_empty()).collect();
            if !p.starts_with('/')
                || p.len() > 100
                || parts.len() > 4
                || parts.iter().any(|c| c.starts_with('.'))
            {
                return Err(bad(
                    "path",
                    format!("the root directory must be an absolute path of at most 4 directories and 100 characters, none starting with a dot, got \"{p}\""),
                ));
            }
        }
        if let Some(acl) = &props.create_acl {
            let ok = (3..=4).contains(&acl.permissions.len())
                && acl.permissions.chars().all(|c| ('0'..='7').contains(&c));
            if !ok {
                return Err(bad(
                    "create_acl.permissions",
                    format!(
                        "permissions are an octal mode of 3 or 4 digits (e.g. 755), got \"{}\"",
                        acl.permissions
                    ),
                ));
            }
        }
        if let Some(u) = &props.posix_user {
            if u.secondary_gids.len() > 16 {
                return Err(bad(
                    "posix_user.secondary_gids",
                    format!(
                        "at most 16 secondary groups, got {}",
                        u.secondary_gids.len()
                    ),
                ));
            }
        }
        let cfn = CfnAccessPoint {
            file_system_id: Some(props.file_system.file_system_id().into()),
            posix_user: props.posix_user.as_ref().map(|u| {
                ap::PosixUser {
                    gid: Some(u.gid.to_string().into()),
                    secondary_gids: (!u.secondary_gids.is_empty()).then(|| {
                        Expr::Lit(
                            u.secondary_gids
                                .iter()
                                .map(|g| g.to_string().into())
                                .collect(),
                        )
                    }),
                    uid: Some(u.uid.to_string().into()),
                }
                .into()
            }),
            root_directory: Some(
                ap::RootDirectory {
                    creation_info: props.create_acl.as_ref().map(|a| {
                        ap::CreationInfo {
                            owner_gid: Some(a.owner_gid.to_string().into()),
                            owner_uid: Some(a.owner_uid.to_string().into()),
                            permissions: Some(a.permissions.clone().into()),
                        }
                        .into()
                    }),
                    path: props.path.clone().map(Into::into),
                }
                .into(),
            ),
            ..Default::default()
        };
        let node = app.add_construct(
            scope,
            id,
            crate::iam::Attributes::new("berth.efs.AccessPoint"),
        )?;
        let resource = app.add_resource(node, "Resource", cfn)?;
        let name = app.path(node);
        app.add_tag(node, "Name", &name);
        Ok(AccessPoint {
            node,
            resource,
            file_system: props.file_system,
        })
    }

    /// The access point's id (`Ref`, `fsap-...`).
    pub fn access_point_id(&self) -> Token<String> {
        self.resource.ref_()
    }

    /// The access point's ARN.
    pub fn access_point_arn(&self) -> Token<String> {
        self.resource.attr_arn()
    }

    /// Its file system.
    pub fn file_system(&self) -> FileSystem {
        self.file_system
    }

    /// The L1 access point, for escape hatches.
    pub fn cfn(&self) -> ResourceRef<CfnAccessPoint> {
        self.resource
    }
}
