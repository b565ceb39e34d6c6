//! Forges beyond GitHub against local stand-ins (tests/support/fake_forges):
//! what each API's answers become (figures, health words), one call per
//! repository, roots judged from the API alone, the exit code under the
//! default fail policy, and the bounds (rate limit, call budget).

use crate::support;

use paperlinks::config::{Config, ForgesConfig};
use paperlinks::forge::{ForgeRef, Forges, Recognizer};
use paperlinks::github::health;
use paperlinks::model::{Health, RepoOutcome};
use paperlinks::pipeline::Exit;
use paperlinks::proxy::ProxySettings;
use std::collections::HashMap;
use support::fake_forges::{FakeForge, gitea, gitee, gitlab, hf};
use support::web::{Reply, WebServer};
use tokio_util::sync::CancellationToken;

const RECENT: &str = "2026-11-01T00:00:00.000Z";
const OLD: &str = "2020-01-01T00:00:00.000Z";

struct Stand {
    hf: FakeForge,
    gitlab: FakeForge,
    codeberg: FakeForge,
    gitee: FakeForge,
}

async fn stand_ins() -> Stand {
    Stand {
        hf: FakeForge::start(vec![
            hf::model("org/found", 12, 3400, RECENT),
            hf::model("org/old", 1, 0, OLD),
            hf::dataset("org/data", 5, 70, RECENT),
            hf::gated("org/gated"),
            hf::space("org/run", 9, "RUNNING"),
            hf::space("org/sleep", 2, "SLEEPING"),
            hf::space("org/build", 0, "BUILD_ERROR"),
            hf::space("org/crash", 0, "RUNTIME_ERROR"),
            hf::space("org/conf", 0, "CONFIG_ERROR"),
        ])
        .await,
        gitlab: FakeForge::start(vec![
            gitlab::project("g/live", 40, RECENT, false, false),
            gitlab::project("g/sub/arch", 8, RECENT, true, false),
            gitlab::project("g/hollow", 0, RECENT, false, true),
            gitlab::project("g/new-name", 3, RECENT, false, false),
            gitlab::moved("g/old-name", "g/new-name"),
        ])
        .await,
        codeberg: FakeForge::start(vec![
            gitea::repo("o/live", 15, "2026-10-30T10:00:00Z", false, false),
            gitea::repo("o/arch", 2, "2026-10-30T10:00:00Z", true, false),
            gitea::repo("o/empty", 0, "2026-10-30T10:00:00Z", false, true),
        ])
        .await,
        gitee: FakeForge::start(vec![
            gitee::repo("o/live", 77, "2026-10-01T12:00:00+08:00"),
            gitee::repo("o/stale", 1, "2019-01-01T12:00:00+08:00"),
        ])
        .await,
    }
}

fn forges_config(s: &Stand) -> ForgesConfig {
    ForgesConfig {
        huggingface_api: s.hf.url(),
        gitlab_api: s.gitlab.url(),
        codeberg_api: s.codeberg.url(),
        gitee_api: s.gitee.url(),
        ..ForgesConfig::default()
    }
}

/// Every case, as linked; the health word each must get.
const CASES: &[(&str, Health)] = &[
    ("https://huggingface.co/org/found", Health::Active),
    ("https://huggingface.co/org/old", Health::Stale),
    ("https://huggingface.co/datasets/org/data", Health::Active),
    ("https://huggingface.co/org/gated", Health::Active),
    ("https://huggingface.co/org/gone", Health::Missing),
    ("https://huggingface.co/spaces/org/run", Health::Active),
    ("https://hf.co/spaces/org/sleep", Health::Active),
    ("https://huggingface.co/spaces/org/build", Health::Failing),
    ("https://huggingface.co/spaces/org/crash", Health::Failing),
    ("https://huggingface.co/spaces/org/conf", Health::Failing),
    ("https://gitlab.com/g/live", Health::Active),
    ("https://gitlab.com/g/sub/arch", Health::Archived),
    ("https://gitlab.com/g/hollow", Health::Empty),
    ("https://gitlab.com/g/old-name", Health::Active),
    ("https://gitlab.com/g/gone", Health::Missing),
    ("https://codeberg.org/o/live", Health::Active),
    ("https://codeberg.org/o/arch", Health::Archived),
    ("https://codeberg.org/o/empty", Health::Empty),
    ("https://codeberg.org/o/gone", Health::Missing),
    ("https://gitee.com/o/live", Health::Active),
    ("https://gitee.com/o/stale", Health::Stale),
    ("https://gitee.com/o/gone", Health::Missing),
];

fn refs(urls: &[&str]) -> Vec<ForgeRef> {
    let rec = Recognizer::new(&Config::default());
    urls.iter().map(|u| rec.parse(u).expect(u)).collect()
}

#[tokio::test]
async fn every_api_answer_becomes_the_right_health_word_with_one_call_per_repository() {
    let s = stand_ins().await;
    let forges = Forges::new(&forges_config(&s), None, ProxySettings::default());
    let urls: Vec<&str> = CASES.iter().map(|c| c.0).collect();
    let (outcomes, stats) = forges.fetch(&refs(&urls), CancellationToken::new()).await;
    let now = chrono::Utc::now();
    for ((url, want), o) in CASES.iter().zip(&outcomes) {
        let got = health(o, &Default::default(), now);
        assert_eq!(got, *want, "{url}: {o:?}");
    }
    let by_url: HashMap<&str, &RepoOutcome> = urls.iter().copied().zip(&outcomes).collect();
    let RepoOutcome::Found(m) = by_url["https://huggingface.co/org/found"] else {
        panic!()
    };
    assert_eq!(
        (m.stars, m.likes, m.downloads_30d),
        (12, Some(12), Some(3400))
    );
    let RepoOutcome::Found(moved) = by_url["https://gitlab.com/g/old-name"] else {
        panic!()
    };
    assert_eq!(moved.canonical, "g/new-name");
    let RepoOutcome::Found(g) = by_url["https://gitee.com/o/live"] else {
        panic!()
    };
    assert_eq!((g.stars, g.forks), (77, 5));
    // One call per repository; the moved GitLab project costs its redirect,
    // the missing one a look at its page (the stand-in is not gitlab.com's
    // own API, so it may be a GitLab older than 16.7).
    assert_eq!(s.hf.calls(), 10);
    assert_eq!(s.gitlab.calls(), 7);
    assert_eq!(s.codeberg.calls(), 4);
    assert_eq!(s.gitee.calls(), 3);
    let calls: Vec<(String, usize)> = stats
        .calls
        .iter()
        .map(|(f, n)| (f.to_string(), *n))
        .collect();
    assert_eq!(
        calls,
        [
            ("huggingface", 10),
            ("gitlab", 7),
            ("codeberg", 4),
            ("gitee", 3)
        ]
        .map(|(f, n)| (f.to_string(), n))
    );
    assert!(stats.notes.is_empty(), "{:?}", stats.notes);
}

#[tokio::test]
async fn a_rate_limit_longer_than_max_wait_stops_the_forge_with_unknown_and_a_note() {
    let server = WebServer::start(|_| {
        Reply::status(429)
            .header("Retry-After", "3600")
            .header("RateLimit", "\"api\";r=0;t=3600")
    })
    .await;
    let config = ForgesConfig {
        huggingface_api: server.url(""),
        max_concurrency: 1,
        ..ForgesConfig::default()
    };
    let forges = Forges::new(&config, None, ProxySettings::default());
    let urls = [
        "https://huggingface.co/a/b",
        "https://huggingface.co/a/c",
        "https://huggingface.co/a/d",
    ];
    let (outcomes, stats) = forges.fetch(&refs(&urls), CancellationToken::new()).await;
    assert_eq!(server.requests(), 1, "stops at the first 429");
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, RepoOutcome::Unknown(r) if r.contains("429")))
    );
    assert_eq!(stats.notes.len(), 1, "{:?}", stats.notes);
    assert!(stats.notes[0].contains("3 of 3"), "{}", stats.notes[0]);
}

#[tokio::test]
async fn the_call_budget_ends_in_unknown_never_in_more_calls() {
    let s = stand_ins().await;
    let config = ForgesConfig {
        max_calls: 2,
        max_concurrency: 1,
        ..forges_config(&s)
    };
    let forges = Forges::new(&config, None, ProxySettings::default());
    let urls = [
        "https://gitee.com/o/live",
        "https://gitee.com/o/stale",
        "https://gitee.com/o/gone",
        "https://gitee.com/o/more",
    ];
    let (outcomes, stats) = forges.fetch(&refs(&urls), CancellationToken::new()).await;
    assert_eq!(s.gitee.calls(), 2);
    let unknown = outcomes
        .iter()
        .filter(|o| matches!(o, RepoOutcome::Unknown(r) if r.contains("max_calls")))
        .count();
    assert_eq!(unknown, 2);
    assert!(
        stats.notes.iter().any(|n| n.contains("2 of 4")),
        "{:?}",
        stats.notes
    );
}

/// Issue 21 item 1: `max_calls` is per run. The run's one `Forges` is asked
/// in both rounds (first the extracted links, then those found on project
/// pages); the second fetch may not spend the budget again.
#[tokio::test]
async fn max_calls_holds_across_both_rounds_of_a_run() {
    let s = stand_ins().await;
    let config = ForgesConfig {
        max_calls: 2,
        max_concurrency: 1,
        ..forges_config(&s)
    };
    let forges = Forges::new(&config, None, ProxySettings::default());
    let first = ["https://gitee.com/o/live"];
    let (outcomes, _) = forges.fetch(&refs(&first), CancellationToken::new()).await;
    assert!(matches!(outcomes[0], RepoOutcome::Found(_)), "{outcomes:?}");
    let second = [
        "https://gitee.com/o/stale",
        "https://gitee.com/o/gone",
        "https://gitee.com/o/more",
    ];
    let (outcomes, stats) = forges.fetch(&refs(&second), CancellationToken::new()).await;
    assert_eq!(s.gitee.calls(), 2, "one call left for the second round");
    let unknown = outcomes
        .iter()
        .filter(|o| matches!(o, RepoOutcome::Unknown(r) if r.contains("max_calls")))
        .count();
    assert_eq!(unknown, 2, "{outcomes:?}");
    assert_eq!(
        stats.calls.values().sum::<usize>(),
        1,
        "calls counted per fetch"
    );
}

#[tokio::test]
async fn the_hugging_face_token_goes_to_its_api_only() {
    let s = stand_ins().await;
    let token = paperlinks::http::token("hf_sentinel_token");
    let forges = Forges::new(&forges_config(&s), token, ProxySettings::default());
    assert!(!format!("{forges:?}").contains("sentinel"));
    let (outcomes, stats) = forges
        .fetch(
            &refs(&[
                "https://huggingface.co/org/gone",
                "https://gitlab.com/g/gone",
            ]),
            CancellationToken::new(),
        )
        .await;
    assert!(format!("{outcomes:?}{stats:?}").find("sentinel").is_none());
    // GitLab: the API, then the missing project's page.
    assert_eq!((s.hf.calls(), s.gitlab.calls()), (1, 2));
}

/// A whole run: rows in repos.csv with the API's figures, roots judged
/// without a page request, and exit 2 under the default fail_on for the
/// missing model.
#[tokio::test]
async fn a_run_reports_every_forge_and_fails_on_a_missing_model() {
    let s = stand_ins().await;
    let pages = WebServer::start(|_| Reply::status(200).body("<html></html>")).await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("papers.md");
    let mut md = String::from("# A paper\n\n");
    for (url, _) in CASES {
        md.push_str(&format!("Code: <{url}>\n\n"));
    }
    std::fs::write(&input, md).unwrap();
    let mut config = Config {
        inputs: vec![input.display().to_string()],
        output_dir: dir.path().join("reports"),
        forges: forges_config(&s),
        ..crate::support::config()
    };
    config.github.enabled = false;
    config.check.allow_private = true;
    config.check.retries = 0;
    // A page request would land here (and be counted), never on the Internet.
    config.check.remap = vec![format!("^https?://(.*)$ {}/$1", pages.url(""))];
    let mut out = Vec::new();
    let exit = paperlinks::pipeline::run(
        crate::support::options(config.clone()),
        CancellationToken::new(),
        &mut out,
    )
    .await
    .unwrap();
    assert_eq!(exit, Exit::Failures);
    assert_eq!(
        pages.requests(),
        0,
        "no page request for a root the API answered"
    );
    assert_eq!(
        s.hf.calls() + s.gitlab.calls() + s.codeberg.calls() + s.gitee.calls(),
        24,
        "one call per repository, the moved project's redirect, the missing project's page"
    );

    let mut r = csv::Reader::from_path(dir.path().join("reports/repos.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |name: &str| {
        h.iter()
            .position(|c| c == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    let tail: Vec<&str> = h.iter().skip(h.len() - 6).collect();
    assert_eq!(
        tail,
        [
            "forge",
            "kind",
            "likes",
            "downloads_30d",
            "runtime",
            "found_via"
        ]
    );
    let rows: HashMap<String, csv::StringRecord> = r
        .records()
        .map(|rec| rec.unwrap())
        .map(|rec| (rec[col("repo")].to_string(), rec))
        .collect();
    assert_eq!(rows.len(), CASES.len());
    let m = &rows["huggingface.co/org/found"];
    assert_eq!(
        [
            &m[col("forge")],
            &m[col("kind")],
            &m[col("stars")],
            &m[col("likes")],
            &m[col("downloads_30d")],
            &m[col("health")]
        ],
        ["huggingface", "model", "12", "12", "3400", "active"]
    );
    let sp = &rows["huggingface.co/spaces/org/crash"];
    assert_eq!(
        [&sp[col("kind")], &sp[col("runtime")], &sp[col("health")]],
        ["space", "RUNTIME_ERROR", "failing"]
    );
    assert_eq!(
        &rows["huggingface.co/datasets/org/data"][col("kind")],
        "dataset"
    );
    assert_eq!(&rows["huggingface.co/org/gone"][col("health")], "missing");
    let gl = &rows["gitlab.com/g/live"];
    assert_eq!(
        [&gl[col("forge")], &gl[col("stars")], &gl[col("forks")]],
        ["gitlab", "40", "3"]
    );
    assert_eq!(&rows["codeberg.org/o/arch"][col("health")], "archived");
    assert_eq!(&rows["gitee.com/o/live"][col("stars")], "77");

    let mut l = csv::Reader::from_path(dir.path().join("reports/links.csv")).unwrap();
    let lh = l.headers().unwrap().clone();
    let lcol = |name: &str| lh.iter().position(|c| c == name).unwrap();
    let status: HashMap<String, String> = l
        .records()
        .map(|rec| rec.unwrap())
        .map(|rec| {
            (
                rec[lcol("url")].to_string(),
                rec[lcol("status")].to_string(),
            )
        })
        .collect();
    assert_eq!(status["https://huggingface.co/org/gone"], "broken");
    assert_eq!(status["https://gitlab.com/g/old-name"], "redirected");
    assert_eq!(status["https://huggingface.co/org/found"], "ok");

    let popularity = std::fs::read_to_string(dir.path().join("reports/popularity.md")).unwrap();
    assert!(
        popularity
            .contains("gitlab.com/g/old-name](https://gitlab.com/g/new-name) (now g/new-name)"),
        "{popularity}"
    );
    assert_eq!(
        popularity.matches("(now ").count(),
        1,
        "only the moved project"
    );
    assert!(
        popularity.contains("gitee.com/o/live") && popularity.contains("huggingface.co/org/found")
    );
    let svg = std::fs::read_to_string(dir.path().join("reports/popularity.svg")).unwrap();
    assert!(
        svg.contains("gitee.com/o/live"),
        "the chart shows the other forges"
    );
    let summary = std::fs::read_to_string(dir.path().join("reports/summary.md")).unwrap();
    assert!(
        summary.contains("huggingface 10, gitlab 7, codeberg 4, gitee 3"),
        "{summary}"
    );

    // An incremental run reuses every found repository (and its health):
    // only the four missing ones are asked again (and the missing GitLab
    // project's page looked at again).
    let before = s.hf.calls() + s.gitlab.calls() + s.codeberg.calls() + s.gitee.calls();
    let exit = paperlinks::pipeline::run(
        crate::support::options(config),
        CancellationToken::new(),
        &mut out,
    )
    .await
    .unwrap();
    assert_eq!(exit, Exit::Failures);
    let after = s.hf.calls() + s.gitlab.calls() + s.codeberg.calls() + s.gitee.calls();
    assert_eq!(after - before, 5);
    assert_eq!(pages.requests(), 0);
    let mut r = csv::Reader::from_path(dir.path().join("reports/repos.csv")).unwrap();
    let again: HashMap<String, csv::StringRecord> = r
        .records()
        .map(|rec| rec.unwrap())
        .map(|rec| (rec[col("repo")].to_string(), rec))
        .collect();
    let sp = &again["huggingface.co/spaces/org/crash"];
    assert_eq!(
        [&sp[col("cached")], &sp[col("health")]],
        ["true", "failing"]
    );
    assert_eq!(
        &again["huggingface.co/org/found"][col("downloads_30d")],
        "3400"
    );
}

#[test]
fn failing_is_a_fail_on_word() {
    let c = Config::parse(
        "[ci]\nfail_on = [\"failing\"]\n",
        std::path::Path::new("c.toml"),
    )
    .unwrap();
    assert_eq!(
        c.ci.fail_on,
        vec![paperlinks::config::FailWord::Health(Health::Failing)]
    );
}

#[tokio::test]
async fn disabled_hugging_face_repositories_are_unavailable() {
    let hub = FakeForge::start(vec![
        hf::disabled("datasets", "laion/laion-art"),
        hf::disabled("models", "org/off"),
        hf::model("org/found", 1, 1, RECENT),
    ])
    .await;
    let config = ForgesConfig {
        huggingface_api: hub.url(),
        ..ForgesConfig::default()
    };
    let forges = Forges::new(&config, None, ProxySettings::default());
    let urls = [
        "https://huggingface.co/datasets/laion/laion-art",
        "https://huggingface.co/org/off",
        "https://huggingface.co/org/found",
    ];
    let (out, stats) = forges.fetch(&refs(&urls), CancellationToken::new()).await;
    let now = chrono::Utc::now();
    let words: Vec<Health> = out
        .iter()
        .map(|o| health(o, &Default::default(), now))
        .collect();
    assert_eq!(
        words,
        [Health::Unavailable, Health::Unavailable, Health::Active]
    );
    assert!(
        matches!(&out[0], RepoOutcome::Unavailable(m) if m.contains("disabled") && m.contains("403")),
        "{:?}",
        out[0]
    );
    assert!(
        stats.notes.is_empty(),
        "answered, not failed: {:?}",
        stats.notes
    );
}

#[tokio::test]
async fn a_refused_hf_token_is_said_once_and_the_calls_go_on_without_it() {
    let hub = FakeForge::start_with_token(
        vec![
            hf::model("org/a", 3, 30, RECENT),
            hf::model("org/b", 4, 40, RECENT),
            hf::model("org/c", 5, 50, RECENT),
        ],
        Some("hf_the_right_one"),
    )
    .await;
    let config = ForgesConfig {
        huggingface_api: hub.url(),
        max_concurrency: 1,
        ..ForgesConfig::default()
    };
    let token = paperlinks::http::token("hf_sentinel_refused");
    let forges = Forges::new(&config, token, ProxySettings::default());
    let first = [
        "https://huggingface.co/org/a",
        "https://huggingface.co/org/b",
    ];
    let (out, stats) = forges.fetch(&refs(&first), CancellationToken::new()).await;
    for o in &out {
        assert!(matches!(o, RepoOutcome::Found(_)), "{o:?}");
    }
    // The refused call, then every call without the token.
    assert_eq!(hub.calls(), 3);
    let refused: Vec<&String> = stats
        .notes
        .iter()
        .filter(|n| n.starts_with("HF_TOKEN refused: "))
        .collect();
    assert_eq!(refused.len(), 1, "{:?}", stats.notes);
    assert!(refused[0].contains("Invalid credentials"), "{}", refused[0]);
    assert!(!format!("{out:?}{stats:?}").contains("sentinel"));
    // A later round of the run: no token, no second warning.
    let (out, stats) = forges
        .fetch(
            &refs(&["https://huggingface.co/org/c"]),
            CancellationToken::new(),
        )
        .await;
    assert!(matches!(out[0], RepoOutcome::Found(_)));
    assert_eq!(hub.calls(), 4);
    assert!(stats.notes.is_empty(), "{:?}", stats.notes);
}

#[tokio::test]
async fn owner_less_model_ids_are_asked_at_api_models_id() {
    let hub = FakeForge::start(vec![
        hf::moved_model("gpt2", "openai-community/gpt2"),
        hf::model("openai-community/gpt2", 3000, 9_000_000, RECENT),
        hf::model("bert-base-uncased", 2000, 5_000_000, RECENT),
    ])
    .await;
    let config = ForgesConfig {
        huggingface_api: hub.url(),
        ..ForgesConfig::default()
    };
    let forges = Forges::new(&config, None, ProxySettings::default());
    let urls = [
        "https://huggingface.co/gpt2",
        "https://huggingface.co/bert-base-uncased/tree/main",
        "https://huggingface.co/facebook",
    ];
    let (out, _) = forges.fetch(&refs(&urls), CancellationToken::new()).await;
    assert_eq!(hub.hits("/api/models/gpt2"), 1);
    assert_eq!(hub.hits("/api/models/bert-base-uncased"), 1);
    assert_eq!(hub.hits("/api/models/facebook"), 1);
    let RepoOutcome::Found(gpt2) = &out[0] else {
        panic!("{:?}", out[0])
    };
    assert_eq!(gpt2.canonical, "openai-community/gpt2");
    assert!(matches!(&out[1], RepoOutcome::Found(b) if b.canonical == "bert-base-uncased"));
    // An owner-less link that is no model may be a user's or organisation's
    // page: never called missing (the page itself is checked).
    assert!(
        matches!(&out[2], RepoOutcome::Unknown(m) if m.contains("organisation")),
        "{:?}",
        out[2]
    );
}

#[tokio::test]
async fn a_space_with_no_app_file_is_failing() {
    let hub = FakeForge::start(vec![hf::space("org/noapp", 0, "NO_APP_FILE")]).await;
    let config = ForgesConfig {
        huggingface_api: hub.url(),
        ..ForgesConfig::default()
    };
    let forges = Forges::new(&config, None, ProxySettings::default());
    let (out, _) = forges
        .fetch(
            &refs(&["https://huggingface.co/spaces/org/noapp"]),
            CancellationToken::new(),
        )
        .await;
    assert_eq!(
        health(&out[0], &Default::default(), chrono::Utc::now()),
        Health::Failing
    );
}

#[tokio::test]
async fn a_project_missing_on_a_gitlab_api_is_looked_for_once_at_its_page() {
    let mut routes = vec![
        gitlab::project("g/new-self", 9, RECENT, false, false),
        gitlab::moved_page("g/old-self", "g/new-self"),
        gitlab::page("g/new-self"),
    ];
    routes.extend(gitlab::sign_in_page("g/private"));
    let lab = FakeForge::start(routes).await;
    let config = ForgesConfig {
        gitlab_api: lab.url(),
        ..ForgesConfig::default()
    };
    let forges = Forges::new(&config, None, ProxySettings::default());
    let urls = [
        "https://gitlab.com/g/old-self",
        "https://gitlab.com/g/private",
        "https://gitlab.com/g/gone",
    ];
    let (out, stats) = forges.fetch(&refs(&urls), CancellationToken::new()).await;
    // Moved: the page redirected to another project, whose API answer is
    // the repository's (renamed, so its root link is `redirected`).
    let RepoOutcome::Found(moved) = &out[0] else {
        panic!("{:?}", out[0])
    };
    assert_eq!(moved.canonical, "g/new-self");
    let root = paperlinks::forge::judge_root(&out[0], &refs(&urls[..1])[0]).unwrap();
    assert_eq!(root.status, paperlinks::model::Status::Redirected);
    // The sign-in page GitLab shows for a missing or private project, and
    // a page that is not there, leave it missing.
    assert_eq!(out[1], RepoOutcome::Missing);
    assert_eq!(out[2], RepoOutcome::Missing);
    // Each page once: API, page (+ its redirect) and the new path's API.
    for path in [
        "/g/old-self",
        "/g/private",
        "/g/gone",
        "/api/v4/projects/g%2Fnew-self",
    ] {
        assert_eq!(lab.hits(path), 1, "{path}");
    }
    // 3 API calls + 3 pages + 2 followed redirects + the moved one's API.
    assert_eq!(lab.calls(), 9);
    assert_eq!(stats.calls.get(&paperlinks::model::Forge::Gitlab), Some(&9));
}
