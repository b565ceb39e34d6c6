//! Markdown: link and image destinations, autolinks, bare URLs in text,
//! with positions mapped back to the source through pulldown-cmark offsets.
//! Fenced and indented code blocks are skipped. Reads the document in runs
//! of whole blocks of a few MiB ([`super::segments`]; a shorter document is
//! one run), so memory stays bounded whatever its size; never does other
//! I/O.
//!
//! # Paper attribution
//! The events are built into the small block tree of [`super::unit`] (one
//! top-level block at a time: headings, paragraphs, lists of items, tables
//! of cells), which decides the papers: table rows, list items, bold-title
//! paragraphs, and headings only when nothing finer is beneath them. Text
//! inside a link is not scanned again (its destination is the link). Raw
//! HTML is scanned for bare URLs like text; `<br>` is a line break.
//!
//! Positions: a destination is placed where its text occurs inside the
//! link's source range (else at the start of the link); a bare URL at its
//! exact place when the text event is a verbatim slice of the source, else
//! at the start of that text event (escapes, entities).

use std::io::BufRead;

use pulldown_cmark::{Event as Md, Options, Parser, Tag, TagEnd};

use super::Event;
use super::clean::{clean_url, find_urls};
use super::decode::{Notes, decode};
use super::pos::LineIndex;
use super::role::{label_before, label_info, label_role};
use super::segments::Runs;
use super::unit::{Assign, Block, Leaf, LinkAt};

/// Where `dest` is first written in a link's source `s` (`str::find`
/// without building a searcher: links are short).
fn dest_at(s: &str, dest: &str) -> Option<usize> {
    let (h, n) = (s.as_bytes(), dest.as_bytes());
    let first = *n.first()?;
    memchr::memchr_iter(first, h).find(|&i| h[i..].starts_with(n))
}

/// A piece of merged text: where it starts in the merged buffer and in the
/// source, and whether it is a verbatim copy of the source.
struct Piece {
    buf_at: usize,
    src_at: usize,
    exact: bool,
}

/// A leaf being read.
#[derive(Default)]
struct LeafB {
    leaf: Leaf,
    /// Text outside links, scanned for bare URLs, with its pieces.
    buf: String,
    pieces: Vec<Piece>,
    /// Open links: (index into `leaf.links` when it has a URL, where its
    /// text starts in `leaf.text`, whether it opens the leaf, whether it
    /// counts in `link_depth`, whether it is an image).
    links: Vec<(Option<usize>, usize, bool, bool, bool)>,
    /// Open bold/emphasis: where its text starts, whether it opens the leaf.
    strong: Vec<(usize, bool)>,
}

enum Frame {
    List(Vec<Vec<Block>>),
    Item(Vec<Block>),
    Table {
        head: Vec<Leaf>,
        rows: Vec<Vec<Leaf>>,
        row: Vec<Leaf>,
    },
}

struct Run<'d, 'a, 'e> {
    doc: &'d str,
    index: LineIndex,
    assign: &'a mut Assign<'e>,
    frames: Vec<Frame>,
    cur: Option<LeafB>,
    /// The scratch buffers of the last leaf, reused by the next.
    spare: Option<LeafB>,
    /// Inside a link/image with a URL destination: its text is not scanned.
    link_depth: usize,
    /// Inside an image: its alt text is not text (never a title).
    image_depth: usize,
    /// Inside an HTML comment, or a `<script>`/`<style>` element (its end
    /// tag's name), across HTML events.
    in_comment: bool,
    skip_until: Option<&'static str>,
}

impl Run<'_, '_, '_> {
    fn open_leaf(&mut self, offset: usize) {
        self.close_leaf();
        let line = self.index.line(offset);
        let mut b = self.spare.take().unwrap_or_default();
        b.leaf.line = line;
        self.cur = Some(b);
    }

    fn leaf(&mut self, offset: usize) -> &mut LeafB {
        if self.cur.is_none() {
            self.open_leaf(offset);
        }
        self.cur.get_or_insert_with(LeafB::default)
    }

    /// Ends the open leaf, filing it as a paragraph (table cells and
    /// headings are taken by their own end events first).
    fn close_leaf(&mut self) {
        if let Some(leaf) = self.take_leaf() {
            self.push_block(Block::Para(leaf));
        }
    }

    /// Takes the open leaf out; its scratch buffers are kept for the next.
    fn take_leaf(&mut self) -> Option<Leaf> {
        self.flush_text();
        let mut b = self.cur.take()?;
        // Links left open (a raw `<a>` never closed) end with their leaf.
        for &(_, _, _, counted, image) in &b.links {
            self.link_depth -= usize::from(counted).min(self.link_depth);
            self.image_depth -= usize::from(image).min(self.image_depth);
        }
        let leaf = std::mem::take(&mut b.leaf);
        b.buf.clear();
        b.pieces.clear();
        b.links.clear();
        b.strong.clear();
        self.spare = Some(b);
        Some(leaf)
    }

    fn push_block(&mut self, b: Block) {
        match self.frames.last_mut() {
            Some(Frame::Item(blocks)) => blocks.push(b),
            Some(Frame::List(items)) => items.push(vec![b]),
            Some(Frame::Table { row, .. }) => {
                if let Block::Para(l) = b {
                    row.push(l);
                }
            }
            None => self.assign.block(b),
        }
    }

    fn push_text(&mut self, text: &str, range: std::ops::Range<usize>, scan: bool) {
        let doc = self.doc;
        let b = self.leaf(range.start);
        b.leaf.text.push_str(text);
        if !scan {
            return;
        }
        let exact = doc.get(range.clone()) == Some(text);
        b.pieces.push(Piece {
            buf_at: b.buf.len(),
            src_at: range.start,
            exact,
        });
        b.buf.push_str(text);
    }

    fn flush_text(&mut self) {
        let Some(b) = self.cur.as_mut() else { return };
        if b.buf.is_empty() {
            return;
        }
        let buf = std::mem::take(&mut b.buf);
        let pieces = std::mem::take(&mut b.pieces);
        let (doc, index) = (self.doc, &self.index);
        find_urls(&buf, |m| {
            let i = pieces.partition_point(|p| p.buf_at <= m.start).max(1) - 1;
            let p = &pieces[i];
            let src = if p.exact {
                p.src_at + (m.start - p.buf_at)
            } else {
                p.src_at
            };
            let (line, column) = index.pos(doc, src);
            b.leaf.links.push(LinkAt {
                line,
                column,
                label: label_role(label_before(&buf[..m.start])),
                url: m.url.into_owned(),
            });
        });
        let mut buf = buf;
        buf.clear();
        b.buf = buf;
    }

    /// `def`: the span of a reference link's definition, where its URL is
    /// placed when written there as-is. An image's source has the role
    /// `image`; it never opens the leaf and its alt text is not text.
    fn start_link(
        &mut self,
        dest: &str,
        range: std::ops::Range<usize>,
        def: Option<std::ops::Range<usize>>,
        image: bool,
    ) {
        self.flush_text();
        self.leaf(range.start);
        let link_depth = self.link_depth;
        let (doc, index) = (self.doc, &self.index);
        let Some(b) = self.cur.as_mut() else { return };
        let opens = !image && b.leaf.at_open();
        let text_at = b.leaf.text.len();
        let mut slot = None;
        if let Some((lead, url)) = clean_url(dest) {
            let within = |r: &std::ops::Range<usize>| {
                doc.get(r.clone())
                    .and_then(|s| dest_at(s, dest))
                    .map(|i| r.start + i + lead)
            };
            let src = def
                .as_ref()
                .and_then(within)
                .or_else(|| within(&range))
                .unwrap_or(range.start);
            let (line, column) = index.pos(doc, src);
            slot = Some(b.leaf.push_link(line, column, url.into_owned(), image));
        }
        let counted = slot.is_some() || link_depth > 0;
        b.links.push((slot, text_at, opens, counted, image));
        if counted {
            self.link_depth += 1;
        }
        if image {
            self.image_depth += 1;
        }
    }

    fn end_link(&mut self) {
        self.flush_text();
        let Some(b) = self.cur.as_mut() else { return };
        let Some((slot, at, opens, counted, image)) = b.links.pop() else {
            return;
        };
        if image {
            self.image_depth = self.image_depth.saturating_sub(1);
            self.link_depth = self.link_depth.saturating_sub(usize::from(counted));
            return;
        }
        let text = b.leaf.text.get(at..).unwrap_or("");
        // A link that opens the leaf with a title's text names no role.
        let (role, label) = label_info(text);
        let titled = opens && !label;
        if let Some(role) = slot.filter(|_| !titled).and(role) {
            b.leaf.links[slot.unwrap_or(0)].label = Some(role);
        }
        if counted {
            self.link_depth = self.link_depth.saturating_sub(1);
        }
        if opens && b.links.is_empty() {
            b.leaf.set_link_open(at);
        }
    }

    fn start_strong(&mut self, offset: usize) {
        self.flush_text();
        let b = self.leaf(offset);
        let opens = b.leaf.at_open() && !b.leaf.has_strong_open();
        let at = b.leaf.text.len();
        b.strong.push((at, opens));
    }

    fn end_strong(&mut self) {
        self.flush_text();
        let Some(b) = self.cur.as_mut() else { return };
        if let Some((at, true)) = b.strong.pop() {
            b.leaf.set_strong_open(at);
        }
    }

    fn start_block(&mut self, tag: &Tag, offset: usize) {
        match tag {
            Tag::Paragraph | Tag::Heading { .. } | Tag::HtmlBlock => self.open_leaf(offset),
            Tag::TableCell => {
                self.close_leaf();
                self.open_leaf(offset);
            }
            Tag::List(_) => {
                self.close_leaf();
                self.frames.push(Frame::List(Vec::new()));
            }
            Tag::Item => {
                self.close_leaf();
                self.frames.push(Frame::Item(Vec::new()));
            }
            Tag::Table(_) => {
                self.close_leaf();
                self.frames.push(Frame::Table {
                    head: Vec::new(),
                    rows: Vec::new(),
                    row: Vec::new(),
                });
            }
            _ => self.flush_text(),
        }
    }

    fn end_block(&mut self, end: &TagEnd) {
        match end {
            TagEnd::Heading(level) => {
                if let Some(leaf) = self.take_leaf() {
                    self.push_block(Block::Heading(*level as u8, leaf));
                }
            }
            TagEnd::Paragraph | TagEnd::HtmlBlock | TagEnd::TableCell => self.close_leaf(),
            TagEnd::Item => {
                self.close_leaf();
                if let Some(Frame::Item(blocks)) = self.frames.pop() {
                    if let Some(Frame::List(items)) = self.frames.last_mut() {
                        items.push(blocks);
                    } else {
                        self.push_block(Block::List(vec![blocks]));
                    }
                }
            }
            TagEnd::List(_) => {
                self.close_leaf();
                if let Some(Frame::List(items)) = self.frames.pop() {
                    self.push_block(Block::List(items));
                }
            }
            TagEnd::TableHead | TagEnd::TableRow => {
                self.close_leaf();
                if let Some(Frame::Table { head, rows, row }) = self.frames.last_mut() {
                    let cells = std::mem::take(row);
                    if matches!(end, TagEnd::TableHead) {
                        *head = cells;
                    } else {
                        rows.push(cells);
                    }
                }
            }
            TagEnd::Table => {
                self.close_leaf();
                if let Some(Frame::Table { head, rows, .. }) = self.frames.pop() {
                    self.push_block(Block::Table { head, rows });
                }
            }
            _ => self.flush_text(),
        }
    }

    /// Raw HTML (a block's line or an inline tag): text between tags is
    /// text; `<a href>` a link whose text follows, `<img src>` an image,
    /// `<br>` a line break; comments, `<script>`/`<style>` contents and
    /// other tags' URLs (`<link>`, `<meta>`, ...) are not links.
    fn html(&mut self, t: &str, range: std::ops::Range<usize>) {
        self.flush_text();
        let b = t.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if self.in_comment {
                let Some(j) = memchr::memmem::find(&b[i..], b"-->") else {
                    return;
                };
                self.in_comment = false;
                i += j + 3;
                continue;
            }
            if let Some(name) = self.skip_until {
                let Some(j) = find_end_tag(&b[i..], name) else {
                    return;
                };
                self.skip_until = None;
                i += j;
                continue;
            }
            // A `<` that opens no tag (`a < b`) is text.
            let j = memchr::memchr_iter(b'<', &b[i..])
                .map(|j| i + j)
                .find(|&j| {
                    b.get(j + 1)
                        .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'/' | b'!'))
                })
                .unwrap_or(b.len());
            if j > i {
                let at = range.start + i;
                let scan = self.link_depth == 0;
                self.push_text(&t[i..j], at..at + (j - i), scan);
                self.flush_text();
            }
            if j >= b.len() {
                break;
            }
            if b[j..].starts_with(b"<!--") {
                self.in_comment = true;
                i = j + 4;
                continue;
            }
            let end = tag_end(&b[j..]).map_or(b.len(), |e| j + e + 1);
            self.html_tag(&t[j..end], range.start + j);
            i = end;
        }
    }

    /// One raw HTML tag, `tag` at byte `at` of the document.
    fn html_tag(&mut self, tag: &str, at: usize) {
        let (name, closing) = tag_name(tag);
        match (name.as_str(), closing) {
            ("br", _) => {
                let b = self.leaf(at);
                b.leaf.text.push('\n');
            }
            ("a" | "area", false) => {
                if let Some(href) = attr_value(tag, "href") {
                    self.start_link(href, at..at + tag.len(), None, false);
                }
            }
            ("a", true) if self.cur.as_ref().is_some_and(|b| !b.links.is_empty()) => {
                self.end_link()
            }
            ("img", false) => {
                if let Some(src) = attr_value(tag, "src") {
                    self.start_link(src, at..at + tag.len(), None, true);
                    self.end_link();
                }
            }
            ("script", false) if !tag.ends_with("/>") => self.skip_until = Some("script"),
            ("style", false) if !tag.ends_with("/>") => self.skip_until = Some("style"),
            (
                "p" | "div" | "tr" | "td" | "th" | "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
                | "table" | "ul" | "ol",
                _,
            ) => {
                if let Some(b) = self.cur.as_mut()
                    && !b.leaf.text.ends_with('\n')
                    && !b.leaf.text.is_empty()
                {
                    b.leaf.text.push('\n');
                }
            }
            _ => {}
        }
    }
}

/// Where a tag starting at `b[0] == b'<'` ends (its `>`, outside quotes).
fn tag_end(b: &[u8]) -> Option<usize> {
    let mut quote = None;
    for (i, &c) in b.iter().enumerate().skip(1) {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(c),
            (None, b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// A tag's name, lower-cased, and whether it is an end tag.
fn tag_name(tag: &str) -> (String, bool) {
    let rest = &tag[1.min(tag.len())..];
    let (rest, closing) = match rest.strip_prefix('/') {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let name: String = rest
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (name, closing)
}

/// The value of attribute `name` in a start tag (quoted or not).
fn attr_value<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let lower = tag.to_ascii_lowercase();
    let b = lower.as_bytes();
    let mut from = 0;
    while let Some(k) = lower[from..].find(name) {
        let i = from + k;
        from = i + name.len();
        let before_ok = i > 0 && b[i - 1].is_ascii_whitespace();
        let rest = lower[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let v = from + (lower[from..].len() - rest.len()) + 1;
        let v = v + (lower[v..].len() - lower[v..].trim_start().len());
        return Some(match b.get(v) {
            Some(&q @ (b'"' | b'\'')) => {
                let end = memchr::memchr(q, &b[v + 1..]).map_or(b.len(), |e| v + 1 + e);
                &tag[v + 1..end]
            }
            _ => {
                let end = b[v..]
                    .iter()
                    .position(|c| c.is_ascii_whitespace() || *c == b'>')
                    .map_or(b.len(), |e| v + e);
                &tag[v..end]
            }
        });
    }
    None
}

/// Just past the end tag `</name>` in `b` (ASCII case-insensitive).
fn find_end_tag(b: &[u8], name: &str) -> Option<usize> {
    let n = name.len();
    memchr::memmem::find_iter(b, b"</")
        .find(|&i| {
            b.get(i + 2..i + 2 + n)
                .is_some_and(|w| w.eq_ignore_ascii_case(name.as_bytes()))
        })
        .map(|i| tag_end(&b[i..]).map_or(b.len(), |e| i + e + 1))
}

/// Extracts from a stream in runs of whole blocks ([`super::segments`]):
/// a document up to [`super::segments::RUN_BYTES`] is parsed whole, a
/// longer one run by run, papers and sections carried across runs.
pub(crate) fn extract<R: BufRead>(
    reader: R,
    emit: &mut dyn FnMut(Event),
    notes: &mut Notes,
) -> std::io::Result<()> {
    extract_runs(Runs::new(reader), emit, notes)
}

fn extract_runs<R: BufRead>(
    mut runs: Runs<R>,
    emit: &mut dyn FnMut(Event),
    notes: &mut Notes,
) -> std::io::Result<()> {
    let mut assign = Assign::new(emit);
    let mut buf = Vec::new();
    let mut bad = Vec::new();
    let mut base = 0;
    while runs.next_run(&mut buf)? {
        let text = decode(&buf, &mut bad);
        if !bad.is_empty() {
            notes.bad_offsets(&text, base, &bad);
            bad.clear();
        }
        base = parse_run(&text, base, &mut assign);
    }
    assign.finish();
    Ok(())
}

/// Parses one run whose first line is line `base + 1`, filing its blocks
/// through `assign`; returns the base of the next run.
fn parse_run(doc: &str, base: usize, assign: &mut Assign<'_>) -> usize {
    let index = LineIndex::with_base(doc, base);
    let next = base + index.breaks();
    let mut r = Run {
        doc,
        index,
        assign,
        frames: Vec::new(),
        cur: None,
        spare: None,
        link_depth: 0,
        image_depth: 0,
        in_comment: false,
        skip_until: None,
    };
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut code_depth = 0usize;
    let mut events = Parser::new_ext(doc, opts).into_offset_iter();
    while let Some((ev, range)) = events.next() {
        match ev {
            Md::Start(Tag::CodeBlock(_)) => {
                r.flush_text();
                code_depth += 1;
            }
            Md::End(TagEnd::CodeBlock) => code_depth = code_depth.saturating_sub(1),
            _ if code_depth > 0 => {}
            Md::Start(
                ref tag @ (Tag::Link {
                    ref dest_url,
                    ref id,
                    ..
                }
                | Tag::Image {
                    ref dest_url,
                    ref id,
                    ..
                }),
            ) => {
                // A reference link's URL is written in its definition.
                let def = (!id.is_empty())
                    .then(|| events.reference_definitions().get(id))
                    .flatten()
                    .map(|d| d.span.clone());
                let image = matches!(tag, Tag::Image { .. });
                r.start_link(dest_url, range, def, image)
            }
            Md::End(TagEnd::Link | TagEnd::Image) => r.end_link(),
            Md::Start(Tag::Strong | Tag::Emphasis) => r.start_strong(range.start),
            Md::End(TagEnd::Strong | TagEnd::Emphasis) => r.end_strong(),
            Md::Start(tag) => r.start_block(&tag, range.start),
            Md::End(end) => r.end_block(&end),
            Md::Text(_) | Md::Code(_) if r.image_depth > 0 => {}
            Md::Text(t) | Md::Code(t) => {
                let scan = r.link_depth == 0;
                r.push_text(&t, range, scan);
            }
            Md::Html(t) | Md::InlineHtml(t) => r.html(&t, range),
            Md::SoftBreak | Md::HardBreak => {
                r.flush_text();
                if let Some(b) = r.cur.as_mut() {
                    b.leaf.text.push('\n');
                }
            }
            _ => {}
        }
    }
    r.close_leaf();
    while let Some(f) = r.frames.pop() {
        match f {
            Frame::Item(blocks) => r.push_block(Block::List(vec![blocks])),
            Frame::List(items) => r.push_block(Block::List(items)),
            Frame::Table { head, rows, .. } => r.push_block(Block::Table { head, rows }),
        }
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(doc: &str, target: usize) -> Vec<Event> {
        let mut all = Vec::new();
        let runs = Runs::with_sizes(doc.as_bytes(), target, 1 << 20);
        extract_runs(runs, &mut |e| all.push(e), &mut Notes::default()).unwrap();
        all
    }

    /// Issue 25: a reference link is placed at its definition's URL (what
    /// `fix` rewrites), an inline one at its destination.
    #[test]
    fn reference_links_are_placed_at_their_definition() {
        let doc = "- [Code][r] and [x](https://a.org/y)\n\n[r]: <https://a.org/x>\n";
        let links: Vec<_> = events(doc, 1 << 20)
            .into_iter()
            .filter_map(|e| match e {
                Event::Link(l) => Some((l.line, l.column, l.url)),
                _ => None,
            })
            .collect();
        assert_eq!(
            links,
            [
                (3, 7, "https://a.org/x".to_string()),
                (1, 21, "https://a.org/y".to_string())
            ]
        );
    }

    /// The same events whether the document is parsed whole or run by run
    /// (every block boundary a cut): papers carried across runs, lines
    /// counted from the document's start.
    #[test]
    fn runs_give_the_events_of_the_whole_document() {
        let doc = "# List\n\n## Vision\n\n**Paper One**\n\n- Paper: https://arxiv.org/abs/1\n\n- Code: https://github.com/a/one\n\n\
                   **Paper Two**\n- Code: None\n\n| Title | Code |\n|---|---|\n| Three | [code](https://github.com/a/three) |\n\n\
                   ```\nhttps://in.code/x\n\nhttps://still.code/y\n```\n\n\
                   - [Four](https://arxiv.org/abs/4) [[code]](https://github.com/a/four)\n\n\
                   - [Five](https://arxiv.org/abs/5)\n\n  Code: https://github.com/a/five\n\n## Five-section\n\nSix: https://x.org/6\n";
        let whole = events(doc, 1 << 20);
        let cut = events(doc, 1);
        assert_eq!(cut, whole);
        let links: Vec<_> = whole
            .iter()
            .filter_map(|e| match e {
                Event::Link(l) => Some((l.line, l.url.as_str(), l.paper)),
                _ => None,
            })
            .collect();
        assert_eq!(links.len(), 8, "{links:?}");
        assert!(
            links.contains(&(24, "https://github.com/a/four", Some(2))),
            "{links:?}"
        );
        assert!(
            links.contains(&(28, "https://github.com/a/five", Some(3))),
            "{links:?}"
        );
        assert!(!links.iter().any(|(_, u, _)| u.contains(".code/")));
    }
}
