//! Failures of the tool itself (not of a link: a link's outcome is a
//! `model::Status`). Every variant carries its context: the path or URL.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("configuration error in {}: {message}", path.display())]
    Config { path: PathBuf, message: String },
    #[error("input {input}: {message}")]
    Input { input: String, message: String },
    #[error("cannot write report {}: {source}", path.display())]
    Report {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Writing the run's output (stdout, `<stdout>`) failed: not a usage
    /// error (exit 1).
    #[error("cannot write {}: {source}", path.display())]
    Output {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot build HTTP client: {0}")]
    Client(String),
}

impl Error {
    /// True for errors a user fixes by changing arguments, config or inputs
    /// (the binary maps these to exit code 3). Failing to write a report or
    /// stdout is not one of them (exit 1).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Error::Config { .. } | Error::Input { .. } | Error::Io { .. }
        )
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
