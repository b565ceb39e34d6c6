//! The archive services' HTTP side: one reqwest client (built in
//! [`build_http_client`], the one place to add proxy support), the
//! private-address guard on every request, a bound on each request's time,
//! `429` + `Retry-After` honoured up to a limit, and a count of every call.
//!
//! Owns how a request is sent and when it gives up. Never decides what an
//! answer means (see `parse`) and never follows redirects. The Software
//! Heritage token goes only with Software Heritage requests and is never
//! printed: its `Debug` is redacted.

use crate::check::guard::{AddressGuard, GuardResolver};
use crate::config::{ArchiveConfig, CheckConfig};
use crate::error::Error;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};
use url::Url;

/// Largest answer body read from an archive service.
pub const MAX_BODY: usize = 1024 * 1024;
/// Requests after the first one for a `429` with a short enough `Retry-After`.
pub const RATE_LIMIT_RETRIES: u32 = 2;

/// A bearer token for Software Heritage (`SWH_TOKEN`). Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn new(secret: impl Into<String>) -> Option<Token> {
        let s: String = secret.into();
        let s = s.trim().to_string();
        (!s.is_empty()).then_some(Token(s))
    }

    /// `SWH_TOKEN` from the environment, when set and not blank.
    pub fn from_env() -> Option<Token> {
        std::env::var("SWH_TOKEN").ok().and_then(Token::new)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// An answer: HTTP status and (capped) body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

/// The client both services are asked through.
pub struct ArchiveClient {
    http: reqwest::Client,
    pub(crate) config: ArchiveConfig,
    guard: Arc<AddressGuard>,
    token: Option<Token>,
    max_retry_after: Duration,
    calls: AtomicUsize,
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
    /// `check` gives the User-Agent, `allow_private` and the longest
    /// `Retry-After` honoured.
    pub fn new(
        archive: &ArchiveConfig,
        check: &CheckConfig,
        token: Option<Token>,
    ) -> Result<ArchiveClient, Error> {
        let guard = Arc::new(AddressGuard::new(check.allow_private));
        let proxy =
            crate::proxy::ProxySettings::from_env(check.proxy.as_deref()).map_err(|message| {
                Error::Config {
                    path: "config".into(),
                    message,
                }
            })?;
        let resolver = GuardResolver::new(guard, HashMap::new(), None, proxy.hosts());
        Self::with_resolver(archive, check, token, resolver)
    }

    /// The client of a run: names resolved through the run's `resolver`
    /// (its one DNS cache and its address guard).
    pub fn with_resolver(
        archive: &ArchiveConfig,
        check: &CheckConfig,
        token: Option<Token>,
        resolver: GuardResolver,
    ) -> Result<ArchiveClient, Error> {
        let proxy =
            crate::proxy::ProxySettings::from_env(check.proxy.as_deref()).map_err(|message| {
                Error::Config {
                    path: "config".into(),
                    message,
                }
            })?;
        let guard = resolver.guard.clone();
        Ok(ArchiveClient {
            http: build_http_client(check, archive, resolver, &proxy)?,
            config: archive.clone(),
            guard,
            token,
            max_retry_after: Duration::from_secs(check.max_retry_after_secs),
            calls: AtomicUsize::new(0),
        })
    }

    /// Requests sent so far (every attempt counts).
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::Relaxed)
    }

    /// A GET to the Wayback Machine (never carries the token).
    pub async fn get(&self, url: &str) -> Result<Reply, String> {
        self.send(reqwest::Method::GET, url, false).await
    }

    /// A GET to Software Heritage (with the token, when there is one).
    pub async fn get_swh(&self, url: &str) -> Result<Reply, String> {
        self.send(reqwest::Method::GET, url, true).await
    }

    /// A POST to Software Heritage (with the token, when there is one).
    pub async fn post_swh(&self, url: &str) -> Result<Reply, String> {
        self.send(reqwest::Method::POST, url, true).await
    }

    /// Sends one request, waiting out `429`s whose `Retry-After` is within
    /// `[check] max_retry_after_secs` (at most [`RATE_LIMIT_RETRIES`] times).
    async fn send(&self, method: reqwest::Method, url: &str, swh: bool) -> Result<Reply, String> {
        let url = Url::parse(url).map_err(|e| format!("bad archive URL: {e}"))?;
        let host = url.host().ok_or("archive URL has no host")?;
        self.guard
            .check_host(&host)
            .map_err(|r| format!("private address: {r} (allow_private = false)"))?;
        let mut attempt = 0;
        loop {
            let (reply, retry_after) = self.send_once(method.clone(), &url, swh).await?;
            if reply.status != 429 {
                return Ok(reply);
            }
            let wait = retry_after.unwrap_or(Duration::from_secs(1));
            if attempt >= RATE_LIMIT_RETRIES || wait > self.max_retry_after {
                return Err(format!(
                    "rate limited by {} (HTTP 429, Retry-After {} s)",
                    url.host_str().unwrap_or(""),
                    wait.as_secs()
                ));
            }
            attempt += 1;
            tokio::time::sleep(wait).await;
        }
    }

    async fn send_once(
        &self,
        method: reqwest::Method,
        url: &Url,
        swh: bool,
    ) -> Result<(Reply, Option<Duration>), String> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let mut req = self
            .http
            .request(method, url.clone())
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(t) = self.token.as_ref().filter(|_| swh) {
            req = req.bearer_auth(&t.0);
        }
        let timeout = self.config.timeout();
        let read = async {
            let mut resp = req.send().await.map_err(|e| describe(&e))?;
            let status = resp.status().as_u16();
            let retry_after = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            let mut body = Vec::new();
            while let Some(chunk) = resp.chunk().await.map_err(|e| describe(&e))? {
                if body.len() + chunk.len() > MAX_BODY {
                    return Err(format!("answer larger than {MAX_BODY} bytes"));
                }
                body.extend_from_slice(&chunk);
            }
            Ok((Reply { status, body }, retry_after))
        };
        tokio::time::timeout(timeout, read).await.map_err(|_| {
            format!(
                "no answer from {} within {} s",
                url.host_str().unwrap_or(""),
                timeout.as_secs()
            )
        })?
    }
}

/// `Retry-After` as seconds or an HTTP date (a date in the past is zero).
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
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

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn token_debug_is_redacted() {
        let t = Token::new("swh_SECRET_123").unwrap();
        assert!(!format!("{t:?}").contains("SECRET"));
        assert!(Token::new("  ").is_none());
        let c = ArchiveClient::new(&ArchiveConfig::default(), &CheckConfig::default(), Some(t))
            .unwrap();
        assert!(!format!("{c:?}").contains("SECRET"));
    }
}
