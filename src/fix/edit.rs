//! Byte-exact edits of one line (issue 25): where a recorded (line,
//! column) puts a URL in the raw bytes, and the bytes that replace it.
//!
//! Columns are characters as the extractors count them (UTF-8 with each
//! invalid sequence one character, as `String::from_utf8_lossy` makes it);
//! only the URL's bytes change (and, in Markdown, link text equal to it);
//! HTML values are compared entity-decoded and written with the file's
//! quoting and `&amp;` style. A link already rewritten (a second run) is
//! recognised and shifts the later columns of its line by what its first
//! rewrite shifted them. Pure: never does I/O.

use crate::extract::Format;

/// One link of a line to rewrite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// 1-based, in characters, as recorded in links.csv.
    pub column: usize,
    pub old: String,
    pub new: String,
}

/// How the file writes `&` in HTML values it holds no example of.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    /// The file holds `&amp;` somewhere.
    pub amp_entities: bool,
}

/// Characters in `bytes` as the extractors count them.
pub fn char_count(bytes: &[u8]) -> usize {
    bytes
        .utf8_chunks()
        .map(|c| c.valid().chars().count() + usize::from(!c.invalid().is_empty()))
        .sum()
}

/// The byte offset of the character after the first `n` of `line`.
fn byte_of_char(line: &[u8], n: usize) -> Option<usize> {
    let (mut left, mut at) = (n, 0);
    for c in line.utf8_chunks() {
        for (i, ch) in c.valid().char_indices() {
            if left == 0 {
                return Some(at + i);
            }
            left -= 1;
            let _ = ch;
        }
        at += c.valid().len();
        if !c.invalid().is_empty() {
            if left == 0 {
                return Some(at);
            }
            left -= 1;
            at += c.invalid().len();
        }
    }
    (left == 0).then_some(at)
}

/// Where a URL sits: its byte ranges (two for Markdown `[URL](URL)`) and
/// how its value is written.
struct Site {
    ranges: Vec<(usize, usize)>,
    /// HTML: the quote around the value, if any, and whether `&` is `&amp;`.
    quote: Option<u8>,
    amp: bool,
}

/// The new line, `Ok(None)` when nothing changes, `Err(column)` when a
/// recorded column holds neither the old URL nor the new one.
pub fn edit_line(
    line: &[u8],
    format: Format,
    changes: &[Change],
    style: Style,
) -> Result<Option<Vec<u8>>, usize> {
    let mut edits: Vec<(usize, usize, Vec<u8>)> = Vec::new();
    let mut shift: isize = 0;
    let mut last_column = 0;
    for ch in changes {
        if ch.column == last_column {
            continue;
        }
        last_column = ch.column;
        let col = usize::try_from(ch.column as isize - 1 + shift).map_err(|_| ch.column)?;
        let p = byte_of_char(line, col).ok_or(ch.column)?;
        // When one URL begins the other, the longer match is what the
        // extractor recorded (it takes a URL whole): a second run must not
        // take `/a-x` for `/a` again.
        let span = |s: &Site| s.ranges[0].1 - s.ranges[0].0;
        let was = locate(line, p, &ch.old, format, style);
        let done = locate(line, p, &ch.new, format, style);
        match (was, done) {
            (Some(site), done) if done.as_ref().is_none_or(|d| span(&site) >= span(d)) => {
                let bytes = encode(&ch.new, &site);
                edits.extend(site.ranges.iter().map(|&(a, b)| (a, b, bytes.clone())));
            }
            (_, Some(site)) => {
                let was = char_count(&encode(&ch.old, &site)) as isize;
                let (a, b) = site.ranges[0];
                shift += (char_count(&line[a..b]) as isize - was) * site.ranges.len() as isize;
            }
            (_, None) => return Err(ch.column),
        }
    }
    if edits.is_empty() {
        return Ok(None);
    }
    edits.sort_by_key(|e| e.0);
    let mut out = Vec::with_capacity(line.len() + 64);
    let mut at = 0;
    for (a, b, bytes) in edits {
        if a < at {
            continue;
        }
        out.extend_from_slice(&line[at..a]);
        out.extend_from_slice(&bytes);
        at = b;
    }
    out.extend_from_slice(&line[at..]);
    Ok((out != line).then_some(out))
}

/// `url` at byte `p` of `line`, as `format` writes it.
fn locate(line: &[u8], p: usize, url: &str, format: Format, style: Style) -> Option<Site> {
    let rest = &line[p..];
    let len = match format {
        Format::Html => decoded_len(rest, url.as_bytes())
            .or_else(|| www(url).and_then(|u| decoded_len(rest, u.as_bytes())))?,
        _ => {
            if rest.starts_with(url.as_bytes()) {
                url.len()
            } else {
                let u = www(url).filter(|u| rest.starts_with(u.as_bytes()))?;
                u.len()
            }
        }
    };
    let mut ranges = vec![(p, p + len)];
    if format == Format::Markdown && p > 0 && line[p - 1] == b'[' {
        let after = &line[p + len..];
        for open in [&b"]("[..], b"](<"] {
            let at = p + len + open.len();
            if after.starts_with(open) && line[at..].starts_with(&line[p..p + len]) {
                ranges.push((at, at + len));
                break;
            }
        }
    }
    let quote = (format == Format::Html && p > 0 && matches!(line[p - 1], b'"' | b'\''))
        .then(|| line[p - 1]);
    let raw = &line[p..p + len];
    let amp = format == Format::Html
        && (memchr::memmem::find(raw, b"&amp;").is_some()
            || (!raw.contains(&b'&') && style.amp_entities));
    Some(Site { ranges, quote, amp })
}

/// A `www.` form written without its scheme (`http://` is the extractor's).
fn www(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("http://")?;
    rest.get(..4)
        .filter(|w| w.eq_ignore_ascii_case("www."))
        .map(|_| rest)
}

/// The new URL's bytes in the site's style.
fn encode(url: &str, site: &Site) -> Vec<u8> {
    let mut out = Vec::with_capacity(url.len());
    for b in url.bytes() {
        match b {
            b'&' if site.amp => out.extend_from_slice(b"&amp;"),
            b'"' if site.quote == Some(b'"') => out.extend_from_slice(b"&quot;"),
            b'\'' if site.quote == Some(b'\'') => out.extend_from_slice(b"&#39;"),
            _ => out.push(b),
        }
    }
    out
}

/// How many raw bytes of `raw` decode (HTML character references) to `want`.
fn decoded_len(raw: &[u8], want: &[u8]) -> Option<usize> {
    let (mut r, mut w) = (0, 0);
    while w < want.len() {
        let (byte, used) = match raw.get(r)? {
            b'&' => reference(&raw[r..]).unwrap_or((b'&', 1)),
            &b => (b, 1),
        };
        if byte != want[w] {
            return None;
        }
        r += used;
        w += 1;
    }
    Some(r)
}

/// An ASCII character reference at the start of `raw`: its byte and length.
fn reference(raw: &[u8]) -> Option<(u8, usize)> {
    let end = raw.iter().take(12).position(|&b| b == b';')?;
    let name = std::str::from_utf8(&raw[1..end]).ok()?;
    let code = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
        u32::from_str_radix(hex, 16).ok()?
    } else if let Some(dec) = name.strip_prefix('#') {
        dec.parse().ok()?
    } else {
        match name {
            "amp" => 38,
            "quot" => 34,
            "apos" => 39,
            "lt" => 60,
            "gt" => 62,
            "sol" => 47,
            "colon" => 58,
            "equals" => 61,
            "quest" => 63,
            "num" => 35,
            "percnt" => 37,
            _ => return None,
        }
    };
    u8::try_from(code)
        .ok()
        .filter(u8::is_ascii)
        .map(|b| (b, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ch(column: usize, old: &str, new: &str) -> Change {
        Change {
            column,
            old: old.into(),
            new: new.into(),
        }
    }

    fn edit(line: &str, f: Format, changes: &[Change]) -> Result<Option<String>, usize> {
        edit_line(line.as_bytes(), f, changes, Style::default())
            .map(|o| o.map(|b| String::from_utf8(b).unwrap()))
    }

    #[test]
    fn non_ascii_before_the_link_and_three_links_on_a_line() {
        let line = "Ünïcødé 😀 https://a.org/1 x https://a.org/2 https://a.org/1\r\n";
        let col = |s: &str, nth: usize| {
            let i = line.match_indices(s).nth(nth).unwrap().0;
            line[..i].chars().count() + 1
        };
        let changes = [
            ch(
                col("https://a.org/1", 0),
                "https://a.org/1",
                "https://a.org/one",
            ),
            ch(
                col("https://a.org/2", 0),
                "https://a.org/2",
                "https://b.org/2",
            ),
            ch(
                col("https://a.org/1", 1),
                "https://a.org/1",
                "https://a.org/one",
            ),
        ];
        let once = edit(line, Format::Text, &changes).unwrap().unwrap();
        assert_eq!(
            once,
            "Ünïcødé 😀 https://a.org/one x https://b.org/2 https://a.org/one\r\n"
        );
        // A second run over the rewritten line changes nothing.
        assert_eq!(edit(&once, Format::Text, &changes), Ok(None));
        // A shifted line is refused.
        assert_eq!(
            edit(&format!("x{line}"), Format::Text, &changes[..1]),
            Err(changes[0].column)
        );
    }

    #[test]
    fn markdown_link_text_equal_to_the_url_changes_too() {
        let line = "[https://a.org/x](https://a.org/x) and <https://a.org/x>";
        let changes = [
            ch(2, "https://a.org/x", "https://a.org/yy"),
            ch(41, "https://a.org/x", "https://a.org/yy"),
        ];
        let once = edit(line, Format::Markdown, &changes).unwrap().unwrap();
        assert_eq!(
            once,
            "[https://a.org/yy](https://a.org/yy) and <https://a.org/yy>"
        );
        assert_eq!(edit(&once, Format::Markdown, &changes), Ok(None));
    }

    #[test]
    fn html_entities_and_quotes_are_kept() {
        let line = "<a href='https://a.org/?a=1&amp;b=2'>x</a>";
        let changes = [ch(
            10,
            "https://a.org/?a=1&b=2",
            "https://a.org/new?a=1&b='2'",
        )];
        let once = edit(line, Format::Html, &changes).unwrap().unwrap();
        assert_eq!(
            once,
            "<a href='https://a.org/new?a=1&amp;b=&#39;2&#39;'>x</a>"
        );
        assert_eq!(edit(&once, Format::Html, &changes), Ok(None));
    }

    #[test]
    fn invalid_utf8_counts_as_lossy_does() {
        let line = b"\xff\xfe ab https://a.org/x";
        let lossy = String::from_utf8_lossy(line);
        let col = lossy[..lossy.find("https").unwrap()].chars().count() + 1;
        let out = edit_line(
            line,
            Format::Text,
            &[ch(col, "https://a.org/x", "https://a.org/y")],
            Style::default(),
        );
        assert_eq!(out, Ok(Some(b"\xff\xfe ab https://a.org/y".to_vec())));
    }
}
