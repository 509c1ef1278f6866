//! Principal flags: what the orphan, leaver and dormant filters ask of each principal of a
//! snapshot (the person behind it, whether that person has left, whether it is an orphan, its
//! last use), kept in `principal_flag` so that those filters read one row per principal instead
//! of joining identity links, people and usage for every entitlement.
//!
//! The flags are derived from the same inputs as the identity links and rebuilt with them:
//! [`crate::backend::identity::refresh_links`] calls [`refresh_flags`] (snapshot completed,
//! roster imported, mapping or settings changed), and the usage harvest calls it for the org's
//! newest snapshots. Only the calendar-free part of each rule is stored; "past the end date"
//! and "unused for N days" are decided when the inventory is read, so the flags never go stale
//! with time.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::backend::identity::LINKABLE_KINDS;

/// Rebuilds the flags of every principal of `snapshot_id` from its identity links, the people
/// behind them and the kept usage, inside the caller's transaction. Returns the rows written.
pub async fn refresh_flags(conn: &mut PgConnection, snapshot_id: Uuid) -> sqlx::Result<u64> {
    crate::backend::identity::links::lock_links(&mut *conn, snapshot_id).await?;
    sqlx::query("DELETE FROM principal_flag WHERE snapshot_id = $1")
        .bind(snapshot_id)
        .execute(&mut *conn)
        .await?;
    // A snapshot holds one org's pull, so its usage is the snapshot org's.
    let org_id: String = sqlx::query_scalar("SELECT org_id FROM snapshot WHERE id = $1")
        .bind(snapshot_id)
        .fetch_one(&mut *conn)
        .await?;
    // A snapshot's rows are flagged in the transaction that wrote them, before any statistics
    // exist; the planner's guesses then chose a nested loop that ran for minutes over the
    // `large` org. Hash joins read each table once, whatever the guesses.
    let nested_loops: String = sqlx::query_scalar("SELECT current_setting('enable_nestloop')")
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query("SET LOCAL enable_nestloop = off")
        .execute(&mut *conn)
        .await?;
    // The person behind a principal is its holder, else its owner (as the inventory shows it).
    let written = sqlx::query(
        "INSERT INTO principal_flag \
             (snapshot_id, principal_key, person_id, marked_leaver, end_date, orphan, last_used) \
         SELECT p.snapshot_id, p.key, pe.id, \
                coalesce(pe.status = 'leaver' OR NOT pe.in_roster, false), pe.end_date, \
                pe.id IS NULL AND p.kind = ANY($2), greatest(p.last_auth, u.last_used_at) \
         FROM principal p \
         LEFT JOIN identity_link lh ON lh.snapshot_id = p.snapshot_id \
                                   AND lh.principal_key = p.key AND lh.relation = 'holder' \
         LEFT JOIN identity_link lo ON lo.snapshot_id = p.snapshot_id \
                                   AND lo.principal_key = p.key AND lo.relation = 'owner' \
         LEFT JOIN person pe ON pe.id = coalesce(lh.person_id, lo.person_id) \
         LEFT JOIN principal_usage u ON u.org_id = $3 AND u.principal_key = p.key \
         WHERE p.snapshot_id = $1",
    )
    .bind(snapshot_id)
    .bind(LINKABLE_KINDS.as_slice())
    .bind(&org_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    sqlx::query("SELECT set_config('enable_nestloop', $1, true)")
        .bind(&nested_loops)
        .execute(&mut *conn)
        .await?;
    tracing::debug!(snapshot.id = %snapshot_id, principals = written, "principal flags refreshed");
    Ok(written)
}

/// Whether every snapshot of `snapshots` has its flags. A snapshot completed by an older
/// version of Attest, still running next to this one, has none; the inventory then reads the
/// links, people and usage themselves.
pub async fn have_flags(conn: &mut PgConnection, snapshots: &[Uuid]) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT coalesce(bool_and(EXISTS (SELECT 1 FROM principal_flag f \
                                          WHERE f.snapshot_id = s.id)), true) \
         FROM unnest($1::uuid[]) AS s(id)",
    )
    .bind(snapshots)
    .fetch_one(&mut *conn)
    .await
}
