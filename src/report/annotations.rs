//! GitHub Actions workflow commands (issue 4, "Where it is seen"):
//! `::error file=PATH,line=L,col=C,title=T::MESSAGE` for failing link
//! occurrences and `::warning ...` for doubtful links and unhealthy
//! repositories. The pipeline prints the lines on stdout when
//! `GITHUB_ACTIONS=true`.
//!
//! Escaping follows the workflow-command format (as in `@actions/core`):
//! message data `%` -> `%25`, `\r` -> `%0D`, `\n` -> `%0A`; property values
//! additionally `:` -> `%3A` and `,` -> `%2C`. Never does I/O but writing
//! to the given writer.

use super::previous::{Change, PreviousLink, classify_change};
use crate::config::FailWord;
use crate::model::{Health, LinkRow, RepoRow, Status};
use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

/// The workflow command used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Notice,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

/// What makes a link or a repository an error (`[ci] fail_on`), and
/// whether only new failures count (`--fail-on-new`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailPolicy {
    pub statuses: HashSet<Status>,
    pub health: HashSet<Health>,
    /// With `--fail-on-new`, failures already failing in the previous
    /// report are warnings ("known"), not errors.
    pub only_new: bool,
}

impl Default for FailPolicy {
    /// `fail_on = ["broken", "missing"]`, all failures count.
    fn default() -> Self {
        FailPolicy::from_words(
            &[
                FailWord::Status(Status::Broken),
                FailWord::Health(Health::Missing),
            ],
            false,
        )
    }
}

impl FailPolicy {
    /// From the validated `Config::fail_words()`.
    pub fn from_words(words: &[FailWord], only_new: bool) -> Self {
        let mut p = FailPolicy {
            statuses: HashSet::new(),
            health: HashSet::new(),
            only_new,
        };
        for w in words {
            match *w {
                FailWord::Status(s) => {
                    p.statuses.insert(s);
                }
                FailWord::Health(h) => {
                    p.health.insert(h);
                }
            }
        }
        p
    }

    /// The annotation level of a link occurrence, or `None` for no
    /// annotation. Error: status in `fail_on` (and new, with `only_new`).
    /// Warning: any other failure, `redirected`, and known failures under
    /// `only_new`. `previous` is the URL's entry in the previous report.
    pub fn link_level(&self, status: Status, previous: Option<&PreviousLink>) -> Option<Level> {
        if self.statuses.contains(&status) {
            if self.only_new && classify_change(previous, status) == Some(Change::Known) {
                return Some(Level::Warning);
            }
            return Some(Level::Error);
        }
        if status.is_failure() || status == Status::Redirected {
            return Some(Level::Warning);
        }
        None
    }

    /// The level of a repository annotation: error when its health word is
    /// in `fail_on`; warning for archived, stale, placeholder, empty or a
    /// renamed repository. Missing repositories are not annotated unless in
    /// `fail_on` (their links are already reported broken).
    pub fn repo_level(&self, repo: &RepoRow) -> Option<Level> {
        if self.health.contains(&repo.health) {
            return Some(Level::Error);
        }
        let renamed = is_renamed(repo);
        match repo.health {
            Health::Archived | Health::Stale | Health::Placeholder | Health::Empty => {
                Some(Level::Warning)
            }
            _ if renamed => Some(Level::Warning),
            _ => None,
        }
    }
}

fn is_renamed(repo: &RepoRow) -> bool {
    repo.info
        .as_ref()
        .is_some_and(|i| !i.canonical.is_empty() && !i.canonical.eq_ignore_ascii_case(&repo.repo))
}

/// Escapes workflow-command message data.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Where an annotation points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub col: usize,
}

/// One workflow command line (no trailing newline).
pub fn workflow_command(
    level: Level,
    location: Option<&Location>,
    title: &str,
    message: &str,
) -> String {
    let mut props = Vec::new();
    if let Some(l) = location {
        props.push(format!("file={}", escape_property(&l.file)));
        props.push(format!("line={}", l.line));
        props.push(format!("col={}", l.col));
    }
    if !title.is_empty() {
        props.push(format!("title={}", escape_property(title)));
    }
    let props = if props.is_empty() {
        String::new()
    } else {
        format!(" {}", props.join(","))
    };
    format!("::{}{}::{}", level.as_str(), props, escape_data(message))
}

/// The path to show for a source: relative to `base_dir` (the working
/// directory) when it lies inside it, with `/` separators. `None` for
/// stdin (`-`) and remote (`http(s)://`) inputs, which have no file.
pub fn relative_source(source: &str, base_dir: &Path) -> Option<String> {
    if source.is_empty()
        || source == "-"
        || source.starts_with("http://")
        || source.starts_with("https://")
    {
        return None;
    }
    let p = Path::new(source);
    let rel: PathBuf = if p.is_absolute() {
        match p.strip_prefix(base_dir) {
            Ok(r) => r.to_path_buf(),
            Err(_) => p.to_path_buf(),
        }
    } else {
        p.components()
            .filter(|c| !matches!(c, Component::CurDir))
            .collect()
    };
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let s = if p.is_absolute() && rel == p {
        p.to_string_lossy().into_owned()
    } else {
        parts.join("/")
    };
    Some(s)
}

/// The annotation for one link occurrence, if any.
pub fn link_annotation(
    row: &LinkRow<'_>,
    policy: &FailPolicy,
    previous: Option<&PreviousLink>,
    base_dir: &Path,
    archive_words: Option<&str>,
) -> Option<String> {
    let result = row.result?;
    let level = policy.link_level(result.status, previous)?;
    let location = relative_source(row.source, base_dir).map(|file| Location {
        file,
        line: row.line,
        col: row.column,
    });
    let mut status = result.status.to_string();
    if let Some(h) = result.http_status {
        status.push_str(&format!(" (HTTP {h})"));
    }
    let mut message = format!("{status}: {}", row.url);
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
    if let Some(words) = archive_words {
        message.push_str(&format!("\n{words}"));
    }
    if policy.only_new && classify_change(previous, result.status) == Some(Change::Known) {
        message.push_str("\n(known: already failing in the previous report)");
    }
    let title = format!("{} link", result.status);
    Some(workflow_command(level, location.as_ref(), &title, &message))
}

/// The annotation for one repository, if any; `first` is the first
/// occurrence of a link to it (the annotation points there).
pub fn repo_annotation(
    repo: &RepoRow,
    policy: &FailPolicy,
    first: Option<&Location>,
) -> Option<String> {
    let level = policy.repo_level(repo)?;
    let mut what = vec![repo.health.to_string()];
    if is_renamed(repo) {
        what.push(format!(
            "renamed to {}",
            repo.info
                .as_ref()
                .map(|i| i.canonical.as_str())
                .unwrap_or("")
        ));
    }
    let mut message = format!("repository {}: {}", repo.repo, what.join(", "));
    if let Some(d) = repo.days_since_push {
        message.push_str(&format!(", last push {d} days ago"));
    }
    if !repo.error.is_empty() {
        message.push_str(&format!(": {}", repo.error));
    }
    let title = format!("{} repository", repo.health);
    Some(workflow_command(level, first, &title, &message))
}

/// Writes every annotation of a run: one per annotated link occurrence (in
/// row order), then one per annotated repository (pointing at the first
/// occurrence of a link to it). `previous` is the previous links.csv, used
/// by `--fail-on-new`. `base_dir` is the working directory.
pub fn write_annotations<'a, W: Write>(
    out: W,
    rows: impl Iterator<Item = LinkRow<'a>>,
    repos: &[RepoRow],
    previous: Option<&HashMap<String, PreviousLink>>,
    policy: &FailPolicy,
    base_dir: &Path,
) -> io::Result<()> {
    write_annotations_archived(out, rows, repos, previous, policy, base_dir, |_| None)
}

/// [`write_annotations`], with the archive words of a link's URL ("code
/// gone; no archived copy found") added to its message (issue 15).
pub fn write_annotations_archived<'a, W: Write>(
    mut out: W,
    rows: impl Iterator<Item = LinkRow<'a>>,
    repos: &[RepoRow],
    previous: Option<&HashMap<String, PreviousLink>>,
    policy: &FailPolicy,
    base_dir: &Path,
    archive_words: impl Fn(&str) -> Option<String>,
) -> io::Result<()> {
    let wanted: HashSet<String> = repos
        .iter()
        .filter(|r| policy.repo_level(r).is_some())
        .map(|r| r.repo.to_lowercase())
        .collect();
    let mut first: HashMap<String, Location> = HashMap::new();
    for row in rows {
        let prev = previous.and_then(|m| m.get(row.url));
        let words = archive_words(row.url);
        if let Some(line) = link_annotation(&row, policy, prev, base_dir, words.as_deref()) {
            writeln!(out, "{line}")?;
        }
        if !row.repo.is_empty() {
            let key = row.repo.to_lowercase();
            if wanted.contains(&key)
                && !first.contains_key(&key)
                && let Some(file) = relative_source(row.source, base_dir)
            {
                first.insert(
                    key,
                    Location {
                        file,
                        line: row.line,
                        col: row.column,
                    },
                );
            }
        }
    }
    for r in repos {
        if let Some(line) = repo_annotation(r, policy, first.get(&r.repo.to_lowercase())) {
            writeln!(out, "{line}")?;
        }
    }
    out.flush()
}
