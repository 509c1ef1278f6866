//! Reading the directory: people with search and paging, and the import history.

use sqlx::PgPool;

use super::DirectoryError;
use crate::model::{DirectoryOverview, ImportChangeRow, ImportRow, PeoplePage, PersonRow};

/// People per page.
pub const PAGE_SIZE: i64 = 50;

/// People whose name, email, department or title contains `search`, by name.
pub async fn search_people(
    pool: &PgPool,
    search: &str,
    page: i64,
) -> Result<PeoplePage, DirectoryError> {
    let page = page.max(1);
    let pattern = crate::backend::db::contains_pattern(search);
    let filter = "(p.name ILIKE $1 OR p.email ILIKE $1 OR coalesce(p.department, '') ILIKE $1 \
                  OR coalesce(p.title, '') ILIKE $1)";
    let total: (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM person p WHERE {filter}"
    )))
    .bind(&pattern)
    .fetch_one(pool)
    .await?;
    type Row = (
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        Option<chrono::NaiveDate>,
        bool,
        bool,
    );
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT p.email, p.name, m.email, p.department, p.title, p.status, p.end_date, p.in_roster, \
                (p.status = 'leaver' OR coalesce(p.end_date <= current_date, false) OR NOT p.in_roster) \
         FROM person p LEFT JOIN person m ON m.id = p.manager_id \
         WHERE {filter} ORDER BY lower(p.name), p.email LIMIT $2 OFFSET $3"
    )))
    .bind(&pattern)
    .bind(PAGE_SIZE)
    .bind((page - 1) * PAGE_SIZE)
    .fetch_all(pool)
    .await?;
    Ok(PeoplePage {
        people: rows
            .into_iter()
            .map(
                |(
                    email,
                    name,
                    manager_email,
                    department,
                    title,
                    status,
                    end,
                    in_roster,
                    is_leaver,
                )| PersonRow {
                    email,
                    name,
                    manager_email,
                    department,
                    title,
                    status,
                    end_date: end.map(|d| d.to_string()),
                    in_roster,
                    is_leaver,
                },
            )
            .collect(),
        total: total.0,
        page,
        page_size: PAGE_SIZE,
    })
}

/// The import history and what the newest import changed.
pub async fn overview(pool: &PgPool) -> Result<DirectoryOverview, DirectoryError> {
    let imports: Vec<ImportRow> = super::list_imports(pool, 20)
        .await?
        .into_iter()
        .map(|s| ImportRow {
            id: s.id,
            file_name: s.file_name,
            file_sha256: s.file_sha256,
            people: s.people,
            added: s.added,
            changed: s.changed,
            removed: s.removed,
            imported_by: s.imported_by,
            imported_at: s.imported_at,
        })
        .collect();
    let (latest_changes, latest_changes_total) = match imports.first() {
        None => (Vec::new(), 0),
        Some(latest) => {
            let rows: Vec<(String, String, Vec<String>)> = sqlx::query_as(
                "SELECT c->>'email', c->>'change', \
                        ARRAY(SELECT jsonb_array_elements_text(c->'fields')) \
                 FROM directory_import i, jsonb_array_elements(i.changes) WITH ORDINALITY AS e(c, n) \
                 WHERE i.id = $1 ORDER BY n LIMIT 200",
            )
            .bind(latest.id)
            .fetch_all(pool)
            .await?;
            let total: (i64,) = sqlx::query_as(
                "SELECT jsonb_array_length(changes)::bigint FROM directory_import WHERE id = $1",
            )
            .bind(latest.id)
            .fetch_one(pool)
            .await?;
            (
                rows.into_iter()
                    .map(|(email, change, fields)| ImportChangeRow {
                        email,
                        change,
                        fields,
                    })
                    .collect(),
                total.0,
            )
        }
    };
    Ok(DirectoryOverview {
        imports,
        latest_changes,
        latest_changes_total,
    })
}
