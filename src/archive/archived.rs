//! What the archive stage learnt in one run: per target (a dead link or a
//! missing repository) what the archives answered, with the way back from
//! unique URLs and repositories to their targets. Data and look-ups only:
//! the pipeline fills it (`pipeline::archive`), the reports word it
//! (`report::summary`); never sends a request.

use crate::store::Store;

/// What the archive stage learnt, per target, with the way back from
/// unique URLs and repositories to their targets.
#[derive(Debug, Default)]
pub struct Archived {
    pub targets: Vec<super::Target>,
    /// Per target; `None` when nothing is known (archive off, budget spent,
    /// or the archives could not answer).
    pub lookups: Vec<Option<super::Lookup>>,
    /// Per unique URL: its target, when it is one.
    pub url_target: Vec<Option<u32>>,
    /// Per repository (`Links::repos` index): its target, when missing.
    pub repo_target: Vec<Option<u32>>,
    pub saves: Vec<super::Save>,
    /// Requests sent to the archives in this run.
    pub calls: usize,
    pub notes: Vec<String>,
    pub enabled: bool,
}

impl Archived {
    /// What is known about the target of unique URL `id`.
    pub fn of_url(&self, id: usize) -> Option<(&super::Target, Option<&super::Lookup>)> {
        let t = self.url_target.get(id).copied().flatten()? as usize;
        Some((&self.targets[t], self.lookups[t].as_ref()))
    }

    /// What is known about the target with this key.
    pub fn of_key(&self, key: &str) -> Option<&super::Lookup> {
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
            if let Some(words) = super::words(&lookup.outcome, target.code) {
                let copy = match &lookup.outcome {
                    super::Outcome::Found { url, .. } => Some(url.clone()),
                    _ => None,
                };
                out.push((url.as_str(), words, copy));
            }
        }
        out
    }

    /// What is known about repository `i` (missing ones only).
    pub fn of_repo(&self, i: usize) -> Option<&super::Lookup> {
        let t = self.repo_target.get(i).copied().flatten()? as usize;
        self.lookups[t].as_ref()
    }
}
