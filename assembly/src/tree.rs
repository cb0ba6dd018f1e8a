//! `tree.json`: the construct tree, written compact as CDK writes it
//! (`JSON.stringify(tree)`; the tree of a large app is tens of megabytes, half of it
//! indentation when pretty), node by node as a source walks its tree.
//!
//! ```
//! use berth_assembly::tree::TreeWriter;
//! let mut out = Vec::new();
//! let mut tree = TreeWriter::new(&mut out);
//! tree.open("App", "");
//! tree.child("Web");
//! tree.open("Web", "Web");
//! tree.close("berth.Stack", None).unwrap();
//! tree.close("berth.App", None).unwrap();
//! tree.finish().unwrap();
//! let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
//! assert_eq!(v["tree"]["children"]["Web"]["path"], "Web");
//! assert_eq!(serde_json::to_vec(&v).unwrap(), out);
//! ```

use crate::json::write::write_str;
use std::io;

/// The tree's file name.
pub const TREE_FILE: &str = "tree.json";

/// The `constructInfo.version` of every node: berth's version.
pub const CONSTRUCT_INFO_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Writes `tree.json` as a walk of the tree calls it: for each node
/// [`TreeWriter::open`], then for each child [`TreeWriter::child`] and the child's
/// own walk, then [`TreeWriter::close`]; [`TreeWriter::finish`] at the end. The text
/// goes to the writer in chunks of about 64 KB.
pub struct TreeWriter<'w> {
    w: &'w mut dyn io::Write,
    buf: Vec<u8>,
    /// For each open node: whether its `children` object is open, and whether it has a
    /// child written yet.
    open: Vec<bool>,
}

impl<'w> TreeWriter<'w> {
    const CHUNK: usize = 1 << 16;

    /// Starts the document.
    pub fn new(w: &'w mut dyn io::Write) -> Self {
        let mut buf = Vec::with_capacity(Self::CHUNK + 4096);
        buf.extend_from_slice(br#"{"version":"tree-0.1","tree":"#);
        TreeWriter {
            w,
            buf,
            open: Vec::new(),
        }
    }

    /// Starts a node: its construct id (`App` for the root) and full path (`""` for
    /// the root).
    #[inline]
    pub fn open(&mut self, id: &str, path: &str) {
        self.buf.extend_from_slice(br#"{"id":"#);
        write_str(&mut self.buf, id);
        self.buf.extend_from_slice(br#","path":"#);
        write_str(&mut self.buf, path);
        self.open.push(false);
    }

    /// Starts the entry of a child of the open node, by its id; the child's
    /// [`TreeWriter::open`] follows.
    #[inline]
    pub fn child(&mut self, id: &str) {
        let children = self.open.last_mut().expect("a node is open");
        self.buf
            .extend_from_slice(if *children { b"," } else { br#","children":{"# });
        *children = true;
        write_str(&mut self.buf, id);
        self.buf.push(b':');
    }

    /// Ends the open node: its construct type (`berth.ecs.FargateService`) and, for an
    /// L1 resource, its CloudFormation type.
    #[inline]
    pub fn close(&mut self, fqn: &str, cfn_type: Option<&str>) -> io::Result<()> {
        if self.open.pop().expect("a node is open") {
            self.buf.push(b'}');
        }
        if let Some(t) = cfn_type {
            self.buf
                .extend_from_slice(br#","attributes":{"aws:cdk:cloudformation:type":"#);
            write_str(&mut self.buf, t);
            self.buf.push(b'}');
        }
        self.buf.extend_from_slice(br#","constructInfo":{"fqn":"#);
        write_str(&mut self.buf, fqn);
        self.buf.extend_from_slice(br#","version":"#);
        write_str(&mut self.buf, CONSTRUCT_INFO_VERSION);
        self.buf.extend_from_slice(b"}}");
        if self.buf.len() >= Self::CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    /// Ends the document and hands the rest of it to the writer.
    pub fn finish(mut self) -> io::Result<()> {
        debug_assert!(self.open.is_empty(), "every node is closed");
        self.buf.push(b'}');
        self.flush()
    }

    fn flush(&mut self) -> io::Result<()> {
        self.w.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }
}
