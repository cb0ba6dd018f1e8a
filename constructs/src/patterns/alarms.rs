//! The deployment alarms of the load-balanced patterns (`default_alarms`).
//!
//! Written with the generated L1 `CfnAlarm` behind the one helper [`metric_alarm`]
//! until the `cloudwatch` L2s (`Alarm`, `Metric`) land; the helper is the only place
//! that changes then.

use crate::app::{App, NodeId};
use crate::ecs::{AlarmBehavior, BaseService, DeploymentAlarms};
use crate::elbv2::{LoadBalancerKind, TargetGroup};
use crate::error::{ConstructError, Result};
use crate::iam::value_expr;
use berth_synth::cfn::cloudwatch::{alarm, CfnAlarm};
use berth_synth::resource::ResourceRef;
use berth_synth::{Expr, Value};

props! {
    /// Options of the patterns' `default_alarms`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct DefaultAlarmsProps {
        /// HTTP 5xx answers of the targets per minute (application load balancers)
        /// at which the 5xx alarm goes off. Default: 5.
        pub target_5xx_per_minute: u32,
        /// Unhealthy targets at which the unhealthy-hosts alarm goes off. Default: 1.
        pub unhealthy_hosts: u32,
        /// Minutes in a row over the threshold before an alarm goes off. Default: 2.
        pub evaluation_minutes: u32,
        /// Roll back (the default) or only fail the deployment.
        pub behavior: AlarmBehavior,
    }
}

impl Default for DefaultAlarmsProps {
    fn default() -> Self {
        DefaultAlarmsProps {
            target_5xx_per_minute: 5,
            unhealthy_hosts: 1,
            evaluation_minutes: 2,
            behavior: AlarmBehavior::RollbackOnAlarm,
        }
    }
}

/// One metric alarm: `statistic` of `namespace`/`metric` over one-minute periods,
/// `>= threshold` for `evaluation_periods` periods, missing data not breaching.
pub(crate) struct MetricAlarm<'a> {
    pub(crate) namespace: &'a str,
    pub(crate) metric: &'a str,
    pub(crate) dimensions: Vec<(&'a str, Value)>,
    pub(crate) statistic: alarm::Statistic,
    pub(crate) threshold: u32,
    pub(crate) evaluation_periods: u32,
    pub(crate) description: String,
}

/// Creates the alarm `id` (its L1 child `Resource`) under `scope`.
pub(crate) fn metric_alarm(
    app: &mut App,
    scope: NodeId,
    id: &str,
    a: MetricAlarm<'_>,
) -> Result<ResourceRef<CfnAlarm>> {
    let node = app.add_group(scope, id)?;
    app.add_resource(
        node,
        "Resource",
        CfnAlarm {
            alarm_description: Some(a.description.into()),
            comparison_operator: Some(
                alarm::ComparisonOperator::GreaterThanOrEqualToThreshold.into(),
            ),
            dimensions: Some(Expr::Lit(
                a.dimensions
                    .into_iter()
                    .map(|(name, value)| alarm::Dimension {
                        name: Some(name.into()),
                        value: Some(value_expr(value)),
                    })
                    .collect(),
            )),
            evaluation_periods: Some(i64::from(a.evaluation_periods).into()),
            metric_name: Some(a.metric.into()),
            namespace: Some(a.namespace.into()),
            period: Some(60.into()),
            statistic: Some(a.statistic.into()),
            threshold: Some(f64::from(a.threshold).into()),
            treat_missing_data: Some(alarm::TreatMissingData::NotBreaching.into()),
            ..Default::default()
        },
    )
}

/// The patterns' default alarms on `primary` (and `alternate`), made deployment
/// alarms of `service`.
pub(crate) fn default_alarms(
    app: &mut App,
    scope: NodeId,
    service: BaseService,
    primary: TargetGroup,
    alternate: Option<TargetGroup>,
    props: DefaultAlarmsProps,
) -> Result<Vec<ResourceRef<CfnAlarm>>> {
    let path = app.path(scope);
    if props.evaluation_minutes == 0 || props.evaluation_minutes > 60 {
        return Err(ConstructError::invalid(
            path,
            "evaluation_minutes",
            format!(
                "evaluation_minutes is {}; allowed: 1 to 60",
                props.evaluation_minutes
            ),
        ));
    }
    for (name, v) in [
        ("target_5xx_per_minute", props.target_5xx_per_minute),
        ("unhealthy_hosts", props.unhealthy_hosts),
    ] {
        if v == 0 {
            return Err(ConstructError::invalid(
                &path,
                name,
                format!("{name} must be at least 1 (an alarm at 0 is always in ALARM)"),
            ));
        }
    }
    let Some(lb) = primary.first_load_balancer_full_name(app) else {
        return Err(ConstructError::invalid(
            path,
            "target_group",
            "the target group is not behind a load balancer yet",
        ));
    };
    let kind = primary
        .load_balancer_kind(app)
        .unwrap_or(LoadBalancerKind::Application);
    let namespace = match kind {
        LoadBalancerKind::Application => "AWS/ApplicationELB",
        LoadBalancerKind::Network => "AWS/NetworkELB",
    };
    let mut out = Vec::new();
    let groups = std::iter::once(("", primary)).chain(alternate.map(|g| ("Alternate", g)));
    for (prefix, tg) in groups {
        let dims = || {
            vec![
                ("LoadBalancer", lb.clone()),
                ("TargetGroup", Value::from(tg.target_group_full_name())),
            ]
        };
        let which = if prefix.is_empty() {
            "the service's target group"
        } else {
            "the alternate target group (the new revision during a deployment)"
        };
        if kind == LoadBalancerKind::Application {
            out.push(metric_alarm(
                app,
                scope,
                &format!("{prefix}Target5xxAlarm"),
                MetricAlarm {
                    namespace,
                    metric: "HTTPCode_Target_5XX_Count",
                    dimensions: dims(),
                    statistic: alarm::Statistic::Sum,
                    threshold: props.target_5xx_per_minute,
                    evaluation_periods: props.evaluation_minutes,
                    description: format!(
                        "{path}: {} or more HTTP 5xx answers a minute from {which}; rolls back a deployment",
                        props.target_5xx_per_minute
                    ),
                },
            )?);
        }
        out.push(metric_alarm(
            app,
            scope,
            &format!("{prefix}UnhealthyHostsAlarm"),
            MetricAlarm {
                namespace,
                metric: "UnHealthyHostCount",
                dimensions: dims(),
                statistic: alarm::Statistic::Maximum,
                threshold: props.unhealthy_hosts,
                evaluation_periods: props.evaluation_minutes,
                description: format!(
                    "{path}: {} or more unhealthy targets in {which}; rolls back a deployment",
                    props.unhealthy_hosts
                ),
            },
        )?);
    }
    let names: Vec<Value> = out.iter().map(|a| Value::from(a.ref_())).collect();
    service.enable_deployment_alarms(
        app,
        DeploymentAlarms {
            alarm_names: names,
            behavior: props.behavior,
        },
    )?;
    Ok(out)
}
