//! `QueueProcessingFargateService` (CDK's `ecs_patterns.QueueProcessingFargateService`).

use crate::app::{App, NodeId, Output, OutputProps, Scope};
use crate::appscaling::{
    ScalableTaskCount, ScalingInterval, StepScalingProps, UtilizationScalingProps,
};
use crate::ec2::{SecurityGroup, SubnetSelection};
use crate::ecs::{
    AwsLogDriverProps, CapacityProviderStrategy, Cluster, ContainerDefinition,
    ContainerDefinitionOptions, ContainerImage, DeploymentAlarms, DeploymentCircuitBreaker,
    DeploymentStrategy, FargatePlatformVersion, FargateService, FargateServiceProps, FargateSize,
    FargateTaskDefinition, FargateTaskDefinitionProps, LifecycleHook, LogDriver, MountPoint,
    Secret, Volume,
};
use crate::error::{ConstructError, Result};
use crate::sqs::{DeadLetterQueue, Queue, QueueProps};
use berth_synth::Value;
use indexmap::IndexMap;

/// The actions of CDK's `queue.grantConsumeMessages` ([`crate::sqs::CONSUME_ACTIONS`]).
pub use crate::sqs::CONSUME_ACTIONS as SQS_CONSUME_ACTIONS;

props! {
    /// Options of a [`QueueProcessingFargateService`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct QueueProcessingFargateServiceProps {
        /// The cluster (required).
        pub cluster: Cluster,
        /// The worker's image (required).
        pub image: ContainerImage,
        /// The queue to work through (CDK's `queue`). Default: a new queue
        /// `EcsProcessingQueue` redriving into `EcsProcessingDeadLetterQueue` (then
        /// `max_receive_count` and `dead_letter_retention_seconds` apply; with a given
        /// queue they are not used).
        pub queue: Option<Queue>,
        /// The command. Default: the image's.
        pub command: Vec<String>,
        /// More environment variables (`QUEUE_NAME` is always set). Default: none.
        pub environment: IndexMap<String, Value>,
        /// Secrets as environment variables. Default: none.
        pub secrets: IndexMap<String, Secret>,
        /// The log driver. Default: `awslogs` with the pattern's id as stream prefix.
        pub log_driver: Option<LogDriver>,
        /// The task size. Default: 256 CPU units, 512 MiB.
        pub size: FargateSize,
        /// Receives before a message goes to the dead-letter queue. Default: 3 (as CDK).
        pub max_receive_count: u32,
        /// Seconds the dead-letter queue keeps messages. Default: 14 days (as CDK).
        pub dead_letter_retention_seconds: u32,
        /// The fewest tasks. Default: 1.
        pub min_scaling_capacity: u32,
        /// The most tasks. Default: 2.
        pub max_scaling_capacity: u32,
        /// Queue depth steps (`ApproximateNumberOfMessagesVisible`). Default: CDK's
        /// (below 1: one task fewer; from 100: one more; from 500: five more).
        pub scaling_steps: Vec<ScalingInterval>,
        /// Also keep CPU at this percentage. Default: 50 (as CDK); `None` for no CPU scaling.
        pub cpu_target_utilization_percent: Option<f64>,
        /// Roll back a failing deployment. Default: none.
        pub circuit_breaker: Option<DeploymentCircuitBreaker>,
        /// The tasks' subnets. Default: private subnets.
        pub task_subnets: Option<SubnetSelection>,
        // The service options the other patterns take, too.
        /// A task definition to run instead of creating one from `image` (then leave
        /// `image` empty: [`QueueProcessingFargateServiceProps::with_task_definition`]);
        /// its first essential container gets `QUEUE_NAME`. Default: a new
        /// `QueueProcessingTaskDef`.
        pub task_definition: Option<FargateTaskDefinition>,
        /// Volumes of a new task definition. Default: none.
        pub volumes: Vec<Volume>,
        /// Volumes mounted into the new container. Default: none.
        pub mount_points: Vec<MountPoint>,
        /// A capacity provider strategy, e.g. Fargate Spot
        /// (`[CapacityProviderStrategy::fargate_spot(1)]`, on a cluster with
        /// `enable_fargate_capacity_providers`), instead of the launch type. Default:
        /// none (launch type `FARGATE`).
        pub capacity_provider_strategies: Vec<CapacityProviderStrategy>,
        /// ECS Exec. Default: false.
        pub enable_execute_command: bool,
        /// The Fargate platform version. Default: not rendered (`LATEST`).
        pub platform_version: Option<FargatePlatformVersion>,
        /// The tasks' security groups. Default: a new one (`<service>/SecurityGroup`).
        pub security_groups: Vec<SecurityGroup>,
        /// Give the tasks public IPs. Default: false.
        pub assign_public_ip: bool,
        /// How new revisions deploy: rolling or blue/green (a worker has no load
        /// balancer, so linear and canary are refused at synth). Default: rolling.
        pub deployment_strategy: DeploymentStrategy,
        /// Lifecycle hooks (blue/green). Default: none.
        pub lifecycle_hooks: Vec<LifecycleHook>,
        /// CloudWatch alarms that roll a deployment back. Default: none.
        pub deployment_alarms: Option<DeploymentAlarms>,
    }
}

impl QueueProcessingFargateServiceProps {
    /// A worker running `image` on `cluster`, with the defaults.
    pub fn new(cluster: Cluster, image: ContainerImage) -> Self {
        QueueProcessingFargateServiceProps {
            cluster,
            image,
            queue: None,
            command: Vec::new(),
            environment: IndexMap::new(),
            secrets: IndexMap::new(),
            log_driver: None,
            size: FargateSize::default(),
            max_receive_count: 3,
            dead_letter_retention_seconds: 14 * 24 * 3600,
            min_scaling_capacity: 1,
            max_scaling_capacity: 2,
            scaling_steps: vec![
                ScalingInterval {
                    lower: None,
                    upper: Some(0.0),
                    change: -1,
                },
                ScalingInterval {
                    lower: Some(100.0),
                    upper: Some(500.0),
                    change: 1,
                },
                ScalingInterval {
                    lower: Some(500.0),
                    upper: None,
                    change: 5,
                },
            ],
            cpu_target_utilization_percent: Some(50.0),
            circuit_breaker: None,
            task_subnets: None,
            task_definition: None,
            volumes: Vec::new(),
            mount_points: Vec::new(),
            capacity_provider_strategies: Vec::new(),
            enable_execute_command: false,
            platform_version: None,
            security_groups: Vec::new(),
            assign_public_ip: false,
            deployment_strategy: DeploymentStrategy::rolling(),
            lifecycle_hooks: Vec::new(),
            deployment_alarms: None,
        }
    }

    /// A worker running `task_definition` on `cluster`, with the defaults.
    pub fn with_task_definition(cluster: Cluster, task_definition: FargateTaskDefinition) -> Self {
        QueueProcessingFargateServiceProps {
            task_definition: Some(task_definition),
            ..QueueProcessingFargateServiceProps::new(cluster, ContainerImage::default())
        }
    }
}

/// A Fargate service that works through an SQS queue (CDK's
/// `QueueProcessingFargateService`, same ids): under the pattern's id, the queue
/// `EcsProcessingQueue` redriving into `EcsProcessingDeadLetterQueue` (unless a queue
/// is given: [`QueueProcessingFargateServiceProps::queue`]), `QueueProcessingTaskDef` with the container
/// `QueueProcessingContainer` (`QUEUE_NAME` set), the service
/// `QueueProcessingFargateService` whose task role may consume the queue, its
/// `TaskCount` scaled on CPU (`CpuScaling`) and on queue depth
/// (`QueueMessagesVisibleScaling`, step scaling on `ApproximateNumberOfMessagesVisible`),
/// and the outputs `SQSQueue`, `SQSQueueArn` and `SQSQueueUrl` (not for a given queue
/// of another stack: that would re-export an import).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::ecs::{Cluster, ClusterProps, ContainerImage};
/// use berth_constructs::patterns::{QueueProcessingFargateService, QueueProcessingFargateServiceProps};
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Jobs", StackProps::default())?;
/// let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps::default())?;
/// let image = ContainerImage::from_registry("public.ecr.aws/docker/library/busybox:latest");
/// let props = QueueProcessingFargateServiceProps::new(cluster, image).max_scaling_capacity(10);
/// let worker = QueueProcessingFargateService::new(&mut app, stack, "Worker", props)?;
/// let out = app.synth()?;
/// let res = &out.stacks[0].template["Resources"];
/// let q = berth_synth::logical_id::make_unique_id(&["Worker", "EcsProcessingQueue", "Resource"]).ok_or("an invalid construct id")?;
/// assert_eq!(res[&q]["Properties"]["RedrivePolicy"]["maxReceiveCount"], 3);
/// # let _ = worker.dead_letter_queue();
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueProcessingFargateService {
    node: NodeId,
    queue: Queue,
    dead_letter_queue: Option<Queue>,
    task_definition: FargateTaskDefinition,
    container: ContainerDefinition,
    service: FargateService,
    task_count: ScalableTaskCount,
}

impl Scope for QueueProcessingFargateService {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl QueueProcessingFargateService {
    /// Creates the pattern under `scope`.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        props: QueueProcessingFargateServiceProps,
    ) -> Result<QueueProcessingFargateService> {
        let node = app.add_group(scope, id)?;
        if !(1..=1000).contains(&props.max_receive_count) {
            return Err(ConstructError::invalid(
                app.path(node),
                "max_receive_count",
                format!(
                    "max receive count {} is out of range; allowed: 1 to 1000",
                    props.max_receive_count
                ),
            ));
        }
        let (queue, dead_letter_queue) = match props.queue {
            Some(q) => (q, None),
            None => {
                let dlq = Queue::new(
                    app,
                    node,
                    "EcsProcessingDeadLetterQueue",
                    QueueProps::default()
                        .retention_period_secs(props.dead_letter_retention_seconds),
                )?;
                let q = Queue::new(
                    app,
                    node,
                    "EcsProcessingQueue",
                    QueueProps::default()
                        .dead_letter_queue(DeadLetterQueue::new(dlq, props.max_receive_count)),
                )?;
                (q, Some(dlq))
            }
        };
        let queue_name = Value::from(queue.queue_name());
        let queue_arn = Value::from(queue.queue_arn());

        let (task_definition, container) = match props.task_definition {
            Some(t) => {
                let bad = |m: &str| ConstructError::invalid(app.path(node), "task_definition", m);
                if props.image != ContainerImage::default() {
                    return Err(bad("give an image or a task definition, not both"));
                }
                let c = t
                    .default_container(app)
                    .ok_or_else(|| bad("the task definition has no essential container to run"))?;
                c.add_environment(app, "QUEUE_NAME", queue_name.clone());
                (t, c)
            }
            None => {
                let t = FargateTaskDefinition::new(
                    app,
                    node,
                    "QueueProcessingTaskDef",
                    FargateTaskDefinitionProps {
                        size: props.size,
                        volumes: props.volumes,
                        ..Default::default()
                    },
                )?;
                let mut environment = props.environment;
                environment.insert("QUEUE_NAME".into(), queue_name.clone());
                let logging = Some(props.log_driver.unwrap_or_else(|| {
                    LogDriver::aws_logs(AwsLogDriverProps {
                        stream_prefix: id.to_owned(),
                        ..Default::default()
                    })
                }));
                let c = t.add_container(
                    app,
                    "QueueProcessingContainer",
                    ContainerDefinitionOptions {
                        command: props.command,
                        environment,
                        secrets: props.secrets,
                        logging,
                        mount_points: props.mount_points,
                        ..ContainerDefinitionOptions::new(props.image)
                    },
                )?;
                (t, c)
            }
        };
        let task_role = task_definition.task_role(app)?;
        queue.grant_consume_messages(app, &task_role)?;
        let service = FargateService::new(
            app,
            node,
            "QueueProcessingFargateService",
            FargateServiceProps {
                desired_count: None,
                circuit_breaker: props.circuit_breaker,
                vpc_subnets: props.task_subnets,
                capacity_provider_strategies: props.capacity_provider_strategies,
                enable_execute_command: props.enable_execute_command,
                platform_version: props.platform_version,
                security_groups: props.security_groups,
                assign_public_ip: props.assign_public_ip,
                deployment_strategy: props.deployment_strategy,
                lifecycle_hooks: props.lifecycle_hooks,
                deployment_alarms: props.deployment_alarms,
                ..FargateServiceProps::new(props.cluster, task_definition)
            },
        )?;
        let task_count = service.auto_scale_task_count(
            app,
            props.min_scaling_capacity,
            props.max_scaling_capacity,
        )?;
        if let Some(cpu) = props.cpu_target_utilization_percent {
            task_count.scale_on_cpu_utilization(
                app,
                "CpuScaling",
                UtilizationScalingProps::default().target_utilization_percent(cpu),
            )?;
        }
        task_count.scale_on_metric(
            app,
            "QueueMessagesVisibleScaling",
            StepScalingProps::new(
                queue.metric_approximate_number_of_messages_visible(),
                props.scaling_steps,
            ),
        )?;
        // A queue of another stack is that stack's to output: an output here would
        // only re-export an import (cfn-lint W6001).
        let own_stack = crate::Stack::of(app, queue.node()) == crate::Stack::of(app, node);
        let outputs = [
            ("SQSQueue", queue_name),
            ("SQSQueueArn", queue_arn),
            ("SQSQueueUrl", Value::from(queue.queue_url())),
        ];
        for (oid, value) in outputs.into_iter().filter(|_| own_stack) {
            Output::new(
                app,
                node,
                oid,
                OutputProps {
                    value,
                    ..Default::default()
                },
            )?;
        }
        Ok(QueueProcessingFargateService {
            node,
            queue,
            dead_letter_queue,
            task_definition,
            container,
            service,
            task_count,
        })
    }

    /// The work queue (the given one, or `EcsProcessingQueue`).
    pub fn queue(&self) -> Queue {
        self.queue
    }
    /// The dead-letter queue the pattern made (`None` when a queue was given).
    pub fn dead_letter_queue(&self) -> Option<Queue> {
        self.dead_letter_queue
    }
    /// The task definition (`QueueProcessingTaskDef`, or the one given).
    pub fn task_definition(&self) -> FargateTaskDefinition {
        self.task_definition
    }
    /// The worker container (`QueueProcessingContainer`, or the given task
    /// definition's first essential container).
    pub fn container(&self) -> ContainerDefinition {
        self.container
    }
    /// The service.
    pub fn service(&self) -> FargateService {
        self.service
    }
    /// The scalable task count (add more policies here).
    pub fn task_count(&self) -> ScalableTaskCount {
        self.task_count
    }
}
