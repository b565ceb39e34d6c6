//! Behind a forward proxy (tests/support/proxy.rs, on 127.0.0.1): links,
//! remote inputs and GitHub API calls go through it (plain HTTP forwarding
//! and CONNECT), `NO_PROXY` is honoured, `[check] proxy` overrides the
//! environment, and the private-address guard still excludes literal
//! private targets while letting the proxy itself through.
//!
//! The web server listens on 127.0.0.2, which these tests treat as public
//! (`private_ranges`), and the proxy on 127.0.0.1, which stays private:
//! the proxy is reached only because it is the proxy.

use crate::support;

use paperlinks::check::{Checker, IpRange};
use paperlinks::config::CheckConfig;
use paperlinks::model::{LinkResult, Status};
use paperlinks::proxy::ProxySettings;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;
use support::fake_github::{FakeGithub, FakeRepo};
use support::proxy::ForwardProxy;
use support::web::{Reply, WebServer};
use tokio_util::sync::CancellationToken;

/// Guard against hangs (not a timing assertion).
const HANG_GUARD: Duration = Duration::from_secs(60);

fn settings(vars: &[(&str, String)]) -> ProxySettings {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    ProxySettings::from_vars(&|k| map.get(k).cloned(), None).unwrap()
}

fn ranges() -> Vec<IpRange> {
    ["127.0.0.1/32", "10.0.0.0/8", "169.254.0.0/16", "::1/128"]
        .iter()
        .map(|r| r.parse().unwrap())
        .collect()
}

async fn check_all(c: &Checker, urls: &[String]) -> Vec<LinkResult> {
    let jobs = urls
        .iter()
        .enumerate()
        .map(|(i, u)| (i as u32, u.clone()))
        .collect();
    let mut out: Vec<Option<LinkResult>> = vec![None; urls.len()];
    tokio::time::timeout(
        HANG_GUARD,
        c.check_all(jobs, CancellationToken::new(), &mut |id, r| {
            out[id as usize] = Some(r)
        }),
    )
    .await
    .expect("check must not hang");
    out.into_iter()
        .map(|r| r.expect("every link has a result"))
        .collect()
}

fn page_server_on(ip: &str) -> impl std::future::Future<Output = WebServer> + '_ {
    WebServer::start_on(ip, |req| match req.path.as_str() {
        "/ok" => Reply::status(200).body("fine"),
        _ => Reply::status(404),
    })
}

#[tokio::test]
async fn links_go_through_the_proxy_no_proxy_goes_direct_and_literal_private_targets_go_nowhere() {
    let web = page_server_on("127.0.0.2").await;
    let web_addr: SocketAddr = format!("127.0.0.2:{}", web.port()).parse().unwrap();
    let proxy = ForwardProxy::start(&[], web_addr).await;
    let cfg = CheckConfig {
        retries: 0,
        timeout_secs: 5,
        ..CheckConfig::default()
    };
    let c = Checker::builder(&cfg)
        .proxy(settings(&[
            ("http_proxy", format!("http://proxy.test:{}", proxy.port())),
            ("NO_PROXY", "direct.test".into()),
        ]))
        .private_ranges(ranges())
        // The proxy's name resolves to a private (loopback) address.
        .resolve_override(
            "proxy.test",
            format!("127.0.0.1:{}", proxy.port()).parse().unwrap(),
        )
        .resolve_override("direct.test", web_addr)
        .build()
        .unwrap();
    let urls = [
        "http://site.test/ok".to_string(),
        "http://site.test/missing".into(),
        format!("http://direct.test:{}/ok", web.port()),
        format!("http://127.0.0.1:{}/ok", proxy.port()),
        "http://169.254.169.254/latest/meta-data/".into(),
        "http://10.1.2.3/admin".into(),
    ];
    let r = check_all(&c, &urls).await;
    let statuses: Vec<Status> = r.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [
            Status::Ok,
            Status::Broken,
            Status::Ok,
            Status::Excluded,
            Status::Excluded,
            Status::Excluded
        ],
        "{r:#?}"
    );
    let mut seen = proxy.forwarded();
    seen.sort();
    assert_eq!(
        seen,
        ["GET http://site.test/missing", "GET http://site.test/ok"]
    );
    // NO_PROXY: direct.test reached the server itself, not via the proxy.
    assert_eq!(web.max_in_flight_host("direct.test"), 1);
    assert_eq!(web.hits("/ok"), 2);
    assert!(r[3].error.contains("private address"), "{}", r[3].error);
}

#[tokio::test]
async fn names_are_resolved_by_the_proxy_so_the_guard_cannot_see_them() {
    // What the README says: behind a proxy, a name that resolves to a
    // private address is the proxy's to refuse; only literal addresses and
    // `localhost` names are stopped here.
    let web = page_server_on("127.0.0.2").await;
    let web_addr: SocketAddr = format!("127.0.0.2:{}", web.port()).parse().unwrap();
    let proxy = ForwardProxy::start(&[], web_addr).await;
    let cfg = CheckConfig {
        retries: 0,
        timeout_secs: 5,
        ..CheckConfig::default()
    };
    let proxied = settings(&[("HTTP_PROXY", format!("http://127.0.0.1:{}", proxy.port()))]);
    let build = |p: ProxySettings| {
        Checker::builder(&cfg)
            .proxy(p)
            .private_ranges(ranges())
            .resolve_override(
                "inside.test",
                format!("127.0.0.1:{}", web.port()).parse().unwrap(),
            )
            .build()
            .unwrap()
    };
    let urls = [
        "http://inside.test/ok".to_string(),
        "http://localhost/ok".into(),
    ];
    let direct = check_all(&build(ProxySettings::default()), &urls).await;
    assert_eq!(direct[0].status, Status::Excluded, "{:?}", direct[0]);
    assert!(
        direct[0].error.contains("non-public"),
        "{}",
        direct[0].error
    );
    assert_eq!(direct[1].status, Status::Excluded);
    let via = check_all(&build(proxied), &urls).await;
    assert_eq!(via[0].status, Status::Ok, "{:?}", via[0]);
    assert_eq!(via[1].status, Status::Excluded);
    assert_eq!(proxy.forwarded(), ["GET http://inside.test/ok"]);
}

#[tokio::test]
async fn https_links_are_tunnelled_with_connect() {
    let tls = WebServer::start_tls(|_| Reply::status(200)).await;
    let tls_addr: SocketAddr = format!("127.0.0.1:{}", tls.port()).parse().unwrap();
    let proxy = ForwardProxy::start(&[("secure.test", tls_addr)], tls_addr).await;
    let cfg = CheckConfig {
        retries: 0,
        timeout_secs: 5,
        ..CheckConfig::default()
    };
    let c = Checker::builder(&cfg)
        .proxy(settings(&[(
            "HTTPS_PROXY",
            format!("http://127.0.0.1:{}", proxy.port()),
        )]))
        .build()
        .unwrap();
    let r = check_all(&c, &["https://secure.test/page".to_string()]).await;
    assert_eq!(proxy.forwarded(), ["CONNECT secure.test:443"]);
    // The tunnel reached the server and TLS ran end to end through it: the
    // test server's self-signed certificate is refused, as it is directly.
    assert_eq!(tls.connections(), 1);
    assert_eq!(r[0].status, Status::NetworkError, "{:?}", r[0]);
    assert!(r[0].error.contains("TLS"), "{}", r[0].error);
}

/// The binary, with the proxy variables of the test's choosing only (the
/// shared hermetic command, without the machine's `NO_PROXY` either).
fn paperlinks(vars: &[(&str, String)]) -> assert_cmd::Command {
    let mut cmd = support::cmd::paperlinks();
    cmd.env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .env("GITHUB_TOKEN", "ghp_proxy_test_token");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd
}

fn links_csv(dir: &std::path::Path) -> HashMap<String, String> {
    let mut r = csv::Reader::from_path(dir.join("reports/links.csv")).unwrap();
    r.records()
        .map(|r| r.unwrap())
        .map(|r| (r[4].to_string(), r[6].to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_binary_sends_links_remote_inputs_and_api_calls_through_the_proxy() {
    let list = "# A paper\n\nCode: http://site.test/ok and https://github.com/org/repo\n\
                Admin: http://127.0.0.1:9/private\n";
    let web = WebServer::start_on("127.0.0.2", move |req| match req.path.as_str() {
        "/list.md" => Reply::status(200)
            .header("content-type", "text/markdown")
            .body(list),
        "/ok" => Reply::status(200),
        _ => Reply::status(404),
    })
    .await;
    let web_addr: SocketAddr = format!("127.0.0.2:{}", web.port()).parse().unwrap();
    let fake = FakeGithub::start(vec![FakeRepo::new("org/repo")]).await;
    let api_addr = *fake.server.address();
    let proxy = ForwardProxy::start(&[("api.test", api_addr)], web_addr).await;
    let proxy_url = format!("http://127.0.0.1:{}", proxy.port());

    for (run, vars, config_proxy) in [
        // The variables alone (lowercase form).
        (
            "env",
            vec![("http_proxy", proxy_url.clone())],
            String::new(),
        ),
        // `[check] proxy` overrides a variable naming a dead proxy.
        (
            "config",
            vec![("HTTP_PROXY", "http://127.0.0.1:9".to_string())],
            format!("proxy = \"{proxy_url}\""),
        ),
    ] {
        let before = proxy.forwarded().len();
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("config.toml");
        std::fs::write(
            &cfg,
            format!(
                "output_dir = \"{}\"\n[check]\ntimeout_secs = 5\nretries = 0\n{config_proxy}\n\
                 [github]\napi_url = \"http://api.test\"\n",
                dir.path().join("reports").display()
            ),
        )
        .unwrap();
        let out = paperlinks(&vars)
            .args(["check", "--config"])
            .arg(&cfg)
            .arg("http://lists.test/list.md")
            .timeout(HANG_GUARD)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{run}: {stderr}");
        let links = links_csv(dir.path());
        assert_eq!(links["http://site.test/ok"], "ok", "{run}");
        assert_eq!(links["https://github.com/org/repo"], "ok", "{run}");
        assert_eq!(links["http://127.0.0.1:9/private"], "excluded", "{run}");
        let mut seen: Vec<String> = proxy.forwarded()[before..].to_vec();
        seen.sort();
        assert_eq!(
            seen,
            [
                "GET http://lists.test/list.md",
                "GET http://site.test/ok",
                "POST http://api.test/graphql"
            ],
            "{run}"
        );
    }
    assert_eq!(fake.graphql_calls(), 2);
    assert!(proxy.count("127.0.0.1") == 0);
}
