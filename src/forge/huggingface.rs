//! Hugging Face Hub: models (`huggingface.co/{owner}/{name}`), datasets
//! (`/datasets/...`) and Spaces (`/spaces/...`), also on `hf.co`, deeper
//! paths (`/tree/main`, `/blob/...`, `/resolve/...`) reduced to the
//! repository. `GET {api}/api/{models|datasets|spaces}/{id}`. Pure: no I/O.

use super::{Answer, Api, ForgeRef, json, valid_segment};
use crate::model::{Forge, RepoInfo, RepoKind, RepoOutcome, Unfetched};
use chrono::{DateTime, Utc};
use serde::Deserialize;

pub(super) static API: Api = Api {
    forge: Forge::Huggingface,
    request,
    read,
};

/// First path segments that are the Hub's own pages, never an owner nor
/// an owner-less model id (`datasets` and `spaces` are kinds, above).
const NON_REPOSITORY_PAGES: &[&str] = &[
    "api",
    "billing",
    "blog",
    "brand",
    "changelog",
    "chat",
    "code-of-conduct",
    "collections",
    "docs",
    "enterprise",
    "hardware",
    "huggingchat",
    "inference-api",
    "jobs",
    "join",
    "learn",
    "login",
    "logout",
    "models",
    "new",
    "notifications",
    "oauth",
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

/// Second segments after which an owner-less (legacy) model id's link goes
/// deeper: `huggingface.co/bert-base-uncased/tree/main`, `/blob/...`,
/// `/resolve/...` (the Hub's web routes under a repository).
const DEEPER: &[&str] = &[
    "tree",
    "blob",
    "resolve",
    "raw",
    "commits",
    "commit",
    "discussions",
];

/// `(kind, id, root)` of a Hub link's path segments: `owner/name`, or a
/// legacy model id without an owner (`huggingface.co/gpt2`,
/// `huggingface.co/bert-base-uncased/tree/main`), which the Hub still
/// serves at `/api/models/ID` (huggingface_hub's `repo_type_and_id_from_hf_id`
/// takes `https://huggingface.co/<repo_id>` as a model with no namespace).
pub(super) fn parse_path(segs: &[&str]) -> Option<(RepoKind, String, bool)> {
    let (kind, rest) = match segs.first().map(|s| s.to_ascii_lowercase()).as_deref() {
        Some("datasets") => (RepoKind::Dataset, &segs[1..]),
        Some("spaces") => (RepoKind::Space, &segs[1..]),
        Some(s) if NON_REPOSITORY_PAGES.contains(&s) => return None,
        _ => (RepoKind::Model, segs),
    };
    let owner = *rest.first()?;
    if !valid_segment(owner) {
        return None;
    }
    let legacy = kind == RepoKind::Model
        && (rest.len() == 1 || rest.len() >= 3 && DEEPER.contains(&rest[1]));
    if legacy {
        return Some((kind, owner.to_string(), rest.len() == 1));
    }
    let name = *rest.get(1)?;
    if !valid_segment(name) {
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

/// `X-Error-Message` of a repository whose access the Hub disabled
/// (huggingface_hub `utils/_http.py`, `hf_raise_for_status`, raises
/// `DisabledRepoError` on exactly this message with a 403).
pub(super) const DISABLED: &str = "Access to this resource is disabled.";

/// 200 -> found (a `disabled` repository is unavailable: the Hub no longer
/// serves it); 403 with `X-Error-Message: Access to this resource is
/// disabled.` -> unavailable; 401/404 with `X-Error-Code: RepoNotFound` ->
/// missing (for an owner-less id, which may as well be a user's or an
/// organisation's page, unknown instead); `GatedRepo` -> found (live,
/// behind a licence gate), without figures.
fn read(answer: &Answer, r: &ForgeRef) -> RepoOutcome {
    let disabled = || {
        RepoOutcome::Unavailable(format!(
            "Hugging Face has disabled access to this repository (HTTP {}: {DISABLED})",
            answer.status
        ))
    };
    let outcome = match (answer.status, answer.error_code.as_deref()) {
        (200, _) => match json::<Repo>(Forge::Huggingface, &answer.body) {
            Ok(repo) if repo.disabled => disabled(),
            Ok(repo) => RepoOutcome::Found(Box::new(info(repo, r))),
            Err(e) => RepoOutcome::Unknown(e.into()),
        },
        (403, _) if answer.error_message.as_deref() == Some(DISABLED) => disabled(),
        (_, Some("GatedRepo")) => RepoOutcome::Found(Box::new(RepoInfo {
            canonical: r.path.clone(),
            url: web_url(r, &r.path),
            has_code: true,
            ..RepoInfo::default()
        })),
        (401 | 404, Some("RepoNotFound")) | (404 | 410, _) => RepoOutcome::Missing,
        (s, code) => RepoOutcome::Unknown(
            format!(
                "huggingface API answered HTTP {s}{}",
                code.or(answer.error_message.as_deref())
                    .map(|c| format!(" ({c})"))
                    .unwrap_or_default()
            )
            .into(),
        ),
    };
    match outcome {
        RepoOutcome::Missing if !r.path.contains('/') => {
            RepoOutcome::Unknown(Unfetched::failed(format!(
                "no Hugging Face model `{}`: a link with no owner names a legacy model, or a \
             user's or organisation's page",
                r.path
            )))
        }
        o => o,
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
            ..Answer::default()
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
        assert!(matches!(
            read(&disabled, &r(RepoKind::Model)),
            RepoOutcome::Unavailable(_)
        ));
        let refused = Answer {
            error_message: Some(DISABLED.into()),
            ..answer(403, None, "")
        };
        assert!(matches!(
            read(&refused, &r(RepoKind::Dataset)),
            RepoOutcome::Unavailable(m) if m.contains("disabled")
        ));
        let legacy = ForgeRef {
            path: "facebook".into(),
            ..r(RepoKind::Model)
        };
        assert!(matches!(
            read(&answer(401, Some("RepoNotFound"), ""), &legacy),
            RepoOutcome::Unknown(m) if m.contains("organisation")
        ));
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
