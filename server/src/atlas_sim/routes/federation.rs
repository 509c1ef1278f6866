//! Federated authentication: the org's federation settings, its connected org config and the
//! role mappings that re-grant Atlas roles at every SSO login.

use axum::body::Bytes;
use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Call, body, target};
use crate::atlas_sim::error::{SimError, SimResult};
use crate::atlas_sim::model::{Federation, RoleMapping};
use crate::atlas_sim::views;
use crate::atlas_sim::world::World;

fn mapping_view(m: &RoleMapping) -> Value {
    json!({ "id": m.id, "externalGroupName": m.external_group_name, "roleAssignments": m.role_assignments })
}

fn connected_view(f: &Federation) -> Value {
    json!({
        "orgId": f.org_id,
        "domainRestrictionEnabled": f.domain_restriction_enabled,
        "domainAllowList": f.domain_allow_list,
        "identityProviderId": f.identity_provider_id,
        "dataAccessIdentityProviderIds": [],
        "postAuthRoleGrants": f.post_auth_role_grants,
        "roleMappings": f.role_mappings.iter().map(mapping_view).collect::<Vec<_>>(),
        "userConflicts": [],
    })
}

/// The federation and connected org the caller may manage (Organization Owner).
fn connected<'w>(
    call: &Call,
    world: &'w World,
    fed_id: &str,
    org_id: &str,
) -> SimResult<&'w Federation> {
    let federation = world.federation(fed_id)?;
    if federation.org_id != org_id {
        return Err(SimError::not_found(
            "RESOURCE_NOT_FOUND",
            "connected organization",
            org_id,
        ));
    }
    call.caller.own_org(world, org_id)?;
    Ok(federation)
}

/// `GET /orgs/{orgId}/federationSettings`.
pub async fn settings(call: Call, Path(org_id): Path<String>) -> SimResult<Response> {
    let world = call.state.read().await;
    world.org(&org_id)?;
    call.caller.own_org(&world, &org_id)?;
    let federation = world
        .federations
        .values()
        .find(|f| f.org_id == org_id)
        .ok_or_else(|| {
            SimError::not_found(
                "RESOURCE_NOT_FOUND",
                "federation settings for organization",
                &org_id,
            )
        })?;
    Ok(views::ok(
        call.version,
        json!({
            "id": federation.id,
            "federatedDomains": federation.federated_domains,
            "hasRoleMappings": !federation.role_mappings.is_empty(),
            "identityProviderId": federation.identity_provider_id,
            "identityProviderStatus": "ACTIVE",
        }),
    ))
}

/// `GET /federationSettings/{id}/connectedOrgConfigs`.
pub async fn connected_orgs(call: Call, Path(fed_id): Path<String>) -> SimResult<Response> {
    let world = call.state.read().await;
    let federation = world.federation(&fed_id)?;
    call.caller.own_org(&world, &federation.org_id)?;
    Ok(views::ok(
        call.version,
        call.q
            .paginate(&world.config, vec![connected_view(federation)])?,
    ))
}

/// `GET /federationSettings/{id}/connectedOrgConfigs/{orgId}`.
pub async fn connected_org(
    call: Call,
    Path((fed_id, org_id)): Path<(String, String)>,
) -> SimResult<Response> {
    let world = call.state.read().await;
    let federation = connected(&call, &world, &fed_id, &org_id)?;
    Ok(views::ok(call.version, connected_view(federation)))
}

/// `GET …/roleMappings`: no paging parameters, still a paginated envelope.
pub async fn list_mappings(
    call: Call,
    Path((fed_id, org_id)): Path<(String, String)>,
) -> SimResult<Response> {
    let world = call.state.read().await;
    let federation = connected(&call, &world, &fed_id, &org_id)?;
    let results: Vec<Value> = federation.role_mappings.iter().map(mapping_view).collect();
    let count = results.len();
    Ok(views::ok(
        call.version,
        json!({ "links": [], "results": results, "totalCount": count }),
    ))
}

/// `GET …/roleMappings/{id}`.
pub async fn get_mapping(
    call: Call,
    Path((fed_id, org_id, id)): Path<(String, String, String)>,
) -> SimResult<Response> {
    let world = call.state.read().await;
    let federation = connected(&call, &world, &fed_id, &org_id)?;
    let mapping = federation
        .role_mappings
        .iter()
        .find(|m| m.id == id)
        .ok_or_else(|| SimError::not_found("RESOURCE_NOT_FOUND", "role mapping", &id))?;
    Ok(views::ok(call.version, mapping_view(mapping)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MappingBody {
    external_group_name: String,
    role_assignments: Vec<Value>,
}

fn check_mapping(org_id: &str, request: &MappingBody) -> SimResult<()> {
    let has_org = request
        .role_assignments
        .iter()
        .any(|a| a["orgId"] == json!(org_id));
    if request.external_group_name.is_empty() || !has_org {
        return Err(SimError::validation(
            "A role mapping needs an external group name and an org-level role assignment.",
        ));
    }
    Ok(())
}

/// `POST …/roleMappings`: 200.
pub async fn create_mapping(
    call: Call,
    Path((fed_id, org_id)): Path<(String, String)>,
    bytes: Bytes,
) -> SimResult<Response> {
    let request: MappingBody = body(&bytes)?;
    check_mapping(&org_id, &request)?;
    let mut world = call.state.write().await;
    connected(&call, &world, &fed_id, &org_id)?;
    let mapping = RoleMapping {
        id: world.next_id(),
        external_group_name: request.external_group_name,
        role_assignments: Value::Array(request.role_assignments),
    };
    let view = mapping_view(&mapping);
    world
        .federations
        .get_mut(&fed_id)
        .ok_or_else(SimError::unexpected)?
        .role_mappings
        .push(mapping);
    call.record(
        &mut world,
        &org_id,
        None,
        "ROLE_MAPPING_CREATED",
        target(&[]),
    );
    Ok(views::ok(call.version, view))
}

/// `PUT …/roleMappings/{id}`: full replace.
pub async fn replace_mapping(
    call: Call,
    Path((fed_id, org_id, id)): Path<(String, String, String)>,
    bytes: Bytes,
) -> SimResult<Response> {
    let request: MappingBody = body(&bytes)?;
    check_mapping(&org_id, &request)?;
    let mut world = call.state.write().await;
    connected(&call, &world, &fed_id, &org_id)?;
    let federation = world
        .federations
        .get_mut(&fed_id)
        .ok_or_else(SimError::unexpected)?;
    let mapping = federation
        .role_mappings
        .iter_mut()
        .find(|m| m.id == id)
        .ok_or_else(|| SimError::not_found("RESOURCE_NOT_FOUND", "role mapping", &id))?;
    mapping.external_group_name = request.external_group_name;
    mapping.role_assignments = Value::Array(request.role_assignments);
    let view = mapping_view(mapping);
    call.record(
        &mut world,
        &org_id,
        None,
        "ROLE_MAPPING_UPDATED",
        target(&[]),
    );
    Ok(views::ok(call.version, view))
}

/// `DELETE …/roleMappings/{id}`: 204.
pub async fn delete_mapping(
    call: Call,
    Path((fed_id, org_id, id)): Path<(String, String, String)>,
) -> SimResult<Response> {
    let mut world = call.state.write().await;
    connected(&call, &world, &fed_id, &org_id)?;
    let federation = world
        .federations
        .get_mut(&fed_id)
        .ok_or_else(SimError::unexpected)?;
    let before = federation.role_mappings.len();
    federation.role_mappings.retain(|m| m.id != id);
    if federation.role_mappings.len() == before {
        return Err(SimError::not_found(
            "RESOURCE_NOT_FOUND",
            "role mapping",
            &id,
        ));
    }
    call.record(
        &mut world,
        &org_id,
        None,
        "ROLE_MAPPING_DELETED",
        target(&[]),
    );
    Ok(views::no_content())
}
