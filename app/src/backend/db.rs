//! Database plumbing shared by every domain module: the embedded migrations and the mapping
//! of unexpected database errors to the user-safe error.

use crate::error::AppError;

/// Every migration in `migrations/`, embedded at compile time and applied at start-up.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Logs an unexpected database error once, here at the boundary, and hides it from the user.
pub fn internal(context: &'static str, err: sqlx::Error) -> AppError {
    tracing::error!(error = %err, context, "database error");
    AppError::Internal
}
