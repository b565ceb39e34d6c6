//! Forges beyond GitHub: Hugging Face Hub, GitLab, Codeberg and other
//! Gitea/Forgejo hosts, Gitee. Which URLs name a repository on them, and
//! what each forge's API says about it, as the same `RepoOutcome` the
//! GitHub stage gives.
//!
//! Every forge answers one small question through the same shape, an
//! [`Api`] (three pure functions: recognise a link, name the API request,
//! read the answer), so adding a forge is one file. `http` is the one place
//! where their API calls are made, counted, bounded (concurrency, a call
//! budget, `max_wait_secs` for rate limits) and stopped on shutdown; a
//! repository that cannot be asked is `Unknown` with the reason, never an
//! `Err` and never a hang.
//!
//! Never talks to GitHub (that is `github`), never checks pages (that is
//! `check`), never prints a token (`HF_TOKEN` is a `SecretString`).

mod gitea;
mod gitee;
mod gitlab;
mod http;
mod huggingface;

pub use http::{ForgeStats, Forges};

use crate::config::{Config, ForgesConfig};
use crate::model::{Forge, LinkResult, RepoKind, RepoOutcome, Status};

/// A repository on some forge (GitHub included), named by a URL.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ForgeRef {
    pub forge: Forge,
    pub kind: RepoKind,
    /// The web host as configured (`gitlab.com`, `huggingface.co`).
    pub host: String,
    /// The repository path as linked: `owner/name`, or `group/sub/name`
    /// on GitLab (case kept, `.git` removed).
    pub path: String,
    /// True when the URL is the repository root (no deeper path), so the
    /// API answer alone decides the link's status.
    pub root: bool,
}

impl ForgeRef {
    /// The name in reports: `owner/name` on GitHub (as always); elsewhere
    /// the host and path, with `datasets/` or `spaces/` for those kinds, so
    /// names never collide across forges.
    pub fn full_name(&self) -> String {
        match self.forge {
            Forge::Github => self.path.clone(),
            _ => format!("{}/{}{}", self.host, kind_prefix(self.kind), self.path),
        }
    }

    /// Case-insensitive identity: each repository is asked about once.
    pub fn key(&self) -> crate::model::RepoKey {
        crate::model::RepoKey::new(&self.full_name())
    }

    /// `(owner, name)` of a GitHub repository.
    pub fn owner_name(&self) -> (String, String) {
        let (o, n) = self.path.split_once('/').unwrap_or((&self.path, ""));
        (o.to_string(), n.to_string())
    }
}

/// `datasets/`, `spaces/` or nothing: how Hugging Face URLs name a kind.
pub fn kind_prefix(kind: RepoKind) -> &'static str {
    match kind {
        RepoKind::Dataset => "datasets/",
        RepoKind::Space => "spaces/",
        RepoKind::Model | RepoKind::Repository => "",
    }
}

/// What a forge's API answered for one repository.
#[derive(Clone, Debug, Default)]
pub struct Answer {
    pub status: u16,
    /// Hugging Face's `X-Error-Code` header (`RepoNotFound`, `GatedRepo`).
    pub error_code: Option<String>,
    /// Hugging Face's `X-Error-Message` header ("Access to this resource
    /// is disabled.", "Invalid credentials in Authorization header").
    pub error_message: Option<String>,
    pub body: String,
}

/// One forge's API: everything about it that is not I/O.
pub struct Api {
    pub forge: Forge,
    /// The API request path (after the base URL) for a repository.
    pub request: fn(&ForgeRef) -> String,
    /// The outcome an answer stands for.
    pub read: fn(&Answer, &ForgeRef) -> RepoOutcome,
}

/// The API of a forge (GitHub has its own stage).
pub fn api(forge: Forge) -> Option<&'static Api> {
    match forge {
        Forge::Huggingface => Some(&huggingface::API),
        Forge::Gitlab => Some(&gitlab::API),
        Forge::Codeberg | Forge::Gitea => Some(&gitea::API),
        Forge::Gitee => Some(&gitee::API),
        Forge::Github => None,
    }
}

/// Which links name a repository on which forge.
#[derive(Clone, Debug)]
pub struct Recognizer {
    /// Forges' audits on (`[forges] enabled`).
    forges: bool,
    gitlab_hosts: Vec<String>,
    gitea_hosts: Vec<String>,
    github_web_host: Option<String>,
}

impl Recognizer {
    pub fn new(config: &Config) -> Recognizer {
        let lower = |v: &[String]| v.iter().map(|h| normal_host(h)).collect();
        let f = &config.forges;
        let web = normal_host(&config.github.web_host);
        Recognizer {
            forges: f.enabled,
            gitlab_hosts: lower(&f.gitlab_hosts),
            gitea_hosts: lower(&f.gitea_hosts),
            github_web_host: (!web.is_empty()).then_some(web),
        }
    }

    /// The repository a URL names, on GitHub (github.com and `[github]
    /// web_host`) or, with `[forges] enabled`, on another forge.
    pub fn parse(&self, url: &str) -> Option<ForgeRef> {
        let plain = plain_host(url);
        if let Some(r) = self.parse_github(url, plain) {
            return Some(r);
        }
        if !self.forges {
            return None;
        }
        // Most links name no forge: a plainly written host says so without
        // the full URL parser (anything unusual still goes through it), and
        // a plainly written forge link is split the way the parser would.
        if let Some(h) = plain {
            if !self.is_forge_host(h) {
                return None;
            }
            if let Some(segs) = plain_segments(url) {
                return self.forge_ref(h.to_string(), &segs);
            }
        }
        let u = url::Url::parse(url).ok()?;
        if !matches!(u.scheme(), "http" | "https") {
            return None;
        }
        let host = normal_host(u.host_str()?);
        let segs: Vec<&str> = u.path_segments()?.filter(|s| !s.is_empty()).collect();
        self.forge_ref(host, &segs)
    }

    fn forge_ref(&self, host: String, segs: &[&str]) -> Option<ForgeRef> {
        let (forge, kind, path, root) = self.parse_forge(&host, segs)?;
        Some(ForgeRef {
            forge,
            kind,
            host: if forge == Forge::Huggingface {
                "huggingface.co".into()
            } else {
                host
            },
            path,
            root,
        })
    }

    /// Whether `parse_forge` knows the (normalised) host.
    fn is_forge_host(&self, host: &str) -> bool {
        matches!(
            host,
            "huggingface.co" | "hf.co" | "gitlab.com" | "codeberg.org" | "gitee.com"
        ) || self.gitlab_hosts.iter().any(|g| g == host)
            || self.gitea_hosts.iter().any(|g| g == host)
    }

    fn parse_forge(&self, host: &str, segs: &[&str]) -> Option<(Forge, RepoKind, String, bool)> {
        let repo = |forge, (path, root)| Some((forge, RepoKind::Repository, path, root));
        match host {
            "huggingface.co" | "hf.co" => {
                let (kind, path, root) = huggingface::parse_path(segs)?;
                Some((Forge::Huggingface, kind, path, root))
            }
            "gitlab.com" => repo(Forge::Gitlab, gitlab::parse_path(segs)?),
            "codeberg.org" => repo(Forge::Codeberg, gitea::parse_path(segs)?),
            "gitee.com" => repo(Forge::Gitee, gitee::parse_path(segs)?),
            h if self.gitlab_hosts.iter().any(|g| g == h) => {
                repo(Forge::Gitlab, gitlab::parse_path(segs)?)
            }
            h if self.gitea_hosts.iter().any(|g| g == h) => {
                repo(Forge::Gitea, gitea::parse_path(segs)?)
            }
            _ => None,
        }
    }

    /// `plain` is [`plain_host`] of `url`.
    fn parse_github(&self, url: &str, plain: Option<&str>) -> Option<ForgeRef> {
        // A plainly written host other than GitHub's (and the configured
        // web host) names no GitHub repository: say so without the URL
        // parser (`lab.github.io` links would otherwise reach it).
        if plain.is_some_and(|h| {
            !matches!(h, "github.com" | "raw.githubusercontent.com")
                && self.github_web_host.as_deref() != Some(h)
        }) {
            return None;
        }
        let r = crate::github::parse_repo_url(url).or_else(|| {
            let web = self.github_web_host.as_deref()?;
            let mut u = url::Url::parse(url).ok()?;
            if normal_host(u.host_str()?) != web {
                return None;
            }
            u.set_host(Some("github.com")).ok()?;
            u.set_port(None).ok()?;
            crate::github::parse_repo_url(u.as_str())
        })?;
        Some(ForgeRef {
            forge: Forge::Github,
            kind: RepoKind::Repository,
            host: "github.com".into(),
            path: r.full_name(),
            root: r.root,
        })
    }
}

/// The host of an `http(s)://` URL as `normal_host` would give it, when it
/// is plainly written (lower-case ASCII letters, digits, `-`, `.`, an
/// optional port); `None` means "ask the URL parser".
fn plain_host(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let b = rest.as_bytes();
    let end = b
        .iter()
        .position(|&c| matches!(c, b'/' | b'?' | b'#'))
        .unwrap_or(b.len());
    let authority = &rest[..end];
    let host = match memchr::memchr(b':', authority.as_bytes()) {
        Some(i) if authority.as_bytes()[i + 1..].iter().all(u8::is_ascii_digit) => &authority[..i],
        Some(_) => return None,
        None => authority,
    };
    let plain = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-' || *b == b'.';
    if host.is_empty() || !host.as_bytes().iter().all(plain) {
        return None;
    }
    let host = host.trim_end_matches('.');
    Some(host.strip_prefix("www.").unwrap_or(host))
}

/// The non-empty path segments of an `http(s)://` URL whose authority has
/// no port and whose path is plainly written (ASCII letters, digits, `-`,
/// `_`, `.`, `~`, no `.`/`..` segment), as the URL parser would give them;
/// `None` means "ask the URL parser".
fn plain_segments(url: &str) -> Option<Vec<&str>> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let b = rest.as_bytes();
    let start = b
        .iter()
        .position(|&c| matches!(c, b'/' | b'?' | b'#'))
        .unwrap_or(b.len());
    if b[..start].contains(&b':') {
        return None;
    }
    let end = b[start..]
        .iter()
        .position(|&c| matches!(c, b'?' | b'#'))
        .map_or(b.len(), |i| start + i);
    let path = &rest[start..end];
    let plain = |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~' | b'/');
    if !path.as_bytes().iter().all(plain) {
        return None;
    }
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segs.iter().any(|s| *s == "." || *s == "..") {
        return None;
    }
    Some(segs)
}

/// Lowercase, no trailing dot, no `www.`.
fn normal_host(h: &str) -> String {
    let h = h.trim().trim_end_matches('.').to_ascii_lowercase();
    h.strip_prefix("www.").map(str::to_string).unwrap_or(h)
}

/// A path segment a forge could hold as an owner or repository name:
/// letters, digits, `-`, `_`, `.`, not starting with a dot, at most 100.
pub fn valid_segment(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && !s.starts_with('.')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// `name` without a trailing `.git`.
pub fn strip_git(name: &str) -> &str {
    name.strip_suffix(".git").unwrap_or(name)
}

/// `owner/name` from the first two segments of a `host/owner/name/...`
/// link (Gitea, Codeberg, Gitee), unless the owner is one of the host's
/// own pages; the link is the root when nothing follows.
pub fn owner_name_path(segs: &[&str], reserved: &[&str]) -> Option<(String, bool)> {
    let (owner, name) = (*segs.first()?, strip_git(segs.get(1)?));
    if reserved.iter().any(|r| r.eq_ignore_ascii_case(owner))
        || !valid_segment(owner)
        || !valid_segment(name)
    {
        return None;
    }
    Some((format!("{owner}/{name}"), segs.len() == 2))
}

/// The API base URL a repository is asked at: the configured one for the
/// forge's public host, `https://HOST` for a self-hosted one; `None` when
/// that forge is turned off (`""`).
pub fn api_base(config: &ForgesConfig, r: &ForgeRef) -> Option<String> {
    let base = match (r.forge, r.host.as_str()) {
        (Forge::Huggingface, _) => config.huggingface_api.clone(),
        (Forge::Gitlab, "gitlab.com") => config.gitlab_api.clone(),
        (Forge::Codeberg, _) => config.codeberg_api.clone(),
        (Forge::Gitee, _) => config.gitee_api.clone(),
        (Forge::Gitlab | Forge::Gitea, host) => format!("https://{host}"),
        (Forge::Github, _) => return None,
    };
    let base = base.trim().trim_end_matches('/').to_string();
    (!base.is_empty()).then_some(base)
}

/// A repository-root link judged from the API answer alone (GitHub and
/// every other forge alike): found -> `ok` (or `redirected` when the
/// forge names it differently now), missing -> `broken` 404. `None` when
/// the API could not answer, or the repository is unavailable: then the
/// page itself is requested.
pub fn judge_root(outcome: &RepoOutcome, linked: &ForgeRef) -> Option<LinkResult> {
    match outcome {
        RepoOutcome::Found(info) => {
            let renamed = !info.canonical.eq_ignore_ascii_case(&linked.path);
            let mut r = if renamed {
                let mut r = LinkResult::without_request(
                    Status::Redirected,
                    format!("repository renamed to {}", info.canonical),
                );
                r.final_url = Some(info.url.clone());
                r
            } else {
                LinkResult::without_request(Status::Ok, String::new())
            };
            r.http_status = Some(200);
            Some(r)
        }
        RepoOutcome::Missing => {
            let mut r = LinkResult::without_request(
                Status::Broken,
                "repository not found (deleted, renamed away or private)",
            );
            r.http_status = Some(404);
            Some(r)
        }
        // Unavailable: the page says what a reader meets (a 451, a block
        // page), so it is checked itself.
        RepoOutcome::Unknown(_) | RepoOutcome::Unavailable(_) => None,
    }
}

/// Reads a JSON answer, or says why it could not be read.
pub fn json<T: serde::de::DeserializeOwned>(forge: Forge, body: &str) -> Result<T, String> {
    serde_json::from_str(body).map_err(|e| format!("{} API answer unreadable: {e}", forge.as_str()))
}

/// The usual reading of a status: 200 -> `found(body)`, 404 (and 410)
/// -> missing, anything else unknown with the status.
pub fn read_status(
    forge: Forge,
    answer: &Answer,
    found: impl FnOnce(&str) -> Result<crate::model::RepoInfo, String>,
) -> RepoOutcome {
    match answer.status {
        200 => match found(&answer.body) {
            Ok(info) => RepoOutcome::Found(Box::new(info)),
            Err(e) => RepoOutcome::Unknown(e.into()),
        },
        404 | 410 => RepoOutcome::Missing,
        s => RepoOutcome::Unknown(format!("{} API answered HTTP {s}", forge.as_str()).into()),
    }
}

/// The one code-host table: hosts (and their subdomains) whose links are
/// code links, besides repositories the `Recognizer` knows: other code
/// forges and model hubs. papers.csv counts them, `follow` and the archive
/// stage ask whether a paper has code with it.
pub const CODE_HOSTS: [&str; 6] = [
    "gitlab.com",
    "bitbucket.org",
    "codeberg.org",
    "sourceforge.net",
    "huggingface.co",
    "gitee.com",
];

pub fn is_code_link(url: &str, is_repo: bool) -> bool {
    if is_repo {
        return true;
    }
    // Most links of a large list are on no code host: said without parsing
    // when the host is plainly written (a plain host on a code host is
    // still confirmed by the parser below).
    if plain_host(url).is_some_and(|h| !on_code_host(h)) {
        return false;
    }
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(crate::http::normalize_host))
        .is_some_and(|h| on_code_host(&h))
}

/// True for a host (normalised) that is a code host or under one.
fn on_code_host(host: &str) -> bool {
    CODE_HOSTS.iter().any(|c| {
        host.strip_suffix(c)
            .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_links_are_repositories_and_code_hosts_with_their_subdomains() {
        assert!(is_code_link("https://example.org/x", true));
        for url in [
            "https://gitlab.com/a/b",
            "https://GitLab.com./a/b",
            "https://www.huggingface.co/m",
            "https://foo.sourceforge.net/",
        ] {
            assert!(is_code_link(url, false), "{url}");
        }
        for url in [
            "https://notgitlab.com/a/b",
            "https://gitlab.com.evil.org/a",
            "https://example.org/gitlab.com",
            "not a url",
        ] {
            assert!(!is_code_link(url, false), "{url}");
        }
    }

    /// Hosts the shortcut does not take are judged by the parser.
    #[test]
    fn code_links_written_unplainly_are_still_found() {
        for url in [
            "https:gitlab.com/a",
            "https://user@gitlab.com/a",
            "https://gitl%61b.com/a",
            "https://gitlab.com\\a",
            "https://www.gitlab.com/a",
        ] {
            assert!(is_code_link(url, false), "{url}");
        }
        assert!(!is_code_link("https://www.gitlab.com.evil.org/a", false));
    }

    fn rec() -> Recognizer {
        let mut c = Config::default();
        c.forges.gitlab_hosts = vec!["GitLab.Example.edu".into()];
        c.forges.gitea_hosts = vec!["git.example.org".into()];
        c.github.web_host = "github.example.edu".into();
        Recognizer::new(&c)
    }

    fn parsed(url: &str) -> Option<(Forge, RepoKind, String, bool)> {
        rec()
            .parse(url)
            .map(|r| (r.forge, r.kind, r.full_name(), r.root))
    }

    /// The quick host check agrees with the URL parser, and unusual hosts
    /// (upper case, user info, IDN, odd ports) still reach the parser.
    #[test]
    fn plain_hosts_agree_with_the_url_parser() {
        for url in [
            "https://www.gitlab.com/o/r",
            "http://hf.co:8080/o/m",
            "https://codeberg.org./o/r",
            "https://lab.example.org/x",
            "https://git.example.org/o/r",
            "https://gitlab.example.edu/g/p",
        ] {
            let quick = plain_host(url).map(str::to_string);
            let full = url::Url::parse(url)
                .ok()
                .and_then(|u| u.host_str().map(normal_host));
            assert_eq!(quick, full, "{url}");
        }
        for url in [
            "https://GitLab.com/o/r",
            "https://user@gitlab.com/o/r",
            "https://gitlab.com:x/o/r",
            "https://bücher.example/o/r",
            "ftp://gitlab.com/o/r",
        ] {
            assert_eq!(plain_host(url), None, "{url}");
        }
        assert!(parsed("https://GitLab.com/o/r").is_some());
        assert!(parsed("https://lab.example.org/o/r").is_none());
    }

    #[test]
    fn plain_segments_agree_with_the_url_parser() {
        for url in [
            "https://huggingface.co/datasets/o/d",
            "https://huggingface.co/o/m/",
            "https://hf.co//o//m?x=1#y",
            "http://gitlab.com/g/s/p.git/-/tree/main",
            "https://gitee.com",
            "https://codeberg.org/o/r~1#a/b",
        ] {
            let quick = plain_segments(url).expect(url);
            let u = url::Url::parse(url).unwrap();
            let full: Vec<&str> = u
                .path_segments()
                .unwrap()
                .filter(|s| !s.is_empty())
                .collect();
            assert_eq!(quick, full, "{url}");
        }
        for url in [
            "https://hf.co:443/o/m",
            "https://hf.co/o/../m",
            "https://hf.co/o/./m",
            "https://hf.co/o/m%20x",
            "https://hf.co/o\\m",
            "HTTPS://hf.co/o/m",
        ] {
            assert_eq!(plain_segments(url), None, "{url}");
        }
    }

    /// What a link should parse to: forge, kind, report name, root.
    type Want = Option<(Forge, RepoKind, &'static str, bool)>;

    fn assert_parses(table: &[(&str, Want)]) {
        for (url, want) in table {
            let want = want.map(|(f, k, n, r)| (f, k, n.to_string(), r));
            assert_eq!(parsed(url), want, "{url}");
        }
    }

    #[test]
    fn links_name_repositories_on_hugging_face() {
        use Forge::*;
        use RepoKind::*;
        assert_parses(&[
            (
                "https://huggingface.co/org/m",
                Some((Huggingface, Model, "huggingface.co/org/m", true)),
            ),
            (
                "https://huggingface.co/org/m/",
                Some((Huggingface, Model, "huggingface.co/org/m", true)),
            ),
            (
                "https://hf.co/org/m/tree/main",
                Some((Huggingface, Model, "huggingface.co/org/m", false)),
            ),
            (
                "https://www.huggingface.co/org/m/blob/main/a.py",
                Some((Huggingface, Model, "huggingface.co/org/m", false)),
            ),
            (
                "https://huggingface.co/org/m/resolve/main/w.bin",
                Some((Huggingface, Model, "huggingface.co/org/m", false)),
            ),
            (
                "https://huggingface.co/datasets/org/d",
                Some((Huggingface, Dataset, "huggingface.co/datasets/org/d", true)),
            ),
            (
                "https://huggingface.co/datasets/org/d/viewer",
                Some((Huggingface, Dataset, "huggingface.co/datasets/org/d", false)),
            ),
            (
                "https://hf.co/spaces/org/s",
                Some((Huggingface, Space, "huggingface.co/spaces/org/s", true)),
            ),
            // Owner-less (legacy) model ids, with or without a deeper path.
            (
                "https://huggingface.co/gpt2",
                Some((Huggingface, Model, "huggingface.co/gpt2", true)),
            ),
            (
                "https://huggingface.co/bert-base-uncased/tree/main",
                Some((
                    Huggingface,
                    Model,
                    "huggingface.co/bert-base-uncased",
                    false,
                )),
            ),
            (
                "https://huggingface.co/gpt2/blob/main/config.json",
                Some((Huggingface, Model, "huggingface.co/gpt2", false)),
            ),
            (
                "https://hf.co/t5-small/resolve/main/model.safetensors",
                Some((Huggingface, Model, "huggingface.co/t5-small", false)),
            ),
            // Two segments are always owner/name.
            (
                "https://huggingface.co/org/tree",
                Some((Huggingface, Model, "huggingface.co/org/tree", true)),
            ),
            ("https://huggingface.co/datasets/org", None),
            ("https://huggingface.co/datasets", None),
            ("https://huggingface.co/spaces", None),
            ("https://huggingface.co/models", None),
            ("https://huggingface.co/models?search=bert", None),
            ("https://huggingface.co/blog/some-post", None),
            ("https://huggingface.co/pricing", None),
            ("https://huggingface.co/docs/hub", None),
            ("https://huggingface.co/papers/2401.00001", None),
            ("https://huggingface.co/", None),
        ]);
    }

    #[test]
    fn links_name_repositories_on_every_other_forge() {
        use Forge::*;
        use RepoKind::*;
        assert_parses(&[
            (
                "https://gitlab.com/g/p",
                Some((Gitlab, Repository, "gitlab.com/g/p", true)),
            ),
            (
                "https://gitlab.com/g/sub/p.git",
                Some((Gitlab, Repository, "gitlab.com/g/sub/p", true)),
            ),
            (
                "https://gitlab.com/g/sub/p/-/tree/main",
                Some((Gitlab, Repository, "gitlab.com/g/sub/p", false)),
            ),
            (
                "https://gitlab.com/g/p/blob/master/x",
                Some((Gitlab, Repository, "gitlab.com/g/p", false)),
            ),
            ("https://gitlab.com/explore/projects", None),
            ("https://gitlab.com/g", None),
            (
                "https://gitlab.example.edu/g/p",
                Some((Gitlab, Repository, "gitlab.example.edu/g/p", true)),
            ),
            (
                "https://codeberg.org/o/r",
                Some((Codeberg, Repository, "codeberg.org/o/r", true)),
            ),
            (
                "https://codeberg.org/o/r/src/branch/main",
                Some((Codeberg, Repository, "codeberg.org/o/r", false)),
            ),
            ("https://codeberg.org/explore/repos", None),
            (
                "https://git.example.org/o/r",
                Some((Gitea, Repository, "git.example.org/o/r", true)),
            ),
            (
                "https://gitee.com/o/r",
                Some((Gitee, Repository, "gitee.com/o/r", true)),
            ),
            (
                "https://gitee.com/o/r/tree/master",
                Some((Gitee, Repository, "gitee.com/o/r", false)),
            ),
            ("https://gitee.com/explore/ai", None),
            (
                "https://github.com/o/r",
                Some((Github, Repository, "o/r", true)),
            ),
            (
                "https://github.example.edu/o/r/tree/x",
                Some((Github, Repository, "o/r", false)),
            ),
            ("https://example.org/o/r", None),
            ("ftp://gitlab.com/g/p", None),
        ]);
    }

    #[test]
    fn forges_off_leaves_only_github() {
        let mut c = Config::default();
        c.forges.enabled = false;
        let r = Recognizer::new(&c);
        assert!(r.parse("https://huggingface.co/org/m").is_none());
        assert!(r.parse("https://github.com/o/r").is_some());
    }

    #[test]
    fn roots_are_judged_from_the_answer() {
        let r = rec().parse("https://gitlab.com/g/p").unwrap();
        let found = |canonical: &str| {
            RepoOutcome::Found(Box::new(crate::model::RepoInfo {
                canonical: canonical.into(),
                url: "https://gitlab.com/g/q".into(),
                ..Default::default()
            }))
        };
        assert_eq!(judge_root(&found("G/P"), &r).unwrap().status, Status::Ok);
        let moved = judge_root(&found("g/q"), &r).unwrap();
        assert_eq!(moved.status, Status::Redirected);
        assert_eq!(moved.final_url.as_deref(), Some("https://gitlab.com/g/q"));
        let gone = judge_root(&RepoOutcome::Missing, &r).unwrap();
        assert_eq!((gone.status, gone.http_status), (Status::Broken, Some(404)));
        assert!(judge_root(&RepoOutcome::Unknown("x".into()), &r).is_none());
    }

    #[test]
    fn root_judgements_carry_the_status_and_words_of_a_page_check() {
        let r = rec().parse("https://github.com/old/name").unwrap();
        let found = |canonical: &str| {
            RepoOutcome::Found(Box::new(crate::model::RepoInfo {
                canonical: canonical.into(),
                url: format!("https://github.com/{canonical}"),
                ..Default::default()
            }))
        };
        let same = judge_root(&found("Old/Name"), &r).unwrap();
        assert_eq!(same.status, Status::Ok);
        assert_eq!(same.http_status, Some(200));
        assert_eq!(same.final_url, None);
        assert!(same.error.is_empty(), "{}", same.error);
        let moved = judge_root(&found("new/name"), &r).unwrap();
        assert_eq!(moved.http_status, Some(200));
        assert_eq!(
            moved.final_url.as_deref(),
            Some("https://github.com/new/name")
        );
        assert_eq!(moved.error, "repository renamed to new/name");
        let gone = judge_root(&RepoOutcome::Missing, &r).unwrap();
        assert_eq!(
            gone.error,
            "repository not found (deleted, renamed away or private)"
        );
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics_and_names_are_clean(s in "\\PC{0,80}") {
            for url in [s.clone(), format!("https://huggingface.co/{s}"), format!("https://gitlab.com/{s}")] {
                if let Some(r) = rec().parse(&url) {
                    proptest::prop_assert!(r.path.split('/').all(valid_segment));
                }
            }
        }
    }
}
