//! `berth logs`: a service's or task definition's container logs from CloudWatch
//! Logs, interleaved in time order with a `task/container` prefix, optionally followed.

use std::time::Duration;

use crate::assembly::Assembly;
use crate::cli::LogsArgs;
use crate::commands::Ctx;
use crate::error::CliError;
use crate::exit;
use crate::ops::api::{OpsApi, TaskDefinitionInfo, TaskInfo};
use crate::ops::logs::{self, FollowOptions, Line, LogSource, Printer, Seen, Selection};
use crate::ops::{self, deployed, now_ms, Kind, OpsError, Workload};

/// When no time is given and not following: the last hour.
const DEFAULT_SINCE_SECS: u64 = 3600;
/// When no limit is given and not following: the newest lines.
const DEFAULT_LIMIT: usize = 200;

/// What to read, worked out from the app and the deployed stack.
pub(crate) struct Target {
    /// The task definition whose containers' log configuration counts.
    pub td: TaskDefinitionInfo,
    /// Where its containers log.
    pub sources: Vec<LogSource>,
    /// Containers not shown (not logging to CloudWatch).
    pub notes: Vec<String>,
    /// Only these tasks (empty: all).
    pub tasks: Vec<String>,
}

/// The deployed task definition ARN of a workload, with the cluster and service ARN of
/// a service.
pub(crate) async fn deployed_task_definition(
    ctx: &Ctx<'_>,
    ops: &dyn OpsApi,
    w: &Workload<'_>,
) -> Result<(String, Option<(String, String)>), CliError> {
    let api = ctx.api().await?;
    let d = deployed(api.as_ref(), w.stack, Default::default())
        .await?
        .ok_or_else(|| OpsError::NotDeployed {
            what: format!("stack {}", w.stack.stack_name),
            stack: w.stack.stack_name.clone(),
        })?;
    let physical = d
        .physical(&w.logical_id)
        .map(str::to_string)
        .ok_or_else(|| OpsError::NotDeployed {
            what: w.path.clone(),
            stack: w.stack.stack_name.clone(),
        })?;
    match w.kind {
        Kind::TaskDefinition => Ok((physical, None)),
        Kind::Service => {
            let cluster = ops::service_cluster(w, &d, &physical);
            let s = ops
                .service_details(&cluster, &physical)
                .await?
                .ok_or_else(|| w.not_deployed())?;
            Ok((s.state.task_definition.clone(), Some((cluster, physical))))
        }
    }
}

/// The tasks of the deployment before the current one of a service, and their task
/// definition.
async fn previous_tasks(
    ops: &dyn OpsApi,
    cluster: &str,
    service: &str,
    path: &str,
) -> Result<(String, Vec<TaskInfo>), CliError> {
    let details = ops
        .service_details(cluster, service)
        .await?
        .ok_or_else(|| OpsError::Unresolved(format!("service {path} was not found")))?;
    let current = details.state.task_definition.clone();
    let mut arns = ops.list_tasks(cluster, Some(service), None, false).await?;
    arns.extend(ops.list_tasks(cluster, Some(service), None, true).await?);
    let tasks = if arns.is_empty() {
        Vec::new()
    } else {
        ops.describe_tasks(cluster, &arns).await?
    };
    // The deployment being replaced, else the newest task of another revision.
    let previous = details
        .state
        .deployments
        .iter()
        .find(|d| d.status != "PRIMARY" && d.task_definition != current)
        .map(|d| d.task_definition.clone())
        .or_else(|| {
            tasks
                .iter()
                .filter(|t| t.task_definition != current)
                .max_by_key(|t| t.started_at.or(t.stopped_at))
                .map(|t| t.task_definition.clone())
        })
        .ok_or_else(|| {
            OpsError::Unresolved(format!(
                "no previous deployment of {path} is known: it has no tasks of an older task definition (ECS forgets stopped tasks after about an hour)"
            ))
        })?;
    let tasks = tasks
        .into_iter()
        .filter(|t| t.task_definition == previous)
        .collect();
    Ok((previous, tasks))
}

pub(crate) async fn target(
    ctx: &Ctx<'_>,
    ops: &dyn OpsApi,
    assembly: &Assembly,
    args: &LogsArgs,
) -> Result<Target, CliError> {
    let w = ops::resolve(
        assembly,
        args.target.as_deref(),
        &[Kind::Service, Kind::TaskDefinition],
    )?;
    let (mut td_arn, service) = deployed_task_definition(ctx, ops, &w).await?;
    let mut tasks: Vec<String> = args.task.iter().map(|t| ops::task_id(t)).collect();
    if args.previous {
        let Some((cluster, service)) = &service else {
            return Err(OpsError::BadArgument(format!(
                "--previous needs a service; {} is a task definition",
                w.path
            ))
            .into());
        };
        let (previous, prev_tasks) = previous_tasks(ops, cluster, service, &w.path).await?;
        td_arn = previous;
        if prev_tasks.is_empty() {
            return Err(OpsError::Unresolved(format!(
                "ECS no longer lists tasks of the previous deployment of {} ({})",
                w.path,
                td_arn.rsplit('/').next().unwrap_or(&td_arn)
            ))
            .into());
        }
        tasks = prev_tasks.iter().map(|t| t.id().to_string()).collect();
    }
    let td = ops.task_definition(&td_arn).await?;
    let td_path = w
        .task_definition()
        .map(|t| t.path)
        .unwrap_or_else(|_| w.path.clone());
    let (sources, notes) = logs::sources(&td, args.container.as_deref(), &td_path)?;
    Ok(Target {
        td,
        sources,
        notes,
        tasks,
    })
}

/// Runs `berth logs`.
pub fn run(ctx: &mut Ctx<'_>, args: &LogsArgs) -> Result<u8, CliError> {
    let assembly = ctx.assembly()?;
    let now = now_ms();
    let start = match (&args.since, &args.start) {
        (Some(s), _) => Some(now - ops::parse_duration(s)? as i64 * 1000),
        (None, Some(t)) => Some(ops::parse_time(t)?),
        (None, None) if args.follow => Some(now - 60_000),
        (None, None) => Some(now - DEFAULT_SINCE_SECS as i64 * 1000),
    };
    let end = args.end.as_deref().map(ops::parse_time).transpose()?;
    if args.follow && end.is_some() {
        return Err(OpsError::BadArgument("--end and --follow do not go together".into()).into());
    }
    let follow_for = args
        .follow_for
        .as_deref()
        .map(ops::parse_duration)
        .transpose()?;
    let limit = match (args.limit, args.since.is_some() || args.start.is_some()) {
        (Some(l), _) => Some(l),
        (None, false) if !args.follow => Some(DEFAULT_LIMIT),
        _ => None,
    };
    let rt = super::runtime()?;
    let ctx_ref: &Ctx<'_> = ctx;
    let json = ctx.global.json;
    let color = ctx.out.is_tty && !json;
    let result: Result<(), CliError> = rt.block_on(async {
        let ops = ctx_ref.ops().await?;
        let t = target(ctx_ref, ops.as_ref(), &assembly, args).await?;
        for n in &t.notes {
            ctx_ref
                .err
                .line(&format!("note: {n}; its lines are not shown"));
        }
        let sel = Selection {
            tasks: t.tasks.clone(),
            start,
            end,
            pattern: args.filter.clone(),
        };
        let mut printer = Printer::new(color, json);
        let lines = logs::fetch(ops.as_ref(), &t.sources, &sel, limit).await?;
        let mut seen = Seen::default();
        for l in &lines {
            seen.first_time(&l.event);
            ctx_ref.out.line(&printer.render(l));
        }
        if !args.follow {
            if lines.is_empty() && !json {
                ctx_ref.err.line("no log lines in that time range");
            }
            return Ok(());
        }
        let since = lines.iter().map(|l| l.event.timestamp).max().unwrap_or(now);
        let sel = Selection {
            start: Some(since),
            ..sel
        };
        let out = ctx_ref.out.clone();
        let err = ctx_ref.err.clone();
        let mut emit = move |batch: Vec<Line>| {
            for l in &batch {
                out.line(&printer.render(l));
            }
        };
        let mut note = move |n: String| err.line(&format!("note: {n}"));
        let options = FollowOptions {
            poll: poll_interval(ctx_ref),
            ..FollowOptions::default()
        };
        let follow = logs::follow(
            ops.as_ref(),
            &t.td.arn,
            &t.sources,
            &sel,
            options,
            &mut seen,
            logs::Callbacks {
                emit: &mut emit,
                note: &mut note,
            },
        );
        let until = async {
            match follow_for {
                Some(s) => tokio::time::sleep(Duration::from_secs(s)).await,
                None => std::future::pending::<()>().await,
            }
        };
        let handle = ctx_ref.handle_ctrl_c;
        let ctrl_c = async {
            if handle {
                let _ = tokio::signal::ctrl_c().await;
            } else {
                std::future::pending::<()>().await
            }
        };
        tokio::select! {
            r = follow => r.map_err(CliError::from),
            _ = until => Ok(()),
            _ = ctrl_c => Ok(()),
        }
    });
    result?;
    Ok(exit::OK)
}

/// How often `--follow` polls: the session's polling ceiling (fast in tests), at most
/// 2 s.
pub(crate) fn poll_interval(ctx: &Ctx<'_>) -> Duration {
    ctx.poll.max.min(Duration::from_secs(2))
}
