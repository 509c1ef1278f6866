//! Campaign templates: a campaign draft's scope, settings and reviewer rules with a schedule
//! (every N months from a start date, quarterly by default), from which the scheduler creates
//! drafts (see [`super::schedule`]). Admins create, list, pause, resume and delete them.
//!
//! A template is checked with exactly the draft's own rules: creating it creates a trial
//! draft in a transaction that is then rolled back, so a template that is accepted would
//! also have made a valid draft today.

use chrono::{Days, Months, NaiveDate};
use sqlx::PgPool;
use uuid::Uuid;

use super::CampaignError;
use super::create::create_campaign_in;
use crate::backend::audit::{self, Actor, NewEvent};
use crate::model::campaign::{CampaignDraft, CampaignTemplateSummary, TemplateSchedule};

/// The schedule when nothing else is said: quarterly.
pub const DEFAULT_EVERY_MONTHS: i32 = 3;
/// Days between a scheduled draft's creation and its due date when nothing else is said.
pub const DEFAULT_REVIEW_DAYS: i32 = 14;

/// A checked schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub every_months: i32,
    pub starts_on: NaiveDate,
    pub review_days: i32,
}

impl Schedule {
    /// The `k`-th occurrence, counted from the start date so that a month-end start keeps its
    /// day where the month has it (31 January, 30 April, 31 July, …).
    fn occurrence(&self, k: u32) -> Option<NaiveDate> {
        let months = k.checked_mul(u32::try_from(self.every_months).ok()?)?;
        self.starts_on.checked_add_months(Months::new(months))
    }

    /// The first occurrence on or after `day`.
    pub fn first_on_or_after(&self, day: NaiveDate) -> Option<NaiveDate> {
        (0..=12_000).find_map(|k| self.occurrence(k).filter(|d| *d >= day))
    }

    /// The first occurrence after `day`.
    pub fn first_after(&self, day: NaiveDate) -> Option<NaiveDate> {
        day.checked_add_days(Days::new(1))
            .and_then(|next| self.first_on_or_after(next))
    }
}

/// Parses `schedule`, one message per problem, each naming its field.
pub fn parse_schedule(schedule: &TemplateSchedule) -> Result<Schedule, Vec<String>> {
    let mut problems = Vec::new();
    let text = |s: &str, default: &str| {
        let s = s.trim();
        if s.is_empty() {
            default.to_owned()
        } else {
            s.to_owned()
        }
    };
    let every = text(&schedule.every_months, &DEFAULT_EVERY_MONTHS.to_string());
    let every_months = match every.parse::<i32>() {
        Ok(n) if (1..=24).contains(&n) => n,
        _ => {
            problems.push(format!(
                "The schedule is not valid: 'every {every} months' must be a whole number of \
                 months from 1 to 24 (3 is quarterly)."
            ));
            0
        }
    };
    let starts = schedule.starts_on.trim();
    let starts_on = match NaiveDate::parse_from_str(starts, "%Y-%m-%d") {
        Ok(date) => date,
        Err(_) => {
            problems.push(format!(
                "The schedule's start date '{starts}' is not a date; use YYYY-MM-DD."
            ));
            NaiveDate::MIN
        }
    };
    let days = text(&schedule.review_days, &DEFAULT_REVIEW_DAYS.to_string());
    let review_days = match days.parse::<i32>() {
        Ok(n) if (1..=365).contains(&n) => n,
        _ => {
            problems.push(format!(
                "The review period '{days}' must be a whole number of days from 1 to 365."
            ));
            0
        }
    };
    if problems.is_empty() {
        Ok(Schedule {
            every_months,
            starts_on,
            review_days,
        })
    } else {
        Err(problems)
    }
}

/// The draft a template creates on `today`: its name followed by the date, due `review_days`
/// days later.
pub fn draft_for(
    template_name: &str,
    draft: &CampaignDraft,
    review_days: i32,
    today: NaiveDate,
) -> CampaignDraft {
    let due = today
        .checked_add_days(Days::new(u64::try_from(review_days).unwrap_or(0)))
        .unwrap_or(today);
    CampaignDraft {
        name: format!("{} {today}", template_name.trim()),
        due_date: due.to_string(),
        ..draft.clone()
    }
}

/// Checks and stores a template. Every problem, of the schedule and of the draft, is reported
/// together, and nothing is stored unless all pass.
pub async fn create_template(
    pool: &PgPool,
    actor: &Actor,
    draft: &CampaignDraft,
    schedule: &TemplateSchedule,
    today: NaiveDate,
) -> Result<Uuid, CampaignError> {
    let parsed = parse_schedule(schedule);
    let review_days = parsed
        .as_ref()
        .map_or(DEFAULT_REVIEW_DAYS, |s| s.review_days);
    let mut problems = parsed.err().unwrap_or_default();
    if draft.name.trim().is_empty() {
        problems.insert(0, "The name is empty: give the template a name.".to_owned());
    }
    // The draft's own checks, on a trial draft that is rolled back.
    let mut trial = pool.begin().await?;
    match create_campaign_in(
        &mut trial,
        actor,
        &draft_for(&draft.name, draft, review_days, today),
        today,
    )
    .await
    {
        Ok(_) => {}
        Err(CampaignError::Invalid(found)) => problems.extend(found),
        Err(err) => return Err(err),
    }
    trial.rollback().await?;
    let schedule = match parse_schedule(schedule) {
        Ok(schedule) if problems.is_empty() => schedule,
        _ => return Err(CampaignError::Invalid(problems)),
    };
    let next_run_on = schedule
        .first_on_or_after(today)
        .ok_or_else(|| CampaignError::invalid("The schedule has no occurrence after today."))?;
    let stored = CampaignDraft {
        name: draft.name.trim().to_owned(),
        due_date: String::new(),
        ..draft.clone()
    };
    let id = Uuid::new_v4();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO campaign_template (id, name, draft, every_months, starts_on, review_days, \
             next_run_on, created_by, created_by_label) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(&stored.name)
    .bind(sqlx::types::Json(&stored))
    .bind(schedule.every_months)
    .bind(schedule.starts_on)
    .bind(schedule.review_days)
    .bind(next_run_on)
    .bind(actor.user_id())
    .bind(actor.label())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        NewEvent {
            actor: actor.clone(),
            action: "campaign_template.created",
            object_kind: "campaign_template",
            object_id: id.to_string(),
            details: serde_json::json!({
                "name": stored.name,
                "org_ids": stored.org_ids,
                "principal_kinds": stored.principal_kinds,
                "every_months": schedule.every_months,
                "starts_on": schedule.starts_on.to_string(),
                "review_days": schedule.review_days,
                "next_run_on": next_run_on.to_string(),
            }),
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(campaign_template.id = %id, next_run_on = %next_run_on, "campaign template created");
    Ok(id)
}

type SummaryRow = (
    Uuid,
    String,
    sqlx::types::Json<CampaignDraft>,
    i32,
    NaiveDate,
    i32,
    NaiveDate,
    bool,
    Option<Uuid>,
    Option<String>,
    Option<String>,
);

/// Every template that is not deleted, by name.
pub async fn list_templates(pool: &PgPool) -> Result<Vec<CampaignTemplateSummary>, CampaignError> {
    let rows: Vec<SummaryRow> = sqlx::query_as(
        "SELECT t.id, t.name, t.draft, t.every_months, t.starts_on, t.review_days, \
                t.next_run_on, t.paused, last.campaign_id, c.name, t.last_error \
         FROM campaign_template t \
         LEFT JOIN LATERAL (SELECT campaign_id FROM campaign_template_run r \
                            WHERE r.template_id = t.id AND r.campaign_id IS NOT NULL \
                            ORDER BY r.run_on DESC LIMIT 1) last ON true \
         LEFT JOIN campaign c ON c.id = last.campaign_id \
         WHERE t.deleted_at IS NULL ORDER BY t.name, t.id",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| CampaignTemplateSummary {
            id: row.0,
            name: row.1,
            org_ids: row.2.org_ids.clone(),
            principal_kinds: row.2.principal_kinds.clone(),
            every_months: row.3,
            starts_on: row.4.to_string(),
            review_days: row.5,
            next_run_on: row.6.to_string(),
            paused: row.7,
            last_campaign: row.8.zip(row.9),
            last_error: row.10,
        })
        .collect())
}

/// Pauses (`paused`) or resumes a template. A resumed template's next draft is its next
/// occurrence from `today`; occurrences missed while paused are not made up.
pub async fn set_paused(
    pool: &PgPool,
    actor: &Actor,
    template_id: Uuid,
    paused: bool,
    today: NaiveDate,
) -> Result<(), CampaignError> {
    let mut tx = pool.begin().await?;
    let row: Option<(i32, NaiveDate, i32)> = sqlx::query_as(
        "SELECT every_months, starts_on, review_days FROM campaign_template \
         WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
    )
    .bind(template_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((every_months, starts_on, review_days)) = row else {
        return Err(CampaignError::Conflict(
            "That campaign template does not exist.".into(),
        ));
    };
    let schedule = Schedule {
        every_months,
        starts_on,
        review_days,
    };
    let next = schedule.first_on_or_after(today).unwrap_or(today);
    sqlx::query(
        "UPDATE campaign_template SET paused = $2, \
             next_run_on = CASE WHEN $2 THEN next_run_on ELSE greatest(next_run_on, $3) END \
         WHERE id = $1",
    )
    .bind(template_id)
    .bind(paused)
    .bind(next)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        NewEvent {
            actor: actor.clone(),
            action: if paused {
                "campaign_template.paused"
            } else {
                "campaign_template.resumed"
            },
            object_kind: "campaign_template",
            object_id: template_id.to_string(),
            details: serde_json::json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a template: it never runs again and leaves the list; the drafts it created, and
/// the record of its runs, stay.
pub async fn delete_template(
    pool: &PgPool,
    actor: &Actor,
    template_id: Uuid,
) -> Result<(), CampaignError> {
    let mut tx = pool.begin().await?;
    let name: Option<String> = sqlx::query_scalar(
        "UPDATE campaign_template SET deleted_at = now() \
         WHERE id = $1 AND deleted_at IS NULL RETURNING name",
    )
    .bind(template_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(name) = name else {
        return Err(CampaignError::Conflict(
            "That campaign template does not exist.".into(),
        ));
    };
    audit::record(
        &mut tx,
        NewEvent {
            actor: actor.clone(),
            action: "campaign_template.deleted",
            object_kind: "campaign_template",
            object_id: template_id.to_string(),
            details: serde_json::json!({ "name": name }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
    }

    fn quarterly_from(start: &str) -> Schedule {
        Schedule {
            every_months: 3,
            starts_on: date(start),
            review_days: 14,
        }
    }

    #[test]
    fn occurrences_count_from_the_start_and_keep_month_ends() {
        let schedule = quarterly_from("2027-01-31");
        assert_eq!(
            schedule.first_on_or_after(date("2027-01-31")),
            Some(date("2027-01-31"))
        );
        assert_eq!(
            schedule.first_after(date("2027-01-31")),
            Some(date("2027-04-30"))
        );
        assert_eq!(
            schedule.first_after(date("2027-05-01")),
            Some(date("2027-07-31"))
        );
        assert_eq!(
            schedule.first_on_or_after(date("2026-06-01")),
            Some(date("2027-01-31"))
        );
    }

    #[test]
    fn an_empty_schedule_is_quarterly_with_two_weeks_to_review() {
        let schedule = parse_schedule(&TemplateSchedule {
            every_months: String::new(),
            starts_on: "2027-01-01".into(),
            review_days: " ".into(),
        })
        .expect("valid");
        assert_eq!((schedule.every_months, schedule.review_days), (3, 14));
    }

    #[test]
    fn a_bad_schedule_names_each_field() {
        let problems = parse_schedule(&TemplateSchedule {
            every_months: "0".into(),
            starts_on: "next week".into(),
            review_days: "x".into(),
        })
        .expect_err("refused");
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("The schedule is not valid: 'every 0 months'"));
        assert!(problems[1].starts_with("The schedule's start date 'next week'"));
        assert!(problems[2].starts_with("The review period 'x'"));
    }
}
