//! `berth destroy`: delete stacks, dependents first.

use std::sync::Arc;

use crate::cli::DestroyArgs;
use crate::commands::{block_on, Ctx};
use crate::deploy::{DeployOptions, Engine, Outcome};
use crate::error::CliError;
use crate::exit;

/// Runs `berth destroy`.
pub fn run(ctx: &mut Ctx<'_>, args: &DestroyArgs) -> Result<u8, CliError> {
    let assembly = ctx.assembly()?;
    let mut stacks: Vec<_> = assembly
        .select(&args.stacks, args.all, false)?
        .into_iter()
        .cloned()
        .collect();
    stacks.reverse();
    let names: Vec<String> = stacks.iter().map(|s| s.stack_name.clone()).collect();
    // The app's own word is enough to refuse, before asking anything.
    let protected: Vec<&crate::assembly::StackArtifact> = stacks
        .iter()
        .filter(|s| s.termination_protection == Some(true))
        .collect();
    if !protected.is_empty() {
        for s in &protected {
            ctx.err.line(&format!(
                "error: {}",
                crate::deploy::protection_message(&s.stack_name, false, true)
            ));
        }
        ctx.err.line("nothing deleted");
        return Ok(exit::REFUSED);
    }
    if !args.force {
        match ctx.prompter.confirm(&format!(
            "Delete the stacks {} and every resource in them?",
            names.join(", ")
        )) {
            Some(true) => {}
            Some(false) => {
                ctx.err.line("nothing deleted");
                return Ok(exit::NOT_APPROVED);
            }
            None => return Err(CliError::NeedsForce(names.join(", "))),
        }
    }
    let options = DeployOptions {
        poll: ctx.poll,
        ..DeployOptions::default()
    };
    let results = block_on(
        ctx,
        async {
            let api = ctx.api().await?;
            let engine = Engine {
                containers: None,
                api,
                progress: ctx.progress(),
                prompter: Arc::clone(&ctx.prompter),
                options,
                out: ctx.out.clone(),
            };
            let mut results = Vec::new();
            for s in &stacks {
                let outcome = engine.destroy_stack(s).await;
                let failed = !outcome.is_ok();
                results.push((s.stack_name.clone(), outcome));
                if failed {
                    break;
                }
            }
            Ok(results)
        },
        "CloudFormation carries on deleting; watch with `aws cloudformation describe-stack-events --stack-name STACK`",
    )?;
    let mut code = exit::OK;
    for (name, outcome) in &results {
        match outcome {
            Outcome::Deleted => ctx.out.line(&format!("✔ {name} destroyed")),
            Outcome::NotFound => ctx.out.line(&format!("✔ {name} did not exist")),
            Outcome::Failed(report) => {
                ctx.out.write(&report.render());
                code = exit::FAILED;
            }
            Outcome::Protected(message) => {
                ctx.err.line(&format!("error: {message}"));
                code = exit::REFUSED;
            }
            other => ctx.err.line(&format!("{name}: {other:?}")),
        }
    }
    let done: Vec<&String> = results.iter().map(|(n, _)| n).collect();
    for n in &names {
        if !done.contains(&n) {
            ctx.err
                .line(&format!("{n}: not deleted because an earlier stack failed"));
        }
    }
    Ok(code)
}
