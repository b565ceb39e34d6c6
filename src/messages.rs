//! The binary's stderr text besides progress: the log setup and the
//! format of the library's warnings.

use crate::cli::LogFlags;
use std::fmt;
use std::io::IsTerminal;
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::{DefaultFields, Format, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// The target the library sends its user-facing warnings to.
const NOTICE: &str = "paperlinks::notice";
/// The target of a warning's whole cause (an error chain), at level info:
/// shown under `-v`.
const DETAIL: &str = "paperlinks::detail";

/// Logs and the library's warnings on stderr: warnings (target
/// `paperlinks::notice`) as `paperlinks: warning: ...`, their whole causes
/// under `-v` (`paperlinks::detail`) as `paperlinks: detail: ...`, other events in
/// tracing's format; ANSI only on a terminal. `-q`: errors only; `-v`:
/// info, `-vv`: debug; `RUST_LOG` overrides both (warnings stay unless `-q`).
pub fn init_logging(log: LogFlags) {
    tracing_subscriber::fmt()
        .with_env_filter(filter(log, std::env::var("RUST_LOG").ok().as_deref()))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .event_format(Notices::default())
        .init();
}

/// The log filter for `-v`/`-q` and `RUST_LOG`.
fn filter(log: LogFlags, rust_log: Option<&str>) -> tracing_subscriber::EnvFilter {
    use tracing_subscriber::EnvFilter;
    let ours = directives(log);
    // By default only our own messages: libraries' error logs (octocrab
    // logs every failed call) would repeat what the reports already say.
    match rust_log {
        Some(env) if !env.trim().is_empty() => {
            let notices = if log.quiet {
                String::new()
            } else {
                format!(",{NOTICE}=warn")
            };
            EnvFilter::try_new(format!("{env}{notices}")).unwrap_or_else(|_| EnvFilter::new(ours))
        }
        _ => EnvFilter::new(ours),
    }
}

/// Our own log level for `-q`, nothing, `-v`, `-vv`.
fn directives(log: LogFlags) -> &'static str {
    match (log.quiet, log.verbose) {
        (true, _) => "paperlinks=error",
        (false, 0) => "paperlinks=warn",
        (false, 1) => "paperlinks=info",
        (false, _) => "paperlinks=debug",
    }
}

/// Warnings as one plain line; everything else in tracing's full format.
#[derive(Default)]
pub struct Notices {
    full: Format,
}

impl<S, N> FormatEvent<S, N> for Notices
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let head = match event.metadata().target() {
            NOTICE => "paperlinks: warning: ",
            DETAIL => "paperlinks: detail: ",
            _ => return self.full.format_event(ctx, writer, event),
        };
        write!(writer, "{head}")?;
        // The plain field format: no ANSI around the message.
        DefaultFields::new().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_and_verbose_set_our_level() {
        let q = LogFlags {
            quiet: true,
            verbose: 0,
        };
        let v = |n| LogFlags {
            quiet: false,
            verbose: n,
        };
        assert_eq!(directives(q), "paperlinks=error");
        assert_eq!(directives(v(0)), "paperlinks=warn");
        assert_eq!(directives(v(1)), "paperlinks=info");
        assert_eq!(directives(v(3)), "paperlinks=debug");
        let f = filter(v(0), Some("octocrab=debug")).to_string();
        assert!(
            f.contains("octocrab=debug") && f.contains("paperlinks::notice=warn"),
            "{f}"
        );
        assert!(
            !filter(q, Some("octocrab=debug"))
                .to_string()
                .contains("notice")
        );
    }
}
