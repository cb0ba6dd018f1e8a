//! berth: infrastructure as code in Rust for containers on AWS.
pub use berth_constructs as constructs;
pub use berth_synth as synth;
pub use berth_assertions as assertions;
#[cfg(feature = "cli")]
pub use berth_cli as cli;
