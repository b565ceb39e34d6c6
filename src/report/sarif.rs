//! `links.sarif` and `--format sarif` (issue 16): SARIF 2.1.0 for GitHub
//! code scanning and other SARIF viewers, built from the typed model of the
//! `serde-sarif` crate.
//!
//! One result per flagged unique URL, its occurrences as locations (at
//! most [`MAX_LOCATIONS`]), and one per flagged repository, located at the
//! first occurrence of a link to it; the most severe first (errors, then
//! warnings, then notes; links in input order before repositories in row
//! order within a level), at most [`MAX_RESULTS`] in all: GitHub code
//! scanning's limits. When anything is left out, the run's invocation
//! carries a warning notification saying how much. Which URLs and
//! repositories are flagged, and at which level, is not decided here: the
//! caller passes the decision in (`link_level`, `repo_level`), so every
//! output says what the verdict says. `ruleId` is the status or health word
//! (see [`super::finding`]); a location is the input's path relative to the
//! working directory (a `file:` URI outside it, the URL of a remote input,
//! none for stdin) with line and column in characters (`columnKind:
//! unicodeCodePoints`).
//!
//! `partialFingerprints["paperlinks/v1"]` is a SHA-256 of the URL (one
//! result per URL, so it survives lines moving around); a repository's is
//! a SHA-256 of its name.
//!
//! One pass over the rows collects the flagged URLs (the first row of each
//! and up to [`MAX_LOCATIONS`] spots; at most [`MAX_RESULTS`] URLs per
//! level), then the results are built and serialised one at a time. Never
//! does I/O but writing to the given writer.

use super::annotations::{Level, relative_source};
use super::finding::{self, RULES};
use crate::model::{LinkResult, LinkRow, RepoKey, RepoRow};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::ser::{Error as _, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_sarif::sarif;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Write};
use std::path::Path;

/// The schema URI written into `$schema` (the OASIS 2.1.0 errata 01 schema).
pub const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The key of the one `partialFingerprints` entry of every result.
pub const FINGERPRINT_KEY: &str = "paperlinks/v1";

/// Characters escaped in a relative path turned into a URI reference.
const PATH_ESCAPES: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// GitHub code scanning's limits on an uploaded SARIF file (GitHub docs,
/// "About code scanning limits on SARIF results",
/// docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit):
/// at most 25,000 results per run (the file is rejected above it; only the
/// top 5,000 by severity are shown) ...
pub const MAX_RESULTS: usize = 25_000;
/// ... and at most 1,000 locations per result (only 100 are shown).
pub const MAX_LOCATIONS: usize = 1_000;

/// Writes one SARIF log with one run. `rows` are the link occurrences in
/// input order; `link_level` and `repo_level` say which are findings and
/// at which level (`None`: not listed). `base_dir` is the working directory.
pub fn write_sarif<'a, W, I, L, R>(
    out: W,
    rows: I,
    repos: &[RepoRow],
    link_level: L,
    repo_level: R,
    base_dir: &Path,
) -> io::Result<()>
where
    W: Write,
    I: Iterator<Item = LinkRow<'a>>,
    L: Fn(&LinkRow<'a>) -> Option<Level>,
    R: Fn(&RepoRow) -> Option<Level>,
{
    write_sarif_within(
        out,
        rows,
        repos,
        (link_level, repo_level),
        base_dir,
        MAX_RESULTS,
    )
}

/// [`write_sarif`] with another cap on the number of results (tests).
pub fn write_sarif_within<'a, W, I, L, R>(
    out: W,
    rows: I,
    repos: &[RepoRow],
    (link_level, repo_level): (L, R),
    base_dir: &Path,
    max_results: usize,
) -> io::Result<()>
where
    W: Write,
    I: Iterator<Item = LinkRow<'a>>,
    L: Fn(&LinkRow<'a>) -> Option<Level>,
    R: Fn(&RepoRow) -> Option<Level>,
{
    let found = collect(rows, repos, &link_level, &repo_level, max_results);
    let order = severity_order(&found, repos, &repo_level);
    let shown = order.len().min(max_results);
    let cut = Cut {
        results: order.len() - shown + found.dropped,
        total: order.len() + found.dropped,
        locations: found.cut_locations,
    };
    let run = run_without_results(cut.notification(max_results));
    let log = Log {
        schema: SARIF_SCHEMA,
        version: "2.1.0",
        runs: [StreamedRun {
            run: &run,
            results: Results {
                items: &order[..shown],
                found: &found,
                repos,
                repo_level,
                base_dir,
            },
        }],
    };
    let mut out = io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &log).map_err(io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// What was left out to stay within GitHub's limits.
struct Cut {
    /// Findings (unique URLs and repositories) not listed.
    results: usize,
    total: usize,
    /// Occurrences not listed as locations of their URL's result.
    locations: usize,
}

impl Cut {
    /// The run's note saying what was cut (`None`: nothing was).
    fn notification(&self, max_results: usize) -> Option<sarif::Notification> {
        let mut said = Vec::new();
        if self.results > 0 {
            said.push(format!(
                "{} of {} findings listed (GitHub code scanning accepts at most {max_results} results per run; the most severe are listed first); the rest are in links.csv and repos.csv",
                self.total - self.results,
                self.total
            ));
        }
        if self.locations > 0 {
            said.push(format!(
                "{} more occurrences not listed as locations (at most {MAX_LOCATIONS} per result)",
                self.locations
            ));
        }
        (!said.is_empty()).then(|| {
            sarif::Notification::builder()
                .level(serde_json::json!("warning"))
                .message(message(format!(
                    "links.sarif was cut: {}.",
                    said.join("; ")
                )))
                .build()
        })
    }
}

/// The log around the streamed results (`$schema`, `version`, `runs`).
#[derive(Serialize)]
struct Log<'r, S: Serialize> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [StreamedRun<'r, S>; 1],
}

/// A typed `run` (with `results` left `None`) plus the streamed results.
#[derive(Serialize)]
struct StreamedRun<'r, S: Serialize> {
    #[serde(flatten)]
    run: &'r sarif::Run,
    results: S,
}

/// The tool, its rules, the column convention and, when the log was cut,
/// an invocation whose notification says so; no results.
fn run_without_results(cut: Option<sarif::Notification>) -> sarif::Run {
    let rules: Vec<sarif::ReportingDescriptor> = RULES.iter().map(rule).collect();
    let driver = sarif::ToolComponent::builder()
        .name("paperlinks")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://github.com/paperlinks/paperlinks")
        .rules(rules)
        .build();
    let builder = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .column_kind(serde_json::json!("unicodeCodePoints"));
    match cut {
        Some(note) => builder
            .invocations(vec![
                sarif::Invocation::builder()
                    .execution_successful(true)
                    .tool_execution_notifications(vec![note])
                    .build(),
            ])
            .build(),
        None => builder.build(),
    }
}

fn rule(r: &finding::Rule) -> sarif::ReportingDescriptor {
    let text = |t: &str| sarif::MultiformatMessageString::builder().text(t).build();
    sarif::ReportingDescriptor::builder()
        .id(r.id)
        .name(camel_case(r.id))
        .short_description(text(r.short))
        .full_description(text(&format!("{} {}", r.short, r.help)))
        .help(
            sarif::MultiformatMessageString::builder()
                .text(r.help)
                .markdown(r.help)
                .build(),
        )
        .properties(
            sarif::PropertyBag::builder()
                .tags(vec!["links".to_string()])
                .build(),
        )
        .build()
}

/// `broken-link` -> `BrokenLink`.
fn camel_case(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// Where one occurrence is.
#[derive(Clone, Copy, Debug)]
struct Spot<'a> {
    source: &'a str,
    line: usize,
    column: usize,
}

impl<'a> Spot<'a> {
    fn of(row: &LinkRow<'a>) -> Self {
        Spot {
            source: row.source,
            line: row.line,
            column: row.column,
        }
    }
}

/// One flagged unique URL: its level, its first occurrence (the message
/// speaks of it) and where it occurs (at most [`MAX_LOCATIONS`]).
struct LinkFinding<'a> {
    level: Level,
    first: LinkRow<'a>,
    spots: Vec<Spot<'a>>,
    occurrences: usize,
}

/// The findings of one pass over the rows.
struct Found<'a> {
    links: Vec<LinkFinding<'a>>,
    /// The first occurrence of a link into each flagged repository.
    repo_first: HashMap<RepoKey, Spot<'a>>,
    /// Unique URLs not kept: past `max_results` of their level already.
    dropped: usize,
    /// Occurrences past [`MAX_LOCATIONS`] of their URL.
    cut_locations: usize,
}

/// One pass: the flagged URLs with their occurrences, and where each
/// flagged repository is first linked. Memory: per flagged URL its first
/// row and up to [`MAX_LOCATIONS`] spots, at most `max_results` URLs per
/// level (a URL past that can never be listed: the ones before it at its
/// level already fill the log).
fn collect<'a, I, L, R>(
    rows: I,
    repos: &[RepoRow],
    link_level: &L,
    repo_level: &R,
    max_results: usize,
) -> Found<'a>
where
    I: Iterator<Item = LinkRow<'a>>,
    L: Fn(&LinkRow<'a>) -> Option<Level>,
    R: Fn(&RepoRow) -> Option<Level>,
{
    let wanted: HashSet<RepoKey> = repos
        .iter()
        .filter(|r| repo_level(r).is_some())
        .map(RepoRow::key)
        .collect();
    let mut found = Found {
        links: Vec::new(),
        repo_first: HashMap::new(),
        dropped: 0,
        cut_locations: 0,
    };
    // foldhash: one lookup per flagged row (BENCHMARKS.md, the report tail).
    let mut index: foldhash::HashMap<&'a str, Option<usize>> = Default::default();
    let mut per_level = [0usize; 3];
    for row in rows {
        if let (Some(level), Some(_)) = (link_level(&row), row.result) {
            let slot = index.entry(row.url).or_insert_with(|| {
                let n = &mut per_level[severity(level)];
                if *n >= max_results {
                    found.dropped += 1;
                    return None;
                }
                *n += 1;
                found.links.push(LinkFinding {
                    level,
                    first: row,
                    spots: Vec::new(),
                    occurrences: 0,
                });
                Some(found.links.len() - 1)
            });
            if let Some(f) = slot.map(|i| &mut found.links[i]) {
                f.occurrences += 1;
                if f.spots.len() < MAX_LOCATIONS {
                    f.spots.push(Spot::of(&row));
                } else {
                    found.cut_locations += 1;
                }
            }
        }
        if !row.repo.is_empty() && !wanted.is_empty() {
            let key = RepoKey::new(row.repo);
            if wanted.contains(&key) {
                found
                    .repo_first
                    .entry(key)
                    .or_insert_with(|| Spot::of(&row));
            }
        }
    }
    found
}

/// 0 for errors, 1 for warnings, 2 for notes.
fn severity(level: Level) -> usize {
    match level {
        Level::Error => 0,
        Level::Warning => 1,
        Level::Notice => 2,
    }
}

/// One result of the log: a flagged URL or a flagged repository (by index).
#[derive(Clone, Copy, Debug)]
enum Item {
    Link(usize),
    Repo(usize),
}

/// The results in the order they are listed: errors, then warnings, then
/// notes; within a level the links in input order, then the repositories
/// in row order.
fn severity_order<R>(found: &Found<'_>, repos: &[RepoRow], repo_level: &R) -> Vec<Item>
where
    R: Fn(&RepoRow) -> Option<Level>,
{
    let repo_levels: Vec<Option<Level>> = repos.iter().map(repo_level).collect();
    let mut order = Vec::new();
    for rank in 0..3 {
        order.extend(
            (0..found.links.len())
                .filter(|&i| severity(found.links[i].level) == rank)
                .map(Item::Link),
        );
        order.extend(
            (0..repos.len())
                .filter(|&i| repo_levels[i].is_some_and(|l| severity(l) == rank))
                .map(Item::Repo),
        );
    }
    order
}

/// The `results` array, each result built while it is serialised.
struct Results<'r, 'a, R> {
    items: &'r [Item],
    found: &'r Found<'a>,
    repos: &'r [RepoRow],
    repo_level: R,
    base_dir: &'r Path,
}

impl<R> Serialize for Results<'_, '_, R>
where
    R: Fn(&RepoRow) -> Option<Level>,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.items.len()))?;
        for item in self.items {
            match *item {
                Item::Link(i) => {
                    let f = &self.found.links[i];
                    let result = f
                        .first
                        .result
                        .ok_or_else(|| S::Error::custom("a flagged link without a result"))?;
                    seq.serialize_element(&link_result(f, result, self.base_dir))?;
                }
                Item::Repo(i) => {
                    let repo = &self.repos[i];
                    let level = (self.repo_level)(repo)
                        .ok_or_else(|| S::Error::custom("a flagged repository without a level"))?;
                    let at = self
                        .found
                        .repo_first
                        .get(&repo.key())
                        .and_then(|spot| location(spot, self.base_dir));
                    seq.serialize_element(&repo_result(repo, level, at))?;
                }
            }
        }
        seq.end()
    }
}

/// The result of one flagged URL: its first occurrence's message, every
/// occurrence (up to [`MAX_LOCATIONS`]) as a location.
fn link_result(f: &LinkFinding<'_>, result: &LinkResult, base_dir: &Path) -> sarif::Result {
    let index = finding::link_rule(result.status);
    let print = fingerprint(&["link", f.first.url]);
    let mut text = finding::link_message(&f.first, result);
    if f.occurrences > 1 {
        text.push_str(&format!("\nlinked {} times", f.occurrences));
        if f.occurrences > f.spots.len() {
            text.push_str(&format!(" (the first {} are listed)", f.spots.len()));
        }
    }
    let locations: Vec<sarif::Location> = f
        .spots
        .iter()
        .filter_map(|spot| location(spot, base_dir))
        .collect();
    let builder = sarif::Result::builder()
        .rule_id(RULES[index].id)
        .rule_index(index as i64)
        .level(sarif_level(f.level))
        .message(message(text))
        .partial_fingerprints(BTreeMap::from([(FINGERPRINT_KEY.to_string(), print)]));
    if locations.is_empty() {
        builder.build()
    } else {
        builder.locations(locations).build()
    }
}

fn repo_result(repo: &RepoRow, level: Level, at: Option<sarif::Location>) -> sarif::Result {
    let index = finding::repo_rule(repo);
    let print = fingerprint(&["repository", &repo.repo.to_lowercase()]);
    let builder = sarif::Result::builder()
        .rule_id(RULES[index].id)
        .rule_index(index as i64)
        .level(sarif_level(level))
        .message(message(finding::repo_message(repo)))
        .partial_fingerprints(BTreeMap::from([(FINGERPRINT_KEY.to_string(), print)]));
    match at {
        Some(loc) => builder.locations(vec![loc]).build(),
        None => builder.build(),
    }
}

fn sarif_level(level: Level) -> sarif::ResultLevel {
    match level {
        Level::Error => sarif::ResultLevel::Error,
        Level::Warning => sarif::ResultLevel::Warning,
        Level::Notice => sarif::ResultLevel::Note,
    }
}

fn message(text: String) -> sarif::Message {
    sarif::Message::builder().text(text).build()
}

/// Where an occurrence is: its input and line/column; `None` for stdin.
fn location(row: &Spot<'_>, base_dir: &Path) -> Option<sarif::Location> {
    let uri = artifact_uri(row.source, base_dir)?;
    let artifact = sarif::ArtifactLocation::builder().uri(uri).build();
    let region = sarif::Region::builder()
        .start_line(row.line.max(1) as i64)
        .start_column(row.column.max(1) as i64)
        .build();
    let physical = sarif::PhysicalLocation::builder()
        .artifact_location(artifact)
        .region(region)
        .build();
    Some(
        sarif::Location::builder()
            .physical_location(physical)
            .build(),
    )
}

/// The URI of an input: its path relative to `base_dir` (percent-encoded),
/// a `file:` URI when it lies outside, the URL itself for a remote input,
/// `None` for stdin.
pub fn artifact_uri(source: &str, base_dir: &Path) -> Option<String> {
    if source.starts_with("http://") || source.starts_with("https://") {
        return Some(source.to_string());
    }
    let rel = relative_source(source, base_dir)?;
    let path = Path::new(&rel);
    if path.is_absolute() {
        return url::Url::from_file_path(path).ok().map(String::from);
    }
    Some(utf8_percent_encode(&rel, PATH_ESCAPES).to_string())
}

/// Hex SHA-256 of the parts, each followed by a NUL (so parts cannot run
/// into each other), cut to 32 hex digits (128 bits).
fn fingerprint(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for p in parts {
        hash.update(p.as_bytes());
        hash.update([0u8]);
    }
    hash.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_encoded_or_absolute() {
        let base = Path::new("/work/repo");
        assert_eq!(
            artifact_uri("lists/a b#1.md", base).as_deref(),
            Some("lists/a%20b%231.md")
        );
        assert_eq!(
            artifact_uri("/work/repo/x/ü.txt", base).as_deref(),
            Some("x/%C3%BC.txt")
        );
        assert_eq!(
            artifact_uri("/elsewhere/y.txt", base).as_deref(),
            Some("file:///elsewhere/y.txt")
        );
        assert_eq!(
            artifact_uri("https://example.org/list.md", base).as_deref(),
            Some("https://example.org/list.md")
        );
        assert_eq!(artifact_uri("-", base), None);
    }

    #[test]
    fn fingerprint_parts_do_not_run_together() {
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
        assert_eq!(fingerprint(&["a"]).len(), 32);
        assert_eq!(camel_case("network-error-link"), "NetworkErrorLink");
    }
}
