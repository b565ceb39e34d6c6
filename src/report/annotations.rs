//! GitHub Actions workflow commands (issue 4, "Where it is seen"):
//! `::error file=PATH,line=L,col=C,title=T::MESSAGE` for failing link
//! occurrences and `::warning ...` for doubtful links and unhealthy
//! repositories. The pipeline prints the lines on stdout when
//! `GITHUB_ACTIONS=true`. Which level, if any, is the verdict's
//! (`crate::verdict`): this module only formats.
//!
//! Escaping follows the workflow-command format (as in `@actions/core`):
//! message data `%` -> `%25`, `\r` -> `%0D`, `\n` -> `%0A`; property values
//! additionally `:` -> `%3A` and `,` -> `%2C`; every other control
//! character (C0, C1, DEL; tab kept) is removed. Never does I/O but writing
//! to the given writer.

use crate::model::RepoKey;
use crate::model::{LinkRow, RepoRow, Status};
pub use crate::verdict::Level;
use crate::verdict::{Judge, LinkVerdict, RepoVerdict};
use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

/// Escapes workflow-command message data; control characters (C0 and C1
/// but tab, line breaks and DEL) are removed first, so no untrusted title
/// or API string reaches the log raw (issue 23 item 9).
pub fn escape_data(s: &str) -> String {
    super::text::strip_controls(s)
        .replace('%', "%25")
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
        || source == crate::input::STDIN_NAME
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

/// The annotation for one link occurrence, if any, at the level the
/// verdict gives.
pub fn link_annotation(
    row: &LinkRow<'_>,
    verdict: &LinkVerdict,
    base_dir: &Path,
    archive_words: Option<&str>,
) -> Option<String> {
    let result = row.result?;
    let level = verdict.level?;
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
        message.push_str(&format!("\nfailing since {}", crate::rows::fmt_time(since)));
    }
    if let Some(words) = archive_words {
        message.push_str(&format!("\n{words}"));
    }
    if verdict.excused_as_known() {
        message.push_str("\n(known: already failing in the previous report)");
    }
    let title = format!("{} link", result.status);
    Some(workflow_command(level, location.as_ref(), &title, &message))
}

/// The annotation for one repository, if any; `first` is the first
/// occurrence of a link to it (the annotation points there).
pub fn repo_annotation(
    repo: &RepoRow,
    verdict: &RepoVerdict,
    first: Option<&Location>,
) -> Option<String> {
    let level = verdict.level?;
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
    let title = format!("{} repository", repo.health);
    Some(workflow_command(level, first, &title, &message))
}

/// Writes every annotation of a run: one per annotated link occurrence (in
/// row order), then one per annotated repository (pointing at the first
/// occurrence of a link to it). Levels are the `judge`'s. `base_dir` is the
/// working directory. `archive_words` gives the archive words of a link's
/// URL ("code gone; no archived copy found", issue 15), added to its message.
pub fn write_annotations<'a, W: Write>(
    mut out: W,
    rows: impl Iterator<Item = LinkRow<'a>>,
    repos: &[RepoRow],
    judge: &Judge<'_>,
    base_dir: &Path,
    archive_words: impl Fn(&str) -> Option<String>,
) -> io::Result<()> {
    let wanted: HashSet<RepoKey> = repos
        .iter()
        .filter(|r| judge.repo(r).level.is_some())
        .map(RepoRow::key)
        .collect();
    let mut first: HashMap<RepoKey, Location> = HashMap::new();
    for row in rows {
        let verdict = row.result.map(|r| judge.link(row.url, r.status));
        let words = archive_words(row.url);
        if let Some(line) =
            verdict.and_then(|v| link_annotation(&row, &v, base_dir, words.as_deref()))
        {
            writeln!(out, "{line}")?;
        }
        if !row.repo.is_empty() {
            let key = RepoKey::new(row.repo);
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
        let verdict = judge.repo(r);
        if let Some(line) = repo_annotation(r, &verdict, first.get(&r.key())) {
            writeln!(out, "{line}")?;
        }
    }
    out.flush()
}
