//! paperlinks: find every code and project link in research-paper abstracts,
//! check them all concurrently, audit the linked GitHub repositories, and
//! write CSV and Markdown reports for people and CI jobs.
//!
//! Data flows one way: `input` -> `extract` -> `check` / `github` ->
//! `report`, wired by `pipeline`. See ARCHITECTURE.md for the codemap.
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
pub mod cli;
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

pub use config::Config;
pub use error::{Error, Result};
pub use model::{Health, LinkResult, Status};
pub use pipeline::{Exit, OutputFormat, RunOptions, run, run_extract, run_merge};
/// The GitHub token's type: `Debug` redacted, no `Display`.
pub use secrecy::SecretString;
