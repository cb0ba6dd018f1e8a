//! The JSON writer: what `serde_json` writes, pretty (two spaces, from any nesting
//! depth) or compact, for [`Node`]s and for anything `Serialize` ([`write_value`]),
//! with strings copied whole when nothing needs escaping. Template sections grow entry
//! by entry ([`Section`]) and a document can be written in two steps
//! ([`write_document_start`], [`document_rest`]), so that no template is held whole.
//!
//! Every JSON file of an assembly goes through it. Its bytes are checked against
//! `serde_json`'s by reparsing: `serde_json::to_vec_pretty(&serde_json::from_slice(b))`
//! gives `b` back (member order kept, as serde_json's `preserve_order` keeps it).

use super::Node;
use std::io;

pub use super::ser::{to_vec_pretty, write_value, Error};

/// How a document is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Two spaces per level, a member or element per line, `": "` after keys:
    /// `serde_json::to_string_pretty`.
    Pretty,
    /// No white space: `serde_json::to_string`.
    Compact,
}

/// Writes the indentation of nesting depth `n` (two spaces a level).
#[inline]
pub fn indent(out: &mut Vec<u8>, n: usize) {
    const SPACES: &[u8] = b"                                                                ";
    let mut left = n * 2;
    while left > 0 {
        let k = left.min(SPACES.len());
        out.extend_from_slice(&SPACES[..k]);
        left -= k;
    }
}

/// True if `bytes` hold a byte a JSON string escapes: a control character, `"` or `\`.
fn needs_escape(bytes: &[u8]) -> bool {
    // In blocks of sixteen bytes, without branches: a block of fixed size becomes a few
    // vector instructions (a byte at a time was most of writing a large template).
    fn block(b: &[u8; 16]) -> bool {
        b.iter().fold(false, |any, &c| {
            any | (c < 0x20) | (c == b'"') | (c == b'\\')
        })
    }
    const N: usize = 16;
    if bytes.len() < N {
        // Padded with spaces, which are not escaped.
        let mut padded = [b' '; N];
        padded[..bytes.len()].copy_from_slice(bytes);
        return block(&padded);
    }
    let mut blocks = bytes.chunks_exact(N);
    if blocks.any(|b| block(b.try_into().expect("a block of 16"))) {
        return true;
    }
    // The last sixteen bytes (overlapping the blocks) hold what is left.
    block(bytes[bytes.len() - N..].try_into().expect("a block of 16"))
}

/// Appends `s` as a JSON string: as it is between quotes when nothing needs escaping
/// (names, ids and paths nearly always), else as serde_json escapes it.
///
/// ```
/// let mut out = Vec::new();
/// berth_assembly::json::write::write_str(&mut out, "web");
/// berth_assembly::json::write::write_str(&mut out, "a \"b\"\n");
/// assert_eq!(out, br#""web""a \"b\"\n""#);
/// ```
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    if !needs_escape(s.as_bytes()) {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        serde_json::to_writer(&mut *out, s).expect("a string serializes into a Vec");
    }
}

/// Writes `value` as it stands at nesting `depth` of a document.
pub fn write_node(out: &mut Vec<u8>, depth: usize, style: Style, value: &Node) {
    match style {
        Style::Pretty => write_node_in::<true>(out, depth, value),
        Style::Compact => write_node_in::<false>(out, depth, value),
    }
}

/// [`write_node`] for one style (templates are mostly objects of strings: the style
/// is decided once, not at every member).
fn write_node_in<const PRETTY: bool>(out: &mut Vec<u8>, depth: usize, value: &Node) {
    let style = if PRETTY {
        Style::Pretty
    } else {
        Style::Compact
    };
    match value {
        Node::Null => out.extend_from_slice(b"null"),
        Node::Bool(true) => out.extend_from_slice(b"true"),
        Node::Bool(false) => out.extend_from_slice(b"false"),
        Node::Number(n) => {
            serde_json::to_writer(&mut *out, n).expect("a number serializes into a Vec")
        }
        Node::String(s) => write_str(out, s),
        Node::Array(items) => {
            let mut array = Nested::array(out, depth, style);
            for item in items {
                array.item(out);
                write_node_in::<PRETTY>(out, depth + 1, item);
            }
            array.end(out);
        }
        Node::Object(members) => {
            let mut object = Nested::object(out, depth, style);
            for (k, v) in members {
                object.key(out, k);
                write_node_in::<PRETTY>(out, depth + 1, v);
            }
            object.end(out);
        }
    }
}

/// An object or an array being written at some depth: [`Nested::key`] before each
/// member of an object, [`Nested::item`] before each element of an array (the caller
/// writes the value, at `depth + 1`), then [`Nested::end`].
#[derive(Debug)]
pub struct Nested {
    depth: usize,
    style: Style,
    empty: bool,
    close: u8,
}

impl Nested {
    /// Opens an object.
    #[inline]
    pub fn object(out: &mut Vec<u8>, depth: usize, style: Style) -> Nested {
        Self::open(out, depth, style, b'{', b'}')
    }

    /// Opens an array.
    #[inline]
    pub fn array(out: &mut Vec<u8>, depth: usize, style: Style) -> Nested {
        Self::open(out, depth, style, b'[', b']')
    }

    #[inline]
    fn open(out: &mut Vec<u8>, depth: usize, style: Style, open: u8, close: u8) -> Nested {
        out.push(open);
        Nested {
            depth,
            style,
            empty: true,
            close,
        }
    }

    /// Starts an element.
    #[inline]
    pub fn item(&mut self, out: &mut Vec<u8>) {
        let first = std::mem::replace(&mut self.empty, false);
        if !first {
            out.push(b',');
        }
        if self.style == Style::Pretty {
            out.push(b'\n');
            indent(out, self.depth + 1);
        }
    }

    /// Starts a member and writes its key.
    #[inline]
    pub fn key(&mut self, out: &mut Vec<u8>, key: &str) {
        self.item(out);
        write_str(out, key);
        out.push(b':');
        if self.style == Style::Pretty {
            out.push(b' ');
        }
    }

    /// Closes the object or array.
    #[inline]
    pub fn end(self, out: &mut Vec<u8>) {
        if !self.empty && self.style == Style::Pretty {
            out.push(b'\n');
            indent(out, self.depth);
        }
        out.push(self.close);
    }
}

/// The entries of one object at depth 1 of a pretty document (a template section, the
/// artifacts of a manifest), written as they come.
#[derive(Default)]
pub struct Section {
    /// `,\n    "Key": value` per entry (the first comma is dropped when written), in
    /// blocks of about [`Section::BLOCK`] bytes, an entry never split: a growing
    /// section never copies what it holds (a large stack's resources are megabytes).
    blocks: Vec<Vec<u8>>,
    len: usize,
}

impl Section {
    const BLOCK: usize = 64 * 1024;

    /// Appends `"key": value`.
    pub fn entry(&mut self, key: &str, value: &Node) {
        self.entry_with(key, |out, depth| {
            write_node(out, depth, Style::Pretty, value)
        });
    }

    /// Appends `"key": value` for a value that is `Serialize`.
    pub fn entry_value<T: serde::Serialize + ?Sized>(
        &mut self,
        key: &str,
        value: &T,
    ) -> Result<(), Error> {
        let mut result = Ok(());
        self.entry_with(key, |out, depth| {
            result = write_value(out, depth, Style::Pretty, value)
        });
        result
    }

    /// Appends `"key": ` and what `write` writes (the value, at the depth it is given).
    pub fn entry_with(&mut self, key: &str, write: impl FnOnce(&mut Vec<u8>, usize)) {
        // A new block once the last is nearly full (an entry is rarely over a few KB).
        if self
            .blocks
            .last()
            .is_none_or(|b| b.len() > Self::BLOCK - Self::BLOCK / 4)
        {
            self.blocks.push(Vec::with_capacity(Self::BLOCK));
        }
        let out = self.blocks.last_mut().expect("a block was just made");
        out.extend_from_slice(b",\n    ");
        write_str(out, key);
        out.extend_from_slice(b": ");
        write(out, 2);
        self.len += 1;
    }

    /// Writes the entries (each on its own line, comma-separated; no comma before
    /// the first one when `first`), for an object whose braces are written around.
    pub fn write_entries(&self, w: &mut impl io::Write, first: bool) -> io::Result<()> {
        for (i, block) in self.blocks.iter().enumerate() {
            let skip = usize::from(first && i == 0 && !block.is_empty());
            w.write_all(&block[skip..])?;
        }
        Ok(())
    }

    /// Frees the text, keeping the number of entries (for limits checked later).
    pub fn release(&mut self) {
        self.blocks = Vec::new();
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes the section's object takes (for sizing the document).
    fn object_len(&self) -> usize {
        if self.is_empty() {
            2
        } else {
            self.blocks.iter().map(Vec::len).sum::<usize>() + 3
        }
    }

    fn write_object(&self, w: &mut impl io::Write) -> io::Result<()> {
        if self.is_empty() {
            w.write_all(b"{}")
        } else {
            w.write_all(b"{")?;
            self.write_entries(w, true)?;
            w.write_all(b"\n  }")
        }
    }
}

/// A member of a top-level document: a string or a section.
pub enum Member<'a> {
    /// A string value.
    Str(&'a str),
    /// An object written with [`Section`].
    Section(&'a Section),
}

fn members_len(members: &[(&str, Member<'_>)]) -> usize {
    members
        .iter()
        .map(|(k, m)| {
            k.len()
                + 8
                + match m {
                    Member::Str(s) => s.len() + 2,
                    Member::Section(s) => s.object_len(),
                }
        })
        .sum::<usize>()
}

fn write_members(
    w: &mut impl io::Write,
    members: &[(&str, Member<'_>)],
    mut first: bool,
) -> io::Result<()> {
    let mut glue = Vec::new();
    for (key, member) in members {
        glue.clear();
        glue.extend_from_slice(if first { b"\n  " } else { b",\n  " });
        first = false;
        write_str(&mut glue, key);
        glue.extend_from_slice(b": ");
        match member {
            Member::Str(s) => {
                write_str(&mut glue, s);
                w.write_all(&glue)?;
            }
            Member::Section(s) => {
                w.write_all(&glue)?;
                s.write_object(w)?;
            }
        }
    }
    Ok(())
}

/// Writes the start of the pretty document of `members` to `w`: everything but its
/// end, so that a writer can put it out before the members that follow are known
/// ([`document_rest`]). Returns how many bytes that is.
pub fn write_document_start(
    w: &mut impl io::Write,
    members: &[(&str, Member<'_>)],
) -> io::Result<usize> {
    use io::Write as _;
    let mut counted = Counted { w, n: 0 };
    counted.write_all(b"{")?;
    write_members(&mut counted, members, true)?;
    Ok(counted.n)
}

/// A writer that counts what goes through it.
struct Counted<'w, W> {
    w: &'w mut W,
    n: usize,
}

impl<W: io::Write> io::Write for Counted<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.w.write(buf)?;
        self.n += n;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}

/// What follows [`write_document_start`] of some members (`after_members`: there were
/// any) to make the document of those and `more`: `more`, then the closing brace.
pub fn document_rest(more: &[(&str, Member<'_>)], after_members: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + members_len(more));
    write_members(&mut out, more, !after_members).expect("writing into a Vec");
    let empty = more.is_empty() && !after_members;
    out.extend_from_slice(if empty { b"}" } else { b"\n}" });
    out
}

#[cfg(test)]
mod tests;
