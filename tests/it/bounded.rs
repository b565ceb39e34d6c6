//! How much of an input is read: HTML inputs stop at `max_input_mib` with a
//! warning naming the input and what was skipped; Markdown inputs are read
//! whole in runs of blocks (no cap, right line numbers past the first run);
//! remote inputs larger than the cap are skipped with a warning and the
//! run goes on; remote inputs are fetched one at a time.

use crate::support;

use std::path::Path;
use support::cmd::paperlinks;
use support::web::{Reply, WebServer};

/// A config with a 1 MiB input cap.
fn config(dir: &Path) -> std::path::PathBuf {
    let cfg = dir.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "output_dir = \"{}\"\nmax_input_mib = 1\n[check]\nallow_private = true\n\
             timeout_secs = 5\nretries = 0\n[github]\nenabled = false\n[forges]\nenabled = false\n",
            dir.join("reports").display()
        ),
    )
    .unwrap();
    cfg
}

/// A document with one link before `filler` bytes of blank lines and one
/// after.
fn document(head: &str, filler: usize, tail: &str) -> String {
    format!("{head}\n{}{tail}\n", "\n".repeat(filler))
}

#[test]
fn html_inputs_stop_at_the_cap_with_a_warning_markdown_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path());
    let md = dir.path().join("big.md");
    let mib = 1024 * 1024;
    let md_filler = paperlinks::extract::segments::RUN_BYTES + mib / 2;
    std::fs::write(
        &md,
        document(
            "# Paper\n\nCode: <https://early.example/md>",
            md_filler,
            "Late: <https://late.example/md>",
        ),
    )
    .unwrap();
    let html = dir.path().join("big.html");
    std::fs::write(
        &html,
        document(
            "<html><body><h2>Paper</h2><a href=\"https://early.example/html\">code</a>",
            2 * mib,
            "<a href=\"https://late.example/html\">late</a></body></html>",
        ),
    )
    .unwrap();
    let small = dir.path().join("small.md");
    std::fs::write(&small, "# P\n\n<https://small.example/x>\n").unwrap();
    let out = paperlinks()
        .args(["extract", "--config"])
        .arg(&cfg)
        .args([&md, &html, &small])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    for link in [
        "early.example/md",
        "early.example/html",
        "small.example/x",
        "late.example/md",
    ] {
        assert!(stdout.contains(link), "{link} missing: {stdout}");
    }
    assert!(!stdout.contains("late.example/html"), "{stdout}");
    // The late Markdown link comes after more than one run of blocks: it is
    // on the line after the filler's blank lines (three head lines, the
    // filler, the tail) and still belongs to the paper above it.
    let late = stdout
        .lines()
        .find(|l| l.contains("late.example/md"))
        .unwrap();
    let want = format!(",{},", 3 + md_filler + 1);
    assert!(late.contains(&want), "{late} lacks {want}");
    assert!(late.contains(",Paper,https://late.example/md"), "{late}");
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("read cap")).collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(warnings[0].contains("big.html") && warnings[0].contains("the remaining 1.0 MiB"));
}

#[tokio::test(flavor = "multi_thread")]
async fn remote_inputs_over_the_cap_are_skipped_and_the_run_goes_on() {
    let target = WebServer::start(|_| Reply::status(200)).await;
    let ok = target.url("/ok");
    let body = format!("# Paper\n\nCode: <{ok}>\n");
    let web = WebServer::start(move |req| match req.path.as_str() {
        "/sized.md" => Reply::EndlessBody {
            chunked: false,
            gzip: false,
        },
        "/unsized.md" => Reply::EndlessBody {
            chunked: true,
            gzip: false,
        },
        "/list.md" => Reply::status(200)
            .header("content-type", "text/markdown")
            .body(&body),
        _ => Reply::status(200),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path());
    let list = web.url("/list.md");
    let out = paperlinks()
        .args(["check", "--config"])
        .arg(&cfg)
        .args([web.url("/sized.md"), web.url("/unsized.md"), list.clone()])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for skipped in ["/sized.md", "/unsized.md"] {
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(skipped) && l.contains("skipped") && l.contains("1.0 MiB cap")),
            "{skipped}: {stderr}"
        );
    }
    let links = std::fs::read_to_string(dir.path().join("reports/links.csv")).unwrap();
    assert!(links.contains(&list) && links.contains(&ok), "{links}");
    assert_eq!(target.hits("/ok"), 1);
}
