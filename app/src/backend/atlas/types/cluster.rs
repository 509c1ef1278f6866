//! Clusters, as far as remediation needs them: their names, and whether a database-user change
//! has reached them.

use serde::{Deserialize, Serialize};

/// One cluster of a project (`listGroupClusters`); only the name is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cluster {
    pub name: String,
}

/// Whether the latest database-user change has been applied on a cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterChangeStatus {
    /// `PENDING` or `APPLIED`.
    pub change_status: String,
}

impl ClusterChangeStatus {
    /// True once the cluster has applied every change.
    pub fn is_applied(&self) -> bool {
        self.change_status == "APPLIED"
    }
}
