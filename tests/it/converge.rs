//! Issue 27 item 5: a list larger than the API budget converges over
//! successive runs in the same output directory. Against the GitHub
//! GraphQL stand-in with a budget of two calls a run (its primary rate
//! limit, `x-ratelimit-remaining` / `rateLimit { remaining }`, reset an
//! hour away; or `[github] max_calls`): the never audited are asked first,
//! in input order, then the stalest, ties by key; every repository known
//! from an earlier report keeps its data (`cached = true`, its original
//! `fetched_at`, its health word) instead of turning `unknown`.

use crate::support;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use paperlinks::SecretString;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use support::fake_github::{FakeGithub, FakeRepo};
use support::web::{Reply, WebServer};
use tokio_util::sync::CancellationToken;

/// Ten repositories, linked in the reverse of their key order (so input
/// order and key order disagree): `lab/r9` first, `lab/r0` last. `lab/r4`
/// does not exist (`missing`), `lab/r0` is archived.
fn linked() -> Vec<String> {
    (0..10).rev().map(|i| format!("lab/r{i}")).collect()
}

struct World {
    dir: tempfile::TempDir,
    gh: FakeGithub,
    web: WebServer,
}

impl World {
    async fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let mut md = String::new();
        for (n, repo) in linked().iter().enumerate() {
            md.push_str(&format!(
                "## Paper {n}\n\nCode: https://github.com/{repo}\n\n"
            ));
        }
        std::fs::write(dir.path().join("papers.md"), md).unwrap();
        let repos = (0..10)
            .filter(|&i| i != 4)
            .map(|i| {
                let r = FakeRepo::new(&format!("lab/r{i}"));
                if i == 0 { r.archived() } else { r }
            })
            .collect();
        let gh = FakeGithub::start(repos).await;
        // A root page GitHub's API did not answer for is requested: here.
        let web = WebServer::start(|_| Reply::status(200)).await;
        World { dir, gh, web }
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("reports")
    }

    fn config(&self, max_calls: usize) -> paperlinks::Config {
        let mut config = support::config();
        config.inputs = vec![self.dir.path().join("papers.md").display().to_string()];
        config.output_dir = self.out();
        config.github.enabled = true;
        config.github.api_url = self.gh.url();
        config.github.batch_size = 2;
        config.github.max_wait_secs = 1;
        config.github.max_calls = max_calls;
        config.follow.enabled = false;
        config.check.allow_private = true;
        config.check.retries = 0;
        config.check.remap = vec![format!(
            "^https://github\\.com/(.*)$ {}/$1",
            self.web.url("")
        )];
        config
    }

    /// One run; returns the GraphQL queries it made (the repositories
    /// each named) and the summary.
    async fn run(&self, max_calls: usize) -> (Vec<Vec<String>>, String) {
        let before = self.gh.queries().len();
        let mut options = support::options(self.config(max_calls));
        options.token = Some(SecretString::from("test-token"));
        let mut out = Vec::new();
        paperlinks::pipeline::run(options, CancellationToken::new(), &mut out)
            .await
            .unwrap();
        let queries = self.gh.queries().split_off(before);
        let summary = std::fs::read_to_string(self.out().join("summary.md")).unwrap();
        (queries, summary)
    }
}

/// One repos.csv row: health, cached, fetched_at.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    health: String,
    cached: bool,
    fetched_at: DateTime<Utc>,
}

fn repos_csv(out: &Path) -> BTreeMap<String, Row> {
    let mut r = csv::Reader::from_path(out.join("repos.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let (repo, health, cached, at) = (col("repo"), col("health"), col("cached"), col("fetched_at"));
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let row = Row {
                health: rec[health].to_string(),
                cached: rec[cached].parse().unwrap(),
                fetched_at: DateTime::parse_from_rfc3339(&rec[at]).unwrap().into(),
            };
            (rec[repo].to_string(), row)
        })
        .collect()
}

/// A night passes: every `fetched_at` in repos.csv is a day older (so the
/// data is past `cache_max_age` = 1 day, as on the next nightly run).
fn a_night_passes(out: &Path) {
    let path = out.join("repos.csv");
    let mut r = csv::Reader::from_path(&path).unwrap();
    let h = r.headers().unwrap().clone();
    let at = h.iter().position(|c| c == "fetched_at").unwrap();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&h).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        let older: DateTime<Utc> = DateTime::parse_from_rfc3339(&rec[at]).unwrap().into();
        let older = (older - Duration::days(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
        let cells: Vec<&str> = (0..rec.len())
            .map(|i| if i == at { older.as_str() } else { &rec[i] })
            .collect();
        w.write_record(&cells).unwrap();
    }
    std::fs::write(&path, w.into_inner().unwrap()).unwrap();
}

fn names(batches: &[&[&str]]) -> Vec<Vec<String>> {
    let name = |n: &&str| format!("lab/{n}");
    batches
        .iter()
        .map(|b| b.iter().map(name).collect())
        .collect()
}

fn note(refreshed: usize, kept: usize, oldest: Option<DateTime<Utc>>, never: usize) -> String {
    let oldest = oldest
        .map(|d| format!(" (oldest from {})", d.format("%Y-%m-%d")))
        .unwrap_or_default();
    format!(
        "{refreshed} refreshed, {kept} kept from earlier runs{oldest}, {never} never audited; \
         the next run continues"
    )
}

/// Checks one run's repos.csv against the previous one: the repositories
/// `asked` were refreshed; every other repository known before is cached
/// with the `fetched_at` and health it had; the rest are `unknown`.
fn check_rows(
    now: &BTreeMap<String, Row>,
    before: &BTreeMap<String, Row>,
    asked: &HashSet<String>,
    known: &mut HashSet<String>,
) {
    assert_eq!(now.len(), 10, "{now:?}");
    for (repo, row) in now {
        if asked.contains(repo) {
            assert!(!row.cached, "{repo} was refreshed: {row:?}");
            assert_ne!(row.health, "unknown", "{repo}");
            known.insert(repo.clone());
        } else if known.contains(repo) {
            let was = &before[repo];
            assert!(row.cached, "{repo} keeps its data: {row:?}");
            assert_eq!(
                row.fetched_at, was.fetched_at,
                "{repo}: original fetched_at"
            );
            assert_eq!(row.health, was.health, "{repo}: its health word stays");
        } else {
            assert_eq!(row.health, "unknown", "{repo} was never audited");
            assert!(!row.cached, "{repo}");
        }
    }
}

#[tokio::test]
async fn a_list_larger_than_the_rate_limit_converges_stalest_first_and_never_forgets() {
    let w = World::new().await;
    // Each run (night) gets two GraphQL calls before the budget is spent
    // with the reset an hour away (> max_wait_secs): 4 repositories a run.
    let expected: [&[&[&str]]; 4] = [
        // Never audited, in input order.
        &[&["r9", "r8"], &["r7", "r6"]],
        &[&["r5", "r4"], &["r3", "r2"]],
        // The last two never audited, then the stalest (run 1's), by key.
        &[&["r1", "r0"], &["r6", "r7"]],
        // Run 1's remaining two, then run 2's by key.
        &[&["r8", "r9"], &["r2", "r3"]],
    ];
    let mut known: HashSet<String> = HashSet::new();
    let mut before = BTreeMap::new();
    for (night, batches) in expected.iter().enumerate() {
        w.gh.set_budget(2, 3600);
        let (queries, summary) = w.run(0).await;
        assert_eq!(queries, names(batches), "night {night}");
        let asked: HashSet<String> = queries.into_iter().flatten().collect();
        let now = repos_csv(&w.out());
        check_rows(&now, &before, &asked, &mut known);
        let kept: Vec<&Row> = now.values().filter(|r| r.cached).collect();
        let oldest = kept.iter().map(|r| r.fetched_at).min();
        let never = 10 - known.len();
        let want = note(4, kept.len(), oldest, never);
        assert!(summary.contains(&want), "night {night}: {want}\n{summary}");
        assert_eq!(kept.len(), known.len() - 4, "night {night}");
        a_night_passes(&w.out());
        before = repos_csv(&w.out());
    }
    assert_eq!(known.len(), 10, "every repository audited at least once");
    // Known data never turned `unknown`; the missing and the archived one
    // kept their words while not asked.
    let last = repos_csv(&w.out());
    assert_eq!(last["lab/r4"].health, "missing");
    assert_eq!(last["lab/r0"].health, "archived");
    assert!(last.values().all(|r| r.health != "unknown"));
}

#[tokio::test]
async fn github_max_calls_bounds_a_run_and_the_next_run_continues() {
    let w = World::new().await;
    let (queries, summary) = w.run(1).await;
    assert_eq!(queries, names(&[&["r9", "r8"]]));
    assert!(
        summary.contains("GitHub API call budget of 1 calls spent"),
        "{summary}"
    );
    assert!(summary.contains(&note(2, 0, None, 8)), "{summary}");
    let first = repos_csv(&w.out());
    // Fresh data (younger than cache_max_age) is reused, not asked again:
    // the next run starts where this one stopped.
    let (queries, summary) = w.run(1).await;
    assert_eq!(queries, names(&[&["r7", "r6"]]));
    let oldest = Some(first["lab/r9"].fetched_at);
    assert!(summary.contains(&note(2, 2, oldest, 6)), "{summary}");
    let rows = repos_csv(&w.out());
    assert!(rows["lab/r9"].cached && rows["lab/r8"].cached);
    assert_eq!(rows["lab/r9"].fetched_at, first["lab/r9"].fetched_at);
}
