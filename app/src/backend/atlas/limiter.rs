//! Client-side pacing, so a snapshot's fan-out or a push of revocations does not provoke a
//! storm of 429s.
//!
//! Three brakes share one gate: a GCRA rate limit (the `governor` crate) that spaces every
//! request evenly; a second, usually slower one for state-changing requests alone (POST,
//! PATCH, DELETE), because Atlas budgets its change endpoints far more tightly than its reads;
//! and a pause that every request observes after Atlas answers 429, so concurrent callers
//! wait out `Retry-After` together instead of each discovering it on its own.

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

/// The pace of state-changing requests (POST, PATCH, DELETE), on top of [`RateLimit`].
///
/// Fractions of a request per second are allowed, because Atlas states some budgets per
/// minute. Every clone of one client shares the pace, so every task of a process that uses
/// the client draws on one budget; separate processes each need their own share of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChangeRate {
    per_second: f64,
    burst: NonZeroU32,
}

impl ChangeRate {
    /// The most changes per second accepted; beyond it the pace would be below a nanosecond.
    pub const MAX_PER_SECOND: f64 = 1_000_000.0;

    /// `per_second` changes a second, at most `burst` of them back to back after a quiet
    /// period. `None` unless `per_second` is a number above 0 and at most
    /// [`Self::MAX_PER_SECOND`].
    pub fn new(per_second: f64, burst: NonZeroU32) -> Option<Self> {
        (per_second > 0.0 && per_second <= Self::MAX_PER_SECOND)
            .then_some(Self { per_second, burst })
    }

    /// Changes per second, sustained.
    pub fn per_second(&self) -> f64 {
        self.per_second
    }

    /// Changes that may go out back to back.
    pub fn burst(&self) -> NonZeroU32 {
        self.burst
    }

    fn quota(&self) -> Quota {
        let period = Duration::from_secs_f64(1.0 / self.per_second);
        Quota::with_period(period)
            .expect("at most a million a second is a period above zero")
            .allow_burst(self.burst)
    }
}

/// The gate every Atlas request passes through.
pub(crate) struct Throttle {
    limiter: Option<DefaultDirectRateLimiter>,
    change_limiter: Option<DefaultDirectRateLimiter>,
    /// Changes queue here for the change limiter in the order they arrived (tokio's mutex is
    /// fair). Without it every waiter wakes at each free slot and the first one polled wins,
    /// so with dozens waiting one change could lose for longer than its job's lease.
    change_turn: tokio::sync::Mutex<()>,
    paused_until: Mutex<Option<Instant>>,
}

impl Throttle {
    pub(crate) fn new(limit: Option<RateLimit>, change_rate: Option<ChangeRate>) -> Self {
        let limiter = limit.map(|limit| {
            RateLimiter::direct(Quota::per_second(limit.per_second).allow_burst(limit.burst))
        });
        Self {
            limiter,
            change_limiter: change_rate.map(|rate| RateLimiter::direct(rate.quota())),
            change_turn: tokio::sync::Mutex::new(()),
            paused_until: Mutex::new(None),
        }
    }

    /// Waits until a request may be sent; `change` for a state-changing request.
    pub(crate) async fn acquire(&self, change: bool) {
        // The pause comes first: a change waiting out a 429 holds no change token, so the
        // changes released when the pause ends are still spaced by the change pace rather
        // than sent together.
        self.wait_out_pause().await;
        if change && let Some(limiter) = &self.change_limiter {
            let _turn = self.change_turn.lock().await;
            limiter.until_ready().await;
        }
        if let Some(limiter) = &self.limiter {
            limiter.until_ready().await;
        }
    }

    async fn wait_out_pause(&self) {
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
        let throttle = Throttle::new(None, None);
        throttle.pause_for(Duration::from_millis(120));
        throttle.pause_for(Duration::from_millis(10));
        let start = Instant::now();
        throttle.acquire(false).await;
        assert!(start.elapsed() >= Duration::from_millis(110));
    }

    #[tokio::test]
    async fn rate_limit_spaces_requests_after_the_burst() {
        let limit = RateLimit {
            per_second: NonZeroU32::new(20).expect("not zero"),
            burst: NonZeroU32::new(1).expect("not zero"),
        };
        let throttle = Throttle::new(Some(limit), None);
        let start = std::time::Instant::now();
        for _ in 0..5 {
            throttle.acquire(false).await;
        }
        // Four gaps of 50 ms after the first request.
        assert!(
            start.elapsed() >= Duration::from_millis(190),
            "{:?}",
            start.elapsed()
        );
    }

    #[tokio::test]
    async fn change_rate_spaces_changes_and_leaves_reads_alone() {
        let rate = ChangeRate::new(20.0, NonZeroU32::new(2).expect("not zero")).expect("valid");
        let throttle = Throttle::new(None, Some(rate));
        let start = std::time::Instant::now();
        for _ in 0..50 {
            throttle.acquire(false).await;
        }
        let reads = start.elapsed();
        for _ in 0..5 {
            throttle.acquire(true).await;
        }
        // Two go out at once (the burst), then three gaps of 50 ms.
        assert!(
            start.elapsed() >= Duration::from_millis(140),
            "{:?}",
            start.elapsed()
        );
        assert!(reads < Duration::from_millis(140), "reads waited {reads:?}");
    }

    #[test]
    fn change_rate_takes_fractions_and_refuses_nonsense() {
        let burst = NonZeroU32::new(1).expect("not zero");
        // Five a minute, as Atlas states some budgets.
        assert!(ChangeRate::new(5.0 / 60.0, burst).is_some());
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 2_000_000.0] {
            assert!(
                ChangeRate::new(bad, burst).is_none(),
                "{bad} must be refused"
            );
        }
    }

    #[tokio::test]
    async fn changes_get_their_turn_in_the_order_they_arrived() {
        let rate = ChangeRate::new(200.0, NonZeroU32::new(1).expect("not zero")).expect("valid");
        let throttle = std::sync::Arc::new(Throttle::new(None, Some(rate)));
        let order = std::sync::Arc::new(Mutex::new(Vec::new()));
        let mut waiting = Vec::new();
        for n in 0..10 {
            let (throttle, order) = (throttle.clone(), order.clone());
            waiting.push(tokio::spawn(async move {
                throttle.acquire(true).await;
                order.lock().unwrap_or_else(PoisonError::into_inner).push(n);
            }));
            // Each one queues before the next arrives.
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        for task in waiting {
            task.await.expect("no panic");
        }
        let order = order.lock().unwrap_or_else(PoisonError::into_inner).clone();
        assert_eq!(order, (0..10).collect::<Vec<_>>());
    }
}
