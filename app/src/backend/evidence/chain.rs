//! The campaign's audit events with the proof that they belong to the chain: the contiguous
//! segment of the log from the campaign's first event to its last, every event in between
//! included (the chain is global, so other events sit between the campaign's), with the hash
//! the segment starts from. A verifier recomputes every link from those alone.

use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use super::EvidenceError;
use super::manifest::ChainProof;

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

/// The JSON lines of campaign `campaign_id`'s chain segment and its proof.
// Limitation: the segment holds every event between the campaign's first and last, so a
// campaign that ran for months alongside busy snapshot schedules carries their events too.
pub async fn campaign_segment(
    pool: &PgPool,
    campaign_id: Uuid,
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
    };
    let (Some(first), Some(last)) = (first, last) else {
        return Ok((out, proof));
    };
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
