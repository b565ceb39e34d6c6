//! CSV formula-injection safety (issue 7, "Reports and secrets"): a cell
//! that a spreadsheet would evaluate as a formula is neutralised with a
//! leading apostrophe. Every text cell of a row record (`crate::rows`) is
//! written through [`neutralise`] and read back through [`restore`], so
//! the report writers and the previous-run reader cannot forget it. Numbers and dates we format ourselves are never touched.
//!
//! Never does I/O.
//!
//! # The encoding, and why it is unambiguous
//! Trigger characters: `=`, `+`, `-`, `@`, tab and carriage return.
//! A text is *formula-like* when, after skipping any leading apostrophes, it
//! starts with a trigger character. A formula-like text is written with one
//! more apostrophe in front (`=1+1` -> `'=1+1`, `'=1+1` -> `''=1+1`); every
//! other text is written as is. Reading removes one apostrophe from a cell
//! that has at least one and is formula-like. Written cells that start with
//! `'`+trigger come only from formula-like texts, so the mapping is a
//! bijection and the round trip is exact for every string (tested with
//! proptest). Spreadsheets show the first apostrophe as a text marker.

use std::borrow::Cow;

/// Every trigger is ASCII, so the first character after the apostrophes
/// is a trigger exactly when its first byte is one (a million rows write
/// twelve text cells each: no `char` decoding on this path).
fn formula_like(s: &str) -> bool {
    s.bytes()
        .find(|&b| b != b'\'')
        .is_some_and(|b| matches!(b, b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'))
}

/// The cell to write for a text value: prefixed with `'` when a spreadsheet
/// could take it for a formula (see the module docs).
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if formula_like(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The inverse of [`neutralise`], for cells read back from our own reports.
pub fn restore(cell: &str) -> Cow<'_, str> {
    if cell.starts_with('\'') && formula_like(cell) {
        Cow::Borrowed(&cell[1..])
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn neutralises_triggers() {
        for (input, want) in [
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'=x", "''=x"),
            ("'plain", "'plain"),
            ("https://a.b/=c", "https://a.b/=c"),
            ("", ""),
        ] {
            assert_eq!(neutralise(input), want, "{input:?}");
            assert_eq!(restore(&neutralise(input)), input, "{input:?}");
        }
    }

    proptest! {
        #[test]
        fn round_trip(s in "['=+@\\-\\t\\ra-z ]{0,6}") {
            let written = neutralise(&s);
            prop_assert_eq!(restore(&written), s.as_str());
        }
    }
}
