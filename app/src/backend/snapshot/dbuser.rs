//! Database users: one entitlement per role of each user, scoped to the clusters the user is
//! limited to and the database or collection the role names, with custom roles expanded to
//! their actions for tiering.
//!
//! Key: `project:<groupId>/dbuser:<authDb>/<username>/role:<role>@<db>[.<collection>]`.

use super::entitlement::Rows;
use super::inventory::OrgInventory;
use super::model::{EntitlementRow, GrantPath, Scope, Tier};
use super::principal;
use super::tier::{CustomRoles, builtin_db_role_tier, is_cluster_wide_db_role};
use crate::backend::atlas::types::{DatabaseUser, DatabaseUserRole};

/// Adds every database user of every project, and their roles.
pub(super) fn derive_database_users(rows: &mut Rows, inventory: &OrgInventory) {
    let no_custom_roles = Vec::new();
    for (project_id, users) in &inventory.database_users {
        let custom = inventory
            .custom_roles
            .get(project_id)
            .unwrap_or(&no_custom_roles);
        let custom = CustomRoles::new(custom);
        // Deriving one part of the snapshot, other projects' roles are not even built.
        let wanted = rows.wants(Some(project_id));
        for user in users {
            let principal = principal::database_user(project_id, user);
            for role in user.roles.iter().filter(|_| wanted) {
                rows.entitlement(role_row(
                    &inventory.org.id,
                    project_id,
                    &principal.key,
                    user,
                    role,
                    &custom,
                ));
            }
            rows.principal(principal);
        }
    }
}

/// One role of one database user as an entitlement.
pub fn role_row(
    org_id: &str,
    project_id: &str,
    principal_key: &str,
    user: &DatabaseUser,
    role: &DatabaseUserRole,
    custom: &CustomRoles<'_>,
) -> EntitlementRow {
    let collection = role.collection_name.as_deref().filter(|c| !c.is_empty());
    let target = match collection {
        Some(collection) => format!("{}.{collection}", role.database_name),
        None => role.database_name.clone(),
    };
    let key = format!(
        "project:{project_id}/dbuser:{}/{}/role:{}@{target}",
        user.database_name, user.username, role.role_name
    );
    let (tier, actions) = match builtin_db_role_tier(&role.role_name) {
        Some(tier) => (tier, Vec::new()),
        None => match custom.expand(&role.role_name) {
            Some(expanded) => (expanded.tier, expanded.actions),
            // Neither built in nor defined in the project: Atlas should have refused it, so
            // nothing is known of what it allows.
            None => (Tier::Write, Vec::new()),
        },
    };
    let scope = if collection.is_some() {
        Scope::Collection
    } else if is_cluster_wide_db_role(&role.role_name) {
        Scope::Cluster
    } else {
        Scope::Database
    };
    let mut clusters: Vec<String> = user
        .scopes
        .iter()
        .map(|s| match s.kind.as_str() {
            "CLUSTER" => s.name.clone(),
            other => format!("{other}:{}", s.name),
        })
        .collect();
    clusters.sort();
    clusters.dedup();
    EntitlementRow {
        key,
        principal_key: principal_key.to_owned(),
        grant_path: GrantPath::Direct,
        scope,
        org_id: org_id.to_owned(),
        project_id: Some(project_id.to_owned()),
        cluster_names: clusters,
        database_name: (scope != Scope::Cluster).then(|| role.database_name.clone()),
        collection_name: collection.map(str::to_owned),
        role: role.role_name.clone(),
        tier,
        via_team_id: None,
        via_mapping_id: None,
        via_org_role: None,
        role_actions: actions,
    }
}
