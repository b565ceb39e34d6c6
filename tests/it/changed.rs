//! Pull-request runs (`check --changed-since REV`, issue 26) against a
//! temporary git repository: only the links on changed lines are
//! requested, audited and can fail; the others are `unchecked` with the
//! reason; git's errors exit 3 before any request.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command as Std;
use support::cmd::paperlinks;
use support::fake_github::{FakeGithub, FakeRepo};
use support::web::{Reply, WebServer};

/// git with no user or system config of the machine, and a fixed author.
fn git(dir: &Path, args: &[&str]) {
    let out = isolate(&mut Std::new("git"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The environment every git (ours and the one paperlinks runs) sees.
fn isolate<C: EnvLike>(cmd: &mut C) -> &mut C {
    for (k, v) in [
        ("GIT_CONFIG_GLOBAL", "/dev/null"),
        ("GIT_CONFIG_NOSYSTEM", "1"),
        ("GIT_AUTHOR_NAME", "Test"),
        ("GIT_AUTHOR_EMAIL", "test@example.invalid"),
        ("GIT_COMMITTER_NAME", "Test"),
        ("GIT_COMMITTER_EMAIL", "test@example.invalid"),
    ] {
        cmd.set_env(k, v);
    }
    cmd
}

trait EnvLike {
    fn set_env(&mut self, k: &str, v: &str);
}
impl EnvLike for Std {
    fn set_env(&mut self, k: &str, v: &str) {
        self.env(k, v);
    }
}
impl EnvLike for assert_cmd::Command {
    fn set_env(&mut self, k: &str, v: &str) {
        self.env(k, v);
    }
}

const LIST: &str = "# Papers\n\n\
- **Paper One**. [Project](https://site.test/p1) [Code](https://github.com/lab/one)\n\
- **Paper Two**. [Project](https://site.test/p2) [Code](https://github.com/lab/two)\n\
- **Paper Three**. [Project](https://site.test/p3)\n";

/// Line 4 edited, lines 6 and 7 appended: one live, one missing repository.
const EDITED: &str = "# Papers\n\n\
- **Paper One**. [Project](https://site.test/p1) [Code](https://github.com/lab/one)\n\
- **Paper Two**. [Project](https://site.test/p2-new) [Code](https://github.com/lab/two)\n\
- **Paper Three**. [Project](https://site.test/p3)\n\
- **Paper Four**. [Code](https://github.com/lab/four)\n\
- **Paper Five**. [Code](https://github.com/lab/five)\n";

struct World {
    dir: tempfile::TempDir,
    web: WebServer,
    gh: FakeGithub,
}

impl World {
    async fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir(&repo).unwrap();
        git(&repo, &["init", "-q"]);
        std::fs::write(repo.join("papers.md"), LIST).unwrap();
        git(&repo, &["add", "papers.md"]);
        git(&repo, &["commit", "-qm", "the list"]);
        let web = WebServer::start(|_| Reply::status(200)).await;
        let gh = FakeGithub::start(
            ["lab/one", "lab/two", "lab/four"]
                .into_iter()
                .map(FakeRepo::new)
                .collect(),
        )
        .await;
        let w = World { dir, web, gh };
        w.write_config();
        w
    }

    fn repo(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    fn write_config(&self) {
        let cfg = format!(
            r#"output_dir = "{out}"
[check]
allow_private = true
retries = 0
timeout_secs = 5
remap = ["^https://site.test/(.*)$ {web}/$1"]
[github]
api_url = "{api}"
[archive]
enabled = false
[forges]
enabled = false
[follow]
enabled = false
"#,
            out = self.dir.path().join("reports").display(),
            web = self.web.url(""),
            api = self.gh.url(),
        );
        std::fs::write(self.dir.path().join("config.toml"), cfg).unwrap();
    }

    /// `paperlinks check --changed-since REV papers.md` in the repository,
    /// in Actions mode, writing into `out`.
    fn check(&self, dir: &Path, rev: &str, out: &str) -> std::process::Output {
        let mut cmd = paperlinks();
        isolate(&mut cmd)
            .current_dir(dir)
            .env("GITHUB_ACTIONS", "true")
            .env(
                "GITHUB_STEP_SUMMARY",
                self.dir.path().join(format!("{out}.step.md")),
            )
            .env("GIT_CEILING_DIRECTORIES", self.dir.path())
            .arg("check")
            .arg("--config")
            .arg(self.dir.path().join("config.toml"))
            .arg("--output-dir")
            .arg(self.dir.path().join(out))
            .args(["--changed-since", rev, "papers.md"]);
        cmd.output().unwrap()
    }

    /// The repositories GitHub was asked about: by REST (`GET
    /// /repos/OWNER/NAME`, without a token) or in GraphQL queries.
    async fn asked_repos(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for r in self.gh.server.received_requests().await.unwrap_or_default() {
            if let Some(path) = r.url.path().strip_prefix("/repos/") {
                names.push(path.to_string());
                continue;
            }
            let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_default();
            let body = body["query"].as_str().unwrap_or("");
            for part in body.split("repository(owner: \"").skip(1) {
                let owner = part.split('"').next().unwrap_or("");
                let name = part
                    .split("name: \"")
                    .nth(1)
                    .and_then(|n| n.split('"').next())
                    .unwrap_or("");
                names.push(format!("{owner}/{name}"));
            }
        }
        names.sort();
        names
    }
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// links.csv rows as (line, url, status, error).
fn links(dir: &Path) -> Vec<(usize, String, String, String)> {
    let mut r = csv::Reader::from_path(dir.join("links.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (line, url, status, error) = (col("line"), col("url"), col("status"), col("error"));
    r.records()
        .map(Result::unwrap)
        .map(|row| {
            (
                row[line].parse().unwrap(),
                row[url].to_string(),
                row[status].to_string(),
                row[error].to_string(),
            )
        })
        .collect()
}

/// What the first run over the edit must show (also after committing it).
fn assert_edit_run(w: &World, o: &std::process::Output, out: &str, rev: &str) {
    assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let errors: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("::error"))
        .collect();
    assert!(!errors.is_empty(), "{stdout}");
    assert!(
        errors.iter().all(|l| l.contains("line=7,")),
        "errors only on the missing repository's line: {errors:?}"
    );
    assert!(
        !stdout.lines().any(|l| l.starts_with("::")
            && !l.contains("line=4,")
            && !l.contains("line=6,")
            && !l.contains("line=7,")),
        "no annotation on an unchanged line: {stdout}"
    );
    let rows = links(&w.dir.path().join(out));
    let reason = format!("line unchanged since {rev}");
    for (line, url, status, error) in &rows {
        if [4, 6, 7].contains(line) {
            assert_ne!(status, "unchecked", "{url} on changed line {line}");
        } else {
            assert_eq!(
                (status.as_str(), error.as_str()),
                ("unchecked", reason.as_str()),
                "{url}"
            );
        }
    }
    let status = |u: &str| rows.iter().find(|r| r.1 == u).unwrap().2.clone();
    assert_eq!(status("https://github.com/lab/five"), "broken");
    assert_eq!(status("https://github.com/lab/four"), "ok");
    assert_eq!(status("https://site.test/p2-new"), "ok");
    let summary = std::fs::read_to_string(w.dir.path().join(out).join("summary.md")).unwrap();
    let sentence = format!("Changed since {rev}: 4 links on changed lines, 1 of them failed");
    assert!(summary.contains(&sentence), "{summary}");
    let step = std::fs::read_to_string(w.dir.path().join(format!("{out}.step.md"))).unwrap();
    assert!(step.contains(&sentence), "job summary: {step}");
    assert!(stdout.contains(&sentence), "terminal: {stdout}");
    let sarif = std::fs::read_to_string(w.dir.path().join(out).join("links.sarif")).unwrap();
    assert!(
        sarif.contains("lab/five") && !sarif.contains("site.test/p1"),
        "{sarif}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_changed_lines_are_checked_and_can_fail() {
    let w = World::new().await;
    // A clean tree: nothing changed, nothing asked.
    let o = w.check(&w.repo(), "HEAD", "clean");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(w.web.requests(), 0);
    assert_eq!(w.gh.total_calls(), 0);
    assert!(
        links(&w.dir.path().join("clean"))
            .iter()
            .all(|r| r.2 == "unchecked")
    );

    // Uncommitted: line 4 edited (staged), lines 6-7 appended (unstaged).
    std::fs::write(
        w.repo().join("papers.md"),
        EDITED.replace("- **Paper Four**", "X"),
    )
    .unwrap();
    git(&w.repo(), &["add", "papers.md"]);
    std::fs::write(w.repo().join("papers.md"), EDITED).unwrap();
    let o = w.check(&w.repo(), "HEAD", "edit");
    assert_edit_run(&w, &o, "edit", "HEAD");
    assert_eq!(w.web.requests(), 1, "only the edited project link");
    assert_eq!(w.web.hits("/p2-new"), 1);
    assert_eq!(w.asked_repos().await, ["lab/five", "lab/four", "lab/two"]);
    let (web, gh) = (w.web.requests(), w.gh.total_calls());

    // Committed: the same against HEAD~1.
    git(&w.repo(), &["commit", "-qam", "two papers"]);
    let o = w.check(&w.repo(), "HEAD~1", "committed");
    assert_edit_run(&w, &o, "committed", "HEAD~1");
    assert_eq!(w.web.requests() - web, 1);
    assert_eq!(w.gh.total_calls() - gh, gh, "as many API calls as before");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_untracked_list_counts_as_all_changed() {
    let w = World::new().await;
    std::fs::write(w.repo().join("new.md"), LIST).unwrap();
    let mut cmd = paperlinks();
    isolate(&mut cmd)
        .current_dir(w.repo())
        .arg("check")
        .arg("--config")
        .arg(w.dir.path().join("config.toml"))
        .args(["--changed-since", "HEAD", "new.md"]);
    let o = cmd.output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(w.web.requests(), 3);
    assert!(
        links(&w.dir.path().join("reports"))
            .iter()
            .all(|r| r.2 == "ok")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_errors_exit_3_before_any_request() {
    let w = World::new().await;
    std::fs::write(w.repo().join("papers.md"), EDITED).unwrap();

    let o = w.check(&w.repo(), "no-such-rev", "unknown");
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("no-such-rev"), "{}", stderr(&o));

    let plain = w.dir.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    std::fs::write(plain.join("papers.md"), EDITED).unwrap();
    let o = w.check(&plain, "HEAD", "plain");
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("git work tree"), "{}", stderr(&o));

    git(&w.repo(), &["commit", "-qam", "two papers"]);
    let url = format!("file://{}", w.repo().display());
    git(
        w.dir.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let o = w.check(&w.dir.path().join("shallow"), "HEAD~1", "shallow");
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("fetch-depth: 0"), "{}", stderr(&o));

    assert_eq!(w.web.requests(), 0, "no request");
    assert_eq!(w.gh.total_calls(), 0, "no API call");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renamed_list_keeps_its_unchanged_lines_unchanged() {
    let w = World::new().await;
    git(&w.repo(), &["mv", "papers.md", "list.md"]);
    let appended = format!("{LIST}- **Paper Six**. [Project](https://site.test/p6)\n");
    std::fs::write(w.repo().join("list.md"), appended).unwrap();
    let mut cmd = paperlinks();
    isolate(&mut cmd)
        .current_dir(w.repo())
        .arg("check")
        .arg("--config")
        .arg(w.dir.path().join("config.toml"))
        .args(["--changed-since", "HEAD", "list.md"]);
    let o = cmd.output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(w.web.requests(), 1, "only the appended line");
    assert_eq!(w.web.hits("/p6"), 1);
    assert_eq!(
        w.gh.total_calls(),
        0,
        "its repositories are on unchanged lines"
    );
}
