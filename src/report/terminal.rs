//! What `check` prints on the terminal when it is done (issue 12): the
//! failing links grouped by status (file:line, URL, the reason in a few
//! words, `super::reason`, and the paper title cut to fit), the failing
//! repositories, one line of totals for links and one for repositories,
//! where the reports are and why the exit code is what it is. Every
//! untrusted piece goes through `super::text::terminal_safe`: no control
//! character reaches the terminal.
//!
//! Pure text rendering from a finished [`SummaryInput`]: never does I/O,
//! never decides what fails (the failing links are the tally's, the failing
//! repositories the verdict's, `crate::verdict`). Colour is a flag the
//! binary resolves (`--color`, `NO_COLOR`, whether stdout is a terminal);
//! without it the text is plain, as CI logs want it.

use super::summary::{LinkEntry, SummaryInput};
use super::text::terminal_safe;
use crate::model::{RepoRow, Status};
use anstyle::{AnsiColor, Style};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// At most this many failing links and repositories are listed; the rest
/// end in "and N more (see .../summary.md)".
pub const MAX_TERMINAL_ROWS: usize = 20;

/// How to render: colour or not, and the width to fit lines to.
#[derive(Clone, Copy, Debug)]
pub struct TerminalStyle {
    pub color: bool,
    /// Columns available; paper titles are cut to fit.
    pub width: usize,
}

impl Default for TerminalStyle {
    fn default() -> Self {
        TerminalStyle {
            color: false,
            width: 100,
        }
    }
}

impl TerminalStyle {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }
}

fn status_style(status: Status) -> Style {
    let colour = match status {
        Status::Broken | Status::Error | Status::Invalid => AnsiColor::Red,
        Status::Timeout | Status::NetworkError | Status::Blocked => AnsiColor::Yellow,
        _ => AnsiColor::Cyan,
    };
    Style::new().fg_color(Some(colour.into())).bold()
}

/// The whole end-of-run text (ends without a newline). `extra_lines`
/// (e.g. where dead code went) come after the totals.
pub fn render_terminal(
    s: &SummaryInput<'_>,
    extra_lines: &[String],
    dir: &Path,
    unique: usize,
    style: TerminalStyle,
) -> String {
    let summary_md = dir.join("summary.md");
    let failing_repos: Vec<&RepoRow> = s
        .repos
        .iter()
        .filter(|r| s.judge.repo(r).in_policy)
        .collect();
    let mut groups: BTreeMap<Status, Vec<&LinkEntry>> = BTreeMap::new();
    for e in &s.links.failing {
        groups.entry(e.status).or_default().push(e);
    }
    let mut sizes: Vec<usize> = groups.values().map(Vec::len).collect();
    sizes.push(failing_repos.len());
    let shares = share_rows(&sizes, MAX_TERMINAL_ROWS);
    let mut out = String::new();
    for ((status, entries), &shown) in groups.iter().zip(&shares) {
        let head = format!("{} ({})", status, entries.len());
        let _ = writeln!(out, "{}", style.paint(status_style(*status), &head));
        for e in &entries[..shown] {
            let _ = writeln!(out, "{}", link_line(e, style.width));
        }
    }
    failing_repositories(&mut out, &failing_repos, shares[shares.len() - 1], style);
    let hidden = sizes.iter().sum::<usize>() - shares.iter().sum::<usize>();
    if hidden > 0 {
        let _ = writeln!(
            out,
            "  ... and {hidden} more (see {})",
            summary_md.display()
        );
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(&links_line(s, unique));
    if let Some(line) = repos_line(s) {
        out.push('\n');
        out.push_str(&line);
    }
    for line in extra_lines {
        out.push('\n');
        out.push_str(&terminal_safe(line));
    }
    let _ = write!(
        out,
        "\nReports: {}/",
        terminal_safe(&dir.display().to_string())
    );
    let exit = format!("Exit {}: {}.", s.exit_code, terminal_safe(&s.exit_reason));
    let exit_style = if s.exit_code == 0 {
        Style::new().fg_color(Some(AnsiColor::Green.into())).bold()
    } else {
        Style::new().fg_color(Some(AnsiColor::Red.into())).bold()
    };
    out.push('\n');
    out.push_str(&style.paint(exit_style, &exit));
    fit_width(&out, style.width)
}

/// Narrowest width lines are fitted to.
const MIN_WIDTH: usize = 20;

/// Every line of `text` within `width` columns (at least [`MIN_WIDTH`]):
/// an indented row (a link or repository) still too long is cut with "…";
/// any other line is wrapped at spaces, continued indented. A coloured
/// line that is too long loses its colour.
fn fit_width(text: &str, width: usize) -> String {
    let width = width.max(MIN_WIDTH);
    let mut out = Vec::new();
    for line in text.split('\n') {
        if visible_len(line) <= width {
            out.push(line.to_string());
            continue;
        }
        let plain = strip_ansi(line);
        if plain.starts_with("  ") {
            let kept: String = plain.chars().take(width - 1).collect();
            out.push(format!("{kept}…"));
        } else {
            out.extend(wrap(&plain, width));
        }
    }
    out.join("\n")
}

/// Words into lines of at most `width` columns, continuation lines
/// indented by two; a word longer than a line is cut.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if line.is_empty() {
            let indent = if lines.is_empty() { 0 } else { 2 };
            line = " ".repeat(indent);
            let room = width - indent;
            if word.chars().count() > room {
                line.extend(word.chars().take(room - 1).chain(['…']));
            } else {
                line.push_str(word);
            }
        } else {
            line.push(' ');
            line.push_str(word);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Characters shown, ANSI escape sequences aside.
fn visible_len(line: &str) -> usize {
    strip_ansi(line).chars().count()
}

/// `line` without ANSI CSI sequences (`ESC [ ... letter`).
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// How many rows of each group to show within `budget`: one row per group
/// in turn, so a long group never hides a short one.
fn share_rows(sizes: &[usize], budget: usize) -> Vec<usize> {
    let mut shares = vec![0; sizes.len()];
    let mut left = budget;
    while left > 0 {
        let mut gave = false;
        for (share, &size) in shares.iter_mut().zip(sizes) {
            if left > 0 && *share < size {
                *share += 1;
                left -= 1;
                gave = true;
            }
        }
        if !gave {
            break;
        }
    }
    shares
}

/// `  file:line  URL  HTTP 404 Not Found  "Paper title…"`: the reason in
/// a few words (`reason`), the title cut to fit `width`.
fn link_line(e: &LinkEntry, width: usize) -> String {
    let reason = if e.reason.is_empty() {
        e.http_status
            .map_or_else(|| e.status.to_string(), |c| format!("HTTP {c}"))
    } else {
        terminal_safe(&e.reason).into_owned()
    };
    let mut line = format!(
        "  {}:{}  {}  {}",
        terminal_safe(&e.source),
        e.line,
        terminal_safe(&e.url),
        reason
    );
    if !e.paper.is_empty() {
        let used = line.chars().count() + 4;
        let room = width.saturating_sub(used).max(12);
        let _ = write!(line, "  \"{}\"", cut(&e.paper, room));
    }
    line
}

fn failing_repositories(out: &mut String, repos: &[&RepoRow], shown: usize, style: TerminalStyle) {
    if repos.is_empty() {
        return;
    }
    let head = format!("repositories ({})", repos.len());
    let bold = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
    let _ = writeln!(out, "{}", style.paint(bold, &head));
    for r in &repos[..shown] {
        let mut line = format!("  {}  {}", terminal_safe(&r.repo), r.health);
        if !r.error.is_empty() {
            let room = style.width.saturating_sub(line.chars().count() + 2).max(12);
            let _ = write!(line, "  {}", cut(&r.error, room));
        }
        let _ = writeln!(out, "{line}");
    }
}

fn links_line(s: &SummaryInput<'_>, unique: usize) -> String {
    let counts: Vec<String> = s
        .links
        .status_counts
        .iter()
        .map(|(st, n)| format!("{n} {st}"))
        .collect();
    let mut line = format!(
        "Links: {} ({unique} unique) in {:.1} s: {}.",
        s.links.total,
        s.duration.as_secs_f64(),
        if counts.is_empty() {
            "none found".to_string()
        } else {
            counts.join(", ")
        },
    );
    if s.links.cached > 0 {
        let _ = write!(line, " {} reused from the previous run.", s.links.cached);
    }
    line
}

fn repos_line(s: &SummaryInput<'_>) -> Option<String> {
    if s.repos.is_empty() {
        return None;
    }
    let health: Vec<String> = s
        .health_counts()
        .iter()
        .map(|(h, n)| format!("{n} {h}"))
        .collect();
    Some(format!(
        "Repositories: {}: {} ({}{}).",
        s.repos.len(),
        health.join(", "),
        super::summary::api_calls_text(s.api_calls, s.api_answered),
        s.forge_calls
            .iter()
            .map(|(f, n)| format!(", {n} {f}"))
            .collect::<String>()
    ))
}

/// Cuts `text` to at most `max` characters, ending in "…" when cut;
/// control characters removed, white space collapsed.
fn cut(text: &str, max: usize) -> String {
    let text = terminal_safe(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Health;
    use crate::report::LinkTally;
    use crate::verdict::{FailPolicy, Judge};
    use std::time::Duration;

    fn entry(status: Status, url: &str, paper: &str) -> LinkEntry {
        LinkEntry {
            paper: paper.into(),
            source: "papers.md".into(),
            line: 3,
            column: 1,
            url: url.into(),
            status,
            http_status: (status == Status::Broken).then_some(404),
            error: String::new(),
            reason: match status {
                Status::Broken => "HTTP 404 Not Found".into(),
                Status::Timeout => "timeout after 20 s".into(),
                _ => String::new(),
            },
            since: None,
            change: None,
        }
    }

    fn input<'a>(
        tally: &'a LinkTally,
        repos: &'a [RepoRow],
        policy: &'a FailPolicy,
        code: i32,
    ) -> SummaryInput<'a> {
        SummaryInput {
            links: tally,
            repos,
            has_previous_repos: false,
            judge: Judge::without_history(policy),
            interrupted: false,
            duration: Duration::from_millis(1500),
            api_calls: 2,
            api_answered: 2,
            forge_calls: Vec::new(),
            exit_code: code,
            exit_reason: "2 failures under fail_on [broken, timeout]".into(),
            notes: Vec::new(),
        }
    }

    #[test]
    fn failing_links_are_grouped_by_status_with_location_code_and_title() {
        let mut tally = LinkTally::new(false);
        tally.failing = vec![
            entry(Status::Timeout, "https://slow.example/a", "Slow paper"),
            entry(Status::Broken, "https://gone.example/b", "Gone paper"),
            entry(Status::Broken, "https://gone.example/c", ""),
        ];
        tally.total = 10;
        tally.status_counts.insert(Status::Ok, 7);
        tally.status_counts.insert(Status::Broken, 2);
        tally.status_counts.insert(Status::Timeout, 1);
        let text = render_terminal(
            &input(&tally, &[], &FailPolicy::default(), 2),
            &[],
            Path::new("reports"),
            9,
            TerminalStyle::default(),
        );
        let broken = text.find("broken (2)").expect(&text);
        let timeout = text.find("timeout (1)").expect(&text);
        assert!(broken < timeout, "{text}");
        assert!(
            text.contains(
                "  papers.md:3  https://gone.example/b  HTTP 404 Not Found  \"Gone paper\""
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "  papers.md:3  https://slow.example/a  timeout after 20 s  \"Slow paper\""
            ),
            "{text}"
        );
        assert!(
            text.contains("Links: 10 (9 unique) in 1.5 s: 7 ok, 2 broken, 1 timeout."),
            "{text}"
        );
        assert!(text.contains("Reports: reports/"), "{text}");
        assert!(
            text.ends_with("Exit 2: 2 failures under fail_on [broken, timeout]."),
            "{text}"
        );
        assert!(!text.contains('\x1b'), "plain text has no escapes: {text}");
    }

    #[test]
    fn a_long_group_never_hides_a_short_one() {
        assert_eq!(share_rows(&[30, 1, 2], 20), vec![17, 1, 2]);
        assert_eq!(share_rows(&[3, 0], 20), vec![3, 0]);
        assert_eq!(share_rows(&[], 20), Vec::<usize>::new());
    }

    #[test]
    fn every_line_fits_the_width_whatever_it_holds() {
        let long = format!("https://example.org/{}", "very-long-segment/".repeat(12));
        let mut tally = LinkTally::new(false);
        tally.failing = vec![
            entry(Status::Broken, &long, &"A Title ".repeat(30)),
            entry(Status::Timeout, "https://a.test/x", "Short"),
        ];
        tally.total = 2;
        tally.status_counts.insert(Status::Broken, 1);
        tally.status_counts.insert(Status::Timeout, 1);
        let policy = FailPolicy::default();
        let mut s = input(&tally, &[], &policy, 2);
        s.exit_reason = "words ".repeat(40);
        for width in [20, 33, 60, 80] {
            for color in [false, true] {
                let style = TerminalStyle { color, width };
                let text = render_terminal(
                    &s,
                    std::slice::from_ref(&long),
                    Path::new("reports"),
                    2,
                    style,
                );
                for line in text.lines() {
                    assert!(visible_len(line) <= width, "{width}: {line:?}");
                }
                assert!(text.contains("words words"), "{text}");
            }
        }
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "  cc"]);
        assert_eq!(strip_ansi("\u{1b}[1;31mred\u{1b}[0m"), "red");
    }

    #[test]
    fn long_lists_end_with_and_n_more() {
        let mut tally = LinkTally::new(false);
        tally.failing = (0..MAX_TERMINAL_ROWS + 7)
            .map(|i| entry(Status::Broken, &format!("https://x.example/{i}"), "P"))
            .collect();
        let text = render_terminal(
            &input(&tally, &[], &FailPolicy::default(), 2),
            &[],
            Path::new("out"),
            0,
            TerminalStyle::default(),
        );
        assert_eq!(
            text.matches("https://x.example/").count(),
            MAX_TERMINAL_ROWS
        );
        let more = format!("and 7 more (see {})", Path::new("out/summary.md").display());
        assert!(text.contains(&more), "{text}");
    }

    #[test]
    fn titles_are_cut_to_fit_and_colour_only_when_asked() {
        let mut tally = LinkTally::new(false);
        let title = "A very long paper title that goes on and on about many things ".repeat(4);
        tally.failing = vec![entry(Status::Broken, "https://x.example/a", &title)];
        let style = TerminalStyle {
            color: false,
            width: 80,
        };
        let text = render_terminal(
            &input(&tally, &[], &FailPolicy::default(), 2),
            &[],
            Path::new("r"),
            1,
            style,
        );
        let line = text.lines().find(|l| l.contains("x.example")).unwrap();
        assert!(line.chars().count() <= 80, "{line}");
        assert!(line.ends_with("…\""), "{line}");
        let coloured = render_terminal(
            &input(&tally, &[], &FailPolicy::default(), 2),
            &[],
            Path::new("r"),
            1,
            TerminalStyle {
                color: true,
                ..style
            },
        );
        assert!(coloured.contains("\x1b["), "{coloured}");
    }

    #[test]
    fn failing_repositories_and_the_repository_totals_are_listed() {
        let tally = LinkTally::new(false);
        let repo = RepoRow {
            repo: "o/gone".into(),
            forge: Default::default(),
            kind: Default::default(),
            info: None,
            papers: 1,
            links: 1,
            health: Health::Missing,
            days_since_push: None,
            rank: None,
            error: "repository not found".into(),
            fetched_at: chrono::Utc::now(),
            cached: false,
            stars_delta: None,
            previous_report_at: None,
            archive: Default::default(),
            found_via: String::new(),
        };
        let repos = vec![repo];
        let text = render_terminal(
            &input(&tally, &repos, &FailPolicy::default(), 2),
            &[],
            Path::new("r"),
            0,
            TerminalStyle::default(),
        );
        assert!(
            text.contains("repositories (1)\n  o/gone  missing  repository not found"),
            "{text}"
        );
        assert!(
            text.contains("Repositories: 1: 1 missing (2 GitHub API calls)."),
            "{text}"
        );
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let mut tally = LinkTally::new(false);
        let evil = "T\u{1b}]0;pwned\u{7}itle\u{1b}[2J\u{9b}1m";
        let mut e = entry(Status::Broken, "https://x.example/\u{1b}[2J", evil);
        e.source = "a\u{1b}[31m.md".into();
        tally.failing = vec![e];
        let policy = FailPolicy::default();
        let mut inp = input(&tally, &[], &policy, 2);
        inp.exit_reason = "reason\u{1b}]0;x\u{7}".into();
        let text = render_terminal(
            &inp,
            &["extra \u{1b}[2J line\u{85}".to_string()],
            Path::new("r\u{1b}"),
            1,
            TerminalStyle::default(),
        );
        let bad: Vec<char> = text
            .chars()
            .filter(|&c| c != '\n' && crate::report::text::is_removed_control(c))
            .collect();
        assert!(bad.is_empty(), "{bad:?} in {text:?}");
        assert!(text.contains("\"T]0;pwneditle[2J1m\""), "{text}");
    }
}
