//! A campaign's items as an admin lists them to reassign: filtered by reviewer or text, one
//! page at a time. Read-only; reassigning is in [`super::reassign`].

use sqlx::PgPool;
use uuid::Uuid;

use super::CampaignError;
use crate::model::campaign::{CampaignItemRow, CampaignItems};

/// Items per page of the admin's item list.
pub const PAGE_SIZE: i64 = 100;

type Row = (
    i64,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
    Option<String>,
    bool,
);

/// Page `page` (from 1) of campaign `campaign_id`'s items whose reviewer's email is
/// `reviewer` (when given) and whose person, principal, project or role contains `search`.
pub async fn campaign_items(
    pool: &PgPool,
    campaign_id: Uuid,
    reviewer: Option<&str>,
    search: Option<&str>,
    page: i64,
) -> Result<CampaignItems, CampaignError> {
    let page = page.max(1);
    let reviewer = reviewer.map(str::trim).filter(|r| !r.is_empty());
    let search = search
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(crate::backend::db::contains_pattern);
    const FILTER: &str = "FROM review_item i JOIN person r ON r.id = i.reviewer_person_id \
         WHERE i.campaign_id = $1 AND ($2::text IS NULL OR r.email = lower($2)) \
           AND ($3::text IS NULL OR coalesce(i.person_name, '') ILIKE $3 \
                OR i.principal_name ILIKE $3 OR coalesce(i.project_name, '') ILIKE $3 \
                OR i.role ILIKE $3)";
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) {FILTER}")))
        .bind(campaign_id)
        .bind(reviewer)
        .bind(&search)
        .fetch_one(pool)
        .await?;
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT i.id, coalesce(i.person_name, 'nobody (orphan)'), i.principal_name, \
                coalesce(i.project_name, i.project_id), i.role, i.tier, r.email, \
                i.routing_rule, i.decision, i.submitted_at IS NOT NULL \
         {FILTER} ORDER BY r.email, i.person_name NULLS LAST, i.principal_name, i.id \
         LIMIT $4 OFFSET $5"
    )))
    .bind(campaign_id)
    .bind(reviewer)
    .bind(&search)
    .bind(PAGE_SIZE)
    .bind((page - 1) * PAGE_SIZE)
    .fetch_all(pool)
    .await?;
    let items = rows
        .into_iter()
        .map(
            |(id, person, principal, project, role, tier, reviewer_email, rule, decision, sub)| {
                CampaignItemRow {
                    id,
                    person,
                    principal,
                    project,
                    role,
                    tier,
                    reviewer_email,
                    routing_rule: rule,
                    decision,
                    submitted: sub,
                }
            },
        )
        .collect();
    Ok(CampaignItems {
        items,
        total,
        page,
        page_size: PAGE_SIZE,
    })
}
