//! index.html end to end (issue 16): `paperlinks check` over a generated
//! paper list, against a web server and a fake GitHub API on 127.0.0.1,
//! writes a page whose tables have one row per line of repos.csv and
//! papers.csv and one per failing link of links.csv.
//!
//! Also the generator of the sample page that `scripts/check-html.sh`
//! opens in headless Chromium: set `PAPERLINKS_SAMPLE_HTML=PATH` to keep a
//! copy of the page, `PAPERLINKS_SAMPLE_PAPERS=N` for N papers (default 60).

use crate::support;

use paperlinks::model::Status;
use paperlinks::report::html::{MAX_FAILING_ROWS, MAX_PAPER_ROWS};
use std::path::Path;
use support::fake_github::{FakeGithub, FakeRepo};
use support::web::{Reply, WebServer};

/// Paper i links repository `lab{i % repos}/model{..}`; every 7th paper
/// also links a dead page, every 11th only says its code is available.
fn generate(n: usize) -> (String, Vec<FakeRepo>) {
    let repos = (n * 4 / 5).max(1);
    let mut fake = Vec::new();
    for i in 0..repos {
        let name = format!("lab{i}/model-{i}");
        let stars = ((i as u64 * 7919) % 5000) * ((i as u64 % 4) + 1) + 3;
        let r = FakeRepo::new(&name).stars(stars);
        match i % 10 {
            0 if i > 0 => {} // missing: not on the fake GitHub
            1 => fake.push(r.archived()),
            2 | 5 => fake.push(r.pushed_days_ago(400 + i as i64)),
            3 if i % 20 == 3 => fake.push(r.readme_only()),
            4 if i % 40 == 4 => fake.push(r.empty()),
            _ => fake.push(r.pushed_days_ago((i % 300) as i64)),
        }
    }
    let mut text = String::from("Daily Papers\n\n");
    for i in 0..n {
        let title = if i == 3 {
            "Escaping <script>alert(1)</script> & friends in titles".to_owned()
        } else {
            format!("Learning representation number {i} for robust evaluation")
        };
        let body = if i % 11 == 10 {
            "Code will be available soon.".to_owned()
        } else if i % 7 == 6 {
            format!(
                "Code is available at https://github.com/lab{r}/model-{r} and the project page https://dead.example/p{i}.",
                r = i % repos
            )
        } else {
            format!(
                "Code is available at https://github.com/lab{r}/model-{r}.",
                r = i % repos
            )
        };
        text.push_str(&format!(
            "{title}\n\nWe study the problem at length and report results on several tasks. {body}\n\n"
        ));
    }
    (text, fake)
}

fn csv_rows(path: &Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect()
}

fn body_rows(html: &str, id: &str) -> usize {
    let start = html
        .find(&format!("<table id=\"{id}\""))
        .unwrap_or_else(|| panic!("table {id}"));
    let table = &html[start..];
    let table = &table[..table.find("</table>").unwrap()];
    table.matches("<tr").count() - 1 // the heading row
}

#[tokio::test(flavor = "multi_thread")]
async fn check_writes_index_html_with_the_reports_rows() {
    let n = std::env::var("PAPERLINKS_SAMPLE_PAPERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let (text, fake_repos) = generate(n);
    let fake = FakeGithub::start(fake_repos).await;
    let web = WebServer::start(|req| {
        if req.path.starts_with("/dead.example/") {
            Reply::status(404)
        } else {
            Reply::status(200)
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("papers.txt");
    std::fs::write(&input, text).unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            r#"output_dir = "{out}"
[check]
allow_private = true
retries = 0
remap = ["^https://(.*)$ {web}/$1"]
[github]
api_url = "{api}"
[archive]
# Hermetic: no archive service is asked (archive.org would be resolved).
enabled = false
"#,
            out = dir.path().join("reports").display(),
            web = web.url(""),
            api = fake.url(),
        ),
    )
    .unwrap();
    let output = crate::support::cmd::paperlinks()
        .args(["check", "--config"])
        .arg(&cfg)
        .arg("papers.txt")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "dead links and missing repositories fail the run: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let reports = dir.path().join("reports");
    let html = std::fs::read_to_string(reports.join("index.html")).expect("index.html written");
    if let Ok(keep) = std::env::var("PAPERLINKS_SAMPLE_HTML") {
        std::fs::write(&keep, &html).unwrap();
    }

    let repos = csv_rows(&reports.join("repos.csv"));
    let papers = csv_rows(&reports.join("papers.csv"));
    let failing = csv_rows(&reports.join("links.csv"))
        .iter()
        .filter(|r| r[6].parse::<Status>().unwrap().is_failure())
        .count();
    assert!(failing > 0 && !repos.is_empty() && papers.len() == n);
    assert_eq!(body_rows(&html, "repos"), repos.len());
    assert_eq!(body_rows(&html, "papers"), papers.len().min(MAX_PAPER_ROWS));
    assert_eq!(body_rows(&html, "failing"), failing.min(MAX_FAILING_ROWS));
    assert!(html.contains("Escaping &#60;script&#62;") || html.contains("Escaping &lt;script&gt;"));
    assert_eq!(html.matches("<script").count(), 1);
    assert!(html.contains("Exit code 2:"));
}
