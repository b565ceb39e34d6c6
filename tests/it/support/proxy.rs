//! A forward HTTP proxy for the proxy tests (127.0.0.1 only).
//!
//! Plain HTTP: reads an absolute-form request (`GET http://host/path
//! HTTP/1.1`), sends it in origin form to the upstream for that host, with
//! `Connection: close`, and relays the answer (marked `Connection: close`),
//! then closes. `CONNECT host:port`: answers 200 and tunnels bytes to the
//! upstream for that host (TLS passes through untouched). Hosts are mapped
//! to upstream addresses by a table (every name resolves here, as a real
//! proxy would resolve it); a host not in the table goes to `default`.
//! Records every request it forwarded ("GET http://host:port/path",
//! "CONNECT host:port").

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub struct ForwardProxy {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl Drop for ForwardProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Routes {
    table: HashMap<String, SocketAddr>,
    default: SocketAddr,
}

impl Routes {
    fn upstream(&self, host: &str) -> SocketAddr {
        *self
            .table
            .get(&host.to_ascii_lowercase())
            .unwrap_or(&self.default)
    }
}

impl ForwardProxy {
    /// Listens on 127.0.0.1; `routes` maps host names to upstreams.
    pub async fn start(routes: &[(&str, SocketAddr)], default: SocketAddr) -> ForwardProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().unwrap();
        let routes = Arc::new(Routes {
            table: routes
                .iter()
                .map(|(h, a)| (h.to_ascii_lowercase(), *a))
                .collect(),
            default,
        });
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                tokio::spawn(serve(stream, routes.clone(), s.clone()));
            }
        });
        ForwardProxy { addr, seen, task }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every request forwarded so far.
    pub fn forwarded(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }

    /// Forwarded requests whose target mentions `needle`.
    pub fn count(&self, needle: &str) -> usize {
        self.forwarded()
            .iter()
            .filter(|s| s.contains(needle))
            .count()
    }
}

/// Reads a head up to the blank line; `None` at EOF.
async fn read_head<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R) -> Option<Vec<String>> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        if line.is_empty() {
            return Some(lines);
        }
        lines.push(line);
    }
}

async fn serve(stream: TcpStream, routes: Arc<Routes>, seen: Arc<Mutex<Vec<String>>>) {
    let mut client = BufReader::new(stream);
    let Some(head) = read_head(&mut client).await else {
        return;
    };
    let mut parts = head[0].split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if method == "CONNECT" {
        seen.lock().unwrap().push(format!("CONNECT {target}"));
        let host = target.rsplit_once(':').map_or(target, |(h, _)| h);
        let Ok(mut up) = TcpStream::connect(routes.upstream(host)).await else {
            let _ = client
                .get_mut()
                .write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n")
                .await;
            return;
        };
        let _ = client
            .get_mut()
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await;
        let _ = tokio::io::copy_bidirectional(&mut client, &mut up).await;
        return;
    }
    let Ok(url) = url::Url::parse(target) else {
        let _ = client
            .get_mut()
            .write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
            .await;
        return;
    };
    seen.lock().unwrap().push(format!("{method} {target}"));
    let host = url.host_str().unwrap_or("").to_string();
    let Ok(mut up) = TcpStream::connect(routes.upstream(&host)).await else {
        return;
    };
    let origin = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    let mut out = format!("{method} {origin} HTTP/1.1\r\n");
    let mut body_len = 0usize;
    for h in &head[1..] {
        let name = h
            .split(':')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if matches!(
            name.as_str(),
            "connection" | "proxy-connection" | "keep-alive"
        ) {
            continue;
        }
        if name == "content-length" {
            body_len = h
                .split(':')
                .nth(1)
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
        }
        out.push_str(h);
        out.push_str("\r\n");
    }
    out.push_str("Connection: close\r\n\r\n");
    let mut body = vec![0; body_len];
    if client.read_exact(&mut body).await.is_err() || up.write_all(out.as_bytes()).await.is_err() {
        return;
    }
    let _ = up.write_all(&body).await;
    relay_answer(up, client.get_mut()).await;
}

/// Copies the upstream answer to the client, its head marked
/// `Connection: close`, then closes.
async fn relay_answer(up: TcpStream, client: &mut TcpStream) {
    let mut up = BufReader::new(up);
    let Some(head) = read_head(&mut up).await else {
        return;
    };
    let mut out = String::new();
    for h in head {
        if !h.to_ascii_lowercase().starts_with("connection:") {
            out.push_str(&h);
            out.push_str("\r\n");
        }
    }
    out.push_str("Connection: close\r\n\r\n");
    if client.write_all(out.as_bytes()).await.is_ok() {
        let _ = tokio::io::copy(&mut up, client).await;
    }
    let _ = client.shutdown().await;
}
