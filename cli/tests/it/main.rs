//! Integration tests of the `berth` CLI, driving the real commands in-process.
//!
//! - `help`, `offline`: snapshots of `--help`, `list`, `synth`, `diff --template`.
//! - `scripted`: the deploy engine against the scripted fake (events, rollback,
//!   approval, waiting, parallelism).
//! - `hostile`: corrupted or hostile assemblies are refused before anything runs.
//! - `init`: generated projects build and pass their own tests.
//! - `ops_scripted`, `diagnosis`: status, logs, run, exec and failure diagnosis against
//!   the scripted fakes (states moto cannot produce), with a recording plugin stand-in.
//! - `ops_e2e`: logs, run, status and local-run secrets against moto; `local_run`:
//!   `run --local` with a recording docker stand-in (including Ctrl-C cleanup).
//! - `e2e`: against a moto server on loopback (`AWS_ENDPOINT_URL`), started by the test
//!   script.
//! - `faults`: against moto behind `proxy`, a fault-injecting loopback proxy (500s,
//!   throttling, dropped connections): retries, first causes, re-runs that converge.
//! - `asset_loop`: the `web-asset` example's image loop (`watch` in-process) against moto.
//! - `handoff`: a lean app (no `cli` feature) run with arguments hands them to this
//!   `berth` binary (`BERTH_CLI`).

mod asset_loop;
mod assets_e2e;
mod common;
mod deployments;
mod diagnosis;
mod e2e;
mod e2e_options;
mod faults;
mod handoff;
mod help;
mod hostile;
mod init;
mod local_run;
mod offline;
mod ops_e2e;
mod ops_scripted;
mod proxy;
mod refactor;
mod rollout;
mod rules;
mod scripted;
mod trust;
mod trust_e2e;
