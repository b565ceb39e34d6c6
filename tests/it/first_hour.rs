//! A new user's first hour (issue 24): the command line without a
//! subcommand, `init`, completions and the man page, the help text, the
//! messages for missing inputs and configs, progress lines in CI logs,
//! and what is checked before the first request. Everything against
//! servers on 127.0.0.1.

use crate::support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::cmd::paperlinks;
use support::web::{Reply, WebServer};

/// A config with reports in `out` (relative paths resolve against the
/// config's directory) and every stage that would leave 127.0.0.1 off.
fn write_config(dir: &Path, extra_top: &str) -> PathBuf {
    let cfg = dir.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "{extra_top}\n[check]\nallow_private = true\ntimeout_secs = 5\nretries = 0\n\
             [github]\nenabled = false\n[archive]\nenabled = false\n[forges]\nenabled = false\n\
             [follow]\nenabled = false\n"
        ),
    )
    .unwrap();
    cfg
}

async fn web() -> WebServer {
    WebServer::start(|req| match req.path.as_str() {
        p if p.starts_with("/gone") => Reply::status(404),
        p if p.starts_with("/slow") => Reply::status(200).delay(Duration::from_millis(700)),
        _ => Reply::status(200),
    })
    .await
}

fn list(dir: &Path, name: &str, urls: &[String]) -> PathBuf {
    let mut text = String::from("# Papers\n\n");
    for (i, u) in urls.iter().enumerate() {
        text.push_str(&format!("- Paper {i}: [code]({u})\n"));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn links_csv(path: &Path) -> Vec<csv::StringRecord> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records().map(|r| r.unwrap()).collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn files_without_a_command_are_checked() {
    let web = web().await;
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), "output_dir = \"out\"");
    list(dir.path(), "papers.md", &[web.url("/ok")]);
    let out = paperlinks()
        .current_dir(dir.path())
        .args(["papers.md", "--format", "none"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let rows = links_csv(&dir.path().join("out/links.csv"));
    assert_eq!(rows.len(), 1);
    assert_eq!(web.hits("/ok"), 1);
}

#[test]
fn init_writes_the_commented_config_once() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = include_str!("../../config.toml");
    let run = |args: &[&str]| {
        paperlinks()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = dir.path().join("config.toml");
    assert_eq!(std::fs::read_to_string(&written).unwrap(), shipped);
    std::fs::write(&written, "# mine\n").unwrap();
    let out = run(&["init"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("config.toml already exists; `paperlinks init --force`"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&written).unwrap(), "# mine\n");
    let out = run(&["init", "--force"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&written).unwrap(), shipped);
    // The written file is a valid config that `check` reads.
    let out = run(&["init", "other.toml"]);
    assert_eq!(out.status.code(), Some(0));
    paperlinks::Config::load(&dir.path().join("other.toml")).unwrap();
}

#[test]
fn completions_and_the_man_page_are_printed() {
    let out = paperlinks().args(["completions", "bash"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let bash = text(&out.stdout);
    assert!(
        bash.contains("_paperlinks()") && bash.contains("--fail-on"),
        "{bash}"
    );
    let out = paperlinks().args(["completions", "zsh"]).output().unwrap();
    assert!(text(&out.stdout).contains("#compdef paperlinks"));
    let out = paperlinks().arg("man").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let man = text(&out.stdout);
    assert!(man.contains(".TH paperlinks 1"), "{man}");
    assert!(man.contains("fail\\-on"), "{man}");
    let out = paperlinks().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn help_has_headings_examples_exit_codes_and_environment() {
    let out = paperlinks().arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for part in [
        "Usage: paperlinks [OPTIONS] [INPUT]...",
        "Inputs:",
        "Checking:",
        "Output:",
        "Fail policy:",
        "Stages:",
        "Messages:",
        "Examples:",
        "paperlinks check --fail-on none",
        "Exit codes:",
        "130  interrupted",
        "Environment:",
        "GITHUB_TOKEN",
        "HF_TOKEN",
        "SWH_TOKEN",
        "NO_COLOR",
        "PAPERLINKS_PROGRESS_SECS",
        "init",
        "completions",
    ] {
        assert!(help.contains(part), "{part:?} missing from\n{help}");
    }
    let check = text(
        &paperlinks()
            .args(["check", "--help"])
            .output()
            .unwrap()
            .stdout,
    );
    assert!(
        check.contains("Exit codes:") && check.contains("--verbose"),
        "{check}"
    );
    assert!(!check.contains("One paragraph"), "{check}");
}

#[tokio::test(flavor = "multi_thread")]
async fn fail_on_none_never_fails_on_a_dead_link() {
    let web = web().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "output_dir = \"out\"");
    let input = list(dir.path(), "papers.md", &[web.url("/gone")]);
    let run = |extra: &[&str]| {
        paperlinks()
            .arg("check")
            .arg("-c")
            .arg(&cfg)
            .arg(&input)
            .args(extra)
            .output()
            .unwrap()
    };
    assert_eq!(run(&[]).status.code(), Some(2));
    let out = run(&["--fail-on", "none"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn no_inputs_anywhere_is_exit_3_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = paperlinks()
        .current_dir(dir.path())
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert!(
        err.contains("no inputs: pass files or set `inputs` in a config file"),
        "{err}"
    );
    let cfg = write_config(dir.path(), "");
    let out = paperlinks().arg("-c").arg(&cfg).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("set `inputs` in {}", cfg.display())),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn config_paths_are_relative_to_the_config_file() {
    let web = web().await;
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    std::fs::create_dir_all(project.join("lists")).unwrap();
    list(&project.join("lists"), "a.md", &[web.url("/ok")]);
    write_config(
        &project,
        "inputs = [\"lists/a.md\"]\noutput_dir = \"reports\"",
    );
    let out = paperlinks()
        .current_dir(dir.path())
        .args(["check", "-c", "project/config.toml", "--format", "none"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let rows = links_csv(&project.join("reports/links.csv"));
    assert_eq!(&rows[0][0], "project/lists/a.md");
    assert!(!dir.path().join("reports").exists());
}

#[test]
fn not_found_names_the_directory_and_each_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = paperlinks()
        .current_dir(dir.path())
        .args(["check", "missing.md"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    let canonical = std::fs::canonicalize(dir.path()).unwrap();
    assert!(
        err.contains(&format!(
            "input missing.md: no such file or directory (looked in {})",
            canonical.display()
        )) || err.contains(&format!("(looked in {})", dir.path().display())),
        "{err}"
    );
    let out = paperlinks()
        .current_dir(dir.path())
        .args(["check", "-c", "nope.toml", "a.md"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert!(err.contains("nope.toml: no such file (looked in "), "{err}");
    // A config that is a directory: the OS error is printed once.
    std::fs::create_dir(dir.path().join("cfg.toml")).unwrap();
    let out = paperlinks()
        .current_dir(dir.path())
        .args(["check", "-c", "cfg.toml", "a.md"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert_eq!(err.matches("os error").count(), 1, "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn progress_lines_in_a_ci_log_and_logs_without_ansi() {
    let web = web().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "output_dir = \"out\"");
    let urls: Vec<String> = (0..6).map(|i| web.url(&format!("/slow{i}"))).collect();
    let input = list(dir.path(), "papers.md", &urls);
    let out = paperlinks()
        .env("PAPERLINKS_PROGRESS_SECS", "0.2")
        .env("RUST_LOG", "paperlinks=debug")
        .args(["check", "--max-per-host", "1", "--format", "none", "-c"])
        .arg(&cfg)
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("paperlinks: [") && l.contains("] checking: "))
        .collect();
    // Six links one after another at 0.7 s each: several lines, counting up.
    assert!(lines.len() >= 3, "{err}");
    assert!(
        lines.iter().all(|l| l.contains("/6 links, 0 failing")),
        "{err}"
    );
    assert!(
        lines.last().unwrap().contains(": 5/6") || lines.iter().any(|l| l.contains(": 4/6")),
        "{err}"
    );
    assert!(!err.contains('\u{1b}'), "ANSI escapes in a log: {err:?}");
    // Without the variable, a short run prints no progress line at all.
    let quick = paperlinks()
        .args(["check", "--format", "none", "-c"])
        .arg(&cfg)
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        !text(&quick.stderr).contains("] checking"),
        "{}",
        text(&quick.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn quiet_silences_warnings_and_a_shard_ends_with_the_merge_line() {
    let web = web().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "output_dir = \"out\"");
    let input = list(dir.path(), "papers.md", &[web.url("/ok")]);
    let empty = dir.path().join("empty.md");
    std::fs::write(&empty, "# Nothing here\n\nJust words.\n").unwrap();
    let run = |extra: &[&str]| {
        paperlinks()
            .args(["check", "--format", "none", "-c"])
            .arg(&cfg)
            .arg(&input)
            .arg(&empty)
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "paperlinks: warning: {}: no link found in it (read as markdown)",
            empty.display()
        )),
        "{err}"
    );
    let summary = std::fs::read_to_string(dir.path().join("out/summary.md")).unwrap();
    assert!(
        summary.contains(&format!("{}: no link found in it", empty.display())),
        "{summary}"
    );
    assert!(!summary.contains("papers.md: no link"), "{summary}");
    let out = run(&["-q"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stderr), "");
    let out = run(&["--shard", "1/1"]);
    assert_eq!(out.status.code(), Some(0));
    let err = text(&out.stderr);
    assert_eq!(
        err.lines().last(),
        Some("paperlinks: shard 1/1 written; the merge decides the exit"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unwritable_output_dir_stops_the_run_before_any_request() {
    let web = web().await;
    let dir = tempfile::tempdir().unwrap();
    // A file where the output directory should be (as root, a read-only
    // directory would still be writable).
    std::fs::write(dir.path().join("blocked"), "").unwrap();
    let cfg = write_config(dir.path(), "output_dir = \"blocked/reports\"");
    let input = list(dir.path(), "papers.md", &[web.url("/ok")]);
    let started = Instant::now();
    let out = paperlinks()
        .arg("check")
        .arg("-c")
        .arg(&cfg)
        .arg(&input)
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "cannot write to the output directory {}",
            dir.path().join("blocked/reports").display()
        )),
        "{err}"
    );
    assert_eq!(web.requests(), 0);
    assert!(took < Duration::from_secs(1), "{took:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_remote_input_is_a_warning_unless_it_is_all() {
    let web = web().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "output_dir = \"out\"");
    let input = list(dir.path(), "papers.md", &[web.url("/ok")]);
    // A port nothing listens on.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!(
            "http://127.0.0.1:{}/list.md",
            l.local_addr().unwrap().port()
        )
    };
    let run = |inputs: &[&str]| {
        paperlinks()
            .args(["check", "--format", "none", "-c"])
            .arg(&cfg)
            .args(inputs)
            .output()
            .unwrap()
    };
    let both = run(&[&closed, input.to_str().unwrap()]);
    assert_eq!(both.status.code(), Some(0), "{}", text(&both.stderr));
    let err = text(&both.stderr);
    assert!(
        err.contains(&format!("warning: {closed}: skipped, cannot fetch it")),
        "{err}"
    );
    assert_eq!(links_csv(&dir.path().join("out/links.csv")).len(), 1);
    let alone = run(&[&closed]);
    assert_eq!(alone.status.code(), Some(4), "{}", text(&alone.stderr));
    assert!(text(&alone.stderr).contains("no input could be read"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_input_twice_is_read_once_and_stdin_is_named() {
    let web = web().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "output_dir = \"out\"");
    let input = list(dir.path(), "papers.md", &[web.url("/ok")]);
    let dotted = dir.path().join(".").join("papers.md");
    let out = paperlinks()
        .args(["check", "--format", "none", "-c"])
        .arg(&cfg)
        .arg(&input)
        .arg(&dotted)
        .arg("-")
        .write_stdin(format!("- Piped: [code]({})\n", web.url("/piped")))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("read once"));
    let rows = links_csv(&dir.path().join("out/links.csv"));
    let sources: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(sources, [input.to_str().unwrap(), "<stdin>"]);
}

/// Checking starts while extraction still runs (issue 27): with stdin
/// held open after the first link, the test server sees that link's
/// request before the input ends; the link given after it is checked too.
/// Without the streaming start no request leaves before the input ends,
/// and the wait below fails.
#[tokio::test(flavor = "multi_thread")]
async fn checking_starts_while_the_input_is_still_open() {
    use std::io::Write;
    let web = web().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "output_dir = \"out\"");
    let mut child = support::cmd::std_paperlinks()
        .args(["check", "--format", "none", "-c"])
        .arg(&cfg)
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut first = format!(
        "A first paper\n\nIts code is at {} today.\n\n",
        web.url("/first")
    );
    // More than the head the format is detected from, and paragraphs after
    // the link, so extraction is past it while the input stays open.
    while first.len() < 64 * 1024 {
        first.push_str("Another paragraph of plain words and no link at all.\n\n");
    }
    stdin.write_all(first.as_bytes()).unwrap();
    stdin.flush().unwrap();
    // Not a timing: a bound on waiting for an event that must come.
    let deadline = Instant::now() + Duration::from_secs(60);
    while web.hits("/first") == 0 {
        assert!(
            Instant::now() < deadline,
            "no request for the first link while the input was still open"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let second = format!("A second paper\n\nSee {} for it.\n", web.url("/second"));
    stdin.write_all(second.as_bytes()).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let rows = links_csv(&dir.path().join("out/links.csv"));
    let urls: Vec<&str> = rows.iter().map(|r| &r[4]).collect();
    assert_eq!(urls, [web.url("/first"), web.url("/second")]);
    assert!(rows.iter().all(|r| &r[6] == "ok"), "{rows:?}");
    assert_eq!((web.hits("/first"), web.hits("/second")), (1, 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn terminal_rows_fit_columns() {
    let web = web().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "output_dir = \"out\"");
    let long = web.url(&format!("/gone/{}", "a-long-path-segment/".repeat(8)));
    let name = format!("{}.md", "a-long-file-name".repeat(3));
    let input = list(dir.path(), &name, &[long, web.url("/gone")]);
    for columns in ["40", "72"] {
        let out = paperlinks()
            .env("COLUMNS", columns)
            .args(["check", "-c"])
            .arg(&cfg)
            .arg(&input)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        let width: usize = columns.parse().unwrap();
        assert!(stdout.contains("broken (2)"), "{stdout}");
        for line in stdout.lines() {
            assert!(line.chars().count() <= width, "{columns}: {line:?}");
        }
    }
}

/// SIGTERM (a CI runner cancelling the job) stops the run as Ctrl-C does,
/// and its message does not talk about Ctrl-C.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn sigterm_writes_the_reports_and_says_what_it_got() {
    let web = WebServer::start(|req| match req.path.as_str() {
        p if p.starts_with("/hang") => Reply::NeverAnswer,
        _ => Reply::status(200),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "output_dir = \"out\"");
    let input = list(
        dir.path(),
        "papers.md",
        &[web.url("/fast"), web.url("/hang")],
    );
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("paperlinks"))
        .env("CI", "true")
        .args(["check", "--timeout", "60", "-c"])
        .arg(&cfg)
        .arg(&input)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while web.hits("/hang") < 1 || web.hits("/fast") < 1 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "requests never arrived"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        err.contains("paperlinks: terminated (SIGTERM); finishing in-flight requests"),
        "{err}"
    );
    assert!(!err.contains("Ctrl-C"), "{err}");
    assert_eq!(links_csv(&dir.path().join("out/links.csv")).len(), 2);
}

/// A terminal on stdin gets a hint that paperlinks waits for it, and one
/// end-of-input (Ctrl-D) ends it. The terminal is util-linux `script`'s
/// pseudo-terminal; the test says so and does nothing where `script` is
/// missing.
#[test]
fn a_terminal_on_stdin_gets_a_hint_and_one_ctrl_d_ends_it() {
    let script = Path::new("/usr/bin/script");
    if !script.exists() {
        eprintln!("skipped: no /usr/bin/script for a pseudo-terminal");
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("paperlinks");
    let mut child = std::process::Command::new(script)
        .args(["-qec", &format!("{} extract -", bin.display()), "/dev/null"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(b"- P: [code](http://127.0.0.1:1/x)\n")
            .unwrap();
    }
    // Waiting for a second Ctrl-D would hang: give it 20 s.
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("still waiting for stdin after one end-of-input");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let all = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(
        all.contains("paperlinks: reading from stdin (Ctrl-D to end)"),
        "{all}"
    );
    assert!(all.contains("<stdin>,1,13,,http://127.0.0.1:1/x"), "{all}");
}

/// A warning quotes untrusted text (here an input's file name, which holds
/// an OSC title sequence and a clear-screen): no control character of it
/// reaches stderr (issue 23 item 9), the rest of the name does. (Every
/// notice also goes through `report::text::terminal_safe` in
/// `pipeline::warn`; input names are escaped before that.)
#[test]
fn warnings_carry_no_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let name = "a\u{1b}]0;owned\u{7}b\u{1b}[2J\u{9b}c.md";
    std::fs::write(dir.path().join(name), "# A paper without links\n").unwrap();
    let cfg = write_config(dir.path(), "output_dir = \"reports\"");
    let out = paperlinks()
        .current_dir(dir.path())
        .arg("-c")
        .arg(&cfg)
        .arg(name)
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(
        err.contains("warning"),
        "a warning names the input: {err:?}"
    );
    assert!(
        err.contains("]0;owned"),
        "the printable rest is kept: {err:?}"
    );
    assert!(
        !err.chars().any(|c| c != '\n'
            && c != '\t'
            && (c.is_control() || ('\u{80}'..='\u{9f}').contains(&c))),
        "control characters on stderr: {err:?}"
    );
}

/// A loopback port nothing listens on: a connection to it is refused at
/// once, no DNS involved.
fn closed_port() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

/// The GitHub API at a closed port: the warning names the cause in one
/// short line, `-v` adds the whole error chain, and the count says that
/// the calls were attempted and none answered.
#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_api_is_one_short_warning_and_no_answered_calls() {
    let web = web().await;
    let dir = tempfile::tempdir().unwrap();
    let api = closed_port();
    let web_base = web.url("");
    std::fs::write(
        dir.path().join("config.toml"),
        format!(
            "output_dir = \"out\"\n\
             [check]\nremap = [\"^https://github.com/(.*)$ {web}/$1\"]\nallow_private = true\ntimeout_secs = 5\nretries = 0\n\
             [github]\napi_url = \"{api}\"\nmax_wait_secs = 1\n[archive]\nenabled = false\n\
             [forges]\nenabled = false\n[follow]\nenabled = false\n",
            web = web_base.trim_end_matches('/'),
        ),
    )
    .unwrap();
    let page = web.url("/ok");
    std::fs::write(
        dir.path().join("papers.md"),
        format!("- Paper: [code](https://github.com/a/b) [site]({page})\n"),
    )
    .unwrap();
    let run = |verbose: bool| {
        let mut cmd = paperlinks();
        cmd.current_dir(dir.path()).args(["check", "papers.md"]);
        if verbose {
            cmd.arg("-v");
        }
        cmd.output().unwrap()
    };
    let out = run(false);
    let (stderr, stdout) = (text(&out.stderr), text(&out.stdout));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let host = api.trim_start_matches("http://");
    let warning = stderr
        .lines()
        .find(|l| l.contains("GitHub API unreachable"))
        .unwrap_or_else(|| panic!("no warning: {stderr}"));
    assert!(
        warning.starts_with(&format!(
            "paperlinks: warning: GitHub API unreachable: connection to {host} refused; 1 of 1"
        )),
        "{warning}"
    );
    assert!(warning.len() < 200, "{} chars: {warning}", warning.len());
    assert!(
        !stderr.contains("os error") && !stderr.contains("detail:"),
        "{stderr}"
    );
    // MAX_ATTEMPTS tries, not one answered.
    assert!(
        stdout.contains("(3 GitHub API calls attempted, 0 answered)"),
        "{stdout}"
    );
    let summary = std::fs::read_to_string(dir.path().join("out/summary.md")).unwrap();
    assert!(
        summary.contains("GitHub API calls: 3 attempted, 0 answered."),
        "{summary}"
    );
    let json: serde_json::Value = serde_json::from_slice(&run_json(dir.path())).unwrap();
    assert_eq!(
        (json["api_calls"].as_u64(), json["api_answered"].as_u64()),
        (Some(3), Some(0))
    );
    let verbose = text(&run(true).stderr);
    assert!(
        verbose.contains("paperlinks: detail: GitHub API request failed: ")
            && verbose.contains("Connection refused (os error 111)"),
        "{verbose}"
    );
}

/// The JSON report of the run in `dir`.
fn run_json(dir: &Path) -> Vec<u8> {
    let out = paperlinks()
        .current_dir(dir)
        .args(["check", "papers.md", "--format", "json", "--no-cache"])
        .output()
        .unwrap();
    out.stdout
}

/// A forge API at a closed port: given up after a few calls, in a short
/// warning naming the cause; `-v` has the whole chain.
#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_forge_is_given_up_in_a_short_warning() {
    let web = web().await;
    let dir = tempfile::tempdir().unwrap();
    let api = closed_port();
    let base = web.url("");
    std::fs::write(
        dir.path().join("config.toml"),
        format!(
            "output_dir = \"out\"\n\
             [check]\nremap = [\"^https://codeberg.org/(.*)$ {web}/$1\"]\nallow_private = true\n\
             timeout_secs = 5\nretries = 0\n[github]\nenabled = false\n[archive]\nenabled = false\n\
             [forges]\ncodeberg_api = \"{api}\"\nhuggingface_api = \"\"\ngitlab_api = \"\"\n\
             gitee_api = \"\"\n[follow]\nenabled = false\n",
            web = base.trim_end_matches('/'),
        ),
    )
    .unwrap();
    let links: String = (0..5)
        .map(|i| format!("- Paper {i}: [code](https://codeberg.org/lab/r{i})\n"))
        .collect();
    std::fs::write(dir.path().join("papers.md"), links).unwrap();
    let out = paperlinks()
        .current_dir(dir.path())
        .args(["check", "papers.md", "-v"])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let host = api.trim_start_matches("http://");
    let warning = stderr
        .lines()
        .find(|l| l.contains("gave no answer"))
        .unwrap_or_else(|| panic!("no warning: {stderr}"));
    assert!(
        warning.starts_with(&format!(
            "paperlinks: warning: codeberg API gave no answer to 3 calls in a row \
             (connection to {host} refused); given up"
        )),
        "{warning}"
    );
    assert!(!warning.contains("os error"), "{warning}");
    assert!(
        stderr.contains("paperlinks: detail: codeberg request failed: ")
            && stderr.contains("Connection refused (os error 111)"),
        "{stderr}"
    );
}
