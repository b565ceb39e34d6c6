//! `junit.xml` (issue 16): the run as JUnit XML, for the test tab of a CI
//! system. One test case per unique link of an input (named after the URL,
//! `classname` and `file` the input's path, `line` its first occurrence),
//! one `<testsuite>` per input. A link flagged at error level (what fails
//! the run) is a `<failure>`; an `excluded` or `unchecked` link is
//! `<skipped>`; a warning passes with the message in `<system-out>`.
//!
//! The level is not decided here: the caller passes it in (`link_level`).
//!
//! Streams, in two passes over the rows (the counts go on the opening
//! tags): nothing is kept but the counts of each suite and, while one
//! input's rows are read, the set of its URLs already seen. Written with
//! `quick-xml`, which escapes; characters XML 1.0 cannot carry are
//! replaced with U+FFFD. (`quick-junit` serialises only a whole report
//! held in memory: a few hundred bytes per test case, 200,000 cases in the
//! million-occurrence benchmark. Tests read the file back with it.)
//! Never does I/O but writing to the given writer.

use super::annotations::{Level, relative_source};
use super::finding;
use crate::model::{LinkRow, Status};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use std::borrow::Cow;
// foldhash: one lookup per link row, twice (BENCHMARKS.md, the report tail).
use foldhash::HashSet;
use std::io::{self, Write};
use std::path::Path;

/// What one test case says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Pass,
    /// Passes; the finding goes to `<system-out>`.
    Warn,
    Fail,
    Skip,
}

fn outcome(row: &LinkRow<'_>, level: Option<Level>) -> Outcome {
    match (level, row.result.map(|r| r.status)) {
        (Some(Level::Error), _) => Outcome::Fail,
        (_, Some(Status::Excluded | Status::Unchecked)) => Outcome::Skip,
        (Some(_), _) => Outcome::Warn,
        (None, _) => Outcome::Pass,
    }
}

/// The counts of one `<testsuite>`: a run of rows from one input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Counts {
    tests: usize,
    failures: usize,
    skipped: usize,
    ms: u64,
}

impl Counts {
    fn add(&mut self, row: &LinkRow<'_>, outcome: Outcome) {
        self.tests += 1;
        self.failures += usize::from(outcome == Outcome::Fail);
        self.skipped += usize::from(outcome == Outcome::Skip);
        self.ms += row.result.map_or(0, |r| r.elapsed_ms);
    }

    fn attributes(&self) -> [(&'static str, String); 5] {
        [
            ("tests", self.tests.to_string()),
            ("failures", self.failures.to_string()),
            ("errors", "0".into()),
            ("skipped", self.skipped.to_string()),
            ("time", seconds(self.ms)),
        ]
    }
}

/// Writes junit.xml. `rows` is called twice and must yield the same rows
/// (input order); `link_level` says which links fail (error) or carry a
/// finding (warning, notice). `base_dir` is the working directory.
pub fn write_junit<'a, W, F, I, L>(
    out: W,
    rows: F,
    link_level: L,
    base_dir: &Path,
) -> io::Result<()>
where
    W: Write,
    F: Fn() -> I,
    I: Iterator<Item = LinkRow<'a>>,
    L: Fn(&LinkRow<'a>) -> Option<Level>,
{
    let suites = count(rows(), &link_level);
    let mut total = Counts::default();
    for s in &suites {
        total.tests += s.tests;
        total.failures += s.failures;
        total.skipped += s.skipped;
        total.ms += s.ms;
    }
    let mut w = Writer::new_with_indent(io::BufWriter::new(out), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let counts = total.attributes();
    let root = BytesStart::new("testsuites")
        .with_attributes([("name", "paperlinks")])
        .with_attributes(attrs(&counts));
    w.write_event(Event::Start(root))?;
    write_suites(&mut w, rows(), &link_level, &suites, base_dir)?;
    w.write_event(Event::End(BytesEnd::new("testsuites")))?;
    w.write_indent()?;
    w.into_inner().flush()
}

/// Pass 1: the counts of each suite, in order.
fn count<'a, I, L>(rows: I, link_level: &L) -> Vec<Counts>
where
    I: Iterator<Item = LinkRow<'a>>,
    L: Fn(&LinkRow<'a>) -> Option<Level>,
{
    let mut suites: Vec<Counts> = Vec::new();
    let mut seen: HashSet<&'a str> = HashSet::default();
    let mut current: Option<&'a str> = None;
    for row in rows {
        if current != Some(row.source) {
            current = Some(row.source);
            seen.clear();
            suites.push(Counts::default());
        }
        if seen.insert(row.url) {
            let last = suites.last_mut().expect("a suite was opened");
            last.add(&row, outcome(&row, link_level(&row)));
        }
    }
    suites
}

/// Pass 2: the suites and their test cases.
fn write_suites<'a, W, I, L>(
    w: &mut Writer<W>,
    rows: I,
    link_level: &L,
    suites: &[Counts],
    base_dir: &Path,
) -> io::Result<()>
where
    W: Write,
    I: Iterator<Item = LinkRow<'a>>,
    L: Fn(&LinkRow<'a>) -> Option<Level>,
{
    let mut seen: HashSet<&'a str> = HashSet::default();
    let mut current: Option<&'a str> = None;
    let mut next_suite = suites.iter();
    let mut file = String::new();
    for row in rows {
        if current != Some(row.source) {
            if current.is_some() {
                w.write_event(Event::End(BytesEnd::new("testsuite")))?;
            }
            current = Some(row.source);
            seen.clear();
            file = relative_source(row.source, base_dir).unwrap_or_else(|| row.source.into());
            let counts = next_suite.next().ok_or_else(|| {
                io::Error::other("junit.xml: the rows changed between the two passes")
            })?;
            let (name, counts) = (xml_text(&file), counts.attributes());
            let start = BytesStart::new("testsuite")
                .with_attributes([("name", name.as_ref())])
                .with_attributes(attrs(&counts));
            w.write_event(Event::Start(start))?;
        }
        if seen.insert(row.url) {
            write_case(w, &row, outcome(&row, link_level(&row)), &file)?;
        }
    }
    if current.is_some() {
        w.write_event(Event::End(BytesEnd::new("testsuite")))?;
    }
    Ok(())
}

/// One `<testcase>`.
fn write_case<W: Write>(
    w: &mut Writer<W>,
    row: &LinkRow<'_>,
    outcome: Outcome,
    file: &str,
) -> io::Result<()> {
    let file = xml_text(file);
    let line = row.line.to_string();
    let time = seconds(row.result.map_or(0, |r| r.elapsed_ms));
    let case = w.create_element("testcase").with_attributes([
        ("name", xml_text(row.url).as_ref()),
        ("classname", file.as_ref()),
        ("file", file.as_ref()),
        ("line", line.as_str()),
        ("time", time.as_str()),
    ]);
    let Some(result) = row.result.filter(|_| outcome != Outcome::Pass) else {
        case.write_empty()?;
        return Ok(());
    };
    let message = xml_text(&finding::link_message(row, result)).into_owned();
    let status = finding::status_text(result);
    case.write_inner_content(|w| {
        let element = match outcome {
            Outcome::Fail => "failure",
            Outcome::Skip => "skipped",
            _ => "system-out",
        };
        let el = w.create_element(element);
        let el = if outcome == Outcome::Warn {
            el
        } else {
            el.with_attributes([
                ("message", status.as_str()),
                ("type", result.status.as_str()),
            ])
        };
        el.write_text_content(BytesText::new(&message))?;
        Ok(())
    })?;
    Ok(())
}

fn attrs<'s>(pairs: &'s [(&'static str, String)]) -> impl Iterator<Item = (&'s str, &'s str)> {
    pairs.iter().map(|(k, v)| (*k as &'s str, v.as_str()))
}

/// Milliseconds as JUnit's seconds.
fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// The text with every character XML 1.0 cannot carry (most C0 controls,
/// U+FFFE, U+FFFF) replaced by U+FFFD. Escaping is quick-xml's job.
fn xml_text(s: &str) -> Cow<'_, str> {
    let bad = |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    if s.chars().any(bad) {
        Cow::Owned(
            s.chars()
                .map(|c| if bad(c) { '\u{fffd}' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_replaced_and_seconds_formatted() {
        assert_eq!(xml_text("a\u{1}b\tc"), "a\u{fffd}b\tc");
        assert!(matches!(xml_text("plain"), Cow::Borrowed(_)));
        assert_eq!(seconds(1042), "1.042");
        assert_eq!(seconds(7), "0.007");
    }
}
