//! Retry timing shared by the checker and the GitHub stage: exponential
//! backoff (with jitter for the checker) and `Retry-After` parsing, written
//! once.
//!
//! Owns only arithmetic on durations and header values. Never sleeps and
//! never sends requests: the checker's scheduler parks a job until its time
//! comes (a waiting job holds no concurrency slot); the GitHub client sleeps
//! on its own clock.

use std::hash::{BuildHasher, Hasher};
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

/// A random number in [0, 1) from the standard library's randomly keyed
/// hasher (no extra dependency; not for cryptography).
fn random_unit() -> f64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
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

#[cfg(test)]
mod tests {
    use super::*;

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
