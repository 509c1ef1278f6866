//! Programmatic API keys: org-level CRUD (deleting a key removes it from every project) and
//! project assignments (removing one leaves the key and its other projects alone).

use axum::body::Bytes;
use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::rules::{check_group_roles, check_org_roles, quirk_status};
use super::{Call, body, target};
use crate::atlas_sim::error::{SimError, SimResult};
use crate::atlas_sim::model::ApiKey;
use crate::atlas_sim::views;

#[derive(Debug, Deserialize)]
struct KeyBody {
    desc: Option<String>,
    roles: Option<Vec<String>>,
}

/// `GET /orgs/{orgId}/apiKeys`.
pub async fn list(call: Call, Path(org_id): Path<String>) -> SimResult<Response> {
    let world = call.state.read().await;
    world.org(&org_id)?;
    call.caller.read_org(&world, &org_id)?;
    let items = world
        .api_keys
        .values()
        .filter(|k| k.org_id == org_id)
        .map(|k| views::api_key(k, call.q.origin()))
        .collect();
    call.page(&world, items)
}

/// `GET /orgs/{orgId}/apiKeys/{apiUserId}`.
pub async fn get_one(
    call: Call,
    Path((org_id, id)): Path<(String, String)>,
) -> SimResult<Response> {
    let world = call.state.read().await;
    world.org(&org_id)?;
    call.caller.read_org(&world, &org_id)?;
    Ok(views::ok(
        call.version,
        views::api_key(world.api_key(&org_id, &id)?, call.q.origin()),
    ))
}

/// `POST /orgs/{orgId}/apiKeys`: 200, the only answer that shows the private key.
pub async fn create(call: Call, Path(org_id): Path<String>, bytes: Bytes) -> SimResult<Response> {
    let request: KeyBody = body(&bytes)?;
    let mut world = call.state.write().await;
    world.org(&org_id)?;
    call.caller.own_org(&world, &org_id)?;
    let roles = request
        .roles
        .filter(|r| !r.is_empty())
        .ok_or_else(|| SimError::validation("roles must not be empty."))?;
    check_org_roles(&roles)?;
    let id = world.next_id();
    let public_key = world.random_letters(8);
    let private_key = format!(
        "{}-{}-{}-{}-{}",
        world.random_hex(8),
        world.random_hex(4),
        world.random_hex(4),
        world.random_hex(4),
        world.random_hex(12)
    );
    let key = ApiKey {
        id: id.clone(),
        org_id: org_id.clone(),
        public_key: public_key.clone(),
        private_key: private_key.clone(),
        desc: request.desc.unwrap_or_default(),
        org_roles: roles,
        group_roles: Default::default(),
    };
    let mut view = views::api_key(&key, call.q.origin());
    view["privateKey"] = json!(private_key);
    world.api_keys.insert(id, key);
    call.record(
        &mut world,
        &org_id,
        None,
        "API_KEY_CREATED",
        target(&[("targetPublicKey", json!(public_key))]),
    );
    Ok(views::ok(call.version, view))
}

/// `PATCH /orgs/{orgId}/apiKeys/{apiUserId}`: description and org roles.
pub async fn update(
    call: Call,
    Path((org_id, id)): Path<(String, String)>,
    bytes: Bytes,
) -> SimResult<Response> {
    let request: KeyBody = body(&bytes)?;
    if request.desc.is_none() && request.roles.is_none() {
        return Err(SimError::validation("Send desc, roles or both."));
    }
    if let Some(roles) = &request.roles {
        if roles.is_empty() {
            return Err(SimError::validation("roles must not be empty."));
        }
        check_org_roles(roles)?;
    }
    let mut world = call.state.write().await;
    world.org(&org_id)?;
    call.caller.own_org(&world, &org_id)?;
    let key = world.api_key_mut(&org_id, &id)?;
    let event = if request.roles.is_some() {
        "API_KEY_ROLES_CHANGED"
    } else {
        "API_KEY_DESCRIPTION_CHANGED"
    };
    if let Some(desc) = request.desc {
        key.desc = desc;
    }
    if let Some(roles) = request.roles {
        key.org_roles = roles;
    }
    let view = views::api_key(key, call.q.origin());
    let public_key = key.public_key.clone();
    call.record(
        &mut world,
        &org_id,
        None,
        event,
        target(&[("targetPublicKey", json!(public_key))]),
    );
    Ok(views::ok(call.version, view))
}

/// `DELETE /orgs/{orgId}/apiKeys/{apiUserId}`: 204; the key leaves every project too.
pub async fn delete(call: Call, Path((org_id, id)): Path<(String, String)>) -> SimResult<Response> {
    let mut world = call.state.write().await;
    world.org(&org_id)?;
    call.caller.own_org(&world, &org_id)?;
    let public_key = world.api_key(&org_id, &id)?.public_key.clone();
    world.api_keys.remove(&id);
    call.record(
        &mut world,
        &org_id,
        None,
        "API_KEY_DELETED",
        target(&[("targetPublicKey", json!(public_key))]),
    );
    Ok(views::no_content())
}

/// `GET /groups/{groupId}/apiKeys`: the keys assigned to the project.
pub async fn list_on_group(call: Call, Path(group_id): Path<String>) -> SimResult<Response> {
    let world = call.state.read().await;
    call.caller.read_group(&world, &group_id)?;
    let items = world
        .api_keys
        .values()
        .filter(|k| k.group_roles.contains_key(&group_id))
        .map(|k| views::api_key(k, call.q.origin()))
        .collect();
    call.page(&world, items)
}

#[derive(Debug, Deserialize)]
struct Assignment {
    roles: Vec<String>,
}

/// `POST /groups/{groupId}/apiKeys/{apiUserId}`: assigns the key; 204.
pub async fn assign(
    call: Call,
    Path((group_id, id)): Path<(String, String)>,
    bytes: Bytes,
) -> SimResult<Response> {
    let request: Vec<Assignment> = body(&bytes)?;
    let roles: Vec<String> = request.into_iter().flat_map(|a| a.roles).collect();
    if roles.is_empty() {
        return Err(SimError::validation("roles must not be empty."));
    }
    check_group_roles(&roles)?;
    let mut world = call.state.write().await;
    let org_id = world.project(&group_id)?.org_id.clone();
    call.caller.write_group(&world, &group_id, &[])?;
    let status = quirk_status(world.config.quirks.api_key_already_in_group_status);
    let key = world.api_key_mut(&org_id, &id)?;
    if key.group_roles.contains_key(&group_id) {
        return Err(SimError::new(
            status,
            "API_KEY_ALREADY_IN_GROUP",
            format!("API key {id} is already in group {group_id}."),
        )
        .params(vec![json!(id), json!(group_id)]));
    }
    key.group_roles.insert(group_id.clone(), roles);
    let public_key = key.public_key.clone();
    call.record(
        &mut world,
        &org_id,
        Some(&group_id),
        "API_KEY_ADDED_TO_GROUP",
        target(&[("targetPublicKey", json!(public_key))]),
    );
    Ok(views::no_content())
}

/// `PATCH /groups/{groupId}/apiKeys/{apiUserId}`: roles not listed are removed.
pub async fn update_on_group(
    call: Call,
    Path((group_id, id)): Path<(String, String)>,
    bytes: Bytes,
) -> SimResult<Response> {
    let request: KeyBody = body(&bytes)?;
    let mut world = call.state.write().await;
    let org_id = world.project(&group_id)?.org_id.clone();
    call.caller
        .write_group(&world, &group_id, &["GROUP_ACCESS_MANAGER"])?;
    if let Some(roles) = &request.roles {
        if roles.is_empty() {
            return Err(SimError::validation("roles must not be empty."));
        }
        check_group_roles(roles)?;
    }
    let key = world.api_key_mut(&org_id, &id)?;
    if !key.group_roles.contains_key(&group_id) {
        return Err(SimError::not_found("API_KEY_NOT_FOUND", "API key", &id));
    }
    if let Some(desc) = request.desc {
        key.desc = desc;
    }
    if let Some(roles) = request.roles {
        key.group_roles.insert(group_id.clone(), roles);
    }
    let view = views::api_key(key, call.q.origin());
    let public_key = key.public_key.clone();
    call.record(
        &mut world,
        &org_id,
        Some(&group_id),
        "API_KEY_ROLES_CHANGED",
        target(&[("targetPublicKey", json!(public_key))]),
    );
    Ok(views::ok(call.version, view))
}

/// `DELETE /groups/{groupId}/apiKeys/{apiUserId}`: 204; the key itself stays in the org.
pub async fn unassign(
    call: Call,
    Path((group_id, id)): Path<(String, String)>,
) -> SimResult<Response> {
    let mut world = call.state.write().await;
    let org_id = world.project(&group_id)?.org_id.clone();
    call.caller
        .write_group(&world, &group_id, &["GROUP_ACCESS_MANAGER"])?;
    let key = world.api_key_mut(&org_id, &id)?;
    if key.group_roles.remove(&group_id).is_none() {
        return Err(SimError::not_found("API_KEY_NOT_FOUND", "API key", &id));
    }
    let public_key = key.public_key.clone();
    call.record(
        &mut world,
        &org_id,
        Some(&group_id),
        "API_KEY_REMOVED_FROM_GROUP",
        target(&[("targetPublicKey", json!(public_key))]),
    );
    Ok(views::no_content())
}
