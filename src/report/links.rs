//! links.csv: one row per link occurrence, in the order the caller gives
//! (input order). Streams rows: never collects them.
//!
//! Never does network I/O; files are replaced atomically.

use super::atomic::write_atomic;
use super::csv_safe::neutralise;
use super::{bool_str, fmt_time};
use crate::error::Error;
use crate::model::LinkRow;
use std::borrow::Cow;
use std::io::{self, Write};
use std::path::Path;

/// The contract columns of links.csv, in order.
pub const LINK_COLUMNS: [&str; 12] = [
    "source",
    "line",
    "column",
    "paper",
    "url",
    "repo",
    "status",
    "http_status",
    "final_url",
    "error",
    "elapsed_ms",
    "checked_at",
];

/// Columns written after [`LINK_COLUMNS`] by the `check` command (issue 4).
/// `redirect_chain` holds every URL requested after the first, joined with
/// [`CHAIN_SEPARATOR`].
pub const LINK_EXTRA_COLUMNS: [&str; 3] = ["cached", "first_failed_at", "redirect_chain"];

/// Joins the URLs of `redirect_chain` (URLs never contain spaces).
pub const CHAIN_SEPARATOR: &str = " -> ";

/// Number of columns written by `extract` (up to and including `repo`).
pub const EXTRACT_COLUMN_COUNT: usize = 6;

/// Writes link rows as CSV. When `with_results` is false (the `extract`
/// command) only the columns up to `repo` are written; otherwise all of
/// [`LINK_COLUMNS`] then [`LINK_EXTRA_COLUMNS`]. A row without a result in
/// a `with_results` report is written as `unchecked` with empty result
/// cells (and its `first_failed_at`); prefer giving such rows a
/// `LinkResult::without_request(Status::Unchecked, ..)`. Text cells are
/// neutralised against formula injection; dates are RFC 3339 UTC seconds.
pub fn write_link_rows<'a, W: Write>(
    out: W,
    rows: impl Iterator<Item = LinkRow<'a>>,
    with_results: bool,
) -> io::Result<()> {
    let mut w = LinkCsvWriter::new(out, with_results)?;
    for row in rows {
        w.write(&row)?;
    }
    w.flush()
}

/// A streaming links.csv writer: the header on creation, then one record
/// per [`LinkCsvWriter::write`]. Used where rows are produced one at a time
/// (the `extract` command) and by [`write_link_rows`].
pub struct LinkCsvWriter<W: Write> {
    w: csv::Writer<W>,
    with_results: bool,
    line: String,
    column: String,
}

impl<W: Write> LinkCsvWriter<W> {
    /// Writes the header (see [`write_link_rows`] for `with_results`).
    pub fn new(out: W, with_results: bool) -> io::Result<Self> {
        let mut w = csv::Writer::from_writer(out);
        if with_results {
            w.write_record(LINK_COLUMNS.iter().chain(LINK_EXTRA_COLUMNS.iter()))?;
        } else {
            w.write_record(&LINK_COLUMNS[..EXTRACT_COLUMN_COUNT])?;
        }
        Ok(LinkCsvWriter {
            w,
            with_results,
            line: String::with_capacity(20),
            column: String::with_capacity(20),
        })
    }

    /// Writes one row.
    pub fn write(&mut self, row: &LinkRow<'_>) -> io::Result<()> {
        use std::fmt::Write as _;
        self.line.clear();
        self.column.clear();
        let _ = write!(self.line, "{}", row.line);
        let _ = write!(self.column, "{}", row.column);
        let head: [Cow<str>; EXTRACT_COLUMN_COUNT] = [
            neutralise(row.source),
            Cow::Borrowed(self.line.as_str()),
            Cow::Borrowed(self.column.as_str()),
            neutralise(row.paper),
            neutralise(row.url),
            neutralise(row.repo),
        ];
        if !self.with_results {
            self.w.write_record(head.iter().map(|c| c.as_bytes()))?;
            return Ok(());
        }
        let first_failed: Cow<str> = row.first_failed_at.map(fmt_time).unwrap_or_default().into();
        let tail: [Cow<str>; 9] = match row.result {
            Some(r) => [
                Cow::Borrowed(r.status.as_str()),
                r.http_status
                    .map(|s| s.to_string())
                    .unwrap_or_default()
                    .into(),
                neutralise(r.final_url.as_deref().unwrap_or("")),
                neutralise(&r.error),
                Cow::Owned(r.elapsed_ms.to_string()),
                Cow::Owned(fmt_time(r.checked_at)),
                Cow::Borrowed(bool_str(r.cached)),
                first_failed,
                Cow::Owned(neutralise(&r.redirect_chain.join(CHAIN_SEPARATOR)).into_owned()),
            ],
            // No result in a check report: unchecked, empty result cells,
            // but keep first_failed_at so the failure history is not lost.
            None => {
                let mut t = [""; 9].map(Cow::Borrowed);
                t[0] = Cow::Borrowed("unchecked");
                t[6] = Cow::Borrowed("false");
                t[7] = first_failed;
                t
            }
        };
        self.w
            .write_record(head.iter().chain(tail.iter()).map(|c| c.as_bytes()))?;
        Ok(())
    }

    /// Flushes everything written so far.
    pub fn flush(&mut self) -> io::Result<()> {
        self.w.flush()?;
        Ok(())
    }
}

/// Writes links.csv at `path` atomically (see [`write_link_rows`]).
pub fn write_links_csv<'a>(
    path: &Path,
    rows: impl Iterator<Item = LinkRow<'a>>,
    with_results: bool,
) -> Result<(), Error> {
    write_atomic(path, |w| write_link_rows(w, rows, with_results))
}
