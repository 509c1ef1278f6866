//! Claiming jobs and completing them.
//!
//! A claim is one short statement: due jobs (and running jobs whose lease ran out, because
//! their worker died) are taken with `FOR UPDATE SKIP LOCKED`, so concurrent workers in any
//! number of processes take different jobs and never wait on each other. Each claim gets a
//! fresh lease token. Completion updates the job only while that token is still its own (a
//! fencing token): a worker that lost its lease changes nothing, and the next run's pre-read
//! makes the overlap harmless.

use std::time::Duration;

use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use super::RemediationError;
use super::operation::Operation;
use crate::backend::audit::{self, Actor, NewEvent};

/// A claimed job.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub org_id: String,
    pub operation: Operation,
    pub lease_token: Uuid,
    pub attempts: i32,
    pub failures: i32,
    pub manual: bool,
    /// Remediation was in dry-run mode when the job was claimed: compute, send nothing.
    pub dry_run: bool,
    /// The target could not be read as an operation (a newer or corrupt row).
    pub unreadable: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ClaimRow {
    id: i64,
    org_id: String,
    target: Value,
    lease_token: Uuid,
    attempts: i32,
    failures: i32,
    manual: bool,
    dry_run: bool,
}

/// Claims up to `limit` due jobs for `worker`, leased for `lease`, oldest due first. Nothing
/// is claimed while remediation is paused; the dry-run switch is read in the same statement.
pub async fn claim(
    pool: &PgPool,
    worker: &str,
    limit: i64,
    lease: Duration,
) -> Result<Vec<Claimed>, sqlx::Error> {
    let rows: Vec<ClaimRow> = sqlx::query_as(
        "WITH next AS ( \
           SELECT id FROM remediation_job \
           WHERE ((status IN ('pending', 'done') AND run_at <= now()) \
                  OR (status = 'running' AND lease_until < now())) \
             AND NOT (SELECT paused FROM remediation_control) \
           ORDER BY run_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) \
         UPDATE remediation_job j SET status = 'running', lease_owner = $2, \
             lease_until = now() + make_interval(secs => $3), lease_token = gen_random_uuid(), \
             attempts = j.attempts + 1, updated_at = now() \
         FROM next WHERE j.id = next.id \
         RETURNING j.id, j.org_id, j.target, j.lease_token, j.attempts, j.failures, j.manual, \
             (SELECT dry_run FROM remediation_control) AS dry_run",
    )
    .bind(limit)
    .bind(worker)
    .bind(lease.as_secs_f64())
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let (operation, unreadable) = match serde_json::from_value::<Operation>(row.target) {
                Ok(op) => (op, None),
                Err(err) => (
                    Operation::Unsupported {
                        reason: String::new(),
                    },
                    Some(format!("the job's target cannot be read: {err}")),
                ),
            };
            Claimed {
                id: row.id,
                org_id: row.org_id,
                operation,
                lease_token: row.lease_token,
                attempts: row.attempts,
                failures: row.failures,
                manual: row.manual,
                dry_run: row.dry_run,
                unreadable,
            }
        })
        .collect())
}

/// Where a run leaves its job.
#[derive(Debug, Clone)]
pub struct Transition {
    pub status: &'static str,
    pub reason: Option<String>,
    pub error_class: Option<&'static str>,
    /// When the job is due again (for `pending` and `done`).
    pub run_after: Duration,
    pub failure: bool,
    pub effect: Option<String>,
    pub request: Option<Value>,
    pub response: Option<Value>,
    /// The audit action and the attempt's outcome word.
    pub action: &'static str,
    pub alert: Option<(&'static str, String)>,
    /// Stop every worker, with this reason.
    pub pause: Option<String>,
}

impl Transition {
    /// A transition to `status` recorded as `action`, everything else empty.
    pub fn to(status: &'static str, action: &'static str) -> Transition {
        Transition {
            status,
            reason: None,
            error_class: None,
            run_after: Duration::ZERO,
            failure: false,
            effect: None,
            request: None,
            response: None,
            action,
            alert: None,
            pause: None,
        }
    }
}

/// Applies `t` to `job` if `worker` still holds its lease; returns false when the lease was
/// lost (the result is then discarded).
pub async fn finish(
    pool: &PgPool,
    worker: &str,
    job: &Claimed,
    t: Transition,
) -> Result<bool, RemediationError> {
    let mut tx = pool.begin().await?;
    let updated = sqlx::query(
        "UPDATE remediation_job SET status = $3, status_reason = $4, error_class = $5, \
             run_at = now() + make_interval(secs => $6), failures = failures + $7::int, \
             effect = coalesce($8, effect), last_request = coalesce($9, last_request), \
             last_response = coalesce($10, last_response), lease_owner = NULL, \
             lease_until = NULL, lease_token = NULL, updated_at = now(), \
             done_at = CASE WHEN $3 IN ('done', 'verified') THEN coalesce(done_at, now()) \
                            ELSE done_at END, \
             verified_at = CASE WHEN $3 = 'verified' THEN now() ELSE verified_at END \
         WHERE id = $1 AND lease_token = $2",
    )
    .bind(job.id)
    .bind(job.lease_token)
    .bind(t.status)
    .bind(&t.reason)
    .bind(t.error_class)
    .bind(t.run_after.as_secs_f64())
    .bind(i32::from(t.failure))
    .bind(&t.effect)
    .bind(&t.request)
    .bind(&t.response)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if updated == 0 {
        tx.rollback().await?;
        tracing::warn!(
            remediation.job_id = job.id,
            worker,
            "lease lost; result discarded"
        );
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO remediation_attempt (job_id, attempt, worker, outcome, request, response) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(job.id)
    .bind(job.attempts)
    .bind(worker)
    .bind(t.action)
    .bind(&t.request)
    .bind(&t.response)
    .execute(&mut *tx)
    .await?;
    if let Some((kind, message)) = &t.alert {
        sqlx::query("INSERT INTO remediation_alert (kind, job_id, message) VALUES ($1, $2, $3)")
            .bind(kind)
            .bind(job.id)
            .bind(message)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(reason) = &t.pause {
        sqlx::query(
            "UPDATE remediation_control SET paused = true, paused_reason = $1, updated_at = now()",
        )
        .bind(reason)
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        &mut tx,
        NewEvent {
            actor: Actor::System("remediation-worker"),
            action: t.action,
            object_kind: "remediation_job",
            object_id: job.id.to_string(),
            details: serde_json::json!({
                "status": t.status,
                "attempt": job.attempts,
                "operation": job.operation.name(),
                "effect": t.effect,
                "reason": t.reason,
                "error_class": t.error_class,
                "request": t.request,
                "response": t.response,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
