//! Paper units: which block of a Markdown or HTML document is one paper, and
//! which paper every link belongs to. The Markdown and HTML extractors each
//! turn their document into the same small tree ([`Block`]s of [`Leaf`]s,
//! one top-level block at a time); [`Assign`] walks it and emits the events.
//! Pure: no I/O.
//!
//! # Units
//! - **Table row**: one paper per body row. A header row whose cells hold no
//!   link names the columns; a header row holding links is a paper too (a
//!   table "without a header"). A row without links with a single filled
//!   cell names a group of rows (a section), not a paper.
//! - **List item**: one paper per item that has a title (it opens with
//!   bold/strong text, or with a link whose text is not a role label) or
//!   holds links of its own without opening with a role label. Nested items
//!   belong to it. An item without links whose nested items are papers is a
//!   *section* (`- CNN` with papers beneath). An item that opens with a role
//!   label (`- Code: URL`, `- [Paper](URL)`, `- Code: None`) belongs to the
//!   paragraph or heading above it.
//! - **Card**: an HTML `<article>`, a `<div>` holding an `<h3>`, or a
//!   `<dt>`/`<dd>` pair: its title element plus everything inside.
//! - **Numbered paragraph** (`[28]Title<br>` and then `[paper](..) |
//!   [code](..)`): like a bold-title paragraph, titled by its first line
//!   whole, when no link is on that line and one is below it.
//! - **Bold-title paragraph** (`**Title**`, or `**Title.** Authors ...`):
//!   like a heading one level finer. It and a heading are *candidates*: one
//!   becomes a paper when a link, a "promises code" phrase or a "no code"
//!   marker is met directly under it (not inside a finer unit), or, when its
//!   scope ends (the next heading or bold-title paragraph, the end), if it
//!   had text of its own and no finer unit beneath it (`## Title` then its
//!   abstract). A heading is otherwise only a section.
//!
//! # Titles
//! In order: the cell under a header named like `title`, `paper`, `name`
//! (case-insensitive, in that order of preference) when it is not a role
//! label; the bold text that opens the unit; the text of a link opening a
//! cell or the item when it is not a role label; the first cell (with a
//! letter) or line, up to its first URL. A title element's text is kept
//! whole ([`clean_whole`]); a plain cell's or line's text is cut where a
//! description, a year or the authors begin ([`clean_title`]). A title
//! element (`<papertitle>`, `class="...title..."`, a heading in a cell)
//! comes first.
//!
//! # Sections and roles
//! `section` is the innermost heading (or section item) above the unit. A
//! link's role is the label around it (its text, the words just before it),
//! else its table column header, else its URL ([`super::role`]).

use super::claims::claims_code;
use super::role::{self, Role, is_label, label_role, withholds_code};
use super::title::{clean_heading, clean_title, clean_whole};
use super::{Event, FoundLink, PaperStart};

/// A link found in a leaf, with the role its own label names (if any).
#[derive(Debug)]
pub(crate) struct LinkAt {
    pub line: usize,
    pub column: usize,
    pub url: String,
    pub label: Option<Role>,
}

/// A run of inline content: a paragraph, a heading, a table cell, the text
/// of a tight list item.
#[derive(Debug, Default)]
pub(crate) struct Leaf {
    pub line: usize,
    /// All text, link texts included, line breaks as `\n`.
    pub text: String,
    /// The bold/strong text that opens the leaf, as a range of `text`.
    strong_at: Option<std::ops::Range<usize>>,
    /// The text of a link that opens the leaf (only blanks, digits and
    /// punctuation before it), as a range of `text`.
    link_at: Option<std::ops::Range<usize>>,
    /// The text of an element that marks a title (`<papertitle>`, a
    /// `class="...title..."` element, a heading inside a table cell), as a
    /// range of `text`.
    marked_at: Option<std::ops::Range<usize>>,
    pub links: Vec<LinkAt>,
}

impl Leaf {
    /// Adds a link at (`line`, `column`) and returns its index: an image's
    /// source has the role `image`, any other link the role its label in
    /// the leaf's text so far names (if any).
    pub(crate) fn push_link(
        &mut self,
        line: usize,
        column: usize,
        url: String,
        image: bool,
    ) -> usize {
        let label = if image {
            Some(Role::Image)
        } else {
            label_role(role::label_before(&self.text))
        };
        self.links.push(LinkAt {
            line,
            column,
            url,
            label,
        });
        self.links.len() - 1
    }

    /// The bold/strong text that opens the leaf.
    pub(crate) fn strong_open(&self) -> Option<&str> {
        self.strong_at
            .clone()
            .map(|r| self.text.get(r).unwrap_or(""))
    }

    /// The text of a link that opens the leaf.
    pub(crate) fn link_open(&self) -> Option<&str> {
        self.link_at.clone().map(|r| self.text.get(r).unwrap_or(""))
    }

    /// Records the opening bold text: `text[from..]` as it is now (the
    /// first one only).
    pub(crate) fn set_strong_open(&mut self, from: usize) {
        if self.strong_at.is_none() {
            self.strong_at = Some(from.min(self.text.len())..self.text.len());
        }
    }

    /// Records the opening link text: `text[from..]` as it is now (the
    /// first one only).
    pub(crate) fn set_link_open(&mut self, from: usize) {
        if self.link_at.is_none() {
            self.link_at = Some(from.min(self.text.len())..self.text.len());
        }
    }

    /// The text of the element that marks this leaf's title.
    pub(crate) fn marked(&self) -> Option<&str> {
        self.marked_at
            .clone()
            .map(|r| self.text.get(r).unwrap_or(""))
            .filter(|t| has_letter(t))
    }

    /// Records a title element's text, `text[from..]` as it is now (the
    /// first one with a letter only).
    pub(crate) fn set_marked(&mut self, from: usize) {
        if self.marked().is_none() {
            self.marked_at = Some(from.min(self.text.len())..self.text.len());
        }
    }

    pub(crate) fn has_strong_open(&self) -> bool {
        self.strong_at.is_some()
    }

    pub(crate) fn has_link_open(&self) -> bool {
        self.link_at.is_some()
    }

    /// Only blanks, digits and punctuation so far: an element starting now
    /// opens the leaf.
    /// Images do not count: they are never titles (`![Star](badge)
    /// [**Title**](url)` opens with the title).
    pub(crate) fn at_open(&self) -> bool {
        self.links.iter().all(|l| l.label == Some(Role::Image)) && !has_letter(&self.text)
    }

    /// Whether the leaf holds a link that is not an image.
    fn has_links(&self) -> bool {
        self.links.iter().any(|l| l.label != Some(Role::Image))
    }
}

/// Whether `s` holds a letter (a byte scan for ASCII text).
fn has_letter(s: &str) -> bool {
    if s.is_ascii() {
        s.bytes().any(|b| b.is_ascii_alphabetic())
    } else {
        s.chars().any(char::is_alphabetic)
    }
}

impl Leaf {
    /// The title this leaf offers: its opening bold text or opening link
    /// text, when that is not a role label.
    fn title(&self) -> Option<&str> {
        [self.marked(), self.strong_open(), self.link_open()]
            .into_iter()
            .flatten()
            .find(|t| !t.trim().is_empty() && !is_label(t))
    }

    /// Opens with a role label: `Code: ...`, `代码：...`, `[Paper](...)`,
    /// `代码（好像被原作者删除了）：URL` (a remark in brackets after the label).
    /// Not a label that names a paper (`- TensorFlow: Large-scale machine
    /// learning on ... (2016), M. Abadi et al. [[pdf]](..)`).
    fn label_led(&self) -> bool {
        if self.link_open().is_some_and(is_label) {
            return true;
        }
        let head = self.colon_head().unwrap_or_else(|| self.text.trim_start());
        let head = without_remark(head);
        head.len() <= 30 && label_role(head).is_some() && !self.cites_after_colon()
    }

    /// After the first `:`, a citation: four words or more, then a year in
    /// brackets (` (2016)`), before any URL.
    fn cites_after_colon(&self) -> bool {
        let Some(rest) = self.after_colon() else {
            return false;
        };
        let rest = before_url(rest);
        let b = rest.as_bytes();
        let year = memchr::memmem::find_iter(b, b" (").find(|&i| {
            b.get(i + 2..i + 6).is_some_and(|y| {
                y.iter().all(u8::is_ascii_digit) && matches!(&y[..2], b"19" | b"20")
            })
        });
        year.is_some_and(|i| rest[..i].split_whitespace().nth(3).is_some())
    }

    /// Opens with a short label of any words before a link: `Home: URL`,
    /// `Homeoage: URL` (a typo), `Weights & logs: URL` — at most three
    /// words and 30 bytes before `:`/`：`, and a link after it.
    /// Not when a description follows the label (`- Name: a library
    /// for ... [link]` is a paper named Name): after the `:` at most three
    /// words besides URLs, and one link.
    fn short_label_led(&self) -> bool {
        self.links
            .iter()
            .filter(|l| l.label != Some(Role::Image))
            .count()
            == 1
            && !self.has_strong_open()
            && !self.has_link_open()
            && self.colon_head().is_some_and(|h| {
                h.len() <= 30 && !h.is_empty() && h.split_whitespace().nth(3).is_none()
            })
            && self.after_colon().is_some_and(|r| {
                r.split_whitespace()
                    .filter(|w| !w.starts_with("http") && !w.starts_with("www."))
                    .nth(3)
                    .is_none()
            })
    }

    /// The text after the first `:`/`：`.
    fn after_colon(&self) -> Option<&str> {
        let t = self.text.trim_start();
        t.find([':', '：'])
            .map(|i| &t[i + t[i..].chars().next().map_or(1, char::len_utf8)..])
    }

    /// The text before the first `:`/`：`, when one comes.
    fn colon_head(&self) -> Option<&str> {
        let t = self.text.trim_start();
        t.find([':', '：']).map(|i| t[..i].trim_end())
    }
}

#[derive(Debug)]
pub(crate) enum Block {
    Heading(u8, Leaf),
    Para(Leaf),
    /// Items, each a list of blocks.
    List(Vec<Vec<Block>>),
    Table {
        head: Vec<Leaf>,
        rows: Vec<Vec<Leaf>>,
    },
    /// A card: its title element and its content.
    Card(Leaf, Vec<Block>),
}

/// A heading or bold-title paragraph that may become a paper.
struct Owner {
    /// The heading level, `None` for a bold-title paragraph.
    level: Option<u8>,
    title: String,
    line: usize,
    section: String,
    index: Option<usize>,
    body: bool,
    units: bool,
    claims: bool,
    withheld: bool,
}

/// Walks blocks in document order and emits papers and links.
pub(crate) struct Assign<'e> {
    emit: &'e mut dyn FnMut(Event),
    papers: usize,
    /// Open headings (level, title); section items use levels above 6.
    headings: Vec<(u8, String)>,
    owner: Option<Owner>,
    /// The links vector of the last unit, reused (cleared) by the next.
    spare: Vec<(LinkAt, Option<Role>)>,
}

/// What a unit collected: links (with their column header's role), and
/// whether its text promises code or says there is none.
#[derive(Default)]
struct Gathered {
    links: Vec<(LinkAt, Option<Role>)>,
    claims: bool,
    withheld: bool,
}

impl Gathered {
    fn leaf(&mut self, leaf: Leaf, header: Option<Role>) {
        self.claims = self.claims || claims_code(&leaf.text);
        self.withheld = self.withheld || withholds_code(&leaf.text);
        self.links
            .extend(leaf.links.into_iter().map(|l| (l, header)));
    }

    fn blocks(&mut self, blocks: Vec<Block>) {
        for b in blocks {
            match b {
                Block::Heading(_, l) | Block::Para(l) => self.leaf(l, None),
                Block::List(items) => items.into_iter().for_each(|i| self.blocks(i)),
                Block::Table { head, rows } => head
                    .into_iter()
                    .chain(rows.into_iter().flatten())
                    .for_each(|l| self.leaf(l, None)),
                Block::Card(t, content) => {
                    self.leaf(t, None);
                    self.blocks(content);
                }
            }
        }
    }
}

/// The title of a numbered paragraph, `[28]Title<br>` and then a line of
/// links (`[paper](..) | [code](..)`): its first line whole without the
/// number, when no link is on that line and one (not an image) is below it.
fn numbered_title(leaf: &Leaf) -> Option<String> {
    let t = leaf.text.trim_start();
    let digits = t
        .strip_prefix('[')?
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    if !(1..=4).contains(&digits) || t.as_bytes().get(digits + 1) != Some(&b']') {
        return None;
    }
    let mut links = leaf.links.iter().filter(|l| l.label != Some(Role::Image));
    if !leaf.has_links() || !links.all(|l| l.line > leaf.line) {
        return None;
    }
    // The number and the line break delimit the title: kept whole
    // (`[4]Kubric: A scalable dataset generator<br>`).
    let first = t.split('\n').next().unwrap_or("");
    let title = clean_whole(first);
    (has_letter(&title) && !is_label(&title)).then_some(title)
}

/// A label without a remark in brackets after it: `代码（好像被原作者删除了）` ->
/// `代码`, `Code (official)` -> `Code`.
fn without_remark(head: &str) -> &str {
    let Some(close) = head.strip_suffix(')').or_else(|| head.strip_suffix('）')) else {
        return head;
    };
    match close.rfind(['(', '（']) {
        Some(i) if !close[..i].trim_end().is_empty() => close[..i].trim_end(),
        _ => head,
    }
}

/// Text up to its first URL (a unit titled by its first line).
fn before_url(text: &str) -> &str {
    let b = text.as_bytes();
    let cut = memchr::memchr2_iter(b'h', b'w', b)
        .find(|&i| {
            let r = &b[i..];
            r.starts_with(b"http://") || r.starts_with(b"https://") || r.starts_with(b"www.")
        })
        .unwrap_or(b.len());
    &text[..cut]
}

fn first_para(blocks: &[Block]) -> Option<&Leaf> {
    blocks.iter().find_map(|b| match b {
        Block::Para(l) | Block::Heading(_, l) => Some(l),
        _ => None,
    })
}

/// The first title element (`<papertitle>`, `class="title"`) among the
/// paragraphs of an item, nested lists included.
fn marked_in(blocks: &[Block]) -> Option<&str> {
    blocks.iter().find_map(|b| match b {
        Block::Para(l) | Block::Heading(_, l) => l.marked(),
        Block::List(items) => items.iter().find_map(|i| marked_in(i)),
        _ => None,
    })
}

fn own_links(blocks: &[Block]) -> bool {
    blocks
        .iter()
        .any(|b| matches!(b, Block::Para(l) | Block::Heading(_, l) if !l.links.is_empty()))
}

pub(crate) fn any_links(blocks: &[Block]) -> bool {
    blocks.iter().any(|b| match b {
        Block::Para(l) | Block::Heading(_, l) => !l.links.is_empty(),
        Block::List(items) => items.iter().any(|i| any_links(i)),
        Block::Table { head, rows } => head
            .iter()
            .chain(rows.iter().flatten())
            .any(|l| !l.links.is_empty()),
        Block::Card(..) => true,
    })
}

/// Whether a list holds an item opening with a role label and a link
/// (`- Code: URL`): a list of one paper's labelled links.
fn labelled_list(items: &[Vec<Block>]) -> bool {
    items.iter().any(|i| {
        first_para(i).is_some_and(|l| {
            !l.links.is_empty() && l.title().is_none() && l.colon_head().is_some() && l.label_led()
        })
    })
}

/// Whether a nested list of this item holds items that are papers.
fn nested_units(blocks: &[Block]) -> bool {
    blocks.iter().any(|b| match b {
        Block::List(items) => items
            .iter()
            .any(|i| first_para(i).is_some_and(|l| l.title().is_some()) || nested_units(i)),
        Block::Table { .. } | Block::Card(..) => true,
        _ => false,
    })
}

/// Whether a block inside a table cell is a finer unit (a table, a card, a
/// list of papers): the row holding it is layout, not a paper.
pub(crate) fn holds_units(b: &Block) -> bool {
    match b {
        Block::Table { .. } | Block::Card(..) => true,
        Block::List(items) => items
            .iter()
            .any(|i| first_para(i).is_some_and(|l| l.title().is_some()) || nested_units(i)),
        Block::Para(_) | Block::Heading(..) => false,
    }
}

/// The leaves of a list (each item's paragraphs, nested lists included),
/// in order: a list of links inside a table cell is part of that cell.
pub(crate) fn list_leaves(items: Vec<Vec<Block>>, out: &mut Vec<Leaf>) {
    for b in items.into_iter().flatten() {
        match b {
            Block::Para(l) | Block::Heading(_, l) => out.push(l),
            Block::List(inner) => list_leaves(inner, out),
            Block::Table { head, rows } => {
                out.extend(head.into_iter().chain(rows.into_iter().flatten()))
            }
            Block::Card(t, content) => {
                out.push(t);
                list_leaves(vec![content], out);
            }
        }
    }
}

/// The level given to a table's section rows (below any heading or item).
const TABLE_SECTION: u8 = u8::MAX;

/// A row without links whose only non-empty cell is its text: the name of
/// the group of rows below it.
fn section_row(row: &[Leaf]) -> Option<String> {
    if row.iter().any(|l| !l.links.is_empty()) {
        return None;
    }
    let mut filled = row.iter().filter(|l| !l.text.trim().is_empty());
    let only = filled.next()?;
    (filled.next().is_none()).then(|| clean_title(&only.text))
}

/// A row of two or more cells with a title element and links each (a grid
/// of papers): where each paper's cells start (the first from column 0).
fn cell_units(row: &[Leaf]) -> Option<Vec<usize>> {
    let mut starts: Vec<usize> = row
        .iter()
        .enumerate()
        .filter(|(_, l)| l.marked().is_some() && l.has_links())
        .map(|(i, _)| i)
        .collect();
    if starts.len() < 2 {
        return None;
    }
    starts[0] = 0;
    Some(starts)
}

/// Header column roles and the title column of a table.
fn header_info(head: &[Leaf]) -> (Vec<Option<Role>>, Option<usize>) {
    let names: Vec<String> = head.iter().map(|l| l.text.trim().to_lowercase()).collect();
    let title_col = ["title", "paper", "name"].iter().find_map(|w| {
        names
            .iter()
            .position(|n| n.split(|c: char| !c.is_alphanumeric()).any(|x| x == *w))
    });
    (
        head.iter().map(|l| label_role(&l.text)).collect(),
        title_col,
    )
}

fn row_title(row: &[Leaf], title_col: Option<usize>) -> String {
    if let Some(t) = row
        .iter()
        .find_map(Leaf::marked)
        .map(clean_whole)
        .filter(|t| !t.is_empty() && !is_label(t))
    {
        return t;
    }
    if let Some(c) = title_col.and_then(|c| row.get(c)) {
        let t = match c.strong_open().or(c.link_open()) {
            Some(t) => clean_whole(t),
            None => clean_title(before_url(&c.text)),
        };
        if !t.is_empty() && !is_label(&t) {
            return t;
        }
    }
    let with_letter = |l: &&Leaf| l.text.chars().any(char::is_alphabetic);
    if let Some(t) = row
        .iter()
        .filter(with_letter)
        .find_map(Leaf::strong_open)
        .filter(|t| !is_label(t))
    {
        return clean_whole(t);
    }
    if let Some(t) = row.iter().filter_map(Leaf::title).next() {
        return clean_whole(t);
    }
    row.iter()
        .filter(with_letter)
        .map(|l| clean_title(before_url(&l.text)))
        .find(|t| !t.is_empty() && !is_label(t))
        .unwrap_or_default()
}

impl<'e> Assign<'e> {
    pub(super) fn new(emit: &'e mut dyn FnMut(Event)) -> Self {
        Assign {
            emit,
            papers: 0,
            headings: Vec::new(),
            owner: None,
            spare: Vec::new(),
        }
    }

    fn section(&self) -> String {
        self.headings
            .last()
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    }

    pub(super) fn block(&mut self, b: Block) {
        match b {
            Block::Heading(level, leaf) => self.heading(level, leaf),
            Block::Para(leaf) => self.para(leaf),
            Block::List(items) => {
                let labelled = labelled_list(&items);
                items.into_iter().for_each(|i| self.item(i, labelled))
            }
            Block::Table { head, rows } => self.table(head, rows),
            Block::Card(title, content) => {
                let t = clean_whole(title.marked().unwrap_or(&title.text));
                let line = title.line;
                let mut g = self.gathered();
                g.leaf(title, None);
                g.blocks(content);
                self.unit(t, line, g);
            }
        }
    }

    pub(super) fn finish(&mut self) {
        self.close_owner();
    }

    fn close_owner(&mut self) {
        if let Some(o) = &self.owner
            && o.index.is_none()
            && !o.units
            && (o.body || o.claims || o.withheld)
        {
            self.owner_index();
        }
        self.owner = None;
    }

    /// The owner's paper index, announcing it first if needed.
    fn owner_index(&mut self) -> Option<usize> {
        let o = self.owner.as_mut()?;
        if let Some(i) = o.index {
            return Some(i);
        }
        let index = self.papers;
        self.papers += 1;
        o.index = Some(index);
        (self.emit)(Event::Paper(PaperStart {
            index,
            title: o.title.clone(),
            line: o.line,
            section: o.section.clone(),
        }));
        if o.claims {
            (self.emit)(Event::ClaimsCode { paper: index });
        }
        if o.withheld {
            (self.emit)(Event::WithholdsCode { paper: index });
        }
        Some(index)
    }

    fn start_owner(&mut self, level: Option<u8>, title: String, line: usize) {
        // A heading with a finer heading beneath it is a section.
        if let (Some(o), Some(new)) = (&mut self.owner, level)
            && o.level.is_some_and(|l| l < new)
        {
            o.units = true;
        }
        self.close_owner();
        self.owner = Some(Owner {
            level,
            title,
            line,
            section: self.section(),
            index: None,
            body: false,
            units: false,
            claims: false,
            withheld: false,
        });
    }

    fn heading(&mut self, level: u8, leaf: Leaf) {
        self.headings.retain(|(l, _)| *l < level);
        let title = clean_heading(&leaf.text);
        self.start_owner(Some(level), title.clone(), leaf.line);
        self.headings.push((level, title));
        self.file_under_owner(leaf, false);
    }

    fn para(&mut self, leaf: Leaf) {
        if let Some(t) = leaf.strong_open().filter(|t| !is_label(t)) {
            let title = clean_whole(t);
            if !title.is_empty() {
                self.start_owner(None, title, leaf.line);
            }
        } else if let Some(title) = numbered_title(&leaf) {
            self.start_owner(None, title, leaf.line);
        }
        self.file_under_owner(leaf, true);
    }

    /// Files a leaf under the current owner (or no paper).
    fn file_under_owner(&mut self, leaf: Leaf, body: bool) {
        let claims = claims_code(&leaf.text);
        let withheld = withholds_code(&leaf.text);
        if let Some(o) = &mut self.owner {
            o.body |= body && !leaf.text.trim().is_empty();
            if o.index.is_none() {
                o.claims |= claims;
                o.withheld |= withheld;
            } else {
                let paper = o.index.unwrap_or(0);
                let (c, w) = (claims && !o.claims, withheld && !o.withheld);
                o.claims |= claims;
                o.withheld |= withheld;
                if c {
                    (self.emit)(Event::ClaimsCode { paper });
                }
                if w {
                    (self.emit)(Event::WithholdsCode { paper });
                }
            }
        }
        // An image alone does not make its owner a paper (badges under a
        // list's heading); it joins one that already is.
        let paper = if leaf.has_links() {
            self.owner_index()
        } else {
            self.owner.as_ref().and_then(|o| o.index)
        };
        for l in leaf.links {
            self.link(l, None, paper);
        }
    }

    fn link(&mut self, l: LinkAt, header: Option<Role>, paper: Option<usize>) {
        let role = l.label.or(header).unwrap_or_else(|| role::url_role(&l.url));
        (self.emit)(Event::Link(FoundLink {
            line: l.line,
            column: l.column,
            url: l.url,
            paper,
            role,
        }));
    }

    /// One list item; `labelled`: its list holds role-labelled items
    /// (`- Paper: URL`), so a short label of other words (`- Home: URL`)
    /// labels a link too instead of titling a paper.
    fn item(&mut self, blocks: Vec<Block>, labelled: bool) {
        let first = first_para(&blocks);
        let title = marked_in(&blocks)
            .or_else(|| first.and_then(Leaf::title))
            .map(str::to_string);
        let label_led = first.is_some_and(|l| {
            l.label_led() || (labelled && self.owner.is_some() && l.short_label_led())
        });
        if title.is_none() && !own_links(&blocks) && nested_units(&blocks) {
            return self.section_item(blocks);
        }
        if title.is_none() && (label_led || !any_links(&blocks)) {
            return self.blocks_file_under_owner(blocks);
        }
        let line = first.map_or(0, |l| l.line);
        let title = match title {
            Some(t) => clean_whole(&t),
            None => first
                .map(|l| clean_title(before_url(&l.text)))
                .unwrap_or_default(),
        };
        let mut g = self.gathered();
        g.blocks(blocks);
        self.unit(title, line, g);
    }

    fn blocks_file_under_owner(&mut self, blocks: Vec<Block>) {
        for b in blocks {
            match b {
                Block::Heading(_, l) | Block::Para(l) => self.file_under_owner(l, true),
                Block::List(items) => items
                    .into_iter()
                    .for_each(|i| self.blocks_file_under_owner(i)),
                other => self.block(other),
            }
        }
    }

    /// An item that names a group of papers beneath it.
    fn section_item(&mut self, blocks: Vec<Block>) {
        let level = self
            .headings
            .last()
            .map_or(7, |(l, _)| (*l).max(6).saturating_add(1));
        let mut rest = blocks.into_iter();
        for b in rest.by_ref() {
            if let Block::Para(l) | Block::Heading(_, l) = b {
                let t = clean_title(&l.text);
                self.start_owner(Some(level), t.clone(), l.line);
                self.headings.push((level, t));
                break;
            }
        }
        for b in rest {
            self.block(b);
        }
        self.close_owner();
        self.headings.retain(|(l, _)| *l < level);
    }

    fn table(&mut self, head: Vec<Leaf>, rows: Vec<Vec<Leaf>>) {
        let is_header = head.iter().all(|l| l.links.is_empty());
        let (roles, title_col) = if is_header {
            header_info(&head)
        } else {
            (Vec::new(), None)
        };
        let head_row = if is_header { None } else { Some(head) };
        for row in head_row.into_iter().chain(rows) {
            if let Some(name) = section_row(&row) {
                // A row naming a group of the rows below (`<td colspan=2>
                // <b>SVM</b></td>`): a section, not a paper.
                self.headings.retain(|(l, _)| *l < TABLE_SECTION);
                self.headings.push((TABLE_SECTION, name));
                continue;
            }
            match cell_units(&row) {
                Some(starts) => {
                    let mut cells = row.into_iter();
                    let mut at = 0;
                    for k in 0..starts.len() {
                        let end = starts.get(k + 1).copied().unwrap_or(usize::MAX);
                        let group: Vec<Leaf> = cells.by_ref().take(end - at).collect();
                        self.row_unit(group, None, &roles, at);
                        at = end;
                    }
                }
                None => self.row_unit(row, title_col, &roles, 0),
            }
        }
        self.headings.retain(|(l, _)| *l < TABLE_SECTION);
    }

    /// One row (or the cells of one paper in a row of several) as a unit;
    /// `first` is the column of its first cell.
    fn row_unit(
        &mut self,
        row: Vec<Leaf>,
        title_col: Option<usize>,
        roles: &[Option<Role>],
        first: usize,
    ) {
        let title = row_title(&row, title_col);
        let line = row.first().map_or(0, |l| l.line);
        let mut g = self.gathered();
        for (i, cell) in row.into_iter().enumerate() {
            g.leaf(cell, roles.get(first + i).copied().flatten());
        }
        self.unit(title, line, g);
    }

    /// An empty [`Gathered`] holding the spare links vector.
    fn gathered(&mut self) -> Gathered {
        Gathered {
            links: std::mem::take(&mut self.spare),
            claims: false,
            withheld: false,
        }
    }

    fn unit(&mut self, title: String, line: usize, mut g: Gathered) {
        if let Some(o) = &mut self.owner {
            o.units = true;
        }
        let index = self.papers;
        self.papers += 1;
        let section = self.section();
        (self.emit)(Event::Paper(PaperStart {
            index,
            title,
            line,
            section,
        }));
        for (l, header) in g.links.drain(..) {
            self.link(l, header, Some(index));
        }
        self.spare = g.links;
        if g.claims {
            (self.emit)(Event::ClaimsCode { paper: index });
        }
        if g.withheld {
            (self.emit)(Event::WithholdsCode { paper: index });
        }
    }
}
