//! HTML: `href`/`src` attribute URLs and bare URLs in text (html5gum
//! tokenizer, read through its callback events: no token is built per tag
//! or text run, only `href`/`src` values are kept). `script`, `style` and `template` contents are skipped; text
//! inside an `<a href=URL>` is not scanned again (the attribute is the
//! link). Reads the document whole (decoded lossily) and never does other
//! I/O.
//!
//! # Paper attribution
//! Elements are built into the block tree of [`super::unit`], which decides
//! the papers: `<h1>`-`<h6>` are headings; `<p>` and loose text are
//! paragraphs; `<ul>`/`<ol>` and `<li>` lists of items; `<table>`, `<tr>`,
//! `<td>`/`<th>` tables (a first row of `<th>` cells is the header); a
//! `<dt>` and the `<dd>`s after it, and an `<article>` or `<div>` holding
//! no finer unit and exactly one heading (or one title element, or opening
//! with a paragraph of bold text only, with links after it) are cards (that
//! heading, element, paragraph or `<dt>` is the title). `<b>`/`<strong>`/`<em>`/`<i>` count as bold text; `<br>` is
//! a line break.
//!
//! Positions: an attribute URL at its place in the attribute value (the
//! value's start when entities change its length); a text URL at its place
//! in the source when the text is verbatim, else where its text is found in
//! the raw source of that text run, else at the run's start.

use std::convert::Infallible;

use html5gum::emitters::callback::{Callback, CallbackEmitter, CallbackEvent};
use html5gum::{Emitter, ForwardingEmitter, Span, Tokenizer};

use super::Event;
use super::clean::{clean_url, find_urls};
use super::pos::LineIndex;
use super::role::{is_label, label_before, label_info, label_role};
use super::unit::{Assign, Block, Leaf, LinkAt, any_links, holds_units, list_leaves};

/// A leaf being read: open links (index into `leaf.links`, where its text
/// starts, whether it opens the leaf) and open bold elements.
#[derive(Default)]
struct LeafB {
    leaf: Leaf,
    links: Vec<(Option<usize>, usize, bool)>,
    strong: Vec<(usize, bool)>,
}

/// An `href`, `src` or `class` attribute of the tag being read: its value
/// and span (from the attribute name to the end of the value), the first
/// of each name only (as html5gum's default emitter keeps them).
#[derive(Default)]
struct Attr {
    set: bool,
    value: Vec<u8>,
    start: usize,
    end: usize,
}

/// The tag being read from html5gum's callback events (its buffers reused
/// from tag to tag): name, where it starts, `href` and `src`.
#[derive(Default)]
struct Tag {
    name: Vec<u8>,
    start: usize,
    self_closing: bool,
    /// `href`, `src`, `class`.
    attrs: [Attr; 3],
    /// Which of `attrs` the current attribute's value goes to.
    current: Option<usize>,
}

impl Tag {
    fn reset_attrs(&mut self) {
        self.attrs.iter_mut().for_each(|a| a.set = false);
        self.current = None;
    }
}

/// A table's rows so far: a row of cells, or the blocks of a layout row
/// (one holding a finer unit: an inner table, a card, a list of papers).
enum Part {
    Row(Vec<Leaf>),
    Blocks(Vec<Block>),
}

/// An open title element (`<papertitle>`, `class="...title..."`): its
/// name, how many elements of that name opened inside it, the leaf it
/// started in (the count of leaves taken before it) and where.
struct Mark {
    name: Vec<u8>,
    nested: usize,
    leaf: usize,
    at: usize,
}

enum Frame {
    List(Vec<Vec<Block>>),
    Item(Vec<Block>),
    Table {
        head: Vec<Leaf>,
        parts: Vec<Part>,
        row: Vec<Leaf>,
        /// The current row's blocks once it holds a finer unit.
        layout: Option<Vec<Block>>,
        header_row: bool,
    },
    /// `<div>`/`<article>`: a card if it ends holding one heading.
    Div(Vec<Block>),
    /// `<dt>` + `<dd>`s: title, content.
    Term(Option<Leaf>, Vec<Block>),
}

struct Run<'d, 'e> {
    doc: &'d str,
    index: LineIndex,
    assign: Assign<'e>,
    frames: Vec<Frame>,
    cur: Option<LeafB>,
    /// The scratch vectors of the last leaf, reused by the next.
    spare: Option<LeafB>,
    /// Inside an `<a href=URL>`: its text is not scanned.
    anchor_depth: usize,
    /// The `<dt>` text is being read.
    in_term: bool,
    /// Open title elements.
    marks: Vec<Mark>,
    /// Leaves taken so far (which leaf a title element is in).
    taken: usize,
}

fn is_heading(name: &[u8]) -> Option<u8> {
    match name {
        [b'h', d @ b'1'..=b'6'] => Some(d - b'0'),
        _ => None,
    }
}

/// Elements whose start or end ends the current paragraph.
fn is_block(name: &[u8]) -> bool {
    matches!(
        name,
        b"p" | b"div"
            | b"section"
            | b"article"
            | b"header"
            | b"footer"
            | b"nav"
            | b"main"
            | b"aside"
            | b"blockquote"
            | b"body"
            | b"html"
            | b"hr"
            | b"pre"
            | b"figure"
    )
}

/// Bytes as text, invalid sequences replaced (as `String::from_utf8_lossy`;
/// `str::from_utf8`'s check first, which is faster on valid text).
fn lossy(b: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

/// html5gum's attribute span runs from the attribute name to the end of the
/// value: the value starts after `=`, blanks and an opening quote.
fn value_start(doc: &str, start: usize, end: usize) -> usize {
    let raw = doc.as_bytes().get(start..end.min(doc.len())).unwrap_or(&[]);
    let Some(eq) = memchr::memchr(b'=', raw) else {
        return start;
    };
    let mut i = eq + 1;
    while i < raw.len() && raw[i].is_ascii_whitespace() {
        i += 1;
    }
    if i < raw.len() && (raw[i] == b'"' || raw[i] == b'\'') {
        i += 1;
    }
    start + i
}

/// Whether a div's blocks make a card, and which block is its title: no
/// finer unit (nor two paragraphs opening with a bold title, each with
/// links or bold only), and exactly one heading, or else exactly one
/// paragraph holding a title element (`class="title"`) and links in the
/// div, or else a first paragraph of bold text only and links after it.
fn card_title(blocks: &[Block]) -> Option<usize> {
    let bold_only = |l: &Leaf| {
        l.strong_open().is_some_and(|t| {
            t.trim() == l.text.trim() && !is_label(t) && t.chars().any(char::is_alphabetic)
        })
    };
    let finer = blocks.iter().any(|b| match b {
        Block::Table { .. } | Block::Card(..) => true,
        Block::List(items) => items.iter().any(|it| {
            it.iter()
                .any(|b| matches!(b, Block::Para(l) if l.strong_open().or(l.link_open()).is_some_and(|t| !is_label(t))))
        }),
        _ => false,
    });
    // Two paragraphs or more opening with a bold title and holding links
    // (`<h2>Publications</h2><p><b>A</b><br>authors<br><a>pdf</a></p><p>
    // <b>B</b>...`): a list of papers, not one card.
    let titled = blocks
        .iter()
        .filter(|b| {
            matches!(b, Block::Para(l) if (!l.links.is_empty() || bold_only(l))
                && l.strong_open().is_some_and(|t| !is_label(t)))
        })
        .count();
    if finer || titled >= 2 {
        return None;
    }
    let mut heads = blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| matches!(b, Block::Heading(..)));
    if let Some((i, _)) = heads.next() {
        return heads.next().is_none().then_some(i);
    }
    let mut marked = blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| matches!(b, Block::Para(l) if l.marked().is_some()));
    if let Some((i, _)) = marked.next() {
        return (marked.next().is_none() && blocks.len() > 1 && any_links(blocks)).then_some(i);
    }
    // A first paragraph that is bold text only (`<font size="4"><b>Title
    // </b></font><br>`), with links in the blocks after it: an entry of a
    // homepage's publication list (issue 22); a bold name among the authors
    // below it is not a title.
    // (Not when another such paragraph follows: a div of several papers,
    // `<p><b>A</b></p> links <p><b>B</b></p> links`, counted above.)
    match blocks {
        [Block::Para(l), rest @ ..] if bold_only(l) && any_links(rest) => Some(0),
        _ => None,
    }
}

/// A block inside a table cell: a paragraph is a cell; a heading a cell
/// whose text is the title; a list of links its leaves; a finer unit makes
/// the row a layout row, whose content is then kept as blocks.
fn cell_block(row: &mut Vec<Leaf>, layout: &mut Option<Vec<Block>>, b: Block) {
    if let Some(blocks) = layout {
        blocks.push(b);
        return;
    }
    match b {
        Block::Para(l) => row.push(l),
        Block::Heading(_, mut l) => {
            l.set_marked(0);
            row.push(l);
        }
        b if holds_units(&b) => {
            let mut blocks: Vec<Block> = row.drain(..).map(Block::Para).collect();
            blocks.push(b);
            *layout = Some(blocks);
        }
        Block::List(items) => list_leaves(items, row),
        // Tables and cards always hold units.
        Block::Table { .. } | Block::Card(..) => {}
    }
}

impl Run<'_, '_> {
    fn leaf(&mut self, offset: usize) -> &mut LeafB {
        if self.cur.is_none() {
            let line = self.index.line(offset);
            let mut b = self.spare.take().unwrap_or_default();
            b.leaf.line = line;
            self.cur = Some(b);
        }
        self.cur.get_or_insert_with(LeafB::default)
    }

    /// Takes the open leaf out; its scratch vectors are kept for the next.
    fn take_leaf(&mut self) -> Option<Leaf> {
        let mut b = self.cur.take()?;
        self.taken += 1;
        let leaf = std::mem::take(&mut b.leaf);
        b.links.clear();
        b.strong.clear();
        self.spare = Some(b);
        Some(leaf)
    }

    fn close_leaf(&mut self) {
        if let Some(leaf) = self.take_leaf() {
            if self.in_term
                && let Some(Frame::Term(title @ None, _)) = self.frames.last_mut()
            {
                *title = Some(leaf);
                return;
            }
            self.push_block(Block::Para(leaf));
        }
    }

    fn push_block(&mut self, b: Block) {
        match self.frames.last_mut() {
            Some(Frame::Item(blocks) | Frame::Div(blocks) | Frame::Term(_, blocks)) => {
                blocks.push(b)
            }
            Some(Frame::List(items)) => items.push(vec![b]),
            Some(Frame::Table { row, layout, .. }) => cell_block(row, layout, b),
            None => self.assign.block(b),
        }
    }

    fn text(&mut self, text: &str, span: std::ops::Range<usize>) {
        if self.cur.is_none() && text.trim().is_empty() {
            return;
        }
        let scan = self.anchor_depth == 0;
        self.leaf(span.start);
        let (doc, index) = (self.doc, &self.index);
        let Some(b) = self.cur.as_mut() else { return };
        let before = b.leaf.text.len();
        b.leaf.text.push_str(text);
        if !scan {
            return;
        }
        let raw = doc.get(span.clone()).unwrap_or("");
        let exact = raw == text;
        let mut search_from = 0usize;
        let (all, links) = (&b.leaf.text, &mut b.leaf.links);
        find_urls(text, |m| {
            let off = if exact {
                span.start + m.start
            } else {
                // Entities changed the text: find the URL as written in the
                // raw source (its first characters, up to any `&`).
                let written = &text[m.start..];
                let mut klen = written.len().min(16);
                while !written.is_char_boundary(klen) {
                    klen -= 1;
                }
                let key = written[..klen].split('&').next().unwrap_or("");
                match raw.get(search_from..).and_then(|r| r.find(key)) {
                    Some(i) if !key.is_empty() => {
                        let at = search_from + i;
                        search_from = at + key.len();
                        span.start + at
                    }
                    _ => span.start,
                }
            };
            let (line, column) = index.pos(doc, off);
            links.push(LinkAt {
                line,
                column,
                label: label_role(label_before(&all[..before + m.start])),
                url: m.url.into_owned(),
            });
        });
    }

    /// The link a tag gives: `href` of `<a>`/`<area>` (what a reader can
    /// follow), `src` of `<img>` (role `image`). Other tags' URLs
    /// (`<link>`, `<script src>`, `<iframe>`, ...) are resources, not links.
    fn attr_links(&mut self, tag: &Tag) -> Option<usize> {
        let image = match tag.name.as_slice() {
            b"a" | b"area" => false,
            b"img" => true,
            _ => return None,
        };
        let value = &tag.attrs[usize::from(image)];
        if !value.set {
            return None;
        }
        let text = lossy(&value.value);
        let (lead, url) = clean_url(&text)?;
        let at = value_start(self.doc, value.start, value.end);
        let exact = self.doc.get(at..).is_some_and(|r| r.starts_with(&*text));
        let off = if exact { at + lead } else { at };
        let url = url.into_owned();
        let (line, column) = self.index.pos(self.doc, off);
        Some(
            self.leaf(tag.start)
                .leaf
                .push_link(line, column, url, image),
        )
    }

    /// A title element opens (`<papertitle>`, `class="...title..."`), or
    /// one of the same name opens inside an open one.
    fn start_mark(&mut self, tag: &Tag) {
        let name: &[u8] = &tag.name;
        for m in self.marks.iter_mut().filter(|m| m.name == name) {
            m.nested += 1;
        }
        let class = &tag.attrs[2];
        let titled = name == b"papertitle"
            || (class.set
                && class
                    .value
                    .windows(5)
                    .any(|w| w.eq_ignore_ascii_case(b"title")));
        if titled && !tag.self_closing {
            let at = self.cur.as_ref().map_or(0, |b| b.leaf.text.len());
            self.marks.push(Mark {
                name: name.to_vec(),
                nested: 0,
                leaf: self.taken,
                at,
            });
        }
    }

    /// An end tag closes the innermost open title element of its name: the
    /// text since its start is the leaf's title (when still in that leaf).
    fn end_mark(&mut self, name: &[u8]) {
        let Some(i) = self.marks.iter().rposition(|m| m.name == name) else {
            return;
        };
        if self.marks[i].nested > 0 {
            self.marks[i].nested -= 1;
            return;
        }
        let m = self.marks.remove(i);
        if m.leaf == self.taken
            && let Some(b) = self.cur.as_mut()
        {
            b.leaf.set_marked(m.at);
        }
    }

    fn start_tag(&mut self, tag: &Tag) {
        let name: &[u8] = &tag.name;
        let at = tag.start;
        if is_block(name) || is_heading(name).is_some() || self.structural(name) {
            self.close_leaf();
        }
        if !self.marks.is_empty() || tag.attrs[2].set || name == b"papertitle" {
            self.start_mark(tag);
        }
        match name {
            b"ul" | b"ol" => self.frames.push(Frame::List(Vec::new())),
            b"li" => {
                if matches!(self.frames.last(), Some(Frame::Item(_))) {
                    self.end_tag(b"li");
                }
                self.frames.push(Frame::Item(Vec::new()))
            }
            b"tr" => {
                if matches!(self.frames.last(), Some(Frame::Table { row, layout, .. }) if !row.is_empty() || layout.is_some())
                {
                    self.end_tag(b"tr");
                }
            }
            b"table" => self.frames.push(Frame::Table {
                head: Vec::new(),
                parts: Vec::new(),
                row: Vec::new(),
                layout: None,
                header_row: true,
            }),
            b"td" => {
                if let Some(Frame::Table { header_row, .. }) = self.frames.last_mut() {
                    *header_row = false;
                }
            }
            b"div" | b"article" => self.frames.push(Frame::Div(Vec::new())),
            b"dt" => {
                self.end_term();
                self.frames.push(Frame::Term(None, Vec::new()));
                self.in_term = true;
            }
            b"br" => self.leaf(at).leaf.text.push('\n'),
            b"b" | b"strong" | b"em" | b"i" => {
                let b = self.leaf(at);
                let opens = b.leaf.at_open() && !b.leaf.has_strong_open();
                let t = b.leaf.text.len();
                b.strong.push((t, opens));
            }
            _ => {}
        }
        let anchor = name == b"a" && !tag.self_closing;
        let opens = anchor && self.cur.as_ref().is_none_or(|b| b.leaf.at_open());
        let slot = self.attr_links(tag);
        if anchor {
            let b = self.leaf(at);
            let t = b.leaf.text.len();
            b.links.push((slot, t, opens));
            if slot.is_some() {
                self.anchor_depth += 1;
            }
        }
    }

    fn structural(&self, name: &[u8]) -> bool {
        matches!(
            name,
            b"ul" | b"ol" | b"li" | b"table" | b"tr" | b"td" | b"th" | b"dl" | b"dt" | b"dd"
        )
    }

    fn end_anchor(&mut self) {
        let Some(b) = self.cur.as_mut() else { return };
        let Some((slot, at, opens)) = b.links.pop() else {
            return;
        };
        let text = b.leaf.text.get(at..).unwrap_or("");
        let (role, label) = label_info(text);
        let titled = opens && !label;
        if let Some(i) = slot {
            self.anchor_depth = self.anchor_depth.saturating_sub(1);
            if let Some(role) = role.filter(|_| !titled) {
                b.leaf.links[i].label = Some(role);
            }
        }
        if opens && b.links.is_empty() {
            b.leaf.set_link_open(at);
        }
    }

    fn end_term(&mut self) {
        self.in_term = false;
        if matches!(self.frames.last(), Some(Frame::Term(..))) {
            self.close_leaf();
            if let Some(Frame::Term(title, blocks)) = self.frames.pop() {
                self.push_block(Block::Card(title.unwrap_or_default(), blocks));
            }
        }
    }

    fn end_tag(&mut self, name: &[u8]) {
        if !self.marks.is_empty() {
            self.end_mark(name);
        }
        if is_block(name) || is_heading(name).is_some() || self.structural(name) {
            if let Some(level) = is_heading(name) {
                if let Some(leaf) = self.take_leaf() {
                    self.push_heading(level, leaf);
                }
            } else if name != b"dt" {
                self.close_leaf();
            }
        }
        match name {
            b"a" => self.end_anchor(),
            b"b" | b"strong" | b"em" | b"i" => {
                if let Some(b) = self.cur.as_mut()
                    && let Some((at, true)) = b.strong.pop()
                {
                    b.leaf.set_strong_open(at);
                }
            }
            b"dt" => {
                self.close_leaf();
                self.in_term = false;
            }
            b"dl" => self.end_term(),
            b"li" => {
                if let Some(Frame::Item(blocks)) = self.frames.last_mut() {
                    let blocks = std::mem::take(blocks);
                    self.frames.pop();
                    match self.frames.last_mut() {
                        Some(Frame::List(items)) => items.push(blocks),
                        _ => self.push_block(Block::List(vec![blocks])),
                    }
                }
            }
            b"ul" | b"ol" => {
                if matches!(self.frames.last(), Some(Frame::Item(_))) {
                    self.end_tag(b"li");
                }
                if let Some(Frame::List(items)) = self.frames.last_mut() {
                    let items = std::mem::take(items);
                    self.frames.pop();
                    self.push_block(Block::List(items));
                }
            }
            b"tr" => self.end_row(),
            b"table" => self.end_table(),
            b"div" | b"article" => self.end_div(),
            _ => {}
        }
    }

    fn end_row(&mut self) {
        let Some(Frame::Table {
            head,
            parts,
            row,
            layout,
            header_row,
        }) = self.frames.last_mut()
        else {
            return;
        };
        let cells = std::mem::take(row);
        if let Some(blocks) = layout.take() {
            parts.push(Part::Blocks(blocks));
        } else if *header_row && head.is_empty() && parts.is_empty() {
            *head = cells;
        } else {
            parts.push(Part::Row(cells));
        }
        *header_row = true;
    }

    /// A table's rows in order: runs of rows of cells as tables (the
    /// header with the first), a layout row's blocks as they are.
    fn end_table(&mut self) {
        if matches!(self.frames.last(), Some(Frame::Table { row, layout, .. }) if !row.is_empty() || layout.is_some())
        {
            self.end_row();
        }
        let Some(Frame::Table { head, parts, .. }) = (match self.frames.last() {
            Some(Frame::Table { .. }) => self.frames.pop(),
            _ => None,
        }) else {
            return;
        };
        let mut head = Some(head);
        let mut rows: Vec<Vec<Leaf>> = Vec::new();
        for part in parts {
            match part {
                Part::Row(cells) => rows.push(cells),
                Part::Blocks(blocks) => {
                    if !rows.is_empty() {
                        let head = head.take().unwrap_or_default();
                        self.push_block(Block::Table {
                            head,
                            rows: std::mem::take(&mut rows),
                        });
                    }
                    if let Some(h) = head.take() {
                        h.into_iter().for_each(|l| self.push_block(Block::Para(l)));
                    }
                    blocks.into_iter().for_each(|b| self.push_block(b));
                }
            }
        }
        if !rows.is_empty() || head.as_ref().is_some_and(|h| !h.is_empty()) {
            let head = head.unwrap_or_default();
            self.push_block(Block::Table { head, rows });
        }
    }

    fn push_heading(&mut self, level: u8, leaf: Leaf) {
        self.push_block(Block::Heading(level, leaf));
    }

    fn end_div(&mut self) {
        if matches!(self.frames.last(), Some(Frame::Term(..))) {
            self.end_term();
        }
        let Some(Frame::Div(mut blocks)) = (match self.frames.last() {
            Some(Frame::Div(_)) => self.frames.pop(),
            _ => None,
        }) else {
            return;
        };
        if let Some(i) = card_title(&blocks)
            && let Block::Heading(_, title) | Block::Para(title) = blocks.remove(i)
        {
            self.push_block(Block::Card(title, blocks));
            return;
        }
        for b in blocks {
            self.push_block(b);
        }
    }
}

/// html5gum's callback events fed to a [`Run`], skipping `script`,
/// `style` and `template` contents.
struct Reader<'r, 'd, 'e> {
    run: &'r mut Run<'d, 'e>,
    tag: Tag,
    /// Inside this skipped element.
    skip: Option<Vec<u8>>,
}

impl Callback<Infallible, usize> for Reader<'_, '_, '_> {
    fn handle_event(&mut self, event: CallbackEvent<'_>, span: Span<usize>) -> Option<Infallible> {
        let tag = &mut self.tag;
        match event {
            CallbackEvent::OpenStartTag { name } => {
                tag.name.clear();
                tag.name.extend_from_slice(name);
                tag.start = span.start;
                tag.reset_attrs();
            }
            CallbackEvent::AttributeName { name } => {
                let slot = match name {
                    b"href" => Some(0),
                    b"src" => Some(1),
                    b"class" => Some(2),
                    _ => None,
                };
                tag.current = slot.filter(|&i| !tag.attrs[i].set);
                if let Some(a) = tag.current.map(|i| &mut tag.attrs[i]) {
                    a.set = true;
                    a.value.clear();
                    (a.start, a.end) = (span.start, span.end);
                }
            }
            CallbackEvent::AttributeValue { value } => {
                if let Some(a) = tag.current.map(|i| &mut tag.attrs[i]) {
                    a.value.extend_from_slice(value);
                    a.end = span.end.saturating_add(1);
                }
            }
            CallbackEvent::CloseStartTag { self_closing } => {
                tag.self_closing = self_closing;
                if self.skip.is_none() {
                    let name: &[u8] = &tag.name;
                    if matches!(name, b"script" | b"style" | b"template") && !self_closing {
                        self.skip = Some(name.to_vec());
                    } else {
                        self.run.start_tag(tag);
                    }
                }
                tag.reset_attrs();
            }
            CallbackEvent::EndTag { name } => {
                tag.reset_attrs();
                if let Some(s) = &self.skip {
                    if s.as_slice() == name {
                        self.skip = None;
                    }
                } else {
                    self.run.end_tag(name);
                }
            }
            CallbackEvent::String { value } => {
                if self.skip.is_none() {
                    let text = lossy(value);
                    self.run.text(&text, span.start..span.end);
                }
            }
            CallbackEvent::Comment { .. }
            | CallbackEvent::Doctype { .. }
            | CallbackEvent::Error(_) => {}
        }
        None
    }
}

/// An emitter that tells the tokenizer not to look for parse errors (the
/// reader ignores them): html5gum then skips its per-byte character
/// validation, whose only output is error events.
struct NoErrors<E>(E);

impl<E: Emitter> ForwardingEmitter for NoErrors<E> {
    type Token = E::Token;

    fn inner(&mut self) -> &mut impl Emitter<Token = Self::Token> {
        &mut self.0
    }

    fn should_emit_errors(&mut self) -> bool {
        false
    }
}

/// Extracts from a whole document (the parser needs all of it).
pub(crate) fn run(doc: &str, emit: &mut dyn FnMut(Event)) {
    let mut r = Run {
        doc,
        index: LineIndex::new(doc),
        assign: Assign::new(emit),
        frames: Vec::new(),
        cur: None,
        spare: None,
        anchor_depth: 0,
        in_term: false,
        marks: Vec::new(),
        taken: 0,
    };
    let mut emitter = CallbackEmitter::new(Reader {
        run: &mut r,
        tag: Tag::default(),
        skip: None,
    });
    emitter.naively_switch_states(true);
    // The callback yields no tokens: draining the iterator runs the whole
    // document through it.
    Tokenizer::new_with_emitter(doc, NoErrors(emitter)).for_each(|token| {
        let Ok(never) = token;
        match never {}
    });
    r.close_leaf();
    while !r.frames.is_empty() {
        let before = r.frames.len();
        match r.frames.last() {
            Some(Frame::List(_)) => r.end_tag(b"ul"),
            Some(Frame::Item(_)) => r.end_tag(b"li"),
            Some(Frame::Table { .. }) => r.end_tag(b"table"),
            Some(Frame::Div(_)) => r.end_div(),
            Some(Frame::Term(..)) => r.end_term(),
            None => {}
        }
        if r.frames.len() == before {
            r.frames.pop();
        }
    }
    r.assign.finish();
}
