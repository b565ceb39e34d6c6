//! Link roles: what a link is to its paper (`code`, `paper`, `project`,
//! `dataset`, `model`, `demo`, `video`, `social`, `other`; `image` for an
//! image's source, given by the extractor, never by a rule), decided from the
//! label around it and then from its host and path, by ONE table of rules
//! ([`RULES`]). Also the "no code" markers (`Code: None`, `代码: 即将开源`).
//!
//! Pure functions over strings: no I/O, no allocation on the URL path.
//!
//! # How a role is decided
//! 1. **Label.** The extractor hands the words around the link (the link's
//!    own text such as `[code]` or `Paper`, else the text just before it
//!    such as `Code:` or `- 主页：`, else the table column header). The
//!    label is normalised (brackets, emoji, punctuation and a trailing
//!    `:`/`：` dropped, lower-cased) and compared whole, then by its first
//!    and its last word, against the `Label` rules.
//! 2. **Host and path.** Otherwise the first `Host`/`HostPath`/`HostSuffix`/
//!    `PathSuffix` rule matching the URL, in table order, decides.
//! 3. Any other web page is `project`.
//!
//! A label naming a *hub* rather than a role (`Hugging Face`, `🤗`) is not in
//! the table, so the URL decides (model, dataset or demo).

pub use crate::model::Role;

/// How a rule matches.
#[derive(Clone, Copy, Debug)]
pub enum Match {
    /// The normalised label (whole, first word or last word) equals this.
    Label(&'static str),
    /// The host is this or a subdomain of it.
    Host(&'static str),
    /// The host is this (or a subdomain) and the path starts with this.
    HostPath(&'static str, &'static str),
    /// The host is this or a subdomain, and the path has two segments or
    /// more (`owner/name`): a repository, not a profile or a site page.
    Repo(&'static str),
    /// The host ends with this (`.github.io`).
    HostSuffix(&'static str),
    /// The host starts with this (`proceedings.`).
    HostPrefix(&'static str),
    /// The path (without query) ends with this, compared case-insensitively.
    PathSuffix(&'static str),
}

/// One row of the table, with an example it must classify (unit-tested).
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// What the row looks at.
    pub matcher: Match,
    /// The role it gives.
    pub role: Role,
    /// `(label, url)` that this row decides: the test checks that the full
    /// classifier gives `role` for it.
    pub example: (&'static str, &'static str),
}

const fn label(l: &'static str, role: Role) -> Rule {
    Rule {
        matcher: Match::Label(l),
        role,
        example: (l, "https://example.org/x"),
    }
}

const fn url(matcher: Match, role: Role, example: &'static str) -> Rule {
    Rule {
        matcher,
        role,
        example: ("", example),
    }
}

use Match::{Host, HostPath, HostPrefix, HostSuffix, PathSuffix, Repo};
use Role::*;

/// The rules, labels first, then hosts and paths; the first match wins.
pub const RULES: &[Rule] = &[
    // ---- labels: code
    label("code", Code),
    label("codes", Code),
    label("github", Code),
    label("gitlab", Code),
    label("repo", Code),
    label("repository", Code),
    label("source", Code),
    label("implementation", Code),
    label("pytorch", Code),
    label("tensorflow", Code),
    label("jax", Code),
    label("official code", Code),
    label("source code", Code),
    label("代码", Code),
    label("源码", Code),
    label("源代码", Code),
    label("代码地址", Code),
    label("コード", Code),
    // ---- labels: paper
    label("paper", Paper),
    label("papers", Paper),
    label("arxiv", Paper),
    label("pdf", Paper),
    label("abs", Paper),
    label("abstract", Paper),
    label("openreview", Paper),
    label("doi", Paper),
    label("论文", Paper),
    label("论文地址", Paper),
    label("文章", Paper),
    label("論文", Paper),
    // ---- labels: project
    label("homepage", Project),
    label("home page", Project),
    label("project", Project),
    label("project page", Project),
    label("website", Project),
    label("webpage", Project),
    label("site", Project),
    label("page", Project),
    label("主页", Project),
    label("项目", Project),
    label("项目主页", Project),
    label("项目地址", Project),
    label("网站", Project),
    // ---- labels: dataset
    label("dataset", Dataset),
    label("datasets", Dataset),
    label("data", Dataset),
    label("benchmark", Dataset),
    label("数据集", Dataset),
    label("数据", Dataset),
    // ---- labels: model
    label("model", Model),
    label("models", Model),
    label("weights", Model),
    label("checkpoint", Model),
    label("checkpoints", Model),
    label("模型", Model),
    label("权重", Model),
    // ---- labels: demo
    label("demo", Demo),
    label("colab", Demo),
    label("playground", Demo),
    label("演示", Demo),
    label("试玩", Demo),
    // ---- labels: video
    label("video", Video),
    label("talk", Video),
    label("youtube", Video),
    label("视频", Video),
    // ---- labels: social
    label("tweet", Social),
    label("twitter", Social),
    label("thread", Social),
    label("推特", Social),
    label("email", Social),
    label("e mail", Social),
    label("微博", Social),
    // ---- labels: other
    label("blog", Other),
    label("slides", Other),
    label("poster", Other),
    label("news", Other),
    label("博客", Other),
    label("知乎", Other),
    // ---- hosts and paths
    url(Repo("github.com"), Code, "https://github.com/o/r"),
    url(Host("gist.github.com"), Code, "https://gist.github.com/o/1"),
    url(Host("github.com"), Other, "https://github.com/someone"),
    url(Host("gitlab.com"), Code, "https://gitlab.com/o/r"),
    url(Host("bitbucket.org"), Code, "https://bitbucket.org/o/r"),
    url(Host("codeberg.org"), Code, "https://codeberg.org/o/r"),
    url(Host("gitee.com"), Code, "https://gitee.com/o/r"),
    url(
        Host("sourceforge.net"),
        Code,
        "https://sourceforge.net/projects/p",
    ),
    url(
        HostPath("huggingface.co", "/datasets/"),
        Dataset,
        "https://huggingface.co/datasets/o/d",
    ),
    url(
        HostPath("huggingface.co", "/spaces/"),
        Demo,
        "https://huggingface.co/spaces/o/s",
    ),
    url(
        HostPath("huggingface.co", "/papers/"),
        Paper,
        "https://huggingface.co/papers/2401.00001",
    ),
    url(Repo("huggingface.co"), Model, "https://huggingface.co/o/m"),
    url(
        HostPath("hf.co", "/datasets/"),
        Dataset,
        "https://hf.co/datasets/o/d",
    ),
    url(
        HostPath("hf.co", "/spaces/"),
        Demo,
        "https://hf.co/spaces/o/s",
    ),
    url(Repo("hf.co"), Model, "https://hf.co/o/m"),
    url(
        HostPath("modelscope.cn", "/models/"),
        Model,
        "https://modelscope.cn/models/o/m",
    ),
    url(
        HostPath("kaggle.com", "/datasets/"),
        Dataset,
        "https://www.kaggle.com/datasets/o/d",
    ),
    url(Host("arxiv.org"), Paper, "https://arxiv.org/abs/2401.00001"),
    url(Host("doi.org"), Paper, "https://doi.org/10.1/x"),
    url(
        Host("openreview.net"),
        Paper,
        "https://openreview.net/forum?id=x",
    ),
    url(
        Host("aclanthology.org"),
        Paper,
        "https://aclanthology.org/2023.acl-long.1/",
    ),
    url(
        Host("openaccess.thecvf.com"),
        Paper,
        "https://openaccess.thecvf.com/x",
    ),
    url(
        Host("papers.nips.cc"),
        Paper,
        "https://papers.nips.cc/paper/1",
    ),
    url(
        Host("ieeexplore.ieee.org"),
        Paper,
        "https://ieeexplore.ieee.org/document/1",
    ),
    url(Host("dl.acm.org"), Paper, "https://dl.acm.org/doi/10.1/x"),
    url(
        Host("link.springer.com"),
        Paper,
        "https://link.springer.com/article/1",
    ),
    url(
        Host("biorxiv.org"),
        Paper,
        "https://www.biorxiv.org/content/1",
    ),
    url(
        Host("semanticscholar.org"),
        Paper,
        "https://www.semanticscholar.org/paper/1",
    ),
    url(
        HostPrefix("proceedings."),
        Paper,
        "https://proceedings.mlr.press/v1/a.html",
    ),
    url(
        PathSuffix(".pdf"),
        Paper,
        "https://lab.example.edu/paper.PDF",
    ),
    url(
        Host("youtube.com"),
        Video,
        "https://www.youtube.com/watch?v=x",
    ),
    url(Host("youtu.be"), Video, "https://youtu.be/x"),
    url(Host("vimeo.com"), Video, "https://vimeo.com/1"),
    url(
        Host("bilibili.com"),
        Video,
        "https://www.bilibili.com/video/BV1",
    ),
    url(
        Host("twitter.com"),
        Social,
        "https://twitter.com/a/status/1",
    ),
    url(Host("x.com"), Social, "https://x.com/a/status/1"),
    url(Host("weibo.com"), Social, "https://weibo.com/1"),
    url(Host("bsky.app"), Social, "https://bsky.app/profile/a"),
    url(
        Host("linkedin.com"),
        Social,
        "https://www.linkedin.com/posts/a",
    ),
    url(
        Host("colab.research.google.com"),
        Demo,
        "https://colab.research.google.com/drive/1",
    ),
    url(Host("medium.com"), Other, "https://medium.com/@a/post"),
    url(Host("zhihu.com"), Other, "https://zhuanlan.zhihu.com/p/1"),
    url(
        HostSuffix(".github.io"),
        Project,
        "https://someone.github.io/proj/",
    ),
];

/// Host (lower-case, without port, userinfo or trailing dot) and path
/// (without query or fragment) of an absolute URL, by a byte scan.
fn host_and_path(url: &str) -> (std::borrow::Cow<'_, str>, &str) {
    let rest = memchr::memmem::find(url.as_bytes(), b"://").map_or(url, |i| &url[i + 3..]);
    let b = rest.as_bytes();
    let end = b
        .iter()
        .position(|&c| matches!(c, b'/' | b'?' | b'#'))
        .unwrap_or(b.len());
    let authority = &rest[..end];
    let authority =
        memchr::memrchr(b'@', authority.as_bytes()).map_or(authority, |i| &authority[i + 1..]);
    let host = memchr::memchr(b':', authority.as_bytes()).map_or(authority, |i| &authority[..i]);
    let host = host.trim_end_matches('.');
    let host = if host.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(host.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(host)
    };
    let path = &rest[end..];
    let path_end = memchr::memchr2(b'?', b'#', path.as_bytes()).unwrap_or(path.len());
    (host, &path[..path_end])
}

fn host_is(host: &str, name: &str) -> bool {
    host.strip_suffix(name)
        .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
}

fn url_matches(m: Match, host: &str, path: &str) -> bool {
    match m {
        Match::Label(_) => false,
        Host(h) => host_is(host, h),
        HostPath(h, p) => host_is(host, h) && path.starts_with(p),
        Repo(h) => host_is(host, h) && path.split('/').filter(|s| !s.is_empty()).nth(1).is_some(),
        HostSuffix(s) => host.ends_with(s),
        HostPrefix(p) => host.starts_with(p),
        PathSuffix(s) => {
            let p = path.as_bytes();
            p.len() >= s.len() && p[p.len() - s.len()..].eq_ignore_ascii_case(s.as_bytes())
        }
    }
}

/// FNV-1a: the static maps here are keyed by short host names and label
/// words, for which SipHash's set-up dominates a lookup.
#[derive(Default, Clone, Copy)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// URL rules by the host they name (`Host`, `HostPath`, `Repo`), and the
/// indices of the others (suffix, prefix, path rules), built once so a URL
/// is compared with the few rules that can match it, in table order.
struct UrlIndex {
    by_host: FastMap<&'static str, Vec<usize>>,
    others: Vec<usize>,
}

static URL_INDEX: std::sync::LazyLock<UrlIndex> = std::sync::LazyLock::new(|| {
    let mut by_host: FastMap<&'static str, Vec<usize>> = Default::default();
    let mut others = Vec::new();
    for (i, r) in RULES.iter().enumerate() {
        match r.matcher {
            Match::Label(_) => {}
            Host(h) | HostPath(h, _) | Repo(h) => by_host.entry(h).or_default().push(i),
            HostSuffix(_) | HostPrefix(_) | PathSuffix(_) => others.push(i),
        }
    }
    UrlIndex { by_host, others }
});

/// The role the URL's host and path give (rule 2, else `project`): the
/// first rule in table order that matches.
pub fn url_role(url: &str) -> Role {
    let (host, path) = host_and_path(url);
    let index = &*URL_INDEX;
    let mut best = usize::MAX;
    let mut consider = |i: usize| {
        if i < best && url_matches(RULES[i].matcher, &host, path) {
            best = i;
        }
    };
    // The host and each of its parent domains (`www.youtube.com`,
    // `youtube.com`, `com`).
    let mut h: &str = &host;
    loop {
        if let Some(rules) = index.by_host.get(h) {
            rules.iter().for_each(|&i| consider(i));
        }
        match h.find('.') {
            Some(d) => h = &h[d + 1..],
            None => break,
        }
    }
    index.others.iter().for_each(|&i| consider(i));
    RULES.get(best).map_or(Project, |r| r.role)
}

/// Lower-cases and trims a label into `out`: surrounding brackets, emoji,
/// punctuation and a trailing `:`/`：` are dropped, inner runs of them
/// become one space. `out` is "" when nothing is left.
fn normalise_into(label: &str, out: &mut String) {
    out.clear();
    if label.is_ascii() {
        // The same rules on bytes: most labels and titles are ASCII.
        let b = label.as_bytes();
        let start = b.iter().position(u8::is_ascii_alphanumeric);
        let end = b.iter().rposition(u8::is_ascii_alphanumeric);
        if let (Some(start), Some(end)) = (start, end) {
            for &c in &b[start..=end] {
                if c.is_ascii_alphanumeric() {
                    out.push(char::from(c.to_ascii_lowercase()));
                } else if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
        }
        return;
    }
    normalise_chars(label, out);
}

/// [`normalise_into`] for any text, character by character.
fn normalise_chars(label: &str, out: &mut String) {
    out.clear();
    let trimmed = label.trim_matches(|c: char| !c.is_alphanumeric());
    for c in trimmed.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
}

fn normalise(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    normalise_into(label, &mut out);
    out
}

/// The label rows of [`RULES`], by word (built once).
static LABELS: std::sync::LazyLock<FastMap<&'static str, Role>> = std::sync::LazyLock::new(|| {
    let mut m = FastMap::default();
    for r in RULES {
        if let Match::Label(l) = r.matcher {
            m.entry(l).or_insert(r.role);
        }
    }
    m
});

/// The longest label word in [`RULES`], in bytes (longer words are not
/// looked up).
static LONGEST_LABEL: std::sync::LazyLock<usize> =
    std::sync::LazyLock::new(|| LABELS.keys().map(|k| k.len()).max().unwrap_or(0));

fn label_rule(word: &str) -> Option<Role> {
    if word.len() > *LONGEST_LABEL {
        return None;
    }
    LABELS.get(word).copied()
}

thread_local! {
    static SCRATCH: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Runs `f` on the normalised label without allocating per call.
fn with_normalised<T>(label: &str, f: impl FnOnce(&str) -> T) -> T {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            normalise_into(label, &mut buf);
            f(&buf)
        }
        Err(_) => f(&normalise(label)),
    })
}

/// The role a label names (rule 1): the whole normalised label, else (for
/// labels of at most two words with a letter, `Code (PyTorch)`,
/// `arXiv:2401.00001`) its first word, else its last word. Labels longer
/// than 40 bytes are titles, not labels.
pub fn label_role(label: &str) -> Option<Role> {
    if label.is_empty() || label.len() > 40 {
        return None;
    }
    with_normalised(label, |n| {
        if n.is_empty() {
            return None;
        }
        label_rule(n).or_else(|| words_role(n))
    })
}

/// The role of a normalised label of at most two words with a letter: its
/// first word's, else its last word's.
fn words_role(n: &str) -> Option<Role> {
    let mut words = n.split(' ').filter(|w| w.chars().any(char::is_alphabetic));
    let first = words.next()?;
    let last = words.next_back().unwrap_or(first);
    if words.next().is_some() {
        return None;
    }
    label_rule(first)
        .or_else(|| label_rule(last))
        .or_else(|| cjk_head_role(first))
}

/// A whole normalised label that is one CJK word opening with a label word.
fn cjk_label(n: &str) -> Option<Role> {
    if n.contains(' ') || n.len() > 40 {
        return None;
    }
    cjk_head_role(n)
}

/// A CJK label opening with a label word (`论文下载链接` -> paper, `代码和数据集`
/// -> code, `项目主页链接` -> project): the longest label word it starts
/// with. Only for words without ASCII letters (`codex` is no `code`).
fn cjk_head_role(word: &str) -> Option<Role> {
    if word.is_ascii() || word.bytes().any(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    word.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(word.len()))
        .skip(1)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .find_map(|end| label_rule(&word[..end]))
}

/// [`label_role`] and [`is_label`] of one text, normalised once.
pub fn label_info(text: &str) -> (Option<Role>, bool) {
    if text.is_empty() || text.len() > 60 {
        return (None, false);
    }
    with_normalised(text, |n| {
        if n.is_empty() {
            return (None, false);
        }
        let whole = label_rule(n).or_else(|| cjk_label(n));
        let role = (text.len() <= 40)
            .then(|| whole.or_else(|| words_role(n)))
            .flatten();
        (role, whole.is_some())
    })
}

/// Whether `text` is a role label and nothing more (a link text such as
/// `[code]`, `Paper`, `📄 arXiv`): such a text is never a title.
pub fn is_label(text: &str) -> bool {
    text.len() <= 60
        && with_normalised(text, |n| {
            !n.is_empty() && (label_rule(n).is_some() || cjk_label(n).is_some())
        })
}

/// The label just before a URL in running text: the words after the last
/// separator (`|`, `,`, `;`, `·`, `(`, or a previous URL's end), when they
/// end with `:`/`：` or are at most three words.
pub fn label_before(text: &str) -> &str {
    let mut from = text.len().saturating_sub(80);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let t = text[from..].trim_end();
    // Running prose ("... are released at"): no label, known after a few
    // words instead of the whole window.
    if !t.ends_with([':', '：']) && surely_long(t.as_bytes()) {
        return "";
    }
    label_in(t)
}

/// Whether the words after the last separator in `t` are surely more than
/// three once leading `-`/`*`/`+` are trimmed: a backward scan that stops
/// at the fourth word holding another byte (`false` means "not sure").
/// Only ASCII whitespace ends a word here, and only an ASCII byte makes a
/// word count (a run of non-ASCII bytes may be Unicode whitespace such as
/// U+00A0, which the full rule trims), so words are never over-counted.
fn surely_long(t: &[u8]) -> bool {
    let (mut words, mut in_word, mut plain) = (0, false, false);
    for &c in t.iter().rev() {
        match c {
            b'|' | b',' | b';' | b'(' | b'[' | b')' | b']' | b'\n' | b'>' | 0xB7 | b'/' => {
                return false;
            }
            // Non-ASCII bytes count as neither word nor gap: the full rule
            // may read them as whitespace (U+00A0, U+3000) or letters, and
            // skipping them can only count fewer words, never more.
            _ if !c.is_ascii() => {}
            _ if c.is_ascii_whitespace() => {
                if in_word {
                    words += 1;
                    if plain && words >= 4 {
                        return true;
                    }
                }
                (in_word, plain) = (false, false);
            }
            _ => {
                in_word = true;
                plain |= !matches!(c, b'-' | b'*' | b'+');
            }
        }
    }
    false
}

/// [`label_before`] on its (trimmed) window.
fn label_in(t: &str) -> &str {
    let start = last_separator_end(t.as_bytes());
    let seg = t[start..].trim();
    let seg = seg.trim_start_matches(['-', '*', '+', ' ']);
    if seg.ends_with(':') || seg.ends_with('：') {
        let body = seg.trim_end_matches([':', '：']);
        let from = body.rfind(['.', '!', '?', '。']).map_or(0, |i| {
            i + body[i..].chars().next().map_or(1, char::len_utf8)
        });
        return body[from..].trim();
    }
    if seg.split_whitespace().nth(3).is_none() {
        seg
    } else {
        ""
    }
}

/// Just after the last separator (`|`, `,`, `;`, `·`, `(`, `[`, `)`, `]`,
/// a line break, `>`, a ` / ` between links as on homepages: `project page
/// / arXiv / code`) in `t`, or 0: a byte scan (`·` is `C2 B7`).
fn last_separator_end(t: &[u8]) -> usize {
    let blank = |c: Option<&u8>| c.is_none_or(|c| c.is_ascii_whitespace() || *c == 0xA0);
    for i in (0..t.len()).rev() {
        match t[i] {
            b'|' | b',' | b';' | b'(' | b'[' | b')' | b']' | b'\n' | b'>' => return i + 1,
            b'/' if i > 0 && blank(t.get(i - 1)) && blank(t.get(i + 1)) => return i + 1,
            0xB7 if i > 0 && t[i - 1] == 0xC2 => return i + 1,
            _ => {}
        }
    }
    0
}

/// The role of a link: the first label that names a role, else the URL.
pub fn classify(labels: &[&str], url: &str) -> Role {
    labels
        .iter()
        .find_map(|l| label_role(l))
        .unwrap_or_else(|| url_role(url))
}

/// Words that, after a code label, say there is no code (compared on the
/// normalised text after the label).
const WITHHELD: &[&str] = &[
    "none",
    "n a",
    "na",
    "no",
    "tbd",
    "tba",
    "todo",
    "coming soon",
    "soon",
    "to be released",
    "not released",
    "not available",
    "unavailable",
    "not yet",
    "private",
    "即将开源",
    "暂未开源",
    "未开源",
    "暂无",
    "无",
    "待定",
    "待发布",
];

/// The first `:` or `：` (`EF BC 9A`) in `s`: its byte offset and length.
fn next_colon(s: &str) -> Option<(usize, usize)> {
    let b = s.as_bytes();
    memchr::memchr2_iter(b':', 0xEF, b).find_map(|i| match b[i] {
        b':' => Some((i, 1)),
        _ if b[i..].starts_with("：".as_bytes()) => Some((i, 3)),
        _ => None,
    })
}

/// Whether a text holds an explicit "no code" marker: a code label
/// (`Code`, `GitHub`, `代码`, ...) followed by `:`/`：` and a withheld word
/// (`None`, `coming soon`, `TBD`, `即将开源`, ...), e.g. `Code: None`.
pub fn withholds_code(text: &str) -> bool {
    let mut rest = text;
    while let Some((i, len)) = next_colon(rest) {
        if rest[i..].starts_with("://") {
            rest = &rest[i + 3..];
            continue;
        }
        let after_at = i + len;
        let before = label_before(&rest[..after_at]);
        let after = &rest[after_at..];
        let value = after.trim_start();
        // A URL after the label is a link, not a marker: skip the label.
        let linked = value.starts_with("http") || value.starts_with("www.");
        if !linked && label_role(before) == Some(Code) {
            let head: String = value
                .chars()
                .take_while(|c| !matches!(c, '\n' | '|' | ',' | ';' | '(' | '['))
                .take(24)
                .collect();
            let n = normalise(&head);
            if WITHHELD.iter().any(|w| {
                n.strip_prefix(w)
                    .is_some_and(|r| r.is_empty() || r.starts_with(' '))
            }) {
                return true;
            }
        }
        rest = after;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_classifies_its_example() {
        for rule in RULES {
            let (label, url) = rule.example;
            let labels: &[&str] = if label.is_empty() { &[] } else { &[label] };
            assert_eq!(classify(labels, url), rule.role, "{rule:?}");
        }
    }

    #[test]
    fn ascii_normalising_agrees_with_the_character_path() {
        for l in [
            "[[Code (PyTorch)]]",
            "  Project   Page: ",
            "arXiv:2401.00001",
            "--",
            "",
            "a",
            "Spurious Rewards - This work",
        ] {
            let (mut fast, mut slow) = (String::new(), String::new());
            normalise_into(l, &mut fast);
            normalise_chars(l, &mut slow);
            assert_eq!(fast, slow, "{l:?}");
        }
    }

    #[test]
    fn labels_in_context() {
        assert_eq!(label_role("[code]"), Some(Code));
        assert_eq!(label_role("📄 Paper"), Some(Paper));
        assert_eq!(label_role("Project Page"), Some(Project));
        assert_eq!(label_role("Code (PyTorch)"), Some(Code));
        assert_eq!(label_role("arXiv:2401.00001"), Some(Paper));
        assert_eq!(label_role("Attention Is All You Need"), None);
        assert_eq!(label_role("Video Swin Transformer"), None);
        assert_eq!(label_role("Hugging Face"), None);
        assert_eq!(label_role("论文下载链接"), Some(Paper));
        assert_eq!(label_role("代码和数据集"), Some(Code));
        assert_eq!(label_role("项目主页"), Some(Project));
        assert_eq!(label_role("codex"), None);
        assert_eq!(label_before("- Code: "), "Code");
        assert_eq!(label_before("Great work. 代码："), "代码");
        assert_eq!(label_before("很好。代码："), "代码");
        assert_eq!(label_before("[Paper](x), "), "");
        assert_eq!(
            label_before("This sentence is a long description of it "),
            ""
        );
        assert!(is_label("[[code]]"));
        let padded = format!("[[[[[[[[[[[[[[[[ code {}", "]".repeat(30));
        for t in [
            "[[code]]",
            "Code (PyTorch)",
            "Spurious Rewards",
            "",
            "📄 arXiv",
            &padded,
        ] {
            assert_eq!(label_info(t), (label_role(t), is_label(t)), "{t:?}");
        }
        assert!(!is_label("Spurious Rewards"));
    }

    #[test]
    fn indexed_lookup_agrees_with_a_linear_scan() {
        for rule in RULES {
            for url in [
                rule.example.1,
                "https://WWW.Example.org/a.pdf",
                "https://a.b.github.io/x",
            ] {
                let (host, path) = host_and_path(url);
                let linear = RULES
                    .iter()
                    .find(|r| url_matches(r.matcher, &host, path))
                    .map_or(Project, |r| r.role);
                assert_eq!(url_role(url), linear, "{url}");
            }
        }
    }

    #[test]
    fn urls_without_label() {
        assert_eq!(url_role("https://lab.example.org/"), Project);
        assert_eq!(url_role("https://GitHub.com:443/o/r/tree/main"), Code);
        assert_eq!(url_role("https://github.com/"), Other);
        assert_eq!(url_role("https://huggingface.co/o"), Project);
        assert_eq!(url_role("https://x.org/a.pdf?dl=1"), Paper);
        // A multi-byte character where the suffix would start: no panic.
        assert_eq!(url_role("https://x.org/\u{e9}pdf"), Project);
    }

    #[test]
    fn labels_win_over_hosts() {
        assert_eq!(classify(&["Code"], "https://lab.example.org/code"), Code);
        assert_eq!(
            classify(&["Hugging Face"], "https://huggingface.co/o/m"),
            Model
        );
        assert_eq!(
            classify(&["Title of it", "Paper"], "https://github.com/o/r"),
            Paper
        );
    }

    /// The case the property test once found: a no-break space alone is
    /// no word for the full rule (it is trimmed), so it must not count here.
    #[test]
    fn a_no_break_space_is_not_a_word() {
        let t = " \u{a0}\ta *\ta";
        assert!(!surely_long(t.as_bytes()));
        assert_eq!(label_in(t), "a *\ta");
        // A no-break space between two words of the quick count.
        let t = "\t: \u{a0} :\t-";
        assert!(!surely_long(t.as_bytes()));
        assert_eq!(label_in(t), ": \u{a0} :\t-");
    }

    proptest::proptest! {
        #[test]
        fn the_quick_no_agrees_with_the_full_rule(t in "[ab :：\\-*+|(,/\t\n\u{a0}.]{0,90}") {
            let t = t.trim_end();
            if !t.ends_with([':', '：']) && surely_long(t.as_bytes()) {
                proptest::prop_assert_eq!(label_in(t), "", "{:?}", t);
            }
        }
    }

    #[test]
    fn no_code_markers() {
        for yes in [
            "Code: None",
            "- Code: coming soon",
            "code: TBD.",
            "代码：即将开源",
            "GitHub: N/A",
            "Paper: https://arxiv.org/abs/1 | Code: Not available",
        ] {
            assert!(withholds_code(yes), "{yes}");
        }
        for no in [
            "Code: https://github.com/o/r",
            "Paper: None",
            "None of the code",
            "Code: nothing to see",
        ] {
            assert!(!withholds_code(no), "{no}");
        }
    }

    #[test]
    fn role_words_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
    }
}
