//! `paperlinks fix` (issue 25): rewrites renamed repositories, permanent
//! redirects and (with `--archived`) dead code links in the inputs
//! themselves, from the last run's links.csv and repos.csv.
//!
//! `rules` decides what a link becomes, `edit` where its bytes are and what
//! replaces them, `diff` the unified diff of `--dry-run`; this file reads
//! the reports and the inputs and writes the changed inputs (temporary
//! file in the same directory, then rename; the mode is kept). Every input
//! is planned before any is written: a recorded position that no longer
//! holds its URL refuses the whole run (a usage error, exit 3) with no file
//! touched. Never makes a network request; JSON, remote and stdin inputs
//! are never rewritten (a note says so).

pub mod diff;
pub mod edit;
pub mod rules;

use crate::config::Config;
use crate::error::Error;
use crate::extract::Format;
use crate::rows::LinkRecord;
use edit::{Change, Style};
use rules::{Facts, Rule, Rules};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

/// What `fix` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct FixOptions {
    /// Only these inputs (resolved as `check` resolves them); all when empty.
    pub inputs: Vec<String>,
    /// Replace the files (else print a diff).
    pub write: bool,
    /// Also rewrite dead code links to their archived copy.
    pub archived: bool,
}

/// What `fix` did.
#[derive(Clone, Debug, Default)]
pub struct FixOutcome {
    /// Links rewritten (or, under `--dry-run`, that would be).
    pub rewritten: usize,
    /// Inputs changed (or that would be).
    pub files: usize,
    /// Inputs left alone and why (JSON, remote, stdin).
    pub notes: Vec<String>,
}

/// The links of one input to rewrite, by line.
type ByLine = BTreeMap<usize, Vec<(Change, Rule)>>;

/// One input's planned change.
struct Plan {
    name: String,
    old: BTreeMap<usize, Vec<u8>>,
    new: BTreeMap<usize, Vec<u8>>,
    lines: usize,
    said: Vec<String>,
}

/// Runs `fix`: the diff (or, with `write`, what changed) goes to `out`.
pub fn run(
    config: &Config,
    options: &FixOptions,
    out: &mut dyn Write,
) -> Result<FixOutcome, Error> {
    let dir = &config.output_dir;
    let records = read_links(&dir.join("links.csv"))?;
    let repos = crate::history::read_previous_repos(&dir.join("repos.csv"))
        .data()
        .map(|r| r.repos)
        .unwrap_or_default();
    let rules = Rules::new(repos.values(), &config.check.remap, options.archived);
    let only = wanted(&options.inputs)?;
    let mut by_source: BTreeMap<String, ByLine> = BTreeMap::new();
    for rec in &records {
        if only
            .as_ref()
            .is_some_and(|o| !o.contains(rec.source.as_ref()))
            || rec.line == 0
        {
            continue;
        }
        if let Some((new, rule)) = rules.rewrite(&Facts::of(rec)) {
            let change = Change {
                column: rec.column,
                old: rec.url.to_string(),
                new,
            };
            by_source
                .entry(rec.source.to_string())
                .or_default()
                .entry(rec.line)
                .or_default()
                .push((change, rule));
        }
    }
    let mut outcome = FixOutcome::default();
    let mut plans = Vec::new();
    for (name, lines) in by_source {
        if let Some(plan) = plan_input(&name, lines, &mut outcome.notes)? {
            plans.push(plan);
        }
    }
    for plan in &plans {
        outcome.files += 1;
        outcome.rewritten += plan.said.len();
        emit(plan, options.write, out)?;
    }
    Ok(outcome)
}

/// The names of the inputs asked for (as links.csv names them).
fn wanted(inputs: &[String]) -> Result<Option<std::collections::HashSet<String>>, Error> {
    if inputs.is_empty() {
        return Ok(None);
    }
    let resolved = crate::input::resolve(inputs)?;
    Ok(Some(resolved.sources.iter().map(|s| s.name()).collect()))
}

fn read_links(path: &Path) -> Result<Vec<LinkRecord<'static>>, Error> {
    let usage = |message: String| Error::Input {
        input: path.display().to_string(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| {
        usage(format!(
            "cannot read the last run's links.csv ({e}); run `paperlinks check` first"
        ))
    })?;
    let mut reader = csv::Reader::from_reader(BufReader::new(file));
    reader
        .deserialize()
        .collect::<Result<Vec<LinkRecord<'static>>, _>>()
        .map_err(|e| usage(format!("not a links.csv this version reads: {e}")))
}

/// Reads one input and plans its edits; `None` (with a note) for inputs
/// that are not rewritten.
fn plan_input(
    name: &str,
    mut by_line: ByLine,
    notes: &mut Vec<String>,
) -> Result<Option<Plan>, Error> {
    let lower = name.to_ascii_lowercase();
    let stdin = name == "-" || name == crate::input::STDIN_NAME;
    if stdin || lower.starts_with("http://") || lower.starts_with("https://") {
        notes.push(format!("{name}: not rewritten (a remote or stdin input)"));
        return Ok(None);
    }
    let path = PathBuf::from(name);
    let refuse = |line: usize, message: String| Error::Input {
        input: format!("{name}:{line}"),
        message,
    };
    let io = |source| Error::Io {
        path: path.clone(),
        source,
    };
    let format = detect(&path).map_err(io)?;
    if format == Format::Json {
        notes.push(format!(
            "{name}: not rewritten (JSON inputs are left as they are)"
        ));
        return Ok(None);
    }
    let mut style = Style::default();
    let mut old = BTreeMap::new();
    let mut lines = 0;
    for line in read_lines(&path).map_err(io)? {
        let line = line.map_err(io)?;
        lines += 1;
        style.amp_entities |= memchr::memmem::find(&line, b"&amp;").is_some();
        if by_line.contains_key(&lines) {
            old.insert(lines, line);
        }
    }
    let mut plan = Plan {
        name: name.to_string(),
        old: BTreeMap::new(),
        new: BTreeMap::new(),
        lines,
        said: Vec::new(),
    };
    for (n, changes) in &mut by_line {
        let line = old.remove(n).ok_or_else(|| {
            refuse(
                *n,
                "the input has no such line any more; run `paperlinks check` again".into(),
            )
        })?;
        changes.sort_by_key(|(c, _)| c.column);
        let only: Vec<Change> = changes.iter().map(|(c, _)| c.clone()).collect();
        match edit::edit_line(&line, format, &only, style) {
            Err(column) => {
                return Err(refuse(
                    *n,
                    format!(
                        "column {column} no longer holds the URL links.csv recorded there (the input changed since the check); run `paperlinks check` again; no file was changed"
                    ),
                ));
            }
            Ok(None) => {}
            Ok(Some(new)) => {
                plan.said.extend(
                    changes
                        .iter()
                        .filter(|(c, _)| c.old != c.new)
                        .map(|(c, r)| {
                            format!("{name}:{n}: {} -> {} ({})", c.old, c.new, r.as_str())
                        }),
                );
                plan.old.insert(*n, line);
                plan.new.insert(*n, new);
            }
        }
    }
    Ok((!plan.new.is_empty()).then_some(plan))
}

/// The input's format, detected from its extension and first bytes as `check` does.
fn detect(path: &Path) -> std::io::Result<Format> {
    let mut head = Vec::new();
    std::fs::File::open(path)?
        .take(8 * 1024)
        .read_to_end(&mut head)?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    Ok(Format::detect(ext.as_deref(), &head))
}

/// The lines of a file, each with its line end (the last may have none).
fn read_lines(path: &Path) -> std::io::Result<impl Iterator<Item = std::io::Result<Vec<u8>>>> {
    let mut reader = BufReader::with_capacity(64 * 1024, std::fs::File::open(path)?);
    Ok(std::iter::from_fn(move || {
        let mut line = Vec::new();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => None,
            Ok(_) => Some(Ok(line)),
            Err(e) => Some(Err(e)),
        }
    }))
}

/// Prints the plan's diff, or writes the file and says what changed.
fn emit(plan: &Plan, write: bool, out: &mut dyn Write) -> Result<(), Error> {
    let path = PathBuf::from(&plan.name);
    let io = |source| Error::Io {
        path: path.clone(),
        source,
    };
    if write {
        replace(&path, plan).map_err(io)?;
        for said in &plan.said {
            writeln!(out, "{said}").map_err(|source| Error::Output {
                path: PathBuf::from("stdout"),
                source,
            })?;
        }
        Ok(())
    } else {
        diff::write_diff(
            &plan.name,
            read_lines(&path).map_err(io)?,
            plan.lines,
            &plan.new,
            out,
        )
        .map_err(io)
    }
}

/// Replaces the file: its lines copied to a temporary file next to it with
/// the planned ones swapped (each checked to be what was planned on), the
/// mode kept, then renamed over it.
fn replace(path: &Path, plan: &Plan) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{file_name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        for (i, line) in read_lines(path)?.enumerate() {
            let line = line?;
            match (plan.new.get(&(i + 1)), plan.old.get(&(i + 1))) {
                (Some(new), Some(old)) if *old == line => w.write_all(new)?,
                (Some(_), _) => {
                    return Err(std::io::Error::other(format!(
                        "line {} changed while fixing",
                        i + 1
                    )));
                }
                _ => w.write_all(&line)?,
            }
        }
        w.flush()?;
    }
    tmp.as_file()
        .set_permissions(std::fs::metadata(path)?.permissions())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
