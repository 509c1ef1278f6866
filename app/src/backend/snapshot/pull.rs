//! Reading one organization through the Atlas client into an [`OrgInventory`], with a control
//! total for every listing. Any failed call fails the whole pull: there is no partial result.

use std::collections::BTreeMap;

use futures_util::{StreamExt, TryStreamExt, stream};

use super::inventory::{Federation, ListingTotal, OrgInventory};
use crate::backend::atlas::types::{CustomDbRole, DatabaseUser, OrgUser, ProjectTeam};
use crate::backend::atlas::{AtlasClient, AtlasError, ErrorKind, Listing};

/// Projects (and teams, and service accounts) read at the same time; the client's own pacing
/// still applies on top.
const CONCURRENCY: usize = 4;

/// Receives one human-readable line per step of a pull.
pub type Progress<'a> = &'a (dyn Fn(&str) + Send + Sync);

/// What a pull read.
#[derive(Debug, Clone)]
pub struct Pulled {
    pub inventory: OrgInventory,
    /// One control total per listing, in the order read.
    pub totals: Vec<ListingTotal>,
}

fn total<T>(operation: &'static str, parent: &str, listing: &Listing<T>) -> ListingTotal {
    ListingTotal::new(
        operation,
        parent,
        listing.reported_total,
        listing.items.len(),
    )
}

/// What one project contributes.
struct ProjectRead {
    project_id: String,
    teams: Listing<ProjectTeam>,
    database_users: Listing<DatabaseUser>,
    custom_roles: Vec<CustomDbRole>,
}

async fn read_project(client: &AtlasClient, project_id: String) -> Result<ProjectRead, AtlasError> {
    let teams = client.list_project_teams(&project_id).await?;
    let database_users = client.list_database_users(&project_id).await?;
    let custom_roles = client.list_custom_db_roles(&project_id).await?;
    Ok(ProjectRead {
        project_id,
        teams,
        database_users,
        custom_roles,
    })
}

/// Reads everything about `org_id` that grants access.
pub async fn pull_org(
    client: &AtlasClient,
    org_id: &str,
    progress: Progress<'_>,
) -> Result<Pulled, AtlasError> {
    let mut totals = Vec::new();
    progress("reading the organization");
    let org = client.get_org(org_id).await?;

    progress("listing projects");
    let projects = client.list_projects(org_id).await?;
    totals.push(total("getOrgGroups", org_id, &projects));

    progress("listing Atlas users");
    let users = client.list_org_users(org_id).await?;
    totals.push(total("listOrgUsers", org_id, &users));

    progress("listing teams and their members");
    let teams = client.list_teams(org_id).await?;
    totals.push(total("listOrgTeams", org_id, &teams));
    // Streams run over owned ids, not borrowed items: a closure taking a reference makes the
    // whole pull a future the compiler cannot prove `Send`, and a background snapshot needs it.
    let team_ids: Vec<String> = teams.items.iter().map(|t| t.id.clone()).collect();
    let members: Vec<(String, Listing<OrgUser>)> = stream::iter(team_ids)
        .map(|team_id| async move {
            let listing = client.list_team_members(org_id, &team_id).await?;
            Ok::<_, AtlasError>((team_id, listing))
        })
        .buffered(CONCURRENCY)
        .try_collect()
        .await?;
    let mut team_members = BTreeMap::new();
    for (team_id, listing) in members {
        totals.push(total("listOrgTeamUsers", &team_id, &listing));
        team_members.insert(team_id, listing.items);
    }

    let project_count = projects.items.len();
    let mut project_teams = BTreeMap::new();
    let mut database_users = BTreeMap::new();
    let mut custom_roles = BTreeMap::new();
    let project_ids: Vec<String> = projects.items.iter().map(|p| p.id.clone()).collect();
    let mut reads = stream::iter(project_ids)
        .map(|project_id| read_project(client, project_id))
        .buffered(CONCURRENCY);
    let mut done = 0;
    while let Some(read) = reads.next().await {
        let read = read?;
        done += 1;
        progress(&format!(
            "read project {done} of {project_count}: teams, database users, custom roles"
        ));
        totals.push(total("listGroupTeams", &read.project_id, &read.teams));
        totals.push(total(
            "listGroupDatabaseUsers",
            &read.project_id,
            &read.database_users,
        ));
        totals.push(ListingTotal::new(
            "listGroupCustomDbRoleRoles",
            &read.project_id,
            None,
            read.custom_roles.len(),
        ));
        project_teams.insert(read.project_id.clone(), read.teams.items);
        database_users.insert(read.project_id.clone(), read.database_users.items);
        custom_roles.insert(read.project_id, read.custom_roles);
    }
    drop(reads);

    progress("listing API keys");
    let api_keys = client.list_org_api_keys(org_id).await?;
    totals.push(total("listOrgApiKeys", org_id, &api_keys));

    progress("listing service accounts and their projects");
    let service_accounts = client.list_org_service_accounts(org_id).await?;
    totals.push(total("listOrgServiceAccounts", org_id, &service_accounts));
    let client_ids: Vec<String> = service_accounts
        .items
        .iter()
        .map(|a| a.client_id.clone())
        .collect();
    let assignments: Vec<(String, Listing<_>)> = stream::iter(client_ids)
        .map(|client_id| async move {
            let listing = client
                .list_service_account_projects(org_id, &client_id)
                .await?;
            Ok::<_, AtlasError>((client_id, listing))
        })
        .buffered(CONCURRENCY)
        .try_collect()
        .await?;
    let mut service_account_projects = BTreeMap::new();
    for (client_id, listing) in assignments {
        totals.push(total("getOrgServiceAccountGroups", &client_id, &listing));
        service_account_projects.insert(client_id, listing.items);
    }

    progress("reading federation settings and role mappings");
    let federation = read_federation(client, org_id, &mut totals).await?;

    Ok(Pulled {
        inventory: OrgInventory {
            org,
            projects: projects.items,
            users: users.items,
            teams: teams.items,
            team_members,
            project_teams,
            database_users,
            custom_roles,
            api_keys: api_keys.items,
            service_accounts: service_accounts.items,
            service_account_projects,
            federation,
        },
        totals,
    })
}

/// The org's role mappings and post-auth grants, or `None` when it has no federation.
async fn read_federation(
    client: &AtlasClient,
    org_id: &str,
    totals: &mut Vec<ListingTotal>,
) -> Result<Option<Federation>, AtlasError> {
    let settings = match client.get_federation_settings(org_id).await {
        Ok(settings) => settings,
        // No federation configured. Any other refusal (a credential that is not Organization
        // Owner gets 403) fails the pull: a snapshot without the mappings would be incomplete.
        Err(err) if err.kind() == ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err),
    };
    let configs = client.list_connected_org_configs(&settings.id).await?;
    totals.push(total(
        "listFederationSettingConnectedOrgConfigs",
        &settings.id,
        &configs,
    ));
    let Some(config) = configs.items.into_iter().find(|c| c.org_id == org_id) else {
        return Ok(None);
    };
    let mappings = client.list_role_mappings(&settings.id, org_id).await?;
    totals.push(total(
        "listFederationSettingConnectedOrgConfigRoleMappings",
        org_id,
        &mappings,
    ));
    Ok(Some(Federation {
        settings_id: settings.id,
        role_mappings: mappings.items,
        post_auth_role_grants: config.post_auth_role_grants,
    }))
}
