//! The CSV schema: one serde record per report (links.csv, repos.csv,
//! papers.csv), used by `report` to write (`csv::Writer::serialize`) and by
//! `history` to read the previous run back (`csv::Reader::deserialize`,
//! columns matched by header name). Adding a column is one field at the end
//! of the record with `#[serde(default)]` (so files written before it still
//! read); a reordered or extended file reads too.
//!
//! Adding a column (say `section` to links.csv): one field at the end of
//! [`LinkRecord`], `#[serde(with = "super::codec::text", default)] pub
//! section: Cow<'a, str>` (a number: `#[serde(default)] pub n: Option<u64>`;
//! a word: a type with `as_str`/`FromStr` and `Serialize`/`Deserialize` as
//! `model::Status` has), filled in `LinkRecord::from_row`. The header follows
//! from the field; `history` reads older files without it. The `extract`
//! command writes [`ExtractRecord`] (the columns up to `repo`): add the field
//! there too only if `extract` should print it.
//!
//! Every text cell goes through [`csv_safe`] both ways (the `text` field
//! adapter); dates are RFC 3339, UTC, whole seconds ([`fmt_time`]).
//!
//! Never does I/O beyond the writer or reader it is handed.

pub mod codec;
pub mod csv_safe;
pub mod links;
pub mod papers;
pub mod repos;

pub use codec::{RecordWriter, columns, fmt_time};
pub use links::{
    CHAIN_SEPARATOR, ExtractRecord, LinkRecord, NO_PAGE_LINKS, PAGE_LINKS_SEPARATOR, UrlCells,
};
pub use papers::PaperRecord;
pub use repos::RepoRecord;
