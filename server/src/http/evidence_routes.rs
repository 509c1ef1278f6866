//! Evidence downloads for admins and auditors, authorized here on the server for every
//! request:
//! - `GET /evidence/campaigns/{id}/files/{name}`: one of a campaign's CSV files, streamed;
//! - `GET /evidence/campaigns/{id}/pack.zip`: the signed evidence pack;
//! - `GET /evidence/audit-log.csv?from=…&to=…`: the audit log over a time range, streamed.
//!
//! The printable report is in [`super::campaign_report`].

use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use uuid::Uuid;

use app::backend::auth::CurrentViewer;
use app::backend::evidence::files::{AUDIT_LOG, EvidenceFile};
use app::backend::evidence::{
    CsvSink, EvidenceError, Params, build_pack, campaign_exists, campaign_file, write_csv,
};
use app::model::Viewer;

use super::error_page::error_page;
use super::router::ServerState;

/// Chunks buffered between the database reader and the client.
const CHUNKS_IN_FLIGHT: usize = 4;

/// Why a download is refused before anything is read.
pub(super) enum Refusal {
    SignIn,
    NotReader,
    NoCampaign,
    Failed(EvidenceError),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::SignIn => error_page(
                StatusCode::UNAUTHORIZED,
                "Please sign in",
                "Sign in to download evidence.",
            ),
            Refusal::NotReader => error_page(
                StatusCode::FORBIDDEN,
                "Not allowed",
                "Only admins and auditors can download evidence.",
            ),
            Refusal::NoCampaign => error_page(
                StatusCode::NOT_FOUND,
                "No such campaign",
                "That campaign was not found.",
            ),
            Refusal::Failed(err) => failed(err),
        }
    }
}

/// The signed-in admin or auditor; everyone else is refused.
pub(super) fn reader(viewer: Option<Viewer>) -> Result<Viewer, Refusal> {
    let viewer = viewer.ok_or(Refusal::SignIn)?;
    if !viewer.can_read_everything() {
        tracing::warn!(user.id = %viewer.user_id, "evidence download refused");
        return Err(Refusal::NotReader);
    }
    Ok(viewer)
}

/// The existing campaign `raw` names.
pub(super) async fn existing_campaign(state: &ServerState, raw: &str) -> Result<Uuid, Refusal> {
    let id = Uuid::parse_str(raw).map_err(|_| Refusal::NoCampaign)?;
    match campaign_exists(&state.app.pool, id).await {
        Ok(true) => Ok(id),
        Ok(false) => Err(Refusal::NoCampaign),
        Err(err) => Err(Refusal::Failed(err)),
    }
}

fn failed(err: EvidenceError) -> Response {
    tracing::error!(error = %err, "evidence download failed");
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Download failed",
        "The evidence could not be read. The error was logged.",
    )
}

/// Streams `file` for `params` as a CSV download named `download_name`.
fn stream(
    state: &ServerState,
    viewer: &Viewer,
    file: &'static EvidenceFile,
    params: Params,
    download_name: String,
) -> Response {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Bytes>(CHUNKS_IN_FLIGHT);
    let pool = state.app.pool.clone();
    let user_id = viewer.user_id;
    tokio::spawn(async move {
        match write_csv(&pool, file, params, CsvSink::Channel(&sender)).await {
            Ok(rows) => {
                tracing::info!(user.id = %user_id, evidence.file = file.name, rows, "evidence CSV downloaded")
            }
            Err(err) => {
                tracing::error!(user.id = %user_id, evidence.file = file.name, error = %err, "evidence CSV failed")
            }
        }
    });
    let chunks = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver
            .recv()
            .await
            .map(|chunk| (Ok::<_, std::io::Error>(chunk), receiver))
    });
    download(
        "text/csv; charset=utf-8",
        &download_name,
        Body::from_stream(chunks),
    )
}

fn download(content_type: &str, file_name: &str, body: Body) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// `GET /evidence/campaigns/{id}/files/{name}`.
pub async fn campaign_csv(
    State(state): State<ServerState>,
    Extension(CurrentViewer(viewer)): Extension<CurrentViewer>,
    Path((id, name)): Path<(String, String)>,
) -> Response {
    let viewer = match reader(viewer) {
        Ok(viewer) => viewer,
        Err(refusal) => return refusal.into_response(),
    };
    let Some(file) = campaign_file(&name) else {
        return error_page(
            StatusCode::NOT_FOUND,
            "No such evidence file",
            &format!("A campaign has no evidence file named '{name}'."),
        );
    };
    let id = match existing_campaign(&state, &id).await {
        Ok(id) => id,
        Err(refusal) => return refusal.into_response(),
    };
    let download_name = format!("attest-{}_{id}.csv", file.name.trim_end_matches(".csv"));
    stream(&state, &viewer, file, Params::Campaign(id), download_name)
}

/// `GET /evidence/campaigns/{id}/pack.zip`.
pub async fn campaign_pack(
    State(state): State<ServerState>,
    Extension(CurrentViewer(viewer)): Extension<CurrentViewer>,
    Path(id): Path<String>,
) -> Response {
    let viewer = match reader(viewer) {
        Ok(viewer) => viewer,
        Err(refusal) => return refusal.into_response(),
    };
    let id = match existing_campaign(&state, &id).await {
        Ok(id) => id,
        Err(refusal) => return refusal.into_response(),
    };
    let Some(key) = state.config.evidence_key.as_ref() else {
        return error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "No signing key",
            "Evidence packs are signed, and no signing key is configured. Set \
             ATTEST_EVIDENCE_SIGNING_KEY_FILE (or ATTEST_EVIDENCE_SIGNING_KEY) and restart.",
        );
    };
    match build_pack(&state.app.pool, id, key, Utc::now()).await {
        Ok(pack) => {
            tracing::info!(user.id = %viewer.user_id, campaign.id = %id, bytes = pack.bytes.len(), "evidence pack downloaded");
            download("application/zip", &pack.file_name, Body::from(pack.bytes))
        }
        Err(EvidenceError::NoCampaign(_)) => Refusal::NoCampaign.into_response(),
        Err(EvidenceError::Invalid(message)) => {
            error_page(StatusCode::CONFLICT, "No evidence yet", &message)
        }
        Err(err) => failed(err),
    }
}

/// The time range of an audit log download.
#[derive(Debug, Deserialize)]
pub struct Range {
    from: Option<String>,
    to: Option<String>,
}

/// A date (`2026-12-01`, midnight UTC) or an RFC 3339 time.
fn parse_time(name: &str, raw: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Ok(at.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            format!(
                "{name}: '{raw}' is not a date like 2026-12-01 or a time like 2026-12-01T09:00:00Z"
            )
        })
}

/// `GET /evidence/audit-log.csv?from=…&to=…`: `from` inclusive, `to` exclusive; without
/// them, from the beginning and until now.
pub async fn audit_log_csv(
    State(state): State<ServerState>,
    Extension(CurrentViewer(viewer)): Extension<CurrentViewer>,
    Query(range): Query<Range>,
) -> Response {
    let viewer = match reader(viewer) {
        Ok(viewer) => viewer,
        Err(refusal) => return refusal.into_response(),
    };
    let nonempty = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let from = match nonempty(&range.from)
        .map(|v| parse_time("from", &v))
        .transpose()
    {
        Ok(from) => from.unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
        Err(message) => return error_page(StatusCode::BAD_REQUEST, "Download refused", &message),
    };
    let to = match nonempty(&range.to)
        .map(|v| parse_time("to", &v))
        .transpose()
    {
        Ok(to) => to.unwrap_or_else(|| Utc::now() + chrono::Duration::seconds(1)),
        Err(message) => return error_page(StatusCode::BAD_REQUEST, "Download refused", &message),
    };
    if to <= from {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Download refused",
            "to: the end of the range must be after its start (from).",
        );
    }
    let download_name = format!(
        "attest-audit-log_{}_{}.csv",
        from.format("%Y%m%dT%H%M%SZ"),
        to.format("%Y%m%dT%H%M%SZ")
    );
    stream(
        &state,
        &viewer,
        &AUDIT_LOG,
        Params::Range(from, to),
        download_name,
    )
}
