//! Untrusted text on its way out (issue 23 item 9): titles, URLs, file
//! names and API strings come from other people's documents and servers.
//!
//! - On the terminal and in GitHub Actions annotations, control characters
//!   (C0 and C1, and DEL) are removed, tab excepted, so `ESC ] 0; ... BEL`
//!   cannot retitle a terminal nor `ESC [2J` clear it: [`terminal_safe`]
//!   (a line break becomes a space) and [`strip_controls`] (line breaks
//!   kept, for text whose own escaping encodes them).
//! - In Markdown, untrusted text is escaped so it never becomes a link,
//!   an image, HTML or an autolink ([`md_cell`]); a URL becomes a link only
//!   when it is `http(s)`, with `[`, `]`, `<`, `>`, `|` and white space
//!   percent-encoded so nothing inside it is syntax ([`md_url`],
//!   [`md_link`]).
//!
//! Pure functions; no I/O.

use std::borrow::Cow;

/// The characters removed: C0 (U+0000-U+001F) but tab, DEL, C1
/// (U+0080-U+009F).
pub fn is_removed_control(c: char) -> bool {
    c != '\t' && (c <= '\u{1f}' || ('\u{7f}'..='\u{9f}').contains(&c))
}

/// `text` without control characters (tab excepted); `\n` and `\r` kept.
pub fn strip_controls(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| is_removed_control(c) && c != '\n' && c != '\r')
    {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter(|&c| c == '\n' || c == '\r' || !is_removed_control(c))
            .collect(),
    )
}

/// `text` for one terminal line: control characters removed (tab
/// excepted), a line break turned into a space.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_removed_control) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter_map(|c| match c {
                '\n' | '\r' => Some(' '),
                c if is_removed_control(c) => None,
                c => Some(c),
            })
            .collect(),
    )
}

/// Escapes untrusted text for Markdown (a table cell, a list item): `|`
/// and line breaks; `<`/`>` as entities (no HTML); backslash escapes for
/// the characters that start emphasis, code, links and images (`* _ ` [ ]
/// ! ~ \`), for `@` (no e-mail autolink), for the `:` of `://` (no
/// `http://` autolink) and for the dot of `www.` (no `www.` autolink);
/// control characters removed.
pub fn md_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev: [char; 3] = [' '; 3];
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' | '\n' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '!' | '@' | '~' => {
                out.push('\\');
                out.push(c);
            }
            ':' if chars.peek() == Some(&'/') => out.push_str("\\:"),
            '.' if prev.iter().all(|p| p.eq_ignore_ascii_case(&'w')) => out.push_str("\\."),
            c if c.is_control() => {}
            c => out.push(c),
        }
        prev = [prev[1], prev[2], c];
    }
    out
}

/// True for an `http://` or `https://` URL (any case).
pub fn is_http(url: &str) -> bool {
    let head = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    head.starts_with("http://") || head.starts_with("https://")
}

/// The URL with the characters that could start Markdown syntax, end it
/// or split a table cell percent-encoded (`[ ] < > |`, white space, and
/// with `parens` `( )` too, for a link destination); controls removed.
/// Without `[` no link or image can start inside it.
fn encoded_url(url: &str, parens: bool) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '[' => out.push_str("%5B"),
            ']' => out.push_str("%5D"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '|' => out.push_str("%7C"),
            ' ' => out.push_str("%20"),
            '(' if parens => out.push_str("%28"),
            ')' if parens => out.push_str("%29"),
            c if c.is_control() || c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// A URL in Markdown: an `http(s)` URL bare (GitHub autolinks it), with
/// nothing inside it that could become syntax; anything else
/// (`javascript:`, `data:`, a mangled link) as escaped text, never a link.
pub fn md_url(url: &str) -> String {
    if is_http(url) {
        encoded_url(url, false)
    } else {
        md_cell(url)
    }
}

/// `[text](url)` for an `http(s)` URL, else the escaped text alone.
pub fn md_link(text: &str, url: &str) -> String {
    if is_http(url) {
        format!("[{}]({})", md_cell(text), encoded_url(url, true))
    } else {
        md_cell(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_go_tab_stays() {
        let evil = "a\u{1b}]0;pwned\u{7}b\u{1b}[2Jc\u{9b}31md\te\u{7f}f\u{0}";
        assert_eq!(terminal_safe(evil), "a]0;pwnedb[2Jc31md\tef");
        assert_eq!(terminal_safe("one\ntwo\r"), "one two ");
        assert_eq!(strip_controls("one\ntwo\u{1b}"), "one\ntwo");
        assert!(matches!(terminal_safe("plain ü"), Cow::Borrowed(_)));
    }

    #[test]
    fn markdown_text_never_becomes_a_link_image_or_autolink() {
        let cell = md_cell("[click](javascript:alert(1)) ![i](https://t.example/x.png)");
        assert_eq!(
            cell,
            "\\[click\\](javascript:alert(1)) \\!\\[i\\](https\\://t.example/x.png)"
        );
        assert_eq!(md_cell("see www.evil.example"), "see www\\.evil.example");
        assert_eq!(md_cell("mail a@b.example"), "mail a\\@b.example");
        assert_eq!(md_cell("<img src=x>"), "&lt;img src=x&gt;");
        assert_eq!(md_cell("spent: 2"), "spent: 2", "a plain colon stays");
    }

    #[test]
    fn only_http_urls_become_links_in_markdown() {
        assert_eq!(
            md_url("https://x.example/a b|c>[d](javascript:e)"),
            "https://x.example/a%20b%7Cc%3E%5Bd%5D(javascript:e)"
        );
        assert_eq!(md_url("javascript:alert(1)"), "javascript:alert(1)");
        assert_eq!(
            md_link("name](evil)", "https://x.example/a)b"),
            "[name\\](evil)](https://x.example/a%29b)"
        );
        assert_eq!(md_link("n", "data:text/html,x"), "n");
    }
}
