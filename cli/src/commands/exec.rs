//! `berth exec`: a shell (or any command) in a running container of a service, through
//! ECS Exec: `ExecuteCommand`, then the session is handed to the Session Manager plugin
//! (`BERTH_SESSION_MANAGER_PLUGIN`, default `session-manager-plugin`). Before that it
//! checks, from the app's template, that ECS Exec is on and the task role has the four
//! `ssmmessages` actions, and says which construct option to change when not.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::{json, Value};

use crate::cli::ExecArgs;
use crate::commands::Ctx;
use crate::error::CliError;
use crate::exit;
use crate::ops::{self, deployed, Kind, OpsError, Workload};
use crate::template::Template;

/// The actions the ECS Exec agent needs in the task role.
pub const EXEC_ACTIONS: [&str; 4] = [
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
];

/// Finds `program` on `PATH` (or as a path).
pub fn find_program(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        let p = PathBuf::from(program);
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

fn action_matches(pattern: &str, action: &str) -> bool {
    let p = pattern.to_ascii_lowercase();
    let a = action.to_ascii_lowercase();
    crate::assembly::glob_match(&p, &a)
}

/// The allowed actions of the IAM policies attached to role `role_id` in the template.
fn role_actions(t: &Template, role_id: &str) -> Vec<String> {
    let mut actions = Vec::new();
    let mut collect = |doc: &Value| {
        let statements = match doc.get("Statement") {
            Some(Value::Array(a)) => a.clone(),
            Some(one) => vec![one.clone()],
            None => Vec::new(),
        };
        for s in statements {
            if s.get("Effect").and_then(Value::as_str) != Some("Allow") {
                continue;
            }
            match s.get("Action") {
                Some(Value::String(a)) => actions.push(a.clone()),
                Some(Value::Array(list)) => {
                    actions.extend(list.iter().filter_map(Value::as_str).map(str::to_string))
                }
                _ => {}
            }
        }
    };
    for (id, r) in &t.resources {
        match r.kind.as_str() {
            "AWS::IAM::Role" if id == role_id => {
                if let Some(Value::Array(ps)) = r.properties.get("Policies") {
                    for p in ps {
                        if let Some(doc) = p.get("PolicyDocument") {
                            collect(doc);
                        }
                    }
                }
            }
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
                let attached = r
                    .properties
                    .get("Roles")
                    .and_then(Value::as_array)
                    .is_some_and(|roles| {
                        roles
                            .iter()
                            .any(|x| x.get("Ref").and_then(Value::as_str) == Some(role_id))
                    });
                if attached {
                    if let Some(doc) = r.properties.get("PolicyDocument") {
                        collect(doc);
                    }
                }
            }
            _ => {}
        }
    }
    actions
}

/// Checks the template: ECS Exec on, and the four actions in the task role.
fn check_template(service: &Workload<'_>) -> Result<(), OpsError> {
    let on = service
        .property("EnableExecuteCommand")
        .is_some_and(|v| v == &Value::Bool(true) || v == "true");
    if !on {
        return Err(OpsError::Exec(format!(
            "ECS Exec is off for {}: set `enable_execute_command: true` in its props (FargateServiceProps, Ec2ServiceProps or ApplicationLoadBalancedFargateServiceProps), run `berth deploy`, and exec into a task started after that",
            service.path
        )));
    }
    let Some(td_id) = service.task_definition_id() else {
        return Ok(());
    };
    let t = &service.stack.template;
    let Some(td) = t.resources.get(&td_id) else {
        return Ok(());
    };
    let td_path = ops::display_path(&td_id, td);
    let role = td.properties.get("TaskRoleArn");
    let role_id = role
        .and_then(|r| r.get("Fn::GetAtt"))
        .and_then(|g| g.get(0))
        .and_then(Value::as_str);
    let Some(role_id) = role_id else {
        if role.is_none() {
            return Err(OpsError::Exec(format!(
                "{td_path} has no task role, so the ECS Exec agent cannot open its channels: berth adds one when the service has `enable_execute_command: true`; if the task definition was written by hand, give it a task role with {}",
                EXEC_ACTIONS.join(", ")
            )));
        }
        // An imported role: berth cannot see its policies.
        return Ok(());
    };
    let granted = role_actions(t, role_id);
    let missing: Vec<&str> = EXEC_ACTIONS
        .iter()
        .copied()
        .filter(|a| !granted.iter().any(|g| action_matches(g, a)))
        .collect();
    if !missing.is_empty() {
        let role_path = t
            .construct_path(role_id)
            .map(|p| p.trim_end_matches("/Resource").to_string())
            .unwrap_or_else(|| role_id.to_string());
        return Err(OpsError::Exec(format!(
            "the task role {role_path} of {td_path} lacks {}: the ECS Exec agent needs them. berth grants them when the service has `enable_execute_command: true` and the task role is the task definition's own; with your own `task_role`, add a statement allowing them (resource \"*\") and deploy",
            missing.join(", ")
        )));
    }
    Ok(())
}

/// Runs `berth exec`.
pub fn run(ctx: &mut Ctx<'_>, args: &ExecArgs) -> Result<u8, CliError> {
    let assembly = ctx.assembly()?;
    let service = ops::resolve(&assembly, args.service.as_deref(), &[Kind::Service])?;
    check_template(&service)?;
    let plugin = ctx.plugin.clone();
    let plugin_path = find_program(&plugin).ok_or_else(|| OpsError::PluginMissing {
        program: plugin.clone(),
    })?;
    let rt = super::runtime()?;
    let ctx_ref: &Ctx<'_> = ctx;
    let prepared = rt.block_on(async {
        let api = ctx_ref.api().await?;
        let ops_api = ctx_ref.ops().await?;
        let d = deployed(api.as_ref(), service.stack, Default::default())
            .await?
            .ok_or_else(|| service.stack_not_deployed())?;
        let arn = d.physical_of(&service)?;
        let cluster = ops::service_cluster(&service, &d, &arn);
        let details = ops_api
            .service_details(&cluster, &arn)
            .await?
            .ok_or_else(|| service.not_deployed())?;
        if !details.enable_execute_command {
            return Err(CliError::from(OpsError::Exec(format!(
                "ECS Exec is on in the app but not on the deployed service {}: run `berth deploy {}` first",
                service.path, service.stack.stack_name
            ))));
        }
        let task = match &args.task {
            Some(t) => {
                let id = ops::task_id(t);
                let found = ops_api.describe_tasks(&cluster, std::slice::from_ref(&id)).await?;
                found.into_iter().next().ok_or_else(|| {
                    OpsError::Unresolved(format!("task {id} was not found in cluster {cluster}"))
                })?
            }
            None => {
                let arns = ops_api.list_tasks(&cluster, Some(&arn), None, false).await?;
                let tasks = if arns.is_empty() {
                    Vec::new()
                } else {
                    ops_api.describe_tasks(&cluster, &arns).await?
                };
                tasks
                    .into_iter()
                    .filter(|t| t.last_status == "RUNNING")
                    .max_by_key(|t| t.started_at)
                    .ok_or_else(|| {
                        OpsError::Unresolved(format!(
                            "{} has no running task (see `berth status {}`)",
                            service.path, service.path
                        ))
                    })?
            }
        };
        if task.last_status != "RUNNING" {
            return Err(OpsError::Unresolved(format!(
                "task {} is {}, not RUNNING",
                task.id(),
                task.last_status
            ))
            .into());
        }
        if !task.enable_execute_command {
            return Err(OpsError::Exec(format!(
                "task {} was started before ECS Exec was turned on for {}: exec works in tasks started since; replace the tasks (`aws ecs update-service --force-new-deployment`) or wait for the next deployment",
                task.id(),
                service.path
            ))
            .into());
        }
        let td = ops_api.task_definition(&task.task_definition).await?;
        let container = match &args.container {
            Some(c) => c.clone(),
            None => ops::default_container(&td),
        };
        let Some(tc) = task.containers.iter().find(|c| c.name == container) else {
            return Err(OpsError::NoContainer {
                path: service.path.clone(),
                name: container,
                available: task.containers.iter().map(|c| c.name.clone()).collect(),
            }
            .into());
        };
        if let Some(agent) = tc.exec_agent.as_deref().filter(|a| *a != "RUNNING") {
            return Err(OpsError::Exec(format!(
                "the ECS Exec agent in container {container} of task {} is {agent}, not RUNNING; if it stopped, check the task role's ssmmessages permissions and the task's access to the SSM endpoints",
                task.id()
            ))
            .into());
        }
        let runtime_id = tc.runtime_id.clone().unwrap_or_default();
        let session = ops_api
            .execute_command(&cluster, &task.arn, &container, &args.command)
            .await?;
        let region = ops_api.region();
        let cluster_name = cluster
            .rsplit('/')
            .next()
            .unwrap_or(&cluster)
            .to_string();
        Ok::<_, CliError>((session, region, cluster_name, task, container, runtime_id))
    })?;
    let (session, region, cluster_name, task, container, runtime_id) = prepared;
    let session_json = json!({
        "SessionId": session.session_id,
        "StreamUrl": session.stream_url,
        "TokenValue": session.token_value,
    })
    .to_string();
    let target =
        json!({"Target": format!("ecs:{cluster_name}_{}_{runtime_id}", task.id())}).to_string();
    let profile = ctx
        .global
        .profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok())
        .unwrap_or_default();
    let endpoint = format!("https://ssm.{region}.amazonaws.com");
    if !ctx.global.json {
        ctx.err.line(&format!(
            "starting `{}` in container {container} of task {} ({})",
            args.command,
            task.id(),
            service.path
        ));
    }
    if ctx.handle_ctrl_c {
        // Ctrl-C belongs to the session: keep berth alive while the plugin runs.
        rt.spawn(async {
            loop {
                if tokio::signal::ctrl_c().await.is_err() {
                    break;
                }
            }
        });
    }
    let code = run_plugin(
        &plugin_path,
        &[
            session_json,
            region,
            "StartSession".into(),
            profile,
            target,
            endpoint,
        ],
        ctx.child_stdin.as_deref(),
    )
    .map_err(|e| {
        OpsError::Exec(format!(
            "cannot run the Session Manager plugin {plugin}: {e}"
        ))
    })?;
    if ctx.global.json {
        let v = json!({
            "service": service.path,
            "task": task.id(),
            "container": container,
            "command": args.command,
            "session_id": session.session_id,
            "exit_code": code,
        });
        ctx.out.line(&v.to_string());
    }
    Ok(u8::try_from(code.clamp(0, 255)).unwrap_or(exit::FAILED))
}

/// Runs the plugin with the terminal (or `stdin` text, in tests) and waits; Ctrl-C goes
/// to the session, not to berth.
fn run_plugin(program: &Path, args: &[String], stdin: Option<&str>) -> std::io::Result<i32> {
    use std::io::Write;
    let mut cmd = std::process::Command::new(program);
    cmd.args(args);
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::inherit()
    });
    let mut child = cmd.spawn()?;
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(text.as_bytes())?;
    }
    let status = child.wait()?;
    Ok(status.code().unwrap_or(exit::INTERRUPTED as i32))
}
