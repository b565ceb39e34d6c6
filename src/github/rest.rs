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
pub(super) fn repo_info(body: &str) -> Result<RepoInfo, String> {
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

/// GitHub's message when it refuses to serve a repository.
const BLOCKED: &str = "Repository access blocked";

/// Why GitHub refuses to serve a repository, from an answer of HTTP 451
/// (unavailable for legal reasons) or 403 whose `message` is "Repository
/// access blocked": the body's `block.reason` (`dmca`, `tos`, ...) and its
/// `block.html_url` (the takedown notice). `None` for any other answer.
///
/// The shape, as GitHub sends it (github/rest-api-description #3314 for
/// the 451, caarlos0/fork-cleaner #99 and kulkansecurity/gitxray #9 for
/// the 403): `{"message": "Repository access blocked", "block": {"reason":
/// "dmca", "created_at": "...", "html_url": "https://github.com/github/dmca/..."}}`.
pub(super) fn blocked(status: u16, body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let says_blocked = v.get("message").and_then(|m| m.as_str()) == Some(BLOCKED);
    if !(status == 451 || status == 403 && says_blocked) {
        return None;
    }
    let block = v.get("block");
    let field = |k: &str| block.and_then(|b| b.get(k)).and_then(|x| x.as_str());
    let why = match field("reason").map(str::to_ascii_lowercase).as_deref() {
        Some("dmca") => "a DMCA takedown".to_string(),
        Some("tos") => "a terms-of-service violation".to_string(),
        Some(other) => format!("reason `{other}`"),
        None if status == 451 => "legal reasons".to_string(),
        None => "no reason given".to_string(),
    };
    let notice = field("html_url")
        .map(|u| format!("; see {u}"))
        .unwrap_or_default();
    Some(format!(
        "GitHub blocks access to this repository (HTTP {status}, {why}{notice})"
    ))
}

/// The `message` of a GitHub error body, if any.
pub(super) fn error_message(body: &str) -> Option<String> {
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

    #[test]
    fn blocked_repositories_say_why() {
        let dmca = json!({"message": "Repository access blocked", "block": {"reason": "dmca",
            "created_at": "2021-04-22T17:53:56Z", "html_url": "https://github.com/github/dmca/blob/master/2021/04/x.md"}})
        .to_string();
        let why = blocked(451, &dmca).unwrap();
        assert!(
            why.contains("DMCA") && why.contains("451") && why.contains("github/dmca"),
            "{why}"
        );
        let tos = json!({"message": "Repository access blocked", "block": {"reason": "tos",
            "created_at": "2021-06-08T01:02:15Z", "html_url": "https://github.com/tos"}})
        .to_string();
        assert!(blocked(403, &tos).unwrap().contains("terms-of-service"));
        assert!(blocked(451, "<html>").unwrap().contains("legal reasons"));
        // Any other 403 is not a block.
        assert_eq!(blocked(403, r#"{"message":"Forbidden"}"#), None);
        assert_eq!(blocked(404, &dmca), None);
    }
}
