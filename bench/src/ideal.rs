//! The ideal client (`ideal-client`): the least a checker can do on the
//! simulated web with the same HTTP stack as paperlinks (reqwest over
//! hyper) and the same limits. One GET per URL, the body read and thrown
//! away, no classification, no reports; `max_concurrency` slot tasks
//! that each take their next job themselves the moment an answer is in,
//! at most `max_per_host` on a host, hosts drained in order of first
//! appearance. It is run like a tool (`run --ideal-client`) so the
//! simulator's in-flight count for it is the ceiling of "busy slots" on
//! this machine: what the sockets, both HTTP stacks and the simulator's
//! own thread leave to any client.
//!
//! Owns its own tiny scheduler only; never reads paperlinks' code and
//! never talks to anything but the loopback URLs it is given.

use anyhow::{Context, Result};
use serde_json::json;
use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// Jobs by host, and which hosts still have some, in order of first
/// appearance.
struct Queues {
    hosts: Vec<Host>,
    with_jobs: VecDeque<usize>,
    left: usize,
}

struct Host {
    urls: VecDeque<String>,
    in_flight: usize,
}

impl Queues {
    fn new(urls: impl IntoIterator<Item = String>) -> Queues {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut q = Queues {
            hosts: Vec::new(),
            with_jobs: VecDeque::new(),
            left: 0,
        };
        for url in urls {
            let host = url
                .split("://")
                .nth(1)
                .and_then(|rest| rest.split('/').next())
                .unwrap_or("")
                .to_string();
            let next = q.hosts.len();
            let h = *index.entry(host).or_insert(next);
            if h == next {
                q.hosts.push(Host {
                    urls: VecDeque::new(),
                    in_flight: 0,
                });
                q.with_jobs.push_back(h);
            }
            q.hosts[h].urls.push_back(url);
            q.left += 1;
        }
        q
    }

    /// The next URL a slot may start, taking its host slot: the first host
    /// (in order of appearance) with jobs and a free slot.
    fn take(&mut self, max_per_host: usize) -> Option<(usize, String)> {
        let at = self
            .with_jobs
            .iter()
            .position(|&h| self.hosts[h].in_flight < max_per_host)?;
        let h = self.with_jobs[at];
        let host = &mut self.hosts[h];
        let url = host.urls.pop_front()?;
        host.in_flight += 1;
        if host.urls.is_empty() {
            self.with_jobs.remove(at);
        }
        self.left -= 1;
        Some((h, url))
    }
}

/// Checks every URL in `urls_file` (one per line) and prints a JSON line
/// on stderr (the driver's log of the run; stdout is not kept):
/// requests, failures, seconds, the client-side mean in flight and the
/// client-side mean request time.
pub fn run(urls_file: &Path, max_concurrency: usize, max_per_host: usize) -> Result<()> {
    let text = std::fs::read_to_string(urls_file)
        .with_context(|| format!("reading {}", urls_file.display()))?;
    let queues = Queues::new(text.lines().filter(|l| !l.is_empty()).map(String::from));
    let total = queues.left;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let client = reqwest::Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        // As paperlinks' pool (src/check/client.rs): hosts are drained a
        // few at a time, so idle connections are closed soon.
        .pool_max_idle_per_host(max_per_host.max(1))
        .pool_idle_timeout(Duration::from_millis(500))
        .timeout(Duration::from_secs(10))
        .build()?;
    let stats = Arc::new(Stats::default());
    let began = Instant::now();
    rt.block_on(slots(
        client,
        Arc::new(Mutex::new(queues)),
        (max_concurrency.max(1), max_per_host.max(1)),
        stats.clone(),
    ));
    let secs = began.elapsed().as_secs_f64();
    let busy = stats.busy_us.load(Relaxed) as f64 / 1e6;
    eprintln!(
        "{}",
        json!({
            "requests": total,
            "failed": stats.failed.load(Relaxed),
            "secs": secs,
            "client_mean_in_flight": busy / secs,
            "client_mean_request_ms": busy * 1e3 / total.max(1) as f64,
        })
    );
    Ok(())
}

#[derive(Default)]
struct Stats {
    /// Sum of request times (send to body read), in microseconds.
    busy_us: AtomicU64,
    failed: AtomicU64,
}

/// Runs the slot tasks until every URL is answered.
async fn slots(
    client: reqwest::Client,
    queues: Arc<Mutex<Queues>>,
    (max_concurrency, max_per_host): (usize, usize),
    stats: Arc<Stats>,
) {
    let freed = Arc::new(Notify::new());
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..max_concurrency {
        let (client, queues, freed, stats) =
            (client.clone(), queues.clone(), freed.clone(), stats.clone());
        tasks.spawn(async move {
            loop {
                let job = {
                    let mut q = queues.lock().unwrap();
                    if q.left == 0 {
                        return;
                    }
                    q.take(max_per_host)
                };
                // Every host with jobs is at its limit: wait for a slot (a
                // wake-up can be missed between the look and the wait, so
                // the wait is also bounded).
                let Some((h, url)) = job else {
                    let _ = tokio::time::timeout(Duration::from_millis(20), freed.notified()).await;
                    continue;
                };
                let at = Instant::now();
                let ok = match client.get(&url).send().await {
                    Ok(r) => r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                stats
                    .busy_us
                    .fetch_add(at.elapsed().as_micros() as u64, Relaxed);
                if !ok {
                    stats.failed.fetch_add(1, Relaxed);
                }
                let done = {
                    let mut q = queues.lock().unwrap();
                    q.hosts[h].in_flight -= 1;
                    q.left == 0
                };
                if done {
                    freed.notify_waiters();
                } else {
                    freed.notify_one();
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_drained_in_order_of_appearance_within_their_limit() {
        let urls = [
            "http://a/1",
            "http://b/1",
            "http://a/2",
            "http://a/3",
            "http://c/1",
        ];
        let mut q = Queues::new(urls.map(String::from));
        let take = |q: &mut Queues| q.take(2).map(|(_, u)| u);
        assert_eq!(take(&mut q).as_deref(), Some("http://a/1"));
        assert_eq!(take(&mut q).as_deref(), Some("http://a/2"));
        // a is at its limit of 2: b, then c.
        assert_eq!(take(&mut q).as_deref(), Some("http://b/1"));
        assert_eq!(take(&mut q).as_deref(), Some("http://c/1"));
        assert_eq!(take(&mut q), None);
        q.hosts[0].in_flight -= 1;
        assert_eq!(take(&mut q).as_deref(), Some("http://a/3"));
        assert_eq!(q.left, 0);
    }
}
