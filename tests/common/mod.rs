//! The examples, as functions, for the tests that synthesize all of them.
#![allow(dead_code)]

use berth::constructs::App;

#[path = "../../examples/hello/main.rs"]
mod hello;

#[path = "../../examples/fargate-web/main.rs"]
mod fargate_web;

#[path = "../../examples/ec2-cluster/main.rs"]
mod ec2_cluster;

#[path = "../../examples/alb-fargate/main.rs"]
mod alb_fargate;

#[path = "../../examples/many/app.rs"]
pub mod many;

#[path = "../../examples/microservices/main.rs"]
mod microservices;

#[path = "../../examples/web-asset/main.rs"]
pub mod web_asset;

#[path = "../../examples/logs-and-jobs/main.rs"]
mod logs_and_jobs;

#[path = "../../examples/queue-worker/main.rs"]
mod queue_worker;

#[path = "../../examples/production/main.rs"]
mod production;

#[path = "../../examples/managed-instances/main.rs"]
mod managed_instances;

#[path = "../../examples/express/main.rs"]
pub mod express;

#[path = "../../examples/blue-green/main.rs"]
mod blue_green;

/// Every example: its name (as in `cargo run --example NAME`) and how to build it.
pub fn examples() -> Vec<(&'static str, App)> {
    vec![
        ("hello", hello::app().expect("hello builds")),
        (
            "fargate-web",
            fargate_web::app().expect("fargate-web builds"),
        ),
        (
            "ec2-cluster",
            ec2_cluster::app().expect("ec2-cluster builds"),
        ),
        (
            "alb-fargate",
            alb_fargate::app().expect("alb-fargate builds"),
        ),
        // The example's default size, whatever `MANY_SERVICES` says: its snapshot
        // must not depend on the environment.
        ("many", many::app_with(10).expect("many builds")),
        (
            "microservices",
            microservices::app().expect("microservices builds"),
        ),
        ("web-asset", web_asset::app().expect("web-asset builds")),
        (
            "logs-and-jobs",
            logs_and_jobs::app().expect("logs-and-jobs builds"),
        ),
        (
            "queue-worker",
            queue_worker::app().expect("queue-worker builds"),
        ),
        ("production", production::app().expect("production builds")),
        (
            "managed-instances",
            managed_instances::app().expect("managed-instances builds"),
        ),
        ("express", express::app().expect("express builds")),
        ("blue-green", blue_green::app().expect("blue-green builds")),
    ]
}

/// Synthesizes an example into `dir`.
pub fn synth_to(mut app: App, dir: &std::path::Path) -> berth::synth::output::SynthOutput {
    app.synth_to(dir, berth::synth::assembly::TemplateFormat::Json)
        .unwrap_or_else(|e| panic!("synthesis failed:\n{e}"))
}
