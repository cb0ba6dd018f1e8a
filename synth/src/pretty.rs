//! Pretty JSON in pieces: writes template sections entry by entry, byte-identical to
//! `serde_json::to_string_pretty` of the whole template (two spaces), so each entry's
//! JSON value can be dropped as soon as it is written instead of holding the whole
//! template as a tree.

use serde::Serialize;
use serde_json::ser::Formatter;
use std::io;

/// serde_json's `PrettyFormatter` (two spaces), starting at a given depth.
struct Indented {
    current_indent: usize,
    has_value: bool,
}

/// Writes the indentation of nesting depth `n` (two spaces a level).
pub(crate) fn indent<W: ?Sized + io::Write>(w: &mut W, n: usize) -> io::Result<()> {
    const SPACES: &[u8] = b"                                                                ";
    let mut left = n * 2;
    while left > 0 {
        let k = left.min(SPACES.len());
        w.write_all(&SPACES[..k])?;
        left -= k;
    }
    Ok(())
}

impl Indented {
    /// `[` or `{`: one level deeper, nothing in it yet.
    fn open<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.current_indent += 1;
        self.has_value = false;
        w.write_all(bracket)
    }
    /// `]` or `}`, on its own line when the array or object has members.
    fn close<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.current_indent -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            indent(w, self.current_indent)?;
        }
        w.write_all(bracket)
    }
    /// A new line for a member, after a comma unless it is the first.
    fn member<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        indent(w, self.current_indent)
    }
}

impl Formatter for Indented {
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.member(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.member(w, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Serializes `value` pretty, as it appears at nesting `depth` of a document.
fn write_at<T: Serialize + ?Sized>(out: &mut Vec<u8>, depth: usize, value: &T) {
    let mut ser = serde_json::Serializer::with_formatter(
        &mut *out,
        Indented {
            current_indent: depth,
            has_value: false,
        },
    );
    // Writing JSON values with string keys into memory cannot fail.
    value.serialize(&mut ser).expect("JSON values serialize");
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

/// Writes `s` as a JSON string: as it is between quotes when nothing needs escaping
/// (names, ids and paths nearly always), else as serde_json escapes it.
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    if !needs_escape(s.as_bytes()) {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        serde_json::to_writer(&mut *out, s).expect("a string serializes into a Vec");
    }
}

/// Writes `value` pretty, as it appears at nesting `depth` of a document: the bytes
/// serde_json's pretty serializer writes, without going through serde (templates are
/// mostly objects of strings).
pub(crate) fn write_node(out: &mut Vec<u8>, depth: usize, value: &crate::json::Node) {
    use crate::json::Node;
    match value {
        Node::Null => out.extend_from_slice(b"null"),
        Node::Bool(true) => out.extend_from_slice(b"true"),
        Node::Bool(false) => out.extend_from_slice(b"false"),
        Node::Number(n) => {
            serde_json::to_writer(&mut *out, n).expect("a number serializes into a Vec")
        }
        Node::String(s) => write_str(out, s),
        Node::Array(items) => {
            let mut array = Nested::array(out, depth);
            for item in items {
                write_node(array.item(), depth + 1, item);
            }
            array.end();
        }
        Node::Object(members) => {
            let mut object = Nested::object(out, depth);
            for (k, v) in members {
                write_node(object.key(k), depth + 1, v);
            }
            object.end();
        }
    }
}

/// Writes an array of strings pretty at `depth`.
pub(crate) fn write_strs<'s>(
    out: &mut Vec<u8>,
    depth: usize,
    items: impl Iterator<Item = &'s String>,
) {
    let mut array = Nested::array(out, depth);
    for item in items {
        write_str(array.item(), item);
    }
    array.end();
}

/// An object or an array being written pretty at some depth: [`Nested::key`] per
/// member of an object, [`Nested::item`] per element of an array, then [`Nested::end`].
pub(crate) struct Nested<'o> {
    out: &'o mut Vec<u8>,
    depth: usize,
    empty: bool,
    close: u8,
}

impl<'o> Nested<'o> {
    pub(crate) fn object(out: &'o mut Vec<u8>, depth: usize) -> Self {
        Self::start(out, depth, b'{', b'}')
    }

    pub(crate) fn array(out: &'o mut Vec<u8>, depth: usize) -> Self {
        Self::start(out, depth, b'[', b']')
    }

    fn start(out: &'o mut Vec<u8>, depth: usize, open: u8, close: u8) -> Self {
        out.push(open);
        Nested {
            out,
            depth,
            empty: true,
            close,
        }
    }

    /// Starts an element; the caller writes it (at `depth + 1`) into the buffer returned.
    pub(crate) fn item(&mut self) -> &mut Vec<u8> {
        self.out
            .extend_from_slice(if self.empty { b"\n" } else { b",\n" });
        self.empty = false;
        indent(self.out, self.depth + 1).expect("writing into a Vec");
        self.out
    }

    /// Starts a member and writes its key; the caller writes its value (at `depth + 1`)
    /// into the buffer returned.
    pub(crate) fn key(&mut self, key: &str) -> &mut Vec<u8> {
        let out = self.item();
        write_str(out, key);
        out.extend_from_slice(b": ");
        out
    }

    pub(crate) fn end(self) {
        if !self.empty {
            self.out.push(b'\n');
            indent(self.out, self.depth).expect("writing into a Vec");
        }
        self.out.push(self.close);
    }
}

/// The entries of one object at depth 1 of a document (a template section), written
/// as they come.
#[derive(Default)]
pub(crate) struct Section {
    /// `,\n    "Key": value` per entry (the first comma is dropped when written), in
    /// blocks of about [`Section::BLOCK`] bytes, an entry never split: a growing
    /// section never copies what it holds (a large stack's resources are megabytes).
    blocks: Vec<Vec<u8>>,
    len: usize,
}

impl Section {
    const BLOCK: usize = 64 * 1024;

    /// Appends `"key": value`.
    pub(crate) fn entry<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        self.entry_with(key, |out, depth| write_at(out, depth, value));
    }

    /// Appends `"key": ` and what `write` writes (the value, at the depth it is given).
    pub(crate) fn entry_with(&mut self, key: &str, write: impl FnOnce(&mut Vec<u8>, usize)) {
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
    pub(crate) fn write_entries(&self, w: &mut impl io::Write, first: bool) -> io::Result<()> {
        for (i, block) in self.blocks.iter().enumerate() {
            let skip = usize::from(first && i == 0 && !block.is_empty());
            w.write_all(&block[skip..])?;
        }
        Ok(())
    }

    /// Frees the text, keeping the number of entries (for limits checked later).
    pub(crate) fn release(&mut self) {
        self.blocks = Vec::new();
    }

    /// The number of entries.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
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
pub(crate) enum Member<'a> {
    /// A string value.
    Str(&'a str),
    /// An object written with [`Section`].
    Section(&'a Section),
}

/// The document `{"key": member, ...}` (pretty, no trailing newline), as
/// `serde_json::to_string_pretty` writes it.
#[cfg(test)]
pub(crate) fn document(members: &[(&str, Member<'_>)]) -> String {
    let mut out = document_start(members);
    out.extend_from_slice(&document_rest(&[], !members.is_empty()));
    // Only UTF-8 went in: strings are escaped by serde_json, the rest is ASCII.
    String::from_utf8(out).expect("JSON is UTF-8")
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

/// The start of the document of `members`: everything but its end, so that a writer
/// can put it out before the members that follow are known ([`document_rest`]).
#[cfg(test)]
pub(crate) fn document_start(members: &[(&str, Member<'_>)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + members_len(members));
    write_document_start(&mut out, members).expect("writing into a Vec");
    out
}

/// Writes [`document_start`] of `members` to `w` (the sections' text straight from
/// their blocks) and returns how many bytes that is.
pub(crate) fn write_document_start(
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

/// What follows [`document_start`] of some members (`after_members`: there were any)
/// to make the document of those and `more`: `more`, then the closing brace.
pub(crate) fn document_rest(more: &[(&str, Member<'_>)], after_members: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + members_len(more));
    write_members(&mut out, more, !after_members).expect("writing into a Vec");
    let empty = more.is_empty() && !after_members;
    out.extend_from_slice(if empty { b"}" } else { b"\n}" });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn needs_escape_finds_every_escaped_byte_anywhere() {
        for len in [0, 1, 15, 16, 17, 40] {
            let plain = "a".repeat(len);
            assert!(!needs_escape(plain.as_bytes()));
            for at in 0..len {
                for b in [0u8, 0x1f, b'"', b'\\', b'\n'] {
                    let mut bytes = plain.clone().into_bytes();
                    bytes[at] = b;
                    assert!(needs_escape(&bytes), "{b:#x} at {at} of {len}");
                }
            }
        }
        assert!(!needs_escape("é ü ∑ 𝄞 ~ / 0x20 ' `".as_bytes()));
    }

    #[test]
    fn write_node_writes_what_to_string_pretty_writes() {
        let values = [
            json!(null),
            json!(true),
            json!([]),
            json!({}),
            json!(-3),
            json!(18446744073709551615u64),
            json!(0.1),
            json!(1e300),
            json!("plain"),
            json!("é \u{1} \"quoted\" back\\slash\n\t"),
            json!({"a": [1, [], {}, [[2]], {"b": {"c": "d"}}], "é": false, "": null}),
            json!([{"Ref": "X"}, {"Fn::Join": ["", ["a", {"Ref": "AWS::Region"}]]}]),
        ];
        for v in values {
            let node = crate::json::Node::from(&v);
            let mut out = Vec::new();
            write_node(&mut out, 0, &node);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string_pretty(&v).unwrap()
            );
            // Nested: what the serde path writes at depth 2.
            let (mut fast, mut serde) = (Vec::new(), Vec::new());
            write_node(&mut fast, 2, &node);
            write_at(&mut serde, 2, &v);
            assert_eq!(fast, serde);
        }
    }

    #[test]
    fn sections_write_what_to_string_pretty_writes() {
        let resources = json!({
            "A": {"Type": "T", "Properties": {"L": [1, {"x": "é\n\"q\""}, []], "E": {}}},
            "B": {"Type": "U", "Metadata": {"berth:path": "S/B"}}
        });
        let outputs = json!({"O": {"Value": {"Ref": "A"}, "Export": {"Name": "S:O"}}});
        let mut r = Section::default();
        for (k, v) in resources.as_object().unwrap() {
            r.entry(k, v);
        }
        let mut o = Section::default();
        for (k, v) in outputs.as_object().unwrap() {
            o.entry(k, v);
        }
        let empty = Section::default();
        let text = document(&[
            ("Description", Member::Str("a \"stack\"")),
            ("Parameters", Member::Section(&empty)),
            ("Resources", Member::Section(&r)),
            ("Outputs", Member::Section(&o)),
        ]);
        let whole = json!({
            "Description": "a \"stack\"",
            "Parameters": {},
            "Resources": resources,
            "Outputs": outputs,
        });
        assert_eq!(text, serde_json::to_string_pretty(&whole).unwrap());
        assert_eq!(r.len(), 2);

        // Written in two steps, the outputs after the rest.
        let mut split = document_start(&[
            ("Description", Member::Str("a \"stack\"")),
            ("Parameters", Member::Section(&empty)),
            ("Resources", Member::Section(&r)),
        ]);
        split.extend(document_rest(&[("Outputs", Member::Section(&o))], true));
        assert_eq!(String::from_utf8(split).unwrap(), text);
        let mut no_outputs = document_start(&[("Resources", Member::Section(&r))]);
        no_outputs.extend(document_rest(&[], true));
        assert_eq!(
            String::from_utf8(no_outputs).unwrap(),
            serde_json::to_string_pretty(&json!({"Resources": resources})).unwrap()
        );
        assert_eq!(document(&[]), "{}");

        // A section of many blocks.
        let many: serde_json::Map<String, serde_json::Value> = (0..3000)
            .map(|i| {
                (
                    format!("R{i}"),
                    json!({"Type": "T", "Properties": {"N": "x".repeat(i % 97)}}),
                )
            })
            .collect();
        let mut big = Section::default();
        for (k, v) in &many {
            big.entry(k, v);
        }
        assert!(big.blocks.len() > 3);
        assert_eq!(
            document(&[("Resources", Member::Section(&big))]),
            serde_json::to_string_pretty(&json!({"Resources": many})).unwrap()
        );
        let mut head = Vec::new();
        let n = write_document_start(&mut head, &[("Resources", Member::Section(&big))]).unwrap();
        assert_eq!(n, head.len());
        r.release();
        assert_eq!(r.len(), 2);
    }
}
