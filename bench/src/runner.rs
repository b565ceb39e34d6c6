//! The benchmark driver: starts the simulator as a child process, writes the
//! corpora and configs, runs paperlinks and lychee A B A B under
//! `/usr/bin/time -v`, checks what each tool reported against the corpus
//! plan, and prints medians, ideal bounds, ratios and peak RSS.
//!
//! Owns the scenario definitions and the result tables. Never changes
//! either tool; points both at loopback only; every child is killed (by its
//! own process group) when it overruns its time limit.

use crate::corpus::{self, Corpus, CorpusSpec, parse_mix};
use crate::rawhttp;
use crate::sim::{API_IP, GITHUB_IP};
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct RunOpts {
    pub scenarios: Vec<String>,
    pub quick: bool,
    pub reps: usize,
    pub paperlinks: Option<PathBuf>,
    pub lychee: Option<PathBuf>,
    pub work: PathBuf,
    /// Size of the extraction corpus (scenario 3), MB.
    pub s3_mb: u64,
    pub sim_threads: usize,
    /// Run the ideal client too where the check phase has a bound.
    pub ideal_client: bool,
}

// ---------------------------------------------------------------- simulator

pub struct SimProc {
    child: Child,
    pub port: u16,
}

impl SimProc {
    pub fn start(args: &[String], log: &Path) -> Result<SimProc> {
        let exe = std::env::current_exe()?;
        let mut child = Command::new(exe)
            .arg("sim")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(log)?)
            .spawn()
            .context("starting the simulator")?;
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line)?;
        let v: Value = serde_json::from_str(line.trim()).with_context(|| {
            format!("simulator did not start: {:?}; see {}", line, log.display())
        })?;
        let port = v["port"].as_u64().context("no port from simulator")? as u16;
        Ok(SimProc { child, port })
    }

    fn control(&self, cmd: &str) -> Result<Value> {
        let addr = SocketAddr::from((API_IP, self.port));
        let r = rawhttp::request(
            addr,
            "GET",
            &format!("/__sim/{cmd}"),
            &[],
            b"",
            Duration::from_secs(10),
        )?;
        Ok(serde_json::from_slice(&r.body)?)
    }
    pub fn stats(&self) -> Result<Value> {
        self.control("stats")
    }
    pub fn reset(&self) -> Result<()> {
        self.control("reset").map(|_| ())
    }
    pub fn stop(mut self) -> Result<()> {
        let _ = self.control("shutdown");
        // Drain stdout so the child never blocks writing its final stats.
        let mut rest = String::new();
        if let Some(out) = self.child.stdout.as_mut() {
            let _ = out.read_to_string(&mut rest);
        }
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for SimProc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

// ---------------------------------------------------------------- measuring

#[derive(Clone, Debug, Default)]
pub struct Measurement {
    pub tool: String,
    pub rep: usize,
    pub wall: f64,
    pub rss_mb: f64,
    pub exit: Option<i32>,
    pub killed: bool,
    pub stdout_lines: u64,
    pub sim: Value,
    pub check: Value,
}

pub enum Out {
    Null,
    CountLines,
}

/// Runs `argv` under `/usr/bin/time -v` in its own process group, with a
/// hard time limit; wall time measured here, peak RSS from time(1).
#[allow(clippy::too_many_arguments)]
pub fn measure(
    tool: &str,
    rep: usize,
    argv: &[String],
    env: &[(&str, String)],
    cwd: &Path,
    out: Out,
    limit: Duration,
    log: &Path,
) -> Result<Measurement> {
    let timefile = log.with_extension("time");
    let mut cmd = Command::new("/usr/bin/time");
    cmd.arg("-v")
        .arg("-o")
        .arg(&timefile)
        .args(argv)
        .current_dir(cwd);
    cmd.env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .env_remove("HF_TOKEN")
        .env("CI", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::null()).stderr(std::fs::File::create(log)?);
    cmd.stdout(match out {
        Out::Null => Stdio::null(),
        Out::CountLines => Stdio::piped(),
    });
    cmd.process_group(0);
    let start = Instant::now();
    let mut child = cmd.spawn().with_context(|| format!("running {argv:?}"))?;
    let pgid = child.id() as i32;
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if rx.recv_timeout(limit).is_err() {
            // SAFETY: kill(2) on our own child's process group.
            unsafe { libc::kill(-pgid, libc::SIGKILL) };
            true
        } else {
            false
        }
    });
    let mut lines = 0u64;
    if let Some(mut so) = child.stdout.take() {
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = so.read(&mut buf)?;
            if n == 0 {
                break;
            }
            lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        }
    }
    let status = child.wait()?;
    let wall = start.elapsed().as_secs_f64();
    let _ = tx.send(());
    let killed = watchdog.join().unwrap_or(false);
    let time_text = std::fs::read_to_string(&timefile).unwrap_or_default();
    let rss_kb: f64 = time_text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0);
    let exit = time_text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Exit status:"))
        .and_then(|v| v.trim().parse().ok())
        .or(status.code());
    Ok(Measurement {
        tool: tool.into(),
        rep,
        wall,
        rss_mb: rss_kb / 1024.0,
        exit,
        killed,
        stdout_lines: lines,
        ..Default::default()
    })
}

// ---------------------------------------------------------------- checking

/// Compares paperlinks' links.csv with the corpus plan.
pub fn check_links_csv(path: &Path, corpus: &Corpus) -> Value {
    let expected: HashMap<&str, &str> = corpus
        .urls
        .iter()
        .map(|u| (u.url.as_str(), u.expected))
        .collect();
    let mut rdr = match csv::Reader::from_path(path) {
        Ok(r) => r,
        Err(e) => return json!({"error": format!("cannot read {}: {e}", path.display())}),
    };
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => return json!({"error": format!("bad header: {e}")}),
    };
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(ui), Some(si)) = (col("url"), col("status")) else {
        return json!({"error": "links.csv lacks url/status columns"});
    };
    let mut rows = 0u64;
    let mut per_status: BTreeMap<String, u64> = BTreeMap::new();
    let mut wrong = 0u64;
    let mut unknown_urls = 0u64;
    let mut examples: Vec<String> = Vec::new();
    let mut wrong_by: BTreeMap<String, u64> = BTreeMap::new();
    for rec in rdr.records() {
        let Ok(rec) = rec else {
            return json!({"error": format!("bad CSV record after {rows} rows")});
        };
        rows += 1;
        let (url, status) = (rec.get(ui).unwrap_or(""), rec.get(si).unwrap_or(""));
        *per_status.entry(status.to_string()).or_default() += 1;
        match expected.get(url) {
            Some(&exp) if exp == status => {}
            Some(&exp) => {
                wrong += 1;
                *wrong_by.entry(format!("{exp}->{status}")).or_default() += 1;
                if examples.len() < 5 {
                    let err = col("error").and_then(|i| rec.get(i)).unwrap_or("");
                    examples.push(format!("{url}: expected {exp}, got {status} {err}"));
                }
            }
            None => {
                unknown_urls += 1;
                if examples.len() < 5 {
                    examples.push(format!("unexpected URL {url:?} (extraction?)"));
                }
            }
        }
    }
    json!({
        "rows": rows,
        "rows_expected": corpus.occurrences,
        "rows_ok": rows == corpus.occurrences as u64,
        "per_status": per_status,
        "wrong_status": wrong,
        "wrong_by": wrong_by,
        "unknown_urls": unknown_urls,
        "examples": examples,
    })
}

/// lychee's JSON summary, the counters only.
pub fn check_lychee_json(path: &Path) -> Value {
    let Ok(text) = std::fs::read_to_string(path) else {
        return json!({"error": "no lychee output"});
    };
    let Ok(v) = serde_json::from_str::<Value>(&text) else {
        return json!({"error": "lychee output is not JSON"});
    };
    let mut out = serde_json::Map::new();
    if let Some(o) = v.as_object() {
        for (k, x) in o {
            if x.is_u64() {
                out.insert(k.clone(), x.clone());
            }
        }
    }
    Value::Object(out)
}

// ---------------------------------------------------------------- scenarios

pub(crate) fn median(xs: &mut [f64]) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

pub struct ScenarioResult {
    pub name: String,
    pub title: String,
    pub params: Value,
    pub ideal: Option<f64>,
    pub runs: Vec<Measurement>,
    pub notes: Vec<String>,
    /// Bytes of input (scenario 3: MB/s).
    pub input_bytes: Option<u64>,
    /// Requests the sim must serve per run (scenario 4: requests/s).
    pub unique_urls: Option<u64>,
}

impl ScenarioResult {
    fn of(&self, tool: &str) -> Vec<&Measurement> {
        self.runs.iter().filter(|m| m.tool == tool).collect()
    }
    pub fn median_wall(&self, tool: &str) -> Option<f64> {
        let mut w: Vec<f64> = self.of(tool).iter().map(|m| m.wall).collect();
        (!w.is_empty()).then(|| median(&mut w))
    }
    pub fn median_rss(&self, tool: &str) -> Option<f64> {
        let mut w: Vec<f64> = self.of(tool).iter().map(|m| m.rss_mb).collect();
        (!w.is_empty()).then(|| median(&mut w))
    }
    pub fn summary(&self) -> Value {
        let mut tools = serde_json::Map::new();
        for tool in ["paperlinks", "lychee", IDEAL_CLIENT] {
            let runs = self.of(tool);
            if runs.is_empty() {
                continue;
            }
            let wall = self.median_wall(tool).unwrap();
            let mut t = json!({
                "median_wall_s": wall,
                "walls_s": runs.iter().map(|m| m.wall).collect::<Vec<_>>(),
                "rss_mb": runs.iter().map(|m| (m.rep, m.rss_mb)).collect::<Vec<_>>(),
                "median_peak_rss_mb": self.median_rss(tool).unwrap(),
                "exits": runs.iter().map(|m| m.exit).collect::<Vec<_>>(),
                "killed": runs.iter().filter(|m| m.killed).count(),
                "last_sim_stats": strip_per_host(&runs.last().unwrap().sim),
                "last_check": runs.last().unwrap().check,
                "stdout_lines": runs.last().unwrap().stdout_lines,
            });
            if let Some(ideal) = self.ideal {
                t["pct_of_ideal"] = json!(100.0 * ideal / wall);
            }
            if let Some(b) = self.input_bytes {
                t["mb_per_s"] = json!(b as f64 / 1e6 / wall);
            }
            if let Some(u) = self.unique_urls {
                t["requests_per_s"] = json!(u as f64 / wall);
            }
            tools.insert(tool.into(), t);
        }
        let ratio = match (self.median_wall("paperlinks"), self.median_wall("lychee")) {
            (Some(p), Some(l)) => json!(l / p),
            _ => Value::Null,
        };
        json!({
            "scenario": self.name,
            "title": self.title,
            "params": self.params,
            "ideal_s": self.ideal,
            "lychee_wall_over_paperlinks_wall": ratio,
            "tools": tools,
            "notes": self.notes,
        })
    }
}

fn strip_per_host(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(w) = v.get_mut("web").and_then(Value::as_object_mut) {
        w.remove("per_host");
    }
    v
}

/// The ideal client's name among the tools (`crate::ideal`).
const IDEAL_CLIENT: &str = "ideal-client";

pub(crate) struct Ctx<'a> {
    pub(crate) opts: &'a RunOpts,
    pub(crate) dir: PathBuf,
}

impl Ctx<'_> {
    fn tools(&self) -> Vec<&'static str> {
        let mut t = Vec::new();
        if self.opts.paperlinks.is_some() {
            t.push("paperlinks");
        }
        if self.opts.lychee.is_some() {
            t.push("lychee");
        }
        t
    }
    pub(crate) fn reps(&self) -> usize {
        if self.opts.quick {
            1
        } else {
            self.opts.reps.max(1)
        }
    }
}

/// Network limits both tools get.
pub(crate) struct Limits {
    pub(crate) max_concurrency: usize,
    pub(crate) max_per_host: usize,
    pub(crate) timeout_secs: u64,
    pub(crate) retries: u32,
}

pub(crate) fn paperlinks_config(
    path: &Path,
    l: &Limits,
    remap: &[String],
    github_api: Option<&str>,
) -> Result<()> {
    let mut s = String::from("# written by paperlinks-bench\n[check]\n");
    s += &format!(
        "max_concurrency = {}\nmax_per_host = {}\ntimeout_secs = {}\nretries = {}\nallow_private = true\n",
        l.max_concurrency, l.max_per_host, l.timeout_secs, l.retries
    );
    s += &format!("remap = {}\n", toml_str_array(remap));
    s += "\n[github]\n";
    match github_api {
        Some(api) => s += &format!("enabled = true\napi_url = {}\n", toml_str(api)),
        None => s += "enabled = false\n",
    }
    // Archive lookups would go to Software Heritage and the Wayback
    // Machine: never from the harness (loopback only).
    s += "\n[archive]\nenabled = false\n";
    std::fs::write(path, s)?;
    Ok(())
}

fn toml_str(s: &str) -> String {
    // TOML basic strings accept JSON string escapes for what we write.
    serde_json::to_string(s).unwrap()
}

fn toml_str_array(xs: &[String]) -> String {
    format!(
        "[{}]",
        xs.iter()
            .map(|x| toml_str(x))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

pub(crate) fn lychee_args(l: &Limits, remap: &[String], out: &Path, input: &Path) -> Vec<String> {
    let mut a: Vec<String> = vec![
        "--no-progress".into(),
        "--max-concurrency".into(),
        l.max_concurrency.to_string(),
        "--host-concurrency".into(),
        l.max_per_host.to_string(),
        "--host-request-interval".into(),
        "0s".into(),
        "--timeout".into(),
        l.timeout_secs.to_string(),
        "--max-retries".into(),
        l.retries.to_string(),
        "--format".into(),
        "json".into(),
        "--output".into(),
        out.display().to_string(),
    ];
    for r in remap {
        a.push("--remap".into());
        a.push(r.clone());
    }
    a.push(input.display().to_string());
    a
}

/// One web-checking scenario: corpus + sim + both tools A B A B.
struct CheckScenario {
    name: &'static str,
    title: String,
    spec: CorpusSpec,
    sim_args: Vec<String>,
    limits: Limits,
    github: bool,
    /// Latency of web hosts, for the ideal bound (None: no bound).
    ideal_latency: Option<f64>,
    limit: Duration,
    sim_secs: u64,
    /// Also time `paperlinks extract` on the corpus once (scenario 4: wall
    /// against max(extract, check)).
    extract_alone: bool,
}

fn run_check_scenario(ctx: &Ctx, sc: CheckScenario) -> Result<ScenarioResult> {
    let dir = ctx.dir.join(sc.name);
    std::fs::create_dir_all(&dir)?;
    let mut sim_args = sc.sim_args.clone();
    sim_args.extend([
        "--max-secs".into(),
        sc.sim_secs.to_string(),
        "--threads".into(),
        ctx.opts.sim_threads.to_string(),
    ]);
    let sim = SimProc::start(&sim_args, &dir.join("sim.log"))?;
    let mut spec = sc.spec.clone();
    spec.port = sim.port;
    let input = dir.join("corpus.txt");
    let corpus = corpus::generate(&spec, &input)?;
    let gh = format!("http://{}:{}", GITHUB_IP, sim.port);
    let api = format!("http://{}:{}", API_IP, sim.port);
    let remap: Vec<String> = if sc.github {
        vec![format!("^https://github\\.com/(.*)$ {gh}/$1")]
    } else {
        vec![]
    };
    let cfg = dir.join("paperlinks.toml");
    paperlinks_config(&cfg, &sc.limits, &remap, sc.github.then_some(api.as_str()))?;

    let mut notes = Vec::new();
    let ideal = sc.ideal_latency.map(|lat| {
        let total: u64 = corpus.urls.iter().filter(|u| u.host.is_some()).map(|u| u.round_trips as u64).sum();
        let per_host = corpus.round_trips_per_host();
        let busiest = per_host.values().copied().max().unwrap_or(0);
        let global = total as f64 * lat / sc.limits.max_concurrency as f64;
        let host = busiest as f64 * lat / sc.limits.max_per_host as f64;
        notes.push(format!(
            "ideal = max({total} round trips x {lat}s / {} = {global:.2}s, busiest host {busiest} x {lat}s / {} = {host:.2}s)",
            sc.limits.max_concurrency, sc.limits.max_per_host
        ));
        global.max(host)
    });
    let repos = corpus.repos();
    if sc.extract_alone {
        notes.extend(time_extract_alone(ctx, &dir, &input)?);
    }
    let mut runs = Vec::new();
    let token = "ghp_BENCHSENTINEL0000000000000000000000".to_string();
    let mut tools = ctx.tools();
    let urls_file = dir.join("urls.txt");
    if ctx.opts.ideal_client && ideal.is_some() && !sc.github {
        let list: String = corpus.urls.iter().map(|u| format!("{}\n", u.url)).collect();
        std::fs::write(&urls_file, list)?;
        tools.push(IDEAL_CLIENT);
    }
    for rep in 0..ctx.reps() {
        for &tool in &tools {
            sim.reset()?;
            let log = dir.join(format!("{tool}-{rep}.log"));
            let out_dir = dir.join(format!("out-{tool}"));
            let _ = std::fs::remove_dir_all(&out_dir);
            std::fs::create_dir_all(&out_dir)?;
            let env: Vec<(&str, String)> = if sc.github {
                vec![("GITHUB_TOKEN", token.clone())]
            } else {
                vec![]
            };
            let argv: Vec<String> = match tool {
                "paperlinks" => vec![
                    ctx.opts.paperlinks.as_ref().unwrap().display().to_string(),
                    "check".into(),
                    input.display().to_string(),
                    "--config".into(),
                    cfg.display().to_string(),
                    "--output-dir".into(),
                    out_dir.display().to_string(),
                ],
                IDEAL_CLIENT => vec![
                    std::env::current_exe()?.display().to_string(),
                    "ideal-client".into(),
                    urls_file.display().to_string(),
                    "--max-concurrency".into(),
                    sc.limits.max_concurrency.to_string(),
                    "--max-per-host".into(),
                    sc.limits.max_per_host.to_string(),
                ],
                _ => {
                    let mut a = vec![ctx.opts.lychee.as_ref().unwrap().display().to_string()];
                    a.extend(lychee_args(
                        &sc.limits,
                        &remap,
                        &out_dir.join("lychee.json"),
                        &input,
                    ));
                    a
                }
            };
            eprintln!("  [{}] rep {} {tool} ...", sc.name, rep + 1);
            let mut m = measure(tool, rep, &argv, &env, &dir, Out::Null, sc.limit, &log)?;
            // Let in-flight leftovers (killed runs) settle before reading stats.
            std::thread::sleep(Duration::from_millis(50));
            m.sim = sim.stats()?;
            m.check = if tool == "paperlinks" {
                let mut c = check_links_csv(&out_dir.join("links.csv"), &corpus);
                if sc.github {
                    c["token_leaked"] =
                        json!(token_in_dir(&out_dir, &token) || file_contains(&log, &token));
                    if let Ok(r) = std::fs::read_to_string(out_dir.join("repos.csv")) {
                        c["repos_csv_rows"] = json!(r.lines().count().saturating_sub(1));
                    }
                }
                c
            } else if tool == IDEAL_CLIENT {
                // Its own count, the last line of its log.
                let log = std::fs::read_to_string(&log).unwrap_or_default();
                let last = log.lines().last().unwrap_or("");
                serde_json::from_str(last).unwrap_or_else(|_| json!({ "error": last }))
            } else {
                check_lychee_json(&out_dir.join("lychee.json"))
            };
            eprintln!(
                "    {:.2}s, peak RSS {:.1} MB, exit {:?}{}, requests {}",
                m.wall,
                m.rss_mb,
                m.exit,
                if m.killed { " (KILLED at limit)" } else { "" },
                m.sim["web"]["requests"].as_u64().unwrap_or(0)
                    + m.sim["github_pages"]["requests"].as_u64().unwrap_or(0)
                    + m.sim["api"]["calls"].as_u64().unwrap_or(0)
            );
            runs.push(m);
        }
    }
    sim.stop()?;
    if sc.github {
        notes.push(format!(
            "{repos} repositories: API call budget ceil(repos/50)+2 = {}",
            repos.div_ceil(50) + 2
        ));
    }
    Ok(ScenarioResult {
        name: sc.name.into(),
        title: sc.title,
        params: json!({
            "occurrences": corpus.occurrences,
            "unique_urls": corpus.urls.len(),
            "hosts": sc.spec.hosts,
            "repositories": repos,
            "github_root_links": corpus.urls.iter().filter(|u| u.github_root).count(),
            "github_deep_links": corpus.urls.iter().filter(|u| u.repo.is_some() && !u.github_root).count(),
            "max_concurrency": sc.limits.max_concurrency,
            "max_per_host": sc.limits.max_per_host,
            "timeout_secs": sc.limits.timeout_secs,
            "retries": sc.limits.retries,
            "corpus_bytes": corpus.bytes,
            "sim": sc.sim_args,
            "reps": ctx.reps(),
        }),
        ideal,
        runs,
        notes,
        input_bytes: None,
        unique_urls: Some(corpus.urls.len() as u64),
    })
}

fn file_contains(p: &Path, needle: &str) -> bool {
    std::fs::read(p)
        .map(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
        .unwrap_or(false)
}

fn token_in_dir(dir: &Path, token: &str) -> bool {
    std::fs::read_dir(dir)
        .map(|rd| rd.flatten().any(|e| file_contains(&e.path(), token)))
        .unwrap_or(false)
}

fn s0_statuses(ctx: &Ctx) -> Result<ScenarioResult> {
    run_check_scenario(
        ctx,
        CheckScenario {
            name: "s0-statuses",
            title: "Every answer kind once per host: status words".into(),
            spec: CorpusSpec {
                occurrences: 60,
                unique: 44,
                abstracts: 20,
                hosts: 4,
                mix: parse_mix(
                    "ok:1,404:1,410:1,403:1,500:1,r301:1,chain:1,r302:1,head405:1,r429:1,flaky:1,hang:1",
                )?,
                seed: 7,
                cycle_kinds: true,
                ..Default::default()
            },
            sim_args: vec![
                "--hosts".into(),
                "4".into(),
                "--latency-ms".into(),
                "10".into(),
            ],
            limits: Limits {
                max_concurrency: 16,
                max_per_host: 2,
                timeout_secs: 2,
                retries: 2,
            },
            github: false,
            ideal_latency: None,
            limit: Duration::from_secs(120),
            sim_secs: 600,
            extract_alone: false,
        },
    )
}

fn s1_mixed(ctx: &Ctx) -> Result<ScenarioResult> {
    let (n, hosts, lat) = if ctx.opts.quick {
        (400, 10, 20)
    } else {
        (5000, 50, 100)
    };
    run_check_scenario(
        ctx,
        CheckScenario {
            name: "s1-mixed-web",
            title: format!("{n} links over {hosts} hosts, {lat} ms per response"),
            spec: CorpusSpec {
                occurrences: n,
                unique: n,
                abstracts: n / 2,
                hosts,
                mix: parse_mix("ok:80,404:10,r301:5,head405:5")?,
                seed: 1,
                ..Default::default()
            },
            sim_args: vec![
                "--hosts".into(),
                hosts.to_string(),
                "--latency-ms".into(),
                lat.to_string(),
            ],
            limits: Limits {
                max_concurrency: 64,
                max_per_host: 2,
                timeout_secs: 20,
                retries: 2,
            },
            github: false,
            ideal_latency: Some(lat as f64 / 1000.0),
            limit: Duration::from_secs(300),
            sim_secs: 3600,
            extract_alone: false,
        },
    )
}

fn s2_github(ctx: &Ctx) -> Result<ScenarioResult> {
    let abstracts = if ctx.opts.quick { 60 } else { 2000 };
    let occ = abstracts * 6 / 5;
    run_check_scenario(
        ctx,
        CheckScenario {
            name: "s2-github-heavy",
            title: format!("{abstracts} abstracts, 85% GitHub repository links"),
            spec: CorpusSpec {
                occurrences: occ,
                unique: occ * 11 / 12,
                abstracts,
                hosts: 20,
                github_frac: 0.85,
                deep_frac: 0.02,
                gone_frac: 0.03,
                renamed_frac: 0.02,
                mix: parse_mix("ok:90,404:10")?,
                seed: 2,
                sentences: 5,
                ..Default::default()
            },
            sim_args: vec![
                "--hosts".into(),
                "20".into(),
                "--latency-ms".into(),
                "100".into(),
                "--github-latency-ms".into(),
                "100".into(),
                "--api-latency-ms".into(),
                "300".into(),
                "--github-rate".into(),
                "10".into(),
                "--github-retry-after".into(),
                "1".into(),
            ],
            limits: Limits {
                max_concurrency: 64,
                max_per_host: 4,
                timeout_secs: 20,
                retries: 2,
            },
            github: true,
            ideal_latency: None,
            limit: Duration::from_secs(if ctx.opts.quick { 120 } else { 900 }),
            sim_secs: 7200,
            extract_alone: false,
        },
    )
}

/// Scenario 4: a million occurrences on 2,000 hosts, answers at once
/// (`latency_ms` 0) or, as `4d`, after `latency_ms` (issue 27's setting:
/// 5 ms), which gives the check phase a round-trip bound.
fn s4_scale(ctx: &Ctx, latency_ms: u64) -> Result<ScenarioResult> {
    let (occ, unique, hosts) = if ctx.opts.quick {
        (20_000, 4_000, 100)
    } else {
        (1_000_000, 200_000, 2_000)
    };
    let (name, at) = match latency_ms {
        0 => ("s4-scale", "0 ms".to_string()),
        ms => ("s4d-scale-delayed", format!("{ms} ms per response")),
    };
    run_check_scenario(
        ctx,
        CheckScenario {
            name,
            title: format!("{occ} occurrences, {unique} unique URLs, {hosts} hosts, {at}"),
            spec: CorpusSpec {
                occurrences: occ,
                unique,
                abstracts: occ / 5,
                hosts,
                mix: parse_mix("ok:95,404:5")?,
                seed: 4,
                sentences: 2,
                ..Default::default()
            },
            sim_args: vec![
                "--hosts".into(),
                hosts.to_string(),
                "--latency-ms".into(),
                latency_ms.to_string(),
            ],
            limits: Limits {
                max_concurrency: 64,
                max_per_host: 4,
                timeout_secs: 20,
                retries: 2,
            },
            github: false,
            ideal_latency: (latency_ms > 0).then(|| latency_ms as f64 / 1000.0),
            limit: Duration::from_secs(if ctx.opts.quick { 120 } else { 1200 }),
            sim_secs: 7200,
            extract_alone: true,
        },
    )
}

/// `paperlinks extract` alone on a check scenario's corpus, once (stdout
/// counted, not kept): the extraction time a streaming check is compared
/// with.
fn time_extract_alone(ctx: &Ctx, dir: &Path, input: &Path) -> Result<Vec<String>> {
    let Some(bin) = ctx.opts.paperlinks.as_ref() else {
        return Ok(Vec::new());
    };
    let argv = vec![
        bin.display().to_string(),
        "extract".into(),
        input.display().to_string(),
    ];
    let log = dir.join("extract-alone.log");
    let m = measure(
        "paperlinks",
        0,
        &argv,
        &[],
        dir,
        Out::CountLines,
        Duration::from_secs(600),
        &log,
    )?;
    eprintln!(
        "    extract alone: {:.2}s, peak RSS {:.1} MB",
        m.wall, m.rss_mb
    );
    Ok(vec![format!(
        "extract alone (paperlinks extract, once): {:.2}s, {:.1} MB",
        m.wall, m.rss_mb
    )])
}

fn s3_extract(ctx: &Ctx) -> Result<ScenarioResult> {
    let mb = if ctx.opts.quick { 5 } else { ctx.opts.s3_mb };
    let dir = ctx.dir.join("s3-extract");
    std::fs::create_dir_all(&dir)?;
    let input = dir.join(format!("corpus-{mb}mb.txt"));
    let size = mb * 1_000_000;
    let (bytes, links) = match std::fs::metadata(&input) {
        Ok(m) if m.len() >= size && m.len() < size + 10_000 => (m.len(), None),
        _ => {
            eprintln!("  [s3] writing {mb} MB corpus ...");
            let (b, l) = corpus::generate_text(size, 3, &input)?;
            (b, Some(l))
        }
    };
    let mut runs = Vec::new();
    for rep in 0..ctx.reps() {
        for tool in ctx.tools() {
            let argv: Vec<String> = match tool {
                "paperlinks" => vec![
                    ctx.opts.paperlinks.as_ref().unwrap().display().to_string(),
                    "extract".into(),
                    input.display().to_string(),
                ],
                _ => vec![
                    ctx.opts.lychee.as_ref().unwrap().display().to_string(),
                    "--dump".into(),
                    input.display().to_string(),
                ],
            };
            eprintln!("  [s3] rep {} {tool} ...", rep + 1);
            let log = dir.join(format!("{tool}-{rep}.log"));
            let m = measure(
                tool,
                rep,
                &argv,
                &[],
                &dir,
                Out::CountLines,
                Duration::from_secs(600),
                &log,
            )?;
            eprintln!(
                "    {:.2}s ({:.0} MB/s), peak RSS {:.1} MB, exit {:?}, {} lines out",
                m.wall,
                bytes as f64 / 1e6 / m.wall,
                m.rss_mb,
                m.exit,
                m.stdout_lines
            );
            runs.push(m);
        }
    }
    let mut notes = vec!["page cache warm (the corpus was just written or read); stdout counted by the driver, not written to disk".to_string()];
    if let Some(l) = links {
        notes.push(format!("{l} link occurrences in the corpus"));
    }
    Ok(ScenarioResult {
        name: "s3-extract".into(),
        title: format!("extraction only, {mb} MB text corpus"),
        params: json!({"bytes": bytes, "reps": ctx.reps()}),
        ideal: None,
        runs,
        notes,
        input_bytes: Some(bytes),
        unique_urls: None,
    })
}

pub fn run(opts: RunOpts) -> Result<()> {
    std::fs::create_dir_all(&opts.work)?;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let ctx = Ctx {
        opts: &opts,
        dir: opts.work.clone(),
    };
    if ctx.tools().is_empty() {
        bail!("neither paperlinks nor lychee is available: nothing to run");
    }
    let mut wanted: Vec<String> = opts.scenarios.clone();
    if wanted.is_empty() || wanted.iter().any(|s| s == "all") {
        wanted = vec!["0".into(), "1".into(), "2".into(), "3".into(), "4".into()];
    }
    let mut results = Vec::new();
    for s in &wanted {
        eprintln!(
            "== scenario {s} ({})",
            if opts.quick { "quick" } else { "full" }
        );
        let r = match s.as_str() {
            "0" | "statuses" => s0_statuses(&ctx),
            "1" | "mixed" => s1_mixed(&ctx),
            "2" | "github" => s2_github(&ctx),
            "3" | "extract" => s3_extract(&ctx),
            "4" | "scale" => s4_scale(&ctx, 0),
            "4d" | "scale-delayed" => s4_scale(&ctx, 5),
            "5" | "shards" if ctx.opts.paperlinks.is_some() => crate::shards::s5_shards(&ctx),
            "5" | "shards" => bail!("scenario 5 (shards) needs paperlinks"),
            "6" | "forges" => crate::forges::s6_forges(&ctx, 0),
            "6r" | "forges-rate" => crate::forges::s6_forges(&ctx, crate::forges::HF_RATE),
            other => bail!("unknown scenario {other:?} (0..6, 4d, 6r, all)"),
        };
        match r {
            Ok(r) => results.push(r),
            Err(e) => eprintln!("scenario {s} failed: {e:#}"),
        }
    }
    let summaries: Vec<Value> = results.iter().map(ScenarioResult::summary).collect();
    let doc = json!({
        "machine": machine(),
        "tools": {
            "paperlinks": opts.paperlinks.as_ref().map(|p| version(p, "--version")),
            "lychee": opts.lychee.as_ref().map(|p| version(p, "--version")),
        },
        "quick": opts.quick,
        "scenarios": summaries,
    });
    let json_path = opts.work.join(format!("results-{stamp}.json"));
    std::fs::write(&json_path, serde_json::to_string_pretty(&doc)?)?;
    let md = markdown(&results);
    let md_path = opts.work.join(format!("results-{stamp}.md"));
    std::fs::write(&md_path, &md)?;
    println!("{md}");
    println!(
        "full results: {}\n              {}",
        json_path.display(),
        md_path.display()
    );
    Ok(())
}

fn fmt_opt(x: Option<f64>, unit: &str) -> String {
    x.map(|v| format!("{v:.2}{unit}"))
        .unwrap_or_else(|| "-".into())
}

/// The results table (also pasted into BENCHMARKS.md).
pub fn markdown(results: &[ScenarioResult]) -> String {
    let mut s = String::from(
        "| scenario | tool | median wall | runs (s) | ideal | % of ideal | lychee/paperlinks | peak RSS | requests (last run) | notes |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in results {
        let ratio = match (r.median_wall("paperlinks"), r.median_wall("lychee")) {
            (Some(p), Some(l)) => format!("{:.2}x", l / p),
            _ => "-".into(),
        };
        for tool in ["paperlinks", "lychee", IDEAL_CLIENT] {
            let runs = r.of(tool);
            if runs.is_empty() {
                continue;
            }
            let wall = r.median_wall(tool).unwrap();
            let last = runs.last().unwrap();
            let walls = runs
                .iter()
                .map(|m| format!("{:.2}{}", m.wall, if m.killed { "K" } else { "" }))
                .collect::<Vec<_>>()
                .join(" ");
            let pct = r
                .ideal
                .map(|i| format!("{:.1}%", 100.0 * i / wall))
                .unwrap_or("-".into());
            let sim = &last.sim;
            let reqs = if sim.is_null() {
                "-".to_string()
            } else {
                let mut p = format!(
                    "web {} (HEAD {}), peak/host {}",
                    sim["web"]["requests"], sim["web"]["head"], sim["web"]["max_peak_in_flight"]
                );
                if sim["github_pages"]["requests"].as_u64().unwrap_or(0) > 0
                    || sim["api"]["calls"].as_u64().unwrap_or(0) > 0
                {
                    p += &format!(
                        "; github.com pages {} (repo roots {}, 429s {}); API calls {} (GraphQL {}, REST {})",
                        sim["github_pages"]["requests"],
                        sim["github_pages"]["root_pages"],
                        sim["github_pages"]["rate_limited"],
                        sim["api"]["calls"],
                        sim["api"]["graphql"],
                        sim["api"]["rest"]
                    );
                }
                p
            };
            let mut notes = Vec::new();
            if let Some(b) = r.input_bytes {
                notes.push(format!(
                    "{:.0} MB/s, {} lines out",
                    b as f64 / 1e6 / wall,
                    last.stdout_lines
                ));
            }
            if let (Some(u), false) = (r.unique_urls, r.name.starts_with("s0")) {
                notes.push(format!("{:.0} URLs/s", u as f64 / wall));
            }
            let c = &last.check;
            if let Some(e) = c.get("error") {
                notes.push(format!("check: {}", e.as_str().unwrap_or("?")));
            } else if c.get("rows").is_some() {
                notes.push(format!(
                    "rows {}/{}, wrong status {}{}, statuses {}",
                    c["rows"],
                    c["rows_expected"],
                    c["wrong_status"],
                    if c["wrong_status"].as_u64().unwrap_or(0) > 0 {
                        format!(" {}", c["wrong_by"])
                    } else {
                        String::new()
                    },
                    c["per_status"]
                ));
                if let Some(t) = c.get("token_leaked") {
                    notes.push(format!("token leaked: {t}"));
                }
            } else if let Some(m) = c["client_mean_in_flight"].as_f64() {
                notes.push(format!(
                    "client side: {m:.1} in flight on average, {:.2} ms per request, {} failed",
                    c["client_mean_request_ms"].as_f64().unwrap_or(0.0),
                    c["failed"]
                ));
            } else if c.get("total").is_some() {
                notes.push(format!(
                    "total {}, ok {}, errors {}, timeouts {}, redirects {}",
                    c["total"], c["successful"], c["errors"], c["timeouts"], c["redirects"]
                ));
            }
            let tl = &sim["timeline"];
            if let (Some(f), Some(l), Some(m), Some(ms)) = (
                tl["first_request_secs"].as_f64(),
                tl["last_answer_secs"].as_f64(),
                tl["mean_in_flight"].as_f64(),
                tl["mean_request_ms"].as_f64(),
            ) {
                let mut n = format!(
                    "first request at {f:.2}s, last answer at {l:.2}s, check phase {:.2}s, {:.2}s after the last answer",
                    l - f,
                    last.wall - l
                );
                // In-flight counts mean something only when answers take time.
                if ms >= 1.0 {
                    n += &format!(
                        ", {m:.1} in flight on average (per tenth: {}), {ms:.1} ms per request",
                        tl["mean_in_flight_per_tenth"]
                    );
                }
                notes.push(n);
            }
            let exits: Vec<String> = runs
                .iter()
                .map(|m| m.exit.map(|e| e.to_string()).unwrap_or("sig".into()))
                .collect();
            notes.push(format!("exit {}", exits.join(",")));
            s += &format!(
                "| {} | {tool} | {:.2}s | {walls} | {} | {pct} | {} | {:.1} MB | {reqs} | {} |\n",
                r.name,
                wall,
                fmt_opt(r.ideal, "s"),
                if tool == "paperlinks" {
                    ratio.clone()
                } else {
                    String::new()
                },
                r.median_rss(tool).unwrap(),
                notes.join("; ")
            );
        }
        for n in &r.notes {
            s += &format!("| {} | | | | | | | | | {n} |\n", r.name);
        }
    }
    s
}

fn version(p: &Path, flag: &str) -> String {
    Command::new(p)
        .arg(flag)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|e| format!("? ({e})"))
}

fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|t| {
        t.lines()
            .find(|l| l.starts_with("model name"))
            .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
    });
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| t.lines().next().map(str::to_string));
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|s| s.trim().to_string());
    json!({
        "cpu": cpu,
        "cores": std::thread::available_parallelism().map(|n| n.get()).ok(),
        "mem": mem,
        "kernel": kernel,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::PlannedUrl;

    #[test]
    fn links_csv_check_counts_rows_and_wrong_statuses() {
        let url = |u: &str, e: &'static str| PlannedUrl {
            url: u.into(),
            expected: e,
            host: Some(0),
            round_trips: 1,
            repo: None,
            github_root: false,
        };
        let corpus = Corpus {
            urls: vec![url("http://a/ok", "ok"), url("http://a/404", "broken")],
            occurrences: 3,
            counts: vec![2, 1],
            bytes: 0,
        };
        let dir = std::env::temp_dir().join(format!("plb-check-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("links.csv");
        std::fs::write(&p, "source,line,column,paper,url,repo,status,http_status,final_url,error\nf,1,1,P,http://a/ok,,ok,200,,\nf,2,1,P,http://a/ok,,ok,200,,\nf,3,1,P,http://a/404,,timeout,,,slow\n").unwrap();
        let c = check_links_csv(&p, &corpus);
        assert_eq!(c["rows"], 3);
        assert_eq!(c["rows_ok"], true);
        assert_eq!(c["wrong_status"], 1);
        assert_eq!(c["wrong_by"]["broken->timeout"], 1);
        std::fs::write(&p, "source,url,status\nf,http://a/okk,ok\n").unwrap();
        let c = check_links_csv(&p, &corpus);
        assert_eq!(c["unknown_urls"], 1);
        assert_eq!(c["rows_ok"], false);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
