//! GitLab (gitlab.com and self-hosted): `host/group/[sub/...]/name`, deeper
//! paths (after `/-/`, or the old `tree`/`blob`/... forms) reduced to the
//! project. `GET {api}/api/v4/projects/{url-encoded path}`; a moved project
//! answers with a redirect, which the client follows. Pure: no I/O.

use super::{Answer, Api, ForgeRef, json, read_status, strip_git, valid_segment};
use crate::model::{Forge, RepoInfo, RepoOutcome};
use chrono::{DateTime, Utc};
use serde::Deserialize;

pub(super) static API: Api = Api {
    forge: Forge::Gitlab,
    request,
    read,
};

/// First segments that are GitLab's own pages.
const NON_REPOSITORY_PAGES: &[&str] = &[
    "-",
    "admin",
    "api",
    "dashboard",
    "explore",
    "groups",
    "help",
    "projects",
    "search",
    "users",
    "snippets",
    "profile",
    "public",
];

/// Segments that start a deeper path in GitLab's older URL forms.
const DEEPER: &[&str] = &[
    "tree",
    "blob",
    "raw",
    "commits",
    "commit",
    "issues",
    "merge_requests",
    "wikis",
    "tags",
    "releases",
    "pipelines",
    "blame",
];

/// `(group/.../name, root)` of a GitLab link's path segments.
pub(super) fn parse_path(segs: &[&str]) -> Option<(String, bool)> {
    let first = segs.first()?;
    if NON_REPOSITORY_PAGES
        .iter()
        .any(|p| p.eq_ignore_ascii_case(first))
    {
        return None;
    }
    let end = segs
        .iter()
        .enumerate()
        .position(|(i, s)| *s == "-" || (i >= 2 && DEEPER.contains(s)))
        .unwrap_or(segs.len());
    let project = &segs[..end];
    if project.len() < 2 {
        return None;
    }
    let mut parts: Vec<&str> = project.to_vec();
    let last = parts.len() - 1;
    parts[last] = strip_git(parts[last]);
    if !parts.iter().all(|s| valid_segment(s)) {
        return None;
    }
    Some((parts.join("/"), end == segs.len()))
}

fn request(r: &ForgeRef) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(r.path.as_bytes()).collect();
    format!("/api/v4/projects/{encoded}")
}

#[derive(Deserialize)]
struct Project {
    path_with_namespace: String,
    web_url: String,
    #[serde(default)]
    star_count: u64,
    #[serde(default)]
    forks_count: u64,
    #[serde(default)]
    open_issues_count: Option<u64>,
    created_at: Option<DateTime<Utc>>,
    last_activity_at: Option<DateTime<Utc>>,
    #[serde(default)]
    archived: bool,
    #[serde(default)]
    empty_repo: bool,
    forked_from_project: Option<serde_json::Value>,
}

fn read(answer: &Answer, _: &ForgeRef) -> RepoOutcome {
    read_status(Forge::Gitlab, answer, |body| {
        let p: Project = json(Forge::Gitlab, body)?;
        Ok(RepoInfo {
            canonical: p.path_with_namespace,
            url: p.web_url,
            stars: p.star_count,
            forks: p.forks_count,
            open_issues: p.open_issues_count.unwrap_or(0),
            created_at: p.created_at,
            pushed_at: p.last_activity_at,
            archived: p.archived,
            empty: p.empty_repo,
            fork: p.forked_from_project.is_some_and(|v| !v.is_null()),
            has_code: true,
            ..RepoInfo::default()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_encodes_the_whole_path() {
        let r = ForgeRef {
            forge: Forge::Gitlab,
            kind: Default::default(),
            host: "gitlab.com".into(),
            path: "g/sub/p".into(),
            root: true,
        };
        assert_eq!(request(&r), "/api/v4/projects/g%2Fsub%2Fp");
        let body = r#"{"id":1,"path_with_namespace":"g/sub/p2","web_url":"https://gitlab.com/g/sub/p2",
            "star_count":7,"forks_count":2,"last_activity_at":"2025-05-01T10:00:00.000Z",
            "archived":true,"empty_repo":false}"#;
        let a = Answer {
            status: 200,
            body: body.into(),
            ..Answer::default()
        };
        let RepoOutcome::Found(i) = read(&a, &r) else {
            panic!()
        };
        assert_eq!(
            (i.canonical.as_str(), i.stars, i.forks, i.archived),
            ("g/sub/p2", 7, 2, true)
        );
        let a = Answer {
            status: 404,
            ..Answer::default()
        };
        assert_eq!(read(&a, &r), RepoOutcome::Missing);
    }
}
