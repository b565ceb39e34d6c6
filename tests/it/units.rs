//! Paper units and link roles on the Markdown and HTML fixtures under
//! tests/fixtures/units/: every link's paper is its unit's title, every
//! role is the expected one, papers come out once per unit with their
//! section and code state; and a generated list gives the same (paper, url,
//! role) triples in Markdown and in HTML.

use paperlinks::extract::{Event, Format, Role, extract_str};
use paperlinks::model::CodeState;
use paperlinks::store::Store;
use proptest::prelude::*;

const MD: &str = include_str!("../fixtures/units/list.md");
const HTML: &str = include_str!("../fixtures/units/list.html");

/// (paper, url, role) of every link, in document order.
fn triples(events: &[Event]) -> Vec<(String, String, Role)> {
    let mut titles = Vec::new();
    let mut out = Vec::new();
    for e in events {
        match e {
            Event::Paper(p) => titles.push(p.title.clone()),
            Event::Link(l) => out.push((
                l.paper.map(|i| titles[i].clone()).unwrap_or_default(),
                l.url.clone(),
                l.role,
            )),
            _ => {}
        }
    }
    out
}

fn store_of(format: Format, text: &str) -> Store {
    let mut store = Store::default();
    let mut sink = store.begin_source("fixture".into());
    for e in extract_str(format, text) {
        sink.event(e);
    }
    store
}

/// (title, section, code_state) per paper, as papers.csv will show them.
fn papers(store: &Store) -> Vec<(String, String, CodeState)> {
    store
        .papers
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let code = store
                .occurrences
                .iter()
                .filter(|o| o.paper as usize == i && o.role == Role::Code)
                .count();
            let state = CodeState::decide(code, p.claims_code, p.withholds_code);
            (p.title.clone(), p.section.clone(), state)
        })
        .collect()
}

fn expected_triples() -> Vec<(String, String, Role)> {
    use Role::*;
    let rows: &[(&str, &str, Role)] = &[
        (
            "Spectral Token Mixing for Vision",
            "https://arxiv.org/abs/2401.00001",
            Paper,
        ),
        (
            "Spectral Token Mixing for Vision",
            "https://github.com/lab-a/spectral-mix",
            Code,
        ),
        (
            "Spectral Token Mixing for Vision",
            "https://lab-a.github.io/spectral/",
            Project,
        ),
        (
            "Quiet Priors in Diffusion",
            "https://openreview.net/forum?id=quiet01",
            Paper,
        ),
        (
            "Coarse-to-Fine Depth",
            "https://arxiv.org/abs/2401.00003",
            Paper,
        ),
        (
            "Coarse-to-Fine Depth",
            "https://gitee.com/lab-c/depth",
            Code,
        ),
        (
            "Coarse-to-Fine Depth",
            "https://lab-c.example.cn/depth",
            Project,
        ),
        (
            "Mixing Tokens Across Scales",
            "https://arxiv.org/abs/2401.00004",
            Paper,
        ),
        (
            "Mixing Tokens Across Scales",
            "https://github.com/lab-d/mixer-x",
            Code,
        ),
        (
            "Sparse Routing Revisited",
            "https://doi.org/10.1000/sparse",
            Paper,
        ),
        (
            "Spurious Rewards",
            "https://arxiv.org/abs/2402.03300",
            Paper,
        ),
        (
            "Spurious Rewards",
            "https://arxiv.org/abs/2506.10947",
            Paper,
        ),
        ("Spurious Rewards", "https://x.com/someone/status/1", Social),
        (
            "Spurious Rewards",
            "https://github.com/lab-f/spurious",
            Code,
        ),
        (
            "Long Context Recall",
            "https://arxiv.org/abs/2401.00006",
            Paper,
        ),
        (
            "Long Context Recall",
            "https://huggingface.co/datasets/lab-g/recall",
            Dataset,
        ),
        (
            "Cross-Lingual Probing",
            "https://aclanthology.org/2023.acl-long.9/",
            Paper,
        ),
        (
            "Cross-Lingual Probing",
            "https://github.com/lab-k/probe",
            Code,
        ),
        (
            "Cross-Lingual Probing",
            "https://lab-k.example.org/probe-data",
            Dataset,
        ),
        (
            "Video Diffusion at Scale",
            "https://arxiv.org/abs/2401.00007",
            Paper,
        ),
        (
            "Video Diffusion at Scale",
            "https://github.com/lab-h/vids",
            Code,
        ),
        (
            "Video Diffusion at Scale",
            "https://lab-h.github.io/vids/",
            Project,
        ),
        (
            "Video Diffusion at Scale",
            "https://huggingface.co/spaces/lab-h/vids",
            Demo,
        ),
        (
            "Talking Heads Benchmark",
            "https://arxiv.org/abs/2401.00008",
            Paper,
        ),
        (
            "Talking Heads Benchmark",
            "https://www.youtube.com/watch?v=abc",
            Video,
        ),
        (
            "Talking Heads Benchmark",
            "https://huggingface.co/lab-i/heads",
            Model,
        ),
        (
            "Talking Heads Benchmark",
            "https://lab-i.example.org/slides",
            Other,
        ),
        (
            "Graph Transformers, Revisited",
            "https://proceedings.neurips.cc/paper/2023/x.pdf",
            Paper,
        ),
        (
            "Graph Transformers, Revisited",
            "https://github.com/lab-j/graphs",
            Code,
        ),
        (
            "Low-Rank Everything",
            "https://proceedings.mlr.press/v202/c23a.html",
            Paper,
        ),
        (
            "Another Heading Paper",
            "https://arxiv.org/abs/2401.00011",
            Paper,
        ),
        (
            "Another Heading Paper",
            "https://twitter.com/a/status/2",
            Social,
        ),
    ];
    rows.iter()
        .map(|(p, u, r)| (p.to_string(), u.to_string(), *r))
        .collect()
}

fn expected_papers(sections: [&str; 6]) -> Vec<(String, String, CodeState)> {
    use CodeState::*;
    let [bold, table, headless, titled, bullets, headings] = sections;
    let rows: &[(&str, &str, CodeState)] = &[
        ("Spectral Token Mixing for Vision", bold, Linked),
        ("Quiet Priors in Diffusion", bold, Withheld),
        ("Coarse-to-Fine Depth", bold, Linked),
        ("Mixing Tokens Across Scales", table, Linked),
        ("Sparse Routing Revisited", table, Withheld),
        ("Spurious Rewards", headless, Linked),
        ("Long Context Recall", headless, None),
        ("Cross-Lingual Probing", titled, Linked),
        ("Video Diffusion at Scale", bullets, Linked),
        ("Talking Heads Benchmark", bullets, None),
        ("Graph Transformers, Revisited", bullets, Linked),
        ("Low-Rank Everything", bullets, Withheld),
        ("A Paper That Is Its Own Heading", headings, Promised),
        ("Another Heading Paper", headings, None),
    ];
    rows.iter()
        .map(|(t, s, c)| (t.to_string(), s.to_string(), *c))
        .collect()
}

#[test]
fn markdown_fixture_links_land_on_their_papers_with_roles() {
    let events = extract_str(Format::Markdown, MD);
    assert_eq!(triples(&events), expected_triples());
}

#[test]
fn html_fixture_links_land_on_their_papers_with_roles() {
    let events = extract_str(Format::Html, HTML);
    assert_eq!(triples(&events), expected_triples());
}

#[test]
fn markdown_fixture_papers_sections_and_code_states() {
    let store = store_of(Format::Markdown, MD);
    assert_eq!(
        papers(&store),
        expected_papers([
            "Bold titles",
            "Table with header",
            "Table without header",
            "Table with a title column",
            "Bullets",
            "Headings as papers",
        ])
    );
}

#[test]
fn html_fixture_papers_sections_and_code_states() {
    let store = store_of(Format::Html, HTML);
    assert_eq!(
        papers(&store),
        expected_papers([
            "Definition lists",
            "Table with header",
            "Table without header",
            "Cards",
            "Bullets",
            "Headings as papers",
        ])
    );
}

#[test]
fn text_long_title_keeps_its_paper_once_the_page_alternates() {
    let long = "Can a Model That Reads Every Page Answer Questions About Tables: A Study of Long Inputs / Short Answers Across Twelve Benchmarks and Three Languages....";
    assert!(long.split_whitespace().count() >= 20);
    let text = format!(
        "First Paper Title\n\nWe study the first problem in depth and report strong results on many benchmarks. Code: https://github.com/o/first\n\n{long}\n\nWe answer the question with a careful study over many inputs and many models. Code is at https://github.com/o/long\n\nThird Title\n\nAnother abstract that is long enough to count as an abstract for the third paper here. https://github.com/o/third\n"
    );
    let got: Vec<(String, String)> = triples(&extract_str(Format::Text, &text))
        .into_iter()
        .map(|(p, u, _)| (p, u))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "First Paper Title".into(),
                "https://github.com/o/first".into()
            ),
            (long.into(), "https://github.com/o/long".into()),
            ("Third Title".into(), "https://github.com/o/third".into()),
        ]
    );
}

/// Bold-title blocks whose bullets use labels outside the role table (a
/// typo, `Home`, a stray `None`): those links still belong to the paper
/// above, their role from the URL; a bullet list of short-titled papers
/// (`- BERT: URL`, no role label among them) stays one paper per item.
#[test]
fn unknown_labels_in_a_labelled_list_stay_with_the_paper_above() {
    let md = "# Vision\n\n**First Paper: Seeing Things**\n\n- Homeoage: https://first.github.io/\n- Paper: https://arxiv.org/abs/1\n- Code: https://github.com/o/first\n\n\
              **Second Paper**\n\n- Home: https://second.example.org/\n- Paper: https://arxiv.org/abs/2\n- None: https://github.com/o/second\n\n\
              # Models\n\n- BERT: https://github.com/o/bert\n- GPT: https://github.com/o/gpt\n";
    let got = triples(&extract_str(Format::Markdown, md));
    let want: Vec<(String, String, Role)> = [
        (
            "First Paper: Seeing Things",
            "https://first.github.io/",
            Role::Project,
        ),
        (
            "First Paper: Seeing Things",
            "https://arxiv.org/abs/1",
            Role::Paper,
        ),
        (
            "First Paper: Seeing Things",
            "https://github.com/o/first",
            Role::Code,
        ),
        ("Second Paper", "https://second.example.org/", Role::Project),
        ("Second Paper", "https://arxiv.org/abs/2", Role::Paper),
        ("Second Paper", "https://github.com/o/second", Role::Code),
        ("BERT", "https://github.com/o/bert", Role::Code),
        ("GPT", "https://github.com/o/gpt", Role::Code),
    ]
    .into_iter()
    .map(|(p, u, r)| (p.to_string(), u.to_string(), r))
    .collect();
    assert_eq!(got, want);
}

/// One generated paper: title words, links as (label, url).
#[derive(Clone, Debug)]
struct GenPaper {
    title: String,
    links: Vec<(&'static str, String)>,
    bold: bool,
}

fn gen_paper() -> impl Strategy<Value = GenPaper> {
    let word = prop::sample::select(vec![
        "Sparse",
        "Graph",
        "Tokens",
        "Diffusion",
        "Agents",
        "Reasoning",
        "Video",
        "Memory",
        "Kernels",
    ]);
    let label = prop::sample::select(vec![
        "Paper",
        "Code",
        "GitHub",
        "Project Page",
        "Dataset",
        "Demo",
        "Video",
        "Tweet",
        "代码",
        "论文",
    ]);
    let host = prop::sample::select(vec![
        "https://arxiv.org/abs/",
        "https://github.com/o/",
        "https://x.github.io/",
        "https://example.org/",
        "https://huggingface.co/spaces/o/",
        "https://www.youtube.com/watch?v=",
    ]);
    (
        prop::collection::vec(word, 2..6),
        prop::collection::vec((label, host, 0u32..1000), 1..5),
        any::<bool>(),
    )
        .prop_map(|(words, links, bold)| GenPaper {
            title: words.join(" "),
            links: links
                .into_iter()
                .map(|(l, h, n)| (l, format!("{h}{n}")))
                .collect(),
            bold,
        })
}

fn render_md(sections: &[(String, Vec<GenPaper>)], shape: u8) -> String {
    let mut md = String::from("# List\n\n");
    for (name, papers) in sections {
        md.push_str(&format!("## {name}\n\n"));
        if shape == 1 {
            md.push_str("| Title | Links |\n|---|---|\n");
        }
        for p in papers {
            let links: Vec<String> = p.links.iter().map(|(l, u)| format!("[{l}]({u})")).collect();
            match shape {
                0 if p.bold => {
                    md.push_str(&format!("**{}**\n", p.title));
                    for (l, u) in &p.links {
                        md.push_str(&format!("- {l}: {u}\n"));
                    }
                    md.push('\n');
                }
                0 => md.push_str(&format!("- **{}** {}\n\n", p.title, links.join(" "))),
                _ => md.push_str(&format!("| {} | {} |\n", p.title, links.join(", "))),
            }
        }
        md.push('\n');
    }
    md
}

fn render_html(sections: &[(String, Vec<GenPaper>)], shape: u8) -> String {
    let mut h = String::from("<html><body><h1>List</h1>\n");
    for (name, papers) in sections {
        h.push_str(&format!("<h2>{name}</h2>\n"));
        if shape == 1 {
            h.push_str("<table><tr><th>Title</th><th>Links</th></tr>\n");
        } else {
            h.push_str("<ul>\n");
        }
        for p in papers {
            let links: Vec<String> = p
                .links
                .iter()
                .map(|(l, u)| format!("<a href=\"{u}\">{l}</a>"))
                .collect();
            if shape == 1 {
                h.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td></tr>\n",
                    p.title,
                    links.join(", ")
                ));
            } else {
                h.push_str(&format!(
                    "<li><b>{}</b> {}</li>\n",
                    p.title,
                    links.join(" ")
                ));
            }
        }
        h.push_str(if shape == 1 { "</table>\n" } else { "</ul>\n" });
    }
    h
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// The same list rendered as Markdown and as HTML gives the same
    /// (paper, url, role) triples, and every link lands on its own paper.
    #[test]
    fn markdown_and_html_give_the_same_triples(
        sections in prop::collection::vec(("[A-Z][a-z]{2,8}", prop::collection::vec(gen_paper(), 1..5)), 1..4),
        shape in 0u8..2,
    ) {
        let md = triples(&extract_str(Format::Markdown, &render_md(&sections, shape)));
        let html = triples(&extract_str(Format::Html, &render_html(&sections, shape)));
        prop_assert_eq!(&md, &html);
        let want: Vec<(String, String)> = sections
            .iter()
            .flat_map(|(_, ps)| ps.iter().flat_map(|p| p.links.iter().map(|(_, u)| (p.title.clone(), u.clone()))))
            .collect();
        let got: Vec<(String, String)> = md.into_iter().map(|(p, u, _)| (p, u)).collect();
        prop_assert_eq!(got, want);
    }
}
