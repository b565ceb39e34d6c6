//! The archive stage as the pipeline runs it: picks the targets (every
//! `broken` link whose role is code, project or dataset, and every
//! `missing` repository), reuses fresh answers from the
//! previous links.csv, asks `archive` about the rest, and keeps the way
//! back from URLs and repositories to their targets.
//!
//! Under `[archive] max_lookups` the lookups converge over runs (issue 27
//! item 5): targets never looked up are asked first, then those whose last
//! answer is oldest (`converge::audit_order`); a target the budget (or an
//! unknown answer) leaves without an answer this run keeps its last answer
//! from the previous links.csv, with its original `archive_checked_at`, so
//! a known copy never disappears for lack of budget and the next run asks
//! it in its turn.
//!
//! Never changes a status or the exit code.

use super::checked::Checked;
use super::converge::audit_order;
use super::{Links, NO_REPO};
use crate::archive::{ArchiveClient, Archived, Lookup, Outcome, Target};
use crate::config::Config;
use crate::error::Error;
use crate::forge::ForgeRef;
use crate::history::History;
use crate::model::{Forge, LinkResult, RepoOutcome, Role, Status};
use crate::store::Store;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use tokio_util::sync::CancellationToken;

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

/// Looks up archived copies of every broken link and missing repository
/// (reusing fresh answers from the previous links.csv; under the budget
/// never looked up first, then stalest), and with `save_live` submits
/// live repositories. Skipped when interrupted.
pub(super) async fn archive_stage(
    config: &Config,
    client: Option<&ArchiveClient>,
    (store, links): (&Store, &Links),
    checked: &Checked,
    history: &History,
    shutdown: CancellationToken,
) -> Result<Archived, Error> {
    let (mut out, live, last) = pick_targets(config, store, links, checked, history);
    let Some(client) = client.filter(|_| config.archive.enabled && !checked.interrupted) else {
        return Ok(out);
    };
    let unanswered: Vec<usize> = (0..out.targets.len())
        .filter(|&t| out.lookups[t].is_none())
        .collect();
    let when: Vec<Option<DateTime<Utc>>> = last
        .iter()
        .map(|l| l.as_ref().map(|l| l.checked_at))
        .collect();
    let order = audit_order(unanswered, &when, |t| out.targets[t].key.clone());
    let dead: Vec<Target> = order.iter().map(|&t| out.targets[t].clone()).collect();
    if dead.is_empty() && !config.archive.save_live {
        return Ok(out);
    }
    let looked = crate::archive::run(client, dead, live, shutdown).await;
    let mut tally = Tally::default();
    for &t in &order {
        match looked.lookups.get(&out.targets[t].key) {
            Some(l) if !matches!(l.outcome, Outcome::Unknown(_)) => {
                out.lookups[t] = Some(l.clone());
                tally.refreshed += 1;
            }
            _ => tally.keep(&mut out.lookups[t], last[t].clone()),
        }
    }
    out.saves = looked.saves;
    out.calls = looked.calls;
    if looked.skipped > 0 {
        out.notes
            .push(tally.note(config.archive.max_lookups, looked.skipped));
    }
    out.notes.extend(looked.notes);
    Ok(out)
}

/// How far the lookups of a run got under the budget.
#[derive(Default)]
struct Tally {
    /// Asked this run and answered.
    refreshed: usize,
    /// Left unanswered, holding their last answer from an earlier run.
    kept: usize,
    oldest: Option<DateTime<Utc>>,
    /// Left unanswered with nothing known: empty cells, asked first next run.
    never: usize,
}

impl Tally {
    /// A target left unanswered this run keeps its `last` answer, if any.
    fn keep(&mut self, slot: &mut Option<Lookup>, last: Option<Lookup>) {
        match last {
            Some(l) => {
                self.kept += 1;
                self.oldest = Some(self.oldest.map_or(l.checked_at, |o| o.min(l.checked_at)));
                *slot = Some(l);
            }
            None => self.never += 1,
        }
    }

    fn note(&self, max_lookups: usize, skipped: usize) -> String {
        let oldest = self
            .oldest
            .map(|d| format!(" (oldest from {})", d.format("%Y-%m-%d")))
            .unwrap_or_default();
        format!(
            "archive lookup budget ([archive] max_lookups = {max_lookups}) spent: {skipped} targets not looked up this run; \
             {} looked up, {} kept from earlier runs{oldest}, {} never looked up; the next run continues",
            self.refreshed, self.kept, self.never
        )
    }
}

/// The archive stage of a merge: the same targets a single run picks
/// (with fresh answers from the previous reports), answered from the
/// shards' lookups by target key; their saves, calls and notes added up.
pub(super) fn archived_from_shards(
    config: &Config,
    store: &Store,
    links: &Links,
    checked: &Checked,
    history: &History,
    shards: &[&crate::shard::ArchiveResults],
) -> Archived {
    let (mut out, _, last) = pick_targets(config, store, links, checked, history);
    if !config.archive.enabled || checked.interrupted {
        return out;
    }
    let lookups: HashMap<&str, &Lookup> = shards
        .iter()
        .flat_map(|s| s.lookups.iter().map(|(k, l)| (k.as_str(), l)))
        .collect();
    let mut dropped = Vec::new();
    for (t, target) in out.targets.iter().enumerate() {
        if let Some(l) = lookups.get(target.key.as_str()) {
            out.lookups[t] = vetted(&config.archive, Some((*l).clone()), &mut dropped);
        }
        if out.lookups[t].is_none() {
            // No shard answered it (its budget, or an unknown answer): the
            // last answer stays, as in a single run.
            out.lookups[t] = last[t].clone();
        }
    }
    out.notes.extend(crate::archive::dropped_note(&dropped));
    for s in shards {
        out.saves.extend(s.saves.iter().cloned());
        out.calls += s.calls;
        out.notes.extend(s.notes.iter().cloned());
    }
    out
}

/// The targets: one per dead URL (`wants_archive`) and missing repository,
/// deduplicated by key, with fresh answers from the previous run filled in;
/// the live repositories (for `save_live`); and per target without a fresh
/// answer its last answer however old (`History::last_archive`).
fn pick_targets(
    config: &Config,
    store: &Store,
    links: &Links,
    checked: &Checked,
    history: &History,
) -> (Archived, Vec<Target>, Vec<Option<Lookup>>) {
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
    let mut dropped = Vec::new();
    let mut last: Vec<Option<Lookup>> = Vec::new();
    for (id, (url, result)) in store.urls.iter().zip(&checked.results).enumerate() {
        if !wants_archive(result, roles[id]) {
            continue;
        }
        let repo = links.repo_of[id];
        let target = if repo == NO_REPO {
            Target::other(url, crate::forge::is_code_link(url, false))
        } else {
            let r = repo as usize;
            archive_target(&links.repos[r], checked.repo_outcomes.get(r))
        };
        let t = add(&mut out, target);
        out.url_target[id] = Some(t);
        last.resize(out.targets.len(), None);
        if out.enabled && out.lookups[t as usize].is_none() {
            let reused = history.reusable_archive(url);
            out.lookups[t as usize] = vetted(&config.archive, reused, &mut dropped);
            if out.lookups[t as usize].is_none() && last[t as usize].is_none() {
                let old = history.last_archive(url);
                last[t as usize] = vetted(&config.archive, old, &mut Vec::new());
            }
        }
    }
    out.notes.extend(crate::archive::dropped_note(&dropped));
    let mut live = Vec::new();
    for (i, outcome) in checked.repo_outcomes.iter().enumerate() {
        match outcome {
            RepoOutcome::Missing => {
                let t = add(&mut out, archive_target(&links.repos[i], None));
                out.repo_target[i] = Some(t);
            }
            RepoOutcome::Found(info) if links.repos[i].forge == Forge::Github => {
                live.push(Target::github(&info.canonical))
            }
            RepoOutcome::Found(_) => {}
            RepoOutcome::Unknown(_) | RepoOutcome::Unavailable(_) => {}
        }
    }
    last.resize(out.targets.len(), None);
    (out, live, last)
}

/// The archive target of a repository: its GitHub origin, or on another
/// forge its web address, as linked; with the canonical web address when
/// the forge answered one (`outcome`).
fn archive_target(r: &ForgeRef, outcome: Option<&RepoOutcome>) -> Target {
    let canonical = match outcome {
        Some(RepoOutcome::Found(info)) if !info.canonical.is_empty() => match r.forge {
            Forge::Github => Some(format!("https://github.com/{}", info.canonical)),
            _ => Some(info.url.clone()).filter(|u| !u.is_empty()),
        },
        _ => None,
    };
    let written = match r.forge {
        Forge::Github => format!("https://github.com/{}", r.full_name()),
        _ => format!("https://{}", r.full_name()),
    };
    Target::repo(r.forge, &written, canonical.as_deref())
}

/// A reused lookup, unless its copy is not an http(s) URL on the archive's
/// own hosts (a hand-edited or foreign report): then it is dropped (asked
/// again) and its scheme and host kept in `dropped` for the note.
fn vetted(
    cfg: &crate::config::ArchiveConfig,
    lookup: Option<Lookup>,
    dropped: &mut Vec<String>,
) -> Option<Lookup> {
    match &lookup {
        Some(Lookup {
            outcome: crate::archive::Outcome::Found { url, .. },
            ..
        }) if !crate::archive::copy_allowed(cfg, url) => {
            dropped.push(crate::archive::copy_shape(url));
            None
        }
        _ => lookup,
    }
}

#[cfg(test)]
mod tests {
    use super::{archive_roles, wants_archive};
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
}
