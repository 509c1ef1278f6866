//! The request log of one pull: every Atlas attempt in the order it was made, kept in memory
//! until the snapshot is stored.
//!
//! Limitation: the raw pages of a whole pull are held in memory until the end; a very large
//! org will want them flushed to the database in batches while the pull runs.

use std::sync::{Mutex, PoisonError};

use crate::backend::atlas::{RequestLog, RequestRecord};

/// Collects [`RequestRecord`]s; give it to the client with `with_request_log`.
#[derive(Debug, Default)]
pub struct Recorder {
    records: Mutex<Vec<RequestRecord>>,
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
    pub fn take(&self) -> Vec<RequestRecord> {
        std::mem::take(&mut *self.records.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl RequestLog for Recorder {
    fn record(&self, record: &RequestRecord) {
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(record.clone());
    }
}
