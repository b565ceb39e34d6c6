//! The verdict table (issue 11): (previous state, current state, policy
//! flags) -> (exit code, annotation level, summary section), for links and
//! repositories. Each row goes through the real outputs: the exit code from
//! `decide_exit` over `Judge::failures`, the annotation line written by
//! `write_annotations`, the sections of summary.md and the `change` of the
//! JSON document, so the outputs cannot disagree again. No I/O at all.

use chrono::{DateTime, TimeZone, Utc};
use paperlinks::config::FailWord;
use paperlinks::history::{PreviousLink, PreviousRepos};
use paperlinks::model::{Health, LinkResult, LinkRow, RepoInfo, RepoRow, Status};
use paperlinks::report::{JsonReport, LinkTally, SummaryInput, render_json, render_summary};
use paperlinks::verdict::{FailPolicy, Judge, decide_exit};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

const URL: &str = "https://x.example/paper";
const REPO: &str = "Org/Repo";

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, day, 0, 0, 0).unwrap()
}

fn result(status: Status) -> LinkResult {
    LinkResult {
        status,
        http_status: None,
        final_url: None,
        error: String::new(),
        elapsed_ms: 1,
        checked_at: at(9),
        redirect_chain: vec![],
        redirect_codes: None,
        cached: false,
        page_links: None,
    }
}

/// The previous run as the table states it.
#[derive(Clone, Copy, Debug)]
enum Before<T> {
    /// No previous report at all.
    NoReport,
    /// A previous report without this link / repository.
    Absent,
    /// Listed with this status (and `first_failed_at` for links).
    Was(T, bool),
}

struct Flags {
    fail_on: &'static [&'static str],
    only_new: bool,
}

const DEFAULT: Flags = Flags {
    fail_on: &["broken", "missing"],
    only_new: false,
};
const NEW_ONLY: Flags = Flags {
    fail_on: &["broken", "missing"],
    only_new: true,
};

fn policy(flags: &Flags) -> (FailPolicy, Vec<FailWord>) {
    let words: Vec<FailWord> = flags.fail_on.iter().map(|w| w.parse().unwrap()).collect();
    (FailPolicy::from_words(&words, flags.only_new), words)
}

/// The annotation level of the first workflow command in `text`.
fn level(text: &str) -> Option<String> {
    let line = text.lines().next()?;
    let rest = line.strip_prefix("::")?;
    Some(rest.split([' ', ':']).next()?.to_string())
}

/// The summary.md sections (titles without counts) that mention `needle`,
/// besides the "Failing links" table every failure is in. For repositories
/// the `(new)`/`(known)` marker is appended to the title.
fn sections(md: &str, needle: &str) -> Vec<String> {
    md.split("\n## ")
        .skip(1)
        .filter_map(|part| {
            let title = part.lines().next()?;
            let title = title.rsplit_once(" (").map_or(title, |(t, _)| t);
            let line = part.lines().skip(1).find(|l| l.contains(needle))?;
            if title == "Failing links" || title == "Most-starred repositories" {
                return None;
            }
            let marker = ["(new)", "(known)"]
                .into_iter()
                .find(|m| line.ends_with(m))
                .map(|m| format!(" {m}"))
                .unwrap_or_default();
            Some(format!("{title}{marker}"))
        })
        .collect()
}

fn summary_input<'a>(
    tally: &'a LinkTally,
    repos: &'a [RepoRow],
    judge: Judge<'a>,
    exit: u8,
) -> SummaryInput<'a> {
    SummaryInput {
        links: tally,
        repos,
        has_previous_repos: judge.has_previous_repos(),
        judge,
        interrupted: false,
        duration: Duration::from_secs(1),
        api_calls: 0,
        api_answered: 0,
        forge_calls: Vec::new(),
        exit_code: i32::from(exit),
        exit_reason: "table".into(),
        notes: vec![],
    }
}

/// What every output says about one link: (exit, level, sections, JSON change).
fn judge_link(
    before: Before<Status>,
    now: Status,
    flags: &Flags,
) -> (u8, Option<String>, Vec<String>, Option<String>) {
    let (policy, words) = policy(flags);
    let prev: Option<HashMap<String, PreviousLink>> = match before {
        Before::NoReport => None,
        Before::Absent => Some(HashMap::new()),
        Before::Was(status, since) => Some(HashMap::from([(
            URL.to_string(),
            PreviousLink {
                result: result(status),
                first_failed_at: since.then(|| at(1)),
                archive: Default::default(),
            },
        )])),
    };
    let judge = Judge::new(&policy, prev.as_ref(), None);
    let failures = judge.failures([(URL, now)], &[]);
    let exit = decide_exit(false, false, failures, &policy, &words)
        .0
        .code();

    let r = result(now);
    let row = LinkRow {
        source: "papers.md",
        line: 3,
        column: 1,
        paper: "P",
        url: URL,
        repo: "",
        result: Some(&r),
        first_failed_at: None,
        ..Default::default()
    };
    let mut out = Vec::new();
    paperlinks::report::write_annotations(
        &mut out,
        [row].into_iter(),
        &[],
        &judge,
        Path::new("/"),
        |_| None,
    )
    .unwrap();
    let level = level(&String::from_utf8(out).unwrap());

    let mut tally = LinkTally::new(judge.has_previous_links());
    tally.add(&row, &judge);
    let input = summary_input(&tally, &[], judge, exit);
    let md = render_summary(&input);
    let json: serde_json::Value =
        serde_json::from_str(&render_json(&JsonReport::new(&input))).unwrap();
    let links = &json["links"];
    let change = links["failing"][0]["change"]
        .as_str()
        .or(links["fixed"][0]["change"].as_str())
        .map(str::to_owned);
    (exit, level, sections(&md, URL), change)
}

fn repo_row(health: Health) -> RepoRow {
    RepoRow {
        repo: REPO.into(),
        forge: Default::default(),
        kind: Default::default(),
        info: (health != Health::Missing).then(|| RepoInfo {
            canonical: REPO.into(),
            stars: 3,
            ..RepoInfo::default()
        }),
        papers: 1,
        links: 1,
        health,
        days_since_push: None,
        rank: None,
        error: String::new(),
        fetched_at: at(9),
        cached: false,
        stars_delta: None,
        previous_report_at: None,
        archive: Default::default(),
        found_via: String::new(),
    }
}

/// What every output says about one repository: (exit, level, sections).
fn judge_repo(
    before: Before<Health>,
    now: Health,
    flags: &Flags,
) -> (u8, Option<String>, Vec<String>) {
    let (policy, words) = policy(flags);
    let prev = match before {
        Before::NoReport => None,
        Before::Absent => Some(HashMap::new()),
        Before::Was(h, _) => {
            // The previous report spelled it in another case: the same
            // repository (one `RepoKey`).
            let mut prev = repo_row(h);
            prev.repo = REPO.to_uppercase();
            Some(HashMap::from([(prev.key(), prev)]))
        }
    }
    .map(|repos| PreviousRepos {
        repos,
        report_at: Some(at(1)),
    });
    let judge = Judge::new(&policy, None, prev.as_ref());
    let rows = [repo_row(now)];
    let failures = judge.failures([], &rows);
    let exit = decide_exit(false, false, failures, &policy, &words)
        .0
        .code();
    let mut out = Vec::new();
    paperlinks::report::write_annotations(
        &mut out,
        [].into_iter(),
        &rows,
        &judge,
        Path::new("/"),
        |_| None,
    )
    .unwrap();
    let level = level(&String::from_utf8(out).unwrap());
    let tally = LinkTally::new(false);
    let input = summary_input(&tally, &rows, judge, exit);
    let md = render_summary(&input);
    // The JSON document lists the same repositories as summary.md.
    let json: serde_json::Value =
        serde_json::from_str(&render_json(&JsonReport::new(&input))).unwrap();
    let listed = json["repos"]["failing"].as_array().unwrap().len()
        + json["repos"]["fixed"].as_array().unwrap().len();
    let secs = sections(&md, REPO);
    assert_eq!(listed, secs.len(), "{md}\n{json}");
    (exit, level, secs)
}

fn lvl(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

fn sec(s: &str) -> Vec<String> {
    if s.is_empty() {
        vec![]
    } else {
        vec![s.to_string()]
    }
}

/// previous, now, flags -> exit, annotation level ("" none), summary section ("" none).
type Row<'a, T> = (Before<T>, T, &'a Flags, u8, &'a str, &'a str);

#[test]
fn link_table() {
    use Before::*;
    use Status::*;
    let timeout_fails = Flags {
        fail_on: &["timeout"],
        only_new: true,
    };
    #[rustfmt::skip]
    let table: Vec<Row<Status>> = vec![
        // previous            now         flags      exit level      summary section
        (NoReport,             Broken,     &DEFAULT,  2, "error",   ""),
        (NoReport,             Broken,     &NEW_ONLY, 2, "error",   ""),
        (Absent,               Broken,     &NEW_ONLY, 2, "error",   "Newly failing"),
        (Was(Ok, false),       Broken,     &NEW_ONLY, 2, "error",   "Newly failing"),
        (Was(Broken, true),    Broken,     &DEFAULT,  2, "error",   "Still failing (known)"),
        (Was(Broken, true),    Broken,     &NEW_ONLY, 0, "warning", "Still failing (known)"),
        // The first disagreement of issue 11: interrupted last time, failing
        // before that. Known everywhere: exit 0 and a warning.
        (Was(Unchecked, true), Broken,     &NEW_ONLY, 0, "warning", "Still failing (known)"),
        (Was(Unchecked, false),Broken,     &NEW_ONLY, 2, "error",   "Newly failing"),
        // Failing before with another failure word: still known.
        (Was(Timeout, true),   Broken,     &NEW_ONLY, 0, "warning", "Still failing (known)"),
        (Was(Broken, true),    Ok,         &NEW_ONLY, 0, "",        "Fixed since the last run"),
        (Was(Unchecked, true), Redirected, &DEFAULT,  0, "warning", "Fixed since the last run"),
        (Was(Broken, true),    Unchecked,  &DEFAULT,  0, "",        ""),
        (Was(Broken, true),    Excluded,   &DEFAULT,  0, "",        ""),
        (Was(Ok, false),       Timeout,    &DEFAULT,  0, "warning", "Newly failing"),
        (Was(Ok, false),       Redirected, &DEFAULT,  0, "warning", ""),
        (Was(Ok, false),       Ok,         &DEFAULT,  0, "",        ""),
        (Absent,               Timeout,    &timeout_fails, 2, "error",   "Newly failing"),
        (Was(Timeout, true),   Timeout,    &timeout_fails, 0, "warning", "Still failing (known)"),
        (Was(Ok, false),       Broken,     &timeout_fails, 0, "warning", "Newly failing"),
    ];
    for (i, (before, now, flags, exit, level, section)) in table.into_iter().enumerate() {
        let got = judge_link(before, now, flags);
        let want_change = match section {
            "Newly failing" => Some("new"),
            "Still failing (known)" => Some("known"),
            "Fixed since the last run" => Some("fixed"),
            _ => None,
        };
        assert_eq!(
            got,
            (
                exit,
                lvl(level),
                sec(section),
                want_change.map(str::to_owned)
            ),
            "row {i}: {before:?} -> {now:?}, only_new={}",
            flags.only_new
        );
    }
}

#[test]
fn repo_table() {
    use Before::*;
    use Health::*;
    let archived_fails = Flags {
        fail_on: &["archived"],
        only_new: true,
    };
    #[rustfmt::skip]
    let table: Vec<Row<Health>> = vec![
        // previous            now       flags      exit level      summary section
        (NoReport,             Missing,  &DEFAULT,  2, "error",   "Failing repositories"),
        (NoReport,             Missing,  &NEW_ONLY, 2, "error",   "Failing repositories"),
        (Absent,               Missing,  &NEW_ONLY, 2, "error",   "Failing repositories (new)"),
        (Was(Active, false),   Missing,  &NEW_ONLY, 2, "error",   "Failing repositories (new)"),
        (Was(Missing, false),  Missing,  &DEFAULT,  2, "error",   "Failing repositories (known)"),
        // The second disagreement of issue 11: already missing, under
        // --fail-on-new. Known everywhere: exit 0 and a warning.
        (Was(Missing, false),  Missing,  &NEW_ONLY, 0, "warning", "Failing repositories (known)"),
        (Was(Missing, false),  Active,   &DEFAULT,  0, "",        "Repositories fixed since the last run"),
        (Was(Missing, false),  Archived, &DEFAULT,  0, "warning", "Repositories fixed since the last run"),
        (Was(Active, false),   Archived, &DEFAULT,  0, "warning", ""),
        (Was(Active, false),   Active,   &DEFAULT,  0, "",        ""),
        (NoReport,             Unknown,  &DEFAULT,  0, "",        ""),
        (Was(Active, false),   Archived, &archived_fails, 2, "error",   "Failing repositories (new)"),
        (Was(Archived, false), Archived, &archived_fails, 0, "warning", "Failing repositories (known)"),
        (Absent,               Missing,  &archived_fails, 0, "",        ""),
    ];
    for (i, (before, now, flags, exit, level, section)) in table.into_iter().enumerate() {
        assert_eq!(
            judge_repo(before, now, flags),
            (exit, lvl(level), sec(section)),
            "row {i}: {before:?} -> {now:?}, only_new={}",
            flags.only_new
        );
    }
}

#[test]
fn exit_precedence() {
    let policy = FailPolicy::default();
    let words = vec![FailWord::Status(Status::Broken)];
    let failing = paperlinks::verdict::Failures { links: 1, repos: 0 };
    assert_eq!(
        decide_exit(true, true, failing, &policy, &words).0.code(),
        130
    );
    assert_eq!(
        decide_exit(false, true, failing, &policy, &words).0.code(),
        4
    );
    let (exit, reason) = decide_exit(false, false, failing, &policy, &words);
    assert_eq!(
        (exit.code(), reason.as_str()),
        (2, "1 failures under fail_on [broken]")
    );
    let none = paperlinks::verdict::Failures::default();
    assert_eq!(decide_exit(false, false, none, &policy, &words).0.code(), 0);
}
