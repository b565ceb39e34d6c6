//! The one HTTP policy every client of the run follows (the checker, the
//! GitHub API, the forges' APIs, the archives): retry timing (exponential
//! backoff with jitter), reading `Retry-After` and the IETF `RateLimit`
//! header, answer bodies read under a size cap, and API clients (proxy
//! settings, the run's guarded DNS resolver, a whole-call timeout, and
//! redirects followed only on the API's own host, at most
//! [`MAX_API_REDIRECTS`] hops).
//!
//! Owns arithmetic on durations and header values, the body cap and how an
//! API client is built. Never sleeps and never decides what an answer
//! means: the checker's scheduler parks a job until its time comes (a
//! waiting job holds no concurrency slot); the API clients sleep on their
//! own clocks and read their own answers.

use std::time::{Duration, SystemTime};

/// Default first backoff; doubled per attempt.
pub const DEFAULT_BACKOFF_BASE: Duration = Duration::from_millis(500);
/// Longest backoff between two attempts (before jitter).
pub const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// The full wait before retry number `attempt` (1 for the first retry):
/// `base * 2^(attempt-1)`, capped at `MAX_BACKOFF` (or `base`, if larger).
pub fn exponential(base: Duration, attempt: u32) -> Duration {
    let exp = attempt.saturating_sub(1).min(16);
    base.saturating_mul(1u32 << exp).min(MAX_BACKOFF.max(base))
}

/// [`exponential`] scaled by a random factor in [0.5, 1.0), so that many
/// links failing together do not retry in lockstep.
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    exponential(base, attempt).mul_f64(0.5 + 0.5 * random_unit())
}

/// A random number in [0, 1) (jitter only; not for cryptography).
fn random_unit() -> f64 {
    fastrand::f64()
}

/// Parses a `Retry-After` value: delay-seconds or an HTTP date (a date in
/// the past means "now"). `None` when it is neither.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// How long a rate-limited answer asks to wait: `Retry-After` (seconds or
/// an HTTP date), else the `t=` of an IETF `RateLimit` header
/// (`"api";r=0;t=120`, draft-ietf-httpapi-ratelimit-headers).
pub fn rate_limit_wait(
    retry_after: Option<&str>,
    ratelimit: Option<&str>,
    now: SystemTime,
) -> Option<Duration> {
    retry_after
        .and_then(|v| parse_retry_after(v, now))
        .or_else(|| {
            ratelimit?
                .split([';', ','])
                .find_map(|p| p.trim().strip_prefix("t="))
                .and_then(|t| t.trim().parse::<u64>().ok())
                .map(Duration::from_secs)
        })
}

/// Most redirects an API client follows (a moved or renamed repository is
/// one hop).
pub const MAX_API_REDIRECTS: usize = 5;

/// A redirect policy for API clients: follow only to the same scheme, host
/// and port as the first request, at most [`MAX_API_REDIRECTS`] hops. An
/// API that answers with a redirect elsewhere (another host, a private
/// address) is not followed: the 3xx is the answer.
pub fn same_host_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|a| {
        let first = a.previous().first();
        let same = first.is_some_and(|f| {
            f.scheme() == a.url().scheme()
                && f.host_str() == a.url().host_str()
                && f.port_or_known_default() == a.url().port_or_known_default()
        });
        if a.previous().len() > MAX_API_REDIRECTS || !same {
            a.stop()
        } else {
            a.follow()
        }
    })
}

/// What an API client is built from.
pub struct ApiClient<'a> {
    pub proxy: &'a crate::proxy::ProxySettings,
    /// The run's resolver (one DNS cache, the private-address guard);
    /// `None` resolves through the system (a library user's own client).
    pub resolver: Option<std::sync::Arc<dyn reqwest::dns::Resolve>>,
    /// Bound on one whole call (connect, answer, body).
    pub timeout: Duration,
    /// The caller bounds the whole call itself (GitHub's session, to name
    /// the timeout in its own words): only the connect is bounded here.
    pub caller_bounds_call: bool,
    pub user_agent: &'a str,
}

impl ApiClient<'_> {
    /// The reqwest client: proxy settings, resolver, timeouts, the
    /// same-host redirect policy.
    pub fn build(self) -> Result<reqwest::Client, String> {
        let mut b = self
            .proxy
            .apply(reqwest::Client::builder())
            .user_agent(self.user_agent)
            .connect_timeout(self.timeout.min(Duration::from_secs(10)))
            .redirect(same_host_redirects());
        if !self.caller_bounds_call {
            b = b.timeout(self.timeout);
        }
        if let Some(r) = self.resolver {
            b = b.dns_resolver(std::sync::Arc::new(SharedResolver(r)));
        }
        b.build()
            .map_err(|e| format!("cannot build the API client: {e}"))
    }
}

/// The run's resolver behind a trait object (reqwest wants a sized one).
struct SharedResolver(std::sync::Arc<dyn reqwest::dns::Resolve>);

impl reqwest::dns::Resolve for SharedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        self.0.resolve(name)
    }
}

/// Reads a whole answer body, refusing one larger than `max` bytes (the
/// read stops there: a hostile answer costs at most `max` of memory).
pub async fn read_capped<B>(body: B, max: usize) -> Result<Vec<u8>, String>
where
    B: http_body::Body,
    B::Data: hyper::body::Buf,
    B::Error: std::error::Error + 'static,
{
    use http_body_util::BodyExt;
    use hyper::body::Buf;
    let mut body = std::pin::pin!(body);
    let mut out = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| crate::error::chain_text(&e, false))?;
        if let Ok(mut data) = frame.into_data() {
            if out.len() + data.remaining() > max {
                return Err(too_large(max));
            }
            while data.has_remaining() {
                let chunk = data.chunk();
                out.extend_from_slice(chunk);
                let n = chunk.len();
                data.advance(n);
            }
        }
    }
    Ok(out)
}

/// A token as every client of the run keeps it (`secrecy::SecretString`:
/// redacted `Debug`, no `Display`): trimmed; `None` when blank or when it
/// holds characters an HTTP header cannot carry.
pub fn token(value: &str) -> Option<secrecy::SecretString> {
    let v = value.trim();
    (!v.is_empty() && v.bytes().all(|b| b.is_ascii_graphic()))
        .then(|| secrecy::SecretString::from(v.to_string()))
}

/// The first of the environment variables `names` that holds a token.
pub fn token_from_env(names: &[&str]) -> Option<secrecy::SecretString> {
    names
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find_map(|v| token(&v))
}

/// The one host normalisation: lowercase, without a trailing dot (the
/// checker's per-host key, the DNS cache, shards, code hosts).
pub fn normalize_host(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// The note for an answer over the cap.
pub fn too_large(max: usize) -> String {
    format!(
        "answer larger than {}",
        crate::input::human_bytes(max as u64)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_come_from_retry_after_then_ratelimit() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
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
    fn tokens_are_trimmed_and_blank_or_unsendable_ones_are_none() {
        use secrecy::ExposeSecret;
        assert_eq!(token(" t0k \n").unwrap().expose_secret(), "t0k");
        assert!(token("   ").is_none());
        assert!(token("a b").is_none());
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let base = Duration::from_millis(100);
        for attempt in 1..=20 {
            let d = backoff(base, attempt);
            assert_eq!(
                exponential(base, attempt),
                (base * 2u32.pow(attempt.min(16) - 1)).min(MAX_BACKOFF)
            );
            let full = (base * 2u32.pow(attempt.min(16) - 1)).min(MAX_BACKOFF);
            assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?}");
        }
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(30))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }
}
