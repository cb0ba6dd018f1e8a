//! `berth refactor`: keep deployed resources whose constructs moved or were renamed.
//!
//! Compares the app with the deployed stacks, pairs every resource gone from one place
//! with a new one of the same type and properties ([`crate::refactor::detect`]), and
//! has CloudFormation move them to their new logical ids and stacks
//! (`CreateStackRefactor`, `DescribeStackRefactor` until it is ready,
//! `ExecuteStackRefactor`, `DescribeStackRefactor` until it is done). The templates it
//! sends are the deployed ones with only the moves applied; the deploy that follows
//! brings the rest, and replaces nothing that moved.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::assembly::StackArtifact;
use crate::cli::RefactorArgs;
use crate::commands::{block_on, Ctx};
use crate::deploy::api::{CloudFormationApi, ResourceMove, StackDefinition};
use crate::deploy::{Backoff, DeployOptions, Engine, Outcome};
use crate::error::CliError;
use crate::exit;
use crate::refactor::{detect, refactored_templates, Detected, Move, StackTemplates};
use crate::template::Template;

/// What the refactor phase ended with.
enum Phase {
    /// Nothing moved.
    Nothing,
    /// Shown only (`--dry-run`), or refused (an exit code and its message).
    Stop(u8),
    /// The moves were carried out in these stacks.
    Done(Vec<String>),
}

/// Runs `berth refactor`.
pub fn run(ctx: &mut Ctx<'_>, args: &RefactorArgs) -> Result<u8, CliError> {
    let assembly = ctx.assembly()?;
    let selected: BTreeSet<String> = assembly
        .select(&args.stacks, true, false)?
        .into_iter()
        .map(|s| s.stack_name.clone())
        .collect();
    let app_stacks: Vec<StackArtifact> = assembly.stacks.clone();
    let phase = block_on(
        ctx,
        refactor_phase(ctx, args, &app_stacks, &selected),
        "CloudFormation carries on with a stack refactor already executing; see `aws cloudformation list-stack-refactors`",
    )?;
    let involved = match phase {
        Phase::Nothing => return Ok(exit::OK),
        Phase::Stop(code) => return Ok(code),
        Phase::Done(stacks) => stacks,
    };
    // The moved resources are kept under their new logical IDs: so says the lock.
    if crate::lock::Lock::read(&ctx.cwd)
        .map_err(CliError::Lock)?
        .is_some()
    {
        let path = crate::lock::Lock::path(&ctx.cwd);
        std::fs::write(&path, crate::lock::Lock::of(&assembly).to_text()).map_err(|source| {
            CliError::Write {
                path: path.clone(),
                source,
            }
        })?;
        ctx.out.line(&format!("✔ {} updated", path.display()));
    }
    if args.no_deploy {
        ctx.out.line(&format!(
            "next: berth deploy {} (the moved resources are kept; nothing is replaced)",
            involved.join(" ")
        ));
        return Ok(exit::OK);
    }
    ctx.out
        .line("deploying the refactored stacks to finish the change");
    let stacks: Vec<StackArtifact> = assembly
        .stacks
        .iter()
        .filter(|s| involved.contains(&s.stack_name) || selected.contains(&s.stack_name))
        .cloned()
        .collect();
    let mut deploy = super::deploy::default_args();
    deploy.require_approval = args.require_approval;
    deploy
        .toolkit_stack_name
        .clone_from(&args.toolkit_stack_name);
    super::deploy::deploy_selected(ctx, &assembly, stacks, &deploy)
}

async fn refactor_phase(
    ctx: &Ctx<'_>,
    args: &RefactorArgs,
    app_stacks: &[StackArtifact],
    selected: &BTreeSet<String>,
) -> Result<Phase, CliError> {
    let api = ctx.api().await?;
    // Every stack of the app as deployed: a resource may come from, or go to, a stack
    // that was not named.
    let mut deployed: BTreeMap<String, Template> = BTreeMap::new();
    for s in app_stacks {
        if let Some(body) = api.get_template(&s.stack_name).await? {
            let t = Template::parse_any(&body).map_err(|reason| CliError::TemplateFile {
                path: format!("<deployed template of {}>", s.stack_name).into(),
                reason,
            })?;
            deployed.insert(s.stack_name.clone(), t);
        }
    }
    let found = detect(
        &app_stacks
            .iter()
            .map(|s| StackTemplates {
                name: &s.stack_name,
                deployed: deployed.get(&s.stack_name),
                new: &s.template,
            })
            .collect::<Vec<_>>(),
    );
    let touches = |stack: &str| selected.contains(stack);
    let found = Detected {
        moves: found
            .moves
            .into_iter()
            .filter(|m| touches(&m.from.stack) || touches(&m.to.stack))
            .collect(),
        ambiguities: found
            .ambiguities
            .into_iter()
            .filter(|a| a.from.iter().chain(&a.to).any(|l| touches(&l.stack)))
            .collect(),
    };
    if ctx.global.json {
        let text =
            serde_json::to_string_pretty(&found).map_err(|e| CliError::Serialize(e.to_string()))?;
        ctx.out.line(&text);
    } else {
        print_moves(ctx, &found);
    }
    if !found.ambiguities.is_empty() {
        ctx.err.line(&format!(
            "error: berth cannot tell which deployed resource became which new one for {} group{} of identical resources; nothing was changed. Keep their logical IDs in the app with override_logical_id (or make their properties differ), then run refactor again",
            found.ambiguities.len(),
            if found.ambiguities.len() == 1 { "" } else { "s" }
        ));
        return Ok(Phase::Stop(exit::REFUSED));
    }
    if found.moves.is_empty() {
        if !ctx.global.json {
            ctx.out
                .line("nothing to refactor: no deployed resource moved or was renamed");
        }
        return Ok(Phase::Nothing);
    }
    let templates = match refactored_templates(&deployed, &found.moves) {
        Ok(t) => t,
        Err(e) => {
            ctx.err
                .line(&format!("error: cannot refactor: {e}; nothing was changed"));
            return Ok(Phase::Stop(exit::REFUSED));
        }
    };
    if args.dry_run {
        return Ok(Phase::Stop(exit::OK));
    }
    if !args.force {
        let question = format!(
            "Move {} deployed resource{} to {} new logical ID{} as shown?",
            found.moves.len(),
            if found.moves.len() == 1 { "" } else { "s" },
            if found.moves.len() == 1 {
                "its"
            } else {
                "their"
            },
            if found.moves.len() == 1 { "" } else { "s" },
        );
        match ctx.prompter.confirm(&question) {
            Some(true) => {}
            Some(false) => {
                ctx.err.line("nothing changed");
                return Ok(Phase::Stop(exit::NOT_APPROVED));
            }
            None => {
                return Err(CliError::NeedsYes {
                    command: "refactor".into(),
                    what: format!(
                        "move {} resource{}",
                        found.moves.len(),
                        if found.moves.len() == 1 { "" } else { "s" }
                    ),
                })
            }
        }
    }
    let engine = Engine {
        api: Arc::clone(&api),
        containers: None,
        progress: ctx.progress(),
        prompter: Arc::clone(&ctx.prompter),
        options: DeployOptions {
            poll: ctx.poll,
            toolkit_stack: args.toolkit_stack_name.clone(),
            ..DeployOptions::default()
        },
        out: ctx.out.clone(),
    };
    let mut definitions = Vec::new();
    for (name, template) in &templates {
        let body =
            serde_json::to_string(template).map_err(|e| CliError::Serialize(e.to_string()))?;
        match engine.template_source_for(name, "refactor", body).await {
            Ok(source) => definitions.push(StackDefinition {
                stack_name: name.clone(),
                template: source,
            }),
            Err(Outcome::Failed(report)) => {
                ctx.out.write(&report.render());
                return Ok(Phase::Stop(exit::FAILED));
            }
            Err(_) => return Ok(Phase::Stop(exit::FAILED)),
        }
    }
    let moves: Vec<ResourceMove> = found
        .moves
        .iter()
        .map(|m| ResourceMove {
            source_stack: m.from.stack.clone(),
            source_id: m.from.logical_id.clone(),
            destination_stack: m.to.stack.clone(),
            destination_id: m.to.logical_id.clone(),
        })
        .collect();
    let create_stacks = templates.keys().any(|n| !deployed.contains_key(n));
    let involved: Vec<String> = templates.keys().cloned().collect();
    match execute(ctx, api.as_ref(), &definitions, &moves, create_stacks).await {
        Ok(()) => {}
        Err(message) => {
            ctx.out
                .line(&format!("✘ the stack refactor failed: {message}"));
            return Ok(Phase::Stop(exit::FAILED));
        }
    }
    // The stacks finish updating a moment after the refactor says it is done.
    for name in &involved {
        engine.wait_stable(name).await?;
    }
    ctx.out.line(&format!(
        "✔ moved {} resource{} in {}",
        moves.len(),
        if moves.len() == 1 { "" } else { "s" },
        involved.join(", ")
    ));
    Ok(Phase::Done(involved))
}

/// Creates the refactor, waits for it, executes it and waits again. The error is the
/// reason CloudFormation gives (or the failed call).
async fn execute(
    ctx: &Ctx<'_>,
    api: &dyn CloudFormationApi,
    definitions: &[StackDefinition],
    moves: &[ResourceMove],
    create_stacks: bool,
) -> Result<(), String> {
    let description = format!(
        "berth refactor: {} resource{} moved",
        moves.len(),
        if moves.len() == 1 { "" } else { "s" }
    );
    let id = api
        .create_stack_refactor(definitions, moves, create_stacks, &description)
        .await
        .map_err(|e| e.with_hint())?;
    wait_for(ctx, api, &id, Phase2::Create).await?;
    api.execute_stack_refactor(&id)
        .await
        .map_err(|e| e.with_hint())?;
    wait_for(ctx, api, &id, Phase2::Execute).await
}

/// The two waits of a stack refactor.
#[derive(Clone, Copy)]
enum Phase2 {
    /// Until it is created (`Status`).
    Create,
    /// Until it is executed (`ExecutionStatus`).
    Execute,
}

/// Polls `DescribeStackRefactor` until the phase is complete; anything but progress or
/// completion is the error, with CloudFormation's reason.
async fn wait_for(
    ctx: &Ctx<'_>,
    api: &dyn CloudFormationApi,
    id: &str,
    phase: Phase2,
) -> Result<(), String> {
    let mut backoff = Backoff::new(ctx.poll);
    loop {
        let info = api
            .describe_stack_refactor(id)
            .await
            .map_err(|e| e.with_hint())?;
        let (status, reason, done, what) = match phase {
            Phase2::Create => (
                info.status,
                info.status_reason,
                "CREATE_COMPLETE",
                "CloudFormation did not accept it",
            ),
            Phase2::Execute => (
                info.execution_status,
                info.execution_status_reason,
                "EXECUTE_COMPLETE",
                "executing it ended in",
            ),
        };
        let waiting = status.ends_with("_IN_PROGRESS")
            || (matches!(phase, Phase2::Execute) && status == "AVAILABLE");
        if status == done {
            return Ok(());
        }
        if !waiting {
            let reason = reason.unwrap_or_else(|| "no reason given".into());
            return Err(match phase {
                Phase2::Create => format!("{what} ({status}): {reason}"),
                Phase2::Execute => format!("{what} {status}: {reason}"),
            });
        }
        tokio::time::sleep(backoff.next_delay()).await;
    }
}

fn print_moves(ctx: &Ctx<'_>, found: &Detected) {
    if !found.moves.is_empty() {
        ctx.out.line(&format!(
            "Resources moved or renamed ({}):",
            found.moves.len()
        ));
        for m in &found.moves {
            print_move(ctx, m);
        }
    }
    for a in &found.ambiguities {
        ctx.out.line(&format!(
            "Ambiguous: {} identical {} resource{} gone, {} new:",
            a.from.len(),
            a.resource_type,
            if a.from.len() == 1 { "" } else { "s" },
            a.to.len()
        ));
        for l in &a.from {
            ctx.out.line(&format!("  - {}", l.describe()));
        }
        for l in &a.to {
            ctx.out.line(&format!("  + {}", l.describe()));
        }
    }
}

fn print_move(ctx: &Ctx<'_>, m: &Move) {
    ctx.out.line(&format!("  {}", m.resource_type));
    ctx.out.line(&format!("    from {}", m.from.describe()));
    ctx.out.line(&format!("    to   {}", m.to.describe()));
}
