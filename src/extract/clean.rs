//! The URL finder and cleaner shared by every input format: one place for
//! the rules that turn "a URL wrapped in junk" into the URL the author meant.
//!
//! Never allocates for text without a candidate, never panics, never touches
//! the network.
//!
//! # Rules
//! - Candidates are found with `memchr::memmem` (`://` and `www.`), never by
//!   running a regex over the text.
//! - Only `http`/`https` (any case) are links; the scheme is the `http`/`https`
//!   that ends right before `://` (so `athttps://x` from a PDF scraper gives
//!   `https://x`). Other schemes are ignored.
//! - `www.` at a word start (not after a letter, digit, `@`, `.`, `-`, `_`,
//!   `/`, ...) without a scheme is a link: `http://` is prepended and the
//!   position points at the `w`. E-mail addresses are never links
//!   (`user@www.example.org` gives nothing).
//! - A URL ends at whitespace, control characters, `< > " { } | \ ^` and
//!   backtick, `[`/`]` (except an IPv6 literal host `http://[::1]:8080/`),
//!   typographic quotes, ellipsis, zero-width characters, the replacement
//!   character, and CJK / full-width punctuation (`。` `，` `）` `、` `」`
//!   ...). Non-ASCII letters (IDN hosts, Unicode paths) are kept as written.
//! - Then, repeatedly from the end: `. , ; : ! ? *` are stripped; a `)` is
//!   stripped when the URL has more `)` than `(` (balanced parentheses stay,
//!   as in Wikipedia links); `]` likewise; a `'` when the URL holds an odd
//!   number of them. So `repo.git.` -> `repo.git`, `Proj/.` -> `Proj/`,
//!   `https://host.example./org/model.` -> `https://host.example./org/model`.
//! - `{` ends a URL (flattened LaTeX `\href{url}{text}` leaves `url{text}`).
//! - A `;` or `,` right before `http://` / `https://` ends it: it separates
//!   two URLs (`https://a.org/;https://b.org/`, a JSON value listing several
//!   homepages). Elsewhere both stay part of the URL (`;jsessionid=`).
//! - The result must parse with `url::Url::parse`; candidates that do not are
//!   dropped. URLs longer than [`MAX_VALIDATED_LEN`] bytes are emitted as
//!   found without that check (the checker marks them `invalid`).
//! - A URL wrapped across lines is taken as it stands on its line.

use std::borrow::Cow;
use std::sync::LazyLock;

use memchr::memmem;

/// URLs longer than this (in bytes) are emitted without the
/// `url::Url::parse` check: they are reported as found and the checker
/// marks them `invalid`.
pub const MAX_VALIDATED_LEN: usize = 8 * 1024;

static SCHEME_SEP: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b"://"));
static WWW_LOWER: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b"www."));
static WWW_UPPER: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b"WWW."));

/// One URL found in a piece of text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlMatch<'a> {
    /// Byte offset of the first character of the URL as written (the `h` of
    /// `http`, or the `w` of `www.`).
    pub start: usize,
    /// The cleaned URL (`http://` prepended for `www.` forms).
    pub url: Cow<'a, str>,
}

/// Quick test: could `bytes` contain a URL at all? (No allocation, SIMD.)
#[inline]
pub fn has_candidate(bytes: &[u8]) -> bool {
    SCHEME_SEP.find(bytes).is_some()
        || WWW_LOWER.find(bytes).is_some()
        || WWW_UPPER.find(bytes).is_some()
}

/// Calls `f` for every URL in `text`, in order.
pub fn find_urls<'a>(text: &'a str, mut f: impl FnMut(UrlMatch<'a>)) {
    let bytes = text.as_bytes();
    let mut pos = 0usize;
    // Next candidates (absolute positions), recomputed only when passed:
    // an http(s) scheme as (start, position of `://`), and a `www.`.
    let mut next_sep: Option<(usize, usize)> = None;
    let mut next_www: Option<usize> = None;
    let mut sep_done = false;
    let mut www_done = false;
    while pos < bytes.len() {
        if !sep_done && next_sep.is_none_or(|(s, _)| s < pos) {
            next_sep = None;
            let mut from = pos;
            while let Some(i) = SCHEME_SEP.find(&bytes[from..]) {
                let p = from + i;
                if let Some(s) = scheme_start(bytes, p, pos) {
                    next_sep = Some((s, p));
                    break;
                }
                from = p + 3;
            }
            sep_done = next_sep.is_none();
        }
        if !www_done && next_www.is_none_or(|p| p < pos) {
            let l = WWW_LOWER.find(&bytes[pos..]);
            let u = WWW_UPPER.find(&bytes[pos..]);
            next_www = match (l, u) {
                (Some(a), Some(b)) => Some(a.min(b) + pos),
                (a, b) => a.or(b).map(|i| i + pos),
            };
            www_done = next_www.is_none();
        }
        let sep_start = next_sep;
        let choose_sep = match (sep_start, next_www) {
            (Some((s, _)), Some(w)) => s <= w,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        if choose_sep {
            let (start, sep) = sep_start.expect("checked above");
            // A www candidate inside the scheme text cannot exist; skip the
            // `://` and scan the rest.
            let end = scan_end(bytes, sep + 3, true);
            match finish(text, start, end, sep + 3) {
                Some(url) => {
                    f(UrlMatch {
                        start,
                        url: Cow::Borrowed(url),
                    });
                    pos = end.max(sep + 3);
                }
                None => pos = sep + 3,
            }
        } else {
            let w = next_www.expect("checked above");
            if !www_boundary_ok(text, w) {
                pos = w + 4;
                continue;
            }
            let end = scan_end(bytes, w, false);
            match finish(text, w, end, w) {
                Some(url) if url.len() > 4 && is_host_char(url.as_bytes()[4]) => {
                    let full = format!("http://{url}");
                    if url_ok(&full) {
                        f(UrlMatch {
                            start: w,
                            url: Cow::Owned(full),
                        });
                    }
                    pos = end.max(w + 4);
                }
                _ => pos = w + 4,
            }
        }
    }
}

/// Cleans one value that should be a URL as a whole (an `href`, a Markdown
/// link destination, a JSON `githubRepo`): the first URL found when it
/// starts the (trimmed) value, else `None`.
pub fn clean_url(value: &str) -> Option<(usize, Cow<'_, str>)> {
    let trimmed = value.trim_start();
    let lead = value.len() - trimmed.len();
    let mut out = None;
    find_urls(trimmed, |m| {
        if out.is_none() && m.start == 0 {
            out = Some((lead, m.url));
        }
    });
    out
}

/// Where the http/https scheme ending at `sep` (the `://`) starts, if it is
/// one, and not before `min`.
fn scheme_start(bytes: &[u8], sep: usize, min: usize) -> Option<usize> {
    let ends_with = |n: usize, word: &[u8]| {
        sep >= n && sep - n >= min && bytes[sep - n..sep].eq_ignore_ascii_case(word)
    };
    if ends_with(5, b"https") {
        Some(sep - 5)
    } else if ends_with(4, b"http") {
        Some(sep - 4)
    } else {
        None
    }
}

fn www_boundary_ok(text: &str, w: usize) -> bool {
    match text[..w].chars().next_back() {
        None => true,
        Some(c) => !(c.is_alphanumeric() || "@.-_/:%+~=#&\\".contains(c)),
    }
}

#[inline]
fn is_host_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80 || b == b'[' || b == b'%' || b == b'_'
}

/// ASCII bytes that end a URL.
const fn ascii_stop_table() -> [bool; 128] {
    let mut t = [false; 128];
    let mut i = 0;
    while i <= 0x20 {
        t[i] = true;
        i += 1;
    }
    t[0x7f] = true;
    let stops = b"<>\"{}|\\^`[]";
    let mut j = 0;
    while j < stops.len() {
        t[stops[j] as usize] = true;
        j += 1;
    }
    t
}
static ASCII_STOP: [bool; 128] = ascii_stop_table();

/// Non-ASCII characters that end a URL.
fn is_stop_char(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c as u32,
            0x3000..=0x303F      // CJK symbols and punctuation 。、「」『』【】〈〉《》
            | 0xFF01..=0xFF0F    // full-width ！＂＃...／ (incl. （ ） ， ．)
            | 0xFF1A..=0xFF20    // ：；＜＝＞？＠
            | 0xFF3B..=0xFF40
            | 0xFF5B..=0xFF65    // ｛｜｝～ and half-width CJK punctuation
            | 0xFE10..=0xFE1F    // vertical forms
            | 0xFE30..=0xFE4F    // CJK compatibility forms
            | 0x2018..=0x201F    // typographic quotes
            | 0x2026             // …
            | 0x00AB | 0x00BB | 0x2039 | 0x203A
            | 0x200B..=0x200F | 0x2060 | 0xFEFF
            | 0xFFFD)
}

/// First byte offset at or after `from` where the URL stops.
fn scan_end(bytes: &[u8], from: usize, allow_ipv6: bool) -> usize {
    let mut i = from;
    if allow_ipv6 && bytes.get(i) == Some(&b'[') {
        // IPv6 literal host: up to the closing bracket.
        match memchr::memchr(b']', &bytes[i..]) {
            Some(j)
                if bytes[i + 1..i + j].iter().all(|b| {
                    b.is_ascii_hexdigit() || b":.%".contains(b) || b.is_ascii_alphanumeric()
                }) =>
            {
                i += j + 1
            }
            _ => return i,
        }
    }
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if ASCII_STOP[b as usize] || ((b == b';' || b == b',') && next_is_url(&bytes[i + 1..]))
            {
                return i;
            }
            i += 1;
        } else {
            // Decode one char (text is valid UTF-8 and `i` is on a boundary).
            let len = utf8_len(b);
            let end = (i + len).min(bytes.len());
            let c = std::str::from_utf8(&bytes[i..end])
                .ok()
                .and_then(|s| s.chars().next());
            match c {
                Some(c) if !is_stop_char(c) => i = end,
                _ => return i,
            }
        }
    }
    i
}

/// Whether `rest` starts a new `http://` / `https://` URL (any case): a
/// `;` or `,` right before it separates two URLs (`a/;https://b`, as in
/// JSON values listing several homepages), it is not part of the first.
fn next_is_url(rest: &[u8]) -> bool {
    let starts = |p: &[u8]| {
        rest.get(..p.len())
            .is_some_and(|r| r.eq_ignore_ascii_case(p))
    };
    starts(b"http://") || starts(b"https://")
}

#[inline]
fn utf8_len(b: u8) -> usize {
    match b {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

/// Strips trailing junk from `text[start..end]` and validates. `host_at` is
/// where the host begins (after `://`, or at `www.`).
fn finish(text: &str, start: usize, end: usize, host_at: usize) -> Option<&str> {
    let s = &text[start..end];
    let bytes = s.as_bytes();
    let mut len = bytes.len();
    // Bracket and quote counts, taken (in one pass) only when a trailing
    // bracket or quote needs them: `(`, `)`, `[`, `]`, `'`.
    let mut counts: Option<[usize; 5]> = None;
    let tally = || {
        let mut c = [0usize; 5];
        for &b in bytes {
            match b {
                b'(' => c[0] += 1,
                b')' => c[1] += 1,
                b'[' => c[2] += 1,
                b']' => c[3] += 1,
                b'\'' => c[4] += 1,
                _ => {}
            }
        }
        c
    };
    let min = host_at - start;
    while len > min {
        let last = bytes[len - 1];
        if matches!(last, b'.' | b',' | b';' | b':' | b'!' | b'?' | b'*') {
            len -= 1;
            continue;
        }
        if !matches!(last, b'(' | b')' | b'[' | b']' | b'\'') {
            break;
        }
        let [open_p, close_p, open_b, close_b, quotes] = counts.get_or_insert_with(tally);
        match last {
            b')' if *close_p > *open_p => *close_p -= 1,
            b'(' => *open_p = open_p.saturating_sub(1),
            b']' if *close_b > *open_b => *close_b -= 1,
            b'[' if len - 1 > min => *open_b = open_b.saturating_sub(1),
            b'\'' if *quotes % 2 == 1 => *quotes -= 1,
            _ => break,
        }
        len -= 1;
    }
    if len <= min {
        return None;
    }
    let url = &s[..len];
    if !is_host_char(url.as_bytes()[min]) {
        return None;
    }
    if start != host_at && !url_ok(url) {
        return None;
    }
    Some(url)
}

/// A fast yes for the common case, which `url::Url::parse` always accepts:
/// `http(s)://` + an ASCII host name of letters, digits, `-` and `.` (not
/// all digits: IPv4 forms go to the full parser) + an optional port + an
/// optional path, query or fragment of printable ASCII. `false` means
/// "ask the full parser", not "invalid".
fn plainly_valid(url: &str) -> bool {
    let b = url.as_bytes();
    let rest = if b.len() > 8 && b[..8].eq_ignore_ascii_case(b"https://") {
        &b[8..]
    } else if b.len() > 7 && b[..7].eq_ignore_ascii_case(b"http://") {
        &b[7..]
    } else {
        return false;
    };
    let host_end = rest
        .iter()
        .position(|&c| matches!(c, b'/' | b'?' | b'#' | b':'))
        .unwrap_or(rest.len());
    let host = &rest[..host_end];
    if host.is_empty()
        || host.len() > 253
        || host[0] == b'.'
        || host[0] == b'-'
        || !host
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
        || !host.iter().any(u8::is_ascii_alphabetic)
        || host.windows(2).any(|w| w == b"..")
    {
        return false;
    }
    // A host whose last label is numeric is parsed as IPv4: leave it to the
    // full parser. A top-level label starting with a letter never is.
    let last = host
        .strip_suffix(b".")
        .unwrap_or(host)
        .rsplit(|&c| c == b'.')
        .next()
        .unwrap_or(b"");
    if !last.first().is_some_and(u8::is_ascii_alphabetic) {
        return false;
    }
    let mut tail = &rest[host_end..];
    if let Some(port) = tail.strip_prefix(b":") {
        let digits = port.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 5 {
            return false;
        }
        let value: u32 = std::str::from_utf8(&port[..digits])
            .ok()
            .and_then(|d| d.parse().ok())
            .unwrap_or(u32::MAX);
        if value > 65535 {
            return false;
        }
        tail = &port[digits..];
        if tail
            .first()
            .is_some_and(|c| !matches!(c, b'/' | b'?' | b'#'))
        {
            return false;
        }
    }
    tail.iter().all(|&c| (0x21..=0x7e).contains(&c))
}

fn url_ok(url: &str) -> bool {
    if url.len() > MAX_VALIDATED_LEN || plainly_valid(url) {
        return true;
    }
    match url::Url::parse(url) {
        Ok(u) => matches!(u.scheme(), "http" | "https") && u.host().is_some(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {

    proptest::proptest! {
        /// The fast path never says yes to what the full parser refuses.
        #[test]
        fn plainly_valid_implies_the_url_parser_accepts(
            url in "(?i:https?)://[a-zA-Z0-9.:-]{0,20}[/?#]?[!-~]{0,20}"
        ) {
            if super::plainly_valid(&url) {
                let parsed = url::Url::parse(&url);
                proptest::prop_assert!(parsed.is_ok(), "{url}: {parsed:?}");
                proptest::prop_assert!(parsed.unwrap().host().is_some());
            }
        }
    }

    #[test]
    fn plainly_valid_common_forms() {
        assert!(super::plainly_valid("https://github.com/a/b"));
        assert!(super::plainly_valid("http://lab.example.org:8080/x?y=1#z"));
        assert!(super::plainly_valid(
            "https://mirror.example.org./org/model"
        ));
        assert!(
            !super::plainly_valid("https://127.0.0.1/x"),
            "IPv4 goes to the parser"
        );
        assert!(
            !super::plainly_valid("https://bücher.example/"),
            "IDN goes to the parser"
        );
        assert!(!super::plainly_valid("https://a..b/"));
        assert!(!super::plainly_valid("https://a.org:99999/"));
    }

    use super::*;

    fn urls(text: &str) -> Vec<String> {
        let mut v = Vec::new();
        find_urls(text, |m| v.push(m.url.into_owned()));
        v
    }

    fn one(text: &str) -> String {
        let v = urls(text);
        assert_eq!(v.len(), 1, "expected one URL in {text:?}, got {v:?}");
        v.into_iter().next().unwrap()
    }

    #[test]
    fn trailing_period_stripped() {
        assert_eq!(
            one("Code is available at https://github.com/lab/Repo."),
            "https://github.com/lab/Repo"
        );
    }

    #[test]
    fn trailing_sentence_punctuation_stripped() {
        for p in [",", ";", ":", "!", "?", "...", ".)", "?!"] {
            assert_eq!(
                one(&format!("see https://github.com/a/b{p} next")),
                "https://github.com/a/b",
                "{p}"
            );
        }
    }

    #[test]
    fn unbalanced_closers_stripped() {
        assert_eq!(one("(see https://x.org/a)"), "https://x.org/a");
        assert_eq!(one("[https://x.org/a]"), "https://x.org/a");
        assert_eq!(one("<https://x.org/a>"), "https://x.org/a");
        assert_eq!(one("\"https://x.org/a\""), "https://x.org/a");
        assert_eq!(one("'https://x.org/a'"), "https://x.org/a");
        assert_eq!(one("(code: https://x.org/a)."), "https://x.org/a");
    }

    #[test]
    fn balanced_parentheses_kept() {
        assert_eq!(
            one("see https://en.wikipedia.org/wiki/YOLO_(algorithm)."),
            "https://en.wikipedia.org/wiki/YOLO_(algorithm)"
        );
        assert_eq!(
            one("(see https://en.wikipedia.org/wiki/YOLO_(algorithm))"),
            "https://en.wikipedia.org/wiki/YOLO_(algorithm)"
        );
    }

    #[test]
    fn git_suffix_then_period() {
        assert_eq!(
            one("publicly available at https://github.com/user/Model.git."),
            "https://github.com/user/Model.git"
        );
    }

    #[test]
    fn latex_href_remnant_cut_at_brace() {
        assert_eq!(
            one("available in https://github.com/user/Repo-Name{RepoName}."),
            "https://github.com/user/Repo-Name"
        );
        assert_eq!(
            one("https://github.com/org/repo{Display Text}."),
            "https://github.com/org/repo"
        );
    }

    #[test]
    fn space_before_period() {
        assert_eq!(
            one("Code is available at: https://lab-name.github.io/PROJ ."),
            "https://lab-name.github.io/PROJ"
        );
    }

    #[test]
    fn slash_then_period_keeps_slash() {
        assert_eq!(
            one("Our code and demos are available at https://user.github.io/Proj/."),
            "https://user.github.io/Proj/"
        );
    }

    #[test]
    fn host_with_trailing_dot_keeps_path() {
        assert_eq!(
            one("at https://mirror.example.org./org/model."),
            "https://mirror.example.org./org/model"
        );
        assert_eq!(
            one("at https://mirror.host.example./Org/Model."),
            "https://mirror.host.example./Org/Model"
        );
    }

    #[test]
    fn two_urls_in_one_sentence() {
        assert_eq!(
            urls("project page at https://a.github.io/X, and code at https://github.com/a/X"),
            vec!["https://a.github.io/X", "https://github.com/a/X"]
        );
    }

    #[test]
    fn semicolon_or_comma_before_a_scheme_separates_urls() {
        assert_eq!(
            urls(";https://a.example.org/;http://b.example.org/x;;HTTPS://c.example.org"),
            vec![
                "https://a.example.org/",
                "http://b.example.org/x",
                "HTTPS://c.example.org"
            ]
        );
        assert_eq!(
            urls("https://a.example.org/p,https://b.example.org/"),
            vec!["https://a.example.org/p", "https://b.example.org/"]
        );
        // Not before a scheme: part of the URL.
        assert_eq!(
            one("https://a.example.org/p;jsessionid=1,2?u=https://b.example.org/"),
            "https://a.example.org/p;jsessionid=1,2?u=https://b.example.org/"
        );
    }

    #[test]
    fn end_of_line_without_punctuation() {
        assert_eq!(
            one("are available at https://lab.example.org/tool"),
            "https://lab.example.org/tool"
        );
        assert_eq!(
            one("at https://github.com/Org/Repo promoting further research"),
            "https://github.com/Org/Repo"
        );
    }

    #[test]
    fn angle_brackets() {
        assert_eq!(
            one("code: <https://github.com/a/b>."),
            "https://github.com/a/b"
        );
    }

    #[test]
    fn parentheses_around() {
        assert_eq!(
            one("code (https://github.com/a/b)."),
            "https://github.com/a/b"
        );
    }

    #[test]
    fn markdown_link_syntax_in_text() {
        assert_eq!(
            one("[our code](https://github.com/a/b)."),
            "https://github.com/a/b"
        );
    }

    #[test]
    fn quotes_around() {
        assert_eq!(
            one("at \"https://github.com/a/b\"."),
            "https://github.com/a/b"
        );
        assert_eq!(
            one("at “https://github.com/a/b”."),
            "https://github.com/a/b"
        );
        assert_eq!(
            one("at 'https://github.com/a/b'."),
            "https://github.com/a/b"
        );
    }

    #[test]
    fn cjk_punctuation_ends_url() {
        for p in [
            "。", "，", "）", "、", "」", "；", "：", "！", "？", "】", "》",
        ] {
            assert_eq!(
                one(&format!("代码见https://github.com/a/b{p}谢谢")),
                "https://github.com/a/b",
                "{p}"
            );
        }
        assert_eq!(one("（https://github.com/a/b）"), "https://github.com/a/b");
    }

    #[test]
    fn www_without_scheme() {
        let mut v = Vec::new();
        find_urls("see www.example.org/path.", |m| v.push((m.start, m.url)));
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].0, 4, "position points at www");
        assert_eq!(v[0].1, "http://www.example.org/path");
    }

    #[test]
    fn email_is_not_a_link() {
        assert!(urls("contact kaiming@example.org for data").is_empty());
        assert!(urls("mail user@www.example.org now").is_empty());
    }

    #[test]
    fn only_http_schemes() {
        assert!(urls("ftp://example.org/x and file:///etc/passwd mailto:x@y.z").is_empty());
        assert_eq!(one("HTTPS://GitHub.com/a/b."), "HTTPS://GitHub.com/a/b");
        assert_eq!(one("Http://x.org"), "Http://x.org");
    }

    #[test]
    fn scheme_glued_to_previous_word() {
        assert_eq!(
            one("available athttps://github.com/a/b."),
            "https://github.com/a/b"
        );
    }

    #[test]
    fn line_wrapped_url_takes_what_is_on_the_line() {
        assert_eq!(one("at https://github.com/org/"), "https://github.com/org/");
    }

    #[test]
    fn idn_host_kept() {
        assert_eq!(
            one("see https://bücher.example/katalog."),
            "https://bücher.example/katalog"
        );
        assert_eq!(
            one("見て https://例え.テスト/パス。"),
            "https://例え.テスト/パス"
        );
    }

    #[test]
    fn ipv6_literal() {
        assert_eq!(one("run at http://[::1]:8080/x."), "http://[::1]:8080/x");
        assert_eq!(one("(http://[2001:db8::1]/a)"), "http://[2001:db8::1]/a");
    }

    #[test]
    fn one_megabyte_url_emitted() {
        let long = format!("https://example.org/{}", "a".repeat(1 << 20));
        let text = format!("see {long}. end");
        assert_eq!(one(&text), long);
    }

    #[test]
    fn scheme_without_host_ignored() {
        assert!(urls("http:// and https://. and http://.x and www. x").is_empty());
    }

    #[test]
    fn query_and_fragment_kept() {
        assert_eq!(
            one("see https://x.org/a?b=1&c=2#frag."),
            "https://x.org/a?b=1&c=2#frag"
        );
    }

    #[test]
    fn clean_url_whole_value() {
        assert_eq!(
            clean_url(" https://github.com/a/b.git").map(|(o, u)| (o, u.into_owned())),
            Some((1, "https://github.com/a/b.git".to_string()))
        );
        assert!(clean_url("./relative/path").is_none());
        assert!(clean_url("see https://x.org").is_none());
    }
}
