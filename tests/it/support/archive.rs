//! A stand-in for both archives on 127.0.0.1, answering as the real
//! services do:
//!
//! - Software Heritage (swh-web `swh/web/api/views/origin.py`):
//!   `GET /api/1/origin/{url}/get/` matches the origin exactly (`api_origin`
//!   calls `lookup_origin(..., lookup_similar_urls=False)`), 404 with
//!   `{"exception":"NotFoundExc","reason":...}` otherwise;
//!   `GET /api/1/origin/{url}/visit/latest/?require_snapshot=true`;
//!   `GET /api/1/origin/search/{pattern}/?limit=N&with_visit=true`: the
//!   origins whose URL contains the pattern, "in a case insensitive way"
//!   (`api_origin_search`), a JSON array; `POST
//!   /api/1/origin/save/git/url/{url}/`. Origins are stored as the listers
//!   store them (GitHub `html_url`, GitLab `http_url_to_repo` and Gitea
//!   `clone_url` with `.git`): the tests put them in the table that way.
//!   With a rate limit set, every answer carries `X-RateLimit-Limit`,
//!   `-Remaining` and `-Reset` (Unix seconds) as swh-web's throttling sets
//!   them (`swh/web/api/throttling.py`, documented in `api.html`, "Rate
//!   limiting": 120 an hour anonymously); past it a 429 with `Retry-After`
//!   (Django REST framework's `Throttled`) and the same headers.
//! - The Wayback Machine: `GET /wayback/available?url=...` (the
//!   availability API, archive.org/help/wayback_api.php), answering
//!   `{"url":...,"archived_snapshots":{}}` when it has nothing closest (as it
//!   does for many archived `https://` URLs, internetarchive/wayback issue
//!   #296); `GET /cdx/search/cdx?url=...&output=json&filter=...&limit=-1`,
//!   the CDX server (internetarchive/wayback `wayback-cdx-server/README.md`):
//!   an array of arrays whose first row names the fields, exact URL match,
//!   `filter=statuscode:REGEX`, `limit=-N` the last N; `[]` when nothing
//!   matches; gzip-encoded unless `gzip=false`.
//!
//! Scripted faults (429 with `Retry-After`, malformed JSON, an answer
//! slower than any test timeout, an oversized answer, a hostile copy URL)
//! are served first, once each. Every request is counted and its
//! `Authorization` header kept.

use super::web::{Reply, Request, WebServer};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What Software Heritage knows about an origin.
#[derive(Clone, Debug)]
pub enum Swh {
    /// Held; the last visit with a snapshot is at this RFC 3339 date.
    Holds(String),
    /// The origin is known but no visit has a snapshot.
    NoSnapshot,
}

/// A fault served once, before the tables.
#[derive(Clone, Debug)]
pub enum Fault {
    /// 429 with `Retry-After: N`.
    TooMany(u64),
    /// 200 with a body that is not JSON.
    Malformed,
    /// An answer that takes far longer than any test's timeout.
    Slow,
    /// 200 with a JSON body of this many bytes.
    Huge(usize),
    /// An availability answer whose closest snapshot has this URL.
    Copy(String),
}

/// Software Heritage's rate limit: requests per window, and the window.
#[derive(Clone, Debug)]
struct Limit {
    limit: u64,
    used: u64,
    /// Unix seconds when the window ends.
    reset: u64,
    window: u64,
}

#[derive(Default)]
struct State {
    swh: Vec<(String, Swh)>,
    /// URL asked -> (snapshot URL, timestamp YYYYMMDDhhmmss, status).
    wayback: HashMap<String, (String, String, String)>,
    /// URL -> captures (timestamp, original, statuscode), oldest first.
    cdx: HashMap<String, Vec<(String, String, String)>>,
    limit: Option<Limit>,
    faults: VecDeque<Fault>,
    /// Every request: (method, decoded target, Authorization header).
    log: Vec<(String, String, Option<String>)>,
}

pub struct FakeArchive {
    pub server: WebServer,
    state: Arc<Mutex<State>>,
}

impl FakeArchive {
    pub async fn start() -> FakeArchive {
        let state = Arc::new(Mutex::new(State::default()));
        let st = state.clone();
        let server = WebServer::start(move |req| answer(&mut st.lock().unwrap(), req)).await;
        FakeArchive { server, state }
    }

    /// The base URL for both `swh_api_url` and `wayback_api_url`.
    pub fn url(&self) -> String {
        self.server.url("")
    }

    /// An origin, spelt exactly as Software Heritage stores it.
    pub fn swh(&self, origin: &str, entry: Swh) {
        let mut st = self.state.lock().unwrap();
        st.swh.retain(|(o, _)| o != origin);
        st.swh.push((origin.into(), entry));
    }

    /// A closest snapshot with status 200 in the availability API.
    pub fn wayback(&self, url: &str, timestamp: &str) {
        self.wayback_closest(url, timestamp, "200");
    }

    /// A closest snapshot with this status in the availability API.
    pub fn wayback_closest(&self, url: &str, timestamp: &str, status: &str) {
        let copy = format!("http://web.archive.org/web/{timestamp}/{url}");
        self.state
            .lock()
            .unwrap()
            .wayback
            .insert(url.into(), (copy, timestamp.into(), status.into()));
    }

    /// A capture the CDX server lists for `url` (not the availability API).
    pub fn cdx(&self, url: &str, timestamp: &str, status: &str) {
        self.state
            .lock()
            .unwrap()
            .cdx
            .entry(url.into())
            .or_default()
            .push((timestamp.into(), url.into(), status.into()));
    }

    /// Software Heritage allows `limit` requests a window of `window`, of
    /// which `used` are already spent; the window starts now.
    pub fn rate_limit(&self, limit: u64, used: u64, window: Duration) {
        let reset = (SystemTime::now() + window)
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        self.state.lock().unwrap().limit = Some(Limit {
            limit,
            used,
            reset,
            window: window.as_secs(),
        });
    }

    pub fn push_fault(&self, f: Fault) {
        self.state.lock().unwrap().faults.push_back(f);
    }

    /// Every request so far: (method, decoded target, Authorization).
    pub fn log(&self) -> Vec<(String, String, Option<String>)> {
        self.state.lock().unwrap().log.clone()
    }

    pub fn calls(&self) -> usize {
        self.state.lock().unwrap().log.len()
    }

    /// Requests whose decoded target starts with `prefix`.
    pub fn calls_to(&self, prefix: &str) -> usize {
        self.log()
            .iter()
            .filter(|(_, t, _)| t.starts_with(prefix))
            .count()
    }

    /// Save-code-now requests received (origin URLs).
    pub fn saves(&self) -> Vec<String> {
        self.log()
            .into_iter()
            .filter(|(m, _, _)| m == "POST")
            .filter_map(|(_, t, _)| {
                t.strip_prefix("/api/1/origin/save/git/url/")
                    .map(|o| o.trim_end_matches('/').to_string())
            })
            .collect()
    }

    /// Requests whose target mentions `needle`.
    pub fn asked_about(&self, needle: &str) -> usize {
        self.log()
            .iter()
            .filter(|(_, t, _)| t.contains(needle))
            .count()
    }
}

fn json(status: u16, body: &str) -> Reply {
    Reply::status(status)
        .header("Content-Type", "application/json")
        .body(body)
}

fn query(q: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(q.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param<'a>(q: &'a [(String, String)], key: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn answer(st: &mut State, req: &Request) -> Reply {
    let auth = req
        .headers
        .iter()
        .find(|(k, _)| k == "authorization")
        .map(|(_, v)| v.clone());
    let (path, q) = match req.path.split_once('?') {
        Some((p, q)) => (p.to_string(), query(q)),
        None => (req.path.clone(), Vec::new()),
    };
    let decoded: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let target = if decoded.is_empty() {
        path.clone()
    } else {
        format!("{path}?{}", decoded.join("&"))
    };
    st.log.push((req.method.clone(), target, auth));
    if let Some(f) = st.faults.pop_front() {
        return fault(f);
    }
    if path == "/wayback/available" {
        return available(st, param(&q, "url").unwrap_or(""));
    }
    if path == "/cdx/search/cdx" {
        return cdx(st, &q);
    }
    let Some(rest) = path.strip_prefix("/api/1/") else {
        return Reply::status(404);
    };
    let headers = match throttle(st) {
        Ok(h) => h,
        Err(limited) => return limited,
    };
    let mut reply = swh(st, req, rest, &q);
    for (k, v) in headers {
        reply = reply.header(&k, &v);
    }
    reply
}

fn fault(f: Fault) -> Reply {
    match f {
        Fault::TooMany(secs) => Reply::status(429).header("Retry-After", &secs.to_string()),
        Fault::Malformed => json(200, "{\"url\": <html>"),
        Fault::Slow => json(200, "{}").delay(Duration::from_secs(300)),
        Fault::Huge(n) => json(200, &format!("{{\"url\":\"{}\"}}", "x".repeat(n))),
        // The availability answer's shape, with a copy URL of the test's.
        Fault::Copy(copy) => json(
            200,
            &format!(
                r#"{{"url":"x","archived_snapshots":{{"closest":{{"status":"200","available":true,"url":"{copy}","timestamp":"20240101000000"}}}}}}"#
            ),
        ),
    }
}

/// The availability API: the closest snapshot, or `{}` (issue #296 shape).
fn available(st: &State, url: &str) -> Reply {
    match st.wayback.get(url) {
        Some((copy, ts, status)) => json(
            200,
            &format!(
                r#"{{"url":"{url}","archived_snapshots":{{"closest":{{"status":"{status}","available":true,"url":"{copy}","timestamp":"{ts}"}}}}}}"#
            ),
        ),
        None => json(
            200,
            &format!(r#"{{"url":"{url}","archived_snapshots":{{}}}}"#),
        ),
    }
}

/// The CDX server, `output=json`: field names first, then the captures of
/// the exact URL passing `filter=statuscode:REGEX` (`2..` and `200` are
/// the forms read here), `limit=-N` keeping the last N.
fn cdx(st: &State, q: &[(String, String)]) -> Reply {
    let url = param(q, "url").unwrap_or("");
    let filter = param(q, "filter").and_then(|f| f.strip_prefix("statuscode:"));
    let pass = |s: &str| match filter {
        Some("2..") => s.len() == 3 && s.starts_with('2'),
        Some(exact) => s == exact,
        None => true,
    };
    let mut rows: Vec<&(String, String, String)> = st
        .cdx
        .get(url)
        .map(|c| c.iter().filter(|(_, _, s)| pass(s)).collect())
        .unwrap_or_default();
    if let Some(n) = param(q, "limit").and_then(|l| l.strip_prefix('-')) {
        let n: usize = n.parse().unwrap_or(1);
        rows = rows.split_off(rows.len().saturating_sub(n));
    }
    if rows.is_empty() {
        return cdx_reply(q, "[]");
    }
    let mut out = vec![
        r#"["urlkey","timestamp","original","mimetype","statuscode","digest","length"]"#
            .to_string(),
    ];
    for (ts, orig, status) in rows {
        out.push(format!(
            r#"["com,example)/","{ts}","{orig}","text/html","{status}","Q4YULN754FHV2U6Q5JUT6Q2P57WEWNNY","1415"]"#
        ));
    }
    cdx_reply(q, &format!("[{}]", out.join(",\n")))
}

/// "By default, CDX server returns gzip encoded data for all queries. To
/// turn this off, add the gzip=false param" (`wayback-cdx-server/README.md`).
fn cdx_reply(q: &[(String, String)], body: &str) -> Reply {
    if param(q, "gzip") == Some("false") {
        return json(200, body);
    }
    let mut reply = json(200, "").header("Content-Encoding", "gzip");
    if let Reply::Response { body: b, .. } = &mut reply {
        *b = gzip_stored(body.as_bytes());
    }
    reply
}

/// A gzip member holding `data` in one stored (uncompressed) deflate block
/// (RFC 1952 around RFC 1951 section 3.2.4; `data` under 64 KiB).
fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let len = u16::try_from(data.len()).expect("small body");
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255, 1];
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Counts a Software Heritage request against the limit: the
/// `X-RateLimit-*` headers for its answer, or the 429 past the limit.
fn throttle(st: &mut State) -> Result<Vec<(String, String)>, Reply> {
    let Some(l) = st.limit.as_mut() else {
        return Ok(Vec::new());
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    if now >= l.reset {
        l.used = 0;
        l.reset = now + l.window;
    }
    let over = l.used >= l.limit;
    if !over {
        l.used += 1;
    }
    let headers = vec![
        ("X-RateLimit-Limit".to_string(), l.limit.to_string()),
        (
            "X-RateLimit-Remaining".to_string(),
            (l.limit - l.used).to_string(),
        ),
        ("X-RateLimit-Reset".to_string(), l.reset.to_string()),
    ];
    if !over {
        return Ok(headers);
    }
    let wait = l.reset.saturating_sub(now);
    // Django REST framework's `Throttled`: 429, `Retry-After`; swh-web's
    // error body names the exception and the reason.
    let mut reply = json(
        429,
        &format!(
            r#"{{"exception":"Throttled","reason":"Request was throttled. Expected available in {wait} seconds."}}"#
        ),
    )
    .header("Retry-After", &wait.to_string());
    for (k, v) in headers {
        reply = reply.header(&k, &v);
    }
    Err(reply)
}

fn swh(st: &State, req: &Request, rest: &str, q: &[(String, String)]) -> Reply {
    let not_found = |what: &str| {
        json(
            404,
            &format!(
                r#"{{"exception":"NotFoundExc","reason":"Origin with url {what} not found."}}"#
            ),
        )
    };
    if req.method == "POST" {
        return match rest.strip_prefix("origin/save/git/url/") {
            Some(_) => json(
                200,
                r#"{"save_request_status":"accepted","save_task_status":"not yet scheduled"}"#,
            ),
            None => Reply::status(404),
        };
    }
    let Some(rest) = rest.strip_prefix("origin/") else {
        return Reply::status(404);
    };
    if let Some(pattern) = rest.strip_prefix("search/") {
        return search(st, pattern.trim_end_matches('/'), q);
    }
    let find = |o: &str| st.swh.iter().find(|(k, _)| k == o).map(|(_, v)| v);
    if let Some(origin) = rest.strip_suffix("/get/") {
        return match find(origin) {
            Some(_) => json(
                200,
                &format!(
                    r#"{{"url":"{origin}","origin_visits_url":"/api/1/origin/{origin}/visits/","metadata_authorities_url":"x","visit_types":["git"]}}"#
                ),
            ),
            None => not_found(origin),
        };
    }
    if let Some(origin) = rest.strip_suffix("/visit/latest/") {
        let snapshot = param(q, "require_snapshot") == Some("true");
        return match find(origin) {
            Some(Swh::Holds(date)) => json(
                200,
                &format!(
                    r#"{{"origin":"{origin}","visit":3,"date":"{date}","status":"full","snapshot":"4b2f0e"}}"#
                ),
            ),
            Some(Swh::NoSnapshot) if !snapshot => json(
                200,
                &format!(
                    r#"{{"origin":"{origin}","visit":1,"date":"2020-01-01T00:00:00+00:00","status":"failed","snapshot":null}}"#
                ),
            ),
            _ => not_found(origin),
        };
    }
    Reply::status(404)
}

/// Origins whose URL contains `pattern`, compared case-insensitively, at
/// most `limit` (default 70, as the serializer says); `with_visit=true`
/// keeps only those with a visit.
fn search(st: &State, pattern: &str, q: &[(String, String)]) -> Reply {
    let limit: usize = param(q, "limit").and_then(|l| l.parse().ok()).unwrap_or(70);
    let with_visit = param(q, "with_visit") == Some("true");
    let needle = pattern.to_lowercase();
    let hits: Vec<String> = st
        .swh
        .iter()
        .filter(|(o, v)| o.to_lowercase().contains(&needle) && (!with_visit || matches!(v, Swh::Holds(_))))
        .take(limit)
        .map(|(o, v)| {
            let visited = matches!(v, Swh::Holds(_));
            format!(
                r#"{{"url":"{o}","origin_visits_url":"/api/1/origin/{o}/visits/","has_visits":{visited}}}"#
            )
        })
        .collect();
    json(200, &format!("[{}]", hits.join(",")))
}
