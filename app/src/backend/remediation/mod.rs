//! Remediation: every submitted revoke becomes a durable job holding the exact Atlas change,
//! pushed by workers, confirmed by reading Atlas back, and watched by later snapshots.
//!
//! - `operation`: which Atlas change removes exactly the reviewed entitlement (pure).
//! - `enqueue`: jobs created in the submitting transaction; modes and the share guard rail.
//! - `lease`: claiming with `FOR UPDATE SKIP LOCKED` and a lease; completing under the lease
//!   token, with the attempt and its audit event in the same transaction.
//! - `execute`: one job against Atlas: pre-read, the change, post-read (no database here).
//! - `classify`: Atlas errors to retry, manual action, a stop, or the dead letter.
//! - `worker`: the loop that ties them together; several may run in several processes.
//! - `admin`: release, retry, cancel, mark done by hand, pause and dry run.
//! - `recheck`: a later snapshot reopens revoked entitlements that came back.
//! - `queue`: what the admin queue page and the campaign dashboard show.
//!
//! No database transaction is ever open across an Atlas call.

pub mod admin;
pub mod classify;
pub mod enqueue;
pub mod execute;
pub mod lease;
pub mod mask;
pub mod operation;
pub mod probe;
pub mod queue;
pub mod recheck;
pub mod worker;

use crate::backend::respond::with_status;
use crate::error::AppError;

pub use operation::Operation;
pub use worker::{Worker, WorkerSettings};

/// Errors of the remediation queue. User-facing variants name what was refused and why.
#[derive(Debug, thiserror::Error)]
pub enum RemediationError {
    /// Bad input, e.g. a missing note.
    #[error("{0}")]
    Invalid(String),
    /// The job or campaign is not in a state that allows this.
    #[error("{0}")]
    Conflict(String),
    #[error("remediation job {0} does not exist")]
    NoJob(i64),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("audit log: {0}")]
    Audit(#[from] crate::backend::audit::AuditError),
}

impl From<RemediationError> for AppError {
    fn from(err: RemediationError) -> Self {
        match err {
            RemediationError::Invalid(msg) => with_status(AppError::Invalid(msg)),
            RemediationError::Conflict(msg) => with_status(AppError::Conflict(msg)),
            RemediationError::NoJob(_) => {
                with_status(AppError::NotFound("That remediation job".into()))
            }
            RemediationError::Audit(err) => err.into(),
            RemediationError::Database(err) => crate::backend::db::internal("remediation", err),
        }
    }
}
