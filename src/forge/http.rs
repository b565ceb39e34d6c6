//! The one place where forge APIs (other than GitHub) are called: one
//! reqwest client through `ProxySettings::apply`, per forge a lane of at
//! most `[forges] max_concurrency` calls in flight and `max_calls` calls in
//! all, 429 answers waited out (`Retry-After`, else the `RateLimit`
//! header's `t=`) when the wait is at most `max_wait_secs`, else the lane
//! stops and its remaining repositories are `Unknown` with the reason.
//! Every call is bounded by the timeout and by the shutdown token.
//!
//! The Hugging Face token is sent to the Hugging Face API only, never
//! printed: [`Secret`]'s `Debug` hides it.

use super::{Answer, ForgeRef, api, api_base};
use crate::config::ForgesConfig;
use crate::model::{Forge, RepoOutcome};
use crate::proxy::ProxySettings;
use futures::StreamExt;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Largest API answer read; a larger one is `Unknown`.
const MAX_ANSWER_BYTES: usize = 2 * 1024 * 1024;
/// 429s waited out for one repository before its lane stops.
const MAX_RATE_LIMIT_WAITS: u32 = 3;
/// Bound on one whole API call unless changed with [`Forges::with_timeout`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A token. `Debug` says only whether it is set.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// A non-blank value of the environment variable `name`.
    pub fn from_env(name: &str) -> Option<Secret> {
        std::env::var(name).ok().and_then(Secret::new)
    }

    /// `None` for a blank value.
    pub fn new(value: String) -> Option<Secret> {
        let v = value.trim();
        (!v.is_empty() && v.bytes().all(|b| b.is_ascii_graphic())).then(|| Secret(v.to_string()))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// What a fetch did besides the outcomes.
#[derive(Debug, Default)]
pub struct ForgeStats {
    /// API calls made, per forge (followed redirects count).
    pub calls: BTreeMap<Forge, usize>,
    /// Plain-language notes (rate limit, budget, failures).
    pub notes: Vec<String>,
}

/// The forges' API client.
#[derive(Debug)]
pub struct Forges {
    config: ForgesConfig,
    hf_token: Option<Secret>,
    timeout: Duration,
    proxy: ProxySettings,
}

/// One forge at one API base: its calls, and why it stopped, if it did.
struct Lane {
    forge: Forge,
    base: String,
    calls: AtomicUsize,
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
    pub fn new(config: &ForgesConfig, hf_token: Option<Secret>, proxy: ProxySettings) -> Forges {
        Forges {
            config: config.clone(),
            hf_token,
            timeout: DEFAULT_TIMEOUT,
            proxy,
        }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Forges {
        self.timeout = timeout;
        self
    }

    fn client(&self) -> Result<reqwest::Client, String> {
        // Follow a moved project's redirect on the same host only.
        let policy = reqwest::redirect::Policy::custom(|a| {
            let same = a.previous().first().map(|u| u.host_str()) == Some(a.url().host_str());
            if a.previous().len() > 5 || !same {
                a.stop()
            } else {
                a.follow()
            }
        });
        self.proxy
            .apply(reqwest::Client::builder())
            .user_agent(concat!("paperlinks/", env!("CARGO_PKG_VERSION")))
            .timeout(self.timeout)
            .connect_timeout(self.timeout.min(Duration::from_secs(10)))
            .redirect(policy)
            .build()
            .map_err(|e| format!("cannot build the forge API client: {e}"))
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
                return (vec![RepoOutcome::Unknown(e); refs.len()], stats);
            }
        };
        let mut lanes: Vec<(Lane, Vec<usize>)> = Vec::new();
        for (i, r) in refs.iter().enumerate() {
            let Some(base) = api_base(&self.config, r) else {
                out[i] = RepoOutcome::Unknown(format!("{} audit turned off", r.forge.as_str()));
                continue;
            };
            match lanes
                .iter_mut()
                .find(|(l, _)| l.forge == r.forge && l.base == base)
            {
                Some((_, v)) => v.push(i),
                None => lanes.push((
                    Lane {
                        forge: r.forge,
                        base,
                        calls: AtomicUsize::new(0),
                        stop: Mutex::new(None),
                    },
                    vec![i],
                )),
            }
        }
        let runs = lanes.iter().map(|(lane, idx)| {
            let (client, shutdown) = (&client, &shutdown);
            futures::stream::iter(idx.iter().copied())
                .map(move |i| async move { (i, self.one(client, lane, &refs[i], shutdown).await) })
                .buffer_unordered(self.config.max_concurrency.max(1))
                .collect::<Vec<_>>()
        });
        for (i, o) in futures::future::join_all(runs).await.into_iter().flatten() {
            out[i] = o;
        }
        for (lane, idx) in &lanes {
            *stats.calls.entry(lane.forge).or_default() += lane.calls.load(Ordering::Relaxed);
            stats
                .notes
                .extend(lane_notes(lane, idx.iter().map(|&i| &out[i])));
        }
        (out, stats)
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
            return RepoOutcome::Unknown("not a forge with an API here".into());
        };
        let url = format!("{}{}", lane.base, (api.request)(r));
        let name = r.forge.as_str();
        let mut waits = 0;
        loop {
            if shutdown.is_cancelled() {
                return RepoOutcome::Unknown(format!(
                    "interrupted before the {name} API was asked"
                ));
            }
            if let Some(reason) = lane.stopped() {
                return RepoOutcome::Unknown(reason);
            }
            if lane.calls.fetch_add(1, Ordering::Relaxed) >= self.config.max_calls {
                lane.calls.fetch_sub(1, Ordering::Relaxed);
                let max = self.config.max_calls;
                return RepoOutcome::Unknown(lane.halt(format!(
                    "{name} API call budget of {max} calls spent ([forges] max_calls)"
                )));
            }
            let answer = tokio::select! {
                _ = shutdown.cancelled() => continue,
                a = self.send(client, r.forge, &url, lane) => a,
            };
            let answer = match answer {
                Ok(a) => a,
                Err(e) => return RepoOutcome::Unknown(format!("{name} API: {e}")),
            };
            let wait = match answer {
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
                    return RepoOutcome::Unknown(lane.halt(format!(
                        "{name} API rate limit (HTTP 429{})",
                        after.unwrap_or_default()
                    )));
                }
            }
        }
    }

    async fn send(
        &self,
        client: &reqwest::Client,
        forge: Forge,
        url: &str,
        lane: &Lane,
    ) -> Result<Sent, String> {
        let mut req = client.get(url).header("accept", "application/json");
        if let (Forge::Huggingface, Some(t)) = (forge, &self.hf_token) {
            req = req.bearer_auth(&t.0);
        }
        let mut res = req.send().await.map_err(|e| error_chain(&e))?;
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
            return Ok(Sent::Limited(rate_limit_wait(
                header("retry-after").as_deref(),
                header("ratelimit").as_deref(),
                now,
            )));
        }
        let error_code = header("x-error-code");
        let mut body = Vec::new();
        while let Some(chunk) = res.chunk().await.map_err(|e| error_chain(&e))? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(format!("answer larger than {} MiB", MAX_ANSWER_BYTES >> 20));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Sent::Answer(Answer {
            status,
            error_code,
            body: String::from_utf8_lossy(&body).into_owned(),
        }))
    }
}

enum Sent {
    Answer(Answer),
    /// 429, with how long the forge asks us to wait, if it says.
    Limited(Option<Duration>),
}

/// How long a 429 asks to wait: `Retry-After` (seconds or an HTTP date),
/// else the `t=` of an IETF `RateLimit` header (`"api";r=0;t=120`).
pub fn rate_limit_wait(
    retry_after: Option<&str>,
    ratelimit: Option<&str>,
    now: std::time::SystemTime,
) -> Option<Duration> {
    let from_retry = retry_after.and_then(|v| {
        let v = v.trim();
        v.parse::<u64>().map(Duration::from_secs).ok().or_else(|| {
            let at = httpdate::parse_http_date(v).ok()?;
            Some(at.duration_since(now).unwrap_or(Duration::ZERO))
        })
    });
    from_retry.or_else(|| {
        ratelimit?
            .split([';', ','])
            .find_map(|p| p.trim().strip_prefix("t="))
            .and_then(|t| t.trim().parse::<u64>().ok())
            .map(Duration::from_secs)
    })
}

/// Notes for one lane: why it stopped and how many were left, and how many
/// others failed.
fn lane_notes<'a>(lane: &Lane, outcomes: impl Iterator<Item = &'a RepoOutcome>) -> Vec<String> {
    let stop = lane.stopped();
    let (mut left, mut other, mut total) = (0, 0, 0);
    for o in outcomes {
        total += 1;
        match o {
            RepoOutcome::Unknown(r) if Some(r) == stop.as_ref() => left += 1,
            RepoOutcome::Unknown(_) => other += 1,
            _ => {}
        }
    }
    let name = lane.forge.as_str();
    let mut notes = Vec::new();
    if let Some(reason) = stop {
        notes.push(format!(
            "{reason}: {left} of {total} {name} repositories were left unfetched and are marked unknown."
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

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_come_from_retry_after_then_ratelimit() {
        let now = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let w = |ra, rl| rate_limit_wait(ra, rl, now);
        assert_eq!(
            w(Some("7"), Some("\"api\";r=0;t=99")),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            w(None, Some("\"api\";r=0;t=99")),
            Some(Duration::from_secs(99))
        );
        assert_eq!(w(None, Some("limit=500, remaining=0, reset=30")), None);
        assert_eq!(w(None, None), None);
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(w(Some(&later), None), Some(Duration::from_secs(30)));
    }

    #[test]
    fn secrets_never_show() {
        let s = Secret::new("hf_abcdef".into()).unwrap();
        assert!(!format!("{s:?}").contains("hf_abc"));
        let f = Forges::new(&ForgesConfig::default(), Some(s), ProxySettings::default());
        assert!(!format!("{f:?}").contains("hf_abc"));
        assert!(Secret::new("  ".into()).is_none());
    }
}
