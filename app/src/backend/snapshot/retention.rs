//! Retention: deleting old snapshots per a configurable policy, each deletion audited, never
//! a snapshot a campaign froze and never an org's newest complete snapshots.
//!
//! The database refuses to delete a complete snapshot unless the transaction first names it in
//! `attest.deleting_snapshot` and wrote its `snapshot.deleted` audit event (the
//! `snapshot_operations` migration); campaign tables reference snapshots without cascading, so
//! even a mistake here cannot remove a campaign's evidence.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::SnapshotError;
use crate::backend::audit::{self, Actor, NewEvent};

/// Which snapshots are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// Snapshots that finished within this many days are kept.
    pub keep_days: i64,
    /// The newest this-many complete snapshots of each org are kept, however old.
    pub keep_last: i64,
}

impl Default for RetentionPolicy {
    /// A year of daily snapshots, and always the newest seven per org.
    fn default() -> Self {
        Self {
            keep_days: 365,
            keep_last: 7,
        }
    }
}

/// What one retention pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RetentionReport {
    pub deleted: Vec<Uuid>,
    /// Old enough to go but frozen by a campaign, so kept.
    pub kept_for_campaigns: Vec<Uuid>,
}

/// Snapshots past the policy: finished (complete or failed) before the cutoff and not among
/// the org's newest `keep_last` complete ones. Campaign use is checked separately, per
/// snapshot, under a lock.
async fn candidates(pool: &PgPool, policy: RetentionPolicy) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT id FROM ( \
             SELECT id, status, finished_at, \
                    row_number() OVER (PARTITION BY org_id, status = 'complete' \
                                       ORDER BY finished_at DESC) AS newest \
             FROM snapshot WHERE status <> 'running') s \
         WHERE finished_at < now() - make_interval(days => $1) \
           AND NOT (status = 'complete' AND newest <= $2) \
         ORDER BY finished_at",
    )
    .bind(i32::try_from(policy.keep_days).unwrap_or(i32::MAX))
    .bind(policy.keep_last)
    .fetch_all(pool)
    .await
}

/// Whether a campaign froze `snapshot_id` (its population or one of its review items).
async fn used_by_campaign(conn: &mut PgConnection, snapshot_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM campaign_snapshot WHERE snapshot_id = $1) \
             OR EXISTS (SELECT 1 FROM review_item WHERE snapshot_id = $1)",
    )
    .bind(snapshot_id)
    .fetch_one(&mut *conn)
    .await
}

/// Applies `policy` once: every snapshot past it is deleted in its own transaction with its
/// `snapshot.deleted` audit event, except those a campaign uses.
pub async fn apply_retention(
    pool: &PgPool,
    policy: RetentionPolicy,
    actor: &Actor,
) -> Result<RetentionReport, SnapshotError> {
    let mut report = RetentionReport::default();
    for id in candidates(pool, policy).await? {
        match delete_snapshot(pool, id, actor, &format!(
            "retention: older than {} days and not among the newest {} complete snapshots of its org",
            policy.keep_days, policy.keep_last
        ))
        .await
        {
            Ok(()) => report.deleted.push(id),
            Err(SnapshotError::InUse(_)) => report.kept_for_campaigns.push(id),
            Err(SnapshotError::NotFound(_)) => {}
            Err(err) => return Err(err),
        }
    }
    if !report.deleted.is_empty() || !report.kept_for_campaigns.is_empty() {
        tracing::info!(
            deleted = report.deleted.len(),
            kept_for_campaigns = report.kept_for_campaigns.len(),
            keep_days = policy.keep_days,
            keep_last = policy.keep_last,
            "snapshot retention applied"
        );
    }
    Ok(report)
}

/// Org, status, finish time and content hash: what the deletion's audit event records.
type SnapshotFacts = (String, String, Option<DateTime<Utc>>, Option<String>);

/// Deletes one finished snapshot and everything stored with it, audited, unless a campaign
/// uses it ([`SnapshotError::InUse`]) or it is still running ([`SnapshotError::Running`]).
pub async fn delete_snapshot(
    pool: &PgPool,
    snapshot_id: Uuid,
    actor: &Actor,
    reason: &str,
) -> Result<(), SnapshotError> {
    let mut tx = pool.begin().await?;
    // The row lock conflicts with the key-share lock a campaign launch takes when it inserts
    // a reference to this snapshot, so a launch and this deletion cannot interleave.
    let found: Option<SnapshotFacts> = sqlx::query_as(
        "SELECT org_id, status, finished_at, content_sha256 FROM snapshot WHERE id = $1 \
         FOR UPDATE",
    )
    .bind(snapshot_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((org_id, status, finished_at, content_sha256)) = found else {
        return Err(SnapshotError::NotFound(snapshot_id));
    };
    if status == "running" {
        return Err(SnapshotError::Running(snapshot_id));
    }
    if used_by_campaign(&mut tx, snapshot_id).await? {
        return Err(SnapshotError::InUse(snapshot_id));
    }
    let (principals, entitlements): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM principal WHERE snapshot_id = $1), \
                (SELECT count(*) FROM entitlement WHERE snapshot_id = $1)",
    )
    .bind(snapshot_id)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        NewEvent {
            actor: actor.clone(),
            action: "snapshot.deleted",
            object_kind: "snapshot",
            object_id: snapshot_id.to_string(),
            details: json!({
                "org_id": org_id, "status": status, "finished_at": finished_at,
                "content_sha256": content_sha256, "principals": principals,
                "entitlements": entitlements, "reason": reason,
            }),
        },
    )
    .await?;
    sqlx::query("SELECT set_config('attest.deleting_snapshot', $1, true)")
        .bind(snapshot_id.to_string())
        .execute(&mut *tx)
        .await?;
    for table in [
        "snapshot_page",
        "snapshot_request",
        "entitlement",
        "principal",
        "snapshot_project",
        "snapshot_progress",
        "snapshot",
    ] {
        let column = if table == "snapshot" {
            "id"
        } else {
            "snapshot_id"
        };
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE {column} = $1"
        )))
        .bind(snapshot_id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    tracing::info!(snapshot.id = %snapshot_id, atlas.org_id = %org_id, principals, entitlements, "snapshot deleted by retention");
    Ok(())
}
