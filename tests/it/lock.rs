//! One run per output directory: two `paperlinks check` processes on one
//! output directory. The first holds the lock while its one link answers
//! slowly (a local web server on 127.0.0.1); the second waits a bounded
//! time, then refuses (exit 3, naming the directory and the first run's
//! pid), or goes on once the first is done.

use crate::support::web::{Reply, WebServer};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn config(dir: &Path, web: &WebServer) -> std::path::PathBuf {
    let cfg = dir.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            r#"output_dir = "{out}"
[check]
allow_private = true
timeout_secs = 60
retries = 0
remap = ['^https://lab\.example/(.*)$ {web}/$1']
[github]
enabled = false
[forges]
enabled = false
[archive]
enabled = false
"#,
            out = dir.join("reports").display(),
            web = web.url(""),
        ),
    )
    .unwrap();
    std::fs::write(dir.join("papers.md"), "# P\n\nhttps://lab.example/hold\n").unwrap();
    cfg
}

fn command(dir: &Path, cfg: &Path) -> Command {
    let mut cmd = crate::support::cmd::std_paperlinks();
    cmd.args(["check", "--config"])
        .arg(cfg)
        .arg(dir.join("papers.md"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Starts the first run and returns once its request reached the server
/// (so it holds the lock: the lock is taken before any input is read).
fn start_first(dir: &Path, cfg: &Path, web: &WebServer) -> Child {
    let child = command(dir, cfg).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while web.requests() == 0 {
        assert!(Instant::now() < deadline, "the first run never asked");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_run_on_the_same_output_directory_refuses_naming_the_first() {
    let web =
        WebServer::start(|_| Reply::status(200).body("ok").delay(Duration::from_secs(40))).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &web);
    let mut first = start_first(dir.path(), &cfg, &web);
    let started = Instant::now();
    let second = command(dir.path(), &cfg).output().unwrap();
    let waited = started.elapsed();
    first.kill().unwrap();
    first.wait().unwrap();
    let stderr = text(&second);
    assert_eq!(second.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains(&format!("pid {}", first.id())), "{stderr}");
    assert!(
        stderr.contains(&dir.path().join("reports").display().to_string()),
        "{stderr}"
    );
    assert!(stderr.contains("another paperlinks run"), "{stderr}");
    assert!(
        waited >= Duration::from_secs(4),
        "it waited first: {waited:?}"
    );
    assert_eq!(web.requests(), 1, "the second run asked nothing");
    assert!(
        !dir.path().join("reports/links.csv").exists(),
        "nothing was written by either run"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_run_waits_for_the_first_to_finish() {
    let web =
        WebServer::start(|_| Reply::status(200).body("ok").delay(Duration::from_secs(3))).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &web);
    let first = start_first(dir.path(), &cfg, &web);
    let second = command(dir.path(), &cfg).spawn().unwrap();
    let second_pid = second.id();
    let second = second.wait_with_output().unwrap();
    let first = first.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    let stderr = text(&second);
    assert_eq!(second.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("waiting up to 5 s for another run (pid "),
        "{stderr}"
    );
    assert_eq!(
        web.requests(),
        1,
        "the second run read the first's finished links.csv and reused its answer"
    );
    let lock = std::fs::read_to_string(dir.path().join("reports/.paperlinks.lock")).unwrap();
    assert_eq!(lock.trim(), second_pid.to_string(), "the last holder's pid");
}
