//! The verdict: the one place that decides, under the fail policy
//! (`[ci] fail_on`, `--fail-on`, `--fail-on-new`), what fails the run,
//! what is new, known or fixed against the previous run, and how loudly
//! each link and repository is reported (the annotation level).
//!
//! Every output reads its answer: the exit code ([`decide_exit`] over
//! [`Judge::failures`]), the annotations, summary.md, the `--format json`
//! document and the terminal summary. No other module compares a status or
//! a health word with the policy or with the previous run.
//!
//! Pure: never does I/O, never formats a report.
//!
//! The rules, in one place:
//! - A link *was failing* when its previous status was a failure, or
//!   `unchecked` (an interrupted run) with a `first_failed_at` carried from
//!   an earlier failure. A repository was failing when its previous health
//!   word is in `fail_on`.
//! - Failing now and before: [`Change::Known`]; failing now only:
//!   [`Change::New`]; working now, failing before: [`Change::Fixed`]. Without
//!   a previous report there is no change at all (nothing is new or known).
//! - In `fail_on` it fails the run, except under `--fail-on-new` when it
//!   is known. What fails the run is an `::error`; a known failure under
//!   `--fail-on-new`, any other failure, a redirect, and an archived, stale,
//!   placeholder, empty, failing, unavailable or renamed repository are
//!   `::warning`s.

use crate::config::FailWord;
use crate::history::{PreviousLink, PreviousRepos};
use crate::model::{Health, RepoRow, Status};
use crate::words::word_enum;
// foldhash: asked once per link row and output (a million times for a
// large list); SipHash was a tenth of the report tail (BENCHMARKS.md).
use foldhash::HashSet;
use std::collections::HashMap;

word_enum! {
    /// The annotation level (GitHub Actions workflow command).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Level: "annotation level" {
        Error = "error",
        Warning = "warning",
        Notice = "notice",
    }
}

/// A link's or repository's change against the previous run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Failing now, and was not failing (or not there) before.
    New,
    /// Failing now and before.
    Known,
    /// Working now, failing before.
    Fixed,
}

/// What makes a link or a repository fail the run (`[ci] fail_on`), and
/// whether only new failures count (`--fail-on-new`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailPolicy {
    pub statuses: HashSet<Status>,
    pub health: HashSet<Health>,
    /// With `--fail-on-new`, failures already failing in the previous
    /// report are warnings ("known") and do not fail the run.
    pub only_new: bool,
}

impl Default for FailPolicy {
    /// `fail_on = ["broken", "missing"]`, all failures count.
    fn default() -> Self {
        FailPolicy::from_words(
            &[
                FailWord::Status(Status::Broken),
                FailWord::Health(Health::Missing),
            ],
            false,
        )
    }
}

impl FailPolicy {
    /// From the validated `Config::fail_words()`.
    pub fn from_words(words: &[FailWord], only_new: bool) -> Self {
        let mut p = FailPolicy {
            statuses: HashSet::default(),
            health: HashSet::default(),
            only_new,
        };
        for w in words {
            match *w {
                FailWord::Status(s) => {
                    p.statuses.insert(s);
                }
                FailWord::Health(h) => {
                    p.health.insert(h);
                }
            }
        }
        p
    }
}

/// The verdict on one link (one unique URL; every occurrence shares it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkVerdict {
    /// Its status is in `fail_on`.
    pub in_policy: bool,
    /// It fails the run (in `fail_on`, and new under `--fail-on-new`).
    pub fails_run: bool,
    /// Against the previous run; `None` without a previous links.csv.
    pub change: Option<Change>,
    /// The annotation level; `None`: no annotation.
    pub level: Option<Level>,
}

impl LinkVerdict {
    /// A known failure that does not fail the run only because of
    /// `--fail-on-new` (the annotation says so).
    pub fn excused_as_known(&self) -> bool {
        self.in_policy && !self.fails_run
    }
}

/// The verdict on one repository row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RepoVerdict {
    /// Its health word is in `fail_on`.
    pub in_policy: bool,
    /// It fails the run (in `fail_on`, and new under `--fail-on-new`).
    pub fails_run: bool,
    /// Against the previous run; `None` without a previous repos.csv.
    pub change: Option<Change>,
    /// The annotation level; `None`: no annotation.
    pub level: Option<Level>,
}

/// How many things fail the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Failures {
    /// Unique URLs that fail the run.
    pub links: usize,
    /// Repository rows that fail the run.
    pub repos: usize,
}

impl Failures {
    pub fn total(&self) -> usize {
        self.links + self.repos
    }
}

/// The fail policy together with the previous run: everything a verdict
/// needs. Cheap to build; every output asks the same one.
#[derive(Clone, Copy, Debug)]
pub struct Judge<'a> {
    policy: &'a FailPolicy,
    links: Option<&'a HashMap<String, PreviousLink>>,
    repos: Option<&'a PreviousRepos>,
}

/// Whether a previous link entry counts as failing (see the module docs).
fn link_was_failing(p: &PreviousLink) -> bool {
    p.result.status.is_failure()
        || (p.result.status == Status::Unchecked && p.first_failed_at.is_some())
}

fn change(was_failing: bool, failing_now: bool, working_now: bool) -> Option<Change> {
    match (was_failing, failing_now) {
        (true, true) => Some(Change::Known),
        (false, true) => Some(Change::New),
        (true, false) if working_now => Some(Change::Fixed),
        _ => None,
    }
}

impl<'a> Judge<'a> {
    /// `links`/`repos`: the previous links.csv (URL as written -> entry) and
    /// repos.csv, `None` when there was none (a first run, `--no-cache`
    /// keeps them).
    pub fn new(
        policy: &'a FailPolicy,
        links: Option<&'a HashMap<String, PreviousLink>>,
        repos: Option<&'a PreviousRepos>,
    ) -> Self {
        Judge {
            policy,
            links,
            repos,
        }
    }

    /// A judge with no previous run: nothing is new, known or fixed.
    pub fn without_history(policy: &'a FailPolicy) -> Self {
        Judge::new(policy, None, None)
    }

    pub fn policy(&self) -> &FailPolicy {
        self.policy
    }

    /// Whether a previous links.csv was read (new/known/fixed exist only then).
    pub fn has_previous_links(&self) -> bool {
        self.links.is_some()
    }

    /// Whether a previous repos.csv was read.
    pub fn has_previous_repos(&self) -> bool {
        self.repos.is_some()
    }

    /// The verdict on the link `url` (as written in links.csv) whose status
    /// is now `now`.
    pub fn link(&self, url: &str, now: Status) -> LinkVerdict {
        let change = self.links.and_then(|m| {
            let was = m.get(url).is_some_and(link_was_failing);
            change(was, now.is_failure(), now.is_success())
        });
        let in_policy = self.policy.statuses.contains(&now);
        let fails_run = in_policy && !(self.policy.only_new && change == Some(Change::Known));
        let level = if fails_run {
            Some(Level::Error)
        } else if in_policy || now.is_failure() || now == Status::Redirected {
            Some(Level::Warning)
        } else {
            None
        };
        LinkVerdict {
            in_policy,
            fails_run,
            change,
            level,
        }
    }

    /// The verdict on a repository row (matched to the previous repos.csv
    /// by its linked name, case-folded).
    pub fn repo(&self, row: &RepoRow) -> RepoVerdict {
        let in_policy = self.policy.health.contains(&row.health);
        let change = self.repos.and_then(|prev| {
            let was = prev
                .repos
                .get(&row.key())
                .is_some_and(|p| self.policy.health.contains(&p.health));
            change(was, in_policy, !in_policy)
        });
        let fails_run = in_policy && !(self.policy.only_new && change == Some(Change::Known));
        let level = if fails_run {
            Some(Level::Error)
        } else if in_policy || row.renamed_to().is_some() {
            Some(Level::Warning)
        } else {
            match row.health {
                Health::Archived
                | Health::Stale
                | Health::Placeholder
                | Health::Empty
                | Health::Failing
                | Health::Unavailable => Some(Level::Warning),
                _ => None,
            }
        };
        RepoVerdict {
            in_policy,
            fails_run,
            change,
            level,
        }
    }

    /// Counts what fails the run: `links` yields each unique URL with its
    /// status once.
    pub fn failures<'u>(
        &self,
        links: impl IntoIterator<Item = (&'u str, Status)>,
        repos: &[RepoRow],
    ) -> Failures {
        Failures {
            links: links
                .into_iter()
                .filter(|&(url, s)| self.link(url, s).fails_run)
                .count(),
            repos: repos.iter().filter(|r| self.repo(r).fails_run).count(),
        }
    }
}

/// True when the forge answered with another name than the one linked.
pub fn is_renamed(repo: &RepoRow) -> bool {
    repo.renamed_to().is_some()
}

/// How the run ended, for the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Nothing failed under the fail policy.
    Ok,
    /// At least one link status or health word in `fail_on` (exit 2).
    Failures,
    /// Not one request got an HTTP answer (exit 4).
    Unreachable,
    /// Stopped by SIGINT/SIGTERM; partial reports written (exit 130).
    Interrupted,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Failures => 2,
            Exit::Unreachable => 4,
            Exit::Interrupted => 130,
        }
    }
}

/// The exit and why, in a few words. Precedence: interrupted (130) >
/// network unreachable (4) > failures under the policy (2) > 0.
/// `fail_on` is the configured word list, only for the message.
pub fn decide_exit(
    interrupted: bool,
    unreachable: bool,
    failures: Failures,
    policy: &FailPolicy,
    fail_on: &[FailWord],
) -> (Exit, String) {
    if interrupted {
        return (
            Exit::Interrupted,
            "interrupted; unchecked links are marked `unchecked`".to_string(),
        );
    }
    if unreachable {
        return (
            Exit::Unreachable,
            "the network looks unreachable: not one request got an HTTP answer, so no link has been judged dead".to_string(),
        );
    }
    let n = failures.total();
    if n == 0 {
        return (Exit::Ok, "nothing failed under the fail policy".to_string());
    }
    let what = if policy.only_new {
        "new failures"
    } else {
        "failures"
    };
    (
        Exit::Failures,
        format!(
            "{n} {what} under fail_on [{}]",
            fail_on
                .iter()
                .map(|w| w.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}
