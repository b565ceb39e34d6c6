//! summary.md (issue 4): a short Markdown report of a run, also appended to
//! `$GITHUB_STEP_SUMMARY` in GitHub Actions.
//!
//! The pipeline feeds every link row to a [`LinkTally`] while it streams
//! links.csv (so nothing is collected but the failing and fixed links),
//! fills a [`SummaryInput`], and calls [`render_summary`]. Never does
//! network I/O; summary.md is written with `atomic::write_text_atomic`.

use super::repos::is_ranked;
use crate::archive::{Archived, Outcome};
use crate::error::Error;
use crate::model::{Health, LinkRow, RepoRow, Status};
use crate::rows::fmt_time;
use crate::verdict::{Change, Judge, RepoVerdict};

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

/// Tables and lists longer than this end with "... and N more".
pub const MAX_TABLE_ROWS: usize = 50;
/// How many repositories the "most starred" and "star gains" tables show.
pub const TOP_REPOS: usize = 10;

/// One link occurrence worth reporting (failing, or fixed).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LinkEntry {
    pub paper: String,
    pub source: String,
    pub line: usize,
    pub column: usize,
    pub url: String,
    pub status: Status,
    pub http_status: Option<u16>,
    pub error: String,
    /// The reason in a few words (`reason::of_result`: "DNS: no such
    /// host", "HTTP 404 Not Found"); empty for a working link.
    pub reason: String,
    /// `first_failed_at`: since when the link fails (None for fixed links).
    pub since: Option<DateTime<Utc>>,
    /// Against the previous run; `None` when there was no previous report.
    pub change: Option<Change>,
}

/// One repository worth reporting (failing under the policy, or fixed).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RepoEntry {
    pub repo: String,
    pub health: Health,
    /// Whether it fails the run (a known failure under `--fail-on-new`
    /// does not).
    pub fails_run: bool,
    /// Against the previous run; `None` when there was no previous report.
    pub change: Option<Change>,
}

/// Counts link rows and keeps the ones the summary lists. Feed it every
/// row of links.csv, in order.
#[derive(Clone, Debug, Default)]
pub struct LinkTally {
    has_previous: bool,
    /// Occurrences per status.
    pub status_counts: BTreeMap<Status, usize>,
    /// All occurrences.
    pub total: usize,
    /// Occurrences whose result was reused from the previous run.
    pub cached: usize,
    /// Every failing occurrence (`Status::is_failure`), in input order.
    pub failing: Vec<LinkEntry>,
    /// Links working now that failed in the previous run: first occurrence
    /// of each URL, in input order.
    pub fixed: Vec<LinkEntry>,
    fixed_urls: HashSet<String>,
    /// Issue 25: occurrences `paperlinks fix` would rewrite, and the more
    /// it would with `--archived`.
    pub fixable: usize,
    pub fixable_archived: usize,
}

impl LinkTally {
    /// `has_previous`: whether a previous links.csv was loaded (without it,
    /// nothing is called new, known or fixed).
    pub fn new(has_previous: bool) -> Self {
        LinkTally {
            has_previous,
            ..Default::default()
        }
    }

    /// Whether a previous report was there to compare with.
    pub fn has_previous(&self) -> bool {
        self.has_previous
    }

    /// Adds one row; its change against the previous run is the `judge`'s.
    pub fn add(&mut self, row: &LinkRow<'_>, judge: &Judge<'_>) {
        let change = row
            .result
            .and_then(|r| judge.link(row.url, r.status).change);
        self.add_judged(row, change);
    }

    /// Adds one row whose change against the previous run is `change` (the
    /// judge's, decided once per URL by a caller with a million rows).
    pub fn add_judged(&mut self, row: &LinkRow<'_>, change: Option<Change>) {
        self.total += 1;
        let Some(result) = row.result else {
            *self.status_counts.entry(Status::Unchecked).or_default() += 1;
            return;
        };
        *self.status_counts.entry(result.status).or_default() += 1;
        if result.cached {
            self.cached += 1;
        }
        let entry = || LinkEntry {
            paper: row.paper.to_owned(),
            source: row.source.to_owned(),
            line: row.line,
            column: row.column,
            url: row.url.to_owned(),
            status: result.status,
            http_status: result.http_status,
            error: result.error.clone(),
            reason: super::reason::of_result(result),
            since: row.first_failed_at,
            change,
        };
        if result.status.is_failure() {
            self.failing.push(entry());
        } else if change == Some(Change::Fixed) && self.fixed_urls.insert(row.url.to_owned()) {
            let mut e = entry();
            e.since = None;
            self.fixed.push(e);
        }
    }

    /// Failing occurrences with the given change, first occurrence per URL.
    pub fn failing_with(&self, change: Change) -> Vec<&LinkEntry> {
        let mut seen = HashSet::new();
        self.failing
            .iter()
            .filter(|e| e.change == Some(change) && seen.insert(e.url.as_str()))
            .collect()
    }
}

/// Everything summary.md (and the JSON document) says about a run.
#[derive(Clone, Debug)]
pub struct SummaryInput<'a> {
    pub links: &'a LinkTally,
    /// All repository rows, already ranked (`repos::rank_repos`) and with
    /// star deltas filled (`repos::fill_star_deltas`).
    pub repos: &'a [RepoRow],
    /// Whether a previous repos.csv was loaded (star gains are shown only then).
    pub has_previous_repos: bool,
    /// The verdict: which repositories fail, and their change.
    pub judge: Judge<'a>,
    /// The run was stopped by Ctrl-C / SIGTERM.
    pub interrupted: bool,
    pub duration: Duration,
    /// GitHub API calls made in this run.
    pub api_calls: usize,
    /// Of `api_calls`, those that got an HTTP answer.
    pub api_answered: usize,
    /// API calls to the other forges, per forge (only those asked).
    pub forge_calls: Vec<(crate::model::Forge, usize)>,
    /// The exit code the run ends with, and why, in a few words.
    pub exit_code: i32,
    pub exit_reason: String,
    /// Extra lines for the reader (rate-limit notes, ignored previous
    /// reports, "network unreachable"...). Shown as a list.
    pub notes: Vec<String>,
}

impl SummaryInput<'_> {
    /// Repositories per health word, in `Health::ALL` order, zeros left out.
    pub fn health_counts(&self) -> BTreeMap<Health, usize> {
        let mut m = BTreeMap::new();
        for r in self.repos {
            *m.entry(r.health).or_default() += 1;
        }
        m
    }

    /// Repository rows reused from the previous run.
    pub fn cached_repos(&self) -> usize {
        self.repos.iter().filter(|r| r.cached).count()
    }

    /// The most-starred repositories (ranked ones only), at most `n`.
    pub fn top_repos(&self, n: usize) -> Vec<&RepoRow> {
        let mut v: Vec<&RepoRow> = self.repos.iter().filter(|r| is_ranked(r)).collect();
        v.sort_by_key(|r| (r.rank.unwrap_or(usize::MAX), r.key()));
        v.truncate(n);
        v
    }

    /// Repositories whose health word is in `fail_on` (with their change),
    /// in row order.
    pub fn failing_repos(&self) -> Vec<RepoEntry> {
        self.repo_entries(|v| v.in_policy)
    }

    /// Repositories in `fail_on` in the previous run and not now.
    pub fn fixed_repos(&self) -> Vec<RepoEntry> {
        self.repo_entries(|v| v.change == Some(Change::Fixed))
    }

    fn repo_entries(&self, keep: impl Fn(&RepoVerdict) -> bool) -> Vec<RepoEntry> {
        self.repos
            .iter()
            .filter_map(|r| {
                let v = self.judge.repo(r);
                keep(&v).then(|| RepoEntry {
                    repo: r.repo.clone(),
                    health: r.health,
                    fails_run: v.fails_run,
                    change: v.change,
                })
            })
            .collect()
    }

    /// The biggest positive star gains since the previous report, at most `n`.
    pub fn star_gains(&self, n: usize) -> Vec<&RepoRow> {
        let mut v: Vec<&RepoRow> = self
            .repos
            .iter()
            .filter(|r| r.stars_delta.is_some_and(|d| d > 0))
            .collect();
        v.sort_by_key(|r| (std::cmp::Reverse(r.stars_delta), r.key()));
        v.truncate(n);
        v
    }
}

pub use super::text::{md_cell, md_link, md_url};

fn date(t: Option<DateTime<Utc>>) -> String {
    t.map(fmt_time).unwrap_or_default()
}

fn status_text(e: &LinkEntry) -> String {
    match e.http_status {
        Some(h) => format!("{} ({h})", e.status),
        None => e.status.to_string(),
    }
}

fn more(out: &mut String, total: usize) {
    if total > MAX_TABLE_ROWS {
        let _ = writeln!(out, "\n... and {} more", total - MAX_TABLE_ROWS);
    }
}

fn link_list(out: &mut String, title: &str, entries: &[&LinkEntry]) {
    if entries.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## {title} ({})\n", entries.len());
    for e in entries.iter().take(MAX_TABLE_ROWS) {
        let _ = writeln!(
            out,
            "- {} {}{}, {}:{} {}",
            md_url(&e.url),
            md_cell(&status_text(e)),
            if e.reason.is_empty() {
                String::new()
            } else {
                format!(": {}", md_cell(&e.reason))
            },
            md_cell(&e.source),
            e.line,
            if e.paper.is_empty() {
                String::new()
            } else {
                format!("({})", md_cell(&e.paper))
            }
        );
    }
    more(out, entries.len());
}

fn repo_list(out: &mut String, title: &str, entries: &[RepoEntry]) {
    if entries.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## {title} ({})\n", entries.len());
    for e in entries.iter().take(MAX_TABLE_ROWS) {
        let change = match e.change {
            Some(Change::New) => " (new)",
            Some(Change::Known) => " (known)",
            _ => "",
        };
        let _ = writeln!(out, "- {} {}{change}", md_cell(&e.repo), e.health);
    }
    more(out, entries.len());
}

/// The repository sections: failing under `fail_on`, and fixed.
fn repo_lists(out: &mut String, input: &SummaryInput<'_>) {
    repo_list(out, "Failing repositories", &input.failing_repos());
    repo_list(
        out,
        "Repositories fixed since the last run",
        &input.fixed_repos(),
    );
}

/// `1 repository`, `2 repositories`.
pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "12 GitHub API calls", or "12 GitHub API calls attempted, 0 answered"
/// when some got no answer.
pub(super) fn api_calls_text(calls: usize, answered: usize) -> String {
    let made = plural(calls, "GitHub API call", "GitHub API calls");
    if answered >= calls {
        made
    } else {
        format!("{made} attempted, {answered} answered")
    }
}

/// "12", or "12 attempted, 0 answered" when some got no answer.
pub fn answered_text(calls: usize, answered: usize) -> String {
    if answered >= calls {
        calls.to_string()
    } else {
        format!("{calls} attempted, {answered} answered")
    }
}

/// Renders summary.md.
pub fn render_summary(input: &SummaryInput<'_>) -> String {
    let mut out = String::from("# paperlinks report\n\n");
    write_header(&mut out, input);
    write_totals(&mut out, input);
    write_link_lists(&mut out, input.links);
    repo_lists(&mut out, input);
    write_top_repos(&mut out, input);
    out
}

/// The interrupted warning, the one-paragraph account of the run and the notes.
fn write_header(out: &mut String, input: &SummaryInput<'_>) {
    let t = input.links;
    if input.interrupted {
        out.push_str(
            "> **The run was interrupted**: links not checked are marked `unchecked`.\n\n",
        );
    }
    let _ = writeln!(
        out,
        "{}, {}{}, in {:.1} s. Reused from the previous run: {}, {}. GitHub API calls: {}.{} Exit code {}: {}.",
        plural(t.total, "link occurrence", "link occurrences"),
        plural(input.repos.len(), "repository", "repositories"),
        found_via_text(input.repos),
        input.duration.as_secs_f64(),
        plural(t.cached, "link result", "link results"),
        plural(input.cached_repos(), "repository", "repositories"),
        answered_text(input.api_calls, input.api_answered),
        forge_calls_text(&input.forge_calls),
        input.exit_code,
        md_cell(&input.exit_reason),
    );
    if t.fixable + t.fixable_archived > 0 {
        let _ = writeln!(
            out,
            "\n`paperlinks fix` would rewrite {} links in the inputs ({} more with `--archived`).",
            t.fixable, t.fixable_archived
        );
    }
    if !input.notes.is_empty() {
        out.push('\n');
        for n in &input.notes {
            let _ = writeln!(out, "- {}", md_cell(n));
        }
    }
}

/// The totals tables: links per status, repositories per health word.
fn write_totals(out: &mut String, input: &SummaryInput<'_>) {
    out.push_str("\n## Totals\n\n| link status | links |\n|---|---:|\n");
    for (s, n) in &input.links.status_counts {
        let _ = writeln!(out, "| {s} | {n} |");
    }
    let health = input.health_counts();
    if !health.is_empty() {
        out.push_str("\n| repository health | repositories |\n|---|---:|\n");
        for (h, n) in &health {
            let _ = writeln!(out, "| {h} | {n} |");
        }
    }
}

/// The failing links table, then (with a previous run) new, known and fixed.
fn write_link_lists(out: &mut String, t: &LinkTally) {
    if !t.failing.is_empty() {
        let _ = writeln!(
            out,
            "\n## Failing links ({})\n\n| paper | file:line | URL | status | reason | since |\n|---|---|---|---|---|---|",
            t.failing.len()
        );
        for e in t.failing.iter().take(MAX_TABLE_ROWS) {
            let _ = writeln!(
                out,
                "| {} | {}:{} | {} | {} | {} | {} |",
                md_cell(&e.paper),
                md_cell(&e.source),
                e.line,
                md_url(&e.url),
                md_cell(&status_text(e)),
                md_cell(&e.reason),
                date(e.since),
            );
        }
        more(out, t.failing.len());
    }
    if t.has_previous() {
        link_list(out, "Newly failing", &t.failing_with(Change::New));
        link_list(out, "Still failing (known)", &t.failing_with(Change::Known));
        let fixed: Vec<&LinkEntry> = t.fixed.iter().collect();
        link_list(out, "Fixed since the last run", &fixed);
    }
}

/// The most-starred repositories and (with a previous run) the biggest gains.
fn write_top_repos(out: &mut String, input: &SummaryInput<'_>) {
    let top = input.top_repos(TOP_REPOS);
    if !top.is_empty() {
        out.push_str("\n## Most-starred repositories\n\n| # | repository | stars | health |\n|---:|---|---:|---|\n");
        for r in top {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                r.rank.map(|n| n.to_string()).unwrap_or_default(),
                md_cell(&r.repo),
                r.info.as_ref().map(|i| i.stars).unwrap_or(0),
                r.health
            );
        }
    }
    if input.has_previous_repos {
        let gains = input.star_gains(TOP_REPOS);
        if !gains.is_empty() {
            out.push_str("\n## Biggest star gains since the last run\n\n| repository | stars | gained |\n|---|---:|---:|\n");
            for r in gains {
                let _ = writeln!(
                    out,
                    "| {} | {} | +{} |",
                    md_cell(&r.repo),
                    r.info.as_ref().map(|i| i.stars).unwrap_or(0),
                    r.stars_delta.unwrap_or(0)
                );
            }
        }
    }
}

/// One dead link (or missing repository) and where its code went, in words
/// (`archive::words`: "code gone; Software Heritage holds a copy from
/// 2024-03-01: URL" or "code gone; no archived copy found").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveEntry {
    pub url: String,
    pub words: String,
    /// The copy's URL when the words end with it (kept bare in Markdown so
    /// it stays a link).
    pub copy: Option<String>,
}

/// The archive section of summary.md (issue 15): the number of archive
/// calls, where each dead link went, and the save requests made. `None`
/// for `enabled = false`: the section says the lookups were off.
pub fn render_archive_md(
    enabled: bool,
    calls: usize,
    entries: &[ArchiveEntry],
    saves: &[(String, String)],
) -> String {
    let mut out = String::from("\n## Archived copies of dead links\n\n");
    if !enabled {
        out.push_str("Archive lookups were off (`[archive] enabled = false` or `--no-archive`).\n");
        return out;
    }
    let _ = writeln!(
        out,
        "Archive calls (Software Heritage and the Wayback Machine): {calls}."
    );
    if !entries.is_empty() {
        out.push('\n');
    }
    for e in entries.iter().take(MAX_TABLE_ROWS) {
        let words = match e.copy.as_deref().and_then(|c| e.words.strip_suffix(c)) {
            Some(prefix) => format!(
                "{}{}",
                md_cell(prefix),
                md_url(e.copy.as_deref().unwrap_or(""))
            ),
            None => md_cell(&e.words),
        };
        let _ = writeln!(out, "- {}: {words}", md_url(&e.url));
    }
    more(&mut out, entries.len());
    if !saves.is_empty() {
        let _ = writeln!(
            out,
            "\nSoftware Heritage \"save code now\" requests ({}):\n",
            saves.len()
        );
        for (origin, status) in saves.iter().take(MAX_TABLE_ROWS) {
            let _ = writeln!(out, "- {}: {}", md_url(origin), md_cell(status));
        }
        more(&mut out, saves.len());
    }
    out
}

/// The archive section of summary.md for what the archive stage learnt:
/// `words` are its words per dead URL (`Archived::words_by_url`).
pub fn archive_section(archived: &Archived, words: &[(&str, String, Option<String>)]) -> String {
    let entries: Vec<ArchiveEntry> = words
        .iter()
        .map(|(url, w, copy)| ArchiveEntry {
            url: url.to_string(),
            words: w.clone(),
            copy: copy.clone(),
        })
        .collect();
    let saves: Vec<(String, String)> = archived
        .saves
        .iter()
        .map(|s| (s.origin.clone(), s.status.clone()))
        .collect();
    render_archive_md(archived.enabled, archived.calls, &entries, &saves)
}

/// One sentence for the terminal: how many dead links have a copy; `None`
/// when the archives were off or nothing was dead.
pub fn archive_sentence(archived: &Archived) -> Option<String> {
    if !archived.enabled || archived.targets.is_empty() {
        return None;
    }
    let known: Vec<&Outcome> = archived
        .lookups
        .iter()
        .flatten()
        .map(|l| &l.outcome)
        .collect();
    let found = known
        .iter()
        .filter(|o| matches!(o, Outcome::Found { .. }))
        .count();
    Some(format!(
        "{} dead links or missing repositories: {found} with an archived copy, {} without, {} not looked up ({} archive calls).",
        archived.targets.len(),
        known.len() - found,
        archived.targets.len() - known.len(),
        archived.calls
    ))
}

/// Appends the Markdown to the `$GITHUB_STEP_SUMMARY` file (created if
/// missing). Not atomic: the file belongs to the runner and other steps
/// append to it too; one `write_all` of the whole text.
pub fn append_step_summary(path: &Path, markdown: &str) -> Result<(), Error> {
    let mut text = markdown.to_owned();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|source| Error::Report {
            path: path.to_path_buf(),
            source,
        })
}

/// " (N found on project pages)" or "" when none was (`[follow]`).
fn found_via_text(repos: &[RepoRow]) -> String {
    match repos.iter().filter(|r| !r.found_via.is_empty()).count() {
        0 => String::new(),
        n => format!(" ({n} found on project pages)"),
    }
}

/// " Other forges' API calls: huggingface 3, gitlab 1." or "" when none
/// was asked.
pub fn forge_calls_text(calls: &[(crate::model::Forge, usize)]) -> String {
    if calls.is_empty() {
        return String::new();
    }
    let list: Vec<String> = calls.iter().map(|(f, n)| format!("{f} {n}")).collect();
    format!(" Other forges' API calls: {}.", list.join(", "))
}
