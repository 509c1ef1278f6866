//! Federation settings, connected org configs and IdP role mappings.

use crate::backend::atlas::client::AtlasClient;
use crate::backend::atlas::error::AtlasError;
use crate::backend::atlas::pagination::Listing;
use crate::backend::atlas::path::{ApiPath, Query};
use crate::backend::atlas::transport::Endpoint;
use crate::backend::atlas::types::{ConnectedOrgConfig, FederationSettings, RoleMapping};
use crate::backend::atlas::version::ApiVersion::V2023_01_01;

const GET_FEDERATION_SETTINGS: Endpoint = Endpoint::get("getOrgFederationSettings", V2023_01_01);
const LIST_CONNECTED_ORG_CONFIGS: Endpoint =
    Endpoint::get("listFederationSettingConnectedOrgConfigs", V2023_01_01);
const LIST_ROLE_MAPPINGS: Endpoint = Endpoint::get(
    "listFederationSettingConnectedOrgConfigRoleMappings",
    V2023_01_01,
);

impl AtlasClient {
    /// An organization's federation settings. Needs Organization Owner.
    pub async fn get_federation_settings(
        &self,
        org_id: &str,
    ) -> Result<FederationSettings, AtlasError> {
        let path = ApiPath::v2()
            .lit("orgs")
            .arg(org_id)?
            .lit("federationSettings");
        self.get(&GET_FEDERATION_SETTINGS, &path, Query::new())
            .await
    }

    /// Every organization connected to the federation settings.
    pub async fn list_connected_org_configs(
        &self,
        federation_settings_id: &str,
    ) -> Result<Listing<ConnectedOrgConfig>, AtlasError> {
        let path = ApiPath::v2()
            .lit("federationSettings")
            .arg(federation_settings_id)?
            .lit("connectedOrgConfigs");
        self.list_all(&LIST_CONNECTED_ORG_CONFIGS, &path, Query::new())
            .await
    }

    /// The IdP role mappings of one connected organization. The endpoint takes no paging
    /// parameters and returns them all in one envelope.
    pub async fn list_role_mappings(
        &self,
        federation_settings_id: &str,
        org_id: &str,
    ) -> Result<Listing<RoleMapping>, AtlasError> {
        let path = ApiPath::v2()
            .lit("federationSettings")
            .arg(federation_settings_id)?
            .lit("connectedOrgConfigs")
            .arg(org_id)?
            .lit("roleMappings");
        self.get_unpaged_envelope(&LIST_ROLE_MAPPINGS, &path).await
    }
}
