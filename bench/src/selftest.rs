//! The harness self-test: starts the simulator in-process and checks every
//! answer kind, the per-host in-flight peak, the github.com rate limit and
//! the API stand-in's GraphQL/REST shapes over real loopback sockets.
//!
//! Owns no benchmark logic; never measures time beyond coarse bounds of
//! the simulator's own configuration.

use crate::rawhttp::{RawResponse, request};
use crate::sim::{self, API_IP, GITHUB_IP, SimConfig, web_index, web_ip};
use anyhow::{Result, ensure};
use serde_json::{Value, json};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

fn get(ip: Ipv4Addr, port: u16, method: &str, path: &str) -> Result<RawResponse> {
    Ok(request(
        SocketAddr::from((ip, port)),
        method,
        path,
        &[],
        b"",
        Duration::from_secs(5),
    )?)
}

fn stats(port: u16) -> Result<Value> {
    Ok(serde_json::from_slice(
        &get(API_IP, port, "GET", "/__sim/stats")?.body,
    )?)
}

pub fn run() -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let cfg = SimConfig {
        hosts: 3,
        latency: Duration::from_millis(150),
        github_latency: Duration::ZERO,
        api_latency: Duration::ZERO,
        github_rate: 10,
        github_retry_after: 1,
        max_secs: 60,
        ..Default::default()
    };
    let (port, stop) = rt.block_on(sim::start_in_process(cfg))?;
    let h0 = web_ip(0);
    ensure!(web_index(h0) == Some(0));

    // Answer kinds.
    let cases: &[(&str, &str, u16)] = &[
        ("GET", "/ok/a", 200),
        ("HEAD", "/ok/a", 200),
        ("GET", "/404/a", 404),
        ("GET", "/410/a", 410),
        ("GET", "/403/a", 403),
        ("GET", "/500/a", 500),
        ("HEAD", "/head405/a", 405),
        ("GET", "/head405/a", 200),
        ("GET", "/r301/2/a", 301),
        ("GET", "/r301/1/a", 301),
        ("GET", "/r301/0/a", 200),
        ("GET", "/r302/1/a", 302),
        ("GET", "/r429/a", 429),
        ("GET", "/r429/a", 200),
        ("GET", "/flaky/a", 503),
        ("HEAD", "/flaky/a", 200),
        ("GET", "/nothing", 404),
    ];
    for (m, p, want) in cases {
        let r = get(h0, port, m, p)?;
        ensure!(r.status == *want, "{m} {p}: {} != {want}", r.status);
    }
    ensure!(get(h0, port, "GET", "/r301/2/a")?.header("location") == Some("/r301/1/a"));
    ensure!(get(h0, port, "GET", "/r429/b")?.header("retry-after") == Some("1"));
    // /r429 and /flaky state is per host.
    ensure!(get(web_ip(1), port, "GET", "/r429/a")?.status == 429);

    // /hang never answers: the client times out.
    let hang = request(
        SocketAddr::from((h0, port)),
        "GET",
        "/hang/x",
        &[],
        b"",
        Duration::from_millis(400),
    );
    ensure!(hang.is_err(), "/hang answered");

    // Peak in flight per host: 4 parallel requests to host 2, 1 to host 1.
    get(API_IP, port, "GET", "/__sim/reset")?;
    let handles: Vec<_> = (0..4)
        .map(|i| {
            std::thread::spawn(move || {
                get(web_ip(2), port, "GET", &format!("/ok/{i}")).map(|r| r.status)
            })
        })
        .collect();
    get(web_ip(1), port, "GET", "/ok/z")?;
    for h in handles {
        ensure!(h.join().unwrap()? == 200);
    }
    let s = stats(port)?;
    let per = &s["web"]["per_host"];
    ensure!(per[2]["requests"] == 4 && per[1]["requests"] == 1, "{s}");
    ensure!(
        per[2]["peak_in_flight"] == 4,
        "peak {}",
        per[2]["peak_in_flight"]
    );
    ensure!(per[1]["peak_in_flight"] == 1);
    ensure!(s["web"]["requests"] == 5);

    // github.com stand-in: 10 per second, then 429 with Retry-After.
    get(API_IP, port, "GET", "/__sim/reset")?;
    let mut codes = Vec::new();
    for i in 0..15 {
        codes.push(get(GITHUB_IP, port, "GET", &format!("/o/r{i}"))?.status);
    }
    let limited = codes.iter().filter(|&&c| c == 429).count();
    // The burst may straddle a second boundary: at least 15-20 pass.
    ensure!((1..=5).contains(&limited), "github 429s: {codes:?}");
    std::thread::sleep(Duration::from_millis(1100));
    ensure!(get(GITHUB_IP, port, "GET", "/o/gone-x")?.status == 404);
    ensure!(get(GITHUB_IP, port, "GET", "/o/old-x")?.header("location") == Some("/o/new-x"));
    ensure!(get(GITHUB_IP, port, "GET", "/o/x/tree/main/src")?.status == 200);
    let s = stats(port)?;
    ensure!(s["github_pages"]["rate_limited"].as_u64() == Some(limited as u64));
    ensure!(s["github_pages"]["deep_pages"] == 1, "{s}");

    // API stand-in: GraphQL batch with a NOT_FOUND alias and a rename.
    get(API_IP, port, "GET", "/__sim/reset")?;
    let q = json!({"query": "query { rateLimit { remaining resetAt cost }\n r0: repository(owner: \"a\", name: \"b\") { ...R }\n r1: repository(owner: \"a\", name: \"gone-c\") { ...R }\n r2: repository(owner: \"a\", name: \"old-d\") { ...R } }\nfragment R on Repository { nameWithOwner }"});
    let r = request(
        SocketAddr::from((API_IP, port)),
        "POST",
        "/graphql",
        &[
            ("authorization", "bearer SENTINEL"),
            ("content-type", "application/json"),
        ],
        q.to_string().as_bytes(),
        Duration::from_secs(5),
    )?;
    ensure!(r.status == 200);
    ensure!(r.header("x-ratelimit-remaining").is_some());
    let v: Value = serde_json::from_slice(&r.body)?;
    ensure!(v["data"]["r0"]["nameWithOwner"] == "a/b", "{v}");
    ensure!(v["data"]["r0"]["defaultBranchRef"]["target"]["history"]["totalCount"].is_u64());
    ensure!(v["data"]["r1"].is_null());
    ensure!(
        v["errors"][0]["type"] == "NOT_FOUND" && v["errors"][0]["path"][0] == "r1",
        "{v}"
    );
    ensure!(v["data"]["r2"]["nameWithOwner"] == "a/new-d");
    ensure!(v["data"]["rateLimit"]["remaining"].is_u64());
    // REST: a repository, a missing one, and a rename followed by id.
    ensure!(get(API_IP, port, "GET", "/repos/a/b")?.status == 200);
    ensure!(get(API_IP, port, "GET", "/repos/a/gone-b")?.status == 404);
    let moved = get(API_IP, port, "GET", "/repos/a/old-e")?;
    ensure!(moved.status == 301);
    let loc = moved.header("location").unwrap_or("").to_string();
    let path = loc
        .splitn(4, '/')
        .nth(3)
        .map(|p| format!("/{p}"))
        .unwrap_or_default();
    let renamed: Value = serde_json::from_slice(&get(API_IP, port, "GET", &path)?.body)?;
    ensure!(renamed["full_name"] == "a/new-e", "{renamed}");
    let s = stats(port)?;
    ensure!(
        s["api"]["graphql"] == 1 && s["api"]["graphql_aliases"] == 3 && s["api"]["rest"] == 4,
        "{s}"
    );
    ensure!(s["api"]["with_token"] == 1);
    ensure!(!r.text().contains("SENTINEL"));

    // Scenario 6's forge stand-ins (Hugging Face, GitLab, Codeberg, Gitee).
    crate::forges::selftest(port)?;

    let _ = stop.send(true);
    rt.shutdown_timeout(Duration::from_millis(100));
    eprintln!(
        "selftest: simulator OK (answer kinds, per-host peaks, github.com rate limit, GraphQL/REST stand-in, forge stand-ins)"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn simulator_self_test() {
        super::run().unwrap();
    }
}
