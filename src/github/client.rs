//! One fetch session against the GitHub API: every HTTP call goes through
//! `Session::call`, which counts it, bounds it in time, honours the
//! rate-limit budget and `shutdown`, waits out rate limits (primary and
//! secondary, however GitHub says so: status, headers or a GraphQL error
//! type) holding every call of the account meanwhile, then asks the same
//! again, and retries 5xx and network failures a bounded number of times.
//!
//! Never logs a header or the token; never waits longer than
//! `max_wait_secs` at a time, and never more than `MAX_ATTEMPTS` times per
//! call; a rate limit that outlasts either stops the session.

use super::ratelimit::{Budget, human, parse_reset_epoch, parse_retry_after, until};
use super::rest::error_message;
use crate::config::GithubConfig;
use chrono::{DateTime, Utc};
use octocrab::Octocrab;
use serde_json::Value;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Tries per call (the first one included), for 5xx, network failures,
/// timeouts and secondary rate limits.
pub(super) const MAX_ATTEMPTS: u32 = 3;
/// First backoff after a 5xx or network failure; doubled each time.
const BACKOFF: Duration = Duration::from_millis(250);
/// Wait on a secondary limit that names no `retry-after` (GitHub's advice).
const SECONDARY_DEFAULT_WAIT: Duration = Duration::from_secs(60);

/// Why a session stopped asking: every repository not yet fetched gets
/// `Unknown(reason)`.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Stop {
    /// Primary or secondary budget spent, reset too far away.
    RateLimited(String),
    /// `[github] max_calls` calls made in this run.
    CallBudget(String),
    /// `shutdown` was cancelled.
    Interrupted,
    /// GitHub refused the credentials (401).
    Refused(String),
    /// Not one try of a call got any HTTP answer: the API host is out of
    /// reach, so asking about the other repositories would only wait.
    Unreachable(String),
}

impl Stop {
    pub(super) fn reason(&self) -> String {
        match self {
            Stop::RateLimited(r)
            | Stop::CallBudget(r)
            | Stop::Refused(r)
            | Stop::Unreachable(r) => r.clone(),
            Stop::Interrupted => "interrupted".into(),
        }
    }
}

/// A call that gave no usable answer.
#[derive(Debug)]
pub(super) enum Failure {
    Stopped(Stop),
    /// Retries spent (5xx, network, timeout): the reason.
    Failed(String),
}

impl Failure {
    /// What a repository that met this failure is: left unfetched when
    /// the session stopped, failed otherwise.
    pub(super) fn unfetched(&self) -> crate::model::Unfetched {
        match self {
            Failure::Stopped(s) => crate::model::Unfetched::stopped(s.reason()),
            Failure::Failed(r) => crate::model::Unfetched::failed(r.clone()),
        }
    }
}

pub(super) enum Req<'a> {
    Get(String),
    /// A GraphQL query (posted to `[github] graphql_url`, derived or given).
    Post(&'a Value),
}

/// What we keep of an HTTP answer.
pub(super) struct Raw {
    pub status: u16,
    pub body: String,
    retry_after: Option<Duration>,
    remaining: Option<u64>,
    reset: Option<DateTime<Utc>>,
}

impl Raw {
    /// GitHub's `message`, or the start of the body.
    pub(super) fn message(&self) -> String {
        error_message(&self.body).unwrap_or_else(|| self.body.chars().take(200).collect())
    }
}

/// What the run learnt of its GitHub account, kept across every fetch of
/// the run (both rounds): calls made, the rate-limit budget, and why asking
/// stopped (a 401, a spent budget, an unreachable API). A second fetch of a
/// stopped account sends nothing.
#[derive(Debug, Default)]
pub(super) struct Account {
    calls: AtomicUsize,
    /// Calls that got an HTTP answer (any status).
    answered: AtomicUsize,
    budget: Mutex<Budget>,
    stop: Mutex<Option<Stop>>,
    /// No call goes out before this instant: a rate limit asked to wait
    /// (every call of the account waits, not only the one that met it).
    hold: Mutex<Option<tokio::time::Instant>>,
}

impl Account {
    /// HTTP requests made so far in the run.
    pub(super) fn calls(&self) -> usize {
        self.calls.load(Ordering::Relaxed)
    }

    /// HTTP requests so far that got an answer (any status).
    pub(super) fn answered(&self) -> usize {
        self.answered.load(Ordering::Relaxed)
    }

    /// Why asking stopped, if it did.
    pub(super) fn stopped(&self) -> Option<Stop> {
        self.stop.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

pub(super) struct Session<'a> {
    octo: Octocrab,
    config: &'a GithubConfig,
    timeout: Duration,
    shutdown: CancellationToken,
    account: &'a Account,
    /// `api_url`'s path (`/api/v3` on GitHub Enterprise Server), put in
    /// front of every REST path: the client's base is the origin alone.
    rest_prefix: String,
    /// Where GraphQL is posted: a path on the API host, or a whole URL.
    graphql: String,
}

/// `api_url`'s path without the trailing slash, and the GraphQL target
/// (its path when on the API's origin, else the whole URL).
pub(super) fn routes(config: &GithubConfig) -> (String, String) {
    let api = url::Url::parse(&config.api_url).ok();
    let prefix = api
        .as_ref()
        .map(|u| u.path().trim_end_matches('/').to_string())
        .unwrap_or_default();
    let endpoint = config.graphql_endpoint();
    let graphql = match (url::Url::parse(&endpoint), &api) {
        (Ok(g), Some(a)) if g.origin() == a.origin() => g.path().to_string(),
        _ => endpoint,
    };
    (prefix, graphql)
}

impl<'a> Session<'a> {
    pub(super) fn new(
        octo: Octocrab,
        config: &'a GithubConfig,
        timeout: Duration,
        shutdown: CancellationToken,
        account: &'a Account,
    ) -> Self {
        let (rest_prefix, graphql) = routes(config);
        Session {
            rest_prefix,
            graphql,
            octo,
            config,
            timeout,
            shutdown,
            account,
        }
    }

    /// HTTP requests made so far in the run (retries and followed
    /// redirects included).
    pub(super) fn calls(&self) -> usize {
        self.account.calls()
    }

    /// Counts a request octocrab made on its own (a followed redirect).
    pub(super) fn count_extra_call(&self) {
        self.account.calls.fetch_add(1, Ordering::Relaxed);
        self.account.answered.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn stopped(&self) -> Option<Stop> {
        self.account.stopped()
    }

    /// Records why the account stops asking (the first reason wins, for
    /// the rest of the run) and returns it.
    pub(super) fn halt(&self, stop: Stop) -> Failure {
        let mut s = self.account.stop.lock().unwrap_or_else(|e| e.into_inner());
        Failure::Stopped(s.get_or_insert(stop).clone())
    }

    fn max_wait(&self) -> Duration {
        Duration::from_secs(self.config.max_wait_secs)
    }

    fn update_budget(&self, remaining: Option<u64>, reset: Option<DateTime<Utc>>) {
        self.account
            .budget
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .update(remaining, reset);
    }

    /// Merges a GraphQL `rateLimit` report.
    pub(super) fn report_budget(&self, remaining: Option<u64>, reset: Option<DateTime<Utc>>) {
        self.update_budget(remaining, reset);
    }

    fn exhausted(&self, reset: Option<DateTime<Utc>>) -> Stop {
        let now = Utc::now();
        let detail = match reset {
            Some(r) => format!(
                "resets at {} UTC, in {}; longer than max_wait_secs = {}",
                r.format("%H:%M"),
                human(until(Some(r), now)),
                self.config.max_wait_secs
            ),
            None => "reset time unknown".into(),
        };
        Stop::RateLimited(format!("rate limit exhausted ({detail})"))
    }

    /// Sleeps unless `shutdown` comes first.
    async fn sleep(&self, d: Duration) -> Result<(), Failure> {
        tokio::select! {
            biased;
            _ = self.shutdown.cancelled() => Err(self.halt(Stop::Interrupted)),
            _ = tokio::time::sleep(d) => Ok(()),
        }
    }

    /// Before a call: when the budget is spent, wait for the reset if it is
    /// near enough, else stop.
    async fn wait_for_budget(&self) -> Result<(), Failure> {
        let (wait, reset) = {
            let b = self
                .account
                .budget
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            (b.wait_needed(Utc::now()), b.reset)
        };
        let Some(wait) = wait else { return Ok(()) };
        if wait > self.max_wait() {
            return Err(self.halt(self.exhausted(reset)));
        }
        if !wait.is_zero() {
            tracing::info!(
                "GitHub rate limit spent; waiting {} for the reset",
                human(wait)
            );
            self.sleep(wait + Duration::from_secs(1)).await?;
        }
        self.account
            .budget
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        Ok(())
    }

    /// A failed request's cause in few words ("connection to HOST
    /// refused"), else its whole chain; the whole chain always goes to the
    /// `-v` log (target `paperlinks::detail`).
    fn cause(&self, e: &(dyn std::error::Error + 'static)) -> String {
        let full = crate::error::chain_text(e, false);
        tracing::info!(target: "paperlinks::detail", "GitHub API request failed: {full}");
        let api = url::Url::parse(&self.config.api_url).ok();
        let host = api.as_ref().and_then(|u| {
            let h = u.host_str()?;
            Some(u.port().map_or(h.to_string(), |p| format!("{h}:{p}")))
        });
        crate::error::net_cause(e, host.as_deref().unwrap_or("the API host")).unwrap_or(full)
    }

    /// One request, nothing else. Errors are described without the request
    /// (which holds the token in a header).
    async fn send_once(&self, req: &Req<'_>) -> Result<Raw, String> {
        let res = match req {
            Req::Get(path) => self.octo._get(format!("{}{path}", self.rest_prefix)).await,
            // The only POST is GraphQL's.
            Req::Post(body) => self.octo._post(self.graphql.as_str(), Some(*body)).await,
        }
        .map_err(|e| self.cause(&e))?;
        let status = res.status().as_u16();
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let now = Utc::now();
        let retry_after = header("retry-after").and_then(|v| parse_retry_after(&v, now));
        let remaining = header("x-ratelimit-remaining").and_then(|v| v.trim().parse().ok());
        let reset = header("x-ratelimit-reset").and_then(|v| parse_reset_epoch(&v));
        let max = self.config.max_answer_bytes();
        let body = crate::http::read_capped(res.into_body(), max)
            .await
            .map_err(|e| format!("reading the answer: {e}"))?;
        let body = String::from_utf8_lossy(&body).into_owned();
        Ok(Raw {
            status,
            body,
            retry_after,
            remaining,
            reset,
        })
    }

    /// A call with the budget, retries and waits described in the module
    /// comment. `Ok` for any answer that is not a rate limit or a 5xx.
    pub(super) async fn call(&self, req: &Req<'_>) -> Result<Raw, Failure> {
        let mut last = String::from("no attempt made");
        let mut cause = last.clone();
        let mut answered = false;
        for attempt in 1..=MAX_ATTEMPTS {
            let raw = match self.send_attempt(req).await? {
                Ok(raw) => raw,
                Err(why) => {
                    last = format!("GitHub API request failed: {why}");
                    cause = why;
                    self.backoff(attempt).await?;
                    continue;
                }
            };
            answered = true;
            self.account.answered.fetch_add(1, Ordering::Relaxed);
            match self.on_answer(req, raw, attempt).await? {
                Next::Done(raw) => return Ok(raw),
                Next::Retry(why) => last = why,
            }
        }
        if !answered {
            return Err(self.halt(Stop::Unreachable(format!(
                "GitHub API unreachable: {cause}"
            ))));
        }
        Err(Failure::Failed(last))
    }

    /// One try: stops when the session has stopped or is shut down, waits
    /// for the budget, then sends under the time limit. `Ok(Err(why))` when
    /// no answer came.
    async fn send_attempt(&self, req: &Req<'_>) -> Result<Result<Raw, String>, Failure> {
        if let Some(stop) = self.stopped() {
            return Err(Failure::Stopped(stop));
        }
        if self.shutdown.is_cancelled() {
            return Err(self.halt(Stop::Interrupted));
        }
        self.wait_for_hold().await?;
        self.wait_for_budget().await?;
        let (max, made) = (
            self.config.max_calls,
            self.account.calls.fetch_add(1, Ordering::Relaxed),
        );
        if max > 0 && made >= max {
            self.account.calls.fetch_sub(1, Ordering::Relaxed);
            return Err(self.halt(Stop::CallBudget(format!(
                "API call budget of {max} calls spent ([github] max_calls)"
            ))));
        }
        let sent = tokio::select! {
            biased;
            _ = self.shutdown.cancelled() => return Err(self.halt(Stop::Interrupted)),
            r = tokio::time::timeout(self.timeout, self.send_once(req)) => r,
        };
        Ok(match sent {
            Err(_) => Err(format!("no answer within {} s", self.timeout.as_secs_f32())),
            Ok(Err(e)) => Err(e),
            Ok(Ok(raw)) => Ok(raw),
        })
    }

    /// What an answer means for `call`: a rate limit waits what GitHub
    /// asks (`on_rate_limit`), a 5xx backs off; each is tried again. Anything
    /// else is the answer.
    async fn on_answer(&self, req: &Req<'_>, raw: Raw, attempt: u32) -> Result<Next, Failure> {
        self.update_budget(raw.remaining, raw.reset);
        if let Some(limit) = rate_limit_kind(req, &raw) {
            return self.on_rate_limit(limit, &raw, attempt);
        }
        // GraphQL: a 502/504 is the query's cost; the caller splits it
        // rather than asking the same again (see `plan`).
        if matches!(req, Req::Post(..)) && matches!(raw.status, 502 | 504) {
            return Ok(Next::Done(raw));
        }
        if raw.status >= 500 {
            let last = format!(
                "GitHub API answered HTTP {} after {attempt} tries: {}",
                raw.status,
                raw.message()
            );
            self.backoff(attempt).await?;
            return Ok(Next::Retry(last));
        }
        Ok(Next::Done(raw))
    }

    /// A rate limit, primary or secondary, whatever `x-ratelimit-remaining`
    /// says: hold every call of the account for the wait GitHub asks
    /// (`limit_wait`), then send the same request again. A wait longer
    /// than `max_wait_secs`, or a limit still in force after
    /// [`MAX_ATTEMPTS`] tries, stops the session: the request is not lost,
    /// it is left unfetched with the reason.
    fn on_rate_limit(&self, limit: Limit, raw: &Raw, attempt: u32) -> Result<Next, Failure> {
        let now = Utc::now();
        let wait = limit_wait(limit, raw, now);
        let max = self.config.max_wait_secs;
        if wait > self.max_wait() {
            return Err(self.halt(match limit {
                Limit::Primary => {
                    self.exhausted(chrono::Duration::from_std(wait).ok().map(|w| now + w))
                }
                Limit::Secondary => Stop::RateLimited(format!(
                    "secondary rate limit: the wait GitHub asks ({}) is longer than \
                     max_wait_secs = {max}",
                    human(wait)
                )),
            }));
        }
        if attempt == MAX_ATTEMPTS {
            let what = match limit {
                Limit::Primary => "rate limit exhausted",
                Limit::Secondary => "secondary rate limit",
            };
            return Err(self.halt(Stop::RateLimited(format!(
                "{what}: still in force after {MAX_ATTEMPTS} tries waiting what GitHub asked (HTTP {})",
                raw.status
            ))));
        }
        tracing::info!("GitHub rate limit; asking again in {}", human(wait));
        self.hold(wait);
        Ok(Next::Retry(String::new()))
    }

    /// No call of the account goes out for `wait` from now.
    fn hold(&self, wait: Duration) {
        let until = tokio::time::Instant::now() + wait;
        let mut hold = self.account.hold.lock().unwrap_or_else(|e| e.into_inner());
        if hold.is_none_or(|h| h < until) {
            *hold = Some(until);
        }
    }

    /// Waits while the account is held (see `hold`), unless `shutdown`
    /// comes first.
    async fn wait_for_hold(&self) -> Result<(), Failure> {
        loop {
            let until = *self.account.hold.lock().unwrap_or_else(|e| e.into_inner());
            match until {
                Some(u) if u > tokio::time::Instant::now() => {
                    self.sleep(u - tokio::time::Instant::now()).await?;
                }
                _ => return Ok(()),
            }
        }
    }

    /// Waits before the next try (not after the last one).
    async fn backoff(&self, attempt: u32) -> Result<(), Failure> {
        if attempt < MAX_ATTEMPTS {
            self.sleep(crate::http::exponential(BACKOFF, attempt))
                .await?;
        }
        Ok(())
    }
}

/// What one answer means for the loop in `Session::call`.
enum Next {
    /// The answer to hand back.
    Done(Raw),
    /// Try again; the text says why if no try is left.
    Retry(String),
}

/// Which rate limit an answer reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Limit {
    /// The hourly budget is spent.
    Primary,
    /// A secondary ("abuse") limit: too many calls or too much server time.
    Secondary,
}

/// Whether an answer is a rate limit, and which (GitHub's docs, "Rate
/// limits for the REST API" and "Rate limits and query limits for the
/// GraphQL API"). Secondary: a 403/429 with `retry-after`, a 429 with
/// budget left, or a message saying "secondary rate limit", which GraphQL
/// may send with HTTP 200 ("200 or 403"). Primary: a 403/429 with
/// `x-ratelimit-remaining: 0`, or a GraphQL answer whose error type is
/// `RATE_LIMITED`/`RATE_LIMIT` whatever the remaining count says.
fn rate_limit_kind(req: &Req<'_>, raw: &Raw) -> Option<Limit> {
    let limited = matches!(raw.status, 403 | 429);
    let graphql = matches!(req, Req::Post(..)) && matches!(raw.status, 200 | 403 | 429);
    let secondary = (limited
        && (raw.retry_after.is_some()
            || raw.status == 429 && raw.remaining != Some(0)
            || raw
                .body
                .to_ascii_lowercase()
                .contains("secondary rate limit")))
        || (graphql && super::graphql::is_secondary_limited(&raw.body));
    if secondary {
        return Some(Limit::Secondary);
    }
    let primary = (limited && raw.remaining == Some(0))
        || (graphql && super::graphql::is_rate_limited(&raw.body));
    primary.then_some(Limit::Primary)
}

/// How long GitHub asks to wait: `retry-after` when given; else until
/// `x-ratelimit-reset` (and a second, the header being whole seconds) for
/// a spent budget; else at least a minute, as GitHub's docs ask.
fn limit_wait(limit: Limit, raw: &Raw, now: DateTime<Utc>) -> Duration {
    if let Some(d) = raw.retry_after {
        return d;
    }
    let to_reset = until(raw.reset, now);
    let spent = limit == Limit::Primary || raw.remaining == Some(0);
    if spent && !to_reset.is_zero() {
        return to_reset + Duration::from_secs(1);
    }
    SECONDARY_DEFAULT_WAIT
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(status: u16, body: &str, remaining: Option<u64>, retry_after: Option<u64>) -> Raw {
        Raw {
            status,
            body: body.into(),
            retry_after: retry_after.map(Duration::from_secs),
            remaining,
            reset: Some(Utc::now() + chrono::Duration::seconds(30)),
        }
    }

    #[test]
    fn rate_limits_are_read_from_status_headers_and_graphql_errors() {
        let body = serde_json::json!({});
        let (post, get) = (Req::Post(&body), Req::Get("/repos/a/b".into()));
        let limited = r#"{"errors":[{"type":"RATE_LIMIT","code":"graphql_rate_limit","message":"API rate limit already exceeded for user ID 1."}]}"#;
        let secondary = r#"{"errors":[{"message":"You have exceeded a secondary rate limit."}]}"#;
        let kind = |req: &Req<'_>, r: &Raw| rate_limit_kind(req, r);
        assert_eq!(
            kind(&post, &raw(200, limited, Some(4000), None)),
            Some(Limit::Primary)
        );
        assert_eq!(
            kind(&post, &raw(200, secondary, Some(4000), None)),
            Some(Limit::Secondary)
        );
        assert_eq!(kind(&post, &raw(200, "{\"data\":{}}", Some(0), None)), None);
        // A REST body is never read as GraphQL.
        assert_eq!(kind(&get, &raw(200, limited, Some(4000), None)), None);
        assert_eq!(
            kind(&get, &raw(403, "{}", Some(0), None)),
            Some(Limit::Primary)
        );
        assert_eq!(
            kind(&get, &raw(403, "{}", Some(10), Some(5))),
            Some(Limit::Secondary)
        );
        assert_eq!(
            kind(&get, &raw(429, "{}", Some(10), None)),
            Some(Limit::Secondary)
        );
        assert_eq!(
            kind(
                &get,
                &raw(403, r#"{"message":"Forbidden"}"#, Some(10), None)
            ),
            None
        );
    }

    #[test]
    fn the_wait_is_retry_after_else_the_reset_else_a_minute() {
        let now = Utc::now();
        let w = |l, r: &Raw| limit_wait(l, r, now);
        assert_eq!(
            w(Limit::Primary, &raw(200, "", None, Some(7))),
            Duration::from_secs(7)
        );
        let to_reset = w(Limit::Primary, &raw(200, "", Some(4000), None));
        assert!((Duration::from_secs(30)..=Duration::from_secs(32)).contains(&to_reset));
        assert_eq!(
            w(Limit::Secondary, &raw(403, "", Some(9), None)),
            SECONDARY_DEFAULT_WAIT
        );
        let mut past = raw(200, "", Some(0), None);
        past.reset = Some(now - chrono::Duration::seconds(5));
        assert_eq!(w(Limit::Primary, &past), SECONDARY_DEFAULT_WAIT);
    }
}
