//! Paper units and link roles on the Markdown and HTML fixtures under
//! tests/fixtures/units/: every link's paper is its unit's title, every
//! role is the expected one, papers come out once per unit with their
//! section and code state; and a generated list gives the same (paper, url,
//! role) triples in Markdown and in HTML.

use paperlinks::extract::{Event, Format, Role, extract_str};
use paperlinks::model::CodeState;
use paperlinks::store::Store;

const MD: &str = include_str!("fixtures/units/list.md");
const HTML: &str = include_str!("fixtures/units/list.html");

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
