//! Service-account access tokens: OAuth 2.0 client credentials through the `oauth2` crate.
//!
//! One token is cached per client and refreshed shortly before it expires; Atlas caps a
//! service account at 100 live tokens, so minting one per request would soon be refused.
//! The token endpoint is rate-limited too: its 429 is waited out like any other.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use oauth2::basic::BasicClient;
use oauth2::{
    AccessToken, ClientId, ClientSecret, EndpointNotSet, EndpointSet, HttpRequest, HttpResponse,
    RequestTokenError, TokenResponse, TokenUrl,
};
use reqwest::header::RETRY_AFTER;
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use crate::backend::atlas::error::{AtlasError, CallSite, ErrorKind};
use crate::backend::atlas::retry::{Decision, Failure, RetryPolicy, parse_retry_after};

type TokenClient =
    BasicClient<EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// The token endpoint, outside `/api/atlas/v2`.
pub(crate) const TOKEN_PATH: &str = "/api/oauth/token";

/// Lifetime assumed when the token response leaves out `expires_in` (Atlas issues 1 hour).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// Issues and caches bearer tokens for one service account.
pub(crate) struct TokenSource {
    oauth: TokenClient,
    http: reqwest::Client,
    timeout: Duration,
    retry: RetryPolicy,
    cached: tokio::sync::Mutex<Option<CachedToken>>,
}

struct CachedToken {
    token: AccessToken,
    refresh_at: Instant,
}

/// Status and `Retry-After` of the last token response, which `oauth2` does not expose.
#[derive(Clone, Copy, Default)]
struct Observed {
    status: Option<u16>,
    retry_after: Option<Duration>,
}

impl TokenSource {
    pub(crate) fn new(
        base_url: &str,
        client_id: &str,
        client_secret: &SecretString,
        http: reqwest::Client,
        timeout: Duration,
        retry: RetryPolicy,
    ) -> Result<Self, AtlasError> {
        let token_url = TokenUrl::new(format!("{base_url}{TOKEN_PATH}"))
            .map_err(|err| AtlasError::config(format!("invalid token endpoint URL: {err}")))?;
        let oauth = BasicClient::new(ClientId::new(client_id.to_owned()))
            .set_client_secret(ClientSecret::new(client_secret.expose_secret().to_owned()))
            .set_token_uri(token_url);
        Ok(Self {
            oauth,
            http,
            timeout,
            retry,
            cached: tokio::sync::Mutex::new(None),
        })
    }

    /// A valid token, from the cache or freshly issued. Concurrent callers share one refresh.
    pub(crate) async fn bearer(&self) -> Result<AccessToken, AtlasError> {
        let mut cached = self.cached.lock().await;
        if let Some(current) = cached.as_ref()
            && Instant::now() < current.refresh_at
        {
            return Ok(current.token.clone());
        }
        let fresh = self.issue().await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// Forgets `used` after Atlas refused it, unless another caller already replaced it.
    pub(crate) async fn invalidate(&self, used: &AccessToken) {
        let mut cached = self.cached.lock().await;
        if cached
            .as_ref()
            .is_some_and(|current| current.token.secret() == used.secret())
        {
            *cached = None;
        }
    }

    async fn issue(&self) -> Result<CachedToken, AtlasError> {
        let call = CallSite {
            operation: "createAccessToken",
            method: "POST",
            path: TOKEN_PATH.to_owned(),
            page: None,
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let observed = Arc::new(Mutex::new(Observed::default()));
            let requested_at = Instant::now();
            let send = {
                let http = self.http.clone();
                let observed = Arc::clone(&observed);
                let timeout = self.timeout;
                move |request: HttpRequest| {
                    let http = http.clone();
                    let observed = Arc::clone(&observed);
                    async move { send_token_request(&http, request, timeout, &observed).await }
                }
            };
            let result = self
                .oauth
                .exchange_client_credentials()
                .request_async(&send)
                .await;
            let seen = *observed.lock().unwrap_or_else(PoisonError::into_inner);
            let (failure, error) = match result {
                Ok(response) => {
                    let lifetime = response.expires_in().unwrap_or(DEFAULT_LIFETIME);
                    tracing::debug!(
                        lifetime_s = lifetime.as_secs(),
                        attempt,
                        "Atlas access token issued"
                    );
                    return Ok(CachedToken {
                        token: response.access_token().clone(),
                        refresh_at: requested_at + refresh_after(lifetime),
                    });
                }
                Err(err) => classify_token_error(&call, err, seen),
            };
            let decision = self
                .retry
                .decide(attempt, failure, true, &mut rand::thread_rng());
            match decision {
                Decision::RetryAfter(wait) => {
                    tracing::debug!(
                        attempt,
                        status = seen.status,
                        delay_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        "Atlas token request will be retried"
                    );
                    tokio::time::sleep(wait).await;
                }
                Decision::GiveUp => return Err(error),
            }
        }
    }
}

/// How long a token is used before a new one is fetched: its lifetime less a margin of a
/// quarter of it, at most five minutes, so a token never expires in flight.
pub(crate) fn refresh_after(lifetime: Duration) -> Duration {
    let margin = (lifetime / 4).min(Duration::from_secs(300));
    lifetime - margin
}

async fn send_token_request(
    http: &reqwest::Client,
    request: HttpRequest,
    timeout: Duration,
    observed: &Mutex<Observed>,
) -> Result<HttpResponse, reqwest::Error> {
    let mut request = reqwest::Request::try_from(request)?;
    *request.timeout_mut() = Some(timeout);
    let response = http.execute(request).await?;
    let status = response.status();
    let headers = response.headers().clone();
    let retry_after = headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()));
    *observed.lock().unwrap_or_else(PoisonError::into_inner) = Observed {
        status: Some(status.as_u16()),
        retry_after,
    };
    let body = response.bytes().await?;
    let mut out = HttpResponse::new(body.to_vec());
    *out.status_mut() = status;
    *out.headers_mut() = headers;
    Ok(out)
}

fn classify_token_error<RE, TE>(
    call: &CallSite,
    err: RequestTokenError<RE, TE>,
    seen: Observed,
) -> (Failure, AtlasError)
where
    RE: std::error::Error + 'static,
    TE: oauth2::ErrorResponse + 'static,
{
    let status = seen.status;
    let (failure, kind, message) = match (&err, status) {
        (RequestTokenError::Request(_), _) => (
            Failure::ConnectionLost,
            ErrorKind::Connection,
            format!("the token request failed: {}", source_chain(&err)),
        ),
        (_, Some(429)) => (
            Failure::RateLimited {
                retry_after: seen.retry_after,
            },
            ErrorKind::RateLimited,
            "the token endpoint is rate-limited".to_owned(),
        ),
        (_, Some(503)) => (
            Failure::Unavailable {
                retry_after: seen.retry_after,
            },
            ErrorKind::ServerError,
            "the token endpoint is unavailable".to_owned(),
        ),
        (_, Some(code @ 500..=599)) => (
            Failure::ServerError,
            ErrorKind::ServerError,
            format!("the token endpoint answered {code}"),
        ),
        (RequestTokenError::ServerResponse(response), _) => (
            Failure::Permanent,
            ErrorKind::TokenRefused,
            format!("the token endpoint refused the credentials: {response}"),
        ),
        _ => (
            Failure::Permanent,
            ErrorKind::TokenRefused,
            format!("the token endpoint did not issue a token: {err}"),
        ),
    };
    let error = AtlasError::token(call.clone(), kind, status, message);
    let error = match seen.retry_after {
        Some(wait) => error.with_retry_after(wait),
        None => error,
    };
    (failure, error)
}

fn source_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atlas_hour_long_tokens_are_refreshed_five_minutes_early() {
        assert_eq!(
            refresh_after(Duration::from_secs(3600)),
            Duration::from_secs(3300)
        );
    }

    #[test]
    fn short_tokens_keep_three_quarters_of_their_life() {
        assert_eq!(
            refresh_after(Duration::from_secs(4)),
            Duration::from_secs(3)
        );
        assert_eq!(refresh_after(Duration::ZERO), Duration::ZERO);
    }
}
