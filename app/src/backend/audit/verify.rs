//! Recomputing the whole chain from the stored rows.

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use super::AuditError;
use super::chain::{GENESIS_HASH, canonical_content, link_hash};

/// The outcome of a chain verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainReport {
    /// Every event checked out.
    Intact { events: u64 },
    /// The first event that does not fit; everything before it checked out.
    Broken {
        verified: u64,
        first_bad: ChainBreak,
    },
}

/// Where and why the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: String,
}

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
);

/// Streams every event in sequence order and checks numbering, links and content hashes.
pub async fn verify_chain(pool: &PgPool) -> Result<ChainReport, AuditError> {
    let mut rows = sqlx::query_as::<_, Row>(
        "SELECT seq, occurred_at, actor_id, actor_label, action, object_kind, object_id, \
         details, prev_hash, hash FROM audit_event ORDER BY seq",
    )
    .fetch(pool);
    let mut expected_seq = 1_i64;
    let mut prev_hash = GENESIS_HASH.to_vec();
    let mut verified = 0_u64;
    while let Some(row) = rows.try_next().await? {
        let (seq, at, actor_id, actor_label, action, kind, object_id, details, stored_prev, hash) =
            row;
        let broken = |reason: String| ChainReport::Broken {
            verified,
            first_bad: ChainBreak { seq, reason },
        };
        if seq != expected_seq {
            return Ok(broken(format!(
                "expected sequence number {expected_seq}, found {seq}: events are missing"
            )));
        }
        if stored_prev != prev_hash {
            return Ok(broken(
                "its prev_hash does not equal the previous event's hash".to_string(),
            ));
        }
        let canonical = canonical_content(
            seq,
            at,
            actor_id,
            &actor_label,
            &action,
            &kind,
            &object_id,
            &details,
        );
        if link_hash(&prev_hash, &canonical).as_slice() != hash.as_slice() {
            return Ok(broken(
                "its content does not match its hash: the row was altered".to_string(),
            ));
        }
        prev_hash = hash;
        expected_seq += 1;
        verified += 1;
    }
    Ok(ChainReport::Intact { events: verified })
}
