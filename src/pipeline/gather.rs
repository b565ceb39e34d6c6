//! Gathering: inputs and remote documents into a `Store`, and which
//! repository each unique URL names. Also the `extract` command, which
//! streams the same events straight to CSV.
//!
//! Never checks a link and never writes a report file.

use super::stream::Hook;
use super::{NO_REPO, warn};
use crate::check::Checker;
use crate::check::fetch::FetchError;
use crate::config::Config;
use crate::error::Error;
use crate::extract::{self, Role};
use crate::forge::{ForgeRef, Recognizer};
use crate::input::{self, OpenError, Source};
use crate::model::Forge;
use crate::model::RepoKey;
use crate::rows::{ExtractRecord, RecordWriter};
use crate::shard::InputDigest;
use crate::store::Store;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{BufRead, Read, Write};

/// Reads every source into a `Store`, one at a time. Runs on a blocking
/// thread: extraction is synchronous streaming over `BufRead`.
/// `fetch` brings one URL source (a remote input is held in memory only
/// while it is being read); `Ok(Err(reason))` skips it with a warning.
/// With `digests`, the SHA-256 of the bytes read from each source is
/// pushed there (shards and `merge` compare them). `images`: keep image
/// sources (`[extract] images`).
pub fn collect(
    sources: &[Source],
    cap: u64,
    images: bool,
    fetch: &mut FetchRemote<'_>,
    warnings: &mut Vec<String>,
    digests: Option<&mut Vec<InputDigest>>,
) -> Result<Store, Error> {
    let mut none = |_: u32, _: &str, _: Role| {};
    let io = (fetch, warnings, digests);
    collect_with(sources, (cap, images), io, &mut none)
}

/// A new unique URL as extraction stores it: its id, the URL and the role
/// of its first occurrence (the streaming start's hook).
type OnNewUrl<'a> = dyn FnMut(u32, &str, Role) + 'a;

/// [`collect`], telling `on_new_url` of each unique URL as it is found.
fn collect_with(
    sources: &[Source],
    (cap, images): (u64, bool),
    (fetch, warnings, mut digests): (
        &mut FetchRemote<'_>,
        &mut Vec<String>,
        Option<&mut Vec<InputDigest>>,
    ),
    on_new_url: &mut OnNewUrl<'_>,
) -> Result<Store, Error> {
    let mut store = Store::default();
    for source in sources {
        let opened = match source {
            Source::Url(url) => match fetch(url)? {
                Ok((ext, body)) => input::open_reader(
                    url,
                    ext.as_deref(),
                    Box::new(std::io::Cursor::new(body)),
                    cap,
                ),
                Err(skipped) => {
                    warnings.push(skipped);
                    continue;
                }
            },
            _ => input::open(source, cap),
        };
        let Some(opened) = skip_unreadable(opened, warnings)? else {
            continue;
        };
        let name = source.name();
        let cut = opened.cut.clone();
        let mut sink = store.begin_source(name.clone());
        let mut hasher = digests.is_some().then(Sha256::new);
        let reader = Hashing {
            inner: opened.reader,
            hasher: hasher.as_mut(),
        };
        let tally = extract::extract(opened.format, reader, &mut |e| {
            if !images && is_image(&e) {
                return;
            }
            let role = match &e {
                extract::Event::Link(l) => l.role,
                _ => return sink.event(e),
            };
            let before = sink.urls().len();
            sink.event(e);
            if let Some(url) = sink.urls().get_index(before) {
                on_new_url(before as u32, url, role);
            }
        })
        .map_err(|e| Error::Io {
            path: name.clone().into(),
            source: e,
        })?;
        warnings.extend(tally.warnings(&name, opened.format));
        if tally.links == 0 && !tally.url_text {
            warnings.push(no_link_warning(&name, opened.format));
        }
        if let (Some(d), Some(h)) = (digests.as_deref_mut(), hasher) {
            d.push(InputDigest {
                name: name.clone(),
                sha256: format!("{:x}", h.finalize()),
            });
        }
        warnings.extend(cut.message(&name));
    }
    Ok(store)
}

/// The warning for an input in which nothing looked like a link.
pub(super) fn no_link_warning(name: &str, format: extract::Format) -> String {
    format!(
        "{name}: no link found in it (read as {}); is it the right file?",
        format.as_str()
    )
}

/// A reader that hashes every byte extraction consumes (when it has a
/// hasher; otherwise it only passes the reads through).
struct Hashing<'h, R> {
    inner: R,
    hasher: Option<&'h mut Sha256>,
}

impl<R: BufRead> Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(h) = self.hasher.as_deref_mut() {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Hashing<'_, R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Some(h) = self.hasher.as_deref_mut() {
            // The buffer is still filled (nothing was consumed since the
            // caller's `fill_buf`), so this is no I/O.
            if let Ok(buf) = self.inner.fill_buf() {
                h.update(&buf[..amt.min(buf.len())]);
            }
        }
        self.inner.consume(amt);
    }
}

/// An input that is skipped (a binary file) becomes a warning and `None`.
fn skip_unreadable(
    opened: Result<input::Opened, OpenError>,
    warnings: &mut Vec<String>,
) -> Result<Option<input::Opened>, Error> {
    match opened {
        Ok(o) => Ok(Some(o)),
        Err(OpenError::Skip(msg)) => {
            warnings.push(msg);
            Ok(None)
        }
        Err(OpenError::Fatal(e)) => Err(e),
    }
}

/// Fetches one remote input: `Ok(Ok((extension standing for its content
/// type, body)))`, `Ok(Err(warning))` to skip it, `Err` to stop the run.
pub type FetchRemote<'a> =
    dyn FnMut(&str) -> Result<Result<(Option<String>, Vec<u8>), String>, Error> + Send + 'a;

/// Fetches one URL input with the checker's remap, address and proxy rules.
async fn fetch_remote(
    checker: &Checker,
    url: &str,
    max_bytes: usize,
) -> Result<Result<(Option<String>, Vec<u8>), String>, Error> {
    let doc = match checker.fetch_document(url, max_bytes).await {
        Ok(doc) => doc,
        Err(FetchError::TooLarge { max_bytes }) => {
            return Ok(Err(format!(
                "{url}: skipped, the document is larger than the {} cap for remote inputs \
                 (max_input_mib; nothing of it was read)",
                input::human_bytes(max_bytes as u64)
            )));
        }
        Err(FetchError::Failed(message)) => {
            return Ok(Err(format!("{url}: skipped, cannot fetch it: {message}")));
        }
    };
    let ext = url::Url::parse(url)
        .ok()
        .and_then(|u| crate::check::fetch::extension_for(doc.content_type.as_deref(), &u));
    Ok(Ok((ext, doc.body)))
}

/// Extraction of every source on a blocking thread; remote inputs are
/// fetched from there, one at a time, on the caller's runtime. With
/// `digest`, also the SHA-256 of each source read.
async fn collect_all(
    config: &Config,
    checker: &Checker,
    sources: Vec<Source>,
    (digest, mut hook): (bool, Option<Hook>),
) -> Result<(Store, Gathered), Error> {
    let cap = config.max_input_bytes();
    let images = config.extract.images;
    let max_remote_bytes = usize::try_from(cap).unwrap_or(usize::MAX);
    let checker = sources
        .iter()
        .any(|s| matches!(s, Source::Url(_)))
        .then(|| checker.clone());
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let mut warnings = Vec::new();
        let mut skipped = Vec::new();
        let mut fetch = |url: &str| {
            let got = match &checker {
                Some(c) => runtime.block_on(fetch_remote(c, url, max_remote_bytes)),
                None => Ok(Err(format!("{url}: not fetched"))),
            };
            if let Ok(Err(why)) = &got {
                skipped.push(why.clone());
            }
            got
        };
        let mut digests = Vec::new();
        let mut on_new_url = |id: u32, url: &str, role: Role| {
            if let Some(h) = hook.as_mut() {
                h.new_url(id, url, role)
            }
        };
        let io = (
            &mut fetch as &mut FetchRemote<'_>,
            &mut warnings,
            digest.then_some(&mut digests),
        );
        let store = collect_with(&sources, (cap, images), io, &mut on_new_url)?;
        if store.sources.is_empty() && !skipped.is_empty() {
            // Every input was remote and none could be fetched.
            return Err(Error::NothingRead(skipped.join("; ")));
        }
        Ok((store, (warnings, digests, hook)))
    })
    .await
    .map_err(|e| Error::Input {
        input: "inputs".into(),
        message: format!("extraction failed: {e}"),
    })?
}

/// An image's source (role `image`), dropped under `[extract] images = false`.
fn is_image(e: &extract::Event) -> bool {
    matches!(e, extract::Event::Link(l) if l.role == extract::Role::Image)
}

/// The `extract` command: streams every link as CSV to `out`, keeping no
/// more than the current paper title per source in memory.
pub fn extract_to(
    sources: &[Source],
    cap: u64,
    images: bool,
    recognizer: &Recognizer,
    out: &mut dyn Write,
    warnings: &mut Vec<String>,
) -> Result<(), Error> {
    let mut writer = RecordWriter::new::<ExtractRecord<'static>>(out).map_err(stdout_error)?;
    for source in sources {
        let Some(opened) = skip_unreadable(input::open(source, cap), warnings)? else {
            continue;
        };
        let name = source.name();
        let cut = opened.cut.clone();
        let mut titles: HashMap<usize, (String, String)> = HashMap::new();
        let mut failed: Option<std::io::Error> = None;
        let format = opened.format;
        let tally = extract::extract(format, opened.reader, &mut |event| {
            if failed.is_some() || (!images && is_image(&event)) {
                return;
            }
            match event {
                extract::Event::Paper(p) => {
                    // Links only ever refer to the latest paper or one shortly
                    // before it; keep the map small on huge inputs.
                    if titles.len() > 64 {
                        titles.clear();
                    }
                    titles.insert(p.index, (p.title, p.section));
                }
                extract::Event::Link(l) => {
                    let (paper, section) = l
                        .paper
                        .and_then(|i| titles.get(&i))
                        .map_or(("", ""), |(t, s)| (t.as_str(), s.as_str()));
                    let repo = recognizer
                        .parse(&l.url)
                        .map(|r| match r.forge {
                            Forge::Github => r.path,
                            _ => r.full_name(),
                        })
                        .unwrap_or_default();
                    let row = ExtractRecord {
                        source: Cow::Borrowed(&name),
                        line: l.line,
                        column: l.column,
                        paper: Cow::Borrowed(paper),
                        url: Cow::Borrowed(&l.url),
                        repo: Cow::Borrowed(&repo),
                        section: Cow::Borrowed(section),
                        role: l.role,
                    };
                    if let Err(e) = row.write_to(&mut writer) {
                        failed = Some(e);
                    }
                }
                extract::Event::ClaimsCode { .. } | extract::Event::WithholdsCode { .. } => {}
            }
        })
        .map_err(|e| Error::Io {
            path: name.clone().into(),
            source: e,
        })?;
        if let Some(e) = failed {
            return Err(stdout_error(e));
        }
        warnings.extend(tally.warnings(&name, format));
        if tally.links == 0 && !tally.url_text {
            warnings.push(no_link_warning(&name, format));
        }
        warnings.extend(cut.message(&name));
    }
    writer.flush().map_err(stdout_error)
}

pub(super) fn stdout_error(e: std::io::Error) -> Error {
    Error::Output {
        path: "<stdout>".into(),
        source: e,
    }
}

/// Inputs -> extraction (on a blocking thread, streaming `BufRead`), with
/// every warning printed, and the repository each unique URL names; with
/// `digest` (shards and `merge`), the SHA-256 of every input read.
/// Remote inputs are fetched with the run's `checker` (its remap, guard,
/// proxy and DNS cache).
/// With a `hook` (the streaming start), each new unique URL is handed to
/// it as extraction finds it; the hook comes back with the result.
pub(super) async fn gather(
    config: &Config,
    checker: &Checker,
    digest: bool,
    hook: Option<Hook>,
) -> Result<(Store, Links, Vec<InputDigest>, Option<Hook>), Error> {
    let resolved = input::resolve(&config.inputs)?;
    for w in &resolved.warnings {
        warn(w);
    }
    let (store, (warnings, digests, hook)) =
        collect_all(config, checker, resolved.sources, (digest, hook)).await?;
    for w in &warnings {
        warn(w);
    }
    let links = find_repos(&store, &Recognizer::new(config));
    Ok((store, links, digests, hook))
}

/// What extraction gives besides the store: warnings, input digests and
/// the streaming hook (back from the blocking thread).
type Gathered = (Vec<String>, Vec<InputDigest>, Option<Hook>);

/// Which repository (on any forge) each unique URL points into.
pub struct Links {
    pub repo_of: Vec<u32>,
    pub repos: Vec<ForgeRef>,
}

impl Links {
    /// Per unique URL (each looked at once, not per occurrence), whether
    /// it is a code link (`forge::is_code_link`): what papers.csv counts
    /// as code, `code_recoverable` looks at and following skips.
    pub fn code_links(&self, store: &Store) -> Vec<bool> {
        (store.urls.iter())
            .zip(&self.repo_of)
            .map(|(url, &repo)| crate::forge::is_code_link(url, repo != NO_REPO))
            .collect()
    }
}

/// Maps every unique URL to its repository (when it names one).
pub fn find_repos(store: &Store, recognizer: &Recognizer) -> Links {
    let mut index: HashMap<RepoKey, u32> = HashMap::new();
    let mut repos = Vec::new();
    let repo_of = store
        .urls
        .iter()
        .map(|url| match recognizer.parse(url) {
            Some(r) => *index.entry(r.key()).or_insert_with(|| {
                repos.push(r.clone());
                (repos.len() - 1) as u32
            }),
            None => NO_REPO,
        })
        .collect();
    Links { repo_of, repos }
}

/// The `extract` command: resolves the config's inputs and streams every
/// link as CSV to `out`. No network at all (remote inputs are refused).
pub fn run_extract(config: &Config, out: &mut dyn Write) -> Result<(), Error> {
    let resolved = input::resolve(&config.inputs)?;
    if let Some(Source::Url(url)) = resolved
        .sources
        .iter()
        .find(|s| matches!(s, Source::Url(_)))
    {
        return Err(Error::Input {
            input: url.clone(),
            message: "`extract` does no network I/O; download the page first or use `check`".into(),
        });
    }
    for w in &resolved.warnings {
        warn(w);
    }
    let mut warnings = Vec::new();
    let result = extract_to(
        &resolved.sources,
        config.max_input_bytes(),
        config.extract.images,
        &Recognizer::new(config),
        out,
        &mut warnings,
    );
    for w in &warnings {
        warn(w);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::Hashing;
    use sha2::{Digest, Sha256};
    use std::io::{BufRead, Read};

    #[test]
    fn hashing_reader_sees_every_byte_once_whichever_way_it_is_read() {
        let text = "line one\nline two\n".repeat(500);
        let want = format!("{:x}", Sha256::digest(text.as_bytes()));
        // Lines (fill_buf/consume), then the rest with read().
        let mut h = Sha256::new();
        let mut r = Hashing {
            inner: std::io::BufReader::with_capacity(7, text.as_bytes()),
            hasher: Some(&mut h),
        };
        let mut line = String::new();
        for _ in 0..3 {
            line.clear();
            r.read_line(&mut line).unwrap();
        }
        let mut rest = Vec::new();
        r.read_to_end(&mut rest).unwrap();
        assert_eq!(format!("{:x}", h.finalize()), want);
    }
}
