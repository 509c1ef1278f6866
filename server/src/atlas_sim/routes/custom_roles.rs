//! Custom database roles of a project. The list is a bare JSON array, not a paginated
//! envelope, exactly as the spec declares; creation answers 202.

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Call, body, target};
use crate::atlas_sim::error::{SimError, SimResult};
use crate::atlas_sim::model::CustomRole;
use crate::atlas_sim::views;

const DB_ADMINS: &[&str] = &["GROUP_DATABASE_ACCESS_ADMIN"];

fn view(role: &CustomRole) -> Value {
    json!({
        "roleName": role.role_name,
        "actions": role.actions,
        "inheritedRoles": role.inherited_roles,
    })
}

fn not_found(name: &str) -> SimError {
    SimError::new(
        StatusCode::NOT_FOUND,
        "ATLAS_CUSTOM_ROLE_NOT_FOUND",
        format!("The specified custom role {name} does not exist."),
    )
    .params(vec![json!(name)])
}

/// `GET /groups/{groupId}/customDBRoles/roles`: a bare array.
pub async fn list(call: Call, Path(group_id): Path<String>) -> SimResult<Response> {
    let world = call.state.read().await;
    call.caller.read_group(&world, &group_id)?;
    let roles: Vec<Value> = world
        .custom_roles
        .values()
        .filter(|r| r.group_id == group_id)
        .map(view)
        .collect();
    Ok(views::ok(call.version, Value::Array(roles)))
}

/// `GET /groups/{groupId}/customDBRoles/roles/{roleName}`.
pub async fn get_one(
    call: Call,
    Path((group_id, name)): Path<(String, String)>,
) -> SimResult<Response> {
    let world = call.state.read().await;
    call.caller.read_group(&world, &group_id)?;
    let role = world
        .custom_roles
        .get(&(group_id, name.clone()))
        .ok_or_else(|| not_found(&name))?;
    Ok(views::ok(call.version, view(role)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleBody {
    role_name: Option<String>,
    actions: Option<Value>,
    inherited_roles: Option<Value>,
}

/// `POST /groups/{groupId}/customDBRoles/roles`: 202.
pub async fn create(call: Call, Path(group_id): Path<String>, bytes: Bytes) -> SimResult<Response> {
    let request: RoleBody = body(&bytes)?;
    let mut world = call.state.write().await;
    let org_id = world.project(&group_id)?.org_id.clone();
    call.caller.write_group(&world, &group_id, DB_ADMINS)?;
    let name = request
        .role_name
        .filter(|n| !n.is_empty())
        .ok_or_else(|| SimError::validation("roleName is required."))?;
    let key = (group_id.clone(), name.clone());
    if world.custom_roles.contains_key(&key) {
        return Err(SimError::conflict(
            "DUPLICATE_DB_ROLE_NAME",
            format!("A custom role named {name} already exists."),
        ));
    }
    let role = CustomRole {
        group_id: group_id.clone(),
        role_name: name.clone(),
        actions: request.actions.unwrap_or_else(|| json!([])),
        inherited_roles: request.inherited_roles.unwrap_or_else(|| json!([])),
    };
    let out = view(&role);
    world.custom_roles.insert(key, role);
    call.record(
        &mut world,
        &org_id,
        Some(&group_id),
        "MONGODB_ROLE_ADDED",
        target(&[("roleName", json!(name))]),
    );
    Ok(views::reply(call.version, StatusCode::ACCEPTED, out))
}

/// `PATCH …/roles/{roleName}`: replaces the actions and inherited roles sent.
pub async fn update(
    call: Call,
    Path((group_id, name)): Path<(String, String)>,
    bytes: Bytes,
) -> SimResult<Response> {
    let request: RoleBody = body(&bytes)?;
    let mut world = call.state.write().await;
    let org_id = world.project(&group_id)?.org_id.clone();
    call.caller.write_group(&world, &group_id, DB_ADMINS)?;
    let role = world
        .custom_roles
        .get_mut(&(group_id.clone(), name.clone()))
        .ok_or_else(|| not_found(&name))?;
    if let Some(actions) = request.actions {
        role.actions = actions;
    }
    if let Some(inherited) = request.inherited_roles {
        role.inherited_roles = inherited;
    }
    let out = view(role);
    call.record(
        &mut world,
        &org_id,
        Some(&group_id),
        "MONGODB_ROLE_UPDATED",
        target(&[("roleName", json!(name))]),
    );
    Ok(views::ok(call.version, out))
}

/// `DELETE …/roles/{roleName}`: 204; refused while a database user holds the role.
pub async fn delete(
    call: Call,
    Path((group_id, name)): Path<(String, String)>,
) -> SimResult<Response> {
    let mut world = call.state.write().await;
    let org_id = world.project(&group_id)?.org_id.clone();
    call.caller.write_group(&world, &group_id, DB_ADMINS)?;
    let key = (group_id.clone(), name.clone());
    if !world.custom_roles.contains_key(&key) {
        return Err(not_found(&name));
    }
    let in_use = world
        .db_users
        .values()
        .any(|u| u.group_id == group_id && u.roles.iter().any(|r| r.role_name == name));
    if in_use {
        // Not confirmed: the code of this 409; a placeholder keeps clients from relying on it.
        return Err(SimError::conflict(
            "SIM_CUSTOM_ROLE_IN_USE",
            format!("Custom role {name} is still assigned to database users."),
        ));
    }
    world.custom_roles.remove(&key);
    call.record(
        &mut world,
        &org_id,
        Some(&group_id),
        "MONGODB_ROLE_DELETED",
        target(&[("roleName", json!(name))]),
    );
    Ok(views::no_content())
}
