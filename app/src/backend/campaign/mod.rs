//! Review campaigns: creating a draft, previewing and launching it over frozen snapshots,
//! routing every entitlement to a reviewer, reviewers' decisions and submissions, admin
//! reassignment, closing and sign-off, and templates that create drafts on a schedule.
//!
//! Every mutation writes its audit event in the same transaction. Functions here check the
//! object-level rules that need the data (an item belongs to the reviewer, a campaign is in
//! the right state); role checks (admin, auditor) happen in the server functions first.
//! Nothing here renders views or talks to Atlas.

pub mod close;
pub mod create;
pub mod decide;
pub mod identity;
pub mod items;
pub mod launch;
pub mod progress;
pub mod queue;
pub mod reassign;
pub mod route;
pub mod schedule;
pub mod stats;
pub mod template;

use uuid::Uuid;

use crate::backend::respond::with_status;
use crate::error::AppError;

/// Errors of campaigns and reviews. The messages of the user-facing variants name what was
/// refused and why.
#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    /// Bad input; one message per problem.
    #[error("{}", .0.join(" "))]
    Invalid(Vec<String>),
    /// The campaign or item is not in a state that allows this.
    #[error("{0}")]
    Conflict(String),
    /// The caller's relation to the object does not allow this.
    #[error("{0}")]
    Forbidden(String),
    #[error("campaign {0} does not exist")]
    NoCampaign(Uuid),
    #[error("review item {0} does not exist")]
    NoItem(i64),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("audit log: {0}")]
    Audit(#[from] crate::backend::audit::AuditError),
    /// Creating the remediation jobs of submitted revokes failed.
    #[error("remediation: {0}")]
    Remediation(#[from] crate::backend::remediation::RemediationError),
}

impl CampaignError {
    /// A single bad-input message.
    pub fn invalid(message: impl Into<String>) -> CampaignError {
        CampaignError::Invalid(vec![message.into()])
    }
}

impl From<CampaignError> for AppError {
    fn from(err: CampaignError) -> Self {
        match err {
            CampaignError::Invalid(_) => with_status(AppError::Invalid(err.to_string())),
            CampaignError::Conflict(msg) => with_status(AppError::Conflict(msg)),
            CampaignError::Forbidden(msg) => {
                tracing::warn!(reason = %msg, "campaign action refused");
                with_status(AppError::Forbidden)
            }
            CampaignError::NoCampaign(_) => with_status(AppError::NotFound("That campaign".into())),
            CampaignError::NoItem(_) => with_status(AppError::NotFound("That review item".into())),
            CampaignError::Audit(err) => err.into(),
            CampaignError::Remediation(err) => err.into(),
            CampaignError::Database(err) => crate::backend::db::internal("campaign", err),
        }
    }
}

/// The directory person a signed-in user is, matched by email; `None` when their email is not
/// in the directory (they then have no review items).
pub async fn person_of_viewer(
    conn: &mut sqlx::PgConnection,
    email: Option<&str>,
) -> Result<Option<(Uuid, String)>, sqlx::Error> {
    let Some(email) = email else {
        return Ok(None);
    };
    sqlx::query_as("SELECT id, name FROM person WHERE email = lower(btrim($1))")
        .bind(email)
        .fetch_optional(conn)
        .await
}

/// A campaign's status, locked for the rest of the transaction.
pub(crate) async fn lock_status(
    conn: &mut sqlx::PgConnection,
    campaign_id: Uuid,
) -> Result<String, CampaignError> {
    sqlx::query_scalar("SELECT status FROM campaign WHERE id = $1 FOR UPDATE")
        .bind(campaign_id)
        .fetch_optional(conn)
        .await?
        .ok_or(CampaignError::NoCampaign(campaign_id))
}
