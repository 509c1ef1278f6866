//! Service accounts (version 2024-08-05): listing at org and project level, one account's
//! project assignments, and removal.

use crate::backend::atlas::client::AtlasClient;
use crate::backend::atlas::error::AtlasError;
use crate::backend::atlas::pagination::Listing;
use crate::backend::atlas::path::{ApiPath, Query};
use crate::backend::atlas::transport::Endpoint;
use crate::backend::atlas::types::{
    OrgServiceAccount, ProjectServiceAccount, ServiceAccountProject,
};
use crate::backend::atlas::version::ApiVersion::V2024_08_05;

const LIST_ORG_SERVICE_ACCOUNTS: Endpoint = Endpoint::get("listOrgServiceAccounts", V2024_08_05);
const LIST_SERVICE_ACCOUNT_PROJECTS: Endpoint =
    Endpoint::get("getOrgServiceAccountGroups", V2024_08_05);
const LIST_PROJECT_SERVICE_ACCOUNTS: Endpoint =
    Endpoint::get("listGroupServiceAccounts", V2024_08_05);
const DELETE_ORG_SERVICE_ACCOUNT: Endpoint =
    Endpoint::delete("deleteOrgServiceAccount", V2024_08_05);
const REMOVE_PROJECT_SERVICE_ACCOUNT: Endpoint =
    Endpoint::delete("deleteGroupServiceAccount", V2024_08_05);

/// System-managed accounts (such as integration accounts) hold access too, so a review lists
/// them; Atlas hides them by default.
fn including_system_managed() -> Query {
    let mut query = Query::new();
    query.push("includeSystemManaged", "true");
    query
}

impl AtlasClient {
    /// Every service account of an organization, system-managed ones included.
    pub async fn list_org_service_accounts(
        &self,
        org_id: &str,
    ) -> Result<Listing<OrgServiceAccount>, AtlasError> {
        let path = ApiPath::v2()
            .lit("orgs")
            .arg(org_id)?
            .lit("serviceAccounts");
        self.list_all(
            &LIST_ORG_SERVICE_ACCOUNTS,
            &path,
            including_system_managed(),
        )
        .await
    }

    /// The projects one service account is assigned to, with its roles in each.
    pub async fn list_service_account_projects(
        &self,
        org_id: &str,
        client_id: &str,
    ) -> Result<Listing<ServiceAccountProject>, AtlasError> {
        let path = ApiPath::v2()
            .lit("orgs")
            .arg(org_id)?
            .lit("serviceAccounts")
            .arg(client_id)?
            .lit("groups");
        self.list_all(&LIST_SERVICE_ACCOUNT_PROJECTS, &path, Query::new())
            .await
    }

    /// The service accounts assigned to a project, with their project roles.
    pub async fn list_project_service_accounts(
        &self,
        project_id: &str,
    ) -> Result<Listing<ProjectServiceAccount>, AtlasError> {
        let path = ApiPath::v2()
            .lit("groups")
            .arg(project_id)?
            .lit("serviceAccounts");
        self.list_all(
            &LIST_PROJECT_SERVICE_ACCOUNTS,
            &path,
            including_system_managed(),
        )
        .await
    }

    /// Takes a service account off a project. Its credentials stay valid: to cut access
    /// completely, delete the account.
    pub async fn remove_project_service_account(
        &self,
        project_id: &str,
        client_id: &str,
    ) -> Result<(), AtlasError> {
        let path = ApiPath::v2()
            .lit("groups")
            .arg(project_id)?
            .lit("serviceAccounts")
            .arg(client_id)?;
        self.send_empty(&REMOVE_PROJECT_SERVICE_ACCOUNT, &path)
            .await
    }

    /// Deletes a service account and its secrets.
    // Limitation: tokens already issued to the account are not revoked here
    // (`POST /api/oauth/revoke` needs that account's own credentials).
    pub async fn delete_org_service_account(
        &self,
        org_id: &str,
        client_id: &str,
    ) -> Result<(), AtlasError> {
        let path = ApiPath::v2()
            .lit("orgs")
            .arg(org_id)?
            .lit("serviceAccounts")
            .arg(client_id)?;
        self.send_empty(&DELETE_ORG_SERVICE_ACCOUNT, &path).await
    }
}
