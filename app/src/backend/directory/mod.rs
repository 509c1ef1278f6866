//! The people directory: who is behind each Atlas principal, and who manages them.
//!
//! People come from a CSV roster, imported all-or-nothing: [`roster`] parses and validates the
//! file without touching the database; [`import`] stores a valid roster and records what changed
//! since the previous import. Identity links from principals to people live beside the
//! snapshot data, not here.

pub mod import;
pub mod people;
pub mod roster;

pub use import::{ImportOutcome, ImportSummary, import_roster, list_imports};
pub use roster::{EmploymentStatus, RosterError, RosterPerson, parse_roster};

/// Errors of the directory.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("audit log: {0}")]
    Audit(#[from] crate::backend::audit::AuditError),
}

impl From<DirectoryError> for crate::error::AppError {
    fn from(err: DirectoryError) -> Self {
        match err {
            DirectoryError::Audit(err) => err.into(),
            DirectoryError::Database(err) => crate::backend::db::internal("directory", err),
        }
    }
}
