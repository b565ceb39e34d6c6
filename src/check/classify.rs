//! Classification: turns an HTTP status code or a transport error into a
//! link `Status`, and says which answers deserve a retry or a GET after HEAD.
//!
//! Owns the status table of issue 2 and the HEAD-fallback list. Pure
//! functions only: never sends requests and never waits.

use super::guard::ResolveError;
use crate::model::Status;
use crate::words::word_enum;
use std::error::Error as StdError;

/// HEAD answers that make us ask again with GET, because servers commonly
/// give them to HEAD alone:
/// 400 (bad request), 403 (some CDNs/WAFs refuse HEAD), 404 and 410 (some
/// frameworks route GET only; a dead link costs one more request, but a live
/// one is not called dead), 405 (method not allowed), 406, 500 and 501
/// (HEAD not implemented or crashing). 429, 502, 503 and 504 are not in the
/// list: they are retried as they are.
pub const HEAD_FALLBACK: &[u16] = &[400, 403, 404, 405, 406, 410, 500, 501];

pub(super) fn head_rejected(status: u16) -> bool {
    HEAD_FALLBACK.contains(&status)
}

/// HEAD answers that say "this server does not do HEAD" (not just this
/// URL): later links to the same host go straight to GET.
pub(super) fn head_unsupported(status: u16) -> bool {
    matches!(status, 405 | 501)
}

/// Redirect codes we follow (with a `Location`).
pub(super) fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

pub(super) fn is_permanent_redirect(status: u16) -> bool {
    matches!(status, 301 | 308)
}

/// Answers worth another attempt: 408, 429 and 5xx.
pub(super) fn is_retryable_status(status: u16) -> bool {
    status == 408 || status == 429 || (500..=599).contains(&status)
}

/// The status of a final (non-redirect) answer and the reason text; the
/// `Ok` of a 2xx is turned into `Redirected` by the caller when a permanent
/// redirect led there.
pub(super) fn status_of(code: u16) -> (Status, String) {
    match code {
        200..=299 => (Status::Ok, String::new()),
        401 | 403 | 407 | 429 | 999 => (
            Status::Blocked,
            format!("HTTP {code}: refused by the server"),
        ),
        400..=499 => (Status::Broken, format!("HTTP {code}")),
        500..=599 => (Status::Error, format!("HTTP {code}: server error")),
        300..=399 => (
            Status::Error,
            format!("HTTP {code} without a usable redirect"),
        ),
        _ => (Status::Error, format!("unexpected HTTP status {code}")),
    }
}

/// What a failed request (no HTTP answer) means.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Failure {
    /// The guard refused every address of the host.
    Excluded(String),
    Timeout(String),
    /// DNS, refused, reset, TLS: `kind` says which (and so whether it is
    /// worth a retry), `message` says it to the user.
    Network {
        kind: NetKind,
        message: String,
    },
    /// The peer answered something that is not HTTP.
    Malformed(String),
}

/// What kind of network failure: decides retries and the HEAD-to-GET
/// fallback, so no decision ever reads a message's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum NetKind {
    /// The name does not resolve: permanent for this run.
    Dns,
    /// Certificate or handshake: permanent; which one, from rustls' type.
    Tls(TlsKind),
    Refused,
    /// The connection closed before a complete answer.
    ClosedEarly,
    /// Reset, aborted, broken pipe, unexpected end.
    Reset,
    /// Anything else; `connect` when it happened while connecting.
    Other {
        connect: bool,
    },
}

word_enum! {
    /// What a TLS failure was, read from rustls' error type (`rustls::Error`,
    /// `rustls::CertificateError`), never from its text. The word is what
    /// the link's error says after `TLS error: ` and the reason reads back
    /// (`report::reason`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum TlsKind: "TLS failure" {
        Expired = "certificate expired",
        NotValidYet = "certificate not valid yet",
        Revoked = "certificate revoked",
        OtherHost = "certificate for another host",
        Untrusted = "certificate not trusted",
        NotForServer = "certificate not for a server",
        BadSignature = "bad certificate signature",
        /// Anything else rustls refused: an alert, a protocol error, a peer
        /// that does not speak TLS.
        Handshake = "handshake failed",
    }
}

impl TlsKind {
    pub fn of(e: &rustls::Error) -> TlsKind {
        use rustls::CertificateError as C;
        let rustls::Error::InvalidCertificate(c) = e else {
            return TlsKind::Handshake;
        };
        match c {
            C::Expired | C::ExpiredContext { .. } => TlsKind::Expired,
            C::NotValidYet | C::NotValidYetContext { .. } => TlsKind::NotValidYet,
            C::Revoked => TlsKind::Revoked,
            C::NotValidForName | C::NotValidForNameContext { .. } => TlsKind::OtherHost,
            // A self-signed CA certificate presented by the server is
            // `UnknownIssuer` or `CaUsedAsEndEntity` in rustls/webpki.
            C::UnknownIssuer => TlsKind::Untrusted,
            C::InvalidPurpose | C::InvalidPurposeContext { .. } => TlsKind::NotForServer,
            C::BadSignature => TlsKind::BadSignature,
            C::Other(o) if o.to_string().contains("CaUsedAsEndEntity") => TlsKind::Untrusted,
            _ => TlsKind::Handshake,
        }
    }
}

impl Failure {
    fn net(kind: NetKind, message: String) -> Self {
        Failure::Network { kind, message }
    }

    pub(super) fn retryable(&self) -> bool {
        match self {
            Failure::Timeout(_) => true,
            Failure::Network { kind, .. } => match kind {
                NetKind::Dns | NetKind::Tls(_) => false,
                NetKind::Refused | NetKind::ClosedEarly | NetKind::Reset => true,
                NetKind::Other { connect } => *connect,
            },
            Failure::Excluded(_) | Failure::Malformed(_) => false,
        }
    }

    /// Failures that a server may give to HEAD alone (a malformed answer,
    /// a connection closed before the answer): worth one GET.
    pub(super) fn head_suspect(&self) -> bool {
        matches!(
            self,
            Failure::Malformed(_)
                | Failure::Network {
                    kind: NetKind::ClosedEarly,
                    ..
                }
        )
    }

    /// The connection went away under the request (closed before the
    /// answer, reset): what a reused keep-alive connection that the server
    /// had just closed looks like.
    pub(super) fn connection_lost(&self) -> bool {
        matches!(
            self,
            Failure::Network {
                kind: NetKind::ClosedEarly | NetKind::Reset,
                ..
            }
        )
    }

    pub(super) fn status(&self) -> Status {
        match self {
            Failure::Excluded(_) => Status::Excluded,
            Failure::Timeout(_) => Status::Timeout,
            Failure::Network { .. } => Status::NetworkError,
            Failure::Malformed(_) => Status::Error,
        }
    }

    pub(super) fn message(&self) -> &str {
        match self {
            Failure::Excluded(m) | Failure::Timeout(m) | Failure::Malformed(m) => m,
            Failure::Network { message, .. } => message,
        }
    }
}

/// The causes below reqwest's own error, joined with ": " (reqwest's top
/// level names the URL, which must not be mistaken for a cause).
fn cause_text(e: &reqwest::Error) -> String {
    crate::error::chain_text(e, true)
}

/// rustls' error inside an `io::Error`: tokio-rustls hands it over as the
/// payload of one (`InvalidData`), which reqwest's connector wraps in
/// another (`Other`); `io::Error::source` skips payloads, so only
/// `get_ref` reaches it.
fn rustls_inside(io: &std::io::Error) -> Option<&rustls::Error> {
    let mut inner = io.get_ref()?;
    for _ in 0..4 {
        if let Some(t) = inner.downcast_ref::<rustls::Error>() {
            return Some(t);
        }
        inner = inner.downcast_ref::<std::io::Error>()?.get_ref()?;
    }
    None
}

pub(super) fn classify_error(e: &reqwest::Error) -> Failure {
    let text = cause_text(e);
    let mut src: Option<&(dyn StdError + 'static)> = Some(e);
    let mut io_kind = None;
    let mut hyper_err = None;
    let mut tls = None;
    while let Some(s) = src {
        if let Some(r) = s.downcast_ref::<ResolveError>() {
            return match r {
                ResolveError::Blocked { .. } => Failure::Excluded(r.to_string()),
                ResolveError::Dns { .. } => Failure::net(NetKind::Dns, r.to_string()),
            };
        }
        if let Some(h) = s.downcast_ref::<hyper::Error>() {
            hyper_err.get_or_insert(h);
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            io_kind.get_or_insert(io.kind());
            if let Some(t) = rustls_inside(io) {
                tls.get_or_insert(TlsKind::of(t));
            }
        }
        if let Some(t) = s.downcast_ref::<rustls::Error>() {
            tls.get_or_insert(TlsKind::of(t));
        }
        src = s.source();
    }
    if let Some(kind) = tls {
        let words = kind.as_str();
        return Failure::net(NetKind::Tls(kind), format!("TLS error: {words}: {text}"));
    }
    if let Some(h) = hyper_err {
        if h.is_parse() || h.is_parse_status() {
            return Failure::Malformed(format!("malformed response: {text}"));
        }
        if h.is_timeout() {
            return Failure::Timeout(format!("timeout: {text}"));
        }
        if h.is_incomplete_message() || h.is_closed() {
            return Failure::net(
                NetKind::ClosedEarly,
                format!("connection closed before a complete answer: {text}"),
            );
        }
    }
    use std::io::ErrorKind as K;
    match io_kind {
        Some(K::TimedOut) => return Failure::Timeout(format!("timeout: {text}")),
        Some(K::ConnectionRefused) => {
            return Failure::net(NetKind::Refused, format!("connection refused: {text}"));
        }
        Some(K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof) => {
            return Failure::net(NetKind::Reset, format!("connection reset: {text}"));
        }
        _ => {}
    }
    if e.is_timeout() {
        return Failure::Timeout(format!("timeout: {text}"));
    }
    Failure::net(
        NetKind::Other {
            connect: e.is_connect(),
        },
        text,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_kinds_decide_retry_get_fallback_and_lost_connections() {
        // (kind, retryable, worth a GET after HEAD, connection lost)
        let table = [
            (NetKind::Dns, false, false, false),
            (NetKind::Tls(TlsKind::Expired), false, false, false),
            (NetKind::Refused, true, false, false),
            (NetKind::ClosedEarly, true, true, true),
            (NetKind::Reset, true, false, true),
            (NetKind::Other { connect: true }, true, false, false),
            (NetKind::Other { connect: false }, false, false, false),
        ];
        for (kind, retry, get, lost) in table {
            // The message never decides: the same text under every kind.
            let f = Failure::net(kind, "connection closed before a complete answer".into());
            assert_eq!(f.retryable(), retry, "{kind:?}");
            assert_eq!(f.head_suspect(), get, "{kind:?}");
            assert_eq!(f.connection_lost(), lost, "{kind:?}");
            assert_eq!(f.status(), Status::NetworkError);
        }
        assert!(Failure::Malformed("x".into()).head_suspect());
        assert!(Failure::Timeout("x".into()).retryable());
    }

    #[test]
    fn tls_kinds_come_from_rustls_types() {
        use rustls::{AlertDescription, CertificateError as C, Error as E};
        let cert = |c| TlsKind::of(&E::InvalidCertificate(c));
        assert_eq!(cert(C::Expired), TlsKind::Expired);
        assert_eq!(cert(C::NotValidYet), TlsKind::NotValidYet);
        assert_eq!(cert(C::Revoked), TlsKind::Revoked);
        assert_eq!(cert(C::NotValidForName), TlsKind::OtherHost);
        assert_eq!(cert(C::UnknownIssuer), TlsKind::Untrusted);
        assert_eq!(cert(C::InvalidPurpose), TlsKind::NotForServer);
        assert_eq!(cert(C::BadSignature), TlsKind::BadSignature);
        assert_eq!(cert(C::BadEncoding), TlsKind::Handshake);
        assert_eq!(
            TlsKind::of(&E::AlertReceived(AlertDescription::HandshakeFailure)),
            TlsKind::Handshake
        );
        // Two io::Error layers around it, as reqwest's connector hands it over.
        let inner = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            E::InvalidCertificate(C::Expired),
        );
        let outer = std::io::Error::other(inner);
        assert_eq!(
            rustls_inside(&outer).map(TlsKind::of),
            Some(TlsKind::Expired)
        );
        assert!(rustls_inside(&std::io::Error::other("plain")).is_none());
    }

    #[test]
    fn status_table_matches_issue_2() {
        assert_eq!(status_of(200).0, Status::Ok);
        assert_eq!(status_of(204).0, Status::Ok);
        for c in [404, 410, 400, 418, 451] {
            assert_eq!(status_of(c).0, Status::Broken, "{c}");
        }
        for c in [401, 403, 407, 429, 999] {
            assert_eq!(status_of(c).0, Status::Blocked, "{c}");
        }
        for c in [500, 502, 503, 504, 599] {
            assert_eq!(status_of(c).0, Status::Error, "{c}");
        }
        assert_eq!(status_of(304).0, Status::Error);
        assert_eq!(status_of(700).0, Status::Error);
    }

    #[test]
    fn retry_and_fallback_sets() {
        assert!(is_retryable_status(429));
        assert!(is_retryable_status(503));
        assert!(!is_retryable_status(404));
        assert!(head_rejected(405));
        assert!(!head_rejected(200));
        assert!(!head_rejected(503));
    }
}
