//! [`AtlasClient`]: construction and the typed request helpers the endpoint files use.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::auth::{Authenticator, Credentials, DigestAuth, TokenSource};
use super::config::AtlasConfig;
use super::error::AtlasError;
use super::limiter::Throttle;
use super::path::{ApiPath, Query};
use super::request_log::{NoRequestLog, RequestLog};
use super::transport::{Endpoint, Request, Response, Transport};

/// A client of the Atlas Admin API v2 for one set of credentials.
///
/// Cheap to clone; clones share the token cache, the digest challenge and the rate limiters.
#[derive(Clone)]
pub struct AtlasClient {
    pub(crate) transport: Arc<Transport>,
    pub(crate) log: Arc<dyn RequestLog>,
    pub(crate) items_per_page: u32,
}

impl fmt::Debug for AtlasClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AtlasClient")
            .field("origin", &self.transport.origin)
            .field("items_per_page", &self.items_per_page)
            .finish_non_exhaustive()
    }
}

impl AtlasClient {
    /// Builds a client; fails only on an unusable configuration.
    pub fn new(config: AtlasConfig) -> Result<Self, AtlasError> {
        config.validate()?;
        let origin = config.origin()?;
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            // Atlas does not redirect API calls; following one could leak credentials.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("attest/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| AtlasError::config(format!("cannot build the HTTP client: {err}")))?;
        let auth = match &config.credentials {
            Credentials::ServiceAccount {
                client_id,
                client_secret,
            } => Authenticator::Bearer(Box::new(TokenSource::new(
                &origin,
                client_id,
                client_secret,
                http.clone(),
                config.request_timeout,
                config.retry.clone(),
            )?)),
            Credentials::ApiKey {
                public_key,
                private_key,
            } => Authenticator::Digest(DigestAuth::new(public_key.clone(), private_key.clone())),
        };
        let transport = Transport {
            http,
            origin,
            auth,
            throttle: Throttle::new(config.rate_limit, config.change_rate),
            retry: config.retry,
            request_timeout: config.request_timeout,
        };
        Ok(Self {
            transport: Arc::new(transport),
            log: Arc::new(NoRequestLog),
            items_per_page: config.items_per_page,
        })
    }

    /// A clone whose requests are reported to `log` (e.g. one log per snapshot run).
    pub fn with_request_log(&self, log: Arc<dyn RequestLog>) -> Self {
        Self {
            transport: Arc::clone(&self.transport),
            log,
            items_per_page: self.items_per_page,
        }
    }

    /// The origin requests go to, e.g. `https://cloud.mongodb.com`.
    pub fn origin(&self) -> &str {
        &self.transport.origin
    }

    pub(crate) async fn send(&self, request: Request<'_>) -> Result<Response, AtlasError> {
        self.transport.send(&self.log, request).await
    }

    /// GET one JSON document.
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        endpoint: &Endpoint,
        path: &ApiPath,
        query: Query,
    ) -> Result<T, AtlasError> {
        let response = self
            .send(Request {
                endpoint,
                path,
                query,
                body: None,
                page: None,
            })
            .await?;
        decode(&response)
    }

    /// POST or PATCH a JSON body and read the JSON answer.
    pub(crate) async fn send_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        endpoint: &Endpoint,
        path: &ApiPath,
        body: &B,
    ) -> Result<T, AtlasError> {
        let body = serde_json::to_vec(body).map_err(|err| {
            AtlasError::invalid_argument(format!(
                "the {} request body cannot be encoded: {err}",
                endpoint.operation
            ))
        })?;
        let response = self
            .send(Request {
                endpoint,
                path,
                query: Query::new(),
                body: Some(Bytes::from(body)),
                page: None,
            })
            .await?;
        decode(&response)
    }

    /// A call whose success carries no body (DELETE → 204).
    pub(crate) async fn send_empty(
        &self,
        endpoint: &Endpoint,
        path: &ApiPath,
    ) -> Result<(), AtlasError> {
        self.send(Request {
            endpoint,
            path,
            query: Query::new(),
            body: None,
            page: None,
        })
        .await
        .map(|_| ())
    }
}

/// Parses a success body, naming the call, the page and the failing field when it does not fit.
pub(crate) fn decode<T: DeserializeOwned>(response: &Response) -> Result<T, AtlasError> {
    let mut deserializer = serde_json::Deserializer::from_slice(&response.body);
    serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|err| AtlasError::invalid_body(response.call.clone(), err))
}
