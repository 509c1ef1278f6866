//! The access inventory: explorer, leavers, person and project pages (admins and auditors),
//! and explicit identity mappings (admins change them, auditors read them).

use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::inventory::{
    InventoryFilter, InventoryPage, LeaverAccess, LeaverList, MappingRow, OrphanPage, PersonAccess,
    ProjectAccess,
};

/// One page of entitlements matching the filter, over the newest snapshot of every org.
#[server(endpoint = "search_inventory")]
pub async fn search_inventory(
    // An empty filter is sent as no fields at all, so a missing one is the empty one.
    #[server(default)] filter: InventoryFilter,
) -> Result<InventoryPage, AppError> {
    use crate::backend::{AppContext, auth, inventory};
    auth::require_reader().await?;
    let ctx = AppContext::current()?;
    Ok(inventory::search(&ctx.pool, &filter, inventory::search::PAGE_SIZE).await?)
}

/// How many leavers still hold access, and the first `limit` (at most 100) of them.
#[server(endpoint = "list_leavers")]
pub async fn list_leavers(limit: i64) -> Result<LeaverList, AppError> {
    use crate::backend::{AppContext, auth, inventory};
    auth::require_reader().await?;
    let ctx = AppContext::current()?;
    Ok(inventory::leavers_with_access(&ctx.pool, limit.clamp(1, 100)).await?)
}

/// Leavers with access, each with the first entitlements they still hold.
#[server(endpoint = "list_leaver_access")]
pub async fn list_leaver_access() -> Result<(LeaverList, Vec<LeaverAccess>), AppError> {
    use crate::backend::{AppContext, auth, inventory};
    auth::require_reader().await?;
    let ctx = AppContext::current()?;
    Ok(inventory::leavers::leavers_access(&ctx.pool, 100, 100).await?)
}

/// Everything one person can reach.
#[server(endpoint = "get_person_access")]
pub async fn get_person_access(person_id: Uuid, page: i64) -> Result<PersonAccess, AppError> {
    use crate::backend::{AppContext, auth, inventory};
    auth::require_reader().await?;
    let ctx = AppContext::current()?;
    Ok(inventory::person_access(&ctx.pool, person_id, page).await?)
}

/// Who can reach one project, and how.
#[server(endpoint = "get_project_access")]
pub async fn get_project_access(
    org_id: String,
    project_id: String,
    page: i64,
) -> Result<ProjectAccess, AppError> {
    use crate::backend::{AppContext, auth, inventory};
    auth::require_reader().await?;
    let ctx = AppContext::current()?;
    Ok(inventory::project_access(&ctx.pool, &org_id, &project_id, page).await?)
}

/// Linkable principals with no person, matching `search`.
#[server(endpoint = "list_orphans")]
pub async fn list_orphans(search: String, page: i64) -> Result<OrphanPage, AppError> {
    use crate::backend::{AppContext, auth, inventory};
    auth::require_reader().await?;
    let ctx = AppContext::current()?;
    Ok(inventory::list_orphans(&ctx.pool, &search, page).await?)
}

/// Every explicit mapping.
#[server(endpoint = "list_identity_mappings")]
pub async fn list_identity_mappings() -> Result<Vec<MappingRow>, AppError> {
    use crate::backend::{AppContext, auth, identity};
    auth::require_reader().await?;
    let ctx = AppContext::current()?;
    Ok(identity::list_mappings(&ctx.pool).await?)
}

/// Maps a principal to the person with `person_email`, who holds or owns it (`relation`;
/// empty for the kind's usual one). Admins only.
#[server(endpoint = "map_principal")]
pub async fn map_principal(
    org_id: String,
    principal_key: String,
    person_email: String,
    #[server(default)] relation: String,
) -> Result<(), AppError> {
    use crate::backend::{AppContext, auth, identity};
    let viewer = auth::require_admin().await?;
    let relation = parse_relation(&relation)?;
    let ctx = AppContext::current()?;
    identity::map_principal(
        &ctx.pool,
        crate::backend::audit::Actor::User {
            id: viewer.user_id,
            label: viewer.display_name.clone(),
        },
        identity::MappingRequest {
            org_id: &org_id,
            principal_key: &principal_key,
            person_email: &person_email,
            relation,
        },
    )
    .await?;
    Ok(())
}

/// Removes one explicit mapping (holder or owner) of a principal. Admins only.
#[server(endpoint = "unmap_principal")]
pub async fn unmap_principal(
    org_id: String,
    principal_key: String,
    relation: String,
) -> Result<(), AppError> {
    use crate::backend::{AppContext, auth, identity};
    let viewer = auth::require_admin().await?;
    let Some(relation) = parse_relation(&relation)? else {
        return Err(crate::backend::respond::with_status(AppError::Invalid(
            "Relation: say which mapping to remove, holder or owner.".into(),
        )));
    };
    let ctx = AppContext::current()?;
    identity::unmap_principal(
        &ctx.pool,
        crate::backend::audit::Actor::User {
            id: viewer.user_id,
            label: viewer.display_name.clone(),
        },
        &org_id,
        &principal_key,
        relation,
    )
    .await?;
    Ok(())
}

/// Changes the owner-label key and the dormancy threshold. Admins only.
#[server(endpoint = "update_inventory_settings")]
pub async fn update_inventory_settings(
    owner_label_key: String,
    dormant_days: i32,
) -> Result<(), AppError> {
    use crate::backend::{AppContext, auth, identity};
    let viewer = auth::require_admin().await?;
    let ctx = AppContext::current()?;
    identity::update_settings(
        &ctx.pool,
        crate::backend::audit::Actor::User {
            id: viewer.user_id,
            label: viewer.display_name.clone(),
        },
        &owner_label_key,
        dormant_days,
    )
    .await?;
    Ok(())
}

/// A submitted relation: empty is none, anything but holder or owner is refused.
#[cfg(feature = "ssr")]
fn parse_relation(value: &str) -> Result<Option<crate::backend::identity::Relation>, AppError> {
    use crate::backend::identity::Relation;
    if value.trim().is_empty() {
        return Ok(None);
    }
    Relation::parse(value).map(Some).ok_or_else(|| {
        crate::backend::respond::with_status(AppError::Invalid(format!(
            "Relation: {value:?} is not a relation; use holder or owner."
        )))
    })
}
