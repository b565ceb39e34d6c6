//! Reports: links.csv, repos.csv, papers.csv, summary.md, popularity.md and
//! popularity.svg, GitHub Actions annotations, the `--format json`
//! document, and reading the previous run's reports back.
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
//! - [`popularity`]: popularity.md; [`chart`]: popularity.svg.

pub mod annotations;
pub mod atomic;
pub mod chart;
pub mod csv_safe;
pub mod json;
pub mod links;
pub mod papers;
pub mod popularity;
pub mod previous;
pub mod repos;
pub mod summary;

pub use annotations::{FailPolicy, Level, write_annotations};
pub use atomic::{write_atomic, write_text_atomic};
pub use chart::{render_popularity_svg, write_popularity_svg};
pub use csv_safe::{neutralise, restore};
pub use json::{JsonReport, render_json};
pub use links::{LINK_COLUMNS, LINK_EXTRA_COLUMNS, write_link_rows, write_links_csv};
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
pub use summary::{LinkTally, SummaryInput, append_step_summary, render_summary};

use chrono::{DateTime, SecondsFormat, Utc};

/// The one date format of every report: RFC 3339, UTC, whole seconds, `Z`.
pub fn fmt_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub(crate) fn bool_str(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}
