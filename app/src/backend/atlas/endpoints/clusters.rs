//! Cluster names of a project (database access history is read per cluster) and each
//! cluster's change status, for waiting until a database-user change has been applied
//! everywhere.

use crate::backend::atlas::client::AtlasClient;
use crate::backend::atlas::error::AtlasError;
use crate::backend::atlas::pagination::Listing;
use crate::backend::atlas::path::{ApiPath, Query};
use crate::backend::atlas::transport::Endpoint;
use crate::backend::atlas::types::{Cluster, ClusterChangeStatus};
use crate::backend::atlas::version::ApiVersion::V2023_01_01;

const LIST_CLUSTERS: Endpoint = Endpoint::get("listGroupClusters", V2023_01_01);
const GET_CLUSTER_STATUS: Endpoint = Endpoint::get("getClusterStatus", V2023_01_01);

impl AtlasClient {
    /// Every cluster of a project.
    pub async fn list_clusters(&self, project_id: &str) -> Result<Listing<Cluster>, AtlasError> {
        let path = ApiPath::v2().lit("groups").arg(project_id)?.lit("clusters");
        self.list_all(&LIST_CLUSTERS, &path, Query::new()).await
    }

    /// Whether a cluster has applied the latest database-user change.
    pub async fn cluster_change_status(
        &self,
        project_id: &str,
        cluster_name: &str,
    ) -> Result<ClusterChangeStatus, AtlasError> {
        let path = ApiPath::v2()
            .lit("groups")
            .arg(project_id)?
            .lit("clusters")
            .arg(cluster_name)?
            .lit("status");
        self.get(&GET_CLUSTER_STATUS, &path, Query::new()).await
    }
}
