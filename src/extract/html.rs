//! HTML: `href`/`src` attribute URLs and bare URLs in text (html5gum
//! tokenizer); paper = nearest heading (`h1`-`h6` text). `script`, `style`
//! and `template` contents are skipped; text inside an `<a href=URL>` is not
//! scanned again (the attribute is the link). Reads the document whole
//! (decoded lossily) and never does other I/O.
//!
//! Positions: an attribute URL at its place in the attribute value (the
//! value's start when entities change its length); a text URL at its place
//! in the source when the text is verbatim, else where its text is found in
//! the raw source of that text run, else at the run's start.

use html5gum::{DefaultEmitter, Token, Tokenizer};

use super::claims::claims_code;
use super::clean::{clean_url, find_urls};
use super::pos::LineIndex;
use super::{Event, FoundLink, PaperStart};

/// Links met inside a heading: (line, column, url).
type HeldLinks = Vec<(usize, usize, String)>;

struct Run<'d, 'e> {
    doc: &'d str,
    index: LineIndex,
    emit: &'e mut dyn FnMut(Event),
    papers: usize,
    current: Option<usize>,
    claimed: bool,
    /// Text of the heading being read, its line, links met inside it.
    heading: Option<(String, usize, HeldLinks)>,
}

impl Run<'_, '_> {
    fn link(&mut self, offset: usize, url: String) {
        let (line, column) = self.index.pos(self.doc, offset);
        if let Some((_, _, links)) = &mut self.heading {
            links.push((line, column, url));
        } else {
            (self.emit)(Event::Link(FoundLink {
                line,
                column,
                url,
                paper: self.current,
            }));
        }
    }

    fn text(&mut self, text: &str, span: std::ops::Range<usize>, scan: bool) {
        if let Some((t, _, _)) = &mut self.heading {
            t.push_str(text);
        }
        if !scan {
            return;
        }
        let raw = self.doc.get(span.clone()).unwrap_or("");
        let exact = raw == text;
        let mut found = Vec::new();
        let mut search_from = 0usize;
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
            found.push((off, m.url.into_owned()));
        });
        for (off, url) in found {
            self.link(off, url);
        }
        if self.heading.is_none()
            && let Some(paper) = self.current
            && !self.claimed
            && claims_code(text)
        {
            self.claimed = true;
            (self.emit)(Event::ClaimsCode { paper });
        }
    }

    fn end_heading(&mut self) {
        if let Some((text, line, links)) = self.heading.take() {
            let index = self.papers;
            self.papers += 1;
            self.current = Some(index);
            self.claimed = false;
            (self.emit)(Event::Paper(PaperStart {
                index,
                title: text.split_whitespace().collect::<Vec<_>>().join(" "),
                line,
            }));
            for (line, column, url) in links {
                (self.emit)(Event::Link(FoundLink {
                    line,
                    column,
                    url,
                    paper: Some(index),
                }));
            }
        }
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

fn is_heading(name: &[u8]) -> bool {
    matches!(name, b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6")
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
        heading: None,
    };
    let mut emitter = DefaultEmitter::<usize>::new_with_span();
    emitter.naively_switch_states(true);
    let tokenizer = Tokenizer::new_with_emitter(doc, emitter);
    let mut skip: Option<Vec<u8>> = None;
    let mut anchor_depth = 0usize;
    for token in tokenizer {
        let Ok(token) = token;
        match token {
            Token::StartTag(tag) => {
                let name: &[u8] = &tag.name;
                if skip.is_some() {
                    continue;
                }
                if matches!(name, b"script" | b"style" | b"template") && !tag.self_closing {
                    skip = Some(name.to_vec());
                    continue;
                }
                if is_heading(name) {
                    r.end_heading();
                    let (line, _) = r.index.pos(doc, tag.span.start);
                    r.heading = Some((String::new(), line, Vec::new()));
                }
                let mut found: Vec<(usize, String)> = Vec::new();
                for (attr, value) in &tag.attributes {
                    let attr: &[u8] = attr;
                    if !matches!(attr, b"href" | b"src") {
                        continue;
                    }
                    let text = String::from_utf8_lossy(&value.value);
                    if let Some((lead, url)) = clean_url(&text) {
                        let at = value_start(doc, value.span.start, value.span.end);
                        let exact = doc.get(at..).is_some_and(|r| r.starts_with(&*text));
                        let off = if exact { at + lead } else { at };
                        found.push((off, url.into_owned()));
                    }
                }
                found.sort_by_key(|(o, _)| *o);
                let anchor_with_url = name == b"a"
                    && !tag.self_closing
                    && tag.attributes.contains_key(&b"href"[..])
                    && !found.is_empty();
                for (off, url) in found {
                    r.link(off, url);
                }
                if anchor_with_url {
                    anchor_depth += 1;
                }
            }
            Token::EndTag(tag) => {
                let name: &[u8] = &tag.name;
                if let Some(s) = &skip {
                    if s.as_slice() == name {
                        skip = None;
                    }
                    continue;
                }
                if is_heading(name) {
                    r.end_heading();
                } else if name == b"a" {
                    anchor_depth = anchor_depth.saturating_sub(1);
                }
            }
            Token::String(s) => {
                if skip.is_some() {
                    continue;
                }
                let text = String::from_utf8_lossy(&s.value);
                r.text(&text, s.span.start..s.span.end, anchor_depth == 0);
            }
            Token::Comment(_) | Token::Doctype(_) | Token::Error(_) => {}
        }
    }
    r.end_heading();
}
