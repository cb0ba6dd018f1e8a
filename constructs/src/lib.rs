//! The construct tree.
