//! Users: created or refreshed at sign-in, loaded for each request.

use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use super::AuthError;
use crate::backend::audit::{self, Actor, NewEvent};
use crate::model::{Role, Viewer};

/// What the identity provider (or demo sign-in) told us about the person signing in.
#[derive(Debug, Clone)]
pub struct SignInClaims {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub display_name: String,
}

/// Creates or refreshes the user for `(issuer, subject)` and records the sign-in.
///
/// `initial_roles` are granted only when the user is created: bootstrap admins from
/// configuration, or the role chosen in demo mode. Later changes go through the admin page.
pub async fn record_sign_in(
    pool: &PgPool,
    claims: &SignInClaims,
    initial_roles: &[Role],
) -> Result<Uuid, AuthError> {
    let mut tx = pool.begin().await?;
    let existing: Option<(Uuid, bool)> = sqlx::query_as(
        "SELECT id, disabled FROM app_user WHERE issuer = $1 AND subject = $2 FOR UPDATE",
    )
    .bind(&claims.issuer)
    .bind(&claims.subject)
    .fetch_optional(&mut *tx)
    .await?;
    let (user_id, created) = match existing {
        Some((_, true)) => return Err(AuthError::Disabled),
        Some((id, false)) => {
            sqlx::query(
                "UPDATE app_user SET email = $2, display_name = $3, last_sign_in = now() \
                 WHERE id = $1",
            )
            .bind(id)
            .bind(&claims.email)
            .bind(&claims.display_name)
            .execute(&mut *tx)
            .await?;
            (id, false)
        }
        None => {
            let id = Uuid::new_v4();
            sqlx::query(
                "INSERT INTO app_user (id, issuer, subject, email, display_name, last_sign_in) \
                 VALUES ($1, $2, $3, $4, $5, now())",
            )
            .bind(id)
            .bind(&claims.issuer)
            .bind(&claims.subject)
            .bind(&claims.email)
            .bind(&claims.display_name)
            .execute(&mut *tx)
            .await?;
            (id, true)
        }
    };
    let actor = Actor::User {
        id: user_id,
        label: claims.display_name.clone(),
    };
    if created {
        audit::record(
            &mut tx,
            NewEvent {
                actor: actor.clone(),
                action: "user.created",
                object_kind: "user",
                object_id: user_id.to_string(),
                details: json!({"issuer": claims.issuer, "subject": claims.subject, "email": claims.email}),
            },
        )
        .await?;
        for role in initial_roles {
            sqlx::query(
                "INSERT INTO user_role (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(user_id)
            .bind(role.as_str())
            .execute(&mut *tx)
            .await?;
            audit::record(
                &mut tx,
                NewEvent {
                    actor: Actor::System("bootstrap"),
                    action: "role.granted",
                    object_kind: "user",
                    object_id: user_id.to_string(),
                    details: json!({"role": role.as_str(), "reason": "initial role at first sign-in"}),
                },
            )
            .await?;
        }
    }
    audit::record(
        &mut tx,
        NewEvent {
            actor,
            action: "user.signed_in",
            object_kind: "user",
            object_id: user_id.to_string(),
            details: json!({"issuer": claims.issuer}),
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(user.id = %user_id, user.created = created, "user signed in");
    Ok(user_id)
}

/// Loads the viewer for a session's user id; `None` for an unknown or disabled user.
pub async fn load_viewer(pool: &PgPool, user_id: Uuid) -> Result<Option<Viewer>, AuthError> {
    let row: Option<(String, Option<String>, Vec<String>)> = sqlx::query_as(
        "SELECT u.display_name, u.email, \
                COALESCE(array_agg(r.role ORDER BY r.role) FILTER (WHERE r.role IS NOT NULL), '{}') \
         FROM app_user u LEFT JOIN user_role r ON r.user_id = u.id \
         WHERE u.id = $1 AND NOT u.disabled \
         GROUP BY u.id",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(display_name, email, roles)| Viewer {
        user_id,
        display_name,
        email,
        roles: roles.iter().filter_map(|r| Role::parse(r)).collect(),
    }))
}
