//! Scheduled campaigns: the leader-only job that creates each template's next draft when it
//! is due, for an admin to launch.
//!
//! Exactly once across replicas, three ways over: one process leads (a session-level advisory
//! lock, as for the snapshot schedule), due templates are claimed with `FOR UPDATE SKIP
//! LOCKED` and advanced in the same transaction as the draft, and `campaign_template_run`'s
//! primary key (template, date) refuses a second draft for the same occurrence.
//!
//! Limitation: occurrences missed while no process ran are not made up; the next run creates
//! one draft and moves on to the next occurrence after today.

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::CampaignError;
use super::create::create_campaign_in;
use super::template::{Schedule, draft_for};
use crate::backend::audit::{self, Actor, NewEvent};
use crate::backend::snapshot::schedule::Leadership;
use crate::model::campaign::CampaignDraft;

/// The advisory lock class of the campaign schedule's leadership ("CTPL").
const LEADER_LOCK_CLASS: i32 = 0x4354_504C;

/// What one run of the schedule did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ran {
    /// Drafts created: (template, campaign).
    pub created: Vec<(Uuid, Uuid)>,
    /// Templates whose draft was refused, with the reasons.
    pub refused: Vec<(Uuid, String)>,
}

type DueRow = (
    Uuid,
    String,
    sqlx::types::Json<CampaignDraft>,
    i32,
    NaiveDate,
    i32,
    NaiveDate,
);

/// Creates the draft of every template due on `today`, each in its own transaction.
pub async fn run_due(pool: &PgPool, today: NaiveDate) -> Result<Ran, CampaignError> {
    let actor = Actor::System("campaign-schedule");
    let mut ran = Ran::default();
    loop {
        let mut tx = pool.begin().await?;
        let due: Option<DueRow> = sqlx::query_as(
            "SELECT id, name, draft, every_months, starts_on, review_days, next_run_on \
             FROM campaign_template \
             WHERE next_run_on <= $1 AND NOT paused AND deleted_at IS NULL \
             ORDER BY next_run_on, id LIMIT 1 FOR UPDATE SKIP LOCKED",
        )
        .bind(today)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((id, name, draft, every_months, starts_on, review_days, run_on)) = due else {
            break;
        };
        let schedule = Schedule {
            every_months,
            starts_on,
            review_days,
        };
        let next = schedule.first_after(today).unwrap_or(NaiveDate::MAX);
        let draft = draft_for(&name, &draft, review_days, today);
        // The draft is created in a savepoint, so a refused one still advances the template
        // and records why.
        let mut attempt = sqlx::Connection::begin(&mut *tx).await?;
        let outcome = create_campaign_in(&mut attempt, &actor, &draft, today).await;
        let (campaign_id, error) = match outcome {
            Ok(campaign_id) => {
                attempt.commit().await?;
                (Some(campaign_id), None)
            }
            Err(CampaignError::Invalid(problems)) => {
                attempt.rollback().await?;
                (None, Some(problems.join(" ")))
            }
            Err(err) => return Err(err),
        };
        sqlx::query(
            "INSERT INTO campaign_template_run (template_id, run_on, campaign_id, error) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(run_on)
        .bind(campaign_id)
        .bind(&error)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE campaign_template SET next_run_on = $2, last_error = $3 WHERE id = $1")
            .bind(id)
            .bind(next)
            .bind(&error)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            NewEvent {
                actor: actor.clone(),
                action: if campaign_id.is_some() {
                    "campaign_template.ran"
                } else {
                    "campaign_template.run_refused"
                },
                object_kind: "campaign_template",
                object_id: id.to_string(),
                details: serde_json::json!({
                    "run_on": run_on.to_string(),
                    "campaign_id": campaign_id,
                    "error": error,
                    "next_run_on": next.to_string(),
                }),
            },
        )
        .await?;
        tx.commit().await?;
        match (campaign_id, error) {
            (Some(campaign_id), _) => {
                tracing::info!(campaign_template.id = %id, campaign.id = %campaign_id,
                    next_run_on = %next, "scheduled campaign draft created");
                ran.created.push((id, campaign_id));
            }
            (None, Some(error)) => {
                tracing::warn!(campaign_template.id = %id, reason = %error,
                    "scheduled campaign draft refused; the template needs an admin");
                ran.refused.push((id, error));
            }
            (None, None) => {}
        }
    }
    Ok(ran)
}

/// Checks the schedule every `tick` for as long as the process lives, leading when it can.
pub async fn run_forever(pool: PgPool, tick: Duration) {
    let mut leadership: Option<Leadership> = None;
    loop {
        if let Some(held) = leadership.as_mut()
            && !held.is_held().await
        {
            tracing::warn!("campaign schedule leadership lost with its database connection");
            leadership = None;
        }
        if leadership.is_none() {
            match Leadership::try_acquire_class(&pool, LEADER_LOCK_CLASS).await {
                Ok(Some(held)) => {
                    tracing::info!("this process now runs the campaign schedule");
                    leadership = Some(held);
                }
                Ok(None) => {}
                Err(err) => {
                    tracing::warn!(error = %err, "cannot check the campaign schedule's leadership")
                }
            }
        }
        if leadership.is_some()
            && let Err(err) = run_due(&pool, Utc::now().date_naive()).await
        {
            tracing::error!(error = %err, "scheduled campaign work failed; retrying next tick");
        }
        tokio::time::sleep(tick).await;
    }
}

/// Takes the campaign schedule's leadership if no other process holds it (for tests and
/// tools that must not run alongside the leader).
pub async fn try_lead(pool: &PgPool) -> sqlx::Result<Option<Leadership>> {
    Leadership::try_acquire_class(pool, LEADER_LOCK_CLASS).await
}
