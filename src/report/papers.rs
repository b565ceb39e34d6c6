//! papers.csv: one row per paper, in input order (issue 5).
//!
//! Never does network I/O; files are replaced atomically.

use super::atomic::write_atomic;
use super::bool_str;
use super::csv_safe::neutralise;
use crate::error::Error;
use crate::model::PaperRow;
use std::borrow::Cow;
use std::io::{self, Write};
use std::path::Path;

/// The contract columns of papers.csv, in order.
pub const PAPER_COLUMNS: [&str; 11] = [
    "source",
    "line",
    "paper",
    "links",
    "code_links",
    "repos",
    "broken_links",
    "best_repo",
    "best_repo_stars",
    "health",
    "claims_code_without_link",
];

/// Writes paper rows as CSV in the order given.
pub fn write_paper_rows<'a, 'b: 'a, W: Write>(
    out: W,
    rows: impl IntoIterator<Item = &'a PaperRow<'b>>,
) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(PAPER_COLUMNS)?;
    for p in rows {
        let record: [Cow<str>; 11] = [
            neutralise(p.source),
            p.line.to_string().into(),
            neutralise(p.paper),
            p.links.to_string().into(),
            p.code_links.to_string().into(),
            p.repos.to_string().into(),
            p.broken_links.to_string().into(),
            neutralise(&p.best_repo),
            p.best_repo_stars
                .map(|s| s.to_string())
                .unwrap_or_default()
                .into(),
            p.health.map(|h| h.as_str()).unwrap_or_default().into(),
            bool_str(p.claims_code_without_link).into(),
        ];
        w.write_record(record.iter().map(|c| c.as_bytes()))?;
    }
    w.flush()?;
    Ok(())
}

/// Writes papers.csv at `path` atomically.
pub fn write_papers_csv<'a, 'b: 'a>(
    path: &Path,
    rows: impl IntoIterator<Item = &'a PaperRow<'b>>,
) -> Result<(), Error> {
    write_atomic(path, |w| write_paper_rows(w, rows))
}
