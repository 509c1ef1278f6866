//! Atlas users at project level: list (direct members, optionally with team and implicit org
//! access), read, add (inviting to the org when needed), `:addRole` / `:removeRole`, removal.

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Duration;
use serde::Deserialize;
use serde_json::{Value, json};

use super::org_users::wanted_statuses;
use super::rules::{self, check_group_roles};
use super::{Call, body, split_action, target};
use crate::atlas_sim::error::{SimError, SimResult};
use crate::atlas_sim::model::{Membership, OrgUser, Project};
use crate::atlas_sim::views;
use crate::atlas_sim::world::World;

/// A user's roles on a project: direct, then (when asked) through teams.
// Limitation: with flattenTeams the team roles are merged into `roles`; how Atlas shows them
// is not confirmed, so Attest derives team access from the teams endpoints instead.
fn roles_on(user: &OrgUser, project: &Project, flatten_teams: bool) -> Vec<String> {
    let mut roles = user
        .group_roles
        .get(&project.id)
        .cloned()
        .unwrap_or_default();
    if flatten_teams {
        for team_id in &user.team_ids {
            for role in project.teams.get(team_id).into_iter().flatten() {
                if !roles.contains(role) {
                    roles.push(role.clone());
                }
            }
        }
    }
    roles
}

fn not_member(world: &World, user_id: &str) -> SimError {
    SimError::not_found(&world.config.quirks.user_not_found_code, "user", user_id)
}

/// `GET /groups/{groupId}/users`.
pub async fn list(call: Call, Path(group_id): Path<String>) -> SimResult<Response> {
    let world = call.state.read().await;
    let project = world.project(&group_id)?;
    call.caller.read_group(&world, &group_id)?;
    let flatten = call.q.flag("flattenTeams", false)?;
    let include_org = call.q.flag("includeOrgUsers", false)?;
    let wanted = wanted_statuses(&call.q);
    let username = call.q.get("username");
    let now = world.now();
    let items: Vec<Value> = world
        .users
        .values()
        .filter(|u| u.org_id == project.org_id)
        .filter(|u| username.is_none_or(|name| u.username.eq_ignore_ascii_case(name)))
        .filter_map(|u| {
            let roles = roles_on(u, project, flatten);
            let implicit = include_org
                && u.org_roles
                    .iter()
                    .any(|r| r == "ORG_OWNER" || r == "ORG_READ_ONLY");
            if roles.is_empty() && !implicit {
                return None;
            }
            if call.version.is_2025() {
                let status = views::status(u, now);
                wanted
                    .iter()
                    .any(|w| w == status)
                    .then(|| views::group_user(u, &roles, now))
            } else {
                (u.membership == Membership::Active)
                    .then(|| views::cloud_app_user(u, call.q.origin()))
            }
        })
        .collect();
    call.page(&world, items)
}

/// `GET /groups/{groupId}/users/{userId}`.
pub async fn get_one(
    call: Call,
    Path((group_id, user_id)): Path<(String, String)>,
) -> SimResult<Response> {
    let world = call.state.read().await;
    let project = world.project(&group_id)?;
    call.caller.read_group(&world, &group_id)?;
    let user = world.org_user(&project.org_id, &user_id)?;
    let roles = roles_on(user, project, false);
    if roles.is_empty() {
        return Err(not_member(&world, &user_id));
    }
    Ok(views::ok(
        call.version,
        views::group_user(user, &roles, world.now()),
    ))
}

#[derive(Debug, Deserialize)]
struct AddBody {
    username: String,
    roles: Vec<String>,
}

/// `POST /groups/{groupId}/users`: 201; invites the person to the org when not yet in it.
pub async fn add(call: Call, Path(group_id): Path<String>, bytes: Bytes) -> SimResult<Response> {
    let request: AddBody = body(&bytes)?;
    if request.roles.is_empty() {
        return Err(SimError::validation(
            "roles must contain at least one project role.",
        ));
    }
    check_group_roles(&request.roles)?;
    let mut world = call.state.write().await;
    let org_id = world.project(&group_id)?.org_id.clone();
    call.caller
        .write_group(&world, &group_id, &["GROUP_ACCESS_MANAGER"])?;
    let now = world.now();
    let existing = rules::user_by_name(&world, &org_id, &request.username)
        .filter(|u| matches!(views::status(u, now), "ACTIVE" | "PENDING"))
        .map(|u| u.id.clone());
    let (user_id, event) = match existing {
        Some(id) => {
            let user = world.org_user(&org_id, &id)?;
            if user.group_roles.contains_key(&group_id) {
                return Err(SimError::conflict(
                    "SIM_USER_ALREADY_IN_GROUP",
                    format!(
                        "User {} is already in project {group_id}.",
                        request.username
                    ),
                ));
            }
            (id, "JOINED_GROUP")
        }
        None => {
            let id = world.next_id();
            let inviter = Some(call.caller.name(&world));
            if let Some(old) =
                rules::user_by_name(&world, &org_id, &request.username).map(|u| u.id.clone())
            {
                world.users.remove(&old);
            }
            world.users.insert(
                id.clone(),
                OrgUser {
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
                    org_roles: vec!["ORG_MEMBER".to_owned()],
                    group_roles: Default::default(),
                    team_ids: Default::default(),
                },
            );
            (id, "INVITED_TO_GROUP")
        }
    };
    let user = world.org_user_mut(&org_id, &user_id)?;
    user.group_roles
        .insert(group_id.clone(), request.roles.clone());
    let view = views::group_user(user, &request.roles, now);
    call.record(
        &mut world,
        &org_id,
        Some(&group_id),
        event,
        target(&[("targetUsername", json!(request.username))]),
    );
    Ok(views::reply(call.version, StatusCode::CREATED, view))
}

/// `DELETE /groups/{groupId}/users/{userId}`: 204, then 404 on repeat.
pub async fn remove(
    call: Call,
    Path((group_id, user_id)): Path<(String, String)>,
) -> SimResult<Response> {
    let mut world = call.state.write().await;
    let org_id = world.project(&group_id)?.org_id.clone();
    call.caller
        .write_group(&world, &group_id, &["GROUP_ACCESS_MANAGER"])?;
    let missing = not_member(&world, &user_id);
    let user = world.org_user_mut(&org_id, &user_id)?;
    if user.group_roles.remove(&group_id).is_none() {
        return Err(missing);
    }
    let username = user.username.clone();
    call.record(
        &mut world,
        &org_id,
        Some(&group_id),
        "REMOVED_FROM_GROUP",
        target(&[("targetUsername", json!(username))]),
    );
    Ok(views::no_content())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupRoleBody {
    group_role: String,
}

/// `POST /groups/{groupId}/users/{userId}:addRole` and `:removeRole`: 200 with the user.
pub async fn role_action(
    call: Call,
    Path((group_id, segment)): Path<(String, String)>,
    bytes: Bytes,
) -> SimResult<Response> {
    let (user_id, action) = split_action(&segment)?;
    let request: GroupRoleBody = body(&bytes)?;
    check_group_roles(std::slice::from_ref(&request.group_role))?;
    let mut world = call.state.write().await;
    let org_id = world.project(&group_id)?.org_id.clone();
    call.caller
        .write_group(&world, &group_id, &["GROUP_ACCESS_MANAGER"])?;
    let quirks = world.config.quirks.clone();
    let missing = not_member(&world, user_id);
    let now = world.now();
    let user = world.org_user_mut(&org_id, user_id)?;
    let Some(roles) = user.group_roles.get_mut(&group_id) else {
        return Err(missing);
    };
    match action {
        "addRole" => {
            if !roles.contains(&request.group_role) {
                roles.push(request.group_role);
            }
        }
        "removeRole" => {
            if !roles.contains(&request.group_role) {
                return Err(rules::role_not_held(
                    &quirks,
                    &user.username,
                    &request.group_role,
                ));
            }
            if roles.len() == 1 {
                return Err(rules::last_role(&quirks, &user.username, false));
            }
            roles.retain(|r| *r != request.group_role);
        }
        _ => {
            return Err(SimError::new(
                StatusCode::NOT_FOUND,
                "RESOURCE_NOT_FOUND",
                "No such action.",
            ));
        }
    }
    let roles = roles.clone();
    let view = views::group_user(user, &roles, now);
    let username = user.username.clone();
    call.record(
        &mut world,
        &org_id,
        Some(&group_id),
        "USER_ROLES_CHANGED_AUDIT",
        target(&[("targetUsername", json!(username))]),
    );
    Ok(views::ok(call.version, view))
}
