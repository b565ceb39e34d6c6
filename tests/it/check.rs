//! Link checking against servers started on 127.0.0.1 inside each test:
//! statuses, HEAD->GET, retries and Retry-After, the scheduler's limits,
//! remap, exclude, redirects and shutdown.

use crate::support;

use paperlinks::check::Checker;
use paperlinks::config::{CheckConfig, RequestMethod};
use paperlinks::model::{LinkResult, Status};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};
use support::web::{Reply, WebServer};
use tokio_util::sync::CancellationToken;

fn config() -> CheckConfig {
    CheckConfig {
        allow_private: true,
        timeout_secs: 2,
        retries: 2,
        max_retry_after_secs: 5,
        ..CheckConfig::default()
    }
}

/// `config()` with HEAD first (`method = "head"`).
fn head_config() -> CheckConfig {
    CheckConfig {
        method: RequestMethod::Head,
        ..config()
    }
}

fn checker(cfg: &CheckConfig) -> Checker {
    Checker::builder(cfg)
        .backoff_base(Duration::from_millis(20))
        .build()
        .unwrap()
}

/// Runs `urls` as jobs 0..n and returns each job's results (a job reported
/// twice would show up as two entries).
async fn run(checker: &Checker, urls: &[String]) -> HashMap<u32, Vec<LinkResult>> {
    let jobs = urls
        .iter()
        .enumerate()
        .map(|(i, u)| (i as u32, u.clone()))
        .collect();
    let mut out: HashMap<u32, Vec<LinkResult>> = HashMap::new();
    let mut on_result = |id: u32, r: LinkResult| out.entry(id).or_default().push(r);
    tokio::time::timeout(
        Duration::from_secs(60),
        checker.check_all(jobs, CancellationToken::new(), &mut on_result),
    )
    .await
    .expect("check_all finished");
    out
}

async fn check_one(checker: &Checker, url: String) -> LinkResult {
    let mut out = run(checker, &[url]).await;
    let mut rs = out.remove(&0).expect("a result");
    assert_eq!(rs.len(), 1, "reported once");
    rs.pop().unwrap()
}

fn router(routes: Vec<(&'static str, Reply)>) -> impl Fn(&support::web::Request) -> Reply {
    let map: HashMap<&str, Reply> = routes.into_iter().collect();
    move |req| {
        map.get(req.path.as_str())
            .cloned()
            .unwrap_or(Reply::status(404))
    }
}

#[tokio::test]
async fn every_status_word() {
    let server = WebServer::start(router(vec![
        ("/ok", Reply::status(200)),
        ("/created", Reply::status(201)),
        ("/gone", Reply::status(410)),
        ("/bad", Reply::status(400)),
        ("/teapot", Reply::status(418)),
        ("/auth", Reply::status(401)),
        ("/forbidden", Reply::status(403)),
        ("/proxy", Reply::status(407)),
        ("/many", Reply::status(429)),
        ("/linkedin", Reply::status(999)),
        ("/boom", Reply::status(500)),
        ("/unavailable", Reply::status(503)),
        ("/moved", Reply::redirect(301, "/ok")),
        ("/found", Reply::redirect(302, "/ok")),
        ("/noloc", Reply::status(302)),
        ("/notmod", Reply::status(304)),
    ]))
    .await;
    // A port nobody listens on: bind, learn the port, close.
    let closed: SocketAddr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let mut cfg = config();
    cfg.retries = 1;
    cfg.exclude = vec!["^https?://excluded\\.example/".into()];
    let c = checker(&cfg);
    let cases: Vec<(String, Status, Option<u16>)> = vec![
        (server.url("/ok"), Status::Ok, Some(200)),
        (server.url("/created"), Status::Ok, Some(201)),
        (server.url("/missing"), Status::Broken, Some(404)),
        (server.url("/gone"), Status::Broken, Some(410)),
        (server.url("/bad"), Status::Broken, Some(400)),
        (server.url("/teapot"), Status::Broken, Some(418)),
        (server.url("/auth"), Status::Blocked, Some(401)),
        (server.url("/forbidden"), Status::Blocked, Some(403)),
        (server.url("/proxy"), Status::Blocked, Some(407)),
        (server.url("/many"), Status::Blocked, Some(429)),
        (server.url("/linkedin"), Status::Blocked, Some(999)),
        (server.url("/boom"), Status::Error, Some(500)),
        (server.url("/unavailable"), Status::Error, Some(503)),
        (server.url("/moved"), Status::Redirected, Some(200)),
        (server.url("/found"), Status::Ok, Some(200)),
        (server.url("/noloc"), Status::Error, Some(302)),
        (server.url("/notmod"), Status::Error, Some(304)),
        (format!("http://{closed}/x"), Status::NetworkError, None),
        ("http://excluded.example/a".into(), Status::Excluded, None),
        ("ftp://example.org/file".into(), Status::Invalid, None),
        ("https://".into(), Status::Invalid, None),
    ];
    let urls: Vec<String> = cases.iter().map(|c| c.0.clone()).collect();
    let results = run(&c, &urls).await;
    assert_eq!(results.len(), cases.len(), "every job reported");
    for (i, (url, status, http)) in cases.iter().enumerate() {
        let rs = &results[&(i as u32)];
        assert_eq!(rs.len(), 1, "{url} reported once");
        let r = &rs[0];
        assert_eq!(r.status, *status, "{url}: {r:?}");
        assert_eq!(r.http_status, *http, "{url}: {r:?}");
        if *status != Status::Ok {
            assert!(!r.error.is_empty(), "{url} has a reason");
        }
        eprintln!("{url} -> {} {:?} {}", r.status, r.http_status, r.error);
    }
    let r = &results[&12][0];
    assert!(r.error.contains("after 1 retry"), "{}", r.error);
    // 429 and 5xx were retried once; every link was asked with GET alone.
    assert_eq!(server.hits("/many"), 2);
    assert_eq!(server.hits("/boom"), 2, "GET 500, GET 500");
    assert_eq!(server.hits_method("HEAD", "/missing"), 0);
    assert_eq!(server.hits_method("GET", "/missing"), 1);
    assert_eq!(server.hits("/ok"), 3, "ok, moved->ok, found->ok");
}

#[tokio::test]
async fn get_is_the_default_so_head_quirks_cost_nothing() {
    // HEAD lies here (404); GET tells the truth. The default asks once, with GET.
    let server = WebServer::start(|req| {
        if req.method == "HEAD" {
            Reply::status(404)
        } else {
            Reply::status(200).body("hello")
        }
    })
    .await;
    let c = checker(&config());
    for i in 0..3 {
        let r = check_one(&c, server.url(&format!("/p{i}"))).await;
        assert_eq!(r.status, Status::Ok, "{r:?}");
    }
    assert_eq!(server.requests(), 3, "one request per link");
    assert_eq!(server.hits_method("HEAD", "/p0"), 0);
}

#[tokio::test]
async fn head_rejected_falls_back_to_get() {
    for code in [405u16, 501, 400, 403] {
        let server = WebServer::start(move |req| {
            if req.method == "HEAD" {
                Reply::status(code)
            } else {
                Reply::status(200).body("hello")
            }
        })
        .await;
        let r = check_one(&checker(&head_config()), server.url("/page")).await;
        assert_eq!(r.status, Status::Ok, "HEAD {code}: {r:?}");
        assert_eq!(r.http_status, Some(200));
        assert_eq!(server.hits_method("HEAD", "/page"), 1);
        assert_eq!(server.hits_method("GET", "/page"), 1);
    }
    // A host that said 405 to HEAD gets GET directly for its next links.
    let server = WebServer::start(|req| {
        if req.method == "HEAD" {
            Reply::status(405)
        } else {
            Reply::status(200)
        }
    })
    .await;
    let c = checker(&head_config());
    for i in 0..5 {
        let r = check_one(&c, server.url(&format!("/p{i}"))).await;
        assert_eq!(r.status, Status::Ok);
    }
    assert_eq!(server.hits_method("HEAD", "/p0"), 1);
    for i in 1..5 {
        assert_eq!(server.hits_method("HEAD", &format!("/p{i}")), 0);
        assert_eq!(server.hits_method("GET", &format!("/p{i}")), 1);
    }
    // A server that answers HEAD gets no GET.
    let server = WebServer::start(|_| Reply::status(200)).await;
    let r = check_one(&checker(&head_config()), server.url("/p")).await;
    assert_eq!(r.status, Status::Ok);
    assert_eq!(server.hits_method("GET", "/p"), 0);
}

/// A server whose first `fail` answers are `first`, then 200.
fn flaky(fail: usize, first: Reply) -> impl Fn(&support::web::Request) -> Reply {
    let n = Arc::new(AtomicUsize::new(0));
    move |_| {
        if n.fetch_add(1, Ordering::SeqCst) < fail {
            first.clone()
        } else {
            Reply::status(200)
        }
    }
}

#[tokio::test]
async fn retry_after_seconds_is_honoured() {
    let server = WebServer::start(flaky(1, Reply::status(429).header("Retry-After", "1"))).await;
    let r = check_one(&checker(&config()), server.url("/x")).await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    assert_eq!(server.requests(), 2);
    assert!(
        r.elapsed_ms >= 900,
        "waited for Retry-After: {}",
        r.elapsed_ms
    );
}

#[tokio::test]
async fn retry_after_http_date_is_honoured() {
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    let server = WebServer::start(flaky(1, Reply::status(503).header("Retry-After", &date))).await;
    let r = check_one(&checker(&config()), server.url("/x")).await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    assert_eq!(server.requests(), 2);
    assert!(r.elapsed_ms >= 500, "waited for the date: {}", r.elapsed_ms);
}

#[tokio::test]
async fn retry_after_beyond_cap_ends_blocked_without_waiting() {
    let server = WebServer::start(|_| Reply::status(429).header("Retry-After", "86400")).await;
    let mut cfg = config();
    cfg.max_retry_after_secs = 60;
    let c = checker(&cfg);
    let r = tokio::time::timeout(Duration::from_secs(20), check_one(&c, server.url("/x")))
        .await
        .expect("no day-long wait");
    assert_eq!(r.status, Status::Blocked, "{r:?}");
    assert_eq!(r.http_status, Some(429));
    assert!(r.error.contains("86400"), "{}", r.error);
    assert_eq!(server.requests(), 1, "no retry");
}

#[tokio::test]
async fn rate_limited_host_is_paused_as_a_whole() {
    // The server says 429 (Retry-After: 1) to every new path until the
    // first retry arrives, then 200: no clock, only the order of requests.
    // The links that met the 429 pause the host: had any other link started
    // during the pause, it would have met a 429 of its own.
    let state = Arc::new(std::sync::Mutex::new((
        std::collections::HashSet::<String>::new(),
        false,
    )));
    let server = WebServer::start(move |req| {
        let mut st = state.lock().unwrap();
        let (limited, over) = &mut *st;
        if !*over {
            if limited.contains(&req.path) {
                *over = true;
            } else {
                limited.insert(req.path.clone());
                return Reply::status(429)
                    .header("Retry-After", "1")
                    .delay(Duration::from_millis(50));
            }
        }
        Reply::status(200)
    })
    .await;
    let mut cfg = config();
    cfg.max_per_host = 2;
    let c = checker(&cfg);
    let urls: Vec<String> = (0..10).map(|i| server.url(&format!("/{i}"))).collect();
    let results = run(&c, &urls).await;
    assert!(
        results.values().all(|r| r[0].status == Status::Ok),
        "{results:?}"
    );
    assert_eq!(server.requests(), 10 + 2, "only the first two met the 429");
}

#[tokio::test]
async fn service_unavailable_twice_then_ok() {
    let server = WebServer::start(flaky(2, Reply::status(503))).await;
    let r = check_one(&checker(&config()), server.url("/x")).await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    assert_eq!(r.http_status, Some(200));
    assert_eq!(server.requests(), 3);

    // With one retry only, the same server ends as error.
    let server = WebServer::start(flaky(2, Reply::status(503))).await;
    let mut cfg = config();
    cfg.retries = 1;
    let r = check_one(&checker(&cfg), server.url("/x")).await;
    assert_eq!(r.status, Status::Error, "{r:?}");
    assert_eq!(r.http_status, Some(503));
}

#[tokio::test]
/// The end-to-end half of the per-host limit (real sockets, connection
/// reuse); the 10,000-job case runs against the pure scheduler
/// (`check::scheduler::tests`).
async fn per_host_limit_holds_for_a_thousand_links_each_requested_once() {
    let server = WebServer::start(|_| Reply::status(200).delay(Duration::from_millis(1))).await;
    let mut cfg = config();
    cfg.max_per_host = 4;
    cfg.max_concurrency = 64;
    let mut b = Checker::builder(&cfg);
    for name in ["busy.test", "side1.test", "side2.test"] {
        b = b.resolve_override(name, server.addr);
    }
    let c = b.build().unwrap();
    let mut urls: Vec<String> = (0..1_000)
        .map(|i| format!("http://busy.test/p{i}"))
        .collect();
    for i in 0..200 {
        urls.push(format!("http://side{}.test/q{i}", 1 + i % 2));
    }
    let results = run(&c, &urls).await;
    assert_eq!(results.len(), urls.len());
    assert!(results.values().all(|rs| rs.len() == 1));
    assert!(results.values().all(|rs| rs[0].status == Status::Ok));
    assert_eq!(server.requests(), urls.len(), "each job requested once");
    assert_eq!(server.hits("/p999"), 1);
    assert!(server.max_in_flight_host("busy.test") <= 4);
    assert!(server.max_in_flight_host("side1.test") <= 4);
    assert!(server.max_in_flight_host("side2.test") <= 4);
    // Connections are reused: far fewer than requests.
    assert!(
        server.connections() < 200,
        "{} connections for {} requests",
        server.connections(),
        server.requests()
    );
}

#[tokio::test]
async fn global_limit_holds_and_is_reached() {
    let server = WebServer::start(|_| Reply::status(200).delay(Duration::from_millis(250))).await;
    let mut cfg = config();
    cfg.max_concurrency = 3;
    cfg.max_per_host = 4;
    let mut b = Checker::builder(&cfg);
    let mut urls = Vec::new();
    for h in 0..6 {
        b = b.resolve_override(&format!("h{h}.test"), server.addr);
        for i in 0..2 {
            urls.push(format!("http://h{h}.test/{i}"));
        }
    }
    let results = run(&b.build().unwrap(), &urls).await;
    assert_eq!(results.len(), 12);
    assert_eq!(server.max_in_flight(), 3);
}

#[tokio::test]
async fn busy_host_does_not_hold_global_slots() {
    // 12 links to `a` queued before 12 links to `b`, 4 slots overall, 2 per
    // host: both hosts must run side by side (a design that takes a global
    // slot and then waits for a host slot would run `a` alone first).
    let server = WebServer::start(|_| Reply::status(200).delay(Duration::from_millis(200))).await;
    let mut cfg = config();
    cfg.max_concurrency = 4;
    cfg.max_per_host = 2;
    let c = Checker::builder(&cfg)
        .resolve_override("a.test", server.addr)
        .resolve_override("b.test", server.addr)
        .build()
        .unwrap();
    let mut urls: Vec<String> = (0..12).map(|i| format!("http://a.test/{i}")).collect();
    urls.extend((0..12).map(|i| format!("http://b.test/{i}")));
    let results = run(&c, &urls).await;
    assert_eq!(results.len(), 24);
    assert_eq!(server.max_in_flight_host("a.test"), 2);
    assert_eq!(server.max_in_flight_host("b.test"), 2);
    assert_eq!(server.max_in_flight(), 4);
}

#[tokio::test]
async fn remap_requests_the_new_url() {
    let server = WebServer::start(router(vec![("/mirror/model", Reply::status(200))])).await;
    let mut cfg = config();
    cfg.remap = vec![format!(
        "^https://huggingface\\.co/(.*) http://{}/mirror/$1",
        server.addr
    )];
    let c = checker(&cfg);
    assert_eq!(
        c.remapped("https://huggingface.co/model").as_deref(),
        Some(format!("http://{}/mirror/model", server.addr).as_str())
    );
    let r = check_one(&c, "https://huggingface.co/model".into()).await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    assert_eq!(server.hits("/mirror/model"), 1);
}

#[tokio::test]
async fn excluded_links_are_never_requested() {
    let server = WebServer::start(|_| Reply::status(200)).await;
    let mut cfg = config();
    cfg.exclude = vec!["/private/".into()];
    let c = checker(&cfg);
    let r = check_one(&c, server.url("/private/x")).await;
    assert_eq!(r.status, Status::Excluded);
    assert!(r.error.contains("/private/"), "{}", r.error);
    assert_eq!(server.requests(), 0);
    assert!(c.precheck(&server.url("/private/y")).is_some());
    assert!(c.precheck(&server.url("/public")).is_none());
}

#[tokio::test]
async fn redirect_chain_is_recorded() {
    let server = WebServer::start(router(vec![
        ("/a", Reply::redirect(301, "/b")),
        ("/b", Reply::redirect(302, "/c")),
        ("/c", Reply::status(200)),
        ("/t1", Reply::redirect(307, "/t2")),
        ("/t2", Reply::redirect(303, "/c")),
        ("/perm-broken", Reply::redirect(308, "/nowhere")),
    ]))
    .await;
    let c = checker(&config());
    let r = check_one(&c, server.url("/a")).await;
    assert_eq!(r.status, Status::Redirected, "{r:?}");
    assert_eq!(r.redirect_chain, vec![server.url("/b"), server.url("/c")]);
    // Issue 25: one code per hop, what sent the job to that URL.
    assert_eq!(r.hop_codes(), [301, 302]);
    assert_eq!(r.final_url.as_deref(), Some(server.url("/c").as_str()));
    assert_eq!(r.http_status, Some(200));

    let r = check_one(&c, server.url("/t1")).await;
    assert_eq!(r.status, Status::Ok, "temporary redirects only: {r:?}");
    assert_eq!(r.redirect_chain.len(), 2);
    assert_eq!(r.hop_codes(), [307, 303]);
    assert_eq!(r.final_url.as_deref(), Some(server.url("/c").as_str()));

    let r = check_one(&c, server.url("/perm-broken")).await;
    assert_eq!(r.status, Status::Broken, "{r:?}");
    assert_eq!(r.http_status, Some(404));
}

#[tokio::test]
async fn redirect_to_another_host_is_followed() {
    let server = WebServer::start(|req| match (req.host.as_str(), req.path.as_str()) {
        ("old.test", _) => Reply::redirect(301, &format!("http://new.test{}", req.path)),
        ("new.test", "/repo") => Reply::status(200),
        _ => Reply::status(404),
    })
    .await;
    let c = Checker::builder(&config())
        .resolve_override("old.test", server.addr)
        .resolve_override("new.test", server.addr)
        .build()
        .unwrap();
    let r = check_one(&c, "http://old.test/repo".into()).await;
    assert_eq!(r.status, Status::Redirected, "{r:?}");
    assert_eq!(r.final_url.as_deref(), Some("http://new.test/repo"));
}

#[tokio::test]
async fn redirect_loops_and_long_chains_are_errors() {
    let server = WebServer::start(|req| {
        if req.path == "/loop1" {
            Reply::redirect(302, "/loop2")
        } else if req.path == "/loop2" {
            Reply::redirect(302, "/loop1")
        } else if let Some(n) = req.path.strip_prefix("/hop/") {
            let n: u32 = n.parse().unwrap();
            if n < 20 {
                Reply::redirect(301, &format!("/hop/{}", n + 1))
            } else {
                Reply::status(200)
            }
        } else {
            Reply::status(404)
        }
    })
    .await;
    let c = checker(&config());
    let r = check_one(&c, server.url("/loop1")).await;
    assert_eq!(r.status, Status::Error, "{r:?}");
    assert!(r.error.contains("too many redirects"), "{}", r.error);
    assert!(server.requests() <= 11);

    let r = check_one(&c, server.url("/hop/0")).await;
    assert_eq!(r.status, Status::Error, "{r:?}");
    assert!(r.error.contains("too many redirects"), "{}", r.error);
    assert_eq!(r.redirect_chain.len(), 10);
    assert_eq!(server.hits("/hop/11"), 0, "never beyond 10 hops");

    // Within the limit the same chain works.
    let mut cfg = config();
    cfg.max_redirects = 25;
    let r = check_one(&checker(&cfg), server.url("/hop/0")).await;
    assert_eq!(r.status, Status::Redirected, "{r:?}");
}

#[tokio::test]
async fn redirects_to_other_schemes_are_not_followed() {
    let server = WebServer::start(router(vec![
        ("/file", Reply::redirect(302, "file:///etc/passwd")),
        ("/js", Reply::redirect(301, "javascript:alert(1)")),
        ("/ftp", Reply::redirect(301, "ftp://ftp.example.org/pub")),
        ("/bad", Reply::redirect(301, "http://[::1")),
    ]))
    .await;
    let c = checker(&config());
    for (path, scheme) in [("/file", "file"), ("/js", "javascript"), ("/ftp", "ftp")] {
        let r = check_one(&c, server.url(path)).await;
        assert_eq!(r.status, Status::Error, "{path}: {r:?}");
        assert!(r.error.contains(scheme), "{path}: {}", r.error);
        assert!(r.error.contains("not followed"), "{path}: {}", r.error);
    }
    let r = check_one(&c, server.url("/bad")).await;
    assert_eq!(r.status, Status::Error, "{r:?}");
}

#[tokio::test]
async fn shutdown_stops_quickly_and_leaves_unfinished_jobs_unreported() {
    let server = WebServer::start(|req| {
        if req.host == "fast.test" {
            Reply::status(200)
        } else {
            Reply::status(200).delay(Duration::from_secs(30))
        }
    })
    .await;
    let mut cfg = config();
    cfg.timeout_secs = 60;
    cfg.max_concurrency = 8;
    let c = Checker::builder(&cfg)
        .resolve_override("fast.test", server.addr)
        .resolve_override("slow.test", server.addr)
        .shutdown_grace(Duration::from_millis(200))
        .build()
        .unwrap();
    let mut jobs: Vec<(u32, String)> = (0..3)
        .map(|i| (i, format!("http://fast.test/{i}")))
        .collect();
    jobs.extend((3..200).map(|i| (i, format!("http://slow.test/{i}"))));
    let token = CancellationToken::new();
    let fast_done = AtomicUsize::new(0);
    let mut reported = Vec::new();
    let mut on_result = |id: u32, r: LinkResult| {
        if id < 3 {
            fast_done.fetch_add(1, Ordering::SeqCst);
        }
        reported.push((id, r.status));
    };
    // Cancel once the fast jobs are done and the slow ones (4, the per-host
    // limit) have reached the server: an event, not a guess at a delay.
    let cancel = async {
        while fast_done.load(Ordering::SeqCst) < 3 || server.requests() < 3 + 4 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        token.cancel();
    };
    tokio::time::timeout(
        Duration::from_secs(10),
        futures::future::join(c.check_all(jobs, token.clone(), &mut on_result), cancel),
    )
    .await
    .expect("stopped soon after cancel");
    let ids: Vec<u32> = reported.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids.len(), 3, "only the fast jobs finished: {reported:?}");
    assert!(ids.iter().all(|&id| id < 3));
    assert_eq!(
        server.requests(),
        3 + 4,
        "the in-flight slow requests only, nothing after the shutdown"
    );
}

#[tokio::test]
async fn checked_at_and_elapsed_are_set() {
    let server = WebServer::start(|_| Reply::status(200).delay(Duration::from_millis(30))).await;
    let before = chrono::Utc::now();
    let r = check_one(&checker(&config()), server.url("/x")).await;
    assert!(r.checked_at >= before);
    assert!(r.elapsed_ms >= 30, "{}", r.elapsed_ms);
    assert!(r.error.is_empty());
    assert!(r.redirect_chain.is_empty());
    assert_eq!(r.final_url, None);
}

/// Issue 6, scenario 1 in miniature: 5,000 links over 50 hosts with a skewed
/// distribution, 100 ms per answer. Prints the ratio of the ideal time to
/// the measured one (a benchmark, not a timed test: run with `--ignored`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn bench_mixed_web_ratio_to_ideal() {
    let latency = Duration::from_millis(100);
    let server = WebServer::start(move |_| Reply::status(200).delay(latency)).await;
    for (max_concurrency, skew) in [(64usize, false), (64, true), (128, true)] {
        let mut cfg = config();
        cfg.max_concurrency = max_concurrency;
        cfg.max_per_host = 4;
        let mut b = Checker::builder(&cfg);
        for h in 0..50 {
            b = b.resolve_override(&format!("h{h}.test"), server.addr);
        }
        let c = b.build().unwrap();
        // Skewed: host 0 gets 10%, the rest share the remainder evenly.
        let urls: Vec<String> = (0..5000)
            .map(|i| {
                let h = if skew && i % 10 == 0 { 0 } else { 1 + i % 49 };
                format!("http://h{h}.test/{i}")
            })
            .collect();
        let mut per_host: HashMap<String, usize> = HashMap::new();
        for u in &urls {
            *per_host
                .entry(u.split('/').nth(2).unwrap().to_string())
                .or_default() += 1;
        }
        let busiest = *per_host.values().max().unwrap();
        let ideal = (urls.len() as f64 * latency.as_secs_f64() / max_concurrency as f64)
            .max(busiest as f64 * latency.as_secs_f64() / 4.0);
        let start = std::time::Instant::now();
        let results = run(&c, &urls).await;
        let took = start.elapsed().as_secs_f64();
        assert_eq!(results.len(), urls.len());
        println!(
            "max_concurrency={max_concurrency} skew={skew} busiest={busiest}: {took:.2} s, ideal {ideal:.2} s, {:.1}% of ideal",
            100.0 * ideal / took
        );
    }
}

/// Issue 6, scenario 4 in miniature: many unique URLs over 2,000 hosts at
/// 0 ms latency. Prints requests per second and the peak RSS of the test
/// process (server included). Run with `--ignored`; N via `BENCH_URLS`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn bench_scale_many_hosts() {
    let n: usize = std::env::var("BENCH_URLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let server = WebServer::start(|_| Reply::status(200)).await;
    let mut cfg = config();
    cfg.max_concurrency = 64;
    cfg.max_per_host = 4;
    let mut b = Checker::builder(&cfg);
    for h in 0..2000 {
        b = b.resolve_override(&format!("h{h}.test"), server.addr);
    }
    let c = b.build().unwrap();
    let jobs: Vec<(u32, String)> = (0..n)
        .map(|i| (i as u32, format!("http://h{}.test/{i}", i % 2000)))
        .collect();
    let start = std::time::Instant::now();
    let mut count = 0usize;
    let mut on_result = |_: u32, r: LinkResult| {
        assert_eq!(r.status, Status::Ok);
        count += 1;
    };
    c.check_all(jobs, CancellationToken::new(), &mut on_result)
        .await;
    let took = start.elapsed().as_secs_f64();
    assert_eq!(count, n);
    assert_eq!(server.requests(), n);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .unwrap_or("VmHWM: ?");
    println!(
        "{n} URLs over 2000 hosts: {took:.1} s, {:.0} requests/s, {hwm}",
        n as f64 / took
    );
}

#[tokio::test]
async fn head_to_get_fallback_with_wiremock() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(method("HEAD"))
        .and(path("/paper"))
        .respond_with(ResponseTemplate::new(405))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/paper"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>paper</html>"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("HEAD"))
        .and(path("/gone"))
        .respond_with(ResponseTemplate::new(410))
        // 0 when /paper's 405 taught the checker that this host refuses HEAD.
        .expect(0..=1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/gone"))
        .respond_with(ResponseTemplate::new(410))
        .expect(1)
        .mount(&server)
        .await;
    let c = checker(&head_config());
    let urls = vec![
        format!("{}/paper", server.uri()),
        format!("{}/gone", server.uri()),
    ];
    let results = run(&c, &urls).await;
    assert_eq!(results[&0][0].status, Status::Ok);
    assert_eq!(results[&1][0].status, Status::Broken);
    assert_eq!(results[&1][0].http_status, Some(410));
    server.verify().await;
}

#[tokio::test]
async fn a_host_whose_head_404_was_confirmed_is_trusted_afterwards() {
    let server = WebServer::start(|req| {
        if req.path.starts_with("/gone") {
            Reply::status(404)
        } else {
            Reply::status(200)
        }
    })
    .await;
    let mut cfg = head_config();
    cfg.max_per_host = 1;
    let c = Checker::new(&cfg).unwrap();
    let jobs: Vec<(u32, String)> = (0..5)
        .map(|i| (i, server.url(&format!("/gone{i}"))))
        .collect();
    let mut got = Vec::new();
    c.check_all(jobs, CancellationToken::new(), &mut |_, r| {
        got.push(r.status)
    })
    .await;
    assert!(got.iter().all(|s| *s == Status::Broken), "{got:?}");
    // The first dead link is asked twice (HEAD, then GET to be sure); the
    // rest once, with HEAD.
    assert_eq!(server.hits_method("GET", "/gone0"), 1);
    let gets: usize = (1..5)
        .map(|i| server.hits_method("GET", &format!("/gone{i}")))
        .sum();
    assert_eq!(gets, 0);
    assert_eq!(server.requests(), 6);
}
