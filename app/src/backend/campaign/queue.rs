//! A reviewer's queue: the open items assigned to the signed-in user's person across active
//! campaigns, and single items read on their behalf. An item is visible only to the person it
//! is assigned to; admins and auditors read campaigns through [`super::progress`].

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::{CampaignError, person_of_viewer};
use crate::model::campaign::{QueueFilter, ReviewItemView, ReviewQueue};

/// Items per queue page.
pub const QUEUE_LIMIT: i64 = 500;

/// The columns of [`ItemRow`], over `review_item i JOIN campaign c`.
pub(crate) const ITEM_COLUMNS: &str = "i.id, i.campaign_id, c.name AS campaign_name, c.due_date, \
    i.entitlement_key, i.person_name, i.person_email, i.person_title, i.person_department, \
    i.person_status, i.link_method, i.principal_kind, i.principal_name, i.auth_type, i.org_id, \
    coalesce(i.project_name, i.project_id) AS project, i.cluster_names, i.database_name, \
    i.collection_name, i.role, i.tier, i.grant_path, i.last_used_at, i.routing_reason, \
    i.is_leaver, i.is_orphan, i.is_privileged, i.is_dormant, i.is_new, i.previous_decision, \
    i.previous_decider, i.decision, i.decision_comment, i.submitted_at IS NOT NULL AS submitted, \
    c.comment_required_on_revoke, c.comment_required_on_privileged_approve, c.allow_forwarding";

/// One item as read from the database.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ItemRow {
    id: i64,
    campaign_id: Uuid,
    campaign_name: String,
    due_date: NaiveDate,
    entitlement_key: String,
    person_name: Option<String>,
    person_email: Option<String>,
    person_title: Option<String>,
    person_department: Option<String>,
    person_status: Option<String>,
    link_method: Option<String>,
    principal_kind: String,
    principal_name: String,
    auth_type: Option<String>,
    org_id: String,
    project: Option<String>,
    cluster_names: Vec<String>,
    database_name: Option<String>,
    collection_name: Option<String>,
    role: String,
    tier: String,
    grant_path: String,
    last_used_at: Option<DateTime<Utc>>,
    routing_reason: String,
    is_leaver: bool,
    is_orphan: bool,
    is_privileged: bool,
    is_dormant: bool,
    is_new: bool,
    previous_decision: Option<String>,
    previous_decider: Option<String>,
    decision: Option<String>,
    decision_comment: Option<String>,
    submitted: bool,
    comment_required_on_revoke: bool,
    comment_required_on_privileged_approve: bool,
    allow_forwarding: bool,
}

impl From<ItemRow> for ReviewItemView {
    fn from(r: ItemRow) -> Self {
        ReviewItemView {
            id: r.id,
            campaign_id: r.campaign_id,
            campaign_name: r.campaign_name,
            due_date: r.due_date.to_string(),
            entitlement_key: r.entitlement_key,
            person_name: r.person_name,
            person_email: r.person_email,
            person_title: r.person_title,
            person_department: r.person_department,
            person_status: r.person_status,
            link_method: r.link_method,
            principal_kind: r.principal_kind,
            principal_name: r.principal_name,
            auth_type: r.auth_type,
            org_id: r.org_id,
            project: r.project,
            clusters: r.cluster_names,
            database_name: r.database_name,
            collection_name: r.collection_name,
            role: r.role,
            tier: r.tier,
            grant_path: r.grant_path,
            last_used_at: r.last_used_at.map(|t| t.format("%Y-%m-%d").to_string()),
            routing_reason: r.routing_reason,
            is_leaver: r.is_leaver,
            is_orphan: r.is_orphan,
            is_privileged: r.is_privileged,
            is_dormant: r.is_dormant,
            is_new: r.is_new,
            previous_decision: r.previous_decision,
            previous_decider: r.previous_decider,
            decision: r.decision,
            decision_comment: r.decision_comment,
            submitted: r.submitted,
            comment_required_on_revoke: r.comment_required_on_revoke,
            comment_required_on_privileged_approve: r.comment_required_on_privileged_approve,
            allow_forwarding: r.allow_forwarding,
        }
    }
}

/// The queue of the person whose email is `email`, in active campaigns, filtered, grouped by
/// the person whose access it is.
pub async fn my_queue(
    pool: &PgPool,
    email: Option<&str>,
    filter: &QueueFilter,
) -> Result<ReviewQueue, CampaignError> {
    let mut conn = pool.acquire().await?;
    let Some((person_id, name)) = person_of_viewer(&mut conn, email).await? else {
        return Ok(ReviewQueue::default());
    };
    let (total, decided, submitted): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*), count(i.decision), count(i.submitted_at) \
         FROM review_item i JOIN campaign c ON c.id = i.campaign_id \
         WHERE i.reviewer_person_id = $1 AND c.status = 'active' \
           AND ($2::uuid IS NULL OR i.campaign_id = $2)",
    )
    .bind(person_id)
    .bind(filter.campaign)
    .fetch_one(&mut *conn)
    .await?;
    let search = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(crate::backend::db::contains_pattern);
    let state = filter.state.as_deref().filter(|s| !s.is_empty());
    if let Some(state) = state
        && !matches!(state, "open" | "decided" | "submitted")
    {
        return Err(CampaignError::invalid(format!(
            "'{state}' is not a queue state; use open, decided or submitted."
        )));
    }
    let rows: Vec<ItemRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ITEM_COLUMNS} FROM review_item i JOIN campaign c ON c.id = i.campaign_id \
         WHERE i.reviewer_person_id = $1 AND c.status = 'active' \
           AND ($2::uuid IS NULL OR i.campaign_id = $2) \
           AND ($3::text IS NULL OR coalesce(i.person_name, '') ILIKE $3 \
                OR i.principal_name ILIKE $3 OR coalesce(i.project_name, '') ILIKE $3 \
                OR i.role ILIKE $3) \
           AND ($4::text IS NULL \
                OR ($4 = 'open' AND i.decision IS NULL) \
                OR ($4 = 'decided' AND i.decision IS NOT NULL AND i.submitted_at IS NULL) \
                OR ($4 = 'submitted' AND i.submitted_at IS NOT NULL)) \
           AND ($5::text IS NULL OR i.tier = $5) \
         ORDER BY i.person_name NULLS LAST, i.principal_name, i.id LIMIT $6"
    )))
    .bind(person_id)
    .bind(filter.campaign)
    .bind(search)
    .bind(state)
    .bind(filter.tier.as_deref().filter(|t| !t.is_empty()))
    .bind(QUEUE_LIMIT + 1)
    .fetch_all(&mut *conn)
    .await?;
    let truncated = rows.len() as i64 > QUEUE_LIMIT;
    Ok(ReviewQueue {
        reviewer: Some(name),
        items: rows
            .into_iter()
            .take(QUEUE_LIMIT as usize)
            .map(ReviewItemView::from)
            .collect(),
        total,
        decided,
        submitted,
        truncated,
    })
}

/// Item `item_id` if it is assigned to the person whose email is `email`; refused otherwise,
/// whether or not it exists, so other reviewers' items stay unreadable.
pub async fn my_item(
    pool: &PgPool,
    email: Option<&str>,
    item_id: i64,
) -> Result<ReviewItemView, CampaignError> {
    let mut conn = pool.acquire().await?;
    let person = person_of_viewer(&mut conn, email).await?.map(|(id, _)| id);
    let row: Option<ItemRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ITEM_COLUMNS} FROM review_item i JOIN campaign c ON c.id = i.campaign_id \
         WHERE i.id = $1 AND i.reviewer_person_id = $2"
    )))
    .bind(item_id)
    .bind(person)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(ReviewItemView::from).ok_or_else(|| {
        CampaignError::Forbidden(format!(
            "review item {item_id} is not assigned to the caller"
        ))
    })
}
