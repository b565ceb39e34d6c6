//! The `paperlinks` binary: parse arguments, set up logging, load the
//! config, run the library, render its progress, map the outcome to an
//! exit code. The command line (`cli`), the log and warning output
//! (`messages`), the progress display (`meter`) and the commands about
//! the tool itself (`tools`: init, completions, man) are the binary's own
//! modules; the library knows none of them.
//!
//! Exit codes: 0 nothing failed; 2 failures under the fail policy; 3 usage,
//! configuration or input error; 4 network unreachable; 130 interrupted;
//! 1 anything unexpected.

mod cli;
mod messages;
mod meter;
mod tools;

use cli::{CheckArgs, Cli, Command, LogFlags, load_config};
use paperlinks::{Exit, RunOptions};
use std::io::IsTerminal;
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;

fn main() -> ExitCode {
    let cli = match Cli::parse_args() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 3 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    messages::init_logging(cli.log);
    // Thousands of hosts mean thousands of pooled connections: raise the
    // soft limit on open files to the hard limit (best effort).
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    match run(cli) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            // Each cause once: `chain_text` leaves out a cause whose text
            // the message before it already holds.
            let e: &(dyn std::error::Error + 'static) = e.as_ref();
            eprintln!("paperlinks: {}", paperlinks::error::chain_text(e, false));
            let code = e
                .downcast_ref::<paperlinks::Error>()
                .map_or(1, paperlinks::Error::exit_code);
            ExitCode::from(code)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<Exit> {
    let log = cli.log;
    match cli.command {
        None => check(cli.check, log),
        Some(Command::Check(args)) => check(args, log),
        Some(Command::Extract(args)) => {
            let mut config = load_config(args.common.config.as_deref())?;
            if !args.common.inputs.is_empty() {
                config.inputs = args.common.inputs.clone();
            }
            if config.inputs.is_empty() {
                let name = cli::config_name(args.common.config.as_deref());
                let hint = format!("no inputs: pass files or set `inputs` in {name}");
                return Err(paperlinks::Error::Usage(hint).into());
            }
            stdin_hint(&config.inputs, log);
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            paperlinks::run_extract(&config, &mut out)?;
            Ok(Exit::Ok)
        }
        Some(Command::Fix(args)) => args.run().map(|()| Exit::Ok).map_err(Into::into),
        Some(Command::Merge(args)) => {
            let check = args.as_check();
            let config = check.apply(load_config(args.config.as_deref())?)?;
            let options = run_options(config, &check)?;
            let dirs = args.dirs.clone();
            on_runtime(async move {
                paperlinks::run_merge(options, &dirs, &mut std::io::stdout()).await
            })
        }
        Some(Command::Init(args)) => tools::init(&args).map(|()| Exit::Ok),
        Some(Command::Completions { shell }) => tools::completions(shell).map(|()| Exit::Ok),
        Some(Command::Man) => tools::man().map(|()| Exit::Ok),
    }
}

/// `check`: the config with the flags over it, the progress display, the
/// signal listener and the run.
fn check(args: CheckArgs, log: LogFlags) -> anyhow::Result<Exit> {
    let config = args.apply(load_config(args.common.config.as_deref())?)?;
    stdin_hint(&config.inputs, log);
    let mut options = run_options(config, &args)?;
    options.shard = args.shard;
    let progress = paperlinks::progress::Progress::new();
    options.progress = Some(progress.clone());
    let meter = (!log.quiet).then(|| meter::Meter::start(progress, meter::Mode::detect()));
    let shutdown = CancellationToken::new();
    on_runtime(async move {
        let cleared = meter.as_ref().map(meter::Meter::clearer);
        tokio::spawn(listen_for_signals(shutdown.clone(), cleared));
        let exit = paperlinks::run(options, shutdown, &mut std::io::stdout()).await;
        drop(meter);
        exit
    })
}

/// "reading from stdin (Ctrl-D to end)" when an input is `-` and stdin is
/// a terminal (else the run would seem to hang).
fn stdin_hint(inputs: &[String], log: LogFlags) {
    if !log.quiet && inputs.iter().any(|i| i == "-") && std::io::stdin().is_terminal() {
        eprintln!("paperlinks: reading from stdin (Ctrl-D to end)");
    }
}

/// The run's options from the config and the flags (tokens from the
/// environment, Actions and terminal settings).
fn run_options(config: paperlinks::Config, args: &CheckArgs) -> anyhow::Result<RunOptions> {
    Ok(RunOptions {
        config,
        no_cache: args.no_cache,
        fail_on_new: args.run.fail_on_new,
        format: args.run.format.into(),
        token: paperlinks::github::token_from_env(),
        swh_token: paperlinks::http::token_from_env(&["SWH_TOKEN"]),
        hf_token: paperlinks::http::token_from_env(&["HF_TOKEN"]),
        dns_lookup: paperlinks::check::guard::hermetic_lookup_from_env()
            .map(paperlinks::pipeline::DnsLookup),
        progress: None,
        github_actions: std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true"),
        step_summary: std::env::var_os("GITHUB_STEP_SUMMARY").map(Into::into),
        workdir: std::env::current_dir()?,
        terminal: terminal_style(args.run.color),
        shard: None,
    })
}

/// Runs a command's future on a multi-threaded runtime, then lets go of
/// any name lookup still stuck in the system resolver.
fn on_runtime(
    run: impl std::future::Future<Output = Result<Exit, paperlinks::Error>>,
) -> anyhow::Result<Exit> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let outcome = runtime.block_on(run);
    // The reports are written: name lookups still stuck in the system
    // resolver (blocking threads) must not hold the exit.
    runtime.shutdown_background();
    outcome.map_err(Into::into)
}

/// First Ctrl-C (or, on Unix, SIGTERM): clear the progress bar, stop
/// starting requests and write what is known. A second Ctrl-C/SIGTERM:
/// exit at once (reports are replaced atomically, so none is torn).
async fn listen_for_signals(shutdown: CancellationToken, clear: Option<meter::Clearer>) {
    let Some(mut signals) = Signals::new() else {
        return;
    };
    let mut count = 0;
    while let Some(kind) = signals.next().await {
        count += 1;
        if count > 1 {
            eprintln!("paperlinks: interrupted again; exiting now");
            std::process::exit(130);
        }
        if let Some(clear) = &clear {
            clear.clear();
        }
        let (what, again) = match kind {
            Signal::CtrlC => ("interrupted", "press Ctrl-C again to exit now"),
            Signal::Term => ("terminated (SIGTERM)", "a second SIGTERM exits now"),
        };
        eprintln!(
            "paperlinks: {what}; finishing in-flight requests and writing the reports ({again})"
        );
        shutdown.cancel();
    }
}

/// Which signal arrived.
#[cfg_attr(not(unix), allow(dead_code))]
enum Signal {
    CtrlC,
    Term,
}

/// The signals a run stops on: Ctrl-C everywhere, SIGTERM on Unix.
struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Signals {
    /// Installs the listeners; `None` when the platform refuses.
    fn new() -> Option<Self> {
        Some(Signals {
            #[cfg(unix)]
            term: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok()?,
        })
    }

    /// The next signal; `None` when they can no longer be listened to.
    async fn next(&mut self) -> Option<Signal> {
        #[cfg(unix)]
        {
            tokio::select! {
                r = tokio::signal::ctrl_c() => r.ok().map(|()| Signal::CtrlC),
                t = self.term.recv() => t.map(|()| Signal::Term),
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await.ok().map(|()| Signal::CtrlC)
        }
    }
}

/// Colour and width for the end-of-run text: colour per `--color` and
/// `NO_COLOR`; the terminal's width, else `COLUMNS`, else 100.
fn terminal_style(color: cli::ColorWhen) -> paperlinks::report::TerminalStyle {
    let stdout = std::io::stdout();
    let no_color = std::env::var("NO_COLOR").ok();
    let width = console::Term::stdout()
        .size_checked()
        .map(|(_, w)| usize::from(w))
        .or_else(|| std::env::var("COLUMNS").ok()?.parse().ok())
        .unwrap_or(100);
    paperlinks::report::TerminalStyle {
        color: color.resolve(stdout.is_terminal(), no_color.as_deref()),
        width,
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
