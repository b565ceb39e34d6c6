//! The rows of the reports: links.csv (one per occurrence, lazily),
//! repos.csv (one per repository, ranked, with star deltas) and papers.csv
//! (one per paper), and which links count as code links.
//!
//! Never writes: `outputs` hands the rows to `report`.

use super::{Archived, Checked, Links, NO_REPO};
use crate::config::Config;
use crate::github;
use crate::history::{self, History};
use crate::model::{
    ArchiveCells, CodeState, LinkResult, LinkRow, PaperRow, Recoverable, RepoKey, RepoOutcome,
    RepoRow, Role, Status,
};
use crate::report;
use crate::store::{NO_PAPER, Paper, Store};
use chrono::Utc;
use std::collections::{HashMap, HashSet};

/// What every link row is made from, built first: links.csv needs
/// nothing else, so it is written while the other rows are built.
pub(super) struct LinkTable<'a> {
    store: &'a Store,
    results: &'a [LinkResult],
    repo_names: Vec<String>,
    /// Per URL id, what its rows carry besides its result.
    url_facts: Vec<UrlFacts<'a>>,
}

impl<'a> LinkTable<'a> {
    /// Each URL's repository name, `first_failed_at` carried from the
    /// previous run and archive cells.
    pub(super) fn build(
        store: &'a Store,
        links: &Links,
        checked: &'a Checked,
        history: &History,
        archived: &Archived,
    ) -> Self {
        LinkTable {
            store,
            results: &checked.results,
            repo_names: links.repos.iter().map(|r| r.full_name()).collect(),
            url_facts: url_facts(store, links, checked, history, archived),
        }
    }

    /// How many unique URLs the rows link.
    pub(super) fn urls(&self) -> usize {
        self.store.urls.len()
    }

    /// What the rows are built from.
    fn columns(&self) -> RowColumns<'_> {
        RowColumns {
            store: self.store,
            repo_names: &self.repo_names,
            results: self.results,
            facts: &self.url_facts,
        }
    }

    /// The rows of links.csv with the id of each one's URL (the rows of
    /// one id share every URL-derived cell: `report::UrlCells`).
    pub(super) fn link_rows_by_url(&self) -> impl Iterator<Item = (usize, LinkRow<'_>)> {
        let (columns, occurrences) = (self.columns(), &self.store.occurrences);
        (0..occurrences.len()).map(move |i| (occurrences[i].url as usize, columns.row(i)))
    }
}

/// Every row of a finished run: repository and paper rows built once,
/// link rows produced on demand (lazily, from compact storage).
pub(super) struct Tables<'a> {
    links: &'a LinkTable<'a>,
    pub repo_rows: Vec<RepoRow>,
    pub paper_rows: Vec<PaperRow<'a>>,
}

impl<'a> Tables<'a> {
    /// Builds the repository and paper rows (the link rows come from
    /// `table`), with the archive cells carried from the previous run.
    pub(super) fn build(
        config: &Config,
        table: &'a LinkTable<'a>,
        links: &'a Links,
        checked: &'a Checked,
        history: &History,
        archived: &Archived,
    ) -> Self {
        let store = table.store;
        let now = Utc::now();
        let mut repo_rows = repo_rows(config, store, links, checked, history, now);
        // Where a missing repository's code went, on any forge (rows are
        // ranked, so they are matched to `links.repos` by key).
        let index: HashMap<RepoKey, usize> = links
            .repos
            .iter()
            .enumerate()
            .map(|(i, r)| (r.key(), i))
            .collect();
        for row in &mut repo_rows {
            if let Some(l) = index.get(&row.key()).and_then(|&i| archived.of_repo(i)) {
                row.archive = l.cells();
            }
        }
        let failing = fail_on_statuses(config);
        let code_link = links.code_links(store);
        let results = &checked.results;
        let mut paper_rows = paper_rows(store, (links, &code_link), results, &repo_rows, &failing);
        let recoverable = code_recoverable(store, &code_link, results, archived);
        for (row, r) in paper_rows.iter_mut().zip(recoverable) {
            row.code_recoverable = r;
        }
        Tables {
            links: table,
            repo_rows,
            paper_rows,
        }
    }

    /// What the rows are built from.
    fn columns(&self) -> RowColumns<'_> {
        self.links.columns()
    }

    /// The rows of links.csv, in input order.
    pub(super) fn link_rows(&self) -> impl Iterator<Item = LinkRow<'_>> + '_ {
        self.link_rows_where(|_, _| true)
    }

    /// The rows of the occurrences `keep` takes (by occurrence index and
    /// URL id), in input order; the others are never built.
    pub(super) fn link_rows_where<'s>(
        &'s self,
        keep: impl Fn(usize, usize) -> bool + 's,
    ) -> impl Iterator<Item = LinkRow<'s>> + 's {
        let columns = self.columns();
        let occurrences = self.links.store.occurrences.iter().enumerate();
        occurrences
            .filter(move |(i, o)| keep(*i, o.url as usize))
            .map(move |(i, _)| columns.row(i))
    }

    /// The judge's verdict on every URL, by URL id: asked once per URL
    /// (with a previous run, a look-up in its links.csv), not once per row.
    pub(super) fn link_verdicts(
        &self,
        judge: &crate::verdict::Judge<'_>,
    ) -> Vec<crate::verdict::LinkVerdict> {
        (self.links.store.urls.iter().zip(self.links.results))
            .map(|(url, r)| judge.link(url, r.status))
            .collect()
    }

    /// Whether URL `url` points into a repository.
    pub(super) fn in_repo(&self, url: usize) -> bool {
        self.links.url_facts[url].repo != NO_REPO
    }
}

impl Tables<'_> {
    /// The rows of links.csv with the id of each one's URL.
    pub(super) fn link_rows_by_url(&self) -> impl Iterator<Item = (usize, LinkRow<'_>)> {
        self.links.link_rows_by_url()
    }

    /// Per occurrence, whether it is the first of its URL in its run of
    /// rows from one input (junit.xml's suite: a new one starts where the
    /// input changes): junit.xml's one test case per unique link per suite,
    /// decided by URL id, so a million rows need no hashing of their URLs.
    pub(super) fn first_in_source(&self) -> Vec<bool> {
        let mut last_run = vec![usize::MAX; self.links.store.urls.len()];
        let (mut run, mut source) = (0usize, None);
        (self.links.store.occurrences.iter())
            .map(|o| {
                if source != Some(o.source) {
                    source = Some(o.source);
                    run += 1;
                }
                std::mem::replace(&mut last_run[o.url as usize], run) != run
            })
            .collect()
    }

    /// The rows of the papers `wanted` takes (by index in `paper_rows`)
    /// with that index, in input order: the page's per-paper detail (the
    /// other rows are never built).
    pub(super) fn paper_link_rows<'s>(
        &'s self,
        wanted: &'s dyn Fn(usize) -> bool,
    ) -> impl Iterator<Item = (usize, LinkRow<'s>)> + 's {
        let columns = self.columns();
        let occurrences = self.links.store.occurrences.iter().enumerate();
        occurrences
            .filter(move |(_, o)| o.paper != NO_PAPER && wanted(o.paper as usize))
            .map(move |(i, o)| (o.paper as usize, columns.row(i)))
    }
}

/// What the link rows are made from: a row is built only when asked for.
#[derive(Clone, Copy)]
struct RowColumns<'a> {
    store: &'a Store,
    repo_names: &'a [String],
    results: &'a [LinkResult],
    facts: &'a [UrlFacts<'a>],
}

/// What the rows of one URL carry besides its result, side by side: a row
/// reads one place for them (a million rows of 200,000 URLs read them in
/// no order, so each place read costs a cache miss).
struct UrlFacts<'a> {
    url: &'a str,
    /// Carried from the previous run.
    first_failed_at: Option<chrono::DateTime<Utc>>,
    /// Boxed: most URLs have none (8 bytes each instead of 56).
    archive: Option<Box<ArchiveCells>>,
    /// Its index in `Links::repos`, or [`NO_REPO`].
    repo: u32,
}

/// Every URL's [`UrlFacts`], by URL id.
fn url_facts<'a>(
    store: &'a Store,
    links: &Links,
    checked: &Checked,
    history: &History,
    archived: &Archived,
) -> Vec<UrlFacts<'a>> {
    let urls = store.urls.iter().zip(&checked.results).zip(&links.repo_of);
    urls.enumerate()
        .map(|(id, ((url, r), &repo))| UrlFacts {
            url,
            first_failed_at: history::carry_first_failed(history.previous_link(url), r),
            archive: (archived.of_url(id).and_then(|(_, l)| l)).map(|l| Box::new(l.cells())),
            repo,
        })
        .collect()
}

impl<'a> RowColumns<'a> {
    /// The row of occurrence `i`.
    fn row(&self, i: usize) -> LinkRow<'a> {
        let store = self.store;
        let o = &store.occurrences[i];
        let url = o.url as usize;
        let facts = &self.facts[url];
        let repo = facts.repo;
        let paper = (o.paper != NO_PAPER).then(|| &store.papers[o.paper as usize]);
        LinkRow {
            source: &store.sources[o.source as usize],
            line: o.line as usize,
            column: o.column as usize,
            paper: paper.map_or("", |p| &p.title),
            url: facts.url,
            repo: if repo == NO_REPO {
                ""
            } else {
                &self.repo_names[repo as usize]
            },
            result: Some(&self.results[url]),
            first_failed_at: facts.first_failed_at,
            archive: facts.archive.as_deref(),
            section: paper.map_or("", |p| &p.section),
            role: o.role,
            found_via: store
                .found_via(i)
                .map_or("", |page| &store.urls[page as usize]),
        }
    }
}

/// One row per repository, ranked, with star deltas against the previous run.
pub(super) fn repo_rows(
    config: &Config,
    store: &Store,
    links: &Links,
    checked: &Checked,
    history: &History,
    now: chrono::DateTime<Utc>,
) -> Vec<RepoRow> {
    let n = links.repos.len();
    let mut link_count = vec![0usize; n];
    let mut papers: Vec<HashSet<u32>> = vec![HashSet::new(); n];
    // The page a repository was found on, unless an input links it directly.
    let mut found_via: Vec<Option<&str>> = vec![None; n];
    let mut direct = vec![false; n];
    for (i, o) in store.occurrences.iter().enumerate() {
        let r = links.repo_of[o.url as usize];
        if r != NO_REPO {
            link_count[r as usize] += 1;
            if o.paper != NO_PAPER {
                papers[r as usize].insert(o.paper);
            }
            match store.found_via(i) {
                Some(page) => {
                    found_via[r as usize].get_or_insert(&store.urls[page as usize]);
                }
                None => direct[r as usize] = true,
            }
        }
    }
    let mut rows: Vec<RepoRow> = links
        .repos
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let outcome = &checked.repo_outcomes[i];
            let (fetched_at, cached) = checked.repo_fetched[i].map_or((now, false), |t| (t, true));
            let (info, error) = match outcome {
                RepoOutcome::Found(info) => (Some((**info).clone()), String::new()),
                RepoOutcome::Missing => (None, "repository not found (deleted or private)".into()),
                RepoOutcome::Unknown(u) => (None, u.detail.clone()),
                RepoOutcome::Unavailable(reason) => (None, reason.clone()),
            };
            RepoRow {
                repo: r.full_name(),
                forge: r.forge,
                kind: r.kind,
                days_since_push: github::days_since_push(
                    info.as_ref().and_then(|i| i.pushed_at),
                    now,
                ),
                info,
                papers: papers[i].len(),
                links: link_count[i],
                // Data from an earlier run keeps the word it had then
                // (issue 27): its push date says nothing of pushes since.
                health: github::health(outcome, &config.github, fetched_at),
                rank: None,
                error,
                fetched_at,
                cached,
                stars_delta: None,
                previous_report_at: None,
                archive: Default::default(),
                found_via: found_via[i]
                    .filter(|_| !direct[i])
                    .unwrap_or_default()
                    .to_string(),
            }
        })
        .collect();
    report::rank_repos(&mut rows);
    if let Some(prev) = &history.repos {
        history::fill_star_deltas(&mut rows, prev);
    }
    rows
}

/// papers.csv `code_recoverable` per paper: empty when the paper has no
/// code link or one is not `broken`; `archived` when an archive holds a copy
/// of one of its dead code links; `lost` when the archives were asked about
/// every one and hold none; empty when that is not known.
pub(super) fn code_recoverable(
    store: &Store,
    code_link: &[bool],
    results: &[LinkResult],
    archived: &Archived,
) -> Vec<Recoverable> {
    use crate::archive::Outcome;
    // Per paper: (has dead code, alive code, archived, unknown).
    let mut state = vec![(false, false, false, false); store.papers.len()];
    for o in &store.occurrences {
        let (id, paper) = (o.url as usize, o.paper);
        if paper == NO_PAPER || !code_link[id] {
            continue;
        }
        let s = &mut state[paper as usize];
        if results[id].status != Status::Broken {
            s.1 = true;
            continue;
        }
        s.0 = true;
        match archived.of_url(id).and_then(|(_, l)| l).map(|l| &l.outcome) {
            Some(Outcome::Found { .. }) => s.2 = true,
            Some(Outcome::NotFound) => {}
            _ => s.3 = true,
        }
    }
    state
        .into_iter()
        .map(|(dead, alive, copy, unknown)| match () {
            _ if !dead || alive => Recoverable::Blank,
            _ if copy => Recoverable::Archived,
            _ if !unknown => Recoverable::Lost,
            _ => Recoverable::Blank,
        })
        .collect()
}

/// A paper's row before its links are counted.
fn blank_paper_row<'a>(store: &'a Store, p: &'a Paper) -> PaperRow<'a> {
    PaperRow {
        source: &store.sources[p.source as usize],
        line: p.line,
        paper: &p.title,
        links: 0,
        code_links: 0,
        repos: 0,
        broken_links: 0,
        best_repo: String::new(),
        best_repo_stars: None,
        health: None,
        claims_code_without_link: false,
        code_recoverable: Recoverable::Blank,
        code_state: CodeState::None,
        section: &p.section,
        paper_url: "",
        role_links: [0; 9],
        failing_links: 0,
        broken_code_links: 0,
    }
}

/// The link statuses in `[ci] fail_on` (after `--fail-on`): what papers.csv
/// `failing_links` counts. The words were validated when the run started.
fn fail_on_statuses(config: &Config) -> HashSet<Status> {
    config
        .ci
        .fail_on
        .iter()
        .filter_map(|w| match w {
            crate::config::FailWord::Status(s) => Some(*s),
            crate::config::FailWord::Health(_) => None,
        })
        .collect()
}

/// A paper's worst health and its most starred repository, with `r` one of
/// its repositories.
fn take_repo(row: &mut PaperRow<'_>, r: &RepoRow) {
    if row
        .health
        .is_none_or(|h| r.health.goodness_rank() < h.goodness_rank())
    {
        row.health = Some(r.health);
    }
    if let Some(info) = r
        .info
        .as_ref()
        .filter(|i| row.best_repo_stars.is_none_or(|s| i.stars > s))
    {
        row.best_repo = r.repo.clone();
        row.best_repo_stars = Some(info.stars);
    }
}

/// One row per paper, in input order.
pub(super) fn paper_rows<'a>(
    store: &'a Store,
    (links, code_link): (&Links, &[bool]),
    results: &[LinkResult],
    repos: &[RepoRow],
    fail_on: &HashSet<Status>,
) -> Vec<PaperRow<'a>> {
    // Repository rows are ranked (reordered): find them by name.
    let by_name: HashMap<RepoKey, &RepoRow> = repos.iter().map(|r| (r.key(), r)).collect();
    let mut rows: Vec<PaperRow> = store
        .papers
        .iter()
        .map(|p| blank_paper_row(store, p))
        .collect();
    let mut seen_repos: Vec<HashSet<u32>> = vec![HashSet::new(); rows.len()];
    // Code links found on project pages, per paper (`linked_via_page`).
    let mut found_code = vec![0usize; rows.len()];
    for (i, o) in store.occurrences.iter().enumerate() {
        // An image (badge, figure) is checked but is none of the paper's
        // links or code (issue 22).
        if o.paper == NO_PAPER || o.role == Role::Image {
            continue;
        }
        let row = &mut rows[o.paper as usize];
        let repo = links.repo_of[o.url as usize];
        row.links += 1;
        row.role_links[o.role as usize] += 1;
        if o.role == Role::Paper && row.paper_url.is_empty() {
            row.paper_url = &store.urls[o.url as usize];
        }
        let status = results[o.url as usize].status;
        if code_link[o.url as usize] || o.role == Role::Code {
            row.code_links += 1;
            row.broken_code_links += u32::from(status == Status::Broken);
            if store.found_via(i).is_some() {
                found_code[o.paper as usize] += 1;
            }
        }
        row.broken_links += u32::from(status == Status::Broken);
        row.failing_links += u32::from(fail_on.contains(&status));
        if repo == NO_REPO || !seen_repos[o.paper as usize].insert(repo) {
            continue;
        }
        row.repos += 1;
        if let Some(r) = by_name.get(&links.repos[repo as usize].key()) {
            take_repo(row, r);
        }
    }
    for ((row, paper), found) in rows.iter_mut().zip(&store.papers).zip(found_code) {
        row.code_state = CodeState::decide_with_found(
            row.code_links as usize - found,
            found,
            paper.claims_code,
            paper.withholds_code,
        );
        row.claims_code_without_link =
            matches!(row.code_state, CodeState::Promised | CodeState::Withheld);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{Format, extract_str};
    use crate::model::Status;

    /// Issue 22: a paper's badge image and figure are checked (broken here)
    /// but none of its links, code or broken links in papers.csv.
    #[test]
    fn images_are_not_a_papers_links() {
        let md = "- [Owl](https://arxiv.org/abs/1) ![Star](https://github.com/o/owl/raw/main/star.svg) \
                  [code](https://github.com/o/owl)\n";
        let mut store = Store::default();
        let mut sink = store.begin_source("l.md".into());
        for e in extract_str(Format::Markdown, md) {
            sink.event(e);
        }
        assert_eq!(store.occurrences.len(), 3);
        assert!(store.occurrences.iter().any(|o| o.role == Role::Image));
        let links = Links {
            repo_of: vec![NO_REPO; store.urls.len()],
            repos: Vec::new(),
        };
        let results: Vec<LinkResult> = store
            .urls
            .iter()
            .map(|u| {
                let status = if u.ends_with(".svg") {
                    Status::Broken
                } else {
                    Status::Ok
                };
                LinkResult::without_request(status, "")
            })
            .collect();
        let code_link = links.code_links(&store);
        let rows = paper_rows(
            &store,
            (&links, &code_link),
            &results,
            &[],
            &std::collections::HashSet::from([Status::Broken]),
        );
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!((r.links, r.code_links, r.broken_links), (2, 1, 0));
        assert_eq!(r.role_links.iter().sum::<u32>(), 2);
    }
}
