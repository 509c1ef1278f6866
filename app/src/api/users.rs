//! Admin-only management of users' roles.

use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::UserRow;

/// Every user with their roles. Admins only.
#[server(endpoint = "list_users")]
pub async fn list_users() -> Result<Vec<UserRow>, AppError> {
    use crate::backend::{AppContext, auth};
    auth::require_admin().await?;
    let ctx = AppContext::current()?;
    Ok(auth::roles::list_users(&ctx.pool).await?)
}

/// Grants or removes a role. Admins only; the last admin cannot be removed.
#[server(endpoint = "change_role")]
pub async fn change_role(user_id: Uuid, role: String, grant: bool) -> Result<(), AppError> {
    use crate::backend::{AppContext, auth};
    use crate::model::Role;
    let viewer = auth::require_admin().await?;
    let role = Role::parse(&role).ok_or_else(|| {
        crate::backend::respond::with_status(AppError::Invalid(format!(
            "'{role}' is not a role; use admin or auditor"
        )))
    })?;
    let ctx = AppContext::current()?;
    if grant {
        auth::roles::grant_role(&ctx.pool, &viewer, user_id, role).await?;
    } else {
        auth::roles::revoke_role(&ctx.pool, &viewer, user_id, role).await?;
    }
    Ok(())
}
