//! What to do after a failed run: Atlas errors sorted into classes, each with its own answer.
//!
//! | class | errors | answer |
//! |---|---|---|
//! | `rate_limited` | 429 | wait `Retry-After` (or back off); never dead-lettered |
//! | `unavailable` | 5xx, timeouts, broken connections | capped exponential backoff, full jitter |
//! | `unauthorized` | 401, 403, a refused token | stop every worker and alert the admin |
//! | `other` | anything else, e.g. a 400 on a role that is still there | backoff |
//!
//! `unavailable` and `other` count towards [`MAX_FAILURES`]; past it the job is dead-lettered.
//! Refusals by Atlas's own rules never get here: they need a person (see `execute`).

use std::time::Duration;

use rand::Rng;

use crate::backend::atlas::{AtlasError, ErrorKind};

/// Failures (not counting rate limits) after which a job is dead-lettered.
pub const MAX_FAILURES: i32 = 8;
/// The first backoff ceiling; it doubles with every failure.
pub const BASE_DELAY: Duration = Duration::from_secs(2);
/// The largest backoff ceiling.
pub const MAX_DELAY: Duration = Duration::from_secs(600);

/// The answer to one failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// Try again after `after`; `counts` says whether it counts towards the dead letter.
    Retry {
        class: &'static str,
        after: Duration,
        counts: bool,
    },
    /// The credential was refused: stop all workers until an admin resumes them.
    Stop { class: &'static str },
    /// Give up: the job goes to the dead letter.
    DeadLetter { class: &'static str },
}

/// The class of an Atlas failure.
pub fn class_of(err: &AtlasError) -> &'static str {
    match err.kind() {
        ErrorKind::RateLimited => "rate_limited",
        ErrorKind::ServerError
        | ErrorKind::Connection
        | ErrorKind::Timeout
        | ErrorKind::TruncatedPage
        | ErrorKind::InvalidBody => "unavailable",
        ErrorKind::Unauthorized | ErrorKind::Forbidden | ErrorKind::TokenRefused => "unauthorized",
        _ => "other",
    }
}

/// Full-jitter backoff after `failures` earlier failures: uniform in
/// `[0, min(MAX_DELAY, BASE_DELAY · 2^failures)]`.
pub fn backoff(failures: i32, rng: &mut impl Rng) -> Duration {
    let factor = 2u32.saturating_pow(failures.clamp(0, 31) as u32);
    let ceiling = BASE_DELAY
        .checked_mul(factor)
        .map_or(MAX_DELAY, |d| d.min(MAX_DELAY));
    Duration::from_millis(rng.gen_range(0..=ceiling.as_millis() as u64))
}

/// What to do about `err`, given the job's failures so far.
pub fn dispose(err: &AtlasError, failures: i32, rng: &mut impl Rng) -> Disposition {
    let class = class_of(err);
    match class {
        "rate_limited" => {
            // Atlas did not act; wait what it asked, plus a little jitter so that workers told
            // the same instant do not return together.
            let after = match err.retry_after() {
                Some(wait) => wait + Duration::from_millis(rng.gen_range(0..=500)),
                None => backoff(failures.min(5), rng).max(Duration::from_secs(1)),
            };
            Disposition::Retry {
                class,
                after,
                counts: false,
            }
        }
        "unauthorized" => Disposition::Stop { class },
        _ if failures + 1 >= MAX_FAILURES => Disposition::DeadLetter { class },
        _ => {
            let after = match err.retry_after() {
                Some(wait) => wait,
                None => backoff(failures, rng),
            };
            Disposition::Retry {
                class,
                after,
                counts: true,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn backoff_is_capped_and_jittered() {
        let mut rng = StdRng::seed_from_u64(1);
        for failures in 0..40 {
            let d = backoff(failures, &mut rng);
            assert!(d <= MAX_DELAY, "{failures}: {d:?}");
            let factor = 2u32.saturating_pow(failures.clamp(0, 31) as u32);
            let ceiling = BASE_DELAY
                .checked_mul(factor)
                .map_or(MAX_DELAY, |c| c.min(MAX_DELAY));
            assert!(d <= ceiling);
        }
        let spread: Vec<Duration> = (0..50).map(|_| backoff(3, &mut rng)).collect();
        assert!(
            spread.iter().any(|d| *d != spread[0]),
            "jitter varies the wait"
        );
    }
}
