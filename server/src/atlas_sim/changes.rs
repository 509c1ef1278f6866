//! The state-change counter: every Admin API call (`/api/atlas/v2`) that changed the world (a non-GET answered
//! with a success), counted per method, path and body. Tests use it to prove that a revocation
//! reached Atlas exactly once, however often a worker was killed and restarted around it.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use super::state::SimState;

/// Largest request body the counter reads; Admin API change bodies are small.
const MAX_BODY_BYTES: usize = 1 << 20;

/// Counts of state-changing calls, keyed by `METHOD path body`.
#[derive(Debug, Default)]
pub struct ChangeLog {
    counts: Mutex<BTreeMap<String, u64>>,
}

impl ChangeLog {
    fn add(&self, key: String) {
        *self
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key)
            .or_default() += 1;
    }

    /// Every state-changing call so far and how often it was made.
    pub fn counts(&self) -> BTreeMap<String, u64> {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many state-changing calls were made in all.
    pub fn total(&self) -> u64 {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .sum()
    }

    /// Forgets every count, e.g. after seeding a test's world over the API.
    pub fn clear(&self) {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// Middleware: counts the request when it is not a GET and the answer is a success.
pub async fn count_changes(
    State(state): State<SimState>,
    request: Request,
    next: Next,
) -> Response {
    // Token requests change no access; only the Admin API is counted.
    if request.method() == Method::GET || !request.uri().path().starts_with("/api/atlas/v2/") {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        return next.run(Request::from_parts(parts, Body::empty())).await;
    };
    let key = format!(
        "{} {} {}",
        parts.method,
        parts.uri.path(),
        String::from_utf8_lossy(&bytes)
    );
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    if response.status().is_success() {
        state.changes().add(key);
    }
    response
}
