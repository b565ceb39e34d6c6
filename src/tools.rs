//! The commands about the tool itself: `init` (the commented default
//! config, the same text as the repository's `config.toml`, built in),
//! `completions SHELL` (clap_complete) and `man` (clap_mangen), each
//! printing on stdout or writing one file.

use crate::cli::{Cli, InitArgs};
use clap::CommandFactory;
use std::io::Write;

/// The repository's `config.toml`, every key commented.
pub const DEFAULT_CONFIG_TEXT: &str = include_str!("../config.toml");

/// Writes the default config to `args.path`; refuses to replace an
/// existing file without `--force` (exit 3, naming it).
pub fn init(args: &InitArgs) -> anyhow::Result<()> {
    let path = &args.path;
    let mut open = std::fs::OpenOptions::new();
    open.write(true);
    if args.force {
        open.create(true).truncate(true);
    } else {
        open.create_new(true);
    }
    let mut file = match open.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(paperlinks::Error::Usage(format!(
                "{} already exists; `paperlinks init --force` replaces it",
                path.display()
            ))
            .into());
        }
        Err(source) => {
            return Err(paperlinks::Error::Report {
                path: path.clone(),
                source,
            }
            .into());
        }
    };
    file.write_all(DEFAULT_CONFIG_TEXT.as_bytes())
        .map_err(|source| paperlinks::Error::Report {
            path: path.clone(),
            source,
        })?;
    eprintln!(
        "paperlinks: wrote {}; edit `inputs`, then run `paperlinks check`",
        path.display()
    );
    Ok(())
}

/// The completion script for `shell` on stdout.
pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut Cli::command(), "paperlinks", &mut out);
    out.flush()?;
    Ok(())
}

/// The man page (roff) on stdout.
pub fn man() -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    out.flush()?;
    Ok(())
}
