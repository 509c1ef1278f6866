//! Granting and removing roles, never removing the last admin.

use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use super::AuthError;
use crate::backend::audit::{self, Actor, NewEvent};
use crate::model::{Role, UserRow, Viewer};

/// A user row with its aggregated role names, as `list_users` selects it.
type UserRecord = (
    Uuid,
    String,
    Option<String>,
    String,
    Vec<String>,
    Option<chrono::DateTime<chrono::Utc>>,
);

/// Every user with their roles, for the admin's user page.
pub async fn list_users(pool: &PgPool) -> Result<Vec<UserRow>, AuthError> {
    let rows: Vec<UserRecord> = sqlx::query_as(
        "SELECT u.id, u.display_name, u.email, u.issuer, \
                COALESCE(array_agg(r.role ORDER BY r.role) FILTER (WHERE r.role IS NOT NULL), '{}'), \
                u.last_sign_in \
         FROM app_user u LEFT JOIN user_role r ON r.user_id = u.id \
         GROUP BY u.id ORDER BY lower(u.display_name), u.id",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, display_name, email, issuer, roles, last)| UserRow {
            id,
            display_name,
            email,
            issuer,
            roles: roles.iter().filter_map(|r| Role::parse(r)).collect(),
            last_sign_in: last.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()),
        })
        .collect())
}

/// Grants `role` to `user_id`; granting a role the user already has changes nothing.
pub async fn grant_role(
    pool: &PgPool,
    by: &Viewer,
    user_id: Uuid,
    role: Role,
) -> Result<bool, AuthError> {
    let mut tx = pool.begin().await?;
    let label = user_label(&mut tx, user_id).await?;
    let inserted = sqlx::query(
        "INSERT INTO user_role (user_id, role, granted_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(user_id)
    .bind(role.as_str())
    .bind(by.user_id)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if inserted {
        audit::record(
            &mut tx,
            role_event(by, "role.granted", user_id, &label, role),
        )
        .await?;
    }
    tx.commit().await?;
    if inserted {
        tracing::info!(user.id = %user_id, role = role.as_str(), by = %by.user_id, "role granted");
    }
    Ok(inserted)
}

/// Removes `role` from `user_id`. Refuses to remove the last admin.
pub async fn revoke_role(
    pool: &PgPool,
    by: &Viewer,
    user_id: Uuid,
    role: Role,
) -> Result<bool, AuthError> {
    let mut tx = pool.begin().await?;
    let label = user_label(&mut tx, user_id).await?;
    if role == Role::Admin {
        // Lock every admin row so two admins removing each other at once cannot both succeed.
        let admins: Vec<(Uuid,)> =
            sqlx::query_as("SELECT user_id FROM user_role WHERE role = 'admin' FOR UPDATE")
                .fetch_all(&mut *tx)
                .await?;
        if admins.len() <= 1 && admins.iter().any(|(id,)| *id == user_id) {
            return Err(AuthError::LastAdmin(label));
        }
    }
    let removed = sqlx::query("DELETE FROM user_role WHERE user_id = $1 AND role = $2")
        .bind(user_id)
        .bind(role.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected()
        == 1;
    if removed {
        audit::record(
            &mut tx,
            role_event(by, "role.revoked", user_id, &label, role),
        )
        .await?;
    }
    tx.commit().await?;
    if removed {
        tracing::info!(user.id = %user_id, role = role.as_str(), by = %by.user_id, "role revoked");
    }
    Ok(removed)
}

async fn user_label(conn: &mut sqlx::PgConnection, user_id: Uuid) -> Result<String, AuthError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT display_name FROM app_user WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|(name,)| name)
        .ok_or(AuthError::UnknownUser(user_id))
}

fn role_event(
    by: &Viewer,
    action: &'static str,
    user_id: Uuid,
    label: &str,
    role: Role,
) -> NewEvent {
    NewEvent {
        actor: Actor::User {
            id: by.user_id,
            label: by.display_name.clone(),
        },
        action,
        object_kind: "user",
        object_id: user_id.to_string(),
        details: json!({"role": role.as_str(), "user": label}),
    }
}
