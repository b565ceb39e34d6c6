//! Gitee: `gitee.com/owner/name`, deeper paths reduced.
//! `GET {api}/api/v5/repos/{owner}/{name}`. Pure: no I/O.

use super::{Answer, Api, ForgeRef, json, owner_name_path, read_status};
use crate::model::{Forge, RepoInfo, RepoOutcome};
use chrono::{DateTime, Utc};
use serde::Deserialize;

pub(super) static API: Api = Api {
    forge: Forge::Gitee,
    request,
    read,
};

/// First segments that are Gitee's own pages.
const NON_REPOSITORY_PAGES: &[&str] = &[
    "api",
    "explore",
    "enterprises",
    "organizations",
    "help",
    "login",
    "signup",
    "search",
    "about",
    "features",
    "gists",
    "events",
    "education",
    "oauth",
];

pub(super) fn parse_path(segs: &[&str]) -> Option<(String, bool)> {
    owner_name_path(segs, NON_REPOSITORY_PAGES)
}

fn request(r: &ForgeRef) -> String {
    format!("/api/v5/repos/{}", r.path)
}

#[derive(Deserialize)]
struct Repo {
    full_name: String,
    html_url: String,
    #[serde(default)]
    stargazers_count: u64,
    #[serde(default)]
    forks_count: u64,
    #[serde(default)]
    watchers_count: u64,
    #[serde(default)]
    open_issues_count: u64,
    language: Option<String>,
    created_at: Option<DateTime<Utc>>,
    pushed_at: Option<DateTime<Utc>>,
    updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    fork: bool,
    /// Gitee marks a closed/archived project with a status word.
    status: Option<String>,
}

fn read(answer: &Answer, _: &ForgeRef) -> RepoOutcome {
    read_status(Forge::Gitee, answer, |body| {
        let g: Repo = json(Forge::Gitee, body)?;
        Ok(RepoInfo {
            canonical: g.full_name,
            url: g.html_url,
            stars: g.stargazers_count,
            forks: g.forks_count,
            watchers: g.watchers_count,
            open_issues: g.open_issues_count,
            language: g.language.filter(|l| !l.is_empty()),
            created_at: g.created_at,
            pushed_at: g.pushed_at.or(g.updated_at),
            archived: g
                .status
                .as_deref()
                .is_some_and(|s| s == "已关闭" || s == "closed"),
            fork: g.fork,
            has_code: true,
            ..RepoInfo::default()
        })
    })
}
