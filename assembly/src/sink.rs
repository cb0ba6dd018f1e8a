//! Where synthesis puts the files of a cloud assembly: the [`Sink`] trait, a
//! directory ([`DirSink`], what `berth::run` and `berth synth` write) and memory
//! ([`MemorySink`], what `App::synth`, tests and assertions read).

use crate::manifest::MANIFEST_FILE;
use crate::paths::{self, OutputProblem, PreviousAssembly};
use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The assembly could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// A file or directory could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: io::Error,
    },
    /// The output directory is not one an assembly may be written into (it holds files
    /// that are not a cloud assembly, or is not a directory); nothing was written or
    /// removed.
    #[error("refusing to write the cloud assembly to {}: {problem}", path.display())]
    Refused {
        /// The directory.
        path: PathBuf,
        /// Why.
        problem: OutputProblem,
    },
}

fn error(path: &Path) -> impl FnOnce(io::Error) -> SinkError + '_ {
    move |source| SinkError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What writes a file's content: called once with the file's writer.
pub type Fill<'f> = dyn FnMut(&mut dyn Write) -> io::Result<()> + 'f;

/// Where the files of one cloud assembly go. Names are relative to the assembly's
/// root (`manifest.json`, `Web.template.json`). Synthesis calls it from several
/// threads, never twice at once for one file.
pub trait Sink: Sync {
    /// Creates the file `name` (replacing one of that name) with what `fill` writes.
    fn write(&self, name: &str, fill: &mut Fill<'_>) -> Result<(), SinkError>;

    /// Appends what `fill` writes to the file `name` (written before).
    fn append(&self, name: &str, fill: &mut Fill<'_>) -> Result<(), SinkError>;

    /// A new, empty directory `name` of the assembly to copy files into (an image
    /// asset's build context), or `None` for a sink that keeps no directories.
    fn directory(&self, name: &str) -> Result<Option<PathBuf>, SinkError>;

    /// Creates the file `name` holding `bytes`.
    fn write_bytes(&self, name: &str, bytes: &[u8]) -> Result<(), SinkError> {
        self.write(name, &mut |w| w.write_all(bytes))
    }
}

/// The assembly as files in memory, by name.
#[derive(Debug, Default)]
pub struct MemorySink {
    files: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl MemorySink {
    /// An empty assembly.
    pub fn new() -> Self {
        Self::default()
    }

    /// The files written, by name.
    pub fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.files.into_inner().expect("no writer panicked")
    }

    fn files(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Vec<u8>>> {
        self.files.lock().expect("no writer panicked")
    }
}

impl Sink for MemorySink {
    fn write(&self, name: &str, fill: &mut Fill<'_>) -> Result<(), SinkError> {
        let mut bytes = Vec::new();
        fill(&mut bytes).map_err(error(Path::new(name)))?;
        self.files().insert(name.to_owned(), bytes);
        Ok(())
    }

    fn append(&self, name: &str, fill: &mut Fill<'_>) -> Result<(), SinkError> {
        let mut bytes = Vec::new();
        fill(&mut bytes).map_err(error(Path::new(name)))?;
        self.files()
            .entry(name.to_owned())
            .or_default()
            .extend_from_slice(&bytes);
        Ok(())
    }

    fn directory(&self, _name: &str) -> Result<Option<PathBuf>, SinkError> {
        Ok(None)
    }
}

/// The assembly as a directory, written into a fresh staging directory first and put
/// in place by [`DirSink::commit`], so that a failed synthesis never leaves a
/// half-written assembly behind: dropped without a commit, the staging directory is
/// removed and the directory stays as it was.
///
/// The directory must be absent, empty, or hold a previous cloud assembly (see
/// [`paths::inspect_output`]); anything else is refused before anything is touched.
/// When it is absent, the staging directory is its sibling and is renamed into place.
/// When it exists, the staging directory is made inside it (same file system, nothing
/// written beside it); committing removes the entries the previous assembly holds and
/// moves the new ones in, `manifest.json` last. Entries the previous assembly does not
/// account for (a user's own files) are left alone, and a new entry that would replace
/// one of them is refused.
#[derive(Debug)]
pub struct DirSink {
    dir: PathBuf,
    staging: PathBuf,
    /// What the directory holds of a previous assembly, if it exists.
    previous: Option<PreviousAssembly>,
    exists: bool,
    committed: bool,
}

/// The name prefix of the staging directory made inside an existing output directory
/// (a leftover of a killed synth is removed by the next one).
const STAGING_PREFIX: &str = ".berth-staging-";

impl DirSink {
    /// Starts an assembly that will replace `dir` (refused when `dir` holds anything but
    /// a previous assembly).
    pub fn create(dir: &Path) -> Result<DirSink, SinkError> {
        let previous = paths::inspect_output(dir).map_err(|problem| SinkError::Refused {
            path: dir.to_path_buf(),
            problem,
        })?;
        let exists = dir.exists();
        let staging = if exists {
            dir.join(format!("{STAGING_PREFIX}{}", std::process::id()))
        } else {
            let parent = match dir.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            fs::create_dir_all(&parent).map_err(error(&parent))?;
            let name = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "berth.out".into());
            parent.join(format!(".{name}.tmp-{}", std::process::id()))
        };
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(error(&staging))?;
        }
        fs::create_dir_all(&staging).map_err(error(&staging))?;
        Ok(DirSink {
            dir: dir.to_path_buf(),
            staging,
            previous,
            exists,
            committed: false,
        })
    }

    /// The directory the assembly replaces.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Puts the assembly in place.
    pub fn commit(mut self) -> Result<(), SinkError> {
        if self.exists {
            let previous = self.previous.take().unwrap_or_default();
            move_into(&self.dir, &self.staging, &previous)?;
        } else {
            fs::rename(&self.staging, &self.dir).map_err(error(&self.dir))?;
        }
        self.committed = true;
        Ok(())
    }

    fn open(&self, name: &str, append: bool) -> Result<(PathBuf, fs::File), SinkError> {
        let path = self.staging.join(name);
        let file = fs::OpenOptions::new()
            .write(true)
            .create(!append)
            .truncate(!append)
            .append(append)
            .open(&path)
            .map_err(error(&path))?;
        Ok((path, file))
    }

    fn fill(&self, name: &str, append: bool, fill: &mut Fill<'_>) -> Result<(), SinkError> {
        let (path, file) = self.open(name, append)?;
        // Manifests and trees of large apps are megabytes: written through a buffer,
        // never held whole.
        let mut w = io::BufWriter::with_capacity(1 << 16, file);
        fill(&mut w).and_then(|()| w.flush()).map_err(error(&path))
    }
}

impl Sink for DirSink {
    fn write(&self, name: &str, fill: &mut Fill<'_>) -> Result<(), SinkError> {
        self.fill(name, false, fill)
    }

    fn append(&self, name: &str, fill: &mut Fill<'_>) -> Result<(), SinkError> {
        self.fill(name, true, fill)
    }

    fn directory(&self, name: &str) -> Result<Option<PathBuf>, SinkError> {
        Ok(Some(self.staging.join(name)))
    }
}

/// Replaces the entries of `dir` that `previous` holds with the entries of `staging`,
/// `manifest.json` last, then removes `staging`.
fn move_into(dir: &Path, staging: &Path, previous: &PreviousAssembly) -> Result<(), SinkError> {
    let staging_name = staging
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let owned = |name: &str| {
        previous.entries.iter().any(|e| e == name)
            || (name.starts_with(STAGING_PREFIX) && Some(name) != staging_name.as_deref())
    };
    let mut new: Vec<String> = fs::read_dir(staging)
        .and_then(|it| {
            it.map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
                .collect()
        })
        .map_err(error(staging))?;
    new.sort();
    // Refuse before changing anything: a new entry must not replace a file of the user's.
    let clashes: Vec<String> = new
        .iter()
        .filter(|n| !owned(n) && fs::symlink_metadata(dir.join(n)).is_ok())
        .cloned()
        .collect();
    if !clashes.is_empty() {
        return Err(SinkError::Refused {
            path: dir.to_path_buf(),
            problem: OutputProblem::WouldReplace(clashes),
        });
    }
    let leftovers = fs::read_dir(dir)
        .map_err(error(dir))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(STAGING_PREFIX) && Some(n.as_str()) != staging_name.as_deref());
    let old: Vec<String> = previous
        .entries
        .iter()
        .filter(|n| n.as_str() != MANIFEST_FILE)
        .cloned()
        .chain(leftovers)
        .collect();
    for name in &old {
        remove_entry(&dir.join(name))?;
    }
    for name in new.iter().filter(|n| n.as_str() != MANIFEST_FILE) {
        let to = dir.join(name);
        fs::rename(staging.join(name), &to).map_err(error(&to))?;
    }
    let manifest = dir.join(MANIFEST_FILE);
    if new.iter().any(|n| n == MANIFEST_FILE) {
        fs::rename(staging.join(MANIFEST_FILE), &manifest).map_err(error(&manifest))?;
    }
    fs::remove_dir(staging).map_err(error(staging))
}

/// Removes a file, a symbolic link (never what it points to) or a directory tree.
fn remove_entry(path: &Path) -> Result<(), SinkError> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(error(path)(e)),
    };
    if meta.is_dir() {
        fs::remove_dir_all(path).map_err(error(path))
    } else {
        fs::remove_file(path).map_err(error(path))
    }
}

impl Drop for DirSink {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dir_sink_puts_the_assembly_in_place_only_when_committed() {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("berth.out");
        let names = |d: &Path| {
            let mut v: Vec<String> = fs::read_dir(d)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        let sink = DirSink::create(&dir).unwrap();
        sink.write_bytes("a.json", b"1").unwrap();
        drop(sink);
        assert!(!dir.exists(), "an uncommitted sink leaves nothing");
        assert!(names(parent.path()).is_empty());

        for content in [&b"1"[..], b"3"] {
            let sink = DirSink::create(&dir).unwrap();
            sink.write_bytes("a.json", content).unwrap();
            sink.append("a.json", &mut |w| w.write_all(b"2")).unwrap();
            // A directory of the assembly is made inside the staging directory.
            let asset = sink.directory("asset.x").unwrap().unwrap();
            assert!(!asset.starts_with(&dir) || dir.exists());
            let manifest = r#"{"version": "55.0.0", "artifacts": {"A": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "a.json"}}}}"#;
            sink.write_bytes("manifest.json", manifest.as_bytes())
                .unwrap();
            sink.commit().unwrap();
            assert_eq!(
                fs::read(dir.join("a.json")).unwrap(),
                [content, b"2"].concat()
            );
            assert_eq!(names(&dir), ["a.json", "manifest.json"]);
            assert_eq!(names(parent.path()), ["berth.out"]);
        }
        // A directory of other files is refused, and left as it was.
        let other = parent.path().join("mine");
        fs::create_dir(&other).unwrap();
        fs::write(other.join("notes.md"), "mine").unwrap();
        let err = DirSink::create(&other).unwrap_err();
        assert!(matches!(err, SinkError::Refused { .. }), "{err}");
        assert_eq!(names(&other), ["notes.md"]);
    }

    #[test]
    fn a_memory_sink_keeps_the_files() {
        let sink = MemorySink::new();
        sink.write_bytes("a.json", b"1").unwrap();
        sink.append("a.json", &mut |w| w.write_all(b"2")).unwrap();
        assert!(sink.directory("asset.x").unwrap().is_none());
        assert_eq!(sink.into_files()["a.json"], b"12");
    }
}
