//! CloudWatch: [`Metric`] (namespace, name, dimensions, statistic, period), [`Alarm`]
//! on a metric with actions ([`AlarmAction`]: an SNS [`crate::sns::Topic`]), and
//! [`Dashboard`] with graph, single-value, alarm and text widgets, laid out in rows as
//! CDK lays them out.
//!
//! The things users watch have metric getters: `service.metric_cpu_utilization()`,
//! `service.metric_memory_utilization()` (ECS), `target_group.metric_http_code_target(..)`,
//! `metric_target_response_time`, `metric_healthy_host_count` (target groups),
//! `load_balancer.metric_http_code_elb(..)`, and
//! `queue.metric_approximate_number_of_messages_visible()`,
//! `metric_approximate_age_of_oldest_message()` (SQS), each with CDK's statistic.
//!
//! ```
//! use berth_constructs::cloudwatch::{
//!     CreateAlarmOptions, Dashboard, DashboardProps, GraphWidget, Metric, Statistic,
//!     TreatMissingData,
//! };
//! use berth_constructs::sns::{Topic, TopicProps};
//! use berth_constructs::{App, Stack, StackProps};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut app = App::new();
//! let stack = Stack::new(&mut app, "Ops", StackProps::default())?;
//! let depth = Metric::new("AWS/SQS", "ApproximateNumberOfMessagesVisible")
//!     .with_dimension("QueueName", "jobs")
//!     .statistic(Statistic::Maximum)
//!     .period_seconds(60);
//! let alarm = depth.create_alarm(&mut app, stack, "Backlog",
//!     CreateAlarmOptions::new(100.0, 3).treat_missing_data(TreatMissingData::NotBreaching))?;
//! let topic = Topic::new(&mut app, stack, "Alarms", TopicProps::default())?;
//! alarm.add_alarm_action(&mut app, &topic)?;
//! let dashboard = Dashboard::new(&mut app, stack, "Dashboard", DashboardProps::default())?;
//! dashboard.add_widgets(&mut app, [GraphWidget::new("Backlog").left([depth]).into()])?;
//! let out = app.synth()?;
//! let res = &out.stacks[0].template["Resources"];
//! let a = &res["Backlog7AD37F26"]["Properties"];
//! assert_eq!(a["ComparisonOperator"], "GreaterThanOrEqualToThreshold");
//! assert_eq!((a["Statistic"].as_str(), a["Period"].as_i64()), (Some("Maximum"), Some(60)));
//! assert_eq!(a["AlarmActions"][0]["Ref"], "Alarms04B5A0BF");
//! let body = &res["Dashboard9E4231ED"]["Properties"]["DashboardBody"]["Fn::Join"][1];
//! assert_eq!(body[0], r#"{"widgets":[{"type":"metric","width":6,"height":6,"x":0,"y":0,"properties":{"view":"timeSeries","title":"Backlog","region":""#);
//! assert_eq!(body[1]["Ref"], "AWS::Region");
//! assert_eq!(body[2], r#"","metrics":[["AWS/SQS","ApproximateNumberOfMessagesVisible","QueueName","jobs",{"period":60,"stat":"Maximum"}]],"yAxis":{}}}]}"#);
//! # Ok(()) }
//! ```

use crate::app::{App, Construct, NodeId, Scope};
use crate::error::{ConstructError, Result};
use crate::iam::value_expr;
use berth_synth::cfn::cloudwatch::{alarm, CfnAlarm, CfnDashboard};
use berth_synth::resource::ResourceRef;
use berth_synth::{Expr, Pseudo, Token, Value};
use indexmap::IndexMap;
use std::any::Any;

#[cfg(test)]
mod tests;

/// How a statistic is computed over a period.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Statistic {
    /// The average.
    #[default]
    Average,
    /// The minimum.
    Minimum,
    /// The maximum.
    Maximum,
    /// The sum.
    Sum,
    /// The number of data points.
    SampleCount,
    /// A percentile, 0 to 100 (`p99`, `p99.9`): an extended statistic.
    Percentile(f64),
}

impl Statistic {
    /// A percentile: `Statistic::p(99.0)` is `p99`.
    pub fn p(percentile: f64) -> Statistic {
        Statistic::Percentile(percentile)
    }

    /// The name CloudWatch uses: `Average`, `Sum`, ..., `p99`.
    pub fn name(self) -> String {
        match self {
            Statistic::Average => "Average".into(),
            Statistic::Minimum => "Minimum".into(),
            Statistic::Maximum => "Maximum".into(),
            Statistic::Sum => "Sum".into(),
            Statistic::SampleCount => "SampleCount".into(),
            Statistic::Percentile(p) => format!("p{}", number(p)),
        }
    }
}

/// A number as JSON writes it (`80` rather than `80.0`).
fn number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

props! {
    /// A CloudWatch metric: what alarms watch, dashboards draw and step scaling follows.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Metric {
        /// The namespace, e.g. `AWS/SQS`.
        pub namespace: String,
        /// The name, e.g. `ApproximateNumberOfMessagesVisible`.
        pub metric_name: String,
        /// Dimensions (name, value; values may be tokens). Default: none.
        pub dimensions: Vec<(String, Value)>,
        /// The statistic. Default: average.
        pub statistic: Statistic,
        /// The period in seconds (10, 20, 30 or a multiple of 60). Default: 300.
        pub period_seconds: u32,
        /// A label for graphs. Default: none (CloudWatch's).
        pub label: Option<String>,
    }
}

impl Metric {
    /// A metric with the default statistic (average) and period (5 minutes).
    pub fn new(namespace: impl Into<String>, metric_name: impl Into<String>) -> Metric {
        Metric {
            namespace: namespace.into(),
            metric_name: metric_name.into(),
            dimensions: Vec::new(),
            statistic: Statistic::Average,
            period_seconds: 300,
            label: None,
        }
    }

    /// The same metric with one more dimension.
    pub fn with_dimension(mut self, name: impl Into<String>, value: impl Into<Value>) -> Metric {
        self.dimensions.push((name.into(), value.into()));
        self
    }

    /// An alarm on this metric under `scope` (CDK's `metric.createAlarm`).
    pub fn create_alarm(
        &self,
        app: &mut App,
        scope: impl Scope,
        id: &str,
        options: CreateAlarmOptions,
    ) -> Result<Alarm> {
        Alarm::new(
            app,
            scope,
            id,
            AlarmProps::from_options(self.clone(), options),
        )
    }

    /// The problems CloudWatch would reject, as `(field, message)`.
    pub(crate) fn problem(&self) -> Option<(&'static str, String)> {
        if self.namespace.trim().is_empty() {
            return Some((
                "namespace",
                "a metric needs a namespace, e.g. AWS/ECS".into(),
            ));
        }
        if self.metric_name.trim().is_empty() {
            return Some((
                "metric_name",
                "a metric needs a name, e.g. CPUUtilization".into(),
            ));
        }
        let p = self.period_seconds;
        if !(matches!(p, 10 | 20 | 30) || (p > 0 && p % 60 == 0)) {
            return Some((
                "period_seconds",
                format!("a metric period must be 10, 20, 30 or a multiple of 60 seconds, got {p}"),
            ));
        }
        if let Statistic::Percentile(x) = self.statistic {
            if !(0.0..=100.0).contains(&x) || x.is_nan() {
                return Some((
                    "statistic",
                    format!("a percentile must be between 0 and 100, got {}", number(x)),
                ));
            }
        }
        if self.dimensions.len() > 30 {
            return Some((
                "dimensions",
                format!(
                    "a metric can have at most 30 dimensions, got {}",
                    self.dimensions.len()
                ),
            ));
        }
        None
    }

    /// Sets the metric fields of an alarm (statistic or extended statistic, period,
    /// namespace, name, dimensions), as CDK renders a single-metric alarm.
    pub(crate) fn fill_alarm(&self, cfn: &mut CfnAlarm) {
        cfn.dimensions = (!self.dimensions.is_empty()).then(|| {
            Expr::Lit(
                self.dimensions
                    .iter()
                    .map(|(k, v)| alarm::Dimension {
                        name: Some(k.clone().into()),
                        value: Some(value_expr(v.clone())),
                    })
                    .collect(),
            )
        });
        cfn.metric_name = Some(self.metric_name.clone().into());
        cfn.namespace = Some(self.namespace.clone().into());
        cfn.period = Some(i64::from(self.period_seconds).into());
        let simple = match self.statistic {
            Statistic::Average => Some(alarm::Statistic::Average),
            Statistic::Minimum => Some(alarm::Statistic::Minimum),
            Statistic::Maximum => Some(alarm::Statistic::Maximum),
            Statistic::Sum => Some(alarm::Statistic::Sum),
            Statistic::SampleCount => Some(alarm::Statistic::SampleCount),
            Statistic::Percentile(_) => None,
        };
        cfn.statistic = simple.map(Into::into);
        cfn.extended_statistic = simple.is_none().then(|| self.statistic.name().into());
    }

    /// The metric as a dashboard graph writes it: `[namespace, name, dim, value, ...,
    /// {options}]`.
    fn graph_json(&self, right: bool) -> Value {
        let mut out = vec![
            Value::from(self.namespace.as_str()),
            Value::from(self.metric_name.as_str()),
        ];
        for (k, v) in &self.dimensions {
            out.push(Value::from(k.as_str()));
            out.push(v.clone());
        }
        let mut options: IndexMap<String, Value> = IndexMap::new();
        if let Some(l) = &self.label {
            options.insert("label".into(), Value::from(l.as_str()));
        }
        if self.period_seconds != 300 {
            options.insert("period".into(), Value::Int(i64::from(self.period_seconds)));
        }
        if self.statistic != Statistic::Average {
            options.insert("stat".into(), Value::from(self.statistic.name()));
        }
        if right {
            options.insert("yAxis".into(), Value::from("right"));
        }
        if !options.is_empty() {
            out.push(Value::Map(Box::new(options)));
        }
        Value::List(out)
    }
}

/// How an alarm compares the statistic with the threshold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ComparisonOperator {
    /// `>=` (the default, as in CDK).
    #[default]
    GreaterThanOrEqualToThreshold,
    /// `>`.
    GreaterThanThreshold,
    /// `<`.
    LessThanThreshold,
    /// `<=`.
    LessThanOrEqualToThreshold,
}

impl ComparisonOperator {
    fn l1(self) -> alarm::ComparisonOperator {
        match self {
            Self::GreaterThanOrEqualToThreshold => {
                alarm::ComparisonOperator::GreaterThanOrEqualToThreshold
            }
            Self::GreaterThanThreshold => alarm::ComparisonOperator::GreaterThanThreshold,
            Self::LessThanThreshold => alarm::ComparisonOperator::LessThanThreshold,
            Self::LessThanOrEqualToThreshold => {
                alarm::ComparisonOperator::LessThanOrEqualToThreshold
            }
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Self::GreaterThanOrEqualToThreshold => ">=",
            Self::GreaterThanThreshold => ">",
            Self::LessThanThreshold => "<",
            Self::LessThanOrEqualToThreshold => "<=",
        }
    }
}

/// How an alarm treats periods without data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TreatMissingData {
    /// Missing data breaches the threshold.
    Breaching,
    /// Missing data is within the threshold.
    NotBreaching,
    /// The alarm keeps its state.
    Ignore,
    /// The alarm looks at the periods with data only (CloudWatch's default).
    Missing,
}

impl TreatMissingData {
    fn l1(self) -> alarm::TreatMissingData {
        match self {
            Self::Breaching => alarm::TreatMissingData::Breaching,
            Self::NotBreaching => alarm::TreatMissingData::NotBreaching,
            Self::Ignore => alarm::TreatMissingData::Ignore,
            Self::Missing => alarm::TreatMissingData::Missing,
        }
    }
}

props! {
    /// Options of [`Metric::create_alarm`]: an [`AlarmProps`] without the metric.
    #[derive(Clone, Debug, PartialEq)]
    pub struct CreateAlarmOptions {
        /// The value the statistic is compared with. Required.
        pub threshold: f64,
        /// How many periods are evaluated. Required (at least 1).
        pub evaluation_periods: u32,
        /// How the statistic is compared. Default: `>=`.
        pub comparison_operator: ComparisonOperator,
        /// How many of the evaluated periods must breach (at most
        /// `evaluation_periods`). Default: all of them.
        pub datapoints_to_alarm: Option<u32>,
        /// How periods without data count. Default: not rendered (`missing`).
        pub treat_missing_data: Option<TreatMissingData>,
        /// The alarm's name. Default: generated by CloudFormation.
        pub alarm_name: Option<String>,
        /// A description. Default: none.
        pub alarm_description: Option<String>,
        /// Whether the actions run. Default: not rendered (true).
        pub actions_enabled: Option<bool>,
    }
}

impl CreateAlarmOptions {
    /// Alarm when the statistic is `>= threshold` for `evaluation_periods` periods.
    pub fn new(threshold: f64, evaluation_periods: u32) -> Self {
        CreateAlarmOptions {
            threshold,
            evaluation_periods,
            comparison_operator: ComparisonOperator::default(),
            datapoints_to_alarm: None,
            treat_missing_data: None,
            alarm_name: None,
            alarm_description: None,
            actions_enabled: None,
        }
    }
}

props! {
    /// Options of an [`Alarm`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct AlarmProps {
        /// The metric. Required.
        pub metric: Metric,
        /// The value the statistic is compared with. Required.
        pub threshold: f64,
        /// How many periods are evaluated. Required (at least 1).
        pub evaluation_periods: u32,
        /// How the statistic is compared. Default: `>=`.
        pub comparison_operator: ComparisonOperator,
        /// How many of the evaluated periods must breach. Default: all of them.
        pub datapoints_to_alarm: Option<u32>,
        /// How periods without data count. Default: not rendered (`missing`).
        pub treat_missing_data: Option<TreatMissingData>,
        /// The alarm's name. Default: generated by CloudFormation.
        pub alarm_name: Option<String>,
        /// A description. Default: none.
        pub alarm_description: Option<String>,
        /// Whether the actions run. Default: not rendered (true).
        pub actions_enabled: Option<bool>,
    }
}

impl AlarmProps {
    /// Alarm when `metric` is `>= threshold` for `evaluation_periods` periods.
    pub fn new(metric: Metric, threshold: f64, evaluation_periods: u32) -> Self {
        AlarmProps::from_options(
            metric,
            CreateAlarmOptions::new(threshold, evaluation_periods),
        )
    }

    /// The props of `options` on `metric`.
    pub fn from_options(metric: Metric, o: CreateAlarmOptions) -> Self {
        AlarmProps {
            metric,
            threshold: o.threshold,
            evaluation_periods: o.evaluation_periods,
            comparison_operator: o.comparison_operator,
            datapoints_to_alarm: o.datapoints_to_alarm,
            treat_missing_data: o.treat_missing_data,
            alarm_name: o.alarm_name,
            alarm_description: o.alarm_description,
            actions_enabled: o.actions_enabled,
        }
    }
}

/// What an alarm can notify or trigger: an SNS topic, and anything else with an ARN
/// alarms accept.
pub trait AlarmAction {
    /// The action's ARN; called once per alarm it is added to (a topic with a KMS key
    /// lets CloudWatch use the key here).
    fn bind(&self, app: &mut App) -> Result<Value>;
}

#[derive(Debug)]
struct AlarmState {
    metric: Metric,
    threshold: f64,
    comparison: ComparisonOperator,
    evaluation_periods: u32,
    datapoints: u32,
}

impl Construct for AlarmState {
    fn fqn(&self) -> &'static str {
        "berth.cloudwatch.Alarm"
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// A CloudWatch alarm on one metric. Its L1 child is `Resource`
/// (`AWS::CloudWatch::Alarm`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alarm {
    node: NodeId,
    resource: ResourceRef<CfnAlarm>,
}

impl Scope for Alarm {
    fn node(&self) -> NodeId {
        self.node
    }
}

/// Which list of actions an action goes to.
#[derive(Clone, Copy)]
enum ActionList {
    Alarm,
    Ok,
    InsufficientData,
}

impl Alarm {
    /// Creates an alarm under `scope`. Checked here: the metric (namespace, name,
    /// period, percentile), at least one evaluation period, datapoints between 1 and
    /// the evaluation periods, a finite threshold, a name CloudWatch accepts.
    pub fn new(app: &mut App, scope: impl Scope, id: &str, props: AlarmProps) -> Result<Alarm> {
        let path = format!("{}/{id}", app.path(&scope));
        let bad = |p: &str, m: String| ConstructError::invalid(path.clone(), p, m);
        if let Some((field, m)) = props.metric.problem() {
            return Err(bad(&format!("metric.{field}"), m));
        }
        if props.evaluation_periods == 0 {
            return Err(bad(
                "evaluation_periods",
                "an alarm evaluates at least 1 period, got 0".into(),
            ));
        }
        if let Some(d) = props.datapoints_to_alarm {
            if d == 0 || d > props.evaluation_periods {
                return Err(bad(
                    "datapoints_to_alarm",
                    format!(
                        "datapoints_to_alarm must be between 1 and evaluation_periods ({}), got {d}",
                        props.evaluation_periods
                    ),
                ));
            }
        }
        if !props.threshold.is_finite() {
            return Err(bad(
                "threshold",
                format!(
                    "the threshold must be a finite number, got {}",
                    props.threshold
                ),
            ));
        }
        if let Some(n) = &props.alarm_name {
            if n.trim().is_empty() || n.len() > 255 || n.chars().any(char::is_control) {
                return Err(bad(
                    "alarm_name",
                    format!("invalid alarm name {n:?}: use 1 to 255 printable characters"),
                ));
            }
        }
        let mut cfn = CfnAlarm {
            actions_enabled: props.actions_enabled.map(Into::into),
            alarm_description: props.alarm_description.clone().map(Into::into),
            alarm_name: props.alarm_name.clone().map(Into::into),
            comparison_operator: Some(props.comparison_operator.l1().into()),
            datapoints_to_alarm: props.datapoints_to_alarm.map(|d| i64::from(d).into()),
            evaluation_periods: Some(i64::from(props.evaluation_periods).into()),
            threshold: Some(props.threshold.into()),
            treat_missing_data: props.treat_missing_data.map(|t| t.l1().into()),
            ..Default::default()
        };
        props.metric.fill_alarm(&mut cfn);
        let node = app.add_construct(
            scope,
            id,
            AlarmState {
                datapoints: props
                    .datapoints_to_alarm
                    .unwrap_or(props.evaluation_periods),
                metric: props.metric,
                threshold: props.threshold,
                comparison: props.comparison_operator,
                evaluation_periods: props.evaluation_periods,
            },
        )?;
        let resource = app.add_resource(node, "Resource", cfn)?;
        Ok(Alarm { node, resource })
    }

    /// The alarm's ARN.
    pub fn alarm_arn(&self) -> Token<String> {
        self.resource.attr_arn()
    }

    /// The alarm's name (`Ref`).
    pub fn alarm_name(&self) -> Token<String> {
        self.resource.ref_()
    }

    /// The metric the alarm watches.
    pub fn metric(&self, app: &App) -> Metric {
        self.state(app).metric.clone()
    }

    /// The L1 alarm, for escape hatches.
    pub fn cfn(&self) -> ResourceRef<CfnAlarm> {
        self.resource
    }

    fn state<'a>(&self, app: &'a App) -> &'a AlarmState {
        app.construct::<AlarmState>(self.node)
            .expect("an Alarm handle points at an alarm")
    }

    /// The alarm as a horizontal line on a graph (CDK's `toAnnotation`), labelled
    /// `<metric> >= <threshold> for <n> datapoints within <time>`.
    pub fn to_annotation(&self, app: &App) -> HorizontalAnnotation {
        let s = self.state(app);
        let seconds = u64::from(s.evaluation_periods) * u64::from(s.metric.period_seconds);
        let within = match seconds {
            1 => "1 second".to_owned(),
            60 => "1 minute".to_owned(),
            s if s > 60 => format!("{} minutes", number(s as f64 / 60.0)),
            s => format!("{s} seconds"),
        };
        HorizontalAnnotation {
            value: s.threshold,
            label: Some(format!(
                "{} {} {} for {} datapoints within {within}",
                s.metric.metric_name,
                s.comparison.symbol(),
                number(s.threshold),
                s.datapoints
            )),
            color: None,
        }
    }

    /// Runs `action` when the alarm fires (notifies a topic).
    pub fn add_alarm_action(
        &self,
        app: &mut App,
        action: &(impl AlarmAction + ?Sized),
    ) -> Result<()> {
        self.add_action(app, action, ActionList::Alarm)
    }

    /// Runs `action` when the alarm returns to OK.
    pub fn add_ok_action(&self, app: &mut App, action: &(impl AlarmAction + ?Sized)) -> Result<()> {
        self.add_action(app, action, ActionList::Ok)
    }

    /// Runs `action` when the alarm has too little data.
    pub fn add_insufficient_data_action(
        &self,
        app: &mut App,
        action: &(impl AlarmAction + ?Sized),
    ) -> Result<()> {
        self.add_action(app, action, ActionList::InsufficientData)
    }

    fn add_action(
        &self,
        app: &mut App,
        action: &(impl AlarmAction + ?Sized),
        list: ActionList,
    ) -> Result<()> {
        let arn = value_expr(action.bind(app)?);
        let cfn = app.resource_mut(self.resource);
        let slot = match list {
            ActionList::Alarm => &mut cfn.alarm_actions,
            ActionList::Ok => &mut cfn.ok_actions,
            ActionList::InsufficientData => &mut cfn.insufficient_data_actions,
        };
        let mut arns = match slot.take() {
            Some(Expr::Lit(l)) => l,
            _ => Vec::new(),
        };
        if !arns.contains(&arn) {
            arns.push(arn);
        }
        *slot = Some(Expr::Lit(arns));
        Ok(())
    }
}

props! {
    /// A horizontal line on a graph.
    #[derive(Clone, Debug, PartialEq)]
    pub struct HorizontalAnnotation {
        /// Where the line is. Required.
        pub value: f64,
        /// Its label. Default: none.
        pub label: Option<String>,
        /// Its colour, `#rrggbb`. Default: CloudWatch's.
        pub color: Option<String>,
    }
}

props! {
    /// An axis of a graph.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct YAxis {
        /// The lowest value shown. Default: CloudWatch's (0 for most metrics).
        pub min: Option<f64>,
        /// The highest value shown. Default: none.
        pub max: Option<f64>,
        /// The axis label. Default: none.
        pub label: Option<String>,
        /// Show the metrics' units. Default: not rendered (true).
        pub show_units: Option<bool>,
    }
}

props! {
    /// A line graph of metrics (CDK's `GraphWidget`).
    #[derive(Clone, Debug, PartialEq)]
    pub struct GraphWidget {
        /// The title. Default: none.
        pub title: Option<String>,
        /// Metrics on the left axis. Default: none.
        pub left: Vec<Metric>,
        /// Metrics on the right axis. Default: none.
        pub right: Vec<Metric>,
        /// Horizontal lines on the left axis (e.g. [`Alarm::to_annotation`]). Default:
        /// none.
        pub left_annotations: Vec<HorizontalAnnotation>,
        /// The left axis. Default: CloudWatch's.
        pub left_y_axis: Option<YAxis>,
        /// The right axis. Default: CloudWatch's.
        pub right_y_axis: Option<YAxis>,
        /// Stack the lines. Default: false.
        pub stacked: bool,
        /// Width in grid units (the dashboard is 24 wide). Default: 6.
        pub width: u32,
        /// Height in grid units. Default: 6.
        pub height: u32,
    }
}

impl GraphWidget {
    /// A graph with this title; add metrics with `.left([..])` and `.right([..])`.
    pub fn new(title: impl Into<String>) -> Self {
        GraphWidget {
            title: Some(title.into()),
            left: Vec::new(),
            right: Vec::new(),
            left_annotations: Vec::new(),
            left_y_axis: None,
            right_y_axis: None,
            stacked: false,
            width: 6,
            height: 6,
        }
    }
}

props! {
    /// The latest value of metrics, as numbers (CDK's `SingleValueWidget`).
    #[derive(Clone, Debug, PartialEq)]
    pub struct SingleValueWidget {
        /// The title. Default: none.
        pub title: Option<String>,
        /// The metrics. Required (at least one).
        pub metrics: Vec<Metric>,
        /// Draw a small graph under each value. Default: not rendered (false).
        pub sparkline: bool,
        /// Width in grid units. Default: 6.
        pub width: u32,
        /// Height in grid units. Default: 3.
        pub height: u32,
    }
}

impl SingleValueWidget {
    /// Numbers for these metrics.
    pub fn new(title: impl Into<String>, metrics: impl IntoIterator<Item = Metric>) -> Self {
        SingleValueWidget {
            title: Some(title.into()),
            metrics: metrics.into_iter().collect(),
            sparkline: false,
            width: 6,
            height: 3,
        }
    }
}

props! {
    /// Markdown text (CDK's `TextWidget`).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct TextWidget {
        /// The text, in Markdown. Required.
        pub markdown: String,
        /// Width in grid units. Default: 6.
        pub width: u32,
        /// Height in grid units. Default: 2.
        pub height: u32,
    }
}

impl TextWidget {
    /// A text widget.
    pub fn new(markdown: impl Into<String>) -> Self {
        TextWidget {
            markdown: markdown.into(),
            width: 6,
            height: 2,
        }
    }
}

/// An alarm's graph with its threshold (CDK's `AlarmWidget`).
#[derive(Clone, Debug, PartialEq)]
pub struct AlarmWidget {
    /// The title.
    pub title: Option<String>,
    /// The alarm.
    pub alarm: Alarm,
    /// Width in grid units. Default: 6.
    pub width: u32,
    /// Height in grid units. Default: 6.
    pub height: u32,
}

impl AlarmWidget {
    /// The graph of `alarm`.
    pub fn new(title: impl Into<String>, alarm: Alarm) -> Self {
        AlarmWidget {
            title: Some(title.into()),
            alarm,
            width: 6,
            height: 6,
        }
    }
}

/// One widget of a [`Dashboard`].
#[derive(Clone, Debug, PartialEq)]
pub enum Widget {
    /// A graph.
    Graph(GraphWidget),
    /// Latest values.
    SingleValue(SingleValueWidget),
    /// An alarm's graph.
    Alarm(AlarmWidget),
    /// Text.
    Text(TextWidget),
}

impl From<GraphWidget> for Widget {
    fn from(w: GraphWidget) -> Self {
        Widget::Graph(w)
    }
}
impl From<SingleValueWidget> for Widget {
    fn from(w: SingleValueWidget) -> Self {
        Widget::SingleValue(w)
    }
}
impl From<AlarmWidget> for Widget {
    fn from(w: AlarmWidget) -> Self {
        Widget::Alarm(w)
    }
}
impl From<TextWidget> for Widget {
    fn from(w: TextWidget) -> Self {
        Widget::Text(w)
    }
}

/// The dashboard's grid is 24 units wide.
const GRID_WIDTH: u32 = 24;

impl Widget {
    fn size(&self) -> (u32, u32) {
        match self {
            Widget::Graph(w) => (w.width, w.height),
            Widget::SingleValue(w) => (w.width, w.height),
            Widget::Alarm(w) => (w.width, w.height),
            Widget::Text(w) => (w.width, w.height),
        }
    }

    fn metrics(&self) -> Vec<&Metric> {
        match self {
            Widget::Graph(w) => w.left.iter().chain(&w.right).collect(),
            Widget::SingleValue(w) => w.metrics.iter().collect(),
            Widget::Alarm(_) | Widget::Text(_) => Vec::new(),
        }
    }

    fn check(&self) -> std::result::Result<(), (&'static str, String)> {
        let (w, h) = self.size();
        if w == 0 || w > GRID_WIDTH {
            return Err(("width", format!("a widget is 1 to 24 units wide, got {w}")));
        }
        if h == 0 || h > 1000 {
            return Err((
                "height",
                format!("a widget is 1 to 1000 units high, got {h}"),
            ));
        }
        match self {
            Widget::SingleValue(s) if s.metrics.is_empty() => {
                return Err((
                    "metrics",
                    "a single-value widget needs at least one metric".into(),
                ))
            }
            Widget::Text(t) if t.markdown.trim().is_empty() => {
                return Err(("markdown", "a text widget needs some text".into()))
            }
            _ => {}
        }
        for (i, m) in self.metrics().iter().enumerate() {
            if let Some((field, msg)) = m.problem() {
                return Err((
                    "metrics",
                    format!(
                        "metric {i} ({}/{}): {field}: {msg}",
                        m.namespace, m.metric_name
                    ),
                ));
            }
        }
        Ok(())
    }

    fn to_value(&self, x: u32, y: u32) -> Value {
        let region: Value = Pseudo::Region.token().into();
        let mut w: IndexMap<String, Value> = IndexMap::new();
        let (width, height) = self.size();
        w.insert(
            "type".into(),
            Value::from(if matches!(self, Widget::Text(_)) {
                "text"
            } else {
                "metric"
            }),
        );
        w.insert("width".into(), Value::Int(width.into()));
        w.insert("height".into(), Value::Int(height.into()));
        w.insert("x".into(), Value::Int(x.into()));
        w.insert("y".into(), Value::Int(y.into()));
        let mut p: IndexMap<String, Value> = IndexMap::new();
        let title = |p: &mut IndexMap<String, Value>, t: &Option<String>| {
            if let Some(t) = t {
                p.insert("title".into(), Value::from(t.as_str()));
            }
        };
        match self {
            Widget::Graph(g) => {
                p.insert("view".into(), Value::from("timeSeries"));
                title(&mut p, &g.title);
                p.insert("region".into(), region);
                if g.stacked {
                    p.insert("stacked".into(), Value::Bool(true));
                }
                let metrics: Vec<Value> = g
                    .left
                    .iter()
                    .map(|m| m.graph_json(false))
                    .chain(g.right.iter().map(|m| m.graph_json(true)))
                    .collect();
                if !metrics.is_empty() {
                    p.insert("metrics".into(), Value::List(metrics));
                }
                if !g.left_annotations.is_empty() {
                    let horizontal = g.left_annotations.iter().map(annotation_json).collect();
                    p.insert(
                        "annotations".into(),
                        Value::map([("horizontal", Value::List(horizontal))]),
                    );
                }
                let mut axes: IndexMap<String, Value> = IndexMap::new();
                for (k, a) in [("left", &g.left_y_axis), ("right", &g.right_y_axis)] {
                    if let Some(a) = a {
                        axes.insert(k.into(), axis_json(a));
                    }
                }
                p.insert("yAxis".into(), Value::Map(Box::new(axes)));
            }
            Widget::SingleValue(s) => {
                p.insert("view".into(), Value::from("singleValue"));
                title(&mut p, &s.title);
                p.insert("region".into(), region);
                if s.sparkline {
                    p.insert("sparkline".into(), Value::Bool(true));
                }
                p.insert(
                    "metrics".into(),
                    Value::List(s.metrics.iter().map(|m| m.graph_json(false)).collect()),
                );
            }
            Widget::Alarm(a) => {
                p.insert("view".into(), Value::from("timeSeries"));
                title(&mut p, &a.title);
                p.insert("region".into(), region);
                p.insert(
                    "annotations".into(),
                    Value::map([("alarms", Value::List(vec![a.alarm.alarm_arn().into()]))]),
                );
                p.insert("yAxis".into(), Value::Map(Box::default()));
            }
            Widget::Text(t) => {
                p.insert("markdown".into(), Value::from(t.markdown.as_str()));
            }
        }
        w.insert("properties".into(), Value::Map(Box::new(p)));
        Value::Map(Box::new(w))
    }
}

fn annotation_json(a: &HorizontalAnnotation) -> Value {
    let mut m: IndexMap<String, Value> = IndexMap::new();
    m.insert("value".into(), Value::Float(a.value));
    if let Some(l) = &a.label {
        m.insert("label".into(), Value::from(l.as_str()));
    }
    if let Some(c) = &a.color {
        m.insert("color".into(), Value::from(c.as_str()));
    }
    m.insert("yAxis".into(), Value::from("left"));
    Value::Map(Box::new(m))
}

fn axis_json(a: &YAxis) -> Value {
    let mut m: IndexMap<String, Value> = IndexMap::new();
    if let Some(v) = a.min {
        m.insert("min".into(), Value::Float(v));
    }
    if let Some(v) = a.max {
        m.insert("max".into(), Value::Float(v));
    }
    if let Some(l) = &a.label {
        m.insert("label".into(), Value::from(l.as_str()));
    }
    if let Some(s) = a.show_units {
        m.insert("showUnits".into(), Value::Bool(s));
    }
    Value::Map(Box::new(m))
}

/// When a dashboard's graphs take their period from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PeriodOverride {
    /// Every graph's period adapts to the time range.
    Auto,
    /// Each graph keeps its own period.
    Inherit,
}

props! {
    /// Options of a [`Dashboard`].
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct DashboardProps {
        /// The dashboard's name (letters, digits, `-` and `_`). Default: generated by
        /// CloudFormation.
        pub dashboard_name: Option<String>,
        /// The start of the time range shown, e.g. `-PT8H` (the last 8 hours). Default:
        /// CloudWatch's.
        pub start: Option<String>,
        /// The end of the time range (needs `start`), ISO 8601. Default: now.
        pub end: Option<String>,
        /// Where graphs take their period from. Default: not rendered (auto).
        pub period_override: Option<PeriodOverride>,
    }
}

#[derive(Debug)]
struct DashboardState {
    props: DashboardProps,
    rows: Vec<Vec<Widget>>,
    resource: Option<ResourceRef<CfnDashboard>>,
}

impl Construct for DashboardState {
    fn fqn(&self) -> &'static str {
        "berth.cloudwatch.Dashboard"
    }
    fn prepare(&mut self, app: &mut App, _node: NodeId) -> Result<()> {
        let body = self.body();
        if let Some(r) = self.resource {
            app.resource_mut(r).dashboard_body = Some(value_expr(body));
        }
        Ok(())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

impl DashboardState {
    /// The body as CDK lays it out: each `add_widgets` call is a row, below the one
    /// before; widgets in a row go left to right and wrap at 24 units.
    fn body(&self) -> Value {
        let mut widgets = Vec::new();
        let mut top = 0;
        for row in &self.rows {
            let (mut x, mut y, mut height) = (0, 0, 0);
            for w in row {
                let (ww, wh) = w.size();
                if x + ww > GRID_WIDTH {
                    y = height;
                    x = 0;
                }
                widgets.push(w.to_value(x, top + y));
                height = height.max(y + wh);
                x += ww;
            }
            top += height;
        }
        let mut body: IndexMap<String, Value> = IndexMap::new();
        if let Some(s) = &self.props.start {
            body.insert("start".into(), Value::from(s.as_str()));
        }
        if let Some(e) = &self.props.end {
            body.insert("end".into(), Value::from(e.as_str()));
        }
        if let Some(p) = self.props.period_override {
            body.insert(
                "periodOverride".into(),
                Value::from(match p {
                    PeriodOverride::Auto => "auto",
                    PeriodOverride::Inherit => "inherit",
                }),
            );
        }
        body.insert("widgets".into(), Value::List(widgets));
        to_json_string(&Value::Map(Box::new(body)))
    }
}

/// A CloudWatch dashboard. Its L1 child is `Resource` (`AWS::CloudWatch::Dashboard`);
/// the body is rendered at synth (widgets added at any time count), as a JSON string
/// joined with the tokens it holds (region, dimension values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dashboard {
    node: NodeId,
    resource: ResourceRef<CfnDashboard>,
}

impl Scope for Dashboard {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl Dashboard {
    /// Creates an empty dashboard under `scope`; the name and time range are checked
    /// here.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        props: DashboardProps,
    ) -> Result<Dashboard> {
        let path = format!("{}/{id}", app.path(&scope));
        if let Some(n) = &props.dashboard_name {
            if n.is_empty()
                || n.len() > 255
                || !n
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(ConstructError::invalid(
                    path,
                    "dashboard_name",
                    format!(
                        "invalid dashboard name \"{n}\": use 1 to 255 letters, digits, - and _"
                    ),
                ));
            }
        }
        if props.end.is_some() && props.start.is_none() {
            return Err(ConstructError::invalid(
                path,
                "end",
                "a dashboard's end needs a start",
            ));
        }
        let node = app.add_construct(
            scope,
            id,
            DashboardState {
                props: props.clone(),
                rows: Vec::new(),
                resource: None,
            },
        )?;
        let resource = app.add_resource(
            node,
            "Resource",
            CfnDashboard {
                dashboard_name: props.dashboard_name.map(Into::into),
                ..Default::default()
            },
        )?;
        if let Some(s) = app.construct_mut::<DashboardState>(node) {
            s.resource = Some(resource);
        }
        Ok(Dashboard { node, resource })
    }

    /// Adds a row of widgets (CDK's `addWidgets`): below the rows added before, left to
    /// right, wrapping at 24 units. Each widget is checked (size, metrics).
    pub fn add_widgets(
        &self,
        app: &mut App,
        widgets: impl IntoIterator<Item = Widget>,
    ) -> Result<()> {
        let widgets: Vec<Widget> = widgets.into_iter().collect();
        let path = app.path(self.node);
        let row = app
            .construct::<DashboardState>(self.node)
            .map(|s| s.rows.len())
            .unwrap_or(0);
        for (i, w) in widgets.iter().enumerate() {
            w.check().map_err(|(field, m)| {
                ConstructError::invalid(path.clone(), format!("widgets[{row}][{i}].{field}"), m)
            })?;
        }
        if widgets.is_empty() {
            return Ok(());
        }
        if let Some(s) = app.construct_mut::<DashboardState>(self.node) {
            s.rows.push(widgets);
        }
        Ok(())
    }

    /// The dashboard's name (`Ref`).
    pub fn dashboard_name(&self) -> Token<String> {
        self.resource.ref_()
    }

    /// The L1 dashboard, for escape hatches.
    pub fn cfn(&self) -> ResourceRef<CfnDashboard> {
        self.resource
    }
}

/// `value` as a JSON string, with the tokens it holds joined in (`Fn::Join`), as CDK's
/// `Stack.toJsonString`: a token stands for a JSON string's contents.
pub(crate) fn to_json_string(value: &Value) -> Value {
    fn write(v: &Value, buf: &mut String, parts: &mut Vec<Value>) {
        match v {
            Value::Null => buf.push_str("null"),
            Value::Bool(b) => buf.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => buf.push_str(&i.to_string()),
            Value::Float(f) => buf.push_str(&number(*f)),
            Value::String(s) => buf.push_str(&serde_json::Value::String(s.clone()).to_string()),
            Value::List(l) => {
                buf.push('[');
                for (i, x) in l.iter().enumerate() {
                    if i > 0 {
                        buf.push(',');
                    }
                    write(x, buf, parts);
                }
                buf.push(']');
            }
            Value::Map(m) => {
                buf.push('{');
                for (i, (k, x)) in m.iter().enumerate() {
                    if i > 0 {
                        buf.push(',');
                    }
                    buf.push_str(&serde_json::Value::String(k.clone()).to_string());
                    buf.push(':');
                    write(x, buf, parts);
                }
                buf.push('}');
            }
            Value::Fn(_) => {
                buf.push('"');
                parts.push(Value::String(std::mem::take(buf)));
                parts.push(v.clone());
                buf.push('"');
            }
        }
    }
    let (mut buf, mut parts) = (String::new(), Vec::new());
    write(value, &mut buf, &mut parts);
    parts.push(Value::String(buf));
    crate::iam::join(parts)
}
