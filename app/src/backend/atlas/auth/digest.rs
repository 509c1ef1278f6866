//! HTTP Digest for programmatic API keys, computed by the `digest_auth` crate.
//!
//! The last challenge is kept and answered again with an incremented nonce count, so only the
//! first request (and one after each stale nonce) pays the extra 401 round trip.

use std::borrow::Cow;
use std::sync::{Mutex, PoisonError};

use digest_auth::{AuthContext, HttpMethod, WwwAuthenticateHeader};
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderValue, WWW_AUTHENTICATE};
use secrecy::{ExposeSecret, SecretString};

/// Digest credentials and the server's latest challenge.
pub(crate) struct DigestAuth {
    username: String,
    password: SecretString,
    challenge: Mutex<Option<WwwAuthenticateHeader>>,
}

impl DigestAuth {
    pub(crate) fn new(username: String, password: SecretString) -> Self {
        Self {
            username,
            password,
            challenge: Mutex::new(None),
        }
    }

    /// Answers the stored challenge for one request; `None` before the first challenge.
    pub(crate) fn authorization(
        &self,
        method: &Method,
        uri: &str,
        body: Option<&[u8]>,
    ) -> Option<HeaderValue> {
        let mut guard = self
            .challenge
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let challenge = guard.as_mut()?;
        let context = AuthContext::new_with_method(
            self.username.as_str(),
            self.password.expose_secret(),
            uri,
            body,
            HttpMethod(Cow::Borrowed(method.as_str())),
        );
        match challenge.respond(&context) {
            Ok(answer) => {
                let mut value = HeaderValue::from_str(&answer.to_header_string()).ok()?;
                value.set_sensitive(true);
                Some(value)
            }
            Err(err) => {
                tracing::debug!(error = %err, "Atlas digest challenge cannot be answered");
                *guard = None;
                None
            }
        }
    }

    /// Stores the digest challenge of a 401; false when the response carries none.
    pub(crate) fn accept_challenge(&self, headers: &HeaderMap) -> bool {
        let parsed = headers
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .filter(|value| {
                value
                    .trim_start()
                    .get(..6)
                    .is_some_and(|scheme| scheme.eq_ignore_ascii_case("digest"))
            })
            .find_map(|value| {
                // The crate expects the scheme spelt exactly "Digest".
                let params = value.trim_start()[6..].trim_start();
                digest_auth::parse(&format!("Digest {params}")).ok()
            });
        let found = parsed.is_some();
        if found {
            *self
                .challenge
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = parsed;
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn challenge_headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_str(value).expect("valid header"),
        );
        headers
    }

    #[test]
    fn no_header_before_the_first_challenge() {
        let auth = DigestAuth::new("abcdefgh".into(), "secret".to_owned().into());
        assert!(
            auth.authorization(&Method::GET, "/api/atlas/v2", None)
                .is_none()
        );
    }

    #[test]
    fn answers_a_challenge_with_increasing_nonce_counts() {
        let auth = DigestAuth::new("abcdefgh".into(), "secret".to_owned().into());
        assert!(auth.accept_challenge(&challenge_headers(
            r#"digest realm="MMS Public API", nonce="n0nce", qop="auth""#
        )));
        let first = auth
            .authorization(&Method::GET, "/api/atlas/v2/orgs?pageNum=1", None)
            .expect("a header");
        let second = auth
            .authorization(&Method::GET, "/api/atlas/v2/orgs?pageNum=2", None)
            .expect("a header");
        let first = first.to_str().expect("ascii");
        let second = second.to_str().expect("ascii");
        assert!(first.starts_with("Digest "));
        assert!(first.contains(r#"username="abcdefgh""#));
        assert!(first.contains("nc=00000001"), "{first}");
        assert!(second.contains("nc=00000002"), "{second}");
        assert!(!first.contains("secret"));
    }

    #[test]
    fn ignores_other_schemes() {
        let auth = DigestAuth::new("abcdefgh".into(), "secret".to_owned().into());
        assert!(!auth.accept_challenge(&challenge_headers(r#"Bearer realm="atlas""#)));
        assert!(!auth.accept_challenge(&HeaderMap::new()));
    }
}
