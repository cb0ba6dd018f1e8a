//! `berth check`: run rule packs over the app's templates and report the findings as
//! text, CDK's policy validation report (JSON) or SARIF 2.1.0.

use crate::assembly::StackArtifact;
use crate::cli::{CheckArgs, CheckFormat};
use crate::commands::Ctx;
use crate::error::CliError;
use crate::exit;
use berth_synth::rules::{self, Report, RulePack};

/// The packs named on the command line; an unknown name is a usage error.
pub fn packs(names: &[String]) -> Result<Vec<&'static RulePack>, CliError> {
    let mut out: Vec<&'static RulePack> = Vec::new();
    for n in names {
        let p = rules::pack(n).ok_or_else(|| CliError::UnknownRulePack {
            name: n.clone(),
            packs: rules::pack_names().join(", "),
        })?;
        if !out.iter().any(|q| q.name == p.name) {
            out.push(p);
        }
    }
    Ok(out)
}

/// The packs' report over these stacks' templates (as written in the assembly).
pub fn check_stacks(
    stacks: &[&StackArtifact],
    packs: &[&'static RulePack],
) -> Result<Report, CliError> {
    let mut report = Report::new(packs);
    for s in stacks {
        let value: serde_json::Value =
            serde_json::from_str(&s.template_body).map_err(|e| CliError::TemplateFile {
                path: s.template_file.clone(),
                reason: e.to_string(),
            })?;
        let file = s
            .template_file
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        report.merge(rules::check_template(&s.id, &file, &value, packs));
    }
    Ok(report)
}

/// Runs `berth check`.
pub fn run(ctx: &mut Ctx<'_>, args: &CheckArgs) -> Result<u8, CliError> {
    let packs = packs(&args.rules)?;
    let assembly = ctx.assembly()?;
    let selected: Vec<&StackArtifact> = if args.stacks.is_empty() {
        assembly.stacks.iter().collect()
    } else {
        assembly.select(&args.stacks, false, false)?
    };
    let report = check_stacks(&selected, &packs)?;
    let text = match args.format {
        CheckFormat::Text => rules::text(&report),
        CheckFormat::Json => pretty(&rules::ValidationReport::new(&report))?,
        CheckFormat::Sarif => {
            let dir = assembly.dir.strip_prefix(&ctx.cwd).unwrap_or(&assembly.dir);
            let mut prefix = dir.to_string_lossy().replace('\\', "/");
            if !prefix.is_empty() && !prefix.ends_with('/') {
                prefix.push('/');
            }
            pretty(&rules::sarif(&report, &prefix))?
        }
    };
    ctx.out.write(&text);
    Ok(if report.unsuppressed().next().is_some() {
        exit::DIFFERENCES
    } else {
        exit::OK
    })
}

fn pretty(v: &impl serde::Serialize) -> Result<String, CliError> {
    let mut s = serde_json::to_string_pretty(v).map_err(|e| CliError::Serialize(e.to_string()))?;
    s.push('\n');
    Ok(s)
}
