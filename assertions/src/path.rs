//! Paths into a JSON value, rendered as JSON pointers (`/Properties/PortMappings/0/ContainerPort`).

use std::fmt;

/// One step of a [`ValuePath`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    /// A key of an object.
    Key(String),
    /// An index into an array.
    Index(usize),
    /// The JSON document parsed out of a string by [`Match::serialized_json`](crate::Match::serialized_json).
    Json,
}

/// Where in a template (or in a value) a mismatch was found.
///
/// Displayed as a JSON pointer such as `/Properties/PortMappings/0/ContainerPort`; the root is `/`.
/// A step into the JSON document held in a string (see
/// [`Match::serialized_json`](crate::Match::serialized_json)) is shown as `(json)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValuePath {
    segments: Vec<Segment>,
}

impl ValuePath {
    pub(crate) fn root() -> Self {
        Self::default()
    }

    pub(crate) fn key(&self, key: &str) -> Self {
        let mut segments = self.segments.clone();
        segments.push(Segment::Key(key.to_owned()));
        Self { segments }
    }

    pub(crate) fn index(&self, index: usize) -> Self {
        let mut segments = self.segments.clone();
        segments.push(Segment::Index(index));
        Self { segments }
    }

    pub(crate) fn json(&self) -> Self {
        let mut segments = self.segments.clone();
        segments.push(Segment::Json);
        Self { segments }
    }
}

impl fmt::Display for ValuePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.segments.is_empty() {
            return f.write_str("/");
        }
        for segment in &self.segments {
            match segment {
                Segment::Key(key) => write!(f, "/{}", key.replace('~', "~0").replace('/', "~1"))?,
                Segment::Index(index) => write!(f, "/{index}")?,
                Segment::Json => f.write_str("/(json)")?,
            }
        }
        Ok(())
    }
}
