//! How the client proves who it is: a service account's OAuth 2.0 bearer token, or a
//! programmatic API key through HTTP Digest.
//!
//! Secrets stay inside [`secrecy::SecretString`] until the moment a header is computed, and
//! the headers carrying them are marked sensitive. Nothing here logs a secret or a token.

mod digest;
mod token;

use bytes::Bytes;
use oauth2::AccessToken;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderValue};
use secrecy::SecretString;

use super::error::{AtlasError, CallSite, ErrorKind};

pub(crate) use digest::DigestAuth;
pub(crate) use token::TokenSource;

/// Credentials for the Atlas Admin API. `Debug` shows identifiers, never secrets.
#[derive(Clone, Debug)]
pub enum Credentials {
    /// A service account (recommended by Atlas): OAuth 2.0 client credentials.
    ServiceAccount {
        /// `mdb_sa_id_…`.
        client_id: String,
        /// `mdb_sa_sk_…`.
        client_secret: SecretString,
    },
    /// A programmatic API key (legacy): HTTP Digest.
    ApiKey {
        /// The eight-character public key, used as the digest username.
        public_key: String,
        /// The private key, used as the digest password.
        private_key: SecretString,
    },
}

/// The authentication state shared by every request of one client.
pub(crate) enum Authenticator {
    // Boxed: the oauth2 client is large and the digest variant small.
    Bearer(Box<TokenSource>),
    Digest(DigestAuth),
}

/// What was attached to one attempt, so a 401 can be answered correctly.
pub(crate) enum Applied {
    Bearer(AccessToken),
    Digest,
}

impl Authenticator {
    /// The `Authorization` header for one attempt, if there is one yet. A digest client has
    /// none until the server's first challenge.
    pub(crate) async fn authorize(
        &self,
        call: &CallSite,
        method: &Method,
        uri: &str,
        body: Option<&Bytes>,
    ) -> Result<(Option<HeaderValue>, Applied), AtlasError> {
        match self {
            Self::Bearer(source) => {
                let token = source.bearer().await?;
                let mut value = HeaderValue::from_str(&format!("Bearer {}", token.secret()))
                    .map_err(|_| {
                        AtlasError::token(
                            call.clone(),
                            ErrorKind::TokenRefused,
                            None,
                            "the issued token cannot be sent in a header".to_owned(),
                        )
                    })?;
                value.set_sensitive(true);
                Ok((Some(value), Applied::Bearer(token)))
            }
            Self::Digest(digest) => Ok((
                digest.authorization(method, uri, body.map(|b| b.as_ref())),
                Applied::Digest,
            )),
        }
    }

    /// Reacts to a 401. Returns true when a retry with fresh credentials may succeed.
    pub(crate) async fn refresh_after_unauthorized(
        &self,
        applied: &Applied,
        headers: &HeaderMap,
    ) -> bool {
        match (self, applied) {
            (Self::Bearer(source), Applied::Bearer(token)) => {
                source.invalidate(token).await;
                true
            }
            (Self::Digest(digest), Applied::Digest) => digest.accept_challenge(headers),
            _ => false,
        }
    }
}
