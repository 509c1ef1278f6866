//! Database users, addressed by project, authentication database (`admin` / `$external`) and
//! percent-decoded username; and cluster change status, which stays PENDING for a configurable
//! time after a database-user change, as real clusters apply changes later.

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::json;

use super::{Call, body, target};
use crate::atlas_sim::error::{SimError, SimResult};
use crate::atlas_sim::model::{DbRole, DbScope, DbUser, Label};
use crate::atlas_sim::views;
use crate::atlas_sim::world::World;

/// The built-in roles the spec allows on a database user.
pub const BUILT_IN_ROLES: &[&str] = &[
    "atlasAdmin",
    "backup",
    "clusterMonitor",
    "dbAdmin",
    "dbAdminAnyDatabase",
    "enableSharding",
    "read",
    "readAnyDatabase",
    "readWrite",
    "readWriteAnyDatabase",
];

/// Atlas's cap on database users per project.
const MAX_DB_USERS: usize = 100;
/// Roles that may manage database users besides the owners.
const DB_ADMINS: &[&str] = &[
    "GROUP_DATABASE_ACCESS_ADMIN",
    "GROUP_STREAM_PROCESSING_OWNER",
];

fn username_not_found(username: &str) -> SimError {
    SimError::new(
        StatusCode::NOT_FOUND,
        "USERNAME_NOT_FOUND",
        format!("No user with username {username} exists."),
    )
    .params(vec![json!(username)])
}

fn check_roles(world: &World, group_id: &str, roles: &[DbRole]) -> SimResult<()> {
    for role in roles {
        let built_in = BUILT_IN_ROLES.contains(&role.role_name.as_str());
        let custom = world
            .custom_roles
            .contains_key(&(group_id.to_owned(), role.role_name.clone()));
        if !(built_in || custom) || (custom && role.database_name != "admin") {
            return Err(SimError::new(
                StatusCode::BAD_REQUEST,
                "UNSUPPORTED_ROLE",
                format!("Role {} is not supported.", role.role_name),
            )
            .params(vec![json!(role.role_name)]));
        }
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DbUserBody {
    username: Option<String>,
    database_name: Option<String>,
    roles: Option<Vec<DbRole>>,
    scopes: Option<Vec<DbScope>>,
    labels: Option<Vec<Label>>,
    ldap_auth_type: Option<String>,
    #[serde(rename = "awsIAMType")]
    aws_iam_type: Option<String>,
    x509_type: Option<String>,
    oidc_auth_type: Option<String>,
    description: Option<String>,
    delete_after_date: Option<DateTime<Utc>>,
    // Accepted and discarded: the simulator never authenticates database users.
    #[serde(default)]
    #[expect(dead_code, reason = "write-only field, read only to accept it")]
    password: Option<String>,
}

fn apply(user: &mut DbUser, request: DbUserBody) {
    if let Some(roles) = request.roles {
        user.roles = roles;
    }
    if let Some(scopes) = request.scopes {
        user.scopes = scopes;
    }
    if let Some(labels) = request.labels {
        user.labels = labels;
    }
    for (field, value) in [
        (&mut user.ldap_auth_type, request.ldap_auth_type),
        (&mut user.aws_iam_type, request.aws_iam_type),
        (&mut user.x509_type, request.x509_type),
        (&mut user.oidc_auth_type, request.oidc_auth_type),
    ] {
        if let Some(value) = value {
            *field = value;
        }
    }
    if request.description.is_some() {
        user.description = request.description;
    }
    if request.delete_after_date.is_some() {
        user.delete_after_date = request.delete_after_date;
    }
}

fn touched(world: &mut World, group_id: &str) -> SimResult<()> {
    let now = world.now();
    world.project_mut(group_id)?.db_users_changed_at = Some(now);
    Ok(())
}

/// `GET /groups/{groupId}/databaseUsers`.
pub async fn list(call: Call, Path(group_id): Path<String>) -> SimResult<Response> {
    let world = call.state.read().await;
    call.caller.read_group(&world, &group_id)?;
    // Keys start with the project id, so the project's users are one contiguous range.
    let from = (group_id.clone(), String::new(), String::new());
    let items = world
        .db_users
        .range(from..)
        .take_while(|(key, _)| key.0 == group_id)
        .map(|(_, u)| views::db_user(u, call.q.origin()))
        .collect();
    call.page(&world, items)
}

/// `GET /groups/{groupId}/databaseUsers/{databaseName}/{username}`.
pub async fn get_one(
    call: Call,
    Path((group_id, db, username)): Path<(String, String, String)>,
) -> SimResult<Response> {
    let world = call.state.read().await;
    call.caller.read_group(&world, &group_id)?;
    let user = world
        .db_users
        .get(&(group_id, db, username.clone()))
        .ok_or_else(|| username_not_found(&username))?;
    Ok(views::ok(
        call.version,
        views::db_user(user, call.q.origin()),
    ))
}

/// `POST /groups/{groupId}/databaseUsers`: 201.
pub async fn create(call: Call, Path(group_id): Path<String>, bytes: Bytes) -> SimResult<Response> {
    let request: DbUserBody = body(&bytes)?;
    let mut world = call.state.write().await;
    let org_id = world.project(&group_id)?.org_id.clone();
    call.caller.write_group(&world, &group_id, DB_ADMINS)?;
    let username = request
        .username
        .clone()
        .filter(|u| !u.is_empty())
        .ok_or_else(|| SimError::validation("username is required."))?;
    let db = request
        .database_name
        .clone()
        .unwrap_or_else(|| "admin".to_owned());
    if db != "admin" && db != "$external" {
        return Err(SimError::validation(format!(
            "Invalid authentication database {db}."
        )));
    }
    let roles = request.roles.clone().unwrap_or_default();
    if roles.is_empty() {
        return Err(SimError::validation("roles must not be empty."));
    }
    check_roles(&world, &group_id, &roles)?;
    let key = (group_id.clone(), db.clone(), username.clone());
    if world.db_users.contains_key(&key) {
        return Err(SimError::conflict(
            &world.config.quirks.duplicate_db_user_code,
            format!("A database user named {username} already exists."),
        )
        .params(vec![json!(username)]));
    }
    if world
        .db_users
        .keys()
        .filter(|(g, _, _)| *g == group_id)
        .count()
        >= MAX_DB_USERS
    {
        return Err(SimError::new(
            StatusCode::FORBIDDEN,
            "GROUP_USERS_LIMIT_EXCEEDED",
            format!("Groups can contain at most {MAX_DB_USERS} database users."),
        )
        .params(vec![json!(MAX_DB_USERS)]));
    }
    let mut user = DbUser {
        group_id: group_id.clone(),
        database_name: db,
        username: username.clone(),
        roles: Vec::new(),
        scopes: Vec::new(),
        labels: Vec::new(),
        ldap_auth_type: "NONE".to_owned(),
        aws_iam_type: "NONE".to_owned(),
        x509_type: "NONE".to_owned(),
        oidc_auth_type: "NONE".to_owned(),
        description: None,
        delete_after_date: None,
    };
    apply(&mut user, request);
    let view = views::db_user(&user, call.q.origin());
    world.db_users.insert(key, user);
    touched(&mut world, &group_id)?;
    call.record(
        &mut world,
        &org_id,
        Some(&group_id),
        "MONGODB_USER_ADDED",
        target(&[("dbUserUsername", json!(username))]),
    );
    Ok(views::reply(call.version, StatusCode::CREATED, view))
}

/// `PATCH …/databaseUsers/{databaseName}/{username}`: the fields sent replace the stored ones.
pub async fn update(
    call: Call,
    Path((group_id, db, username)): Path<(String, String, String)>,
    bytes: Bytes,
) -> SimResult<Response> {
    let request: DbUserBody = body(&bytes)?;
    let mut world = call.state.write().await;
    let org_id = world.project(&group_id)?.org_id.clone();
    call.caller.write_group(&world, &group_id, DB_ADMINS)?;
    let key = (group_id.clone(), db, username.clone());
    if !world.db_users.contains_key(&key) {
        return Err(username_not_found(&username));
    }
    if let Some(roles) = &request.roles {
        check_roles(&world, &group_id, roles)?;
    }
    let user = world
        .db_users
        .get_mut(&key)
        .ok_or_else(|| username_not_found(&username))?;
    apply(user, request);
    let view = views::db_user(user, call.q.origin());
    touched(&mut world, &group_id)?;
    call.record(
        &mut world,
        &org_id,
        Some(&group_id),
        "MONGODB_USER_UPDATED",
        target(&[("dbUserUsername", json!(username))]),
    );
    Ok(views::ok(call.version, view))
}

/// `DELETE …/databaseUsers/{databaseName}/{username}`: 204, then 404 `USERNAME_NOT_FOUND`.
pub async fn delete(
    call: Call,
    Path((group_id, db, username)): Path<(String, String, String)>,
) -> SimResult<Response> {
    let mut world = call.state.write().await;
    let org_id = world.project(&group_id)?.org_id.clone();
    call.caller.write_group(&world, &group_id, DB_ADMINS)?;
    if world
        .db_users
        .remove(&(group_id.clone(), db, username.clone()))
        .is_none()
    {
        return Err(username_not_found(&username));
    }
    touched(&mut world, &group_id)?;
    call.record(
        &mut world,
        &org_id,
        Some(&group_id),
        "MONGODB_USER_DELETED",
        target(&[("dbUserUsername", json!(username))]),
    );
    Ok(views::no_content())
}

/// `GET /groups/{groupId}/clusters/{clusterName}/status`: PENDING while a database-user
/// change is younger than `dbUserApplySecs`, APPLIED afterwards.
pub async fn cluster_status(
    call: Call,
    Path((group_id, cluster)): Path<(String, String)>,
) -> SimResult<Response> {
    let world = call.state.read().await;
    let project = world.project(&group_id)?;
    call.caller.read_group(&world, &group_id)?;
    if !project.clusters.contains(&cluster) {
        return Err(SimError::new(
            StatusCode::NOT_FOUND,
            "CLUSTER_NOT_FOUND",
            format!("No cluster named {cluster} exists in group {group_id}."),
        )
        .params(vec![json!(cluster), json!(group_id)]));
    }
    let window = Duration::seconds(world.config.db_user_apply_secs);
    let pending = project
        .db_users_changed_at
        .is_some_and(|at| world.now() < at + window);
    let status = if pending { "PENDING" } else { "APPLIED" };
    Ok(views::ok(
        call.version,
        json!({
            "changeStatus": status,
            "links": views::self_link(call.q.origin(), &format!("/groups/{group_id}/clusters/{cluster}/status")),
        }),
    ))
}
