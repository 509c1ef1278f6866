//! Who can reach one project of the newest snapshot of its org, and how: directly, through a
//! team, through an org role that implies project roles, or through a federation mapping.

use sqlx::PgPool;

use super::InventoryError;
use super::query::{Scope, ValidFilter};
use super::search::search_in;
use crate::backend::identity::latest_complete_snapshots;
use crate::model::inventory::ProjectAccess;

/// Entitlements per page on the project page.
pub const PROJECT_PAGE_SIZE: i64 = 100;

/// The project page's data, entitlements paged by `page` (1-based).
pub async fn project_access(
    pool: &PgPool,
    org_id: &str,
    project_id: &str,
    page: i64,
) -> Result<ProjectAccess, InventoryError> {
    let mut conn = pool.acquire().await?;
    let Some((snapshot_id, _)) = latest_complete_snapshots(&mut *conn, Some(org_id))
        .await?
        .into_iter()
        .next()
    else {
        return Err(InventoryError::NotFound(format!(
            "A complete snapshot of organization {org_id:?}"
        )));
    };
    let name: Option<String> = sqlx::query_scalar(
        "SELECT name FROM snapshot_project WHERE snapshot_id = $1 AND project_id = $2",
    )
    .bind(snapshot_id)
    .bind(project_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(project_name) = name else {
        return Err(InventoryError::NotFound(format!(
            "Project {project_id:?} in the newest snapshot of organization {org_id}"
        )));
    };
    let by_grant_path: Vec<(String, i64)> = sqlx::query_as(
        "SELECT grant_path, count(*) FROM entitlement \
         WHERE snapshot_id = $1 AND project_id = $2 GROUP BY grant_path ORDER BY grant_path",
    )
    .bind(snapshot_id)
    .bind(project_id)
    .fetch_all(&mut *conn)
    .await?;
    let principals: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT principal_key) FROM entitlement \
         WHERE snapshot_id = $1 AND project_id = $2",
    )
    .bind(snapshot_id)
    .bind(project_id)
    .fetch_one(&mut *conn)
    .await?;
    let mut scope = Scope::current(&mut conn).await?;
    scope.snapshots = vec![snapshot_id];
    let filter = ValidFilter {
        org_id: Some(org_id.to_owned()),
        project_id: Some(project_id.to_owned()),
        page: page.max(1),
        ..ValidFilter::default()
    };
    let entitlements = search_in(&mut conn, &filter, &scope, PROJECT_PAGE_SIZE).await?;
    Ok(ProjectAccess {
        org_id: org_id.to_owned(),
        project_id: project_id.to_owned(),
        project_name,
        by_grant_path,
        principals,
        entitlements,
    })
}
