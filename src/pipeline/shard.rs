//! Shards as the pipeline runs them: which URLs and repositories a shard
//! checks (`scope`), the two files it leaves next to its reports
//! (`write_shard`), and the `merge` command (`run_merge`), which reads
//! them back, has `crate::shard::verify` check them against its own
//! inputs and config, unions their results into the structures a single
//! run builds and hands those to the same `finish` path, so a merge
//! writes exactly the reports a single run writes.
//!
//! Never checks a link and never asks an API; the only files it reads are
//! the shard files named on the command line.

use super::archive::archived_from_shards;
use super::checked::Checked;
use super::checks::api_root;
use super::{Archived, Done, Exit, Links, RunOptions, finish, follow, load_history};
use crate::config::Config;
use crate::error::Error;
use crate::forge::Recognizer;
use crate::model::{LinkResult, RepoOutcome};
use crate::shard::{
    self, ArchiveResults, Expected, InputDigest, Manifest, RepoResult, Results, Scope, Shard,
    UrlResult,
};
use crate::store::Store;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Which unique URLs and repositories shard `s` checks: a repository by
/// its key; a link by the host it is requested from (the checker's key,
/// after `remap`, so one host's requests and its per-host limit stay in
/// one process), except a repository root judged from the API, which goes
/// with its repository.
pub(super) fn scope(
    config: &Config,
    checker: &crate::check::Checker,
    store: &Store,
    links: &Links,
    s: Shard,
) -> Scope {
    let recognizer = Recognizer::new(config);
    let repos: Vec<bool> = links
        .repos
        .iter()
        .map(|r| s.owns(r.key().as_str()))
        .collect();
    let urls = store
        .urls
        .iter()
        .enumerate()
        .map(|(id, url)| {
            if api_root(config, &recognizer, links, id, url) {
                repos[links.repo_of[id] as usize]
            } else {
                s.owns(&checker.host_key(url))
            }
        })
        .collect();
    Scope {
        shard: s,
        urls,
        repos,
    }
}

/// Writes `shard-results.json` and `shard.json` (last, so a manifest
/// always has its results) into the output directory. A shard's own exit
/// is its partial view's: failures and an unreachable network are left to
/// `merge` (exit 0); an interrupted shard still exits 130.
pub(super) fn write_shard(
    config: &Config,
    scope: &Scope,
    done: &Done<'_>,
    inputs: Vec<InputDigest>,
    started_at: DateTime<Utc>,
    exit: Exit,
) -> Result<Exit, Error> {
    let results = export(scope, done);
    let manifest = Manifest {
        format: shard::FORMAT,
        shard: scope.shard.k,
        shards: scope.shard.n,
        version: env!("CARGO_PKG_VERSION").into(),
        config_sha256: shard::config_digest(config),
        inputs,
        unique_urls: done.store.urls.len(),
        repositories: done.links.repos.len(),
        checked_urls: results.links.len(),
        audited_repositories: results.repos.len(),
        started_at,
        finished_at: Utc::now(),
    };
    let dir = &config.output_dir;
    write_json(&dir.join(shard::RESULTS), &results)?;
    write_json(&dir.join(shard::MANIFEST), &manifest)?;
    eprintln!(
        "paperlinks: shard {} checked {} of {} unique links and {} of {} repositories \
         ({} and {} in {})\npaperlinks: shard {} written; the merge decides the exit",
        scope.shard,
        manifest.checked_urls,
        manifest.unique_urls,
        manifest.audited_repositories,
        manifest.repositories,
        shard::MANIFEST,
        shard::RESULTS,
        dir.display(),
        scope.shard,
    );
    Ok(match exit {
        Exit::Interrupted => Exit::Interrupted,
        Exit::Ok | Exit::Failures | Exit::Unreachable => Exit::Ok,
    })
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), Error> {
    let text = serde_json::to_string(value).map_err(|e| Error::Report {
        path: path.to_path_buf(),
        source: e.into(),
    })?;
    crate::report::write_text_atomic(path, &text)
}

/// What this shard learnt: its URLs' results, its repositories' outcomes
/// and every archive answer it holds.
fn export(scope: &Scope, d: &Done<'_>) -> Results {
    let links = d
        .store
        .urls
        .iter()
        .enumerate()
        .filter(|(id, _)| scope.owns_url(*id))
        .map(|(id, url)| UrlResult {
            url: url.clone(),
            result: d.checked.results[id].clone(),
        })
        .collect();
    let repos = (0..d.links.repos.len())
        .filter(|&i| scope.owns_repo(i))
        .map(|i| RepoResult {
            key: d.links.repos[i].key().as_str().to_string(),
            outcome: d.checked.repo_outcomes[i].clone(),
            fetched_at: d.checked.repo_fetched[i],
        })
        .collect();
    Results {
        format: shard::FORMAT,
        links,
        repos,
        api_calls: d.checked.api_calls,
        api_answered: Some(d.checked.api_answered),
        forge_calls: d.checked.forge_calls.clone(),
        notes: d.checked.notes.clone(),
        interrupted: d.checked.interrupted,
        archive: export_archive(d.archived),
    }
}

fn export_archive(a: &Archived) -> ArchiveResults {
    ArchiveResults {
        lookups: a
            .targets
            .iter()
            .zip(&a.lookups)
            .filter_map(|(t, l)| Some((t.key.clone(), l.clone()?)))
            .collect(),
        saves: a.saves.clone(),
        calls: a.calls,
        notes: a.notes.clone(),
    }
}

/// The `merge` command: reads the shards in `dirs`, refuses a set that is
/// not exactly shards 1..N of one run on this merge's inputs, config and
/// version (`Error::Shard`, exit 3), and writes the reports a single run
/// would have written into the config's `output_dir`, with its exit.
pub async fn run_merge(
    options: RunOptions,
    dirs: &[PathBuf],
    out: &mut (dyn Write + Send),
) -> Result<Exit, Error> {
    let started = Instant::now();
    let config = &options.config;
    super::validate(config)?;
    let fail_words = config.ci.fail_on.clone();
    super::probe_output_dir(&config.output_dir)?;
    let _lock = super::outputs::lock_output_dir(&config.output_dir).await?;
    // The merge requests nothing but remote inputs: only the checker is used.
    let clients = super::Clients::build(&options)?;
    let (mut store, mut links, digests, _) =
        super::gather::gather(config, &clients.checker, true, None).await?;
    refuse_own_output(config, dirs)?;
    let manifests = read_manifests(dirs)?;
    let version = env!("CARGO_PKG_VERSION");
    let config_sha256 = shard::config_digest(config);
    let expected = Expected {
        version,
        config_sha256: &config_sha256,
        inputs: &digests,
    };
    let named: Vec<(&str, Manifest)> = manifests
        .iter()
        .map(|(d, m)| (d.as_str(), m.clone()))
        .collect();
    shard::verify(&named, &expected).map_err(|(dir, message)| Error::Shard {
        dir: dir.into(),
        message,
    })?;
    let results = dirs
        .iter()
        .map(|d| read_json::<Results>(&d.join(shard::RESULTS), d))
        .collect::<Result<Vec<_>, _>>()?;
    let (paths, history) = load_history(config, options.no_cache)?;
    let found = Found::new(&results);
    let mut checked = union(&store, &links, &results, &found)?;
    if config.follow.enabled {
        union_followed(config, &mut store, &mut links, &mut checked, &found)?;
    }
    let archives: Vec<&ArchiveResults> = results.iter().map(|r| &r.archive).collect();
    let archived = archived_from_shards(config, &store, &links, &checked, &history, &archives);
    let done = Done {
        store: &store,
        links: &links,
        history: &history,
        checked: &checked,
        archived: &archived,
        changed: None,
    };
    finish(&options, &fail_words, &paths, &done, started, out)
}

/// The merged reports must not overwrite a shard's own: the merge's
/// history would then be that shard's partial view.
fn refuse_own_output(config: &Config, dirs: &[PathBuf]) -> Result<(), Error> {
    let out = std::fs::canonicalize(&config.output_dir).ok();
    match dirs
        .iter()
        .find(|d| out.is_some() && std::fs::canonicalize(d).ok() == out)
    {
        Some(d) => Err(Error::Shard {
            dir: d.clone(),
            message: "is also the merge's output directory; merge into another one (--output-dir)"
                .into(),
        }),
        None => Ok(()),
    }
}

/// Every directory's manifest, with the directory as text (for messages).
fn read_manifests(dirs: &[PathBuf]) -> Result<Vec<(String, Manifest)>, Error> {
    dirs.iter()
        .map(|d| {
            let m = read_json::<Manifest>(&d.join(shard::MANIFEST), d)?;
            Ok((d.display().to_string(), m))
        })
        .collect()
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path, dir: &Path) -> Result<T, Error> {
    let refuse = |message: String| Error::Shard {
        dir: dir.to_path_buf(),
        message,
    };
    let bytes = std::fs::read(path).map_err(|e| {
        refuse(format!(
            "cannot read {}: {e} (is it the output directory of `check --shard K/N`?)",
            path.display()
        ))
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        refuse(format!(
            "{} is not a shard file this paperlinks reads: {e}",
            path.display()
        ))
    })
}

/// Every shard's answers by URL and by repository key.
struct Found<'a> {
    urls: HashMap<&'a str, &'a UrlResult>,
    repos: HashMap<&'a str, &'a RepoResult>,
}

impl<'a> Found<'a> {
    fn new(shards: &'a [Results]) -> Self {
        Found {
            urls: shards
                .iter()
                .flat_map(|s| s.links.iter().map(|u| (u.url.as_str(), u)))
                .collect(),
            repos: shards
                .iter()
                .flat_map(|s| s.repos.iter().map(|r| (r.key.as_str(), r)))
                .collect(),
        }
    }

    fn link(&self, url: &str) -> Result<LinkResult, Error> {
        self.urls
            .get(url)
            .map(|u| u.result.clone())
            .ok_or_else(|| gap(format!("the link {url}")))
    }

    fn repo(&self, key: &str) -> Result<&RepoResult, Error> {
        self.repos
            .get(key)
            .copied()
            .ok_or_else(|| gap(format!("the repository {key}")))
    }
}

fn gap(what: String) -> Error {
    Error::Shard {
        dir: PathBuf::new(),
        message: format!("no shard holds a result for {what}; were they run with this paperlinks?"),
    }
}

/// The shards' results as one `Checked`, indexed like this merge's store:
/// every unique URL's and repository's result from the shard that checked
/// it; API calls, notes and interruption added up over the shards.
fn union(
    store: &Store,
    links: &Links,
    shards: &[Results],
    found: &Found<'_>,
) -> Result<Checked, Error> {
    let results = store
        .urls
        .iter()
        .map(|u| found.link(u))
        .collect::<Result<Vec<_>, _>>()?;
    let mut repo_outcomes: Vec<RepoOutcome> = Vec::with_capacity(links.repos.len());
    let mut repo_fetched = Vec::with_capacity(links.repos.len());
    for r in &links.repos {
        let got = found.repo(r.key().as_str())?;
        repo_outcomes.push(got.outcome.clone());
        repo_fetched.push(got.fetched_at);
    }
    Ok(Checked {
        results,
        repo_outcomes,
        repo_fetched,
        api_calls: shards.iter().map(|s| s.api_calls).sum(),
        api_answered: shards
            .iter()
            .map(super::super::shard::Results::answered)
            .sum(),
        forge_calls: super::checked::sum_calls(
            shards.iter().flat_map(|s| s.forge_calls.iter().copied()),
        ),
        notes: shards
            .iter()
            .flat_map(|s| s.notes.iter().cloned())
            .collect(),
        interrupted: shards.iter().any(|s| s.interrupted),
    })
}

/// The code found on project pages, as a single run's second round has it
/// (`follow`): the same new occurrences, URLs and repositories from the
/// merged pages, the roots of known repositories judged from the merged
/// answers, and every other new URL and repository from the shard whose
/// page led to it (a shard checks what its own pages link).
fn union_followed(
    config: &Config,
    store: &mut Store,
    links: &mut Links,
    checked: &mut Checked,
    found: &Found<'_>,
) -> Result<(), Error> {
    let recognizer = Recognizer::new(config);
    let first = follow::add_found(&recognizer, store, links, &checked.results);
    let (first_url, first_repo) = first;
    let mut results: Vec<Option<LinkResult>> = vec![None; store.urls.len() - first_url];
    let never = |_: usize| false;
    let split = follow::split(
        &recognizer,
        store,
        links,
        checked,
        first,
        &mut results,
        &never,
    );
    for id in split.ids {
        results[id - first_url] = Some(found.link(&store.urls[id])?);
    }
    checked.results.extend(results.into_iter().flatten());
    for r in &links.repos[first_repo..] {
        let got = found.repo(r.key().as_str())?;
        checked.repo_outcomes.push(got.outcome.clone());
        checked.repo_fetched.push(got.fetched_at);
    }
    Ok(())
}
