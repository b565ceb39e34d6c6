//! One set of clients per run (issue 21 item 1): every client of a run
//! (remote inputs, both check rounds, the archive stage) resolves names
//! through one cache, so a name is looked up once per run however many
//! stages ask for it. The round tests for `[forges] max_calls` and a
//! GitHub 401 live beside their stand-ins (`forges.rs`, `github.rs`).

use crate::support::web::{Reply, WebServer};
use paperlinks::Config;
use paperlinks::pipeline::{DnsLookup, Exit};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// Every stage of a run asks for `web.localhost`: the remote input, a
/// project page (first round), the repository found on it (second round,
/// remapped to the same name) and a dead code link's archive lookups. The
/// counting resolver sees the name once.
#[tokio::test]
async fn a_name_is_looked_up_once_per_run_across_every_stage() {
    let archive_hits = Arc::new(AtomicUsize::new(0));
    let seen = archive_hits.clone();
    let web = WebServer::start(move |req| match req.path.as_str() {
        "/list.md" => Reply::status(200).body(
            "# A paper with a project page\n\n\
             Project: http://web.localhost/page\n\n\
             # A paper with dead code\n\n\
             Code: http://web.localhost/dead\n",
        ),
        "/page" => Reply::status(200)
            .header("content-type", "text/html")
            .body(r#"<html><body><a href="https://github.com/owner/found">code</a></body></html>"#),
        p if p.starts_with("/wayback") || p.starts_with("/api/1") || p.starts_with("/cdx") => {
            seen.fetch_add(1, Ordering::SeqCst);
            Reply::status(200)
                .header("content-type", "application/json")
                .body(r#"{"archived_snapshots":{}}"#)
        }
        "/owner/found" => Reply::status(200).body("a repository"),
        _ => Reply::status(404),
    })
    .await;
    let port = web.port();

    let lookups: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let counted = lookups.clone();
    let lookup: paperlinks::check::Lookup = Arc::new(move |name: &str| {
        *counted.lock().unwrap().entry(name.to_string()).or_default() += 1;
        if name == "web.localhost" {
            Ok(vec![SocketAddr::from(([127, 0, 0, 1], port))])
        } else {
            Err(format!("{name}: not a name of this test"))
        }
    });

    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        inputs: vec![format!("http://web.localhost:{port}/list.md")],
        output_dir: dir.path().join("reports"),
        ..Config::default()
    };
    config.github.enabled = false;
    config.check.allow_private = true;
    config.check.retries = 0;
    // Links without a port go to the test server, under the same name; the
    // repository found on the page (second round) too.
    config.check.remap = vec![
        format!("^http://web\\.localhost/(.*)$ http://web.localhost:{port}/$1"),
        format!("^https://github\\.com/(.*)$ http://web.localhost:{port}/$1"),
    ];
    config.archive.swh_api_url = format!("http://web.localhost:{port}");
    config.archive.wayback_api_url = format!("http://web.localhost:{port}");

    let mut options = paperlinks::RunOptions::new(config);
    options.dns_lookup = Some(DnsLookup(lookup));
    let mut out = Vec::new();
    let exit = paperlinks::pipeline::run(options, CancellationToken::new(), &mut out)
        .await
        .unwrap();
    let out = String::from_utf8_lossy(&out);
    assert_eq!(exit, Exit::Failures, "the dead code link fails: {out}");

    // Every stage asked.
    assert_eq!(web.hits("/list.md"), 1, "remote input");
    assert!(web.hits("/page") >= 1, "first round");
    assert!(web.hits("/owner/found") >= 1, "second round");
    assert!(
        archive_hits.load(Ordering::SeqCst) >= 1,
        "archive stage: {out}"
    );
    // One lookup for the whole run.
    let lookups = lookups.lock().unwrap().clone();
    assert_eq!(
        lookups,
        HashMap::from([("web.localhost".to_string(), 1)]),
        "one DNS lookup per name per run"
    );
}
