use super::*;
use std::path::Path;

/// Writes `files` (relative path → content) under `dir`.
fn write_tree(dir: &Path, files: &[(&str, &str)]) {
    for (rel, content) in files {
        let p = dir.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, content).unwrap();
    }
}

const APP: &[(&str, &str)] = &[
    ("Dockerfile", "FROM scratch\nCOPY . /app\n"),
    (".dockerignore", "*.log\nnotes/\n"),
    ("src/main.rs", "fn main() {}\n"),
    ("src/lib/util.rs", "pub fn f() {}\n"),
    ("index.html", "<h1>hi</h1>\n"),
    ("debug.log", "noise\n"),
    ("notes/todo.md", "- later\n"),
];

fn app_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_tree(dir.path(), APP);
    dir
}

fn hash(dir: &Path) -> String {
    fingerprint(dir, &DockerBuildOptions::default()).unwrap()
}

fn paths(dir: &Path) -> Vec<String> {
    build_context(dir, &DockerBuildOptions::default())
        .unwrap()
        .into_iter()
        .map(|e| match e.kind {
            EntryKind::Directory => format!("{}/", e.path),
            EntryKind::File => e.path,
        })
        .collect()
}

#[test]
fn the_same_tree_gives_the_same_hash_in_any_place_and_run() {
    let (a, b) = (app_dir(), app_dir());
    let h = hash(a.path());
    assert_eq!(h.len(), 64);
    assert!(h
        .bytes()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    assert_eq!(hash(a.path()), h, "two runs");
    assert_eq!(hash(b.path()), h, "two copies in different directories");
    // a directory given with a different spelling
    let dotted = a.path().join(".");
    assert_eq!(hash(&dotted), h);
}

#[test]
fn the_context_is_sorted_by_relative_path_without_ignored_entries() {
    let dir = app_dir();
    assert_eq!(
        paths(dir.path()),
        [
            ".dockerignore",
            "Dockerfile",
            "index.html",
            "src/",
            "src/lib/",
            "src/lib/util.rs",
            "src/main.rs"
        ]
    );
}

#[test]
fn ignored_files_do_not_count_and_others_do() {
    let dir = app_dir();
    let h = hash(dir.path());
    // touching, adding and removing ignored files
    fs::write(dir.path().join("debug.log"), "more noise\n").unwrap();
    assert_eq!(hash(dir.path()), h, "changed an ignored file");
    write_tree(
        dir.path(),
        &[("trace.log", "x"), ("notes/deep/more.md", "y")],
    );
    assert_eq!(hash(dir.path()), h, "added ignored files");
    fs::remove_file(dir.path().join("debug.log")).unwrap();
    fs::remove_dir_all(dir.path().join("notes")).unwrap();
    assert_eq!(hash(dir.path()), h, "removed ignored files");
    // a modification time alone does not count
    let f = fs::File::options()
        .write(true)
        .open(dir.path().join("index.html"))
        .unwrap();
    f.set_modified(std::time::SystemTime::UNIX_EPOCH).unwrap();
    drop(f);
    assert_eq!(hash(dir.path()), h, "touched a counted file");

    // counted changes
    fs::write(dir.path().join("index.html"), "<h1>hello</h1>\n").unwrap();
    let h2 = hash(dir.path());
    assert_ne!(h2, h, "changed a counted file");
    fs::write(dir.path().join("src/new.rs"), "").unwrap();
    let h3 = hash(dir.path());
    assert_ne!(h3, h2, "added an empty file");
    fs::remove_file(dir.path().join("src/new.rs")).unwrap();
    assert_eq!(hash(dir.path()), h2, "removed it again");
    fs::create_dir(dir.path().join("empty")).unwrap();
    assert_ne!(hash(dir.path()), h2, "added an empty directory");
    fs::remove_dir(dir.path().join("empty")).unwrap();
    fs::rename(
        dir.path().join("src/main.rs"),
        dir.path().join("src/app.rs"),
    )
    .unwrap();
    assert_ne!(hash(dir.path()), h2, "renamed a file");
    // changing the ignore rules changes what counts
    fs::write(dir.path().join(".dockerignore"), "*.log\n").unwrap();
    assert_ne!(hash(dir.path()), h2);
}

#[test]
fn dockerignore_follows_dockers_rules() {
    // (rules, path, excluded)
    let cases: &[(&str, &str, bool)] = &[
        ("*.log", "a.log", true),
        ("*.log", "logs/a.log", false),
        ("*.log", "a.txt", false),
        ("**/*.log", "logs/deep/a.log", true),
        ("**/*.log", "a.log", true),
        ("/build", "build", true),
        ("/build", "build/out/app", true),
        ("/build", "src/build", false),
        ("build/", "build/x", true),
        ("./build", "build/x", true),
        ("a//b/../c", "a/c/x", true),
        ("**/tmp", "tmp", true),
        ("**/tmp", "x/y/tmp/z", true),
        ("**/tmp", "x/tmpfile", false),
        ("docs", "docs/a/b", true),
        ("docs", "docsite/a", false),
        ("docs/**", "docs/a/b", true),
        ("a/**/z", "a/z", true),
        ("a/**/z", "a/b/c/z", true),
        ("src/*/gen", "src/x/gen/f", true),
        ("src/*/gen", "src/x/y/gen/f", false),
        ("file?.txt", "file1.txt", true),
        ("file?.txt", "file/.txt", false),
        ("file[0-9].txt", "file7.txt", true),
        ("file[^0-9].txt", "file7.txt", false),
        ("file[^0-9].txt", "filex.txt", true),
        ("{a,b}", "a", false),
        ("{a,b}", "{a,b}", true),
        ("\\*", "*", true),
        ("\\*", "x", false),
        ("docs/*.md\n!docs/keep.md", "docs/keep.md", false),
        ("docs/*.md\n!docs/keep.md", "docs/other.md", true),
        ("docs\n!docs/keep.md", "docs/keep.md", false),
        ("docs\n!docs/keep.md", "docs/other.md", true),
        ("!docs/keep.md\ndocs", "docs/keep.md", true),
        (
            "*.md\n!README*.md\nREADME-secret.md",
            "README-secret.md",
            true,
        ),
        ("*.md\n!README*.md\nREADME-secret.md", "README.md", false),
        ("# a comment\n\n   \n*.log", "a.log", true),
        ("# *.log", "# *.log", false),
        ("  *.log  ", "a.log", true),
        ("\u{feff}*.log", "a.log", true),
        ("! *.log\n*.log\n!keep.log", "keep.log", false),
        ("", "anything", false),
    ];
    for (rules, path, excluded) in cases {
        let r = DockerIgnore::parse(rules).unwrap_or_else(|e| panic!("{rules:?}: {e}"));
        assert_eq!(
            r.excludes(path),
            *excluded,
            "rules {rules:?}, path {path:?}"
        );
    }
}

#[test]
fn bad_dockerignore_lines_are_errors_naming_the_file_and_line() {
    let err = DockerIgnore::parse("*.log\n!\n").unwrap_err();
    assert_eq!(err.line, 2);
    assert_eq!(
        err.to_string(),
        "line 2: invalid pattern \"!\": \"!\" needs a pattern to re-include, e.g. !docs/keep.md"
    );
    let err = DockerIgnore::parse("[z-a").unwrap_err();
    assert_eq!(err.line, 1);
    let dir = app_dir();
    fs::write(dir.path().join(".dockerignore"), "ok\n[unclosed\n").unwrap();
    let err = fingerprint(dir.path(), &DockerBuildOptions::default()).unwrap_err();
    assert!(matches!(err, AssetError::IgnorePattern { .. }));
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!(
            "{}: line 2: invalid pattern \"[unclosed\": ",
            dir.path().join(".dockerignore").display()
        )),
        "{msg}"
    );
}

#[test]
fn excluded_directories_are_walked_only_for_what_is_re_included() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            ("Dockerfile", "FROM scratch\n"),
            (
                ".dockerignore",
                "docs\n!docs/keep.md\nbuild\n/vendor\n**/tmp\ndocs2/*.md\n!docs2/keep.md\n",
            ),
            ("docs/keep.md", "k"),
            ("docs/drop.md", "d"),
            ("docs/a/b.md", "b"),
            ("build/out.bin", "o"),
            ("vendor/lib.rs", "v"),
            ("src/tmp/cache", "c"),
            ("src/app.rs", "a"),
            ("docs2/keep.md", "k"),
            ("docs2/drop.md", "d"),
        ],
    );
    assert_eq!(
        paths(dir.path()),
        [
            ".dockerignore",
            "Dockerfile",
            "docs/keep.md",
            "docs2/",
            "docs2/keep.md",
            "src/",
            "src/app.rs"
        ]
    );
}

#[test]
fn the_dockerfile_and_dockerignore_always_count() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            ("docker/Dockerfile.prod", "FROM scratch\n"),
            (".dockerignore", "docker\n.dockerignore\nDockerfile*\n"),
            ("app.txt", "a"),
        ],
    );
    let opts = DockerBuildOptions {
        file: "docker/Dockerfile.prod".into(),
        ..Default::default()
    };
    let entries: Vec<String> = build_context(dir.path(), &opts)
        .unwrap()
        .into_iter()
        .map(|e| e.path)
        .collect();
    assert_eq!(
        entries,
        [".dockerignore", "app.txt", "docker/Dockerfile.prod"]
    );
    let h = fingerprint(dir.path(), &opts).unwrap();
    fs::write(dir.path().join("docker/Dockerfile.prod"), "FROM busybox\n").unwrap();
    assert_ne!(fingerprint(dir.path(), &opts).unwrap(), h);
}

#[test]
fn build_options_count() {
    let dir = app_dir();
    fs::write(
        dir.path().join("Dockerfile.dev"),
        "FROM scratch\nCOPY . /app\n",
    )
    .unwrap();
    let base = DockerBuildOptions::default();
    let h = fingerprint(dir.path(), &base).unwrap();
    let variants = [
        DockerBuildOptions {
            build_args: [("A".to_string(), "1".to_string())].into(),
            ..base.clone()
        },
        DockerBuildOptions {
            build_args: [("A".to_string(), "2".to_string())].into(),
            ..base.clone()
        },
        DockerBuildOptions {
            build_args: [("A1".to_string(), String::new())].into(),
            ..base.clone()
        },
        DockerBuildOptions {
            build_args: [
                ("A".to_string(), "1".to_string()),
                ("B".to_string(), "2".to_string()),
            ]
            .into(),
            ..base.clone()
        },
        DockerBuildOptions {
            target: Some("build".into()),
            ..base.clone()
        },
        DockerBuildOptions {
            target: Some("runtime".into()),
            ..base.clone()
        },
        DockerBuildOptions {
            platform: Some("linux/arm64".into()),
            ..base.clone()
        },
        DockerBuildOptions {
            platform: Some("linux/amd64".into()),
            ..base.clone()
        },
        DockerBuildOptions {
            file: "Dockerfile.dev".into(),
            ..base.clone()
        },
    ];
    let mut seen = vec![h.clone()];
    for v in &variants {
        let hv = fingerprint(dir.path(), v).unwrap();
        assert!(!seen.contains(&hv), "{v:?} collides");
        seen.push(hv);
    }
    // the same options give the same hash; a spelling of the Dockerfile name does not count
    assert_eq!(
        fingerprint(
            dir.path(),
            &DockerBuildOptions {
                file: "./Dockerfile".into(),
                ..base.clone()
            }
        )
        .unwrap(),
        h
    );
    // build arguments are a map: their insertion order does not matter
    let mut args = BTreeMap::new();
    args.insert("B".to_string(), "2".to_string());
    args.insert("A".to_string(), "1".to_string());
    assert_eq!(
        fingerprint(
            dir.path(),
            &DockerBuildOptions {
                build_args: args,
                ..base
            }
        )
        .unwrap(),
        seen[4]
    );
}

#[test]
fn errors_name_the_path() {
    let dir = app_dir();
    let opts = DockerBuildOptions::default();
    let missing = dir.path().join("nope");
    let err = fingerprint(&missing, &opts).unwrap_err();
    assert!(matches!(err, AssetError::DirectoryMissing { .. }));
    assert_eq!(
        err.to_string(),
        format!(
            "the image asset directory {} does not exist",
            missing.display()
        )
    );
    let file = dir.path().join("index.html");
    let err = fingerprint(&file, &opts).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "the image asset path {} is not a directory; give the directory that holds the Dockerfile",
            file.display()
        )
    );
    let err = fingerprint(dir.path().join("src").as_path(), &opts).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "there is no Dockerfile at {}; add one or name it with the `file` option",
            dir.path().join("src/Dockerfile").display()
        )
    );
    for file in ["../Dockerfile", "/etc/passwd", "src/../../x"] {
        let err = fingerprint(
            dir.path(),
            &DockerBuildOptions {
                file: file.into(),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "the Dockerfile {file} is outside the image asset directory {}; give a path inside it",
                dir.path().display()
            )
        );
    }
    // a directory named like the Dockerfile
    let err = fingerprint(
        dir.path(),
        &DockerBuildOptions {
            file: "src".into(),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(matches!(err, AssetError::DockerfileMissing { .. }), "{err}");
}

#[test]
fn staging_copies_exactly_the_counted_files() {
    let dir = app_dir();
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("asset.x");
    let h = stage(dir.path(), &DockerBuildOptions::default(), &dest).unwrap();
    assert_eq!(h, hash(dir.path()));
    let mut copied: Vec<String> = walkdir::WalkDir::new(&dest)
        .min_depth(1)
        .into_iter()
        .map(|e| {
            let e = e.unwrap();
            let rel = relative(&dest, e.path());
            if e.file_type().is_dir() {
                format!("{rel}/")
            } else {
                rel
            }
        })
        .collect();
    copied.sort();
    assert_eq!(copied, paths(dir.path()));
    assert_eq!(
        fs::read_to_string(dest.join("src/lib/util.rs")).unwrap(),
        "pub fn f() {}\n"
    );
    // the staged copy is a context with the same fingerprint
    assert_eq!(hash(&dest), h);
}

#[cfg(unix)]
mod symlinks {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_inside_the_context_are_followed() {
        let (a, b) = (app_dir(), app_dir());
        // `b` has a link where `a` has a copy: same content, same kind, same hash
        fs::write(a.path().join("page.html"), "<h1>hi</h1>\n").unwrap();
        symlink("index.html", b.path().join("page.html")).unwrap();
        fs::create_dir_all(a.path().join("lib/util.rs").parent().unwrap()).unwrap();
        fs::copy(
            a.path().join("src/lib/util.rs"),
            a.path().join("lib/util.rs"),
        )
        .unwrap();
        symlink("src/lib", b.path().join("lib")).unwrap();
        assert_eq!(hash(a.path()), hash(b.path()));
        // staging writes real files
        let out = tempfile::tempdir().unwrap();
        stage(
            b.path(),
            &DockerBuildOptions::default(),
            &out.path().join("s"),
        )
        .unwrap();
        let staged = out.path().join("s/page.html");
        assert!(!fs::symlink_metadata(&staged)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_to_string(staged).unwrap(), "<h1>hi</h1>\n");
    }

    #[test]
    fn links_outside_the_context_are_errors_unless_ignored() {
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("secret"), "s").unwrap();
        let dir = app_dir();
        let link = dir.path().join("src/secret");
        symlink(outside.path().join("secret"), &link).unwrap();
        let err = fingerprint(dir.path(), &DockerBuildOptions::default()).unwrap_err();
        assert!(
            matches!(err, AssetError::SymlinkOutsideContext { .. }),
            "{err}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "{} is a symbolic link to {}, outside the image asset directory {}; only files inside it can be part of the image",
                link.display(),
                fs::canonicalize(outside.path().join("secret")).unwrap().display(),
                dir.path().display()
            )
        );
        // a directory link, too
        fs::remove_file(&link).unwrap();
        symlink(outside.path(), dir.path().join("src/up")).unwrap();
        let err = fingerprint(dir.path(), &DockerBuildOptions::default()).unwrap_err();
        assert!(
            matches!(err, AssetError::SymlinkOutsideContext { .. }),
            "{err}"
        );
        // ignored: no error, and not counted
        let h = {
            fs::remove_file(dir.path().join("src/up")).unwrap();
            hash(dir.path())
        };
        symlink(outside.path(), dir.path().join("notes/up")).unwrap();
        symlink(outside.path().join("secret"), dir.path().join("x.log")).unwrap();
        assert_eq!(hash(dir.path()), h);
        // the Dockerfile itself
        let d2 = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("Dockerfile"), "FROM scratch\n").unwrap();
        symlink(
            outside.path().join("Dockerfile"),
            d2.path().join("Dockerfile"),
        )
        .unwrap();
        let err = fingerprint(d2.path(), &DockerBuildOptions::default()).unwrap_err();
        assert!(
            matches!(err, AssetError::DockerfileOutsideContext { .. }),
            "{err}"
        );
    }

    #[test]
    fn symlink_loops_are_errors() {
        // a link to an enclosing directory
        let dir = app_dir();
        let link = dir.path().join("src/lib/again");
        symlink("..", &link).unwrap();
        let err = fingerprint(dir.path(), &DockerBuildOptions::default()).unwrap_err();
        assert!(matches!(err, AssetError::SymlinkLoop { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            format!(
                "{} is a symbolic link loop (it resolves to itself or to a directory that contains it)",
                link.display()
            )
        );
        fs::remove_file(&link).unwrap();
        // two links pointing at each other
        symlink("b", dir.path().join("src/a")).unwrap();
        symlink("a", dir.path().join("src/b")).unwrap();
        let err = fingerprint(dir.path(), &DockerBuildOptions::default()).unwrap_err();
        assert!(matches!(err, AssetError::SymlinkLoop { .. }), "{err}");
        // ...unless ignored
        fs::write(dir.path().join(".dockerignore"), "src/a\nsrc/b\n").unwrap();
        fingerprint(dir.path(), &DockerBuildOptions::default()).unwrap();
    }

    #[test]
    fn a_link_to_nothing_is_unreadable() {
        let dir = app_dir();
        let link = dir.path().join("gone");
        symlink("nowhere", &link).unwrap();
        let err = fingerprint(dir.path(), &DockerBuildOptions::default()).unwrap_err();
        assert!(matches!(err, AssetError::Unreadable { .. }), "{err}");
        assert!(
            err.to_string()
                .starts_with(&format!("cannot read {}: ", link.display())),
            "{err}"
        );
    }
}
