//! Pull-request runs (`check --changed-since REV`, `[ci] changed_since`,
//! issue 26): which lines of which files were added or modified since a
//! git revision, read from the `git` command-line tool, and which of a
//! run's links and repositories lie on them (`Scope`).
//!
//! The working tree (staged and unstaged changes included) is compared
//! with REV by `git diff --unified=0 -M REV --` (rename detection: a
//! renamed file's unchanged lines stay unchanged); a file new since REV
//! (added in a commit, staged, or untracked and not ignored, from `git
//! ls-files --others --exclude-standard`) counts as all changed. Only the
//! `+c,d` side of each hunk header `@@ -a,b +c,d @@` is used.
//!
//! Runs git before any request is made; an unknown REV, a directory
//! outside a git work tree and a shallow clone that lacks REV are
//! `Error::Changed` (exit 3). Never does network I/O.

use crate::error::Error;
use crate::forge::ForgeRef;
use crate::model::{LinkResult, RepoKey, Status};
use crate::store::Store;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The reason an unchanged link's row carries.
pub fn unchanged_reason(rev: &str) -> String {
    format!("line unchanged since {rev}")
}

/// What changed in one file since the revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileChange {
    /// New since the revision: every line counts as changed.
    All,
    /// The 1-based line ranges `[start, end)` added or modified.
    Lines(Vec<(u32, u32)>),
}

impl FileChange {
    pub fn contains(&self, line: u32) -> bool {
        match self {
            FileChange::All => true,
            FileChange::Lines(ranges) => ranges.iter().any(|&(s, e)| s <= line && line < e),
        }
    }
}

/// The changes of a work tree since a revision, by absolute path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changes {
    /// The revision as the user wrote it.
    pub rev: String,
    /// The work tree's top-level directory (canonical).
    pub root: PathBuf,
    /// Files with changes, by canonical path; a file not here is unchanged.
    pub files: HashMap<PathBuf, FileChange>,
}

impl Changes {
    /// What changed in the file an input names (`source` as the store
    /// holds it, relative to `base`); `None` for an unchanged file, stdin
    /// and remote inputs.
    pub fn of_source(&self, source: &str, base: &Path) -> Option<&FileChange> {
        if source == "-" || source.starts_with("http://") || source.starts_with("https://") {
            return None;
        }
        let path = base.join(source);
        let path = path.canonicalize().unwrap_or(path);
        self.files.get(&path)
    }
}

/// A pull-request run's part: the unique URLs (by id) and repositories (by
/// index) linked from a changed line, and the changed lines of each input.
#[derive(Clone, Debug)]
pub struct Scope {
    pub rev: String,
    /// What changed in each input, by its name in the store.
    sources: HashMap<String, FileChange>,
    pub urls: Vec<bool>,
    pub repos: Vec<bool>,
    /// The keys of the repositories in `repos`.
    pub repo_keys: HashSet<RepoKey>,
}

impl Scope {
    /// Which of `store`'s URLs and repositories (`repos`, `repo_of` as
    /// `pipeline::Links` holds them) lie on changed lines; input names are
    /// relative to `base`.
    pub fn new(
        changes: &Changes,
        store: &Store,
        (repo_of, repos): (&[u32], &[ForgeRef]),
        base: &Path,
    ) -> Scope {
        let sources: HashMap<String, FileChange> = store
            .sources
            .iter()
            .filter_map(|s| Some((s.clone(), changes.of_source(s, base)?.clone())))
            .collect();
        let mut scope = Scope {
            rev: changes.rev.clone(),
            sources,
            urls: vec![false; store.urls.len()],
            repos: vec![false; repos.len()],
            repo_keys: HashSet::new(),
        };
        for o in &store.occurrences {
            let name = &store.sources[o.source as usize];
            if scope.on_changed_line(name, o.line as usize) {
                scope.urls[o.url as usize] = true;
                if let Some(&r) = repo_of.get(o.url as usize).filter(|&&r| r != u32::MAX) {
                    scope.repos[r as usize] = true;
                }
            }
        }
        scope.repo_keys = (0..repos.len())
            .filter(|&i| scope.repos[i])
            .map(|i| repos[i].key())
            .collect();
        scope
    }

    /// True when line `line` of the input named `source` was added or
    /// modified since the revision.
    pub fn on_changed_line(&self, source: &str, line: usize) -> bool {
        let line = u32::try_from(line).unwrap_or(u32::MAX);
        self.sources.get(source).is_some_and(|c| c.contains(line))
    }

    /// True for a URL linked from a changed line, or found later (a
    /// project page's link, past the extracted ids: its page was checked).
    pub fn has_url(&self, id: usize) -> bool {
        self.urls.get(id).copied().unwrap_or(true)
    }

    /// True for a repository linked from a changed line (or found later).
    pub fn has_repo(&self, i: usize) -> bool {
        self.repos.get(i).copied().unwrap_or(true)
    }

    /// What an unchanged link's row says.
    pub fn unchanged(&self) -> LinkResult {
        LinkResult::without_request(Status::Unchecked, unchanged_reason(&self.rev))
    }
}

/// Reads what changed since `rev` in the git work tree that holds `dir`.
pub fn since(rev: &str, dir: &Path) -> Result<Changes, Error> {
    let fail = |message: String| Error::Changed {
        rev: rev.to_string(),
        message,
    };
    if rev.is_empty() || rev.starts_with('-') {
        return Err(fail("not a git revision".into()));
    }
    let top = git(dir, &["rev-parse", "--show-toplevel"]).map_err(|e| {
        fail(format!(
            "{} is not inside a git work tree (git: {e})",
            dir.display()
        ))
    })?;
    let root = PathBuf::from(top.trim_end_matches(['\n', '\r']));
    let root = root.canonicalize().unwrap_or(root);
    verify_rev(&root, rev).map_err(fail)?;
    let diff = git(
        &root,
        &[
            "-c",
            "core.quotePath=false",
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--unified=0",
            "-M",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            rev,
            "--",
        ],
    )
    .map_err(|e| fail(format!("git diff failed: {e}")))?;
    let mut files: HashMap<PathBuf, FileChange> = parse_diff(&diff)
        .into_iter()
        .map(|(p, c)| (root.join(p), c))
        .collect();
    let untracked = git(&root, &["ls-files", "-z", "--others", "--exclude-standard"])
        .map_err(|e| fail(format!("git ls-files failed: {e}")))?;
    for p in untracked.split('\0').filter(|p| !p.is_empty()) {
        files.insert(root.join(p), FileChange::All);
    }
    let files = files
        .into_iter()
        .map(|(p, c)| (p.canonicalize().unwrap_or(p), c))
        .collect();
    Ok(Changes {
        rev: rev.to_string(),
        root,
        files,
    })
}

/// Checks that `rev` names a commit; else says why not: a shallow clone
/// that lacks it, or an unknown revision.
fn verify_rev(root: &Path, rev: &str) -> Result<(), String> {
    let spec = format!("{rev}^{{commit}}");
    if git(root, &["rev-parse", "--verify", "--quiet", &spec]).is_ok() {
        return Ok(());
    }
    let shallow =
        git(root, &["rev-parse", "--is-shallow-repository"]).is_ok_and(|s| s.trim() == "true");
    if shallow {
        Err(format!(
            "unknown revision in a shallow clone: fetch more history (in actions/checkout: \
             `fetch-depth: 0`, or fetch the base commit, e.g. `git fetch --depth=1 origin {rev}`)"
        ))
    } else {
        Err("unknown revision: no commit of that name in this git repository".into())
    }
}

/// Runs `git ARGS` in `dir`; its stdout, or its stderr's first line (or how
/// it could not be started) as the error.
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let first = err.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    Err(if first.is_empty() {
        format!("git exited with {}", out.status)
    } else {
        first.trim().to_string()
    })
}

/// The changed lines of every file in a `git diff --unified=0` text, by
/// path relative to the work tree's top (the `+++ b/PATH` side); a file
/// whose old side is `/dev/null` is new (all changed); a deleted file
/// (`+++ /dev/null`) and a pure rename (no hunks) have no lines.
pub fn parse_diff(diff: &str) -> HashMap<PathBuf, FileChange> {
    let mut files: HashMap<PathBuf, FileChange> = HashMap::new();
    let mut current: Option<PathBuf> = None;
    let mut new_file = false;
    // `--- `/`+++ ` name files only in a file's header: within hunks they
    // are a removed `-- ` or an added `++ ` line.
    let mut header = false;
    for line in diff.lines() {
        if line.starts_with("diff --git ") {
            (current, new_file, header) = (None, false, true);
        } else if !header && !line.starts_with("@@ ") {
            continue;
        } else if let Some(old) = line.strip_prefix("--- ") {
            new_file = old == "/dev/null";
        } else if let Some(new) = line.strip_prefix("+++ ") {
            current = new
                .strip_prefix("b/")
                .map(PathBuf::from)
                .or_else(|| unquote_prefixed(new).map(PathBuf::from));
            if let (Some(p), true) = (&current, new_file) {
                files.insert(p.clone(), FileChange::All);
            }
        } else if line.starts_with("@@ ") {
            header = false;
            if let (Some(p), Some(range)) = (&current, hunk_added(line))
                && let FileChange::Lines(ranges) = files
                    .entry(p.clone())
                    .or_insert_with(|| FileChange::Lines(Vec::new()))
            {
                ranges.push(range);
            }
        }
    }
    files
}

/// The added side of a hunk header `@@ -a,b +c,d @@ ...` as the line range
/// `[c, c + d)` (`d` is 1 when left out); `None` when nothing was added
/// (`d` = 0) or the header is malformed.
pub fn hunk_added(header: &str) -> Option<(u32, u32)> {
    let rest = header.strip_prefix("@@ ")?;
    let plus = rest.split(' ').find(|w| w.starts_with('+'))?;
    let plus = &plus[1..];
    let (start, count) = match plus.split_once(',') {
        Some((s, c)) => (s.parse::<u32>().ok()?, c.parse::<u32>().ok()?),
        None => (plus.parse::<u32>().ok()?, 1),
    };
    (count > 0).then(|| (start, start.saturating_add(count)))
}

/// A path git wrote in C quotes (`"b/a\tb.md"`, for names with control
/// characters or quotes even with `core.quotePath=false`), without the
/// `b/` prefix; `None` when it is not one.
fn unquote_prefixed(s: &str) -> Option<String> {
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let text = unescape(inner);
    text.strip_prefix("b/").map(str::to_string)
}

/// C-style escapes as git writes them: `\t \n \" \\` and octal bytes.
fn unescape(s: &str) -> String {
    let mut bytes = Vec::with_capacity(s.len());
    let mut it = s.bytes().peekable();
    while let Some(b) = it.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match it.next() {
            Some(b't') => bytes.push(b'\t'),
            Some(b'n') => bytes.push(b'\n'),
            Some(b'r') => bytes.push(b'\r'),
            Some(d @ b'0'..=b'7') => {
                let mut v = u32::from(d - b'0');
                for _ in 0..2 {
                    if let Some(&n @ b'0'..=b'7') = it.peek() {
                        v = v * 8 + u32::from(n - b'0');
                        it.next();
                    }
                }
                bytes.push(v as u8);
            }
            Some(other) => bytes.push(other),
            None => bytes.push(b'\\'),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunk_headers() {
        assert_eq!(hunk_added("@@ -3,0 +4,2 @@ ## Section"), Some((4, 6)));
        assert_eq!(hunk_added("@@ -7 +7 @@"), Some((7, 8)));
        assert_eq!(hunk_added("@@ -7,2 +6,0 @@"), None);
        assert_eq!(hunk_added("@@ garbage @@"), None);
        assert_eq!(hunk_added("@@ -1 +x,2 @@"), None);
    }

    #[test]
    fn diff_new_renamed_deleted_and_quoted() {
        let diff = "diff --git a/list.md b/list.md\n\
            index 1..2 100644\n--- a/list.md\n+++ b/list.md\n\
            @@ -2 +2 @@\n--- old\n+++ new\n@@ -9,0 +10,2 @@\n+a\n+b\n\
            diff --git a/new.md b/new.md\nnew file mode 100644\n--- /dev/null\n+++ b/new.md\n\
            @@ -0,0 +1,3 @@\n+x\n+y\n+z\n\
            diff --git a/old.md b/moved.md\nsimilarity index 100%\nrename from old.md\nrename to moved.md\n\
            diff --git a/gone.md b/gone.md\ndeleted file mode 100644\n--- a/gone.md\n+++ /dev/null\n\
            @@ -1,2 +0,0 @@\n-p\n-q\n\
            diff --git \"a/t\\tb.md\" \"b/t\\tb.md\"\n--- \"a/t\\tb.md\"\n+++ \"b/t\\tb.md\"\n@@ -1 +1 @@\n-u\n+v\n";
        let files = parse_diff(diff);
        assert_eq!(
            files.get(Path::new("list.md")),
            Some(&FileChange::Lines(vec![(2, 3), (10, 12)]))
        );
        assert_eq!(files.get(Path::new("new.md")), Some(&FileChange::All));
        assert_eq!(files.get(Path::new("moved.md")), None);
        assert_eq!(files.get(Path::new("gone.md")), None);
        assert_eq!(
            files.get(Path::new("t\tb.md")),
            Some(&FileChange::Lines(vec![(1, 2)]))
        );
        let lines = &files[Path::new("list.md")];
        assert!(lines.contains(2) && lines.contains(11) && !lines.contains(3));
        assert!(!lines.contains(12));
    }
}
