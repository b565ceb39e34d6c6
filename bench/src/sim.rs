//! The simulated web: one HTTP/1.1 server (hyper) listening on many loopback
//! addresses at one port, each address a distinct host, plus a github.com
//! page stand-in and a GitHub API stand-in, and (scenario 6) the other
//! forges' API and page stand-ins, answered by `crate::forges`.
//!
//! Owns: answers chosen by URL path, per-response latency, per-host request
//! counts and peak requests in flight, the github.com scraper rate limit, the
//! GraphQL/REST answers and API call counts. Never listens anywhere but
//! 127.0.0.0/8 and always stops by itself after `max_secs`.

use crate::forges;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue, LOCATION};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use regex::Regex;
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// The github.com page stand-in.
pub const GITHUB_IP: Ipv4Addr = Ipv4Addr::new(127, 0, 255, 1);
/// The GitHub API stand-in.
pub const API_IP: Ipv4Addr = Ipv4Addr::new(127, 0, 255, 2);
/// Most web hosts the address plan supports (third octet 255 is reserved).
pub const MAX_HOSTS: usize = 250 * 255;

/// Address of web host `i` (0-based): 127.0.0.1 ... 127.0.0.250, 127.0.1.1, ...
pub fn web_ip(i: usize) -> Ipv4Addr {
    assert!(i < MAX_HOSTS, "host index {i} beyond the address plan");
    Ipv4Addr::new(127, 0, (i / 250) as u8, (i % 250 + 1) as u8)
}

/// Inverse of `web_ip`.
pub fn web_index(ip: Ipv4Addr) -> Option<usize> {
    let o = ip.octets();
    if o[0] != 127 || o[1] != 0 || o[2] == 255 || o[3] == 0 || o[3] > 250 {
        return None;
    }
    Some(o[2] as usize * 250 + o[3] as usize - 1)
}

/// One web request in the timeline: start and end (microseconds since
/// the last reset), the host's index, and whether it was a HEAD.
type Span = (u64, u64, u32, bool);

#[derive(Clone, Debug)]
pub struct SimConfig {
    pub hosts: usize,
    pub port: u16,
    pub latency: Duration,
    pub github_latency: Duration,
    pub api_latency: Duration,
    /// Per answer of the scenario-6 forge stand-ins (APIs and pages).
    pub forge_latency: Duration,
    /// Hugging Face API calls per one-second window before 429s (0: none).
    pub hf_rate: u32,
    /// github.com pages allowed per one-second window before 429s.
    pub github_rate: u32,
    /// Retry-After (seconds) on the github.com 429.
    pub github_retry_after: u32,
    pub max_secs: u64,
    pub threads: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            hosts: 10,
            port: 0,
            latency: Duration::from_millis(0),
            github_latency: Duration::from_millis(50),
            api_latency: Duration::from_millis(300),
            forge_latency: Duration::from_millis(100),
            hf_rate: 0,
            github_rate: 10,
            github_retry_after: 1,
            max_secs: 600,
            threads: 1,
        }
    }
}

#[derive(Default)]
struct HostStats {
    in_flight: AtomicU64,
    peak: AtomicU64,
    requests: AtomicU64,
    head: AtomicU64,
}

#[derive(Default)]
struct GithubStats {
    pages: AtomicU64,
    root_pages: AtomicU64,
    deep_pages: AtomicU64,
    rate_limited: AtomicU64,
}

#[derive(Default)]
struct ApiStats {
    calls: AtomicU64,
    graphql: AtomicU64,
    graphql_aliases: AtomicU64,
    rest: AtomicU64,
    with_token: AtomicU64,
    peak: AtomicU64,
    in_flight: AtomicU64,
}

struct Sim {
    cfg: SimConfig,
    /// Web hosts 0..hosts, then github pages, then the API.
    hosts: Vec<HostStats>,
    github: GithubStats,
    api: ApiStats,
    /// Scenario 6's forge stand-ins and their counts.
    forges: forges::ForgeSim,
    /// URLs (host index + path) already answered once, for /r429 and /flaky.
    seen: Mutex<HashSet<(usize, String)>>,
    /// github.com rate window: (second since start, requests in it).
    gh_window: Mutex<(u64, u32)>,
    /// REST renames: repository id -> (owner, new name).
    renamed_ids: Mutex<HashMap<u64, (String, String)>>,
    start: Instant,
    /// Web requests since the last reset: (start, end) in microseconds
    /// since that reset; requests dropped unanswered are not recorded.
    timeline: Mutex<(Instant, Vec<Span>)>,
    shutdown_tx: watch::Sender<bool>,
}

/// Guard that keeps the in-flight count right even when a request is
/// dropped mid-way (client timeout on /hang).
struct InFlight<'a>(&'a AtomicU64);
impl<'a> InFlight<'a> {
    fn enter(cur: &'a AtomicU64, peak: &AtomicU64) -> Self {
        let now = cur.fetch_add(1, Relaxed) + 1;
        peak.fetch_max(now, Relaxed);
        InFlight(cur)
    }
}
impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Relaxed);
    }
}

pub(crate) type Resp = Response<Full<Bytes>>;

pub(crate) fn resp(status: u16, body: impl Into<Bytes>) -> Resp {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = StatusCode::from_u16(status).expect("valid status");
    r
}

pub(crate) fn html(status: u16, title: &str) -> Resp {
    let mut r = resp(
        status,
        format!(
            "<!doctype html><html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>\n"
        ),
    );
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

pub(crate) fn json_resp(status: u16, v: &Value) -> Resp {
    let mut r = resp(status, serde_json::to_vec(v).expect("json"));
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

pub(crate) fn with_header(mut r: Resp, name: &'static str, value: String) -> Resp {
    r.headers_mut()
        .insert(name, HeaderValue::from_str(&value).expect("header value"));
    r
}

#[derive(Clone, Copy)]
enum Host {
    Web(usize),
    Github,
    Api,
    /// Scenario 6: forge `i`'s API / web pages (`crate::forges`).
    ForgeApi(usize),
    ForgeWeb(usize),
}

impl Sim {
    fn stats_index(&self, h: Host) -> usize {
        match h {
            Host::Web(i) => i,
            Host::Github => self.cfg.hosts,
            Host::Api => self.cfg.hosts + 1,
            Host::ForgeApi(f) => self.cfg.hosts + 2 + f,
            Host::ForgeWeb(f) => self.cfg.hosts + 2 + forges::FORGES.len() + f,
        }
    }

    async fn handle(
        self: Arc<Self>,
        host: Host,
        req: Request<Incoming>,
    ) -> Result<Resp, Infallible> {
        let path = req.uri().path().to_string();
        if let Some(cmd) = path.strip_prefix("/__sim/") {
            return Ok(self.control(cmd));
        }
        let hs = &self.hosts[self.stats_index(host)];
        hs.requests.fetch_add(1, Relaxed);
        if req.method() == Method::HEAD {
            hs.head.fetch_add(1, Relaxed);
        }
        let _guard = InFlight::enter(&hs.in_flight, &hs.peak);
        let r = match host {
            Host::Web(i) => {
                let began = Instant::now();
                if !self.cfg.latency.is_zero() {
                    tokio::time::sleep(self.cfg.latency).await;
                }
                let r = self.web(i, req.method(), &path).await;
                let mut t = self.timeline.lock().unwrap();
                let epoch = t.0;
                let us = |at: Instant| at.saturating_duration_since(epoch).as_micros() as u64;
                let span = (
                    us(began),
                    us(Instant::now()),
                    i as u32,
                    req.method() == Method::HEAD,
                );
                t.1.push(span);
                r
            }
            Host::Github => {
                if !self.cfg.github_latency.is_zero() {
                    tokio::time::sleep(self.cfg.github_latency).await;
                }
                self.github_page(&path)
            }
            Host::Api => {
                let _g = InFlight::enter(&self.api.in_flight, &self.api.peak);
                self.api(req).await
            }
            Host::ForgeApi(f) => {
                if !self.cfg.forge_latency.is_zero() {
                    tokio::time::sleep(self.cfg.forge_latency).await;
                }
                let token = req.headers().contains_key("authorization");
                let window = (self.cfg.hf_rate, self.start.elapsed().as_secs());
                self.forges.api(f, &path, token, window)
            }
            Host::ForgeWeb(f) => {
                if !self.cfg.forge_latency.is_zero() {
                    tokio::time::sleep(self.cfg.forge_latency).await;
                }
                self.forges.page(f, &path)
            }
        };
        Ok(r)
    }

    fn control(&self, cmd: &str) -> Resp {
        match cmd {
            "stats" => json_resp(200, &self.snapshot()),
            // Every web request since the reset: [start µs, end µs, host, is HEAD].
            "timeline" => json_resp(200, &json!(self.timeline.lock().unwrap().1)),
            "reset" => {
                self.reset();
                json_resp(200, &json!({"reset": true}))
            }
            "shutdown" => {
                let _ = self.shutdown_tx.send(true);
                json_resp(200, &json!({"shutdown": true}))
            }
            _ => resp(404, "unknown control command\n"),
        }
    }

    fn reset(&self) {
        for h in &self.hosts {
            h.requests.store(0, Relaxed);
            h.head.store(0, Relaxed);
            h.peak.store(h.in_flight.load(Relaxed), Relaxed);
        }
        for c in [
            &self.github.pages,
            &self.github.root_pages,
            &self.github.deep_pages,
            &self.github.rate_limited,
        ] {
            c.store(0, Relaxed);
        }
        for c in [
            &self.api.calls,
            &self.api.graphql,
            &self.api.graphql_aliases,
            &self.api.rest,
            &self.api.with_token,
        ] {
            c.store(0, Relaxed);
        }
        self.api
            .peak
            .store(self.api.in_flight.load(Relaxed), Relaxed);
        self.forges.reset();
        self.seen.lock().unwrap().clear();
        *self.timeline.lock().unwrap() = (Instant::now(), Vec::new());
        *self.gh_window.lock().unwrap() = (0, 0);
    }

    fn snapshot(&self) -> Value {
        let web = &self.hosts[..self.cfg.hosts];
        let per_host: Vec<Value> = web
            .iter()
            .enumerate()
            .map(|(i, h)| {
                json!({
                    "host": web_ip(i).to_string(),
                    "requests": h.requests.load(Relaxed),
                    "head": h.head.load(Relaxed),
                    "peak_in_flight": h.peak.load(Relaxed),
                })
            })
            .collect();
        let gh = &self.hosts[self.cfg.hosts];
        json!({
            "elapsed_secs": self.start.elapsed().as_secs_f64(),
            "timeline": timeline_profile(&self.timeline.lock().unwrap().1.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>()),
            "web": {
                "hosts": self.cfg.hosts,
                "requests": web.iter().map(|h| h.requests.load(Relaxed)).sum::<u64>(),
                "head": web.iter().map(|h| h.head.load(Relaxed)).sum::<u64>(),
                "max_peak_in_flight": web.iter().map(|h| h.peak.load(Relaxed)).max().unwrap_or(0),
                "per_host": per_host,
            },
            "github_pages": {
                "requests": gh.requests.load(Relaxed),
                "peak_in_flight": gh.peak.load(Relaxed),
                "pages": self.github.pages.load(Relaxed),
                "root_pages": self.github.root_pages.load(Relaxed),
                "deep_pages": self.github.deep_pages.load(Relaxed),
                "rate_limited": self.github.rate_limited.load(Relaxed),
            },
            "api": {
                "calls": self.api.calls.load(Relaxed),
                "graphql": self.api.graphql.load(Relaxed),
                "graphql_aliases": self.api.graphql_aliases.load(Relaxed),
                "rest": self.api.rest.load(Relaxed),
                "with_token": self.api.with_token.load(Relaxed),
                "peak_in_flight": self.api.peak.load(Relaxed),
            },
            "forges": self.forges.snapshot(&self.hosts[self.cfg.hosts + 2..]
                .iter()
                .map(|h| (h.requests.load(Relaxed), h.peak.load(Relaxed)))
                .collect::<Vec<_>>()),
        })
    }

    /// First time this URL is asked for (per host), for /r429 and /flaky.
    fn first_time(&self, host: usize, path: &str) -> bool {
        self.seen.lock().unwrap().insert((host, path.to_string()))
    }

    async fn web(&self, host: usize, method: &Method, path: &str) -> Resp {
        let mut segs = path.trim_start_matches('/').splitn(3, '/');
        let kind = segs.next().unwrap_or("");
        match kind {
            "ok" => html(200, "ok"),
            "404" => html(404, "not found"),
            "410" => html(410, "gone"),
            "403" => html(403, "forbidden"),
            "500" => html(500, "server error"),
            "head405" => {
                if method == Method::HEAD {
                    html(405, "method not allowed")
                } else {
                    html(200, "ok after GET")
                }
            }
            "r301" | "r302" => {
                let depth: u32 = segs.next().and_then(|d| d.parse().ok()).unwrap_or(0);
                let rest = segs.next().unwrap_or("");
                if depth == 0 {
                    html(200, "redirect target")
                } else {
                    let code = if kind == "r301" { 301 } else { 302 };
                    with_header(
                        html(code, "moved"),
                        "location",
                        format!("/{kind}/{}/{rest}", depth - 1),
                    )
                }
            }
            "r429" => {
                if self.first_time(host, path) {
                    with_header(html(429, "too many requests"), "retry-after", "1".into())
                } else {
                    html(200, "ok after 429")
                }
            }
            "flaky" => {
                if self.first_time(host, path) {
                    html(503, "unavailable")
                } else {
                    html(200, "ok after 503")
                }
            }
            "hang" => {
                let mut rx = self.shutdown_tx.subscribe();
                let _ = rx.wait_for(|v| *v).await;
                html(503, "shutting down")
            }
            _ => html(404, "no such page"),
        }
    }

    /// github.com: HTML pages, rate-limited per one-second window like
    /// github.com treats scrapers.
    fn github_page(&self, path: &str) -> Resp {
        self.github.pages.fetch_add(1, Relaxed);
        {
            let sec = self.start.elapsed().as_secs();
            let mut w = self.gh_window.lock().unwrap();
            if w.0 != sec {
                *w = (sec, 0);
            }
            w.1 += 1;
            if w.1 > self.cfg.github_rate {
                self.github.rate_limited.fetch_add(1, Relaxed);
                let r = html(429, "Too Many Requests");
                return with_header(r, "retry-after", self.cfg.github_retry_after.to_string());
            }
        }
        let segs: Vec<&str> = path
            .trim_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .collect();
        if segs.len() < 2 {
            return html(200, "GitHub");
        }
        let (owner, name) = (segs[0], segs[1].trim_end_matches(".git"));
        if segs.len() == 2 {
            self.github.root_pages.fetch_add(1, Relaxed);
        } else {
            self.github.deep_pages.fetch_add(1, Relaxed);
        }
        match repo_kind(name) {
            RepoKind::Gone => html(404, "Page not found"),
            RepoKind::Renamed if segs.len() == 2 => {
                let mut r = html(301, "Moved Permanently");
                let loc = format!("/{owner}/{}", renamed_to(name));
                r.headers_mut()
                    .insert(LOCATION, HeaderValue::from_str(&loc).expect("location"));
                r
            }
            _ => html(200, &format!("{owner}/{name}")),
        }
    }

    async fn api(&self, req: Request<Incoming>) -> Resp {
        self.api.calls.fetch_add(1, Relaxed);
        if req.headers().contains_key("authorization") {
            self.api.with_token.fetch_add(1, Relaxed);
        }
        if !self.cfg.api_latency.is_zero() {
            tokio::time::sleep(self.cfg.api_latency).await;
        }
        let base = req
            .headers()
            .get("host")
            .and_then(|h| h.to_str().ok())
            .map(|h| format!("http://{h}"))
            .unwrap_or_default();
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        let used = self.api.calls.load(Relaxed);
        let reset = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 3600;
        let (resource, r) =
            if method == Method::POST && (path == "/graphql" || path == "/api/graphql") {
                self.api.graphql.fetch_add(1, Relaxed);
                let body = match req.into_body().collect().await {
                    Ok(b) => b.to_bytes(),
                    Err(_) => return resp(400, "unreadable body\n"),
                };
                ("graphql", self.graphql(&body))
            } else if method == Method::GET {
                self.api.rest.fetch_add(1, Relaxed);
                ("core", self.rest(&base, &path))
            } else {
                ("core", json_resp(404, &json!({"message": "Not Found"})))
            };
        let r = with_header(r, "x-ratelimit-limit", "5000".into());
        let r = with_header(
            r,
            "x-ratelimit-remaining",
            5000u64.saturating_sub(used).to_string(),
        );
        let r = with_header(r, "x-ratelimit-used", used.to_string());
        let r = with_header(r, "x-ratelimit-reset", reset.to_string());
        with_header(r, "x-ratelimit-resource", resource.into())
    }

    fn graphql(&self, body: &[u8]) -> Resp {
        let Ok(v) = serde_json::from_slice::<Value>(body) else {
            return json_resp(400, &json!({"message": "Problems parsing JSON"}));
        };
        let Some(query) = v.get("query").and_then(Value::as_str) else {
            return json_resp(
                400,
                &json!({"message": "A query attribute must be specified"}),
            );
        };
        let vars = v.get("variables").cloned().unwrap_or(Value::Null);
        let mut data = Map::new();
        let mut errors = Vec::new();
        for (alias, args) in repository_calls(query) {
            self.api.graphql_aliases.fetch_add(1, Relaxed);
            let owner = arg_value(&args, "owner", &vars).unwrap_or_default();
            let name = arg_value(&args, "name", &vars).unwrap_or_default();
            match repo_kind(&name) {
                RepoKind::Gone => {
                    data.insert(alias.clone(), Value::Null);
                    errors.push(json!({
                        "type": "NOT_FOUND",
                        "path": [alias],
                        "locations": [{"line": 1, "column": 1}],
                        "message": format!("Could not resolve to a Repository with the name '{owner}/{name}'."),
                    }));
                }
                _ => {
                    data.insert(alias, graphql_repo(&owner, &name));
                }
            }
        }
        if query.contains("rateLimit") {
            let used = self.api.calls.load(Relaxed);
            data.insert(
                "rateLimit".into(),
                json!({
                    "limit": 5000, "cost": 1, "used": used,
                    "remaining": 5000u64.saturating_sub(used),
                    "resetAt": rfc3339(SystemTime::now() + Duration::from_secs(3600)),
                    "nodeCount": data.len(),
                }),
            );
        }
        let mut out = Map::new();
        out.insert("data".into(), Value::Object(data));
        if !errors.is_empty() {
            out.insert("errors".into(), Value::Array(errors));
        }
        json_resp(200, &Value::Object(out))
    }

    fn rest(&self, base: &str, path: &str) -> Resp {
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        match segs.as_slice() {
            ["rate_limit"] => {
                let used = self.api.calls.load(Relaxed);
                let reset = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap()
                    .as_secs()
                    + 3600;
                let core = json!({"limit": 5000, "used": used, "remaining": 5000u64.saturating_sub(used), "reset": reset});
                json_resp(
                    200,
                    &json!({"resources": {"core": core, "graphql": core}, "rate": core}),
                )
            }
            ["repositories", id] => {
                let found = id
                    .parse::<u64>()
                    .ok()
                    .and_then(|id| self.renamed_ids.lock().unwrap().get(&id).cloned());
                match found {
                    Some((o, n)) => json_resp(200, &rest_repo(&o, &n)),
                    None => json_resp(404, &json!({"message": "Not Found"})),
                }
            }
            ["repos", owner, name, rest @ ..] => match repo_kind(name) {
                RepoKind::Gone => json_resp(
                    404,
                    &json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}),
                ),
                RepoKind::Renamed if rest.is_empty() => {
                    let new = renamed_to(name);
                    let id = repo_id(owner, &new);
                    self.renamed_ids
                        .lock()
                        .unwrap()
                        .insert(id, (owner.to_string(), new));
                    let url = format!("{base}/repositories/{id}");
                    let r = json_resp(301, &json!({"message": "Moved Permanently", "url": url}));
                    with_header(r, "location", url)
                }
                _ => {
                    let name = if repo_kind(name) == RepoKind::Renamed {
                        renamed_to(name)
                    } else {
                        name.to_string()
                    };
                    match rest {
                        [] => json_resp(200, &rest_repo(owner, &name)),
                        ["languages"] => json_resp(200, &json!({"Python": 123456, "Shell": 789})),
                        ["releases", "latest"] => json_resp(
                            200,
                            &json!({"tag_name": "v1.2.0", "published_at": "2025-03-01T12:00:00Z"}),
                        ),
                        ["commits"] => json_resp(
                            200,
                            &json!([{"sha": "0123456789abcdef0123456789abcdef01234567", "commit": {"committer": {"date": "2025-10-01T12:00:00Z"}, "author": {"date": "2025-10-01T12:00:00Z"}}}]),
                        ),
                        _ => json_resp(404, &json!({"message": "Not Found"})),
                    }
                }
            },
            _ => json_resp(404, &json!({"message": "Not Found"})),
        }
    }
}

/// What the stand-ins make of a repository name (the corpus generator
/// picks names by these prefixes so expected statuses are known).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RepoKind {
    Normal,
    /// `gone-*`: deleted (GraphQL NOT_FOUND, REST 404, page 404).
    Gone,
    /// `old-*`: renamed to `new-*` (nameWithOwner changes, REST 301, page 301).
    Renamed,
    /// `arch-*`: archived, otherwise normal.
    Archived,
}

/// Where the time of a run went, from the web requests' (start, end) in µs:
/// first request, last answer, mean requests in flight over that span and
/// per tenth of it (a start-up gap or a thin tail shows up here).
pub fn timeline_profile(spans: &[(u64, u64)]) -> Value {
    let (Some(first), Some(last)) = (
        spans.iter().map(|s| s.0).min(),
        spans.iter().map(|s| s.1).max(),
    ) else {
        return Value::Null;
    };
    let span = (last - first).max(1) as f64;
    let busy: u64 = spans.iter().map(|(a, b)| b - a).sum();
    let mut tenths = [0f64; 10];
    for &(a, b) in spans {
        for (i, t) in tenths.iter_mut().enumerate() {
            let lo = first as f64 + span * i as f64 / 10.0;
            let hi = lo + span / 10.0;
            let overlap = (b as f64).min(hi) - (a as f64).max(lo);
            if overlap > 0.0 {
                *t += overlap / (span / 10.0);
            }
        }
    }
    json!({
        "first_request_secs": first as f64 / 1e6,
        "last_answer_secs": last as f64 / 1e6,
        "mean_in_flight": busy as f64 / span,
        "mean_in_flight_per_tenth": tenths.iter().map(|t| (t * 10.0).round() / 10.0).collect::<Vec<_>>(),
        "mean_request_ms": busy as f64 / spans.len() as f64 / 1e3,
    })
}

pub fn repo_kind(name: &str) -> RepoKind {
    if name.starts_with("gone-") {
        RepoKind::Gone
    } else if name.starts_with("old-") {
        RepoKind::Renamed
    } else if name.starts_with("arch-") {
        RepoKind::Archived
    } else {
        RepoKind::Normal
    }
}

pub fn renamed_to(name: &str) -> String {
    format!("new-{}", name.strip_prefix("old-").unwrap_or(name))
}

pub(crate) fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

fn repo_id(owner: &str, name: &str) -> u64 {
    fnv(&format!("{owner}/{name}")) % 900_000_000 + 100_000_000
}

pub(crate) fn rfc3339(t: SystemTime) -> String {
    // Days-from-civil inverse (Howard Hinnant), enough for a UTC timestamp.
    let secs = t.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86400), secs.rem_euclid(86400));
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A plausible GraphQL `Repository` object with every field a client may ask.
fn graphql_repo(owner: &str, name: &str) -> Value {
    let kind = repo_kind(name);
    let name = if kind == RepoKind::Renamed {
        renamed_to(name)
    } else {
        name.to_string()
    };
    let h = fnv(&format!("{owner}/{name}"));
    let stars = h % 40_000;
    let full = format!("{owner}/{name}");
    json!({
        "id": format!("R_kgDO{h:x}"),
        "databaseId": repo_id(owner, &name),
        "name": name,
        "owner": {"login": owner},
        "nameWithOwner": full,
        "url": format!("https://github.com/{full}"),
        "description": "A simulated repository",
        "homepageUrl": null,
        "stargazerCount": stars,
        "stargazers": {"totalCount": stars},
        "forkCount": stars / 7,
        "watchers": {"totalCount": stars / 30 + 1},
        "issues": {"totalCount": h % 97},
        "licenseInfo": {"spdxId": if h.is_multiple_of(3) { "Apache-2.0" } else { "MIT" }, "name": "License", "key": "mit"},
        "primaryLanguage": {"name": "Python"},
        "languages": {"totalCount": 2, "nodes": [{"name": "Python"}, {"name": "Shell"}]},
        "createdAt": "2021-06-01T10:00:00Z",
        "pushedAt": if h.is_multiple_of(5) { "2023-01-15T10:00:00Z" } else { "2025-10-01T10:00:00Z" },
        "updatedAt": "2025-10-01T10:00:00Z",
        "isArchived": kind == RepoKind::Archived,
        "isFork": false,
        "isEmpty": false,
        "isPrivate": false,
        "isDisabled": false,
        "diskUsage": 1234,
        "latestRelease": if h.is_multiple_of(2) { json!({"tagName": "v1.2.0", "name": "v1.2.0", "publishedAt": "2025-03-01T12:00:00Z"}) } else { Value::Null },
        "defaultBranchRef": {
            "name": "main",
            "target": {
                "oid": "0123456789abcdef0123456789abcdef01234567",
                "committedDate": "2025-10-01T10:00:00Z",
                "history": {"totalCount": h % 40},
            }
        },
    })
}

fn rest_repo(owner: &str, name: &str) -> Value {
    let full = format!("{owner}/{name}");
    let h = fnv(&full);
    let stars = h % 40_000;
    json!({
        "id": repo_id(owner, name),
        "name": name,
        "full_name": full,
        "owner": {"login": owner},
        "html_url": format!("https://github.com/{full}"),
        "url": format!("https://api.github.com/repos/{full}"),
        "description": "A simulated repository",
        "fork": false,
        "archived": repo_kind(name) == RepoKind::Archived,
        "disabled": false,
        "private": false,
        "size": 1234,
        "stargazers_count": stars,
        "watchers_count": stars,
        "subscribers_count": stars / 30 + 1,
        "forks_count": stars / 7,
        "open_issues_count": h % 97,
        "license": {"spdx_id": "MIT", "key": "mit", "name": "MIT License"},
        "language": "Python",
        "default_branch": "main",
        "created_at": "2021-06-01T10:00:00Z",
        "pushed_at": "2025-10-01T10:00:00Z",
        "updated_at": "2025-10-01T10:00:00Z",
    })
}

static REPO_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)([A-Za-z_][A-Za-z0-9_]*)\s*:\s*repository\s*\(([^)]*)\)").unwrap()
});

/// `(alias, argument text)` for each `alias: repository(...)` in a query.
pub fn repository_calls(query: &str) -> Vec<(String, String)> {
    REPO_CALL
        .captures_iter(query)
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect()
}

/// The value of argument `key` in `owner: "a", name: $n0`: a string
/// literal (JSON-style escapes) or a variable looked up in `vars`.
pub fn arg_value(args: &str, key: &str, vars: &Value) -> Option<String> {
    let re = Regex::new(&format!(
        r#"(?:^|[\s,(]){key}\s*:\s*("(?:[^"\\]|\\.)*"|\$[A-Za-z_][A-Za-z0-9_]*)"#
    ))
    .ok()?;
    let v = re.captures(args)?.get(1)?.as_str();
    if let Some(var) = v.strip_prefix('$') {
        vars.get(var).and_then(Value::as_str).map(str::to_string)
    } else {
        serde_json::from_str::<String>(v).ok()
    }
}

/// Binds every address, prints `{"port": P}` on stdout, serves until
/// shutdown (control request, SIGTERM/SIGINT, or `max_secs`), then prints
/// the final stats JSON (and writes it to `stats_out`) and exits.
pub fn run(cfg: SimConfig, stats_out: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    anyhow::ensure!(
        cfg.hosts >= 1 && cfg.hosts <= MAX_HOSTS,
        "--hosts must be 1..={MAX_HOSTS}"
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cfg.threads.max(1))
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let (sim, listeners) = bind(cfg).await?;
        println!("{}", json!({"port": sim.cfg.port}));
        use std::io::Write;
        std::io::stdout().flush()?;
        let mut rx = sim.shutdown_tx.subscribe();
        serve(sim.clone(), listeners);
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            _ = rx.wait_for(|v| *v) => {}
            _ = tokio::time::sleep(Duration::from_secs(sim.cfg.max_secs)) => {
                eprintln!("sim: max duration of {} s reached, stopping", sim.cfg.max_secs);
            }
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        let _ = sim.shutdown_tx.send(true);
        let stats = serde_json::to_string_pretty(&sim.snapshot())?;
        if let Some(p) = stats_out {
            std::fs::write(p, &stats)?;
        }
        println!("{stats}");
        std::io::stdout().flush()?;
        anyhow::Ok(())
    })?;
    // Hanging connections are abandoned, not awaited.
    std::process::exit(0);
}

type Listeners = Vec<(Host, TcpListener)>;

async fn bind(mut cfg: SimConfig) -> anyhow::Result<(Arc<Sim>, Listeners)> {
    let mut listeners = Vec::with_capacity(cfg.hosts + 2);
    // The API host first: with port 0 it picks the port all others share.
    let api = TcpListener::bind(SocketAddr::from((API_IP, cfg.port))).await?;
    cfg.port = api.local_addr()?.port();
    listeners.push((Host::Api, api));
    listeners.push((
        Host::Github,
        TcpListener::bind(SocketAddr::from((GITHUB_IP, cfg.port))).await?,
    ));
    for f in 0..forges::FORGES.len() {
        for (host, ip) in [
            (Host::ForgeApi(f), forges::api_ip(f)),
            (Host::ForgeWeb(f), forges::web_ip(f)),
        ] {
            listeners.push((
                host,
                TcpListener::bind(SocketAddr::from((ip, cfg.port))).await?,
            ));
        }
    }
    for i in 0..cfg.hosts {
        let addr = SocketAddr::from((web_ip(i), cfg.port));
        let l = TcpListener::bind(addr)
            .await
            .map_err(|e| anyhow::anyhow!("binding {addr}: {e}"))?;
        listeners.push((Host::Web(i), l));
    }
    let (shutdown_tx, _) = watch::channel(false);
    let sim = Arc::new(Sim {
        hosts: (0..cfg.hosts + 2 + 2 * forges::FORGES.len())
            .map(|_| HostStats::default())
            .collect(),
        forges: forges::ForgeSim::default(),
        github: GithubStats::default(),
        api: ApiStats::default(),
        seen: Mutex::new(HashSet::new()),
        gh_window: Mutex::new((0, 0)),
        renamed_ids: Mutex::new(HashMap::new()),
        start: Instant::now(),
        timeline: Mutex::new((Instant::now(), Vec::new())),
        shutdown_tx,
        cfg,
    });
    Ok((sim, listeners))
}

fn serve(sim: Arc<Sim>, listeners: Listeners) {
    for (host, listener) in listeners {
        let sim = sim.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    // EMFILE and friends: back off a little, keep serving.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let sim = sim.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req| sim.clone().handle(host, req));
                    let _ = http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
    }
}

/// Starts a simulator inside the current tokio runtime (for tests); returns
/// the port and a sender that stops it.
pub async fn start_in_process(cfg: SimConfig) -> anyhow::Result<(u16, watch::Sender<bool>)> {
    let (sim, listeners) = bind(cfg).await?;
    let port = sim.cfg.port;
    let tx = sim.shutdown_tx.clone();
    serve(sim, listeners);
    Ok((port, tx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_plan_round_trips() {
        for i in [0, 1, 49, 249, 250, 1999, MAX_HOSTS - 1] {
            assert_eq!(web_index(web_ip(i)), Some(i), "{i}");
        }
        assert_eq!(web_ip(0), Ipv4Addr::new(127, 0, 0, 1));
        assert_eq!(web_ip(250), Ipv4Addr::new(127, 0, 1, 1));
        assert_eq!(web_index(GITHUB_IP), None);
    }

    #[test]
    fn graphql_aliases_with_literals_and_variables() {
        let q = r#"query($o1: String!, $n1: String!) { rateLimit { remaining resetAt cost }
            r0: repository(owner: "a\"b", name: "c") { ...R }
            r1: repository(name: $n1, owner: $o1) { nameWithOwner } }"#;
        let calls = repository_calls(q);
        assert_eq!(calls.len(), 2);
        let vars = json!({"o1": "x", "n1": "y"});
        assert_eq!(
            arg_value(&calls[0].1, "owner", &vars).as_deref(),
            Some("a\"b")
        );
        assert_eq!(arg_value(&calls[0].1, "name", &vars).as_deref(), Some("c"));
        assert_eq!(arg_value(&calls[1].1, "owner", &vars).as_deref(), Some("x"));
        assert_eq!(arg_value(&calls[1].1, "name", &vars).as_deref(), Some("y"));
    }

    #[test]
    fn timeline_profile_measures_span_concurrency_and_tail() {
        assert!(timeline_profile(&[]).is_null());
        // Two requests side by side for the first half of a 1 s span, one
        // alone for the second half.
        let p = timeline_profile(&[(0, 500_000), (0, 500_000), (500_000, 1_000_000)]);
        assert_eq!(p["first_request_secs"], json!(0.0));
        assert_eq!(p["last_answer_secs"], json!(1.0));
        assert!((p["mean_in_flight"].as_f64().unwrap() - 1.5).abs() < 1e-9);
        let tenths: Vec<f64> = p["mean_in_flight_per_tenth"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(tenths, [2.0, 2.0, 2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
        assert!((p["mean_request_ms"].as_f64().unwrap() - 500.0).abs() < 1e-9);
    }

    #[test]
    fn rfc3339_formats_epoch_and_a_leap_day() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
    }
}
