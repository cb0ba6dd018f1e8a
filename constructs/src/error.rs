//! Errors raised while building the construct tree.

use std::fmt;

/// A problem found while building the tree: it names the construct path and, where it
/// applies, the property.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstructError {
    /// The construct path (of the construct, or of the scope a child was added to).
    pub path: String,
    /// The property, where it applies (`ContainerDefinitions[0].Memory`, `max_azs`).
    pub property: Option<String>,
    /// What went wrong.
    pub kind: ErrorKind,
}

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A child with this id exists already in the scope.
    DuplicateId(String),
    /// Construct ids cannot be empty.
    EmptyId,
    /// The id contains a character that is not allowed.
    InvalidId {
        /// The id given.
        id: String,
        /// Why it is not allowed.
        reason: String,
    },
    /// The tree is locked: synthesis has started.
    Locked,
    /// The construct cannot be placed in this scope.
    WrongScope(String),
    /// A property has a value that is not allowed.
    InvalidValue(String),
    /// The node is not of the expected kind.
    WrongKind {
        /// What was expected.
        expected: &'static str,
        /// What it is.
        found: &'static str,
    },
}

impl ConstructError {
    /// An error at a path.
    pub fn new(path: impl Into<String>, kind: ErrorKind) -> Self {
        ConstructError {
            path: path.into(),
            property: None,
            kind,
        }
    }

    /// An invalid property value at a path.
    pub fn invalid(
        path: impl Into<String>,
        property: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ConstructError {
            path: path.into(),
            property: Some(property.into()),
            kind: ErrorKind::InvalidValue(message.into()),
        }
    }
}

impl fmt::Display for ConstructError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.path.is_empty(), &self.property) {
            // A value checked before it reached a construct (`FargateSize::new(..)?`).
            (true, Some(_)) => {}
            (true, None) => write!(f, "(app): ")?,
            (false, _) => write!(f, "{}: ", self.path)?,
        }
        if let Some(p) = &self.property {
            write!(f, "{p}: ")?;
        }
        write!(f, "{}", self.kind)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::DuplicateId(id) => write!(
                f,
                "there is already a construct with id \"{id}\" in this scope; ids must be unique among siblings"
            ),
            ErrorKind::EmptyId => write!(f, "construct ids cannot be empty"),
            ErrorKind::InvalidId { id, reason } => write!(f, "invalid construct id \"{id}\": {reason}"),
            ErrorKind::Locked => write!(
                f,
                "cannot add to the tree: it is locked because synthesis has started"
            ),
            ErrorKind::WrongScope(m) | ErrorKind::InvalidValue(m) => write!(f, "{m}"),
            ErrorKind::WrongKind { expected, found } => {
                write!(f, "expected a {expected}, but this is a {found}")
            }
        }
    }
}

impl std::error::Error for ConstructError {}

/// `FargateSize::new(cpu, memory)?` in a function that returns a [`ConstructError`]:
/// the error names the property (`size`) and lists the valid sizes.
impl From<crate::ecs::InvalidFargateSize> for ConstructError {
    fn from(e: crate::ecs::InvalidFargateSize) -> Self {
        ConstructError {
            path: String::new(),
            property: Some("size".into()),
            kind: ErrorKind::InvalidValue(e.to_string()),
        }
    }
}

/// A construct error as a synth error (`BERTH-E0001`, with its path), so that a
/// function building an app and synthesizing it has one error type:
/// `let mut app = build()?; app.synth()`.
impl From<ConstructError> for berth_synth::SynthError {
    fn from(e: ConstructError) -> Self {
        let mut d = berth_synth::Diagnostic::error("BERTH-E0001", e.path, e.kind.to_string());
        if let Some(p) = e.property {
            d = d.with_property(p);
        }
        berth_synth::SynthError::Invalid(vec![d])
    }
}

/// Result of tree operations.
pub type Result<T, E = ConstructError> = std::result::Result<T, E>;
