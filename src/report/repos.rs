//! repos.csv: one row per repository, most stars first, missing and unknown
//! last; plus the ranking and the star deltas against the previous report.
//!
//! Never does network I/O; files are replaced atomically.

use super::atomic::write_atomic;
use super::csv_safe::neutralise;
use super::previous::PreviousRepos;
use super::{bool_str, fmt_time};
use crate::error::Error;
use crate::model::{Health, RepoRow};
use std::borrow::Cow;
use std::io::{self, Write};
use std::path::Path;

/// The contract columns of repos.csv, in order (issue 3).
pub const REPO_COLUMNS: [&str; 24] = [
    "repo",
    "canonical",
    "url",
    "papers",
    "links",
    "stars",
    "forks",
    "watchers",
    "open_issues",
    "license",
    "language",
    "created_at",
    "pushed_at",
    "last_commit_at",
    "commits_90d",
    "latest_release",
    "latest_release_at",
    "archived",
    "fork",
    "empty",
    "health",
    "days_since_push",
    "rank",
    "error",
];

/// Columns after [`REPO_COLUMNS`] (issue 4, plus `has_code` so a reused row
/// keeps everything `github::health` needs).
pub const REPO_EXTRA_COLUMNS: [&str; 5] = [
    "stars_delta",
    "previous_report_at",
    "fetched_at",
    "cached",
    "has_code",
];

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
            r.repo.to_lowercase(),
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

/// Sets `stars_delta` (current stars minus the previous report's) and
/// `previous_report_at` on every row found in both reports. Rows without
/// stars on either side get `None`. Matching is by the linked name,
/// case-insensitively.
pub fn fill_star_deltas(rows: &mut [RepoRow], previous: &PreviousRepos) {
    for r in rows.iter_mut() {
        let prev = previous.repos.get(&r.repo.to_lowercase());
        r.previous_report_at = prev.and(previous.report_at);
        r.stars_delta = match (prev.and_then(|p| p.info.as_ref()), r.info.as_ref()) {
            (Some(p), Some(now)) => Some(now.stars as i64 - p.stars as i64),
            _ => None,
        };
    }
}

fn opt_num<T: ToString>(v: Option<T>) -> Cow<'static, str> {
    v.map(|v| v.to_string()).unwrap_or_default().into()
}

/// Writes repository rows as CSV in the order given (call [`rank_repos`]
/// first). Unknown values are empty cells; booleans `true`/`false`.
pub fn write_repo_rows<'a, W: Write>(
    out: W,
    rows: impl IntoIterator<Item = &'a RepoRow>,
) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(REPO_COLUMNS.iter().chain(REPO_EXTRA_COLUMNS.iter()))?;
    for r in rows {
        let i = r.info.as_ref();
        let text = |f: fn(&crate::model::RepoInfo) -> Option<&str>| -> Cow<str> {
            i.and_then(f).map(neutralise).unwrap_or_default()
        };
        let num = |f: fn(&crate::model::RepoInfo) -> u64| opt_num(i.map(f));
        let date =
            |f: fn(&crate::model::RepoInfo) -> Option<chrono::DateTime<chrono::Utc>>| -> Cow<str> {
                i.and_then(f).map(fmt_time).unwrap_or_default().into()
            };
        let flag = |f: fn(&crate::model::RepoInfo) -> bool| -> Cow<str> {
            i.map(|i| bool_str(f(i))).unwrap_or_default().into()
        };
        let record: [Cow<str>; 29] = [
            neutralise(&r.repo),
            text(|i| Some(i.canonical.as_str())),
            text(|i| Some(i.url.as_str())),
            r.papers.to_string().into(),
            r.links.to_string().into(),
            num(|i| i.stars),
            num(|i| i.forks),
            num(|i| i.watchers),
            num(|i| i.open_issues),
            text(|i| i.license.as_deref()),
            text(|i| i.language.as_deref()),
            date(|i| i.created_at),
            date(|i| i.pushed_at),
            date(|i| i.last_commit_at),
            opt_num(i.and_then(|i| i.commits_90d)),
            text(|i| i.latest_release.as_deref()),
            date(|i| i.latest_release_at),
            flag(|i| i.archived),
            flag(|i| i.fork),
            flag(|i| i.empty),
            r.health.as_str().into(),
            opt_num(r.days_since_push),
            opt_num(r.rank),
            neutralise(&r.error),
            opt_num(r.stars_delta),
            r.previous_report_at
                .map(fmt_time)
                .unwrap_or_default()
                .into(),
            fmt_time(r.fetched_at).into(),
            bool_str(r.cached).into(),
            flag(|i| i.has_code),
        ];
        w.write_record(record.iter().map(|c| c.as_bytes()))?;
    }
    w.flush()?;
    Ok(())
}

/// Writes repos.csv at `path` atomically (see [`write_repo_rows`]).
pub fn write_repos_csv<'a>(
    path: &Path,
    rows: impl IntoIterator<Item = &'a RepoRow>,
) -> Result<(), Error> {
    write_atomic(path, |w| write_repo_rows(w, rows))
}
