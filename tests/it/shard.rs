//! `check --shard K/N` and `merge` (issue 17), end to end through the
//! binary against servers on 127.0.0.1: a corpus over 40 web hosts and 60
//! GitHub repositories (a fake GitHub API; every web host remapped to its
//! own local server on its own loopback address, GitHub deep links to one
//! more; each sees the original host as the first path segment).
//!
//! Pinned: a merge of N = 1, 2, 3 and 7 shards writes links.csv, repos.csv
//! and papers.csv identical to a single run's, apart from the timing
//! columns (links.csv `elapsed_ms`, `checked_at` and `first_failed_at`,
//! which for a first failure is its check time; repos.csv `fetched_at`)
//! and the dates the fake API derives from its own clock at answer time
//! (`created_at`, `pushed_at`, `last_commit_at`, `latest_release_at`), and
//! exits like it (also with the archive stage on: the shards' archive
//! answers, merged by target key, give the single run's archive cells and
//! the merge asks no archive); every host is requested by exactly one shard; a missing,
//! duplicated, other-input or other-config shard is refused with exit 3 and
//! a message naming it; history carries across merged runs.

use crate::support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use support::archive::{FakeArchive, Swh};
use support::cmd::paperlinks;
use support::fake_github::{FakeGithub, FakeRepo};
use support::web::{Reply, WebServer};

const HOSTS: usize = 40;
const REPOS: usize = 60;
const PAPERS: usize = 150;
/// Papers after `PAPERS` link only a project page, which links their code
/// (issue 14): a known repository's root, and for every other one a
/// repository no abstract links (every fourth of those exists).
const PAGE_PAPERS: usize = 12;

/// Which shard label requested each original host, and how often.
#[derive(Default)]
struct Hits {
    label: String,
    by_host: BTreeMap<String, BTreeMap<String, usize>>,
}

struct World {
    /// GitHub deep links and anything else (the catch-all remap).
    web: WebServer,
    /// One server per web host `h{i}.example`, on its own loopback address
    /// (127.0.1.i), so each is its own host after remap, as the checker
    /// and the shards key it.
    hosts: Vec<WebServer>,
    fake: FakeGithub,
    /// The archives' stand-in, when the archive stage is on.
    archive: Option<FakeArchive>,
    dir: tempfile::TempDir,
    input: PathBuf,
    cfg: PathBuf,
    hits: Arc<Mutex<Hits>>,
}

/// Web answers by path kind; `/HOST/ok/..` 200, `/HOST/404/..` 404,
/// `/HOST/r301/..` a redirect on the same host, GitHub deep links 200.
fn answer(path: &str) -> Reply {
    let mut parts = path.trim_start_matches('/').splitn(3, '/');
    let (host, kind, rest) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    match kind {
        "404" => Reply::status(404),
        "page" => Reply::status(200)
            .header("content-type", "text/html; charset=utf-8")
            .body(&project_page(rest)),
        "r301" => Reply::redirect(301, &format!("/{host}/ok/{rest}")),
        _ => Reply::status(200),
    }
}

/// The project page `p{i}`: links its code on GitHub, its own site and a
/// share button.
fn project_page(rest: &str) -> String {
    let i: usize = rest.trim_start_matches('p').parse().unwrap_or(0);
    let r = i % REPOS;
    let mut links = format!(
        "<a href=\"/about\">About</a> <a href=\"https://twitter.com/intent/tweet?url=x\">Share</a> \
         <a href=\"https://github.com/lab{r}/model{r}\">Code</a>"
    );
    if i.is_multiple_of(2) {
        links.push_str(&format!(
            " <a href=\"https://github.com/found{i}/code{i}\">Training code</a>"
        ));
    }
    format!("<!doctype html><html><body><h1>Paper {i}</h1><p>{links}</p></body></html>")
}

/// Paper `i`: a GitHub root (some gone), every fifth a deep GitHub link,
/// and a project link on one of the web hosts (ok, 404 or a redirect).
fn corpus() -> String {
    let mut text = String::from("Daily Papers\n\n");
    for i in 0..PAPERS {
        let r = i % (REPOS + 5);
        let h = (i * 7) % HOSTS;
        let kind = ["ok", "ok", "404", "r301", "ok"][i % 5];
        let mut body = format!(
            "Code is at https://github.com/lab{r}/model{r} and the project page at https://h{h}.example/{kind}/p{i}."
        );
        if i % 5 == 0 {
            body.push_str(&format!(
                " Configs: https://github.com/lab{r}/model{r}/blob/main/cfg{i}.yaml."
            ));
        }
        if i % 3 == 0 {
            // Another name for host h: remapped to its server, so the
            // shard that owns h must own it too (the key is the host
            // requested, after remap).
            body.push_str(&format!(" Mirror: https://mirror{h}.example/ok/m{i}."));
        }
        text.push_str(&format!(
            "Paper number {i} on sharded checks\n\nWe study the problem at length and report results. {body}\n\n"
        ));
    }
    for i in PAPERS..PAPERS + PAGE_PAPERS {
        let h = (i * 7) % HOSTS;
        text.push_str(&format!(
            "Paper number {i} on sharded checks\n\nWe study the problem at length and report results. \
             The project page is at https://h{h}.example/page/p{i}.\n\n"
        ));
    }
    text
}

async fn world() -> World {
    build(false).await
}

/// With `archive`, the archive stage asks a stand-in that holds a
/// Software Heritage copy of two missing repositories and a Wayback copy
/// of one dead project page.
async fn build(archive: bool) -> World {
    let hits = Arc::new(Mutex::new(Hits::default()));
    let h = hits.clone();
    let handler = Arc::new(move |req: &support::web::Request| {
        let host = req
            .path
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or("");
        let mut hits = h.lock().unwrap();
        let label = hits.label.clone();
        *hits
            .by_host
            .entry(host.to_string())
            .or_default()
            .entry(label)
            .or_default() += 1;
        answer(&req.path)
    });
    let on = |ip: String| {
        let handler = handler.clone();
        async move { WebServer::start_on(&ip, move |r| handler(r)).await }
    };
    let web = on("127.0.0.1".into()).await;
    let mut hosts = Vec::new();
    for i in 0..HOSTS {
        hosts.push(on(format!("127.0.1.{i}")).await);
    }
    // Repositories 0..REPOS exist except every tenth; REPOS.. are unknown.
    let repos = (0..REPOS)
        .filter(|r| r % 10 != 3)
        .map(|r| FakeRepo::new(&format!("lab{r}/model{r}")).stars(r as u64 * 3))
        .chain(
            (PAPERS..PAPERS + PAGE_PAPERS)
                .filter(|i| i % 4 == 0)
                .map(|i| FakeRepo::new(&format!("found{i}/code{i}")).stars(7)),
        )
        .collect();
    let fake = FakeGithub::start(repos).await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("papers.txt");
    std::fs::write(&input, corpus()).unwrap();
    let archive = if archive {
        let a = FakeArchive::start().await;
        a.swh(
            "https://github.com/lab3/model3",
            Swh::Holds("2024-03-01T10:00:00+00:00".into()),
        );
        a.swh("https://github.com/lab13/model13", Swh::NoSnapshot);
        a.wayback("https://h14.example/404/p2", "20230505000000");
        Some(a)
    } else {
        None
    };
    let cfg = dir.path().join("config.toml");
    write_config(&cfg, (&web, &hosts), &fake, 5, archive.as_ref());
    World {
        web,
        hosts,
        fake,
        archive,
        dir,
        input,
        cfg,
        hits,
    }
}

fn write_config(
    cfg: &Path,
    (web, hosts): (&WebServer, &[WebServer]),
    fake: &FakeGithub,
    timeout: u64,
    archive: Option<&FakeArchive>,
) {
    let archive = match archive {
        Some(a) => format!(
            "swh_api_url = \"{u}\"\nwayback_api_url = \"{u}\"\ntimeout_secs = 2\nconcurrency = 2",
            u = a.url()
        ),
        None => "enabled = false".into(),
    };
    std::fs::write(
        cfg,
        format!(
            r#"output_dir = "reports"
[check]
allow_private = true
retries = 0
timeout_secs = {timeout}
remap = [{rules}"^(?i)https?://(.*)$ {web}/$1"]
[github]
api_url = "{api}"
[archive]
{archive}
[forges]
enabled = false
"#,
            web = web.url(""),
            api = fake.url(),
            rules = hosts
                .iter()
                .enumerate()
                .map(|(i, h)| format!(
                    "\"^(?i)https?://(?:mirror|h){i}\\\\.example/(.*)$ {}/h{i}.example/$1\", ",
                    h.url("")
                ))
                .collect::<String>(),
        ),
    )
    .unwrap();
}

impl World {
    fn out(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn label(&self, label: &str) {
        self.hits.lock().unwrap().label = label.to_string();
    }

    /// `check` (optionally `--shard`), with `cfg`, into `out`; its output.
    fn check(&self, cfg: &Path, out: &Path, shard: Option<&str>) -> std::process::Output {
        self.check_on(&self.input, cfg, out, shard)
    }

    fn check_on(
        &self,
        input: &Path,
        cfg: &Path,
        out: &Path,
        shard: Option<&str>,
    ) -> std::process::Output {
        let mut cmd = paperlinks();
        cmd.env("GITHUB_TOKEN", "test-token")
            .args(["check", "--format", "none", "--config"])
            .arg(cfg)
            .arg("--output-dir")
            .arg(out)
            .arg(input);
        if let Some(s) = shard {
            cmd.args(["--shard", s]);
        }
        cmd.output().unwrap()
    }

    fn merge(&self, dirs: &[PathBuf], out: &Path) -> std::process::Output {
        let mut cmd = paperlinks();
        cmd.args(["merge", "--format", "none", "--config"])
            .arg(&self.cfg)
            .arg("--output-dir")
            .arg(out)
            .arg("--input")
            .arg(&self.input)
            .args(dirs);
        cmd.output().unwrap()
    }

    /// Runs the N shards one after another (hits labelled by shard).
    fn shards(&self, n: usize, tag: &str) -> Vec<PathBuf> {
        (1..=n)
            .map(|k| {
                let out = self.out(&format!("{tag}-shard{k}of{n}"));
                self.label(&format!("{k}/{n}"));
                let o = self.check(&self.cfg, &out, Some(&format!("{k}/{n}")));
                assert_eq!(o.status.code(), Some(0), "shard {k}/{n}: {}", stderr(&o));
                out
            })
            .collect()
    }
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A CSV report with the named columns blanked (timing and clock columns).
fn normalized(path: &Path, blank: &[&str]) -> String {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = r.headers().unwrap().clone();
    let skip: Vec<bool> = headers.iter().map(|h| blank.contains(&h)).collect();
    let mut out = format!("{}\n", headers.iter().collect::<Vec<_>>().join(","));
    for rec in r.records() {
        let rec = rec.unwrap();
        let cells: Vec<&str> = rec
            .iter()
            .zip(&skip)
            .map(|(c, &s)| if s { "" } else { c })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// `first_failed_at` of a first failure is its check time; the archives
/// were asked at `archive_checked_at`.
const LINK_TIMING: &[&str] = &[
    "elapsed_ms",
    "checked_at",
    "first_failed_at",
    "archive_checked_at",
];
const REPO_TIMING: &[&str] = &[
    "fetched_at",
    "archive_checked_at",
    "created_at",
    "pushed_at",
    "last_commit_at",
    "latest_release_at",
];

fn assert_same_reports(single: &Path, merged: &Path, what: &str) {
    for (file, blank) in [
        ("links.csv", LINK_TIMING),
        ("repos.csv", REPO_TIMING),
        ("papers.csv", &[][..]),
    ] {
        let a = normalized(&single.join(file), blank);
        let b = normalized(&merged.join(file), blank);
        assert!(a.lines().count() > 1, "{file} is empty");
        if a != b {
            let diff: Vec<(&str, &str)> = a
                .lines()
                .zip(b.lines())
                .filter(|(x, y)| x != y)
                .take(3)
                .collect();
            panic!("{what}: {file} differs from the single run's: {diff:#?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merged_shards_write_the_single_runs_reports_and_each_host_has_one_shard() {
    let w = world().await;
    w.label("single");
    let single = w.out("single");
    let o = w.check(&w.cfg, &single, None);
    let single_exit = o.status.code();
    assert_eq!(
        single_exit,
        Some(2),
        "broken links fail the run: {}",
        stderr(&o)
    );
    let single_hosts: BTreeSet<String> = w.hits.lock().unwrap().by_host.keys().cloned().collect();
    assert!(
        single_hosts.len() > HOSTS,
        "web hosts and github.com: {single_hosts:?}"
    );
    // The project pages' code is part of what the merges must reproduce.
    let papers = std::fs::read_to_string(single.join("papers.csv")).unwrap();
    let repos = std::fs::read_to_string(single.join("repos.csv")).unwrap();
    assert_eq!(
        papers.matches("linked_via_page").count(),
        PAGE_PAPERS,
        "{papers}"
    );
    assert!(repos.contains("found152/code152"), "{repos}");
    assert!(repos.contains("https://h"), "found_via: {repos}");

    for n in [1, 2, 3, 7] {
        w.hits.lock().unwrap().by_host.clear();
        let dirs = w.shards(n, "a");
        for d in &dirs {
            assert!(d.join("shard.json").is_file() && d.join("shard-results.json").is_file());
        }
        // Every host was requested, each by exactly one shard.
        let by_host = std::mem::take(&mut w.hits.lock().unwrap().by_host);
        let hosts: BTreeSet<String> = by_host.keys().cloned().collect();
        assert_eq!(
            hosts, single_hosts,
            "N = {n}: the same hosts as a single run"
        );
        for (host, shards) in &by_host {
            assert_eq!(shards.len(), 1, "N = {n}: {host} requested by {shards:?}");
        }
        if n == 7 {
            let used: BTreeSet<&String> = by_host.values().flat_map(|s| s.keys()).collect();
            assert!(
                used.len() >= 5,
                "the hash spreads 40 hosts over 7 shards: {used:?}"
            );
        }

        let merged = w.out(&format!("merged{n}"));
        // Shards given in any order.
        let mut order = dirs.clone();
        order.reverse();
        let o = w.merge(&order, &merged);
        assert_eq!(o.status.code(), single_exit, "N = {n}: {}", stderr(&o));
        assert!(
            w.hits.lock().unwrap().by_host.is_empty(),
            "merge makes no request"
        );
        assert_same_reports(&single, &merged, &format!("N = {n}"));
        for f in ["summary.md", "popularity.md"] {
            assert!(merged.join(f).is_file(), "{f}");
        }
    }
    // The fake API saw every batch of every run; none came from a merge.
    assert!(w.fake.graphql_calls() > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merge_refuses_missing_duplicated_foreign_input_and_foreign_config_shards() {
    let w = world().await;
    let dirs = w.shards(3, "r");
    let refused = |dirs: &[PathBuf], input: Option<&Path>, needle: &str, names: Option<&Path>| {
        let out = w.out("refused");
        let mut cmd = paperlinks();
        cmd.args(["merge", "--format", "none", "--config"])
            .arg(&w.cfg)
            .arg("--output-dir")
            .arg(&out)
            .arg("--input")
            .arg(input.unwrap_or(&w.input))
            .args(dirs);
        let o = cmd.output().unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(3), "{needle}: {err}");
        assert!(err.contains(needle), "expected {needle:?} in: {err}");
        if let Some(dir) = names {
            assert!(
                err.contains(&dir.display().to_string()),
                "names {}: {err}",
                dir.display()
            );
        }
        assert!(
            !out.join("links.csv").exists(),
            "no report from a refused merge"
        );
    };

    // Missing: shard 2 of 3 left out.
    refused(
        &[dirs[0].clone(), dirs[2].clone()],
        None,
        "2/3 missing",
        None,
    );
    // Duplicated: shard 3 twice.
    let twice = [
        dirs[0].clone(),
        dirs[1].clone(),
        dirs[2].clone(),
        dirs[2].clone(),
    ];
    refused(&twice, None, "given twice", Some(&dirs[2]));
    // Another input: the merge reads a changed file.
    let other = w.out("other.txt");
    std::fs::write(
        &other,
        corpus().replace("Paper number 7 ", "Paper number seven "),
    )
    .unwrap();
    refused(&dirs, Some(&other), "other inputs", Some(&dirs[0]));
    // Another input: one shard read the changed file, the merge the original.
    let stray = w.out("stray-shard3of3");
    let o = w.check_on(&other, &w.cfg, &stray, Some("3/3"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let with_stray = [dirs[0].clone(), dirs[1].clone(), stray.clone()];
    refused(&with_stray, None, "other inputs", Some(&stray));
    // The merged reports would overwrite a shard's own.
    let o = w.merge(&dirs, &dirs[1]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("output directory"), "{}", stderr(&o));
    // Another config: shard 2 ran with another timeout.
    let cfg2 = w.out("config2.toml");
    write_config(&cfg2, (&w.web, &w.hosts), &w.fake, 9, None);
    let foreign = w.out("foreign-shard2of3");
    let o = w.check(&cfg2, &foreign, Some("2/3"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mixed = [dirs[0].clone(), foreign.clone(), dirs[2].clone()];
    refused(&mixed, None, "another config", Some(&foreign));
    // Not a shard directory at all.
    let plain = w.out("plain");
    std::fs::create_dir_all(&plain).unwrap();
    refused(
        std::slice::from_ref(&plain),
        None,
        "shard.json",
        Some(&plain),
    );
    // A shard whose results file is cut short.
    let cut = w.out("cut-shard2of3");
    std::fs::create_dir_all(&cut).unwrap();
    std::fs::copy(dirs[1].join("shard.json"), cut.join("shard.json")).unwrap();
    let results = std::fs::read(dirs[1].join("shard-results.json")).unwrap();
    std::fs::write(
        cut.join("shard-results.json"),
        &results[..results.len() / 2],
    )
    .unwrap();
    let with_cut = [dirs[0].clone(), cut.clone(), dirs[2].clone()];
    refused(&with_cut, None, "not a shard file", Some(&cut));
    // A bad --shard is a usage error.
    let o = paperlinks()
        .args(["check", "--shard", "4/3"])
        .arg(&w.input)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_carries_across_merged_runs_through_the_shards_restored_reports() {
    let w = world().await;
    let merged = w.out("merged");
    let first = w.shards(2, "h1");
    assert_eq!(w.merge(&first, &merged).status.code(), Some(2));
    let links = std::fs::read_to_string(merged.join("links.csv")).unwrap();

    // The next run: the merged reports restored into each shard's directory.
    let dirs: Vec<PathBuf> = (1..=2).map(|k| w.out(&format!("h2-shard{k}of2"))).collect();
    for d in &dirs {
        std::fs::create_dir_all(d).unwrap();
        for f in ["links.csv", "repos.csv"] {
            std::fs::copy(merged.join(f), d.join(f)).unwrap();
        }
    }
    w.hits.lock().unwrap().by_host.clear();
    for (k, d) in dirs.iter().enumerate() {
        let o = w.check(&w.cfg, d, Some(&format!("{}/2", k + 1)));
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    // Working links were reused; only failures were asked again.
    let requested: usize = w
        .hits
        .lock()
        .unwrap()
        .by_host
        .values()
        .flat_map(|m| m.values())
        .sum();
    let failing = links.lines().filter(|l| l.contains(",broken,")).count();
    assert!(
        requested > 0 && requested <= failing,
        "{requested} requests, {failing} broken rows"
    );

    assert_eq!(w.merge(&dirs, &merged).status.code(), Some(2));
    let mut r = csv::Reader::from_path(merged.join("links.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let (status, cached, first_failed) = (col("status"), col("cached"), col("first_failed_at"));
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert!(
        rows.iter()
            .any(|r| &r[status] == "ok" && &r[cached] == "true")
    );
    for row in rows.iter().filter(|r| &r[status] == "broken") {
        assert!(
            !row[first_failed].is_empty(),
            "first_failed_at carried: {row:?}"
        );
    }
    let summary = std::fs::read_to_string(merged.join("summary.md")).unwrap();
    assert!(
        summary.to_lowercase().contains("known"),
        "new/known against the previous merge"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merged_archive_answers_are_the_single_runs() {
    let w = build(true).await;
    let single = w.out("single");
    let o = w.check(&w.cfg, &single, None);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let asked_single = w.archive.as_ref().unwrap().calls();
    assert!(asked_single > 0, "the archives were asked");
    let links = std::fs::read_to_string(single.join("links.csv")).unwrap();
    assert!(links.contains("web.archive.org/web/20230505000000/https://h14.example/404/p2"));
    let mut r = csv::Reader::from_path(single.join("repos.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let (repo, copy) = (col("repo"), col("archived_copy"));
    let kept = r
        .records()
        .map(Result::unwrap)
        .find(|row| &row[repo] == "lab3/model3")
        .expect("lab3/model3 in repos.csv");
    assert!(!kept[copy].is_empty(), "Software Heritage copy: {kept:?}");

    let dirs = w.shards(3, "arch");
    let merged = w.out("merged-arch");
    let calls = w.archive.as_ref().unwrap().calls();
    let o = w.merge(&dirs, &merged);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        w.archive.as_ref().unwrap().calls(),
        calls,
        "merge asks no archive"
    );
    assert_same_reports(&single, &merged, "with archives");
    let summary = std::fs::read_to_string(merged.join("summary.md")).unwrap();
    assert!(
        summary.contains("h14.example/404/p2"),
        "archive section merged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shards_stay_quiet_in_actions_and_the_merge_annotates_once() {
    let w = world().await;
    let step = w.out("step-summary.md");
    let in_actions = |cmd: &mut assert_cmd::Command| {
        cmd.env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", &step);
    };
    let mut dirs = Vec::new();
    for k in 1..=2 {
        let out = w.out(&format!("gha-shard{k}of2"));
        let mut cmd = paperlinks();
        in_actions(&mut cmd);
        let o = cmd
            .env("GITHUB_TOKEN", "test-token")
            .args(["check", "--config"])
            .arg(&w.cfg)
            .arg("--output-dir")
            .arg(&out)
            .args(["--shard", &format!("{k}/2")])
            .arg(&w.input)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(
            !stdout.contains("::error"),
            "a shard prints no annotation: {stdout}"
        );
        assert!(!step.exists(), "a shard writes no job summary");
        let links = std::fs::read_to_string(out.join("links.csv")).unwrap();
        assert!(links.contains(&format!("checked by another shard than {k}/2")));
        dirs.push(out);
    }
    let mut cmd = paperlinks();
    in_actions(&mut cmd);
    let o = cmd
        .args(["merge", "--config"])
        .arg(&w.cfg)
        .arg("--output-dir")
        .arg(w.out("gha-merged"))
        .arg("--input")
        .arg(&w.input)
        .args(&dirs)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let errors = stdout.matches("::error").count();
    let merged = std::fs::read_to_string(w.out("gha-merged/links.csv")).unwrap();
    let broken = merged.lines().filter(|l| l.contains(",broken,")).count();
    assert!(
        errors >= broken && broken > 0,
        "{errors} annotations, {broken} broken rows"
    );
    assert!(
        !merged.contains("another shard"),
        "no placeholder survives the merge"
    );
    assert!(step.is_file(), "the merge writes the job summary");
}
