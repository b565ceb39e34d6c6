//! index.html (issue 16): escaping of every inserted string, one row per
//! failing link / repository / paper, nothing loaded from outside the file,
//! the Content-Security-Policy hash matching the page's one script, and the
//! page's size for 1,000 papers. No network at all. (The page is checked in
//! a real browser by `scripts/check-html.sh`.)

use base64::Engine as _;
use chrono::{DateTime, TimeZone, Utc};
use paperlinks::model::{
    CodeState, Forge, Health, LinkResult, LinkRow, PaperRow, RepoInfo, RepoKind, RepoRow, Status,
};
use paperlinks::report::html::{HtmlInput, content_security_policy, forge_of, render_html_report};
use paperlinks::report::{LinkEntry, LinkTally, SummaryInput, rank_repos};
use paperlinks::verdict::{FailPolicy, Judge};
use sha2::Digest as _;
use std::time::Duration;

const EVIL: &str =
    r#"<script>alert("x")</script> & 'quotes' "double" <img src=x onerror=alert(1)>"#;

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, day, 12, 0, 0).unwrap()
}

fn result(status: Status, http: Option<u16>) -> LinkResult {
    LinkResult {
        status,
        http_status: http,
        final_url: None,
        error: String::new(),
        elapsed_ms: 1,
        checked_at: at(10),
        redirect_chain: vec![],
        redirect_codes: None,
        cached: false,
        page_links: None,
    }
}

fn repo(name: &str, stars: Option<u64>, health: Health, url: &str) -> RepoRow {
    RepoRow {
        repo: name.into(),
        info: stars.map(|s| RepoInfo {
            canonical: name.into(),
            url: url.into(),
            stars: s,
            forks: 0,
            watchers: 0,
            open_issues: 0,
            license: Some(EVIL.into()),
            language: None,
            created_at: None,
            pushed_at: Some(at(1 + (s % 27) as u32)),
            last_commit_at: None,
            commits_90d: None,
            latest_release: None,
            latest_release_at: None,
            archived: false,
            fork: false,
            empty: false,
            has_code: true,
            ..RepoInfo::default()
        }),
        papers: 1,
        links: 1,
        health,
        days_since_push: None,
        rank: None,
        error: String::new(),
        fetched_at: at(10),
        cached: false,
        stars_delta: None,
        previous_report_at: None,
        archive: Default::default(),
        forge: Default::default(),
        kind: Default::default(),
        found_via: String::new(),
    }
}

fn paper<'a>(title: &'a str, line: u32, claims: bool) -> PaperRow<'a> {
    PaperRow {
        source: "papers.md",
        line,
        paper: title,
        links: u32::from(!claims),
        code_links: u32::from(!claims),
        repos: 0,
        broken_links: 0,
        best_repo: String::new(),
        best_repo_stars: None,
        health: None,
        claims_code_without_link: claims,
        code_state: if claims {
            CodeState::Promised
        } else {
            CodeState::Linked
        },
        ..Default::default()
    }
}

/// Renders a page from `urls` (each with its status) and `repos`.
fn render(
    links: &[(&str, Status)],
    repos: &[RepoRow],
    papers: &[PaperRow<'_>],
    fails_link: &dyn Fn(&LinkEntry) -> bool,
) -> String {
    let results: Vec<LinkResult> = links.iter().map(|(_, s)| result(*s, Some(404))).collect();
    let policy = FailPolicy::default();
    let judge = Judge::without_history(&policy);
    let mut tally = LinkTally::new(false);
    for (i, ((url, _), r)) in links.iter().zip(&results).enumerate() {
        tally.add(
            &LinkRow {
                source: "papers.md",
                line: i + 1,
                column: 3,
                paper: EVIL,
                url,
                repo: "",
                result: Some(r),
                first_failed_at: None,
                ..Default::default()
            },
            &judge,
        );
    }
    let rows: Vec<LinkRow<'_>> = links
        .iter()
        .zip(&results)
        .enumerate()
        .map(|(i, ((url, _), r))| LinkRow {
            source: "papers.md",
            line: i + 1,
            column: 3,
            paper: EVIL,
            url,
            result: Some(r),
            ..Default::default()
        })
        .collect();
    // Link i belongs to paper i (modulo the papers).
    let visit = |_: &dyn Fn(usize) -> bool, f: &mut dyn FnMut(Option<usize>, &LinkRow<'_>)| {
        for (i, row) in rows.iter().enumerate() {
            f((!papers.is_empty()).then(|| i % papers.len()), row);
        }
    };
    let summary = SummaryInput {
        links: &tally,
        repos,
        has_previous_repos: false,
        judge,
        interrupted: false,
        duration: Duration::from_millis(1500),
        api_calls: 3,
        api_answered: 3,
        forge_calls: Vec::new(),
        exit_code: 2,
        exit_reason: format!("1 failures under fail_on [broken] {EVIL}"),
        notes: vec![EVIL.to_owned()],
    };
    render_html_report(&HtmlInput {
        summary: &summary,
        papers,
        links: &visit,
        generated_at: at(10),
        fails_link,
        fails_repo: &|r| r.health == Health::Missing,
    })
    .unwrap()
}

/// The `<tbody>` rows of the table with this id.
fn body_rows(html: &str, id: &str) -> usize {
    let start = html
        .find(&format!("<table id=\"{id}\""))
        .unwrap_or_else(|| panic!("table {id}"));
    let table = &html[start..];
    let table = &table[..table.find("</table>").unwrap()];
    let body = &table[table.find("<tbody>").unwrap()..];
    body.matches("<tr").count()
}

fn sample_repos() -> Vec<RepoRow> {
    let mut repos = vec![
        repo(
            "big/one",
            Some(900),
            Health::Active,
            "https://github.com/big/one",
        ),
        repo(
            "old/stale",
            Some(50),
            Health::Stale,
            "https://github.com/old/stale",
        ),
        repo("gone/away", None, Health::Missing, ""),
        repo(
            "lab/elsewhere",
            Some(5),
            Health::Active,
            "https://gitlab.com/lab/elsewhere",
        ),
    ];
    repos[3].forge = Forge::Gitlab;
    rank_repos(&mut repos);
    repos
}

#[test]
fn every_inserted_string_is_escaped() {
    let repos = sample_repos();
    let papers = [paper(EVIL, 1, true), paper("Plain", 2, false)];
    let html = render(
        &[
            ("https://dead.example/a?x=<script>", Status::Broken),
            ("javascript:alert(1)", Status::Broken),
        ],
        &repos,
        &papers,
        &|_| true,
    );
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(!html.contains("<img src=x"), "no injected element");
    assert!(!html.contains("alert(\"x\")"), "quotes in text escaped");
    assert!(
        html.contains("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;")
            || html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"),
        "the title is shown, escaped"
    );
    assert!(!html.contains("href=\"javascript:"), "no javascript: link");
    assert!(
        html.contains("href=\"https://dead.example/a?x=&#60;script&#62;\"")
            || html.contains("href=\"https://dead.example/a?x=&lt;script&gt;\""),
        "the attribute value is escaped too"
    );
}

#[test]
fn one_row_per_failing_link_repository_and_paper() {
    let repos = sample_repos();
    let papers: Vec<PaperRow<'_>> = (0..7).map(|i| paper("Paper", i + 1, i % 3 == 0)).collect();
    let html = render(
        &[
            ("https://a.example/", Status::Broken),
            ("https://b.example/", Status::Ok),
            ("https://c.example/", Status::Timeout),
            ("https://d.example/", Status::Broken),
        ],
        &repos,
        &papers,
        &|e| e.status == Status::Broken,
    );
    assert_eq!(body_rows(&html, "failing"), 3, "broken, timeout, broken");
    assert_eq!(body_rows(&html, "repos"), 4);
    assert_eq!(body_rows(&html, "papers"), 7);
    // The failure decision is the caller's: two broken links fail the run,
    // the timeout is reported only; one repository is missing; three
    // papers claim code without a link.
    let failing = &html[html.find("<table id=\"failing\"").unwrap()..];
    let failing = &failing[..failing.find("</table>").unwrap()];
    assert_eq!(failing.matches("<tr class=\"e\">").count(), 2);
    assert!(html.contains("data-count=\"3\">active") || html.contains("data-count=\"2\">active"));
    assert!(html.contains("<option value=\"gitlab\" data-count=\"1\">gitlab (1)</option>"));
    assert!(html.contains("<option value=\"github\" data-count=\"3\">github (3)</option>"));
    assert!(html.contains("promises code, links none"));
}

#[test]
fn nothing_is_loaded_from_outside_the_file() {
    let repos = sample_repos();
    let html = render(
        &[("https://a.example/", Status::Broken)],
        &repos,
        &[],
        &|_| true,
    );
    for bad in [
        "<link",
        "@import",
        "url(",
        "<iframe",
        "<object",
        " src=\"http",
        " src=\"//",
    ] {
        assert!(!html.contains(bad), "{bad}");
    }
    // The only image is the chart, as a data: URI holding the popularity SVG
    // (the `<img` of the hostile licence text is escaped).
    assert_eq!(html.matches("<img").count(), 1);
    let b64 = html
        .split("src=\"data:image/svg+xml;base64,")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the chart is inline");
    let svg = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    let svg = String::from_utf8(svg).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("big/one"),
        "{svg:.200}"
    );
}

#[test]
fn the_policy_allows_exactly_the_page_script() {
    let html = render(&[], &sample_repos(), &[], &|_| true);
    let script = html
        .split("<script>")
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .unwrap();
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script));
    let csp = content_security_policy();
    assert!(
        csp.contains(&format!("script-src 'sha256-{hash}'")),
        "{csp}"
    );
    assert!(
        html.contains(&format!("content=\"{}\"", csp.replace('\'', "&#39;")))
            || html.contains(&format!("content=\"{csp}\"")),
        "the page carries the policy"
    );
    assert!(csp.starts_with("default-src 'none';"));
}

#[test]
fn forge_and_renamed_come_from_the_row() {
    // A missing Hugging Face model (no answer, no URL) is Hugging Face's.
    let mut missing = repo("huggingface.co/o/gone-model", None, Health::Missing, "");
    missing.forge = Forge::Huggingface;
    missing.kind = RepoKind::Model;
    assert_eq!(forge_of(&missing), "huggingface");
    // Found under the name linked (host aside, any case): not renamed.
    let mut found = repo(
        "huggingface.co/openai/whisper-large-v3",
        Some(10),
        Health::Active,
        "https://huggingface.co/openai/whisper-large-v3",
    );
    found.forge = Forge::Huggingface;
    found.kind = RepoKind::Model;
    found.info.as_mut().unwrap().canonical = "OpenAI/whisper-large-v3".into();
    // Moved on GitLab: renamed.
    let mut moved = repo(
        "gitlab.com/lab/old",
        Some(3),
        Health::Active,
        "https://gitlab.com/lab/new",
    );
    moved.forge = Forge::Gitlab;
    moved.info.as_mut().unwrap().canonical = "lab/new".into();
    let html = render(&[], &[missing, found, moved], &[], &|_| true);
    assert!(
        html.contains("<option value=\"huggingface\" data-count=\"2\">huggingface (2)</option>"),
        "{html}"
    );
    assert!(
        !html.contains("<option value=\"github\""),
        "nothing is guessed to be GitHub"
    );
    assert!(!html.contains("whisper-large-v3</a> (now"), "not renamed");
    assert!(html.contains("gitlab.com/lab/old</a> (now lab/new)"));
}

#[test]
fn each_paper_unfolds_to_its_links_with_role_status_reason_and_repository() {
    let mut repos = sample_repos();
    rank_repos(&mut repos);
    let papers = [
        paper("First paper", 1, false),
        paper("Second paper", 2, false),
    ];
    let html = render(
        &[
            ("https://dead.example/code", Status::Broken),
            ("https://slow.example/", Status::Timeout),
        ],
        &repos,
        &papers,
        &|_| true,
    );
    let first = html
        .find("<summary>First paper</summary>")
        .expect("a detail per paper");
    let second = html.find("<summary>Second paper</summary>").unwrap();
    let detail = &html[first..second];
    assert!(
        detail.contains("<span class=\"role\">project</span>"),
        "{detail}"
    );
    assert!(
        detail.contains("href=\"https://dead.example/code\""),
        "{detail}"
    );
    assert!(
        detail.contains("<span class=\"s-broken\">broken (404)</span>"),
        "{detail}"
    );
    assert!(
        detail.contains("HTTP 404 Not Found"),
        "the reason: {detail}"
    );
    assert!(html[second..].contains("https://slow.example/"));
    // One search box; every column of every table has a sort button.
    assert_eq!(html.matches("<input type=\"search\" id=\"q\"").count(), 1);
    for id in ["failing", "repos", "papers"] {
        let t = &html[html.find(&format!("<table id=\"{id}\"")).unwrap()..];
        let head = &t[..t.find("</thead>").unwrap()];
        assert_eq!(
            head.matches("</th>").count(),
            head.matches("<button").count(),
            "{id}: {head}"
        );
    }
}

#[test]
fn a_thousand_papers_make_a_small_page() {
    let titles: Vec<String> = (0..1000)
        .map(|i| format!("A reasonably long paper title about topic number {i} and its evaluation"))
        .collect();
    let papers: Vec<PaperRow<'_>> = titles
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut p = paper(t, i as u32 * 3 + 1, false);
            p.best_repo = format!("group{i}/project-{i}");
            p.best_repo_stars = Some(i as u64 * 7);
            p.health = Some(Health::Active);
            p
        })
        .collect();
    let mut repos: Vec<RepoRow> = (0..1000)
        .map(|i| {
            let name = format!("group{i}/project-{i}");
            let url = format!("https://github.com/{name}");
            let mut r = repo(&name, Some(i * 7), Health::Active, &url);
            if let Some(info) = r.info.as_mut() {
                info.license = Some("Apache-2.0".into());
            }
            r
        })
        .collect();
    rank_repos(&mut repos);
    let urls: Vec<String> = (0..100)
        .map(|i| format!("https://dead{i}.example/code"))
        .collect();
    let links: Vec<(&str, Status)> = urls.iter().map(|u| (u.as_str(), Status::Broken)).collect();
    let html = render(&links, &repos, &papers, &|_| true);
    assert_eq!(body_rows(&html, "papers"), 1000);
    assert_eq!(body_rows(&html, "repos"), 1000);
    assert!(
        html.len() < 500_000,
        "{} bytes for 1,000 papers",
        html.len()
    );
}

#[test]
fn a_long_list_shows_its_papers_with_problems_first_and_says_so() {
    use paperlinks::report::html::MAX_PAPER_ROWS;
    let n = MAX_PAPER_ROWS + 500;
    let titles: Vec<String> = (0..n).map(|i| format!("Paper {i}")).collect();
    // The last 10 papers promise code without a link: past the cap in input
    // order, listed anyway.
    let papers: Vec<PaperRow<'_>> = titles
        .iter()
        .enumerate()
        .map(|(i, t)| paper(t, i as u32 + 1, i >= n - 10))
        .collect();
    let html = render(&[], &[], &papers, &|_| true);
    assert_eq!(body_rows(&html, "papers"), MAX_PAPER_ROWS);
    assert!(html.contains(&format!("Papers ({n})")));
    assert!(html.contains(&format!(
        "{MAX_PAPER_ROWS} of {n} papers are listed, those with a problem first"
    )));
    let last = format!("<td>Paper {}<td>", n - 1);
    assert!(
        html.contains(&last),
        "a paper with a problem past the cap is listed"
    );
    assert!(!html.contains(&format!("<td>Paper {}<td>", MAX_PAPER_ROWS)));
    // Input order is kept among the rows listed.
    let first = html.find("<td>Paper 0<td>").unwrap();
    assert!(first < html.find(&last).unwrap());
}
