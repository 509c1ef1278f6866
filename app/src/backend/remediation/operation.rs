//! The exact Atlas change a revoked entitlement calls for, derived from the review item and its
//! principal as they were frozen at launch. Pure functions, no I/O.
//!
//! Each operation names the narrowest change that removes the entitlement; where Atlas forces
//! a wider one (a user's last role means leaving), the executor decides from a fresh read and
//! records the wider effect.

use serde::{Deserialize, Serialize};

use crate::backend::atlas::types::DatabaseUserRole;

/// One Atlas change, stored as the job's `target` (JSON, tagged by `kind`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Operation {
    /// Remove an org role; the last one means removing the user from the org.
    OrgRole { user_id: String, role: String },
    /// Remove a project role; the last one means removing the user from the project.
    ProjectRole {
        project_id: String,
        user_id: String,
        role: String,
    },
    /// Remove a user from the team that grants the entitlement.
    TeamMember { team_id: String, user_id: String },
    /// Remove one role of a database user; the last one means deleting the user.
    DatabaseUserRole {
        project_id: String,
        auth_database: String,
        username: String,
        role: DatabaseUserRole,
    },
    /// Remove an org role of an API key; the last one means deleting the key.
    ApiKeyOrgRole { key_id: String, role: String },
    /// Remove a project role of an API key; the last one takes the key off the project.
    ApiKeyProjectRole {
        project_id: String,
        key_id: String,
        role: String,
    },
    /// Delete a service account (its org roles cannot be narrowed through the API).
    ServiceAccountOrg { client_id: String, role: String },
    /// Take a service account off a project.
    ServiceAccountProject {
        project_id: String,
        client_id: String,
        role: String,
    },
    /// Granted by an identity-provider group mapping: only the IdP can take it away.
    Federation { idp_group: String },
    /// Nothing Attest can change in Atlas on its own; an admin acts and notes what was done.
    Unsupported { reason: String },
}

impl Operation {
    /// The short name stored in `remediation_job.operation`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::OrgRole { .. } => "remove_org_role",
            Self::ProjectRole { .. } => "remove_project_role",
            Self::TeamMember { .. } => "remove_team_member",
            Self::DatabaseUserRole { .. } => "remove_database_user_role",
            Self::ApiKeyOrgRole { .. } => "remove_api_key_org_role",
            Self::ApiKeyProjectRole { .. } => "remove_api_key_project_role",
            Self::ServiceAccountOrg { .. } => "delete_service_account",
            Self::ServiceAccountProject { .. } => "remove_service_account_from_project",
            Self::Federation { .. } => "change_identity_provider_group",
            Self::Unsupported { .. } => "manual_change",
        }
    }

    /// Whether Attest can push this change to Atlas itself.
    pub fn is_pushable(&self) -> bool {
        !matches!(self, Self::Federation { .. } | Self::Unsupported { .. })
    }

    /// For an admin: what this change does, in one sentence.
    pub fn describe(&self) -> String {
        match self {
            Self::OrgRole { user_id, role } => {
                format!(
                    "Remove org role {role} from user {user_id} (the last role: remove the user from the org)"
                )
            }
            Self::ProjectRole {
                project_id,
                user_id,
                role,
            } => format!(
                "Remove project role {role} from user {user_id} in project {project_id} (the last role: remove the user from the project)"
            ),
            Self::TeamMember { team_id, user_id } => {
                format!("Remove user {user_id} from team {team_id}")
            }
            Self::DatabaseUserRole {
                project_id,
                auth_database,
                username,
                role,
            } => format!(
                "Remove role {}@{} from database user {auth_database}/{username} in project {project_id} (the last role: delete the user)",
                role.role_name, role.database_name
            ),
            Self::ApiKeyOrgRole { key_id, role } => {
                format!(
                    "Remove org role {role} from API key {key_id} (the last role: delete the key)"
                )
            }
            Self::ApiKeyProjectRole {
                project_id,
                key_id,
                role,
            } => format!(
                "Remove project role {role} from API key {key_id} in project {project_id} (the last role: take the key off the project)"
            ),
            Self::ServiceAccountOrg { client_id, role } => {
                format!("Delete service account {client_id} (holds org role {role})")
            }
            Self::ServiceAccountProject {
                project_id,
                client_id,
                role,
            } => format!(
                "Take service account {client_id} off project {project_id} (holds {role}); its credentials stay valid"
            ),
            Self::Federation { idp_group } => format!(
                "Remove the person from identity-provider group \"{idp_group}\" (or change its Atlas role mapping); Atlas grants the role again at every sign-in"
            ),
            Self::Unsupported { reason } => reason.clone(),
        }
    }
}

/// What derivation needs to know of a review item and its principal.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemFacts {
    pub principal_kind: String,
    pub principal_key: String,
    /// The principal's Atlas id: user id, team id, API key id, client id, or database username.
    pub atlas_id: String,
    pub entitlement_key: String,
    pub project_id: Option<String>,
    pub role: String,
    pub grant_path: String,
    pub via_team_id: Option<String>,
    pub via_mapping_id: Option<String>,
    pub via_org_role: Option<String>,
    /// The IdP group name of a federation principal.
    pub principal_name: String,
}

/// The operation that revokes exactly the reviewed entitlement.
pub fn derive(item: &ItemFacts) -> Operation {
    if matches!(
        item.grant_path.as_str(),
        "federation_mapping" | "post_auth_grant"
    ) || item.principal_kind == "idp_group"
    {
        return Operation::Federation {
            idp_group: item.principal_name.clone(),
        };
    }
    // An implicit project grant goes with the org role that implies it.
    let (project, role) = match (&item.via_org_role, item.grant_path.as_str()) {
        (Some(org_role), "implicit_org_role") => (None, org_role.clone()),
        _ => (item.project_id.clone(), item.role.clone()),
    };
    let id = item.atlas_id.clone();
    match item.principal_kind.as_str() {
        "atlas_user" => match (&item.via_team_id, project) {
            (Some(team_id), _) if item.grant_path == "team" => Operation::TeamMember {
                team_id: team_id.clone(),
                user_id: id,
            },
            (_, Some(project_id)) => Operation::ProjectRole {
                project_id,
                user_id: id,
                role,
            },
            (_, None) => Operation::OrgRole { user_id: id, role },
        },
        "database_user" => database_user(item),
        "api_key" => match project {
            Some(project_id) => Operation::ApiKeyProjectRole {
                project_id,
                key_id: id,
                role,
            },
            None => Operation::ApiKeyOrgRole { key_id: id, role },
        },
        "service_account" => match project {
            Some(project_id) => Operation::ServiceAccountProject {
                project_id,
                client_id: id,
                role,
            },
            None => Operation::ServiceAccountOrg {
                client_id: id,
                role,
            },
        },
        "team" => Operation::Unsupported {
            reason: format!(
                "Change the project roles of team {} in Atlas (a team's project role is \
                 shared by every member), then note what was done.",
                item.atlas_id
            ),
        },
        other => Operation::Unsupported {
            reason: format!("Attest cannot revoke access of a {other} principal in Atlas."),
        },
    }
}

/// A database user's role from the keys: the principal is `dbuser:<groupId>/<authDb>/<name>`
/// (the name may itself hold `/`), the entitlement ends in `/role:<role>@<db>[.<collection>]`.
fn database_user(item: &ItemFacts) -> Operation {
    let parsed = parse_database_user(&item.principal_key, &item.entitlement_key);
    match parsed {
        Some((project_id, auth_database, username, role)) => Operation::DatabaseUserRole {
            project_id,
            auth_database,
            username,
            role,
        },
        None => Operation::Unsupported {
            reason: format!(
                "The database-user entitlement {} cannot be read; remove the role in Atlas by \
                 hand.",
                item.entitlement_key
            ),
        },
    }
}

fn parse_database_user(
    principal_key: &str,
    entitlement_key: &str,
) -> Option<(String, String, String, DatabaseUserRole)> {
    let rest = principal_key.strip_prefix("dbuser:")?;
    let (project, rest) = rest.split_once('/')?;
    let (auth_database, username) = rest.split_once('/')?;
    let target = &entitlement_key[entitlement_key.rfind("/role:")? + "/role:".len()..];
    let (role_name, on) = target.split_once('@')?;
    // Database names cannot contain '.', so the first one starts the collection.
    let (database, collection) = match on.split_once('.') {
        Some((db, coll)) => (db, Some(coll.to_owned())),
        None => (on, None),
    };
    Some((
        project.to_owned(),
        auth_database.to_owned(),
        username.to_owned(),
        DatabaseUserRole {
            role_name: role_name.to_owned(),
            database_name: database.to_owned(),
            collection_name: collection,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(kind: &str, principal_key: &str, entitlement_key: &str) -> ItemFacts {
        ItemFacts {
            principal_kind: kind.into(),
            principal_key: principal_key.into(),
            atlas_id: "a1".into(),
            entitlement_key: entitlement_key.into(),
            project_id: Some("p1".into()),
            role: "GROUP_READ_ONLY".into(),
            grant_path: "direct".into(),
            via_team_id: None,
            via_mapping_id: None,
            via_org_role: None,
            principal_name: "name".into(),
        }
    }

    #[test]
    fn direct_project_role_removes_that_role() {
        let op = derive(&facts(
            "atlas_user",
            "user:a1",
            "project:p1/user:a1/role:GROUP_READ_ONLY",
        ));
        assert_eq!(
            op,
            Operation::ProjectRole {
                project_id: "p1".into(),
                user_id: "a1".into(),
                role: "GROUP_READ_ONLY".into()
            }
        );
    }

    #[test]
    fn team_grant_removes_team_membership_and_implicit_grant_removes_org_role() {
        let mut team = facts("atlas_user", "user:a1", "k");
        team.grant_path = "team".into();
        team.via_team_id = Some("t1".into());
        assert_eq!(
            derive(&team),
            Operation::TeamMember {
                team_id: "t1".into(),
                user_id: "a1".into()
            }
        );
        let mut implicit = facts("atlas_user", "user:a1", "k");
        implicit.grant_path = "implicit_org_role".into();
        implicit.via_org_role = Some("ORG_OWNER".into());
        implicit.role = "GROUP_OWNER".into();
        assert_eq!(
            derive(&implicit),
            Operation::OrgRole {
                user_id: "a1".into(),
                role: "ORG_OWNER".into()
            }
        );
    }

    #[test]
    fn database_user_keys_with_slashes_and_distinguished_names_parse() {
        let arn = "arn:aws:iam::123456789012:role/etl-runner";
        let op = derive(&facts(
            "database_user",
            &format!("dbuser:p1/$external/{arn}"),
            &format!("project:p1/dbuser:$external/{arn}/role:readWrite@sales.orders"),
        ));
        let Operation::DatabaseUserRole {
            auth_database,
            username,
            role,
            ..
        } = op
        else {
            panic!("a database-user operation");
        };
        assert_eq!(auth_database, "$external");
        assert_eq!(username, arn);
        assert_eq!(role.role_name, "readWrite");
        assert_eq!(role.database_name, "sales");
        assert_eq!(role.collection_name.as_deref(), Some("orders"));

        let dn = "CN=etl,OU=Data,O=Corp";
        let op = derive(&facts(
            "database_user",
            &format!("dbuser:p1/$external/{dn}"),
            &format!("project:p1/dbuser:$external/{dn}/role:readAnyDatabase@admin"),
        ));
        let Operation::DatabaseUserRole { username, role, .. } = op else {
            panic!("a database-user operation");
        };
        assert_eq!(username, dn);
        assert_eq!(role.database_name, "admin");
        assert_eq!(role.collection_name, None);
    }

    #[test]
    fn federation_grants_point_at_the_identity_provider_group() {
        let mut item = facts("idp_group", "idp_group:m1", "k");
        item.grant_path = "federation_mapping".into();
        item.principal_name = "atlas-admins".into();
        let op = derive(&item);
        assert!(!op.is_pushable());
        assert!(op.describe().contains("atlas-admins"));
    }

    #[test]
    fn org_level_api_key_and_service_account_roles() {
        let mut key = facts("api_key", "apikey:a1", "k");
        key.project_id = None;
        key.role = "ORG_MEMBER".into();
        assert_eq!(derive(&key).name(), "remove_api_key_org_role");
        let mut sa = facts("service_account", "sa:a1", "k");
        sa.project_id = None;
        assert_eq!(derive(&sa).name(), "delete_service_account");
        let sa_project = facts("service_account", "sa:a1", "k");
        assert_eq!(
            derive(&sa_project).name(),
            "remove_service_account_from_project"
        );
    }
}
