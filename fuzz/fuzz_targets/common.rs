//! The property every extraction target checks: extraction never panics on
//! any bytes, every Paper comes before the events that refer to it, and
//! every URL parses (or is over-long).

use paperlinks::extract::{Event, Format, clean::MAX_VALIDATED_LEN, extract};

pub fn check(format: Format, data: &[u8]) {
    let mut papers = 0usize;
    extract(format, data, &mut |e| match e {
        Event::Paper(p) => {
            assert_eq!(p.index, papers);
            papers += 1;
        }
        Event::Link(l) => {
            assert!(l.line >= 1 && l.column >= 1);
            assert!(l.paper.is_none_or(|i| i < papers));
            assert!(l.url.len() > MAX_VALIDATED_LEN || url::Url::parse(&l.url).is_ok(), "{}", l.url);
        }
        Event::ClaimsCode { paper } | Event::WithholdsCode { paper } => assert!(paper < papers),
    })
    .expect("reading a slice never fails");
    let _ = Format::detect(None, data);
}
