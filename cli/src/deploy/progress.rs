//! Showing stack events: plain lines (not a terminal, CI, tests) or a live display
//! with one progress bar per stack (a terminal).

use std::collections::BTreeMap;
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::api::StackEvent;
use crate::output::Out;

/// Receives what happens to stacks while the engine works.
pub trait Progress: Send + Sync {
    /// An operation on `stack` starts; `resources` is the template's resource count.
    fn started(&self, stack: &str, operation: &str, resources: usize);
    /// A new stack event; `path` is the resource's construct path, when known.
    fn event(&self, event: &StackEvent, path: Option<&str>);
    /// A note about a stack.
    fn message(&self, stack: &str, text: &str);
    /// The operation on `stack` ended.
    fn finished(&self, stack: &str, ok: bool, summary: &str);
    /// Runs `f` with the display paused (to print a diff and ask a question).
    fn suspend(&self, f: &mut dyn FnMut()) {
        f();
    }
}

/// The one-line rendering of an event, shared by both displays.
pub fn event_line(event: &StackEvent, path: Option<&str>) -> String {
    let who = if event.resource_type == "AWS::CloudFormation::Stack" {
        event.logical_id.clone()
    } else {
        match path {
            Some(p) => format!("{p} ({})", event.logical_id),
            None => event.logical_id.clone(),
        }
    };
    let mut line = format!(
        "{} | {:<28} | {} | {}",
        event.stack_name, event.status, event.resource_type, who
    );
    if let Some(r) = event.reason.as_deref().filter(|r| !r.is_empty()) {
        line.push_str(" | ");
        line.push_str(r);
    }
    line
}

/// Plain lines, one per event.
#[derive(Debug)]
pub struct PlainProgress {
    out: Out,
}

impl PlainProgress {
    /// Writes to `out`.
    pub fn new(out: Out) -> PlainProgress {
        PlainProgress { out }
    }
}

impl Progress for PlainProgress {
    fn started(&self, stack: &str, operation: &str, resources: usize) {
        self.out
            .line(&format!("{stack}: {operation} ({resources} resources)"));
    }
    fn event(&self, event: &StackEvent, path: Option<&str>) {
        self.out.line(&event_line(event, path));
    }
    fn message(&self, stack: &str, text: &str) {
        self.out.line(&format!("{stack}: {text}"));
    }
    fn finished(&self, stack: &str, _ok: bool, summary: &str) {
        self.out.line(&format!("{stack}: {summary}"));
    }
}

/// A live display: a bar per stack counting finished resources; events scroll above.
pub struct LiveProgress {
    multi: MultiProgress,
    bars: Mutex<BTreeMap<String, ProgressBar>>,
}

impl std::fmt::Debug for LiveProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LiveProgress")
    }
}

impl Default for LiveProgress {
    fn default() -> Self {
        LiveProgress::new()
    }
}

impl LiveProgress {
    /// Draws on stdout.
    pub fn new() -> LiveProgress {
        LiveProgress {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stdout()),
            bars: Mutex::new(BTreeMap::new()),
        }
    }

    fn bar(&self, stack: &str) -> Option<ProgressBar> {
        self.bars
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(stack)
            .cloned()
    }
}

impl Progress for LiveProgress {
    fn suspend(&self, f: &mut dyn FnMut()) {
        self.multi.suspend(f);
    }
    fn started(&self, stack: &str, operation: &str, resources: usize) {
        let pb = self.multi.add(ProgressBar::new(resources as u64));
        pb.set_style(
            ProgressStyle::with_template("{spinner} {prefix:.bold} [{bar:24}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        pb.set_prefix(stack.to_string());
        pb.set_message(operation.to_string());
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
        self.bars
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(stack.to_string(), pb);
    }
    fn event(&self, event: &StackEvent, path: Option<&str>) {
        let line = event_line(event, path);
        let styled = if event.status.ends_with("_FAILED") {
            console::style(line).red().to_string()
        } else if event.status.ends_with("_COMPLETE") {
            console::style(line).green().to_string()
        } else {
            line
        };
        match self.bar(&event.stack_name) {
            Some(pb) => {
                pb.println(styled);
                if event.resource_type != "AWS::CloudFormation::Stack"
                    && event.status.ends_with("_COMPLETE")
                {
                    pb.inc(1);
                }
                pb.set_message(format!("{} {}", event.logical_id, event.status));
            }
            None => {
                let _ = self.multi.println(styled);
            }
        }
    }
    fn message(&self, stack: &str, text: &str) {
        let _ = self.multi.println(format!("{stack}: {text}"));
    }
    fn finished(&self, stack: &str, ok: bool, summary: &str) {
        if let Some(pb) = self
            .bars
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(stack)
        {
            let mark = if ok {
                console::style("✔").green()
            } else {
                console::style("✘").red()
            };
            pb.finish_and_clear();
            let _ = self.multi.println(format!("{mark} {stack}: {summary}"));
        } else {
            let _ = self.multi.println(format!("{stack}: {summary}"));
        }
    }
}
