//! The run's clients, built once in `run` from the config and the tokens
//! and handed to every stage and round (issue 21): the link checker (its
//! DNS cache, shared by every client below, and its silent-host and
//! offline circuit), the GitHub session (its calls, budget and stop), the
//! forge lanes (their call counts and stops) and the archive client.
//!
//! A budget, a refused token or a cache learnt in one round therefore holds
//! in the next: `[forges] max_calls` is per run, a GitHub 401 in the first
//! round means no GitHub call in the second, and each name is looked up
//! once per run whoever asks.
//!
//! Owns how the clients are configured (timeouts default to `[check]
//! timeout_secs`; the API clients resolve through the checker's guarded
//! resolver). Never sends a request itself.

use super::RunOptions;
use crate::archive::ArchiveClient;
use crate::check::Checker;
use crate::config::Config;
use crate::error::Error;
use crate::forge::Forges;
use crate::github::Github;
use crate::proxy::ProxySettings;
use std::time::Duration;

/// Every client a run uses, built once.
pub struct Clients {
    pub checker: Checker,
    /// `None` with `[github] enabled = false`.
    pub github: Option<Github>,
    pub forges: Forges,
    /// `None` with `[archive] enabled = false`.
    pub archive: Option<ArchiveClient>,
}

impl Clients {
    /// The clients of a run of `options.config` with `options`' tokens.
    pub fn build(options: &RunOptions) -> Result<Clients, Error> {
        let config = &options.config;
        let proxy = proxy_settings(config)?;
        let mut builder = Checker::builder(&config.check).proxy(proxy.clone());
        if let Some(lookup) = &options.dns_lookup {
            builder = builder.dns_lookup(lookup.0.clone());
        }
        let checker = builder.build()?;
        let resolver = checker.resolver();
        let api_timeout =
            |own: Option<u64>| Duration::from_secs(own.unwrap_or(config.check.timeout_secs).max(1));
        let github = if config.github.enabled {
            Some(
                Github::new(&config.github, options.token.clone())?
                    .with_proxy(proxy.clone())
                    .with_timeout(api_timeout(config.github.timeout_secs))
                    .with_resolver(resolver.clone()),
            )
        } else {
            None
        };
        let forges = Forges::new(&config.forges, options.hf_token.clone(), proxy)
            .with_timeout(api_timeout(config.forges.timeout_secs))
            .with_resolver(resolver.clone());
        let archive = if config.archive.enabled {
            Some(ArchiveClient::with_resolver(
                &config.archive,
                &config.check,
                options.swh_token.clone(),
                resolver,
            )?)
        } else {
            None
        };
        Ok(Clients {
            checker,
            github,
            forges,
            archive,
        })
    }
}

/// The proxy settings every client of the run goes through.
fn proxy_settings(config: &Config) -> Result<ProxySettings, Error> {
    ProxySettings::from_env(config.check.proxy.as_deref()).map_err(|message| Error::Config {
        path: "[check] proxy".into(),
        message,
    })
}
