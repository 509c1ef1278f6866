//! Organizations and projects: `GET /orgs`, `/orgs/{orgId}`, `/orgs/{orgId}/groups`,
//! `/groups`, `/groups/{groupId}`.

use axum::extract::Path;
use axum::response::Response;
use serde_json::{Value, json};

use super::Call;
use crate::atlas_sim::error::SimResult;
use crate::atlas_sim::model::{Org, Project};
use crate::atlas_sim::views::{self, ts};

fn org_view(org: &Org, origin: &str) -> Value {
    json!({
        "id": org.id,
        "name": org.name,
        "isDeleted": false,
        "skipDefaultAlertsSettings": false,
        "links": views::self_link(origin, &format!("/orgs/{}", org.id)),
    })
}

fn project_view(project: &Project, origin: &str) -> Value {
    json!({
        "id": project.id,
        "name": project.name,
        "orgId": project.org_id,
        "created": ts(project.created),
        "clusterCount": project.clusters.len(),
        "tags": [],
        "withDefaultAlertsSettings": true,
        "links": views::self_link(origin, &format!("/groups/{}", project.id)),
    })
}

fn name_matches(name: &str, prefix: Option<&str>) -> bool {
    prefix.is_none_or(|p| name.to_lowercase().starts_with(&p.to_lowercase()))
}

/// `GET /orgs`: the caller's own org, filtered by `name` prefix.
pub async fn list_orgs(call: Call) -> SimResult<Response> {
    let world = call.state.read().await;
    let own = call.caller.org_id(&world);
    let items = world
        .orgs
        .values()
        .filter(|org| own.as_deref() == Some(org.id.as_str()))
        .filter(|org| name_matches(&org.name, call.q.get("name")))
        .map(|org| org_view(org, call.q.origin()))
        .collect();
    call.page(&world, items)
}

/// `GET /orgs/{orgId}`.
pub async fn get_org(call: Call, Path(org_id): Path<String>) -> SimResult<Response> {
    let world = call.state.read().await;
    let org = world.org(&org_id)?;
    call.caller.read_org(&world, &org_id)?;
    Ok(views::ok(call.version, org_view(org, call.q.origin())))
}

/// `GET /orgs/{orgId}/groups`.
pub async fn list_org_groups(call: Call, Path(org_id): Path<String>) -> SimResult<Response> {
    let world = call.state.read().await;
    world.org(&org_id)?;
    call.caller.read_org(&world, &org_id)?;
    let items = world
        .projects
        .values()
        .filter(|p| p.org_id == org_id && name_matches(&p.name, call.q.get("name")))
        .map(|p| project_view(p, call.q.origin()))
        .collect();
    call.page(&world, items)
}

/// `GET /groups`: every project the caller can read.
pub async fn list_groups(call: Call) -> SimResult<Response> {
    let world = call.state.read().await;
    let items = world
        .projects
        .values()
        .filter(|p| call.caller.read_group(&world, &p.id).is_ok())
        .map(|p| project_view(p, call.q.origin()))
        .collect();
    call.page(&world, items)
}

/// `GET /groups/{groupId}`.
pub async fn get_group(call: Call, Path(group_id): Path<String>) -> SimResult<Response> {
    let world = call.state.read().await;
    let project = world.project(&group_id)?;
    call.caller.read_group(&world, &group_id)?;
    Ok(views::ok(
        call.version,
        project_view(project, call.q.origin()),
    ))
}
