//! Docker image assets: the fingerprint of a build context, and its staging into the
//! cloud assembly.
//!
//! An image asset is a directory with a Dockerfile. Its id, the *fingerprint*, is a
//! SHA-256 over what `docker build` would see, so the same inputs give the same id on
//! any machine and a change that cannot change the image (an ignored file, a file's
//! modification time) does not change it:
//!
//! - every entry of the directory that `.dockerignore` does not exclude, in the order of
//!   its relative path (with `/` separators): the path, whether it is a file or a
//!   directory, and for a file the SHA-256 of its bytes (symbolic links are followed;
//!   no modification times, permissions or absolute paths);
//! - the Dockerfile and `.dockerignore`, always (as Docker and CDK do), even when
//!   `.dockerignore` excludes them;
//! - the build options: the Dockerfile name, the build arguments (sorted), the target
//!   stage and the platform.
//!
//! `.dockerignore` follows Docker's rules (see [`DockerIgnore`]). A symbolic link that
//! resolves outside the directory, a symbolic link loop, a missing Dockerfile and an
//! unreadable file are errors ([`AssetError`]), each naming the path.
//!
//! Fingerprinting reads the directory: with [`stage`] (which synthesis calls to copy the
//! asset's files into a directory sink) it is the only I/O of this crate besides its
//! sink, and it runs when a construct registers the asset, not during
//! [`crate::synthesize::synthesize`].
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use berth_synth::asset::{fingerprint, DockerBuildOptions};
//!
//! let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("Dockerfile"), "FROM scratch\n")?;
//! std::fs::write(dir.path().join(".dockerignore"), "*.md\n")?;
//! let hash = fingerprint(dir.path(), &DockerBuildOptions::default())?;
//! assert_eq!(hash.len(), 64);
//! // an ignored file does not change it
//! std::fs::write(dir.path().join("NOTES.md"), "todo")?;
//! assert_eq!(fingerprint(dir.path(), &DockerBuildOptions::default())?, hash);
//! // a build argument does
//! let opts = DockerBuildOptions {
//!     build_args: [("VERSION".to_string(), "2".to_string())].into(),
//!     ..Default::default()
//! };
//! assert_ne!(fingerprint(dir.path(), &opts)?, hash);
//! # Ok(())
//! # }
//! ```

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The ECR repository image assets are pushed to: the one `berth bootstrap` creates with
/// the default toolkit stack name (`BerthToolkit`). Templates refer to an asset image as
/// `<account>.dkr.ecr.<region>.<url suffix>/berth-assets-berthtoolkit:<fingerprint>`.
pub const DEFAULT_ASSET_REPOSITORY: &str = "berth-assets-berthtoolkit";

/// The Dockerfile name used when none is given.
pub const DEFAULT_DOCKERFILE: &str = "Dockerfile";

/// The name of the ignore file at the root of a build context.
pub const DOCKERIGNORE: &str = ".dockerignore";

/// How an image is built from its directory; part of the fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DockerBuildOptions {
    /// The Dockerfile, relative to the directory. Default: `Dockerfile`.
    pub file: String,
    /// Build arguments (`--build-arg KEY=VALUE`). Default: none.
    pub build_args: BTreeMap<String, String>,
    /// The target stage of a multi-stage Dockerfile (`--target`). Default: the last.
    pub target: Option<String>,
    /// The platform to build for (`--platform`, e.g. `linux/arm64`). Default: the
    /// builder's.
    pub platform: Option<String>,
}

impl Default for DockerBuildOptions {
    fn default() -> Self {
        DockerBuildOptions {
            file: DEFAULT_DOCKERFILE.to_owned(),
            build_args: BTreeMap::new(),
            target: None,
            platform: None,
        }
    }
}

/// Why an asset directory cannot be fingerprinted or staged. Every message names the path.
#[derive(Debug, thiserror::Error)]
pub enum AssetError {
    /// The directory does not exist.
    #[error("the image asset directory {} does not exist", .path.display())]
    DirectoryMissing {
        /// The directory given.
        path: PathBuf,
    },
    /// The path is not a directory.
    #[error("the image asset path {} is not a directory; give the directory that holds the Dockerfile", .path.display())]
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },
    /// The Dockerfile does not exist in the directory.
    #[error("there is no Dockerfile at {}; add one or name it with the `file` option", .path.display())]
    DockerfileMissing {
        /// Where it was looked for.
        path: PathBuf,
    },
    /// The Dockerfile name points outside the directory.
    #[error("the Dockerfile {file} is outside the image asset directory {}; give a path inside it", .directory.display())]
    DockerfileOutsideContext {
        /// The asset directory.
        directory: PathBuf,
        /// The Dockerfile name given.
        file: String,
    },
    /// A symbolic link resolves outside the directory.
    #[error("{} is a symbolic link to {}, outside the image asset directory {}; only files inside it can be part of the image", .path.display(), .target.display(), .directory.display())]
    SymlinkOutsideContext {
        /// The link.
        path: PathBuf,
        /// What it resolves to.
        target: PathBuf,
        /// The asset directory.
        directory: PathBuf,
    },
    /// A symbolic link loops (to itself, or to a directory that contains it).
    #[error("{} is a symbolic link loop (it resolves to itself or to a directory that contains it)", .path.display())]
    SymlinkLoop {
        /// The link.
        path: PathBuf,
    },
    /// A file or directory cannot be read (including a link to nothing).
    #[error("cannot read {}: {source}", .path.display())]
    Unreadable {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// A line of `.dockerignore` is not a valid pattern.
    #[error("{}: {source}", .path.display())]
    IgnorePattern {
        /// The `.dockerignore` file.
        path: PathBuf,
        /// The line and the problem.
        source: InvalidPattern,
    },
    /// Staging the asset into the assembly failed.
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        /// The file or directory being written.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
}

/// A line of `.dockerignore` that is not a valid pattern.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: invalid pattern {pattern:?}: {message}")]
pub struct InvalidPattern {
    /// The line number, from 1.
    pub line: usize,
    /// The line as written.
    pub pattern: String,
    /// What is wrong.
    pub message: String,
}

/// The rules of a `.dockerignore` file, with Docker's semantics:
///
/// - one pattern a line; lines starting with `#` and blank lines are ignored; leading and
///   trailing white space is trimmed;
/// - patterns are relative to the root of the context: a leading `/` is dropped and the
///   path is cleaned (`./a//b/` is `a/b`);
/// - `*` matches any run of characters but `/`, `?` one character but `/`, `[...]` a
///   character class (`[^...]` negated), `**` any number of directories (`**/tmp`,
///   `docs/**`), `\` escapes; braces are literal;
/// - `!pattern` re-includes what an earlier pattern excluded;
/// - a pattern matches a path when it matches the path or one of its parent directories
///   (so `docs` excludes `docs/a/b`), and the last pattern that matches decides.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_synth::asset::DockerIgnore;
///
/// let rules = DockerIgnore::parse("# build output\n/build\n*.log\n**/tmp\ndocs/*.md\n!docs/keep.md\n")?;
/// assert!(rules.excludes("build/app.bin"));
/// assert!(rules.excludes("server.log"));
/// assert!(!rules.excludes("src/server.log")); // `*` does not cross `/`
/// assert!(rules.excludes("src/tmp/cache"));
/// assert!(rules.excludes("docs/guide.md"));
/// assert!(!rules.excludes("docs/keep.md"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct DockerIgnore {
    set: GlobSet,
    /// Per pattern: whether it re-includes (`!`).
    negated: Vec<bool>,
    /// Per re-including pattern: its literal prefix (up to the first special character).
    reinclude_prefixes: Vec<String>,
}

impl DockerIgnore {
    /// Parses the text of a `.dockerignore` file.
    pub fn parse(text: &str) -> Result<DockerIgnore, InvalidPattern> {
        let mut builder = GlobSetBuilder::new();
        let mut negated = Vec::new();
        let mut reinclude_prefixes = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = if i == 0 {
                raw.strip_prefix('\u{feff}').unwrap_or(raw)
            } else {
                raw
            };
            if line.starts_with('#') {
                continue;
            }
            let mut pattern = line.trim();
            if pattern.is_empty() {
                continue;
            }
            let invalid = |message: &str| InvalidPattern {
                line: i + 1,
                pattern: line.to_owned(),
                message: message.to_owned(),
            };
            let invert = pattern.starts_with('!');
            if invert {
                pattern = pattern[1..].trim();
                if pattern.is_empty() {
                    return Err(invalid(
                        "\"!\" needs a pattern to re-include, e.g. !docs/keep.md",
                    ));
                }
            }
            let mut cleaned = clean(pattern);
            if cleaned.len() > 1 && cleaned.starts_with('/') {
                cleaned.remove(0);
            }
            let glob = GlobBuilder::new(&to_glob(&cleaned))
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|e| invalid(&e.kind().to_string()))?;
            builder.add(glob);
            negated.push(invert);
            if invert {
                reinclude_prefixes.push(literal_prefix(&cleaned));
            }
        }
        let set = builder.build().map_err(|e| InvalidPattern {
            line: 0,
            pattern: String::new(),
            message: e.to_string(),
        })?;
        Ok(DockerIgnore {
            set,
            negated,
            reinclude_prefixes,
        })
    }

    /// Whether there are no patterns.
    pub fn is_empty(&self) -> bool {
        self.negated.is_empty()
    }

    /// Whether the file or directory at `path` (relative to the context root, with `/`
    /// separators) is excluded from the build context.
    pub fn excludes(&self, path: &str) -> bool {
        if self.is_empty() {
            return false;
        }
        let mut last = self.last_match(path, None);
        for (i, _) in path.match_indices('/') {
            last = self.last_match(&path[..i], last);
        }
        self.decides_excluded(last)
    }

    /// The index of the last pattern matching `path`, or `parent` if that is later.
    fn last_match(&self, path: &str, parent: Option<usize>) -> Option<usize> {
        if self.is_empty() {
            return None;
        }
        let own = self.set.matches(path).into_iter().max();
        own.max(parent)
    }

    fn decides_excluded(&self, last: Option<usize>) -> bool {
        last.is_some_and(|i| !self.negated[i])
    }

    /// Whether a re-including pattern could match something below the directory `dir`,
    /// so that an excluded directory must still be walked.
    fn may_reinclude_below(&self, dir: &str) -> bool {
        let dir_slash = format!("{dir}/");
        self.reinclude_prefixes
            .iter()
            .any(|p| p.starts_with(&dir_slash) || dir_slash.starts_with(p.as_str()))
    }
}

/// Go's `filepath.Clean` on a `/`-separated path: drops empty and `.` components,
/// resolves `..` lexically, removes the trailing `/`.
fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// A Docker pattern in globset's syntax: braces are literal in Docker.
fn to_glob(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            '{' | '}' if !in_class => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// The part of a pattern before its first special character.
fn literal_prefix(pattern: &str) -> String {
    let end = pattern.find(['*', '?', '[', '\\']).unwrap_or(pattern.len());
    pattern[..end].to_owned()
}

/// The kind of an entry of a build context.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// A regular file (or a symbolic link to one).
    File,
    /// A directory (or a symbolic link to one).
    Directory,
}

/// One entry of a build context, as counted by the fingerprint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextEntry {
    /// The path relative to the context root, with `/` separators.
    pub path: String,
    /// File or directory (after following symbolic links).
    pub kind: EntryKind,
    /// Where it is on disk (below the directory given).
    pub source: PathBuf,
}

/// The entries of the build context of `directory` that the fingerprint counts, sorted
/// by relative path: everything `.dockerignore` does not exclude, plus the Dockerfile
/// and `.dockerignore`.
pub fn build_context(
    directory: &Path,
    options: &DockerBuildOptions,
) -> Result<Vec<ContextEntry>, AssetError> {
    let meta = fs::metadata(directory).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => AssetError::DirectoryMissing {
            path: directory.to_path_buf(),
        },
        _ => AssetError::Unreadable {
            path: directory.to_path_buf(),
            source,
        },
    })?;
    if !meta.is_dir() {
        return Err(AssetError::NotADirectory {
            path: directory.to_path_buf(),
        });
    }
    let root = fs::canonicalize(directory).map_err(|source| AssetError::Unreadable {
        path: directory.to_path_buf(),
        source,
    })?;
    let dockerfile = dockerfile_path(directory, &root, &options.file)?;

    let ignore_path = directory.join(DOCKERIGNORE);
    let ignore = match fs::read(&ignore_path) {
        Ok(bytes) => DockerIgnore::parse(&String::from_utf8_lossy(&bytes)).map_err(|source| {
            AssetError::IgnorePattern {
                path: ignore_path.clone(),
                source,
            }
        })?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => DockerIgnore::default(),
        Err(source) => {
            return Err(AssetError::Unreadable {
                path: ignore_path,
                source,
            })
        }
    };
    let forced = |rel: &str| rel == dockerfile || rel == DOCKERIGNORE;
    let forced_below = |dir: &str| {
        let d = format!("{dir}/");
        dockerfile.starts_with(&d)
    };

    let mut entries = Vec::new();
    // The last matching pattern of each directory on the current walk path, by depth:
    // a pattern matching a directory matches everything below it.
    let mut matched: Vec<Option<usize>> = vec![None];
    let mut walk = walkdir::WalkDir::new(directory)
        .follow_links(true)
        .into_iter();
    while let Some(next) = walk.next() {
        let entry = match next {
            Ok(e) => e,
            Err(err) => {
                let path = err.path().unwrap_or(directory).to_path_buf();
                let depth = err.depth();
                // An error on an excluded entry does not matter.
                if depth > 0 {
                    let rel = relative(directory, &path);
                    let last = ignore.last_match(&rel, matched.get(depth - 1).copied().flatten());
                    if ignore.decides_excluded(last) && !forced(&rel) {
                        continue;
                    }
                }
                return Err(walk_error(err, path));
            }
        };
        let depth = entry.depth();
        if depth == 0 {
            continue;
        }
        let rel = relative(directory, entry.path());
        let last = ignore.last_match(&rel, matched.get(depth - 1).copied().flatten());
        let is_dir = entry.file_type().is_dir();
        if is_dir {
            matched.truncate(depth);
            matched.push(last);
        }
        let excluded = ignore.decides_excluded(last) && !forced(&rel);
        if entry.path_is_symlink() {
            let target =
                fs::canonicalize(entry.path()).map_err(|source| AssetError::Unreadable {
                    path: entry.path().to_path_buf(),
                    source,
                })?;
            if !target.starts_with(&root) {
                if excluded {
                    if is_dir {
                        walk.skip_current_dir();
                    }
                    continue;
                }
                return Err(AssetError::SymlinkOutsideContext {
                    path: entry.path().to_path_buf(),
                    target,
                    directory: directory.to_path_buf(),
                });
            }
        }
        if excluded {
            if is_dir && !ignore.may_reinclude_below(&rel) && !forced_below(&rel) {
                walk.skip_current_dir();
            }
            continue;
        }
        entries.push(ContextEntry {
            path: rel,
            kind: if is_dir {
                EntryKind::Directory
            } else {
                EntryKind::File
            },
            source: entry.into_path(),
        });
    }
    entries.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    Ok(entries)
}

/// The Dockerfile's path relative to the context, checked to be a file inside it.
fn dockerfile_path(directory: &Path, root: &Path, file: &str) -> Result<String, AssetError> {
    let outside = || AssetError::DockerfileOutsideContext {
        directory: directory.to_path_buf(),
        file: file.to_owned(),
    };
    let normalized = file.replace('\\', "/");
    if normalized.starts_with('/') || Path::new(file).is_absolute() {
        return Err(outside());
    }
    let rel = clean(&normalized);
    if rel == ".." || rel.starts_with("../") {
        return Err(outside());
    }
    let path = directory.join(&rel);
    match fs::metadata(&path) {
        Ok(m) if m.is_file() => {}
        _ => return Err(AssetError::DockerfileMissing { path }),
    }
    let resolved = fs::canonicalize(&path).map_err(|source| AssetError::Unreadable {
        path: path.clone(),
        source,
    })?;
    if !resolved.starts_with(root) {
        return Err(outside());
    }
    Ok(rel)
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut out = String::new();
    for c in rel.components() {
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str(&c.as_os_str().to_string_lossy());
    }
    out
}

fn walk_error(err: walkdir::Error, path: PathBuf) -> AssetError {
    if err.loop_ancestor().is_some() || is_symlink_cycle(&path) {
        return AssetError::SymlinkLoop { path };
    }
    let source = err
        .into_io_error()
        .unwrap_or_else(|| io::Error::other("cannot walk the directory"));
    AssetError::Unreadable { path, source }
}

/// Whether following the symbolic link at `path` comes back to a link already seen.
fn is_symlink_cycle(path: &Path) -> bool {
    let mut seen = HashSet::new();
    let mut cur = path.to_path_buf();
    for _ in 0..64 {
        match fs::symlink_metadata(&cur) {
            Ok(m) if m.file_type().is_symlink() => {}
            _ => return false,
        }
        if !seen.insert(cur.clone()) {
            return true;
        }
        let Ok(target) = fs::read_link(&cur) else {
            return false;
        };
        cur = match cur.parent() {
            Some(parent) => parent.join(target),
            None => target,
        };
    }
    true
}

/// The fingerprint of the image asset in `directory` built with `options`: 64
/// lower-case hex digits (see the [module documentation](self) for what counts).
pub fn fingerprint(directory: &Path, options: &DockerBuildOptions) -> Result<String, AssetError> {
    let entries = build_context(directory, options)?;
    hash_entries(&entries, options, |e| {
        let mut file = fs::File::open(&e.source).map_err(|source| AssetError::Unreadable {
            path: e.source.clone(),
            source,
        })?;
        let mut h = Sha256::new();
        io::copy(&mut file, &mut h).map_err(|source| AssetError::Unreadable {
            path: e.source.clone(),
            source,
        })?;
        Ok(h.finalize().into())
    })
}

/// Copies the build context of `directory` (the entries of [`build_context`]) into
/// `destination`, keeping relative paths and following symbolic links, and returns the
/// fingerprint of what was copied.
pub fn stage(
    directory: &Path,
    options: &DockerBuildOptions,
    destination: &Path,
) -> Result<String, AssetError> {
    let entries = build_context(directory, options)?;
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| AssetError::Write { path, source }
    };
    fs::create_dir_all(destination).map_err(write_err(destination))?;
    hash_entries(&entries, options, |e| {
        let to = destination.join(&e.path);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).map_err(write_err(parent))?;
        }
        let read_err = |source| AssetError::Unreadable {
            path: e.source.clone(),
            source,
        };
        let mut from = fs::File::open(&e.source).map_err(read_err)?;
        let permissions = from.metadata().map_err(read_err)?.permissions();
        let out = fs::File::create(&to).map_err(write_err(&to))?;
        let mut tee = Tee {
            file: out,
            hash: Sha256::new(),
        };
        // Read and write errors are told apart by where they come from.
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match io::Read::read(&mut from, &mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(read_err(e)),
            };
            tee.write_all(&buf[..n]).map_err(write_err(&to))?;
        }
        tee.file.flush().map_err(write_err(&to))?;
        fs::set_permissions(&to, permissions).map_err(write_err(&to))?;
        Ok(tee.hash.finalize().into())
    })
    .and_then(|hash| {
        for e in entries.iter().filter(|e| e.kind == EntryKind::Directory) {
            let to = destination.join(&e.path);
            fs::create_dir_all(&to).map_err(write_err(&to))?;
        }
        Ok(hash)
    })
}

struct Tee {
    file: fs::File,
    hash: Sha256,
}

impl Write for Tee {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Format version of the fingerprint: bump it when what is hashed changes.
const FINGERPRINT_VERSION: &[u8] = b"berth.docker-image-asset.v1";

fn hash_entries(
    entries: &[ContextEntry],
    options: &DockerBuildOptions,
    mut file_digest: impl FnMut(&ContextEntry) -> Result<[u8; 32], AssetError>,
) -> Result<String, AssetError> {
    fn put(h: &mut Sha256, tag: u8, bytes: &[u8]) {
        h.update([tag]);
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    }
    let mut h = Sha256::new();
    put(&mut h, b'V', FINGERPRINT_VERSION);
    for e in entries {
        match e.kind {
            EntryKind::Directory => put(&mut h, b'd', e.path.as_bytes()),
            EntryKind::File => {
                put(&mut h, b'f', e.path.as_bytes());
                h.update(file_digest(e)?);
            }
        }
    }
    let file = clean(&options.file.replace('\\', "/"));
    put(&mut h, b'D', file.as_bytes());
    for (k, v) in &options.build_args {
        put(&mut h, b'A', k.as_bytes());
        put(&mut h, b'a', v.as_bytes());
    }
    if let Some(t) = &options.target {
        put(&mut h, b'T', t.as_bytes());
    }
    if let Some(p) = &options.platform {
        put(&mut h, b'P', p.as_bytes());
    }
    let digest = h.finalize();
    let mut hex = String::with_capacity(64);
    for b in digest {
        use std::fmt::Write as _;
        let _ = write!(hex, "{b:02x}");
    }
    Ok(hex)
}

/// The Dockerfile name as written in the asset manifest (cleaned, `/` separators).
pub fn dockerfile_name(options: &DockerBuildOptions) -> String {
    clean(&options.file.replace('\\', "/"))
}

#[cfg(test)]
mod tests;
