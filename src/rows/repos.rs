//! repos.csv records. Column names and order are contracts: new fields go
//! at the end, with `#[serde(default)]`.

use crate::model::{Forge, Health, RepoInfo, RepoKind, RepoRow};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// One row of repos.csv. The repository data (`canonical` .. `empty`,
/// `has_code`) is empty when GitHub did not find it; `stars` is written for
/// every found repository and only for those.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepoRecord<'a> {
    #[serde(with = "super::codec::text")]
    pub repo: Cow<'a, str>,
    #[serde(with = "super::codec::text")]
    pub canonical: Cow<'a, str>,
    #[serde(with = "super::codec::text")]
    pub url: Cow<'a, str>,
    pub papers: usize,
    pub links: usize,
    pub stars: Option<u64>,
    pub forks: Option<u64>,
    pub watchers: Option<u64>,
    pub open_issues: Option<u64>,
    #[serde(with = "super::codec::text")]
    pub license: Cow<'a, str>,
    #[serde(with = "super::codec::text")]
    pub language: Cow<'a, str>,
    #[serde(with = "super::codec::opt_time")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(with = "super::codec::opt_time")]
    pub pushed_at: Option<DateTime<Utc>>,
    #[serde(with = "super::codec::opt_time")]
    pub last_commit_at: Option<DateTime<Utc>>,
    pub commits_90d: Option<u64>,
    #[serde(with = "super::codec::text")]
    pub latest_release: Cow<'a, str>,
    #[serde(with = "super::codec::opt_time")]
    pub latest_release_at: Option<DateTime<Utc>>,
    pub archived: Option<bool>,
    pub fork: Option<bool>,
    pub empty: Option<bool>,
    pub health: Health,
    pub days_since_push: Option<i64>,
    pub rank: Option<usize>,
    #[serde(with = "super::codec::text")]
    pub error: Cow<'a, str>,
    pub stars_delta: Option<i64>,
    #[serde(with = "super::codec::opt_time")]
    pub previous_report_at: Option<DateTime<Utc>>,
    #[serde(with = "super::codec::time")]
    pub fetched_at: DateTime<Utc>,
    pub cached: bool,
    /// Written so a reused row keeps everything `github::health` needs.
    pub has_code: Option<bool>,
    /// Issue 15: where a missing repository's code went.
    #[serde(with = "super::codec::text", default)]
    pub archived_copy: Cow<'a, str>,
    #[serde(with = "super::codec::opt_time", default)]
    pub archived_at: Option<DateTime<Utc>>,
    #[serde(with = "super::codec::opt_time", default)]
    pub archive_checked_at: Option<DateTime<Utc>>,
    /// `github`, `huggingface`, `gitlab`, `codeberg`, `gitea`, `gitee`.
    #[serde(default)]
    pub forge: Forge,
    /// `repository`, `model`, `dataset`, `space`.
    #[serde(default)]
    pub kind: RepoKind,
    /// Hugging Face likes (empty elsewhere).
    #[serde(default)]
    pub likes: Option<u64>,
    /// Hugging Face downloads over the last 30 days (empty elsewhere).
    #[serde(default)]
    pub downloads_30d: Option<u64>,
    /// A Hugging Face Space's runtime stage (empty elsewhere).
    #[serde(default, with = "super::codec::text")]
    pub runtime: Cow<'a, str>,
    /// The project page a repository was found on (`[follow]`); empty when
    /// an input links it directly.
    #[serde(default, with = "super::codec::text")]
    pub found_via: Cow<'a, str>,
}

fn text(v: Option<&str>) -> Cow<'_, str> {
    Cow::Borrowed(v.unwrap_or(""))
}

fn need<T>(v: Option<T>, what: &str) -> Result<T, String> {
    v.ok_or_else(|| format!("{what} is empty for a found repository"))
}

fn opt_text(v: Cow<'_, str>) -> Option<String> {
    (!v.is_empty()).then(|| v.into_owned())
}

impl<'a> RepoRecord<'a> {
    /// The record of a row; borrows every text.
    pub fn from_row(r: &'a RepoRow) -> Self {
        let i = r.info.as_ref();
        RepoRecord {
            repo: Cow::Borrowed(&r.repo),
            canonical: text(i.map(|i| i.canonical.as_str())),
            url: text(i.map(|i| i.url.as_str())),
            papers: r.papers,
            links: r.links,
            stars: i.map(|i| i.stars),
            forks: i.map(|i| i.forks),
            watchers: i.map(|i| i.watchers),
            open_issues: i.map(|i| i.open_issues),
            license: text(i.and_then(|i| i.license.as_deref())),
            language: text(i.and_then(|i| i.language.as_deref())),
            created_at: i.and_then(|i| i.created_at),
            pushed_at: i.and_then(|i| i.pushed_at),
            last_commit_at: i.and_then(|i| i.last_commit_at),
            commits_90d: i.and_then(|i| i.commits_90d),
            latest_release: text(i.and_then(|i| i.latest_release.as_deref())),
            latest_release_at: i.and_then(|i| i.latest_release_at),
            archived: i.map(|i| i.archived),
            fork: i.map(|i| i.fork),
            empty: i.map(|i| i.empty),
            health: r.health,
            days_since_push: r.days_since_push,
            rank: r.rank,
            error: Cow::Borrowed(&r.error),
            stars_delta: r.stars_delta,
            previous_report_at: r.previous_report_at,
            fetched_at: r.fetched_at,
            cached: r.cached,
            has_code: i.map(|i| i.has_code),
            archived_copy: Cow::Borrowed(&r.archive.copy),
            archived_at: r.archive.at,
            archive_checked_at: r.archive.checked_at,
            forge: r.forge,
            kind: r.kind,
            likes: i.and_then(|i| i.likes),
            downloads_30d: i.and_then(|i| i.downloads_30d),
            runtime: text(i.and_then(|i| i.runtime.as_deref())),
            found_via: Cow::Borrowed(&r.found_via),
        }
    }

    /// The row a record stands for; `Err` names what is inconsistent.
    pub fn into_row(self) -> Result<RepoRow, String> {
        let info = match self.stars {
            None => None,
            Some(stars) => Some(RepoInfo {
                canonical: self.canonical.into_owned(),
                url: self.url.into_owned(),
                stars,
                forks: need(self.forks, "forks")?,
                watchers: need(self.watchers, "watchers")?,
                open_issues: need(self.open_issues, "open_issues")?,
                license: opt_text(self.license),
                language: opt_text(self.language),
                created_at: self.created_at,
                pushed_at: self.pushed_at,
                last_commit_at: self.last_commit_at,
                commits_90d: self.commits_90d,
                latest_release: opt_text(self.latest_release),
                latest_release_at: self.latest_release_at,
                archived: need(self.archived, "archived")?,
                fork: need(self.fork, "fork")?,
                empty: need(self.empty, "empty")?,
                has_code: need(self.has_code, "has_code")?,
                likes: self.likes,
                downloads_30d: self.downloads_30d,
                runtime: opt_text(self.runtime),
            }),
        };
        Ok(RepoRow {
            repo: self.repo.into_owned(),
            forge: self.forge,
            kind: self.kind,
            info,
            papers: self.papers,
            links: self.links,
            health: self.health,
            days_since_push: self.days_since_push,
            rank: self.rank,
            error: self.error.into_owned(),
            fetched_at: self.fetched_at,
            cached: self.cached,
            stars_delta: self.stars_delta,
            previous_report_at: self.previous_report_at,
            archive: crate::model::ArchiveCells {
                copy: self.archived_copy.into_owned(),
                at: self.archived_at,
                checked_at: self.archive_checked_at,
            },
            found_via: self.found_via.into_owned(),
        })
    }
}
