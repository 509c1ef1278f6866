//! When a failed call is tried again and how long to wait first.
//!
//! Rules: a 429 is always retried (Atlas did not perform the request); 5xx responses and
//! broken connections are retried only for idempotent calls; a connection that could not be
//! opened at all is retried for any call, because nothing reached Atlas. Waits honour
//! `Retry-After` when Atlas sends it and otherwise use capped exponential backoff with full
//! jitter.

use std::time::{Duration, SystemTime};

use rand::Rng;

/// Retry limits for one call. The defaults suit interactive and snapshot work; the durable
/// remediation queue adds its own longer schedule on top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included. At least 1.
    pub max_attempts: u32,
    /// The backoff ceiling of the first retry; it doubles with every retry.
    pub base_delay: Duration,
    /// The largest backoff ceiling.
    pub max_delay: Duration,
    /// The longest `Retry-After` the client waits out itself; a longer one is returned to the
    /// caller as [`ErrorKind::RateLimited`](super::ErrorKind::RateLimited) so it can
    /// reschedule.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(300),
        }
    }
}

/// What went wrong with one attempt, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// 429.
    RateLimited { retry_after: Option<Duration> },
    /// 503, which may carry `Retry-After`.
    Unavailable { retry_after: Option<Duration> },
    /// Any other 5xx.
    ServerError,
    /// The connection could not be opened; the request never reached Atlas.
    ConnectFailed,
    /// The request may have reached Atlas: a timeout, a reset, a body cut off.
    ConnectionLost,
    /// Anything else; never retried.
    Permanent,
}

/// The verdict for one failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    RetryAfter(Duration),
    GiveUp,
}

impl RetryPolicy {
    /// The backoff ceiling before retry number `retry` (0 for the first retry):
    /// `min(max_delay, base_delay · 2^retry)`.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(31));
        self.base_delay
            .checked_mul(factor)
            .map_or(self.max_delay, |d| d.min(self.max_delay))
    }

    /// A full-jitter wait: uniform in `[0, ceiling(retry)]`.
    pub fn full_jitter(&self, retry: u32, rng: &mut impl Rng) -> Duration {
        let ceiling = u64::try_from(self.ceiling(retry).as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rng.gen_range(0..=ceiling))
    }

    /// Decides whether attempt number `attempt` (1-based) is followed by another, and after
    /// how long.
    pub(crate) fn decide(
        &self,
        attempt: u32,
        failure: Failure,
        idempotent: bool,
        rng: &mut impl Rng,
    ) -> Decision {
        if attempt >= self.max_attempts.max(1) {
            return Decision::GiveUp;
        }
        let retry = attempt - 1;
        let announced = match failure {
            Failure::RateLimited { retry_after } => retry_after,
            Failure::Unavailable { retry_after } if idempotent => retry_after,
            Failure::ServerError | Failure::ConnectionLost if idempotent => None,
            Failure::ConnectFailed => None,
            _ => return Decision::GiveUp,
        };
        match announced {
            Some(wait) if wait > self.max_retry_after => Decision::GiveUp,
            // A little jitter on top keeps callers that were told the same instant apart.
            Some(wait) => Decision::RetryAfter(wait + self.full_jitter(0, rng) / 4),
            None => Decision::RetryAfter(self.full_jitter(retry, rng)),
        }
    }
}

/// Parses a `Retry-After` value: delay-seconds or an HTTP date (a past date means "now").
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(30),
        }
    }

    #[test]
    fn ceiling_doubles_and_is_capped() {
        let p = policy();
        assert_eq!(p.ceiling(0), Duration::from_millis(100));
        assert_eq!(p.ceiling(1), Duration::from_millis(200));
        assert_eq!(p.ceiling(4), Duration::from_millis(1600));
        assert_eq!(p.ceiling(5), Duration::from_secs(2));
        assert_eq!(p.ceiling(400), Duration::from_secs(2));
    }

    #[test]
    fn full_jitter_stays_within_zero_and_the_ceiling() {
        let p = policy();
        let mut rng = StdRng::seed_from_u64(7);
        for retry in 0..10 {
            let mut max_seen = Duration::ZERO;
            for _ in 0..500 {
                let d = p.full_jitter(retry, &mut rng);
                assert!(d <= p.ceiling(retry), "retry {retry}: {d:?}");
                max_seen = max_seen.max(d);
            }
            // Full jitter spreads over the whole range, not just its bottom.
            assert!(
                max_seen >= p.ceiling(retry) / 2,
                "retry {retry}: {max_seen:?}"
            );
        }
    }

    #[test]
    fn retry_after_is_honoured_and_overlong_waits_are_returned() {
        let p = policy();
        let mut rng = StdRng::seed_from_u64(1);
        let limited = Failure::RateLimited {
            retry_after: Some(Duration::from_secs(3)),
        };
        match p.decide(1, limited, false, &mut rng) {
            Decision::RetryAfter(d) => {
                assert!(d >= Duration::from_secs(3));
                assert!(d <= Duration::from_secs(3) + p.base_delay / 4);
            }
            Decision::GiveUp => panic!("a 429 is retried"),
        }
        let too_long = Failure::RateLimited {
            retry_after: Some(Duration::from_secs(31)),
        };
        assert_eq!(p.decide(1, too_long, true, &mut rng), Decision::GiveUp);
    }

    #[test]
    fn server_errors_are_retried_only_when_idempotent() {
        let p = policy();
        let mut rng = StdRng::seed_from_u64(2);
        for failure in [
            Failure::ServerError,
            Failure::ConnectionLost,
            Failure::Unavailable { retry_after: None },
        ] {
            assert!(matches!(
                p.decide(1, failure, true, &mut rng),
                Decision::RetryAfter(_)
            ));
            assert_eq!(p.decide(1, failure, false, &mut rng), Decision::GiveUp);
        }
        assert!(matches!(
            p.decide(1, Failure::ConnectFailed, false, &mut rng),
            Decision::RetryAfter(_)
        ));
        assert_eq!(
            p.decide(1, Failure::Permanent, true, &mut rng),
            Decision::GiveUp
        );
    }

    #[test]
    fn attempts_are_bounded() {
        let p = policy();
        let mut rng = StdRng::seed_from_u64(3);
        let limited = Failure::RateLimited { retry_after: None };
        assert!(matches!(
            p.decide(5, limited, true, &mut rng),
            Decision::RetryAfter(_)
        ));
        assert_eq!(p.decide(6, limited, true, &mut rng), Decision::GiveUp);
    }

    #[test]
    fn retry_after_accepts_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        assert_eq!(parse_retry_after("55", now), Some(Duration::from_secs(55)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        // 1445412480 is Wed, 21 Oct 2015 07:28:00 GMT.
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("", now), None);
    }
}
