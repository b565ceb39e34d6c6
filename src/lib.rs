//! paperlinks: find every code and project link in research-paper lists
//! (text, Markdown, HTML, JSON), check them all concurrently, audit the
//! linked repositories on GitHub and other forges (Hugging Face, GitLab,
//! Gitea/Forgejo, Gitee), look up archived copies of dead ones, and write
//! reports (CSV, Markdown, SARIF, JUnit, HTML) for people and CI jobs.
//!
//! Data flows one way: `input` -> `extract` -> `check` / `github` / `forge`
//! -> `archive` -> `verdict` -> `report`, wired by `pipeline`. See
//! ARCHITECTURE.md for the codemap.
//!
//! The library has no command line, draws nothing and installs no logger:
//! the `paperlinks` binary (`src/main.rs` and its own modules) parses the
//! arguments, renders [`progress::Progress`] and prints the warnings the
//! library sends through `tracing` (target `paperlinks::notice`).
//! A whole run, as a library:
//!
//! ```no_run
//! # async fn demo() -> Result<(), paperlinks::Error> {
//! let mut config = paperlinks::Config::default();
//! config.inputs = vec!["papers.md".into()];
//! let options = paperlinks::RunOptions::new(config);
//! let shutdown = tokio_util::sync::CancellationToken::new();
//! let exit = paperlinks::run(options, shutdown, &mut std::io::sink()).await?;
//! println!("exit code {}", exit.code());
//! # Ok(())
//! # }
//! ```
//!
//! Extraction alone, as a library:
//!
//! ```
//! use paperlinks::extract::{Event, Format, extract_str};
//!
//! let text = "# A Paper\n\nCode is available at https://github.com/org/repo{Repo}.\n";
//! let urls: Vec<String> = extract_str(Format::Markdown, text)
//!     .into_iter()
//!     .filter_map(|e| match e {
//!         Event::Link(l) => Some(l.url),
//!         _ => None,
//!     })
//!     .collect();
//! assert_eq!(urls, ["https://github.com/org/repo"]);
//! ```

#![warn(missing_docs, unreachable_pub)]

// The library's API, documented: a run (`run`, `run_extract`, `run_merge`,
// `RunOptions` with every token), its `Config`, the row, status and health
// types (`model`), extraction on its own (`extract`), errors and progress.
pub mod config;
pub mod error;
pub mod extract;
pub mod model;
pub mod progress;

// Public for the binary, the integration tests and the benchmark harness
// only: hidden from the documentation and no part of the API (no stability
// promise, no docs required).
#[doc(hidden)]
pub mod archive;
#[doc(hidden)]
pub mod changed;
#[doc(hidden)]
pub mod check;
#[doc(hidden)]
pub mod fix;
#[doc(hidden)]
pub mod forge;
#[doc(hidden)]
pub mod github;
#[doc(hidden)]
pub mod history;
#[doc(hidden)]
pub mod http;
#[doc(hidden)]
pub mod input;
#[doc(hidden)]
pub mod pipeline;
#[doc(hidden)]
pub mod proxy;
#[doc(hidden)]
pub mod report;
#[doc(hidden)]
pub mod rows;
#[doc(hidden)]
pub mod shard;
#[doc(hidden)]
pub mod store;
#[doc(hidden)]
pub mod verdict;
mod words;

pub use config::Config;
pub use error::{Error, Result};
pub use model::{Health, LinkResult, Status};
pub use pipeline::{Exit, OutputFormat, RunOptions, run, run_extract, run_merge};
pub use progress::{Progress, Stage};
/// The GitHub token's type: `Debug` redacted, no `Display`.
pub use secrecy::SecretString;
