//! Following project pages (`[follow]`, issue 14), one hop: which links'
//! pages are read (the `project` links of a paper that has no code link of
//! its own), what on a page counts as its code (the repositories it links,
//! on any forge the `Recognizer` knows; not the page's own site, share
//! buttons, or the `github.com/OWNER/OWNER.github.io` source of an
//! `OWNER.github.io` page), and how the links found become the paper's: new
//! `code` occurrences with `found_via`, checked and audited in a second
//! round through the same `check` as the first.
//!
//! Never makes a request of its own: a page's body is the one the
//! checker's GET reads anyway (`Checker::check_pages`, capped at
//! `max_page_bytes`; links in the first `max_page_bytes` count), and what
//! it found travels in the page's `LinkResult::page_links`, so a result
//! reused from the previous run needs no request either.

use super::checked::{Checked, Reused};
use super::checks::check;
use super::clients::Clients;
use super::{Links, NO_REPO};
use crate::check::{PageReader, Pages};
use crate::config::Config;
use crate::error::Error;
use crate::extract::{self, Event, Format, Role};
use crate::forge::{self, Recognizer};
use crate::history::History;
use crate::model::{Forge, LinkResult, RepoKey, Status};
use crate::store::{NO_PAPER, Occurrence, Store};
use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use tokio_util::sync::CancellationToken;
use url::Url;

/// Most code links kept from one page, in page order: a paper's code is a
/// few repositories; a page listing dozens is a lab's index, not the
/// paper's code.
pub const MAX_PAGE_CODE_LINKS: usize = 10;

/// The unique URLs whose page is read: `project` links of papers that have
/// no code link of their own.
pub(super) fn candidates(store: &Store, links: &Links) -> HashSet<u32> {
    let has_code = papers_with_code(store, links);
    store
        .occurrences
        .iter()
        .filter(|o| followed(o, &has_code))
        .map(|o| o.url)
        .collect()
}

/// True for an occurrence whose page is followed: a `project` link of a
/// paper without a code link of its own.
fn followed(o: &Occurrence, has_code: &[bool]) -> bool {
    o.paper != NO_PAPER && o.role == Role::Project && !has_code[o.paper as usize]
}

/// Per paper: it has a code link of its own (`code` role, or a forge or
/// code host link, as papers.csv counts them).
fn papers_with_code(store: &Store, links: &Links) -> Vec<bool> {
    let code_link = links.code_links(store);
    let mut has_code = vec![false; store.papers.len()];
    for o in &store.occurrences {
        if o.paper != NO_PAPER
            && o.role != Role::Image
            && (o.role == Role::Code || code_link[o.url as usize])
        {
            has_code[o.paper as usize] = true;
        }
    }
    has_code
}

/// Before the check: which reused results may stand and which pages are
/// read. A reused candidate that was not read as a page is checked again
/// (once) so it can be; every other reused result loses its page links.
/// `None` with following off.
pub(super) fn pages(
    config: &Config,
    store: &Store,
    links: &Links,
    reused: &mut [Option<LinkResult>],
) -> Option<Pages> {
    let ids = if config.follow.enabled {
        candidates(store, links)
    } else {
        HashSet::new()
    };
    for (id, slot) in reused.iter_mut().enumerate() {
        let candidate = ids.contains(&(id as u32));
        match slot {
            Some(r) if candidate && r.page_links.is_none() => *slot = None,
            Some(r) if !candidate => r.page_links = None,
            _ => {}
        }
    }
    if ids.is_empty() {
        return None;
    }
    let originals: HashMap<u32, String> = ids
        .iter()
        .map(|&id| (id, store.urls[id as usize].clone()))
        .collect();
    let recognizer = Recognizer::new(config);
    let read: Box<PageReader> = Box::new(move |id, from, body| {
        let page = originals.get(&id).map_or(from.as_str(), String::as_str);
        // A page is anyone's bytes: a bug of ours in reading it costs its
        // links, never the page's own check (a panic would end the task).
        std::panic::catch_unwind(AssertUnwindSafe(|| {
            page_code_links(&recognizer, page, from, body)
        }))
        .unwrap_or_default()
    });
    Some(Pages {
        ids,
        max_bytes: config.follow.max_page_bytes,
        read,
    })
}

/// The code links of a page: `page` as linked, `from` the URL its `body`
/// came from (after redirects and remap). Runs the HTML extractor and its
/// role rules over the body; keeps, in page order and without duplicates,
/// at most [`MAX_PAGE_CODE_LINKS`] repository links that are not the page's
/// own site, a share button, or the page's `OWNER.github.io` source.
pub fn page_code_links(
    recognizer: &Recognizer,
    page: &str,
    from: &Url,
    body: &[u8],
) -> Vec<String> {
    let own: Vec<String> = [host_of(page), from.host_str().map(normal_host)]
        .into_iter()
        .flatten()
        .collect();
    let mut found: Vec<String> = Vec::new();
    let mut keep = |url: String, role: Role| {
        if found.len() >= MAX_PAGE_CODE_LINKS
            || matches!(role, Role::Social | Role::Image)
            || found.contains(&url)
        {
            return;
        }
        let Ok(parsed) = Url::parse(&url) else {
            return;
        };
        let host = parsed.host_str().map(normal_host).unwrap_or_default();
        if own.contains(&host) || is_share_button(&parsed) {
            return;
        }
        match recognizer.parse(&url) {
            Some(r) if !own.iter().any(|h| is_site_source(h, &r)) => found.push(url),
            _ => {}
        }
    };
    // Reading a byte slice cannot fail.
    let _ = extract::extract(Format::Html, body, &mut |e| {
        if let Event::Link(l) = e {
            keep(l.url, l.role);
        }
    });
    found
}

/// Lowercase, without a trailing dot or a leading `www.`.
fn normal_host(h: &str) -> String {
    let h = h.trim_end_matches('.').to_ascii_lowercase();
    h.strip_prefix("www.").map(str::to_string).unwrap_or(h)
}

fn host_of(url: &str) -> Option<String> {
    Url::parse(url).ok()?.host_str().map(normal_host)
}

/// A share button: a link that hands a URL to another site (`?url=`,
/// `?u=`, `/share`, `/sharer`, `/intent/`).
fn is_share_button(url: &Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    path.contains("/share")
        || path.contains("/intent/")
        || url.query_pairs().any(|(k, _)| k == "url" || k == "u")
}

/// `github.com/OWNER/OWNER.github.io`, the source of the site `OWNER.github.io`.
fn is_site_source(page_host: &str, r: &forge::ForgeRef) -> bool {
    let Some(owner) = page_host.strip_suffix(".github.io") else {
        return false;
    };
    r.forge == Forge::Github
        && r.path
            .eq_ignore_ascii_case(&format!("{owner}/{owner}.github.io"))
}

/// After the first check round: the code found on read pages becomes the
/// links of the papers whose project links they are (new occurrences, with
/// `found_via`); new URLs and repositories are appended to `store` and
/// `links`. Returns the first new URL id and repository index.
pub(super) fn add_found(
    recognizer: &Recognizer,
    store: &mut Store,
    links: &mut Links,
    results: &[LinkResult],
) -> (usize, usize) {
    let (first_url, first_repo) = (store.urls.len(), links.repos.len());
    let has_code = papers_with_code(store, links);
    let mut seen: HashSet<(u32, String)> = HashSet::new();
    for i in 0..store.occurrences.len() {
        let o = store.occurrences[i];
        if !followed(&o, &has_code) {
            continue;
        }
        let r = &results[o.url as usize];
        let Some(found) = r.page_links.as_ref().filter(|_| r.status.is_success()) else {
            continue;
        };
        for url in found.iter() {
            if seen.insert((o.paper, url.clone())) {
                store.add_found(i, url);
            }
        }
    }
    let mut index: HashMap<RepoKey, u32> = links
        .repos
        .iter()
        .enumerate()
        .map(|(i, r)| (r.key(), i as u32))
        .collect();
    for url in store.urls.iter().skip(first_url) {
        let repo = match recognizer.parse(url) {
            Some(r) => *index.entry(r.key()).or_insert_with(|| {
                links.repos.push(r);
                (links.repos.len() - 1) as u32
            }),
            None => NO_REPO,
        };
        links.repo_of.push(repo);
    }
    (first_url, first_repo)
}

/// What the second round needs besides the store.
pub(super) struct Round<'a> {
    pub config: &'a Config,
    /// The run's clients: the first round's budgets, stops and caches hold.
    pub clients: &'a Clients,
    pub history: &'a History,
    pub shutdown: CancellationToken,
    /// In a shard (`--shard K/N`): which first-round repositories are its
    /// own. The root of another shard's repository found on a page is not
    /// asked here: the merge judges it from that repository's answer.
    pub scope: Option<&'a crate::shard::Scope>,
    /// The run's progress counters (the second round is `Following`).
    pub progress: &'a crate::progress::Progress,
}

/// The new URLs the second round checks: a store of just them, their
/// global ids, and their repositories among the new ones (`links` of the
/// new repositories only). Results decided without a request are filled in.
pub(super) struct Split {
    pub sub: Store,
    pub ids: Vec<usize>,
    pub links: Links,
}

/// The second round: adds the code found on pages (`add_found`), checks
/// the new URLs and audits the new repositories through the same `check`
/// (same limits, guard and reuse), then appends the answers to `checked`.
pub(super) async fn second_round(
    round: Round<'_>,
    store: &mut Store,
    links: &mut Links,
    checked: &mut Checked,
) -> Result<(), Error> {
    if !round.config.follow.enabled {
        return Ok(());
    }
    let recognizer = Recognizer::new(round.config);
    let (first_url, first_repo) = add_found(&recognizer, store, links, &checked.results);
    if store.urls.len() == first_url {
        return Ok(());
    }
    let mut results: Vec<Option<LinkResult>> = vec![None; store.urls.len() - first_url];
    let foreign = |repo: usize| round.scope.is_some_and(|s| !s.owns_repo(repo));
    let split = split(
        &recognizer,
        store,
        links,
        checked,
        (first_url, first_repo),
        &mut results,
        &foreign,
    );
    let mut reused = Reused {
        links: split
            .sub
            .urls
            .iter()
            .map(|u| round.history.reusable_link(u))
            .collect(),
        repos: split
            .links
            .repos
            .iter()
            .map(|r| round.history.reusable_repo(&r.key()))
            .collect(),
        last_audited: super::last_audited(round.history, &split.links),
        // In a shard, what its pages led to is its own to check (`shard`).
        scope: None,
        // What a changed line's page led to is part of the change.
        changed: None,
    };
    // Nothing of the second round is followed (its store has no
    // occurrences): this only drops reused results' page links.
    let pages = pages(round.config, &split.sub, &split.links, &mut reused.links);
    round.progress.set_stage(crate::progress::Stage::Following);
    let mut more = check(
        round.config,
        round.clients,
        (&split.sub, &split.links),
        reused,
        pages,
        round.shutdown,
        round.progress,
    )
    .await?;
    for (&id, r) in split.ids.iter().zip(std::mem::take(&mut more.results)) {
        results[id - first_url] = Some(r);
    }
    more.results = results
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
    checked.absorb(more);
    Ok(())
}

/// Splits the new URLs (from `first.0`) between those decided at once (the
/// root of a repository the first round already has an answer for, judged
/// from it by `forge::judge_root`) and those the second round checks.
/// Repositories from `first.1` on are new; a URL into an older one that
/// needs checking is checked as a page. The root of an older repository
/// that is `foreign` (another shard's) is left to the merge, unasked.
pub(super) fn split(
    recognizer: &Recognizer,
    store: &Store,
    links: &Links,
    checked: &Checked,
    first: (usize, usize),
    results: &mut [Option<LinkResult>],
    foreign: &dyn Fn(usize) -> bool,
) -> Split {
    let (first_url, first_repo) = first;
    let mut sub = Store::default();
    let mut ids = Vec::new();
    let mut repo_of = Vec::new();
    for id in first_url..store.urls.len() {
        let url = &store.urls[id];
        let repo = links.repo_of[id];
        let known = repo != NO_REPO && (repo as usize) < first_repo;
        let root = known && recognizer.parse(url).is_some_and(|r| r.root);
        if root && foreign(repo as usize) {
            results[id - first_url] = Some(LinkResult::without_request(
                Status::Unchecked,
                "the root of another shard's repository: judged by the merge",
            ));
            continue;
        }
        if root {
            let linked = &links.repos[repo as usize];
            let judged = forge::judge_root(&checked.repo_outcomes[repo as usize], linked);
            if let Some(r) = judged {
                results[id - first_url] = Some(r);
                continue;
            }
        }
        sub.url_id(url);
        ids.push(id);
        repo_of.push(if repo == NO_REPO || known {
            NO_REPO
        } else {
            repo - first_repo as u32
        });
    }
    let links = Links {
        repo_of,
        repos: links.repos[first_repo..].to_vec(),
    };
    Split { sub, ids, links }
}
