//! Byte offsets -> 1-based line and column (in characters) for the formats
//! that hold a whole document (Markdown, HTML) or one item (JSON).
//! Never allocates per lookup.

/// Number of characters in `bytes` (UTF-8; counts non-continuation bytes,
/// so it is defined for any slice).
#[inline]
pub(crate) fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

/// Line starts of a document (or of one run of a longer document, whose
/// first line is line `base + 1`).
pub(crate) struct LineIndex {
    starts: Vec<usize>,
    base: usize,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        Self::with_base(text, 0)
    }

    /// For a text that starts after `base` lines of its document.
    pub(crate) fn with_base(text: &str, base: usize) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts, base }
    }

    /// Lines in the text (line breaks).
    pub(crate) fn breaks(&self) -> usize {
        self.starts.len() - 1
    }

    /// The 1-based line of byte `offset` (no character counting).
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.base + self.starts.partition_point(|&s| s <= offset).max(1)
    }

    /// (line, column) of byte `offset` in `text` (clamped to its length).
    pub(crate) fn pos(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        (
            self.base + line,
            count_chars(&text.as_bytes()[start..offset]) + 1,
        )
    }
}
