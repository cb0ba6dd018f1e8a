//! The berth command line.
