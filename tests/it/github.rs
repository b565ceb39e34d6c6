//! The GitHub stage against a fake GitHub API on 127.0.0.1: batching, the
//! health words, renames, rate limits, failures, and that the token never
//! shows anywhere.

use crate::support;

use chrono::Utc;
use paperlinks::SecretString;
use paperlinks::config::GithubConfig;
use paperlinks::github::{FetchStats, Github, health, parse_repo_url};
use paperlinks::model::{Health, RepoInfo, RepoOutcome, Unfetched};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::fake_github::{FakeGithub, FakeRepo, Fault};
use tokio_util::sync::CancellationToken;

const SENTINEL: &str = "ghp_SENTINEL_do_not_leak_123";
/// Guard against hangs (not a timing assertion): no test may take this long.
const HANG_GUARD: Duration = Duration::from_secs(60);

fn config(fake: &FakeGithub) -> GithubConfig {
    GithubConfig {
        api_url: fake.url(),
        max_wait_secs: 5,
        ..GithubConfig::default()
    }
}

fn pairs(names: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|n| {
            let (o, r) = n.split_once('/').unwrap();
            (o.to_string(), r.to_string())
        })
        .collect()
}

async fn fetch(
    cfg: &GithubConfig,
    token: Option<&str>,
    repos: &[(String, String)],
) -> (Vec<RepoOutcome>, FetchStats) {
    let gh = Github::new(cfg, token.map(SecretString::from))
        .unwrap()
        .with_timeout(Duration::from_secs(10));
    tokio::time::timeout(HANG_GUARD, gh.fetch(repos, CancellationToken::new()))
        .await
        .expect("fetch must not hang")
}

fn info(o: &RepoOutcome) -> &RepoInfo {
    match o {
        RepoOutcome::Found(i) => i,
        other => panic!("expected a found repository, got {other:?}"),
    }
}

fn words(cfg: &GithubConfig, outcomes: &[RepoOutcome]) -> Vec<Health> {
    outcomes
        .iter()
        .map(|o| health(o, cfg, Utc::now()))
        .collect()
}

/// The table both paths are run against.
fn zoo() -> Vec<FakeRepo> {
    vec![
        FakeRepo::new("lab/Active").stars(1234),
        FakeRepo::new("lab/Old").archived(),
        FakeRepo::new("lab/Nothing").empty(),
        FakeRepo::new("lab/ComingSoon").readme_only(),
        FakeRepo::new("lab/Dusty").pushed_days_ago(500),
        FakeRepo::new("neworg/NewName").renamed_from("oldorg/OldName"),
    ]
}

const ZOO_LINKED: [&str; 7] = [
    "lab/active",
    "lab/Old",
    "lab/Nothing",
    "lab/ComingSoon",
    "lab/Dusty",
    "oldorg/OldName",
    "ghost/deleted",
];

#[tokio::test]
async fn graphql_batch_reads_every_case_and_a_not_found_alias_does_not_spoil_it() {
    let fake = FakeGithub::start(zoo()).await;
    let cfg = config(&fake);
    let (out, stats) = fetch(&cfg, Some(SENTINEL), &pairs(&ZOO_LINKED)).await;

    assert_eq!(fake.graphql_calls(), 1);
    assert_eq!(fake.rest_calls(), 0);
    assert_eq!(fake.batch_sizes(), vec![7]);
    assert_eq!(stats.api_calls, 1);
    assert_eq!(
        words(&cfg, &out),
        vec![
            Health::Active,
            Health::Archived,
            Health::Empty,
            Health::Placeholder,
            Health::Stale,
            Health::Active,
            Health::Missing,
        ]
    );
    let active = info(&out[0]);
    assert_eq!(active.canonical, "lab/Active");
    assert_eq!(active.stars, 1234);
    assert_eq!(active.forks, 10);
    assert_eq!(active.watchers, 5);
    assert_eq!(active.open_issues, 3);
    assert_eq!(active.license.as_deref(), Some("MIT"));
    assert_eq!(active.language.as_deref(), Some("Python"));
    assert_eq!(active.commits_90d, Some(12));
    assert_eq!(active.latest_release.as_deref(), Some("v1.0"));
    assert!(active.latest_release_at.is_some() && active.last_commit_at.is_some());
    assert!(active.created_at.is_some() && active.pushed_at.is_some());
    assert!(active.has_code && !active.empty && !active.archived && !active.fork);
    // The rename shows in the canonical name and URL.
    let renamed = info(&out[5]);
    assert_eq!(renamed.canonical, "neworg/NewName");
    assert_eq!(renamed.url, "https://github.com/neworg/NewName");
    assert_eq!(out[6], RepoOutcome::Missing);
    assert!(stats.notes.is_empty(), "{:?}", stats.notes);
    // The token went to the API host, as a bearer token.
    assert_eq!(
        fake.authorization_headers(),
        vec![Some(format!("Bearer {SENTINEL}"))]
    );
}

#[tokio::test]
async fn rest_without_token_makes_one_call_per_repository_and_follows_a_rename() {
    let fake = FakeGithub::start(zoo()).await;
    let cfg = config(&fake);
    let (out, stats) = fetch(&cfg, None, &pairs(&ZOO_LINKED)).await;

    assert_eq!(fake.graphql_calls(), 0);
    // 7 repositories, plus the /repositories/ID hop of the renamed one.
    assert_eq!(fake.rest_calls(), 8);
    assert_eq!(stats.api_calls, fake.total_calls());
    assert_eq!(
        words(&cfg, &out),
        vec![
            Health::Active,
            Health::Archived,
            Health::Empty,
            Health::Placeholder,
            Health::Stale,
            Health::Active,
            Health::Missing,
        ]
    );
    let active = info(&out[0]);
    assert_eq!(active.canonical, "lab/Active");
    assert_eq!(active.stars, 1234);
    assert_eq!(active.watchers, 5, "subscribers_count, not watchers_count");
    assert_eq!(active.license.as_deref(), Some("MIT"));
    // Fields REST does not give in its one call stay empty.
    assert_eq!(active.commits_90d, None);
    assert_eq!(active.latest_release, None);
    assert_eq!(active.last_commit_at, None);
    let renamed = info(&out[5]);
    assert_eq!(renamed.canonical, "neworg/NewName");
    assert_eq!(renamed.url, "https://github.com/neworg/NewName");
    assert!(fake.authorization_headers().iter().all(Option::is_none));
}

async fn batching(n: usize) -> (usize, Vec<usize>, FetchStats) {
    let repos: Vec<FakeRepo> = (0..n)
        .map(|i| FakeRepo::new(&format!("org{i}/repo-{i}")))
        .collect();
    let fake = FakeGithub::start(repos).await;
    let linked: Vec<(String, String)> = (0..n)
        .map(|i| (format!("org{i}"), format!("repo-{i}")))
        .collect();
    let (out, stats) = fetch(&config(&fake), Some(SENTINEL), &linked).await;
    assert_eq!(out.len(), n);
    for (i, o) in out.iter().enumerate() {
        assert_eq!(info(o).canonical, format!("org{i}/repo-{i}"), "order kept");
    }
    (fake.graphql_calls(), fake.batch_sizes(), stats)
}

#[tokio::test]
async fn one_hundred_repositories_take_two_graphql_calls() {
    let (calls, sizes, stats) = batching(100).await;
    assert_eq!(calls, 2);
    assert_eq!(sizes, vec![50, 50]);
    assert_eq!(stats.api_calls, 2);
}

#[tokio::test]
async fn one_hundred_twenty_repositories_take_three_graphql_calls() {
    let (calls, sizes, stats) = batching(120).await;
    assert_eq!(calls, 3);
    assert_eq!(sizes, vec![50, 50, 20]);
    assert_eq!(stats.api_calls, 3);
}

#[tokio::test]
async fn secondary_rate_limit_is_waited_out_and_retried() {
    let fake = FakeGithub::start(vec![FakeRepo::new("a/b"), FakeRepo::new("c/d")]).await;
    fake.push_fault(Fault::Secondary {
        retry_after_secs: 1,
    });
    let (out, stats) = fetch(&config(&fake), Some(SENTINEL), &pairs(&["a/b", "c/d"])).await;
    assert_eq!(info(&out[0]).canonical, "a/b");
    assert_eq!(info(&out[1]).canonical, "c/d");
    assert_eq!(fake.graphql_calls(), 2);
    assert_eq!(stats.api_calls, 2);

    // The same on the REST path.
    let fake = FakeGithub::start(vec![FakeRepo::new("a/b")]).await;
    fake.push_fault(Fault::Secondary {
        retry_after_secs: 1,
    });
    let (out, stats) = fetch(&config(&fake), None, &pairs(&["a/b"])).await;
    assert_eq!(info(&out[0]).canonical, "a/b");
    assert_eq!(stats.api_calls, 2);
}

#[tokio::test]
async fn secondary_rate_limit_longer_than_max_wait_stops_at_once() {
    let fake = FakeGithub::start(vec![FakeRepo::new("a/b")]).await;
    fake.push_fault(Fault::Secondary {
        retry_after_secs: 3600,
    });
    let (out, stats) = fetch(&config(&fake), Some(SENTINEL), &pairs(&["a/b"])).await;
    assert!(matches!(&out[0], RepoOutcome::Unknown(r) if r.contains("secondary rate limit")));
    assert_eq!(stats.api_calls, 1);
    assert!(stats.notes[0].contains("1 of 1"), "{:?}", stats.notes);
}

fn unknown_with(o: &RepoOutcome, text: &str) -> bool {
    matches!(o, RepoOutcome::Unknown(r) if r.contains(text))
}

#[tokio::test]
async fn graphql_rate_limit_types_past_the_wait_stop_the_session_whatever_remaining_says() {
    for kind in ["RATE_LIMIT", "RATE_LIMITED"] {
        let names = ["o/a", "o/b", "o/c", "o/d"];
        let fake = FakeGithub::start(names.iter().map(|n| FakeRepo::new(n)).collect()).await;
        // GitHub says the budget is spent while the header still shows
        // 4000 left; the reset is an hour away, far past max_wait_secs.
        fake.push_fault(Fault::GraphqlRateLimit {
            kind,
            remaining: 4000,
            reset_in_secs: 3600,
            retry_after_secs: None,
        });
        let cfg = GithubConfig {
            batch_size: 2,
            max_wait_secs: 2,
            ..config(&fake)
        };
        let (out, stats) = fetch(&cfg, Some(SENTINEL), &pairs(&names)).await;
        // One call: the second batch is never sent into the limit.
        assert_eq!(fake.graphql_calls(), 1, "{kind}");
        assert_eq!(stats.api_calls, 1, "{kind}");
        for o in &out {
            assert!(unknown_with(o, "rate limit exhausted"), "{kind}: {o:?}");
            assert!(unknown_with(o, "max_wait_secs = 2"), "{kind}: {o:?}");
        }
        assert!(
            stats.notes[0].contains("4 of 4 repositories were left unfetched"),
            "{kind}: {:?}",
            stats.notes
        );
        assert_eq!(stats.notes.len(), 1, "{kind}: {:?}", stats.notes);
    }
}

#[tokio::test]
async fn a_graphql_rate_limit_is_waited_out_then_the_same_batch_is_asked_again() {
    let faults = [
        // The reset two seconds ahead, no retry-after.
        Fault::GraphqlRateLimit {
            kind: "RATE_LIMIT",
            remaining: 4000,
            reset_in_secs: 2,
            retry_after_secs: None,
        },
        // Retry-After: 1, the reset far away: retry-after decides.
        Fault::GraphqlRateLimit {
            kind: "RATE_LIMITED",
            remaining: 4000,
            reset_in_secs: 3600,
            retry_after_secs: Some(1),
        },
        Fault::GraphqlSecondary {
            retry_after_secs: Some(1),
        },
    ];
    for fault in faults {
        let fake = FakeGithub::start(vec![FakeRepo::new("a/b"), FakeRepo::new("c/d")]).await;
        fake.push_fault(fault.clone());
        let cfg = GithubConfig {
            max_wait_secs: 5,
            ..config(&fake)
        };
        let (out, stats) = fetch(&cfg, Some(SENTINEL), &pairs(&["a/b", "c/d"])).await;
        assert_eq!(info(&out[0]).canonical, "a/b", "{fault:?}");
        assert_eq!(info(&out[1]).canonical, "c/d", "{fault:?}");
        let queries = fake.queries();
        assert_eq!(queries.len(), 2, "{fault:?}");
        assert_eq!(queries[0], queries[1], "the same batch again: {fault:?}");
        assert_eq!(queries[0], vec!["a/b", "c/d"]);
        assert_eq!(stats.api_calls, 2);
        assert!(stats.notes.is_empty(), "{:?}", stats.notes);
        // Nothing was sent before the wait GitHub asked for was over.
        let t = fake.query_times();
        assert!(t[1] - t[0] >= Duration::from_secs(1), "{fault:?}");
    }
}

#[tokio::test]
async fn a_secondary_limit_in_a_200_answer_without_retry_after_waits_a_minute_or_stops() {
    let fake = FakeGithub::start(vec![FakeRepo::new("a/b"), FakeRepo::new("c/d")]).await;
    fake.push_fault(Fault::GraphqlSecondary {
        retry_after_secs: None,
    });
    let cfg = GithubConfig {
        batch_size: 1,
        max_wait_secs: 5,
        ..config(&fake)
    };
    let (out, stats) = fetch(&cfg, Some(SENTINEL), &pairs(&["a/b", "c/d"])).await;
    // GitHub's "at least one minute" is past max_wait_secs = 5.
    assert_eq!(fake.graphql_calls(), 1);
    for o in &out {
        assert!(unknown_with(o, "secondary rate limit"), "{o:?}");
        assert!(unknown_with(o, "60 s"), "{o:?}");
    }
    assert!(stats.notes[0].contains("2 of 2"), "{:?}", stats.notes);
}

#[tokio::test]
async fn a_secondary_limit_that_never_lifts_stops_the_session_instead_of_failing_each_batch() {
    let names = ["o/a", "o/b", "o/c", "o/d"];
    let fake = FakeGithub::start(names.iter().map(|n| FakeRepo::new(n)).collect()).await;
    for _ in 0..6 {
        fake.push_fault(Fault::Secondary {
            retry_after_secs: 1,
        });
    }
    let cfg = GithubConfig {
        batch_size: 2,
        ..config(&fake)
    };
    let (out, stats) = fetch(&cfg, Some(SENTINEL), &pairs(&names)).await;
    // Three tries of the first batch, then nothing more.
    assert_eq!(fake.graphql_calls(), 3);
    assert_eq!(stats.api_calls, 3);
    for o in &out {
        assert!(unknown_with(o, "still in force after 3 tries"), "{o:?}");
    }
    assert!(stats.notes[0].contains("4 of 4"), "{:?}", stats.notes);
}

#[tokio::test]
async fn repositories_left_without_data_at_a_resource_limit_are_asked_again_in_a_smaller_batch() {
    let names = ["o/a", "o/b", "o/c", "o/d", "o/e"];
    let fake = FakeGithub::start(names.iter().map(|n| FakeRepo::new(n)).collect()).await;
    fake.limit_resources_over(2);
    let (out, stats) = fetch(&config(&fake), Some(SENTINEL), &pairs(&names)).await;
    for (o, n) in out.iter().zip(names) {
        assert_eq!(info(o).canonical, n);
        assert_eq!(info(o).commits_90d, Some(12), "{n} in full");
    }
    assert_eq!(
        fake.queries(),
        vec![
            vec!["o/a", "o/b", "o/c", "o/d", "o/e"],
            vec!["o/c", "o/d", "o/e"],
            vec!["o/e"],
        ]
    );
    assert_eq!(stats.api_calls, 3);
    assert!(stats.notes.is_empty(), "{:?}", stats.notes);
}

#[tokio::test]
async fn repositories_github_blocks_are_unavailable_with_the_reason() {
    let fake = FakeGithub::start(vec![FakeRepo::new("lab/Active")]).await;
    fake.block("taken/down", 451, "dmca");
    fake.block("tos/blocked", 403, "tos");
    let cfg = config(&fake);
    let (out, stats) = fetch(
        &cfg,
        None,
        &pairs(&["lab/Active", "taken/down", "tos/blocked"]),
    )
    .await;
    assert_eq!(
        words(&cfg, &out),
        vec![Health::Active, Health::Unavailable, Health::Unavailable]
    );
    let RepoOutcome::Unavailable(dmca) = &out[1] else {
        panic!("{:?}", out[1])
    };
    assert!(dmca.contains("DMCA") && dmca.contains("HTTP 451"), "{dmca}");
    assert!(dmca.contains("github.com/github/dmca/"), "{dmca}");
    let RepoOutcome::Unavailable(tos) = &out[2] else {
        panic!("{:?}", out[2])
    };
    assert!(
        tos.contains("terms-of-service") && tos.contains("HTTP 403"),
        "{tos}"
    );
    // Answered, not failed: one call each, no note.
    assert_eq!(stats.api_calls, 3);
    assert!(stats.notes.is_empty(), "{:?}", stats.notes);
    // A word fail_on accepts.
    let c = paperlinks::config::Config::parse(
        "[ci]\nfail_on = [\"unavailable\"]\n",
        std::path::Path::new("c.toml"),
    )
    .unwrap();
    assert_eq!(
        c.ci.fail_on,
        vec![paperlinks::config::FailWord::Health(Health::Unavailable)]
    );
}

#[tokio::test]
async fn exhausted_rest_budget_with_a_far_reset_stops_and_says_how_many_were_left() {
    let names: Vec<String> = (0..10).map(|i| format!("o/r{i}")).collect();
    let fake = FakeGithub::start(names.iter().map(|n| FakeRepo::new(n)).collect()).await;
    fake.set_budget(3, 3600);
    let linked = pairs(&names.iter().map(String::as_str).collect::<Vec<_>>());
    let (out, stats) = fetch(&config(&fake), None, &linked).await;

    let found = out
        .iter()
        .filter(|o| matches!(o, RepoOutcome::Found(_)))
        .count();
    let exhausted = out
        .iter()
        .filter(|o| matches!(o, RepoOutcome::Unknown(r) if r.starts_with("rate limit exhausted")))
        .count();
    assert_eq!(found, 3);
    assert_eq!(exhausted, 7);
    assert_eq!(stats.api_calls, fake.total_calls());
    // Stops asking once GitHub says the budget is spent (at most the calls
    // already in flight are lost).
    assert!(fake.total_calls() <= 3 + paperlinks::github::REST_CONCURRENCY);
    assert_eq!(stats.notes.len(), 1, "{:?}", stats.notes);
    let note = &stats.notes[0];
    assert!(note.contains("7 of 10"), "{note}");
    assert!(note.contains("GITHUB_TOKEN"), "{note}");
    assert!(note.contains("max_wait_secs"), "{note}");
}

#[tokio::test]
async fn exhausted_graphql_budget_stops_before_the_next_batch() {
    let names: Vec<String> = (0..6).map(|i| format!("o/r{i}")).collect();
    let fake = FakeGithub::start(names.iter().map(|n| FakeRepo::new(n)).collect()).await;
    fake.set_budget(1, 3600);
    let cfg = GithubConfig {
        batch_size: 2,
        ..config(&fake)
    };
    let linked = pairs(&names.iter().map(String::as_str).collect::<Vec<_>>());
    let (out, stats) = fetch(&cfg, Some(SENTINEL), &linked).await;
    // The first batch says `rateLimit.remaining = 0`: no second call.
    assert_eq!(fake.graphql_calls(), 1);
    assert_eq!(stats.api_calls, 1);
    assert!(matches!(out[0], RepoOutcome::Found(_)));
    assert!(matches!(out[1], RepoOutcome::Found(_)));
    for o in &out[2..] {
        assert!(matches!(o, RepoOutcome::Unknown(r) if r.starts_with("rate limit exhausted")));
    }
    assert!(stats.notes[0].contains("4 of 6"), "{:?}", stats.notes);

    // A budget already spent when we start: GitHub answers RATE_LIMITED.
    let fake = FakeGithub::start(vec![FakeRepo::new("a/b")]).await;
    fake.set_budget(0, 3600);
    let (out, stats) = fetch(&config(&fake), Some(SENTINEL), &pairs(&["a/b"])).await;
    assert!(matches!(&out[0], RepoOutcome::Unknown(r) if r.starts_with("rate limit exhausted")));
    assert_eq!(stats.api_calls, 1);
}

#[tokio::test]
async fn exhausted_budget_with_a_near_reset_is_waited_for() {
    let fake = FakeGithub::start(vec![
        FakeRepo::new("a/b"),
        FakeRepo::new("c/d"),
        FakeRepo::new("e/f"),
    ])
    .await;
    fake.set_budget(1, 1);
    let cfg = GithubConfig {
        max_wait_secs: 10,
        ..config(&fake)
    };
    let (out, stats) = fetch(&cfg, None, &pairs(&["a/b", "c/d", "e/f"])).await;
    for o in &out {
        assert!(matches!(o, RepoOutcome::Found(_)), "{o:?}");
    }
    assert!(stats.notes.is_empty(), "{:?}", stats.notes);
}

#[tokio::test]
async fn bad_gateway_is_retried_then_reported() {
    // Once: the retry succeeds.
    let fake = FakeGithub::start(vec![FakeRepo::new("a/b")]).await;
    fake.push_fault(Fault::BadGateway);
    let (out, stats) = fetch(&config(&fake), Some(SENTINEL), &pairs(&["a/b"])).await;
    assert!(matches!(out[0], RepoOutcome::Found(_)));
    assert_eq!(stats.api_calls, 2);

    // Every time: unknown with the reason, after a bounded number of tries.
    let fake = FakeGithub::start(vec![FakeRepo::new("a/b"), FakeRepo::new("c/d")]).await;
    for _ in 0..3 {
        fake.push_fault(Fault::BadGateway);
    }
    let (out, stats) = fetch(&config(&fake), None, &pairs(&["a/b"])).await;
    assert!(
        matches!(&out[0], RepoOutcome::Unknown(r) if r.contains("502")),
        "{:?}",
        out[0]
    );
    assert_eq!(stats.api_calls, 3);
    assert_eq!(fake.total_calls(), 3);
    assert!(stats.notes[0].contains("1 of 1"), "{:?}", stats.notes);
}

/// `n` repositories `org/repo00`.. that GitHub knows.
fn numbered(n: usize) -> (Vec<FakeRepo>, Vec<(String, String)>) {
    let names: Vec<String> = (0..n).map(|i| format!("org/repo{i:02}")).collect();
    let repos = names.iter().map(|n| FakeRepo::new(n)).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    (repos, pairs(&refs))
}

#[tokio::test]
async fn graphql_batches_that_time_out_are_halved_until_every_repository_is_audited() {
    let (repos, list) = numbered(28);
    let fake = FakeGithub::start(repos).await;
    fake.fail_queries_over(10);
    let (out, stats) = fetch(&config(&fake), Some(SENTINEL), &list).await;
    for (o, (owner, name)) in out.iter().zip(&list) {
        let info = info(o);
        assert_eq!(info.canonical, format!("{owner}/{name}"));
        assert_eq!(info.commits_90d, Some(12), "{owner}/{name}");
    }
    // 28 -> 14 + 14 -> 7 + 7 + 7 + 7: seven calls (at most 12 asked for).
    assert_eq!(fake.graphql_calls(), 7, "{:?}", fake.batch_sizes());
    assert_eq!(stats.api_calls, 7);
    assert_eq!(fake.batch_sizes(), vec![28, 14, 7, 7, 14, 7, 7]);
    assert!(stats.notes.is_empty(), "{:?}", stats.notes);
}

#[tokio::test]
async fn a_repository_whose_commit_count_times_out_is_audited_without_it() {
    let (repos, list) = numbered(6);
    let fake = FakeGithub::start(repos).await;
    fake.commit_count_times_out("org/repo04");
    let (out, stats) = fetch(&config(&fake), Some(SENTINEL), &list).await;
    for (i, o) in out.iter().enumerate() {
        let info = info(o);
        let want = if i == 4 { None } else { Some(12) };
        assert_eq!(info.commits_90d, want, "repo{i:02}");
        // The cheap fields are all there.
        assert_eq!(info.stars, 100);
        assert!(info.last_commit_at.is_some());
    }
    // 6 -> 3 + 3 -> [3] -> 2 + 1 -> 1 + 1 -> [repo04] light: 8 calls.
    assert_eq!(fake.graphql_calls(), 8, "{:?}", fake.batch_sizes());
    assert!(
        stats
            .notes
            .iter()
            .any(|n| n.contains("without their 90-day commit count") && n.contains("org/repo04")),
        "{:?}",
        stats.notes
    );
}

#[tokio::test]
async fn a_graphql_api_that_fails_every_query_is_abandoned_after_a_bounded_number_of_calls() {
    let (repos, list) = numbered(50);
    let fake = FakeGithub::start(repos).await;
    fake.fail_queries_over(0);
    let (out, _) = fetch(&config(&fake), Some(SENTINEL), &list).await;
    for o in &out {
        assert!(
            matches!(o, RepoOutcome::Unknown(r) if r.contains("502") && r.contains("timeout")),
            "{o:?}"
        );
    }
    // 50 25 13 7 4 2 1 1(light) 1 1(light), then the rest is not asked.
    assert_eq!(fake.graphql_calls(), 10);
}

#[tokio::test]
async fn rejected_token_stops_at_the_first_call() {
    let fake = FakeGithub::start(vec![FakeRepo::new("a/b"), FakeRepo::new("c/d")]).await;
    fake.accept_only_token("ghp_the_right_one");
    let cfg = GithubConfig {
        batch_size: 1,
        ..config(&fake)
    };
    let (out, stats) = fetch(&cfg, Some(SENTINEL), &pairs(&["a/b", "c/d"])).await;
    for o in &out {
        assert!(
            matches!(o, RepoOutcome::Unknown(r) if r.contains("401") && r.contains("GITHUB_TOKEN")),
            "{o:?}"
        );
    }
    assert_eq!(stats.api_calls, 1);
    assert!(stats.notes[0].contains("2 of 2"), "{:?}", stats.notes);
    assert!(!format!("{out:?}{stats:?}").contains(SENTINEL));
}

/// Issue 21 item 1: the run's one `Github` is asked in both rounds; a 401
/// in the first means not one call in the second.
#[tokio::test]
async fn a_token_refused_in_the_first_round_sends_nothing_in_the_second() {
    let fake = FakeGithub::start(vec![FakeRepo::new("a/b"), FakeRepo::new("c/d")]).await;
    fake.accept_only_token("ghp_the_right_one");
    let gh = Github::new(&config(&fake), Some(SecretString::from(SENTINEL))).unwrap();
    let (_, first) = gh.fetch(&pairs(&["a/b"]), CancellationToken::new()).await;
    assert_eq!(first.api_calls, 1);
    let (out, second) = gh.fetch(&pairs(&["c/d"]), CancellationToken::new()).await;
    assert_eq!(fake.total_calls(), 1, "no call after the 401");
    assert_eq!(second.api_calls, 0);
    assert!(
        matches!(&out[0], RepoOutcome::Unknown(r) if r.contains("401")),
        "{:?}",
        out[0]
    );
}

#[tokio::test]
async fn an_api_that_does_not_answer_in_time_is_unknown() {
    let fake = FakeGithub::start(vec![FakeRepo::new("a/b")]).await;
    for _ in 0..3 {
        fake.push_fault(Fault::Slow(Duration::from_secs(30)));
    }
    let gh = Github::new(&config(&fake), None)
        .unwrap()
        .with_timeout(Duration::from_millis(300));
    let (out, stats) = tokio::time::timeout(
        HANG_GUARD,
        gh.fetch(&pairs(&["a/b"]), CancellationToken::new()),
    )
    .await
    .expect("fetch must not hang");
    assert!(
        matches!(&out[0], RepoOutcome::Unknown(r) if r.contains("no answer")),
        "{:?}",
        out[0]
    );
    assert_eq!(stats.api_calls, 3);
}

#[tokio::test]
async fn shutdown_stops_the_fetch() {
    let fake = FakeGithub::start(vec![FakeRepo::new("a/b"), FakeRepo::new("c/d")]).await;
    let cfg = config(&fake);
    let gh = Github::new(&cfg, None).unwrap();

    // Cancelled before: nothing is asked.
    let cancelled = CancellationToken::new();
    cancelled.cancel();
    let (out, stats) = gh.fetch(&pairs(&["a/b", "c/d"]), cancelled).await;
    assert_eq!(
        out,
        vec![RepoOutcome::Unknown(Unfetched::stopped("interrupted")); 2]
    );
    assert_eq!(stats.api_calls, 0);
    assert!(stats.notes[0].contains("interrupted"), "{:?}", stats.notes);

    // Cancelled while waiting on a secondary limit whose wait (300 s) is far
    // longer than the hang guard (60 s): the fetch can only end in time if
    // the cancellation cut the wait short.
    let mut cfg = cfg;
    cfg.max_wait_secs = 600;
    let gh = Github::new(&cfg, None).unwrap();
    fake.push_fault(Fault::Secondary {
        retry_after_secs: 300,
    });
    let shutdown = CancellationToken::new();
    let trigger = shutdown.clone();
    let calls_before = fake.total_calls();
    let answered = async {
        // Cancel once the limited answer has been served (no sleep-and-hope).
        while fake.total_calls() == calls_before {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        trigger.cancel();
    };
    let ((out, stats), ()) = tokio::time::timeout(
        HANG_GUARD,
        futures::future::join(gh.fetch(&pairs(&["a/b"]), shutdown), answered),
    )
    .await
    .expect("the secondary-limit wait ended early, at the cancellation");
    assert_eq!(
        out,
        vec![RepoOutcome::Unknown(Unfetched::stopped("interrupted"))]
    );
    assert_eq!(stats.api_calls, 1, "not asked again after the wait");
    assert_eq!(fake.total_calls(), calls_before + 1);
}

#[tokio::test]
async fn invalid_names_are_never_asked() {
    let fake = FakeGithub::start(vec![FakeRepo::new("a/b")]).await;
    let (out, stats) = fetch(
        &config(&fake),
        None,
        &pairs(&["a/b", "bad owner/x", "a/.."]),
    )
    .await;
    assert!(matches!(out[0], RepoOutcome::Found(_)));
    assert!(matches!(&out[1], RepoOutcome::Unknown(r) if r.contains("not a valid")));
    assert!(matches!(&out[2], RepoOutcome::Unknown(r) if r.contains("not a valid")));
    assert_eq!(stats.api_calls, 1);
}

/// A `MakeWriter` that appends everything to a shared buffer.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

#[tokio::test]
async fn the_token_never_shows_in_debug_notes_errors_or_trace_logs() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(capture.clone())
        .finish();
    // Current-thread runtime: every task of this test runs on this thread.
    let _guard = tracing::subscriber::set_default(subscriber);

    let fake = FakeGithub::start(vec![FakeRepo::new("a/b"), FakeRepo::new("c/d")]).await;
    let cfg = GithubConfig {
        batch_size: 1,
        ..config(&fake)
    };
    // A 502 that never recovers for the first batch, a secondary limit for
    // the second, then the budget runs out.
    for _ in 0..3 {
        fake.push_fault(Fault::BadGateway);
    }
    fake.push_fault(Fault::Secondary {
        retry_after_secs: 1,
    });
    fake.set_budget(1, 3600);
    let linked = pairs(&["a/b", "c/d", "ghost/x"]);
    let gh = Github::new(&cfg, Some(SENTINEL.into())).unwrap();
    let (out, stats) = gh.fetch(&linked, CancellationToken::new()).await;

    assert!(matches!(&out[0], RepoOutcome::Unknown(r) if r.contains("502")));
    assert!(matches!(out[1], RepoOutcome::Found(_)));
    assert!(matches!(&out[2], RepoOutcome::Unknown(r) if r.starts_with("rate limit exhausted")));

    let mut texts = vec![
        format!("{gh:?}"),
        format!("{out:?}"),
        format!("{stats:?}"),
        stats.notes.join("\n"),
    ];
    // A token that cannot be sent is refused without being quoted.
    let err = Github::new(&cfg, Some(format!("{SENTINEL}\nx").into())).unwrap_err();
    texts.push(err.to_string());
    texts.push(format!("{err:?}"));
    drop(_guard);
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    // The capture works: octocrab's request spans were recorded.
    assert!(logs.contains("/graphql"), "nothing captured: {logs}");
    texts.push(logs);
    for t in &texts {
        assert!(!t.contains(SENTINEL), "token leaked in: {t}");
        assert!(!t.contains("SENTINEL"), "token leaked in: {t}");
    }
    assert!(texts[0].contains("<set>"), "{}", texts[0]);
    // ... while it did reach the API host.
    assert!(
        fake.authorization_headers()
            .iter()
            .all(|h| h.as_deref() == Some(&format!("Bearer {SENTINEL}")[..]))
    );
}

#[test]
fn repository_urls_round_up() {
    // The full table is in the unit tests of `github::refs`; the forms an
    // abstract carries most often:
    let r = parse_repo_url("https://github.com/user/Model.git").unwrap();
    assert_eq!((r.full_name().as_str(), r.root), ("user/Model", true));
    let r = parse_repo_url("https://github.com/lab/Repo/blob/main/x.py").unwrap();
    assert_eq!((r.full_name().as_str(), r.root), ("lab/Repo", false));
    let r = parse_repo_url("https://raw.githubusercontent.com/lab/Repo/main/x.py").unwrap();
    assert_eq!((r.full_name().as_str(), r.root), ("lab/Repo", false));
    assert_eq!(parse_repo_url("https://lab.github.io/Repo"), None);
    assert_eq!(parse_repo_url("https://github.com/topics/nlp"), None);
    assert_eq!(parse_repo_url("https://github.com/lab"), None);
}

proptest::proptest! {
    #[test]
    fn parse_repo_url_never_panics(s in "\\PC{0,80}") {
        let _ = parse_repo_url(&s);
    }

    #[test]
    fn every_written_form_of_a_repository_names_it(
        owner in "[A-Za-z0-9][A-Za-z0-9-]{0,20}",
        name in "[A-Za-z0-9_][A-Za-z0-9._-]{0,30}",
        scheme in proptest::sample::select(vec!["http://", "https://", "HTTPS://", ""]),
        host in proptest::sample::select(vec!["github.com", "www.github.com", "GitHub.com"]),
        suffix in proptest::sample::select(vec!["", "/", ".git", "?tab=readme", "#readme"]),
        deeper in proptest::sample::select(vec!["", "/tree/main", "/blob/main/a.py", "/issues/7", "/releases"]),
    ) {
        proptest::prop_assume!(!name.ends_with('.') && !name.to_ascii_lowercase().ends_with(".git"));
        proptest::prop_assume!(!paperlinks::github::NON_REPOSITORY_PAGES.iter().any(|p| p.eq_ignore_ascii_case(&owner)));
        proptest::prop_assume!(name != "." && name != "..");
        let suffix = if deeper.is_empty() { suffix } else { "" };
        let url = format!("{scheme}{host}/{owner}/{name}{suffix}{deeper}");
        let r = parse_repo_url(&url).expect(&url);
        proptest::prop_assert_eq!(&r.owner, &owner);
        proptest::prop_assert_eq!(&r.name, &name);
        proptest::prop_assert_eq!(r.root, deeper.is_empty());
    }
}

#[tokio::test]
async fn an_unreachable_api_stops_after_one_call_and_says_so() {
    // A port nothing listens on: every connection is refused.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let cfg = GithubConfig {
        api_url: format!("http://127.0.0.1:{port}"),
        ..GithubConfig::default()
    };
    let names: Vec<String> = (0..20).map(|i| format!("o{i}/r{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (out, stats) = fetch(&cfg, None, &pairs(&refs)).await;
    assert!(
        out.iter()
            .all(|o| matches!(o, RepoOutcome::Unknown(r) if r.contains("unreachable"))),
        "{out:?}"
    );
    // The first calls in flight spend their tries; nobody else asks.
    assert!(
        stats.api_calls <= 3 * paperlinks::github::REST_CONCURRENCY,
        "{} calls",
        stats.api_calls
    );
    assert!(
        stats
            .notes
            .iter()
            .any(|n| n.contains("unreachable") && n.contains("20 of 20")),
        "{:?}",
        stats.notes
    );
}

/// GitHub Enterprise Server: REST under `/api/v3`, GraphQL at `/api/graphql`
/// (derived from `api_url`), with and without a token.
#[tokio::test]
async fn github_enterprise_server_is_audited_at_its_own_paths() {
    let fake = FakeGithub::start(vec![
        FakeRepo::new("ent/alive").stars(4),
        FakeRepo::new("ent/new").renamed_from("ent/old"),
    ])
    .await;
    fake.as_enterprise();
    let cfg = GithubConfig {
        api_url: format!("{}/api/v3", fake.url()),
        ..config(&fake)
    };
    let names = pairs(&["ent/alive", "ent/old", "ent/gone"]);
    for token in [Some("t0ken"), None] {
        let (outcomes, _) = fetch(&cfg, token, &names).await;
        assert_eq!(info(&outcomes[0]).stars, 4, "token {token:?}");
        assert_eq!(info(&outcomes[1]).canonical, "ent/new", "token {token:?}");
        assert_eq!(outcomes[2], RepoOutcome::Missing, "token {token:?}");
    }
    assert!(fake.graphql_calls() >= 1 && fake.rest_calls() >= 3);
}

#[tokio::test]
async fn a_push_date_in_the_future_leaves_days_since_push_empty_with_a_note() {
    let fake = FakeGithub::start(vec![
        FakeRepo::new("lab/ahead").pushed_days_ago(-3),
        FakeRepo::new("lab/fine"),
    ])
    .await;
    let (out, stats) = fetch(
        &config(&fake),
        Some(SENTINEL),
        &pairs(&["lab/ahead", "lab/fine"]),
    )
    .await;
    let now = Utc::now();
    let days = |o: &RepoOutcome| paperlinks::github::days_since_push(info(o).pushed_at, now);
    assert_eq!(days(&out[0]), None);
    assert_eq!(days(&out[1]), Some(3));
    assert_eq!(stats.notes.len(), 1, "{:?}", stats.notes);
    assert!(
        stats.notes[0].contains("in the future") && stats.notes[0].ends_with("lab/ahead"),
        "{:?}",
        stats.notes
    );
}
