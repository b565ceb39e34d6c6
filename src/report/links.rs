//! links.csv: one row per link occurrence, in the order the caller gives
//! (input order). Streams rows: never collects them.
//!
//! Never does network I/O; files are replaced atomically.

use super::atomic::write_atomic;
use crate::error::Error;
use crate::model::LinkRow;
use crate::rows::{ExtractRecord, LinkRecord, RecordWriter, UrlCells, columns};
use std::io::{self, Write};
use std::path::Path;

/// The columns of links.csv as `check` writes them, in order (the fields
/// of [`LinkRecord`]).
pub fn link_columns() -> &'static [&'static str] {
    columns::<LinkRecord<'static>>()
}

/// Writes link rows as CSV. When `with_results` is false (the `extract`
/// command) only the columns up to `repo` are written ([`ExtractRecord`]);
/// otherwise every column of [`LinkRecord`]. A row without a result in
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
    w: RecordWriter<W>,
    with_results: bool,
}

impl<W: Write> LinkCsvWriter<W> {
    /// Writes the header (see [`write_link_rows`] for `with_results`).
    pub fn new(out: W, with_results: bool) -> io::Result<Self> {
        let w = if with_results {
            RecordWriter::new::<LinkRecord<'static>>(out)?
        } else {
            RecordWriter::new::<ExtractRecord<'static>>(out)?
        };
        Ok(LinkCsvWriter { w, with_results })
    }

    /// Writes one row.
    pub fn write(&mut self, row: &LinkRow<'_>) -> io::Result<()> {
        if self.with_results {
            LinkRecord::from_row(row).write_to(&mut self.w)
        } else {
            ExtractRecord::from_row(row).write_to(&mut self.w)
        }
    }

    /// Flushes everything written so far.
    pub fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
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

/// Writes links.csv at `path` atomically from rows given with their URL's
/// id (below `urls`): the bytes of [`write_links_csv`] with results, with
/// each URL's result cells encoded once ([`UrlCells`]); every row of one
/// id must carry the same URL, repository, result, `first_failed_at` and
/// archive.
pub fn write_links_csv_by_url<'a>(
    path: &Path,
    rows: impl Iterator<Item = (usize, LinkRow<'a>)>,
    urls: usize,
) -> Result<(), Error> {
    write_atomic(path, |out| write_link_rows_by_url(out, rows, urls))
}

/// [`write_links_csv_by_url`] into `out`.
pub fn write_link_rows_by_url<'a, W: Write>(
    out: W,
    rows: impl Iterator<Item = (usize, LinkRow<'a>)>,
    urls: usize,
) -> io::Result<()> {
    let mut w = RecordWriter::new::<LinkRecord<'static>>(out)?;
    let mut cells = UrlCells::new(urls);
    for (url, row) in rows {
        cells.write(&mut w, url, &row)?;
    }
    w.flush()
}
