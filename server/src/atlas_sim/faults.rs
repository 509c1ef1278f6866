//! Fault injection: rules that make matching requests answer 429, 503 or 500, stall, or send a
//! truncated, garbled or dropped body. A rule matches a method (optional) and a path glob
//! (`*` matches anything, `/` included) and fires on every match, on the Nth only, on every
//! Kth, and at most `times` times. Set from tests through `SimState::faults()` or over HTTP at
//! `/__sim/faults`.

use std::sync::Mutex;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::error::SimError;
use super::state::SimState;

/// What a firing rule does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum FaultAction {
    /// 429 `RATE_LIMITED_TOKEN_BUCKET`; `Retry-After` only when `retryAfterSecs` is set,
    /// because Atlas warns the header can be missing.
    #[serde(rename_all = "camelCase")]
    RateLimited { retry_after_secs: Option<u64> },
    /// 503 `SERVICE_UNAVAILABLE`, with or without `Retry-After`.
    #[serde(rename_all = "camelCase")]
    Unavailable { retry_after_secs: Option<u64> },
    /// 500 `UNEXPECTED_ERROR`.
    ServerError,
    /// Waits before handling the request normally.
    Delay { ms: u64 },
    /// Sends only the first half of the real body, with a matching length.
    Truncate,
    /// Sends the real status with a body that is not JSON.
    Garble,
    /// Sends half the body, then breaks the connection.
    Drop,
}

/// One fault rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    /// Assigned when the rule is added.
    #[serde(default)]
    pub id: u64,
    /// Path glob, e.g. `/api/atlas/v2/groups/*/databaseUsers`.
    pub path: String,
    /// HTTP method to match; any when absent.
    #[serde(default)]
    pub method: Option<String>,
    pub action: FaultAction,
    /// Fire on the Nth matching request only (1-based).
    #[serde(default)]
    pub nth: Option<u64>,
    /// Fire on every Kth matching request.
    #[serde(default)]
    pub every: Option<u64>,
    /// Fire at most this many times.
    #[serde(default)]
    pub times: Option<u64>,
    /// Matching requests seen so far.
    #[serde(default)]
    pub seen: u64,
    /// Times fired so far.
    #[serde(default)]
    pub fired: u64,
}

impl FaultRule {
    /// A rule that fires on every request to `path`.
    pub fn new(path: &str, action: FaultAction) -> Self {
        Self {
            id: 0,
            path: path.to_owned(),
            method: None,
            action,
            nth: None,
            every: None,
            times: None,
            seen: 0,
            fired: 0,
        }
    }

    /// Fires on the Nth matching request only.
    pub fn nth(mut self, n: u64) -> Self {
        self.nth = Some(n);
        self
    }

    /// Fires at most `n` times.
    pub fn times(mut self, n: u64) -> Self {
        self.times = Some(n);
        self
    }

    /// Matches one HTTP method only.
    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.to_uppercase());
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && glob(&self.path, path)
    }

    fn should_fire(&mut self) -> bool {
        self.seen += 1;
        let due = match (self.nth, self.every) {
            (Some(n), _) => self.seen == n,
            (None, Some(k)) => k > 0 && self.seen.is_multiple_of(k),
            (None, None) => true,
        };
        let fire = due && self.times.is_none_or(|t| self.fired < t);
        if fire {
            self.fired += 1;
        }
        fire
    }
}

/// The set of active rules.
#[derive(Debug, Default)]
pub struct FaultBook {
    rules: Mutex<(u64, Vec<FaultRule>)>,
}

impl FaultBook {
    /// Adds a rule and returns its id.
    pub fn add(&self, mut rule: FaultRule) -> u64 {
        let mut guard = self.rules.lock().unwrap_or_else(|p| p.into_inner());
        guard.0 += 1;
        rule.id = guard.0;
        guard.1.push(rule);
        guard.0
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.rules
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .clear();
    }

    /// The rules with their counters.
    pub fn list(&self) -> Vec<FaultRule> {
        self.rules
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .clone()
    }

    /// Counts this request against every matching rule and returns what fires.
    pub fn fire(&self, method: &str, path: &str) -> Vec<FaultAction> {
        let mut guard = self.rules.lock().unwrap_or_else(|p| p.into_inner());
        guard
            .1
            .iter_mut()
            .filter(|rule| rule.matches(method, path))
            .filter_map(|rule| rule.should_fire().then(|| rule.action.clone()))
            .collect()
    }
}

/// `*` matches any run of characters, everything else matches itself.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return pattern == text;
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// Middleware applying the fault book to every simulated Atlas request.
pub async fn apply_faults(State(state): State<SimState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let actions = state.faults().fire(request.method().as_str(), &path);
    let mut body_fault = None;
    for action in actions {
        match action {
            FaultAction::Delay { ms } => tokio::time::sleep(Duration::from_millis(ms)).await,
            FaultAction::RateLimited { retry_after_secs } => {
                // The bucket an injected 429 describes: 10 requests, 5 more a minute.
                let wait = retry_after_secs.unwrap_or(60);
                return rate_limited(&path, wait, retry_after_secs.is_some(), (10, 5, 60))
                    .into_response();
            }
            FaultAction::Unavailable { retry_after_secs } => {
                let mut err = SimError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "SERVICE_UNAVAILABLE",
                    "The service is temporarily unavailable.",
                );
                if let Some(secs) = retry_after_secs {
                    err = err.header(header::RETRY_AFTER, secs.to_string());
                }
                return err.into_response();
            }
            FaultAction::ServerError => return SimError::unexpected().into_response(),
            other => body_fault = body_fault.or(Some(other)),
        }
    }
    let response = next.run(request).await;
    match body_fault {
        Some(fault) => break_body(response, &fault).await,
        None => response,
    }
}

/// Atlas's 429 for `path`: the token-bucket error body naming the wait and the bucket
/// `(capacity, refill, per seconds)`, with `Retry-After` and the `RateLimit-*` headers only
/// when `send_retry_after`.
pub(super) fn rate_limited(
    path: &str,
    wait: u64,
    send_retry_after: bool,
    (capacity, refill, per): (u32, u32, u32),
) -> SimError {
    let trimmed = path.trim_start_matches('/');
    let mut err = SimError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "RATE_LIMITED_TOKEN_BUCKET",
        format!(
            "Rate limit exceeded for {trimmed}. Please retry after {wait} seconds. Request capacity: {capacity}. Refill rate: {refill} per {per} seconds."
        ),
    )
    .params(vec![json!(trimmed), json!(wait), json!(capacity), json!(refill), json!(per)]);
    if send_retry_after {
        err = err
            .header(header::RETRY_AFTER, wait.to_string())
            .header(
                header::HeaderName::from_static("ratelimit-limit"),
                capacity.to_string(),
            )
            .header(header::HeaderName::from_static("ratelimit-remaining"), "0");
    }
    err
}

async fn break_body(response: Response, fault: &FaultAction) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return SimError::unexpected().into_response();
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    let half = bytes.slice(..bytes.len() / 2);
    let body = match fault {
        FaultAction::Truncate => Body::from(half),
        FaultAction::Garble => {
            let mut garbled = half.to_vec();
            garbled.extend_from_slice(b"\x00}{<html>garbled");
            Body::from(garbled)
        }
        _ => Body::from_stream(futures_util::stream::iter(vec![
            Ok(half),
            Err(std::io::Error::other(
                "connection dropped by fault injection",
            )),
        ])),
    };
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_segments_and_suffixes() {
        assert!(glob(
            "/api/atlas/v2/groups/*/databaseUsers",
            "/api/atlas/v2/groups/abc/databaseUsers"
        ));
        assert!(glob("*", "/anything"));
        assert!(glob("/a/*", "/a/b/c"));
        assert!(!glob("/a/*/c", "/a/b/d"));
        assert!(glob("/exact", "/exact"));
        assert!(!glob("/exact", "/exact/more"));
    }

    #[test]
    fn nth_rule_fires_once_on_the_nth_match() {
        let book = FaultBook::default();
        book.add(FaultRule::new("/x", FaultAction::ServerError).nth(3));
        let fired: Vec<bool> = (0..5).map(|_| !book.fire("GET", "/x").is_empty()).collect();
        assert_eq!(fired, vec![false, false, true, false, false]);
    }

    #[test]
    fn times_limits_firing_and_method_filters() {
        let book = FaultBook::default();
        book.add(
            FaultRule::new("/x", FaultAction::Truncate)
                .times(2)
                .method("get"),
        );
        assert!(book.fire("POST", "/x").is_empty());
        let fired = (0..4)
            .filter(|_| !book.fire("GET", "/x").is_empty())
            .count();
        assert_eq!(fired, 2);
    }
}
