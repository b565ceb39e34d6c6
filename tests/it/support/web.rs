//! A local web server for the link-checking tests (127.0.0.1 only).
//!
//! A small hand-written HTTP/1.1 server on a tokio `TcpListener`, so tests
//! can also misbehave on purpose (never answer, drip, reset, send garbage,
//! stream an endless body) and can count what the client did: requests per
//! path and method, and the peak number of requests in flight overall and
//! per `Host`. It stops when the `WebServer` is dropped.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the client sent (the head only).
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// The `Host` header without its port, lowercase.
    pub host: String,
    pub headers: Vec<(String, String)>,
}

/// What the server does with a request.
#[derive(Clone, Debug)]
pub enum Reply {
    Response {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        delay: Duration,
    },
    /// Reads the request and never answers (holds the connection open).
    NeverAnswer,
    /// Starts a status line, then sends one byte of headers every 200 ms.
    DripHeaders,
    /// Full headers announcing `len` bytes, then one byte every 200 ms.
    DripBody { len: u64 },
    /// 200 with an endless body (chunked, or a 10 GB Content-Length),
    /// written as fast as the client reads it.
    EndlessBody { chunked: bool, gzip: bool },
    /// Half a header block, then the connection is reset.
    ResetMidHeaders,
    /// Bytes that are not HTTP, then close.
    Garbage,
    /// An HTTP/1.0 answer without keep-alive; the server closes after it.
    Http10 { status: u16, body: Vec<u8> },
}

impl Reply {
    pub fn status(status: u16) -> Reply {
        Reply::Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply::status(status).header("Location", location)
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Response { headers, .. } = &mut self {
            headers.push((name.to_string(), value.to_string()));
        }
        self
    }

    pub fn body(mut self, text: &str) -> Reply {
        if let Reply::Response { body, .. } = &mut self {
            *body = text.as_bytes().to_vec();
        }
        self
    }

    pub fn delay(mut self, d: Duration) -> Reply {
        if let Reply::Response { delay, .. } = &mut self {
            *delay = d;
        }
        self
    }
}

type Handler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

#[derive(Default)]
struct Stats {
    requests: AtomicUsize,
    hits: Mutex<HashMap<(String, String), usize>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    host_in_flight: Mutex<HashMap<String, (usize, usize)>>,
    early_closes: AtomicUsize,
    connections: AtomicUsize,
}

/// Counts a request as in flight until dropped.
struct InFlight {
    stats: Arc<Stats>,
    host: String,
}

impl InFlight {
    fn new(stats: &Arc<Stats>, host: &str) -> InFlight {
        let now = stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        stats.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let mut hosts = stats.host_in_flight.lock().unwrap();
        let e = hosts.entry(host.to_string()).or_default();
        e.0 += 1;
        e.1 = e.1.max(e.0);
        InFlight {
            stats: stats.clone(),
            host: host.to_string(),
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.stats.in_flight.fetch_sub(1, Ordering::SeqCst);
        if let Some(e) = self
            .stats
            .host_in_flight
            .lock()
            .unwrap()
            .get_mut(&self.host)
        {
            e.0 -= 1;
        }
    }
}

pub struct WebServer {
    pub addr: SocketAddr,
    stats: Arc<Stats>,
    task: JoinHandle<()>,
}

impl Drop for WebServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A self-signed certificate for `localhost`/127.0.0.1 (valid until 2126),
/// made once with `openssl req -x509 -newkey ec ...`. Test use only.
const SELF_SIGNED_CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUOOv8D3yVAL+QCGPmOBhUhyHkU30wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNjIyMzk0MloYDzIxMjYxMTAy
MjIzOTQyWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARYOFUfMbUqNTpaDVGr7gMFEX6wc0IQFxDgigsRMQbV72shB6c1tPQ7
IjzjCTSav41V5RvqddOp6/FoNyEJowyMo28wbTAdBgNVHQ4EFgQUX1YBozM+Myoc
6GLoIFgocXb5ATQwHwYDVR0jBBgwFoAUX1YBozM+Myoc6GLoIFgocXb5ATQwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDSAAwRQIgOsI6YQA4oja8zXbvkV0aMXyCNVooktzYlQCXHzwwZL4CIQDZ
Fdd5bhbSHtWQDLajzd1mSxsVYEefiAH2iStOJ+5XqQ==
-----END CERTIFICATE-----
";
const SELF_SIGNED_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgTt74hPfhLHI09y+V
gRtUoE9wIhUUCA8+Kcs9Qmd5yrShRANCAARYOFUfMbUqNTpaDVGr7gMFEX6wc0IQ
FxDgigsRMQbV72shB6c1tPQ7IjzjCTSav41V5RvqddOp6/FoNyEJowyM
-----END PRIVATE KEY-----
";

impl WebServer {
    /// Starts on 127.0.0.1 with a free port.
    pub async fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> WebServer {
        WebServer::start_on("127.0.0.1", handler).await
    }

    /// Starts on a loopback address (e.g. "127.0.0.2") with a free port.
    pub async fn start_on(
        ip: &str,
        handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> WebServer {
        WebServer::spawn(ip, Arc::new(handler), false).await
    }

    /// Starts an HTTPS server with a self-signed certificate.
    pub async fn start_tls(
        handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> WebServer {
        WebServer::spawn("127.0.0.1", Arc::new(handler), true).await
    }

    async fn spawn(ip: &str, handler: Handler, tls: bool) -> WebServer {
        let ip: std::net::IpAddr = ip.parse().expect("an IP address");
        assert!(ip.is_loopback(), "test servers listen on loopback only");
        let listener = TcpListener::bind((ip, 0)).await.expect("bind test server");
        let addr = listener.local_addr().unwrap();
        let stats = Arc::new(Stats::default());
        let acceptor = tls.then(tls_acceptor);
        let st = stats.clone();
        let task = tokio::spawn(async move {
            let mut conns = tokio::task::JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                st.connections.fetch_add(1, Ordering::SeqCst);
                let _ = stream.set_nodelay(true);
                let (st, handler, acceptor) = (st.clone(), handler.clone(), acceptor.clone());
                conns.spawn(async move {
                    match acceptor {
                        None => serve(stream, st, handler).await,
                        Some(acc) => {
                            if let Ok(Ok(tls)) =
                                tokio::time::timeout(Duration::from_secs(5), acc.accept(stream))
                                    .await
                            {
                                serve_stream(tls, st, handler).await;
                            }
                        }
                    }
                });
                while conns.try_join_next().is_some() {}
            }
        });
        WebServer { addr, stats, task }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://ADDR{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn requests(&self) -> usize {
        self.stats.requests.load(Ordering::SeqCst)
    }

    pub fn connections(&self) -> usize {
        self.stats.connections.load(Ordering::SeqCst)
    }

    /// Requests for `path` with any method.
    pub fn hits(&self, path: &str) -> usize {
        self.stats
            .hits
            .lock()
            .unwrap()
            .iter()
            .filter(|((_, p), _)| p == path)
            .map(|(_, n)| n)
            .sum()
    }

    pub fn hits_method(&self, method: &str, path: &str) -> usize {
        *self
            .stats
            .hits
            .lock()
            .unwrap()
            .get(&(method.to_string(), path.to_string()))
            .unwrap_or(&0)
    }

    /// Peak number of requests in flight at once, over all hosts.
    pub fn max_in_flight(&self) -> usize {
        self.stats.max_in_flight.load(Ordering::SeqCst)
    }

    /// Peak number of requests in flight at once with this `Host`.
    pub fn max_in_flight_host(&self, host: &str) -> usize {
        self.stats
            .host_in_flight
            .lock()
            .unwrap()
            .get(host)
            .map(|e| e.1)
            .unwrap_or(0)
    }

    /// Peak in flight per `Host`, for every host seen.
    pub fn host_peaks(&self) -> HashMap<String, usize> {
        self.stats
            .host_in_flight
            .lock()
            .unwrap()
            .iter()
            .map(|(h, e)| (h.clone(), e.1))
            .collect()
    }

    /// Endless or dripping bodies whose reader went away before the end.
    pub fn early_closes(&self) -> usize {
        self.stats.early_closes.load(Ordering::SeqCst)
    }
}

fn tls_acceptor() -> tokio_rustls::TlsAcceptor {
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = vec![CertificateDer::from_pem_slice(SELF_SIGNED_CERT.as_bytes()).unwrap()];
    let key = PrivateKeyDer::from_pem_slice(SELF_SIGNED_KEY.as_bytes()).unwrap();
    let config = tokio_rustls::rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("test certificate");
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

async fn serve(stream: TcpStream, stats: Arc<Stats>, handler: Handler) {
    serve_stream(stream, stats, handler).await;
}

/// Streams that can be made to end with a TCP reset instead of a FIN.
trait Resettable {
    fn reset_on_close(&self);
}

impl Resettable for TcpStream {
    fn reset_on_close(&self) {
        let _ = self.set_zero_linger();
    }
}

impl Resettable for tokio_rustls::server::TlsStream<TcpStream> {
    fn reset_on_close(&self) {
        let _ = self.get_ref().0.set_zero_linger();
    }
}

async fn read_head<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> Option<Request> {
    let mut lines = Vec::new();
    let mut total = 0;
    loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line).await.ok()?;
        if n == 0 {
            return None;
        }
        total += n;
        if total > 64 * 1024 {
            return None;
        }
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        if line.is_empty() {
            if lines.is_empty() {
                continue;
            }
            break;
        }
        lines.push(line);
    }
    let mut first = lines[0].split_whitespace();
    let method = first.next()?.to_string();
    let path = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines[1..]
        .iter()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let host = headers
        .iter()
        .find(|(k, _)| k == "host")
        .map(|(_, v)| {
            v.rsplit_once(':')
                .map(|(h, _)| h)
                .unwrap_or(v)
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    Some(Request {
        method,
        path,
        host,
        headers,
    })
}

async fn serve_stream<S: AsyncRead + AsyncWrite + Unpin + Resettable>(
    stream: S,
    stats: Arc<Stats>,
    handler: Handler,
) {
    let mut reader = BufReader::new(stream);
    loop {
        let Some(req) = read_head(&mut reader).await else {
            return;
        };
        if let Some(len) = req
            .headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse::<u64>().ok())
        {
            let mut sink = tokio::io::sink();
            let _ = tokio::io::copy(&mut (&mut reader).take(len), &mut sink).await;
        }
        stats.requests.fetch_add(1, Ordering::SeqCst);
        *stats
            .hits
            .lock()
            .unwrap()
            .entry((req.method.clone(), req.path.clone()))
            .or_default() += 1;
        let _in_flight = InFlight::new(&stats, &req.host);
        let reply = handler(&req);
        let head_only = req.method == "HEAD";
        let close_requested = req
            .headers
            .iter()
            .any(|(k, v)| k == "connection" && v.eq_ignore_ascii_case("close"));
        let w = reader.get_mut();
        match reply {
            Reply::Response {
                status,
                headers,
                body,
                delay,
            } => {
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
                for (k, v) in &headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
                let mut bytes = out.into_bytes();
                if !head_only {
                    bytes.extend_from_slice(&body);
                }
                if w.write_all(&bytes).await.is_err() || w.flush().await.is_err() {
                    return;
                }
                if close_requested {
                    return;
                }
            }
            Reply::NeverAnswer => {
                // Hold the connection until the client goes away.
                let mut buf = [0u8; 1024];
                while let Ok(n) = reader.read(&mut buf).await {
                    if n == 0 {
                        return;
                    }
                }
                return;
            }
            Reply::DripHeaders => {
                if w.write_all(b"HTTP/1.1 200 OK\r\n").await.is_err() {
                    return;
                }
                loop {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    if w.write_all(b"X").await.is_err() || w.flush().await.is_err() {
                        stats.early_closes.fetch_add(1, Ordering::SeqCst);
                        return;
                    }
                }
            }
            Reply::DripBody { len } => {
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {len}\r\n\r\n");
                if w.write_all(head.as_bytes()).await.is_err() || head_only {
                    return;
                }
                for _ in 0..len {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    if w.write_all(b"x").await.is_err() || w.flush().await.is_err() {
                        stats.early_closes.fetch_add(1, Ordering::SeqCst);
                        return;
                    }
                }
                return;
            }
            Reply::EndlessBody { chunked, gzip } => {
                let mut head = String::from("HTTP/1.1 200 OK\r\n");
                if gzip {
                    head.push_str("Content-Encoding: gzip\r\n");
                }
                if chunked {
                    head.push_str("Transfer-Encoding: chunked\r\n\r\n");
                } else {
                    head.push_str("Content-Length: 10000000000\r\n\r\n");
                }
                if w.write_all(head.as_bytes()).await.is_err() || head_only {
                    return;
                }
                let block = vec![0u8; 64 * 1024];
                let chunk_head = format!("{:x}\r\n", block.len());
                // Bounded: 10 GB at most, but the client should leave long before.
                for _ in 0..(10_000_000_000u64 / block.len() as u64) {
                    let ok = if chunked {
                        w.write_all(chunk_head.as_bytes()).await.is_ok()
                            && w.write_all(&block).await.is_ok()
                            && w.write_all(b"\r\n").await.is_ok()
                    } else {
                        w.write_all(&block).await.is_ok()
                    };
                    if !ok {
                        stats.early_closes.fetch_add(1, Ordering::SeqCst);
                        return;
                    }
                }
                return;
            }
            Reply::ResetMidHeaders => {
                let _ = w
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/ht")
                    .await;
                let _ = w.flush().await;
                tokio::time::sleep(Duration::from_millis(20)).await;
                reader.get_ref().reset_on_close();
                return;
            }
            Reply::Garbage => {
                let _ = w
                    .write_all(b"\x16\x03garbage that is not HTTP at all\r\n\r\n\x00\xff")
                    .await;
                let _ = w.flush().await;
                return;
            }
            Reply::Http10 { status, body } => {
                let mut bytes = format!(
                    "HTTP/1.0 {status} {}\r\nContent-Type: text/html\r\n\r\n",
                    reason(status)
                )
                .into_bytes();
                if !head_only {
                    bytes.extend_from_slice(&body);
                }
                let _ = w.write_all(&bytes).await;
                let _ = w.flush().await;
                let _ = w.shutdown().await;
                return;
            }
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}
