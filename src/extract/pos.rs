//! Byte offsets -> 1-based line and column (in characters) for the formats
//! that hold a whole document (Markdown, HTML) or one item (JSON).
//! Never allocates per lookup.

/// Number of characters in `bytes` (UTF-8; counts non-continuation bytes,
/// so it is defined for any slice).
#[inline]
pub(crate) fn count_chars(bytes: &[u8]) -> usize {
    // A byte-wide sum per chunk of at most 255 bytes cannot overflow and
    // vectorises 16 or 32 bytes at a time.
    bytes
        .chunks(255)
        .map(|c| {
            usize::from(
                c.iter()
                    .fold(0u8, |n, &b| n.wrapping_add(u8::from((b & 0xC0) != 0x80))),
            )
        })
        .sum()
}

/// Line starts of a document (or of one run of a longer document, whose
/// first line is line `base + 1`).
pub(crate) struct LineIndex {
    starts: Vec<usize>,
    base: usize,
    /// The last answer (1-based line in the text, byte offset, column), 0
    /// for none: lookups mostly move forward along a line, so the next one
    /// counts characters from there instead of from the line start.
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        Self::with_base(text, 0)
    }

    /// For a text that starts after `base` lines of its document.
    pub(crate) fn with_base(text: &str, base: usize) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            starts,
            base,
            last: std::cell::Cell::new((0, 0, 0)),
        }
    }

    /// Lines in the text (line breaks).
    pub(crate) fn breaks(&self) -> usize {
        self.starts.len() - 1
    }

    /// The 1-based line of byte `offset` (no character counting).
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.base + self.starts.partition_point(|&s| s <= offset).max(1)
    }

    /// (line, column) of byte `offset` in `text` (clamped to its length);
    /// `text` is the one the index was built from.
    pub(crate) fn pos(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let (hint, at, col) = self.last.get();
        let line = if hint > 0 && self.holds(hint, offset) {
            hint
        } else if hint > 0 && self.holds(hint + 1, offset) {
            hint + 1
        } else {
            self.starts.partition_point(|&s| s <= offset).max(1)
        };
        let column = if line == hint && at <= offset {
            col + count_chars(&text.as_bytes()[at..offset])
        } else {
            count_chars(&text.as_bytes()[self.starts[line - 1]..offset]) + 1
        };
        self.last.set((line, offset, column));
        (self.base + line, column)
    }

    /// Whether 1-based `line` exists and holds byte `offset`.
    fn holds(&self, line: usize, offset: usize) -> bool {
        line <= self.starts.len()
            && self.starts[line - 1] <= offset
            && self.starts.get(line).is_none_or(|&next| offset < next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters_in_long_and_short_texts() {
        for t in [
            "",
            "a",
            "é",
            &"aé€😀".repeat(200),
            &"x".repeat(255),
            &"x".repeat(256),
        ] {
            assert_eq!(count_chars(t.as_bytes()), t.chars().count(), "{}", t.len());
        }
    }

    #[test]
    fn remembered_positions_agree_with_counting_from_the_line_start() {
        let text = "ab\ncdé f\n\nxyz\nü";
        let index = LineIndex::with_base(text, 3);
        let fresh = |off: usize| {
            let line = text[..off].matches('\n').count() + 1;
            let start = text[..off].rfind('\n').map_or(0, |i| i + 1);
            (3 + line, text[start..off].chars().count() + 1)
        };
        let offsets: Vec<usize> = (0..=text.len())
            .filter(|&o| text.is_char_boundary(o))
            .collect();
        // Forward, backward, jumping: every order gives the same answers.
        let mut order = offsets.clone();
        order.extend(offsets.iter().rev());
        order.extend([0, 9, 2, 2, 14, 5, 100]);
        for off in order {
            assert_eq!(index.pos(text, off), fresh(off.min(text.len())), "{off}");
        }
    }
}
