//! paperlinks: find every code and project link in research-paper abstracts,
//! check them all concurrently, audit the linked GitHub repositories, and
//! write CSV and Markdown reports for people and CI jobs.
//!
//! Data flows one way: `input` -> `extract` -> `check` / `github` ->
//! `report`, wired by `pipeline`. See ARCHITECTURE.md for the codemap.

pub mod check;
pub mod cli;
pub mod config;
pub mod error;
pub mod extract;
pub mod github;
pub mod history;
pub mod input;
pub mod model;
pub mod pipeline;
pub mod progress;
pub mod report;
pub mod store;

pub use config::Config;
pub use error::{Error, Result};
pub use model::{Health, LinkResult, Status};
pub use pipeline::{Exit, RunOptions, run, run_extract};
