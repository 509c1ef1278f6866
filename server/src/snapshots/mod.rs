//! Snapshot operations of the server: where Atlas is read from ([`source`]), the schedule's
//! settings ([`config`]), and starting the leader-only scheduler that takes each org's
//! snapshots, harvests usage and applies retention. The work itself lives in the app crate's
//! `backend::snapshot`.

pub mod config;
pub mod source;

use std::sync::Arc;

use app::backend::snapshot::schedule::{Schedule, Scheduler};
use sqlx::PgPool;

use source::AtlasSource;

/// Runs the schedule for `source`'s orgs in the background for as long as the process lives.
/// Every replica runs one; only the one holding the leader lock does the work.
pub fn spawn_scheduler(pool: PgPool, source: Arc<AtlasSource>, schedule: Schedule) {
    let scheduler = Scheduler::new(
        pool,
        source.client.clone(),
        source.credential_id.clone(),
        source.org_ids.clone(),
        schedule,
    );
    tokio::spawn(scheduler.run_forever());
}
