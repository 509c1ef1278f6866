//! Closing a campaign and signing it off.
//!
//! Closing gives every undecided item the campaign's configured outcome, recorded as such
//! (source `close_default`, never as anyone's decision), and makes every decision final. The
//! control owner then signs off with an explicit attestation, stored with who, when and a
//! hash of the campaign's state, and seals the audit chain at that moment with a signed
//! checkpoint (when an evidence signing key is configured).

use sqlx::PgPool;
use uuid::Uuid;

use super::{CampaignError, lock_status};
use crate::backend::audit::{self, Actor, NewEvent, checkpoint};
use crate::backend::evidence::EvidenceKey;
use crate::backend::notification::outbox::queue_closed;
use crate::backend::remediation::enqueue::enqueue_revokes;

/// What closing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    /// Undecided items given the configured outcome.
    pub defaulted: i64,
    /// Decided but unsubmitted items made final by the close.
    pub submitted_at_close: i64,
}

/// Closes active campaign `campaign_id`.
pub async fn close(
    pool: &PgPool,
    actor: &Actor,
    campaign_id: Uuid,
) -> Result<Closed, CampaignError> {
    let mut tx = pool.begin().await?;
    let status = lock_status(&mut tx, campaign_id).await?;
    if status != "active" {
        return Err(CampaignError::Conflict(format!(
            "This campaign is {status}; only an active campaign can be closed."
        )));
    }
    let outcome: String =
        sqlx::query_scalar("SELECT undecided_outcome FROM campaign WHERE id = $1")
            .bind(campaign_id)
            .fetch_one(&mut *tx)
            .await?;
    let decision = if outcome == "revoke" {
        "revoke"
    } else {
        "approve"
    };
    let label = format!("Campaign closed: undecided items {outcome}");
    // Decided-but-unsubmitted items first, so the count excludes the defaulted ones.
    let submitted_at_close = sqlx::query(
        "UPDATE review_item SET submitted_at = now() \
         WHERE campaign_id = $1 AND decision IS NOT NULL AND submitted_at IS NULL",
    )
    .bind(campaign_id)
    .execute(&mut *tx)
    .await?
    .rows_affected() as i64;
    let defaulted: i64 = sqlx::query_scalar(
        "WITH defaulted AS ( \
           UPDATE review_item SET decision = $2, decision_source = 'close_default', \
               decided_by_label = $3, decided_at = now(), submitted_at = now() \
           WHERE campaign_id = $1 AND decision IS NULL RETURNING id), \
         recorded AS ( \
           INSERT INTO review_decision (item_id, decision, source, decided_by_user, \
               decided_by_label) \
           SELECT id, $2, 'close_default', $4, $3 FROM defaulted RETURNING 1) \
         SELECT count(*) FROM recorded",
    )
    .bind(campaign_id)
    .bind(decision)
    .bind(&label)
    .bind(actor.user_id())
    .fetch_one(&mut *tx)
    .await?;
    // Revokes made final by the close become remediation work in the same transaction.
    enqueue_revokes(&mut tx, actor, campaign_id).await?;
    sqlx::query(
        "UPDATE campaign SET status = 'closed', closed_at = now(), closed_by = $2 WHERE id = $1",
    )
    .bind(campaign_id)
    .bind(actor.user_id())
    .execute(&mut *tx)
    .await?;
    let emails_queued = queue_closed(&mut tx, campaign_id).await?;
    audit::record(
        &mut tx,
        NewEvent {
            actor: actor.clone(),
            action: "campaign.closed",
            object_kind: "campaign",
            object_id: campaign_id.to_string(),
            details: serde_json::json!({
                "undecided_outcome": outcome,
                "defaulted": defaulted,
                "submitted_at_close": submitted_at_close,
                "emails_queued": emails_queued,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(campaign.id = %campaign_id, defaulted, submitted_at_close, "campaign closed");
    Ok(Closed {
        defaulted,
        submitted_at_close,
    })
}

/// SHA-256 (hex) over the campaign's frozen snapshots and every item's final state, one line
/// each, so an auditor can recompute it from an export: first `snapshot|<org>|<id>|<content
/// hash>` per org in org order, then `item|<id>|<entitlement key>|<reviewer person id>|
/// <decision>|<source>|<decided at, epoch seconds>|<submitted at, epoch seconds>` by item id.
const STATE_HASH: &str = "SELECT encode(sha256(convert_to( \
      coalesce((SELECT string_agg(concat_ws('|', 'snapshot', org_id, snapshot_id, content_sha256), \
                                  E'\\n' ORDER BY org_id) \
                FROM campaign_snapshot WHERE campaign_id = $1), '') || E'\\n' || \
      coalesce((SELECT string_agg(concat_ws('|', 'item', id, entitlement_key, reviewer_person_id, \
                                  decision, decision_source, extract(epoch FROM decided_at), \
                                  extract(epoch FROM submitted_at)), E'\\n' ORDER BY id) \
                FROM review_item WHERE campaign_id = $1), ''), 'UTF8')), 'hex')";

/// Signs off closed campaign `campaign_id` with `attestation`. Returns the state hash.
///
/// With `key`, a signed audit checkpoint of the sign-off's own event is written in the same
/// transaction, so the campaign's evidence can later prove that nothing it relies on was cut
/// from the log. Without one the sign-off still happens, and the missing key is logged once.
pub async fn sign_off(
    pool: &PgPool,
    actor: &Actor,
    campaign_id: Uuid,
    attestation: &str,
    key: Option<&EvidenceKey>,
) -> Result<String, CampaignError> {
    let attestation = attestation.trim();
    if attestation.is_empty() {
        return Err(CampaignError::invalid(
            "The attestation is empty: state what you attest to, in your own words.",
        ));
    }
    let mut tx = pool.begin().await?;
    let status = lock_status(&mut tx, campaign_id).await?;
    if status != "closed" {
        return Err(CampaignError::Conflict(format!(
            "This campaign is {status}; only a closed campaign can be signed off."
        )));
    }
    let state_sha256: String = sqlx::query_scalar(STATE_HASH)
        .bind(campaign_id)
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO campaign_signoff (campaign_id, attestation, signed_by, signed_by_label, \
             state_sha256) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(campaign_id)
    .bind(attestation)
    .bind(actor.user_id())
    .bind(actor.label())
    .bind(&state_sha256)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE campaign SET status = 'signed_off' WHERE id = $1")
        .bind(campaign_id)
        .execute(&mut *tx)
        .await?;
    let seq = audit::record(
        &mut tx,
        NewEvent {
            actor: actor.clone(),
            action: "campaign.signed_off",
            object_kind: "campaign",
            object_id: campaign_id.to_string(),
            details: serde_json::json!({
                "attestation": attestation,
                "state_sha256": state_sha256,
            }),
        },
    )
    .await?;
    match key {
        Some(key) => {
            checkpoint::write_checkpoint(
                &mut tx,
                key,
                seq,
                "campaign.signed_off",
                Some(campaign_id),
            )
            .await?;
        }
        None => checkpoint::warn_no_key_once(),
    }
    tx.commit().await?;
    tracing::info!(campaign.id = %campaign_id, "campaign signed off");
    Ok(state_sha256)
}
