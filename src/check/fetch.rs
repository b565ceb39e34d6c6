//! Fetching a remote input document (an `http(s)://` INPUT such as the
//! daily-papers API): the same remap and private-address rules as links,
//! redirects followed hop by hop through the guard, a size cap, and the
//! request timeout over the whole transfer.

use super::{Inner, classify};
use url::Url;

/// A fetched document.
#[derive(Debug)]
pub struct Document {
    /// The `Content-Type` header, if any (lowercase, parameters kept).
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// Why a remote document was not fetched.
#[derive(Debug, PartialEq, Eq)]
pub enum FetchError {
    /// The document is larger than the cap (announced or read so far).
    TooLarge { max_bytes: usize },
    /// Any other failure: a one-line reason.
    Failed(String),
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::TooLarge { max_bytes } => {
                write!(f, "document is larger than the {max_bytes}-byte cap")
            }
            FetchError::Failed(reason) => f.write_str(reason),
        }
    }
}

impl From<String> for FetchError {
    fn from(reason: String) -> Self {
        FetchError::Failed(reason)
    }
}

/// Fetches `url` with GET, following at most `max_redirects` redirects,
/// reading at most `max_bytes`.
pub(crate) async fn fetch(
    inner: &Inner,
    url: &str,
    max_bytes: usize,
) -> Result<Document, FetchError> {
    let mut target = inner
        .prepare(url)
        .map_err(|r| format!("{}: {}", r.status, r.error))?;
    let deadline = tokio::time::Instant::now() + inner.config.timeout();
    let timeout = || format!("no complete answer within {} s", inner.config.timeout_secs);
    let mut hops = 0;
    loop {
        let send = inner.client.get(target.url.clone()).send();
        let mut resp = match tokio::time::timeout_at(deadline, send).await {
            Err(_) => return Err(timeout().into()),
            Ok(Err(e)) => return Err(classify::classify_error(&e).message().to_string().into()),
            Ok(Ok(r)) => r,
        };
        let code = resp.status().as_u16();
        if classify::is_redirect(code) {
            hops += 1;
            if hops > inner.config.max_redirects {
                return Err(format!(
                    "too many redirects (more than {})",
                    inner.config.max_redirects
                )
                .into());
            }
            let location = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| format!("HTTP {code} redirect without a Location header"))?;
            let next = target
                .url
                .join(location)
                .map_err(|e| format!("bad redirect Location `{location}`: {e}"))?;
            target = inner
                .prepare(next.as_str())
                .map_err(|r| format!("redirect to {next} not followed: {}", r.error))?;
            continue;
        }
        if !resp.status().is_success() {
            return Err(format!("HTTP {code} {}", classify::status_of(code).0).into());
        }
        if resp.content_length().is_some_and(|n| n > max_bytes as u64) {
            return Err(FetchError::TooLarge { max_bytes });
        }
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.to_ascii_lowercase());
        let mut body = Vec::new();
        loop {
            match tokio::time::timeout_at(deadline, resp.chunk()).await {
                Err(_) => return Err(timeout().into()),
                Ok(Err(e)) => {
                    return Err(classify::classify_error(&e).message().to_string().into());
                }
                Ok(Ok(None)) => break,
                Ok(Ok(Some(chunk))) => {
                    if body.len() + chunk.len() > max_bytes {
                        return Err(FetchError::TooLarge { max_bytes });
                    }
                    body.extend_from_slice(&chunk);
                }
            }
        }
        return Ok(Document { content_type, body });
    }
}

/// The extension that stands for a content type, for format detection.
pub fn extension_for(content_type: Option<&str>, url: &Url) -> Option<String> {
    let mime = content_type.map(|c| c.split(';').next().unwrap_or("").trim().to_string());
    match mime.as_deref() {
        Some("application/json") => Some("json".into()),
        Some("application/x-ndjson" | "application/jsonl" | "application/x-jsonlines") => {
            Some("jsonl".into())
        }
        Some("text/html" | "application/xhtml+xml") => Some("html".into()),
        Some("text/markdown" | "text/x-markdown") => Some("md".into()),
        _ => url
            .path_segments()
            .and_then(|mut s| s.next_back())
            .and_then(|last| last.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())),
    }
}
