//! The configuration: `config.toml` structs with their defaults, validation,
//! and the merge of command-line overrides.
//!
//! Owns the meaning of every config key. Never does network I/O; reads only
//! the config file it is pointed at.

use crate::error::Error;
use crate::model::{Health, Status};
use crate::words::word_enum;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A whole `config.toml`: every key has a default (see the commented
/// `config.toml` at the repository root); [`Config::load`] reads and
/// validates one.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Inputs used when none are given on the command line.
    pub inputs: Vec<String>,
    /// Where reports are written (created if missing).
    pub output_dir: PathBuf,
    /// Most of one input held in memory, in MiB: a remote input larger than
    /// this is skipped; an HTML input is read up to this (Markdown, text and
    /// JSON are streamed whole).
    pub max_input_mib: u64,
    /// `[check]`: the HTTP checker.
    pub check: CheckConfig,
    /// `[github]`: the GitHub audit.
    pub github: GithubConfig,
    /// `[forges]`: Hugging Face, GitLab, Codeberg/Gitea, Gitee.
    pub forges: ForgesConfig,
    /// `[ci]`: the fail policy and pull-request runs.
    pub ci: CiConfig,
    /// `[archive]`: Software Heritage and the Wayback Machine.
    pub archive: ArchiveConfig,
    /// `[report]`: which report files are written.
    pub report: ReportConfig,
    /// `[follow]`: project pages and the code they link.
    pub follow: FollowConfig,
    /// `[extract]`: what extraction outputs.
    pub extract: ExtractConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            inputs: Vec::new(),
            output_dir: PathBuf::from("reports"),
            max_input_mib: crate::input::MAX_DOCUMENT_BYTES / (1024 * 1024),
            check: CheckConfig::default(),
            github: GithubConfig::default(),
            forges: ForgesConfig::default(),
            ci: CiConfig::default(),
            archive: ArchiveConfig::default(),
            report: ReportConfig::default(),
            follow: FollowConfig::default(),
            extract: ExtractConfig::default(),
        }
    }
}

/// `[extract]`: what extraction keeps.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ExtractConfig {
    /// Image sources (`![alt](src)`, `<img src>`, role `image`) are links
    /// checked like any other; `false` drops them.
    pub images: bool,
}

impl Default for ExtractConfig {
    fn default() -> Self {
        ExtractConfig { images: true }
    }
}

/// `[follow]`: project pages, one hop. For a paper without a code link of
/// its own, the body of each of its `project` links that the checker's GET
/// already reads (2xx, HTML) is kept up to `max_page_bytes` and the code
/// links on it become the paper's (`found_via`, `linked_via_page`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FollowConfig {
    /// Follow project pages (`--no-follow` turns it off).
    pub enabled: bool,
    /// Most bytes of one page read; links past it are not seen.
    pub max_page_bytes: usize,
}

impl Default for FollowConfig {
    fn default() -> Self {
        FollowConfig {
            enabled: true,
            max_page_bytes: 2 * 1024 * 1024,
        }
    }
}

/// `[check]`: limits and behaviour of the link checker.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CheckConfig {
    /// Requests in flight at once, over all hosts.
    pub max_concurrency: usize,
    /// Requests in flight at once to one host.
    pub max_per_host: usize,
    /// Bound on one whole request (connect, headers, and what body we read).
    pub timeout_secs: u64,
    /// The first request of every link: GET (what a browser does) or HEAD
    /// (no body; GET only where HEAD is refused or says "not found").
    pub method: RequestMethod,
    /// Retries after the first attempt for timeouts, resets, 5xx and 429.
    pub retries: u32,
    /// The `User-Agent` of every request.
    pub user_agent: String,
    /// Regexes; matching URLs are `excluded` and never requested.
    pub exclude: Vec<String>,
    /// "REGEX REPLACEMENT" rules applied before a request.
    pub remap: Vec<String>,
    /// Allow requests to loopback, private, link-local and unique-local addresses.
    pub allow_private: bool,
    /// Redirects followed before giving up with `error`.
    pub max_redirects: usize,
    /// Longest `Retry-After` we wait; a longer one ends as `blocked`.
    pub max_retry_after_secs: u64,
    /// How long an `ok`/`redirected` result from the previous report is reused (humantime).
    pub cache_max_age: Age,
    /// HTTP(S) proxy for every request (links, remote inputs, API calls);
    /// overrides `HTTP_PROXY`/`HTTPS_PROXY`; `""` means none. Unset: the
    /// environment decides (see `proxy`).
    pub proxy: Option<String>,
}

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            max_concurrency: 64,
            max_per_host: 4,
            timeout_secs: 20,
            method: RequestMethod::Get,
            retries: 2,
            user_agent: format!(
                "paperlinks/{} (+https://github.com/paperlinks/paperlinks)",
                env!("CARGO_PKG_VERSION")
            ),
            exclude: Vec::new(),
            remap: Vec::new(),
            allow_private: false,
            max_redirects: 10,
            max_retry_after_secs: 60,
            cache_max_age: Age::days(1),
            proxy: None,
        }
    }
}

/// How a link is asked for first (`[check] method`).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RequestMethod {
    /// GET, reading at most a small body; the answer a browser would get,
    /// in one round trip whatever the server thinks of HEAD.
    Get,
    /// HEAD, then GET where HEAD is refused (405, 501, 400, 403, 500...) or
    /// answered 404/410 by a host not yet known to tell HEAD the truth.
    /// Saves bandwidth; costs a second round trip on such hosts.
    Head,
}

impl CheckConfig {
    /// `timeout_secs` as a duration: the bound on one request.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }
}

/// `[github]`: the GitHub audit (GraphQL batches, REST where needed).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct GithubConfig {
    /// Ask the GitHub API about every linked repository.
    pub enabled: bool,
    /// API base; GraphQL is posted to `{api_url}/graphql`.
    pub api_url: String,
    /// Repositories per GraphQL query.
    pub batch_size: usize,
    /// Longest wait for a rate-limit reset before giving up with `unknown`.
    pub max_wait_secs: u64,
    /// A repository whose last push is older than this is `stale`.
    pub stale_after_days: i64,
    /// How long repository data from the previous report is reused (humantime).
    pub cache_max_age: Age,
    /// GraphQL endpoint; `""` derives it from `api_url` (`.../api/v3` ->
    /// `.../api/graphql`, as on GitHub Enterprise Server; else `{api_url}/graphql`).
    pub graphql_url: String,
    /// A GitHub Enterprise web host (`github.example.edu`) whose repository
    /// links are recognised like github.com links; `""`: none.
    pub web_host: String,
    /// Bound on one API call (connect, answer and body); `None`: `[check]
    /// timeout_secs`.
    pub timeout_secs: Option<u64>,
    /// Largest API answer read, in MiB; a larger one leaves its
    /// repositories `unknown` with a note.
    pub max_answer_mib: u64,
    /// Most GitHub API calls in one run (retries included); `0`: no bound
    /// but GitHub's rate limit. Repositories beyond it keep their last
    /// known data (or are `unknown`) and are asked first next run.
    pub max_calls: usize,
}

impl GithubConfig {
    /// The GraphQL endpoint: `graphql_url`, else derived from `api_url`.
    pub fn graphql_endpoint(&self) -> String {
        if !self.graphql_url.trim().is_empty() {
            return self.graphql_url.trim().to_string();
        }
        let api = self.api_url.trim_end_matches('/');
        match api.strip_suffix("/api/v3") {
            Some(host) => format!("{host}/api/graphql"),
            None => format!("{api}/graphql"),
        }
    }

    /// `max_answer_mib` in bytes.
    pub fn max_answer_bytes(&self) -> usize {
        mib_bytes(self.max_answer_mib)
    }
}

/// `mib` MiB in bytes, saturating.
fn mib_bytes(mib: u64) -> usize {
    usize::try_from(mib.saturating_mul(1 << 20)).unwrap_or(usize::MAX)
}

/// `[forges]`: the APIs of code forges other than GitHub. Each base URL is
/// where that forge's API lives (tests and self-hosted instances point
/// them elsewhere); `""` turns that forge off.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ForgesConfig {
    /// Ask the forges' APIs about every linked repository, model, dataset
    /// and Space. Off: their links are checked as plain pages.
    pub enabled: bool,
    /// Hugging Face Hub (links on huggingface.co and hf.co); token: `HF_TOKEN`.
    pub huggingface_api: String,
    /// GitLab (links on gitlab.com); `{api}/api/v4/projects/...`.
    pub gitlab_api: String,
    /// Codeberg (links on codeberg.org); `{api}/api/v1/repos/...`.
    pub codeberg_api: String,
    /// Gitee (links on gitee.com); `{api}/api/v5/repos/...`.
    pub gitee_api: String,
    /// Self-hosted GitLab web hosts; each one's API is at `https://HOST`.
    pub gitlab_hosts: Vec<String>,
    /// Self-hosted Gitea/Forgejo web hosts; each one's API is at `https://HOST`.
    pub gitea_hosts: Vec<String>,
    /// API calls in flight at once, per forge.
    pub max_concurrency: usize,
    /// Most API calls per forge in one run; repositories beyond it are `unknown`.
    pub max_calls: usize,
    /// Longest wait for a rate limit (429, `Retry-After`, `RateLimit`)
    /// before the rest of that forge's repositories are `unknown`.
    pub max_wait_secs: u64,
    /// Bound on one API call; `None`: `[check] timeout_secs`.
    pub timeout_secs: Option<u64>,
    /// Largest API answer read, in MiB; a larger one is `unknown` with a note.
    pub max_answer_mib: u64,
}

impl ForgesConfig {
    /// `max_answer_mib` in bytes.
    pub fn max_answer_bytes(&self) -> usize {
        mib_bytes(self.max_answer_mib)
    }
}

impl Default for ForgesConfig {
    fn default() -> Self {
        ForgesConfig {
            enabled: true,
            huggingface_api: "https://huggingface.co".into(),
            gitlab_api: "https://gitlab.com".into(),
            codeberg_api: "https://codeberg.org".into(),
            gitee_api: "https://gitee.com".into(),
            gitlab_hosts: Vec::new(),
            gitea_hosts: Vec::new(),
            max_concurrency: 4,
            max_calls: 1000,
            max_wait_secs: 60,
            timeout_secs: None,
            max_answer_mib: 2,
        }
    }
}

impl Default for GithubConfig {
    fn default() -> Self {
        GithubConfig {
            enabled: true,
            api_url: "https://api.github.com".into(),
            batch_size: 50,
            max_wait_secs: 60,
            stale_after_days: 365,
            cache_max_age: Age::days(1),
            graphql_url: String::new(),
            web_host: String::new(),
            timeout_secs: None,
            max_answer_mib: 16,
            max_calls: 0,
        }
    }
}

/// `[archive]`: where dead links went (Software Heritage, the Wayback
/// Machine), and the optional "save code now" requests for live code.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ArchiveConfig {
    /// Look up archived copies of broken links.
    pub enabled: bool,
    /// Software Heritage base; the API is under `{swh_api_url}/api/1/`.
    pub swh_api_url: String,
    /// Wayback Machine availability API base (`{wayback_api_url}/wayback/available`).
    pub wayback_api_url: String,
    /// Dead links (lookup targets) looked up at most per run.
    pub max_lookups: usize,
    /// Archive requests in flight at once, over both services.
    pub concurrency: usize,
    /// Bound on one archive request (seconds); past it the answer is unknown.
    pub timeout_secs: u64,
    /// How long a found copy from the previous report is reused (humantime).
    pub cache_max_age: Age,
    /// How long a "no archived copy" answer from the previous report is reused.
    pub no_copy_max_age: Age,
    /// Submit live code repositories to Software Heritage ("save code now").
    pub save_live: bool,
    /// With `save_live`: a repository last archived longer ago than this is
    /// submitted again.
    pub save_after_days: i64,
    /// With `save_live`: save requests at most per run.
    pub max_saves: usize,
    /// Longest wait (seconds) for a rate limit to lift (`Retry-After`,
    /// `X-RateLimit-Reset`); unset: `[check] max_retry_after_secs`.
    pub max_wait_secs: Option<u64>,
    /// Largest archive answer read (MiB); a larger one is unknown.
    pub max_answer_mib: u64,
    /// Wayback CDX server base (`{cdx_api_url}/cdx/search/cdx`); unset:
    /// `wayback_api_url`, with `archive.org` read as `web.archive.org`.
    pub cdx_api_url: Option<String>,
}

impl Default for ArchiveConfig {
    fn default() -> Self {
        ArchiveConfig {
            enabled: true,
            swh_api_url: "https://archive.softwareheritage.org".into(),
            wayback_api_url: "https://archive.org".into(),
            max_lookups: 40,
            concurrency: 2,
            timeout_secs: 20,
            cache_max_age: Age::days(30),
            no_copy_max_age: Age::days(7),
            save_live: false,
            save_after_days: 365,
            max_saves: 20,
            max_wait_secs: None,
            max_answer_mib: 1,
            cdx_api_url: None,
        }
    }
}

impl ArchiveConfig {
    /// `timeout_secs` as a duration: the bound on one archive request.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }

    fn validate(&self) -> Result<(), String> {
        if self.concurrency == 0 {
            return Err("[archive] concurrency must be at least 1".into());
        }
        if self.timeout_secs == 0 {
            return Err("[archive] timeout_secs must be at least 1".into());
        }
        if self.max_answer_mib == 0 {
            return Err("[archive] max_answer_mib must be at least 1".into());
        }
        let cdx = self.cdx_api_url.as_ref();
        for (key, base) in [
            ("swh_api_url", &self.swh_api_url),
            ("wayback_api_url", &self.wayback_api_url),
        ]
        .into_iter()
        .chain(cdx.map(|c| ("cdx_api_url", c)))
        {
            let u = url::Url::parse(base).map_err(|e| format!("[archive] {key} `{base}`: {e}"))?;
            if !matches!(u.scheme(), "http" | "https") || u.host().is_none() {
                return Err(format!("[archive] {key} `{base}`: not an http(s) URL"));
            }
        }
        Ok(())
    }
}

/// `[ci]`: what fails the run, and pull-request runs.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CiConfig {
    /// Link statuses and repository health words that make the run exit 2.
    pub fail_on: Vec<FailWord>,
    /// Pull-request runs: check only the links on lines added or modified
    /// since this git revision (`--changed-since`); `None`: every link.
    pub changed_since: Option<String>,
}

impl Default for CiConfig {
    fn default() -> Self {
        CiConfig {
            fail_on: vec![
                FailWord::Status(Status::Broken),
                FailWord::Health(Health::Missing),
            ],
            changed_since: None,
        }
    }
}

/// Which report files are written (`[report] formats`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ReportConfig {
    /// Every word is a [`ReportFormat`]; an unknown word is a config error.
    pub formats: Vec<ReportFormat>,
}

impl Default for ReportConfig {
    /// Every format.
    fn default() -> Self {
        ReportConfig {
            formats: ReportFormat::ALL.to_vec(),
        }
    }
}

impl ReportConfig {
    /// Whether the files of `format` are written.
    pub fn wants(&self, format: ReportFormat) -> bool {
        self.formats.contains(&format)
    }
}

word_enum! {
    /// One word of `[report] formats`: a family of report files.
    #[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Hash)]
    #[serde(rename_all = "lowercase")]
    pub enum ReportFormat: "report format" {
        /// links.csv, repos.csv, papers.csv (also what the next run reuses).
        Csv = "csv",
        /// summary.md, popularity.md.
        Md = "md",
        /// popularity.svg.
        Svg = "svg",
        /// links.sarif (SARIF 2.1.0, for code scanning).
        Sarif = "sarif",
        /// junit.xml (for CI test tabs).
        Junit = "junit",
        /// index.html (the report page).
        Html = "html",
    }
}

/// A `fail_on` word: a link status or a repository health word, read
/// and checked when the config is (an unknown word names the ones there are).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FailWord {
    /// A link status (`broken`, `timeout`, ...).
    Status(Status),
    /// A repository health word (`missing`, `archived`, ...).
    Health(Health),
}

impl FailWord {
    /// The word as written in `fail_on`.
    pub fn as_str(self) -> &'static str {
        match self {
            FailWord::Status(s) => s.as_str(),
            FailWord::Health(h) => h.as_str(),
        }
    }
}

impl std::str::FromStr for FailWord {
    type Err = String;
    fn from_str(w: &str) -> Result<FailWord, String> {
        w.parse::<Status>()
            .map(FailWord::Status)
            .or_else(|_| w.parse::<Health>().map(FailWord::Health))
            .map_err(|_| {
                format!(
                    "unknown word `{w}` (link statuses: {}; health words: {})",
                    Status::ALL.map(|s| s.as_str()).join(", "),
                    Health::ALL.map(|h| h.as_str()).join(", ")
                )
            })
    }
}

impl<'de> Deserialize<'de> for FailWord {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<FailWord, D::Error> {
        let s = <std::borrow::Cow<str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Config {
    /// Reads and validates a config file. Relative paths in it (`inputs`
    /// that are not URLs or `-`, `output_dir`) are made relative to the
    /// file's own directory, so a run reads the same files from anywhere.
    pub fn load(path: &Path) -> Result<Config, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config = Config::parse(&text, path)?;
        if let Some(dir) = path.parent() {
            config.rebase(dir);
        }
        Ok(config)
    }

    /// Puts `dir` in front of every relative path of the config.
    fn rebase(&mut self, dir: &Path) {
        if dir.as_os_str().is_empty() {
            return;
        }
        for input in &mut self.inputs {
            let lower = input.to_ascii_lowercase();
            let remote = lower.starts_with("http://") || lower.starts_with("https://");
            if input != "-" && !remote && Path::new(input).is_relative() {
                *input = dir.join(&*input).display().to_string();
            }
        }
        if self.output_dir.is_relative() {
            self.output_dir = dir.join(&self.output_dir);
        }
    }

    /// Parses config text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, Error> {
        let config: Config = toml::from_str(text).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        config.validate().map_err(|message| Error::Config {
            path: path.to_path_buf(),
            message,
        })?;
        Ok(config)
    }

    /// `max_input_mib` in bytes.
    pub fn max_input_bytes(&self) -> u64 {
        self.max_input_mib.saturating_mul(1024 * 1024)
    }

    /// Checks values that the types alone do not constrain.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_input_mib == 0 || self.max_input_mib > 4096 {
            return Err("max_input_mib must be between 1 and 4096".into());
        }
        if self.check.max_concurrency == 0 {
            return Err("[check] max_concurrency must be at least 1".into());
        }
        if self.check.max_per_host == 0 {
            return Err("[check] max_per_host must be at least 1".into());
        }
        if self.follow.max_page_bytes == 0 {
            return Err("[follow] max_page_bytes must be at least 1".into());
        }
        if self.check.timeout_secs == 0 {
            return Err("[check] timeout_secs must be at least 1".into());
        }
        if self.github.batch_size == 0 || self.github.batch_size > 100 {
            return Err("[github] batch_size must be between 1 and 100".into());
        }
        url::Url::parse(&self.github.api_url)
            .map_err(|e| format!("[github] api_url `{}`: {e}", self.github.api_url))?;
        self.validate_forges()?;
        self.archive.validate()?;
        crate::proxy::ProxySettings::from_vars(&|_| None, self.check.proxy.as_deref())?;
        for rule in &self.check.exclude {
            regex::Regex::new(rule).map_err(|e| format!("[check] exclude `{rule}`: {e}"))?;
        }
        for rule in &self.check.remap {
            parse_remap_rule(rule).map_err(|e| format!("[check] remap `{rule}`: {e}"))?;
        }
        Ok(())
    }

    fn validate_forges(&self) -> Result<(), String> {
        let f = &self.forges;
        if f.max_concurrency == 0 {
            return Err("[forges] max_concurrency must be at least 1".into());
        }
        for (key, v) in [
            ("[forges] huggingface_api", &f.huggingface_api),
            ("[forges] gitlab_api", &f.gitlab_api),
            ("[forges] codeberg_api", &f.codeberg_api),
            ("[forges] gitee_api", &f.gitee_api),
            ("[github] graphql_url", &self.github.graphql_url),
        ] {
            if !v.is_empty() {
                url::Url::parse(v).map_err(|e| format!("{key} `{v}`: {e}"))?;
            }
        }
        Ok(())
    }
}

/// A reuse age in the config (`"1d"`, `"6h"`, `"30d"`; `"0"` turns reuse
/// off), parsed by humantime when the file is read, so no stage re-parses
/// a string and a bad value is an error naming its line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Age(pub Duration);

impl Age {
    /// `n` days.
    pub const fn days(n: u64) -> Age {
        Age(Duration::from_secs(n * 86_400))
    }
}

impl std::str::FromStr for Age {
    type Err = String;
    fn from_str(s: &str) -> Result<Age, String> {
        parse_age(s).map(Age)
    }
}

impl<'de> Deserialize<'de> for Age {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Age, D::Error> {
        let s = <std::borrow::Cow<str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Parses a humantime duration such as "1d" or "6h"; "0" disables reuse.
pub fn parse_age(s: &str) -> Result<Duration, String> {
    if s.trim() == "0" {
        return Ok(Duration::ZERO);
    }
    humantime::parse_duration(s.trim()).map_err(|e| format!("`{s}`: {e}"))
}

/// Splits a "REGEX REPLACEMENT" remap rule and compiles its regex.
pub fn parse_remap_rule(rule: &str) -> Result<(regex::Regex, String), String> {
    let rule = rule.trim();
    let (pattern, replacement) = rule
        .split_once(char::is_whitespace)
        .ok_or_else(|| "expected \"REGEX REPLACEMENT\"".to_string())?;
    let regex = regex::Regex::new(pattern).map_err(|e| e.to_string())?;
    Ok((regex, replacement.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_resolve_against_the_config_files_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ci.toml");
        std::fs::write(
            &path,
            "inputs = [\"lists/a.md\", \"-\", \"https://x.test/l.md\", \"/abs/b.md\"]\noutput_dir = \"out\"\n",
        )
        .unwrap();
        let c = Config::load(&path).unwrap();
        let a = dir.path().join("lists/a.md").display().to_string();
        assert_eq!(
            c.inputs,
            [a.as_str(), "-", "https://x.test/l.md", "/abs/b.md"]
        );
        assert_eq!(c.output_dir, dir.path().join("out"));
    }

    #[test]
    fn defaults_are_valid() {
        Config::default().validate().unwrap();
    }

    #[test]
    fn unknown_key_is_named() {
        let err = Config::parse("[check]\nmax_concurency = 3\n", Path::new("c.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("max_concurency"), "{msg}");
        assert!(msg.contains("c.toml"), "{msg}");
    }

    #[test]
    fn ages_are_parsed_when_the_file_is_read() {
        let c = Config::parse(
            "[check]\ncache_max_age = \"6h\"\n[archive]\nno_copy_max_age = \"0\"\n",
            Path::new("c.toml"),
        )
        .unwrap();
        assert_eq!(c.check.cache_max_age, Age(Duration::from_secs(6 * 3600)));
        assert_eq!(c.archive.no_copy_max_age, Age(Duration::ZERO));
        assert_eq!(c.archive.cache_max_age, Age::days(30));
        let err = Config::parse(
            "[github]\ncache_max_age = \"3 fortnights\"\n",
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("cache_max_age") && err.contains("fortnights"),
            "{err}"
        );
    }

    #[test]
    fn unknown_fail_word_is_rejected() {
        let err = Config::parse("[ci]\nfail_on = [\"borken\"]\n", Path::new("c.toml")).unwrap_err();
        assert!(err.to_string().contains("borken"));
    }

    #[test]
    fn fail_words_mix_statuses_and_health() {
        let c = Config::parse(
            "[ci]\nfail_on = [\"broken\", \"archived\", \"timeout\"]\n",
            Path::new("c.toml"),
        )
        .unwrap();
        assert_eq!(
            c.ci.fail_on,
            vec![
                FailWord::Status(Status::Broken),
                FailWord::Health(Health::Archived),
                FailWord::Status(Status::Timeout)
            ]
        );
    }

    #[test]
    fn bad_regex_is_a_config_error() {
        let err = Config::parse("[check]\nexclude = [\"(\"]\n", Path::new("c.toml")).unwrap_err();
        assert!(err.to_string().contains("exclude"));
    }

    #[test]
    fn shipped_config_toml_states_the_defaults() {
        let shipped =
            Config::parse(include_str!("../config.toml"), Path::new("config.toml")).unwrap();
        let mut defaults = Config::default();
        // The file shows the version-free form of the User-Agent, and
        // names the repository's example as its input (built in: none).
        defaults.check.user_agent = shipped.check.user_agent.clone();
        defaults.inputs = vec!["examples/abstracts.txt".into()];
        assert_eq!(shipped, defaults);
    }

    #[test]
    fn method_is_get_or_head() {
        let c = Config::parse("[check]\nmethod = \"head\"\n", Path::new("c.toml")).unwrap();
        assert_eq!(c.check.method, RequestMethod::Head);
        assert_eq!(Config::default().check.method, RequestMethod::Get);
        let err = Config::parse("[check]\nmethod = \"post\"\n", Path::new("c.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("post") && msg.contains("head"), "{msg}");
    }

    #[test]
    fn report_formats_default_to_all_and_reject_unknown_words() {
        let all = Config::default().report;
        for f in ReportFormat::ALL {
            assert!(all.wants(f), "{f:?}");
        }
        let c = Config::parse(
            "[report]\nformats = [\"csv\", \"sarif\"]\n",
            Path::new("c.toml"),
        )
        .unwrap();
        assert_eq!(
            c.report.formats,
            vec![ReportFormat::Csv, ReportFormat::Sarif]
        );
        assert!(!c.report.wants(ReportFormat::Html) && !c.report.wants(ReportFormat::Junit));
        let none = Config::parse("[report]\nformats = []\n", Path::new("c.toml")).unwrap();
        assert!(ReportFormat::ALL.iter().all(|&f| !none.report.wants(f)));
        let err = Config::parse("[report]\nformats = [\"pdf\"]\n", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("pdf") && err.contains("junit") && err.contains("c.toml"),
            "{err}"
        );
    }

    #[test]
    fn graphql_endpoint_is_derived_or_explicit() {
        let g = |api: &str, explicit: &str| {
            GithubConfig {
                api_url: api.into(),
                graphql_url: explicit.into(),
                ..GithubConfig::default()
            }
            .graphql_endpoint()
        };
        assert_eq!(
            g("https://api.github.com", ""),
            "https://api.github.com/graphql"
        );
        assert_eq!(
            g("https://api.github.com/", ""),
            "https://api.github.com/graphql"
        );
        assert_eq!(
            g("https://github.example.edu/api/v3", ""),
            "https://github.example.edu/api/graphql"
        );
        assert_eq!(
            g("https://github.example.edu/api/v3/", ""),
            "https://github.example.edu/api/graphql"
        );
        assert_eq!(g("https://x/api/v3", "https://y/gql"), "https://y/gql");
    }

    #[test]
    fn remap_rule_splits() {
        let (re, rep) = parse_remap_rule("^https://a\\.org/(.*) http://127.0.0.1:9/$1").unwrap();
        assert_eq!(
            re.replace("https://a.org/x", rep.as_str()),
            "http://127.0.0.1:9/x"
        );
    }
}
