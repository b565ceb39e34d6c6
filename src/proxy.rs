//! Which HTTP(S) proxy a request goes through: `[check] proxy` when set,
//! else the standard variables `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`
//! (each also lowercase; uppercase wins, as in reqwest and curl for
//! HTTPS) and `NO_PROXY` / `no_proxy`.
//!
//! Owns reading those settings and applying them to a `reqwest` client
//! builder (the checker, remote-input fetching and the GitHub API client
//! all go through [`ProxySettings::apply`]), and naming the proxy hosts so
//! that the private-address guard lets the proxy itself through. Never
//! sends a request and never prints a proxy's credentials.
//!
//! `[check] proxy`: a URL (`http://host:port`; a bare `host:port` means
//! `http://`) used for every http and https request, overriding the
//! variables; `NO_PROXY` still applies. An empty string means "no proxy",
//! whatever the environment says.

use std::fmt;

/// The proxies in force for one run.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProxySettings {
    /// Proxy for `http://` URLs.
    pub http: Option<url::Url>,
    /// Proxy for `https://` URLs (reached with `CONNECT`).
    pub https: Option<url::Url>,
    /// The `NO_PROXY` list, as written.
    pub no_proxy: Option<String>,
}

impl fmt::Debug for ProxySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxySettings")
            .field("http", &self.http.as_ref().map(redacted))
            .field("https", &self.https.as_ref().map(redacted))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// A proxy URL without user and password.
fn redacted(u: &url::Url) -> String {
    let mut u = u.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.to_string()
}

/// The first of `names` that is set and not blank.
fn first(get: &dyn Fn(&str) -> Option<String>, names: &[&str]) -> Option<String> {
    names
        .iter()
        .filter_map(|n| get(n))
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
}

/// Parses a proxy URL; `what` names where it came from, for the message.
fn parse_proxy(raw: &str, what: &str) -> Result<url::Url, String> {
    let with_scheme = if raw.contains("://") {
        raw.to_string()
    } else {
        format!("http://{raw}")
    };
    let url = url::Url::parse(&with_scheme).map_err(|e| format!("{what}: not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!(
            "{what}: only http:// and https:// proxies are supported (got `{}`)",
            redacted(&url)
        ));
    }
    Ok(url)
}

impl ProxySettings {
    /// From the process environment and `[check] proxy`.
    pub fn from_env(config_proxy: Option<&str>) -> Result<ProxySettings, String> {
        ProxySettings::from_vars(&|k| std::env::var(k).ok(), config_proxy)
    }

    /// From `get` (a variable lookup) and `[check] proxy`; tests pass their
    /// own lookup instead of the process environment.
    pub fn from_vars(
        get: &dyn Fn(&str) -> Option<String>,
        config_proxy: Option<&str>,
    ) -> Result<ProxySettings, String> {
        let no_proxy = first(get, &["NO_PROXY", "no_proxy"]);
        if let Some(p) = config_proxy {
            if p.trim().is_empty() {
                return Ok(ProxySettings::default());
            }
            let url = parse_proxy(p.trim(), "[check] proxy")?;
            return Ok(ProxySettings {
                http: Some(url.clone()),
                https: Some(url),
                no_proxy,
            });
        }
        let all = first(get, &["ALL_PROXY", "all_proxy"]);
        let pick = |names: &[&str], what: &str| -> Result<Option<url::Url>, String> {
            first(get, names)
                .or_else(|| all.clone())
                .map(|raw| parse_proxy(&raw, what))
                .transpose()
        };
        Ok(ProxySettings {
            http: pick(&["HTTP_PROXY", "http_proxy"], "HTTP_PROXY")?,
            https: pick(&["HTTPS_PROXY", "https_proxy"], "HTTPS_PROXY")?,
            no_proxy,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.http.is_none() && self.https.is_none()
    }

    /// The proxies' host names (lowercase), which the private-address guard
    /// must let through: the proxy is the user's own infrastructure.
    pub fn hosts(&self) -> Vec<String> {
        [&self.http, &self.https]
            .into_iter()
            .flatten()
            .filter_map(|u| u.host_str())
            .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
            .collect()
    }

    /// Applies these settings to a client: exactly these proxies (the
    /// environment is never read behind our back), or none.
    pub fn apply(&self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        let mut builder = builder.no_proxy();
        let no_proxy = self
            .no_proxy
            .as_deref()
            .and_then(reqwest::NoProxy::from_string);
        let proxies = [
            self.http.as_ref().map(|u| reqwest::Proxy::http(u.as_str())),
            self.https
                .as_ref()
                .map(|u| reqwest::Proxy::https(u.as_str())),
        ];
        // Both were parsed as http(s) URLs already, so neither fails here.
        for p in proxies.into_iter().flatten().flatten() {
            builder = builder.proxy(p.no_proxy(no_proxy.clone()));
        }
        builder
    }

    /// One line for the user, without credentials; `None` without a proxy.
    pub fn describe(&self) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let show = |u: &Option<url::Url>| u.as_ref().map_or("none".into(), redacted);
        let mut s = format!(
            "proxy for http: {}; for https: {}",
            show(&self.http),
            show(&self.https)
        );
        if let Some(n) = &self.no_proxy {
            s.push_str(&format!("; not for: {n}"));
        }
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)], config: Option<&str>) -> Result<ProxySettings, String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ProxySettings::from_vars(&|k| map.get(k).cloned(), config)
    }

    #[test]
    fn variables_in_both_cases_and_all_proxy_as_fallback() {
        let s = settings(
            &[
                ("http_proxy", "proxy.lan:3128"),
                ("ALL_PROXY", "http://all.lan:8080"),
                ("no_proxy", "internal.example, 10.0.0.0/8"),
            ],
            None,
        )
        .unwrap();
        assert_eq!(s.http.unwrap().as_str(), "http://proxy.lan:3128/");
        assert_eq!(s.https.unwrap().as_str(), "http://all.lan:8080/");
        assert_eq!(s.no_proxy.as_deref(), Some("internal.example, 10.0.0.0/8"));
        let upper = settings(
            &[
                ("HTTPS_PROXY", "http://up:1"),
                ("https_proxy", "http://low:2"),
            ],
            None,
        )
        .unwrap();
        assert_eq!(upper.https.unwrap().host_str(), Some("up"));
        assert!(settings(&[("HTTP_PROXY", "  ")], None).unwrap().is_empty());
    }

    #[test]
    fn the_config_key_overrides_the_variables() {
        let vars = [("HTTP_PROXY", "http://env:1"), ("NO_PROXY", "a.example")];
        let s = settings(&vars, Some("http://cfg:2")).unwrap();
        assert_eq!(s.http.as_ref().unwrap().host_str(), Some("cfg"));
        assert_eq!(s.https.as_ref().unwrap().host_str(), Some("cfg"));
        assert_eq!(s.no_proxy.as_deref(), Some("a.example"));
        assert!(settings(&vars, Some("")).unwrap().is_empty());
    }

    #[test]
    fn bad_proxies_are_clear_errors_and_credentials_never_show() {
        let e = settings(&[], Some("socks5://s:1080")).unwrap_err();
        assert!(e.contains("[check] proxy") && e.contains("http://"), "{e}");
        let e = settings(&[("HTTPS_PROXY", "http://[::1")], None).unwrap_err();
        assert!(e.contains("HTTPS_PROXY"), "{e}");
        let s = settings(&[("HTTP_PROXY", "http://user:s3cret@p.lan:3128")], None).unwrap();
        assert_eq!(s.hosts(), vec!["p.lan".to_string()]);
        let shown = format!("{} {s:?}", s.describe().unwrap());
        assert!(
            !shown.contains("s3cret") && !shown.contains("user"),
            "{shown}"
        );
    }
}
