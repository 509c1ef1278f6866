//! Client-side pacing, so a snapshot's fan-out does not provoke a storm of 429s.
//!
//! Two brakes share one gate: a GCRA rate limit (the `governor` crate) that spaces requests
//! evenly, and a pause that every request observes after Atlas answers 429, so concurrent
//! callers wait out `Retry-After` together instead of each discovering it on its own.

use std::num::NonZeroU32;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::time::Instant;

/// The steady request rate the client allows itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests per second, sustained.
    pub per_second: NonZeroU32,
    /// Requests that may go out back to back after a quiet period.
    pub burst: NonZeroU32,
}

impl RateLimit {
    /// A limit of `per_second` with a burst of the same size.
    pub fn per_second(per_second: NonZeroU32) -> Self {
        Self {
            per_second,
            burst: per_second,
        }
    }
}

impl Default for RateLimit {
    fn default() -> Self {
        // Limitation: Atlas publishes no default budgets; ten a second stays well inside the
        // budgets seen in practice. Tune it from `GET /rateLimits` for large organizations.
        Self::per_second(NonZeroU32::new(10).expect("10 is not zero"))
    }
}

/// The gate every Atlas request passes through.
pub(crate) struct Throttle {
    limiter: Option<DefaultDirectRateLimiter>,
    paused_until: Mutex<Option<Instant>>,
}

impl Throttle {
    pub(crate) fn new(limit: Option<RateLimit>) -> Self {
        let limiter = limit.map(|limit| {
            RateLimiter::direct(Quota::per_second(limit.per_second).allow_burst(limit.burst))
        });
        Self {
            limiter,
            paused_until: Mutex::new(None),
        }
    }

    /// Waits until a request may be sent.
    pub(crate) async fn acquire(&self) {
        loop {
            let until = *self
                .paused_until
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            match until {
                Some(until) if until > Instant::now() => tokio::time::sleep_until(until).await,
                _ => break,
            }
        }
        if let Some(limiter) = &self.limiter {
            limiter.until_ready().await;
        }
    }

    /// Holds back every request for `wait`, or longer if a longer pause is already set.
    pub(crate) fn pause_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut paused = self
            .paused_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if paused.is_none_or(|current| current < until) {
            *paused = Some(until);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn pause_holds_back_later_requests() {
        let throttle = Throttle::new(None);
        throttle.pause_for(Duration::from_millis(120));
        throttle.pause_for(Duration::from_millis(10));
        let start = Instant::now();
        throttle.acquire().await;
        assert!(start.elapsed() >= Duration::from_millis(110));
    }

    #[tokio::test]
    async fn rate_limit_spaces_requests_after_the_burst() {
        let limit = RateLimit {
            per_second: NonZeroU32::new(20).expect("not zero"),
            burst: NonZeroU32::new(1).expect("not zero"),
        };
        let throttle = Throttle::new(Some(limit));
        let start = std::time::Instant::now();
        for _ in 0..5 {
            throttle.acquire().await;
        }
        // Four gaps of 50 ms after the first request.
        assert!(
            start.elapsed() >= Duration::from_millis(190),
            "{:?}",
            start.elapsed()
        );
    }
}
