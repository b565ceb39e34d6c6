//! Local servers used by the integration tests. Everything listens on
//! 127.0.0.1 only.
#![allow(dead_code)]

pub mod archive;
pub mod closing;
pub mod cmd;
pub mod fake_forges;
pub mod fake_github;
pub mod proxy;
pub mod web;

/// The default configuration of the suite's in-process runs: every stage
/// that would call a service on the Internet is off (GitHub, the forges,
/// the archives) until a test points its base URL at a stand-in and turns
/// it on (issue 21 item 9).
pub fn config() -> paperlinks::Config {
    let mut config = paperlinks::Config::default();
    config.github.enabled = false;
    config.forges.enabled = false;
    config.archive.enabled = false;
    config
}

/// Options for a run inside the test process, with the leak guard of
/// issue 21 item 9: every client of the run resolves names through
/// `hermetic_lookup`, which answers `localhost` and ends the test process
/// (exit 86, naming the name) on any other name. Every in-process run of
/// the suite goes through here, so a new test cannot reach the Internet.
pub fn options(config: paperlinks::Config) -> paperlinks::RunOptions {
    let mut options = paperlinks::RunOptions::new(config);
    options.dns_lookup = Some(paperlinks::pipeline::DnsLookup(
        paperlinks::check::guard::hermetic_lookup(),
    ));
    options
}
