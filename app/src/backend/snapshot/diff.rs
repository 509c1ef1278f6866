//! What changed between two complete snapshots of one org: entitlements added, removed, and
//! changed (same key, different scope, tier, path or actions). Computed in SQL with a full
//! join on the stable key, so it scales with the database, not with memory.

use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

use super::SnapshotError;

/// How one entitlement differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Added,
    Removed,
    Changed,
}

/// One difference, keyed by the entitlement's stable key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntitlementChange {
    pub key: String,
    pub change: Change,
    pub principal_key: String,
    pub role: String,
    pub project_id: Option<String>,
    /// Tier before (None when added) and after (None when removed).
    pub tier_before: Option<String>,
    pub tier_after: Option<String>,
    /// For `Changed`: the columns that differ.
    pub fields: Vec<String>,
}

/// The difference between two snapshots, sorted by key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SnapshotDiff {
    pub changes: Vec<EntitlementChange>,
}

impl SnapshotDiff {
    /// How many changes are of `kind`.
    pub fn count(&self, kind: Change) -> usize {
        self.changes.iter().filter(|c| c.change == kind).count()
    }
}

type DiffRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Vec<String>,
);

/// Entitlements added, removed and changed from snapshot `from` to snapshot `to`. Both must
/// be complete snapshots of the same org.
pub async fn diff_snapshots(
    pool: &PgPool,
    from: Uuid,
    to: Uuid,
) -> Result<SnapshotDiff, SnapshotError> {
    let found: Vec<(Uuid, String, String)> =
        sqlx::query_as("SELECT id, org_id, status FROM snapshot WHERE id = ANY($1)")
            .bind([from, to].as_slice())
            .fetch_all(pool)
            .await?;
    for id in [from, to] {
        match found.iter().find(|(found_id, _, _)| *found_id == id) {
            None => return Err(SnapshotError::NotFound(id)),
            Some((_, _, status)) if status != "complete" => {
                return Err(SnapshotError::NotComplete(id));
            }
            Some(_) => {}
        }
    }
    if found.iter().any(|(_, org, _)| *org != found[0].1) {
        return Err(SnapshotError::DifferentOrgs);
    }

    let rows: Vec<DiffRow> = sqlx::query_as(
        "WITH a AS (SELECT * FROM entitlement WHERE snapshot_id = $1), \
              b AS (SELECT * FROM entitlement WHERE snapshot_id = $2) \
         SELECT coalesce(b.key, a.key), \
                CASE WHEN a.key IS NULL THEN 'added' WHEN b.key IS NULL THEN 'removed' \
                     ELSE 'changed' END, \
                coalesce(b.principal_key, a.principal_key), coalesce(b.role, a.role), \
                coalesce(b.project_id, a.project_id), a.tier, b.tier, \
                array_remove(ARRAY[ \
                  CASE WHEN a.grant_path IS DISTINCT FROM b.grant_path THEN 'grant_path' END, \
                  CASE WHEN a.scope IS DISTINCT FROM b.scope THEN 'scope' END, \
                  CASE WHEN a.cluster_names IS DISTINCT FROM b.cluster_names \
                       THEN 'cluster_names' END, \
                  CASE WHEN a.database_name IS DISTINCT FROM b.database_name \
                       THEN 'database_name' END, \
                  CASE WHEN a.collection_name IS DISTINCT FROM b.collection_name \
                       THEN 'collection_name' END, \
                  CASE WHEN a.tier IS DISTINCT FROM b.tier THEN 'tier' END, \
                  CASE WHEN a.via_mapping_id IS DISTINCT FROM b.via_mapping_id \
                       THEN 'via_mapping_id' END, \
                  CASE WHEN a.role_actions IS DISTINCT FROM b.role_actions \
                       THEN 'role_actions' END \
                ], NULL) AS fields \
         FROM a FULL JOIN b ON a.key = b.key \
         WHERE a.key IS NULL OR b.key IS NULL \
            OR (a.grant_path, a.scope, a.cluster_names, a.database_name, a.collection_name, \
                a.tier, a.via_mapping_id, a.role_actions) \
               IS DISTINCT FROM \
               (b.grant_path, b.scope, b.cluster_names, b.database_name, b.collection_name, \
                b.tier, b.via_mapping_id, b.role_actions) \
         ORDER BY 1",
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;

    let changes = rows
        .into_iter()
        .map(
            |(key, change, principal_key, role, project_id, tier_before, tier_after, fields)| {
                let change = match change.as_str() {
                    "added" => Change::Added,
                    "removed" => Change::Removed,
                    _ => Change::Changed,
                };
                let fields = if change == Change::Changed {
                    fields
                } else {
                    Vec::new()
                };
                EntitlementChange {
                    key,
                    change,
                    principal_key,
                    role,
                    project_id,
                    tier_before,
                    tier_after,
                    fields,
                }
            },
        )
        .collect();
    Ok(SnapshotDiff { changes })
}
