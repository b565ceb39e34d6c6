//! What the check stage produced (`Checked`) and what it may skip
//! (`Reused`): the types the check rounds, the project-page round
//! (`follow`), the shard merge and the archive stage exchange, with the
//! one way two results are put together (`Checked::absorb`).
//!
//! Owns no decision and no I/O.

use crate::model::{Forge, LinkResult, RepoOutcome};
use chrono::Utc;

/// Everything the check stage produced.
pub struct Checked {
    pub results: Vec<LinkResult>,
    pub repo_outcomes: Vec<RepoOutcome>,
    /// For repositories reused from the previous report: when they were fetched.
    pub repo_fetched: Vec<Option<chrono::DateTime<Utc>>>,
    pub api_calls: usize,
    /// Of `api_calls`, those that got an HTTP answer.
    pub api_answered: usize,
    /// API calls to the other forges.
    pub forge_calls: Vec<(Forge, usize)>,
    pub notes: Vec<String>,
    pub interrupted: bool,
}

impl Checked {
    /// Appends a later round's answers: `more`'s URLs and repositories
    /// follow this one's (the caller built `more.results` in the order of
    /// the URLs it appended); calls are added up, notes kept in order.
    pub(super) fn absorb(&mut self, more: Checked) {
        self.results.extend(more.results);
        self.repo_outcomes.extend(more.repo_outcomes);
        self.repo_fetched.extend(more.repo_fetched);
        self.api_calls += more.api_calls;
        self.api_answered += more.api_answered;
        let first = std::mem::take(&mut self.forge_calls);
        self.forge_calls = sum_calls(first.into_iter().chain(more.forge_calls));
        self.notes.extend(more.notes);
        self.interrupted |= more.interrupted;
    }
}

/// API calls per forge added up over several lists (rounds, shards), in
/// forge order.
pub(super) fn sum_calls(calls: impl IntoIterator<Item = (Forge, usize)>) -> Vec<(Forge, usize)> {
    let mut sum: std::collections::BTreeMap<Forge, usize> = Default::default();
    for (f, n) in calls {
        *sum.entry(f).or_default() += n;
    }
    sum.into_iter().collect()
}

/// What the previous run lets this one skip: a result per unique URL and
/// repository data (with when it was fetched) per repository, where fresh;
/// and, in a shard (`--shard K/N`), what other shards check: those URLs are
/// left `unchecked` and those repositories `unknown`, never asked.
pub struct Reused {
    pub links: Vec<Option<LinkResult>>,
    pub repos: Vec<Option<(crate::model::RepoInfo, chrono::DateTime<Utc>)>>,
    /// Per repository, when the data the previous report last knew of it
    /// was fetched, however old; `None`: never audited. Orders the queries
    /// under a budget (`converge::audit_order`).
    pub last_audited: Vec<Option<chrono::DateTime<Utc>>>,
    pub scope: Option<crate::shard::Scope>,
    /// In a pull-request run (`--changed-since`): the links and
    /// repositories on changed lines; the others are `unchecked` (unless
    /// reused) and `unknown`, never asked.
    pub changed: Option<crate::changed::Scope>,
}
