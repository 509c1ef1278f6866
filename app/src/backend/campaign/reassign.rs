//! Moving items to another reviewer after launch: an admin's reassignment (one or many) or a
//! reviewer's forward of their own item, where the campaign allows it. Both need a reason,
//! never land an item on the person whose access it is, and are kept as history. A pending
//! (unsubmitted) decision of the previous reviewer is cleared and recorded with the move.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{CampaignError, person_of_viewer};
use crate::backend::audit::{self, Actor, NewEvent};

/// The reviewer an item is moved to.
async fn target(conn: &mut PgConnection, email: &str) -> Result<(Uuid, String), CampaignError> {
    let email = email.trim().to_lowercase();
    if email.is_empty() {
        return Err(CampaignError::invalid(
            "Choose the person to move the items to (their email).",
        ));
    }
    let row: Option<(Uuid, String, bool)> = sqlx::query_as(
        "SELECT id, name, (status = 'active' AND in_roster \
                AND coalesce(end_date > current_date, true)) \
         FROM person WHERE email = $1",
    )
    .bind(&email)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        None => Err(CampaignError::invalid(format!(
            "{email} is not in the people directory; choose someone who is."
        ))),
        Some((_, _, false)) => Err(CampaignError::invalid(format!(
            "{email} is a leaver and cannot review."
        ))),
        Some((id, name, true)) => Ok((id, name)),
    }
}

#[derive(Debug, sqlx::FromRow)]
struct Movable {
    id: i64,
    campaign_id: Uuid,
    reviewer_person_id: Uuid,
    subject_person_id: Option<Uuid>,
    submitted: bool,
    status: String,
    allow_forwarding: bool,
}

/// Moves `item_ids` to the person with email `to_email`. `forwarder` is the person forwarding
/// their own items, or `None` for an admin's reassignment. Returns how many items moved.
async fn move_items(
    pool: &PgPool,
    actor: &Actor,
    forwarder: Option<Uuid>,
    item_ids: &[i64],
    to_email: &str,
    reason: &str,
) -> Result<i64, CampaignError> {
    let reason = reason.trim();
    let kind = if forwarder.is_some() {
        "forward"
    } else {
        "reassign"
    };
    if reason.is_empty() {
        return Err(CampaignError::invalid(format!(
            "A reason is required to {kind} review items; say why someone else should decide."
        )));
    }
    if item_ids.is_empty() {
        return Err(CampaignError::invalid("No review items were selected."));
    }
    let mut tx = pool.begin().await?;
    let (to, to_name) = target(&mut tx, to_email).await?;
    let items: Vec<Movable> = sqlx::query_as(
        "SELECT i.id, i.campaign_id, i.reviewer_person_id, i.subject_person_id, \
                i.submitted_at IS NOT NULL AS submitted, c.status, c.allow_forwarding \
         FROM review_item i JOIN campaign c ON c.id = i.campaign_id \
         WHERE i.id = ANY($1) ORDER BY i.id FOR UPDATE OF i",
    )
    .bind(item_ids)
    .fetch_all(&mut *tx)
    .await?;
    let mut wanted = item_ids.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    if let Some(missing) = wanted.iter().find(|id| !items.iter().any(|i| i.id == **id)) {
        return Err(match forwarder {
            Some(_) => CampaignError::Forbidden(format!("item {missing} is not the caller's")),
            None => CampaignError::NoItem(*missing),
        });
    }
    for item in &items {
        if let Some(me) = forwarder {
            if item.reviewer_person_id != me {
                return Err(CampaignError::Forbidden(format!(
                    "item {} is not assigned to the caller",
                    item.id
                )));
            }
            if !item.allow_forwarding {
                return Err(CampaignError::Conflict(
                    "This campaign does not allow forwarding; ask an admin to reassign the item."
                        .into(),
                ));
            }
        }
        if item.status != "active" {
            return Err(CampaignError::Conflict(format!(
                "Review item {} belongs to a campaign that is {}; it can no longer move.",
                item.id, item.status
            )));
        }
        if item.submitted {
            return Err(CampaignError::Conflict(format!(
                "Review item {} was already submitted; its decision is final.",
                item.id
            )));
        }
        if item.subject_person_id == Some(to) {
            return Err(CampaignError::invalid(format!(
                "{to_name} cannot review item {}: it is their own access.",
                item.id
            )));
        }
        if item.reviewer_person_id == to {
            return Err(CampaignError::invalid(format!(
                "Review item {} is already assigned to {to_name}.",
                item.id
            )));
        }
    }
    let (rule, verb) = if forwarder.is_some() {
        ("forwarded", "Forwarded")
    } else {
        ("reassigned", "Reassigned")
    };
    let routing_reason = format!("{verb} by {}: {reason}", actor.label());
    sqlx::query(
        "INSERT INTO review_reassignment (item_id, kind, from_person_id, to_person_id, reason, \
             cleared_decision, by_user, by_label) \
         SELECT id, $2, reviewer_person_id, $3, $4, decision, $5, $6 \
         FROM review_item WHERE id = ANY($1)",
    )
    .bind(&wanted)
    .bind(kind)
    .bind(to)
    .bind(reason)
    .bind(actor.user_id())
    .bind(actor.label())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE review_item SET reviewer_person_id = $2, routing_rule = $3, routing_reason = $4, \
             decision = NULL, decision_comment = NULL, decision_source = NULL, \
             decided_by_person_id = NULL, decided_by_label = NULL, decided_at = NULL \
         WHERE id = ANY($1)",
    )
    .bind(&wanted)
    .bind(to)
    .bind(rule)
    .bind(&routing_reason)
    .execute(&mut *tx)
    .await?;
    let campaigns: Vec<Uuid> = {
        let mut ids: Vec<Uuid> = items.iter().map(|i| i.campaign_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    audit::record(
        &mut tx,
        NewEvent {
            actor: actor.clone(),
            action: if forwarder.is_some() {
                "review.forwarded"
            } else {
                "review.reassigned"
            },
            object_kind: "review_item",
            object_id: format!("{} items", wanted.len()),
            details: serde_json::json!({
                "item_ids": wanted,
                "campaign_ids": campaigns,
                "to_person_id": to,
                "reason": reason,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(wanted.len() as i64)
}

/// An admin moves `item_ids` to `to_email` for `reason`.
pub async fn reassign(
    pool: &PgPool,
    actor: &Actor,
    item_ids: &[i64],
    to_email: &str,
    reason: &str,
) -> Result<i64, CampaignError> {
    move_items(pool, actor, None, item_ids, to_email, reason).await
}

/// A reviewer (the person with email `email`) forwards their item to `to_email` for `reason`.
pub async fn forward(
    pool: &PgPool,
    actor: &Actor,
    email: Option<&str>,
    item_id: i64,
    to_email: &str,
    reason: &str,
) -> Result<i64, CampaignError> {
    let me = {
        let mut conn = pool.acquire().await?;
        person_of_viewer(&mut conn, email).await?.map(|(id, _)| id)
    };
    let me = me.ok_or_else(|| {
        CampaignError::Forbidden("the caller is not a person in the directory".into())
    })?;
    move_items(pool, actor, Some(me), &[item_id], to_email, reason).await
}
