//! Audits that converge over runs when an API budget cannot cover every
//! repository (issue 27 item 5): GitHub's rate limit or `[github]
//! max_calls`, a forge's `[forges] max_calls`.
//!
//! - `audit_order`: who is asked first. Repositories never audited (no
//!   known data in the previous report), in input order; then those with
//!   the oldest data (`fetched_at`) first, ties by `RepoKey`. So a list
//!   larger than a run's budget is covered over successive runs, stalest
//!   first, whatever the input order.
//! - `keep_known`: a repository the budget (or a stop: a spent rate limit,
//!   refused credentials, an unreachable API, an interrupt) left unasked
//!   keeps what the previous report last knew of it (found, missing or
//!   unavailable) with its original `fetched_at`, so repos.csv marks it
//!   `cached = true` and its health is the word it had; known data never
//!   turns `unknown` for lack of budget. A repository asked and answered
//!   with a failure is not covered: that is this run's answer.
//! - `Tally`: the note "N refreshed, M kept from earlier runs (oldest from
//!   DATE), K never audited; the next run continues".
//!
//! The archive stage (`pipeline::archive`) orders its lookups under
//! `[archive] max_lookups` with the same `audit_order` and keeps the last
//! archive answer of a target it leaves unasked.
//!
//! A repository no longer in the input is not reported at all: only the
//! run's own repositories are looked up in the previous report.
//!
//! Pure: no I/O, no clock. `checks` orders the queries; `mod::check_stage`
//! keeps the known data after both rounds (`settle`) and adds the note.

use super::{Checked, Links};
use crate::history::History;
use crate::model::{RepoOutcome, WhyUnknown};
use chrono::{DateTime, Utc};

/// `candidates` (indices, in input order) in the order they should be
/// asked: never audited (`last[i]` is `None`) first, in input order; then
/// oldest `last[i]` first, ties by `key(i)`.
pub(super) fn audit_order<K: Ord>(
    mut candidates: Vec<usize>,
    last: &[Option<DateTime<Utc>>],
    key: impl Fn(usize) -> K,
) -> Vec<usize> {
    // A stable sort: the `None`s keep their input order.
    candidates.sort_by_cached_key(|&i| last.get(i).copied().flatten().map(|t| (t, key(i))));
    candidates
}

/// Replaces every outcome left unfetched (`Unknown`, `Stopped`) that has
/// `known` data by that data, and sets its `fetched` time. Returns how many
/// were kept so.
pub(super) fn keep_known(
    outcomes: &mut [RepoOutcome],
    fetched: &mut [Option<DateTime<Utc>>],
    known: impl Fn(usize) -> Option<(RepoOutcome, DateTime<Utc>)>,
) -> usize {
    let mut kept = 0;
    for (i, (o, at)) in outcomes.iter_mut().zip(fetched.iter_mut()).enumerate() {
        if !left_unfetched(o) {
            continue;
        }
        if let Some((last, when)) = known(i) {
            *o = last;
            *at = Some(when);
            kept += 1;
        }
    }
    kept
}

fn left_unfetched(o: &RepoOutcome) -> bool {
    matches!(o, RepoOutcome::Unknown(u) if u.why == WhyUnknown::Stopped)
}

/// How far the audit of a run got.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Tally {
    /// Asked in this run and answered (not `unknown`).
    pub refreshed: usize,
    /// Holding data from an earlier run (repos.csv `cached = true`):
    /// fresh enough to reuse, or kept because the budget left them unasked.
    pub kept: usize,
    /// The oldest `fetched_at` among the kept.
    pub oldest: Option<DateTime<Utc>>,
    /// Left unfetched with nothing known: `unknown`, asked first next run.
    pub never: usize,
}

impl Tally {
    /// Counts the outcomes of a run (`fetched[i]` is set for data from an
    /// earlier run).
    pub(super) fn of(outcomes: &[RepoOutcome], fetched: &[Option<DateTime<Utc>>]) -> Tally {
        let mut t = Tally::default();
        for (o, at) in outcomes.iter().zip(fetched) {
            match at {
                Some(at) => {
                    t.kept += 1;
                    t.oldest = Some(t.oldest.map_or(*at, |old| old.min(*at)));
                }
                None if left_unfetched(o) => t.never += 1,
                None if !matches!(o, RepoOutcome::Unknown(_)) => t.refreshed += 1,
                None => {}
            }
        }
        t
    }

    /// The note for a run whose budget did not cover every repository.
    pub(super) fn note(&self) -> String {
        let oldest = self
            .oldest
            .map(|d| format!(" (oldest from {})", d.format("%Y-%m-%d")))
            .unwrap_or_default();
        format!(
            "Repository audit within the API budget: {} refreshed, {} kept from earlier runs{oldest}, \
             {} never audited; the next run continues.",
            self.refreshed, self.kept, self.never
        )
    }
}

/// After both check rounds: every repository left unfetched keeps what
/// the previous report knew of it; when the budget left any repository
/// unasked, the note says how far the audit got.
pub(super) fn settle(history: &History, links: &Links, checked: &mut Checked) {
    let kept = keep_known(&mut checked.repo_outcomes, &mut checked.repo_fetched, |i| {
        let repo = links.repos.get(i)?;
        history.last_known(&repo.key())
    });
    let tally = Tally::of(&checked.repo_outcomes, &checked.repo_fetched);
    if kept > 0 || tally.never > 0 {
        checked.notes.push(tally.note());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RepoKey, Unfetched};

    fn t(day: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + day * 86_400, 0).unwrap()
    }

    #[test]
    fn never_audited_first_in_input_order_then_oldest_then_by_key() {
        let keys = ["e/e", "d/d", "c/c", "b/b", "a/a", "f/f"];
        // 0 and 3 never audited; 1 and 4 equally old; 2 newest; 5 oldest.
        let last = [None, Some(t(2)), Some(t(5)), None, Some(t(2)), Some(t(1))];
        let order = audit_order((0..6).collect(), &last, |i| RepoKey::new(keys[i]));
        // 3 before 0 would be wrong: input order among the never audited.
        assert_eq!(order, vec![0, 3, 5, 4, 1, 2]);
        // Only the candidates given, whatever their order.
        let order = audit_order(vec![2, 1, 3], &last, |i| RepoKey::new(keys[i]));
        assert_eq!(order, vec![3, 1, 2]);
    }

    #[test]
    fn only_what_was_left_unfetched_keeps_its_known_data() {
        let found = RepoOutcome::Found(Box::default());
        let mut outcomes = vec![
            RepoOutcome::Unknown(Unfetched::stopped("rate limit")),
            RepoOutcome::Unknown(Unfetched::failed("HTTP 500")),
            RepoOutcome::Unknown(Unfetched::not_asked("another shard")),
            RepoOutcome::Unknown(Unfetched::stopped("rate limit")),
            RepoOutcome::Missing,
        ];
        let mut fetched = vec![None; 5];
        // Everything but 3 has known data.
        let known = |i: usize| (i != 3).then(|| (found.clone(), t(i as i64)));
        assert_eq!(keep_known(&mut outcomes, &mut fetched, known), 1);
        assert_eq!(outcomes[0], found);
        assert_eq!(fetched, vec![Some(t(0)), None, None, None, None]);
        assert!(matches!(&outcomes[1], RepoOutcome::Unknown(u) if u.why == WhyUnknown::Failed));
        assert_eq!(outcomes[4], RepoOutcome::Missing);
        let tally = Tally::of(&outcomes, &fetched);
        assert_eq!(
            tally,
            Tally {
                refreshed: 1,
                kept: 1,
                oldest: Some(t(0)),
                never: 1
            }
        );
        assert_eq!(
            tally.note(),
            "Repository audit within the API budget: 1 refreshed, 1 kept from earlier runs \
             (oldest from 2027-01-15), 1 never audited; the next run continues."
        );
    }
}
