//! What one pull reads from Atlas, in the client's own types: the input of derivation.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::backend::atlas::types::{
    ApiKey, CustomDbRole, DatabaseUser, OrgServiceAccount, OrgUser, Organization, Project,
    ProjectTeam, RoleMapping, ServiceAccountProject, Team,
};

/// Everything Atlas said about one organization's access.
#[derive(Debug, Clone)]
pub struct OrgInventory {
    pub org: Organization,
    pub projects: Vec<Project>,
    /// Org users in every membership status.
    pub users: Vec<OrgUser>,
    pub teams: Vec<Team>,
    /// Team id → members.
    pub team_members: BTreeMap<String, Vec<OrgUser>>,
    /// Project id → teams assigned to it, with their roles there.
    pub project_teams: BTreeMap<String, Vec<ProjectTeam>>,
    /// Project id → database users.
    pub database_users: BTreeMap<String, Vec<DatabaseUser>>,
    /// Project id → custom database roles.
    pub custom_roles: BTreeMap<String, Vec<CustomDbRole>>,
    pub api_keys: Vec<ApiKey>,
    pub service_accounts: Vec<OrgServiceAccount>,
    /// Service-account client id → its project assignments.
    pub service_account_projects: BTreeMap<String, Vec<ServiceAccountProject>>,
    /// `None` when the org has no federation settings.
    pub federation: Option<Federation>,
}

/// The federation facts that grant roles: role mappings and post-auth grants.
#[derive(Debug, Clone, Default)]
pub struct Federation {
    pub settings_id: String,
    pub role_mappings: Vec<RoleMapping>,
    /// Org roles everyone signing in through the IdP receives.
    pub post_auth_role_grants: Vec<String>,
}

/// One listing's control total: what Atlas said its size was, and what was received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListingTotal {
    /// The spec's operation id, e.g. `listOrgUsers`.
    pub operation: &'static str,
    /// The org, project, team or account the listing belongs to.
    pub parent: String,
    /// Atlas's `totalCount`; `None` when the endpoint reports none.
    pub reported: Option<u64>,
    pub received: u64,
    /// `match`, `differs` (Atlas calls `totalCount` approximate, so this is recorded, not
    /// fatal) or `unreported`.
    pub outcome: &'static str,
}

impl ListingTotal {
    /// The control total of `received` items against `reported`.
    pub fn new(
        operation: &'static str,
        parent: &str,
        reported: Option<u64>,
        received: usize,
    ) -> Self {
        let received = u64::try_from(received).unwrap_or(u64::MAX);
        let outcome = match reported {
            None => "unreported",
            Some(total) if total == received => "match",
            Some(_) => "differs",
        };
        Self {
            operation,
            parent: parent.to_owned(),
            reported,
            received,
            outcome,
        }
    }
}
