//! Markdown: link and image destinations, autolinks, bare URLs in text,
//! with positions mapped back to the source through pulldown-cmark offsets.
//! Fenced and indented code blocks are skipped. Reads the document whole
//! (the parser needs it); never does other I/O.
//!
//! # Paper attribution
//! A paper starts at every heading (its text is the title) and at every
//! list item whose first inline content is bold/italic text or a link
//! (`- **Title** ...`, `* [Title](url)`: the text of that first element is
//! the title). Links belong to the most recent paper start before them;
//! links inside a heading or a list-item title belong to the paper it
//! starts. Text inside a link is not scanned again (its destination is the
//! link). Raw HTML is scanned for bare URLs like text.
//!
//! Positions: a destination is placed where its text occurs inside the
//! link's source range (else at the start of the link); a bare URL at its
//! exact place when the text event is a verbatim slice of the source, else
//! at the start of that text event (escapes, entities).

use pulldown_cmark::{Event as Md, Options, Parser, Tag, TagEnd};

use super::claims::claims_code;
use super::clean::{clean_url, find_urls};
use super::pos::LineIndex;
use super::{Event, FoundLink, PaperStart};

/// A piece of merged text: where it starts in the merged buffer and in the
/// source, and whether it is a verbatim copy of the source.
struct Piece {
    buf_at: usize,
    src_at: usize,
    exact: bool,
}

struct Title {
    text: String,
    line: usize,
    /// Links met inside the title, emitted once its paper is.
    links: Vec<(usize, usize, String)>,
}

struct Run<'d, 'e> {
    doc: &'d str,
    index: LineIndex,
    emit: &'e mut dyn FnMut(Event),
    papers: usize,
    current: Option<usize>,
    claimed: bool,
    buf: String,
    pieces: Vec<Piece>,
    title: Option<Title>,
}

impl Run<'_, '_> {
    fn link(&mut self, line: usize, column: usize, url: String) {
        if let Some(t) = &mut self.title {
            t.links.push((line, column, url));
        } else {
            (self.emit)(Event::Link(FoundLink {
                line,
                column,
                url,
                paper: self.current,
            }));
        }
    }

    fn push_text(&mut self, text: &str, range: std::ops::Range<usize>) {
        if let Some(t) = &mut self.title {
            t.text.push_str(text);
        }
        let exact = self.doc.get(range.clone()) == Some(text);
        self.pieces.push(Piece {
            buf_at: self.buf.len(),
            src_at: range.start,
            exact,
        });
        self.buf.push_str(text);
    }

    fn flush_text(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        let buf = std::mem::take(&mut self.buf);
        let pieces = std::mem::take(&mut self.pieces);
        let mut found = Vec::new();
        find_urls(&buf, |m| {
            let i = pieces.partition_point(|p| p.buf_at <= m.start).max(1) - 1;
            let p = &pieces[i];
            let src = if p.exact {
                p.src_at + (m.start - p.buf_at)
            } else {
                p.src_at
            };
            found.push((src, m.url.into_owned()));
        });
        for (src, url) in found {
            let (line, column) = self.index.pos(self.doc, src);
            self.link(line, column, url);
        }
        if self.title.is_none()
            && let Some(paper) = self.current
            && !self.claimed
            && claims_code(&buf)
        {
            self.claimed = true;
            (self.emit)(Event::ClaimsCode { paper });
        }
        let mut buf = buf;
        buf.clear();
        self.buf = buf;
    }

    fn start_title(&mut self, offset: usize) {
        self.flush_text();
        let (line, _) = self.index.pos(self.doc, offset);
        self.title = Some(Title {
            text: String::new(),
            line,
            links: Vec::new(),
        });
    }

    fn end_title(&mut self) {
        self.flush_text();
        if let Some(t) = self.title.take() {
            let index = self.papers;
            self.papers += 1;
            self.current = Some(index);
            self.claimed = false;
            let title = t.text.split_whitespace().collect::<Vec<_>>().join(" ");
            (self.emit)(Event::Paper(PaperStart {
                index,
                title,
                line: t.line,
            }));
            for (line, column, url) in t.links {
                self.link(line, column, url);
            }
        }
    }

    fn destination(&mut self, dest: &str, range: std::ops::Range<usize>) {
        if let Some((lead, url)) = clean_url(dest) {
            let src = self
                .doc
                .get(range.clone())
                .and_then(|s| s.find(dest))
                .map(|i| range.start + i + lead)
                .unwrap_or(range.start);
            let (line, column) = self.index.pos(self.doc, src);
            self.link(line, column, url.into_owned());
        }
    }
}

/// Extracts from a whole document (the parser needs all of it).
pub(crate) fn run(doc: &str, emit: &mut dyn FnMut(Event)) {
    let mut r = Run {
        doc,
        index: LineIndex::new(doc),
        emit,
        papers: 0,
        current: None,
        claimed: false,
        buf: String::new(),
        pieces: Vec::new(),
        title: None,
    };
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut code_depth = 0usize;
    // Inside a link/image with a URL destination: its text is not scanned.
    let mut link_depth = 0usize;
    // A list item just started: its first inline element may be a title.
    let mut item_fresh = false;
    // Depth (count of open inline elements) at which the item title closes.
    let mut inline_depth = 0usize;
    let mut title_closes_at: Option<usize> = None;
    let mut in_heading = false;
    for (ev, range) in Parser::new_ext(doc, opts).into_offset_iter() {
        match ev {
            Md::Start(Tag::CodeBlock(_)) => {
                r.flush_text();
                code_depth += 1;
            }
            Md::End(TagEnd::CodeBlock) => code_depth = code_depth.saturating_sub(1),
            _ if code_depth > 0 => {}
            Md::Start(Tag::Heading { .. }) => {
                if r.title.is_some() {
                    r.end_title();
                }
                title_closes_at = None;
                item_fresh = false;
                in_heading = true;
                r.start_title(range.start);
            }
            Md::End(TagEnd::Heading(_)) => {
                in_heading = false;
                r.end_title();
            }
            Md::Start(Tag::Item) => {
                r.flush_text();
                item_fresh = !in_heading && r.title.is_none();
            }
            Md::Start(Tag::Paragraph) => r.flush_text(),
            Md::Start(
                tag @ (Tag::Strong | Tag::Emphasis | Tag::Link { .. } | Tag::Image { .. }),
            ) => {
                if item_fresh {
                    item_fresh = false;
                    r.start_title(range.start);
                    title_closes_at = Some(inline_depth);
                }
                inline_depth += 1;
                if let Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } = &tag {
                    r.flush_text();
                    r.destination(dest_url, range.clone());
                    if clean_url(dest_url).is_some() || link_depth > 0 {
                        link_depth += 1;
                    }
                }
            }
            Md::End(end @ (TagEnd::Strong | TagEnd::Emphasis | TagEnd::Link | TagEnd::Image)) => {
                inline_depth = inline_depth.saturating_sub(1);
                if matches!(end, TagEnd::Link | TagEnd::Image) && link_depth > 0 {
                    link_depth -= 1;
                }
                if title_closes_at == Some(inline_depth) {
                    title_closes_at = None;
                    r.end_title();
                }
            }
            Md::Text(t) | Md::Code(t) => {
                item_fresh = false;
                if link_depth > 0 {
                    if let Some(title) = &mut r.title {
                        title.text.push_str(&t);
                    }
                } else {
                    r.push_text(&t, range);
                }
            }
            Md::Html(t) | Md::InlineHtml(t) => {
                r.flush_text();
                r.push_text(&t, range);
                r.flush_text();
            }
            Md::SoftBreak | Md::HardBreak => {
                r.flush_text();
                if let Some(title) = &mut r.title {
                    title.text.push(' ');
                }
            }
            Md::End(TagEnd::Item) => {
                if r.title.is_some() && !in_heading {
                    r.end_title();
                    title_closes_at = None;
                }
                item_fresh = false;
                r.flush_text();
            }
            Md::Start(_) | Md::End(_) => {
                item_fresh = item_fresh && matches!(ev, Md::Start(Tag::Paragraph));
                r.flush_text();
            }
            _ => {}
        }
    }
    if r.title.is_some() {
        r.end_title();
    }
    r.flush_text();
}
