//! How a campaign's decisions were made: approval rate, time per decision, share in bulk.
//! Read-only; the dashboard shows these next to the progress per reviewer.

use sqlx::PgPool;
use uuid::Uuid;

use super::CampaignError;
use crate::model::campaign::DecisionStats;

/// Gaps between a reviewer's consecutive decisions longer than this are pauses, not time
/// spent deciding, and are left out of the median.
const PAUSE_SECONDS: i64 = 30 * 60;

/// Decision statistics of campaign `campaign_id` (current decisions; the timing uses the
/// history of single decisions, so changed decisions count as the work they were).
pub async fn decision_stats(
    pool: &PgPool,
    campaign_id: Uuid,
) -> Result<DecisionStats, CampaignError> {
    let (decided, approved, revoked, bulk): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT count(decision), count(*) FILTER (WHERE decision = 'approve'), \
                count(*) FILTER (WHERE decision = 'revoke'), \
                count(*) FILTER (WHERE decision_source = 'bulk') \
         FROM review_item WHERE campaign_id = $1 AND decision_source IS DISTINCT FROM \
              'close_default'",
    )
    .bind(campaign_id)
    .fetch_one(pool)
    .await?;
    let median: Option<f64> = sqlx::query_scalar(
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) FROM ( \
             SELECT extract(epoch FROM d.decided_at - lag(d.decided_at) OVER ( \
                        PARTITION BY d.decided_by_person_id ORDER BY d.decided_at, d.id)) AS gap \
             FROM review_decision d JOIN review_item i ON i.id = d.item_id \
             WHERE i.campaign_id = $1 AND d.source = 'reviewer') gaps \
         WHERE gap IS NOT NULL AND gap <= $2",
    )
    .bind(campaign_id)
    .bind(PAUSE_SECONDS as f64)
    .fetch_one(pool)
    .await?;
    let percent = |part: i64| (decided > 0).then(|| 100 * part / decided);
    Ok(DecisionStats {
        decided,
        approved,
        revoked,
        approval_percent: percent(approved),
        median_seconds_per_decision: median.map(|m| m.round() as i64),
        bulk_percent: percent(bulk),
    })
}
