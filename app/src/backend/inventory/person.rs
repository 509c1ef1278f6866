//! Everything one person can reach: the principals linked to them in the newest snapshots
//! (Atlas users, database users, API keys, service accounts), how each link was made, when
//! each was last used, and every entitlement those principals hold.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::InventoryError;
use super::query::{Scope, ValidFilter};
use super::row::is_dormant;
use super::search::search_in;
use super::usage;
use crate::model::inventory::{LinkedPrincipal, PersonAccess, PersonSummary};

/// Entitlements per page on the person page.
pub const PERSON_PAGE_SIZE: i64 = 100;

type PersonRecord = (
    Uuid,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<NaiveDate>,
    bool,
    bool,
);

#[derive(sqlx::FromRow)]
struct LinkRecord {
    org_id: String,
    key: String,
    kind: String,
    display_name: String,
    username: Option<String>,
    auth_type: Option<String>,
    relation: String,
    method: String,
    matched_on: Option<String>,
    mapped_at: Option<DateTime<Utc>>,
    last_used: Option<DateTime<Utc>>,
    entitlements: i64,
}

/// The person page's data, entitlements paged by `page` (1-based).
pub async fn person_access(
    pool: &PgPool,
    person_id: Uuid,
    page: i64,
) -> Result<PersonAccess, InventoryError> {
    let filter = ValidFilter {
        person_id: Some(person_id),
        page: page.max(1),
        ..ValidFilter::default()
    };
    let mut conn = pool.acquire().await?;
    let person: Option<PersonRecord> = sqlx::query_as(
        "SELECT p.id, p.email, p.name, p.department, p.title, m.email, p.status, p.end_date, \
                p.in_roster, \
                (p.status = 'leaver' OR coalesce(p.end_date <= current_date, false) OR NOT p.in_roster) \
         FROM person p LEFT JOIN person m ON m.id = p.manager_id WHERE p.id = $1",
    )
    .bind(person_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id, email, name, department, title, manager_email, status, end, in_roster, leaver)) =
        person
    else {
        return Err(InventoryError::NotFound("That person".into()));
    };
    let scope = Scope::current(&mut conn).await?;
    let links: Vec<LinkRecord> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT s.org_id, p.key, p.kind, p.display_name, p.username, p.auth_type, l.relation, l.method, \
                l.matched_on, m.mapped_at, {last_used} AS last_used, \
                (SELECT count(*) FROM entitlement e \
                 WHERE e.snapshot_id = p.snapshot_id AND e.principal_key = p.key) AS entitlements \
         FROM identity_link l \
         JOIN principal p ON p.snapshot_id = l.snapshot_id AND p.key = l.principal_key \
         JOIN snapshot s ON s.id = l.snapshot_id \
         LEFT JOIN identity_mapping m ON l.method = 'explicit_mapping' \
              AND m.org_id = s.org_id AND m.principal_key = l.principal_key \
              AND m.relation = l.relation \
         {join} \
         WHERE l.snapshot_id = ANY($1) AND l.person_id = $2 \
         ORDER BY p.kind, p.display_name, p.key, l.relation",
        last_used = usage::LAST_USED,
        join = usage::join("s.org_id", "p.key"),
    )))
    .bind(&scope.snapshots)
    .bind(person_id)
    .fetch_all(&mut *conn)
    .await?;
    let entitlements = search_in(&mut conn, &filter, &scope, PERSON_PAGE_SIZE).await?;
    Ok(PersonAccess {
        person: PersonSummary {
            id,
            email,
            name,
            department,
            title,
            manager_email,
            status,
            end_date: end.map(|d| d.to_string()),
            in_roster,
            is_leaver: leaver,
        },
        principals: links
            .into_iter()
            .map(|l| LinkedPrincipal {
                org_id: l.org_id,
                principal_key: l.key,
                kind: l.kind,
                name: l.display_name,
                username: l.username,
                auth_type: l.auth_type,
                relation: l.relation,
                link_method: l.method,
                matched_on: l.matched_on,
                mapped_at: l
                    .mapped_at
                    .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()),
                last_used: l.last_used.map(|t| t.format("%Y-%m-%d").to_string()),
                dormant: is_dormant(l.last_used, scope.dormant_days),
                entitlements: l.entitlements,
            })
            .collect(),
        entitlements,
    })
}
