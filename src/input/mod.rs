//! Inputs: files, directories (walked recursively by extension), glob
//! patterns, `-` for stdin and http(s) URLs; each opened as a stream with its
//! format detected.
//!
//! Never extracts links itself and never reads a whole local file into
//! memory: files are opened as buffered streams. Remote inputs are fetched
//! by the caller (they need the checker's address guard) and handed here as
//! bytes, one at a time.
//!
//! Owns how much of an input is read: HTML is parsed whole, so its stream
//! stops at a cap (`max_input_mib`, default [`MAX_DOCUMENT_BYTES`]) and
//! `Opened::cut` says whether anything was left unread; text, JSON and
//! Markdown (parsed in runs of whole blocks, see `extract::segments`) are
//! streamed whole.

use crate::error::Error;
use crate::extract::Format;
use globset::GlobBuilder;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Extensions read when walking a directory or expanding a glob.
pub const EXTENSIONS: [&str; 9] = [
    "txt", "text", "md", "markdown", "html", "htm", "json", "jsonl", "ndjson",
];

/// Bytes looked at to detect the format and binary files.
const HEAD_LEN: usize = 8 * 1024;

/// Default for the most bytes of an HTML input read (its parser holds the
/// whole document) and of a remote input fetched: the `max_input_mib`
/// config key. Past it, the rest is skipped with a warning.
pub const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

/// One thing to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    Stdin,
    Url(String),
}

impl Source {
    /// The name used in reports: the path as given, [`STDIN_NAME`] for
    /// stdin, the URL.
    pub fn name(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Stdin => STDIN_NAME.into(),
            Source::Url(u) => u.clone(),
        }
    }
}

/// The `source` of links read from stdin (`-` on the command line) in
/// reports and messages.
pub const STDIN_NAME: &str = "<stdin>";

/// The absolute directory a missing `path` was looked for in.
fn looked_in(path: &Path) -> String {
    let full = std::env::current_dir().unwrap_or_default().join(path);
    let dir = full.parent().map(Path::to_path_buf).unwrap_or(full);
    dir.display().to_string()
}

/// Drops a source named before (the same canonical path, stdin twice, the
/// same URL), with a warning: each input is read once.
fn dedupe(out: &mut Resolved) {
    let mut seen: Vec<(Source, String)> = Vec::new();
    let mut kept = Vec::new();
    for source in std::mem::take(&mut out.sources) {
        let key = match &source {
            Source::File(p) => Source::File(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())),
            other => other.clone(),
        };
        if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
            out.warnings.push(format!(
                "{}: the same input as {first}; read once",
                source.name()
            ));
            continue;
        }
        seen.push((key, source.name()));
        kept.push(source);
    }
    out.sources = kept;
}

/// What resolving the inputs found, plus warnings for the user.
#[derive(Debug, Default)]
pub struct Resolved {
    pub sources: Vec<Source>,
    pub warnings: Vec<String>,
}

fn input_error(input: &str, message: impl Into<String>) -> Error {
    Error::Input {
        input: input.to_string(),
        message: message.into(),
    }
}

fn has_known_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '[', '{'])
}

/// Expands the inputs as given on the command line or in the config.
/// A missing path or a pattern matching nothing is an error; a directory
/// with nothing to read is a warning (and an error if nothing at all is left).
pub fn resolve(inputs: &[String]) -> Result<Resolved, Error> {
    let mut out = Resolved::default();
    for input in inputs {
        let lower = input.to_ascii_lowercase();
        if input == "-" {
            out.sources.push(Source::Stdin);
        } else if lower.starts_with("http://") || lower.starts_with("https://") {
            out.sources.push(Source::Url(input.clone()));
        } else if Path::new(input).is_dir() {
            let before = out.sources.len();
            walk_dir(Path::new(input), &mut out)?;
            if out.sources.len() == before {
                out.warnings.push(format!(
                    "{input}: directory has no files to read (looked for .{})",
                    EXTENSIONS.join(", .")
                ));
            }
        } else if Path::new(input).exists() {
            out.sources.push(Source::File(PathBuf::from(input)));
        } else if is_glob(input) {
            let before = out.sources.len();
            expand_glob(input, &mut out)?;
            if out.sources.len() == before {
                let base = glob_base(input);
                let dir = std::env::current_dir().unwrap_or_default().join(base);
                let message = format!("the pattern matches no file (looked in {})", dir.display());
                return Err(input_error(input, message));
            }
        } else {
            let message = format!(
                "no such file or directory (looked in {})",
                looked_in(Path::new(input))
            );
            return Err(input_error(input, message));
        }
    }
    if inputs.is_empty() {
        return Err(Error::Usage(
            "no inputs: pass files or set `inputs` in the config".into(),
        ));
    }
    if out.sources.is_empty() {
        return Err(input_error(&inputs.join(" "), "nothing to read"));
    }
    dedupe(&mut out);
    Ok(out)
}

fn walk_dir(dir: &Path, out: &mut Resolved) -> Result<(), Error> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        match entry {
            Ok(e) if e.file_type().is_file() && has_known_extension(e.path()) => {
                files.push(e.into_path())
            }
            Ok(_) => {}
            Err(e) => out.warnings.push(format!("{}: {e}", dir.display())),
        }
    }
    out.sources.extend(files.into_iter().map(Source::File));
    Ok(())
}

/// The longest literal directory prefix of a glob pattern (where the walk
/// starts), `.` when there is none.
fn glob_base(pattern: &str) -> &str {
    let first_meta = pattern.find(['*', '?', '[', '{']).unwrap_or(pattern.len());
    match pattern[..first_meta].rfind('/') {
        Some(i) => &pattern[..=i],
        None => ".",
    }
}

fn expand_glob(pattern: &str, out: &mut Resolved) -> Result<(), Error> {
    let matcher = GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| input_error(pattern, format!("bad glob pattern: {e}")))?
        .compile_matcher();
    let base = glob_base(pattern);
    let strip_dot = base == ".";
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(base)
        .follow_links(true)
        .sort_by_file_name()
    {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let rel = if strip_dot {
            path.strip_prefix("./").unwrap_or(path)
        } else {
            path
        };
        if matcher.is_match(rel) {
            files.push(rel.to_path_buf());
        }
    }
    out.sources.extend(files.into_iter().map(Source::File));
    Ok(())
}

/// An opened input: its format and a buffered stream over its content.
pub struct Opened {
    pub format: Format,
    pub reader: Box<dyn BufRead + Send>,
    /// Whether the stream stopped at a cap with more left unread.
    pub cut: Cut,
}

/// Shared flag set by a capped stream when it stopped with bytes left.
#[derive(Clone, Debug, Default)]
pub struct Cut {
    hit: Arc<AtomicBool>,
    cap: u64,
    /// The whole input's size, when known (a local file).
    total: Option<u64>,
}

impl Cut {
    /// After reading: the warning naming `name` and what was skipped, if
    /// the cap was reached with more left.
    pub fn message(&self, name: &str) -> Option<String> {
        if !self.hit.load(Ordering::Relaxed) {
            return None;
        }
        let rest = match self.total {
            Some(t) => format!(
                "the remaining {} were skipped",
                human_bytes(t.saturating_sub(self.cap))
            ),
            None => "the rest was skipped".into(),
        };
        Some(format!(
            "{name}: larger than the {} read cap for HTML inputs (max_input_mib); \
             only the first {} were read and {rest} (links there are not in the reports)",
            human_bytes(self.cap),
            human_bytes(self.cap)
        ))
    }
}

/// `74 bytes`, `1.5 MiB`.
pub fn human_bytes(b: u64) -> String {
    if b < 1024 * 1024 {
        format!("{b} bytes")
    } else {
        format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0))
    }
}

/// A stream that ends after `left` bytes, noting in `hit` whether the
/// inner stream had more.
struct Capped<R> {
    inner: R,
    left: u64,
    hit: Arc<AtomicBool>,
}

impl<R: BufRead> Read for Capped<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let buf = self.fill_buf()?;
            let n = buf.len().min(out.len());
            out[..n].copy_from_slice(&buf[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Capped<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.left == 0 {
            if !self.inner.fill_buf()?.is_empty() {
                self.hit.store(true, Ordering::Relaxed);
            }
            return Ok(&[]);
        }
        let buf = self.inner.fill_buf()?;
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        Ok(&buf[..n])
    }

    fn consume(&mut self, amt: usize) {
        self.left = self.left.saturating_sub(amt as u64);
        self.inner.consume(amt);
    }
}

/// Why an input is skipped rather than read.
#[derive(Debug)]
pub enum OpenError {
    /// Not an error of the run: e.g. a binary file (a warning).
    Skip(String),
    Fatal(Error),
}

/// Opens a local file or stdin: reads the head to detect the format (and
/// skip binary files), then streams the rest; HTML stops after `cap`
/// bytes.
pub fn open(source: &Source, cap: u64) -> Result<Opened, OpenError> {
    match source {
        Source::File(path) => {
            let file = File::open(path).map_err(|e| {
                OpenError::Fatal(Error::Io {
                    path: path.clone(),
                    source: e,
                })
            })?;
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .map(|e| e.to_ascii_lowercase());
            let total = file.metadata().ok().map(|m| m.len());
            let mut opened = open_reader(&source.name(), ext.as_deref(), Box::new(file), cap)?;
            opened.cut.total = total;
            Ok(opened)
        }
        Source::Stdin => open_reader(STDIN_NAME, None, Box::new(std::io::stdin()), cap),
        Source::Url(url) => Err(OpenError::Fatal(input_error(
            url,
            "remote inputs are fetched by the pipeline, not opened here",
        ))),
    }
}

/// Detects the format of a stream from its extension (if any) and its first
/// bytes, refusing binary content, and returns it ready to read (HTML
/// stops after `cap` bytes).
pub fn open_reader(
    name: &str,
    extension: Option<&str>,
    inner: Box<dyn Read + Send>,
    cap: u64,
) -> Result<Opened, OpenError> {
    // Fused: a terminal on stdin ends at the first Ctrl-D (the head read
    // meets the end; without this the stream would wait for a second one).
    let inner = Fused {
        inner,
        ended: false,
    };
    let mut reader = BufReader::with_capacity(64 * 1024, inner);
    let head = fill_head(&mut reader).map_err(|e| {
        OpenError::Fatal(Error::Io {
            path: PathBuf::from(name),
            source: e,
        })
    })?;
    if looks_binary(&head) {
        return Err(OpenError::Skip(format!(
            "{name}: skipped, looks like a binary file"
        )));
    }
    let format = Format::detect(extension, &head);
    let stream = std::io::Cursor::new(head).chain(reader);
    let cut = Cut {
        cap,
        ..Cut::default()
    };
    let reader: Box<dyn BufRead + Send> = match format {
        Format::Html => Box::new(Capped {
            inner: stream,
            left: cap,
            hit: cut.hit.clone(),
        }),
        Format::Text | Format::Json | Format::Markdown => Box::new(stream),
    };
    Ok(Opened {
        format,
        reader,
        cut,
    })
}

/// A reader that stays at its end once it has reported it.
struct Fused<R> {
    inner: R,
    ended: bool,
}

impl<R: Read> Read for Fused<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.ended || buf.is_empty() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        self.ended = n == 0;
        Ok(n)
    }
}

fn fill_head(reader: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD_LEN);
    reader.take(HEAD_LEN as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// NUL bytes do not occur in text in any encoding we read (UTF-8 with lossy
/// repair); they are the cheap, reliable sign of a binary file.
fn looks_binary(head: &[u8]) -> bool {
    memchr::memchr(0, head).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn missing_path_is_an_input_error() {
        let err = resolve(&["does/not/exist.txt".into()]).unwrap_err();
        assert!(err.to_string().contains("does/not/exist.txt"));
        assert!(err.is_usage());
    }

    #[test]
    fn directory_is_walked_by_extension() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("a.txt"), "x").unwrap();
        std::fs::write(dir.path().join("sub/b.md"), "x").unwrap();
        std::fs::write(dir.path().join("c.png"), "x").unwrap();
        let r = resolve(&[dir.path().display().to_string()]).unwrap();
        let names: Vec<_> = r.sources.iter().map(|s| s.name()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names[0].ends_with("a.txt") && names[1].ends_with("sub/b.md"));
    }

    #[test]
    fn empty_directory_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = resolve(&[dir.path().display().to_string()]).unwrap_err();
        assert!(err.to_string().contains("nothing to read"), "{err}");
    }

    #[test]
    fn the_same_input_twice_is_read_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "x").unwrap();
        let a = dir.path().join("a.txt").display().to_string();
        let dotted = dir.path().join(".").join("a.txt").display().to_string();
        let inputs = [a.clone(), dotted, "-".into(), "-".into(), a.clone()];
        let r = resolve(&inputs).unwrap();
        assert_eq!(r.sources, [Source::File(a.clone().into()), Source::Stdin]);
        assert_eq!(r.warnings.len(), 3, "{:?}", r.warnings);
        assert!(r.warnings[0].ends_with(&format!("the same input as {a}; read once")));
        assert_eq!(Source::Stdin.name(), "<stdin>");
    }

    #[test]
    fn a_missing_input_names_the_directory_looked_in() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.md").display().to_string();
        let err = resolve(&[missing]).unwrap_err().to_string();
        assert!(
            err.contains(&format!("(looked in {})", dir.path().display())),
            "{err}"
        );
        let err = resolve(&[]).unwrap_err().to_string();
        assert_eq!(err, "no inputs: pass files or set `inputs` in the config");
    }

    /// A stream that ended stays ended (a terminal would otherwise be
    /// read again after the first Ctrl-D).
    #[test]
    fn a_stream_is_read_once_to_its_end() {
        struct Tty(Vec<&'static [u8]>);
        impl Read for Tty {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let chunk = self.0.remove(0);
                buf[..chunk.len()].copy_from_slice(chunk);
                Ok(chunk.len())
            }
        }
        // Text, an end (Ctrl-D), then text typed after it that must not be read.
        let tty = Tty(vec![b"see https://a.test/x\n", b"", b"late\n"]);
        let mut opened = open_reader("<stdin>", None, Box::new(tty), 1 << 20).unwrap();
        let mut all = String::new();
        opened.reader.read_to_string(&mut all).unwrap();
        assert_eq!(all, "see https://a.test/x\n");
    }

    #[test]
    fn glob_expands() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "x").unwrap();
        std::fs::write(dir.path().join("b.txt"), "x").unwrap();
        std::fs::write(dir.path().join("c.md"), "x").unwrap();
        let pattern = format!("{}/*.txt", dir.path().display());
        let r = resolve(&[pattern]).unwrap();
        assert_eq!(r.sources.len(), 2);
    }

    #[test]
    fn binary_file_is_skipped() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(b"\x7fELF\x00\x01\x02").unwrap();
        match open(&Source::File(f.path().to_path_buf()), MAX_DOCUMENT_BYTES) {
            Err(OpenError::Skip(msg)) => assert!(msg.contains("binary")),
            other => panic!("expected skip, got {:?}", other.err()),
        }
    }

    #[test]
    fn html_stops_at_the_cap_and_says_so() {
        let doc = format!("# Title\n\n{}", "word ".repeat(4000));
        for (ext, cut_expected) in [("md", false), ("html", true), ("txt", false)] {
            let mut opened = open_reader(
                "big",
                Some(ext),
                Box::new(std::io::Cursor::new(doc.clone().into_bytes())),
                1000,
            )
            .ok()
            .unwrap();
            let mut back = Vec::new();
            opened.reader.read_to_end(&mut back).unwrap();
            let msg = opened.cut.message("big");
            if cut_expected {
                assert_eq!(back.len(), 1000, "{ext}");
                let msg = msg.unwrap();
                assert!(msg.starts_with("big: ") && msg.contains("skipped"), "{msg}");
            } else {
                assert_eq!(back.len(), doc.len());
                assert!(msg.is_none());
            }
        }
        // Exactly at the cap: nothing left, nothing said.
        let mut opened = open_reader("fits", Some("html"), Box::new(&b"# 1234567"[..]), 9)
            .ok()
            .unwrap();
        let mut back = Vec::new();
        opened.reader.read_to_end(&mut back).unwrap();
        assert_eq!(back, b"# 1234567");
        assert!(opened.cut.message("fits").is_none());
    }

    #[test]
    fn head_is_not_lost() {
        let text = "x".repeat(HEAD_LEN * 3);
        let mut opened = open_reader(
            "t",
            Some("txt"),
            Box::new(std::io::Cursor::new(text.clone().into_bytes())),
            MAX_DOCUMENT_BYTES,
        )
        .ok()
        .unwrap();
        let mut back = String::new();
        opened.reader.read_to_string(&mut back).unwrap();
        assert_eq!(back, text);
    }
}
