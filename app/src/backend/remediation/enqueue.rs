//! Creating remediation jobs inside the transaction that makes revokes final (a reviewer's
//! submit or the campaign's close), so a revoke and the intent to act on it commit together.
//!
//! The campaign's mode decides where a job starts: automatic (pending, pushed at once), after
//! approval (waiting for an admin to release the batch) or manual (an admin makes the change
//! and notes it; Attest only verifies). Access Atlas cannot revoke alone (federation) always
//! needs an admin. A campaign whose revokes exceed the allowed share of its population holds
//! every job until an admin confirms.

use sqlx::PgConnection;
use uuid::Uuid;

use super::RemediationError;
use super::operation::{ItemFacts, Operation, derive};
use crate::backend::audit::{self, Actor, NewEvent};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    org_id: String,
    #[sqlx(flatten)]
    facts: ItemFacts,
}

/// A job about to be inserted.
struct NewJob {
    item_id: i64,
    org_id: String,
    entitlement_key: String,
    operation: Operation,
    status: &'static str,
    reason: String,
    manual: bool,
}

/// Creates a job for every submitted revoke of `campaign_id` that has none yet, in the
/// caller's transaction. Returns how many were created.
pub async fn enqueue_revokes(
    conn: &mut PgConnection,
    actor: &Actor,
    campaign_id: Uuid,
) -> Result<i64, RemediationError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT i.id, i.org_id, i.principal_kind, i.principal_key, p.atlas_id, \
                i.entitlement_key, i.project_id, i.role, i.grant_path, i.via_team_id, \
                i.via_mapping_id, i.via_org_role, i.principal_name \
         FROM review_item i \
         JOIN principal p ON p.snapshot_id = i.snapshot_id AND p.key = i.principal_key \
         WHERE i.campaign_id = $1 AND i.decision = 'revoke' AND i.submitted_at IS NOT NULL \
           AND NOT EXISTS (SELECT 1 FROM remediation_job j WHERE j.review_item_id = i.id) \
         ORDER BY i.id",
    )
    .bind(campaign_id)
    .fetch_all(&mut *conn)
    .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let (mode, confirmed): (String, bool) = sqlx::query_as(
        "SELECT remediation_mode, remediation_share_confirmed_at IS NOT NULL \
         FROM campaign WHERE id = $1",
    )
    .bind(campaign_id)
    .fetch_one(&mut *conn)
    .await?;
    let over_share = !confirmed && share_exceeded(conn, campaign_id, rows.len() as i64).await?;
    let jobs: Vec<NewJob> = rows
        .into_iter()
        .map(|row| {
            let operation = derive(&row.facts);
            let (status, reason, manual) = start(&operation, &mode, over_share);
            NewJob {
                item_id: row.id,
                org_id: row.org_id,
                entitlement_key: row.facts.entitlement_key,
                operation,
                status,
                reason,
                manual,
            }
        })
        .collect();
    insert(conn, campaign_id, &jobs).await?;
    if over_share {
        hold_campaign(conn, actor, campaign_id).await?;
    }
    let count = jobs.len() as i64;
    audit::record(
        conn,
        NewEvent {
            actor: actor.clone(),
            action: "remediation.jobs_created",
            object_kind: "campaign",
            object_id: campaign_id.to_string(),
            details: serde_json::json!({
                "jobs": count,
                "mode": mode,
                "held_for_share": over_share,
                "items": jobs.iter().map(|j| serde_json::json!({
                    "review_item_id": j.item_id,
                    "operation": j.operation.name(),
                    "status": j.status,
                })).collect::<Vec<_>>(),
            }),
        },
    )
    .await?;
    tracing::info!(campaign.id = %campaign_id, jobs = count, mode, held_for_share = over_share, "remediation jobs created");
    Ok(count)
}

/// Where a new job starts: its status, the reason shown to admins, and whether it is manual.
fn start(operation: &Operation, mode: &str, over_share: bool) -> (&'static str, String, bool) {
    if !operation.is_pushable() {
        return ("needs_manual", operation.describe(), true);
    }
    match mode {
        "manual" => (
            "needs_manual",
            "Manual mode: make this change in Atlas, then mark it done with a note; Attest \
             verifies it by reading Atlas back."
                .to_owned(),
            true,
        ),
        _ if over_share => ("awaiting_approval", SHARE_REASON.to_owned(), false),
        "automatic" => ("pending", String::new(), false),
        _ => (
            "awaiting_approval",
            "Waiting for an admin to release this campaign's changes.".to_owned(),
            false,
        ),
    }
}

const SHARE_REASON: &str = "Held: this campaign would revoke more than the allowed share of \
     its population; an admin must confirm before anything is pushed.";

/// Whether the campaign's revokes, `new_jobs` included, exceed the allowed share of its items.
async fn share_exceeded(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    new_jobs: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT ((SELECT count(*) FROM remediation_job WHERE campaign_id = $1) + $2)::numeric \
                > (SELECT max_revoke_share FROM remediation_control) \
                  * (SELECT count(*) FROM review_item WHERE campaign_id = $1)",
    )
    .bind(campaign_id)
    .bind(new_jobs)
    .fetch_one(conn)
    .await
}

async fn insert(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    jobs: &[NewJob],
) -> Result<(), sqlx::Error> {
    let items: Vec<i64> = jobs.iter().map(|j| j.item_id).collect();
    let orgs: Vec<&str> = jobs.iter().map(|j| j.org_id.as_str()).collect();
    let keys: Vec<&str> = jobs.iter().map(|j| j.entitlement_key.as_str()).collect();
    let names: Vec<&str> = jobs.iter().map(|j| j.operation.name()).collect();
    let targets: Vec<serde_json::Value> = jobs
        .iter()
        .map(|j| serde_json::to_value(&j.operation).expect("an operation always serializes"))
        .collect();
    let groups: Vec<Option<String>> = jobs
        .iter()
        .map(|j| match &j.operation {
            Operation::Federation { idp_group } => Some(idp_group.clone()),
            _ => None,
        })
        .collect();
    let statuses: Vec<&str> = jobs.iter().map(|j| j.status).collect();
    let reasons: Vec<Option<&str>> = jobs
        .iter()
        .map(|j| Some(j.reason.as_str()).filter(|r| !r.is_empty()))
        .collect();
    let manual: Vec<bool> = jobs.iter().map(|j| j.manual).collect();
    sqlx::query(
        "INSERT INTO remediation_job (campaign_id, review_item_id, org_id, entitlement_key, \
             operation, target, idp_group, status, status_reason, manual) \
         SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], \
             $6::jsonb[], $7::text[], $8::text[], $9::text[], $10::bool[])",
    )
    .bind(campaign_id)
    .bind(items)
    .bind(orgs)
    .bind(keys)
    .bind(names)
    .bind(targets)
    .bind(groups)
    .bind(statuses)
    .bind(reasons)
    .bind(manual)
    .execute(conn)
    .await?;
    Ok(())
}

/// Holds every not-yet-started job of the campaign and raises the alert once.
async fn hold_campaign(
    conn: &mut PgConnection,
    actor: &Actor,
    campaign_id: Uuid,
) -> Result<(), RemediationError> {
    sqlx::query(
        "UPDATE remediation_job SET status = 'awaiting_approval', status_reason = $2, \
             updated_at = now() \
         WHERE campaign_id = $1 AND status = 'pending' AND attempts = 0",
    )
    .bind(campaign_id)
    .bind(SHARE_REASON)
    .execute(&mut *conn)
    .await?;
    let raised = sqlx::query(
        "INSERT INTO remediation_alert (kind, campaign_id, message) \
         SELECT 'share_exceeded', $1, $2 \
         WHERE NOT EXISTS (SELECT 1 FROM remediation_alert \
                           WHERE kind = 'share_exceeded' AND campaign_id = $1)",
    )
    .bind(campaign_id)
    .bind(
        "This campaign would revoke more than the allowed share of its population; its \
           changes are held until an admin confirms.",
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if raised > 0 {
        audit::record(
            conn,
            NewEvent {
                actor: actor.clone(),
                action: "remediation.held_for_share",
                object_kind: "campaign",
                object_id: campaign_id.to_string(),
                details: serde_json::json!({}),
            },
        )
        .await?;
        tracing::warn!(campaign.id = %campaign_id, "campaign remediation held: revoke share exceeded");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role() -> Operation {
        Operation::ProjectRole {
            project_id: "p".into(),
            user_id: "u".into(),
            role: "GROUP_READ_ONLY".into(),
        }
    }

    #[test]
    fn modes_decide_where_a_job_starts() {
        assert_eq!(start(&role(), "automatic", false).0, "pending");
        assert_eq!(
            start(&role(), "after_approval", false).0,
            "awaiting_approval"
        );
        assert_eq!(
            start(&role(), "manual", false),
            ("needs_manual", start(&role(), "manual", false).1, true)
        );
        assert_eq!(start(&role(), "automatic", true).0, "awaiting_approval");
        let federation = Operation::Federation {
            idp_group: "g".into(),
        };
        let (status, reason, manual) = start(&federation, "automatic", false);
        assert_eq!(status, "needs_manual");
        assert!(manual);
        assert!(reason.contains("\"g\""));
    }
}
