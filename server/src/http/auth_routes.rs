//! Demo sign-in and sign-out. Single sign-on lives in `crate::oidc`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use app::backend::audit::{self, Actor, NewEvent};
use app::backend::auth::users::{SignInClaims, record_sign_in};
use app::backend::auth::{CurrentViewer, DEMO_ISSUER};
use app::model::Role;

use super::error_page::error_page;
use super::router::ServerState;
use super::viewer::{SIGNED_IN_AT, USER_ID};

#[derive(Debug, Deserialize)]
pub struct DemoChoice {
    role: String,
}

/// "Act as" sign-in. Exists only in demo mode; refused with 404 otherwise.
pub async fn demo_sign_in(
    State(state): State<ServerState>,
    session: Session,
    Form(choice): Form<DemoChoice>,
) -> Response {
    if !state.config.demo {
        tracing::warn!("demo sign-in attempted outside demo mode");
        return error_page(
            StatusCode::NOT_FOUND,
            "Not available",
            "Demo sign-in is available only in demo mode.",
        );
    }
    // The demo reviewer is a real manager of the demo company, so their queue has items.
    let (reviewer_name, reviewer_email) = state
        .demo
        .as_ref()
        .and_then(|demo| demo.reviewer.as_ref())
        .map(|p| (format!("{} {}", p.first_name, p.last_name), p.email.clone()))
        .unwrap_or_else(|| ("Riley Reviewer".into(), "riley.reviewer@demo.attest".into()));
    let (subject, name, email, roles): (&str, &str, &str, &[Role]) = match choice.role.as_str() {
        "admin" => (
            "demo-admin",
            "Avery Admin",
            "avery.admin@demo.attest",
            &[Role::Admin],
        ),
        "auditor" => (
            "demo-auditor",
            "Ada Auditor",
            "ada.auditor@demo.attest",
            &[Role::Auditor],
        ),
        "reviewer" => (
            "demo-reviewer",
            reviewer_name.as_str(),
            reviewer_email.as_str(),
            &[],
        ),
        other => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "Unknown demo role",
                &format!("'{other}' is not a demo role; choose admin, reviewer or auditor."),
            );
        }
    };
    let claims = SignInClaims {
        issuer: DEMO_ISSUER.into(),
        subject: subject.into(),
        email: Some(email.into()),
        display_name: name.into(),
    };
    match record_sign_in(&state.app.pool, &claims, roles).await {
        Ok(user_id) => start_session(&session, user_id).await,
        Err(err) => {
            tracing::error!(error = %err, "demo sign-in failed");
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sign-in failed",
                "The error was logged.",
            )
        }
    }
}

/// Rotates the session id (against fixation) and binds the session to `user_id`.
pub async fn start_session(session: &Session, user_id: Uuid) -> Response {
    let result = async {
        session.cycle_id().await?;
        session.insert(USER_ID, user_id).await?;
        session
            .insert(SIGNED_IN_AT, chrono::Utc::now().timestamp())
            .await
    }
    .await;
    match result {
        Ok(()) => Redirect::to("/").into_response(),
        Err(err) => {
            tracing::error!(error = %err, "could not store the session");
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sign-in failed",
                "The session could not be stored.",
            )
        }
    }
}

/// Ends the session, records the sign-out, and returns to the sign-in page.
pub async fn sign_out(
    State(state): State<ServerState>,
    Extension(CurrentViewer(viewer)): Extension<CurrentViewer>,
    session: Session,
) -> Response {
    if let Ok(Some(user_id)) = session.get::<Uuid>(USER_ID).await {
        let label = viewer
            .map(|v| v.display_name)
            .unwrap_or_else(|| user_id.to_string());
        let result = async {
            let mut tx = state.app.pool.begin().await?;
            audit::record(
                &mut tx,
                NewEvent {
                    actor: Actor::User { id: user_id, label },
                    action: "user.signed_out",
                    object_kind: "user",
                    object_id: user_id.to_string(),
                    details: json!({}),
                },
            )
            .await
            .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
            tx.commit().await
        }
        .await;
        if let Err(err) = result {
            tracing::error!(error = %err, "could not record sign-out");
        }
    }
    if let Err(err) = session.flush().await {
        tracing::error!(error = %err, "could not delete the session");
    }
    Redirect::to("/?signed_out=1").into_response()
}
