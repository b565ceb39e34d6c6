//! Which GraphQL query to send next. GitHub's GraphQL API gives up on a
//! query that costs too much (HTTP 502/504, or "Something went wrong while
//! executing your query. This may be the result of a timeout"), and it does
//! so again on every retry of the same query; the 90-day commit count of a
//! very large repository is the usual cause. So a batch that is too costly
//! is split in halves and asked again, down to one repository; a single
//! repository that is still too costly is asked once more in the light
//! shape (without the commit count), and only then given up. When GitHub
//! answers part of a batch and leaves some repositories without data at a
//! resource limit (`RESOURCE_LIMITS_EXCEEDED`, or its timeout next to the
//! others' data), those are asked next as a smaller batch of their own
//! (`partly_answered`).
//!
//! A pure state machine (`next`, `answered`, `partly_answered`,
//! `too_costly`): never does I/O,
//! never reads an answer; `github::fetch_graphql` drives it.
//!
//! Bound: when two single repositories have failed even in the light shape
//! and nothing has been answered in this fetch, the API is failing rather
//! than one repository being costly; the rest is abandoned, so an API that
//! answers 502 to everything costs about 2 log2(batch_size) + 4 calls, not
//! a query per repository.

use std::collections::VecDeque;

/// What a query asks about each repository.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shape {
    /// Every field, the 90-day commit count included.
    Full,
    /// Every field but the commit count (the costly one).
    Light,
}

/// One query to send: indices into the caller's repository list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Ask {
    pub repos: Vec<usize>,
    pub shape: Shape,
}

/// What a too-costly answer leaves the caller to mark `unknown`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct GivenUp {
    /// Too costly even alone and light.
    pub failed: Vec<usize>,
    /// Never asked: the API fails on everything.
    pub abandoned: Vec<usize>,
}

/// Single repositories that may fail light before the rest is abandoned
/// (while nothing has been answered).
const LIGHT_FAILURES_BEFORE_ABANDON: usize = 2;

#[derive(Debug)]
pub(super) struct Plan {
    queue: VecDeque<Ask>,
    answered_once: bool,
    light_failures: usize,
}

impl Plan {
    /// Batches of at most `batch_size` (at least 1) repositories, in order.
    pub(super) fn new(repos: &[usize], batch_size: usize) -> Plan {
        let queue = repos
            .chunks(batch_size.max(1))
            .map(|c| Ask {
                repos: c.to_vec(),
                shape: Shape::Full,
            })
            .collect();
        Plan {
            queue,
            answered_once: false,
            light_failures: 0,
        }
    }

    /// The next query to send, `None` when done.
    pub(super) fn next(&mut self) -> Option<Ask> {
        self.queue.pop_front()
    }

    /// GitHub answered a query with data.
    pub(super) fn answered(&mut self) {
        self.answered_once = true;
    }

    /// GitHub answered part of `ask` and left the repositories at
    /// `missing` (positions in `ask.repos`, fewer than all) without data
    /// at a resource limit: they are asked next, as a smaller batch of
    /// their own, in the same shape. Each such step shrinks the batch, so
    /// it ends (a batch left wholly unanswered is `too_costly`). False when
    /// nothing was put back (then the caller keeps their outcomes).
    pub(super) fn partly_answered(&mut self, ask: &Ask, missing: &[usize]) -> bool {
        self.answered_once = true;
        let repos: Vec<usize> = missing
            .iter()
            .filter_map(|&p| ask.repos.get(p).copied())
            .collect();
        if repos.is_empty() || repos.len() >= ask.repos.len() {
            return false;
        }
        self.queue.push_front(Ask {
            repos,
            shape: ask.shape,
        });
        true
    }

    /// GitHub found `ask` too costly: split it, lighten it, or give up.
    pub(super) fn too_costly(&mut self, ask: Ask) -> GivenUp {
        let n = ask.repos.len();
        if n > 1 {
            let (a, b) = ask.repos.split_at(n.div_ceil(2));
            for half in [b, a] {
                self.queue.push_front(Ask {
                    repos: half.to_vec(),
                    shape: ask.shape,
                });
            }
            return GivenUp::default();
        }
        if ask.shape == Shape::Full {
            self.queue.push_front(Ask {
                shape: Shape::Light,
                ..ask
            });
            return GivenUp::default();
        }
        self.light_failures += 1;
        let mut given_up = GivenUp {
            failed: ask.repos,
            abandoned: Vec::new(),
        };
        if !self.answered_once && self.light_failures >= LIGHT_FAILURES_BEFORE_ABANDON {
            given_up.abandoned = self.queue.drain(..).flat_map(|a| a.repos).collect();
        }
        given_up
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drives a plan against an API that finds a query too costly when
    /// `costly(ask)`; returns (calls, answered repositories and shapes,
    /// given up).
    fn drive(
        n: usize,
        batch: usize,
        costly: impl Fn(&Ask) -> bool,
    ) -> (usize, Vec<(usize, Shape)>, GivenUp) {
        let repos: Vec<usize> = (0..n).collect();
        let mut plan = Plan::new(&repos, batch);
        let (mut calls, mut done, mut gone) = (0, Vec::new(), GivenUp::default());
        while let Some(ask) = plan.next() {
            calls += 1;
            if costly(&ask) {
                let g = plan.too_costly(ask);
                gone.failed.extend(g.failed);
                gone.abandoned.extend(g.abandoned);
            } else {
                plan.answered();
                done.extend(ask.repos.iter().map(|&i| (i, ask.shape)));
            }
        }
        (calls, done, gone)
    }

    #[test]
    fn a_batch_over_the_limit_is_halved_until_it_fits() {
        let (calls, done, gone) = drive(28, 50, |a| a.repos.len() > 10);
        // 28 -> 14 + 14 -> 7 + 7 + 7 + 7.
        assert_eq!(calls, 7);
        let mut got: Vec<usize> = done.iter().map(|d| d.0).collect();
        got.sort();
        assert_eq!(got, (0..28).collect::<Vec<_>>());
        assert!(done.iter().all(|d| d.1 == Shape::Full));
        assert_eq!(gone, GivenUp::default());
    }

    #[test]
    fn one_costly_repository_is_asked_light_and_the_rest_in_full() {
        let (calls, done, gone) = drive(6, 50, |a| a.shape == Shape::Full && a.repos.contains(&4));
        // [0..6] -> [0,1,2] ok, [3,4,5] -> [3,4] -> [3] ok, [4] -> [4] light ok; [5] ok.
        assert_eq!(calls, 8);
        assert!(done.contains(&(4, Shape::Light)));
        assert_eq!(done.iter().filter(|d| d.1 == Shape::Light).count(), 1);
        assert_eq!(done.len(), 6);
        assert_eq!(gone, GivenUp::default());
    }

    #[test]
    fn a_repository_that_fails_even_light_is_given_up_alone() {
        let (_, done, gone) = drive(6, 50, |a| a.repos.contains(&2));
        assert_eq!(gone.failed, vec![2]);
        assert!(gone.abandoned.is_empty());
        assert_eq!(done.len(), 5);
    }

    #[test]
    fn an_api_that_fails_everything_is_abandoned_after_two_light_failures() {
        let (calls, done, gone) = drive(50, 50, |_| true);
        assert!(done.is_empty());
        assert_eq!(gone.failed, vec![0, 1]);
        assert_eq!(gone.abandoned.len(), 48);
        // 50 25 13 7 4 2 1 1L 1 1L.
        assert_eq!(calls, 10);
    }

    #[test]
    fn repositories_left_without_data_come_back_as_a_smaller_batch() {
        let mut plan = Plan::new(&[10, 11, 12, 13, 14], 50);
        let ask = plan.next().unwrap();
        assert!(plan.partly_answered(&ask, &[2, 4]));
        let again = plan.next().unwrap();
        assert_eq!(again.repos, vec![12, 14]);
        assert_eq!(again.shape, Shape::Full);
        // Never the same batch again: all missing is not a partial answer.
        assert!(!plan.partly_answered(&again, &[0, 1]));
        assert_eq!(plan.next(), None);
    }

    #[test]
    fn an_api_that_answered_once_keeps_being_asked() {
        // Everything but the first batch fails: the first answer keeps the
        // rest from being abandoned.
        let (_, done, gone) = drive(4, 2, |a| !a.repos.contains(&0));
        assert_eq!(done.len(), 2);
        assert_eq!(gone.failed, vec![2, 3]);
        assert!(gone.abandoned.is_empty());
    }
}
