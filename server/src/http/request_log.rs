//! One log line and one metrics observation per request.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;

use super::router::ServerState;

pub async fn log_request(
    State(state): State<ServerState>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    // Label metrics by route pattern, not raw path, so ids do not explode the series count.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| {
            if path.starts_with("/pkg/") {
                "/pkg/*".into()
            } else {
                "other".into()
            }
        });
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    state
        .metrics
        .observe_request(method.as_str(), &route, status, duration_ms / 1000.0);
    tracing::info!(
        http.method = %method,
        http.path = %path,
        http.status = status,
        duration_ms = format!("{duration_ms:.1}"),
        "request"
    );
    response
}

/// Turns a panicking handler into a plain 500 instead of a dropped connection.
pub async fn propagate_panics_as_500(request: Request, next: Next) -> Response {
    match std::panic::AssertUnwindSafe(next.run(request))
        .catch_unwind()
        .await
    {
        Ok(response) => response,
        Err(_) => {
            tracing::error!("request handler panicked");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}
