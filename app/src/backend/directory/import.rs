//! Storing a validated roster in one transaction, with set-based SQL, and recording what
//! changed since the previous import.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

use super::DirectoryError;
use super::roster::{RosterError, RosterPerson, parse_roster};
use crate::backend::audit::{self, Actor, NewEvent};

/// Serializes imports so two admins cannot interleave them. ("ATTESTDI")
const IMPORT_LOCK: i64 = 0x4154_5445_5354_4449;

/// The result of an import attempt.
#[derive(Debug)]
pub enum ImportOutcome {
    /// The roster was stored.
    Imported(ImportSummary),
    /// The roster had errors; nothing was changed.
    Rejected(Vec<RosterError>),
}

/// What one import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub id: Uuid,
    pub file_name: String,
    pub file_sha256: String,
    pub people: i32,
    pub added: i32,
    pub changed: i32,
    pub removed: i32,
    pub imported_by: String,
    pub imported_at: String,
}

/// One person's change since the previous import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonChange {
    pub email: String,
    /// `added`, `changed` or `removed`.
    pub change: &'static str,
    /// For `changed`: the fields that differ.
    pub fields: Vec<&'static str>,
}

/// Validates `bytes` as a roster and, if it is valid, makes the directory equal to it.
pub async fn import_roster(
    pool: &PgPool,
    actor: Actor,
    file_name: &str,
    bytes: &[u8],
) -> Result<ImportOutcome, DirectoryError> {
    let people = match parse_roster(bytes) {
        Ok(people) => people,
        Err(errors) => {
            tracing::info!(file = file_name, errors = errors.len(), "roster rejected");
            return Ok(ImportOutcome::Rejected(errors));
        }
    };
    let file_sha256 = hex::encode(Sha256::digest(bytes));
    let import_id = Uuid::new_v4();
    let (actor_id, actor_label) = (actor.user_id(), actor.label());

    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(IMPORT_LOCK)
        .execute(&mut *tx)
        .await?;
    let current = load_current(&mut tx).await?;
    let changes = diff(&current, &people);
    let count = |kind: &str| changes.iter().filter(|c| c.change == kind).count() as i32;
    let (added, changed, removed) = (count("added"), count("changed"), count("removed"));

    sqlx::query(
        "INSERT INTO directory_import (id, file_name, file_sha256, people_count, added, changed, \
         removed, imported_by, imported_by_label, changes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(import_id)
    .bind(file_name)
    .bind(&file_sha256)
    .bind(people.len() as i32)
    .bind(added)
    .bind(changed)
    .bind(removed)
    .bind(actor_id)
    .bind(&actor_label)
    .bind(serde_json::to_value(&changes).expect("a list of plain structs serializes"))
    .execute(&mut *tx)
    .await?;
    upsert_people(&mut tx, import_id, &people).await?;
    // People changed, so who is behind each principal may have too.
    crate::backend::identity::refresh_latest_links(&mut tx, None).await?;
    audit::record(
        &mut tx,
        NewEvent {
            actor,
            action: "directory.imported",
            object_kind: "directory_import",
            object_id: import_id.to_string(),
            details: json!({
                "file": file_name, "sha256": file_sha256, "people": people.len(),
                "added": added, "changed": changed, "removed": removed,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        directory.import_id = %import_id, people = people.len(), added, changed, removed,
        "roster imported"
    );
    Ok(ImportOutcome::Imported(ImportSummary {
        id: import_id,
        file_name: file_name.to_owned(),
        file_sha256,
        people: people.len() as i32,
        added,
        changed,
        removed,
        imported_by: actor_label,
        imported_at: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
    }))
}

/// A person as stored, in the roster's terms, for diffing.
#[derive(Debug, sqlx::FromRow)]
struct Stored {
    email: String,
    name: String,
    manager_email: Option<String>,
    department: Option<String>,
    title: Option<String>,
    status: String,
    end_date: Option<NaiveDate>,
    employee_id: Option<String>,
}

async fn load_current(
    conn: &mut sqlx::PgConnection,
) -> Result<HashMap<String, Stored>, DirectoryError> {
    let rows: Vec<Stored> = sqlx::query_as(
        "SELECT p.email, p.name, m.email AS manager_email, p.department, p.title, p.status, \
                p.end_date, p.employee_id \
         FROM person p LEFT JOIN person m ON m.id = p.manager_id WHERE p.in_roster",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.email.clone(), row))
        .collect())
}

/// Changes from the directory as stored to the roster, in email order.
fn diff(current: &HashMap<String, Stored>, roster: &[RosterPerson]) -> Vec<PersonChange> {
    let mut changes = Vec::new();
    for person in roster {
        match current.get(&person.email) {
            None => changes.push(PersonChange {
                email: person.email.clone(),
                change: "added",
                fields: vec![],
            }),
            Some(stored) => {
                let mut fields = Vec::new();
                let mut check = |differs: bool, field: &'static str| {
                    if differs {
                        fields.push(field);
                    }
                };
                check(stored.name != person.name, "name");
                check(
                    stored.manager_email != person.manager_email,
                    "manager email",
                );
                check(stored.department != person.department, "department");
                check(stored.title != person.title, "title");
                check(stored.status != person.status.as_str(), "employment status");
                check(stored.end_date != person.end_date, "end date");
                check(stored.employee_id != person.employee_id, "employee id");
                if !fields.is_empty() {
                    changes.push(PersonChange {
                        email: person.email.clone(),
                        change: "changed",
                        fields,
                    });
                }
            }
        }
    }
    let in_roster: std::collections::HashSet<&str> =
        roster.iter().map(|p| p.email.as_str()).collect();
    for email in current.keys().filter(|e| !in_roster.contains(e.as_str())) {
        changes.push(PersonChange {
            email: email.clone(),
            change: "removed",
            fields: vec![],
        });
    }
    changes.sort_by(|a, b| a.email.cmp(&b.email));
    changes
}

/// Writes every person with three statements, whatever the roster's size.
async fn upsert_people(
    conn: &mut sqlx::PgConnection,
    import_id: Uuid,
    people: &[RosterPerson],
) -> Result<(), DirectoryError> {
    let ids: Vec<Uuid> = people.iter().map(|_| Uuid::new_v4()).collect();
    let emails: Vec<&str> = people.iter().map(|p| p.email.as_str()).collect();
    let names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
    let departments: Vec<Option<&str>> = people.iter().map(|p| p.department.as_deref()).collect();
    let titles: Vec<Option<&str>> = people.iter().map(|p| p.title.as_deref()).collect();
    let statuses: Vec<&str> = people.iter().map(|p| p.status.as_str()).collect();
    let end_dates: Vec<Option<NaiveDate>> = people.iter().map(|p| p.end_date).collect();
    let employee_ids: Vec<Option<&str>> = people.iter().map(|p| p.employee_id.as_deref()).collect();
    let managers: Vec<Option<&str>> = people.iter().map(|p| p.manager_email.as_deref()).collect();

    sqlx::query(
        "INSERT INTO person (id, email, name, department, title, status, end_date, employee_id, \
                             in_roster, first_import_id, last_import_id, updated_at) \
         SELECT r.id, r.email, r.name, r.department, r.title, r.status, r.end_date, r.employee_id, \
                true, $9, $9, now() \
         FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], \
                     $7::date[], $8::text[]) \
              AS r(id, email, name, department, title, status, end_date, employee_id) \
         ON CONFLICT (email) DO UPDATE SET \
             name = EXCLUDED.name, department = EXCLUDED.department, title = EXCLUDED.title, \
             status = EXCLUDED.status, end_date = EXCLUDED.end_date, \
             employee_id = EXCLUDED.employee_id, in_roster = true, \
             last_import_id = EXCLUDED.last_import_id, updated_at = now()",
    )
    .bind(&ids)
    .bind(&emails)
    .bind(&names)
    .bind(&departments)
    .bind(&titles)
    .bind(&statuses)
    .bind(&end_dates)
    .bind(&employee_ids)
    .bind(import_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE person p SET manager_id = m.id \
         FROM UNNEST($1::text[], $2::text[]) AS r(email, manager_email) \
         LEFT JOIN person m ON m.email = r.manager_email \
         WHERE p.email = r.email AND p.manager_id IS DISTINCT FROM m.id",
    )
    .bind(&emails)
    .bind(&managers)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE person SET in_roster = false, manager_id = NULL, last_import_id = $2, updated_at = now() \
         WHERE in_roster AND NOT (email = ANY($1::text[]))",
    )
    .bind(&emails)
    .bind(import_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
struct ImportRecord {
    id: Uuid,
    file_name: String,
    file_sha256: String,
    people_count: i32,
    added: i32,
    changed: i32,
    removed: i32,
    imported_by_label: String,
    imported_at: chrono::DateTime<chrono::Utc>,
}

/// Past imports, newest first.
pub async fn list_imports(pool: &PgPool, limit: i64) -> Result<Vec<ImportSummary>, DirectoryError> {
    let rows: Vec<ImportRecord> = sqlx::query_as(
        "SELECT id, file_name, file_sha256, people_count, added, changed, removed, \
                imported_by_label, imported_at \
         FROM directory_import ORDER BY imported_at DESC, id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ImportSummary {
            id: r.id,
            file_name: r.file_name,
            file_sha256: r.file_sha256,
            people: r.people_count,
            added: r.added,
            changed: r.changed,
            removed: r.removed,
            imported_by: r.imported_by_label,
            imported_at: r.imported_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        })
        .collect())
}
