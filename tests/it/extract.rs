//! Extraction: paper attribution and positions in every format, format
//! detection, bad input, and property tests (no panics, URLs parse, the
//! same URLs whatever the format).

use paperlinks::extract::{Event, Format, FoundLink, PaperStart, extract, extract_str};
use proptest::prelude::*;

const LISTING: &str = include_str!("../fixtures/listing-page.txt");

fn links(events: &[Event]) -> Vec<FoundLink> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Link(l) => Some(l.clone()),
            _ => None,
        })
        .collect()
}

fn papers(events: &[Event]) -> Vec<PaperStart> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Paper(p) => Some(p.clone()),
            _ => None,
        })
        .collect()
}

fn claims(events: &[Event]) -> Vec<usize> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::ClaimsCode { paper } => Some(*paper),
            _ => None,
        })
        .collect()
}

fn urls(events: &[Event]) -> Vec<String> {
    links(events).into_iter().map(|l| l.url).collect()
}

fn bytes_events(format: Format, bytes: &[u8]) -> Vec<Event> {
    let mut v = Vec::new();
    extract(format, bytes, &mut |e| v.push(e)).unwrap();
    v
}

/// Every Link/ClaimsCode refers to a paper already announced.
fn assert_order(events: &[Event]) {
    let mut seen = 0usize;
    for e in events {
        match e {
            Event::Paper(p) => {
                assert_eq!(p.index, seen);
                seen += 1;
            }
            Event::Link(FoundLink { paper: Some(i), .. })
            | Event::ClaimsCode { paper: i }
            | Event::WithholdsCode { paper: i } => {
                assert!(
                    *i < seen,
                    "event refers to a paper not yet announced: {e:?}"
                )
            }
            Event::Link(_) => {}
        }
    }
}

// ---------------------------------------------------------------- text

#[test]
fn listing_sample_papers_and_links() {
    let ev = extract_str(Format::Text, LISTING);
    assert_order(&ev);
    let titles: Vec<String> = papers(&ev).into_iter().map(|p| p.title).collect();
    assert_eq!(
        titles,
        vec![
            "Sparse Routers for Tiny Language Models",
            "Graph Priors for Point Cloud Completion",
            "Compressing Speech Codecs with Learned Entropy Models",
            "On the Stability of Low-Rank Adapters",
            "Models Hub Mirrors for Reproducible Research",
        ]
    );
    let got: Vec<(String, Option<usize>)> =
        links(&ev).into_iter().map(|l| (l.url, l.paper)).collect();
    assert_eq!(
        got,
        vec![
            (
                "https://github.com/tiny-lm-lab/sparse-router".into(),
                Some(0)
            ),
            ("https://pc-lab.github.io/GraphPrior/".into(), Some(1)),
            ("https://github.com/pc-lab/GraphPrior.git".into(), Some(1)),
            ("https://github.com/audio-sys/lec".into(), Some(2)),
            (
                "https://models.mirror-example.org./lab/ckpt-7b".into(),
                Some(4)
            ),
            ("https://lab.example.edu/recipes".into(), Some(4)),
        ]
    );
    // The paper line is the title's line.
    assert_eq!(papers(&ev)[0].line, 11);
    assert_eq!(papers(&ev)[4].line, 27);
    // Claims: "Our code will be released." (no link) and others with links.
    let c = claims(&ev);
    assert!(c.contains(&3), "{c:?}");
    assert!(!c.contains(&1), "Graph Priors makes no claim: {c:?}");
}

#[test]
fn listing_sample_positions() {
    let ev = extract_str(Format::Text, LISTING);
    let l = &links(&ev)[0];
    let line = LISTING.lines().nth(l.line - 1).unwrap();
    let col = line.find("https://github.com/tiny-lm-lab").unwrap() + 1; // ASCII line
    assert_eq!((l.line, l.column), (13, col));
    for l in links(&ev) {
        let line = LISTING.lines().nth(l.line - 1).unwrap();
        let rest: String = line.chars().skip(l.column - 1).collect();
        assert!(rest.starts_with(&l.url), "{l:?} vs {rest:?}");
    }
}

#[test]
fn chrome_link_has_no_paper_and_chrome_is_never_a_paper() {
    let text = "New\n\nSubscribe at https://example.org/subscribe\n\nDaily Papers\n\nby AK and the research community\n\n\
Title One\n\nWe propose a method that works well on many benchmarks and we show this in detail. Code: https://github.com/a/one.\n";
    let ev = extract_str(Format::Text, text);
    assert_order(&ev);
    let ps = papers(&ev);
    assert_eq!(ps.len(), 1);
    assert_eq!(ps[0].title, "Title One");
    let ls = links(&ev);
    assert_eq!(ls[0].url, "https://example.org/subscribe");
    assert_eq!(ls[0].paper, None);
    assert_eq!(ls[1].paper, Some(0));
}

#[test]
fn chrome_line_directly_before_abstract_is_not_a_paper() {
    let text = "Subscribe\n\nWe propose a method that works well on many benchmarks and we show this in detail. Code: https://github.com/a/one.\n";
    let ev = extract_str(Format::Text, text);
    assert!(papers(&ev).is_empty());
    assert_eq!(links(&ev)[0].paper, None);
}

#[test]
fn short_abstract_is_abstract_like() {
    // 147 characters, as in the sample.
    let text = "A Title\n\nWe release all checkpoints at https://models.mirror-example.org./lab/ckpt-7b. and document the training recipe at https://lab.example.edu/recipes .\n";
    let ev = extract_str(Format::Text, text);
    assert_eq!(papers(&ev).len(), 1);
    assert!(links(&ev).iter().all(|l| l.paper == Some(0)));
}

#[test]
fn title_ending_in_question_mark_is_still_a_title() {
    let text = "Do Large Vision Models Really Need Attention in Every Layer of the Network?\n\n\
We study attention. It is not needed everywhere, as we show on twelve benchmarks with a simple ablation study. Code at https://github.com/q/a\n";
    let ev = extract_str(Format::Text, text);
    let ps = papers(&ev);
    assert_eq!(ps.len(), 1);
    assert!(ps[0].title.starts_with("Do Large"));
    assert_eq!(links(&ev)[0].paper, Some(0));
}

#[test]
fn link_in_title_line_belongs_to_its_paper() {
    let text = "Intro\n\nMyNet https://mynet.github.io\n\nWe introduce MyNet, a network that is small and fast, and we evaluate it on many tasks. It works.\n";
    let ev = extract_str(Format::Text, text);
    assert_order(&ev);
    assert_eq!(papers(&ev)[0].title, "MyNet https://mynet.github.io");
    assert_eq!(links(&ev)[0].paper, Some(0));
}

#[test]
fn crlf_line_numbers() {
    let text = LISTING.replace('\n', "\r\n");
    let a = extract_str(Format::Text, LISTING);
    let b = extract_str(Format::Text, &text);
    assert_eq!(a, b);
}

#[test]
fn cjk_before_url_column_in_characters() {
    let text = "标题\n\n我们提出了一种新方法。代码见 https://github.com/a/b。数据集和模型均已公开，欢迎使用。我们在多个基准上进行了大量实验并取得了很好的效果，这证明了我们方法的有效性和通用性，欢迎大家使用我们的代码和模型进行研究。\n";
    let ev = extract_str(Format::Text, text);
    let l = &links(&ev)[0];
    assert_eq!(l.url, "https://github.com/a/b");
    assert_eq!(l.line, 3);
    assert_eq!(
        l.column,
        "我们提出了一种新方法。代码见 ".chars().count() + 1
    );
}

#[test]
fn invalid_utf8_positions_still_right() {
    let mut bytes = b"T\n\n".to_vec();
    bytes.extend_from_slice(b"ab\xff\xfe cd https://x.org/a \xc3 end\r\nline https://y.org/b\n");
    let ev = bytes_events(Format::Text, &bytes);
    let ls = links(&ev);
    assert_eq!(ls.len(), 2);
    // "ab" + 2 replacement chars + " cd " = 8 chars before.
    assert_eq!(
        (ls[0].line, ls[0].column, ls[0].url.as_str()),
        (3, 9, "https://x.org/a")
    );
    assert_eq!(
        (ls[1].line, ls[1].column, ls[1].url.as_str()),
        (4, 6, "https://y.org/b")
    );
}

#[test]
fn enormous_line_is_chunked_and_urls_survive_boundaries() {
    // ~3 MiB single line without newline, URLs placed right around the
    // 1 MiB marks and spread elsewhere. All ASCII: column = byte + 1.
    let mut s = String::from("Title\n\n");
    let base = s.len();
    let mut expected = Vec::new();
    while s.len() - base < 3 * (1 << 20) {
        let near = (s.len() - base) % (1 << 20);
        if near > (1 << 20) - 64 || s.len() % 4099 < 6 {
            let u = format!("https://h{}.example.org/p", expected.len());
            expected.push((s.len() - base + 1, u.clone()));
            s.push_str(&u);
            s.push_str(". ");
        } else {
            s.push_str("lorem ");
        }
    }
    let ev = extract_str(Format::Text, &s);
    let got: Vec<(usize, String)> = links(&ev)
        .into_iter()
        .inspect(|l| assert_eq!(l.line, 3))
        .map(|l| (l.column, l.url))
        .collect();
    assert_eq!(got.len(), expected.len());
    assert!(got == expected);
}

#[test]
fn one_megabyte_url_in_text_is_emitted_whole() {
    let long = format!("https://example.org/{}", "a".repeat(1 << 20));
    let text = format!("T\n\nSee {long}. End of the abstract with some words.\n");
    let ev = extract_str(Format::Text, &text);
    assert_eq!(urls(&ev), vec![long]);
}

#[test]
fn run_without_whitespace_longer_than_cap_is_cut_and_extraction_goes_on() {
    // 17 MiB without any whitespace: the URL is cut at the 16 MiB cap
    // (documented), and the URL after the run is still found.
    let long = format!("https://example.org/{}", "a".repeat(17 << 20));
    let text = format!("T\n\n{long} https://after.example.org/x\n");
    let ev = extract_str(Format::Text, &text);
    let got = urls(&ev);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].len(), 16 << 20);
    assert!(long.starts_with(&got[0]));
    assert_eq!(got[1], "https://after.example.org/x");
    assert_eq!(links(&ev)[1].column, long.len() + 2);
}

#[test]
fn line_without_newline_at_eof() {
    let ev = extract_str(Format::Text, "see https://x.org/a");
    assert_eq!(urls(&ev), vec!["https://x.org/a"]);
}

// ---------------------------------------------------------------- markdown

#[test]
fn markdown_headings_lists_code_blocks() {
    let md = "# Reading list\n\nIntro https://intro.example.org\n\n## Paper A\n\nCode at [repo](https://github.com/a/a). See <https://a.github.io/>.\n\n```\nhttps://in.code.block/x\n```\n\n    https://indented.code/x\n\n- **Paper B** uses https://github.com/b/b.\n* [Paper C](https://c.github.io/C) and https://github.com/c/c\n";
    let ev = extract_str(Format::Markdown, md);
    assert_order(&ev);
    let titles: Vec<String> = papers(&ev).into_iter().map(|p| p.title).collect();
    assert_eq!(
        titles,
        vec!["Reading list", "Paper A", "Paper B", "Paper C"]
    );
    let got: Vec<(String, Option<usize>, usize, usize)> = links(&ev)
        .into_iter()
        .map(|l| (l.url, l.paper, l.line, l.column))
        .collect();
    assert_eq!(
        got,
        vec![
            ("https://intro.example.org".into(), Some(0), 3, 7),
            ("https://github.com/a/a".into(), Some(1), 7, 16),
            ("https://a.github.io/".into(), Some(1), 7, 46),
            ("https://github.com/b/b".into(), Some(2), 15, 20),
            ("https://c.github.io/C".into(), Some(3), 16, 13),
            ("https://github.com/c/c".into(), Some(3), 16, 40),
        ]
    );
    assert_eq!(papers(&ev)[1].line, 5);
}

#[test]
fn markdown_cjk_and_crlf_positions() {
    let md = "# 标题\r\n\r\n代码：https://github.com/a/b。\r\n";
    let ev = extract_str(Format::Markdown, md);
    let l = &links(&ev)[0];
    assert_eq!(
        (l.url.as_str(), l.line, l.column),
        ("https://github.com/a/b", 3, 4)
    );
}

#[test]
fn markdown_link_text_not_scanned_twice() {
    let ev = extract_str(Format::Markdown, "[https://x.org/a](https://x.org/a)\n");
    assert_eq!(urls(&ev), vec!["https://x.org/a"]);
}

// ---------------------------------------------------------------- html

#[test]
fn html_headings_attributes_text_script() {
    let html = "<!doctype html>\n<html><head><script>var u = 'https://script.example/x';</script>\n<style>a{background:url(https://style.example/y)}</style></head>\n<body><p>Top https://top.example.org</p>\n<h2>Paper <em>One</em></h2>\n<p>Code at <a href=\"https://github.com/o/one\">https://github.com/o/one</a> and https://one.github.io/.</p>\n<img src=\"https://img.example.org/i.png\">\n<h3>Paper Two</h3><p>a &amp; b https://x.org/q?a=1&amp;b=2 end</p>\n</body></html>\n";
    let ev = extract_str(Format::Html, html);
    assert_order(&ev);
    let titles: Vec<String> = papers(&ev).into_iter().map(|p| p.title).collect();
    assert_eq!(titles, vec!["Paper One", "Paper Two"]);
    let got: Vec<(String, Option<usize>, usize, usize)> = links(&ev)
        .into_iter()
        .map(|l| (l.url, l.paper, l.line, l.column))
        .collect();
    assert_eq!(
        got,
        vec![
            ("https://top.example.org".into(), None, 4, 14),
            ("https://github.com/o/one".into(), Some(0), 6, 21),
            ("https://one.github.io/".into(), Some(0), 6, 80),
            ("https://img.example.org/i.png".into(), Some(0), 7, 11),
            ("https://x.org/q?a=1&b=2".into(), Some(1), 8, 32),
        ]
    );
}

/// The attributes the HTML reader takes from html5gum's callback events:
/// the first `href`/`src` of a tag only (names case-insensitive), none from
/// end tags, none inside `script`/`template`, empty values ignored.
#[test]
fn html_first_href_and_src_of_start_tags_only() {
    let html = concat!(
        "<h2>Dup</h2>\n",
        "<p><a href=\"https://first.example/a\" HREF=\"https://second.example/b\" src=https://src.example/s>x</a></p>\n",
        "<p>Text</a href=\"https://endtag.example/e\"> <IMG SRC=https://upper.example/u.png> <a href=\"https://x.org/?a=1&amp;b=2\" href=https://dup.example>y</a></p>\n",
        "<script src=\"https://script-src.example/s.js\">var x = \"https://in-script.example\";</script><template><a href=\"https://tpl.example\">t</a></template>\n",
        "<p><a href=>empty</a> <a href>bare</a> <a title=\"https://title.example\" href=\"https://after-title.example/z\">z</a></p>\n",
    );
    let got: Vec<(String, usize, usize)> = links(&extract_str(Format::Html, html))
        .into_iter()
        .map(|l| (l.url, l.line, l.column))
        .collect();
    let want = [
        ("https://first.example/a", 2, 13),
        // `src` of an `<a>` is no link (issue 22: only `a[href]` and
        // `img[src]`).
        ("https://upper.example/u.png", 3, 54),
        ("https://x.org/?a=1&b=2", 3, 92),
        ("https://after-title.example/z", 5, 79),
    ];
    let want: Vec<(String, usize, usize)> = want
        .iter()
        .map(|&(u, l, c)| (u.to_string(), l, c))
        .collect();
    assert_eq!(got, want);
}

/// Control characters and noncharacters (parse errors the HTML reader does
/// not ask html5gum to report) neither split nor shift text runs.
#[test]
fn html_control_characters_and_noncharacters_keep_positions() {
    let html = "<h2>Ctl\u{1} \u{FDD0} Title</h2>\n<p>ab \u{7} https://x.org/\u{1}a <a href=\"https://y.org/\u{FDD0}z\u{1}\">c\u{b}d</a> \u{10FFFF} https://z.org/q\u{7f}</p>\n<p>\r\nhttps://w.org/\u{80}x</p><dl><dt>T\u{2}</dt><dd><a href=https://github.com/a/b\u{c}c>Code</a></dd></dl>\n";
    let ev = extract_str(Format::Html, html);
    let got: Vec<(String, usize, usize, Option<usize>)> = links(&ev)
        .into_iter()
        .map(|l| (l.url, l.line, l.column, l.paper))
        .collect();
    let want = [
        ("https://x.org/", 2, 9, Some(0)),
        ("https://y.org/\u{FDD0}z", 2, 35, Some(0)),
        ("https://z.org/q", 2, 64, Some(0)),
        ("https://w.org/", 4, 1, Some(0)),
        ("https://github.com/a/b", 4, 48, Some(1)),
    ];
    let want: Vec<(String, usize, usize, Option<usize>)> = want
        .iter()
        .map(|&(u, l, c, p)| (u.to_string(), l, c, p))
        .collect();
    assert_eq!(got, want);
    let titles: Vec<String> = papers(&ev).into_iter().map(|p| p.title).collect();
    assert_eq!(titles, vec!["Ctl\u{1} \u{FDD0} Title", "T\u{2}"]);
}

#[test]
fn html_crlf_and_cjk_positions() {
    let html = "<h1>论文</h1>\r\n<p>代码见：https://github.com/a/b。</p>\r\n";
    let ev = extract_str(Format::Html, html);
    let l = &links(&ev)[0];
    assert_eq!(
        (l.url.as_str(), l.line, l.column, l.paper),
        ("https://github.com/a/b", 2, 8, Some(0))
    );
}

#[test]
fn invalid_utf8_in_markdown_html_json() {
    let md = b"# T\xff\n\n\xfe\xfe see https://x.org/a\n";
    let ev = bytes_events(Format::Markdown, md);
    assert_eq!(
        links(&ev)
            .iter()
            .map(|l| (l.line, l.column))
            .collect::<Vec<_>>(),
        vec![(3, 8)]
    );
    let html = b"<p>\xff https://x.org/a</p>";
    let ev = bytes_events(Format::Html, html);
    assert_eq!(
        links(&ev)
            .iter()
            .map(|l| (l.line, l.column))
            .collect::<Vec<_>>(),
        vec![(1, 6)]
    );
    let json = b"{\"title\": \"\xff\", \"summary\": \"\xff https://x.org/a\"}";
    let ev = bytes_events(Format::Json, json);
    assert_eq!(
        links(&ev)
            .iter()
            .map(|l| (l.line, l.column))
            .collect::<Vec<_>>(),
        vec![(1, 30)]
    );
}

// ---------------------------------------------------------------- json

const DAILY: &str = r#"[
  {
    "paper": {
      "id": "2501.00001",
      "title": "Nested Shape",
      "summary": "We present X. Code: https://github.com/n/x. Our code will be released.",
      "githubRepo": "https://github.com/n/x",
      "projectPage": "https://n.github.io/x"
    },
    "title": "Nested Shape"
  },
  {
    "title": "Flat Shape",
    "summary": "No links here.",
    "id": "2501.00002",
    "githubRepo": "https://github.com/f/y.git"
  },
  {"paper": {"id": "2501.00003", "title": "No summary"}}
]"#;

#[test]
fn json_daily_papers_both_shapes() {
    assert_eq!(Format::detect(None, DAILY.as_bytes()), Format::Json);
    let ev = extract_str(Format::Json, DAILY);
    assert_order(&ev);
    let ps = papers(&ev);
    assert_eq!(
        ps.iter()
            .map(|p| (p.title.as_str(), p.line))
            .collect::<Vec<_>>(),
        vec![("Nested Shape", 5), ("Flat Shape", 13), ("No summary", 18)]
    );
    let got: Vec<(String, Option<usize>, usize, usize)> = links(&ev)
        .into_iter()
        .map(|l| (l.url, l.paper, l.line, l.column))
        .collect();
    assert_eq!(
        got,
        vec![
            ("https://github.com/n/x".into(), Some(0), 6, 39),
            ("https://n.github.io/x".into(), Some(0), 8, 23),
            ("https://github.com/f/y.git".into(), Some(1), 16, 20),
        ]
    );
    assert_eq!(claims(&ev), vec![0]);
}

#[test]
fn json_lines() {
    let jsonl = "{\"paper\": {\"title\": \"A\", \"summary\": \"see https://a.org/x\"}}\n{\"title\": \"B\", \"summary\": \"Code is available online.\", \"projectPage\": \"https://b.org\"}\n";
    let ev = extract_str(Format::Json, jsonl);
    assert_order(&ev);
    assert_eq!(
        papers(&ev).iter().map(|p| p.line).collect::<Vec<_>>(),
        vec![1, 2]
    );
    let got: Vec<(String, usize, usize)> = links(&ev)
        .into_iter()
        .map(|l| (l.url, l.line, l.column))
        .collect();
    assert_eq!(
        got,
        vec![
            ("https://a.org/x".into(), 1, 42),
            ("https://b.org".into(), 2, 72)
        ]
    );
    assert_eq!(claims(&ev), vec![1]);
}

#[test]
fn json_bad_items_skipped() {
    let ev = extract_str(
        Format::Json,
        "[1, \"{\", {\"title\": \"ok\"}, {bad json}, {\"title\": ]",
    );
    assert_eq!(papers(&ev).len(), 1);
    assert_eq!(papers(&ev)[0].title, "ok");
}

// ---------------------------------------------------------------- detect

#[test]
fn detect_by_extension_and_content() {
    assert_eq!(Format::detect(Some("md"), b"[1]"), Format::Markdown);
    assert_eq!(Format::detect(Some("HTM"), b""), Format::Html);
    assert_eq!(Format::detect(Some("jsonl"), b""), Format::Json);
    assert_eq!(Format::detect(Some("txt"), b"# x"), Format::Text);
    assert_eq!(
        Format::detect(None, b"\xEF\xBB\xBF  [ {\"paper\": {}} ]"),
        Format::Json
    );
    assert_eq!(Format::detect(None, b"{\"title\": \"x\"}\n"), Format::Json);
    assert_eq!(
        Format::detect(Some("csv"), b"<!DOCTYPE html><html>"),
        Format::Html
    );
    assert_eq!(Format::detect(None, b"<html><body>"), Format::Html);
    assert_eq!(
        Format::detect(None, b"intro\n## Papers\n"),
        Format::Markdown
    );
    assert_eq!(
        Format::detect(None, b"[Title](https://x.org) text"),
        Format::Text
    );
    assert_eq!(Format::detect(None, LISTING.as_bytes()), Format::Text);
    assert_eq!(Format::detect(None, b""), Format::Text);
}

// ---------------------------------------------------------------- properties

const FORMS: &[(&str, &str)] = &[
    (
        "Code is available at https://github.com/lab/Repo.",
        "https://github.com/lab/Repo",
    ),
    (
        "at https://github.com/user/Model.git.",
        "https://github.com/user/Model.git",
    ),
    (
        "in https://github.com/user/Repo-Name{RepoName}.",
        "https://github.com/user/Repo-Name",
    ),
    (
        "at: https://lab-name.github.io/PROJ .",
        "https://lab-name.github.io/PROJ",
    ),
    (
        "at https://user.github.io/Proj/.",
        "https://user.github.io/Proj/",
    ),
    (
        "at https://mirror.host.example./Org/Model.",
        "https://mirror.host.example./Org/Model",
    ),
    (
        "see (https://en.wikipedia.org/wiki/YOLO_(algorithm)).",
        "https://en.wikipedia.org/wiki/YOLO_(algorithm)",
    ),
    ("code (https://github.com/p/q),", "https://github.com/p/q"),
    ("code <https://github.com/p/r>;", "https://github.com/p/r"),
    (
        "a [repo](https://github.com/p/s)!",
        "https://github.com/p/s",
    ),
    (
        "quoted \"https://github.com/p/t\"?",
        "https://github.com/p/t",
    ),
    ("代码见https://github.com/p/u。", "https://github.com/p/u"),
    ("网页（https://p.github.io/v）", "https://p.github.io/v"),
    ("visit www.example.org/path.", "http://www.example.org/path"),
    ("host http://[::1]:8080/x now", "http://[::1]:8080/x"),
    ("HTTPS://GitHub.com/Up/Case:", "HTTPS://GitHub.com/Up/Case"),
];

const JUNK: &[&str] = &[
    "We",
    "propose",
    "a",
    "method.",
    "It",
    "works,",
    "and",
    "scales;",
    "kaiming@example.org",
    "user@www.example.org",
    "ftp://files.example.org/x",
    "(see",
    "below)",
    "results!",
    "why?",
    "“quoted”",
    "数据",
    "。",
    "3.5%",
    "e.g.",
    "vs.",
];

fn abstract_strategy() -> impl Strategy<Value = (String, Vec<String>)> {
    proptest::collection::vec(
        prop_oneof![
            (0..FORMS.len()).prop_map(|i| (FORMS[i].0.to_string(), Some(FORMS[i].1.to_string()))),
            (0..JUNK.len()).prop_map(|i| (JUNK[i].to_string(), None)),
        ],
        1..24,
    )
    .prop_map(|parts| {
        let text = parts
            .iter()
            .map(|(t, _)| t.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let expected = parts.into_iter().filter_map(|(_, u)| u).collect();
        (text, expected)
    })
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn url_ok(u: &str) -> bool {
    u.len() > paperlinks::extract::clean::MAX_VALIDATED_LEN || url::Url::parse(u).is_ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn same_urls_in_text_markdown_and_html((abs, expected) in abstract_strategy()) {
        let text = format!("Some Title\n\n{abs}\n");
        let md = format!("# Some Title\n\n{abs}\n");
        let html = format!("<h1>Some Title</h1>\n<p>{}</p>\n", html_escape(&abs));
        let t = urls(&extract_str(Format::Text, &text));
        let m = urls(&extract_str(Format::Markdown, &md));
        let h = urls(&extract_str(Format::Html, &html));
        prop_assert_eq!(&t, &expected);
        prop_assert_eq!(&m, &expected);
        prop_assert_eq!(&h, &expected);
    }

    #[test]
    fn text_positions_point_at_the_url((abs, _) in abstract_strategy()) {
        let text = format!("Some Title\n\n{abs}\n");
        for l in links(&extract_str(Format::Text, &text)) {
            let line = text.lines().nth(l.line - 1).unwrap();
            let rest: String = line.chars().skip(l.column - 1).collect();
            let written = l.url.strip_prefix("http://").filter(|u| u.starts_with("www.")).unwrap_or(&l.url);
            prop_assert!(rest.starts_with(written), "{:?} at {:?}", l, rest);
        }
    }

    #[test]
    fn never_panics_and_urls_parse(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        for f in [Format::Text, Format::Markdown, Format::Html, Format::Json] {
            let ev = bytes_events(f, &bytes);
            assert_order(&ev);
            for l in links(&ev) {
                prop_assert!(url_ok(&l.url), "{:?}", l.url);
                prop_assert!(l.line >= 1 && l.column >= 1);
            }
        }
        let _ = Format::detect(None, &bytes);
    }

    #[test]
    fn never_panics_on_url_like_noise(s in "[ -~\\n\\r\\t。（）{}\\[\\]<>\"'é中]{0,200}", prefix in prop_oneof![Just("http://"), Just("https://"), Just("www."), Just("HTTP://["), Just("{\"summary\":\"")]) {
        let input = format!("{prefix}{s} {prefix}{s}");
        for f in [Format::Text, Format::Markdown, Format::Html, Format::Json] {
            let ev = extract_str(f, &input);
            assert_order(&ev);
            for l in links(&ev) {
                prop_assert!(url_ok(&l.url), "{:?}", l.url);
            }
        }
    }
}

/// Throughput smoke check for the text format (issue 6 scenario 3). Prints
/// MB/s; never asserts timings. Run with
/// `cargo test --release --test extract -- --ignored --nocapture text_throughput`.
#[test]
#[ignore]
fn text_throughput() {
    let mut corpus = String::new();
    let mut i = 0usize;
    while corpus.len() < 64 << 20 {
        corpus.push_str(&format!("A Title About Sparse Routers Number {i}\n\n"));
        corpus.push_str("We study mixture-of-experts routing at small scale and show that a sparse router with four experts improves a small model by two points on average across eight tasks while keeping latency flat on a phone CPU. We further analyse the stability of training and the effect of load balancing losses on downstream quality. ");
        if i % 10 < 4 {
            corpus.push_str(&format!(
                "Our code is available at https://github.com/lab{}/repo-{i}.",
                i % 97
            ));
        }
        corpus.push_str("\n\n");
        i += 1;
    }
    let start = std::time::Instant::now();
    let mut n = 0usize;
    extract(Format::Text, corpus.as_bytes(), &mut |e| {
        if matches!(e, Event::Link(_)) {
            n += 1
        }
    })
    .unwrap();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "text: {} MB in {secs:.3}s = {:.0} MB/s, {n} links",
        corpus.len() >> 20,
        (corpus.len() as f64 / 1e6) / secs
    );
    assert!(n > 0);
}

#[test]
fn very_short_abstract_after_the_first_paper_keeps_its_own_title() {
    let text = "New\n\nFirst Paper Title\n\nWe study a problem at length and report results on many tasks with care and detail. Code: https://github.com/a/first.\n\nSecond Paper Title\n\nCode: https://github.com/b/second\n\nThird Paper Title\n\nModels at https://huggingface.co/c/third.\n";
    let events = extract_str(Format::Text, text);
    let titles: Vec<String> = papers(&events).into_iter().map(|p| p.title).collect();
    assert_eq!(
        titles,
        [
            "First Paper Title",
            "Second Paper Title",
            "Third Paper Title"
        ]
    );
    let by_paper: Vec<(String, Option<usize>)> = links(&events)
        .into_iter()
        .map(|l| (l.url, l.paper))
        .collect();
    assert_eq!(
        by_paper,
        [
            ("https://github.com/a/first".to_string(), Some(0)),
            ("https://github.com/b/second".to_string(), Some(1)),
            ("https://huggingface.co/c/third".to_string(), Some(2)),
        ]
    );
}

/// Regression: the path-suffix rules of the role table (`.pdf`) sliced the
/// path by bytes and panicked when the cut fell inside a character
/// (found by `never_panics_on_url_like_noise`; a project page read by
/// `[follow]` is anyone's bytes).
#[test]
fn path_suffix_role_rule_never_cuts_inside_a_character() {
    use paperlinks::extract::role::url_role;
    use paperlinks::model::Role;
    assert_eq!(url_role("https://example.org/éabc"), Role::Project);
    assert_eq!(url_role("https://example.org/é.pdf"), Role::Paper);
    assert_eq!(url_role("https://example.org/ab"), Role::Project);
}

// ---------------------------------------------------------------- issue 22

/// Issue 22, item 8: invalid UTF-8 inside a URL keeps its bytes,
/// percent-encoded, in every format, and the tally names the line.
#[test]
fn invalid_utf8_inside_a_url_is_kept_percent_encoded() {
    let cases: [(Format, &[u8]); 4] = [
        (
            Format::Text,
            b"T\n\nsee https://example.org/\xe9t\xe9 now\n",
        ),
        (
            Format::Markdown,
            b"# T\n\nsee https://example.org/\xe9t\xe9 now\n",
        ),
        (
            Format::Html,
            b"<h2>T</h2>\n<p>see https://example.org/\xe9t\xe9 now</p>",
        ),
        (
            Format::Json,
            b"{\"title\": \"T\",\n \"summary\": \"see https://example.org/\xe9t\xe9 now\"}",
        ),
    ];
    for (format, bytes) in cases {
        let mut ev = Vec::new();
        let tally = extract(format, bytes, &mut |e| ev.push(e)).unwrap();
        assert_eq!(
            urls(&ev),
            vec!["https://example.org/%E9t%E9".to_string()],
            "{format:?}"
        );
        assert_eq!(tally.bad_utf8_lines.len(), 1, "{format:?}");
        let w = tally.warnings("list", format).join("\n");
        assert!(w.contains("invalid UTF-8"), "{format:?}: {w}");
        assert!(
            w.starts_with(&format!("list:{}:", tally.bad_utf8_lines[0])),
            "{w}"
        );
    }
}

/// Issue 22, item 7: an input with URL text but no link, and a structured
/// input with links but no paper, get a warning; a normal list none.
#[test]
fn never_a_silent_zero() {
    let json = br#"{"note": "see http:// and https:// later"}"#;
    let mut n = 0;
    let tally = extract(Format::Json, &json[..], &mut |_| n += 1).unwrap();
    assert_eq!((n, tally.links), (0, 0));
    let w = tally.warnings("db.json", Format::Json);
    assert!(
        w.iter().any(|w| w.starts_with("db.json: holds http")),
        "{w:?}"
    );
    // Any JSON: the URL is a link (issue 22, item 2), without a paper.
    let json = br#"{"note": "code at https://github.com/a/b"}"#;
    let tally = extract(Format::Json, &json[..], &mut |_| {}).unwrap();
    assert_eq!((tally.links, tally.papers), (1, 0));
    let w = tally.warnings("db.json", Format::Json);
    assert!(w.iter().any(|w| w.contains("no paper")), "{w:?}");
    let tally = extract(Format::Html, &b"<p>https://x.org/a</p>"[..], &mut |_| {}).unwrap();
    assert_eq!((tally.links, tally.papers), (1, 0));
    let w = tally.warnings("p.html", Format::Html);
    assert!(w.iter().any(|w| w.contains("no paper")), "{w:?}");
    let tally = extract(
        Format::Markdown,
        &b"# List\n\n- [Paper A](https://arxiv.org/abs/1)\n"[..],
        &mut |_| {},
    )
    .unwrap();
    assert!(tally.url_text && tally.links == 1 && tally.papers == 1);
    assert!(tally.warnings("l.md", Format::Markdown).is_empty());
    let tally = extract(Format::Text, &b"no links at all\n"[..], &mut |_| {}).unwrap();
    assert!(!tally.url_text);
    assert!(tally.warnings("t.txt", Format::Text).is_empty());
}

// ---------------------------------------------------------------- issue 22: lists in the wild

/// (paper, url, role) of every link, in document order ("" for no paper).
fn triples(events: &[Event]) -> Vec<(String, String, String)> {
    let mut titles = Vec::new();
    let mut out = Vec::new();
    for e in events {
        match e {
            Event::Paper(p) => titles.push(p.title.clone()),
            Event::Link(l) => out.push((
                l.paper.map(|i| titles[i].clone()).unwrap_or_default(),
                l.url.clone(),
                l.role.as_str().to_string(),
            )),
            _ => {}
        }
    }
    out
}

/// The expected triples of a fixture: `tests/fixtures/wild/NAME.truth.tsv`,
/// `paper<TAB>url<TAB>role` per line (written by hand from the fixture).
fn truth(name: &str) -> Vec<(String, String, String)> {
    let path = format!("{}/tests/fixtures/wild/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 3, "{l:?}");
            (f[0].to_string(), f[1].to_string(), f[2].to_string())
        })
        .collect()
}

fn wild(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/wild/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn assert_wild(format: Format, file: &str, truth_file: &str) {
    let ev = extract_str(format, &wild(file));
    assert_order(&ev);
    let got = triples(&ev);
    let want = truth(truth_file);
    let diff: Vec<String> = got
        .iter()
        .zip(&want)
        .filter(|(g, w)| g != w)
        .map(|(g, w)| format!("got {g:?}\nwant {w:?}"))
        .collect();
    assert!(
        diff.is_empty() && got.len() == want.len(),
        "{file}: {} links, {} expected\n{}",
        got.len(),
        want.len(),
        diff.join("\n")
    );
    // Every link sits at its URL in the source (line and column).
    let text = wild(file);
    let lines: Vec<&str> = text.lines().collect();
    for l in links(&ev) {
        let rest: String = lines[l.line - 1].chars().skip(l.column - 1).collect();
        let esc = l.url.replace('/', "\\/");
        assert!(
            rest.starts_with(&l.url) || rest.starts_with(&esc),
            "{file}: {l:?} vs {rest:?}"
        );
    }
}

#[test]
fn academic_homepage_layout_tables() {
    assert_wild(Format::Html, "homepage.html", "homepage.truth.tsv");
}

#[test]
fn awesome_list_with_badges_markdown() {
    assert_wild(Format::Markdown, "badges.md", "badges.truth.tsv");
}

#[test]
fn awesome_list_with_badges_html() {
    assert_wild(Format::Html, "badges.html", "badges.truth.tsv");
}

#[test]
fn labelled_lines_under_bold_titles() {
    assert_wild(Format::Markdown, "labelled.md", "labelled.truth.tsv");
}

#[test]
fn json_site_database() {
    assert_wild(Format::Json, "db.json", "db.truth.tsv");
}

#[test]
fn json_lines_of_records() {
    assert_wild(Format::Json, "pwc.jsonl", "pwc.truth.tsv");
}

// Shapes that failed on public lists (issue 22, second round; fixtures
// written after looking at lists of each shape, BENCHMARKS.md "Issue 22:
// attribution on public lists").

#[test]
fn json_records_with_url_lists() {
    // `"homepage": ";https://a/;http://b/"` is two links, not one URL.
    assert_wild(Format::Json, "records.json", "records.truth.tsv");
}

#[test]
fn plain_bullets_with_citation_tails() {
    assert_wild(Format::Markdown, "plain.md", "plain.truth.tsv");
}

#[test]
fn numbered_paragraphs_markdown() {
    assert_wild(Format::Markdown, "numbered.md", "numbered.truth.tsv");
}

#[test]
fn numbered_paragraphs_html() {
    assert_wild(Format::Html, "numbered.html", "numbered.truth.tsv");
}

#[test]
fn homepage_grid_rows_with_bold_titles() {
    // A bold name among the authors is not the paper.
    assert_wild(Format::Html, "divrows.html", "divrows.truth.tsv");
}

#[test]
fn labels_with_remarks_and_title_cased_subtitles() {
    assert_wild(Format::Markdown, "remarks.md", "remarks.truth.tsv");
}

#[test]
fn nested_table_links_are_kept() {
    let ev = extract_str(
        Format::Html,
        r#"<table><tr><td><table><tr><td><a href="https://x.org/a">x</a></td></tr></table></td></tr></table>"#,
    );
    assert_eq!(urls(&ev), ["https://x.org/a"]);
}

#[test]
fn images_are_never_titles() {
    let ev = extract_str(
        Format::Markdown,
        "- ![Star](https://img.example.org/s.svg) [Real Title](https://arxiv.org/abs/1)\n",
    );
    let t = triples(&ev);
    assert_eq!(
        t,
        [
            (
                "Real Title".to_string(),
                "https://img.example.org/s.svg".to_string(),
                "image".to_string()
            ),
            (
                "Real Title".to_string(),
                "https://arxiv.org/abs/1".to_string(),
                "paper".to_string()
            )
        ]
    );
}

#[test]
fn one_and_two_word_titles() {
    for (format, doc) in [
        (
            Format::Html,
            r#"<div><h3>Night Owl</h3><p><a href="https://x.org/p">paper</a></p></div>"#,
        ),
        (
            Format::Html,
            r#"<article><h3>Owl</h3><a href="https://x.org/p">paper</a></article>"#,
        ),
        (Format::Markdown, "**Owl**\n\n- Paper: https://x.org/p\n"),
        (Format::Markdown, "- [Night Owl](https://x.org/p)\n"),
    ] {
        let ps = papers(&extract_str(format, doc));
        assert_eq!(ps.len(), 1, "{doc}");
        assert!(
            matches!(ps[0].title.as_str(), "Owl" | "Night Owl"),
            "{doc}: {ps:?}"
        );
    }
}

/// `[extract] images = false` drops image sources from `extract` (and from
/// the check run); by default they are output with the role `image`.
#[test]
fn images_off_drops_image_sources() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("l.md");
    std::fs::write(
        &input,
        "- [Owl](https://arxiv.org/abs/1) ![Star](https://img.example.org/s.svg)\n",
    )
    .unwrap();
    let run = |config: &str| {
        let cfg = dir.path().join("config.toml");
        std::fs::write(&cfg, config).unwrap();
        let out = crate::support::cmd::paperlinks()
            .args(["extract", "--config"])
            .arg(&cfg)
            .arg(&input)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let on = run("");
    assert!(on.contains("https://img.example.org/s.svg,,,image"), "{on}");
    let off = run("[extract]\nimages = false\n");
    assert!(!off.contains("img.example.org"), "{off}");
    assert!(off.contains("https://arxiv.org/abs/1"), "{off}");
}

/// Markdown: nothing inside comments (blocks and inline), no resource
/// tags; raw `<a href>` and `<img src>` are a link and an image.
#[test]
fn markdown_raw_html_comments_and_resources() {
    let md = "**Owl**\n\n<!-- https://hidden.example.org/a\nhttps://hidden.example.org/b -->\n\n\
              Text <!-- https://hidden.example.org/c --> <a href=\"https://arxiv.org/abs/9\">paper</a> \
              <img src=\"https://owl.example.org/fig.png\"> <link href=\"https://owl.example.org/x.css\">\n\n\
              <script src=\"https://owl.example.org/s.js\">var u = \"https://owl.example.org/in\";</script>\n";
    let t = triples(&extract_str(Format::Markdown, md));
    assert_eq!(
        t,
        [
            (
                "Owl".to_string(),
                "https://arxiv.org/abs/9".to_string(),
                "paper".to_string()
            ),
            (
                "Owl".to_string(),
                "https://owl.example.org/fig.png".to_string(),
                "image".to_string()
            )
        ]
    );
}
