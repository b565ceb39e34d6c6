//! History: what the previous run's reports say, and which of it may be
//! reused. A fresh `ok`/`redirected` link result and fresh repository data
//! are reused; failures never are. History (first_failed_at, star deltas,
//! fixed/new/known) is kept even with `--no-cache`, which only turns reuse off.
//!
//! Reads the previous links.csv and repos.csv back (`previous`, through
//! the records of `crate::rows`); never writes, and never depends on
//! `report` (the last stage): the pipeline asks history before any check.

use crate::archive::{Lookup, Outcome, Service};
use crate::config::Config;
use crate::model::{Health, LinkResult, RepoInfo, RepoKey, RepoOutcome, RepoRow};
mod previous;
use chrono::{DateTime, Utc};
pub use previous::{
    Previous, PreviousLink, PreviousRepos, carry_first_failed, read_previous_links,
    read_previous_repos,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where each report lives in the output directory.
#[derive(Clone, Debug)]
pub struct ReportPaths {
    pub links: PathBuf,
    pub repos: PathBuf,
    pub papers: PathBuf,
    pub summary: PathBuf,
    pub popularity_md: PathBuf,
    pub popularity_svg: PathBuf,
}

impl ReportPaths {
    pub fn new(dir: &Path) -> Self {
        ReportPaths {
            links: dir.join("links.csv"),
            repos: dir.join("repos.csv"),
            papers: dir.join("papers.csv"),
            summary: dir.join("summary.md"),
            popularity_md: dir.join("popularity.md"),
            popularity_svg: dir.join("popularity.svg"),
        }
    }
}

/// The previous run, as far as it could be read.
#[derive(Debug, Default)]
pub struct History {
    pub links: HashMap<String, PreviousLink>,
    pub repos: Option<PreviousRepos>,
    /// Whether a previous links.csv was read (fixed/new are only meaningful then).
    pub had_links: bool,
    link_max_age: Option<Duration>,
    repo_max_age: Option<Duration>,
    archive_found_age: Option<Duration>,
    archive_none_age: Option<Duration>,
    now: DateTime<Utc>,
    /// Warnings about ignored files, for the user.
    pub warnings: Vec<String>,
}

impl History {
    /// Reads the previous reports. `no_cache` keeps the history but turns
    /// reuse off. Unreadable reports are ignored with a warning.
    pub fn load(paths: &ReportPaths, config: &Config, no_cache: bool) -> History {
        let mut history = History {
            now: Utc::now(),
            ..History::default()
        };
        match read_previous_links(&paths.links) {
            Previous::Loaded(map) => {
                history.links = map;
                history.had_links = true;
            }
            Previous::Ignored(w) => history.warnings.push(w),
            Previous::Missing => {}
        }
        match read_previous_repos(&paths.repos) {
            Previous::Loaded(repos) => history.repos = Some(repos),
            Previous::Ignored(w) => history.warnings.push(w),
            Previous::Missing => {}
        }
        if !no_cache {
            history.link_max_age = Some(config.check.cache_max_age.0);
            history.repo_max_age = Some(config.github.cache_max_age.0);
            history.archive_found_age = Some(config.archive.cache_max_age.0);
            history.archive_none_age = Some(config.archive.no_copy_max_age.0);
        }
        history
    }

    fn fresh(&self, at: DateTime<Utc>, max_age: Option<Duration>) -> bool {
        let Some(max_age) = max_age.filter(|a| !a.is_zero()) else {
            return false;
        };
        let age = self.now.signed_duration_since(at);
        age >= chrono::Duration::zero() && age.to_std().is_ok_and(|a| a < max_age)
    }

    /// The previous result of `url`, when it worked and is young enough to reuse.
    pub fn reusable_link(&self, url: &str) -> Option<LinkResult> {
        let prev = self.links.get(url)?;
        if !prev.result.status.is_success()
            || !self.fresh(prev.result.checked_at, self.link_max_age)
        {
            return None;
        }
        let mut result = prev.result.clone();
        result.cached = true;
        Some(result)
    }

    /// Previous data of a repository when it was found and is young enough
    /// to reuse; with the time it was fetched.
    pub fn reusable_repo(&self, key: &RepoKey) -> Option<(RepoInfo, DateTime<Utc>)> {
        let row = self.previous_repo(key)?;
        let info = row.info.clone()?;
        if !self.fresh(row.fetched_at, self.repo_max_age) {
            return None;
        }
        Some((info, row.fetched_at))
    }

    /// What the previous report last knew of a repository, however old
    /// (issue 27): found (its data), missing or unavailable, with when it
    /// was fetched. `None` when it was never audited (no row, or a row
    /// whose health is `unknown`). Ignores `--no-cache` and
    /// `cache_max_age`: this is not reuse (the repository is still asked
    /// when the budget allows), it is what a repository the budget left
    /// unasked keeps instead of turning `unknown`.
    pub fn last_known(&self, key: &RepoKey) -> Option<(RepoOutcome, DateTime<Utc>)> {
        let row = self.previous_repo(key)?;
        let outcome = match (&row.info, row.health) {
            (Some(info), _) => RepoOutcome::Found(Box::new(info.clone())),
            (None, Health::Missing) => RepoOutcome::Missing,
            (None, Health::Unavailable) => RepoOutcome::Unavailable(row.error.clone()),
            (None, _) => return None,
        };
        Some((outcome, row.fetched_at))
    }

    /// The previous archive answer for `url`, when young enough to reuse:
    /// a found copy for `[archive] cache_max_age`, "no archived copy" for
    /// `no_copy_max_age`. Unknown answers were never written, so never reused.
    pub fn reusable_archive(&self, url: &str) -> Option<Lookup> {
        let last = self.last_archive(url)?;
        let max_age = match last.outcome {
            Outcome::Found { .. } => self.archive_found_age,
            _ => self.archive_none_age,
        };
        self.fresh(last.checked_at, max_age).then_some(last)
    }

    /// The previous archive answer for `url`, however old (issue 27 item
    /// 5): what a target the lookup budget leaves unasked keeps instead of
    /// empty cells. Like `last_known`, not reuse: the target is still asked
    /// when the budget allows, stalest first.
    pub fn last_archive(&self, url: &str) -> Option<Lookup> {
        let a = &self.links.get(url)?.archive;
        let checked_at = a.checked_at?;
        let outcome = if a.copy.is_empty() {
            Outcome::NotFound
        } else {
            Outcome::Found {
                service: Service::of_copy(&a.copy),
                url: a.copy.clone(),
                date: a.at,
            }
        };
        Some(Lookup {
            outcome,
            checked_at,
        })
    }

    pub fn previous_repo(&self, key: &RepoKey) -> Option<&RepoRow> {
        self.repos.as_ref()?.repos.get(key)
    }

    pub fn previous_link(&self, url: &str) -> Option<&PreviousLink> {
        self.links.get(url)
    }
}

/// `now - before`, saturating at the ends of `i64` (a forge's star count is
/// a `u64`; absurd values must not wrap around).
pub fn star_delta(before: u64, now: u64) -> i64 {
    let d = i128::from(now) - i128::from(before);
    i64::try_from(d).unwrap_or(if d < 0 { i64::MIN } else { i64::MAX })
}

/// Sets `stars_delta` (current stars minus the previous report's) and
/// `previous_report_at` on every row found in both reports. Rows without
/// stars on either side get `None`. Matching is by the linked name,
/// case-insensitively.
pub fn fill_star_deltas(rows: &mut [RepoRow], previous: &PreviousRepos) {
    for r in rows.iter_mut() {
        let prev = previous.repos.get(&r.key());
        r.previous_report_at = prev.and(previous.report_at);
        r.stars_delta = match (prev.and_then(|p| p.info.as_ref()), r.info.as_ref()) {
            (Some(p), Some(now)) => Some(star_delta(p.stars, now.stars)),
            _ => None,
        };
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn star_deltas_saturate_instead_of_wrapping() {
        use super::star_delta;
        assert_eq!(star_delta(10, 25), 15);
        assert_eq!(star_delta(25, 10), -15);
        assert_eq!(star_delta(0, u64::MAX), i64::MAX);
        assert_eq!(star_delta(u64::MAX, 0), i64::MIN);
        assert_eq!(star_delta(u64::MAX, u64::MAX - 1), -1);
    }
}
