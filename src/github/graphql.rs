//! The GraphQL side of the audit: the batched query text (one alias per
//! repository plus `rateLimit`) and the reading of an answer, `data` and
//! `errors` both, so one missing repository never spoils its batch.
//! Pure text and JSON work: never does any I/O.

use super::plan::Shape;
use crate::model::{RepoInfo, RepoOutcome};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::Value;

/// The fields asked for every repository. `HISTORY` is filled in by
/// `build_query`: `history(since:)` (commits on the default branch in the
/// last 90 days) in the full shape, nothing in the light one.
const FRAGMENT: &str = "fragment R on Repository {
  nameWithOwner url stargazerCount forkCount
  watchers { totalCount }
  issues(states: OPEN) { totalCount }
  licenseInfo { spdxId }
  primaryLanguage { name }
  createdAt pushedAt isArchived isFork isEmpty
  languages(first: 1) { totalCount }
  latestRelease { tagName publishedAt }
  defaultBranchRef { target { ... on Commit { committedDate HISTORY } } }
}";

/// One query for a batch: `r0: repository(owner: "...", name: "...") { ...R }`
/// for each repository, and `rateLimit { remaining resetAt cost }`.
/// Owner and name are written as JSON string literals, which are valid
/// GraphQL string literals, so no input can break out of the string.
/// `Shape::Light` leaves out the 90-day commit count.
pub(super) fn build_query(
    repos: &[(String, String)],
    since: DateTime<Utc>,
    shape: Shape,
) -> String {
    let mut q = String::from("query {\n  rateLimit { remaining resetAt cost }\n");
    for (i, (owner, name)) in repos.iter().enumerate() {
        q.push_str(&format!(
            "  r{i}: repository(owner: {}, name: {}) {{ ...R }}\n",
            Value::from(owner.as_str()),
            Value::from(name.as_str())
        ));
    }
    q.push_str("}\n");
    let history = match shape {
        Shape::Full => {
            let since = Value::from(since.to_rfc3339_opts(SecondsFormat::Secs, true));
            format!("history(since: {since}) {{ totalCount }}")
        }
        Shape::Light => String::new(),
    };
    q.push_str(&FRAGMENT.replace("HISTORY", &history));
    q
}

/// What one answer to a batch query means, decided once from the status
/// and the body; the caller acts on this, never on message text.
#[derive(Debug)]
pub(super) enum Reply {
    /// An answer with data (per-repository outcomes inside).
    Data(Answer),
    /// The query cost too much: HTTP 502/504, or GitHub's "Something went
    /// wrong while executing your query" (its timeout). Asking the same
    /// query again gets the same; a smaller one may pass.
    TooCostly(String),
    /// HTTP 401: the token is refused.
    Refused,
    /// Any other failure, for the whole batch: the reason.
    Failed(String),
}

/// GitHub's message when a query hit its execution timeout.
const TIMEOUT_MESSAGE: &str = "something went wrong while executing your query";

/// Classifies an answer to a query naming `n` repositories. `message` is
/// GitHub's `message` or the start of the body (for reasons).
pub(super) fn classify(status: u16, body: &str, n: usize, message: &str) -> Reply {
    let timed_out = || {
        general_errors(body)
            .iter()
            .find(|m| m.to_ascii_lowercase().starts_with(TIMEOUT_MESSAGE))
            .cloned()
    };
    match status {
        502 | 504 => {
            let why = timed_out().unwrap_or_else(|| message.to_string());
            Reply::TooCostly(format!("HTTP {status}: {why}"))
        }
        401 => Reply::Refused,
        200 => match parse_answer(body, n) {
            // Nothing answered, and GitHub said why: a resource limit or
            // its timeout. A smaller query may pass.
            Ok(a) if n > 0 && a.retry.len() == n => Reply::TooCostly(
                timed_out()
                    .or_else(|| a.retry_reason.clone())
                    .unwrap_or_else(|| message.to_string()),
            ),
            Ok(a) => Reply::Data(a),
            Err(e) => Reply::Failed(e),
        },
        s => Reply::Failed(format!("GitHub GraphQL API answered HTTP {s}: {message}")),
    }
}

/// The messages of `errors` entries not tied to one alias.
fn general_errors(body: &str) -> Vec<String> {
    errors_of(body)
        .into_iter()
        .filter(|e| alias_of(e).is_none())
        .map(|e| e.message)
        .collect()
}

/// What one GraphQL answer says.
#[derive(Debug, Default)]
pub(super) struct Answer {
    /// One per alias, in order.
    pub outcomes: Vec<RepoOutcome>,
    /// `rateLimit { remaining resetAt }`, when present.
    pub remaining: Option<u64>,
    pub reset_at: Option<DateTime<Utc>>,
    /// Aliases (indices) GitHub left without data because the query hit a
    /// resource limit or its timeout (`RESOURCE_LIMITS_EXCEEDED`, or the
    /// timeout message), while others may have answered: worth asking
    /// again in a smaller query. Their `outcomes` entry says why.
    pub retry: Vec<usize>,
    /// The first such error, for the reason.
    pub retry_reason: Option<String>,
}

/// The `errors` of an answer (empty when there are none or the body is
/// not a GraphQL answer).
fn errors_of(body: &str) -> Vec<GqlError> {
    #[derive(Deserialize)]
    struct Errors {
        #[serde(default)]
        errors: Option<Vec<GqlError>>,
    }
    serde_json::from_str::<Errors>(body)
        .ok()
        .and_then(|e| e.errors)
        .unwrap_or_default()
}

/// True when the answer says the primary budget is spent: an `errors`
/// entry of type `RATE_LIMITED` (the documented enum value) or
/// `RATE_LIMIT` with code `graphql_rate_limit` (what GitHub has also been
/// seen to send: octokit/plugin-throttling.js PR #848, yanyongyu/githubkit
/// #271). GitHub answers it with HTTP 200, and `x-ratelimit-remaining`
/// need not be 0 (octokit/plugin-throttling.js PR #636), so the body
/// decides, not the header.
pub(super) fn is_rate_limited(body: &str) -> bool {
    errors_of(body).iter().any(|e| {
        matches!(e.kind.as_deref(), Some("RATE_LIMITED" | "RATE_LIMIT"))
            || e.code.as_deref() == Some("graphql_rate_limit")
    })
}

/// True when an answer's error message says a secondary rate limit was
/// hit: GitHub's GraphQL docs say such an answer is "200 or 403" with "an
/// error message that indicates that you hit a secondary rate limit"; the
/// message is the one REST sends ("You have exceeded a secondary rate
/// limit...", octokit/plugin-throttling.js matches `/secondary rate/i`).
pub(super) fn is_secondary_limited(body: &str) -> bool {
    errors_of(body).iter().any(|e| {
        e.message
            .to_ascii_lowercase()
            .contains("secondary rate limit")
    })
}

/// An alias error that a smaller query may not meet: GitHub's per-query
/// resource limit (`RESOURCE_LIMITS_EXCEEDED`, "Resource limits for this
/// query exceeded.") or a timeout.
fn is_resource_limit(e: &GqlError) -> bool {
    let kind = e.kind.as_deref().unwrap_or_default().to_ascii_uppercase();
    kind == "RESOURCE_LIMITS_EXCEEDED"
        || kind.contains("TIMEOUT")
        || e.message.to_ascii_lowercase().starts_with(TIMEOUT_MESSAGE)
}

#[derive(Deserialize)]
struct GqlError {
    #[serde(rename = "type")]
    kind: Option<String>,
    /// GitHub's error code (`graphql_rate_limit`), when it sends one.
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: String,
    #[serde(default)]
    path: Vec<Value>,
}

/// Reads an answer for `n` aliases (`r0`..`r{n-1}`). `Err` when the body
/// is not a GraphQL answer at all.
pub(super) fn parse_answer(body: &str, n: usize) -> Result<Answer, String> {
    let v: Value = serde_json::from_str(body)
        .map_err(|e| format!("GitHub GraphQL answer is not JSON: {e}"))?;
    if !v.is_object() {
        return Err("GitHub GraphQL answer is not a JSON object".into());
    }
    let errors: Vec<GqlError> = match v.get("errors") {
        Some(e) if !e.is_null() => serde_json::from_value(e.clone())
            .map_err(|e| format!("GitHub GraphQL `errors` malformed: {e}"))?,
        _ => Vec::new(),
    };
    let data = v.get("data").filter(|d| d.is_object());
    let mut answer = Answer::default();
    if let Some(rl) = data.and_then(|d| d.get("rateLimit")) {
        answer.remaining = rl.get("remaining").and_then(Value::as_u64);
        answer.reset_at = rl.get("resetAt").and_then(Value::as_str).and_then(date);
    }
    // Errors not tied to one alias concern the whole query.
    let general: Vec<&GqlError> = errors.iter().filter(|e| alias_of(e).is_none()).collect();
    for i in 0..n {
        let alias = format!("r{i}");
        let node = data.and_then(|d| d.get(&alias)).filter(|x| !x.is_null());
        let own: Vec<&GqlError> = errors
            .iter()
            .filter(|e| alias_of(e) == Some(alias.as_str()))
            .collect();
        let (outcome, limit) = alias_outcome(node, &own, &general);
        if let Some(why) = limit {
            answer.retry.push(i);
            answer.retry_reason.get_or_insert(why);
        }
        answer.outcomes.push(outcome);
    }
    Ok(answer)
}

/// One alias's outcome from its data and errors, and the resource-limit
/// error that kept its data back, if one did (then a smaller query may
/// answer it: its own error is such a limit, even beside partial data, or
/// it has no data and no error of its own while the query's is one).
fn alias_outcome(
    node: Option<&Value>,
    own: &[&GqlError],
    general: &[&GqlError],
) -> (RepoOutcome, Option<String>) {
    let unknown = |e: &GqlError| {
        RepoOutcome::Unknown(format!("GitHub GraphQL error: {}", describe(e)).into())
    };
    if let Some(e) = own.iter().find(|e| is_resource_limit(e)) {
        return (unknown(e), Some(describe(e)));
    }
    if let Some(node) = node {
        let outcome = match repo_info(node) {
            Ok(info) => RepoOutcome::Found(Box::new(info)),
            Err(e) => RepoOutcome::Unknown(e.into()),
        };
        return (outcome, None);
    }
    if own.iter().any(|e| e.kind.as_deref() == Some("NOT_FOUND")) {
        return (RepoOutcome::Missing, None);
    }
    if own.is_empty()
        && let Some(e) = general.iter().find(|e| is_resource_limit(e))
    {
        return (unknown(e), Some(describe(e)));
    }
    if let Some(e) = own.first().or(general.first()) {
        return (unknown(e), None);
    }
    let none = "GitHub GraphQL answer has no data for this repository";
    (RepoOutcome::Unknown(none.into()), None)
}

/// The alias an error belongs to (first element of its `path`).
fn alias_of(e: &GqlError) -> Option<&str> {
    e.path.first().and_then(Value::as_str)
}

fn describe(e: &GqlError) -> String {
    match &e.kind {
        Some(k) => format!("{k}: {}", e.message),
        None => e.message.clone(),
    }
}

fn date(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

fn u64_at(v: &Value, path: &[&str]) -> Option<u64> {
    at(v, path).and_then(Value::as_u64)
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(v, path).and_then(Value::as_str)
}

fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

/// One `Repository` object -> `RepoInfo`.
fn repo_info(r: &Value) -> Result<RepoInfo, String> {
    let canonical = str_at(r, &["nameWithOwner"])
        .ok_or("GitHub GraphQL answer lacks nameWithOwner")?
        .to_string();
    let commit = at(r, &["defaultBranchRef", "target"]);
    let languages = u64_at(r, &["languages", "totalCount"]);
    Ok(RepoInfo {
        url: str_at(r, &["url"])
            .map(str::to_string)
            .unwrap_or_else(|| format!("https://github.com/{canonical}")),
        canonical,
        stars: u64_at(r, &["stargazerCount"]).unwrap_or(0),
        forks: u64_at(r, &["forkCount"]).unwrap_or(0),
        watchers: u64_at(r, &["watchers", "totalCount"]).unwrap_or(0),
        open_issues: u64_at(r, &["issues", "totalCount"]).unwrap_or(0),
        license: str_at(r, &["licenseInfo", "spdxId"]).map(str::to_string),
        language: str_at(r, &["primaryLanguage", "name"]).map(str::to_string),
        created_at: str_at(r, &["createdAt"]).and_then(date),
        pushed_at: str_at(r, &["pushedAt"]).and_then(date),
        last_commit_at: commit
            .and_then(|c| str_at(c, &["committedDate"]))
            .and_then(date),
        commits_90d: commit.and_then(|c| u64_at(c, &["history", "totalCount"])),
        latest_release: str_at(r, &["latestRelease", "tagName"]).map(str::to_string),
        latest_release_at: str_at(r, &["latestRelease", "publishedAt"]).and_then(date),
        archived: r
            .get("isArchived")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        fork: r.get("isFork").and_then(Value::as_bool).unwrap_or(false),
        empty: r.get("isEmpty").and_then(Value::as_bool).unwrap_or(false),
        // Languages GitHub detects in the repository's files (linguist).
        has_code: languages.map_or_else(
            || str_at(r, &["primaryLanguage", "name"]).is_some(),
            |n| n > 0,
        ),
        ..RepoInfo::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_has_one_alias_per_repository_and_rate_limit() {
        let repos = vec![
            ("a".to_string(), "b".to_string()),
            ("c".to_string(), "d\"e".to_string()),
        ];
        let since = DateTime::parse_from_rfc3339("2026-08-28T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let q = build_query(&repos, since, Shape::Full);
        assert!(
            q.contains("r0: repository(owner: \"a\", name: \"b\") { ...R }"),
            "{q}"
        );
        assert!(
            q.contains("r1: repository(owner: \"c\", name: \"d\\\"e\")"),
            "{q}"
        );
        assert!(q.contains("rateLimit { remaining resetAt cost }"));
        assert!(q.contains("history(since: \"2026-08-28T00:00:00Z\")"));
        assert!(!q.contains("r2:"));
        let light = build_query(&repos, since, Shape::Light);
        assert!(!light.contains("history"), "{light}");
        assert!(light.contains("committedDate"), "{light}");
    }

    #[test]
    fn timeouts_are_classified_too_costly_whatever_the_status() {
        let timeout = json!({"data": null, "errors": [{"message":
            "Something went wrong while executing your query. This may be the result of a timeout, or it could be a GitHub bug. Please include `AB:CD` when reporting this issue."}]})
        .to_string();
        let costly = |s, b: &str| matches!(classify(s, b, 2, "m"), Reply::TooCostly(_));
        assert!(costly(200, &timeout));
        assert!(costly(502, &timeout));
        assert!(costly(502, "<html>Bad Gateway</html>"));
        assert!(costly(504, ""));
        assert!(!costly(503, &timeout));
        assert!(matches!(classify(503, "", 2, "m"), Reply::Failed(r) if r.contains("503")));
        assert!(matches!(classify(401, "", 2, "m"), Reply::Refused));
        // The same message next to data for some repository is an answer.
        let partial = json!({"data": {"r0": null, "r1": {"nameWithOwner": "a/b"}},
            "errors": [{"message": "Something went wrong while executing your query."}]})
        .to_string();
        assert!(matches!(classify(200, &partial, 2, "m"), Reply::Data(_)));
    }

    #[test]
    fn not_found_alias_does_not_spoil_the_batch() {
        let body = json!({
            "data": {
                "rateLimit": {"remaining": 4990, "resetAt": "2026-11-27T00:00:00Z", "cost": 1},
                "r0": {"nameWithOwner": "a/b", "url": "https://github.com/a/b", "stargazerCount": 5,
                       "forkCount": 1, "watchers": {"totalCount": 2}, "issues": {"totalCount": 3},
                       "licenseInfo": null, "primaryLanguage": {"name": "Rust"},
                       "createdAt": "2020-01-01T00:00:00Z", "pushedAt": "2026-01-01T00:00:00Z",
                       "isArchived": false, "isFork": true, "isEmpty": false,
                       "languages": {"totalCount": 1}, "latestRelease": null,
                       "defaultBranchRef": {"target": {"committedDate": "2025-12-31T00:00:00Z", "history": {"totalCount": 7}}}},
                "r1": null
            },
            "errors": [{"type": "NOT_FOUND", "path": ["r1"], "locations": [{"line": 3, "column": 3}],
                        "message": "Could not resolve to a Repository with the name 'c/d'."}]
        })
        .to_string();
        let a = parse_answer(&body, 2).unwrap();
        assert_eq!(a.remaining, Some(4990));
        assert!(a.reset_at.is_some());
        assert!(!is_rate_limited(&body));
        let RepoOutcome::Found(info) = &a.outcomes[0] else {
            panic!("{:?}", a.outcomes[0])
        };
        assert_eq!(info.canonical, "a/b");
        assert_eq!(info.stars, 5);
        assert_eq!(info.commits_90d, Some(7));
        assert!(info.fork && info.has_code && !info.empty);
        assert_eq!(info.license, None);
        assert_eq!(a.outcomes[1], RepoOutcome::Missing);
    }

    #[test]
    fn other_errors_are_unknown_with_reason() {
        let body = json!({
            "data": {"r0": null},
            "errors": [{"type": "FORBIDDEN", "path": ["r0"], "message": "Resource protected"}]
        })
        .to_string();
        let a = parse_answer(&body, 2).unwrap();
        assert!(matches!(&a.outcomes[0], RepoOutcome::Unknown(m) if m.contains("FORBIDDEN")));
        assert!(matches!(&a.outcomes[1], RepoOutcome::Unknown(m) if m.contains("no data")));
    }

    #[test]
    fn both_rate_limit_types_and_the_secondary_message_are_recognised() {
        let limit = r#"{"errors":[{"type":"RATE_LIMIT","code":"graphql_rate_limit","message":"API rate limit already exceeded for user ID 1."}]}"#;
        assert!(is_rate_limited(limit));
        let code_only = r#"{"errors":[{"code":"graphql_rate_limit","message":"x"}]}"#;
        assert!(is_rate_limited(code_only));
        let secondary = r#"{"errors":[{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}]}"#;
        assert!(is_secondary_limited(secondary) && !is_rate_limited(secondary));
        assert!(!is_secondary_limited(limit));
    }

    #[test]
    fn aliases_left_without_data_at_a_resource_limit_are_to_be_asked_again() {
        let limit = |alias: &str| {
            json!({"type": "RESOURCE_LIMITS_EXCEEDED", "path": [alias, "defaultBranchRef"],
                   "message": "Resource limits for this query exceeded."})
        };
        let body = json!({
            "data": {"r0": {"nameWithOwner": "a/b"}, "r1": null, "r2": null, "r3": {"nameWithOwner": "c/d"}},
            "errors": [limit("r1"), {"type": "NOT_FOUND", "path": ["r2"], "message": "Could not resolve"}, limit("r3")]
        })
        .to_string();
        let Reply::Data(a) = classify(200, &body, 4, "m") else {
            panic!("a partial answer is data")
        };
        // r3 answered in part: asked again too.
        assert_eq!(a.retry, vec![1, 3]);
        assert!(matches!(a.outcomes[0], RepoOutcome::Found(_)));
        assert_eq!(a.outcomes[2], RepoOutcome::Missing);
        assert!(
            matches!(&a.outcomes[1], RepoOutcome::Unknown(m) if m.contains("RESOURCE_LIMITS_EXCEEDED"))
        );
        // Every alias at the limit: the query is too costly as a whole.
        let all = json!({"data": {"r0": null, "r1": null}, "errors": [limit("r0"), limit("r1")]})
            .to_string();
        assert!(
            matches!(classify(200, &all, 2, "m"), Reply::TooCostly(m) if m.contains("Resource limits"))
        );
    }

    #[test]
    fn rate_limited_and_garbage() {
        let body =
            json!({"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded"}]})
                .to_string();
        let a = parse_answer(&body, 1).unwrap();
        assert!(is_rate_limited(&body));
        assert!(matches!(&a.outcomes[0], RepoOutcome::Unknown(m) if m.contains("rate limit")));
        assert!(parse_answer("<html>", 1).is_err());
        assert!(parse_answer("[1]", 1).is_err());
    }
}
