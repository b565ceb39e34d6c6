//! Codeberg and other Gitea/Forgejo hosts: `host/owner/name`, deeper paths
//! reduced. `GET {api}/api/v1/repos/{owner}/{name}`. Pure: no I/O.

use super::{Answer, Api, ForgeRef, json, owner_name_path, read_status};
use crate::model::{Forge, RepoInfo, RepoOutcome};
use chrono::{DateTime, Utc};
use serde::Deserialize;

pub(super) static API: Api = Api {
    forge: Forge::Codeberg,
    request,
    read,
};

/// First segments that are Gitea's own pages.
const NON_REPOSITORY_PAGES: &[&str] = &[
    "-",
    "admin",
    "api",
    "assets",
    "explore",
    "issues",
    "login",
    "notifications",
    "org",
    "pulls",
    "repo",
    "user",
    "milestones",
    "avatars",
];

pub(super) fn parse_path(segs: &[&str]) -> Option<(String, bool)> {
    owner_name_path(segs, NON_REPOSITORY_PAGES)
}

fn request(r: &ForgeRef) -> String {
    format!("/api/v1/repos/{}", r.path)
}

#[derive(Deserialize)]
struct Repo {
    full_name: String,
    html_url: String,
    #[serde(default)]
    stars_count: u64,
    #[serde(default)]
    forks_count: u64,
    #[serde(default)]
    watchers_count: u64,
    #[serde(default)]
    open_issues_count: u64,
    language: Option<String>,
    created_at: Option<DateTime<Utc>>,
    updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    archived: bool,
    #[serde(default)]
    empty: bool,
    #[serde(default)]
    fork: bool,
}

fn read(answer: &Answer, r: &ForgeRef) -> RepoOutcome {
    read_status(r.forge, answer, |body| {
        let g: Repo = json(r.forge, body)?;
        Ok(RepoInfo {
            canonical: g.full_name,
            url: g.html_url,
            stars: g.stars_count,
            forks: g.forks_count,
            watchers: g.watchers_count,
            open_issues: g.open_issues_count,
            language: g.language.filter(|l| !l.is_empty()),
            created_at: g.created_at,
            pushed_at: g.updated_at,
            archived: g.archived,
            empty: g.empty,
            fork: g.fork,
            has_code: true,
            ..RepoInfo::default()
        })
    })
}
