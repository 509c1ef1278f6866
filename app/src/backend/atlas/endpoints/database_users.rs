//! Database users: listing, re-reading, narrowing roles and deleting.
//!
//! Single-user paths carry the authentication database (`admin` or `$external`, never the
//! database a role applies to) and the username escaped as one segment, so ARNs, OIDC names
//! and distinguished names reach the right user.

use serde::Serialize;

use crate::backend::atlas::client::AtlasClient;
use crate::backend::atlas::error::AtlasError;
use crate::backend::atlas::pagination::Listing;
use crate::backend::atlas::path::{ApiPath, Query};
use crate::backend::atlas::transport::Endpoint;
use crate::backend::atlas::types::{DatabaseUser, DatabaseUserRole};
use crate::backend::atlas::version::ApiVersion::V2023_01_01;

const LIST_DATABASE_USERS: Endpoint = Endpoint::get("listGroupDatabaseUsers", V2023_01_01);
const GET_DATABASE_USER: Endpoint = Endpoint::get("getGroupDatabaseUser", V2023_01_01);
const UPDATE_DATABASE_USER: Endpoint =
    Endpoint::replacing_patch("updateGroupDatabaseUser", V2023_01_01);
const DELETE_DATABASE_USER: Endpoint = Endpoint::delete("deleteGroupDatabaseUser", V2023_01_01);

/// The PATCH body: the identifying fields the schema requires plus the complete new role list.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RolesPatch<'a> {
    username: &'a str,
    database_name: &'a str,
    group_id: &'a str,
    roles: &'a [DatabaseUserRole],
}

fn user_path(project_id: &str, auth_database: &str, username: &str) -> Result<ApiPath, AtlasError> {
    ApiPath::v2()
        .lit("groups")
        .arg(project_id)?
        .lit("databaseUsers")
        .arg(auth_database)?
        .arg(username)
}

impl AtlasClient {
    /// Every database user of a project, of every authentication type.
    pub async fn list_database_users(
        &self,
        project_id: &str,
    ) -> Result<Listing<DatabaseUser>, AtlasError> {
        let path = ApiPath::v2()
            .lit("groups")
            .arg(project_id)?
            .lit("databaseUsers");
        self.list_all(&LIST_DATABASE_USERS, &path, Query::new())
            .await
    }

    /// One database user. Atlas answers 404 `USERNAME_NOT_FOUND` for a wrong name or auth
    /// database.
    pub async fn get_database_user(
        &self,
        project_id: &str,
        auth_database: &str,
        username: &str,
    ) -> Result<DatabaseUser, AtlasError> {
        let path = user_path(project_id, auth_database, username)?;
        self.get(&GET_DATABASE_USER, &path, Query::new()).await
    }

    /// Replaces a database user's roles with `roles`. Compute them from a fresh read, not from
    /// a snapshot, so roles granted since are not wiped out.
    // Limitation: Atlas does not document whether PATCH replaces the whole role list; like
    // Atlas's own Terraform provider, this sends the complete list and assumes replacement.
    pub async fn update_database_user_roles(
        &self,
        project_id: &str,
        auth_database: &str,
        username: &str,
        roles: &[DatabaseUserRole],
    ) -> Result<DatabaseUser, AtlasError> {
        let path = user_path(project_id, auth_database, username)?;
        let body = RolesPatch {
            username,
            database_name: auth_database,
            group_id: project_id,
            roles,
        };
        self.send_json(&UPDATE_DATABASE_USER, &path, &body).await
    }

    /// Deletes a database user. Atlas answers at once but clusters apply the change later.
    pub async fn delete_database_user(
        &self,
        project_id: &str,
        auth_database: &str,
        username: &str,
    ) -> Result<(), AtlasError> {
        let path = user_path(project_id, auth_database, username)?;
        self.send_empty(&DELETE_DATABASE_USER, &path).await
    }
}
