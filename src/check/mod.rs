//! Checking: requests links over HTTP and turns every answer (or its
//! absence) into a `LinkResult`.
//!
//! Owns the HTTP client, the scheduler (global and per-host limits), retries
//! with backoff, `Retry-After`, redirects, `remap`, `exclude`, and the
//! private-address guard. Never parses inputs, never talks to the GitHub API,
//! never writes reports.

use crate::config::CheckConfig;
use crate::error::Error;
use crate::model::LinkResult;
use tokio_util::sync::CancellationToken;

/// A configured link checker. Cheap to share behind an `Arc`.
pub struct Checker {
    _config: CheckConfig,
}

impl Checker {
    pub fn new(config: &CheckConfig) -> Result<Checker, Error> {
        Ok(Checker {
            _config: config.clone(),
        })
    }

    /// A result decided without any request: `excluded` (exclude rule, or a
    /// literal private address) or `invalid`. `None` means "request it".
    pub fn precheck(&self, _url: &str) -> Option<LinkResult> {
        None
    }

    /// Checks every job `(id, url)` with bounded concurrency (global and per
    /// host) and calls `on_result` as each finishes, in completion order.
    /// When `shutdown` fires, no new request starts; jobs without a result
    /// are simply not reported (the caller marks them `unchecked`).
    pub async fn check_all(
        &self,
        _jobs: Vec<(u32, String)>,
        _shutdown: CancellationToken,
        _on_result: &mut (dyn FnMut(u32, LinkResult) + Send),
    ) {
    }
}
