//! Host circuits and the offline early stop: what the run has learnt about
//! each host (has it ever answered? how many requests in a row got no
//! answer?) and whether the network as a whole looks unreachable.
//!
//! A pure state machine: the client feeds it the outcome of every request
//! ([`Circuits::record`]), the client asks it before each request whether a
//! host is cut off ([`Circuits::cut_off`]) and the scheduler asks it whether
//! to stop starting requests ([`Circuits::offline_suspected`]). Never sends
//! requests, never sleeps, never reads the clock.
//!
//! Rules:
//! - A host whose last [`SILENT_LIMIT`] or more requests (retries included)
//!   all ended without any answer (timeout, refused, reset, DNS, TLS), and
//!   which never answered in this run, is cut off: its remaining links are
//!   not requested and get the status of the last silent request, with the
//!   count in the reason. A host that answered once is never cut off.
//! - When the first requests to [`OFFLINE_HOSTS`] distinct hosts have all
//!   ended without any answer and nothing at all has answered yet, the
//!   network is suspected unreachable. One answer from any host clears the
//!   suspicion for the rest of the run (a partial outage never stops it).
//!   While suspected, the scheduler starts nothing new and waits for the
//!   requests in flight, at most [`OFFLINE_GRACE`], then stops the run.

use crate::model::Status;
use std::collections::HashMap;
use std::time::Duration;

/// Requests in a row without any answer after which a host that never
/// answered is cut off.
pub(crate) const SILENT_LIMIT: u32 = 4;

/// Distinct hosts whose first request must have failed silently, with
/// nothing answered, before the network is suspected unreachable.
pub(crate) const OFFLINE_HOSTS: usize = 5;

/// How long the scheduler waits, once the network is suspected unreachable,
/// for the requests still in flight to bring an answer before it stops the
/// run (a lookup can hang for the system resolver's 5 s timeout).
pub(crate) const OFFLINE_GRACE: Duration = Duration::from_secs(2);

/// How one request ended, as far as the circuits care.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Outcome {
    /// An HTTP answer, or at least bytes from the peer (a malformed answer).
    Answered,
    /// No answer at all: the link's status and the reason.
    Silent(Status, String),
    /// Says nothing about the host (the guard refused its addresses).
    Neutral,
}

#[derive(Default)]
struct HostState {
    answered: bool,
    /// Requests in a row that ended silent.
    silent: u32,
    /// The first request's outcome has been recorded.
    seen: bool,
    last: Option<(Status, String)>,
}

#[derive(Default)]
pub(crate) struct Circuits {
    hosts: HashMap<String, HostState>,
    any_answer: bool,
    /// Distinct hosts whose first request ended silent.
    silent_first: usize,
}

impl Circuits {
    pub(crate) fn record(&mut self, host: &str, outcome: Outcome) {
        let state = match self.hosts.get_mut(host) {
            Some(s) => s,
            None => self.hosts.entry(host.to_string()).or_default(),
        };
        let first = !state.seen;
        match outcome {
            Outcome::Answered => {
                state.seen = true;
                state.answered = true;
                state.silent = 0;
                self.any_answer = true;
            }
            Outcome::Silent(status, message) => {
                state.seen = true;
                state.silent = state.silent.saturating_add(1);
                state.last = Some((status, message));
                if first {
                    self.silent_first += 1;
                }
            }
            Outcome::Neutral => {}
        }
    }

    /// True when `host` has given at least one answer in this run.
    pub(crate) fn answered(&self, host: &str) -> bool {
        self.hosts.get(host).is_some_and(|s| s.answered)
    }

    /// `Some((status, reason))` when links to `host` are no longer requested.
    pub(crate) fn cut_off(&self, host: &str) -> Option<(Status, String)> {
        let state = self.hosts.get(host)?;
        if state.answered || state.silent < SILENT_LIMIT {
            return None;
        }
        let (status, last) = state.last.as_ref()?;
        Some((
            *status,
            format!(
                "not requested: the {} requests before it to {host} got no answer \
                 and it never answered in this run (last: {last})",
                state.silent
            ),
        ))
    }

    /// True when the first requests to several distinct hosts all ended
    /// without an answer and nothing has answered yet.
    pub(crate) fn offline_suspected(&self) -> bool {
        !self.any_answer && self.silent_first >= OFFLINE_HOSTS
    }

    /// The reason given to the links left unchecked by the offline stop.
    pub(crate) fn offline_reason(&self) -> String {
        format!(
            "not checked: the network looks unreachable (the first requests to {} hosts \
             got no answer and nothing answered), so the run stopped early",
            self.silent_first
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn silent() -> Outcome {
        Outcome::Silent(Status::Timeout, "no answer within 2 s".into())
    }

    #[test]
    fn silent_host_is_cut_off_after_the_limit() {
        let mut c = Circuits::default();
        for _ in 0..SILENT_LIMIT - 1 {
            c.record("dead.example", silent());
            assert_eq!(c.cut_off("dead.example"), None);
        }
        c.record("dead.example", silent());
        let (status, reason) = c.cut_off("dead.example").expect("cut off");
        assert_eq!(status, Status::Timeout);
        assert!(reason.contains(&SILENT_LIMIT.to_string()), "{reason}");
        assert!(reason.contains("no answer within 2 s"), "{reason}");
        assert_eq!(c.cut_off("other.example"), None);
    }

    #[test]
    fn the_last_silent_status_is_given() {
        let mut c = Circuits::default();
        for _ in 0..SILENT_LIMIT - 1 {
            c.record("h", silent());
        }
        c.record("h", Outcome::Silent(Status::NetworkError, "refused".into()));
        assert_eq!(c.cut_off("h").map(|c| c.0), Some(Status::NetworkError));
    }

    #[test]
    fn a_host_that_answered_once_is_never_cut_off() {
        let mut c = Circuits::default();
        c.record("flaky", Outcome::Answered);
        for _ in 0..100 {
            c.record("flaky", silent());
        }
        assert_eq!(c.cut_off("flaky"), None);
        assert!(c.answered("flaky"));
        // Answering late also counts.
        for _ in 0..SILENT_LIMIT {
            c.record("late", silent());
        }
        assert!(c.cut_off("late").is_some());
        c.record("late", Outcome::Answered);
        assert_eq!(c.cut_off("late"), None);
    }

    #[test]
    fn neutral_outcomes_change_nothing() {
        let mut c = Circuits::default();
        for _ in 0..10 {
            c.record("guarded", Outcome::Neutral);
        }
        assert_eq!(c.cut_off("guarded"), None);
        assert!(!c.answered("guarded"));
        assert!(!c.offline_suspected());
    }

    #[test]
    fn offline_needs_several_distinct_silent_hosts() {
        let mut c = Circuits::default();
        // Many silent requests to one host are not an outage.
        for _ in 0..50 {
            c.record("one", silent());
        }
        assert!(!c.offline_suspected());
        for i in 1..OFFLINE_HOSTS {
            c.record(&format!("h{i}"), silent());
        }
        assert!(c.offline_suspected());
        assert!(c.offline_reason().contains(&OFFLINE_HOSTS.to_string()));
    }

    #[test]
    fn one_answer_anywhere_means_never_offline() {
        let mut c = Circuits::default();
        c.record("alive", Outcome::Answered);
        for i in 0..100 {
            c.record(&format!("h{i}"), silent());
        }
        assert!(!c.offline_suspected());
        // An answer after the suspicion clears it.
        let mut c = Circuits::default();
        for i in 0..OFFLINE_HOSTS {
            c.record(&format!("h{i}"), silent());
        }
        assert!(c.offline_suspected());
        c.record("slow-but-alive", Outcome::Answered);
        assert!(!c.offline_suspected());
    }

    #[test]
    fn only_silent_first_requests_count_towards_offline() {
        // Guard refusals say nothing about the network.
        let mut c = Circuits::default();
        for i in 0..OFFLINE_HOSTS {
            c.record(&format!("h{i}"), Outcome::Neutral);
        }
        assert!(!c.offline_suspected());
        // A host whose first request answered does not count when it fails
        // later (and its answer rules the outage out anyway).
        let mut c = Circuits::default();
        c.record("h0", Outcome::Answered);
        c.record("h0", silent());
        for i in 1..OFFLINE_HOSTS {
            c.record(&format!("h{i}"), silent());
        }
        assert_eq!(c.silent_first, OFFLINE_HOSTS - 1);
    }
}
