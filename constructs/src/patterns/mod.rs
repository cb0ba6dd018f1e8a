//! Patterns: one construct for a whole, commonly deployed service, built from the
//! L2s with CDK's construct ids (`ecs_patterns`), every inner construct reachable for
//! customisation.
//!
//! - [`ApplicationLoadBalancedFargateService`] and [`ApplicationLoadBalancedEc2Service`]:
//!   a service behind an application load balancer (HTTP, or HTTPS with an HTTP
//!   redirect), public or internal, with the `LoadBalancerDNS` and `ServiceURL`
//!   outputs; a domain name in a Route 53 zone gets an alias record `DNS` (and, for
//!   HTTPS without a certificate, a `Certificate` validated in that zone).
//! - [`NetworkLoadBalancedFargateService`]: a service behind a network load balancer.
//! - [`BackendFargateService`]: a service without load balancer, found through Cloud
//!   Map.
//! - [`QueueProcessingFargateService`]: a worker on an SQS queue with a dead-letter
//!   queue, scaled on queue depth.
//! - [`ScheduledFargateTask`]: a Fargate task run by an EventBridge schedule, with a
//!   role that may run only that task definition family and pass only its roles.

mod alarms;
mod application_load_balanced;
mod network_load_balanced;
mod queue_processing;
mod scheduled;

pub use alarms::DefaultAlarmsProps;
pub use application_load_balanced::{
    AlbTaskImageOptions, ApplicationLoadBalancedEc2Service, ApplicationLoadBalancedEc2ServiceProps,
    ApplicationLoadBalancedFargateService, ApplicationLoadBalancedFargateServiceProps,
    LoadBalancerOptions, BLUE_GREEN_RULE_PRIORITY,
};
pub use network_load_balanced::{
    BackendFargateService, BackendFargateServiceProps, NetworkLoadBalancedFargateService,
    NetworkLoadBalancedFargateServiceProps,
};
pub use queue_processing::{
    QueueProcessingFargateService, QueueProcessingFargateServiceProps, SQS_CONSUME_ACTIONS,
};
pub use scheduled::{ScheduledFargateTask, ScheduledFargateTaskProps, ScheduledTaskImageOptions};
