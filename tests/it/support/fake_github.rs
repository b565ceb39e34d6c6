//! A fake GitHub API (REST and GraphQL) for the repository audit tests (127.0.0.1 only).
//!
//! Built on wiremock with one responder that plays GitHub: `POST /graphql`
//! reads the `rN: repository(owner: "..", name: "..")` aliases of the query
//! and answers each from a table of repositories (a `NOT_FOUND` error entry
//! for unknown ones, as GitHub does), with `rateLimit` and rate-limit
//! headers; `GET /repos/OWNER/REPO` answers the REST JSON, a 301 to
//! `/repositories/ID` for a renamed repository, or 404. A primary budget
//! (`x-ratelimit-remaining`) runs down with every call, and scripted faults
//! (secondary rate limit, 502) are served first, once each. Every request
//! is counted.

use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// One repository GitHub knows.
#[derive(Clone, Debug)]
pub struct FakeRepo {
    pub owner: String,
    pub name: String,
    pub id: u64,
    /// Former `owner/name`s that now redirect here.
    pub old_names: Vec<String>,
    pub stars: u64,
    pub forks: u64,
    pub watchers: u64,
    pub open_issues: u64,
    pub license: Option<String>,
    pub language: Option<String>,
    /// Languages linguist detected.
    pub languages: u64,
    pub created_days_ago: i64,
    pub pushed_days_ago: i64,
    pub commits_90d: u64,
    pub release: Option<String>,
    pub archived: bool,
    pub fork: bool,
    pub empty: bool,
    /// REST `size` in KB.
    pub size: u64,
}

static NEXT_ID: AtomicUsize = AtomicUsize::new(1000);

fn days_ago(d: i64) -> String {
    (Utc::now() - Duration::days(d)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl FakeRepo {
    /// An active repository with code, pushed 3 days ago.
    pub fn new(full_name: &str) -> FakeRepo {
        let (owner, name) = full_name.split_once('/').expect("owner/name");
        FakeRepo {
            owner: owner.into(),
            name: name.into(),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed) as u64,
            old_names: Vec::new(),
            stars: 100,
            forks: 10,
            watchers: 5,
            open_issues: 3,
            license: Some("MIT".into()),
            language: Some("Python".into()),
            languages: 3,
            created_days_ago: 900,
            pushed_days_ago: 3,
            commits_90d: 12,
            release: Some("v1.0".into()),
            archived: false,
            fork: false,
            empty: false,
            size: 2048,
        }
    }
    pub fn stars(mut self, n: u64) -> Self {
        self.stars = n;
        self
    }
    pub fn archived(mut self) -> Self {
        self.archived = true;
        self
    }
    /// No commits at all.
    pub fn empty(mut self) -> Self {
        self.empty = true;
        self.language = None;
        self.languages = 0;
        self.size = 0;
        self.commits_90d = 0;
        self.release = None;
        self.pushed_days_ago = self.created_days_ago;
        self
    }
    /// A README and nothing else: commits, no code.
    pub fn readme_only(mut self) -> Self {
        self.language = None;
        self.languages = 0;
        self.size = 4;
        self.release = None;
        self
    }
    pub fn pushed_days_ago(mut self, d: i64) -> Self {
        self.pushed_days_ago = d;
        self.commits_90d = 0;
        self
    }
    /// This repository was called `old` before.
    pub fn renamed_from(mut self, old: &str) -> Self {
        self.old_names.push(old.into());
        self
    }

    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    fn graphql_json(&self) -> Value {
        let full = self.full_name();
        json!({
            "nameWithOwner": full,
            "url": format!("https://github.com/{full}"),
            "stargazerCount": self.stars,
            "forkCount": self.forks,
            "watchers": {"totalCount": self.watchers},
            "issues": {"totalCount": self.open_issues},
            "licenseInfo": self.license.as_ref().map(|l| json!({"spdxId": l})),
            "primaryLanguage": self.language.as_ref().map(|l| json!({"name": l})),
            "createdAt": days_ago(self.created_days_ago),
            "pushedAt": days_ago(self.pushed_days_ago),
            "isArchived": self.archived,
            "isFork": self.fork,
            "isEmpty": self.empty,
            "languages": {"totalCount": self.languages},
            "latestRelease": self.release.as_ref().map(|t| json!({"tagName": t, "publishedAt": days_ago(40)})),
            "defaultBranchRef": if self.empty { Value::Null } else {
                json!({"target": {"committedDate": days_ago(self.pushed_days_ago), "history": {"totalCount": self.commits_90d}}})
            },
        })
    }

    fn rest_json(&self, base: &str) -> Value {
        let full = self.full_name();
        json!({
            "id": self.id,
            "node_id": format!("R_kgDO{}", self.id),
            "name": self.name,
            "full_name": full,
            "private": false,
            "owner": {"login": self.owner, "id": self.id + 1, "type": "Organization"},
            "html_url": format!("https://github.com/{full}"),
            "url": format!("{base}/repos/{full}"),
            "fork": self.fork,
            "created_at": days_ago(self.created_days_ago),
            "updated_at": days_ago(1),
            "pushed_at": days_ago(self.pushed_days_ago),
            "size": self.size,
            "stargazers_count": self.stars,
            "watchers_count": self.stars,
            "language": self.language,
            "forks_count": self.forks,
            "archived": self.archived,
            "disabled": false,
            "open_issues_count": self.open_issues,
            "license": self.license.as_ref().map(|l| json!({"key": l.to_lowercase(), "name": l, "spdx_id": l})),
            "default_branch": "main",
            "subscribers_count": self.watchers,
            "network_count": self.forks,
        })
    }
}

/// A scripted answer served once, before normal answers.
#[derive(Clone, Debug)]
pub enum Fault {
    /// 403 with `retry-after` and a secondary-rate-limit message.
    Secondary { retry_after_secs: u64 },
    /// HTTP 200 with a GraphQL rate-limit error of this `type` and
    /// `x-ratelimit-remaining: remaining` (not necessarily 0), the reset
    /// `reset_in_secs` away, and `retry-after` when given.
    ///
    /// The bodies GitHub sends: with `"type": "RATE_LIMITED"` (the
    /// documented enum value; body quoted in renovatebot/renovate #21861
    /// and github/docs #11071: `{"errors":[{"type":"RATE_LIMITED",
    /// "message":"API rate limit exceeded for installation ID ..."}]}`)
    /// and with `"type": "RATE_LIMIT"` plus `"code": "graphql_rate_limit"`
    /// (yanyongyu/githubkit #271: `{"errors":[{"type":"RATE_LIMIT",
    /// "code":"graphql_rate_limit","message":"API rate limit already
    /// exceeded for user ID xxxxx."}]}`; octokit/plugin-throttling.js PR
    /// #848 treats both alike). GitHub's GraphQL docs ("Rate limits and
    /// query limits for the GraphQL API", Exceeding the rate limit): "the
    /// response status will still be 200, but you will receive an error
    /// message"; octokit/plugin-throttling.js PR #636 and githubkit note
    /// `x-ratelimit-remaining` may not be 0 then.
    GraphqlRateLimit {
        kind: &'static str,
        remaining: u64,
        reset_in_secs: i64,
        retry_after_secs: Option<u64>,
    },
    /// HTTP 200 with GitHub's secondary-rate-limit message as a GraphQL
    /// error. GitHub's GraphQL docs: "If you exceed a secondary rate limit,
    /// the response status will be 200 or 403, and you will receive an
    /// error message that indicates that you hit a secondary rate limit. If
    /// the retry-after response header is present, you should not retry
    /// your request until after that many seconds has elapsed. [...]
    /// Otherwise, wait for at least one minute before retrying." The
    /// message is the one the REST API sends (octokit/plugin-throttling.js
    /// matches it with `/\bsecondary rate\b/i`, PR #438).
    GraphqlSecondary { retry_after_secs: Option<u64> },
    /// 502 Bad Gateway.
    BadGateway,
    /// An answer that comes only after this long.
    Slow(std::time::Duration),
}

#[derive(Default)]
pub struct State {
    repos: Mutex<Vec<FakeRepo>>,
    faults: Mutex<VecDeque<Fault>>,
    /// Primary budget left, and its reset (epoch seconds).
    remaining: Mutex<u64>,
    reset_epoch: Mutex<i64>,
    base: Mutex<String>,
    graphql_calls: AtomicUsize,
    rest_calls: AtomicUsize,
    total_calls: AtomicUsize,
    /// Aliases in each GraphQL query received.
    batch_sizes: Mutex<Vec<usize>>,
    /// The `owner/name`s each GraphQL request asked, in order, faults
    /// included, and when it arrived.
    queries: Mutex<Vec<Vec<String>>>,
    query_times: Mutex<Vec<std::time::Instant>>,
    /// A query naming more repositories than this answers only the first
    /// ones: the rest get `null` and a `RESOURCE_LIMITS_EXCEEDED` error.
    resource_limit: Mutex<Option<usize>>,
    /// Repositories GitHub blocks on REST: `owner/name`, status, reason.
    blocked: Mutex<Vec<(String, u16, String)>>,
    /// The Authorization header of each request (None when absent).
    authorization: Mutex<Vec<Option<String>>>,
    /// When set, any other token is answered 401 Bad credentials.
    valid_token: Mutex<Option<String>>,
    /// A GraphQL query naming more repositories than this gets 502 (the
    /// query timed out on GitHub's side).
    max_aliases: Mutex<Option<usize>>,
    /// Repositories whose commit count always times out: a query asking
    /// it (`history(`) for any of them gets GitHub's timeout message.
    costly: Mutex<Vec<String>>,
    /// Answers as GitHub Enterprise Server does: REST under `/api/v3`,
    /// GraphQL at `/api/graphql`, everything else 404.
    enterprise: std::sync::atomic::AtomicBool,
}

/// GitHub's message when a GraphQL query timed out.
pub const TIMEOUT_MESSAGE: &str = "Something went wrong while executing your query. This may be the result of a timeout, or it could be a GitHub bug. Please include `C0DE:1234:5678` when reporting this issue.";

pub struct FakeGithub {
    pub server: MockServer,
    pub state: Arc<State>,
}

impl FakeGithub {
    /// Starts the fake with these repositories and a full budget (5000).
    pub async fn start(repos: Vec<FakeRepo>) -> FakeGithub {
        let server = MockServer::start().await;
        let state = Arc::new(State::default());
        *state.repos.lock().unwrap() = repos;
        *state.remaining.lock().unwrap() = 5000;
        *state.reset_epoch.lock().unwrap() = (Utc::now() + Duration::hours(1)).timestamp();
        *state.base.lock().unwrap() = server.uri();
        Mock::given(any())
            .respond_with(Responder(state.clone()))
            .mount(&server)
            .await;
        FakeGithub { server, state }
    }

    /// The API base for `[github] api_url`.
    pub fn url(&self) -> String {
        self.server.uri()
    }

    /// Serves as GitHub Enterprise Server: `url()` + `/api/v3` for REST,
    /// `/api/graphql` for GraphQL.
    pub fn as_enterprise(&self) {
        self.state.enterprise.store(true, Ordering::SeqCst);
        *self.state.base.lock().unwrap() = format!("{}/api/v3", self.server.uri());
    }

    pub fn push_fault(&self, f: Fault) {
        self.state.faults.lock().unwrap().push_back(f);
    }

    /// Sets the primary budget: `remaining` calls, reset in `reset_in_secs`.
    pub fn set_budget(&self, remaining: u64, reset_in_secs: i64) {
        *self.state.remaining.lock().unwrap() = remaining;
        *self.state.reset_epoch.lock().unwrap() = Utc::now().timestamp() + reset_in_secs;
    }

    /// Only this token is accepted; others get 401 Bad credentials.
    pub fn accept_only_token(&self, token: &str) {
        *self.state.valid_token.lock().unwrap() = Some(token.to_string());
    }

    /// Any GraphQL query naming more than `n` repositories answers 502.
    pub fn fail_queries_over(&self, n: usize) {
        *self.state.max_aliases.lock().unwrap() = Some(n);
    }

    /// Any GraphQL query asking the commit count of `full_name` answers
    /// HTTP 200 with GitHub's timeout message and no data.
    pub fn commit_count_times_out(&self, full_name: &str) {
        self.state.costly.lock().unwrap().push(full_name.into());
    }

    /// Any GraphQL query naming more than `n` repositories answers the
    /// first `n` and leaves the rest `null`, each with an error of type
    /// `RESOURCE_LIMITS_EXCEEDED` on its path. The shape GitHub sends when
    /// a query meets its per-query resource limit (body quoted in
    /// yoshi389111/github-profile-3d-contrib #163: `{"data":{"user":null},
    /// "errors":[{"type":"RESOURCE_LIMITS_EXCEEDED","path":["user",
    /// "contributionsCollection","contributionCalendar"],"message":
    /// "Resource limits for this query exceeded."}]}`): the field whose
    /// nested data could not be computed is `null`, the others answer.
    pub fn limit_resources_over(&self, n: usize) {
        *self.state.resource_limit.lock().unwrap() = Some(n);
    }

    /// REST `GET /repos/OWNER/REPO` for `full_name` answers as GitHub does
    /// for a repository it refuses to serve: HTTP 451 for a DMCA takedown
    /// (`reason` "dmca"; body quoted in github/rest-api-description #3314),
    /// 403 for a terms-of-service block ("tos"; caarlos0/fork-cleaner #99,
    /// kulkansecurity/gitxray #9): `{"message": "Repository access
    /// blocked", "block": {"reason", "created_at", "html_url"}}`.
    pub fn block(&self, full_name: &str, status: u16, reason: &str) {
        let entry = (full_name.to_string(), status, reason.to_string());
        self.state.blocked.lock().unwrap().push(entry);
    }

    /// The repositories each GraphQL request named, in order.
    pub fn queries(&self) -> Vec<Vec<String>> {
        self.state.queries.lock().unwrap().clone()
    }

    /// When each GraphQL request arrived.
    pub fn query_times(&self) -> Vec<std::time::Instant> {
        self.state.query_times.lock().unwrap().clone()
    }

    pub fn graphql_calls(&self) -> usize {
        self.state.graphql_calls.load(Ordering::SeqCst)
    }
    pub fn rest_calls(&self) -> usize {
        self.state.rest_calls.load(Ordering::SeqCst)
    }
    pub fn total_calls(&self) -> usize {
        self.state.total_calls.load(Ordering::SeqCst)
    }
    pub fn batch_sizes(&self) -> Vec<usize> {
        self.state.batch_sizes.lock().unwrap().clone()
    }
    pub fn authorization_headers(&self) -> Vec<Option<String>> {
        self.state.authorization.lock().unwrap().clone()
    }
}

struct Responder(Arc<State>);

fn json_response(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("content-type", "application/json; charset=utf-8")
        .insert_header("x-github-media-type", "github.v3; format=json")
        .insert_header("x-github-request-id", "C0DE:1234:5678:9ABC:DEADBEEF")
        .set_body_raw(body.to_string().into_bytes(), "application/json")
}

impl State {
    fn find(&self, full: &str) -> Option<FakeRepo> {
        self.repos
            .lock()
            .unwrap()
            .iter()
            .find(|r| r.full_name().eq_ignore_ascii_case(full))
            .cloned()
    }
    fn find_old(&self, full: &str) -> Option<FakeRepo> {
        self.repos
            .lock()
            .unwrap()
            .iter()
            .find(|r| r.old_names.iter().any(|o| o.eq_ignore_ascii_case(full)))
            .cloned()
    }
    fn find_id(&self, id: u64) -> Option<FakeRepo> {
        self.repos
            .lock()
            .unwrap()
            .iter()
            .find(|r| r.id == id)
            .cloned()
    }
    /// Follows a rename as GraphQL's `repository` field does.
    fn resolve(&self, full: &str) -> Option<FakeRepo> {
        self.find(full).or_else(|| self.find_old(full))
    }
}

impl Respond for Responder {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let s = &self.0;
        s.total_calls.fetch_add(1, Ordering::SeqCst);
        let auth = req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        s.authorization.lock().unwrap().push(auth.clone());
        let mut path = req.url.path().to_string();
        if s.enterprise.load(Ordering::SeqCst) {
            path = match (path.as_str(), path.strip_prefix("/api/v3")) {
                ("/api/graphql", _) => "/graphql".into(),
                (_, Some(rest)) if rest != "/graphql" => rest.to_string(),
                _ => return json_response(404, json!({"message": "Not Found"})),
            };
        }
        let graphql = path == "/graphql";
        if graphql {
            s.graphql_calls.fetch_add(1, Ordering::SeqCst);
        } else {
            s.rest_calls.fetch_add(1, Ordering::SeqCst);
        }
        let limit = if auth.is_some() { 5000 } else { 60 };
        let valid = s.valid_token.lock().unwrap().clone();
        if let (Some(valid), Some(auth)) = (valid, &auth)
            && *auth != format!("Bearer {valid}")
        {
            return json_response(
                401,
                json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"}),
            );
        }
        let query = graphql
            .then(|| {
                req.body_json::<Value>()
                    .ok()
                    .and_then(|v| v.get("query").and_then(Value::as_str).map(str::to_string))
            })
            .flatten()
            .unwrap_or_default();
        let asked = aliases(&query);
        if graphql && req.method.as_str() == "POST" {
            let names = asked.iter().map(|(_, o, n)| format!("{o}/{n}")).collect();
            s.queries.lock().unwrap().push(names);
            s.query_times
                .lock()
                .unwrap()
                .push(std::time::Instant::now());
        }
        let reset = *s.reset_epoch.lock().unwrap();
        if let Some(fault) = s.faults.lock().unwrap().pop_front() {
            return match fault {
                Fault::GraphqlRateLimit {
                    kind,
                    remaining,
                    reset_in_secs,
                    retry_after_secs,
                } => {
                    let mut error = json!({"type": kind, "message": "API rate limit already exceeded for user ID 1."});
                    if kind == "RATE_LIMIT" {
                        error["code"] = json!("graphql_rate_limit");
                    }
                    let reset = Utc::now().timestamp() + reset_in_secs;
                    let t = json_response(200, json!({ "errors": [error] }))
                        .insert_header("x-ratelimit-limit", "5000")
                        .insert_header("x-ratelimit-remaining", remaining.to_string().as_str())
                        .insert_header("x-ratelimit-reset", reset.to_string().as_str())
                        .insert_header("x-ratelimit-resource", "graphql");
                    match retry_after_secs {
                        Some(r) => t.insert_header("retry-after", r.to_string().as_str()),
                        None => t,
                    }
                }
                Fault::GraphqlSecondary { retry_after_secs } => {
                    let t = json_response(
                        200,
                        json!({"errors": [{"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID C0DE:1234."}]}),
                    )
                    .insert_header("x-ratelimit-remaining", "4000")
                    .insert_header("x-ratelimit-reset", reset.to_string().as_str())
                    .insert_header("x-ratelimit-resource", "graphql");
                    match retry_after_secs {
                        Some(r) => t.insert_header("retry-after", r.to_string().as_str()),
                        None => t,
                    }
                }
                Fault::Secondary { retry_after_secs } => json_response(
                    403,
                    json!({
                        "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID C0DE:1234.",
                        "documentation_url": "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
                    }),
                )
                .insert_header("retry-after", retry_after_secs.to_string().as_str())
                .insert_header("x-ratelimit-remaining", "4000")
                .insert_header("x-ratelimit-reset", reset.to_string().as_str()),
                Fault::Slow(delay) => json_response(200, json!({"message": "too late"})).set_delay(delay),
                Fault::BadGateway => ResponseTemplate::new(502)
                    .insert_header("content-type", "text/html")
                    .set_body_string(
                        "<html><body><h1>502 Bad Gateway</h1>The server returned an invalid or incomplete response.</body></html>",
                    ),
            };
        }

        // The primary budget; it refills when the reset time has passed.
        let now = Utc::now().timestamp();
        let reset = {
            let mut at = s.reset_epoch.lock().unwrap();
            if now >= *at {
                *s.remaining.lock().unwrap() = limit;
                *at = now + 3600;
            }
            *at
        };
        let remaining = {
            let mut r = s.remaining.lock().unwrap();
            if *r == 0 {
                None
            } else {
                *r -= 1;
                Some(*r)
            }
        };
        let Some(remaining) = remaining else {
            let headers = |t: ResponseTemplate| {
                t.insert_header("x-ratelimit-limit", limit.to_string().as_str())
                    .insert_header("x-ratelimit-remaining", "0")
                    .insert_header("x-ratelimit-used", limit.to_string().as_str())
                    .insert_header("x-ratelimit-reset", reset.to_string().as_str())
                    .insert_header(
                        "x-ratelimit-resource",
                        if graphql { "graphql" } else { "core" },
                    )
            };
            return if graphql {
                headers(json_response(
                    200,
                    json!({"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID 1."}]}),
                ))
            } else {
                headers(json_response(
                    403,
                    json!({
                        "message": "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)",
                        "documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"
                    }),
                ))
            };
        };
        let with_budget = |t: ResponseTemplate| {
            t.insert_header("x-ratelimit-limit", limit.to_string().as_str())
                .insert_header("x-ratelimit-remaining", remaining.to_string().as_str())
                .insert_header(
                    "x-ratelimit-used",
                    (limit - remaining.min(limit)).to_string().as_str(),
                )
                .insert_header("x-ratelimit-reset", reset.to_string().as_str())
                .insert_header(
                    "x-ratelimit-resource",
                    if graphql { "graphql" } else { "core" },
                )
        };

        if graphql {
            if req.method.as_str() != "POST" {
                return with_budget(json_response(404, json!({"message": "Not Found"})));
            }
            if auth.is_none() {
                return with_budget(json_response(
                    401,
                    json!({"message": "This endpoint requires you to be authenticated.", "documentation_url": "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql"}),
                ));
            }
            let mut data = serde_json::Map::new();
            let mut errors = Vec::new();
            let mut n = 0;
            let mut names = Vec::new();
            let limit = *s.resource_limit.lock().unwrap();
            let over = limit.is_some_and(|max| asked.len() > max);
            for (alias, owner, name) in asked {
                n += 1;
                names.push(format!("{owner}/{name}"));
                if over && limit.is_some_and(|max| n > max) {
                    data.insert(alias.clone(), Value::Null);
                    errors.push(json!({
                        "type": "RESOURCE_LIMITS_EXCEEDED",
                        "path": [alias, "defaultBranchRef", "target", "history"],
                        "locations": [{"line": 2 + n, "column": 3}],
                        "message": "Resource limits for this query exceeded."
                    }));
                    continue;
                }
                match s.resolve(&format!("{owner}/{name}")) {
                    Some(repo) if query.contains("stargazerCount") => {
                        let mut json = repo.graphql_json();
                        if !query.contains("history(")
                            && let Some(target) = json.pointer_mut("/defaultBranchRef/target")
                            && let Some(t) = target.as_object_mut()
                        {
                            t.remove("history");
                        }
                        data.insert(alias, json);
                    }
                    Some(_) => {
                        data.insert(alias, json!({}));
                    }
                    None => {
                        data.insert(alias.clone(), Value::Null);
                        errors.push(json!({
                            "type": "NOT_FOUND",
                            "path": [alias],
                            "locations": [{"line": 2 + n, "column": 3}],
                            "message": format!("Could not resolve to a Repository with the name '{owner}/{name}'.")
                        }));
                    }
                }
            }
            s.batch_sizes.lock().unwrap().push(n);
            let timeout = json!({"data": null, "errors": [{"message": TIMEOUT_MESSAGE}]});
            if s.max_aliases.lock().unwrap().is_some_and(|max| n > max) {
                return with_budget(json_response(502, timeout));
            }
            let costly = s.costly.lock().unwrap();
            if query.contains("history(")
                && names
                    .iter()
                    .any(|n| costly.iter().any(|c| c.eq_ignore_ascii_case(n)))
            {
                return with_budget(json_response(200, timeout));
            }
            drop(costly);
            if query.contains("rateLimit") {
                let reset_at = chrono::DateTime::from_timestamp(reset, 0)
                    .unwrap()
                    .to_rfc3339_opts(SecondsFormat::Secs, true);
                data.insert(
                    "rateLimit".into(),
                    json!({"remaining": remaining, "resetAt": reset_at, "cost": 1}),
                );
            }
            let mut body = json!({ "data": data });
            if !errors.is_empty() {
                body["errors"] = Value::Array(errors);
            }
            return with_budget(json_response(200, body));
        }

        let base = s.base.lock().unwrap().clone();
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        match segs.as_slice() {
            ["repos", owner, name] => {
                let full = format!("{owner}/{name}");
                let blocked = s
                    .blocked
                    .lock()
                    .unwrap()
                    .iter()
                    .find(|b| b.0.eq_ignore_ascii_case(&full))
                    .cloned();
                if let Some((_, status, reason)) = blocked {
                    let notice = if reason == "dmca" {
                        "https://github.com/github/dmca/blob/master/2021/04/2021-04-20-ultimate-character-controller.md"
                    } else {
                        "https://github.com/tos"
                    };
                    return with_budget(json_response(
                        status,
                        json!({"message": "Repository access blocked", "block": {
                            "reason": reason, "created_at": "2021-04-22T17:53:56Z", "html_url": notice}}),
                    ));
                }
                if let Some(repo) = s.find(&full) {
                    with_budget(json_response(200, repo.rest_json(&base)))
                } else if let Some(repo) = s.find_old(&full) {
                    let location = format!("{base}/repositories/{}", repo.id);
                    with_budget(
                        json_response(
                            301,
                            json!({"message": "Moved Permanently", "url": location, "documentation_url": "https://docs.github.com/v3/#http-redirects"}),
                        )
                        .insert_header("location", location.as_str()),
                    )
                } else {
                    with_budget(json_response(
                        404,
                        json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest/repos/repos#get-a-repository", "status": "404"}),
                    ))
                }
            }
            ["repositories", id] => match id.parse().ok().and_then(|id| s.find_id(id)) {
                Some(repo) => with_budget(json_response(200, repo.rest_json(&base))),
                None => with_budget(json_response(404, json!({"message": "Not Found"}))),
            },
            _ => with_budget(json_response(404, json!({"message": "Not Found"}))),
        }
    }
}

/// The `(alias, owner, name)` of each `rN: repository(owner: "..", name:
/// "..")` in a query.
fn aliases(query: &str) -> Vec<(String, String, String)> {
    let alias_re = regex::Regex::new(
        r#"(r\d+)\s*:\s*repository\(\s*owner:\s*("(?:[^"\\]|\\.)*")\s*,\s*name:\s*("(?:[^"\\]|\\.)*")\s*\)"#,
    )
    .unwrap();
    alias_re
        .captures_iter(query)
        .map(|cap| {
            let owner: String = serde_json::from_str(&cap[2]).unwrap_or_default();
            let name: String = serde_json::from_str(&cap[3]).unwrap_or_default();
            (cap[1].to_string(), owner, name)
        })
        .collect()
}
