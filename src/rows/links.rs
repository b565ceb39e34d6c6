//! links.csv records: [`LinkRecord`] (the `check` report) and
//! [`ExtractRecord`] (the `extract` command: the columns up to `repo`).
//! Column names and order are contracts: new fields go at the end, with
//! `#[serde(default)]`.

use super::RecordWriter;
use crate::model::{LinkRow, Role, Status};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Joins the URLs of `redirect_chain` (URLs never contain spaces).
pub const CHAIN_SEPARATOR: &str = " -> ";

/// One row of links.csv as written by `check`. A row without a result (an
/// interrupted run) is `unchecked` with empty result cells and keeps its
/// `first_failed_at`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkRecord<'a> {
    #[serde(with = "super::codec::text")]
    pub source: Cow<'a, str>,
    pub line: usize,
    pub column: usize,
    #[serde(with = "super::codec::text")]
    pub paper: Cow<'a, str>,
    #[serde(with = "super::codec::text")]
    pub url: Cow<'a, str>,
    #[serde(with = "super::codec::text")]
    pub repo: Cow<'a, str>,
    pub status: Status,
    pub http_status: Option<u16>,
    #[serde(with = "super::codec::text")]
    pub final_url: Cow<'a, str>,
    #[serde(with = "super::codec::text")]
    pub error: Cow<'a, str>,
    /// Empty for a row without a result.
    pub elapsed_ms: Option<u64>,
    /// Empty for a row without a result.
    #[serde(with = "super::codec::opt_time")]
    pub checked_at: Option<DateTime<Utc>>,
    pub cached: bool,
    #[serde(with = "super::codec::opt_time")]
    pub first_failed_at: Option<DateTime<Utc>>,
    /// Every URL requested after the first, joined with [`CHAIN_SEPARATOR`].
    /// The newest column: a file written before it reads with empty chains.
    #[serde(with = "super::codec::text", default)]
    pub redirect_chain: Cow<'a, str>,
    /// Issue 15: the archived copy a person should follow when the link is
    /// dead, its snapshot's date, and when the archives were asked.
    #[serde(with = "super::codec::text", default)]
    pub archived_copy: Cow<'a, str>,
    #[serde(with = "super::codec::opt_time", default)]
    pub archived_at: Option<DateTime<Utc>>,
    #[serde(with = "super::codec::opt_time", default)]
    pub archive_checked_at: Option<DateTime<Utc>>,
    /// Issue 13: the innermost heading above the link's paper, and what the
    /// link is to its paper (`code`, `paper`, `project`, ...).
    #[serde(with = "super::codec::text", default)]
    pub section: Cow<'a, str>,
    #[serde(default)]
    pub role: Role,
    /// Issue 14: the project page this link was found on (empty: the input
    /// links it directly).
    #[serde(with = "super::codec::text", default)]
    pub found_via: Cow<'a, str>,
    /// Issue 14: on a followed project page's own rows, the code links
    /// found on it, joined with [`PAGE_LINKS_SEPARATOR`]; [`NO_PAGE_LINKS`]
    /// when it was looked at and holds none (or is not HTML); empty when it
    /// was not looked at.
    /// What an incremental run reuses instead of requesting the page again.
    #[serde(with = "super::codec::text", default)]
    pub page_code_links: Cow<'a, str>,
    /// Issue 25: the status code of each redirect hop, one per
    /// `redirect_chain` URL, joined with `,` (`301,308`).
    #[serde(with = "super::codec::text", default)]
    pub redirect_codes: Cow<'a, str>,
}

/// The number of links.csv columns as `check` writes them.
pub const COLUMNS: usize = 23;

/// The columns that follow from a row's URL (the URL itself, its
/// repository, result and archive cells: `url` to `archive_checked_at`,
/// and `page_code_links`, `redirect_codes`): what [`UrlCells`] encodes
/// once per URL. The URL's own cell is kept too: read from the store per
/// row it cost a cache miss a row (the store's URLs lie anywhere in
/// memory), about 0.1 s a million rows on the tail's critical path, for 8
/// MB of 200,000 URLs while links.csv is written. `source`, `line`,
/// `column`, `paper`, `section`, `role` and `found_via` are the
/// occurrence's own.
const URL_COLUMNS: [std::ops::Range<usize>; 2] = [4..18, 21..23];

/// links.csv rows written with the cells of each URL encoded once: a
/// report of a million occurrences of 200,000 URLs encodes 200,000 result
/// cell runs instead of a million (issue 27, the report tail). The bytes
/// are those of [`LinkRecord::write_to`] (tested).
#[derive(Debug, Default)]
pub struct UrlCells {
    /// Per URL id, its two encoded runs (the first from its URL's own
    /// cell): `bytes[a..b]`, `bytes[b..c]`
    /// (`a` is [`UNSEEN`] or [`BY_RECORD`] for a URL without them).
    spans: Vec<[u32; 3]>,
    bytes: Vec<u8>,
    /// The last `source`, `paper` and `section` cells, encoded: rows in
    /// input order share them with the row before.
    recent: [Recent; 3],
}

/// A text cell encoded for the last text it was asked for: a text is known
/// by where it is (rows borrow their texts for the whole write, so one
/// place holds one text).
#[derive(Debug, Default)]
struct Recent {
    at: (usize, usize),
    cell: Vec<u8>,
}

impl Recent {
    fn cell(&mut self, text: &str) -> &[u8] {
        let at = (text.as_ptr() as usize, text.len());
        if at != self.at || self.cell.is_empty() {
            self.cell.clear();
            super::codec::push_cell(&mut self.cell, super::csv_safe::neutralise(text).as_bytes());
            self.at = at;
        }
        &self.cell
    }
}

/// A URL whose cells are not encoded yet.
const UNSEEN: u32 = u32::MAX;
/// A URL written record by record (a date only serde can write).
const BY_RECORD: u32 = u32::MAX - 1;

impl UrlCells {
    /// A cache for URL ids below `urls`.
    pub fn new(urls: usize) -> Self {
        UrlCells {
            spans: vec![[UNSEEN; 3]; urls],
            ..Default::default()
        }
    }

    /// Writes `row`, whose URL has the id `url`. Every row given with one id
    /// must have the same URL, repository, result, `first_failed_at` and
    /// archive (as the rows of one URL in a run's store do); an id out of
    /// range is written record by record.
    pub fn write<W: std::io::Write>(
        &mut self,
        w: &mut RecordWriter<W>,
        url: usize,
        row: &LinkRow<'_>,
    ) -> std::io::Result<()> {
        use super::codec::{Part, fmt_usize};
        use super::csv_safe::neutralise;
        let span = match self.spans.get(url) {
            Some([UNSEEN, ..]) => self.encode(url, row),
            Some(&span) => span,
            None => [BY_RECORD; 3],
        };
        let [a, b, c] = span;
        if a == BY_RECORD {
            return LinkRecord::from_row(row).write_to(w);
        }
        let (mut line, mut column) = ([0u8; 20], [0u8; 20]);
        let found_via = neutralise(row.found_via);
        let [source, paper, section] = &mut self.recent;
        w.write_parts(&[
            Part::Encoded(source.cell(row.source)),
            Part::Cell(fmt_usize(row.line, &mut line)),
            Part::Cell(fmt_usize(row.column, &mut column)),
            Part::Encoded(paper.cell(row.paper)),
            Part::Encoded(&self.bytes[a as usize..b as usize]),
            Part::Encoded(section.cell(row.section)),
            Part::Cell(row.role.as_str().as_bytes()),
            Part::Cell(found_via.as_bytes()),
            Part::Encoded(&self.bytes[b as usize..c as usize]),
        ])
    }

    /// Encodes the URL cells of `row` (URL id `url`); their span.
    fn encode(&mut self, url: usize, row: &LinkRow<'_>) -> [u32; 3] {
        use super::codec::push_cells;
        let bytes = &mut self.bytes;
        let encoded = LinkRecord::from_row(row).with_cells(|cells| {
            let a = bytes.len();
            push_cells(bytes, &cells[URL_COLUMNS[0].clone()]);
            let b = bytes.len();
            push_cells(bytes, &cells[URL_COLUMNS[1].clone()]);
            [a, b, bytes.len()]
        });
        // Offsets up to 4 GiB (past them, never in practice, and for a date
        // only serde writes: record by record).
        let span = match encoded.map(|span| span.map(|at| u32::try_from(at).ok())) {
            Some([Some(a), Some(b), Some(c)]) if c < BY_RECORD => [a, b, c],
            _ => [BY_RECORD; 3],
        };
        self.spans[url] = span;
        span
    }
}

/// Joins the URLs of `page_code_links` (URLs never contain spaces).
pub const PAGE_LINKS_SEPARATOR: &str = " ";

/// `page_code_links` of a page that was read and links no code.
pub const NO_PAGE_LINKS: &str = "none";

impl<'a> LinkRecord<'a> {
    /// The record of a row; borrows every text it can.
    pub fn from_row(row: &LinkRow<'a>) -> Self {
        let head = ExtractRecord::from_row(row);
        let r = row.result;
        LinkRecord {
            source: head.source,
            line: head.line,
            column: head.column,
            paper: head.paper,
            url: head.url,
            repo: head.repo,
            status: r.map_or(Status::Unchecked, |r| r.status),
            http_status: r.and_then(|r| r.http_status),
            final_url: Cow::Borrowed(r.and_then(|r| r.final_url.as_deref()).unwrap_or("")),
            error: Cow::Borrowed(r.map_or("", |r| r.error.as_str())),
            elapsed_ms: r.map(|r| r.elapsed_ms),
            checked_at: r.map(|r| r.checked_at),
            cached: r.is_some_and(|r| r.cached),
            first_failed_at: row.first_failed_at,
            redirect_chain: match r.map_or(&[][..], |r| r.redirect_chain.as_slice()) {
                [] => Cow::Borrowed(""),
                chain => Cow::Owned(chain.join(CHAIN_SEPARATOR)),
            },
            archived_copy: Cow::Borrowed(row.archive.map_or("", |a| a.copy.as_str())),
            archived_at: row.archive.and_then(|a| a.at),
            archive_checked_at: row.archive.and_then(|a| a.checked_at),
            section: head.section,
            role: head.role,
            found_via: Cow::Borrowed(row.found_via),
            page_code_links: match r.and_then(|r| r.page_links.as_deref()) {
                None => Cow::Borrowed(""),
                Some([]) => Cow::Borrowed(NO_PAGE_LINKS),
                Some(links) => Cow::Owned(links.join(PAGE_LINKS_SEPARATOR)),
            },
            redirect_codes: match r.map_or(&[][..], |r| r.hop_codes()) {
                [] => Cow::Borrowed(""),
                codes => Cow::Owned(
                    codes
                        .iter()
                        .map(u16::to_string)
                        .collect::<Vec<_>>()
                        .join(","),
                ),
            },
        }
    }

    /// Writes this record as [`RecordWriter::write`] would (the same
    /// bytes, tested below), without serde: a report writes a million.
    pub fn write_to<W: std::io::Write>(&self, w: &mut RecordWriter<W>) -> std::io::Result<()> {
        match self.with_cells(|cells| w.write_fields(cells)) {
            Some(written) => written,
            None => w.write(self),
        }
    }

    /// The record's cells as serde writes them before quoting (text
    /// neutralised, numbers and dates formatted), handed to `f`; `None`
    /// when a date needs serde's own formatting.
    pub fn with_cells<R>(&self, f: impl FnOnce(&[&[u8]; COLUMNS]) -> R) -> Option<R> {
        use super::codec::{fmt_time_into, fmt_usize};
        use super::csv_safe::neutralise;
        // An empty cell for no date; `None` when the fast path cannot
        // write it (then the record goes through serde).
        fn date(t: Option<DateTime<Utc>>, buf: &mut [u8; 20]) -> Option<&[u8]> {
            t.map_or(Some(&[][..]), |t| fmt_time_into(t, buf))
        }
        let mut d = [[0u8; 20]; 4];
        let [d0, d1, d2, d3] = &mut d;
        let (Some(checked_at), Some(first_failed_at), Some(archived_at), Some(asked_at)) = (
            date(self.checked_at, d0),
            date(self.first_failed_at, d1),
            date(self.archived_at, d2),
            date(self.archive_checked_at, d3),
        ) else {
            return None;
        };
        let mut n = [[0u8; 20]; 4];
        let [n0, n1, n2, n3] = &mut n;
        let http = self
            .http_status
            .map_or(&[][..], |c| fmt_usize(c.into(), n2));
        let elapsed = (self.elapsed_ms).map_or(&[][..], |ms| fmt_usize(ms as usize, n3));
        let [
            source,
            paper,
            url,
            repo,
            final_url,
            error,
            chain,
            copy,
            section,
            found_via,
            page_links,
            codes,
        ] = [
            &self.source,
            &self.paper,
            &self.url,
            &self.repo,
            &self.final_url,
            &self.error,
            &self.redirect_chain,
            &self.archived_copy,
            &self.section,
            &self.found_via,
            &self.page_code_links,
            &self.redirect_codes,
        ]
        .map(|t| neutralise(t));
        Some(f(&[
            source.as_bytes(),
            fmt_usize(self.line, n0),
            fmt_usize(self.column, n1),
            paper.as_bytes(),
            url.as_bytes(),
            repo.as_bytes(),
            self.status.as_str().as_bytes(),
            http,
            final_url.as_bytes(),
            error.as_bytes(),
            elapsed,
            checked_at,
            if self.cached { b"true" } else { b"false" },
            first_failed_at,
            chain.as_bytes(),
            copy.as_bytes(),
            archived_at,
            asked_at,
            section.as_bytes(),
            self.role.as_str().as_bytes(),
            found_via.as_bytes(),
            page_links.as_bytes(),
            codes.as_bytes(),
        ]))
    }

    /// The codes of `redirect_codes`; `None` when a cell is not a code.
    pub fn codes(&self) -> Option<Vec<u16>> {
        if self.redirect_codes.is_empty() {
            return Some(Vec::new());
        }
        self.redirect_codes
            .split(',')
            .map(|c| c.trim().parse().ok())
            .collect()
    }

    /// The URLs of `page_code_links`: `None` when the page was not read.
    pub fn page_links(&self) -> Option<Vec<String>> {
        match self.page_code_links.as_ref() {
            "" => None,
            NO_PAGE_LINKS => Some(Vec::new()),
            links => Some(
                links
                    .split(PAGE_LINKS_SEPARATOR)
                    .filter(|u| !u.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
        }
    }

    /// The URLs of `redirect_chain`.
    pub fn chain(&self) -> Vec<String> {
        if self.redirect_chain.is_empty() {
            return Vec::new();
        }
        self.redirect_chain
            .split(CHAIN_SEPARATOR)
            .map(str::to_owned)
            .collect()
    }
}

/// One row of the `extract` command's CSV: the links.csv columns up to
/// `repo`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ExtractRecord<'a> {
    #[serde(with = "super::codec::text")]
    pub source: Cow<'a, str>,
    pub line: usize,
    pub column: usize,
    #[serde(with = "super::codec::text")]
    pub paper: Cow<'a, str>,
    #[serde(with = "super::codec::text")]
    pub url: Cow<'a, str>,
    #[serde(with = "super::codec::text")]
    pub repo: Cow<'a, str>,
    /// Issue 13 (also in links.csv, after the check columns).
    #[serde(with = "super::codec::text", default)]
    pub section: Cow<'a, str>,
    #[serde(default)]
    pub role: Role,
}

impl<'a> ExtractRecord<'a> {
    /// Writes this record as [`RecordWriter::write`] would (the same
    /// bytes), without serde: the `extract` command writes one per link.
    pub fn write_to<W: std::io::Write>(&self, w: &mut RecordWriter<W>) -> std::io::Result<()> {
        use super::codec::fmt_usize;
        use super::csv_safe::neutralise;
        let (mut line, mut column) = ([0u8; 20], [0u8; 20]);
        let (source, paper) = (neutralise(&self.source), neutralise(&self.paper));
        let (url, repo) = (neutralise(&self.url), neutralise(&self.repo));
        let section = neutralise(&self.section);
        w.write_fields(&[
            source.as_bytes(),
            fmt_usize(self.line, &mut line),
            fmt_usize(self.column, &mut column),
            paper.as_bytes(),
            url.as_bytes(),
            repo.as_bytes(),
            section.as_bytes(),
            self.role.as_str().as_bytes(),
        ])
    }

    pub fn from_row(row: &LinkRow<'a>) -> Self {
        ExtractRecord {
            source: Cow::Borrowed(row.source),
            line: row.line,
            column: row.column,
            paper: Cow::Borrowed(row.paper),
            url: Cow::Borrowed(row.url),
            repo: Cow::Borrowed(row.repo),
            section: Cow::Borrowed(row.section),
            role: row.role,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `r` written through serde and through its serde-free `write_to`,
    /// under the header of `H` (its record type).
    fn serde_and_fast<H: for<'de> Deserialize<'de>, R: Serialize>(
        r: &R,
        write_to: impl Fn(&R, &mut RecordWriter<&mut Vec<u8>>) -> std::io::Result<()>,
    ) -> (String, String) {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        {
            let mut w = RecordWriter::new::<H>(&mut a).unwrap();
            w.write(r).unwrap();
            w.flush().unwrap();
        }
        {
            let mut w = RecordWriter::new::<H>(&mut b).unwrap();
            write_to(r, &mut w).unwrap();
            w.flush().unwrap();
        }
        (String::from_utf8(a).unwrap(), String::from_utf8(b).unwrap())
    }

    fn both(r: &ExtractRecord<'_>) -> (String, String) {
        serde_and_fast::<ExtractRecord<'static>, _>(r, |r, w| r.write_to(w))
    }

    #[test]
    fn write_to_gives_the_serialised_bytes() {
        let r = ExtractRecord {
            source: "a,b.md".into(),
            line: 0,
            column: 1234567890,
            paper: "=HYPERLINK(\"x\")".into(),
            url: "https://x.org/\"q\"\n".into(),
            repo: "".into(),
            section: "-s 'é'".into(),
            role: Role::Code,
        };
        let (a, b) = both(&r);
        assert_eq!(a, b);
    }

    fn time(secs: Option<i64>) -> Option<DateTime<Utc>> {
        secs.and_then(|s| DateTime::from_timestamp(s, 0))
    }

    proptest! {
        #[test]
        fn link_record_write_to_agrees_with_serialize(
            texts in proptest::collection::vec("[=+@\\-'\"a-z ,\n\té]{0,8}", 12),
            numbers in (any::<usize>(), any::<usize>(), any::<Option<u16>>(), any::<Option<u64>>()),
            dates in proptest::collection::vec(
                proptest::option::of(-70_000_000_000i64..300_000_000_000i64), 4),
            status in 0..Status::ALL.len(),
            role in 0..Role::ALL.len(),
            cached in any::<bool>(),
        ) {
            let t = |i: usize| Cow::Borrowed(texts[i].as_str());
            let r = LinkRecord {
                source: t(0),
                line: numbers.0,
                column: numbers.1,
                paper: t(1),
                url: t(2),
                repo: t(3),
                status: Status::ALL[status],
                http_status: numbers.2,
                final_url: t(4),
                error: t(5),
                elapsed_ms: numbers.3,
                checked_at: time(dates[0]),
                cached,
                first_failed_at: time(dates[1]),
                redirect_chain: t(6),
                archived_copy: t(7),
                archived_at: time(dates[2]),
                archive_checked_at: time(dates[3]),
                section: t(8),
                role: Role::ALL[role],
                found_via: t(9),
                page_code_links: t(10),
                redirect_codes: t(11),
            };
            let (serde, fast) = serde_and_fast::<LinkRecord<'static>, _>(&r, |r, w| r.write_to(w));
            prop_assert_eq!(serde, fast);
        }

        #[test]
        fn write_to_agrees_with_serialize(
            texts in proptest::collection::vec(".{0,12}", 5),
            line in any::<usize>(),
            column in any::<usize>(),
            role in 0..Role::ALL.len(),
        ) {
            let r = ExtractRecord {
                source: texts[0].as_str().into(),
                line,
                column,
                paper: texts[1].as_str().into(),
                url: texts[2].as_str().into(),
                repo: texts[3].as_str().into(),
                section: texts[4].as_str().into(),
                role: Role::ALL[role],
            };
            let (a, b) = both(&r);
            prop_assert_eq!(a, b);
        }
    }
}
