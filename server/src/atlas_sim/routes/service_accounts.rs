//! Org service accounts and their project assignments (version 2024-08-05). Removing an
//! account from a project leaves its credentials working; deleting it ends its tokens too.

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Duration;
use serde::Deserialize;
use serde_json::{Value, json};

use super::rules::{check_group_roles, check_org_roles};
use super::{Call, body, split_action, target};
use crate::atlas_sim::error::{SimError, SimResult};
use crate::atlas_sim::model::{Secret, ServiceAccount};
use crate::atlas_sim::views;

/// `GET /orgs/{orgId}/serviceAccounts`.
pub async fn list(call: Call, Path(org_id): Path<String>) -> SimResult<Response> {
    let world = call.state.read().await;
    world.org(&org_id)?;
    call.caller.read_org(&world, &org_id)?;
    let items = world
        .service_accounts
        .values()
        .filter(|a| a.org_id == org_id)
        .map(|a| views::service_account(a, None))
        .collect();
    call.page(&world, items)
}

/// `GET /orgs/{orgId}/serviceAccounts/{clientId}`.
pub async fn get_one(
    call: Call,
    Path((org_id, client_id)): Path<(String, String)>,
) -> SimResult<Response> {
    let world = call.state.read().await;
    world.org(&org_id)?;
    call.caller.read_org(&world, &org_id)?;
    Ok(views::ok(
        call.version,
        views::service_account(world.service_account(&org_id, &client_id)?, None),
    ))
}

/// `GET /orgs/{orgId}/serviceAccounts/{clientId}/groups`.
pub async fn groups_of(
    call: Call,
    Path((org_id, client_id)): Path<(String, String)>,
) -> SimResult<Response> {
    let world = call.state.read().await;
    world.org(&org_id)?;
    call.caller.read_org(&world, &org_id)?;
    let account = world.service_account(&org_id, &client_id)?;
    let items: Vec<Value> = account
        .group_roles
        .iter()
        .map(|(g, roles)| json!({ "groupId": g, "roles": roles }))
        .collect();
    call.page(&world, items)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    name: String,
    description: String,
    roles: Vec<String>,
    secret_expires_after_hours: i64,
}

/// `POST /orgs/{orgId}/serviceAccounts`: 201, the only answer that shows the secret.
pub async fn create(call: Call, Path(org_id): Path<String>, bytes: Bytes) -> SimResult<Response> {
    let request: CreateBody = body(&bytes)?;
    check_org_roles(&request.roles)?;
    if request.roles.is_empty() || request.secret_expires_after_hours < 8 {
        return Err(SimError::validation(
            "roles must not be empty and secrets must live at least 8 hours.",
        ));
    }
    let mut world = call.state.write().await;
    world.org(&org_id)?;
    call.caller.own_org(&world, &org_id)?;
    let now = world.now();
    let client_id = format!("mdb_sa_id_{}", world.random_hex(24));
    let secret = Secret {
        id: world.next_id(),
        value: format!("mdb_sa_sk_{}", world.random_hex(40)),
        created_at: now,
        expires_at: now + Duration::hours(request.secret_expires_after_hours),
        last_used_at: None,
    };
    let clear = secret.value.clone();
    let account = ServiceAccount {
        client_id: client_id.clone(),
        org_id: org_id.clone(),
        name: request.name,
        description: request.description,
        created_at: now,
        org_roles: request.roles,
        group_roles: Default::default(),
        secrets: vec![secret],
    };
    let mut view = views::service_account(&account, None);
    view["secrets"][0]["secret"] = json!(clear);
    world.service_accounts.insert(client_id.clone(), account);
    call.record(
        &mut world,
        &org_id,
        None,
        "SERVICE_ACCOUNT_CREATED",
        target(&[("targetUsername", json!(client_id))]),
    );
    Ok(views::reply(call.version, StatusCode::CREATED, view))
}

#[derive(Debug, Deserialize)]
struct UpdateBody {
    name: Option<String>,
    description: Option<String>,
    roles: Option<Vec<String>>,
}

/// `PATCH /orgs/{orgId}/serviceAccounts/{clientId}`.
pub async fn update(
    call: Call,
    Path((org_id, client_id)): Path<(String, String)>,
    bytes: Bytes,
) -> SimResult<Response> {
    let request: UpdateBody = body(&bytes)?;
    if let Some(roles) = &request.roles {
        check_org_roles(roles)?;
    }
    let mut world = call.state.write().await;
    world.org(&org_id)?;
    call.caller.own_org(&world, &org_id)?;
    let account = world.service_account_mut(&org_id, &client_id)?;
    let event = if request.roles.is_some() {
        "SERVICE_ACCOUNT_ROLES_CHANGED"
    } else {
        "SERVICE_ACCOUNT_DETAILS_CHANGED"
    };
    if let Some(name) = request.name {
        account.name = name;
    }
    if let Some(description) = request.description {
        account.description = description;
    }
    if let Some(roles) = request.roles {
        account.org_roles = roles;
    }
    let view = views::service_account(account, None);
    call.record(
        &mut world,
        &org_id,
        None,
        event,
        target(&[("targetUsername", json!(client_id))]),
    );
    Ok(views::ok(call.version, view))
}

/// `DELETE /orgs/{orgId}/serviceAccounts/{clientId}`: 204; its tokens stop working.
pub async fn delete(
    call: Call,
    Path((org_id, client_id)): Path<(String, String)>,
) -> SimResult<Response> {
    let mut world = call.state.write().await;
    world.org(&org_id)?;
    call.caller.own_org(&world, &org_id)?;
    world.service_account(&org_id, &client_id)?;
    world.service_accounts.remove(&client_id);
    call.record(
        &mut world,
        &org_id,
        None,
        "SERVICE_ACCOUNT_DELETED",
        target(&[("targetUsername", json!(client_id))]),
    );
    Ok(views::no_content())
}

/// `GET /groups/{groupId}/serviceAccounts`.
pub async fn list_on_group(call: Call, Path(group_id): Path<String>) -> SimResult<Response> {
    let world = call.state.read().await;
    call.caller.read_group(&world, &group_id)?;
    let items = world
        .service_accounts
        .values()
        .filter(|a| a.group_roles.contains_key(&group_id))
        .map(|a| views::service_account(a, Some(&group_id)))
        .collect();
    call.page(&world, items)
}

/// `GET /groups/{groupId}/serviceAccounts/{clientId}`.
pub async fn get_on_group(
    call: Call,
    Path((group_id, client_id)): Path<(String, String)>,
) -> SimResult<Response> {
    let world = call.state.read().await;
    let org_id = world.project(&group_id)?.org_id.clone();
    call.caller.read_group(&world, &group_id)?;
    let account = world.service_account(&org_id, &client_id)?;
    if !account.group_roles.contains_key(&group_id) {
        return Err(SimError::not_found(
            "RESOURCE_NOT_FOUND",
            "service account",
            &client_id,
        ));
    }
    Ok(views::ok(
        call.version,
        views::service_account(account, Some(&group_id)),
    ))
}

#[derive(Debug, Deserialize)]
struct InviteBody {
    roles: Vec<String>,
}

/// `POST /groups/{groupId}/serviceAccounts/{clientId}:invite`: 200 with the assignment.
pub async fn invite(
    call: Call,
    Path((group_id, segment)): Path<(String, String)>,
    bytes: Bytes,
) -> SimResult<Response> {
    let (client_id, action) = split_action(&segment)?;
    if action != "invite" {
        return Err(SimError::new(
            StatusCode::NOT_FOUND,
            "RESOURCE_NOT_FOUND",
            "No such action.",
        ));
    }
    let request: InviteBody = body(&bytes)?;
    check_group_roles(&request.roles)?;
    let mut world = call.state.write().await;
    let org_id = world.project(&group_id)?.org_id.clone();
    call.caller.write_group(&world, &group_id, &[])?;
    let account = world.service_account_mut(&org_id, client_id)?;
    account.group_roles.insert(group_id.clone(), request.roles);
    let view = views::service_account(account, Some(&group_id));
    call.record(
        &mut world,
        &org_id,
        Some(&group_id),
        "SERVICE_ACCOUNT_ADDED_TO_GROUP",
        target(&[("targetUsername", json!(client_id))]),
    );
    Ok(views::ok(call.version, view))
}

/// `DELETE /groups/{groupId}/serviceAccounts/{clientId}`: 204; credentials stay valid.
pub async fn unassign(
    call: Call,
    Path((group_id, client_id)): Path<(String, String)>,
) -> SimResult<Response> {
    let mut world = call.state.write().await;
    let org_id = world.project(&group_id)?.org_id.clone();
    call.caller.write_group(&world, &group_id, &[])?;
    let account = world.service_account_mut(&org_id, &client_id)?;
    if account.group_roles.remove(&group_id).is_none() {
        return Err(SimError::not_found(
            "RESOURCE_NOT_FOUND",
            "service account",
            &client_id,
        ));
    }
    call.record(
        &mut world,
        &org_id,
        Some(&group_id),
        "SERVICE_ACCOUNT_REMOVED_FROM_GROUP",
        target(&[("targetUsername", json!(client_id))]),
    );
    Ok(views::no_content())
}
