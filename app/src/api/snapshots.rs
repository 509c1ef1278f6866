//! Snapshots (admins and auditors read; admins start one through `POST /snapshots/take`).

use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::snapshot::{DiffPage, SnapshotDetail, SnapshotList};

/// The newest snapshots of every org.
#[server(endpoint = "list_snapshots")]
pub async fn list_snapshots() -> Result<SnapshotList, AppError> {
    use crate::backend::{AppContext, auth, snapshot};
    auth::require_reader().await?;
    let ctx = AppContext::current()?;
    Ok(snapshot::view::list_snapshots(&ctx.pool).await?)
}

/// One snapshot with its evidence and one page of its request log.
#[server(endpoint = "get_snapshot")]
pub async fn get_snapshot(id: Uuid, requests_page: i64) -> Result<SnapshotDetail, AppError> {
    use crate::backend::{AppContext, auth, snapshot};
    auth::require_reader().await?;
    let ctx = AppContext::current()?;
    Ok(snapshot::view::snapshot_detail(
        &ctx.pool,
        id,
        requests_page,
        snapshot::DEFAULT_DORMANT_AFTER_DAYS,
    )
    .await?)
}

/// One page of what changed from snapshot `from` to snapshot `to` (`only`: `added`,
/// `removed`, `changed`, or empty for all).
#[server(endpoint = "diff_snapshots")]
pub async fn diff_snapshots(
    from: Uuid,
    to: Uuid,
    only: String,
    page: i64,
) -> Result<DiffPage, AppError> {
    use crate::backend::respond::with_status;
    use crate::backend::{AppContext, auth, snapshot};
    auth::require_reader().await?;
    let only = match only.as_str() {
        "" | "all" => None,
        name => Some(snapshot::Change::parse(name).ok_or_else(|| {
            with_status(AppError::Invalid(format!(
                "change {name:?} is not one of added, removed, changed"
            )))
        })?),
    };
    let ctx = AppContext::current()?;
    Ok(snapshot::view::diff_view(&ctx.pool, from, to, only, page).await?)
}
