//! Retry timing for the checker: the crate's one backoff and `Retry-After`
//! parser (`crate::retry`), which the GitHub stage uses too.

pub use crate::retry::{DEFAULT_BACKOFF_BASE, backoff, parse_retry_after};
