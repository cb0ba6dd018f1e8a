//! `QueueProcessingFargateService` (CDK's `ecs_patterns.QueueProcessingFargateService`).

use crate::app::{App, NodeId, Output, OutputProps, Scope};
use crate::appscaling::{
    Metric, ScalableTaskCount, ScalingInterval, StepScalingProps, UtilizationScalingProps,
};
use crate::ec2::SubnetSelection;
use crate::ecs::{
    AwsLogDriverProps, Cluster, ContainerDefinitionOptions, ContainerImage, DeploymentAlarms,
    DeploymentCircuitBreaker, DeploymentStrategy, FargateService, FargateServiceProps, FargateSize,
    FargateTaskDefinition, FargateTaskDefinitionProps, LifecycleHook, LogDriver, Secret,
};
use crate::error::{ConstructError, Result};
use crate::iam::PolicyStatement;
use berth_synth::cfn::sqs::CfnQueue;
use berth_synth::resource::ResourceRef;
use berth_synth::{Expr, Value};
use indexmap::IndexMap;

/// The actions of CDK's `queue.grantConsumeMessages`.
pub const SQS_CONSUME_ACTIONS: [&str; 5] = [
    "sqs:ReceiveMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueUrl",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
];

props! {
    /// Options of a [`QueueProcessingFargateService`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct QueueProcessingFargateServiceProps {
        /// The cluster (required).
        pub cluster: Cluster,
        /// The worker's image (required).
        pub image: ContainerImage,
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
            deployment_strategy: DeploymentStrategy::rolling(),
            lifecycle_hooks: Vec::new(),
            deployment_alarms: None,
        }
    }
}

/// A Fargate service that works through an SQS queue (CDK's
/// `QueueProcessingFargateService`, same ids): under the pattern's id, the queue
/// `EcsProcessingQueue` redriving into `EcsProcessingDeadLetterQueue` (SQS has no
/// berth L2, so these are L1 queues), `QueueProcessingTaskDef` with the container
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
    queue: ResourceRef<CfnQueue>,
    dead_letter_queue: ResourceRef<CfnQueue>,
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
        let dlq_node = app.add_group(node, "EcsProcessingDeadLetterQueue")?;
        let dead_letter_queue = app.add_resource(
            dlq_node,
            "Resource",
            CfnQueue {
                message_retention_period: Some(
                    i64::from(props.dead_letter_retention_seconds).into(),
                ),
                ..Default::default()
            },
        )?;
        let q_node = app.add_group(node, "EcsProcessingQueue")?;
        let queue = app.add_resource(
            q_node,
            "Resource",
            CfnQueue {
                redrive_policy: Some(Expr::Lit(Value::map([
                    (
                        "deadLetterTargetArn",
                        Value::from(dead_letter_queue.attr_arn()),
                    ),
                    (
                        "maxReceiveCount",
                        Value::from(i64::from(props.max_receive_count)),
                    ),
                ]))),
                ..Default::default()
            },
        )?;
        let queue_name = Value::get_att(queue.id(), "QueueName");
        let queue_arn = Value::from(queue.attr_arn());

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
        task_definition.task_role(app)?.add_to_policy(
            app,
            PolicyStatement::allow()
                .actions(SQS_CONSUME_ACTIONS)
                .resource(queue_arn.clone()),
        )?;
        let service = FargateService::new(
            app,
            node,
            "QueueProcessingFargateService",
            FargateServiceProps {
                desired_count: None,
                circuit_breaker: props.circuit_breaker,
                vpc_subnets: props.task_subnets,
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
                Metric::new("AWS/SQS", "ApproximateNumberOfMessagesVisible")
                    .with_dimension("QueueName", queue_name.clone()),
                props.scaling_steps,
            ),
        )?;
        for (oid, value) in [
            ("SQSQueue", queue_name),
            ("SQSQueueArn", queue_arn),
            ("SQSQueueUrl", Value::from(queue.attr_queue_url())),
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

    /// The work queue (L1: berth has no SQS L2).
    pub fn queue(&self) -> ResourceRef<CfnQueue> {
        self.queue
    }
    /// The dead-letter queue.
    pub fn dead_letter_queue(&self) -> ResourceRef<CfnQueue> {
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
