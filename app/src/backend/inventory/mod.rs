//! The access inventory: who can reach what in the newest complete snapshot of each org, with
//! the person behind each principal (from [`crate::backend::identity`]), leavers who still hold
//! access, dormant principals and orphans.
//!
//! [`query`] turns a validated filter into one SQL statement over entitlements (every value
//! bound, never spliced), narrowed first by what the filter can match; [`search`] pages
//! through it, [`export`] streams all of it as CSV, and
//! [`leavers`], [`person`], [`project`] and [`orphans`] answer the pages built on it. Reading
//! only, callers authorize first; the one exception is [`flags`], the per-principal flags the
//! filters read, which the identity-link refresh and the usage harvest rebuild.

pub mod export;
pub mod flags;
pub mod leavers;
pub mod orphans;
pub mod person;
pub mod project;
pub mod query;
pub mod row;
pub mod search;
pub mod usage;

pub use export::export_csv;
pub use leavers::leavers_with_access;
pub use orphans::list_orphans;
pub use person::person_access;
pub use project::project_access;
pub use search::search;

/// Errors of the inventory; the messages name what is wrong and where.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
}

impl From<InventoryError> for crate::error::AppError {
    fn from(err: InventoryError) -> Self {
        use crate::backend::respond::with_status;
        use crate::error::AppError;
        match err {
            InventoryError::Invalid(msg) => with_status(AppError::Invalid(msg)),
            InventoryError::NotFound(what) => with_status(AppError::NotFound(what)),
            InventoryError::Database(err) => crate::backend::db::internal("inventory", err),
        }
    }
}
