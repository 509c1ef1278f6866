//! The snapshot schedule: one leader among all replicas takes each org's snapshot when it is
//! due (daily by default), harvests database access history between snapshots, and applies
//! retention.
//!
//! Leadership is a session-level PostgreSQL advisory lock held on a dedicated connection; a
//! replica that cannot take it waits and tries again each tick, so a leader that dies is
//! replaced within one tick. Each snapshot still takes its own org lock, so even a snapshot
//! started by hand at the same moment never runs twice.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::pool::PoolConnection;
use sqlx::{PgPool, Postgres};

use super::SnapshotError;
use super::retention::{RetentionPolicy, apply_retention};
use super::run::{SnapshotRequest, SnapshotStatus, take_snapshot};
use super::usage::harvest_access_history;
use crate::backend::atlas::AtlasClient;
use crate::backend::audit::Actor;

/// The lock class of the scheduler's leadership ("SCHD"), apart from the snapshot org locks.
const LEADER_LOCK_CLASS: i32 = 0x5343_4844;

/// When scheduled work is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// Time between snapshots of one org; `None` turns scheduled snapshots off.
    pub snapshot_every: Option<Duration>,
    /// Time between database access-history harvests of one org (also done after every
    /// scheduled snapshot); `None` turns them off.
    pub usage_every: Option<Duration>,
    /// Applied after each round of scheduled snapshots; `None` keeps every snapshot.
    pub retention: Option<RetentionPolicy>,
    /// How often the schedule is checked.
    pub tick: Duration,
}

impl Default for Schedule {
    /// Daily snapshots, access history every six hours, the default retention, checked every
    /// minute.
    fn default() -> Self {
        Self {
            snapshot_every: Some(Duration::from_secs(24 * 60 * 60)),
            usage_every: Some(Duration::from_secs(6 * 60 * 60)),
            retention: Some(RetentionPolicy::default()),
            tick: Duration::from_secs(60),
        }
    }
}

/// Held while this process is the scheduler's leader; dropping it closes the connection,
/// which releases the lock.
#[derive(Debug)]
pub struct Leadership {
    conn: Option<PoolConnection<Postgres>>,
}

impl Leadership {
    /// Becomes the leader, or returns `None` at once if another process is.
    pub async fn try_acquire(pool: &PgPool) -> sqlx::Result<Option<Self>> {
        Self::try_acquire_class(pool, LEADER_LOCK_CLASS).await
    }

    /// Becomes the leader of the schedule whose advisory lock class is `class`, or returns
    /// `None` at once if another process is.
    pub async fn try_acquire_class(pool: &PgPool, class: i32) -> sqlx::Result<Option<Self>> {
        let mut conn = pool.acquire().await?;
        let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, 0)")
            .bind(class)
            .fetch_one(&mut *conn)
            .await?;
        Ok(locked.then_some(Self { conn: Some(conn) }))
    }

    /// Whether the lock's connection is still alive (and so the lock still held).
    pub async fn is_held(&mut self) -> bool {
        match self.conn.as_mut() {
            Some(conn) => sqlx::query("SELECT 1").execute(&mut **conn).await.is_ok(),
            None => false,
        }
    }
}

impl Drop for Leadership {
    fn drop(&mut self) {
        // Closing the session releases the lock; a pooled connection would keep it.
        if let Some(conn) = self.conn.take() {
            drop(conn.detach());
        }
    }
}

/// What one check of the schedule did, per org.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    pub snapshots_taken: Vec<String>,
    pub snapshots_failed: Vec<String>,
    pub usage_harvested: Vec<String>,
    pub retention_deleted: usize,
}

/// Runs the schedule for a fixed set of orgs read through one Atlas connection.
pub struct Scheduler {
    pool: PgPool,
    client: AtlasClient,
    credential_id: String,
    org_ids: Vec<String>,
    schedule: Schedule,
    /// When this process last harvested each org's access history.
    harvested: HashMap<String, Instant>,
}

impl Scheduler {
    pub fn new(
        pool: PgPool,
        client: AtlasClient,
        credential_id: String,
        org_ids: Vec<String>,
        schedule: Schedule,
    ) -> Self {
        Self {
            pool,
            client,
            credential_id,
            org_ids,
            schedule,
            harvested: HashMap::new(),
        }
    }

    /// When the org's newest snapshot (of any outcome) started; failed ones count, so a
    /// broken connection is retried on the schedule, not in a tight loop.
    async fn last_started(&self, org_id: &str) -> sqlx::Result<Option<DateTime<Utc>>> {
        sqlx::query_scalar("SELECT max(started_at) FROM snapshot WHERE org_id = $1")
            .bind(org_id)
            .fetch_one(&self.pool)
            .await
    }

    /// Does whatever is due now. Call only while holding [`Leadership`].
    pub async fn run_due(&mut self) -> Result<TickReport, SnapshotError> {
        let mut report = TickReport::default();
        let org_ids = self.org_ids.clone();
        for org_id in &org_ids {
            if let Some(every) = self.schedule.snapshot_every {
                let due = match self.last_started(org_id).await? {
                    None => true,
                    Some(at) => (Utc::now() - at).to_std().is_ok_and(|age| age >= every),
                };
                if due {
                    self.snapshot(org_id, &mut report).await?;
                }
            }
            if let Some(every) = self.schedule.usage_every {
                let due = self
                    .harvested
                    .get(org_id)
                    .is_none_or(|at| at.elapsed() >= every);
                if due {
                    harvest_access_history(&self.pool, &self.client, org_id).await?;
                    self.harvested.insert(org_id.clone(), Instant::now());
                    report.usage_harvested.push(org_id.clone());
                }
            }
        }
        if let Some(policy) = self.schedule.retention
            && !report.snapshots_taken.is_empty()
        {
            let applied = apply_retention(&self.pool, policy, &Actor::System("retention")).await?;
            report.retention_deleted = applied.deleted.len();
        }
        Ok(report)
    }

    async fn snapshot(
        &mut self,
        org_id: &str,
        report: &mut TickReport,
    ) -> Result<(), SnapshotError> {
        let request = SnapshotRequest {
            org_id,
            actor: Actor::System("scheduler"),
            credential_id: &self.credential_id,
        };
        let progress =
            |step: &str| tracing::debug!(atlas.org_id = org_id, step, "scheduled snapshot");
        match take_snapshot(&self.pool, &self.client, request, &progress).await {
            Ok(outcome) => {
                if matches!(outcome.status, SnapshotStatus::Complete) {
                    report.snapshots_taken.push(org_id.to_owned());
                    // Usage is harvested right after a snapshot, against its database users.
                    self.harvested.remove(org_id);
                } else {
                    report.snapshots_failed.push(org_id.to_owned());
                }
                Ok(())
            }
            // Someone started one by hand: this round has nothing to do for the org.
            Err(SnapshotError::AlreadyRunning(_)) => Ok(()),
            Err(err) => Err(err),
        }
    }

    /// Checks the schedule every tick for as long as the process lives, leading when it can.
    pub async fn run_forever(mut self) {
        let mut leadership: Option<Leadership> = None;
        loop {
            if let Some(held) = leadership.as_mut()
                && !held.is_held().await
            {
                tracing::warn!("scheduler leadership lost with its database connection");
                leadership = None;
            }
            if leadership.is_none() {
                match Leadership::try_acquire(&self.pool).await {
                    Ok(Some(held)) => {
                        tracing::info!(
                            orgs = self.org_ids.len(),
                            "this process now runs the snapshot schedule"
                        );
                        leadership = Some(held);
                    }
                    Ok(None) => {}
                    Err(err) => {
                        tracing::warn!(error = %err, "cannot check the scheduler's leadership")
                    }
                }
            }
            if leadership.is_some()
                && let Err(err) = self.run_due().await
            {
                tracing::error!(error = %err, "scheduled snapshot work failed; retrying next tick");
            }
            tokio::time::sleep(self.schedule.tick).await;
        }
    }
}
