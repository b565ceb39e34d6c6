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

pub mod archive;
pub mod changed;
pub mod check;
pub mod config;
pub mod error;
pub mod extract;
pub mod fix;
pub mod forge;
pub mod github;
pub mod history;
pub mod http;
pub mod input;
pub mod model;
pub mod pipeline;
pub mod progress;
pub mod proxy;
pub mod report;
pub mod rows;
pub mod shard;
pub mod store;
pub mod verdict;
mod words;

pub use config::Config;
pub use error::{Error, Result};
pub use model::{Health, LinkResult, Status};
pub use pipeline::{Exit, OutputFormat, RunOptions, run, run_extract, run_merge};
/// The GitHub token's type: `Debug` redacted, no `Display`.
pub use secrecy::SecretString;
