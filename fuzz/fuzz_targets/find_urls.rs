//! Fuzz target: the URL finder on arbitrary text: offsets are in bounds and
//! on char boundaries, results are in order, and every URL parses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paperlinks::extract::clean::{MAX_VALIDATED_LEN, find_urls};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut last = 0usize;
    find_urls(&text, |m| {
        assert!(m.start >= last && m.start < text.len() && text.is_char_boundary(m.start));
        last = m.start + 1;
        assert!(m.url.len() > MAX_VALIDATED_LEN || url::Url::parse(&m.url).is_ok(), "{}", m.url);
        let _ = paperlinks::extract::claims_code(&text);
    });
});
