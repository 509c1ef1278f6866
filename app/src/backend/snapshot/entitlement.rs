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

/// Collects rows, keeping the first of any duplicate key, and only the entitlements of one
/// [`Part`] when deriving part by part.
#[derive(Debug)]
pub(super) struct Rows {
    principals: BTreeMap<String, PrincipalRow>,
    entitlements: BTreeMap<String, EntitlementRow>,
    part: Part,
    keep_principals: bool,
}

impl Default for Rows {
    fn default() -> Self {
        Self::new(Part::All, true)
    }
}

impl Rows {
    fn new(part: Part, keep_principals: bool) -> Self {
        Self {
            principals: BTreeMap::new(),
            entitlements: BTreeMap::new(),
            part,
            keep_principals,
        }
    }

    pub(super) fn principal(&mut self, row: PrincipalRow) {
        if self.keep_principals {
            self.principals.entry(row.key.clone()).or_insert(row);
        }
    }

    pub(super) fn entitlement(&mut self, row: EntitlementRow) {
        if self.wants(row.project_id.as_deref()) {
            self.entitlements.entry(row.key.clone()).or_insert(row);
        }
    }

    /// Whether entitlements of `project_id` (`None`: org-scoped) are collected; asked before a
    /// row is built, so that deriving one part skips the others' work.
    pub(super) fn wants(&self, project_id: Option<&str>) -> bool {
        self.part.contains(project_id)
    }

    pub(super) fn into_derived(self, projects: Vec<ProjectRow>) -> Derived {
        Derived {
            projects,
            principals: self.principals.into_values().collect(),
            entitlements: self.entitlements.into_values().collect(),
        }
    }
}

/// A share of an org's entitlements that sorts as one block of keys: org-scoped keys
/// (`org:<orgId>/…`) sort before every project key (`project:<groupId>/…`), and the project
/// keys of a range of `<groupId>/` prefixes sort between those of the range's ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Every entitlement: a whole derivation.
    All,
    /// No entitlement: principals only.
    Nothing,
    /// The org-scoped entitlements.
    Org,
    /// Projects whose `<groupId>/` sorts at or after `from`'s and before `to`'s; `None` leaves
    /// that end open (a project id the listing did not name still falls in exactly one part).
    Projects {
        from: Option<String>,
        to: Option<String>,
    },
}

impl Part {
    fn contains(&self, project_id: Option<&str>) -> bool {
        match (self, project_id) {
            (Part::All, _) => true,
            (Part::Nothing, _) => false,
            (Part::Org, project) => project.is_none(),
            (Part::Projects { .. }, None) => false,
            (Part::Projects { from, to }, Some(project)) => {
                from.as_deref()
                    .is_none_or(|from| key_order(from, project).is_le())
                    && to
                        .as_deref()
                        .is_none_or(|to| key_order(project, to).is_lt())
            }
        }
    }
}

/// Orders project ids as their keys' `project:<groupId>/` prefixes sort.
fn key_order(a: &str, b: &str) -> std::cmp::Ordering {
    let slash = std::iter::once(b'/');
    a.bytes().chain(slash.clone()).cmp(b.bytes().chain(slash))
}

/// The parts a snapshot derives and writes one after another, in key order: the org's own
/// entitlements, then the projects `projects_per_part` at a time.
pub fn parts(inventory: &OrgInventory, projects_per_part: usize) -> Vec<Part> {
    let mut ids: Vec<&str> = inventory.projects.iter().map(|p| p.id.as_str()).collect();
    ids.sort_unstable_by(|a, b| key_order(a, b));
    ids.dedup();
    let bounds: Vec<&str> = ids
        .iter()
        .copied()
        .skip(projects_per_part.max(1))
        .step_by(projects_per_part.max(1))
        .collect();
    let mut parts = vec![Part::Org];
    let mut from = None;
    for bound in bounds {
        parts.push(Part::Projects {
            from: from.take(),
            to: Some(bound.to_owned()),
        });
        from = Some(bound.to_owned());
    }
    parts.push(Part::Projects { from, to: None });
    parts
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
        if rows.wants(None) {
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
        }
        let Some(implied) = implied_project_role(role) else {
            continue;
        };
        for project in &inventory.projects {
            if !rows.wants(Some(&project.id)) {
                continue;
            }
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
    if !rows.wants(Some(project_id)) {
        return;
    }
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
    derive_into(Rows::default(), inventory)
}

/// The projects and every principal of the inventory, sorted by key, without entitlements:
/// what a snapshot stores before it streams the entitlements part by part.
pub fn derive_principals(inventory: &OrgInventory) -> Derived {
    derive_into(Rows::new(Part::Nothing, true), inventory)
}

/// The entitlements of one part of the inventory, sorted by key: exactly [`derive`]'s rows
/// that fall in `part`, the first of a repeated key kept as [`derive`] keeps it. One pass over
/// the whole inventory, building only the rows of `part`.
pub fn derive_part(inventory: &OrgInventory, part: &Part) -> Vec<EntitlementRow> {
    derive_into(Rows::new(part.clone(), false), inventory).entitlements
}

fn derive_into(mut rows: Rows, inventory: &OrgInventory) -> Derived {
    derive_all_but_database_users(&mut rows, inventory);
    dbuser::derive_database_users(&mut rows, inventory);
    let projects = if rows.keep_principals {
        project_rows(inventory)
    } else {
        Vec::new()
    };
    rows.into_derived(projects)
}

fn project_rows(inventory: &OrgInventory) -> Vec<ProjectRow> {
    inventory
        .projects
        .iter()
        .map(|p| ProjectRow {
            project_id: p.id.clone(),
            name: p.name.clone(),
            cluster_count: p.cluster_count,
        })
        .collect()
}

/// Atlas users, teams, API keys, service accounts and federation, in the order that decides
/// which of two rows with one key is kept.
fn derive_all_but_database_users(rows: &mut Rows, inventory: &OrgInventory) {
    let org_id = inventory.org.id.as_str();
    let mut user_status = BTreeMap::new();

    for user in &inventory.users {
        let principal = principal::atlas_user(user);
        user_status.insert(user.id.as_str(), user.org_membership_status);
        if holds_access(user.org_membership_status) {
            org_roles(
                rows,
                inventory,
                &principal.key,
                &user.roles.org_roles,
                GrantPath::Direct,
                None,
            );
            for assignment in &user.roles.group_role_assignments {
                project_roles(
                    rows,
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
                rows,
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
                    rows,
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
                    rows,
                    org_id,
                    &principal.key,
                    project_id,
                    std::slice::from_ref(&role.role_name),
                    Via::DIRECT,
                ),
                // An org role names its org; one without either id is taken as this org's.
                (None, Some(role_org)) if role_org != org_id => {}
                (None, _) => org_roles(
                    rows,
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
            rows,
            inventory,
            &principal.key,
            &account.roles,
            GrantPath::Direct,
            None,
        );
        let assignments = inventory.service_account_projects.get(&account.client_id);
        for assignment in assignments.into_iter().flatten() {
            project_roles(
                rows,
                org_id,
                &principal.key,
                &assignment.group_id,
                &assignment.roles,
                Via::DIRECT,
            );
        }
        rows.principal(principal);
    }

    federation::derive_federation(rows, inventory);
}

#[cfg(test)]
#[path = "entitlement_tests.rs"]
mod tests;
