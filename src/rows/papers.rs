//! papers.csv records. Column names and order are contracts: new fields go
//! at the end, with `#[serde(default)]`.

use crate::model::{Health, PaperRow};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// One row of papers.csv.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaperRecord<'a> {
    #[serde(with = "super::codec::text")]
    pub source: Cow<'a, str>,
    pub line: usize,
    #[serde(with = "super::codec::text")]
    pub paper: Cow<'a, str>,
    pub links: usize,
    pub code_links: usize,
    pub repos: usize,
    pub broken_links: usize,
    #[serde(with = "super::codec::text")]
    pub best_repo: Cow<'a, str>,
    pub best_repo_stars: Option<u64>,
    pub health: Option<Health>,
    pub claims_code_without_link: bool,
    /// Issue 15: `archived`, `lost`, or empty.
    #[serde(with = "super::codec::text", default)]
    pub code_recoverable: Cow<'a, str>,
}

impl<'a> PaperRecord<'a> {
    /// The record of a row; borrows every text.
    pub fn from_row(p: &'a PaperRow<'_>) -> Self {
        PaperRecord {
            source: Cow::Borrowed(p.source),
            line: p.line,
            paper: Cow::Borrowed(p.paper),
            links: p.links,
            code_links: p.code_links,
            repos: p.repos,
            broken_links: p.broken_links,
            best_repo: Cow::Borrowed(&p.best_repo),
            best_repo_stars: p.best_repo_stars,
            health: p.health,
            claims_code_without_link: p.claims_code_without_link,
            code_recoverable: Cow::Borrowed(p.code_recoverable),
        }
    }
}
