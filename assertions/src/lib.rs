//! Assertions on synthesized templates.
