//! What the remediation queue page and the campaign dashboard show: the switches, counts per
//! campaign and status, open alerts, and the jobs (newest first, optionally one status).

use sqlx::PgPool;

use super::RemediationError;
use super::operation::Operation;
use crate::model::remediation::{
    AlertRow, CampaignRemediation, JobRow, RemediationControl, RemediationQueue,
};

/// Most jobs listed at once.
const PAGE: i64 = 200;

#[derive(sqlx::FromRow)]
struct Job {
    id: i64,
    campaign_id: uuid::Uuid,
    campaign_name: String,
    review_item_id: i64,
    principal_name: String,
    entitlement_key: String,
    operation: String,
    target: serde_json::Value,
    idp_group: Option<String>,
    status: String,
    status_reason: Option<String>,
    error_class: Option<String>,
    attempts: i32,
    effect: Option<String>,
    manual_note: Option<String>,
    last_request: Option<serde_json::Value>,
    last_response: Option<serde_json::Value>,
    updated_at: String,
}

/// The queue, with jobs of `status` only when given.
pub async fn load(
    pool: &PgPool,
    status: Option<&str>,
) -> Result<RemediationQueue, RemediationError> {
    let (paused, paused_reason, dry_run, max_revoke_share): (bool, Option<String>, bool, f64) =
        sqlx::query_as(
            "SELECT paused, paused_reason, dry_run, max_revoke_share::float8 FROM remediation_control",
        )
        .fetch_one(pool)
        .await?;
    let campaigns = load_counts(pool, None).await?;
    let alerts = sqlx::query_as::<_, (i64, String, String, String)>(
        "SELECT id, kind, message, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') \
         FROM remediation_alert WHERE acknowledged_at IS NULL ORDER BY id DESC LIMIT 50",
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(id, kind, message, created_at)| AlertRow {
        id,
        kind,
        message,
        created_at,
    })
    .collect();
    let jobs: Vec<Job> = sqlx::query_as(
        "SELECT j.id, j.campaign_id, c.name AS campaign_name, j.review_item_id, \
                i.principal_name, j.entitlement_key, j.operation, j.target, j.idp_group, \
                j.status, j.status_reason, j.error_class, j.attempts, j.effect, j.manual_note, \
                j.last_request, j.last_response, \
                to_char(j.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS updated_at \
         FROM remediation_job j JOIN campaign c ON c.id = j.campaign_id \
         JOIN review_item i ON i.id = j.review_item_id \
         WHERE $1::text IS NULL OR j.status = $1 ORDER BY j.id DESC LIMIT $2",
    )
    .bind(status)
    .bind(PAGE)
    .fetch_all(pool)
    .await?;
    Ok(RemediationQueue {
        control: RemediationControl {
            paused,
            paused_reason,
            dry_run,
            max_revoke_share,
        },
        campaigns,
        alerts,
        jobs: jobs.into_iter().map(row).collect(),
    })
}

/// One campaign's counts, for its dashboard.
pub async fn campaign(
    pool: &PgPool,
    campaign_id: uuid::Uuid,
) -> Result<Option<CampaignRemediation>, RemediationError> {
    let counts = load_counts(pool, Some(campaign_id)).await?;
    Ok(counts.into_iter().next())
}

/// Jobs per status of every campaign (or one), with what releasing needs.
async fn load_counts(
    pool: &PgPool,
    only: Option<uuid::Uuid>,
) -> Result<Vec<CampaignRemediation>, RemediationError> {
    let counts: Vec<(uuid::Uuid, String, String, String, i64, bool)> = sqlx::query_as(
        "SELECT c.id, c.name, c.remediation_mode, j.status, count(*), \
                bool_or(j.status = 'awaiting_approval' AND c.remediation_share_confirmed_at IS NULL \
                        AND EXISTS (SELECT 1 FROM remediation_alert a \
                                    WHERE a.kind = 'share_exceeded' AND a.campaign_id = c.id)) \
         FROM remediation_job j JOIN campaign c ON c.id = j.campaign_id \
         WHERE $1::uuid IS NULL OR c.id = $1 \
         GROUP BY c.id, c.name, c.remediation_mode, j.status ORDER BY c.name, j.status",
    )
    .bind(only)
    .fetch_all(pool)
    .await?;
    let mut campaigns: Vec<CampaignRemediation> = Vec::new();
    for (id, name, mode, status, n, share) in counts {
        if campaigns.last().is_none_or(|c| c.campaign_id != id) {
            campaigns.push(CampaignRemediation {
                campaign_id: id,
                campaign_name: name,
                mode,
                counts: Vec::new(),
                held: 0,
                needs_share_confirmation: false,
            });
        }
        let campaign = campaigns.last_mut().expect("pushed above");
        if status == "awaiting_approval" {
            campaign.held += n;
        }
        campaign.needs_share_confirmation |= share;
        campaign.counts.push((status, n));
    }
    Ok(campaigns)
}

fn row(job: Job) -> JobRow {
    let change = serde_json::from_value::<Operation>(job.target)
        .map(|op| op.describe())
        .unwrap_or_else(|_| job.operation.clone());
    JobRow {
        id: job.id,
        campaign_id: job.campaign_id,
        campaign_name: job.campaign_name,
        review_item_id: job.review_item_id,
        principal_name: job.principal_name,
        entitlement_key: job.entitlement_key,
        operation: job.operation,
        change,
        idp_group: job.idp_group,
        status: job.status,
        status_reason: job.status_reason,
        error_class: job.error_class,
        attempts: job.attempts,
        effect: job.effect,
        manual_note: job.manual_note,
        last_request: job.last_request.map(|v| v.to_string()),
        last_response: job.last_response.map(|v| v.to_string()),
        updated_at: job.updated_at,
    }
}
