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
        // A stack operation that never finishes (moto lost it) fails the test with
        // the stack and its status instead of hanging the suite.
        give_up_after: Some(Duration::from_secs(180)),
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

/// The query-protocol requests (CloudFormation's) that the moto server received with
/// `Action=action` and `StackName=stack`, each as its decoded parameters, in order.
/// moto records every request it gets, as the SDK sent it, in `$BERTH_MOTO_RECORDING`
/// (scripts/lib/moto.sh turns moto's recorder on).
pub fn moto_requests(action: &str, stack: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    use base64::Engine;
    let path = std::env::var("BERTH_MOTO_RECORDING")
        .expect("BERTH_MOTO_RECORDING is not set: run the tests with scripts/test");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let mut out = Vec::new();
    for line in text.lines() {
        let Ok(entry) = serde_json::from_str::<serde_json::Value>(line) else {
            continue; // a line being written by another request
        };
        let body = entry["body"].as_str().unwrap_or_default();
        let body = if entry["body_encoded"] == true {
            base64::engine::general_purpose::STANDARD
                .decode(body)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default()
        } else {
            body.to_string()
        };
        let params: std::collections::BTreeMap<String, String> = body
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (form_decode(k), form_decode(v)))
            .collect();
        if params.get("Action").map(String::as_str) == Some(action)
            && params.get("StackName").map(String::as_str) == Some(stack)
        {
            out.push(params);
        }
    }
    out
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte.
fn form_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
