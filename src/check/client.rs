//! The HTTP side of one link: builds the shared reqwest client and runs a
//! job's requests (GET, or HEAD with a GET fallback; redirect hops) until the
//! link has a result or must go back to the scheduler (a retry that has to
//! wait, or a redirect to another host).
//!
//! Owns the request loop and body handling: bodies are never read beyond
//! `BODY_PEEK` bytes, except a kept page (`Pages`: a 2xx HTML answer to a
//! job that asked for it), read up to its `max_bytes`; every request, its
//! body included, is bounded by `timeout_secs`.
//! Never waits for a retry itself and never picks which job runs next.

use super::circuit::Outcome;
use super::classify::{self, Failure};
use super::guard::GuardResolver;
use super::retry;
use super::{Inner, Pages, host_key};
use crate::config::RequestMethod;
use crate::error::Error;
use crate::model::{LinkResult, Status};
use reqwest::{Method, Response, redirect};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use url::Url;

/// Bytes of a GET body read at most, and only when `Content-Length` says the
/// whole body fits (so the connection can be reused); otherwise the
/// response is dropped right after its headers.
pub const BODY_PEEK: u64 = 16 * 1024;
/// How long an idle connection is kept for reuse.
const POOL_IDLE: Duration = Duration::from_millis(500);
/// Longest time spent reading such a small body.
const BODY_BUDGET: Duration = Duration::from_secs(2);

pub(crate) fn build_client(
    config: &crate::config::CheckConfig,
    resolver: GuardResolver,
    proxy: &crate::proxy::ProxySettings,
    pooled: bool,
) -> Result<reqwest::Client, Error> {
    // Without a pool (`pooled = false`) every request gets a new connection.
    let idle_per_host = if pooled {
        config.max_per_host.max(1)
    } else {
        0
    };
    proxy
        .apply(reqwest::Client::builder())
        .redirect(redirect::Policy::none())
        .user_agent(config.user_agent.clone())
        .dns_resolver(Arc::new(resolver))
        .connect_timeout(config.timeout())
        .pool_max_idle_per_host(idle_per_host)
        // The scheduler drains hosts a few at a time, so a connection idle
        // for a moment belongs to a host that is done: close it soon rather
        // than hold one per host of a run over thousands of hosts.
        .pool_idle_timeout(POOL_IDLE)
        .tcp_nodelay(true)
        .build()
        .map_err(|e| Error::Client(e.to_string()))
}

/// A link being checked; small, and boxed while it waits in a queue.
#[derive(Debug)]
pub(crate) struct JobState {
    pub id: u32,
    /// The URL requested first (after remap).
    pub start: Url,
    /// The URL to request next.
    pub current: Url,
    /// Every URL requested after the first one.
    pub chain: Vec<String>,
    /// The status code that sent the job to each URL of `chain`.
    pub codes: Vec<u16>,
    /// A 301/308 was seen on the way.
    pub permanent: bool,
    /// Retries used so far (for the whole link).
    pub retries: u32,
    /// The current hop rejected HEAD; use GET.
    pub use_get: bool,
    /// The "not found" code HEAD gave on this hop before the GET fallback.
    pub head_not_found: Option<u16>,
    pub last_status: Option<u16>,
    /// The failure that sent this job to wait for a retry, if any.
    pub failure: Option<(Status, String)>,
    pub started: Instant,
    /// Keep this job's page (asked with GET; see `Checker::check_pages`).
    pub page: Option<Arc<Pages>>,
    /// What the page reader made of the body, once read.
    pub page_links: Option<Vec<String>>,
}

impl JobState {
    pub(super) fn new(id: u32, url: Url) -> JobState {
        JobState {
            id,
            start: url.clone(),
            current: url,
            chain: Vec::new(),
            codes: Vec::new(),
            permanent: false,
            retries: 0,
            use_get: false,
            head_not_found: None,
            last_status: None,
            failure: None,
            started: Instant::now(),
            page: None,
            page_links: None,
        }
    }

    pub(crate) fn finish(&self, status: Status, error: impl Into<String>) -> LinkResult {
        let mut r = LinkResult::without_request(status, error);
        r.http_status = self.last_status;
        r.elapsed_ms = self.started.elapsed().as_millis() as u64;
        r.redirect_chain = self.chain.clone();
        r.redirect_codes = (!self.codes.is_empty()).then(|| Box::new(self.codes.clone()));
        if !self.chain.is_empty() && matches!(status, Status::Ok | Status::Redirected) {
            r.final_url = Some(self.current.to_string());
        }
        r
    }
}

/// What a step of a job ended with.
pub(crate) enum Step {
    Done(u32, LinkResult),
    /// Back to the scheduler: run again on `host`, not before `not_before`.
    /// `pause_host`: the server asked us to slow down (429 or
    /// `Retry-After`), so no link of that host starts before then either.
    Requeue {
        job: Box<JobState>,
        host: String,
        not_before: Option<Instant>,
        pause_host: bool,
    },
}

/// One HTTP answer (with the body of a kept page, read up to its cap) or
/// failure of one request.
enum Answer {
    Response(Response, Option<Vec<u8>>),
    Failed(Failure),
}

/// One request, and once more on a fresh connection when it failed the way
/// a reused keep-alive connection fails after the server closed it
/// (closed before the answer, reset). A pooled connection can only exist
/// to a host that answered before, so only then; the resend is immediate
/// and is not a retry. Every outcome is recorded in the host's circuit.
async fn request(inner: &Inner, method: Method, url: &Url, page_cap: Option<usize>) -> Answer {
    let host = host_key(url);
    let maybe_reused = inner.answered(&host);
    let mut answer = send(inner, &inner.client, method.clone(), url, page_cap).await;
    if maybe_reused && matches!(&answer, Answer::Failed(f) if f.connection_lost()) {
        answer = send(inner, &inner.fresh_client, method, url, page_cap).await;
    }
    let outcome = match &answer {
        Answer::Response(..) | Answer::Failed(Failure::Malformed(_)) => Outcome::Answered,
        Answer::Failed(Failure::Excluded(_)) => Outcome::Neutral,
        Answer::Failed(f) => Outcome::Silent(f.status(), f.message().to_string()),
    };
    inner.record(&host, outcome);
    answer
}

/// `page_cap`: the job keeps its page; a 2xx HTML answer to GET has up to
/// that many bytes of its body read (within the same deadline).
async fn send(
    inner: &Inner,
    client: &reqwest::Client,
    method: Method,
    url: &Url,
    page_cap: Option<usize>,
) -> Answer {
    let deadline = tokio::time::Instant::now() + inner.config.timeout();
    let send = client.request(method.clone(), url.clone()).send();
    match tokio::time::timeout_at(deadline, send).await {
        Err(_) => Answer::Failed(Failure::Timeout(format!(
            "no answer within {} s",
            inner.config.timeout_secs
        ))),
        Ok(Err(e)) => Answer::Failed(classify::classify_error(&e)),
        Ok(Ok(mut resp)) if method == Method::GET && page_cap.is_some() && Pages::wants(&resp) => {
            let cap = page_cap.unwrap_or(0);
            let body = read_page(&mut resp, cap, deadline).await;
            Answer::Response(resp, Some(body))
        }
        Ok(Ok(mut resp)) => {
            // Read a small body whole so the connection goes back to the
            // pool; anything bigger or unsized is dropped unread.
            if method == Method::GET && resp.content_length().is_some_and(|n| n <= BODY_PEEK) {
                let until = deadline.min(tokio::time::Instant::now() + BODY_BUDGET);
                let _ = tokio::time::timeout_at(until, async {
                    while let Ok(Some(_)) = resp.chunk().await {}
                })
                .await;
            }
            Answer::Response(resp, None)
        }
    }
}

/// Reads a kept page's body: at most `cap` bytes, until `deadline`; what
/// came before a cut, a failure or the deadline is kept. The rest is never
/// read (the connection is dropped with the response).
async fn read_page(resp: &mut Response, cap: usize, deadline: tokio::time::Instant) -> Vec<u8> {
    let mut body = Vec::new();
    let _ = tokio::time::timeout_at(deadline, async {
        while body.len() < cap {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    let room = cap - body.len();
                    body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                _ => break,
            }
        }
    })
    .await;
    body
}

/// Runs a job until it has a result or must go back to the scheduler.
pub(crate) async fn run_step(inner: &Inner, mut job: Box<JobState>) -> Step {
    loop {
        if let Some((status, msg)) = inner.cut_off(&host_key(&job.current)) {
            return Step::Done(job.id, job.finish(status, msg));
        }
        if !job.use_get
            && (inner.config.method == RequestMethod::Get
                || job.page.is_some()
                || inner.head_refused_by(&job.current))
        {
            job.use_get = true;
        }
        let method = if job.use_get {
            Method::GET
        } else {
            Method::HEAD
        };
        let page_cap = job.page.as_ref().map(|p| p.max_bytes);
        let next = match request(inner, method, &job.current, page_cap).await {
            Answer::Failed(f) => after_failure(inner, &mut job, &f),
            Answer::Response(resp, body) => {
                if let (Some(body), Some(page)) = (body, job.page.clone()) {
                    job.page_links = Some((page.read)(job.id, &job.current, &body));
                }
                after_answer(inner, &mut job, resp)
            }
        };
        match next {
            Next::Again => continue,
            Next::Done(status, msg) => {
                let mut result = job.finish(status, msg);
                if status.is_success() && job.page.is_some() {
                    // A kept page that was not HTML has no links: it was
                    // looked at all the same (a later run need not ask).
                    result.page_links = Some(job.page_links.take().unwrap_or_default().into());
                }
                return Step::Done(job.id, result);
            }
            Next::Retry { wait, pause_host } => return retry_later(inner, job, wait, pause_host),
            Next::Requeue(host) => {
                return Step::Requeue {
                    job,
                    host,
                    not_before: None,
                    pause_host: false,
                };
            }
        }
    }
}

/// What `run_step` does after one request.
enum Next {
    /// Request again at once (GET after HEAD, or a redirect on the same host).
    Again,
    /// The job has its result.
    Done(Status, String),
    /// Back to the scheduler to be tried again later.
    Retry {
        wait: Option<Duration>,
        pause_host: bool,
    },
    /// Back to the scheduler, queued on another host (a redirect).
    Requeue(String),
}

/// No HTTP answer: a HEAD some servers mangle is asked again with GET; a
/// retryable failure is retried while retries are left.
fn after_failure(inner: &Inner, job: &mut JobState, f: &Failure) -> Next {
    if !job.use_get && f.head_suspect() {
        // Some servers mangle or drop HEAD only: ask with GET.
        job.use_get = true;
        return Next::Again;
    }
    if f.retryable() && job.retries < inner.config.retries {
        job.failure = Some((f.status(), f.message().to_string()));
        return Next::Retry {
            wait: None,
            pause_host: false,
        };
    }
    Next::Done(f.status(), f.message().to_string())
}

/// An HTTP answer: GET after a HEAD the server may not answer truthfully,
/// follow a redirect, retry a retryable status, else classify it.
fn after_answer(inner: &Inner, job: &mut JobState, resp: Response) -> Next {
    let code = resp.status().as_u16();
    job.last_status = Some(code);
    if get_after_head(inner, job, code) {
        return Next::Again;
    }
    if classify::is_redirect(code)
        && let Some(location) = resp.headers().get(reqwest::header::LOCATION)
    {
        let location = String::from_utf8_lossy(location.as_bytes()).into_owned();
        drop(resp);
        return match follow(inner, job, code, &location) {
            Follow::SameHost => Next::Again,
            Follow::OtherHost(host) => Next::Requeue(host),
            Follow::Stop(status, msg) => Next::Done(status, msg),
        };
    }
    if classify::is_retryable_status(code) {
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry::parse_retry_after(v, SystemTime::now()));
        drop(resp);
        return after_retryable_status(inner, job, code, retry_after);
    }
    drop(resp);
    let (mut status, mut msg) = classify::status_of(code);
    if status == Status::Ok && job.permanent && job.current != job.start {
        status = Status::Redirected;
        msg = format!("moved permanently to {}", truncate(job.current.as_str()));
    }
    Next::Done(status, msg)
}

/// True when a HEAD answer must be checked with GET (HEAD refused, or a
/// 404/410 from a host not known to answer HEAD truthfully). Learns which
/// hosts refuse HEAD, and which ones GET proves truthful.
fn get_after_head(inner: &Inner, job: &mut JobState, code: u16) -> bool {
    let not_found = matches!(code, 404 | 410);
    if !job.use_get
        && classify::head_rejected(code)
        && !(not_found && inner.head_honest(&job.current))
    {
        if classify::head_unsupported(code) {
            inner.remember_head_refused(&job.current);
        }
        if not_found {
            job.head_not_found = Some(code);
        }
        job.use_get = true;
        return true;
    }
    if job.head_not_found.take() == Some(code) {
        // GET agreed with HEAD's 404/410: this host tells the truth to
        // HEAD, so later dead links on it need no second request.
        inner.remember_head_honest(&job.current);
    }
    false
}

/// A 429 or 5xx: retried (pausing the host on 429 or `Retry-After`) while
/// retries are left, unless `Retry-After` asks for more than the cap.
fn after_retryable_status(
    inner: &Inner,
    job: &JobState,
    code: u16,
    retry_after: Option<Duration>,
) -> Next {
    let cap = Duration::from_secs(inner.config.max_retry_after_secs);
    if let Some(wait) = retry_after
        && wait > cap
    {
        let status = if code == 429 {
            Status::Blocked
        } else {
            classify::status_of(code).0
        };
        let msg = format!(
            "HTTP {code} with Retry-After of {} s, beyond the {} s cap; not waiting",
            wait.as_secs(),
            cap.as_secs()
        );
        return Next::Done(status, msg);
    }
    if job.retries < inner.config.retries {
        let pause_host = code == 429 || retry_after.is_some();
        return Next::Retry {
            wait: retry_after,
            pause_host,
        };
    }
    let (status, mut msg) = classify::status_of(code);
    let plural = if job.retries == 1 { "retry" } else { "retries" };
    msg.push_str(&format!(" (after {} {plural})", job.retries));
    Next::Done(status, msg)
}

fn retry_later(
    inner: &Inner,
    mut job: Box<JobState>,
    wait: Option<Duration>,
    pause_host: bool,
) -> Step {
    job.retries += 1;
    let wait = wait.unwrap_or_else(|| retry::backoff(inner.backoff_base, job.retries));
    let host = host_key(&job.current);
    Step::Requeue {
        job,
        host,
        not_before: Some(Instant::now() + wait),
        pause_host,
    }
}

enum Follow {
    SameHost,
    OtherHost(String),
    Stop(Status, String),
}

/// Validates and records one redirect hop.
fn follow(inner: &Inner, job: &mut JobState, code: u16, location: &str) -> Follow {
    let next = match job.current.join(location.trim()) {
        Ok(u) => u,
        Err(e) => {
            return Follow::Stop(
                Status::Error,
                format!("HTTP {code} with a malformed Location `{location}`: {e}"),
            );
        }
    };
    if !matches!(next.scheme(), "http" | "https") {
        return Follow::Stop(
            Status::Error,
            format!(
                "HTTP {code} redirect to unsupported scheme `{}:` not followed ({})",
                next.scheme(),
                truncate(next.as_str())
            ),
        );
    }
    let Some(host) = next.host() else {
        return Follow::Stop(
            Status::Error,
            format!("HTTP {code} redirect to a URL without host not followed"),
        );
    };
    if let Err(reason) = inner.guard.check_host(&host) {
        return Follow::Stop(
            Status::Excluded,
            format!("redirect to a non-public address not followed: {reason}"),
        );
    }
    let mut seen = next == job.start || next == job.current;
    seen |= job.chain.iter().any(|u| u == next.as_str());
    if seen {
        return Follow::Stop(
            Status::Error,
            format!(
                "too many redirects: redirect loop back to {}",
                truncate(next.as_str())
            ),
        );
    }
    if job.chain.len() >= inner.config.max_redirects {
        return Follow::Stop(
            Status::Error,
            format!(
                "too many redirects (more than {})",
                inner.config.max_redirects
            ),
        );
    }
    if classify::is_permanent_redirect(code) {
        job.permanent = true;
    }
    let old_host = host_key(&job.current);
    let new_host = host_key(&next);
    job.chain.push(next.to_string());
    job.codes.push(code);
    job.current = next;
    job.head_not_found = None;
    if old_host == new_host {
        Follow::SameHost
    } else {
        job.use_get = false;
        Follow::OtherHost(new_host)
    }
}

fn truncate(s: &str) -> &str {
    match s.char_indices().nth(200) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}
