//! The rate-limit budget of one fetch: what GitHub last said about the
//! remaining calls and the reset time, and how long to wait when told to.
//! Pure bookkeeping: never sleeps and never does I/O itself.

use chrono::{DateTime, TimeZone, Utc};
use std::time::Duration;

/// The primary budget as last reported by GitHub (REST headers or the
/// GraphQL `rateLimit` object).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Budget {
    pub remaining: Option<u64>,
    pub reset: Option<DateTime<Utc>>,
}

impl Budget {
    /// Merges a new report. Responses of concurrent calls may arrive out of
    /// order: a later reset window replaces the old one, within the same
    /// window the smallest remaining count wins.
    pub(super) fn update(&mut self, remaining: Option<u64>, reset: Option<DateTime<Utc>>) {
        let Some(remaining) = remaining else {
            return;
        };
        match (self.reset, reset) {
            (Some(old), Some(new)) if new > old => {
                self.remaining = Some(remaining);
                self.reset = Some(new);
            }
            (Some(_), _) => {
                self.remaining = Some(self.remaining.map_or(remaining, |r| r.min(remaining)));
            }
            (None, new) => {
                self.remaining = Some(remaining);
                self.reset = new;
            }
        }
    }

    /// When the budget is spent: how long until it resets (zero if the
    /// reset time is unknown or already past). `None` while calls remain.
    pub(super) fn wait_needed(&self, now: DateTime<Utc>) -> Option<Duration> {
        if self.remaining != Some(0) {
            return None;
        }
        Some(until(self.reset, now))
    }

    /// Forgets the spent budget (after waiting for the reset).
    pub(super) fn clear(&mut self) {
        *self = Budget::default();
    }
}

/// Time from `now` to `when` (zero when unknown or past).
pub(super) fn until(when: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Duration {
    when.and_then(|w| (w - now).to_std().ok())
        .unwrap_or(Duration::ZERO)
}

/// `x-ratelimit-reset`: epoch seconds.
pub(super) fn parse_reset_epoch(value: &str) -> Option<DateTime<Utc>> {
    let secs: i64 = value.trim().parse().ok()?;
    Utc.timestamp_opt(secs, 0).single()
}

/// `Retry-After`: delay in seconds or an HTTP date (the crate's one
/// parser, `crate::http`).
pub(super) fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    crate::http::parse_retry_after(value, now.into())
}

/// A duration for people: "42 s", "12 min", "2 h 5 min".
pub(super) fn human(d: Duration) -> String {
    let s = d.as_secs();
    if s < 120 {
        format!("{s} s")
    } else if s < 3600 {
        format!("{} min", s.div_ceil(60))
    } else {
        format!("{} h {} min", s / 3600, (s % 3600) / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn budget_merges_out_of_order_reports() {
        let mut b = Budget::default();
        b.update(Some(10), Some(t(100)));
        b.update(Some(12), Some(t(100)));
        assert_eq!(b.remaining, Some(10));
        b.update(Some(0), Some(t(100)));
        assert_eq!(b.wait_needed(t(40)), Some(Duration::from_secs(60)));
        b.update(Some(59), Some(t(3700)));
        assert_eq!(b.remaining, Some(59));
        assert_eq!(b.wait_needed(t(40)), None);
        b.update(None, None);
        assert_eq!(b.remaining, Some(59));
    }

    #[test]
    fn spent_budget_with_past_reset_needs_no_wait() {
        let mut b = Budget::default();
        b.update(Some(0), Some(t(0)));
        assert_eq!(b.wait_needed(t(10)), Some(Duration::ZERO));
        b.clear();
        assert_eq!(b.wait_needed(t(10)), None);
    }

    #[test]
    fn retry_after_seconds_and_date() {
        let now = t(0);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        let date = httpdate::fmt_http_date((t(30)).into());
        assert_eq!(parse_retry_after(&date, now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_reset_epoch("1800000100"), Some(t(100)));
        assert_eq!(parse_reset_epoch("x"), None);
    }

    #[test]
    fn human_durations() {
        assert_eq!(human(Duration::from_secs(5)), "5 s");
        assert_eq!(human(Duration::from_secs(601)), "11 min");
        assert_eq!(human(Duration::from_secs(3725)), "1 h 2 min");
    }
}
