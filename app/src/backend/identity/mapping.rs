//! Explicit mappings: an admin states which person holds or owns a principal. Each change writes
//! its audit event and relinks the org's newest snapshot in the same transaction.

use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::links::{latest_complete_snapshots, refresh_latest_links};
use super::{IdentityError, LINKABLE_KINDS, Relation};
use crate::backend::audit::{self, Actor, NewEvent};
use crate::model::inventory::{MappingRow, kind_label};

/// What an admin submitted: the person with this email holds or owns this principal of this
/// org. Without a relation, the kind's first allowed one is used (see [`Relation::allowed_for`]).
#[derive(Debug, Clone, Copy)]
pub struct MappingRequest<'a> {
    pub org_id: &'a str,
    pub principal_key: &'a str,
    pub person_email: &'a str,
    pub relation: Option<Relation>,
}

/// The principal as the org's newest snapshot has it.
struct Principal {
    kind: String,
    name: String,
}

async fn principal_in_latest(
    conn: &mut PgConnection,
    org_id: &str,
    principal_key: &str,
) -> Result<Principal, IdentityError> {
    if principal_key.trim().is_empty() {
        return Err(IdentityError::Invalid(
            "Principal: choose the principal to map.".into(),
        ));
    }
    let Some((snapshot_id, _)) = latest_complete_snapshots(&mut *conn, Some(org_id))
        .await?
        .into_iter()
        .next()
    else {
        return Err(IdentityError::Invalid(format!(
            "Organization: {org_id:?} has no complete snapshot, so it has no principals to map."
        )));
    };
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT kind, display_name FROM principal WHERE snapshot_id = $1 AND key = $2",
    )
    .bind(snapshot_id)
    .bind(principal_key)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((kind, name)) = row else {
        return Err(IdentityError::Invalid(format!(
            "Principal: {principal_key:?} is not in the newest snapshot of organization {org_id}."
        )));
    };
    if !LINKABLE_KINDS.contains(&kind.as_str()) {
        return Err(IdentityError::Invalid(format!(
            "Principal: {name} is a {}; teams and IdP groups are not mapped to a person, \
             their members are.",
            kind_label(&kind).to_lowercase()
        )));
    }
    Ok(Principal { kind, name })
}

/// Maps a principal to a person. Mapping it again to the same person changes nothing; mapping
/// it to someone else is refused until the existing mapping is removed.
pub async fn map_principal(
    pool: &PgPool,
    actor: Actor,
    request: MappingRequest<'_>,
) -> Result<bool, IdentityError> {
    let email = request.person_email.trim().to_lowercase();
    if email.is_empty() {
        return Err(IdentityError::Invalid(
            "Person: enter the email of the person this principal belongs to.".into(),
        ));
    }
    let mut tx = pool.begin().await?;
    let principal = principal_in_latest(&mut tx, request.org_id, request.principal_key).await?;
    let allowed = Relation::allowed_for(&principal.kind);
    let relation = match request.relation {
        Some(relation) if allowed.contains(&relation) => relation,
        Some(relation) => {
            return Err(IdentityError::Invalid(format!(
                "Relation: a {} cannot have a {}; it can only have {}.",
                kind_label(&principal.kind).to_lowercase(),
                relation.as_str(),
                allowed
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(" or ")
            )));
        }
        None => *allowed
            .first()
            .expect("principal_in_latest admits only linkable kinds, which all allow one"),
    };
    let person: Option<(Uuid, String)> =
        sqlx::query_as("SELECT id, name FROM person WHERE email = $1")
            .bind(&email)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((person_id, person_name)) = person else {
        return Err(IdentityError::Invalid(format!(
            "Person: nobody with the email {email:?} is in the people directory."
        )));
    };
    let existing: Option<(Uuid, String)> = sqlx::query_as(
        "SELECT m.person_id, pe.email FROM identity_mapping m JOIN person pe ON pe.id = m.person_id \
         WHERE m.org_id = $1 AND m.principal_key = $2 AND m.relation = $3 FOR UPDATE OF m",
    )
    .bind(request.org_id)
    .bind(request.principal_key)
    .bind(relation.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    match existing {
        Some((id, _)) if id == person_id => return Ok(false),
        Some((_, other)) => {
            return Err(IdentityError::Conflict(format!(
                "{} already has {other} as its {}; remove that mapping first.",
                principal.name,
                relation.as_str()
            )));
        }
        None => {}
    }
    sqlx::query(
        "INSERT INTO identity_mapping \
             (org_id, principal_key, relation, person_id, mapped_by, mapped_by_label) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(request.org_id)
    .bind(request.principal_key)
    .bind(relation.as_str())
    .bind(person_id)
    .bind(actor.user_id())
    .bind(actor.label())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        NewEvent {
            actor,
            action: "identity.mapped",
            object_kind: "principal",
            object_id: format!("{}/{}", request.org_id, request.principal_key),
            details: json!({
                "org_id": request.org_id, "principal_key": request.principal_key,
                "principal": principal.name, "kind": principal.kind,
                "relation": relation.as_str(), "person_email": email, "person": person_name,
            }),
        },
    )
    .await?;
    refresh_latest_links(&mut tx, Some(request.org_id)).await?;
    tx.commit().await?;
    tracing::info!(
        atlas.org_id = request.org_id, principal.key = request.principal_key,
        person.id = %person_id, relation = relation.as_str(), "principal mapped to a person"
    );
    Ok(true)
}

/// Removes one explicit mapping of a principal; that relation falls back to what inference
/// finds.
pub async fn unmap_principal(
    pool: &PgPool,
    actor: Actor,
    org_id: &str,
    principal_key: &str,
    relation: Relation,
) -> Result<(), IdentityError> {
    let mut tx = pool.begin().await?;
    let removed: Option<(Uuid, String)> = sqlx::query_as(
        "DELETE FROM identity_mapping m USING person pe \
         WHERE pe.id = m.person_id AND m.org_id = $1 AND m.principal_key = $2 \
           AND m.relation = $3 \
         RETURNING m.person_id, pe.email",
    )
    .bind(org_id)
    .bind(principal_key)
    .bind(relation.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((person_id, email)) = removed else {
        return Err(IdentityError::NotFound(format!(
            "A {} mapping of {principal_key:?} in organization {org_id:?}",
            relation.as_str()
        )));
    };
    audit::record(
        &mut tx,
        NewEvent {
            actor,
            action: "identity.unmapped",
            object_kind: "principal",
            object_id: format!("{org_id}/{principal_key}"),
            details: json!({
                "org_id": org_id, "principal_key": principal_key,
                "relation": relation.as_str(), "person_email": email,
            }),
        },
    )
    .await?;
    refresh_latest_links(&mut tx, Some(org_id)).await?;
    tx.commit().await?;
    tracing::info!(
        atlas.org_id = org_id, principal.key = principal_key, person.id = %person_id,
        "explicit mapping removed"
    );
    Ok(())
}

#[derive(sqlx::FromRow)]
struct MappingRecord {
    org_id: String,
    principal_key: String,
    relation: String,
    principal_name: Option<String>,
    kind: Option<String>,
    person_id: Uuid,
    person_email: String,
    person_name: String,
    mapped_by_label: String,
    mapped_at: chrono::DateTime<chrono::Utc>,
}

/// Every explicit mapping, newest first, with the principal as the newest snapshot has it.
pub async fn list_mappings(pool: &PgPool) -> Result<Vec<MappingRow>, IdentityError> {
    let rows: Vec<MappingRecord> = sqlx::query_as(
        "WITH latest AS (SELECT DISTINCT ON (org_id) id, org_id FROM snapshot \
                         WHERE status = 'complete' ORDER BY org_id, finished_at DESC, id) \
         SELECT m.org_id, m.principal_key, m.relation, p.display_name AS principal_name, p.kind, \
                m.person_id, pe.email AS person_email, pe.name AS person_name, \
                m.mapped_by_label, m.mapped_at \
         FROM identity_mapping m \
         JOIN person pe ON pe.id = m.person_id \
         LEFT JOIN latest ON latest.org_id = m.org_id \
         LEFT JOIN principal p ON p.snapshot_id = latest.id AND p.key = m.principal_key \
         ORDER BY m.mapped_at DESC, m.principal_key",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| MappingRow {
            org_id: r.org_id,
            principal_key: r.principal_key,
            relation: r.relation,
            principal_name: r.principal_name,
            kind: r.kind,
            person_id: r.person_id,
            person_email: r.person_email,
            person_name: r.person_name,
            mapped_by: r.mapped_by_label,
            mapped_at: r.mapped_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        })
        .collect())
}
