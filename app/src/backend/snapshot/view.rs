//! Reading snapshots for the Snapshots pages: the list, one snapshot with its evidence
//! (counts, reconciliation, request log, failure) and live progress, and a page of a diff.
//! Read-only; who may read is decided by the caller.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::SnapshotError;
use super::diff::{Change, diff_page};
use super::usage::usage_summary;
use crate::model::snapshot::{
    DiffPage, DiffRow, KindCount, Reconciliation, RequestRow, SnapshotDetail, SnapshotList,
    SnapshotProgressView, SnapshotSummary, UsageCounts,
};

/// Snapshots shown on the list page.
const LIST_LIMIT: i64 = 100;
/// Requests of the log per page, and diff rows per page.
pub const PAGE_SIZE: i64 = 50;

const SUMMARY: &str = "SELECT s.id, s.org_id, o.name, s.status, s.started_at, s.finished_at, \
     coalesce((s.counts->>'principals')::bigint, 0), \
     coalesce((s.counts->>'entitlements')::bigint, 0), \
     s.content_sha256, s.started_by_label, s.error \
     FROM snapshot s JOIN atlas_org o ON o.id = s.org_id";

type SummaryRow = (
    Uuid,
    String,
    String,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    i64,
    i64,
    Option<String>,
    String,
    Option<String>,
);

fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn summary(row: SummaryRow) -> SnapshotSummary {
    let (
        id,
        org_id,
        org_name,
        status,
        started,
        finished,
        principals,
        entitlements,
        hash,
        by,
        error,
    ) = row;
    SnapshotSummary {
        id,
        org_id,
        org_name,
        status,
        started_at: time(started),
        finished_at: finished.map(time),
        duration_ms: finished.map(|f| (f - started).num_milliseconds()),
        principals,
        entitlements,
        content_sha256: hash,
        started_by: by,
        error,
    }
}

/// The newest snapshots of every org, and the orgs.
pub async fn list_snapshots(pool: &PgPool) -> Result<SnapshotList, SnapshotError> {
    let rows: Vec<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SUMMARY} ORDER BY s.started_at DESC LIMIT $1"
    )))
    .bind(LIST_LIMIT)
    .fetch_all(pool)
    .await?;
    let orgs = sqlx::query_as("SELECT id, name FROM atlas_org ORDER BY name")
        .fetch_all(pool)
        .await?;
    Ok(SnapshotList {
        snapshots: rows.into_iter().map(summary).collect(),
        orgs,
    })
}

async fn find(pool: &PgPool, id: Uuid) -> Result<SnapshotSummary, SnapshotError> {
    let row: Option<SummaryRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SUMMARY} WHERE s.id = $1")))
            .bind(id)
            .fetch_optional(pool)
            .await?;
    row.map(summary).ok_or(SnapshotError::NotFound(id))
}

type Evidence = (
    Vec<String>,
    Option<String>,
    String,
    String,
    String,
    Option<serde_json::Value>,
);

/// One snapshot with its evidence, one page of its request log, and its progress.
pub async fn snapshot_detail(
    pool: &PgPool,
    id: Uuid,
    requests_page: i64,
    dormant_after_days: i64,
) -> Result<SnapshotDetail, SnapshotError> {
    let summary = find(pool, id).await?;
    let (api_versions, pages_sha256, credential_id, atlas_base_url, app_version, error_request): Evidence =
        sqlx::query_as(
            "SELECT api_versions, pages_sha256, credential_id, atlas_base_url, app_version, \
             error_request FROM snapshot WHERE id = $1",
        )
        .bind(id)
        .fetch_one(pool)
        .await?;
    let progress = sqlx::query_as::<_, (String, i32, DateTime<Utc>)>(
        "SELECT step, pages_fetched, updated_at FROM snapshot_progress WHERE snapshot_id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?
    .map(|(step, requests, at)| SnapshotProgressView {
        step,
        requests: i64::from(requests),
        updated_at: time(at),
    });
    let kinds = sqlx::query_as::<_, (String, i64)>(
        "SELECT kind, count(*) FROM principal WHERE snapshot_id = $1 GROUP BY kind ORDER BY kind",
    )
    .bind(id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(kind, count)| KindCount { kind, count })
    .collect();
    let reconciliation = sqlx::query_as::<_, (String, i64, Option<i64>, i64, i64)>(
        "SELECT t->>'operation', count(*), sum((t->>'reported')::bigint)::bigint, \
                sum((t->>'received')::bigint)::bigint, count(*) FILTER (WHERE t->>'outcome' = 'differs') \
         FROM snapshot s, jsonb_array_elements(s.reconciliation) t \
         WHERE s.id = $1 GROUP BY 1 ORDER BY 1",
    )
    .bind(id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(
        |(operation, listings, reported, received, differing)| Reconciliation {
            operation,
            listings,
            reported,
            received,
            differing,
        },
    )
    .collect();
    let page = requests_page.max(1);
    let requests_total: i64 =
        sqlx::query_scalar("SELECT count(*) FROM snapshot_request WHERE snapshot_id = $1")
            .bind(id)
            .fetch_one(pool)
            .await?;
    type Request = (
        i32,
        String,
        String,
        String,
        String,
        String,
        i32,
        Option<i32>,
        i32,
        Option<String>,
    );
    let requests = sqlx::query_as::<_, Request>(
        "SELECT seq, operation, method, path, query, api_version, attempt, status, duration_ms, \
         response_sha256 FROM snapshot_request WHERE snapshot_id = $1 ORDER BY seq \
         LIMIT $2 OFFSET $3",
    )
    .bind(id)
    .bind(PAGE_SIZE)
    .bind((page - 1).saturating_mul(PAGE_SIZE))
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(
        |(seq, operation, method, path, query, api_version, attempt, status, duration_ms, sha)| {
            RequestRow {
                seq,
                operation,
                method,
                path,
                query,
                api_version,
                attempt,
                status,
                duration_ms,
                response_sha256: sha,
            }
        },
    )
    .collect();
    let usage = usage_summary(pool, id, dormant_after_days).await?;
    let previous_complete: Option<Uuid> = sqlx::query_scalar(
        "SELECT p.id FROM snapshot p JOIN snapshot s ON s.id = $1 \
         WHERE p.org_id = s.org_id AND p.status = 'complete' AND p.started_at < s.started_at \
         ORDER BY p.started_at DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(SnapshotDetail {
        summary,
        progress,
        kinds,
        reconciliation,
        api_versions,
        pages_sha256,
        credential_id,
        atlas_base_url,
        app_version,
        error_request: error_request
            .map(|v| serde_json::to_string_pretty(&v).unwrap_or_else(|_| v.to_string())),
        requests,
        requests_total,
        requests_page: page,
        requests_page_size: PAGE_SIZE,
        usage: UsageCounts {
            active: usage.active,
            dormant: usage.dormant,
            no_data: usage.no_data,
            dormant_after_days,
        },
        previous_complete,
    })
}

/// One page of the difference from `from` to `to`, optionally of one kind of change.
pub async fn diff_view(
    pool: &PgPool,
    from: Uuid,
    to: Uuid,
    only: Option<Change>,
    page: i64,
) -> Result<DiffPage, SnapshotError> {
    let page = page.max(1);
    let (counts, changes) = diff_page(
        pool,
        from,
        to,
        only,
        PAGE_SIZE,
        (page - 1).saturating_mul(PAGE_SIZE),
    )
    .await?;
    let total = match only {
        None => counts.added + counts.removed + counts.changed,
        Some(Change::Added) => counts.added,
        Some(Change::Removed) => counts.removed,
        Some(Change::Changed) => counts.changed,
    };
    Ok(DiffPage {
        from: find(pool, from).await?,
        to: find(pool, to).await?,
        added: counts.added,
        removed: counts.removed,
        changed: counts.changed,
        rows: changes
            .into_iter()
            .map(|c| DiffRow {
                key: c.key,
                change: c.change.as_str().to_owned(),
                principal_key: c.principal_key,
                role: c.role,
                project_id: c.project_id,
                tier_before: c.tier_before,
                tier_after: c.tier_after,
                fields: c.fields,
            })
            .collect(),
        total,
        page,
        page_size: PAGE_SIZE,
    })
}
