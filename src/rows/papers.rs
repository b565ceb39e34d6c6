//! papers.csv records. Column names and order are contracts: new fields go
//! at the end, with `#[serde(default)]`.

use crate::model::{CodeState, Health, PaperRow, Recoverable};
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
    #[serde(default)]
    pub code_recoverable: Recoverable,
    /// Issue 13: the code state, the section, the first paper-role link,
    /// then links per role in `Role::ALL` order.
    #[serde(default)]
    pub code_state: CodeState,
    #[serde(with = "super::codec::text", default)]
    pub section: Cow<'a, str>,
    #[serde(with = "super::codec::text", default)]
    pub paper_url: Cow<'a, str>,
    #[serde(default)]
    pub code_role_links: usize,
    #[serde(default)]
    pub paper_role_links: usize,
    #[serde(default)]
    pub project_role_links: usize,
    #[serde(default)]
    pub dataset_role_links: usize,
    #[serde(default)]
    pub model_role_links: usize,
    #[serde(default)]
    pub demo_role_links: usize,
    #[serde(default)]
    pub video_role_links: usize,
    #[serde(default)]
    pub social_role_links: usize,
    #[serde(default)]
    pub other_role_links: usize,
    /// Issue 24: links whose status is in `[ci] fail_on` (`broken_links`
    /// counts `broken` only).
    #[serde(default)]
    pub failing_links: usize,
}

impl<'a> PaperRecord<'a> {
    /// The record of a row; borrows every text.
    pub fn from_row(p: &'a PaperRow<'_>) -> Self {
        // Indexed like `Role::ALL` (the field order above).
        let n = p.role_links.map(|n| n as usize);
        PaperRecord {
            source: Cow::Borrowed(p.source),
            line: p.line as usize,
            paper: Cow::Borrowed(p.paper),
            links: p.links as usize,
            code_links: p.code_links as usize,
            repos: p.repos as usize,
            broken_links: p.broken_links as usize,
            best_repo: Cow::Borrowed(&p.best_repo),
            best_repo_stars: p.best_repo_stars,
            health: p.health,
            claims_code_without_link: p.claims_code_without_link,
            code_recoverable: p.code_recoverable,
            code_state: p.code_state,
            section: Cow::Borrowed(p.section),
            paper_url: Cow::Borrowed(p.paper_url),
            code_role_links: n[0],
            paper_role_links: n[1],
            project_role_links: n[2],
            dataset_role_links: n[3],
            model_role_links: n[4],
            demo_role_links: n[5],
            video_role_links: n[6],
            social_role_links: n[7],
            other_role_links: n[8],
            failing_links: p.failing_links as usize,
        }
    }
}
