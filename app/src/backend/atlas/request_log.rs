//! The request-log hook: one record per HTTP attempt, the raw material of a snapshot's
//! evidence (what was asked, in which API version, what came back, and its hash).
//!
//! Calls to the token endpoint are not recorded: their bodies are credentials.

use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::version::ApiVersion;

/// One HTTP attempt against the Atlas Admin API, retries included as separate records.
#[derive(Debug, Clone)]
pub struct RequestRecord {
    /// The spec's operation id, e.g. `listGroupDatabaseUsers`.
    pub operation: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The escaped path, starting with `/api/atlas/v2`.
    pub path: String,
    /// The encoded query string without `?`; empty when there is none.
    pub query: String,
    /// The version sent in `Accept`.
    pub api_version: ApiVersion,
    /// The page number, for paginated listings.
    pub page: Option<u32>,
    /// 1 for the first attempt of a call, 2 for its first retry, and so on.
    pub attempt: u32,
    /// When the attempt started.
    pub started_at: DateTime<Utc>,
    /// The status, or `None` when no response arrived.
    pub status: Option<u16>,
    /// From sending the request to the end of the response body.
    pub duration: Duration,
    /// Lowercase hex SHA-256 of the response body, or `None` when no body was received.
    pub response_sha256: Option<String>,
    /// The response body as received (empty when none). Cheap to clone.
    pub response_body: Bytes,
}

/// Receives a [`RequestRecord`] for every attempt. Called inline on the request path, so
/// keep it quick (push to a channel or a buffer; don't write to the database here).
pub trait RequestLog: Send + Sync {
    /// Records one attempt.
    fn record(&self, record: &RequestRecord);
}

impl<F> RequestLog for F
where
    F: Fn(&RequestRecord) + Send + Sync,
{
    fn record(&self, record: &RequestRecord) {
        self(record)
    }
}

/// A log that drops every record; the default.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRequestLog;

impl RequestLog for NoRequestLog {
    fn record(&self, _record: &RequestRecord) {}
}

/// Lowercase hex SHA-256 of `body`.
pub(crate) fn sha256_hex(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_lowercase_hex_sha256() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
