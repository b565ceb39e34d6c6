//! Markdown in bounded memory: splits a stream into *runs* of whole blocks
//! of about [`RUN_BYTES`] each, so the parser never holds more than one run.
//! A document no longer than [`RUN_BYTES`] is one run (parsed whole).
//!
//! A run ends only at a *block boundary*: a blank line followed by a line
//! that starts in the first column (not a space or tab), outside a fenced
//! code block (` ``` ` / `~~~` opened with at most three spaces of indent) and
//! outside an HTML comment opened at the start of a line. Such a line
//! always starts a new top-level block, so lists, tables, quotes and code
//! are never split. A run that finds no boundary is cut at a line end
//! anyway once it reaches [`MAX_RUN_BYTES`], and a single line longer than
//! that at a character boundary (the columns of the rest of that line then
//! count from the cut).
//!
//! What changes past [`RUN_BYTES`]: a reference-style link (`[text][ref]`)
//! resolves only when its definition (`[ref]: URL`) is in the same run.
//! Owns nothing but the splitting: no parsing, no I/O beyond the reader.

use std::io::BufRead;

/// About how many bytes of Markdown are parsed at once (the documented cap
/// past which a file is processed in runs of blocks).
pub const RUN_BYTES: usize = 4 << 20;

/// The most bytes a run holds when no block boundary comes.
pub const MAX_RUN_BYTES: usize = 4 * RUN_BYTES;

/// Splits a Markdown stream into runs (see the module docs).
pub(crate) struct Runs<R> {
    reader: R,
    target: usize,
    max: usize,
    /// The line read past the end of the previous run: it opens the next.
    carry: Vec<u8>,
    line: Vec<u8>,
    done: bool,
}

/// Block state of the lines read so far in a run.
#[derive(Default)]
struct Scan {
    /// An open fence: its character and length.
    fence: Option<(u8, usize)>,
    comment: bool,
    blank: bool,
}

impl Scan {
    /// Whether a run may end just before `line`.
    fn boundary_before(&self, line: &[u8]) -> bool {
        self.blank
            && self.fence.is_none()
            && !self.comment
            && !is_blank(line)
            && !matches!(line.first(), Some(b' ' | b'\t'))
    }

    fn add(&mut self, line: &[u8]) {
        self.blank = is_blank(line);
        if self.comment {
            self.comment = memchr::memmem::find(line, b"-->").is_none();
            return;
        }
        let indent = line.iter().take_while(|&&b| b == b' ').count();
        let rest = &line[indent..];
        if indent > 3 && self.fence.is_none() {
            return;
        }
        let c = rest.first().copied().unwrap_or(0);
        let run = rest.iter().take_while(|&&b| b == c).count();
        match self.fence {
            Some((f, n)) => {
                if c == f && run >= n && indent <= 3 && is_blank(&rest[run..]) {
                    self.fence = None;
                }
            }
            None if (c == b'`' || c == b'~') && run >= 3 => self.fence = Some((c, run)),
            None => {
                self.comment =
                    rest.starts_with(b"<!--") && memchr::memmem::find(&rest[4..], b"-->").is_none();
            }
        }
    }
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|b| b.is_ascii_whitespace())
}

/// The length of `bytes` without an incomplete UTF-8 sequence at its end.
fn char_floor(bytes: &[u8]) -> usize {
    let start = bytes.len().saturating_sub(3);
    for i in (start..bytes.len()).rev() {
        let b = bytes[i];
        if b & 0xC0 != 0x80 {
            let need = match b {
                0x00..=0x7F => 1,
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                _ => 4,
            };
            return if bytes.len() - i >= need {
                bytes.len()
            } else {
                i
            };
        }
    }
    bytes.len()
}

impl<R: BufRead> Runs<R> {
    pub(crate) fn new(reader: R) -> Self {
        Self::with_sizes(reader, RUN_BYTES, MAX_RUN_BYTES)
    }

    /// Runs of about `target` bytes, at most `max` without a boundary.
    pub(crate) fn with_sizes(reader: R, target: usize, max: usize) -> Self {
        Runs {
            reader,
            target: target.max(1),
            max: max.max(target.max(1)),
            carry: Vec::new(),
            line: Vec::new(),
            done: false,
        }
    }

    /// Reads one line (with its `\n`) into `self.line`, at most `limit`
    /// bytes of it. Returns false at the end of the stream.
    fn read_line(&mut self, limit: usize) -> std::io::Result<bool> {
        self.line.clear();
        while self.line.len() < limit {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            let room = limit - self.line.len();
            let (n, end) = match memchr::memchr(b'\n', buf) {
                Some(i) if i < room => (i + 1, true),
                _ => (buf.len().min(room), false),
            };
            self.line.extend_from_slice(&buf[..n]);
            self.reader.consume(n);
            if end {
                break;
            }
        }
        Ok(!self.line.is_empty())
    }

    /// The next run into `out` (cleared first); false when the stream is
    /// exhausted and `out` is empty.
    pub(crate) fn next_run(&mut self, out: &mut Vec<u8>) -> std::io::Result<bool> {
        out.clear();
        let mut scan = Scan::default();
        if !self.carry.is_empty() {
            scan.add(&self.carry);
            out.append(&mut self.carry);
        }
        while !self.done {
            // After a cut inside a line, the next bytes continue that line.
            let at_line_start = out.is_empty() || out.ends_with(b"\n");
            let limit = if at_line_start {
                self.max
            } else {
                self.max.saturating_sub(out.len()).max(4)
            };
            if !self.read_line(limit)? {
                self.done = true;
                break;
            }
            let full =
                at_line_start && out.len() >= self.target && scan.boundary_before(&self.line);
            let over = at_line_start && out.len() + self.line.len() > self.max && !out.is_empty();
            if full || over {
                std::mem::swap(&mut self.carry, &mut self.line);
                break;
            }
            scan.add(&self.line);
            out.extend_from_slice(&self.line);
            if !self.line.ends_with(b"\n") && out.len() >= self.max {
                break;
            }
        }
        if !out.ends_with(b"\n") {
            // A line longer than the most a run holds: cut at a character
            // boundary; the rest opens the next run.
            let keep = char_floor(out);
            if keep > 0 && keep < out.len() {
                let mut tail = out.split_off(keep);
                tail.append(&mut self.carry);
                self.carry = tail;
            }
        }
        Ok(!out.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(doc: &str, target: usize, max: usize) -> Vec<String> {
        let mut r = Runs::with_sizes(doc.as_bytes(), target, max);
        let mut out = Vec::new();
        let mut all = Vec::new();
        while r.next_run(&mut out).unwrap() {
            all.push(String::from_utf8(out.clone()).unwrap());
        }
        all
    }

    #[test]
    fn small_documents_are_one_run() {
        let doc = "# A\n\n- x\n\n- y\n";
        assert_eq!(runs(doc, 1000, 4000), vec![doc.to_string()]);
        assert!(runs("", 10, 40).is_empty());
    }

    #[test]
    fn runs_end_only_at_block_boundaries_and_lose_nothing() {
        let doc = "**T**\n- a\n- b\n\n  more of b\n\n| h |\n|---|\n| 1 |\n\n```\ncode\n\nX not a block\n```\n\n<!-- c\n\nY in comment\n-->\n\nZ\n";
        let all = runs(doc, 1, 10_000);
        assert_eq!(all.concat(), doc);
        for r in &all[1..] {
            assert!(!r.starts_with(' ') && !r.starts_with('\n'), "{r:?}");
        }
        assert!(!all.iter().any(|r| r.starts_with("X") || r.starts_with("Y")));
        assert!(all.iter().any(|r| r.starts_with("Z")), "{all:?}");
        assert!(all.iter().any(|r| r.starts_with("| h |")), "{all:?}");
    }

    #[test]
    fn no_boundary_cuts_at_the_most_and_keeps_characters_whole() {
        let doc = "x\ny\nz\n";
        let all = runs(doc, 1, 4);
        assert_eq!(all.concat(), doc);
        assert!(all.iter().all(|r| r.len() <= 4), "{all:?}");
        let long = "é".repeat(10);
        let all = runs(&long, 1, 5);
        assert_eq!(all.concat(), long);
        assert!(all.iter().all(|r| r.len() <= 5), "{all:?}");
    }
}
