//! Settings of one Atlas client: where Atlas is, who the client is, and how patient it is.

use std::time::Duration;

use super::auth::Credentials;
use super::error::AtlasError;
use super::limiter::{ChangeRate, RateLimit};
use super::retry::RetryPolicy;

/// Atlas's commercial endpoint.
pub const DEFAULT_BASE_URL: &str = "https://cloud.mongodb.com";

/// The largest page Atlas serves.
pub const MAX_ITEMS_PER_PAGE: u32 = 500;

/// Configuration of an [`AtlasClient`](super::AtlasClient).
#[derive(Debug, Clone)]
pub struct AtlasConfig {
    /// Scheme and host (and port), without a path: `https://cloud.mongodb.com` or the
    /// simulator's address.
    pub base_url: String,
    /// Service account or API key.
    pub credentials: Credentials,
    /// Limit on one attempt, from sending the request to the end of the body.
    pub request_timeout: Duration,
    /// Limit on opening a connection.
    pub connect_timeout: Duration,
    /// Retry limits for every call.
    pub retry: RetryPolicy,
    /// Client-side pacing; `None` sends as fast as Atlas answers.
    pub rate_limit: Option<RateLimit>,
    /// A slower pace for state-changing requests alone, on top of `rate_limit`; `None`
    /// paces them like reads.
    pub change_rate: Option<ChangeRate>,
    /// Page size of listings, 1 to 500.
    pub items_per_page: u32,
}

impl AtlasConfig {
    /// Defaults for `credentials` against Atlas itself.
    pub fn new(credentials: Credentials) -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            credentials,
            request_timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            rate_limit: Some(RateLimit::default()),
            change_rate: None,
            items_per_page: MAX_ITEMS_PER_PAGE,
        }
    }

    /// Points the client somewhere else, such as the simulator.
    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// The base URL without a trailing slash, after checking that it is only an origin.
    pub(crate) fn origin(&self) -> Result<String, AtlasError> {
        let parsed = url::Url::parse(&self.base_url).map_err(|err| {
            AtlasError::config(format!(
                "Atlas base URL {:?} is invalid: {err}",
                self.base_url
            ))
        })?;
        let usable = matches!(parsed.scheme(), "https" | "http")
            && parsed.host_str().is_some()
            && parsed.path() == "/"
            && parsed.query().is_none()
            && parsed.fragment().is_none()
            && parsed.username().is_empty()
            && parsed.password().is_none();
        if !usable {
            return Err(AtlasError::config(format!(
                "Atlas base URL {:?} must be http(s)://host[:port] with no path, query or \
                 user info",
                self.base_url
            )));
        }
        Ok(parsed.as_str().trim_end_matches('/').to_owned())
    }

    pub(crate) fn validate(&self) -> Result<(), AtlasError> {
        if !(1..=MAX_ITEMS_PER_PAGE).contains(&self.items_per_page) {
            return Err(AtlasError::config(format!(
                "items_per_page must be between 1 and {MAX_ITEMS_PER_PAGE}, not {}",
                self.items_per_page
            )));
        }
        if self.retry.max_attempts == 0 {
            return Err(AtlasError::config(
                "retry.max_attempts must be at least 1".to_owned(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(base: &str) -> AtlasConfig {
        AtlasConfig::new(Credentials::ApiKey {
            public_key: "abcdefgh".into(),
            private_key: "k".to_owned().into(),
        })
        .with_base_url(base)
    }

    #[test]
    fn origin_accepts_hosts_and_ports_only() {
        assert_eq!(
            config("https://cloud.mongodb.com/")
                .origin()
                .expect("valid"),
            "https://cloud.mongodb.com"
        );
        assert_eq!(
            config("http://127.0.0.1:8089").origin().expect("valid"),
            "http://127.0.0.1:8089"
        );
        for bad in [
            "cloud.mongodb.com",
            "ftp://cloud.mongodb.com",
            "https://cloud.mongodb.com/api",
            "https://user:pw@cloud.mongodb.com",
            "https://cloud.mongodb.com/?x=1",
        ] {
            assert!(config(bad).origin().is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn page_size_is_bounded() {
        let mut c = config(DEFAULT_BASE_URL);
        assert!(c.validate().is_ok());
        c.items_per_page = 501;
        assert!(c.validate().is_err());
        c.items_per_page = 0;
        assert!(c.validate().is_err());
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let c = AtlasConfig::new(Credentials::ServiceAccount {
            client_id: "mdb_sa_id_0123456789abcdef01234567".into(),
            client_secret: "mdb_sa_sk_supersecret".to_owned().into(),
        });
        let shown = format!("{c:?}");
        assert!(shown.contains("mdb_sa_id_0123456789abcdef01234567"));
        assert!(!shown.contains("supersecret"), "{shown}");
    }
}
