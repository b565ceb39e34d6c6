//! The CSV schema (issue 11): each report is written and read through one
//! serde record, with columns matched by header name. A file whose columns
//! are reordered, or that has a column this version does not know, reads
//! back; so does one written before the newest optional column existed.
//! No network at all.

use chrono::{TimeZone, Utc};
use paperlinks::history::{Previous, read_previous_links, read_previous_repos};
use paperlinks::model::{
    Health, LinkResult, LinkRow, PaperRow, RepoInfo, RepoKey, RepoRow, Status,
};
use paperlinks::report::{
    link_columns, paper_columns, repo_columns, write_link_rows, write_paper_rows, write_repo_rows,
};
use paperlinks::rows::PaperRecord;

/// Rewrites a CSV text with its columns in `order` (indices into the
/// original header) and an extra `later_column` at the front, in the way a
/// later version or a spreadsheet round trip might.
fn reorder(text: &str, order: &[usize]) -> String {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = r.headers().unwrap().clone();
    let mut out: Vec<&str> = vec!["later_column"];
    out.extend(order.iter().map(|&i| &header[i]));
    w.write_record(&out).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        let mut out: Vec<&str> = vec!["=something new"];
        out.extend(order.iter().map(|&i| &rec[i]));
        w.write_record(&out).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// Drops the column named `name`.
fn without(text: &str, name: &str) -> String {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = r.headers().unwrap().clone();
    let keep: Vec<usize> = (0..header.len()).filter(|&i| &header[i] != name).collect();
    assert!(keep.len() < header.len(), "no column {name}");
    w.write_record(keep.iter().map(|&i| &header[i])).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        w.write_record(keep.iter().map(|&i| &rec[i])).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

fn reversed(n: usize) -> Vec<usize> {
    (0..n).rev().collect()
}

fn link_result() -> LinkResult {
    LinkResult {
        status: Status::Redirected,
        http_status: Some(301),
        final_url: Some("=https://new.example/x".into()),
        error: "-moved".into(),
        elapsed_ms: 12,
        checked_at: Utc.with_ymd_and_hms(2025, 3, 1, 10, 0, 0).unwrap(),
        redirect_chain: vec!["https://a.example/1".into(), "https://a.example/2".into()],
        redirect_codes: Some(Box::new(vec![301, 308])),
        cached: true,
        page_links: Some(
            vec![
                "https://github.com/a/b".to_string(),
                "https://huggingface.co/c/d".to_string(),
            ]
            .into(),
        ),
    }
}

fn links_csv(result: &LinkResult) -> String {
    let rows = [LinkRow {
        source: "@papers.md",
        line: 4,
        column: 2,
        paper: "+A paper",
        url: "https://old.example/x",
        repo: "",
        result: Some(result),
        first_failed_at: None,
        archive: None,
        section: "=Vision",
        role: paperlinks::model::Role::Code,
        found_via: "",
    }];
    let mut buf = Vec::new();
    write_link_rows(&mut buf, rows.into_iter(), true).unwrap();
    String::from_utf8(buf).unwrap()
}

fn read_links(
    text: &str,
) -> Previous<std::collections::HashMap<String, paperlinks::history::PreviousLink>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("links.csv");
    std::fs::write(&path, text).unwrap();
    read_previous_links(&path)
}

#[test]
fn links_reordered_and_extended_read_back() {
    let result = link_result();
    let text = reorder(&links_csv(&result), &reversed(link_columns().len()));
    assert!(
        text.starts_with(
            "later_column,redirect_codes,page_code_links,found_via,role,section,archive_checked_at,archived_at,archived_copy,redirect_chain,first_failed_at,cached,"
        ),
        "{text}"
    );
    let prev = read_links(&text)
        .data()
        .expect("a reordered, extended file reads");
    assert_eq!(prev["https://old.example/x"].result, result);
}

#[test]
fn links_missing_the_newest_optional_column_read_back() {
    let result = link_result();
    let text = without(&links_csv(&result), "redirect_chain");
    let prev = read_links(&text).data().expect("an older file reads");
    let mut want = result;
    want.redirect_chain.clear();
    assert_eq!(prev["https://old.example/x"].result, want);
    // A required column missing is another format: ignored, with a warning.
    assert!(
        read_links(&without(&links_csv(&link_result()), "cached"))
            .warning()
            .is_some()
    );
}

fn repo_rows() -> Vec<RepoRow> {
    let at = Utc.with_ymd_and_hms(2025, 3, 1, 10, 0, 0).unwrap();
    let found = RepoRow {
        repo: "Org/Repo".into(),
        forge: Default::default(),
        kind: Default::default(),
        info: Some(RepoInfo {
            canonical: "org/repo".into(),
            url: "https://github.com/org/repo".into(),
            stars: 7,
            license: Some("MIT".into()),
            pushed_at: Some(at),
            has_code: true,
            ..RepoInfo::default()
        }),
        papers: 1,
        links: 2,
        health: Health::Active,
        days_since_push: Some(3),
        rank: Some(1),
        error: String::new(),
        fetched_at: at,
        cached: false,
        stars_delta: Some(-2),
        previous_report_at: Some(at),
        archive: Default::default(),
        found_via: String::new(),
    };
    let mut missing = found.clone();
    missing.repo = "=gone/away".into();
    missing.info = None;
    missing.health = Health::Missing;
    missing.rank = None;
    missing.stars_delta = None;
    missing.error = "not found".into();
    vec![found, missing]
}

#[test]
fn repos_reordered_and_extended_read_back() {
    let rows = repo_rows();
    let mut buf = Vec::new();
    write_repo_rows(&mut buf, &rows).unwrap();
    let text = reorder(
        &String::from_utf8(buf).unwrap(),
        &reversed(repo_columns().len()),
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("repos.csv");
    std::fs::write(&path, text).unwrap();
    let prev = read_previous_repos(&path).data().expect("reads");
    for r in &rows {
        assert_eq!(&prev.repos[&r.key()], r);
    }
}

/// A repos.csv written before the forge columns existed reads as GitHub
/// repositories; a Hugging Face Space row reads back whole.
#[test]
fn repos_without_the_forge_columns_read_as_github_and_forge_rows_round_trip() {
    let mut rows = repo_rows();
    let mut space = rows[0].clone();
    space.repo = "huggingface.co/spaces/org/demo".into();
    space.forge = paperlinks::model::Forge::Huggingface;
    space.kind = paperlinks::model::RepoKind::Space;
    space.health = Health::Failing;
    if let Some(i) = space.info.as_mut() {
        i.likes = Some(7);
        i.downloads_30d = Some(12);
        i.runtime = Some("BUILD_ERROR".into());
    }
    let mut buf = Vec::new();
    write_repo_rows(&mut buf, &[space.clone()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("repos.csv");
    std::fs::write(&path, &buf).unwrap();
    let prev = read_previous_repos(&path).data().expect("reads");
    assert_eq!(prev.repos[&space.key()], space);

    rows.truncate(1);
    let mut buf = Vec::new();
    write_repo_rows(&mut buf, &rows).unwrap();
    let mut text = String::from_utf8(buf).unwrap();
    for col in [
        "forge",
        "kind",
        "likes",
        "downloads_30d",
        "runtime",
        "found_via",
    ] {
        text = without(&text, col);
    }
    std::fs::write(&path, text).unwrap();
    let prev = read_previous_repos(&path).data().expect("reads");
    assert_eq!(prev.repos[&RepoKey::new("org/repo")], rows[0]);
}

#[test]
fn papers_reordered_and_extended_read_back() {
    let row = PaperRow {
        source: "-papers.md",
        line: 3,
        paper: "=A paper, with a comma",
        links: 2,
        code_links: 1,
        repos: 1,
        broken_links: 1,
        best_repo: "org/repo".into(),
        best_repo_stars: Some(9),
        health: Some(Health::Stale),
        claims_code_without_link: false,
        code_recoverable: paperlinks::model::Recoverable::Lost,
        code_state: paperlinks::model::CodeState::Linked,
        section: "@Section",
        paper_url: "https://arxiv.org/abs/1",
        role_links: [1, 1, 0, 0, 0, 0, 0, 0, 0],
        failing_links: 2,
        broken_code_links: 1,
    };
    let mut buf = Vec::new();
    write_paper_rows(&mut buf, [&row]).unwrap();
    let text = reorder(
        &String::from_utf8(buf).unwrap(),
        &reversed(paper_columns().len()),
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let back: Vec<PaperRecord> = reader.deserialize().map(Result::unwrap).collect();
    assert_eq!(back, [PaperRecord::from_row(&row)]);
    assert_eq!(back[0].paper, "=A paper, with a comma");
}

#[test]
fn columns_come_from_the_records() {
    assert_eq!(link_columns().len(), 23);
    assert_eq!(link_columns()[14], "redirect_chain");
    assert_eq!(link_columns()[17], "archive_checked_at");
    assert_eq!(
        link_columns()[18..],
        [
            "section",
            "role",
            "found_via",
            "page_code_links",
            "redirect_codes"
        ]
    );
    assert_eq!(repo_columns().len(), 38);
    assert_eq!(repo_columns()[28], "has_code");
    assert_eq!(
        repo_columns()[29..],
        [
            "archived_copy",
            "archived_at",
            "archive_checked_at",
            "forge",
            "kind",
            "likes",
            "downloads_30d",
            "runtime",
            "found_via"
        ]
    );
    assert_eq!(paper_columns()[10], "claims_code_without_link");
    assert_eq!(paper_columns()[11], "code_recoverable");
    // One count per role, in `Role::ALL` order (how `PaperRow::role_links` is
    // indexed), but `image`: images are none of a paper's links (issue 22).
    let roles: Vec<String> = paperlinks::model::Role::ALL
        .iter()
        .filter(|r| **r != paperlinks::model::Role::Image)
        .map(|r| format!("{r}_role_links"))
        .collect();
    assert_eq!(paper_columns()[15..24], roles);
    // Issue 24: `failing_links` (every status under `fail_on`) added last.
    assert_eq!(paper_columns()[24..], ["failing_links"]);
}

#[test]
fn papers_written_before_failing_links_read_back_with_zero() {
    let mut buf = Vec::new();
    let row = PaperRow {
        source: "a.md",
        line: 1,
        paper: "P",
        failing_links: 3,
        ..Default::default()
    };
    write_paper_rows(&mut buf, [&row]).unwrap();
    let text = String::from_utf8(buf).unwrap();
    // Drop the last column, as a papers.csv of an older version has it.
    let old: String = text
        .lines()
        .map(|l| l.rsplit_once(',').map_or(l, |(head, _)| head).to_owned() + "\n")
        .collect();
    assert!(!old.contains("failing_links"));
    let back: Vec<PaperRecord> = csv::Reader::from_reader(old.as_bytes())
        .deserialize()
        .map(Result::unwrap)
        .collect();
    assert_eq!(back[0].failing_links, 0);
    assert_eq!(back[0].paper, "P");
}
