//! `ScheduledFargateTask` (CDK's `ecs_patterns.ScheduledFargateTask`).

use crate::app::{App, NodeId, Scope};
use crate::ec2::{SecurityGroup, SecurityGroupProps, SubnetSelection};
use crate::ecs::{
    AwsLogDriverProps, Cluster, ContainerDefinitionOptions, ContainerImage, FargateSize,
    FargateTaskDefinition, FargateTaskDefinitionProps, LogDriver, Secret,
};
use crate::error::{ConstructError, Result};
use crate::iam::{join, value_expr, PolicyStatement, Principal, Role, RoleProps};
use berth_synth::cfn::events::{rule, CfnRule};
use berth_synth::resource::ResourceRef;
use berth_synth::{Expr, Pseudo, Value};
use indexmap::IndexMap;

props! {
    /// The container a [`ScheduledFargateTask`] creates (CDK's
    /// `ScheduledFargateTaskImageOptions`).
    #[derive(Clone, Debug, PartialEq)]
    pub struct ScheduledTaskImageOptions {
        /// The image (required).
        pub image: ContainerImage,
        /// The command. Default: the image's.
        pub command: Vec<String>,
        /// Environment variables. Default: none.
        pub environment: IndexMap<String, Value>,
        /// Secrets as environment variables. Default: none.
        pub secrets: IndexMap<String, Secret>,
        /// The log driver. Default: `awslogs` with the pattern's id as stream prefix.
        pub log_driver: Option<LogDriver>,
    }
}

impl ScheduledTaskImageOptions {
    /// Runs `image` with its own command.
    pub fn new(image: ContainerImage) -> Self {
        ScheduledTaskImageOptions {
            image,
            command: Vec::new(),
            environment: IndexMap::new(),
            secrets: IndexMap::new(),
            log_driver: None,
        }
    }
}

props! {
    /// Options of a [`ScheduledFargateTask`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct ScheduledFargateTaskProps {
        /// The cluster to run the task on (required).
        pub cluster: Cluster,
        /// The schedule: `rate(1 day)`, `cron(0 3 * * ? *)` (required).
        pub schedule: String,
        /// The container (required).
        pub image_options: ScheduledTaskImageOptions,
        /// The task size. Default: 256 CPU units, 512 MiB.
        pub size: FargateSize,
        /// Tasks started each time. Default: 1.
        pub task_count: u32,
        /// The tasks' subnets. Default: the VPC's private subnets.
        pub subnet_selection: SubnetSelection,
        /// Whether each task gets a public IP (needed in public subnets to reach a
        /// registry without a NAT gateway). Default: yes in public subnets, no otherwise
        /// (as CDK's ECS task target).
        pub assign_public_ip: Option<bool>,
        /// Whether the rule is enabled. Default: true.
        pub enabled: bool,
        /// A description of the rule. Default: none.
        pub rule_description: Option<String>,
    }
}

/// An image alone, with its own command.
impl From<ContainerImage> for ScheduledTaskImageOptions {
    fn from(image: ContainerImage) -> Self {
        ScheduledTaskImageOptions::new(image)
    }
}

impl ScheduledFargateTaskProps {
    /// Runs `image` (an image, or [`ScheduledTaskImageOptions`] with a command) once
    /// per `schedule` on `cluster`.
    pub fn new(
        cluster: Cluster,
        schedule: impl Into<String>,
        image: impl Into<ScheduledTaskImageOptions>,
    ) -> Self {
        ScheduledFargateTaskProps {
            cluster,
            schedule: schedule.into(),
            image_options: image.into(),
            size: FargateSize::default(),
            task_count: 1,
            subnet_selection: SubnetSelection::default(),
            assign_public_ip: None,
            enabled: true,
            rule_description: None,
        }
    }
}

fn check_schedule(path: &str, s: &str) -> Result<()> {
    let ok = (s.starts_with("rate(") || s.starts_with("cron(")) && s.ends_with(')');
    if ok {
        Ok(())
    } else {
        Err(ConstructError::invalid(
            path,
            "schedule",
            format!("invalid schedule \"{s}\": use rate(...) or cron(...), e.g. rate(1 day) or cron(0 3 * * ? *)"),
        ))
    }
}

/// A Fargate task run on a schedule by an EventBridge rule (CDK's
/// `ScheduledFargateTask`): under the pattern's id, `ScheduledTaskDef` with the
/// container `ScheduledContainer`, `ScheduledEventRule` (`AWS::Events::Rule`) whose
/// target runs the task on the cluster, the rule's role
/// `ScheduledTaskDef/EventsRole` (allowed `ecs:RunTask` on that task definition
/// family only, on that cluster, and `iam:PassRole` on exactly the task's two roles),
/// and the tasks' security group `SecurityGroup`.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::ecs::{Cluster, ClusterProps, ContainerImage};
/// use berth_constructs::patterns::{ScheduledFargateTask, ScheduledFargateTaskProps};
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Jobs", StackProps::default())?;
/// let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps::default())?;
/// let nightly = ScheduledFargateTask::new(&mut app, stack, "Nightly", ScheduledFargateTaskProps::new(
///     cluster, "cron(0 3 * * ? *)", ContainerImage::from_registry("public.ecr.aws/docker/library/busybox:latest")))?;
/// let out = app.synth()?;
/// let rule = berth_synth::logical_id::make_unique_id(&["Nightly", "ScheduledEventRule", "Resource"]).ok_or("an invalid construct id")?;
/// let p = &out.stacks[0].template["Resources"][&rule]["Properties"];
/// assert_eq!(p["ScheduleExpression"], "cron(0 3 * * ? *)");
/// assert_eq!(p["Targets"][0]["EcsParameters"]["LaunchType"], "FARGATE");
/// # let _ = nightly.events_role();
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScheduledFargateTask {
    node: NodeId,
    task_definition: FargateTaskDefinition,
    rule: ResourceRef<CfnRule>,
    events_role: Role,
    security_group: SecurityGroup,
}

impl Scope for ScheduledFargateTask {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl ScheduledFargateTask {
    /// Creates the pattern under `scope`.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        props: ScheduledFargateTaskProps,
    ) -> Result<ScheduledFargateTask> {
        let node = app.add_group(scope, id)?;
        let path = app.path(node);
        check_schedule(&path, &props.schedule)?;
        if props.task_count == 0 {
            return Err(ConstructError::invalid(
                path,
                "task_count",
                "a scheduled task runs at least one task",
            ));
        }
        let cluster = props.cluster;
        let vpc = cluster.vpc();
        let task_definition = FargateTaskDefinition::new(
            app,
            node,
            "ScheduledTaskDef",
            FargateTaskDefinitionProps::default().size(props.size),
        )?;
        let o = props.image_options;
        let logging = Some(o.log_driver.unwrap_or_else(|| {
            LogDriver::aws_logs(AwsLogDriverProps::default().stream_prefix(id.to_owned()))
        }));
        task_definition.add_container(
            app,
            "ScheduledContainer",
            ContainerDefinitionOptions {
                command: o.command,
                environment: o.environment,
                secrets: o.secrets,
                logging,
                ..ContainerDefinitionOptions::new(o.image)
            },
        )?;
        let security_group = SecurityGroup::new(
            app,
            node,
            "SecurityGroup",
            &vpc,
            SecurityGroupProps::default(),
        )?;
        let subnets = vpc.select_subnets(app, &props.subnet_selection)?;

        // The rule's role: run this task definition family on this cluster, and pass
        // exactly the task's roles.
        let events_role = Role::new(
            app,
            task_definition,
            "EventsRole",
            RoleProps::new(Principal::service("events.amazonaws.com")),
        )?;
        let family = match &app.resource(task_definition.cfn()).family {
            Some(Expr::Lit(f)) => f.clone(),
            _ => unreachable!("berth always sets the family of a task definition"),
        };
        let family_arn = join([
            Value::from("arn:"),
            Pseudo::Partition.token().into(),
            Value::from(":ecs:"),
            Pseudo::Region.token().into(),
            Value::from(":"),
            Pseudo::AccountId.token().into(),
            Value::from(format!(":task-definition/{family}:*")),
        ]);
        let cluster_arn = cluster.cluster_arn();
        events_role.add_to_policy(
            app,
            PolicyStatement::allow()
                .action("ecs:RunTask")
                .resource(family_arn)
                .condition("ArnEquals", "ecs:cluster", cluster_arn.clone()),
        )?;
        let execution_role = task_definition.execution_role(app)?;
        let task_role = task_definition.task_role(app)?;
        let pass = [execution_role.role_arn(), task_role.role_arn()];
        events_role.add_to_policy(
            app,
            PolicyStatement::allow()
                .action("iam:PassRole")
                .resources(pass),
        )?;

        let sg_id = security_group.security_group_id();
        let target = rule::Target {
            arn: Some(value_expr(cluster_arn)),
            id: Some("Target0".to_string().into()),
            role_arn: Some(events_role.role_arn().into()),
            ecs_parameters: Some(Expr::Lit(rule::EcsParameters {
                task_definition_arn: Some(task_definition.task_definition_arn().into()),
                task_count: Some(i64::from(props.task_count).into()),
                launch_type: Some(rule::LaunchType::Fargate.into()),
                network_configuration: Some(Expr::Lit(rule::NetworkConfiguration {
                    aws_vpc_configuration: Some(Expr::Lit(rule::AwsVpcConfiguration {
                        assign_public_ip: Some(
                            if props.assign_public_ip.unwrap_or(subnets.has_public) {
                                rule::AssignPublicIp::Enabled
                            } else {
                                rule::AssignPublicIp::Disabled
                            }
                            .into(),
                        ),
                        security_groups: Some(Expr::Lit(vec![value_expr(sg_id)])),
                        subnets: Some(Expr::Lit(
                            subnets.subnet_ids.into_iter().map(value_expr).collect(),
                        )),
                    })),
                })),
                ..Default::default()
            })),
            ..Default::default()
        };
        let rule_node = app.add_group(node, "ScheduledEventRule")?;
        let rule = app.add_resource(
            rule_node,
            "Resource",
            CfnRule {
                description: props.rule_description.map(Into::into),
                schedule_expression: Some(props.schedule.into()),
                state: Some(
                    if props.enabled {
                        rule::State::Enabled
                    } else {
                        rule::State::Disabled
                    }
                    .into(),
                ),
                targets: Some(Expr::Lit(vec![target])),
                ..Default::default()
            },
        )?;
        Ok(ScheduledFargateTask {
            node,
            task_definition,
            rule,
            events_role,
            security_group,
        })
    }

    /// The task definition.
    pub fn task_definition(&self) -> FargateTaskDefinition {
        self.task_definition
    }
    /// The L1 EventBridge rule (berth has no events L2).
    pub fn rule(&self) -> ResourceRef<CfnRule> {
        self.rule
    }
    /// The role EventBridge runs the task with.
    pub fn events_role(&self) -> Role {
        self.events_role
    }
    /// The tasks' security group.
    pub fn security_group(&self) -> SecurityGroup {
        self.security_group
    }
}
