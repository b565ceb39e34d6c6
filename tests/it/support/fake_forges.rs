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
        let routes: HashMap<String, Reply> = routes.into_iter().collect();
        let server = WebServer::start(move |req| match routes.get(&req.path) {
            Some(r) => r.clone(),
            None if req.path.starts_with("/api/models/")
                || req.path.starts_with("/api/datasets/")
                || req.path.starts_with("/api/spaces/") =>
            {
                Reply::status(401).header("X-Error-Code", "RepoNotFound")
            }
            None => Reply::status(404).body(r#"{"message":"404 Project Not Found"}"#),
        })
        .await;
        FakeForge { server }
    }

    /// The API base URL.
    pub fn url(&self) -> String {
        self.server.url("")
    }

    pub fn calls(&self) -> usize {
        self.server.requests()
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
