//! `berth synth`: run the app, and print a single stack's template.

use crate::cli::SynthArgs;
use crate::commands::Ctx;
use crate::error::CliError;
use crate::exit;

/// Runs `berth synth`.
pub fn run(ctx: &mut Ctx<'_>, args: &SynthArgs) -> Result<u8, CliError> {
    let packs = crate::commands::check::packs(&args.rules)?;
    if !packs.is_empty() {
        let names: Vec<&str> = packs.iter().map(|p| p.name).collect();
        ctx.app_env
            .push((berth_synth::rules::RULES_ENV, names.join(",")));
        if args.strict {
            ctx.app_env
                .push((berth_synth::rules::STRICT_ENV, "1".to_owned()));
        }
    }
    let assembly = ctx.assembly()?;
    if !packs.is_empty() {
        // The app ran the packs (and failed under --strict); this lists what they found
        // also for an assembly directory or an app that does not read BERTH_RULES.
        let all: Vec<_> = assembly.stacks.iter().collect();
        let report = crate::commands::check::check_stacks(&all, &packs)?;
        ctx.err.write(&berth_synth::rules::text(&report));
        if args.strict && report.unsuppressed().next().is_some() {
            return Err(CliError::Synth(
                format!(
                    "--strict: {} unsuppressed rule finding(s) in {}",
                    report.unsuppressed().count(),
                    assembly.dir.display()
                )
                .into(),
            ));
        }
    }
    if args.quiet {
        return Ok(exit::OK);
    }
    let selected = if args.stacks.is_empty() {
        assembly.stacks.iter().collect()
    } else {
        assembly.select(&args.stacks, false, false)?
    };
    if selected.len() == 1 {
        let stack = selected[0];
        let value: serde_json::Value =
            serde_json::from_str(&stack.template_body).map_err(|e| CliError::TemplateFile {
                path: stack.template_file.clone(),
                reason: e.to_string(),
            })?;
        let text = if ctx.global.json {
            let mut s = serde_json::to_string_pretty(&value)
                .map_err(|e| CliError::Serialize(e.to_string()))?;
            s.push('\n');
            s
        } else {
            serde_yaml_ng::to_string(&value).map_err(|e| CliError::Serialize(e.to_string()))?
        };
        ctx.out.write(&text);
    } else {
        let names: Vec<&str> = selected.iter().map(|s| s.id.as_str()).collect();
        ctx.err.line(&format!(
            "Synthesized {} stacks to {}: {}",
            names.len(),
            assembly.dir.display(),
            names.join(", ")
        ));
        ctx.err
            .line("Name one stack (`berth synth STACK`) to print its template.");
    }
    Ok(exit::OK)
}
