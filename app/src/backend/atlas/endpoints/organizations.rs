//! Organizations and their projects.

use crate::backend::atlas::client::AtlasClient;
use crate::backend::atlas::error::AtlasError;
use crate::backend::atlas::pagination::Listing;
use crate::backend::atlas::path::{ApiPath, Query};
use crate::backend::atlas::transport::Endpoint;
use crate::backend::atlas::types::{Organization, Project};
use crate::backend::atlas::version::ApiVersion::V2023_01_01;

const LIST_ORGS: Endpoint = Endpoint::get("listOrgs", V2023_01_01);
const GET_ORG: Endpoint = Endpoint::get("getOrg", V2023_01_01);
const LIST_ORG_PROJECTS: Endpoint = Endpoint::get("getOrgGroups", V2023_01_01);

impl AtlasClient {
    /// Every organization the credentials can see.
    pub async fn list_orgs(&self) -> Result<Listing<Organization>, AtlasError> {
        let path = ApiPath::v2().lit("orgs");
        self.list_all(&LIST_ORGS, &path, Query::new()).await
    }

    /// One organization.
    pub async fn get_org(&self, org_id: &str) -> Result<Organization, AtlasError> {
        let path = ApiPath::v2().lit("orgs").arg(org_id)?;
        self.get(&GET_ORG, &path, Query::new()).await
    }

    /// Every project of an organization.
    pub async fn list_projects(&self, org_id: &str) -> Result<Listing<Project>, AtlasError> {
        let path = ApiPath::v2().lit("orgs").arg(org_id)?.lit("groups");
        self.list_all(&LIST_ORG_PROJECTS, &path, Query::new()).await
    }
}
