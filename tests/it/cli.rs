//! End-to-end tests of the `paperlinks` binary against servers on 127.0.0.1:
//! the sample file through remap, exit codes, incremental runs, CI
//! annotations, terminal formats and interruption.

use crate::support;

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use support::cmd::paperlinks;
use support::fake_github::{FakeGithub, FakeRepo};
use support::web::{Reply, WebServer};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// `paperlinks check --config CFG`, ready for inputs and more flags.
fn check_with(cfg: &Path) -> Command {
    let mut cmd = paperlinks();
    cmd.args(["check", "--config"]).arg(cfg);
    cmd
}

/// A config that sends every link to `server` (remap keeps host and path:
/// `https://github.com/a/b` -> `http://127.0.0.1:PORT/github.com/a/b`).
fn config_for(dir: &Path, server: &str, extra: &str) -> std::path::PathBuf {
    let remap = format!(r#"remap = ["^(?i)https?://(.*)$ {server}/$1"]"#);
    write_config(dir, &format!("{remap}\n{extra}"))
}

/// A config for links that point at local servers directly (no remap).
fn direct_config(dir: &Path) -> std::path::PathBuf {
    write_config(dir, "")
}

fn write_config(dir: &Path, check_extra: &str) -> std::path::PathBuf {
    let cfg = dir.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            r#"output_dir = "{out}"
[check]
allow_private = true
timeout_secs = 5
retries = 0
{check_extra}
[github]
enabled = false
[archive]
enabled = false
[forges]
enabled = false
"#,
            out = dir.join("reports").display(),
        ),
    )
    .unwrap();
    cfg
}

/// Moves `checked_at` (column 11) and `first_failed_at` (column 13) of
/// every row of reports/links.csv `by` into the past: an injected clock for
/// the run that wrote it.
fn age_links_report(dir: &Path, by: chrono::Duration) {
    let path = dir.join("reports/links.csv");
    let mut r = csv::Reader::from_path(&path).unwrap();
    let headers = r.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(&headers).unwrap();
    let shift = |v: &str| match chrono::DateTime::parse_from_rfc3339(v) {
        Ok(t) => (t - by)
            .to_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        Err(_) => v.to_string(),
    };
    for row in rows {
        let fields: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if i == 11 || i == 13 {
                    shift(v)
                } else {
                    v.to_string()
                }
            })
            .collect();
        w.write_record(&fields).unwrap();
    }
    w.flush().unwrap();
}

fn read_links(dir: &Path) -> Vec<csv::StringRecord> {
    let mut r = csv::Reader::from_path(dir.join("reports/links.csv")).unwrap();
    let headers = r.headers().unwrap().clone();
    assert_eq!(
        &headers.iter().take(12).collect::<Vec<_>>(),
        &[
            "source",
            "line",
            "column",
            "paper",
            "url",
            "repo",
            "status",
            "http_status",
            "final_url",
            "error",
            "elapsed_ms",
            "checked_at"
        ]
    );
    r.records().map(|r| r.unwrap()).collect()
}

fn status_of<'a>(rows: &'a [csv::StringRecord], url: &str) -> &'a str {
    rows.iter()
        .find(|r| &r[4] == url)
        .unwrap_or_else(|| panic!("{url} not in links.csv"))
        .get(6)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn sample_file_through_remap_gives_the_right_status_for_each_link() {
    let server = MockServer::start().await;
    Mock::given(path("/github.com/openai/gpt-3"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    Mock::given(path("/openai.com/research/clip"))
        .respond_with(ResponseTemplate::new(403))
        .mount(&server)
        .await;
    Mock::given(path("/www.matthewtancik.com/nerf"))
        .respond_with(
            ResponseTemplate::new(301)
                .insert_header("location", format!("{}/moved/nerf", server.uri())),
        )
        .mount(&server)
        .await;
    Mock::given(path_regex("^/.*$"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config_for(dir.path(), &server.uri(), "");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/abstracts.txt");
    check_with(&cfg).arg(&sample).assert().code(2);
    let rows = read_links(dir.path());
    assert!(rows.len() >= 40, "only {} rows", rows.len());
    assert_eq!(
        status_of(&rows, "https://github.com/openai/gpt-3"),
        "broken"
    );
    assert_eq!(
        status_of(&rows, "https://openai.com/research/clip"),
        "blocked"
    );
    assert_eq!(
        status_of(&rows, "https://www.matthewtancik.com/nerf"),
        "redirected"
    );
    assert_eq!(status_of(&rows, "https://github.com/openai/CLIP"), "ok");
    // Messy forms extracted exactly.
    assert_eq!(
        status_of(&rows, "https://github.com/hojonathanho/diffusion"),
        "ok"
    );
    assert_eq!(
        status_of(&rows, "https://github.com/CompVis/latent-diffusion.git"),
        "ok"
    );
    assert_eq!(
        status_of(
            &rows,
            "https://en.wikipedia.org/wiki/You_Only_Look_Once_(YOLO)"
        ),
        "ok"
    );
    assert_eq!(
        status_of(&rows, "https://huggingface.co./openai/whisper-large-v3"),
        "ok"
    );
    // Rows are in input order, with the paper title.
    let lines: Vec<u64> = rows.iter().map(|r| r[1].parse().unwrap()).collect();
    assert!(
        lines.windows(2).all(|w| w[0] <= w[1]),
        "rows not in input order"
    );
    let clip = rows
        .iter()
        .find(|r| &r[4] == "https://github.com/openai/CLIP")
        .unwrap();
    assert_eq!(
        &clip[3],
        "Learning Transferable Visual Models From Natural Language Supervision"
    );
    assert_eq!(&clip[5], "openai/CLIP");
    // Each unique URL was requested once, with GET (the default method).
    let requests = server.received_requests().await.unwrap();
    let mut seen = std::collections::HashSet::new();
    for r in &requests {
        assert_eq!(r.method, wiremock::http::Method::GET, "{}", r.url);
        assert!(
            seen.insert(r.url.path().to_string()),
            "{} requested twice",
            r.url
        );
    }
}

#[test]
fn usage_and_config_errors_exit_3_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    paperlinks()
        .args(["check", "no/such/file.txt"])
        .assert()
        .code(3)
        .stderr(predicates::str::contains("no/such/file.txt"));

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[check]\nmax_concurency = 3\n").unwrap();
    check_with(&bad)
        .assert()
        .code(3)
        .stderr(predicates::str::contains("max_concurency"))
        .stderr(predicates::str::contains("bad.toml"));

    std::fs::write(&bad, "[check]\nexclude = [\"(unclosed\"]\n").unwrap();
    check_with(&bad)
        .assert()
        .code(3)
        .stderr(predicates::str::contains("exclude"));

    std::fs::write(&bad, "[ci]\nfail_on = [\"borked\"]\n").unwrap();
    check_with(&bad)
        .assert()
        .code(3)
        .stderr(predicates::str::contains("borked"));

    paperlinks()
        .args(["check", "--no-such-flag"])
        .assert()
        .code(3);
}

#[test]
fn unreachable_network_exits_4_and_still_writes_the_report() {
    // A port nothing listens on: every request is refused.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let cfg = config_for(dir.path(), &format!("http://127.0.0.1:{port}"), "");
    let input = dir.path().join("in.txt");
    std::fs::write(
        &input,
        "Title\n\nCode at https://example.org/a and https://example.net/b.\n",
    )
    .unwrap();
    check_with(&cfg).arg(&input).assert().code(4).stdout(
        predicates::str::contains("unreachable")
            .or(predicates::str::contains("Unreachable"))
            .or(predicates::str::contains("network")),
    );
    let rows = read_links(dir.path());
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| &r[6] == "network_error"));
}

#[tokio::test(flavor = "multi_thread")]
async fn clean_run_exits_0_and_extract_prints_links_offline() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config_for(dir.path(), &server.uri(), "");
    let input = dir.path().join("in.md");
    std::fs::write(
        &input,
        "# Paper A\n\nCode: [repo](https://github.com/a/b) and <https://a.github.io/x>.\n",
    )
    .unwrap();
    check_with(&cfg).arg(&input).assert().code(0);
    let out = paperlinks()
        .args(["extract"])
        .arg(&input)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("source,line,column,paper,url,repo,section,role")
    );
    let rest: Vec<_> = lines.collect();
    assert_eq!(rest.len(), 2, "{text}");
    assert!(
        rest[0].ends_with(",Paper A,https://github.com/a/b,a/b,,code"),
        "{text}"
    );
    assert!(
        rest[1].ends_with(",Paper A,https://a.github.io/x,,,project"),
        "{text}"
    );
}

/// Writes abstracts in the text format: one paper per (title, text).
fn write_abstracts(path: &Path, papers: &[(String, String)]) {
    let mut text = String::from("New\n\nSubscribe\n\nDaily Papers\n\n");
    for (title, body) in papers {
        // Abstracts are prose: a sentence of context before the links.
        text.push_str(&format!(
            "{title}\n\nWe study the problem at length and report results on several tasks. {body}\n\n"
        ));
    }
    std::fs::write(path, text).unwrap();
}

fn all_report_text(dir: &Path) -> String {
    let mut all = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            all.push_str(&String::from_utf8_lossy(&std::fs::read(&p).unwrap()));
        }
    }
    all
}

const SENTINEL: &str = "ghp_SENTINEL_do_not_leak_0123456789";

#[tokio::test(flavor = "multi_thread")]
async fn github_audit_batches_100_repositories_and_never_fetches_repository_pages() {
    // 100 linked repositories: 96 found (one archived, one renamed), 4 missing.
    let mut fake_repos = Vec::new();
    let mut papers = Vec::new();
    for i in 0..100 {
        let name = format!("lab{i}/model{i}");
        match i {
            0..=3 => {} // missing
            4 => fake_repos.push(FakeRepo::new(&name).archived().stars(7)),
            5 => fake_repos.push(FakeRepo::new("newlab/model5").renamed_from(&name).stars(50)),
            _ => fake_repos.push(FakeRepo::new(&name).stars(1000 + i as u64)),
        }
        papers.push((
            format!("Paper number {i}"),
            format!("We study things at length. Code is available at https://github.com/{name}."),
        ));
    }
    // One deeper link, which is requested over HTTP.
    papers.push((
        "A paper with a deep link".into(),
        "See the config at https://github.com/lab7/model7/blob/main/cfg.yaml for details.".into(),
    ));
    let fake = FakeGithub::start(fake_repos).await;
    let web = WebServer::start(|_| Reply::status(200)).await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("papers.txt");
    write_abstracts(&input, &papers);
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            r#"output_dir = "{out}"
[check]
allow_private = true
retries = 0
remap = ["^https://github.com/(.*)$ {web}/$1"]
[github]
api_url = "{api}"
[archive]
enabled = false
"#,
            out = dir.path().join("reports").display(),
            web = web.url(""),
            api = fake.url(),
        ),
    )
    .unwrap();
    let output = check_with(&cfg)
        .env("GITHUB_TOKEN", SENTINEL)
        .env("RUST_LOG", "trace")
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // Two GraphQL calls of 50; one HTTP request (the deep link), none for roots.
    assert_eq!(fake.graphql_calls(), 2, "batches: {:?}", fake.batch_sizes());
    assert_eq!(fake.total_calls(), 2);
    assert_eq!(web.requests(), 1, "only the /blob/ link goes over HTTP");
    assert_eq!(web.hits("/lab7/model7/blob/main/cfg.yaml"), 1);

    let rows = read_links(dir.path());
    assert_eq!(status_of(&rows, "https://github.com/lab0/model0"), "broken");
    let missing = rows
        .iter()
        .find(|r| &r[4] == "https://github.com/lab0/model0")
        .unwrap();
    assert_eq!(&missing[7], "404");
    assert_eq!(status_of(&rows, "https://github.com/lab9/model9"), "ok");
    let renamed = rows
        .iter()
        .find(|r| &r[4] == "https://github.com/lab5/model5")
        .unwrap();
    assert_eq!(&renamed[6], "redirected");
    assert_eq!(&renamed[8], "https://github.com/newlab/model5");

    let mut repos = csv::Reader::from_path(dir.path().join("reports/repos.csv")).unwrap();
    let header = repos.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let repos: Vec<csv::StringRecord> = repos.records().map(|r| r.unwrap()).collect();
    assert_eq!(repos.len(), 100);
    assert_eq!(&repos[0][col("repo")], "lab99/model99", "most stars first");
    assert_eq!(&repos[0][col("rank")], "1");
    let find = |name: &str| repos.iter().find(|r| &r[col("repo")] == name).unwrap();
    assert_eq!(&find("lab4/model4")[col("health")], "archived");
    assert_eq!(&find("lab5/model5")[col("canonical")], "newlab/model5");
    assert_eq!(&find("lab0/model0")[col("health")], "missing");
    assert_eq!(&find("lab7/model7")[col("links")], "2");
    assert!(
        repos[96..].iter().all(|r| &r[col("health")] == "missing"),
        "missing last"
    );

    // The token appears nowhere but in the Authorization header it was meant for.
    assert!(
        fake.authorization_headers()
            .iter()
            .all(|h| h.as_deref() == Some(&format!("Bearer {SENTINEL}")))
    );
    for text in [
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        all_report_text(&dir.path().join("reports")),
    ] {
        assert!(!text.contains(SENTINEL), "token leaked");
        assert!(!text.contains("SENTINEL"), "token leaked");
    }
}

/// A server whose answer for `/flip` changes when the flag is set, plus
/// fixed answers for the other paths.
fn flipping_server(
    flip: Arc<AtomicBool>,
) -> impl Fn(&support::web::Request) -> Reply + Send + Sync {
    move |req| {
        let flipped = flip.load(Ordering::SeqCst);
        match req.path.as_str() {
            "/ok" => Reply::status(200),
            "/dead" => Reply::status(404),
            "/breaks" => Reply::status(if flipped { 404 } else { 200 }),
            "/recovers" => Reply::status(if flipped { 200 } else { 404 }),
            _ => Reply::status(200),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn second_run_reuses_fresh_results_and_tracks_new_known_and_fixed() {
    let flip = Arc::new(AtomicBool::new(false));
    let web = WebServer::start(flipping_server(flip.clone())).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = direct_config(dir.path());
    let input = dir.path().join("in.txt");
    let links = ["/ok", "/dead", "/breaks", "/recovers"].map(|p| web.url(p));
    write_abstracts(
        &input,
        &[
            (
                "Paper A".into(),
                format!("Code at {} and {}.", links[0], links[1]),
            ),
            (
                "Paper B".into(),
                format!("Code at {} and {}.", links[2], links[3]),
            ),
        ],
    );
    let run = |extra: &[&str]| {
        let mut cmd = paperlinks();
        cmd.args(["check", "--format", "json", "--config"])
            .arg(&cfg)
            .arg(&input)
            .args(extra);
        cmd.output().unwrap()
    };
    let first = run(&[]);
    assert_eq!(
        first.status.code(),
        Some(2),
        "{}{}",
        String::from_utf8_lossy(&first.stdout),
        String::from_utf8_lossy(&first.stderr)
    );
    let rows1 = read_links(dir.path());
    let since = |rows: &[csv::StringRecord], url: &str| {
        rows.iter().find(|r| &r[4] == url).unwrap()[13].to_string()
    };
    let dead_since = since(&rows1, &links[1]);
    let (dead_hits, recovers_hits) = (web.hits("/dead"), web.hits("/recovers"));
    assert!(!dead_since.is_empty());
    assert_eq!(web.hits("/ok"), 1);

    flip.store(true, Ordering::SeqCst);
    // Move the first run an hour into the past (still fresh under the 1-day
    // cache age) instead of sleeping for distinct seconds: a timestamp
    // written again by the second run could then not pass for a kept one.
    age_links_report(dir.path(), chrono::Duration::hours(1));
    let rows1 = read_links(dir.path());
    let dead_since = since(&rows1, &links[1]);
    // Second run: fresh ok results are reused (so /breaks is not seen yet),
    // every failing link is checked again; /dead is known, /recovers fixed.
    let second = run(&["--fail-on-new"]);
    assert_eq!(second.status.code(), Some(0), "only known failures");
    assert_eq!(web.hits("/ok"), 1, "a fresh ok link is not requested again");
    assert_eq!(
        web.hits("/breaks"),
        1,
        "a fresh ok link is not requested again"
    );
    assert!(
        web.hits("/dead") > dead_hits,
        "a failing link is always checked again"
    );
    assert!(
        web.hits("/recovers") > recovers_hits,
        "a failing link is always checked again"
    );
    let rows2 = read_links(dir.path());
    let ok_row = rows2.iter().find(|r| r[4] == links[0]).unwrap();
    assert_eq!(&ok_row[12], "true", "cached column");
    assert_eq!(
        ok_row[11],
        rows1.iter().find(|r| r[4] == links[0]).unwrap()[11],
        "checked_at unchanged"
    );
    assert_eq!(
        since(&rows2, &links[1]),
        dead_since,
        "first_failed_at carries over"
    );
    assert_eq!(status_of(&rows2, &links[3]), "ok");
    assert_eq!(
        since(&rows2, &links[3]),
        "",
        "a working link has no first_failed_at"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&second.stdout).expect("stdout is one JSON document");
    assert_eq!(json["exit_code"], 0);
    assert_eq!(json["links"]["known_failures"], 1);
    assert_eq!(json["links"]["fixed"][0]["url"], links[3].as_str());
    let summary = std::fs::read_to_string(dir.path().join("reports/summary.md")).unwrap();
    assert!(summary.contains(links[1].as_str()), "{summary}");
    assert!(
        summary.contains(links[3].as_str()),
        "fixed link listed: {summary}"
    );

    // Third run, everything requested again: /breaks is newly broken.
    let third = run(&["--fail-on-new", "--no-cache"]);
    assert_eq!(
        third.status.code(),
        Some(2),
        "a new failure fails --fail-on-new"
    );
    assert_eq!(web.hits("/ok"), 2, "--no-cache requests everything");
    let rows3 = read_links(dir.path());
    assert_eq!(status_of(&rows3, &links[2]), "broken");
    assert_eq!(
        since(&rows3, &links[1]),
        dead_since,
        "history kept with --no-cache"
    );
    let json: serde_json::Value = serde_json::from_slice(&third.stdout).unwrap();
    assert_eq!(json["links"]["new_failures"], 1);
    assert_eq!(json["links"]["known_failures"], 1);
    let summary = std::fs::read_to_string(dir.path().join("reports/summary.md")).unwrap();
    assert!(summary.contains(links[2].as_str()), "{summary}");

    // A fourth run: only known failures left -> --fail-on-new passes, a plain run fails.
    assert_eq!(run(&["--fail-on-new"]).status.code(), Some(0));
    assert_eq!(run(&[]).status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn github_actions_annotations_point_at_file_line_and_column() {
    let web = WebServer::start(|req| match req.path.as_str() {
        "/gone" => Reply::status(404),
        _ => Reply::status(200),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = direct_config(dir.path());
    std::fs::create_dir(dir.path().join("lists")).unwrap();
    let body = format!("Our code, at last: {}.", web.url("/gone"));
    let col = body.find("http").unwrap()
        + 1
        + "We study the problem at length and report results on several tasks. ".len();
    write_abstracts(
        &dir.path().join("lists/a,b.txt"),
        &[("Paper: 100%, sure".into(), body)],
    );
    let step = dir.path().join("step.md");
    let out = check_with(&cfg)
        .current_dir(dir.path())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &step)
        .arg("lists/a,b.txt")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let line = stdout
        .lines()
        .find(|l| l.starts_with("::error "))
        .unwrap_or_else(|| panic!("no ::error line in {stdout}"));
    assert!(
        line.starts_with(&format!("::error file=lists/a%2Cb.txt,line=9,col={col},")),
        "{line}"
    );
    assert!(line.contains("Paper: 100%25, sure"), "{line}");
    assert!(line.contains(&web.url("/gone")), "{line}");
    let step_text = std::fs::read_to_string(&step).unwrap();
    assert!(step_text.contains(&web.url("/gone")));
}

#[tokio::test(flavor = "multi_thread")]
async fn sigint_mid_run_exits_130_with_partial_reports() {
    let web = WebServer::start(|req| match req.path.as_str() {
        p if p.starts_with("/hang") => Reply::NeverAnswer,
        _ => Reply::status(200),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = direct_config(dir.path());
    std::fs::write(
        &cfg,
        std::fs::read_to_string(&cfg)
            .unwrap()
            .replace("timeout_secs = 5", "timeout_secs = 60"),
    )
    .unwrap();
    let input = dir.path().join("in.txt");
    write_abstracts(
        &input,
        &[
            ("Fast".into(), format!("Code at {}.", web.url("/fast"))),
            (
                "Slow".into(),
                format!("Code at {} and {}.", web.url("/hang1"), web.url("/hang2")),
            ),
        ],
    );
    let child = crate::support::cmd::std_paperlinks()
        .args(["check", "--config"])
        .arg(&cfg)
        .arg(&input)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until both hanging requests are in flight.
    let start = std::time::Instant::now();
    while web.hits("/hang1") + web.hits("/hang2") < 2 {
        assert!(start.elapsed().as_secs() < 30, "requests never arrived");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert_eq!(
        status.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert!(String::from_utf8_lossy(&status.stderr).contains("interrupted"));
    let rows = read_links(dir.path());
    assert_eq!(rows.len(), 3);
    assert_eq!(status_of(&rows, &web.url("/fast")), "ok");
    assert_eq!(status_of(&rows, &web.url("/hang1")), "unchecked");
    assert_eq!(status_of(&rows, &web.url("/hang2")), "unchecked");
}

#[tokio::test(flavor = "multi_thread")]
async fn remote_daily_papers_input_gives_papers_csv_with_code_claims() {
    let daily = serde_json::json!([
        {"paper": {"id": "2501.00001", "title": "Linked Paper",
                   "summary": "We propose X. Code is available at REPO."},
         "githubRepo": "REPO"},
        {"paper": {"id": "2501.00002", "title": "Promising Paper",
                   "summary": "We propose Y. Our implementation will be made public."}},
        {"paper": {"id": "2501.00003", "title": "Benchmark Paper",
                   "summary": "Experiments on publicly available benchmarks show gains."},
         "projectPage": "PAGE"}
    ])
    .to_string();
    let dead = WebServer::start(|_| Reply::status(404)).await;
    let (repo, page) = (dead.url("/gone"), dead.url("/page"));
    let web = WebServer::start(move |req| match req.path.as_str() {
        "/api/daily_papers" => Reply::status(200)
            .header("content-type", "application/json")
            .body(&daily.replace("REPO", &repo).replace("PAGE", &page)),
        _ => Reply::status(404),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = direct_config(dir.path());
    let out = check_with(&cfg)
        .arg(web.url("/api/daily_papers"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(dir.path().join("reports/links.csv")).unwrap_or_default()
    );
    let mut papers = csv::Reader::from_path(dir.path().join("reports/papers.csv")).unwrap();
    assert_eq!(
        papers.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "source",
            "line",
            "paper",
            "links",
            "code_links",
            "repos",
            "broken_links",
            "best_repo",
            "best_repo_stars",
            "health",
            "claims_code_without_link",
            "code_recoverable",
            "code_state",
            "section",
            "paper_url",
            "code_role_links",
            "paper_role_links",
            "project_role_links",
            "dataset_role_links",
            "model_role_links",
            "demo_role_links",
            "video_role_links",
            "social_role_links",
            "other_role_links",
            "failing_links"
        ]
    );
    let rows: Vec<csv::StringRecord> = papers.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[0][2], "Linked Paper");
    assert_eq!(
        &rows[0][3], "1",
        "githubRepo de-duplicated against the summary"
    );
    assert_eq!(&rows[0][10], "false");
    assert_eq!(&rows[1][2], "Promising Paper");
    assert_eq!(&rows[1][10], "true");
    assert_eq!(&rows[0][12], "linked");
    assert_eq!(&rows[1][12], "promised");
    assert_eq!(&rows[2][12], "none");
    assert_eq!(&rows[2][10], "false");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_inputs_get_clear_messages_or_statuses() {
    let web = WebServer::start(|_| Reply::status(200)).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = direct_config(dir.path());
    let inputs = dir.path().join("inputs");
    std::fs::create_dir(&inputs).unwrap();
    std::fs::write(inputs.join("empty.txt"), "").unwrap();
    std::fs::write(
        inputs.join("binary.txt"),
        b"\x7fELF\x00\x00\x01https://x.org/",
    )
    .unwrap();
    let crlf = format!(
        "New\r\n\r\nA Title\r\n\r\nWe study the problem at length and report results on several tasks. Code at {}.\r\n",
        web.url("/crlf")
    );
    std::fs::write(inputs.join("crlf.txt"), crlf).unwrap();
    let huge = format!("Code at {}/{}\n", web.url(""), "a".repeat(1 << 20));
    std::fs::write(inputs.join("huge-url.txt"), huge).unwrap();
    let mut invalid_utf8 = b"Code at ".to_vec();
    invalid_utf8.extend_from_slice(b"\xff\xfe ");
    invalid_utf8.extend_from_slice(web.url("/lossy").as_bytes());
    invalid_utf8.extend_from_slice(b" \n");
    std::fs::write(inputs.join("lossy.txt"), invalid_utf8).unwrap();

    let out = check_with(&cfg).arg(&inputs).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("binary.txt") && stderr.contains("binary"),
        "{stderr}"
    );
    let rows = read_links(dir.path());
    assert_eq!(rows.len(), 3, "{rows:?}");
    let crlf_row = rows.iter().find(|r| r[4].ends_with("/crlf")).unwrap();
    assert_eq!(&crlf_row[1], "5", "line numbers right with \\r\\n");
    assert_eq!(&crlf_row[3], "A Title");
    assert_eq!(&crlf_row[6], "ok");
    let huge_row = rows.iter().find(|r| r[4].len() > 1 << 20).unwrap();
    assert_eq!(&huge_row[6], "invalid");
    assert!(huge_row[9].contains("8192"), "{}", &huge_row[9]);
    let lossy = rows.iter().find(|r| r[4].ends_with("/lossy")).unwrap();
    assert_eq!(
        &lossy[2], "12",
        "column counted in characters after U+FFFD repair"
    );
    assert_eq!(&lossy[6], "ok");

    // A malformed config names the line.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[check]\nmax_concurrency = \"many\"\n").unwrap();
    check_with(&bad)
        .assert()
        .code(3)
        .stderr(predicates::str::contains("line 2"))
        .stderr(predicates::str::contains("max_concurrency"));
}

/// Issue 12: after the run the terminal lists the failing links grouped by
/// status (file:line, URL, status, HTTP code, paper), one line of link totals,
/// where the reports are and why the exit code is what it is; colour only on
/// request; nothing but JSON with `--format json`.
#[tokio::test(flavor = "multi_thread")]
async fn terminal_lists_failing_links_by_status_then_totals_and_exit_reason() {
    let web = WebServer::start(|req| match req.path.as_str() {
        p if p.starts_with("/gone") => Reply::status(404),
        "/down" => Reply::status(500),
        _ => Reply::status(200),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = direct_config(dir.path());
    let input = dir.path().join("in.txt");
    let mut gone = String::new();
    for i in 0..25 {
        gone.push_str(&format!(" {}", web.url(&format!("/gone{i}"))));
    }
    write_abstracts(
        &input,
        &[
            (
                "Working Paper".into(),
                format!("Code at {} and {}.", web.url("/ok"), web.url("/down")),
            ),
            ("Dead Paper".into(), format!("Links:{gone}.")),
        ],
    );
    let out = check_with(&cfg).arg(&input).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        !stdout.contains('\x1b'),
        "no colour off a terminal: {stdout}"
    );
    let broken = stdout.find("broken (25)\n").expect(&stdout);
    let error = stdout.find("error (1)\n").expect(&stdout);
    assert!(broken < error, "statuses in contract order: {stdout}");
    let gone0 = format!(
        "  {}  HTTP 404 Not Found  \"Dead Paper\"",
        web.url("/gone0")
    );
    assert!(stdout.contains(&gone0), "{stdout}");
    assert!(stdout.contains("... and 6 more (see "), "{stdout}");
    assert!(stdout.contains("summary.md)"), "{stdout}");
    assert!(
        stdout.contains("Links: 27 (27 unique) in "),
        "one totals line for links: {stdout}"
    );
    assert!(stdout.contains("1 ok, 25 broken, 1 error."), "{stdout}");
    assert!(stdout.contains("Reports: "), "{stdout}");
    assert!(
        stdout
            .trim_end()
            .ends_with("Exit 2: 25 failures under fail_on [broken, missing]."),
        "{stdout}"
    );

    let coloured = check_with(&cfg)
        .args(["--color", "always"])
        .arg(&input)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&coloured.stdout).contains("\x1b["));
    let json = check_with(&cfg)
        .args(["--format", "json", "--color", "always"])
        .arg(&input)
        .output()
        .unwrap();
    let doc: serde_json::Value =
        serde_json::from_slice(&json.stdout).expect("stdout is only the JSON document");
    assert!(doc.is_object());
}

/// Issue 12: no network at all. Every host is a loopback address whose port
/// nobody listens on; the run stops early, exits 4, judges nothing dead and
/// says why in links.csv and in its output.
#[test]
fn offline_run_stops_early_and_exits_4() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let cfg = direct_config(dir.path());
    let input = dir.path().join("links.md");
    let mut md = String::from("# Offline\n\n");
    for i in 0..500 {
        // 20 distinct hosts: 127.0.0.2 .. 127.0.0.21.
        md.push_str(&format!(
            "- Paper {i}: http://127.0.0.{}:{closed}/code/{i}\n",
            2 + i % 20
        ));
    }
    std::fs::write(&input, md).unwrap();
    let out = check_with(&cfg).arg(&input).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(4), "{text}");
    assert!(text.contains("network looks unreachable"), "{text}");
    let rows = read_links(dir.path());
    assert_eq!(rows.len(), 500);
    let unchecked: Vec<_> = rows.iter().filter(|r| &r[6] == "unchecked").collect();
    assert!(unchecked.len() >= 400, "{} unchecked", unchecked.len());
    assert!(unchecked[0][9].contains("network looks unreachable"));
    assert!(
        rows.iter()
            .all(|r| matches!(&r[6], "unchecked" | "network_error")),
        "nothing judged dead"
    );
}
