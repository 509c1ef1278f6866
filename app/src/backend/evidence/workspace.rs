//! The auditor's workspace: campaigns with their completeness, the evidence files, and the
//! audit chain recomputed from the database.

use sqlx::PgPool;
use uuid::Uuid;

use super::EvidenceError;
use super::files::CAMPAIGN_FILES;
use crate::backend::audit::{ChainReport, CheckpointReport, verify_chain, verify_checkpoints};
use crate::model::evidence::{ChainStatus, EvidenceCampaign, EvidenceFileInfo};

type Row = (
    Uuid,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    i64,
    i64,
    i64,
    i64,
);

/// Every campaign, newest first, with its counts.
pub async fn evidence_campaigns(pool: &PgPool) -> Result<Vec<EvidenceCampaign>, EvidenceError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT c.id, c.name, c.status, c.due_date::text, evidence_ts(c.launched_at), \
             evidence_ts(c.closed_at), evidence_ts(s.signed_at), i.items, i.decided, \
             i.revoked, j.jobs, j.verified \
         FROM campaign c LEFT JOIN campaign_signoff s ON s.campaign_id = c.id, \
         LATERAL (SELECT count(*) AS items, count(decision) AS decided, \
                      count(*) FILTER (WHERE decision = 'revoke') AS revoked \
                  FROM review_item WHERE campaign_id = c.id) i, \
         LATERAL (SELECT count(*) AS jobs, count(*) FILTER (WHERE status = 'verified') AS verified \
                  FROM remediation_job WHERE campaign_id = c.id) j \
         ORDER BY c.created_at DESC",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                name,
                status,
                due_date,
                launched,
                closed,
                signed,
                items,
                decided,
                revoked,
                jobs,
                verified,
            )| {
                EvidenceCampaign {
                    id,
                    name,
                    status,
                    due_date,
                    launched_at: launched,
                    closed_at: closed,
                    signed_off_at: signed,
                    items,
                    decided,
                    revoked,
                    remediation_jobs: jobs,
                    remediation_verified: verified,
                }
            },
        )
        .collect())
}

/// The CSV files every campaign offers.
pub fn evidence_files() -> Vec<EvidenceFileInfo> {
    CAMPAIGN_FILES
        .iter()
        .map(|f| EvidenceFileInfo {
            name: f.name.to_owned(),
            about: f.about.to_owned(),
        })
        .collect()
}

/// The whole audit chain recomputed now, and every signed checkpoint checked against it.
// Limitation: this walks every event on each visit; at millions of events it should read the
// result of a scheduled verification instead.
pub async fn chain_status(pool: &PgPool) -> Result<ChainStatus, EvidenceError> {
    let audit_error = |err| match err {
        crate::backend::audit::AuditError::Database(err) => EvidenceError::Database(err),
        other => EvidenceError::Invalid(other.to_string()),
    };
    let report = verify_chain(pool).await.map_err(audit_error)?;
    Ok(match report {
        ChainReport::Intact { events } => {
            match verify_checkpoints(pool, None).await.map_err(audit_error)? {
                CheckpointReport::Intact { .. } => ChainStatus {
                    intact: true,
                    verified: events,
                    problem: None,
                },
                CheckpointReport::Broken { first_bad, .. } => ChainStatus {
                    intact: false,
                    verified: events,
                    problem: Some(format!(
                        "checkpoint {} (event {}, signed {}): {}",
                        first_bad.id, first_bad.seq, first_bad.signed_at, first_bad.reason
                    )),
                },
            }
        }
        ChainReport::Broken {
            verified,
            first_bad,
        } => ChainStatus {
            intact: false,
            verified,
            problem: Some(format!("event {}: {}", first_bad.seq, first_bad.reason)),
        },
    })
}
