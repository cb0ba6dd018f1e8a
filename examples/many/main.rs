//! # many: the same load-balanced service, N times (the performance workload)
//!
//! A base stack, `ManyBase`, holds what the services share: a VPC over two AZs (one
//! NAT gateway), an ECS cluster and an ECR repository. Then `MANY_SERVICES` services
//! (default 10) follow, 25 per stack (`ManyServices1`, `ManyServices2`, ...), each the
//! service of `alb-fargate`: an `ApplicationLoadBalancedFargateService` running nginx
//! (256 CPU units, 512 MiB, two tasks, port 80, `APP_ENV=bench`, `awslogs`), health
//! check `/health`, circuit breaker with rollback, CPU target tracking 2..10 at 60 %,
//! its task role allowed to pull from the shared repository. The service stacks
//! reference the base stack's VPC, subnets, cluster and repository through exports.
//! With N = 1000 that is about 16,000 resources across 41 stacks.
//!
//! ```sh
//! cargo run --example many                         # 10 services, writes berth.out/
//! MANY_SERVICES=1000 cargo run --release --example many
//! ```
//!
//! The program sets [mimalloc](https://crates.io/crates/mimalloc) as its global
//! allocator: building and synthesizing a large app makes millions of small
//! allocations, and mimalloc (which also backs its heap with transparent huge pages
//! where the kernel allows them) takes about a third off the time of N = 1000 for
//! 15-20 MB more peak memory (see the README's performance section). Any berth app
//! can do the same; nothing in berth depends on it. The app itself is in `app.rs`,
//! which the synth benchmark and the tests build too (with the system allocator).

mod app;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    berth::run_with(app::app)
}
