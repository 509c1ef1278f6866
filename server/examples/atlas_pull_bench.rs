//! Pull benchmark: builds the simulator's `large` org in-process, pulls it through the Atlas
//! client exactly as a snapshot does (`snapshot::pull::pull_org`: every listing a snapshot
//! needs), and reports requests, time and the ratio of requests sent to the minimum needed.
//! Then it pulls again with a token-bucket rate limit set on the simulator and the client
//! paced to the same rate, and reports the achieved request rate over the allowed one
//! (target: at least 0.9).
//!
//! `cargo run -p server --example atlas_pull_bench [-- PER_SECOND [CLIENT_BURST]]` (`make
//! bench-pull`); PER_SECOND is the allowed rate of the second pass, 100 by default, and
//! CLIENT_BURST the client's burst in it, 5 by default. Needs no database. The minimum counts one request per page that holds items (at least one per
//! listing) plus the two single-document reads; the client also reads the empty page that
//! ends a listing whose length is a multiple of the page size, and that is counted against it.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use app::backend::atlas::{
    AtlasClient, AtlasConfig, Credentials, MAX_ITEMS_PER_PAGE, RateLimit, RequestRecord,
    RetryPolicy,
};
use app::backend::snapshot::pull::{Pulled, pull_org};
use attest_server::atlas_sim::seed::{DemoCredentials, OrgSize};
use attest_server::atlas_sim::{RateLimitRule, SimState, spawn};

const SEED: u64 = 2026;
/// Token-bucket capacity of the rate-limited pass: a short burst, as Atlas's buckets allow.
const BURST: u32 = 10;
/// The client's own burst in that pass, unless given. Keeping it below the simulator's bucket
/// leaves the bucket slack to absorb requests that arrive closer together than they were sent;
/// a client burst as large as the bucket leaves none, and every 429 costs a whole second of
/// `Retry-After`.
const CLIENT_BURST: u32 = 5;

/// Attempts seen by the request log, by outcome.
#[derive(Default)]
struct Counts {
    attempts: AtomicU64,
    ok: AtomicU64,
    rate_limited: AtomicU64,
    other: AtomicU64,
}

impl Counts {
    fn record(&self, record: &RequestRecord) {
        self.attempts.fetch_add(1, Ordering::Relaxed);
        let counter = match record.status {
            Some(200..=299) => &self.ok,
            Some(429) => &self.rate_limited,
            _ => &self.other,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let per_second: u32 = match std::env::args().nth(1) {
        Some(arg) => arg
            .parse()
            .with_context(|| format!("PER_SECOND must be a whole number, not {arg:?}"))?,
        None => 100,
    };
    let allowed = NonZeroU32::new(per_second).context("PER_SECOND must be at least 1")?;
    let client_burst: u32 = match std::env::args().nth(2) {
        Some(arg) => arg
            .parse()
            .with_context(|| format!("CLIENT_BURST must be a whole number, not {arg:?}"))?,
        None => CLIENT_BURST,
    };
    let client_burst = NonZeroU32::new(client_burst).context("CLIENT_BURST must be at least 1")?;

    let started = Instant::now();
    let org = OrgSize::Large.build(SEED);
    let built = started.elapsed();
    let world = &org.world;
    println!(
        "large org built in {:.2} s: {} projects, {} Atlas users, {} database users, {} teams, \
         {} API keys, {} service accounts; {} people in the roster; peak memory {}",
        built.as_secs_f64(),
        world.projects.len(),
        world.users.len(),
        world.db_users.len(),
        world.teams.len(),
        world.api_keys.len(),
        world.service_accounts.len(),
        org.people.len(),
        peak_memory()
    );
    let credentials = org.credentials.clone();
    let state = SimState::new(org.world);
    let server = spawn(state.clone(), "127.0.0.1:0").await?;
    let base_url = server.base_url();

    // Pass 1: as fast as the simulator answers.
    let (pulled, counts, elapsed) = pull(&base_url, &credentials, None).await?;
    let minimum = minimum_requests(&pulled);
    let sent = Counts::get(&counts.attempts);
    println!(
        "unpaced pull: {sent} requests ({} ok, {} 429, {} other) in {:.2} s, {:.0} requests/s; \
         minimum {minimum}, ratio {:.3}",
        Counts::get(&counts.ok),
        Counts::get(&counts.rate_limited),
        Counts::get(&counts.other),
        elapsed.as_secs_f64(),
        sent as f64 / elapsed.as_secs_f64(),
        sent as f64 / minimum as f64,
    );
    println!(
        "  read {} projects, {} Atlas users, {} database users, {} listings",
        pulled.inventory.projects.len(),
        pulled.inventory.users.len(),
        pulled
            .inventory
            .database_users
            .values()
            .map(Vec::len)
            .sum::<usize>(),
        pulled.totals.len()
    );

    // Pass 2: every Admin API path shares one bucket of `per_second`; the client paces itself
    // to the same rate, evenly spaced, so the simulator's 429s are the exception, not the brake.
    state.rate_limits().set(vec![RateLimitRule::per_second(
        "admin-api",
        &["/api/atlas/v2/*"],
        BURST,
        per_second,
    )]);
    let pacing = RateLimit {
        per_second: allowed,
        burst: client_burst,
    };
    let (_, counts, elapsed) = pull(&base_url, &credentials, Some(pacing)).await?;
    let ok = Counts::get(&counts.ok);
    let achieved = ok as f64 / elapsed.as_secs_f64();
    let stats = state.rate_limits().stats();
    println!(
        "paced pull at {per_second}/s (simulator bucket {BURST}, client burst {client_burst}): {} requests ({ok} ok, {} 429) in {:.2} s; \
         achieved {achieved:.1} requests/s, {:.3} of the allowed rate (target 0.9); simulator \
         allowed {} and refused {}",
        Counts::get(&counts.attempts),
        Counts::get(&counts.rate_limited),
        elapsed.as_secs_f64(),
        achieved / f64::from(per_second),
        stats.first().map_or(0, |s| s.allowed),
        stats.first().map_or(0, |s| s.refused),
    );
    server.stop();
    Ok(())
}

/// One full pull as a snapshot makes it, with every attempt counted.
async fn pull(
    base_url: &str,
    credentials: &DemoCredentials,
    pacing: Option<RateLimit>,
) -> anyhow::Result<(Pulled, Arc<Counts>, Duration)> {
    let mut config = AtlasConfig::new(Credentials::ServiceAccount {
        client_id: credentials.client_id.clone(),
        client_secret: credentials.client_secret.clone().into(),
    })
    .with_base_url(base_url);
    config.rate_limit = pacing;
    config.retry = RetryPolicy {
        max_attempts: 8,
        base_delay: Duration::from_millis(50),
        max_delay: Duration::from_secs(2),
        max_retry_after: Duration::from_secs(10),
    };
    let counts = Arc::new(Counts::default());
    let log = Arc::clone(&counts);
    let client = AtlasClient::new(config)?
        .with_request_log(Arc::new(move |record: &RequestRecord| log.record(record)));
    let started = Instant::now();
    let pulled = pull_org(&client, &credentials.org_id, &|_: &str| {}).await?;
    Ok((pulled, counts, started.elapsed()))
}

/// Requests a perfect client would need: one per page that holds items and at least one per
/// listing, plus `getOrg` and `getFederationSettings`.
fn minimum_requests(pulled: &Pulled) -> u64 {
    let page = u64::from(MAX_ITEMS_PER_PAGE);
    let listings: u64 = pulled
        .totals
        .iter()
        .map(|total| total.received.div_ceil(page).max(1))
        .sum();
    listings + 2
}

/// The process's peak resident memory, from `/proc` where there is one.
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .map(|line| line.trim_start_matches("VmHWM:").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}
