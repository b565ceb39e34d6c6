//! The HTTP transport under octocrab: a `reqwest` client (with the run's
//! proxy settings, resolver, timeouts and same-host redirects, from
//! `crate::http`) wrapped as the tower
//! service octocrab sends its requests through, with octocrab's own base-URI
//! and auth-header layers on top.
//!
//! octocrab's default client is hyper with a fixed connector and no proxy
//! support; its `reqwest` feature would pull a second reqwest (0.13) and
//! another TLS provider. This keeps one HTTP stack for the whole program.
//! Never logs a request (the auth header is marked sensitive).

use crate::proxy::ProxySettings;
use octocrab::service::middleware::auth_header::AuthHeaderLayer;
use octocrab::service::middleware::base_uri::BaseUriLayer;
use octocrab::{AuthState, OctoBody, Octocrab, OctocrabBuilder};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// Sends octocrab's requests with a `reqwest::Client`.
#[derive(Clone)]
struct ReqwestService(reqwest::Client);

impl tower_service::Service<http::Request<OctoBody>> for ReqwestService {
    type Response = http::Response<reqwest::Body>;
    type Error = reqwest::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<OctoBody>) -> Self::Future {
        let client = self.0.clone();
        // The URI only: headers hold the token.
        tracing::debug!(method = %req.method(), uri = %req.uri(), "GitHub API request");
        Box::pin(async move {
            let (parts, body) = req.into_parts();
            let req = http::Request::from_parts(parts, reqwest::Body::wrap(body));
            let res = client.execute(reqwest::Request::try_from(req)?).await?;
            Ok(res.into())
        })
    }
}

/// The octocrab client for `api_url`, with `token` (sent to the API host
/// only) and `proxy`. Built per fetch, inside the caller's runtime.
pub(super) fn octocrab(
    api_url: &str,
    token: Option<&str>,
    timeout: Duration,
    proxy: &ProxySettings,
    resolver: Option<crate::check::Resolver>,
) -> Result<Octocrab, String> {
    // The origin only: `client::Session` puts `api_url`'s path in front of
    // REST paths itself, so GraphQL can live elsewhere on the host
    // (`/api/graphql` on GitHub Enterprise Server).
    let origin = url::Url::parse(api_url)
        .map_err(|e| format!("[github] api_url `{api_url}`: {e}"))?
        .origin()
        .ascii_serialization();
    let base: http::Uri = origin
        .parse()
        .map_err(|e| format!("[github] api_url `{api_url}`: {e}"))?;
    // Redirects only on the API's own host (a renamed repository's 301),
    // every connection through the run's guarded resolver.
    let client = crate::http::ApiClient {
        proxy,
        resolver: resolver.map(|r| std::sync::Arc::new(r) as _),
        timeout,
        user_agent: concat!("paperlinks/", env!("CARGO_PKG_VERSION")),
        caller_bounds_call: true,
    }
    .build()
    .map_err(|e| format!("cannot build the GitHub client: {e}"))?;
    let auth = match token {
        Some(t) => {
            let mut v = http::HeaderValue::from_str(&format!("Bearer {t}"))
                .map_err(|_| "the GitHub token cannot be sent in an HTTP header".to_string())?;
            v.set_sensitive(true);
            Some(v)
        }
        None => None,
    };
    let octo = OctocrabBuilder::new_empty()
        .with_service(ReqwestService(client))
        .with_layer(&BaseUriLayer::new(base.clone()))
        .with_layer(&AuthHeaderLayer::new(auth, base.clone(), base))
        .with_auth(AuthState::None)
        .build();
    match octo {
        Ok(o) => Ok(o),
        Err(never) => match never {},
    }
}
