//! Derivation: from what Atlas said ([`OrgInventory`]) to principal and entitlement rows.
//! Pure functions, no I/O; the same inventory always yields the same rows, sorted by key.
//!
//! Entitlement keys are stable across snapshots. A direct grant has the short form
//! (`project:<groupId>/user:<userId>/role:GROUP_OWNER`, `org:<orgId>/apikey:<id>/role:…`); a
//! grant held some other way appends how (`…/via:team:<teamId>`, `…/via:org_role:ORG_OWNER`),
//! so the same role held twice is two entitlements, each revoked in its own place.
//! Database users are derived in [`super::dbuser`].

use std::collections::BTreeMap;

use super::inventory::OrgInventory;
use super::model::{Derived, EntitlementRow, GrantPath, PrincipalRow, ProjectRow, Scope};
use super::principal;
use super::tier::{org_role_tier, project_role_tier};
use super::{dbuser, federation};
use crate::backend::atlas::types::MembershipStatus;

/// Project roles an org role implies on every project of the org.
pub fn implied_project_role(org_role: &str) -> Option<&'static str> {
    match org_role {
        "ORG_OWNER" => Some("GROUP_OWNER"),
        "ORG_READ_ONLY" => Some("GROUP_READ_ONLY"),
        "ORG_STREAM_PROCESSING_ADMIN" => Some("GROUP_STREAM_PROCESSING_OWNER"),
        _ => None,
    }
}

/// Collects rows, keeping the first of any duplicate key.
#[derive(Debug, Default)]
pub(super) struct Rows {
    principals: BTreeMap<String, PrincipalRow>,
    entitlements: BTreeMap<String, EntitlementRow>,
}

impl Rows {
    pub(super) fn principal(&mut self, row: PrincipalRow) {
        self.principals.entry(row.key.clone()).or_insert(row);
    }

    pub(super) fn entitlement(&mut self, row: EntitlementRow) {
        self.entitlements.entry(row.key.clone()).or_insert(row);
    }

    fn into_derived(self, projects: Vec<ProjectRow>) -> Derived {
        Derived {
            projects,
            principals: self.principals.into_values().collect(),
            entitlements: self.entitlements.into_values().collect(),
        }
    }
}

/// A role grant before it becomes a row: who, where, what, and how.
struct Grant<'a> {
    principal_key: &'a str,
    org_id: &'a str,
    project_id: Option<&'a str>,
    role: &'a str,
    path: GrantPath,
    via_team_id: Option<&'a str>,
    via_mapping_id: Option<&'a str>,
    via_org_role: Option<&'a str>,
}

impl Grant<'_> {
    fn into_row(self) -> EntitlementRow {
        let (scope, tier, mut key) = match self.project_id {
            Some(project) => (
                Scope::Project,
                project_role_tier(self.role),
                format!(
                    "project:{project}/{}/role:{}",
                    self.principal_key, self.role
                ),
            ),
            None => (
                Scope::Org,
                org_role_tier(self.role),
                format!(
                    "org:{}/{}/role:{}",
                    self.org_id, self.principal_key, self.role
                ),
            ),
        };
        if let Some(team) = self.via_team_id {
            key.push_str(&format!("/via:team:{team}"));
        }
        if let Some(org_role) = self.via_org_role {
            key.push_str(&format!("/via:org_role:{org_role}"));
        }
        EntitlementRow {
            key,
            principal_key: self.principal_key.to_owned(),
            grant_path: self.path,
            scope,
            org_id: self.org_id.to_owned(),
            project_id: self.project_id.map(str::to_owned),
            cluster_names: Vec::new(),
            database_name: None,
            collection_name: None,
            role: self.role.to_owned(),
            tier,
            via_team_id: self.via_team_id.map(str::to_owned),
            via_mapping_id: self.via_mapping_id.map(str::to_owned),
            via_org_role: self.via_org_role.map(str::to_owned),
            role_actions: Vec::new(),
        }
    }
}

/// Org roles of one principal, each as an org-scoped grant plus the project grants it implies
/// on every project.
pub(super) fn org_roles(
    rows: &mut Rows,
    inventory: &OrgInventory,
    principal_key: &str,
    roles: &[String],
    path: GrantPath,
    via_mapping_id: Option<&str>,
) {
    let org_id = inventory.org.id.as_str();
    for role in roles {
        rows.entitlement(
            Grant {
                principal_key,
                org_id,
                project_id: None,
                role,
                path,
                via_team_id: None,
                via_mapping_id,
                via_org_role: None,
            }
            .into_row(),
        );
        let Some(implied) = implied_project_role(role) else {
            continue;
        };
        for project in &inventory.projects {
            rows.entitlement(
                Grant {
                    principal_key,
                    org_id,
                    project_id: Some(&project.id),
                    role: implied,
                    path: GrantPath::ImplicitOrgRole,
                    via_team_id: None,
                    via_mapping_id,
                    via_org_role: Some(role),
                }
                .into_row(),
            );
        }
    }
}

/// How a project grant reaches its principal.
#[derive(Clone, Copy)]
pub(super) struct Via<'a> {
    pub(super) path: GrantPath,
    pub(super) team_id: Option<&'a str>,
    pub(super) mapping_id: Option<&'a str>,
}

impl Via<'_> {
    const DIRECT: Via<'static> = Via {
        path: GrantPath::Direct,
        team_id: None,
        mapping_id: None,
    };
}

/// Project roles of one principal in one project.
pub(super) fn project_roles(
    rows: &mut Rows,
    org_id: &str,
    principal_key: &str,
    project_id: &str,
    roles: &[String],
    via: Via<'_>,
) {
    for role in roles {
        rows.entitlement(
            Grant {
                principal_key,
                org_id,
                project_id: Some(project_id),
                role,
                path: via.path,
                via_team_id: via.team_id,
                via_mapping_id: via.mapping_id,
                via_org_role: None,
            }
            .into_row(),
        );
    }
}

/// Whether a user's roles are in force or about to be: active members and open invitations.
/// Expired and rejected invitations are kept as principals but grant nothing.
fn holds_access(status: MembershipStatus) -> bool {
    matches!(
        status,
        MembershipStatus::Active | MembershipStatus::Pending | MembershipStatus::Unknown
    )
}

/// Every principal and entitlement of the inventory, sorted by key.
pub fn derive(inventory: &OrgInventory) -> Derived {
    let mut rows = Rows::default();
    let org_id = inventory.org.id.as_str();
    let mut user_status = BTreeMap::new();

    for user in &inventory.users {
        let principal = principal::atlas_user(user);
        user_status.insert(user.id.as_str(), user.org_membership_status);
        if holds_access(user.org_membership_status) {
            org_roles(
                &mut rows,
                inventory,
                &principal.key,
                &user.roles.org_roles,
                GrantPath::Direct,
                None,
            );
            for assignment in &user.roles.group_role_assignments {
                project_roles(
                    &mut rows,
                    org_id,
                    &principal.key,
                    &assignment.group_id,
                    &assignment.group_roles,
                    Via::DIRECT,
                );
            }
        }
        rows.principal(principal);
    }

    for team in &inventory.teams {
        rows.principal(principal::team(&team.id, &team.name));
    }
    for (project_id, teams) in &inventory.project_teams {
        for assignment in teams {
            let team_key = principal::team_key(&assignment.team_id);
            rows.principal(principal::team(&assignment.team_id, &assignment.team_id));
            project_roles(
                &mut rows,
                org_id,
                &team_key,
                project_id,
                &assignment.role_names,
                Via::DIRECT,
            );
            let members = inventory.team_members.get(&assignment.team_id);
            for member in members.into_iter().flatten() {
                // A member missing from the org listing is still recorded as who they are.
                rows.principal(principal::atlas_user(member));
                let status = user_status
                    .get(member.id.as_str())
                    .copied()
                    .unwrap_or(member.org_membership_status);
                if !holds_access(status) {
                    continue;
                }
                project_roles(
                    &mut rows,
                    org_id,
                    &principal::atlas_user_key(&member.id),
                    project_id,
                    &assignment.role_names,
                    Via {
                        path: GrantPath::Team,
                        team_id: Some(&assignment.team_id),
                        mapping_id: None,
                    },
                );
            }
        }
    }

    for key in &inventory.api_keys {
        let principal = principal::api_key(key);
        for role in &key.roles {
            match (&role.group_id, &role.org_id) {
                (Some(project_id), _) => project_roles(
                    &mut rows,
                    org_id,
                    &principal.key,
                    project_id,
                    std::slice::from_ref(&role.role_name),
                    Via::DIRECT,
                ),
                // An org role names its org; one without either id is taken as this org's.
                (None, Some(role_org)) if role_org != org_id => {}
                (None, _) => org_roles(
                    &mut rows,
                    inventory,
                    &principal.key,
                    std::slice::from_ref(&role.role_name),
                    GrantPath::Direct,
                    None,
                ),
            }
        }
        rows.principal(principal);
    }

    for account in &inventory.service_accounts {
        let principal = principal::service_account(account);
        org_roles(
            &mut rows,
            inventory,
            &principal.key,
            &account.roles,
            GrantPath::Direct,
            None,
        );
        let assignments = inventory.service_account_projects.get(&account.client_id);
        for assignment in assignments.into_iter().flatten() {
            project_roles(
                &mut rows,
                org_id,
                &principal.key,
                &assignment.group_id,
                &assignment.roles,
                Via::DIRECT,
            );
        }
        rows.principal(principal);
    }

    federation::derive_federation(&mut rows, inventory);
    dbuser::derive_database_users(&mut rows, inventory);

    let projects = inventory
        .projects
        .iter()
        .map(|p| ProjectRow {
            project_id: p.id.clone(),
            name: p.name.clone(),
            cluster_count: p.cluster_count,
        })
        .collect();
    rows.into_derived(projects)
}

#[cfg(test)]
#[path = "entitlement_tests.rs"]
mod tests;
