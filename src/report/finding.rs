//! What a finding is called and how it is told, for the outputs that list
//! findings one by one (SARIF, JUnit): one rule per link status word
//! (`broken-link`, `timeout-link`, ...) and per repository health word
//! (`missing-repository`, `archived-repository`, ...) plus
//! `renamed-repository`, each with a description and help text, and the
//! message of one link occurrence or repository.
//!
//! Decides nothing about severity (the caller passes the level in) and
//! never does I/O.

use crate::model::{Health, LinkResult, LinkRow, RepoRow, Status};

/// One rule: a kind of finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// `broken-link`, `missing-repository`, ...: a contract, like the words.
    pub id: &'static str,
    /// One line: what was found.
    pub short: &'static str,
    /// What it means and what to do about it.
    pub help: &'static str,
}

/// Every rule, in a fixed order (a SARIF `ruleIndex` points into it):
/// one per status word (`Status::ALL` order), one per health word
/// (`Health::ALL` order), then `renamed-repository`.
pub const RULES: [Rule; 20] = [
    rule(
        "ok-link",
        "The link answers.",
        "Listed only when `ok` is in `[ci] fail_on`.",
    ),
    rule(
        "redirected-link",
        "The link permanently redirects (301/308) to another URL.",
        "Replace the link with the address it redirects to, so that readers do not depend on the old one staying alive.",
    ),
    rule(
        "broken-link",
        "The link is dead: 404, 410 or another 4xx answer.",
        "Find where the page went (the project's new home, an archived copy) and update the link, or remove it.",
    ),
    rule(
        "blocked-link",
        "The server refused the check (401, 403, 407, 429 after retries, 999).",
        "Not proof that the link is dead: the site refuses automated clients. Open it in a browser; if it works, add it to `[check] exclude`.",
    ),
    rule(
        "error-link",
        "The server failed (5xx after retries), redirected too often, or answered garbage.",
        "Often temporary. If it persists over several runs, the site is down or misconfigured.",
    ),
    rule(
        "timeout-link",
        "No answer within `[check] timeout_secs`.",
        "The host is slow or unreachable. Check again later, or raise `[check] timeout_secs`.",
    ),
    rule(
        "network-error-link",
        "The host could not be reached: DNS, connection or TLS failure.",
        "A host name that no longer resolves usually means the site is gone for good; a TLS failure means its certificate is broken.",
    ),
    rule(
        "excluded-link",
        "The link matches `[check] exclude` or points at a private address.",
        "Listed only when `excluded` is in `[ci] fail_on`.",
    ),
    rule(
        "invalid-link",
        "Not a usable http(s) URL once cleaned; never requested.",
        "Fix the link's spelling in the input (a stray character, a missing scheme, a line break inside it).",
    ),
    rule(
        "unchecked-link",
        "The run was interrupted before this link was checked.",
        "Run the check again to judge it.",
    ),
    rule(
        "missing-repository",
        "The GitHub repository does not exist (deleted, or private).",
        "Ask the authors where the code went, link a fork or an archived copy, or remove the link.",
    ),
    rule(
        "archived-repository",
        "The GitHub repository is archived: read-only, no longer maintained.",
        "The code is still there; readers should know that nobody answers issues.",
    ),
    rule(
        "empty-repository",
        "The GitHub repository has no commits at all.",
        "The promised code was never pushed. Ask the authors, or remove the link.",
    ),
    rule(
        "placeholder-repository",
        "The GitHub repository has commits but no code in any language GitHub detects.",
        "Usually a README promising code \"coming soon\". Check whether the code was published elsewhere.",
    ),
    rule(
        "stale-repository",
        "No push for longer than `[github] stale_after_days`.",
        "The code may no longer run with current dependencies.",
    ),
    rule(
        "active-repository",
        "The GitHub repository is active.",
        "Listed only when `active` is in `[ci] fail_on`.",
    ),
    rule(
        "unknown-repository",
        "GitHub could not be asked about the repository (rate limit, API failure, audit disabled).",
        "Set a token (GITHUB_TOKEN) or run again later; the reason is in the message.",
    ),
    rule(
        "failing-repository",
        "The Hugging Face Space does not run: its runtime stage is a build, runtime or configuration error.",
        "Fix the Space (see its logs on Hugging Face) or link a working demo.",
    ),
    rule(
        "unavailable-repository",
        "The forge holds the repository but refuses to serve it: a DMCA takedown or terms-of-service block on GitHub, access disabled on Hugging Face.",
        "The code cannot be reached there; the reason is in `error`. Link an archived copy or another home of the code.",
    ),
    rule(
        "renamed-repository",
        "The GitHub repository was renamed or moved; the link works through a redirect.",
        "Update the link to the repository's current name.",
    ),
];

const fn rule(id: &'static str, short: &'static str, help: &'static str) -> Rule {
    Rule { id, short, help }
}

/// The index into [`RULES`] of a link status.
pub fn link_rule(status: Status) -> usize {
    Status::ALL
        .iter()
        .position(|&s| s == status)
        .expect("every status is in Status::ALL")
}

/// The index into [`RULES`] of a repository finding: its health word, or
/// `renamed-repository` for an active repository under a new name.
pub fn repo_rule(repo: &RepoRow) -> usize {
    if repo.health == Health::Active && is_renamed(repo) {
        return RULES.len() - 1;
    }
    Status::ALL.len()
        + Health::ALL
            .iter()
            .position(|&h| h == repo.health)
            .expect("every health word is in Health::ALL")
}

/// True when the forge knows the repository under another name (the one
/// rule, `RepoRow::renamed_to`: case-folded, host aside).
pub fn is_renamed(repo: &RepoRow) -> bool {
    repo.renamed_to().is_some()
}

/// `broken (HTTP 404)`.
pub fn status_text(result: &LinkResult) -> String {
    match result.http_status {
        Some(h) => format!("{} (HTTP {h})", result.status),
        None => result.status.to_string(),
    }
}

/// The message of one link occurrence: status, URL, where it redirects,
/// the reason, the paper and since when it fails.
pub fn link_message(row: &LinkRow<'_>, result: &LinkResult) -> String {
    let mut message = format!("{}: {}", status_text(result), row.url);
    if let Some(f) = &result.final_url {
        message.push_str(&format!(" -> {f}"));
    }
    if !result.error.is_empty() && result.status != Status::Redirected {
        message.push_str(&format!(": {}", result.error));
    }
    if !row.paper.is_empty() {
        message.push_str(&format!("\npaper: {}", row.paper));
    }
    if let Some(since) = row.first_failed_at {
        message.push_str(&format!("\nfailing since {}", super::fmt_time(since)));
    }
    message
}

/// The message of one repository finding.
pub fn repo_message(repo: &RepoRow) -> String {
    let mut what = vec![repo.health.to_string()];
    if let Some(to) = repo.renamed_to() {
        what.push(format!("renamed to {to}"));
    }
    let mut message = format!("repository {}: {}", repo.repo, what.join(", "));
    if let Some(d) = repo.days_since_push {
        message.push_str(&format!(", last push {d} days ago"));
    }
    if !repo.error.is_empty() {
        message.push_str(&format!(": {}", repo.error));
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_follow_the_words_and_are_unique() {
        for s in Status::ALL {
            let id = RULES[link_rule(s)].id;
            assert_eq!(id, format!("{}-link", s.as_str().replace('_', "-")));
        }
        for (i, h) in Health::ALL.iter().enumerate() {
            let id = RULES[Status::ALL.len() + i].id;
            assert_eq!(id, format!("{h}-repository"));
        }
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
        assert!(
            RULES
                .iter()
                .all(|r| !r.short.is_empty() && !r.help.is_empty())
        );
    }

    #[test]
    fn renamed_only_when_the_forge_names_it_otherwise() {
        use crate::model::{Forge, RepoInfo, RepoKind};
        let row = |repo: &str, forge, kind, canonical: &str| RepoRow {
            repo: repo.into(),
            forge,
            kind,
            info: Some(RepoInfo {
                canonical: canonical.into(),
                ..RepoInfo::default()
            }),
            papers: 1,
            links: 1,
            health: Health::Active,
            days_since_push: None,
            rank: None,
            error: String::new(),
            fetched_at: chrono::Utc::now(),
            cached: false,
            stars_delta: None,
            previous_report_at: None,
            archive: Default::default(),
            found_via: String::new(),
        };
        let rule = |r: &RepoRow| RULES[repo_rule(r)].id;
        // Hugging Face rows are named with their host: not a rename.
        let hf = row(
            "huggingface.co/openai/whisper-large-v3",
            Forge::Huggingface,
            RepoKind::Model,
            "openai/whisper-large-v3",
        );
        assert_eq!(rule(&hf), "active-repository");
        let ds = row(
            "huggingface.co/datasets/O/D",
            Forge::Huggingface,
            RepoKind::Dataset,
            "o/d",
        );
        assert_eq!(rule(&ds), "active-repository", "case and prefix aside");
        let moved = row(
            "gitlab.com/g/old",
            Forge::Gitlab,
            RepoKind::Repository,
            "g/new",
        );
        assert_eq!(rule(&moved), "renamed-repository");
        assert!(repo_message(&moved).contains("renamed to g/new"));
        let empty = row("o/r", Forge::Github, RepoKind::Repository, "");
        assert_eq!(
            rule(&empty),
            "active-repository",
            "no name given: no rename"
        );
    }
}
