//! [`EcsTask`]: run a task on a schedule or an event, the target of an EventBridge
//! [`super::Rule`] and of an EventBridge Scheduler [`crate::scheduler::Schedule`].

use crate::app::{App, NodeId};
use crate::ec2::{
    Connections, Port, SecurityGroup, SecurityGroupProps, SubnetSelection, SubnetType,
};
use crate::ecs::{
    CapacityProviderStrategy, Cluster, Compatibility, FargatePlatformVersion, NetworkMode,
    TaskDefinition,
};
use crate::error::{ConstructError, Result};
use crate::iam::{join, PolicyStatement, Role};
use berth_synth::{Diagnostic, Expr, Pseudo, Token, Value};
use indexmap::IndexMap;

props! {
    /// Run an ECS task (CDK's `events_targets.EcsTask` and the Scheduler's
    /// `EcsRunFargateTask`/`EcsRunEc2Task`): the target of a [`super::Rule`]
    /// ([`super::Rule::add_target`]) or of a [`crate::scheduler::Schedule`].
    ///
    /// The role that runs it may start exactly this task definition family
    /// (`ecs:RunTask` on `task-definition/<family>:*`, only on this cluster) and pass
    /// exactly the task's roles to ECS (`iam:PassRole`, only to
    /// `ecs-tasks.amazonaws.com`); with tags, also `ecs:TagResource` on the cluster's
    /// tasks. In `awsvpc` mode the tasks get a security group: the ones given, or one
    /// `SecurityGroup` under the task definition (shared by every target of it, as
    /// CDK).
    ///
    /// ```
    /// use berth_constructs::ecs::{CapacityProviderStrategy, Cluster, ClusterProps};
    /// use berth_constructs::ecs::{ContainerImage, FargateTaskDefinition, FargateTaskDefinitionProps};
    /// use berth_constructs::events::EcsTask;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut app = berth_constructs::App::new();
    /// # let stack = berth_constructs::Stack::new(&mut app, "Jobs", Default::default())?;
    /// # let cluster = Cluster::new(&mut app, stack, "Cluster", ClusterProps::default().enable_fargate_capacity_providers(true))?;
    /// # let task = FargateTaskDefinition::new(&mut app, stack, "Task", FargateTaskDefinitionProps::default())?;
    /// let target = EcsTask::new(cluster, task)
    ///     .task_count(2)
    ///     .capacity_provider_strategies([CapacityProviderStrategy::fargate_spot(1)])
    ///     .enable_execute_command(true);
    /// assert_eq!(target.task_count, 2);
    /// # Ok(()) }
    /// ```
    #[derive(Clone, Debug, PartialEq)]
    pub struct EcsTask {
        /// The cluster to run on. Required.
        pub cluster: Cluster,
        /// The task definition to run. Required.
        pub task_definition: TaskDefinition,
        /// Tasks started each time, 1 to 10. Default: 1.
        pub task_count: u32,
        /// The tasks' subnets (`awsvpc` mode). Default: public subnets with
        /// `assign_public_ip`, else the VPC's default selection (private with egress).
        pub subnet_selection: Option<SubnetSelection>,
        /// The tasks' security groups (`awsvpc` mode). Default: `SecurityGroup` under
        /// the task definition.
        pub security_groups: Vec<SecurityGroup>,
        /// Give each task a public IP (Fargate, public subnets only). Default: yes in
        /// public subnets, no otherwise (as CDK).
        pub assign_public_ip: Option<bool>,
        /// The Fargate platform version. Default: not rendered (`LATEST`).
        pub platform_version: Option<FargatePlatformVersion>,
        /// A capacity provider strategy (e.g. Fargate Spot) instead of the launch type;
        /// every provider must be associated with the cluster (checked at synth).
        /// Default: none (launch type `FARGATE` or `EC2`, from the task definition).
        pub capacity_provider_strategies: Vec<CapacityProviderStrategy>,
        /// ECS Exec into the tasks (the task role gets the `ssmmessages` permissions).
        /// Default: false.
        pub enable_execute_command: bool,
        /// Copy the task definition's tags to the tasks. Default: false.
        pub propagate_tags: bool,
        /// Tags of the tasks. Default: none.
        pub tags: IndexMap<String, String>,
        /// The role that runs the task. Default: for a rule, `EventsRole` under the task
        /// definition (trusting `events.amazonaws.com`, shared as CDK shares it); for a
        /// schedule, a role per cluster at the stack's root (trusting
        /// `scheduler.amazonaws.com` for this account's default schedule group, CDK's
        /// `SchedulerRoleForTarget-<hash>`).
        pub role: Option<Role>,
    }
}

impl EcsTask {
    /// Run one task of `task_definition` on `cluster`, every other option at its
    /// default.
    pub fn new(cluster: Cluster, task_definition: impl Into<TaskDefinition>) -> EcsTask {
        EcsTask {
            cluster,
            task_definition: task_definition.into(),
            task_count: 1,
            subnet_selection: None,
            security_groups: Vec::new(),
            assign_public_ip: None,
            platform_version: None,
            capacity_provider_strategies: Vec::new(),
            enable_execute_command: false,
            propagate_tags: false,
            tags: IndexMap::new(),
            role: None,
        }
    }
}

/// The `EcsParameters` of a rule's or a schedule's L1 target from a [`RunTask`]: the
/// two generated types differ only in their number type (`$num`), the name of the
/// `awsvpc` configuration field and type, and how tags are written (`$tags` renders
/// them).
macro_rules! ecs_parameters {
    ($m:ident, $run:expr, $num:ty, $vpc:ident: $vpc_type:ident, $tags:ident: $render_tags:expr) => {{
        let run: &$crate::events::RunTask = $run;
        $m::EcsParameters {
            capacity_provider_strategy: (!run.strategies.is_empty()).then(|| {
                Expr::Lit(
                    run.strategies
                        .iter()
                        .map(|s| $m::CapacityProviderStrategyItem {
                            base: s.base.map(|b| <$num>::from(b).into()),
                            capacity_provider: Some($crate::iam::value_expr(
                                s.capacity_provider.clone(),
                            )),
                            weight: s.weight.map(|w| <$num>::from(w).into()),
                        })
                        .collect(),
                )
            }),
            enable_execute_command: run.enable_execute_command.then(|| true.into()),
            // Managed Instances tasks have no launch type: they run through the
            // capacity provider strategy (or the cluster's default).
            launch_type: run.launch_type.and_then(|c| match c {
                $crate::ecs::Compatibility::Fargate => Some($m::LaunchType::Fargate.into()),
                $crate::ecs::Compatibility::Ec2 => Some($m::LaunchType::Ec2.into()),
                $crate::ecs::Compatibility::ManagedInstances => None,
            }),
            network_configuration: run.network.as_ref().map(|(subnets, groups, public)| {
                Expr::Lit($m::NetworkConfiguration {
                    $vpc: Some(Expr::Lit($m::$vpc_type {
                        assign_public_ip: Some(
                            if *public {
                                $m::AssignPublicIp::Enabled
                            } else {
                                $m::AssignPublicIp::Disabled
                            }
                            .into(),
                        ),
                        security_groups: Some($crate::events::exprs(groups)),
                        subnets: Some($crate::events::exprs(subnets)),
                    })),
                })
            }),
            platform_version: run.platform_version.clone().map(Into::into),
            propagate_tags: run
                .propagate_tags
                .then(|| $m::PropagateTags::TaskDefinition.into()),
            $tags: (!run.tags.is_empty())
                .then(|| Expr::Lit(run.tags.iter().map($render_tags).collect())),
            task_count: Some(<$num>::from(run.task_count).into()),
            task_definition_arn: Some(run.task_definition_arn.clone().into()),
            ..Default::default()
        }
    }};
}
pub(crate) use ecs_parameters;

/// The RunTask parameters of a bound [`EcsTask`], before they become either L1.
#[derive(Clone, Debug)]
pub(crate) struct RunTask {
    pub(crate) role: Role,
    pub(crate) task_definition_arn: Token<String>,
    pub(crate) task_count: u32,
    /// `FARGATE` or `EC2`, unless a capacity provider strategy is given.
    pub(crate) launch_type: Option<Compatibility>,
    pub(crate) strategies: Vec<CapacityProviderStrategy>,
    /// Subnets, security groups, public IP (`awsvpc` only).
    pub(crate) network: Option<(Vec<Value>, Vec<Value>, bool)>,
    pub(crate) platform_version: Option<String>,
    pub(crate) enable_execute_command: bool,
    pub(crate) propagate_tags: bool,
    pub(crate) tags: IndexMap<String, String>,
}

/// What a rule or schedule remembers of its ECS targets, to finish them at synth.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PendingRunTask {
    pub(crate) role: Role,
    pub(crate) task_definition: TaskDefinition,
    pub(crate) cluster: Cluster,
    pub(crate) strategies: Vec<CapacityProviderStrategy>,
    /// The tasks' security groups (`awsvpc` only).
    pub(crate) security_groups: Vec<SecurityGroup>,
    /// The property the target sits at (`targets[0]`, `target`), for problems.
    pub(crate) property: String,
}

impl PendingRunTask {
    /// At synth: the grants on the task's roles, and the way to its file systems.
    pub(crate) fn prepare(&self, app: &mut App) -> Result<()> {
        self.grant_pass_roles(app)?;
        self.allow_to_file_systems(app)
    }

    /// At synth: the tasks may reach the berth file systems their EFS volumes mount,
    /// on the file system's port, as a service's tasks do (from the tasks' side: the
    /// ingress rule lives in the target's stack). Without it a scheduled task's mount
    /// times out.
    fn allow_to_file_systems(&self, app: &mut App) -> Result<()> {
        if self.security_groups.is_empty() {
            return Ok(());
        }
        let tasks = Connections::new(self.security_groups.clone());
        for fs in self.task_definition.efs_file_systems(app) {
            tasks.allow_to(app, &fs, Port::tcp(crate::efs::DEFAULT_PORT), "")?;
        }
        Ok(())
    }

    /// At synth: pass the task's roles (they exist by now) to ECS.
    fn grant_pass_roles(&self, app: &mut App) -> Result<()> {
        let roles: Vec<Value> = [
            self.task_definition.existing_task_role(app),
            self.task_definition.existing_execution_role(app),
        ]
        .into_iter()
        .flatten()
        .map(|r| r.role_arn().into())
        .collect();
        if roles.is_empty() {
            return Ok(());
        }
        self.role.add_to_policy(
            app,
            PolicyStatement::allow()
                .action("iam:PassRole")
                .resources(roles)
                .condition(
                    "StringLike",
                    "iam:PassedToService",
                    "ecs-tasks.amazonaws.com",
                ),
        )?;
        Ok(())
    }

    /// Capacity providers the cluster does not have (`code` names the construct kind).
    pub(crate) fn validate(&self, app: &App, node: NodeId, code: &'static str) -> Vec<Diagnostic> {
        self.cluster
            .unassociated(app, &self.strategies)
            .into_iter()
            .map(|(i, m)| {
                Diagnostic::error(code, app.path(node), m).with_property(format!(
                    "{}.capacity_provider_strategies[{i}]",
                    self.property
                ))
            })
            .collect()
    }
}

impl EcsTask {
    /// Checks the options and makes what the target needs (its role, unless given,
    /// from `default_role`; its security group; the role's grants). `path` and
    /// `property` name the rule or schedule and the target in errors.
    pub(crate) fn bind(
        &self,
        app: &mut App,
        path: &str,
        property: &str,
        default_role: impl FnOnce(&mut App) -> Result<Role>,
    ) -> Result<(RunTask, PendingRunTask)> {
        let bad = |p: &str, m: String| ConstructError::invalid(path, format!("{property}.{p}"), m);
        let td = self.task_definition;
        if !(1..=10).contains(&self.task_count) {
            return Err(bad(
                "task_count",
                format!(
                    "{} tasks cannot be started at once; allowed: 1 to 10",
                    self.task_count
                ),
            ));
        }
        let compat = td.compatibility(app);
        let fargate = compat == Compatibility::Fargate;
        if self.platform_version.is_some() && !fargate {
            return Err(bad(
                "platform_version",
                "a platform version is for Fargate tasks; this task definition is for EC2".into(),
            ));
        }
        let network = if td.network_mode(app) == NetworkMode::AwsVpc {
            let public = self.assign_public_ip == Some(true);
            let selection = self.subnet_selection.clone().unwrap_or(if public {
                SubnetSelection::of_type(SubnetType::Public)
            } else {
                SubnetSelection::default()
            });
            let subnets = self.cluster.vpc().select_subnets(app, &selection)?;
            let assign = self
                .assign_public_ip
                .unwrap_or(subnets.has_public && fargate);
            if assign && !subnets.has_public {
                return Err(bad(
                    "assign_public_ip",
                    "a public IP needs public subnets; select public subnets or leave assign_public_ip out".into(),
                ));
            }
            if assign && !fargate {
                return Err(bad(
                    "assign_public_ip",
                    "public IPs are for Fargate tasks; an EC2 task in awsvpc mode cannot get one"
                        .into(),
                ));
            }
            let groups = if self.security_groups.is_empty() {
                vec![task_security_group(app, td, &self.cluster)?]
            } else {
                self.security_groups.clone()
            };
            Some((subnets.subnet_ids, groups, assign))
        } else {
            if !self.security_groups.is_empty()
                || self.subnet_selection.is_some()
                || self.assign_public_ip.is_some()
            {
                return Err(bad(
                    "security_groups",
                    format!(
                        "security groups, subnets and public IPs are for tasks in awsvpc mode; this task definition uses {} mode",
                        td.network_mode(app).as_str()
                    ),
                ));
            }
            None
        };
        let role = match self.role {
            Some(r) => r,
            None => default_role(app)?,
        };
        // Run exactly this family, on exactly this cluster.
        let family = td.family(app).ok_or_else(|| {
            bad(
                "task_definition",
                "the task definition's family is not known at synth".into(),
            )
        })?;
        let family_arn = ecs_arn([Value::from(format!(":task-definition/{family}:*"))]);
        let cluster_arn = self.cluster.cluster_arn();
        role.add_to_policy(
            app,
            PolicyStatement::allow()
                .action("ecs:RunTask")
                .resource(family_arn)
                .condition("ArnEquals", "ecs:cluster", cluster_arn),
        )?;
        if self.propagate_tags || !self.tags.is_empty() {
            let tasks = ecs_arn([
                Value::from(":task/"),
                self.cluster.cluster_name().into(),
                Value::from("/*"),
            ]);
            role.add_to_policy(
                app,
                PolicyStatement::allow()
                    .action("ecs:TagResource")
                    .resource(tasks),
            )?;
        }
        if self.enable_execute_command {
            td.add_to_task_role_policy(app, crate::ecs::exec_statement())?;
        }
        let security_groups = network
            .as_ref()
            .map(|(_, groups, _)| groups.clone())
            .unwrap_or_default();
        let network = network.map(|(subnets, groups, assign)| {
            let ids = groups
                .iter()
                .map(|g| g.security_group_id().into())
                .collect();
            (subnets, ids, assign)
        });
        let run = RunTask {
            role,
            task_definition_arn: td.task_definition_arn(),
            task_count: self.task_count,
            launch_type: self
                .capacity_provider_strategies
                .is_empty()
                .then_some(compat),
            strategies: self.capacity_provider_strategies.clone(),
            network,
            platform_version: self.platform_version.as_ref().map(|v| match v {
                FargatePlatformVersion::Latest => "LATEST".to_owned(),
                FargatePlatformVersion::Version(s) => s.clone(),
            }),
            enable_execute_command: self.enable_execute_command,
            propagate_tags: self.propagate_tags,
            tags: self.tags.clone(),
        };
        let pending = PendingRunTask {
            role,
            task_definition: td,
            cluster: self.cluster,
            strategies: self.capacity_provider_strategies.clone(),
            security_groups,
            property: property.to_owned(),
        };
        Ok((run, pending))
    }
}

/// `arn:${Partition}:ecs:${Region}:${AccountId}` followed by `rest`.
fn ecs_arn(rest: impl IntoIterator<Item = Value>) -> Value {
    let mut parts = vec![
        Value::from("arn:"),
        Pseudo::Partition.token().into(),
        Value::from(":ecs:"),
        Pseudo::Region.token().into(),
        Value::from(":"),
        Pseudo::AccountId.token().into(),
    ];
    parts.extend(rest);
    join(parts)
}

/// The tasks' security group: `SecurityGroup` under the task definition, created once.
fn task_security_group(
    app: &mut App,
    td: TaskDefinition,
    cluster: &Cluster,
) -> Result<SecurityGroup> {
    if let Some(sg) = td.target_security_group(app) {
        return Ok(sg);
    }
    let vpc = cluster.vpc();
    let sg = SecurityGroup::new(
        app,
        td,
        "SecurityGroup",
        &vpc,
        SecurityGroupProps::default(),
    )?;
    td.set_target_security_group(app, sg);
    Ok(sg)
}

/// `Expr` of a list of values.
pub(crate) fn exprs(values: &[Value]) -> Expr<Vec<Expr<String>>> {
    Expr::Lit(values.iter().cloned().map(crate::iam::value_expr).collect())
}
