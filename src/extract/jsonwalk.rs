//! Any JSON object that is not a daily-papers item: every string value
//! holding a URL is a link, at its line and column in the input (issue 22).
//! Pure: works on one item's text, already in memory.
//!
//! # Papers
//! A link's paper is the `title` / `paper_title` field of the nearest
//! enclosing object that has one, else the `name` field of the nearest
//! such object (an author's `name` under a titled paper does not make the
//! author a paper). An object's paper is announced when the object ends
//! (its title may come after its links), before its links.
//!
//! # Roles
//! A string value that is one URL takes the role its key names (`repo_url`,
//! `github`, `code` -> code; `paper_url`, `arxiv`, `pdf` -> paper;
//! `project_page`, `homepage` -> project; the keys of a `links` object such
//! as `"Github"`, `"Paper"`; `thumbnail`, `image`, `avatar_url` -> image),
//! compared like a label ([`super::role`]: whole, then first word, then
//! last word; `_`, `-` and camelCase split words). A URL inside longer text
//! takes the label just before it; else the URL decides.

use super::clean::find_urls;
use super::role::{self, Role, label_before, label_role};

/// A link: byte offset in the item, URL, role.
pub(crate) type Found = (usize, String, Role);

/// What the walk hands its caller, in order: a paper (title, byte offset
/// of its title value) and then the links that are its own; links with no
/// paper come with `None`.
pub(crate) trait Sink {
    fn paper(&mut self, title: &str, at: usize) -> usize;
    fn link(&mut self, link: Found, paper: Option<usize>);
}

enum Entry {
    Link(Found),
    /// The links of an object named by `name` but not titled: its paper,
    /// unless an enclosing object has a title.
    Named {
        name: String,
        at: usize,
        links: Vec<Found>,
    },
}

#[derive(Default)]
struct Frame {
    object: bool,
    /// The key being read or whose value is being read (objects), or the
    /// key the array is the value of (arrays).
    key: Option<String>,
    expect_key: bool,
    title: Option<(String, usize)>,
    name: Option<(String, usize)>,
    entries: Vec<Entry>,
}

/// Which field names a paper: 2 for a title, 1 for a name.
fn title_key(key: &str) -> u8 {
    let k: String = key
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    match k.as_str() {
        "title" | "papertitle" | "papername" => 2,
        "name" => 1,
        _ => 0,
    }
}

/// Words naming an image's source in a key.
const IMAGE_WORDS: [&str; 9] = [
    "image",
    "img",
    "thumbnail",
    "teaser",
    "avatar",
    "logo",
    "icon",
    "banner",
    "figure",
];

/// The role a key names, if any.
pub(crate) fn key_role(key: &str) -> Option<Role> {
    let mut words = String::with_capacity(key.len() + 4);
    let mut prev_lower = false;
    for c in key.chars() {
        if c.is_uppercase() && prev_lower {
            words.push(' ');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        if c == '_' || c == '-' {
            words.push(' ');
        } else {
            words.extend(c.to_lowercase());
        }
    }
    let mut parts = words.split_whitespace();
    if words
        .split_whitespace()
        .any(|w| IMAGE_WORDS.contains(&w) || IMAGE_WORDS.iter().any(|i| w == format!("{i}s")))
    {
        return Some(Role::Image);
    }
    let first = parts.next()?;
    let last = parts.next_back().unwrap_or(first);
    label_role(&words)
        .or_else(|| label_role(first))
        .or_else(|| label_role(last))
}

/// Walks one item's text (a JSON object), handing papers and links to
/// `sink`. Returns whether any link was found. Text that is not JSON is
/// read as far as it goes.
pub(crate) fn walk(text: &str, sink: &mut dyn Sink) -> bool {
    let b = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut top: Vec<Entry> = Vec::new();
    let mut any = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'{' | b'[' => {
                let key = stack.last().and_then(|f| f.key.clone());
                let object = b[i] == b'{';
                stack.push(Frame {
                    object,
                    key: if object { None } else { key },
                    expect_key: object,
                    ..Frame::default()
                });
            }
            b'}' | b']' => {
                if let Some(f) = stack.pop() {
                    let entries = close(f, sink);
                    match stack.last_mut() {
                        Some(p) => p.entries.extend(entries),
                        None => top.extend(entries),
                    }
                }
            }
            b',' => {
                if let Some(f) = stack.last_mut().filter(|f| f.object) {
                    f.expect_key = true;
                    f.key = None;
                }
            }
            b'"' => {
                let end = string_end(b, i);
                if let Some(f) = stack.last_mut() {
                    any |= string(text, i, end, f);
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    while let Some(f) = stack.pop() {
        let entries = close(f, sink);
        match stack.last_mut() {
            Some(p) => p.entries.extend(entries),
            None => top.extend(entries),
        }
    }
    emit_untitled(top, sink);
    any
}

/// Just past the string starting at `b[start] == b'"'`.
fn string_end(b: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// A string token `text[start..end]` (quotes included) read in frame `f`:
/// a key, a title or name, and the links it holds. Returns whether it
/// held a link.
fn string(text: &str, start: usize, end: usize, f: &mut Frame) -> bool {
    let raw = &text[start..end];
    let inner = raw.get(1..raw.len().saturating_sub(1).max(1)).unwrap_or("");
    let escaped = inner.contains('\\');
    let value: std::borrow::Cow<'_, str> = if escaped {
        serde_json::from_str::<String>(raw)
            .map(Into::into)
            .unwrap_or(inner.into())
    } else {
        inner.into()
    };
    if f.object && f.expect_key {
        f.key = Some(value.into_owned());
        f.expect_key = false;
        return false;
    }
    let key = f.key.as_deref().unwrap_or("");
    if f.object && !value.trim().is_empty() {
        match title_key(key) {
            2 if f.title.is_none() => f.title = Some((value.trim().to_string(), start)),
            1 if f.name.is_none() => f.name = Some((value.trim().to_string(), start)),
            _ => {}
        }
    }
    if !(value.contains("http") || value.contains("www.")) {
        return false;
    }
    let whole = value.trim();
    let mut found = false;
    let mut search_from = 1;
    find_urls(&value, |m| {
        found = true;
        let off = if escaped {
            // Escapes change offsets: the URL where its first characters
            // are written, else the string's start.
            let w = &value[m.start..];
            let mut k = w.len().min(16);
            while !w.is_char_boundary(k) {
                k -= 1;
            }
            let probe = w[..k].split(['/', '\\']).next().unwrap_or("");
            match raw.get(search_from..).and_then(|r| r.find(probe)) {
                Some(p) if !probe.is_empty() => {
                    search_from += p + probe.len();
                    start + search_from - probe.len()
                }
                _ => start + 1,
            }
        } else {
            start + 1 + m.start
        };
        let is_whole = m.url.len() + 2 >= whole.len();
        let role = is_whole
            .then(|| key_role(key))
            .flatten()
            .or_else(|| label_role(label_before(&value[..m.start])))
            .unwrap_or_else(|| role::url_role(&m.url));
        f.entries.push(Entry::Link((off, m.url.into_owned(), role)));
    });
    found
}

/// An object or array ends: a titled object announces its paper and hands
/// its links over; a named one becomes a named group; the rest goes up.
fn close(f: Frame, sink: &mut dyn Sink) -> Vec<Entry> {
    if let Some((title, at)) = f.title {
        if f.entries.is_empty() {
            return Vec::new();
        }
        let index = sink.paper(&title, at);
        for l in flatten(f.entries) {
            sink.link(l, Some(index));
        }
        return Vec::new();
    }
    match f.name {
        Some((name, at)) if !f.entries.is_empty() => vec![Entry::Named {
            name,
            at,
            links: flatten(f.entries),
        }],
        _ => f.entries,
    }
}

fn flatten(entries: Vec<Entry>) -> Vec<Found> {
    let mut out = Vec::new();
    for e in entries {
        match e {
            Entry::Link(l) => out.push(l),
            Entry::Named { links, .. } => out.extend(links),
        }
    }
    out
}

/// What reached the item's top: named groups are papers of their own,
/// other links have none.
fn emit_untitled(entries: Vec<Entry>, sink: &mut dyn Sink) {
    for e in entries {
        match e {
            Entry::Link(l) => sink.link(l, None),
            Entry::Named { name, at, links } => {
                let index = sink.paper(&name, at);
                for l in links {
                    sink.link(l, Some(index));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_roles() {
        for (k, r) in [
            ("repo_url", Some(Role::Code)),
            ("githubRepo", Some(Role::Code)),
            ("Github", Some(Role::Code)),
            ("paper_url", Some(Role::Paper)),
            ("arxiv", Some(Role::Paper)),
            ("url_pdf", Some(Role::Paper)),
            ("project_page", Some(Role::Project)),
            ("homepage", Some(Role::Project)),
            ("thumbnail", Some(Role::Image)),
            ("avatarUrl", Some(Role::Image)),
            ("url", None),
            ("note", None),
        ] {
            assert_eq!(key_role(k), r, "{k}");
        }
    }
}
