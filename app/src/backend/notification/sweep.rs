//! The periodic sweep that queues reminders before a campaign's due date and escalations to
//! a late reviewer's manager after it.
//!
//! Any number of processes may sweep at once: the outbox's unique constraint on (campaign,
//! kind, reviewer) makes the second insert of the same email a no-op, so each reviewer gets at
//! most one reminder and their manager at most one escalation per campaign.

use chrono::NaiveDate;
use sqlx::PgPool;

/// What one sweep queued.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub reminders: u64,
    pub escalations: u64,
}

/// Queues what is due on `today`: a reminder to every reviewer of an active campaign with
/// unsubmitted items once the due date is at most `remind_days_before` days away (and not yet
/// past), and an escalation to the manager of every such reviewer once it has passed.
///
/// Limitation: a late reviewer with no manager in the directory (or whose manager is a
/// leaver) is not escalated by email; the admin dashboard still lists them as overdue.
pub async fn sweep(
    pool: &PgPool,
    today: NaiveDate,
    remind_days_before: u32,
) -> Result<Swept, sqlx::Error> {
    let days = i32::try_from(remind_days_before).unwrap_or(i32::MAX);
    let reminders = sqlx::query(
        "INSERT INTO email_outbox (kind, campaign_id, reviewer_person_id, recipient_person_id, \
             recipient_email, recipient_name, item_count, open_count) \
         SELECT 'reminder', c.id, p.id, p.id, p.email, p.name, r.items, \
                r.items - r.submitted \
         FROM campaign c \
         JOIN review_progress r ON r.campaign_id = c.id \
         JOIN person p ON p.id = r.reviewer_person_id \
         WHERE c.status = 'active' AND $1 <= c.due_date AND c.due_date - $2 <= $1 \
           AND r.submitted < r.items \
         ON CONFLICT ON CONSTRAINT email_outbox_once_per_reviewer DO NOTHING",
    )
    .bind(today)
    .bind(days)
    .execute(pool)
    .await?
    .rows_affected();
    let escalations = sqlx::query(
        "INSERT INTO email_outbox (kind, campaign_id, reviewer_person_id, recipient_person_id, \
             recipient_email, recipient_name, item_count, open_count) \
         SELECT 'escalation', c.id, p.id, m.id, m.email, m.name, r.items, \
                r.items - r.submitted \
         FROM campaign c \
         JOIN review_progress r ON r.campaign_id = c.id \
         JOIN person p ON p.id = r.reviewer_person_id \
         JOIN person m ON m.id = p.manager_id AND m.status = 'active' AND m.in_roster \
         WHERE c.status = 'active' AND c.due_date < $1 AND r.submitted < r.items \
         ON CONFLICT ON CONSTRAINT email_outbox_once_per_reviewer DO NOTHING",
    )
    .bind(today)
    .execute(pool)
    .await?
    .rows_affected();
    let swept = Swept {
        reminders,
        escalations,
    };
    if reminders > 0 || escalations > 0 {
        tracing::info!(
            reminders,
            escalations,
            "campaign reminders and escalations queued"
        );
    }
    Ok(swept)
}
