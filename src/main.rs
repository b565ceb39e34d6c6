//! The `paperlinks` binary: parse arguments, load the config, run the
//! library, map the outcome to an exit code. Nothing else lives here.
//!
//! Exit codes: 0 nothing failed; 2 failures under the fail policy; 3 usage,
//! configuration or input error; 4 network unreachable; 130 interrupted;
//! 1 anything unexpected.

use clap::Parser;
use paperlinks::cli::{CheckArgs, Cli, Command, load_config};
use paperlinks::{Exit, RunOptions};
use std::io::IsTerminal;
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 3 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    init_logging();
    // Thousands of hosts mean thousands of pooled connections: raise the
    // soft limit on open files to the hard limit (best effort).
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    match run(cli) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("paperlinks: {e:#}");
            let usage = e
                .downcast_ref::<paperlinks::Error>()
                .is_some_and(|e| e.is_usage());
            ExitCode::from(if usage { 3 } else { 1 })
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command.unwrap_or(Command::Check(CheckArgs::default())) {
        Command::Extract(args) => {
            let mut config = load_config(&args.common.config)?;
            if !args.common.inputs.is_empty() {
                config.inputs = args.common.inputs.clone();
            }
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            paperlinks::run_extract(&config, &mut out)?;
            Ok(Exit::Ok)
        }
        Command::Check(args) => {
            let config = args.apply(load_config(&args.common.config)?)?;
            let mut options = run_options(config, &args)?;
            options.shard = args.shard;
            let shutdown = CancellationToken::new();
            on_runtime(async move {
                tokio::spawn(listen_for_signals(shutdown.clone()));
                paperlinks::run(options, shutdown, &mut std::io::stdout()).await
            })
        }
        Command::Fix(args) => args.run().map(|()| Exit::Ok).map_err(Into::into),
        Command::Merge(args) => {
            let check = args.as_check();
            let config = check.apply(load_config(&args.config)?)?;
            let options = run_options(config, &check)?;
            let dirs = args.dirs.clone();
            on_runtime(async move {
                paperlinks::run_merge(options, &dirs, &mut std::io::stdout()).await
            })
        }
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
        progress: std::io::stderr().is_terminal() && std::env::var_os("CI").is_none(),
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

/// First SIGINT/SIGTERM: stop starting requests and write what is known.
/// Second: exit at once (reports are replaced atomically, so none is torn).
async fn listen_for_signals(shutdown: CancellationToken) {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => return,
    };
    let mut signals = 0;
    loop {
        tokio::select! {
            r = tokio::signal::ctrl_c() => if r.is_err() { return },
            _ = term.recv() => {},
        }
        signals += 1;
        if signals == 1 {
            eprintln!(
                "paperlinks: interrupted; finishing in-flight requests and writing the reports (press Ctrl-C again to exit now)"
            );
            shutdown.cancel();
        } else {
            eprintln!("paperlinks: interrupted again; exiting now");
            std::process::exit(130);
        }
    }
}

/// Colour and width for the end-of-run text: colour per `--color` and
/// `NO_COLOR`; the terminal's width, else `COLUMNS`, else 100.
fn terminal_style(color: paperlinks::cli::ColorWhen) -> paperlinks::report::TerminalStyle {
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

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        // By default only our own warnings: libraries' error logs (octocrab
        // logs every failed call) would repeat what the reports already say.
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("paperlinks=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
