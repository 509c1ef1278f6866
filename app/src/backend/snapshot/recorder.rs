//! The request log of one pull: every Atlas attempt in the order it was made, kept in memory
//! until the snapshot is stored. Each response body is gzip-compressed as it arrives, so the
//! log holds the compressed pages (a tenth of the bytes received), never the raw bodies.

use std::io::Write;
use std::sync::{Mutex, PoisonError};

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::backend::atlas::{RequestLog, RequestRecord};

/// One attempt as the log keeps it.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    /// The attempt, with `response_body` left empty: the body lives in `page`.
    pub record: RequestRecord,
    /// The body, when one was received.
    pub page: Option<RawPage>,
}

/// One response body, compressed for `snapshot_page`.
#[derive(Debug, Clone)]
pub struct RawPage {
    /// Lowercase hex SHA-256 of the uncompressed body.
    pub sha256: String,
    /// The uncompressed size.
    pub size_bytes: usize,
    pub body_gzip: Vec<u8>,
}

impl LoggedRequest {
    /// Keeps `record` without its body, and the body compressed.
    pub fn new(record: &RequestRecord) -> Self {
        let page = match (&record.response_sha256, record.response_body.is_empty()) {
            (Some(sha256), false) => Some(RawPage {
                sha256: sha256.clone(),
                size_bytes: record.response_body.len(),
                body_gzip: gzip(&record.response_body),
            }),
            _ => None,
        };
        let mut record = record.clone();
        record.response_body = Default::default();
        Self { record, page }
    }
}

fn gzip(body: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(body.len() / 8), Compression::default());
    encoder
        .write_all(body)
        .expect("writing into a Vec cannot fail");
    encoder.finish().expect("writing into a Vec cannot fail")
}

/// Collects [`LoggedRequest`]s; give it to the client with `with_request_log`.
#[derive(Debug, Default)]
pub struct Recorder {
    records: Mutex<Vec<LoggedRequest>>,
}

impl Recorder {
    /// How many requests were recorded so far.
    pub fn len(&self) -> usize {
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether nothing was recorded yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Everything recorded so far, leaving the log empty.
    pub fn take(&self) -> Vec<LoggedRequest> {
        std::mem::take(&mut *self.records.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl RequestLog for Recorder {
    fn record(&self, record: &RequestRecord) {
        // Compressed before taking the lock: concurrent reads do not wait on each other's gzip.
        let logged = LoggedRequest::new(record);
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(logged);
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn a_page_is_kept_compressed_and_decompresses_to_the_body() {
        let body = br#"{"results":[{"id":"a"}],"totalCount":1}"#.repeat(50);
        let compressed = gzip(&body);
        assert!(compressed.len() < body.len());
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(compressed.as_slice())
            .read_to_end(&mut decoded)
            .expect("a gzip stream written here decodes");
        assert_eq!(decoded, body);
    }
}
