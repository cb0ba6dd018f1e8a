//! Paths inside a cloud assembly: the one check every reader and writer of an assembly
//! applies to a path that `manifest.json` or an asset manifest names, and the rule of
//! what a previous assembly holds (what synth may replace).
//!
//! A path named by an assembly file is relative to the assembly directory and must stay
//! inside it: no absolute paths, no `..`, no symbolic link that leads out of it, and it
//! must be what it claims to be (a regular file for templates and manifests, a
//! directory for build contexts), so that a corrupted or hostile assembly can neither
//! make the CLI read `/etc/passwd` or `/dev/zero`, nor make `publish` build an image
//! from `/etc`, nor make synth delete a file outside the assembly.

use std::fmt;
use std::path::{Component, Path, PathBuf};

/// What a path of an assembly must name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A regular file (not a directory, device, socket or pipe).
    File,
    /// A directory.
    Directory,
}

impl Entry {
    fn noun(self) -> &'static str {
        match self {
            Entry::File => "a regular file",
            Entry::Directory => "a directory",
        }
    }
}

/// Why a path named by an assembly cannot be used.
#[derive(Debug)]
pub enum PathProblem {
    /// The path is empty.
    Empty,
    /// The path is absolute.
    Absolute,
    /// The path has a `..` component.
    Parent,
    /// The path does not exist (or cannot be resolved).
    Missing(std::io::Error),
    /// The path resolves (through symbolic links) to a place outside the directory.
    Escapes(PathBuf),
    /// The path exists but is not what it must be.
    WrongKind {
        /// What it must be.
        expected: Entry,
    },
}

impl fmt::Display for PathProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathProblem::Empty => f.write_str("the path is empty"),
            PathProblem::Absolute => f.write_str("absolute paths are not allowed"),
            PathProblem::Parent => f.write_str("`..` is not allowed"),
            PathProblem::Missing(e) => write!(f, "{e}"),
            PathProblem::Escapes(to) => write!(f, "it leads outside, to {}", to.display()),
            PathProblem::WrongKind { expected } => write!(f, "it is not {}", expected.noun()),
        }
    }
}

/// Checks the form of `relative` without touching the file system: not empty, not
/// absolute, no `..` component. Returns its normal components joined.
///
/// ```
/// use berth_assembly::paths::check_relative;
/// assert!(check_relative("Web.template.json").is_ok());
/// assert!(check_relative("asset.ab/Dockerfile").is_ok());
/// assert!(check_relative("../outside.template.json").is_err());
/// assert!(check_relative("/etc/passwd").is_err());
/// assert!(check_relative("").is_err());
/// ```
pub fn check_relative(relative: &str) -> Result<PathBuf, PathProblem> {
    if relative.is_empty() {
        return Err(PathProblem::Empty);
    }
    let mut out = PathBuf::new();
    for c in Path::new(relative).components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::CurDir => {}
            Component::ParentDir => return Err(PathProblem::Parent),
            Component::RootDir | Component::Prefix(_) => return Err(PathProblem::Absolute),
        }
    }
    if out.as_os_str().is_empty() {
        return Err(PathProblem::Empty);
    }
    Ok(out)
}

/// Resolves `relative` against `root` and checks that it stays inside `root` (after
/// following symbolic links) and is an `entry`. Returns the resolved (canonical) path.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_assembly::paths::{resolve_inside, Entry};
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("App.template.json"), "{}")?;
/// assert!(resolve_inside(dir.path(), "App.template.json", Entry::File).is_ok());
/// assert!(resolve_inside(dir.path(), "App.template.json", Entry::Directory).is_err());
/// assert!(resolve_inside(dir.path(), "../App.template.json", Entry::File).is_err());
/// assert!(resolve_inside(dir.path(), "Missing.template.json", Entry::File).is_err());
/// # Ok(())
/// # }
/// ```
pub fn resolve_inside(root: &Path, relative: &str, entry: Entry) -> Result<PathBuf, PathProblem> {
    let rel = check_relative(relative)?;
    let root = root.canonicalize().map_err(PathProblem::Missing)?;
    let resolved = root
        .join(rel)
        .canonicalize()
        .map_err(PathProblem::Missing)?;
    if !resolved.starts_with(&root) {
        return Err(PathProblem::Escapes(resolved));
    }
    let meta = std::fs::metadata(&resolved).map_err(PathProblem::Missing)?;
    let ok = match entry {
        Entry::File => meta.is_file(),
        Entry::Directory => meta.is_dir(),
    };
    if !ok {
        return Err(PathProblem::WrongKind { expected: entry });
    }
    Ok(resolved)
}

/// The first component of a checked relative path: the entry of the assembly
/// directory it lives in (`asset.ab12/Dockerfile` → `asset.ab12`).
fn top_entry(relative: &str) -> Option<String> {
    let rel = check_relative(relative).ok()?;
    rel.components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
}

/// What a previous cloud assembly in a directory holds: the names of the directory's
/// entries that its `manifest.json` accounts for.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PreviousAssembly {
    /// Entry names (files and directories directly in the assembly directory), sorted.
    pub entries: Vec<String>,
}

/// Why a directory cannot be used as synth's output.
#[derive(Debug)]
pub enum OutputProblem {
    /// The path is a symbolic link.
    Symlink(PathBuf),
    /// The path exists and is not a directory.
    NotADirectory,
    /// The directory holds files and no cloud assembly (`manifest.json`) of berth or CDK.
    NotAnAssembly {
        /// Some of what it holds (at most five names, sorted).
        holds: Vec<String>,
        /// How many entries it holds in all.
        count: usize,
    },
    /// Its `manifest.json` is not a cloud assembly manifest.
    BadManifest(String),
    /// The previous assembly's manifest names a path outside the directory.
    UnsafePath {
        /// The path as written.
        path: String,
        /// Why it is refused.
        problem: PathProblem,
    },
    /// A new entry would replace a file or directory the previous assembly does not
    /// account for.
    WouldReplace(Vec<String>),
    /// The directory could not be read.
    Io(std::io::Error),
}

impl fmt::Display for OutputProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputProblem::Symlink(to) => write!(
                f,
                "it is a symbolic link (to {}); give the directory itself",
                to.display()
            ),
            OutputProblem::NotADirectory => f.write_str("it exists and is not a directory"),
            OutputProblem::NotAnAssembly { holds, count } => {
                write!(
                    f,
                    "it is not empty and holds no cloud assembly (no manifest.json); it holds {}",
                    holds.join(", ")
                )?;
                if *count > holds.len() {
                    write!(f, " and {} more", count - holds.len())?;
                }
                f.write_str(
                    ". berth writes only into an empty or new directory, or over an assembly it \
                     or CDK wrote: choose another output directory (e.g. berth.out)",
                )
            }
            OutputProblem::BadManifest(why) => write!(
                f,
                "its manifest.json is not a cloud assembly manifest ({why}); remove the directory \
                 or choose another output directory"
            ),
            OutputProblem::UnsafePath { path, problem } => write!(
                f,
                "the previous assembly's manifest names `{path}`, which berth will not remove: {problem}"
            ),
            OutputProblem::WouldReplace(names) => write!(
                f,
                "the new assembly would replace {}, which the previous assembly's manifest does \
                 not name; move it away or choose another output directory",
                names.join(", ")
            ),
            OutputProblem::Io(e) => write!(f, "{e}"),
        }
    }
}

/// Looks at `dir` before synth writes an assembly there: `Ok(None)` when it does not
/// exist or is empty, `Ok(Some(previous))` when it holds a cloud assembly (a
/// `manifest.json` with a `version` and `artifacts`, as berth and CDK write it; what it
/// holds is read from the manifest and its asset manifests), an error otherwise.
/// Reads only; never changes anything.
pub fn inspect_output(dir: &Path) -> Result<Option<PreviousAssembly>, OutputProblem> {
    let meta = match std::fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(OutputProblem::Io(e)),
    };
    if meta.file_type().is_symlink() {
        let to = std::fs::read_link(dir).unwrap_or_default();
        return Err(OutputProblem::Symlink(to));
    }
    if !meta.is_dir() {
        return Err(OutputProblem::NotADirectory);
    }
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(OutputProblem::Io)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()
        .map_err(OutputProblem::Io)?;
    if names.is_empty() {
        return Ok(None);
    }
    names.sort();
    let manifest_path = dir.join("manifest.json");
    let is_manifest = std::fs::symlink_metadata(&manifest_path)
        .map(|m| m.is_file())
        .unwrap_or(false);
    if !is_manifest {
        let count = names.len();
        names.truncate(5);
        return Err(OutputProblem::NotAnAssembly {
            holds: names,
            count,
        });
    }
    let manifest = read_json(&manifest_path).map_err(OutputProblem::BadManifest)?;
    let (Some(_), Some(artifacts)) = (
        manifest.get("version").and_then(|v| v.as_str()),
        manifest.get("artifacts").and_then(|v| v.as_object()),
    ) else {
        return Err(OutputProblem::BadManifest(
            "it has no `version` string and `artifacts` object".into(),
        ));
    };
    let mut owned = std::collections::BTreeSet::new();
    owned.insert("manifest.json".to_owned());
    owned.insert("cdk.out".to_owned());
    let mut claim = |path: &str| -> Result<Option<String>, OutputProblem> {
        check_relative(path).map_err(|problem| OutputProblem::UnsafePath {
            path: path.to_owned(),
            problem,
        })?;
        let top = top_entry(path);
        if let Some(t) = &top {
            owned.insert(t.clone());
        }
        Ok(top)
    };
    for artifact in artifacts.values() {
        let props = artifact.get("properties");
        let field = |k: &str| props.and_then(|p| p.get(k)).and_then(|v| v.as_str());
        if let Some(t) = field("templateFile") {
            claim(t)?;
        }
        if let Some(file) = field("file") {
            claim(file)?;
            let is_assets =
                artifact.get("type").and_then(|t| t.as_str()) == Some("cdk:asset-manifest");
            if is_assets {
                // The build contexts and files an asset manifest names live beside it.
                if let Ok(assets) = read_json(&dir.join(file)) {
                    for section in ["dockerImages", "files"] {
                        let Some(items) = assets.get(section).and_then(|v| v.as_object()) else {
                            continue;
                        };
                        for item in items.values() {
                            let source = item.get("source");
                            let dir_or_path = source
                                .and_then(|s| s.get("directory").or_else(|| s.get("path")))
                                .and_then(|v| v.as_str());
                            if let Some(p) = dir_or_path {
                                claim(p)?;
                            }
                        }
                    }
                }
            }
        }
    }
    let entries = names.into_iter().filter(|n| owned.contains(n)).collect();
    Ok(Some(PreviousAssembly { entries }))
}

fn read_json(path: &Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| e.to_string())
}
