//! "Claims code": does an abstract say its code, models, weights or
//! implementation are (or will be) available, released, public or
//! open-sourced? One documented phrase list, compiled once.
//!
//! Never decides "without link" (the pipeline knows the paper's links) and
//! never looks at anything but the text it is given.
//!
//! # Phrase list
//! Case-insensitive, ASCII word boundaries, within one clause (no `.`, `!`,
//! `?` or `;` in between), where ARTIFACT is one of: `code`, `codes`,
//! `source code`, `implementation(s)`, `codebase`/`code base`,
//! `checkpoint(s)`, `weights`, `software`, `toolkit`, `models` (a `model`
//! only after `our`/`the`/`all`/`pretrained`/`trained`, or after `and` in a
//! list with another ARTIFACT); ARTIFACT words must be followed by a space,
//! sentence punctuation, `)` or the end (so `code-switching`, `codebook`, `codecs`, `encoder` never
//! count).
//! 1. ARTIFACT ... `is|are|will be|would be|has been|have been|can be|shall be`
//!    (up to two words such as `made publicly`) `available|released|public|
//!    open-sourced|accessible|published|shared|online`:
//!    "Code is available online.", "Our implementation will be made public.",
//!    "Source code and checkpoints are released."
//! 2. `we`/`authors` (`will`, `also`, `plan to`...) `release|open-source|
//!    publish|share` then, within four words, ARTIFACT:
//!    "We open-source the training code and weights.", "We release all checkpoints".
//! 3. `make`/`made` ... ARTIFACT ... `available|public|open-source`:
//!    "We make our code publicly available".
//! 4. `publicly available` / `open-source(d)` directly before ARTIFACT:
//!    "open-source code", "publicly available implementation".
//!
//! Near-misses that stay false: "publicly available benchmarks",
//! "open-source datasets", "open-source baselines", "code-switching",
//! "codebook", "video codecs", "encoder".

use std::sync::LazyLock;

use regex::Regex;

const ARTIFACT: &str = r"(?:(?:source\s+)?codes?|implementations?|code\s?base|checkpoints?|weights|software|toolkit|(?:our|the|all|pre-?trained|trained)\s+(?:[a-z0-9-]+\s+){0,2}?models?)";
const ARTIFACT_LIST: &str = r"(?:(?:source\s+)?codes?|implementations?|code\s?base|checkpoints?|weights|software|toolkit|models?)";
const END: &str = r"(?:[\s,.;:!?)]|$)";
const STATE: &str =
    r"(?:available|released|public|open[- ]?sourced|accessible|published|shared|online)";

static CLAIMS: LazyLock<Regex> = LazyLock::new(|| {
    let p1 = format!(
        r"\b{ARTIFACT}{END}(?:[^.!?;]{{0,40}}?\band\s+(?:[a-z0-9-]+\s+){{0,2}}?{ARTIFACT_LIST}{END})?[^.!?;]{{0,60}}?\b(?:is|are|will\s+be|would\s+be|has\s+been|have\s+been|can\s+be|shall\s+be)\s+(?:[a-z-]+\s+){{0,2}}?{STATE}\b"
    );
    let p2 = format!(
        r"\b(?:we|authors?)\s+(?:(?:will|also|further|publicly|plan\s+to|have|hereby)\s+)*(?:open[- ]?sourced?|releas(?:e|es|ed)|publish(?:ed)?|share[sd]?)\s+(?:[a-z0-9-]+\s+){{0,4}}?{ARTIFACT_LIST}{END}"
    );
    let p3 = format!(
        r"\bma(?:ke|de)\s+(?:[a-z0-9-]+\s+){{0,3}}?{ARTIFACT_LIST}\s+(?:[a-z-]+\s+){{0,2}}?(?:available|public|open[- ]?source)\b"
    );
    let p4 = format!(r"\b(?:publicly\s+available|open[- ]?sourced?)\s+{ARTIFACT_LIST}{END}");
    let pattern = format!("(?i:{p1}|{p2}|{p3}|{p4})").replace(r"\b", r"(?-u:\b)");
    Regex::new(&pattern).expect("claims pattern is valid")
});

/// True when `text` says its code/models/weights/implementation are (or
/// will be) available, released, public or open-sourced (see the module
/// docs for the phrase list).
pub fn claims_code(text: &str) -> bool {
    CLAIMS.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::claims_code;

    #[test]
    fn claims_true() {
        for s in [
            "Our implementation will be made public.",
            "Source code and checkpoints are released.",
            "We open-source the training code and weights.",
            "Code is available online.",
            "Our code will be released.",
            "Our implementation and checkpoints will be made publicly available.",
            "We release all checkpoints at https://x.org/a.",
            "We make our code publicly available.",
            "The pretrained models are publicly available.",
            "Code and models are available at https://github.com/a/b.",
            "We will release the code.",
            "Our source code is publicly available.",
        ] {
            assert!(claims_code(s), "{s}");
        }
    }

    #[test]
    fn claims_false() {
        for s in [
            "Experiments on publicly available benchmarks confirm the analysis.",
            "We train on open-source datasets.",
            "We compare with open-source baselines.",
            "We study code-switching in multilingual speech and the data is public.",
            "A learned codebook is shared across layers.",
            "Video codecs are widely available.",
            "The encoder is available in two sizes.",
            "We release a new benchmark.",
            "Code-switching corpora are publicly available.",
        ] {
            assert!(!claims_code(s), "{s}");
        }
    }
}
