//! The REST side of the audit (no token): reading one
//! `GET /repos/OWNER/REPO` answer into a `RepoInfo`. One call per
//! repository and nothing more, so the 60-an-hour budget goes as far as it
//! can; the fields REST does not give in that one answer stay empty:
//! `last_commit_at`, `commits_90d`, `latest_release`, `latest_release_at`.
//! Pure JSON work: never does any I/O.

use crate::model::RepoInfo;
use chrono::{DateTime, Utc};
use serde::Deserialize;

#[derive(Deserialize)]
struct License {
    spdx_id: Option<String>,
}

#[derive(Deserialize)]
struct Repo {
    full_name: String,
    html_url: Option<String>,
    #[serde(default)]
    stargazers_count: u64,
    #[serde(default)]
    forks_count: u64,
    /// People watching (`watchers_count` is the star count in REST).
    subscribers_count: Option<u64>,
    /// Open issues *and* open pull requests (REST does not split them).
    #[serde(default)]
    open_issues_count: u64,
    license: Option<License>,
    language: Option<String>,
    created_at: Option<DateTime<Utc>>,
    pushed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    archived: bool,
    #[serde(default)]
    fork: bool,
    /// Kilobytes stored; 0 for an empty repository.
    size: Option<u64>,
}

/// Reads a `GET /repos/OWNER/REPO` answer.
///
/// Without GraphQL, two things are inferred from the one answer:
/// - `has_code`: GitHub names a primary `language` (non-null exactly when
///   linguist detected code in some language);
/// - `empty`: `size` is 0 and no language is detected (nothing stored at
///   all). A tiny README-only repository can also report `size` 0, so it may
///   show as `empty` rather than `placeholder` without a token.
pub fn repo_info(body: &str) -> Result<RepoInfo, String> {
    let r: Repo = serde_json::from_str(body)
        .map_err(|e| format!("GitHub REST answer not understood: {e}"))?;
    let has_code = r.language.is_some();
    Ok(RepoInfo {
        url: r
            .html_url
            .unwrap_or_else(|| format!("https://github.com/{}", r.full_name)),
        canonical: r.full_name,
        stars: r.stargazers_count,
        forks: r.forks_count,
        watchers: r.subscribers_count.unwrap_or(0),
        open_issues: r.open_issues_count,
        license: r.license.and_then(|l| l.spdx_id),
        language: r.language,
        created_at: r.created_at,
        pushed_at: r.pushed_at,
        last_commit_at: None,
        commits_90d: None,
        latest_release: None,
        latest_release_at: None,
        archived: r.archived,
        fork: r.fork,
        empty: r.size == Some(0) && !has_code,
        has_code,
        ..RepoInfo::default()
    })
}

/// The `message` of a GitHub error body, if any.
pub fn error_message(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    v.get("message")?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_a_repository() {
        let body = json!({
            "id": 1, "full_name": "New/Name", "html_url": "https://github.com/New/Name",
            "stargazers_count": 10, "watchers_count": 10, "subscribers_count": 3,
            "forks_count": 2, "open_issues_count": 4, "license": {"key": "mit", "spdx_id": "MIT"},
            "language": "Python", "created_at": "2020-01-01T00:00:00Z", "pushed_at": "2025-01-01T00:00:00Z",
            "archived": true, "fork": false, "size": 120
        })
        .to_string();
        let info = repo_info(&body).unwrap();
        assert_eq!(info.canonical, "New/Name");
        assert_eq!(info.watchers, 3);
        assert_eq!(info.license.as_deref(), Some("MIT"));
        assert!(info.archived && info.has_code && !info.empty);
        assert_eq!(info.commits_90d, None);
    }

    #[test]
    fn empty_and_readme_only() {
        let empty =
            json!({"full_name": "a/b", "language": null, "size": 0, "license": null}).to_string();
        let info = repo_info(&empty).unwrap();
        assert!(info.empty && !info.has_code);
        let readme = json!({"full_name": "a/b", "language": null, "size": 3}).to_string();
        let info = repo_info(&readme).unwrap();
        assert!(!info.empty && !info.has_code);
        assert!(repo_info("{}").is_err());
        assert_eq!(
            error_message(r#"{"message":"Not Found"}"#).as_deref(),
            Some("Not Found")
        );
    }
}
