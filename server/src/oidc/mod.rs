//! Single sign-on with OpenID Connect: authorization code flow with PKCE, state and nonce,
//! and full ID-token validation by the `openidconnect` crate (signature against the provider's
//! JWKS, issuer, audience, expiry, nonce).
//!
//! The provider's discovery document (and with it the signing keys) is fetched on first use
//! and cached for an hour, and fetched again when an ID token names a key not in the cache.

pub mod routes;

use std::sync::Arc;
use std::time::{Duration, Instant};

use openidconnect::core::{CoreClient, CoreProviderMetadata};
use openidconnect::{ClientId, ClientSecret, IssuerUrl, RedirectUrl};
use tokio::sync::RwLock;

use crate::config::{OidcSettings, ServeConfig};

/// How long discovery results (endpoints and signing keys) are reused.
const METADATA_TTL: Duration = Duration::from_secs(3600);

/// The configured identity provider.
pub struct Oidc {
    issuer: IssuerUrl,
    client_id: ClientId,
    client_secret: ClientSecret,
    redirect: RedirectUrl,
    http: openidconnect::reqwest::Client,
    metadata: RwLock<Option<(CoreProviderMetadata, Instant)>>,
    admin_emails: Vec<String>,
}

/// Why the provider could not be used.
#[derive(Debug, thiserror::Error)]
pub enum OidcSetupError {
    #[error("ATTEST_OIDC_ISSUER: {0}")]
    Issuer(String),
    #[error("ATTEST_PUBLIC_URL: cannot form the callback URL: {0}")]
    Redirect(String),
    #[error("cannot build the HTTP client: {0}")]
    Http(String),
    #[error("discovery at {issuer} failed: {reason}")]
    Discovery { issuer: String, reason: String },
}

impl Oidc {
    pub fn new(settings: &OidcSettings, config: &ServeConfig) -> Result<Arc<Oidc>, OidcSetupError> {
        let issuer = IssuerUrl::new(settings.issuer.clone())
            .map_err(|e| OidcSetupError::Issuer(e.to_string()))?;
        let callback = config
            .public_url
            .join("/auth/callback")
            .map_err(|e| OidcSetupError::Redirect(e.to_string()))?;
        let redirect = RedirectUrl::from_url(callback);
        // Never follow redirects from the provider's endpoints (SSRF).
        let http = openidconnect::reqwest::ClientBuilder::new()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| OidcSetupError::Http(e.to_string()))?;
        Ok(Arc::new(Oidc {
            issuer,
            client_id: ClientId::new(settings.client_id.clone()),
            client_secret: ClientSecret::new(settings.client_secret.clone()),
            redirect,
            http,
            metadata: RwLock::new(None),
            admin_emails: config.admin_emails.clone(),
        }))
    }

    /// Provider metadata, from cache or freshly discovered.
    async fn metadata(&self, refresh: bool) -> Result<CoreProviderMetadata, OidcSetupError> {
        if !refresh
            && let Some((metadata, at)) = self.metadata.read().await.as_ref()
            && at.elapsed() < METADATA_TTL
        {
            return Ok(metadata.clone());
        }
        let metadata = CoreProviderMetadata::discover_async(self.issuer.clone(), &self.http)
            .await
            .map_err(|e| OidcSetupError::Discovery {
                issuer: self.issuer.to_string(),
                reason: error_chain(&e),
            })?;
        *self.metadata.write().await = Some((metadata.clone(), Instant::now()));
        tracing::info!(oidc.issuer = %self.issuer.as_str(), "identity provider discovered");
        Ok(metadata)
    }

    /// Whether a verified email belongs to a bootstrap admin.
    fn is_bootstrap_admin(&self, email: &str) -> bool {
        self.admin_emails
            .iter()
            .any(|a| a.eq_ignore_ascii_case(email))
    }

    fn client(
        &self,
        metadata: CoreProviderMetadata,
    ) -> openidconnect::core::CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    > {
        CoreClient::from_provider_metadata(
            metadata,
            self.client_id.clone(),
            Some(self.client_secret.clone()),
        )
        .set_redirect_uri(self.redirect.clone())
    }
}

/// An error and its sources on one line.
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
