//! One Atlas call on the wire: versioned headers, authentication, pacing, timeouts, retries
//! and the request log. Endpoint code describes *what* to call; this file decides *how*.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use bytes::Bytes;
use chrono::Utc;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};

use super::api_error::ApiErrorBody;
use super::auth::Authenticator;
use super::error::{AtlasError, CallSite};
use super::limiter::Throttle;
use super::path::{ApiPath, Query};
use super::request_log::{RequestLog, RequestRecord, sha256_hex};
use super::retry::{Decision, Failure, RetryPolicy, parse_retry_after};
use super::version::ApiVersion;

/// The HTTP methods the client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verb {
    Get,
    Post,
    Patch,
    Delete,
}

impl Verb {
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }

    fn method(self) -> Method {
        match self {
            Self::Get => Method::GET,
            Self::Post => Method::POST,
            Self::Patch => Method::PATCH,
            Self::Delete => Method::DELETE,
        }
    }
}

/// One Atlas operation as the spec describes it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Endpoint {
    /// The spec's `operationId`.
    pub(crate) operation: &'static str,
    pub(crate) verb: Verb,
    pub(crate) version: ApiVersion,
    /// Whether repeating the call cannot change the outcome, so 5xx and dropped connections
    /// may be retried.
    pub(crate) idempotent: bool,
}

impl Endpoint {
    pub(crate) const fn get(operation: &'static str, version: ApiVersion) -> Self {
        Self::new(operation, Verb::Get, version, true)
    }

    pub(crate) const fn delete(operation: &'static str, version: ApiVersion) -> Self {
        Self::new(operation, Verb::Delete, version, true)
    }

    /// A PATCH that sends the complete new value of what it changes.
    pub(crate) const fn replacing_patch(operation: &'static str, version: ApiVersion) -> Self {
        Self::new(operation, Verb::Patch, version, true)
    }

    /// A POST action such as `:removeRole`; never retried after it may have reached Atlas.
    pub(crate) const fn action(operation: &'static str, version: ApiVersion) -> Self {
        Self::new(operation, Verb::Post, version, false)
    }

    const fn new(
        operation: &'static str,
        verb: Verb,
        version: ApiVersion,
        idempotent: bool,
    ) -> Self {
        Self {
            operation,
            verb,
            version,
            idempotent,
        }
    }
}

/// A request ready to send.
pub(crate) struct Request<'a> {
    pub(crate) endpoint: &'a Endpoint,
    pub(crate) path: &'a ApiPath,
    pub(crate) query: Query,
    pub(crate) body: Option<Bytes>,
    pub(crate) page: Option<u32>,
}

/// A successful (2xx) response.
pub(crate) struct Response {
    pub(crate) body: Bytes,
    pub(crate) call: CallSite,
}

/// Everything the requests of one client share.
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) origin: String,
    pub(crate) auth: Authenticator,
    pub(crate) throttle: Throttle,
    pub(crate) retry: RetryPolicy,
    pub(crate) request_timeout: std::time::Duration,
}

impl Transport {
    /// Sends `request`, retrying as [`RetryPolicy`] allows; every attempt goes to `log`.
    pub(crate) async fn send(
        &self,
        log: &Arc<dyn RequestLog>,
        request: Request<'_>,
    ) -> Result<Response, AtlasError> {
        let endpoint = request.endpoint;
        let query = request.query.encode();
        let target = if query.is_empty() {
            request.path.as_str().to_owned()
        } else {
            format!("{}?{query}", request.path.as_str())
        };
        let url = format!("{}{target}", self.origin);
        let call = CallSite {
            operation: endpoint.operation,
            method: endpoint.verb.as_str(),
            path: request.path.as_str().to_owned(),
            page: request.page,
        };
        let method = endpoint.verb.method();
        let mut attempt = 0u32;
        let mut reauthorized = false;
        loop {
            attempt += 1;
            self.throttle.acquire(endpoint.verb != Verb::Get).await;
            let (authorization, applied) = self
                .auth
                .authorize(&call, &method, &target, request.body.as_ref())
                .await
                .map_err(|err| err.at(&call))?;
            let mut builder = self
                .http
                .request(method.clone(), &url)
                .header(ACCEPT, endpoint.version.media_type())
                .timeout(self.request_timeout);
            if let Some(body) = &request.body {
                builder = builder
                    .header(CONTENT_TYPE, endpoint.version.media_type())
                    .body(body.clone());
            }
            if let Some(value) = authorization {
                builder = builder.header(AUTHORIZATION, value);
            }

            let started_at = Utc::now();
            let started = Instant::now();
            let outcome = match builder.send().await {
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    match response.bytes().await {
                        Ok(body) => Ok((status, headers, body)),
                        Err(err) => Err((Some(status), err)),
                    }
                }
                Err(err) => Err((None, err)),
            };
            let mut record = RequestRecord {
                operation: endpoint.operation,
                method: endpoint.verb.as_str(),
                path: call.path.clone(),
                query: query.clone(),
                api_version: endpoint.version,
                page: request.page,
                attempt,
                started_at,
                status: None,
                duration: started.elapsed(),
                response_sha256: None,
                response_body: Bytes::new(),
            };

            let (failure, error) = match outcome {
                Err((status, err)) => {
                    record.status = status.map(|s| s.as_u16());
                    log.record(&record);
                    trace_attempt(&record);
                    if status.is_some() {
                        (
                            Failure::ConnectionLost,
                            AtlasError::truncated(call.clone(), err),
                        )
                    } else if err.is_connect() {
                        (
                            Failure::ConnectFailed,
                            AtlasError::transport(call.clone(), err),
                        )
                    } else {
                        (
                            Failure::ConnectionLost,
                            AtlasError::transport(call.clone(), err),
                        )
                    }
                }
                Ok((status, headers, body)) => {
                    record.status = Some(status.as_u16());
                    record.response_sha256 = Some(sha256_hex(&body));
                    record.response_body = body.clone();
                    log.record(&record);
                    trace_attempt(&record);
                    if status.is_success() {
                        return Ok(Response { body, call });
                    }
                    if status == StatusCode::UNAUTHORIZED
                        && !reauthorized
                        && self
                            .auth
                            .refresh_after_unauthorized(&applied, &headers)
                            .await
                    {
                        // One fresh token or digest challenge per call; the attempt that
                        // fetched the challenge does not count against the retry budget.
                        reauthorized = true;
                        attempt -= 1;
                        continue;
                    }
                    let retry_after = announced_wait(&headers, &body);
                    let failure = match status.as_u16() {
                        429 => Failure::RateLimited { retry_after },
                        503 => Failure::Unavailable { retry_after },
                        500..=599 => Failure::ServerError,
                        _ => Failure::Permanent,
                    };
                    let error =
                        AtlasError::from_status(call.clone(), status.as_u16(), &body, retry_after);
                    (failure, error)
                }
            };

            let decision = self.retry.decide(
                attempt,
                failure,
                endpoint.idempotent,
                &mut rand::thread_rng(),
            );
            match decision {
                Decision::GiveUp => return Err(error),
                Decision::RetryAfter(wait) => {
                    tracing::debug!(
                        atlas.operation = endpoint.operation,
                        http.path = %call.path,
                        attempt,
                        delay_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        error = %error,
                        "Atlas call will be retried"
                    );
                    if matches!(failure, Failure::RateLimited { .. }) {
                        // Every request of this client waits, not only this one: the bucket
                        // is shared, and hammering it only prolongs the limit.
                        self.throttle.pause_for(wait);
                    } else {
                        tokio::time::sleep(wait).await;
                    }
                }
            }
        }
    }
}

/// `Retry-After` from the headers, or the wait a token-bucket error body announces.
fn announced_wait(headers: &HeaderMap, body: &[u8]) -> Option<std::time::Duration> {
    headers
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| parse_retry_after(value, SystemTime::now()))
        .or_else(|| ApiErrorBody::parse(body).and_then(|api| api.retry_after_hint()))
}

fn trace_attempt(record: &RequestRecord) {
    tracing::debug!(
        atlas.operation = record.operation,
        http.method = record.method,
        http.path = %record.path,
        atlas.page = record.page,
        atlas.api_version = record.api_version.date(),
        http.status = record.status,
        attempt = record.attempt,
        duration_ms = u64::try_from(record.duration.as_millis()).unwrap_or(u64::MAX),
        "Atlas request finished"
    );
}
