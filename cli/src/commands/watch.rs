//! `berth watch`: on every change to the app's sources or its asset directories,
//! re-synthesize, publish the images that changed and hotswap, printing one line per
//! cycle.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

use crate::assembly::StackArtifact;
use crate::cli::WatchArgs;
use crate::commands::{runtime, Ctx};
use crate::config::{self, Config};
use crate::deploy::api::StackEvent;
use crate::deploy::progress::{PlainProgress, Progress};
use crate::deploy::rollout::RolloutOptions;
use crate::deploy::{Approval, DeployOptions, Engine, HotswapMode, Method, Outcome};
use crate::error::CliError;
use crate::exit;

/// Shows nothing: watch prints one line per cycle (`-v` shows everything).
struct Quiet;

impl Progress for Quiet {
    fn started(&self, _: &str, _: &str, _: usize) {}
    fn event(&self, _: &StackEvent, _: Option<&str>) {}
    fn message(&self, _: &str, _: &str) {}
    fn finished(&self, _: &str, _: bool, _: &str) {}
}

/// Directories whose changes never start a cycle.
fn ignored_dirs(ctx: &Ctx<'_>, config: &Config) -> Vec<PathBuf> {
    let outdir = config::in_process_outdir(&ctx.cwd, ctx.global.output.as_deref(), config);
    let mut dirs = vec![ctx.cwd.join("target"), ctx.cwd.join(".git"), outdir];
    if let Some(app) = &ctx.global.app {
        let dir = ctx.cwd.join(app);
        if dir.is_dir() {
            dirs.push(dir);
        }
    }
    dirs.into_iter()
        .map(|d| d.canonicalize().unwrap_or(d))
        .collect()
}

fn relevant(path: &Path, ignored: &[PathBuf]) -> bool {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let editor_temp = name.ends_with('~') || name.ends_with(".swp") || name.starts_with(".#");
    // Synthesis writes `.<outdir>.tmp-*` beside the output directory, then renames it.
    let synth_temp = |dir: &PathBuf| {
        let (Some(parent), Some(out)) = (dir.parent(), dir.file_name()) else {
            return false;
        };
        let prefix = format!(".{}.", out.to_string_lossy());
        path.strip_prefix(parent)
            .ok()
            .and_then(|rest| rest.components().next())
            .is_some_and(|c| c.as_os_str().to_string_lossy().starts_with(&prefix))
    };
    !editor_temp && !ignored.iter().any(|d| path.starts_with(d) || synth_temp(d))
}

/// Runs `berth watch`.
pub fn run(ctx: &mut Ctx<'_>, args: &WatchArgs) -> Result<u8, CliError> {
    let config = Config::load(&ctx.cwd)?;
    let ignored = ignored_dirs(ctx, &config);
    let includes: Vec<PathBuf> = if args.include.is_empty() {
        vec![ctx.cwd.clone()]
    } else {
        args.include.iter().map(|p| ctx.cwd.join(p)).collect()
    };
    let (tx, rx) = std::sync::mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher =
        notify::recommended_watcher(tx).map_err(|e| CliError::Watch(e.to_string()))?;
    for path in &includes {
        watcher
            .watch(path, RecursiveMode::Recursive)
            .map_err(|e| CliError::Watch(format!("{}: {e}", path.display())))?;
    }
    let in_process = if ctx.global.app.is_none() && ctx.synth.is_some() {
        "; the app is synthesized in-process, so edits to its Rust code need a restart (or \
         `berth watch --app \"cargo run --quiet --example NAME\"`)"
    } else {
        ""
    };
    ctx.err.line(&format!(
        "watching {} (Ctrl-C stops){in_process}",
        includes
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ));

    let rt = runtime()?;
    let stop = Arc::new(AtomicBool::new(false));
    if ctx.handle_ctrl_c {
        let stop = Arc::clone(&stop);
        rt.spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stop.store(true, Ordering::SeqCst);
            }
        });
    }

    let mut cycle = 1u32;
    let mut failures = 0u32;
    loop {
        if !run_cycle(ctx, args, &rt, cycle) {
            failures += 1;
        }
        if args.cycles.is_some_and(|n| cycle >= n) {
            break;
        }
        // Wait for a relevant change, then for quiet (debounce).
        let debounce = Duration::from_millis(args.debounce_ms);
        let mut changed_at: Option<Instant> = None;
        loop {
            if stop.load(Ordering::SeqCst) {
                return Ok(exit::INTERRUPTED);
            }
            if changed_at.is_some_and(|t| t.elapsed() >= debounce) {
                break;
            }
            match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(Ok(event)) => {
                    // Reads (the app command reading its sources) are not changes.
                    let change = !matches!(event.kind, EventKind::Access(_));
                    if change && event.paths.iter().any(|p| relevant(p, &ignored)) {
                        changed_at = Some(Instant::now());
                    }
                }
                Ok(Err(e)) => ctx.err.line(&format!("watch error: {e}")),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(CliError::Watch("the file watcher stopped".into()))
                }
            }
        }
        cycle += 1;
    }
    Ok(if failures == 0 {
        exit::OK
    } else {
        exit::FAILED
    })
}

/// One cycle: synth, publish, hotswap. Prints one line; returns whether it succeeded.
fn run_cycle(ctx: &mut Ctx<'_>, args: &WatchArgs, rt: &tokio::runtime::Runtime, n: u32) -> bool {
    let started = Instant::now();
    let line = |ok: bool, text: String| {
        let secs = started.elapsed().as_secs_f64();
        format!(
            "{} cycle {n}: {text} ({secs:.1} s)",
            if ok { "✔" } else { "✘" }
        )
    };
    let assembly = match ctx.assembly() {
        Ok(a) => a,
        Err(e) => {
            ctx.out.line(&line(false, format!("synth failed: {e}")));
            return false;
        }
    };
    let stacks: Vec<StackArtifact> = match assembly.select(&args.stacks, args.all, true) {
        Ok(s) => s.into_iter().cloned().collect(),
        Err(e) => {
            ctx.out.line(&line(false, e.to_string()));
            return false;
        }
    };
    let progress: Arc<dyn Progress> = if ctx.global.verbose > 0 {
        Arc::new(PlainProgress::new(ctx.err.clone()))
    } else {
        Arc::new(Quiet)
    };
    let options = DeployOptions {
        method: Method::ChangeSet,
        approval: Approval::Never,
        poll: ctx.poll,
        // The first cycle brings the stacks up to date however it must.
        hotswap: if args.fallback || n == 1 {
            HotswapMode::Fallback
        } else {
            HotswapMode::Only
        },
        rollout: RolloutOptions {
            enabled: true,
            max_stopped_tasks: args.max_stopped_tasks as usize,
            timeout: Duration::from_secs(args.rollout_timeout),
            on_pause: crate::cli::PauseAnswer::on_pause(args.on_pause),
        },
        ..DeployOptions::default()
    };
    let ctx_ref: &Ctx<'_> = ctx;
    let result = rt.block_on(async {
        let api = ctx_ref.api().await?;
        let containers = ctx_ref.containers().await?;
        let (pushed, _) =
            super::publish::publish_all(ctx_ref, containers.clone(), &progress, &stacks).await?;
        let engine = Arc::new(Engine {
            api,
            containers,
            progress,
            prompter: Arc::clone(&ctx_ref.prompter),
            options,
            out: ctx_ref.out.clone(),
        });
        Ok::<_, CliError>((pushed, engine.deploy_all(stacks).await))
    });
    let (pushed, results) = match result {
        Ok(r) => r,
        Err(e) => {
            ctx.out.line(&line(false, e.to_string()));
            return false;
        }
    };
    let mut parts = Vec::new();
    if pushed > 0 {
        parts.push(format!(
            "{pushed} image{} pushed",
            if pushed == 1 { "" } else { "s" }
        ));
    }
    let mut ok = true;
    let mut reports = Vec::new();
    for (id, outcome) in &results {
        let name = assembly
            .stack(id)
            .map(|s| s.stack_name.clone())
            .unwrap_or_else(|| id.clone());
        match outcome {
            Outcome::Hotswapped { changes, .. } => parts.push(format!(
                "{name} hotswapped ({} change{})",
                changes.len(),
                if changes.len() == 1 { "" } else { "s" }
            )),
            Outcome::Deployed { .. } => parts.push(format!("{name} deployed")),
            Outcome::NoChanges { .. } => parts.push(format!("{name} unchanged")),
            Outcome::Failed(report) => {
                ok = false;
                parts.push(format!("{name} failed"));
                reports.push(report.render());
            }
            Outcome::NotApproved(m) | Outcome::Skipped(m) => {
                ok = false;
                parts.push(m.clone());
            }
            Outcome::Refused(guard) => {
                ok = false;
                parts.push(format!("{name} refused"));
                reports.push(guard.render_refusal());
            }
            Outcome::Protected(m) => {
                ok = false;
                parts.push(m.clone());
            }
            Outcome::Deleted | Outcome::NotFound => {}
        }
    }
    ctx.out.line(&line(ok, parts.join(" · ")));
    for r in reports {
        ctx.out.write(&r);
    }
    ok
}
