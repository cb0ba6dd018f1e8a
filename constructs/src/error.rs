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
        let path = if self.path.is_empty() {
            "(app)"
        } else {
            &self.path
        };
        write!(f, "{path}: ")?;
        if let Some(p) = &self.property {
            write!(f, "{p}: ")?;
        }
        match &self.kind {
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

/// Result of tree operations.
pub type Result<T, E = ConstructError> = std::result::Result<T, E>;
