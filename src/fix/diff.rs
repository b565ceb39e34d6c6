//! The unified diff `fix --dry-run` prints: hunks of three lines of
//! context, `\ No newline at end of file` where it applies, headers
//! `--- ./NAME` / `+++ ./NAME` (a relative name with `./`, so both
//! `patch -p0` and `git apply`'s default `-p1` find the file).
//! Pure: the caller streams the file's lines in.

use std::collections::BTreeMap;
use std::io::{self, Write};

const CONTEXT: usize = 3;

/// The header name of an input.
pub fn header_name(name: &str) -> String {
    if name.starts_with('/') || name.starts_with("./") {
        name.to_string()
    } else {
        format!("./{name}")
    }
}

/// Hunks as 1-based line ranges, from the changed lines and the line count.
pub fn hunks(changed: &BTreeMap<usize, Vec<u8>>, lines: usize) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for &n in changed.keys() {
        let (a, b) = (n.saturating_sub(CONTEXT).max(1), (n + CONTEXT).min(lines));
        match out.last_mut() {
            Some(last) if a <= last.1 + 1 => last.1 = b,
            _ => out.push((a, b)),
        }
    }
    out
}

/// Writes the diff of one file. `lines` yields the file's lines with
/// their line ends, in order.
pub fn write_diff(
    name: &str,
    lines: impl Iterator<Item = io::Result<Vec<u8>>>,
    count: usize,
    changed: &BTreeMap<usize, Vec<u8>>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let name = header_name(name);
    writeln!(out, "--- {name}\n+++ {name}")?;
    let hunks = hunks(changed, count);
    let mut next = hunks.iter().peekable();
    let mut body: Vec<u8> = Vec::new();
    for (i, line) in lines.enumerate() {
        let (n, line) = (i + 1, line?);
        let Some(&&(a, b)) = next.peek() else { break };
        if n < a {
            continue;
        }
        match changed.get(&n) {
            Some(new) => {
                push_line(&mut body, b'-', &line);
                push_line(&mut body, b'+', new);
            }
            None => push_line(&mut body, b' ', &line),
        }
        if n == b {
            let len = b - a + 1;
            writeln!(out, "@@ -{a},{len} +{a},{len} @@")?;
            out.write_all(&body)?;
            body.clear();
            next.next();
        }
    }
    Ok(())
}

fn push_line(body: &mut Vec<u8>, mark: u8, line: &[u8]) {
    body.push(mark);
    body.extend_from_slice(line);
    if !line.ends_with(b"\n") {
        body.extend_from_slice(b"\n\\ No newline at end of file\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_changes_share_a_hunk_and_far_ones_do_not() {
        let changed: BTreeMap<usize, Vec<u8>> = [(2, vec![]), (8, vec![]), (20, vec![])].into();
        assert_eq!(hunks(&changed, 21), vec![(1, 11), (17, 21)]);
    }

    #[test]
    fn a_last_line_without_newline_is_marked() {
        let lines = ["a\n", "b"].map(|l| Ok(l.as_bytes().to_vec()));
        let changed: BTreeMap<usize, Vec<u8>> = [(2, b"c".to_vec())].into();
        let mut out = Vec::new();
        write_diff("x.md", lines.into_iter(), 2, &changed, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "--- ./x.md\n+++ ./x.md\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"
        );
    }
}
