//! Database access history of a cluster or a process: not paginated, capped by `nLogs`.

use crate::backend::atlas::client::AtlasClient;
use crate::backend::atlas::error::AtlasError;
use crate::backend::atlas::path::{ApiPath, Query};
use crate::backend::atlas::transport::Endpoint;
use crate::backend::atlas::types::{AccessHistoryQuery, AccessLogs};
use crate::backend::atlas::version::ApiVersion::V2023_01_01;

const CLUSTER_ACCESS_HISTORY: Endpoint =
    Endpoint::get("getGroupDbAccessHistoryCluster", V2023_01_01);
const PROCESS_ACCESS_HISTORY: Endpoint =
    Endpoint::get("getGroupDbAccessHistoryProcess", V2023_01_01);

/// Atlas's ceiling for `nLogs`.
const MAX_LOGS: u32 = 20_000;

fn to_query(filter: &AccessHistoryQuery) -> Result<Query, AtlasError> {
    if filter.start.is_some() != filter.end.is_some() {
        return Err(AtlasError::invalid_argument(
            "access history needs both start and end, or neither".to_owned(),
        ));
    }
    let mut query = Query::new();
    // Atlas takes epoch milliseconds here, unlike the ISO-8601 dates elsewhere.
    query
        .push_opt(
            "start",
            filter.start.map(|t| t.timestamp_millis().to_string()),
        )
        .push_opt("end", filter.end.map(|t| t.timestamp_millis().to_string()))
        .push_opt("nLogs", filter.n_logs.map(|n| n.min(MAX_LOGS).to_string()))
        .push_opt("authResult", filter.auth_result.map(|b| b.to_string()))
        .push_opt("ipAddress", filter.ip_address.clone());
    Ok(query)
}

impl AtlasClient {
    /// Authentication attempts against a cluster. Not available on M0, M2 or M5 clusters.
    // Limitation: at most 20,000 entries per call and no paging; narrow the window to see
    // more of a busy cluster.
    pub async fn cluster_access_history(
        &self,
        project_id: &str,
        cluster_name: &str,
        filter: &AccessHistoryQuery,
    ) -> Result<AccessLogs, AtlasError> {
        let path = ApiPath::v2()
            .lit("groups")
            .arg(project_id)?
            .lit("dbAccessHistory")
            .lit("clusters")
            .arg(cluster_name)?;
        self.get(&CLUSTER_ACCESS_HISTORY, &path, to_query(filter)?)
            .await
    }

    /// Authentication attempts against one process (`hostname:port`).
    pub async fn process_access_history(
        &self,
        project_id: &str,
        hostname: &str,
        filter: &AccessHistoryQuery,
    ) -> Result<AccessLogs, AtlasError> {
        let path = ApiPath::v2()
            .lit("groups")
            .arg(project_id)?
            .lit("dbAccessHistory")
            .lit("processes")
            .arg(hostname)?;
        self.get(&PROCESS_ACCESS_HISTORY, &path, to_query(filter)?)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn window_is_sent_in_epoch_milliseconds_and_n_logs_is_capped() {
        let filter = AccessHistoryQuery {
            start: Utc.timestamp_millis_opt(1_700_000_000_000).single(),
            end: Utc.timestamp_millis_opt(1_700_000_600_000).single(),
            n_logs: Some(50_000),
            auth_result: Some(false),
            ip_address: None,
        };
        assert_eq!(
            to_query(&filter).expect("valid").encode(),
            "start=1700000000000&end=1700000600000&nLogs=20000&authResult=false"
        );
    }

    #[test]
    fn half_a_window_is_refused() {
        let filter = AccessHistoryQuery {
            start: Some(Utc::now()),
            ..AccessHistoryQuery::default()
        };
        assert!(to_query(&filter).is_err());
    }
}
