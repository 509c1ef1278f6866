//! Assembles the axum router: Leptos pages and server functions, sign-in routes, health and
//! metrics, and the middleware stack around them.

use std::sync::Arc;

use app::backend::AppContext;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use super::metrics::Metrics;
use super::{
    auth_routes, campaign_report, csrf, evidence_routes, headers, health, inventory_export,
    request_log, roster_upload, snapshot_routes, viewer,
};
use crate::config::ServeConfig;
use crate::oidc::{self, Oidc};
use crate::session_store::PgSessionStore;

/// How long a session survives without requests.
const IDLE_TIMEOUT_MINUTES: i64 = 30;

/// Everything the handlers and middleware share.
#[derive(Clone)]
pub struct ServerState {
    pub leptos: LeptosOptions,
    pub app: AppContext,
    pub config: Arc<ServeConfig>,
    pub oidc: Option<Arc<Oidc>>,
    pub metrics: Arc<Metrics>,
    /// The simulated Atlas org and demo directory; only in demo mode.
    pub demo: Option<Arc<crate::demo::DemoEnvironment>>,
    /// The Atlas connection snapshots are taken through; `None` when no org is configured.
    pub atlas: Option<Arc<crate::snapshots::source::AtlasSource>>,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(state: &ServerState) -> Self {
        state.leptos.clone()
    }
}

/// Builds the complete application router.
pub fn build_router(state: ServerState) -> Router {
    let routes = generate_route_list(app::App);
    let app_context = state.app.clone();
    let sessions = SessionManagerLayer::new(PgSessionStore::new(state.app.pool.clone()))
        .with_name(session_cookie_name(&state.config))
        .with_secure(state.config.is_https())
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
            IDLE_TIMEOUT_MINUTES,
        )));

    Router::new()
        .route("/auth/login", get(oidc::routes::login))
        .route("/auth/callback", get(oidc::routes::callback))
        .route("/auth/demo", post(auth_routes::demo_sign_in))
        .route("/auth/logout", post(auth_routes::sign_out))
        .route(
            "/people/import",
            post(roster_upload::import_people)
                .layer(DefaultBodyLimit::max(roster_upload::MAX_ROSTER_BYTES)),
        )
        .route("/snapshots/take", post(snapshot_routes::take_snapshot))
        .route(
            "/inventory/export.csv",
            get(inventory_export::export_inventory),
        )
        .route(
            "/evidence/campaigns/{id}/files/{name}",
            get(evidence_routes::campaign_csv),
        )
        .route(
            "/evidence/campaigns/{id}/pack.zip",
            get(evidence_routes::campaign_pack),
        )
        .route(
            "/evidence/campaigns/{id}/report",
            get(campaign_report::report),
        )
        .route(
            "/evidence/audit-log.csv",
            get(evidence_routes::audit_log_csv),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(app_context.clone()),
            {
                let options = state.leptos.clone();
                move || app::shell(options.clone())
            },
        )
        // Unknown paths render the app's not-found page, which needs the same context as any
        // other page.
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            ServerState,
            _,
        >(
            {
                let app_context = state.app.clone();
                move || provide_context(app_context.clone())
            },
            app::shell,
        ))
        .layer(from_fn_with_state(state.clone(), viewer::load_viewer))
        .layer(sessions)
        .layer(from_fn_with_state(state.clone(), csrf::reject_cross_site))
        .layer(from_fn_with_state(state.clone(), headers::security_headers))
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(health::metrics))
        .layer(from_fn_with_state(state.clone(), request_log::log_request))
        .layer(from_fn(request_log::propagate_panics_as_500))
        .with_state(state)
}

/// `__Host-` cookies are pinned to this host and path and must be Secure, so the prefix is
/// used only over https.
fn session_cookie_name(config: &ServeConfig) -> &'static str {
    if config.is_https() {
        "__Host-attest_sid"
    } else {
        "attest_sid"
    }
}
