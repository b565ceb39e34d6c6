//! paperlinks: find every code and project link in research-paper abstracts,
//! check them all concurrently, audit the linked GitHub repositories, and
//! write CSV and Markdown reports for people and CI jobs.
//!
//! Data flows one way: `input` -> `extract` -> `check` / `github` -> `report`.

pub mod check;
pub mod config;
pub mod error;
pub mod extract;
pub mod github;
pub mod input;
pub mod model;
pub mod report;

pub use config::Config;
pub use error::{Error, Result};
pub use model::{Health, LinkResult, Status};
