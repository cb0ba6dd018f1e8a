//! Project chores for berth.
//!
//! - `cargo xtask schemas`: vendors the CloudFormation resource schemas from the pinned
//!   cfn-lint release into `cfn/schemas/resources/`.
//! - `cargo xtask codegen`: generates the typed L1 resources (`cfn/src/l1/`) and the
//!   schema table (`cfn/src/schema/table.rs`) from the vendored schemas.

mod codegen;
mod naming;
mod schemas;
mod types;

use anyhow::{bail, Result};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("schemas") => schemas::run(),
        Some("codegen") => codegen::run(),
        _ => bail!("usage: cargo xtask <schemas|codegen>"),
    }
}
