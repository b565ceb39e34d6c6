//! End-to-end tests of the `paperlinks` binary against servers on 127.0.0.1:
//! the sample file through remap, exit codes, incremental runs, CI
//! annotations, terminal formats and interruption.

use assert_cmd::Command;
use std::path::Path;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn paperlinks() -> Command {
    let mut cmd = Command::cargo_bin("paperlinks").unwrap();
    for var in [
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "GITHUB_ACTIONS",
        "GITHUB_STEP_SUMMARY",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("CI", "true");
    cmd
}

/// A config that sends every link to `server` (remap keeps host and path:
/// `https://github.com/a/b` -> `http://127.0.0.1:PORT/github.com/a/b`).
fn config_for(dir: &Path, server: &str, extra: &str) -> std::path::PathBuf {
    let cfg = dir.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            r#"output_dir = "{out}"
[check]
allow_private = true
timeout_secs = 5
retries = 0
remap = ["^(?i)https?://(.*)$ {server}/$1"]
{extra}
[github]
enabled = false
"#,
            out = dir.join("reports").display(),
        ),
    )
    .unwrap();
    cfg
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
    paperlinks()
        .args(["check", "--config"])
        .arg(&cfg)
        .arg(&sample)
        .assert()
        .code(2);
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
    // Each unique URL was requested once (HEAD answered 200 first time).
    let requests = server.received_requests().await.unwrap();
    let mut seen = std::collections::HashSet::new();
    for r in &requests {
        if r.method == wiremock::http::Method::HEAD {
            assert!(
                seen.insert(r.url.path().to_string()),
                "{} requested twice",
                r.url
            );
        }
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
    paperlinks()
        .args(["check", "--config"])
        .arg(&bad)
        .assert()
        .code(3)
        .stderr(predicates::str::contains("max_concurency"))
        .stderr(predicates::str::contains("bad.toml"));

    std::fs::write(&bad, "[check]\nexclude = [\"(unclosed\"]\n").unwrap();
    paperlinks()
        .args(["check", "--config"])
        .arg(&bad)
        .assert()
        .code(3)
        .stderr(predicates::str::contains("exclude"));

    std::fs::write(&bad, "[ci]\nfail_on = [\"borked\"]\n").unwrap();
    paperlinks()
        .args(["check", "--config"])
        .arg(&bad)
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
    paperlinks()
        .args(["check", "--config"])
        .arg(&cfg)
        .arg(&input)
        .assert()
        .code(4)
        .stdout(
            predicates::str::contains("unreachable")
                .or(predicates::str::contains("Unreachable"))
                .or(predicates::str::contains("network")),
        );
    let rows = read_links(dir.path());
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| &r[6] == "network_error"));
}

use predicates::prelude::PredicateBooleanExt;

#[tokio::test(flavor = "multi_thread")]
async fn clean_run_exits_0_and_extract_prints_links_offline() {
    let server = MockServer::start().await;
    Mock::given(method("HEAD"))
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
    paperlinks()
        .args(["check", "--config"])
        .arg(&cfg)
        .arg(&input)
        .assert()
        .code(0);
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
    assert_eq!(lines.next(), Some("source,line,column,paper,url,repo"));
    let rest: Vec<_> = lines.collect();
    assert_eq!(rest.len(), 2, "{text}");
    assert!(
        rest[0].ends_with(",Paper A,https://github.com/a/b,a/b"),
        "{text}"
    );
    assert!(
        rest[1].ends_with(",Paper A,https://a.github.io/x,"),
        "{text}"
    );
}
