//! `POST /people/import`: a roster upload from a plain HTML form (works without JavaScript).

use askama::Template;
use axum::Extension;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use app::backend::audit::Actor;
use app::backend::auth::CurrentViewer;
use app::backend::directory::{ImportOutcome, RosterError, import_roster};

use super::error_page::error_page;
use super::router::ServerState;

/// Largest roster accepted, in bytes (a 50,000-person roster is about 5 MB).
pub const MAX_ROSTER_BYTES: usize = 32 * 1024 * 1024;

#[derive(Template)]
#[template(path = "roster_rejected.html")]
struct RejectedPage<'a> {
    file_name: &'a str,
    errors: &'a [RosterError],
}

/// Imports the uploaded roster (admins only), or lists every problem and changes nothing.
pub async fn import_people(
    State(state): State<ServerState>,
    Extension(CurrentViewer(viewer)): Extension<CurrentViewer>,
    mut multipart: Multipart,
) -> Response {
    let Some(viewer) = viewer.filter(|v| v.is_admin()) else {
        return error_page(
            StatusCode::FORBIDDEN,
            "Not allowed",
            "Only admins can import the people directory.",
        );
    };
    let (file_name, bytes) = loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("roster") => {
                let name = field.file_name().unwrap_or("roster.csv").to_owned();
                match field.bytes().await {
                    Ok(bytes) => break (name, bytes),
                    Err(err) => return bad_upload(&err.body_text()),
                }
            }
            Ok(Some(_)) => continue,
            Ok(None) => return bad_upload("the form has no file in its 'roster' field"),
            Err(err) => return bad_upload(&err.body_text()),
        }
    };
    let actor = Actor::User {
        id: viewer.user_id,
        label: viewer.display_name.clone(),
    };
    match import_roster(&state.app.pool, actor, &file_name, &bytes).await {
        Ok(ImportOutcome::Imported(summary)) => {
            Redirect::to(&format!("/people?imported={}", summary.id)).into_response()
        }
        Ok(ImportOutcome::Rejected(errors)) => {
            match (RejectedPage {
                file_name: &file_name,
                errors: &errors,
            })
            .render()
            {
                Ok(html) => (StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response(),
                Err(err) => {
                    tracing::error!(error = %err, "could not render the rejection page");
                    error_page(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "Roster rejected",
                        "The roster has errors.",
                    )
                }
            }
        }
        Err(err) => {
            tracing::error!(error = %err, "roster import failed");
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Import failed",
                "Nothing was imported. The error was logged.",
            )
        }
    }
}

fn bad_upload(reason: &str) -> Response {
    error_page(
        StatusCode::BAD_REQUEST,
        "Upload failed",
        &format!("The upload could not be read: {reason}"),
    )
}
