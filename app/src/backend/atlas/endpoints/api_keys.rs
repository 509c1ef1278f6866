//! Programmatic API keys at org and project level: listing, narrowing roles, removing.

use crate::backend::atlas::client::AtlasClient;
use crate::backend::atlas::error::AtlasError;
use crate::backend::atlas::pagination::Listing;
use crate::backend::atlas::path::{ApiPath, Query};
use crate::backend::atlas::transport::Endpoint;
use crate::backend::atlas::types::{ApiKey, OrgApiKeyUpdate, ProjectApiKeyUpdate};
use crate::backend::atlas::version::ApiVersion::V2023_01_01;

const LIST_ORG_API_KEYS: Endpoint = Endpoint::get("listOrgApiKeys", V2023_01_01);
const UPDATE_ORG_API_KEY: Endpoint = Endpoint::replacing_patch("updateOrgApiKey", V2023_01_01);
const DELETE_ORG_API_KEY: Endpoint = Endpoint::delete("deleteOrgApiKey", V2023_01_01);
const LIST_PROJECT_API_KEYS: Endpoint = Endpoint::get("listGroupApiKeys", V2023_01_01);
const UPDATE_PROJECT_API_KEY: Endpoint =
    Endpoint::replacing_patch("updateGroupApiKeyRoles", V2023_01_01);
const REMOVE_PROJECT_API_KEY: Endpoint = Endpoint::delete("removeGroupApiKey", V2023_01_01);

impl AtlasClient {
    /// Every API key of an organization, with all its org and project roles.
    pub async fn list_org_api_keys(&self, org_id: &str) -> Result<Listing<ApiKey>, AtlasError> {
        let path = ApiPath::v2().lit("orgs").arg(org_id)?.lit("apiKeys");
        self.list_all(&LIST_ORG_API_KEYS, &path, Query::new()).await
    }

    /// The API keys assigned to a project, with their roles there.
    pub async fn list_project_api_keys(
        &self,
        project_id: &str,
    ) -> Result<Listing<ApiKey>, AtlasError> {
        let path = ApiPath::v2().lit("groups").arg(project_id)?.lit("apiKeys");
        self.list_all(&LIST_PROJECT_API_KEYS, &path, Query::new())
            .await
    }

    /// Changes an org API key's description or org roles.
    pub async fn update_org_api_key(
        &self,
        org_id: &str,
        api_key_id: &str,
        update: &OrgApiKeyUpdate,
    ) -> Result<ApiKey, AtlasError> {
        if update.desc.is_none() && update.roles.is_none() {
            return Err(AtlasError::invalid_argument(
                "an org API key update needs a description or roles".to_owned(),
            ));
        }
        let path = ApiPath::v2()
            .lit("orgs")
            .arg(org_id)?
            .lit("apiKeys")
            .arg(api_key_id)?;
        self.send_json(&UPDATE_ORG_API_KEY, &path, update).await
    }

    /// Deletes an API key, which also removes it from every project.
    pub async fn delete_org_api_key(
        &self,
        org_id: &str,
        api_key_id: &str,
    ) -> Result<(), AtlasError> {
        let path = ApiPath::v2()
            .lit("orgs")
            .arg(org_id)?
            .lit("apiKeys")
            .arg(api_key_id)?;
        self.send_empty(&DELETE_ORG_API_KEY, &path).await
    }

    /// Replaces an API key's roles in one project; roles left out are removed.
    pub async fn update_project_api_key(
        &self,
        project_id: &str,
        api_key_id: &str,
        update: &ProjectApiKeyUpdate,
    ) -> Result<ApiKey, AtlasError> {
        let path = ApiPath::v2()
            .lit("groups")
            .arg(project_id)?
            .lit("apiKeys")
            .arg(api_key_id)?;
        self.send_json(&UPDATE_PROJECT_API_KEY, &path, update).await
    }

    /// Takes an API key off one project; the key itself stays valid.
    pub async fn remove_project_api_key(
        &self,
        project_id: &str,
        api_key_id: &str,
    ) -> Result<(), AtlasError> {
        let path = ApiPath::v2()
            .lit("groups")
            .arg(project_id)?
            .lit("apiKeys")
            .arg(api_key_id)?;
        self.send_empty(&REMOVE_PROJECT_API_KEY, &path).await
    }
}
