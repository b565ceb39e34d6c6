//! SARIF and JUnit (issue 16): every SARIF file produced here is validated
//! against the official SARIF 2.1.0 schema (OASIS errata 01, vendored in
//! `tests/fixtures/sarif-schema-2.1.0.json`, byte for byte the file
//! `sarif-2.1/schema/sarif-schema-2.1.0.json` of oasis-tcs/sarif-spec at
//! e058381, SHA-256 c3b4bb2d...2682e); fingerprints are stable across
//! runs and distinct per occurrence; junit.xml is read back with a JUnit
//! reader (`quick-junit`) and its failure count compared with the policy.
//! End-to-end runs use a web server on 127.0.0.1 only.

use crate::support;

use assert_cmd::Command;
use chrono::{TimeZone, Utc};
use paperlinks::history::PreviousLink;
use paperlinks::model::{Health, LinkResult, LinkRow, RepoInfo, RepoRow, Status};
use paperlinks::report::{FailPolicy, Level, write_junit, write_sarif};
use paperlinks::verdict::Judge;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use support::web::{Reply, WebServer};

/// Checks `doc` as a SARIF 2.1.0 log: it must deserialize into the typed
/// SARIF model (every field of the right type, every enum word known), and
/// it is written to `$CARGO_TARGET_TMPDIR/sarif/` where `.ci/run`
/// (`scripts/validate-sarif.py`) validates every such file against the
/// official schema with format checking (tests/fixtures/sarif-schema-2.1.0.json).
/// The full schema check lives there so that a 133 s JSON-schema crate does
/// not stand in front of every test build (issue 21 item 8).
fn assert_valid_sarif(doc: &Value) {
    let typed: Result<serde_sarif::sarif::Sarif, _> = serde_json::from_value(doc.clone());
    assert!(typed.is_ok(), "SARIF invalid: {:?}", typed.err());
    // The typed check is live: runs that are not an array fail it.
    let mut broken = doc.clone();
    broken["runs"] = "not an array".into();
    assert!(serde_json::from_value::<serde_sarif::sarif::Sarif>(broken).is_err());
    let text = serde_json::to_string_pretty(doc).unwrap();
    let name = {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(text.as_bytes());
        digest[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sarif");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.sarif")), text).unwrap();
}

fn result(status: Status, http: Option<u16>) -> LinkResult {
    LinkResult {
        status,
        http_status: http,
        final_url: None,
        error: if status == Status::Ok {
            String::new()
        } else {
            format!("{status} answer")
        },
        elapsed_ms: 1250,
        checked_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
        redirect_chain: vec![],
        redirect_codes: None,
        cached: false,
        page_links: None,
    }
}

fn row<'a>(
    source: &'a str,
    line: usize,
    url: &'a str,
    repo: &'a str,
    r: &'a LinkResult,
) -> LinkRow<'a> {
    LinkRow {
        source,
        line,
        column: 7,
        paper: "A <paper> & \"its\" code\u{1}",
        url,
        repo,
        result: Some(r),
        first_failed_at: None,
        ..Default::default()
    }
}

fn repo(name: &str, health: Health, canonical: Option<&str>) -> RepoRow {
    RepoRow {
        repo: name.into(),
        info: canonical.map(|c| RepoInfo {
            canonical: c.into(),
            url: format!("https://github.com/{c}"),
            ..RepoInfo::default()
        }),
        papers: 1,
        links: 1,
        health,
        days_since_push: None,
        rank: None,
        error: String::new(),
        fetched_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
        cached: false,
        stars_delta: None,
        previous_report_at: None,
        archive: Default::default(),
        forge: Default::default(),
        kind: Default::default(),
        found_via: String::new(),
    }
}

/// Results shared by the fixture rows.
struct Results {
    ok: LinkResult,
    broken: LinkResult,
    blocked: LinkResult,
    excluded: LinkResult,
    repo_broken: LinkResult,
}

fn results() -> Results {
    Results {
        ok: result(Status::Ok, Some(200)),
        broken: result(Status::Broken, Some(404)),
        blocked: result(Status::Blocked, Some(403)),
        excluded: result(Status::Excluded, None),
        repo_broken: result(Status::Broken, Some(404)),
    }
}

const GONE: &str = "https://example.org/gone?a=1&b=<2>";
const GONE_REPO: &str = "https://github.com/o/gone";

/// Two inputs (one with a space in its name), stdin and a remote list:
/// a URL broken twice in one file and once in another, an ok, a blocked
/// (warning), an excluded link, and links into three repositories.
fn rows(r: &Results) -> Vec<LinkRow<'_>> {
    vec![
        row("lists/a b.md", 3, GONE, "", &r.broken),
        row("lists/a b.md", 4, "https://example.org/ok", "", &r.ok),
        row("lists/a b.md", 9, GONE, "", &r.broken),
        row(
            "lists/a b.md",
            10,
            "https://example.org/forbidden",
            "",
            &r.blocked,
        ),
        row(
            "lists/a b.md",
            11,
            "https://private.example/",
            "",
            &r.excluded,
        ),
        row("lists/a b.md", 12, GONE_REPO, "o/gone", &r.repo_broken),
        row("lists/c.txt", 1, GONE, "", &r.broken),
        row(
            "lists/c.txt",
            2,
            "https://github.com/o/old/tree/main",
            "o/old",
            &r.ok,
        ),
        row(
            "lists/c.txt",
            3,
            "https://github.com/o/arch",
            "o/arch",
            &r.ok,
        ),
        row("-", 5, "https://example.org/stdin-gone", "", &r.broken),
        row(
            "https://lists.example/list.md",
            2,
            "https://example.org/remote-ok",
            "",
            &r.ok,
        ),
    ]
}

fn repos() -> Vec<RepoRow> {
    vec![
        repo("o/gone", Health::Missing, None),
        repo("o/old", Health::Active, Some("o/new")),
        repo("o/arch", Health::Archived, Some("o/arch")),
        repo("o/fine", Health::Active, Some("o/fine")),
    ]
}

fn sarif_of(
    rows: &[LinkRow<'_>],
    repos: &[RepoRow],
    policy: &FailPolicy,
    prev: &HashMap<String, PreviousLink>,
) -> Value {
    let mut buf = Vec::new();
    let judge = Judge::new(policy, (!prev.is_empty()).then_some(prev), None);
    write_sarif(
        &mut buf,
        rows.iter().copied(),
        repos,
        |row: &LinkRow<'_>| row.result.and_then(|r| judge.link(row.url, r.status).level),
        |r: &RepoRow| judge.repo(r).level,
        Path::new("/work/repo"),
    )
    .unwrap();
    let doc: Value = serde_json::from_slice(&buf).unwrap();
    assert_valid_sarif(&doc);
    doc
}

fn sarif_results(doc: &Value) -> &Vec<Value> {
    doc["runs"][0]["results"].as_array().unwrap()
}

fn fingerprints(doc: &Value) -> Vec<String> {
    sarif_results(doc)
        .iter()
        .map(|r| {
            r["partialFingerprints"]["paperlinks/v1"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn sarif_is_valid_and_lists_every_finding_with_rule_level_and_location() {
    let r = results();
    let doc = sarif_of(&rows(&r), &repos(), &FailPolicy::default(), &HashMap::new());
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let results = sarif_results(&doc);
    let summary: Vec<(&str, &str)> = results
        .iter()
        .map(|r| (r["ruleId"].as_str().unwrap(), r["level"].as_str().unwrap()))
        .collect();
    // One result per unique URL, the most severe first: the errors (GONE
    // with its three occurrences, the broken repository link, the stdin
    // link, then the missing repository), then the warnings (the blocked
    // link, then the renamed and the archived repository, in row order).
    assert_eq!(
        summary,
        vec![
            ("broken-link", "error"),
            ("broken-link", "error"),
            ("broken-link", "error"),
            ("missing-repository", "error"),
            ("blocked-link", "warning"),
            ("renamed-repository", "warning"),
            ("archived-repository", "warning"),
        ]
    );
    let spots: Vec<(String, u64, u64)> = results[0]["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let p = &l["physicalLocation"];
            (
                p["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                p["region"]["startLine"].as_u64().unwrap(),
                p["region"]["startColumn"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        spots,
        vec![
            ("lists/a%20b.md".into(), 3, 7),
            ("lists/a%20b.md".into(), 9, 7),
            ("lists/c.txt".into(), 1, 7)
        ]
    );
    let text = results[0]["message"]["text"].as_str().unwrap();
    assert!(
        text.contains("broken (HTTP 404)")
            && text.contains(GONE)
            && text.contains("linked 3 times"),
        "{text}"
    );
    // stdin has no file: no location; repositories point at their first link.
    assert!(results[2].get("locations").is_none());
    let at = |i: usize| {
        let p = &results[i]["locations"][0]["physicalLocation"];
        (
            p["artifactLocation"]["uri"].as_str().unwrap().to_string(),
            p["region"]["startLine"].as_u64().unwrap(),
        )
    };
    assert_eq!(at(3), ("lists/a%20b.md".into(), 12));
    assert_eq!(at(5), ("lists/c.txt".into(), 2));
    assert_eq!(at(6), ("lists/c.txt".into(), 3));
    assert!(run.get("invocations").is_none(), "nothing was cut");
    // Every result's rule is described, and ruleIndex points at it.
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for res in results {
        let rule = &rules[res["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], res["ruleId"]);
        assert!(
            !rule["shortDescription"]["text"]
                .as_str()
                .unwrap()
                .is_empty()
        );
        assert!(!rule["help"]["text"].as_str().unwrap().is_empty());
    }
}

#[test]
fn sarif_fingerprints_are_stable_and_distinct_per_url() {
    let r = results();
    let (policy, prev) = (FailPolicy::default(), HashMap::new());
    let first = fingerprints(&sarif_of(&rows(&r), &repos(), &policy, &prev));
    let again = fingerprints(&sarif_of(&rows(&r), &repos(), &policy, &prev));
    assert_eq!(first, again, "two runs over the same input");
    let distinct: HashSet<&String> = first.iter().collect();
    assert_eq!(distinct.len(), first.len(), "{first:#?}");
    // Lines added above the links move them, but do not reopen findings.
    let moved: Vec<LinkRow<'_>> = rows(&r)
        .into_iter()
        .map(|mut row| {
            row.line += 10;
            row
        })
        .collect();
    assert_eq!(
        fingerprints(&sarif_of(&moved, &repos(), &policy, &prev)),
        first
    );
}

#[test]
fn sarif_levels_follow_the_decision_passed_in() {
    let r = results();
    let rows = rows(&r);
    // --fail-on-new with GONE already failing: a known failure is a warning.
    let policy = FailPolicy {
        only_new: true,
        ..FailPolicy::default()
    };
    let prev = HashMap::from([(
        GONE.to_string(),
        PreviousLink {
            result: result(Status::Broken, Some(404)),
            first_failed_at: None,
            archive: Default::default(),
        },
    )]);
    let doc = sarif_of(&rows, &repos(), &policy, &prev);
    for res in sarif_results(&doc) {
        let text = res["message"]["text"].as_str().unwrap();
        if text.contains(GONE) {
            assert_eq!(res["level"], "warning", "{text}");
        }
    }
    // Nothing flagged: a valid log with an empty results array.
    let mut buf = Vec::new();
    write_sarif(
        &mut buf,
        rows.iter().copied(),
        &repos(),
        |_: &LinkRow<'_>| None,
        |_: &RepoRow| None,
        Path::new("/"),
    )
    .unwrap();
    let doc: Value = serde_json::from_slice(&buf).unwrap();
    assert_valid_sarif(&doc);
    assert!(sarif_results(&doc).is_empty());
}

/// A log cut to `max` results from `rows`, validated.
fn sarif_within(rows: &[LinkRow<'_>], repos: &[RepoRow], max: usize) -> Value {
    let policy = FailPolicy::default();
    let judge = Judge::without_history(&policy);
    let mut buf = Vec::new();
    paperlinks::report::sarif::write_sarif_within(
        &mut buf,
        rows.iter().copied(),
        repos,
        (
            |row: &LinkRow<'_>| row.result.and_then(|r| judge.link(row.url, r.status).level),
            |r: &RepoRow| judge.repo(r).level,
        ),
        Path::new("/work/repo"),
        max,
    )
    .unwrap();
    let doc: Value = serde_json::from_slice(&buf).unwrap();
    assert_valid_sarif(&doc);
    doc
}

fn cut_note(doc: &Value) -> Option<String> {
    doc["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .map(str::to_owned)
}

#[test]
fn sarif_is_cut_to_the_limit_most_severe_first_and_says_so() {
    let r = results();
    // Many blocked links (warnings) before the broken ones (errors).
    let urls: Vec<String> = (0..40)
        .map(|i| format!("https://example.org/blocked/{i}"))
        .collect();
    let mut rows: Vec<LinkRow<'_>> = urls
        .iter()
        .enumerate()
        .map(|(i, u)| row("lists/a b.md", i + 1, u, "", &r.blocked))
        .collect();
    rows.extend(self::rows(&r));
    let doc = sarif_within(&rows, &repos(), 5);
    let levels: Vec<&str> = sarif_results(&doc)
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    // 4 errors (3 broken URLs, 1 missing repository), then one warning.
    assert_eq!(levels, ["error", "error", "error", "error", "warning"]);
    let note = cut_note(&doc).expect("the cut is in the log");
    // 3 + 1 errors, 41 blocked URLs and 2 repository warnings: 47 findings.
    assert!(note.contains("5 of 47 findings listed"), "{note}");
    assert_eq!(
        doc["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["level"],
        "warning"
    );
    // With the real limit nothing is cut.
    assert!(cut_note(&sarif_within(&rows, &repos(), 25_000)).is_none());
    assert_eq!(paperlinks::report::sarif::MAX_RESULTS, 25_000);
}

#[test]
fn sarif_lists_at_most_a_thousand_locations_per_result() {
    use paperlinks::report::sarif::MAX_LOCATIONS;
    let r = results();
    let rows: Vec<LinkRow<'_>> = (0..MAX_LOCATIONS + 5)
        .map(|i| row("lists/big.md", i + 1, GONE, "", &r.broken))
        .collect();
    let doc = sarif_within(&rows, &[], 25_000);
    let results = sarif_results(&doc);
    assert_eq!(results.len(), 1, "one URL, one result");
    assert_eq!(
        results[0]["locations"].as_array().unwrap().len(),
        MAX_LOCATIONS
    );
    let text = results[0]["message"]["text"].as_str().unwrap();
    assert!(
        text.contains(&format!(
            "linked {} times (the first {MAX_LOCATIONS} are listed)",
            MAX_LOCATIONS + 5
        )),
        "{text}"
    );
    let note = cut_note(&doc).expect("the cut is in the log");
    assert!(note.contains("5 more occurrences"), "{note}");
}

/// The number of unique (input, URL) pairs at error level: what junit.xml
/// must count as failures.
fn failing_links(rows: &[LinkRow<'_>], level: &dyn Fn(&LinkRow<'_>) -> Option<Level>) -> usize {
    rows.iter()
        .filter(|r| level(r) == Some(Level::Error))
        .map(|r| (r.source, r.url))
        .collect::<HashSet<_>>()
        .len()
}

fn junit_of(rows: &[LinkRow<'_>], level: &dyn Fn(&LinkRow<'_>) -> Option<Level>) -> String {
    let mut buf = Vec::new();
    write_junit(
        &mut buf,
        || rows.iter().copied(),
        level,
        Path::new("/work/repo"),
    )
    .unwrap();
    String::from_utf8(buf).unwrap()
}

#[test]
fn junit_parses_and_counts_the_failing_links_under_the_policy() {
    let r = results();
    let rows = rows(&r);
    let policy = FailPolicy::default();
    let judge = Judge::without_history(&policy);
    let level = |row: &LinkRow<'_>| row.result.and_then(|r| judge.link(row.url, r.status).level);
    let xml = junit_of(&rows, &level);
    let report = quick_junit::Report::deserialize_from_str(&xml).expect("a JUnit reader parses it");
    // a b.md: 5 unique links (GONE twice), 2 failing, 1 skipped (excluded).
    assert_eq!(failing_links(&rows, &level), 4);
    assert_eq!(report.failures, 4);
    assert_eq!(report.tests, 10);
    assert_eq!(report.skipped, 1);
    let suites: Vec<(&str, usize, usize)> = report
        .test_suites
        .iter()
        .map(|s| (s.name.as_str(), s.tests, s.failures))
        .collect();
    assert_eq!(
        suites,
        vec![
            ("lists/a b.md", 5, 2),
            ("lists/c.txt", 3, 1),
            ("-", 1, 1),
            ("https://lists.example/list.md", 1, 0)
        ]
    );
    let a = &report.test_suites[0];
    let failed: Vec<&str> = a
        .test_cases
        .iter()
        .filter(|c| matches!(c.status, quick_junit::TestCaseStatus::NonSuccess { .. }))
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(failed, vec![GONE, GONE_REPO]);
    assert!(
        a.test_cases
            .iter()
            .all(|c| c.classname.as_deref() == Some("lists/a b.md"))
    );
    // The failure counts on the tags agree with the elements (raw XML).
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let failures = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    assert_eq!(failures, 4);
    let skipped = doc
        .descendants()
        .filter(|n| n.has_tag_name("skipped"))
        .count();
    assert_eq!(skipped, 1);
    // A warning passes, with its message.
    let out = doc
        .descendants()
        .find(|n| n.has_tag_name("system-out"))
        .and_then(|n| n.text())
        .unwrap();
    assert!(out.starts_with("blocked (HTTP 403)"), "{out}");
}

#[test]
fn junit_failures_follow_the_decision_and_empty_input_is_valid() {
    let r = results();
    let rows = rows(&r);
    let only_stdin = |row: &LinkRow<'_>| (row.source == "-").then_some(Level::Error);
    let report = quick_junit::Report::deserialize_from_str(&junit_of(&rows, &only_stdin)).unwrap();
    assert_eq!(report.failures, failing_links(&rows, &only_stdin));
    assert_eq!(report.failures, 1);
    let empty = junit_of(&[], &only_stdin);
    let report = quick_junit::Report::deserialize_from_str(&empty).unwrap();
    assert_eq!((report.tests, report.test_suites.len()), (0, 0));
}

// ---- End to end: the binary against a local web server. ----

fn paperlinks(dir: &Path) -> Command {
    let mut cmd = crate::support::cmd::paperlinks();
    cmd.current_dir(dir);
    cmd
}

fn write_config(dir: &Path, extra: &str) {
    std::fs::write(
        dir.join("paperlinks.toml"),
        format!(
            "output_dir = \"reports\"\n[check]\nallow_private = true\ntimeout_secs = 5\nretries = 0\n[github]\nenabled = false\n[archive]\nenabled = false\n{extra}"
        ),
    )
    .unwrap();
}

async fn server() -> WebServer {
    WebServer::start(|req| match req.path.as_str() {
        "/gone" => Reply::status(404),
        "/forbidden" => Reply::status(403),
        _ => Reply::status(200),
    })
    .await
}

fn write_list(dir: &Path, web: &WebServer) {
    std::fs::create_dir_all(dir.join("lists")).unwrap();
    let text = format!(
        "Paper one\n\nCode at {gone} and {ok}.\n\nPaper two\n\nSee {gone}, {forbidden}.\n",
        gone = web.url("/gone"),
        ok = web.url("/ok"),
        forbidden = web.url("/forbidden"),
    );
    std::fs::write(dir.join("lists/papers.txt"), text).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn check_writes_valid_sarif_and_junit_and_format_sarif_prints_it() {
    let web = server().await;
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), "");
    write_list(dir.path(), &web);
    let run = |format: &str| {
        paperlinks(dir.path())
            .args([
                "check",
                "--config",
                "paperlinks.toml",
                "--format",
                format,
                "lists/papers.txt",
            ])
            .output()
            .unwrap()
    };
    let out = run("none");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |name: &str| std::fs::read_to_string(dir.path().join("reports").join(name)).unwrap();
    let first: Value = serde_json::from_str(&read("links.sarif")).unwrap();
    assert_valid_sarif(&first);
    let results = sarif_results(&first);
    assert_eq!(
        results.len(),
        2,
        "the broken URL (twice) and the blocked one"
    );
    let locs = results[0]["locations"].as_array().unwrap();
    assert_eq!(locs.len(), 2, "both occurrences of the broken URL");
    let loc = &locs[0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "lists/papers.txt");
    assert_eq!(loc["region"]["startLine"], 3);
    assert_eq!(loc["region"]["startColumn"], 9);
    assert_eq!(locs[1]["physicalLocation"]["region"]["startLine"], 7);

    let junit = quick_junit::Report::deserialize_from_str(&read("junit.xml")).unwrap();
    assert_eq!(
        (junit.tests, junit.failures),
        (3, 1),
        "one unique failing link"
    );

    // Second run: same findings, same fingerprints; --format sarif prints
    // the same log on stdout, and nothing else.
    let out = run("sarif");
    assert_eq!(out.status.code(), Some(2));
    let printed: Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    assert_valid_sarif(&printed);
    let second: Value = serde_json::from_str(&read("links.sarif")).unwrap();
    assert_eq!(fingerprints(&second), fingerprints(&first));
    assert_eq!(printed, second);
}

#[tokio::test(flavor = "multi_thread")]
async fn report_formats_choose_the_files_and_unknown_words_exit_3() {
    let web = server().await;
    let dir = tempfile::tempdir().unwrap();
    write_list(dir.path(), &web);
    write_config(dir.path(), "[report]\nformats = [\"sarif\", \"junit\"]\n");
    let out = paperlinks(dir.path())
        .args(["check", "--config", "paperlinks.toml", "lists/papers.txt"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut files: Vec<String> = std::fs::read_dir(dir.path().join("reports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != ".paperlinks.lock")
        .collect();
    files.sort();
    assert_eq!(files, vec!["junit.xml", "links.sarif"]);

    write_config(dir.path(), "[report]\nformats = [\"csv\", \"pdf\"]\n");
    let out = paperlinks(dir.path())
        .args(["check", "--config", "paperlinks.toml", "lists/papers.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pdf") && err.contains("sarif"), "{err}");
}

/// Issue 24 items 6 and 7 end to end: papers.csv counts `broken` in
/// `broken_links` and every status under `fail_on` in `failing_links`;
/// popularity.md lists a paper for a dead code link or withheld code, not
/// for a refused project page beside live code; the reason stands beside
/// the status on the terminal, in summary.md and on the page.
#[tokio::test(flavor = "multi_thread")]
async fn papers_count_broken_and_failing_links_apart_and_reasons_are_shown() {
    let web = server().await;
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), "[ci]\nfail_on = [\"broken\", \"blocked\"]\n");
    std::fs::create_dir_all(dir.path().join("lists")).unwrap();
    let text = format!(
        "# Papers\n\n\
         - **Dead code paper** [paper]({ok}/a) [code]({gone})\n\
         - **Live code paper** [project]({forbidden}) [code]({ok}/b)\n\
         - **Withheld paper** Paper: {ok}/c | Code: coming soon\n",
        ok = web.url("/ok"),
        gone = web.url("/gone"),
        forbidden = web.url("/forbidden"),
    );
    std::fs::write(dir.path().join("lists/papers.md"), text).unwrap();
    let out = paperlinks(dir.path())
        .args(["check", "--config", "paperlinks.toml", "lists/papers.md"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports = dir.path().join("reports");
    let mut papers = csv::Reader::from_path(reports.join("papers.csv")).unwrap();
    let headers = papers.headers().unwrap().clone();
    assert_eq!(
        headers.iter().next_back(),
        Some("failing_links"),
        "added at the end"
    );
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = papers.records().map(Result::unwrap).collect();
    let counts: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                &r[col("paper")],
                &r[col("broken_links")],
                &r[col("failing_links")],
                &r[col("code_state")],
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            ("Dead code paper", "1", "1", "linked"),
            ("Live code paper", "0", "1", "linked"),
            ("Withheld paper", "0", "0", "withheld"),
        ]
    );
    let popularity = std::fs::read_to_string(reports.join("popularity.md")).unwrap();
    assert!(
        popularity.contains("## Papers with broken or missing code (2)"),
        "{popularity}"
    );
    assert!(
        popularity.contains("| Dead code paper | lists/papers.md:3 | 1 broken code link |"),
        "{popularity}"
    );
    assert!(
        popularity.contains("| Withheld paper | lists/papers.md:5 | code withheld"),
        "{popularity}"
    );
    assert!(!popularity.contains("| Live code paper |"), "{popularity}");
    // The reason beside the status: terminal, summary.md, the page.
    assert!(
        stdout.contains(&format!("{}  HTTP 404 Not Found", web.url("/gone"))),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{}  HTTP 403 Forbidden", web.url("/forbidden"))),
        "{stdout}"
    );
    let summary = std::fs::read_to_string(reports.join("summary.md")).unwrap();
    assert!(
        summary.contains("| broken (404) | HTTP 404 Not Found |"),
        "{summary}"
    );
    let page = std::fs::read_to_string(reports.join("index.html")).unwrap();
    assert!(
        page.contains("<td>HTTP 404 Not Found<td>"),
        "the failing table"
    );
    assert!(
        page.contains("<span class=\"why\">HTTP 403 Forbidden</span>"),
        "the paper's detail"
    );
}

/// Issue 24 item 6 against the checker's real texts: a redirect loop, a
/// silent server, a closed port and a self-signed certificate, each named
/// in few words in summary.md, while links.csv keeps the full text.
#[tokio::test(flavor = "multi_thread")]
async fn the_checkers_own_failures_read_in_few_words() {
    let web = WebServer::start(|req| match req.path.as_str() {
        "/loop-a" => Reply::redirect(302, "/loop-b"),
        "/loop-b" => Reply::redirect(302, "/loop-a"),
        "/silent" => Reply::status(200).delay(std::time::Duration::from_secs(5)),
        _ => Reply::status(200),
    })
    .await;
    let tls = WebServer::start_tls(|_| Reply::status(200)).await;
    // A port that nothing listens on: bound, then closed.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("paperlinks.toml"),
        "output_dir = \"reports\"\n[check]\nallow_private = true\ntimeout_secs = 1\nretries = 0\n[github]\nenabled = false\n[archive]\nenabled = false\n[ci]\nfail_on = [\"error\", \"timeout\", \"network_error\"]\n",
    )
    .unwrap();
    let tls_url = tls.url("/x").replace("http://", "https://");
    let text = format!(
        "Paper one\n\nSee {} and {}.\n\nPaper two\n\nSee http://127.0.0.1:{closed_port}/x and {tls_url}.\n",
        web.url("/loop-a"),
        web.url("/silent"),
    );
    std::fs::write(dir.path().join("papers.txt"), text).unwrap();
    let out = paperlinks(dir.path())
        .args(["check", "--config", "paperlinks.toml", "papers.txt"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    let summary = std::fs::read_to_string(dir.path().join("reports/summary.md")).unwrap();
    let links = std::fs::read_to_string(dir.path().join("reports/links.csv")).unwrap();
    for reason in [
        "| redirect loop after 2 hops |",
        "| timeout after 1 s |",
        "| connection refused |",
        "| TLS: certificate not trusted |",
    ] {
        assert!(summary.contains(reason), "{reason} in\n{summary}\n{links}");
        assert!(
            stdout.contains(reason.trim_matches(['|', ' '])),
            "{reason} in\n{stdout}"
        );
    }
    assert!(
        links.contains("too many redirects: redirect loop back to"),
        "{links}"
    );
}
