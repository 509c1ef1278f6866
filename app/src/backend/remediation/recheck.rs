//! Closing the loop: every complete snapshot re-checks the entitlements remediation removed.
//! A verified revocation whose entitlement is back (an out-of-band re-grant, or a federation
//! mapping granting it again at sign-in) is reopened with an alert; a change made outside
//! Atlas's API (an identity-provider group) is verified once a snapshot no longer shows it.

use sqlx::PgPool;
use uuid::Uuid;

use super::RemediationError;
use crate::backend::audit::{self, Actor, NewEvent};

/// What a re-check found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recheck {
    /// Verified revocations whose entitlement came back.
    pub reopened: Vec<i64>,
    /// Changes made outside Atlas's API that the snapshot confirms.
    pub verified: Vec<i64>,
}

/// Re-checks the revoked entitlements of the org of complete snapshot `snapshot_id`, looking
/// only at jobs finished before the snapshot started.
pub async fn recheck_snapshot(
    pool: &PgPool,
    snapshot_id: Uuid,
) -> Result<Recheck, RemediationError> {
    let mut tx = pool.begin().await?;
    let reopened: Vec<i64> = sqlx::query_scalar(
        "UPDATE remediation_job j SET status = 'reopened', updated_at = now(), \
             status_reason = 'The revoked access is back in snapshot ' || s.id::text \
                 || ' (taken ' || to_char(s.started_at, 'YYYY-MM-DD HH24:MI') || ' UTC); \
                 someone granted it again outside the review.' \
         FROM snapshot s \
         WHERE s.id = $1 AND s.status = 'complete' AND j.org_id = s.org_id \
           AND j.status = 'verified' AND j.verified_at < s.started_at \
           AND EXISTS (SELECT 1 FROM entitlement e \
                       WHERE e.snapshot_id = s.id AND e.key = j.entitlement_key) \
         RETURNING j.id",
    )
    .bind(snapshot_id)
    .fetch_all(&mut *tx)
    .await?;
    let verified: Vec<i64> = sqlx::query_scalar(
        "UPDATE remediation_job j SET status = 'verified', verified_at = now(), \
             updated_at = now(), status_reason = 'Confirmed gone by snapshot ' || s.id::text \
         FROM snapshot s \
         WHERE s.id = $1 AND s.status = 'complete' AND j.org_id = s.org_id \
           AND j.status = 'awaiting_snapshot' AND j.updated_at < s.started_at \
           AND NOT EXISTS (SELECT 1 FROM entitlement e \
                           WHERE e.snapshot_id = s.id AND e.key = j.entitlement_key) \
         RETURNING j.id",
    )
    .bind(snapshot_id)
    .fetch_all(&mut *tx)
    .await?;
    if !reopened.is_empty() {
        sqlx::query(
            "INSERT INTO remediation_alert (kind, job_id, campaign_id, message) \
             SELECT 'reappeared', j.id, j.campaign_id, \
                    'Revoked access came back: ' || j.entitlement_key \
             FROM remediation_job j WHERE j.id = ANY($1)",
        )
        .bind(&reopened)
        .execute(&mut *tx)
        .await?;
    }
    if !reopened.is_empty() || !verified.is_empty() {
        audit::record(
            &mut tx,
            NewEvent {
                actor: Actor::System("remediation-recheck"),
                action: "remediation.rechecked",
                object_kind: "snapshot",
                object_id: snapshot_id.to_string(),
                details: serde_json::json!({ "reopened": reopened, "verified": verified }),
            },
        )
        .await?;
    }
    tx.commit().await?;
    if !reopened.is_empty() {
        tracing::warn!(snapshot.id = %snapshot_id, reopened = reopened.len(), "revoked access came back; jobs reopened");
    }
    Ok(Recheck { reopened, verified })
}
