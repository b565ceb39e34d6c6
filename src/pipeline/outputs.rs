//! Writing the outputs of a finished run: links.csv, repos.csv,
//! papers.csv, popularity.md and .svg, summary.md (and the Actions step
//! summary), index.html, links.sarif and junit.xml (each family only when
//! `[report] formats` names it), then the annotations and the end-of-run
//! text, JSON or SARIF.
//!
//! Never decides anything: the exit and every level come from `verdict`
//! (through the `Judge` it is handed); the files are formatted by `report`.

use super::gather::stdout_error as out_err;
use super::rows::{LinkTable, Tables};
use super::{Archived, Checked, Exit, OutputFormat, RunOptions, warn};
use crate::config::{Config, ReportFormat};
use crate::error::Error;
use crate::history::{History, ReportPaths};
use crate::model::{LinkRow, RepoRow};
use crate::report::{self, JsonReport, LinkTally, RepoPapers, SummaryInput};
use crate::store::Store;
use crate::verdict::{Judge, Level, LinkVerdict};
use chrono::Utc;
use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

/// Everything a finished run hands to its outputs.
pub(super) struct Finished<'a> {
    pub store: &'a Store,
    pub checked: &'a Checked,
    pub history: &'a History,
    pub archived: &'a Archived,
    pub tables: &'a Tables<'a>,
    pub judge: Judge<'a>,
    pub duration: Duration,
    pub exit: Exit,
    pub exit_reason: String,
    /// The network looked unreachable (the exit reason becomes a note).
    pub unreachable: bool,
    /// A pull-request run's part: annotations and SARIF only for it.
    pub changed: Option<&'a crate::changed::Scope>,
    /// The verdict on each URL (`Tables::link_verdicts`), decided once for
    /// the tally, SARIF, the annotations and the terminal's SARIF.
    pub verdicts: std::sync::OnceLock<Vec<LinkVerdict>>,
}

impl<'a> Finished<'a> {
    /// The verdict on each URL, by URL id.
    fn verdicts(&self) -> &[LinkVerdict] {
        self.verdicts
            .get_or_init(|| self.tables.link_verdicts(&self.judge))
    }

    /// The link rows annotations and SARIF list: those that can be
    /// findings (a URL whose verdict has a level, or one in a repository),
    /// of every row or in a pull-request run of those on changed lines;
    /// the others are never built.
    fn finding_rows(&self) -> impl Iterator<Item = LinkRow<'_>> {
        let (verdicts, tables, changed) = (self.verdicts(), self.tables, self.changed);
        let flagged = move |url: usize| verdicts[url].level.is_some() || tables.in_repo(url);
        (self.tables)
            .link_rows_where(move |_, url| flagged(url))
            .filter(move |r| changed.is_none_or(|c| c.on_changed_line(r.source, r.line)))
    }

    /// The repository rows annotations and SARIF list: every row, or those
    /// linked from a changed line.
    fn finding_repos(&self) -> Vec<RepoRow> {
        let rows = self.tables.repo_rows.iter();
        match self.changed {
            Some(c) => rows
                .filter(|r| c.repo_keys.contains(&r.key()))
                .cloned()
                .collect(),
            None => rows.cloned().collect(),
        }
    }

    /// "N links on changed lines since REV, M of them fail the run" (the
    /// terminal and summary.md), in a pull-request run.
    fn changed_sentence(&self) -> Option<String> {
        let c = self.changed?;
        let (mut on, mut failed) = (0usize, 0usize);
        let rows = self.tables.link_rows();
        for row in rows.filter(|r| c.on_changed_line(r.source, r.line)) {
            on += 1;
            let fails = row
                .result
                .is_some_and(|r| self.judge.link(row.url, r.status).fails_run);
            failed += usize::from(fails);
        }
        let total = self.tables.link_rows().count();
        Some(format!(
            "Changed since {}: {on} links on changed lines, {failed} of them failed; \
             the other {} links were not checked (line unchanged).",
            c.rev,
            total - on
        ))
    }
}

/// Dead URLs with the archives' words and copy (`Archived::words_by_url`).
type ArchiveWords<'s> = Vec<(&'s str, String, Option<String>)>;

/// Writes every report file, then the terminal output, in that order.
pub(super) fn write_all(
    options: &RunOptions,
    paths: &ReportPaths,
    f: &Finished<'_>,
    links_csv: std::thread::ScopedJoinHandle<'_, Result<(), Error>>,
    out: &mut (dyn Write + Send),
) -> Result<(), Error> {
    let wants = |format| options.config.report.wants(format);
    // The reports that stream the rows are written at once, each on its
    // own thread over the same borrowed rows (issue 27: the report tail);
    // the first error in this order is the run's.
    let at = std::time::Instant::now();
    let timed = |what: &str| tracing::debug!("writing: {what} done in {:?}", at.elapsed());
    let archive_words = f.archived.words_by_url(f.store);
    let changed = f.changed_sentence();
    let csv = wants(ReportFormat::Csv);
    let (csvs, tally, findings) = std::thread::scope(|scope| {
        // links.csv (`links_csv`, started before the rows were built) is
        // the largest file by far: the other two CSV files are written
        // beside it, not after it.
        let others = scope.spawn(|| {
            if csv {
                report::write_repos_csv(&paths.repos, &f.tables.repo_rows)?;
                report::write_papers_csv(&paths.papers, &f.tables.paper_rows)?;
            }
            timed("repos.csv and papers.csv");
            Ok::<_, Error>(())
        });
        let findings = scope.spawn(|| {
            let written = write_findings(options, f);
            timed("SARIF and JUnit");
            written
        });
        // summary.md and the page need only the tally: written while the
        // other threads still write.
        let tally = tally_and_summary(options, paths, f, &archive_words, changed.as_deref());
        timed("the tally, popularity, the summary and the page");
        let csvs = join(links_csv).and(join(others));
        (csvs, tally, join(findings))
    });
    csvs?;
    let (tally, summary_written) = tally?;
    summary_written?;
    let summary = summary_input(f, &tally);
    findings?;
    print_annotations(options, f, &archive_words, out)?;
    print_summary(options, f, &summary, changed.as_deref(), out)?;
    if f.checked.interrupted {
        eprintln!(
            "paperlinks: the run was interrupted; reports hold what was known (unchecked links marked `unchecked`)"
        );
    }
    Ok(())
}

/// links.csv, when `[report] formats` names CSV, from the link table
/// alone (`at`: when the writing began, for the debug timing).
pub(super) fn write_links_csv(
    options: &RunOptions,
    paths: &ReportPaths,
    table: &LinkTable<'_>,
    at: std::time::Instant,
) -> Result<(), Error> {
    if options.config.report.wants(ReportFormat::Csv) {
        let rows = table.link_rows_by_url();
        report::write_links_csv_by_url(&paths.links, rows, table.urls())?;
    }
    tracing::debug!("writing: links.csv done in {:?}", at.elapsed());
    Ok(())
}

/// The tally, popularity.md/svg, then summary.md and the page; the outer
/// error is the tally's (it stops the run), the inner the summary's.
fn tally_and_summary(
    options: &RunOptions,
    paths: &ReportPaths,
    f: &Finished<'_>,
    archive_words: &ArchiveWords<'_>,
    changed: Option<&str>,
) -> Result<(LinkTally, Result<(), Error>), Error> {
    let wants = |format| options.config.report.wants(format);
    let tally = tally_and_popularity(paths, f, wants, &options.config.check.remap)?;
    let summary = summary_input(f, &tally);
    let written = write_summary(options, paths, f, &summary, archive_words, changed);
    Ok((tally, written))
}

/// A writer thread's result; its panic is passed on as it was.
fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Tallies the link rows for the summary and writes popularity.md and
/// popularity.svg (which need the papers of each repository), each when
/// `wants` its format.
fn tally_and_popularity(
    paths: &ReportPaths,
    f: &Finished<'_>,
    wants: impl Fn(ReportFormat) -> bool,
    remap: &[String],
) -> Result<LinkTally, Error> {
    let mut tally = LinkTally::new(f.judge.has_previous_links());
    let mut repo_papers = RepoPapers::new();
    let mut fixable = Fixable::new(&f.tables.repo_rows, remap, f.store.urls.len());
    let verdicts = f.verdicts();
    for (url, row) in f.tables.link_rows_by_url() {
        match fixable.rule(url, &row) {
            Some(crate::fix::rules::Rule::Archived) => tally.fixable_archived += 1,
            Some(_) => tally.fixable += 1,
            None => {}
        }
        // The row's result is its URL's: the verdict was decided on it.
        tally.add_judged(&row, row.result.and(verdicts[url].change));
        repo_papers.add(&row);
    }
    let previous_repos_at = f.history.repos.as_ref().and_then(|r| r.report_at);
    if wants(ReportFormat::Md) {
        report::write_text_atomic(
            &paths.popularity_md,
            &report::render_popularity_md(
                &f.tables.repo_rows,
                &repo_papers,
                &f.tables.paper_rows,
                previous_repos_at,
            ),
        )?;
    }
    if wants(ReportFormat::Svg) {
        report::write_popularity_svg(&paths.popularity_svg, &f.tables.repo_rows)?;
    }
    Ok(tally)
}

/// What `fix` would do to each row, decided once per URL and role: a
/// rewrite follows from the row's URL cells, its role and its `found_via`
/// alone (`Rules::rewrite`), and a million rows share 200,000 URLs.
struct Fixable {
    rules: crate::fix::rules::Rules,
    /// Per URL id and role: 0 not decided yet, 1 left as it is, else 2 +
    /// the rule's index in `Rule::ALL`.
    decided: Vec<u8>,
}

impl Fixable {
    fn new(repos: &[RepoRow], remap: &[String], urls: usize) -> Self {
        Fixable {
            rules: crate::fix::rules::Rules::new(repos, remap, true),
            decided: vec![0; urls * crate::model::Role::ALL.len()],
        }
    }

    /// The rule `fix` would apply to `row` (URL id `url`), if any.
    fn rule(&mut self, url: usize, row: &LinkRow<'_>) -> Option<crate::fix::rules::Rule> {
        use crate::fix::rules::{Facts, Rule};
        let slot = url * crate::model::Role::ALL.len() + row.role as usize;
        let known = match self.decided.get(slot) {
            Some(&known) if row.found_via.is_empty() => known,
            _ => return self.rules.rewrite(&Facts::of_row(row)).map(|(_, r)| r),
        };
        if known > 0 {
            return usize::from(known).checked_sub(2).map(|i| Rule::ALL[i]);
        }
        let rule = self.rules.rewrite(&Facts::of_row(row)).map(|(_, r)| r);
        let at = rule.and_then(|r| Rule::ALL.iter().position(|k| *k == r));
        self.decided[slot] = at.map_or(1, |i| i as u8 + 2);
        rule
    }
}

/// A note for every input that was read but yielded no link.
fn inputs_without_links(store: &Store) -> Vec<String> {
    let mut linked = vec![false; store.sources.len()];
    // Done once every input is seen: a single input's scan stops at its
    // first link instead of reading a million.
    let mut unseen = linked.len();
    for o in &store.occurrences {
        if unseen == 0 {
            break;
        }
        if let Some(l) = linked.get_mut(o.source as usize).filter(|l| !**l) {
            *l = true;
            unseen -= 1;
        }
    }
    store
        .sources
        .iter()
        .zip(linked)
        .filter(|(_, linked)| !linked)
        .map(|(name, _)| format!("{name}: no link found in it"))
        .collect()
}

/// What summary.md, the terminal and the JSON document are rendered from.
fn summary_input<'a>(f: &'a Finished<'a>, tally: &'a LinkTally) -> SummaryInput<'a> {
    let mut notes = inputs_without_links(f.store);
    notes.extend(f.checked.notes.iter().cloned());
    notes.extend(f.archived.notes.iter().cloned());
    notes.extend(f.history.warnings.iter().cloned());
    if f.unreachable {
        notes.push(f.exit_reason.clone());
    }
    SummaryInput {
        links: tally,
        repos: &f.tables.repo_rows,
        has_previous_repos: f.history.repos.is_some(),
        judge: f.judge,
        interrupted: f.checked.interrupted,
        duration: f.duration,
        api_calls: f.checked.api_calls,
        api_answered: f.checked.api_answered,
        forge_calls: f.checked.forge_calls.clone(),
        exit_code: i32::from(f.exit.code()),
        exit_reason: f.exit_reason.clone(),
        notes,
    }
}

/// summary.md (when `[report] formats` has `md`), index.html (when it has
/// `html`), and the summary text appended to `$GITHUB_STEP_SUMMARY`
/// (always; a failure there is a warning, not an error).
fn write_summary(
    options: &RunOptions,
    paths: &ReportPaths,
    f: &Finished<'_>,
    summary: &SummaryInput<'_>,
    archive_words: &ArchiveWords<'_>,
    changed: Option<&str>,
) -> Result<(), Error> {
    let config = &options.config;
    let mut markdown = report::render_summary(summary);
    if let Some(sentence) = changed {
        // Right under the title, where a pull request's reader looks first.
        let at = markdown.find("\n\n").map_or(0, |i| i + 2);
        markdown.insert_str(at, &format!("**{sentence}**\n\n"));
    }
    markdown.push_str(&report::archive_section(f.archived, archive_words));
    if config.report.wants(ReportFormat::Md) {
        report::write_text_atomic(&paths.summary, &markdown)?;
    }
    if config.report.wants(ReportFormat::Html) {
        write_html(config, summary, f.tables)?;
    }
    if let Some(Err(e)) = options
        .step_summary
        .as_ref()
        .map(|step| report::append_step_summary(step, &markdown))
    {
        warn(&e.to_string());
    }
    Ok(())
}

/// index.html: the page marks what fails the run exactly as the exit
/// code counts it (the verdict's `fails_run`).
fn write_html(
    config: &Config,
    summary: &SummaryInput<'_>,
    tables: &Tables<'_>,
) -> Result<(), Error> {
    let judge = &summary.judge;
    report::write_html_report(
        &config.output_dir.join(report::names::INDEX_HTML),
        &report::HtmlInput {
            summary,
            papers: &tables.paper_rows,
            links: &|wanted, visit| {
                for (paper, row) in tables.paper_link_rows(wanted) {
                    visit(Some(paper), &row);
                }
            },
            generated_at: Utc::now(),
            fails_link: &|e| judge.link(&e.url, e.status).fails_run,
            fails_repo: &|r| judge.repo(r).fails_run,
        },
    )
}

/// The level of a link row's finding (the verdict's): what SARIF and
/// JUnit list, and how.
fn link_level(judge: &Judge<'_>, row: &LinkRow<'_>) -> Option<Level> {
    row.result.and_then(|r| judge.link(row.url, r.status).level)
}

/// The level of a repository row's finding (the verdict's).
fn repo_level(judge: &Judge<'_>, repo: &RepoRow) -> Option<Level> {
    judge.repo(repo).level
}

/// links.sarif and junit.xml, each when `[report] formats` names it.
fn write_findings(options: &RunOptions, f: &Finished<'_>) -> Result<(), Error> {
    let wants = |format| options.config.report.wants(format);
    let dir = &options.config.output_dir;
    let judge = &f.judge;
    if wants(ReportFormat::Sarif) {
        let repos = f.finding_repos();
        report::write_atomic(&dir.join(report::names::LINKS_SARIF), |w| {
            report::write_sarif(
                w,
                f.finding_rows(),
                &repos,
                |row| link_level(judge, row),
                |repo| repo_level(judge, repo),
                &options.workdir,
            )
        })?;
    }
    if wants(ReportFormat::Junit) {
        // Only the rows junit.xml lists (its own de-duplication then sees
        // one row per test case instead of every occurrence).
        let first = f.tables.first_in_source();
        let rows = || f.tables.link_rows_where(|i, _| first[i]);
        report::write_atomic(&dir.join(report::names::JUNIT_XML), |w| {
            report::write_junit(w, rows, |row| link_level(judge, row), &options.workdir)
        })?;
    }
    Ok(())
}

/// GitHub Actions annotations: on stdout, or on stderr when stdout
/// carries JSON or SARIF.
fn print_annotations(
    options: &RunOptions,
    f: &Finished<'_>,
    archive_words: &ArchiveWords<'_>,
    out: &mut (dyn Write + Send),
) -> Result<(), Error> {
    if !options.github_actions {
        return Ok(());
    }
    let words_of: HashMap<&str, &str> = archive_words
        .iter()
        .map(|(url, w, _)| (*url, w.as_str()))
        .collect();
    let words = |url: &str| words_of.get(url).map(|w| w.to_string());
    let (rows, repos) = (f.finding_rows(), &f.finding_repos());
    let result = if matches!(options.format, OutputFormat::Json | OutputFormat::Sarif) {
        let err = std::io::stderr().lock();
        report::write_annotations(err, rows, repos, &f.judge, &options.workdir, words)
    } else {
        report::write_annotations(&mut *out, rows, repos, &f.judge, &options.workdir, words)
    };
    result.map_err(out_err)
}

/// The end-of-run summary in the chosen format, then a flush.
fn print_summary(
    options: &RunOptions,
    f: &Finished<'_>,
    summary: &SummaryInput<'_>,
    changed: Option<&str>,
    out: &mut (dyn Write + Send),
) -> Result<(), Error> {
    match options.format {
        OutputFormat::Json => {
            out.write_all(report::render_json(&JsonReport::new(summary)).as_bytes())
                .map_err(out_err)?;
        }
        OutputFormat::Sarif => {
            let judge = &f.judge;
            report::write_sarif(
                &mut *out,
                f.finding_rows(),
                &f.finding_repos(),
                |row| link_level(judge, row),
                |repo| repo_level(judge, repo),
                &options.workdir,
            )
            .map_err(out_err)?;
        }
        OutputFormat::Summary => {
            let mut lines = report::archive_sentence(f.archived)
                .into_iter()
                .collect::<Vec<_>>();
            lines.extend(changed.map(str::to_string));
            let text = report::render_terminal(
                summary,
                &lines,
                &options.config.output_dir,
                f.store.urls.len(),
                options.terminal,
            );
            writeln!(out, "{text}").map_err(out_err)?;
        }
        OutputFormat::None => {}
    }
    out.flush().map_err(out_err)
}

/// The lock file in an output directory (holds the pid of the run that
/// holds the lock; left in place, so there is no race on removing it).
pub(super) const LOCK_FILE: &str = ".paperlinks.lock";
/// How long a run waits for another run to let go of its output
/// directory before it refuses (exit 3).
pub(super) const LOCK_WAIT: Duration = Duration::from_secs(5);

/// One run per output directory: the advisory lock (`std::fs::File::lock`,
/// `flock` on Unix) is held as long as this lives.
#[derive(Debug)]
pub(super) struct OutputLock {
    _file: std::fs::File,
}

/// Creates `dir` and takes its lock before anything else is written there;
/// waits up to [`LOCK_WAIT`] for another run to finish, then refuses with
/// the directory and the other run's pid (`Error::Io`: exit 3).
pub(super) async fn lock_output_dir(dir: &std::path::Path) -> Result<OutputLock, Error> {
    // Not being able to create the directory or the lock file is a report
    // that cannot be written (exit 1); only another run's lock is exit 3.
    let io = |source: std::io::Error| Error::Report {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let path = dir.join(LOCK_FILE);
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    let deadline = std::time::Instant::now() + LOCK_WAIT;
    let mut told = false;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
            Err(std::fs::TryLockError::WouldBlock) => {
                let holder = holder_pid(&path);
                if std::time::Instant::now() >= deadline {
                    return Err(Error::Io {
                        path: dir.to_path_buf(),
                        source: std::io::Error::other(format!(
                            "another paperlinks run ({holder}) is writing into this output directory \
                         (lock {}); waited {} s: try again when it is done, or use another --output-dir",
                            path.display(),
                            LOCK_WAIT.as_secs()
                        )),
                    });
                }
                if !told {
                    told = true;
                    warn(&format!(
                        "waiting up to {} s for another run ({holder}) writing into {}",
                        LOCK_WAIT.as_secs(),
                        dir.display()
                    ));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    use std::io::Seek;
    file.set_len(0).map_err(io)?;
    file.seek(std::io::SeekFrom::Start(0)).map_err(io)?;
    writeln!(file, "{}", std::process::id()).map_err(io)?;
    Ok(OutputLock { _file: file })
}

/// "pid N" of the run holding the lock, as it wrote it.
fn holder_pid(path: &std::path::Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    match text.trim().parse::<u32>() {
        Ok(pid) => format!("pid {pid}"),
        Err(_) => "pid unknown".into(),
    }
}
