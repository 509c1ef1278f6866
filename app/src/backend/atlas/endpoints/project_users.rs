//! Project users (2025-02-19 model: project role names as plain strings) and the
//! project-level revocations.

use serde::Serialize;

use super::all_membership_statuses;
use crate::backend::atlas::client::AtlasClient;
use crate::backend::atlas::error::AtlasError;
use crate::backend::atlas::pagination::Listing;
use crate::backend::atlas::path::ApiPath;
use crate::backend::atlas::transport::Endpoint;
use crate::backend::atlas::types::ProjectUser;
use crate::backend::atlas::version::ApiVersion::V2025_02_19;

const LIST_PROJECT_USERS: Endpoint = Endpoint::get("listGroupUsers", V2025_02_19);
const GET_PROJECT_USER: Endpoint = Endpoint::get("getGroupUser", V2025_02_19);
const REMOVE_PROJECT_USER_ROLE: Endpoint = Endpoint::action("removeGroupUserRole", V2025_02_19);
const REMOVE_PROJECT_USER: Endpoint = Endpoint::delete("removeGroupUser", V2025_02_19);

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GroupRoleBody<'a> {
    group_role: &'a str,
}

impl AtlasClient {
    /// Users with direct roles in a project, in every membership status.
    ///
    /// Team-derived and implicit org-role access is not included (`flattenTeams` and
    /// `includeOrgUsers` stay off): Attest derives those itself from teams and org roles.
    pub async fn list_project_users(
        &self,
        project_id: &str,
    ) -> Result<Listing<ProjectUser>, AtlasError> {
        let path = ApiPath::v2().lit("groups").arg(project_id)?.lit("users");
        self.list_all(&LIST_PROJECT_USERS, &path, all_membership_statuses())
            .await
    }

    /// One project user in any membership status.
    pub async fn get_project_user(
        &self,
        project_id: &str,
        user_id: &str,
    ) -> Result<ProjectUser, AtlasError> {
        let path = ApiPath::v2()
            .lit("groups")
            .arg(project_id)?
            .lit("users")
            .arg(user_id)?;
        self.get(&GET_PROJECT_USER, &path, all_membership_statuses())
            .await
    }

    /// Removes one project role (`:removeRole`). Atlas refuses to remove the last one; then the
    /// user must leave the project instead.
    pub async fn remove_project_user_role(
        &self,
        project_id: &str,
        user_id: &str,
        group_role: &str,
    ) -> Result<ProjectUser, AtlasError> {
        let path = ApiPath::v2()
            .lit("groups")
            .arg(project_id)?
            .lit("users")
            .action(user_id, "removeRole")?;
        self.send_json(
            &REMOVE_PROJECT_USER_ROLE,
            &path,
            &GroupRoleBody { group_role },
        )
        .await
    }

    /// Removes a user (active or pending) from a project.
    pub async fn remove_project_user(
        &self,
        project_id: &str,
        user_id: &str,
    ) -> Result<(), AtlasError> {
        let path = ApiPath::v2()
            .lit("groups")
            .arg(project_id)?
            .lit("users")
            .arg(user_id)?;
        self.send_empty(&REMOVE_PROJECT_USER, &path).await
    }
}
