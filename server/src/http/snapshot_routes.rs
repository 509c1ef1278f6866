//! `POST /snapshots/take`: "take a snapshot now" from a plain HTML form (works without
//! JavaScript). The snapshot is recorded as running before the answer, pulled in the
//! background, and the browser is sent to its page, which shows live progress.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;

use app::backend::audit::Actor;
use app::backend::auth::CurrentViewer;
use app::backend::snapshot::{SnapshotError, SnapshotRequest, start_snapshot};

use super::error_page::error_page;
use super::router::ServerState;

/// The form: which org (one of the configured ones; the first when left out).
#[derive(Debug, Deserialize)]
pub struct TakeForm {
    #[serde(default)]
    org_id: Option<String>,
}

/// Starts a snapshot (admins only) and redirects to its page.
pub async fn take_snapshot(
    State(state): State<ServerState>,
    Extension(CurrentViewer(viewer)): Extension<CurrentViewer>,
    Form(form): Form<TakeForm>,
) -> Response {
    let Some(viewer) = viewer.filter(|v| v.is_admin()) else {
        return error_page(
            StatusCode::FORBIDDEN,
            "Not allowed",
            "Only admins can take snapshots.",
        );
    };
    let Some(source) = state.atlas.clone() else {
        return error_page(
            StatusCode::CONFLICT,
            "No Atlas organization",
            "No Atlas organization is configured: set ATTEST_ATLAS_ORG_IDS and the ATLAS_* \
             connection variables.",
        );
    };
    let org_id = match form.org_id.filter(|id| !id.is_empty()) {
        Some(id) if source.org_ids.contains(&id) => id,
        Some(id) => {
            return error_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Unknown organization",
                &format!("Organization {id} is not one Attest is configured to snapshot."),
            );
        }
        None => match source.org_ids.first() {
            Some(id) => id.clone(),
            None => {
                return error_page(
                    StatusCode::CONFLICT,
                    "No Atlas organization",
                    "No Atlas organization is configured.",
                );
            }
        },
    };
    let request = SnapshotRequest {
        org_id: &org_id,
        actor: Actor::User {
            id: viewer.user_id,
            label: viewer.display_name.clone(),
        },
        credential_id: &source.credential_id,
    };
    let pool = state.app.pool.clone();
    match start_snapshot(&pool, &source.client, request).await {
        Ok(started) => {
            let id = started.id;
            let run = started.run_in_background(pool, source.client.clone());
            tokio::spawn(async move {
                if let Err(err) = run.await {
                    tracing::error!(snapshot.id = %id, error = %err, "snapshot could not be recorded");
                }
            });
            Redirect::to(&format!("/snapshots/{id}")).into_response()
        }
        Err(SnapshotError::AlreadyRunning(org)) => error_page(
            StatusCode::CONFLICT,
            "Already running",
            &format!(
                "A snapshot of organization {org} is already running; its progress is on the \
                 Snapshots page."
            ),
        ),
        Err(err) => {
            tracing::error!(atlas.org_id = %org_id, error = %err, "snapshot could not be started");
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Snapshot not started",
                "The snapshot could not be started. The error was logged.",
            )
        }
    }
}
