//! Checking: requests links over HTTP and turns every answer (or its
//! absence) into a `LinkResult`.
//!
//! Owns the HTTP client, the scheduler (global and per-host limits), retries
//! with backoff, `Retry-After`, redirects, `remap`, `exclude`, and the
//! private-address guard. Never parses inputs, never talks to the GitHub API,
//! never writes reports.
//!
//! Submodules: `scheduler` (which job runs next), `client` (the requests of
//! one job), `classify` (answers -> statuses), `retry` (backoff and
//! `Retry-After`), `guard` (non-public addresses, the DNS filter and the
//! per-run DNS cache), `circuit` (silent hosts and the offline early stop).
//! [`Checker::check_pages`] hands the bodies of chosen 2xx HTML answers to
//! the caller's reader (project pages, `[follow]`); the checker never
//! parses them.
//!
//! Decisions worth knowing:
//! - GET by default (`method = "get"`): one round trip per hop, the answer a
//!   browser gets; a body is read only when it is small and sized, so the
//!   connection can be reused, else dropped after the headers.
//!   `method = "head"`: HEAD first; GET after a HEAD answer in
//!   [`HEAD_FALLBACK`]. A host that answers HEAD with 405 or 501 gets GET
//!   directly for its later links; a host whose HEAD 404/410 a GET confirmed
//!   once is trusted for later ones.
//! - A 2xx reached through at least one 301/308 to a different URL is
//!   `redirected`; through temporary redirects only (302/303/307) it is
//!   `ok`. In both cases `final_url` holds where the chain ended.
//! - URLs longer than [`MAX_URL_LEN`] bytes are `invalid` (servers commonly
//!   refuse more than 8 KiB of request line).
//! - `remap`: the first rule whose regex matches is applied; `exclude` is
//!   tested on the URL before and after remap.
//! - A request that fails with "connection closed before the answer" or
//!   "connection reset" on a host that answered before (so the connection
//!   may have been a pooled one the server had just closed) is sent once
//!   more at once through a client without a pool; it is not a retry.

mod circuit;
mod classify;
mod client;
pub mod fetch;
pub mod guard;
mod retry;
mod scheduler;

pub use classify::{HEAD_FALLBACK, TlsKind};
pub use client::BODY_PEEK;
pub use guard::{AddressGuard, GuardResolver as Resolver, IpRange, Lookup};

use crate::config::{CheckConfig, parse_remap_rule};
use crate::error::Error;
use crate::model::{LinkResult, Status};
use regex::Regex;
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use url::Url;

/// Longest URL we request, in bytes; longer ones are `invalid`.
pub const MAX_URL_LEN: usize = 8 * 1024;

/// How long in-flight requests may still finish after shutdown.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// A configured link checker; clones share one client, DNS cache and
/// circuit state.
#[derive(Clone)]
pub struct Checker {
    inner: Arc<Inner>,
}

/// Everything a running check needs, shared by all tasks.
pub(crate) struct Inner {
    pub(crate) config: CheckConfig,
    pub(crate) client: reqwest::Client,
    /// The same client without a connection pool: every request on a new
    /// connection (for the one resend after a reused connection was lost).
    pub(crate) fresh_client: reqwest::Client,
    /// Which hosts answered, which stay silent; is the network there at all.
    circuits: Mutex<circuit::Circuits>,
    pub(crate) guard: Arc<AddressGuard>,
    /// The run's resolver: one DNS answer per name, filtered by the guard.
    resolver: guard::GuardResolver,
    /// `[check] exclude`, matched in one pass over each URL.
    excludes: regex::RegexSet,
    remaps: Vec<(Regex, String)>,
    pub(crate) backoff_base: Duration,
    pub(crate) shutdown_grace: Duration,
    /// Hosts that answered HEAD with 405/501: later links there use GET.
    head_refused: Mutex<HashSet<String>>,
    /// Hosts whose HEAD 404/410 was confirmed once by GET: trusted since.
    head_honest: Mutex<HashSet<String>>,
}

/// A URL ready to request: after remap, with its per-host key.
pub(crate) struct Target {
    pub(crate) url: Url,
    pub(crate) host: String,
}

/// The per-host key: the URL host, lowercase, without a trailing dot.
pub(crate) fn host_key(url: &Url) -> String {
    guard::normalize_name(url.host_str().unwrap_or(""))
}

/// Builds a [`Checker`] with settings that are not user configuration
/// (test hooks: DNS overrides, which ranges are private, short waits).
pub struct CheckerBuilder {
    config: CheckConfig,
    overrides: HashMap<String, Vec<SocketAddr>>,
    lookup: Option<Lookup>,
    private_ranges: Option<Vec<IpRange>>,
    backoff_base: Duration,
    shutdown_grace: Duration,
    proxy: Option<crate::proxy::ProxySettings>,
}

impl CheckerBuilder {
    /// Use these proxy settings instead of reading the environment and
    /// `[check] proxy` (tests pass their own).
    #[doc(hidden)]
    pub fn proxy(mut self, settings: crate::proxy::ProxySettings) -> Self {
        self.proxy = Some(settings);
        self
    }

    /// Resolve `name` to `addr` instead of asking DNS. The answer still goes
    /// through the private-address guard (unlike reqwest's own
    /// `ClientBuilder::resolve`). A port in `addr` is used when the URL has
    /// none.
    #[doc(hidden)]
    pub fn resolve_override(mut self, name: &str, addr: SocketAddr) -> Self {
        self.overrides
            .entry(guard::normalize_name(name))
            .or_default()
            .push(addr);
        self
    }

    /// Resolve names with `lookup` instead of the system resolver (tests use
    /// it for resolvers that fail or count). Answers are still kept per run
    /// and go through the guard.
    #[doc(hidden)]
    pub fn dns_lookup(mut self, lookup: Lookup) -> Self {
        self.lookup = Some(lookup);
        self
    }

    /// Replace the built-in non-public ranges (tests use this to let one
    /// loopback address play a public host).
    #[doc(hidden)]
    pub fn private_ranges(mut self, ranges: Vec<IpRange>) -> Self {
        self.private_ranges = Some(ranges);
        self
    }

    /// First retry backoff (doubled per attempt); default 500 ms.
    #[doc(hidden)]
    pub fn backoff_base(mut self, base: Duration) -> Self {
        self.backoff_base = base;
        self
    }

    /// Grace for in-flight requests after shutdown; default [`SHUTDOWN_GRACE`].
    #[doc(hidden)]
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }

    pub fn build(self) -> Result<Checker, Error> {
        let config = self.config;
        let config_error = |message: String| Error::Config {
            path: PathBuf::from("[check]"),
            message,
        };
        for r in &config.exclude {
            // Names the faulty rule (a set's error would not say which).
            Regex::new(r).map_err(|e| config_error(format!("exclude `{r}`: {e}")))?;
        }
        let excludes = regex::RegexSet::new(&config.exclude)
            .map_err(|e| config_error(format!("exclude: {e}")))?;
        let remaps = config
            .remap
            .iter()
            .map(|r| parse_remap_rule(r).map_err(|e| config_error(format!("remap `{r}`: {e}"))))
            .collect::<Result<Vec<_>, _>>()?;
        let guard = Arc::new(match self.private_ranges {
            Some(ranges) => AddressGuard::with_ranges(config.allow_private, ranges),
            None => AddressGuard::new(config.allow_private),
        });
        let proxy = match self.proxy {
            Some(p) => p,
            None => crate::proxy::ProxySettings::from_env(config.proxy.as_deref())
                .map_err(config_error)?,
        };
        let resolver =
            guard::GuardResolver::new(guard.clone(), self.overrides, self.lookup, proxy.hosts());
        let client = client::build_client(&config, resolver.clone(), &proxy, true)?;
        let fresh_client = client::build_client(&config, resolver.clone(), &proxy, false)?;
        Ok(Checker {
            inner: Arc::new(Inner {
                config,
                client,
                fresh_client,
                circuits: Mutex::default(),
                guard,
                resolver,
                excludes,
                remaps,
                backoff_base: self.backoff_base,
                shutdown_grace: self.shutdown_grace,
                head_refused: Mutex::new(HashSet::new()),
                head_honest: Mutex::new(HashSet::new()),
            }),
        })
    }
}

impl Checker {
    pub fn new(config: &CheckConfig) -> Result<Checker, Error> {
        Checker::builder(config).build()
    }

    pub fn builder(config: &CheckConfig) -> CheckerBuilder {
        CheckerBuilder {
            config: config.clone(),
            overrides: HashMap::new(),
            lookup: None,
            private_ranges: None,
            backoff_base: retry::DEFAULT_BACKOFF_BASE,
            shutdown_grace: SHUTDOWN_GRACE,
            proxy: None,
        }
    }

    /// The run's DNS resolver (its one cache per name and the
    /// private-address guard), for every other client of the run to share.
    pub fn resolver(&self) -> Resolver {
        self.inner.resolver.clone()
    }

    /// A result decided without any request: `excluded` (exclude rule, or a
    /// literal private address) or `invalid`. `None` means "request it".
    pub fn precheck(&self, url: &str) -> Option<LinkResult> {
        self.inner.prepare(url).err()
    }

    /// The per-host key `url` is scheduled under: its host after `remap`,
    /// normalised (`crate::http::normalize_host`); for a URL the checker
    /// would not request, its own host (`""` without one). Shards own
    /// links by this key, so one host's requests stay in one process.
    pub fn host_key(&self, url: &str) -> String {
        match self.inner.prepare(url) {
            Ok(t) => t.host,
            Err(_) => crate::shard::host_key(url),
        }
    }

    /// The URL that would be requested for `url` (after `remap`), if any.
    pub fn remapped(&self, url: &str) -> Option<String> {
        self.inner.prepare(url).ok().map(|t| t.url.to_string())
    }

    /// Fetches a remote input document with the same remap and address
    /// rules as links and a size cap; the error is a one-line reason.
    pub async fn fetch_document(
        &self,
        url: &str,
        max_bytes: usize,
    ) -> Result<fetch::Document, fetch::FetchError> {
        fetch::fetch(&self.inner, url, max_bytes).await
    }

    /// Checks every job `(id, url)` with bounded concurrency (global and per
    /// host) and calls `on_result` as each finishes, in completion order.
    /// Jobs that `precheck` decides are reported at once without a request.
    /// Duplicate URLs are not merged here (the pipeline deduplicates).
    /// When `shutdown` fires, no new request starts; in-flight requests get
    /// a short grace ([`SHUTDOWN_GRACE`]) and are then dropped; jobs without
    /// a result are simply not reported (the caller marks them `unchecked`).
    pub async fn check_all(
        &self,
        jobs: Vec<(u32, String)>,
        shutdown: CancellationToken,
        on_result: &mut (dyn FnMut(u32, LinkResult) + Send),
    ) {
        scheduler::run(self.inner.clone(), (jobs, None), None, shutdown, on_result).await
    }

    /// [`check_all`](Self::check_all), keeping the pages of the jobs named
    /// in `pages`: such a job is asked with GET whatever `method` says, and
    /// when its answer is 2xx with an HTML content type, up to
    /// `pages.max_bytes` of the body this GET reads anyway are handed to
    /// `pages.read`, whose links land in the result's `page_links` (empty
    /// for any other 2xx answer). No request is added for it.
    pub async fn check_pages(
        &self,
        jobs: Vec<(u32, String)>,
        pages: Pages,
        shutdown: CancellationToken,
        on_result: &mut (dyn FnMut(u32, LinkResult) + Send),
    ) {
        let run = (jobs, None);
        scheduler::run(
            self.inner.clone(),
            run,
            Some(Arc::new(pages)),
            shutdown,
            on_result,
        )
        .await
    }

    /// [`check_all`](Self::check_all) over jobs that keep coming: every
    /// [`Feed`] received until `feed` closes is scheduled as it arrives, so
    /// requests start while the caller is still finding links (the
    /// pipeline's streaming start). The caller bounds the channel. With
    /// `Feed::Pages`, fresh jobs started from then on keep the pages it
    /// names. When the run stops (shutdown, or the network looks
    /// unreachable) the feed is still read to its end: a job fed later
    /// gets what it would have got in a `check_all` list.
    pub async fn check_feed(
        &self,
        feed: tokio::sync::mpsc::Receiver<Feed>,
        shutdown: CancellationToken,
        on_result: &mut (dyn FnMut(u32, LinkResult) + Send),
    ) {
        let run = (Vec::new(), Some(feed));
        scheduler::run(self.inner.clone(), run, None, shutdown, on_result).await
    }
}

/// What [`Checker::check_feed`] is fed.
pub enum Feed {
    /// One more job `(id, url)`.
    Job(u32, String),
    /// From now on, fresh jobs named in these pages keep their page.
    Pages(Arc<Pages>),
}

/// What the caller does with a page body: the links it wants kept, given
/// the job's id, the URL the body came from (after redirects and remap) and
/// the body (at most `max_bytes`, possibly cut). The checker never looks
/// inside a body itself.
pub type PageReader = dyn Fn(u32, &Url, &[u8]) -> Vec<String> + Send + Sync;

/// Which jobs of [`Checker::check_pages`] keep their page, and how much of it.
pub struct Pages {
    pub ids: HashSet<u32>,
    pub max_bytes: usize,
    pub read: Box<PageReader>,
}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("ids", &self.ids.len())
            .field("max_bytes", &self.max_bytes)
            .finish_non_exhaustive()
    }
}

impl Pages {
    /// True for a response whose body is worth handing over: 2xx, HTML.
    pub(crate) fn wants(response: &reqwest::Response) -> bool {
        response.status().is_success()
            && response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(|v| {
                    v.split(';')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_ascii_lowercase()
                })
                .is_some_and(|t| t == "text/html" || t == "application/xhtml+xml")
    }
}

impl Inner {
    pub(crate) fn head_refused_by(&self, url: &Url) -> bool {
        let set = self.head_refused.lock().unwrap_or_else(|e| e.into_inner());
        !set.is_empty() && set.contains(&host_key(url))
    }

    pub(crate) fn head_honest(&self, url: &Url) -> bool {
        let set = self.head_honest.lock().unwrap_or_else(|e| e.into_inner());
        !set.is_empty() && set.contains(&host_key(url))
    }

    pub(crate) fn remember_head_honest(&self, url: &Url) {
        self.head_honest
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(host_key(url));
    }

    fn circuits(&self) -> std::sync::MutexGuard<'_, circuit::Circuits> {
        self.circuits.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn record(&self, host: &str, outcome: circuit::Outcome) {
        self.circuits().record(host, outcome)
    }

    /// True when `host` answered at least once in this run.
    pub(crate) fn answered(&self, host: &str) -> bool {
        self.circuits().answered(host)
    }

    /// `Some((status, reason))` when links to `host` are no longer requested.
    pub(crate) fn cut_off(&self, host: &str) -> Option<(Status, String)> {
        self.circuits().cut_off(host)
    }

    /// `Some(reason)` when the network looks unreachable: no new request
    /// should start.
    pub(crate) fn offline_suspected(&self) -> Option<String> {
        let c = self.circuits();
        c.offline_suspected().then(|| c.offline_reason())
    }

    pub(crate) fn remember_head_refused(&self, url: &Url) {
        self.head_refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(host_key(url));
    }

    /// The first `[check] exclude` rule (in config order) matching `url`.
    fn exclude_rule(&self, url: &str) -> Option<&str> {
        let first = self.excludes.matches(url).into_iter().next()?;
        Some(self.excludes.patterns()[first].as_str())
    }

    /// Applies length cap, exclude, remap, URL parsing and the literal-address
    /// guard. `Err` carries the decided result (a whole `LinkResult`, built
    /// once per URL and kept: boxing it would only add an allocation).
    #[allow(clippy::result_large_err)]
    pub(crate) fn prepare(&self, url: &str) -> Result<Target, LinkResult> {
        #[allow(clippy::result_large_err)]
        let decided = |status, msg: String| Err(LinkResult::without_request(status, msg));
        if url.len() > MAX_URL_LEN {
            return decided(
                Status::Invalid,
                format!(
                    "URL is {} bytes long, over the {MAX_URL_LEN}-byte limit",
                    url.len()
                ),
            );
        }
        if let Some(rule) = self.exclude_rule(url) {
            return decided(Status::Excluded, format!("matches exclude rule `{rule}`"));
        }
        let mut target = url.trim().to_string();
        if let Some((re, rep)) = self.remaps.iter().find(|(re, _)| re.is_match(&target)) {
            target = re.replace(&target, rep.as_str()).into_owned();
            if target.len() > MAX_URL_LEN {
                return decided(
                    Status::Invalid,
                    format!("remapped URL is over the {MAX_URL_LEN}-byte limit"),
                );
            }
            if let Some(rule) = self.exclude_rule(&target) {
                return decided(
                    Status::Excluded,
                    format!("remapped URL {target} matches exclude rule `{rule}`"),
                );
            }
        }
        let mut parsed = match Url::parse(&target) {
            Ok(u) => u,
            Err(e) => return decided(Status::Invalid, format!("unparsable URL: {e}")),
        };
        if !matches!(parsed.scheme(), "http" | "https") {
            return decided(
                Status::Invalid,
                format!(
                    "unsupported scheme `{}:` (only http and https)",
                    parsed.scheme()
                ),
            );
        }
        let Some(host) = parsed.host() else {
            return decided(Status::Invalid, "URL has no host".into());
        };
        if let Err(reason) = self.guard.check_host(&host) {
            return decided(
                Status::Excluded,
                format!("private address: {reason} (allow_private = false)"),
            );
        }
        parsed.set_fragment(None);
        let host = host_key(&parsed);
        Ok(Target { url: parsed, host })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checker(f: impl FnOnce(&mut CheckConfig)) -> Checker {
        let mut c = CheckConfig::default();
        f(&mut c);
        Checker::new(&c).unwrap()
    }

    #[test]
    fn precheck_invalid_and_excluded() {
        let c = checker(|c| c.exclude = vec!["^https://skip\\.example/".into()]);
        let st = |u: &str| c.precheck(u).map(|r| r.status);
        assert_eq!(st("ftp://example.org/x"), Some(Status::Invalid));
        assert_eq!(st("javascript:alert(1)"), Some(Status::Invalid));
        assert_eq!(st("not a url"), Some(Status::Invalid));
        assert_eq!(st("http://"), Some(Status::Invalid));
        let long = format!("https://example.org/{}", "a".repeat(MAX_URL_LEN));
        let r = c.precheck(&long).unwrap();
        assert_eq!(r.status, Status::Invalid);
        assert!(r.error.contains("8192"), "{}", r.error);
        let r = c.precheck("https://skip.example/x").unwrap();
        assert_eq!(r.status, Status::Excluded);
        assert!(r.error.contains("exclude"));
        for u in [
            "http://127.0.0.1:8080/",
            "http://[::1]/",
            "http://10.0.0.5/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::ffff:192.168.0.1]/",
            "http://0x7f.1/",
            "http://2130706433/",
            "http://localhost:3000/",
        ] {
            let r = c.precheck(u).unwrap_or_else(|| panic!("{u} not decided"));
            assert_eq!(r.status, Status::Excluded, "{u}");
            assert!(r.error.contains("private"), "{u}: {}", r.error);
        }
        assert_eq!(st("https://github.com/org/repo"), None);
        assert_eq!(st("https://example.org/a#frag"), None);
    }

    #[test]
    fn allow_private_lets_loopback_through() {
        let c = checker(|c| c.allow_private = true);
        assert!(c.precheck("http://127.0.0.1:8080/").is_none());
        assert!(c.precheck("http://localhost/").is_none());
    }

    #[test]
    fn remap_applies_first_matching_rule() {
        let c = checker(|c| {
            c.remap = vec![
                "^https://old\\.example/(.*) https://new.example/$1".into(),
                "^https://new\\.example/(.*) https://never.example/$1".into(),
            ];
            c.exclude = vec!["^https://gone\\.example/".into()];
        });
        assert_eq!(
            c.remapped("https://old.example/a/b").as_deref(),
            Some("https://new.example/a/b")
        );
        let c2 = checker(|c| {
            c.remap = vec!["^https://old\\.example/(.*) https://gone.example/$1".into()];
            c.exclude = vec!["^https://gone\\.example/".into()];
        });
        assert_eq!(
            c2.precheck("https://old.example/x").map(|r| r.status),
            Some(Status::Excluded)
        );
    }

    #[test]
    fn bad_user_agent_is_a_client_error() {
        let c = CheckConfig {
            user_agent: "bad\nagent".into(),
            ..CheckConfig::default()
        };
        assert!(Checker::new(&c).is_err());
    }
}
