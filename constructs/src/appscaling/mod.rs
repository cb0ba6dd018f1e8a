//! Application Auto Scaling: [`ScalableTarget`] with target tracking, scheduled and
//! step scaling policies, and [`ScalableTaskCount`], the scalable desired count of an
//! ECS service that `service.auto_scale_task_count(..)` returns.
//!
//! The module is named `appscaling` (not `autoscaling`) because it wraps
//! `AWS::ApplicationAutoScaling::*`; `autoscaling` stays free for EC2 Auto Scaling
//! groups (`AWS::AutoScaling::*`), which ECS capacity providers need. CDK has the same
//! split (`aws-applicationautoscaling` vs `aws-autoscaling`).
//!
//! Every policy names its target by `ScalingTargetId` (a `Ref` to the
//! `AWS::ApplicationAutoScaling::ScalableTarget`), so CloudFormation orders them
//! without a `DependsOn`.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use berth_constructs::appscaling::{CpuUtilizationScalingProps, ScalableTaskCount, ScalableTaskCountProps};
//! use berth_constructs::{App, Stack, StackProps};
//!
//! let mut app = App::new();
//! let stack = Stack::new(&mut app, "Web", StackProps::default())?;
//! let count = ScalableTaskCount::new(&mut app, stack, "TaskCount", ScalableTaskCountProps {
//!     cluster_name: "main".into(),
//!     service_name: "web".into(),
//!     min_capacity: 2,
//!     max_capacity: 10,
//!     role_arn: None,
//! })?;
//! count.scale_on_cpu_utilization(&mut app, "CpuScaling", CpuUtilizationScalingProps {
//!     target_utilization_percent: 60.0,
//!     ..Default::default()
//! })?;
//! let out = app.synth()?;
//! let res = &out.stacks[0].template["Resources"];
//! let id = |p: &[&str]| berth_synth::logical_id::make_unique_id(p).unwrap_or_default();
//! let target = id(&["TaskCount", "Target", "Resource"]);
//! assert_eq!(res[&target]["Properties"]["ResourceId"], "service/main/web");
//! let policy = &res[&id(&["TaskCount", "Target", "CpuScaling", "Resource"])]["Properties"];
//! assert_eq!(policy["ScalingTargetId"]["Ref"], target);
//! # Ok(())
//! # }
//! ```

use crate::app::{App, Construct, NodeId, Scope};
use crate::elbv2::{LoadBalancerKind, TargetGroup};
use crate::error::{ConstructError, Result};
use crate::iam::{join, value_expr};
use berth_synth::cfn::applicationautoscaling::{
    scalable_target, scaling_policy, CfnScalableTarget, CfnScalingPolicy,
};
use berth_synth::cfn::cloudwatch::{alarm, CfnAlarm};
use berth_synth::resource::ResourceRef;
use berth_synth::{Expr, Pseudo, Value};
use std::any::Any;
use std::time::Duration;

pub use scalable_target::{ScalableDimension, ServiceNamespace};

#[cfg(test)]
mod tests;

props! {
    /// Options of a [`ScalableTarget`]. All fields but `role_arn` are required.
    #[derive(Clone, Debug, PartialEq)]
    pub struct ScalableTargetProps {
        /// The AWS service (`ecs`, ...).
        pub service_namespace: ServiceNamespace,
        /// The resource, e.g. `service/<cluster>/<service>` for ECS.
        pub resource_id: Value,
        /// What is scaled, e.g. `ecs:service:DesiredCount`.
        pub scalable_dimension: ScalableDimension,
        /// The lowest capacity scaling may set (at most `max_capacity`).
        pub min_capacity: u32,
        /// The highest capacity scaling may set.
        pub max_capacity: u32,
        /// The role Application Auto Scaling uses. Default: for ECS, the service-linked
        /// role `AWSServiceRoleForApplicationAutoScaling_ECSService` (as CDK); otherwise
        /// not set (AWS uses the service-linked role).
        pub role_arn: Option<Value>,
    }
}

#[derive(Debug)]
struct TargetState {
    resource: Option<ResourceRef<CfnScalableTarget>>,
    actions: Vec<scalable_target::ScheduledAction>,
    names: Vec<String>,
}

impl Construct for TargetState {
    fn fqn(&self) -> &'static str {
        "berth.appscaling.ScalableTarget"
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

fn check_min_max(path: &str, min: u32, max: u32) -> Result<()> {
    if min > max {
        return Err(ConstructError::invalid(
            path,
            "min_capacity",
            format!("min_capacity ({min}) must be less than or equal to max_capacity ({max})"),
        ));
    }
    Ok(())
}

/// CDK's `Names.uniqueId`: the path below the app made into an id.
fn unique_id(app: &App, node: NodeId) -> String {
    let ids = app.path_ids(node);
    berth_synth::logical_id::make_unique_id(&ids).unwrap_or_else(|| ids.concat())
}

fn ecs_service_linked_role() -> Value {
    join([
        Value::from("arn:"),
        Pseudo::Partition.token().into(),
        Value::from(":iam::"),
        Pseudo::AccountId.token().into(),
        Value::from(":role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService"),
    ])
}

/// Something Application Auto Scaling scales. Its L1 child is `Resource`
/// (`AWS::ApplicationAutoScaling::ScalableTarget`); policies are children of it (as
/// CDK), each with an L1 `Resource`.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::appscaling::{
///     PredefinedMetric, ScalableDimension, ScalableTarget, ScalableTargetProps,
///     ServiceNamespace, TargetTrackingProps,
/// };
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
/// let target = ScalableTarget::new(&mut app, stack, "Target", ScalableTargetProps {
///     service_namespace: ServiceNamespace::Ecs,
///     resource_id: "service/main/web".into(),
///     scalable_dimension: ScalableDimension::EcsServiceDesiredCount,
///     min_capacity: 1,
///     max_capacity: 4,
///     role_arn: None,
/// })?;
/// target.scale_to_track_metric(&mut app, "Memory", TargetTrackingProps {
///     target_value: 70.0,
///     ..TargetTrackingProps::new(PredefinedMetric::EcsServiceAverageMemoryUtilization)
/// })?;
/// let out = app.synth()?;
/// let res = &out.stacks[0].template["Resources"];
/// let target = berth_synth::logical_id::make_unique_id(&["Target", "Resource"]).ok_or("an invalid construct id")?;
/// let policy = berth_synth::logical_id::make_unique_id(&["Target", "Memory", "Resource"]).ok_or("an invalid construct id")?;
/// assert_eq!(res[&target]["Properties"]["MaxCapacity"], 4);
/// assert_eq!(res[&policy]["Properties"]["ScalingTargetId"]["Ref"], target);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScalableTarget {
    node: NodeId,
    resource: ResourceRef<CfnScalableTarget>,
}

impl Scope for ScalableTarget {
    fn node(&self) -> NodeId {
        self.node
    }
}

/// A predefined metric for target tracking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PredefinedMetric {
    /// `ECSServiceAverageCPUUtilization` (percent).
    EcsServiceAverageCpuUtilization,
    /// `ECSServiceAverageMemoryUtilization` (percent).
    EcsServiceAverageMemoryUtilization,
    /// `ALBRequestCountPerTarget` (needs a resource label:
    /// `<load balancer full name>/<target group full name>`).
    AlbRequestCountPerTarget,
}

impl PredefinedMetric {
    fn l1(self) -> scaling_policy::PredefinedMetricSpecificationPredefinedMetricType {
        use scaling_policy::PredefinedMetricSpecificationPredefinedMetricType as T;
        match self {
            PredefinedMetric::EcsServiceAverageCpuUtilization => T::EcsServiceAverageCpuUtilization,
            PredefinedMetric::EcsServiceAverageMemoryUtilization => {
                T::EcsServiceAverageMemoryUtilization
            }
            PredefinedMetric::AlbRequestCountPerTarget => T::AlbRequestCountPerTarget,
        }
    }
}

props! {
    /// Options of a target tracking policy.
    #[derive(Clone, Debug, PartialEq)]
    pub struct TargetTrackingProps {
        /// The metric.
        pub predefined_metric: PredefinedMetric,
        /// The value to keep the metric at. Required (must be positive).
        pub target_value: f64,
        /// The resource label (`ALBRequestCountPerTarget` only, where it is required).
        /// Default: none.
        pub resource_label: Option<Value>,
        /// Seconds after a scale-in before the next one. Default: not set (300).
        pub scale_in_cooldown_seconds: Option<u32>,
        /// Seconds after a scale-out before the next one. Default: not set (300).
        pub scale_out_cooldown_seconds: Option<u32>,
        /// Never scale in through this policy. Default: false.
        pub disable_scale_in: bool,
        /// The policy name. Default: the policy's unique id (as CDK).
        pub policy_name: Option<String>,
    }
}

impl TargetTrackingProps {
    /// Props tracking `metric`; set `target_value` too.
    pub fn new(metric: PredefinedMetric) -> Self {
        TargetTrackingProps {
            predefined_metric: metric,
            target_value: 0.0,
            resource_label: None,
            scale_in_cooldown_seconds: None,
            scale_out_cooldown_seconds: None,
            disable_scale_in: false,
            policy_name: None,
        }
    }
}

/// A scaling policy. Its L1 is `Resource` (`AWS::ApplicationAutoScaling::ScalingPolicy`).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::appscaling::{ScalableTaskCount, ScalableTaskCountProps, UtilizationScalingProps};
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
/// let count = ScalableTaskCount::new(&mut app, stack, "TaskCount", ScalableTaskCountProps {
///     cluster_name: "main".into(), service_name: "web".into(),
///     min_capacity: 1, max_capacity: 3, role_arn: None,
/// })?;
/// let policy = count.scale_on_memory_utilization(&mut app, "Memory", UtilizationScalingProps {
///     target_utilization_percent: 80.0,
///     policy_name: Some("web-memory".into()),
///     ..Default::default()
/// })?;
/// assert!(policy.policy_arn().is_token());
/// let out = app.synth()?;
/// let id = berth_synth::logical_id::make_unique_id(&["TaskCount", "Target", "Memory", "Resource"]).ok_or("an invalid construct id")?;
/// assert_eq!(out.stacks[0].template["Resources"][&id]["Properties"]["PolicyName"], "web-memory");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScalingPolicy {
    node: NodeId,
    resource: ResourceRef<CfnScalingPolicy>,
}

impl Scope for ScalingPolicy {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl ScalingPolicy {
    /// The policy's ARN (`Ref`), what an alarm action needs.
    pub fn policy_arn(&self) -> Value {
        self.resource.ref_().into()
    }
    /// The L1 policy, for escape hatches.
    pub fn cfn(&self) -> ResourceRef<CfnScalingPolicy> {
        self.resource
    }
}

/// When a scheduled action runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// A raw expression: `cron(...)`, `rate(...)` or `at(...)`.
    Expression(String),
    /// Every so often (whole minutes, at least one).
    Rate(Duration),
    /// Once, at a UTC time `yyyy-mm-ddThh:mm:ss`.
    At(String),
}

props! {
    /// The fields of a cron schedule; `None` is `*` (and day/week day are made
    /// exclusive with `?`, as Application Auto Scaling requires).
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct CronOptions {
        /// Minute (0-59). Default: `*`.
        pub minute: Option<String>,
        /// Hour (0-23). Default: `*`.
        pub hour: Option<String>,
        /// Day of month. Default: `*`, or `?` when `week_day` is given.
        pub day: Option<String>,
        /// Month. Default: `*`.
        pub month: Option<String>,
        /// Day of week (`MON-FRI`). Default: `?`.
        pub week_day: Option<String>,
        /// Year. Default: `*`.
        pub year: Option<String>,
    }
}

impl Schedule {
    /// A cron schedule, as CDK's `Schedule.cron`: `cron(min hour day month wd year)`.
    pub fn cron(o: CronOptions) -> Schedule {
        let star = |v: &Option<String>| v.clone().unwrap_or_else(|| "*".into());
        let day = match (&o.day, &o.week_day) {
            (Some(d), _) => d.clone(),
            (None, Some(_)) => "?".into(),
            (None, None) => "*".into(),
        };
        let week_day = o.week_day.clone().unwrap_or_else(|| "?".into());
        Schedule::Expression(format!(
            "cron({} {} {} {} {} {})",
            star(&o.minute),
            star(&o.hour),
            day,
            star(&o.month),
            week_day,
            star(&o.year)
        ))
    }

    /// Every `interval` (whole minutes).
    pub fn rate(interval: Duration) -> Schedule {
        Schedule::Rate(interval)
    }

    /// Once, at `timestamp` (`2026-12-24T18:00:00`, UTC unless a time zone is given).
    pub fn at(timestamp: impl Into<String>) -> Schedule {
        Schedule::At(timestamp.into())
    }

    fn render(&self, path: &str) -> Result<String> {
        let bad = |m: String| Err(ConstructError::invalid(path, "schedule", m));
        match self {
            Schedule::Expression(e) => {
                if ["cron(", "rate(", "at("].iter().any(|p| e.starts_with(p)) && e.ends_with(')') {
                    Ok(e.clone())
                } else {
                    bad(format!(
                        "invalid schedule expression \"{e}\": use cron(...), rate(...) or at(...)"
                    ))
                }
            }
            Schedule::Rate(d) => {
                let secs = d.as_secs();
                if secs < 60 || secs % 60 != 0 || d.subsec_nanos() != 0 {
                    return bad(format!(
                        "a rate of {secs} s is not allowed; use whole minutes, at least one"
                    ));
                }
                let m = secs / 60;
                let (n, unit) = if m % 1440 == 0 {
                    (m / 1440, "day")
                } else if m % 60 == 0 {
                    (m / 60, "hour")
                } else {
                    (m, "minute")
                };
                Ok(format!("rate({n} {unit}{})", if n == 1 { "" } else { "s" }))
            }
            Schedule::At(t) => {
                let b = t.as_bytes();
                let ok = b.len() == 19
                    && b.iter().enumerate().all(|(i, c)| match i {
                        4 | 7 => *c == b'-',
                        10 => *c == b'T',
                        13 | 16 => *c == b':',
                        _ => c.is_ascii_digit(),
                    });
                if ok {
                    Ok(format!("at({t})"))
                } else {
                    bad(format!(
                        "invalid time \"{t}\": use yyyy-mm-ddThh:mm:ss, e.g. 2026-12-24T18:00:00"
                    ))
                }
            }
        }
    }
}

props! {
    /// A scheduled change of the capacity limits.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct ScalingSchedule {
        /// When.
        pub schedule: Schedule,
        /// The new minimum. Default: unchanged (one of min and max is required).
        pub min_capacity: Option<u32>,
        /// The new maximum. Default: unchanged.
        pub max_capacity: Option<u32>,
        /// When the schedule starts (`2026-01-01T00:00:00Z`). Default: now.
        pub start_time: Option<String>,
        /// When it ends. Default: never.
        pub end_time: Option<String>,
        /// The IANA time zone of cron and at schedules (`Europe/Paris`). Default: UTC.
        pub time_zone: Option<String>,
    }
}

impl ScalingSchedule {
    /// A schedule with nothing changed yet; set `min_capacity` and/or `max_capacity`.
    pub fn new(schedule: Schedule) -> Self {
        ScalingSchedule {
            schedule,
            min_capacity: None,
            max_capacity: None,
            start_time: None,
            end_time: None,
            time_zone: None,
        }
    }
}

pub use crate::cloudwatch::{Metric, Statistic};

props! {
    /// One step of a step scaling policy: when the metric is in `[lower, upper)`, change
    /// the capacity by `change`. Negative changes scale in (lower alarm), positive ones
    /// scale out (upper alarm).
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub struct ScalingInterval {
        /// The lower bound. Default: none (minus infinity).
        pub lower: Option<f64>,
        /// The upper bound. Default: none (plus infinity).
        pub upper: Option<f64>,
        /// The capacity change (count or percent, per the adjustment type).
        pub change: i64,
    }
}

/// How a step changes the capacity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AdjustmentType {
    /// Add or remove this many.
    #[default]
    ChangeInCapacity,
    /// Add or remove this percentage.
    PercentChangeInCapacity,
}

props! {
    /// Options of a step scaling policy.
    #[derive(Clone, Debug, PartialEq)]
    pub struct StepScalingProps {
        /// The metric the alarms watch.
        pub metric: Metric,
        /// The steps (at least two; each with a lower or an upper bound, no gaps on each
        /// side).
        pub scaling_steps: Vec<ScalingInterval>,
        /// How steps change capacity. Default: change in capacity.
        pub adjustment_type: AdjustmentType,
        /// Seconds after a scaling activity before the next. Default: not set.
        pub cooldown_seconds: Option<u32>,
        /// The smallest change of a percent adjustment. Default: not set.
        pub min_adjustment_magnitude: Option<u32>,
        /// Periods the metric must breach before the alarm fires. Default: 1.
        pub evaluation_periods: u32,
    }
}

impl StepScalingProps {
    /// Step scaling on `metric` with these steps.
    pub fn new(metric: Metric, scaling_steps: Vec<ScalingInterval>) -> Self {
        StepScalingProps {
            metric,
            scaling_steps,
            adjustment_type: AdjustmentType::ChangeInCapacity,
            cooldown_seconds: None,
            min_adjustment_magnitude: None,
            evaluation_periods: 1,
        }
    }
}

/// A step scaling policy: up to two policies (`LowerPolicy`, `UpperPolicy`), each
/// triggered by an alarm (`LowerAlarm`, `UpperAlarm`), as CDK. Step bounds are
/// written relative to the alarm's threshold.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::appscaling::{
///     Metric, ScalableTaskCount, ScalableTaskCountProps, ScalingInterval, StepScalingProps,
/// };
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Worker", StackProps::default())?;
/// let count = ScalableTaskCount::new(&mut app, stack, "TaskCount", ScalableTaskCountProps {
///     cluster_name: "main".into(), service_name: "worker".into(),
///     min_capacity: 0, max_capacity: 20, role_arn: None,
/// })?;
/// let steps = count.scale_on_metric(&mut app, "QueueDepth", StepScalingProps::new(
///     Metric::new("AWS/SQS", "ApproximateNumberOfMessagesVisible").with_dimension("QueueName", "jobs"),
///     vec![
///         ScalingInterval { lower: None, upper: Some(0.0), change: -1 },
///         ScalingInterval { lower: Some(10.0), upper: None, change: 2 },
///     ],
/// ))?;
/// let upper = steps.upper_policy.ok_or("no upper policy")?;
/// let out = app.synth()?;
/// let res = &out.stacks[0].template["Resources"];
/// let id = |p: &[&str]| berth_synth::logical_id::make_unique_id(p).unwrap_or_default();
/// let alarm = &res[&id(&["TaskCount", "Target", "QueueDepth", "UpperAlarm", "Resource"])]["Properties"];
/// assert_eq!(alarm["Threshold"], 10.0);
/// assert_eq!(alarm["AlarmActions"][0]["Ref"], id(&["TaskCount", "Target", "QueueDepth", "UpperPolicy", "Resource"]));
/// assert_eq!(app.path(upper), "Worker/TaskCount/Target/QueueDepth/UpperPolicy");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepScalingPolicy {
    /// The scale-in policy, if any step scales in.
    pub lower_policy: Option<ScalingPolicy>,
    /// The scale-in alarm.
    pub lower_alarm: Option<ResourceRef<CfnAlarm>>,
    /// The scale-out policy, if any step scales out.
    pub upper_policy: Option<ScalingPolicy>,
    /// The scale-out alarm.
    pub upper_alarm: Option<ResourceRef<CfnAlarm>>,
}

impl ScalableTarget {
    /// Creates a scalable target under `scope`. `min_capacity > max_capacity` is an
    /// error.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        props: ScalableTargetProps,
    ) -> Result<ScalableTarget> {
        let path = format!("{}/{id}", app.path(&scope));
        check_min_max(&path, props.min_capacity, props.max_capacity)?;
        let role = props.role_arn.or_else(|| {
            (props.service_namespace == ServiceNamespace::Ecs).then(ecs_service_linked_role)
        });
        let node = app.add_construct(
            scope,
            id,
            TargetState {
                resource: None,
                actions: Vec::new(),
                names: Vec::new(),
            },
        )?;
        let resource = app.add_resource(
            node,
            "Resource",
            CfnScalableTarget {
                max_capacity: Some(props.max_capacity.into()),
                min_capacity: Some(props.min_capacity.into()),
                resource_id: Some(value_expr(props.resource_id)),
                role_arn: role.map(value_expr),
                scalable_dimension: Some(props.scalable_dimension.into()),
                service_namespace: Some(props.service_namespace.into()),
                ..Default::default()
            },
        )?;
        if let Some(s) = app.construct_mut::<TargetState>(node) {
            s.resource = Some(resource);
        }
        Ok(ScalableTarget { node, resource })
    }

    /// The target's id (`Ref`), what a policy's `ScalingTargetId` takes.
    pub fn scalable_target_id(&self) -> Value {
        self.resource.ref_().into()
    }

    /// The L1 scalable target, for escape hatches.
    pub fn cfn(&self) -> ResourceRef<CfnScalableTarget> {
        self.resource
    }

    fn add_policy(
        &self,
        app: &mut App,
        scope: NodeId,
        id: &str,
        name: Option<String>,
        make: impl FnOnce(CfnScalingPolicy) -> CfnScalingPolicy,
    ) -> Result<ScalingPolicy> {
        let node = app.add_group(scope, id)?;
        let name = name.unwrap_or_else(|| unique_id(app, node));
        let base = CfnScalingPolicy {
            policy_name: Some(name.into()),
            scaling_target_id: Some(value_expr(self.scalable_target_id())),
            ..Default::default()
        };
        let resource = app.add_resource(node, "Resource", make(base))?;
        Ok(ScalingPolicy { node, resource })
    }

    /// Adds a target tracking policy `id` (under this target, as CDK).
    pub fn scale_to_track_metric(
        &self,
        app: &mut App,
        id: &str,
        props: TargetTrackingProps,
    ) -> Result<ScalingPolicy> {
        let path = format!("{}/{id}", app.path(self.node));
        if props.target_value.is_nan() || props.target_value <= 0.0 {
            return Err(ConstructError::invalid(
                path,
                "target_value",
                format!(
                    "target value {} is not allowed; give a positive number",
                    props.target_value
                ),
            ));
        }
        let needs_label = props.predefined_metric == PredefinedMetric::AlbRequestCountPerTarget;
        if needs_label != props.resource_label.is_some() {
            return Err(ConstructError::invalid(
                path,
                "resource_label",
                if needs_label {
                    "ALBRequestCountPerTarget needs a resource label (<load balancer full name>/<target group full name>)"
                } else {
                    "only ALBRequestCountPerTarget takes a resource label"
                },
            ));
        }
        let config = scaling_policy::TargetTrackingScalingPolicyConfiguration {
            disable_scale_in: props.disable_scale_in.then_some(true.into()),
            predefined_metric_specification: Some(Expr::Lit(
                scaling_policy::PredefinedMetricSpecification {
                    predefined_metric_type: Some(props.predefined_metric.l1().into()),
                    resource_label: props.resource_label.map(value_expr),
                },
            )),
            scale_in_cooldown: props.scale_in_cooldown_seconds.map(Into::into),
            scale_out_cooldown: props.scale_out_cooldown_seconds.map(Into::into),
            target_value: Some(props.target_value.into()),
            ..Default::default()
        };
        self.add_policy(app, self.node, id, props.policy_name, |p| {
            CfnScalingPolicy {
                policy_type: Some(scaling_policy::PolicyType::TargetTrackingScaling.into()),
                target_tracking_scaling_policy_configuration: Some(Expr::Lit(config)),
                ..p
            }
        })
    }

    /// Adds a scheduled action named `id` to the target.
    pub fn scale_on_schedule(
        &self,
        app: &mut App,
        id: &str,
        action: ScalingSchedule,
    ) -> Result<()> {
        let path = app.path(self.node);
        let schedule = action.schedule.render(&path)?;
        match (action.min_capacity, action.max_capacity) {
            (None, None) => {
                return Err(ConstructError::invalid(
                    path,
                    "scheduled action",
                    format!("scheduled action \"{id}\" changes nothing; give min_capacity, max_capacity or both"),
                ))
            }
            (Some(min), Some(max)) => check_min_max(&path, min, max)?,
            _ => {}
        }
        let state = app
            .construct_mut::<TargetState>(self.node)
            .expect("a ScalableTarget handle points at a scalable target");
        if state.names.iter().any(|n| n == id) {
            return Err(ConstructError::invalid(
                path,
                "scheduled action",
                format!("there is already a scheduled action named \"{id}\"; names must be unique per target"),
            ));
        }
        state.names.push(id.to_owned());
        state.actions.push(scalable_target::ScheduledAction {
            end_time: action.end_time.map(Into::into),
            scalable_target_action: Some(Expr::Lit(scalable_target::ScalableTargetAction {
                max_capacity: action.max_capacity.map(Into::into),
                min_capacity: action.min_capacity.map(Into::into),
            })),
            schedule: Some(schedule.into()),
            scheduled_action_name: Some(id.into()),
            start_time: action.start_time.map(Into::into),
            timezone: action.time_zone.map(Into::into),
        });
        let list = state.actions.clone();
        app.resource_mut(self.resource).scheduled_actions = Some(Expr::Lit(list));
        Ok(())
    }

    /// Adds step scaling `id` on a metric: a `LowerPolicy` + `LowerAlarm` for the
    /// steps that scale in, an `UpperPolicy` + `UpperAlarm` for those that scale out.
    pub fn scale_on_metric(
        &self,
        app: &mut App,
        id: &str,
        props: StepScalingProps,
    ) -> Result<StepScalingPolicy> {
        let path = format!("{}/{id}", app.path(self.node));
        let err = |m: String| ConstructError::invalid(path.clone(), "scaling_steps", m);
        if props.scaling_steps.len() < 2 {
            return Err(err("give at least two scaling steps".into()));
        }
        let mut lower: Vec<ScalingInterval> = Vec::new();
        let mut upper: Vec<ScalingInterval> = Vec::new();
        for (i, s) in props.scaling_steps.iter().enumerate() {
            if s.lower.is_none() && s.upper.is_none() {
                return Err(err(format!(
                    "step {i} has neither a lower nor an upper bound"
                )));
            }
            if let (Some(l), Some(u)) = (s.lower, s.upper) {
                if l >= u {
                    return Err(err(format!(
                        "step {i}: lower bound {l} is not below upper bound {u}"
                    )));
                }
            }
            match s.change {
                c if c < 0 => {
                    if s.upper.is_none() {
                        return Err(err(format!(
                            "step {i} scales in, so it needs an upper bound"
                        )));
                    }
                    lower.push(*s);
                }
                c if c > 0 => {
                    if s.lower.is_none() {
                        return Err(err(format!(
                            "step {i} scales out, so it needs a lower bound"
                        )));
                    }
                    upper.push(*s);
                }
                _ => {}
            }
        }
        lower.sort_by(|a, b| {
            a.upper
                .partial_cmp(&b.upper)
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        upper.sort_by(|a, b| {
            a.lower
                .partial_cmp(&b.lower)
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        for w in lower.windows(2) {
            if w[1].lower != w[0].upper {
                return Err(err(format!(
                    "the scale-in steps must meet: a step ends at {} but the next starts at {}",
                    w[0].upper.unwrap_or_default(),
                    w[1].lower
                        .map_or("minus infinity".into(), |l| l.to_string())
                )));
            }
        }
        for w in upper.windows(2) {
            if w[0].upper != w[1].lower {
                return Err(err(format!(
                    "the scale-out steps must meet: a step ends at {} but the next starts at {}",
                    w[0].upper.map_or("infinity".into(), |u| u.to_string()),
                    w[1].lower.unwrap_or_default()
                )));
            }
        }
        if let (Some(l), Some(u)) = (lower.last(), upper.first()) {
            if l.upper > u.lower {
                return Err(err("the scale-in and scale-out steps overlap".into()));
            }
        }
        let group = app.add_group(self.node, id)?;
        let mut out = StepScalingPolicy {
            lower_policy: None,
            lower_alarm: None,
            upper_policy: None,
            upper_alarm: None,
        };
        if let Some(threshold) = lower.last().and_then(|s| s.upper) {
            let n = lower.len();
            let steps = lower
                .iter()
                .enumerate()
                .map(|(i, s)| scaling_policy::StepAdjustment {
                    metric_interval_lower_bound: if i == 0 {
                        None
                    } else {
                        s.lower.map(|l| (l - threshold).into())
                    },
                    metric_interval_upper_bound: Some(
                        (s.upper.unwrap_or(threshold) - threshold).into(),
                    ),
                    scaling_adjustment: Some(s.change.into()),
                })
                .collect::<Vec<_>>();
            debug_assert_eq!(steps.len(), n);
            let (p, a) = self.step_pair(app, group, "Lower", &props, steps, threshold, false)?;
            out.lower_policy = Some(p);
            out.lower_alarm = Some(a);
        }
        if let Some(threshold) = upper.first().and_then(|s| s.lower) {
            let last = upper.len() - 1;
            let steps = upper
                .iter()
                .enumerate()
                .map(|(i, s)| scaling_policy::StepAdjustment {
                    metric_interval_lower_bound: Some(
                        (s.lower.unwrap_or(threshold) - threshold).into(),
                    ),
                    metric_interval_upper_bound: if i == last {
                        None
                    } else {
                        s.upper.map(|u| (u - threshold).into())
                    },
                    scaling_adjustment: Some(s.change.into()),
                })
                .collect::<Vec<_>>();
            let (p, a) = self.step_pair(app, group, "Upper", &props, steps, threshold, true)?;
            out.upper_policy = Some(p);
            out.upper_alarm = Some(a);
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    fn step_pair(
        &self,
        app: &mut App,
        group: NodeId,
        which: &str,
        props: &StepScalingProps,
        steps: Vec<scaling_policy::StepAdjustment>,
        threshold: f64,
        upper: bool,
    ) -> Result<(ScalingPolicy, ResourceRef<CfnAlarm>)> {
        let m = &props.metric;
        let aggregation = match m.statistic {
            Statistic::Minimum => scaling_policy::MetricAggregationType::Minimum,
            Statistic::Maximum => scaling_policy::MetricAggregationType::Maximum,
            _ => scaling_policy::MetricAggregationType::Average,
        };
        let config = scaling_policy::StepScalingPolicyConfiguration {
            adjustment_type: Some(
                match props.adjustment_type {
                    AdjustmentType::ChangeInCapacity => {
                        scaling_policy::AdjustmentType::ChangeInCapacity
                    }
                    AdjustmentType::PercentChangeInCapacity => {
                        scaling_policy::AdjustmentType::PercentChangeInCapacity
                    }
                }
                .into(),
            ),
            cooldown: props.cooldown_seconds.map(Into::into),
            metric_aggregation_type: Some(aggregation.into()),
            min_adjustment_magnitude: props.min_adjustment_magnitude.map(Into::into),
            step_adjustments: Some(Expr::Lit(steps)),
        };
        let policy = self.add_policy(app, group, &format!("{which}Policy"), None, |p| {
            CfnScalingPolicy {
                policy_type: Some(scaling_policy::PolicyType::StepScaling.into()),
                step_scaling_policy_configuration: Some(Expr::Lit(config)),
                ..p
            }
        })?;
        let alarm_node = app.add_group(group, &format!("{which}Alarm"))?;
        let mut cfn = CfnAlarm {
            alarm_actions: Some(Expr::Lit(vec![value_expr(policy.policy_arn())])),
            alarm_description: Some(format!("{} threshold scaling alarm", which).into()),
            comparison_operator: Some(
                if upper {
                    alarm::ComparisonOperator::GreaterThanOrEqualToThreshold
                } else {
                    alarm::ComparisonOperator::LessThanOrEqualToThreshold
                }
                .into(),
            ),
            evaluation_periods: Some(props.evaluation_periods.max(1).into()),
            threshold: Some(threshold.into()),
            ..Default::default()
        };
        m.fill_alarm(&mut cfn);
        let alarm = app.add_resource(alarm_node, "Resource", cfn)?;
        Ok((policy, alarm))
    }
}

props! {
    /// Options of a [`ScalableTaskCount`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct ScalableTaskCountProps {
        /// The cluster's name (`Ref` of an `AWS::ECS::Cluster`).
        pub cluster_name: Value,
        /// The service's name (`Fn::GetAtt Name` of an `AWS::ECS::Service`).
        pub service_name: Value,
        /// The fewest tasks. Must be at most `max_capacity`.
        pub min_capacity: u32,
        /// The most tasks.
        pub max_capacity: u32,
        /// The role. Default: the ECS Application Auto Scaling service-linked role.
        pub role_arn: Option<Value>,
    }
}

props! {
    /// Options of [`ScalableTaskCount::scale_on_cpu_utilization`] and
    /// [`ScalableTaskCount::scale_on_memory_utilization`].
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct UtilizationScalingProps {
        /// The utilization to keep, in percent (required, above 0).
        pub target_utilization_percent: f64,
        /// Seconds after a scale-in before the next one. Default: not set (300).
        pub scale_in_cooldown_seconds: Option<u32>,
        /// Seconds after a scale-out before the next one. Default: not set (300).
        pub scale_out_cooldown_seconds: Option<u32>,
        /// Never scale in through this policy. Default: false.
        pub disable_scale_in: bool,
        /// The policy name. Default: the policy's unique id.
        pub policy_name: Option<String>,
    }
}

impl UtilizationScalingProps {
    /// Keep the utilization at `percent` (e.g. `60.0`), the rest at the defaults.
    pub fn new(percent: f64) -> Self {
        UtilizationScalingProps::default().target_utilization_percent(percent)
    }
}

/// CDK's name for CPU scaling options.
pub type CpuUtilizationScalingProps = UtilizationScalingProps;
/// CDK's name for memory scaling options.
pub type MemoryUtilizationScalingProps = UtilizationScalingProps;

props! {
    /// Options of [`ScalableTaskCount::scale_on_request_count`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct RequestCountScalingProps {
        /// Requests per target to keep (required, above 0).
        pub requests_per_target: u32,
        /// The target group, forwarded to by an application load balancer.
        pub target_group: TargetGroup,
        /// Seconds after a scale-in before the next one. Default: not set (300).
        pub scale_in_cooldown_seconds: Option<u32>,
        /// Seconds after a scale-out before the next one. Default: not set (300).
        pub scale_out_cooldown_seconds: Option<u32>,
        /// Never scale in through this policy. Default: false.
        pub disable_scale_in: bool,
        /// The policy name. Default: the policy's unique id.
        pub policy_name: Option<String>,
    }
}

impl RequestCountScalingProps {
    /// Keep `requests_per_target` requests per target of `target_group`, the rest at
    /// the defaults.
    pub fn new(requests_per_target: u32, target_group: TargetGroup) -> Self {
        RequestCountScalingProps {
            requests_per_target,
            target_group,
            scale_in_cooldown_seconds: None,
            scale_out_cooldown_seconds: None,
            disable_scale_in: false,
            policy_name: None,
        }
    }
}

/// The desired count of an ECS service as a scalable target (CDK's
/// `ScalableTaskCount`): a construct (`TaskCount` in CDK's ECS services) holding a
/// [`ScalableTarget`] `Target` with resource id `service/<cluster>/<service>` and
/// dimension `ecs:service:DesiredCount`.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::appscaling::{
///     ScalableTaskCount, ScalableTaskCountProps, Schedule, ScalingSchedule, CronOptions,
/// };
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
/// let count = ScalableTaskCount::new(&mut app, stack, "TaskCount", ScalableTaskCountProps {
///     cluster_name: "main".into(),
///     service_name: "web".into(),
///     min_capacity: 1,
///     max_capacity: 8,
///     role_arn: None,
/// })?;
/// count.scale_on_schedule(&mut app, "Nightly", ScalingSchedule {
///     min_capacity: Some(0),
///     max_capacity: Some(0),
///     ..ScalingSchedule::new(Schedule::cron(CronOptions { hour: Some("22".into()), minute: Some("0".into()), ..Default::default() }))
/// })?;
/// let out = app.synth()?;
/// let id = berth_synth::logical_id::make_unique_id(&["TaskCount", "Target", "Resource"]).ok_or("an invalid construct id")?;
/// let t = &out.stacks[0].template["Resources"][&id]["Properties"];
/// assert_eq!(t["ScheduledActions"][0]["Schedule"], "cron(0 22 * * ? *)");
/// assert_eq!(t["ScalableDimension"], "ecs:service:DesiredCount");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScalableTaskCount {
    node: NodeId,
    target: ScalableTarget,
}

impl Scope for ScalableTaskCount {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl ScalableTaskCount {
    /// Creates the scalable task count of the service `props.service_name` in
    /// `props.cluster_name`, under `scope` (an ECS service uses `TaskCount` under
    /// itself).
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        props: ScalableTaskCountProps,
    ) -> Result<ScalableTaskCount> {
        let path = format!("{}/{id}", app.path(&scope));
        check_min_max(&path, props.min_capacity, props.max_capacity)?;
        let node = app.add_group(scope, id)?;
        let resource_id = join([
            Value::from("service/"),
            props.cluster_name,
            Value::from("/"),
            props.service_name,
        ]);
        let target = ScalableTarget::new(
            app,
            node,
            "Target",
            ScalableTargetProps {
                service_namespace: ServiceNamespace::Ecs,
                resource_id,
                scalable_dimension: ScalableDimension::EcsServiceDesiredCount,
                min_capacity: props.min_capacity,
                max_capacity: props.max_capacity,
                role_arn: props.role_arn,
            },
        )?;
        Ok(ScalableTaskCount { node, target })
    }

    /// The scalable target.
    pub fn target(&self) -> ScalableTarget {
        self.target
    }

    fn utilization(
        &self,
        app: &mut App,
        id: &str,
        metric: PredefinedMetric,
        props: UtilizationScalingProps,
    ) -> Result<ScalingPolicy> {
        self.target.scale_to_track_metric(
            app,
            id,
            TargetTrackingProps {
                predefined_metric: metric,
                target_value: props.target_utilization_percent,
                resource_label: None,
                scale_in_cooldown_seconds: props.scale_in_cooldown_seconds,
                scale_out_cooldown_seconds: props.scale_out_cooldown_seconds,
                disable_scale_in: props.disable_scale_in,
                policy_name: props.policy_name,
            },
        )
    }

    /// Keeps the service's average CPU utilization at a target
    /// (`ECSServiceAverageCPUUtilization`).
    pub fn scale_on_cpu_utilization(
        &self,
        app: &mut App,
        id: &str,
        props: CpuUtilizationScalingProps,
    ) -> Result<ScalingPolicy> {
        self.utilization(
            app,
            id,
            PredefinedMetric::EcsServiceAverageCpuUtilization,
            props,
        )
    }

    /// Keeps the service's average memory utilization at a target
    /// (`ECSServiceAverageMemoryUtilization`).
    pub fn scale_on_memory_utilization(
        &self,
        app: &mut App,
        id: &str,
        props: MemoryUtilizationScalingProps,
    ) -> Result<ScalingPolicy> {
        self.utilization(
            app,
            id,
            PredefinedMetric::EcsServiceAverageMemoryUtilization,
            props,
        )
    }

    /// Keeps the requests per target of an ALB target group at a target
    /// (`ALBRequestCountPerTarget`, resource label
    /// `<load balancer full name>/<target group full name>`). The target group must
    /// already be forwarded to by an application load balancer.
    pub fn scale_on_request_count(
        &self,
        app: &mut App,
        id: &str,
        props: RequestCountScalingProps,
    ) -> Result<ScalingPolicy> {
        let tg = props.target_group;
        let lb_name = match (tg.first_load_balancer_full_name(app), tg.load_balancer_kind(app)) {
            (Some(n), Some(LoadBalancerKind::Application)) => n,
            _ => {
                return Err(ConstructError::invalid(
                    format!("{}/{id}", app.path(self.target.node)),
                    "target_group",
                    format!(
                        "the target group {} is not attached to an application load balancer; forward to it from an ALB listener first",
                        app.path(tg)
                    ),
                ))
            }
        };
        let label = join([
            lb_name,
            Value::from("/"),
            tg.target_group_full_name().into(),
        ]);
        self.target.scale_to_track_metric(
            app,
            id,
            TargetTrackingProps {
                predefined_metric: PredefinedMetric::AlbRequestCountPerTarget,
                target_value: props.requests_per_target as f64,
                resource_label: Some(label),
                scale_in_cooldown_seconds: props.scale_in_cooldown_seconds,
                scale_out_cooldown_seconds: props.scale_out_cooldown_seconds,
                disable_scale_in: props.disable_scale_in,
                policy_name: props.policy_name,
            },
        )
    }

    /// Changes the limits on a schedule.
    pub fn scale_on_schedule(
        &self,
        app: &mut App,
        id: &str,
        action: ScalingSchedule,
    ) -> Result<()> {
        self.target.scale_on_schedule(app, id, action)
    }

    /// Step scaling on a CloudWatch metric.
    pub fn scale_on_metric(
        &self,
        app: &mut App,
        id: &str,
        props: StepScalingProps,
    ) -> Result<StepScalingPolicy> {
        self.target.scale_on_metric(app, id, props)
    }
}
