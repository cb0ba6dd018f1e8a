//! Integration tests of the `berth` CLI, driving the real commands in-process.
//!
//! - `help`, `offline`: snapshots of `--help`, `list`, `synth`, `diff --template`.
//! - `scripted`: the deploy engine against the scripted fake (events, rollback,
//!   approval, waiting, parallelism).
//! - `hostile`: corrupted or hostile assemblies are refused before anything runs.
//! - `init`: generated projects build and pass their own tests.
//! - `e2e`: against a moto server on loopback (`AWS_ENDPOINT_URL`), started by the test
//!   script.

mod assets_e2e;
mod common;
mod e2e;
mod e2e_options;
mod help;
mod hostile;
mod init;
mod offline;
mod rollout;
mod rules;
mod scripted;
