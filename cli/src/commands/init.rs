//! `berth init`: scaffold a new project.

use crate::cli::InitArgs;
use crate::commands::Ctx;
use crate::error::CliError;
use crate::exit;

/// Runs `berth init`.
pub fn run(ctx: &mut Ctx<'_>, args: &InitArgs) -> Result<u8, CliError> {
    let _ = args;
    ctx.err.line("berth init is not implemented yet");
    Ok(exit::APP)
}
