//! Usage: when each principal last used its access, kept in `principal_usage` beyond Atlas's
//! own retention.
//!
//! Two sources: the `lastAuth` Atlas reports for Atlas users (and the newest secret use of a
//! service account), recorded from every complete snapshot ([`record_last_auth`]); and, for
//! database users, the newest successful authentication in each cluster's database access
//! history ([`harvest_access_history`]), which Atlas keeps only for a short while. A sighting
//! only ever moves a principal's last use forward. No row means Atlas had no usage data, and
//! that is shown as such: a principal with no data is never called dormant.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::principal::database_user_key;
use crate::backend::atlas::AtlasClient;
use crate::backend::atlas::types::{AccessHistoryQuery, AccessLogEntry};
use crate::backend::identity::latest_complete_snapshots;
use crate::backend::inventory::flags::refresh_flags;

/// A principal unused for this many days is dormant, unless configured otherwise.
pub const DEFAULT_DORMANT_AFTER_DAYS: i64 = 90;

/// Atlas's ceiling of access-history entries per request.
const ACCESS_LOGS_PER_CLUSTER: u32 = 20_000;

/// What is known about one principal's use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UsageStatus {
    /// Atlas has never reported a use: neither `lastAuth` nor an access-history entry.
    NoData,
    /// Used within the dormancy window.
    Active,
    /// Last used longer ago than the dormancy window.
    Dormant,
}

/// Classifies a principal's newest known use as of `now`.
pub fn classify(
    last_used: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    dormant_after_days: i64,
) -> UsageStatus {
    match last_used {
        None => UsageStatus::NoData,
        Some(at) if now - at > chrono::Duration::days(dormant_after_days) => UsageStatus::Dormant,
        Some(_) => UsageStatus::Active,
    }
}

/// Upserts sightings, keeping the newest use per principal and noting when Attest read it.
const UPSERT: &str = "ON CONFLICT (org_id, principal_key) DO UPDATE SET \
    source = CASE WHEN EXCLUDED.last_used_at > principal_usage.last_used_at \
                  THEN EXCLUDED.source ELSE principal_usage.source END, \
    last_used_at = greatest(principal_usage.last_used_at, EXCLUDED.last_used_at), \
    observed_at = EXCLUDED.observed_at";

/// Records the `lastAuth` of every principal of a complete snapshot that has one. Returns the
/// number of principals recorded.
pub async fn record_last_auth(conn: &mut PgConnection, snapshot_id: Uuid) -> sqlx::Result<u64> {
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO principal_usage (org_id, principal_key, last_used_at, source, observed_at) \
         SELECT s.org_id, p.key, p.last_auth, 'atlas_last_auth', now() \
         FROM principal p JOIN snapshot s ON s.id = p.snapshot_id \
         WHERE p.snapshot_id = $1 AND p.last_auth IS NOT NULL {UPSERT}"
    )))
    .bind(snapshot_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// What one access-history harvest read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HarvestReport {
    /// The complete snapshot whose database users were looked for; `None` when the org has
    /// none yet, and then nothing was read.
    pub snapshot_id: Option<Uuid>,
    pub clusters_read: usize,
    /// Projects or clusters Atlas refused to list or report (M0/M2/M5 clusters have no
    /// access history); their database users keep whatever was known before.
    pub unavailable: usize,
    pub successful_authentications: usize,
    /// Database users whose usage row was written.
    pub principals_recorded: u64,
}

/// When an access-history entry happened. Atlas documents `timestamp` as a string without a
/// format; ISO-8601 and the legacy `Sun Jul 25 9:14:42 UTC 2019` form are read, and otherwise
/// the `$date` of the structured log line.
pub fn access_time(entry: &AccessLogEntry) -> Option<DateTime<Utc>> {
    let from_timestamp = entry.timestamp.as_deref().and_then(|raw| {
        let raw = raw.trim();
        DateTime::parse_from_rfc3339(raw)
            .map(|t| t.with_timezone(&Utc))
            .ok()
            .or_else(|| {
                NaiveDateTime::parse_from_str(raw, "%a %b %e %H:%M:%S UTC %Y")
                    .ok()
                    .map(|t| t.and_utc())
            })
    });
    from_timestamp.or_else(|| {
        let line: serde_json::Value = serde_json::from_str(entry.log_line.as_deref()?).ok()?;
        let date = line.get("t")?.get("$date")?.as_str()?;
        DateTime::parse_from_rfc3339(date)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    })
}

/// The newest successful authentication per database-user key among `entries` of a project.
fn newest_per_user(
    project_id: &str,
    entries: &[AccessLogEntry],
    into: &mut HashMap<String, DateTime<Utc>>,
) -> usize {
    let mut successes = 0;
    for entry in entries.iter().filter(|e| e.auth_result == Some(true)) {
        let (Some(username), Some(at)) = (entry.username.as_deref(), access_time(entry)) else {
            continue;
        };
        successes += 1;
        let auth_db = entry.auth_source.as_deref().unwrap_or("admin");
        let key = database_user_key(project_id, auth_db, username);
        into.entry(key)
            .and_modify(|seen| *seen = (*seen).max(at))
            .or_insert(at);
    }
    successes
}

/// Reads the database access history of every cluster of the projects where the org's newest
/// complete snapshot found database users, and records each user's newest successful
/// authentication. An Atlas refusal for one project or cluster is counted and skipped (the
/// users there keep what was known); only a database error fails the harvest.
#[tracing::instrument(skip_all, fields(atlas.org_id = org_id))]
pub async fn harvest_access_history(
    pool: &PgPool,
    client: &AtlasClient,
    org_id: &str,
) -> sqlx::Result<HarvestReport> {
    let snapshot_id: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM snapshot WHERE org_id = $1 AND status = 'complete' \
         ORDER BY finished_at DESC LIMIT 1",
    )
    .bind(org_id)
    .fetch_optional(pool)
    .await?;
    let mut report = HarvestReport {
        snapshot_id,
        ..HarvestReport::default()
    };
    let Some(snapshot_id) = snapshot_id else {
        return Ok(report);
    };
    let projects: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT project_id FROM principal \
         WHERE snapshot_id = $1 AND kind = 'database_user' AND project_id IS NOT NULL \
         ORDER BY 1",
    )
    .bind(snapshot_id)
    .fetch_all(pool)
    .await?;

    let filter = AccessHistoryQuery {
        auth_result: Some(true),
        n_logs: Some(ACCESS_LOGS_PER_CLUSTER),
        ..AccessHistoryQuery::default()
    };
    let mut newest = HashMap::new();
    for project_id in &projects {
        let clusters = match client.list_clusters(project_id).await {
            Ok(listing) => listing.items,
            Err(err) => {
                tracing::warn!(atlas.project_id = %project_id, error = %err, "cannot list the project's clusters; its database users keep their known usage");
                report.unavailable += 1;
                continue;
            }
        };
        for cluster in clusters {
            match client
                .cluster_access_history(project_id, &cluster.name, &filter)
                .await
            {
                Ok(logs) => {
                    report.clusters_read += 1;
                    report.successful_authentications +=
                        newest_per_user(project_id, &logs.access_logs, &mut newest);
                }
                Err(err) => {
                    tracing::debug!(atlas.project_id = %project_id, atlas.cluster = %cluster.name, error = %err, "no access history for the cluster");
                    report.unavailable += 1;
                }
            }
        }
    }

    let (keys, times): (Vec<String>, Vec<DateTime<Utc>>) = newest.into_iter().unzip();
    // Only keys of database users the snapshot knows: an entry for a user deleted since then
    // says nothing about access anyone still holds.
    let mut tx = pool.begin().await?;
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO principal_usage (org_id, principal_key, last_used_at, source, observed_at) \
         SELECT $1, u.key, u.at, 'db_access_history', now() \
         FROM UNNEST($3::text[], $4::timestamptz[]) AS u(key, at) \
         JOIN principal p ON p.snapshot_id = $2 AND p.key = u.key {UPSERT}"
    )))
    .bind(org_id)
    .bind(snapshot_id)
    .bind(&keys)
    .bind(&times)
    .execute(&mut *tx)
    .await?;
    // The inventory's dormant filter reads last use from the principal flags; the org's newest
    // snapshot is read again because one may have completed while the history was read.
    for (newest, _) in latest_complete_snapshots(&mut *tx, Some(org_id)).await? {
        refresh_flags(&mut tx, newest).await?;
    }
    tx.commit().await?;
    report.principals_recorded = done.rows_affected();
    tracing::info!(
        atlas.org_id = org_id, snapshot.id = %snapshot_id, clusters = report.clusters_read,
        unavailable = report.unavailable, principals = report.principals_recorded,
        "database access history harvested"
    );
    Ok(report)
}

/// How a snapshot's principals split by usage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UsageSummary {
    pub active: i64,
    pub dormant: i64,
    pub no_data: i64,
}

/// Counts a snapshot's principals that act on their own (not teams or IdP groups) by usage.
pub async fn usage_summary(
    pool: &PgPool,
    snapshot_id: Uuid,
    dormant_after_days: i64,
) -> sqlx::Result<UsageSummary> {
    let (active, dormant, no_data): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE last_used >= now() - make_interval(days => $2)), \
                count(*) FILTER (WHERE last_used < now() - make_interval(days => $2)), \
                count(*) FILTER (WHERE last_used IS NULL) \
         FROM (SELECT greatest(p.last_auth, u.last_used_at) AS last_used \
               FROM principal p JOIN snapshot s ON s.id = p.snapshot_id \
               LEFT JOIN principal_usage u ON u.org_id = s.org_id AND u.principal_key = p.key \
               WHERE p.snapshot_id = $1 AND p.kind NOT IN ('team', 'idp_group')) AS usage",
    )
    .bind(snapshot_id)
    .bind(i32::try_from(dormant_after_days).unwrap_or(i32::MAX))
    .fetch_one(pool)
    .await?;
    Ok(UsageSummary {
        active,
        dormant,
        no_data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn entry(timestamp: Option<&str>, line: Option<&str>) -> AccessLogEntry {
        AccessLogEntry {
            username: Some("app".into()),
            auth_source: Some("admin".into()),
            auth_result: Some(true),
            failure_reason: None,
            ip_address: None,
            hostname: None,
            group_id: None,
            log_line: line.map(str::to_owned),
            timestamp: timestamp.map(str::to_owned),
        }
    }

    #[test]
    fn access_times_are_read_in_every_form_atlas_uses() {
        let expected = Utc.with_ymd_and_hms(2019, 7, 5, 9, 14, 42).single();
        assert_eq!(
            access_time(&entry(Some("Fri Jul 5 9:14:42 UTC 2019"), None)),
            expected
        );
        assert_eq!(
            access_time(&entry(Some("2019-07-05T09:14:42Z"), None)),
            expected
        );
        let line = r#"{"t":{"$date":"2019-07-05T09:14:42.000Z"},"msg":"ok"}"#;
        assert_eq!(
            access_time(&entry(Some("yesterday-ish"), Some(line))),
            expected
        );
        assert_eq!(access_time(&entry(None, None)), None);
    }

    #[test]
    fn only_successes_count_and_the_newest_wins_per_user() {
        let mut failed = entry(Some("2024-01-03T00:00:00Z"), None);
        failed.auth_result = Some(false);
        let entries = vec![
            entry(Some("2024-01-01T00:00:00Z"), None),
            entry(Some("2024-01-02T00:00:00Z"), None),
            failed,
        ];
        let mut newest = HashMap::new();
        assert_eq!(newest_per_user("p1", &entries, &mut newest), 2);
        assert_eq!(
            newest.get("dbuser:p1/admin/app").copied(),
            Utc.with_ymd_and_hms(2024, 1, 2, 0, 0, 0).single()
        );
    }

    #[test]
    fn no_data_is_never_dormant() {
        let now = Utc::now();
        assert_eq!(classify(None, now, 90), UsageStatus::NoData);
        assert_eq!(
            classify(Some(now - chrono::Duration::days(91)), now, 90),
            UsageStatus::Dormant
        );
        assert_eq!(
            classify(Some(now - chrono::Duration::days(89)), now, 90),
            UsageStatus::Active
        );
    }
}
