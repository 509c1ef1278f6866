//! Atlas's refusals shared by several handlers: last org owner, last role, a role the user
//! does not hold, role names. Statuses and codes Atlas does not document come from `Quirks`.

use axum::http::StatusCode;
use serde_json::json;

use crate::atlas_sim::config::Quirks;
use crate::atlas_sim::error::{SimError, SimResult};
use crate::atlas_sim::model::{Membership, OrgUser};
use crate::atlas_sim::world::World;

/// Every organization role the spec enumerates.
pub const ORG_ROLES: &[&str] = &[
    "ORG_OWNER",
    "ORG_GROUP_CREATOR",
    "ORG_BILLING_ADMIN",
    "ORG_BILLING_READ_ONLY",
    "ORG_STREAM_PROCESSING_ADMIN",
    "ORG_READ_ONLY",
    "ORG_MEMBER",
];

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST)
}

/// 400 unless every role is an org role.
pub fn check_org_roles(roles: &[String]) -> SimResult<()> {
    match roles.iter().find(|r| !ORG_ROLES.contains(&r.as_str())) {
        Some(bad) => Err(
            SimError::validation(format!("Invalid organization role {bad}."))
                .params(vec![json!(bad)]),
        ),
        None => Ok(()),
    }
}

/// 400 unless every role looks like a project role; new `GROUP_*` names are accepted.
pub fn check_group_roles(roles: &[String]) -> SimResult<()> {
    match roles.iter().find(|r| !r.starts_with("GROUP_")) {
        Some(bad) => {
            Err(SimError::validation(format!("Invalid project role {bad}."))
                .params(vec![json!(bad)]))
        }
        None => Ok(()),
    }
}

/// Refuses a change that would leave the org without an active Organization Owner.
pub fn keep_an_owner(world: &World, user: &OrgUser, keeps_owner: bool) -> SimResult<()> {
    let is_owner = user.org_roles.iter().any(|r| r == "ORG_OWNER");
    if !is_owner || keeps_owner || user.membership != Membership::Active {
        return Ok(());
    }
    let others = world.users.values().any(|other| {
        other.org_id == user.org_id
            && other.id != user.id
            && other.membership == Membership::Active
            && other.org_roles.iter().any(|r| r == "ORG_OWNER")
    });
    if others {
        return Ok(());
    }
    let quirks = &world.config.quirks;
    Err(SimError::new(
        status(quirks.last_owner_status),
        &quirks.last_owner_code,
        format!(
            "User {} is the last owner of organization {}.",
            user.username, user.org_id
        ),
    )
    .params(vec![json!(user.username), json!(user.org_id)]))
}

/// The refusal for removing a user's last org role (`org`) or last project role.
pub fn last_role(quirks: &Quirks, username: &str, org: bool) -> SimError {
    let code = if org {
        quirks.last_org_role_status
    } else {
        quirks.last_group_role_status
    };
    SimError::new(
        status(code),
        &quirks.last_role_code,
        format!("User {username} must keep at least one role."),
    )
    .params(vec![json!(username)])
}

/// The refusal for removing a role the user does not hold.
pub fn role_not_held(quirks: &Quirks, username: &str, role: &str) -> SimError {
    SimError::new(
        status(quirks.role_not_held_status),
        &quirks.role_not_held_code,
        format!("User {username} does not have role {role}."),
    )
    .params(vec![json!(username), json!(role)])
}

/// Finds a user of the org by username, compared case-insensitively.
pub fn user_by_name<'w>(world: &'w World, org_id: &str, username: &str) -> Option<&'w OrgUser> {
    world
        .users
        .values()
        .find(|u| u.org_id == org_id && u.username.eq_ignore_ascii_case(username))
}

/// A configured status code, falling back to 400.
pub fn quirk_status(code: u16) -> StatusCode {
    status(code)
}
