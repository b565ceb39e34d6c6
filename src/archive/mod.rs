//! The archive stage: where a dead link went. For each lookup target (a
//! broken link, or a repository the forge says is missing) asks Software
//! Heritage (code: the repository as an origin, then its latest visit with
//! a snapshot) and the Wayback Machine (the closest 2xx snapshot), and,
//! only when `[archive] save_live` is on, submits live code repositories to
//! Software Heritage's "save code now".
//!
//! Owns the lookup order, the per-run budget (`max_lookups`, `max_saves`),
//! and the words that say where the code went. The save request is the
//! only place paperlinks writes to a service, and it is off unless asked
//! for. Never changes a link's status or the fail policy (an archived copy
//! is a suggestion, never a rescue), never writes reports, never prints the
//! `SWH_TOKEN`. Every request goes through the private-address guard.
//!
//! Map: [`parse`] (the answers, no I/O), [`client`] (the bounded HTTP side),
//! this file (targets, budget, lookups, words).

mod archived;
pub mod client;
pub mod parse;

pub use archived::Archived;
pub use client::ArchiveClient;

use crate::config::ArchiveConfig;
use crate::model::Forge;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use std::collections::HashMap;
use tokio_util::sync::CancellationToken;

/// Which archive holds a copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Service {
    SoftwareHeritage,
    Wayback,
}

impl Service {
    pub fn name(self) -> &'static str {
        match self {
            Service::SoftwareHeritage => "Software Heritage",
            Service::Wayback => "the Wayback Machine",
        }
    }

    /// Which service an `archived_copy` URL read back from a report
    /// belongs to (Software Heritage browse URLs name an origin).
    pub fn of_copy(url: &str) -> Service {
        if url.contains("/browse/origin/") {
            Service::SoftwareHeritage
        } else {
            Service::Wayback
        }
    }
}

/// What the archives said about one target. Data, never an `Err`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Outcome {
    /// A copy a person can follow, and the snapshot's date when known.
    Found {
        service: Service,
        url: String,
        date: Option<DateTime<Utc>>,
    },
    /// Neither archive holds a copy.
    NotFound,
    /// Could not be told (rate limit, timeout, malformed answer, budget).
    Unknown(String),
}

/// An outcome and when it was learnt (reused outcomes keep their time).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Lookup {
    pub outcome: Outcome,
    pub checked_at: DateTime<Utc>,
}

impl Lookup {
    /// The report cells of this answer: an unknown answer leaves every cell
    /// empty (so the next run asks again), "no copy" only the time asked.
    pub fn cells(&self) -> crate::model::ArchiveCells {
        let checked_at = Some(self.checked_at);
        match &self.outcome {
            Outcome::Found { url, date, .. } => crate::model::ArchiveCells {
                copy: url.clone(),
                at: *date,
                checked_at,
            },
            Outcome::NotFound => crate::model::ArchiveCells {
                checked_at,
                ..Default::default()
            },
            Outcome::Unknown(_) => crate::model::ArchiveCells::default(),
        }
    }
}

/// Something to look up: `key` is the origin for code (one lookup per
/// repository) and the URL itself for pages.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Target {
    pub key: String,
    /// The URL asked of the Wayback Machine (the origin for code).
    pub url: String,
    /// Code: Software Heritage is asked first.
    pub code: bool,
    /// Code: the origin spellings asked of Software Heritage, in order
    /// ([`origin_variants`]); the first it knows is the one.
    pub origins: Vec<String>,
    /// No canonical name is known (a deleted repository): when no spelling
    /// is known, Software Heritage's origin search is asked.
    pub search: bool,
}

impl Target {
    /// A code target for a GitHub repository `owner/name` (its canonical
    /// name, as the forge answered it).
    pub fn github(full_name: &str) -> Target {
        let origin = format!("https://github.com/{full_name}");
        Target::repo(Forge::Github, &origin, Some(&origin))
    }

    /// A code target for a repository on `forge` linked as `written` (its
    /// web address, without query or fragment); `canonical` is the web
    /// address the forge's answer gives, when there is one.
    pub fn repo(forge: Forge, written: &str, canonical: Option<&str>) -> Target {
        let key = written.trim_end_matches('/').to_string();
        let wayback = canonical.map_or(key.as_str(), |c| c.trim_end_matches('/'));
        Target {
            url: strip_git(wayback).to_string(),
            origins: origin_variants(clone_first(forge), canonical, &key),
            search: canonical.is_none(),
            code: true,
            key,
        }
    }

    /// A target for a URL that is not a repository a forge knows: code
    /// (the URL without query, fragment or trailing `/` as the origin), or
    /// a page (the URL as it is).
    pub fn other(url: &str, code: bool) -> Target {
        let key = if code {
            match url::Url::parse(url) {
                Ok(mut u) => {
                    u.set_query(None);
                    u.set_fragment(None);
                    u.as_str().trim_end_matches('/').to_string()
                }
                Err(_) => url.to_string(),
            }
        } else {
            url.to_string()
        };
        let origins = if code {
            origin_variants(false, None, &key)
        } else {
            Vec::new()
        };
        Target {
            url: key.clone(),
            key,
            code,
            origins,
            search: code,
        }
    }
}

/// `url` without a trailing `.git`.
fn strip_git(url: &str) -> &str {
    url.strip_suffix(".git").unwrap_or(url)
}

/// The origin spellings Software Heritage may hold a repository under, in
/// the order they are asked: the canonical web address the forge answered
/// (when known), then the link's, each with and without `.git`, then the
/// link exactly as written. Its listers store GitHub origins under the
/// `html_url` (`swh/lister/github/lister.py`, `get_origins_from_page`:
/// `url=repo["html_url"]`), GitLab ones under the clone URL
/// `http_url_to_repo` (`swh/lister/gitlab/lister.py`) and Gitea, Forgejo
/// and Gogs ones under `clone_url` (`swh/lister/gogs/lister.py`, which the
/// Gitea lister extends), both ending in `.git`: on those forges the `.git`
/// spelling is asked first. Origins are matched exactly (swh-web
/// `api_origin`: `lookup_similar_urls=False`).
pub fn origin_variants(clone_first: bool, canonical: Option<&str>, written: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    for base in canonical.into_iter().chain([written]) {
        let bare = strip_git(base.trim_end_matches('/'));
        let git = format!("{bare}.git");
        if clone_first {
            push(git);
            push(bare.to_string());
        } else {
            push(bare.to_string());
            push(git);
        }
    }
    push(written.to_string());
    out
}

/// Whether Software Heritage's listers store `forge`'s origins under the
/// clone URL (`.git`): GitLab, Codeberg and other Gitea/Forgejo hosts.
pub fn clone_first(forge: Forge) -> bool {
    matches!(forge, Forge::Gitlab | Forge::Codeberg | Forge::Gitea)
}

/// Whether a Software Heritage origin is the link's, up to ASCII case and
/// a `.git` suffix (what the origin search's answer is held to).
pub fn same_origin(origin: &str, link: &str) -> bool {
    let norm = |s: &str| strip_git(s.trim_end_matches('/')).to_ascii_lowercase();
    norm(origin) == norm(link)
}

/// A save-code-now request made for a live repository.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Save {
    pub origin: String,
    /// The request's status words, or why it could not be made.
    pub status: String,
}

/// Everything the stage learnt in one run.
#[derive(Clone, Debug, Default)]
pub struct Looked {
    /// Per target key (looked up now; reused ones are the caller's).
    pub lookups: HashMap<String, Lookup>,
    pub saves: Vec<Save>,
    /// Requests sent to both services.
    pub calls: usize,
    /// Targets the budget (`max_lookups`) left unasked this run, in the
    /// order given: the caller words the note (it knows what they keep).
    pub skipped: usize,
    /// Lines for the summary (budget spent, unknown answers...).
    pub notes: Vec<String>,
}

/// How the budget splits the work: what is asked, and how many targets
/// are left for a later run. Pure: tested without I/O.
pub fn plan<T: Clone>(dead: &[T], live: &[T], max_lookups: usize) -> (Vec<T>, Vec<T>, usize) {
    let ask_dead: Vec<T> = dead.iter().take(max_lookups).cloned().collect();
    let left = max_lookups - ask_dead.len();
    let ask_live: Vec<T> = live.iter().take(left).cloned().collect();
    let skipped = dead.len() - ask_dead.len() + live.len() - ask_live.len();
    (ask_dead, ask_live, skipped)
}

/// Looks up the dead targets, then (with `save_live`) checks the live ones
/// and submits those Software Heritage lacks or holds too old a copy of.
/// Stops starting lookups when `shutdown` fires.
pub async fn run(
    client: &ArchiveClient,
    dead: Vec<Target>,
    live: Vec<Target>,
    shutdown: CancellationToken,
) -> Looked {
    let cfg = &client.config;
    let live = if cfg.save_live { live } else { Vec::new() };
    let (ask_dead, ask_live, skipped) = plan(&dead, &live, cfg.max_lookups);
    let mut looked = Looked {
        skipped,
        ..Looked::default()
    };
    let results: Vec<(Target, Lookup)> = futures::stream::iter(ask_dead)
        .map(|t| {
            let shutdown = shutdown.clone();
            async move {
                let outcome = if shutdown.is_cancelled() {
                    Outcome::Unknown("run interrupted".into())
                } else {
                    tokio::select! {
                        o = lookup(client, &t) => o,
                        () = shutdown.cancelled() => Outcome::Unknown("run interrupted".into()),
                    }
                };
                (
                    t,
                    Lookup {
                        outcome,
                        checked_at: Utc::now(),
                    },
                )
            }
        })
        .buffered(cfg.concurrency)
        .collect()
        .await;
    let unknown = results
        .iter()
        .filter(|(_, l)| matches!(l.outcome, Outcome::Unknown(_)))
        .count();
    if let Some((
        _,
        Lookup {
            outcome: Outcome::Unknown(why),
            ..
        },
    )) = results
        .iter()
        .find(|(_, l)| matches!(l.outcome, Outcome::Unknown(_)))
    {
        looked.notes.push(format!(
            "archives could not answer for {unknown} dead links (first: {why}); asked again next run"
        ));
    }
    looked.lookups = results.into_iter().map(|(t, l)| (t.key, l)).collect();
    if !ask_live.is_empty() && !shutdown.is_cancelled() {
        looked.saves = save_live(client, ask_live, &shutdown).await;
    }
    looked.calls = client.calls();
    looked.notes.extend(client.stops());
    looked.notes.extend(dropped_note(&client.dropped()));
    looked
}

/// The note for copy URLs dropped because they were not http(s) URLs on
/// the archive's own hosts (`shapes`: their scheme and host).
pub fn dropped_note(shapes: &[String]) -> Option<String> {
    let first = shapes.first()?;
    Some(format!(
        "{} archived-copy URLs were dropped: not http(s) URLs on the archive's own hosts (first: {first}); those links are looked up again next run",
        shapes.len()
    ))
}

/// One target: Software Heritage first for code, then the Wayback Machine.
/// Unknown only when no archive had a copy and one of them could not say.
pub async fn lookup(client: &ArchiveClient, target: &Target) -> Outcome {
    let mut doubt = None;
    if target.code {
        match software_heritage(client, target).await {
            found @ Outcome::Found { .. } => return found,
            Outcome::NotFound => {}
            Outcome::Unknown(why) => doubt = Some(why),
        }
    }
    match wayback(client, &target.url).await {
        found @ Outcome::Found { .. } => found,
        Outcome::NotFound => doubt.map_or(Outcome::NotFound, Outcome::Unknown),
        Outcome::Unknown(why) => Outcome::Unknown(why),
    }
}

fn swh_base(client: &ArchiveClient) -> &str {
    client.config.swh_api_url.trim_end_matches('/')
}

/// The Software Heritage browse URL of an origin (what a person follows).
pub fn swh_browse_url(swh_api_url: &str, origin: &str) -> String {
    // Built as text, so a base a library user never validated gives a
    // wrong link rather than a panic; the query is encoded as `Url` does.
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("origin_url", origin)
        .finish();
    format!(
        "{}/browse/origin/?{query}",
        swh_api_url.trim_end_matches('/')
    )
}

/// Software Heritage: the target's origin spellings in order (the first it
/// knows is the one), else, for a deleted repository, its origin search;
/// then that origin's latest visit with a snapshot. An origin without any
/// snapshot holds no code: not found.
pub async fn software_heritage(client: &ArchiveClient, target: &Target) -> Outcome {
    for spelling in &target.origins {
        match swh_origin(client, spelling).await {
            Ok(Some(origin)) => return swh_visit(client, &origin).await,
            Ok(None) => {}
            Err(unknown) => return unknown,
        }
    }
    if !target.search {
        return Outcome::NotFound;
    }
    match swh_search(client, &target.key).await {
        Ok(Some(origin)) => swh_visit(client, &origin).await,
        Ok(None) => Outcome::NotFound,
        Err(unknown) => unknown,
    }
}

fn swh_unknown(why: String) -> Outcome {
    Outcome::Unknown(format!("Software Heritage: {why}"))
}

/// `GET /api/1/origin/{url}/get/`: the origin's URL as stored, `None` on 404.
async fn swh_origin(client: &ArchiveClient, spelling: &str) -> Result<Option<String>, Outcome> {
    let url = format!("{}/api/1/origin/{spelling}/get/", swh_base(client));
    let get = client.get_swh(&url).await.map_err(swh_unknown)?;
    match get.status {
        404 => Ok(None),
        200 => parse::swh_origin(&get.body)
            .map(Some)
            .map_err(Outcome::Unknown),
        s => Err(Outcome::Unknown(format!(
            "Software Heritage answered HTTP {s}"
        ))),
    }
}

/// `GET /api/1/origin/search/{pattern}/` (case-insensitive, swh-web
/// `api_origin_search`): the first origin equal to `link` up to ASCII case
/// and a `.git` suffix ([`same_origin`]); any other match is not the link's.
async fn swh_search(client: &ArchiveClient, link: &str) -> Result<Option<String>, Outcome> {
    let pattern = strip_git(link.split_once("://").map_or(link, |(_, rest)| rest));
    let url = format!(
        "{}/api/1/origin/search/{pattern}/?limit={SEARCH_LIMIT}&with_visit=true",
        swh_base(client)
    );
    let reply = client.get_swh(&url).await.map_err(swh_unknown)?;
    match reply.status {
        404 => Ok(None),
        200 => {
            let found = parse::swh_search(&reply.body).map_err(Outcome::Unknown)?;
            Ok(found.into_iter().find(|o| same_origin(o, link)))
        }
        s => Err(Outcome::Unknown(format!(
            "Software Heritage answered HTTP {s}"
        ))),
    }
}

/// Origins asked of the origin search at most (swh-web bounds `limit` to
/// 1000; the exact spelling sorts among the first).
pub const SEARCH_LIMIT: usize = 100;

/// `GET /api/1/origin/{url}/visit/latest/?require_snapshot=true`.
async fn swh_visit(client: &ArchiveClient, origin: &str) -> Outcome {
    let base = swh_base(client);
    let url = format!("{base}/api/1/origin/{origin}/visit/latest/?require_snapshot=true");
    let visit = match client.get_swh(&url).await {
        Ok(r) => r,
        Err(why) => return swh_unknown(why),
    };
    match visit.status {
        404 => Outcome::NotFound,
        200 => match parse::swh_latest_visit(&visit.body) {
            Ok(Some(date)) => Outcome::Found {
                service: Service::SoftwareHeritage,
                url: swh_browse_url(base, origin),
                date: Some(date),
            },
            Ok(None) => Outcome::NotFound,
            Err(why) => Outcome::Unknown(why),
        },
        s => Outcome::Unknown(format!("Software Heritage answered HTTP {s}")),
    }
}

/// The Wayback Machine: the availability API's closest 2xx snapshot; when
/// it answers none (it answers `{"archived_snapshots":{}}` for many
/// archived `https://` URLs, internetarchive/wayback issue #296) or a
/// non-2xx one, the CDX server's latest 2xx capture. A copy URL off the
/// archive's own hosts is dropped ([`copy_allowed`]).
pub async fn wayback(client: &ArchiveClient, url: &str) -> Outcome {
    let base = client.config.wayback_api_url.trim_end_matches('/');
    let reply = match get_with_url(
        client,
        &format!("{base}/wayback/available"),
        &[("url", url)],
    )
    .await
    {
        Ok(r) => r,
        Err(o) => return o,
    };
    let mut doubt = None;
    match parse::wayback_available(&reply.body) {
        Ok(Some(s)) => match vet(client, s.url) {
            Ok(copy) => {
                return Outcome::Found {
                    service: Service::Wayback,
                    url: copy,
                    date: s.date,
                };
            }
            Err(why) => doubt = Some(why),
        },
        Ok(None) => {}
        Err(why) => return Outcome::Unknown(why),
    }
    match wayback_cdx(client, url).await {
        Outcome::NotFound => doubt.map_or(Outcome::NotFound, Outcome::Unknown),
        other => other,
    }
}

/// The CDX server base: `[archive] cdx_api_url`, else `wayback_api_url`
/// with the public `archive.org` read as `web.archive.org`, where the CDX
/// server is deployed (internetarchive/wayback `wayback-cdx-server/README.md`).
pub fn cdx_base(cfg: &ArchiveConfig) -> String {
    if let Some(c) = &cfg.cdx_api_url {
        return c.trim_end_matches('/').to_string();
    }
    let base = cfg.wayback_api_url.trim_end_matches('/');
    match url::Url::parse(base) {
        Ok(mut u) if u.host_str() == Some("archive.org") => {
            let _ = u.set_host(Some("web.archive.org"));
            u.as_str().trim_end_matches('/').to_string()
        }
        _ => base.to_string(),
    }
}

/// `GET {cdx}/cdx/search/cdx?url=...&output=json&filter=statuscode:2..&limit=-1&gzip=false`:
/// the latest 2xx capture, as `{cdx}/web/{timestamp}/{original}`. The CDX
/// server "returns gzip encoded data for all queries" unless `gzip=false`
/// (`wayback-cdx-server/README.md`), and this client does not decode gzip.
async fn wayback_cdx(client: &ArchiveClient, url: &str) -> Outcome {
    let base = cdx_base(&client.config);
    let query = [
        ("url", url),
        ("output", "json"),
        ("filter", "statuscode:2.."),
        ("limit", "-1"),
        ("gzip", "false"),
    ];
    let reply = match get_with_url(client, &format!("{base}/cdx/search/cdx"), &query).await {
        Ok(r) => r,
        Err(o) => return o,
    };
    let capture = match parse::wayback_cdx(&reply.body) {
        Ok(Some(c)) => c,
        Ok(None) => return Outcome::NotFound,
        Err(why) => return Outcome::Unknown(why),
    };
    let copy = match url::Url::parse(&format!(
        "{base}/web/{}/{}",
        capture.timestamp, capture.original
    )) {
        Ok(u) => u.to_string(),
        Err(e) => return Outcome::Unknown(format!("Wayback Machine CDX capture: {e}")),
    };
    match vet(client, copy) {
        Ok(copy) => Outcome::Found {
            service: Service::Wayback,
            url: copy,
            date: parse::wayback_timestamp(&capture.timestamp),
        },
        Err(why) => Outcome::Unknown(why),
    }
}

/// A GET to the Wayback Machine with a query; a non-200 answer is unknown.
async fn get_with_url(
    client: &ArchiveClient,
    endpoint: &str,
    query: &[(&str, &str)],
) -> Result<client::Reply, Outcome> {
    let mut api = url::Url::parse(endpoint)
        .map_err(|e| Outcome::Unknown(format!("bad wayback_api_url: {e}")))?;
    api.query_pairs_mut().extend_pairs(query);
    let reply = client
        .get(api.as_str())
        .await
        .map_err(|why| Outcome::Unknown(format!("Wayback Machine: {why}")))?;
    if reply.status != 200 {
        return Err(Outcome::Unknown(format!(
            "Wayback Machine answered HTTP {}",
            reply.status
        )));
    }
    Ok(reply)
}

/// The archive's own hosts: `web.archive.org`, `archive.org`,
/// `archive.softwareheritage.org` and the configured bases' hosts.
fn own_hosts(cfg: &ArchiveConfig) -> Vec<String> {
    let mut hosts: Vec<String> = [
        "web.archive.org",
        "archive.org",
        "archive.softwareheritage.org",
    ]
    .map(String::from)
    .to_vec();
    let cdx = cdx_base(cfg);
    for base in [
        cfg.swh_api_url.as_str(),
        cfg.wayback_api_url.as_str(),
        cdx.as_str(),
    ] {
        if let Some(h) = url::Url::parse(base)
            .ok()
            .and_then(|u| u.host_str().map(String::from))
        {
            hosts.push(crate::http::normalize_host(&h));
        }
    }
    hosts
}

/// Whether `copy` may be written as an archived copy: an http(s) URL on
/// one of the archive's own hosts.
pub fn copy_allowed(cfg: &ArchiveConfig, copy: &str) -> bool {
    let Ok(u) = url::Url::parse(copy) else {
        return false;
    };
    let host = u.host_str().map(crate::http::normalize_host);
    matches!(u.scheme(), "http" | "https") && host.is_some_and(|h| own_hosts(cfg).contains(&h))
}

/// What a dropped copy URL is called in notes: its scheme and host only
/// (the rest is the service's untrusted text).
pub fn copy_shape(copy: &str) -> String {
    match url::Url::parse(copy) {
        Ok(u) => format!("{}:{}", u.scheme(), u.host_str().map_or("", |h| h)),
        Err(_) => "not a URL".into(),
    }
}

/// The copy URL when allowed, else the reason (and the client keeps it for
/// the run's note).
fn vet(client: &ArchiveClient, copy: String) -> Result<String, String> {
    if copy_allowed(&client.config, &copy) {
        return Ok(copy);
    }
    let shape = copy_shape(&copy);
    client.drop_copy(shape.clone());
    Err(format!(
        "the Wayback Machine answered a copy that is not an http(s) URL on its own hosts ({shape}); dropped"
    ))
}

/// Live code repositories: submitted when Software Heritage does not hold
/// them or its last snapshot is `save_after_days` old; at most `max_saves`.
async fn save_live(
    client: &ArchiveClient,
    live: Vec<Target>,
    shutdown: &CancellationToken,
) -> Vec<Save> {
    let cfg = &client.config;
    let mut saves = Vec::new();
    for t in live {
        if shutdown.is_cancelled() || saves.len() >= cfg.max_saves {
            break;
        }
        let due = match software_heritage(client, &t).await {
            Outcome::NotFound => true,
            Outcome::Found { date, .. } => date.is_none_or(|d| {
                Utc::now().signed_duration_since(d).num_days() >= cfg.save_after_days
            }),
            Outcome::Unknown(_) => false,
        };
        if !due {
            continue;
        }
        let url = format!("{}/api/1/origin/save/git/url/{}/", swh_base(client), t.key);
        let status = match client.post_swh(&url).await {
            Ok(r) if (200..300).contains(&r.status) => {
                parse::swh_save(&r.body).unwrap_or_else(|why| format!("unknown ({why})"))
            }
            Ok(r) => format!("refused (HTTP {})", r.status),
            Err(why) => format!("not sent ({why})"),
        };
        saves.push(Save {
            origin: t.key,
            status,
        });
    }
    saves
}

/// The words for a dead link ("code gone; Software Heritage holds a copy
/// from 2024-03-01: URL"); `None` when nothing is known.
pub fn words(outcome: &Outcome, code: bool) -> Option<String> {
    let what = if code { "code gone" } else { "page gone" };
    match outcome {
        Outcome::Found { service, url, date } => Some(match date {
            Some(d) => format!(
                "{what}; {} holds a copy from {}: {url}",
                service.name(),
                d.format("%Y-%m-%d")
            ),
            None => format!("{what}; {} holds a copy: {url}", service.name()),
        }),
        Outcome::NotFound => Some(format!("{what}; no archived copy found")),
        Outcome::Unknown(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_goes_to_dead_links_first() {
        let (d, l, skipped) = plan(&[1, 2, 3], &[10, 11], 4);
        assert_eq!((d, l, skipped), (vec![1, 2, 3], vec![10], 1));
        let (d, l, skipped) = plan(&[1, 2, 3], &[10], 2);
        assert_eq!((d, l, skipped), (vec![1, 2], vec![], 2));
        let (d, l, skipped) = plan::<u8>(&[], &[], 0);
        assert!(d.is_empty() && l.is_empty() && skipped == 0);
    }

    #[test]
    fn targets_and_browse_urls() {
        let t = Target::github("lab/Gone");
        assert_eq!(t.key, "https://github.com/lab/Gone");
        assert!(t.code);
        let t = Target::other("https://gitlab.com/a/b/?tab=x#readme", true);
        assert_eq!(t.key, "https://gitlab.com/a/b");
        let p = Target::other("https://lab.org/page?x=1", false);
        assert_eq!(p.key, "https://lab.org/page?x=1");
        let b = swh_browse_url(
            "https://archive.softwareheritage.org/",
            "https://github.com/a/b",
        );
        assert_eq!(
            b,
            "https://archive.softwareheritage.org/browse/origin/?origin_url=https%3A%2F%2Fgithub.com%2Fa%2Fb"
        );
        assert_eq!(Service::of_copy(&b), Service::SoftwareHeritage);
        assert_eq!(
            Service::of_copy("http://web.archive.org/web/2024/https://x"),
            Service::Wayback
        );
    }

    #[test]
    fn origin_spellings_as_the_listers_store_them() {
        // GitHub: the canonical html_url first, then the link's spelling.
        assert_eq!(
            origin_variants(
                clone_first(Forge::Github),
                Some("https://github.com/lab/Gone"),
                "https://github.com/Lab/gone"
            ),
            [
                "https://github.com/lab/Gone",
                "https://github.com/lab/Gone.git",
                "https://github.com/Lab/gone",
                "https://github.com/Lab/gone.git"
            ]
        );
        // GitLab and Gitea: the clone URL (`.git`) first; as written last.
        assert_eq!(
            origin_variants(
                clone_first(Forge::Codeberg),
                None,
                "https://codeberg.org/a/b/"
            ),
            [
                "https://codeberg.org/a/b.git",
                "https://codeberg.org/a/b",
                "https://codeberg.org/a/b/"
            ]
        );
        let t = Target::repo(Forge::Gitlab, "https://gitlab.com/g/sub/p.git", None);
        assert_eq!(
            t.origins,
            [
                "https://gitlab.com/g/sub/p.git",
                "https://gitlab.com/g/sub/p"
            ]
        );
        assert!(t.search);
        assert_eq!(t.url, "https://gitlab.com/g/sub/p");
        assert!(!Target::github("lab/x").search, "a canonical name is known");
        assert!(same_origin(
            "https://github.com/LAB/Gone.git",
            "https://github.com/lab/gone"
        ));
        assert!(!same_origin(
            "https://github.com/lab/gone2",
            "https://github.com/lab/gone"
        ));
        assert!(!same_origin(
            "http://github.com/lab/gone",
            "https://github.com/lab/gone"
        ));
    }

    #[test]
    fn copies_only_on_the_archives_own_hosts() {
        let mut cfg = ArchiveConfig::default();
        assert_eq!(cdx_base(&cfg), "https://web.archive.org");
        for ok in [
            "http://web.archive.org/web/2024/https://x/",
            "https://archive.softwareheritage.org/browse/origin/?origin_url=x",
            "https://WEB.archive.org./web/1/x",
        ] {
            assert!(copy_allowed(&cfg, ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "https://evil.example/web/2024/x",
            "http://10.0.0.1/web/x",
            "ftp://web.archive.org/x",
            "not a url",
        ] {
            assert!(!copy_allowed(&cfg, bad), "{bad}");
        }
        assert_eq!(copy_shape("javascript:alert(1)"), "javascript:");
        assert_eq!(copy_shape("https://evil.example/x?y"), "https:evil.example");
        cfg.wayback_api_url = "http://127.0.0.1:9/".into();
        assert_eq!(cdx_base(&cfg), "http://127.0.0.1:9");
        assert!(copy_allowed(&cfg, "http://127.0.0.1:9/web/1/x"));
        cfg.cdx_api_url = Some("https://cdx.mirror.example/".into());
        assert!(copy_allowed(&cfg, "https://cdx.mirror.example/web/1/x"));
    }

    #[test]
    fn words_say_where_the_code_went() {
        let d = DateTime::parse_from_rfc3339("2024-03-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let found = Outcome::Found {
            service: Service::SoftwareHeritage,
            url: "https://swh/x".into(),
            date: Some(d),
        };
        assert_eq!(
            words(&found, true).unwrap(),
            "code gone; Software Heritage holds a copy from 2024-03-01: https://swh/x"
        );
        assert_eq!(
            words(&Outcome::NotFound, true).unwrap(),
            "code gone; no archived copy found"
        );
        assert_eq!(words(&Outcome::Unknown("x".into()), true), None);
    }
}
