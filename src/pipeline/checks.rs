//! Planning and merging the link checks: which unique URLs are already
//! known (reused from the previous run), which go to a forge's API
//! (repository roots: GitHub's stage or `forge`) and which over HTTP;
//! running them all at once; and merging the answers into one result per
//! URL.
//!
//! Project pages (`[follow]`) are read by the same requests: the caller
//! passes `follow`'s `Pages` in (this file never imports `follow`).
//!
//! Never judges a link itself: the checker and `forge::judge_root` do.

use super::checked::{Checked, Reused};
use super::clients::Clients;
use super::converge;
use super::stream::{Stream, audited};
use super::{Links, NO_REPO};
use crate::check::Checker;
use crate::config::Config;
use crate::error::Error;
use crate::forge::{self, ForgeRef, Recognizer};
use crate::model::{Forge, LinkResult, RepoOutcome, Status, Unfetched};
use crate::progress::Progress;
use crate::store::Store;
use chrono::Utc;
use tokio_util::sync::CancellationToken;

/// Checks every unique URL with the run's `clients`: repository roots
/// through their forge's API (GitHub's stage or `forge`), the rest over
/// HTTP, all at once. URLs already decided (`known`) are skipped; the
/// bodies `pages` asks for are read by the same requests.
pub async fn check(
    config: &Config,
    clients: &Clients,
    (store, links): (&Store, &Links),
    known: Reused,
    pages: Option<crate::check::Pages>,
    shutdown: CancellationToken,
    progress: &Progress,
) -> Result<Checked, Error> {
    let known = (known, None);
    check_streamed(
        config,
        clients,
        (store, links),
        known,
        pages,
        shutdown,
        progress,
    )
    .await
}

/// [`check`], with the HTTP checks of a streaming start (`stream`: the
/// checker already running since extraction began) if any.
pub(super) async fn check_streamed(
    config: &Config,
    clients: &Clients,
    (store, links): (&Store, &Links),
    (known, stream): (Reused, Option<Stream>),
    pages: Option<crate::check::Pages>,
    shutdown: CancellationToken,
    progress: &Progress,
) -> Result<Checked, Error> {
    let Reused {
        links: mut reused,
        repos: cached_repos,
        last_audited,
        scope,
        changed,
    } = known;
    let checker = &clients.checker;
    let scopes = (scope.as_ref(), changed.as_ref());
    let cached = (cached_repos.as_slice(), scopes);
    let fed = (stream.as_ref(), pages.as_ref());
    let mut plan = plan(config, (store, links), checker, &mut reused, cached, fed);
    stalest_first(&mut plan, links, &last_audited);
    let failing = failing_statuses(config);
    let reused = start_round(stream.as_ref(), reused, progress, &failing);

    let (repo_query, forge_refs) = queries(links, &plan);
    progress.set_api_busy(!repo_query.is_empty() || !forge_refs.is_empty());
    let api = async {
        match &clients.github {
            Some(gh) if !repo_query.is_empty() => gh.fetch(&repo_query, shutdown.clone()).await,
            _ => (Vec::new(), Default::default()),
        }
    };
    let forge_api = async {
        if forge_refs.is_empty() {
            return (Vec::new(), Default::default());
        }
        clients.forges.fetch(&forge_refs, shutdown.clone()).await
    };
    let apis = async {
        let both = tokio::join!(api, forge_api);
        progress.set_api_busy(false);
        both
    };
    let results = std::sync::Mutex::new(reused);
    let watch = (progress, failing.as_slice());
    let http = http_stage(
        checker,
        (plan.http_jobs, stream, pages),
        &shutdown,
        watch,
        &results,
    );
    let (((fetched, stats), (forge_fetched, forge_stats)), ()) = tokio::join!(apis, http);
    let mut results = results.into_inner().expect("results lock");
    results.resize_with(store.urls.len(), || None);

    let (mut repo_outcomes, repo_fetched) = merge_cached(config, links, cached_repos, scopes);
    let answers = plan.gh_query.iter().zip(fetched);
    for (&i, outcome) in answers.chain(plan.forge_query.iter().zip(forge_fetched)) {
        repo_outcomes[i] = outcome;
    }
    let fallback = judge_roots(store, links, &plan.api_roots, &repo_outcomes, &mut results);
    let (done, bad) = decided(&results, &failing);
    progress.set_counts(done, bad);
    let http = (checker, progress, failing.as_slice());
    check_over_http(http, fallback, &mut results, &shutdown).await;

    let interrupted = shutdown.is_cancelled();
    Ok(Checked {
        results: fill_unchecked(results),
        repo_outcomes,
        repo_fetched,
        api_calls: stats.api_calls,
        api_answered: stats.api_answered,
        forge_calls: forge_stats.calls.into_iter().collect(),
        notes: stats.notes.into_iter().chain(forge_stats.notes).collect(),
        interrupted,
    })
}

/// The streaming start's stream and the pages the plan reads, if any.
type Fed<'a> = (Option<&'a Stream>, Option<&'a crate::check::Pages>);

/// True for a URL the stream already took: it needs no job again, unless
/// the plan makes it a followed page (`Stream::finish`).
fn taken((stream, pages): Fed<'_>, id: u32) -> bool {
    stream.is_some_and(|s| s.streamed(id)) && !pages.is_some_and(|p| p.ids.contains(&id))
}

/// Every HTTP check of the round into `results`: through the stream when
/// there is one (which then hands back every result), else at once.
async fn http_stage(
    checker: &Checker,
    (jobs, stream, pages): (
        Vec<(u32, String)>,
        Option<Stream>,
        Option<crate::check::Pages>,
    ),
    shutdown: &CancellationToken,
    (progress, failing): (&Progress, &[Status]),
    results: &std::sync::Mutex<Vec<Option<LinkResult>>>,
) {
    if let Some(s) = stream {
        let all = s.finish(jobs, pages).await;
        *results.lock().expect("results lock") = all;
        return;
    }
    http_checks(checker, jobs, pages, shutdown.clone(), &mut |id, result| {
        progress.record(failing.contains(&result.status));
        results.lock().expect("results lock")[id as usize] = Some(result);
    })
    .await
}

/// Starts the progress round; with a stream, hands it the results decided
/// before the check (it then holds every result) and returns none.
fn start_round(
    stream: Option<&Stream>,
    reused: Vec<Option<LinkResult>>,
    progress: &Progress,
    failing: &[Status],
) -> Vec<Option<LinkResult>> {
    if let Some(s) = stream {
        s.adopt(reused, progress, failing);
        return Vec::new();
    }
    let (done, bad) = decided(&reused, failing);
    progress.start_round(reused.len() as u64, done, bad);
    reused
}

/// Checks `jobs` (the roots no API answer could judge) over HTTP into
/// `results`, unless the run is stopping.
async fn check_over_http(
    (checker, progress, failing): (&Checker, &Progress, &[Status]),
    jobs: Vec<(u32, String)>,
    results: &mut [Option<LinkResult>],
    shutdown: &CancellationToken,
) {
    if jobs.is_empty() || shutdown.is_cancelled() {
        return;
    }
    checker
        .check_all(jobs, shutdown.clone(), &mut |id, result| {
            progress.record(failing.contains(&result.status));
            results[id as usize] = Some(result);
        })
        .await;
}

/// Under a budget the API queries ask the never audited repositories
/// first, then the stalest (`converge::audit_order`).
fn stalest_first(
    plan: &mut Plan,
    links: &Links,
    last_audited: &[Option<chrono::DateTime<chrono::Utc>>],
) {
    let key = |i: usize| links.repos[i].key();
    plan.gh_query = converge::audit_order(std::mem::take(&mut plan.gh_query), last_audited, key);
    plan.forge_query =
        converge::audit_order(std::mem::take(&mut plan.forge_query), last_audited, key);
}

/// The link statuses under `[ci] fail_on` (what progress counts as failing).
pub(super) fn failing_statuses(config: &Config) -> Vec<Status> {
    config
        .ci
        .fail_on
        .iter()
        .filter_map(|w| match w {
            crate::config::FailWord::Status(s) => Some(*s),
            crate::config::FailWord::Health(_) => None,
        })
        .collect()
}

/// How many of `results` are decided, and how many of those fail.
fn decided(results: &[Option<LinkResult>], failing: &[Status]) -> (u64, u64) {
    let known = results.iter().flatten();
    let bad = known.clone().filter(|r| failing.contains(&r.status));
    (known.count() as u64, bad.count() as u64)
}

/// The HTTP checks, keeping the pages `follow` asked for (if any).
async fn http_checks(
    checker: &Checker,
    jobs: Vec<(u32, String)>,
    pages: Option<crate::check::Pages>,
    shutdown: CancellationToken,
    on_result: &mut (dyn FnMut(u32, LinkResult) + Send),
) {
    match pages {
        Some(pages) => checker.check_pages(jobs, pages, shutdown, on_result).await,
        None => checker.check_all(jobs, shutdown, on_result).await,
    }
}

/// What `plan` decided for the URLs and repositories not already known.
struct Plan {
    /// Requested over HTTP (the checker itself decides excluded and
    /// invalid URLs at once).
    http_jobs: Vec<(u32, String)>,
    /// Repository roots, judged from the API answer.
    api_roots: Vec<u32>,
    /// Repositories to ask about (those without fresh data from the last
    /// run): GitHub's through its stage, the other forges' through `forge`.
    gh_query: Vec<usize>,
    forge_query: Vec<usize>,
}

/// True when unique URL `id` is a repository root judged from its
/// forge's API answer (the audit of its forge is on), not over HTTP.
pub(super) fn api_root(
    config: &Config,
    recognizer: &Recognizer,
    links: &Links,
    id: usize,
    url: &str,
) -> bool {
    let repo = links.repo_of[id];
    repo != NO_REPO
        && audited(config, &links.repos[repo as usize])
        && recognizer.parse(url).is_some_and(|r| r.root)
}

/// Repository data the previous run lets this one reuse, per repository.
type CachedRepos<'a> = &'a [Option<(crate::model::RepoInfo, chrono::DateTime<Utc>)>];

/// A shard's part and a pull-request run's part (`Reused`).
type Scopes<'a> = (
    Option<&'a crate::shard::Scope>,
    Option<&'a crate::changed::Scope>,
);

/// Decides what needs the API, what needs HTTP, and what is already known
/// (a root link the checker decides without a request goes in `reused`;
/// another shard's URL is `unchecked` there). An HTTP job the stream
/// already took ([`taken`]) is left out of `http_jobs`.
fn plan(
    config: &Config,
    (store, links): (&Store, &Links),
    checker: &Checker,
    reused: &mut [Option<LinkResult>],
    (cached_repos, (scope, changed)): (CachedRepos<'_>, Scopes<'_>),
    fed: Fed<'_>,
) -> Plan {
    let mut http_jobs: Vec<(u32, String)> = Vec::new();
    let mut api_roots: Vec<u32> = Vec::new();
    let recognizer = Recognizer::new(config);
    for (id, url) in store.urls.iter().enumerate() {
        if let Some(s) = scope.filter(|s| !s.owns_url(id)) {
            reused[id] = Some(elsewhere(s));
            continue;
        }
        if let Some(c) = changed.filter(|c| !c.has_url(id)) {
            // An unchanged line's link: a fresh previous result, else unchecked.
            reused[id].get_or_insert_with(|| c.unchanged());
            continue;
        }
        if reused[id].is_some() {
            continue;
        }
        let is_root = api_root(config, &recognizer, links, id, url);
        if !is_root {
            if !taken(fed, id as u32) {
                http_jobs.push((id as u32, url.clone()));
            }
        } else if let Some(r) = checker.precheck(url) {
            reused[id] = Some(r);
        } else {
            api_roots.push(id as u32);
        }
    }
    let ours =
        |i: usize| scope.is_none_or(|s| s.owns_repo(i)) && changed.is_none_or(|c| c.has_repo(i));
    let (gh_query, forge_query): (Vec<usize>, Vec<usize>) = (0..links.repos.len())
        .filter(|&i| cached_repos[i].is_none() && audited(config, &links.repos[i]) && ours(i))
        .partition(|&i| links.repos[i].forge == Forge::Github);
    Plan {
        http_jobs,
        api_roots,
        gh_query,
        forge_query,
    }
}

/// The result a shard gives a URL another shard checks.
fn elsewhere(scope: &crate::shard::Scope) -> LinkResult {
    LinkResult::without_request(
        Status::Unchecked,
        format!("checked by another shard than {}", scope.shard),
    )
}

/// What to ask: GitHub's repositories as (owner, name), the other forges'
/// as references.
fn queries(links: &Links, plan: &Plan) -> (Vec<(String, String)>, Vec<ForgeRef>) {
    let repo_query = plan
        .gh_query
        .iter()
        .map(|&i| links.repos[i].owner_name())
        .collect();
    let forge_refs = plan
        .forge_query
        .iter()
        .map(|&i| links.repos[i].clone())
        .collect();
    (repo_query, forge_refs)
}

/// One outcome per repository before this run's answers go over it:
/// reused ones (with when they were fetched); the rest `unknown`, saying
/// why (interrupted before the forge was asked, its audit is off, or
/// another shard audits it).
fn merge_cached(
    config: &Config,
    links: &Links,
    cached_repos: Vec<Option<(crate::model::RepoInfo, chrono::DateTime<Utc>)>>,
    (scope, changed): Scopes<'_>,
) -> (Vec<RepoOutcome>, Vec<Option<chrono::DateTime<Utc>>>) {
    let mut repo_fetched = vec![None; cached_repos.len()];
    let repo_outcomes: Vec<RepoOutcome> = cached_repos
        .into_iter()
        .enumerate()
        .map(|(i, cached)| {
            let on = audited(config, &links.repos[i]);
            if let Some(s) = scope.filter(|s| !s.owns_repo(i)) {
                return RepoOutcome::Unknown(Unfetched::not_asked(format!(
                    "audited by another shard than {}",
                    s.shard
                )));
            }
            if let Some(c) = changed.filter(|c| !c.has_repo(i) && cached.is_none()) {
                return RepoOutcome::Unknown(Unfetched::not_asked(
                    crate::changed::unchanged_reason(&c.rev),
                ));
            }
            match cached {
                Some((info, at)) if on => {
                    repo_fetched[i] = Some(at);
                    RepoOutcome::Found(Box::new(info))
                }
                _ if on => RepoOutcome::Unknown(Unfetched::stopped(format!(
                    "interrupted before {} was asked",
                    forge_title(links.repos[i].forge)
                ))),
                _ => RepoOutcome::Unknown(Unfetched::not_asked(format!(
                    "{} audit disabled",
                    forge_title(links.repos[i].forge)
                ))),
            }
        })
        .collect();
    (repo_outcomes, repo_fetched)
}

/// How notes name a forge.
fn forge_title(f: Forge) -> &'static str {
    match f {
        Forge::Github => "GitHub",
        f => f.as_str(),
    }
}

/// Repository roots are judged from the API answer (`forge::judge_root`,
/// every forge alike); returns the ones the API could not answer about,
/// whose page is then requested.
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
            .and_then(|o| forge::judge_root(o, &links.repos[repo]));
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
