//! papers.csv: one row per paper, in input order (issue 5).
//!
//! Never does network I/O; files are replaced atomically.

use super::atomic::write_atomic;
use crate::error::Error;
use crate::model::PaperRow;
use crate::rows::{PaperRecord, RecordWriter, columns};
use std::io::{self, Write};
use std::path::Path;

/// The columns of papers.csv, in order (the fields of [`PaperRecord`]).
pub fn paper_columns() -> &'static [&'static str] {
    columns::<PaperRecord<'static>>()
}

/// Writes paper rows as CSV in the order given.
pub fn write_paper_rows<'a, 'b: 'a, W: Write>(
    out: W,
    rows: impl IntoIterator<Item = &'a PaperRow<'b>>,
) -> io::Result<()> {
    let mut w = RecordWriter::new::<PaperRecord<'static>>(out)?;
    for p in rows {
        w.write(&PaperRecord::from_row(p))?;
    }
    w.flush()
}

/// Writes papers.csv at `path` atomically.
pub fn write_papers_csv<'a, 'b: 'a>(
    path: &Path,
    rows: impl IntoIterator<Item = &'a PaperRow<'b>>,
) -> Result<(), Error> {
    write_atomic(path, |w| write_paper_rows(w, rows))
}
