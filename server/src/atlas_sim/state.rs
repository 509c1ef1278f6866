//! The handle every simulator handler and test holds: the world behind a `tokio` lock, and the
//! fault book and rate limits behind plain mutexes (their middleware never awaits while
//! holding them).

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::changes::ChangeLog;
use super::config::SimConfig;
use super::faults::FaultBook;
use super::rate_limit::RateLimits;
use super::world::World;

/// Shared, cloneable handle on one simulated Atlas.
#[derive(Clone)]
pub struct SimState {
    world: Arc<RwLock<World>>,
    faults: Arc<FaultBook>,
    limits: Arc<RateLimits>,
    changes: Arc<ChangeLog>,
}

impl std::fmt::Debug for SimState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimState").finish_non_exhaustive()
    }
}

impl SimState {
    /// Wraps a world built by hand or by a seed builder.
    pub fn new(world: World) -> Self {
        Self {
            world: Arc::new(RwLock::new(world)),
            faults: Arc::new(FaultBook::default()),
            limits: Arc::new(RateLimits::default()),
            changes: Arc::new(ChangeLog::default()),
        }
    }

    /// Read access to the world.
    pub async fn read(&self) -> RwLockReadGuard<'_, World> {
        self.world.read().await
    }

    /// Write access, also for out-of-band changes made behind the client's back.
    pub async fn write(&self) -> RwLockWriteGuard<'_, World> {
        self.world.write().await
    }

    /// The simulated clock.
    pub async fn now(&self) -> DateTime<Utc> {
        self.world.read().await.now()
    }

    /// Moves the simulated clock, e.g. past a token's expiry or a version's sunset.
    pub async fn advance_clock(&self, by: Duration) {
        self.world.write().await.advance_clock(by);
    }

    /// Changes the behaviour switches.
    pub async fn update_config(&self, change: impl FnOnce(&mut SimConfig)) {
        change(&mut self.world.write().await.config);
    }

    /// The fault book: rules that make requests fail, stall or break on purpose.
    pub fn faults(&self) -> &FaultBook {
        &self.faults
    }

    /// The token-bucket rate limits per endpoint set (none until set).
    pub fn rate_limits(&self) -> &RateLimits {
        &self.limits
    }

    /// The state-change counter: every successful non-GET call, per method, path and body.
    pub fn changes(&self) -> &ChangeLog {
        &self.changes
    }
}
