//! `links.sarif` and `--format sarif` (issue 16): SARIF 2.1.0 for GitHub
//! code scanning and other SARIF viewers, built from the typed model of the
//! `serde-sarif` crate.
//!
//! One result per flagged link occurrence (in row order), then one per
//! flagged repository, located at the first occurrence of a link to it.
//! Which occurrences and repositories are flagged, and at which level, is
//! not decided here: the caller passes the decision in (`link_level`,
//! `repo_level`), so every output says what the verdict says. `ruleId` is
//! the status or health word (see [`super::finding`]); the location is the
//! input's path relative to the working directory (a `file:` URI outside
//! it, the URL of a remote input, none for stdin) with line and column in
//! characters (`columnKind: unicodeCodePoints`).
//!
//! `partialFingerprints["paperlinks/v1"]` is a SHA-256 of the input's path,
//! the URL and which occurrence of that URL in that input it is (0, 1, ...),
//! so it survives lines moving around and stays apart for two occurrences
//! of one URL; a repository's is a SHA-256 of its name.
//!
//! Streams: results are serialised one at a time while the rows are read,
//! never collected (the run object around them is typed; only the array of
//! results is written as a sequence). Memory held: one counter per flagged
//! (input, URL) pair and one location per flagged repository. Never does
//! I/O but writing to the given writer.

use super::annotations::{Level, relative_source};
use super::finding::{self, RULES};
use crate::model::{LinkResult, LinkRow, RepoRow};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::ser::{Error as _, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_sarif::sarif;
use sha2::{Digest, Sha256};
use std::cell::RefCell;
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
    let run = run_without_results();
    let log = Log {
        schema: SARIF_SCHEMA,
        version: "2.1.0",
        runs: [StreamedRun {
            run: &run,
            results: Results {
                rows: RefCell::new(Some(rows)),
                repos,
                link_level,
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

/// The tool, its rules and the column convention; no results.
fn run_without_results() -> sarif::Run {
    let rules: Vec<sarif::ReportingDescriptor> = RULES.iter().map(rule).collect();
    let driver = sarif::ToolComponent::builder()
        .name("paperlinks")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://github.com/paperlinks/paperlinks")
        .rules(rules)
        .build();
    sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .build()
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

/// The `results` array, produced while serialising (once).
struct Results<'r, I, L, R> {
    rows: RefCell<Option<I>>,
    repos: &'r [RepoRow],
    link_level: L,
    repo_level: R,
    base_dir: &'r Path,
}

impl<'a, I, L, R> Serialize for Results<'_, I, L, R>
where
    I: Iterator<Item = LinkRow<'a>>,
    L: Fn(&LinkRow<'a>) -> Option<Level>,
    R: Fn(&RepoRow) -> Option<Level>,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let rows = self
            .rows
            .borrow_mut()
            .take()
            .ok_or_else(|| S::Error::custom("SARIF results serialised twice"))?;
        let wanted: HashSet<String> = self
            .repos
            .iter()
            .filter(|r| (self.repo_level)(r).is_some())
            .map(|r| r.repo.to_lowercase())
            .collect();
        let mut first: HashMap<String, sarif::Location> = HashMap::new();
        let mut nth: HashMap<(&'a str, &'a str), u32> = HashMap::new();
        let mut seq = s.serialize_seq(None)?;
        for row in rows {
            if let (Some(level), Some(result)) = ((self.link_level)(&row), row.result) {
                let n = nth.entry((row.source, row.url)).or_insert(0);
                let result = link_result(&row, result, level, *n, self.base_dir);
                *n += 1;
                seq.serialize_element(&result)?;
            }
            if !row.repo.is_empty() && !wanted.is_empty() {
                let key = row.repo.to_lowercase();
                if wanted.contains(&key)
                    && !first.contains_key(&key)
                    && let Some(loc) = location(&row, self.base_dir)
                {
                    first.insert(key, loc);
                }
            }
        }
        for repo in self.repos {
            if let Some(level) = (self.repo_level)(repo) {
                let at = first.get(&repo.repo.to_lowercase()).cloned();
                seq.serialize_element(&repo_result(repo, level, at))?;
            }
        }
        seq.end()
    }
}

/// The result of one link occurrence, the `nth` of its URL in its input.
fn link_result(
    row: &LinkRow<'_>,
    result: &LinkResult,
    level: Level,
    nth: u32,
    base_dir: &Path,
) -> sarif::Result {
    let index = finding::link_rule(result.status);
    let source = artifact_uri(row.source, base_dir).unwrap_or_else(|| row.source.into());
    let print = fingerprint(&["link", &source, row.url, &nth.to_string()]);
    let builder = sarif::Result::builder()
        .rule_id(RULES[index].id)
        .rule_index(index as i64)
        .level(sarif_level(level))
        .message(message(finding::link_message(row, result)))
        .partial_fingerprints(BTreeMap::from([(FINGERPRINT_KEY.to_string(), print)]));
    match location(row, base_dir) {
        Some(loc) => builder.locations(vec![loc]).build(),
        None => builder.build(),
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
fn location(row: &LinkRow<'_>, base_dir: &Path) -> Option<sarif::Location> {
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
