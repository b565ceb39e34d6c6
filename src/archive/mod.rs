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

pub mod client;
pub mod parse;

pub use client::{ArchiveClient, Token};

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
}

impl Target {
    /// A code target for a GitHub repository `owner/name`.
    pub fn github(full_name: &str) -> Target {
        let origin = format!("https://github.com/{full_name}");
        Target {
            key: origin.clone(),
            url: origin,
            code: true,
        }
    }

    /// A target for a URL that is not a GitHub repository: code on another
    /// forge (the URL without query, fragment or trailing `/` as the
    /// origin), or a page (the URL as it is).
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
        Target {
            url: key.clone(),
            key,
            code,
        }
    }
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
    let mut looked = Looked::default();
    if skipped > 0 {
        looked.notes.push(format!(
            "archive lookup budget ([archive] max_lookups = {}) spent: {skipped} targets not looked up this run; their archive cells are empty",
            cfg.max_lookups
        ));
    }
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
    looked
}

/// One target: Software Heritage first for code, then the Wayback Machine.
/// Unknown only when no archive had a copy and one of them could not say.
pub async fn lookup(client: &ArchiveClient, target: &Target) -> Outcome {
    let mut doubt = None;
    if target.code {
        match software_heritage(client, &target.key).await {
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
    let mut u = url::Url::parse(&format!(
        "{}/browse/origin/",
        swh_api_url.trim_end_matches('/')
    ))
    .expect("validated base URL");
    u.query_pairs_mut().append_pair("origin_url", origin);
    u.to_string()
}

/// Software Heritage: the origin, then its latest visit with a snapshot.
/// An origin without any snapshot holds no code: not found.
pub async fn software_heritage(client: &ArchiveClient, origin: &str) -> Outcome {
    let base = swh_base(client);
    let get = match client
        .get_swh(&format!("{base}/api/1/origin/{origin}/get/"))
        .await
    {
        Ok(r) => r,
        Err(why) => return Outcome::Unknown(format!("Software Heritage: {why}")),
    };
    match get.status {
        404 => return Outcome::NotFound,
        200 => {
            if let Err(why) = parse::swh_origin(&get.body) {
                return Outcome::Unknown(why);
            }
        }
        s => return Outcome::Unknown(format!("Software Heritage answered HTTP {s}")),
    }
    let visit_url = format!("{base}/api/1/origin/{origin}/visit/latest/?require_snapshot=true");
    let visit = match client.get_swh(&visit_url).await {
        Ok(r) => r,
        Err(why) => return Outcome::Unknown(format!("Software Heritage: {why}")),
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

/// The Wayback Machine's availability API: the closest 2xx snapshot.
pub async fn wayback(client: &ArchiveClient, url: &str) -> Outcome {
    let mut api = match url::Url::parse(&format!(
        "{}/wayback/available",
        client.config.wayback_api_url.trim_end_matches('/')
    )) {
        Ok(u) => u,
        Err(e) => return Outcome::Unknown(format!("bad wayback_api_url: {e}")),
    };
    api.query_pairs_mut().append_pair("url", url);
    let reply = match client.get(api.as_str()).await {
        Ok(r) => r,
        Err(why) => return Outcome::Unknown(format!("Wayback Machine: {why}")),
    };
    if reply.status != 200 {
        return Outcome::Unknown(format!("Wayback Machine answered HTTP {}", reply.status));
    }
    match parse::wayback_available(&reply.body) {
        Ok(Some(s)) => Outcome::Found {
            service: Service::Wayback,
            url: s.url,
            date: s.date,
        },
        Ok(None) => Outcome::NotFound,
        Err(why) => Outcome::Unknown(why),
    }
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
        let due = match software_heritage(client, &t.key).await {
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
