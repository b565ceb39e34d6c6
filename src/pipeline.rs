//! The pipeline: wires input -> extract -> check / github -> report and
//! decides the run's outcome (the exit code a CI job sees).
//!
//! Owns incremental reuse of the previous reports, the fail policy and the
//! shutdown behaviour. Never parses formats, never speaks HTTP itself and
//! never formats report files: each of those belongs to its stage.

use crate::check::Checker;
use crate::check::fetch::FetchError;
use crate::config::{Config, ReportFormat};
use crate::error::Error;
use crate::extract;
use crate::forge::{self, ForgeRef, Forges, Recognizer};
use crate::github::{self, Github};
use crate::history;
use crate::history::{History, ReportPaths};
use crate::input::{self, OpenError, Source};
use crate::model::{
    CodeState, Forge, LinkResult, LinkRow, PaperRow, RepoKey, RepoOutcome, RepoRow, Role, Status,
};
use crate::report;
use crate::report::{JsonReport, LinkTally, RepoPapers, SummaryInput};
use crate::store::{NO_PAPER, Store};
use crate::verdict::{self, FailPolicy, Judge};
use chrono::Utc;
use secrecy::SecretString;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// Marks "not a repository" in `Links::repo_of`.
const NO_REPO: u32 = u32::MAX;

/// Reads every source into a `Store`, one at a time. Runs on a blocking
/// thread: extraction is synchronous streaming over `BufRead`.
/// `fetch` brings one URL source (a remote input is held in memory only
/// while it is being read); `Ok(Err(reason))` skips it with a warning.
pub fn collect(
    sources: &[Source],
    cap: u64,
    fetch: &mut FetchRemote<'_>,
    warnings: &mut Vec<String>,
) -> Result<Store, Error> {
    let mut store = Store::default();
    for source in sources {
        let opened = match source {
            Source::Url(url) => match fetch(url)? {
                Ok((ext, body)) => input::open_reader(
                    url,
                    ext.as_deref(),
                    Box::new(std::io::Cursor::new(body)),
                    cap,
                ),
                Err(skipped) => {
                    warnings.push(skipped);
                    continue;
                }
            },
            _ => input::open(source, cap),
        };
        let Some(opened) = skip_unreadable(opened, warnings)? else {
            continue;
        };
        let name = source.name();
        let cut = opened.cut.clone();
        let mut sink = store.begin_source(name.clone());
        extract::extract(opened.format, opened.reader, &mut |e| sink.event(e)).map_err(|e| {
            Error::Io {
                path: name.clone().into(),
                source: e,
            }
        })?;
        warnings.extend(cut.message(&name));
    }
    Ok(store)
}

/// An input that is skipped (a binary file) becomes a warning and `None`.
fn skip_unreadable(
    opened: Result<input::Opened, OpenError>,
    warnings: &mut Vec<String>,
) -> Result<Option<input::Opened>, Error> {
    match opened {
        Ok(o) => Ok(Some(o)),
        Err(OpenError::Skip(msg)) => {
            warnings.push(msg);
            Ok(None)
        }
        Err(OpenError::Fatal(e)) => Err(e),
    }
}

/// Fetches one remote input: `Ok(Ok((extension standing for its content
/// type, body)))`, `Ok(Err(warning))` to skip it, `Err` to stop the run.
pub type FetchRemote<'a> =
    dyn FnMut(&str) -> Result<Result<(Option<String>, Vec<u8>), String>, Error> + Send + 'a;

/// Fetches one URL input with the checker's remap, address and proxy rules.
async fn fetch_remote(
    checker: &Checker,
    url: &str,
    max_bytes: usize,
) -> Result<Result<(Option<String>, Vec<u8>), String>, Error> {
    let doc = match checker.fetch_document(url, max_bytes).await {
        Ok(doc) => doc,
        Err(FetchError::TooLarge { max_bytes }) => {
            return Ok(Err(format!(
                "{url}: skipped, the document is larger than the {} cap for remote inputs \
                 (max_input_mib; nothing of it was read)",
                input::human_bytes(max_bytes as u64)
            )));
        }
        Err(FetchError::Failed(message)) => {
            return Err(Error::Input {
                input: url.to_string(),
                message: format!("cannot fetch: {message}"),
            });
        }
    };
    let ext = url::Url::parse(url)
        .ok()
        .and_then(|u| crate::check::fetch::extension_for(doc.content_type.as_deref(), &u));
    Ok(Ok((ext, doc.body)))
}

/// Extraction of every source on a blocking thread; remote inputs are
/// fetched from there, one at a time, on the caller's runtime.
async fn collect_all(config: &Config, sources: Vec<Source>) -> Result<(Store, Vec<String>), Error> {
    let cap = config.max_input_bytes();
    let max_remote_bytes = usize::try_from(cap).unwrap_or(usize::MAX);
    let checker = if sources.iter().any(|s| matches!(s, Source::Url(_))) {
        Some(Checker::new(&config.check)?)
    } else {
        None
    };
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let mut warnings = Vec::new();
        let mut fetch = |url: &str| match &checker {
            Some(c) => runtime.block_on(fetch_remote(c, url, max_remote_bytes)),
            None => Ok(Err(format!("{url}: not fetched"))),
        };
        collect(&sources, cap, &mut fetch, &mut warnings).map(|s| (s, warnings))
    })
    .await
    .map_err(|e| Error::Input {
        input: "inputs".into(),
        message: format!("extraction failed: {e}"),
    })?
}

/// The `extract` command: streams every link as CSV to `out`, keeping no
/// more than the current paper title per source in memory.
pub fn extract_to(
    sources: &[Source],
    cap: u64,
    recognizer: &Recognizer,
    out: &mut dyn Write,
    warnings: &mut Vec<String>,
) -> Result<(), Error> {
    let mut writer = crate::report::LinkCsvWriter::new(out, false).map_err(stdout_error)?;
    for source in sources {
        let Some(opened) = skip_unreadable(input::open(source, cap), warnings)? else {
            continue;
        };
        let name = source.name();
        let cut = opened.cut.clone();
        let mut titles: HashMap<usize, (String, String)> = HashMap::new();
        let mut failed: Option<std::io::Error> = None;
        extract::extract(opened.format, opened.reader, &mut |event| {
            if failed.is_some() {
                return;
            }
            match event {
                extract::Event::Paper(p) => {
                    // Links only ever refer to the latest paper or one shortly
                    // before it; keep the map small on huge inputs.
                    if titles.len() > 64 {
                        titles.clear();
                    }
                    titles.insert(p.index, (p.title, p.section));
                }
                extract::Event::Link(l) => {
                    let (paper, section) = l
                        .paper
                        .and_then(|i| titles.get(&i))
                        .map_or(("", ""), |(t, s)| (t.as_str(), s.as_str()));
                    let repo = recognizer
                        .parse(&l.url)
                        .map(|r| r.full_name())
                        .unwrap_or_default();
                    let row = LinkRow {
                        source: &name,
                        line: l.line,
                        column: l.column,
                        paper,
                        url: &l.url,
                        repo: &repo,
                        result: None,
                        first_failed_at: None,
                        archive: None,
                        section,
                        role: l.role,
                    };
                    if let Err(e) = writer.write(&row) {
                        failed = Some(e);
                    }
                }
                extract::Event::ClaimsCode { .. } | extract::Event::WithholdsCode { .. } => {}
            }
        })
        .map_err(|e| Error::Io {
            path: name.clone().into(),
            source: e,
        })?;
        if let Some(e) = failed {
            return Err(stdout_error(e));
        }
        warnings.extend(cut.message(&name));
    }
    writer.flush().map_err(stdout_error)
}

fn stdout_error(e: std::io::Error) -> Error {
    Error::Output {
        path: "<stdout>".into(),
        source: e,
    }
}

/// Which repository (on any forge) each unique URL points into.
pub struct Links {
    pub repo_of: Vec<u32>,
    pub repos: Vec<ForgeRef>,
}

/// Maps every unique URL to its repository (when it names one).
pub fn find_repos(store: &Store, recognizer: &Recognizer) -> Links {
    let mut index: HashMap<RepoKey, u32> = HashMap::new();
    let mut repos = Vec::new();
    let repo_of = store
        .urls
        .iter()
        .map(|url| match recognizer.parse(url) {
            Some(r) => *index.entry(r.key()).or_insert_with(|| {
                repos.push(r.clone());
                (repos.len() - 1) as u32
            }),
            None => NO_REPO,
        })
        .collect();
    Links { repo_of, repos }
}

/// Everything the check stage produced.
pub struct Checked {
    pub results: Vec<LinkResult>,
    pub repo_outcomes: Vec<RepoOutcome>,
    /// For repositories reused from the previous report: when they were fetched.
    pub repo_fetched: Vec<Option<chrono::DateTime<Utc>>>,
    pub api_calls: usize,
    /// API calls to the other forges.
    pub forge_calls: Vec<(Forge, usize)>,
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
    let recognizer = Recognizer::new(config);
    let audited = |r: &ForgeRef| audited(config, r);

    // Decide what needs the API, what needs HTTP, and what is already known.
    let mut http_jobs: Vec<(u32, String)> = Vec::new();
    let mut api_roots: Vec<u32> = Vec::new();
    for (id, url) in store.urls.iter().enumerate() {
        if reused[id].is_some() {
            continue;
        }
        let repo = links.repo_of[id];
        let is_root = repo != NO_REPO
            && audited(&links.repos[repo as usize])
            && recognizer.parse(url).is_some_and(|r| r.root);
        if !is_root {
            // The checker itself decides excluded and invalid URLs at once.
            http_jobs.push((id as u32, url.clone()));
        } else if let Some(r) = checker.precheck(url) {
            reused[id] = Some(r);
        } else {
            api_roots.push(id as u32);
        }
    }
    progress.set_length(store.urls.len() as u64);
    progress.set_position(reused.iter().filter(|r| r.is_some()).count() as u64);

    // Repositories to ask about: those without fresh data from the last run,
    // GitHub's through its stage, the other forges' through `forge`.
    let (gh_query, forge_query): (Vec<usize>, Vec<usize>) = (0..links.repos.len())
        .filter(|&i| cached_repos[i].is_none() && audited(&links.repos[i]))
        .partition(|&i| links.repos[i].forge == Forge::Github);
    let repo_query: Vec<(String, String)> = gh_query
        .iter()
        .map(|&i| links.repos[i].owner_name())
        .collect();
    let forge_refs: Vec<ForgeRef> = forge_query
        .iter()
        .map(|&i| links.repos[i].clone())
        .collect();

    let proxy = crate::proxy::ProxySettings::from_env(config.check.proxy.as_deref()).map_err(
        |message| Error::Config {
            path: "[check] proxy".into(),
            message,
        },
    )?;
    let gh = if config.github.enabled {
        Some(Github::new(&config.github, token)?.with_proxy(proxy.clone()))
    } else {
        None
    };
    let forges = Forges::new(&config.forges, forge::Secret::from_env("HF_TOKEN"), proxy);
    let api = async {
        match &gh {
            Some(gh) if !repo_query.is_empty() => gh.fetch(&repo_query, shutdown.clone()).await,
            _ => (Vec::new(), Default::default()),
        }
    };
    let forge_api = async {
        if forge_refs.is_empty() {
            return (Vec::new(), Default::default());
        }
        forges.fetch(&forge_refs, shutdown.clone()).await
    };
    let results = std::sync::Mutex::new(reused);
    let http = async {
        checker
            .check_all(http_jobs, shutdown.clone(), &mut |id, result| {
                results.lock().expect("results lock")[id as usize] = Some(result);
                progress.inc(1);
            })
            .await
    };
    let ((fetched, stats), (forge_fetched, forge_stats), ()) = tokio::join!(api, forge_api, http);
    let mut results = results.into_inner().expect("results lock");

    let mut repo_fetched = vec![None; links.repos.len()];
    let mut repo_outcomes: Vec<RepoOutcome> = cached_repos
        .into_iter()
        .enumerate()
        .map(|(i, cached)| {
            let on = audited(&links.repos[i]);
            match cached {
                Some((info, at)) if on => {
                    repo_fetched[i] = Some(at);
                    RepoOutcome::Found(Box::new(info))
                }
                _ if on => RepoOutcome::Unknown(format!(
                    "interrupted before {} was asked",
                    forge_title(links.repos[i].forge)
                )),
                _ => RepoOutcome::Unknown(format!(
                    "{} audit disabled",
                    forge_title(links.repos[i].forge)
                )),
            }
        })
        .collect();
    for (i, outcome) in gh_query.into_iter().zip(fetched) {
        repo_outcomes[i] = outcome;
    }
    for (i, outcome) in forge_query.into_iter().zip(forge_fetched) {
        repo_outcomes[i] = outcome;
    }

    // Repository roots are judged from the API answer; when the API could
    // not answer, fall back to requesting the page itself.
    let mut fallback = Vec::new();
    for &id in &api_roots {
        let repo = links.repo_of[id as usize] as usize;
        match forge::judge_root(&repo_outcomes[repo], &links.repos[repo]) {
            Some(r) => {
                results[id as usize] = Some(r);
                progress.inc(1);
            }
            None => fallback.push((id, store.urls[id as usize].clone())),
        }
    }
    if !fallback.is_empty() && !shutdown.is_cancelled() {
        checker
            .check_all(fallback, shutdown.clone(), &mut |id, result| {
                results[id as usize] = Some(result);
                progress.inc(1);
            })
            .await;
    }

    let interrupted = shutdown.is_cancelled();
    let results = results
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|| {
                LinkResult::without_request(
                    Status::Unchecked,
                    "run interrupted before this link was checked",
                )
            })
        })
        .collect();
    Ok(Checked {
        results,
        repo_outcomes,
        repo_fetched,
        api_calls: stats.api_calls,
        forge_calls: forge_stats.calls.into_iter().collect(),
        notes: stats.notes.into_iter().chain(forge_stats.notes).collect(),
        interrupted,
    })
}

/// Which broken links the archives are asked about: those whose role (in
/// some occurrence) is code, project or dataset; a dead paper PDF, video or
/// tweet is not code that went missing.
fn wants_archive(result: &LinkResult, role: ArchiveRole) -> bool {
    result.status == Status::Broken && role == ArchiveRole::Wanted
}

/// Whether any occurrence of a unique URL has a role worth archiving.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ArchiveRole {
    Wanted,
    Other,
}

/// Per unique URL: [`ArchiveRole`] over its occurrences.
fn archive_roles(store: &Store) -> Vec<ArchiveRole> {
    let mut roles = vec![ArchiveRole::Other; store.urls.len()];
    for o in &store.occurrences {
        if matches!(o.role, Role::Code | Role::Project | Role::Dataset) {
            roles[o.url as usize] = ArchiveRole::Wanted;
        }
    }
    roles
}

/// What the archive stage learnt, per target, with the way back from
/// unique URLs and repositories to their targets.
#[derive(Debug, Default)]
pub struct Archived {
    pub targets: Vec<crate::archive::Target>,
    /// Per target; `None` when nothing is known (archive off, budget spent,
    /// or the archives could not answer).
    pub lookups: Vec<Option<crate::archive::Lookup>>,
    /// Per unique URL: its target, when it is one.
    pub url_target: Vec<Option<u32>>,
    /// Per repository (`Links::repos` index): its target, when missing.
    pub repo_target: Vec<Option<u32>>,
    pub saves: Vec<crate::archive::Save>,
    /// Requests sent to the archives in this run.
    pub calls: usize,
    pub notes: Vec<String>,
    pub enabled: bool,
}

impl Archived {
    /// What is known about the target of unique URL `id`.
    pub fn of_url(
        &self,
        id: usize,
    ) -> Option<(&crate::archive::Target, Option<&crate::archive::Lookup>)> {
        let t = self.url_target.get(id).copied().flatten()? as usize;
        Some((&self.targets[t], self.lookups[t].as_ref()))
    }

    /// What is known about the target with this key.
    pub fn of_key(&self, key: &str) -> Option<&crate::archive::Lookup> {
        let t = self.targets.iter().position(|t| t.key == key)?;
        self.lookups[t].as_ref()
    }

    /// The words for every dead URL whose archives answered, in order of
    /// first appearance, with the copy URL when there is one.
    pub fn words_by_url<'s>(&self, store: &'s Store) -> Vec<(&'s str, String, Option<String>)> {
        let mut out = Vec::new();
        for (id, url) in store.urls.iter().enumerate() {
            let Some((target, Some(lookup))) = self.of_url(id) else {
                continue;
            };
            if let Some(words) = crate::archive::words(&lookup.outcome, target.code) {
                let copy = match &lookup.outcome {
                    crate::archive::Outcome::Found { url, .. } => Some(url.clone()),
                    _ => None,
                };
                out.push((url.as_str(), words, copy));
            }
        }
        out
    }

    /// The archive section of summary.md.
    fn render_md(&self, words: &[(&str, String, Option<String>)]) -> String {
        let entries: Vec<report::ArchiveEntry> = words
            .iter()
            .map(|(url, w, copy)| report::ArchiveEntry {
                url: url.to_string(),
                words: w.clone(),
                copy: copy.clone(),
            })
            .collect();
        let saves: Vec<(String, String)> = self
            .saves
            .iter()
            .map(|s| (s.origin.clone(), s.status.clone()))
            .collect();
        report::render_archive_md(self.enabled, self.calls, &entries, &saves)
    }

    /// One sentence for the terminal: how many dead links have a copy.
    fn sentence(&self) -> Option<String> {
        if !self.enabled || self.targets.is_empty() {
            return None;
        }
        let known: Vec<&crate::archive::Outcome> =
            self.lookups.iter().flatten().map(|l| &l.outcome).collect();
        let found = known
            .iter()
            .filter(|o| matches!(o, crate::archive::Outcome::Found { .. }))
            .count();
        Some(format!(
            "{} dead links or missing repositories: {found} with an archived copy, {} without, {} not looked up ({} archive calls).",
            self.targets.len(),
            known.len() - found,
            self.targets.len() - known.len(),
            self.calls
        ))
    }

    /// What is known about repository `i` (missing ones only).
    pub fn of_repo(&self, i: usize) -> Option<&crate::archive::Lookup> {
        let t = self.repo_target.get(i).copied().flatten()? as usize;
        self.lookups[t].as_ref()
    }
}

/// Looks up archived copies of every broken link and missing repository
/// (reusing fresh answers from the previous links.csv), and with
/// `save_live` submits live repositories. Skipped when interrupted.
async fn archive_stage(
    config: &Config,
    store: &Store,
    links: &Links,
    checked: &Checked,
    history: &History,
    token: Option<crate::archive::Token>,
    shutdown: CancellationToken,
) -> Result<Archived, Error> {
    use crate::archive::{ArchiveClient, Target};
    let mut out = Archived {
        url_target: vec![None; store.urls.len()],
        repo_target: vec![None; links.repos.len()],
        enabled: config.archive.enabled,
        ..Archived::default()
    };
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut add = |out: &mut Archived, target: Target| -> u32 {
        *index.entry(target.key.clone()).or_insert_with(|| {
            out.targets.push(target);
            out.lookups.push(None);
            (out.targets.len() - 1) as u32
        })
    };
    let roles = archive_roles(store);
    for (id, (url, result)) in store.urls.iter().zip(&checked.results).enumerate() {
        if !wants_archive(result, roles[id]) {
            continue;
        }
        let repo = links.repo_of[id];
        let target = if repo == NO_REPO {
            Target::other(url, is_code_link(url, false))
        } else {
            archive_target(&links.repos[repo as usize])
        };
        let t = add(&mut out, target);
        out.url_target[id] = Some(t);
        if out.enabled && out.lookups[t as usize].is_none() {
            out.lookups[t as usize] = history.reusable_archive(url);
        }
    }
    let mut live = Vec::new();
    for (i, outcome) in checked.repo_outcomes.iter().enumerate() {
        match outcome {
            RepoOutcome::Missing => {
                let t = add(&mut out, archive_target(&links.repos[i]));
                out.repo_target[i] = Some(t);
            }
            RepoOutcome::Found(info) if links.repos[i].forge == Forge::Github => {
                live.push(Target::github(&info.canonical))
            }
            RepoOutcome::Found(_) => {}
            RepoOutcome::Unknown(_) => {}
        }
    }
    if !config.archive.enabled || checked.interrupted {
        return Ok(out);
    }
    let dead: Vec<Target> = (0..out.targets.len())
        .filter(|&t| out.lookups[t].is_none())
        .map(|t| out.targets[t].clone())
        .collect();
    if dead.is_empty() && !config.archive.save_live {
        return Ok(out);
    }
    let client = ArchiveClient::new(&config.archive, &config.check, token)?;
    let looked = crate::archive::run(&client, dead, live, shutdown).await;
    for (t, target) in out.targets.iter().enumerate() {
        if let Some(l) = looked.lookups.get(&target.key)
            && !matches!(l.outcome, crate::archive::Outcome::Unknown(_))
        {
            out.lookups[t] = Some(l.clone());
        }
    }
    out.saves = looked.saves;
    out.calls = looked.calls;
    out.notes = looked.notes;
    Ok(out)
}

/// The archive target of a repository: its GitHub origin, or on another
/// forge its web address.
fn archive_target(r: &ForgeRef) -> crate::archive::Target {
    match r.forge {
        Forge::Github => crate::archive::Target::github(&r.full_name()),
        _ => crate::archive::Target::other(&format!("https://{}", r.full_name()), true),
    }
}

/// True when a repository's forge is audited through its API (GitHub:
/// `[github] enabled`; others: `[forges] enabled` and an API base URL).
fn audited(config: &Config, r: &ForgeRef) -> bool {
    match r.forge {
        Forge::Github => config.github.enabled,
        _ => config.forges.enabled && forge::api_base(&config.forges, r).is_some(),
    }
}

/// How notes name a forge.
fn forge_title(f: Forge) -> &'static str {
    match f {
        Forge::Github => "GitHub",
        f => f.as_str(),
    }
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

/// Rows of links.csv in input order.
pub fn link_rows<'a>(
    store: &'a Store,
    links: &'a Links,
    repo_names: &'a [String],
    results: &'a [LinkResult],
    first_failed: &'a [Option<chrono::DateTime<Utc>>],
    archive: &'a [Option<crate::model::ArchiveCells>],
) -> impl Iterator<Item = LinkRow<'a>> + 'a {
    store.occurrences.iter().map(move |o| {
        let repo = links.repo_of[o.url as usize];
        LinkRow {
            source: &store.sources[o.source as usize],
            line: o.line as usize,
            column: o.column as usize,
            paper: if o.paper == NO_PAPER {
                ""
            } else {
                &store.papers[o.paper as usize].title
            },
            url: &store.urls[o.url as usize],
            repo: if repo == NO_REPO {
                ""
            } else {
                &repo_names[repo as usize]
            },
            result: Some(&results[o.url as usize]),
            first_failed_at: first_failed[o.url as usize],
            archive: archive.get(o.url as usize).and_then(Option::as_ref),
            section: if o.paper == NO_PAPER {
                ""
            } else {
                &store.papers[o.paper as usize].section
            },
            role: o.role,
        }
    })
}

pub use crate::verdict::Exit;

/// What `run` prints on `out` when done (the library's own type; the
/// binary maps its `--format` flag onto it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputFormat {
    /// One paragraph of totals.
    Summary,
    /// One JSON document, nothing else on `out`.
    Json,
    /// One SARIF 2.1.0 log (what links.sarif holds), nothing else on `out`.
    Sarif,
    /// Nothing.
    #[default]
    None,
}

/// Everything `run` needs besides the shutdown signal.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub config: Config,
    /// Check everything again (history is still carried over).
    pub no_cache: bool,
    /// Only failures new since the previous report fail the run.
    pub fail_on_new: bool,
    pub format: OutputFormat,
    /// The GitHub token; only the `github` stage ever reads it. Its
    /// `Debug` is redacted and it has no `Display`.
    pub token: Option<SecretString>,
    /// The Software Heritage token (`SWH_TOKEN`); only `archive` reads it.
    pub swh_token: Option<crate::archive::Token>,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// Print GitHub Actions workflow commands.
    pub github_actions: bool,
    /// `$GITHUB_STEP_SUMMARY`: summary.md is appended there too.
    pub step_summary: Option<std::path::PathBuf>,
    /// Annotation paths are made relative to this directory.
    pub workdir: std::path::PathBuf,
    /// Colour and width of the end-of-run text (`--format summary`).
    pub terminal: report::TerminalStyle,
}

impl RunOptions {
    /// Options for a library user or a test: no progress bar, no Actions output.
    pub fn new(config: Config) -> Self {
        RunOptions {
            config,
            no_cache: false,
            fail_on_new: false,
            format: OutputFormat::None,
            token: None,
            swh_token: None,
            progress: false,
            github_actions: false,
            step_summary: None,
            workdir: std::env::current_dir().unwrap_or_default(),
            terminal: report::TerminalStyle::default(),
        }
    }
}

fn warn(msg: &str) {
    eprintln!("paperlinks: warning: {msg}");
}

/// The `extract` command: resolves the config's inputs and streams every
/// link as CSV to `out`. No network at all (remote inputs are refused).
pub fn run_extract(config: &Config, out: &mut dyn Write) -> Result<(), Error> {
    let resolved = input::resolve(&config.inputs)?;
    if let Some(Source::Url(url)) = resolved
        .sources
        .iter()
        .find(|s| matches!(s, Source::Url(_)))
    {
        return Err(Error::Input {
            input: url.clone(),
            message: "`extract` does no network I/O; download the page first or use `check`".into(),
        });
    }
    for w in &resolved.warnings {
        warn(w);
    }
    let mut warnings = Vec::new();
    let result = extract_to(
        &resolved.sources,
        config.max_input_bytes(),
        &Recognizer::new(config),
        out,
        &mut warnings,
    );
    for w in &warnings {
        warn(w);
    }
    result
}

/// The `check` command: the whole pipeline. Writes every report (also when
/// interrupted) and returns how the run ended.
pub async fn run(
    options: RunOptions,
    shutdown: CancellationToken,
    out: &mut (dyn Write + Send),
) -> Result<Exit, Error> {
    let started = Instant::now();
    let config = &options.config;
    let fail_words = config.fail_words().map_err(|message| Error::Config {
        path: "config".into(),
        message,
    })?;

    // Inputs -> extraction, on a blocking thread (streaming BufRead).
    let resolved = input::resolve(&config.inputs)?;
    for w in &resolved.warnings {
        warn(w);
    }
    let (store, warnings) = collect_all(config, resolved.sources).await?;
    for w in &warnings {
        warn(w);
    }
    let links = find_repos(&store, &Recognizer::new(config));

    // The previous run's reports: reuse and history.
    std::fs::create_dir_all(&config.output_dir).map_err(|e| Error::Report {
        path: config.output_dir.clone(),
        source: e,
    })?;
    let paths = ReportPaths::new(&config.output_dir);
    let history = History::load(&paths, config, options.no_cache);
    for w in &history.warnings {
        warn(w);
    }

    let reused: Vec<Option<LinkResult>> = store
        .urls
        .iter()
        .map(|url| history.reusable_link(url))
        .collect();

    let cached_repos = links
        .repos
        .iter()
        .map(|r| history.reusable_repo(&r.key()))
        .collect();
    let progress = crate::progress::bar(options.progress, store.urls.len());
    let checked = check(
        config,
        &store,
        &links,
        Reused {
            links: reused,
            repos: cached_repos,
        },
        options.token.clone(),
        shutdown.clone(),
        &progress,
    )
    .await?;
    progress.finish_and_clear();
    for note in &checked.notes {
        warn(note);
    }
    let archived = archive_stage(
        config,
        &store,
        &links,
        &checked,
        &history,
        options.swh_token.clone(),
        shutdown.clone(),
    )
    .await?;

    let now = Utc::now();
    let first_failed: Vec<_> = store
        .urls
        .iter()
        .zip(&checked.results)
        .map(|(url, r)| history::carry_first_failed(history.previous_link(url), r))
        .collect();
    let repo_names: Vec<String> = links.repos.iter().map(|r| r.full_name()).collect();
    let mut repo_rows = repo_rows(config, &store, &links, &checked, &history, now);
    for row in &mut repo_rows {
        if let Some(l) = archived.of_key(&crate::archive::Target::github(&row.repo).key) {
            row.archive = l.cells();
        }
    }
    let url_archive: Vec<Option<crate::model::ArchiveCells>> = (0..store.urls.len())
        .map(|id| archived.of_url(id).and_then(|(_, l)| l).map(|l| l.cells()))
        .collect();
    let mut paper_rows = paper_rows(&store, &links, &checked.results, &repo_rows);
    let recoverable = code_recoverable(&store, &links, &checked.results, &archived);
    for (row, r) in paper_rows.iter_mut().zip(recoverable) {
        row.code_recoverable = r;
    }
    let policy = FailPolicy::from_words(&fail_words, options.fail_on_new);
    let judge = Judge::new(
        &policy,
        history.had_links.then_some(&history.links),
        history.repos.as_ref(),
    );
    let rows = || {
        link_rows(
            &store,
            &links,
            &repo_names,
            &checked.results,
            &first_failed,
            &url_archive,
        )
    };

    // Decide the exit before writing, so every report can say it.
    let unreachable = network_unreachable(&checked.results);
    let unique = store.urls.iter().map(String::as_str);
    let failures = judge.failures(
        unique.zip(checked.results.iter().map(|r| r.status)),
        &repo_rows,
    );
    let (exit, exit_reason) = verdict::decide_exit(
        checked.interrupted,
        unreachable,
        failures,
        &policy,
        &config.ci.fail_on,
    );

    // Reports.
    let wants = |f| config.report.wants(f);
    if wants(ReportFormat::Csv) {
        report::write_links_csv(&paths.links, rows(), true)?;
        report::write_repos_csv(&paths.repos, &repo_rows)?;
        report::write_papers_csv(&paths.papers, &paper_rows)?;
    }
    let archive_words = archived.words_by_url(&store);
    let words_of: HashMap<&str, &str> = archive_words
        .iter()
        .map(|(url, w, _)| (*url, w.as_str()))
        .collect();
    let mut tally = LinkTally::new(judge.has_previous_links());
    let mut repo_papers = RepoPapers::new();
    for row in rows() {
        tally.add(&row, &judge);
        repo_papers.add(&row);
    }
    let previous_repos_at = history.repos.as_ref().and_then(|r| r.report_at);
    if wants(ReportFormat::Md) {
        report::write_text_atomic(
            &paths.popularity_md,
            &report::render_popularity_md(&repo_rows, &repo_papers, &paper_rows, previous_repos_at),
        )?;
    }
    if wants(ReportFormat::Svg) {
        report::write_popularity_svg(&paths.popularity_svg, &repo_rows)?;
    }
    let mut notes = checked.notes.clone();
    notes.extend(archived.notes.iter().cloned());
    notes.extend(history.warnings.iter().cloned());
    if unreachable {
        notes.push(exit_reason.clone());
    }
    let summary = SummaryInput {
        links: &tally,
        repos: &repo_rows,
        has_previous_repos: history.repos.is_some(),
        judge,
        interrupted: checked.interrupted,
        duration: started.elapsed(),
        api_calls: checked.api_calls,
        forge_calls: checked.forge_calls.clone(),
        exit_code: i32::from(exit.code()),
        exit_reason: exit_reason.clone(),
        notes,
    };
    let mut markdown = report::render_summary(&summary);
    markdown.push_str(&archived.render_md(&archive_words));
    if wants(ReportFormat::Md) {
        report::write_text_atomic(&paths.summary, &markdown)?;
    }
    if wants(ReportFormat::Html) {
        write_html(config, &summary, &paper_rows)?;
    }
    if let Some(Err(e)) = options
        .step_summary
        .as_ref()
        .map(|step| report::append_step_summary(step, &markdown))
    {
        warn(&e.to_string());
    }

    // The level of each finding (the verdict's): what SARIF and JUnit list, and how.
    let link_level =
        |row: &LinkRow<'_>| row.result.and_then(|r| judge.link(row.url, r.status).level);
    let repo_level = |repo: &RepoRow| judge.repo(repo).level;
    let dir = &config.output_dir;
    if wants(ReportFormat::Sarif) {
        report::write_atomic(&dir.join(report::names::LINKS_SARIF), |w| {
            report::write_sarif(
                w,
                rows(),
                &repo_rows,
                link_level,
                repo_level,
                &options.workdir,
            )
        })?;
    }
    if wants(ReportFormat::Junit) {
        report::write_atomic(&dir.join(report::names::JUNIT_XML), |w| {
            report::write_junit(w, rows, link_level, &options.workdir)
        })?;
    }

    // Terminal output: annotations (stdout, or stderr when stdout carries
    // JSON), then the summary in the chosen format.
    let out_err = stdout_error;
    if options.github_actions {
        let result = if matches!(options.format, OutputFormat::Json | OutputFormat::Sarif) {
            report::write_annotations(
                std::io::stderr().lock(),
                rows(),
                &repo_rows,
                &judge,
                &options.workdir,
                |url| words_of.get(url).map(|w| w.to_string()),
            )
        } else {
            report::write_annotations(
                &mut *out,
                rows(),
                &repo_rows,
                &judge,
                &options.workdir,
                |url| words_of.get(url).map(|w| w.to_string()),
            )
        };
        result.map_err(out_err)?;
    }
    match options.format {
        OutputFormat::Json => {
            out.write_all(report::render_json(&JsonReport::new(&summary)).as_bytes())
                .map_err(out_err)?;
        }
        OutputFormat::Sarif => {
            let to = &mut *out;
            report::write_sarif(
                to,
                rows(),
                &repo_rows,
                link_level,
                repo_level,
                &options.workdir,
            )
            .map_err(out_err)?;
        }
        OutputFormat::Summary => {
            let text = report::render_terminal(
                &summary,
                archived.sentence().as_slice(),
                &config.output_dir,
                store.urls.len(),
                options.terminal,
            );
            writeln!(out, "{text}").map_err(out_err)?;
        }
        OutputFormat::None => {}
    }
    out.flush().map_err(out_err)?;
    if checked.interrupted {
        eprintln!(
            "paperlinks: the run was interrupted; reports hold what was known (unchecked links marked `unchecked`)"
        );
    }
    Ok(exit)
}

/// index.html: the page marks what fails the run exactly as the exit
/// code counts it (the verdict's `fails_run`).
fn write_html(
    config: &Config,
    summary: &SummaryInput<'_>,
    papers: &[PaperRow<'_>],
) -> Result<(), Error> {
    let judge = &summary.judge;
    report::write_html_report(
        &config.output_dir.join(report::names::INDEX_HTML),
        &report::HtmlInput {
            summary,
            papers,
            generated_at: Utc::now(),
            fails_link: &|e| judge.link(&e.url, e.status).fails_run,
            fails_repo: &|r| judge.repo(r).fails_run,
        },
    )
}

/// One row per repository, ranked, with star deltas against the previous run.
fn repo_rows(
    config: &Config,
    store: &Store,
    links: &Links,
    checked: &Checked,
    history: &History,
    now: chrono::DateTime<Utc>,
) -> Vec<RepoRow> {
    let n = links.repos.len();
    let mut link_count = vec![0usize; n];
    let mut papers: Vec<HashSet<u32>> = vec![HashSet::new(); n];
    for o in &store.occurrences {
        let r = links.repo_of[o.url as usize];
        if r != NO_REPO {
            link_count[r as usize] += 1;
            if o.paper != NO_PAPER {
                papers[r as usize].insert(o.paper);
            }
        }
    }
    let mut rows: Vec<RepoRow> = links
        .repos
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let outcome = &checked.repo_outcomes[i];
            let (fetched_at, cached) = checked.repo_fetched[i].map_or((now, false), |t| (t, true));
            let (info, error) = match outcome {
                RepoOutcome::Found(info) => (Some((**info).clone()), String::new()),
                RepoOutcome::Missing => (None, "repository not found (deleted or private)".into()),
                RepoOutcome::Unknown(reason) => (None, reason.clone()),
            };
            RepoRow {
                repo: r.full_name(),
                forge: r.forge,
                kind: r.kind,
                days_since_push: info
                    .as_ref()
                    .and_then(|i| i.pushed_at)
                    .map(|p| now.signed_duration_since(p).num_days()),
                info,
                papers: papers[i].len(),
                links: link_count[i],
                health: github::health(outcome, &config.github, now),
                rank: None,
                error,
                fetched_at,
                cached,
                stars_delta: None,
                previous_report_at: None,
                archive: Default::default(),
            }
        })
        .collect();
    report::rank_repos(&mut rows);
    if let Some(prev) = &history.repos {
        history::fill_star_deltas(&mut rows, prev);
    }
    rows
}

/// Hosts whose links count as code links in papers.csv, besides GitHub
/// repositories: other code forges and model hubs.
const CODE_HOSTS: [&str; 6] = [
    "gitlab.com",
    "bitbucket.org",
    "codeberg.org",
    "sourceforge.net",
    "huggingface.co",
    "gitee.com",
];

fn is_code_link(url: &str, is_repo: bool) -> bool {
    if is_repo {
        return true;
    }
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
        })
        .is_some_and(|h| {
            CODE_HOSTS.iter().any(|c| {
                h.strip_suffix(c)
                    .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
            })
        })
}

/// papers.csv `code_recoverable` per paper: empty when the paper has no
/// code link or one is not `broken`; `archived` when an archive holds a copy
/// of one of its dead code links; `lost` when the archives were asked about
/// every one and hold none; empty when that is not known.
fn code_recoverable(
    store: &Store,
    links: &Links,
    results: &[LinkResult],
    archived: &Archived,
) -> Vec<&'static str> {
    use crate::archive::Outcome;
    // Per paper: (has dead code, alive code, archived, unknown).
    let mut state = vec![(false, false, false, false); store.papers.len()];
    for o in &store.occurrences {
        let (id, paper) = (o.url as usize, o.paper);
        if paper == NO_PAPER || !is_code_link(&store.urls[id], links.repo_of[id] != NO_REPO) {
            continue;
        }
        let s = &mut state[paper as usize];
        if results[id].status != Status::Broken {
            s.1 = true;
            continue;
        }
        s.0 = true;
        match archived.of_url(id).and_then(|(_, l)| l).map(|l| &l.outcome) {
            Some(Outcome::Found { .. }) => s.2 = true,
            Some(Outcome::NotFound) => {}
            _ => s.3 = true,
        }
    }
    state
        .into_iter()
        .map(|(dead, alive, copy, unknown)| match () {
            _ if !dead || alive => "",
            _ if copy => "archived",
            _ if !unknown => "lost",
            _ => "",
        })
        .collect()
}

/// One row per paper, in input order.
fn paper_rows<'a>(
    store: &'a Store,
    links: &Links,
    results: &[LinkResult],
    repos: &[RepoRow],
) -> Vec<PaperRow<'a>> {
    // Repository rows are ranked (reordered): find them by name.
    let by_name: HashMap<RepoKey, &RepoRow> = repos.iter().map(|r| (r.key(), r)).collect();
    let mut rows: Vec<PaperRow> = store
        .papers
        .iter()
        .map(|p| PaperRow {
            source: &store.sources[p.source as usize],
            line: p.line as usize,
            paper: &p.title,
            links: 0,
            code_links: 0,
            repos: 0,
            broken_links: 0,
            best_repo: String::new(),
            best_repo_stars: None,
            health: None,
            claims_code_without_link: false,
            code_recoverable: "",
            code_state: CodeState::None,
            section: &p.section,
            paper_url: "",
            role_links: [0; 9],
        })
        .collect();
    // Per unique URL, not per occurrence: a URL is parsed once.
    let code_link: Vec<bool> = store
        .urls
        .iter()
        .zip(&links.repo_of)
        .map(|(url, &repo)| is_code_link(url, repo != NO_REPO))
        .collect();
    let mut seen_repos: Vec<HashSet<u32>> = vec![HashSet::new(); rows.len()];
    for o in &store.occurrences {
        if o.paper == NO_PAPER {
            continue;
        }
        let row = &mut rows[o.paper as usize];
        let repo = links.repo_of[o.url as usize];
        row.links += 1;
        row.role_links[o.role as usize] += 1;
        if o.role == Role::Paper && row.paper_url.is_empty() {
            row.paper_url = &store.urls[o.url as usize];
        }
        if code_link[o.url as usize] || o.role == Role::Code {
            row.code_links += 1;
        }
        if results[o.url as usize].status.is_failure() {
            row.broken_links += 1;
        }
        if repo == NO_REPO || !seen_repos[o.paper as usize].insert(repo) {
            continue;
        }
        row.repos += 1;
        let Some(r) = by_name.get(&links.repos[repo as usize].key()) else {
            continue;
        };
        if row
            .health
            .is_none_or(|h| r.health.goodness_rank() < h.goodness_rank())
        {
            row.health = Some(r.health);
        }
        if let Some(info) = r
            .info
            .as_ref()
            .filter(|i| row.best_repo_stars.is_none_or(|s| i.stars > s))
        {
            row.best_repo = r.repo.clone();
            row.best_repo_stars = Some(info.stars);
        }
    }
    for (row, paper) in rows.iter_mut().zip(&store.papers) {
        row.code_state = CodeState::decide(row.code_links, paper.claims_code, paper.withholds_code);
        row.claims_code_without_link =
            matches!(row.code_state, CodeState::Promised | CodeState::Withheld);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::{archive_roles, is_code_link, wants_archive};
    use crate::model::{LinkResult, Status};
    use crate::store::Store;

    #[test]
    fn only_dead_code_project_and_dataset_links_are_archived() {
        let md = "**A Paper**\n\n- Paper: https://arxiv.org/pdf/1.pdf\n- Code: https://github.com/a/b\n- Video: https://www.youtube.com/watch?v=x\n- Homepage: https://a.github.io/p/\n";
        let mut store = Store::default();
        let mut sink = store.begin_source("a.md".into());
        for e in crate::extract::extract_str(crate::extract::Format::Markdown, md) {
            sink.event(e);
        }
        let roles = archive_roles(&store);
        let broken = LinkResult::without_request(Status::Broken, "404");
        let alive = LinkResult::without_request(Status::Ok, "");
        let wanted = |r: &LinkResult| -> Vec<&str> {
            store
                .urls
                .iter()
                .zip(&roles)
                .filter(|&(_, &role)| wants_archive(r, role))
                .map(|(u, _)| u.as_str())
                .collect()
        };
        assert_eq!(
            wanted(&broken),
            ["https://github.com/a/b", "https://a.github.io/p/"]
        );
        assert!(wanted(&alive).is_empty());
    }

    #[test]
    fn code_links_are_repositories_and_code_hosts_with_their_subdomains() {
        assert!(is_code_link("https://example.org/x", true));
        for url in [
            "https://gitlab.com/a/b",
            "https://GitLab.com./a/b",
            "https://www.huggingface.co/m",
            "https://foo.sourceforge.net/",
        ] {
            assert!(is_code_link(url, false), "{url}");
        }
        for url in [
            "https://notgitlab.com/a/b",
            "https://gitlab.com.evil.org/a",
            "https://example.org/gitlab.com",
            "not a url",
        ] {
            assert!(!is_code_link(url, false), "{url}");
        }
    }
}
