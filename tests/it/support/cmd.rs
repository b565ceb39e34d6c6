//! The `paperlinks` binary as the CLI tests run it: hermetic (no GitHub
//! token, no Actions variables, no proxy of the machine, no DNS lookup
//! beyond `localhost`) and in CI mode.

use assert_cmd::Command;

/// A `paperlinks` command with the environment the tests rely on.
pub fn paperlinks() -> Command {
    Command::from_std(std_paperlinks())
}

/// The same command as a `std::process::Command`, for tests that spawn
/// the binary and signal or race it.
pub fn std_paperlinks() -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("paperlinks"));
    for var in [
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "GITHUB_ACTIONS",
        "GITHUB_STEP_SUMMARY",
        // Links to the test servers must not go to a proxy of the machine.
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("CI", "true");
    // The leak guard (issue 21 item 9): any DNS lookup of a name outside
    // loopback ends the run with exit 86 and names it, so a test whose
    // config forgot to point a base URL at a stand-in fails instead of
    // sending a real request.
    cmd.env(paperlinks::check::guard::HERMETIC_ENV, "1");
    cmd
}
