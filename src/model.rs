//! The data every stage exchanges: link statuses, repository health words,
//! check results and the rows of each report.
//!
//! The words produced by `as_str` are contracts: other people's CI jobs parse
//! them from the CSV reports. Add new words; never rename existing ones.
//! This module does no I/O at all.

use crate::words::word_enum;
use chrono::{DateTime, Utc};
use std::fmt;

/// `Display` and serde output of a contract word type: its `as_str` word,
/// as the CSV reports carry it.
macro_rules! contract_word_out {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

/// `contract_word_out` plus reading the word back through its own
/// `FromStr` (a word every row has: an empty cell is an error).
macro_rules! contract_word_serde {
    ($($t:ty),*) => {$(
        contract_word_out!($t);
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    )*};
}

contract_word_serde!(Status, Health, CodeState, Role);

word_enum! {
    /// The outcome of checking one link. An outcome is data, never an `Err`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum Status: "link status" {
        /// 2xx.
        Ok = "ok",
        /// 2xx reached through a permanent redirect (301/308) to another URL.
        Redirected = "redirected",
        /// 404, 410 and other 4xx not listed under `Blocked`: the link is dead.
        Broken = "broken",
        /// 401, 403, 407, 429 after retries, 999: refused, not proof of death.
        Blocked = "blocked",
        /// 5xx after retries, too many redirects, a malformed response.
        Error = "error",
        /// No answer in time.
        Timeout = "timeout",
        /// DNS, connection refused or reset, TLS.
        NetworkError = "network_error",
        /// Matched an `exclude` rule, or points at a private address.
        Excluded = "excluded",
        /// Not a usable http(s) URL after cleaning; never requested.
        Invalid = "invalid",
        /// The run was interrupted before this link was checked.
        Unchecked = "unchecked",
    }
}

impl Status {
    /// True for the statuses whose result may be reused by a later run.
    pub fn is_success(self) -> bool {
        matches!(self, Status::Ok | Status::Redirected)
    }

    /// True when the link did not work (anything but ok, redirected,
    /// excluded and unchecked).
    pub fn is_failure(self) -> bool {
        !matches!(
            self,
            Status::Ok | Status::Redirected | Status::Excluded | Status::Unchecked
        )
    }
}

word_enum! {
    /// One word per repository, in precedence order (first match wins).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum Health: "health word" {
        /// Not found: deleted, or private.
        Missing = "missing",
        /// Archived (read-only) on its forge.
        Archived = "archived",
        /// No commits at all.
        Empty = "empty",
        /// Commits, but no code in any language GitHub detects.
        Placeholder = "placeholder",
        /// Last push older than `stale_after_days`.
        Stale = "stale",
        /// Pushed to within `stale_after_days`, with code.
        Active = "active",
        /// Could not be fetched (rate limit, API failure); the reason is in `error`.
        Unknown = "unknown",
        /// A Hugging Face Space whose runtime stage is an error
        /// (`BUILD_ERROR`, `RUNTIME_ERROR`, `CONFIG_ERROR`). Comes after
        /// `archived` and before `empty` in precedence; last in `ALL` because
        /// it was added later.
        Failing = "failing",
        /// The forge holds it but refuses to serve it: GitHub's "Repository
        /// access blocked" (HTTP 451 for a DMCA takedown, 403 for its terms of
        /// service), a Hugging Face repository whose access is disabled. Comes
        /// right after `missing` in precedence; last in `ALL` (added later).
        Unavailable = "unavailable",
    }
}

impl Health {
    /// Rank for "best health among a paper's repositories": lower is better.
    pub fn goodness_rank(self) -> u8 {
        match self {
            Health::Active => 0,
            Health::Stale => 1,
            Health::Archived => 2,
            Health::Placeholder => 3,
            Health::Failing => 4,
            Health::Empty => 5,
            Health::Unknown => 6,
            Health::Unavailable => 7,
            Health::Missing => 8,
        }
    }
}

word_enum! {
    /// The forge a repository lives on (`forge` column of repos.csv).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum Forge: "forge" {
        /// github.com, or the `[github] web_host` of a GitHub Enterprise server.
        #[default]
        Github = "github",
        /// huggingface.co (models, datasets, Spaces).
        Huggingface = "huggingface",
        /// gitlab.com and the `[forges] gitlab_hosts`.
        Gitlab = "gitlab",
        /// codeberg.org (Forgejo).
        Codeberg = "codeberg",
        /// A Gitea or Forgejo host other than codeberg.org (`[forges] gitea_hosts`).
        Gitea = "gitea",
        /// gitee.com.
        Gitee = "gitee",
    }
}

word_enum! {
    /// What kind of repository (`kind` column of repos.csv).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum RepoKind: "repository kind" {
        /// A code repository (GitHub, GitLab, Codeberg, Gitea, Gitee).
        #[default]
        Repository = "repository",
        /// A Hugging Face model.
        Model = "model",
        /// A Hugging Face dataset.
        Dataset = "dataset",
        /// A Hugging Face Space (an app).
        Space = "space",
    }
}

/// `contract_word_out` and serde input (through `FromStr`) where an empty
/// cell is the default, for a word enum with `ALL`, `as_str` and `Default`
/// (the columns added after files already existed).
macro_rules! contract_word {
    ($t:ty) => {
        contract_word_out!($t);
        /// An empty cell (a file written before the column existed) is the default.
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<str>>::deserialize(d)?;
                if s.is_empty() {
                    return Ok(<$t>::default());
                }
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

word_enum! {
    /// Where a paper's dead code went (papers.csv `code_recoverable`, issue 15).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub enum Recoverable: "code_recoverable word" {
        /// An empty cell: the paper has no code link, one of them is not
        /// `broken`, or whether the archives hold a copy is not known.
        #[default]
        Blank = "",
        /// An archive holds a copy of one of its dead code links.
        Archived = "archived",
        /// The archives were asked about every dead code link and hold none.
        Lost = "lost",
    }
}

contract_word!(Forge);
contract_word!(RepoKind);
contract_word!(Recoverable);

/// The result of checking one unique URL; shared by all its occurrences.
/// Serde: a shard's raw results (`shard-results.json`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LinkResult {
    /// The status word.
    pub status: Status,
    /// The last HTTP status seen, if any answer came.
    pub http_status: Option<u16>,
    /// Set when the link was redirected (the URL the chain ended at).
    pub final_url: Option<String>,
    /// Human-readable reason for anything but `ok`; empty otherwise.
    pub error: String,
    /// How long the check took, over all attempts and hops.
    pub elapsed_ms: u64,
    /// When the check finished (a reused result keeps its old time).
    pub checked_at: DateTime<Utc>,
    /// Every URL requested after the first one, in order.
    pub redirect_chain: Vec<String>,
    /// True when this result was reused from the previous report.
    pub cached: bool,
    /// A project page that was followed (`[follow]`): the code links found
    /// on it (`Some(empty)`: looked at, none found, or not an HTML page);
    /// `None` when the page was not looked at. Reused with the result, so an
    /// incremental run needs no request.
    pub page_links: Option<Box<[String]>>,
    /// The status code of each redirect hop, one per `redirect_chain` URL
    /// (issue 25: `fix` rewrites only entirely permanent chains). Empty in
    /// shard files written before it. `None` when there was no redirect:
    /// a thin pointer keeps the result (one per unique URL, and the checker's
    /// `Err` variant) small. Read it with [`LinkResult::hop_codes`].
    #[serde(default)]
    #[allow(clippy::box_collection)]
    pub redirect_codes: Option<Box<Vec<u16>>>,
}

impl LinkResult {
    /// A result decided without any request (excluded, invalid, unchecked).
    pub fn without_request(status: Status, error: impl Into<String>) -> Self {
        LinkResult {
            status,
            http_status: None,
            final_url: None,
            error: error.into(),
            elapsed_ms: 0,
            checked_at: Utc::now(),
            redirect_chain: Vec::new(),
            cached: false,
            page_links: None,
            redirect_codes: None,
        }
    }

    /// The status code of each redirect hop (empty without redirects, or in
    /// a report written before the codes were recorded).
    pub fn hop_codes(&self) -> &[u16] {
        self.redirect_codes.as_deref().map_or(&[], Vec::as_slice)
    }
}

/// One row of `links.csv`: one occurrence of a link in an input.
/// Borrowed, so a million rows are produced lazily from compact storage.
/// Written through `rows::LinkRecord`, whose field order is the column contract.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct LinkRow<'a> {
    /// The input the link was found in, as named on the command line.
    pub source: &'a str,
    /// 1-based line in the input.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The paper the link belongs to ("" when none).
    pub paper: &'a str,
    /// The URL as cleaned from the input.
    pub url: &'a str,
    /// `owner/name` when the URL points into a GitHub repository, else "".
    pub repo: &'a str,
    /// `None` for the `extract` command (no check was made).
    pub result: Option<&'a LinkResult>,
    /// When this link started failing (carried over between runs).
    pub first_failed_at: Option<DateTime<Utc>>,
    /// The innermost heading above the link's paper ("" when none).
    pub section: &'a str,
    /// What the link is to its paper.
    pub role: Role,
    /// What the archives said about this dead link (issue 15); `None`: not asked.
    pub archive: Option<&'a ArchiveCells>,
    /// The project page this link was found on (issue 14); "" when the
    /// input links it directly.
    pub found_via: &'a str,
}

/// What the archives said about a dead link or repository (issue 15), as
/// the reports carry it: the copy a person should follow (empty: no copy),
/// its snapshot's date, and when the archives were asked (`None`: not
/// asked, or they could not answer, so the next run asks again).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ArchiveCells {
    /// The copy a person should follow; empty: no copy.
    pub copy: String,
    /// When the copy was taken.
    pub at: Option<DateTime<Utc>>,
    /// When the archives were asked; `None`: not asked or no answer.
    pub checked_at: Option<DateTime<Utc>>,
}

/// Everything known about one GitHub repository.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RepoInfo {
    /// The current `owner/name` (differs from the linked name after a rename).
    pub canonical: String,
    /// The repository's web page.
    pub url: String,
    /// Stars (GitHub, GitLab, Gitea, Gitee).
    pub stars: u64,
    /// Forks.
    pub forks: u64,
    /// Watchers.
    pub watchers: u64,
    /// Open issues.
    pub open_issues: u64,
    /// The license's SPDX id or name, if the forge detects one.
    pub license: Option<String>,
    /// The main language, if the forge detects one.
    pub language: Option<String>,
    /// When the repository was created.
    pub created_at: Option<DateTime<Utc>>,
    /// When it was last pushed to.
    pub pushed_at: Option<DateTime<Utc>>,
    /// The date of the default branch's last commit.
    pub last_commit_at: Option<DateTime<Utc>>,
    /// Commits on the default branch over the last 90 days.
    pub commits_90d: Option<u64>,
    /// The latest release's tag or name.
    pub latest_release: Option<String>,
    /// When the latest release was published.
    pub latest_release_at: Option<DateTime<Utc>>,
    /// Archived (read-only) on its forge.
    pub archived: bool,
    /// A fork of another repository.
    pub fork: bool,
    /// No commits at all.
    pub empty: bool,
    /// Whether GitHub detects code in any language (always true on other
    /// forges, which do not say).
    pub has_code: bool,
    /// Hugging Face likes (also in `stars`, which holds likes where the
    /// forge has no stars).
    pub likes: Option<u64>,
    /// Hugging Face downloads over the last 30 days.
    pub downloads_30d: Option<u64>,
    /// A Hugging Face Space's runtime stage (`RUNNING`, `BUILD_ERROR`, ...).
    pub runtime: Option<String>,
}

/// The answer for one repository: found, missing, or unknown (with reason).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum RepoOutcome {
    /// Found, with everything the forge said.
    Found(Box<RepoInfo>),
    /// Not found: deleted, or private (health `missing`).
    Missing,
    /// Could not be fetched: why, as a type, and the reason.
    Unknown(Unfetched),
    /// The forge has it but refuses to serve it (health `unavailable`):
    /// the reason, as the forge gives it.
    Unavailable(String),
}

/// Why a repository is `unknown`: the kind (what notes count, never
/// compared as text) and the reason for people (the `error` column, which
/// is what it reads as: it derefs to the reason). Stored as the reason
/// alone (a shard file's outcome reads back as `Failed`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(from = "String", into = "String")]
pub struct Unfetched {
    /// Which kind of `unknown`.
    pub why: WhyUnknown,
    /// The reason for people (the `error` column).
    pub detail: String,
}

/// The kinds of `unknown`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhyUnknown {
    /// Left unfetched: its API stopped being asked before its turn (a
    /// rate limit, refused credentials, an unreachable or silent API, the
    /// call budget, shutdown).
    Stopped,
    /// Asked, and no usable answer came back for it.
    Failed,
    /// Never to be asked: not a name the forge could hold, its audit off,
    /// another shard's.
    NotAsked,
}

impl Unfetched {
    /// Left unfetched because its API stopped being asked.
    pub fn stopped(detail: impl Into<String>) -> Unfetched {
        Unfetched {
            why: WhyUnknown::Stopped,
            detail: detail.into(),
        }
    }
    /// Asked, with no usable answer.
    pub fn failed(detail: impl Into<String>) -> Unfetched {
        Unfetched {
            why: WhyUnknown::Failed,
            detail: detail.into(),
        }
    }
    /// Never to be asked.
    pub fn not_asked(detail: impl Into<String>) -> Unfetched {
        Unfetched {
            why: WhyUnknown::NotAsked,
            detail: detail.into(),
        }
    }
}

/// A bare reason is a failed fetch.
impl From<String> for Unfetched {
    fn from(detail: String) -> Unfetched {
        Unfetched::failed(detail)
    }
}

impl From<&str> for Unfetched {
    fn from(detail: &str) -> Unfetched {
        Unfetched::failed(detail)
    }
}

impl From<Unfetched> for String {
    fn from(u: Unfetched) -> String {
        u.detail
    }
}

impl std::ops::Deref for Unfetched {
    type Target = str;
    fn deref(&self) -> &str {
        &self.detail
    }
}

impl std::fmt::Display for Unfetched {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

/// One row of `repos.csv` (written through `rows::RepoRecord`).
#[derive(Clone, Debug, PartialEq)]
pub struct RepoRow {
    /// The name as linked: `owner/name` on GitHub; on other forges the host
    /// and path (`huggingface.co/datasets/owner/name`, `gitlab.com/group/name`),
    /// so names never collide across forges.
    pub repo: String,
    /// The forge it lives on.
    pub forge: Forge,
    /// Repository, model, dataset or Space.
    pub kind: RepoKind,
    /// Present when the repository was found.
    pub info: Option<RepoInfo>,
    /// Papers linking it.
    pub papers: usize,
    /// Links into it.
    pub links: usize,
    /// Its health word.
    pub health: Health,
    /// Days since its last push; `None` when not known.
    pub days_since_push: Option<i64>,
    /// Its rank by stars among the found repositories (1 = most).
    pub rank: Option<usize>,
    /// Why it is `unknown` or `unavailable`; empty otherwise.
    pub error: String,
    /// When this data was fetched (reused rows keep their old time).
    pub fetched_at: DateTime<Utc>,
    /// Reused from the previous report, not asked in this run.
    pub cached: bool,
    /// Stars gained since the previous report (negative: lost).
    pub stars_delta: Option<i64>,
    /// When the previous report that `stars_delta` compares with was written.
    pub previous_report_at: Option<DateTime<Utc>>,
    /// Where a missing repository's code went (issue 15).
    pub archive: ArchiveCells,
    /// The project page the repository was found on (issue 14); "" when
    /// an input links it directly.
    pub found_via: String,
}

impl RepoRow {
    /// The repository path as linked on its forge: `repo` itself on GitHub,
    /// without the host and the `datasets/` / `spaces/` prefix elsewhere.
    pub fn linked_path(&self) -> &str {
        if self.forge == Forge::Github {
            return &self.repo;
        }
        let rest = self.repo.split_once('/').map_or("", |(_, r)| r);
        let prefix = match self.kind {
            RepoKind::Dataset => "datasets/",
            RepoKind::Space => "spaces/",
            _ => "",
        };
        rest.strip_prefix(prefix).unwrap_or(rest)
    }

    /// The forge's current name when it differs from the linked one
    /// (beyond case, by `RepoKey`'s rule).
    pub fn renamed_to(&self) -> Option<&str> {
        self.info
            .as_ref()
            .filter(|i| i.is_renamed_from(self.linked_path()))
            .map(|i| i.canonical.as_str())
    }
}

/// One row of `papers.csv`; the source name and title are borrowed from the
/// store (a run with 200,000 papers would otherwise copy both per paper).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct PaperRow<'a> {
    /// The input the paper was found in.
    pub source: &'a str,
    /// 1-based line of its title.
    pub line: u32,
    /// The title.
    pub paper: &'a str,
    /// Its links (images not counted).
    pub links: u32,
    /// Its code links.
    pub code_links: u32,
    /// Distinct repositories it links.
    pub repos: u32,
    /// Links whose status is `broken` (issue 24 item 7: no other status).
    pub broken_links: u32,
    /// Its repository with the most stars (`owner/name`); "" when none.
    pub best_repo: String,
    /// That repository's stars.
    pub best_repo_stars: Option<u64>,
    /// The best health among its repositories.
    pub health: Option<Health>,
    /// True exactly when `code_state` is `promised` or `withheld`.
    pub claims_code_without_link: bool,
    /// Whether it has code (`linked`, `promised`, `withheld`, ...).
    pub code_state: CodeState,
    /// The innermost heading above the paper ("" when none).
    pub section: &'a str,
    /// The first `paper`-role link ("" when none).
    pub paper_url: &'a str,
    /// Links by role, indexed like [`Role::ALL`]; `image` (the last) is
    /// not counted (issue 22).
    pub role_links: [u32; 9],
    /// `archived`, `lost`, or empty when the code is alive or unknown (issue 15).
    pub code_recoverable: Recoverable,
    /// Links whose status is in `[ci] fail_on` (papers.csv's last column).
    pub failing_links: u32,
    /// Code links (as counted in `code_links`) whose status is `broken`.
    pub broken_code_links: u32,
}

word_enum! {
    /// Whether a paper has code, in papers.csv's `code_state` column.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
    pub enum CodeState: "code state" {
        /// A code link exists (a `code`-role link, or a code forge / model hub
        /// link counted in `code_links`).
        Linked = "linked",
        /// No code link; the abstract or a label promises code.
        Promised = "promised",
        /// No code link; an explicit marker says none (`Code: None`, `TBD`).
        Withheld = "withheld",
        /// No code link and nothing said about code.
        #[default]
        None = "none",
        /// No code link of its own, but a project page it links links code
        /// (`[follow]`); last in `ALL` because it was added later.
        LinkedViaPage = "linked_via_page",
    }
}

impl CodeState {
    /// `linked` wins; an explicit "no code" marker wins over a promise.
    pub fn decide(code_links: usize, claims: bool, withholds: bool) -> CodeState {
        if code_links > 0 {
            CodeState::Linked
        } else if withholds {
            CodeState::Withheld
        } else if claims {
            CodeState::Promised
        } else {
            CodeState::None
        }
    }

    /// [`decide`](Self::decide) for a paper with `own` code links of its
    /// own and `found` more found on its project pages: code found only
    /// there is `linked_via_page`.
    pub fn decide_with_found(own: usize, found: usize, claims: bool, withholds: bool) -> CodeState {
        if own == 0 && found > 0 {
            CodeState::LinkedViaPage
        } else {
            CodeState::decide(own, claims, withholds)
        }
    }
}

/// A repository's identity: `owner/name` case-folded with the one rule
/// used everywhere (ASCII lowercase: GitHub owner and repository names are
/// ASCII and compared case-insensitively). Every map or comparison "by
/// repository" uses it; the linked spelling stays in `RepoRow::repo`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RepoKey(String);

impl RepoKey {
    /// The key of an `owner/name` as linked or as GitHub spells it.
    pub fn new(full_name: &str) -> Self {
        RepoKey(full_name.to_ascii_lowercase())
    }

    /// The folded key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RepoKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<&str> for RepoKey {
    /// Compares with an already folded key.
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl RepoInfo {
    /// True when GitHub's own name for the repository is another one than
    /// `linked` (beyond case): the repository was renamed or moved.
    pub fn is_renamed_from(&self, linked: &str) -> bool {
        !self.canonical.is_empty() && RepoKey::new(&self.canonical) != RepoKey::new(linked)
    }
}

impl RepoRow {
    /// The row's repository key (case-folded).
    pub fn key(&self) -> RepoKey {
        RepoKey::new(&self.repo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_key_folds_ascii_case_only_and_renamed_ignores_case() {
        assert_eq!(RepoKey::new("Org/Repo"), RepoKey::new("org/REPO"));
        assert_eq!(RepoKey::new("Org/Repo"), "org/repo");
        // One rule: ASCII folding (GitHub names are ASCII); anything else
        // is kept as is rather than folded by another rule somewhere.
        assert_ne!(RepoKey::new("Ünï/x"), RepoKey::new("ünï/x"));
        let info = RepoInfo {
            canonical: "ORG/repo".into(),
            ..RepoInfo::default()
        };
        assert!(!info.is_renamed_from("org/Repo"));
        assert!(info.is_renamed_from("org/repo2"));
        assert!(!RepoInfo::default().is_renamed_from("org/repo"));
    }
}

word_enum! {
    /// What a link is to its paper. Stored as one byte.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
    #[repr(u8)]
    pub enum Role: "link role" {
        /// Source code: a repository, a code archive.
        Code = "code",
        /// The paper itself: arXiv, a PDF, a DOI, a proceedings page.
        Paper = "paper",
        /// A project page (the default for a link nothing else names).
        #[default]
        Project = "project",
        /// A dataset.
        Dataset = "dataset",
        /// Trained weights: a model hub page.
        Model = "model",
        /// A live demo.
        Demo = "demo",
        /// A talk or video.
        Video = "video",
        /// A post about the paper (X/Twitter, Mastodon, a blog's share link).
        Social = "social",
        /// Anything else the label or URL names (slides, a poster, a bibtex).
        Other = "other",
        /// An image's source (`![alt](src)`, `<img src>`): a badge or figure,
        /// never a paper's link or code (issue 22); last because added later.
        Image = "image",
    }
}
