//! Token-bucket rate limits per endpoint set, as Atlas enforces them: each rule names a set of
//! endpoints (path globs, optionally one method), a bucket capacity and a refill of `refill`
//! tokens every `per_secs` seconds, kept for the whole set or per org or project id in the
//! path. A request that finds its bucket empty gets 429 `RATE_LIMITED_TOKEN_BUCKET` with
//! Atlas's error body and a `Retry-After` of the seconds until a token is back, except every
//! Nth refusal when `omit_retry_after_every` is N, because the Atlas documentation warns the
//! header can be missing. Set from tests through `SimState::rate_limits()` or over HTTP at
//! `/__sim/rate-limits`.
//!
//! Limitation: buckets refill on the real monotonic clock, not the simulated one, so moving
//! the simulated clock does not refill them. Atlas publishes no default budgets per endpoint
//! set, so none are on by default: tests and benchmarks choose theirs.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::error::SimError;
use super::faults::{glob, rate_limited};
use super::state::SimState;

/// One endpoint set and its bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimitRule {
    /// The endpoint set's name, for reports, e.g. `databaseUsers`.
    pub name: String,
    /// Path globs of the set's endpoints (`*` matches anything, `/` included).
    pub paths: Vec<String>,
    /// HTTP method to match; any when absent.
    #[serde(default)]
    pub method: Option<String>,
    /// Tokens a full bucket holds: the requests that may arrive back to back.
    pub capacity: u32,
    /// Tokens added every `per_secs` seconds.
    pub refill: u32,
    /// The refill period in seconds.
    pub per_secs: u32,
    /// One bucket per org or project id in the path (how Atlas scopes most limits) instead
    /// of one bucket for the whole set.
    #[serde(default)]
    pub per_resource: bool,
    /// Leave `Retry-After` out of every Nth refusal; 0 always sends it.
    #[serde(default)]
    pub omit_retry_after_every: u64,
}

impl RateLimitRule {
    /// A rule over `paths` allowing `per_second` requests a second with a burst of `capacity`.
    pub fn per_second(name: &str, paths: &[&str], capacity: u32, per_second: u32) -> Self {
        Self {
            name: name.to_owned(),
            paths: paths.iter().map(|p| (*p).to_owned()).collect(),
            method: None,
            capacity,
            refill: per_second,
            per_secs: 1,
            per_resource: false,
            omit_retry_after_every: 0,
        }
    }

    /// Leaves `Retry-After` out of every Nth refusal.
    pub fn omit_retry_after_every(mut self, n: u64) -> Self {
        self.omit_retry_after_every = n;
        self
    }

    /// One bucket per org or project id in the path.
    pub fn per_resource(mut self) -> Self {
        self.per_resource = true;
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.paths.iter().any(|pattern| glob(pattern, path))
    }

    /// Tokens per second; a rule with a zero period refills nothing.
    fn rate(&self) -> f64 {
        if self.per_secs == 0 {
            0.0
        } else {
            f64::from(self.refill) / f64::from(self.per_secs)
        }
    }
}

/// What one rule has let through and refused so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimitStats {
    pub name: String,
    pub allowed: u64,
    pub refused: u64,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

#[derive(Debug, Default)]
struct Book {
    rules: Vec<RateLimitRule>,
    stats: Vec<RateLimitStats>,
    /// Keyed by (rule index, org or project id; empty for a set-wide bucket).
    buckets: HashMap<(usize, String), Bucket>,
}

/// The active rules and their buckets.
#[derive(Debug, Default)]
pub struct RateLimits {
    book: Mutex<Book>,
}

/// Why a request was refused: the rule and the seconds until its bucket has a token again.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub rule: RateLimitRule,
    pub wait_secs: f64,
    pub send_retry_after: bool,
}

impl RateLimits {
    /// Replaces every rule; buckets start full and counters at zero.
    pub fn set(&self, rules: Vec<RateLimitRule>) {
        let mut book = self.book.lock().unwrap_or_else(PoisonError::into_inner);
        book.stats = rules
            .iter()
            .map(|rule| RateLimitStats {
                name: rule.name.clone(),
                allowed: 0,
                refused: 0,
            })
            .collect();
        book.rules = rules;
        book.buckets.clear();
    }

    /// The rules in force.
    pub fn rules(&self) -> Vec<RateLimitRule> {
        self.book
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .rules
            .clone()
    }

    /// Requests allowed and refused per rule since the rules were set.
    pub fn stats(&self) -> Vec<RateLimitStats> {
        self.book
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .stats
            .clone()
    }

    /// Takes a token from every bucket the request falls in, or returns the first refusal.
    pub fn check(&self, method: &str, path: &str) -> Option<Refusal> {
        self.check_at(method, path, Instant::now())
    }

    fn check_at(&self, method: &str, path: &str, now: Instant) -> Option<Refusal> {
        let mut guard = self.book.lock().unwrap_or_else(PoisonError::into_inner);
        let book = &mut *guard;
        for (index, rule) in book.rules.iter().enumerate() {
            if !rule.matches(method, path) {
                continue;
            }
            let scope = if rule.per_resource {
                resource_of(path).to_owned()
            } else {
                String::new()
            };
            let capacity = f64::from(rule.capacity);
            let bucket = book.buckets.entry((index, scope)).or_insert(Bucket {
                tokens: capacity,
                at: now,
            });
            let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
            bucket.tokens = (bucket.tokens + elapsed * rule.rate()).min(capacity);
            bucket.at = now;
            let stats = &mut book.stats[index];
            if bucket.tokens >= 1.0 {
                bucket.tokens -= 1.0;
                stats.allowed += 1;
                continue;
            }
            stats.refused += 1;
            let wait_secs = if rule.rate() > 0.0 {
                (1.0 - bucket.tokens) / rule.rate()
            } else {
                f64::from(rule.per_secs.max(1))
            };
            let send_retry_after = rule.omit_retry_after_every == 0
                || !stats.refused.is_multiple_of(rule.omit_retry_after_every);
            return Some(Refusal {
                rule: rule.clone(),
                wait_secs,
                send_retry_after,
            });
        }
        None
    }
}

/// The org or project id a path is about (`/orgs/{id}/…`, `/groups/{id}/…`), or "".
fn resource_of(path: &str) -> &str {
    let mut segments = path.split('/');
    while let Some(segment) = segments.next() {
        if segment == "orgs" || segment == "groups" {
            return segments.next().unwrap_or("");
        }
    }
    ""
}

/// Middleware applying the rate limits to every simulated Atlas request.
pub async fn apply_rate_limits(
    State(state): State<SimState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    match state.rate_limits().check(request.method().as_str(), &path) {
        Some(refusal) => refusal_error(&path, &refusal).into_response(),
        None => next.run(request).await,
    }
}

fn refusal_error(path: &str, refusal: &Refusal) -> SimError {
    // Atlas counts in whole seconds; never tell a client to retry sooner than it may.
    let wait = refusal.wait_secs.ceil().max(1.0) as u64;
    tracing::debug!(
        sim.rate_limit = %refusal.rule.name,
        http.path = %path,
        retry_after_secs = wait,
        retry_after_sent = refusal.send_retry_after,
        "Atlas simulator rate limit refused a request"
    );
    rate_limited(
        path,
        wait,
        refusal.send_retry_after,
        (
            refusal.rule.capacity,
            refusal.rule.refill,
            refusal.rule.per_secs,
        ),
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn limits(rule: RateLimitRule) -> RateLimits {
        let limits = RateLimits::default();
        limits.set(vec![rule]);
        limits
    }

    #[test]
    fn a_full_bucket_lets_its_capacity_through_then_refuses_until_refilled() {
        let limits = limits(RateLimitRule::per_second("users", &["/u/*"], 3, 2));
        let start = Instant::now();
        let outcomes: Vec<bool> = (0..4)
            .map(|_| limits.check_at("GET", "/u/1", start).is_none())
            .collect();
        assert_eq!(outcomes, vec![true, true, true, false]);
        let refusal = limits.check_at("GET", "/u/1", start);
        assert!(refusal.is_some_and(|r| (r.wait_secs - 0.5).abs() < 1e-9 && r.send_retry_after));
        // Half a second later, two tokens a second have put one back.
        let later = start + Duration::from_millis(500);
        assert!(limits.check_at("GET", "/u/1", later).is_none());
        assert!(limits.check_at("GET", "/u/1", later).is_some());
        assert!(limits.check_at("GET", "/other", later).is_none());
        let stats = limits.stats();
        assert_eq!((stats[0].allowed, stats[0].refused), (4, 3));
    }

    #[test]
    fn per_resource_buckets_are_separate_and_retry_after_is_sometimes_left_out() {
        let rule = RateLimitRule::per_second("dbUsers", &["/groups/*/databaseUsers"], 1, 1)
            .per_resource()
            .omit_retry_after_every(2);
        let limits = limits(rule);
        let now = Instant::now();
        assert!(
            limits
                .check_at("GET", "/groups/a/databaseUsers", now)
                .is_none()
        );
        assert!(
            limits
                .check_at("GET", "/groups/b/databaseUsers", now)
                .is_none()
        );
        let sent: Vec<bool> = (0..4)
            .filter_map(|_| limits.check_at("GET", "/groups/a/databaseUsers", now))
            .map(|r| r.send_retry_after)
            .collect();
        assert_eq!(sent, vec![true, false, true, false]);
    }

    #[test]
    fn resource_is_the_id_after_orgs_or_groups() {
        assert_eq!(resource_of("/api/atlas/v2/groups/abc/databaseUsers"), "abc");
        assert_eq!(resource_of("/api/atlas/v2/orgs/o1/users"), "o1");
        assert_eq!(resource_of("/api/oauth/token"), "");
    }
}
