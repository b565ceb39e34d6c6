//! Reports: links.csv, repos.csv, papers.csv, summary.md, popularity.md,
//! popularity.svg, links.sarif, junit.xml and index.html, GitHub Actions
//! annotations, the `--format json` and `--format sarif` documents. Reading
//! the previous run back is `crate::history`'s: this module only writes.
//!
//! Takes finished results and only writes files (each one atomically: a
//! temporary file in the same directory, flushed, renamed over the old one).
//! Never does network I/O. Every cell from untrusted text is neutralised
//! against spreadsheet formula injection.
//!
//! Map of the module:
//! - [`atomic`]: the one atomic-write helper every report uses;
//! - [`links`], [`repos`], [`papers`]: the three CSV reports, each written
//!   through its record in `crate::rows` (which also neutralises every text
//!   cell against formula injection);
//! - [`summary`]: summary.md and `$GITHUB_STEP_SUMMARY`;
//! - [`annotations`]: GitHub Actions workflow commands;
//! - [`json`]: the `--format json` document;
//! - [`sarif`]: links.sarif and `--format sarif`; [`junit`]: junit.xml;
//!   [`finding`]: their rule ids, descriptions and messages;
//! - [`popularity`]: popularity.md; [`chart`]: popularity.svg;
//! - [`terminal`]: the end-of-run text on the terminal.
//! - [`reason`]: a failure's reason in a few words, for the terminal,
//!   summary.md and the page;
//! - [`text`]: untrusted text made safe for the terminal, annotations and
//!   Markdown (controls removed, nothing becomes a link).
//! - [`html`]: index.html, the self-contained report page.
//!
//! # How the pipeline uses it
//! 1. Before checking, history (not this module) reads the previous run
//!    (`crate::history::History::load`); `first_failed_at` and star deltas
//!    come from there too.
//! 2. Repositories: `rank_repos(&mut rows)`.
//! 3. Write: `write_links_csv`, `write_repos_csv`, `write_papers_csv`,
//!    `write_text_atomic(summary.md, &render_summary(..))`,
//!    `write_text_atomic(popularity.md, &render_popularity_md(..))`,
//!    `write_popularity_svg`, then `write_sarif` and `write_junit` inside
//!    `write_atomic` (each only when `[report] formats` names it). While
//!    streaming the link rows once more, feed a [`LinkTally`] and a
//!    [`RepoPapers`]. Then `write_html_report` (index.html) from the
//!    [`SummaryInput`], the paper rows and the verdict's decisions.
//! 4. CI: `write_annotations(stdout, .., &judge, ..)` when
//!    `GITHUB_ACTIONS=true` (levels, like every new/known/fixed, come from
//!    `crate::verdict::Judge`);
//!    `append_step_summary` when `GITHUB_STEP_SUMMARY` is set;
//!    `--format json`: `print!("{}", render_json(&JsonReport::new(&input)))`;
//!    `--format sarif`: `write_sarif(stdout, ..)`.

pub mod annotations;
pub mod atomic;
pub mod chart;
pub mod finding;
pub mod html;
pub mod json;
pub mod junit;
pub mod links;
pub mod papers;
pub mod popularity;
pub mod reason;
pub mod repos;
pub mod sarif;
pub mod summary;
pub mod terminal;
pub mod text;

pub use crate::rows::csv_safe::{self, neutralise, restore};
pub use crate::rows::{CHAIN_SEPARATOR, fmt_time};
pub use crate::verdict::{Change, FailPolicy, Level};
pub use annotations::{Location, relative_source, write_annotations};
pub use atomic::{write_atomic, write_text_atomic};
pub use chart::{render_popularity_svg, write_popularity_svg};
pub use html::{HtmlInput, render_html_report, write_html_report};
pub use json::{JsonReport, render_json};
pub use junit::write_junit;
pub use links::{
    LinkCsvWriter, link_columns, write_link_rows, write_link_rows_by_url, write_links_csv,
    write_links_csv_by_url,
};
pub use papers::{paper_columns, write_paper_rows, write_papers_csv};
pub use popularity::{RepoPapers, render_popularity_md};
pub use repos::{rank_repos, repo_columns, write_repo_rows, write_repos_csv};
pub use sarif::write_sarif;
pub use summary::{
    ArchiveEntry, LinkEntry, LinkTally, RepoEntry, SummaryInput, append_step_summary,
    archive_section, archive_sentence, render_archive_md, render_summary,
};
pub use terminal::{TerminalStyle, render_terminal};

/// The report file names inside the output directory.
pub mod names {
    pub const LINKS_CSV: &str = "links.csv";
    pub const REPOS_CSV: &str = "repos.csv";
    pub const PAPERS_CSV: &str = "papers.csv";
    pub const SUMMARY_MD: &str = "summary.md";
    pub const POPULARITY_MD: &str = "popularity.md";
    pub const POPULARITY_SVG: &str = "popularity.svg";
    pub const LINKS_SARIF: &str = "links.sarif";
    pub const JUNIT_XML: &str = "junit.xml";
    pub const INDEX_HTML: &str = "index.html";
}
