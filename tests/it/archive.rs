//! The archive stage end to end (the binary against a fake GitHub API, a
//! local web server and a stand-in for Software Heritage and the Wayback
//! Machine, all on 127.0.0.1): where each dead code link went, live links
//! never looked up, `--no-archive`, save-code-now, the lookup budget,
//! incremental reuse, hostile answers, the address guard and the token.

use crate::support;

use assert_cmd::Command;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::archive::{FakeArchive, Fault, Swh};
use support::fake_forges::FakeForge;
use support::fake_github::{FakeGithub, FakeRepo};
use support::web::{Reply, WebServer};

/// Guard against hangs (not a timing assertion).
const HANG_GUARD: Duration = Duration::from_secs(120);
const SWH_SECRET: &str = "swh_SENTINEL_do_not_leak_42";

struct World {
    github: FakeGithub,
    /// Every other forge's API: nothing known (404), so their
    /// repositories are missing.
    forge: FakeForge,
    archive: FakeArchive,
    web: WebServer,
    dir: tempfile::TempDir,
    input: PathBuf,
}

const PAPERS: &str = "# Kept paper\n\nCode: https://github.com/lab/kept\n\n\
# Paged paper\n\nCode: https://github.com/lab/paged\n\n\
# Vanished paper\n\nCode: https://github.com/lab/vanished\n\n\
# Alive paper\n\nCode: https://github.com/lab/alive and the page https://lab.example/gone\n";

impl World {
    /// Live: lab/alive. Dead: lab/kept (Software Heritage holds it),
    /// lab/paged (only the Wayback Machine), lab/vanished (Software
    /// Heritage knows the origin but has no snapshot; no Wayback copy), and
    /// the page lab.example/gone (404, no copy).
    async fn new(papers: &str, live: &[&str]) -> World {
        let github = FakeGithub::start(live.iter().map(|n| FakeRepo::new(n)).collect()).await;
        let archive = FakeArchive::start().await;
        archive.swh(
            "https://github.com/lab/kept",
            Swh::Holds("2024-03-01T10:00:00+00:00".into()),
        );
        archive.wayback("https://github.com/lab/paged", "20230505000000");
        archive.swh("https://github.com/lab/vanished", Swh::NoSnapshot);
        let web = WebServer::start(|_| Reply::status(404)).await;
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("papers.md");
        std::fs::write(&input, papers).unwrap();
        World {
            github,
            forge: FakeForge::start(Vec::new()).await,
            archive,
            web,
            dir,
            input,
        }
    }

    fn config(&self, name: &str, archive_extra: &str, allow_private: bool) -> PathBuf {
        let cfg = self.dir.path().join(format!("{name}.toml"));
        std::fs::write(
            &cfg,
            format!(
                r#"output_dir = "{out}"
[check]
allow_private = {allow_private}
timeout_secs = 5
retries = 0
remap = ['^https://lab\.example/(.*)$ {web}/$1', '^https://github\.com/([^/]+/[^/]+/tree/.*)$ {web}/$1']
[github]
api_url = "{gh}"
[forges]
gitlab_api = "{forge}"
codeberg_api = "{forge}"
huggingface_api = "{forge}"
gitee_api = "{forge}"
[archive]
swh_api_url = "{arch}"
wayback_api_url = "{arch}"
timeout_secs = 1
concurrency = 1
{archive_extra}
"#,
                out = self.dir.path().join(name).display(),
                web = self.web.url(""),
                gh = self.github.url(),
                forge = self.forge.url(),
                arch = self.archive.url(),
            ),
        )
        .unwrap();
        cfg
    }

    /// Runs `check` with reports in `dir/name`; (exit code, stdout, stderr).
    fn run(&self, name: &str, archive_extra: &str, args: &[&str]) -> (i32, String, String) {
        self.run_with(name, archive_extra, args, true, &[])
    }

    fn run_with(
        &self,
        name: &str,
        archive_extra: &str,
        args: &[&str],
        allow_private: bool,
        envs: &[(&str, &str)],
    ) -> (i32, String, String) {
        let cfg = self.config(name, archive_extra, allow_private);
        let mut cmd = Command::cargo_bin("paperlinks").unwrap();
        for var in [
            "GITHUB_TOKEN",
            "GH_TOKEN",
            "GITHUB_ACTIONS",
            "GITHUB_STEP_SUMMARY",
            "SWH_TOKEN",
        ] {
            cmd.env_remove(var);
        }
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.env("CI", "true").timeout(HANG_GUARD);
        cmd.env(paperlinks::check::guard::HERMETIC_ENV, "1");
        let out = cmd
            .args(["check", "--config"])
            .arg(&cfg)
            .args(args)
            .arg(&self.input)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn reports(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// A CSV report as header -> cell maps.
fn table(path: &Path) -> (Vec<String>, Vec<HashMap<String, String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_owned))
                .collect()
        })
        .collect();
    (header, rows)
}

fn row<'a>(
    rows: &'a [HashMap<String, String>],
    col: &str,
    value: &str,
) -> &'a HashMap<String, String> {
    rows.iter()
        .find(|r| r[col] == value)
        .unwrap_or_else(|| panic!("no row with {col} = {value}"))
}

fn browse(archive: &FakeArchive, origin: &str) -> String {
    let enc: String = url::form_urlencoded::byte_serialize(origin.as_bytes()).collect();
    format!("{}/browse/origin/?origin_url={enc}", archive.url())
}

#[tokio::test(flavor = "multi_thread")]
async fn dead_code_links_name_the_archived_copy_or_say_none_and_nothing_else_changes() {
    let w = World::new(PAPERS, &["lab/alive"]).await;
    let (code, stdout, _) = w.run("on", "", &[]);
    assert_eq!(code, 2, "broken links fail the run as before");
    let (header, links) = table(&w.reports("on").join("links.csv"));
    assert_eq!(
        &header[15..18],
        ["archived_copy", "archived_at", "archive_checked_at"]
    );
    let kept = row(&links, "url", "https://github.com/lab/kept");
    assert_eq!(kept["status"], "broken");
    assert_eq!(
        kept["archived_copy"],
        browse(&w.archive, "https://github.com/lab/kept")
    );
    assert_eq!(kept["archived_at"], "2024-03-01T10:00:00Z");
    assert!(!kept["archive_checked_at"].is_empty());
    let paged = row(&links, "url", "https://github.com/lab/paged");
    assert_eq!(
        paged["archived_copy"],
        "http://web.archive.org/web/20230505000000/https://github.com/lab/paged"
    );
    assert_eq!(paged["archived_at"], "2023-05-05T00:00:00Z");
    for url in [
        "https://github.com/lab/vanished",
        "https://lab.example/gone",
    ] {
        let r = row(&links, "url", url);
        assert_eq!(r["status"], "broken", "{url}");
        assert_eq!(
            (r["archived_copy"].as_str(), r["archived_at"].as_str()),
            ("", ""),
            "{url}"
        );
        assert!(!r["archive_checked_at"].is_empty(), "{url} was looked up");
    }
    let alive = row(&links, "url", "https://github.com/lab/alive");
    assert_eq!(alive["status"], "ok");
    assert_eq!(alive["archive_checked_at"], "");
    assert_eq!(
        w.archive.asked_about("lab/alive"),
        0,
        "no lookup for a live link"
    );
    assert!(w.archive.saves().is_empty(), "save_live is off by default");
    // kept: origin + visit; paged: both spellings 404, the origin search
    // (no match) and the availability API; vanished: origin + visit 404,
    // then availability `{}` + CDX `[]`; the page: availability + CDX.
    assert_eq!(w.archive.calls(), 12);

    let (_, repos) = table(&w.reports("on").join("repos.csv"));
    assert_eq!(
        row(&repos, "repo", "lab/kept")["archived_copy"],
        browse(&w.archive, "https://github.com/lab/kept")
    );
    assert_eq!(row(&repos, "repo", "lab/alive")["archived_copy"], "");
    let (_, papers) = table(&w.reports("on").join("papers.csv"));
    let word = |p: &str| row(&papers, "paper", p)["code_recoverable"].clone();
    assert_eq!(word("Kept paper"), "archived");
    assert_eq!(word("Paged paper"), "archived");
    assert_eq!(word("Vanished paper"), "lost");
    assert_eq!(word("Alive paper"), "");

    let summary = std::fs::read_to_string(w.reports("on").join("summary.md")).unwrap();
    for words in [
        format!(
            "code gone; Software Heritage holds a copy from 2024-03-01: {}",
            browse(&w.archive, "https://github.com/lab/kept")
        ),
        "code gone; the Wayback Machine holds a copy from 2023-05-05: http://web.archive.org/web/20230505000000/https://github.com/lab/paged".to_string(),
        "- https://github.com/lab/vanished: code gone; no archived copy found".to_string(),
        "- https://lab.example/gone: page gone; no archived copy found".to_string(),
        "Archive calls (Software Heritage and the Wayback Machine): 12.".to_string(),
    ] {
        assert!(summary.contains(&words), "summary.md lacks {words:?}:\n{summary}");
    }
    assert!(
        stdout.contains("2 with an archived copy, 2 without"),
        "{stdout}"
    );

    // The same run without the archives: same statuses and exit code, and
    // every earlier column the same but the timing ones.
    let (code_off, _, _) = w.run("off", "", &["--no-archive"]);
    assert_eq!(code_off, code);
    let (header_off, links_off) = table(&w.reports("off").join("links.csv"));
    assert_eq!(header_off, header);
    for (a, b) in links.iter().zip(&links_off) {
        for col in &header[..15] {
            if !["elapsed_ms", "checked_at", "first_failed_at"].contains(&col.as_str()) {
                assert_eq!(a[col], b[col], "column {col}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_archive_flag_and_enabled_false_make_no_call() {
    let w = World::new(PAPERS, &["lab/alive"]).await;
    let (code, _, _) = w.run("flag", "", &["--no-archive"]);
    assert_eq!(code, 2);
    let (code, _, _) = w.run("cfg", "enabled = false\nsave_live = true", &[]);
    assert_eq!(code, 2);
    assert_eq!(w.archive.calls(), 0);
    for name in ["flag", "cfg"] {
        let (_, links) = table(&w.reports(name).join("links.csv"));
        assert!(links.iter().all(|r| r["archive_checked_at"].is_empty()));
        let summary = std::fs::read_to_string(w.reports(name).join("summary.md")).unwrap();
        assert!(summary.contains("Archive lookups were off"), "{summary}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn save_live_submits_live_repositories_swh_lacks_or_holds_too_old() {
    let papers = "# A\n\nhttps://github.com/lab/alive\n\n# B\n\nhttps://github.com/lab/fresh\n\n\
# C\n\nhttps://github.com/lab/old\n\n# D\n\nhttps://github.com/lab/kept\n";
    let w = World::new(papers, &["lab/alive", "lab/fresh", "lab/old"]).await;
    let recent = (chrono::Utc::now() - chrono::Duration::days(10)).to_rfc3339();
    w.archive
        .swh("https://github.com/lab/fresh", Swh::Holds(recent));
    w.archive.swh(
        "https://github.com/lab/old",
        Swh::Holds("2020-01-01T00:00:00+00:00".into()),
    );
    let (code, _, _) = w.run("off", "", &[]);
    assert_eq!(code, 2);
    assert!(w.archive.saves().is_empty());
    assert_eq!(w.archive.asked_about("lab/alive"), 0);

    let (code_on, _, _) = w.run("on", "save_live = true", &[]);
    assert_eq!(code_on, code, "saving changes no exit code");
    assert_eq!(
        w.archive.saves(),
        ["https://github.com/lab/alive", "https://github.com/lab/old"]
    );
    let summary = std::fs::read_to_string(w.reports("on").join("summary.md")).unwrap();
    assert!(
        summary.contains("- https://github.com/lab/alive: accepted (not yet scheduled)"),
        "{summary}"
    );
    let (_, links) = table(&w.reports("on").join("links.csv"));
    assert_eq!(
        row(&links, "url", "https://github.com/lab/alive")["archived_copy"],
        ""
    );

    let before = w.archive.saves().len();
    w.run("capped", "save_live = true\nmax_saves = 1", &[]);
    assert_eq!(
        w.archive.saves().len() - before,
        1,
        "max_saves bounds the requests"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn lookup_budget_runs_out_and_the_rest_is_left_empty_with_a_note() {
    let w = World::new(PAPERS, &["lab/alive"]).await;
    let (code, _, _) = w.run("budget", "max_lookups = 2", &[]);
    assert_eq!(code, 2);
    let (_, links) = table(&w.reports("budget").join("links.csv"));
    let looked: Vec<&str> = links
        .iter()
        .filter(|r| !r["archive_checked_at"].is_empty())
        .map(|r| r["url"].as_str())
        .collect();
    assert_eq!(
        looked,
        [
            "https://github.com/lab/kept",
            "https://github.com/lab/paged"
        ]
    );
    assert_eq!(w.archive.asked_about("lab/vanished"), 0);
    assert_eq!(w.archive.asked_about("lab.example"), 0);
    let summary = std::fs::read_to_string(w.reports("budget").join("summary.md")).unwrap();
    assert!(
        summary.contains("max\\_lookups = 2) spent: 2 targets not looked up"),
        "{summary}"
    );
    let (_, papers) = table(&w.reports("budget").join("papers.csv"));
    assert_eq!(
        row(&papers, "paper", "Vanished paper")["code_recoverable"],
        ""
    );
}

/// Sets `archive_checked_at` of the rows of links.csv whose url is a key
/// of `when`, so the test decides which answers are the stalest.
fn set_archive_checked_at(path: &Path, when: &[(&str, &str)]) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().clone();
    let url = header.iter().position(|h| h == "url").unwrap();
    let at = header
        .iter()
        .position(|h| h == "archive_checked_at")
        .unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(&header).unwrap();
    for rec in rows {
        let mut cells: Vec<String> = rec.iter().map(str::to_owned).collect();
        if let Some((_, t)) = when.iter().find(|(u, _)| *u == cells[url]) {
            cells[at] = (*t).to_string();
        }
        w.write_record(&cells).unwrap();
    }
    w.flush().unwrap();
}

/// Issue 27 item 5 for the archives: with `max_lookups` below the number of
/// dead targets, successive runs look up the never looked up first, then
/// the stalest, and a target left unasked keeps its last answer (its copy
/// and its `archive_checked_at`), never empty cells.
#[tokio::test(flavor = "multi_thread")]
async fn lookups_under_a_budget_converge_over_runs_and_keep_known_copies() {
    let w = World::new(PAPERS, &["lab/alive"]).await;
    // Nothing is young enough to reuse: every run has all four targets to ask.
    let extra = "max_lookups = 2\ncache_max_age = \"0s\"\nno_copy_max_age = \"0s\"";
    let names = ["lab/kept", "lab/paged", "lab/vanished", "lab.example/gone"];
    let asked = || names.map(|n| w.archive.asked_about(n));
    let links_csv = w.reports("conv").join("links.csv");
    let note = || std::fs::read_to_string(w.reports("conv").join("summary.md")).unwrap();
    let cells = |url: &str| {
        let (_, links) = table(&links_csv);
        let r = row(&links, "url", url);
        (r["archived_copy"].clone(), r["archive_checked_at"].clone())
    };
    let (kept, paged) = (
        "https://github.com/lab/kept",
        "https://github.com/lab/paged",
    );
    let (vanished, gone) = (
        "https://github.com/lab/vanished",
        "https://lab.example/gone",
    );

    // Run 1: nothing known, the first two in input order.
    let before = asked();
    w.run("conv", extra, &[]);
    let after = asked();
    let new: Vec<bool> = (0..4).map(|i| after[i] > before[i]).collect();
    assert_eq!(new, [true, true, false, false], "{before:?} -> {after:?}");
    let summary = note();
    assert!(
        summary.contains("2 targets not looked up this run; 2 looked up, 0 kept from earlier runs, 2 never looked up; the next run continues"),
        "{summary}"
    );
    let kept_copy = cells(kept);
    assert!(
        !kept_copy.0.is_empty() && !kept_copy.1.is_empty(),
        "{kept_copy:?}"
    );
    let paged_copy = cells(paged);
    assert!(!paged_copy.0.is_empty(), "{paged_copy:?}");

    // Run 2: the never looked up first; the two known keep their copies.
    let before = asked();
    w.run("conv", extra, &[]);
    let after = asked();
    let new: Vec<bool> = (0..4).map(|i| after[i] > before[i]).collect();
    assert_eq!(new, [false, false, true, true], "{before:?} -> {after:?}");
    assert_eq!(
        cells(kept),
        kept_copy,
        "a copy known from run 1 stays, with its time"
    );
    assert_eq!(cells(paged), paged_copy);
    assert!(
        !cells(vanished).1.is_empty(),
        "looked up now: no copy, with the time"
    );
    let summary = note();
    assert!(
        summary.contains("2 looked up, 2 kept from earlier runs (oldest from "),
        "{summary}"
    );
    assert!(summary.contains(", 0 never looked up;"), "{summary}");

    // Run 3: every target known; the two stalest are asked, whatever the
    // input order.
    set_archive_checked_at(
        &links_csv,
        &[
            (vanished, "2020-01-01T00:00:00Z"),
            (kept, "2023-01-01T00:00:00Z"),
            (gone, "2021-01-01T00:00:00Z"),
            (paged, "2022-01-01T00:00:00Z"),
        ],
    );
    let before = asked();
    w.run("conv", extra, &[]);
    let after = asked();
    let new: Vec<bool> = (0..4).map(|i| after[i] > before[i]).collect();
    assert_eq!(new, [false, false, true, true], "{before:?} -> {after:?}");
    assert_eq!(
        cells(kept),
        (kept_copy.0.clone(), "2023-01-01T00:00:00Z".into())
    );
    assert_eq!(cells(paged).0, paged_copy.0);
    assert!(note().contains("(oldest from 2022-01-01)"), "{}", note());
    let (_, papers) = table(&w.reports("conv").join("papers.csv"));
    assert_eq!(
        row(&papers, "paper", "Kept paper")["code_recoverable"],
        "archived"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_incremental_run_asks_nothing_again() {
    let w = World::new(PAPERS, &["lab/alive"]).await;
    w.run("inc", "", &[]);
    let calls = w.archive.calls();
    assert_eq!(calls, 12);
    let (_, first) = table(&w.reports("inc").join("links.csv"));
    let (code, _, _) = w.run("inc", "", &[]);
    assert_eq!(code, 2);
    assert_eq!(w.archive.calls(), calls, "fresh answers are reused");
    let (_, second) = table(&w.reports("inc").join("links.csv"));
    for (a, b) in first.iter().zip(&second) {
        for col in ["archived_copy", "archived_at", "archive_checked_at"] {
            assert_eq!(a[col], b[col], "{col} of {}", a["url"]);
        }
    }
    let summary = std::fs::read_to_string(w.reports("inc").join("summary.md")).unwrap();
    assert!(
        summary.contains("code gone; no archived copy found"),
        "{summary}"
    );
    // A "no copy" answer is asked again once older than no_copy_max_age.
    w.run("inc", "no_copy_max_age = \"0\"", &[]);
    assert_eq!(
        w.archive.calls(),
        calls + 6,
        "vanished (4) and the page (2) again"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limits_malformed_and_slow_answers_are_unknown_never_a_hang() {
    let papers = "# Kept paper\n\nCode: https://github.com/lab/kept\n";
    let w = World::new(papers, &[]).await;
    // A 429 with a short Retry-After is waited out: the copy is found.
    w.archive.push_fault(Fault::TooMany(0));
    let (code, _, _) = w.run("retry", "", &[]);
    assert_eq!(code, 2);
    let (_, links) = table(&w.reports("retry").join("links.csv"));
    assert_eq!(links[0]["archived_at"], "2024-03-01T10:00:00Z");
    assert_eq!(w.archive.calls(), 3);

    for (name, fault, why) in [
        (
            "long429",
            Fault::TooMany(3600),
            "HTTP 429, Retry-After 3600 s",
        ),
        (
            "garbage",
            Fault::Malformed,
            "malformed Software Heritage origin answer",
        ),
        ("slow", Fault::Slow, "within 1 s"),
    ] {
        w.archive.push_fault(fault);
        let (code, _, _) = w.run(name, "", &[]);
        assert_eq!(code, 2, "{name}: exit code as before");
        let (_, links) = table(&w.reports(name).join("links.csv"));
        assert_eq!(links[0]["status"], "broken");
        assert_eq!(
            links[0]["archive_checked_at"], "",
            "{name}: unknown, asked again next run"
        );
        let summary = std::fs::read_to_string(w.reports(name).join("summary.md")).unwrap();
        assert!(
            summary.contains("archives could not answer for 1 dead links"),
            "{summary}"
        );
        assert!(summary.contains(why), "{name}: {summary}");
        let (_, papers) = table(&w.reports(name).join("papers.csv"));
        assert_eq!(papers[0]["code_recoverable"], "", "{name}: not called lost");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_address_guard_applies_and_the_token_goes_only_to_software_heritage() {
    let papers = "# Kept paper\n\nCode: https://github.com/lab/kept\n\n# Paged paper\n\nhttps://github.com/lab/paged\n";
    let w = World::new(papers, &[]).await;
    let (code, _, _) = w.run_with("guarded", "", &[], false, &[]);
    assert_eq!(code, 2);
    assert_eq!(
        w.archive.calls(),
        0,
        "a private archive address is never requested"
    );
    let summary = std::fs::read_to_string(w.reports("guarded").join("summary.md")).unwrap();
    assert!(summary.contains("private address"), "{summary}");

    let (_, stdout, stderr) = w.run_with("token", "", &[], true, &[("SWH_TOKEN", SWH_SECRET)]);
    let log = w.archive.log();
    assert!(!log.is_empty());
    for (_, target, auth) in &log {
        if target.starts_with("/api/1/") {
            assert_eq!(
                auth.as_deref(),
                Some(format!("Bearer {SWH_SECRET}").as_str())
            );
        } else {
            assert_eq!(auth, &None, "the token never goes to the Wayback Machine");
        }
    }
    let mut all = stdout + &stderr;
    for entry in std::fs::read_dir(w.reports("token")).unwrap() {
        all.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default());
    }
    assert!(!all.contains(SWH_SECRET));
}

#[tokio::test(flavor = "multi_thread")]
async fn annotations_say_where_the_code_went() {
    let w = World::new(PAPERS, &["lab/alive"]).await;
    let (code, stdout, _) = w.run_with("ci", "", &[], true, &[("GITHUB_ACTIONS", "true")]);
    assert_eq!(code, 2);
    let line = |url: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with("::error") && l.contains(&format!("broken (HTTP 404): {url}")))
            .unwrap_or_else(|| panic!("no annotation for {url}:\n{stdout}"))
            .to_string()
    };
    assert!(
        line("https://github.com/lab/vanished").ends_with("%0Acode gone; no archived copy found"),
        "{stdout}"
    );
    assert!(
        line("https://github.com/lab/kept")
            .contains("%0Acode gone; Software Heritage holds a copy from 2024-03-01: "),
        "{stdout}"
    );
}

fn summary(w: &World, name: &str) -> String {
    std::fs::read_to_string(w.reports(name).join("summary.md")).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn software_heritage_is_asked_the_spellings_its_listers_store() {
    let papers = "# GitLab paper\n\nCode: https://gitlab.com/g/gone\n\n\
# Codeberg paper\n\nCode: https://codeberg.org/u/gone\n\n\
# Cased paper\n\nCode: https://github.com/Lab/Cased\n\n\
# Similar paper\n\nCode: https://github.com/lab/similar\n";
    let w = World::new(papers, &[]).await;
    // As the listers store them: GitLab's `http_url_to_repo` and Gitea's
    // `clone_url` end in `.git`; GitHub's `html_url` has GitHub's own case.
    let held = || Swh::Holds("2023-01-02T00:00:00+00:00".into());
    w.archive.swh("https://gitlab.com/g/gone.git", held());
    w.archive.swh("https://codeberg.org/u/gone.git", held());
    w.archive.swh("https://github.com/lab/cased", held());
    w.archive.swh("https://github.com/lab/similar-fork", held());
    let (code, _, _) = w.run("spell", "", &[]);
    assert_eq!(code, 2);
    let (_, links) = table(&w.reports("spell").join("links.csv"));
    let copy = |url: &str| row(&links, "url", url)["archived_copy"].clone();
    assert_eq!(
        copy("https://gitlab.com/g/gone"),
        browse(&w.archive, "https://gitlab.com/g/gone.git")
    );
    assert_eq!(
        copy("https://codeberg.org/u/gone"),
        browse(&w.archive, "https://codeberg.org/u/gone.git")
    );
    assert_eq!(
        copy("https://github.com/Lab/Cased"),
        browse(&w.archive, "https://github.com/lab/cased"),
        "found by the origin search, equal up to ASCII case"
    );
    assert_eq!(
        copy("https://github.com/lab/similar"),
        "",
        "a search hit that only contains the name is not the link's"
    );
    // The `.git` spelling is asked first on GitLab and Codeberg: one origin
    // call and one visit call each.
    assert_eq!(w.archive.asked_about("gitlab.com/g/gone"), 2);
    assert_eq!(w.archive.asked_about("codeberg.org/u/gone"), 2);
    let cased = w.archive.log();
    let cased: Vec<&str> = cased
        .iter()
        .map(|(_, t, _)| t.as_str())
        .filter(|t| t.to_lowercase().contains("lab/cased"))
        .collect();
    assert_eq!(
        cased,
        [
            "/api/1/origin/https://github.com/Lab/Cased/get/",
            "/api/1/origin/https://github.com/Lab/Cased.git/get/",
            "/api/1/origin/search/github.com/Lab/Cased/?limit=100&with_visit=true",
            "/api/1/origin/https://github.com/lab/cased/visit/latest/?require_snapshot=true",
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn software_heritage_rate_limit_headers_are_honoured() {
    let papers =
        "# A\n\nCode: https://github.com/lab/kept\n\n# B\n\nCode: https://github.com/lab/other\n";
    let w = World::new(papers, &[]).await;
    w.archive.swh(
        "https://github.com/lab/other",
        Swh::Holds("2022-02-02T00:00:00+00:00".into()),
    );
    // Two requests allowed for an hour: kept's origin and visit spend them.
    w.archive.rate_limit(2, 0, Duration::from_secs(3600));
    let (code, _, _) = w.run("spent", "", &[]);
    assert_eq!(code, 2);
    assert_eq!(
        w.archive.calls_to("/api/1/"),
        2,
        "nothing is asked past X-RateLimit-Remaining: 0"
    );
    let (_, links) = table(&w.reports("spent").join("links.csv"));
    assert_eq!(
        row(&links, "url", "https://github.com/lab/kept")["archived_at"],
        "2024-03-01T10:00:00Z"
    );
    assert_eq!(
        row(&links, "url", "https://github.com/lab/other")["archive_checked_at"],
        "",
        "unknown: asked again next run"
    );
    let text = summary(&w, "spent");
    assert!(
        text.contains("Software Heritage rate limit spent (X-RateLimit-Remaining 0"),
        "{text}"
    );
    assert!(text.contains("SWH\\_TOKEN raises it to 1200"), "{text}");

    // A limit already spent answers 429 with Retry-After: one request, then
    // the lane stops; with a token the note does not ask for one.
    w.archive.rate_limit(2, 2, Duration::from_secs(3600));
    let before = w.archive.calls_to("/api/1/");
    w.run_with("throttled", "", &[], true, &[("SWH_TOKEN", SWH_SECRET)]);
    assert_eq!(w.archive.calls_to("/api/1/") - before, 1);
    let text = summary(&w, "throttled");
    assert!(
        text.contains("rate limited by Software Heritage (HTTP 429"),
        "{text}"
    );
    assert!(!text.contains("SWH\\_TOKEN raises"), "{text}");

    // A reset within max_wait_secs is waited for, and asking goes on.
    w.archive.rate_limit(2, 0, Duration::from_secs(2));
    let (code, _, _) = w.run("waited", "max_wait_secs = 30", &[]);
    assert_eq!(code, 2);
    let (_, links) = table(&w.reports("waited").join("links.csv"));
    assert_eq!(
        row(&links, "url", "https://github.com/lab/other")["archived_at"],
        "2022-02-02T00:00:00Z"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_or_non_2xx_availability_answer_is_followed_by_the_cdx_server() {
    let papers = "# A\n\nProject: https://lab.example/https-page\n\n\
# B\n\nProject: https://lab.example/was-404\n\n# C\n\nProject: https://lab.example/only-404\n";
    let w = World::new(papers, &[]).await;
    // Issue #296: `{"archived_snapshots":{}}` though the CDX server lists it.
    w.archive
        .cdx("https://lab.example/https-page", "20220303030303", "200");
    w.archive
        .wayback_closest("https://lab.example/was-404", "20230101000000", "404");
    w.archive
        .cdx("https://lab.example/was-404", "20200101000000", "200");
    w.archive
        .cdx("https://lab.example/was-404", "20230101000000", "404");
    w.archive
        .cdx("https://lab.example/only-404", "20230101000000", "404");
    let (code, _, _) = w.run("cdx", "", &[]);
    assert_eq!(code, 2);
    let (_, links) = table(&w.reports("cdx").join("links.csv"));
    let https = row(&links, "url", "https://lab.example/https-page");
    assert_eq!(
        https["archived_copy"],
        format!(
            "{}/web/20220303030303/https://lab.example/https-page",
            w.archive.url()
        )
    );
    assert_eq!(https["archived_at"], "2022-03-03T03:03:03Z");
    let was = row(&links, "url", "https://lab.example/was-404");
    assert_eq!(
        was["archived_at"], "2020-01-01T00:00:00Z",
        "the latest 2xx capture"
    );
    let only = row(&links, "url", "https://lab.example/only-404");
    assert_eq!(only["archived_copy"], "");
    assert!(!only["archive_checked_at"].is_empty(), "no copy: known");
    assert_eq!(w.archive.calls_to("/cdx/search/cdx"), 3);
    assert!(
        w.archive
            .log()
            .iter()
            .any(|(_, t, _)| t == "/cdx/search/cdx?url=https://lab.example/https-page&output=json&filter=statuscode:2..&limit=-1&gzip=false"),
        "{:?}",
        w.archive.log()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn copies_off_the_archives_own_hosts_are_dropped_with_a_note() {
    let papers = "# A\n\nProject: https://lab.example/gone\n";
    let w = World::new(papers, &[]).await;
    for (name, copy, shape) in [
        ("js", "javascript:alert(1)", "javascript:"),
        ("data", "data:text/html,hi", "data:"),
        ("private", "http://10.0.0.1/web/1/x", "http:10.0.0.1"),
        (
            "foreign",
            "https://evil.example/web/1/x",
            "https:evil.example",
        ),
    ] {
        w.archive.push_fault(Fault::Copy(copy.into()));
        let (code, stdout, stderr) = w.run(name, "", &[]);
        assert_eq!(code, 2);
        let (_, links) = table(&w.reports(name).join("links.csv"));
        assert_eq!(links[0]["archived_copy"], "", "{name}");
        assert_eq!(links[0]["archive_checked_at"], "", "{name}: asked again");
        let text = summary(&w, name);
        assert!(
            text.contains("1 archived-copy URLs were dropped"),
            "{name}: {text}"
        );
        assert!(text.contains(shape), "{name}: {text}");
        let all = format!("{stdout}{stderr}{text}");
        assert!(!all.contains(copy), "{name}: the copy is never written");
    }

    // A copy read back from a hand-edited links.csv is not reused either.
    w.archive
        .wayback("https://lab.example/gone", "20240101000000");
    w.run("edited", "", &[]);
    let path = w.reports("edited").join("links.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let good = "http://web.archive.org/web/20240101000000/https://lab.example/gone";
    assert!(text.contains(good));
    std::fs::write(&path, text.replace(good, "javascript:alert(1)")).unwrap();
    let before = w.archive.calls();
    w.run("edited", "", &[]);
    assert!(w.archive.calls() > before, "looked up again");
    let (_, links) = table(&path);
    assert_eq!(links[0]["archived_copy"], good);
    assert!(summary(&w, "edited").contains("1 archived-copy URLs were dropped"));
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_answers_and_a_silent_archive_are_given_up() {
    let papers = "# A\n\nCode: https://github.com/lab/a\n\n# B\n\nCode: https://github.com/lab/b\n\n\
# C\n\nCode: https://github.com/lab/c\n\n# D\n\nCode: https://github.com/lab/d\n";
    let w = World::new(papers, &[]).await;
    w.archive.push_fault(Fault::Huge(2 << 20));
    w.run("huge", "max_lookups = 1", &[]);
    let text = summary(&w, "huge");
    assert!(text.contains("answer larger than 1.0 MiB"), "{text}");

    let before = w.archive.calls();
    for _ in 0..6 {
        w.archive.push_fault(Fault::Slow);
    }
    let started = std::time::Instant::now();
    let (code, _, _) = w.run("silent", "", &[]);
    assert_eq!(code, 2);
    // a, b, c: one silent call to each service; then both are given up and
    // d costs nothing.
    assert_eq!(w.archive.calls() - before, 6);
    assert!(started.elapsed() < Duration::from_secs(60));
    let text = summary(&w, "silent");
    for service in ["Software Heritage", "the Wayback Machine"] {
        assert!(
            text.contains(&format!("{service} gave no answer to 3 calls in a row")),
            "{text}"
        );
    }
    let (_, links) = table(&w.reports("silent").join("links.csv"));
    assert!(links.iter().all(|r| r["archive_checked_at"].is_empty()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_renamed_repository_is_asked_under_its_canonical_name_first() {
    let papers = "# Moved paper\n\nCode: https://github.com/lab/old/tree/main/gone\n";
    let github = FakeGithub::start(vec![FakeRepo::new("lab/New").renamed_from("lab/old")]).await;
    let mut w = World::new(papers, &[]).await;
    w.github = github;
    // GitHub's lister stores the canonical `html_url`.
    w.archive.swh(
        "https://github.com/lab/New",
        Swh::Holds("2021-06-07T00:00:00+00:00".into()),
    );
    let (_, _, stderr) = w.run("moved", "", &[]);
    let (_, links) = table(&w.reports("moved").join("links.csv"));
    let r = row(&links, "url", "https://github.com/lab/old/tree/main/gone");
    assert_eq!(r["status"], "broken", "{stderr}");
    assert_eq!(
        r["archived_copy"],
        browse(&w.archive, "https://github.com/lab/New")
    );
    let asked: Vec<String> = w.archive.log().into_iter().map(|(_, t, _)| t).collect();
    assert_eq!(
        asked,
        [
            "/api/1/origin/https://github.com/lab/New/get/",
            "/api/1/origin/https://github.com/lab/New/visit/latest/?require_snapshot=true",
        ],
        "the canonical spelling first, no search"
    );
}
