//! Shards: one run split over N processes (a CI matrix), then merged.
//!
//! Owns which shard a unique URL or a repository belongs to (a stable,
//! documented hash), the two files a shard leaves next to its reports
//! (`shard.json`, the manifest; `shard-results.json`, its raw results at
//! full fidelity), and the rules `merge` applies before it trusts a set of
//! shards (all of 1..N exactly once, one N, the same inputs, config and
//! version). Pure data and decisions: never reads or writes a file (the
//! pipeline does), never checks a link.
//!
//! The hash: the first 8 bytes (big-endian) of SHA-256 of the key, modulo
//! N, plus 1. The key of a link is the host it is requested from (after
//! `[check] remap`), ASCII-lowercased, without a trailing dot (so every
//! request to one host stays in one shard and per-host limits still hold);
//! a URL without a host (`invalid`) uses the empty string. The key of a repository is its `RepoKey`
//! (`owner/name`, or host and path on other forges, case-folded); a
//! repository-root link audited through a forge's API belongs to its
//! repository's shard, since its status is the API's answer.

use crate::archive::{Lookup, Save};
use crate::model::{Forge, LinkResult, RepoOutcome};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// The manifest a shard writes next to its reports.
pub const MANIFEST: &str = "shard.json";
/// A shard's raw results (what `merge` unions).
pub const RESULTS: &str = "shard-results.json";
/// The format of both files; `merge` refuses another one.
pub const FORMAT: u32 = 1;

/// `--shard K/N`: shard K (1-based) of N.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub k: u32,
    pub n: u32,
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}`: expected K/N with 1 <= K <= N, e.g. 2/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (k, n): (u32, u32) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

impl Shard {
    /// Whether this shard owns `key` (see the module header).
    pub fn owns(&self, key: &str) -> bool {
        bucket(key, self.n) == self.k
    }
}

/// The shard (1..=n) a key belongs to.
pub fn bucket(key: &str, n: u32) -> u32 {
    let digest = Sha256::digest(key.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) % u64::from(n.max(1))) as u32 + 1
}

/// A URL's own host, normalised (`crate::http::normalize_host`); `""`
/// when it has none. Shards own a link by the checker's key
/// (`Checker::host_key`: this, after `remap`).
pub fn host_key(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(crate::http::normalize_host))
        .unwrap_or_default()
}

/// Which unique URLs (by id) and repositories (by index) a shard checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    pub shard: Shard,
    pub urls: Vec<bool>,
    pub repos: Vec<bool>,
}

impl Scope {
    /// True for a unique URL this shard checked: one of its own, or one
    /// its project pages led to (ids past the extracted ones, issue 14).
    pub fn owns_url(&self, id: usize) -> bool {
        self.urls.get(id).copied().unwrap_or(true)
    }

    /// True for a repository this shard audited, by the same rule.
    pub fn owns_repo(&self, i: usize) -> bool {
        self.repos.get(i).copied().unwrap_or(true)
    }
}

/// One input as the shard read it: its name and the SHA-256 of the bytes
/// extraction read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputDigest {
    pub name: String,
    pub sha256: String,
}

/// `shard.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub shard: u32,
    pub shards: u32,
    /// paperlinks' version (`CARGO_PKG_VERSION`).
    pub version: String,
    /// SHA-256 of the effective config (see `config_digest`).
    pub config_sha256: String,
    pub inputs: Vec<InputDigest>,
    /// Unique URLs and repositories extracted (the same in every shard).
    pub unique_urls: usize,
    pub repositories: usize,
    /// What this shard checked itself.
    pub checked_urls: usize,
    pub audited_repositories: usize,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
}

/// One unique URL's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UrlResult {
    pub url: String,
    pub result: LinkResult,
}

/// One repository's outcome; `fetched_at` is set when it was reused
/// from the previous reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepoResult {
    pub key: String,
    pub outcome: RepoOutcome,
    pub fetched_at: Option<DateTime<Utc>>,
}

/// What the archive stage of a shard learnt, per target key.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ArchiveResults {
    pub lookups: Vec<(String, Lookup)>,
    pub saves: Vec<Save>,
    pub calls: usize,
    pub notes: Vec<String>,
}

/// `shard-results.json`: everything a shard learnt, at full fidelity.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Results {
    pub format: u32,
    pub links: Vec<UrlResult>,
    pub repos: Vec<RepoResult>,
    pub api_calls: usize,
    /// Of `api_calls`, those answered; absent in shards written before it
    /// was counted (then every call counts as answered).
    #[serde(default)]
    pub api_answered: Option<usize>,
    pub forge_calls: Vec<(Forge, usize)>,
    pub notes: Vec<String>,
    pub interrupted: bool,
    pub archive: ArchiveResults,
}

impl Results {
    /// GitHub API calls that got an answer.
    pub fn answered(&self) -> usize {
        self.api_answered.unwrap_or(self.api_calls)
    }
}

/// What `merge` expects every manifest to say.
pub struct Expected<'a> {
    pub version: &'a str,
    pub config_sha256: &'a str,
    pub inputs: &'a [InputDigest],
}

/// Checks a set of manifests (with the directory each came from) before a
/// merge: one format and version, one N, every K of 1..N exactly once,
/// the merge's own inputs and config. `Err((dir, message))` names the
/// first offending shard directory (or `""` when a shard is missing).
pub fn verify<'d>(
    manifests: &[(&'d str, Manifest)],
    expected: &Expected<'_>,
) -> Result<u32, (&'d str, String)> {
    let Some((first_dir, first)) = manifests.first() else {
        return Err(("", "no shard directories given".into()));
    };
    let n = first.shards;
    let mut seen: Vec<Option<&str>> = vec![None; n as usize];
    for (dir, m) in manifests {
        verify_one(m, n, first_dir, expected).map_err(|e| (*dir, e))?;
        let slot = &mut seen[(m.shard - 1) as usize];
        if let Some(other) = slot {
            return Err((
                *dir,
                format!("shard {}/{n} is given twice (also {other})", m.shard),
            ));
        }
        *slot = Some(dir);
    }
    let missing: Vec<String> = (1..=n)
        .filter(|k| seen[(*k - 1) as usize].is_none())
        .map(|k| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err((
            "",
            format!(
                "shard{} {} missing: a merge needs every shard of 1..{n} exactly once",
                if missing.len() > 1 { "s" } else { "" },
                missing.join(", ")
            ),
        ));
    }
    Ok(n)
}

/// One manifest against the first one's N and against `expected`.
fn verify_one(
    m: &Manifest,
    n: u32,
    first_dir: &str,
    expected: &Expected<'_>,
) -> Result<(), String> {
    if m.format != FORMAT {
        return Err(format!(
            "{MANIFEST} has format {}, this paperlinks reads format {FORMAT}",
            m.format
        ));
    }
    if m.version != expected.version {
        return Err(format!(
            "written by paperlinks {}, this is {}: shards and merge must run the same version",
            m.version, expected.version
        ));
    }
    if m.shards != n {
        return Err(format!(
            "is shard {}/{} but {first_dir} is one of {n}: every shard must use the same N",
            m.shard, m.shards
        ));
    }
    if m.shard == 0 || m.shard > n {
        return Err(format!(
            "names shard {}/{}, outside 1..{n}",
            m.shard, m.shards
        ));
    }
    if m.config_sha256 != expected.config_sha256 {
        return Err(
            "ran with another config than this merge (config hash differs; output_dir, \
             inputs, max_concurrency and max_per_host are not compared)"
                .into(),
        );
    }
    let theirs: Vec<&str> = m.inputs.iter().map(|i| i.sha256.as_str()).collect();
    let ours: Vec<&str> = expected.inputs.iter().map(|i| i.sha256.as_str()).collect();
    if theirs != ours {
        return Err(format!(
            "ran on other inputs than this merge ({} there: {}; {} here: {})",
            m.inputs.len(),
            names(&m.inputs),
            expected.inputs.len(),
            names(expected.inputs)
        ));
    }
    Ok(())
}

fn names(inputs: &[InputDigest]) -> String {
    let list: Vec<String> = inputs
        .iter()
        .map(|i| format!("{} {}", i.name, &i.sha256[..i.sha256.len().min(12)]))
        .collect();
    list.join(", ")
}

/// The config's digest as shards and merge compare it: SHA-256 of its
/// `Debug` text (shards and merge run the same version, so the same
/// text) with `output_dir`, `inputs` and the pace knobs a runner may tune
/// (`[check] max_concurrency`, `max_per_host`) blanked.
pub fn config_digest(config: &crate::config::Config) -> String {
    let mut c = config.clone();
    c.output_dir = Default::default();
    c.inputs = Vec::new();
    c.check.max_concurrency = 0;
    c.check.max_per_host = 0;
    format!("{:x}", Sha256::digest(format!("{c:?}").as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(k: u32, n: u32) -> Manifest {
        Manifest {
            format: FORMAT,
            shard: k,
            shards: n,
            version: "1".into(),
            config_sha256: "c".into(),
            inputs: vec![InputDigest {
                name: "a.md".into(),
                sha256: "abcdef".into(),
            }],
            unique_urls: 0,
            repositories: 0,
            checked_urls: 0,
            audited_repositories: 0,
            started_at: Utc::now(),
            finished_at: Utc::now(),
        }
    }

    fn expected(inputs: &[InputDigest]) -> Expected<'_> {
        Expected {
            version: "1",
            config_sha256: "c",
            inputs,
        }
    }

    #[test]
    fn shard_spec_parses_and_refuses() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { k: 2, n: 4 }));
        for bad in ["0/4", "5/4", "4", "a/b", "1/0", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_key_has_exactly_one_owner_and_the_hash_is_stable() {
        for n in [1, 2, 3, 7] {
            for host in ["github.com", "a.example", "", "x.y.z"] {
                let owners = (1..=n).filter(|&k| Shard { k, n }.owns(host)).count();
                assert_eq!(owners, 1);
            }
        }
        // Pinned: the documented hash, so shards of two builds agree.
        assert_eq!(bucket("github.com", 4), bucket("github.com", 4));
        let d = Sha256::digest(b"github.com");
        let v = u64::from_be_bytes(d[..8].try_into().unwrap());
        assert_eq!(bucket("github.com", 7), (v % 7) as u32 + 1);
        assert_eq!(host_key("HTTPS://Example.ORG./x"), "example.org");
        assert_eq!(host_key("not a url"), "");
    }

    #[test]
    fn verify_accepts_a_full_set_and_names_what_is_wrong() {
        let inputs = manifest(1, 1).inputs;
        let e = expected(&inputs);
        let full = [
            ("d1", manifest(1, 3)),
            ("d3", manifest(3, 3)),
            ("d2", manifest(2, 3)),
        ];
        assert_eq!(verify(&full, &e), Ok(3));

        let missing = [("d1", manifest(1, 3)), ("d3", manifest(3, 3))];
        let (dir, msg) = verify(&missing, &e).unwrap_err();
        assert_eq!(dir, "");
        assert!(msg.contains("2/3 missing"), "{msg}");

        let twice = [
            ("d1", manifest(1, 2)),
            ("d2", manifest(2, 2)),
            ("x", manifest(2, 2)),
        ];
        let (dir, msg) = verify(&twice, &e).unwrap_err();
        assert_eq!(dir, "x");
        assert!(msg.contains("given twice (also d2)"), "{msg}");

        let mut other_n = manifest(2, 3);
        other_n.shards = 4;
        let (dir, msg) = verify(&[("d1", manifest(1, 3)), ("d2", other_n)], &e).unwrap_err();
        assert_eq!((dir, msg.contains("same N")), ("d2", true));

        let mut other_config = manifest(2, 2);
        other_config.config_sha256 = "z".into();
        let (dir, msg) = verify(&[("d1", manifest(1, 2)), ("d2", other_config)], &e).unwrap_err();
        assert_eq!((dir, msg.contains("another config")), ("d2", true));

        let mut other_input = manifest(1, 2);
        other_input.inputs[0].sha256 = "999999".into();
        let (dir, msg) = verify(&[("d1", other_input), ("d2", manifest(2, 2))], &e).unwrap_err();
        assert_eq!((dir, msg.contains("other inputs")), ("d1", true));

        let mut other_version = manifest(1, 1);
        other_version.version = "0.0.9".into();
        let (_, msg) = verify(&[("d1", other_version)], &e).unwrap_err();
        assert!(msg.contains("same version"), "{msg}");
    }
}
