//! Tests of the report module: exact headers, formula-injection safety and
//! the round trip through the previous-report reader, foreign and garbage
//! previous reports, atomic writes under SIGKILL, annotations, summary.md,
//! popularity.md, popularity.svg and the JSON document. No network at all.

use chrono::{DateTime, TimeZone, Utc};
use paperlinks::history::{
    Previous, PreviousLink, PreviousRepos, carry_first_failed, fill_star_deltas,
    read_previous_links, read_previous_repos,
};
use paperlinks::model::{
    Health, LinkResult, LinkRow, PaperRow, RepoInfo, RepoKey, RepoRow, Status,
};
use paperlinks::report::{self, *};
use paperlinks::verdict::Judge;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, day, 12, 30, 5).unwrap()
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
        elapsed_ms: 42,
        checked_at: at(10),
        redirect_chain: vec![],
        redirect_codes: None,
        cached: false,
        page_links: None,
    }
}

fn info(name: &str, stars: u64) -> RepoInfo {
    RepoInfo {
        canonical: name.into(),
        url: format!("https://github.com/{name}"),
        stars,
        forks: stars / 10,
        watchers: stars / 20,
        open_issues: 7,
        license: Some("MIT".into()),
        language: Some("Python".into()),
        created_at: Some(at(1)),
        pushed_at: Some(at(9)),
        last_commit_at: Some(at(8)),
        commits_90d: Some(12),
        latest_release: Some("v1.0".into()),
        latest_release_at: Some(at(5)),
        archived: false,
        fork: false,
        empty: false,
        has_code: true,
        ..RepoInfo::default()
    }
}

fn repo(name: &str, stars: Option<u64>, health: Health) -> RepoRow {
    RepoRow {
        repo: name.into(),
        forge: Default::default(),
        kind: Default::default(),
        info: stars.map(|s| info(name, s)),
        papers: 1,
        links: 2,
        health,
        days_since_push: stars.map(|_| 30),
        rank: None,
        error: if stars.is_none() {
            "not found".into()
        } else {
            String::new()
        },
        fetched_at: at(10),
        cached: false,
        stars_delta: None,
        previous_report_at: None,
        archive: Default::default(),
        found_via: String::new(),
    }
}

fn row<'a>(
    source: &'a str,
    line: usize,
    paper: &'a str,
    url: &'a str,
    repo: &'a str,
    result: &'a LinkResult,
) -> LinkRow<'a> {
    LinkRow {
        source,
        line,
        column: 5,
        paper,
        url,
        repo,
        result: Some(result),
        first_failed_at: result.status.is_failure().then(|| at(3)),
        ..Default::default()
    }
}

fn csv_string(f: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut buf = Vec::new();
    f(&mut buf);
    String::from_utf8(buf).unwrap()
}

// ---------------------------------------------------------------- headers

#[test]
fn exact_headers() {
    let links = csv_string(|b| write_link_rows(b, std::iter::empty(), true).unwrap());
    assert_eq!(
        links,
        "source,line,column,paper,url,repo,status,http_status,final_url,error,elapsed_ms,checked_at,cached,first_failed_at,redirect_chain,archived_copy,archived_at,archive_checked_at,section,role,found_via,page_code_links,redirect_codes\n"
    );
    let extract = csv_string(|b| write_link_rows(b, std::iter::empty(), false).unwrap());
    assert_eq!(extract, "source,line,column,paper,url,repo,section,role\n");
    let repos = csv_string(|b| write_repo_rows(b, []).unwrap());
    assert_eq!(
        repos,
        "repo,canonical,url,papers,links,stars,forks,watchers,open_issues,license,language,created_at,pushed_at,last_commit_at,commits_90d,latest_release,latest_release_at,archived,fork,empty,health,days_since_push,rank,error,stars_delta,previous_report_at,fetched_at,cached,has_code,archived_copy,archived_at,archive_checked_at,forge,kind,likes,downloads_30d,runtime,found_via\n"
    );
    let papers = csv_string(|b| write_paper_rows(b, []).unwrap());
    assert_eq!(
        papers,
        "source,line,paper,links,code_links,repos,broken_links,best_repo,best_repo_stars,health,claims_code_without_link,code_recoverable,code_state,section,paper_url,code_role_links,paper_role_links,project_role_links,dataset_role_links,model_role_links,demo_role_links,video_role_links,social_role_links,other_role_links,failing_links\n"
    );
}

#[test]
fn link_rows_format() {
    let mut r = result(Status::Redirected, Some(200));
    r.final_url = Some("https://github.com/new/name".into());
    r.redirect_chain = vec!["https://a/1".into(), "https://a/2".into()];
    r.redirect_codes = Some(Box::new(vec![301, 308]));
    r.cached = true;
    let rows = [row(
        "in.txt",
        3,
        "Paper",
        "https://github.com/old/name",
        "old/name",
        &r,
    )];
    let text = csv_string(|b| write_link_rows(b, rows.into_iter(), true).unwrap());
    let line = text.lines().nth(1).unwrap();
    assert_eq!(
        line,
        concat!(
            "in.txt,3,5,Paper,https://github.com/old/name,old/name,redirected,200,https://github.com/new/name,redirected answer,42,2025-01-10T12:30:05Z,true,,https://a/1 -> https://a/2",
            // issue 15: archived_copy, archived_at, archive_checked_at (no lookup)
            ",,,",
            // issue 13: section, role
            ",,project",
            // issue 14: found_via, page_code_links (not a followed page)
            ",,",
            // issue 25: redirect_codes
            ",\"301,308\""
        )
    );
    let extract = csv_string(|b| write_link_rows(b, rows.into_iter(), false).unwrap());
    assert_eq!(
        extract.lines().nth(1).unwrap(),
        "in.txt,3,5,Paper,https://github.com/old/name,old/name,,project"
    );
}

/// links.csv with each URL's cells encoded once (issue 27: the report
/// tail) is byte for byte the file written row by row: cells that need
/// quotes or neutralising, redirects and page links, an archived copy, a
/// date only serde's path can write, a row without a result, an id
/// outside the cache, and occurrences that differ only in their own cells.
#[test]
fn links_csv_by_url_is_the_file_written_row_by_row() {
    let ok = result(Status::Ok, Some(200));
    let mut moved = result(Status::Redirected, Some(200));
    moved.final_url = Some("https://b.org/x,\"y\"".into());
    moved.redirect_chain = vec!["https://a/1".into(), "=https://a/2".into()];
    moved.redirect_codes = Some(Box::new(vec![301, 308]));
    moved.page_links = Some(vec!["https://github.com/a/b".into(), "-x".into()].into());
    let mut far = result(Status::Broken, Some(404));
    far.checked_at = Utc.with_ymd_and_hms(12_000, 1, 1, 0, 0, 0).unwrap();
    far.error = "line\nbreak, \"quoted\"".into();
    let copy = paperlinks::model::ArchiveCells {
        copy: "https://web.archive.org/web/2020/https://x.org".into(),
        at: Some(at(2)),
        checked_at: Some(at(4)),
    };
    let urls = ["https://x.org/a", "+https://y.org", "https://z.org/\"q\""];
    let mut rows: Vec<(usize, LinkRow<'_>)> = Vec::new();
    for (i, paper) in ["P, one", "@two", "three\n"].iter().enumerate() {
        for (id, r) in [(0, &ok), (1, &moved), (2, &far)] {
            let mut row = row(
                ["in.md", "a,b.md", "=c"][i],
                i * 10 + id,
                paper,
                urls[id],
                "o/n",
                r,
            );
            row.column = id + i;
            row.section = ["", "Sec, \"1\"", "-2"][i];
            row.role = paperlinks::model::Role::ALL[(i + id) % paperlinks::model::Role::ALL.len()];
            row.found_via = ["", "https://page.org", "'=p"][(i + 2 * id) % 3];
            row.archive = (id == 2).then_some(&copy);
            rows.push((id, row));
        }
    }
    let mut unchecked = row("in.md", 99, "", urls[0], "", &ok);
    unchecked.result = None;
    unchecked.first_failed_at = Some(at(1));
    rows.push((7, unchecked));
    let by_row = csv_string(|b| write_link_rows(b, rows.iter().map(|(_, r)| *r), true).unwrap());
    let by_url = csv_string(|b| write_link_rows_by_url(b, rows.iter().copied(), 3).unwrap());
    let records = csv::Reader::from_reader(by_url.as_bytes())
        .records()
        .count();
    assert_eq!(records, rows.len());
    assert_eq!(by_url, by_row);
}

#[test]
fn papers_rows_format() {
    let p = PaperRow {
        source: "a.md",
        line: 9,
        paper: "=HYPERLINK(\"x\")",
        links: 2,
        code_links: 1,
        repos: 1,
        broken_links: 0,
        best_repo: "o/r".into(),
        best_repo_stars: Some(10),
        health: Some(Health::Active),
        claims_code_without_link: false,
        failing_links: 2,
        ..Default::default()
    };
    let text = csv_string(|b| write_paper_rows(b, [&p]).unwrap());
    assert_eq!(
        text.lines().nth(1).unwrap(),
        concat!(
            "a.md,9,\"'=HYPERLINK(\"\"x\"\")\",2,1,1,0,o/r,10,active,false",
            // issue 15: code_recoverable
            ",",
            // issue 13: code_state, section, paper_url, links per role
            ",none,,,0,0,0,0,0,0,0,0,0",
            // issue 24: failing_links
            ",2"
        )
    );
}

// ------------------------------------------------ injection and round trip

const NASTY: [&str; 8] = [
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2-2",
    "@SUM(A1:A2)",
    "\t=tab",
    "\r=cr",
    "'=already quoted",
    "plain, with \"quotes\"\nand a newline",
];

#[test]
fn links_injection_neutralised_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("links.csv");
    let results: Vec<LinkResult> = NASTY
        .iter()
        .map(|n| {
            let mut r = result(Status::Broken, Some(404));
            r.error = n.to_string();
            r.final_url = Some(format!("{n}/final"));
            r.redirect_chain = vec![format!("{n}/1"), "https://x/2".into()];
            r
        })
        .collect();
    let urls: Vec<String> = NASTY.iter().map(|n| format!("{n}url")).collect();
    let rows: Vec<LinkRow> = NASTY
        .iter()
        .zip(&results)
        .zip(&urls)
        .map(|((n, r), u)| row(n, 1, n, u, n, r))
        .collect();
    write_links_csv(&path, rows.iter().copied(), true).unwrap();

    // Every text cell starting with a trigger was prefixed.
    let mut reader = csv::Reader::from_path(&path).unwrap();
    for rec in reader.records() {
        let rec = rec.unwrap();
        for (i, cell) in rec.iter().enumerate() {
            let first = cell.chars().next();
            assert!(
                !matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r')),
                "column {i} not neutralised: {cell:?}"
            );
        }
        assert!(rec[3].starts_with('\'') || rec[3].starts_with("plain"));
    }

    let prev = read_previous_links(&path).data().expect("loads");
    assert_eq!(prev.len(), NASTY.len());
    for (r, u) in rows.iter().zip(&urls) {
        let p = &prev[u.as_str()];
        assert_eq!(&p.result, r.result.unwrap(), "{u:?}");
        assert_eq!(p.first_failed_at, r.first_failed_at);
    }
}

#[test]
fn repos_round_trip_and_ranking() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("repos.csv");
    let mut rows = vec![
        repo("gone/away", None, Health::Missing),
        repo("small/one", Some(5), Health::Stale),
        repo("=evil/repo", Some(50), Health::Active),
        repo("rate/limited", None, Health::Unknown),
        repo("Big/One", Some(5000), Health::Active),
        repo("also/five", Some(5), Health::Archived),
    ];
    rows[2].info.as_mut().unwrap().license = None;
    rows[2].info.as_mut().unwrap().commits_90d = None;
    rows[2].info.as_mut().unwrap().has_code = false;
    rows[2].error = "-weird".into();
    rows[4].stars_delta = Some(-3);
    rows[4].previous_report_at = Some(at(2));
    rows[4].cached = true;
    rank_repos(&mut rows);
    let order: Vec<(&str, Option<usize>)> =
        rows.iter().map(|r| (r.repo.as_str(), r.rank)).collect();
    assert_eq!(
        order,
        [
            ("Big/One", Some(1)),
            ("=evil/repo", Some(2)),
            ("also/five", Some(3)),
            ("small/one", Some(4)),
            ("gone/away", None),
            ("rate/limited", None),
        ]
    );
    write_repos_csv(&path, &rows).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let missing = text.lines().find(|l| l.starts_with("gone/away")).unwrap();
    assert_eq!(
        missing,
        concat!(
            "gone/away,,,1,2,,,,,,,,,,,,,,,,missing,,,not found,,,2025-01-10T12:30:05Z,false,",
            // issue 15: archived_copy, archived_at, archive_checked_at
            ",,,",
            // issue 14: forge, kind, likes, downloads_30d, runtime, found_via
            ",github,repository,,,,"
        )
    );
    assert!(text.contains("'=evil/repo,'=evil/repo,"), "{text}");

    let prev = read_previous_repos(&path).data().expect("loads");
    assert_eq!(prev.report_at, Some(at(10)));
    assert_eq!(prev.repos.len(), rows.len());
    for r in &rows {
        assert_eq!(&prev.repos[&r.key()], r);
    }

    // Star deltas against that previous report.
    let mut now = vec![
        repo("big/one", Some(5100), Health::Active),
        repo("new/one", Some(1), Health::Active),
    ];
    fill_star_deltas(&mut now, &prev);
    assert_eq!(now[0].stars_delta, Some(100));
    assert_eq!(now[0].previous_report_at, Some(at(10)));
    assert_eq!(now[1].stars_delta, None);
    assert_eq!(now[1].previous_report_at, None);
}

// -------------------------------------------- previous reports that are bad

#[test]
fn previous_missing_is_quiet() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        read_previous_links(&dir.path().join("links.csv")),
        Previous::Missing
    );
    assert!(matches!(
        read_previous_repos(&dir.path().join("repos.csv")),
        Previous::Missing
    ));
}

fn assert_ignored<T: std::fmt::Debug>(p: Previous<T>, path: &Path) {
    let w = p
        .warning()
        .unwrap_or_else(|| panic!("not ignored: {p:?}"))
        .to_owned();
    assert!(w.contains(&path.display().to_string()), "{w}");
    assert!(w.contains("ignored"), "{w}");
}

#[test]
fn previous_foreign_or_garbage_is_ignored_with_warning() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.csv");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("foreign", b"name,value\na,1\n".to_vec()),
        (
            "issue-2 format (no extra columns)",
            b"source,line,column,paper,url,repo,status,http_status,final_url,error,elapsed_ms,checked_at\na,1,1,,https://x,,ok,200,,,5,2025-01-01T00:00:00Z\n".to_vec(),
        ),
        ("extract output", b"source,line,column,paper,url,repo\na,1,1,,https://x,\n".to_vec()),
        ("binary", (0u8..=255).cycle().take(5000).collect()),
    ];
    let good_header = csv_string(|b| write_link_rows(b, std::iter::empty(), true).unwrap());
    let with_header = |body: &[u8]| {
        let mut v = good_header.as_bytes().to_vec();
        v.extend_from_slice(body);
        v
    };
    let more: Vec<(&str, Vec<u8>)> = vec![
        ("truncated row", with_header(b"a,1,1,p,https://x,,ok,200")),
        (
            "bad status",
            with_header(b"a,1,1,p,https://x,,fine,200,,,5,2025-01-01T00:00:00Z,false,,\n"),
        ),
        (
            "bad date",
            with_header(b"a,1,1,p,https://x,,ok,200,,,5,yesterday,false,,\n"),
        ),
        (
            "bad number",
            with_header(b"a,1,1,p,https://x,,ok,two,,,5,2025-01-01T00:00:00Z,false,,\n"),
        ),
        (
            "invalid utf-8",
            with_header(b"a,1,1,\xff\xfe,https://x,,ok,200,,,5,2025-01-01T00:00:00Z,false,,\n"),
        ),
    ];
    for (what, bytes) in cases.into_iter().chain(more) {
        std::fs::write(&p, &bytes).unwrap();
        let links = read_previous_links(&p);
        assert!(links.warning().is_some(), "{what}: {links:?}");
        assert_ignored(links, &p);
        assert_ignored(read_previous_repos(&p), &p);
    }
    // A directory where a file should be: ignored too, not a panic.
    assert_ignored(read_previous_links(dir.path()), dir.path());
}

// ------------------------------------------------------ atomic under SIGKILL

const CHILD_ENV: &str = "PAPERLINKS_REPORT_KILL_TARGET";
const KILL_ROWS: usize = 20_000;

/// Not a test on its own: the child process of
/// `atomic_write_survives_sigkill`. Writes a large links.csv over and over,
/// printing a line after each complete write, until it is killed.
#[test]
#[ignore = "helper process for atomic_write_survives_sigkill"]
fn kill_target_child() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let path = PathBuf::from(path);
    for generation in 1.. {
        write_generation(&path, generation);
        println!("wrote generation {generation}");
    }
}

fn write_generation(path: &Path, generation: u64) {
    let r = result(Status::Broken, Some(404));
    let paper = format!("generation {generation}");
    let urls: Vec<String> = (0..KILL_ROWS)
        .map(|i| format!("https://example.org/{i}"))
        .collect();
    let rows = urls.iter().enumerate().map(|(i, u)| LinkRow {
        source: "input.txt",
        line: i + 1,
        column: 1,
        paper: &paper,
        url: u,
        repo: "",
        result: Some(&r),
        first_failed_at: None,
        ..Default::default()
    });
    write_links_csv(path, rows, true).unwrap();
}

/// Parses the whole file; returns its generation (all rows agree).
fn check_whole(path: &Path) -> u64 {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let want: Vec<&str> = link_columns().to_vec();
    assert_eq!(header, want);
    let mut generation = None;
    let mut n = 0;
    for rec in reader.records() {
        let rec = rec.expect("a whole record");
        assert_eq!(rec.len(), want.len());
        assert_eq!(rec[1], (n + 1).to_string());
        let g: u64 = rec[3].trim_start_matches("generation ").parse().unwrap();
        assert_eq!(*generation.get_or_insert(g), g, "rows of two generations");
        n += 1;
    }
    assert_eq!(n, KILL_ROWS, "row count");
    // And our own reader accepts it.
    assert!(read_previous_links(path).data().is_some());
    generation.unwrap()
}

#[test]
#[cfg(unix)]
fn atomic_write_survives_sigkill() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("links.csv");
    write_generation(&path, 0);
    assert_eq!(check_whole(&path), 0);

    let exe = std::env::current_exe().unwrap();
    // Kill moments spread pseudo-randomly over a write cycle.
    // PAPERLINKS_KILL_SEED=N replays a run; the seed is printed either way.
    let mut seed = std::env::var("PAPERLINKS_KILL_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos() as u64
        })
        | 1;
    eprintln!("SIGKILL test seed: {seed} (replay with PAPERLINKS_KILL_SEED={seed})");
    let mut generations_seen = Vec::new();
    for _ in 0..5 {
        let mut child = Command::new(&exe)
            .args([
                "--ignored",
                "--exact",
                "report::kill_target_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait until the child completed one write, so the kill lands in
        // the middle of a later one (or between two).
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        loop {
            let line = lines.next().expect("child wrote once").unwrap();
            if line.starts_with("wrote generation") {
                break;
            }
        }
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(seed % 150));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        drop(lines);
        generations_seen.push(check_whole(&path));
    }
    // The children really replaced the file (the test is not vacuous).
    assert!(
        generations_seen.iter().all(|g| *g >= 1),
        "{generations_seen:?}"
    );
    // Only hidden temporary files may be left behind.
    for e in std::fs::read_dir(dir.path()).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        assert!(
            name == "links.csv" || (name.starts_with(".links.csv.") && name.ends_with(".tmp")),
            "{name}"
        );
    }
}

// ------------------------------------------------------------ annotations

#[test]
fn annotation_escaping() {
    assert_eq!(
        report::annotations::escape_data("100% a\r\nb: c, d"),
        "100%25 a%0D%0Ab: c, d"
    );
    assert_eq!(
        report::annotations::escape_property("a:b,c%\n"),
        "a%3Ab%2Cc%25%0A"
    );
}

#[test]
fn annotations_for_links_and_repos() {
    let base = Path::new("/work/project");
    let broken = result(Status::Broken, Some(404));
    let mut moved = result(Status::Redirected, Some(200));
    moved.final_url = Some("https://new.example/x".into());
    let ok = result(Status::Ok, Some(200));
    let timeout = result(Status::Timeout, None);
    let rows = [
        row(
            "/work/project/papers/a,b:c.md",
            7,
            "Paper: 100%, really\nyes",
            "https://dead.example/x",
            "",
            &broken,
        ),
        row(
            "./papers/b.md",
            2,
            "P2",
            "https://old.example/x",
            "",
            &moved,
        ),
        row(
            "papers/b.md",
            3,
            "P2",
            "https://github.com/Old/Repo",
            "Old/Repo",
            &ok,
        ),
        row("-", 1, "", "https://slow.example", "", &timeout),
        row(
            "papers/c.md",
            9,
            "P3",
            "https://github.com/old/repo/tree/main",
            "old/repo",
            &ok,
        ),
    ];
    let mut renamed = repo("old/repo", Some(10), Health::Active);
    renamed.info.as_mut().unwrap().canonical = "new/repo".into();
    let archived = repo("arch/ived", Some(10), Health::Archived);
    let fine = repo("fine/one", Some(10), Health::Active);
    let policy = FailPolicy::default();
    let mut out = Vec::new();
    write_annotations(
        &mut out,
        rows.into_iter(),
        &[renamed, archived, fine],
        &Judge::without_history(&policy),
        base,
        |_| None,
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "::error file=papers/a%2Cb%3Ac.md,line=7,col=5,title=broken link::broken (HTTP 404): https://dead.example/x: broken answer%0Apaper: Paper: 100%25, really%0Ayes%0Afailing since 2025-01-03T12:30:05Z"
    );
    assert_eq!(
        lines[1],
        "::warning file=papers/b.md,line=2,col=5,title=redirected link::redirected (HTTP 200): https://old.example/x -> https://new.example/x%0Apaper: P2"
    );
    // stdin has no file property.
    assert_eq!(
        lines[2],
        "::warning title=timeout link::timeout: https://slow.example: timeout answer%0Afailing since 2025-01-03T12:30:05Z"
    );
    // The renamed repository points at the first link to it (any case).
    assert_eq!(
        lines[3],
        "::warning file=papers/b.md,line=3,col=5,title=active repository::repository old/repo: active, renamed to new/repo, last push 30 days ago"
    );
    assert_eq!(
        lines[4],
        "::warning title=archived repository::repository arch/ived: archived, last push 30 days ago"
    );
    assert_eq!(lines.len(), 5, "{text}");
}

#[test]
fn annotations_carry_no_control_characters() {
    let mut broken = result(Status::Broken, Some(404));
    broken.error = "HTTP 404 \u{1b}]0;owned\u{7}".into();
    let rows = [row(
        "a\u{1b}[2J.md",
        1,
        "Title \u{1b}]0;pwned\u{7} \u{9b}31m and \t tab",
        "https://dead.example/\u{1b}x",
        "",
        &broken,
    )];
    let mut gone = repo("o/gone\u{1b}[2J", None, Health::Missing);
    gone.error = "not found \u{1b}[31m\u{85}".into();
    let policy = FailPolicy::default();
    let mut out = Vec::new();
    write_annotations(
        &mut out,
        rows.into_iter(),
        &[gone],
        &Judge::without_history(&policy),
        Path::new("/"),
        |_| None,
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), 2, "{text:?}");
    let bad: Vec<char> = text
        .chars()
        .filter(|&c| c != '\n' && report::text::is_removed_control(c))
        .collect();
    assert!(bad.is_empty(), "{bad:?} in {text:?}");
    assert!(text.contains("Title ]0;pwned 31m and \t tab"), "{text:?}");
}

#[test]
fn markdown_reports_never_turn_untrusted_text_into_links() {
    let broken = result(Status::Broken, Some(404));
    let title = "[click](javascript:alert(1)) ![i](https://t.example/x.png) www.evil.example <b>";
    let rows = [
        row("a.md", 1, title, "javascript:alert(1)", "", &broken),
        row("a.md", 2, title, "https://dead.example/a b|c>", "", &broken),
    ];
    let policy = FailPolicy::default();
    let judge = Judge::without_history(&policy);
    let mut tally = LinkTally::new(false);
    for r in &rows {
        tally.add(r, &judge);
    }
    let mut evil_repo = repo("o/evil", Some(3), Health::Active);
    evil_repo.info.as_mut().unwrap().url = "javascript:alert(2)".into();
    evil_repo.found_via = "data:text/html,x".into();
    let repos = vec![evil_repo];
    let input = SummaryInput {
        links: &tally,
        repos: &repos,
        has_previous_repos: false,
        judge,
        interrupted: false,
        duration: Duration::from_secs(1),
        api_calls: 0,
        api_answered: 0,
        forge_calls: Vec::new(),
        exit_code: 2,
        exit_reason: "x".into(),
        notes: vec![title.into()],
    };
    let mut papers = RepoPapers::new();
    papers.add(&row(
        "a.md",
        3,
        title,
        "https://github.com/o/evil",
        "o/evil",
        &broken,
    ));
    let paper_rows = [PaperRow {
        source: "a.md",
        line: 1,
        paper: title,
        code_state: paperlinks::model::CodeState::Promised,
        claims_code_without_link: true,
        ..Default::default()
    }];
    let md = render_summary(&input) + &render_popularity_md(&repos, &papers, &paper_rows, None);
    // Every `[` of untrusted text is escaped: the only link syntax left is
    // the `<http...>` autolink of an http(s) URL.
    let unescaped_brackets = md
        .match_indices('[')
        .filter(|(i, _)| !md[..*i].ends_with('\\'))
        .count();
    assert_eq!(unescaped_brackets, 0, "{md}");
    for bad in [
        "<b>",
        "alert(2)",
        "data:text",
        "www.evil",
        "https://t.example",
    ] {
        assert!(!md.contains(bad), "{bad:?} in\n{md}");
    }
    assert!(md.contains("| https://dead.example/a%20b%7Cc%3E |"), "{md}");
    assert!(
        md.contains("| javascript:alert(1) |"),
        "shown as text: {md}"
    );
}

#[test]
fn fail_on_new_turns_known_failures_into_warnings() {
    let broken = result(Status::Broken, Some(404));
    let rows = [
        row("a.md", 1, "P", "https://known.example", "", &broken),
        row("a.md", 2, "P", "https://new.example", "", &broken),
    ];
    let mut prev = HashMap::new();
    prev.insert(
        "https://known.example".to_string(),
        PreviousLink {
            result: result(Status::Broken, Some(404)),
            first_failed_at: Some(at(1)),
            archive: Default::default(),
        },
    );
    let policy = FailPolicy {
        only_new: true,
        ..FailPolicy::default()
    };
    let mut out = Vec::new();
    write_annotations(
        &mut out,
        rows.into_iter(),
        &[],
        &Judge::new(&policy, Some(&prev), None),
        Path::new("/"),
        |_| None,
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("::warning file=a.md,line=1,"),
        "{text}"
    );
    assert!(lines[0].ends_with("(known: already failing in the previous report)"));
    assert!(lines[1].starts_with("::error file=a.md,line=2,"), "{text}");
}

// ---------------------------------------------------------------- summary

struct Fixture {
    results: Vec<LinkResult>,
    prev: HashMap<String, PreviousLink>,
}

const URLS: [&str; 5] = [
    "https://now-broken.example",
    "https://still-broken.example",
    "https://fixed.example",
    "https://fine.example",
    "https://github.com/big/one",
];

fn fixture() -> Fixture {
    let mut cached = result(Status::Ok, Some(200));
    cached.cached = true;
    let results = vec![
        result(Status::Broken, Some(404)),
        result(Status::Timeout, None),
        result(Status::Ok, Some(200)),
        cached,
        result(Status::Ok, Some(200)),
    ];
    let prev_status = [Status::Ok, Status::Broken, Status::Broken, Status::Ok];
    let prev = URLS
        .iter()
        .zip(prev_status)
        .map(|(u, s)| {
            (
                u.to_string(),
                PreviousLink {
                    result: result(s, None),
                    first_failed_at: s.is_failure().then(|| at(1)),
                    archive: Default::default(),
                },
            )
        })
        .collect();
    Fixture { results, prev }
}

fn fixture_rows(f: &Fixture) -> Vec<LinkRow<'_>> {
    let papers = [
        "Paper | One",
        "Paper Two",
        "Paper Three",
        "Paper Four",
        "Paper Five",
    ];
    URLS.iter()
        .zip(&f.results)
        .zip(papers)
        .enumerate()
        .map(|(i, ((u, r), p))| {
            let prev = f.prev.get(*u);
            let mut lr = row("papers.md", i + 1, p, u, "", r);
            lr.first_failed_at = carry_first_failed(prev, r);
            if u.contains("github.com") {
                lr.repo = "big/one";
            }
            lr
        })
        .collect()
}

#[test]
fn summary_sections() {
    let f = fixture();
    let policy = FailPolicy::default();
    let judge = Judge::new(&policy, Some(&f.prev), None);
    let mut tally = LinkTally::new(true);
    for r in fixture_rows(&f) {
        tally.add(&r, &judge);
    }
    let mut repos = vec![
        repo("big/one", Some(900), Health::Active),
        repo("old/stale", Some(50), Health::Stale),
        repo("gone/away", None, Health::Missing),
    ];
    repos[0].stars_delta = Some(25);
    repos[1].stars_delta = Some(-1);
    rank_repos(&mut repos);
    let input = SummaryInput {
        links: &tally,
        repos: &repos,
        has_previous_repos: true,
        judge,
        interrupted: true,
        duration: Duration::from_millis(1500),
        api_calls: 2,
        api_answered: 2,
        forge_calls: Vec::new(),
        exit_code: 130,
        exit_reason: "interrupted".into(),
        notes: vec!["a note | with a pipe".into()],
    };
    let md = render_summary(&input);
    for needle in [
        "# paperlinks report",
        "**The run was interrupted**",
        "5 link occurrences, 3 repositories, in 1.5 s. Reused from the previous run: 1 link result, 0 repositories. GitHub API calls: 2. Exit code 130: interrupted.",
        "- a note \\| with a pipe",
        "| ok | 3 |",
        "| broken | 1 |",
        "| timeout | 1 |",
        "| active | 1 |",
        "| missing | 1 |",
        "## Failing links (2)",
        "| Paper \\| One | papers.md:1 | https://now-broken.example | broken (404) | broken answer | 2025-01-10T12:30:05Z |",
        "| Paper Two | papers.md:2 | https://still-broken.example | timeout | timeout answer | 2025-01-01T12:30:05Z |",
        "## Newly failing (1)\n\n- https://now-broken.example broken (404): broken answer, papers.md:1 (Paper \\| One)",
        "## Still failing (known) (1)\n\n- https://still-broken.example timeout: timeout answer, papers.md:2",
        "## Fixed since the last run (1)\n\n- https://fixed.example ok (200), papers.md:3 (Paper Three)",
        "## Most-starred repositories",
        "| 1 | big/one | 900 | active |",
        "| 2 | old/stale | 50 | stale |",
        "## Biggest star gains since the last run",
        "| big/one | 900 | +25 |",
    ] {
        assert!(md.contains(needle), "missing {needle:?} in\n{md}");
    }
    assert!(!md.contains("| old/stale | 50 | +"), "{md}");

    // The JSON document says the same.
    let json: serde_json::Value =
        serde_json::from_str(&render_json(&JsonReport::new(&input))).unwrap();
    assert_eq!(json["exit_code"], 130);
    assert_eq!(json["interrupted"], true);
    assert_eq!(json["links"]["total"], 5);
    assert_eq!(json["links"]["by_status"]["ok"], 3);
    assert_eq!(json["links"]["failing"][0]["status"], "broken");
    assert_eq!(json["links"]["failing"][0]["change"], "new");
    assert_eq!(json["links"]["failing"][1]["change"], "known");
    assert_eq!(json["links"]["fixed"][0]["url"], "https://fixed.example");
    assert_eq!(json["links"]["new_failures"], 1);
    assert_eq!(json["repos"]["by_health"]["missing"], 1);
    assert_eq!(json["repos"]["top"][0]["repo"], "big/one");
    assert_eq!(json["repos"]["top"][0]["stars_delta"], 25);
    assert_eq!(json["repos"]["top"][0]["forge"], "github");
    assert_eq!(json["repos"]["top"][0]["kind"], "repository");
    assert!(json["repos"]["top"][0].get("found_via").is_none());
}

#[test]
fn summary_without_previous_and_long_tables() {
    let broken = result(Status::Broken, Some(404));
    let urls: Vec<String> = (0..60).map(|i| format!("https://x.example/{i}")).collect();
    let policy = FailPolicy::default();
    let judge = Judge::without_history(&policy);
    let mut tally = LinkTally::new(false);
    for (i, u) in urls.iter().enumerate() {
        tally.add(&row("a.txt", i + 1, "P\nQ", u, "", &broken), &judge);
    }
    let input = SummaryInput {
        links: &tally,
        repos: &[],
        has_previous_repos: false,
        judge,
        interrupted: false,
        duration: Duration::from_secs(2),
        api_calls: 0,
        api_answered: 0,
        forge_calls: Vec::new(),
        exit_code: 2,
        exit_reason: "broken links".into(),
        notes: vec![],
    };
    let md = render_summary(&input);
    assert!(md.contains("## Failing links (60)"));
    assert!(md.contains("... and 10 more"));
    assert!(md.contains("| P Q | a.txt:50 |"));
    assert!(!md.contains("a.txt:51 "));
    assert!(
        !md.contains("Newly failing"),
        "no previous report: nothing is new"
    );
    assert!(!md.contains("interrupted"));
    assert!(!md.contains("Most-starred"));

    let dir = tempfile::tempdir().unwrap();
    let step = dir.path().join("step_summary.md");
    std::fs::write(&step, "earlier step\n").unwrap();
    append_step_summary(&step, &md).unwrap();
    let all = std::fs::read_to_string(&step).unwrap();
    assert!(all.starts_with("earlier step\n# paperlinks report"));
}

// ------------------------------------------------------------- popularity

#[test]
fn popularity_ranking_and_deltas() {
    let f = fixture();
    let rows = fixture_rows(&f);
    let mut papers = RepoPapers::new();
    for r in &rows {
        papers.add(r);
    }
    let extra = result(Status::Ok, Some(200));
    papers.add(&row(
        "b.md",
        1,
        "Another | paper",
        "https://github.com/big/one",
        "Big/One",
        &extra,
    ));
    papers.add(&row(
        "b.md",
        2,
        "Another | paper",
        "https://github.com/big/one",
        "big/one",
        &extra,
    ));

    let mut repos = vec![
        repo("small/one", Some(12), Health::Stale),
        repo("gone/away", None, Health::Missing),
        repo("big/one", Some(1_234_567), Health::Active),
        repo("mid/one", Some(300), Health::Archived),
    ];
    // GitHub's word for a licence file it cannot name.
    repos[0].info.as_mut().unwrap().license = Some("NOASSERTION".into());
    let previous = PreviousRepos {
        repos: [
            (
                RepoKey::new("big/one"),
                repo("big/one", Some(1_234_000), Health::Active),
            ),
            (
                RepoKey::new("mid/one"),
                repo("mid/one", Some(310), Health::Active),
            ),
            (
                RepoKey::new("gone/away"),
                repo("gone/away", Some(3), Health::Active),
            ),
        ]
        .into_iter()
        .collect(),
        report_at: Some(at(2)),
    };
    fill_star_deltas(&mut repos, &previous);
    rank_repos(&mut repos);
    let paper_rows = vec![
        PaperRow {
            source: "papers.md",
            line: 1,
            paper: "Promises code",
            links: 0,
            code_links: 0,
            repos: 0,
            broken_links: 0,
            best_repo: String::new(),
            best_repo_stars: None,
            health: None,
            claims_code_without_link: true,
            code_state: paperlinks::model::CodeState::Promised,
            ..Default::default()
        },
        PaperRow {
            source: "papers.md",
            line: 5,
            paper: "All good",
            links: 1,
            code_links: 1,
            repos: 1,
            broken_links: 0,
            best_repo: "big/one".into(),
            best_repo_stars: Some(1_234_567),
            health: Some(Health::Active),
            claims_code_without_link: false,
            ..Default::default()
        },
        PaperRow {
            source: "papers.md",
            line: 9,
            paper: "Dead repo",
            links: 1,
            code_links: 1,
            repos: 1,
            broken_links: 1,
            best_repo: "gone/away".into(),
            best_repo_stars: None,
            health: Some(Health::Missing),
            claims_code_without_link: false,
            broken_code_links: 1,
            ..Default::default()
        },
        // Live code beside a dead project page and a refused one: not listed.
        PaperRow {
            source: "papers.md",
            line: 12,
            paper: "Dead project page",
            links: 3,
            code_links: 1,
            repos: 1,
            broken_links: 1,
            failing_links: 2,
            best_repo: "big/one".into(),
            best_repo_stars: Some(1_234_567),
            health: Some(Health::Active),
            code_state: paperlinks::model::CodeState::Linked,
            ..Default::default()
        },
        PaperRow {
            source: "papers.md",
            line: 15,
            paper: "Withholds code",
            code_state: paperlinks::model::CodeState::Withheld,
            claims_code_without_link: true,
            ..Default::default()
        },
    ];
    let md = render_popularity_md(&repos, &papers, &paper_rows, previous.report_at);
    let table: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| #"))
        .collect();
    assert_eq!(
        table[0],
        "| 1 | [big/one](https://github.com/big/one) | 1,234,567 | +567 | active | 2025-01-09 | MIT | Paper Five; Another \\| paper |"
    );
    assert!(
        table[1]
            .starts_with("| 2 | [mid/one](https://github.com/mid/one) | 300 | -10 | archived |"),
        "{md}"
    );
    assert!(
        table[2].starts_with("| 3 | [small/one](https://github.com/small/one) | 12 |  | stale |")
            && table[2].contains("| other |"),
        "{md}"
    );
    assert!(
        table[3].starts_with("| - | gone/away |  |  | missing |"),
        "{md}"
    );
    assert!(md.contains("since the previous report (2025-01-02T12:30:05Z)"));
    assert!(
        md.contains("## Papers with broken or missing code (3)"),
        "{md}"
    );
    assert!(md.contains("| Promises code | papers.md:1 | promises code, links none |"));
    assert!(
        md.contains("| Dead repo | papers.md:9 | 1 broken code link; best repository is missing |")
    );
    assert!(
        md.contains("| Withholds code | papers.md:15 | code withheld (marked as not available) |")
    );
    assert!(!md.contains("Dead project page"), "{md}");
    assert!(!md.contains("All good"));

    // Without a previous report there is no "gained" column.
    let md = render_popularity_md(&repos, &papers, &paper_rows, None);
    assert!(md.contains("| # | repository | stars | health |"));
    assert!(!md.contains("gained"));
}

// ---------------------------------------------------------------- the SVG

/// Realistic repositories, most of them well known, spanning 1 to 140k
/// stars, plus one very long name; 28 rows (more than the 25 shown).
pub fn sample_repos() -> Vec<RepoRow> {
    let data: [(&str, u64, Health); 28] = [
        ("huggingface/transformers", 140_000, Health::Active),
        ("pytorch/pytorch", 88_000, Health::Active),
        ("openai/whisper", 75_000, Health::Active),
        ("CompVis/stable-diffusion", 69_000, Health::Stale),
        ("facebookresearch/segment-anything", 49_000, Health::Active),
        ("ggerganov/llama.cpp", 72_000, Health::Active),
        ("Stability-AI/generative-models", 25_000, Health::Active),
        ("facebookresearch/llama", 56_000, Health::Archived),
        ("openai/CLIP", 27_000, Health::Stale),
        ("google-research/bert", 38_000, Health::Archived),
        ("tloen/alpaca-lora", 18_700, Health::Stale),
        ("lm-sys/FastChat", 37_000, Health::Active),
        ("facebookresearch/detectron2", 31_000, Health::Active),
        ("NVlabs/stylegan3", 6_400, Health::Stale),
        ("microsoft/LoRA", 11_000, Health::Active),
        ("openai/guided-diffusion", 6_300, Health::Stale),
        ("google-research/vision_transformer", 10_500, Health::Active),
        ("facebookresearch/dinov2", 9_800, Health::Active),
        ("karpathy/nanoGPT", 40_000, Health::Active),
        ("salesforce/LAVIS", 10_000, Health::Stale),
        (
            "an-extremely-long-organisation-name/and-an-even-longer-repository-name",
            420,
            Health::Active,
        ),
        ("some-lab/code-coming-soon", 240, Health::Placeholder),
        ("student/thesis-experiments", 35, Health::Stale),
        ("lab/empty-repo", 3, Health::Empty),
        ("tiny/one", 1, Health::Active),
        ("tiny/two", 0, Health::Stale),
        ("gone/away", 0, Health::Missing),
        ("rate/limited", 0, Health::Unknown),
    ];
    let mut rows: Vec<RepoRow> = data
        .iter()
        .map(|(n, s, h)| {
            let found = !matches!(h, Health::Missing | Health::Unknown);
            repo(n, found.then_some(*s), *h)
        })
        .collect();
    rank_repos(&mut rows);
    rows
}

struct SvgFacts {
    bars: usize,
    texts: Vec<String>,
    width: f64,
}

/// Bars are the filled rectangles inside the plot whose colour is a health
/// colour and that are taller than the legend swatches (16 px).
fn svg_facts(svg: &str) -> SvgFacts {
    let doc = roxmltree::Document::parse(svg).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let width: f64 = root.attribute("width").unwrap().parse().unwrap();
    let colours: Vec<String> = Health::ALL
        .iter()
        .map(|h| {
            let c = report::chart::health_colour(*h);
            format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
        })
        .collect();
    let mut bars = 0;
    let mut texts = Vec::new();
    for n in doc.descendants() {
        match n.tag_name().name() {
            "rect" => {
                let fill = n.attribute("fill").unwrap_or("").to_uppercase();
                let h: f64 = n.attribute("height").unwrap_or("0").parse().unwrap();
                if colours.contains(&fill) && h > 16.0 {
                    bars += 1;
                }
            }
            "text" => texts.push(n.text().unwrap_or("").trim().to_owned()),
            _ => {}
        }
    }
    SvgFacts { bars, texts, width }
}

#[test]
fn svg_has_one_bar_per_repository_and_labels() {
    let repos = sample_repos();
    let svg = render_popularity_svg(&repos).unwrap();
    if let Some(p) = std::env::var_os("PAPERLINKS_SAMPLE_SVG") {
        std::fs::write(p, &svg).unwrap();
    }
    let facts = svg_facts(&svg);
    assert_eq!(facts.bars, 25);
    assert!(facts.width >= 800.0);
    for r in repos.iter().filter(|r| r.rank.is_some_and(|n| n <= 25)) {
        let label = report::chart::bar_label(&r.repo);
        assert!(facts.texts.contains(&label), "label {label:?} missing");
    }
    assert!(
        facts
            .texts
            .iter()
            .any(|t| t.starts_with("an-extremely-long-organisation-n") && t.ends_with("..."))
    );
    assert!(
        !facts.texts.iter().any(|t| t == "tiny/two"),
        "rank 26 is not shown"
    );
    assert!(facts.texts.iter().any(|t| t == "140,000"), "value labels");
    assert!(facts.texts.iter().any(|t| t.contains("log scale")));
    for word in ["active", "stale", "archived", "placeholder", "empty"] {
        assert!(facts.texts.iter().any(|t| t == word), "legend {word}");
    }
    assert!(
        !facts.texts.iter().any(|t| t == "missing"),
        "no missing bar, no legend entry"
    );
}

#[test]
fn svg_linear_when_spread_is_narrow_and_empty_chart() {
    let mut repos = vec![
        repo("a/one", Some(900), Health::Active),
        repo("b/two", Some(50), Health::Stale),
        repo(
            "c/three-with-a-much-longer-name-WWW",
            Some(10),
            Health::Archived,
        ),
    ];
    rank_repos(&mut repos);
    let svg = render_popularity_svg(&repos).unwrap();
    if let Some(p) = std::env::var_os("PAPERLINKS_SAMPLE_SVG_LINEAR") {
        std::fs::write(p, &svg).unwrap();
    }
    let facts = svg_facts(&svg);
    assert_eq!(facts.bars, 3);
    assert!(!facts.texts.iter().any(|t| t.contains("log scale")));
    assert!(facts.texts.iter().any(|t| t == "stars"));
    assert!(report::chart::use_log_scale(&[5, 501]));
    assert!(!report::chart::use_log_scale(&[5, 500]));
    assert!(
        report::chart::use_log_scale(&[0, 101]),
        "zero counts as one"
    );

    let none = svg_facts(&render_popularity_svg(&[repo("x/y", None, Health::Missing)]).unwrap());
    assert_eq!(none.bars, 0);
    assert!(
        none.texts
            .iter()
            .any(|t| t.starts_with("No repositories with stars"))
    );

    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("reports/popularity.svg");
    write_popularity_svg(&p, &repos).unwrap();
    assert!(roxmltree::Document::parse(&std::fs::read_to_string(&p).unwrap()).is_ok());
}

#[test]
fn svg_single_bar() {
    let mut repos = vec![repo("only/one", Some(1234), Health::Active)];
    rank_repos(&mut repos);
    let svg = render_popularity_svg(&repos).unwrap();
    if let Some(p) = std::env::var_os("PAPERLINKS_SAMPLE_SVG_ONE") {
        std::fs::write(p, &svg).unwrap();
    }
    let facts = svg_facts(&svg);
    assert_eq!(facts.bars, 1);
    assert!(facts.texts.iter().any(|t| t == "only/one"));
}

#[test]
fn rows_without_result_keep_failure_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("links.csv");
    let rows = [LinkRow {
        source: "a.md",
        line: 1,
        column: 1,
        paper: "P",
        url: "https://was-broken.example",
        repo: "",
        result: None,
        first_failed_at: Some(at(2)),
        ..Default::default()
    }];
    write_links_csv(&path, rows.into_iter(), true).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text.lines().nth(1).unwrap(),
        concat!(
            "a.md,1,1,P,https://was-broken.example,,unchecked,,,,,,false,2025-01-02T12:30:05Z,",
            // issue 15: archived_copy, archived_at, archive_checked_at
            ",,,",
            // issue 13: section, role
            ",,project",
            // issue 14: found_via, page_code_links
            ",,",
            // issue 25: redirect_codes
            ","
        )
    );
    let prev = read_previous_links(&path)
        .data()
        .expect("an interrupted report is usable");
    let p = &prev["https://was-broken.example"];
    assert_eq!(p.result.status, Status::Unchecked);
    assert_eq!(p.first_failed_at, Some(at(2)));
    // Broken again now: known, and the date carries over.
    let now = result(Status::Broken, Some(404));
    let policy = FailPolicy::default();
    let judge = Judge::new(&policy, Some(&prev), None);
    assert_eq!(
        judge.link("https://was-broken.example", now.status).change,
        Some(Change::Known)
    );
    assert_eq!(carry_first_failed(Some(p), &now), Some(at(2)));
}
