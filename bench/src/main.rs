//! paperlinks-bench: the simulated web (`sim`), the corpus generators
//! (`gen`, `gen-text`, `gen-list`) and the benchmark driver (`run`) that compares
//! paperlinks with lychee on it.
//!
//! Owns the command line of the benchmark package only. Never touches the
//! main package's sources; only runs its release binary.

mod corpus;
mod forges;
mod ideal;
mod lists;
mod rawhttp;
mod runner;
mod selftest;
mod shards;
mod sim;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "paperlinks-bench",
    about = "Benchmarks paperlinks against lychee on a simulated web (loopback only)"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve the simulated web on 127.0.0.1..127.0.0.N (+ github.com and API stand-ins on 127.0.255.1/.2, other forges' on 127.0.255.3-10).
    Sim(SimArgs),
    /// The ideal client: one GET per URL of a list (one per line) under the
    /// given limits, slots taking their next job themselves; prints JSON.
    IdealClient {
        urls: PathBuf,
        #[arg(long, default_value_t = 64)]
        max_concurrency: usize,
        #[arg(long, default_value_t = 4)]
        max_per_host: usize,
    },
    /// Write an abstracts corpus whose links point at the simulator.
    Gen(GenArgs),
    /// Write an extraction-only text corpus of a given size.
    GenText {
        #[arg(long, default_value_t = 10)]
        mb: u64,
        #[arg(long, default_value_t = 3)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Write a Markdown or HTML paper list of a given size (tables, bold
    /// titles, bullets, cards) and, with --truth, the paper of every link.
    GenList {
        /// md or html.
        #[arg(long, default_value = "md")]
        format: String,
        #[arg(long, default_value_t = 10)]
        mb: u64,
        /// Size in KB instead of MB (small look-alike lists).
        #[arg(long)]
        kb: Option<u64>,
        #[arg(long, default_value_t = 3)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
        /// Where to write `url,paper` for every link.
        #[arg(long)]
        truth: Option<PathBuf>,
    },
    /// Check the simulator itself (answer kinds, peaks, rate limit, API shapes).
    Selftest,
    /// Run scenarios (0 statuses, 1 mixed web, 2 GitHub-heavy, 3 extraction, 4 scale, 5 shards, 6 forges, 6r forges with a Hugging Face rate limit, or all = 0-4).
    Run(RunArgs),
}

#[derive(Args)]
struct SimArgs {
    #[arg(long, default_value_t = 10)]
    hosts: usize,
    /// 0 picks a free port.
    #[arg(long, default_value_t = 0)]
    port: u16,
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    #[arg(long, default_value_t = 50)]
    github_latency_ms: u64,
    #[arg(long, default_value_t = 300)]
    api_latency_ms: u64,
    /// Per answer of the other forges' API and page stand-ins (scenario 6).
    #[arg(long, default_value_t = 100)]
    forge_latency_ms: u64,
    /// Hugging Face API calls per one-second window before 429s (0: no limit).
    #[arg(long, default_value_t = 0)]
    hf_rate: u32,
    /// github.com pages per one-second window before 429.
    #[arg(long, default_value_t = 10)]
    github_rate: u32,
    #[arg(long, default_value_t = 1)]
    github_retry_after: u32,
    /// Stop by itself after this many seconds.
    #[arg(long, default_value_t = 600)]
    max_secs: u64,
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Also write the final stats JSON here.
    #[arg(long)]
    stats_out: Option<PathBuf>,
}

#[derive(Args)]
struct GenArgs {
    #[arg(long)]
    out: PathBuf,
    /// Also write url,expected_status,host,round_trips,repo here.
    #[arg(long)]
    expected: Option<PathBuf>,
    #[arg(long, default_value_t = 1000)]
    occurrences: usize,
    /// Defaults to occurrences.
    #[arg(long)]
    unique: Option<usize>,
    /// Defaults to occurrences / 2.
    #[arg(long)]
    abstracts: Option<usize>,
    #[arg(long, default_value_t = 10)]
    hosts: usize,
    #[arg(long, default_value_t = 0.0)]
    github_frac: f64,
    #[arg(long, default_value_t = 0.0)]
    deep_frac: f64,
    #[arg(long, default_value_t = 0.0)]
    gone_frac: f64,
    #[arg(long, default_value_t = 0.0)]
    renamed_frac: f64,
    #[arg(long, default_value = "ok:80,404:10,r301:5,head405:5")]
    mix: String,
    #[arg(long)]
    port: u16,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, default_value_t = 3)]
    sentences: usize,
}

#[derive(Args)]
struct RunArgs {
    /// Scenarios: 0 1 2 3 4 5 6 or all (default all = 0-4; 5, the shards, and 6, the forges, are asked for by number).
    scenarios: Vec<String>,
    /// Tiny sizes, one repetition: a smoke run of well under a minute.
    #[arg(long)]
    quick: bool,
    #[arg(long, default_value_t = 3)]
    reps: usize,
    /// paperlinks binary (default: $PAPERLINKS, else <repo>/target/release/paperlinks).
    #[arg(long)]
    paperlinks: Option<PathBuf>,
    /// lychee binary (default: $LYCHEE, else `lychee` on PATH or in ~/.cargo/bin).
    #[arg(long)]
    lychee: Option<PathBuf>,
    #[arg(long)]
    no_lychee: bool,
    #[arg(long)]
    no_paperlinks: bool,
    /// Working directory for corpora, outputs and results.
    #[arg(long)]
    work: Option<PathBuf>,
    /// Size of the scenario-3 corpus in MB.
    #[arg(long, default_value_t = 500)]
    s3_mb: u64,
    /// Worker threads of the simulator.
    #[arg(long, default_value_t = 1)]
    sim_threads: usize,
    /// Also run the ideal client (`ideal-client`) in the scenarios with a
    /// round-trip bound (1, 4d): the ceiling of busy slots on this machine.
    #[arg(long)]
    ideal_client: bool,
}

fn works(p: &Path, args: &[&str]) -> bool {
    Command::new(p)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn find_paperlinks(arg: Option<PathBuf>) -> Option<PathBuf> {
    let p = arg
        .or_else(|| std::env::var_os("PAPERLINKS").map(PathBuf::from))
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/paperlinks")
        });
    // The skeleton binary does nothing: require a working `extract`.
    if works(&p, &["extract", "--help"]) && works(&p, &["check", "--help"]) {
        Some(p.canonicalize().unwrap_or(p))
    } else {
        eprintln!(
            "note: no working paperlinks at {} (needs `check` and `extract`); running without it",
            p.display()
        );
        None
    }
}

fn find_lychee(arg: Option<PathBuf>) -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    candidates.extend(arg);
    candidates.extend(std::env::var_os("LYCHEE").map(PathBuf::from));
    candidates.push(PathBuf::from("lychee"));
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(Path::new(&home).join(".cargo/bin/lychee"));
    }
    let found = candidates.into_iter().find(|p| works(p, &["--version"]));
    if found.is_none() {
        eprintln!("note: lychee not found; running paperlinks alone");
    }
    found
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::Sim(a) => sim::run(
            sim::SimConfig {
                hosts: a.hosts,
                port: a.port,
                latency: Duration::from_millis(a.latency_ms),
                github_latency: Duration::from_millis(a.github_latency_ms),
                api_latency: Duration::from_millis(a.api_latency_ms),
                forge_latency: Duration::from_millis(a.forge_latency_ms),
                hf_rate: a.hf_rate,
                github_rate: a.github_rate,
                github_retry_after: a.github_retry_after,
                max_secs: a.max_secs,
                threads: a.threads,
            },
            a.stats_out,
        ),
        Cmd::IdealClient {
            urls,
            max_concurrency,
            max_per_host,
        } => ideal::run(&urls, max_concurrency, max_per_host),
        Cmd::Gen(a) => {
            let spec = corpus::CorpusSpec {
                occurrences: a.occurrences,
                unique: a.unique.unwrap_or(a.occurrences),
                abstracts: a.abstracts.unwrap_or((a.occurrences / 2).max(1)),
                hosts: a.hosts,
                github_frac: a.github_frac,
                deep_frac: a.deep_frac,
                gone_frac: a.gone_frac,
                renamed_frac: a.renamed_frac,
                mix: corpus::parse_mix(&a.mix)?,
                port: a.port,
                seed: a.seed,
                sentences: a.sentences,
                cycle_kinds: false,
            };
            let c = corpus::generate(&spec, &a.out)?;
            if let Some(p) = a.expected {
                let mut w = csv::Writer::from_path(p)?;
                w.write_record([
                    "url",
                    "expected_status",
                    "host",
                    "round_trips",
                    "repo",
                    "occurrences",
                ])?;
                for (u, n) in c.urls.iter().zip(&c.counts) {
                    w.write_record([
                        u.url.clone(),
                        u.expected.to_string(),
                        u.host
                            .map(|h| sim::web_ip(h).to_string())
                            .unwrap_or_default(),
                        u.round_trips.to_string(),
                        u.repo.clone().unwrap_or_default(),
                        n.to_string(),
                    ])?;
                }
                w.flush()?;
            }
            eprintln!(
                "{} bytes, {} occurrences, {} unique URLs, {} repositories",
                c.bytes,
                c.occurrences,
                c.urls.len(),
                c.repos()
            );
            Ok(())
        }
        Cmd::Selftest => selftest::run(),
        Cmd::GenText { mb, seed, out } => {
            let (b, l) = corpus::generate_text(mb * 1_000_000, seed, &out)?;
            eprintln!("{b} bytes, {l} links");
            std::io::stderr().flush()?;
            Ok(())
        }
        Cmd::GenList {
            format,
            mb,
            kb,
            seed,
            out,
            truth,
        } => {
            let f = lists::ListFormat::parse(&format)
                .ok_or_else(|| anyhow::anyhow!("--format must be md or html, not {format:?}"))?;
            let size = kb.map_or(mb * 1_000_000, |k| k * 1_000);
            let (b, p, l) = lists::generate_list(f, size, seed, &out, truth.as_deref())?;
            eprintln!("{b} bytes, {p} papers, {l} links");
            Ok(())
        }
        Cmd::Run(a) => {
            let paperlinks = if a.no_paperlinks {
                None
            } else {
                find_paperlinks(a.paperlinks)
            };
            let lychee = if a.no_lychee {
                None
            } else {
                find_lychee(a.lychee)
            };
            let work = a
                .work
                .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/work"));
            runner::run(runner::RunOpts {
                scenarios: a.scenarios,
                quick: a.quick,
                reps: a.reps,
                paperlinks,
                lychee,
                work,
                s3_mb: a.s3_mb,
                sim_threads: a.sim_threads,
                ideal_client: a.ideal_client,
            })
        }
    }
}
