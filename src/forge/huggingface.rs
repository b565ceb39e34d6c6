//! Hugging Face Hub: models (`huggingface.co/{owner}/{name}`), datasets
//! (`/datasets/...`) and Spaces (`/spaces/...`), also on `hf.co`, deeper
//! paths (`/tree/main`, `/blob/...`, `/resolve/...`) reduced to the
//! repository. `GET {api}/api/{models|datasets|spaces}/{id}`. Pure: no I/O.

use super::{Answer, Api, ForgeRef, json, valid_segment};
use crate::model::{Forge, RepoInfo, RepoKind, RepoOutcome};
use chrono::{DateTime, Utc};
use serde::Deserialize;

pub static API: Api = Api {
    forge: Forge::Huggingface,
    request,
    read,
};

/// First path segments that are the Hub's own pages, never an owner.
const NON_REPOSITORY_PAGES: &[&str] = &[
    "api",
    "blog",
    "chat",
    "collections",
    "docs",
    "enterprise",
    "join",
    "learn",
    "login",
    "models",
    "new",
    "notifications",
    "organizations",
    "papers",
    "posts",
    "pricing",
    "search",
    "settings",
    "tasks",
    "inference-endpoints",
    "welcome",
    "terms-of-service",
    "privacy",
];

/// `(kind, owner/name, root)` of a Hub link's path segments.
pub fn parse_path(segs: &[&str]) -> Option<(RepoKind, String, bool)> {
    let (kind, rest) = match segs.first().map(|s| s.to_ascii_lowercase()).as_deref() {
        Some("datasets") => (RepoKind::Dataset, &segs[1..]),
        Some("spaces") => (RepoKind::Space, &segs[1..]),
        Some(s) if NON_REPOSITORY_PAGES.contains(&s) => return None,
        _ => (RepoKind::Model, segs),
    };
    let (owner, name) = (*rest.first()?, *rest.get(1)?);
    if !valid_segment(owner) || !valid_segment(name) {
        return None;
    }
    Some((kind, format!("{owner}/{name}"), rest.len() == 2))
}

fn request(r: &ForgeRef) -> String {
    let kind = match r.kind {
        RepoKind::Dataset => "datasets",
        RepoKind::Space => "spaces",
        _ => "models",
    };
    format!("/api/{kind}/{}", r.path)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Repo {
    id: Option<String>,
    #[serde(default)]
    likes: Option<u64>,
    #[serde(default)]
    downloads: Option<u64>,
    last_modified: Option<DateTime<Utc>>,
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    disabled: bool,
    runtime: Option<Runtime>,
}

#[derive(Deserialize)]
struct Runtime {
    stage: Option<String>,
}

/// 200 -> found (a `disabled` repository is missing: the Hub no longer
/// serves it); 401/404 with `X-Error-Code: RepoNotFound` -> missing;
/// `GatedRepo` -> found (live, behind a licence gate), without figures.
fn read(answer: &Answer, r: &ForgeRef) -> RepoOutcome {
    match (answer.status, answer.error_code.as_deref()) {
        (200, _) => match json::<Repo>(Forge::Huggingface, &answer.body) {
            Ok(repo) if repo.disabled => RepoOutcome::Missing,
            Ok(repo) => RepoOutcome::Found(Box::new(info(repo, r))),
            Err(e) => RepoOutcome::Unknown(e),
        },
        (_, Some("GatedRepo")) => RepoOutcome::Found(Box::new(RepoInfo {
            canonical: r.path.clone(),
            url: web_url(r, &r.path),
            has_code: true,
            ..RepoInfo::default()
        })),
        (401 | 404, Some("RepoNotFound")) | (404 | 410, _) => RepoOutcome::Missing,
        (s, code) => RepoOutcome::Unknown(format!(
            "huggingface API answered HTTP {s}{}",
            code.map(|c| format!(" ({c})")).unwrap_or_default()
        )),
    }
}

fn web_url(r: &ForgeRef, id: &str) -> String {
    format!("https://huggingface.co/{}{id}", super::kind_prefix(r.kind))
}

fn info(repo: Repo, r: &ForgeRef) -> RepoInfo {
    let canonical = repo.id.unwrap_or_else(|| r.path.clone());
    RepoInfo {
        url: web_url(r, &canonical),
        canonical,
        stars: repo.likes.unwrap_or(0),
        likes: repo.likes,
        downloads_30d: repo.downloads,
        created_at: repo.created_at,
        pushed_at: repo.last_modified,
        runtime: repo.runtime.and_then(|rt| rt.stage),
        has_code: true,
        ..RepoInfo::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(kind: RepoKind) -> ForgeRef {
        ForgeRef {
            forge: Forge::Huggingface,
            kind,
            host: "huggingface.co".into(),
            path: "org/x".into(),
            root: true,
        }
    }

    fn answer(status: u16, code: Option<&str>, body: &str) -> Answer {
        Answer {
            status,
            error_code: code.map(str::to_string),
            body: body.into(),
        }
    }

    #[test]
    fn requests_name_the_kind() {
        assert_eq!(request(&r(RepoKind::Model)), "/api/models/org/x");
        assert_eq!(request(&r(RepoKind::Dataset)), "/api/datasets/org/x");
        assert_eq!(request(&r(RepoKind::Space)), "/api/spaces/org/x");
    }

    #[test]
    fn answers_become_outcomes() {
        let body = r#"{"id":"org/x","likes":12,"downloads":3400,"lastModified":"2026-01-02T03:04:05.000Z",
            "createdAt":"2024-01-01T00:00:00.000Z","gated":"auto","private":false,"disabled":false,
            "runtime":{"stage":"RUNTIME_ERROR","hardware":{}}}"#;
        let RepoOutcome::Found(i) = read(&answer(200, None, body), &r(RepoKind::Space)) else {
            panic!()
        };
        assert_eq!(
            (i.stars, i.likes, i.downloads_30d),
            (12, Some(12), Some(3400))
        );
        assert_eq!(i.runtime.as_deref(), Some("RUNTIME_ERROR"));
        assert_eq!(i.url, "https://huggingface.co/spaces/org/x");
        assert!(i.pushed_at.is_some() && i.created_at.is_some());
        for (status, code) in [
            (401, Some("RepoNotFound")),
            (404, Some("RepoNotFound")),
            (404, None),
        ] {
            assert_eq!(
                read(&answer(status, code, ""), &r(RepoKind::Model)),
                RepoOutcome::Missing
            );
        }
        let disabled = answer(200, None, r#"{"id":"org/x","disabled":true}"#);
        assert_eq!(read(&disabled, &r(RepoKind::Model)), RepoOutcome::Missing);
        let gated = read(&answer(403, Some("GatedRepo"), ""), &r(RepoKind::Model));
        assert!(matches!(gated, RepoOutcome::Found(_)));
        assert!(matches!(
            read(&answer(401, None, ""), &r(RepoKind::Model)),
            RepoOutcome::Unknown(_)
        ));
        assert!(matches!(
            read(&answer(200, None, "<html>"), &r(RepoKind::Model)),
            RepoOutcome::Unknown(_)
        ));
    }
}
