//! Teams: CRUD at org level, membership (`:addUser` / `:removeUser`, never leaving a team
//! empty), and teams' roles on projects.

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::org_users::wanted_statuses;
use super::rules::{check_group_roles, quirk_status, user_by_name};
use super::{Call, body, split_action, target};
use crate::atlas_sim::error::{SimError, SimResult};
use crate::atlas_sim::model::{Membership, Team};
use crate::atlas_sim::views;
use crate::atlas_sim::world::World;

fn team_view(team: &Team, origin: &str) -> Value {
    json!({
        "id": team.id,
        "name": team.name,
        "links": views::self_link(origin, &format!("/orgs/{}/teams/{}", team.org_id, team.id)),
    })
}

fn team_role_view(group_id: &str, team_id: &str, roles: &[String], origin: &str) -> Value {
    json!({
        "teamId": team_id,
        "roleNames": roles,
        "links": views::self_link(origin, &format!("/groups/{group_id}/teams/{team_id}")),
    })
}

fn member_count(world: &World, team_id: &str) -> usize {
    world
        .users
        .values()
        .filter(|u| u.team_ids.contains(team_id))
        .count()
}

/// `GET /orgs/{orgId}/teams`.
pub async fn list(call: Call, Path(org_id): Path<String>) -> SimResult<Response> {
    let world = call.state.read().await;
    world.org(&org_id)?;
    call.caller.read_org(&world, &org_id)?;
    let items = world
        .teams
        .values()
        .filter(|t| t.org_id == org_id)
        .map(|t| team_view(t, call.q.origin()))
        .collect();
    call.page(&world, items)
}

/// `GET /orgs/{orgId}/teams/{teamId}`.
pub async fn get_one(
    call: Call,
    Path((org_id, team_id)): Path<(String, String)>,
) -> SimResult<Response> {
    let world = call.state.read().await;
    world.org(&org_id)?;
    call.caller.read_org(&world, &org_id)?;
    Ok(views::ok(
        call.version,
        team_view(world.team(&org_id, &team_id)?, call.q.origin()),
    ))
}

/// `GET /orgs/{orgId}/teams/byName/{teamName}`.
pub async fn by_name(
    call: Call,
    Path((org_id, name)): Path<(String, String)>,
) -> SimResult<Response> {
    let world = call.state.read().await;
    world.org(&org_id)?;
    call.caller.read_org(&world, &org_id)?;
    let team = world
        .teams
        .values()
        .find(|t| t.org_id == org_id && t.name == name)
        .ok_or_else(|| SimError::not_found("RESOURCE_NOT_FOUND", "team", &name))?;
    Ok(views::ok(call.version, team_view(team, call.q.origin())))
}

#[derive(Debug, Deserialize)]
struct CreateBody {
    name: String,
    usernames: Vec<String>,
}

/// `POST /orgs/{orgId}/teams`: 200 (not 201), with its first members.
pub async fn create(call: Call, Path(org_id): Path<String>, bytes: Bytes) -> SimResult<Response> {
    let request: CreateBody = body(&bytes)?;
    let mut world = call.state.write().await;
    world.org(&org_id)?;
    call.caller.own_org(&world, &org_id)?;
    if request.usernames.is_empty() {
        return Err(SimError::validation("A team needs at least one member."));
    }
    if world
        .teams
        .values()
        .any(|t| t.org_id == org_id && t.name == request.name)
    {
        return Err(SimError::conflict(
            "DUPLICATE_TEAM_NAME",
            format!("A team named {} already exists.", request.name),
        ));
    }
    let mut member_ids = Vec::new();
    for name in &request.usernames {
        let user = user_by_name(&world, &org_id, name)
            .filter(|u| u.membership != Membership::Rejected)
            .ok_or_else(|| SimError::not_found("USER_NOT_FOUND", "user", name))?;
        member_ids.push(user.id.clone());
    }
    let id = world.next_id();
    let team = Team {
        id: id.clone(),
        org_id: org_id.clone(),
        name: request.name,
    };
    let view = team_view(&team, call.q.origin());
    world.teams.insert(id.clone(), team);
    for user_id in member_ids {
        if let Some(user) = world.users.get_mut(&user_id) {
            user.team_ids.insert(id.clone());
        }
    }
    call.record(
        &mut world,
        &org_id,
        None,
        "TEAM_CREATED",
        target(&[("teamId", json!(id))]),
    );
    Ok(views::ok(call.version, view))
}

#[derive(Debug, Deserialize)]
struct RenameBody {
    name: String,
}

/// `PATCH /orgs/{orgId}/teams/{teamId}`: rename only.
pub async fn rename(
    call: Call,
    Path((org_id, team_id)): Path<(String, String)>,
    bytes: Bytes,
) -> SimResult<Response> {
    let request: RenameBody = body(&bytes)?;
    let mut world = call.state.write().await;
    world.org(&org_id)?;
    call.caller.own_org(&world, &org_id)?;
    world.team(&org_id, &team_id)?;
    let team = world
        .teams
        .get_mut(&team_id)
        .ok_or_else(SimError::unexpected)?;
    team.name = request.name;
    let view = team_view(team, call.q.origin());
    call.record(
        &mut world,
        &org_id,
        None,
        "TEAM_NAME_CHANGED",
        target(&[("teamId", json!(team_id))]),
    );
    Ok(views::ok(call.version, view))
}

/// `DELETE /orgs/{orgId}/teams/{teamId}`: refused while the team is on a project.
pub async fn delete(
    call: Call,
    Path((org_id, team_id)): Path<(String, String)>,
) -> SimResult<Response> {
    let mut world = call.state.write().await;
    world.org(&org_id)?;
    call.caller.own_org(&world, &org_id)?;
    world.team(&org_id, &team_id)?;
    if world
        .projects
        .values()
        .any(|p| p.teams.contains_key(&team_id))
    {
        return Err(SimError::new(
            quirk_status(world.config.quirks.team_assigned_status),
            "CANNOT_DELETE_TEAM_ASSIGNED_TO_PROJECT",
            format!("Team {team_id} is still assigned to a project."),
        )
        .params(vec![json!(team_id)]));
    }
    world.teams.remove(&team_id);
    for user in world.users.values_mut() {
        user.team_ids.remove(&team_id);
    }
    call.record(
        &mut world,
        &org_id,
        None,
        "TEAM_DELETED",
        target(&[("teamId", json!(team_id))]),
    );
    Ok(views::no_content())
}

#[derive(Debug, Deserialize)]
struct MemberBody {
    id: String,
}

/// `POST /orgs/{orgId}/teams/{teamId}:addUser` and `:removeUser`: 200 with the user.
pub async fn member_action(
    call: Call,
    Path((org_id, segment)): Path<(String, String)>,
    bytes: Bytes,
) -> SimResult<Response> {
    let (team_id, action) = split_action(&segment)?;
    let request: MemberBody = body(&bytes)?;
    let mut world = call.state.write().await;
    world.org(&org_id)?;
    call.caller.own_org(&world, &org_id)?;
    world.team(&org_id, team_id)?;
    let now = world.now();
    let user = world.org_user(&org_id, &request.id)?.clone();
    let quirks = world.config.quirks.clone();
    let event = match action {
        "addUser" => {
            if !matches!(views::status(&user, now), "ACTIVE" | "PENDING") {
                return Err(SimError::new(
                    quirk_status(quirks.user_not_in_org_status),
                    "USER_NOT_IN_ORG",
                    format!("User {} is not in organization {org_id}.", user.username),
                ));
            }
            "JOINED_TEAM"
        }
        "removeUser" => {
            if !user.team_ids.contains(team_id) {
                return Err(SimError::not_found(
                    &quirks.user_not_found_code,
                    "team member",
                    &request.id,
                ));
            }
            if member_count(&world, team_id) == 1 {
                return Err(SimError::new(
                    quirk_status(quirks.last_team_member_status),
                    "CANNOT_REMOVE_LAST_USER_FROM_TEAM",
                    format!("Cannot remove the last user from team {team_id}."),
                )
                .params(vec![json!(team_id)]));
            }
            "REMOVED_FROM_TEAM"
        }
        _ => {
            return Err(SimError::new(
                StatusCode::NOT_FOUND,
                "RESOURCE_NOT_FOUND",
                "No such action.",
            ));
        }
    };
    let stored = world.org_user_mut(&org_id, &request.id)?;
    if action == "addUser" {
        stored.team_ids.insert(team_id.to_owned());
    } else {
        stored.team_ids.remove(team_id);
    }
    let view = views::org_user(stored, now);
    call.record(
        &mut world,
        &org_id,
        None,
        event,
        target(&[
            ("teamId", json!(team_id)),
            ("targetUsername", json!(user.username)),
        ]),
    );
    Ok(views::ok(call.version, view))
}

/// `GET /orgs/{orgId}/teams/{teamId}/users`.
pub async fn members(
    call: Call,
    Path((org_id, team_id)): Path<(String, String)>,
) -> SimResult<Response> {
    let world = call.state.read().await;
    world.org(&org_id)?;
    call.caller.read_org(&world, &org_id)?;
    world.team(&org_id, &team_id)?;
    let now = world.now();
    let wanted = wanted_statuses(&call.q);
    let username = call.q.get("username");
    let user_id = call.q.get("userId");
    let items = world
        .users
        .values()
        .filter(|u| u.team_ids.contains(&team_id))
        .filter(|u| username.is_none_or(|n| u.username.eq_ignore_ascii_case(n)))
        .filter(|u| user_id.is_none_or(|id| u.id == id))
        .filter_map(|u| {
            if call.version.is_2025() {
                wanted
                    .iter()
                    .any(|w| w == views::status(u, now))
                    .then(|| views::org_user(u, now))
            } else {
                (u.membership == Membership::Active)
                    .then(|| views::cloud_app_user(u, call.q.origin()))
            }
        })
        .collect();
    call.page(&world, items)
}

fn group_teams(world: &World, group_id: &str, origin: &str) -> SimResult<Vec<Value>> {
    let project = world.project(group_id)?;
    Ok(project
        .teams
        .iter()
        .map(|(team_id, roles)| team_role_view(group_id, team_id, roles, origin))
        .collect())
}

/// `GET /groups/{groupId}/teams`.
pub async fn list_on_group(call: Call, Path(group_id): Path<String>) -> SimResult<Response> {
    let world = call.state.read().await;
    call.caller.read_group(&world, &group_id)?;
    let items = group_teams(&world, &group_id, call.q.origin())?;
    call.page(&world, items)
}

/// `GET /groups/{groupId}/teams/{teamId}`.
pub async fn get_on_group(
    call: Call,
    Path((group_id, team_id)): Path<(String, String)>,
) -> SimResult<Response> {
    let world = call.state.read().await;
    let project = world.project(&group_id)?;
    call.caller.read_group(&world, &group_id)?;
    let roles = project
        .teams
        .get(&team_id)
        .ok_or_else(|| SimError::not_found("RESOURCE_NOT_FOUND", "team", &team_id))?;
    Ok(views::ok(
        call.version,
        team_role_view(&group_id, &team_id, roles, call.q.origin()),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TeamRoleBody {
    #[serde(default)]
    team_id: Option<String>,
    role_names: Vec<String>,
}

/// `POST /groups/{groupId}/teams`: assigns teams; 200 with every team on the project.
pub async fn assign(call: Call, Path(group_id): Path<String>, bytes: Bytes) -> SimResult<Response> {
    let request: Vec<TeamRoleBody> = body(&bytes)?;
    let mut world = call.state.write().await;
    let org_id = world.project(&group_id)?.org_id.clone();
    call.caller
        .write_group(&world, &group_id, &["GROUP_ACCESS_MANAGER"])?;
    for item in &request {
        let team_id = item
            .team_id
            .as_deref()
            .ok_or_else(|| SimError::validation("teamId is required."))?;
        world.team(&org_id, team_id)?;
        check_group_roles(&item.role_names)?;
    }
    for item in request {
        let team_id = item.team_id.unwrap_or_default();
        world
            .project_mut(&group_id)?
            .teams
            .insert(team_id.clone(), item.role_names);
        call.record(
            &mut world,
            &org_id,
            Some(&group_id),
            "TEAM_ADDED_TO_GROUP",
            target(&[("teamId", json!(team_id))]),
        );
    }
    let items = group_teams(&world, &group_id, call.q.origin())?;
    call.page(&world, items)
}

/// `PATCH /groups/{groupId}/teams/{teamId}`: the roles sent replace the team's project roles.
pub async fn update_on_group(
    call: Call,
    Path((group_id, team_id)): Path<(String, String)>,
    bytes: Bytes,
) -> SimResult<Response> {
    let request: TeamRoleBody = body(&bytes)?;
    check_group_roles(&request.role_names)?;
    let mut world = call.state.write().await;
    let org_id = world.project(&group_id)?.org_id.clone();
    call.caller
        .write_group(&world, &group_id, &["GROUP_ACCESS_MANAGER"])?;
    let project = world.project_mut(&group_id)?;
    let Some(roles) = project.teams.get_mut(&team_id) else {
        return Err(SimError::not_found("RESOURCE_NOT_FOUND", "team", &team_id));
    };
    *roles = request.role_names;
    call.record(
        &mut world,
        &org_id,
        Some(&group_id),
        "TEAM_ROLES_MODIFIED",
        target(&[("teamId", json!(team_id))]),
    );
    let items = group_teams(&world, &group_id, call.q.origin())?;
    call.page(&world, items)
}

/// `DELETE /groups/{groupId}/teams/{teamId}`: 204, then 404.
pub async fn unassign(
    call: Call,
    Path((group_id, team_id)): Path<(String, String)>,
) -> SimResult<Response> {
    let mut world = call.state.write().await;
    let org_id = world.project(&group_id)?.org_id.clone();
    call.caller
        .write_group(&world, &group_id, &["GROUP_ACCESS_MANAGER"])?;
    if world
        .project_mut(&group_id)?
        .teams
        .remove(&team_id)
        .is_none()
    {
        return Err(SimError::not_found("RESOURCE_NOT_FOUND", "team", &team_id));
    }
    call.record(
        &mut world,
        &org_id,
        Some(&group_id),
        "TEAM_REMOVED_FROM_GROUP",
        target(&[("teamId", json!(team_id))]),
    );
    Ok(views::no_content())
}
