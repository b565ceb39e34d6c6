//! The web as it is (issue 12): servers that close keep-alive connections
//! right after answering, names that do not resolve, no network at all, and
//! hosts that accept connections and never answer. Every server and every
//! address is on loopback; "dead" hosts are loopback ports nobody listens on
//! or names an injected resolver refuses.

use crate::support;

use paperlinks::check::{Checker, Lookup};
use paperlinks::config::CheckConfig;
use paperlinks::model::{LinkResult, Status};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use support::closing::{Close, ClosingServer};
use support::web::{Reply, WebServer};
use tokio_util::sync::CancellationToken;

fn config() -> CheckConfig {
    CheckConfig {
        allow_private: true,
        timeout_secs: 5,
        retries: 0,
        ..CheckConfig::default()
    }
}

/// Runs `urls` as jobs 0..n; every job must be reported exactly once.
async fn run(checker: &Checker, urls: &[String]) -> Vec<LinkResult> {
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
    (0..urls.len() as u32)
        .map(|i| {
            let mut rs = out.remove(&i).unwrap_or_default();
            assert_eq!(rs.len(), 1, "{} reported once: {rs:?}", urls[i as usize]);
            rs.pop().unwrap()
        })
        .collect()
}

/// A loopback port nobody listens on: bind, learn the port, close.
fn closed_port() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

fn closing_routes(path: &str) -> Reply {
    if let Some(n) = path.strip_prefix("/chain/") {
        let n: u32 = n.parse().unwrap();
        return if n < 20 {
            Reply::redirect(302, &format!("/chain/{}", n + 1))
        } else {
            Reply::status(200)
        };
    }
    match path {
        "/loop/a" => Reply::redirect(302, "/loop/b"),
        "/loop/b" => Reply::redirect(302, "/loop/a"),
        _ => Reply::status(200).body("hello"),
    }
}

#[tokio::test]
async fn close_after_response_server_gives_the_right_words() {
    for close in [Close::Fin, Close::Reset] {
        let server = ClosingServer::start(close, closing_routes).await;
        // One connection at a time, no retries: every link after the first
        // meets a connection the server has given up, and only the resend
        // on a fresh connection (which is not a retry) can save it.
        let mut cfg = config();
        cfg.max_per_host = 1;
        let c = Checker::new(&cfg).unwrap();
        let mut urls = vec![server.url("/loop/a"), server.url("/chain/0")];
        urls.extend((0..10).map(|i| server.url(&format!("/ok/{i}"))));
        let rs = run(&c, &urls).await;
        for (url, r) in urls.iter().zip(&rs).take(2) {
            assert_eq!(r.status, Status::Error, "{close:?} {url}: {r:?}");
            assert!(
                r.error.contains("too many redirects"),
                "{close:?} {url}: {}",
                r.error
            );
        }
        for (url, r) in urls.iter().zip(&rs).skip(2) {
            assert_eq!(r.status, Status::Ok, "{close:?} {url}: {r:?}");
            assert_eq!(r.http_status, Some(200));
        }
        assert!(
            server.dropped() >= 10,
            "{close:?}: the reused connections were given up: {}",
            server.dropped()
        );
    }
}

#[tokio::test]
async fn a_lost_fresh_connection_is_not_sent_again() {
    // A host that never answered: a reset there is not a stale pooled
    // connection, so it is requested once (retries = 0) and reported.
    let server = WebServer::start(|_| Reply::ResetMidHeaders).await;
    let c = Checker::new(&config()).unwrap();
    let rs = run(&c, &[server.url("/x")]).await;
    assert_eq!(rs[0].status, Status::NetworkError, "{:?}", rs[0]);
    assert_eq!(server.requests(), 1);
}

/// `n` distinct host names, each resolving to a closed loopback port.
/// (`cfg` with one retry, so that the dead links wait parked.)
fn dead_hosts(mut cfg: CheckConfig, n: usize) -> (paperlinks::check::CheckerBuilder, Vec<String>) {
    let closed = closed_port();
    cfg.retries = 1;
    let mut b = Checker::builder(&cfg).backoff_base(Duration::from_millis(50));
    let mut names = Vec::new();
    for i in 0..n {
        let name = format!("dead{i}.test");
        b = b.resolve_override(&name, closed);
        names.push(name);
    }
    (b, names)
}

#[tokio::test]
async fn no_network_stops_early_and_leaves_the_rest_unchecked() {
    let (b, names) = dead_hosts(config(), 40);
    let c = b.build().unwrap();
    let urls: Vec<String> = (0..2000)
        .map(|i| format!("http://{}/p{i}", names[i % names.len()]))
        .collect();
    let rs = run(&c, &urls).await;
    let unchecked: Vec<&LinkResult> = rs
        .iter()
        .filter(|r| r.status == Status::Unchecked)
        .collect();
    let failed = rs
        .iter()
        .filter(|r| r.status == Status::NetworkError)
        .count();
    assert_eq!(unchecked.len() + failed, rs.len(), "nothing else: {rs:?}");
    assert!(
        unchecked.len() >= 1900,
        "the run stopped early: {} unchecked",
        unchecked.len()
    );
    assert!(
        unchecked[0].error.contains("network looks unreachable"),
        "{}",
        unchecked[0].error
    );
    assert!(rs.iter().all(|r| r.http_status.is_none()));
    assert!(paperlinks::pipeline::network_unreachable(&rs), "exit 4");
}

#[tokio::test]
async fn names_that_do_not_resolve_are_looked_up_once_and_stop_the_run() {
    let lookups = Arc::new(AtomicUsize::new(0));
    let seen = lookups.clone();
    let lookup: Lookup = Arc::new(move |_name: &str| {
        seen.fetch_add(1, Ordering::SeqCst);
        Err("Temporary failure in name resolution".to_string())
    });
    let c = Checker::builder(&config())
        .dns_lookup(lookup)
        .build()
        .unwrap();
    // 5,000 links over 1,000 names that do not resolve.
    let urls: Vec<String> = (0..5000)
        .map(|i| format!("https://h{}.invalid/paper/{i}", i % 1000))
        .collect();
    let rs = run(&c, &urls).await;
    let failed: Vec<&LinkResult> = rs
        .iter()
        .filter(|r| r.status == Status::NetworkError)
        .collect();
    assert!(!failed.is_empty());
    assert!(failed[0].error.contains("DNS"), "{}", failed[0].error);
    let unchecked = rs.iter().filter(|r| r.status == Status::Unchecked).count();
    assert_eq!(failed.len() + unchecked, rs.len());
    assert!(unchecked >= 4800, "stopped early: {unchecked}");
    assert!(
        lookups.load(Ordering::SeqCst) <= 200,
        "one lookup per name at most, and only the names tried: {}",
        lookups.load(Ordering::SeqCst)
    );
    assert!(paperlinks::pipeline::network_unreachable(&rs));
}

#[tokio::test]
async fn a_request_hanging_in_flight_does_not_hold_the_offline_stop() {
    // The first host accepts and never answers (a lookup hanging on the
    // resolver's timeout looks the same); the others are refused at once.
    let hanging = WebServer::start(|_| Reply::NeverAnswer).await;
    let mut cfg = config();
    cfg.timeout_secs = 120;
    let (b, names) = dead_hosts(cfg, 10);
    let c = b.build().unwrap();
    let mut urls = vec![hanging.url("/hangs")];
    urls.extend((0..100).map(|i| format!("http://{}/p{i}", names[i % names.len()])));
    let rs = run(&c, &urls).await;
    assert_eq!(rs[0].status, Status::Unchecked, "{:?}", rs[0]);
    assert!(rs[0].error.contains("unreachable"), "{}", rs[0].error);
    assert!(rs.iter().all(|r| r.http_status.is_none()));
    assert!(paperlinks::pipeline::network_unreachable(&rs));
}

#[tokio::test]
async fn a_partial_outage_never_stops_the_run() {
    // The live host answers after the dead ones have all failed: the run
    // waits for it, and once it has answered, every link is requested.
    let live = WebServer::start(|_| Reply::status(200).delay(Duration::from_millis(300))).await;
    let (b, names) = dead_hosts(config(), 10);
    let c = b.build().unwrap();
    let mut urls = vec![live.url("/alive")];
    for i in 0..60 {
        urls.push(format!("http://{}/p{i}", names[i % names.len()]));
    }
    urls.push(live.url("/alive-too"));
    let rs = run(&c, &urls).await;
    assert_eq!(rs[0].status, Status::Ok, "{:?}", rs[0]);
    assert_eq!(rs[61].status, Status::Ok, "{:?}", rs[61]);
    for (url, r) in urls.iter().zip(&rs).skip(1).take(60) {
        assert_eq!(r.status, Status::NetworkError, "{url}: {r:?}");
        assert!(!r.error.contains("unreachable"), "{url}: {}", r.error);
    }
    assert!(!paperlinks::pipeline::network_unreachable(&rs));
}

#[tokio::test]
async fn a_silent_host_is_cut_off_after_a_few_requests() {
    let server = WebServer::start(|_| Reply::NeverAnswer).await;
    let mut cfg = config();
    cfg.timeout_secs = 1;
    cfg.retries = 1;
    cfg.max_per_host = 4;
    let c = Checker::builder(&cfg)
        .backoff_base(Duration::from_millis(50))
        .build()
        .unwrap();
    let urls: Vec<String> = (0..40).map(|i| server.url(&format!("/p{i}"))).collect();
    let rs = run(&c, &urls).await;
    for (url, r) in urls.iter().zip(&rs) {
        assert_eq!(r.status, Status::Timeout, "{url}: {r:?}");
    }
    let cut: Vec<&LinkResult> = rs
        .iter()
        .filter(|r| r.error.contains("not requested"))
        .collect();
    assert!(cut.len() >= 30, "{} cut off", cut.len());
    assert!(
        cut[0].error.contains("got no answer") && cut[0].error.contains("no answer within 1 s"),
        "{}",
        cut[0].error
    );
    // The first wave (4), perhaps a few that started as it ended, and no
    // retries of the cut-off links.
    assert!(server.requests() <= 8, "{} requests", server.requests());
}

/// `/ok` answers 200; every other path is reset before any answer.
fn mostly_dead(req: &support::web::Request) -> Reply {
    if req.path == "/ok" {
        Reply::status(200)
    } else {
        Reply::ResetMidHeaders
    }
}

#[tokio::test]
async fn a_host_that_answered_once_is_never_cut_off() {
    let mut cfg = config();
    cfg.max_per_host = 1;
    let dead: Vec<String> = (0..12).map(|i| format!("/dead/{i}")).collect();

    // It answered first: every link is requested and keeps its own word.
    let server = WebServer::start(mostly_dead).await;
    let c = Checker::new(&cfg).unwrap();
    let mut urls = vec![server.url("/ok")];
    urls.extend(dead.iter().map(|p| server.url(p)));
    let rs = run(&c, &urls).await;
    assert_eq!(rs[0].status, Status::Ok);
    for (url, r) in urls.iter().zip(&rs).skip(1) {
        assert_eq!(r.status, Status::NetworkError, "{url}: {r:?}");
        assert!(!r.error.contains("not requested"), "{url}: {}", r.error);
    }
    assert!(dead.iter().all(|p| server.hits(p) >= 1), "all requested");

    // The same host without the answer first: cut off after a few.
    let server = WebServer::start(mostly_dead).await;
    let c = Checker::new(&cfg).unwrap();
    let urls: Vec<String> = dead.iter().map(|p| server.url(p)).collect();
    let rs = run(&c, &urls).await;
    assert!(rs.iter().all(|r| r.status == Status::NetworkError));
    let requested = dead.iter().filter(|p| server.hits(p) >= 1).count();
    assert!(requested < dead.len(), "cut off: {requested} requested");
    assert!(rs.last().unwrap().error.contains("not requested"));
}
