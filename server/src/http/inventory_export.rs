//! `GET /inventory/export.csv`: the inventory explorer's current view (the same query string)
//! as a streamed CSV download, for admins and auditors.

use std::collections::HashMap;

use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use app::backend::auth::CurrentViewer;
use app::backend::inventory::{export::check_filter, export_csv};
use app::model::inventory::InventoryFilter;

use super::error_page::error_page;
use super::router::ServerState;

/// Chunks buffered between the database reader and the client.
const CHUNKS_IN_FLIGHT: usize = 4;

/// Streams the filtered inventory as CSV; rows are read from the database while being sent.
pub async fn export_inventory(
    State(state): State<ServerState>,
    Extension(CurrentViewer(viewer)): Extension<CurrentViewer>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let Some(viewer) = viewer else {
        return error_page(
            StatusCode::UNAUTHORIZED,
            "Please sign in",
            "Sign in to download the inventory.",
        );
    };
    if !viewer.can_read_everything() {
        tracing::warn!(user.id = %viewer.user_id, "inventory export refused");
        return error_page(
            StatusCode::FORBIDDEN,
            "Not allowed",
            "Only admins and auditors can export the inventory.",
        );
    }
    let filter = InventoryFilter::from_query(|name| params.get(name).cloned());
    if let Err(err) = check_filter(&filter) {
        return error_page(StatusCode::BAD_REQUEST, "Export refused", &err.to_string());
    }
    let (sender, receiver) = tokio::sync::mpsc::channel::<Bytes>(CHUNKS_IN_FLIGHT);
    let pool = state.app.pool.clone();
    let user_id = viewer.user_id;
    tokio::spawn(async move {
        match export_csv(&pool, &filter, &sender).await {
            Ok(rows) => tracing::info!(user.id = %user_id, rows, "inventory exported as CSV"),
            Err(err) => {
                tracing::error!(user.id = %user_id, error = %err, "inventory export failed")
            }
        }
    });
    let chunks = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver
            .recv()
            .await
            .map(|chunk| (Ok::<_, std::io::Error>(chunk), receiver))
    });
    let file_name = format!(
        "attest-inventory-{}.csv",
        chrono::Utc::now().format("%Y%m%d-%H%M%S")
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(chunks),
    )
        .into_response()
}
