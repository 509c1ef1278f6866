//! `/healthz` for load balancers and `/metrics` for Prometheus.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::router::ServerState;

/// 200 when the database answers, 503 otherwise.
pub async fn healthz(State(state): State<ServerState>) -> Response {
    match sqlx::query("SELECT 1").execute(&state.app.pool).await {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n").into_response()
        }
    }
}

/// Metrics in the Prometheus text exposition format.
pub async fn metrics(State(state): State<ServerState>) -> Response {
    let pool_size = state.app.pool.size();
    let idle = state.app.pool.num_idle();
    match state.metrics.render(pool_size, idle) {
        Ok(body) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            body,
        )
            .into_response(),
        Err(err) => {
            tracing::error!(error = %err, "could not encode metrics");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
