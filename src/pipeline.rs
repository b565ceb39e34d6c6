//! The pipeline: wires input -> extract -> check / github -> report and
//! decides the run's outcome (the exit code a CI job sees).
//!
//! Owns incremental reuse of the previous reports, the fail policy and the
//! shutdown behaviour. Never parses formats, never speaks HTTP itself and
//! never formats report files: each of those belongs to its stage.

use crate::check::Checker;
use crate::cli::OutputFormat;
use crate::config::Config;
use crate::error::Error;
use crate::extract;
use crate::github::{self, Github, RepoRef};
use crate::history::{History, ReportPaths};
use crate::input::{self, OpenError, Source};
use crate::model::{LinkResult, LinkRow, PaperRow, RepoOutcome, RepoRow, Status};
use crate::report::{self, previous};
use crate::report::{FailPolicy, JsonReport, LinkTally, RepoPapers, SummaryInput};
use crate::store::{NO_PAPER, Store};
use chrono::Utc;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// Marks "not a repository" in `Links::repo_of`.
const NO_REPO: u32 = u32::MAX;

/// Reads every source into a `Store`. Runs on a blocking thread: extraction
/// is synchronous streaming over `BufRead`.
/// `remote` holds the fetched documents of URL sources.
pub fn collect(
    sources: &[Source],
    remote: Remote,
    warnings: &mut Vec<String>,
) -> Result<Store, Error> {
    let mut store = Store::default();
    let mut remote = remote;
    for source in sources {
        let opened = match source {
            Source::Url(url) => match remote.remove(url) {
                Some((ext, body)) => {
                    input::open_reader(url, ext.as_deref(), Box::new(std::io::Cursor::new(body)))
                }
                None => continue,
            },
            _ => input::open(source),
        };
        let Some(opened) = skip_unreadable(opened, warnings)? else {
            continue;
        };
        let name = source.name();
        let mut sink = store.begin_source(name.clone());
        extract::extract(opened.format, opened.reader, &mut |e| sink.event(e)).map_err(|e| {
            Error::Io {
                path: name.into(),
                source: e,
            }
        })?;
    }
    Ok(store)
}

/// An input that is skipped (a binary file) becomes a warning and `None`.
fn skip_unreadable(
    opened: Result<input::Opened, OpenError>,
    warnings: &mut Vec<String>,
) -> Result<Option<input::Opened>, Error> {
    match opened {
        Ok(o) => Ok(Some(o)),
        Err(OpenError::Skip(msg)) => {
            warnings.push(msg);
            Ok(None)
        }
        Err(OpenError::Fatal(e)) => Err(e),
    }
}

/// Fetched remote inputs: URL -> (extension standing for its content type, body).
pub type Remote = HashMap<String, (Option<String>, Vec<u8>)>;

/// Largest remote input document read.
pub const MAX_REMOTE_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// Fetches every URL input, with the checker's remap and address rules.
async fn fetch_remote(config: &Config, sources: &[Source]) -> Result<Remote, Error> {
    let mut remote = Remote::new();
    let urls: Vec<&String> = sources
        .iter()
        .filter_map(|s| match s {
            Source::Url(u) => Some(u),
            _ => None,
        })
        .collect();
    if urls.is_empty() {
        return Ok(remote);
    }
    let checker = Checker::new(&config.check)?;
    for url in urls {
        let doc = checker
            .fetch_document(url, MAX_REMOTE_INPUT_BYTES)
            .await
            .map_err(|message| Error::Input {
                input: url.clone(),
                message: format!("cannot fetch: {message}"),
            })?;
        let ext = url::Url::parse(url)
            .ok()
            .and_then(|u| crate::check::fetch::extension_for(doc.content_type.as_deref(), &u));
        remote.insert(url.clone(), (ext, doc.body));
    }
    Ok(remote)
}

/// The `extract` command: streams every link as CSV to `out`, keeping no
/// more than the current paper title per source in memory.
pub fn extract_to(
    sources: &[Source],
    out: &mut dyn Write,
    warnings: &mut Vec<String>,
) -> Result<(), Error> {
    let mut writer = crate::report::LinkCsvWriter::new(out, false).map_err(stdout_error)?;
    for source in sources {
        let Some(opened) = skip_unreadable(input::open(source), warnings)? else {
            continue;
        };
        let name = source.name();
        let mut titles: HashMap<usize, String> = HashMap::new();
        let mut failed: Option<std::io::Error> = None;
        extract::extract(opened.format, opened.reader, &mut |event| {
            if failed.is_some() {
                return;
            }
            match event {
                extract::Event::Paper(p) => {
                    // Links only ever refer to the latest paper or one shortly
                    // before it; keep the map small on huge inputs.
                    if titles.len() > 64 {
                        titles.clear();
                    }
                    titles.insert(p.index, p.title);
                }
                extract::Event::Link(l) => {
                    let paper = l.paper.and_then(|i| titles.get(&i)).map_or("", |s| s);
                    let repo = github::parse_repo_url(&l.url)
                        .map(|r| r.full_name())
                        .unwrap_or_default();
                    let row = LinkRow {
                        source: &name,
                        line: l.line,
                        column: l.column,
                        paper,
                        url: &l.url,
                        repo: &repo,
                        result: None,
                        first_failed_at: None,
                    };
                    if let Err(e) = writer.write(&row) {
                        failed = Some(e);
                    }
                }
                extract::Event::ClaimsCode { .. } => {}
            }
        })
        .map_err(|e| Error::Io {
            path: name.clone().into(),
            source: e,
        })?;
        if let Some(e) = failed {
            return Err(stdout_error(e));
        }
    }
    writer.flush().map_err(stdout_error)
}

fn stdout_error(e: std::io::Error) -> Error {
    Error::Io {
        path: "<stdout>".into(),
        source: e,
    }
}

/// Which repository each unique URL points into.
pub struct Links {
    pub repo_of: Vec<u32>,
    pub repos: Vec<RepoRef>,
}

/// Maps every unique URL to its repository (when it names one).
pub fn find_repos(store: &Store) -> Links {
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut repos = Vec::new();
    let repo_of = store
        .urls
        .iter()
        .map(|url| match github::parse_repo_url(url) {
            Some(r) => *index.entry(r.key()).or_insert_with(|| {
                repos.push(r.clone());
                (repos.len() - 1) as u32
            }),
            None => NO_REPO,
        })
        .collect();
    Links { repo_of, repos }
}

/// Everything the check stage produced.
pub struct Checked {
    pub results: Vec<LinkResult>,
    pub repo_outcomes: Vec<RepoOutcome>,
    /// For repositories reused from the previous report: when they were fetched.
    pub repo_fetched: Vec<Option<chrono::DateTime<Utc>>>,
    pub api_calls: usize,
    pub notes: Vec<String>,
    pub interrupted: bool,
}

/// What the previous run lets this one skip: a result per unique URL and
/// repository data (with when it was fetched) per repository, where fresh.
pub struct Reused {
    pub links: Vec<Option<LinkResult>>,
    pub repos: Vec<Option<(crate::model::RepoInfo, chrono::DateTime<Utc>)>>,
}

/// Checks every unique URL: repository roots through the GitHub API, the
/// rest over HTTP, both at once. URLs already decided (`reused`) are skipped.
pub async fn check(
    config: &Config,
    store: &Store,
    links: &Links,
    known: Reused,
    token: Option<String>,
    shutdown: CancellationToken,
    progress: &indicatif::ProgressBar,
) -> Result<Checked, Error> {
    let Reused {
        links: mut reused,
        repos: cached_repos,
    } = known;
    let checker = Checker::new(&config.check)?;
    let github_on = config.github.enabled;

    // Decide what needs the API, what needs HTTP, and what is already known.
    let mut http_jobs: Vec<(u32, String)> = Vec::new();
    let mut api_roots: Vec<u32> = Vec::new();
    for (id, url) in store.urls.iter().enumerate() {
        if reused[id].is_some() {
            continue;
        }
        let repo = links.repo_of[id];
        let is_root = repo != NO_REPO && github_on && is_root_link(url);
        if !is_root {
            // The checker itself decides excluded and invalid URLs at once.
            http_jobs.push((id as u32, url.clone()));
        } else if let Some(r) = checker.precheck(url) {
            reused[id] = Some(r);
        } else {
            api_roots.push(id as u32);
        }
    }
    progress.set_length(store.urls.len() as u64);
    progress.set_position(reused.iter().filter(|r| r.is_some()).count() as u64);

    // Repositories to ask about: those without fresh data from the last run.
    let to_query: Vec<usize> = if github_on {
        (0..links.repos.len())
            .filter(|&i| cached_repos[i].is_none())
            .collect()
    } else {
        Vec::new()
    };
    let repo_query: Vec<(String, String)> = to_query
        .iter()
        .map(|&i| (links.repos[i].owner.clone(), links.repos[i].name.clone()))
        .collect();

    let gh = if github_on {
        Some(Github::new(&config.github, token)?)
    } else {
        None
    };
    let api = async {
        match &gh {
            Some(gh) if !repo_query.is_empty() => gh.fetch(&repo_query, shutdown.clone()).await,
            _ => (Vec::new(), Default::default()),
        }
    };
    let results = std::sync::Mutex::new(reused);
    let http = async {
        checker
            .check_all(http_jobs, shutdown.clone(), &mut |id, result| {
                results.lock().expect("results lock")[id as usize] = Some(result);
                progress.inc(1);
            })
            .await
    };
    let ((fetched, stats), ()) = tokio::join!(api, http);
    let mut results = results.into_inner().expect("results lock");

    let mut repo_fetched = vec![None; links.repos.len()];
    let mut repo_outcomes: Vec<RepoOutcome> = cached_repos
        .into_iter()
        .enumerate()
        .map(|(i, cached)| match cached {
            Some((info, at)) if github_on => {
                repo_fetched[i] = Some(at);
                RepoOutcome::Found(Box::new(info))
            }
            _ if github_on => RepoOutcome::Unknown("interrupted before GitHub was asked".into()),
            _ => RepoOutcome::Unknown("GitHub audit disabled".into()),
        })
        .collect();
    for (i, outcome) in to_query.into_iter().zip(fetched) {
        repo_outcomes[i] = outcome;
    }

    // Repository roots are judged from the API answer; when GitHub could not
    // answer, fall back to requesting the page itself.
    let mut fallback = Vec::new();
    for &id in &api_roots {
        let repo = links.repo_of[id as usize] as usize;
        match repo_outcomes.get(repo) {
            Some(RepoOutcome::Found(info)) => {
                let renamed = !info
                    .canonical
                    .eq_ignore_ascii_case(&links.repos[repo].full_name());
                let mut r = LinkResult::without_request(
                    if renamed {
                        Status::Redirected
                    } else {
                        Status::Ok
                    },
                    if renamed {
                        format!("repository renamed to {}", info.canonical)
                    } else {
                        String::new()
                    },
                );
                r.http_status = Some(200);
                if renamed {
                    r.final_url = Some(info.url.clone());
                }
                results[id as usize] = Some(r);
                progress.inc(1);
            }
            Some(RepoOutcome::Missing) => {
                let mut r = LinkResult::without_request(
                    Status::Broken,
                    "repository not found (deleted, renamed away or private)",
                );
                r.http_status = Some(404);
                results[id as usize] = Some(r);
                progress.inc(1);
            }
            _ => fallback.push((id, store.urls[id as usize].clone())),
        }
    }
    if !fallback.is_empty() && !shutdown.is_cancelled() {
        checker
            .check_all(fallback, shutdown.clone(), &mut |id, result| {
                results[id as usize] = Some(result);
                progress.inc(1);
            })
            .await;
    }

    let interrupted = shutdown.is_cancelled();
    let results = results
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|| {
                LinkResult::without_request(
                    Status::Unchecked,
                    "run interrupted before this link was checked",
                )
            })
        })
        .collect();
    Ok(Checked {
        results,
        repo_outcomes,
        repo_fetched,
        api_calls: stats.api_calls,
        notes: stats.notes,
        interrupted,
    })
}

fn is_root_link(url: &str) -> bool {
    github::parse_repo_url(url).is_some_and(|r| r.root)
}

/// True when HTTP checks were attempted and not one got any HTTP answer:
/// the network itself looks unreachable, so no link can be called dead.
pub fn network_unreachable(results: &[LinkResult]) -> bool {
    let mut attempted = 0usize;
    for r in results {
        if r.cached
            || matches!(
                r.status,
                Status::Excluded | Status::Invalid | Status::Unchecked
            )
        {
            continue;
        }
        if r.http_status.is_some() || !matches!(r.status, Status::NetworkError | Status::Timeout) {
            return false;
        }
        attempted += 1;
    }
    attempted > 0
}

/// Rows of links.csv in input order.
pub fn link_rows<'a>(
    store: &'a Store,
    links: &'a Links,
    repo_names: &'a [String],
    results: &'a [LinkResult],
    first_failed: &'a [Option<chrono::DateTime<Utc>>],
) -> impl Iterator<Item = LinkRow<'a>> + 'a {
    store.occurrences.iter().map(move |o| {
        let repo = links.repo_of[o.url as usize];
        LinkRow {
            source: &store.sources[o.source as usize],
            line: o.line as usize,
            column: o.column as usize,
            paper: if o.paper == NO_PAPER {
                ""
            } else {
                &store.papers[o.paper as usize].title
            },
            url: &store.urls[o.url as usize],
            repo: if repo == NO_REPO {
                ""
            } else {
                &repo_names[repo as usize]
            },
            result: Some(&results[o.url as usize]),
            first_failed_at: first_failed[o.url as usize],
        }
    })
}

/// How the run ended, for the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Nothing failed under the fail policy.
    Ok,
    /// At least one link status or health word in `fail_on` (exit 2).
    Failures,
    /// Not one request got an HTTP answer (exit 4).
    Unreachable,
    /// Stopped by SIGINT/SIGTERM; partial reports written (exit 130).
    Interrupted,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Failures => 2,
            Exit::Unreachable => 4,
            Exit::Interrupted => 130,
        }
    }
}

/// Everything `run` needs besides the shutdown signal.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub config: Config,
    /// Check everything again (history is still carried over).
    pub no_cache: bool,
    /// Only failures new since the previous report fail the run.
    pub fail_on_new: bool,
    pub format: crate::cli::OutputFormat,
    /// The GitHub token; only the `github` stage ever reads it.
    pub token: Option<String>,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// Print GitHub Actions workflow commands.
    pub github_actions: bool,
    /// `$GITHUB_STEP_SUMMARY`: summary.md is appended there too.
    pub step_summary: Option<std::path::PathBuf>,
    /// Annotation paths are made relative to this directory.
    pub workdir: std::path::PathBuf,
}

impl RunOptions {
    /// Options for a library user or a test: no progress bar, no Actions output.
    pub fn new(config: Config) -> Self {
        RunOptions {
            config,
            no_cache: false,
            fail_on_new: false,
            format: crate::cli::OutputFormat::None,
            token: None,
            progress: false,
            github_actions: false,
            step_summary: None,
            workdir: std::env::current_dir().unwrap_or_default(),
        }
    }
}

fn warn(msg: &str) {
    eprintln!("paperlinks: warning: {msg}");
}

/// The `extract` command: resolves the config's inputs and streams every
/// link as CSV to `out`. No network at all (remote inputs are refused).
pub fn run_extract(config: &Config, out: &mut dyn Write) -> Result<(), Error> {
    let resolved = input::resolve(&config.inputs)?;
    if let Some(Source::Url(url)) = resolved
        .sources
        .iter()
        .find(|s| matches!(s, Source::Url(_)))
    {
        return Err(Error::Input {
            input: url.clone(),
            message: "`extract` does no network I/O; download the page first or use `check`".into(),
        });
    }
    for w in &resolved.warnings {
        warn(w);
    }
    let mut warnings = Vec::new();
    let result = extract_to(&resolved.sources, out, &mut warnings);
    for w in &warnings {
        warn(w);
    }
    result
}

/// The `check` command: the whole pipeline. Writes every report (also when
/// interrupted) and returns how the run ended.
pub async fn run(
    options: RunOptions,
    shutdown: CancellationToken,
    out: &mut (dyn Write + Send),
) -> Result<Exit, Error> {
    let started = Instant::now();
    let config = &options.config;
    let fail_words = config.fail_words().map_err(|message| Error::Config {
        path: "config".into(),
        message,
    })?;

    // Inputs -> extraction, on a blocking thread (streaming BufRead).
    let resolved = input::resolve(&config.inputs)?;
    for w in &resolved.warnings {
        warn(w);
    }
    let sources = resolved.sources;
    let remote = fetch_remote(config, &sources).await?;
    let (store, warnings) = tokio::task::spawn_blocking(move || {
        let mut warnings = Vec::new();
        collect(&sources, remote, &mut warnings).map(|s| (s, warnings))
    })
    .await
    .map_err(|e| Error::Input {
        input: "inputs".into(),
        message: format!("extraction failed: {e}"),
    })??;
    for w in &warnings {
        warn(w);
    }
    let links = find_repos(&store);

    // The previous run's reports: reuse and history.
    std::fs::create_dir_all(&config.output_dir).map_err(|e| Error::Report {
        path: config.output_dir.clone(),
        source: e,
    })?;
    let paths = ReportPaths::new(&config.output_dir);
    let history = History::load(&paths, config, options.no_cache);
    for w in &history.warnings {
        warn(w);
    }

    let reused: Vec<Option<LinkResult>> = store
        .urls
        .iter()
        .map(|url| history.reusable_link(url))
        .collect();

    let cached_repos = links
        .repos
        .iter()
        .map(|r| history.reusable_repo(&r.key()))
        .collect();
    let progress = crate::progress::bar(options.progress, store.urls.len());
    let checked = check(
        config,
        &store,
        &links,
        Reused {
            links: reused,
            repos: cached_repos,
        },
        options.token.clone(),
        shutdown.clone(),
        &progress,
    )
    .await?;
    progress.finish_and_clear();
    for note in &checked.notes {
        warn(note);
    }

    let now = Utc::now();
    let first_failed: Vec<_> = store
        .urls
        .iter()
        .zip(&checked.results)
        .map(|(url, r)| previous::carry_first_failed(history.previous_link(url), r))
        .collect();
    let repo_names: Vec<String> = links.repos.iter().map(|r| r.full_name()).collect();
    let repo_rows = repo_rows(config, &store, &links, &checked, &history, now);
    let paper_rows = paper_rows(&store, &links, &checked.results, &repo_rows);
    let policy = FailPolicy::from_words(&fail_words, options.fail_on_new);
    let verdict = Verdict::new(&policy, &store, &checked, &repo_rows, &history);
    let rows = || link_rows(&store, &links, &repo_names, &checked.results, &first_failed);

    // Decide the exit before writing, so every report can say it.
    let unreachable = network_unreachable(&checked.results);
    let failures = verdict.counted(options.fail_on_new);
    let (exit, exit_reason) = if checked.interrupted {
        (
            Exit::Interrupted,
            "interrupted; unchecked links are marked `unchecked`".to_string(),
        )
    } else if unreachable {
        (
            Exit::Unreachable,
            "the network looks unreachable: not one request got an HTTP answer, so no link has been judged dead".to_string(),
        )
    } else if failures > 0 {
        let what = if options.fail_on_new {
            "new failures"
        } else {
            "failures"
        };
        (
            Exit::Failures,
            format!(
                "{failures} {what} under fail_on [{}]",
                config.ci.fail_on.join(", ")
            ),
        )
    } else {
        (Exit::Ok, "nothing failed under the fail policy".to_string())
    };

    // Reports.
    report::write_links_csv(&paths.links, rows(), true)?;
    report::write_repos_csv(&paths.repos, &repo_rows)?;
    report::write_papers_csv(&paths.papers, &paper_rows)?;
    let mut tally = LinkTally::new(history.had_links);
    let mut repo_papers = RepoPapers::new();
    for row in rows() {
        tally.add(&row, history.previous_link(row.url));
        repo_papers.add(&row);
    }
    let previous_repos_at = history.repos.as_ref().and_then(|r| r.report_at);
    report::write_text_atomic(
        &paths.popularity_md,
        &report::render_popularity_md(&repo_rows, &repo_papers, &paper_rows, previous_repos_at),
    )?;
    report::write_popularity_svg(&paths.popularity_svg, &repo_rows)?;
    let mut notes = checked.notes.clone();
    notes.extend(history.warnings.iter().cloned());
    if unreachable {
        notes.push(exit_reason.clone());
    }
    let summary = SummaryInput {
        links: &tally,
        repos: &repo_rows,
        has_previous_repos: history.repos.is_some(),
        interrupted: checked.interrupted,
        duration: started.elapsed(),
        api_calls: checked.api_calls,
        exit_code: i32::from(exit.code()),
        exit_reason: exit_reason.clone(),
        notes,
    };
    let markdown = report::render_summary(&summary);
    report::write_text_atomic(&paths.summary, &markdown)?;
    write_html(
        config,
        &summary,
        &paper_rows,
        &verdict,
        &store,
        options.fail_on_new,
    )?;
    if let Some(Err(e)) = options
        .step_summary
        .as_ref()
        .map(|step| report::append_step_summary(step, &markdown))
    {
        warn(&e.to_string());
    }

    // Terminal output: annotations (stdout, or stderr when stdout carries
    // JSON), then the summary in the chosen format.
    let out_err = |e| Error::Io {
        path: "<stdout>".into(),
        source: e,
    };
    if options.github_actions {
        let result = if options.format == OutputFormat::Json {
            report::write_annotations(
                std::io::stderr().lock(),
                rows(),
                &repo_rows,
                Some(&history.links),
                &policy,
                &options.workdir,
            )
        } else {
            report::write_annotations(
                &mut *out,
                rows(),
                &repo_rows,
                Some(&history.links),
                &policy,
                &options.workdir,
            )
        };
        result.map_err(out_err)?;
    }
    match options.format {
        OutputFormat::Json => {
            out.write_all(report::render_json(&JsonReport::new(&summary)).as_bytes())
                .map_err(out_err)?;
        }
        OutputFormat::Summary => {
            writeln!(
                out,
                "{}",
                terminal_summary(&summary, &config.output_dir, store.urls.len())
            )
            .map_err(out_err)?;
        }
        OutputFormat::None => {}
    }
    out.flush().map_err(out_err)?;
    if checked.interrupted {
        eprintln!(
            "paperlinks: the run was interrupted; reports hold what was known (unchecked links marked `unchecked`)"
        );
    }
    Ok(exit)
}

/// index.html: the page marks what fails the run exactly as the exit
/// code counts it (the verdict's failing URLs and repositories).
fn write_html(
    config: &Config,
    summary: &SummaryInput<'_>,
    papers: &[PaperRow<'_>],
    verdict: &Verdict,
    store: &Store,
    only_new: bool,
) -> Result<(), Error> {
    let urls: HashSet<&str> = verdict
        .failing_links
        .iter()
        .filter(|(_, known)| !only_new || !known)
        .filter_map(|(id, _)| store.urls.get_index(*id as usize).map(String::as_str))
        .collect();
    let repos: HashSet<&str> = verdict
        .failing_repos
        .iter()
        .filter(|(_, known)| !only_new || !known)
        .map(|(i, _)| summary.repos[*i].repo.as_str())
        .collect();
    report::write_html_report(
        &config.output_dir.join(report::names::INDEX_HTML),
        &report::HtmlInput {
            summary,
            papers,
            generated_at: Utc::now(),
            fails_link: &|e| urls.contains(e.url.as_str()),
            fails_repo: &|r| repos.contains(r.repo.as_str()),
        },
    )
}

/// The one-paragraph summary printed at the end of `check`.
fn terminal_summary(s: &SummaryInput<'_>, dir: &std::path::Path, unique: usize) -> String {
    let counts: Vec<String> = s
        .links
        .status_counts
        .iter()
        .map(|(st, n)| format!("{n} {st}"))
        .collect();
    let health: Vec<String> = s
        .health_counts()
        .iter()
        .map(|(h, n)| format!("{n} {h}"))
        .collect();
    let mut text = format!(
        "Checked {} links ({unique} unique) in {:.1} s: {}.",
        s.links.total,
        s.duration.as_secs_f64(),
        if counts.is_empty() {
            "none found".to_string()
        } else {
            counts.join(", ")
        },
    );
    if !s.repos.is_empty() {
        text.push_str(&format!(
            " {} repositories: {} ({} GitHub API calls).",
            s.repos.len(),
            health.join(", "),
            s.api_calls
        ));
    }
    if s.links.cached > 0 {
        text.push_str(&format!(
            " {} results reused from the previous run.",
            s.links.cached
        ));
    }
    text.push_str(&format!(
        " Reports in {}/. {}.",
        dir.display(),
        capitalise(&s.exit_reason)
    ));
    text
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// One row per repository, ranked, with star deltas against the previous run.
fn repo_rows(
    config: &Config,
    store: &Store,
    links: &Links,
    checked: &Checked,
    history: &History,
    now: chrono::DateTime<Utc>,
) -> Vec<RepoRow> {
    let n = links.repos.len();
    let mut link_count = vec![0usize; n];
    let mut papers: Vec<HashSet<u32>> = vec![HashSet::new(); n];
    for o in &store.occurrences {
        let r = links.repo_of[o.url as usize];
        if r != NO_REPO {
            link_count[r as usize] += 1;
            if o.paper != NO_PAPER {
                papers[r as usize].insert(o.paper);
            }
        }
    }
    let mut rows: Vec<RepoRow> = links
        .repos
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let outcome = &checked.repo_outcomes[i];
            let (fetched_at, cached) = checked.repo_fetched[i].map_or((now, false), |t| (t, true));
            let (info, error) = match outcome {
                RepoOutcome::Found(info) => (Some((**info).clone()), String::new()),
                RepoOutcome::Missing => (None, "repository not found (deleted or private)".into()),
                RepoOutcome::Unknown(reason) => (None, reason.clone()),
            };
            RepoRow {
                repo: r.full_name(),
                days_since_push: info
                    .as_ref()
                    .and_then(|i| i.pushed_at)
                    .map(|p| now.signed_duration_since(p).num_days()),
                info,
                papers: papers[i].len(),
                links: link_count[i],
                health: github::health(outcome, &config.github, now),
                rank: None,
                error,
                fetched_at,
                cached,
                stars_delta: None,
                previous_report_at: None,
            }
        })
        .collect();
    report::rank_repos(&mut rows);
    if let Some(prev) = &history.repos {
        report::fill_star_deltas(&mut rows, prev);
    }
    rows
}

/// Hosts whose links count as code links in papers.csv, besides GitHub
/// repositories: other code forges and model hubs.
const CODE_HOSTS: [&str; 6] = [
    "gitlab.com",
    "bitbucket.org",
    "codeberg.org",
    "sourceforge.net",
    "huggingface.co",
    "gitee.com",
];

fn is_code_link(url: &str, is_repo: bool) -> bool {
    if is_repo {
        return true;
    }
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
        })
        .is_some_and(|h| {
            CODE_HOSTS.iter().any(|c| {
                h.strip_suffix(c)
                    .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
            })
        })
}

/// One row per paper, in input order.
fn paper_rows<'a>(
    store: &'a Store,
    links: &Links,
    results: &[LinkResult],
    repos: &[RepoRow],
) -> Vec<PaperRow<'a>> {
    // Repository rows are ranked (reordered): find them by name.
    let by_name: HashMap<String, &RepoRow> = repos
        .iter()
        .map(|r| (r.repo.to_ascii_lowercase(), r))
        .collect();
    let mut rows: Vec<PaperRow> = store
        .papers
        .iter()
        .map(|p| PaperRow {
            source: &store.sources[p.source as usize],
            line: p.line as usize,
            paper: &p.title,
            links: 0,
            code_links: 0,
            repos: 0,
            broken_links: 0,
            best_repo: String::new(),
            best_repo_stars: None,
            health: None,
            claims_code_without_link: false,
        })
        .collect();
    // Per unique URL, not per occurrence: a URL is parsed once.
    let code_link: Vec<bool> = store
        .urls
        .iter()
        .zip(&links.repo_of)
        .map(|(url, &repo)| is_code_link(url, repo != NO_REPO))
        .collect();
    let mut seen_repos: Vec<HashSet<u32>> = vec![HashSet::new(); rows.len()];
    for o in &store.occurrences {
        if o.paper == NO_PAPER {
            continue;
        }
        let row = &mut rows[o.paper as usize];
        let repo = links.repo_of[o.url as usize];
        row.links += 1;
        if code_link[o.url as usize] {
            row.code_links += 1;
        }
        if results[o.url as usize].status.is_failure() {
            row.broken_links += 1;
        }
        if repo == NO_REPO || !seen_repos[o.paper as usize].insert(repo) {
            continue;
        }
        row.repos += 1;
        let Some(r) = by_name.get(&links.repos[repo as usize].full_name().to_ascii_lowercase())
        else {
            continue;
        };
        if row
            .health
            .is_none_or(|h| r.health.goodness_rank() < h.goodness_rank())
        {
            row.health = Some(r.health);
        }
        if let Some(info) = r
            .info
            .as_ref()
            .filter(|i| row.best_repo_stars.is_none_or(|s| i.stars > s))
        {
            row.best_repo = r.repo.clone();
            row.best_repo_stars = Some(info.stars);
        }
    }
    for (row, paper) in rows.iter_mut().zip(&store.papers) {
        row.claims_code_without_link = paper.claims_code && row.links == 0;
    }
    rows
}

/// The fail policy applied to this run: what fails, and what was already
/// failing in the previous report ("known").
#[derive(Debug, Default)]
pub struct Verdict {
    /// Unique URLs whose status is in `fail_on`, with "was already failing".
    pub failing_links: Vec<(u32, bool)>,
    /// Repository rows whose health is in `fail_on`, with "was already failing".
    pub failing_repos: Vec<(usize, bool)>,
}

impl Verdict {
    fn new(
        policy: &FailPolicy,
        store: &Store,
        checked: &Checked,
        repos: &[RepoRow],
        history: &History,
    ) -> Verdict {
        let failing_links = checked
            .results
            .iter()
            .enumerate()
            .filter(|(_, r)| policy.statuses.contains(&r.status))
            .map(|(id, _)| {
                let known = history
                    .previous_link(&store.urls[id])
                    .is_some_and(|p| p.result.status.is_failure());
                (id as u32, known)
            })
            .collect();
        let failing_repos = repos
            .iter()
            .enumerate()
            .filter(|(_, r)| policy.health.contains(&r.health))
            .map(|(i, r)| {
                let known = history
                    .previous_repo(&r.repo.to_ascii_lowercase())
                    .is_some_and(|p| policy.health.contains(&p.health));
                (i, known)
            })
            .collect();
        Verdict {
            failing_links,
            failing_repos,
        }
    }

    /// How many failures count under the policy (`only_new`: `--fail-on-new`).
    pub fn counted(&self, only_new: bool) -> usize {
        self.failing_links
            .iter()
            .filter(|(_, known)| !only_new || !known)
            .count()
            + self
                .failing_repos
                .iter()
                .filter(|(_, known)| !only_new || !known)
                .count()
    }
}

#[cfg(test)]
mod tests {
    use super::is_code_link;

    #[test]
    fn code_links_are_repositories_and_code_hosts_with_their_subdomains() {
        assert!(is_code_link("https://example.org/x", true));
        for url in [
            "https://gitlab.com/a/b",
            "https://GitLab.com./a/b",
            "https://www.huggingface.co/m",
            "https://foo.sourceforge.net/",
        ] {
            assert!(is_code_link(url, false), "{url}");
        }
        for url in [
            "https://notgitlab.com/a/b",
            "https://gitlab.com.evil.org/a",
            "https://example.org/gitlab.com",
            "not a url",
        ] {
            assert!(!is_code_link(url, false), "{url}");
        }
    }
}
