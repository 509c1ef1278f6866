//! The simulator's own control surface under `/__sim/`: fault rules, rate limits, the clock,
//! behaviour switches, and the seeded credentials. It has no authentication: bind the simulator to
//! loopback only.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Duration;
use serde::Deserialize;
use serde_json::{Value, json};

use super::config::SimConfig;
use super::faults::FaultRule;
use super::rate_limit::RateLimitRule;
use super::state::SimState;

/// Routes under `/__sim`.
pub fn routes() -> Router<SimState> {
    Router::new()
        .route(
            "/__sim/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route(
            "/__sim/rate-limits",
            get(list_rate_limits)
                .put(set_rate_limits)
                .delete(clear_rate_limits),
        )
        .route("/__sim/clock", post(move_clock))
        .route("/__sim/config", get(get_config).put(put_config))
        .route("/__sim/credentials", get(credentials))
}

async fn list_faults(State(state): State<SimState>) -> Json<Vec<FaultRule>> {
    Json(state.faults().list())
}

async fn add_fault(State(state): State<SimState>, Json(rule): Json<FaultRule>) -> Json<Value> {
    Json(json!({ "id": state.faults().add(rule) }))
}

async fn clear_faults(State(state): State<SimState>) -> StatusCode {
    state.faults().clear();
    StatusCode::NO_CONTENT
}

/// The rules in force and what each let through and refused.
async fn list_rate_limits(State(state): State<SimState>) -> Json<Value> {
    let limits = state.rate_limits();
    Json(json!({ "rules": limits.rules(), "stats": limits.stats() }))
}

async fn set_rate_limits(
    State(state): State<SimState>,
    Json(rules): Json<Vec<RateLimitRule>>,
) -> StatusCode {
    state.rate_limits().set(rules);
    StatusCode::NO_CONTENT
}

async fn clear_rate_limits(State(state): State<SimState>) -> StatusCode {
    state.rate_limits().set(Vec::new());
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClockBody {
    advance_secs: i64,
}

async fn move_clock(State(state): State<SimState>, Json(body): Json<ClockBody>) -> Json<Value> {
    state
        .advance_clock(Duration::seconds(body.advance_secs))
        .await;
    Json(json!({ "now": super::views::ts(state.now().await) }))
}

async fn get_config(State(state): State<SimState>) -> Json<SimConfig> {
    Json(state.read().await.config.clone())
}

async fn put_config(State(state): State<SimState>, Json(config): Json<SimConfig>) -> Response {
    state.update_config(|c| *c = config).await;
    StatusCode::NO_CONTENT.into_response()
}

/// Every service account's secrets and every API key, so a demo can connect without setup.
async fn credentials(State(state): State<SimState>) -> Json<Value> {
    let world = state.read().await;
    let accounts: Vec<Value> = world
        .service_accounts
        .values()
        .map(|a| {
            json!({
                "orgId": a.org_id,
                "clientId": a.client_id,
                "name": a.name,
                "roles": a.org_roles,
                "secrets": a.secrets.iter().map(|s| s.value.clone()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let keys: Vec<Value> = world
        .api_keys
        .values()
        .map(|k| json!({ "orgId": k.org_id, "publicKey": k.public_key, "privateKey": k.private_key, "roles": k.org_roles }))
        .collect();
    Json(json!({ "serviceAccounts": accounts, "apiKeys": keys }))
}
