//! Orphans: principals that stand for one holder (not teams or IdP groups) yet are linked to
//! no person in the newest snapshot of their org. Admins map them on the mappings page.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::InventoryError;
use super::query::Scope;
use super::usage;
use crate::backend::identity::LINKABLE_KINDS;
use crate::model::inventory::{OrphanPage, OrphanRow};

/// Orphans per page.
pub const ORPHAN_PAGE_SIZE: i64 = 50;

#[derive(sqlx::FromRow)]
struct OrphanRecord {
    org_id: String,
    key: String,
    kind: String,
    display_name: String,
    username: Option<String>,
    last_used: Option<DateTime<Utc>>,
    entitlements: i64,
}

/// Orphans whose name or username contains `search`, by kind then name.
pub async fn list_orphans(
    pool: &PgPool,
    search: &str,
    page: i64,
) -> Result<OrphanPage, InventoryError> {
    let page = page.max(1);
    let pattern = (!search.trim().is_empty()).then(|| crate::backend::db::contains_pattern(search));
    let mut conn = pool.acquire().await?;
    let scope = Scope::current(&mut conn).await?;
    let filter = "p.snapshot_id = ANY($1) AND p.kind = ANY($2) \
                  AND NOT EXISTS (SELECT 1 FROM identity_link l \
                                  WHERE l.snapshot_id = p.snapshot_id AND l.principal_key = p.key) \
                  AND ($3::text IS NULL OR p.display_name ILIKE $3 OR p.username ILIKE $3)";
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM principal p WHERE {filter}"
    )))
    .bind(&scope.snapshots)
    .bind(LINKABLE_KINDS.as_slice())
    .bind(&pattern)
    .fetch_one(&mut *conn)
    .await?;
    let records: Vec<OrphanRecord> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT s.org_id, p.key, p.kind, p.display_name, p.username, {last_used} AS last_used, \
                (SELECT count(*) FROM entitlement e \
                 WHERE e.snapshot_id = p.snapshot_id AND e.principal_key = p.key) AS entitlements \
         FROM principal p JOIN snapshot s ON s.id = p.snapshot_id {join} \
         WHERE {filter} \
         ORDER BY p.kind, p.display_name, p.key LIMIT $4 OFFSET $5",
        last_used = usage::LAST_USED,
        join = usage::join("s.org_id", "p.key"),
    )))
    .bind(&scope.snapshots)
    .bind(LINKABLE_KINDS.as_slice())
    .bind(&pattern)
    .bind(ORPHAN_PAGE_SIZE)
    .bind((page - 1).saturating_mul(ORPHAN_PAGE_SIZE))
    .fetch_all(&mut *conn)
    .await?;
    Ok(OrphanPage {
        orphans: records
            .into_iter()
            .map(|r| OrphanRow {
                org_id: r.org_id,
                principal_key: r.key,
                kind: r.kind,
                name: r.display_name,
                username: r.username,
                entitlements: r.entitlements,
                last_used: r.last_used.map(|t| t.format("%Y-%m-%d").to_string()),
            })
            .collect(),
        total,
        page,
        page_size: ORPHAN_PAGE_SIZE,
    })
}
