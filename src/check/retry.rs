//! Retry timing for the checker: the crate's one backoff and `Retry-After`
//! parser (`crate::http`), which the GitHub stage uses too.

pub(super) use crate::http::{DEFAULT_BACKOFF_BASE, backoff, parse_retry_after};
