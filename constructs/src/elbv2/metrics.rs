//! CloudWatch metrics of load balancers and target groups, with CDK's statistics.

use super::{ApplicationLoadBalancer, Protocol, TargetGroup};
use crate::app::App;
use crate::cloudwatch::{Metric, Statistic};
use crate::error::{ConstructError, Result};

/// A class of HTTP status codes returned by the targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HttpCodeTarget {
    /// 2xx.
    Target2xx,
    /// 3xx.
    Target3xx,
    /// 4xx.
    Target4xx,
    /// 5xx.
    Target5xx,
}

impl HttpCodeTarget {
    fn metric_name(self) -> &'static str {
        match self {
            Self::Target2xx => "HTTPCode_Target_2XX_Count",
            Self::Target3xx => "HTTPCode_Target_3XX_Count",
            Self::Target4xx => "HTTPCode_Target_4XX_Count",
            Self::Target5xx => "HTTPCode_Target_5XX_Count",
        }
    }
}

/// A class of HTTP status codes the load balancer itself returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HttpCodeElb {
    /// 3xx (redirects).
    Elb3xx,
    /// 4xx.
    Elb4xx,
    /// 5xx (no healthy target, timeouts...).
    Elb5xx,
}

impl HttpCodeElb {
    fn metric_name(self) -> &'static str {
        match self {
            Self::Elb3xx => "HTTPCode_ELB_3XX_Count",
            Self::Elb4xx => "HTTPCode_ELB_4XX_Count",
            Self::Elb5xx => "HTTPCode_ELB_5XX_Count",
        }
    }
}

impl TargetGroup {
    /// A metric of this target group (`AWS/ApplicationELB` or `AWS/NetworkELB`,
    /// dimensions `LoadBalancer` and `TargetGroup`), averaged over 5 minutes. An error
    /// while no load balancer forwards to the group (the metric needs its name).
    pub fn metric(&self, app: &App, name: &str) -> Result<Metric> {
        let lb = self.first_load_balancer_full_name(app).ok_or_else(|| {
            ConstructError::invalid(
                app.path(self),
                "metric",
                format!("the target group's {name} metric needs a load balancer forwarding to it; add it to a listener first"),
            )
        })?;
        let namespace = if self.is_http(app) {
            "AWS/ApplicationELB"
        } else {
            "AWS/NetworkELB"
        };
        Ok(Metric::new(namespace, name)
            .with_dimension("LoadBalancer", lb)
            .with_dimension("TargetGroup", self.target_group_full_name()))
    }

    fn is_http(&self, app: &App) -> bool {
        matches!(self.protocol(app), Protocol::Http | Protocol::Https)
    }

    fn http_metric(&self, app: &App, name: &str) -> Result<Metric> {
        if !self.is_http(app) {
            return Err(ConstructError::invalid(
                app.path(self),
                "metric",
                format!("{name} is a metric of HTTP target groups (application load balancers); this group is {:?}", self.protocol(app)),
            ));
        }
        self.metric(app, name)
    }

    /// Responses of the targets in a class of status codes, summed over 5 minutes
    /// (`HTTPCode_Target_5XX_Count` for [`HttpCodeTarget::Target5xx`]).
    pub fn metric_http_code_target(&self, app: &App, code: HttpCodeTarget) -> Result<Metric> {
        Ok(self
            .http_metric(app, code.metric_name())?
            .statistic(Statistic::Sum))
    }

    /// Seconds from the request leaving the load balancer to the response
    /// (`TargetResponseTime`, average over 5 minutes).
    pub fn metric_target_response_time(&self, app: &App) -> Result<Metric> {
        self.http_metric(app, "TargetResponseTime")
    }

    /// Healthy targets (`HealthyHostCount`, average over 5 minutes).
    pub fn metric_healthy_host_count(&self, app: &App) -> Result<Metric> {
        self.metric(app, "HealthyHostCount")
    }

    /// Unhealthy targets (`UnHealthyHostCount`, average over 5 minutes).
    pub fn metric_unhealthy_host_count(&self, app: &App) -> Result<Metric> {
        self.metric(app, "UnHealthyHostCount")
    }
}

impl ApplicationLoadBalancer {
    /// A metric of this load balancer (`AWS/ApplicationELB`, dimension
    /// `LoadBalancer`), averaged over 5 minutes.
    pub fn metric(&self, name: &str) -> Metric {
        Metric::new("AWS/ApplicationELB", name)
            .with_dimension("LoadBalancer", self.load_balancer_full_name())
    }

    /// Responses the load balancer itself gives in a class of status codes, summed
    /// over 5 minutes (`HTTPCode_ELB_5XX_Count` for [`HttpCodeElb::Elb5xx`]).
    pub fn metric_http_code_elb(&self, code: HttpCodeElb) -> Metric {
        self.metric(code.metric_name()).statistic(Statistic::Sum)
    }

    /// Requests handled (`RequestCount`, summed over 5 minutes).
    pub fn metric_request_count(&self) -> Metric {
        self.metric("RequestCount").statistic(Statistic::Sum)
    }

    /// Seconds the targets took to respond (`TargetResponseTime`, average).
    pub fn metric_target_response_time(&self) -> Metric {
        self.metric("TargetResponseTime")
    }
}
