//! Progress counters a run updates as it goes and a caller may render:
//! the binary draws a bar on a terminal and prints a plain line now and
//! then elsewhere (CI logs). The library never draws anything.
//!
//! A `Progress` is a cheap handle (an `Arc` of atomics): clone it, hand
//! one to `RunOptions::progress`, read `snapshot` from another thread.

use crate::words::word_enum;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};

word_enum! {
    /// What the run is doing now; the word is what a progress line shows.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Stage: "stage" {
        /// Reading and extracting the inputs.
        Reading = "reading inputs",
        /// Checking links (and asking forge APIs) in the first round.
        Checking = "checking",
        /// Checking the code links found on project pages (the second round).
        Following = "following project pages",
        /// Looking up archived copies of dead links.
        Archiving = "archive lookups",
        /// Writing the reports.
        Writing = "writing reports",
    }
}

/// Shared progress counters (see the module docs).
#[derive(Clone, Debug, Default)]
pub struct Progress(Arc<Counters>);

#[derive(Debug, Default)]
struct Counters {
    stage: AtomicU8,
    total: AtomicU64,
    done: AtomicU64,
    failing: AtomicU64,
    api_busy: AtomicBool,
}

/// One reading of the counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// What the run is doing.
    pub stage: Stage,
    /// Unique URLs of the current round.
    pub total: u64,
    /// Of them, decided (checked, judged from an API answer, or reused).
    pub done: u64,
    /// Of the decided ones, those whose status is under `[ci] fail_on`.
    pub failing: u64,
    /// Whether forge API calls (GitHub and others) are still under way.
    pub api_busy: bool,
}

impl Progress {
    /// Fresh counters (stage `Reading`, nothing done).
    pub fn new() -> Self {
        Self::default()
    }

    /// The counters now.
    pub fn snapshot(&self) -> Snapshot {
        let c = &self.0;
        let stage = Stage::ALL
            .get(usize::from(c.stage.load(Ordering::Relaxed)))
            .copied()
            .unwrap_or(Stage::Reading);
        Snapshot {
            stage,
            total: c.total.load(Ordering::Relaxed),
            done: c.done.load(Ordering::Relaxed),
            failing: c.failing.load(Ordering::Relaxed),
            api_busy: c.api_busy.load(Ordering::Relaxed),
        }
    }

    /// Enters `stage`.
    pub fn set_stage(&self, stage: Stage) {
        let i = Stage::ALL.iter().position(|s| *s == stage).unwrap_or(0);
        self.0.stage.store(i as u8, Ordering::Relaxed);
    }

    /// Starts a round of `total` URLs of which `done` (`failing` of them
    /// failing) are already decided.
    pub fn start_round(&self, total: u64, done: u64, failing: u64) {
        self.0.total.store(total, Ordering::Relaxed);
        self.0.done.store(done, Ordering::Relaxed);
        self.0.failing.store(failing, Ordering::Relaxed);
    }

    /// Counts one URL decided, failing or not.
    pub fn record(&self, failing: bool) {
        self.0.done.fetch_add(1, Ordering::Relaxed);
        if failing {
            self.0.failing.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Sets how many URLs are decided and failing (after a batch of API
    /// answers judged many at once).
    pub fn set_counts(&self, done: u64, failing: u64) {
        self.0.done.store(done, Ordering::Relaxed);
        self.0.failing.store(failing, Ordering::Relaxed);
    }

    /// Marks forge API calls as under way or over.
    pub fn set_api_busy(&self, busy: bool) {
        self.0.api_busy.store(busy, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_shared_between_clones() {
        let p = Progress::new();
        let seen = p.clone();
        p.set_stage(Stage::Checking);
        p.start_round(10, 2, 0);
        p.record(true);
        p.record(false);
        p.set_api_busy(true);
        let s = seen.snapshot();
        assert_eq!(
            s,
            Snapshot {
                stage: Stage::Checking,
                total: 10,
                done: 4,
                failing: 1,
                api_busy: true
            }
        );
        p.set_stage(Stage::Archiving);
        assert_eq!(seen.snapshot().stage, Stage::Archiving);
    }
}
