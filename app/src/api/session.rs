//! The signed-in user and the sign-in options, for the shell.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::SessionInfo;

/// Who is signed in (if anyone) and how one can sign in.
#[server(endpoint = "session_info")]
pub async fn get_session_info() -> Result<SessionInfo, AppError> {
    use crate::backend::AppContext;
    use crate::backend::auth::CurrentViewer;
    use axum::Extension;

    let ctx = AppContext::current()?;
    let viewer = leptos_axum::extract::<Extension<CurrentViewer>>()
        .await
        .map(|Extension(CurrentViewer(viewer))| viewer)
        .unwrap_or_default();
    Ok(SessionInfo {
        viewer,
        demo_mode: ctx.settings.demo_mode,
        sso_enabled: ctx.settings.sso_enabled,
    })
}
