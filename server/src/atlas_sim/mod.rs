//! The Atlas simulator: an in-memory, stateful stand-in for the MongoDB Atlas Admin API v2,
//! serving the same paths (`/api/atlas/v2/...` and `/api/oauth/token`) with the spec's media
//! types, paging, error bodies and refusals, so that Attest's Atlas client, demo mode and tests
//! run without reaching Atlas. `router` builds it, `spawn` runs it on a local port, `seed`
//! builds believable organizations, `/__sim/` (or `SimState::faults()`) injects faults, and
//! `/__sim/rate-limits` (or `SimState::rate_limits()`) sets token buckets per endpoint set.
//! It must never be reachable from outside a test or a demo: its control surface is open.
//!
//! Limitation: not served yet are `GET /api/atlas/v2` (system status), `/rateLimits`,
//! invitations (`/invites`), `/users/{userId}`, the deprecated `PUT …/roles` and team-member
//! endpoints, identity providers, API-key access lists and service-account secret management.

mod admin;
mod auth;
mod changes;
mod config;
mod digest;
mod error;
mod faults;
mod model;
mod oauth;
mod paging;
mod rate_limit;
mod routes;
mod run;
pub mod seed;
mod state;
mod version;
mod views;
mod world;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::post;

pub use auth::Caller;
pub use changes::ChangeLog;
pub use config::{Quirks, SimConfig};
pub use error::SimError;
pub use faults::{FaultAction, FaultRule};
pub use rate_limit::{RateLimitRule, RateLimitStats};
pub use run::{SimServer, run_cli, spawn};
pub use state::SimState;
pub use world::World;

/// The simulator's whole HTTP surface: Admin API, OAuth endpoints and `/__sim/` controls.
pub fn router(state: SimState) -> Router {
    let api = routes::api_routes()
        .route_layer(from_fn_with_state(state.clone(), version::require_version))
        .route_layer(from_fn_with_state(state.clone(), auth::require_caller))
        .route("/api/oauth/token", post(oauth::token))
        .route("/api/oauth/revoke", post(oauth::revoke))
        .fallback(not_found)
        .layer(from_fn_with_state(state.clone(), changes::count_changes))
        .layer(from_fn_with_state(state.clone(), faults::apply_faults))
        .layer(from_fn_with_state(
            state.clone(),
            rate_limit::apply_rate_limits,
        ));
    admin::routes().merge(api).with_state(state)
}

async fn not_found(uri: axum::http::Uri) -> SimError {
    SimError::new(
        axum::http::StatusCode::NOT_FOUND,
        "RESOURCE_NOT_FOUND",
        format!("Cannot find resource {}.", uri.path()),
    )
}
