//! JSON and JSON Lines: Hugging Face daily-papers items (each item a
//! paper), and any other object, read by [`super::jsonwalk`] (every URL in
//! a string value a link, papers from `title`/`name` fields). Never does
//! I/O beyond the reader.
//!
//! Streaming: a small byte scanner (strings and escapes aware) cuts the
//! input into items, every object that is not inside another object (so an
//! array of items, JSON Lines and concatenated objects all work), and each
//! item is parsed on its own with serde_json: memory holds one item at a
//! time. Items larger than [`MAX_ITEM`] bytes, and items that do not parse,
//! are skipped.
//!
//! A daily-papers item has a `paper` object, or a `summary`, `githubRepo`
//! or `projectPage` field; an item without them that holds no URL is read
//! the same way (so `{"title": ".."}` is a paper without links).
//! An item is `{"paper": {"title", "summary", "id", "githubRepo"?,
//! "projectPage"?}, ...}`; each field may also sit at the item's top level
//! (the `paper` object wins). Items with neither title, summary nor id are
//! not papers. The title falls back to the id.
//!
//! Positions: the paper's line is the line of its `"title"` key (else of the
//! item's `{`). A URL of the summary is placed where its first characters
//! are written in the raw JSON after the `"summary"` key (exact unless JSON
//! escapes such as `\/` sit in those characters; then the summary value's
//! position). `githubRepo`/`projectPage` are placed at their value. An
//! item's links are emitted sorted by position. `githubRepo`/`projectPage`
//! URLs already in the summary (compared without scheme, `www.`, trailing
//! `/` or `.git`, case-insensitively) are not repeated.

use std::io::{BufRead, BufReader};

use serde_json::Value;

use super::claims::claims_code;
use super::clean::{clean_url, find_urls};
use super::decode::{Notes, decode};
use super::jsonwalk;
use super::pos::LineIndex;
use super::role::{self, Role};
use super::{Event, FoundLink, PaperStart};

/// Largest item kept (bytes).
pub(crate) const MAX_ITEM: usize = 64 << 20;

struct Item {
    bytes: Vec<u8>,
    line: usize,
    col: usize,
    too_big: bool,
}

pub(crate) fn extract<R: BufRead>(
    reader: R,
    emit: &mut dyn FnMut(Event),
    notes: &mut Notes,
) -> std::io::Result<()> {
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let (mut line, mut col) = (1usize, 1usize);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escape = false;
    let mut item: Option<Item> = None;
    let mut papers = 0usize;
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            break;
        }
        let n = buf.len();
        let mut seg_start = 0usize;
        for (i, &b) in buf.iter().enumerate() {
            if in_string {
                if escape {
                    escape = false;
                } else if b == b'\\' {
                    escape = true;
                } else if b == b'"' {
                    in_string = false;
                }
            } else {
                match b {
                    b'"' => in_string = true,
                    b'{' => {
                        if depth == 0 {
                            item = Some(Item {
                                bytes: Vec::new(),
                                line,
                                col,
                                too_big: false,
                            });
                            seg_start = i;
                        }
                        depth += 1;
                    }
                    b'}' if depth > 0 => {
                        depth -= 1;
                        if depth == 0
                            && let Some(mut it) = item.take()
                        {
                            push_bytes(&mut it, &buf[seg_start..=i]);
                            if !it.too_big {
                                papers += handle_item(&it, papers, emit, notes);
                            }
                        }
                    }
                    _ => {}
                }
            }
            if b == b'\n' {
                line += 1;
                col = 1;
            } else if (b & 0xC0) != 0x80 {
                col += 1;
            }
        }
        if let Some(it) = &mut item {
            push_bytes(it, &buf[seg_start..]);
        }
        reader.consume(n);
    }
    Ok(())
}

fn push_bytes(it: &mut Item, b: &[u8]) {
    if it.too_big || it.bytes.len() + b.len() > MAX_ITEM {
        it.too_big = true;
        it.bytes = Vec::new();
    } else {
        it.bytes.extend_from_slice(b);
    }
}

fn str_field<'v>(paper: &'v Value, item: &'v Value, key: &str) -> Option<&'v str> {
    paper
        .get(key)
        .and_then(Value::as_str)
        .or_else(|| item.get(key).and_then(Value::as_str))
        .filter(|s| !s.trim().is_empty())
}

fn norm(url: &str) -> String {
    let u = url.to_lowercase();
    let u = u.split_once("://").map(|(_, r)| r.to_string()).unwrap_or(u);
    let u = u.strip_prefix("www.").unwrap_or(&u);
    let u = u.trim_end_matches('/');
    u.strip_suffix(".git").unwrap_or(u).to_string()
}

/// A link found in an item: line, column, URL and role.
type ItemLink = (usize, usize, String, Role);

/// Where things are in one item's text: positions in the input, and the
/// offsets of keys and string values.
struct ItemText<'a> {
    it: &'a Item,
    text: &'a str,
    lines: LineIndex,
}

impl ItemText<'_> {
    /// Line and column in the input of byte offset `off` in the item.
    fn pos(&self, off: usize) -> (usize, usize) {
        let (l, c) = self.lines.pos(self.text, off);
        if l == 1 {
            (self.it.line, self.it.col + c - 1)
        } else {
            (self.it.line + l - 1, c)
        }
    }

    fn key_at(&self, key: &str) -> Option<usize> {
        self.text.find(&format!("\"{key}\""))
    }

    /// Offset of the string value following `"key"`.
    fn value_at(&self, key: &str) -> Option<usize> {
        let k = self.key_at(key)?;
        let after = k + key.len() + 2;
        let rest = self.text.get(after..)?;
        let q = rest.find('"')?;
        Some(after + q + 1)
    }
}

/// The events of [`jsonwalk::walk`] over one item.
struct WalkSink<'a, 'e> {
    at: &'a ItemText<'a>,
    base: usize,
    papers: usize,
    emit: &'e mut dyn FnMut(Event),
}

impl jsonwalk::Sink for WalkSink<'_, '_> {
    fn paper(&mut self, title: &str, at: usize) -> usize {
        let index = self.base + self.papers;
        self.papers += 1;
        (self.emit)(Event::Paper(PaperStart {
            index,
            title: title.to_string(),
            line: self.at.pos(at).0,
            section: String::new(),
        }));
        index
    }

    fn link(&mut self, (off, url, role): jsonwalk::Found, paper: Option<usize>) {
        let (line, column) = self.at.pos(off);
        (self.emit)(Event::Link(FoundLink {
            line,
            column,
            url,
            paper,
            role,
        }));
    }
}

/// Handles one item; returns the number of papers it gave (a daily-papers
/// item is one; any other object as many as [`jsonwalk`] finds).
fn handle_item(it: &Item, index: usize, emit: &mut dyn FnMut(Event), notes: &mut Notes) -> usize {
    let mut bad = Vec::new();
    let text = decode(&it.bytes, &mut bad);
    if !bad.is_empty() {
        notes.bad_offsets(&text, it.line - 1, &bad);
    }
    let Ok(v) = serde_json::from_str::<Value>(&text) else {
        return 0;
    };
    if !v.is_object() {
        return 0;
    }
    let nested = v.get("paper").filter(|p| p.is_object());
    let paper = nested.unwrap_or(&v);
    let at = ItemText {
        it,
        text: &text,
        lines: LineIndex::new(&text),
    };
    let daily = nested.is_some()
        || ["summary", "githubRepo", "projectPage"]
            .iter()
            .any(|k| str_field(paper, &v, k).is_some());
    if !daily {
        let mut sink = WalkSink {
            at: &at,
            base: index,
            papers: 0,
            emit: &mut *emit,
        };
        if jsonwalk::walk(&text, &mut sink) {
            return sink.papers;
        }
    }
    let title = str_field(paper, &v, "title");
    let summary = str_field(paper, &v, "summary").or_else(|| str_field(paper, &v, "abstract"));
    let id = str_field(paper, &v, "id");
    if title.is_none() && summary.is_none() && id.is_none() {
        return 0;
    }
    let paper_line = at.key_at("title").map(|o| at.pos(o).0).unwrap_or(it.line);
    emit(Event::Paper(PaperStart {
        index,
        title: title.or(id).unwrap_or("").trim().to_string(),
        line: paper_line,
        section: String::new(),
    }));
    let mut links: Vec<ItemLink> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    if let Some(summary) = summary {
        let skey = if str_field(paper, &v, "summary").is_some() {
            "summary"
        } else {
            "abstract"
        };
        summary_links(&at, summary, skey, &mut links, &mut seen);
    }
    field_links(&at, paper, &v, &mut links, &mut seen);
    links.sort_by_key(|(l, c, _, _)| (*l, *c));
    for (line, column, url, role) in links {
        emit(Event::Link(FoundLink {
            line,
            column,
            url,
            paper: Some(index),
            role,
        }));
    }
    if summary.is_some_and(claims_code) {
        emit(Event::ClaimsCode { paper: index });
    }
    1
}

/// The links written in the summary, each at its place in the input.
fn summary_links(
    at: &ItemText<'_>,
    summary: &str,
    skey: &str,
    links: &mut Vec<ItemLink>,
    seen: &mut Vec<String>,
) {
    let sval = at.value_at(skey).unwrap_or(0);
    let mut search_from = sval;
    find_urls(summary, |m| {
        let written = &summary[m.start..];
        let mut klen = written.len().min(16);
        while !written.is_char_boundary(klen) {
            klen -= 1;
        }
        let key = &written[..klen];
        let off = match at.text.get(search_from..).and_then(|r| r.find(key)) {
            Some(i) => {
                let found = search_from + i;
                search_from = found + key.len();
                found
            }
            None => sval,
        };
        let (l, c) = at.pos(off);
        seen.push(norm(&m.url));
        let role = role::classify(&[role::label_before(&summary[..m.start])], &m.url);
        links.push((l, c, m.url.into_owned(), role));
    });
}

/// The `githubRepo` and `projectPage` fields: a link each, unless the
/// summary already holds it (then that link takes the field's role).
fn field_links(
    at: &ItemText<'_>,
    paper: &Value,
    v: &Value,
    links: &mut Vec<ItemLink>,
    seen: &mut Vec<String>,
) {
    for key in ["githubRepo", "projectPage"] {
        let Some(value) = str_field(paper, v, key) else {
            continue;
        };
        let value = value.trim();
        let with_scheme;
        let candidate = if value.contains("://") || value.to_ascii_lowercase().starts_with("www.") {
            value
        } else {
            with_scheme = format!("https://{value}");
            &with_scheme
        };
        let Some((_, url)) = clean_url(candidate) else {
            continue;
        };
        let n = norm(&url);
        let label = if key == "githubRepo" {
            "code"
        } else {
            "project"
        };
        let role = role::classify(&[label], &url);
        // Seen in the summary already: one link, whose role the field
        // names (`seen` and `links` are pushed together).
        if let Some(i) = seen.iter().position(|s| *s == n) {
            if let Some(link) = links.get_mut(i) {
                link.3 = role;
            }
            continue;
        }
        seen.push(n);
        let (l, c) = at.pos(at.value_at(key).unwrap_or(0));
        links.push((l, c, url.into_owned(), role));
    }
}
