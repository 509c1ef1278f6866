//! Leavers who still hold access: people with status leaver, an end date passed, or gone from
//! the roster, linked to a principal that holds any entitlement in the newest complete snapshot
//! of any org.

use chrono::NaiveDate;
use sqlx::PgPool;
use uuid::Uuid;

use super::InventoryError;
use super::query::{IS_LEAVER, Scope, ValidFilter};
use super::search::search_in;
use crate::model::inventory::{LeaverAccess, LeaverList, LeaverRow};

#[derive(sqlx::FromRow)]
struct LeaverRecord {
    id: Uuid,
    name: String,
    email: String,
    status: String,
    end_date: Option<NaiveDate>,
    in_roster: bool,
    principals: i64,
    entitlements: i64,
    admin_entitlements: i64,
}

fn reason(record: &LeaverRecord) -> String {
    let today = chrono::Utc::now().date_naive();
    let mut reasons = Vec::new();
    if record.status == "leaver" {
        reasons.push("status leaver".to_owned());
    }
    if let Some(end) = record.end_date
        && end <= today
    {
        reasons.push(format!("end date {end}"));
    }
    if !record.in_roster {
        reasons.push("no longer in the roster".to_owned());
    }
    reasons.join(", ")
}

/// Link `l` is of the person behind its principal: the holder, or the owner when nobody holds
/// it. A leaver who owned a credential someone else still holds is that holder's concern.
const BEHIND: &str = "(l.relation = 'holder' OR NOT EXISTS (SELECT 1 FROM identity_link h \
                      WHERE h.snapshot_id = l.snapshot_id AND h.principal_key = l.principal_key \
                        AND h.relation = 'holder'))";

/// How many leavers hold access, and the first `limit` of them: most admin-tier entitlements
/// first, then most entitlements, then by name.
pub async fn leavers_with_access(pool: &PgPool, limit: i64) -> Result<LeaverList, InventoryError> {
    let mut conn = pool.acquire().await?;
    let scope = Scope::current(&mut conn).await?;
    let has_snapshot = !scope.snapshots.is_empty();
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(DISTINCT pe.id) FROM identity_link l \
         JOIN person pe ON pe.id = l.person_id \
         WHERE l.snapshot_id = ANY($1) AND {IS_LEAVER} AND {BEHIND} \
           AND EXISTS (SELECT 1 FROM entitlement e WHERE e.snapshot_id = l.snapshot_id \
                                                    AND e.principal_key = l.principal_key)"
    )))
    .bind(&scope.snapshots)
    .fetch_one(&mut *conn)
    .await?;
    let records: Vec<LeaverRecord> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT pe.id, pe.name, pe.email, pe.status, pe.end_date, pe.in_roster, \
                count(DISTINCT l.snapshot_id::text || l.principal_key) AS principals, \
                count(*) AS entitlements, \
                count(*) FILTER (WHERE e.tier = 'admin') AS admin_entitlements \
         FROM identity_link l \
         JOIN person pe ON pe.id = l.person_id \
         JOIN entitlement e ON e.snapshot_id = l.snapshot_id AND e.principal_key = l.principal_key \
         WHERE l.snapshot_id = ANY($1) AND {IS_LEAVER} AND {BEHIND} \
         GROUP BY pe.id \
         ORDER BY admin_entitlements DESC, entitlements DESC, pe.name, pe.email \
         LIMIT $2"
    )))
    .bind(&scope.snapshots)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    Ok(LeaverList {
        total,
        leavers: records
            .into_iter()
            .map(|r| LeaverRow {
                reason: reason(&r),
                person_id: r.id,
                name: r.name,
                email: r.email,
                principals: r.principals,
                entitlements: r.entitlements,
                admin_entitlements: r.admin_entitlements,
            })
            .collect(),
        has_snapshot,
    })
}

/// The first `people` leavers with access, each with up to `rows_each` of their entitlements.
pub async fn leavers_access(
    pool: &PgPool,
    people: i64,
    rows_each: i64,
) -> Result<(LeaverList, Vec<LeaverAccess>), InventoryError> {
    let list = leavers_with_access(pool, people).await?;
    let mut conn = pool.acquire().await?;
    let scope = Scope::current(&mut conn).await?;
    let mut access = Vec::with_capacity(list.leavers.len());
    for leaver in &list.leavers {
        let filter = ValidFilter {
            person_id: Some(leaver.person_id),
            page: 1,
            ..ValidFilter::default()
        };
        access.push(LeaverAccess {
            leaver: leaver.clone(),
            access: search_in(&mut conn, &filter, &scope, rows_each).await?,
        });
    }
    Ok((list, access))
}
