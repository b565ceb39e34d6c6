//! The cell codec of every record: dates, text (formula-neutralised both
//! ways), headers from field names, and a writer that always writes the
//! header. Never does I/O beyond the writer it is handed.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::de::{self, Deserialize, Deserializer, Visitor};
use std::io::Write;

/// The one date format of every report: RFC 3339, UTC, whole seconds, `Z`.
pub fn fmt_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// [`fmt_time`] written into `buf` without allocating (the row writers'
/// hot path: a million dates per report). `None` where `fmt_time` would
/// not give the plain `YYYY-MM-DDTHH:MM:SSZ` shape (a year outside
/// 0..=9999, a leap second): the caller then uses `fmt_time`.
pub fn fmt_time_into(t: DateTime<Utc>, buf: &mut [u8; 20]) -> Option<&[u8]> {
    use chrono::{Datelike, Timelike};
    let year = u32::try_from(t.year()).ok().filter(|y| *y <= 9999)?;
    if t.nanosecond() >= 1_000_000_000 {
        return None;
    }
    let two = |n: u32| [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
    let (hi, lo) = (two(year / 100), two(year % 100));
    let fields = [
        (0, hi),
        (2, lo),
        (5, two(t.month())),
        (8, two(t.day())),
        (11, two(t.hour())),
        (14, two(t.minute())),
        (17, two(t.second())),
    ];
    for (at, digits) in fields {
        buf[at..at + 2].copy_from_slice(&digits);
    }
    for (at, sep) in [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'Z'),
    ] {
        buf[at] = sep;
    }
    Some(&buf[..])
}

/// The column names of a record type, in order: its field names as serde
/// sees them. One source of truth for every header.
pub fn columns<T: for<'de> Deserialize<'de>>() -> &'static [&'static str] {
    struct Names(Option<&'static [&'static str]>);
    impl<'de> Deserializer<'de> for &mut Names {
        type Error = de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0 = Some(fields);
            Err(de::Error::custom("names taken"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }
    let mut names = Names(None);
    let _ = T::deserialize(&mut names);
    names.0.unwrap_or(&[])
}

/// A CSV writer for records of type `T` that writes the header at once
/// (also for a report without rows), then one record per `write`.
///
/// Records go through serde (`write`) or, on the report hot paths, as
/// cells encoded here ([`Self::write_fields`], [`Self::write_parts`]):
/// both give the same bytes (QUOTE_STYLE `Necessary`, `"` doubled, `\n`
/// terminator: what `csv::Writer` writes), tested against each other.
pub struct RecordWriter<W: Write> {
    out: W,
    /// Encoded records not yet handed to `out`.
    buf: Vec<u8>,
}

/// How much `RecordWriter` gathers before it writes to its output.
const WRITE_CHUNK: usize = 1 << 16;

/// One piece of a record for [`RecordWriter::write_parts`].
#[derive(Clone, Copy, Debug)]
pub enum Part<'a> {
    /// One cell, not yet encoded.
    Cell(&'a [u8]),
    /// One or more cells already encoded by [`push_cells`].
    Encoded(&'a [u8]),
}

/// Whether CSV's `Necessary` quoting style quotes a cell holding `byte`.
const fn needs_quote(byte: u8) -> bool {
    matches!(byte, b',' | b'"' | b'\n' | b'\r')
}

/// Appends `cell` as one CSV cell: as is, or in quotes with every `"`
/// doubled when it holds a comma, a quote or a line break.
pub fn push_cell(buf: &mut Vec<u8>, cell: &[u8]) {
    if !cell.iter().any(|&b| needs_quote(b)) {
        buf.extend_from_slice(cell);
        return;
    }
    buf.push(b'"');
    for part in cell.split_inclusive(|&b| b == b'"') {
        buf.extend_from_slice(part);
        if part.last() == Some(&b'"') {
            buf.push(b'"');
        }
    }
    buf.push(b'"');
}

/// Appends `cells` as CSV cells joined by commas (no terminator).
pub fn push_cells(buf: &mut Vec<u8>, cells: &[&[u8]]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        push_cell(buf, cell);
    }
}

impl<W: Write> RecordWriter<W> {
    pub fn new<T: for<'de> Deserialize<'de>>(out: W) -> std::io::Result<Self> {
        let mut w = RecordWriter {
            out,
            buf: Vec::with_capacity(WRITE_CHUNK + 4096),
        };
        w.write_fields(
            &columns::<T>()
                .iter()
                .map(|c| c.as_bytes())
                .collect::<Vec<_>>(),
        )?;
        Ok(w)
    }

    pub fn write<T: serde::Serialize>(&mut self, record: &T) -> std::io::Result<()> {
        {
            // The serde path (repos.csv, papers.csv, a links.csv row whose
            // date the fast path cannot write): straight into `buf`.
            let mut ser = csv::WriterBuilder::new()
                .has_headers(false)
                .buffer_capacity(1024)
                .from_writer(&mut self.buf);
            ser.serialize(record).map_err(io_error)?;
            ser.flush()?;
        }
        self.written()
    }

    /// Writes one record of cells not yet encoded: the bytes [`Self::write`]
    /// gives for a record whose cells serialise to them (quoting included).
    /// Every record here has many cells: one of a single empty cell, which
    /// `csv::Writer` writes as `""`, would be an empty line.
    pub fn write_fields(&mut self, cells: &[&[u8]]) -> std::io::Result<()> {
        push_cells(&mut self.buf, cells);
        self.buf.push(b'\n');
        self.written()
    }

    /// Writes one record made of cells and runs of cells encoded earlier
    /// (by [`push_cells`]), joined by commas: what a report writes when
    /// many rows share most of their cells.
    pub fn write_parts(&mut self, parts: &[Part<'_>]) -> std::io::Result<()> {
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            match part {
                Part::Cell(cell) => push_cell(&mut self.buf, cell),
                Part::Encoded(cells) => self.buf.extend_from_slice(cells),
            }
        }
        self.buf.push(b'\n');
        self.written()
    }

    /// Hands what is gathered to the output once there is a chunk of it.
    fn written(&mut self) -> std::io::Result<()> {
        if self.buf.len() >= WRITE_CHUNK {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()
    }
}

/// What is gathered is written when the writer goes (as `csv::Writer`
/// does); callers flush to see the error.
impl<W: Write> Drop for RecordWriter<W> {
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            let _ = self.out.write_all(&self.buf);
            let _ = self.out.flush();
        }
    }
}

fn io_error(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        // Keep the I/O error itself (its kind: broken pipe, disk full).
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("cannot encode a CSV record: {other:?}")),
    }
}

/// Decimal digits of `n` in `buf` (what the CSV serialiser writes for an
/// unsigned number).
pub fn fmt_usize(n: usize, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[i..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The cells `RecordWriter` encodes itself are the bytes
        /// `csv::Writer` writes for them, for any bytes in any cell.
        #[test]
        fn cells_are_encoded_as_csv_writer_encodes_them(
            cells in proptest::collection::vec(
                proptest::collection::vec(prop_oneof![
                    Just(b','), Just(b'"'), Just(b'\n'), Just(b'\r'), Just(b'\''), any::<u8>()
                ], 0..12),
                2..6),
            split in 0usize..6,
        ) {
            let mut theirs = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
            theirs.write_record(&cells).unwrap();
            let theirs = theirs.into_inner().unwrap();
            let cells: Vec<&[u8]> = cells.iter().map(Vec::as_slice).collect();
            let mut ours = Vec::new();
            {
                let mut w = RecordWriter { out: &mut ours, buf: Vec::new() };
                w.write_fields(&cells).unwrap();
                // The same record with its first cells encoded beforehand.
                let split = split.min(cells.len());
                let mut head = Vec::new();
                push_cells(&mut head, &cells[..split]);
                let mut parts: Vec<Part<'_>> = Vec::new();
                if split > 0 {
                    parts.push(Part::Encoded(&head));
                }
                parts.extend(cells[split..].iter().map(|c| Part::Cell(c)));
                w.write_parts(&parts).unwrap();
                w.flush().unwrap();
            }
            prop_assert_eq!(&ours[..theirs.len()], &theirs[..]);
            prop_assert_eq!(&ours[theirs.len()..], &theirs[..]);
        }
    }

    proptest! {
        #[test]
        fn fmt_time_into_agrees_with_fmt_time(secs in -70_000_000_000i64..300_000_000_000i64) {
            let t = DateTime::from_timestamp(secs, 0).unwrap();
            let mut buf = [0u8; 20];
            match fmt_time_into(t, &mut buf) {
                Some(bytes) => prop_assert_eq!(std::str::from_utf8(bytes).unwrap(), fmt_time(t)),
                None => prop_assert!(!(0..=9999).contains(&chrono::Datelike::year(&t))),
            }
        }
    }
}

/// Field adapter for text cells: neutralised on write, restored on read.
pub mod text {
    use crate::rows::csv_safe::{neutralise, restore};
    use serde::{Deserialize, Deserializer, Serializer};
    use std::borrow::Cow;

    pub fn serialize<S: Serializer>(v: &str, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&neutralise(v))
    }

    pub fn deserialize<'de, 'a, D: Deserializer<'de>>(d: D) -> Result<Cow<'a, str>, D::Error> {
        let cell = <Cow<'de, str>>::deserialize(d)?;
        Ok(Cow::Owned(restore(&cell).into_owned()))
    }
}

/// Field adapter for an optional date: empty cell for `None`.
pub mod opt_time {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    use std::borrow::Cow;

    pub fn serialize<S: Serializer>(v: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(t) => s.serialize_str(&super::fmt_time(*t)),
            None => s.serialize_str(""),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        let cell = <Cow<'de, str>>::deserialize(d)?;
        if cell.is_empty() {
            return Ok(None);
        }
        DateTime::parse_from_rfc3339(&cell)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| D::Error::custom(format!("`{cell}` is not an RFC 3339 date")))
    }
}

/// Field adapter for a date that is always there.
pub mod time {
    use chrono::{DateTime, Utc};
    use serde::{Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(v: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::fmt_time(*v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        super::opt_time::deserialize(d)?.ok_or_else(|| D::Error::custom("empty date"))
    }
}
