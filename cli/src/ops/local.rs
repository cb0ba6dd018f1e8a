//! `berth run --local`: runs a task definition's containers with docker (the program
//! from `BERTH_DOCKER`), as ECS would: images (asset images built first), environment,
//! secrets resolved from SSM Parameter Store and Secrets Manager, port mappings published
//! on 127.0.0.1, container dependencies started in order with their conditions (START,
//! COMPLETE, SUCCESS, HEALTHY), one network namespace for awsvpc tasks (a pause
//! container, so containers reach each other on localhost, as in a task) or a network per
//! run otherwise, bind mounts, EFS volumes as local directories and task volumes as
//! docker volumes. When an essential container exits the run ends with its exit code;
//! Ctrl-C ends it too, and either way everything the run started is stopped and removed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

use super::{deployed, Deployed, Kind, OpsError, Workload};
use crate::assembly::{ImageAsset, StackArtifact};
use crate::cli::RunArgs;
use crate::commands::Ctx;
use crate::deploy::hotswap::Evaluator;
use crate::error::CliError;
use crate::exit;
use crate::publish::Docker;

/// The image of the pause container that holds an awsvpc task's network namespace.
pub const PAUSE_IMAGE: &str = "public.ecr.aws/docker/library/busybox:stable";

/// A dependency condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// The dependency has started.
    Start,
    /// It has exited (any code).
    Complete,
    /// It has exited with 0.
    Success,
    /// Its health check passes.
    Healthy,
}

/// A container health check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    /// The shell command.
    pub command: String,
    /// Seconds between checks.
    pub interval: u64,
    /// Seconds before a check fails.
    pub timeout: u64,
    /// Failures before unhealthy.
    pub retries: u64,
    /// Grace period in seconds.
    pub start_period: u64,
}

/// Where a mount comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VolumeSource {
    /// A directory on this machine (host volumes, EFS as a local directory).
    Directory(PathBuf),
    /// A docker volume the run creates and removes.
    Docker(String),
}

/// One container, ready to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalContainer {
    /// The task definition's name for it.
    pub name: String,
    /// The image to run.
    pub image: String,
    /// An asset to build first.
    pub build: Option<ImageAsset>,
    /// Environment passed on the command line (`--env K=V`).
    pub env: Vec<(String, String)>,
    /// Environment passed through docker's own environment (`--env K`): secrets and
    /// `--env-file` values, kept out of the process list.
    pub hidden_env: Vec<(String, String)>,
    /// host port, container port, protocol.
    pub ports: Vec<(u16, u16, String)>,
    /// Containers it waits for.
    pub depends: Vec<(String, Condition)>,
    /// Its health check.
    pub health: Option<Health>,
    /// volume name, container path, read-only.
    pub mounts: Vec<(String, String, bool)>,
    /// Whether the run ends when it exits.
    pub essential: bool,
    /// Entry point.
    pub entry_point: Option<Vec<String>>,
    /// Command.
    pub command: Option<Vec<String>>,
    /// Working directory.
    pub working_dir: Option<String>,
    /// User.
    pub user: Option<String>,
}

/// A whole local run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalPlan {
    /// The task definition's construct path.
    pub path: String,
    /// The containers in start order (dependencies first).
    pub containers: Vec<LocalContainer>,
    /// Volumes by name.
    pub volumes: BTreeMap<String, VolumeSource>,
    /// awsvpc (one namespace, through a pause container), host, or bridge.
    pub network_mode: String,
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn number(v: Option<&Value>) -> Option<u64> {
    text(v).and_then(|s| s.parse().ok())
}

/// What values are evaluated against.
struct Values<'a> {
    eval: Evaluator,
    deployed: bool,
    stack: &'a str,
    path: String,
}

impl Values<'_> {
    fn string(&self, v: &Value, what: &str) -> Result<String, OpsError> {
        match self.eval.eval(v) {
            Ok(Value::String(s)) => Ok(s),
            Ok(Value::Number(n)) => Ok(n.to_string()),
            Ok(Value::Bool(b)) => Ok(b.to_string()),
            Ok(other) => Err(OpsError::Unresolved(format!(
                "{}: {what}: expected a string, got {other}",
                self.path
            ))),
            Err(e) if !self.deployed => Err(OpsError::Unresolved(format!(
                "{}: {what} needs the deployed stack ({e}), and stack {} is not deployed: deploy it first, or set the value with --override",
                self.path, self.stack
            ))),
            Err(e) => Err(OpsError::Unresolved(format!("{}: {what}: {e}", self.path))),
        }
    }

    fn strings(&self, v: &Value, what: &str) -> Result<Vec<String>, OpsError> {
        match v {
            Value::Array(a) => a.iter().map(|x| self.string(x, what)).collect(),
            other => Ok(vec![self.string(other, what)?]),
        }
    }
}

/// A `--override CONTAINER.env.K=V` or `CONTAINER.image=V`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Override {
    /// An environment variable.
    Env(String, String, String),
    /// The image.
    Image(String, String),
}

/// Parses `--override` values.
pub fn parse_override(s: &str) -> Result<Override, OpsError> {
    let bad = || {
        OpsError::BadArgument(format!(
            "invalid --override {s:?}: expected CONTAINER.env.NAME=VALUE or CONTAINER.image=IMAGE"
        ))
    };
    let (left, value) = s.split_once('=').ok_or_else(bad)?;
    if let Some((container, name)) = left.split_once(".env.") {
        if container.is_empty() || name.is_empty() {
            return Err(bad());
        }
        return Ok(Override::Env(container.into(), name.into(), value.into()));
    }
    if let Some(container) = left.strip_suffix(".image") {
        if !container.is_empty() {
            return Ok(Override::Image(container.into(), value.into()));
        }
    }
    Err(bad())
}

/// Reads an env file: `NAME=VALUE` lines; `#` comments and blank lines are skipped,
/// `export ` prefixes and quotes around values are removed.
pub fn parse_env_file(path: &Path) -> Result<Vec<(String, String)>, OpsError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        OpsError::BadArgument(format!("cannot read --env-file {}: {e}", path.display()))
    })?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((k, v)) = line.split_once('=') else {
            return Err(OpsError::BadArgument(format!(
                "{}:{}: expected NAME=VALUE",
                path.display(),
                i + 1
            )));
        };
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|x| x.strip_suffix('"'))
            .or_else(|| v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
            .unwrap_or(v);
        out.push((k.trim().to_string(), v.to_string()));
    }
    Ok(out)
}

/// A secret's value: SSM parameters by name or ARN; Secrets Manager secrets by ARN, with
/// an optional `:json-key:version-stage:version-id` suffix (ECS's format).
async fn resolve_secret(
    ops: &dyn super::api::OpsApi,
    value_from: &str,
) -> Result<String, crate::deploy::api::ApiError> {
    if value_from.contains(":secretsmanager:") {
        // arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME[:json-key[:stage[:id]]]
        let parts: Vec<&str> = value_from.splitn(8, ':').collect();
        let arn = parts[..parts.len().min(7)].join(":");
        let json_key = parts
            .get(7)
            .and_then(|rest| rest.split(':').next())
            .filter(|k| !k.is_empty());
        let secret = ops.secret(&arn).await?;
        return match json_key {
            None => Ok(secret),
            Some(key) => {
                let v: Value = serde_json::from_str(&secret).map_err(|_| {
                    crate::deploy::api::ApiError::service(
                        "InvalidSecret",
                        &format!("secret {arn} is not JSON, so it has no key {key}"),
                    )
                })?;
                text(v.get(key)).ok_or_else(|| {
                    crate::deploy::api::ApiError::service(
                        "InvalidSecret",
                        &format!("secret {arn} has no key {key}"),
                    )
                })
            }
        };
    }
    let name = match value_from.split_once(":parameter") {
        Some((_, rest)) if value_from.starts_with("arn:") => rest.to_string(),
        _ => value_from.to_string(),
    };
    ops.parameter(&name).await
}

/// What the plan needs besides the template.
pub struct PlanInputs<'a> {
    /// The task definition.
    pub td: &'a Workload<'a>,
    /// The deployed stack, when there is one.
    pub deployed: Option<&'a Deployed>,
    /// Secrets resolved by `ValueFrom` (absent: skipped, `--no-secrets`).
    pub secrets: Option<&'a BTreeMap<String, String>>,
    /// `--env-file` values (every container).
    pub env_file: &'a [(String, String)],
    /// `--override` values.
    pub overrides: &'a [Override],
    /// `--env` values and `--command`, for `container`.
    pub env: &'a [(String, String)],
    /// `--command`.
    pub command: Option<Vec<String>>,
    /// The container `--env` and `--command` apply to (default: the first essential).
    pub container: Option<&'a str>,
    /// Where EFS volumes become local directories.
    pub volumes_dir: &'a Path,
}

/// The `ValueFrom` of every secret of the task definition, evaluated.
pub fn secret_sources(td: &Workload<'_>, d: Option<&Deployed>) -> Result<Vec<String>, OpsError> {
    let values = values_for(td, d);
    let mut out = BTreeSet::new();
    for c in containers_of(td) {
        if let Some(Value::Array(secrets)) = c.get("Secrets") {
            for s in secrets {
                let name = text(s.get("Name")).unwrap_or_default();
                if let Some(v) = s.get("ValueFrom") {
                    out.insert(values.string(v, &format!("secret {name}"))?);
                }
            }
        }
    }
    Ok(out.into_iter().collect())
}

fn containers_of<'a>(td: &'a Workload<'_>) -> Vec<&'a Value> {
    td.property("ContainerDefinitions")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn values_for<'a>(td: &'a Workload<'_>, d: Option<&Deployed>) -> Values<'a> {
    let eval = match d {
        Some(d) => d.eval.clone(),
        None => {
            let mut e = Evaluator::for_stack("", &td.stack.stack_name);
            for (k, decl) in &td.stack.template.parameters {
                if let Some(v) = text(decl.get("Default")) {
                    e.parameters.insert(k.clone(), v);
                }
            }
            e.region = std::env::var("AWS_REGION").unwrap_or_else(|_| "us-east-1".into());
            e
        }
    };
    Values {
        eval,
        deployed: d.is_some(),
        stack: &td.stack.stack_name,
        path: td.path.clone(),
    }
}

fn asset_for<'a>(stack: &'a StackArtifact, image: &Value) -> Option<&'a ImageAsset> {
    if image.is_string() {
        return None;
    }
    let text = image.to_string();
    stack
        .assets
        .iter()
        .find(|a| text.contains(&format!(":{}", a.image_tag)))
}

/// Builds the plan from the template's task definition.
pub fn plan(inputs: &PlanInputs<'_>) -> Result<LocalPlan, OpsError> {
    let td = inputs.td;
    let values = values_for(td, inputs.deployed);
    let defs = containers_of(td);
    if defs.is_empty() {
        return Err(OpsError::Unresolved(format!(
            "{} has no containers",
            td.path
        )));
    }
    let names: Vec<String> = defs
        .iter()
        .map(|c| text(c.get("Name")).unwrap_or_default())
        .collect();
    for o in inputs.overrides {
        let c = match o {
            Override::Env(c, ..) | Override::Image(c, _) => c,
        };
        if !names.contains(c) {
            return Err(OpsError::NoContainer {
                path: td.path.clone(),
                name: c.clone(),
                available: names.clone(),
            });
        }
    }
    let essential_default = defs
        .iter()
        .find(|c| c.get("Essential") != Some(&Value::Bool(false)))
        .and_then(|c| text(c.get("Name")));
    let target = match inputs.container {
        Some(c) if !names.iter().any(|n| n == c) => {
            return Err(OpsError::NoContainer {
                path: td.path.clone(),
                name: c.into(),
                available: names.clone(),
            })
        }
        Some(c) => Some(c.to_string()),
        None => essential_default,
    };
    let mut containers = Vec::new();
    for c in &defs {
        let name = text(c.get("Name")).unwrap_or_default();
        let who = |what: &str| format!("container {name}: {what}");
        let image_v = c.get("Image").cloned().unwrap_or(Value::Null);
        let mut build = asset_for(td.stack, &image_v).cloned();
        let mut image = match &build {
            Some(a) => format!("berth-asset:{}", a.id),
            None => values.string(&image_v, &who("Image"))?,
        };
        let mut env = Vec::new();
        if let Some(Value::Array(vars)) = c.get("Environment") {
            for v in vars {
                let k = text(v.get("Name")).unwrap_or_default();
                let overridden = inputs
                    .overrides
                    .iter()
                    .any(|o| matches!(o, Override::Env(cn, kn, _) if *cn == name && *kn == k));
                if overridden {
                    continue;
                }
                let val = values.string(
                    v.get("Value").unwrap_or(&Value::Null),
                    &who(&format!("environment {k}")),
                )?;
                env.push((k, val));
            }
        }
        let mut hidden_env = Vec::new();
        if let (Some(Value::Array(secrets)), Some(resolved)) = (c.get("Secrets"), inputs.secrets) {
            for s in secrets {
                let k = text(s.get("Name")).unwrap_or_default();
                let from = values.string(
                    s.get("ValueFrom").unwrap_or(&Value::Null),
                    &who(&format!("secret {k}")),
                )?;
                if let Some(v) = resolved.get(&from) {
                    hidden_env.push((k, v.clone()));
                }
            }
        }
        hidden_env.extend(inputs.env_file.iter().cloned());
        for o in inputs.overrides {
            match o {
                Override::Env(cn, k, v) if *cn == name => {
                    env.retain(|(x, _)| x != k);
                    env.push((k.clone(), v.clone()));
                }
                Override::Image(cn, v) if *cn == name => {
                    image = v.clone();
                    build = None;
                }
                _ => {}
            }
        }
        let mut command = match c.get("Command") {
            Some(v) => Some(values.strings(v, &who("Command"))?),
            None => None,
        };
        if target.as_deref() == Some(name.as_str()) {
            for (k, v) in inputs.env {
                env.retain(|(x, _)| x != k);
                env.push((k.clone(), v.clone()));
            }
            if let Some(cmd) = &inputs.command {
                command = Some(cmd.clone());
            }
        }
        let mut ports = Vec::new();
        if let Some(Value::Array(pm)) = c.get("PortMappings") {
            for p in pm {
                let container_port = number(p.get("ContainerPort")).ok_or_else(|| {
                    OpsError::Unresolved(format!(
                        "{}: {}",
                        td.path,
                        who("a port mapping without ContainerPort")
                    ))
                })? as u16;
                let host = number(p.get("HostPort"))
                    .filter(|h| *h != 0)
                    .unwrap_or(container_port as u64) as u16;
                let proto = text(p.get("Protocol"))
                    .unwrap_or_else(|| "tcp".into())
                    .to_lowercase();
                ports.push((host, container_port, proto));
            }
        }
        let mut depends = Vec::new();
        if let Some(Value::Array(ds)) = c.get("DependsOn") {
            for d in ds {
                let dep = text(d.get("ContainerName")).unwrap_or_default();
                if !names.contains(&dep) {
                    return Err(OpsError::Unresolved(format!(
                        "{}: {}",
                        td.path,
                        who(&format!(
                            "depends on {dep}, which is not a container of the task"
                        ))
                    )));
                }
                let cond = match text(d.get("Condition")).as_deref() {
                    Some("COMPLETE") => Condition::Complete,
                    Some("SUCCESS") => Condition::Success,
                    Some("HEALTHY") => Condition::Healthy,
                    _ => Condition::Start,
                };
                depends.push((dep, cond));
            }
        }
        let health = match c.get("HealthCheck") {
            Some(h) => {
                let cmd = h
                    .get("Command")
                    .map(|v| values.strings(v, &who("HealthCheck.Command")))
                    .transpose()?
                    .unwrap_or_default();
                let command = match cmd.split_first() {
                    Some((first, rest)) if first == "CMD-SHELL" => rest.join(" "),
                    Some((first, rest)) if first == "CMD" => shell_words::join(rest),
                    _ => shell_words::join(&cmd),
                };
                Some(Health {
                    command,
                    interval: number(h.get("Interval")).unwrap_or(30),
                    timeout: number(h.get("Timeout")).unwrap_or(5),
                    retries: number(h.get("Retries")).unwrap_or(3),
                    start_period: number(h.get("StartPeriod")).unwrap_or(0),
                })
            }
            None => None,
        };
        let mut mounts = Vec::new();
        if let Some(Value::Array(ms)) = c.get("MountPoints") {
            for m in ms {
                mounts.push((
                    text(m.get("SourceVolume")).unwrap_or_default(),
                    text(m.get("ContainerPath")).unwrap_or_default(),
                    m.get("ReadOnly") == Some(&Value::Bool(true)),
                ));
            }
        }
        containers.push(LocalContainer {
            name: name.clone(),
            image,
            build,
            env,
            hidden_env,
            ports,
            depends,
            health,
            mounts,
            essential: c.get("Essential") != Some(&Value::Bool(false)),
            entry_point: c
                .get("EntryPoint")
                .map(|v| values.strings(v, &who("EntryPoint")))
                .transpose()?,
            command,
            working_dir: text(c.get("WorkingDirectory")),
            user: text(c.get("User")),
        });
    }
    // HEALTHY needs a health check.
    for c in &containers {
        for (dep, cond) in &c.depends {
            if *cond == Condition::Healthy
                && containers
                    .iter()
                    .any(|x| &x.name == dep && x.health.is_none())
            {
                return Err(OpsError::Unresolved(format!(
                    "{}: container {} waits for {dep} to be HEALTHY, but {dep} has no health check",
                    td.path, c.name
                )));
            }
        }
    }
    let containers = start_order(containers, &td.path)?;
    let mut volumes = BTreeMap::new();
    if let Some(Value::Array(vs)) = td.property("Volumes") {
        for v in vs {
            let name = text(v.get("Name")).unwrap_or_default();
            let source = if let Some(p) = v.get("Host").and_then(|h| text(h.get("SourcePath"))) {
                VolumeSource::Directory(PathBuf::from(p))
            } else if v.get("EFSVolumeConfiguration").is_some() {
                VolumeSource::Directory(inputs.volumes_dir.join(&name))
            } else {
                VolumeSource::Docker(name.clone())
            };
            volumes.insert(name, source);
        }
    }
    for c in &containers {
        for (v, _, _) in &c.mounts {
            if !volumes.contains_key(v) {
                return Err(OpsError::Unresolved(format!(
                    "{}: container {} mounts the volume {v:?}, which the task definition does not declare",
                    td.path, c.name
                )));
            }
        }
    }
    let fargate = td
        .property("RequiresCompatibilities")
        .is_some_and(|v| v.to_string().contains("FARGATE"));
    let network_mode = text(td.property("NetworkMode")).unwrap_or_else(|| {
        if fargate {
            "awsvpc".into()
        } else {
            "bridge".into()
        }
    });
    Ok(LocalPlan {
        path: td.path.clone(),
        containers,
        volumes,
        network_mode,
    })
}

/// Dependencies first; ties keep the task definition's order.
fn start_order(mut rest: Vec<LocalContainer>, path: &str) -> Result<Vec<LocalContainer>, OpsError> {
    let mut out: Vec<LocalContainer> = Vec::new();
    while !rest.is_empty() {
        let ready = rest.iter().position(|c| {
            c.depends
                .iter()
                .all(|(d, _)| out.iter().any(|o| &o.name == d))
        });
        match ready {
            Some(i) => out.push(rest.remove(i)),
            None => {
                return Err(OpsError::Unresolved(format!(
                    "{path}: the containers {} depend on each other in a cycle",
                    rest.iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
        }
    }
    Ok(out)
}

/// Everything a run created, for the cleanup.
#[derive(Debug, Default)]
struct Created {
    containers: Vec<String>,
    network: Option<String>,
    volumes: Vec<String>,
}

/// Runs docker commands of one run.
struct Runner {
    docker: Docker,
    run_id: String,
    created: Arc<Mutex<Created>>,
    poll: Duration,
    say: Box<dyn Fn(&str) + Send + Sync>,
    /// The `docker logs --follow` pumps by container, to let them finish.
    followers: Followers,
}

/// Log pumps by container name.
type Followers = Arc<Mutex<Vec<(String, tokio::task::JoinHandle<()>)>>>;

impl Runner {
    fn name(&self, container: &str) -> String {
        format!("berth-{}-{container}", self.run_id)
    }

    /// Runs `docker ARGS` with `env` added to its environment; returns stdout.
    async fn docker(&self, args: &[String], env: &[(String, String)]) -> Result<String, OpsError> {
        let mut cmd = self.docker.command();
        cmd.args(args)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let out = cmd.output().await.map_err(|e| {
            OpsError::Local(format!(
                "cannot run `{}`: {e}; install docker (or podman), or point {} at the program to use",
                self.docker.display(),
                crate::publish::DOCKER_ENV
            ))
        })?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.success() {
            Ok(stdout)
        } else {
            let shown = format!(
                "{} {}",
                self.docker.display(),
                args.first().map(String::as_str).unwrap_or("")
            );
            Err(OpsError::Local(format!(
                "`{shown} ...` failed ({}): {}{}",
                out.status
                    .code()
                    .map(|c| format!("exit code {c}"))
                    .unwrap_or_else(|| "killed".into()),
                String::from_utf8_lossy(&out.stderr).trim(),
                stdout.trim()
            )))
        }
    }

    fn run_args(&self, plan: &LocalPlan, c: &LocalContainer) -> Vec<String> {
        let mut a: Vec<String> = vec![
            "run".into(),
            "--detach".into(),
            "--name".into(),
            self.name(&c.name),
            "--label".into(),
            format!("berth.run={}", self.run_id),
        ];
        match plan.network_mode.as_str() {
            "awsvpc" => {
                a.push("--network".into());
                a.push(format!("container:{}", self.name("pause")));
            }
            "host" => {
                a.push("--network".into());
                a.push("host".into());
            }
            _ => {
                a.push("--network".into());
                a.push(format!("berth-{}", self.run_id));
                a.push("--network-alias".into());
                a.push(c.name.clone());
                for (h, p, proto) in &c.ports {
                    a.push("--publish".into());
                    a.push(format!("127.0.0.1:{h}:{p}/{proto}"));
                }
            }
        }
        for (k, v) in &c.env {
            a.push("--env".into());
            a.push(format!("{k}={v}"));
        }
        for (k, _) in &c.hidden_env {
            a.push("--env".into());
            a.push(k.clone());
        }
        for (vol, path, ro) in &c.mounts {
            let source = match &plan.volumes[vol] {
                VolumeSource::Directory(d) => d.display().to_string(),
                VolumeSource::Docker(n) => format!("berth-{}-{n}", self.run_id),
            };
            a.push("--volume".into());
            a.push(format!("{source}:{path}{}", if *ro { ":ro" } else { "" }));
        }
        if let Some(h) = &c.health {
            a.extend([
                "--health-cmd".into(),
                h.command.clone(),
                "--health-interval".into(),
                format!("{}s", h.interval),
                "--health-timeout".into(),
                format!("{}s", h.timeout),
                "--health-retries".into(),
                h.retries.to_string(),
                "--health-start-period".into(),
                format!("{}s", h.start_period),
            ]);
        }
        if let Some(w) = &c.working_dir {
            a.push("--workdir".into());
            a.push(w.clone());
        }
        if let Some(u) = &c.user {
            a.push("--user".into());
            a.push(u.clone());
        }
        let mut tail: Vec<String> = Vec::new();
        if let Some(ep) = &c.entry_point {
            if let Some((first, rest)) = ep.split_first() {
                a.push("--entrypoint".into());
                a.push(first.clone());
                tail.extend(rest.iter().cloned());
            }
        }
        a.push(c.image.clone());
        a.extend(tail);
        if let Some(cmd) = &c.command {
            a.extend(cmd.iter().cloned());
        }
        a
    }

    async fn wait_exit(&self, container: &str) -> Result<i32, OpsError> {
        let out = self
            .docker(&["wait".into(), self.name(container)], &[])
            .await?;
        out.trim()
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .ok_or_else(|| {
                OpsError::Local(format!(
                    "`docker wait` printed no exit code for {container}: {out:?}"
                ))
            })
    }

    async fn wait_healthy(&self, c: &LocalContainer, dep: &LocalContainer) -> Result<(), OpsError> {
        let h = dep.health.as_ref().expect("checked in plan");
        let budget =
            Duration::from_secs(h.start_period + (h.retries + 1) * (h.interval + h.timeout) + 10);
        let started = std::time::Instant::now();
        loop {
            let out = self
                .docker(
                    &[
                        "inspect".into(),
                        "--format".into(),
                        "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}"
                            .into(),
                        self.name(&dep.name),
                    ],
                    &[],
                )
                .await?;
            let mut words = out.split_whitespace();
            let state = words.next().unwrap_or("");
            let health = words.next().unwrap_or("");
            match (state, health) {
                (_, "healthy") => return Ok(()),
                (_, "unhealthy") => {
                    return Err(OpsError::Local(format!(
                        "{} is unhealthy, so {} (which waits for it to be HEALTHY) does not start",
                        dep.name, c.name
                    )))
                }
                ("exited", _) | ("dead", _) => {
                    return Err(OpsError::Local(format!(
                        "{} exited before it was healthy, so {} does not start",
                        dep.name, c.name
                    )))
                }
                _ => {}
            }
            if started.elapsed() > budget {
                return Err(OpsError::Local(format!(
                    "{} was not healthy after {} s, so {} does not start",
                    dep.name,
                    budget.as_secs(),
                    c.name
                )));
            }
            tokio::time::sleep(self.poll).await;
        }
    }

    /// Lets the log pumps print what is left: of `container` (which exited) before the
    /// others are stopped, or of all (after the cleanup); at most `limit` each.
    async fn drain_logs(&self, container: Option<&str>, limit: Duration) {
        let handles: Vec<tokio::task::JoinHandle<()>> = {
            let mut f = self.followers.lock().unwrap_or_else(|p| p.into_inner());
            let (take, keep): (Vec<_>, Vec<_>) = f
                .drain(..)
                .partition(|(n, _)| container.is_none_or(|c| c == n));
            *f = keep;
            take.into_iter().map(|(_, h)| h).collect()
        };
        for h in handles {
            let _ = tokio::time::timeout(limit, h).await;
        }
    }

    async fn cleanup(&self) -> Vec<String> {
        let created = std::mem::take(&mut *self.created.lock().unwrap_or_else(|p| p.into_inner()));
        let mut done = Vec::new();
        if !created.containers.is_empty() {
            let mut stop: Vec<String> = vec!["stop".into(), "--time".into(), "10".into()];
            stop.extend(created.containers.iter().rev().cloned());
            let _ = self.docker(&stop, &[]).await;
            let mut rm: Vec<String> = vec!["rm".into(), "--force".into()];
            rm.extend(created.containers.iter().rev().cloned());
            match self.docker(&rm, &[]).await {
                Ok(_) => done.push(format!(
                    "{} container{}",
                    created.containers.len(),
                    if created.containers.len() == 1 {
                        ""
                    } else {
                        "s"
                    }
                )),
                Err(e) => (self.say)(&format!("cleanup: {e}")),
            }
        }
        if let Some(n) = &created.network {
            match self
                .docker(&["network".into(), "rm".into(), n.clone()], &[])
                .await
            {
                Ok(_) => done.push(format!("network {n}")),
                Err(e) => (self.say)(&format!("cleanup: {e}")),
            }
        }
        if !created.volumes.is_empty() {
            let mut rm: Vec<String> = vec!["volume".into(), "rm".into()];
            rm.extend(created.volumes.iter().cloned());
            match self.docker(&rm, &[]).await {
                Ok(_) => done.push(format!(
                    "{} volume{}",
                    created.volumes.len(),
                    if created.volumes.len() == 1 { "" } else { "s" }
                )),
                Err(e) => (self.say)(&format!("cleanup: {e}")),
            }
        }
        done
    }

    fn created(&self) -> std::sync::MutexGuard<'_, Created> {
        self.created.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts everything and waits for an essential container to exit; returns it and
    /// its exit code.
    async fn start_and_wait(
        &self,
        plan: &LocalPlan,
        out: &crate::output::Out,
        color: bool,
    ) -> Result<(String, i32), OpsError> {
        // Images.
        let mut built = BTreeSet::new();
        for c in &plan.containers {
            if let Some(a) = &c.build {
                if built.insert(a.id.clone()) {
                    (self.say)(&format!(
                        "building image {} ({})",
                        a.display_name,
                        a.short_id()
                    ));
                    let tag = format!("berth-asset:{}", a.id);
                    self.docker(&crate::publish::build_args(a, &tag), &[])
                        .await?;
                }
            }
        }
        // Volumes.
        for (name, v) in &plan.volumes {
            match v {
                VolumeSource::Directory(d) => {
                    std::fs::create_dir_all(d).map_err(|e| {
                        OpsError::Local(format!(
                            "cannot create the directory {} for volume {name}: {e}",
                            d.display()
                        ))
                    })?;
                }
                VolumeSource::Docker(n) => {
                    let full = format!("berth-{}-{n}", self.run_id);
                    self.docker(
                        &[
                            "volume".into(),
                            "create".into(),
                            "--label".into(),
                            format!("berth.run={}", self.run_id),
                            full.clone(),
                        ],
                        &[],
                    )
                    .await?;
                    self.created().volumes.push(full);
                }
            }
        }
        // The network.
        match plan.network_mode.as_str() {
            "awsvpc" => {
                let mut a: Vec<String> = vec![
                    "run".into(),
                    "--detach".into(),
                    "--name".into(),
                    self.name("pause"),
                    "--label".into(),
                    format!("berth.run={}", self.run_id),
                ];
                for c in &plan.containers {
                    for (h, p, proto) in &c.ports {
                        a.push("--publish".into());
                        a.push(format!("127.0.0.1:{h}:{p}/{proto}"));
                    }
                }
                a.extend([PAUSE_IMAGE.to_string(), "sleep".into(), "2147483647".into()]);
                self.docker(&a, &[]).await?;
                self.created().containers.push(self.name("pause"));
            }
            "host" => {}
            _ => {
                let net = format!("berth-{}", self.run_id);
                self.docker(
                    &[
                        "network".into(),
                        "create".into(),
                        "--label".into(),
                        format!("berth.run={}", self.run_id),
                        net.clone(),
                    ],
                    &[],
                )
                .await?;
                self.created().network = Some(net);
            }
        }
        // Containers, dependencies first.
        for c in &plan.containers {
            for (dep, cond) in &c.depends {
                let d = plan
                    .containers
                    .iter()
                    .find(|x| &x.name == dep)
                    .expect("checked in plan");
                match cond {
                    Condition::Start => {}
                    Condition::Healthy => {
                        (self.say)(&format!("waiting for {dep} to be healthy"));
                        self.wait_healthy(c, d).await?;
                    }
                    Condition::Complete | Condition::Success => {
                        (self.say)(&format!("waiting for {dep} to exit"));
                        let code = self.wait_exit(dep).await?;
                        if *cond == Condition::Success && code != 0 {
                            return Err(OpsError::Local(format!(
                                "{dep} exited with code {code}, so {} (which needs it to succeed) does not start",
                                c.name
                            )));
                        }
                    }
                }
            }
            let ports = if c.ports.is_empty() {
                String::new()
            } else {
                format!(
                    " (ports {})",
                    c.ports
                        .iter()
                        .map(|(h, p, proto)| format!("127.0.0.1:{h}->{p}/{proto}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            (self.say)(&format!("starting {}{ports}", c.name));
            self.docker(&self.run_args(plan, c), &c.hidden_env).await?;
            self.created().containers.push(self.name(&c.name));
            self.follow_logs(&c.name, plan, out, color);
        }
        // The first essential container to exit ends the run.
        let mut waits = tokio::task::JoinSet::new();
        for c in plan.containers.iter() {
            let name = c.name.clone();
            let essential = c.essential;
            let runner = self.clone_for_wait();
            waits.spawn(async move { (name.clone(), essential, runner.wait_exit(&name).await) });
        }
        while let Some(r) = waits.join_next().await {
            let Ok((name, essential, code)) = r else {
                continue;
            };
            let code = code?;
            if essential {
                return Ok((name, code));
            }
            (self.say)(&format!(
                "{name} exited with code {code} (not essential: the run goes on)"
            ));
        }
        Err(OpsError::Local("no essential container".into()))
    }

    fn clone_for_wait(&self) -> Runner {
        Runner {
            docker: self.docker.clone(),
            run_id: self.run_id.clone(),
            created: Arc::clone(&self.created),
            poll: self.poll,
            say: Box::new(|_| {}),
            followers: Arc::clone(&self.followers),
        }
    }

    /// Streams `docker logs --follow` of a container, each line prefixed with its name.
    fn follow_logs(
        &self,
        container: &str,
        plan: &LocalPlan,
        out: &crate::output::Out,
        color: bool,
    ) {
        let width = plan
            .containers
            .iter()
            .map(|c| c.name.len())
            .max()
            .unwrap_or(0);
        let index = plan
            .containers
            .iter()
            .position(|c| c.name == container)
            .unwrap_or(0);
        let label = format!("{container:<width$} |");
        let label = if color {
            console::style(label)
                .fg([
                    console::Color::Cyan,
                    console::Color::Magenta,
                    console::Color::Yellow,
                    console::Color::Green,
                ][index % 4])
                .force_styling(true)
                .to_string()
        } else {
            label
        };
        let mut cmd = self.docker.command();
        cmd.args(["logs", "--follow", &self.name(container)])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let Ok(mut child) = cmd.spawn() else { return };
        let out = out.clone();
        let name = container.to_string();
        let handle = tokio::spawn(async move {
            let stdout = child.stdout.take();
            let stderr = child.stderr.take();
            let pump = |r: Option<Box<dyn tokio::io::AsyncRead + Unpin + Send>>,
                        out: crate::output::Out,
                        label: String| async move {
                if let Some(r) = r {
                    let mut lines = BufReader::new(r).lines();
                    while let Ok(Some(l)) = lines.next_line().await {
                        out.line(&format!("{label} {l}"));
                    }
                }
            };
            let a = pump(
                stdout.map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
                out.clone(),
                label.clone(),
            );
            let b = pump(
                stderr.map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
                out,
                label,
            );
            tokio::join!(a, b);
            let _ = child.wait().await;
        });
        self.followers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((name, handle));
    }
}

fn run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{:06x}",
        (nanos ^ std::process::id().rotate_left(16)) & 0xff_ffff
    )
}

/// Runs `berth run --local`.
pub fn run(ctx: &mut Ctx<'_>, args: &RunArgs) -> Result<u8, CliError> {
    let assembly = ctx.assembly()?;
    let named = super::resolve(
        &assembly,
        args.taskdef.as_deref(),
        &[Kind::TaskDefinition, Kind::Service],
    )?;
    let td = named.task_definition()?;
    let overrides: Vec<Override> = args
        .overrides
        .iter()
        .map(|o| parse_override(o))
        .collect::<Result<_, _>>()?;
    let env_file = match &args.env_file {
        Some(p) => parse_env_file(&ctx.cwd.join(p))?,
        None => Vec::new(),
    };
    let (env, command) = super::env_and_command(&args.env, args.command.as_deref())?;
    let has_secrets = containers_of(&td).iter().any(|c| {
        c.get("Secrets")
            .is_some_and(|s| s.as_array().is_some_and(|a| !a.is_empty()))
    });
    let rt = crate::commands::runtime()?;
    // The deployed stack: for values that refer to its resources, and for secrets.
    let ctx_ref: &Ctx<'_> = ctx;
    let want_secrets = has_secrets && !args.no_secrets;
    let (deployed_stack, secrets) = if want_secrets || plan_needs_stack(&td) {
        rt.block_on(async {
            let api = ctx_ref.api().await?;
            let uses_imports = td
                .stack
                .template
                .resources
                .values()
                .any(|r| super::uses_imports(&r.properties));
            // The day-two client only when something needs it (exports, secrets).
            let ops = if uses_imports || want_secrets {
                Some(ctx_ref.ops().await?)
            } else {
                None
            };
            let exports = match &ops {
                Some(o) if uses_imports => o.exports().await?,
                _ => BTreeMap::new(),
            };
            let d = deployed(api.as_ref(), td.stack, exports).await?;
            let secrets = match &ops {
                Some(o) if want_secrets => {
                    let mut secrets = BTreeMap::new();
                    for from in secret_sources(&td, d.as_ref())? {
                        let v = resolve_secret(o.as_ref(), &from).await.map_err(|e| {
                            OpsError::Unresolved(format!(
                                "{}: the secret {from} could not be read ({e}); pass --no-secrets to run without secrets",
                                td.path
                            ))
                        })?;
                        secrets.insert(from, v);
                    }
                    Some(secrets)
                }
                _ => None,
            };
            Ok::<_, CliError>((d, secrets))
        })?
    } else {
        (None, None)
    };
    let volumes_dir = ctx.cwd.join(".berth/volumes");
    let plan = plan(&PlanInputs {
        td: &td,
        deployed: deployed_stack.as_ref(),
        secrets: secrets.as_ref(),
        env_file: &env_file,
        overrides: &overrides,
        env: &env,
        command,
        container: args.container.as_deref(),
        volumes_dir: &volumes_dir,
    })?;
    let json = ctx.global.json;
    let err = ctx.err.clone();
    let runner = Runner {
        docker: ctx.docker.clone(),
        run_id: run_id(),
        created: Arc::new(Mutex::new(Created::default())),
        poll: ctx.poll.max.min(Duration::from_secs(1)),
        say: Box::new(move |s| err.line(s)),
        followers: Arc::new(Mutex::new(Vec::new())),
    };
    let out = ctx.out.clone();
    let color = ctx.out.is_tty && !json;
    (runner.say)(&format!(
        "running {} locally ({} container{}, network {})",
        plan.path,
        plan.containers.len(),
        if plan.containers.len() == 1 { "" } else { "s" },
        match plan.network_mode.as_str() {
            "awsvpc" =>
                "awsvpc: one namespace, containers reach each other on localhost".to_string(),
            other => other.to_string(),
        }
    ));
    let handle = ctx.handle_ctrl_c;
    let (result, cleaned) = rt.block_on(async {
        let ctrl_c = async {
            if handle {
                let _ = tokio::signal::ctrl_c().await;
            } else {
                std::future::pending::<()>().await
            }
        };
        let r = tokio::select! {
            r = runner.start_and_wait(&plan, &out, color) => Some(r),
            _ = ctrl_c => None,
        };
        match &r {
            Some(Ok((name, code))) => {
                runner.drain_logs(Some(name), Duration::from_secs(3)).await;
                (runner.say)(&format!(
                    "{name} exited with code {code} (essential): stopping the others"
                ))
            }
            Some(Err(_)) => {}
            None => (runner.say)("interrupted: stopping and removing what the run started"),
        }
        let cleaned = runner.cleanup().await;
        runner.drain_logs(None, Duration::from_secs(3)).await;
        (r, cleaned)
    });
    if !cleaned.is_empty() {
        (runner.say)(&format!("removed {}", cleaned.join(", ")));
    }
    let code = match result {
        None => exit::INTERRUPTED,
        Some(Err(e)) => return Err(e.into()),
        Some(Ok((name, code))) => {
            if json {
                ctx.out.line(&serde_json::json!({"task_definition": plan.path, "container": name, "exit_code": code}).to_string());
            }
            match code.rem_euclid(256) {
                0 if code != 0 => 1,
                c => c as u8,
            }
        }
    };
    Ok(code)
}

/// Whether the task definition's container values refer to the stack (intrinsics other
/// than an asset image).
fn plan_needs_stack(td: &Workload<'_>) -> bool {
    fn intrinsic(v: &Value) -> bool {
        match v {
            Value::Object(m) => {
                m.keys().any(|k| k == "Ref" || k.starts_with("Fn::")) || m.values().any(intrinsic)
            }
            Value::Array(a) => a.iter().any(intrinsic),
            _ => false,
        }
    }
    containers_of(td).iter().any(|c| {
        let image = c.get("Image").cloned().unwrap_or(Value::Null);
        let image_needs = intrinsic(&image) && asset_for(td.stack, &image).is_none();
        let others = ["Environment", "Command", "EntryPoint", "HealthCheck"]
            .iter()
            .any(|k| c.get(*k).is_some_and(intrinsic));
        image_needs || others
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_parse() {
        assert_eq!(
            parse_override("web.env.DEBUG=1=2").unwrap(),
            Override::Env("web".into(), "DEBUG".into(), "1=2".into())
        );
        assert_eq!(
            parse_override("web.image=nginx:2").unwrap(),
            Override::Image("web".into(), "nginx:2".into())
        );
        assert!(parse_override("web.DEBUG=1").is_err());
        assert!(parse_override(".env.A=1").is_err());
    }

    #[test]
    fn env_files_parse() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(".env");
        std::fs::write(&p, "# comment\n\nA=1\nexport B=\"two words\"\nC='x=y'\n").unwrap();
        assert_eq!(
            parse_env_file(&p).unwrap(),
            vec![
                ("A".into(), "1".into()),
                ("B".into(), "two words".into()),
                ("C".into(), "x=y".into())
            ]
        );
        std::fs::write(&p, "oops\n").unwrap();
        assert!(parse_env_file(&p)
            .unwrap_err()
            .to_string()
            .ends_with(":1: expected NAME=VALUE"));
    }
}
