//! ECS: [`Cluster`] (Fargate capacity providers, EC2 capacity with an Auto Scaling
//! group and a capacity provider), task definitions ([`FargateTaskDefinition`],
//! [`Ec2TaskDefinition`]), containers ([`ContainerDefinition`]: images, ports,
//! secrets, logs, health checks, start order) and services ([`FargateService`],
//! [`Ec2Service`]; Service Connect with [`BaseService::enable_service_connect`]), with
//! CDK's construct ids so logical IDs match.
//!
//! The execution role of a task gets exactly what its containers use: pull on the ECR
//! repositories of their images (for images built from a directory,
//! [`ContainerImage::from_asset`], the asset repository `berth bootstrap` creates),
//! write on their log groups, read on their secrets.
//! The task role gets nothing unless asked (ECS Exec, grants, an EFS volume of a berth
//! file system: `ClientMount`, and `ClientWrite` unless read-only).
//!
//! Problems found at synth (construction-time checks return a [`crate::ConstructError`]):
//!
//! | code | construct | problem |
//! |---|---|---|
//! | `BERTH-E0310` | task definition | no container, no essential container, a start-order cycle, a `HEALTHY` dependency on a container without health check, a mount of an unknown volume, an EC2 container without memory, containers that do not fit in the task's cpu/memory |
//! | `BERTH-E0311` | service | a task definition with no essential container, a load balancer or registry naming an unknown container or port, a capacity provider strategy naming a provider the cluster does not have, an `Ec2Service` on a cluster without EC2 capacity, Service Connect without a namespace, naming a port mapping the task does not have, or using a discovery name twice |
//! | `BERTH-W0310` | task definition | (a warning) an EFS volume that no container mounts |
//! | `BERTH-E0312` | cluster | a default capacity provider strategy that mixes kinds, names an unassociated provider, or has two bases |
//! | `BERTH-E0313` | service | a blue/green, linear or canary service whose load balancer attachment has no alternate target group, a linear or canary service with neither a load balancer nor Service Connect |
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use berth_constructs::ecr::{Repository, RepositoryProps};
//! use berth_constructs::ecs::*;
//! use berth_constructs::logs::RetentionDays;
//! use berth_constructs::{App, Stack, StackProps};
//!
//! let mut app = App::new();
//! let stack = Stack::new(&mut app, "Web", StackProps::default())?;
//! let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps::default())?;
//! let repo = Repository::new(&mut app, stack, "Repo", RepositoryProps::default())?;
//! let task = FargateTaskDefinition::new(&mut app, stack, "TaskDef", FargateTaskDefinitionProps::default())?;
//! let container = ContainerDefinitionOptions::new(ContainerImage::from_ecr_repository(&repo, "v1"))
//!     .port_mappings([PortMapping::tcp(8080)])
//!     .secrets([("DB_PASSWORD", Secret::from_ssm_parameter_name("/web/db-password"))])
//!     .logging(AwsLogDriverProps::new("app").retention(RetentionDays::TwoWeeks));
//! task.add_container(&mut app, "app", container)?;
//! FargateService::new(&mut app, stack, "Service", FargateServiceProps::new(cluster, task))?;
//! let out = app.synth()?;
//! let res = &out.stacks[0].template["Resources"];
//! let policy = &res["TaskDefExecutionRoleDefaultPolicy0DBB737A"]["Properties"]["PolicyDocument"];
//! let actions: Vec<&serde_json::Value> = policy["Statement"].as_array().ok_or("not an array")?.iter().map(|s| &s["Action"]).collect();
//! assert_eq!(actions, [
//!     &serde_json::json!(["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]),
//!     &serde_json::json!("ecr:GetAuthorizationToken"),
//!     &serde_json::json!("ssm:GetParameters"),
//!     &serde_json::json!(["logs:CreateLogStream", "logs:PutLogEvents"]),
//! ]);
//! # Ok(())
//! # }
//! ```

mod cluster;
mod container;
mod daemon;
mod deployment;
mod ebs;
mod express;
mod log_driver;
mod managed_instances;
mod service;
mod service_connect;
mod task_definition;
mod wiring;
pub(crate) use container::exec_statement;
pub use wiring::{CloudMapOptions, EcsTarget};

pub use cluster::{
    AddCapacityOptions, AsgCapacityProviderOptions, CapacityProviderStrategy,
    CloudMapNamespaceOptions, Cluster, ClusterAttributes, ClusterProps, ContainerInsights,
    Ec2Capacity, MachineImage, ECS_AL2023_AMI_PARAMETER, ECS_AL2023_ARM64_AMI_PARAMETER,
};
pub use container::{
    AppProtocol, AssetImageOptions, ContainerDefinition, ContainerDefinitionOptions,
    ContainerDependency, ContainerDependencyCondition, ContainerImage, HealthCheck, MountPoint,
    Platform, PortMapping, PortProtocol, Secret, Ulimit, UlimitName,
};
pub use daemon::{Daemon, DaemonProps, DaemonTaskDefinition, DaemonTaskDefinitionProps};
pub use deployment::{
    AlarmBehavior, AlternateTarget, DeploymentAlarms, DeploymentController, DeploymentStrategy,
    HookTarget, HookTimeoutAction, LifecycleHook, LifecycleStage, ListenerRuleConfiguration,
    DEFAULT_BAKE_MINUTES, LOAD_BALANCER_INFRASTRUCTURE_POLICY, MAX_BAKE_MINUTES,
    MAX_CFN_DEPLOYMENT_MINUTES,
};
pub use ebs::{
    EbsTagSource, EbsVolumeType, FileSystemType, ServiceManagedEbsVolume, EBS_INFRASTRUCTURE_POLICY,
};
pub use express::{
    ExpressScaling, ExpressScalingMetric, ExpressService, ExpressServiceProps,
    EXPRESS_INFRASTRUCTURE_POLICY,
};
pub use log_driver::{
    AwsLogDriverMode, AwsLogDriverProps, BaseLogDriverProps, FireLensCloudWatchLogs,
    FireLensLogDriverProps, FirelensConfigFile, FirelensLogRouterOptions, FirelensLogRouterType,
    FluentdLogDriverProps, GelfLogDriverProps, GenericLogDriverProps, JournaldLogDriverProps,
    JsonFileLogDriverProps, LogDriver, SplunkLogDriverProps, SplunkLogFormat, SyslogLogDriverProps,
    AWS_FOR_FLUENT_BIT_PARAMETER,
};
pub use managed_instances::{
    CapacityOption, InstanceMonitoring, InstanceRequirements, ManagedInstancesCapacityProvider,
    ManagedInstancesCapacityProviderProps, ManagedInstancesService, ManagedInstancesServiceProps,
    ManagedInstancesTaskDefinition, ManagedInstancesTaskDefinitionProps,
    MANAGED_INSTANCES_INFRASTRUCTURE_POLICY, MANAGED_INSTANCES_INSTANCE_POLICY,
};
pub use service::{
    BaseService, DeploymentCircuitBreaker, Ec2Service, Ec2ServiceProps, FargatePlatformVersion,
    FargateService, FargateServiceProps, LoadBalancerAttachment, PlacementConstraint,
    PlacementStrategy, PropagateTags, ServiceRegistryAttachment, SCALABLE_DIMENSION_DESIRED_COUNT,
};
pub use service_connect::{
    ServiceConnectClientAlias, ServiceConnectNamespace, ServiceConnectProps, ServiceConnectService,
};
pub use task_definition::{
    Compatibility, CpuArchitecture, Ec2TaskDefinition, Ec2TaskDefinitionProps,
    EfsVolumeConfiguration, FargateSize, FargateTaskDefinition, FargateTaskDefinitionProps,
    InvalidFargateSize, NetworkMode, OperatingSystemFamily, RuntimePlatform, TaskDefinition,
    TaskPlacementConstraint, Volume, VolumeSource,
};

#[cfg(test)]
mod tests;
