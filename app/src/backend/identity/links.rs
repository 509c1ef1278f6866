//! Materializing a snapshot's identity links: one set-based statement per method, run in
//! precedence order so that, per principal and relation (holder or owner), the first method to
//! match wins (`ON CONFLICT DO NOTHING` on the key).

use serde::Serialize;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::LINKABLE_KINDS;

/// How many links of one snapshot each method made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LinkCounts {
    pub explicit_mapping: u64,
    pub email: u64,
    pub owner_label: u64,
    pub username_email: u64,
}

impl LinkCounts {
    /// Links made by any method (a principal with a holder and an owner counts twice).
    pub fn total(&self) -> u64 {
        self.explicit_mapping + self.email + self.owner_label + self.username_email
    }
}

/// The newest complete snapshot of each org (of `org_id` only, when given), with its org.
pub async fn latest_complete_snapshots(
    db: impl PgExecutor<'_>,
    org_id: Option<&str>,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT DISTINCT ON (org_id) id, org_id FROM snapshot \
         WHERE status = 'complete' AND ($1::text IS NULL OR org_id = $1) \
         ORDER BY org_id, finished_at DESC, id",
    )
    .bind(org_id)
    .fetch_all(db)
    .await
}

/// Rebuilds the links of the newest complete snapshot of each org (or of `org_id`), inside the
/// caller's transaction. Older snapshots keep the links they had: they record what was known.
pub async fn refresh_latest_links(
    conn: &mut PgConnection,
    org_id: Option<&str>,
) -> sqlx::Result<Vec<(Uuid, LinkCounts)>> {
    let mut refreshed = Vec::new();
    for (snapshot_id, _) in latest_complete_snapshots(&mut *conn, org_id).await? {
        refreshed.push((snapshot_id, refresh_links(conn, snapshot_id).await?));
    }
    Ok(refreshed)
}

/// Takes the per-snapshot lock under which a snapshot's links and the flags derived from them
/// are rebuilt, until the caller's transaction ends, so two rebuilds never interleave.
pub async fn lock_links(conn: &mut PgConnection, snapshot_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('identity_link:' || $1::text, 0))")
        .bind(snapshot_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Replaces every link of `snapshot_id` with freshly derived ones, and the inventory's
/// principal flags derived from them, inside the caller's transaction. Runs under
/// [`lock_links`] so two refreshes never interleave.
pub async fn refresh_links(conn: &mut PgConnection, snapshot_id: Uuid) -> sqlx::Result<LinkCounts> {
    lock_links(&mut *conn, snapshot_id).await?;
    let (owner_label_key,): (String,) =
        sqlx::query_as("SELECT owner_label_key FROM inventory_setting")
            .fetch_one(&mut *conn)
            .await?;
    sqlx::query("DELETE FROM identity_link WHERE snapshot_id = $1")
        .bind(snapshot_id)
        .execute(&mut *conn)
        .await?;

    // Explicit mappings first, so they win over every inference for their relation.
    let explicit_mapping = sqlx::query(
        "INSERT INTO identity_link \
             (snapshot_id, principal_key, relation, person_id, method, matched_on) \
         SELECT p.snapshot_id, p.key, m.relation, m.person_id, 'explicit_mapping', \
                m.mapped_by_label \
         FROM principal p \
         JOIN snapshot s ON s.id = p.snapshot_id \
         JOIN identity_mapping m ON m.org_id = s.org_id AND m.principal_key = p.key \
         WHERE p.snapshot_id = $1 AND p.kind = ANY($2) \
         ON CONFLICT DO NOTHING",
    )
    .bind(snapshot_id)
    .bind(LINKABLE_KINDS.as_slice())
    .execute(&mut *conn)
    .await?
    .rows_affected();

    let email = sqlx::query(
        "INSERT INTO identity_link \
             (snapshot_id, principal_key, relation, person_id, method, matched_on) \
         SELECT p.snapshot_id, p.key, 'holder', pe.id, 'email', pe.email \
         FROM principal p JOIN person pe ON pe.email = lower(btrim(p.email)) \
         WHERE p.snapshot_id = $1 AND p.kind = 'atlas_user' \
         ON CONFLICT DO NOTHING",
    )
    .bind(snapshot_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();

    let username_email = sqlx::query(
        "INSERT INTO identity_link \
             (snapshot_id, principal_key, relation, person_id, method, matched_on) \
         SELECT p.snapshot_id, p.key, 'holder', pe.id, 'username_email', p.username \
         FROM principal p JOIN person pe ON pe.email = lower(btrim(p.username)) \
         WHERE p.snapshot_id = $1 AND p.kind = 'database_user' \
         ON CONFLICT DO NOTHING",
    )
    .bind(snapshot_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();

    // Several owner labels naming different people: the alphabetically first email wins, so
    // the result is stable; the label value is kept to show what matched.
    let owner_label = sqlx::query(
        "INSERT INTO identity_link \
             (snapshot_id, principal_key, relation, person_id, method, matched_on) \
         SELECT DISTINCT ON (p.key) p.snapshot_id, p.key, 'owner', pe.id, 'owner_label', \
                l.value ->> 'value' \
         FROM principal p \
         CROSS JOIN LATERAL jsonb_array_elements(p.labels) AS l(value) \
         JOIN person pe ON pe.email = lower(btrim(l.value ->> 'value')) \
         WHERE p.snapshot_id = $1 AND p.kind = 'database_user' \
           AND lower(btrim(l.value ->> 'key')) = lower(btrim($2)) \
         ORDER BY p.key, pe.email \
         ON CONFLICT DO NOTHING",
    )
    .bind(snapshot_id)
    .bind(&owner_label_key)
    .execute(&mut *conn)
    .await?
    .rows_affected();

    let counts = LinkCounts {
        explicit_mapping,
        email,
        owner_label,
        username_email,
    };
    tracing::debug!(
        snapshot.id = %snapshot_id, links.explicit_mapping = explicit_mapping,
        links.email = email, links.owner_label = owner_label,
        links.username_email = username_email, "identity links refreshed"
    );
    // People, mappings and settings change only through callers of this function; usage also
    // changes in the harvest, which refreshes the flags itself.
    crate::backend::inventory::flags::refresh_flags(&mut *conn, snapshot_id).await?;
    Ok(counts)
}
