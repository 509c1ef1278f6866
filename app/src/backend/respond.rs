//! Giving server-function errors their proper HTTP status.
//!
//! Leptos answers every server-function error with 500. Refusals are not server faults, so
//! the places that decide them set the status too: 401, 403, 404, 409 or 400. Monitoring then
//! counts a refused request as a refusal, not as an outage.

use crate::error::AppError;

/// Sets the current response's status from `error` (when answering a request) and returns it.
pub fn with_status(error: AppError) -> AppError {
    let status = match &error {
        AppError::Unauthenticated => axum::http::StatusCode::UNAUTHORIZED,
        AppError::Forbidden => axum::http::StatusCode::FORBIDDEN,
        AppError::NotFound(_) => axum::http::StatusCode::NOT_FOUND,
        AppError::Conflict(_) => axum::http::StatusCode::CONFLICT,
        AppError::Invalid(_) => axum::http::StatusCode::BAD_REQUEST,
        AppError::Internal | AppError::Transport(_) => {
            axum::http::StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
    error
}
