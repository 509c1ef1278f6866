//! What an admin does with the queue: release a campaign's held changes (confirming the share
//! guard rail when it tripped), retry, cancel, mark a change done by hand (a note is
//! required and verification still runs), pause or resume every worker, and the dry run.
//! Role checks happen in the server functions; every action writes its audit event here.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::RemediationError;
use super::operation::Operation;
use crate::backend::audit::{self, Actor, NewEvent};

async fn record(
    conn: &mut PgConnection,
    actor: &Actor,
    action: &'static str,
    kind: &'static str,
    id: String,
    details: serde_json::Value,
) -> Result<(), RemediationError> {
    audit::record(
        conn,
        NewEvent {
            actor: actor.clone(),
            action,
            object_kind: kind,
            object_id: id,
            details,
        },
    )
    .await?;
    Ok(())
}

/// Releases every held change of `campaign_id` to the workers. When the campaign tripped the
/// share guard rail, `confirm_share` must be set: the admin confirms the size of the change.
pub async fn release(
    pool: &PgPool,
    actor: &Actor,
    campaign_id: Uuid,
    confirm_share: bool,
) -> Result<i64, RemediationError> {
    let mut tx = pool.begin().await?;
    let held_for_share: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM remediation_alert WHERE kind = 'share_exceeded' \
             AND campaign_id = $1) \
         AND (SELECT remediation_share_confirmed_at IS NULL FROM campaign WHERE id = $1)",
    )
    .bind(campaign_id)
    .fetch_one(&mut *tx)
    .await?;
    if held_for_share && !confirm_share {
        return Err(RemediationError::Conflict(
            "This campaign revokes more than the allowed share of its population. Tick the \
             confirmation to release its changes."
                .into(),
        ));
    }
    if held_for_share {
        sqlx::query("UPDATE campaign SET remediation_share_confirmed_at = now() WHERE id = $1")
            .bind(campaign_id)
            .execute(&mut *tx)
            .await?;
    }
    let released = sqlx::query(
        "UPDATE remediation_job SET status = 'pending', status_reason = NULL, run_at = now(), \
             updated_at = now() \
         WHERE campaign_id = $1 AND status = 'awaiting_approval'",
    )
    .bind(campaign_id)
    .execute(&mut *tx)
    .await?
    .rows_affected() as i64;
    record(
        &mut tx,
        actor,
        "remediation.released",
        "campaign",
        campaign_id.to_string(),
        serde_json::json!({ "jobs": released, "share_confirmed": held_for_share }),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(campaign.id = %campaign_id, jobs = released, "remediation released");
    Ok(released)
}

/// The job's status and operation, locked.
async fn lock_job(
    conn: &mut PgConnection,
    job_id: i64,
) -> Result<(String, Operation), RemediationError> {
    let (status, target): (String, serde_json::Value) =
        sqlx::query_as("SELECT status, target FROM remediation_job WHERE id = $1 FOR UPDATE")
            .bind(job_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(RemediationError::NoJob(job_id))?;
    let operation = serde_json::from_value(target).unwrap_or(Operation::Unsupported {
        reason: "unreadable target".into(),
    });
    Ok((status, operation))
}

/// Sends a stopped job back to the workers, with a fresh failure budget.
pub async fn retry(pool: &PgPool, actor: &Actor, job_id: i64) -> Result<(), RemediationError> {
    let mut tx = pool.begin().await?;
    let (status, operation) = lock_job(&mut tx, job_id).await?;
    if !matches!(
        status.as_str(),
        "failed" | "needs_manual" | "dry_run" | "reopened" | "cancelled"
    ) {
        return Err(RemediationError::Conflict(format!(
            "Remediation job {job_id} is {status}; only a failed, stopped, dry-run, reopened or \
             cancelled job can be retried."
        )));
    }
    if !operation.is_pushable() {
        return Err(RemediationError::Conflict(format!(
            "Remediation job {job_id} is a change Attest cannot push ({}); mark it done by hand \
             once it is made.",
            operation.describe()
        )));
    }
    sqlx::query(
        "UPDATE remediation_job SET status = 'pending', status_reason = NULL, error_class = NULL, \
             failures = 0, manual = false, run_at = now(), updated_at = now() WHERE id = $1",
    )
    .bind(job_id)
    .execute(&mut *tx)
    .await?;
    record(
        &mut tx,
        actor,
        "remediation.retried",
        "remediation_job",
        job_id.to_string(),
        serde_json::json!({ "previous_status": status }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Cancels a job that has not been verified; the reviewer's decision stays as it was.
pub async fn cancel(
    pool: &PgPool,
    actor: &Actor,
    job_id: i64,
    note: &str,
) -> Result<(), RemediationError> {
    let note = required_note(note, "cancelling")?;
    let mut tx = pool.begin().await?;
    let (status, _) = lock_job(&mut tx, job_id).await?;
    if matches!(status.as_str(), "verified" | "cancelled" | "running") {
        return Err(RemediationError::Conflict(format!(
            "Remediation job {job_id} is {status} and cannot be cancelled."
        )));
    }
    sqlx::query(
        "UPDATE remediation_job SET status = 'cancelled', manual_note = $2, \
             status_reason = 'Cancelled by an admin', updated_at = now() WHERE id = $1",
    )
    .bind(job_id)
    .bind(note)
    .execute(&mut *tx)
    .await?;
    record(
        &mut tx,
        actor,
        "remediation.cancelled",
        "remediation_job",
        job_id.to_string(),
        serde_json::json!({ "previous_status": status, "note": note }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records that an admin made the change by hand. Verification still runs: a read of Atlas
/// for changes Attest can read back, the next snapshot for identity-provider changes.
pub async fn mark_done(
    pool: &PgPool,
    actor: &Actor,
    job_id: i64,
    note: &str,
) -> Result<(), RemediationError> {
    let note = required_note(note, "marking a change done by hand")?;
    let mut tx = pool.begin().await?;
    let (status, operation) = lock_job(&mut tx, job_id).await?;
    if !matches!(
        status.as_str(),
        "needs_manual" | "failed" | "dry_run" | "reopened" | "awaiting_approval"
    ) {
        return Err(RemediationError::Conflict(format!(
            "Remediation job {job_id} is {status}; it cannot be marked done by hand."
        )));
    }
    let (next, reason) = if operation.is_pushable() {
        (
            "done",
            "Marked done by hand; Attest is reading Atlas back to verify it.",
        )
    } else {
        (
            "awaiting_snapshot",
            "Marked done by hand; the next snapshot verifies it.",
        )
    };
    sqlx::query(
        "UPDATE remediation_job SET status = $2, status_reason = $3, manual_note = $4, \
             manual = true, run_at = now(), done_at = now(), updated_at = now() WHERE id = $1",
    )
    .bind(job_id)
    .bind(next)
    .bind(reason)
    .bind(note)
    .execute(&mut *tx)
    .await?;
    record(
        &mut tx,
        actor,
        "remediation.marked_done",
        "remediation_job",
        job_id.to_string(),
        serde_json::json!({ "previous_status": status, "note": note, "now": next }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn required_note<'a>(note: &'a str, doing: &str) -> Result<&'a str, RemediationError> {
    let note = note.trim();
    if note.is_empty() {
        return Err(RemediationError::Invalid(format!(
            "A note is required when {doing}: say what was done and where (e.g. a ticket)."
        )));
    }
    if note.chars().count() > 2000 {
        return Err(RemediationError::Invalid(
            "The note is longer than 2,000 characters.".into(),
        ));
    }
    Ok(note)
}

/// Pauses or resumes every worker.
pub async fn set_paused(
    pool: &PgPool,
    actor: &Actor,
    paused: bool,
    reason: &str,
) -> Result<(), RemediationError> {
    let mut tx = pool.begin().await?;
    let reason = Some(reason.trim()).filter(|r| !r.is_empty() && paused);
    sqlx::query(
        "UPDATE remediation_control SET paused = $1, paused_reason = $2, updated_at = now()",
    )
    .bind(paused)
    .bind(reason)
    .execute(&mut *tx)
    .await?;
    let action = if paused {
        "remediation.paused"
    } else {
        "remediation.resumed"
    };
    record(
        &mut tx,
        actor,
        action,
        "remediation_control",
        "global".into(),
        serde_json::json!({ "reason": reason }),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(paused, "remediation pause switched");
    Ok(())
}

/// Switches the global dry run, and the allowed revoke share (a fraction, e.g. 0.2).
pub async fn set_dry_run(
    pool: &PgPool,
    actor: &Actor,
    dry_run: bool,
) -> Result<(), RemediationError> {
    let mut tx = pool.begin().await?;
    sqlx::query("UPDATE remediation_control SET dry_run = $1, updated_at = now()")
        .bind(dry_run)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        actor,
        "remediation.dry_run_switched",
        "remediation_control",
        "global".into(),
        serde_json::json!({ "dry_run": dry_run }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the share of a campaign's population that may be revoked without confirmation.
pub async fn set_max_share(
    pool: &PgPool,
    actor: &Actor,
    share: f64,
) -> Result<(), RemediationError> {
    if !(share > 0.0 && share <= 1.0) {
        return Err(RemediationError::Invalid(format!(
            "The allowed revoke share must be above 0 and at most 1 (100 %), not {share}."
        )));
    }
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE remediation_control SET max_revoke_share = $1::float8::numeric, updated_at = now()",
    )
    .bind(share)
    .execute(&mut *tx)
    .await?;
    record(
        &mut tx,
        actor,
        "remediation.share_limit_set",
        "remediation_control",
        "global".into(),
        serde_json::json!({ "max_revoke_share": share }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
