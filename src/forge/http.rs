//! The one place where forge APIs (other than GitHub) are called: one
//! reqwest client for the run (`crate::http::ApiClient`: proxy settings, the
//! run's guarded resolver, the configured timeout, redirects on the same
//! host only), per forge a lane of at most `[forges] max_concurrency` calls
//! in flight and `max_calls` calls in the whole run (every round), 429
//! answers waited out (`Retry-After`, else the `RateLimit` header's `t=`)
//! when the wait is at most `max_wait_secs`, else the lane stops and its
//! remaining repositories are `Unknown` with the reason. A lane whose
//! calls go unanswered [`SILENT_CALLS`] times in a row is given up like a
//! silent host. Every answer is read under `max_answer_mib`.
//!
//! The Hugging Face token (a `SecretString`) is sent to the Hugging Face
//! API only, never printed.

use super::{Answer, ForgeRef, api, api_base};
use crate::config::ForgesConfig;
use crate::model::{Forge, RepoOutcome, Unfetched, WhyUnknown};
use crate::proxy::ProxySettings;
use futures::StreamExt;
use secrecy::{ExposeSecret, SecretString};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// 429s waited out for one repository before its lane stops.
const MAX_RATE_LIMIT_WAITS: u32 = 3;
/// Calls in a row without any answer (timeouts, connection failures) after
/// which a lane is given up for the run.
pub(super) const SILENT_CALLS: u32 = 3;
/// Bound on one whole API call unless changed with [`Forges::with_timeout`]
/// (the run sets `[forges] timeout_secs`, else `[check] timeout_secs`).
pub(super) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// What a fetch did besides the outcomes.
#[derive(Debug, Default)]
pub struct ForgeStats {
    /// API calls made, per forge (followed redirects count).
    pub calls: BTreeMap<Forge, usize>,
    /// Plain-language notes (rate limit, budget, failures).
    pub notes: Vec<String>,
}

/// The forges' API client of a run: its lanes (calls, stops) last as long
/// as it does, so `max_calls` and a stopped lane hold across rounds.
pub struct Forges {
    config: ForgesConfig,
    hf_token: Option<SecretString>,
    timeout: Duration,
    proxy: ProxySettings,
    resolver: Option<crate::check::Resolver>,
    client: OnceLock<Result<reqwest::Client, String>>,
    lanes: Mutex<Vec<Arc<Lane>>>,
    /// Set when the Hugging Face API refused `HF_TOKEN`: what it said.
    /// From then on its calls go without the token.
    hf_token_refused: OnceLock<String>,
    /// Whether the note on the refused token was handed out (once a run).
    hf_refusal_told: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for Forges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Forges")
            .field("config", &self.config)
            .field("hf_token", &self.hf_token)
            .field("timeout", &self.timeout)
            .field("proxy", &self.proxy)
            .finish_non_exhaustive()
    }
}

/// One forge at one API base: its calls, and why it stopped, if it did.
struct Lane {
    forge: Forge,
    base: String,
    calls: AtomicUsize,
    /// Calls in a row that got no answer.
    silent: AtomicU32,
    stop: Mutex<Option<String>>,
}

impl Lane {
    fn stopped(&self) -> Option<String> {
        self.stop.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
    /// Stops the lane (the first reason stays) and returns the reason.
    fn halt(&self, reason: String) -> String {
        let mut s = self.stop.lock().unwrap_or_else(|e| e.into_inner());
        s.get_or_insert(reason).clone()
    }
}

impl Forges {
    pub fn new(
        config: &ForgesConfig,
        hf_token: Option<SecretString>,
        proxy: ProxySettings,
    ) -> Forges {
        Forges {
            config: config.clone(),
            hf_token,
            timeout: DEFAULT_TIMEOUT,
            proxy,
            resolver: None,
            client: OnceLock::new(),
            lanes: Mutex::default(),
            hf_token_refused: OnceLock::new(),
            hf_refusal_told: std::sync::atomic::AtomicBool::new(false),
        }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Forges {
        self.timeout = timeout;
        self
    }

    /// Resolves API hosts through the run's resolver (one DNS cache, the
    /// private-address guard).
    pub fn with_resolver(mut self, resolver: crate::check::Resolver) -> Forges {
        self.resolver = Some(resolver);
        self
    }

    fn client(&self) -> Result<reqwest::Client, String> {
        self.client
            .get_or_init(|| {
                crate::http::ApiClient {
                    proxy: &self.proxy,
                    resolver: self.resolver.clone().map(|r| Arc::new(r) as _),
                    timeout: self.timeout,
                    user_agent: concat!("paperlinks/", env!("CARGO_PKG_VERSION")),
                    caller_bounds_call: false,
                }
                .build()
                .map_err(|e| format!("cannot build the forge API client: {e}"))
            })
            .clone()
    }

    /// The run's lane for `forge` at `base`.
    fn lane(&self, forge: Forge, base: String) -> Arc<Lane> {
        let mut lanes = self.lanes.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(l) = lanes.iter().find(|l| l.forge == forge && l.base == base) {
            return l.clone();
        }
        let lane = Arc::new(Lane {
            forge,
            base,
            calls: AtomicUsize::new(0),
            silent: AtomicU32::new(0),
            stop: Mutex::new(None),
        });
        lanes.push(lane.clone());
        lane
    }

    /// One outcome per reference, in order. Never fails: what cannot be
    /// asked is `Unknown` with the reason.
    pub async fn fetch(
        &self,
        refs: &[ForgeRef],
        shutdown: CancellationToken,
    ) -> (Vec<RepoOutcome>, ForgeStats) {
        let mut stats = ForgeStats::default();
        let mut out = vec![RepoOutcome::Unknown("not asked".into()); refs.len()];
        let client = match self.client() {
            Ok(c) => c,
            Err(e) => {
                stats.notes.push(e.clone());
                return (vec![RepoOutcome::Unknown(e.into()); refs.len()], stats);
            }
        };
        let mut lanes: Vec<(Arc<Lane>, usize, Vec<usize>)> = Vec::new();
        for (i, r) in refs.iter().enumerate() {
            let Some(base) = api_base(&self.config, r) else {
                let off = format!("{} audit turned off", r.forge.as_str());
                out[i] = RepoOutcome::Unknown(Unfetched::not_asked(off));
                continue;
            };
            match lanes
                .iter_mut()
                .find(|(l, _, _)| l.forge == r.forge && l.base == base)
            {
                Some((_, _, v)) => v.push(i),
                None => {
                    let lane = self.lane(r.forge, base);
                    let before = lane.calls.load(Ordering::Relaxed);
                    lanes.push((lane, before, vec![i]));
                }
            }
        }
        let runs = lanes.iter().map(|(lane, _, idx)| {
            let (client, shutdown) = (&client, &shutdown);
            futures::stream::iter(idx.iter().copied())
                .map(move |i| async move { (i, self.ask(client, lane, &refs[i], shutdown).await) })
                .buffer_unordered(self.config.max_concurrency.max(1))
                .collect::<Vec<_>>()
        });
        for (i, o) in futures::future::join_all(runs).await.into_iter().flatten() {
            out[i] = o;
        }
        if let Some(why) = self.hf_token_refused.get()
            && !self.hf_refusal_told.swap(true, Ordering::Relaxed)
        {
            stats.notes.push(format!(
                "HF_TOKEN refused: {why}; the Hugging Face API is asked without it (public \
                 repositories answer anonymously)."
            ));
        }
        let names = refs.iter().map(ForgeRef::full_name);
        let now = chrono::Utc::now();
        stats
            .notes
            .extend(crate::github::future_push_note("forge", &out, names, now));
        for (lane, before, idx) in &lanes {
            let made = lane.calls.load(Ordering::Relaxed) - before;
            *stats.calls.entry(lane.forge).or_default() += made;
            stats
                .notes
                .extend(lane_notes(lane, idx.iter().map(|&i| &out[i])));
        }
        (out, stats)
    }

    /// One repository, and on a GitLab instance other than gitlab.com a
    /// project the API calls missing is looked for once at its page: GitLab
    /// before 16.7 answers 404 on the API for a moved (renamed or
    /// transferred) project while its page still redirects to the new path
    /// (gitlab-org/gitlab #30013; API redirects came with MR !137578). A
    /// redirect there to another project path means moved: the API is asked
    /// about the new path; anything else leaves it missing.
    async fn ask(
        &self,
        client: &reqwest::Client,
        lane: &Lane,
        r: &ForgeRef,
        shutdown: &CancellationToken,
    ) -> RepoOutcome {
        let outcome = self.one(client, lane, r, shutdown).await;
        if outcome != RepoOutcome::Missing || r.forge != Forge::Gitlab || !self.self_hosted(lane) {
            return outcome;
        }
        match self.moved_to(client, lane, r).await {
            Some(path) => {
                let moved = ForgeRef { path, ..r.clone() };
                self.one(client, lane, &moved, shutdown).await
            }
            None => outcome,
        }
    }

    /// A GitLab lane that is not gitlab.com's own API.
    fn self_hosted(&self, lane: &Lane) -> bool {
        let official = url::Url::parse("https://gitlab.com")
            .ok()
            .map(|u| u.origin());
        url::Url::parse(&lane.base).ok().map(|u| u.origin()) != official
    }

    /// Where a GitLab project page leads (one call, redirects followed on
    /// the same host): the project path it redirects to, when that is
    /// another project (not the sign-in page GitLab shows for a missing or
    /// private project).
    async fn moved_to(
        &self,
        client: &reqwest::Client,
        lane: &Lane,
        r: &ForgeRef,
    ) -> Option<String> {
        if lane.stopped().is_some() {
            return None;
        }
        if lane.calls.fetch_add(1, Ordering::Relaxed) >= self.config.max_calls {
            lane.calls.fetch_sub(1, Ordering::Relaxed);
            return None;
        }
        let url = format!("{}/{}", lane.base, r.path);
        let res = client
            .get(&url)
            .header("accept", "text/html")
            .send()
            .await
            .ok()?;
        if res.url().as_str() == url {
            return None;
        }
        lane.calls.fetch_add(1, Ordering::Relaxed);
        let segs: Vec<&str> = res
            .url()
            .path_segments()?
            .filter(|s| !s.is_empty())
            .collect();
        let (path, root) = super::gitlab::parse_path(&segs)?;
        let ok = res.status().is_success() && root && !path.eq_ignore_ascii_case(&r.path);
        ok.then_some(path)
    }

    /// One repository: one call (more only for a followed redirect or a
    /// waited-out 429).
    async fn one(
        &self,
        client: &reqwest::Client,
        lane: &Lane,
        r: &ForgeRef,
        shutdown: &CancellationToken,
    ) -> RepoOutcome {
        let Some(api) = api(r.forge) else {
            return RepoOutcome::Unknown(Unfetched::not_asked("not a forge with an API here"));
        };
        let url = format!("{}{}", lane.base, (api.request)(r));
        let name = r.forge.as_str();
        let mut waits = 0;
        loop {
            if shutdown.is_cancelled() {
                return RepoOutcome::Unknown(Unfetched::stopped(format!(
                    "interrupted before the {name} API was asked"
                )));
            }
            if let Some(reason) = lane.stopped() {
                return RepoOutcome::Unknown(Unfetched::stopped(reason));
            }
            if lane.calls.fetch_add(1, Ordering::Relaxed) >= self.config.max_calls {
                lane.calls.fetch_sub(1, Ordering::Relaxed);
                let max = self.config.max_calls;
                return RepoOutcome::Unknown(Unfetched::stopped(lane.halt(format!(
                    "{name} API call budget of {max} calls spent ([forges] max_calls)"
                ))));
            }
            let token = self.token_for(r.forge);
            let answer = tokio::select! {
                _ = shutdown.cancelled() => continue,
                a = self.send(client, token, &url, lane) => a,
            };
            let answer = match answer {
                Ok(a) => {
                    lane.silent.store(0, Ordering::Relaxed);
                    a
                }
                Err(Unanswered::Silent(e)) => return RepoOutcome::Unknown(self.silent(lane, e)),
                Err(Unanswered::Failed(e)) => {
                    return RepoOutcome::Unknown(format!("{name} API: {e}").into());
                }
            };
            let wait = match answer {
                Sent::Answer(a) if token.is_some() && token_refused(&a) => {
                    self.refuse_token(&a);
                    continue;
                }
                Sent::Answer(a) => return (api.read)(&a, r),
                Sent::Limited(wait) => wait,
            };
            match wait.filter(|w| w.as_secs() <= self.config.max_wait_secs) {
                Some(w) if waits < MAX_RATE_LIMIT_WAITS => {
                    waits += 1;
                    tokio::select! {
                        _ = shutdown.cancelled() => {}
                        _ = tokio::time::sleep(w) => {}
                    }
                }
                _ => {
                    let after = wait.map(|w| format!(", retry after {} s", w.as_secs()));
                    return RepoOutcome::Unknown(Unfetched::stopped(lane.halt(format!(
                        "{name} API rate limit (HTTP 429{})",
                        after.unwrap_or_default()
                    ))));
                }
            }
        }
    }

    /// The token a call to `forge` carries: `HF_TOKEN` to Hugging Face,
    /// unless its API refused it; nothing elsewhere.
    fn token_for(&self, forge: Forge) -> Option<&SecretString> {
        let hf = forge == Forge::Huggingface && self.hf_token_refused.get().is_none();
        self.hf_token.as_ref().filter(|_| hf)
    }

    /// The Hugging Face API refused the token: said once (a warning now,
    /// a note with the fetch), and no call carries it any more.
    fn refuse_token(&self, a: &Answer) {
        let why = format!(
            "the Hugging Face API answered HTTP {} ({})",
            a.status,
            a.error_message.as_deref().unwrap_or_default()
        );
        if self.hf_token_refused.set(why.clone()).is_ok() {
            let why = crate::report::text::terminal_safe(&why);
            tracing::warn!("HF_TOKEN refused: {why}; asking without it");
        }
    }

    /// A call that got no answer: counted; the lane is given up after
    /// [`SILENT_CALLS`] in a row (then it is left unfetched). Returns the
    /// repository's reason.
    fn silent(&self, lane: &Lane, e: String) -> Unfetched {
        let name = lane.forge.as_str();
        if lane.silent.fetch_add(1, Ordering::Relaxed) + 1 >= SILENT_CALLS {
            return Unfetched::stopped(lane.halt(format!(
                "{name} API gave no answer to {SILENT_CALLS} calls in a row ({e}); given up for \
                 this run"
            )));
        }
        Unfetched::failed(format!("{name} API: {e}"))
    }

    async fn send(
        &self,
        client: &reqwest::Client,
        token: Option<&SecretString>,
        url: &str,
        lane: &Lane,
    ) -> Result<Sent, Unanswered> {
        let mut req = client.get(url).header("accept", "application/json");
        if let Some(t) = token {
            req = req.bearer_auth(t.expose_secret());
        }
        let res = req.send().await.map_err(|e| {
            let text = crate::error::chain_text(&e, false);
            if e.is_timeout() || e.is_connect() {
                Unanswered::Silent(crate::error::unanswered_text(&e, lane.forge.as_str(), text))
            } else {
                Unanswered::Failed(text)
            }
        })?;
        if res.url().as_str() != url {
            lane.calls.fetch_add(1, Ordering::Relaxed);
        }
        let status = res.status().as_u16();
        let header = |n: &str| {
            res.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        if status == 429 {
            let now = std::time::SystemTime::now();
            return Ok(Sent::Limited(crate::http::rate_limit_wait(
                header("retry-after").as_deref(),
                header("ratelimit").as_deref(),
                now,
            )));
        }
        let error_code = header("x-error-code");
        let error_message = header("x-error-message");
        let res: http::Response<reqwest::Body> = res.into();
        let body = crate::http::read_capped(res.into_body(), self.config.max_answer_bytes())
            .await
            .map_err(Unanswered::Failed)?;
        Ok(Sent::Answer(Answer {
            status,
            error_code,
            error_message,
            body: String::from_utf8_lossy(&body).into_owned(),
        }))
    }
}

/// Hugging Face's answer to a token it does not accept: 401 with
/// `X-Error-Message: Invalid credentials in Authorization header`
/// (huggingface_hub `utils/_http.py`, `hf_raise_for_status`, keeps this
/// one 401 apart from the 401 of a missing or private repository).
fn token_refused(a: &Answer) -> bool {
    a.status == 401
        && a.error_message
            .as_deref()
            .is_some_and(|m| m.starts_with("Invalid credentials in Authorization header"))
}

/// A call without a usable answer: `Silent` when nothing answered at all
/// (timeout, no connection), else `Failed`.
enum Unanswered {
    Silent(String),
    Failed(String),
}

enum Sent {
    Answer(Answer),
    /// 429, with how long the forge asks us to wait, if it says.
    Limited(Option<Duration>),
}

/// Notes for one lane: why it stopped and how many were left, and how many
/// others failed.
fn lane_notes<'a>(lane: &Lane, outcomes: impl Iterator<Item = &'a RepoOutcome>) -> Vec<String> {
    let stop = lane.stopped();
    let (mut left, mut other, mut total) = (0, 0, 0);
    for o in outcomes {
        total += 1;
        match o {
            RepoOutcome::Unknown(u) if u.why == WhyUnknown::Stopped => left += 1,
            RepoOutcome::Unknown(_) => other += 1,
            _ => {}
        }
    }
    let name = lane.forge.as_str();
    let mut notes = Vec::new();
    if let Some(reason) = stop {
        notes.push(format!(
            "{reason}: {left} of {total} {name} repositories were left unfetched (known ones \
             keep earlier values)."
        ));
    }
    if other > 0 {
        notes.push(format!(
            "{other} of {total} {name} repositories could not be fetched from its API ({}; the reason is in the error column).",
            lane.base
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn left_unfetched_counts_the_kind_not_the_text() {
        let lane = Lane {
            forge: Forge::Huggingface,
            base: "https://huggingface.co".into(),
            calls: AtomicUsize::new(0),
            silent: AtomicU32::new(0),
            stop: Mutex::new(Some("huggingface API rate limit (HTTP 429)".into())),
        };
        let outcomes = [
            RepoOutcome::Unknown(Unfetched::stopped("huggingface API rate limit (HTTP 429)")),
            // Another text, the same kind: also left unfetched.
            RepoOutcome::Unknown(Unfetched::stopped(
                "interrupted before the huggingface API was asked",
            )),
            RepoOutcome::Unknown(Unfetched::failed("huggingface API: connection reset")),
            RepoOutcome::Missing,
        ];
        let notes = lane_notes(&lane, outcomes.iter());
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(
            notes[0].contains("2 of 4 huggingface repositories were left unfetched"),
            "{notes:?}"
        );
        assert!(notes[1].starts_with("1 of 4"), "{notes:?}");
    }

    #[test]
    fn only_a_gitlab_other_than_gitlab_com_gets_its_pages_asked() {
        let f = Forges::new(&ForgesConfig::default(), None, ProxySettings::default());
        let lane = |base: &str| Lane {
            forge: Forge::Gitlab,
            base: base.into(),
            calls: AtomicUsize::new(0),
            silent: AtomicU32::new(0),
            stop: Mutex::new(None),
        };
        assert!(!f.self_hosted(&lane("https://gitlab.com")));
        assert!(f.self_hosted(&lane("https://gitlab.example.edu")));
        assert!(f.self_hosted(&lane("http://127.0.0.1:8080")));
    }

    #[test]
    fn secrets_never_show() {
        let s = crate::http::token("hf_abcdef").unwrap();
        assert!(!format!("{s:?}").contains("hf_abc"));
        let f = Forges::new(&ForgesConfig::default(), Some(s), ProxySettings::default());
        assert!(!format!("{f:?}").contains("hf_abc"));
        assert!(crate::http::token("  ").is_none());
    }
}
