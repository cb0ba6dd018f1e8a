//! Shared helpers: fixtures with unique names, running a command, capturing output.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use berth_cli::deploy::api::CloudFormationApi;
use berth_cli::deploy::PollConfig;
use berth_cli::Session;

/// The fixture directory `name`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A name prefix no other test (or test run) uses: lower-case, short enough for ALB names.
pub fn unique_prefix(tag: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{tag}{:x}{n}", (nanos ^ std::process::id()) % 0xfffff)
}

/// Copies fixtures into a temp dir, replacing `__PREFIX__` with `prefix` in every file.
/// Returns the temp dir; the fixtures are its subdirectories.
pub fn materialize(names: &[&str], prefix: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in names {
        let src = fixture(name);
        let dst = dir.path().join(name);
        std::fs::create_dir_all(&dst).expect("mkdir");
        for entry in std::fs::read_dir(&src).expect("fixture dir") {
            let entry = entry.expect("entry");
            let text = std::fs::read_to_string(entry.path()).expect("fixture file");
            std::fs::write(
                dst.join(entry.file_name()),
                text.replace("__PREFIX__", prefix),
            )
            .expect("write");
        }
    }
    dir
}

/// Fast polling for tests.
pub fn fast_poll() -> PollConfig {
    PollConfig {
        initial: Duration::from_millis(2),
        max: Duration::from_millis(20),
        factor: 2.0,
    }
}

/// What a command printed and returned.
#[derive(Debug)]
pub struct Run {
    /// Exit code.
    pub code: u8,
    /// Stdout.
    pub out: String,
    /// Stderr.
    pub err: String,
}

/// Runs `berth ARGS` in `cwd` with an optional client and a customizing function.
pub fn run_with(
    cwd: &Path,
    api: Option<Arc<dyn CloudFormationApi>>,
    args: &[&str],
    customize: impl FnOnce(Session<'static>) -> Session<'static>,
) -> Run {
    let (session, out, err) = Session::captured();
    let mut session = session.cwd(cwd).poll(fast_poll()).sdk_retries(false);
    if let Some(api) = api {
        session = session.api(api);
    }
    let session = customize(session);
    let mut argv = vec!["berth"];
    argv.extend_from_slice(args);
    let code = session.run(argv);
    Run {
        code,
        out: out.contents(),
        err: err.contents(),
    }
}

/// Runs `berth ARGS` in `cwd` against the local moto server only: the endpoint is
/// checked ([`berth_cli::local::loopback_endpoint`]) and set on the SDK configuration in
/// code, so nothing in the environment can send a call elsewhere.
pub fn run_local(
    cwd: &Path,
    args: &[&str],
    customize: impl FnOnce(Session<'static>) -> Session<'static>,
) -> Run {
    let endpoint = berth_cli::local::loopback_endpoint().unwrap_or_else(|e| panic!("{e}"));
    run_with(cwd, None, args, move |s| customize(s.endpoint(endpoint)))
}

/// Runs `berth ARGS` in `cwd`.
pub fn run(cwd: &Path, api: Option<Arc<dyn CloudFormationApi>>, args: &[&str]) -> Run {
    run_with(cwd, api, args, |s| s)
}
