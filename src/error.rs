//! Failures of the tool itself (not of a link: a link's outcome is a
//! `model::Status`). Every variant carries its context: the path or URL.

use std::path::PathBuf;

/// Why a run, a merge or an extraction could not go on. A link or
/// repository that fails is an outcome, never one of these.
/// [`Error::exit_code`] maps each to the binary's exit code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// A config file or the command line holds a bad value: `path` names
    /// which (`command line` for flags), `message` the key and the problem.
    #[error("configuration error in {}: {message}", path.display())]
    Config {
        /// The config file, or `command line`.
        path: PathBuf,
        /// The key and what is wrong with it.
        message: String,
    },
    /// An input cannot be read or used: `input` names it.
    #[error("input {input}: {message}")]
    Input {
        /// The input as named.
        input: String,
        /// What is wrong.
        message: String,
    },
    /// A report file cannot be written.
    #[error("cannot write report {}: {source}", path.display())]
    Report {
        /// The report file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// Writing the run's output (stdout, `<stdout>`) failed: not a usage
    /// error (exit 1).
    #[error("cannot write {}: {source}", path.display())]
    Output {
        /// Where the output went.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// An HTTP client cannot be built (a bad proxy URL, TLS setup).
    #[error("cannot build HTTP client: {0}")]
    Client(String),
    /// `merge` refuses a set of shards (missing, duplicated, or run on
    /// other inputs, config or version); `dir` names the shard's directory
    /// (empty when the set as a whole is wrong).
    #[error("{}", shard_text(dir, message))]
    Shard {
        /// The shard's directory; empty for the set as a whole.
        dir: PathBuf,
        /// Why it is refused.
        message: String,
    },
    /// The arguments and config together do not make a run (e.g. no
    /// inputs anywhere): the message says what to pass.
    #[error("{0}")]
    Usage(String),
    /// No input could be read: every one was remote and none could be
    /// fetched (the binary exits 4, as for an unreachable network).
    #[error("no input could be read: {0}")]
    NothingRead(String),
    /// The output directory cannot be written (probed before any request;
    /// exit 1).
    #[error("cannot write to the output directory {}: {source}", path.display())]
    OutputDir {
        /// The output directory.
        path: PathBuf,
        /// What the probe's write said.
        #[source]
        source: std::io::Error,
    },
    /// `--changed-since REV` (`[ci] changed_since`) cannot be answered:
    /// an unknown revision, no git work tree, a shallow clone lacking REV.
    #[error("--changed-since {rev}: {message}")]
    Changed {
        /// The revision asked for.
        rev: String,
        /// Why it cannot be answered.
        message: String,
    },
}

fn shard_text(dir: &std::path::Path, message: &str) -> String {
    if dir.as_os_str().is_empty() {
        format!("cannot merge: {message}")
    } else {
        format!("cannot merge shard {}: {message}", dir.display())
    }
}

impl Error {
    /// True for errors a user fixes by changing arguments, config or inputs
    /// (the binary maps these to exit code 3). Failing to write a report or
    /// stdout is not one of them (exit 1).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Error::Config { .. }
                | Error::Input { .. }
                | Error::Io { .. }
                | Error::Shard { .. }
                | Error::Usage(_)
                | Error::Changed { .. }
        )
    }
}

impl Error {
    /// The exit code the binary gives this error: 3 for usage errors
    /// (`is_usage`), 4 when no input could be read, else 1.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::NothingRead(_) => 4,
            e if e.is_usage() => 3,
            _ => 1,
        }
    }
}

/// The library's `Result`, with [`Error`] by default.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error and its sources on one line, joined with ": ", leaving out a
/// source whose text is already there (libraries often repeat their cause
/// in their own message). `skip_top`: start at the first source, for errors
/// whose own text names something else than a cause (reqwest's names the
/// URL); the top's text is used when it has no source. The one place an
/// error chain becomes text (check and github both use it).
pub fn chain_text(e: &(dyn std::error::Error + 'static), skip_top: bool) -> String {
    let mut text = if skip_top {
        String::new()
    } else {
        e.to_string()
    };
    let mut src = e.source();
    while let Some(inner) = src {
        let t = inner.to_string();
        if !text.contains(&t) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&t);
        }
        src = inner.source();
    }
    if text.is_empty() { e.to_string() } else { text }
}

/// A failed request's cause in a few words, for a warning ("DNS lookup
/// of api.github.com failed", "connection to 127.0.0.1:8080 refused"):
/// read from the chain's types (an `io::Error`'s kind, hyper's DNS and
/// timeout errors) and, for TLS, its text. `None` when no cause is
/// recognised; the caller then keeps the whole chain.
pub fn net_cause(e: &(dyn std::error::Error + 'static), host: &str) -> Option<String> {
    use std::io::ErrorKind as K;
    let (mut src, mut kind, mut lower) = (Some(e), None, String::new());
    while let Some(s) = src {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            kind.get_or_insert(io.kind());
        }
        // Texts that name a URL are left out: a path may hold any word.
        let t = s.to_string().to_ascii_lowercase();
        if !t.contains("://") {
            lower.push_str(&t);
            lower.push('\n');
        }
        src = s.source();
    }
    // hyper-util's resolver says "dns error"; ours "DNS lookup of".
    if lower.contains("dns error") || lower.contains("dns lookup") {
        return Some(format!("DNS lookup of {host} failed"));
    }
    if ["certificate", "tls", "handshake", "ssl"]
        .iter()
        .any(|w| lower.contains(w))
    {
        return Some(format!("TLS handshake with {host} failed"));
    }
    let words = match kind? {
        K::ConnectionRefused => "refused",
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => "reset",
        K::TimedOut => "timed out",
        K::NetworkUnreachable | K::HostUnreachable => "impossible (no route)",
        _ => return None,
    };
    Some(format!("connection to {host} {words}"))
}

/// A request that got no answer, for a warning: its cause in few words
/// ([`net_cause`], host and port from the URL), else `full`; the whole
/// chain goes to the `-v` log (target `paperlinks::detail`) under `what`.
pub fn unanswered_text(e: &reqwest::Error, what: &str, full: String) -> String {
    tracing::info!(target: "paperlinks::detail", "{what} request failed: {full}");
    let host = e.url().and_then(|u| {
        let h = u.host_str()?;
        Some(u.port().map_or(h.to_string(), |p| format!("{h}:{p}")))
    });
    net_cause(e, host.as_deref().unwrap_or("the host")).unwrap_or(full)
}

#[cfg(test)]
mod tests {
    use super::{chain_text, net_cause};
    use std::fmt;

    #[derive(Debug)]
    struct E(&'static str, Option<Box<E>>);
    impl fmt::Display for E {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }
    impl std::error::Error for E {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|e| e as _)
        }
    }

    #[test]
    fn chain_joins_sources_once() {
        let refused = E("connection refused", None);
        let connect = E(
            "tcp connect error: connection refused",
            Some(Box::new(refused)),
        );
        let top = E(
            "error sending request for url (http://x/)",
            Some(Box::new(connect)),
        );
        assert_eq!(
            chain_text(&top, false),
            "error sending request for url (http://x/): tcp connect error: connection refused"
        );
        assert_eq!(
            chain_text(&top, true),
            "tcp connect error: connection refused"
        );
        assert_eq!(chain_text(&E("alone", None), true), "alone");
    }

    #[test]
    fn net_cause_names_the_cause_in_few_words() {
        let io = |k| std::io::Error::new(k, "os says no");
        let refused = io(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(
            net_cause(&refused, "h:1").as_deref(),
            Some("connection to h:1 refused")
        );
        let dns = E(
            "client error (Connect)",
            Some(Box::new(E("dns error", None))),
        );
        assert_eq!(
            net_cause(&dns, "api.github.com").as_deref(),
            Some("DNS lookup of api.github.com failed")
        );
        // A word in the URL is no cause.
        let url = E("error sending request for url (http://x/repos/a/tls)", None);
        assert_eq!(net_cause(&url, "x"), None);
        assert_eq!(net_cause(&io(std::io::ErrorKind::Other), "x"), None);
    }
}
