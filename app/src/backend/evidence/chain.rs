//! The campaign's audit events with the proof that they belong to the chain: the contiguous
//! segment of the log up to the campaign's last event, every event in between included (the
//! chain is global, so other events sit between the campaign's), with the hash the segment
//! starts from. It starts right after the newest signed checkpoint older than the campaign's
//! first event, so its starting hash is signed, or at the campaign's first event when there is
//! no such checkpoint. A verifier recomputes every link from those alone.

use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use super::EvidenceError;
use super::manifest::{ChainProof, CheckpointProof};

/// The file the segment is written to.
pub const EVENTS_FILE: &str = "audit_events.jsonl";

/// One line of [`EVENTS_FILE`]: the stored columns of the event, hashes in hex, and whether
/// the event is about this campaign (the others are there to keep the chain contiguous).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventLine {
    pub seq: i64,
    pub occurred_at: String,
    pub actor_id: Option<Uuid>,
    pub actor_label: String,
    pub action: String,
    pub object_kind: String,
    pub object_id: String,
    pub details: Value,
    pub prev_hash: String,
    pub hash: String,
    pub campaign_event: bool,
}

/// Which events are about campaign `$1`: its own, its items' (one by one and in bulk) and its
/// remediation jobs'.
const CAMPAIGN_EVENT: &str = "((a.object_kind = 'campaign' AND a.object_id = $1::text) \
     OR (a.object_kind = 'review_item' AND a.object_id IN \
         (SELECT id::text FROM review_item WHERE campaign_id = $1)) \
     OR (a.object_kind = 'review_item' AND a.action = 'review.decided_in_bulk' \
         AND a.details->'item_ids'->>0 IN \
         (SELECT id::text FROM review_item WHERE campaign_id = $1)) \
     OR (a.object_kind = 'remediation_job' AND a.object_id IN \
         (SELECT id::text FROM remediation_job WHERE campaign_id = $1)))";

type Row = (
    i64,
    DateTime<Utc>,
    Option<Uuid>,
    String,
    String,
    String,
    String,
    Value,
    Vec<u8>,
    Vec<u8>,
    bool,
);

/// An `audit_checkpoint` row as the pack reads it.
type CheckpointRow = (i64, Vec<u8>, DateTime<Utc>, String, String, String);

/// The JSON lines of campaign `campaign_id`'s chain segment and its proof. Only checkpoints
/// signed by `public_key` (the pack's own key) are used, so the pack's one key checks them all.
// Limitation: the segment holds every event between its start and the campaign's last, so a
// campaign that ran for months alongside busy snapshot schedules carries their events too, as
// do the events since the previous checkpoint; schedule `attest audit checkpoint` to keep it
// short.
// Limitation: after the signing key is replaced, checkpoints signed by the old key are not
// used: a pack then starts at the campaign's first event, or leaves out the sign-off
// checkpoint, until checkpoints by the new key exist.
pub async fn campaign_segment(
    pool: &PgPool,
    campaign_id: Uuid,
    public_key: &str,
) -> Result<(Vec<u8>, ChainProof), EvidenceError> {
    let (first, last): (Option<i64>, Option<i64>) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT min(a.seq), max(a.seq) FROM audit_event a WHERE {CAMPAIGN_EVENT}"
    )))
    .bind(campaign_id)
    .fetch_one(pool)
    .await?;
    let mut out = Vec::new();
    let mut proof = ChainProof {
        file: EVENTS_FILE.to_owned(),
        first_seq: first.unwrap_or(0),
        last_seq: last.unwrap_or(0),
        start_prev_hash: String::new(),
        head_hash: String::new(),
        events: 0,
        campaign_events: 0,
        algorithm: "hash = SHA-256(prev_hash || canonical JSON of [seq, occurred_at, actor_id, \
                    actor_label, action, object_kind, object_id, details]), keys sorted, no \
                    whitespace; the first prev_hash of the log is 32 zero bytes"
            .to_owned(),
        start_checkpoint: None,
        signoff_checkpoint: None,
        checkpoint_algorithm: "signature = Ed25519 by public_key (both base64) over the \
                               UTF-8 text 'attest-audit-checkpoint v1\\nseq=<seq>\\nhash=<hash>\\n\
                               at=<at>\\n', \\n being a line feed"
            .to_owned(),
    };
    let (Some(campaign_first), Some(last)) = (first, last) else {
        return Ok((out, proof));
    };
    // Of several checkpoints of the same event, the first written: one written later cannot
    // change the pack of a closed campaign.
    let start: Option<CheckpointRow> = sqlx::query_as(
        "SELECT seq, hash, signed_at, reason, signature, public_key FROM audit_checkpoint \
         WHERE seq < $1 AND public_key = $2 ORDER BY seq DESC, id LIMIT 1",
    )
    .bind(campaign_first)
    .bind(public_key)
    .fetch_optional(pool)
    .await?;
    let signoff: Option<CheckpointRow> = sqlx::query_as(
        "SELECT seq, hash, signed_at, reason, signature, public_key FROM audit_checkpoint \
         WHERE campaign_id = $1 AND public_key = $2 AND seq <= $3 ORDER BY id LIMIT 1",
    )
    .bind(campaign_id)
    .bind(public_key)
    .bind(last)
    .fetch_optional(pool)
    .await?;
    let first = start.as_ref().map_or(campaign_first, |cp| cp.0 + 1);
    proof.first_seq = first;
    proof.start_checkpoint = start.map(checkpoint_proof);
    proof.signoff_checkpoint = signoff.map(checkpoint_proof);
    let mut rows = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(format!(
        "SELECT a.seq, a.occurred_at, a.actor_id, a.actor_label, a.action, a.object_kind, \
             a.object_id, a.details, a.prev_hash, a.hash, {CAMPAIGN_EVENT} \
         FROM audit_event a WHERE a.seq BETWEEN $2 AND $3 ORDER BY a.seq"
    )))
    .bind(campaign_id)
    .bind(first)
    .bind(last)
    .fetch(pool);
    while let Some(row) = rows.try_next().await? {
        let (
            seq,
            at,
            actor_id,
            actor_label,
            action,
            object_kind,
            object_id,
            details,
            prev,
            hash,
            ours,
        ) = row;
        if proof.events == 0 {
            proof.start_prev_hash = hex::encode(&prev);
        }
        proof.head_hash = hex::encode(&hash);
        proof.events += 1;
        proof.campaign_events += u64::from(ours);
        let line = EventLine {
            seq,
            occurred_at: at.to_rfc3339_opts(SecondsFormat::Micros, true),
            actor_id,
            actor_label,
            action,
            object_kind,
            object_id,
            details,
            prev_hash: hex::encode(&prev),
            hash: hex::encode(&hash),
            campaign_event: ours,
        };
        serde_json::to_writer(&mut out, &line).map_err(|e| EvidenceError::write(EVENTS_FILE, e))?;
        out.push(b'\n');
    }
    Ok((out, proof))
}

fn checkpoint_proof(
    (seq, hash, at, reason, signature, public_key): CheckpointRow,
) -> CheckpointProof {
    CheckpointProof {
        seq,
        hash: hex::encode(hash),
        at: at.to_rfc3339_opts(SecondsFormat::Micros, true),
        reason,
        signature,
        public_key,
    }
}
