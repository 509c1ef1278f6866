//! Reading one entitlement back from Atlas, and planning the change that removes it from what
//! the read found (never from the snapshot, so grants made since are not wiped out).

use serde_json::{Value, json};

use super::operation::Operation;
use crate::backend::atlas::types::{
    DatabaseUser, DatabaseUserRole, OrgApiKeyUpdate, ProjectApiKeyUpdate,
};
use crate::backend::atlas::{AtlasClient, AtlasError, ErrorKind};

/// What a read found.
#[derive(Debug, Clone)]
pub enum Found {
    /// The entitlement is gone (or its holder is).
    Absent,
    /// Still there; the change that removes it.
    Present(Box<Plan>),
}

/// One Atlas change, computed from a fresh read.
#[derive(Debug, Clone)]
pub enum Plan {
    RemoveOrgRole {
        user_id: String,
        role: String,
        owner: bool,
    },
    RemoveOrgUser {
        user_id: String,
        owner: bool,
    },
    RemoveProjectRole {
        project_id: String,
        user_id: String,
        role: String,
    },
    RemoveProjectUser {
        project_id: String,
        user_id: String,
    },
    RemoveTeamMember {
        team_id: String,
        user_id: String,
    },
    NarrowDatabaseUser {
        user: DatabaseUser,
        project_id: String,
        roles: Vec<DatabaseUserRole>,
    },
    DeleteDatabaseUser {
        user: DatabaseUser,
        project_id: String,
    },
    NarrowOrgApiKey {
        key_id: String,
        roles: Vec<String>,
    },
    DeleteOrgApiKey {
        key_id: String,
    },
    NarrowProjectApiKey {
        project_id: String,
        key_id: String,
        roles: Vec<String>,
    },
    RemoveProjectApiKey {
        project_id: String,
        key_id: String,
    },
    DeleteServiceAccount {
        client_id: String,
    },
    RemoveProjectServiceAccount {
        project_id: String,
        client_id: String,
    },
}

impl Plan {
    /// What the change does, including where it is wider than the reviewed entitlement.
    pub fn effect(&self) -> String {
        match self {
            Self::RemoveOrgRole { role, .. } => format!("removed org role {role}"),
            Self::RemoveOrgUser { .. } => {
                "removed the user from the org (the revoked role was their last)".into()
            }
            Self::RemoveProjectRole { role, .. } => format!("removed project role {role}"),
            Self::RemoveProjectUser { .. } => {
                "removed the user from the project (the revoked role was their last there)".into()
            }
            Self::RemoveTeamMember { team_id, .. } => format!("removed the user from team {team_id}"),
            Self::NarrowDatabaseUser { roles, .. } => {
                format!("narrowed the database user to {} remaining role(s)", roles.len())
            }
            Self::DeleteDatabaseUser { .. } => {
                "deleted the database user (the revoked role was their last)".into()
            }
            Self::NarrowOrgApiKey { roles, .. } => format!("narrowed the API key's org roles to {}", roles.join(", ")),
            Self::DeleteOrgApiKey { .. } => {
                "deleted the API key (the revoked role was its last org role; it left every project)".into()
            }
            Self::NarrowProjectApiKey { roles, .. } => {
                format!("narrowed the API key's project roles to {}", roles.join(", "))
            }
            Self::RemoveProjectApiKey { .. } => "took the API key off the project".into(),
            Self::DeleteServiceAccount { .. } => "deleted the service account".into(),
            Self::RemoveProjectServiceAccount { .. } => {
                "took the service account off the project (its credentials stay valid)".into()
            }
        }
    }

    /// Whether the change could take away the org's last owner.
    pub fn touches_owner(&self) -> bool {
        matches!(
            self,
            Self::RemoveOrgRole { owner: true, .. } | Self::RemoveOrgUser { owner: true, .. }
        )
    }

    /// The JSON body sent, if any (for the evidence; database users' secrets are never read).
    pub fn body(&self) -> Option<Value> {
        match self {
            Self::RemoveOrgRole { role, .. } => Some(json!({ "orgRole": role })),
            Self::RemoveProjectRole { role, .. } => Some(json!({ "groupRole": role })),
            Self::RemoveTeamMember { user_id, .. } => Some(json!({ "id": user_id })),
            Self::NarrowDatabaseUser {
                user,
                project_id,
                roles,
            } => Some(json!({
                "username": user.username, "databaseName": user.database_name,
                "groupId": project_id, "roles": roles,
            })),
            Self::NarrowOrgApiKey { roles, .. } | Self::NarrowProjectApiKey { roles, .. } => {
                Some(json!({ "roles": roles }))
            }
            _ => None,
        }
    }

    /// Sends the change.
    pub async fn send(&self, client: &AtlasClient, org_id: &str) -> Result<(), AtlasError> {
        match self {
            Self::RemoveOrgRole { user_id, role, .. } => client
                .remove_org_user_role(org_id, user_id, role)
                .await
                .map(drop),
            Self::RemoveOrgUser { user_id, .. } => client.remove_org_user(org_id, user_id).await,
            Self::RemoveProjectRole {
                project_id,
                user_id,
                role,
            } => client
                .remove_project_user_role(project_id, user_id, role)
                .await
                .map(drop),
            Self::RemoveProjectUser {
                project_id,
                user_id,
            } => client.remove_project_user(project_id, user_id).await,
            Self::RemoveTeamMember { team_id, user_id } => client
                .remove_team_member(org_id, team_id, user_id)
                .await
                .map(drop),
            Self::NarrowDatabaseUser {
                user,
                project_id,
                roles,
            } => client
                .update_database_user_roles(project_id, &user.database_name, &user.username, roles)
                .await
                .map(drop),
            Self::DeleteDatabaseUser { user, project_id } => {
                client
                    .delete_database_user(project_id, &user.database_name, &user.username)
                    .await
            }
            Self::NarrowOrgApiKey { key_id, roles } => {
                let update = OrgApiKeyUpdate {
                    desc: None,
                    roles: Some(roles.clone()),
                };
                client
                    .update_org_api_key(org_id, key_id, &update)
                    .await
                    .map(drop)
            }
            Self::DeleteOrgApiKey { key_id } => client.delete_org_api_key(org_id, key_id).await,
            Self::NarrowProjectApiKey {
                project_id,
                key_id,
                roles,
            } => {
                let update = ProjectApiKeyUpdate {
                    desc: None,
                    roles: Some(roles.clone()),
                };
                client
                    .update_project_api_key(project_id, key_id, &update)
                    .await
                    .map(drop)
            }
            Self::RemoveProjectApiKey { project_id, key_id } => {
                client.remove_project_api_key(project_id, key_id).await
            }
            Self::DeleteServiceAccount { client_id } => {
                client.delete_org_service_account(org_id, client_id).await
            }
            Self::RemoveProjectServiceAccount {
                project_id,
                client_id,
            } => {
                client
                    .remove_project_service_account(project_id, client_id)
                    .await
            }
        }
    }
}

/// A 404 on a read means the holder is gone, which is absence; anything else is an error.
fn gone<T>(result: Result<T, AtlasError>) -> Result<Option<T>, AtlasError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(err) if err.kind() == ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err),
    }
}

/// The remaining items once `item` is taken out; `None` when `item` is not there.
fn without<T: PartialEq + Clone>(items: &[T], item: &T) -> Option<Vec<T>> {
    items
        .contains(item)
        .then(|| items.iter().filter(|i| *i != item).cloned().collect())
}

/// Reads the entitlement of `operation` in org `org_id` back from Atlas.
pub async fn read(
    client: &AtlasClient,
    org_id: &str,
    operation: &Operation,
) -> Result<Found, AtlasError> {
    let plan = match operation {
        Operation::OrgRole { user_id, role } => gone(client.get_org_user(org_id, user_id).await)?
            .and_then(|user| {
                let owner = user.roles.org_roles.iter().any(|r| r == "ORG_OWNER");
                let rest = without(&user.roles.org_roles, role)?;
                Some(if rest.is_empty() {
                    Plan::RemoveOrgUser {
                        user_id: user_id.clone(),
                        owner,
                    }
                } else {
                    Plan::RemoveOrgRole {
                        user_id: user_id.clone(),
                        role: role.clone(),
                        owner: role == "ORG_OWNER",
                    }
                })
            }),
        Operation::ProjectRole {
            project_id,
            user_id,
            role,
        } => gone(client.get_project_user(project_id, user_id).await)?.and_then(|user| {
            let rest = without(&user.roles, role)?;
            Some(if rest.is_empty() {
                Plan::RemoveProjectUser {
                    project_id: project_id.clone(),
                    user_id: user_id.clone(),
                }
            } else {
                Plan::RemoveProjectRole {
                    project_id: project_id.clone(),
                    user_id: user_id.clone(),
                    role: role.clone(),
                }
            })
        }),
        Operation::TeamMember { team_id, user_id } => {
            gone(client.list_team_members(org_id, team_id).await)?.and_then(|members| {
                members
                    .items
                    .iter()
                    .any(|m| &m.id == user_id)
                    .then(|| Plan::RemoveTeamMember {
                        team_id: team_id.clone(),
                        user_id: user_id.clone(),
                    })
            })
        }
        Operation::DatabaseUserRole {
            project_id,
            auth_database,
            username,
            role,
        } => gone(
            client
                .get_database_user(project_id, auth_database, username)
                .await,
        )?
        .and_then(|user| {
            let rest = without(&user.roles, role)?;
            Some(if rest.is_empty() {
                Plan::DeleteDatabaseUser {
                    user,
                    project_id: project_id.clone(),
                }
            } else {
                Plan::NarrowDatabaseUser {
                    user,
                    project_id: project_id.clone(),
                    roles: rest,
                }
            })
        }),
        Operation::ApiKeyOrgRole { key_id, role } => {
            let keys = client.list_org_api_keys(org_id).await?;
            keys.items.iter().find(|k| &k.id == key_id).and_then(|key| {
                let org_roles: Vec<String> = key
                    .roles
                    .iter()
                    .filter(|r| r.group_id.is_none())
                    .map(|r| r.role_name.clone())
                    .collect();
                let rest = without(&org_roles, role)?;
                Some(if rest.is_empty() {
                    Plan::DeleteOrgApiKey {
                        key_id: key_id.clone(),
                    }
                } else {
                    Plan::NarrowOrgApiKey {
                        key_id: key_id.clone(),
                        roles: rest,
                    }
                })
            })
        }
        Operation::ApiKeyProjectRole {
            project_id,
            key_id,
            role,
        } => gone(client.list_project_api_keys(project_id).await)?.and_then(|keys| {
            let key = keys.items.into_iter().find(|k| &k.id == key_id)?;
            let roles: Vec<String> = key
                .roles
                .iter()
                .filter(|r| {
                    r.group_id.as_deref().is_none_or(|g| g == project_id) && r.org_id.is_none()
                })
                .map(|r| r.role_name.clone())
                .collect();
            let rest = without(&roles, role)?;
            Some(if rest.is_empty() {
                Plan::RemoveProjectApiKey {
                    project_id: project_id.clone(),
                    key_id: key_id.clone(),
                }
            } else {
                Plan::NarrowProjectApiKey {
                    project_id: project_id.clone(),
                    key_id: key_id.clone(),
                    roles: rest,
                }
            })
        }),
        Operation::ServiceAccountOrg { client_id, role } => {
            let accounts = client.list_org_service_accounts(org_id).await?;
            accounts
                .items
                .iter()
                .find(|a| &a.client_id == client_id && a.roles.contains(role))
                .map(|_| Plan::DeleteServiceAccount {
                    client_id: client_id.clone(),
                })
        }
        Operation::ServiceAccountProject {
            project_id,
            client_id,
            role,
        } => gone(
            client
                .list_service_account_projects(org_id, client_id)
                .await,
        )?
        .and_then(|projects| {
            projects
                .items
                .iter()
                .any(|p| &p.group_id == project_id && p.roles.contains(role))
                .then(|| Plan::RemoveProjectServiceAccount {
                    project_id: project_id.clone(),
                    client_id: client_id.clone(),
                })
        }),
        Operation::Federation { .. } | Operation::Unsupported { .. } => {
            return Err(AtlasError::invalid_argument(
                "this change is made outside Atlas's API and cannot be read back per job"
                    .to_owned(),
            ));
        }
    };
    Ok(plan.map_or(Found::Absent, |p| Found::Present(Box::new(p))))
}

/// The org's active owners, for the last-owner guard rail.
pub async fn active_owner_count(client: &AtlasClient, org_id: &str) -> Result<usize, AtlasError> {
    let users = client.list_org_users(org_id).await?;
    Ok(users
        .items
        .iter()
        .filter(|u| {
            u.org_membership_status == crate::backend::atlas::types::MembershipStatus::Active
                && u.roles.org_roles.iter().any(|r| r == "ORG_OWNER")
        })
        .count())
}

/// Clusters a database user reaches: its scopes, or every cluster of the project.
pub async fn clusters_of(
    client: &AtlasClient,
    project_id: &str,
    user: &DatabaseUser,
) -> Result<Vec<String>, AtlasError> {
    let scoped: Vec<String> = user
        .scopes
        .iter()
        .filter(|s| s.kind == "CLUSTER")
        .map(|s| s.name.clone())
        .collect();
    if !scoped.is_empty() || !user.scopes.is_empty() {
        return Ok(scoped);
    }
    Ok(client
        .list_clusters(project_id)
        .await?
        .items
        .into_iter()
        .map(|c| c.name)
        .collect())
}
