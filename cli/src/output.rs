//! Where commands write: an injected, shareable writer (stdout in the binary, a buffer
//! in tests), and the live event display.

use std::io::Write;
use std::sync::{Arc, Mutex};

/// A cloneable handle on a writer, shared by parallel deployments.
#[derive(Clone)]
pub struct Out {
    inner: Arc<Mutex<Box<dyn Write + Send>>>,
    /// Whether this is an interactive terminal (colors, live progress).
    pub is_tty: bool,
}

impl std::fmt::Debug for Out {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Out").field("is_tty", &self.is_tty).finish()
    }
}

impl Out {
    /// Wraps a writer.
    pub fn new(w: Box<dyn Write + Send>, is_tty: bool) -> Out {
        Out {
            inner: Arc::new(Mutex::new(w)),
            is_tty,
        }
    }

    /// An in-memory writer and the buffer it fills.
    pub fn buffer() -> (Out, Buffer) {
        let buf = Buffer::default();
        (Out::new(Box::new(buf.clone()), false), buf)
    }

    /// Writes text as is (errors writing to the terminal are ignored, as `print!` would panic).
    pub fn write(&self, text: &str) {
        let mut w = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let _ = w.write_all(text.as_bytes());
        let _ = w.flush();
    }

    /// Writes one line.
    pub fn line(&self, text: &str) {
        let mut s = String::with_capacity(text.len() + 1);
        s.push_str(text);
        s.push('\n');
        self.write(&s);
    }
}

/// A shared in-memory buffer (for tests).
#[derive(Clone, Default, Debug)]
pub struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Buffer {
    /// The text written so far.
    pub fn contents(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }
}

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
