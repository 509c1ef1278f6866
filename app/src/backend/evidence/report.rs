//! The printable campaign report: the same facts as the evidence files, summed up for people
//! who want a document (scope, dates, counts, decisions by outcome and tier, remediation
//! outcomes, exceptions, sign-off). Rendered by the server's report template.

use sqlx::PgPool;
use uuid::Uuid;

use super::EvidenceError;
use super::files::EXCEPTIONS;

/// Everything the report shows.
#[derive(Debug, Clone)]
pub struct CampaignReport {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub status: String,
    pub org_ids: Vec<String>,
    pub project_ids: Vec<String>,
    pub principal_kinds: Vec<String>,
    pub tiers: Vec<String>,
    pub due_date: String,
    pub undecided_outcome: String,
    pub remediation_mode: String,
    pub created_at: String,
    pub launched_at: Option<String>,
    pub closed_at: Option<String>,
    pub signoff: Option<Signoff>,
    pub snapshots: Vec<SnapshotLine>,
    pub by_tier: Vec<TierLine>,
    pub total: TierLine,
    pub remediation: Vec<(String, i64)>,
    pub exceptions: Vec<(String, i64)>,
}

/// The control owner's sign-off.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Signoff {
    pub signed_by: String,
    pub signed_at: String,
    pub attestation: String,
    pub state_sha256: String,
}

/// One snapshot the population came from, with the reconciliation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SnapshotLine {
    pub org_id: String,
    pub snapshot_id: String,
    pub content_sha256: String,
    pub finished_at: String,
    pub entitlements_in_scope: i64,
    pub items_created: i64,
}

/// Decisions by outcome for one tier (or all of them).
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct TierLine {
    pub tier: String,
    pub items: i64,
    pub approved: i64,
    pub revoked: i64,
    pub defaulted: i64,
    pub undecided: i64,
}

#[derive(sqlx::FromRow)]
struct Head {
    name: String,
    description: String,
    status: String,
    org_ids: Vec<String>,
    project_ids: Vec<String>,
    principal_kinds: Vec<String>,
    tiers: Vec<String>,
    due_date: String,
    undecided_outcome: String,
    remediation_mode: String,
    created_at: String,
    launched_at: Option<String>,
    closed_at: Option<String>,
}

/// The report of campaign `campaign_id`.
pub async fn campaign_report(
    pool: &PgPool,
    campaign_id: Uuid,
) -> Result<CampaignReport, EvidenceError> {
    let head: Head = sqlx::query_as(
        "SELECT name, description, status, org_ids, project_ids, principal_kinds, tiers, \
             due_date::text AS due_date, undecided_outcome, remediation_mode, \
             evidence_ts(created_at) AS created_at, evidence_ts(launched_at) AS launched_at, \
             evidence_ts(closed_at) AS closed_at \
         FROM campaign WHERE id = $1",
    )
    .bind(campaign_id)
    .fetch_optional(pool)
    .await?
    .ok_or(EvidenceError::NoCampaign(campaign_id))?;
    let signoff: Option<Signoff> = sqlx::query_as(
        "SELECT signed_by_label AS signed_by, evidence_ts(signed_at) AS signed_at, attestation, \
             state_sha256 FROM campaign_signoff WHERE campaign_id = $1",
    )
    .bind(campaign_id)
    .fetch_optional(pool)
    .await?;
    let snapshots: Vec<SnapshotLine> = sqlx::query_as(
        "SELECT org_id, snapshot_id::text AS snapshot_id, content_sha256, \
             evidence_ts(snapshot_finished_at) AS finished_at, entitlements_in_scope, \
             items_created \
         FROM campaign_snapshot WHERE campaign_id = $1 ORDER BY org_id",
    )
    .bind(campaign_id)
    .fetch_all(pool)
    .await?;
    let by_tier: Vec<TierLine> = sqlx::query_as(
        "SELECT tier, count(*) AS items, \
             count(*) FILTER (WHERE decision = 'approve' \
                 AND decision_source IS DISTINCT FROM 'close_default') AS approved, \
             count(*) FILTER (WHERE decision = 'revoke' \
                 AND decision_source IS DISTINCT FROM 'close_default') AS revoked, \
             count(*) FILTER (WHERE decision_source = 'close_default') AS defaulted, \
             count(*) FILTER (WHERE decision IS NULL) AS undecided \
         FROM review_item WHERE campaign_id = $1 GROUP BY tier \
         ORDER BY CASE tier WHEN 'admin' THEN 1 WHEN 'write' THEN 2 ELSE 3 END",
    )
    .bind(campaign_id)
    .fetch_all(pool)
    .await?;
    let total = by_tier.iter().fold(
        TierLine {
            tier: "all".into(),
            ..TierLine::default()
        },
        |mut sum, t| {
            sum.items += t.items;
            sum.approved += t.approved;
            sum.revoked += t.revoked;
            sum.defaulted += t.defaulted;
            sum.undecided += t.undecided;
            sum
        },
    );
    let remediation: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, count(*) FROM remediation_job WHERE campaign_id = $1 \
         GROUP BY status ORDER BY status",
    )
    .bind(campaign_id)
    .fetch_all(pool)
    .await?;
    // The same rows as exceptions.csv, counted by type.
    let exceptions: Vec<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT x.type, count(*) FROM ({}) x GROUP BY x.type ORDER BY x.type",
        EXCEPTIONS.sql
    )))
    .bind(campaign_id)
    .fetch_all(pool)
    .await?;
    Ok(CampaignReport {
        id: campaign_id,
        name: head.name,
        description: head.description,
        status: head.status,
        org_ids: head.org_ids,
        project_ids: head.project_ids,
        principal_kinds: head.principal_kinds,
        tiers: head.tiers,
        due_date: head.due_date,
        undecided_outcome: head.undecided_outcome,
        remediation_mode: head.remediation_mode,
        created_at: head.created_at,
        launched_at: head.launched_at,
        closed_at: head.closed_at,
        signoff,
        snapshots,
        by_tier,
        total,
        remediation,
        exceptions,
    })
}
