//! The private-address guard: decides which IP addresses a request may reach
//! and filters DNS answers at connect time.
//!
//! Owns the list of non-public address ranges, the check of literal IPs (done
//! by the caller before every hop) and the `reqwest` DNS resolver that drops
//! non-public answers, so a name that resolves (or re-resolves, as in DNS
//! rebinding) to a private address is never connected to. Never sends a
//! request itself and never decides a link's status.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// An IP network in CIDR form (`10.0.0.0/8`, `fe80::/10`, or a single
/// address, which means a /32 or /128): `ipnet`'s network, parsed so that
/// a bare address is accepted too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpRange(ipnet::IpNet);

impl IpRange {
    /// `None` when the prefix is longer than the address.
    pub fn new(addr: IpAddr, prefix: u8) -> Option<IpRange> {
        ipnet::IpNet::new(addr, prefix).ok().map(IpRange)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.contains(&ip)
    }
}

impl FromStr for IpRange {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        match text.parse::<ipnet::IpNet>() {
            Ok(net) => Ok(IpRange(net)),
            Err(_) if !text.contains('/') => text
                .parse::<IpAddr>()
                .map(|a| IpRange(a.into()))
                .map_err(|e| format!("`{s}`: bad address: {e}")),
            Err(e) => Err(format!("`{s}`: {e} (want ADDRESS/PREFIX, e.g. 10.0.0.0/8)")),
        }
    }
}

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The ranges that are not public, with the word used in messages.
const DEFAULT_RANGES: &[(&str, &str)] = &[
    ("0.0.0.0/8", "unspecified (\"this network\")"),
    ("10.0.0.0/8", "private (RFC 1918)"),
    ("100.64.0.0/10", "shared carrier-grade NAT (RFC 6598)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local (cloud metadata lives here)"),
    ("172.16.0.0/12", "private (RFC 1918)"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.0.2.0/24", "documentation"),
    ("192.168.0.0/16", "private (RFC 1918)"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved or broadcast"),
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("100::/64", "discard-only"),
    ("2001:db8::/32", "documentation"),
    ("fc00::/7", "unique-local"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local"),
    ("ff00::/8", "multicast"),
];

/// Which addresses requests may reach.
#[derive(Clone, Debug)]
pub struct AddressGuard {
    allow_private: bool,
    ranges: Vec<(IpRange, &'static str)>,
}

impl AddressGuard {
    /// The default ranges (loopback, RFC 1918, link-local, unique-local,
    /// unspecified, multicast, reserved, documentation, and IPv6 forms that
    /// embed one of those IPv4 addresses).
    pub fn new(allow_private: bool) -> AddressGuard {
        let ranges = DEFAULT_RANGES
            .iter()
            .map(|(r, label)| (r.parse().expect("built-in range parses"), *label))
            .collect();
        AddressGuard {
            allow_private,
            ranges,
        }
    }

    /// Replaces the built-in ranges (tests use this to let one loopback
    /// address play a public host).
    pub fn with_ranges(allow_private: bool, ranges: Vec<IpRange>) -> AddressGuard {
        AddressGuard {
            allow_private,
            ranges: ranges.into_iter().map(|r| (r, "non-public")).collect(),
        }
    }

    pub fn allow_private(&self) -> bool {
        self.allow_private
    }

    /// `Err(reason)` when a request must not reach `ip`.
    pub fn check(&self, ip: IpAddr) -> Result<(), String> {
        if self.allow_private {
            return Ok(());
        }
        match self.non_public(ip) {
            None => Ok(()),
            Some(label) => Err(format!("{ip} is a {label} address")),
        }
    }

    fn non_public(&self, ip: IpAddr) -> Option<&'static str> {
        if let IpAddr::V6(v6) = ip
            && let Some(v4) = embedded_v4(v6)
            && let Some(label) = self.non_public(IpAddr::V4(v4))
        {
            return Some(label);
        }
        self.ranges
            .iter()
            .find(|(r, _)| r.contains(ip))
            .map(|(_, label)| *label)
    }

    /// `Err(reason)` when a URL host must not be requested, judged without
    /// DNS: a literal IP in a non-public range, or `localhost` names.
    pub fn check_host(&self, host: &url::Host<&str>) -> Result<(), String> {
        if self.allow_private {
            return Ok(());
        }
        match host {
            url::Host::Ipv4(ip) => self.check(IpAddr::V4(*ip)),
            url::Host::Ipv6(ip) => self.check(IpAddr::V6(*ip)),
            url::Host::Domain(d) => {
                let d = d.trim_end_matches('.').to_ascii_lowercase();
                if d == "localhost" || d.ends_with(".localhost") {
                    Err(format!("{d} is a loopback name"))
                } else {
                    Ok(())
                }
            }
        }
    }
}

/// The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`),
/// IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::/96`) or 6to4
/// (`2002::/16`) IPv6 address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    let s = ip.segments();
    let low = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if s[..6] == [0; 6] && !(s[6] == 0 && s[7] <= 1) {
        return Some(low);
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(low);
    }
    if s[0] == 0x2002 {
        return Some(Ipv4Addr::new(
            (s[1] >> 8) as u8,
            s[1] as u8,
            (s[2] >> 8) as u8,
            s[2] as u8,
        ));
    }
    None
}

/// Why name resolution gave no usable address. Found by the classifier in
/// the error chain of a failed request.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("DNS lookup of {host} failed: {message}")]
    Dns { host: String, message: String },
    #[error("{host} resolves only to non-public addresses ({reason}); not requested")]
    Blocked { host: String, reason: String },
}

/// A name lookup that replaces the system resolver (tests inject failing
/// or counting resolvers through it).
pub type Lookup = Arc<dyn Fn(&str) -> Result<Vec<SocketAddr>, String> + Send + Sync>;

/// The environment variable that makes a run hermetic (the test suite
/// sets it on every command it runs): see [`hermetic_lookup_from_env`].
pub const HERMETIC_ENV: &str = "PAPERLINKS_HERMETIC_DNS";

/// With [`HERMETIC_ENV`] set to `1`: a resolver for every client of the
/// run that answers `localhost` (and `*.localhost`) with 127.0.0.1 and
/// ends the process with exit 86 and a message naming any other name, so
/// a test that would reach beyond loopback fails instead of sending a
/// real request (issue 21 item 9).
pub fn hermetic_lookup_from_env() -> Option<Lookup> {
    (std::env::var(HERMETIC_ENV).as_deref() == Ok("1")).then(|| hermetic_lookup())
}

/// The lookup of [`hermetic_lookup_from_env`].
pub fn hermetic_lookup() -> Lookup {
    Arc::new(|name: &str| {
        let n = normalize_name(name);
        if n == "localhost" || n.ends_with(".localhost") {
            return Ok(vec![SocketAddr::from(([127, 0, 0, 1], 0))]);
        }
        eprintln!(
            "paperlinks: hermetic run ({HERMETIC_ENV}=1): refused a DNS lookup of `{n}`; \
             point every base URL at a stand-in on 127.0.0.1"
        );
        std::process::exit(86)
    })
}

/// One answer per name for the whole run, addresses or failure.
type Answer = Result<Vec<SocketAddr>, String>;

/// The DNS resolver given to reqwest: resolves names (or takes a test
/// override), then drops every address the guard refuses. Runs at connect
/// time, for every new connection, so rebinding cannot slip through.
///
/// Each name is looked up once per run: the answer, or the failure, is kept
/// and shared by every later connection, and lookups of the same name that
/// run at once wait for the first one (a list with hundreds of links on a
/// name that does not resolve costs one lookup, not hundreds of 5 s waits).
/// The guard filters the kept answer on every use.
#[derive(Clone)]
pub struct GuardResolver {
    pub(crate) guard: Arc<AddressGuard>,
    pub(crate) overrides: Arc<HashMap<String, Vec<SocketAddr>>>,
    /// The proxies' host names: the user's own infrastructure, allowed
    /// whatever their addresses. (A link's name is never resolved here
    /// when it goes through a proxy: the proxy resolves it.)
    pub(crate) proxies: Arc<Vec<String>>,
    pub(crate) lookup: Option<Lookup>,
    pub(crate) cache: Arc<Mutex<HashMap<String, Arc<OnceCell<Answer>>>>>,
}

pub(crate) use crate::http::normalize_host as normalize_name;

impl GuardResolver {
    pub(crate) fn new(
        guard: Arc<AddressGuard>,
        overrides: HashMap<String, Vec<SocketAddr>>,
        lookup: Option<Lookup>,
        proxies: Vec<String>,
    ) -> GuardResolver {
        GuardResolver {
            guard,
            overrides: Arc::new(overrides),
            proxies: Arc::new(proxies),
            lookup,
            cache: Arc::default(),
        }
    }

    /// The run's answer for `name` (`key` is its normalized form).
    async fn answer(&self, name: &str, key: &str) -> Answer {
        if let Some(addrs) = self.overrides.get(key) {
            return Ok(addrs.clone());
        }
        let cell = {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            cache.entry(key.to_string()).or_default().clone()
        };
        cell.get_or_init(|| async {
            let addrs = match &self.lookup {
                Some(lookup) => lookup(name)?,
                None => tokio::net::lookup_host((name, 0))
                    .await
                    .map_err(|e| e.to_string())?
                    .collect(),
            };
            if addrs.is_empty() {
                return Err("no addresses".to_string());
            }
            Ok(addrs)
        })
        .await
        .clone()
    }
}

impl reqwest::dns::Resolve for GuardResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let this = self.clone();
        let name = name.as_str().to_string();
        Box::pin(async move {
            let key = normalize_name(&name);
            let addrs = this
                .answer(&name, &key)
                .await
                .map_err(|message| ResolveError::Dns {
                    host: key.clone(),
                    message,
                })?;
            if this.proxies.contains(&key) {
                return Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs);
            }
            let mut refused = None;
            let allowed: Vec<SocketAddr> = addrs
                .into_iter()
                .filter(|a| match this.guard.check(a.ip()) {
                    Ok(()) => true,
                    Err(reason) => {
                        refused.get_or_insert(reason);
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                return Err(ResolveError::Blocked {
                    host: key,
                    reason: refused.unwrap_or_default(),
                }
                .into());
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocked(ip: &str) -> bool {
        AddressGuard::new(false).check(ip.parse().unwrap()).is_err()
    }

    #[test]
    fn non_public_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "127.255.0.9",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "fc00::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2002:c0a8:0101::1",
        ] {
            assert!(blocked(ip), "{ip} should be refused");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "140.82.112.3",
            "172.32.0.1",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
        ] {
            assert!(!blocked(ip), "{ip} should pass");
        }
        assert!(
            AddressGuard::new(true)
                .check("127.0.0.1".parse().unwrap())
                .is_ok()
        );
    }

    #[test]
    fn ranges_parse_and_match() {
        let r: IpRange = "10.0.0.0/8".parse().unwrap();
        assert!(r.contains("10.200.1.1".parse().unwrap()));
        assert!(!r.contains("11.0.0.1".parse().unwrap()));
        let one: IpRange = "127.0.0.2".parse().unwrap();
        assert!(one.contains("127.0.0.2".parse().unwrap()));
        assert!(!one.contains("127.0.0.1".parse().unwrap()));
        let all: IpRange = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("8.8.8.8".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<IpRange>().is_err());
        let g = AddressGuard::with_ranges(false, vec![one]);
        assert!(g.check("127.0.0.1".parse().unwrap()).is_ok());
        assert!(g.check("127.0.0.2".parse().unwrap()).is_err());
    }

    /// A resolver whose lookups are counted: `good.test` resolves to a
    /// public address, `evil.test` to loopback, anything else fails.
    fn counting() -> (GuardResolver, Arc<std::sync::atomic::AtomicUsize>) {
        let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = calls.clone();
        let lookup: Lookup = Arc::new(move |name: &str| {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            match name {
                "good.test" => Ok(vec!["1.2.3.4:0".parse().unwrap()]),
                "evil.test" => Ok(vec!["127.0.0.1:0".parse().unwrap()]),
                _ => Err("no such name".to_string()),
            }
        });
        let guard = Arc::new(AddressGuard::new(false));
        (
            GuardResolver::new(guard, HashMap::new(), Some(lookup), Vec::new()),
            calls,
        )
    }

    async fn resolve(r: &GuardResolver, name: &str) -> Result<Vec<SocketAddr>, String> {
        use reqwest::dns::Resolve;
        match r.resolve(name.parse().unwrap()).await {
            Ok(addrs) => Ok(addrs.collect()),
            Err(e) => Err(e.to_string()),
        }
    }

    #[tokio::test]
    async fn names_are_looked_up_once_per_run_answers_and_failures() {
        let (r, calls) = counting();
        let load = || calls.load(std::sync::atomic::Ordering::SeqCst);
        for _ in 0..5 {
            assert_eq!(resolve(&r, "good.test").await.unwrap().len(), 1);
        }
        assert_eq!(load(), 1);
        for _ in 0..5 {
            let e = resolve(&r, "gone.test").await.unwrap_err();
            assert!(e.contains("gone.test") && e.contains("no such name"), "{e}");
        }
        assert_eq!(load(), 2, "the failure is kept too");
        // Names differing only in case or a trailing dot are one name.
        assert!(resolve(&r, "GOOD.test.").await.is_ok());
        assert_eq!(load(), 2);
        // Lookups running at once share one answer.
        let all = futures::future::join_all((0..20).map(|_| resolve(&r, "gone2.test"))).await;
        assert!(all.iter().all(|a| a.is_err()));
        assert_eq!(load(), 3);
    }

    #[tokio::test]
    async fn kept_answers_still_go_through_the_guard() {
        let (r, calls) = counting();
        for _ in 0..3 {
            let e = resolve(&r, "evil.test").await.unwrap_err();
            assert!(e.contains("non-public"), "{e}");
        }
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[test]
    fn localhost_names_are_refused() {
        let g = AddressGuard::new(false);
        assert!(g.check_host(&url::Host::Domain("localhost")).is_err());
        assert!(g.check_host(&url::Host::Domain("api.localhost.")).is_err());
        assert!(g.check_host(&url::Host::Domain("example.org")).is_ok());
    }
}
