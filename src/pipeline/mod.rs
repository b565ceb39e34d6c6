//! The pipeline: wires input -> extract -> check / github -> archive ->
//! report and decides the run's outcome (the exit code a CI job sees)
//! through `verdict`.
//!
//! Owns incremental reuse of the previous reports and the shutdown
//! behaviour. Never parses formats, never speaks HTTP itself and never
//! formats report files: each of those belongs to its stage.
//!
//! Layout: `gather` (inputs and remote documents into a `Store`; the
//! `extract` command), `checks` (planning and merging link checks and
//! GitHub API calls), `follow` (project pages: which are read, what on
//! them is code, the second round), `archive` (the archive stage), `rows` (link,
//! repository and paper rows), `outputs` (every report file and the
//! terminal, JSON and annotation output). `run` reads as the list of stages.

mod archive;
mod checked;
mod checks;
mod clients;
mod converge;
mod follow;
mod gather;
mod memory;
mod outputs;
mod rows;
mod shard;
mod stream;

pub use crate::archive::Archived;
pub use checked::{Checked, Reused};
pub use checks::{check, network_unreachable};
pub use clients::Clients;
pub use follow::{MAX_PAGE_CODE_LINKS, page_code_links};
pub use gather::{FetchRemote, Links, collect, extract_to, find_repos, run_extract};
pub use shard::run_merge;

use crate::config::Config;
use crate::error::Error;
use crate::history::{History, ReportPaths};
use crate::progress::Stage;
use crate::report;
use crate::store::Store;
use crate::verdict::{self, FailPolicy, Judge};
use clients::Clients as RunClients;
use rows::{LinkTable, Tables};
use secrecy::SecretString;
use std::io::Write;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// Marks "not a repository" in `Links::repo_of`.
const NO_REPO: u32 = u32::MAX;

pub use crate::verdict::Exit;

/// What `run` prints on `out` when done (the library's own type; the
/// binary maps its `--format` flag onto it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputFormat {
    /// One paragraph of totals.
    Summary,
    /// One JSON document, nothing else on `out`.
    Json,
    /// One SARIF 2.1.0 log (what links.sarif holds), nothing else on `out`.
    Sarif,
    /// Nothing.
    #[default]
    None,
}

/// Everything `run` needs besides the shutdown signal.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// The configuration (validated again when the run starts).
    pub config: Config,
    /// Check everything again (history is still carried over).
    pub no_cache: bool,
    /// Only failures new since the previous report fail the run.
    pub fail_on_new: bool,
    /// What the run prints on `out` at the end.
    pub format: OutputFormat,
    /// The GitHub token; only the `github` stage ever reads it. Its
    /// `Debug` is redacted and it has no `Display`.
    pub token: Option<SecretString>,
    /// The Software Heritage token (`SWH_TOKEN`); only `archive` reads it.
    pub swh_token: Option<SecretString>,
    /// The Hugging Face token (`HF_TOKEN`); only `forge` reads it, and
    /// sends it to the Hugging Face API alone.
    pub hf_token: Option<SecretString>,
    /// Resolve names with this instead of the system's resolver (every
    /// client of the run shares it; tests count lookups or refuse names
    /// outside loopback).
    #[doc(hidden)]
    pub dns_lookup: Option<DnsLookup>,
    /// Counters the run keeps up to date for a caller to render (the
    /// binary's bar or progress lines); `None`: nobody watches.
    pub progress: Option<crate::progress::Progress>,
    /// Print GitHub Actions workflow commands.
    pub github_actions: bool,
    /// `$GITHUB_STEP_SUMMARY`: summary.md is appended there too.
    pub step_summary: Option<std::path::PathBuf>,
    /// Annotation paths are made relative to this directory.
    pub workdir: std::path::PathBuf,
    /// Colour and width of the end-of-run text (`--format summary`).
    pub terminal: report::TerminalStyle,
    /// `--shard K/N`: check only this shard's part and write the shard
    /// files for `merge`.
    pub shard: Option<crate::shard::Shard>,
}

/// A name resolver for every client of a run (`RunOptions::dns_lookup`).
#[derive(Clone)]
pub struct DnsLookup(pub crate::check::Lookup);

impl std::fmt::Debug for DnsLookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DnsLookup")
    }
}

impl RunOptions {
    /// Options for a library user or a test: no progress bar, no Actions output.
    pub fn new(config: Config) -> Self {
        RunOptions {
            config,
            no_cache: false,
            fail_on_new: false,
            format: OutputFormat::None,
            token: None,
            swh_token: None,
            hf_token: None,
            dns_lookup: None,
            progress: None,
            github_actions: false,
            step_summary: None,
            workdir: std::env::current_dir().unwrap_or_default(),
            terminal: report::TerminalStyle::default(),
            shard: None,
        }
    }
}

/// A warning for the user. Printed on stderr as `paperlinks: warning: ...`
/// by the binary's log setup (target `paperlinks::notice`), so `--quiet`
/// silences it and a library user's own `tracing` subscriber receives it.
fn warn(msg: &str) {
    // Warnings quote titles, URLs and API text: no control character of
    // theirs reaches the terminal (issue 23 item 9).
    let msg = crate::report::text::terminal_safe(msg);
    tracing::warn!(target: "paperlinks::notice", "{msg}");
}

/// Tells the progress counters (if any) that the run entered `s`.
fn stage(options: &RunOptions, s: Stage) {
    if let Some(p) = &options.progress {
        p.set_stage(s);
    }
}

/// The `check` command: the whole pipeline. Writes every report (also when
/// interrupted) and returns how the run ended. With `options.shard`, the
/// run checks only its shard's part and also writes the shard files
/// (`shard::write_shard`); a shard prints no Actions annotations and
/// writes no step summary (the merge does, once, for the whole run).
pub async fn run(
    mut options: RunOptions,
    shutdown: CancellationToken,
    out: &mut (dyn Write + Send),
) -> Result<Exit, Error> {
    let started = (Instant::now(), chrono::Utc::now());
    if options.shard.is_some() {
        options.github_actions = false;
        options.step_summary = None;
    }
    let config = &options.config;
    validate(config)?;
    let fail_words = config.ci.fail_on.clone();
    let changes = changes(&options)?;
    probe_output_dir(&config.output_dir)?;
    let _lock = outputs::lock_output_dir(&config.output_dir).await?;
    let clients = RunClients::build(&options)?;
    let digest = options.shard.is_some();
    // Read before extraction (the streaming start asks it what is reused);
    // its warnings are printed after the inputs', as they always were.
    let (paths, history) = read_history(config, options.no_cache)?;
    let history = std::sync::Arc::new(history);
    let progress = options.progress.clone().unwrap_or_default();
    let streaming = options.shard.is_none() && changes.is_none();
    let (mut stream, hook) = streaming
        .then(|| start_stream(&options, &clients, &history, &progress, &shutdown))
        .unzip();
    let gathered = gather::gather(config, &clients.checker, digest, hook).await?;
    let (mut store, mut links, digests, hook) = gathered;
    if let (Some(s), Some(h)) = (stream.as_mut(), hook) {
        s.disarm(h);
    }
    print_history_warnings(&history);
    tracing::debug!("extraction done after {:?}", started.0.elapsed());
    let changed = changes.map(|c| {
        let repos = (links.repo_of.as_slice(), links.repos.as_slice());
        crate::changed::Scope::new(&c, &store, repos, &options.workdir)
    });
    let scope = options
        .shard
        .map(|s| shard::scope(config, &clients.checker, &store, &links, s));
    let checked = check_stage(
        (&options, &progress, stream),
        &clients,
        (&mut store, &mut links),
        &history,
        (scope.as_ref(), changed.as_ref()),
        &shutdown,
    )
    .await?;
    tracing::debug!("checking done after {:?}", started.0.elapsed());
    stage(&options, Stage::Archiving);
    let archived = archive::archive_stage(
        config,
        clients.archive.as_ref(),
        (&store, &links),
        &checked,
        &history,
        shutdown,
    )
    .await?;
    let done = Done {
        store: &store,
        links: &links,
        history: &history,
        checked: &checked,
        archived: &archived,
        changed: changed.as_ref(),
    };
    stage(&options, Stage::Writing);
    memory::release_free_pages();
    tracing::debug!("archives done after {:?}", started.0.elapsed());
    let exit = finish(&options, &fail_words, &paths, &done, started.0, out)?;
    let exit = match scope {
        Some(scope) => shard::write_shard(config, &scope, &done, digests, started.1, exit),
        None => Ok(exit),
    };
    free_in_background((store, links, checked, archived, history, changed));
    exit
}

/// Frees what a finished run held on another thread: a million link
/// results take a tenth of a second to free, and the run's answer (the
/// exit code a CI job waits for) does not depend on it (issue 27: the
/// report tail). Freed on this thread when no thread can be started.
fn free_in_background<T: Send + 'static>(held: T) {
    let freeing = std::thread::Builder::new().name("paperlinks-free".into());
    if let Err(e) = freeing.spawn(move || drop(held)) {
        tracing::debug!("freeing on this thread: {e}");
    }
}

/// The streaming start's checker, running from now on, and its hook for
/// extraction (`stream`).
fn start_stream(
    options: &RunOptions,
    clients: &RunClients,
    history: &std::sync::Arc<History>,
    progress: &crate::progress::Progress,
    shutdown: &CancellationToken,
) -> (stream::Stream, stream::Hook) {
    let config = &options.config;
    let watch = (progress, checks::failing_statuses(config));
    let (checker, history) = (&clients.checker, history.clone());
    stream::start(config, checker, history, watch, shutdown.clone())
}

/// `--changed-since REV` (`[ci] changed_since`; empty: unset): what
/// changed since REV, read from git before anything else is done.
fn changes(options: &RunOptions) -> Result<Option<crate::changed::Changes>, Error> {
    let Some(rev) = options.config.ci.changed_since.as_deref() else {
        return Ok(None);
    };
    if rev.is_empty() {
        return Ok(None);
    }
    if options.shard.is_some() {
        return Err(Error::Changed {
            rev: rev.into(),
            message: "cannot be combined with --shard".into(),
        });
    }
    crate::changed::since(rev, &options.workdir).map(Some)
}

/// The config checked again at the door: a library caller's config may
/// never have been read from a file, and no stage re-checks a value.
fn validate(config: &Config) -> Result<(), Error> {
    config.validate().map_err(|message| Error::Config {
        path: "config".into(),
        message,
    })
}

/// What the stages of a run (or a merge of shards) produced.
struct Done<'a> {
    store: &'a Store,
    links: &'a Links,
    history: &'a History,
    checked: &'a Checked,
    archived: &'a Archived,
    /// A pull-request run's part (`--changed-since`): only it can fail.
    changed: Option<&'a crate::changed::Scope>,
}

/// The rows, the verdict and every output: the one path a single run and
/// a merge of shards share, so both write the same reports.
fn finish(
    options: &RunOptions,
    fail_words: &[crate::config::FailWord],
    paths: &ReportPaths,
    d: &Done<'_>,
    started: Instant,
    out: &mut (dyn Write + Send),
) -> Result<Exit, Error> {
    let (store, checked, history) = (d.store, d.checked, d.history);
    let at = Instant::now();
    let table = LinkTable::build(store, d.links, checked, history, d.archived);
    std::thread::scope(|scope| {
        // links.csv, the largest report, needs only the link table: it is
        // written while the other rows are built and the verdict decided.
        let links_csv = scope.spawn(|| outputs::write_links_csv(options, paths, &table, at));
        let tables = Tables::build(
            &options.config,
            &table,
            d.links,
            checked,
            history,
            d.archived,
        );
        tracing::debug!("writing: rows built in {:?}", at.elapsed());
        let policy = FailPolicy::from_words(fail_words, options.fail_on_new);
        let finished = decide(options, &policy, d, &tables, started);
        tracing::debug!("writing: verdict decided after {:?}", at.elapsed());
        outputs::write_all(options, paths, &finished, links_csv, out)?;
        tracing::debug!("writing: every output written after {:?}", at.elapsed());
        Ok(finished.exit)
    })
}

/// The exit, decided before writing so every report can say it, with
/// everything the outputs are written from.
fn decide<'a>(
    options: &RunOptions,
    policy: &'a FailPolicy,
    d: &Done<'a>,
    tables: &'a Tables<'a>,
    started: Instant,
) -> outputs::Finished<'a> {
    let config = &options.config;
    let (store, checked, history) = (d.store, d.checked, d.history);
    let judge = Judge::new(
        policy,
        history.had_links.then_some(&history.links),
        history.repos.as_ref(),
    );
    let unreachable = network_unreachable(&checked.results);
    let in_scope = |id: &usize| d.changed.is_none_or(|c| c.has_url(*id));
    let unique = (0..store.urls.len()).filter(in_scope);
    let links = unique.map(|id| (store.urls[id].as_str(), checked.results[id].status));
    let repo_rows: Vec<_> = match d.changed {
        Some(c) => (tables.repo_rows.iter())
            .filter(|r| c.repo_keys.contains(&r.key()))
            .cloned()
            .collect(),
        None => Vec::new(),
    };
    let repos = if d.changed.is_some() {
        &repo_rows
    } else {
        &tables.repo_rows
    };
    let failures = judge.failures(links, repos);
    let (exit, exit_reason) = verdict::decide_exit(
        checked.interrupted,
        unreachable,
        failures,
        policy,
        &config.ci.fail_on,
    );
    outputs::Finished {
        store,
        checked,
        history,
        archived: d.archived,
        tables,
        judge,
        duration: started.elapsed(),
        exit,
        exit_reason,
        unreachable,
        changed: d.changed,
        verdicts: Default::default(),
    }
}

/// Before any request: creates the output directory and writes (and
/// syncs, then removes) a small file there, so a read-only, missing or
/// full directory stops the run at once (`Error::OutputDir`, exit 1)
/// instead of after all the checking.
pub(super) fn probe_output_dir(dir: &std::path::Path) -> Result<(), Error> {
    let fail = |source| Error::OutputDir {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let mut probe = tempfile::Builder::new()
        .prefix(".paperlinks-probe")
        .tempfile_in(dir)
        .map_err(fail)?;
    // A block's worth, synced: a full disk refuses it here.
    probe.write_all(&[0; 4096]).map_err(fail)?;
    probe.as_file().sync_data().map_err(fail)?;
    probe.close().map_err(fail)
}

/// The previous run's reports (reuse and history), its warnings printed;
/// creates the output directory first.
fn load_history(config: &Config, no_cache: bool) -> Result<(ReportPaths, History), Error> {
    let (paths, history) = read_history(config, no_cache)?;
    print_history_warnings(&history);
    Ok((paths, history))
}

/// [`load_history`] without printing its warnings.
fn read_history(config: &Config, no_cache: bool) -> Result<(ReportPaths, History), Error> {
    std::fs::create_dir_all(&config.output_dir).map_err(|e| Error::Report {
        path: config.output_dir.clone(),
        source: e,
    })?;
    let paths = ReportPaths::new(&config.output_dir);
    let history = History::load(&paths, config, no_cache);
    Ok((paths, history))
}

fn print_history_warnings(history: &History) {
    for w in &history.warnings {
        warn(w);
    }
}

/// Checks and API calls at once, reusing what the previous run knows, under
/// a progress bar; then the second round for the code found on project
/// pages (`follow`), which extends `store` and `links`; prints the stage's
/// notes.
async fn check_stage(
    (options, progress, stream): (
        &RunOptions,
        &crate::progress::Progress,
        Option<stream::Stream>,
    ),
    clients: &RunClients,
    (store, links): (&mut Store, &mut Links),
    history: &History,
    (scope, changed): (Option<&crate::shard::Scope>, Option<&crate::changed::Scope>),
    shutdown: &CancellationToken,
) -> Result<Checked, Error> {
    // With a stream, its answers so far are the start of what is known
    // (one vector of every URL's result, not a second one beside it).
    let mut known = match &stream {
        Some(s) => s.take_answers(store.urls.len()),
        None => Vec::new(),
    };
    known.resize_with(store.urls.len(), || None);
    for (slot, url) in known.iter_mut().zip(&store.urls) {
        if slot.is_none() {
            *slot = history.reusable_link(url);
        }
    }
    let mut reused = Reused {
        links: known,
        repos: links
            .repos
            .iter()
            .map(|r| history.reusable_repo(&r.key()))
            .collect(),
        last_audited: last_audited(history, links),
        scope: scope.cloned(),
        changed: changed.cloned(),
    };
    let pages = follow::pages(&options.config, store, links, &mut reused.links);
    progress.set_stage(Stage::Checking);
    let mut checked = checks::check_streamed(
        &options.config,
        clients,
        (store, links),
        (reused, stream),
        pages,
        shutdown.clone(),
        progress,
    )
    .await?;
    let round = follow::Round {
        config: &options.config,
        clients,
        history,
        shutdown: shutdown.clone(),
        scope,
        progress,
    };
    follow::second_round(round, store, links, &mut checked).await?;
    converge::settle(history, links, &mut checked);
    for note in &checked.notes {
        warn(note);
    }
    Ok(checked)
}

/// When the previous report's data of each repository was fetched
/// (`None`: never audited), for `converge::audit_order`.
fn last_audited(history: &History, links: &Links) -> Vec<Option<chrono::DateTime<chrono::Utc>>> {
    let known = |r: &crate::forge::ForgeRef| history.last_known(&r.key()).map(|(_, at)| at);
    links.repos.iter().map(known).collect()
}
