//! A server that closes its keep-alive connections right after answering,
//! without `Connection: close` (common with short keep-alive timeouts), on
//! 127.0.0.1 only.
//!
//! It answers the first request of each connection, keeps the connection
//! looking alive, and closes it (with a FIN or a reset) as soon as a second
//! request arrives on it, unanswered: the worst case of the race in which a
//! client reuses a pooled connection the server has just given up. It
//! counts the requests it answered and those it dropped that way.

use super::web::Reply;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// How a connection is given up.
#[derive(Clone, Copy, Debug)]
pub enum Close {
    /// A normal close: "connection closed before message completed".
    Fin,
    /// A TCP reset: "connection reset by peer".
    Reset,
}

#[derive(Default)]
struct Counts {
    answered: AtomicUsize,
    dropped: AtomicUsize,
}

pub struct ClosingServer {
    pub addr: SocketAddr,
    counts: Arc<Counts>,
    task: JoinHandle<()>,
}

impl Drop for ClosingServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type Handler = Arc<dyn Fn(&str) -> Reply + Send + Sync>;

impl ClosingServer {
    /// `handler` maps a request path to the reply (only `Reply::Response`
    /// is supported; its delay is ignored).
    pub async fn start(
        close: Close,
        handler: impl Fn(&str) -> Reply + Send + Sync + 'static,
    ) -> ClosingServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().unwrap();
        let counts = Arc::new(Counts::default());
        let handler: Handler = Arc::new(handler);
        let c = counts.clone();
        let task = tokio::spawn(async move {
            let mut conns = tokio::task::JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                conns.spawn(serve(stream, close, c.clone(), handler.clone()));
                while conns.try_join_next().is_some() {}
            }
        });
        ClosingServer { addr, counts, task }
    }

    /// `http://ADDR{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn answered(&self) -> usize {
        self.counts.answered.load(Ordering::SeqCst)
    }

    /// Requests that arrived on a connection already answered once and were
    /// dropped unanswered.
    pub fn dropped(&self) -> usize {
        self.counts.dropped.load(Ordering::SeqCst)
    }
}

/// The request line's path, after reading the whole head; `None` at EOF.
async fn read_head(reader: &mut BufReader<TcpStream>) -> Option<String> {
    let mut path = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            if path.is_some() {
                return path;
            }
            continue;
        }
        if path.is_none() {
            path = Some(line.split_whitespace().nth(1)?.to_string());
        }
    }
}

async fn serve(stream: TcpStream, close: Close, counts: Arc<Counts>, handler: Handler) {
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(stream);
    let Some(path) = read_head(&mut reader).await else {
        return;
    };
    let Reply::Response {
        status,
        headers,
        body,
        ..
    } = handler(&path)
    else {
        panic!("ClosingServer supports Reply::Response only");
    };
    let mut out = format!("HTTP/1.1 {status} Whatever\r\n");
    for (k, v) in &headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&body);
    let w = reader.get_mut();
    if w.write_all(&bytes).await.is_err() || w.flush().await.is_err() {
        return;
    }
    counts.answered.fetch_add(1, Ordering::SeqCst);
    // The connection looks alive until the next request arrives on it.
    if read_head(&mut reader).await.is_some() {
        counts.dropped.fetch_add(1, Ordering::SeqCst);
        if let Close::Reset = close {
            let _ = reader.get_ref().set_zero_linger();
        }
    }
}
