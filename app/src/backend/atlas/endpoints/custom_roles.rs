//! Custom database roles. This endpoint answers with a bare JSON array, not the paginated
//! envelope, and takes no paging parameters.

use crate::backend::atlas::client::AtlasClient;
use crate::backend::atlas::error::AtlasError;
use crate::backend::atlas::path::{ApiPath, Query};
use crate::backend::atlas::transport::Endpoint;
use crate::backend::atlas::types::CustomDbRole;
use crate::backend::atlas::version::ApiVersion::V2023_01_01;

const LIST_CUSTOM_DB_ROLES: Endpoint = Endpoint::get("listGroupCustomDbRoleRoles", V2023_01_01);

impl AtlasClient {
    /// Every custom database role of a project.
    pub async fn list_custom_db_roles(
        &self,
        project_id: &str,
    ) -> Result<Vec<CustomDbRole>, AtlasError> {
        let path = ApiPath::v2()
            .lit("groups")
            .arg(project_id)?
            .lit("customDBRoles")
            .lit("roles");
        self.get(&LIST_CUSTOM_DB_ROLES, &path, Query::new()).await
    }
}
