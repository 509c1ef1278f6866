//! Reviewers' decisions: one item, many at once, and submitting.
//!
//! A decision can be changed until the reviewer submits; every change is a new
//! `review_decision` row, so the history is never overwritten. Submitting makes the decisions
//! final and turns submitted revokes into remediation work. Only the item's reviewer may
//! decide; the database refuses a decision by the item's subject as a second line of defence.

use sqlx::PgPool;
use uuid::Uuid;

use super::{CampaignError, lock_status, person_of_viewer};
use crate::backend::audit::{self, Actor, NewEvent};
use crate::backend::remediation::enqueue::enqueue_revokes;
use crate::model::campaign::BulkOutcome;

/// Who is deciding: the Attest user and the directory person they are.
struct Decider {
    person_id: Uuid,
    label: String,
}

async fn decider(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    email: Option<&str>,
) -> Result<Decider, CampaignError> {
    let (person_id, _) = person_of_viewer(conn, email).await?.ok_or_else(|| {
        CampaignError::Forbidden("the caller is not a person in the directory".into())
    })?;
    Ok(Decider {
        person_id,
        label: actor.label(),
    })
}

fn parse_decision(decision: &str) -> Result<&'static str, CampaignError> {
    match decision {
        "approve" => Ok("approve"),
        "revoke" => Ok("revoke"),
        other => Err(CampaignError::invalid(format!(
            "'{other}' is not a decision; use approve or revoke."
        ))),
    }
}

/// The self-decision constraints, reported as what they are instead of a database fault.
fn refuse_self(err: sqlx::Error) -> CampaignError {
    let constraint = err
        .as_database_error()
        .and_then(|e| e.constraint())
        .unwrap_or_default();
    if constraint.contains("no_self") {
        CampaignError::Forbidden("a person cannot decide on their own access".into())
    } else {
        CampaignError::Database(err)
    }
}

/// The item's state, locked, checked for a decision by `person_id`.
#[derive(Debug, sqlx::FromRow)]
struct LockedItem {
    id: i64,
    campaign_id: Uuid,
    is_privileged: bool,
    submitted: bool,
    status: String,
    comment_required_on_revoke: bool,
    comment_required_on_privileged_approve: bool,
}

async fn lock_items(
    conn: &mut sqlx::PgConnection,
    person_id: Uuid,
    item_ids: &[i64],
) -> Result<Vec<LockedItem>, CampaignError> {
    let items: Vec<LockedItem> = sqlx::query_as(
        "SELECT i.id, i.campaign_id, i.is_privileged, i.submitted_at IS NOT NULL AS submitted, \
                c.status, c.comment_required_on_revoke, c.comment_required_on_privileged_approve \
         FROM review_item i JOIN campaign c ON c.id = i.campaign_id \
         WHERE i.id = ANY($1) AND i.reviewer_person_id = $2 ORDER BY i.id FOR UPDATE OF i",
    )
    .bind(item_ids)
    .bind(person_id)
    .fetch_all(conn)
    .await?;
    let mut wanted = item_ids.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    if items.len() != wanted.len() {
        return Err(CampaignError::Forbidden(format!(
            "{} of the {} review items are not assigned to the caller",
            wanted.len() - items.len(),
            wanted.len()
        )));
    }
    if let Some(item) = items.iter().find(|i| i.status != "active") {
        return Err(CampaignError::Conflict(format!(
            "Review item {} belongs to a campaign that is {}; decisions can no longer be made.",
            item.id, item.status
        )));
    }
    if let Some(item) = items.iter().find(|i| i.submitted) {
        return Err(CampaignError::Conflict(format!(
            "Review item {} was already submitted; submitted decisions are final.",
            item.id
        )));
    }
    Ok(items)
}

fn check_comment(item: &LockedItem, decision: &str, comment: &str) -> Result<(), CampaignError> {
    if !comment.trim().is_empty() {
        return Ok(());
    }
    if decision == "revoke" && item.comment_required_on_revoke {
        return Err(CampaignError::invalid(format!(
            "A comment is required to revoke review item {} in this campaign: say why the \
             access should go.",
            item.id
        )));
    }
    if decision == "approve" && item.is_privileged && item.comment_required_on_privileged_approve {
        return Err(CampaignError::invalid(format!(
            "Review item {} is privileged; approving it needs a comment saying why the access \
             is still needed.",
            item.id
        )));
    }
    Ok(())
}

/// Records `decision` on `item_ids` (already checked) with one statement per table.
async fn apply(
    conn: &mut sqlx::PgConnection,
    who: &Decider,
    actor: &Actor,
    item_ids: &[i64],
    decision: &str,
    comment: Option<&str>,
    source: &str,
) -> Result<(), CampaignError> {
    sqlx::query(
        "UPDATE review_item SET decision = $2, decision_comment = $3, decision_source = $4, \
             decided_by_person_id = $5, decided_by_label = $6, decided_at = now() \
         WHERE id = ANY($1)",
    )
    .bind(item_ids)
    .bind(decision)
    .bind(comment)
    .bind(source)
    .bind(who.person_id)
    .bind(&who.label)
    .execute(&mut *conn)
    .await
    .map_err(refuse_self)?;
    sqlx::query(
        "INSERT INTO review_decision (item_id, decision, comment, source, decided_by_user, \
             decided_by_person_id, decided_by_label) \
         SELECT id, $2, $3, $4, $5, $6, $7 FROM unnest($1::bigint[]) AS t(id)",
    )
    .bind(item_ids)
    .bind(decision)
    .bind(comment)
    .bind(source)
    .bind(actor.user_id())
    .bind(who.person_id)
    .bind(&who.label)
    .execute(&mut *conn)
    .await
    .map_err(refuse_self)?;
    Ok(())
}

/// Approves or revokes one item assigned to the person whose email is `email`.
pub async fn decide(
    pool: &PgPool,
    actor: &Actor,
    email: Option<&str>,
    item_id: i64,
    decision: &str,
    comment: &str,
) -> Result<(), CampaignError> {
    let decision = parse_decision(decision)?;
    let mut tx = pool.begin().await?;
    let who = decider(&mut tx, actor, email).await?;
    let items = lock_items(&mut tx, who.person_id, &[item_id]).await?;
    let item = &items[0];
    check_comment(item, decision, comment)?;
    let comment = Some(comment.trim()).filter(|c| !c.is_empty());
    apply(
        &mut tx,
        &who,
        actor,
        &[item_id],
        decision,
        comment,
        "reviewer",
    )
    .await?;
    audit::record(
        &mut tx,
        NewEvent {
            actor: actor.clone(),
            action: "review.decided",
            object_kind: "review_item",
            object_id: item_id.to_string(),
            details: serde_json::json!({
                "campaign_id": item.campaign_id,
                "decision": decision,
                "comment": comment,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    tracing::debug!(review_item.id = item_id, decision, "review item decided");
    Ok(())
}

/// Applies one decision to many items of the caller. Privileged items are left out unless
/// `include_privileged` is set, and then approving them needs the comment the campaign asks
/// for; the outcome says how many were left out.
pub async fn decide_many(
    pool: &PgPool,
    actor: &Actor,
    email: Option<&str>,
    item_ids: &[i64],
    decision: &str,
    comment: &str,
    include_privileged: bool,
) -> Result<BulkOutcome, CampaignError> {
    let decision = parse_decision(decision)?;
    if item_ids.is_empty() {
        return Err(CampaignError::invalid(
            "No review items were selected; select the items to decide.",
        ));
    }
    let mut tx = pool.begin().await?;
    let who = decider(&mut tx, actor, email).await?;
    let items = lock_items(&mut tx, who.person_id, item_ids).await?;
    let (chosen, skipped): (Vec<&LockedItem>, Vec<&LockedItem>) = items
        .iter()
        .partition(|item| include_privileged || !item.is_privileged);
    for item in &chosen {
        check_comment(item, decision, comment)?;
    }
    let ids: Vec<i64> = chosen.iter().map(|i| i.id).collect();
    let comment = Some(comment.trim()).filter(|c| !c.is_empty());
    if !ids.is_empty() {
        apply(&mut tx, &who, actor, &ids, decision, comment, "bulk").await?;
        audit::record(
            &mut tx,
            NewEvent {
                actor: actor.clone(),
                action: "review.decided_in_bulk",
                object_kind: "review_item",
                object_id: format!("{} items", ids.len()),
                details: serde_json::json!({
                    "item_ids": ids,
                    "decision": decision,
                    "comment": comment,
                    "skipped_privileged": skipped.iter().map(|i| i.id).collect::<Vec<_>>(),
                }),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(BulkOutcome {
        decided: ids.len() as i64,
        skipped_privileged: skipped.len() as i64,
    })
}

/// Submits the caller's decided items in `campaign_id`: their decisions become final and the
/// revokes become remediation work. Returns how many items were submitted.
pub async fn submit(
    pool: &PgPool,
    actor: &Actor,
    email: Option<&str>,
    campaign_id: Uuid,
) -> Result<i64, CampaignError> {
    let mut tx = pool.begin().await?;
    let who = decider(&mut tx, actor, email).await?;
    let status = lock_status(&mut tx, campaign_id).await?;
    if status != "active" {
        return Err(CampaignError::Conflict(format!(
            "This campaign is {status}; nothing can be submitted."
        )));
    }
    let decisions: Vec<String> = sqlx::query_scalar(
        "UPDATE review_item SET submitted_at = now() \
         WHERE campaign_id = $1 AND reviewer_person_id = $2 AND decision IS NOT NULL \
           AND submitted_at IS NULL RETURNING decision",
    )
    .bind(campaign_id)
    .bind(who.person_id)
    .fetch_all(&mut *tx)
    .await?;
    if decisions.is_empty() {
        return Err(CampaignError::invalid(
            "There is nothing to submit: decide at least one item first.",
        ));
    }
    let revokes = decisions.iter().filter(|d| *d == "revoke").count();
    // The revokes and the jobs that carry them out commit together (the outbox).
    enqueue_revokes(&mut tx, actor, campaign_id).await?;
    audit::record(
        &mut tx,
        NewEvent {
            actor: actor.clone(),
            action: "review.submitted",
            object_kind: "campaign",
            object_id: campaign_id.to_string(),
            details: serde_json::json!({
                "items": decisions.len(),
                "revokes": revokes,
                "reviewer_person_id": who.person_id,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(campaign.id = %campaign_id, items = decisions.len(), revokes, "review submitted");
    Ok(decisions.len() as i64)
}
