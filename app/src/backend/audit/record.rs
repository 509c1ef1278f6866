//! Writing one audit event inside the caller's transaction.

use chrono::{DateTime, SubsecRound, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use super::AuditError;
use super::chain::{GENESIS_HASH, canonical_content, link_hash};

/// Key of the transaction-scoped advisory lock that serializes appends, so two transactions
/// never read the same chain head. ("ATTESTAU" as eight ASCII bytes.)
const APPEND_LOCK: i64 = 0x4154_5445_5354_4155;

/// Who caused an event.
#[derive(Debug, Clone)]
pub enum Actor {
    /// A signed-in user of Attest.
    User { id: Uuid, label: String },
    /// Attest itself: a worker, the scheduler or the command line.
    System(&'static str),
}

impl Actor {
    /// The Attest user behind the action; `None` for Attest itself.
    pub fn user_id(&self) -> Option<Uuid> {
        match self {
            Actor::User { id, .. } => Some(*id),
            Actor::System(_) => None,
        }
    }

    /// How the actor is shown and stored: the user's name, or `system:<part>`.
    pub fn label(&self) -> String {
        match self {
            Actor::User { label, .. } => label.clone(),
            Actor::System(name) => format!("system:{name}"),
        }
    }
}

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub actor: Actor,
    /// Dotted verb, for example `role.granted` or `user.signed_in`.
    pub action: &'static str,
    pub object_kind: &'static str,
    pub object_id: String,
    /// Structured facts about the change. Never secrets.
    pub details: Value,
}

/// Appends `event` to the chain inside the caller's open transaction and returns its sequence
/// number. If the transaction rolls back, the event disappears with the change it describes.
///
/// Appends are serialized by an advisory lock held until the caller commits; keep the
/// transactions that write audit events short.
pub async fn record(conn: &mut PgConnection, event: NewEvent) -> Result<i64, AuditError> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(APPEND_LOCK)
        .execute(&mut *conn)
        .await?;
    let head: Option<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    let (seq, prev_hash) = match head {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS_HASH.to_vec()),
    };
    // PostgreSQL keeps microseconds; hash exactly what will be stored.
    let occurred_at: DateTime<Utc> = Utc::now().trunc_subsecs(6);
    let (actor_id, actor_label) = (event.actor.user_id(), event.actor.label());
    let canonical = canonical_content(
        seq,
        occurred_at,
        actor_id,
        &actor_label,
        event.action,
        event.object_kind,
        &event.object_id,
        &event.details,
    );
    let hash = link_hash(&prev_hash, &canonical);
    sqlx::query(
        "INSERT INTO audit_event \
         (seq, occurred_at, actor_id, actor_label, action, object_kind, object_id, details, \
          prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(seq)
    .bind(occurred_at)
    .bind(actor_id)
    .bind(&actor_label)
    .bind(event.action)
    .bind(event.object_kind)
    .bind(&event.object_id)
    .bind(&event.details)
    .bind(&prev_hash)
    .bind(hash.as_slice())
    .execute(&mut *conn)
    .await?;
    tracing::debug!(
        audit.seq = seq,
        audit.action = event.action,
        "audit event recorded"
    );
    Ok(seq)
}
