//! How a service deploys a new revision: the [`DeploymentStrategy`] (rolling,
//! blue/green, linear, canary: ECS's own, no CodeDeploy), [`LifecycleHook`]s (a Lambda
//! function, or a `PAUSE` that waits for `ContinueServiceDeployment`),
//! [`DeploymentAlarms`] that roll a deployment back, and the [`AlternateTarget`] of a
//! load-balanced service (the green target group, the production and test listener
//! rules, and the infrastructure role ECS uses to shift traffic).
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use berth_constructs::ecs::{DeploymentStrategy, LifecycleHook, LifecycleStage, HookTimeoutAction};
//!
//! // 10 % of production traffic for 5 minutes, then the rest; 15 minutes of bake time.
//! let canary = DeploymentStrategy::canary(10, 5).bake_time_minutes(15);
//! assert_eq!(canary.name(), "CANARY");
//! // Wait for `berth deployment continue` after the test traffic has shifted; roll back
//! // after an hour without an answer.
//! let gate = LifecycleHook::pause([LifecycleStage::PostTestTrafficShift])
//!     .timeout_minutes(60)
//!     .on_timeout(HookTimeoutAction::Rollback);
//! assert_eq!(gate.stages, [LifecycleStage::PostTestTrafficShift]);
//! # Ok(())
//! # }
//! ```

use crate::app::{App, NodeId};
use crate::elbv2::{Listener, ListenerRule, TargetGroup};
use crate::error::{ConstructError, Result};
use crate::iam::{value_expr, ManagedPolicy, PolicyStatement, Principal, Role, RoleProps};
use berth_synth::cfn::ecs::service as sv;
use berth_synth::{Expr, Token, Value};

/// The AWS managed policy ECS's infrastructure role needs to shift traffic between
/// target groups (`elasticloadbalancing:ModifyListener`, `ModifyRule`, ...).
pub const LOAD_BALANCER_INFRASTRUCTURE_POLICY: &str =
    "AmazonECSInfrastructureRolePolicyForLoadBalancers";

/// How ECS replaces a service's tasks with those of a new revision.
///
/// - **Rolling** (ECS's `ROLLING`, the default): new tasks replace old ones within
///   the service's minimum and maximum healthy percent; the deployment circuit
///   breaker stops (and rolls back) a deployment whose tasks keep failing.
/// - **Blue/green** (`BLUE_GREEN`): the new (green) revision scales up beside the old
///   (blue) one, gets the test traffic, then all production traffic at once; both run
///   for the bake time, then blue is stopped. With a load balancer it needs an
///   [`AlternateTarget`] (the load-balanced patterns create it).
/// - **Linear** (`LINEAR`): production traffic moves to green in equal steps of
///   `step_percent` (3 to 100, multiples of 0.1), `step_bake_time_minutes` apart.
/// - **Canary** (`CANARY`): `canary_percent` (0.1 to 100, multiples of 0.1) of the
///   production traffic goes to green for `canary_bake_time_minutes`, then the rest.
///
/// Linear and canary shift traffic, so the service needs a load balancer (with an
/// alternate target) or Service Connect. Bake times are 0 to 1440 minutes; left out,
/// ECS uses 15 minutes for blue/green, linear and canary (and none for rolling), 6
/// minutes between linear steps and 10 for the canary phase.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DeploymentStrategy {
    /// Rolling update.
    Rolling {
        /// Minutes both revisions run after the new one is up. Default: none.
        bake_time_minutes: Option<u32>,
    },
    /// Blue/green.
    BlueGreen {
        /// Minutes both revisions run after production traffic moved. Default: ECS's 15.
        bake_time_minutes: Option<u32>,
    },
    /// Linear traffic shifting.
    Linear {
        /// Percent of production traffic moved per step (3 to 100).
        step_percent: f64,
        /// Minutes between steps (0 to 1440). Default: ECS's 6.
        step_bake_time_minutes: Option<u32>,
        /// Minutes both revisions run after the last step. Default: ECS's 15.
        bake_time_minutes: Option<u32>,
    },
    /// Canary traffic shifting.
    Canary {
        /// Percent of production traffic the canary gets (0.1 to 100).
        canary_percent: f64,
        /// Minutes the canary runs before the rest moves (0 to 1440). Default: ECS's 10.
        canary_bake_time_minutes: Option<u32>,
        /// Minutes both revisions run after all traffic moved. Default: ECS's 15.
        bake_time_minutes: Option<u32>,
    },
}

impl Default for DeploymentStrategy {
    fn default() -> Self {
        DeploymentStrategy::rolling()
    }
}

impl DeploymentStrategy {
    /// A rolling update (the default).
    pub fn rolling() -> Self {
        DeploymentStrategy::Rolling {
            bake_time_minutes: None,
        }
    }

    /// Blue/green, with ECS's default bake time.
    pub fn blue_green() -> Self {
        DeploymentStrategy::BlueGreen {
            bake_time_minutes: None,
        }
    }

    /// Linear: `step_percent` of production traffic every `step_bake_time_minutes`.
    pub fn linear(step_percent: impl Into<f64>, step_bake_time_minutes: u32) -> Self {
        DeploymentStrategy::Linear {
            step_percent: step_percent.into(),
            step_bake_time_minutes: Some(step_bake_time_minutes),
            bake_time_minutes: None,
        }
    }

    /// Canary: `canary_percent` of production traffic for `canary_bake_time_minutes`,
    /// then the rest.
    pub fn canary(canary_percent: impl Into<f64>, canary_bake_time_minutes: u32) -> Self {
        DeploymentStrategy::Canary {
            canary_percent: canary_percent.into(),
            canary_bake_time_minutes: Some(canary_bake_time_minutes),
            bake_time_minutes: None,
        }
    }

    /// The same strategy with this bake time (minutes both revisions run before the
    /// old one stops).
    pub fn bake_time_minutes(self, minutes: u32) -> Self {
        let m = Some(minutes);
        match self {
            DeploymentStrategy::Rolling { .. } => DeploymentStrategy::Rolling {
                bake_time_minutes: m,
            },
            DeploymentStrategy::BlueGreen { .. } => DeploymentStrategy::BlueGreen {
                bake_time_minutes: m,
            },
            DeploymentStrategy::Linear {
                step_percent,
                step_bake_time_minutes,
                ..
            } => DeploymentStrategy::Linear {
                step_percent,
                step_bake_time_minutes,
                bake_time_minutes: m,
            },
            DeploymentStrategy::Canary {
                canary_percent,
                canary_bake_time_minutes,
                ..
            } => DeploymentStrategy::Canary {
                canary_percent,
                canary_bake_time_minutes,
                bake_time_minutes: m,
            },
        }
    }

    /// ECS's name: `ROLLING`, `BLUE_GREEN`, `LINEAR` or `CANARY`.
    pub fn name(&self) -> &'static str {
        self.l1().as_str()
    }

    /// Whether a new revision runs beside the old one (blue/green, linear, canary):
    /// lifecycle hooks apply, and a load balancer needs an alternate target.
    pub fn is_blue_green(&self) -> bool {
        !matches!(self, DeploymentStrategy::Rolling { .. })
    }

    /// Whether production traffic moves in steps (linear, canary), which needs a load
    /// balancer or Service Connect.
    pub fn shifts_traffic_gradually(&self) -> bool {
        matches!(
            self,
            DeploymentStrategy::Linear { .. } | DeploymentStrategy::Canary { .. }
        )
    }

    /// The bake time, when given.
    pub fn bake_time(&self) -> Option<u32> {
        match self {
            DeploymentStrategy::Rolling { bake_time_minutes }
            | DeploymentStrategy::BlueGreen { bake_time_minutes }
            | DeploymentStrategy::Linear {
                bake_time_minutes, ..
            }
            | DeploymentStrategy::Canary {
                bake_time_minutes, ..
            } => *bake_time_minutes,
        }
    }

    fn l1(&self) -> sv::Strategy {
        match self {
            DeploymentStrategy::Rolling { .. } => sv::Strategy::Rolling,
            DeploymentStrategy::BlueGreen { .. } => sv::Strategy::BlueGreen,
            DeploymentStrategy::Linear { .. } => sv::Strategy::Linear,
            DeploymentStrategy::Canary { .. } => sv::Strategy::Canary,
        }
    }

    /// Checks ranges: bake times 0 to 1440, percents and their 0.1 steps, and
    /// CloudFormation's 33-hour ceiling on the whole deployment.
    pub(crate) fn check(&self, path: &str) -> Result<()> {
        let bad = |prop: &str, msg: String| Err(ConstructError::invalid(path, prop, msg));
        let minutes = |prop: &str, m: Option<u32>| -> Result<()> {
            match m {
                Some(m) if m > MAX_BAKE_MINUTES => bad(
                    prop,
                    format!("{m} minutes is too long; allowed: 0 to {MAX_BAKE_MINUTES} minutes (24 hours)"),
                ),
                _ => Ok(()),
            }
        };
        minutes("deployment_strategy.bake_time_minutes", self.bake_time())?;
        let tenth = |p: f64| ((p * 10.0).round() - p * 10.0).abs() < 1e-6;
        match *self {
            DeploymentStrategy::Linear {
                step_percent,
                step_bake_time_minutes,
                bake_time_minutes,
            } => {
                if !(3.0..=100.0).contains(&step_percent) || !tenth(step_percent) {
                    return bad(
                        "deployment_strategy.step_percent",
                        format!(
                            "step_percent is {step_percent}; allowed: 3 to 100 in steps of 0.1"
                        ),
                    );
                }
                minutes(
                    "deployment_strategy.step_bake_time_minutes",
                    step_bake_time_minutes,
                )?;
                // CloudFormation: bake + step bake × steps, where a step percent that
                // divides 100 has (100 / p) - 1 steps, else floor(100 / p).
                let per = 100.0 / step_percent;
                let steps = if (per - per.round()).abs() < 1e-9 {
                    per.round() as u32 - 1
                } else {
                    per.floor() as u32
                };
                let total = bake_time_minutes.unwrap_or(DEFAULT_BAKE_MINUTES)
                    + step_bake_time_minutes.unwrap_or(6) * steps;
                if total > MAX_CFN_DEPLOYMENT_MINUTES {
                    return bad(
                        "deployment_strategy",
                        format!(
                            "a linear deployment of {steps} steps of {} minutes and {} minutes of bake time takes {total} minutes; CloudFormation rejects deployments over {MAX_CFN_DEPLOYMENT_MINUTES} minutes (33 hours): use bigger steps or shorter bake times",
                            step_bake_time_minutes.unwrap_or(6),
                            bake_time_minutes.unwrap_or(DEFAULT_BAKE_MINUTES)
                        ),
                    );
                }
            }
            DeploymentStrategy::Canary {
                canary_percent,
                canary_bake_time_minutes,
                bake_time_minutes,
            } => {
                if !(0.1..=100.0).contains(&canary_percent) || !tenth(canary_percent) {
                    return bad(
                        "deployment_strategy.canary_percent",
                        format!(
                            "canary_percent is {canary_percent}; allowed: 0.1 to 100 in steps of 0.1"
                        ),
                    );
                }
                minutes(
                    "deployment_strategy.canary_bake_time_minutes",
                    canary_bake_time_minutes,
                )?;
                let total = bake_time_minutes.unwrap_or(DEFAULT_BAKE_MINUTES)
                    + canary_bake_time_minutes.unwrap_or(10);
                if total > MAX_CFN_DEPLOYMENT_MINUTES {
                    return bad(
                        "deployment_strategy",
                        format!("a canary deployment with {total} minutes of bake time exceeds CloudFormation's {MAX_CFN_DEPLOYMENT_MINUTES} minutes (33 hours)"),
                    );
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Writes the strategy into a deployment configuration.
    pub(crate) fn render(&self, dc: &mut sv::DeploymentConfiguration) {
        dc.strategy = Some(self.l1().into());
        dc.bake_time_in_minutes = self.bake_time().map(|m| i64::from(m).into());
        match *self {
            DeploymentStrategy::Linear {
                step_percent,
                step_bake_time_minutes,
                ..
            } => {
                dc.linear_configuration = Some(
                    sv::LinearConfiguration {
                        step_bake_time_in_minutes: step_bake_time_minutes
                            .map(|m| i64::from(m).into()),
                        step_percent: Some(step_percent.into()),
                    }
                    .into(),
                );
            }
            DeploymentStrategy::Canary {
                canary_percent,
                canary_bake_time_minutes,
                ..
            } => {
                dc.canary_configuration = Some(
                    sv::CanaryConfiguration {
                        canary_bake_time_in_minutes: canary_bake_time_minutes
                            .map(|m| i64::from(m).into()),
                        canary_percent: Some(canary_percent.into()),
                    }
                    .into(),
                );
            }
            _ => {}
        }
    }
}

/// The longest bake time ECS takes, in minutes.
pub const MAX_BAKE_MINUTES: u32 = 1440;
/// ECS's bake time when none is given for blue/green, linear and canary.
pub const DEFAULT_BAKE_MINUTES: u32 = 15;
/// The longest deployment CloudFormation accepts for linear and canary, in minutes.
pub const MAX_CFN_DEPLOYMENT_MINUTES: u32 = 33 * 60;

/// Which controller deploys the service (CDK's `DeploymentControllerType`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DeploymentController {
    /// ECS itself (every [`DeploymentStrategy`]). The default.
    #[default]
    Ecs,
    /// CodeDeploy (its own blue/green, configured outside the service).
    CodeDeploy,
    /// An external controller (task sets managed by another tool).
    External,
}

impl DeploymentController {
    pub(crate) fn l1(self) -> sv::DeploymentControllerType {
        match self {
            DeploymentController::Ecs => sv::DeploymentControllerType::Ecs,
            DeploymentController::CodeDeploy => sv::DeploymentControllerType::CodeDeploy,
            DeploymentController::External => sv::DeploymentControllerType::External,
        }
    }

    /// ECS's name.
    pub fn name(self) -> &'static str {
        self.l1().as_str()
    }
}

/// A stage of a blue/green, linear or canary deployment where a [`LifecycleHook`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LifecycleStage {
    /// A new deployment starts while more than one revision is active.
    ReconcileService,
    /// Before the green revision starts (blue serves all traffic).
    PreScaleUp,
    /// Green runs; blue serves all production traffic, no test traffic yet.
    PostScaleUp,
    /// Test traffic moves to green (Lambda hooks only).
    TestTrafficShift,
    /// Green serves all test traffic.
    PostTestTrafficShift,
    /// Before production traffic moves (before every step of linear and canary).
    PreProductionTrafficShift,
    /// Production traffic moves to green (every step; Lambda hooks only).
    ProductionTrafficShift,
    /// Green serves all production traffic.
    PostProductionTrafficShift,
}

impl LifecycleStage {
    /// ECS's name (`POST_TEST_TRAFFIC_SHIFT`).
    pub fn name(self) -> &'static str {
        self.l1().as_str()
    }

    /// Whether a `PAUSE` hook may wait here (not while traffic moves).
    pub fn allows_pause(self) -> bool {
        !matches!(
            self,
            LifecycleStage::TestTrafficShift | LifecycleStage::ProductionTrafficShift
        )
    }

    fn l1(self) -> sv::LifecycleStage {
        match self {
            LifecycleStage::ReconcileService => sv::LifecycleStage::ReconcileService,
            LifecycleStage::PreScaleUp => sv::LifecycleStage::PreScaleUp,
            LifecycleStage::PostScaleUp => sv::LifecycleStage::PostScaleUp,
            LifecycleStage::TestTrafficShift => sv::LifecycleStage::TestTrafficShift,
            LifecycleStage::PostTestTrafficShift => sv::LifecycleStage::PostTestTrafficShift,
            LifecycleStage::PreProductionTrafficShift => {
                sv::LifecycleStage::PreProductionTrafficShift
            }
            LifecycleStage::ProductionTrafficShift => sv::LifecycleStage::ProductionTrafficShift,
            LifecycleStage::PostProductionTrafficShift => {
                sv::LifecycleStage::PostProductionTrafficShift
            }
        }
    }
}

/// What ECS does when a hook is not answered in time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HookTimeoutAction {
    /// Roll the deployment back (ECS's default).
    #[default]
    Rollback,
    /// Go on to the next stage.
    Continue,
}

impl HookTimeoutAction {
    fn l1(self) -> sv::Action {
        match self {
            HookTimeoutAction::Rollback => sv::Action::Rollback,
            HookTimeoutAction::Continue => sv::Action::Continue,
        }
    }
}

/// What a lifecycle hook runs.
#[derive(Clone, Debug, PartialEq)]
pub enum HookTarget {
    /// A Lambda function (ARN), invoked by ECS through `role`, or through a role
    /// `<id>Role` under the service allowed to invoke exactly that function.
    Lambda {
        /// The hook's construct id (its role is `<id>Role`, CDK's id).
        id: String,
        /// The function's ARN.
        function_arn: Value,
        /// The role ECS invokes it with. Default: a new one.
        role: Option<Role>,
    },
    /// Pause until `ContinueServiceDeployment` (`berth deployment continue`, or an
    /// answer to `berth deploy`) or the timeout.
    Pause,
}

/// A lifecycle hook of a blue/green, linear or canary deployment (CDK's
/// `DeploymentLifecycleLambdaTarget`, plus ECS's `PAUSE` hooks).
///
/// Build one with [`LifecycleHook::lambda`] or [`LifecycleHook::pause`] and pass it in
/// the service's (or pattern's) `lifecycle_hooks`, or to
/// [`super::BaseService::add_lifecycle_hook`]. A `PAUSE` hook cannot wait at
/// `TEST_TRAFFIC_SHIFT` or `PRODUCTION_TRAFFIC_SHIFT` (ECS refuses it; so does berth,
/// naming the construct path and the stage).
#[derive(Clone, Debug, PartialEq)]
pub struct LifecycleHook {
    /// What runs.
    pub target: HookTarget,
    /// Where it runs (at least one).
    pub stages: Vec<LifecycleStage>,
    /// How long ECS waits for it, in minutes (1 to 20160). Default: ECS's 1440.
    pub timeout_minutes: Option<u32>,
    /// What ECS does then. Default: ECS's roll back.
    pub timeout_action: Option<HookTimeoutAction>,
    /// Parameters ECS passes to a Lambda hook (a JSON object). Default: none.
    pub hook_details: Option<serde_json::Value>,
}

impl LifecycleHook {
    /// Invokes the Lambda function `function_arn` at `stages`; `id` names its invoke
    /// role (`<id>Role` under the service).
    pub fn lambda(
        id: impl Into<String>,
        function_arn: impl Into<Value>,
        stages: impl IntoIterator<Item = LifecycleStage>,
    ) -> Self {
        LifecycleHook {
            target: HookTarget::Lambda {
                id: id.into(),
                function_arn: function_arn.into(),
                role: None,
            },
            stages: stages.into_iter().collect(),
            timeout_minutes: None,
            timeout_action: None,
            hook_details: None,
        }
    }

    /// Pauses the deployment at `stages` until it is answered (or times out).
    pub fn pause(stages: impl IntoIterator<Item = LifecycleStage>) -> Self {
        LifecycleHook {
            target: HookTarget::Pause,
            stages: stages.into_iter().collect(),
            timeout_minutes: None,
            timeout_action: None,
            hook_details: None,
        }
    }

    /// Waits at most `minutes` for the hook.
    pub fn timeout_minutes(mut self, minutes: u32) -> Self {
        self.timeout_minutes = Some(minutes);
        self
    }

    /// What ECS does when the hook times out.
    pub fn on_timeout(mut self, action: HookTimeoutAction) -> Self {
        self.timeout_action = Some(action);
        self
    }

    /// Parameters for a Lambda hook (a JSON object).
    pub fn hook_details(mut self, details: serde_json::Value) -> Self {
        self.hook_details = Some(details);
        self
    }

    /// Invokes a Lambda hook through this role instead of a new one.
    pub fn role(mut self, role: Role) -> Self {
        if let HookTarget::Lambda { role: r, .. } = &mut self.target {
            *r = Some(role);
        }
        self
    }

    /// Checks the hook (`property` is where it sits, `lifecycle_hooks[0]`).
    pub(crate) fn check(&self, path: &str, property: &str) -> Result<()> {
        let bad = |prop: String, msg: String| Err(ConstructError::invalid(path, prop, msg));
        if self.stages.is_empty() {
            return bad(
                format!("{property}.stages"),
                "a lifecycle hook needs at least one stage".into(),
            );
        }
        for (i, st) in self.stages.iter().enumerate() {
            if self.stages[..i].contains(st) {
                return bad(
                    format!("{property}.stages"),
                    format!("stage {} is listed twice", st.name()),
                );
            }
        }
        if self.target == HookTarget::Pause {
            if let Some(st) = self.stages.iter().find(|s| !s.allows_pause()) {
                return bad(
                    format!("{property}.stages"),
                    format!(
                        "a PAUSE hook cannot wait at {} (traffic is moving then; ECS allows only Lambda hooks there); pause at {} instead",
                        st.name(),
                        match st {
                            LifecycleStage::TestTrafficShift => "POST_TEST_TRAFFIC_SHIFT",
                            _ => "PRE_PRODUCTION_TRAFFIC_SHIFT or POST_PRODUCTION_TRAFFIC_SHIFT",
                        }
                    ),
                );
            }
            if self.hook_details.is_some() {
                return bad(
                    format!("{property}.hook_details"),
                    "hook details are passed to Lambda hooks; a PAUSE hook takes none".into(),
                );
            }
        }
        if let Some(t) = self.timeout_minutes {
            if !(1..=20160).contains(&t) {
                return bad(
                    format!("{property}.timeout_minutes"),
                    format!("timeout_minutes is {t}; allowed: 1 to 20160 (14 days)"),
                );
            }
        }
        if let Some(d) = &self.hook_details {
            if !d.is_object() {
                return bad(
                    format!("{property}.hook_details"),
                    format!("hook details must be a JSON object, got {d}"),
                );
            }
        }
        if let HookTarget::Lambda { id, .. } = &self.target {
            if id.is_empty() {
                return bad(
                    format!("{property}.id"),
                    "a Lambda hook needs an id (its invoke role is <id>Role)".into(),
                );
            }
        }
        Ok(())
    }

    /// The L1 hook; a Lambda hook without a role gets one under `service`.
    pub(crate) fn render(
        &self,
        app: &mut App,
        service: NodeId,
    ) -> Result<sv::DeploymentLifecycleHook> {
        let stages = Some(Expr::Lit(
            self.stages.iter().map(|s| s.l1().into()).collect(),
        ));
        let timeout =
            (self.timeout_minutes.is_some() || self.timeout_action.is_some()).then(|| {
                sv::HookTimeoutConfig {
                    action: self.timeout_action.map(|a| a.l1().into()),
                    timeout_in_minutes: self.timeout_minutes.map(|m| i64::from(m).into()),
                }
                .into()
            });
        let (target_type, target_arn, role_arn) = match &self.target {
            HookTarget::Pause => (sv::TargetType::Pause, None, None),
            HookTarget::Lambda {
                id,
                function_arn,
                role,
            } => {
                let role = match role {
                    Some(r) => *r,
                    None => {
                        let r = Role::new(
                            app,
                            service,
                            &format!("{id}Role"),
                            RoleProps::new(Principal::service("ecs.amazonaws.com")),
                        )?;
                        // As CDK's `grantInvoke`: the function and its versions.
                        r.add_to_policy(
                            app,
                            PolicyStatement::allow()
                                .action("lambda:InvokeFunction")
                                .resources([
                                    function_arn.clone(),
                                    crate::iam::join([function_arn.clone(), Value::from(":*")]),
                                ]),
                        )?;
                        r
                    }
                };
                (
                    sv::TargetType::AwsLambda,
                    Some(value_expr(function_arn.clone())),
                    Some(role.role_arn().into()),
                )
            }
        };
        Ok(sv::DeploymentLifecycleHook {
            hook_details: self
                .hook_details
                .as_ref()
                .map(|d| Expr::Lit(Value::from_json(d))),
            hook_target_arn: target_arn,
            lifecycle_stages: stages,
            role_arn,
            target_type: Some(target_type.into()),
            timeout_configuration: timeout,
        })
    }
}

/// What a deployment alarm in ALARM does (CDK's `AlarmBehavior`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AlarmBehavior {
    /// Roll back to the last completed deployment (the default).
    #[default]
    RollbackOnAlarm,
    /// Fail the deployment and leave it.
    FailOnAlarm,
}

props! {
    /// CloudWatch alarms ECS watches during a deployment and its bake time
    /// (`DeploymentConfiguration.Alarms`, CDK's `deploymentAlarms`).
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct DeploymentAlarms {
        /// The alarms' names (literals or tokens, e.g. an alarm's `Ref`). At least one.
        pub alarm_names: Vec<Value>,
        /// What an alarm in ALARM does. Default: roll back.
        pub behavior: AlarmBehavior,
    }
}

impl DeploymentAlarms {
    /// These alarms, rolling back.
    pub fn new<V: Into<Value>>(alarm_names: impl IntoIterator<Item = V>) -> Self {
        DeploymentAlarms {
            alarm_names: alarm_names.into_iter().map(Into::into).collect(),
            behavior: AlarmBehavior::RollbackOnAlarm,
        }
    }

    pub(crate) fn render(&self) -> sv::DeploymentAlarms {
        sv::DeploymentAlarms {
            alarm_names: Some(Expr::Lit(
                self.alarm_names.iter().cloned().map(value_expr).collect(),
            )),
            enable: Some(true.into()),
            rollback: Some((self.behavior == AlarmBehavior::RollbackOnAlarm).into()),
        }
    }
}

/// The listener rule (application load balancer) or listener (network load
/// balancer) ECS moves traffic on (CDK's `ListenerRuleConfiguration`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListenerRuleConfiguration {
    /// A rule of an application listener.
    ApplicationListenerRule(ListenerRule),
    /// A network listener.
    NetworkListener(Listener),
}

impl ListenerRuleConfiguration {
    /// The rule's (or listener's) ARN.
    pub fn arn(&self) -> Token<String> {
        match self {
            ListenerRuleConfiguration::ApplicationListenerRule(r) => r.listener_rule_arn(),
            ListenerRuleConfiguration::NetworkListener(l) => l.listener_arn(),
        }
    }

    pub(crate) fn node(&self) -> NodeId {
        use crate::app::Scope;
        match self {
            ListenerRuleConfiguration::ApplicationListenerRule(r) => r.node(),
            ListenerRuleConfiguration::NetworkListener(l) => l.node(),
        }
    }
}

impl From<ListenerRule> for ListenerRuleConfiguration {
    fn from(r: ListenerRule) -> Self {
        ListenerRuleConfiguration::ApplicationListenerRule(r)
    }
}

props! {
    /// Where a blue/green, linear or canary deployment puts the green revision behind
    /// a load balancer (CDK's `AlternateTarget`): `LoadBalancers[].AdvancedConfiguration`.
    /// Pass it with [`crate::elbv2::EcsServiceTarget::with_alternate_target`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct AlternateTarget {
        /// The construct id; a new role is `<id>Role` under the service. Default:
        /// `LBAlternateOptions` (CDK's).
        pub id: String,
        /// The green revision's target group. Required.
        pub alternate_target_group: TargetGroup,
        /// The production listener rule (ALB) or listener (NLB). Required.
        pub production_listener: ListenerRuleConfiguration,
        /// The test listener rule (ALB) or listener (NLB). Default: none.
        pub test_listener: Option<ListenerRuleConfiguration>,
        /// The infrastructure role ECS shifts traffic with. Default: a new role with
        /// `AmazonECSInfrastructureRolePolicyForLoadBalancers`.
        pub role: Option<Role>,
    }
}

impl AlternateTarget {
    /// Green in `alternate_target_group`, production traffic on `production_listener`.
    pub fn new(
        alternate_target_group: TargetGroup,
        production_listener: impl Into<ListenerRuleConfiguration>,
    ) -> Self {
        AlternateTarget {
            id: "LBAlternateOptions".into(),
            alternate_target_group,
            production_listener: production_listener.into(),
            test_listener: None,
            role: None,
        }
    }

    /// The L1 advanced configuration; creates the role under `service` when none was
    /// given, and makes the service wait for the listener rules.
    pub(crate) fn render(
        &self,
        app: &mut App,
        service: NodeId,
    ) -> Result<sv::AdvancedConfiguration> {
        let role = match self.role {
            Some(r) => r,
            None => Role::new(
                app,
                service,
                &format!("{}Role", self.id),
                RoleProps::new(Principal::service("ecs.amazonaws.com")).managed_policies([
                    ManagedPolicy::aws_managed(LOAD_BALANCER_INFRASTRUCTURE_POLICY),
                ]),
            )?,
        };
        Ok(sv::AdvancedConfiguration {
            alternate_target_group_arn: Some(self.alternate_target_group.target_group_arn().into()),
            production_listener_rule: Some(self.production_listener.arn().into()),
            role_arn: Some(role.role_arn().into()),
            test_listener_rule: self.test_listener.map(|t| t.arn().into()),
        })
    }
}

impl crate::props::IntoProp<Option<ListenerRuleConfiguration>> for ListenerRule {
    fn into_prop(self) -> Option<ListenerRuleConfiguration> {
        Some(self.into())
    }
}
