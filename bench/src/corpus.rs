//! The corpus generator: abstracts in paperlinks' text format (chrome lines,
//! then per paper a title line, a blank line, one abstract paragraph, a blank
//! line) whose links point at the simulated web, deterministic from a seed.
//!
//! Owns the URL plan (which host, which answer kind, which repository) and
//! the expected status of every unique URL. Never does network I/O; writes
//! only the files it is asked to write, streaming.

use crate::sim::{RepoKind, renamed_to, repo_kind, web_ip};
use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::Path;

/// SplitMix64: a tiny, fully specified generator, so a corpus is the same
/// byte for byte from the same seed whatever crate versions are around.
pub struct Rng(u64);
impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p && p > 0.0
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

/// Answer kinds of the web hosts (see `sim::Sim::web`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Ok,
    NotFound,
    Gone,
    Forbidden,
    ServerError,
    /// 301 chain of this many hops.
    R301(u32),
    /// 302 chain of this many hops.
    R302(u32),
    Head405,
    R429,
    Flaky,
    Hang,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "ok" => Kind::Ok,
            "404" => Kind::NotFound,
            "410" => Kind::Gone,
            "403" => Kind::Forbidden,
            "500" => Kind::ServerError,
            "r301" => Kind::R301(1),
            "chain" => Kind::R301(3),
            "r302" => Kind::R302(1),
            "head405" => Kind::Head405,
            "r429" => Kind::R429,
            "flaky" => Kind::Flaky,
            "hang" => Kind::Hang,
            _ => return None,
        })
    }

    fn path(self, k: usize) -> String {
        match self {
            Kind::Ok => format!("/ok/p{k}"),
            Kind::NotFound => format!("/404/p{k}"),
            Kind::Gone => format!("/410/p{k}"),
            Kind::Forbidden => format!("/403/p{k}"),
            Kind::ServerError => format!("/500/p{k}"),
            Kind::R301(d) => format!("/r301/{d}/p{k}"),
            Kind::R302(d) => format!("/r302/{d}/p{k}"),
            Kind::Head405 => format!("/head405/p{k}"),
            Kind::R429 => format!("/r429/p{k}"),
            Kind::Flaky => format!("/flaky/p{k}"),
            Kind::Hang => format!("/hang/p{k}"),
        }
    }

    /// The status word of issue 2 a correct checker reports.
    pub fn expected(self) -> &'static str {
        match self {
            Kind::Ok | Kind::Head405 | Kind::R302(_) | Kind::R429 | Kind::Flaky => "ok",
            Kind::NotFound | Kind::Gone => "broken",
            Kind::Forbidden => "blocked",
            Kind::ServerError => "error",
            Kind::R301(_) => "redirected",
            Kind::Hang => "timeout",
        }
    }

    /// Fewest sequential round trips any client needs (a GET-only client
    /// pays one for /head405): the unit of the ideal-time bound.
    pub fn round_trips(self) -> u32 {
        match self {
            Kind::R301(d) | Kind::R302(d) => d + 1,
            Kind::R429 | Kind::Flaky => 2,
            _ => 1,
        }
    }
}

/// `ok:80,404:10,r301:5,head405:5` -> weighted kinds.
pub fn parse_mix(s: &str) -> anyhow::Result<Vec<(Kind, u32)>> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, w) = part
            .split_once(':')
            .ok_or_else(|| anyhow::anyhow!("mix entry {part:?} is not KIND:WEIGHT"))?;
        let kind =
            Kind::parse(k).ok_or_else(|| anyhow::anyhow!("unknown answer kind {k:?} in mix"))?;
        out.push((kind, w.parse()?));
    }
    anyhow::ensure!(
        out.iter().map(|x| x.1).sum::<u32>() > 0,
        "mix {s:?} has no weight"
    );
    Ok(out)
}

#[derive(Clone, Debug)]
pub struct CorpusSpec {
    /// Link occurrences in the text.
    pub occurrences: usize,
    /// Unique URLs among them (<= occurrences).
    pub unique: usize,
    /// Papers (abstract blocks); occurrences are spread evenly over them.
    pub abstracts: usize,
    /// Web hosts the non-GitHub URLs are spread over (round robin).
    pub hosts: usize,
    /// Share of unique URLs that are GitHub repository links.
    pub github_frac: f64,
    /// Share of GitHub links that are deeper (/tree/, /blob/) links.
    pub deep_frac: f64,
    /// Share of repositories that are deleted (`gone-`) / renamed (`old-`).
    pub gone_frac: f64,
    pub renamed_frac: f64,
    pub mix: Vec<(Kind, u32)>,
    pub port: u16,
    pub seed: u64,
    /// Filler sentences per abstract (realistic abstracts: about 6).
    pub sentences: usize,
    /// Take answer kinds in turn (every kind present) instead of at random.
    pub cycle_kinds: bool,
}

impl Default for CorpusSpec {
    fn default() -> Self {
        CorpusSpec {
            occurrences: 100,
            unique: 100,
            abstracts: 50,
            hosts: 10,
            github_frac: 0.0,
            deep_frac: 0.0,
            gone_frac: 0.0,
            renamed_frac: 0.0,
            mix: vec![(Kind::Ok, 1)],
            port: 8080,
            seed: 1,
            sentences: 3,
            cycle_kinds: false,
        }
    }
}

/// One unique URL of the plan.
#[derive(Clone, Debug)]
pub struct PlannedUrl {
    pub url: String,
    pub expected: &'static str,
    /// Web host index, or None for GitHub links.
    pub host: Option<usize>,
    pub round_trips: u32,
    /// `owner/name` for GitHub links.
    pub repo: Option<String>,
    /// A repository-root GitHub link (judged from the API).
    pub github_root: bool,
}

pub struct Corpus {
    pub urls: Vec<PlannedUrl>,
    pub occurrences: usize,
    /// How often each unique URL occurs.
    pub counts: Vec<u32>,
    pub bytes: u64,
}

impl Corpus {
    /// Round trips per web host, summed over unique URLs.
    pub fn round_trips_per_host(&self) -> BTreeMap<usize, u64> {
        let mut m = BTreeMap::new();
        for u in &self.urls {
            if let Some(h) = u.host {
                *m.entry(h).or_insert(0) += u.round_trips as u64;
            }
        }
        m
    }
    pub fn repos(&self) -> usize {
        let mut r: Vec<&str> = self.urls.iter().filter_map(|u| u.repo.as_deref()).collect();
        r.sort_unstable();
        r.dedup();
        r.len()
    }
}

const CHROME: &str = "New\n\nGet trending papers in your inbox!\n\nSubscribe\n\nDaily Papers\n\nby AK and the research community\n\n";

const WORDS: &[&str] = &[
    "model",
    "diffusion",
    "transformer",
    "benchmark",
    "agents",
    "reasoning",
    "vision",
    "language",
    "training",
    "sparse",
    "attention",
    "dataset",
    "efficient",
    "robust",
    "policy",
    "reward",
    "retrieval",
    "graph",
    "neural",
    "scaling",
    "tokens",
    "latent",
    "video",
    "speech",
    "alignment",
    "inference",
    "memory",
    "layers",
    "learning",
    "segmentation",
    "generation",
    "evaluation",
    "multimodal",
    "kernel",
    "quantization",
    "distillation",
];

const TITLE_HEADS: &[&str] = &[
    "Towards",
    "Rethinking",
    "Scaling",
    "Learning",
    "Efficient",
    "Unified",
    "Robust",
    "Sparse",
];

const LINK_SENTENCES: &[(&str, &str)] = &[
    ("Code is available at ", "."),
    ("Our code and models are released at ", "."),
    ("The project page is ", ", with videos and demos."),
    ("We release the benchmark (", ") to foster research."),
    ("See ", " for details."),
    ("Code: ", ""),
];

fn sentence(rng: &mut Rng, out: &mut String) {
    let n = 8 + rng.below(14) as usize;
    for i in 0..n {
        let w = rng.pick(WORDS);
        if i == 0 {
            let mut c = w.chars();
            let first = c.next().unwrap().to_ascii_uppercase();
            out.push(first);
            out.push_str(c.as_str());
        } else {
            out.push(' ');
            out.push_str(w);
        }
    }
    out.push_str(". ");
}

fn plan_url(
    spec: &CorpusSpec,
    rng: &mut Rng,
    k: usize,
    web_counter: &mut usize,
    mix_total: u32,
) -> PlannedUrl {
    if rng.chance(spec.github_frac) {
        let owner = format!("lab{}", k % 997);
        let prefix = if rng.chance(spec.gone_frac) {
            "gone-"
        } else if rng.chance(spec.renamed_frac / (1.0 - spec.gone_frac).max(1e-9)) {
            "old-"
        } else {
            ""
        };
        let name = format!("{prefix}model{k}");
        let deep = rng.chance(spec.deep_frac);
        let kind = repo_kind(&name);
        let (url, expected) = if deep {
            let tail = if k.is_multiple_of(2) {
                "tree/main/src"
            } else {
                "blob/main/README.md"
            };
            let exp = if kind == RepoKind::Gone {
                "broken"
            } else {
                "ok"
            };
            (format!("https://github.com/{owner}/{name}/{tail}"), exp)
        } else {
            let exp = match kind {
                RepoKind::Gone => "broken",
                RepoKind::Renamed => "redirected",
                _ => "ok",
            };
            (format!("https://github.com/{owner}/{name}"), exp)
        };
        let _ = renamed_to;
        return PlannedUrl {
            url,
            expected,
            host: None,
            round_trips: 1,
            repo: Some(format!("{owner}/{name}")),
            github_root: !deep,
        };
    }
    let host = *web_counter % spec.hosts.max(1);
    *web_counter += 1;
    let mut r = if spec.cycle_kinds {
        (*web_counter as u32 - 1) % mix_total
    } else {
        rng.below(mix_total as u64) as u32
    };
    let mut kind = spec.mix[0].0;
    for &(k, w) in &spec.mix {
        if r < w {
            kind = k;
            break;
        }
        r -= w;
    }
    PlannedUrl {
        url: format!("http://{}:{}{}", web_ip(host), spec.port, kind.path(k)),
        expected: kind.expected(),
        host: Some(host),
        round_trips: kind.round_trips(),
        repo: None,
        github_root: false,
    }
}

/// Writes the corpus to `path` (streaming) and returns its URL plan.
pub fn generate(spec: &CorpusSpec, path: &Path) -> anyhow::Result<Corpus> {
    anyhow::ensure!(
        spec.unique >= 1 && spec.unique <= spec.occurrences,
        "need 1 <= unique <= occurrences"
    );
    anyhow::ensure!(spec.abstracts >= 1, "need at least one abstract");
    let mut rng = Rng::new(spec.seed);
    let mix_total: u32 = spec.mix.iter().map(|x| x.1).sum();
    let mut web_counter = 0;
    let urls: Vec<PlannedUrl> = (0..spec.unique)
        .map(|k| plan_url(spec, &mut rng, k, &mut web_counter, mix_total))
        .collect();
    // Occurrence j < unique uses URL j (every URL appears); the rest repeat
    // random ones. Shuffled so hosts and kinds interleave in the text.
    let mut order: Vec<u32> = (0..spec.occurrences)
        .map(|j| {
            if j < spec.unique {
                j as u32
            } else {
                rng.below(spec.unique as u64) as u32
            }
        })
        .collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let mut counts = vec![0u32; urls.len()];
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    w.write_all(CHROME.as_bytes())?;
    let mut bytes = CHROME.len() as u64;
    let mut next = 0usize;
    let mut para = String::with_capacity(4096);
    for a in 0..spec.abstracts {
        let end = (a + 1) * spec.occurrences / spec.abstracts;
        para.clear();
        para.push_str(&format!(
            "{} {} {} for {} {} ({a})\n\n",
            rng.pick(TITLE_HEADS),
            rng.pick(WORDS),
            rng.pick(WORDS),
            rng.pick(WORDS),
            rng.pick(WORDS)
        ));
        for _ in 0..spec.sentences {
            sentence(&mut rng, &mut para);
        }
        while next < end {
            let u = order[next] as usize;
            counts[u] += 1;
            let (pre, post) = rng.pick(LINK_SENTENCES);
            para.push_str(pre);
            para.push_str(&urls[u].url);
            para.push_str(post);
            para.push(' ');
            next += 1;
        }
        sentence(&mut rng, &mut para);
        while para.ends_with(' ') {
            para.pop();
        }
        para.push_str("\n\n");
        w.write_all(para.as_bytes())?;
        bytes += para.len() as u64;
    }
    w.flush()?;
    Ok(Corpus {
        urls,
        occurrences: spec.occurrences,
        counts,
        bytes,
    })
}

/// An extraction-only corpus of about `size` bytes: realistic abstracts
/// (about 1.3 KB each, one to two links), links not meant to be requested.
/// Returns (bytes written, link occurrences).
pub fn generate_text(size: u64, seed: u64, path: &Path) -> anyhow::Result<(u64, u64)> {
    let mut rng = Rng::new(seed);
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    w.write_all(CHROME.as_bytes())?;
    let mut bytes = CHROME.len() as u64;
    let mut links = 0u64;
    let mut para = String::with_capacity(4096);
    let mut a = 0u64;
    while bytes < size {
        para.clear();
        para.push_str(&format!(
            "{} {} {} ({a})\n\n",
            rng.pick(TITLE_HEADS),
            rng.pick(WORDS),
            rng.pick(WORDS)
        ));
        for _ in 0..6 {
            sentence(&mut rng, &mut para);
        }
        for _ in 0..1 + rng.below(2) {
            let (pre, post) = rng.pick(LINK_SENTENCES);
            para.push_str(pre);
            if rng.chance(0.8) {
                para.push_str(&format!("https://github.com/lab{}/model{a}", a % 997));
            } else {
                para.push_str(&format!("https://lab{}.github.io/project{a}/", a % 997));
            }
            para.push_str(post);
            para.push(' ');
            links += 1;
        }
        para.pop();
        para.push_str("\n\n");
        w.write_all(para.as_bytes())?;
        bytes += para.len() as u64;
        a += 1;
    }
    w.flush()?;
    Ok((bytes, links))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_and_every_url_present() {
        let dir = std::env::temp_dir().join(format!("plb-corpus-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let spec = CorpusSpec {
            occurrences: 300,
            unique: 200,
            abstracts: 120,
            hosts: 7,
            github_frac: 0.5,
            deep_frac: 0.1,
            gone_frac: 0.1,
            renamed_frac: 0.1,
            mix: parse_mix("ok:5,404:1,r301:1,head405:1").unwrap(),
            ..Default::default()
        };
        let c1 = generate(&spec, &dir.join("a.txt")).unwrap();
        let c2 = generate(&spec, &dir.join("b.txt")).unwrap();
        let (t1, t2) = (
            std::fs::read_to_string(dir.join("a.txt")).unwrap(),
            std::fs::read_to_string(dir.join("b.txt")).unwrap(),
        );
        assert_eq!(t1, t2);
        assert_eq!(c1.urls.len(), 200);
        assert_eq!(c2.counts.iter().map(|&c| c as usize).sum::<usize>(), 300);
        assert!(c1.counts.iter().all(|&c| c >= 1));
        for u in &c1.urls {
            assert!(t1.contains(&u.url), "{}", u.url);
        }
        // Occurrences in the text: every URL is followed by a delimiter.
        let n: usize = c1
            .urls
            .iter()
            .map(|u| {
                t1.matches(&format!("{} ", u.url)).count()
                    + t1.matches(&format!("{}.", u.url)).count()
                    + t1.matches(&format!("{},", u.url)).count()
                    + t1.matches(&format!("{})", u.url)).count()
                    + t1.matches(&format!("{}\n", u.url)).count()
            })
            .sum();
        assert_eq!(n, 300);
        let hosts = c1.round_trips_per_host();
        assert!(hosts.len() <= 7 && !hosts.is_empty());
        assert!(c1.repos() > 50);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn mix_parsing_rejects_unknown_kinds() {
        assert!(parse_mix("ok:1,bogus:2").is_err());
        assert_eq!(
            parse_mix("ok:3,chain:1").unwrap(),
            vec![(Kind::Ok, 3), (Kind::R301(3), 1)]
        );
    }
}
