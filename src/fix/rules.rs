//! Which URL a link becomes under `paperlinks fix` (issue 25), decided from
//! one links.csv row and the renamed repositories of repos.csv alone.
//!
//! Owns the rules: (a) a renamed repository's link gets the forge's
//! canonical name, the rest of the path kept; (b) a chain of permanent
//! redirects only (301/308) ending on the same site at a page that is not
//! the root gives its final URL (`remap` undone first); (c) with
//! `--archived`, a broken code link with an archived copy gets the copy.
//! Pure: never reads a file, never makes a request.

use crate::config::parse_remap_rule;
use crate::model::{RepoKey, RepoRow, Role, Status};
use crate::rows::LinkRecord;
use crate::words::word_enum;
use regex::Regex;
use std::collections::HashMap;

word_enum! {
    /// Why a link is rewritten.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Rule: "fix rule" {
        Renamed = "renamed repository",
        Redirect = "permanent redirect",
        Archived = "archived copy",
    }
}

/// What the rules look at in one links.csv row.
#[derive(Clone, Debug)]
pub struct Facts<'a> {
    pub url: &'a str,
    pub repo: &'a str,
    pub status: Status,
    pub role: Role,
    pub final_url: &'a str,
    pub chain_len: usize,
    /// `None` when the row's codes are unreadable.
    pub codes: Option<Vec<u16>>,
    pub archived_copy: &'a str,
    pub found_via: &'a str,
}

impl Default for Facts<'_> {
    fn default() -> Self {
        Facts {
            url: "",
            repo: "",
            status: Status::Unchecked,
            role: Role::default(),
            final_url: "",
            chain_len: 0,
            codes: None,
            archived_copy: "",
            found_via: "",
        }
    }
}

impl<'a> Facts<'a> {
    /// A row of the run being written (the summary's count).
    pub fn of_row(row: &crate::model::LinkRow<'a>) -> Self {
        let r = row.result;
        Facts {
            url: row.url,
            repo: row.repo,
            status: r.map_or(Status::Unchecked, |r| r.status),
            role: row.role,
            final_url: r.and_then(|r| r.final_url.as_deref()).unwrap_or(""),
            chain_len: r.map_or(0, |r| r.redirect_chain.len()),
            codes: Some(r.map(|r| r.hop_codes().to_vec()).unwrap_or_default()),
            archived_copy: row.archive.map_or("", |a| a.copy.as_str()),
            found_via: row.found_via,
        }
    }

    pub fn of(rec: &'a LinkRecord<'_>) -> Self {
        Facts {
            url: &rec.url,
            repo: &rec.repo,
            status: rec.status,
            role: rec.role,
            final_url: &rec.final_url,
            chain_len: rec.chain().len(),
            codes: rec.codes(),
            archived_copy: &rec.archived_copy,
            found_via: &rec.found_via,
        }
    }
}

/// The rules of one `fix` run.
pub struct Rules {
    /// Renamed repositories: key -> (linked path, canonical name).
    renamed: HashMap<RepoKey, (String, String)>,
    remaps: Vec<(Regex, String)>,
    archived: bool,
}

impl Rules {
    /// `remap`: the `[check] remap` rules (invalid ones are skipped: the
    /// config was validated when loaded).
    pub fn new<'r>(
        repos: impl IntoIterator<Item = &'r RepoRow>,
        remap: &[String],
        archived: bool,
    ) -> Self {
        let renamed = repos
            .into_iter()
            .filter_map(|r| {
                let to = r.renamed_to()?;
                Some((r.key(), (r.linked_path().to_string(), to.to_string())))
            })
            .collect();
        let remaps = remap
            .iter()
            .filter_map(|r| parse_remap_rule(r).ok())
            .collect();
        Rules {
            renamed,
            remaps,
            archived,
        }
    }

    /// The URL `link` becomes, and why; `None` to leave it. Of the
    /// occurrence's own cells only `role` and `found_via` count: the rest
    /// follow from its URL (the run's tally decides once per URL and role).
    pub fn rewrite(&self, link: &Facts<'_>) -> Option<(String, Rule)> {
        if !link.found_via.is_empty() {
            return None;
        }
        if let Some((linked, to)) = (!link.repo.is_empty())
            .then(|| self.renamed.get(&RepoKey::new(link.repo)))
            .flatten()
            && let Some(url) = rename_url(link.url, linked, to)
        {
            return Some((url, Rule::Renamed)).filter(|(u, _)| u != link.url);
        }
        if self.archived
            && link.status == Status::Broken
            && link.role == Role::Code
            && !link.archived_copy.is_empty()
        {
            return Some((link.archived_copy.to_string(), Rule::Archived));
        }
        self.redirect(link).map(|u| (u, Rule::Redirect))
    }

    fn redirect(&self, link: &Facts<'_>) -> Option<String> {
        let codes = link.codes.as_deref()?;
        let permanent = !codes.is_empty()
            && codes.len() == link.chain_len
            && codes.iter().all(|c| matches!(c, 301 | 308));
        if !permanent || link.final_url.is_empty() || !link.status.is_success() {
            return None;
        }
        let to = self.unremap(link.url, link.final_url)?;
        let (from, target) = (url::Url::parse(link.url).ok()?, url::Url::parse(&to).ok()?);
        let root = target.path() == "/" && target.query().is_none();
        (same_site(&from, &target) && !root && to != link.url).then_some(to)
    }

    /// `final_url` as the link's own host would have it: when `remap` sent
    /// `url` elsewhere, the remapped prefix is replaced by the link's own
    /// (the longest common suffix, cut at a `/`, is the part remap kept);
    /// `None` when the final URL is not under that prefix.
    fn unremap(&self, url: &str, final_url: &str) -> Option<String> {
        let Some((re, rep)) = self.remaps.iter().find(|(re, _)| re.is_match(url)) else {
            return Some(final_url.to_string());
        };
        let mapped = re.replace(url, rep.as_str());
        let common = url
            .bytes()
            .rev()
            .zip(mapped.bytes().rev())
            .take_while(|(a, b)| a == b)
            .count();
        let tail = &url[url.len() - common..];
        let keep = tail.find('/').map_or(0, |i| tail.len() - i);
        let (own, remapped) = (&url[..url.len() - keep], &mapped[..mapped.len() - keep]);
        let rest = final_url.strip_prefix(remapped)?;
        (rest.is_empty() || rest.starts_with(['/', '?', '#'])).then(|| format!("{own}{rest}"))
    }
}

/// Same host, a leading `www.` aside (a conservative stand-in for "same
/// registrable domain": no public-suffix list is consulted).
fn same_site(a: &url::Url, b: &url::Url) -> bool {
    let host = |u: &url::Url| {
        let h = u.host_str().unwrap_or("").to_ascii_lowercase();
        h.strip_prefix("www.").map(str::to_string).unwrap_or(h)
    };
    let (ha, hb) = (host(a), host(b));
    if ha.is_empty() || ha != hb {
        return false;
    }
    let upgrade = a.scheme() == "http" && b.scheme() == "https" && a.port().is_none();
    upgrade || a.port_or_known_default() == b.port_or_known_default()
}

/// `url` with the path segments naming `linked` (after the host, or after
/// one segment such as `datasets/`) replaced by `to`; a `.git` suffix and
/// everything after the name are kept.
pub fn rename_url(url: &str, linked: &str, to: &str) -> Option<String> {
    let after_scheme = url.find("://")? + 3;
    let path_at = url[after_scheme..].find('/').map(|i| after_scheme + i)?;
    let path_end = url[path_at..]
        .find(['?', '#'])
        .map_or(url.len(), |i| path_at + i);
    let mut segs = Vec::new();
    let mut at = path_at + 1;
    for s in url[path_at + 1..path_end].split('/') {
        segs.push((at, at + s.len()));
        at += s.len() + 1;
    }
    let want: Vec<&str> = linked.split('/').collect();
    for skip in 0..=1 {
        let Some(run) = segs.get(skip..skip + want.len()) else {
            break;
        };
        let matches = run.iter().zip(&want).enumerate().all(|(i, (&(a, b), w))| {
            let seg = &url[a..b];
            let seg = if i + 1 == want.len() {
                seg.strip_suffix(".git").unwrap_or(seg)
            } else {
                seg
            };
            seg.eq_ignore_ascii_case(w)
        });
        if matches {
            let (start, mut end) = (run[0].0, run[want.len() - 1].1);
            if url[..end].ends_with(".git") && !want.last()?.ends_with(".git") {
                end -= 4;
            }
            return Some(format!("{}{to}{}", &url[..start], &url[end..]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(remap: &[&str]) -> Rules {
        let remap: Vec<String> = remap.iter().map(|s| s.to_string()).collect();
        Rules::new([], &remap, true)
    }

    fn redirect<'a>(url: &'a str, to: &'a str, codes: &[u16]) -> Facts<'a> {
        Facts {
            url,
            status: Status::Redirected,
            final_url: to,
            chain_len: codes.len(),
            codes: Some(codes.to_vec()),
            ..Facts::default()
        }
    }

    #[test]
    fn renamed_keeps_the_rest_of_the_path() {
        let u = rename_url(
            "https://github.com/Old/repo/tree/main/models#readme",
            "old/repo",
            "new-org/repo2",
        );
        assert_eq!(
            u.as_deref(),
            Some("https://github.com/new-org/repo2/tree/main/models#readme")
        );
        let u = rename_url("https://github.com/old/repo.git", "old/repo", "n/r");
        assert_eq!(u.as_deref(), Some("https://github.com/n/r.git"));
        let u = rename_url(
            "https://huggingface.co/datasets/o/d/tree/main",
            "o/d",
            "o2/d2",
        );
        assert_eq!(
            u.as_deref(),
            Some("https://huggingface.co/datasets/o2/d2/tree/main")
        );
        assert_eq!(
            rename_url("https://github.com/other/repo", "old/repo", "n/r"),
            None
        );
    }

    #[test]
    fn redirect_rules() {
        let r = rules(&[]);
        let a = "http://lab.example.org/old";
        let to = |f: Facts<'_>| r.rewrite(&f).map(|(u, _)| u);
        assert_eq!(
            to(redirect(a, "http://lab.example.org/new", &[301, 301])).as_deref(),
            Some("http://lab.example.org/new")
        );
        assert_eq!(
            to(redirect(a, "http://www.lab.example.org/new", &[308])).as_deref(),
            Some("http://www.lab.example.org/new")
        );
        assert_eq!(
            to(redirect(a, "https://lab.example.org/old", &[301])).as_deref(),
            Some("https://lab.example.org/old")
        );
        assert_eq!(to(redirect(a, "http://lab.example.org/new", &[302])), None);
        assert_eq!(
            to(redirect(a, "http://lab.example.org/new", &[301, 302])),
            None
        );
        assert_eq!(to(redirect(a, "http://lab.example.org/", &[301])), None);
        assert_eq!(
            to(redirect(a, "http://other.example.net/new", &[301])),
            None
        );
        // Codes unknown (an older report): left alone.
        let mut f = redirect(a, "http://lab.example.org/new", &[301]);
        f.codes = Some(vec![]);
        assert_eq!(to(f), None);
    }

    #[test]
    fn remap_is_undone_and_never_written() {
        let r = rules(&["^https://lab\\.example\\.org/(.*) http://127.0.0.1:9/$1"]);
        let a = "https://lab.example.org/old";
        let f = redirect(a, "http://127.0.0.1:9/new/page", &[301]);
        assert_eq!(
            r.rewrite(&f).map(|(u, _)| u).as_deref(),
            Some("https://lab.example.org/new/page")
        );
        let f = redirect(a, "http://127.0.0.1:99/new", &[301]);
        assert_eq!(r.rewrite(&f), None);
        let f = redirect(a, "http://127.0.0.1:9/", &[301]);
        assert_eq!(r.rewrite(&f), None, "the root, with remap undone");
    }

    #[test]
    fn archived_only_for_broken_code_with_a_copy() {
        let mut f = Facts {
            url: "https://gitlab.example.org/a/b",
            status: Status::Broken,
            role: Role::Code,
            archived_copy: "https://archive.softwareheritage.org/swh:1:dir:x",
            ..Facts::default()
        };
        assert_eq!(rules(&[]).rewrite(&f).map(|(_, r)| r), Some(Rule::Archived));
        assert_eq!(Rules::new([], &[], false).rewrite(&f), None);
        f.archived_copy = "";
        assert_eq!(rules(&[]).rewrite(&f), None);
    }
}
