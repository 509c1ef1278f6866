//! Writing snapshots: the snapshot row through its life (running → complete | failed), the
//! request log and raw pages, and the derived rows. Every bulk write is one `INSERT … SELECT
//! FROM UNNEST(…)` per table, never a loop of single-row inserts, except a snapshot's own
//! entitlements: those are streamed through `COPY` ([`super::stream`]).
//!
//! The database refuses any change to a complete snapshot or its rows (triggers in the
//! `snapshots` migration), deletion included except through retention's audited path.

// Deleting old snapshots is retention's job alone (`retention.rs`): the only path the
// triggers let through, audited, and never for a snapshot a campaign uses.

use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use super::model::{Derived, EntitlementRow};
use super::recorder::LoggedRequest;

/// Joins list values into one array element; split again in SQL with `chr(31)`.
const LIST_SEPARATOR: &str = "\u{1f}";

/// The facts a snapshot row starts with.
#[derive(Debug, Clone)]
pub struct NewSnapshot<'a> {
    pub id: Uuid,
    pub org_id: &'a str,
    pub base_url: &'a str,
    pub credential_id: &'a str,
    pub started_by: Option<Uuid>,
    pub started_by_label: &'a str,
}

/// Records the org if it is new (named by its id until the first pull reads its name) and a
/// `running` snapshot of it.
pub async fn insert_running(conn: &mut PgConnection, new: &NewSnapshot<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO atlas_org (id, name, base_url) VALUES ($1, $1, $2) \
         ON CONFLICT (id) DO UPDATE SET base_url = EXCLUDED.base_url, updated_at = now()",
    )
    .bind(new.org_id)
    .bind(new.base_url)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO snapshot (id, org_id, status, started_by, started_by_label, atlas_base_url, \
         credential_id, app_version) VALUES ($1, $2, 'running', $3, $4, $5, $6, $7)",
    )
    .bind(new.id)
    .bind(new.org_id)
    .bind(new.started_by)
    .bind(new.started_by_label)
    .bind(new.base_url)
    .bind(new.credential_id)
    // Limitation: the crate version is recorded, not the git commit of the build.
    .bind(env!("CARGO_PKG_VERSION"))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Marks snapshots of `org_id` still `running` as failed and returns their ids. Call only
/// while holding the org's snapshot lock: then nobody is running them any more.
pub async fn fail_abandoned(conn: &mut PgConnection, org_id: &str) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "UPDATE snapshot SET status = 'failed', finished_at = now(), \
         error = 'abandoned: the process taking it stopped before it finished' \
         WHERE org_id = $1 AND status = 'running' RETURNING id",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await
}

fn millis(duration: std::time::Duration) -> i32 {
    i32::try_from(duration.as_millis()).unwrap_or(i32::MAX)
}

/// Stores the request log and every response body received (compressed as it arrived).
/// Returns the page hashes in request order.
pub async fn insert_requests(
    conn: &mut PgConnection,
    snapshot_id: Uuid,
    logged: &[LoggedRequest],
) -> Result<Vec<String>, StoreError> {
    let mut seq = Vec::with_capacity(logged.len());
    let (mut operation, mut method, mut path, mut query, mut version) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut page, mut attempt, mut started_at, mut status, mut duration, mut sha) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    let (mut page_seq, mut page_sha, mut page_size, mut page_body) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (index, LoggedRequest { record, page: raw }) in logged.iter().enumerate() {
        let n = i32::try_from(index + 1).map_err(|_| StoreError::TooLarge("request log"))?;
        seq.push(n);
        operation.push(record.operation);
        method.push(record.method);
        path.push(record.path.as_str());
        query.push(record.query.as_str());
        version.push(record.api_version.date());
        page.push(record.page.and_then(|p| i32::try_from(p).ok()));
        attempt.push(i32::try_from(record.attempt).unwrap_or(i32::MAX));
        started_at.push(record.started_at);
        status.push(record.status.map(i32::from));
        duration.push(millis(record.duration));
        sha.push(record.response_sha256.as_deref());
        if let Some(raw) = raw {
            page_seq.push(n);
            page_sha.push(raw.sha256.as_str());
            page_size
                .push(i32::try_from(raw.size_bytes).map_err(|_| StoreError::TooLarge("page"))?);
            page_body.push(raw.body_gzip.as_slice());
        }
    }
    sqlx::query(
        "INSERT INTO snapshot_request (snapshot_id, seq, operation, method, path, query, \
         api_version, page, attempt, started_at, status, duration_ms, response_sha256) \
         SELECT $1, * FROM UNNEST($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], \
         $7::text[], $8::int[], $9::int[], $10::timestamptz[], $11::int[], $12::int[], \
         $13::text[])",
    )
    .bind(snapshot_id)
    .bind(&seq)
    .bind(&operation)
    .bind(&method)
    .bind(&path)
    .bind(&query)
    .bind(&version)
    .bind(&page)
    .bind(&attempt)
    .bind(&started_at)
    .bind(&status)
    .bind(&duration)
    .bind(&sha)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO snapshot_page (snapshot_id, request_seq, sha256, size_bytes, body_gzip) \
         SELECT $1, * FROM UNNEST($2::int[], $3::text[], $4::int[], $5::bytea[])",
    )
    .bind(snapshot_id)
    .bind(&page_seq)
    .bind(&page_sha)
    .bind(&page_size)
    .bind(&page_body)
    .execute(&mut *conn)
    .await?;
    Ok(page_sha.into_iter().map(str::to_owned).collect())
}

/// Stores projects, principals and entitlements, one statement per table.
pub async fn insert_rows(
    conn: &mut PgConnection,
    snapshot_id: Uuid,
    derived: &Derived,
) -> sqlx::Result<()> {
    insert_projects_and_principals(conn, snapshot_id, derived).await?;
    insert_entitlements(conn, snapshot_id, &derived.entitlements).await
}

/// Stores the projects and principals of `derived`, one statement per table.
pub async fn insert_projects_and_principals(
    conn: &mut PgConnection,
    snapshot_id: Uuid,
    derived: &Derived,
) -> sqlx::Result<()> {
    let projects = &derived.projects;
    sqlx::query(
        "INSERT INTO snapshot_project (snapshot_id, project_id, name, cluster_count) \
         SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::bigint[])",
    )
    .bind(snapshot_id)
    .bind(
        projects
            .iter()
            .map(|p| p.project_id.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(projects.iter().map(|p| p.name.as_str()).collect::<Vec<_>>())
    .bind(projects.iter().map(|p| p.cluster_count).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;

    let ps = &derived.principals;
    let labels: Vec<Value> = ps
        .iter()
        .map(|p| {
            Value::Array(
                p.labels
                    .iter()
                    .map(|(key, value)| serde_json::json!({ "key": key, "value": value }))
                    .collect(),
            )
        })
        .collect();
    sqlx::query(
        "INSERT INTO principal (snapshot_id, key, kind, atlas_id, project_id, display_name, \
         username, email, auth_type, membership_status, last_auth, labels) \
         SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], \
         $7::text[], $8::text[], $9::text[], $10::text[], $11::timestamptz[], $12::jsonb[])",
    )
    .bind(snapshot_id)
    .bind(ps.iter().map(|p| p.key.as_str()).collect::<Vec<_>>())
    .bind(ps.iter().map(|p| p.kind.as_str()).collect::<Vec<_>>())
    .bind(ps.iter().map(|p| p.atlas_id.as_str()).collect::<Vec<_>>())
    .bind(
        ps.iter()
            .map(|p| p.project_id.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind(
        ps.iter()
            .map(|p| p.display_name.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(ps.iter().map(|p| p.username.as_deref()).collect::<Vec<_>>())
    .bind(ps.iter().map(|p| p.email.as_deref()).collect::<Vec<_>>())
    .bind(
        ps.iter()
            .map(|p| p.auth_type.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind(
        ps.iter()
            .map(|p| p.membership_status.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind(ps.iter().map(|p| p.last_auth).collect::<Vec<_>>())
    .bind(&labels)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Stores entitlements of `snapshot_id` in one statement; their principals must be stored.
pub async fn insert_entitlements(
    conn: &mut PgConnection,
    snapshot_id: Uuid,
    es: &[EntitlementRow],
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO entitlement (snapshot_id, key, principal_key, grant_path, scope, org_id, \
         project_id, cluster_names, database_name, collection_name, role, tier, via_team_id, \
         via_mapping_id, via_org_role, role_actions) \
         SELECT $1, u.key, u.principal_key, u.grant_path, u.scope, u.org_id, u.project_id, \
         string_to_array(u.clusters, chr(31)), u.database_name, u.collection_name, u.role, \
         u.tier, u.via_team_id, u.via_mapping_id, u.via_org_role, \
         string_to_array(u.actions, chr(31)) \
         FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], \
         $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], \
         $14::text[], $15::text[], $16::text[]) AS u(key, principal_key, grant_path, scope, \
         org_id, project_id, clusters, database_name, collection_name, role, tier, via_team_id, \
         via_mapping_id, via_org_role, actions)",
    )
    .bind(snapshot_id)
    .bind(es.iter().map(|e| e.key.as_str()).collect::<Vec<_>>())
    .bind(
        es.iter()
            .map(|e| e.principal_key.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(es.iter().map(|e| e.grant_path.as_str()).collect::<Vec<_>>())
    .bind(es.iter().map(|e| e.scope.as_str()).collect::<Vec<_>>())
    .bind(es.iter().map(|e| e.org_id.as_str()).collect::<Vec<_>>())
    .bind(
        es.iter()
            .map(|e| e.project_id.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind(
        es.iter()
            .map(|e| e.cluster_names.join(LIST_SEPARATOR))
            .collect::<Vec<_>>(),
    )
    .bind(
        es.iter()
            .map(|e| e.database_name.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind(
        es.iter()
            .map(|e| e.collection_name.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind(es.iter().map(|e| e.role.as_str()).collect::<Vec<_>>())
    .bind(es.iter().map(|e| e.tier.as_str()).collect::<Vec<_>>())
    .bind(
        es.iter()
            .map(|e| e.via_team_id.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind(
        es.iter()
            .map(|e| e.via_mapping_id.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind(
        es.iter()
            .map(|e| e.via_org_role.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind(
        es.iter()
            .map(|e| e.role_actions.join(LIST_SEPARATOR))
            .collect::<Vec<_>>(),
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Keeps the org's name as Atlas last reported it.
pub async fn update_org_name(
    conn: &mut PgConnection,
    org_id: &str,
    name: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE atlas_org SET name = $2, updated_at = now() WHERE id = $1")
        .bind(org_id)
        .bind(name)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Rows actually stored for a snapshot: (principals, entitlements).
pub async fn stored_counts(conn: &mut PgConnection, snapshot_id: Uuid) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM principal WHERE snapshot_id = $1), \
                (SELECT count(*) FROM entitlement WHERE snapshot_id = $1)",
    )
    .bind(snapshot_id)
    .fetch_one(&mut *conn)
    .await
}

/// What a complete snapshot records about itself.
#[derive(Debug, Clone)]
pub struct Completion<'a> {
    pub counts: &'a Value,
    pub reconciliation: &'a Value,
    pub api_versions: &'a [String],
    pub content_sha256: &'a str,
    pub pages_sha256: &'a str,
}

/// Turns a running snapshot complete; after this the database refuses any change to it.
pub async fn mark_complete(
    conn: &mut PgConnection,
    snapshot_id: Uuid,
    done: &Completion<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE snapshot SET status = 'complete', finished_at = now(), counts = $2, \
         reconciliation = $3, api_versions = $4, content_sha256 = $5, pages_sha256 = $6 \
         WHERE id = $1 AND status = 'running'",
    )
    .bind(snapshot_id)
    .bind(done.counts)
    .bind(done.reconciliation)
    .bind(done.api_versions)
    .bind(done.content_sha256)
    .bind(done.pages_sha256)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Turns a running snapshot failed, with the error and the request that caused it.
pub async fn mark_failed(
    conn: &mut PgConnection,
    snapshot_id: Uuid,
    error: &str,
    error_request: Option<&Value>,
    api_versions: &[String],
    pages_sha256: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE snapshot SET status = 'failed', finished_at = now(), error = $2, \
         error_request = $3, api_versions = $4, pages_sha256 = $5 \
         WHERE id = $1 AND status = 'running'",
    )
    .bind(snapshot_id)
    .bind(error)
    .bind(error_request)
    .bind(api_versions)
    .bind(pages_sha256)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A failure while storing.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the {0} is too large to store")]
    TooLarge(&'static str),
    #[error("entitlement {0:?} arrived out of key order")]
    OutOfOrder(String),
}
