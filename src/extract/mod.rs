//! Extraction: turns the text of one input (plain-text listing dumps,
//! Markdown, HTML, daily-papers JSON / JSON Lines) into papers and the exact
//! URLs their authors meant, with 1-based line and column (in characters).
//!
//! Owns the URL-cleaning rules (`clean`), paper attribution and the
//! "claims code without a link" phrase list (`claims`). Never does I/O
//! beyond the reader it is handed; never touches the network.

use std::io::BufRead;

/// Input formats. Everything unrecognised is `Text`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Html,
    /// A JSON array of daily-papers items, or JSON Lines of such items.
    Json,
}

impl Format {
    /// Detects the format from the file extension (lowercase, without dot)
    /// and/or the first bytes of the content.
    pub fn detect(_extension: Option<&str>, _head: &[u8]) -> Format {
        Format::Text
    }
}

/// A paper found in a document. `index` counts papers within the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaperStart {
    pub index: usize,
    pub title: String,
    /// 1-based line of the title.
    pub line: usize,
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
}

/// What extraction reports, in document order. A `Paper` is always emitted
/// before any `Link` or `ClaimsCode` that refers to its index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Paper(PaperStart),
    Link(FoundLink),
    /// The paper's abstract says code or models are (or will be) available.
    ClaimsCode {
        paper: usize,
    },
}

/// Streams `reader` through the extractor for `format`, calling `emit` for
/// every event in document order.
pub fn extract<R: BufRead>(
    _format: Format,
    _reader: R,
    _emit: &mut dyn FnMut(Event),
) -> std::io::Result<()> {
    Ok(())
}

/// Convenience for tests: all events of a string.
pub fn extract_str(format: Format, text: &str) -> Vec<Event> {
    let mut events = Vec::new();
    extract(format, text.as_bytes(), &mut |e| events.push(e)).expect("reading a string");
    events
}
