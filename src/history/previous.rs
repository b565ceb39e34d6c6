//! Reading the previous run's links.csv and repos.csv back (issue 4,
//! incremental runs), and the `first_failed_at` carry-over. Whether a
//! link is new, known or fixed is the verdict's (`crate::verdict`).
//!
//! Reads the records `report` writes (`crate::rows`), columns matched by
//! header name, so a reordered file or one with columns this version does
//! not know reads too; anything else (a foreign file, a required column
//! missing, garbage) is ignored with a warning the caller prints; never a
//! panic, never an `Err`. Never does network I/O.
//!
//! Dates are read back with the second precision they were written with.
//! Text cells are un-neutralised by the records, so every value
//! round-trips exactly.

use crate::model::{LinkResult, RepoKey, RepoRow, Status};
use crate::rows::{LinkRecord, RepoRecord};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::path::Path;

/// The outcome of reading a previous report.
#[derive(Clone, Debug, PartialEq)]
pub enum Previous<T> {
    /// No file: a first run. Nothing to say.
    Missing,
    /// Read and understood.
    Loaded(T),
    /// A file was there but is not a report this version wrote (older or
    /// foreign format, unreadable rows). The string is a one-line warning
    /// naming the file, for the user; the run goes on without it.
    Ignored(String),
}

impl<T> Previous<T> {
    /// The data, if the report could be used.
    pub fn data(self) -> Option<T> {
        match self {
            Previous::Loaded(t) => Some(t),
            _ => None,
        }
    }

    /// The warning to print, if the file was ignored.
    pub fn warning(&self) -> Option<&str> {
        match self {
            Previous::Ignored(w) => Some(w),
            _ => None,
        }
    }
}

/// One URL's result in the previous links.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct PreviousLink {
    /// `cached` is what the previous row said.
    pub result: LinkResult,
    pub first_failed_at: Option<DateTime<Utc>>,
    /// What the archives said about it (issue 15); empty when not asked.
    pub archive: crate::model::ArchiveCells,
}

/// The previous repos.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct PreviousRepos {
    /// Keyed by the linked `owner/name`.
    pub repos: HashMap<RepoKey, RepoRow>,
    /// When the previous report's data was fetched: the latest `fetched_at`
    /// in it (`None` for an empty report). Used as `previous_report_at`.
    pub report_at: Option<DateTime<Utc>>,
}

/// The `first_failed_at` for a new result: kept from the previous run while
/// the link keeps failing, the new `checked_at` when it starts failing,
/// `None` once it works again. An `unchecked` (interrupted) or `excluded`
/// link keeps the previous value.
pub fn carry_first_failed(
    previous: Option<&PreviousLink>,
    now: &LinkResult,
) -> Option<DateTime<Utc>> {
    let prev_since = previous.and_then(|p| p.first_failed_at);
    if now.status.is_failure() {
        prev_since.or(Some(now.checked_at))
    } else if now.status.is_success() {
        None
    } else {
        prev_since
    }
}

/// Reads the previous links.csv: URL -> its result. The URL key is exactly
/// as written (occurrences of one URL share one result; the first row wins).
/// Columns are matched by name: a reordered file, or one with columns this
/// version does not know, reads too.
pub fn read_previous_links(path: &Path) -> Previous<HashMap<String, PreviousLink>> {
    read_report(
        path,
        &["url", "status"],
        |rec: LinkRecord<'static>, map: &mut HashMap<String, PreviousLink>| {
            let url = rec.url.to_string();
            let link = previous_link(rec)?;
            map.entry(url).or_insert(link);
            Ok(())
        },
    )
}

/// Reads the previous repos.csv: linked repository -> row.
pub fn read_previous_repos(path: &Path) -> Previous<PreviousRepos> {
    let read = read_report(
        path,
        &["repo", "health"],
        |rec: RepoRecord<'static>, map: &mut HashMap<RepoKey, RepoRow>| {
            let row = rec.into_row()?;
            map.entry(row.key()).or_insert(row);
            Ok(())
        },
    );
    match read {
        Previous::Loaded(repos) => {
            let report_at = repos.values().map(|r| r.fetched_at).max();
            Previous::Loaded(PreviousRepos { repos, report_at })
        }
        Previous::Missing => Previous::Missing,
        Previous::Ignored(w) => Previous::Ignored(w),
    }
}

type RowResult = Result<(), String>;

/// Reads every record of a report. `key_columns` must be in the header
/// (a file without them is not ours, even without rows); every other column
/// is checked by the record type itself (a missing one without a default is
/// an unreadable row).
fn read_report<R: DeserializeOwned, T: Default>(
    path: &Path,
    key_columns: &[&str],
    mut add: impl FnMut(R, &mut T) -> RowResult,
) -> Previous<T> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Previous::Missing,
        Err(e) => return ignored(path, &format!("cannot read it: {e}")),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(std::io::BufReader::new(file));
    match reader.headers() {
        Ok(h) if key_columns.iter().all(|k| h.iter().any(|c| c == *k)) => {}
        Ok(_) => {
            return ignored(
                path,
                "it is in an older or foreign format (unexpected header)",
            );
        }
        Err(e) => return ignored(path, &format!("unreadable header ({e})")),
    }
    let mut data = T::default();
    for rec in reader.deserialize::<R>() {
        let added = rec
            .map_err(|e| e.to_string())
            .and_then(|r| add(r, &mut data));
        if let Err(e) = added {
            return ignored(path, &format!("unreadable row ({e})"));
        }
    }
    Previous::Loaded(data)
}

fn ignored<T>(path: &Path, why: &str) -> Previous<T> {
    Previous::Ignored(format!(
        "previous report {} ignored: {why}; everything is checked afresh",
        path.display()
    ))
}

fn previous_link(rec: LinkRecord<'static>) -> Result<PreviousLink, String> {
    let redirect_chain = rec.chain();
    let archive = crate::model::ArchiveCells {
        copy: rec.archived_copy.to_string(),
        at: rec.archived_at,
        checked_at: rec.archive_checked_at,
    };
    let Some(checked_at) = rec.checked_at else {
        if rec.status != Status::Unchecked {
            return Err(format!("`{}` without checked_at", rec.status));
        }
        // A link an interrupted run never checked (written without a
        // result): only its failure history matters.
        return Ok(PreviousLink {
            result: LinkResult {
                status: rec.status,
                http_status: None,
                final_url: None,
                error: rec.error.into_owned(),
                elapsed_ms: 0,
                checked_at: DateTime::UNIX_EPOCH,
                redirect_chain: Vec::new(),
                cached: false,
                page_links: None,
                redirect_codes: None,
            },
            first_failed_at: rec.first_failed_at,
            archive,
        });
    };
    let page_links = rec.page_links().map(Vec::into_boxed_slice);
    let redirect_codes = rec.codes().filter(|c| !c.is_empty()).map(Box::new);
    let result = LinkResult {
        page_links,
        status: rec.status,
        http_status: rec.http_status,
        final_url: (!rec.final_url.is_empty()).then(|| rec.final_url.into_owned()),
        error: rec.error.into_owned(),
        elapsed_ms: rec.elapsed_ms.ok_or("elapsed_ms is empty")?,
        checked_at,
        cached: rec.cached,
        redirect_chain,
        redirect_codes,
    };
    Ok(PreviousLink {
        result,
        first_failed_at: rec.first_failed_at,
        archive,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(status: Status, at: i64) -> LinkResult {
        LinkResult {
            status,
            http_status: None,
            final_url: None,
            error: String::new(),
            elapsed_ms: 0,
            checked_at: DateTime::from_timestamp(at, 0).unwrap(),
            redirect_chain: vec![],
            cached: false,
            page_links: None,
            redirect_codes: None,
        }
    }

    #[test]
    fn first_failed_carries_over() {
        let t0 = DateTime::from_timestamp(1_000, 0).unwrap();
        let prev = PreviousLink {
            result: result(Status::Broken, 1_000),
            first_failed_at: Some(t0),
            archive: Default::default(),
        };
        assert_eq!(
            carry_first_failed(Some(&prev), &result(Status::Broken, 2_000)),
            Some(t0)
        );
        assert_eq!(
            carry_first_failed(None, &result(Status::Timeout, 2_000)),
            DateTime::from_timestamp(2_000, 0)
        );
        assert_eq!(
            carry_first_failed(Some(&prev), &result(Status::Ok, 2_000)),
            None
        );
        assert_eq!(
            carry_first_failed(Some(&prev), &result(Status::Unchecked, 2_000)),
            Some(t0)
        );
    }
}
