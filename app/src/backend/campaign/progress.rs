//! Reading campaigns for admins and auditors: the list with progress, and one campaign with
//! its settings, frozen snapshots, progress per reviewer and sign-off.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::CampaignError;
use crate::model::campaign::{
    CampaignDetail, CampaignSummary, FrozenSnapshot, ReviewerProgress, SignOff,
};

type SummaryRow = (
    Uuid,
    String,
    String,
    NaiveDate,
    DateTime<Utc>,
    i64,
    i64,
    i64,
    i64,
);

const SUMMARY: &str = "SELECT c.id, c.name, c.status, c.due_date, c.created_at, \
        count(i.id), count(i.decision), count(i.submitted_at), \
        count(*) FILTER (WHERE i.decision = 'revoke') \
     FROM campaign c LEFT JOIN review_item i ON i.campaign_id = c.id";

fn summary(row: SummaryRow) -> CampaignSummary {
    let (id, name, status, due, created, items, decided, submitted, revoked) = row;
    CampaignSummary {
        id,
        name,
        status,
        due_date: due.to_string(),
        created_at: created.format("%Y-%m-%d %H:%M UTC").to_string(),
        items,
        decided,
        submitted,
        revoked,
    }
}

/// Every campaign, newest first, with its progress.
pub async fn list_campaigns(pool: &PgPool) -> Result<Vec<CampaignSummary>, CampaignError> {
    let rows: Vec<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SUMMARY} GROUP BY c.id ORDER BY c.created_at DESC"
    )))
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(summary).collect())
}

/// One campaign with everything its page shows.
pub async fn campaign_detail(
    pool: &PgPool,
    campaign_id: Uuid,
) -> Result<CampaignDetail, CampaignError> {
    let row: Option<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SUMMARY} WHERE c.id = $1 GROUP BY c.id"
    )))
    .bind(campaign_id)
    .fetch_optional(pool)
    .await?;
    let summary = summary(row.ok_or(CampaignError::NoCampaign(campaign_id))?);
    type Settings = (
        String,
        Vec<String>,
        Vec<String>,
        Vec<String>,
        Vec<String>,
        bool,
        Vec<String>,
        bool,
        bool,
        bool,
        String,
        String,
    );
    let settings: Settings = sqlx::query_as(
        "SELECT description, org_ids, project_ids, principal_kinds, tiers, only_new_since_last, \
                reviewer_rules, comment_required_on_revoke, \
                comment_required_on_privileged_approve, allow_forwarding, undecided_outcome, \
                remediation_mode FROM campaign WHERE id = $1",
    )
    .bind(campaign_id)
    .fetch_one(pool)
    .await?;
    let fallback_reviewers: Vec<String> = sqlx::query_scalar(
        "SELECT p.email FROM campaign_fallback_reviewer f JOIN person p ON p.id = f.person_id \
         WHERE f.campaign_id = $1 ORDER BY f.position",
    )
    .bind(campaign_id)
    .fetch_all(pool)
    .await?;
    let snapshots: Vec<(String, Uuid, String, DateTime<Utc>, i64, i64)> = sqlx::query_as(
        "SELECT org_id, snapshot_id, content_sha256, snapshot_finished_at, \
                entitlements_in_scope, items_created \
         FROM campaign_snapshot WHERE campaign_id = $1 ORDER BY org_id",
    )
    .bind(campaign_id)
    .fetch_all(pool)
    .await?;
    /// Email, name, items, decided, submitted, approved, revoked, bulk percent.
    type ReviewerRow = (String, String, i64, i64, i64, i64, i64, i64);
    let reviewers: Vec<ReviewerRow> = sqlx::query_as(
        "SELECT p.email, p.name, count(*), count(i.decision), count(i.submitted_at), \
                count(*) FILTER (WHERE i.decision = 'approve'), \
                count(*) FILTER (WHERE i.decision = 'revoke'), \
                coalesce(100 * count(*) FILTER (WHERE i.decision_source = 'bulk') \
                         / nullif(count(i.decision), 0), 0) \
         FROM review_item i JOIN person p ON p.id = i.reviewer_person_id \
         WHERE i.campaign_id = $1 GROUP BY p.email, p.name ORDER BY p.name, p.email",
    )
    .bind(campaign_id)
    .fetch_all(pool)
    .await?;
    let signoff: Option<(String, String, DateTime<Utc>, String)> = sqlx::query_as(
        "SELECT attestation, signed_by_label, signed_at, state_sha256 \
         FROM campaign_signoff WHERE campaign_id = $1",
    )
    .bind(campaign_id)
    .fetch_optional(pool)
    .await?;
    let stats = super::stats::decision_stats(pool, campaign_id).await?;
    let overdue_possible = summary.status == "active"
        && NaiveDate::parse_from_str(&summary.due_date, "%Y-%m-%d")
            .is_ok_and(|due| due < Utc::now().date_naive());
    let (
        description,
        org_ids,
        project_ids,
        principal_kinds,
        tiers,
        only_new_since_last,
        reviewer_rules,
        comment_required_on_revoke,
        comment_required_on_privileged_approve,
        allow_forwarding,
        undecided_outcome,
        remediation_mode,
    ) = settings;
    Ok(CampaignDetail {
        summary,
        description,
        org_ids,
        project_ids,
        principal_kinds,
        tiers,
        only_new_since_last,
        reviewer_rules,
        fallback_reviewers,
        comment_required_on_revoke,
        comment_required_on_privileged_approve,
        allow_forwarding,
        undecided_outcome,
        remediation_mode,
        snapshots: snapshots
            .into_iter()
            .map(
                |(org_id, snapshot_id, content_sha256, finished, in_scope, created)| {
                    FrozenSnapshot {
                        org_id,
                        snapshot_id,
                        content_sha256,
                        finished_at: finished.format("%Y-%m-%d %H:%M UTC").to_string(),
                        entitlements_in_scope: in_scope,
                        items_created: created,
                    }
                },
            )
            .collect(),
        reviewers: reviewers
            .into_iter()
            .map(
                |(email, name, items, decided, submitted, approved, revoked, bulk_percent)| {
                    ReviewerProgress {
                        email,
                        name,
                        items,
                        decided,
                        submitted,
                        approved,
                        revoked,
                        bulk_percent,
                        overdue: overdue_possible && submitted < items,
                    }
                },
            )
            .collect(),
        stats,
        signoff: signoff.map(|(attestation, signed_by, at, state_sha256)| SignOff {
            attestation,
            signed_by,
            signed_at: at.format("%Y-%m-%d %H:%M UTC").to_string(),
            state_sha256,
        }),
    })
}
