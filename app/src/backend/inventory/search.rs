//! One page of the inventory explorer.

use sqlx::PgPool;

use super::InventoryError;
use super::query::{Narrowed, Scope, ValidFilter, count_capped, page_query};
use super::row::RowRecord;
use crate::model::inventory::{InventoryFilter, InventoryPage, SnapshotRef};

/// Rows per page of the explorer.
pub const PAGE_SIZE: i64 = 50;
/// Counting stops here, or just past the page asked for if that is further: "1,000 or more"
/// tells a person to narrow the filter as well as an exact number would, and a broad filter
/// then costs a thousand rows instead of every entitlement of every org.
pub const COUNT_CAP: i64 = 1_000;

/// The page of `filter` over the newest complete snapshot of every org, `page_size` rows long.
pub async fn search(
    pool: &PgPool,
    filter: &InventoryFilter,
    page_size: i64,
) -> Result<InventoryPage, InventoryError> {
    let filter = ValidFilter::new(filter)?;
    let mut conn = pool.acquire().await?;
    let scope = Scope::current(&mut conn).await?;
    search_in(&mut conn, &filter, &scope, page_size).await
}

/// [`search`] with the filter already checked and the scope already read.
pub async fn search_in(
    conn: &mut sqlx::PgConnection,
    filter: &ValidFilter,
    scope: &Scope,
    page_size: i64,
) -> Result<InventoryPage, InventoryError> {
    let snapshots = snapshot_refs(&mut *conn, scope).await?;
    if scope.snapshots.is_empty() {
        return Ok(InventoryPage {
            rows: Vec::new(),
            total: 0,
            total_capped: false,
            page: filter.page,
            page_size,
            snapshots,
            dormant_days: scope.dormant_days,
        });
    }
    let narrowed = Narrowed::lookup(&mut *conn, filter, scope).await?;
    let offset = (filter.page - 1).saturating_mul(page_size);
    // Counting at least to the end of this page keeps the pager exact on the last pages.
    let cap = COUNT_CAP.max(offset.saturating_add(page_size));
    let total = count_capped(&mut *conn, filter, scope, &narrowed, cap.saturating_add(1)).await?;
    let mut qb = page_query(filter, scope, &narrowed, page_size, offset);
    let records: Vec<RowRecord> = qb.build_query_as().fetch_all(&mut *conn).await?;
    Ok(InventoryPage {
        rows: records
            .into_iter()
            .map(|r| r.into_row(scope.dormant_days))
            .collect(),
        total: total.min(cap),
        total_capped: total > cap,
        page: filter.page,
        page_size,
        snapshots,
        dormant_days: scope.dormant_days,
    })
}

/// The snapshots of `scope` with their org names, by org name.
async fn snapshot_refs(
    conn: &mut sqlx::PgConnection,
    scope: &Scope,
) -> Result<Vec<SnapshotRef>, InventoryError> {
    let rows: Vec<(
        uuid::Uuid,
        String,
        String,
        Option<chrono::DateTime<chrono::Utc>>,
    )> = sqlx::query_as(
        "SELECT s.id, s.org_id, o.name, s.finished_at FROM snapshot s \
             JOIN atlas_org o ON o.id = s.org_id WHERE s.id = ANY($1) ORDER BY o.name, s.org_id",
    )
    .bind(&scope.snapshots)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, org_id, org_name, finished)| SnapshotRef {
            id,
            org_id,
            org_name,
            finished_at: finished
                .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_default(),
        })
        .collect())
}
