//! A stand-in for both archives on 127.0.0.1: Software Heritage
//! (`/api/1/origin/{url}/get/`, `/api/1/origin/{url}/visit/latest/`,
//! `POST /api/1/origin/save/git/url/{url}/`) and the Wayback Machine
//! (`/wayback/available?url=...`), answered from tables: an origin held with
//! a snapshot date, an origin known but without a snapshot, a Wayback
//! snapshot. Scripted faults (429 with `Retry-After`, malformed JSON, an
//! answer slower than any test timeout) are served first, once each. Every
//! request is counted and its `Authorization` header kept.

use super::web::{Reply, Request, WebServer};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
}

#[derive(Default)]
struct State {
    swh: HashMap<String, Swh>,
    /// URL asked -> (snapshot URL, timestamp YYYYMMDDhhmmss).
    wayback: HashMap<String, (String, String)>,
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

    pub fn swh(&self, origin: &str, entry: Swh) {
        self.state.lock().unwrap().swh.insert(origin.into(), entry);
    }

    pub fn wayback(&self, url: &str, timestamp: &str) {
        let copy = format!("http://web.archive.org/web/{timestamp}/{url}");
        self.state
            .lock()
            .unwrap()
            .wayback
            .insert(url.into(), (copy, timestamp.into()));
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

fn decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn answer(st: &mut State, req: &Request) -> Reply {
    let auth = req
        .headers
        .iter()
        .find(|(k, _)| k == "authorization")
        .map(|(_, v)| v.clone());
    let target = match req.path.split_once("?url=") {
        Some((p, q)) => format!("{p}?url={}", decode(q)),
        None => req.path.clone(),
    };
    st.log.push((req.method.clone(), target.clone(), auth));
    if let Some(f) = st.faults.pop_front() {
        return match f {
            Fault::TooMany(secs) => Reply::status(429).header("Retry-After", &secs.to_string()),
            Fault::Malformed => json(200, "{\"url\": <html>"),
            Fault::Slow => json(200, "{}").delay(Duration::from_secs(300)),
        };
    }
    if let Some(url) = target.strip_prefix("/wayback/available?url=") {
        return match st.wayback.get(url) {
            Some((copy, ts)) => json(
                200,
                &format!(
                    r#"{{"url":"{url}","archived_snapshots":{{"closest":{{"status":"200","available":true,"url":"{copy}","timestamp":"{ts}"}}}}}}"#
                ),
            ),
            None => json(
                200,
                &format!(r#"{{"url":"{url}","archived_snapshots":{{}}}}"#),
            ),
        };
    }
    if req.method == "POST" {
        return match target.strip_prefix("/api/1/origin/save/git/url/") {
            Some(_) => json(
                200,
                r#"{"save_request_status":"accepted","save_task_status":"not yet scheduled"}"#,
            ),
            None => Reply::status(404),
        };
    }
    let Some(rest) = target.strip_prefix("/api/1/origin/") else {
        return Reply::status(404);
    };
    let not_found = || json(404, r#"{"exception":"NotFoundExc","reason":"not found"}"#);
    if let Some(origin) = rest.strip_suffix("/get/") {
        return match st.swh.get(origin) {
            Some(_) => json(200, &format!(r#"{{"url":"{origin}"}}"#)),
            None => not_found(),
        };
    }
    if let Some(origin) = rest.strip_suffix("/visit/latest/?require_snapshot=true") {
        return match st.swh.get(origin) {
            Some(Swh::Holds(date)) => json(
                200,
                &format!(
                    r#"{{"origin":"{origin}","visit":3,"date":"{date}","status":"full","snapshot":"4b2f0e"}}"#
                ),
            ),
            _ => not_found(),
        };
    }
    Reply::status(404)
}
