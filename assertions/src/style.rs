//! Colors for failure messages: ANSI only when stderr is a terminal and `NO_COLOR` is not set.

use std::io::IsTerminal;

use crate::matcher::Mismatch;

/// Whether panics should be colored.
///
/// Off when `NO_COLOR` is set (<https://no-color.org>), when `TERM=dumb`, or when stderr is not a
/// terminal; `CLICOLOR_FORCE` (not `0`) turns it on regardless.
pub(crate) fn color_enabled() -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    if set("CLICOLOR_FORCE") {
        return true;
    }
    if std::env::var_os("TERM").is_some_and(|t| t == "dumb") {
        return false;
    }
    std::io::stderr().is_terminal()
}

/// Paints parts of a message, or leaves them plain.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Palette {
    color: bool,
}

impl Palette {
    pub(crate) fn plain() -> Self {
        Self { color: false }
    }

    pub(crate) fn new(color: bool) -> Self {
        Self { color }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    pub(crate) fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    pub(crate) fn path(self, text: &str) -> String {
        self.paint("36", text)
    }

    pub(crate) fn expected(self, text: &str) -> String {
        self.paint("32", text)
    }

    pub(crate) fn found(self, text: &str) -> String {
        self.paint("31", text)
    }

    pub(crate) fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    /// `/Properties/Port: expected 8080, found 80` (or `/X: missing key, expected 1`).
    pub(crate) fn mismatch(self, m: &Mismatch) -> String {
        let mut parts = Vec::new();
        if let Some(note) = m.note() {
            parts.push(note.to_owned());
        }
        if let Some(expected) = m.expected() {
            parts.push(format!("expected {}", self.expected(expected)));
        }
        if let Some(found) = m.found() {
            parts.push(format!("found {}", self.found(found)));
        }
        let mut line = format!("{}: {}", self.path(&m.path().to_string()), parts.join(", "));
        if let Some(detail) = m.detail() {
            line.push_str(&format!(" ({detail})"));
        }
        line
    }
}

#[cfg(test)]
mod tests;
