//! Command-line arguments (clap derive) and their merge over the config
//! file. Part of the binary, not the library.
//!
//! Owns flag names; they are contracts for CI jobs. Never does I/O except
//! reading the config file named by `--config`.

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use paperlinks::config::Config;
use paperlinks::error::Error;
use std::path::{Path, PathBuf};

/// The default config file, read when present.
pub const DEFAULT_CONFIG: &str = "config.toml";

const EXAMPLES: &str = "\
Examples:
  paperlinks papers.md                   check one list (the same as `paperlinks check papers.md`)
  paperlinks check lists/ 'more/*.md'    a directory and a glob; `-` reads stdin
  paperlinks check -c ci.toml -o out     inputs and settings from ci.toml, reports into out/
  paperlinks check --fail-on none        report, but never exit 2
  paperlinks init                        write a commented config.toml here";

const EXIT_AND_ENV: &str = "\
Exit codes:
  0    nothing failed under the fail policy
  2    failures under the fail policy (`--fail-on`, `[ci] fail_on`)
  3    usage, configuration or input error (nothing was checked)
  4    the network looks unreachable (nothing answered), or no input could be read
  130  interrupted (reports hold what was known)
  1    anything else (e.g. the output directory or a report cannot be written)

Environment:
  GITHUB_TOKEN, GH_TOKEN    token for the GitHub API (more calls an hour)
  HF_TOKEN                  token for the Hugging Face API (sent there only)
  SWH_TOKEN                 token for the Software Heritage API (sent there only)
  NO_COLOR                  no colour in the end-of-run text (`--color auto`)
  CI                        no progress bar; a progress line every 15 s instead
  PAPERLINKS_PROGRESS_SECS  seconds between those progress lines (default 15)
  GITHUB_ACTIONS, GITHUB_STEP_SUMMARY
                            annotations and the job summary inside GitHub Actions
  HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY
                            proxies (`[check] proxy` overrides them)
  RUST_LOG                  log filter, e.g. `paperlinks=debug` (overrides -v/-q)";

#[derive(Debug, Parser)]
#[command(
    name = "paperlinks",
    version,
    about = "Find, check and audit the code links in research-paper lists",
    long_about = "Find, check and audit the code links in research-paper lists.\n\n\
        `paperlinks FILE...` checks FILE... (the `check` command); without \
        files it reads `inputs` from the config.",
    args_conflicts_with_subcommands = true,
    after_help = "Examples, exit codes and environment variables: `paperlinks --help`.",
    after_long_help = format!("{EXAMPLES}\n\n{EXIT_AND_ENV}"),
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Without a command: the arguments of `check`.
    #[command(flatten)]
    pub check: CheckArgs,
    #[command(flatten)]
    pub log: LogFlags,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Extract every link, check it, audit its repository, write reports (the default command).
    #[command(after_long_help = format!("{EXAMPLES}\n\n{EXIT_AND_ENV}"))]
    Check(CheckArgs),
    /// Extract links only (no network) and print them as CSV on stdout.
    Extract(ExtractArgs),
    /// Merge the output directories of `check --shard K/N` (every K of 1..N
    /// once) into the reports a single run writes, with its exit code.
    Merge(MergeArgs),
    /// Rewrite renamed repositories and permanent redirects in the inputs
    /// themselves, from the last run's reports (no network).
    Fix(FixArgs),
    /// Write the commented default configuration to config.toml (or PATH).
    Init(InitArgs),
    /// Print a shell completion script on stdout.
    #[command(
        after_help = "Example: paperlinks completions bash > ~/.local/share/bash-completion/completions/paperlinks"
    )]
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on stdout.
    #[command(after_help = "Example: paperlinks man > ~/.local/share/man/man1/paperlinks.1")]
    Man,
}

impl Cli {
    /// Parses the process's arguments. `-v`/`-q` given before a command
    /// (`paperlinks -q extract a.md`) are moved after it: any other
    /// argument before a command makes the line a `check` of files
    /// (`args_conflicts_with_subcommands`).
    pub fn parse_args() -> Result<Cli, clap::Error> {
        Cli::try_parse_from(hoist_log_flags(std::env::args_os().collect()))
    }
}

/// Moves the `-v`/`-q` flags that come before a command name to just after it.
fn hoist_log_flags(mut args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let is_log_flag = |a: &std::ffi::OsString| {
        let a = a.to_string_lossy();
        a == "--verbose"
            || a == "--quiet"
            || (a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| c == 'v' || c == 'q'))
    };
    let Some(first) = args.iter().skip(1).position(|a| !is_log_flag(a)) else {
        return args;
    };
    let at = first + 1;
    let command = args[at].to_string_lossy().into_owned();
    let named = Cli::command()
        .get_subcommands()
        .any(|c| c.get_name() == command)
        || command == "help";
    if named && at > 1 {
        args[1..=at].rotate_right(1);
    }
    args
}

/// `-v` / `-q`, taken by every command.
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct LogFlags {
    /// More detail on stderr: info logs (`-vv`: debug logs).
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count, conflicts_with = "quiet", help_heading = "Messages")]
    pub verbose: u8,
    /// Only errors on stderr: no progress, no warnings.
    #[arg(long, short = 'q', global = true, help_heading = "Messages")]
    pub quiet: bool,
}

/// Options shared by every command.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CommonArgs {
    /// Files, directories, glob patterns, `-` for stdin, or http(s) URLs.
    /// Defaults to `inputs` from the config.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// The configuration file [default: config.toml, when present]. Relative
    /// paths in it are relative to its own directory.
    #[arg(long, short = 'c', value_name = "CONFIG", help_heading = "Inputs")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ExtractArgs {
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Clone, Default, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub run: RunFlags,
    /// Requests in flight at once (overrides `[check] max_concurrency`).
    #[arg(long, value_name = "N", help_heading = "Checking")]
    pub max_concurrency: Option<usize>,
    /// Requests in flight at once to one host (overrides `[check] max_per_host`).
    #[arg(long, value_name = "N", help_heading = "Checking")]
    pub max_per_host: Option<usize>,
    /// Ignore the previous reports: check everything again.
    #[arg(long, help_heading = "Checking")]
    pub no_cache: bool,
    /// Check only shard K of N (1-based): the links whose host and the
    /// repositories whose name hash to K; writes shard.json and
    /// shard-results.json next to the reports, for `paperlinks merge`.
    #[arg(long, value_name = "K/N", help_heading = "Checking")]
    pub shard: Option<paperlinks::shard::Shard>,
    /// Check only the links on lines added or modified since this git
    /// revision (overrides `[ci] changed_since`; see "Pull requests").
    #[arg(long, value_name = "REV", help_heading = "Checking")]
    pub changed_since: Option<String>,
}

/// The flags `check` and `merge` share: where reports go, the config keys
/// a run's results depend on (a merge takes the ones its shards ran with),
/// the fail policy and the terminal output.
#[derive(Debug, Clone, clap::Args)]
pub struct RunFlags {
    /// Where reports are written (overrides `output_dir`).
    #[arg(long, short = 'o', value_name = "DIR", help_heading = "Output")]
    pub output_dir: Option<PathBuf>,
    /// Seconds allowed for one request (overrides `[check] timeout_secs`).
    #[arg(long, value_name = "SECS", help_heading = "Checking")]
    pub timeout: Option<u64>,
    /// Retries per link (overrides `[check] retries`).
    #[arg(long, value_name = "N", help_heading = "Checking")]
    pub retries: Option<u32>,
    /// Do not ask the GitHub API (overrides `[github] enabled`).
    #[arg(long, help_heading = "Stages")]
    pub no_github: bool,
    /// GitHub API base URL (overrides `[github] api_url`).
    #[arg(long, value_name = "URL", help_heading = "Stages")]
    pub github_api_url: Option<String>,
    /// Do not look up archived copies of dead links (overrides `[archive] enabled`).
    #[arg(long, help_heading = "Stages")]
    pub no_archive: bool,
    /// Allow requests to private and loopback addresses (overrides `[check] allow_private`).
    #[arg(long, help_heading = "Checking")]
    pub allow_private: bool,
    /// Do not look for code on the papers' project pages (overrides `[follow] enabled`).
    #[arg(long, help_heading = "Stages")]
    pub no_follow: bool,
    /// Only failures that were not failing in the previous report fail the run.
    #[arg(long, help_heading = "Fail policy")]
    pub fail_on_new: bool,
    /// Comma-separated statuses and health words that fail the run
    /// (overrides `[ci] fail_on`); `none`: nothing does.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "WORDS",
        help_heading = "Fail policy"
    )]
    pub fail_on: Option<Vec<String>>,
    /// What to print on stdout when done.
    #[arg(long, value_enum, default_value_t = OutputFormat::Summary, help_heading = "Output")]
    pub format: OutputFormat,
    /// Colour the end-of-run text: `auto` colours only on a terminal and
    /// when `NO_COLOR` is unset.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, help_heading = "Output")]
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
    #[arg(long, short = 'c', value_name = "CONFIG", help_heading = "Inputs")]
    pub config: Option<PathBuf>,
    /// Inputs (overrides `inputs`): the ones the shards read, in the same order.
    #[arg(
        long = "input",
        short = 'i',
        value_name = "INPUT",
        help_heading = "Inputs"
    )]
    pub inputs: Vec<String>,
    /// The flags the shards ran with, and the merge's own output (the
    /// previous merged reports in `--output-dir` are the run's history).
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

/// `paperlinks init`.
#[derive(Debug, Clone, clap::Args)]
pub struct InitArgs {
    /// Where to write it.
    #[arg(default_value = DEFAULT_CONFIG, value_name = "PATH")]
    pub path: PathBuf,
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
}

impl FixArgs {
    /// Runs `fix` with the config file: notes on stderr, the diff or the
    /// list of changes on stdout.
    pub fn run(&self) -> Result<(), Error> {
        let config = load_config(self.common.config.as_deref())?;
        let options = paperlinks::fix::FixOptions {
            inputs: self.common.inputs.clone(),
            write: self.write,
            archived: self.archived,
        };
        let mut out = std::io::stdout().lock();
        let done = paperlinks::fix::run(&config, &options, &mut out)?;
        for note in &done.notes {
            eprintln!("paperlinks: {note}");
        }
        let verb = if self.write {
            "rewrote"
        } else {
            "would rewrite"
        };
        eprintln!(
            "paperlinks fix: {verb} {} in {}",
            plural(done.rewritten, "link", "links"),
            plural(done.files, "input", "inputs")
        );
        Ok(())
    }
}

/// `1 link`, `2 links`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
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
    /// The failing links and repositories, then the totals and the exit.
    Summary,
    /// One JSON document on stdout, nothing else on stdout.
    Json,
    /// One SARIF 2.1.0 log on stdout (what links.sarif holds), nothing else on stdout.
    Sarif,
    /// Nothing on stdout.
    None,
}

impl From<OutputFormat> for paperlinks::OutputFormat {
    fn from(f: OutputFormat) -> Self {
        match f {
            OutputFormat::Summary => Self::Summary,
            OutputFormat::Json => Self::Json,
            OutputFormat::Sarif => Self::Sarif,
            OutputFormat::None => Self::None,
        }
    }
}

/// Loads the config file: `path` when given (it must exist), else
/// `config.toml` when present, else the built-in defaults. Relative paths
/// in a file resolve against the file's directory (`Config::load`).
pub fn load_config(path: Option<&Path>) -> Result<Config, Error> {
    let Some(path) = path else {
        let default = Path::new(DEFAULT_CONFIG);
        return if default.exists() {
            Config::load(default)
        } else {
            Ok(Config::default())
        };
    };
    if !path.exists() {
        return Err(Error::Config {
            path: path.to_path_buf(),
            message: format!("no such file (looked in {})", looked_in(path).display()),
        });
    }
    Config::load(path)
}

/// The directory a relative or absolute `path` was looked for in.
pub fn looked_in(path: &Path) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    let full = cwd.join(path);
    full.parent().map_or(cwd, Path::to_path_buf)
}

/// The name the "no inputs" message gives the config.
pub fn config_name(path: Option<&Path>) -> String {
    match path {
        Some(p) => p.display().to_string(),
        None if Path::new(DEFAULT_CONFIG).exists() => DEFAULT_CONFIG.into(),
        None => format!("a config file ({DEFAULT_CONFIG} is read when present)"),
    }
}

impl CheckArgs {
    /// The config file with these flags applied on top, validated again.
    pub fn apply(&self, mut config: Config) -> Result<Config, Error> {
        let run = &self.run;
        if !self.common.inputs.is_empty() {
            config.inputs = self.common.inputs.clone();
        }
        if config.inputs.is_empty() {
            return Err(Error::Usage(format!(
                "no inputs: pass files or set `inputs` in {}",
                config_name(self.common.config.as_deref())
            )));
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
        run.apply_switches(&mut config)?;
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

impl RunFlags {
    /// The on/off flags, the API URL and the fail policy.
    fn apply_switches(&self, config: &mut Config) -> Result<(), Error> {
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
            // `none` alone: nothing fails the run.
            let none = words.len() == 1 && words[0].trim().eq_ignore_ascii_case("none");
            config.ci.fail_on = if none {
                Vec::new()
            } else {
                let word = |w: &String| {
                    w.trim().parse().map_err(|e| Error::Config {
                        path: PathBuf::from("command line"),
                        message: format!("--fail-on: {e}"),
                    })
                };
                words.iter().map(word).collect::<Result<_, _>>()?
            };
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

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
        let with_inputs = || Config {
            inputs: vec!["list.md".into()],
            ..Config::default()
        };
        let config_of = |argv: Vec<&str>| match Cli::parse_from(argv).command {
            Some(Command::Check(a)) => a.apply(with_inputs()).unwrap(),
            Some(Command::Merge(a)) => a.as_check().apply(with_inputs()).unwrap(),
            other => panic!("{other:?}"),
        };
        let check = config_of([&["paperlinks", "check"][..], &flags].concat());
        let merge = config_of([&["paperlinks", "merge", "shard1"][..], &flags].concat());
        assert_eq!(format!("{check:?}"), format!("{merge:?}"));
        assert!(!merge.follow.enabled && !merge.github.enabled && !merge.archive.enabled);
        assert_eq!(merge.check.timeout_secs, 7);
        assert_eq!(merge.output_dir, PathBuf::from("merged"));
    }

    #[test]
    fn files_without_a_command_are_check_and_commands_still_parse() {
        let cli = Cli::parse_from(["paperlinks", "-o", "out", "a.md", "b.md"]);
        assert!(cli.command.is_none());
        assert_eq!(cli.check.common.inputs, ["a.md", "b.md"]);
        assert_eq!(cli.check.run.output_dir, Some(PathBuf::from("out")));
        let argv = |a: &[&str]| {
            a.iter()
                .map(Into::into)
                .collect::<Vec<std::ffi::OsString>>()
        };
        let hoisted = hoist_log_flags(argv(&["paperlinks", "-q", "-vv", "extract", "a.md"]));
        assert_eq!(
            hoisted,
            argv(&["paperlinks", "extract", "-q", "-vv", "a.md"])
        );
        let cli = Cli::parse_from(hoist_log_flags(argv(&[
            "paperlinks",
            "-q",
            "extract",
            "a.md",
        ])));
        assert!(matches!(cli.command, Some(Command::Extract(_))) && cli.log.quiet);
        // Files stay files, flags and all.
        let kept = argv(&["paperlinks", "-q", "a.md", "extract"]);
        assert_eq!(hoist_log_flags(kept.clone()), kept);
        let cli = Cli::parse_from(["paperlinks", "check", "-vv", "a.md"]);
        assert_eq!(cli.log.verbose, 2);
    }

    #[test]
    fn fail_on_none_empties_the_policy() {
        let cli = Cli::parse_from(["paperlinks", "--fail-on", "none", "a.md"]);
        let config = cli.check.apply(Config::default()).unwrap();
        assert!(config.ci.fail_on.is_empty());
    }
}
