//! `berth run`: a one-off task of a task definition (a migration, a backfill) with the
//! cluster, launch type or capacity providers, subnets, security groups and public-IP
//! setting of the service (or schedule) that runs it in the deployed stack; its logs
//! streamed while it runs; berth's exit code is the essential container's. With
//! `--local`, the task definition's containers run with docker instead
//! ([`crate::ops::local`]).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::cli::RunArgs;
use crate::commands::Ctx;
use crate::error::CliError;
use crate::exit;
use crate::ops::api::{
    ContainerOverride, NetworkConfig, OpsApi, RunTaskRequest, TaskDefinitionInfo, TaskInfo,
};
use crate::ops::logs::{self, Printer, Seen, Selection};
use crate::ops::{self, deployed, Deployed, Kind, OpsError, Workload};

/// Where tasks of a task definition run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Placement {
    cluster: String,
    launch_type: Option<String>,
    capacity: Vec<(String, i32, i32)>,
    network: Option<NetworkConfig>,
    /// What it was taken from (a service's or a schedule's construct path).
    from: String,
}

fn refs(v: Option<&Value>, logical_id: &str) -> bool {
    v.and_then(|v| v.get("Ref")).and_then(Value::as_str) == Some(logical_id)
}

fn network_of(
    d: &Deployed,
    awsvpc: Option<&Value>,
    who: &str,
) -> Result<Option<NetworkConfig>, OpsError> {
    let Some(a) = awsvpc else {
        return Ok(None);
    };
    let err = |what: &str, e: String| OpsError::Unresolved(format!("{who}: {what}: {e}"));
    let subnets = match a.get("Subnets") {
        Some(v) => d.strings(v).map_err(|e| err("Subnets", e))?,
        None => Vec::new(),
    };
    let security_groups = match a.get("SecurityGroups") {
        Some(v) => d.strings(v).map_err(|e| err("SecurityGroups", e))?,
        None => Vec::new(),
    };
    let assign_public_ip = match a.get("AssignPublicIp") {
        Some(v) => d.string(v).map_err(|e| err("AssignPublicIp", e))? == "ENABLED",
        None => false,
    };
    Ok(Some(NetworkConfig {
        subnets,
        security_groups,
        assign_public_ip,
    }))
}

fn capacity_of(d: &Deployed, v: Option<&Value>) -> Vec<(String, i32, i32)> {
    let Some(Value::Array(items)) = v else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|i| {
            let p = d.string(i.get("CapacityProvider")?).ok()?;
            let n = |k: &str| {
                i.get(k)
                    .and_then(|x| d.string(x).ok())
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0)
            };
            Some((p, n("Weight"), n("Base")))
        })
        .collect()
}

/// The placement of a service (from its template properties, evaluated).
fn from_service(w: &Workload<'_>, d: &Deployed) -> Result<Placement, OpsError> {
    let arn = d
        .physical(&w.logical_id)
        .ok_or_else(|| OpsError::NotDeployed {
            what: w.path.clone(),
            stack: w.stack.stack_name.clone(),
        })?;
    let p = &w.resource().properties;
    Ok(Placement {
        cluster: ops::service_cluster(w, d, arn),
        launch_type: p.get("LaunchType").and_then(|v| d.string(v).ok()),
        capacity: capacity_of(d, p.get("CapacityProviderStrategy")),
        network: network_of(
            d,
            p.get("NetworkConfiguration")
                .and_then(|n| n.get("AwsvpcConfiguration")),
            &w.path,
        )?,
        from: format!("service {}", w.path),
    })
}

/// The placement of the first service or scheduled rule in `td`'s stack that runs it.
fn from_stack(td: &Workload<'_>, d: &Deployed) -> Result<Option<Placement>, OpsError> {
    let stack = td.stack;
    for (id, r) in &stack.template.resources {
        if r.kind == ops::SERVICE && refs(r.properties.get("TaskDefinition"), &td.logical_id) {
            let w = Workload {
                stack,
                logical_id: id.clone(),
                path: ops::display_path(id, r),
                kind: Kind::Service,
            };
            return from_service(&w, d).map(Some);
        }
    }
    for (id, r) in &stack.template.resources {
        if r.kind != "AWS::Events::Rule" {
            continue;
        }
        let Some(Value::Array(targets)) = r.properties.get("Targets") else {
            continue;
        };
        for t in targets {
            let Some(ecs) = t.get("EcsParameters") else {
                continue;
            };
            if !refs(ecs.get("TaskDefinitionArn"), &td.logical_id) {
                continue;
            }
            let who = ops::display_path(id, r);
            let cluster = t
                .get("Arn")
                .map(|v| d.string(v))
                .transpose()
                .map_err(|e| OpsError::Unresolved(format!("{who}: Arn: {e}")))?
                .unwrap_or_default();
            return Ok(Some(Placement {
                cluster,
                launch_type: ecs.get("LaunchType").and_then(|v| d.string(v).ok()),
                capacity: capacity_of(d, ecs.get("CapacityProviderStrategy")),
                network: network_of(
                    d,
                    ecs.get("NetworkConfiguration")
                        .and_then(|n| n.get("AwsVpcConfiguration")),
                    &who,
                )?,
                from: format!("schedule {who}"),
            }));
        }
    }
    Ok(None)
}

/// The stack's only cluster, when there is one.
fn only_cluster(td: &Workload<'_>, d: &Deployed) -> Option<String> {
    let clusters: Vec<&String> = td
        .stack
        .template
        .resources
        .iter()
        .filter(|(_, r)| r.kind == "AWS::ECS::Cluster")
        .map(|(id, _)| id)
        .collect();
    match clusters.as_slice() {
        [one] => d.physical(one).map(str::to_string),
        _ => None,
    }
}

/// Works out the task definition (deployed ARN), its placement and the tasks' overrides.
pub(crate) async fn prepare(
    ctx: &Ctx<'_>,
    ops_api: &dyn OpsApi,
    assembly: &crate::assembly::Assembly,
    args: &RunArgs,
) -> Result<(RunTaskRequest, TaskDefinitionInfo, String), CliError> {
    let named = ops::resolve(
        assembly,
        args.taskdef.as_deref(),
        &[Kind::TaskDefinition, Kind::Service],
    )?;
    // A service stands for its task definition and its placement.
    let td_w = named.task_definition()?;
    let service_w = (named.kind == Kind::Service).then(|| named.clone());
    let service_w = match &args.service {
        Some(s) => Some(ops::resolve(assembly, Some(s), &[Kind::Service])?),
        None => service_w,
    };
    let api = ctx.api().await?;
    let uses_imports = td_w
        .stack
        .template
        .resources
        .values()
        .any(|r| ops::uses_imports(&r.properties));
    let exports = if uses_imports {
        ops_api.exports().await?
    } else {
        BTreeMap::new()
    };
    let d = deployed(api.as_ref(), td_w.stack, exports.clone())
        .await?
        .ok_or_else(|| td_w.stack_not_deployed())?;
    let td_arn = d.physical_of(&td_w)?;
    let mut placement = match &service_w {
        Some(s) if s.stack.id == td_w.stack.id => from_service(s, &d)?,
        Some(s) => {
            let sd = deployed(api.as_ref(), s.stack, exports)
                .await?
                .ok_or_else(|| s.stack_not_deployed())?;
            from_service(s, &sd)?
        }
        None => match from_stack(&td_w, &d)? {
            Some(p) => p,
            None => Placement {
                cluster: only_cluster(&td_w, &d).unwrap_or_default(),
                from: "the stack".into(),
                ..Default::default()
            },
        },
    };
    let awsvpc = td_w
        .property("NetworkMode")
        .and_then(Value::as_str)
        .is_none_or(|m| m == "awsvpc")
        || td_w
            .property("RequiresCompatibilities")
            .is_some_and(|v| v.to_string().contains("FARGATE"));
    if !args.subnets.is_empty() || !args.security_groups.is_empty() || args.public_ip {
        let n = placement.network.get_or_insert_with(NetworkConfig::default);
        if !args.subnets.is_empty() {
            n.subnets = args.subnets.clone();
        }
        if !args.security_groups.is_empty() {
            n.security_groups = args.security_groups.clone();
        }
        if args.public_ip {
            n.assign_public_ip = true;
        }
    }
    if placement.cluster.is_empty() {
        return Err(OpsError::Unresolved(format!(
            "cannot tell which cluster runs {}: no service or schedule in stack {} uses it and the stack does not have exactly one cluster; pass --service NAME",
            td_w.path, td_w.stack.stack_name
        ))
        .into());
    }
    if !awsvpc {
        placement.network = None;
    } else if placement
        .network
        .as_ref()
        .is_none_or(|n| n.subnets.is_empty())
    {
        return Err(OpsError::Unresolved(format!(
            "cannot tell which subnets and security groups {} runs in (awsvpc network mode): no service or schedule in stack {} uses it; pass --service NAME, or --subnets and --security-groups",
            td_w.path, td_w.stack.stack_name
        ))
        .into());
    }
    if placement.launch_type.is_none() && placement.capacity.is_empty() {
        let fargate = td_w
            .property("RequiresCompatibilities")
            .is_some_and(|v| v.to_string().contains("FARGATE"));
        if fargate {
            placement.launch_type = Some("FARGATE".into());
        }
    }
    let td = ops_api.task_definition(&td_arn).await?;
    let container = match &args.container {
        Some(c) => {
            if !td.containers.iter().any(|x| &x.name == c) {
                return Err(OpsError::NoContainer {
                    path: td_w.path.clone(),
                    name: c.clone(),
                    available: td.containers.iter().map(|x| x.name.clone()).collect(),
                }
                .into());
            }
            c.clone()
        }
        None => ops::default_container(&td),
    };
    let mut overrides = Vec::new();
    let (environment, command) = ops::env_and_command(&args.env, args.command.as_deref())?;
    if command.is_some() || !environment.is_empty() {
        overrides.push(ContainerOverride {
            name: container,
            command,
            environment,
        });
    }
    let request = RunTaskRequest {
        cluster: placement.cluster.clone(),
        task_definition: td_arn,
        count: i32::from(args.count),
        launch_type: placement.launch_type.clone(),
        capacity_providers: placement.capacity.clone(),
        network: placement.network.clone(),
        overrides,
        started_by: "berth".into(),
        enable_execute_command: false,
    };
    Ok((
        request,
        td,
        format!("{} (placement from {})", td_w.path, placement.from),
    ))
}

/// The exit code of a stopped task: its essential containers' (the first non-zero), or
/// `None` when none ran (the task never started).
pub fn task_exit_code(td: &TaskDefinitionInfo, t: &TaskInfo) -> Option<i32> {
    let essential = |name: &str| {
        td.containers
            .iter()
            .find(|c| c.name == name)
            .is_none_or(|c| c.essential)
    };
    let codes: Vec<i32> = t
        .containers
        .iter()
        .filter(|c| essential(&c.name))
        .filter_map(|c| c.exit_code)
        .collect();
    if codes.is_empty() {
        return None;
    }
    Some(codes.iter().copied().find(|c| *c != 0).unwrap_or(0))
}

fn as_exit(code: i32) -> u8 {
    match code.rem_euclid(256) {
        0 if code != 0 => 1,
        c => c as u8,
    }
}

/// The diagnosis lines of a stopped task: each container that exited non-zero with the
/// last `n` lines it logged.
pub async fn diagnose(
    ops: &dyn OpsApi,
    td: &TaskDefinitionInfo,
    t: &TaskInfo,
    n: i32,
) -> Vec<String> {
    let mut out = Vec::new();
    for c in &t.containers {
        let Some(code) = c.exit_code.filter(|c| *c != 0) else {
            continue;
        };
        match logs::tail_of(ops, td, &c.name, t.id(), n).await {
            Ok(Some(lines)) if !lines.is_empty() => {
                out.push(format!(
                    "  {} exited with code {code}; its last {} log lines:",
                    c.name,
                    lines.len()
                ));
                out.extend(lines.iter().map(|l| format!("    | {}", l.trim_end())));
            }
            Ok(Some(_)) => out.push(format!(
                "  {} exited with code {code} and logged nothing",
                c.name
            )),
            Ok(None) => out.push(format!(
                "  {} exited with code {code} (it does not log to CloudWatch Logs)",
                c.name
            )),
            Err(e) => out.push(format!(
                "  {} exited with code {code}; its logs could not be read: {e}",
                c.name
            )),
        }
    }
    out
}

/// Runs `berth run`.
pub fn run(ctx: &mut Ctx<'_>, args: &RunArgs) -> Result<u8, CliError> {
    if args.local {
        return crate::ops::local::run(ctx, args);
    }
    let assembly = ctx.assembly()?;
    let ctx_ref: &Ctx<'_> = ctx;
    let json = ctx.global.json;
    let say = |s: &str| {
        if json {
            ctx_ref.err.line(s)
        } else {
            ctx_ref.out.line(s)
        }
    };
    let wait = args.wait || args.follow;
    let task_future = async {
        let ops = ctx_ref.ops().await?;
        let (request, td, what) = prepare(ctx_ref, ops.as_ref(), &assembly, args).await?;
        let result = ops.run_task(&request).await?;
        if result.tasks.is_empty() {
            return Ok::<_, CliError>((
                exit::FAILED,
                json!({"task_definition": td.arn, "started": [], "failures": result.failures}),
                result
                    .failures
                    .iter()
                    .map(|f| format!("✘ RunTask started no task: {f}"))
                    .collect::<Vec<_>>(),
            ));
        }
        let cluster = request.cluster.clone();
        let ids: Vec<String> = result.tasks.iter().map(|t| t.id().to_string()).collect();
        say(&format!(
            "started {} task{} of {} ({}:{}) in cluster {}: {}",
            ids.len(),
            if ids.len() == 1 { "" } else { "s" },
            what,
            td.family,
            td.revision,
            cluster.rsplit('/').next().unwrap_or(&cluster),
            ids.join(", ")
        ));
        for f in &result.failures {
            say(&format!("⚠ {f}"));
        }
        if !wait {
            say(&format!(
                "follow it with `berth logs {} --task {} --follow`",
                args.taskdef.as_deref().unwrap_or(""),
                ids[0]
            ));
            return Ok((
                exit::OK,
                json!({"task_definition": td.arn, "cluster": cluster, "tasks": ids, "failures": result.failures}),
                Vec::new(),
            ));
        }
        let arns: Vec<String> = result.tasks.iter().map(|t| t.arn.clone()).collect();
        let mut printer = Printer::new(ctx_ref.out.is_tty && !json, json);
        let mut seen = Seen::default();
        let sources = if args.follow {
            match logs::sources(&td, None, &what) {
                Ok((s, notes)) => {
                    for n in notes {
                        ctx_ref
                            .err
                            .line(&format!("note: {n}; its lines are not shown"));
                    }
                    s
                }
                Err(e) => {
                    ctx_ref.err.line(&format!("note: {e}"));
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        let sel = Selection {
            tasks: ids.clone(),
            start: Some(ops::now_ms() - 60_000),
            ..Default::default()
        };
        let interval = super::logs::poll_interval(ctx_ref);
        let mut last_status: BTreeMap<String, String> = BTreeMap::new();
        let stopped: Vec<TaskInfo> = loop {
            if !sources.is_empty() {
                seen.new_batch();
                for l in logs::fetch(ops.as_ref(), &sources, &sel, None).await? {
                    if seen.first_time(&l.event) {
                        ctx_ref.out.line(&printer.render(&l));
                    }
                }
            }
            let tasks = ops.describe_tasks(&cluster, &arns).await?;
            for t in &tasks {
                if last_status.get(&t.arn) != Some(&t.last_status) {
                    if !json {
                        ctx_ref
                            .err
                            .line(&format!("task {}: {}", t.id(), t.last_status));
                    }
                    last_status.insert(t.arn.clone(), t.last_status.clone());
                }
            }
            if !tasks.is_empty() && tasks.iter().all(|t| t.last_status == "STOPPED") {
                break tasks;
            }
            tokio::time::sleep(interval).await;
        };
        // The last lines that arrived after the task stopped.
        if !sources.is_empty() {
            seen.new_batch();
            for l in logs::fetch(ops.as_ref(), &sources, &sel, None).await? {
                if seen.first_time(&l.event) {
                    ctx_ref.out.line(&printer.render(&l));
                }
            }
        }
        let mut code = exit::OK;
        let mut lines = Vec::new();
        let mut summary = Vec::new();
        for t in &stopped {
            match task_exit_code(&td, t) {
                Some(c) => {
                    let reason = t.stopped_reason.clone().unwrap_or_default();
                    if c == 0 {
                        lines.push(format!("✔ task {} exited with code 0", t.id()));
                    } else {
                        lines.push(format!(
                            "✘ task {} exited with code {c}{}",
                            t.id(),
                            if reason.is_empty() {
                                String::new()
                            } else {
                                format!(" ({reason})")
                            }
                        ));
                        if !args.follow {
                            lines.extend(diagnose(ops.as_ref(), &td, t, 20).await);
                        }
                        if code == exit::OK {
                            code = as_exit(c);
                        }
                    }
                    summary.push(
                        json!({"task": t.id(), "exit_code": c, "stopped_reason": t.stopped_reason}),
                    );
                }
                None => {
                    let mut line = format!(
                        "✘ task {} never started: {}",
                        t.id(),
                        t.stopped_reason
                            .as_deref()
                            .or(t.stop_code.as_deref())
                            .unwrap_or("stopped")
                    );
                    for c in t.containers.iter().filter(|c| c.reason.is_some()) {
                        line.push_str(&format!(
                            " ({}: {})",
                            c.name,
                            c.reason.as_deref().unwrap_or("")
                        ));
                    }
                    lines.push(line);
                    code = exit::FAILED;
                    summary.push(json!({"task": t.id(), "exit_code": null, "stop_code": t.stop_code, "stopped_reason": t.stopped_reason}));
                }
            }
        }
        Ok((
            code,
            json!({"task_definition": td.arn, "cluster": cluster, "tasks": summary}),
            lines,
        ))
    };
    let interrupted = "the task keeps running in ECS; stop it with `aws ecs stop-task`";
    let (code, summary, lines) = super::block_on(ctx, task_future, interrupted)?;
    for l in &lines {
        if json {
            ctx.err.line(l);
        } else {
            ctx.out.line(l);
        }
    }
    if json {
        let text = serde_json::to_string_pretty(&summary)
            .map_err(|e| CliError::Serialize(e.to_string()))?;
        ctx.out.line(&text);
    }
    Ok(code)
}
