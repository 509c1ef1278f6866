//! The audit log: append-only and hash-chained.
//!
//! Every state change writes exactly one event through [`record`], inside the transaction that
//! makes the change, so the change and its event commit together or not at all. The database
//! itself refuses UPDATE, DELETE and TRUNCATE on the table; [`verify`] recomputes the chain.
//! [`checkpoint`] signs the chain's head from time to time, so that removing the newest
//! events or rewriting the whole log is detected too.
//! Nothing in this module decides *whether* something may happen: callers authorize first.

mod chain;
pub mod checkpoint;
mod query;
mod record;
mod verify;

pub use chain::{GENESIS_HASH, canonical_content, link_hash};
pub use checkpoint::{
    Checkpoint, CheckpointBreak, CheckpointReport, checkpoint_now, verify_checkpoints,
    write_checkpoint,
};
pub use query::list_events;
pub use record::{Actor, NewEvent, record};
pub use verify::{ChainBreak, ChainReport, verify_chain};

/// Errors of the audit log.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("database error in the audit log: {0}")]
    Database(#[from] sqlx::Error),
    #[error("invalid audit filter: {0}")]
    InvalidFilter(String),
    /// A request the audit log refuses, with the reason in plain words.
    #[error("{0}")]
    Invalid(String),
}

impl From<AuditError> for crate::error::AppError {
    fn from(err: AuditError) -> Self {
        match err {
            AuditError::InvalidFilter(msg) | AuditError::Invalid(msg) => {
                crate::backend::respond::with_status(crate::error::AppError::Invalid(msg))
            }
            AuditError::Database(err) => crate::backend::db::internal("audit", err),
        }
    }
}
