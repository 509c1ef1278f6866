//! Atlas users at org level: list (both user models), read, invite, update roles and teams,
//! `:addRole` / `:removeRole`, and removal from the org (which drops project and team
//! membership with it).

use std::collections::BTreeSet;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Duration;
use serde::Deserialize;
use serde_json::json;

use super::rules::{self, check_group_roles, check_org_roles, keep_an_owner};
use super::{Call, body, split_action, target};
use crate::atlas_sim::error::{SimError, SimResult};
use crate::atlas_sim::model::{GroupRoles, Membership, OrgUser};
use crate::atlas_sim::paging::ListQuery;
use crate::atlas_sim::views;
use crate::atlas_sim::world::World;

/// The `orgMembershipStatuses` filter; ACTIVE and PENDING when absent.
pub fn wanted_statuses(q: &ListQuery) -> Vec<String> {
    let mut wanted = q.all("orgMembershipStatuses");
    wanted.extend(q.all("orgMembershipStatus"));
    if wanted.is_empty() {
        wanted = vec!["ACTIVE".to_owned(), "PENDING".to_owned()];
    }
    wanted
}

/// `GET /orgs/{orgId}/users`.
pub async fn list(call: Call, Path(org_id): Path<String>) -> SimResult<Response> {
    let world = call.state.read().await;
    world.org(&org_id)?;
    call.caller.read_org(&world, &org_id)?;
    let now = world.now();
    let wanted = wanted_statuses(&call.q);
    let username = call.q.get("username");
    let users: Vec<_> = world
        .users
        .values()
        .filter(|u| u.org_id == org_id)
        .filter(|u| username.is_none_or(|name| u.username.eq_ignore_ascii_case(name)))
        .filter(|u| {
            if call.version.is_2025() {
                let status = views::status(u, now);
                wanted.iter().any(|w| w == status)
            } else {
                // The 2023-01-01 model never shows invitations.
                u.membership == Membership::Active
            }
        })
        .collect();
    let body = call.q.paginate_with(&world.config, users, |u| {
        if call.version.is_2025() {
            views::org_user(u, now)
        } else {
            views::cloud_app_user(u, call.q.origin())
        }
    })?;
    Ok(views::ok(call.version, body))
}

/// `GET /orgs/{orgId}/users/{userId}`.
pub async fn get_one(
    call: Call,
    Path((org_id, user_id)): Path<(String, String)>,
) -> SimResult<Response> {
    let world = call.state.read().await;
    world.org(&org_id)?;
    call.caller.read_org(&world, &org_id)?;
    let user = world.org_user(&org_id, &user_id)?;
    Ok(views::ok(call.version, views::org_user(user, world.now())))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RolesBody {
    org_roles: Vec<String>,
    #[serde(default)]
    group_role_assignments: Option<Vec<Assignment>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Assignment {
    group_id: String,
    #[serde(default)]
    group_roles: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InviteBody {
    username: String,
    roles: RolesBody,
    #[serde(default)]
    team_ids: Vec<String>,
}

fn assignments(world: &World, org_id: &str, list: Vec<Assignment>) -> SimResult<GroupRoles> {
    let mut out = GroupRoles::new();
    for a in list {
        let project = world.project(&a.group_id)?;
        if project.org_id != org_id {
            return Err(SimError::not_found("GROUP_NOT_FOUND", "group", &a.group_id));
        }
        check_group_roles(&a.group_roles)?;
        if !a.group_roles.is_empty() {
            out.insert(a.group_id, a.group_roles);
        }
    }
    Ok(out)
}

fn teams_of(world: &World, org_id: &str, ids: Vec<String>) -> SimResult<BTreeSet<String>> {
    for id in &ids {
        world.team(org_id, id)?;
    }
    Ok(ids.into_iter().collect())
}

/// `POST /orgs/{orgId}/users`: invites a user; 201 with the PENDING record.
pub async fn invite(call: Call, Path(org_id): Path<String>, bytes: Bytes) -> SimResult<Response> {
    let request: InviteBody = body(&bytes)?;
    let mut world = call.state.write().await;
    world.org(&org_id)?;
    call.caller.own_org(&world, &org_id)?;
    if request.roles.org_roles.is_empty() {
        return Err(SimError::validation("roles.orgRoles must not be empty."));
    }
    check_org_roles(&request.roles.org_roles)?;
    let group_roles = assignments(
        &world,
        &org_id,
        request.roles.group_role_assignments.unwrap_or_default(),
    )?;
    let team_ids = teams_of(&world, &org_id, request.team_ids)?;
    let now = world.now();
    if let Some(existing) = rules::user_by_name(&world, &org_id, &request.username) {
        if matches!(views::status(existing, now), "ACTIVE" | "PENDING") {
            return Err(SimError::conflict(
                "SIM_USER_ALREADY_IN_ORG",
                format!(
                    "User {} is already in organization {org_id}.",
                    request.username
                ),
            )
            .params(vec![json!(request.username)]));
        }
        // An expired or rejected invitation is replaced by the new one.
        let old = existing.id.clone();
        world.users.remove(&old);
    }
    let inviter = Some(call.caller.name(&world));
    let id = world.next_id();
    let user = OrgUser {
        id: id.clone(),
        org_id: org_id.clone(),
        username: request.username.clone(),
        first_name: String::new(),
        last_name: String::new(),
        country: String::new(),
        mobile_number: None,
        created_at: now,
        last_auth: None,
        membership: Membership::Pending,
        invitation_created_at: Some(now),
        invitation_expires_at: Some(now + Duration::days(30)),
        inviter_username: inviter,
        org_roles: request.roles.org_roles,
        group_roles,
        team_ids,
    };
    let view = views::org_user(&user, now);
    world.users.insert(id, user);
    call.record(
        &mut world,
        &org_id,
        None,
        "INVITED_TO_ORG",
        target(&[("targetUsername", json!(request.username))]),
    );
    Ok(views::reply(call.version, StatusCode::CREATED, view))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateBody {
    #[serde(default)]
    roles: Option<RolesBody>,
    #[serde(default)]
    team_ids: Option<Vec<String>>,
}

/// `PATCH /orgs/{orgId}/users/{userId}`: each field sent replaces the stored one.
pub async fn update(
    call: Call,
    Path((org_id, user_id)): Path<(String, String)>,
    bytes: Bytes,
) -> SimResult<Response> {
    let request: UpdateBody = body(&bytes)?;
    let mut world = call.state.write().await;
    world.org(&org_id)?;
    call.caller.own_org(&world, &org_id)?;
    let user = world.org_user(&org_id, &user_id)?.clone();
    let mut changed = user.clone();
    if let Some(roles) = request.roles {
        if roles.org_roles.is_empty() {
            return Err(rules::last_role(&world.config.quirks, &user.username, true));
        }
        check_org_roles(&roles.org_roles)?;
        keep_an_owner(
            &world,
            &user,
            roles.org_roles.iter().any(|r| r == "ORG_OWNER"),
        )?;
        changed.org_roles = roles.org_roles;
        if let Some(list) = roles.group_role_assignments {
            changed.group_roles = assignments(&world, &org_id, list)?;
        }
    }
    if let Some(ids) = request.team_ids {
        changed.team_ids = teams_of(&world, &org_id, ids)?;
    }
    let now = world.now();
    let view = views::org_user(&changed, now);
    world.users.insert(user_id, changed);
    call.record(
        &mut world,
        &org_id,
        None,
        "USER_ROLES_CHANGED_AUDIT",
        target(&[("targetUsername", json!(user.username))]),
    );
    Ok(views::ok(call.version, view))
}

/// `DELETE /orgs/{orgId}/users/{userId}`: 204; project roles and teams go with the user.
pub async fn remove(
    call: Call,
    Path((org_id, user_id)): Path<(String, String)>,
) -> SimResult<Response> {
    let mut world = call.state.write().await;
    world.org(&org_id)?;
    call.caller.own_org(&world, &org_id)?;
    let user = world.org_user(&org_id, &user_id)?.clone();
    if !call.version.is_2025() && user.membership != Membership::Active {
        // The 2023-01-01 endpoint only knows active users.
        return Err(SimError::not_found(
            &world.config.quirks.user_not_found_code,
            "user",
            &user_id,
        ));
    }
    keep_an_owner(&world, &user, false)?;
    world.users.remove(&user_id);
    let kind = if user.membership == Membership::Active {
        "REMOVED_FROM_ORG"
    } else {
        "ORG_INVITATION_DELETED"
    };
    call.record(
        &mut world,
        &org_id,
        None,
        kind,
        target(&[("targetUsername", json!(user.username))]),
    );
    Ok(views::no_content())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrgRoleBody {
    org_role: String,
}

/// `POST /orgs/{orgId}/users/{userId}:addRole` and `:removeRole`: 200 with the user.
pub async fn role_action(
    call: Call,
    Path((org_id, segment)): Path<(String, String)>,
    bytes: Bytes,
) -> SimResult<Response> {
    let (user_id, action) = split_action(&segment)?;
    let request: OrgRoleBody = body(&bytes)?;
    check_org_roles(std::slice::from_ref(&request.org_role))?;
    let mut world = call.state.write().await;
    world.org(&org_id)?;
    call.caller.own_org(&world, &org_id)?;
    let user = world.org_user(&org_id, user_id)?.clone();
    let mut changed = user.clone();
    match action {
        "addRole" => {
            if !changed.org_roles.contains(&request.org_role) {
                changed.org_roles.push(request.org_role);
            }
        }
        "removeRole" => {
            if !changed.org_roles.contains(&request.org_role) {
                return Err(rules::role_not_held(
                    &world.config.quirks,
                    &user.username,
                    &request.org_role,
                ));
            }
            if changed.org_roles.len() == 1 {
                return Err(rules::last_role(&world.config.quirks, &user.username, true));
            }
            keep_an_owner(&world, &user, request.org_role != "ORG_OWNER")?;
            changed.org_roles.retain(|r| *r != request.org_role);
        }
        _ => {
            return Err(SimError::new(
                StatusCode::NOT_FOUND,
                "RESOURCE_NOT_FOUND",
                "No such action.",
            ));
        }
    }
    let now = world.now();
    let view = views::org_user(&changed, now);
    world.users.insert(user.id.clone(), changed);
    call.record(
        &mut world,
        &org_id,
        None,
        "USER_ROLES_CHANGED_AUDIT",
        target(&[("targetUsername", json!(user.username))]),
    );
    Ok(views::ok(call.version, view))
}
