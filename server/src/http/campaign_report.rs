//! `GET /evidence/campaigns/{id}/report`: the printable campaign report (askama HTML), for
//! admins and auditors.

use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use app::backend::auth::CurrentViewer;
use app::backend::evidence::report::{CampaignReport, campaign_report};

use super::error_page::error_page;
use super::evidence_routes::{Refusal, existing_campaign, reader};
use super::router::ServerState;

#[derive(Template)]
#[template(path = "campaign_report.html")]
struct ReportPage<'a> {
    r: &'a CampaignReport,
    generated_at: String,
    version: &'static str,
}

/// Renders the report of one campaign.
pub async fn report(
    State(state): State<ServerState>,
    Extension(CurrentViewer(viewer)): Extension<CurrentViewer>,
    Path(id): Path<String>,
) -> Response {
    if let Err(refusal) = reader(viewer) {
        return refusal.into_response();
    }
    let id = match existing_campaign(&state, &id).await {
        Ok(id) => id,
        Err(refusal) => return refusal.into_response(),
    };
    let report = match campaign_report(&state.app.pool, id).await {
        Ok(report) => report,
        Err(err) => return Refusal::Failed(err).into_response(),
    };
    let page = ReportPage {
        r: &report,
        generated_at: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        version: env!("CARGO_PKG_VERSION"),
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(err) => {
            tracing::error!(campaign.id = %id, error = %err, "campaign report failed to render");
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Report failed",
                "The report could not be rendered. The error was logged.",
            )
        }
    }
}
