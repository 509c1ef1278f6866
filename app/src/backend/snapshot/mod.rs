//! Snapshots: one complete pull of one Atlas organization, stored immutably as principals
//! and entitlements with the evidence of how they were read.
//!
//! [`take_snapshot`] runs a pull end to end: it takes the org's lock ([`lock`]), reads
//! everything through the Atlas client ([`pull`]), derives rows with pure functions
//! ([`entitlement`], [`federation`], [`dbuser`], [`principal`], [`tier`]), and stores them
//! set-based ([`store`]) together with the request log, the raw pages and a content hash
//! ([`hash`]); the entitlements, hundreds of thousands in a large org, are derived, hashed and
//! written part by part ([`stream`], [`copy`]) so that memory stays bounded. A snapshot ends
//! `complete` or `failed`, never half-written; the database refuses changes to a complete one. [`diff_snapshots`] compares two. Around the engine: live progress
//! ([`progress`]), usage kept beyond Atlas's retention ([`usage`]), the audited deletion of old
//! snapshots ([`retention`]) and the leader-only schedule ([`schedule`]). Nothing here builds
//! an Atlas URL or decides who may start a snapshot: callers authorize first.

pub mod copy;
pub mod dbuser;
pub mod diff;
pub mod entitlement;
pub mod federation;
pub mod hash;
pub mod inventory;
pub mod lock;
pub mod model;
pub mod principal;
pub mod progress;
pub mod pull;
pub mod recorder;
pub mod retention;
pub mod run;
pub mod schedule;
pub mod store;
pub mod stream;
pub mod tier;
pub mod usage;
pub mod view;

pub use diff::{Change, DiffCounts, EntitlementChange, SnapshotDiff, diff_page, diff_snapshots};
pub use entitlement::derive;
pub use inventory::{Federation, ListingTotal, OrgInventory};
pub use model::{
    Counts, Derived, EntitlementRow, GrantPath, PrincipalKind, PrincipalRow, Scope, Tier,
};
pub use retention::{RetentionPolicy, RetentionReport, apply_retention, delete_snapshot};
pub use run::{
    SnapshotOutcome, SnapshotRequest, SnapshotStatus, StartedSnapshot, start_snapshot,
    take_snapshot,
};
pub use usage::{DEFAULT_DORMANT_AFTER_DAYS, UsageStatus, harvest_access_history};

use uuid::Uuid;

/// Errors of the snapshot engine. A failed pull is not one of them: it is recorded as a
/// `failed` snapshot and reported through [`SnapshotOutcome`].
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("{0:?} is not an Atlas organization id (24 lowercase hex characters)")]
    InvalidOrgId(String),
    #[error(
        "stored rows do not match the derived ones: derived {derived:?} principals and \
         entitlements, stored {stored:?}"
    )]
    CountMismatch {
        derived: (usize, usize),
        stored: (i64, i64),
    },
    #[error("a snapshot of organization {0} is already running")]
    AlreadyRunning(String),
    #[error("snapshot {0} does not exist")]
    NotFound(Uuid),
    #[error("snapshot {0} is not complete")]
    NotComplete(Uuid),
    #[error("snapshot {0} is used by a campaign and is kept")]
    InUse(Uuid),
    #[error("snapshot {0} is still running")]
    Running(Uuid),
    #[error("the two snapshots belong to different organizations")]
    DifferentOrgs,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("storing the snapshot: {0}")]
    Store(#[from] store::StoreError),
    #[error("audit log: {0}")]
    Audit(#[from] crate::backend::audit::AuditError),
}

impl From<SnapshotError> for crate::error::AppError {
    fn from(err: SnapshotError) -> Self {
        use crate::backend::respond::with_status;
        use crate::error::AppError;
        match err {
            SnapshotError::AlreadyRunning(_)
            | SnapshotError::InUse(_)
            | SnapshotError::Running(_) => with_status(AppError::Conflict(err.to_string())),
            SnapshotError::NotFound(id) => {
                with_status(AppError::NotFound(format!("Snapshot {id}")))
            }
            SnapshotError::InvalidOrgId(_)
            | SnapshotError::NotComplete(_)
            | SnapshotError::DifferentOrgs => with_status(AppError::Invalid(err.to_string())),
            SnapshotError::Audit(err) => err.into(),
            SnapshotError::Database(err) => crate::backend::db::internal("snapshot", err),
            SnapshotError::Store(_) | SnapshotError::CountMismatch { .. } => {
                tracing::error!(error = %err, "snapshot store error");
                AppError::Internal
            }
        }
    }
}
