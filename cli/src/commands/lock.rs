//! `berth lock`: write `berth.lock`, the logical IDs of the app's stateful resources
//! (see [`crate::lock`]), acknowledging every change since the last one.

use crate::cli::LockArgs;
use crate::commands::Ctx;
use crate::error::CliError;
use crate::exit;
use crate::lock::Lock;

/// Runs `berth lock`.
pub fn run(ctx: &mut Ctx<'_>, args: &LockArgs) -> Result<u8, CliError> {
    let assembly = ctx.assembly()?;
    let before = Lock::read(&ctx.cwd).map_err(CliError::Lock)?;
    let lock = Lock::of(&assembly);
    if let Some(old) = &before {
        for d in old.drift(&assembly) {
            ctx.err.line(&format!("acknowledged: {d}"));
        }
    }
    let path = Lock::path(&ctx.cwd);
    let text = lock.to_text();
    let entries: usize = lock.stacks.values().map(|e| e.len()).sum();
    if args.check {
        return Ok(match before {
            Some(old) if old.to_text() == text => exit::OK,
            _ => {
                ctx.err.line(&format!(
                    "{} is not up to date: run `berth lock`",
                    path.display()
                ));
                exit::DIFFERENCES
            }
        });
    }
    std::fs::write(&path, &text).map_err(|source| CliError::Write {
        path: path.clone(),
        source,
    })?;
    ctx.out.line(&format!(
        "✔ {}: {entries} stateful resource{} in {} stack{}",
        path.display(),
        if entries == 1 { "" } else { "s" },
        lock.stacks.len(),
        if lock.stacks.len() == 1 { "" } else { "s" }
    ));
    Ok(exit::OK)
}
