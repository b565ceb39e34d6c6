//! Scenario 5 (issue 17): one run split into N shard processes
//! (`paperlinks check --shard K/N`) started together on this machine, then
//! `paperlinks merge`, against the simulated web with a low per-host limit,
//! compared with one process doing the whole run.
//!
//! Owns this scenario only; reuses the driver's simulator, measuring and
//! links.csv check. Loopback only; every process has a hard time limit.

use crate::corpus::{self, Corpus, CorpusSpec, parse_mix};
use crate::runner::{
    Ctx, Limits, Measurement, Out, ScenarioResult, SimProc, check_links_csv, measure, median,
    paperlinks_config,
};
use crate::sim::{API_IP, GITHUB_IP};
use anyhow::Result;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// github.com stand-in pages per one-second window before it answers 429.
const GITHUB_RATE: u64 = 10;

/// The sizes of the scenario.
struct Plan {
    links: usize,
    hosts: usize,
    latency_ms: u64,
    limits: Limits,
    counts: Vec<usize>,
}

fn plan(quick: bool) -> Plan {
    let (links, hosts, latency_ms, conc, counts) = if quick {
        (600, 24, 20, 8, vec![2, 4])
    } else {
        (3000, 48, 100, 16, vec![2, 4, 8])
    };
    Plan {
        links,
        hosts,
        latency_ms,
        limits: Limits {
            max_concurrency: conc,
            max_per_host: 2,
            timeout_secs: 20,
            retries: 2,
        },
        counts,
    }
}

/// One measured configuration: N shards at once, then the merge.
struct ShardRun {
    n: usize,
    /// From the first shard's start to the last shard's exit.
    wall: f64,
    shard_walls: Vec<f64>,
    merge: Measurement,
    /// Largest shard's share of the unique links (from its shard.json).
    largest_share: f64,
    largest_links: u64,
    sim: Value,
    exits: Vec<Option<i32>>,
}

pub fn s5_shards(ctx: &Ctx) -> Result<ScenarioResult> {
    let p = plan(ctx.opts.quick);
    let dir = ctx.dir.join("s5-shards");
    std::fs::create_dir_all(&dir)?;
    let sim = SimProc::start(&sim_args(&p, ctx), &dir.join("sim.log"))?;
    let (tool, corpus) = setup(ctx, &p, &dir, sim.port)?;
    let (singles, shard_runs) = measure_all(ctx, &p, &sim, &tool, &corpus)?;
    sim.stop()?;
    Ok(result(ctx, &p, &corpus, singles, shard_runs))
}

fn sim_args(p: &Plan, ctx: &Ctx) -> Vec<String> {
    [
        "--hosts",
        &p.hosts.to_string(),
        "--latency-ms",
        &p.latency_ms.to_string(),
        "--github-latency-ms",
        &p.latency_ms.to_string(),
        "--api-latency-ms",
        "300",
        "--github-rate",
        &GITHUB_RATE.to_string(),
        "--max-secs",
        "3600",
        "--threads",
        &ctx.opts.sim_threads.to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// The corpus (20% GitHub, a tenth of it deep pages) and the config.
fn setup(ctx: &Ctx, p: &Plan, dir: &Path, port: u16) -> Result<(Tool, Corpus)> {
    let spec = CorpusSpec {
        occurrences: p.links,
        unique: p.links,
        abstracts: p.links / 2,
        hosts: p.hosts,
        github_frac: 0.2,
        deep_frac: 0.1,
        gone_frac: 0.03,
        mix: parse_mix("ok:85,404:10,r301:5")?,
        seed: 5,
        sentences: 2,
        port,
        ..Default::default()
    };
    let input = dir.join("corpus.txt");
    let corpus = corpus::generate(&spec, &input)?;
    let gh = format!("http://{GITHUB_IP}:{port}");
    let api = format!("http://{API_IP}:{port}");
    let remap = vec![format!("^https://github\\.com/(.*)$ {gh}/$1")];
    let cfg = dir.join("paperlinks.toml");
    paperlinks_config(&cfg, &p.limits, &remap, Some(&api))?;
    let tool = Tool {
        bin: ctx.opts.paperlinks.clone().expect("paperlinks binary"),
        cfg,
        input,
        dir: dir.to_path_buf(),
    };
    Ok((tool, corpus))
}

/// Per repetition: one process, then N shards at once for every N.
fn measure_all(
    ctx: &Ctx,
    p: &Plan,
    sim: &SimProc,
    tool: &Tool,
    corpus: &Corpus,
) -> Result<(Vec<Measurement>, Vec<ShardRun>)> {
    let mut singles = Vec::new();
    let mut shard_runs = Vec::new();
    for rep in 0..ctx.reps() {
        sim.reset()?;
        eprintln!("  [s5-shards] rep {} one process ...", rep + 1);
        let out = tool.fresh_dir("out-single")?;
        let mut m = tool.run("paperlinks", rep, &tool.check_argv(&out, None))?;
        m.sim = sim.stats()?;
        m.check = check_links_csv(&out.join("links.csv"), corpus);
        eprintln!("    {:.2}s, exit {:?}", m.wall, m.exit);
        singles.push(m);
        for &n in &p.counts {
            sim.reset()?;
            eprintln!("  [s5-shards] rep {} {n} shards at once ...", rep + 1);
            let mut r = tool.shards(n, rep)?;
            r.sim = sim.stats()?;
            r.merge.check =
                check_links_csv(&tool.dir.join(format!("out-merged-{n}/links.csv")), corpus);
            eprintln!(
                "    {:.2}s (shards {:?}), merge {:.2}s exit {:?}",
                r.wall, r.exits, r.merge.wall, r.merge.exit
            );
            shard_runs.push(r);
        }
    }
    Ok((singles, shard_runs))
}

/// The scenario's result: the one-process runs in the common table, the
/// shard runs in the notes.
fn result(
    ctx: &Ctx,
    p: &Plan,
    corpus: &Corpus,
    singles: Vec<Measurement>,
    shard_runs: Vec<ShardRun>,
) -> ScenarioResult {
    let busiest = corpus
        .round_trips_per_host()
        .values()
        .copied()
        .max()
        .unwrap_or(0);
    let lat = p.latency_ms as f64 / 1000.0;
    let floor = busiest as f64 * lat / p.limits.max_per_host as f64;
    let total: u64 = corpus
        .urls
        .iter()
        .filter(|u| u.host.is_some())
        .map(|u| u.round_trips as u64)
        .sum();
    let single_ideal = (total as f64 * lat / p.limits.max_concurrency as f64).max(floor);
    let notes = notes(p, &singles, &shard_runs, floor, busiest, single_ideal);
    let mut runs = singles;
    runs.extend(shard_runs.into_iter().map(|r| Measurement {
        tool: format!("shards-{}", r.n),
        wall: r.wall,
        ..Default::default()
    }));
    ScenarioResult {
        name: "s5-shards".into(),
        title: format!(
            "{} links over {} hosts + 20% GitHub (10% of it deep), {} ms; one process vs N shard processes + merge",
            p.links, p.hosts, p.latency_ms
        ),
        params: json!({
            "unique_urls": corpus.urls.len(),
            "hosts": p.hosts,
            "repositories": corpus.repos(),
            "max_concurrency": p.limits.max_concurrency,
            "max_per_host": p.limits.max_per_host,
            "latency_ms": p.latency_ms,
            "shard_counts": p.counts,
            "reps": ctx.reps(),
        }),
        ideal: Some(single_ideal),
        runs,
        notes,
        input_bytes: None,
        unique_urls: Some(corpus.urls.len() as u64),
    }
}

/// The lines of the scenario's table: per N, the median wall of the
/// shards, of shards + merge, the speed-up, what bounds it.
fn notes(
    p: &Plan,
    singles: &[Measurement],
    runs: &[ShardRun],
    floor: f64,
    busiest: u64,
    single_ideal: f64,
) -> Vec<String> {
    let mut walls: Vec<f64> = singles.iter().map(|m| m.wall).collect();
    let single = median(&mut walls);
    let lat = p.latency_ms as f64 / 1000.0;
    let pages = singles
        .last()
        .and_then(|s| s.sim["github_pages"]["requests"].as_u64())
        .unwrap_or(0);
    let gh_floor = pages as f64 / GITHUB_RATE as f64;
    let mut out = vec![format!(
        "one process: median {single:.2}s (ideal {single_ideal:.2}s); per-host floors, which no sharding lowers: \
         busiest web host {busiest} round trips x {lat}s / {} = {floor:.2}s; github.com pages {pages} at {GITHUB_RATE} a second = {gh_floor:.2}s (one shard holds them all)",
        p.limits.max_per_host
    )];
    let floor = floor.max(gh_floor);
    for &n in &p.counts {
        let of_n: Vec<&ShardRun> = runs.iter().filter(|r| r.n == n).collect();
        let mut w: Vec<f64> = of_n.iter().map(|r| r.wall).collect();
        let mut wm: Vec<f64> = of_n.iter().map(|r| r.wall + r.merge.wall).collect();
        let mut m: Vec<f64> = of_n.iter().map(|r| r.merge.wall).collect();
        let (shards, with_merge, merge) = (median(&mut w), median(&mut wm), median(&mut m));
        let last = of_n.last().expect("a run");
        let predicted =
            (last.largest_links as f64 * lat / p.limits.max_concurrency as f64).max(floor);
        let c = &last.merge.check;
        out.push(format!(
            "{n} shards: {shards:.2}s at once (runs {}), + merge {merge:.2}s = {with_merge:.2}s; \
             one process / shards = {:.2}x, / (shards + merge) = {:.2}x; largest shard {:.1}% of the links \
             ({} URLs: predicted max({} x {lat}s / {}, floors) = {predicted:.2}s); shard walls {}; \
             web requests {}, peak/host {}, API calls {}; merged rows {}/{}, wrong status {}",
            fmt_list(&of_n.iter().map(|r| r.wall).collect::<Vec<_>>()),
            single / shards,
            single / with_merge,
            100.0 * last.largest_share,
            last.largest_links,
            last.largest_links,
            p.limits.max_concurrency,
            fmt_list(&last.shard_walls),
            last.sim["web"]["requests"],
            last.sim["web"]["max_peak_in_flight"],
            last.sim["api"]["calls"],
            c["rows"],
            c["rows_expected"],
            c["wrong_status"],
        ));
    }
    if let Some(s) = singles.last() {
        out.push(format!(
            "one process (last run): web requests {}, peak/host {}, API calls {}",
            s.sim["web"]["requests"], s.sim["web"]["max_peak_in_flight"], s.sim["api"]["calls"]
        ));
    }
    out
}

fn fmt_list(xs: &[f64]) -> String {
    xs.iter()
        .map(|x| format!("{x:.2}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// How to run paperlinks in this scenario.
struct Tool {
    bin: PathBuf,
    cfg: PathBuf,
    input: PathBuf,
    dir: PathBuf,
}

impl Tool {
    fn fresh_dir(&self, name: &str) -> Result<PathBuf> {
        let d = self.dir.join(name);
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d)?;
        Ok(d)
    }

    fn check_argv(&self, out: &Path, shard: Option<String>) -> Vec<String> {
        let mut a = vec![
            self.bin.display().to_string(),
            "check".into(),
            self.input.display().to_string(),
            "--config".into(),
            self.cfg.display().to_string(),
            "--output-dir".into(),
            out.display().to_string(),
            "--format".into(),
            "none".into(),
        ];
        if let Some(s) = shard {
            a.extend(["--shard".into(), s]);
        }
        a
    }

    fn run(&self, name: &str, rep: usize, argv: &[String]) -> Result<Measurement> {
        let log = self.dir.join(format!("{name}-{rep}.log"));
        let env = [(
            "GITHUB_TOKEN",
            "ghp_BENCHSENTINEL0000000000000000000000".to_string(),
        )];
        measure(
            name,
            rep,
            argv,
            &env,
            &self.dir,
            Out::Null,
            Duration::from_secs(600),
            &log,
        )
    }

    /// N shard processes started together; then the merge.
    fn shards(&self, n: usize, rep: usize) -> Result<ShardRun> {
        let dirs: Vec<PathBuf> = (1..=n)
            .map(|k| self.fresh_dir(&format!("out-shard-{k}of{n}")))
            .collect::<Result<_>>()?;
        let start = Instant::now();
        let measured: Vec<Result<Measurement>> = std::thread::scope(|s| {
            let handles: Vec<_> = dirs
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    let argv = self.check_argv(d, Some(format!("{}/{n}", i + 1)));
                    let name = format!("shard-{}of{n}", i + 1);
                    s.spawn(move || self.run(&name, rep, &argv))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("shard thread"))
                .collect()
        });
        let wall = start.elapsed().as_secs_f64();
        let measured: Vec<Measurement> = measured.into_iter().collect::<Result<_>>()?;
        let (mut largest_share, mut largest_links) = (0.0f64, 0u64);
        for d in &dirs {
            let m: Value = serde_json::from_slice(&std::fs::read(d.join("shard.json"))?)?;
            let (mine, all) = (
                m["checked_urls"].as_u64().unwrap_or(0),
                m["unique_urls"].as_u64().unwrap_or(1).max(1),
            );
            if mine > largest_links {
                largest_links = mine;
                largest_share = mine as f64 / all as f64;
            }
        }
        let merged = self.fresh_dir(&format!("out-merged-{n}"))?;
        let mut argv = vec![
            self.bin.display().to_string(),
            "merge".into(),
            "--config".into(),
            self.cfg.display().to_string(),
            "--input".into(),
            self.input.display().to_string(),
            "--output-dir".into(),
            merged.display().to_string(),
            "--format".into(),
            "none".into(),
        ];
        argv.extend(dirs.iter().map(|d| d.display().to_string()));
        let merge = self.run(&format!("merge-{n}"), rep, &argv)?;
        Ok(ShardRun {
            n,
            wall,
            shard_walls: measured.iter().map(|m| m.wall).collect(),
            exits: measured.iter().map(|m| m.exit).collect(),
            merge,
            largest_share,
            largest_links,
            sim: Value::Null,
        })
    }
}
