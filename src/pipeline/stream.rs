//! The streaming start (issue 27): checking begins while extraction still
//! runs. Each new unique URL that will surely be requested over HTTP is
//! sent to the checker as extraction finds it (`Checker::check_feed`,
//! through a bounded channel: a slow checker holds extraction back, never
//! memory); after extraction, `checks::plan` decides every URL exactly as
//! without streaming, and only what the stream did not already take is
//! fed after it.
//!
//! What is streamed (`wanted`): a URL not reusable from the previous run,
//! not a repository root judged from its forge's API, and, with `[follow]`
//! on, not first seen as a `project` link (whose page may be read: that is
//! known only once every paper is read, so those wait for the plan). A
//! streamed URL that the plan makes a followed page after all (a later
//! `project` occurrence) is fed again after the plan's pages; the
//! scheduler asks it again only if it has not got its page: one still
//! queued takes its page when it starts, one in flight is asked again
//! once it has answered, one answered is asked again beside the other
//! jobs (its answer with the page, the later one, is kept, but an
//! `unchecked` given when the run stops before asking it again never
//! replaces a real answer); a streamed URL the plan decides otherwise
//! gets the plan's result over the stream's. So results are those of a run
//! without streaming for the same answers. Shards and pull-request runs
//! (`--changed-since`) do not stream: their scope needs every occurrence
//! first.
//!
//! Never decides a result itself and never judges a link.

use crate::check::{Checker, Feed, Pages};
use crate::config::Config;
use crate::extract::Role;
use crate::forge::Recognizer;
use crate::forge::{self, ForgeRef};
use crate::history::History;
use crate::model::Forge;
use crate::model::{LinkResult, Status};
use crate::progress::Progress;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Jobs between extraction and the scheduler at most.
const FEED_CAPACITY: usize = 4096;

/// The stream's answers, shared with its checker task.
type Shared = Arc<Mutex<Answers>>;

fn lock(results: &Shared) -> std::sync::MutexGuard<'_, Answers> {
    results.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Results by URL id: the stream's answers, then (`adopt`) every result
/// of the check. Between `take_answers` (which takes the vector as the
/// start of what the plan knows) and `adopt` (which hands every result
/// back), answers wait in `between` as pairs: a dense vector there would
/// be a second one of every URL's size beside the plan's (25 MB for
/// 200,000 URLs, issue 27's peak after extraction).
#[derive(Default)]
struct Answers {
    by_id: Vec<Option<LinkResult>>,
    between: Option<Vec<(u32, LinkResult)>>,
}

impl Answers {
    /// Keeps one answer; returns true when it is the URL's first.
    fn keep(&mut self, id: u32, result: LinkResult) -> bool {
        if let Some(between) = &mut self.between {
            // Between the two, only first answers come: a URL is fed
            // again only after `adopt` (`Stream::finish`).
            between.push((id, result));
            return true;
        }
        let i = id as usize;
        if self.by_id.len() <= i {
            self.by_id.resize_with(i + 1, || None);
        }
        // A second answer is a followed page's, asked with its page only
        // after its page-less answer is in (the scheduler's stages): it
        // replaces that one, and is not a URL more done; unless the run
        // stopped before asking it again (`unchecked`, no request): the
        // answer it had stays.
        let slot = &mut self.by_id[i];
        let Some(had) = slot else {
            *slot = Some(result);
            return true;
        };
        if !(result.status == Status::Unchecked && result.http_status.is_none()) {
            *had = result;
        }
        false
    }
}

/// The extraction side: decides per new unique URL and sends it. Runs on
/// extraction's blocking thread.
pub(super) struct Hook {
    tx: Option<mpsc::Sender<Feed>>,
    config: Config,
    recognizer: Recognizer,
    history: Arc<History>,
    /// Which URL ids were sent.
    streamed: Vec<bool>,
}

impl Hook {
    /// A unique URL seen for the first time, with the role of that first
    /// occurrence.
    pub(super) fn new_url(&mut self, id: u32, url: &str, role: Role) {
        let Some(tx) = &self.tx else { return };
        if !wanted(&self.config, &self.recognizer, &self.history, url, role) {
            return;
        }
        if tx.blocking_send(Feed::Job(id, url.to_string())).is_err() {
            // The checker stopped (shutdown): the plan feeds nothing either.
            self.tx = None;
            return;
        }
        let i = id as usize;
        if self.streamed.len() <= i {
            self.streamed.resize(i + 1, false);
        }
        self.streamed[i] = true;
    }
}

/// True for a URL the plan will surely send over HTTP (see the module
/// comment).
fn wanted(
    config: &Config,
    recognizer: &Recognizer,
    history: &History,
    url: &str,
    role: Role,
) -> bool {
    (role != Role::Project || !config.follow.enabled)
        && !recognizer
            .parse(url)
            .is_some_and(|r| r.root && audited(config, &r))
        && history.reusable_link(url).is_none()
}

/// The checking side, running since before extraction.
pub(super) struct Stream {
    tx: Option<mpsc::Sender<Feed>>,
    task: JoinHandle<()>,
    results: Shared,
    streamed: Vec<bool>,
}

/// The stream's checker task (started at once) and the hook for extraction.
pub(super) fn start(
    config: &Config,
    checker: &Checker,
    history: Arc<History>,
    (progress, failing): (&Progress, Vec<Status>),
    shutdown: CancellationToken,
) -> (Stream, Hook) {
    let (tx, rx) = mpsc::channel(FEED_CAPACITY);
    let results: Shared = Arc::default();
    let (checker, progress, shared) = (checker.clone(), progress.clone(), results.clone());
    let task = tokio::spawn(async move {
        checker
            .check_feed(rx, shutdown, &mut |id, result| {
                let bad = failing.contains(&result.status);
                if lock(&shared).keep(id, result) {
                    progress.record(bad);
                }
            })
            .await
    });
    let hook = Hook {
        tx: Some(tx.clone()),
        config: config.clone(),
        recognizer: Recognizer::new(config),
        history,
        streamed: Vec::new(),
    };
    let stream = Stream {
        tx: Some(tx),
        task,
        results,
        streamed: Vec::new(),
    };
    (stream, hook)
}

impl Stream {
    /// Takes back what the hook learnt (after extraction): the hook's
    /// sender is dropped with it.
    pub(super) fn disarm(&mut self, hook: Hook) {
        self.streamed = hook.streamed;
    }

    /// True when URL `id` was sent during extraction.
    pub(super) fn streamed(&self, id: u32) -> bool {
        self.streamed.get(id as usize).copied().unwrap_or(false)
    }

    /// The answers so far, by URL id, in a vector of `total` slots: they
    /// become the start of the results decided before the check (a URL
    /// streamed is never reusable, so none is hidden). Answers that come
    /// after are kept here until [`Stream::adopt`] takes them. A streamed
    /// answer the plan must not keep (a followed page asked without its
    /// page) is dropped by the plan and asked again.
    pub(super) fn take_answers(&self, total: usize) -> Vec<Option<LinkResult>> {
        let mut r = lock(&self.results);
        r.between = Some(Vec::new());
        let mut answers = std::mem::take(&mut r.by_id);
        drop(r);
        answers.reserve_exact(total.saturating_sub(answers.len()));
        answers.resize_with(total.max(answers.len()), || None);
        // Grown by doubling as ids came: up to half of it can be slack.
        answers.shrink_to_fit();
        answers
    }

    /// Moves the results decided before the check (`decided`: reused, or
    /// decided without a request) beside the stream's, so one vector of
    /// `total` slots holds every result; starts the progress round with
    /// all of them counted.
    pub(super) fn adopt(
        &self,
        decided: Vec<Option<LinkResult>>,
        progress: &Progress,
        failing: &[Status],
    ) {
        let mut r = lock(&self.results);
        let total = decided.len();
        // The answers that came since `take_answers` (and those before,
        // had it not run) move into `decided` where it has none.
        let mut all = decided;
        let early = std::mem::take(&mut r.by_id).into_iter().enumerate();
        let early = early.filter_map(|(i, a)| Some((i as u32, a?)));
        let between = r.between.take().unwrap_or_default();
        for (id, answer) in early.chain(between) {
            let i = id as usize;
            if all.len() <= i {
                all.resize_with(i + 1, || None);
            }
            all[i].get_or_insert(answer);
        }
        r.by_id = all;
        let known = r.by_id.iter().flatten();
        let bad = known
            .clone()
            .filter(|x| failing.contains(&x.status))
            .count();
        progress.start_round(total as u64, known.count() as u64, bad as u64);
    }

    /// Feeds the plan's HTTP jobs (those the stream has not taken, and
    /// again the streamed URLs the plan made followed pages) after the
    /// pages, so the scheduler asks with its page whichever has not got
    /// it, beside the other jobs rather than after them; waits for every
    /// answer and returns every result by URL id.
    pub(super) async fn finish(
        mut self,
        jobs: Vec<(u32, String)>,
        pages: Option<Pages>,
    ) -> Vec<Option<LinkResult>> {
        let tx = self.tx.take().expect("finish once");
        // A send fails only when the checker has stopped for good.
        let pages = pages.map(Arc::new);
        if let Some(p) = &pages {
            let _ = tx.send(Feed::Pages(p.clone())).await;
        }
        for (id, url) in jobs {
            let _ = tx.send(Feed::Job(id, url)).await;
        }
        drop(tx);
        // A panic in the task leaves its jobs without a result: `unchecked`.
        let _ = (&mut self.task).await;
        std::mem::take(&mut lock(&self.results).by_id)
    }
}

/// True when a repository's forge is audited through its API (GitHub:
/// `[github] enabled`; others: `[forges] enabled` and an API base URL).
pub(super) fn audited(config: &Config, r: &ForgeRef) -> bool {
    match r.forge {
        Forge::Github => config.github.enabled,
        _ => config.forges.enabled && forge::api_base(&config.forges, r).is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: Status, http: Option<u16>, page: bool) -> LinkResult {
        let mut r = LinkResult::without_request(status, "");
        r.http_status = http;
        r.page_links = page.then(|| Box::from([]));
        r
    }

    #[test]
    fn a_second_answer_replaces_the_first_unless_the_run_stopped_before_asking() {
        let mut a = Answers::default();
        assert!(a.keep(3, answer(Status::Timeout, None, false)));
        // The offline stop gives a URL fed again for its page `unchecked`:
        // the timeout it really got stays.
        assert!(!a.keep(3, answer(Status::Unchecked, None, false)));
        assert_eq!(a.by_id[3].as_ref().unwrap().status, Status::Timeout);
        // Asked again with its page: that answer is the one kept.
        assert!(!a.keep(3, answer(Status::Ok, Some(200), true)));
        let kept = a.by_id[3].as_ref().unwrap();
        assert_eq!((kept.status, kept.page_links.is_some()), (Status::Ok, true));
        assert!(a.by_id[..3].iter().all(Option::is_none));
    }

    #[test]
    fn answers_between_taking_and_adopting_are_kept_beside_the_plan() {
        let mut a = Answers {
            between: Some(Vec::new()),
            ..Answers::default()
        };
        assert!(a.keep(7, answer(Status::Ok, Some(200), false)));
        assert!(a.by_id.is_empty(), "no dense vector before adopt");
        assert_eq!(a.between.as_ref().map(Vec::len), Some(1));
    }
}
