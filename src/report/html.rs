//! index.html (issue 16, issue 24 item 10): one self-contained report page
//! for a person who downloads the reports artifact and opens it in a
//! browser: the verdict and totals, one search box over papers, links and
//! repositories, the failing links with paper, location, status and reason,
//! the repositories (filterable by health and forge), the papers with their
//! code state and, unfolded, each paper's links (role, status, reason,
//! repository), and the popularity chart. Every column of every table
//! sorts. Below 640 px the rows become cards, so the page reads at 390 px
//! without sideways scrolling (`scripts/check-html.sh` checks it in
//! headless Chromium).
//!
//! Rendered from a compiled askama template (`templates/report.html`),
//! which escapes every inserted string; streamed into the atomic writer.
//! The page loads nothing: styles and the script (`templates/report.js`)
//! are inline, the chart is the popularity SVG as a base64 `data:` image
//! (an SVG in `<img>` cannot run script), and a Content-Security-Policy
//! allows only that one script (by its SHA-256), inline styles and `data:`
//! images. Links get an `href` only for `http(s)` URLs. Never does network
//! I/O and never decides what fails: the caller passes that decision in.

use super::atomic::write_atomic;
use super::chart::render_popularity_svg;
use super::popularity::{license_label, paper_problem, thousands};
use super::summary::{LinkEntry, SummaryInput};
use crate::error::Error;
use crate::model::{Health, LinkRow, PaperRow, Recoverable, RepoKey, RepoRow};
use crate::verdict::Change;
use askama::Template;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use sha2::Digest as _;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The page's script: sorting, filtering and the `#selftest` hook.
pub const SCRIPT: &str = include_str!("../../templates/report.js");

/// At most this many failing link occurrences are listed (the rest are in
/// links.csv), so a run with a mass failure still gives a small page.
pub const MAX_FAILING_ROWS: usize = 1000;

/// At most this many papers are listed: every paper with a problem first
/// (up to the cap), then the others in input order; all are in
/// papers.csv. A list of 100,000 papers still gives a page a browser opens.
pub const MAX_PAPER_ROWS: usize = 2000;

/// At most this many links are listed under one paper (its counts are in
/// papers.csv, every link in links.csv).
pub const MAX_LINKS_PER_PAPER: usize = 50;

/// Calls the visitor with the link rows of the papers the first argument
/// wants (by index in `HtmlInput::papers`; other rows may come too, and
/// `None` means outside any paper), in input order: the page lists at
/// most [`MAX_PAPER_ROWS`] papers, so a million rows need not be built.
pub type LinkVisit<'a> =
    dyn Fn(&dyn Fn(usize) -> bool, &mut dyn FnMut(Option<usize>, &LinkRow<'_>)) + 'a;

/// Everything the page shows. The failure decisions are passed in (the
/// fail policy lives with the pipeline), as closures over the rows.
pub struct HtmlInput<'a> {
    pub summary: &'a SummaryInput<'a>,
    pub papers: &'a [PaperRow<'a>],
    /// The link rows with their papers, for each paper's detail.
    pub links: &'a LinkVisit<'a>,
    pub generated_at: DateTime<Utc>,
    /// Whether this failing occurrence fails the run (else it is reported only).
    pub fails_link: &'a dyn Fn(&LinkEntry) -> bool,
    /// Whether this repository fails the run.
    pub fails_repo: &'a dyn Fn(&RepoRow) -> bool,
}

/// Renders the page and writes it atomically to `path`.
pub fn write_html_report(path: &Path, input: &HtmlInput<'_>) -> Result<(), Error> {
    let page = Page::new(input)?;
    write_atomic(path, |w| page.write_into(w))
}

/// Renders the page to a string (tests, and anything that wants it whole).
pub fn render_html_report(input: &HtmlInput<'_>) -> Result<String, Error> {
    Page::new(input)?.render().map_err(|e| Error::Report {
        path: "index.html".into(),
        source: std::io::Error::other(e),
    })
}

/// The Content-Security-Policy of the page: nothing from the network, only
/// our own script (by hash), inline styles and `data:` images.
pub fn content_security_policy() -> String {
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(SCRIPT));
    format!(
        "default-src 'none'; script-src 'sha256-{hash}'; style-src 'unsafe-inline'; img-src data:"
    )
}

/// The forge of a repository row, as the row says (repos.csv's `forge`
/// column): a missing Hugging Face model is `huggingface`, not a guess.
pub fn forge_of(row: &RepoRow) -> &'static str {
    row.forge.as_str()
}

/// `Some(url)` when the URL may be a link target (`http`/`https` only).
fn href(url: &str) -> Option<&str> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")).then_some(url)
}

fn day(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

struct HealthOption {
    word: &'static str,
    rank: u8,
    count: usize,
}

#[derive(Template)]
#[template(path = "report.html")]
struct Page<'a> {
    s: &'a SummaryInput<'a>,
    papers: &'a [PaperRow<'a>],
    /// Indices into `papers` of the rows listed, in input order.
    papers_shown: Vec<usize>,
    /// The links of each listed paper (parallel to `papers_shown`).
    details: Vec<Vec<PaperLink>>,
    fails_link: &'a dyn Fn(&LinkEntry) -> bool,
    fails_repo: &'a dyn Fn(&RepoRow) -> bool,
    generated: String,
    duration: String,
    cached_repos: usize,
    verdict_class: &'static str,
    health_options: Vec<HealthOption>,
    forges: Vec<(&'static str, usize)>,
    failing_shown: usize,
    failing_hidden: usize,
    chart: String,
    csp: String,
    script: &'static str,
}

impl<'a> Page<'a> {
    fn new(input: &'a HtmlInput<'a>) -> Result<Self, Error> {
        let s = input.summary;
        let health = s.health_counts();
        let mut health_options: Vec<HealthOption> = Health::ALL
            .into_iter()
            .filter_map(|h| {
                health.get(&h).map(|&count| HealthOption {
                    word: h.as_str(),
                    rank: h.goodness_rank(),
                    count,
                })
            })
            .collect();
        health_options.sort_by_key(|o| o.rank);
        let mut forges: BTreeMap<&'static str, usize> = BTreeMap::new();
        for r in s.repos {
            *forges.entry(forge_of(r)).or_default() += 1;
        }
        let chart = if s.repos.is_empty() {
            String::new()
        } else {
            base64::engine::general_purpose::STANDARD.encode(render_popularity_svg(s.repos)?)
        };
        let failing_shown = s.links.failing.len().min(MAX_FAILING_ROWS);
        let shown = papers_shown(input.papers, MAX_PAPER_ROWS);
        let details = paper_details(input, &shown);
        Ok(Page {
            s,
            papers: input.papers,
            papers_shown: shown,
            details,
            fails_link: input.fails_link,
            fails_repo: input.fails_repo,
            generated: super::fmt_time(input.generated_at),
            duration: format!("{:.1} s", s.duration.as_secs_f64()),
            cached_repos: s.cached_repos(),
            verdict_class: match s.exit_code {
                0 => "ok",
                2 => "fail",
                _ => "warn",
            },
            health_options,
            forges: forges.into_iter().collect(),
            failing_shown,
            failing_hidden: s.links.failing.len() - failing_shown,
            chart,
            csp: content_security_policy(),
            script: SCRIPT,
        })
    }

    fn failing_views(&self) -> impl Iterator<Item = LinkView<'_>> {
        self.s
            .links
            .failing
            .iter()
            .take(MAX_FAILING_ROWS)
            .map(|e| LinkView {
                paper: &e.paper,
                location: format!("{}:{}:{}", e.source, e.line, e.column),
                url: &e.url,
                href: href(&e.url),
                status: match e.http_status {
                    Some(h) => format!("{} ({h})", e.status),
                    None => e.status.to_string(),
                },
                status_word: e.status.as_str(),
                reason: &e.reason,
                since: day(e.since),
                change: match e.change {
                    Some(Change::New) => "new",
                    Some(Change::Known) => "known",
                    Some(Change::Fixed) => "fixed",
                    None => "",
                },
                fails: (self.fails_link)(e),
            })
    }

    fn repo_views(&self) -> impl Iterator<Item = RepoView<'_>> {
        self.s.repos.iter().map(|r| {
            let info = r.info.as_ref();
            RepoView {
                rank: r.rank.map(|n| n.to_string()).unwrap_or_default(),
                name: &r.repo,
                href: info.and_then(|i| href(&i.url)),
                now: r.renamed_to().unwrap_or(""),
                via: href(&r.found_via),
                forge: forge_of(r),
                stars: info.map(|i| thousands(i.stars)).unwrap_or_default(),
                gained: match r.stars_delta {
                    Some(d) if d > 0 => format!("+{}", thousands(d as u64)),
                    Some(d) => d.to_string(),
                    None => String::new(),
                },
                health: r.health.as_str(),
                pushed: day(info.and_then(|i| i.pushed_at)),
                license: info
                    .and_then(|i| i.license.as_deref())
                    .map_or("", license_label),
                papers: r.papers,
                links: r.links,
                fails: (self.fails_repo)(r),
            }
        })
    }

    fn paper_views(&self) -> impl Iterator<Item = PaperView<'_>> {
        self.papers_shown
            .iter()
            .zip(&self.details)
            .map(|(&i, links)| {
                let p = &self.papers[i];
                let problem = paper_problem(p).unwrap_or_default();
                // papers.csv's code_state, and where dead code went (issue 15).
                let mut code = p.code_state.as_str().to_owned();
                if p.code_recoverable != Recoverable::Blank {
                    code.push_str(&format!(", dead code {}", p.code_recoverable));
                }
                if !problem.is_empty() {
                    code.push_str(&format!(": {problem}"));
                }
                PaperView {
                    title: p.paper,
                    location: format!("{}:{}", p.source, p.line),
                    section: p.section,
                    links_listed: links,
                    links_more: (p.links as usize).saturating_sub(links.len()),
                    links: p.links as usize,
                    code_links: p.code_links as usize,
                    best_repo: &p.best_repo,
                    stars: p.best_repo_stars.map(thousands).unwrap_or_default(),
                    health: p.health.map_or("", Health::as_str),
                    problem,
                    code,
                }
            })
    }
}

/// Which papers the page lists when there are more than `cap`: those with
/// a problem (a broken link, missing code, a promise without a link) first,
/// then the rest, both in input order, and the chosen rows in input order.
fn papers_shown(papers: &[PaperRow<'_>], cap: usize) -> Vec<usize> {
    if papers.len() <= cap {
        return (0..papers.len()).collect();
    }
    let (problems, rest): (Vec<usize>, Vec<usize>) =
        (0..papers.len()).partition(|&i| paper_problem(&papers[i]).is_some());
    let mut shown: Vec<usize> = problems.into_iter().chain(rest).take(cap).collect();
    shown.sort_unstable();
    shown
}

struct LinkView<'a> {
    paper: &'a str,
    location: String,
    url: &'a str,
    href: Option<&'a str>,
    status: String,
    status_word: &'static str,
    reason: &'a str,
    since: String,
    change: &'static str,
    fails: bool,
}

struct RepoView<'a> {
    rank: String,
    name: &'a str,
    href: Option<&'a str>,
    now: &'a str,
    /// The project page the repository was found on (issue 14), linkable.
    via: Option<&'a str>,
    forge: &'static str,
    stars: String,
    gained: String,
    health: &'static str,
    pushed: String,
    license: &'a str,
    papers: usize,
    links: usize,
    fails: bool,
}

struct PaperView<'a> {
    title: &'a str,
    location: String,
    section: &'a str,
    links_listed: &'a [PaperLink],
    /// Links of the paper not listed (past [`MAX_LINKS_PER_PAPER`]).
    links_more: usize,
    links: usize,
    code_links: usize,
    best_repo: &'a str,
    stars: String,
    health: &'static str,
    problem: String,
    code: String,
}

/// One link in a paper's detail.
struct PaperLink {
    role: &'static str,
    url: String,
    linkable: bool,
    status: &'static str,
    /// `404`, or empty without an HTTP answer.
    http: String,
    reason: String,
    repo: String,
    repo_health: &'static str,
}

/// The links of each listed paper (`shown`: indices into the papers), at
/// most [`MAX_LINKS_PER_PAPER`] each, in input order, with the health of
/// the repository each points into.
fn paper_details(input: &HtmlInput<'_>, shown: &[usize]) -> Vec<Vec<PaperLink>> {
    let slot: HashMap<usize, usize> = shown.iter().enumerate().map(|(s, &p)| (p, s)).collect();
    let health: HashMap<RepoKey, Health> = input
        .summary
        .repos
        .iter()
        .map(|r| (r.key(), r.health))
        .collect();
    let mut details: Vec<Vec<PaperLink>> = shown.iter().map(|_| Vec::new()).collect();
    let wanted = |paper: usize| slot.contains_key(&paper);
    (input.links)(&wanted, &mut |paper, row| {
        let Some(list) = paper.and_then(|p| slot.get(&p)).map(|&s| &mut details[s]) else {
            return;
        };
        if list.len() >= MAX_LINKS_PER_PAPER {
            return;
        }
        let result = row.result;
        list.push(PaperLink {
            role: row.role.as_str(),
            url: row.url.to_owned(),
            linkable: href(row.url).is_some(),
            status: result.map_or("unchecked", |r| r.status.as_str()),
            http: result
                .and_then(|r| r.http_status)
                .map(|c| c.to_string())
                .unwrap_or_default(),
            reason: result.map(super::reason::of_result).unwrap_or_default(),
            repo: row.repo.to_owned(),
            repo_health: health
                .get(&RepoKey::new(row.repo))
                .map_or("", |h| h.as_str()),
        });
    });
    details
}

#[cfg(test)]
mod tests {
    use super::{content_security_policy, href};

    #[test]
    fn only_http_urls_become_links() {
        assert_eq!(href("https://x.org/a"), Some("https://x.org/a"));
        assert_eq!(href("HTTP://x.org"), Some("HTTP://x.org"));
        assert_eq!(href("javascript:alert(1)"), None);
        assert_eq!(href("data:text/html,<b>"), None);
        assert_eq!(href("ht"), None);
    }

    #[test]
    fn policy_allows_only_the_page_script() {
        let csp = content_security_policy();
        assert!(csp.starts_with("default-src 'none'; script-src 'sha256-"));
        assert!(!csp.contains("script-src 'unsafe-inline'"));
    }
}
