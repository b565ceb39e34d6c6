//! Plain-text listing dumps: page chrome lines, then per paper a title line,
//! a blank line, the abstract (one long line), a blank line.
//!
//! Streams line by line with at most one paragraph of look-behind; never
//! reads the whole input and never does anything but read `reader`.
//!
//! # Paper attribution
//! Paragraphs are runs of non-blank lines. A paragraph is *abstract-like*
//! when (counted on the paragraph's text, lines joined by a space):
//! - it has at least [`ABSTRACT_CHARS`] characters, or
//! - it has at least 20 words, or
//! - it has at least 12 words and reads as prose: it ends with `.` / `。`,
//!   ends with a URL, or holds a sentence break (`. `, `? `, `! ` then an
//!   upper-case letter).
//!
//! Titles rarely end with sentence punctuation and are short; the shortest
//! abstract in the sample (147 characters, 13 words, ends with `.`) is
//! abstract-like, while chrome such as "Get trending papers in your inbox!"
//! (6 words) is not.
//!
//! Once the page has shown its alternation (the previous paragraph was a
//! paper's abstract), a single line directly after it that reads as a
//! title ([`is_long_title`]: under [`ABSTRACT_CHARS`], no URL, no sentence
//! break, not ending with `.` unless with an ellipsis `....`) is a title
//! candidate even with 20 words or more (titles with `?`, `:` and `/`).
//!
//! Once a paper has been found, a paragraph that holds a link, or has at
//! least 3 words and ends with sentence punctuation, also counts as abstract-like
//! when it directly follows a title candidate (short abstracts such as
//! `Code: https://github.com/a/b` after a title).
//!
//! A paper starts when a single-line paragraph that is not abstract-like,
//! not a known chrome line, at most [`TITLE_MAX_CHARS`] characters long and
//! holding a letter (the title) is directly followed by an abstract-like
//! paragraph. Links of the title line and of the abstract belong to that
//! paper, and so do links of any later paragraph until the next paper starts
//! (text before the first paper has no paper). Links in a known chrome line
//! never have a paper. `ClaimsCode` is checked on abstract-like paragraphs of
//! a paper, at most once per paper.
//!
//! # Over-long lines
//! A line longer than [`CHUNK`] bytes is processed in pieces cut after the
//! last ASCII whitespace, so a URL is never split while a piece can end at a
//! space. A run of more than [`MAX_TOKEN`] bytes without any whitespace is
//! cut there (a URL longer than 16 MiB is emitted truncated). Memory stays
//! bounded by about `MAX_TOKEN` whatever the input.

use std::borrow::Cow;
use std::io::{BufRead, BufReader};

use super::claims::claims_code;
use super::clean::find_urls;
use super::decode::{Notes, decode};
use super::pos::count_chars;
use super::role::{self, Role};
use super::{Event, FoundLink, PaperStart};

/// Lines longer than this are processed in pieces.
pub(crate) const CHUNK: usize = 1 << 20;
/// Longest run without whitespace kept whole.
pub(crate) const MAX_TOKEN: usize = 16 << 20;
/// A paragraph this long (in characters) is abstract-like.
pub(crate) const ABSTRACT_CHARS: usize = 250;
/// A title line is at most this long (in characters).
pub(crate) const TITLE_MAX_CHARS: usize = 300;

/// Page chrome seen on listing pages (compared lower-case, trimmed).
const CHROME: &[&str] = &[
    "new",
    "subscribe",
    "daily papers",
    "by ak and the research community",
    "by the research community",
    "get trending papers in your inbox!",
    "trending papers",
    "papers",
    "home",
    "models",
    "datasets",
    "spaces",
    "docs",
    "pricing",
    "log in",
    "login",
    "sign up",
    "search",
    "previous",
    "next",
    "submit",
    "collections",
    "community",
];

fn is_chrome(line: &str) -> bool {
    if line.len() > 64 {
        return false;
    }
    let t = line.trim().to_lowercase();
    CHROME.contains(&t.as_str()) || (t.starts_with("by ") && t.ends_with("research community"))
}

struct Held {
    line: usize,
    column: usize,
    url: String,
    role: Role,
}

struct Pending {
    title: String,
    line: usize,
    links: Vec<Held>,
}

enum Para {
    None,
    Undecided {
        text: String,
        line: usize,
        lines: usize,
        chars: usize,
        links: Vec<Held>,
    },
    Decided {
        paper: Option<usize>,
    },
}

struct State<'a> {
    emit: &'a mut dyn FnMut(Event),
    /// Lines with invalid UTF-8.
    notes: &'a mut Notes,
    papers: usize,
    current: Option<usize>,
    claimed: bool,
    /// The last paragraph was an abstract: the page shows its title/abstract
    /// alternation, so a title-shaped line here is a title whatever its
    /// word count (see [`is_long_title`]).
    after_abstract: bool,
    pending: Option<Pending>,
    para: Para,
}

impl State<'_> {
    /// The text of a line's bytes: invalid UTF-8 kept (percent-encoded
    /// inside URLs) and the line noted for the invalid-UTF-8 warning.
    fn line_text<'b>(&mut self, line_no: usize, bytes: &'b [u8]) -> Cow<'b, str> {
        match std::str::from_utf8(bytes) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => {
                let mut bad = Vec::new();
                let t = decode(bytes, &mut bad);
                if !bad.is_empty() {
                    self.notes.bad_line(line_no);
                }
                t
            }
        }
    }

    /// One line, or one piece of an over-long line. Returns the number of
    /// characters in the piece (needed for the columns of the next piece).
    fn piece(
        &mut self,
        line_no: usize,
        bytes: &[u8],
        col0: usize,
        first: bool,
        last: bool,
    ) -> usize {
        if first && last && bytes.iter().all(u8::is_ascii_whitespace) {
            self.end_paragraph();
            return 0;
        }
        let text = self.line_text(line_no, bytes);
        if first && last && text.trim().is_empty() {
            self.end_paragraph();
            return 0;
        }
        if matches!(self.para, Para::None) {
            // Fast path: a paragraph whose first line alone is long enough is
            // an abstract; decide now, without copying the line.
            if first && (bytes.len() >= 4 * ABSTRACT_CHARS || count_chars(bytes) >= ABSTRACT_CHARS)
            {
                self.para = Para::Undecided {
                    text: String::new(),
                    line: line_no,
                    lines: 1,
                    chars: 0,
                    links: Vec::new(),
                };
                self.resolve_abstract();
                return self.piece_decided(&text, line_no, col0, last);
            }
            self.para = Para::Undecided {
                text: String::new(),
                line: line_no,
                lines: 0,
                chars: 0,
                links: Vec::new(),
            };
        }
        let seg_chars = if !last || matches!(self.para, Para::Undecided { .. }) {
            count_chars(text.as_bytes())
        } else {
            0
        };
        if matches!(self.para, Para::Decided { .. }) {
            self.piece_decided(&text, line_no, col0, true);
            return seg_chars;
        }
        match &mut self.para {
            Para::Undecided {
                text: held_text,
                lines,
                chars,
                links,
                ..
            } => {
                if first {
                    *lines += 1;
                    if *lines > 1 {
                        held_text.push(' ');
                        *chars += 1;
                    }
                }
                held_text.push_str(&text);
                *chars += seg_chars;
                for_links(&text, line_no, col0, |h| links.push(h));
                if *chars >= ABSTRACT_CHARS {
                    self.resolve_abstract();
                }
            }
            Para::None | Para::Decided { .. } => {}
        }
        seg_chars
    }

    /// A piece of a paragraph already known to be an abstract (or other
    /// text of the current paper). Returns its characters unless `last`.
    fn piece_decided(&mut self, text: &str, line_no: usize, col0: usize, last: bool) -> usize {
        let Para::Decided { paper } = self.para else {
            return 0;
        };
        let mut found = false;
        for_links(text, line_no, col0, |h| {
            found = true;
            (self.emit)(Event::Link(FoundLink {
                line: h.line,
                column: h.column,
                url: h.url,
                paper,
                role: h.role,
            }))
        });
        if found && paper.is_some() && paper == self.current {
            // A claim only matters for papers without links: stop looking.
            self.claimed = true;
        }
        if let Some(index) = paper
            && !self.claimed
            && claims_code(text)
        {
            self.claimed = true;
            (self.emit)(Event::ClaimsCode { paper: index });
        }
        if last {
            0
        } else {
            count_chars(text.as_bytes())
        }
    }

    fn end_paragraph(&mut self) {
        match std::mem::replace(&mut self.para, Para::None) {
            Para::None | Para::Decided { .. } => {}
            Para::Undecided {
                text,
                line,
                lines,
                chars,
                links,
            } => {
                let short_abstract =
                    self.papers > 0 && self.pending.is_some() && is_short_abstract(&text);
                let long_title = self.after_abstract
                    && self.pending.is_none()
                    && lines == 1
                    && is_long_title(&text, chars);
                self.after_abstract = false;
                if !long_title && (short_abstract || is_abstract_like(&text, chars)) {
                    self.para = Para::Undecided {
                        text,
                        line,
                        lines,
                        chars,
                        links,
                    };
                    self.resolve_abstract();
                    self.para = Para::None;
                } else if lines == 1 && is_chrome(&text) {
                    self.flush_pending();
                    self.flush(links, None);
                } else if lines == 1
                    && chars <= TITLE_MAX_CHARS
                    && text.chars().any(char::is_alphabetic)
                    && !text.trim_start().starts_with("http")
                {
                    self.flush_pending();
                    self.pending = Some(Pending {
                        title: text.trim().to_string(),
                        line,
                        links,
                    });
                } else {
                    self.flush_pending();
                    self.flush(links, self.current);
                }
            }
        }
    }

    /// The current (undecided) paragraph is an abstract.
    fn resolve_abstract(&mut self) {
        let Para::Undecided { text, links, .. } = std::mem::replace(&mut self.para, Para::None)
        else {
            return;
        };
        let paper = match self.pending.take() {
            Some(p) => {
                let index = self.papers;
                self.papers += 1;
                self.current = Some(index);
                self.claimed = false;
                (self.emit)(Event::Paper(PaperStart {
                    index,
                    title: p.title,
                    line: p.line,
                    section: String::new(),
                }));
                self.flush(p.links, Some(index));
                Some(index)
            }
            None => self.current,
        };
        self.flush(links, paper);
        if let Some(index) = paper
            && !self.claimed
            && claims_code(&text)
        {
            self.claimed = true;
            (self.emit)(Event::ClaimsCode { paper: index });
        }
        self.para = Para::Decided { paper };
        self.after_abstract = paper.is_some();
    }

    fn flush_pending(&mut self) {
        if let Some(p) = self.pending.take() {
            self.flush(p.links, self.current);
        }
    }

    fn flush(&mut self, links: Vec<Held>, paper: Option<usize>) {
        if !links.is_empty() && paper.is_some() && paper == self.current {
            // A claim only matters for papers without links: stop looking.
            self.claimed = true;
        }
        for h in links {
            (self.emit)(Event::Link(FoundLink {
                line: h.line,
                column: h.column,
                url: h.url,
                paper,
                role: h.role,
            }));
        }
    }

    fn finish(&mut self) {
        self.end_paragraph();
        self.flush_pending();
    }
}

/// Finds the links of one piece, with positions.
fn for_links(text: &str, line: usize, col0: usize, mut f: impl FnMut(Held)) {
    let bytes = text.as_bytes();
    let (mut last_b, mut last_c) = (0usize, 0usize);
    find_urls(text, |m| {
        last_c += count_chars(&bytes[last_b..m.start]);
        let role = role::classify(&[role::label_before(&text[last_b..m.start])], &m.url);
        last_b = m.start;
        f(Held {
            line,
            column: col0 + last_c + 1,
            url: m.url.into_owned(),
            role,
        });
    });
}

/// Once the page has shown its structure (a paper was found), a short
/// paragraph right after a title candidate is an abstract too when it reads
/// as a sentence (at least 3 words ending with sentence punctuation) or
/// holds a link ("Code: https://github.com/a/b").
pub(crate) fn is_short_abstract(text: &str) -> bool {
    let t = text.trim_end();
    t.contains("://")
        || t.contains("www.")
        || (t.split_whitespace().nth(2).is_some() && t.ends_with(['.', '!', '?', '。', '．']))
}

/// A title that the word count would call an abstract: under
/// [`ABSTRACT_CHARS`], no URL, no sentence break, and not ending like a
/// sentence (`.`) unless with an ellipsis (`...`, `…`). Only asked right
/// after an abstract, once a paper has been found.
pub(crate) fn is_long_title(text: &str, chars: usize) -> bool {
    let t = text.trim();
    let ellipsis = t.ends_with("...") || t.ends_with('…');
    let b = t.as_bytes();
    chars < ABSTRACT_CHARS
        && !t.contains("://")
        && !t.contains("www.")
        && (ellipsis || !t.ends_with(['.', '。', '．', '!']))
        && !b
            .windows(3)
            .any(|w| matches!(w[0], b'.' | b'!') && w[1] == b' ' && w[2].is_ascii_uppercase())
}

/// The abstract-like rule (see the module docs).
pub(crate) fn is_abstract_like(text: &str, chars: usize) -> bool {
    if chars >= ABSTRACT_CHARS {
        return true;
    }
    let words = text.split_whitespace().count();
    if words >= 20 {
        return true;
    }
    if words < 12 {
        return false;
    }
    let t = text.trim_end();
    if t.ends_with('.') || t.ends_with('。') || t.ends_with('．') {
        return true;
    }
    if t.rsplit(char::is_whitespace)
        .next()
        .is_some_and(|w| w.contains("://"))
    {
        return true;
    }
    let b = t.as_bytes();
    b.windows(3)
        .any(|w| matches!(w[0], b'.' | b'?' | b'!') && w[1] == b' ' && w[2].is_ascii_uppercase())
}

pub(crate) fn extract<R: BufRead>(
    reader: R,
    emit: &mut dyn FnMut(Event),
    notes: &mut Notes,
) -> std::io::Result<()> {
    let mut reader = BufReader::with_capacity(256 * 1024, reader);
    let mut st = State {
        emit,
        notes,
        papers: 0,
        current: None,
        claimed: false,
        after_abstract: false,
        pending: None,
        para: Para::None,
    };
    let mut buf: Vec<u8> = Vec::new();
    // How much of `buf` is known to hold no whitespace.
    let mut no_ws_upto = 0usize;
    let mut line_no = 1usize;
    let mut col0 = 0usize;
    let mut started = false;
    loop {
        let avail = match reader.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            if !buf.is_empty() || started {
                st.piece(line_no, strip_cr(&buf), col0, !started, true);
            }
            break;
        }
        match memchr::memchr(b'\n', avail) {
            Some(i) => {
                if buf.is_empty() {
                    st.piece(line_no, strip_cr(&avail[..i]), col0, !started, true);
                } else {
                    buf.extend_from_slice(&avail[..i]);
                    st.piece(line_no, strip_cr(&buf), col0, !started, true);
                    buf.clear();
                    no_ws_upto = 0;
                }
                reader.consume(i + 1);
                line_no += 1;
                col0 = 0;
                started = false;
            }
            None => {
                let n = avail.len();
                buf.extend_from_slice(avail);
                reader.consume(n);
                if buf.len() >= CHUNK {
                    let cut = match memchr::memrchr3(b' ', b'\t', b'\r', &buf[no_ws_upto..]) {
                        Some(k) => Some(no_ws_upto + k + 1),
                        None if buf.len() >= MAX_TOKEN => Some(char_boundary(&buf, MAX_TOKEN)),
                        None => {
                            no_ws_upto = buf.len();
                            None
                        }
                    };
                    if let Some(cut) = cut {
                        col0 += st.piece(line_no, &buf[..cut], col0, !started, false);
                        started = true;
                        buf.drain(..cut);
                        no_ws_upto = 0;
                    }
                }
            }
        }
    }
    st.finish();
    Ok(())
}

fn strip_cr(b: &[u8]) -> &[u8] {
    b.strip_suffix(b"\r").unwrap_or(b)
}

/// Largest index <= `at` that does not split a UTF-8 sequence (falls back
/// to `at` for invalid data).
fn char_boundary(b: &[u8], at: usize) -> usize {
    let at = at.min(b.len());
    (at.saturating_sub(3)..=at)
        .rev()
        .find(|&i| i == b.len() || (b[i] & 0xC0) != 0x80)
        .filter(|&i| i > 0)
        .unwrap_or(at)
}
