//! Stand-ins for the forge APIs beyond GitHub (Hugging Face Hub, GitLab,
//! Gitea/Codeberg, Gitee) on the local web server (127.0.0.1 only). Each
//! stand-in answers the API paths it was given and 404 to everything else
//! (Hugging Face's with `X-Error-Code: RepoNotFound`); it counts calls.

use super::web::{Reply, WebServer};
use std::collections::HashMap;

/// One API stand-in.
pub struct FakeForge {
    pub server: WebServer,
}

impl FakeForge {
    pub async fn start(routes: Vec<(String, Reply)>) -> FakeForge {
        FakeForge::start_with_token(routes, None).await
    }

    /// As `start`, and like the Hub, any bearer token but `valid` is
    /// answered 401 with `X-Error-Message: Invalid credentials in
    /// Authorization header` (the one 401 huggingface_hub's
    /// `hf_raise_for_status`, `utils/_http.py`, does not read as "repository
    /// not found"), whatever the path; no token is answered as usual.
    pub async fn start_with_token(routes: Vec<(String, Reply)>, valid: Option<&str>) -> FakeForge {
        let routes: HashMap<String, Reply> = routes.into_iter().collect();
        let valid = valid.map(|v| format!("Bearer {v}"));
        let server = WebServer::start(move |req| {
            let auth = req
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
                .map(|(_, v)| v.clone());
            if let (Some(valid), Some(auth)) = (&valid, &auth)
                && auth != valid
            {
                return Reply::status(401)
                    .header(
                        "X-Error-Message",
                        "Invalid credentials in Authorization header",
                    )
                    .header("Content-Type", "application/json")
                    .body(r#"{"error":"Invalid credentials in Authorization header"}"#);
            }
            route(&routes, req)
        })
        .await;
        FakeForge { server }
    }

    /// Requests for `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.server.hits(path)
    }

    /// The API base URL.
    pub fn url(&self) -> String {
        self.server.url("")
    }

    pub fn calls(&self) -> usize {
        self.server.requests()
    }
}

/// The stand-ins' routes, and what each API answers to anything else:
/// the Hub 401 `RepoNotFound` for a repository it does not know
/// (huggingface_hub `hf_raise_for_status`: "401 is misleading as it is
/// returned for private and gated repos if user is not authenticated, and
/// missing repos"), GitLab 404 `{"message":"404 Project Not Found"}`.
fn route(routes: &HashMap<String, Reply>, req: &super::web::Request) -> Reply {
    match routes.get(&req.path) {
        Some(r) => r.clone(),
        None if req.path.starts_with("/api/models/")
            || req.path.starts_with("/api/datasets/")
            || req.path.starts_with("/api/spaces/") =>
        {
            Reply::status(401).header("X-Error-Code", "RepoNotFound")
        }
        None => Reply::status(404).body(r#"{"message":"404 Project Not Found"}"#),
    }
}

fn json(body: serde_json::Value) -> Reply {
    Reply::status(200)
        .header("Content-Type", "application/json")
        .body(&body.to_string())
}

/// Hugging Face Hub answers.
pub mod hf {
    use super::*;

    pub fn model(id: &str, likes: u64, downloads: u64, modified: &str) -> (String, Reply) {
        (
            format!("/api/models/{id}"),
            json(serde_json::json!({
                "_id": "x", "id": id, "modelId": id, "likes": likes, "downloads": downloads,
                "lastModified": modified, "createdAt": "2024-01-01T00:00:00.000Z",
                "gated": false, "private": false, "disabled": false, "tags": []
            })),
        )
    }

    pub fn dataset(id: &str, likes: u64, downloads: u64, modified: &str) -> (String, Reply) {
        let (_, reply) = model(id, likes, downloads, modified);
        (format!("/api/datasets/{id}"), reply)
    }

    pub fn space(id: &str, likes: u64, stage: &str) -> (String, Reply) {
        (
            format!("/api/spaces/{id}"),
            json(serde_json::json!({
                "id": id, "likes": likes, "lastModified": "2026-11-01T00:00:00.000Z",
                "createdAt": "2025-01-01T00:00:00.000Z", "private": false, "disabled": false,
                "sdk": "gradio", "runtime": {"stage": stage, "hardware": {"current": null}}
            })),
        )
    }

    /// A repository whose access the Hub disabled: 403 with
    /// `X-Error-Message: Access to this resource is disabled.` and no
    /// `X-Error-Code` (huggingface_hub `utils/_http.py` raises
    /// `DisabledRepoError` on exactly this message; `errors.py` shows it for
    /// `dataset_info("laion/laion-art")`).
    pub fn disabled(kind: &str, id: &str) -> (String, Reply) {
        (
            format!("/api/{kind}/{id}"),
            Reply::status(403)
                .header("X-Error-Message", "Access to this resource is disabled.")
                .header("Content-Type", "application/json")
                .body(r#"{"error":"Access to this resource is disabled."}"#),
        )
    }

    /// A legacy (owner-less) model id the Hub moved under an organisation
    /// (`gpt2` -> `openai-community/gpt2`): the API redirects to the new
    /// id, which answers.
    pub fn moved_model(old: &str, new: &str) -> (String, Reply) {
        (
            format!("/api/models/{old}"),
            Reply::redirect(307, &format!("/api/models/{new}")),
        )
    }

    /// A gated model whose metadata the Hub refuses (403 `GatedRepo`).
    pub fn gated(id: &str) -> (String, Reply) {
        (
            format!("/api/models/{id}"),
            Reply::status(403).header("X-Error-Code", "GatedRepo"),
        )
    }
}

/// GitLab answers.
pub mod gitlab {
    use super::*;

    fn encoded(path: &str) -> String {
        path.replace('/', "%2F")
    }

    pub fn project(
        path: &str,
        stars: u64,
        activity: &str,
        archived: bool,
        empty: bool,
    ) -> (String, Reply) {
        (
            format!("/api/v4/projects/{}", encoded(path)),
            json(serde_json::json!({
                "id": 1, "path_with_namespace": path,
                "web_url": format!("https://gitlab.com/{path}"),
                "star_count": stars, "forks_count": 3, "open_issues_count": 2,
                "created_at": "2023-01-01T00:00:00.000Z", "last_activity_at": activity,
                "archived": archived, "empty_repo": empty
            })),
        )
    }

    /// A project page (the web UI, not the API).
    pub fn page(path: &str) -> (String, Reply) {
        (
            format!("/{path}"),
            Reply::status(200)
                .header("Content-Type", "text/html; charset=utf-8")
                .body("<!DOCTYPE html><html><head><title>project · GitLab</title></head></html>"),
        )
    }

    /// The page of a project moved from `old` on a GitLab before 16.7:
    /// its API answers 404 for the old path (the default here) while the
    /// page redirects to the new path (gitlab-org/gitlab #30013: "Redirection
    /// appears to be handled for both git commands and project page access
    /// in a web browser"; Rails' `redirect_to`, a 302).
    pub fn moved_page(old: &str, new: &str) -> (String, Reply) {
        (format!("/{old}"), Reply::redirect(302, &format!("/{new}")))
    }

    /// The page of a project GitLab does not show to a visitor (missing or
    /// private): a redirect to the sign-in page.
    pub fn sign_in_page(path: &str) -> Vec<(String, Reply)> {
        vec![
            (format!("/{path}"), Reply::redirect(302, "/users/sign_in")),
            (
                "/users/sign_in".into(),
                Reply::status(200)
                    .header("Content-Type", "text/html")
                    .body("<html>Sign in</html>"),
            ),
        ]
    }

    /// A project moved from `old` answers with a redirect to its new path.
    pub fn moved(old: &str, new: &str) -> (String, Reply) {
        (
            format!("/api/v4/projects/{}", encoded(old)),
            Reply::redirect(301, &format!("/api/v4/projects/{}", encoded(new))),
        )
    }
}

/// Gitea / Forgejo / Codeberg answers.
pub mod gitea {
    use super::*;

    pub fn repo(
        full: &str,
        stars: u64,
        updated: &str,
        archived: bool,
        empty: bool,
    ) -> (String, Reply) {
        (
            format!("/api/v1/repos/{full}"),
            json(serde_json::json!({
                "id": 1, "full_name": full, "html_url": format!("https://codeberg.org/{full}"),
                "stars_count": stars, "forks_count": 1, "watchers_count": 4,
                "open_issues_count": 0, "language": "Rust",
                "created_at": "2024-02-02T00:00:00Z", "updated_at": updated,
                "archived": archived, "empty": empty, "fork": false
            })),
        )
    }
}

/// Gitee (v5) answers.
pub mod gitee {
    use super::*;

    pub fn repo(full: &str, stars: u64, pushed: &str) -> (String, Reply) {
        (
            format!("/api/v5/repos/{full}"),
            json(serde_json::json!({
                "id": 1, "full_name": full, "html_url": format!("https://gitee.com/{full}"),
                "stargazers_count": stars, "forks_count": 5, "watchers_count": 6,
                "open_issues_count": 1, "language": "Python", "fork": false,
                "created_at": "2022-03-03T00:00:00+08:00", "pushed_at": pushed,
                "updated_at": pushed
            })),
        )
    }
}
