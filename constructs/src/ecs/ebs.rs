//! Amazon EBS volumes configured at launch: a task definition declares the volume
//! ([`Volume::configured_at_launch`]), a container mounts it, and each service that
//! runs the task says what the volume is ([`ServiceManagedEbsVolume`], with
//! [`BaseService::add_volume`]); ECS then creates, attaches and deletes one volume per
//! task, with the service's infrastructure role (`EBSRole`, CDK's id).

use super::service::BaseService;
use super::task_definition::{TaskDefinition, Volume, VolumeSource};
use crate::app::{App, Scope};
use crate::error::{ConstructError, Result};
use crate::iam::{value_expr, ManagedPolicy, Principal, Role, RoleProps};
use crate::kms::Key;
use berth_synth::cfn::ecs::service as sv;
use berth_synth::{Expr, Value};
use indexmap::IndexMap;

/// The AWS managed policy ECS documents for the infrastructure role of EBS volumes
/// (create, attach, detach and delete the volumes it tags).
pub const EBS_INFRASTRUCTURE_POLICY: &str =
    "service-role/AmazonECSInfrastructureRolePolicyForVolumes";

/// What `kms:` actions the infrastructure role needs on a customer managed key to
/// create encrypted volumes (the EBS permissions for a customer managed key).
const EBS_KMS_ACTIONS: [&str; 5] = [
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncrypt*",
];

/// An EBS volume type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum EbsVolumeType {
    /// General Purpose SSD, IOPS from size (`gp2`).
    Gp2,
    /// General Purpose SSD with provisioned IOPS and throughput (`gp3`).
    #[default]
    Gp3,
    /// Provisioned IOPS SSD (`io1`).
    Io1,
    /// Provisioned IOPS SSD (`io2`).
    Io2,
    /// Throughput-optimized HDD (`st1`).
    St1,
    /// Cold HDD (`sc1`).
    Sc1,
    /// Magnetic (`standard`; not on Fargate).
    Standard,
}

impl EbsVolumeType {
    /// The name EBS uses: `gp3`, `io2`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            EbsVolumeType::Gp2 => "gp2",
            EbsVolumeType::Gp3 => "gp3",
            EbsVolumeType::Io1 => "io1",
            EbsVolumeType::Io2 => "io2",
            EbsVolumeType::St1 => "st1",
            EbsVolumeType::Sc1 => "sc1",
            EbsVolumeType::Standard => "standard",
        }
    }

    /// The sizes EBS accepts, in GiB.
    fn size_range(self) -> (u32, u32) {
        match self {
            EbsVolumeType::Gp2 => (1, 16_384),
            EbsVolumeType::Gp3 => (1, 65_536),
            EbsVolumeType::Io1 => (4, 16_384),
            EbsVolumeType::Io2 => (4, 65_536),
            EbsVolumeType::St1 | EbsVolumeType::Sc1 => (125, 16_384),
            EbsVolumeType::Standard => (1, 1_024),
        }
    }

    /// The provisioned IOPS EBS accepts (`None`: the type takes none).
    fn iops_range(self) -> Option<(u32, u32)> {
        match self {
            EbsVolumeType::Gp3 => Some((3_000, 80_000)),
            EbsVolumeType::Io1 => Some((100, 64_000)),
            EbsVolumeType::Io2 => Some((100, 256_000)),
            _ => None,
        }
    }
}

/// The file system ECS makes on a new volume.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileSystemType {
    /// `ext3`.
    Ext3,
    /// `ext4`.
    Ext4,
    /// `xfs` (ECS's default).
    Xfs,
    /// `ntfs` (Windows tasks).
    Ntfs,
}

/// Whose tags ECS copies to the volumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EbsTagSource {
    /// The service's tags.
    Service,
    /// The task definition's tags.
    TaskDefinition,
}

props! {
    /// The EBS volume a service attaches to each of its tasks for a task definition
    /// volume configured at launch (CDK's `ServiceManagedVolume`). Give `size_gib` or
    /// `snapshot_id` (or both: a size at least the snapshot's). Checked when added:
    /// the size, IOPS and throughput ranges of the volume type, IOPS required for
    /// `io1`/`io2` and refused for `gp2`/`st1`/`sc1`/`standard`, throughput for `gp3`
    /// only, an initialization rate only from a snapshot, a KMS key only when
    /// encrypted.
    #[derive(Clone, Debug, PartialEq)]
    pub struct ServiceManagedEbsVolume {
        /// The task definition volume's name. Required.
        pub name: String,
        /// The size in GiB. Required unless `snapshot_id` is given.
        pub size_gib: Option<u32>,
        /// A snapshot to create the volumes from (`snap-...`, or a token). Default:
        /// none (empty volumes).
        pub snapshot_id: Option<Value>,
        /// The volume type. Default: [`EbsVolumeType::Gp3`] (rendered).
        pub volume_type: EbsVolumeType,
        /// Provisioned IOPS: `gp3` 3000–80000, `io1` 100–64000, `io2` 100–256000
        /// (required for `io1` and `io2`). Default: not rendered (`gp3`: 3000).
        pub iops: Option<u32>,
        /// Provisioned throughput in MiB/s, `gp3` only, 125–2000. Default: not
        /// rendered (125).
        pub throughput_mibps: Option<u32>,
        /// How fast volumes created from the snapshot are initialized, 100–300 MiB/s
        /// (with `snapshot_id` only). Default: not rendered.
        pub initialization_rate_mibps: Option<u32>,
        /// Encrypt the volumes. Default: true.
        pub encrypted: bool,
        /// The KMS key that encrypts them; the infrastructure role is granted what
        /// EBS needs on it. Default: none (the account's EBS default key).
        pub kms_key: Option<Key>,
        /// The file system. Default: not rendered (`xfs`).
        pub file_system_type: Option<FileSystemType>,
        /// Tags of the volumes. Default: none.
        pub tags: IndexMap<String, String>,
        /// Also copy the service's or the task definition's tags to the volumes.
        /// Default: none.
        pub propagate_tags: Option<EbsTagSource>,
        /// The infrastructure role ECS uses for the volumes. Default: the service's
        /// `EBSRole` (created on first use, trusting `ecs.amazonaws.com`, with
        /// [`EBS_INFRASTRUCTURE_POLICY`]).
        pub role: Option<Role>,
    }
}

impl ServiceManagedEbsVolume {
    /// The volume named `name` (the task definition's), encrypted, `gp3`, with
    /// nothing else set (give a size or a snapshot).
    pub fn new(name: impl Into<String>) -> Self {
        ServiceManagedEbsVolume {
            name: name.into(),
            size_gib: None,
            snapshot_id: None,
            volume_type: EbsVolumeType::Gp3,
            iops: None,
            throughput_mibps: None,
            initialization_rate_mibps: None,
            encrypted: true,
            kms_key: None,
            file_system_type: None,
            tags: IndexMap::new(),
            propagate_tags: None,
            role: None,
        }
    }

    /// The checks of the type doc, as an error at `path` naming the field.
    fn check(&self, path: &str) -> Result<()> {
        let bad = |field: &str, msg: String| {
            ConstructError::invalid(path, format!("volumes.{}.{field}", self.name), msg)
        };
        let t = self.volume_type;
        if self.size_gib.is_none() && self.snapshot_id.is_none() {
            return Err(bad(
                "size_gib",
                "give the volume a size (size_gib) or a snapshot to create it from (snapshot_id)"
                    .into(),
            ));
        }
        if let Some(size) = self.size_gib {
            let (lo, hi) = t.size_range();
            if !(lo..=hi).contains(&size) {
                return Err(bad(
                    "size_gib",
                    format!("{} volumes are {lo} to {hi} GiB, got {size}", t.as_str()),
                ));
            }
        }
        if let Some(Value::String(s)) = &self.snapshot_id {
            let ok = s
                .strip_prefix("snap-")
                .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()));
            if !ok {
                return Err(bad(
                    "snapshot_id",
                    format!("expected a snapshot id like snap-0123456789abcdef0, got \"{s}\""),
                ));
            }
        }
        match (t.iops_range(), self.iops) {
            (None, Some(i)) => {
                return Err(bad(
                    "iops",
                    format!(
                        "{} volumes take no provisioned IOPS (got {i}); use gp3, io1 or io2",
                        t.as_str()
                    ),
                ))
            }
            (Some(_), None) if matches!(t, EbsVolumeType::Io1 | EbsVolumeType::Io2) => {
                return Err(bad(
                    "iops",
                    format!("{} volumes need provisioned IOPS (iops)", t.as_str()),
                ))
            }
            (Some((lo, hi)), Some(i)) if !(lo..=hi).contains(&i) => {
                return Err(bad(
                    "iops",
                    format!("{} volumes take {lo} to {hi} IOPS, got {i}", t.as_str()),
                ))
            }
            _ => {}
        }
        if let Some(tp) = self.throughput_mibps {
            if t != EbsVolumeType::Gp3 {
                return Err(bad(
                    "throughput_mibps",
                    format!(
                        "only gp3 volumes take a provisioned throughput, this one is {}",
                        t.as_str()
                    ),
                ));
            }
            if !(125..=2_000).contains(&tp) {
                return Err(bad(
                    "throughput_mibps",
                    format!("gp3 volumes take 125 to 2000 MiB/s, got {tp}"),
                ));
            }
        }
        if let Some(r) = self.initialization_rate_mibps {
            if self.snapshot_id.is_none() {
                return Err(bad(
                    "initialization_rate_mibps",
                    "an initialization rate applies to volumes created from a snapshot: give snapshot_id".into(),
                ));
            }
            if !(100..=300).contains(&r) {
                return Err(bad(
                    "initialization_rate_mibps",
                    format!("the initialization rate is 100 to 300 MiB/s, got {r}"),
                ));
            }
        }
        if self.kms_key.is_some() && !self.encrypted {
            return Err(bad(
                "kms_key",
                "a KMS key encrypts the volume: leave encrypted at true, or drop the key".into(),
            ));
        }
        Ok(())
    }

    fn l1(&self, role: &Role) -> sv::ServiceVolumeConfiguration {
        let mut tag_specifications = Vec::new();
        if !self.tags.is_empty() || self.propagate_tags.is_some() {
            tag_specifications.push(sv::EbsTagSpecification {
                propagate_tags: self.propagate_tags.map(|p| {
                    match p {
                        EbsTagSource::Service => sv::EbsTagSpecificationPropagateTags::Service,
                        EbsTagSource::TaskDefinition => {
                            sv::EbsTagSpecificationPropagateTags::TaskDefinition
                        }
                    }
                    .into()
                }),
                resource_type: Some(sv::ResourceType::Volume.into()),
                tags: (!self.tags.is_empty()).then(|| {
                    Expr::Lit(
                        self.tags
                            .iter()
                            .map(|(k, v)| sv::Tag {
                                key: Some(k.clone().into()),
                                value: Some(v.clone().into()),
                            })
                            .collect(),
                    )
                }),
            });
        }
        sv::ServiceVolumeConfiguration {
            managed_ebs_volume: Some(
                sv::ServiceManagedEbsVolumeConfiguration {
                    encrypted: Some(self.encrypted.into()),
                    filesystem_type: self.file_system_type.map(|f| {
                        match f {
                            FileSystemType::Ext3 => sv::FilesystemType::Ext3,
                            FileSystemType::Ext4 => sv::FilesystemType::Ext4,
                            FileSystemType::Xfs => sv::FilesystemType::Xfs,
                            FileSystemType::Ntfs => sv::FilesystemType::Ntfs,
                        }
                        .into()
                    }),
                    iops: self.iops.map(Into::into),
                    kms_key_id: self.kms_key.map(|k| k.key_arn().into()),
                    role_arn: Some(role.role_arn().into()),
                    size_in_gib: self.size_gib.map(Into::into),
                    snapshot_id: self.snapshot_id.clone().map(value_expr),
                    tag_specifications: (!tag_specifications.is_empty())
                        .then(|| Expr::Lit(tag_specifications)),
                    throughput: self.throughput_mibps.map(Into::into),
                    volume_initialization_rate: self.initialization_rate_mibps.map(Into::into),
                    volume_type: Some(self.volume_type.as_str().into()),
                }
                .into(),
            ),
            name: Some(self.name.clone().into()),
        }
    }
}

/// The names of the task definition's volumes configured at launch.
pub(super) fn launch_volumes(app: &App, task: TaskDefinition) -> Vec<String> {
    task.volumes(app)
        .into_iter()
        .filter(|v: &Volume| matches!(v.source, VolumeSource::ConfiguredAtLaunch))
        .map(|v| v.name)
        .collect()
}

impl BaseService {
    /// Configures the task definition's volume configured at launch
    /// ([`Volume::configured_at_launch`]) as an EBS volume per task
    /// (`VolumeConfigurations`). Checked here: the task definition has a volume
    /// configured at launch of that name, the service configures it once, and the
    /// rules of [`ServiceManagedEbsVolume`]; a volume configured at launch that the
    /// service does not configure is an error at synth (`BERTH-E0311`).
    ///
    /// ```
    /// use berth_constructs::ecs::*;
    /// use berth_constructs::kms::{Key, KeyProps};
    /// use berth_constructs::{App, Stack, StackProps};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut app = App::new();
    /// let stack = Stack::new(&mut app, "Data", StackProps::default())?;
    /// let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps::default())?;
    /// let task = FargateTaskDefinition::new(&mut app, stack, "TaskDef", FargateTaskDefinitionProps::default())?;
    /// task.add_volume(&mut app, Volume::configured_at_launch("data"))?;
    /// let image = ContainerImage::from_registry("public.ecr.aws/docker/library/postgres:17");
    /// let db = task.add_container(&mut app, "db", ContainerDefinitionOptions::new(image))?;
    /// db.add_mount_points(&mut app, [MountPoint::new("data", "/var/lib/postgresql/data")])?;
    /// let key = Key::new(&mut app, stack, "VolumeKey", KeyProps::default())?;
    /// let service = FargateService::new(&mut app, stack, "Service", FargateServiceProps::new(cluster, task))?;
    /// service.add_volume(&mut app, ServiceManagedEbsVolume::new("data")
    ///     .size_gib(100)
    ///     .iops(6000)
    ///     .throughput_mibps(250)
    ///     .kms_key(key)
    ///     .file_system_type(FileSystemType::Ext4)
    ///     .propagate_tags(EbsTagSource::Service))?;
    /// let out = app.synth()?;
    /// let res = &out.stacks[0].template["Resources"];
    /// let ebs = &res["ServiceD69D759B"]["Properties"]["VolumeConfigurations"][0]["ManagedEBSVolume"];
    /// assert_eq!((ebs["SizeInGiB"].as_i64(), ebs["VolumeType"].as_str()), (Some(100), Some("gp3")));
    /// let role_id = berth_synth::logical_id::make_unique_id(&["Service", "EBSRole", "Resource"]).unwrap();
    /// assert_eq!(ebs["RoleArn"]["Fn::GetAtt"][0], role_id.as_str());
    /// assert_eq!(res["TaskDef54694570"]["Properties"]["Volumes"][0]["ConfiguredAtLaunch"], true);
    /// # Ok(()) }
    /// ```
    pub fn add_volume(&self, app: &mut App, volume: ServiceManagedEbsVolume) -> Result<()> {
        let path = app.path(self.node());
        volume.check(&path)?;
        let task = self.task_definition();
        let names = launch_volumes(app, task);
        if !names.contains(&volume.name) {
            return Err(ConstructError::invalid(
                path,
                format!("volumes.{}", volume.name),
                format!(
                    "the task definition {} has no volume configured at launch named \"{}\" ({}); add Volume::configured_at_launch(\"{}\") to it",
                    app.path(task),
                    volume.name,
                    if names.is_empty() {
                        "it has none".to_string()
                    } else {
                        format!("it has \"{}\"", names.join("\", \""))
                    },
                    volume.name
                ),
            ));
        }
        let cfn = self.cfn();
        let mut list = match app.resource_mut(cfn).volume_configurations.take() {
            Some(Expr::Lit(l)) => l,
            _ => Vec::new(),
        };
        let configured = |c: &sv::ServiceVolumeConfiguration| matches!(&c.name, Some(Expr::Lit(n)) if *n == volume.name);
        if list.iter().any(configured) {
            app.resource_mut(cfn).volume_configurations = Some(Expr::Lit(list));
            return Err(ConstructError::invalid(
                path,
                format!("volumes.{}", volume.name),
                format!(
                    "the service configures the volume \"{}\" already; configure each volume once",
                    volume.name
                ),
            ));
        }
        // A task definition has one volume configured at launch, so a service makes
        // one `EBSRole` at most.
        let role = match volume.role {
            Some(r) => r,
            None => Role::new(
                app,
                self.node(),
                "EBSRole",
                RoleProps::new(Principal::service("ecs.amazonaws.com"))
                    .managed_policies([ManagedPolicy::aws_managed(EBS_INFRASTRUCTURE_POLICY)]),
            )?,
        };
        list.push(volume.l1(&role));
        app.resource_mut(cfn).volume_configurations = Some(Expr::Lit(list));
        if let Some(key) = volume.kms_key {
            key.grant(app, &role, EBS_KMS_ACTIONS)?;
            // ECS creates the first volumes as the service starts its tasks.
            if let Some(policy) = role.default_policy(app) {
                app.add_dependency(cfn, policy);
            }
        }
        Ok(())
    }
}

/// The check of a service (`BERTH-E0311`): every volume of its task definition
/// configured at launch has a configuration in the service.
pub(super) fn check_configured(
    app: &App,
    service: berth_synth::resource::ResourceRef<berth_synth::cfn::ecs::CfnService>,
    task: TaskDefinition,
    err: &dyn Fn(String) -> berth_synth::Diagnostic,
) -> Vec<berth_synth::Diagnostic> {
    let configured: Vec<String> = match &app.resource(service).volume_configurations {
        Some(Expr::Lit(list)) => list
            .iter()
            .filter_map(|c| match &c.name {
                Some(Expr::Lit(n)) => Some(n.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    launch_volumes(app, task)
        .into_iter()
        .filter(|n| !configured.contains(n))
        .map(|n| {
            err(format!(
                "the task definition {} has the volume \"{n}\" configured at launch, which this service does not configure; add it with service.add_volume(&mut app, ServiceManagedEbsVolume::new(\"{n}\").size_gib(..))",
                app.path(task)
            ))
            .with_property(format!("volumes.{n}"))
        })
        .collect()
}
