//! `berth deployment continue|rollback|stop SERVICE`: answers a service deployment
//! paused at a `PAUSE` lifecycle hook (`ContinueServiceDeployment`), or stops the one
//! in progress (`StopServiceDeployment`), from another terminal or a CI step while
//! `berth deploy` (or the console) waits.

use serde_json::json;

use crate::cli::{DeploymentAction, DeploymentArgs};
use crate::commands::{block_on, Ctx};
use crate::deploy::containers::{ContainerApi, HookAnswer, StopKind};
use crate::deploy::rollout::cluster_of_service_arn;
use crate::error::CliError;
use crate::exit;
use crate::ops::{self, deployed, Kind, OpsError};

/// The service a `berth deployment` command acts on.
struct Target {
    /// How it is named in messages.
    name: String,
    cluster: String,
    arn: String,
}

/// Names the service: by ARN (no app needed), or as `berth status` does.
fn by_arn(query: Option<&str>) -> Result<Option<Target>, CliError> {
    if let Some(q) = query.filter(|q| q.starts_with("arn:")) {
        let cluster = cluster_of_service_arn(q).ok_or_else(|| {
            OpsError::BadArgument(format!(
                "{q} is not a service ARN in the long format (arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME)"
            ))
        })?;
        return Ok(Some(Target {
            name: q.rsplit('/').next().unwrap_or(q).to_string(),
            cluster: cluster.to_string(),
            arn: q.to_string(),
        }));
    }
    Ok(None)
}

/// Runs `berth deployment`.
pub fn run(ctx: &mut Ctx<'_>, args: &DeploymentArgs) -> Result<u8, CliError> {
    let by_arn = by_arn(args.service.as_deref())?;
    let assembly = match by_arn {
        Some(_) => None,
        None => Some(ctx.assembly()?),
    };
    let ctx_ref: &Ctx<'_> = ctx;
    let (message, result) = block_on(
        ctx_ref,
        async {
            let t = match by_arn {
                Some(t) => t,
                None => {
                    let assembly = assembly.as_ref().expect("read above");
                    let service =
                        ops::resolve(assembly, args.service.as_deref(), &[Kind::Service])?;
                    let api = ctx_ref.api().await?;
                    let d = deployed(api.as_ref(), service.stack, Default::default())
                        .await?
                        .ok_or_else(|| service.stack_not_deployed())?;
                    let arn = d.physical_of(&service)?;
                    Target {
                        name: service.path.clone(),
                        cluster: ops::service_cluster(&service, &d, &arn),
                        arn,
                    }
                }
            };
            let containers = ctx_ref
                .containers()
                .await?
                .ok_or_else(|| OpsError::Unresolved("no ECS client is available".into()))?;
            act(containers.as_ref(), &t, args).await
        },
        "the call may or may not have reached ECS; check with `berth status SERVICE`",
    )?;
    if ctx.global.json {
        let text = serde_json::to_string_pretty(&result)
            .map_err(|e| CliError::Serialize(e.to_string()))?;
        ctx.out.line(&text);
    } else {
        ctx.out.line(&message);
    }
    Ok(exit::OK)
}

async fn act(
    api: &dyn ContainerApi,
    t: &Target,
    args: &DeploymentArgs,
) -> Result<(String, serde_json::Value), CliError> {
    let service = api
        .describe_service(&t.cluster, &t.arn)
        .await?
        .ok_or_else(|| {
            OpsError::Unresolved(format!(
                "service {} was not found in cluster {}",
                t.name, t.cluster
            ))
        })?;
    let Some(arn) = service.current_service_deployment.clone() else {
        return Err(OpsError::Unresolved(format!(
            "{} has no service deployment to {}",
            t.name,
            verb(args.action)
        ))
        .into());
    };
    let d = api
        .describe_service_deployment(&arn)
        .await?
        .ok_or_else(|| {
            OpsError::Unresolved(format!(
                "the service deployment {arn} of {} was not found",
                t.name
            ))
        })?;
    let strategy = d.strategy.as_deref().unwrap_or("ECS");
    let stage = d.stage.as_deref().unwrap_or("its first stage");
    if d.is_finished() {
        return Err(OpsError::Unresolved(format!(
            "the {strategy} deployment {} of {} has ended ({}); there is nothing to {}",
            d.short_id(),
            t.name,
            d.status,
            verb(args.action)
        ))
        .into());
    }
    match args.action {
        DeploymentAction::Continue | DeploymentAction::Rollback => {
            let answer = if args.action == DeploymentAction::Continue {
                HookAnswer::Continue
            } else {
                HookAnswer::Rollback
            };
            let hook = match &args.hook {
                Some(id) => d
                    .hooks
                    .iter()
                    .find(|h| &h.hook_id == id)
                    .ok_or_else(|| {
                        let ids: Vec<&str> = d.hooks.iter().map(|h| h.hook_id.as_str()).collect();
                        OpsError::Unresolved(format!(
                            "the {strategy} deployment {} of {} has no hook {id}; its hooks: {}",
                            d.short_id(),
                            t.name,
                            if ids.is_empty() { "none".to_string() } else { ids.join(", ") }
                        ))
                    })?
                    .clone(),
                None => d.awaiting_pause().cloned().ok_or_else(|| {
                    OpsError::Unresolved(format!(
                        "no lifecycle hook of {}'s {strategy} deployment {} awaits an answer ({}); a PAUSE hook waits for one once the deployment reaches its stage",
                        t.name,
                        d.short_id(),
                        where_(&d),
                    ))
                })?,
            };
            api.continue_service_deployment(&arn, &hook.hook_id, answer)
                .await?;
            let word = answer.as_str().to_ascii_lowercase();
            Ok((
                format!(
                    "✔ answered {word} to hook {} of {}'s {strategy} deployment {} (paused at {stage})",
                    hook.hook_id,
                    t.name,
                    d.short_id()
                ),
                json!({"service": t.name, "service_deployment": arn, "hook": hook.hook_id,
                       "action": answer.as_str(), "stage": d.stage}),
            ))
        }
        DeploymentAction::Stop => {
            let kind = if args.abort {
                StopKind::Abort
            } else {
                StopKind::Rollback
            };
            api.stop_service_deployment(&arn, kind).await?;
            let what = match kind {
                StopKind::Rollback => "stopping it and rolling back",
                StopKind::Abort => "stopping it where it is",
            };
            Ok((
                format!(
                    "✔ asked ECS to stop {}'s {strategy} deployment {} ({}): {what}",
                    t.name,
                    d.short_id(),
                    where_(&d)
                ),
                json!({"service": t.name, "service_deployment": arn, "stop_type": kind.as_str()}),
            ))
        }
    }
}

/// `IN_PROGRESS, stage SCALE_UP` (or the status alone).
fn where_(d: &crate::deploy::containers::ServiceDeploymentState) -> String {
    match &d.stage {
        Some(stage) => format!("{}, stage {stage}", d.status),
        None => d.status.clone(),
    }
}

fn verb(a: DeploymentAction) -> &'static str {
    match a {
        DeploymentAction::Continue => "continue",
        DeploymentAction::Rollback => "roll back",
        DeploymentAction::Stop => "stop",
    }
}
