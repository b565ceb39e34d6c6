//! The paper-list generator: a Markdown or HTML "awesome list" of papers in
//! the shapes real lists use (bold-title blocks with labelled bullets, tables
//! with and without a header row, one bullet per paper, numbered entries
//! with bold titles, cards), grouped under section headings, with CJK labels
//! and descriptions that hold links. Deterministic from a seed; written from
//! scratch (no public list is copied).
//!
//! Beside the document it writes the truth: one CSV line `url,paper` per
//! link, so the share of links `paperlinks extract` attributes to their own
//! paper can be measured. Every URL is unique to its paper. Writes only the
//! files it is asked to write; no network I/O.

use crate::corpus::Rng;
use std::io::{BufWriter, Write};
use std::path::Path;

const WORDS: &[&str] = &[
    "Diffusion",
    "Transformers",
    "Sparse",
    "Attention",
    "Reasoning",
    "Agents",
    "Retrieval",
    "Graphs",
    "Tokens",
    "Latent",
    "Video",
    "Speech",
    "Alignment",
    "Memory",
    "Policies",
    "Rewards",
    "Kernels",
    "Quantized",
    "Distilled",
    "Multimodal",
    "Robust",
    "Efficient",
    "Scalable",
    "Contrastive",
    "Federated",
    "Causal",
    "Implicit",
    "Neural",
];
const HEADS: &[&str] = &[
    "Towards",
    "Rethinking",
    "Scaling",
    "Learning",
    "Revisiting",
    "On",
    "Understanding",
];
const SECTIONS: &[&str] = &[
    "Vision",
    "Language",
    "Generation",
    "Robotics",
    "Theory",
    "Systems",
    "Audio",
    "Datasets",
];

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    Markdown,
    Html,
}

impl ListFormat {
    pub fn parse(s: &str) -> Option<ListFormat> {
        match s {
            "md" | "markdown" => Some(ListFormat::Markdown),
            "html" => Some(ListFormat::Html),
            _ => None,
        }
    }
}

struct Paper {
    title: String,
    id: u64,
}

impl Paper {
    fn url(&self, kind: &str) -> String {
        let id = self.id;
        match kind {
            "paper" => format!("https://arxiv.org/abs/2401.{id:05}"),
            "code" => format!("https://github.com/lab{}/repo-{id}", id % 97),
            "project" => format!("https://lab{}.github.io/p{id}/", id % 89),
            "dataset" => format!("https://huggingface.co/datasets/lab{}/d{id}", id % 83),
            "demo" => format!("https://huggingface.co/spaces/lab{}/s{id}", id % 79),
            "video" => format!("https://www.youtube.com/watch?v=v{id}"),
            "tweet" => format!("https://x.com/lab{}/status/{id}", id % 73),
            _ => format!("https://related.example.org/work/{id}"),
        }
    }
}

fn title(rng: &mut Rng, id: u64) -> String {
    let n = 2 + rng.below(6) as usize;
    let mut t = String::from(*rng.pick(HEADS));
    for _ in 0..n {
        t.push(' ');
        let w: &&str = rng.pick(WORDS);
        t.push_str(w);
    }
    if rng.chance(0.3) {
        t = format!("{}: {} {} for {}", rng.pick(WORDS), t, id, rng.pick(WORDS));
    } else {
        t.push_str(&format!(" {id}"));
    }
    t
}

/// Writes the list and its truth; returns (bytes, papers, links).
pub fn generate_list(
    format: ListFormat,
    size: u64,
    seed: u64,
    out: &Path,
    truth: Option<&Path>,
) -> anyhow::Result<(u64, u64, u64)> {
    let mut rng = Rng::new(seed);
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(out)?);
    let mut t = match truth {
        Some(p) => Some(BufWriter::new(std::fs::File::create(p)?)),
        None => None,
    };
    let mut doc = String::with_capacity(1 << 16);
    let (mut bytes, mut papers, mut links) = (0u64, 0u64, 0u64);
    let html = format == ListFormat::Html;
    doc.push_str(if html {
        "<!doctype html>\n<html><body>\n<h1>Generated Paper List</h1>\n<p>Papers with code, by topic.</p>\n"
    } else {
        "# Generated Paper List\n\nPapers with code, by topic.\n\n"
    });
    let mut block = 0u64;
    while bytes + (doc.len() as u64) < size {
        let section = format!("{} {}", rng.pick(SECTIONS), block);
        doc.push_str(&if html {
            format!("<h2>{section}</h2>\n")
        } else {
            format!("## {section}\n\n")
        });
        let shape = block % 5;
        block += 1;
        let count = 5 + rng.below(10);
        let mut group = Vec::new();
        for _ in 0..count {
            let id = papers;
            papers += 1;
            group.push(Paper {
                title: title(&mut rng, id),
                id,
            });
        }
        let pairs_of = |p: &Paper| -> Vec<(&'static str, String)> {
            let kinds: &[&'static str] = match p.id % 4 {
                0 => &["paper", "code", "project"],
                1 => &["paper", "code", "dataset", "video"],
                2 => &["paper", "tweet", "code"],
                _ => &["paper", "demo"],
            };
            kinds.iter().map(|k| (*k, p.url(k))).collect()
        };
        links += group.iter().map(|p| pairs_of(p).len() as u64).sum::<u64>();
        if let Some(t) = t.as_mut() {
            for p in &group {
                for (_, u) in pairs_of(p) {
                    writeln!(t, "{u},\"{}\"", p.title)?;
                }
                if shape == 2 {
                    writeln!(t, "{},\"{}\"", p.url("related"), p.title)?;
                }
            }
        }
        if shape == 2 {
            links += group.len() as u64;
        }
        if html {
            html_group(&mut doc, shape, &group, &pairs_of);
        } else {
            md_group(&mut doc, shape, &group, &pairs_of);
        }
        if doc.len() > 1 << 16 {
            w.write_all(doc.as_bytes())?;
            bytes += doc.len() as u64;
            doc.clear();
        }
    }
    if html {
        doc.push_str("</body></html>\n");
    }
    w.write_all(doc.as_bytes())?;
    bytes += doc.len() as u64;
    w.flush()?;
    if let Some(mut t) = t {
        t.flush()?;
    }
    Ok((bytes, papers, links))
}

type PairsOf<'a> = dyn Fn(&Paper) -> Vec<(&'static str, String)> + 'a;

fn label(kind: &str, i: u64) -> &'static str {
    match (kind, i % 3) {
        ("paper", 0) => "Paper",
        ("paper", 1) => "arXiv",
        ("paper", _) => "论文",
        ("code", 0) => "Code",
        ("code", 1) => "GitHub",
        ("code", _) => "代码",
        ("project", _) => "Project Page",
        ("dataset", _) => "Dataset",
        ("video", _) => "Video",
        ("tweet", _) => "Tweet",
        ("demo", _) => "Demo",
        _ => "Link",
    }
}

fn md_group(doc: &mut String, shape: u64, group: &[Paper], pairs_of: &PairsOf) {
    use std::fmt::Write as _;
    match shape {
        0 => {
            for p in group {
                let _ = writeln!(doc, "**{}**", p.title);
                for (k, u) in pairs_of(p) {
                    let sep = if p.id % 2 == 0 { ": " } else { "：" };
                    let _ = writeln!(doc, "- {}{sep}{u}", label(k, p.id));
                }
                if p.id % 5 == 0 {
                    doc.push_str("- Models: coming soon\n");
                }
                doc.push('\n');
            }
        }
        1 => {
            doc.push_str("| Date | Name | Paper | Links |\n|---|---|---|---|\n");
            for p in group {
                let pairs = pairs_of(p);
                let rest: Vec<String> = pairs[1..]
                    .iter()
                    .map(|(k, u)| format!("[{}]({u})", label(k, p.id)))
                    .collect();
                let _ = writeln!(
                    doc,
                    "| 2024/{:02} | M{} | [{}]({}) | {} |",
                    p.id % 12 + 1,
                    p.id,
                    p.title,
                    pairs[0].1,
                    rest.join(", ")
                );
            }
            doc.push('\n');
        }
        2 => {
            for (i, p) in group.iter().enumerate() {
                let links: Vec<String> = pairs_of(p)
                    .iter()
                    .map(|(k, u)| format!("[{}]({u})", label(k, p.id)))
                    .collect();
                let row = format!(
                    "| {}) {}  This work studies {} and builds on [prior work]({}) to show gains. | {} |",
                    i + 1,
                    p.title,
                    p.title.to_lowercase(),
                    p.url("related"),
                    links.join(", ")
                );
                doc.push_str(&row);
                doc.push('\n');
                if i == 0 {
                    doc.push_str("|---|---|\n");
                }
            }
            doc.push('\n');
        }
        3 => {
            for p in group {
                let pairs = pairs_of(p);
                let rest: Vec<String> = pairs[1..]
                    .iter()
                    .map(|(k, u)| format!("[[{}]]({u})", k))
                    .collect();
                let _ = writeln!(doc, "- [{}]({}) - {}", p.title, pairs[0].1, rest.join(" "));
            }
            doc.push('\n');
        }
        _ => {
            for (i, p) in group.iter().enumerate() {
                let links: Vec<String> = pairs_of(p)
                    .iter()
                    .map(|(k, u)| format!("[[{k}]]({u})"))
                    .collect();
                let _ = writeln!(
                    doc,
                    "{}. **{}.** A. Author, B. Author. NeurIPS 2024. {}",
                    i + 1,
                    p.title,
                    links.join(" ")
                );
            }
            doc.push('\n');
        }
    }
}

fn html_group(doc: &mut String, shape: u64, group: &[Paper], pairs_of: &PairsOf) {
    use std::fmt::Write as _;
    let a = |k: &str, u: &str, id: u64| format!("<a href=\"{u}\">{}</a>", label(k, id));
    match shape {
        0 => {
            doc.push_str("<dl>\n");
            for p in group {
                let _ = writeln!(doc, "<dt>{}</dt>", p.title);
                for (k, u) in pairs_of(p) {
                    let _ = writeln!(doc, "<dd>{}</dd>", a(k, &u, p.id));
                }
            }
            doc.push_str("</dl>\n");
        }
        1 => {
            doc.push_str(
                "<table>\n<tr><th>Date</th><th>Name</th><th>Paper</th><th>Links</th></tr>\n",
            );
            for p in group {
                let pairs = pairs_of(p);
                let rest: Vec<String> = pairs[1..].iter().map(|(k, u)| a(k, u, p.id)).collect();
                let _ = writeln!(
                    doc,
                    "<tr><td>2024/{:02}</td><td>M{}</td><td><a href=\"{}\">{}</a></td><td>{}</td></tr>",
                    p.id % 12 + 1,
                    p.id,
                    pairs[0].1,
                    p.title,
                    rest.join(", ")
                );
            }
            doc.push_str("</table>\n");
        }
        2 => {
            doc.push_str("<table>\n");
            for (i, p) in group.iter().enumerate() {
                let links: Vec<String> = pairs_of(p).iter().map(|(k, u)| a(k, u, p.id)).collect();
                let _ = writeln!(
                    doc,
                    "<tr><td>{}) {}<br>This work studies {} and builds on <a href=\"{}\">prior work</a> to show gains.</td><td>{}</td></tr>",
                    i + 1,
                    p.title,
                    p.title.to_lowercase(),
                    p.url("related"),
                    links.join(", ")
                );
            }
            doc.push_str("</table>\n");
        }
        3 => {
            doc.push_str("<ul>\n");
            for p in group {
                let pairs = pairs_of(p);
                let rest: Vec<String> = pairs[1..]
                    .iter()
                    .map(|(k, u)| format!("<a href=\"{u}\">[{k}]</a>"))
                    .collect();
                let _ = writeln!(
                    doc,
                    "<li><a href=\"{}\">{}</a> - {}</li>",
                    pairs[0].1,
                    p.title,
                    rest.join(" ")
                );
            }
            doc.push_str("</ul>\n");
        }
        _ => {
            for p in group {
                let links: Vec<String> = pairs_of(p).iter().map(|(k, u)| a(k, u, p.id)).collect();
                let _ = writeln!(
                    doc,
                    "<div class=\"card\"><h3>{}</h3><p>A. Author. {}</p></div>",
                    p.title,
                    links.join(" · ")
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_list_and_its_truth() {
        let dir = std::env::temp_dir().join(format!("lists-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for f in [ListFormat::Markdown, ListFormat::Html] {
            let (doc, truth) = (dir.join("l"), dir.join("t"));
            let (bytes, papers, links) = generate_list(f, 20_000, 1, &doc, Some(&truth)).unwrap();
            assert_eq!(std::fs::metadata(&doc).unwrap().len(), bytes);
            assert!(papers > 20);
            let lines = std::fs::read_to_string(&truth).unwrap().lines().count() as u64;
            assert_eq!(lines, links);
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}
