//! The GitHub stage: which URLs name a repository, and what GitHub says
//! about each repository (GraphQL in batches with a token, REST without),
//! within the rate-limit budget. Also the health word of a repository.
//!
//! The only module that knows octocrab and the only one that sees the token,
//! which it sends to the API host alone and never prints, logs or stores.
//!
//! Layout: `refs` (URL -> repository), `graphql` and `rest` (query text and
//! answer reading, no I/O), `plan` (which GraphQL query next: halving a
//! batch GitHub finds too costly, no I/O), `ratelimit` (budget bookkeeping), `client` (the
//! one place where HTTP calls are made, counted, bounded and retried),
//! `health` (the health word).

mod client;
mod graphql;
mod health;
mod plan;
mod ratelimit;
mod refs;
mod rest;
mod transport;

pub use health::{days_since_push, future_push_note, health};
pub use refs::{NON_REPOSITORY_PAGES, parse_repo_url, valid_name, valid_owner};

use crate::config::GithubConfig;
use crate::error::Error;
use crate::model::{RepoKey, RepoOutcome, Unfetched, WhyUnknown};
use crate::proxy::ProxySettings;
use client::{Failure, Req, Session, Stop};
use futures::StreamExt;
use graphql::Reply;
use octocrab::Octocrab;
use plan::{Plan, Shape};
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A repository named by a URL.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RepoRef {
    /// As written in the link (case kept, `.git` removed).
    pub owner: String,
    pub name: String,
    /// True when the URL is the repository root (no deeper path), so the
    /// API answer alone decides the link's status. See `parse_repo_url` for
    /// what counts as the root.
    pub root: bool,
}

impl RepoRef {
    /// `owner/name` as linked.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
    /// Case-insensitive identity used to query each repository once.
    pub fn key(&self) -> RepoKey {
        RepoKey::new(&self.full_name())
    }
}

/// What a fetch did, besides the per-repository outcomes.
#[derive(Debug, Default)]
pub struct FetchStats {
    /// Every HTTP request made to the API, retries and followed redirects
    /// included.
    pub api_calls: usize,
    /// Of `api_calls`, those that got an HTTP answer (any status).
    pub api_answered: usize,
    /// Plain-language notes for the user (budget exhausted, ...).
    pub notes: Vec<String>,
}

/// Bound on one whole API call (connect, answer and body), unless changed
/// with [`Github::with_timeout`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// REST calls in flight at once (no token).
pub const REST_CONCURRENCY: usize = 4;
/// Days back for `commits_90d`.
const COMMIT_WINDOW_DAYS: i64 = 90;

/// A GitHub API client. `Debug` shows whether a token is set, never the
/// token.
pub struct Github {
    config: GithubConfig,
    token: Option<SecretString>,
    timeout: Duration,
    proxy: ProxySettings,
    /// Calls, budget and stop, kept across every fetch of the run.
    account: client::Account,
    /// The run's DNS resolver (one cache, the address guard), when built
    /// with the run's clients.
    resolver: Option<crate::check::Resolver>,
}

impl fmt::Debug for Github {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Github")
            .field("api_url", &self.config.api_url)
            .field("batch_size", &self.config.batch_size)
            .field("max_wait_secs", &self.config.max_wait_secs)
            .field(
                "token",
                &if self.token.is_some() {
                    "<set>"
                } else {
                    "<none>"
                },
            )
            .field("timeout", &self.timeout)
            .field("proxy", &self.proxy)
            .finish()
    }
}

impl Github {
    /// `token`: from `token_from_env()` or a test. Blank tokens count as
    /// none. Fails (without quoting the token) when `api_url` is not an
    /// http(s) URL or the token cannot be sent in an HTTP header.
    pub fn new(config: &GithubConfig, token: Option<SecretString>) -> Result<Github, Error> {
        let url = url::Url::parse(&config.api_url)
            .map_err(|e| Error::Client(format!("[github] api_url `{}`: {e}", config.api_url)))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(Error::Client(format!(
                "[github] api_url `{}` is not an http(s) URL",
                config.api_url
            )));
        }
        let token = token
            .map(|t| SecretString::from(t.expose_secret().trim()))
            .filter(|t| !t.expose_secret().is_empty());
        if let Some(t) = &token
            && !t.expose_secret().bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(Error::Client(
                "the GitHub token (GITHUB_TOKEN / GH_TOKEN) holds characters that cannot be sent \
                 in an HTTP header"
                    .into(),
            ));
        }
        Ok(Github {
            config: config.clone(),
            token,
            timeout: DEFAULT_TIMEOUT,
            proxy: ProxySettings::from_env(None).unwrap_or_default(),
            account: client::Account::default(),
            resolver: None,
        })
    }

    /// Resolves the API host through the run's resolver (its one DNS cache
    /// and the private-address guard) instead of the system's.
    pub fn with_resolver(mut self, resolver: crate::check::Resolver) -> Github {
        self.resolver = Some(resolver);
        self
    }

    /// Sends every API call through these proxy settings (default: the
    /// environment's `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY`).
    pub fn with_proxy(mut self, proxy: ProxySettings) -> Github {
        self.proxy = proxy;
        self
    }

    /// Changes the bound on one API call.
    pub fn with_timeout(mut self, timeout: Duration) -> Github {
        self.timeout = timeout;
        self
    }

    /// True when a token is set (GraphQL batches; else REST).
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// The octocrab client. Built per fetch, inside the caller's runtime
    /// (octocrab spawns a worker task on the current runtime).
    fn octocrab(&self) -> Result<Octocrab, String> {
        transport::octocrab(
            &self.config.api_url,
            self.token.as_ref().map(|t| t.expose_secret()),
            self.timeout,
            &self.proxy,
            self.resolver.clone(),
        )
    }

    /// Fetches every repository (`owner`, `name` as linked; each given once).
    /// Returns one outcome per input, in the same order.
    ///
    /// With a token: GraphQL, `batch_size` repositories per call. Without:
    /// REST, one call per repository, [`REST_CONCURRENCY`] at once; the
    /// fields REST does not give in that call stay empty (`last_commit_at`,
    /// `commits_90d`, `latest_release`, `latest_release_at`).
    /// Never fails: a repository that cannot be fetched is `Unknown` with
    /// the reason, and `FetchStats::notes` says what went wrong overall.
    pub async fn fetch(
        &self,
        repos: &[(String, String)],
        shutdown: CancellationToken,
    ) -> (Vec<RepoOutcome>, FetchStats) {
        let mut stats = FetchStats::default();
        if repos.is_empty() {
            return (Vec::new(), stats);
        }
        let octo = match self.octocrab() {
            Ok(o) => o,
            Err(e) => {
                let e = self.redact(e);
                stats.notes.push(format!("GitHub audit skipped: {e}"));
                return (
                    repos
                        .iter()
                        .map(|_| RepoOutcome::Unknown(e.clone().into()))
                        .collect(),
                    stats,
                );
            }
        };
        let calls_before = self.account.calls();
        let answered_before = self.account.answered();
        let session = Session::new(octo, &self.config, self.timeout, shutdown, &self.account);
        let (mut outcomes, light) = if self.token.is_some() {
            self.fetch_graphql(&session, repos).await
        } else {
            (fetch_rest(&session, repos).await, Vec::new())
        };
        for o in &mut outcomes {
            if let RepoOutcome::Unknown(u) = o {
                u.detail = self.redact(std::mem::take(&mut u.detail));
            }
        }
        stats.api_calls = session.calls() - calls_before;
        stats.api_answered = self.account.answered() - answered_before;
        stats.notes = self.notes(&session, &outcomes);
        let names = repos.iter().map(|(o, n)| format!("{o}/{n}"));
        stats.notes.extend(future_push_note(
            "GitHub",
            &outcomes,
            names,
            chrono::Utc::now(),
        ));
        if !light.is_empty() {
            stats.notes.push(self.redact(format!(
                "{} repositories were audited without their 90-day commit count (GitHub's \
                 GraphQL API timed out counting it): {}",
                light.len(),
                light.join(", ")
            )));
        }
        (outcomes, stats)
    }

    /// GraphQL in batches of `batch_size`, split by `plan::Plan` when
    /// GitHub finds a query too costly. Returns the outcomes and the names
    /// of repositories audited without their commit count.
    async fn fetch_graphql(
        &self,
        session: &Session<'_>,
        repos: &[(String, String)],
    ) -> (Vec<RepoOutcome>, Vec<String>) {
        let since = chrono::Utc::now() - chrono::Duration::days(COMMIT_WINDOW_DAYS);
        let mut out: Vec<Option<RepoOutcome>> = repos.iter().map(invalid_outcome).collect();
        let valid: Vec<usize> = (0..repos.len()).filter(|&i| out[i].is_none()).collect();
        let mut plan = Plan::new(&valid, self.config.batch_size);
        let mut light = Vec::new();
        while let Some(ask) = plan.next() {
            let batch: Vec<(String, String)> =
                ask.repos.iter().map(|&i| repos[i].clone()).collect();
            let (answers, asked_again) =
                match graphql_batch(session, &batch, since, ask.shape).await {
                    Batch::TooCostly(why) => {
                        let given_up = plan.too_costly(ask);
                        for i in given_up.failed {
                            out[i] = Some(RepoOutcome::Unknown(Unfetched::failed(format!(
                                "GitHub GraphQL API could not answer for this repository, even \
                             without its commit count ({why})"
                            ))));
                        }
                        for i in given_up.abandoned {
                            out[i] = Some(RepoOutcome::Unknown(Unfetched::failed(format!(
                                "not asked: the GitHub GraphQL API failed on every query, even \
                             single repositories without the commit count ({why})"
                            ))));
                        }
                        continue;
                    }
                    // Those left without data at a resource limit go back to
                    // the plan as a smaller batch; their outcome waits for it.
                    Batch::Answered(answers, retry) => {
                        if !retry.is_empty() && plan.partly_answered(&ask, &retry) {
                            (answers, retry)
                        } else {
                            plan.answered();
                            (answers, Vec::new())
                        }
                    }
                    Batch::Failed(answers) => (answers, Vec::new()),
                };
            for (p, (&i, outcome)) in ask.repos.iter().zip(answers).enumerate() {
                if asked_again.contains(&p) {
                    continue;
                }
                if ask.shape == Shape::Light && matches!(outcome, RepoOutcome::Found(_)) {
                    light.push(format!("{}/{}", repos[i].0, repos[i].1));
                }
                out[i] = Some(outcome);
            }
        }
        let out = out
            .into_iter()
            .map(|o| o.unwrap_or_else(|| RepoOutcome::Unknown("not fetched".into())))
            .collect();
        (out, light)
    }

    /// Plain-language notes on what kept repositories from being fetched.
    fn notes(&self, session: &Session<'_>, outcomes: &[RepoOutcome]) -> Vec<String> {
        let total = outcomes.len();
        let mut notes = Vec::new();
        let stop = session.stopped();
        let unknown = |o: &&RepoOutcome, stopped: bool| matches!(o, RepoOutcome::Unknown(u) if (u.why == WhyUnknown::Stopped) == stopped);
        let left = outcomes.iter().filter(|o| unknown(o, true)).count();
        let other = outcomes.iter().filter(|o| unknown(o, false)).count();
        // The pipeline keeps what an earlier report knew of them
        // (`pipeline::converge`); the others are `unknown`.
        let kept = " (known ones keep earlier values)";
        match &stop {
            Some(Stop::RateLimited(reason)) => {
                let hint = if self.token.is_some() {
                    "The token's hourly budget is spent; run again after the reset."
                } else {
                    "Without a token GitHub allows 60 requests an hour; set GITHUB_TOKEN (or \
                     GH_TOKEN) to a GitHub token to raise the limit to 5,000 an hour and fetch \
                     50 repositories per request."
                };
                notes.push(format!(
                    "GitHub API {reason}: {left} of {total} repositories were left unfetched{kept}. {hint}"
                ));
            }
            Some(Stop::Interrupted) => notes.push(format!(
                "GitHub audit interrupted: {left} of {total} repositories were left \
                 unfetched{kept}."
            )),
            Some(Stop::Unreachable(reason)) => notes.push(format!(
                "{reason}; {left} of {total} repositories were left unfetched{kept} (`-v` shows the \
                 whole error)."
            )),
            Some(Stop::Refused(reason)) => notes.push(format!(
                "{reason}: {left} of {total} repositories were left unfetched{kept}."
            )),
            Some(Stop::CallBudget(reason)) => notes.push(format!(
                "GitHub {reason}: {left} of {total} repositories were left unfetched{kept}; \
                 they are asked first next run."
            )),
            None => {}
        }
        if other > 0 {
            notes.push(format!(
                "{other} of {total} repositories could not be fetched from the GitHub API (the \
                 reason is in the error column)."
            ));
        }
        notes.into_iter().map(|n| self.redact(n)).collect()
    }

    /// Belt and braces: no text we hand out may quote the token.
    fn redact(&self, s: String) -> String {
        match &self.token {
            Some(t) if s.contains(t.expose_secret()) => s.replace(t.expose_secret(), "[redacted]"),
            _ => s,
        }
    }
}

/// `Unknown` for a name GitHub could not hold (never asked about).
fn invalid_outcome((owner, name): &(String, String)) -> Option<RepoOutcome> {
    (!valid_owner(owner) || !valid_name(name)).then(|| {
        RepoOutcome::Unknown(Unfetched::not_asked(format!(
            "`{owner}/{name}` is not a valid GitHub repository name"
        )))
    })
}

fn refused(raw: &client::Raw) -> Stop {
    Stop::Refused(format!(
        "GitHub API refused the credentials (HTTP 401: {}); check GITHUB_TOKEN / GH_TOKEN",
        raw.message()
    ))
}

/// What one GraphQL call for a batch gave.
enum Batch {
    /// GitHub answered with data: one outcome per repository, and the
    /// positions of those it left without data at a resource limit (asked
    /// again in a smaller batch).
    Answered(Vec<RepoOutcome>, Vec<usize>),
    /// No data: one `Unknown` per repository, with the reason.
    Failed(Vec<RepoOutcome>),
    /// The query cost too much (see `plan`): the reason.
    TooCostly(String),
}

/// One GraphQL call for a batch.
async fn graphql_batch(
    session: &Session<'_>,
    batch: &[(String, String)],
    since: chrono::DateTime<chrono::Utc>,
    shape: Shape,
) -> Batch {
    let n = batch.len();
    let all = |u: Unfetched| Batch::Failed(vec![RepoOutcome::Unknown(u); n]);
    let body = serde_json::json!({ "query": graphql::build_query(batch, since, shape) });
    let raw = match session.call(&Req::Post(&body)).await {
        Ok(raw) => raw,
        Err(f) => return all(f.unfetched()),
    };
    match graphql::classify(raw.status, &raw.body, n, &raw.message()) {
        Reply::Data(answer) => {
            session.report_budget(answer.remaining, answer.reset_at);
            Batch::Answered(answer.outcomes, answer.retry)
        }
        Reply::TooCostly(why) => Batch::TooCostly(why),
        Reply::Refused => all(session.halt(refused(&raw)).unfetched()),
        Reply::Failed(reason) => all(Unfetched::failed(reason)),
    }
}

/// REST, one call per repository, a few at once, in input order.
async fn fetch_rest(session: &Session<'_>, repos: &[(String, String)]) -> Vec<RepoOutcome> {
    futures::stream::iter(repos)
        .map(|repo| rest_one(session, repo))
        .buffered(REST_CONCURRENCY)
        .collect()
        .await
}

async fn rest_one(session: &Session<'_>, repo: &(String, String)) -> RepoOutcome {
    if let Some(o) = invalid_outcome(repo) {
        return o;
    }
    let (owner, name) = repo;
    let raw = match session
        .call(&Req::Get(format!("/repos/{owner}/{name}")))
        .await
    {
        Ok(raw) => raw,
        Err(f @ (Failure::Stopped(_) | Failure::Failed(_))) => {
            return RepoOutcome::Unknown(f.unfetched());
        }
    };
    if let Some(why) = rest::blocked(raw.status, &raw.body) {
        return RepoOutcome::Unavailable(why);
    }
    match raw.status {
        200 => match rest::repo_info(&raw.body) {
            Ok(info) => {
                // GitHub answers a different name only through the 301 of a
                // renamed repository, which octocrab followed: one more call.
                if info.is_renamed_from(&format!("{owner}/{name}")) {
                    session.count_extra_call();
                }
                RepoOutcome::Found(Box::new(info))
            }
            Err(e) => RepoOutcome::Unknown(e.into()),
        },
        404 => RepoOutcome::Missing,
        401 => RepoOutcome::Unknown(session.halt(refused(&raw)).unfetched()),
        s => {
            RepoOutcome::Unknown(format!("GitHub API answered HTTP {s}: {}", raw.message()).into())
        }
    }
}

/// `GITHUB_TOKEN`, else `GH_TOKEN`; empty values count as unset.
pub fn token_from_env() -> Option<SecretString> {
    ["GITHUB_TOKEN", "GH_TOKEN"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.trim().is_empty())
        .map(SecretString::from)
}
