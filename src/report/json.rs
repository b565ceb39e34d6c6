//! The `--format json` document (issue 4): one JSON object on stdout with
//! the totals, the failing links, a repository summary and why the run
//! ended. Built from the same [`SummaryInput`] as summary.md.
//!
//! Never does I/O.

use super::summary::{LinkEntry, RepoEntry, SummaryInput};
use crate::model::RepoRow;
use crate::verdict::Change;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// Bump when a field is renamed or removed (adding fields does not).
pub const JSON_VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize)]
pub struct JsonReport {
    pub version: u32,
    pub exit_code: i32,
    pub exit_reason: String,
    pub interrupted: bool,
    pub duration_ms: u64,
    pub api_calls: usize,
    /// API calls to other forges, by forge word (added in version 1; absent
    /// keys mean no call).
    pub forge_api_calls: std::collections::BTreeMap<String, usize>,
    /// Of `api_calls`, those that got an HTTP answer (added in version 1).
    pub api_answered: usize,
    pub links: JsonLinks,
    pub repos: JsonRepos,
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct JsonLinks {
    /// Link occurrences.
    pub total: usize,
    pub cached: usize,
    /// Occurrences per status word (zeros left out).
    pub by_status: BTreeMap<String, usize>,
    /// Every failing occurrence, in input order.
    pub failing: Vec<LinkEntry>,
    /// Links fixed since the previous run (first occurrence per URL).
    pub fixed: Vec<LinkEntry>,
    pub new_failures: usize,
    pub known_failures: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct JsonRepos {
    pub total: usize,
    pub cached: usize,
    /// Repositories per health word (zeros left out).
    pub by_health: BTreeMap<String, usize>,
    /// The most-starred repositories (see `summary::TOP_REPOS`).
    pub top: Vec<JsonRepo>,
    /// Repositories whose health word is in `fail_on`, with their change.
    pub failing: Vec<RepoEntry>,
    /// Repositories in `fail_on` in the previous run and not now.
    pub fixed: Vec<RepoEntry>,
}

#[derive(Clone, Debug, Serialize)]
pub struct JsonRepo {
    pub repo: String,
    pub canonical: Option<String>,
    pub rank: Option<usize>,
    pub stars: Option<u64>,
    pub stars_delta: Option<i64>,
    pub health: String,
    pub pushed_at: Option<DateTime<Utc>>,
    /// The forge word (`github`, `huggingface`, ...), as in repos.csv.
    pub forge: String,
    /// The kind word (`repository`, `model`, `dataset`, `space`).
    pub kind: String,
    /// The project page the repository was found on; absent when an input
    /// links it directly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found_via: Option<String>,
}

impl JsonRepo {
    fn from_row(r: &RepoRow) -> Self {
        JsonRepo {
            repo: r.repo.clone(),
            canonical: r.info.as_ref().map(|i| i.canonical.clone()),
            rank: r.rank,
            stars: r.info.as_ref().map(|i| i.stars),
            stars_delta: r.stars_delta,
            health: r.health.to_string(),
            pushed_at: r.info.as_ref().and_then(|i| i.pushed_at),
            forge: r.forge.to_string(),
            kind: r.kind.to_string(),
            found_via: (!r.found_via.is_empty()).then(|| r.found_via.clone()),
        }
    }
}

impl JsonReport {
    /// Builds the document from the run's summary input.
    pub fn new(input: &SummaryInput<'_>) -> Self {
        let t = input.links;
        let count = |c: Change| t.failing.iter().filter(|e| e.change == Some(c)).count();
        JsonReport {
            version: JSON_VERSION,
            exit_code: input.exit_code,
            exit_reason: input.exit_reason.clone(),
            interrupted: input.interrupted,
            duration_ms: input.duration.as_millis() as u64,
            api_calls: input.api_calls,
            api_answered: input.api_answered,
            forge_api_calls: input
                .forge_calls
                .iter()
                .map(|(f, n)| (f.to_string(), *n))
                .collect(),
            links: JsonLinks {
                total: t.total,
                cached: t.cached,
                by_status: t
                    .status_counts
                    .iter()
                    .map(|(s, n)| (s.to_string(), *n))
                    .collect(),
                failing: t.failing.clone(),
                fixed: t.fixed.clone(),
                new_failures: count(Change::New),
                known_failures: count(Change::Known),
            },
            repos: JsonRepos {
                total: input.repos.len(),
                cached: input.cached_repos(),
                by_health: input
                    .health_counts()
                    .iter()
                    .map(|(h, n)| (h.to_string(), *n))
                    .collect(),
                top: input
                    .top_repos(super::summary::TOP_REPOS)
                    .into_iter()
                    .map(JsonRepo::from_row)
                    .collect(),
                failing: input.failing_repos(),
                fixed: input.fixed_repos(),
            },
            notes: input.notes.clone(),
        }
    }
}

/// Renders the document as pretty JSON (one document, trailing newline).
pub fn render_json(report: &JsonReport) -> String {
    // Plain structs with string keys: serialising cannot fail, but a
    // message beats a panic if it ever did.
    let mut s = serde_json::to_string_pretty(report)
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot render JSON: {e}\"}}"));
    s.push('\n');
    s
}
