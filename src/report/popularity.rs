//! popularity.md (issue 5): the repositories ranked by stars with the
//! papers that link them, stars gained since the previous report, health,
//! last push and license; then the papers with broken or missing code.
//!
//! Never does network I/O; written with `atomic::write_text_atomic`.

use super::text::{md_cell, md_link};
use crate::model::{CodeState, Health, LinkRow, PaperRow, RepoKey, RepoRow};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

/// How many paper titles a repository row lists before "and N more".
pub const MAX_PAPERS_PER_REPO: usize = 5;

/// The papers linking each repository, collected while the link rows
/// stream by: lowercase `owner/name` -> paper titles, first-seen order,
/// without duplicates. Empty paper titles are skipped.
#[derive(Clone, Debug, Default)]
pub struct RepoPapers {
    papers: HashMap<RepoKey, Vec<String>>,
    seen: HashSet<(RepoKey, String)>,
}

impl RepoPapers {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, row: &LinkRow<'_>) {
        if row.repo.is_empty() || row.paper.is_empty() {
            return;
        }
        let key = RepoKey::new(row.repo);
        if self.seen.insert((key.clone(), row.paper.to_owned())) {
            self.papers
                .entry(key)
                .or_default()
                .push(row.paper.to_owned());
        }
    }

    /// The papers linking `repo` (any case).
    pub fn get(&self, repo: &str) -> &[String] {
        self.papers
            .get(&RepoKey::new(repo))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// Formats a count with thousands separators: 12345 -> "12,345".
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Why a paper is listed under "broken or missing code", or `None`
/// (issue 24 item 7): its code link is `broken` (no other link, no other
/// status), its best repository is missing (or empty, or a placeholder),
/// or it has no code link while it promises code or withholds it.
pub fn paper_problem(p: &PaperRow<'_>) -> Option<String> {
    let mut why = Vec::new();
    match p.code_state {
        CodeState::Withheld => why.push("code withheld (marked as not available)".to_owned()),
        CodeState::Promised => why.push("promises code, links none".to_owned()),
        _ => {}
    }
    if p.broken_code_links > 0 {
        why.push(format!(
            "{} broken code link{}",
            p.broken_code_links,
            if p.broken_code_links == 1 { "" } else { "s" }
        ));
    }
    if let Some(h @ (Health::Missing | Health::Empty | Health::Placeholder)) = p.health {
        why.push(format!("best repository is {h}"));
    }
    (!why.is_empty()).then(|| why.join("; "))
}

/// A license as shown to people: GitHub's `NOASSERTION` (a license file
/// it cannot name) is "other"; repos.csv keeps the word as GitHub gives it.
pub fn license_label(license: &str) -> &str {
    if license.eq_ignore_ascii_case("NOASSERTION") {
        "other"
    } else {
        license
    }
}

/// Renders popularity.md. `repos` in report order (ranked with
/// `repos::rank_repos`, deltas from `repos::fill_star_deltas`);
/// `previous_report_at` is the previous repos.csv's date, if one was read
/// (the "gained" column is shown only then).
pub fn render_popularity_md(
    repos: &[RepoRow],
    repo_papers: &RepoPapers,
    papers: &[PaperRow<'_>],
    previous_report_at: Option<DateTime<Utc>>,
) -> String {
    let mut out = String::new();
    write_intro(&mut out, repos.len(), papers.len(), previous_report_at);
    let gained = previous_report_at.is_some();
    for r in repos {
        write_repo_line(&mut out, r, repo_papers, gained);
    }
    write_problems(&mut out, papers);
    out
}

/// The title, the sentence under it and the table's head.
fn write_intro(
    out: &mut String,
    repos: usize,
    papers: usize,
    previous_report_at: Option<DateTime<Utc>>,
) {
    out.push_str("# Repository popularity\n\n");
    let _ = write!(
        out,
        "{repos} repositories linked from {papers} papers, most stars first."
    );
    if let Some(at) = previous_report_at {
        let _ = write!(
            out,
            " Stars gained are counted since the previous report ({}).",
            crate::rows::fmt_time(at)
        );
    }
    out.push_str("\n\n");
    let gained = previous_report_at.is_some();
    out.push_str("| # | repository | stars |");
    if gained {
        out.push_str(" gained |");
    }
    out.push_str(" health | last push | license | papers |\n|---:|---|---:|");
    if gained {
        out.push_str("---:|");
    }
    out.push_str("---|---|---|---|\n");
}

/// One table row: rank, linked name (and its new name), stars, gain,
/// health, last push, license and the first papers that link it.
fn write_repo_line(out: &mut String, r: &RepoRow, repo_papers: &RepoPapers, gained: bool) {
    let info = r.info.as_ref();
    let name = match info {
        Some(i) if !i.url.is_empty() => md_link(&r.repo, &i.url),
        _ => md_cell(&r.repo),
    };
    let mut renamed = r
        .renamed_to()
        .map(|to| format!(" (now {})", md_cell(to)))
        .unwrap_or_default();
    if !r.found_via.is_empty() {
        let _ = write!(renamed, " (via {})", md_link("project page", &r.found_via));
    }
    let list = repo_papers.get(&r.repo);
    let mut titles: Vec<String> = list
        .iter()
        .take(MAX_PAPERS_PER_REPO)
        .map(|p| md_cell(p))
        .collect();
    if list.len() > MAX_PAPERS_PER_REPO {
        titles.push(format!("and {} more", list.len() - MAX_PAPERS_PER_REPO));
    }
    let _ = write!(
        out,
        "| {} | {}{} | {} |",
        r.rank.map(|n| n.to_string()).unwrap_or_else(|| "-".into()),
        name,
        renamed,
        info.map(|i| thousands(i.stars)).unwrap_or_default(),
    );
    if gained {
        let d = match r.stars_delta {
            Some(d) if d > 0 => format!("+{}", thousands(d as u64)),
            Some(d) if d < 0 => format!("-{}", thousands(d.unsigned_abs())),
            Some(_) => "0".into(),
            None => String::new(),
        };
        let _ = write!(out, " {d} |");
    }
    let _ = writeln!(
        out,
        " {} | {} | {} | {} |",
        r.health,
        info.and_then(|i| i.pushed_at)
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        info.and_then(|i| i.license.as_deref())
            .map(|l| md_cell(license_label(l)))
            .unwrap_or_default(),
        titles.join("; "),
    );
}

/// The section listing papers with broken or missing code.
fn write_problems(out: &mut String, papers: &[PaperRow<'_>]) {
    let problems: Vec<(&PaperRow<'_>, String)> = papers
        .iter()
        .filter_map(|p| paper_problem(p).map(|why| (p, why)))
        .collect();
    let _ = writeln!(
        out,
        "\n## Papers with broken or missing code ({})\n",
        problems.len()
    );
    if problems.is_empty() {
        out.push_str("None.\n");
    } else {
        out.push_str("| paper | source:line | problem |\n|---|---|---|\n");
        for (p, why) in problems {
            let _ = writeln!(
                out,
                "| {} | {}:{} | {} |",
                md_cell(p.paper),
                md_cell(p.source),
                p.line,
                md_cell(&why)
            );
        }
    }
}
