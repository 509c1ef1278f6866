//! When a principal was last used: Atlas's `lastAuth` as the snapshot recorded it, or the
//! newer sighting harvested into `principal_usage` when that table exists.
//!
//! `principal_usage` arrives with the usage harvester; until its migration has run, the
//! snapshot's own `last_auth` is all there is. Which one applies is asked of the database per
//! request (a catalogue lookup), so a server keeps working across that migration.

use sqlx::PgExecutor;

/// SQL fragments that compute a principal's last use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// Whether harvested usage (`principal_usage`) is available.
    pub harvested: bool,
}

impl Usage {
    /// Asks the database whether harvested usage exists.
    pub async fn detect(db: impl PgExecutor<'_>) -> sqlx::Result<Usage> {
        let harvested: bool =
            sqlx::query_scalar("SELECT to_regclass('principal_usage') IS NOT NULL")
                .fetch_one(db)
                .await?;
        Ok(Usage { harvested })
    }

    /// A join of the harvested usage of the principal `key` in org `org` as `u`; nothing when
    /// there is none. Both arguments are fixed column expressions, never user input.
    pub fn join(self, org: &str, key: &str) -> String {
        if self.harvested {
            format!(" LEFT JOIN principal_usage u ON u.org_id = {org} AND u.principal_key = {key} ")
        } else {
            String::new()
        }
    }

    /// The last use of principal `p`: the later of its `last_auth` and harvested usage
    /// (GREATEST ignores NULLs); NULL when neither exists.
    pub fn last_used(self) -> &'static str {
        if self.harvested {
            "GREATEST(p.last_auth, u.last_used_at)"
        } else {
            "p.last_auth"
        }
    }
}
