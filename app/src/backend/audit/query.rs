//! Reading the audit log with filters and keyset paging.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use sqlx::PgPool;

use super::AuditError;
use crate::model::{AuditEventRow, AuditFilter, AuditPage};

/// Events per page on the audit page.
pub const PAGE_SIZE: i64 = 50;

/// An `audit_event` row as the list query selects it.
type EventRecord = (i64, DateTime<Utc>, String, String, String, String, Value);

/// One page of events matching `filter`, newest first.
pub async fn list_events(pool: &PgPool, filter: &AuditFilter) -> Result<AuditPage, AuditError> {
    let from = parse_bound("from", filter.from.as_deref())?;
    let until = parse_bound("until", filter.until.as_deref())?;
    let like = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(crate::backend::db::contains_pattern)
    };
    let rows: Vec<EventRecord> = sqlx::query_as(
        "SELECT seq, occurred_at, actor_label, action, object_kind, object_id, details \
         FROM audit_event \
         WHERE ($1::text IS NULL OR actor_label ILIKE $1) \
           AND ($2::text IS NULL OR action ILIKE $2) \
           AND ($3::text IS NULL OR object_kind || ':' || object_id ILIKE $3) \
           AND ($4::timestamptz IS NULL OR occurred_at >= $4) \
           AND ($5::timestamptz IS NULL OR occurred_at < $5) \
           AND ($6::bigint IS NULL OR seq < $6) \
         ORDER BY seq DESC LIMIT $7",
    )
    .bind(like(&filter.actor))
    .bind(like(&filter.action))
    .bind(like(&filter.object))
    .bind(from)
    .bind(until)
    .bind(filter.before_seq)
    .bind(PAGE_SIZE + 1)
    .fetch_all(pool)
    .await?;
    let has_more = rows.len() as i64 > PAGE_SIZE;
    let events: Vec<AuditEventRow> = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(
            |(seq, at, actor, action, kind, object_id, details)| AuditEventRow {
                seq,
                occurred_at: at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                actor,
                action,
                object_kind: kind,
                object_id,
                details: details.to_string(),
            },
        )
        .collect();
    let next_before_seq = if has_more {
        events.last().map(|e| e.seq)
    } else {
        None
    };
    Ok(AuditPage {
        events,
        next_before_seq,
    })
}

/// Accepts `YYYY-MM-DD` (midnight UTC) or a full RFC 3339 timestamp.
fn parse_bound(field: &str, value: Option<&str>) -> Result<Option<DateTime<Utc>>, AuditError> {
    let Some(text) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
        return Ok(Some(midnight.and_utc()));
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|_| {
            AuditError::InvalidFilter(format!(
                "'{field}' must be a date like 2026-12-31 or an RFC 3339 time, not '{text}'"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_accept_dates_and_timestamps() {
        let day = parse_bound("from", Some("2026-12-01")).expect("date parses");
        assert_eq!(
            day.map(|d| d.to_rfc3339()),
            Some("2026-12-01T00:00:00+00:00".into())
        );
        assert!(parse_bound("from", Some("2026-12-01T10:00:00Z")).is_ok());
        assert_eq!(parse_bound("from", Some("  ")).ok(), Some(None));
    }

    #[test]
    fn a_bad_bound_names_the_field_and_the_value() {
        let err = parse_bound("until", Some("yesterday")).expect_err("rejected");
        let text = err.to_string();
        assert!(
            text.contains("'until'") && text.contains("'yesterday'"),
            "{text}"
        );
    }
}
