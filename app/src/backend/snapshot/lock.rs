//! One snapshot per org at a time, across every replica: a session-level PostgreSQL advisory
//! lock keyed by the org, held on a dedicated connection for as long as the snapshot runs.
//! No transaction stays open across Atlas calls.
//!
//! The lock uses the two-key form (class, `hashtext(org id)`), a key space apart from the
//! single-key locks elsewhere in Attest. Two orgs whose ids hash alike merely take turns.

use sqlx::pool::PoolConnection;
use sqlx::{PgPool, Postgres};

/// The lock class of snapshot runs ("SNAP").
const SNAPSHOT_LOCK_CLASS: i32 = 0x534e_4150;

/// A held snapshot lock. Release it with [`OrgLock::release`]; if it is dropped instead (an
/// error or a panic on the way), its connection is closed rather than returned to the pool, so
/// the server lets go of the lock and no pooled connection keeps it.
#[derive(Debug)]
pub struct OrgLock {
    conn: Option<PoolConnection<Postgres>>,
    org_id: String,
}

impl OrgLock {
    /// Takes the lock for `org_id`, or returns `None` at once if another snapshot of the org
    /// holds it.
    pub async fn try_acquire(pool: &PgPool, org_id: &str) -> sqlx::Result<Option<Self>> {
        let mut conn = pool.acquire().await?;
        let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, hashtext($2))")
            .bind(SNAPSHOT_LOCK_CLASS)
            .bind(org_id)
            .fetch_one(&mut *conn)
            .await?;
        Ok(locked.then(|| Self {
            conn: Some(conn),
            org_id: org_id.to_owned(),
        }))
    }

    /// Lets go of the lock and returns the connection to the pool.
    pub async fn release(mut self) -> sqlx::Result<()> {
        let Some(mut conn) = self.conn.take() else {
            return Ok(());
        };
        let result = sqlx::query_scalar::<_, bool>("SELECT pg_advisory_unlock($1, hashtext($2))")
            .bind(SNAPSHOT_LOCK_CLASS)
            .bind(&self.org_id)
            .fetch_one(&mut *conn)
            .await;
        match result {
            Ok(true) => Ok(()),
            Ok(false) => {
                tracing::warn!(atlas.org_id = %self.org_id, "snapshot lock was not held at release");
                drop(conn.detach());
                Ok(())
            }
            Err(err) => {
                drop(conn.detach());
                Err(err)
            }
        }
    }
}

impl Drop for OrgLock {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            // Closing the session is what releases a session lock that was never unlocked.
            drop(conn.detach());
        }
    }
}
