//! The GitHub stage: which URLs name a repository, and what GitHub says
//! about each repository (GraphQL in batches with a token, REST without),
//! within the rate-limit budget. Also the health word of a repository.
//!
//! The only module that knows octocrab and the only one that sees the token,
//! which it sends to the API host alone and never prints, logs or stores.

use crate::config::GithubConfig;
use crate::error::Error;
use crate::model::{Health, RepoOutcome};
use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

/// A repository named by a URL.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RepoRef {
    /// As written in the link (case kept, `.git` removed).
    pub owner: String,
    pub name: String,
    /// True when the URL is the repository root (no deeper path), so the
    /// API answer alone decides the link's status.
    pub root: bool,
}

impl RepoRef {
    /// `owner/name` as linked.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
    /// Case-insensitive identity used to query each repository once.
    pub fn key(&self) -> String {
        self.full_name().to_ascii_lowercase()
    }
}

/// The repository a URL points into, if any.
pub fn parse_repo_url(_url: &str) -> Option<RepoRef> {
    None
}

/// What a fetch did, besides the per-repository outcomes.
#[derive(Debug, Default)]
pub struct FetchStats {
    pub api_calls: usize,
    /// Plain-language notes for the user (budget exhausted, ...).
    pub notes: Vec<String>,
}

/// A GitHub API client.
pub struct Github {
    _config: GithubConfig,
}

impl Github {
    /// `token`: from `token_from_env()` or a test.
    pub fn new(config: &GithubConfig, _token: Option<String>) -> Result<Github, Error> {
        Ok(Github {
            _config: config.clone(),
        })
    }

    /// Fetches every repository (`owner`, `name` as linked; each given once).
    /// Returns one outcome per input, in the same order.
    pub async fn fetch(
        &self,
        repos: &[(String, String)],
        _shutdown: CancellationToken,
    ) -> (Vec<RepoOutcome>, FetchStats) {
        (
            repos
                .iter()
                .map(|_| RepoOutcome::Unknown("not implemented".into()))
                .collect(),
            FetchStats::default(),
        )
    }
}

/// `GITHUB_TOKEN`, else `GH_TOKEN`; empty values count as unset.
pub fn token_from_env() -> Option<String> {
    ["GITHUB_TOKEN", "GH_TOKEN"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.trim().is_empty())
}

/// The health word of a repository outcome, in the documented precedence.
pub fn health(outcome: &RepoOutcome, _config: &GithubConfig, _now: DateTime<Utc>) -> Health {
    match outcome {
        RepoOutcome::Missing => Health::Missing,
        RepoOutcome::Unknown(_) => Health::Unknown,
        RepoOutcome::Found(_) => Health::Active,
    }
}
