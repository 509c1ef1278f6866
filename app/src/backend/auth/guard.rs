//! Authorization checks for server functions and pages.

use axum::Extension;

use crate::backend::respond::with_status;
use crate::error::AppError;
use crate::model::{Role, Viewer};

/// Inserted into every request by the server's session middleware: the signed-in user, if any.
#[derive(Debug, Clone, Default)]
pub struct CurrentViewer(pub Option<Viewer>);

/// The signed-in user, or `Unauthenticated`.
pub async fn require_viewer() -> Result<Viewer, AppError> {
    let Extension(CurrentViewer(viewer)) = leptos_axum::extract::<Extension<CurrentViewer>>()
        .await
        .map_err(|err| {
            tracing::error!(error = %err, "request carries no CurrentViewer; is the session layer installed?");
            AppError::Internal
        })?;
    viewer.ok_or_else(|| with_status(AppError::Unauthenticated))
}

/// The signed-in user if they are an admin.
pub async fn require_admin() -> Result<Viewer, AppError> {
    let viewer = require_viewer().await?;
    check(&viewer, viewer.has(Role::Admin), "admin")?;
    Ok(viewer)
}

/// The signed-in user if they may read everything (admins and auditors).
pub async fn require_reader() -> Result<Viewer, AppError> {
    let viewer = require_viewer().await?;
    check(&viewer, viewer.can_read_everything(), "admin or auditor")?;
    Ok(viewer)
}

fn check(viewer: &Viewer, allowed: bool, needed: &'static str) -> Result<(), AppError> {
    if allowed {
        Ok(())
    } else {
        tracing::warn!(user.id = %viewer.user_id, needed, "authorization refused");
        Err(with_status(AppError::Forbidden))
    }
}
