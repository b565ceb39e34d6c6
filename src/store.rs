//! Compact storage of everything extraction found: sources, papers, unique
//! URLs and link occurrences, so a million occurrences cost a few tens of
//! megabytes. Occurrences refer to sources, papers and URLs by index.
//!
//! Pure data: no I/O, no network.

use crate::extract::{Event, Role};
use indexmap::IndexSet;
use std::collections::HashMap;

/// Marks "no paper" in `Occurrence::paper`.
pub const NO_PAPER: u32 = u32::MAX;

/// One paper of one source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paper {
    pub source: u32,
    pub line: u32,
    pub title: String,
    /// The innermost heading above the paper ("" when none).
    pub section: String,
    /// The abstract says code or models are (or will be) available.
    pub claims_code: bool,
    /// The paper says explicitly that there is no code (`Code: None`).
    pub withholds_code: bool,
}

/// One occurrence of a link (24 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub source: u32,
    pub line: u32,
    pub column: u32,
    pub paper: u32,
    pub url: u32,
    /// What the link is to its paper (decided at extraction).
    pub role: Role,
}

#[derive(Debug, Default)]
pub struct Store {
    pub sources: Vec<String>,
    pub papers: Vec<Paper>,
    /// Unique URLs in order of first appearance, each stored once; the
    /// index of a URL is its id (`urls[id]`, `urls.get_index_of(url)`).
    pub urls: IndexSet<String>,
    pub occurrences: Vec<Occurrence>,
    /// The last `found_via.len()` occurrences were found on project pages
    /// (`[follow]`, added by [`Store::add_found`] after extraction): the
    /// URL id of the page each was found on, in the same order.
    pub found_via: Vec<u32>,
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX - 1)
}

impl Store {
    /// Starts a new source; returns a sink that files its events.
    pub fn begin_source(&mut self, name: String) -> SourceSink<'_> {
        self.sources.push(name);
        let source = to_u32(self.sources.len() - 1);
        SourceSink {
            store: self,
            source,
            papers: HashMap::new(),
        }
    }

    pub fn url_id(&mut self, url: &str) -> u32 {
        if let Some(id) = self.urls.get_index_of(url) {
            return to_u32(id);
        }
        to_u32(self.urls.insert_full(url.to_string()).0)
    }

    /// Adds a link found on the page of occurrence `on` (a project link):
    /// a `code` occurrence of `url` for the same paper, at the same place.
    /// Occurrences added so come after every extracted one.
    pub fn add_found(&mut self, on: usize, url: &str) {
        let page = self.occurrences[on];
        let id = self.url_id(url);
        self.occurrences.push(Occurrence {
            url: id,
            role: Role::Code,
            ..page
        });
        self.found_via.push(page.url);
    }

    /// The URL id of the project page occurrence `i` was found on, if any.
    pub fn found_via(&self, i: usize) -> Option<u32> {
        let first = self.occurrences.len() - self.found_via.len();
        i.checked_sub(first).map(|k| self.found_via[k])
    }

    pub fn paper_title(&self, paper: u32) -> &str {
        if paper == NO_PAPER {
            ""
        } else {
            &self.papers[paper as usize].title
        }
    }
}

/// Files the events of one source into the store, mapping the source's own
/// paper indices to global ones.
pub struct SourceSink<'a> {
    store: &'a mut Store,
    source: u32,
    papers: HashMap<usize, u32>,
}

impl SourceSink<'_> {
    /// The unique URLs so far (a new one is the last after the `event`
    /// that added it; `pipeline`'s streaming start reads it there).
    pub fn urls(&self) -> &IndexSet<String> {
        &self.store.urls
    }

    pub fn event(&mut self, event: Event) {
        match event {
            Event::Paper(p) => {
                let id = to_u32(self.store.papers.len());
                self.store.papers.push(Paper {
                    source: self.source,
                    line: to_u32(p.line),
                    title: p.title,
                    section: p.section,
                    claims_code: false,
                    withholds_code: false,
                });
                self.papers.insert(p.index, id);
            }
            Event::Link(l) => {
                let paper = l
                    .paper
                    .and_then(|i| self.papers.get(&i).copied())
                    .unwrap_or(NO_PAPER);
                let url = self.store.url_id(&l.url);
                self.store.occurrences.push(Occurrence {
                    source: self.source,
                    line: to_u32(l.line),
                    column: to_u32(l.column),
                    paper,
                    url,
                    role: l.role,
                });
            }
            Event::ClaimsCode { paper } => {
                if let Some(&id) = self.papers.get(&paper) {
                    self.store.papers[id as usize].claims_code = true;
                }
            }
            Event::WithholdsCode { paper } => {
                if let Some(&id) = self.papers.get(&paper) {
                    self.store.papers[id as usize].withholds_code = true;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{FoundLink, PaperStart};

    #[test]
    fn occurrences_share_unique_urls_and_map_papers() {
        let mut store = Store::default();
        let mut sink = store.begin_source("a.txt".into());
        sink.event(Event::Paper(PaperStart {
            index: 0,
            title: "T".into(),
            line: 3,
            section: "S".into(),
        }));
        for line in [5, 6] {
            sink.event(Event::Link(FoundLink {
                line,
                column: 2,
                url: "https://x.org".into(),
                paper: Some(0),
                role: Role::Paper,
            }));
        }
        sink.event(Event::ClaimsCode { paper: 0 });
        sink.event(Event::WithholdsCode { paper: 0 });
        assert_eq!(store.urls.len(), 1);
        assert_eq!(store.occurrences.len(), 2);
        assert_eq!(store.paper_title(store.occurrences[1].paper), "T");
        assert!(store.papers[0].claims_code);
        assert!(store.papers[0].withholds_code);
        assert_eq!(store.papers[0].section, "S");
        assert_eq!(store.occurrences[0].role, Role::Paper);
        assert_eq!(store.found_via(1), None);

        store.add_found(0, "https://github.com/o/r");
        assert_eq!(store.occurrences.len(), 3);
        assert_eq!(store.occurrences[2].role, Role::Code);
        assert_eq!(store.occurrences[2].paper, store.occurrences[0].paper);
        assert_eq!(store.occurrences[2].line, 5);
        assert_eq!(store.found_via(2), Some(0));
        assert_eq!(store.found_via(1), None);
        assert_eq!(store.urls.len(), 2);
    }
}
