//! Planning and merging the link checks: which unique URLs are already
//! known (reused from the previous run), which go to the GitHub API
//! (repository roots) and which over HTTP; running both at once; and
//! merging the answers into one result per URL.
//!
//! Never judges a link itself: the checker and the GitHub stage
//! (`github::judge_root_link`) do.

use super::{Links, NO_REPO};
use crate::check::Checker;
use crate::config::Config;
use crate::error::Error;
use crate::github::{self, Github};
use crate::model::{LinkResult, RepoOutcome, Status};
use crate::store::Store;
use chrono::Utc;
use secrecy::SecretString;
use tokio_util::sync::CancellationToken;

/// Everything the check stage produced.
pub struct Checked {
    pub results: Vec<LinkResult>,
    pub repo_outcomes: Vec<RepoOutcome>,
    /// For repositories reused from the previous report: when they were fetched.
    pub repo_fetched: Vec<Option<chrono::DateTime<Utc>>>,
    pub api_calls: usize,
    pub notes: Vec<String>,
    pub interrupted: bool,
}

/// What the previous run lets this one skip: a result per unique URL and
/// repository data (with when it was fetched) per repository, where fresh.
pub struct Reused {
    pub links: Vec<Option<LinkResult>>,
    pub repos: Vec<Option<(crate::model::RepoInfo, chrono::DateTime<Utc>)>>,
}

/// Checks every unique URL: repository roots through the GitHub API, the
/// rest over HTTP, both at once. URLs already decided (`reused`) are skipped.
pub async fn check(
    config: &Config,
    store: &Store,
    links: &Links,
    known: Reused,
    token: Option<SecretString>,
    shutdown: CancellationToken,
    progress: &indicatif::ProgressBar,
) -> Result<Checked, Error> {
    let Reused {
        links: mut reused,
        repos: cached_repos,
    } = known;
    let checker = Checker::new(&config.check)?;
    let github_on = config.github.enabled;
    let plan = plan(
        store,
        links,
        github_on,
        &checker,
        &mut reused,
        &cached_repos,
    );
    progress.set_length(store.urls.len() as u64);
    progress.set_position(reused.iter().filter(|r| r.is_some()).count() as u64);
    let gh = github_session(config, token)?;

    let repo_query: Vec<(String, String)> = plan
        .to_query
        .iter()
        .map(|&i| (links.repos[i].owner.clone(), links.repos[i].name.clone()))
        .collect();
    let api = async {
        match &gh {
            Some(gh) if !repo_query.is_empty() => gh.fetch(&repo_query, shutdown.clone()).await,
            _ => (Vec::new(), Default::default()),
        }
    };
    let results = std::sync::Mutex::new(reused);
    let http = async {
        checker
            .check_all(plan.http_jobs, shutdown.clone(), &mut |id, result| {
                results.lock().expect("results lock")[id as usize] = Some(result);
                progress.inc(1);
            })
            .await
    };
    let ((fetched, stats), ()) = tokio::join!(api, http);
    let mut results = results.into_inner().expect("results lock");

    let (repo_outcomes, repo_fetched) =
        merge_repo_outcomes(cached_repos, plan.to_query, fetched, github_on);
    let fallback = judge_roots(store, links, &plan.api_roots, &repo_outcomes, &mut results);
    progress.inc((plan.api_roots.len() - fallback.len()) as u64);
    if !fallback.is_empty() && !shutdown.is_cancelled() {
        checker
            .check_all(fallback, shutdown.clone(), &mut |id, result| {
                results[id as usize] = Some(result);
                progress.inc(1);
            })
            .await;
    }

    let interrupted = shutdown.is_cancelled();
    Ok(Checked {
        results: fill_unchecked(results),
        repo_outcomes,
        repo_fetched,
        api_calls: stats.api_calls,
        notes: stats.notes,
        interrupted,
    })
}

/// What `plan` decided for the URLs and repositories not already known.
struct Plan {
    /// Requested over HTTP (the checker itself decides excluded and
    /// invalid URLs at once).
    http_jobs: Vec<(u32, String)>,
    /// Repository roots, judged from the API answer.
    api_roots: Vec<u32>,
    /// Repositories to ask about: those without fresh data from the last run.
    to_query: Vec<usize>,
}

/// Decides what needs the API, what needs HTTP, and what is already known
/// (a root link the checker decides without a request goes in `reused`).
fn plan(
    store: &Store,
    links: &Links,
    github_on: bool,
    checker: &Checker,
    reused: &mut [Option<LinkResult>],
    cached_repos: &[Option<(crate::model::RepoInfo, chrono::DateTime<Utc>)>],
) -> Plan {
    let mut http_jobs: Vec<(u32, String)> = Vec::new();
    let mut api_roots: Vec<u32> = Vec::new();
    for (id, url) in store.urls.iter().enumerate() {
        if reused[id].is_some() {
            continue;
        }
        let repo = links.repo_of[id];
        let is_root = repo != NO_REPO && github_on && is_root_link(url);
        if !is_root {
            http_jobs.push((id as u32, url.clone()));
        } else if let Some(r) = checker.precheck(url) {
            reused[id] = Some(r);
        } else {
            api_roots.push(id as u32);
        }
    }
    let to_query: Vec<usize> = if github_on {
        (0..links.repos.len())
            .filter(|&i| cached_repos[i].is_none())
            .collect()
    } else {
        Vec::new()
    };
    Plan {
        http_jobs,
        api_roots,
        to_query,
    }
}

/// The GitHub client of the run (through the proxy settings), when the
/// audit is on.
fn github_session(config: &Config, token: Option<SecretString>) -> Result<Option<Github>, Error> {
    if !config.github.enabled {
        return Ok(None);
    }
    let proxy = crate::proxy::ProxySettings::from_env(config.check.proxy.as_deref()).map_err(
        |message| Error::Config {
            path: "[check] proxy".into(),
            message,
        },
    )?;
    Ok(Some(Github::new(&config.github, token)?.with_proxy(proxy)))
}

/// One outcome per repository: reused ones (with when they were fetched),
/// then this run's answers over them.
fn merge_repo_outcomes(
    cached_repos: Vec<Option<(crate::model::RepoInfo, chrono::DateTime<Utc>)>>,
    to_query: Vec<usize>,
    fetched: Vec<RepoOutcome>,
    github_on: bool,
) -> (Vec<RepoOutcome>, Vec<Option<chrono::DateTime<Utc>>>) {
    let mut repo_fetched = vec![None; cached_repos.len()];
    let mut repo_outcomes: Vec<RepoOutcome> = cached_repos
        .into_iter()
        .enumerate()
        .map(|(i, cached)| match cached {
            Some((info, at)) if github_on => {
                repo_fetched[i] = Some(at);
                RepoOutcome::Found(Box::new(info))
            }
            _ if github_on => RepoOutcome::Unknown("interrupted before GitHub was asked".into()),
            _ => RepoOutcome::Unknown("GitHub audit disabled".into()),
        })
        .collect();
    for (i, outcome) in to_query.into_iter().zip(fetched) {
        repo_outcomes[i] = outcome;
    }
    (repo_outcomes, repo_fetched)
}

/// Repository roots are judged from the API answer
/// (`github::judge_root_link`); returns the ones GitHub could not answer
/// about, whose page is then requested.
fn judge_roots(
    store: &Store,
    links: &Links,
    api_roots: &[u32],
    repo_outcomes: &[RepoOutcome],
    results: &mut [Option<LinkResult>],
) -> Vec<(u32, String)> {
    let mut fallback = Vec::new();
    for &id in api_roots {
        let repo = links.repo_of[id as usize] as usize;
        let judged = repo_outcomes
            .get(repo)
            .and_then(|o| github::judge_root_link(o, &links.repos[repo]));
        match judged {
            Some(r) => results[id as usize] = Some(r),
            None => fallback.push((id, store.urls[id as usize].clone())),
        }
    }
    fallback
}

/// Every URL still without a result was not checked before the run stopped.
fn fill_unchecked(results: Vec<Option<LinkResult>>) -> Vec<LinkResult> {
    results
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|| {
                LinkResult::without_request(
                    Status::Unchecked,
                    "run interrupted before this link was checked",
                )
            })
        })
        .collect()
}

fn is_root_link(url: &str) -> bool {
    github::parse_repo_url(url).is_some_and(|r| r.root)
}

/// True when HTTP checks were attempted and not one got any HTTP answer:
/// the network itself looks unreachable, so no link can be called dead.
pub fn network_unreachable(results: &[LinkResult]) -> bool {
    let mut attempted = 0usize;
    for r in results {
        if r.cached
            || matches!(
                r.status,
                Status::Excluded | Status::Invalid | Status::Unchecked
            )
        {
            continue;
        }
        if r.http_status.is_some() || !matches!(r.status, Status::NetworkError | Status::Timeout) {
            return false;
        }
        attempted += 1;
    }
    attempted > 0
}
