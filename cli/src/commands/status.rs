//! `berth status`: per stack its status, last update, drift, endpoints and alarms in
//! ALARM; per service its task counts, deployments with rollout state, task definition
//! revision and images, load balancer target health and latest events.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{json, Value};

use crate::assembly::{Assembly, StackArtifact};
use crate::cli::StatusArgs;
use crate::commands::Ctx;
use crate::deploy::api::CloudFormationApi;
use crate::deploy::rollout::render_table;
use crate::error::CliError;
use crate::exit;
use crate::ops::api::OpsApi;
use crate::ops::{self, deployed, rfc3339, Kind, Workload};

/// How many service events are shown.
const EVENTS: usize = 5;

/// What one refresh shows: text and JSON.
struct Report {
    text: String,
    json: Vec<Value>,
}

fn is_endpoint(key: &str, value: &str) -> bool {
    value.starts_with("http://")
        || value.starts_with("https://")
        || key.contains("ServiceURL")
        || key.contains("LoadBalancerDNS")
}

async fn stack_report(
    api: &dyn CloudFormationApi,
    ops: &dyn OpsApi,
    stack: &StackArtifact,
    services: &[Workload<'_>],
    exports: &BTreeMap<String, String>,
    out: &mut String,
) -> Result<Value, CliError> {
    let name = &stack.stack_name;
    let Some(d) = deployed(api, stack, exports.clone()).await? else {
        let _ = writeln!(out, "Stack {name}: not deployed");
        return Ok(json!({"stack": name, "deployed": false}));
    };
    let last_update = api
        .stack_events(name)
        .await?
        .iter()
        .map(|e| e.timestamp)
        .max()
        .map(rfc3339);
    let drift = ops.stack_drift(name).await?;
    let _ = write!(out, "Stack {name}  {}", d.info.status);
    if let Some(t) = &last_update {
        let _ = write!(out, "  (last updated {t})");
    }
    let _ = writeln!(out);
    if let Some(r) = d.info.status_reason.as_deref().filter(|r| !r.is_empty()) {
        let _ = writeln!(out, "  reason: {r}");
    }
    if let Some(dr) = &drift {
        let checked = dr
            .checked_at
            .map(|t| format!(" (checked {})", rfc3339(t)))
            .unwrap_or_default();
        let _ = writeln!(out, "  drift: {}{checked}", dr.status);
    }
    let endpoints: Vec<(&String, &String)> = d
        .info
        .outputs
        .iter()
        .filter(|(k, v)| is_endpoint(k, v))
        .collect();
    for (k, v) in &endpoints {
        let url = if v.starts_with("http") {
            v.to_string()
        } else {
            format!("http://{v}")
        };
        let _ = writeln!(out, "  endpoint: {url}  ({k})");
    }
    // Alarms of the stack that are in ALARM.
    let alarm_names: Vec<String> = stack
        .template
        .resources
        .iter()
        .filter(|(_, r)| r.kind == "AWS::CloudWatch::Alarm")
        .filter_map(|(id, _)| d.physical(id).map(str::to_string))
        .collect();
    let alarms = if alarm_names.is_empty() {
        Vec::new()
    } else {
        ops.alarms(&alarm_names).await?
    };
    let firing: Vec<_> = alarms.iter().filter(|a| a.state == "ALARM").collect();
    if !alarm_names.is_empty() {
        if firing.is_empty() {
            let _ = writeln!(out, "  alarms: {} ok", alarm_names.len());
        } else {
            let _ = writeln!(out, "  alarms in ALARM:");
            for a in &firing {
                let _ = writeln!(out, "    {}: {}", a.name, a.reason.as_deref().unwrap_or(""));
            }
        }
    }
    let mut services_json = Vec::new();
    for w in services.iter().filter(|w| w.stack.id == stack.id) {
        services_json.push(service_report(ops, w, &d, out).await?);
    }
    Ok(json!({
        "stack": name,
        "deployed": true,
        "status": d.info.status,
        "reason": d.info.status_reason,
        "last_updated": last_update,
        "drift": drift,
        "endpoints": endpoints.iter().map(|(k, v)| json!({"output": k, "value": v})).collect::<Vec<_>>(),
        "alarms_in_alarm": firing,
        "services": services_json,
    }))
}

async fn service_report(
    ops: &dyn OpsApi,
    w: &Workload<'_>,
    d: &ops::Deployed,
    out: &mut String,
) -> Result<Value, CliError> {
    let _ = writeln!(out);
    let Some(arn) = d.physical(&w.logical_id).map(str::to_string) else {
        let _ = writeln!(out, "Service {}: not created yet", w.path);
        return Ok(json!({"service": w.path, "deployed": false}));
    };
    let cluster = ops::service_cluster(w, d, &arn);
    let Some(s) = ops.service_details(&cluster, &arn).await? else {
        let _ = writeln!(out, "Service {}: not found in cluster {cluster}", w.path);
        return Ok(json!({"service": w.path, "deployed": false}));
    };
    let st = &s.state;
    let pending: i32 = st.deployments.iter().map(|d| d.pending).sum();
    let _ = writeln!(
        out,
        "Service {} ({}, cluster {})  {}",
        w.path,
        st.name,
        cluster.rsplit('/').next().unwrap_or(&cluster),
        st.status
    );
    let _ = writeln!(
        out,
        "  tasks: {} desired, {} running, {pending} pending",
        st.desired, st.running
    );
    if !st.deployments.is_empty() {
        let _ = writeln!(out, "  deployments:");
        for l in render_table(st).lines() {
            let _ = writeln!(out, "  {l}");
        }
    }
    let mut containers = Vec::new();
    if !st.task_definition.is_empty() {
        match ops.task_definition(&st.task_definition).await {
            Ok(td) => {
                let _ = writeln!(out, "  task definition {}:{}", td.family, td.revision);
                for c in &td.containers {
                    let _ = writeln!(
                        out,
                        "    {:<16} {}{}",
                        c.name,
                        c.image,
                        if c.essential { "" } else { "  (not essential)" }
                    );
                    containers
                        .push(json!({"name": c.name, "image": c.image, "essential": c.essential}));
                }
            }
            Err(e) => {
                let _ = writeln!(out, "  task definition {}: {e}", st.task_definition);
            }
        }
    }
    // Target groups: what ECS reports, and what the template wires.
    let mut groups: Vec<String> = s.target_groups.clone();
    if let Some(Value::Array(lbs)) = w.property("LoadBalancers") {
        for lb in lbs {
            if let Some(tg) = lb.get("TargetGroupArn").and_then(|v| d.string(v).ok()) {
                if !groups.contains(&tg) {
                    groups.push(tg);
                }
            }
        }
    }
    let mut targets_json = Vec::new();
    for tg in &groups {
        let targets = ops.target_health(tg).await?;
        let short = tg.split(":targetgroup/").nth(1).unwrap_or(tg);
        let healthy = targets.iter().filter(|t| t.state == "healthy").count();
        let _ = writeln!(
            out,
            "  targets of {short}: {healthy}/{} healthy",
            targets.len()
        );
        for t in &targets {
            let mut line = format!("    {:<22} {}", t.target, t.state);
            if let Some(r) = &t.reason {
                line.push_str(&format!(" ({r}"));
                if let Some(desc) = &t.description {
                    line.push_str(&format!(": {desc}"));
                }
                line.push(')');
            }
            let _ = writeln!(out, "{line}");
        }
        targets_json.push(json!({"target_group": tg, "targets": targets}));
    }
    if !s.events.is_empty() {
        let _ = writeln!(out, "  recent events:");
        for (t, m) in s.events.iter().take(EVENTS) {
            let _ = writeln!(out, "    {}  {m}", rfc3339(*t));
        }
    }
    Ok(json!({
        "service": w.path,
        "deployed": true,
        "name": st.name,
        "arn": st.arn,
        "cluster": cluster,
        "status": st.status,
        "desired": st.desired,
        "running": st.running,
        "pending": pending,
        "task_definition": st.task_definition,
        "containers": containers,
        "deployments": st.deployments.iter().map(|d| json!({
            "id": d.id, "status": d.status, "task_definition": d.task_definition,
            "desired": d.desired, "pending": d.pending, "running": d.running, "failed": d.failed,
            "rollout_state": d.rollout_state, "rollout_reason": d.rollout_reason,
        })).collect::<Vec<_>>(),
        "target_groups": targets_json,
        "events": s.events.iter().take(EVENTS).map(|(t, m)| json!({"time": rfc3339(*t), "message": m})).collect::<Vec<_>>(),
    }))
}

/// The stacks and services `target` selects: a stack (by name or pattern), a service,
/// or everything.
fn select<'a>(
    assembly: &'a Assembly,
    target: Option<&str>,
) -> Result<(Vec<&'a StackArtifact>, Vec<Workload<'a>>), CliError> {
    let all_services: Vec<Workload<'a>> = ops::workloads(assembly)
        .into_iter()
        .filter(|w| w.kind == Kind::Service)
        .collect();
    let Some(t) = target else {
        return Ok((assembly.stacks.iter().collect(), all_services));
    };
    if let Ok(stacks) = assembly.select(&[t.to_string()], false, false) {
        let ids: Vec<&str> = stacks.iter().map(|s| s.id.as_str()).collect();
        let services = all_services
            .into_iter()
            .filter(|w| ids.contains(&w.stack.id.as_str()))
            .collect();
        return Ok((stacks, services));
    }
    let w = ops::resolve(assembly, Some(t), &[Kind::Service]).map_err(|e| match e {
        ops::OpsError::NoMatch {
            query, available, ..
        } => ops::OpsError::Unresolved(format!(
            "no stack or service matches {query:?}; stacks: {}; services: {}",
            assembly
                .stacks
                .iter()
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            if available.is_empty() {
                "none".to_string()
            } else {
                available.join(", ")
            }
        )),
        other => other,
    })?;
    Ok((vec![w.stack], vec![w]))
}

/// Runs `berth status`.
pub fn run(ctx: &mut Ctx<'_>, args: &StatusArgs) -> Result<u8, CliError> {
    let assembly = ctx.assembly()?;
    let (stacks, services) = select(&assembly, args.target.as_deref())?;
    let rt = super::runtime()?;
    let mut n = 0u32;
    loop {
        n += 1;
        let ctx_ref: &Ctx<'_> = ctx;
        let report = rt.block_on(async {
            let api = ctx_ref.api().await?;
            let ops = ctx_ref.ops().await?;
            let needs_exports = stacks.iter().any(|s| {
                s.template
                    .resources
                    .values()
                    .any(|r| ops::uses_imports(&r.properties))
            });
            let exports = if needs_exports {
                ops.exports().await?
            } else {
                BTreeMap::new()
            };
            let mut text = String::new();
            let mut json = Vec::new();
            for (i, s) in stacks.iter().enumerate() {
                if i > 0 {
                    text.push('\n');
                }
                json.push(
                    stack_report(
                        api.as_ref(),
                        ops.as_ref(),
                        s,
                        &services,
                        &exports,
                        &mut text,
                    )
                    .await?,
                );
            }
            Ok::<_, CliError>(Report { text, json })
        })?;
        if ctx.global.json {
            let v = if args.watch {
                serde_json::to_string(&report.json)
            } else {
                serde_json::to_string_pretty(&report.json)
            }
            .map_err(|e| CliError::Serialize(e.to_string()))?;
            ctx.out.line(&v);
        } else if args.watch && ctx.out.is_tty {
            // Redraw in place: home, clear, the report.
            ctx.out.write(&format!("\x1b[H\x1b[2J{}", report.text));
        } else {
            if args.watch && n > 1 {
                ctx.out.line("");
            }
            ctx.out.write(&report.text);
        }
        if !args.watch || args.refreshes.is_some_and(|max| n >= max) {
            return Ok(exit::OK);
        }
        let interval = Duration::from_secs(args.interval.max(1));
        let stopped = if ctx.handle_ctrl_c {
            rt.block_on(async {
                tokio::select! {
                    _ = tokio::time::sleep(interval) => false,
                    _ = tokio::signal::ctrl_c() => true,
                }
            })
        } else {
            let pause = if args.refreshes.is_some() {
                Duration::from_millis(10)
            } else {
                interval
            };
            rt.block_on(async { tokio::time::sleep(pause).await });
            false
        };
        if stopped {
            return Ok(exit::OK);
        }
    }
}
