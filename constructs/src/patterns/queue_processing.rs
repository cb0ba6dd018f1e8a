//! `QueueProcessingFargateService` (CDK's `ecs_patterns.QueueProcessingFargateService`).

use crate::app::{App, NodeId, Output, OutputProps, Scope};
use crate::appscaling::{
    ScalableTaskCount, ScalingInterval, StepScalingProps, UtilizationScalingProps,
};
use crate::ec2::SubnetSelection;
use crate::ecs::{
    AwsLogDriverProps, Cluster, ContainerDefinitionOptions, ContainerImage,
    DeploymentCircuitBreaker, FargateService, FargateServiceProps, FargateSize,
    FargateTaskDefinition, FargateTaskDefinitionProps, LogDriver, Secret,
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
/// and the outputs `SQSQueue`, `SQSQueueArn` and `SQSQueueUrl`.
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

        let task_definition = FargateTaskDefinition::new(
            app,
            node,
            "QueueProcessingTaskDef",
            FargateTaskDefinitionProps::default().size(props.size),
        )?;
        let mut environment = props.environment;
        environment.insert("QUEUE_NAME".into(), queue_name.clone());
        let logging = Some(props.log_driver.unwrap_or_else(|| {
            LogDriver::aws_logs(AwsLogDriverProps::default().stream_prefix(id.to_owned()))
        }));
        task_definition.add_container(
            app,
            "QueueProcessingContainer",
            ContainerDefinitionOptions {
                command: props.command,
                environment,
                secrets: props.secrets,
                logging,
                ..ContainerDefinitionOptions::new(props.image)
            },
        )?;
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
        for (oid, value) in [
            ("SQSQueue", queue_name),
            ("SQSQueueArn", queue_arn),
            ("SQSQueueUrl", Value::from(queue.queue_url())),
        ] {
            Output::new(app, node, oid, OutputProps::new(value))?;
        }
        Ok(QueueProcessingFargateService {
            node,
            queue,
            dead_letter_queue,
            task_definition,
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
    /// The task definition.
    pub fn task_definition(&self) -> FargateTaskDefinition {
        self.task_definition
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
