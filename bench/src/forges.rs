//! Scenario 6 (issue 14): repositories on the forges beyond GitHub (Hugging
//! Face models, datasets and Spaces, GitLab, Codeberg, Gitee) plus some
//! GitHub ones, audited by paperlinks through each forge's API stand-in.
//!
//! Owns the forge stand-ins the simulator serves (one API address and one
//! web-page address per forge, answers chosen by the repository name's
//! prefix, API calls counted per forge and per repository), the scenario's
//! corpus, its paperlinks config and its checks (one API call per
//! repository, no page request for a repository root, every status and
//! health word right). Loopback only; paperlinks alone (lychee has no
//! forge audit). Never changes paperlinks.

use crate::corpus::{Corpus, PlannedUrl, Rng};
use crate::rawhttp;
use crate::runner::{
    Ctx, Limits, Measurement, Out, ScenarioResult, SimProc, check_links_csv, check_lychee_json,
    lychee_args, measure, paperlinks_config,
};
use crate::sim::{
    API_IP, GITHUB_IP, Resp, fnv, html, json_resp, repo_kind, rfc3339, web_ip as sim_web_ip,
    with_header,
};
use anyhow::{Result, ensure};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, SystemTime};

/// The forges of the scenario: (forge word in paperlinks' reports, web host).
pub const FORGES: [(&str, &str); 4] = [
    ("huggingface", "huggingface.co"),
    ("gitlab", "gitlab.com"),
    ("codeberg", "codeberg.org"),
    ("gitee", "gitee.com"),
];
const HF: usize = 0;
/// Scenario 6r: Hugging Face API calls per one-second window before 429s.
pub const HF_RATE: u32 = 20;
const GITLAB: usize = 1;

/// The API stand-in of forge `f`: 127.0.255.3 ... 127.0.255.6.
pub fn api_ip(f: usize) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, 255, 3 + f as u8)
}

/// The web-page stand-in of forge `f`: 127.0.255.7 ... 127.0.255.10.
pub fn web_ip(f: usize) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, 255, 7 + f as u8)
}

// ------------------------------------------------------------- stand-ins

/// What a stand-in makes of a repository name, by its prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// `gone-`: missing (Hugging Face: 401/404 `X-Error-Code: RepoNotFound`).
    Gone,
    /// `gated-`: a gated Hugging Face model (403 `GatedRepo` or 200 `gated`).
    Gated,
    /// `err-`: a Space whose runtime stage is `RUNTIME_ERROR`.
    SpaceError,
    /// `arch-`: archived (GitLab, Codeberg; Gitee status `已关闭`).
    Archived,
    /// `empty-`: no commits (GitLab `empty_repo`, Gitea `empty`).
    Empty,
    /// `stale-`: last activity in 2023.
    Stale,
    /// `old-`: a GitLab project moved to `new-` (the API answers 301).
    Moved,
    Normal,
}

fn state(name: &str) -> State {
    let prefixes = [
        ("gone-", State::Gone),
        ("gated-", State::Gated),
        ("err-", State::SpaceError),
        ("arch-", State::Archived),
        ("empty-", State::Empty),
        ("stale-", State::Stale),
        ("old-", State::Moved),
    ];
    prefixes
        .iter()
        .find(|(p, _)| name.starts_with(p))
        .map_or(State::Normal, |&(_, s)| s)
}

/// The health word paperlinks should give a repository of this name.
fn expected_health(name: &str) -> &'static str {
    match state(name) {
        State::Gone => "missing",
        State::Archived => "archived",
        State::SpaceError => "failing",
        State::Empty => "empty",
        State::Stale => "stale",
        State::Gated | State::Moved | State::Normal => "active",
    }
}

#[derive(Default)]
struct Counters {
    /// API requests for a linked repository (redirect follow-ups apart).
    calls: AtomicU64,
    /// Requests that follow a GitLab "moved" redirect.
    redirect_follows: AtomicU64,
    with_token: AtomicU64,
    root_pages: AtomicU64,
    deep_pages: AtomicU64,
    /// Requests answered 429 (the Hugging Face rate window).
    rate_limited: AtomicU64,
    /// API calls per repository asked.
    per_repo: Mutex<HashMap<String, u64>>,
}

/// The four forges' stand-ins and their counts (held by the simulator).
#[derive(Default)]
pub struct ForgeSim {
    forges: [Counters; 4],
    /// Hugging Face rate window: (second since the simulator's start, calls in it).
    hf_window: Mutex<(u64, u32)>,
}

fn recent() -> String {
    rfc3339(SystemTime::now() - Duration::from_secs(20 * 86_400))
}

fn activity(name: &str) -> String {
    if state(name) == State::Stale {
        "2023-01-15T10:00:00Z".into()
    } else {
        recent()
    }
}

impl ForgeSim {
    pub fn reset(&self) {
        for c in &self.forges {
            for a in [
                &c.calls,
                &c.redirect_follows,
                &c.with_token,
                &c.root_pages,
                &c.deep_pages,
                &c.rate_limited,
            ] {
                a.store(0, Relaxed);
            }
            c.per_repo.lock().unwrap().clear();
        }
    }

    /// Per forge: calls, repositories asked, most calls for one repository,
    /// pages; `hosts` holds (requests, peak in flight) of the 4 API then the
    /// 4 page listeners.
    pub fn snapshot(&self, hosts: &[(u64, u64)]) -> Value {
        let mut out = serde_json::Map::new();
        for (f, c) in self.forges.iter().enumerate() {
            let per = c.per_repo.lock().unwrap();
            let at = |i: usize| hosts.get(i).copied().unwrap_or((0, 0));
            out.insert(
                FORGES[f].0.into(),
                json!({
                    "api_requests": at(f).0,
                    "api_peak_in_flight": at(f).1,
                    "calls": c.calls.load(Relaxed),
                    "redirect_follows": c.redirect_follows.load(Relaxed),
                    "with_token": c.with_token.load(Relaxed),
                    "rate_limited": c.rate_limited.load(Relaxed),
                    "repositories_asked": per.len(),
                    "max_calls_per_repository": per.values().copied().max().unwrap_or(0),
                    "repositories_asked_twice": per.values().filter(|&&n| n > 1).count(),
                    "page_requests": at(FORGES.len() + f).0,
                    "root_pages": c.root_pages.load(Relaxed),
                    "deep_pages": c.deep_pages.load(Relaxed),
                }),
            );
        }
        Value::Object(out)
    }

    fn count(&self, f: usize, repo: &str, token: bool) {
        let c = &self.forges[f];
        if token {
            c.with_token.fetch_add(1, Relaxed);
        }
        if f == GITLAB
            && repo
                .rsplit('/')
                .next()
                .is_some_and(|n| n.starts_with("new-"))
        {
            c.redirect_follows.fetch_add(1, Relaxed);
            return;
        }
        c.calls.fetch_add(1, Relaxed);
        *c.per_repo
            .lock()
            .unwrap()
            .entry(repo.to_ascii_lowercase())
            .or_default() += 1;
    }

    /// Hugging Face over its rate (`rate` calls per one-second window,
    /// 0: no limit): a 429 with `Retry-After` and `RateLimit` headers.
    fn hf_limited(&self, rate: u32, sec: u64) -> Option<Resp> {
        if rate == 0 {
            return None;
        }
        let mut w = self.hf_window.lock().unwrap();
        if w.0 != sec {
            *w = (sec, 0);
        }
        w.1 += 1;
        if w.1 <= rate {
            return None;
        }
        self.forges[HF].rate_limited.fetch_add(1, Relaxed);
        let r = json_resp(429, &json!({"error": "You have exceeded our rate limit"}));
        let r = with_header(r, "retry-after", "1".into());
        Some(with_header(r, "ratelimit", "\"api\";r=0;t=1".into()))
    }

    /// An API request to forge `f`; `hf_rate` is (Hugging Face calls
    /// allowed per one-second window, 0 for no limit; the current second).
    pub fn api(&self, f: usize, path: &str, token: bool, hf_rate: (u32, u64)) -> Resp {
        if f == HF
            && let Some(r) = self.hf_limited(hf_rate.0, hf_rate.1)
        {
            return r;
        }
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        match (f, segs.as_slice()) {
            (
                HF,
                [
                    "api",
                    kind @ ("models" | "datasets" | "spaces"),
                    owner,
                    name,
                ],
            ) => {
                self.count(f, &format!("{kind}/{owner}/{name}"), token);
                hf_answer(kind, owner, name)
            }
            (GITLAB, ["api", "v4", "projects", enc]) => {
                let p = enc.replace("%2F", "/").replace("%2f", "/");
                self.count(f, &p, token);
                gitlab_answer(&p)
            }
            (2, ["api", "v1", "repos", owner, name]) | (3, ["api", "v5", "repos", owner, name]) => {
                self.count(f, &format!("{owner}/{name}"), token);
                gitea_like_answer(f, owner, name)
            }
            _ => json_resp(404, &json!({"message": "Not Found"})),
        }
    }

    /// A web page of forge `f` (after the checker's remap): 404 for a
    /// `gone-` repository, 301 to `new-` for a moved GitLab project, else
    /// 200; counts root and deeper pages.
    pub fn page(&self, f: usize, path: &str) -> Resp {
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        let (name, root) = match f {
            HF => {
                let rest = match segs.first() {
                    Some(&"datasets") | Some(&"spaces") => &segs[1..],
                    _ => &segs[..],
                };
                (rest.get(1).copied().unwrap_or(""), rest.len() == 2)
            }
            GITLAB => {
                let end = segs.iter().position(|s| *s == "-").unwrap_or(segs.len());
                (segs[..end].last().copied().unwrap_or(""), end == segs.len())
            }
            _ => (segs.get(1).copied().unwrap_or(""), segs.len() == 2),
        };
        let c = &self.forges[f];
        if root {
            c.root_pages.fetch_add(1, Relaxed);
        } else {
            c.deep_pages.fetch_add(1, Relaxed);
        }
        match state(name) {
            State::Gone => html(404, "Not Found"),
            // A moved GitLab project's page redirects to its new path.
            State::Moved if f == GITLAB => {
                let new = format!("new-{}", name.trim_start_matches("old-"));
                with_header(html(301, "Moved"), "location", path.replacen(name, &new, 1))
            }
            _ => html(200, name),
        }
    }
}

fn hf_answer(kind: &str, owner: &str, name: &str) -> Resp {
    let id = format!("{owner}/{name}");
    let h = fnv(&id);
    match state(name) {
        State::Gone => {
            // Anonymous callers get 401 for a missing (or private) repository, 404 too.
            let status = if h.is_multiple_of(2) { 401 } else { 404 };
            let r = json_resp(status, &json!({"error": "Repository not found"}));
            with_header(r, "x-error-code", "RepoNotFound".into())
        }
        State::Gated if h.is_multiple_of(2) => {
            let r = json_resp(
                403,
                &json!({"error": "Access to this repository is restricted"}),
            );
            with_header(r, "x-error-code", "GatedRepo".into())
        }
        s => {
            let mut v = json!({
                "_id": format!("{h:024x}"), "id": id, "author": owner,
                "sha": "0123456789abcdef0123456789abcdef01234567",
                "likes": h % 3000, "downloads": h % 500_000,
                "lastModified": activity(name), "createdAt": "2024-01-01T00:00:00.000Z",
                "gated": if s == State::Gated { json!("manual") } else { json!(false) },
                "private": false, "disabled": false, "tags": ["pytorch"],
            });
            if kind == "models" {
                v["modelId"] = json!(id);
            }
            if kind == "spaces" {
                v["sdk"] = json!("gradio");
                let stage = if s == State::SpaceError {
                    "RUNTIME_ERROR"
                } else {
                    "RUNNING"
                };
                v["runtime"] = json!({"stage": stage, "hardware": {"current": "cpu-basic"}});
            }
            json_resp(200, &v)
        }
    }
}

fn gitlab_answer(path: &str) -> Resp {
    let (group, name) = path.rsplit_once('/').unwrap_or(("", path));
    match state(name) {
        State::Gone => json_resp(404, &json!({"message": "404 Project Not Found"})),
        State::Moved => {
            let new = format!("{group}/new-{}", name.trim_start_matches("old-"));
            let loc = format!("/api/v4/projects/{}", new.replace('/', "%2F"));
            let r = json_resp(301, &json!({"message": "301 Moved Permanently"}));
            with_header(r, "location", loc)
        }
        s => {
            let h = fnv(path);
            json_resp(
                200,
                &json!({
                    "id": h % 90_000_000, "path_with_namespace": path,
                    "web_url": format!("https://gitlab.com/{path}"),
                    "star_count": h % 2000, "forks_count": h % 300, "open_issues_count": h % 40,
                    "created_at": "2023-01-01T00:00:00.000Z", "last_activity_at": activity(name),
                    "archived": s == State::Archived, "empty_repo": s == State::Empty,
                    "default_branch": "main", "visibility": "public",
                }),
            )
        }
    }
}

/// Codeberg (Gitea, `/api/v1`) and Gitee (`/api/v5`) answers.
fn gitea_like_answer(f: usize, owner: &str, name: &str) -> Resp {
    let full = format!("{owner}/{name}");
    let s = state(name);
    if s == State::Gone {
        return json_resp(404, &json!({"message": "Not Found", "errors": []}));
    }
    let h = fnv(&full);
    let url = format!("https://{}/{full}", FORGES[f].1);
    if f == 2 {
        json_resp(
            200,
            &json!({
                "id": h % 900_000, "full_name": full, "html_url": url,
                "stars_count": h % 500, "forks_count": h % 50, "watchers_count": h % 30,
                "open_issues_count": h % 20, "language": "Rust",
                "created_at": "2024-02-02T00:00:00Z", "updated_at": activity(name),
                "archived": s == State::Archived, "empty": s == State::Empty, "fork": false,
            }),
        )
    } else {
        json_resp(
            200,
            &json!({
                "id": h % 900_000, "full_name": full, "html_url": url,
                "stargazers_count": h % 800, "forks_count": h % 90, "watchers_count": h % 40,
                "open_issues_count": h % 10, "language": "Python", "fork": false,
                "created_at": "2022-03-03T00:00:00+08:00", "pushed_at": activity(name),
                "updated_at": activity(name),
                "status": if s == State::Archived { "已关闭" } else { "开始" },
            }),
        )
    }
}

// ------------------------------------------------------------- corpus

/// Repositories per forge (Hugging Face: models, datasets, Spaces), GitHub
/// repositories, project pages.
struct Sizes {
    hf: [usize; 3],
    gitlab: usize,
    codeberg: usize,
    gitee: usize,
    github: usize,
    pages: usize,
}

fn sizes(quick: bool) -> Sizes {
    if quick {
        Sizes {
            hf: [12, 5, 3],
            gitlab: 10,
            codeberg: 10,
            gitee: 5,
            github: 10,
            pages: 10,
        }
    } else {
        Sizes {
            hf: [120, 50, 30],
            gitlab: 100,
            codeberg: 100,
            gitee: 50,
            github: 100,
            pages: 100,
        }
    }
}

/// One repository of the plan and the links that name it.
struct PlannedRepo {
    /// Forge index in `FORGES`, or None for GitHub.
    forge: Option<usize>,
    /// The name paperlinks' repos.csv gives it.
    report_name: String,
    health: &'static str,
    /// (url, expected status, is root)
    links: Vec<(String, &'static str, bool)>,
}

/// The name prefix of repository `k` of a forge (and HF kind).
fn prefix(f: usize, kind: usize, k: usize) -> &'static str {
    match (k % 10, k % 20) {
        (3, _) => "gone-",
        (_, 7) => "stale-",
        (_, 11) if f == HF && kind == 0 => "gated-",
        (_, 11) if f != HF => "arch-",
        (_, 15) if f == GITLAB || f == 2 => "empty-",
        (_, 17) if f == GITLAB => "old-",
        _ if f == HF && kind == 2 && k % 5 == 1 => "err-",
        _ => "",
    }
}

/// Deeper-path tails per forge, taken in turn.
fn deep_tail(f: usize, k: usize) -> &'static str {
    let tails: &[&str] = match f {
        HF => &[
            "tree/main",
            "blob/main/README.md",
            "resolve/main/config.json",
        ],
        GITLAB => &["-/tree/main", "-/blob/main/README.md"],
        2 => &["src/branch/main/README.md"],
        _ => &["tree/master", "blob/master/README.md"],
    };
    tails[k % tails.len()]
}

fn forge_repo(f: usize, kind: usize, k: usize) -> PlannedRepo {
    let name = format!("{}m{k}", prefix(f, kind, k));
    let owner = match f {
        HF => format!("org{}", k % 37),
        GITLAB if k.is_multiple_of(4) => format!("group{}/sub{}", k % 23, k % 3),
        GITLAB => format!("group{}", k % 23),
        2 => format!("user{}", k % 29),
        _ => format!("team{}", k % 19),
    };
    let kind_seg = ["", "datasets/", "spaces/"][kind];
    let host = FORGES[f].1;
    let path = format!("{kind_seg}{owner}/{name}");
    let root_url = format!("https://{host}/{path}");
    let s = state(&name);
    let root_status = match s {
        State::Gone => "broken",
        State::Moved => "redirected",
        _ => "ok",
    };
    let deep_status = if s == State::Gone { "broken" } else { "ok" };
    let deep_url = format!("{root_url}/{}", deep_tail(f, k));
    // k % 7: 0 deep link only, 4 root and deep, else root only (moved: root only).
    let mut links = Vec::new();
    if !k.is_multiple_of(7) || s == State::Moved {
        links.push((root_url, root_status, true));
    }
    if (k.is_multiple_of(7) || k % 7 == 4) && s != State::Moved {
        links.push((deep_url, deep_status, false));
    }
    if f == HF && kind == 0 && k % 10 == 5 {
        links.push((format!("https://hf.co/{path}"), root_status, true));
    }
    PlannedRepo {
        forge: Some(f),
        report_name: format!("{host}/{path}"),
        health: expected_health(&name),
        links,
    }
}

fn github_repo(k: usize) -> PlannedRepo {
    let name = format!("{}model{k}", if k % 10 == 3 { "gone-" } else { "" });
    let full = format!("lab{}/{name}", k % 41);
    let gone = repo_kind(&name) == crate::sim::RepoKind::Gone;
    // The GitHub stand-in's last push (`sim::graphql_repo`): 2023-01-15
    // for one repository in five, else 2025-10-01; stale after 365 days.
    let pushed: u64 = if fnv(&full).is_multiple_of(5) {
        1_673_776_800
    } else {
        1_759_312_800
    };
    let now = SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let health = if gone {
        "missing"
    } else if now.saturating_sub(pushed) > 365 * 86_400 {
        "stale"
    } else {
        "active"
    };
    PlannedRepo {
        forge: None,
        report_name: full.clone(),
        health,
        links: vec![(
            format!("https://github.com/{full}"),
            if gone { "broken" } else { "ok" },
            true,
        )],
    }
}

fn plan_repos(s: &Sizes) -> Vec<PlannedRepo> {
    let mut repos = Vec::new();
    for (kind, &n) in s.hf.iter().enumerate() {
        repos.extend((0..n).map(|k| forge_repo(HF, kind, k)));
    }
    for (f, n) in [(GITLAB, s.gitlab), (2, s.codeberg), (3, s.gitee)] {
        repos.extend((0..n).map(|k| forge_repo(f, 0, k)));
    }
    repos.extend((0..s.github).map(github_repo));
    repos
}

const FILLER: &[&str] = &[
    "We study how sparse attention scales with model size.",
    "Our method improves retrieval quality on three benchmarks.",
    "Experiments on vision and language tasks show consistent gains.",
    "We release weights, data and a demo.",
];

/// Writes the corpus (text format: chrome, then title, blank, abstract,
/// blank per paper; two or three links per abstract, one in nine repeated)
/// and returns its plan and repositories.
fn write_corpus(path: &Path, port: u16, quick: bool) -> Result<(Corpus, Vec<PlannedRepo>)> {
    let s = sizes(quick);
    let repos = plan_repos(&s);
    let mut urls: Vec<PlannedUrl> = Vec::new();
    for r in &repos {
        for (url, expected, root) in &r.links {
            urls.push(PlannedUrl {
                url: url.clone(),
                expected,
                host: None,
                round_trips: 1,
                repo: Some(r.report_name.clone()),
                github_root: *root,
            });
        }
    }
    for k in 0..s.pages {
        let h = k % 10;
        let (kind, expected) = if k % 20 == 7 {
            ("404", "broken")
        } else {
            ("ok", "ok")
        };
        urls.push(PlannedUrl {
            url: format!("http://{}:{port}/{kind}/page{k}", sim_web_ip(h)),
            expected,
            host: Some(h),
            round_trips: 1,
            repo: None,
            github_root: false,
        });
    }
    let mut rng = Rng::new(6);
    let mut order: Vec<usize> = (0..urls.len()).collect();
    order.extend((0..urls.len()).step_by(9));
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let mut counts = vec![0u32; urls.len()];
    let mut text = String::from("New\n\nDaily Papers\n\nby AK and the research community\n\n");
    for (p, chunk) in order.chunks(3).enumerate() {
        text += &format!("Forge links in practice, part {p}\n\n");
        text += *rng.pick(FILLER);
        for &u in chunk {
            counts[u] += 1;
            text += &format!(" Code and models: {} .", urls[u].url);
        }
        text += " ";
        text += *rng.pick(FILLER);
        text += "\n\n";
    }
    std::fs::File::create(path)?.write_all(text.as_bytes())?;
    let corpus = Corpus {
        occurrences: order.len(),
        urls,
        counts,
        bytes: text.len() as u64,
    };
    Ok((corpus, repos))
}

// ------------------------------------------------------------- scenario

/// The paperlinks config: the common limits, remaps of every forge's web
/// host (and github.com) to its page stand-in, every API to its stand-in.
fn write_config(path: &Path, port: u16, limits: &Limits) -> Result<Vec<String>> {
    let mut remap = vec![format!(
        "^https://github\\.com/(.*)$ http://{GITHUB_IP}:{port}/$1"
    )];
    for (f, (_, host)) in FORGES.iter().enumerate() {
        let re = host.replace('.', "\\.");
        remap.push(format!(
            "^https://{re}/(.*)$ http://{}:{port}/$1",
            web_ip(f)
        ));
    }
    remap.push(format!(
        "^https://hf\\.co/(.*)$ http://{}:{port}/$1",
        web_ip(HF)
    ));
    let api = format!("http://{API_IP}:{port}");
    paperlinks_config(path, limits, &remap, Some(&api))?;
    let base = |f: usize| format!("\"http://{}:{port}\"", api_ip(f));
    let forges = format!(
        "\n[forges]\nenabled = true\nhuggingface_api = {}\ngitlab_api = {}\ncodeberg_api = {}\ngitee_api = {}\nmax_concurrency = 4\nmax_calls = 1000\nmax_wait_secs = 60\n",
        base(0),
        base(1),
        base(2),
        base(3)
    );
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)?
        .write_all(forges.as_bytes())?;
    Ok(remap)
}

const HF_TOKEN: &str = "hf_BENCHSENTINEL000000000000000000";
const GH_TOKEN: &str = "ghp_BENCHSENTINEL0000000000000000000000";

/// What every run of the scenario shares.
struct Setup {
    dir: PathBuf,
    input: PathBuf,
    cfg: PathBuf,
    limits: Limits,
    remap: Vec<String>,
    corpus: Corpus,
    repos: Vec<PlannedRepo>,
    limit: Duration,
}

/// Scenario 6; with `hf_rate` > 0 (6r) the Hugging Face stand-in answers
/// 429 beyond that many calls per one-second window.
pub fn s6_forges(ctx: &Ctx, hf_rate: u32) -> Result<ScenarioResult> {
    let bin = ctx
        .opts
        .paperlinks
        .clone()
        .ok_or_else(|| anyhow::anyhow!("scenario 6 (forges) needs paperlinks"))?;
    let dir = ctx.dir.join(scenario_name(hf_rate));
    std::fs::create_dir_all(&dir)?;
    let sim = SimProc::start(&sim_args(ctx, hf_rate), &dir.join("sim.log"))?;
    let input = dir.join("corpus.txt");
    let (corpus, repos) = write_corpus(&input, sim.port, ctx.opts.quick)?;
    let limits = Limits {
        max_concurrency: 64,
        max_per_host: 4,
        timeout_secs: 20,
        retries: 2,
    };
    let cfg = dir.join("paperlinks.toml");
    let remap = write_config(&cfg, sim.port, &limits)?;
    let setup = Setup {
        dir,
        input,
        cfg,
        limits,
        remap,
        corpus,
        repos,
        limit: Duration::from_secs(if ctx.opts.quick { 120 } else { 600 }),
    };
    let mut runs = Vec::new();
    for rep in 0..ctx.reps() {
        if let Some(l) = &ctx.opts.lychee {
            runs.push(setup.run_lychee(&sim, l, rep)?);
        }
        runs.push(setup.run_paperlinks(&sim, &bin, rep)?);
    }
    sim.stop()?;
    Ok(result(ctx, &setup.corpus, &setup.repos, runs, hf_rate))
}

fn scenario_name(hf_rate: u32) -> &'static str {
    if hf_rate > 0 {
        "s6r-forges-hf-rate"
    } else {
        "s6-forges"
    }
}

fn sim_args(ctx: &Ctx, hf_rate: u32) -> Vec<String> {
    [
        "--hf-rate",
        &hf_rate.to_string(),
        "--hosts",
        "10",
        "--latency-ms",
        "100",
        "--github-latency-ms",
        "100",
        "--api-latency-ms",
        "300",
        "--forge-latency-ms",
        "100",
        "--max-secs",
        "3600",
        "--threads",
        &ctx.opts.sim_threads.to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

impl Setup {
    fn fresh(&self, name: &str) -> Result<PathBuf> {
        let out = self.dir.join(name);
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out)?;
        Ok(out)
    }

    /// paperlinks, with both tokens set; its outputs checked against the plan.
    fn run_paperlinks(&self, sim: &SimProc, bin: &Path, rep: usize) -> Result<Measurement> {
        sim.reset()?;
        let out = self.fresh("out-paperlinks")?;
        let argv: Vec<String> = vec![
            bin.display().to_string(),
            "check".into(),
            self.input.display().to_string(),
            "--config".into(),
            self.cfg.display().to_string(),
            "--output-dir".into(),
            out.display().to_string(),
        ];
        let env = [
            ("GITHUB_TOKEN", GH_TOKEN.into()),
            ("HF_TOKEN", HF_TOKEN.into()),
        ];
        let log = self.dir.join(format!("paperlinks-{rep}.log"));
        eprintln!("  [s6-forges] rep {} paperlinks ...", rep + 1);
        let mut m = measure(
            "paperlinks",
            rep,
            &argv,
            &env,
            &self.dir,
            Out::Null,
            self.limit,
            &log,
        )?;
        std::thread::sleep(Duration::from_millis(50));
        m.sim = sim.stats()?;
        m.check = check_links_csv(&out.join("links.csv"), &self.corpus);
        m.check["repos"] = check_repos_csv(&out.join("repos.csv"), &self.repos);
        m.check["tokens_leaked"] = json!(leaked(&out, &log));
        m.check["paperlinks_says"] = json!(forge_calls_line(&out, &log));
        eprintln!(
            "    {:.2}s, exit {:?}{}, forges {}",
            m.wall,
            m.exit,
            if m.killed { " (KILLED)" } else { "" },
            m.sim["forges"]
        );
        Ok(m)
    }

    /// lychee on the same corpus (link checking only: it has no forge
    /// audit), with the same limits and remaps.
    fn run_lychee(&self, sim: &SimProc, lychee: &Path, rep: usize) -> Result<Measurement> {
        sim.reset()?;
        let out = self.fresh("out-lychee")?;
        let mut argv = vec![lychee.display().to_string()];
        argv.extend(lychee_args(
            &self.limits,
            &self.remap,
            &out.join("lychee.json"),
            &self.input,
        ));
        let env = [("GITHUB_TOKEN", GH_TOKEN.into())];
        let log = self.dir.join(format!("lychee-{rep}.log"));
        eprintln!("  [s6-forges] rep {} lychee ...", rep + 1);
        let mut m = measure(
            "lychee",
            rep,
            &argv,
            &env,
            &self.dir,
            Out::Null,
            self.limit,
            &log,
        )?;
        std::thread::sleep(Duration::from_millis(50));
        m.sim = sim.stats()?;
        m.check = check_lychee_json(&out.join("lychee.json"));
        eprintln!("    {:.2}s, exit {:?}", m.wall, m.exit);
        Ok(m)
    }
}

fn leaked(out: &Path, log: &Path) -> bool {
    let has = |p: &Path| {
        std::fs::read(p).is_ok_and(|b| {
            [HF_TOKEN, GH_TOKEN]
                .iter()
                .any(|t| b.windows(t.len()).any(|w| w == t.as_bytes()))
        })
    };
    has(log) || std::fs::read_dir(out).is_ok_and(|rd| rd.flatten().any(|e| has(&e.path())))
}

/// paperlinks' own count, from its summary ("Other forges' API calls: ...").
fn forge_calls_line(out: &Path, log: &Path) -> String {
    for p in [out.join("summary.md"), log.to_path_buf()] {
        if let Ok(t) = std::fs::read_to_string(&p)
            && let Some(i) = t.find("Other forges' API calls:")
        {
            let rest = &t[i..];
            return rest[..rest.find('.').unwrap_or(rest.len())].to_string();
        }
    }
    String::new()
}

/// repos.csv against the plan: rows per forge, wrong health words.
fn check_repos_csv(path: &Path, repos: &[PlannedRepo]) -> Value {
    let want: HashMap<String, &PlannedRepo> = repos
        .iter()
        .map(|r| (r.report_name.to_ascii_lowercase(), r))
        .collect();
    let Ok(mut rdr) = csv::Reader::from_path(path) else {
        return json!({"error": format!("cannot read {}", path.display())});
    };
    let Ok(headers) = rdr.headers().cloned() else {
        return json!({"error": "bad repos.csv header"});
    };
    let col = |n: &str| headers.iter().position(|h| h == n);
    let (Some(ri), Some(hi), Some(fi)) = (col("repo"), col("health"), col("forge")) else {
        return json!({"error": "repos.csv lacks repo/health/forge"});
    };
    let mut per_forge: BTreeMap<String, u64> = BTreeMap::new();
    let (mut rows, mut wrong, mut unplanned) = (0u64, 0u64, 0u64);
    let mut examples = Vec::new();
    for rec in rdr.records().flatten() {
        rows += 1;
        let (repo, health) = (rec.get(ri).unwrap_or(""), rec.get(hi).unwrap_or(""));
        *per_forge
            .entry(rec.get(fi).unwrap_or("").to_string())
            .or_default() += 1;
        match want.get(&repo.to_ascii_lowercase()) {
            Some(r) if r.health == health => {}
            Some(r) => {
                wrong += 1;
                if examples.len() < 5 {
                    examples.push(format!("{repo}: expected {}, got {health}", r.health));
                }
            }
            None => unplanned += 1,
        }
    }
    json!({
        "rows": rows, "rows_expected": repos.len(), "per_forge": per_forge,
        "wrong_health": wrong, "unplanned": unplanned, "examples": examples,
    })
}

/// Unique repositories, links, and repository-root / deeper links per forge.
/// Per forge: (repositories, links, roots, deeper links, moved repositories).
type Counts = (usize, usize, usize, usize, usize);

fn plan_counts(repos: &[PlannedRepo]) -> BTreeMap<&'static str, Counts> {
    let mut m = BTreeMap::new();
    for r in repos {
        let word = r.forge.map_or("github", |f| FORGES[f].0);
        let e = m.entry(word).or_insert((0, 0, 0, 0, 0));
        e.4 += r.links.iter().any(|l| l.1 == "redirected") as usize;
        e.0 += 1;
        e.1 += r.links.len();
        e.2 += r.links.iter().filter(|l| l.2).count();
        e.3 += r.links.iter().filter(|l| !l.2).count();
    }
    m
}

fn result(
    ctx: &Ctx,
    corpus: &Corpus,
    repos: &[PlannedRepo],
    runs: Vec<Measurement>,
    hf_rate: u32,
) -> ScenarioResult {
    let counts = plan_counts(repos);
    let mut notes = Vec::new();
    // Each forge's calls at 4 in flight, 100 ms each, all forges at once;
    // Hugging Face's at most `hf_rate` a second when limited.
    let ideal = counts
        .iter()
        .filter(|(w, _)| **w != "github")
        .map(|(w, c)| {
            let slots = (c.0 + c.4).div_ceil(4) as f64 * 0.1;
            match (*w, hf_rate) {
                // The last of ceil(n / r) one-second windows opens ceil(n / r) - 1
                // seconds after the first; its calls take 100 ms.
                ("huggingface", r) if r > 0 => {
                    slots.max((c.0 as f64 / r as f64).ceil() - 1.0 + 0.1)
                }
                _ => slots,
            }
        })
        .fold(0.0, f64::max);
    notes.push(format!(
        "ideal = the slowest forge's API requests (repositories + GitLab redirects) / 4 in flight x 100 ms{} = {ideal:.2}s",
        if hf_rate > 0 {
            format!(", Hugging Face's at {hf_rate} a second (windows of one second)")
        } else {
            String::new()
        }
    ));
    if let Some(l) = runs.iter().rev().find(|m| m.tool == "lychee") {
        notes.push(lychee_note(l));
    }
    if let Some(last) = runs.iter().rev().find(|m| m.tool == "paperlinks") {
        notes.extend(paperlinks_notes(&counts, last));
    }
    ScenarioResult {
        name: scenario_name(hf_rate).into(),
        title: format!(
            "Hugging Face, GitLab, Codeberg, Gitee (and GitHub) repositories, audited via their APIs{}",
            if hf_rate > 0 {
                format!("; Hugging Face allows {hf_rate} calls a second")
            } else {
                String::new()
            }
        ),
        params: json!({
            "occurrences": corpus.occurrences,
            "unique_urls": corpus.urls.len(),
            "per_forge": counts.iter().map(|(k, v)| (k.to_string(), json!({"repositories": v.0, "links": v.1, "roots": v.2, "deeper": v.3, "moved": v.4}))).collect::<serde_json::Map<_, _>>(),
            "forge_latency_ms": 100,
            "hf_rate_per_s": hf_rate,
            "forges_max_concurrency": 4,
            "reps": ctx.reps(),
        }),
        ideal: Some(ideal),
        runs,
        notes,
        input_bytes: None,
        unique_urls: Some(corpus.urls.len() as u64),
    }
}

/// lychee's page requests on the forge hosts and github.com.
fn lychee_note(l: &Measurement) -> String {
    let f = &l.sim["forges"];
    let words: Vec<String> = FORGES
        .iter()
        .map(|(w, _)| {
            format!(
                "{w} {} (repo roots {})",
                f[*w]["page_requests"], f[*w]["root_pages"]
            )
        })
        .collect();
    format!(
        "lychee (last run): forge page requests {}; github.com pages {} (repo roots {}, 429s {})",
        words.join(", "),
        l.sim["github_pages"]["requests"],
        l.sim["github_pages"]["root_pages"],
        l.sim["github_pages"]["rate_limited"]
    )
}

/// Per forge: calls against repositories, pages; whether the target is met.
fn paperlinks_notes(counts: &BTreeMap<&'static str, Counts>, last: &Measurement) -> Vec<String> {
    let mut notes = Vec::new();
    for (word, &(n, links, roots, deep, _)) in counts {
        let s = &last.sim["forges"][*word];
        if *word == "github" {
            notes.push(format!(
                "github: {n} repositories ({links} links): API calls {} (GraphQL {}), github.com pages {} (repo roots {})",
                last.sim["api"]["calls"],
                last.sim["api"]["graphql"],
                last.sim["github_pages"]["requests"],
                last.sim["github_pages"]["root_pages"]
            ));
            continue;
        }
        notes.push(format!(
            "{word}: {n} repositories ({links} links: {roots} roots, {deep} deeper): API calls {} for {} repositories asked (most for one: {}; redirects followed {}; 429s {}; with token {}), pages {} (repo roots {}, deeper {}), API peak in flight {}",
            s["calls"],
            s["repositories_asked"],
            s["max_calls_per_repository"],
            s["redirect_follows"],
            s["rate_limited"],
            s["with_token"],
            s["page_requests"],
            s["root_pages"],
            s["deep_pages"],
            s["api_peak_in_flight"]
        ));
    }
    let missed: Vec<String> = counts
        .iter()
        .filter(|(w, _)| **w != "github")
        .filter(|(w, c)| {
            let f = &last.sim["forges"][**w];
            f["calls"] != c.0 || f["max_calls_per_repository"] != 1 || f["root_pages"] != 0
        })
        .map(|(w, _)| w.to_string())
        .collect();
    notes.push(if missed.is_empty() {
        "target met: one API call per repository and no repository-root page on every forge".into()
    } else {
        format!("target NOT met on: {}", missed.join(", "))
    });
    notes.push(format!(
        "repos.csv: {}; paperlinks says: {}; tokens leaked: {}",
        last.check["repos"], last.check["paperlinks_says"], last.check["tokens_leaked"]
    ));
    notes
}

// ------------------------------------------------------------- self-test

fn get(ip: Ipv4Addr, port: u16, path: &str) -> Result<rawhttp::RawResponse> {
    Ok(rawhttp::request(
        SocketAddr::from((ip, port)),
        "GET",
        path,
        &[("Authorization", "Bearer x")],
        b"",
        Duration::from_secs(5),
    )?)
}

/// The forge stand-ins' answers and counts, against a running simulator
/// (called by `selftest`).
pub fn selftest(port: u16) -> Result<()> {
    let body = |r: &rawhttp::RawResponse| -> Value {
        serde_json::from_slice(&r.body).unwrap_or(Value::Null)
    };
    let (hf, gl, cb, ge) = (api_ip(0), api_ip(1), api_ip(2), api_ip(3));
    let m = get(hf, port, "/api/models/org1/m1")?;
    ensure!(m.status == 200 && body(&m)["id"] == "org1/m1" && body(&m)["likes"].is_u64());
    let s = body(&get(hf, port, "/api/spaces/o/err-m1")?);
    ensure!(s["runtime"]["stage"] == "RUNTIME_ERROR", "{s}");
    for p in ["/api/datasets/o/gone-m2", "/api/models/o/gone-m3"] {
        let r = get(hf, port, p)?;
        ensure!(matches!(r.status, 401 | 404), "{p}: {}", r.status);
        ensure!(r.header("x-error-code") == Some("RepoNotFound"), "{p}");
    }
    let g = get(gl, port, "/api/v4/projects/g%2Fsub%2Farch-m1")?;
    ensure!(body(&g)["path_with_namespace"] == "g/sub/arch-m1" && body(&g)["archived"] == true);
    let moved = get(gl, port, "/api/v4/projects/g%2Fold-m2")?;
    ensure!(moved.status == 301);
    ensure!(moved.header("location") == Some("/api/v4/projects/g%2Fnew-m2"));
    ensure!(get(gl, port, "/api/v4/projects/g%2Fnew-m2")?.status == 200);
    let c = body(&get(cb, port, "/api/v1/repos/u/empty-m1")?);
    ensure!(c["full_name"] == "u/empty-m1" && c["empty"] == true && c["stars_count"].is_u64());
    ensure!(get(cb, port, "/api/v1/repos/u/gone-m1")?.status == 404);
    let e = body(&get(ge, port, "/api/v5/repos/t/stale-m1")?);
    ensure!(e["pushed_at"] == "2023-01-15T10:00:00Z" && e["stargazers_count"].is_u64());
    ensure!(get(web_ip(0), port, "/org1/m1/tree/main")?.status == 200);
    ensure!(get(web_ip(1), port, "/g/gone-m1/-/blob/main/x")?.status == 404);
    ensure!(get(web_ip(2), port, "/u/m1")?.status == 200);
    let moved = get(web_ip(1), port, "/g/old-m3")?;
    ensure!(moved.status == 301 && moved.header("location") == Some("/g/new-m3"));
    let st: Value = serde_json::from_slice(&get(API_IP, port, "/__sim/stats")?.body)?;
    let f = &st["forges"];
    ensure!(
        f["huggingface"]["calls"] == 4 && f["huggingface"]["with_token"] == 4,
        "{f}"
    );
    ensure!(
        f["gitlab"]["calls"] == 2 && f["gitlab"]["redirect_follows"] == 1,
        "{f}"
    );
    ensure!(f["gitlab"]["repositories_asked"] == 2 && f["gitlab"]["api_requests"] == 3);
    ensure!(f["codeberg"]["calls"] == 2 && f["gitee"]["calls"] == 1);
    ensure!(f["huggingface"]["deep_pages"] == 1 && f["codeberg"]["root_pages"] == 1);
    ensure!(f["gitlab"]["page_requests"] == 2 && f["gitlab"]["root_pages"] == 1);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hugging_face_rate_window_answers_429_then_lets_calls_through() {
        let sim = ForgeSim::default();
        let call = |sec| sim.api(HF, "/api/models/o/m1", false, (2, sec));
        assert_eq!(call(5).status(), 200);
        assert_eq!(call(5).status(), 200);
        let limited = call(5);
        assert_eq!(limited.status(), 429);
        assert_eq!(limited.headers()["retry-after"], "1");
        assert_eq!(limited.headers()["ratelimit"], "\"api\";r=0;t=1");
        assert_eq!(call(6).status(), 200);
        // Other forges are never limited; no limit without a rate.
        for _ in 0..3 {
            assert_eq!(
                sim.api(2, "/api/v1/repos/u/m1", false, (2, 6)).status(),
                200
            );
        }
        assert_eq!(sim.api(HF, "/api/models/o/m1", false, (0, 6)).status(), 200);
        let snap = sim.snapshot(&[]);
        assert_eq!(snap["huggingface"]["rate_limited"], 1);
        // 429s are not calls: the one repository was answered 4 times.
        assert_eq!(snap["huggingface"]["calls"], 4);
        assert_eq!(snap["huggingface"]["max_calls_per_repository"], 4);
    }

    #[test]
    fn the_plan_names_each_repository_once_and_knows_its_answers() {
        let repos = plan_repos(&sizes(false));
        let counts = plan_counts(&repos);
        assert_eq!(counts["huggingface"].0, 200);
        assert_eq!(counts["gitlab"].0, 100);
        assert_eq!(counts["codeberg"].0, 100);
        assert_eq!(counts["gitee"].0, 50);
        let mut names: Vec<String> = repos
            .iter()
            .map(|r| r.report_name.to_ascii_lowercase())
            .collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), repos.len());
        // Every forge has deeper links and missing repositories.
        for (word, c) in &counts {
            if *word != "github" {
                assert!(c.3 > 0, "{word} has no deeper links");
            }
        }
        for h in ["missing", "failing", "archived", "empty", "stale", "active"] {
            assert!(repos.iter().any(|r| r.health == h), "no {h}");
        }
        assert!(
            repos
                .iter()
                .flat_map(|r| &r.links)
                .any(|l| l.0.starts_with("https://hf.co/"))
        );
        assert!(
            repos
                .iter()
                .flat_map(|r| &r.links)
                .any(|l| l.1 == "redirected")
        );
    }
}
