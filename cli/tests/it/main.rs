//! Integration tests of the `berth` CLI, driving the real commands in-process.
//!
//! - `help`, `offline`: snapshots of `--help`, `list`, `synth`, `diff --template`.
//! - `scripted`: the deploy engine against the scripted fake (events, rollback,
//!   approval, waiting, parallelism).
//! - `init`: generated projects build and pass their own tests.
//! - `e2e`: against a moto server on loopback (`AWS_ENDPOINT_URL`), started by the test
//!   script.
//! - `asset_loop`: the `web-asset` example's image loop (`watch` in-process) against moto.
//! - `handoff`: a lean app (no `cli` feature) run with arguments hands them to this
//!   `berth` binary (`BERTH_CLI`).

mod asset_loop;
mod assets_e2e;
mod common;
mod e2e;
mod handoff;
mod help;
mod init;
mod offline;
mod rollout;
mod scripted;
