//! Signed checkpoints of the chain: an event's (seq, hash) at a moment, signed with the
//! evidence signing key, which the database never holds.
//!
//! The chain shows that no event was changed, removed or reordered *before its head*; it
//! cannot show that the newest events were removed, or that someone with database rights
//! rewrote the whole log and recomputed every hash. A checkpoint can: the event it names must
//! still be there with the hash it signed. One is written in the transaction of every
//! campaign sign-off and by `attest audit checkpoint`; [`verify_checkpoints`] checks them all.

use std::sync::Once;

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use futures_util::TryStreamExt;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::AuditError;
use super::record::{Actor, NewEvent, record};
use crate::backend::evidence::signing::{EvidenceKey, check_signature_of};

/// What a checkpoint's signature is called in messages.
const SIGNED_TEXT: &str = "the audit checkpoint";

/// A stored checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub id: i64,
    /// The event it names.
    pub seq: i64,
    /// That event's hash, lowercase hex.
    pub hash: String,
    pub signed_at: DateTime<Utc>,
    pub reason: String,
    /// Ed25519 public key and signature over [`checkpoint_text`], both base64.
    pub public_key: String,
    pub signature: String,
}

impl Checkpoint {
    /// `signed_at` as the signed text writes it.
    pub fn at(&self) -> String {
        iso(self.signed_at)
    }
}

/// The exact text a checkpoint signs: a version line, then the event's seq and hash (hex) and
/// the time (RFC 3339 UTC with microseconds), each on its own line ending in `\n`. Anyone can
/// rebuild it from the stored columns and check the signature without Attest.
pub fn checkpoint_text(seq: i64, hash_hex: &str, at: &str) -> String {
    format!("attest-audit-checkpoint v1\nseq={seq}\nhash={hash_hex}\nat={at}\n")
}

/// Checks `signature` over the checkpoint `(seq, hash_hex, at)` against `public_key`.
pub fn check_checkpoint_signature(
    seq: i64,
    hash_hex: &str,
    at: &str,
    public_key: &str,
    signature: &str,
) -> Result<(), String> {
    let text = checkpoint_text(seq, hash_hex, at);
    check_signature_of(SIGNED_TEXT, public_key, text.as_bytes(), signature)
}

/// Signs and stores a checkpoint of event `seq`, inside the caller's transaction. Call it right
/// after [`super::record`] wrote that event: the append lock it took is held until commit, so
/// the event is still the head when the checkpoint commits with it.
pub async fn write_checkpoint(
    conn: &mut PgConnection,
    key: &EvidenceKey,
    seq: i64,
    reason: &str,
    campaign_id: Option<Uuid>,
) -> Result<Checkpoint, AuditError> {
    let hash: Vec<u8> = sqlx::query_scalar("SELECT hash FROM audit_event WHERE seq = $1")
        .bind(seq)
        .fetch_one(&mut *conn)
        .await?;
    let hash = hex::encode(hash);
    // PostgreSQL keeps microseconds; sign exactly what will be stored.
    let signed_at = Utc::now().trunc_subsecs(6);
    let public_key = key.public_key_base64();
    let signature = key.sign_base64(checkpoint_text(seq, &hash, &iso(signed_at)).as_bytes());
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO audit_checkpoint \
         (seq, hash, signed_at, reason, campaign_id, public_key, signature) \
         VALUES ($1, decode($2, 'hex'), $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(seq)
    .bind(&hash)
    .bind(signed_at)
    .bind(reason)
    .bind(campaign_id)
    .bind(&public_key)
    .bind(&signature)
    .fetch_one(&mut *conn)
    .await?;
    tracing::info!(
        audit.checkpoint_id = id,
        audit.seq = seq,
        audit.checkpoint_reason = reason,
        "audit checkpoint signed"
    );
    Ok(Checkpoint {
        id,
        seq,
        hash,
        signed_at,
        reason: reason.to_owned(),
        public_key,
        signature,
    })
}

/// Records that a checkpoint is being taken (`audit.checkpointed`, with `reason`) and signs a
/// checkpoint of that very event, in one transaction: the scheduled checkpoint of
/// `attest audit checkpoint`. The event is what makes the checkpoint a recorded change like
/// any other; the checkpoint then covers everything up to and including it.
pub async fn checkpoint_now(
    pool: &PgPool,
    key: &EvidenceKey,
    actor: Actor,
    reason: &str,
) -> Result<Checkpoint, AuditError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AuditError::Invalid(
            "the checkpoint's reason is empty: say why it is taken (for example 'nightly')".into(),
        ));
    }
    let mut tx = pool.begin().await?;
    let seq = record(
        &mut tx,
        NewEvent {
            actor,
            action: "audit.checkpointed",
            object_kind: "audit_log",
            object_id: "chain".to_owned(),
            details: serde_json::json!({
                "reason": reason,
                "public_key": key.public_key_base64(),
            }),
        },
    )
    .await?;
    let checkpoint = write_checkpoint(&mut tx, key, seq, reason, None).await?;
    tx.commit().await?;
    Ok(checkpoint)
}

/// Says once per process that checkpoints are not being written, so a sign-off without a key
/// goes ahead and the operator still learns why no checkpoint appears.
pub fn warn_no_key_once() {
    static WARNED: Once = Once::new();
    WARNED.call_once(|| {
        tracing::warn!(
            "no evidence signing key configured (ATTEST_EVIDENCE_SIGNING_KEY or \
             ATTEST_EVIDENCE_SIGNING_KEY_FILE): sign-offs write no audit checkpoint"
        );
    });
}

/// The outcome of checking every checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckpointReport {
    /// Every checkpoint names an event that is there with the signed hash, and every signature
    /// verifies.
    Intact { checkpoints: u64 },
    /// The first checkpoint (in the order they were written) that does not match.
    Broken {
        verified: u64,
        first_bad: CheckpointBreak,
    },
}

/// Which checkpoint does not match, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointBreak {
    pub id: i64,
    pub seq: i64,
    pub signed_at: String,
    pub reason: String,
}

type Row = (
    i64,
    i64,
    Vec<u8>,
    DateTime<Utc>,
    String,
    String,
    Option<Vec<u8>>,
);

/// Checks every checkpoint in the order they were written: its signature, with `expected_key`
/// (base64) the key that made it, and that the event it names exists with the hash it signed.
pub async fn verify_checkpoints(
    pool: &PgPool,
    expected_key: Option<&str>,
) -> Result<CheckpointReport, AuditError> {
    let mut rows = sqlx::query_as::<_, Row>(
        "SELECT c.id, c.seq, c.hash, c.signed_at, c.public_key, c.signature, e.hash \
         FROM audit_checkpoint c LEFT JOIN audit_event e ON e.seq = c.seq ORDER BY c.id",
    )
    .fetch(pool);
    let mut verified = 0_u64;
    while let Some((id, seq, hash, signed_at, public_key, signature, event_hash)) =
        rows.try_next().await?
    {
        let (hash, at) = (hex::encode(&hash), iso(signed_at));
        let broken = |reason: String| CheckpointReport::Broken {
            verified,
            first_bad: CheckpointBreak {
                id,
                seq,
                signed_at: at.clone(),
                reason,
            },
        };
        if let Err(e) = check_checkpoint_signature(seq, &hash, &at, &public_key, &signature) {
            return Ok(broken(format!("its signature does not verify: {e}")));
        }
        if let Some(expected) = expected_key.map(str::trim)
            && expected != public_key
        {
            return Ok(broken(format!(
                "it is signed by key {public_key}, not by the key you gave ({expected})"
            )));
        }
        match event_hash {
            None => {
                return Ok(broken(format!(
                    "audit event {seq} is missing: events were removed from the log after \
                     the checkpoint was signed"
                )));
            }
            Some(event_hash) if hex::encode(&event_hash) != hash => {
                return Ok(broken(format!(
                    "audit event {seq} has hash {}, the checkpoint signed {hash}: the log was \
                     rewritten",
                    hex::encode(&event_hash)
                )));
            }
            Some(_) => verified += 1,
        }
    }
    Ok(CheckpointReport::Intact {
        checkpoints: verified,
    })
}

fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signed_text_is_fixed_and_its_signature_checks_every_field() {
        let text = checkpoint_text(42, "ab01", "2026-12-04T10:00:00.000001Z");
        assert_eq!(
            text,
            "attest-audit-checkpoint v1\nseq=42\nhash=ab01\nat=2026-12-04T10:00:00.000001Z\n"
        );
        let key = EvidenceKey::from_base64_seed(&EvidenceKey::generate_seed()).expect("a key");
        let at = "2026-12-04T10:00:00.000001Z";
        let signature = key.sign_base64(checkpoint_text(42, "ab01", at).as_bytes());
        let public = key.public_key_base64();
        assert_eq!(
            check_checkpoint_signature(42, "ab01", at, &public, &signature),
            Ok(())
        );
        assert!(check_checkpoint_signature(43, "ab01", at, &public, &signature).is_err());
        assert!(check_checkpoint_signature(42, "ab02", at, &public, &signature).is_err());
        let later = "2026-12-04T10:00:00.000002Z";
        let err = check_checkpoint_signature(42, "ab01", later, &public, &signature)
            .expect_err("another time");
        assert!(err.contains("the audit checkpoint"), "{err}");
    }
}
