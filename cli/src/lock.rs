//! `berth.lock`: the logical IDs of the app's stateful resources, committed with the
//! code, so that a change of one (a construct moved or renamed, which would make
//! CloudFormation delete the resource and its data) is an error of every command that
//! synthesizes, until `berth lock` acknowledges it.
//!
//! The file is optional: without it nothing is checked. `berth lock` writes it (sorted,
//! pretty JSON, so a review shows what changed).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::assembly::Assembly;
use crate::deploy::guard::stateful_loss;

/// The lock file's name, next to `berth.toml`.
pub const LOCK_FILE: &str = "berth.lock";

/// One locked resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Locked {
    /// Its logical ID.
    pub logical_id: String,
    /// Its type.
    #[serde(rename = "type")]
    pub resource_type: String,
}

/// The file: stack name → construct path → locked resource.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    /// What the file is (for a reader who finds it in a repository).
    #[serde(default)]
    pub about: String,
    /// The stateful resources by stack and construct path.
    #[serde(default)]
    pub stacks: BTreeMap<String, BTreeMap<String, Locked>>,
}

/// Why the app does not match its lock file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// The resource at this path has another logical ID now.
    Changed {
        /// The stack.
        stack: String,
        /// The construct path.
        path: String,
        /// The resource type.
        resource_type: String,
        /// The locked logical ID.
        locked: String,
        /// The app's logical ID.
        now: String,
    },
    /// Neither the path nor the logical ID is in the app any more.
    Gone {
        /// The stack.
        stack: String,
        /// The construct path.
        path: String,
        /// The resource type.
        resource_type: String,
        /// The locked logical ID.
        locked: String,
    },
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Drift::Changed {
                stack,
                path,
                resource_type,
                locked,
                now,
            } => write!(
                f,
                "{stack}: the logical ID of {path} ({resource_type}) changes from {locked} to {now}: \
                 CloudFormation would delete it with its data and create a new one; keep it with \
                 `app.override_logical_id(app.find({path:?}).unwrap(), {locked:?})?;`"
            ),
            Drift::Gone {
                stack,
                path,
                resource_type,
                locked,
            } => write!(
                f,
                "{stack}: {path} ({resource_type}, {locked}) is no longer in the app: a deploy \
                 deletes it with its data (if it moved, its new logical ID can be set back to \
                 {locked} with override_logical_id)"
            ),
        }
    }
}

impl Lock {
    /// The stateful resources of `assembly` (those with a construct path).
    pub fn of(assembly: &Assembly) -> Lock {
        let mut lock = Lock {
            about: "berth's lock of the logical IDs of stateful resources; commit it. A changed \
                    or missing entry stops every command until `berth lock` acknowledges it."
                .into(),
            stacks: BTreeMap::new(),
        };
        for s in &assembly.stacks {
            let mut entries = BTreeMap::new();
            for (id, r) in &s.template.resources {
                let (Some(path), Some(_)) = (r.construct_path(), stateful_loss(&r.kind)) else {
                    continue;
                };
                entries.insert(
                    path.to_string(),
                    Locked {
                        logical_id: id.clone(),
                        resource_type: r.kind.clone(),
                    },
                );
            }
            if !entries.is_empty() {
                lock.stacks.insert(s.stack_name.clone(), entries);
            }
        }
        lock
    }

    /// Where the lock file of a project in `dir` is.
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(LOCK_FILE)
    }

    /// Reads `dir/berth.lock`; `None` when there is none.
    pub fn read(dir: &Path) -> Result<Option<Lock>, String> {
        let path = Lock::path(dir);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| format!("{} is not a valid lock file: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// The file's text: pretty JSON, sorted, with a final newline.
    pub fn to_text(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// What in `assembly` no longer matches the lock. Stacks the app no longer has are
    /// left alone (destroying them is a separate, confirmed step); new resources are
    /// not drift.
    pub fn drift(&self, assembly: &Assembly) -> Vec<Drift> {
        let mut out = Vec::new();
        for (stack, entries) in &self.stacks {
            let Some(s) = assembly.stacks.iter().find(|a| &a.stack_name == stack) else {
                continue;
            };
            for (path, locked) in entries {
                let at_path = s
                    .template
                    .resources
                    .iter()
                    .find(|(_, r)| r.construct_path() == Some(path.as_str()));
                match at_path {
                    Some((id, _)) if id == &locked.logical_id => {}
                    Some((id, _)) => out.push(Drift::Changed {
                        stack: stack.clone(),
                        path: path.clone(),
                        resource_type: locked.resource_type.clone(),
                        locked: locked.logical_id.clone(),
                        now: id.clone(),
                    }),
                    // Moved in the tree but its logical ID kept (override_logical_id).
                    None if s.template.resources.contains_key(&locked.logical_id) => {}
                    None => out.push(Drift::Gone {
                        stack: stack.clone(),
                        path: path.clone(),
                        resource_type: locked.resource_type.clone(),
                        locked: locked.logical_id.clone(),
                    }),
                }
            }
        }
        out
    }
}
