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

impl Change {
    /// The name used in SQL and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Removed => "removed",
            Self::Changed => "changed",
        }
    }

    /// Parses [`Change::as_str`]'s names.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "added" => Some(Self::Added),
            "removed" => Some(Self::Removed),
            "changed" => Some(Self::Changed),
            _ => None,
        }
    }
}

fn to_change(row: DiffRow) -> EntitlementChange {
    let (key, change, principal_key, role, project_id, tier_before, tier_after, fields) = row;
    let change = Change::parse(&change).unwrap_or(Change::Changed);
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
}

impl SnapshotDiff {
    /// How many changes are of `kind`.
    pub fn count(&self, kind: Change) -> usize {
        self.changes.iter().filter(|c| c.change == kind).count()
    }
}

/// Entitlements of snapshot $1 against snapshot $2, one row per difference: key, change,
/// principal, role, project, tier before and after, changed columns. Unordered.
const DIFF: &str = "WITH a AS (SELECT * FROM entitlement WHERE snapshot_id = $1), \
              b AS (SELECT * FROM entitlement WHERE snapshot_id = $2) \
         SELECT coalesce(b.key, a.key) AS key, \
                CASE WHEN a.key IS NULL THEN 'added' WHEN b.key IS NULL THEN 'removed' \
                     ELSE 'changed' END AS change, \
                coalesce(b.principal_key, a.principal_key) AS principal_key, \
                coalesce(b.role, a.role) AS role, \
                coalesce(b.project_id, a.project_id) AS project_id, \
                a.tier AS tier_before, b.tier AS tier_after, \
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
                b.tier, b.via_mapping_id, b.role_actions)";

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

/// Both snapshots exist, are complete and belong to one org (returned).
async fn check_pair(pool: &PgPool, from: Uuid, to: Uuid) -> Result<String, SnapshotError> {
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
    Ok(found[0].1.clone())
}

/// Counts per change and one page of the changes (sorted by key), optionally of one kind.
pub async fn diff_page(
    pool: &PgPool,
    from: Uuid,
    to: Uuid,
    only: Option<Change>,
    limit: i64,
    offset: i64,
) -> Result<(DiffCounts, Vec<EntitlementChange>), SnapshotError> {
    check_pair(pool, from, to).await?;
    let per_change: Vec<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT change, count(*) FROM ({DIFF}) d GROUP BY change"
    )))
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    let count = |kind: &str| {
        per_change
            .iter()
            .find(|(change, _)| change == kind)
            .map_or(0, |(_, n)| *n)
    };
    let counts = DiffCounts {
        added: count("added"),
        removed: count("removed"),
        changed: count("changed"),
    };
    let rows: Vec<DiffRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT * FROM ({DIFF}) d WHERE $3::text IS NULL OR change = $3 \
         ORDER BY key LIMIT $4 OFFSET $5"
    )))
    .bind(from)
    .bind(to)
    .bind(only.map(Change::as_str))
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    Ok((counts, rows.into_iter().map(to_change).collect()))
}

/// How many entitlements were added, removed and changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DiffCounts {
    pub added: i64,
    pub removed: i64,
    pub changed: i64,
}

/// Entitlements added, removed and changed from snapshot `from` to snapshot `to`. Both must
/// be complete snapshots of the same org.
pub async fn diff_snapshots(
    pool: &PgPool,
    from: Uuid,
    to: Uuid,
) -> Result<SnapshotDiff, SnapshotError> {
    check_pair(pool, from, to).await?;

    let rows: Vec<DiffRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{DIFF} ORDER BY 1")))
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await?;

    let changes = rows.into_iter().map(to_change).collect();
    Ok(SnapshotDiff { changes })
}
