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

/// A pattern for `ILIKE` that matches `text` anywhere, with `%`, `_` and `\` in it taken
/// literally.
pub fn contains_pattern(text: &str) -> String {
    let escaped = text
        .trim()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    #[test]
    fn wildcards_in_the_search_text_are_literal() {
        assert_eq!(super::contains_pattern(" 50%_a\\b "), "%50\\%\\_a\\\\b%");
    }
}
