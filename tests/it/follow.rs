//! Project pages, one hop (`[follow]`, issue 14 item 1), against a local
//! web server playing the project pages and the fake GitHub API: a page
//! that links its code gives the paper its repository (papers.csv
//! `best_repo` and `linked_via_page`, repos.csv and links.csv `found_via`,
//! popularity.md); a page's own site, share buttons and its
//! `OWNER.github.io` source do not count; a missing repository found on a
//! page fails as usual; a page over `max_page_bytes` is cut, a non-HTML
//! page is ignored; `--no-follow` changes nothing but that; and neither
//! way nor an incremental run makes an extra request for a page.

use crate::support;

use paperlinks::check::{Checker, Pages};
use paperlinks::config::{CheckConfig, Config};
use paperlinks::forge::Recognizer;
use paperlinks::model::{LinkResult, Status};
use paperlinks::pipeline::{MAX_PAGE_CODE_LINKS, page_code_links};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::cmd::paperlinks;
use support::fake_github::{FakeGithub, FakeRepo};
use support::web::{Reply, WebServer};

/// Guard against hangs (not a timing assertion).
const HANG_GUARD: Duration = Duration::from_secs(120);

/// `[follow] max_page_bytes` in these runs.
const MAX_PAGE: usize = 4096;

const PAPERS: &str = "\
# Papers

## Method A: the paper whose page links its code

Project page: <https://lab.github.io/method/>

## Self B: a page that links only its own site

Project page: <https://self.github.io/b/>

## Source C: a page that links only its github.io source

Project page: <https://src.github.io/c/>

## Ghost D: a page that links a repository that does not exist

Project page: <https://lab.github.io/ghost/>

## Big E: a page over max_page_bytes

Project page: <https://big.example/e/>

## Pdf F: a project link that is not an HTML page

Project page: <https://pdf.example/f.pdf>

## Direct G: a paper with its own code link

Code: <https://github.com/lab/direct>

Project page: <https://lab.github.io/direct/>

## Shared H: a paper with code of its own that links Method A's page too

Code: <https://github.com/lab/direct>

Project page: <https://lab.github.io/method/>
";

/// Every project page, by the path it is requested at (after the remap).
const PAGES: [&str; 7] = [
    "/lab.github.io/method/",
    "/self.github.io/b/",
    "/src.github.io/c/",
    "/lab.github.io/ghost/",
    "/big.example/e/",
    "/pdf.example/f.pdf",
    "/lab.github.io/direct/",
];

fn html(body: &str) -> Reply {
    Reply::status(200)
        .header("Content-Type", "text/html; charset=utf-8")
        .body(&format!("<!doctype html><html><body>{body}</body></html>"))
}

fn page(path: &str) -> Reply {
    match path {
        "/lab.github.io/method/" => html(
            r#"<h1>Method A</h1>
            <a href="https://lab.github.io/">Home</a>
            <a href="https://lab.github.io/method/more.html">More</a>
            <a href="https://twitter.com/intent/tweet?url=https://github.com/lab/shared">Tweet</a>
            <a href="https://www.facebook.com/sharer/sharer.php?u=https://lab.github.io/method/">Share</a>
            <a href="https://github.com/lab/lab.github.io">Fork me on GitHub</a>
            <p><a href="https://github.com/lab/method">Code</a></p>"#,
        ),
        "/self.github.io/b/" => html(
            r#"<a href="https://self.github.io/">Home</a>
            <a href="https://self.github.io/b/paper.pdf">Paper</a>"#,
        ),
        "/src.github.io/c/" => html(r#"<a href="https://github.com/src/src.github.io">Source</a>"#),
        "/lab.github.io/ghost/" => html(r#"<a href="https://github.com/lab/ghost">Code</a>"#),
        "/big.example/e/" => {
            let early = r#"<a href="https://github.com/big/early">Code</a>"#;
            let padding = "<p>padding</p>".repeat(MAX_PAGE / 10);
            let late = r#"<a href="https://github.com/big/late">More code</a>"#;
            html(&format!("{early}{padding}{late}"))
        }
        "/pdf.example/f.pdf" => Reply::status(200)
            .header("Content-Type", "application/pdf")
            .body("%PDF-1.4 https://github.com/pdf/hidden"),
        "/lab.github.io/direct/" => html(r#"<a href="https://github.com/lab/hidden">Code</a>"#),
        _ => Reply::status(404),
    }
}

struct World {
    github: FakeGithub,
    web: WebServer,
    dir: tempfile::TempDir,
    input: PathBuf,
}

impl World {
    async fn new() -> World {
        let repos = [
            "lab/method",
            "lab/direct",
            "lab/hidden",
            "lab/shared",
            "lab/lab.github.io",
            "src/src.github.io",
            "big/early",
            "big/late",
            "pdf/hidden",
        ];
        let web = WebServer::start(|r| page(&r.path)).await;
        World::with(&repos, web, PAPERS).await
    }

    /// A world of `repos` (42 stars each) on GitHub's stand-in, `web` for
    /// every other site, and `papers` as the input.
    async fn with(repos: &[&str], web: WebServer, papers: &str) -> World {
        let repos = repos.iter().map(|n| FakeRepo::new(n).stars(42)).collect();
        let github = FakeGithub::start(repos).await;
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("papers.md");
        std::fs::write(&input, papers).unwrap();
        World {
            github,
            web,
            dir,
            input,
        }
    }

    /// Runs `check` with reports in `dir/out`; the exit code.
    fn run(&self, out: &str, args: &[&str]) -> i32 {
        self.run_with(out, args, "")
    }

    /// `run` with `check_extra` lines in `[check]`.
    fn run_with(&self, out: &str, args: &[&str], check_extra: &str) -> i32 {
        let cfg = self.dir.path().join("config.toml");
        std::fs::write(
            &cfg,
            format!(
                r#"output_dir = "{out}"
[check]
allow_private = true
timeout_secs = 10
retries = 0
remap = ['^https?://(.*)$ {web}/$1']
{check_extra}
[github]
api_url = "{gh}"
[forges]
enabled = false
[archive]
enabled = false
[follow]
max_page_bytes = {MAX_PAGE}
"#,
                out = self.dir.path().join(out).display(),
                web = self.web.url(""),
                gh = self.github.url(),
            ),
        )
        .unwrap();
        let output = paperlinks()
            .timeout(HANG_GUARD)
            .args(["check", "--format", "none", "--config"])
            .arg(&cfg)
            .args(args)
            .arg(&self.input)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panick"), "{stderr}");
        output.status.code().unwrap_or(-1)
    }

    fn hits(&self) -> Vec<usize> {
        PAGES.iter().map(|p| self.web.hits(p)).collect()
    }
}

/// A CSV report as rows of column name -> cell.
fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Reports of one run.
struct Reports {
    links: Vec<HashMap<String, String>>,
    repos: Vec<HashMap<String, String>>,
    papers: Vec<HashMap<String, String>>,
    popularity: String,
}

impl Reports {
    fn read(dir: &Path) -> Reports {
        Reports {
            links: rows(&dir.join("links.csv")),
            repos: rows(&dir.join("repos.csv")),
            papers: rows(&dir.join("papers.csv")),
            popularity: std::fs::read_to_string(dir.join("popularity.md")).unwrap(),
        }
    }

    fn paper(&self, prefix: &str) -> &HashMap<String, String> {
        self.papers
            .iter()
            .find(|p| p["paper"].starts_with(prefix))
            .unwrap_or_else(|| panic!("no paper {prefix}: {:?}", self.papers))
    }

    fn repo(&self, name: &str) -> Option<&HashMap<String, String>> {
        self.repos.iter().find(|r| r["repo"] == name)
    }

    /// The links.csv rows of `url`.
    fn link(&self, url: &str) -> Vec<&HashMap<String, String>> {
        self.links.iter().filter(|l| l["url"] == url).collect()
    }

    /// Every URL found on a page (`found_via` set), sorted.
    fn found(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self
            .links
            .iter()
            .filter(|l| !l["found_via"].is_empty())
            .map(|l| (l["url"].clone(), l["found_via"].clone()))
            .collect();
        v.sort();
        v
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_project_page_that_links_its_code_gives_the_paper_its_repository() {
    let w = World::new().await;
    // The repository found on Ghost D's page does not exist: missing fails
    // the run under the default fail_on, as any missing repository does.
    assert_eq!(w.run("on", &[]), 2);
    assert_eq!(w.hits(), vec![1; PAGES.len()], "one request per page");
    let r = Reports::read(&w.dir.path().join("on"));

    // Only what the pages really link as code, and only for papers
    // without code of their own.
    assert_eq!(
        r.found(),
        [
            ("https://github.com/big/early", "https://big.example/e/"),
            (
                "https://github.com/lab/ghost",
                "https://lab.github.io/ghost/"
            ),
            (
                "https://github.com/lab/method",
                "https://lab.github.io/method/"
            ),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let a = r.paper("Method A");
    assert_eq!(a["best_repo"], "lab/method");
    assert_eq!(a["best_repo_stars"], "42");
    assert_eq!(a["code_state"], "linked_via_page");
    assert_eq!(a["claims_code_without_link"], "false");
    assert_eq!(a["code_links"], "1");
    let m = r
        .repo("lab/method")
        .expect("the found repository is audited");
    assert_eq!(m["found_via"], "https://lab.github.io/method/");
    assert_eq!(m["health"], "active");
    assert_eq!(m["papers"], "1");
    let found = r.link("https://github.com/lab/method");
    assert_eq!(found.len(), 1);
    assert_eq!(
        [&found[0]["status"], &found[0]["role"], &found[0]["repo"]],
        ["ok", "code", "lab/method"]
    );
    assert_eq!(
        found[0]["paper"],
        "Method A: the paper whose page links its code"
    );
    let page = r.link("https://lab.github.io/method/");
    assert_eq!(page[0]["page_code_links"], "https://github.com/lab/method");
    assert_eq!(page[0]["found_via"], "");
    assert!(
        r.popularity.contains(
            "[lab/method](https://github.com/lab/method) (via [project page](https://lab.github.io/method/))"
        ),
        "{}",
        r.popularity
    );
    assert!(
        r.popularity
            .contains("Method A: the paper whose page links its code")
    );
    let page_html = std::fs::read_to_string(w.dir.path().join("on/index.html")).unwrap();
    assert!(
        page_html.contains(
            "<a class=\"via\" href=\"https://lab.github.io/method/\">via project page</a>"
        ),
        "the report page says where the repository was found"
    );
    let summary = std::fs::read_to_string(w.dir.path().join("on/summary.md")).unwrap();
    assert!(
        summary.contains("repositories (3 found on project pages)"),
        "{summary}"
    );

    // Its own site, share buttons and the github.io source do not count.
    assert_eq!(r.paper("Self B")["code_state"], "none");
    assert_eq!(
        r.link("https://self.github.io/b/")[0]["page_code_links"],
        "none"
    );
    assert_eq!(r.paper("Source C")["best_repo"], "");
    assert!(r.repo("src/src.github.io").is_none());
    assert!(r.repo("lab/lab.github.io").is_none() && r.repo("lab/shared").is_none());

    // A missing repository on a page: missing, broken, failing as usual.
    let ghost = r.repo("lab/ghost").expect("audited");
    assert_eq!(ghost["health"], "missing");
    assert_eq!(ghost["found_via"], "https://lab.github.io/ghost/");
    assert_eq!(
        r.link("https://github.com/lab/ghost")[0]["status"],
        "broken"
    );
    assert_eq!(r.paper("Ghost D")["health"], "missing");

    // Over max_page_bytes: the first max_page_bytes are read, links there
    // count, the rest is not read.
    assert_eq!(r.paper("Big E")["best_repo"], "big/early");
    assert!(r.repo("big/late").is_none());

    // Not HTML: looked at, nothing taken.
    assert_eq!(
        r.link("https://pdf.example/f.pdf")[0]["page_code_links"],
        "none"
    );
    assert!(r.repo("pdf/hidden").is_none());

    // A paper with a code link of its own: its page is checked, not read.
    let g = r.paper("Direct G");
    assert_eq!(
        (g["best_repo"].as_str(), g["code_state"].as_str()),
        ("lab/direct", "linked")
    );
    assert_eq!(
        r.link("https://lab.github.io/direct/")[0]["page_code_links"],
        ""
    );
    assert!(r.repo("lab/hidden").is_none());
    // The same page linked by a paper with code: that paper gets nothing
    // from it (lab/method above has one link and one paper).
    let h = r.paper("Shared H");
    assert_eq!(
        [
            h["best_repo"].as_str(),
            h["code_state"].as_str(),
            h["links"].as_str()
        ],
        ["lab/direct", "linked", "2"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_follow_changes_nothing_but_following_and_makes_no_extra_request() {
    let w = World::new().await;
    assert_eq!(w.run("off", &["--no-follow"]), 0);
    assert_eq!(
        w.hits(),
        vec![1; PAGES.len()],
        "the same one request per page"
    );
    let r = Reports::read(&w.dir.path().join("off"));
    assert!(r.found().is_empty());
    assert!(r.links.iter().all(|l| l["page_code_links"].is_empty()));
    assert_eq!(r.paper("Method A")["code_state"], "none");
    assert_eq!(r.paper("Method A")["best_repo"], "");
    assert!(r.repo("lab/method").is_none());
    assert!(r.repos.iter().all(|r| r["found_via"].is_empty()));
    assert!(!r.popularity.contains("lab/method"));
    assert!(!r.popularity.contains("via [project page]"));

    // Following on: the same page requests, nothing more.
    assert_eq!(w.run("on", &["--no-cache"]), 2);
    assert_eq!(w.hits(), vec![2; PAGES.len()]);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_incremental_run_reuses_the_page_and_still_reports_its_code() {
    let w = World::new().await;
    assert_eq!(w.run("out", &[]), 2);
    assert_eq!(w.hits(), vec![1; PAGES.len()]);
    let api_before = w.github.total_calls();

    assert_eq!(w.run("out", &[]), 2);
    assert_eq!(
        w.hits(),
        vec![1; PAGES.len()],
        "no request for a reused page"
    );
    let r = Reports::read(&w.dir.path().join("out"));
    let page = r.link("https://lab.github.io/method/");
    assert_eq!(
        [&page[0]["cached"], &page[0]["page_code_links"]],
        ["true", "https://github.com/lab/method"]
    );
    let a = r.paper("Method A");
    assert_eq!(
        [a["best_repo"].as_str(), a["code_state"].as_str()],
        ["lab/method", "linked_via_page"]
    );
    let m = r.repo("lab/method").unwrap();
    assert_eq!(
        [&m["found_via"], &m["cached"]],
        ["https://lab.github.io/method/", "true"]
    );
    assert_eq!(r.paper("Big E")["best_repo"], "big/early");
    assert!(
        r.popularity
            .contains("(via [project page](https://lab.github.io/method/))")
    );
    // Found repositories are reused like any other: only the missing one
    // is asked about again.
    assert!(w.github.total_calls() > api_before);
    assert_eq!(r.repo("lab/ghost").unwrap()["health"], "missing");
}

/// The page rules on their own: same site, share buttons, the github.io
/// source, duplicates, the cap, and relative or broken markup.
#[test]
fn what_on_a_page_counts_as_its_code() {
    let rec = Recognizer::new(&Config::default());
    let from = url::Url::parse("http://127.0.0.1:1/x").unwrap();
    let links = |page: &str, body: &str| page_code_links(&rec, page, &from, body.as_bytes());
    let body = r#"<a href="https://github.com/o/o.github.io">fork me</a>
        <a href="https://o.github.io/other">same site</a>
        <a href="https://github.com/o/real">Code</a>
        <a href="https://github.com/o/real">Code again</a>
        <a href="/relative">relative</a>
        <a href="https://github.com/o">a profile, not a repository</a>
        <a href="https://huggingface.co/o/model">Weights</a>
        <a href="https://x.com/intent/post?url=https://github.com/o/x">share</a>
        <a href="https://www.linkedin.com/sharing/share-offsite/?url=https://github.com/o/y">share</a>
        <a href="https://github.com/o/trunc"#;
    assert_eq!(
        links("https://o.github.io/p/", body),
        [
            "https://github.com/o/real",
            "https://huggingface.co/o/model"
        ]
    );
    // The source repository counts when the page is not that site.
    assert_eq!(
        links("https://example.org/p/", body)[0],
        "https://github.com/o/o.github.io"
    );
    // A repository on the page's own host is the site's navigation.
    assert!(
        links("https://github.com/o/real", body)
            .iter()
            .all(|u| !u.starts_with("https://github.com/"))
    );
    let many: String = (0..30)
        .map(|i| format!(r#"<a href="https://github.com/o/r{i}">r{i}</a>"#))
        .collect();
    let kept = links("https://example.org/", &many);
    assert_eq!(kept.len(), MAX_PAGE_CODE_LINKS);
    assert_eq!(kept[0], "https://github.com/o/r0");
    assert!(links("https://example.org/", "\u{0}<<<>>\u{fffd}").is_empty());
    // A path whose last bytes split a character (the role table's path
    // suffix rules once sliced it): no panic, nothing taken.
    assert!(
        links(
            "https://example.org/",
            r#"<a href="https://example.org/éabc">x</a>"#
        )
        .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn under_head_a_followed_page_is_asked_once_with_get() {
    let w = World::new().await;
    assert_eq!(w.run_with("head", &[], "method = \"head\""), 2);
    assert_eq!(w.hits(), vec![1; PAGES.len()]);
    assert_eq!(w.web.hits_method("GET", "/lab.github.io/method/"), 1);
    // A project link that is not followed keeps the configured method.
    assert_eq!(w.web.hits_method("HEAD", "/lab.github.io/direct/"), 1);
    let r = Reports::read(&w.dir.path().join("head"));
    assert_eq!(r.paper("Method A")["code_state"], "linked_via_page");
}

/// The checker side alone: which answers are handed to the reader, and how
/// much of them. An 8 MiB page is read up to the cap and no further; a
/// non-HTML 2xx, a 404 page and a job not asked for are never read.
#[tokio::test]
async fn the_checker_hands_over_capped_html_bodies_of_chosen_jobs_only() {
    const CAP: usize = 1 << 20;
    const SMALL: &str = r#"<a href="https://github.com/o/r">code</a>"#;
    let big = format!("<html>{}</html>", "x".repeat(8 << 20));
    let web = WebServer::start(move |r| match r.path.as_str() {
        "/big" => Reply::status(200)
            .header("Content-Type", "text/html")
            .body(&big),
        "/json" => Reply::status(200)
            .header("Content-Type", "application/json")
            .body("{}"),
        "/gone" => Reply::status(404)
            .header("Content-Type", "text/html")
            .body("<html></html>"),
        _ => html(SMALL),
    })
    .await;
    let small_len = format!("<!doctype html><html><body>{SMALL}</body></html>").len();
    let checker = Checker::new(&CheckConfig {
        allow_private: true,
        retries: 0,
        ..CheckConfig::default()
    })
    .unwrap();
    let seen: Arc<Mutex<Vec<(u32, usize)>>> = Arc::default();
    let record = seen.clone();
    let pages = Pages {
        ids: HashSet::from([0, 1, 2, 3]),
        max_bytes: CAP,
        read: Box::new(move |id, _, body| {
            record.lock().unwrap().push((id, body.len()));
            vec![format!("found-by-{id}")]
        }),
    };
    let jobs: Vec<(u32, String)> = ["/big", "/json", "/gone", "/page", "/page"]
        .iter()
        .enumerate()
        .map(|(i, p)| (i as u32, web.url(p)))
        .collect();
    let mut results: HashMap<u32, LinkResult> = HashMap::new();
    tokio::time::timeout(
        HANG_GUARD,
        checker.check_pages(jobs, pages, Default::default(), &mut |id, r| {
            results.insert(id, r);
        }),
    )
    .await
    .expect("no hang");
    let mut seen = seen.lock().unwrap().clone();
    seen.sort();
    assert_eq!(
        seen,
        [(0, CAP), (3, small_len)],
        "only the chosen HTML pages"
    );
    let links = |id: u32| results[&id].page_links.as_deref().map(<[String]>::to_vec);
    assert_eq!(results[&0].status, Status::Ok);
    assert_eq!(links(0), Some(vec!["found-by-0".to_string()]));
    assert_eq!(links(1), Some(vec![]), "looked at, not HTML");
    assert_eq!(results[&2].status, Status::Broken);
    assert_eq!(links(2), None, "a failed page is not read");
    assert_eq!(links(4), None, "not asked for");
    assert_eq!(web.requests(), 5, "one request per job");
}

/// A URL first seen under another role is checked while extraction runs
/// (the streaming start), without its page; when a later occurrence makes
/// it a followed project page, it is asked again with its page beside the
/// other jobs. Its first, page-less answer is held back here past the
/// plan: it is asked again once that answer is in, and the page's answer
/// is the one reported.
#[tokio::test(flavor = "multi_thread")]
async fn a_streamed_url_that_becomes_a_followed_page_keeps_its_page_answer() {
    const BOTH: &str = "/lab.github.io/both/";
    let asked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = asked.clone();
    let web = WebServer::start(move |r| {
        if r.path != BOTH {
            return Reply::status(404);
        }
        let reply = html(r#"<a href="https://github.com/lab/method">Code</a>"#);
        // The first request (the streamed one) is still in flight when
        // the plan arrives.
        match counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
            0 => reply.delay(Duration::from_millis(1500)),
            _ => reply,
        }
    })
    .await;
    let papers = "# Papers\n\n## Data X: a paper with code that links the page as its data\n\n\
         Code: <https://github.com/lab/direct>\n\nDataset: <https://lab.github.io/both/>\n\n\
         ## Method Y: the paper whose project page it is\n\n\
         Project page: <https://lab.github.io/both/>\n";
    let w = World::with(&["lab/method"], web, papers).await;
    let code = w.run("out", &[]);
    assert!(code == 0 || code == 2, "exit {code}");
    let r = Reports::read(&w.dir.path().join("out"));
    let page = r.link("https://lab.github.io/both/");
    assert_eq!(page.len(), 2, "{:?}", r.links);
    for row in &page {
        assert_eq!(row["status"], "ok");
        assert_eq!(row["page_code_links"], "https://github.com/lab/method");
    }
    assert_eq!(
        r.found(),
        [(
            "https://github.com/lab/method".to_string(),
            "https://lab.github.io/both/".to_string()
        )]
    );
    assert_eq!(r.paper("Method Y")["code_state"], "linked_via_page");
    assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 2);
}

/// The other side of the rule above: a streamed URL still waiting for a
/// slot when the plan makes it a followed page is asked once, with its
/// page, not once more. One slot: a slow link holds it while extraction
/// ends and the plan arrives.
#[tokio::test(flavor = "multi_thread")]
async fn a_streamed_url_still_queued_when_it_becomes_a_followed_page_is_asked_once() {
    const BOTH: &str = "/lab.github.io/both/";
    const SLOW: &str = "/lab.github.io/slow/";
    let asked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = asked.clone();
    let web = WebServer::start(move |r| match r.path.as_str() {
        SLOW => Reply::status(404).delay(Duration::from_millis(1500)),
        BOTH => {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            html(r#"<a href="https://github.com/lab/method">Code</a>"#)
        }
        _ => Reply::status(404),
    })
    .await;
    let papers = "# Papers\n\n## Data X: a paper with code that links the page as its data\n\n\
         Code: <https://github.com/lab/direct>\n\nDataset: <https://lab.github.io/slow/>\n\n\
         Dataset: <https://lab.github.io/both/>\n\n\
         ## Method Y: the paper whose project page it is\n\n\
         Project page: <https://lab.github.io/both/>\n";
    let w = World::with(&["lab/method"], web, papers).await;
    let code = w.run_with("out", &[], "max_concurrency = 1");
    assert!(code == 0 || code == 2, "exit {code}");
    let r = Reports::read(&w.dir.path().join("out"));
    for row in &r.link("https://lab.github.io/both/") {
        assert_eq!(row["status"], "ok");
        assert_eq!(row["page_code_links"], "https://github.com/lab/method");
    }
    assert_eq!(r.paper("Method Y")["code_state"], "linked_via_page");
    assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 1);
}

/// The checker's side of a job fed again once the pages are known (the
/// streaming start's followed pages): fed before the pages, a job already
/// answered is asked again with its page, one in flight is asked again
/// once it has answered, and one fed twice after the pages is asked once.
/// Every step waits for what the checker did, never for a time.
#[tokio::test(flavor = "multi_thread")]
async fn a_job_fed_again_for_its_page_is_asked_again_only_when_it_lacks_it() {
    use paperlinks::check::Feed;
    const PAGE: &str = r#"<a href="https://github.com/o/r">code</a>"#;
    let web = WebServer::start(move |r| match r.path.as_str() {
        "/slow" => html(PAGE).delay(Duration::from_millis(1500)),
        _ => html(PAGE),
    })
    .await;
    let checker = Checker::new(&CheckConfig {
        allow_private: true,
        retries: 0,
        ..CheckConfig::default()
    })
    .unwrap();
    let (feed, rx) = tokio::sync::mpsc::channel(16);
    let (answers, mut answered) = tokio::sync::mpsc::unbounded_channel();
    let running = checker.clone();
    let task = tokio::spawn(async move {
        running
            .check_feed(rx, Default::default(), &mut |id, r: LinkResult| {
                let _ = answers.send((id, r.page_links.is_some()));
            })
            .await
    });
    let url = |p: &str| web.url(p);
    // Job 0 is answered before the pages are known: without its page.
    feed.send(Feed::Job(0, url("/done"))).await.unwrap();
    let first = tokio::time::timeout(HANG_GUARD, answered.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first, (0, false));
    // Job 1 is in flight when the pages arrive.
    feed.send(Feed::Job(1, url("/slow"))).await.unwrap();
    tokio::time::timeout(HANG_GUARD, async {
        while web.hits("/slow") == 0 {
            tokio::task::yield_now().await;
        }
    })
    .await
    .unwrap();
    let pages = Pages {
        ids: HashSet::from([0, 1, 2]),
        max_bytes: 1 << 16,
        read: Box::new(|_, _, _| vec!["https://github.com/o/r".to_string()]),
    };
    feed.send(Feed::Pages(Arc::new(pages))).await.unwrap();
    for (id, path) in [(0, "/done"), (1, "/slow"), (2, "/new"), (2, "/new")] {
        feed.send(Feed::Job(id, url(path))).await.unwrap();
    }
    drop(feed);
    tokio::time::timeout(HANG_GUARD, task)
        .await
        .unwrap()
        .unwrap();
    let mut rest = Vec::new();
    while let Ok(a) = answered.try_recv() {
        rest.push(a);
    }
    rest.sort();
    // 1 answers twice: without its page (started before the pages), then
    // with it; 0 once more with its page; 2 once, with its page.
    assert_eq!(rest, [(0, true), (1, false), (1, true), (2, true)]);
    assert_eq!(web.hits("/done"), 2);
    assert_eq!(web.hits("/slow"), 2);
    assert_eq!(web.hits("/new"), 1);
}
