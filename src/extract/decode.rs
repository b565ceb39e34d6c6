//! Bytes to text, and what one input's extraction noticed along the way.
//!
//! Valid UTF-8 is borrowed as it is. An invalid sequence inside a URL (the
//! run of text since the last blank, quote, bracket or `<`/`>` holds `://`
//! or starts with `www.`) keeps its bytes, each percent-encoded (`%E9`), so
//! `https://example.org/\xe9t\xe9` stays `https://example.org/%E9t%E9`
//! instead of being cut; anywhere else it becomes one U+FFFD, as
//! `String::from_utf8_lossy` does. Either way the line is noted
//! (`Notes`) and the input gets a warning naming it.
//!
//! Also [`Tally`]: links, papers and whether the bytes held `http://` or
//! `https://` at all, for the "never a silent zero" warnings. Pure apart
//! from the `Sniff` reader wrapper, which only passes reads through.

use std::borrow::Cow;
use std::io::{BufRead, Read};

use super::Format;

/// The text of `b`, with the decoded offsets of invalid sequences pushed to
/// `bad`.
pub(crate) fn decode<'b>(b: &'b [u8], bad: &mut Vec<usize>) -> Cow<'b, str> {
    if let Ok(s) = std::str::from_utf8(b) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(b.len() + 16);
    for chunk in b.utf8_chunks() {
        out.push_str(chunk.valid());
        let invalid = chunk.invalid();
        if invalid.is_empty() {
            continue;
        }
        bad.push(out.len());
        if in_url(&out) {
            for byte in invalid {
                out.push_str(&format!("%{byte:02X}"));
            }
        } else {
            out.push(char::REPLACEMENT_CHARACTER);
        }
    }
    Cow::Owned(out)
}

/// Whether the end of `text` is inside a URL being written.
fn in_url(text: &str) -> bool {
    let b = text.as_bytes();
    let start = b
        .iter()
        .rposition(|c| c.is_ascii_whitespace() || b"\"'<>()[]".contains(c))
        .map_or(0, |i| i + 1);
    let run = &b[start..];
    memchr::memmem::find(run, b"://").is_some() || run.starts_with(b"www.")
}

/// Lines with invalid UTF-8 seen in one input: the first few, and how many.
#[derive(Debug, Default)]
pub(crate) struct Notes {
    lines: Vec<usize>,
    count: usize,
}

/// How many lines a warning names.
const NAMED_LINES: usize = 3;

impl Notes {
    /// Notes line `line` (1-based); the same line twice in a row counts once.
    pub(crate) fn bad_line(&mut self, line: usize) {
        if self.lines.last() == Some(&line) {
            return;
        }
        self.count += 1;
        if self.lines.len() < NAMED_LINES {
            self.lines.push(line);
        }
    }

    /// Notes every offset of `bad` in `text`, whose first line is `base + 1`.
    pub(crate) fn bad_offsets(&mut self, text: &str, base: usize, bad: &[usize]) {
        let (mut line, mut from) = (base + 1, 0);
        for &off in bad {
            let off = off.min(text.len());
            line += memchr::memchr_iter(b'\n', &text.as_bytes()[from.min(off)..off]).count();
            from = off;
            self.bad_line(line);
        }
    }
}

/// What one input gave: counts of links and papers, whether its bytes held
/// `http://` or `https://`, and the lines with invalid UTF-8.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Links the input gave.
    pub links: usize,
    /// Papers the input gave.
    pub papers: usize,
    /// The bytes held `http://` or `https://` somewhere.
    pub url_text: bool,
    /// The first lines with invalid UTF-8 (at most three).
    pub bad_utf8_lines: Vec<usize>,
    /// How many lines held invalid UTF-8.
    pub bad_utf8_count: usize,
}

impl Tally {
    pub(crate) fn noted(&mut self, notes: Notes) {
        self.bad_utf8_lines = notes.lines;
        self.bad_utf8_count = notes.count;
    }

    /// The warnings of issue 22 for input `name`: URL text but no link; a
    /// structured input with links but no paper; invalid UTF-8.
    pub fn warnings(&self, name: &str, format: Format) -> Vec<String> {
        let mut out = Vec::new();
        if self.links == 0 && self.url_text {
            out.push(format!(
                "{name}: holds http:// or https:// text but no link was found in it (read as {})",
                format.as_str()
            ));
        }
        if self.links > 0 && self.papers == 0 && format != Format::Text {
            out.push(format!(
                "{name}: {} link(s) found but no paper: none of them is attributed (read as {})",
                self.links,
                format.as_str()
            ));
        }
        if let Some(first) = self.bad_utf8_lines.first() {
            let named: Vec<String> = self.bad_utf8_lines.iter().map(|l| l.to_string()).collect();
            let more = self
                .bad_utf8_count
                .saturating_sub(self.bad_utf8_lines.len());
            let tail = if more > 0 {
                format!(" and {more} more line(s)")
            } else {
                String::new()
            };
            out.push(format!(
                "{name}:{first}: invalid UTF-8 on line(s) {}{tail}; bytes inside a URL are kept percent-encoded, others replaced by U+FFFD",
                named.join(", ")
            ));
        }
        out
    }
}

/// A reader passing everything through while it looks for `http://` or
/// `https://` (only until the first is seen: a document with links pays
/// for its first bytes only).
pub(crate) struct Sniff<R> {
    inner: R,
    pub(crate) found: bool,
    /// The last bytes of what was consumed, for a marker cut between reads.
    tail: Vec<u8>,
}

impl<R> Sniff<R> {
    pub(crate) fn new(inner: R) -> Self {
        Sniff {
            inner,
            found: false,
            tail: Vec::new(),
        }
    }
}

/// Looks at `seen` (after the kept tail) for the markers.
fn look(found: &mut bool, tail: &mut Vec<u8>, seen: &[u8]) {
    if *found || seen.is_empty() {
        return;
    }
    let has = |b: &[u8]| {
        memchr::memmem::find_iter(b, b"http")
            .any(|i| b[i + 4..].starts_with(b"://") || b[i + 4..].starts_with(b"s://"))
    };
    tail.extend_from_slice(&seen[..seen.len().min(8)]);
    if has(tail) || has(seen) {
        *found = true;
        return;
    }
    // Keep the last 7 bytes of everything seen so far.
    if seen.len() >= 7 {
        tail.clear();
        tail.extend_from_slice(&seen[seen.len() - 7..]);
    } else {
        tail.drain(..tail.len().saturating_sub(7));
    }
}

impl<R: BufRead> Read for Sniff<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        look(&mut self.found, &mut self.tail, &buf[..n]);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Sniff<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if !self.found
            && let Ok(buf) = self.inner.fill_buf()
        {
            let seen = &buf[..amt.min(buf.len())];
            look(&mut self.found, &mut self.tail, seen);
        }
        self.inner.consume(amt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_bytes_in_a_url_are_percent_encoded_elsewhere_replaced() {
        let mut bad = Vec::new();
        let t = decode(
            b"see https://example.org/\xe9t\xe9 and caf\xe9 ok",
            &mut bad,
        );
        assert_eq!(t, "see https://example.org/%E9t%E9 and caf\u{FFFD} ok");
        assert_eq!(bad.len(), 3);
        let mut bad = Vec::new();
        assert!(matches!(decode(b"plain", &mut bad), Cow::Borrowed("plain")));
        assert!(bad.is_empty());
    }

    #[test]
    fn notes_name_lines_once() {
        let mut bad = Vec::new();
        let text = decode(b"a\n\xff\xfe b \xff\nc\n\xff", &mut bad).into_owned();
        let mut n = Notes::default();
        n.bad_offsets(&text, 10, &bad);
        assert_eq!(n.lines, vec![12, 14]);
        assert_eq!(n.count, 2);
    }

    #[test]
    fn sniff_sees_a_marker_cut_between_reads() {
        for cut in 0..12 {
            let doc = b"xx https://a.b/ yy";
            let (a, b) = doc.split_at(cut);
            let mut s = Sniff::new(std::io::BufReader::new(a.chain(b)));
            let mut all = Vec::new();
            s.read_to_end(&mut all).unwrap();
            assert!(s.found, "cut {cut}");
        }
        let mut s = Sniff::new(&b"no markers: http:/ x, https:, ftp://y"[..]);
        std::io::copy(&mut s, &mut std::io::sink()).unwrap();
        assert!(!s.found);
    }
}
