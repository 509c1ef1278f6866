//! Loads the signed-in user for each request and enforces the absolute session lifetime.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use tower_sessions::Session;
use uuid::Uuid;

use app::backend::auth::CurrentViewer;
use app::backend::auth::users::load_viewer as load;

use super::router::ServerState;

/// Session key holding the signed-in user's id.
pub const USER_ID: &str = "user_id";
/// Session key holding the Unix time of sign-in.
pub const SIGNED_IN_AT: &str = "signed_in_at";
/// A session ends this long after sign-in, however active (ASVS 7.3.2).
const ABSOLUTE_LIFETIME_SECS: i64 = 12 * 60 * 60;

pub async fn load_viewer(
    State(state): State<ServerState>,
    mut request: Request,
    next: Next,
) -> Response {
    let viewer = match request.extensions().get::<Session>().cloned() {
        Some(session) => viewer_for(&state, &session).await,
        None => None,
    };
    request.extensions_mut().insert(CurrentViewer(viewer));
    next.run(request).await
}

async fn viewer_for(state: &ServerState, session: &Session) -> Option<app::model::Viewer> {
    let user_id = session.get::<Uuid>(USER_ID).await.ok().flatten()?;
    let signed_in_at = session
        .get::<i64>(SIGNED_IN_AT)
        .await
        .ok()
        .flatten()
        .unwrap_or(0);
    if chrono::Utc::now().timestamp() - signed_in_at > ABSOLUTE_LIFETIME_SECS {
        tracing::info!(user.id = %user_id, "session reached its absolute lifetime; signing out");
        let _ = session.flush().await;
        return None;
    }
    match load(&state.app.pool, user_id).await {
        Ok(Some(viewer)) => Some(viewer),
        Ok(None) => {
            // The user was disabled or removed: end the session.
            let _ = session.flush().await;
            None
        }
        Err(err) => {
            tracing::error!(error = %err, user.id = %user_id, "could not load the signed-in user");
            None
        }
    }
}
