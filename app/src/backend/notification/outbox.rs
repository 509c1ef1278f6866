//! The email outbox: queueing rows in the caller's transaction, claiming due rows with a
//! lease, and recording what happened to each, with its audit event.
//!
//! A row is claimed by setting it `sending` with a lease; the attempt count it was claimed
//! with is the claim's token, so a sender whose lease ran out (and whose row another sender
//! claimed) cannot record a stale outcome.

use std::time::Duration;

use chrono::NaiveDate;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::NotificationError;
use crate::backend::audit::{self, Actor, NewEvent};

/// What an email is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailKind {
    /// A reviewer has items in a campaign that was just launched.
    Assignment,
    /// The due date is near and the reviewer has not submitted everything.
    Reminder,
    /// The due date has passed; the reviewer's manager is told.
    Escalation,
    /// The campaign was closed.
    Closed,
}

impl EmailKind {
    /// The name stored in `email_outbox.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            EmailKind::Assignment => "assignment",
            EmailKind::Reminder => "reminder",
            EmailKind::Escalation => "escalation",
            EmailKind::Closed => "closed",
        }
    }

    fn parse(kind: &str) -> Option<EmailKind> {
        Some(match kind {
            "assignment" => EmailKind::Assignment,
            "reminder" => EmailKind::Reminder,
            "escalation" => EmailKind::Escalation,
            "closed" => EmailKind::Closed,
            _ => return None,
        })
    }

    /// Whether the email only makes sense while its campaign is still running.
    pub fn needs_active_campaign(self) -> bool {
        !matches!(self, EmailKind::Closed)
    }
}

/// Queues one assignment email per reviewer of just-launched `campaign_id`, in the launch's
/// transaction. Returns how many were queued. The item counts come from `review_progress`,
/// which the items' insert has already filled: counting the items themselves took seconds on
/// a large campaign.
pub async fn queue_assignments(
    conn: &mut PgConnection,
    campaign_id: Uuid,
) -> Result<u64, sqlx::Error> {
    let queued = sqlx::query(
        "INSERT INTO email_outbox (kind, campaign_id, reviewer_person_id, recipient_person_id, \
             recipient_email, recipient_name, item_count, open_count) \
         SELECT 'assignment', $1, p.id, p.id, p.email, p.name, r.items, r.items \
         FROM review_progress r JOIN person p ON p.id = r.reviewer_person_id \
         WHERE r.campaign_id = $1 AND r.items > 0 \
         ON CONFLICT ON CONSTRAINT email_outbox_once_per_reviewer DO NOTHING",
    )
    .bind(campaign_id)
    .execute(conn)
    .await?;
    Ok(queued.rows_affected())
}

/// Queues one closing email per reviewer of just-closed `campaign_id`, in the close's
/// transaction; `open_count` is how many of their items got the default outcome. Returns how
/// many were queued.
pub async fn queue_closed(conn: &mut PgConnection, campaign_id: Uuid) -> Result<u64, sqlx::Error> {
    let queued = sqlx::query(
        "INSERT INTO email_outbox (kind, campaign_id, reviewer_person_id, recipient_person_id, \
             recipient_email, recipient_name, item_count, open_count) \
         SELECT 'closed', $1, p.id, p.id, p.email, p.name, count(*), \
                count(*) FILTER (WHERE i.decision_source = 'close_default') \
         FROM review_item i JOIN person p ON p.id = i.reviewer_person_id \
         WHERE i.campaign_id = $1 GROUP BY p.id \
         ON CONFLICT ON CONSTRAINT email_outbox_once_per_reviewer DO NOTHING",
    )
    .bind(campaign_id)
    .execute(conn)
    .await?;
    Ok(queued.rows_affected())
}

/// A claimed email with everything its message needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedEmail {
    pub id: i64,
    pub kind: EmailKind,
    pub campaign_id: Uuid,
    pub campaign_name: String,
    pub campaign_status: String,
    pub due_date: NaiveDate,
    pub reviewer_name: String,
    pub recipient_email: String,
    pub recipient_name: String,
    pub item_count: i64,
    pub open_count: i64,
    /// This claim's attempt number, the token that recording the outcome checks.
    pub attempt: i32,
}

type ClaimRow = (
    i64,
    String,
    Uuid,
    String,
    String,
    NaiveDate,
    String,
    String,
    String,
    i64,
    i64,
    i32,
);

/// Claims up to `batch` due emails (pending and due, or sending with a lapsed lease) for
/// `lease`. Rows another sender holds are skipped, not waited for.
pub async fn claim(
    pool: &PgPool,
    batch: i64,
    lease: Duration,
) -> Result<Vec<ClaimedEmail>, sqlx::Error> {
    let rows: Vec<ClaimRow> = sqlx::query_as(
        "UPDATE email_outbox o SET status = 'sending', attempts = o.attempts + 1, \
             lease_until = now() + make_interval(secs => $2) \
         FROM campaign c, person r \
         WHERE c.id = o.campaign_id AND r.id = o.reviewer_person_id AND o.id IN ( \
             SELECT id FROM email_outbox \
             WHERE (status = 'pending' AND next_attempt_at <= now()) \
                OR (status = 'sending' AND lease_until < now()) \
             ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) \
         RETURNING o.id, o.kind, o.campaign_id, c.name, c.status, c.due_date, r.name, \
                   o.recipient_email, o.recipient_name, o.item_count, o.open_count, o.attempts",
    )
    .bind(batch)
    .bind(lease.as_secs_f64())
    .fetch_all(pool)
    .await?;
    let mut claimed: Vec<ClaimedEmail> = rows
        .into_iter()
        .filter_map(|row| {
            Some(ClaimedEmail {
                id: row.0,
                // The table's CHECK allows only the four kinds.
                kind: EmailKind::parse(&row.1)?,
                campaign_id: row.2,
                campaign_name: row.3,
                campaign_status: row.4,
                due_date: row.5,
                reviewer_name: row.6,
                recipient_email: row.7,
                recipient_name: row.8,
                item_count: row.9,
                open_count: row.10,
                attempt: row.11,
            })
        })
        .collect();
    claimed.sort_by_key(|email| email.id);
    Ok(claimed)
}

/// The actor every email event is recorded under.
const SENDER: Actor = Actor::System("email");

/// Records that `email` was accepted by the SMTP server, with its `email.sent` audit event.
/// Returns `false` if the claim was lost (the row was claimed again after a lapsed lease).
pub async fn record_sent(
    pool: &PgPool,
    email: &ClaimedEmail,
    subject: &str,
) -> Result<bool, NotificationError> {
    let mut tx = pool.begin().await?;
    let updated = sqlx::query(
        "UPDATE email_outbox SET status = 'sent', sent_at = now(), subject = $3, \
             lease_until = NULL, last_error = NULL \
         WHERE id = $1 AND status = 'sending' AND attempts = $2",
    )
    .bind(email.id)
    .bind(email.attempt)
    .bind(subject)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Ok(false);
    }
    record_event(&mut tx, "email.sent", email, Some(subject), None).await?;
    tx.commit().await?;
    Ok(true)
}

/// Records a failed attempt: the row goes back to `pending` until `retry_at`, or, with
/// `retry_at` `None`, to `failed` with its `email.failed` audit event.
pub async fn record_failure(
    pool: &PgPool,
    email: &ClaimedEmail,
    error: &str,
    retry_after: Option<Duration>,
) -> Result<bool, NotificationError> {
    let mut tx = pool.begin().await?;
    let updated = match retry_after {
        Some(wait) => sqlx::query(
            "UPDATE email_outbox SET status = 'pending', lease_until = NULL, last_error = $3, \
                 next_attempt_at = now() + make_interval(secs => $4) \
             WHERE id = $1 AND status = 'sending' AND attempts = $2",
        )
        .bind(email.id)
        .bind(email.attempt)
        .bind(error)
        .bind(wait.as_secs_f64()),
        None => sqlx::query(
            "UPDATE email_outbox SET status = 'failed', lease_until = NULL, last_error = $3 \
             WHERE id = $1 AND status = 'sending' AND attempts = $2",
        )
        .bind(email.id)
        .bind(email.attempt)
        .bind(error),
    }
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Ok(false);
    }
    if retry_after.is_none() {
        record_event(&mut tx, "email.failed", email, None, Some(error)).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Records that `email` was dropped unsent because its campaign is no longer running (a
/// reminder still queued when the campaign closed), with its `email.skipped` audit event.
pub async fn record_skipped(
    pool: &PgPool,
    email: &ClaimedEmail,
    reason: &str,
) -> Result<bool, NotificationError> {
    let mut tx = pool.begin().await?;
    let updated = sqlx::query(
        "UPDATE email_outbox SET status = 'skipped', lease_until = NULL, last_error = $3 \
         WHERE id = $1 AND status = 'sending' AND attempts = $2",
    )
    .bind(email.id)
    .bind(email.attempt)
    .bind(reason)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Ok(false);
    }
    record_event(&mut tx, "email.skipped", email, None, Some(reason)).await?;
    tx.commit().await?;
    Ok(true)
}

async fn record_event(
    conn: &mut PgConnection,
    action: &'static str,
    email: &ClaimedEmail,
    subject: Option<&str>,
    error: Option<&str>,
) -> Result<(), NotificationError> {
    audit::record(
        conn,
        NewEvent {
            actor: SENDER,
            action,
            object_kind: "email",
            object_id: email.id.to_string(),
            details: serde_json::json!({
                "kind": email.kind.as_str(),
                "campaign_id": email.campaign_id,
                "recipient": email.recipient_email,
                "subject": subject,
                "attempt": email.attempt,
                "error": error,
            }),
        },
    )
    .await?;
    Ok(())
}
