//! Fingerprint cost: hashing an image asset directory of 10,000 small files (10 × 10
//! nested directories of 100 files each, plus ignored files and a `.dockerignore`).
//!
//! Run with `cargo bench -p berth-synth --bench fingerprint`. It prints the median of 10
//! runs (the files are in the page cache after the first) against the target of
//! under 1 s; nothing here asserts a time. It also times staging the files into an
//! assembly (median of 3), which is bound by how fast the file system creates files.
//! `BENCH_FILES` changes the number of files.
//! Under `cargo test` it runs once on 500 files.

use berth_synth::asset::{fingerprint, stage, DockerBuildOptions};
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

/// Writes `files` counted files (and one ignored file per directory) under `root`.
fn make_tree(root: &Path, files: usize) {
    fs::write(root.join("Dockerfile"), "FROM scratch\nCOPY . /app\n").unwrap();
    fs::write(
        root.join(".dockerignore"),
        "# noise\n**/*.tmp\ncache\n!cache/keep\n",
    )
    .unwrap();
    let per_dir = 100;
    let dirs = files.div_ceil(per_dir);
    let mut written = 0;
    for d in 0..dirs {
        let dir = root.join(format!("pkg{:02}/mod{:02}", d / 10, d % 10));
        fs::create_dir_all(&dir).unwrap();
        for f in 0..per_dir.min(files - written) {
            fs::write(
                dir.join(format!("file{f:03}.rs")),
                format!("// file {d}/{f}\npub fn f{f}() -> usize {{ {d} * {f} }}\n"),
            )
            .unwrap();
            written += 1;
        }
        fs::write(dir.join("scratch.tmp"), "ignored").unwrap();
    }
    fs::create_dir_all(root.join("cache")).unwrap();
    fs::write(root.join("cache/blob"), "ignored").unwrap();
    fs::write(root.join("cache/keep"), "counted").unwrap();
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let (files, runs) = if bench {
        (
            std::env::var("BENCH_FILES")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(10_000),
            10,
        )
    } else {
        (500, 1)
    };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("image");
    fs::create_dir_all(&root).unwrap();
    make_tree(&root, files);
    let opts = DockerBuildOptions {
        build_args: [("PROFILE".to_string(), "release".to_string())].into(),
        ..Default::default()
    };

    let mut hash = String::new();
    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        hash = fingerprint(&root, &opts).expect("fingerprint");
        times.push(start.elapsed());
    }
    // Staging creates every file anew: it costs what the file system charges for that.
    let mut stage_times = Vec::new();
    for i in 0..runs.min(3) {
        let dest = tmp.path().join(format!("asset.{i}"));
        let start = Instant::now();
        let staged = stage(&root, &opts, &dest).expect("stage");
        stage_times.push(start.elapsed());
        assert_eq!(staged, hash);
        fs::remove_dir_all(&dest).unwrap();
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let fp = median(times);
    println!(
        "fingerprint: {files} files: {:.1} ms (median of {runs}; target < 1000 ms: {}); staging them into an assembly {:.1} ms (median of {})",
        ms(fp),
        if fp < Duration::from_secs(1) { "met" } else { "NOT met" },
        ms(median(stage_times)),
        runs.min(3),
    );
}
