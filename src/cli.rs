//! Command-line arguments (clap derive) and their merge over the config file.
//!
//! Owns flag names; they are contracts for CI jobs. Never does I/O except
//! reading the config file named by `--config`.

use crate::config::Config;
use crate::error::Error;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(
    name = "paperlinks",
    version,
    about = "Find, check and audit the code links in research-paper abstracts"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Extract every link, check it, audit GitHub repositories, write reports.
    Check(CheckArgs),
    /// Extract links only (no network) and print them as CSV on stdout.
    Extract(ExtractArgs),
    /// Merge the output directories of `check --shard K/N` (every K of 1..N
    /// once) into the reports a single run writes, with its exit code.
    Merge(MergeArgs),
    /// Rewrite renamed repositories and permanent redirects in the inputs
    /// themselves, from the last run's reports (no network).
    Fix(FixArgs),
}

/// Options shared by every command.
#[derive(Debug, Clone, clap::Args)]
pub struct CommonArgs {
    /// Files, directories, glob patterns, `-` for stdin, or http(s) URLs.
    /// Defaults to `inputs` from the config.
    pub inputs: Vec<String>,
    /// The configuration file.
    #[arg(long, short = 'c', default_value = "config.toml")]
    pub config: PathBuf,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ExtractArgs {
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub run: RunFlags,
    /// Requests in flight at once (overrides `[check] max_concurrency`).
    #[arg(long)]
    pub max_concurrency: Option<usize>,
    /// Requests in flight at once to one host (overrides `[check] max_per_host`).
    #[arg(long)]
    pub max_per_host: Option<usize>,
    /// Ignore the previous reports: check everything again.
    #[arg(long)]
    pub no_cache: bool,
    /// Check only shard K of N (1-based): the links whose host and the
    /// repositories whose name hash to K; writes shard.json and
    /// shard-results.json for `merge` next to the reports.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<crate::shard::Shard>,
    /// Check only the links on lines added or modified since this git
    /// revision (overrides `[ci] changed_since`).
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,
}

/// The flags `check` and `merge` share: where reports go, the config keys
/// a run's results depend on (a merge takes the ones its shards ran with),
/// the fail policy and the terminal output.
#[derive(Debug, Clone, clap::Args)]
pub struct RunFlags {
    /// Where reports are written (overrides `output_dir`); for `merge`, the
    /// previous merged reports there are the run's history.
    #[arg(long, short = 'o')]
    pub output_dir: Option<PathBuf>,
    /// Seconds allowed for one request (overrides `[check] timeout_secs`).
    #[arg(long)]
    pub timeout: Option<u64>,
    /// Retries per link (overrides `[check] retries`).
    #[arg(long)]
    pub retries: Option<u32>,
    /// Do not ask the GitHub API (overrides `[github] enabled`).
    #[arg(long)]
    pub no_github: bool,
    /// GitHub API base URL (overrides `[github] api_url`).
    #[arg(long)]
    pub github_api_url: Option<String>,
    /// Do not look up archived copies of dead links (overrides `[archive] enabled`).
    #[arg(long)]
    pub no_archive: bool,
    /// Allow requests to private and loopback addresses (overrides `[check] allow_private`).
    #[arg(long)]
    pub allow_private: bool,
    /// Do not look for code on the papers' project pages (overrides `[follow] enabled`).
    #[arg(long)]
    pub no_follow: bool,
    /// Only failures that were not failing in the previous report fail the run.
    #[arg(long)]
    pub fail_on_new: bool,
    /// Comma-separated statuses and health words that fail the run (overrides `[ci] fail_on`).
    #[arg(long, value_delimiter = ',')]
    pub fail_on: Option<Vec<String>>,
    /// What to print on the terminal when done.
    #[arg(long, value_enum, default_value_t = OutputFormat::Summary)]
    pub format: OutputFormat,
    /// Colour the end-of-run text: `auto` colours only on a terminal and
    /// when `NO_COLOR` is unset.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

impl Default for RunFlags {
    fn default() -> Self {
        RunFlags {
            output_dir: None,
            timeout: None,
            retries: None,
            no_github: false,
            github_api_url: None,
            no_archive: false,
            allow_private: false,
            no_follow: false,
            fail_on_new: false,
            fail_on: None,
            format: OutputFormat::Summary,
            color: ColorWhen::Auto,
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct MergeArgs {
    /// The shards' output directories (each of 1..N exactly once).
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// The configuration file (the one the shards ran with).
    #[arg(long, short = 'c', default_value = "config.toml")]
    pub config: PathBuf,
    /// Inputs (overrides `inputs`): the ones the shards read, in the same order.
    #[arg(long = "input", short = 'i', value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// The flags the shards ran with, and the merge's own output.
    #[command(flatten)]
    pub run: RunFlags,
}

impl MergeArgs {
    /// The same flags as `check` takes them (so the config is built by the
    /// one `CheckArgs::apply`).
    pub fn as_check(&self) -> CheckArgs {
        CheckArgs {
            common: CommonArgs {
                inputs: self.inputs.clone(),
                config: self.config.clone(),
            },
            run: self.run.clone(),
            ..CheckArgs::default()
        }
    }
}

/// `paperlinks fix` (issue 25): one self-contained block.
#[derive(Debug, Clone, clap::Args)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["dry_run", "write"])))]
pub struct FixArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Print a unified diff of the changes; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Replace the changed inputs (atomically) and print what changed.
    #[arg(long)]
    pub write: bool,
    /// Also rewrite dead code links (broken, role code) to their archived copy.
    #[arg(long)]
    pub archived: bool,
}

impl FixArgs {
    /// Runs `fix` with the config file: notes on stderr, the diff or the
    /// list of changes on stdout.
    pub fn run(&self) -> Result<(), Error> {
        let config = load_config(&self.common.config)?;
        let options = crate::fix::FixOptions {
            inputs: self.common.inputs.clone(),
            write: self.write,
            archived: self.archived,
        };
        let mut out = std::io::stdout().lock();
        let done = crate::fix::run(&config, &options, &mut out)?;
        for note in &done.notes {
            eprintln!("paperlinks: {note}");
        }
        let verb = if self.write {
            "rewrote"
        } else {
            "would rewrite"
        };
        eprintln!(
            "paperlinks fix: {verb} {} links in {} inputs",
            done.rewritten, done.files
        );
        Ok(())
    }
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    /// Whether to colour, given whether stdout is a terminal and the value
    /// of `NO_COLOR` (any non-empty value turns `auto` colour off).
    pub fn resolve(self, stdout_is_terminal: bool, no_color: Option<&str>) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => stdout_is_terminal && no_color.is_none_or(str::is_empty),
        }
    }
}

/// Terminal output of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// One paragraph of totals on stdout.
    Summary,
    /// One JSON document on stdout, nothing else on stdout.
    Json,
    /// One SARIF 2.1.0 log on stdout (what links.sarif holds), nothing else on stdout.
    Sarif,
    /// Nothing on stdout.
    None,
}

impl From<OutputFormat> for crate::pipeline::OutputFormat {
    fn from(f: OutputFormat) -> Self {
        match f {
            OutputFormat::Summary => Self::Summary,
            OutputFormat::Json => Self::Json,
            OutputFormat::Sarif => Self::Sarif,
            OutputFormat::None => Self::None,
        }
    }
}

impl Default for CheckArgs {
    fn default() -> Self {
        CheckArgs {
            common: CommonArgs {
                inputs: Vec::new(),
                config: PathBuf::from("config.toml"),
            },
            run: RunFlags::default(),
            max_concurrency: None,
            max_per_host: None,
            no_cache: false,
            shard: None,
            changed_since: None,
        }
    }
}

/// Loads the config file. A missing file is an error unless it is the
/// default `config.toml`, in which case the built-in defaults are used.
pub fn load_config(path: &Path) -> Result<Config, Error> {
    if path == Path::new("config.toml") && !path.exists() {
        return Ok(Config::default());
    }
    Config::load(path)
}

impl CheckArgs {
    /// The config file with these flags applied on top, validated again.
    pub fn apply(&self, mut config: Config) -> Result<Config, Error> {
        let run = &self.run;
        if !self.common.inputs.is_empty() {
            config.inputs = self.common.inputs.clone();
        }
        if let Some(dir) = &run.output_dir {
            config.output_dir = dir.clone();
        }
        if let Some(n) = self.max_concurrency {
            config.check.max_concurrency = n;
        }
        if let Some(n) = self.max_per_host {
            config.check.max_per_host = n;
        }
        if let Some(t) = run.timeout {
            config.check.timeout_secs = t;
        }
        if let Some(r) = run.retries {
            config.check.retries = r;
        }
        if run.no_github {
            config.github.enabled = false;
        }
        if let Some(url) = &run.github_api_url {
            config.github.api_url = url.clone();
        }
        if run.no_archive {
            config.archive.enabled = false;
        }
        if run.allow_private {
            config.check.allow_private = true;
        }
        if run.no_follow {
            config.follow.enabled = false;
        }
        if let Some(words) = &run.fail_on {
            config.ci.fail_on = words.clone();
        }
        if let Some(rev) = &self.changed_since {
            config.ci.changed_since = Some(rev.clone());
        }
        config.validate().map_err(|message| Error::Config {
            path: PathBuf::from("command line"),
            message,
        })?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every config-changing flag of `check` is also taken by `merge` (a
    /// merge must build the config its shards ran with, or it refuses them
    /// as "another config"), and lands on the same key.
    #[test]
    fn merge_takes_the_config_flags_of_check() {
        let flags = [
            "--no-follow",
            "--no-github",
            "--no-archive",
            "--allow-private",
            "--timeout",
            "7",
            "--retries",
            "1",
            "--github-api-url",
            "http://127.0.0.1:9/api",
            "--fail-on",
            "broken,missing",
            "--output-dir",
            "merged",
        ];
        let config_of = |argv: Vec<&str>| match Cli::parse_from(argv).command {
            Some(Command::Check(a)) => a.apply(Config::default()).unwrap(),
            Some(Command::Merge(a)) => a.as_check().apply(Config::default()).unwrap(),
            other => panic!("{other:?}"),
        };
        let check = config_of([&["paperlinks", "check"][..], &flags].concat());
        let merge = config_of([&["paperlinks", "merge", "shard1"][..], &flags].concat());
        assert_eq!(format!("{check:?}"), format!("{merge:?}"));
        assert!(!merge.follow.enabled && !merge.github.enabled && !merge.archive.enabled);
        assert_eq!(merge.check.timeout_secs, 7);
        assert_eq!(merge.output_dir, PathBuf::from("merged"));
    }
}
