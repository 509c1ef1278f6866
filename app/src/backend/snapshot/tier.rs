//! Privilege tiers from Atlas's role meanings (org, project and built-in database roles) and,
//! for custom database roles, from the privilege actions they grant.
//!
//! Role names are open strings in Atlas and new ones appear often. A name this file does not
//! know is tiered `write`, never `read`: an unknown role is not assumed harmless.

use std::collections::{BTreeMap, BTreeSet};

use super::model::Tier;
use crate::backend::atlas::types::CustomDbRole;

/// The tier of an organization role.
pub fn org_role_tier(role: &str) -> Tier {
    match role {
        // Implicit Project Owner everywhere; manages users, keys and federation.
        "ORG_OWNER" => Tier::Admin,
        // Stream Processing Owner on every project, which may manage database users.
        "ORG_STREAM_PROCESSING_ADMIN" => Tier::Admin,
        "ORG_READ_ONLY" | "ORG_MEMBER" | "ORG_BILLING_READ_ONLY" => Tier::Read,
        _ => Tier::Write,
    }
}

/// The tier of a project role.
pub fn project_role_tier(role: &str) -> Tier {
    match role {
        // Each of these can grant access or create credentials with full data access.
        "GROUP_OWNER"
        | "GROUP_DATABASE_ACCESS_ADMIN"
        | "GROUP_ACCESS_MANAGER"
        | "GROUP_STREAM_PROCESSING_OWNER" => Tier::Admin,
        "GROUP_READ_ONLY"
        | "GROUP_DATA_ACCESS_READ_ONLY"
        | "GROUP_OBSERVABILITY_VIEWER"
        | "GROUP_CLUSTER_LOG_VIEWER" => Tier::Read,
        other if other.ends_with("_READ_ONLY") || other.ends_with("_VIEWER") => Tier::Read,
        _ => Tier::Write,
    }
}

/// The tier of a built-in database role, or `None` when `role` is not built in.
pub fn builtin_db_role_tier(role: &str) -> Option<Tier> {
    match role {
        "atlasAdmin" => Some(Tier::Admin),
        "readWriteAnyDatabase"
        | "readWrite"
        | "dbAdmin"
        | "dbAdminAnyDatabase"
        | "enableSharding" => Some(Tier::Write),
        // `backup` reads everything, for backups; it changes nothing.
        "read" | "readAnyDatabase" | "clusterMonitor" | "backup" => Some(Tier::Read),
        _ => None,
    }
}

/// Whether a built-in database role covers every database of a cluster rather than the
/// database named in the grant.
pub fn is_cluster_wide_db_role(role: &str) -> bool {
    matches!(
        role,
        "atlasAdmin"
            | "readWriteAnyDatabase"
            | "readAnyDatabase"
            | "dbAdminAnyDatabase"
            | "clusterMonitor"
            | "backup"
            | "enableSharding"
    )
}

/// Actions that manage users or roles: whoever holds them can grant themselves anything.
const ADMIN_ACTIONS: &[&str] = &[
    "CREATE_USER",
    "DROP_USER",
    "UPDATE_USER",
    "GRANT_ROLE",
    "REVOKE_ROLE",
    "CREATE_ROLE",
    "DROP_ROLE",
    "UPDATE_ROLE",
    "CHANGE_PASSWORD",
    "CHANGE_CUSTOM_DATA",
    "SET_USER_WRITE_BLOCK",
    "BYPASS_USER_WRITE_BLOCK",
];

/// Actions that only read data or metadata. Everything else, including actions added to
/// Atlas after this list was written, counts as write.
const READ_ACTIONS: &[&str] = &[
    "FIND",
    "CHANGE_STREAM",
    "USE_UUID",
    "BYPASS_DEFAULT_MAX_TIME_MS",
    "LIST_SESSIONS",
    "COLL_STATS",
    "CONN_POOL_STATS",
    "DB_HASH",
    "DB_STATS",
    "GET_CMD_LINE_OPTS",
    "GET_LOG",
    "GET_PARAMETER",
    "GET_SHARD_MAP",
    "HOST_INFO",
    "IN_PROG",
    "LIST_DATABASES",
    "LIST_COLLECTIONS",
    "LIST_INDEXES",
    "LIST_SHARDS",
    "NET_STAT",
    "REPL_SET_GET_CONFIG",
    "REPL_SET_GET_STATUS",
    "SERVER_STATUS",
    "VALIDATE",
    "SHARDING_STATE",
    "TOP",
    "SQL_GET_SCHEMA",
    "VIEW_ALL_HISTORY",
    "STORAGE_GET_CONFIG",
    "CHECK_METADATA_CONSISTENCY",
    "ANALYZE_SHARD_KEY",
    "SHARDED_DATA_DISTRIBUTION",
    "GET_STREAM_PROCESSOR",
    "SAMPLE_STREAM_PROCESSOR",
    "LIST_STREAM_PROCESSORS",
    "LIST_CONNECTIONS",
    "STREAM_PROCESSOR_STATS",
    "LIST_SEARCH_INDEXES",
];

/// The tier one privilege action gives.
pub fn action_tier(action: &str) -> Tier {
    if ADMIN_ACTIONS.contains(&action) {
        Tier::Admin
    } else if READ_ACTIONS.contains(&action) {
        Tier::Read
    } else {
        Tier::Write
    }
}

/// A project's custom roles by name, able to expand a role through its inherited roles.
#[derive(Debug, Default)]
pub struct CustomRoles<'a> {
    by_name: BTreeMap<&'a str, &'a CustomDbRole>,
}

/// A custom role's effective privileges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    pub tier: Tier,
    /// Every action, from the role and everything it inherits, sorted.
    pub actions: Vec<String>,
}

impl<'a> CustomRoles<'a> {
    /// Indexes `roles` by name.
    pub fn new(roles: &'a [CustomDbRole]) -> Self {
        Self {
            by_name: roles.iter().map(|r| (r.role_name.as_str(), r)).collect(),
        }
    }

    /// Expands `name`, or `None` when the project has no such custom role.
    pub fn expand(&self, name: &str) -> Option<Expanded> {
        self.by_name.get(name)?;
        let mut actions = BTreeSet::new();
        let mut tier = Tier::Read;
        let mut seen = BTreeSet::new();
        let mut pending = vec![name.to_owned()];
        // Inherited roles may form a cycle in a malformed answer; each is visited once.
        while let Some(current) = pending.pop() {
            if !seen.insert(current.clone()) {
                continue;
            }
            if let Some(builtin) = builtin_db_role_tier(&current) {
                tier = tier.max(builtin);
                continue;
            }
            let Some(role) = self.by_name.get(current.as_str()) else {
                // An inherited role that is neither built in nor defined here.
                tier = tier.max(Tier::Write);
                continue;
            };
            for privilege in &role.actions {
                tier = tier.max(action_tier(&privilege.action));
                actions.insert(privilege.action.clone());
            }
            pending.extend(role.inherited_roles.iter().map(|r| r.role.clone()));
        }
        Some(Expanded {
            tier,
            actions: actions.into_iter().collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::atlas::types::{InheritedRole, PrivilegeAction};

    fn custom(name: &str, actions: &[&str], inherits: &[&str]) -> CustomDbRole {
        CustomDbRole {
            role_name: name.to_owned(),
            actions: actions
                .iter()
                .map(|a| PrivilegeAction {
                    action: (*a).to_owned(),
                    resources: vec![],
                })
                .collect(),
            inherited_roles: inherits
                .iter()
                .map(|r| InheritedRole {
                    db: "admin".to_owned(),
                    role: (*r).to_owned(),
                })
                .collect(),
        }
    }

    #[test]
    fn org_roles_follow_their_meaning() {
        assert_eq!(org_role_tier("ORG_OWNER"), Tier::Admin);
        assert_eq!(org_role_tier("ORG_READ_ONLY"), Tier::Read);
        assert_eq!(org_role_tier("ORG_MEMBER"), Tier::Read);
        assert_eq!(org_role_tier("ORG_GROUP_CREATOR"), Tier::Write);
        assert_eq!(org_role_tier("ORG_SOMETHING_NEW"), Tier::Write);
    }

    #[test]
    fn project_roles_follow_their_meaning_and_unknown_ones_are_not_read() {
        assert_eq!(project_role_tier("GROUP_OWNER"), Tier::Admin);
        assert_eq!(
            project_role_tier("GROUP_DATABASE_ACCESS_ADMIN"),
            Tier::Admin
        );
        assert_eq!(
            project_role_tier("GROUP_DATA_ACCESS_READ_WRITE"),
            Tier::Write
        );
        assert_eq!(project_role_tier("GROUP_CLUSTER_MANAGER"), Tier::Write);
        assert_eq!(project_role_tier("GROUP_READ_ONLY"), Tier::Read);
        assert_eq!(project_role_tier("GROUP_FUTURE_THING_VIEWER"), Tier::Read);
        assert_eq!(project_role_tier("GROUP_FUTURE_THING"), Tier::Write);
    }

    #[test]
    fn builtin_database_roles_are_tiered_and_custom_names_are_not_builtin() {
        assert_eq!(builtin_db_role_tier("atlasAdmin"), Some(Tier::Admin));
        assert_eq!(builtin_db_role_tier("readWrite"), Some(Tier::Write));
        assert_eq!(builtin_db_role_tier("read"), Some(Tier::Read));
        assert_eq!(builtin_db_role_tier("reportingReader"), None);
        assert!(is_cluster_wide_db_role("readAnyDatabase"));
        assert!(!is_cluster_wide_db_role("readWrite"));
    }

    #[test]
    fn custom_role_with_a_write_action_is_write() {
        let roles = [custom("orders-editor", &["FIND", "UPDATE"], &[])];
        let expanded = CustomRoles::new(&roles)
            .expand("orders-editor")
            .expect("defined");
        assert_eq!(expanded.tier, Tier::Write);
        assert_eq!(expanded.actions, ["FIND", "UPDATE"]);
    }

    #[test]
    fn custom_role_with_only_read_actions_is_read_and_unknown_actions_are_write() {
        let roles = [
            custom("viewer", &["FIND", "LIST_COLLECTIONS"], &[]),
            custom("exporter", &["FIND", "OUT_TO_S3"], &[]),
        ];
        let index = CustomRoles::new(&roles);
        assert_eq!(index.expand("viewer").map(|e| e.tier), Some(Tier::Read));
        assert_eq!(index.expand("exporter").map(|e| e.tier), Some(Tier::Write));
        assert_eq!(index.expand("missing"), None);
    }

    #[test]
    fn custom_role_inherits_tiers_and_actions_and_survives_cycles() {
        let roles = [
            custom("a", &["FIND"], &["b"]),
            custom("b", &["CREATE_USER"], &["a", "readWrite"]),
        ];
        let expanded = CustomRoles::new(&roles).expand("a").expect("defined");
        assert_eq!(expanded.tier, Tier::Admin);
        assert_eq!(expanded.actions, ["CREATE_USER", "FIND"]);
    }
}
