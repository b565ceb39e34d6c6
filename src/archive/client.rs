//! The archive services' HTTP side: one reqwest client (built in
//! `build_http_client`, the one place to add proxy support), the
//! private-address guard on every request, a bound on each request's time
//! (`[archive] timeout_secs`) and on each answer's size (`max_answer_mib`),
//! and a count of every call. Per service a lane: a `429` is waited out
//! (`Retry-After`, else `X-RateLimit-Reset`) up to `max_wait_secs`;
//! Software Heritage's `X-RateLimit-Remaining: 0` makes the next request
//! wait for `X-RateLimit-Reset` (swh-web `api.html`, "Rate limiting":
//! 120 requests an hour anonymously, 1200 with a token); past the wait, or
//! after [`SILENT_CALLS`] unanswered calls in a row, the lane stops for the
//! run and every later request of it is unknown with the reason.
//!
//! Owns how a request is sent and when it gives up. Never decides what an
//! answer means (see `parse`) and never follows redirects. The Software
//! Heritage token (a `SecretString`) goes only with Software Heritage
//! requests and is never printed.

use super::Service;
use crate::check::guard::{AddressGuard, GuardResolver};
use crate::config::{ArchiveConfig, CheckConfig};
use crate::error::Error;
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use url::Url;

/// Requests after the first one for a `429` with a short enough wait.
pub const RATE_LIMIT_RETRIES: u32 = 2;
/// Calls in a row without any answer (timeouts, connection failures) after
/// which a service is given up for the run, like a silent host.
pub const SILENT_CALLS: u32 = 3;

/// An answer: HTTP status and (capped) body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Why a request got no reply.
#[derive(Debug)]
enum Unanswered {
    /// No answer at all (timeout, connection failure): counts as silent.
    Silent(String),
    Failed(String),
}

/// One service's state for the run.
#[derive(Debug, Default)]
struct Lane {
    /// Calls in a row that got no answer.
    silent: AtomicU32,
    /// Why the lane stopped, once it has.
    stop: Mutex<Option<String>>,
    /// `X-RateLimit-Remaining` and `X-RateLimit-Reset` of the last answer.
    budget: Mutex<Option<(u64, Option<SystemTime>)>>,
}

impl Lane {
    fn stopped(&self) -> Option<String> {
        self.stop.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Stops the lane (the first reason stays) and returns the reason.
    fn halt(&self, reason: String) -> String {
        self.stop
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert(reason)
            .clone()
    }
}

/// The client both services are asked through.
pub struct ArchiveClient {
    http: reqwest::Client,
    pub(crate) config: ArchiveConfig,
    guard: Arc<AddressGuard>,
    token: Option<SecretString>,
    max_wait: Duration,
    max_body: usize,
    calls: AtomicUsize,
    /// Software Heritage, then the Wayback Machine.
    lanes: [Lane; 2],
    /// Copy URLs an archive answered that were not on its own hosts.
    dropped: Mutex<Vec<String>>,
}

impl fmt::Debug for ArchiveClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArchiveClient")
            .field("config", &self.config)
            .field("token", &self.token)
            .field("calls", &self.calls)
            .finish_non_exhaustive()
    }
}

/// Builds the reqwest client of the archive stage (no redirects, the
/// guard's resolver, the check stage's User-Agent).
pub(crate) fn build_http_client(
    check: &CheckConfig,
    archive: &ArchiveConfig,
    resolver: GuardResolver,
    proxy: &crate::proxy::ProxySettings,
) -> Result<reqwest::Client, Error> {
    proxy
        .apply(reqwest::Client::builder())
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(check.user_agent.clone())
        .dns_resolver(Arc::new(resolver))
        .connect_timeout(archive.timeout())
        .pool_max_idle_per_host(archive.concurrency)
        .build()
        .map_err(|e| Error::Client(e.to_string()))
}

impl ArchiveClient {
    /// `check` gives the User-Agent, `allow_private` and, unless
    /// `[archive] max_wait_secs` is set, the longest wait honoured.
    pub fn new(
        archive: &ArchiveConfig,
        check: &CheckConfig,
        token: Option<SecretString>,
    ) -> Result<ArchiveClient, Error> {
        let guard = Arc::new(AddressGuard::new(check.allow_private));
        let proxy = proxy_settings(check)?;
        let resolver = GuardResolver::new(guard, HashMap::new(), None, proxy.hosts());
        Self::with_resolver(archive, check, token, resolver)
    }

    /// The client of a run: names resolved through the run's `resolver`
    /// (its one DNS cache and its address guard).
    pub fn with_resolver(
        archive: &ArchiveConfig,
        check: &CheckConfig,
        token: Option<SecretString>,
        resolver: GuardResolver,
    ) -> Result<ArchiveClient, Error> {
        let proxy = proxy_settings(check)?;
        let guard = resolver.guard.clone();
        let max_wait = archive.max_wait_secs.unwrap_or(check.max_retry_after_secs);
        Ok(ArchiveClient {
            http: build_http_client(check, archive, resolver, &proxy)?,
            config: archive.clone(),
            guard,
            token,
            max_wait: Duration::from_secs(max_wait),
            max_body: usize::try_from(archive.max_answer_mib.saturating_mul(1 << 20))
                .unwrap_or(usize::MAX),
            calls: AtomicUsize::new(0),
            lanes: Default::default(),
            dropped: Mutex::new(Vec::new()),
        })
    }

    /// Requests sent so far (every attempt counts).
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::Relaxed)
    }

    /// Why each service stopped being asked, for the run's notes.
    pub fn stops(&self) -> Vec<String> {
        self.lanes.iter().filter_map(Lane::stopped).collect()
    }

    /// Records a copy URL that was dropped (`what`: its scheme and host).
    pub(crate) fn drop_copy(&self, what: String) {
        self.dropped
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(what);
    }

    /// The copy URLs dropped so far (their scheme and host).
    pub fn dropped(&self) -> Vec<String> {
        self.dropped
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// A GET to the Wayback Machine (never carries the token).
    pub async fn get(&self, url: &str) -> Result<Reply, String> {
        self.send(reqwest::Method::GET, url, Service::Wayback).await
    }

    /// A GET to Software Heritage (with the token, when there is one).
    pub async fn get_swh(&self, url: &str) -> Result<Reply, String> {
        self.send(reqwest::Method::GET, url, Service::SoftwareHeritage)
            .await
    }

    /// A POST to Software Heritage (with the token, when there is one).
    pub async fn post_swh(&self, url: &str) -> Result<Reply, String> {
        self.send(reqwest::Method::POST, url, Service::SoftwareHeritage)
            .await
    }

    fn lane(&self, service: Service) -> &Lane {
        match service {
            Service::SoftwareHeritage => &self.lanes[0],
            Service::Wayback => &self.lanes[1],
        }
    }

    /// Sends one request on `service`'s lane: none once the lane stopped;
    /// first waits for a spent Software Heritage budget to reset; waits out
    /// `429`s within `max_wait` (at most [`RATE_LIMIT_RETRIES`] times).
    async fn send(
        &self,
        method: reqwest::Method,
        url: &str,
        service: Service,
    ) -> Result<Reply, String> {
        let url = Url::parse(url).map_err(|e| format!("bad archive URL: {e}"))?;
        let host = url.host().ok_or("archive URL has no host")?;
        self.guard
            .check_host(&host)
            .map_err(|r| format!("private address: {r} (allow_private = false)"))?;
        let lane = self.lane(service);
        let mut attempt = 0;
        loop {
            if let Some(reason) = lane.stopped() {
                return Err(reason);
            }
            self.wait_for_budget(lane, service).await?;
            let (reply, wait) = match self.send_once(method.clone(), &url, service).await {
                Ok(r) => {
                    lane.silent.store(0, Ordering::Relaxed);
                    r
                }
                Err(Unanswered::Silent(e)) => return Err(self.silent(lane, service, e)),
                Err(Unanswered::Failed(e)) => return Err(e),
            };
            if reply.status != 429 {
                return Ok(reply);
            }
            let wait = wait.unwrap_or(Duration::from_secs(1));
            if attempt >= RATE_LIMIT_RETRIES || wait > self.max_wait {
                return Err(lane.halt(format!(
                    "rate limited by {} (HTTP 429, Retry-After {} s){}; not asked again this run",
                    service.name(),
                    wait.as_secs(),
                    self.token_hint(service)
                )));
            }
            attempt += 1;
            tokio::time::sleep(wait).await;
        }
    }

    /// With Software Heritage's last `X-RateLimit-Remaining` at 0: sleeps
    /// until its `X-RateLimit-Reset` when that is within `max_wait`, else
    /// stops the lane.
    async fn wait_for_budget(&self, lane: &Lane, service: Service) -> Result<(), String> {
        let budget = *lane.budget.lock().unwrap_or_else(|e| e.into_inner());
        let Some((0, reset)) = budget else {
            return Ok(());
        };
        let wait = reset.map_or(Duration::ZERO, |r| {
            r.duration_since(SystemTime::now()).unwrap_or_default()
        });
        if wait > self.max_wait {
            return Err(lane.halt(format!(
                "{} rate limit spent (X-RateLimit-Remaining 0, resets in {} s, longer than \
                 [archive] max_wait_secs = {}){}; not asked again this run",
                service.name(),
                wait.as_secs(),
                self.max_wait.as_secs(),
                self.token_hint(service)
            )));
        }
        tokio::time::sleep(wait).await;
        *lane.budget.lock().unwrap_or_else(|e| e.into_inner()) = None;
        Ok(())
    }

    /// Names `SWH_TOKEN` when Software Heritage limits an anonymous run.
    fn token_hint(&self, service: Service) -> &'static str {
        match (service, &self.token) {
            (Service::SoftwareHeritage, None) => {
                " (120 requests an hour without a token; SWH_TOKEN raises it to 1200)"
            }
            _ => "",
        }
    }

    /// A call that got no answer: counted; the lane is given up after
    /// [`SILENT_CALLS`] in a row.
    fn silent(&self, lane: &Lane, service: Service, e: String) -> String {
        if lane.silent.fetch_add(1, Ordering::Relaxed) + 1 >= SILENT_CALLS {
            return lane.halt(format!(
                "{} gave no answer to {SILENT_CALLS} calls in a row ({e}); given up for this run",
                service.name()
            ));
        }
        e
    }

    /// One request; the answer and how long a `429` asks to wait.
    async fn send_once(
        &self,
        method: reqwest::Method,
        url: &Url,
        service: Service,
    ) -> Result<(Reply, Option<Duration>), Unanswered> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let swh = service == Service::SoftwareHeritage;
        let mut req = self
            .http
            .request(method, url.clone())
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(t) = self.token.as_ref().filter(|_| swh) {
            req = req.bearer_auth(t.expose_secret());
        }
        let timeout = self.config.timeout();
        let read = async {
            let resp = req.send().await.map_err(|e| {
                let text = describe(&e);
                if e.is_timeout() || e.is_connect() {
                    Unanswered::Silent(crate::error::unanswered_text(&e, service.name(), text))
                } else {
                    Unanswered::Failed(text)
                }
            })?;
            let status = resp.status().as_u16();
            let (wait, budget) = rate_headers(resp.headers(), SystemTime::now());
            if swh && budget.is_some() {
                *self
                    .lane(service)
                    .budget
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) = budget;
            }
            let resp: http::Response<reqwest::Body> = resp.into();
            let body = crate::http::read_capped(resp.into_body(), self.max_body)
                .await
                .map_err(Unanswered::Failed)?;
            Ok((Reply { status, body }, wait))
        };
        tokio::time::timeout(timeout, read).await.map_err(|_| {
            Unanswered::Silent(format!(
                "no answer from {} within {} s",
                url.host_str().unwrap_or(""),
                timeout.as_secs()
            ))
        })?
    }
}

fn proxy_settings(check: &CheckConfig) -> Result<crate::proxy::ProxySettings, Error> {
    crate::proxy::ProxySettings::from_env(check.proxy.as_deref()).map_err(|message| Error::Config {
        path: "config".into(),
        message,
    })
}

/// A `429`'s wait (`Retry-After`, else until `X-RateLimit-Reset`), and
/// `X-RateLimit-Remaining` with the reset time (Unix seconds), as
/// swh-web's throttling sets them (`swh/web/api/throttling.py`).
fn rate_headers(
    h: &reqwest::header::HeaderMap,
    now: SystemTime,
) -> (Option<Duration>, Option<(u64, Option<SystemTime>)>) {
    let text = |k: &str| h.get(k).and_then(|v| v.to_str().ok()).map(str::trim);
    let reset = text("x-ratelimit-reset")
        .and_then(|v| v.parse::<u64>().ok())
        .map(|secs| UNIX_EPOCH + Duration::from_secs(secs));
    let remaining = text("x-ratelimit-remaining").and_then(|v| v.parse::<u64>().ok());
    let wait = text("retry-after")
        .and_then(|v| crate::http::parse_retry_after(v, now))
        .or_else(|| reset.map(|r| r.duration_since(now).unwrap_or_default()));
    (wait, remaining.map(|r| (r, reset)))
}

/// A one-line reason for a failed request (the error chain, no URL query).
fn describe(e: &reqwest::Error) -> String {
    let mut msg = if e.is_connect() {
        "cannot connect".to_string()
    } else if e.is_timeout() {
        "timed out".to_string()
    } else {
        "request failed".to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg = format!("{msg}: {s}");
        source = s.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    #[test]
    fn rate_headers_as_swh_web_sends_them() {
        let now = UNIX_EPOCH + Duration::from_secs(1_620_639_000);
        let mut h = HeaderMap::new();
        // swh-web api.html, "Rate limiting": the three X-RateLimit-* fields.
        h.insert("x-ratelimit-limit", HeaderValue::from_static("120"));
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        h.insert("x-ratelimit-reset", HeaderValue::from_static("1620639052"));
        let (wait, budget) = rate_headers(&h, now);
        assert_eq!(wait, Some(Duration::from_secs(52)));
        assert_eq!(
            budget,
            Some((0, Some(UNIX_EPOCH + Duration::from_secs(1_620_639_052))))
        );
        h.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(rate_headers(&h, now).0, Some(Duration::from_secs(7)));
        assert_eq!(rate_headers(&HeaderMap::new(), now), (None, None));
    }

    #[test]
    fn token_debug_is_redacted() {
        let t = crate::http::token("swh_SECRET_123").unwrap();
        let c = ArchiveClient::new(&ArchiveConfig::default(), &CheckConfig::default(), Some(t))
            .unwrap();
        assert!(!format!("{c:?}").contains("SECRET"));
    }
}
