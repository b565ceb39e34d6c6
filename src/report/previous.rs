//! Reading the previous run's links.csv and repos.csv back (issue 4,
//! incremental runs), and the `first_failed_at` carry-over. Whether a
//! link is new, known or fixed is the verdict's (`crate::verdict`).
//!
//! Reads only files this module's writers wrote; anything else (an older
//! format, a foreign file, garbage) is ignored with a warning the caller
//! prints; never a panic, never an `Err`. Never does network I/O.
//!
//! Dates are read back with the second precision they were written with.
//! Text cells are un-neutralised with [`restore`], so every value
//! round-trips exactly.

use super::csv_safe::restore;
use super::links::{CHAIN_SEPARATOR, LINK_COLUMNS, LINK_EXTRA_COLUMNS};
use super::repos::{REPO_COLUMNS, REPO_EXTRA_COLUMNS};
use crate::model::{Health, LinkResult, RepoInfo, RepoRow, Status};
use chrono::{DateTime, Utc};
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
}

/// The previous repos.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct PreviousRepos {
    /// Keyed by the linked `owner/name`, lowercased.
    pub repos: HashMap<String, RepoRow>,
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
pub fn read_previous_links(path: &Path) -> Previous<HashMap<String, PreviousLink>> {
    let mut columns: Vec<&str> = LINK_COLUMNS.to_vec();
    columns.extend(LINK_EXTRA_COLUMNS);
    read_report(
        path,
        &columns,
        |rec, map: &mut HashMap<String, PreviousLink>| {
            let url = restore(field(rec, 4)?).into_owned();
            let link = parse_link(rec)?;
            map.entry(url).or_insert(link);
            Ok(())
        },
    )
}

/// Reads the previous repos.csv: lowercase linked `owner/name` -> row.
pub fn read_previous_repos(path: &Path) -> Previous<PreviousRepos> {
    let mut columns: Vec<&str> = REPO_COLUMNS.to_vec();
    columns.extend(REPO_EXTRA_COLUMNS);
    let read = read_report(path, &columns, |rec, map: &mut HashMap<String, RepoRow>| {
        let row = parse_repo(rec)?;
        map.entry(row.repo.to_lowercase()).or_insert(row);
        Ok(())
    });
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

fn read_report<T: Default>(
    path: &Path,
    columns: &[&str],
    mut add: impl FnMut(&csv::StringRecord, &mut T) -> RowResult,
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
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return ignored(path, &format!("unreadable header ({e})")),
    };
    // Later versions may add columns at the end; ours must all be there,
    // in order.
    if header.len() < columns.len() || header.iter().zip(columns).any(|(h, c)| h != *c) {
        return ignored(
            path,
            "it is in an older or foreign format (unexpected header)",
        );
    }
    let mut data = T::default();
    let mut rec = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                if let Err(e) = add(&rec, &mut data) {
                    let line = rec.position().map(|p| p.line()).unwrap_or(0);
                    return ignored(path, &format!("line {line}: {e}"));
                }
            }
            Err(e) => return ignored(path, &format!("unreadable row ({e})")),
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

fn field(rec: &csv::StringRecord, i: usize) -> Result<&str, String> {
    rec.get(i)
        .ok_or_else(|| format!("missing column {}", i + 1))
}

fn parse_num<T: std::str::FromStr>(s: &str, what: &str) -> Result<T, String> {
    s.parse()
        .map_err(|_| format!("{what}: `{s}` is not a number"))
}

fn opt_num<T: std::str::FromStr>(s: &str, what: &str) -> Result<Option<T>, String> {
    if s.is_empty() {
        Ok(None)
    } else {
        parse_num(s, what).map(Some)
    }
}

fn parse_date(s: &str, what: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| format!("{what}: `{s}` is not an RFC 3339 date"))
}

fn opt_date(s: &str, what: &str) -> Result<Option<DateTime<Utc>>, String> {
    if s.is_empty() {
        Ok(None)
    } else {
        parse_date(s, what).map(Some)
    }
}

fn parse_bool(s: &str, what: &str) -> Result<bool, String> {
    match s {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("{what}: `{s}` is not true/false")),
    }
}

fn opt_text(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| restore(s).into_owned())
}

fn parse_link(rec: &csv::StringRecord) -> Result<PreviousLink, String> {
    let f = |i| field(rec, i);
    let status: Status = f(6)?.parse()?;
    if status == Status::Unchecked && f(11)?.is_empty() {
        // A link an interrupted run never checked (written without a
        // result): only its failure history matters.
        return Ok(PreviousLink {
            result: LinkResult {
                status,
                http_status: None,
                final_url: None,
                error: restore(f(9)?).into_owned(),
                elapsed_ms: 0,
                checked_at: DateTime::UNIX_EPOCH,
                redirect_chain: Vec::new(),
                cached: false,
            },
            first_failed_at: opt_date(f(13)?, "first_failed_at")?,
        });
    }
    let chain = restore(f(14)?);
    let result = LinkResult {
        status,
        http_status: opt_num(f(7)?, "http_status")?,
        final_url: opt_text(f(8)?),
        error: restore(f(9)?).into_owned(),
        elapsed_ms: parse_num(f(10)?, "elapsed_ms")?,
        checked_at: parse_date(f(11)?, "checked_at")?,
        cached: parse_bool(f(12)?, "cached")?,
        redirect_chain: if chain.is_empty() {
            Vec::new()
        } else {
            chain.split(CHAIN_SEPARATOR).map(str::to_owned).collect()
        },
    };
    Ok(PreviousLink {
        result,
        first_failed_at: opt_date(f(13)?, "first_failed_at")?,
    })
}

fn parse_repo(rec: &csv::StringRecord) -> Result<RepoRow, String> {
    let f = |i| field(rec, i);
    let health: Health = f(20)?.parse()?;
    // `stars` is written for every found repository and only for those.
    let info = if f(5)?.is_empty() {
        None
    } else {
        Some(RepoInfo {
            canonical: restore(f(1)?).into_owned(),
            url: restore(f(2)?).into_owned(),
            stars: parse_num(f(5)?, "stars")?,
            forks: parse_num(f(6)?, "forks")?,
            watchers: parse_num(f(7)?, "watchers")?,
            open_issues: parse_num(f(8)?, "open_issues")?,
            license: opt_text(f(9)?),
            language: opt_text(f(10)?),
            created_at: opt_date(f(11)?, "created_at")?,
            pushed_at: opt_date(f(12)?, "pushed_at")?,
            last_commit_at: opt_date(f(13)?, "last_commit_at")?,
            commits_90d: opt_num(f(14)?, "commits_90d")?,
            latest_release: opt_text(f(15)?),
            latest_release_at: opt_date(f(16)?, "latest_release_at")?,
            archived: parse_bool(f(17)?, "archived")?,
            fork: parse_bool(f(18)?, "fork")?,
            empty: parse_bool(f(19)?, "empty")?,
            has_code: parse_bool(f(28)?, "has_code")?,
        })
    };
    Ok(RepoRow {
        repo: restore(f(0)?).into_owned(),
        info,
        papers: parse_num(f(3)?, "papers")?,
        links: parse_num(f(4)?, "links")?,
        health,
        days_since_push: opt_num(f(21)?, "days_since_push")?,
        rank: opt_num(f(22)?, "rank")?,
        error: restore(f(23)?).into_owned(),
        stars_delta: opt_num(f(24)?, "stars_delta")?,
        previous_report_at: opt_date(f(25)?, "previous_report_at")?,
        fetched_at: parse_date(f(26)?, "fetched_at")?,
        cached: parse_bool(f(27)?, "cached")?,
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
        }
    }

    #[test]
    fn first_failed_carries_over() {
        let t0 = DateTime::from_timestamp(1_000, 0).unwrap();
        let prev = PreviousLink {
            result: result(Status::Broken, 1_000),
            first_failed_at: Some(t0),
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
