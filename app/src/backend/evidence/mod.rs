//! Evidence auditors can re-perform the review from: the CSV files of a campaign (population
//! as frozen at launch, assignments, decisions with their history, remediation, exceptions,
//! sign-offs) and of the audit log, streamed from PostgreSQL; the signed evidence pack that
//! bundles them with the raw snapshot pages and a segment of the audit chain; and the
//! verifier that checks a pack without any database.
//!
//! [`files`] says what each CSV holds, [`stream`] writes one, [`pack`] assembles the zip,
//! [`verify`] checks one, [`signing`] holds the Ed25519 key. Reading only: nothing here
//! changes data, and callers authorize first. Every text cell goes through
//! [`formula::csv_safe`], the one neutralisation rule Attest has.

pub mod chain;
pub mod files;
pub mod formula;
pub mod manifest;
pub mod pack;
mod readme;
pub mod report;
pub mod signing;
pub mod stream;
pub mod verify;
pub mod workspace;

pub use files::{CAMPAIGN_FILES, EvidenceFile, campaign_file};
pub use formula::{FORMULA_RULE, csv_safe};
pub use pack::build_pack;
pub use signing::EvidenceKey;
pub use stream::{CsvSink, Params, write_csv};
pub use verify::{PackReport, verify_pack};

/// Errors of evidence exports; the user-facing messages name what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("campaign {0} does not exist")]
    NoCampaign(uuid::Uuid),
    /// The request itself is wrong (a bad time range, an unknown file).
    #[error("{0}")]
    Invalid(String),
    /// Writing a file of the pack failed (CSV, zip or JSON encoding).
    #[error("writing {file}: {reason}")]
    Write { file: String, reason: String },
}

impl EvidenceError {
    /// A failure while writing `file`.
    pub fn write(file: &str, reason: impl std::fmt::Display) -> EvidenceError {
        EvidenceError::Write {
            file: file.to_owned(),
            reason: reason.to_string(),
        }
    }
}

impl From<EvidenceError> for crate::error::AppError {
    fn from(err: EvidenceError) -> Self {
        use crate::backend::respond::with_status;
        use crate::error::AppError;
        match err {
            EvidenceError::NoCampaign(_) => with_status(AppError::NotFound("That campaign".into())),
            EvidenceError::Invalid(msg) => with_status(AppError::Invalid(msg)),
            EvidenceError::Write { .. } => {
                tracing::error!(error = %err, "evidence export failed");
                AppError::Internal
            }
            EvidenceError::Database(err) => crate::backend::db::internal("evidence", err),
        }
    }
}

/// Whether campaign `campaign_id` exists, checked before a download starts so a wrong id is
/// answered with a not-found page rather than an empty file.
pub async fn campaign_exists(
    pool: &sqlx::PgPool,
    campaign_id: uuid::Uuid,
) -> Result<bool, EvidenceError> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM campaign WHERE id = $1)")
            .bind(campaign_id)
            .fetch_one(pool)
            .await?,
    )
}
