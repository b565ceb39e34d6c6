//! Reports: links.csv, repos.csv, papers.csv, summary.md, popularity.md and
//! popularity.svg, GitHub Actions annotations, the `--format json`
//! document, index.html, and reading the previous run's reports back.
//!
//! Takes finished results and only writes files (each one atomically: a
//! temporary file in the same directory, flushed, renamed over the old one).
//! Never does network I/O. Every cell from untrusted text is neutralised
//! against spreadsheet formula injection.
//!
//! Map of the module:
//! - [`atomic`]: the one atomic-write helper every report uses;
//! - [`csv_safe`]: formula-injection neutralising (and its inverse);
//! - [`links`], [`repos`], [`papers`]: the three CSV reports;
//! - [`previous`]: reading the previous links.csv / repos.csv back, and
//!   the fixed / new / known and `first_failed_at` rules;
//! - [`summary`]: summary.md and `$GITHUB_STEP_SUMMARY`;
//! - [`annotations`]: GitHub Actions workflow commands;
//! - [`json`]: the `--format json` document;
//! - [`popularity`]: popularity.md; [`chart`]: popularity.svg;
//! - [`html`]: index.html, the self-contained report page.
//!
//! # How the pipeline uses it
//! 1. Before checking: `read_previous_links(dir/links.csv)` and
//!    `read_previous_repos(dir/repos.csv)` (skip with `--no-cache`); print
//!    `Previous::warning()` if any. Reuse fresh `ok`/`redirected` results
//!    (`PreviousLink::result`, set `cached = true`).
//! 2. For each occurrence: `first_failed_at = carry_first_failed(prev, &result)`.
//! 3. Repositories: `fill_star_deltas(&mut rows, &previous)`, then
//!    `rank_repos(&mut rows)`.
//! 4. Write: `write_links_csv`, `write_repos_csv`, `write_papers_csv`,
//!    `write_text_atomic(summary.md, &render_summary(..))`,
//!    `write_text_atomic(popularity.md, &render_popularity_md(..))`,
//!    `write_popularity_svg`. While streaming the link rows once more, feed
//!    a [`LinkTally`] and a [`RepoPapers`]. Then `write_html_report`
//!    (index.html) from the [`SummaryInput`], the paper rows and the
//!    verdict's failure decisions.
//! 5. CI: `write_annotations(stdout, ..)` when `GITHUB_ACTIONS=true`;
//!    `append_step_summary` when `GITHUB_STEP_SUMMARY` is set;
//!    `--format json`: `print!("{}", render_json(&JsonReport::new(&input)))`.

pub mod annotations;
pub mod atomic;
pub mod chart;
pub mod csv_safe;
pub mod html;
pub mod json;
pub mod links;
pub mod papers;
pub mod popularity;
pub mod previous;
pub mod repos;
pub mod summary;

pub use annotations::{FailPolicy, Level, Location, relative_source, write_annotations};
pub use atomic::{write_atomic, write_text_atomic};
pub use chart::{render_popularity_svg, write_popularity_svg};
pub use csv_safe::{neutralise, restore};
pub use html::{HtmlInput, render_html_report, write_html_report};
pub use json::{JsonReport, render_json};
pub use links::{
    LINK_COLUMNS, LINK_EXTRA_COLUMNS, LinkCsvWriter, write_link_rows, write_links_csv,
};
pub use papers::{PAPER_COLUMNS, write_paper_rows, write_papers_csv};
pub use popularity::{RepoPapers, render_popularity_md};
pub use previous::{
    Change, Previous, PreviousLink, PreviousRepos, carry_first_failed, classify_change,
    read_previous_links, read_previous_repos,
};
pub use repos::{
    REPO_COLUMNS, REPO_EXTRA_COLUMNS, fill_star_deltas, rank_repos, write_repo_rows,
    write_repos_csv,
};
pub use summary::{LinkEntry, LinkTally, SummaryInput, append_step_summary, render_summary};

/// The report file names inside the output directory.
pub mod names {
    pub const LINKS_CSV: &str = "links.csv";
    pub const REPOS_CSV: &str = "repos.csv";
    pub const PAPERS_CSV: &str = "papers.csv";
    pub const SUMMARY_MD: &str = "summary.md";
    pub const POPULARITY_MD: &str = "popularity.md";
    pub const POPULARITY_SVG: &str = "popularity.svg";
    pub const INDEX_HTML: &str = "index.html";
}

use chrono::{DateTime, SecondsFormat, Utc};

/// The one date format of every report: RFC 3339, UTC, whole seconds, `Z`.
pub fn fmt_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub(crate) fn bool_str(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}
