//! links.csv records: [`LinkRecord`] (the `check` report) and
//! [`ExtractRecord`] (the `extract` command: the columns up to `repo`).
//! Column names and order are contracts: new fields go at the end, with
//! `#[serde(default)]`.

use crate::model::{LinkRow, Role, Status};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Joins the URLs of `redirect_chain` (URLs never contain spaces).
pub const CHAIN_SEPARATOR: &str = " -> ";

/// One row of links.csv as written by `check`. A row without a result (an
/// interrupted run) is `unchecked` with empty result cells and keeps its
/// `first_failed_at`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkRecord<'a> {
    #[serde(with = "super::codec::text")]
    pub source: Cow<'a, str>,
    pub line: usize,
    pub column: usize,
    #[serde(with = "super::codec::text")]
    pub paper: Cow<'a, str>,
    #[serde(with = "super::codec::text")]
    pub url: Cow<'a, str>,
    #[serde(with = "super::codec::text")]
    pub repo: Cow<'a, str>,
    pub status: Status,
    pub http_status: Option<u16>,
    #[serde(with = "super::codec::text")]
    pub final_url: Cow<'a, str>,
    #[serde(with = "super::codec::text")]
    pub error: Cow<'a, str>,
    /// Empty for a row without a result.
    pub elapsed_ms: Option<u64>,
    /// Empty for a row without a result.
    #[serde(with = "super::codec::opt_time")]
    pub checked_at: Option<DateTime<Utc>>,
    pub cached: bool,
    #[serde(with = "super::codec::opt_time")]
    pub first_failed_at: Option<DateTime<Utc>>,
    /// Every URL requested after the first, joined with [`CHAIN_SEPARATOR`].
    /// The newest column: a file written before it reads with empty chains.
    #[serde(with = "super::codec::text", default)]
    pub redirect_chain: Cow<'a, str>,
    /// Issue 15: the archived copy a person should follow when the link is
    /// dead, its snapshot's date, and when the archives were asked.
    #[serde(with = "super::codec::text", default)]
    pub archived_copy: Cow<'a, str>,
    #[serde(with = "super::codec::opt_time", default)]
    pub archived_at: Option<DateTime<Utc>>,
    #[serde(with = "super::codec::opt_time", default)]
    pub archive_checked_at: Option<DateTime<Utc>>,
    /// Issue 13: the innermost heading above the link's paper, and what the
    /// link is to its paper (`code`, `paper`, `project`, ...).
    #[serde(with = "super::codec::text", default)]
    pub section: Cow<'a, str>,
    #[serde(default)]
    pub role: Role,
    /// Issue 14: the project page this link was found on (empty: the input
    /// links it directly).
    #[serde(with = "super::codec::text", default)]
    pub found_via: Cow<'a, str>,
    /// Issue 14: on a followed project page's own rows, the code links
    /// found on it, joined with [`PAGE_LINKS_SEPARATOR`]; [`NO_PAGE_LINKS`]
    /// when it was looked at and holds none (or is not HTML); empty when it
    /// was not looked at.
    /// What an incremental run reuses instead of requesting the page again.
    #[serde(with = "super::codec::text", default)]
    pub page_code_links: Cow<'a, str>,
}

/// Joins the URLs of `page_code_links` (URLs never contain spaces).
pub const PAGE_LINKS_SEPARATOR: &str = " ";

/// `page_code_links` of a page that was read and links no code.
pub const NO_PAGE_LINKS: &str = "none";

impl<'a> LinkRecord<'a> {
    /// The record of a row; borrows every text it can.
    pub fn from_row(row: &LinkRow<'a>) -> Self {
        let head = ExtractRecord::from_row(row);
        let r = row.result;
        LinkRecord {
            source: head.source,
            line: head.line,
            column: head.column,
            paper: head.paper,
            url: head.url,
            repo: head.repo,
            status: r.map_or(Status::Unchecked, |r| r.status),
            http_status: r.and_then(|r| r.http_status),
            final_url: Cow::Borrowed(r.and_then(|r| r.final_url.as_deref()).unwrap_or("")),
            error: Cow::Borrowed(r.map_or("", |r| r.error.as_str())),
            elapsed_ms: r.map(|r| r.elapsed_ms),
            checked_at: r.map(|r| r.checked_at),
            cached: r.is_some_and(|r| r.cached),
            first_failed_at: row.first_failed_at,
            redirect_chain: match r.map_or(&[][..], |r| r.redirect_chain.as_slice()) {
                [] => Cow::Borrowed(""),
                chain => Cow::Owned(chain.join(CHAIN_SEPARATOR)),
            },
            archived_copy: Cow::Borrowed(row.archive.map_or("", |a| a.copy.as_str())),
            archived_at: row.archive.and_then(|a| a.at),
            archive_checked_at: row.archive.and_then(|a| a.checked_at),
            section: head.section,
            role: head.role,
            found_via: Cow::Borrowed(row.found_via),
            page_code_links: match r.and_then(|r| r.page_links.as_deref()) {
                None => Cow::Borrowed(""),
                Some([]) => Cow::Borrowed(NO_PAGE_LINKS),
                Some(links) => Cow::Owned(links.join(PAGE_LINKS_SEPARATOR)),
            },
        }
    }

    /// The URLs of `page_code_links`: `None` when the page was not read.
    pub fn page_links(&self) -> Option<Vec<String>> {
        match self.page_code_links.as_ref() {
            "" => None,
            NO_PAGE_LINKS => Some(Vec::new()),
            links => Some(
                links
                    .split(PAGE_LINKS_SEPARATOR)
                    .filter(|u| !u.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
        }
    }

    /// The URLs of `redirect_chain`.
    pub fn chain(&self) -> Vec<String> {
        if self.redirect_chain.is_empty() {
            return Vec::new();
        }
        self.redirect_chain
            .split(CHAIN_SEPARATOR)
            .map(str::to_owned)
            .collect()
    }
}

/// One row of the `extract` command's CSV: the links.csv columns up to
/// `repo`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ExtractRecord<'a> {
    #[serde(with = "super::codec::text")]
    pub source: Cow<'a, str>,
    pub line: usize,
    pub column: usize,
    #[serde(with = "super::codec::text")]
    pub paper: Cow<'a, str>,
    #[serde(with = "super::codec::text")]
    pub url: Cow<'a, str>,
    #[serde(with = "super::codec::text")]
    pub repo: Cow<'a, str>,
    /// Issue 13 (also in links.csv, after the check columns).
    #[serde(with = "super::codec::text", default)]
    pub section: Cow<'a, str>,
    #[serde(default)]
    pub role: Role,
}

impl<'a> ExtractRecord<'a> {
    pub fn from_row(row: &LinkRow<'a>) -> Self {
        ExtractRecord {
            source: Cow::Borrowed(row.source),
            line: row.line,
            column: row.column,
            paper: Cow::Borrowed(row.paper),
            url: Cow::Borrowed(row.url),
            repo: Cow::Borrowed(row.repo),
            section: Cow::Borrowed(row.section),
            role: row.role,
        }
    }
}
