//! repos.csv: one row per repository, most stars first, missing and unknown
//! last; plus the ranking.
//!
//! Never does network I/O; files are replaced atomically.

use super::atomic::write_atomic;
use crate::error::Error;
use crate::model::{Health, RepoRow};
use crate::rows::{RecordWriter, RepoRecord, columns};
use std::io::{self, Write};
use std::path::Path;

/// The columns of repos.csv, in order (the fields of [`RepoRecord`]).
pub fn repo_columns() -> &'static [&'static str] {
    columns::<RepoRecord<'static>>()
}

/// True when a row takes part in the star ranking: found, and not `missing`
/// or `unknown`.
pub fn is_ranked(row: &RepoRow) -> bool {
    row.info.is_some() && !matches!(row.health, Health::Missing | Health::Unknown)
}

/// Sorts rows most stars first (ties by name, case-insensitively), rows that
/// are missing or unknown last (by name), and sets `rank` to 1, 2, ... for
/// the ranked rows and `None` for the others. Equal stars get distinct
/// consecutive ranks (the order is deterministic).
pub fn rank_repos(rows: &mut [RepoRow]) {
    rows.sort_by_cached_key(|r| {
        let stars = r.info.as_ref().map(|i| i.stars).unwrap_or(0);
        (
            !is_ranked(r),
            std::cmp::Reverse(if is_ranked(r) { stars } else { 0 }),
            r.key(),
        )
    });
    let mut next = 1;
    for r in rows.iter_mut() {
        if is_ranked(r) {
            r.rank = Some(next);
            next += 1;
        } else {
            r.rank = None;
        }
    }
}

/// Writes repository rows as CSV in the order given (call [`rank_repos`]
/// first). Unknown values are empty cells; booleans `true`/`false`.
pub fn write_repo_rows<'a, W: Write>(
    out: W,
    rows: impl IntoIterator<Item = &'a RepoRow>,
) -> io::Result<()> {
    let mut w = RecordWriter::new::<RepoRecord<'static>>(out)?;
    for r in rows {
        w.write(&RepoRecord::from_row(r))?;
    }
    w.flush()
}

/// Writes repos.csv at `path` atomically (see [`write_repo_rows`]).
pub fn write_repos_csv<'a>(
    path: &Path,
    rows: impl IntoIterator<Item = &'a RepoRow>,
) -> Result<(), Error> {
    write_atomic(path, |w| write_repo_rows(w, rows))
}
