//! `berth deploy`: create or update stacks in dependency order.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::json;

use crate::cli::DeployArgs;
use crate::commands::{block_on, parse_parameters, Ctx};
use crate::deploy::rollout::RolloutOptions;
use crate::deploy::{DeployOptions, Engine, HotswapMode, Outcome};
use crate::error::CliError;
use crate::exit;

/// Runs `berth deploy`.
pub fn run(ctx: &mut Ctx<'_>, args: &DeployArgs) -> Result<u8, CliError> {
    parse_parameters(&args.parameters)?;
    let assembly = ctx.assembly()?;
    let stacks: Vec<_> = assembly
        .select(&args.stacks, args.all, !args.exclusively)?
        .into_iter()
        .cloned()
        .collect();
    deploy_selected(ctx, &assembly, stacks, args)
}

/// The options of `berth deploy` with nothing given on the command line (clap's
/// defaults), for commands that deploy afterwards (`berth refactor`).
pub fn default_args() -> DeployArgs {
    use clap::{Args, FromArgMatches};
    let command = DeployArgs::augment_args(clap::Command::new("deploy"));
    DeployArgs::from_arg_matches(&command.get_matches_from(["deploy"]))
        .expect("the defaults of deploy's options parse")
}

/// Deploys `stacks` (already selected from `assembly`) with `args`' options.
pub fn deploy_selected(
    ctx: &mut Ctx<'_>,
    assembly: &crate::assembly::Assembly,
    stacks: Vec<crate::assembly::StackArtifact>,
    args: &DeployArgs,
) -> Result<u8, CliError> {
    let parameters = parse_parameters(&args.parameters)?;
    let names: Vec<String> = stacks.iter().map(|s| s.stack_name.clone()).collect();
    let options = DeployOptions {
        method: args.method,
        approval: args.require_approval,
        parameters,
        disable_rollback: args.no_rollback,
        concurrency: usize::from(args.concurrency),
        toolkit_stack: args.toolkit_stack_name.clone(),
        poll: ctx.poll,
        force: args.force,
        hotswap: if args.hotswap_only {
            HotswapMode::Only
        } else if args.hotswap {
            HotswapMode::Fallback
        } else {
            HotswapMode::Off
        },
        rollout: RolloutOptions {
            enabled: true,
            max_stopped_tasks: args.max_stopped_tasks as usize,
            timeout: std::time::Duration::from_secs(args.rollout_timeout),
            on_pause: crate::cli::PauseAnswer::on_pause(args.on_pause),
        },
        allow_replacement: args.allow_replacement.clone(),
        app_templates: assembly
            .stacks
            .iter()
            .map(|s| (s.stack_name.clone(), s.template.clone()))
            .collect(),
        ..DeployOptions::default()
    };
    let interrupt = format!(
        "CloudFormation carries on with the operations already started on {}; watch them with `aws cloudformation describe-stack-events --stack-name STACK`, or stop an update with `aws cloudformation cancel-update-stack --stack-name STACK`",
        names.join(", ")
    );
    let results = block_on(
        ctx,
        async {
            let api = ctx.api().await?;
            let containers = ctx.containers().await?;
            let progress = ctx.progress();
            if !args.no_publish {
                super::publish::publish_all(ctx, containers.clone(), &progress, &stacks).await?;
            }
            let engine = Arc::new(Engine {
                api,
                containers,
                progress,
                prompter: Arc::clone(&ctx.prompter),
                options,
                out: ctx.out.clone(),
            });
            Ok(engine.deploy_all(stacks).await)
        },
        &interrupt,
    )?;

    let mut all_outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut code = exit::OK;
    let mut summary = Vec::new();
    for (id, outcome) in &results {
        let name = assembly
            .stack(id)
            .map(|s| s.stack_name.clone())
            .unwrap_or_else(|| id.clone());
        match outcome {
            Outcome::Deployed { status, outputs } => {
                if !ctx.global.json {
                    ctx.out.line(&format!("✔ {name} deployed ({status})"));
                    print_outputs(ctx, &name, outputs);
                    if let Some(stack) = assembly.stack(id) {
                        for (path, url) in express_urls(&stack.template, outputs) {
                            ctx.out.line(&format!("  Express service {path}: {url}"));
                        }
                    }
                }
                all_outputs.insert(name.clone(), outputs.clone());
                summary.push(json!({"stack": name, "result": "deployed", "status": status, "outputs": outputs}));
            }
            Outcome::Hotswapped { changes, outputs } => {
                if !ctx.global.json {
                    ctx.out.line(&format!(
                        "✔ {name} hotswapped ({} change{})",
                        changes.len(),
                        if changes.len() == 1 { "" } else { "s" }
                    ));
                    ctx.out.line(&format!("  ⚠ {name} has drifted from its template until the next full deploy (berth deploy without --hotswap)"));
                    print_outputs(ctx, &name, outputs);
                }
                all_outputs.insert(name.clone(), outputs.clone());
                summary.push(json!({"stack": name, "result": "hotswapped", "changes": changes, "outputs": outputs}));
            }
            Outcome::NoChanges { outputs } => {
                if !ctx.global.json {
                    ctx.out.line(&format!("✔ {name}: no changes"));
                    print_outputs(ctx, &name, outputs);
                }
                all_outputs.insert(name.clone(), outputs.clone());
                summary.push(json!({"stack": name, "result": "no-changes", "outputs": outputs}));
            }
            Outcome::Failed(report) => {
                if !ctx.global.json {
                    ctx.out.write(&report.render());
                }
                code = exit::FAILED;
                summary.push(json!({"stack": name, "result": "failed", "failure": report}));
            }
            Outcome::NotApproved(msg) => {
                ctx.err.line(&format!("error: {msg}"));
                if code == exit::OK {
                    code = exit::NOT_APPROVED;
                }
                summary.push(json!({"stack": name, "result": "not-approved", "message": msg}));
            }
            Outcome::Skipped(msg) => {
                ctx.err.line(msg);
                summary.push(json!({"stack": name, "result": "skipped", "message": msg}));
            }
            Outcome::Refused(guard) => {
                if !ctx.global.json {
                    ctx.out.write(&guard.render_refusal());
                }
                if code == exit::OK || code == exit::NOT_APPROVED {
                    code = exit::REFUSED;
                }
                summary
                    .push(json!({"stack": name, "result": "refused", "refused": guard.refused()}));
            }
            Outcome::Deleted | Outcome::NotFound | Outcome::Protected(_) => {}
        }
    }
    if let Some(path) = &args.outputs_file {
        let path = ctx.cwd.join(path);
        let text = serde_json::to_string_pretty(&all_outputs)
            .map_err(|e| CliError::Serialize(e.to_string()))?;
        std::fs::write(&path, text + "\n").map_err(|source| CliError::Write {
            path: path.clone(),
            source,
        })?;
    }
    if ctx.global.json {
        let text = serde_json::to_string_pretty(&summary)
            .map_err(|e| CliError::Serialize(e.to_string()))?;
        ctx.out.line(&text);
    }
    Ok(code)
}

fn print_outputs(ctx: &Ctx<'_>, stack: &str, outputs: &BTreeMap<String, String>) {
    if outputs.is_empty() {
        return;
    }
    ctx.out.line("Outputs:");
    for (k, v) in outputs {
        ctx.out.line(&format!("  {stack}.{k} = {v}"));
    }
}

/// The URLs of the stack's Express Mode services (`AWS::ECS::ExpressGatewayService`),
/// from the outputs whose value is the service's `Endpoint`: (construct path or
/// logical id, `https://` URL), in the template's output order.
pub fn express_urls(
    template: &crate::template::Template,
    outputs: &BTreeMap<String, String>,
) -> Vec<(String, String)> {
    let mut urls = Vec::new();
    for (key, output) in &template.outputs {
        let Some(att) = output
            .get("Value")
            .and_then(|v| v.get("Fn::GetAtt"))
            .and_then(|a| a.as_array())
        else {
            continue;
        };
        let (Some(id), Some("Endpoint")) = (
            att.first().and_then(|v| v.as_str()),
            att.get(1).and_then(|v| v.as_str()),
        ) else {
            continue;
        };
        let Some(resource) = template.resources.get(id) else {
            continue;
        };
        if resource.kind != "AWS::ECS::ExpressGatewayService" {
            continue;
        }
        let Some(endpoint) = outputs.get(key).filter(|e| !e.is_empty()) else {
            continue;
        };
        let url = if endpoint.starts_with("http://") || endpoint.starts_with("https://") {
            endpoint.clone()
        } else {
            format!("https://{endpoint}")
        };
        let path = resource
            .construct_path()
            .map(|p| p.strip_suffix("/Service").unwrap_or(p).to_owned())
            .unwrap_or_else(|| id.to_owned());
        urls.push((path, url));
    }
    urls
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn express_urls_come_from_express_endpoints_only() {
        let template: crate::template::Template = serde_json::from_value(json!({
            "Resources": {
                "Web": {"Type": "AWS::ECS::ExpressGatewayService", "Metadata": {"berth:path": "App/Web/Service"}},
                "Db": {"Type": "AWS::RDS::DBCluster"},
                "Api": {"Type": "AWS::ECS::ExpressGatewayService"}
            },
            "Outputs": {
                "WebEndpoint": {"Value": {"Fn::GetAtt": ["Web", "Endpoint"]}},
                "DbEndpoint": {"Value": {"Fn::GetAtt": ["Db", "Endpoint"]}},
                "ApiArn": {"Value": {"Fn::GetAtt": ["Api", "ServiceArn"]}},
                "ApiEndpoint": {"Value": {"Fn::GetAtt": ["Api", "Endpoint"]}}
            }
        }))
        .unwrap();
        let outputs: BTreeMap<String, String> = [
            ("WebEndpoint", "web.ecs.eu-west-1.on.aws"),
            ("DbEndpoint", "db.cluster.rds.amazonaws.com"),
            ("ApiArn", "arn:aws:ecs:eu-west-1:1:service/api"),
            ("ApiEndpoint", "https://api.ecs.eu-west-1.on.aws"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(
            express_urls(&template, &outputs),
            [
                (
                    "App/Web".to_owned(),
                    "https://web.ecs.eu-west-1.on.aws".to_owned()
                ),
                (
                    "Api".to_owned(),
                    "https://api.ecs.eu-west-1.on.aws".to_owned()
                ),
            ]
        );
    }
}
