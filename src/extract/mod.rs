//! Extraction: turns the text of one input (plain-text listing dumps,
//! Markdown, HTML, daily-papers JSON / JSON Lines) into papers and the exact
//! URLs their authors meant, with 1-based line and column (in characters).
//!
//! Owns the URL-cleaning rules (`clean`), paper attribution and the
//! "claims code without a link" phrase list (`claims`). Never does I/O
//! beyond the reader it is handed; never touches the network.
//!
//! Where the rules live (each module documents its own):
//! - [`clean`]: finding and cleaning URLs, the same for every format.
//! - [`claims`]: the phrase list behind `Event::ClaimsCode`.
//! - `text`: listing dumps; the "abstract-like" rule, paper attribution,
//!   streaming with bounded memory and chunking of over-long lines.
//! - `markdown`: headings and list-item titles as papers; code blocks skipped.
//! - [`segments`]: Markdown split into runs of whole blocks (bounded memory).
//! - `html`: headings as papers; `href`/`src`; script/style skipped.
//! - `json`: daily-papers arrays and JSON Lines, one item in memory at a time;
//!   `jsonwalk`: any other JSON object (every URL in a string a link).

use std::io::BufRead;

pub mod claims;
pub mod clean;
pub mod decode;
mod html;
mod json;
mod jsonwalk;
mod markdown;
mod pos;
pub mod role;
pub mod segments;
mod text;
pub mod title;
mod unit;

pub use claims::claims_code;
pub use clean::{UrlMatch, clean_url, find_urls};
pub use decode::Tally;
pub use role::Role;

use crate::words::word_enum;
use decode::{Notes, Sniff};

word_enum! {
    /// Input formats. Everything unrecognised is `Text`. The words
    /// (`text`, `markdown`, `html`, `json`) are what messages say.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Format: "input format" {
        /// Plain text: a listing page's text dump.
        Text = "text",
        /// Markdown (CommonMark with GitHub tables).
        Markdown = "markdown",
        /// HTML.
        Html = "html",
        /// A JSON array of daily-papers items, or JSON Lines of such items.
        Json = "json",
    }
}

impl Format {
    /// Detects the format from the file extension (lowercase, without dot)
    /// and/or the first bytes of the content.
    ///
    /// Extensions: `txt`/`text` -> Text, `md`/`markdown` -> Markdown,
    /// `html`/`htm` -> Html, `json`/`jsonl`/`ndjson` -> Json (any case).
    /// Other or no extension: by content (after a BOM and whitespace):
    /// `[` followed by `{` or `]`, or `{` followed by `"`, -> Json;
    /// `<!doctype html`, `<html`, `<head`, `<body` or `<!--` -> Html; a line
    /// starting with an ATX heading (`# ` ... `###### `) or a list item link
    /// (`- [`, `* [`) -> Markdown; everything else Text.
    pub fn detect(extension: Option<&str>, head: &[u8]) -> Format {
        if let Some(ext) = extension {
            match ext.to_ascii_lowercase().as_str() {
                "txt" | "text" => return Format::Text,
                "md" | "markdown" | "mdown" | "mkd" => return Format::Markdown,
                "html" | "htm" | "xhtml" => return Format::Html,
                "json" | "jsonl" | "ndjson" => return Format::Json,
                _ => {}
            }
        }
        detect_content(head)
    }
}

fn detect_content(head: &[u8]) -> Format {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let skip_ws = |b: &[u8]| -> usize { b.iter().take_while(|c| c.is_ascii_whitespace()).count() };
    let start = skip_ws(head);
    let rest = &head[start..];
    match rest.first() {
        Some(b'[') => {
            let after = &rest[1..];
            if matches!(after.get(skip_ws(after)), Some(b'{') | Some(b']')) {
                return Format::Json;
            }
        }
        Some(b'{') => {
            let after = &rest[1..];
            if matches!(after.get(skip_ws(after)), Some(b'"') | Some(b'}')) {
                return Format::Json;
            }
        }
        Some(b'<') => {
            let lower: Vec<u8> = rest
                .iter()
                .take(16)
                .map(|b| b.to_ascii_lowercase())
                .collect();
            if [
                &b"<!doctype html"[..],
                b"<html",
                b"<head",
                b"<body",
                b"<!--",
            ]
            .iter()
            .any(|p| lower.starts_with(p))
            {
                return Format::Html;
            }
        }
        _ => {}
    }
    for line in head.split(|&b| b == b'\n') {
        let hashes = line.iter().take_while(|&&b| b == b'#').count();
        if (1..=6).contains(&hashes) && matches!(line.get(hashes), Some(b' ') | Some(b'\t')) {
            return Format::Markdown;
        }
        if line.starts_with(b"- [") || line.starts_with(b"* [") {
            return Format::Markdown;
        }
    }
    Format::Text
}

/// A paper found in a document. `index` counts papers within the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaperStart {
    /// 0-based count of papers within the document; links refer to it.
    pub index: usize,
    /// The title, whole (markup that delimits it kept together).
    pub title: String,
    /// 1-based line of the title.
    pub line: usize,
    /// The innermost heading above the paper ("" when none, and always ""
    /// in the text and JSON formats).
    pub section: String,
}

/// One occurrence of a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundLink {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The cleaned URL, as the author wrote it (scheme added for `www.`).
    pub url: String,
    /// The `PaperStart::index` this link belongs to, if any.
    pub paper: Option<usize>,
    /// What the link is to its paper (label first, then host and path;
    /// see [`role`]).
    pub role: Role,
}

/// What extraction reports, in document order. A `Paper` is always emitted
/// before any `Link` or `ClaimsCode` that refers to its index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A paper starts; its links follow.
    Paper(PaperStart),
    /// A link, with its paper and role.
    Link(FoundLink),
    /// The paper's abstract says code or models are (or will be) available.
    /// In the text format this is only looked for while the paper has no
    /// link yet (the claim matters to reports only for papers without one).
    ClaimsCode {
        /// The `PaperStart::index` it is about.
        paper: usize,
    },
    /// The paper says explicitly that there is no code (`Code: None`,
    /// `Code: coming soon`, `代码: 即将开源`; see [`role::withholds_code`]).
    WithholdsCode {
        /// The `PaperStart::index` it is about.
        paper: usize,
    },
}

/// Streams `reader` through the extractor for `format`, calling `emit` for
/// every event in document order; the [`Tally`] counts what was emitted.
///
/// Text and JSON are streamed (bounded memory whatever the input size);
/// Markdown is parsed in runs of whole blocks (a document up to
/// [`segments::RUN_BYTES`] whole, see [`segments`]); HTML is read whole.
/// Invalid UTF-8 is decoded as [`decode`] says (inside a URL its bytes are
/// kept percent-encoded; elsewhere each bad sequence is one U+FFFD
/// character for column counting) and noted in the returned [`Tally`].
/// Only I/O errors of `reader` are errors.
pub fn extract<R: BufRead>(
    format: Format,
    reader: R,
    emit: &mut dyn FnMut(Event),
) -> std::io::Result<Tally> {
    let mut tally = Tally::default();
    let mut notes = Notes::default();
    let mut sniff = Sniff::new(reader);
    let mut counted = |e: Event| {
        match &e {
            Event::Link(_) => tally.links += 1,
            Event::Paper(_) => tally.papers += 1,
            _ => {}
        }
        emit(e)
    };
    match format {
        Format::Text => text::extract(&mut sniff, &mut counted, &mut notes)?,
        Format::Markdown => markdown::extract(&mut sniff, &mut counted, &mut notes)?,
        Format::Html => {
            let doc = read_whole(&mut sniff, &mut notes)?;
            html::run(&doc, &mut counted);
        }
        Format::Json => json::extract(&mut sniff, &mut counted, &mut notes)?,
    }
    tally.url_text = sniff.found;
    tally.noted(notes);
    Ok(tally)
}

/// Reads a whole document (the HTML extractor needs all of it),
/// decoding invalid UTF-8 as [`decode`] says.
fn read_whole<R: BufRead>(mut reader: R, notes: &mut Notes) -> std::io::Result<String> {
    let mut raw = Vec::new();
    reader.read_to_end(&mut raw)?;
    Ok(match String::from_utf8(raw) {
        Ok(s) => s,
        Err(e) => {
            let mut bad = Vec::new();
            let text = decode::decode(e.as_bytes(), &mut bad).into_owned();
            notes.bad_offsets(&text, 0, &bad);
            text
        }
    })
}

/// Convenience for tests: all events of a string.
pub fn extract_str(format: Format, text: &str) -> Vec<Event> {
    let mut events = Vec::new();
    extract(format, text.as_bytes(), &mut |e| events.push(e)).expect("reading a string");
    events
}
