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
    /// Where reports are written (overrides `output_dir`).
    #[arg(long, short = 'o')]
    pub output_dir: Option<PathBuf>,
    /// Requests in flight at once (overrides `[check] max_concurrency`).
    #[arg(long)]
    pub max_concurrency: Option<usize>,
    /// Requests in flight at once to one host (overrides `[check] max_per_host`).
    #[arg(long)]
    pub max_per_host: Option<usize>,
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
    /// Ignore the previous reports: check everything again.
    #[arg(long)]
    pub no_cache: bool,
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
    /// Check only shard K of N (1-based): the links whose host and the
    /// repositories whose name hash to K; writes shard.json and
    /// shard-results.json for `merge` next to the reports.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<crate::shard::Shard>,
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
    /// Where the merged reports are written (overrides `output_dir`); the
    /// previous merged reports there are the run's history.
    #[arg(long, short = 'o')]
    pub output_dir: Option<PathBuf>,
    /// As `check --no-github`, when the shards ran with it.
    #[arg(long)]
    pub no_github: bool,
    /// As `check --github-api-url`, when the shards ran with it.
    #[arg(long)]
    pub github_api_url: Option<String>,
    /// As `check --no-archive`, when the shards ran with it.
    #[arg(long)]
    pub no_archive: bool,
    /// As `check --allow-private`, when the shards ran with it.
    #[arg(long)]
    pub allow_private: bool,
    /// As `check --timeout`, when the shards ran with it.
    #[arg(long)]
    pub timeout: Option<u64>,
    /// As `check --retries`, when the shards ran with it.
    #[arg(long)]
    pub retries: Option<u32>,
    /// Only failures that were not failing in the previous merged report fail the run.
    #[arg(long)]
    pub fail_on_new: bool,
    /// Comma-separated statuses and health words that fail the run (overrides `[ci] fail_on`).
    #[arg(long, value_delimiter = ',')]
    pub fail_on: Option<Vec<String>>,
    /// What to print on the terminal when done.
    #[arg(long, value_enum, default_value_t = OutputFormat::Summary)]
    pub format: OutputFormat,
    /// Colour the end-of-run text.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
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
            output_dir: self.output_dir.clone(),
            timeout: self.timeout,
            retries: self.retries,
            no_github: self.no_github,
            github_api_url: self.github_api_url.clone(),
            no_archive: self.no_archive,
            allow_private: self.allow_private,
            fail_on_new: self.fail_on_new,
            fail_on: self.fail_on.clone(),
            format: self.format,
            color: self.color,
            ..CheckArgs::default()
        }
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
            output_dir: None,
            max_concurrency: None,
            max_per_host: None,
            timeout: None,
            retries: None,
            no_github: false,
            github_api_url: None,
            no_archive: false,
            allow_private: false,
            no_follow: false,
            no_cache: false,
            fail_on_new: false,
            fail_on: None,
            format: OutputFormat::Summary,
            color: ColorWhen::Auto,
            shard: None,
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
        if !self.common.inputs.is_empty() {
            config.inputs = self.common.inputs.clone();
        }
        if let Some(dir) = &self.output_dir {
            config.output_dir = dir.clone();
        }
        if let Some(n) = self.max_concurrency {
            config.check.max_concurrency = n;
        }
        if let Some(n) = self.max_per_host {
            config.check.max_per_host = n;
        }
        if let Some(t) = self.timeout {
            config.check.timeout_secs = t;
        }
        if let Some(r) = self.retries {
            config.check.retries = r;
        }
        if self.no_github {
            config.github.enabled = false;
        }
        if let Some(url) = &self.github_api_url {
            config.github.api_url = url.clone();
        }
        if self.no_archive {
            config.archive.enabled = false;
        }
        if self.allow_private {
            config.check.allow_private = true;
        }
        if self.no_follow {
            config.follow.enabled = false;
        }
        if let Some(words) = &self.fail_on {
            config.ci.fail_on = words.clone();
        }
        config.validate().map_err(|message| Error::Config {
            path: PathBuf::from("command line"),
            message,
        })?;
        Ok(config)
    }
}
