//! Which URLs name a GitHub repository: `parse_repo_url` and the rules for
//! owner and repository names. Pure string work: never does any I/O.

use super::RepoRef;

/// First path segments of `github.com` that are GitHub's own pages, never a
/// user or organisation, so `github.com/WORD/...` is not a repository.
/// GitHub reserves these names (nobody can register them as a login); the
/// list holds the ones that appear in links in practice. Compared
/// case-insensitively.
pub const NON_REPOSITORY_PAGES: &[&str] = &[
    "about",
    "account",
    "advisories",
    "apps",
    "blog",
    "codespaces",
    "collections",
    "contact",
    "copilot",
    "customer-stories",
    "dashboard",
    "discussions",
    "education",
    "enterprise",
    "enterprises",
    "events",
    "explore",
    "features",
    "github-copilot",
    "home",
    "issues",
    "join",
    "login",
    "logout",
    "marketplace",
    "mobile",
    "new",
    "nonprofit",
    "notifications",
    "open-source",
    "organizations",
    "orgs",
    "partners",
    "password_reset",
    "premium-support",
    "pricing",
    "pulls",
    "readme",
    "resources",
    "search",
    "security",
    "sessions",
    "settings",
    "showcases",
    "signup",
    "site",
    "sitemap",
    "solutions",
    "sponsors",
    "stars",
    "team",
    "topics",
    "trending",
    "users",
    "watching",
    "why-github",
];

/// The repository a URL points into, if any.
///
/// Accepted: `http`/`https` (or no scheme), host `github.com` or
/// `www.github.com` in any case (a trailing dot is allowed), path
/// `/OWNER/REPO[.git][/deeper/path]`, any query and fragment; and
/// `raw.githubusercontent.com/OWNER/REPO/...` (never a root).
///
/// `root` is true when nothing follows `OWNER/REPO` in the path: a trailing
/// slash, a `.git` suffix, a query (`?tab=readme`) or a fragment
/// (`#readme`) still count as the root, since GitHub shows the repository
/// home page for all of them. Any further path segment (`/tree/...`,
/// `/blob/...`, `/issues/7`, `/releases`) makes it a deeper link.
///
/// Not repositories: GitHub's own first-level pages
/// ([`NON_REPOSITORY_PAGES`]), user-only URLs (`github.com/OWNER`), gists,
/// `OWNER.github.io` project pages, and names GitHub would not accept.
pub fn parse_repo_url(url: &str) -> Option<RepoRef> {
    let url = url.trim();
    // Fast no for the common case: every repository URL names "github"
    // (github.com or raw.githubusercontent.com) in some letter case.
    if !url
        .as_bytes()
        .windows(6)
        .any(|w| w.eq_ignore_ascii_case(b"github"))
    {
        return None;
    }
    if let Some((raw, path)) = plain_github_url(url) {
        return repo_from_path(raw, path.split('/'));
    }
    parse_repo_url_slow(url)
}

/// The URL parser's way: any form the fast path leaves alone.
fn parse_repo_url_slow(url: &str) -> Option<RepoRef> {
    let parsed = if url.contains("://") {
        url::Url::parse(url).ok()?
    } else {
        url::Url::parse(&format!("https://{url}")).ok()?
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let host = parsed.host_str()?.to_ascii_lowercase();
    let host = host.strip_suffix('.').unwrap_or(&host);
    let raw = match host {
        "github.com" | "www.github.com" => false,
        "raw.githubusercontent.com" => true,
        _ => return None,
    };
    repo_from_path(raw, parsed.path_segments()?)
}

/// Fast path for the common spelling, `http(s)://github.com/...` in plain
/// characters the URL parser would keep as they are: returns (raw host?,
/// path without its leading `/`), or `None` to leave the URL to the parser
/// (ports, user info, percent escapes, dot segments, characters it would
/// encode or strip). Property-tested against the parser below.
fn plain_github_url(url: &str) -> Option<(bool, &str)> {
    let b = url.as_bytes();
    let after_scheme = if b.len() >= 8 && b[..8].eq_ignore_ascii_case(b"https://") {
        &url[8..]
    } else if b.len() >= 7 && b[..7].eq_ignore_ascii_case(b"http://") {
        &url[7..]
    } else {
        return None;
    };
    let host_end = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    let (host, rest) = after_scheme.split_at(host_end);
    let raw =
        if host.eq_ignore_ascii_case("github.com") || host.eq_ignore_ascii_case("www.github.com") {
            false
        } else if host.eq_ignore_ascii_case("raw.githubusercontent.com") {
            true
        } else {
            return None;
        };
    let path_end = rest.find(['?', '#']).unwrap_or(rest.len());
    let path = &rest[..path_end];
    let plain = |c: u8| c.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&c);
    if !url.bytes().all(|c| c > b' ' && c < 0x7f && c != b'\\')
        || !path.bytes().all(plain)
        || path.split('/').any(|s| s == "." || s == "..")
    {
        return None;
    }
    Some((raw, path.strip_prefix('/').unwrap_or(path)))
}

/// The repository named by a path's segments (after the host).
fn repo_from_path<'a>(raw: bool, mut segments: impl Iterator<Item = &'a str>) -> Option<RepoRef> {
    let owner = segments.next()?;
    let name = segments.next()?;
    let deeper = segments.any(|s| !s.is_empty());
    if !raw
        && NON_REPOSITORY_PAGES
            .iter()
            .any(|p| p.eq_ignore_ascii_case(owner))
    {
        return None;
    }
    let name = strip_git_suffix(name);
    if !valid_owner(owner) || !valid_name(name) {
        return None;
    }
    Some(RepoRef {
        owner: owner.to_string(),
        name: name.to_string(),
        root: !raw && !deeper,
    })
}

/// `Repo.git` -> `Repo` (any case of `.git`).
fn strip_git_suffix(name: &str) -> &str {
    let n = name.len();
    if n > 4 && name.is_char_boundary(n - 4) && name[n - 4..].eq_ignore_ascii_case(".git") {
        &name[..n - 4]
    } else {
        name
    }
}

/// A GitHub login (user or organisation): 1-39 ASCII letters, digits and
/// hyphens, not starting with a hyphen. (New logins may not end with a
/// hyphen or hold `--`, but some old ones do, so those are accepted.)
pub fn valid_owner(owner: &str) -> bool {
    (1..=39).contains(&owner.len())
        && !owner.starts_with('-')
        && owner
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A repository name: 1-100 ASCII letters, digits, `.`, `-` and `_`, and
/// none of `.`, `..`, `.git` (reserved by GitHub).
pub fn valid_name(name: &str) -> bool {
    (1..=100).contains(&name.len())
        && name != "."
        && name != ".."
        && !name.eq_ignore_ascii_case(".git")
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The fast path agrees with the URL parser wherever it answers.
        #[test]
        fn fast_path_agrees_with_the_parser(url in "(https?|HTTPS|Http)://(github\\.com|GitHub\\.COM|www\\.github\\.com|raw\\.githubusercontent\\.com|github\\.com\\.|github\\.com:443|u@github\\.com|gist\\.github\\.com)(/[a-zA-Z0-9._%~ @:!$+=|^\\[\\]\\\\-]{0,10}){0,4}/?(\\?[a-z=/.]{0,6})?(#[a-z/]{0,4})?") {
            let fast = plain_github_url(&url).map(|(raw, path)| repo_from_path(raw, path.split('/')));
            if let Some(fast) = fast {
                proptest::prop_assert_eq!(fast, parse_repo_url_slow(&url), "{}", url);
            }
        }
    }

    proptest::proptest! {
        /// Plain URLs: the fast path answers, and as the parser would.
        #[test]
        fn fast_path_answers_plain_urls_as_the_parser(url in "https?://(github\\.com|WWW\\.github\\.com|raw\\.githubusercontent\\.com)(/[a-zA-Z0-9._~-]{0,10}){0,4}/?(\\?[a-z=]{0,4})?(#[a-z]{0,3})?") {
            // Dot segments are the parser's to resolve.
            proptest::prop_assume!(!url.split(['/', '?', '#']).any(|s| s == "." || s == ".."));
            let (raw, path) = plain_github_url(&url).expect("plain URL takes the fast path");
            proptest::prop_assert_eq!(repo_from_path(raw, path.split('/')), parse_repo_url_slow(&url), "{}", url);
        }
    }

    #[test]
    fn common_spellings_take_the_fast_path() {
        for url in [
            "https://github.com/openai/CLIP",
            "http://GitHub.com/a/b/tree/main/src?x=1#readme",
            "https://raw.githubusercontent.com/a/b/main/README.md",
        ] {
            assert!(plain_github_url(url).is_some(), "{url}");
        }
        for url in [
            "https://github.com:443/a/b",
            "https://github.com/a/%62",
            "https://github.com/a/./b",
            "https://github.com./a/b",
            "github.com/a/b",
        ] {
            assert!(plain_github_url(url).is_none(), "{url}");
        }
    }

    fn repo(url: &str) -> Option<(String, String, bool)> {
        parse_repo_url(url).map(|r| (r.owner, r.name, r.root))
    }

    fn root(o: &str, n: &str) -> Option<(String, String, bool)> {
        Some((o.into(), n.into(), true))
    }

    fn deep(o: &str, n: &str) -> Option<(String, String, bool)> {
        Some((o.into(), n.into(), false))
    }

    #[test]
    fn root_forms() {
        assert_eq!(repo("https://github.com/lab/Repo"), root("lab", "Repo"));
        assert_eq!(repo("http://github.com/lab/Repo"), root("lab", "Repo"));
        assert_eq!(repo("https://www.github.com/lab/Repo"), root("lab", "Repo"));
        assert_eq!(repo("HTTPS://GitHub.COM/Lab/Repo"), root("Lab", "Repo"));
        assert_eq!(repo("https://WWW.GITHUB.COM/lab/Repo"), root("lab", "Repo"));
        assert_eq!(repo("https://github.com/lab/Repo/"), root("lab", "Repo"));
        assert_eq!(
            repo("https://github.com/user/Model.git"),
            root("user", "Model")
        );
        assert_eq!(
            repo("https://github.com/user/Model.GIT"),
            root("user", "Model")
        );
        assert_eq!(
            repo("https://github.com/user/Model.git/"),
            root("user", "Model")
        );
        assert_eq!(
            repo("https://github.com/lab/Repo?tab=readme"),
            root("lab", "Repo")
        );
        assert_eq!(
            repo("https://github.com/lab/Repo#readme"),
            root("lab", "Repo")
        );
        assert_eq!(repo("https://github.com./lab/Repo"), root("lab", "Repo"));
        assert_eq!(repo("github.com/lab/Repo"), root("lab", "Repo"));
        assert_eq!(repo("www.github.com/lab/Repo"), root("lab", "Repo"));
        assert_eq!(repo("  https://github.com/lab/Repo  "), root("lab", "Repo"));
        assert_eq!(repo("https://github.com:443/lab/Repo"), root("lab", "Repo"));
    }

    #[test]
    fn names_with_dots_dashes_underscores() {
        assert_eq!(
            repo("https://github.com/a-b/c.d_e-f"),
            root("a-b", "c.d_e-f")
        );
        assert_eq!(
            repo("https://github.com/facebookresearch/detectron2"),
            root("facebookresearch", "detectron2")
        );
        assert_eq!(
            repo("https://github.com/user/user.github.io"),
            root("user", "user.github.io")
        );
        // `.git` alone is not stripped down to nothing.
        assert_eq!(repo("https://github.com/user/.git"), None);
    }

    #[test]
    fn deeper_forms() {
        assert_eq!(
            repo("https://github.com/lab/Repo/tree/main/src"),
            deep("lab", "Repo")
        );
        assert_eq!(
            repo("https://github.com/lab/Repo/blob/main/README.md"),
            deep("lab", "Repo")
        );
        assert_eq!(
            repo("https://github.com/lab/Repo/issues/7"),
            deep("lab", "Repo")
        );
        assert_eq!(
            repo("https://github.com/lab/Repo/releases"),
            deep("lab", "Repo")
        );
        assert_eq!(
            repo("https://github.com/lab/Repo/releases/tag/v1.0?x=1#y"),
            deep("lab", "Repo")
        );
        assert_eq!(
            repo("https://github.com/lab/Repo.git/tree/x"),
            deep("lab", "Repo")
        );
        assert_eq!(
            repo("https://github.com/lab/Repo/wiki/"),
            deep("lab", "Repo")
        );
    }

    #[test]
    fn raw_githubusercontent_counts_but_is_never_root() {
        assert_eq!(
            repo("https://raw.githubusercontent.com/lab/Repo/main/data.csv"),
            deep("lab", "Repo")
        );
        assert_eq!(
            repo("https://raw.githubusercontent.com/lab/Repo"),
            deep("lab", "Repo")
        );
        assert_eq!(repo("https://raw.githubusercontent.com/lab"), None);
    }

    #[test]
    fn github_pages_are_not_repositories() {
        for page in [
            "https://github.com/features/copilot",
            "https://github.com/topics/deep-learning",
            "https://github.com/orgs/openai/repositories",
            "https://github.com/sponsors/someone",
            "https://github.com/marketplace/actions/checkout",
            "https://github.com/about/careers",
            "https://github.com/settings/tokens",
            "https://github.com/login/oauth",
            "https://github.com/apps/dependabot",
            "https://github.com/explore/repos",
            "https://github.com/collections/machine-learning",
            "https://github.com/trending/python",
            "https://github.com/pricing/plans",
            "https://github.com/enterprise/trial",
            "https://github.com/site/terms",
            "https://github.com/security/advisories",
            "https://github.com/customer-stories/x",
            "https://github.com/readme/guides",
            "https://github.com/users/someone/projects",
            "https://github.com/search/advanced",
            "https://GitHub.com/Topics/rust",
        ] {
            assert_eq!(repo(page), None, "{page}");
        }
    }

    #[test]
    fn user_only_and_other_hosts_are_not_repositories() {
        for url in [
            "https://github.com/someone",
            "https://github.com/someone/",
            "https://github.com/someone?tab=repositories",
            "https://github.com/",
            "https://github.com",
            "https://someone.github.io/Project",
            "https://someone.github.io/Project/",
            "https://gist.github.com/someone/abc123",
            "https://api.github.com/repos/a/b",
            "https://gitlab.com/a/b",
            "https://notgithub.com/a/b",
            "https://github.com.evil.example/a/b",
            "ftp://github.com/a/b",
            "mailto:someone@github.com",
            "",
            "not a url",
        ] {
            assert_eq!(repo(url), None, "{url}");
        }
    }

    #[test]
    fn invalid_names_are_rejected() {
        for url in [
            "https://github.com/-lead/repo",
            "https://github.com/under_score/repo",
            "https://github.com/a.b/repo",
            "https://github.com/owner/re%20po",
            "https://github.com/owner/re po",
            "https://github.com/owner/..",
            "https://github.com/owner/repo{Text}",
            "https://github.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/repo",
        ] {
            assert_eq!(repo(url), None, "{url}");
        }
        assert!(valid_owner("a-b-9"));
        assert!(valid_name(&"x".repeat(100)));
        assert!(!valid_name(&"x".repeat(101)));
    }

    #[test]
    fn full_name_and_key() {
        let r = parse_repo_url("https://github.com/Lab/Repo.git").unwrap();
        assert_eq!(r.full_name(), "Lab/Repo");
        assert_eq!(r.key(), "lab/repo");
    }
}
