//! The simulated Admin API's routes, one file per resource family. Handlers take a `Call`
//! (state, authenticated caller, negotiated version, query), check the caller's roles, read or
//! change the world, and answer with the versioned view or an Atlas error.

mod access_history;
mod api_keys;
mod clusters;
mod custom_roles;
mod db_users;
mod events;
mod federation;
mod group_users;
mod org_users;
mod orgs;
mod rules;
mod service_accounts;
mod teams;

use axum::Router;
use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::auth::Caller;
use super::error::{SimError, SimResult};
use super::paging::ListQuery;
use super::state::SimState;
use super::version::ApiVersion;
use super::views;
use super::world::World;

/// Root of every Admin API v2 path.
pub const BASE: &str = "/api/atlas/v2";

/// What every handler needs from the request.
pub struct Call {
    pub state: SimState,
    pub caller: Caller,
    pub version: ApiVersion,
    pub q: ListQuery,
}

impl FromRequestParts<SimState> for Call {
    type Rejection = SimError;

    async fn from_request_parts(parts: &mut Parts, state: &SimState) -> Result<Self, SimError> {
        let caller = parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(SimError::unexpected)?;
        let version = parts
            .extensions
            .get::<ApiVersion>()
            .copied()
            .ok_or_else(SimError::unexpected)?;
        let q = ListQuery::from_request_parts(parts, state).await?;
        Ok(Self {
            state: state.clone(),
            caller,
            version,
            q,
        })
    }
}

impl Call {
    /// Appends an Atlas event caused by this call's caller, as Atlas does for every change.
    pub fn record(
        &self,
        world: &mut World,
        org_id: &str,
        group_id: Option<&str>,
        event_type: &str,
        target: Map<String, Value>,
    ) {
        let actor = Some(self.caller.actor(world));
        world.record(org_id, group_id, event_type, actor, target);
    }

    /// Answers with one page of `items` in the paginated envelope, in this call's version.
    pub fn page(&self, world: &World, items: Vec<Value>) -> SimResult<Response> {
        Ok(views::ok(
            self.version,
            self.q.paginate(&world.config, items)?,
        ))
    }
}

/// Parses a JSON request body, 400 when it does not fit the operation's schema.
pub fn body<T: DeserializeOwned>(bytes: &Bytes) -> SimResult<T> {
    serde_json::from_slice(bytes)
        .map_err(|err| SimError::validation(format!("Invalid request body: {err}.")))
}

/// Splits `64ab…:removeRole` into the id and the action.
pub fn split_action(segment: &str) -> SimResult<(&str, &str)> {
    segment.split_once(':').ok_or_else(|| {
        SimError::new(
            axum::http::StatusCode::NOT_FOUND,
            "RESOURCE_NOT_FOUND",
            "No such action.",
        )
    })
}

fn p(path: &str) -> String {
    format!("{BASE}{path}")
}

/// Every Admin API route, without middleware.
pub fn api_routes() -> Router<SimState> {
    Router::new()
        .route(&p("/orgs"), get(orgs::list_orgs))
        .route(&p("/orgs/{orgId}"), get(orgs::get_org))
        .route(&p("/orgs/{orgId}/groups"), get(orgs::list_org_groups))
        .route(&p("/groups"), get(orgs::list_groups))
        .route(&p("/groups/{groupId}"), get(orgs::get_group))
        .route(&p("/groups/{groupId}/clusters"), get(clusters::list))
        .route(&p("/groups/{groupId}/clusters/{clusterName}/status"), get(db_users::cluster_status))
        .route(&p("/orgs/{orgId}/users"), get(org_users::list).post(org_users::invite))
        .route(
            &p("/orgs/{orgId}/users/{userId}"),
            get(org_users::get_one)
                .patch(org_users::update)
                .delete(org_users::remove)
                .post(org_users::role_action),
        )
        .route(&p("/groups/{groupId}/users"), get(group_users::list).post(group_users::add))
        .route(
            &p("/groups/{groupId}/users/{userId}"),
            get(group_users::get_one)
                .delete(group_users::remove)
                .post(group_users::role_action),
        )
        .route(&p("/orgs/{orgId}/teams"), get(teams::list).post(teams::create))
        .route(
            &p("/orgs/{orgId}/teams/{teamId}"),
            get(teams::get_one)
                .patch(teams::rename)
                .delete(teams::delete)
                .post(teams::member_action),
        )
        .route(&p("/orgs/{orgId}/teams/byName/{teamName}"), get(teams::by_name))
        .route(&p("/orgs/{orgId}/teams/{teamId}/users"), get(teams::members))
        .route(&p("/groups/{groupId}/teams"), get(teams::list_on_group).post(teams::assign))
        .route(
            &p("/groups/{groupId}/teams/{teamId}"),
            get(teams::get_on_group)
                .patch(teams::update_on_group)
                .delete(teams::unassign),
        )
        .route(&p("/groups/{groupId}/databaseUsers"), get(db_users::list).post(db_users::create))
        .route(
            &p("/groups/{groupId}/databaseUsers/{databaseName}/{username}"),
            get(db_users::get_one).patch(db_users::update).delete(db_users::delete),
        )
        .route(
            &p("/groups/{groupId}/customDBRoles/roles"),
            get(custom_roles::list).post(custom_roles::create),
        )
        .route(
            &p("/groups/{groupId}/customDBRoles/roles/{roleName}"),
            get(custom_roles::get_one).patch(custom_roles::update).delete(custom_roles::delete),
        )
        .route(&p("/orgs/{orgId}/apiKeys"), get(api_keys::list).post(api_keys::create))
        .route(
            &p("/orgs/{orgId}/apiKeys/{apiUserId}"),
            get(api_keys::get_one).patch(api_keys::update).delete(api_keys::delete),
        )
        .route(&p("/groups/{groupId}/apiKeys"), get(api_keys::list_on_group))
        .route(
            &p("/groups/{groupId}/apiKeys/{apiUserId}"),
            post(api_keys::assign)
                .patch(api_keys::update_on_group)
                .delete(api_keys::unassign),
        )
        .route(
            &p("/orgs/{orgId}/serviceAccounts"),
            get(service_accounts::list).post(service_accounts::create),
        )
        .route(
            &p("/orgs/{orgId}/serviceAccounts/{clientId}"),
            get(service_accounts::get_one)
                .patch(service_accounts::update)
                .delete(service_accounts::delete),
        )
        .route(&p("/orgs/{orgId}/serviceAccounts/{clientId}/groups"), get(service_accounts::groups_of))
        .route(&p("/groups/{groupId}/serviceAccounts"), get(service_accounts::list_on_group))
        .route(
            &p("/groups/{groupId}/serviceAccounts/{clientId}"),
            get(service_accounts::get_on_group)
                .delete(service_accounts::unassign)
                .post(service_accounts::invite),
        )
        .route(&p("/orgs/{orgId}/federationSettings"), get(federation::settings))
        .route(
            &p("/federationSettings/{federationSettingsId}/connectedOrgConfigs"),
            get(federation::connected_orgs),
        )
        .route(
            &p("/federationSettings/{federationSettingsId}/connectedOrgConfigs/{orgId}"),
            get(federation::connected_org),
        )
        .route(
            &p("/federationSettings/{federationSettingsId}/connectedOrgConfigs/{orgId}/roleMappings"),
            get(federation::list_mappings).post(federation::create_mapping),
        )
        .route(
            &p("/federationSettings/{federationSettingsId}/connectedOrgConfigs/{orgId}/roleMappings/{id}"),
            get(federation::get_mapping)
                .put(federation::replace_mapping)
                .delete(federation::delete_mapping),
        )
        .route(
            &p("/groups/{groupId}/dbAccessHistory/clusters/{clusterName}"),
            get(access_history::by_cluster),
        )
        .route(
            &p("/groups/{groupId}/dbAccessHistory/processes/{hostname}"),
            get(access_history::by_host),
        )
        .route(&p("/orgs/{orgId}/events"), get(events::list_org))
        .route(&p("/orgs/{orgId}/events/{eventId}"), get(events::get_org))
        .route(&p("/groups/{groupId}/events"), get(events::list_group))
        .route(&p("/groups/{groupId}/events/{eventId}"), get(events::get_group))
}

/// Target fields of an event, e.g. `[("targetUsername", json!(name))]`.
pub fn target(pairs: &[(&str, serde_json::Value)]) -> serde_json::Map<String, serde_json::Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}
