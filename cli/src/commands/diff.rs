//! `berth diff`: compare stacks with the deployed templates or a template file.

use crate::cli::DiffArgs;
use crate::commands::{block_on, Ctx};
use crate::deploy::guard::{self, GuardInput, GuardReport};
use crate::diff::{diff_templates, render_guarded, schema_create_only, TemplateDiff};
use crate::error::CliError;
use crate::exit;
use crate::refactor::{self, StackTemplates};
use crate::template::Template;

/// Runs `berth diff`.
pub fn run(ctx: &mut Ctx<'_>, args: &DiffArgs) -> Result<u8, CliError> {
    let assembly = ctx.assembly()?;
    let stacks = assembly.select(&args.stacks, true, false)?;
    let mut diffs: Vec<(String, TemplateDiff)> = Vec::new();
    let mut deployed: Vec<Option<Template>> = Vec::new();
    if let Some(path) = &args.template {
        let path = ctx.cwd.join(path);
        let text = std::fs::read_to_string(&path).map_err(|e| CliError::TemplateFile {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let old = Template::parse_any(&text).map_err(|reason| CliError::TemplateFile {
            path: path.clone(),
            reason,
        })?;
        if stacks.len() != 1 {
            return Err(CliError::TemplateFile {
                path,
                reason: format!(
                    "--template compares with one stack, and {} are selected; name one",
                    stacks.len()
                ),
            });
        }
        let d = diff_templates(Some(&old), &stacks[0].template, &schema_create_only);
        deployed.push(Some(old));
        diffs.push((stacks[0].stack_name.clone(), d));
    } else {
        let owned: Vec<(String, Template)> = stacks
            .iter()
            .map(|s| (s.stack_name.clone(), s.template.clone()))
            .collect();
        let found = block_on(
            ctx,
            async {
                let api = ctx.api().await?;
                let mut out = Vec::new();
                for (name, template) in &owned {
                    let deployed = match api.get_template(name).await? {
                        Some(body) => Some(Template::parse_any(&body).map_err(|reason| {
                            CliError::TemplateFile {
                                path: format!("<deployed template of {name}>").into(),
                                reason,
                            }
                        })?),
                        None => None,
                    };
                    let d = diff_templates(deployed.as_ref(), template, &schema_create_only);
                    out.push((name.clone(), d, deployed));
                }
                Ok(out)
            },
            "interrupted",
        );
        for (name, d, t) in found? {
            diffs.push((name, d));
            deployed.push(t);
        }
    }
    // The guard's classification, in deploy's words: stateful resources replaced or
    // deleted, and resources that moved (within a stack, or across the stacks shown).
    let moves = refactor::detect(
        &stacks
            .iter()
            .zip(&deployed)
            .map(|(s, d)| StackTemplates {
                name: &s.stack_name,
                deployed: d.as_ref(),
                new: &s.template,
            })
            .collect::<Vec<_>>(),
    );
    let guards: Vec<GuardReport> = stacks
        .iter()
        .zip(&deployed)
        .zip(&diffs)
        .map(|((s, d), (_, diff))| {
            guard::classify(GuardInput {
                stack: &s.stack_name,
                deployed: d.as_ref(),
                new: &s.template,
                diff,
                planned: None,
                allow: &args.allow_replacement,
                moves: &moves,
            })
        })
        .collect();
    let differs = diffs.iter().any(|(_, d)| !d.is_empty());
    if ctx.global.json {
        let value: serde_json::Map<String, serde_json::Value> = diffs
            .iter()
            .zip(&guards)
            .map(|((n, d), g)| {
                let mut v = serde_json::to_value(d).unwrap_or_default();
                if let Some(m) = v.as_object_mut() {
                    m.insert(
                        "refused".into(),
                        serde_json::to_value(g.refused()).unwrap_or_default(),
                    );
                }
                (n.clone(), v)
            })
            .collect();
        let text =
            serde_json::to_string_pretty(&value).map_err(|e| CliError::Serialize(e.to_string()))?;
        ctx.out.line(&text);
    } else {
        for (i, ((name, d), g)) in diffs.iter().zip(&guards).enumerate() {
            if i > 0 {
                ctx.out.line("");
            }
            ctx.out
                .write(&render_guarded(name, d, Some(g), ctx.out.is_tty));
        }
    }
    Ok(if args.fail && differs {
        exit::DIFFERENCES
    } else {
        exit::OK
    })
}
