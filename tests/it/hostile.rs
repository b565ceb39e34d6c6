//! Hostile and broken servers (issue 7), and the private-address guard.
//! Every server listens on loopback; the guard tests never let a request
//! leave 127.0.0.0/8 even if the guard were broken.

use crate::support;

use paperlinks::check::{BODY_PEEK, Checker, IpRange};
use paperlinks::config::{CheckConfig, RequestMethod};
use paperlinks::model::{LinkResult, Status};
use std::net::SocketAddr;
use std::time::Duration;
use support::web::{Reply, WebServer};
use tokio_util::sync::CancellationToken;

fn config() -> CheckConfig {
    CheckConfig {
        allow_private: true,
        timeout_secs: 1,
        retries: 0,
        ..CheckConfig::default()
    }
}

async fn check(checker: &Checker, url: &str) -> LinkResult {
    let mut got = Vec::new();
    let mut on_result = |_: u32, r: LinkResult| got.push(r);
    tokio::time::timeout(
        Duration::from_secs(30),
        checker.check_all(
            vec![(0, url.to_string())],
            CancellationToken::new(),
            &mut on_result,
        ),
    )
    .await
    .expect("the check finishes");
    assert_eq!(got.len(), 1);
    let r = got.pop().unwrap();
    eprintln!("{url} -> {} {:?} {}", r.status, r.http_status, r.error);
    r
}

fn plain() -> Checker {
    Checker::new(&config()).unwrap()
}

#[tokio::test]
async fn never_answering_server_times_out() {
    let server = WebServer::start(|_| Reply::NeverAnswer).await;
    let r = check(&plain(), &server.url("/x")).await;
    assert_eq!(r.status, Status::Timeout, "{r:?}");
    assert_eq!(r.http_status, None);
    assert!(!r.error.is_empty());
}

#[tokio::test]
async fn timeouts_are_retried() {
    let server = WebServer::start(|_| Reply::NeverAnswer).await;
    let mut cfg = config();
    cfg.retries = 1;
    let c = Checker::builder(&cfg)
        .backoff_base(Duration::from_millis(10))
        .build()
        .unwrap();
    let r = check(&c, &server.url("/x")).await;
    assert_eq!(r.status, Status::Timeout);
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn dripping_headers_time_out() {
    let server = WebServer::start(|_| Reply::DripHeaders).await;
    let r = check(&plain(), &server.url("/x")).await;
    assert_eq!(r.status, Status::Timeout, "{r:?}");
}

/// HEAD is refused, so whatever the method setting the checker meets the body with GET.
fn get_only(body: Reply) -> impl Fn(&support::web::Request) -> Reply {
    move |req| {
        if req.method == "HEAD" {
            Reply::status(405)
        } else {
            body.clone()
        }
    }
}

#[tokio::test]
async fn dripping_body_is_bounded() {
    // The timeout is far beyond the hang guard of `check` (30 s) and a
    // dripped byte comes every 200 ms: only the body limit can end these.
    let mut cfg = config();
    cfg.timeout_secs = 3600;
    let c = Checker::new(&cfg).unwrap();
    // Announced larger than BODY_PEEK: dropped right after the headers.
    let server = WebServer::start(get_only(Reply::DripBody { len: BODY_PEEK + 1 })).await;
    let r = check(&c, &server.url("/x")).await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    assert_eq!(r.http_status, Some(200));
    assert!(
        wait_for(|| server.early_closes() == 1).await,
        "the client hung up instead of reading the body"
    );
    // Announced small enough to read (1,000 bytes would take 200 s): read
    // for the small-body budget at most, well within the hang guard.
    let server = WebServer::start(get_only(Reply::DripBody { len: 1000 })).await;
    let r = check(&c, &server.url("/y")).await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    assert!(wait_for(|| server.early_closes() == 1).await);
}

async fn wait_for(mut cond: impl FnMut() -> bool) -> bool {
    for _ in 0..100 {
        if cond() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test]
async fn endless_bodies_are_not_downloaded() {
    for (chunked, gzip) in [(false, false), (true, false), (true, true)] {
        let server = WebServer::start(get_only(Reply::EndlessBody { chunked, gzip })).await;
        let r = check(&plain(), &server.url("/big")).await;
        assert_eq!(r.status, Status::Ok, "chunked={chunked} gzip={gzip}: {r:?}");
        assert!(
            wait_for(|| server.early_closes() == 1).await,
            "the client hung up early (chunked={chunked})"
        );
    }
}

#[tokio::test]
async fn reset_mid_headers_is_a_network_error() {
    let server = WebServer::start(|_| Reply::ResetMidHeaders).await;
    let r = check(&plain(), &server.url("/x")).await;
    assert_eq!(r.status, Status::NetworkError, "{r:?}");
    assert_eq!(r.http_status, None);
}

#[tokio::test]
async fn server_that_breaks_on_head_is_asked_with_get() {
    let server = WebServer::start(|req| {
        if req.method == "HEAD" {
            Reply::Garbage
        } else {
            Reply::status(200)
        }
    })
    .await;
    let head_first = CheckConfig {
        method: RequestMethod::Head,
        ..config()
    };
    let r = check(&Checker::new(&head_first).unwrap(), &server.url("/x")).await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    assert_eq!(server.hits_method("GET", "/x"), 1);
}

#[tokio::test]
async fn garbage_instead_of_http() {
    let server = WebServer::start(|_| Reply::Garbage).await;
    let r = check(&plain(), &server.url("/x")).await;
    // Bytes came back, so the server is there: a malformed answer, `error`.
    assert_eq!(r.status, Status::Error, "{r:?}");
    assert!(r.error.contains("malformed"), "{}", r.error);
}

#[tokio::test]
async fn self_signed_certificate_is_a_tls_network_error() {
    let server = WebServer::start_tls(|_| Reply::status(200)).await;
    let r = check(&plain(), &format!("https://{}/x", server.addr)).await;
    assert_eq!(r.status, Status::NetworkError, "{r:?}");
    assert!(r.error.contains("TLS"), "{}", r.error);
    assert_eq!(server.requests(), 0, "no request after a failed handshake");
}

#[tokio::test]
async fn http_1_0_without_keep_alive() {
    let server = WebServer::start(|req| Reply::Http10 {
        status: if req.path == "/gone" { 404 } else { 200 },
        body: b"<html>old server</html>".to_vec(),
    })
    .await;
    let c = plain();
    assert_eq!(check(&c, &server.url("/a")).await.status, Status::Ok);
    assert_eq!(check(&c, &server.url("/b")).await.status, Status::Ok);
    assert_eq!(check(&c, &server.url("/gone")).await.status, Status::Broken);
}

#[tokio::test]
async fn status_999_is_blocked() {
    let server = WebServer::start(|_| Reply::status(999)).await;
    let r = check(&plain(), &server.url("/in/someone")).await;
    assert_eq!(r.status, Status::Blocked);
    assert_eq!(r.http_status, Some(999));
}

#[tokio::test]
async fn connection_refused_is_a_network_error() {
    let addr: SocketAddr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let r = check(&plain(), &format!("http://{addr}/")).await;
    assert_eq!(r.status, Status::NetworkError, "{r:?}");
    assert!(r.error.contains("refused"), "{}", r.error);
}

// ---- the private-address guard ----

fn guarded(allow_private: bool) -> CheckConfig {
    CheckConfig {
        allow_private,
        ..config()
    }
}

#[tokio::test]
async fn name_resolving_to_loopback_is_refused_unless_allowed() {
    let server = WebServer::start(|_| Reply::status(200)).await;
    let c = Checker::builder(&guarded(false))
        .resolve_override("public-looking.example", server.addr)
        .build()
        .unwrap();
    let r = check(&c, "http://public-looking.example/x").await;
    assert_eq!(r.status, Status::Excluded, "{r:?}");
    assert!(r.error.contains("127.0.0.1"), "{}", r.error);
    assert!(r.error.contains("loopback"), "{}", r.error);
    assert_eq!(server.requests(), 0);
    assert_eq!(server.connections(), 0);

    let c = Checker::builder(&guarded(true))
        .resolve_override("public-looking.example", server.addr)
        .build()
        .unwrap();
    let r = check(&c, "http://public-looking.example/x").await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn literal_private_addresses_are_excluded_without_a_request() {
    let server = WebServer::start(|_| Reply::status(200)).await;
    let c = Checker::new(&guarded(false)).unwrap();
    for url in [
        server.url("/x"),
        format!("http://localhost:{}/x", server.port()),
        format!("http://[::ffff:127.0.0.1]:{}/x", server.port()),
        format!("http://2130706433:{}/x", server.port()),
    ] {
        let r = check(&c, &url).await;
        assert_eq!(r.status, Status::Excluded, "{url}: {r:?}");
    }
    assert_eq!(server.connections(), 0);
}

/// 127.0.0.1 plays a public host; 127.0.0.2 is the private network.
fn public_and_private(
    public: &WebServer,
    private: &WebServer,
) -> (Checker, Vec<(&'static str, SocketAddr)>) {
    let overrides = vec![("public.test", public.addr), ("inner.test", private.addr)];
    let mut b = Checker::builder(&guarded(false))
        .private_ranges(vec!["127.0.0.2/32".parse::<IpRange>().unwrap()]);
    for (n, a) in &overrides {
        b = b.resolve_override(n, *a);
    }
    // A name with a private and a public address: only the public one is used.
    b = b
        .resolve_override("mixed.test", private.addr)
        .resolve_override("mixed.test", public.addr);
    (b.build().unwrap(), overrides)
}

#[tokio::test]
async fn redirect_into_the_private_network_is_refused() {
    let private = WebServer::start_on("127.0.0.2", |_| Reply::status(200)).await;
    let pport = private.port();
    let public = WebServer::start(move |req| match req.path.as_str() {
        "/literal" => Reply::redirect(302, &format!("http://127.0.0.2:{pport}/secret")),
        "/named" => Reply::redirect(301, &format!("http://inner.test:{pport}/secret")),
        "/mapped" => Reply::redirect(301, &format!("http://[::ffff:127.0.0.2]:{pport}/secret")),
        _ => Reply::status(200),
    })
    .await;
    let (c, _) = public_and_private(&public, &private);

    let r = check(&c, &public.url("/fine")).await;
    assert_eq!(r.status, Status::Ok, "127.0.0.1 plays public: {r:?}");
    let r = check(&c, &format!("http://public.test:{}/fine", public.port())).await;
    assert_eq!(r.status, Status::Ok, "{r:?}");

    for path in ["/literal", "/named", "/mapped"] {
        let r = check(&c, &public.url(path)).await;
        assert_eq!(r.status, Status::Excluded, "{path}: {r:?}");
        assert!(r.error.contains("127.0.0.2"), "{path}: {}", r.error);
    }
    let r = check(&c, &format!("http://mixed.test:{}/ok", public.port())).await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    assert_eq!(private.connections(), 0, "nothing reached the private host");
    assert!(public.requests() >= 5);
}

#[tokio::test]
async fn idn_host_is_requested_in_punycode() {
    let server = WebServer::start(|req| {
        if req.host == "xn--bcher-kva.example" {
            Reply::status(200)
        } else {
            Reply::status(404)
        }
    })
    .await;
    let c = Checker::builder(&config())
        .resolve_override("xn--bcher-kva.example", server.addr)
        .build()
        .unwrap();
    let r = check(
        &c,
        &format!("http://bücher.example:{}/katalog", server.port()),
    )
    .await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn ipv6_literal_is_requested() {
    let Ok(listener) = std::net::TcpListener::bind("[::1]:0") else {
        eprintln!("no IPv6 loopback on this machine; skipping");
        return;
    };
    drop(listener);
    let server = WebServer::start_on("::1", |_| Reply::status(200)).await;
    let r = check(&plain(), &format!("http://[::1]:{}/x", server.port())).await;
    assert_eq!(r.status, Status::Ok, "{r:?}");
}
