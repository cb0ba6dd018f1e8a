//! `berth list`: the stacks in deploy order with their dependencies.

use serde::Serialize;

use crate::cli::ListArgs;
use crate::commands::Ctx;
use crate::error::CliError;
use crate::exit;

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    name: &'a str,
    environment: &'a str,
    dependencies: &'a [String],
    resources: usize,
    outputs: usize,
    /// Services and task definitions by the names `status`, `logs`, `run` and `exec` take.
    services: Vec<String>,
    task_definitions: Vec<String>,
}

/// Runs `berth list`.
pub fn run(ctx: &mut Ctx<'_>, args: &ListArgs) -> Result<u8, CliError> {
    let assembly = ctx.assembly()?;
    let stacks = if args.stacks.is_empty() {
        assembly.stacks.iter().collect()
    } else {
        assembly.select(&args.stacks, false, false)?
    };
    let workloads = crate::ops::workloads(&assembly);
    let named = |stack: &str, kind: crate::ops::Kind| -> Vec<String> {
        workloads
            .iter()
            .filter(|w| w.stack.id == stack && w.kind == kind)
            .map(|w| w.path.clone())
            .collect()
    };
    let rows: Vec<Row> = stacks
        .iter()
        .map(|s| Row {
            services: named(&s.id, crate::ops::Kind::Service),
            task_definitions: named(&s.id, crate::ops::Kind::TaskDefinition),
            id: &s.id,
            name: &s.stack_name,
            environment: &s.environment,
            dependencies: &s.dependencies,
            resources: s.template.resources.len(),
            outputs: s.template.outputs.len(),
        })
        .collect();
    if ctx.global.json {
        let text =
            serde_json::to_string_pretty(&rows).map_err(|e| CliError::Serialize(e.to_string()))?;
        ctx.out.line(&text);
        return Ok(exit::OK);
    }
    for r in &rows {
        let name = if r.name == r.id {
            r.id.to_string()
        } else {
            format!("{} ({})", r.id, r.name)
        };
        let deps = if r.dependencies.is_empty() {
            String::new()
        } else {
            format!("  <- depends on {}", r.dependencies.join(", "))
        };
        if args.long {
            let list = |v: &[String]| {
                if v.is_empty() {
                    "-".to_string()
                } else {
                    v.join(", ")
                }
            };
            ctx.out.line(&format!(
                "{name}\n  environment: {}\n  resources: {}, outputs: {}\n  depends on: {}",
                r.environment,
                r.resources,
                r.outputs,
                list(r.dependencies)
            ));
            if !r.services.is_empty() || !r.task_definitions.is_empty() {
                ctx.out.line(&format!(
                    "  services: {}\n  task definitions: {}",
                    list(&r.services),
                    list(&r.task_definitions)
                ));
            }
        } else {
            ctx.out.line(&format!("{name}{deps}"));
        }
    }
    Ok(exit::OK)
}
