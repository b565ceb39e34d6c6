//! A failure's reason in a few words (issue 24 item 6), shown wherever the
//! status is: the terminal rows, summary.md and the page ("redirect loop
//! after 3 hops", "DNS: no such host", "TLS: certificate expired",
//! "timeout after 20 s", "HTTP 404 Not Found").
//!
//! Read from what links.csv carries (the status, the HTTP code, the
//! `error` text the checker wrote and the redirect chain), so a result
//! reused from a previous run reads the same as a fresh one. Display only:
//! no decision is taken on these words (retries, statuses and the verdict
//! are decided on types in `check` and `verdict`). The full text stays in
//! links.csv, the annotations and SARIF.
//!
//! Pure; no I/O.

use crate::check::TlsKind;
use crate::model::{LinkResult, Status};

/// At most this many characters of an unrecognised reason are shown.
pub const MAX_REASON_CHARS: usize = 90;

/// The short reason of a result (empty for `ok`).
pub fn of_result(r: &LinkResult) -> String {
    short_reason(r.status, r.http_status, &r.error, r.redirect_chain.len())
}

/// The short reason from the parts links.csv carries: `hops` is the
/// length of the redirect chain.
pub fn short_reason(status: Status, http: Option<u16>, error: &str, hops: usize) -> String {
    let error = error.trim();
    if status == Status::Ok {
        return String::new();
    }
    if let Some(words) = known(error, hops) {
        return words;
    }
    if let Some(code) = http.filter(|&c| plain_http(c, error)) {
        return http_words(code, error);
    }
    if error.is_empty() {
        return status.as_str().replace('_', " ");
    }
    cut(first_clause(error), MAX_REASON_CHARS)
}

/// The checker's own phrases (`check::client`, `check::classify`,
/// `check::guard`), recognised by their fixed start.
fn known(error: &str, hops: usize) -> Option<String> {
    if let Some(rest) = error.strip_prefix("no answer within ") {
        return Some(format!("timeout after {}", rest.trim_end_matches('.')));
    }
    if error.starts_with("timeout: ") || error == "timeout" {
        return Some("timeout".into());
    }
    if error.starts_with("too many redirects: redirect loop") {
        return Some(format!("redirect loop after {} hops", hops + 1));
    }
    if let Some(rest) = error.strip_prefix("too many redirects (more than ") {
        let n = rest.split(')').next().unwrap_or(rest);
        return Some(format!("too many redirects (more than {n} hops)"));
    }
    if error.starts_with("DNS lookup of ") {
        return Some(dns_words(error));
    }
    if error.starts_with("TLS error: ") {
        return Some(tls_words(error));
    }
    let fixed = [
        ("connection refused", "connection refused"),
        ("connection reset", "connection reset"),
        (
            "connection closed before a complete answer",
            "connection closed before the answer",
        ),
        ("malformed response", "malformed answer (not HTTP)"),
    ];
    fixed
        .iter()
        .find(|(start, _)| error.starts_with(start))
        .map(|(_, words)| (*words).to_owned())
        .or_else(|| {
            error
                .contains("resolves only to non-public addresses")
                .then(|| "private address, not requested".to_owned())
        })
}

/// `DNS lookup of HOST failed: CAUSE` in words: the name does not exist,
/// a temporary failure, or a failed lookup.
fn dns_words(error: &str) -> String {
    let cause = error.to_ascii_lowercase();
    let gone = [
        "not known",
        "no such host",
        "nxdomain",
        "no address associated",
        "nodename nor servname",
        "does not exist",
        "no record",
    ];
    if gone.iter().any(|w| cause.contains(w)) {
        "DNS: no such host".into()
    } else if cause.contains("temporary failure") || cause.contains("try again") {
        "DNS: temporary failure".into()
    } else if cause.contains("timed out") || cause.contains("timeout") {
        "DNS: lookup timed out".into()
    } else {
        "DNS: lookup failed".into()
    }
}

/// `TLS error: WORDS: CAUSE` in words: the checker names the kind it read
/// from rustls' error type (`check::classify::TlsKind`) first.
fn tls_words(error: &str) -> String {
    let rest = error.strip_prefix("TLS error: ").unwrap_or(error);
    let kind = TlsKind::ALL
        .into_iter()
        .find(|k| rest.starts_with(k.as_str()))
        .unwrap_or(TlsKind::Handshake);
    format!("TLS: {}", kind.as_str())
}

/// True when the text says no more than the HTTP answer (`HTTP 404`,
/// `HTTP 403: refused by the server`, `HTTP 503: server error (after 2
/// retries)`, `HTTP 429 with Retry-After ...`).
fn plain_http(code: u16, error: &str) -> bool {
    let Some(rest) = error.strip_prefix(&format!("HTTP {code}")) else {
        return error.is_empty();
    };
    rest.is_empty()
        || rest.starts_with(": ")
        || rest.starts_with(" (after ")
        || rest.starts_with(" with Retry-After")
}

/// `HTTP 404 Not Found`, with what the checker added after the code
/// ("after 2 retries", "Retry-After of 3600 s ...").
fn http_words(code: u16, error: &str) -> String {
    let name = reqwest::StatusCode::from_u16(code)
        .ok()
        .and_then(|c| c.canonical_reason())
        .map(|n| format!(" {n}"))
        .unwrap_or_default();
    let mut words = format!("HTTP {code}{name}");
    if let Some(i) = error.find("(after ") {
        let tail = error[i + 1..].trim_end_matches(')');
        words.push_str(&format!(" {tail}"));
    } else if let Some(i) = error.find("Retry-After") {
        words.push_str(&format!(": {}", cut(&error[i..], 60)));
    }
    words
}

/// The text before the first ": " that starts a cause chain (at least a
/// few words, so "HTTP 500: server error" stays whole).
fn first_clause(error: &str) -> &str {
    match error.match_indices(": ").nth(1) {
        Some((i, _)) => &error[..i],
        None => error,
    }
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(status: Status, http: Option<u16>, error: &str) -> String {
        short_reason(status, http, error, 0)
    }

    #[test]
    fn the_checkers_phrases_in_few_words() {
        use Status::*;
        assert_eq!(
            r(Timeout, None, "no answer within 20 s"),
            "timeout after 20 s"
        );
        assert_eq!(r(Timeout, None, "timeout: operation timed out"), "timeout");
        assert_eq!(
            short_reason(
                Error,
                Some(302),
                "too many redirects: redirect loop back to https://a/",
                2
            ),
            "redirect loop after 3 hops"
        );
        assert_eq!(
            r(Error, Some(301), "too many redirects (more than 10)"),
            "too many redirects (more than 10 hops)"
        );
        assert_eq!(
            r(
                NetworkError,
                None,
                "DNS lookup of gone.example failed: failed to lookup address information: Name or service not known"
            ),
            "DNS: no such host"
        );
        assert_eq!(
            r(
                NetworkError,
                None,
                "DNS lookup of x failed: Temporary failure in name resolution"
            ),
            "DNS: temporary failure"
        );
        assert_eq!(
            r(
                NetworkError,
                None,
                "TLS error: certificate expired: invalid peer certificate: Expired"
            ),
            "TLS: certificate expired"
        );
        assert_eq!(
            r(
                NetworkError,
                None,
                "TLS error: certificate not trusted: invalid peer certificate: UnknownIssuer"
            ),
            "TLS: certificate not trusted"
        );
        assert_eq!(
            r(
                NetworkError,
                None,
                "TLS error: certificate for another host: invalid peer certificate: NotValidForName"
            ),
            "TLS: certificate for another host"
        );
        assert_eq!(
            r(
                NetworkError,
                None,
                "TLS error: handshake failed: received fatal alert: HandshakeFailure"
            ),
            "TLS: handshake failed"
        );
        assert_eq!(
            r(
                NetworkError,
                None,
                "connection refused: tcp connect error: Connection refused (os error 111)"
            ),
            "connection refused"
        );
    }

    #[test]
    fn http_answers_are_named_with_what_the_checker_added() {
        use Status::*;
        assert_eq!(r(Broken, Some(404), "HTTP 404"), "HTTP 404 Not Found");
        assert_eq!(
            r(Blocked, Some(403), "HTTP 403: refused by the server"),
            "HTTP 403 Forbidden"
        );
        assert_eq!(
            r(Error, Some(503), "HTTP 503: server error (after 2 retries)"),
            "HTTP 503 Service Unavailable after 2 retries"
        );
        assert_eq!(r(Broken, Some(499), ""), "HTTP 499");
        assert_eq!(
            r(
                Error,
                Some(302),
                "HTTP 302 redirect to unsupported scheme `ftp:` not followed (ftp://x/)"
            ),
            "HTTP 302 redirect to unsupported scheme `ftp:` not followed (ftp://x/)"
        );
        assert_eq!(r(Ok, Some(200), ""), "");
        assert_eq!(r(NetworkError, None, ""), "network error");
    }

    #[test]
    fn unknown_texts_keep_their_first_clause_cut() {
        let long = format!("something odd: {}: deeper cause", "x".repeat(200));
        let got = r(Status::Error, None, &long);
        assert!(got.starts_with("something odd: xxx"), "{got}");
        assert!(!got.contains("deeper"), "{got}");
        assert_eq!(got.chars().count(), MAX_REASON_CHARS);
    }
}
