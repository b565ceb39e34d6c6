//! Two faults of one kind (issue 11, §3): the GitHub token never shows in
//! a debug print of the options that carry it, and an I/O error while
//! writing reports or stdout exits 1 naming the path (not 3, a usage
//! error). Nothing beyond 127.0.0.1: the inputs have no links.

use assert_cmd::Command;
use paperlinks::{Config, RunOptions, SecretString};
use std::path::Path;

const SENTINEL: &str = "ghp_SENTINEL_token_value_0123456789";

#[test]
fn token_is_redacted_in_debug_prints() {
    let mut options = RunOptions::new(Config::default());
    options.token = Some(SecretString::from(SENTINEL));
    for text in [format!("{options:?}"), format!("{options:#?}")] {
        assert!(!text.contains(SENTINEL), "{text}");
        assert!(!text.contains("SENTINEL"), "{text}");
        assert!(text.contains("REDACTED"), "{text}");
    }
    // The clone a run hands on is redacted too.
    let copy = options.clone();
    assert!(!format!("{:?}", copy.token).contains(SENTINEL));
}

fn paperlinks(dir: &Path) -> Command {
    let mut cmd = crate::support::cmd::paperlinks();
    cmd.current_dir(dir);
    cmd
}

/// A temporary directory with `papers.md`, which holds no link at all.
fn no_links() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("papers.md"), "# A paper\n\nNo code yet.\n").unwrap();
    dir
}

#[test]
fn output_dir_that_is_a_file_exits_1_with_the_path() {
    let dir = no_links();
    let file = dir.path().join("reports");
    std::fs::write(&file, "not a directory").unwrap();
    paperlinks(dir.path())
        .args([
            "check",
            "--no-github",
            "--output-dir",
            "reports",
            "papers.md",
        ])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("reports"));
}

#[test]
fn a_report_that_cannot_be_replaced_exits_1_with_its_path() {
    let dir = no_links();
    // A directory where links.csv should go: the rename over it fails
    // (also for root, unlike a read-only directory).
    std::fs::create_dir_all(dir.path().join("out/links.csv/x")).unwrap();
    paperlinks(dir.path())
        .args(["check", "--no-github", "--output-dir", "out", "papers.md"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("links.csv"));
}

#[test]
#[cfg(target_os = "linux")]
fn stdout_that_cannot_be_written_exits_1_naming_stdout() {
    let dir = no_links();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = crate::support::cmd::std_paperlinks()
        .args(["check", "--no-github", "--output-dir", "out", "papers.md"])
        .current_dir(dir.path())
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("<stdout>"), "{stderr}");
    // The reports were written before stdout failed.
    assert!(dir.path().join("out/links.csv").is_file());
}

#[test]
fn output_errors_are_not_usage_errors() {
    let e = paperlinks::Error::Output {
        path: "<stdout>".into(),
        source: std::io::Error::other("disk full"),
    };
    assert!(!e.is_usage());
    assert_eq!(e.to_string(), "cannot write <stdout>: disk full");
}
