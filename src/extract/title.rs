//! Paper titles: how the raw text of a unit's title element becomes the
//! `paper` value. Shared by the Markdown and HTML extractors. Pure.
//!
//! In order: leading blanks dropped; the text is cut where a description
//! begins (a double space, a line break — `<br>` arrives here as a line
//! break —, or ` - ` / ` — ` / `: ` followed by a sentence: at least six
//! words opening with `We`/`This`/`Our`/... — after a dash, with any
//! lower-case word — or holding a lower-case `we`,
//! `is`, `are`, `has`, ...); a numbering prefix (`5) `,
//! `1. `, `(3) `, `[12] `, `[12]`) is dropped; a plain title's citation tail
//! (` (2016), K. Greff et al. [[pdf]]`) is cut, and then the text before it
//! is taken as a title (no `Name: description` cut); a title-cased rest
//! after `: ` is a subtitle, not a description; leftover markup characters (`*`, `_`,
//! `` ` ``) at the ends and trailing `.`, `,`, `:`, `;`, `|`, `-` are
//! trimmed; whitespace is collapsed.

/// The cleaned title of a unit's plain title text (a cell's or a line's
/// text, no markup around the title): cut where a description, a year, the
/// authors or a trailing `[pdf]` label begins.
pub fn clean_title(raw: &str) -> String {
    let t = raw.trim_start();
    let b = t.as_bytes();
    let end = description_start(b);
    let mut t = &t[..end];
    for sep in [" - ", " — ", " – ", ": ", "： "] {
        if let Some(i) = find_short(t, sep)
            && is_sentence(&t[i + sep.len()..], sep != ": " && sep != "： ")
        {
            t = &t[..i];
        }
    }
    let cited = cut_citation(t);
    // A citation tail (` (2016), K. Greff et al.`) marks what is before it
    // as a title: `LSTM: A search space odyssey (2016), ...` keeps its
    // subtitle.
    let t = if cited.len() < t.len() {
        cited
    } else {
        cut_description_after_colon(t)
    };
    finish(t)
}

/// The title a delimiting element gives (bold text, a link's text,
/// `<papertitle>`, a heading, a card's title element): whole, only a
/// numbering prefix, markup characters and trailing punctuation dropped and
/// whitespace collapsed (issue 22).
pub fn clean_whole(raw: &str) -> String {
    finish(raw.trim_start())
}

/// A heading's title: its text whole, but not the link labels after it
/// (`### Title [[Paper]](..) [[Code]](..)`) nor what follows a line break
/// or a double space.
pub fn clean_heading(raw: &str) -> String {
    let t = raw.trim_start();
    let t = &t[..description_start(t.as_bytes())];
    finish(cut_label(t))
}

/// Before the first ` [label]` (a bracketed role label).
fn cut_label(t: &str) -> &str {
    for i in memchr::memmem::find_iter(t.as_bytes(), b" [") {
        let r = &t[i + 2..];
        if let Some(close) = r.find(']')
            && super::role::is_label(&r[..close])
        {
            return &t[..i];
        }
    }
    t
}

/// Where a plain title's citation tail begins: ` (2017)`, `, K. He et
/// al.`, ` [pdf]`.
fn cut_citation(t: &str) -> &str {
    let b = t.as_bytes();
    let mut end = t.len();
    // ` (YEAR`, or `(YEAR)` touching the word before it (`Models(2017)`)
    for i in memchr::memchr_iter(b'(', b) {
        let y = &b[i + 1..];
        let year = y.len() >= 4
            && y[..4].iter().all(u8::is_ascii_digit)
            && matches!(&y[..2], b"19" | b"20");
        let spaced = i > 0 && b[i - 1] == b' ';
        if year && (spaced || (i > 0 && y.get(4) == Some(&b')'))) {
            end = end.min(if spaced { i - 1 } else { i });
            break;
        }
    }
    // `, A. Author` (an initial after a comma) or `..., Name et al.`
    for i in memchr::memmem::find_iter(b, b", ") {
        let r = &b[i + 2..];
        if r.len() >= 2 && r[0].is_ascii_uppercase() && r[1] == b'.' {
            end = end.min(i);
            break;
        }
    }
    if let Some(k) = memchr::memmem::find(b, b" et al")
        && let Some(i) = memchr::memmem::rfind(&b[..k], b", ")
    {
        end = end.min(i);
    }
    // ` [pdf]`, ` [code]`: a bracketed role label.
    cut_label(&t[..end])
}

/// `Name: a library for ...` (a plain bullet `- X: description`): the
/// name, when what follows the first `: ` reads as a description: it opens
/// in lower case, or with `A`/`An`/`The` and then a lower-case word that is
/// not a small word, or holds a lower-case `is`/`are`/`we`/... — not a
/// subtitle (`BERT: Pre-training of Deep ...`, `ViT: An Image Is Worth
/// ...`, `Swin-Unet: Unet-like pure transformer for ...`).
fn cut_description_after_colon(t: &str) -> &str {
    const SMALL: [&str; 16] = [
        "a", "an", "the", "of", "for", "and", "or", "in", "on", "with", "to", "via", "from", "by",
        "at", "as",
    ];
    const VERBS: [&str; 10] = [
        "is", "are", "was", "were", "we", "our", "that", "which", "provides", "allows",
    ];
    let Some(i) = find_short(t, ": ") else {
        return t;
    };
    let (head, rest) = (&t[..i], &t[i + 2..]);
    if head.split_whitespace().nth(3).is_some() || !head.chars().any(char::is_alphabetic) {
        return t;
    }
    let mut words = rest.split_whitespace();
    let Some(first) = words.next() else {
        return t;
    };
    let lower = |w: &str| w.chars().next().is_some_and(char::is_lowercase);
    let article = matches!(first, "A" | "An" | "The")
        && rest
            .split_whitespace()
            .skip(1)
            .take(3)
            .any(|w| lower(w) && !SMALL.contains(&w));
    let verb = rest.split_whitespace().any(|w| VERBS.contains(&w));
    // A subtitle capitalises most of its words (`BANSAC: A dynamic
    // BAyesian Network for adaptive SAmple Consensus`); a description
    // few of them (`Name: a library for parsing JSON files`).
    let (mut words, mut capital) = (0, 0);
    for w in rest
        .split_whitespace()
        .skip(1)
        .filter(|w| !SMALL.contains(w))
    {
        words += 1;
        capital += usize::from(w.chars().next().is_some_and(char::is_uppercase));
    }
    let title_cased = words >= 2 && capital * 2 > words;
    if !title_cased && (lower(first) || article || verb) {
        head
    } else {
        t
    }
}

fn finish(t: &str) -> String {
    let t = drop_numbering(t);
    let t = t.trim_matches(|c: char| matches!(c, '*' | '_' | '`') || c.is_whitespace());
    let t = t.trim_end_matches(|c: char| {
        matches!(c, '.' | ',' | ':' | ';' | '|' | '-' | '：' | '。') || c.is_whitespace()
    });
    let mut out = String::with_capacity(t.len());
    for w in t.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// A description rather than a subtitle: at least six words, opening like
/// a sentence (`We`, `This`, `Our`, ..., or after a dash any lower-case
/// word) or holding a lower-case verb or pronoun (`we`, `is`, `are`, ...)
/// that title-cased subtitles do not have.
/// `str::find` for short texts and needles, without building a searcher.
/// The first line break or tab, or the first of two spaces in a row, or
/// the end: one pass over the bytes.
fn description_start(b: &[u8]) -> usize {
    let mut space = false;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'\n' | b'\t' | b'\r' => return i,
            b' ' if space => return i - 1,
            b' ' => space = true,
            _ => space = false,
        }
    }
    b.len()
}

fn find_short(hay: &str, needle: &str) -> Option<usize> {
    let n = needle.as_bytes();
    // Look for the first byte that is not a space (rarer in titles).
    let k = usize::from(n[0] == b' ' && n.len() > 1);
    let h = hay.as_bytes();
    memchr::memchr_iter(n[k], h)
        .filter(|&i| i >= k)
        .map(|i| i - k)
        .find(|&i| h[i..].starts_with(n))
}

fn is_sentence(s: &str, after_dash: bool) -> bool {
    const OPENERS: [&str; 7] = ["We", "This", "Our", "These", "Here", "It", "In"];
    const WORDS: [&str; 9] = [
        "we", "our", "is", "are", "was", "were", "has", "have", "this",
    ];
    let mut words = s
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()));
    let Some(first) = words.next() else {
        return false;
    };
    // After a dash, a description may open in lower case ("- introduces
    // a framework that ..."); a subtitle there is title-cased.
    let lower = after_dash && first.chars().next().is_some_and(char::is_lowercase);
    let opener = OPENERS.contains(&first) || lower;
    let (mut count, mut word) = (0, false);
    for w in words {
        count += 1;
        word = word || WORDS.contains(&w);
        if count >= 5 && (opener || word) {
            return true;
        }
    }
    false
}

/// Drops `5) `, `1. `, `(3) `, `[12] ` (or `[12]` before a letter), `#4 `
/// at the start.
fn drop_numbering(t: &str) -> &str {
    let b = t.as_bytes();
    let mut i = 0;
    let open = matches!(b.first(), Some(b'(' | b'[' | b'#'));
    if open {
        i += 1;
    }
    let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 4 {
        return t;
    }
    i += digits;
    match b.get(i) {
        Some(b')' | b']') if open || b[i] == b')' => i += 1,
        Some(b'.') if !open => i += 1,
        Some(b' ') if b.first() == Some(&b'#') => {}
        _ => return t,
    }
    // `[12]Title` (a bracketed number needs no space after it).
    let glued = b.first() == Some(&b'[') && b.get(i).is_some_and(u8::is_ascii_alphanumeric);
    if b.get(i) != Some(&b' ') && !glued {
        return t;
    }
    t[i..].trim_start()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn description_starts_where_the_pairwise_rule_says() {
        let pairwise = |b: &[u8]| {
            (0..b.len())
                .find(|&i| {
                    matches!(b[i], b'\n' | b'\t' | b'\r')
                        || (b[i] == b' ' && b.get(i + 1) == Some(&b' '))
                })
                .unwrap_or(b.len())
        };
        for t in [
            "", " ", "  ", "a  b", "a b  c", "a \tb", " \n", "ab c\r d", "a b c", "x   ",
        ] {
            assert_eq!(
                description_start(t.as_bytes()),
                pairwise(t.as_bytes()),
                "{t:?}"
            );
        }
    }

    #[test]
    fn cuts_descriptions_and_numbering() {
        let cases = [
            (
                "5) Spurious Rewards  This work challenges the view that ...",
                "Spurious Rewards",
            ),
            ("1. Attention Is All You Need.", "Attention Is All You Need"),
            ("  [12] Title\nsecond line", "Title"),
            (
                "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
                "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
            ),
            (
                "Mamba - We present a new architecture that scales linearly in sequence length.",
                "Mamba",
            ),
            ("**Bold**", "Bold"),
            (
                "Causal: On Neural Rewards Distilled Efficient Attention for Rewards.",
                "Causal: On Neural Rewards Distilled Efficient Attention for Rewards",
            ),
            (
                "Probing: this paper is about probing language models in depth",
                "Probing",
            ),
            ("2017 Transformer", "2017 Transformer"),
            ("3.5 Sonnet card", "3.5 Sonnet card"),
            ("a   b", "a"),
            (
                "Self-Adaptive LLMs - introduces a framework that adapts models to unseen tasks",
                "Self-Adaptive LLMs",
            ),
            (
                "Mamba - Linear-Time Sequence Modeling with Selective State Spaces",
                "Mamba - Linear-Time Sequence Modeling with Selective State Spaces",
            ),
            ("", ""),
            // issue 22, public lists: a citation tail keeps the subtitle
            // before it; `(YEAR)` glued to a word is a tail too; a
            // title-cased subtitle is not a description; `[28]Title`.
            (
                "LSTM: A search space odyssey (2016), K. Greff et al. [[pdf]]",
                "LSTM: A search space odyssey",
            ),
            (
                "Sequence-to-sequence Models(2017): A Tutorial, G. Neubig.",
                "Sequence-to-sequence Models",
            ),
            (
                "BANSAC: A dynamic BAyesian Network for adaptive SAmple Consensus",
                "BANSAC: A dynamic BAyesian Network for adaptive SAmple Consensus",
            ),
            ("Tool: a library for parsing JSON files", "Tool"),
            ("Tool: A library for parsing Markdown and HTML", "Tool"),
            (
                "[28]Curricular Object Manipulation",
                "Curricular Object Manipulation",
            ),
            ("[2]3D Line Mapping Revisited", "3D Line Mapping Revisited"),
            ("Model(s) of 2017 (v2)", "Model(s) of 2017 (v2)"),
        ];
        for (raw, want) in cases {
            assert_eq!(clean_title(raw), want, "{raw:?}");
        }
    }
}
