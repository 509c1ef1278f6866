//! `GET /groups/{groupId}/clusters`: the project's clusters by name, so a client can ask each
//! one whether a database-user change has been applied.

use axum::extract::Path;
use axum::response::Response;
use serde_json::json;

use super::Call;
use crate::atlas_sim::error::SimResult;
use crate::atlas_sim::views;

/// Lists the clusters of a project (`listGroupClusters`, 2023-01-01), paginated.
pub async fn list(call: Call, Path(group_id): Path<String>) -> SimResult<Response> {
    let world = call.state.read().await;
    let project = world.project(&group_id)?;
    call.caller.read_group(&world, &group_id)?;
    let items = project
        .clusters
        .iter()
        .map(|name| {
            json!({
                "name": name,
                "groupId": group_id,
                "stateName": "IDLE",
                "links": views::self_link(call.q.origin(), &format!("/groups/{group_id}/clusters/{name}")),
            })
        })
        .collect();
    call.page(&world, items)
}
